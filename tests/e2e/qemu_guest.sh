#!/bin/bash
# e2e-timeout: 300
# tests/e2e/qemu_guest.sh: end-to-end test with a real QEMU guest attached to
# usernetd by `-netdev stream`. Owns building the guest (the installed Debian
# kernel plus a busybox-static initramfs with the virtio-net modules, cached
# under BUILD_DIR/qemu-guest/), running usernetd and QEMU, and checking what
# the guest reports: DHCP address .15, router .2, DNS .3, the MTU of option 26
# applied, and pings to the router (one filling the MTU when it is > 1500).
# Then IPv6, with nothing but the kernel's defaults (Debian's kernel has
# CONFIG_IPV6=y built in: accept_ra and autoconf on): a SLAAC address in
# fec0::/64 and a default route via fe80::2 from usernetd's router
# advertisement, eth0's IPv6 MTU equal to the MTU given (a DHCP option 26
# above 1500 raises the link MTU first, so this does not tell the RA's MTU
# option from the link's: tests/e2e/ipv6.sh reads the RA itself), busybox
# ping6 to fec0::2 and fec0::3 (one filling the MTU when it is > 1500),
# busybox nslookup over IPv6 at fec0::3 for a name of the test's
# lima.yaml (hostResolver.hosts), and busybox wget of a token from an
# HTTP server on the host's [::1] through http://[fec0::2]:PORT/. All of
# busybox-static 1.35's tools used speak IPv6; none of the IPv6 checks is
# left out. With QEMU_GUEST_NET=slirp the DNS query is not made (QEMU's
# slirp forwards it to the host's resolver, which knows no test name).
#
# usage: tests/e2e/qemu_guest.sh BUILD_DIR
#   exit 0 pass, 1 fail, 77 skip (no qemu-system-x86_64 or no kernel in /boot)
# environment (all optional):
#   QEMU_GUEST_MTUS     MTUs to test, one daemon + guest each ("1500 4000")
#   QEMU_GUEST_TIMEOUT  seconds per guest before it is killed (90)
#   QEMU_GUEST_NET      "usernetd" (default) or "slirp": QEMU's own slirp, to
#                       check the guest side alone (expects no option 26)
#   QEMU_GUEST_KEEP=1   keep the temporary directory (logs) and print it
#   QEMU                QEMU binary (qemu-system-x86_64)
#   USERNETD_SANDBOX=0  run usernetd with --no-sandbox

set -u

BUILD_DIR=${1:?usage: $0 BUILD_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUEST_SRC=$HERE/qemu
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${QEMU_GUEST_TIMEOUT:-90}
MTUS=${QEMU_GUEST_MTUS:-1500 4000}
NET=${QEMU_GUEST_NET:-usernetd}
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net"
EXPECT_IP=192.168.5.15
EXPECT_ROUTER=192.168.5.2
EXPECT_DNS=192.168.5.3
GW6=fec0::2
DNS6=fec0::3
EXPECT_ROUTER6=fe80::2
DNS_NAME=qemu-guest.test
DNS_ADDR=192.0.2.77
# The daemon confines itself; USERNETD_SANDBOX=0: --no-sandbox (the
# sanitizer run of scripts/test)
SANDBOX=()
[ "${USERNETD_SANDBOX:-1}" = 0 ] && SANDBOX=(--no-sandbox)

TMP=
QEMU_PID=
DAEMON_PID=
HTTP_PID=

# msg: progress on stderr, prefixed with the test's name
msg() { echo "qemu_guest: $*" >&2; }

# skip: exit 77 with a reason (only for a missing qemu or kernel)
skip() {
	msg "SKIP: $*"
	exit 77
}

# now: seconds since the epoch with decimals, for timings
now() { date +%s.%N; }

# elapsed START: seconds since START, one decimal
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

# stop_pid PID NAME: SIGTERM, wait up to 3 s, then SIGKILL; prints nothing
stop_pid() {
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || {
		wait "$pid" 2>/dev/null
		return 0
	}
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# cleanup: EXIT trap; kills QEMU and usernetd, removes the temporary directory
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	stop_pid "$QEMU_PID"
	QEMU_PID=
	stop_pid "$DAEMON_PID"
	DAEMON_PID=
	stop_pid "$HTTP_PID"
	HTTP_PID=
	if [ -n "$TMP" ]; then
		if [ "${QEMU_GUEST_KEEP:-0}" = 1 ]; then
			msg "logs kept in $TMP"
		else
			rm -rf "$TMP"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# dump_logs NAME: tail of the console, daemon and QEMU logs of one run
dump_logs() {
	local name=$1 f
	for f in "$TMP/$name.console" "$TMP/$name.usernetd.log" "$TMP/$name.qemu.err"; do
		[ -s "$f" ] || continue
		echo "----- tail of $(basename "$f") -----" >&2
		tail -n 60 "$f" | tr -d '\r' >&2
	done
	echo "-----" >&2
}

# fail NAME REASON: print the logs of run NAME and exit 1
fail() {
	msg "FAIL [$1]: $2"
	dump_logs "$1"
	exit 1
}

# --- find the kernel ------------------------------------------------------

# kernel_candidates: kernel versions, best first: the one linux-image-amd64
# depends on, then every /boot/vmlinuz-* newest first
kernel_candidates() {
	local dep
	# shellcheck disable=SC2020  # ',' and '|' both separate alternatives
	dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
		tr ',|' '\n\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n 1)
	[ -n "$dep" ] && echo "$dep"
	# shellcheck disable=SC2012  # kernel file names are plain
	ls /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -rV
}

# moddir_of VERSION: the modules directory of a kernel version, if any
moddir_of() {
	local d
	for d in "/usr/lib/modules/$1" "/lib/modules/$1"; do
		if [ -d "$d/kernel" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

KVER=
KERNEL=
MODDIR=
for v in $(kernel_candidates); do
	[ -e "/boot/vmlinuz-$v" ] || continue
	d=$(moddir_of "$v") || continue
	KVER=$v
	KERNEL=/boot/vmlinuz-$v
	MODDIR=$d
	break
done
if [ -z "$KERNEL" ]; then
	if ls /boot/vmlinuz-* >/dev/null 2>&1; then
		msg "FAIL: kernels in /boot ($(echo /boot/vmlinuz-*)) but none has its modules under /usr/lib/modules"
		exit 1
	fi
	skip "no kernel /boot/vmlinuz-* (install linux-image-amd64)"
fi
if [ ! -r "$KERNEL" ]; then
	msg "FAIL: $KERNEL is not readable by $(id -un)"
	exit 1
fi
command -v "$QEMU" >/dev/null 2>&1 || skip "$QEMU not found (install qemu-system-x86)"

for tool in cpio gzip sha256sum; do
	command -v $tool >/dev/null 2>&1 || {
		msg "FAIL: $tool not found"
		exit 1
	}
done
BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then
		BUSYBOX=$b
		break
	fi
done
if [ -z "$BUSYBOX" ]; then
	# file(1) may be missing: accept a busybox that has no interpreter
	for b in /bin/busybox /usr/bin/busybox; do
		if [ -x "$b" ] && ! grep -aq 'ld-linux' "$b"; then
			BUSYBOX=$b
			break
		fi
	done
fi
[ -n "$BUSYBOX" ] || {
	msg "FAIL: no static busybox (install busybox-static)"
	exit 1
}

if [ "$NET" = usernetd ]; then
	DAEMON=$BUILD_DIR/usernetd
	[ -x "$DAEMON" ] || {
		msg "FAIL: $DAEMON not built"
		exit 1
	}
elif [ "$NET" != slirp ]; then
	msg "FAIL: QEMU_GUEST_NET must be usernetd or slirp, not '$NET'"
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/qemu-guest.XXXXXX") || exit 1

# --- build (or reuse) the initramfs ---------------------------------------

# module_file NAME: path of NAME.ko[.xz|.zst|.gz] under MODDIR; "builtin" if
# the kernel has it built in; fails if neither
module_file() {
	local f
	f=$(find "$MODDIR/kernel" \( -name "$1.ko" -o -name "$1.ko.xz" -o \
		-name "$1.ko.zst" -o -name "$1.ko.gz" \) -print 2>/dev/null | head -n 1)
	if [ -n "$f" ]; then
		echo "$f"
	elif grep -q "/$1\.ko" "$MODDIR/modules.builtin" 2>/dev/null; then
		echo builtin
	else
		return 1
	fi
}

MODFILES=
for m in $MODULES; do
	f=$(module_file "$m") || {
		msg "FAIL: module $m not found under $MODDIR"
		exit 1
	}
	MODFILES="$MODFILES $m=$f"
done

# The cache key covers everything that goes into the image.
KEY=$({
	echo "v1 $KVER $MODFILES"
	for mf in $MODFILES; do
		f=${mf#*=}
		[ "$f" = builtin ] || stat -c '%n %s %Y' "$f"
	done
	sha256sum "$BUSYBOX" "$GUEST_SRC/init" "$GUEST_SRC/udhcpc.script" "${BASH_SOURCE[0]}"
} | sha256sum | cut -c1-16)

CACHE=$BUILD_DIR/qemu-guest
if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
	CACHE=$TMP
fi
INITRD=$CACHE/initramfs-$KVER-$KEY.cpio.gz

# build_initramfs OUT: writes the gzip'd newc cpio image to OUT
build_initramfs() {
	local out=$1 root=$TMP/root mf m f
	rm -rf "$root"
	mkdir -p "$root"/bin "$root"/sbin "$root"/etc "$root"/lib/modules \
		"$root"/proc "$root"/sys "$root"/dev "$root"/tmp "$root"/run || return 1
	cp "$BUSYBOX" "$root/bin/busybox" || return 1
	ln -s busybox "$root/bin/sh"
	cp "$GUEST_SRC/init" "$root/init" || return 1
	cp "$GUEST_SRC/udhcpc.script" "$root/etc/udhcpc.script" || return 1
	chmod 0755 "$root/init" "$root/etc/udhcpc.script"
	: >"$root/etc/modules.list"
	for mf in $MODFILES; do
		m=${mf%%=*}
		f=${mf#*=}
		[ "$f" = builtin ] && continue
		case "$f" in
		*.ko.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$root/lib/modules/$m.ko" ;;
		*.ko.gz) gzip -dc "$f" >"$root/lib/modules/$m.ko" ;;
		*) cp "$f" "$root/lib/modules/$m.ko" ;;
		esac || {
			msg "cannot unpack $f"
			return 1
		}
		echo "$m" >>"$root/etc/modules.list"
	done
	(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp.$$" &&
		mv -f "$out.tmp.$$" "$out" && rm -rf "$root"
}

if [ -s "$INITRD" ]; then
	msg "guest: kernel $KERNEL, cached initramfs $INITRD"
else
	t0=$(now)
	rm -f "$CACHE"/initramfs-*.cpio.gz 2>/dev/null
	build_initramfs "$INITRD" || {
		rm -f "$INITRD.tmp.$$"
		msg "FAIL: cannot build the initramfs"
		exit 1
	}
	msg "guest: kernel $KERNEL, built initramfs $INITRD ($(stat -c %s "$INITRD") bytes) in $(elapsed "$t0")s"
fi

# --- the host's side of the IPv6 checks ----------------------------------

# A name the daemon answers from the test's lima.yaml, and a token the
# guest fetches from an HTTP server on the host's ::1 (port chosen by the
# kernel, read from the server's first line).
printf 'hostResolver:\n  hosts:\n    %s: %s\n' "$DNS_NAME" "$DNS_ADDR" \
	>"$TMP/lima.yaml"
mkdir -p "$TMP/www"
TOKEN=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
echo "$TOKEN" >"$TMP/www/token"
python3 -u -m http.server --bind ::1 --directory "$TMP/www" 0 \
	>"$TMP/http.log" 2>&1 </dev/null &
HTTP_PID=$!
HTTP_PORT=
for _ in $(seq 50); do
	HTTP_PORT=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$TMP/http.log")
	[ -n "$HTTP_PORT" ] && break
	kill -0 "$HTTP_PID" 2>/dev/null || break
	sleep 0.1
done
[ -n "$HTTP_PORT" ] || {
	msg "FAIL: no HTTP server on [::1] (no ::1 on this host?): $(cat "$TMP/http.log")"
	exit 1
}

# --- one run: daemon + guest ----------------------------------------------

# field LINE NAME: value of NAME=... in the result line
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# run_guest MTU: start usernetd (or use QEMU's slirp), boot the guest, check
# its result line; exits the script on failure
run_guest() {
	local mtu=$1 name sock netdev t0 line v dns1 expect_dhcpmtu
	local cmdline expect_dns6
	name=$NET-mtu$mtu
	cmdline="console=ttyS0 quiet panic=-1 usernetd.gw6=$GW6 usernetd.dns6=$DNS6"
	cmdline="$cmdline usernetd.http6=$HTTP_PORT"
	sock=$TMP/$name.sock
	t0=$(now)

	if [ "$NET" = usernetd ]; then
		"$DAEMON" "${SANDBOX[@]}" --listen-qemu "$sock" --mtu "$mtu" \
			--lima-yaml "$TMP/lima.yaml" -v \
			>"$TMP/$name.usernetd.log" 2>&1 </dev/null &
		DAEMON_PID=$!
		for _ in $(seq 100); do
			[ -S "$sock" ] && break
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			wait "$DAEMON_PID"
			v=$?
			DAEMON_PID=
			fail "$name" "usernetd exited with status $v before the guest started"
		fi
		[ -S "$sock" ] || fail "$name" "usernetd did not create $sock within 10 s"
		netdev="stream,id=n0,server=off,addr.type=unix,addr.path=$sock"
		expect_dhcpmtu=$mtu
		cmdline="$cmdline usernetd.name=$DNS_NAME"
		expect_dns6=$DNS_ADDR
	else
		[ "$mtu" = 1500 ] || fail "$name" "QEMU's slirp cannot give MTU $mtu"
		netdev="user,id=n0,net=192.168.5.0/24,dhcpstart=$EXPECT_IP"
		expect_dhcpmtu=none
		expect_dns6=skip
	fi

	"$QEMU" -nodefaults -accel tcg -m 256 -smp 1 \
		-display none -monitor none -serial "file:$TMP/$name.console" \
		-no-reboot \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "$cmdline" \
		-netdev "$netdev" \
		-device virtio-net-pci,netdev=n0,romfile= \
		</dev/null >"$TMP/$name.qemu.err" 2>&1 &
	QEMU_PID=$!

	# Wait for QEMU to end (the guest powers off), the time limit, or the
	# daemon to die.
	local deadline=$((SECONDS + TIMEOUT)) why=
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		if [ $SECONDS -ge $deadline ]; then
			why="guest did not finish within ${TIMEOUT}s"
			break
		fi
		if [ -n "$DAEMON_PID" ] && ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			why="usernetd died while the guest ran"
			break
		fi
		sleep 0.2
	done
	stop_pid "$QEMU_PID"
	QEMU_PID=
	[ -n "$why" ] && fail "$name" "$why"

	if [ -n "$DAEMON_PID" ]; then
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			wait "$DAEMON_PID"
			v=$?
			DAEMON_PID=
			fail "$name" "usernetd exited (status $v) during the run"
		fi
		local ts
		ts=$(now)
		kill -TERM "$DAEMON_PID"
		for _ in $(seq 50); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$DAEMON_PID" 2>/dev/null; then
			msg "warning [$name]: usernetd still running 5 s after SIGTERM; killing it"
			kill -KILL "$DAEMON_PID"
		else
			msg "[$name] usernetd exited $(elapsed "$ts")s after SIGTERM"
		fi
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=
	fi

	line=$(tr -d '\r' <"$TMP/$name.console" | grep -a '^USERNETD-TEST ' | tail -n 1)
	[ -n "$line" ] || fail "$name" "no USERNETD-TEST line on the console (QEMU exit after $(elapsed "$t0")s)"
	msg "[$name] guest: ${line#USERNETD-TEST }"

	local errs=
	v=$(field "$line" ip)
	[ "$v" = "$EXPECT_IP" ] || errs="$errs ip=$v(want $EXPECT_IP)"
	v=$(field "$line" router)
	[ "$v" = "$EXPECT_ROUTER" ] || errs="$errs router=$v(want $EXPECT_ROUTER)"
	v=$(field "$line" dns)
	dns1=${v%%,*}
	[ "$dns1" = "$EXPECT_DNS" ] || errs="$errs dns=$v(want $EXPECT_DNS first)"
	v=$(field "$line" dhcpmtu)
	[ "$v" = "$expect_dhcpmtu" ] || errs="$errs dhcpmtu=$v(want option 26 = $expect_dhcpmtu)"
	v=$(field "$line" mtu)
	[ "$v" = "$mtu" ] || errs="$errs mtu=$v(want $mtu on eth0)"
	v=$(field "$line" ping)
	[ "$v" = ok ] || errs="$errs ping=$v"
	if [ "$mtu" -gt 1500 ]; then
		v=$(field "$line" bigping)
		[ "$v" = ok ] || errs="$errs bigping=$v(ping -s $((mtu - 28)) to the router)"
	fi
	v=$(field "$line" ip6)
	case "$v" in
	fec0:*) ;;
	*) errs="$errs ip6=$v(want a SLAAC address in fec0::/64)" ;;
	esac
	v=$(field "$line" router6)
	[ "$v" = "$EXPECT_ROUTER6" ] || errs="$errs router6=$v(want $EXPECT_ROUTER6)"
	v=$(field "$line" mtu6)
	[ "$v" = "$mtu" ] || errs="$errs mtu6=$v(want $mtu)"
	v=$(field "$line" ping6)
	[ "$v" = ok ] || errs="$errs ping6=$v(to $GW6)"
	v=$(field "$line" dnsping6)
	[ "$v" = ok ] || errs="$errs dnsping6=$v(to $DNS6)"
	if [ "$mtu" -gt 1500 ]; then
		v=$(field "$line" bigping6)
		[ "$v" = ok ] || errs="$errs bigping6=$v(ping6 -s $((mtu - 48)) to $GW6)"
	fi
	v=$(field "$line" dns6)
	[ "$v" = "$expect_dns6" ] || errs="$errs dns6=$v(want $expect_dns6 for $DNS_NAME at $DNS6)"
	v=$(field "$line" http6)
	[ "$v" = "$TOKEN" ] || errs="$errs http6=$v(want $TOKEN from [::1]:$HTTP_PORT via [$GW6])"
	[ -z "$errs" ] || fail "$name" "wrong results:$errs"
	msg "[$name] PASS in $(elapsed "$t0")s"
}

t_all=$(now)
if [ "$NET" = slirp ]; then
	MTUS=1500
fi
for mtu in $MTUS; do
	run_guest "$mtu"
done
msg "PASS ($NET, MTU $MTUS) in $(elapsed "$t_all")s"
exit 0
