#!/bin/bash
# tests/fuzz/run.sh TARGET BUILD_DIR [SECONDS] - build one libFuzzer target
# with clang (fuzzer, ASan, UBSan) and run it from its seed corpus for a
# while (15 s: ctest's run, each target from its whole seed corpus; a
# longer run finds more); libslirp from BUILD_DIR's patched source tree
# when there is one. For hours:
#   FUZZ_SECONDS=14400 bash tests/fuzz/run.sh dns build
# New inputs go to BUILD_DIR/fuzz/TARGET-corpus, never into the repository.
set -eu
target=${1#fuzz_} # "net" or "fuzz_net"
build=$(cd "$2" && pwd)
secs=${3:-${FUZZ_SECONDS:-15}}
src=$(cd "$(dirname "$0")/../.." && pwd)

# The sources each target needs besides its own file: the header lines of
# tests/fuzz/fuzz_TARGET.c (" * fuzz-sources: ..."; a key may repeat).
case $target in
dns) sources="services/dns/codec.c services/dns/build.c services/dns/local.c services/dns/regexp.c" libs="" ;;
yaml) sources="daemon/networksyaml.c daemon/limayaml.c services/dns/codec.c services/dns/build.c services/dns/local.c services/dns/regexp.c base/log.c base/xalloc.c"
      [ -f "$src/daemon/yamlutil.c" ] && sources="$sources daemon/yamlutil.c"
      libs="-lyaml" ;;
*) sources=$(sed -n 's|^ \* fuzz-sources: ||p' "$src/tests/fuzz/fuzz_$target.c")
   libs=$(sed -n 's|^ \* fuzz-libs: ||p' "$src/tests/fuzz/fuzz_$target.c") ;;
esac
# a source named twice (two header lines, two merged lists) is built once
sources=$(printf '%s\n' $sources | awk '!seen[$0]++' | tr '\n' ' ')
# Extra libFuzzer flags (fuzz-args:), and what the target needs to run
# (fuzz-needs: netns - it moves itself into a new network namespace, see
# fuzz_net.c, which needs root or unprivileged user namespaces).
args=$(sed -n 's|^ \* fuzz-args: ||p' "$src/tests/fuzz/fuzz_$target.c")
needs=$(sed -n 's|^ \* fuzz-needs: ||p' "$src/tests/fuzz/fuzz_$target.c")
case " $needs " in
*" netns "*) unshare -n true 2>/dev/null || unshare -rn true 2>/dev/null ||
	{ echo "no network namespaces here"; exit 77; } ;;
esac

command -v clang >/dev/null || { echo "clang not installed"; exit 77; }
mkdir -p "$build/fuzz/$target-corpus"
bin="$build/fuzz/fuzz_$target"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

# slirp_object: when BUILD has libslirp's patched source tree (configured
# with -DUSERNETD_SLIRP_SOURCE, cmake/libslirp.cmake), a target that links
# libslirp (-lslirp) gets it compiled from that tree with the fuzzing
# flags, so that the patched code (TCP options, window scaling) is fuzzed
# and instrumented too; as CMake does, one object with only libslirp's API
# global (its internals share names with lwIP's). Compiled again when
# CMake made a new copy of the tree (BUILD/libslirp.stamp) or the flags
# change. Else the system
# library, as -lslirp says. UBSan's alignment check is off for libslirp's
# code alone, for what its 4.4BSD code does by design (cmake/libslirp.cmake
# says which; every other check stays on).
slirp="$build/libslirp"
slirp_inc=""
slirp_object() {
	obj="$build/fuzz/libslirp.o"
	dir="$build/fuzz/libslirp-obj"
	flags="-g -O1 -std=gnu99 -w -fsanitize=fuzzer-no-link $san"
	flags="$flags -fno-sanitize=alignment -fvisibility=hidden"
	flags="$flags -DG_LOG_DOMAIN=\"Slirp\""
	echo '#include <valgrind/valgrind.h>' | clang -E - >/dev/null 2>&1 &&
		flags="$flags -DHAVE_VALGRIND=1"
	key="$(cat "$build/libslirp.stamp")
$flags"
	if [ -f "$obj" ] && [ "$(cat "$dir/key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	rm -rf "$dir" "$obj" && mkdir -p "$dir"
	(cd "$dir" && printf '%s\n' "$slirp"/src/*.c |
		xargs -n 4 -P "$(nproc)" clang $flags -c \
			-I"$build/libslirp-include/slirp" -I"$slirp/src" \
			$(pkg-config --cflags glib-2.0))
	ld -r -o "$dir/all.o" "$dir"/*.o
	objcopy --keep-global-symbols="$build/libslirp.syms" "$dir/all.o" "$obj"
	printf '%s\n' "$key" >"$dir/key"
}
case " $libs " in
*" -lslirp "*)
	if [ -f "$slirp/src/tcp_input.c" ] && [ -f "$build/libslirp.syms" ]; then
		slirp_object
		libs=$(printf '%s\n' "$libs" | sed "s|-lslirp|$build/fuzz/libslirp.o|")
		slirp_inc="-I$build/libslirp-include"
	fi
	;;
esac

(cd "$src" && clang -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-fsanitize=fuzzer $san \
	-I. $slirp_inc -I/usr/include/lwip $(pkg-config --cflags glib-2.0) \
	"tests/fuzz/fuzz_$target.c" $sources $libs -o "$bin")
seeds="$src/tests/fuzz/corpus/$target"
[ -d "$seeds" ] || seeds=""
log="$build/fuzz/$target.log"
if "$bin" -max_total_time="$secs" -max_len=65536 -print_final_stats=1 $args \
	-artifact_prefix="$build/fuzz/$target-" \
	"$build/fuzz/$target-corpus" $seeds >"$log" 2>&1; then
	tail -n 8 "$log"
else
	tail -n 100 "$log"
	exit 1
fi
