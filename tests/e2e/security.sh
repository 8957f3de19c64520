#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/security.sh BUILD_DIR - what a hostile guest or another local
# user must not get. usernetd runs in a namespace standing for the host
# (its loopback is private), as Lima starts it (--mode user-v2 on
# 192.168.5.0/24, so counters outlive the raw guests' connections):
# --listen-qemu, --listen (VZ), --listen-vfkit, --listen-bess, -e (API),
# -p, DNS on host ports 127.0.0.1:0 and a --forward on 127.0.0.1; one
# namespace guest (DHCP), raw guests (raw_guest.py) besides:
#  - sockets: every unix socket file of the daemon is mode 0600; every
#    listening inet socket (TCP LISTEN, unconnected UDP) is on 127.0.0.1
#    or ::1 unless a forward names its address; a forward exposed on
#    0.0.0.0 through the API is then listed, and only it;
#  - another uid (nobody), with the QEMU socket and the API socket made
#    0666, is refused by uid (SO_PEERCRED) and the refusal is logged;
#  - host loopback: a namespace guest reaches a TCP and a UDP echo server
#    on the host's 127.0.0.1 through 192.168.5.2;
#  - CVE-2026-9539 (libslirp 4.7 sosendoob): a raw guest (raw_guest.py)
#    sends 10 bytes with URG set and the urgent pointer 65535, then "END":
#    the host server (SO_OOBINLINE) receives exactly "ABCDEFGHIJEND";
#    /stats counts the cleared segment;
#  - a raw guest sends from 1100 source MACs (more than the switch's table
#    holds), then claims the guest's MAC and address (gratuitous ARP): the
#    MAC stays on the guest's port (/cam) and the guest still talks; the
#    guest's VM comes back on a new connection with the same MAC (the old
#    one closed): same address, it talks again;
#  - a raw guest asks DHCP for every address of the pool, each from a new
#    MAC: it gets 16 (DHCP_PORT_LEASES), /stats counts the rest, and a
#    new VM still gets a lease;
#  - a raw guest addressing 127.0.0.1 directly (which libslirp would
#    connect to on the host, --no-host-loopback or not) gets nothing, TCP
#    nor UDP; /stats counts the drops;
#  - IPv4 fragments (libslirp 4.7's reassembly crash, packet/ipfrag.c):
#    at MTU 1500 the guest pings .2 with 4000 bytes and sends a 4000-byte
#    UDP datagram to a host server on 127.0.0.1 through .2 (it gets all
#    4000 bytes); a raw guest sends last fragments libslirp holds no queue
#    for (alone, before the first, again after the datagram): the daemon
#    lives, the guest still pings .2, /stats counts drop_frag;
#  - --no-host-loopback: a second daemon; the guest reaches neither server
#    through .2, nor directly at 127.0.0.1, 127.0.0.2 or 0.0.0.0.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init security 90 "$@"

need_tools setpriv ss
# The python3 another uid can run (root's PATH may name a private one).
PY_SYS=/usr/bin/python3
[ -x "$PY_SYS" ] || fail "missing $PY_SYS"

HNS=$(e2e_name host)
NS=$(e2e_name guest)
Q=$TMP/q.sock
FD=$TMP/fd.sock
VF=$TMP/vf.sock
BS=$TMP/bs.sock
EP=$TMP/ep.sock
PIDFILE=$TMP/usernetd.pid
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
printf 'nameserver 127.0.0.1\n' >"$RESOLV"

make_ns "$HNS"
free_port
P_TCP=$FREE_PORT
free_port
P_UDP=$FREE_PORT
free_port
P_URG=$FREE_PORT
free_port
P_FWD=$FREE_PORT
free_port
P_ANY=$FREE_PORT

start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --mode user-v2 \
	--subnet 192.168.5.0/24 -p "$PIDFILE" -e "$EP" \
	--listen-qemu "$Q" --listen "$FD" --listen-vfkit "$VF" \
	--listen-bess "$BS" --dns-udp 127.0.0.1:0 --dns-tcp 127.0.0.1:0 \
	--forward "tcp:127.0.0.1:$P_FWD:22"
D=$DAEMON_PID
wait_for 5 "the daemon's sockets" sh -c "test -S '$FD' && test -S '$VF' \
	&& test -S '$BS' && test -S '$EP'" || fail "usernetd made no sockets"
daemon_dns_port "$DLOG" udp >/dev/null || fail "no DNS UDP host port"
daemon_dns_port "$DLOG" tcp >/dev/null || fail "no DNS TCP host port"

MAC=52:55:55:5e:c0:01
make_ns "$NS"
attach "$NS" "$Q" --mac "$MAC"
ATT=$ATTACH_PID
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease"
G_IP=$(lease_get "$TMP/lease" ip)
log "guest: $G_IP"
# Raw guests run as root here, and as nobody below.
install -m 644 "$E2E_DIR/raw_guest.py" "$E2E_DIR/ethframes.py" "$TMP/" ||
	fail "cannot install raw_guest.py and ethframes.py"
RAW=$TMP/raw_guest.py

# --- the daemon's sockets -----------------------------------------------------

# check_sockets ALLOWED...: every unix socket file of the daemon is 0600,
# every listening inet socket is on loopback or one of ALLOWED (ADDR:PORT).
# Prints the inet sockets.
check_sockets() {
	local line proto state laddr path m a ok n=0
	while read -r proto state laddr; do
		case $proto:$state in
		tcp:LISTEN | udp:UNCONN) ;;
		*) continue ;;
		esac
		echo "$proto $laddr"
		n=$((n + 1))
		case $laddr in
		127.0.0.1:* | "[::1]:"*) continue ;;
		esac
		ok=0
		for a in "$@"; do
			[ "$laddr" = "$a" ] && ok=1
		done
		[ $ok = 1 ] || fail "usernetd listens on $proto $laddr"
	done < <(ip netns exec "$HNS" ss -Hantup | grep "pid=$D," |
		awk '{ print $1, $2, $5 }')
	[ "$n" -ge 3 ] || fail "only $n inet sockets listed for pid $D"
	n=0
	while read -r path; do
		[ -S "$path" ] || fail "usernetd holds unix socket $path: no such socket file"
		m=$(stat -c %a "$path")
		[ "$m" = 600 ] || fail "unix socket $path has mode $m, want 600"
		n=$((n + 1))
	done < <(ip netns exec "$HNS" ss -Haxp | grep "pid=$D," |
		awk '$5 ~ /^\// { print $5 }' | sort -u)
	[ "$n" = 5 ] || fail "$n unix socket files listed for pid $D, want 5"
	for line in "$Q" "$FD" "$VF" "$BS" "$EP"; do
		ip netns exec "$HNS" ss -Haxp | grep "pid=$D," | grep -q " $line " ||
			fail "$line is not listed as usernetd's"
	done
}

log "the daemon's sockets"
out=$(check_sockets) || exit 1
log "  $(echo "$out" | tr '\n' ' ')"
grep -q "^tcp 127.0.0.1:$P_FWD\$" <<<"$out" ||
	fail "the forward 127.0.0.1:$P_FWD is not listed"
api_expect "$EP" POST /services/forwarder/expose 200 \
	"{\"local\":\"0.0.0.0:$P_ANY\",\"remote\":\"$G_IP:22\"}"
out=$(check_sockets "0.0.0.0:$P_ANY") || exit 1
grep -q "^tcp 0.0.0.0:$P_ANY\$" <<<"$out" ||
	fail "the forward exposed on 0.0.0.0:$P_ANY is not listed: $out"
log "  after exposing 0.0.0.0:$P_ANY: $(echo "$out" | tr '\n' ' ')"

# --- another uid ----------------------------------------------------------------

log "another uid, with the sockets made 0666: refused by uid"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
chmod 666 "$Q" "$EP"
out=$("${NOBODY[@]}" "$PY_SYS" "$RAW" "$Q" syn 192.168.5.2 "$P_TCP" 2>&1)
case $out in
*"RESULT error=no-arp-reply"* | *BrokenPipe* | *Reset*) ;;
*) fail "nobody on the QEMU socket: '$out', want no answer" ;;
esac
wait_for 3 "the refusal on $Q" grep -q \
	"$Q: refused a connection from uid 65534" "$DLOG" ||
	fail "no refusal of uid 65534 logged for $Q"
out=$("${NOBODY[@]}" curl -sS --max-time 5 --unix-socket "$EP" \
	-w '%{http_code}' http://lima/stats 2>&1)
case $out in
*200) fail "nobody got /stats through the API socket" ;;
esac
wait_for 3 "the refusal on the API" grep -q \
	"api: refused a client with uid 65534" "$DLOG" ||
	fail "no refusal of uid 65534 logged by the API"
chmod 600 "$Q" "$EP"
daemon_alive "$D"

# --- host loopback through .2 ---------------------------------------------------

# Echo servers on the host's 127.0.0.1 (in the host namespace).
ip netns exec "$HNS" socat TCP4-LISTEN:"$P_TCP",bind=127.0.0.1,reuseaddr,fork \
	EXEC:cat >/dev/null 2>&1 </dev/null &
register_pid $!
start_udp_echo "$HNS" 127.0.0.1 "$P_UDP"
wait_for 5 "TCP echo on 127.0.0.1:$P_TCP" sh -c \
	"ip netns exec $HNS ss -Hltn 'sport = :$P_TCP' | grep -q ." ||
	fail "TCP echo server did not start"

# reach_host WANT: TCP and UDP to .2 reach the host's servers (WANT=yes)
# or neither does (no).
reach_host() {
	local got
	got=$(ns_tcp_rr "$NS" "$GW_IP" "$P_TCP" "tcp-$$" 2>/dev/null)
	if [ "$1" = yes ]; then
		[ "$got" = "tcp-$$" ] || fail "TCP to $GW_IP:$P_TCP answered '$got'"
	else
		[ -z "$got" ] || fail "TCP to $GW_IP:$P_TCP reached the host: '$got'"
	fi
	got=$(udp_rr "$NS" "$GW_IP" "$P_UDP" "udp-$$" 2>/dev/null)
	if [ "$1" = yes ]; then
		[ "$got" = "udp-$$" ] || fail "UDP to $GW_IP:$P_UDP answered '$got'"
	else
		[ -z "$got" ] || fail "UDP to $GW_IP:$P_UDP reached the host: '$got'"
	fi
}

log "host loopback through $GW_IP: reachable"
reach_host yes

# --- CVE-2026-9539: urgent data ---------------------------------------------------

# Accepts one connection with SO_OOBINLINE (urgent bytes stay in the
# stream), prints every byte received within 3 s or until EOF, as hex.
OOB_SRV_PY='
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
s.settimeout(10)
c, _ = s.accept()
c.setsockopt(socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
c.settimeout(0.2)
got = b""
end = time.time() + 3
while time.time() < end and len(got) < 1 << 20:
    try:
        d = c.recv(65536)
    except socket.timeout:
        continue
    except OSError:
        break
    if not d:
        break
    got += d
print(len(got), got[:64].hex(), flush=True)
'
log "urgent data: URG with an urgent pointer of 65535 after 10 bytes"
ip netns exec "$HNS" python3 -c "$OOB_SRV_PY" "$P_URG" >"$TMP/oob.out" 2>&1 &
SRV=$!
register_pid "$SRV"
wait_for 5 "urgent-data server" sh -c \
	"ip netns exec $HNS ss -Hltn 'sport = :$P_URG' | grep -q ." ||
	fail "urgent-data server did not start"
out=$(timeout 20 python3 "$RAW" "$Q" urg "$GW_IP" "$P_URG" 10 2>&1) ||
	fail "raw guest: $out"
log "  guest: $out"
wait_for 8 "the urgent-data server to end" pid_dead "$SRV"
reap "$SRV"
want="13 $(printf 'ABCDEFGHIJEND' | od -An -tx1 | tr -d ' \n')"
got=$(cat "$TMP/oob.out")
[ "$got" = "$want" ] ||
	fail "the host received '$got' (bytes, hex), want '$want' (the payload only)"
daemon_alive "$D"
api_expect "$EP" GET /stats 200
n=$(json_eval 'sum(x["tcp_urg_cleared"] for x in j["networks"])' <<<"$API_BODY")
[ "${n:-0}" -ge 1 ] || fail "/stats: tcp_urg_cleared is '$n', want >= 1"
log "  host received exactly the payload; tcp_urg_cleared $n"

# --- another guest's MAC ----------------------------------------------------------

# cam_port MAC: the port the switch learned MAC on.
cam_port() {
	api_expect "$EP" GET /cam 200
	json_eval "j.get('$1', '')" <<<"$API_BODY"
}
owner=$(cam_port "$MAC")
[ -n "$owner" ] || fail "/cam does not list $MAC: $API_BODY"
log "a raw guest floods the MAC table, then claims $MAC ($owner's) and $G_IP"
out=$(timeout 20 python3 "$RAW" "$Q" steal "$G_IP" 1100 "$MAC" 2>&1) ||
	fail "raw guest: $out"
got=$(cam_port "$MAC")
[ "$got" = "$owner" ] || fail "$MAC moved from port $owner to '$got'"
reach_host yes
api_expect "$EP" GET /stats 200
log "  $MAC still on $owner; switch: $(json_eval \
	'j["networks"][0]["switch"]' <<<"$API_BODY")"

log "the guest's VM comes back on a new connection, same MAC"
kill "$ATT"
wait_for 5 "the guest's relay to exit" pid_dead "$ATT"
reap "$ATT"
wait_for 5 "port $owner to close" grep -q "$owner: closed" "$DLOG" ||
	fail "port $owner did not close"
attach "$NS" "$Q" --mac "$MAC"
ATT=$ATTACH_PID
dhcp "$NS" tap0 "$TMP/lease-again" || fail "udhcpc got no lease on return"
got=$(lease_get "$TMP/lease-again" ip)
[ "$got" = "$G_IP" ] || fail "the returning guest got $got, want $G_IP"
reach_host yes
got=$(cam_port "$MAC")
if [ -z "$got" ] || [ "$got" = "$owner" ]; then
	fail "$MAC is on port '$got' after the return, want a new port"
fi
log "  $MAC now on $got, address $G_IP"

# --- the DHCP pool --------------------------------------------------------------------

log "a raw guest asks for every address of the pool, from a new MAC each"
out=$(timeout 30 python3 "$RAW" "$Q" leases 192.168.5.4 251 2>&1) ||
	fail "raw guest: $out"
acks=$(sed -n 's/.* acks=\([0-9]*\).*/\1/p' <<<"$out")
[ -n "$acks" ] && [ "$acks" -le 16 ] ||
	fail "the raw guest's MACs got $acks leases, want 16 at most: $out"
api_expect "$EP" GET /stats 200
n=$(json_eval 'j["networks"][0]["dhcp"]["port_limit"]' <<<"$API_BODY")
[ "${n:-0}" -ge 200 ] || fail "/stats: dhcp port_limit is '$n', want >= 200"
NS3=$(e2e_name third)
make_ns "$NS3"
attach "$NS3" "$Q"
dhcp "$NS3" tap0 "$TMP/lease-third" || fail "a new VM got no lease"
log "  $out; port_limit $n; a new VM got $(lease_get "$TMP/lease-third" ip)"
kill "$ATTACH_PID"
reap "$ATTACH_PID"

# --- loopback addressed directly ---------------------------------------------------

# direct_none DST...: a raw guest gets no answer from the host's loopback
# servers when it addresses them directly at DST.
direct_none() {
	local dst out
	for dst in "$@"; do
		out=$(timeout 10 python3 "$RAW" "$Q" syn "$dst" "$P_TCP" 2>&1)
		[ "$out" = "RESULT state=silent" ] ||
			fail "TCP SYN to $dst:$P_TCP: $out, want silence"
		out=$(timeout 10 python3 "$RAW" "$Q" udp "$dst" "$P_UDP" 2>&1)
		[ "$out" = "RESULT state=silent" ] ||
			fail "UDP to $dst:$P_UDP: $out, want silence"
	done
}
log "a raw guest addressing 127.0.0.1 directly"
direct_none 127.0.0.1
api_expect "$EP" GET /stats 200
n=$(json_eval 'sum(x["drop_martian"] for x in j["networks"])' <<<"$API_BODY")
[ "${n:-0}" -ge 2 ] || fail "/stats: drop_martian is '$n', want >= 2"
log "  /stats: drop_martian $n"
daemon_alive "$D"

# --- IPv4 fragments ----------------------------------------------------------------

# Receives one UDP datagram on 127.0.0.1:PORT within 10 s, prints its length.
UDP_LEN_PY='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
print(len(s.recv(65536)), flush=True)
'
UDP_SEND_PY='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"f" * 4000, (sys.argv[1], int(sys.argv[2])))
'
# gw_ping COUNT [PING-ARGS...]: the guest pings .2, every reply must come
# (ping's status with -c and -w; no grep -q under pipefail, which can die
# of SIGPIPE).
gw_ping() {
	local count=$1
	shift
	timeout $((count + 8)) ip netns exec "$NS" ping -n -q -c "$count" \
		-i 0.2 -w $((count + 5)) "$@" "$GW_IP" >/dev/null
}
log "IPv4 fragments: ping -s 4000 and a 4000-byte UDP datagram at MTU 1500"
ip -n "$NS" link set tap0 mtu 1500 || fail "cannot set the guest's MTU"
gw_ping 3 -s 4000 || fail "ping -c 3 -s 4000 $GW_IP failed"
free_port
P_FRAG=$FREE_PORT
ip netns exec "$HNS" python3 -c "$UDP_LEN_PY" "$P_FRAG" >"$TMP/frag.out" 2>&1 &
SRV=$!
register_pid "$SRV"
wait_for 5 "UDP server on 127.0.0.1:$P_FRAG" sh -c \
	"ip netns exec $HNS ss -Hlun 'sport = :$P_FRAG' | grep -q ." ||
	fail "UDP server did not start"
ip netns exec "$NS" python3 -c "$UDP_SEND_PY" "$GW_IP" "$P_FRAG" ||
	fail "the guest could not send a 4000-byte datagram"
wait_for 12 "the UDP server to end" pid_dead "$SRV"
reap "$SRV"
got=$(cat "$TMP/frag.out")
[ "$got" = 4000 ] || fail "the host's UDP server got '$got', want 4000 bytes"
log "  ping and UDP through fragments: ok (4000 bytes received)"
log "a raw guest sends last fragments libslirp has no queue for"
out=$(timeout 20 python3 "$RAW" "$Q" frag "$GW_IP" "$P_UDP" 2>&1) ||
	fail "raw guest: $out"
log "  guest: $out"
daemon_alive "$D"
gw_ping 1 || fail "ping $GW_IP failed after the fragments"
gw_ping 2 -s 4000 || fail "ping -s 4000 $GW_IP failed after the fragments"
api_expect "$EP" GET /stats 200
n=$(json_eval 'sum(x["drop_frag"] for x in j["networks"])' <<<"$API_BODY")
[ "${n:-0}" -ge 3 ] || fail "/stats: drop_frag is '$n', want >= 3"
log "  daemon alive, guest pings $GW_IP; /stats: drop_frag $n"
daemon_alive "$D"
stop_daemon "$D" "$Q" "$PIDFILE"
wait_for 5 "the guest's relay to exit" pid_dead "$ATT"
reap "$ATT"

# --- --no-host-loopback --------------------------------------------------------

log "--no-host-loopback"
Q=$TMP/q2.sock
start_daemon_ns "$HNS" "$RESOLV" "$TMP/usernetd2.log" --mode user-v2 \
	--subnet 192.168.5.0/24 --listen-qemu "$Q" --no-host-loopback
D=$DAEMON_PID
attach "$NS" "$Q"
dhcp "$NS" tap0 "$TMP/lease2" || fail "udhcpc got no lease (2nd daemon)"
ns_ping "$NS" "$GW_IP" 1 || fail "ping $GW_IP failed with --no-host-loopback"
reach_host no
direct_none 127.0.0.1 127.0.0.2 0.0.0.0
daemon_alive "$D"
stop_daemon "$D" "$Q" ""
pass
