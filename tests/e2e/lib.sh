# shellcheck shell=bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/lib.sh - shared helpers of the end-to-end tests with network
# namespace guests: environment checks (skip with 77 when not root or
# without netns/TAP support), a cleanup registry (processes, namespaces,
# temporary directories) run on every exit path, a watchdog so no test can
# hang, free loopback ports, starting usernetd and the attach tool, DHCP
# through busybox udhcpc with our own event script, and small network
# probes (ping, TCP and UDP round trips).
#
# Usage in a test script:
#	. "$(dirname "$0")/lib.sh"
#	e2e_init NAME TIME_LIMIT_SECONDS "$@"	# $1 of the script = BUILD_DIR
#
# Exit status convention: 0 pass, 1 fail, 77 skip.
# Set E2E_KEEP=1 to keep the temporary directory for inspection, and
# USERNETD_SANDBOX=0 to run every daemon with --no-sandbox (SANDBOX_ARGS;
# by default the daemon confines itself).

set -u
set -o pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Addresses of the default slirp network (Lima's conventions).
GUEST_IP=192.168.5.15
GW_IP=192.168.5.2
DNS_IP=192.168.5.3

E2E_PIDS=()	# processes we started (host side and via ip netns exec)
E2E_NETNS=()	# namespaces we created
E2E_DIRS=()	# temporary directories we created
E2E_LOGS=()	# logs shown by fail()
E2E_PORTS=()	# ports handed out in this run
E2E_NAME=e2e
E2E_WATCHDOG=
E2E_ASAN=0	# 1: usernetd built with AddressSanitizer (e2e_init)

# --- messages and exits ---------------------------------------------------

# need_tools TOOL...: fail unless every TOOL is on the PATH.
need_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || fail "missing tool: $tool"
	done
}

# log MSG...: progress message with the time since the start of the test.
log() {
	printf '[%s %6.2fs] %s\n' "$E2E_NAME" \
		"$(awk -v s="$E2E_T0" -v n="$(date +%s.%N)" \
			'BEGIN { printf "%.2f", n - s }')" "$*"
}

# skip MSG: the environment cannot run this test (not root, no netns).
skip() {
	echo "SKIP: $E2E_NAME: $*" >&2
	exit 77
}

# fail MSG: report, show the tail of every registered log, exit 1.
fail() {
	local name file
	echo "FAIL: $E2E_NAME: $*" >&2
	for name in "${!E2E_LOGS[@]}"; do
		file=${E2E_LOGS[$name]}
		[ -s "$file" ] || continue
		echo "----- tail of $file -----" >&2
		tail -n 40 "$file" >&2
	done
	echo "----- end -----" >&2
	exit 1
}

# pass: every check of the script succeeded.
pass() {
	log "PASS"
	exit 0
}

# register_log FILE: show FILE's tail when a check fails.
register_log() {
	local f
	for f in "${E2E_LOGS[@]}"; do
		[ "$f" = "$1" ] && return 0
	done
	E2E_LOGS+=("$1")
}

# register_pid PID: terminate PID on exit.
register_pid() {
	E2E_PIDS+=("$1")
}

# reap PID: wait for our child PID (sets REAP_RC) and forget it, so that
# cleanup never signals a number the system may have given to another
# process since.
reap() {
	local pid=$1 i keep=()
	wait "$pid" 2>/dev/null
	REAP_RC=$?
	for i in "${E2E_PIDS[@]}"; do
		[ "$i" = "$pid" ] || keep+=("$i")
	done
	E2E_PIDS=("${keep[@]}")
	return 0
}

# pid_alive PID: true while PID runs (zombies count as dead).
pid_alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	# The state follows the command name, which may hold spaces: "(...) S".
	st=$(sed -n 's/.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null) ||
		return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# pid_dead PID: true once PID has exited.
pid_dead() {
	! pid_alive "$1"
}

# --- cleanup --------------------------------------------------------------

e2e_cleanup() {
	local rc=$? pid ns i pids

	trap - EXIT INT TERM HUP
	set +e
	if [ -n "$E2E_WATCHDOG" ]; then
		kill -TERM -- "-$E2E_WATCHDOG" 2>/dev/null
		wait "$E2E_WATCHDOG" 2>/dev/null
	fi
	# Polite first, in reverse order of start.
	for ((i = ${#E2E_PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${E2E_PIDS[$i]}" 2>/dev/null
	done
	for i in $(seq 20); do
		pids=
		for pid in "${E2E_PIDS[@]}"; do
			pid_alive "$pid" && pids="$pids $pid"
		done
		[ -z "$pids" ] && break
		sleep 0.05
	done
	for pid in "${E2E_PIDS[@]}"; do
		pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	done
	# Whatever still runs inside our namespaces is ours too.
	for ns in "${E2E_NETNS[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	done
	for pid in "${E2E_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for ns in "${E2E_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns" 2>/dev/null
	done
	for i in "${E2E_DIRS[@]}"; do
		if [ "${E2E_KEEP:-0}" = 1 ]; then
			echo "kept $i" >&2
		else
			rm -rf "$i"
		fi
	done
	exit "$rc"
}

e2e_on_signal() {
	echo "FAIL: $E2E_NAME: interrupted (signal or time limit)" >&2
	exit 1
}

# --- set-up ---------------------------------------------------------------

# e2e_init NAME LIMIT BUILD_DIR: checks the environment, creates TMP, arms
# the cleanup trap and a watchdog that ends the test after LIMIT seconds.
e2e_init() {
	E2E_NAME=$1
	local limit=$2 tool
	shift 2
	E2E_T0=$(date +%s.%N)

	# shellcheck disable=SC2015 # usage unless both hold: meant
	[ $# -ge 1 ] && [ -n "$1" ] || {
		echo "usage: $0 BUILD_DIR" >&2
		exit 1
	}
	BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) ||
		{ echo "FAIL: $E2E_NAME: no build directory $1" >&2; exit 1; }
	USERNETD=$BUILD_DIR/usernetd
	USERNETCTL=$BUILD_DIR/usernetctl
	# The daemon confines itself by default; USERNETD_SANDBOX=0 runs every
	# daemon with --no-sandbox (the sanitizer run of scripts/test).
	SANDBOX_ARGS=()
	[ "${USERNETD_SANDBOX:-1}" = 0 ] && SANDBOX_ARGS=(--no-sandbox)

	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TAP)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	command -v ip >/dev/null || skip "no iproute2"
	local probe="ue2e-probe-$$"
	ip netns add "$probe" 2>/dev/null || skip "cannot create netns"
	ip netns del "$probe"

	trap e2e_cleanup EXIT
	trap e2e_on_signal INT TERM HUP

	[ -x "$USERNETD" ] || fail "missing $USERNETD"
	[ -x "$USERNETCTL" ] || fail "missing $USERNETCTL"
	# E2E_ASAN=1: the daemon is built with AddressSanitizer (slower, more
	# memory, LeakSanitizer's scan at exit); asked once, not per use.
	E2E_ASAN=0
	grep -qa __asan_init "$USERNETD" && E2E_ASAN=1
	need_tools busybox curl socat python3 ping timeout sha256sum tcpdump \
		setsid awk

	TMP=$(mktemp -d "/tmp/ue2e-$E2E_NAME.XXXXXX") || fail "mktemp"
	E2E_DIRS+=("$TMP")
	chmod 755 "$TMP"
	# Our own DHCP event script, executable whatever git did to its mode.
	install -m 755 "$E2E_DIR/udhcpc.script" "$TMP/udhcpc.script" ||
		fail "cannot install udhcpc.script"

	# The watchdog: a process group of its own, so cleanup can end it.
	setsid bash -c "sleep $limit; echo 'time limit of $limit s reached' >&2; \
		kill -TERM $$" </dev/null &
	E2E_WATCHDOG=$!
	log "build dir $BUILD_DIR, tmp $TMP, limit ${limit}s"
}

# e2e_name TAG: a name unique to this run (namespaces).
e2e_name() {
	echo "ue2e-$$-$1"
}

# wait_for SECONDS DESCRIPTION CMD...: poll CMD every 50 ms until it
# succeeds; returns 1 (and says what it waited for) after SECONDS.
wait_for() {
	local secs=$1 desc=$2 end
	shift 2
	end=$(($(date +%s%N) + secs * 1000000000))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		if [ "$(date +%s%N)" -ge "$end" ]; then
			log "timed out after ${secs}s waiting for $desc"
			return 1
		fi
		sleep 0.05
	done
}

# shellcheck disable=SC2034 # FREE_PORT is for the scripts.
# free_port: set FREE_PORT to a port free for TCP and UDP on 127.0.0.1,
# below the ephemeral range and not handed out before in this run.
free_port() {
	local p q used
	for _ in $(seq 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		used=0
		for q in "${E2E_PORTS[@]}"; do
			[ "$q" = "$p" ] && used=1
		done
		[ $used = 1 ] && continue
		if python3 - "$p" <<'EOF' 2>/dev/null
import socket, sys
p = int(sys.argv[1])
for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, t)
    s.bind(("127.0.0.1", p))
    s.close()
EOF
		then
			E2E_PORTS+=("$p")
			FREE_PORT=$p
			return 0
		fi
	done
	fail "no free port found"
}

# --- namespaces, daemon, attach -------------------------------------------

# make_ns NAME: create a namespace (registered for cleanup), lo up.
make_ns() {
	ip netns add "$1" || fail "ip netns add $1"
	E2E_NETNS+=("$1")
	ip -n "$1" link set lo up || fail "lo up in $1"
}

# ns_has_link NS IFNAME
ns_has_link() {
	ip -n "$1" link show dev "$2" >/dev/null 2>&1
}

# ns_mtu NS IFNAME: print the MTU of a link.
ns_mtu() {
	ip -n "$1" -o link show dev "$2" 2>/dev/null |
		sed -n 's/.* mtu \([0-9]*\) .*/\1/p'
}

# start_daemon LOG ARGS...: run usernetd ARGS -v, stderr+stdout to LOG
# (and --no-sandbox with USERNETD_SANDBOX=0). Sets DAEMON_PID. Waits for the
# --listen-qemu socket when one is given.
start_daemon() {
	local logf=$1 sock='' prev='' a
	shift
	for a in "$@"; do
		[ "$prev" = --listen-qemu ] && sock=$a
		prev=$a
	done
	register_log "$logf"
	log "usernetd $* -v"
	"$USERNETD" "${SANDBOX_ARGS[@]}" "$@" -v >"$logf" 2>&1 </dev/null &
	DAEMON_PID=$!
	register_pid "$DAEMON_PID"
	if [ -n "$sock" ]; then
		wait_for 5 "usernetd socket $sock" test -S "$sock" ||
			fail "usernetd did not create $sock"
	fi
	pid_alive "$DAEMON_PID" || fail "usernetd exited at start"
}

# daemon_alive PID: fail unless the daemon still runs.
daemon_alive() {
	pid_alive "$1" || fail "usernetd (pid $1) died"
}

# attach NS SOCK [ATTACH-ARGS...]: run the attach tool in NS with TAP tap0
# (log in $TMP/attach-NS.log). Sets ATTACH_PID; waits for tap0.
attach() {
	local ns=$1 sock=$2 logf="$TMP/attach-$1.log"
	shift 2
	register_log "$logf"
	ip netns exec "$ns" "$USERNETCTL" attach "$@" --tap tap0 "$sock" \
		>"$logf" 2>&1 </dev/null &
	ATTACH_PID=$!
	register_pid "$ATTACH_PID"
	wait_for 5 "tap0 in $ns" ns_has_link "$ns" tap0 ||
		fail "usernetctl attach did not create tap0 in $ns"
	pid_alive "$ATTACH_PID" || fail "usernetctl attach exited early in $ns"
}

# dhcp NS IFNAME OUT [UDHCPC-ARGS...]: run busybox udhcpc with our script;
# OUT receives the lease as key=value lines. Returns udhcpc's status.
# udhcpc does not ask for option 26 unless given "-O mtu".
dhcp() {
	local ns=$1 ifname=$2 out=$3 rc
	shift 3
	rm -f "$out"
	UDHCPC_OUT=$out timeout 20 ip netns exec "$ns" \
		busybox udhcpc -i "$ifname" -n -q -t 5 -T 1 "$@" \
		-s "$TMP/udhcpc.script" >"$out.log" 2>&1 </dev/null
	rc=$?
	register_log "$out.log"
	return $rc
}

# lease_get FILE KEY: print one value of a lease file.
lease_get() {
	sed -n "s/^$2=//p" "$1" | head -n 1
}

# check_lease NS OUT MTU: the lease of the slirp network and its effect on
# tap0 (address, route, MTU).
check_lease() {
	local ns=$1 out=$2 mtu=$3 v
	[ -s "$out" ] || fail "no lease written by udhcpc in $ns"
	log "lease in $ns: $(tr '\n' ' ' <"$out")"
	[ "$(lease_get "$out" event)" = bound ] || fail "lease event is not bound"
	v=$(lease_get "$out" ip)
	[ "$v" = "$GUEST_IP" ] || fail "$ns: DHCP address '$v', want $GUEST_IP"
	v=$(lease_get "$out" mask)
	[ "$v" = 24 ] || fail "$ns: DHCP mask '/$v', want /24"
	v=$(lease_get "$out" subnet)
	[ "$v" = 255.255.255.0 ] || fail "$ns: DHCP subnet '$v', want 255.255.255.0"
	v=$(lease_get "$out" router)
	[ "$v" = "$GW_IP" ] || fail "$ns: DHCP router '$v', want $GW_IP"
	v=$(lease_get "$out" dns)
	[ "$v" = "$DNS_IP" ] || fail "$ns: DHCP DNS '$v', want $DNS_IP"
	v=$(lease_get "$out" serverid)
	[ -n "$v" ] || fail "$ns: DHCP lease has no server identifier"
	v=$(lease_get "$out" mtu)
	[ "$v" = "$mtu" ] || fail "$ns: DHCP MTU (option 26) '$v', want $mtu"
	v=$(lease_get "$out" lease)
	# shellcheck disable=SC2015 # fail unless both hold: meant
	[ -n "$v" ] && [ "$v" -gt 0 ] 2>/dev/null ||
		fail "$ns: DHCP lease time '$v' missing or zero"
	ip -n "$ns" -4 -o addr show dev tap0 | grep -q " $GUEST_IP/24 " ||
		fail "$ns: tap0 lacks $GUEST_IP/24: $(ip -n "$ns" -4 -o addr show dev tap0)"
	ip -n "$ns" -4 route show default | grep -q "via $GW_IP dev tap0" ||
		fail "$ns: no default route via $GW_IP"
	v=$(ns_mtu "$ns" tap0)
	[ "$v" = "$mtu" ] || fail "$ns: tap0 MTU $v, want $mtu"
}

# ns_ping NS ADDR COUNT [PING-ARGS...]: COUNT echoes must be answered
# within COUNT + 3 seconds. (With -w, ping sends until it has COUNT
# answers: a loaded machine's late answer is not counted as lost, as it
# would be with -c and -W alone.)
ns_ping() {
	local ns=$1 addr=$2 count=$3 out
	shift 3
	out=$(timeout $((count + 6)) ip netns exec "$ns" \
		ping -n -c "$count" -i 0.2 -w $((count + 3)) "$@" "$addr" 2>&1)
	if ! grep -q " $count received" <<<"$out"; then
		echo "$out" | tail -n 3 >&2
		return 1
	fi
}

# ns_capture NS PCAP [TCPDUMP-ARGS...]: tcpdump on NS's tap0 writes PCAP
# packet by packet (-U) until ns_capture_stop; TCPDUMP-ARGS are further
# options and the filter. Waits until it listens (a capture started after
# the traffic it is for proves nothing). Sets TCPDUMP (its pid); its
# output, with the counts it prints at exit, is in PCAP.log.
ns_capture() {
	local ns=$1 pcap=$2
	shift 2
	register_log "$pcap.log"
	ip netns exec "$ns" tcpdump -Z root -i tap0 -nn -U -w "$pcap" "$@" \
		>"$pcap.log" 2>&1 </dev/null &
	TCPDUMP=$!
	register_pid "$TCPDUMP"
	wait_for 10 "tcpdump to listen in $ns" grep -q 'listening on' \
		"$pcap.log" || fail "tcpdump did not start in $ns"
}

# ns_capture_stop: end ns_capture's tcpdump; PCAP is complete on return.
ns_capture_stop() {
	kill -INT "$TCPDUMP" 2>/dev/null
	wait_for 5 "tcpdump to exit" pid_dead "$TCPDUMP" ||
		fail "tcpdump did not stop"
	reap "$TCPDUMP"
}

# --- host-side servers and probes -----------------------------------------

# start_http DIR PORT: python's http.server on 127.0.0.1:PORT. Sets HTTP_PID.
start_http() {
	local dir=$1 port=$2
	register_log "$TMP/http-$port.log"
	python3 -m http.server --bind 127.0.0.1 --directory "$dir" "$port" \
		>"$TMP/http-$port.log" 2>&1 </dev/null &
	HTTP_PID=$!
	register_pid "$HTTP_PID"
	wait_for 10 "HTTP server on 127.0.0.1:$port" \
		curl -sf --noproxy '*' -o /dev/null --max-time 1 \
		"http://127.0.0.1:$port/" || fail "HTTP server did not start"
}

# make_blob FILE KIB: random content, prints nothing.
make_blob() {
	head -c "$(($2 * 1024))" /dev/urandom >"$1" || fail "cannot write $1"
}

# ns_curl_check NS URL FILE: fetch URL in NS and compare with FILE.
ns_curl_check() {
	local ns=$1 url=$2 want=$3 got="$TMP/curl-$1.out" a b
	rm -f "$got"
	timeout 25 ip netns exec "$ns" curl -sS --noproxy '*' \
		--connect-timeout 5 --max-time 20 -o "$got" "$url" ||
		fail "$ns: curl $url failed"
	a=$(sha256sum <"$want" | cut -d' ' -f1)
	b=$(sha256sum <"$got" | cut -d' ' -f1)
	[ "$a" = "$b" ] ||
		fail "$ns: $url: sha256 $b ($(stat -c %s "$got") bytes), want $a"
}

# The UDP echo server and client are a few lines of python: each request
# is retried (UDP may lose the first datagram while ARP resolves) and the
# client returns on the first answer.
UDP_ECHO_PY='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    d, a = s.recvfrom(65535)
    s.sendto(d, a)
'
UDP_RR_PY='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
msg = sys.argv[3].encode()
for attempt in range(5):
    s.sendto(msg, (sys.argv[1], int(sys.argv[2])))
    try:
        d, a = s.recvfrom(65535)
    except socket.timeout:
        continue
    sys.stdout.write(d.decode(errors="replace"))
    sys.exit(0)
sys.exit(1)
'

# start_udp_echo [NS|-] ADDR PORT: UDP echo server on the host (-) or in NS.
start_udp_echo() {
	local ns=$1 addr=$2 port=$3 logf="$TMP/udpecho-$1-$3.log"
	register_log "$logf"
	if [ "$ns" = - ]; then
		python3 -c "$UDP_ECHO_PY" "$addr" "$port" >"$logf" 2>&1 </dev/null &
	else
		ip netns exec "$ns" python3 -c "$UDP_ECHO_PY" "$addr" "$port" \
			>"$logf" 2>&1 </dev/null &
	fi
	register_pid $!
	if [ "$ns" = - ]; then
		wait_for 5 "UDP echo on $addr:$port" \
			sh -c "ss -Hlun 'sport = :$port' | grep -q ."
	else
		wait_for 5 "UDP echo on $ns $addr:$port" \
			sh -c "ip netns exec $ns ss -Hlun 'sport = :$port' | grep -q ."
	fi || fail "UDP echo server did not start"
}

# udp_rr [NS|-] HOST PORT MSG: print the answer to one UDP request.
udp_rr() {
	local ns=$1
	shift
	if [ "$ns" = - ]; then
		timeout 10 python3 -c "$UDP_RR_PY" "$@"
	else
		timeout 10 ip netns exec "$ns" python3 -c "$UDP_RR_PY" "$@"
	fi
}

# start_tcp_echo NS PORT: TCP echo server (socat) inside NS.
start_tcp_echo() {
	local ns=$1 port=$2 logf="$TMP/tcpecho-$1-$2.log"
	register_log "$logf"
	ip netns exec "$ns" socat TCP4-LISTEN:"$port",reuseaddr,fork EXEC:cat \
		>"$logf" 2>&1 </dev/null &
	register_pid $!
	wait_for 5 "TCP echo on $ns:$port" \
		sh -c "ip netns exec $ns ss -Hltn 'sport = :$port' | grep -q ." ||
		fail "TCP echo server did not start in $ns"
}

# tcp_rr HOST PORT MSG: one TCP round trip from the host, prints the answer.
tcp_rr() {
	printf '%s\n' "$3" | timeout 10 socat -t 5 - TCP4:"$1":"$2",connect-timeout=5
}

# stop_daemon PID SOCK PIDFILE: SIGTERM; the daemon must exit by itself
# within one second with status 0 and remove its socket and pidfile. An
# AddressSanitizer build gets three: LeakSanitizer scans all its memory at
# exit, and after heavy traffic (tcp_flow) that alone took over a second.
stop_daemon() {
	local pid=$1 sock=$2 pidfile=$3 t0 t1 ms rc limit=1000
	[ "$E2E_ASAN" = 1 ] && limit=3000
	t0=$(date +%s%N)
	kill -TERM "$pid" || fail "cannot signal usernetd"
	while pid_alive "$pid"; do
		[ $(($(date +%s%N) - t0)) -gt $(((limit + 1000) * 1000000)) ] &&
			break
		sleep 0.02
	done
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	pid_alive "$pid" && fail "usernetd still runs ${ms} ms after SIGTERM"
	reap "$pid"
	rc=$REAP_RC
	log "usernetd exited ${ms} ms after SIGTERM, status $rc"
	[ "$ms" -le "$limit" ] ||
		fail "usernetd took ${ms} ms to exit after SIGTERM (limit $limit)"
	[ "$rc" = 0 ] || fail "usernetd exit status $rc after SIGTERM, want 0"
	[ -e "$sock" ] && fail "usernetd left its socket $sock"
	[ -n "$pidfile" ] && [ -e "$pidfile" ] &&
		fail "usernetd left its pidfile $pidfile"
	return 0
}

# FIFO_READER_PY FIFO OUT: read FIFO until killed, keeping the number of
# bytes read so far in OUT (created empty once the FIFO is open: opened
# with O_NONBLOCK, so that it need not wait for the writer).
FIFO_READER_PY='
import os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
open(sys.argv[2], "w").close()
n = 0
while True:
    select.select([fd], [], [], 0.1)
    try:
        b = os.read(fd, 65536)
    except BlockingIOError:
        continue
    if not b:
        select.select([], [], [], 0.05)
        continue
    n += len(b)
    with open(sys.argv[2], "w") as f:
        f.write(str(n))
'

# start_fifo_reader OUT FIFO [AS...]: a FIFO reader (run by AS..., e.g.
# nobody), started before the daemon opens the FIFO (capture.sh,
# capture_owner.sh); it counts what it reads and goes away on SIGTERM.
# Sets READER.
start_fifo_reader() {
	local out=$1 fifo=$2
	shift 2
	# /usr/bin/python3: nobody may not reach another python3 on the PATH.
	"$@" /usr/bin/python3 -c "$FIFO_READER_PY" "$fifo" "$out" \
		2>"$out.err" </dev/null &
	READER=$!
	register_pid "$READER"
	register_log "$out.err"
	wait_for 5 "the FIFO reader" test -e "$out" ||
		fail "the FIFO reader of $fifo did not start"
}

# --- DNS: a private upstream, the daemon with its own resolv.conf, dig ----
#
# The DNS tests run the daemon and its upstream dnsmasq in a namespace that
# stands for the host (created with make_ns, so its loopback is private and
# 127.0.0.77:53 cannot collide with anything else on the machine). The
# daemon sees a private resolv.conf bind-mounted over /etc/resolv.conf
# (getaddrinfo reads that path) and also names it with --resolv-conf (the
# file c-ares uses and the daemon watches). Rewrite that file in place
# (`cat new >FILE`, not mv) and both see the change.

# start_daemon_ns HOSTNS RESOLV LOG ARGS...: like start_daemon, but usernetd
# runs in network namespace HOSTNS, in a mount namespace of its own where
# RESOLV is bind-mounted over /etc/resolv.conf. Sets DAEMON_PID (the pid of
# usernetd itself: ip netns exec, unshare and sh all exec).
start_daemon_ns() {
	local ns=$1 resolv=$2 logf=$3 sock='' prev='' a
	shift 3
	for a in "$@"; do
		[ "$prev" = --listen-qemu ] && sock=$a
		prev=$a
	done
	register_log "$logf"
	log "usernetd $* -v (in netns $ns, /etc/resolv.conf = $resolv)"
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$ns" unshare -m sh -c \
		'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		"$resolv" "$USERNETD" "${SANDBOX_ARGS[@]}" "$@" -v >"$logf" 2>&1 \
		</dev/null &
	DAEMON_PID=$!
	register_pid "$DAEMON_PID"
	if [ -n "$sock" ]; then
		wait_for 5 "usernetd socket $sock" test -S "$sock" ||
			fail "usernetd did not create $sock"
	fi
	pid_alive "$DAEMON_PID" || fail "usernetd exited at start"
}

# daemon_dns_port LOG PROTO: print the host port the daemon reported for
# --dns-udp/--dns-tcp ("dns: listening on PROTO ADDR:PORT"); waits up to 3 s.
daemon_dns_port() {
	local logf=$1 proto=$2 p
	wait_for 3 "dns $proto port in $logf" \
		grep -q "dns: listening on $proto [0-9.]*:[0-9]" "$logf" ||
		return 1
	p=$(sed -n "s/.*dns: listening on $proto [0-9.]*:\([0-9]*\).*/\1/p" \
		"$logf" | head -n 1)
	[ -n "$p" ] && echo "$p"
}

# start_dnsmasq NS ADDR TAG ARGS...: an authoritative-only dnsmasq on
# ADDR:53 in NS (no upstream, no /etc/hosts, no config file, no pid file),
# log in $TMP/dnsmasq-TAG.log. Sets DNSMASQ_PID.
start_dnsmasq() {
	local ns=$1 addr=$2 tag=$3 logf="$TMP/dnsmasq-$3.log"
	shift 3
	register_log "$logf"
	ip netns exec "$ns" dnsmasq -k --conf-file=/dev/null --pid-file= \
		--user=root --no-resolv --no-hosts --log-facility=- \
		--listen-address="$addr" --bind-interfaces --port=53 "$@" \
		>"$logf" 2>&1 </dev/null &
	DNSMASQ_PID=$!
	register_pid "$DNSMASQ_PID"
	wait_for 5 "dnsmasq on $ns $addr:53" sh -c \
		"ip netns exec $ns ss -Hlun 'src $addr:53' | grep -q ." ||
		fail "dnsmasq did not start on $addr (see $logf)"
}

# The records of the DNS tests' upstream: zone example.test, local to
# dnsmasq (unknown names are NXDOMAIN), TTL 300 for everything it answers,
# a TXT record of about 800 bytes (more than 512).
DNS_ZONE=example.test
DNS_BIG_TXT=big.$DNS_ZONE

# start_dns_upstream NS ADDR TAG: dnsmasq on ADDR with the test zone:
#   web A 10.0.0.80; other A 10.0.0.81; six A 10.0.0.82 AAAA fd00::82;
#   override A 10.0.0.83; example.test MX 10 mail; txt TXT "hello world";
#   big TXT 4 strings of 200 bytes; _http._tcp SRV 10 5 80 web;
#   10.0.0.80 PTR web. Sets DNSMASQ_PID.
start_dns_upstream() {
	local ns=$1 addr=$2 tag=$3 hosts="$TMP/hosts-$3" big=
	local z=$DNS_ZONE c
	cat >"$hosts" <<EOF || fail "cannot write $hosts"
10.0.0.80 web.$z
10.0.0.81 other.$z
10.0.0.82 six.$z
fd00::82 six.$z
10.0.0.83 override.$z
EOF
	for c in a b c d; do
		big="$big,$(printf "%0200d" 0 | tr 0 "$c")"
	done
	start_dnsmasq "$ns" "$addr" "$tag" --log-queries \
		--addn-hosts="$hosts" --local="/$z/" --local-ttl=300 \
		--mx-host="$z,mail.$z,10" \
		--txt-record="txt.$z,hello world" \
		--txt-record="$DNS_BIG_TXT$big" \
		--srv-host="_http._tcp.$z,web.$z,80,10,5" \
		--ptr-record="80.0.0.10.in-addr.arpa,web.$z"
}

# shellcheck disable=SC2034 # DQ_* are for the scripts.
# dns_query NS SERVER PROTO NAME TYPE [DIG-ARGS...]: one dig run in NS
# (PROTO udp or tcp; SERVER may be ADDR or ADDR#PORT). Sets
#   DQ_OUT     dig's output (+noall +comments +answer)
#   DQ_STATUS  rcode (NOERROR, NXDOMAIN, SERVFAIL, ...), empty if no answer
#   DQ_FLAGS   header flags ("qr aa rd ra", "qr tc rd ra", ...)
#   DQ_RRS     answer records, one a line, "name TYPE data" (TTL and class
#              dropped, names lower-cased; TXT data kept as is)
#   DQ_TTLS    their TTLs, one a line
#   DQ_RAW     answer records as dig prints them (with TTL)
#   DQ_SIZE    "MSG SIZE rcvd" of the answer
# Returns dig's status (0: got an answer, 9: none).
dns_query() {
	local ns=$1 srv=$2 proto=$3 name=$4 type=$5 p=+notcp port=53 rc
	shift 5
	[ "$proto" = tcp ] && p=+tcp
	case $srv in
	*#*)
		port=${srv#*#}
		srv=${srv%%#*}
		;;
	esac
	DQ_OUT=$(timeout 20 ip netns exec "$ns" dig "@$srv" -p "$port" $p \
		+tries=2 +time=3 +noall +comments +answer +stats "$@" \
		"$name" "$type" 2>&1)
	rc=$?
	DQ_STATUS=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$DQ_OUT" |
		tail -n 1)
	DQ_FLAGS=$(sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' <<<"$DQ_OUT" |
		tail -n 1)
	DQ_SIZE=$(sed -n 's/.*MSG SIZE *rcvd: \([0-9]*\).*/\1/p' <<<"$DQ_OUT" |
		tail -n 1)
	DQ_RAW=$(grep -v '^;' <<<"$DQ_OUT" | grep -v '^[[:space:]]*$')
	DQ_TTLS=$(awk 'NF >= 4 { print $2 }' <<<"$DQ_RAW")
	DQ_RRS=$(awk 'NF >= 4 {
		s = tolower($1) " " $4
		for (i = 5; i <= NF; i++)
			s = s " " ($4 == "TXT" ? $i : tolower($i))
		print s
	}' <<<"$DQ_RAW")
	return $rc
}

# dq_has_flag FLAG: true if the last dns_query's header has FLAG (tc, aa).
dq_has_flag() {
	case " $DQ_FLAGS " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# --- user-v2: several guests on one switch --------------------------------
#
# Helpers of the user-v2 tests (userv2*.sh): guest-to-guest probes from one
# namespace to another, the neighbour table, the lease file.

# ns_tcp_rr NS HOST PORT MSG: one TCP round trip from inside NS, prints
# the answer.
ns_tcp_rr() {
	local ns=$1
	printf '%s\n' "$4" | timeout 10 ip netns exec "$ns" \
		socat -t 5 - TCP4:"$2":"$3",connect-timeout=5
}

# ns_transfer_check FROM TO ADDR PORT FILE: send FILE over TCP from a
# namespace FROM to a receiver started in namespace TO on ADDR:PORT
# (socat); fails unless the receiver got every byte (sha256 compared).
ns_transfer_check() {
	local from=$1 to=$2 addr=$3 port=$4 file=$5 got rpid a b
	got="$TMP/xfer-$to-$port.out"
	rm -f "$got"
	register_log "$got.log"
	timeout 30 ip netns exec "$to" socat -u \
		TCP4-LISTEN:"$port",bind="$addr",reuseaddr OPEN:"$got",creat,trunc \
		>"$got.log" 2>&1 </dev/null &
	rpid=$!
	register_pid "$rpid"
	wait_for 5 "receiver on $to $addr:$port" sh -c \
		"ip netns exec $to ss -Hltn 'sport = :$port' | grep -q ." ||
		fail "receiver did not start in $to"
	timeout 25 ip netns exec "$from" socat -u OPEN:"$file" \
		TCP4:"$addr":"$port",connect-timeout=5 >>"$got.log" 2>&1 ||
		fail "$from -> $to $addr:$port: sender failed"
	wait_for 10 "receiver on $to to finish" pid_dead "$rpid" ||
		fail "$from -> $to: receiver still runs after the sender ended"
	reap "$rpid"
	a=$(sha256sum <"$file" | cut -d' ' -f1)
	b=$(sha256sum <"$got" | cut -d' ' -f1)
	[ "$a" = "$b" ] || fail "$from -> $to $addr:$port: sha256 $b" \
		"($(stat -c %s "$got") bytes), want $a ($(stat -c %s "$file"))"
	rm -f "$got"
}

# ns_link_mac NS IFNAME: print the MAC address of a link.
ns_link_mac() {
	ip -n "$1" -o link show dev "$2" 2>/dev/null |
		sed -n 's/.* link\/ether \([0-9a-f:]*\) .*/\1/p'
}

# ns_neigh_mac NS ADDR: print the link-layer address NS's neighbour table
# holds for ADDR (empty if none or incomplete).
ns_neigh_mac() {
	ip -n "$1" neigh show to "$2" 2>/dev/null |
		sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p' | head -n 1
}

# leases_json_mac FILE IP: print the MAC that a lease file in Lima's
# leases.json format ({"ip":"mac",...}) gives IP (empty if none).
leases_json_mac() {
	python3 - "$1" "$2" <<'PYEOF' 2>/dev/null
import json, sys
d = json.load(open(sys.argv[1]))
v = d.get(sys.argv[2])
if isinstance(v, str):
    print(v.lower())
PYEOF
}

# leases_json_count FILE: print the number of leases in a leases.json.
leases_json_count() {
	python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' \
		"$1" 2>/dev/null
}

# --- other VM transports (Lima's VZ fd passing, vfkit, bess) --------------

# attach_via NS MODE PATH [ATTACH-ARGS...]: like attach, through another
# transport of `usernetctl attach`: MODE is fd-socket (a datagram socket
# passed as Lima's VZ driver does), vfkit (datagrams from a bound socket)
# or bess (seqpacket). Sets ATTACH_PID; waits for tap0.
attach_via() {
	local ns=$1 mode=$2 path=$3 logf="$TMP/attach-$1.log"
	shift 3
	register_log "$logf"
	ip netns exec "$ns" "$USERNETCTL" attach "$@" --tap tap0 \
		"--$mode" "$path" >"$logf" 2>&1 </dev/null &
	ATTACH_PID=$!
	register_pid "$ATTACH_PID"
	wait_for 5 "tap0 in $ns" ns_has_link "$ns" tap0 ||
		fail "usernetctl attach --$mode did not create tap0 in $ns"
	pid_alive "$ATTACH_PID" || fail "usernetctl attach exited early in $ns"
}

# proc_cpu_ticks PID: print the CPU time PID used so far (user + system),
# in clock ticks (getconf CLK_TCK a second).
proc_cpu_ticks() {
	# Fields after the command name: state is $1, utime $12, stime $13.
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# --- control API (-e ENDPOINT) ----------------------------------------------
#
# Helpers of the API tests (api.sh, lima_flow.sh): requests with curl over
# the unix socket, as Lima's hostagent makes them (base URL http://lima).

# shellcheck disable=SC2034 # API_* are for the scripts.
# api_call EP METHOD PATH [BODY]: one request. Sets API_CODE (HTTP status,
# 000 when the daemon could not be reached) and API_BODY.
api_call() {
	local ep=$1 method=$2 path=$3 out
	shift 3
	# A body over 1 KiB goes with "Expect: 100-continue": curl waits for
	# the daemon's answer (up to 20 s here, not curl's 1 s) before sending
	# it, so a refusal such as 413 is read, not lost in a broken pipe.
	out=$(timeout 30 curl -sS --unix-socket "$ep" -X "$method" \
		--expect100-timeout 20 \
		-w '\n%{http_code}' ${1+--data-binary "$1"} \
		"http://lima$path" 2>&1)
	API_CODE=${out##*$'\n'}
	API_BODY=${out%$'\n'*}
	[ "$API_BODY" = "$out" ] && API_BODY=
	return 0
}

# api_expect EP METHOD PATH CODE [BODY]: api_call, failing unless the
# status is CODE; non-2xx answers must carry a JSON {"error":"..."}.
api_expect() {
	local ep=$1 method=$2 path=$3 code=$4
	shift 4
	api_call "$ep" "$method" "$path" "$@"
	[ "$API_CODE" = "$code" ] ||
		fail "$method $path: HTTP $API_CODE ($API_BODY), want $code"
	case $code in
	2*) ;;
	*)
		json_eval 'isinstance(j["error"], str) and len(j["error"]) > 0' \
			<<<"$API_BODY" | grep -qx True ||
			fail "$method $path: HTTP $code without a JSON error: $API_BODY"
		;;
	esac
}

# json_eval EXPR: evaluate a python expression over the JSON on stdin (as
# j) and print the result; prints nothing if stdin is not JSON.
json_eval() {
	python3 -c '
import json, sys
try:
    j = json.loads(sys.stdin.read())
except ValueError:
    sys.exit(1)
print(eval(sys.argv[1]))
' "$1" 2>/dev/null
}

# api_lease_ip EP MAC: print the address the leases endpoint gives MAC.
api_lease_ip() {
	api_call "$1" GET /services/dhcp/leases
	[ "$API_CODE" = 200 ] || return 1
	json_eval "[k for k, v in j.items() if v.lower() == '$2'.lower()][0]" \
		<<<"$API_BODY"
}

# api_wait_lease_ip EP MAC: Lima's hostagent's poll of the leases, every
# 500 ms, for its VM's MAC (Lima gives up after 2 minutes; we after 15 s);
# prints the address.
api_wait_lease_ip() {
	local ip
	for _ in $(seq 30); do
		ip=$(api_lease_ip "$1" "$2") && [ -n "$ip" ] && {
			echo "$ip"
			return 0
		}
		sleep 0.5
	done
	return 1
}

# --- DNS answers compared (dns.sh, dns_config.sh) ----------------------------
# They use HNS (the host namespace), UP1 or UPSTREAM (the upstream dnsmasq),
# dns_query's DQ_* results, and Q_WHAT (what the last query was, for
# messages).

# direct NAME TYPE [DIG-ARGS...]: ask the current upstream directly;
# sets WANT_RAW and WANT_STATUS.
direct() {
	dns_query "$HNS" "${UPSTREAM:-$UP1}" udp "$@" ||
		fail "dnsmasq did not answer $1 $2: $DQ_OUT"
	WANT_RAW=$DQ_RAW
	WANT_STATUS=$DQ_STATUS
}

# want_status RCODE
want_status() {
	[ "$DQ_STATUS" = "$1" ] ||
		fail "$Q_WHAT: status '$DQ_STATUS', want $1; got:"$'\n'"$DQ_OUT"
}

# want_rrs LINE...: NOERROR and exactly these records ("name TYPE data",
# in any order; no LINE at all means an empty answer).
want_rrs() {
	local want got
	want_status NOERROR
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(sed '/^$/d' <<<"$DQ_RRS" | sort)
	[ "$got" = "$want" ] ||
		fail "$Q_WHAT: answer"$'\n'"$got"$'\n'"want"$'\n'"$want"
}

# want_ttl_max N: every answer record has TTL <= N.
want_ttl_max() {
	local t
	for t in $DQ_TTLS; do
		[ "$t" -le "$1" ] ||
			fail "$Q_WHAT: TTL $t > $1 (want the native cache's):"$'\n'"$DQ_RAW"
	done
}

# want_direct: same status and same answer section (TTLs too) as the
# upstream's own answer (set by direct).
want_direct() {
	want_status "$WANT_STATUS"
	[ "$DQ_RAW" = "$WANT_RAW" ] ||
		fail "$Q_WHAT: answer"$'\n'"$DQ_RAW"$'\n'"differs from dnsmasq's"$'\n'"$WANT_RAW"
}

# --- sanitizers -----------------------------------------------------------

# sanitizer_check LOG: fail if a sanitizer reported anything in a daemon's
# LOG (LeakSanitizer runs when an ASan build exits; see stop_daemon).
sanitizer_check() {
	local what
	what=$(grep -E -m 3 'LeakSanitizer|ERROR: AddressSanitizer|runtime error:' \
		"$1") || return 0
	fail "sanitizer report in $1: $what"
}

# --- the TCP path (tcp_bulk.sh, tcp_edges.sh, tcp_flow.sh) -----------------
#
# Both ends of a connection are tcp_peer.py (its header says what it sends
# and reports); these helpers start it on the host or in a namespace, wait
# for it, and compare what the two ends report.

TCP_PEER=$E2E_DIR/tcp_peer.py
# The system's python3 when there is one: a version manager's shim on the
# PATH (pyenv) costs seconds a start on a loaded machine, and the tests
# start two peers a case.
TCP_PYTHON=python3
[ -x /usr/bin/python3 ] && TCP_PYTHON=/usr/bin/python3

# shellcheck disable=SC2034 # PEER_* are for the scripts.
# tcp_peer_start NS|- TAG ARGS...: tcp_peer.py ARGS on the host (-) or in
# NS, its report in $TMP/peer-TAG.report (PEER_REPORT), its output in
# $TMP/peer-TAG.log; with --listen, returns once it listens. Sets PEER_PID.
tcp_peer_start() {
	local ns=$1 tag=$2 logf="$TMP/peer-$2.log" ready="$TMP/peer-$2.ready"
	shift 2
	PEER_REPORT=$TMP/peer-$tag.report
	rm -f "$PEER_REPORT" "$ready"
	register_log "$logf"
	if [ "$ns" = - ]; then
		"$TCP_PYTHON" "$TCP_PEER" --report "$PEER_REPORT" --ready "$ready" "$@" \
			>"$logf" 2>&1 </dev/null &
	else
		ip netns exec "$ns" "$TCP_PYTHON" "$TCP_PEER" --report "$PEER_REPORT" \
			--ready "$ready" "$@" >"$logf" 2>&1 </dev/null &
	fi
	PEER_PID=$!
	register_pid "$PEER_PID"
	case " $* " in
	*" --listen "*)
		wait_for 30 "tcp_peer $tag to listen" test -e "$ready" ||
			fail "tcp_peer $tag did not start listening"
		;;
	esac
	return 0
}

# tcp_peer_wait PID SECS TAG: wait up to SECS for the peer TAG to finish;
# fails if it still runs or exited with an error or no report.
tcp_peer_wait() {
	local pid=$1 secs=$2 tag=$3
	wait_for "$secs" "tcp_peer $tag to finish" pid_dead "$pid" ||
		fail "tcp_peer $tag still runs after ${secs}s"
	reap "$pid"
	[ "$REAP_RC" = 0 ] || fail "tcp_peer $tag exited with status $REAP_RC"
	grep -qx 'done' "$TMP/peer-$tag.report" 2>/dev/null ||
		fail "tcp_peer $tag wrote no report"
}

# tcp_report_get REPORT CONN KEY: print KEY of connection CONN of a report.
tcp_report_get() {
	sed -n "s/^conn=$2 .*[ ]$3=\([^ ]*\).*/\1/p" "$1"
}

# tcp_streams_check SENDER RECEIVER WHAT [END]: every connection of the
# SENDER report sent all it meant to (want = sent, send_end ok), the
# RECEIVER report has as many connections, each ended with END (default
# eof), and the (bytes, CRC-32) pairs sent are exactly those received.
tcp_streams_check() {
	local s=$1 r=$2 what=$3 end=${4:-eof} n m bad a b
	n=$(grep -c '^conn=' "$s")
	m=$(grep -c '^conn=' "$r")
	if [ "$n" = 0 ] || [ "$n" != "$m" ]; then
		fail "$what: $n connections sent, $m received"
	fi
	bad=$(awk '/^conn=/ { split($2, w, "="); split($3, x, "=");
		if (w[2] != x[2] || $8 != "send_end=ok") print }' "$s")
	[ -z "$bad" ] || fail "$what: a sender did not send everything: $bad"
	bad=$(grep -v " end=$end " "$r" | grep '^conn=')
	[ -z "$bad" ] || fail "$what: a receiver did not end with $end: $bad"
	a=$(awk '/^conn=/ { sub("sent=", "", $3); sub("sent_crc=", "", $4);
		print $3, $4 }' "$s" | sort)
	b=$(awk '/^conn=/ { sub("recvd=", "", $5); sub("recv_crc=", "", $6);
		print $5, $6 }' "$r" | sort)
	[ "$a" = "$b" ] || fail "$what: bytes and CRC-32 sent"$'\n'"$a"$'\n'"differ from those received"$'\n'"$b"
}

# proc_rss_kib PID: print the resident set size of PID in KiB (VmRSS).
proc_rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# slirp_wscale_build LOG: true if the daemon's start-up line about libslirp
# ("libslirp VERSION (...)") says its TCP negotiates window scaling (our
# patched build); no such line at all means the system library.
slirp_wscale_build() {
	slirp_has_patch "$1" window-scaling
}

# slirp_has_patch LOG NAME: true if the daemon's start-up line about
# libslirp names a patch containing NAME (e.g. socket-listen-backlog).
slirp_has_patch() {
	grep -m 1 -E '(^|[] :])libslirp [0-9]' "$1" | grep -q -- "$2"
}

# host_global_ip4: print one non-loopback IPv4 address of this host (none
# on a machine without one).
host_global_ip4() {
	ip -4 -o addr show scope global 2>/dev/null |
		awk '{ sub("/.*", "", $4); print $4; exit }'
}

# tcp_xfer WHAT LNS LISTEN CNS CONNECT DIR BYTES [CONNS]: CONNS (default 1)
# connections from a tcp_peer in CNS (or - for the host) to ADDR:PORT
# CONNECT, accepted by one in LNS on ADDR:PORT LISTEN; DIR c2l: the
# connecting side sends BYTES on each, l2c: the listening side does; the
# other reads until EOF. Fails unless every byte arrived (counts and
# CRC-32 of both ends compared, tcp_streams_check); logs the rate. The
# array TCP_CARGS, if set, adds arguments to the connecting side (emptied).
tcp_xfer() {
	local what=$1 lns=$2 la=$3 cns=$4 ca=$5 dir=$6 bytes=$7 conns=${8:-1}
	local lsteps=recv csteps=recv lp cp t0 ms total bad
	if [ "$dir" = c2l ]; then
		csteps=send:$bytes
	else
		lsteps=send:$bytes
	fi
	tcp_peer_start "$lns" "$what-l" --listen "$la" --conns "$conns" \
		--steps "$lsteps" --progress "$TMP/peer-$what-l.progress"
	lp=$PEER_PID
	t0=$(date +%s%N)
	tcp_peer_start "$cns" "$what-c" --connect "$ca" --conns "$conns" \
		--steps "$csteps" "${TCP_CARGS[@]}"
	TCP_CARGS=()
	cp=$PEER_PID
	tcp_peer_wait "$cp" 1800 "$what-c"
	# The connecting side's failures first: the listener would wait for
	# a connection that never came.
	bad=$(grep '^conn=' "$TMP/peer-$what-c.report" |
		grep -v -e ' send_end=ok ' -e ' end=eof ')
	[ -z "$bad" ] || fail "$what: connections failed:"$'\n'"$bad"
	wait_for 60 "tcp_peer $what-l to finish" pid_dead "$lp" ||
		fail "$what: the listening side still runs 60 s after the other" \
			"ended; bytes it sent and received:" \
			"$(cat "$TMP/peer-$what-l.progress" 2>/dev/null)," \
			"connections made: $(grep -c '^conn=' "$TMP/peer-$what-c.report")"
	tcp_peer_wait "$lp" 1 "$what-l"
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$dir" = c2l ]; then
		tcp_streams_check "$TMP/peer-$what-c.report" \
			"$TMP/peer-$what-l.report" "$what"
	else
		tcp_streams_check "$TMP/peer-$what-l.report" \
			"$TMP/peer-$what-c.report" "$what"
	fi
	total=$(awk '/^conn=/ { sub("recvd=", "", $5); n += $5 } END { print n }' \
		"$TMP/peer-$what-$([ "$dir" = c2l ] && echo l || echo c).report")
	log "$what: $conns connection(s), $total bytes intact in ${ms} ms" \
		"($(awk -v b="$total" -v t="$ms" \
			'BEGIN { printf "%.2f", b * 8 / (t > 0 ? t : 1) / 1e6 }') Gbit/s)"
}

# Extra arguments of tcp_pair's listening and connecting sides.
TCP_LARGS=()
TCP_CARGS=()

# shellcheck disable=SC2034 # the reports are for the scripts.
# tcp_pair WHAT LNS LISTEN CNS CONNECT LSTEPS CSTEPS [SECS]: one connection
# between a tcp_peer listening in LNS on LISTEN (ADDR:PORT) with steps
# LSTEPS and one connecting from CNS to CONNECT with steps CSTEPS (- for
# the host); the arrays TCP_LARGS and TCP_CARGS, if set, add arguments to
# each side (they are emptied afterwards). Waits up to SECS (default 120)
# for both; their reports are LREPORT and CREPORT.
tcp_pair() {
	local what=$1 lns=$2 la=$3 cns=$4 ca=$5 ls=$6 cs=$7 secs=${8:-120} lp cp
	tcp_peer_start "$lns" "$what-l" --listen "$la" --steps "$ls" \
		"${TCP_LARGS[@]}"
	lp=$PEER_PID
	LREPORT=$PEER_REPORT
	tcp_peer_start "$cns" "$what-c" --connect "$ca" --steps "$cs" \
		"${TCP_CARGS[@]}"
	cp=$PEER_PID
	CREPORT=$PEER_REPORT
	TCP_LARGS=()
	TCP_CARGS=()
	tcp_peer_wait "$cp" "$secs" "$what-c"
	tcp_peer_wait "$lp" "$secs" "$what-l"
}
