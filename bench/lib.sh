# shellcheck shell=bash
# bench/lib.sh - helpers for the bench/ scripts: bookkeeping of the
# processes and network namespaces a benchmark starts (all cleaned up on
# exit), waiting, guest addressing, iperf3 runs, CPU and memory accounting,
# statistics, the broken-peer rule of issue 16, building the load generator
# bench/netload.c and the attach relay bench/relay1.c, and telling which
# gvisor-tap-vsock binary GVTV names.
#
# Sourced by bench/run, bench/vm2vm, bench/dns, bench/capture; needs bash 4,
# iproute2, iperf3 and python3 (to read iperf3's JSON). Everything it
# touches is host loopback or a namespace it created itself.

BENCH_PIDS=()
declare -A BENCH_GRACE
BENCH_NETNS=()
BENCH_TMP=
# shellcheck disable=SC2034 # used by bench/run
BENCH_CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
# Transmit queue of every guest TAP (issue 16): a TAP drops what its
# reader has not taken once its ring (txqueuelen, 1000 by default) is full,
# where a QEMU guest's virtio queue stops the guest instead. With a ring
# longer than TCP small queues let a sender put in it (4 MiB a socket), a
# system that reads its guest slowly slows the guest's TCP, as under QEMU,
# instead of costing it drops.
BENCH_TXQLEN=16384
# Share of duplicate segments among those a guest receives above which a
# system is broken (bench_broken()): passt 0.0~git20230309 drops the frames
# its QEMU socket has no room for and resends from the last ACK, 40-60% of
# what the guest receives at MTU 1500 (docs/performance.md); usernetd,
# slirp4netns and gvisor-tap-vsock resend next to nothing.
BENCH_DUP_PCT=10

# bench_log() - print a progress line on stderr
bench_log()
{
	printf 'bench: %s\n' "$*" >&2
}

# bench_die() - print an error and exit (the EXIT trap cleans up)
bench_die()
{
	bench_log "error: $*"
	exit 1
}

# bench_init() - make the scratch directory and install the cleanup traps
bench_init()
{
	BENCH_TMP=$(mktemp -d /tmp/usernetd-bench.XXXXXX) ||
		bench_die "mktemp failed"
	# passt drops to user nobody: it must be able to reach its directory
	chmod 755 "$BENCH_TMP"
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# bench_track() - remember a PID to kill on exit
# @1:	PID
# @2:	seconds it gets between SIGTERM and SIGKILL (default 2; more for a
#	child benchmark that cleans up after itself)
bench_track()
{
	BENCH_PIDS+=("$1")
	[ -n "${2:-}" ] && BENCH_GRACE[$1]=$2
	return 0
}

# bench_untrack() - forget a PID (it has been reaped: never signal it again,
# its number may be reused)
# @1:	PID
bench_untrack()
{
	local p keep=()
	for p in "${BENCH_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	BENCH_PIDS=("${keep[@]}")
}

# bench_kill() - stop one of our children: SIGTERM, then SIGKILL after 2
# seconds (or the grace given to bench_track()); reap and forget it
# @1:	PID
bench_kill()
{
	local pid=$1 i grace=${BENCH_GRACE[$1]:-2}

	bench_untrack "$pid"
	unset "BENCH_GRACE[$pid]"
	if ! kill -TERM "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null
		return 0
	fi
	for i in $(seq $((grace * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# bench_cleanup() - EXIT trap: kill every tracked process (newest first),
# delete every namespace we created, remove the scratch directory
bench_cleanup()
{
	local i

	trap - EXIT INT TERM HUP
	while [ ${#BENCH_PIDS[@]} -gt 0 ]; do
		bench_kill "${BENCH_PIDS[-1]}"
	done
	for i in "${BENCH_NETNS[@]}"; do
		ip netns del "$i" 2>/dev/null
	done
	if [ -n "$BENCH_TMP" ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$BENCH_TMP"
	elif [ -n "$BENCH_TMP" ]; then
		bench_log "logs kept in $BENCH_TMP"
	fi
}

# bench_netns_add() - create a namespace with loopback up, deleted on exit
# @1:	name
bench_netns_add()
{
	ip netns add "$1" || bench_die "ip netns add $1 failed"
	BENCH_NETNS+=("$1")
	ip netns exec "$1" ip link set lo up
}

# bench_wait() - run a command every 0.1 s until it succeeds
# @1:	timeout in seconds
# @2..:	command
# Return: 0 once the command succeeded, 1 on timeout
bench_wait()
{
	local t=$(($1 * 10)) i
	shift
	for ((i = 0; i < t; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# bench_alive() - true if every given PID is still running
# @1..:	PIDs
bench_alive()
{
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null || return 1
	done
}

# bench_free_port() - print a TCP port free on host loopback
bench_free_port()
{
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# bench_guest_static() - address the guest side of a namespace statically,
# with the long transmit queue of BENCH_TXQLEN
# @1:	namespace
# @2:	interface
# @3:	address/prefix
# @4:	gateway
# @5:	MTU
bench_guest_static()
{
	ip netns exec "$1" ip link set "$2" mtu "$5" txqueuelen "$BENCH_TXQLEN" \
		up &&
		ip netns exec "$1" ip addr add "$3" dev "$2" &&
		ip netns exec "$1" ip route add default via "$4" dev "$2"
}

# bench_has_link() - true if a link exists in a namespace
# @1:	namespace
# @2:	interface
bench_has_link()
{
	ip netns exec "$1" ip link show "$2" >/dev/null 2>&1
}

# bench_pid_tree() - print PIDs and every live descendant of theirs (a
# system's CPU is all its processes': a daemon that forks a helper, an
# `ip netns exec` that execs its command keeps its PID)
# @1..:	PIDs
bench_pid_tree()
{
	local list=("$@") kids

	[ ${#list[@]} -gt 0 ] || return 0
	printf '%s\n' "${list[@]}"
	kids=$(ps -o pid= --ppid "$(
		IFS=,
		echo "${list[*]}"
	)" 2>/dev/null | tr -d ' ')
	# shellcheck disable=SC2086
	[ -n "$kids" ] && bench_pid_tree $kids
	return 0
}

# bench_cpu_ticks() - print user+system clock ticks used so far by PIDs,
# their live descendants, and the children they have reaped
# @1..:	PIDs (gone processes count 0)
bench_cpu_ticks()
{
	local p sum=0 t
	for p in $(bench_pid_tree "$@" | sort -un); do
		t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null |
			awk '{ print $12 + $13 + $14 + $15 }')
		sum=$((sum + ${t:-0}))
	done
	echo "$sum"
}

# bench_cpu_per_gbit() - print CPU seconds per gigabit moved, 2 decimals
# ("-" when nothing was moved)
# @1:	clock ticks used
# @2:	bytes the receiver counted
bench_cpu_per_gbit()
{
	awk -v c="$1" -v hz="$BENCH_CLK_TCK" -v n="$2" 'BEGIN {
		if (n !~ /^[0-9]+$/ || n + 0 == 0) print "-"
		else printf "%.2f\n", c / hz / (n * 8 / 1e9) }'
}

# bench_guest_segs() - print a namespace's TCP segments received so far
# and, of those, the ones whose data it already had (the kernel's
# DelayedACKLost: a segment entirely below rcv_nxt, answered with a
# duplicate ACK)
# @1:	namespace
bench_guest_segs()
{
	ip netns exec "$1" cat /proc/net/snmp /proc/net/netstat 2>/dev/null |
		awk '$1 == "Tcp:" && !th { th = 1; for (i = 2; i <= NF; i++)
			if ($i == "InSegs") ti = i; next }
		$1 == "Tcp:" && ti { n = $ti }
		$1 == "TcpExt:" && !xh { xh = 1; for (i = 2; i <= NF; i++)
			if ($i == "DelayedACKLost") xi = i; next }
		$1 == "TcpExt:" && xi { d = $xi }
		END { printf "%d %d\n", n, d }'
}

# bench_dup_pct() - print the duplicate share of a guest's received
# segments between two bench_guest_segs() readings, % with 1 decimal ("-"
# if it received fewer than 1000)
# @1:	the reading before
# @2:	the reading after
bench_dup_pct()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		n = y[1] - x[1]; d = y[2] - x[2]
		if (n < 1000) print "-"; else printf "%.1f\n", 100 * d / n }'
}

# bench_now() - print a monotonic-enough time stamp in seconds
bench_now()
{
	date +%s.%N
}

# bench_iperf() - one iperf3 client run from inside a namespace, in the
# background so that a signal interrupts the wait and the EXIT trap stops it
# @1:	namespace
# @2:	server address
# @3:	server port
# @4:	seconds
# @5:	JSON output file
# @6..:	extra iperf3 options (-R for the server sending)
bench_iperf()
{
	local ns=$1 addr=$2 port=$3 secs=$4 out=$5 pid
	shift 5
	timeout $((secs + 20)) ip netns exec "$ns" \
		iperf3 -c "$addr" -p "$port" -t "$secs" --connect-timeout 3000 \
		-J "$@" >"$out" 2>&1 </dev/null &
	pid=$!
	bench_track "$pid"
	wait "$pid"
	bench_untrack "$pid"
}

# bench_iperf_result() - read an iperf3 JSON result
# @1:	JSON file
# Print: received Gbit/s with 3 decimals, or "fail" (an error, no result,
# or no byte received); then the sender's TCP retransmissions, or "-" if
# iperf3 did not report them; then the bytes the receiver counted
bench_iperf_result()
{
	python3 - "$1" <<'EOF2'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    if d.get("error"):
        raise ValueError(d["error"])
    e = d["end"]
    rcv = e["sum_received"]
    if rcv.get("bytes", 0) <= 0:
        raise ValueError("nothing received")
    print("%.3f %s %d" % (rcv["bits_per_second"] / 1e9,
                          e.get("sum_sent", {}).get("retransmits", "-"),
                          rcv["bytes"]))
except Exception:
    print("fail - 0")
EOF2
}

# bench_broken() - decide whether a system lost data in one cell compared
# with the other systems of the same cell (issue 16): a failed transfer,
# retransmissions above 20 times the others' median and above 1000, a
# rate under 5% of the others' median, or (when the guest received) more
# than BENCH_DUP_PCT % of the segments the guest received being data it
# already had: the system resent what it had delivered, so its rate counts
# the same bytes more than once on the wire and its sender's
# retransmission count (the host's, on loopback) does not show it. Such a
# system is printed as broken with the reason, never as a ratio.
# @1:	the system's rates of the cell, one per round ("fail" for a failure)
# @2:	its retransmissions, one per round
# @3:	the other systems' median rates in the cell
# @4:	the other systems' median retransmissions in the cell
# @5:	unit of the rates, for the reason (default Gbit/s)
# @6:	the system's duplicate segments at the guest, % of the segments it
#	received, one per round (empty or "-": not measured)
# Print: the reason, or nothing if the system is not broken
bench_broken()
{
	local rates=$1 retrs=$2 orates=$3 oretrs=$4 unit=${5:-Gbit/s}
	local dups=${6:-} runs=0 failed=0 r

	for r in $rates; do
		runs=$((runs + 1))
		[[ $r =~ ^[0-9.]+$ ]] || failed=$((failed + 1))
	done
	if [ "$runs" = 0 ]; then
		echo "no run"
		return
	fi
	if [ "$failed" != 0 ]; then
		echo "transfer failed in $failed of $runs runs"
		return
	fi
	# shellcheck disable=SC2086
	awk -v rate="$(bench_median $rates)" -v retr="$(bench_median $retrs)" \
		-v orate="$(bench_median $orates)" \
		-v oretr="$(bench_median $oretrs)" -v unit="$unit" \
		-v dup="$(bench_median $dups)" -v dmax="$BENCH_DUP_PCT" 'BEGIN {
		num = "^[0-9.]+$"
		if (retr ~ num && oretr ~ num && retr > 1000 &&
		    retr > 20 * oretr) {
			printf "%d retransmissions a run, the others %d\n",
				retr, oretr
			exit
		}
		if (dup ~ num && dup > dmax) {
			printf "%g%% of the segments the guest received " \
				"were duplicates: data resent\n", dup
			exit
		}
		if (rate ~ num && orate ~ num && rate < 0.05 * orate)
			printf "%g %s, under 5%% of the others %g\n",
				rate, unit, orate
	}'
}

# bench_median() - print the median of numbers (mean of the two middle ones
# for an even count); "fail" entries are ignored; "-" if none is left
# @1..:	numbers
bench_median()
{
	printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "-"; exit }
			if (NR % 2) m = v[(NR + 1) / 2]
			else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.2f\n", m
		}'
}

# bench_ratio() - print a/b with 2 decimals, "-" if either is missing
# @1:	a
# @2:	b
bench_ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0)
			print "-"
		else
			printf "%.2f\n", a / b
	}'
}

# bench_netns_moved() - true once a process runs in another network
# namespace than this script (ip netns exec has switched)
# @1:	PID
bench_netns_moved()
{
	local a b
	a=$(readlink "/proc/$1/ns/net") || return 1
	b=$(readlink "/proc/$$/ns/net") || return 1
	[ "$a" != "$b" ]
}

# bench_rss() - print a process's memory in kB: VmRSS and RssAnon (from
# /proc/PID/status), Pss (from /proc/PID/smaps_rollup); "-" for what
# cannot be read
# @1:	PID
bench_rss()
{
	local rss anon pss
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	anon=$(awk '/^RssAnon:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	pss=$(awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null)
	echo "${rss:--} ${anon:--} ${pss:--}"
}

# bench_build_netload() - compile bench/netload.c into the scratch
# directory (after bench_init)
# Set: NETLOAD, the binary
bench_build_netload()
{
	NETLOAD=$BENCH_TMP/netload
	"${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -Werror -pthread \
		-o "$NETLOAD" "$BENCH_DIR/netload.c" >"$BENCH_TMP/netload.cc.log" 2>&1 ||
		bench_die "cannot compile bench/netload.c: $(cat "$BENCH_TMP/netload.cc.log")"
}

# bench_build_relay1() - compile bench/relay1.c, the one-frame-per-write
# QEMU stream relay of the fair method, into the scratch directory (after
# bench_init)
# Set: RELAY1, the binary
bench_build_relay1()
{
	RELAY1=$BENCH_TMP/relay1
	"${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -Werror -pthread \
		-o "$RELAY1" "$BENCH_DIR/relay1.c" >"$BENCH_TMP/relay1.cc.log" 2>&1 ||
		bench_die "cannot compile bench/relay1.c: $(cat "$BENCH_TMP/relay1.cc.log")"
}

# bench_slirp_of() - say which libslirp a usernetd binary uses: the shared
# library the dynamic linker finds for it, or one linked in statically
# @1:	the binary
bench_slirp_of()
{
	local so
	so=$(ldd "$1" 2>/dev/null | awk '/libslirp/ { print $3; exit }')
	if [ -n "$so" ]; then
		echo "libslirp: shared, $(readlink -f "$so")"
	else
		echo "libslirp: linked in (no shared libslirp)"
	fi
}

# bench_gvtv_kind() - what $GVTV is: "lima" (bench/limausernet.go, Lima's
# configuration), "gvproxy" (cmd/gvproxy, its own fixed configuration), or
# nothing if it is unset or not runnable
bench_gvtv_kind()
{
	local v
	[ -n "${GVTV:-}" ] && [ -x "$GVTV" ] || return 0
	v=$("$GVTV" -version 2>/dev/null)
	case $v in
	limausernet*) echo lima ;;
	gvproxy*) echo gvproxy ;;
	esac
}
