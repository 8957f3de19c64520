#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/lima_sockets.sh BUILD_DIR - the VM sockets of Lima and its
# drivers on one user-v2 network, started as Lima starts `limactl usernet`
# (--mode user-v2 -p PIDFILE [-e EP] --listen-qemu Q --listen FD --subnet
# CIDR), plus --listen-vfkit and --listen-bess:
#  - every socket file is mode 0600;
#  - four guests, one per transport: QEMU stream, fd passing (`usernetctl
#    attach --fd-socket`: a datagram socketpair, one end passed with
#    SCM_RIGHTS and one byte, as Lima's VZ driver does), vfkit datagrams
#    (`--vfkit`, "VFKT" first) and seqpacket (`--bess`); each gets a DHCP
#    lease, pings the QEMU guest and does TCP round trips with it;
#  - another uid (nobody) cannot connect (the 0600 mode); with the socket
#    made 0666 it connects and the daemon refuses it by uid and logs it;
#    it cannot send to the vfkit socket either;
#  - the fd guest's relay is stopped (SIGSTOP: a connected datagram peer
#    that does not read) and a stuck vfkit peer takes over the vfkit port
#    (an unconnected socket that says "VFKT" and never reads: EAGAIN while
#    poll(2) reports it writable) while the QEMU guest floods both with
#    UDP: the daemon's CPU time over 2 s stays well under 50% (no spinning
#    on EAGAIN/ENOBUFS); afterwards both guests talk again, the vfkit port
#    following its guest back;
#  - SIGTERM: exit within 1 s, status 0, every socket and the pidfile gone.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init lima_sockets 90 "$@"

command -v setpriv >/dev/null || fail "missing tool: setpriv"
# The python3 another uid can run (root's PATH may name a private one).
PY_SYS=/usr/bin/python3
[ -x "$PY_SYS" ] || fail "missing $PY_SYS"

NET=192.168.104
Q=$TMP/q.sock
FD=$TMP/fd.sock
VF=$TMP/vf.sock
BS=$TMP/bs.sock
EP=$TMP/ep.sock
PIDFILE=$TMP/usernetd.pid
DLOG=$TMP/usernetd.log

NQ=$(e2e_name q)
NF=$(e2e_name fd)
NV=$(e2e_name vf)
NB=$(e2e_name bs)

EXTRA=()
if "$USERNETD" --help | grep -q -- '--endpoint'; then
	EXTRA=(-e "$EP")
fi

start_daemon "$DLOG" --mode user-v2 -p "$PIDFILE" "${EXTRA[@]}" \
	--listen-qemu "$Q" --listen "$FD" --subnet "$NET.0/24" \
	--listen-vfkit "$VF" --listen-bess "$BS"
D=$DAEMON_PID
wait_for 5 "fd, vfkit and bess sockets" \
	sh -c "test -S '$FD' && test -S '$VF' && test -S '$BS'" ||
	fail "usernetd did not create its sockets"

log "socket modes"
ls -l "$TMP"/*.sock
for s in "$Q" "$FD" "$VF" "$BS" ${EXTRA[@]+"$EP"}; do
	[ -S "$s" ] || continue
	m=$(stat -c %a "$s")
	[ "$m" = 600 ] || fail "$s has mode $m, want 600"
done

# guest NS MODE PATH MAC: attach, DHCP, print nothing; sets GUEST_IP.
guest() {
	local ns=$1 mode=$2 path=$3 mac=$4
	make_ns "$ns"
	if [ "$mode" = qemu ]; then
		attach "$ns" "$path" --mac "$mac"
	else
		attach_via "$ns" "$mode" "$path" --mac "$mac"
	fi
	dhcp "$ns" tap0 "$TMP/lease-$ns" || fail "$ns ($mode): no DHCP lease"
	GUEST_IP=$(lease_get "$TMP/lease-$ns" ip)
	log "$ns ($mode): $GUEST_IP"
	case $GUEST_IP in
	"$NET".*) ;;
	*) fail "$ns ($mode): address '$GUEST_IP' not in $NET.0/24" ;;
	esac
}

guest "$NQ" qemu "$Q" 52:55:55:00:01:0a
IP_Q=$GUEST_IP
start_tcp_echo "$NQ" 7000

guest "$NF" fd-socket "$FD" 52:55:55:00:01:0b
IP_F=$GUEST_IP
PID_F=$ATTACH_PID
guest "$NV" vfkit "$VF" 52:55:55:00:01:0c
IP_V=$GUEST_IP
PID_V=$ATTACH_PID
guest "$NB" bess "$BS" 52:55:55:00:01:0d
IP_B=$GUEST_IP

for ns in "$NF" "$NV" "$NB"; do
	log "$ns: ping and TCP to the QEMU guest $IP_Q"
	ns_ping "$ns" "$IP_Q" 3 || fail "$ns: ping $IP_Q failed"
	got=$(ns_tcp_rr "$ns" "$IP_Q" 7000 "hello-$ns") ||
		fail "$ns: TCP to $IP_Q:7000 failed"
	[ "$got" = "hello-$ns" ] || fail "$ns: TCP echo '$got'"
done
log "QEMU guest: TCP to the fd guest $IP_F, ping the others"
start_tcp_echo "$NF" 7001
got=$(ns_tcp_rr "$NQ" "$IP_F" 7001 "back") || fail "$NQ: TCP to $IP_F failed"
[ "$got" = back ] || fail "$NQ -> $IP_F: TCP echo '$got'"
for ip in "$IP_V" "$IP_B"; do
	ns_ping "$NQ" "$ip" 2 || fail "$NQ: ping $ip failed"
done
grep -q "fd passing" "$DLOG" || fail "no 'fd passing' listener in the log"

# --- another uid ---------------------------------------------------------

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# Connect, pass a datagram socket as Lima does, print what happened.
FD_CLIENT_PY='
import socket, sys
try:
    c = socket.socket(socket.AF_UNIX, getattr(socket, sys.argv[2]))
    c.connect(sys.argv[1])
except OSError as e:
    print("connect-error", e.errno); sys.exit(0)
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    c.sendmsg([b"\0"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                         bytes(memoryview(__import__("array").array("i", [b.fileno()]))))])
    c.settimeout(3)
    print("closed" if c.recv(16) == b"" else "open")
except socket.timeout:
    print("open")
except OSError as e:
    print("closed", e.errno)
'
VFKIT_CLIENT_PY='
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    s.sendto(b"VFKT", sys.argv[1]); print("sent")
except OSError as e:
    print("send-error", e.errno)
'
log "another uid: the 0600 mode keeps it out"
for pair in "$FD:SOCK_STREAM" "$BS:SOCK_SEQPACKET"; do
	out=$("${NOBODY[@]}" "$PY_SYS" -c "$FD_CLIENT_PY" "${pair%%:*}" \
		"${pair##*:}" 2>&1)
	[ "$out" = "connect-error 13" ] ||
		fail "nobody connecting to ${pair%%:*}: '$out', want EACCES"
done
out=$("${NOBODY[@]}" "$PY_SYS" -c "$VFKIT_CLIENT_PY" "$VF" 2>&1)
[ "$out" = "send-error 13" ] || fail "nobody sending to $VF: '$out'"

log "another uid: with the sockets made 0666, refused by uid"
chmod 666 "$FD" "$BS"
for pair in "$FD:SOCK_STREAM" "$BS:SOCK_SEQPACKET"; do
	out=$("${NOBODY[@]}" "$PY_SYS" -c "$FD_CLIENT_PY" "${pair%%:*}" \
		"${pair##*:}" 2>&1)
	case $out in
	closed*) ;;
	*) fail "nobody's connection to ${pair%%:*}: '$out', want closed" ;;
	esac
	wait_for 3 "refusal logged for ${pair%%:*}" grep -q \
		"${pair%%:*}: refused a connection from uid 65534" "$DLOG" ||
		fail "no refusal of uid 65534 logged for ${pair%%:*}"
done
chmod 600 "$FD" "$BS"
daemon_alive "$D"

# --- a flood to guests that do not read ----------------------------------

log "flood: relay of $NF stopped, a stuck vfkit peer, UDP from $NQ"
ip -n "$NQ" neigh replace "$IP_F" lladdr 52:55:55:00:01:0b dev tap0 \
	nud permanent
ip -n "$NQ" neigh replace "$IP_V" lladdr 52:55:55:00:01:0c dev tap0 \
	nud permanent
kill -STOP "$PID_F"
# The vfkit port follows the latest sender: the real guest's relay must stay
# quiet (its IPv6 and ARP chatter would take the port back) while the stuck
# peer holds it.
kill -STOP "$PID_V"
STUCK_PY='
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
s.sendto(b"VFKT", sys.argv[1])
time.sleep(float(sys.argv[3]))
'
python3 -c "$STUCK_PY" "$VF" "$TMP/stuck.sock" 20 >"$TMP/stuck.log" 2>&1 \
	</dev/null &
STUCK=$!
register_pid "$STUCK"
wait_for 3 "the stuck peer to take the vfkit port" \
	grep -q "vfkit: peer is now $TMP/stuck.sock" "$DLOG" ||
	fail "the vfkit port did not follow the new peer"
FLOOD_PY='
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
msg = b"x" * 1000
end = time.time() + float(sys.argv[3])
while time.time() < end:
    for _ in range(25):
        for ip in sys.argv[1:3]:
            try:
                s.sendto(msg, (ip, 9))
            except OSError:
                pass
    time.sleep(0.01)
'
# The flood runs until both queues overflowed (bounded at 15 s): on a
# loaded machine a fixed few seconds may not be enough to fill them.
ip netns exec "$NQ" python3 -c "$FLOOD_PY" "$IP_F" "$IP_V" 15 \
	>"$TMP/flood.log" 2>&1 </dev/null &
FLOOD=$!
register_pid "$FLOOD"
sleep 1.5
hz=$(getconf CLK_TCK)
t0=$(proc_cpu_ticks "$D")
sleep 2
t1=$(proc_cpu_ticks "$D")
pct=$(((t1 - t0) * 100 / (2 * hz)))
log "usernetd CPU during the flood: $((t1 - t0)) ticks in 2 s ($pct%)"
[ "$pct" -lt 50 ] || fail "usernetd used $pct% CPU while its peers did not read"
for port in 'vz[0-9]*' vfkit; do
	wait_for 12 "the queue of port $port to overflow" \
		grep -q "$port: guest does not read" "$DLOG" ||
		fail "the flood did not fill the queue of port $port"
done
kill "$FLOOD" 2>/dev/null
reap "$FLOOD"
daemon_alive "$D"
kill -CONT "$PID_F" "$PID_V"
kill "$STUCK"
reap "$STUCK"
for ns in "$NF" "$NV"; do
	ns_ping "$ns" "$IP_Q" 2 || fail "$ns: ping $IP_Q failed after the flood"
done
[ "$(grep -c "vfkit: peer is now $VF\." "$DLOG")" -ge 2 ] ||
	fail "the vfkit port did not follow its guest back"

# --- stop ------------------------------------------------------------------

log "SIGTERM"
stop_daemon "$D" "$Q" "$PIDFILE"
for s in "$FD" "$VF" "$BS"; do
	[ -e "$s" ] && fail "usernetd left $s"
done
pass
