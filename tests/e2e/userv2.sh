#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/userv2.sh BUILD_DIR - a user-v2 network from Lima's
# networks.yaml, shared by three guest namespaces with hostnames lima-a,
# lima-b and lima-c, each attached with `usernetctl attach --mac M --tap
# tap0 SOCK`. usernetd runs in a namespace standing for the host, with a
# private resolv.conf naming a dnsmasq on 127.0.0.90 (`--local=/internal/`:
# names of .internal nobody gave it are NXDOMAIN there; nobody.internal is
# 10.9.9.9 there) and a --leases-file:
#  - an unknown key in networks.yaml is warned about, with its line;
#  - DHCP (udhcpc -x hostname:lima-X): three distinct addresses of the pool
#    (.4 and up, not .1-.3), /24, router .2, DNS .3, MTU 1500;
#    leases.json holds ip -> mac for each;
#  - ping between every pair; TCP round trips A->B and C->A;
#  - 20 MB from A to B over TCP, sha256 compared;
#  - DNS from B: lima-a.internal at .3 and at .2 is A's address (UDP and
#    TCP, any letter case), lima-c.internal from A; nobody.internal (not
#    registered) is forwarded: the guest gets dnsmasq's 10.9.9.9;
#    ghost.internal is NXDOMAIN and dnsmasq saw the query (it came from
#    the upstream, not from usernetd);
#  - C's relay stopped (SIGSTOP) while B floods C with UDP: A and B still
#    ping, do TCP round trips and move 20 MB (B -> A); the daemon says C's
#    port does not read; after SIGCONT C talks again;
#  - C claims A's address (ip addr add A/24, arping -U and -A, UDP from
#    A's address to a sink in B): B's neighbour entry for A keeps A's MAC,
#    the sink receives nothing, TCP to A's address reaches A's server;
#    then C takes A's MAC too: traffic to A still reaches A; C is back to
#    normal afterwards;
#  - C releases its lease (DHCPRELEASE): lima-c.internal is no longer
#    answered by usernetd (NXDOMAIN from the upstream);
#  - SIGTERM: exit within 1 s, status 0.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init userv2 60 "$@"

need_tools dig dnsmasq unshare ss
busybox arping --help >/dev/null 2>&1 || fail "missing tool: busybox arping"

NET=192.168.104
GW=$NET.2
DNS=$NET.3
UP=127.0.0.90
NOBODY_IP=10.9.9.9

HNS=$(e2e_name host)
NA=$(e2e_name a)
NB=$(e2e_name b)
NC=$(e2e_name c)
SOCK=$TMP/qemu.sock
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
NETWORKS=$TMP/networks.yaml
LEASES=$TMP/leases.json
MAC_A=52:55:55:00:00:0a
MAC_B=52:55:55:00:00:0b
MAC_C=52:55:55:00:00:0c

cat >"$NETWORKS" <<EOF
# Lima's networks.yaml with one user-v2 network
paths:
  varRun: /private/var/run/lima
group: everyone
networks:
  user-v2:
    mode: user-v2
    gateway: $NET.1
    netmask: 255.255.255.0
    colour: blue
  shared:
    mode: shared
    gateway: 192.168.105.1
    dhcpEnd: 192.168.105.254
    netmask: 255.255.255.0
EOF

make_ns "$HNS"
make_ns "$NA"
make_ns "$NB"
make_ns "$NC"

start_dnsmasq "$HNS" "$UP" up --log-queries --local=/internal/ \
	--host-record=nobody.internal,$NOBODY_IP
DNSMASQ_LOG=$TMP/dnsmasq-up.log
printf 'nameserver %s\n' "$UP" >"$RESOLV"

start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --networks "$NETWORKS" \
	--network user-v2 --listen-qemu "$SOCK" --leases-file "$LEASES" \
	--resolv-conf "$RESOLV"
D=$DAEMON_PID

# The unknown key "colour" (line 10, column 5) is warned about, not fatal.
wait_for 2 "a warning about the unknown key" grep -q colour "$DLOG" ||
	fail "no warning about the unknown key 'colour' in $NETWORKS"
grep colour "$DLOG" | grep -q "networks.yaml:10:" ||
	fail "the warning about 'colour' does not name networks.yaml:10:" \
		"$(grep colour "$DLOG")"

declare -A IP MAC ATT
MAC[$NA]=$MAC_A
MAC[$NB]=$MAC_B
MAC[$NC]=$MAC_C

# in_pool ADDR: a guest address of the pool (.4 to .254).
in_pool() {
	local last=${1##*.}
	[ "${1%.*}" = "$NET" ] && [ "$last" -ge 4 ] 2>/dev/null &&
		[ "$last" -le 254 ]
}

for ns in "$NA" "$NB" "$NC"; do
	h=lima-${ns##*-}
	attach "$ns" "$SOCK" --mac "${MAC[$ns]}"
	ATT[$ns]=$ATTACH_PID
	[ "$(ns_link_mac "$ns" tap0)" = "${MAC[$ns]}" ] ||
		fail "$ns: tap0 has MAC $(ns_link_mac "$ns" tap0), want ${MAC[$ns]}"
	log "$ns: DHCP as $h"
	dhcp "$ns" tap0 "$TMP/lease-$ns" -O mtu -x "hostname:$h" ||
		fail "udhcpc got no lease in $ns"
	lf=$TMP/lease-$ns
	log "lease in $ns: $(tr '\n' ' ' <"$lf")"
	ip=$(lease_get "$lf" ip)
	in_pool "$ip" || fail "$ns: DHCP address '$ip' is not in the pool"
	for o in "${!IP[@]}"; do
		[ "${IP[$o]}" != "$ip" ] ||
			fail "$ns got $ip, the address of $o"
	done
	IP[$ns]=$ip
	[ "$(lease_get "$lf" mask)" = 24 ] || fail "$ns: mask is not /24"
	[ "$(lease_get "$lf" router)" = "$GW" ] ||
		fail "$ns: router '$(lease_get "$lf" router)', want $GW"
	[ "$(lease_get "$lf" dns | cut -d' ' -f1)" = "$DNS" ] ||
		fail "$ns: DNS '$(lease_get "$lf" dns)', want $DNS first"
	[ "$(lease_get "$lf" mtu)" = 1500 ] ||
		fail "$ns: MTU '$(lease_get "$lf" mtu)', want 1500"
	ip -n "$ns" -4 -o addr show dev tap0 | grep -q " $ip/24 " ||
		fail "$ns: tap0 lacks $ip/24"
done
A=${IP[$NA]}
B=${IP[$NB]}
C=${IP[$NC]}
log "addresses: lima-a $A, lima-b $B, lima-c $C"

wait_for 3 "leases.json with three leases" \
	sh -c "[ \"\$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' $LEASES)\" = 3 ]" ||
	fail "$LEASES does not hold three leases: $(cat "$LEASES" 2>&1)"
for ns in "$NA" "$NB" "$NC"; do
	m=$(leases_json_mac "$LEASES" "${IP[$ns]}")
	[ "$m" = "${MAC[$ns]}" ] ||
		fail "$LEASES gives ${IP[$ns]} to '$m', want ${MAC[$ns]}: $(cat "$LEASES")"
done

# --- VM to VM ---------------------------------------------------------------

log "ping A->B, B->C, C->A"
ns_ping "$NA" "$B" 2 || fail "ping lima-a -> lima-b ($B) failed"
ns_ping "$NB" "$C" 2 || fail "ping lima-b -> lima-c ($C) failed"
ns_ping "$NC" "$A" 2 || fail "ping lima-c -> lima-a ($A) failed"

log "TCP A->B, C->A"
start_tcp_echo "$NB" 7000
start_tcp_echo "$NA" 7000
got=$(ns_tcp_rr "$NA" "$B" 7000 "a-to-b-$$") || fail "TCP lima-a -> lima-b failed"
[ "$got" = "a-to-b-$$" ] || fail "TCP echo lima-a -> lima-b answered '$got'"
got=$(ns_tcp_rr "$NC" "$A" 7000 "c-to-a-$$") || fail "TCP lima-c -> lima-a failed"
[ "$got" = "c-to-a-$$" ] || fail "TCP echo lima-c -> lima-a answered '$got'"

log "20 MB lima-a -> lima-b"
make_blob "$TMP/blob" 20480
ns_transfer_check "$NA" "$NB" "$B" 7100 "$TMP/blob"
log "20 MB transferred, sha256 equal"

# --- names ------------------------------------------------------------------

# want_a NS SERVER PROTO NAME ADDR: dig NAME A from NS gives exactly ADDR.
want_a() {
	dns_query "$1" "$2" "$3" "$4" A ||
		fail "dig @$2 ($3) $4 from $1: no answer: $DQ_OUT"
	[ "$DQ_STATUS" = NOERROR ] ||
		fail "dig @$2 ($3) $4: status $DQ_STATUS, want NOERROR: $DQ_OUT"
	[ "$DQ_RRS" = "$(echo "$4" | tr '[:upper:]' '[:lower:]'). A $5" ] ||
		fail "dig @$2 ($3) $4: answer '$DQ_RRS', want $5"
}

log "DNS: lima-a.internal from lima-b at $DNS and $GW"
want_a "$NB" "$DNS" udp lima-a.internal "$A"
want_a "$NB" "$GW" udp lima-a.internal "$A"
want_a "$NB" "$DNS" tcp lima-a.internal "$A"
want_a "$NB" "$DNS" udp LIMA-A.Internal "$A"
want_a "$NA" "$DNS" udp lima-c.internal "$C"
want_a "$NC" "$GW" udp lima-b.internal "$B"

log "DNS: unregistered .internal names go to the upstream"
want_a "$NB" "$DNS" udp nobody.internal "$NOBODY_IP"
dns_query "$NB" "$DNS" udp ghost.internal A ||
	fail "dig ghost.internal: no answer: $DQ_OUT"
[ "$DQ_STATUS" = NXDOMAIN ] ||
	fail "dig ghost.internal: status $DQ_STATUS, want NXDOMAIN: $DQ_OUT"
grep -q 'query\[A\] ghost\.internal' "$DNSMASQ_LOG" ||
	fail "the upstream never saw ghost.internal: usernetd answered it itself"
if grep -q 'query\[A\] lima-a\.internal' "$DNSMASQ_LOG"; then
	fail "lima-a.internal was forwarded to the upstream"
fi

# --- a guest that stops reading ---------------------------------------------

# Unicast UDP at about 40 Mbit/s to ADDR:9 for SECONDS.
FLOOD_PY='
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst = (sys.argv[1], 9)
end = time.time() + float(sys.argv[2])
buf = b"x" * 1000
while time.time() < end:
    for i in range(50):
        try:
            s.sendto(buf, dst)
        except OSError:
            pass
    time.sleep(0.01)
'

log "lima-c stopped (SIGSTOP of its relay), lima-b floods it"
# B keeps C's MAC whatever C (not answering) does to its neighbour state.
ip -n "$NB" neigh replace "$C" lladdr "$MAC_C" dev tap0 nud permanent ||
	fail "cannot pin lima-b's neighbour entry for $C"
kill -STOP "${ATT[$NC]}" || fail "cannot stop lima-c's relay"
STOPPED=${ATT[$NC]}
ip netns exec "$NB" python3 -c "$FLOOD_PY" "$C" 4 >/dev/null 2>&1 &
FLOOD=$!
register_pid "$FLOOD"
sleep 1
ns_ping "$NA" "$B" 3 || fail "ping lima-a -> lima-b failed while lima-c is stopped"
got=$(ns_tcp_rr "$NB" "$A" 7000 "b-to-a-$$") ||
	fail "TCP lima-b -> lima-a failed while lima-c is stopped"
[ "$got" = "b-to-a-$$" ] || fail "TCP echo lima-b -> lima-a answered '$got'"
ns_transfer_check "$NB" "$NA" "$A" 7101 "$TMP/blob"
log "20 MB lima-b -> lima-a while lima-c is stopped"
wait_for 8 "the flood to end" pid_dead "$FLOOD" || fail "flood still runs"
reap "$FLOOD"
# Ports are named in the order they attached: lima-c's is the third.
CPORT=$(sed -n 's/.* port \([^ ]*\) attached$/\1/p' "$DLOG" | sed -n 3p)
[ -n "$CPORT" ] || fail "no third 'port NAME attached' line in the log"
grep -q "$CPORT: guest does not read" "$DLOG" ||
	fail "the daemon never said that lima-c's port $CPORT does not read"
if grep "does not read" "$DLOG" | grep -v -q "$CPORT: "; then
	fail "another port than lima-c's lost frames:" \
		"$(grep 'does not read' "$DLOG")"
fi
log "daemon: $(grep 'does not read' "$DLOG" | head -n 1)"
kill -CONT "$STOPPED"
STOPPED=
ip -n "$NB" neigh del "$C" dev tap0
daemon_alive "$D"
wait_for 5 "lima-c to answer again" ns_ping "$NC" "$A" 1 ||
	fail "lima-c cannot reach lima-a after SIGCONT"
ns_ping "$NC" "$B" 2 || fail "ping lima-c -> lima-b failed after SIGCONT"

# --- a guest that claims another's address ----------------------------------

# Counts UDP datagrams to port 9999 for SECONDS; prints the sources.
# The sink prints each datagram's source for at most argv[1] seconds, and
# stops 0.3 s after the first from argv[2] (the sender's own address, used
# last): a loaded machine can take seconds to start the senders.
SINK_PY='
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 9999))
s.settimeout(0.1)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    try:
        d, a = s.recvfrom(2048)
        print(a[0], flush=True)
        if a[0] == sys.argv[2]:
            end = min(end, time.time() + 0.3)
    except socket.timeout:
        pass
'
SEND_PY='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
for i in range(int(sys.argv[3])):
    s.sendto(b"spoof", (sys.argv[2], 9999))
'

log "lima-c claims lima-a's address $A"
ns_ping "$NB" "$A" 1 || fail "ping lima-b -> lima-a failed"
[ "$(ns_neigh_mac "$NB" "$A")" = "$MAC_A" ] ||
	fail "lima-b's neighbour entry for $A is '$(ns_neigh_mac "$NB" "$A")' before the spoof"
# Linux lets an ARP packet override a neighbour entry 1 s after its last
# update (locktime): wait that long, or an unprotected switch would pass.
sleep 1.1
ip -n "$NC" addr add "$A/24" dev tap0 || fail "cannot add $A to lima-c"
timeout 5 ip netns exec "$NC" busybox arping -U -c 1 -I tap0 -s "$A" "$A" \
	>/dev/null 2>&1
timeout 5 ip netns exec "$NC" busybox arping -A -c 1 -I tap0 -s "$A" "$A" \
	>/dev/null 2>&1
# An ARP request to B with A's address as sender (Linux updates the
# sender's entry from requests too), then IPv4 from A's address.
timeout 5 ip netns exec "$NC" busybox arping -c 1 -w 1 -I tap0 -s "$A" "$B" \
	>/dev/null 2>&1
ip netns exec "$NB" python3 -c "$SINK_PY" 15 "$C" >"$TMP/sink.out" 2>&1 &
SINK=$!
register_pid "$SINK"
wait_for 3 "UDP sink in lima-b" sh -c \
	"ip netns exec $NB ss -Hlun 'sport = :9999' | grep -q ." ||
	fail "UDP sink did not start in lima-b"
timeout 5 ip netns exec "$NC" python3 -c "$SEND_PY" "$A" "$B" 20 ||
	fail "lima-c could not send from $A"
timeout 5 ip netns exec "$NC" python3 -c "$SEND_PY" "$C" "$B" 3 ||
	fail "lima-c could not send from $C"
wait_for 20 "UDP sink to end" pid_dead "$SINK" || fail "sink still runs"
reap "$SINK"
got=$(ns_neigh_mac "$NB" "$A")
[ "$got" = "$MAC_A" ] ||
	fail "lima-b's neighbour entry for $A became '$got' (lima-c is $MAC_C), want $MAC_A"
if grep -q "^$A\$" "$TMP/sink.out"; then
	fail "lima-b received $(grep -c "^$A\$" "$TMP/sink.out") datagrams lima-c sent from $A"
fi
grep -q "^$C\$" "$TMP/sink.out" ||
	fail "lima-b did not receive lima-c's datagrams from its own $C: $(cat "$TMP/sink.out")"
got=$(ns_tcp_rr "$NB" "$A" 7000 "to-a-$$") ||
	fail "TCP lima-b -> $A failed after lima-c claimed it"
[ "$got" = "to-a-$$" ] || fail "TCP lima-b -> $A answered '$got'"

log "lima-c takes lima-a's MAC too"
ip -n "$NC" link set dev tap0 address "$MAC_A" || fail "cannot set lima-c's MAC"
timeout 5 ip netns exec "$NC" busybox arping -U -c 1 -I tap0 -s "$A" "$A" \
	>/dev/null 2>&1
timeout 5 ip netns exec "$NC" python3 -c "$SEND_PY" "$A" "$B" 5
got=$(ns_tcp_rr "$NB" "$A" 7000 "to-a2-$$") ||
	fail "TCP lima-b -> $A failed after lima-c took $MAC_A"
[ "$got" = "to-a2-$$" ] || fail "TCP lima-b -> $A answered '$got'"
ns_ping "$NB" "$A" 2 || fail "ping lima-b -> lima-a failed after lima-c took $MAC_A"
ip -n "$NC" addr del "$A/24" dev tap0
ip -n "$NC" link set dev tap0 address "$MAC_C" || fail "cannot reset lima-c's MAC"
ns_ping "$NC" "$B" 2 || fail "lima-c cannot reach lima-b after the spoof"
ns_ping "$NB" "$A" 2 || fail "lima-b cannot reach lima-a after the spoof"
daemon_alive "$D"

# --- names follow the lease ---------------------------------------------------

log "lima-c releases its lease"
# udhcpc -q -R quits before it is bound and sends no RELEASE: keep it
# running and ask for the release with SIGUSR2.
rm -f "$TMP/release-c"
register_log "$TMP/release-c.log"
UDHCPC_OUT=$TMP/release-c ip netns exec "$NC" busybox udhcpc -i tap0 -f \
	-t 5 -T 1 -x hostname:lima-c -s "$TMP/udhcpc.script" \
	>"$TMP/release-c.log" 2>&1 </dev/null &
U=$!
register_pid "$U"
wait_for 10 "lima-c's lease" test -s "$TMP/release-c" ||
	fail "udhcpc got no lease in lima-c"
[ "$(lease_get "$TMP/release-c" ip)" = "$C" ] ||
	fail "lima-c's address changed to $(lease_get "$TMP/release-c" ip)"
# The RELEASE is unicast to .3: with no neighbour entry for .3 the kernel
# queues it behind an ARP request, and udhcpc's deconfig (address flush)
# can drop it from that queue. A query to .3 first makes the entry fresh.
want_a "$NC" "$DNS" udp lima-c.internal "$C"
kill -USR2 "$U"
wait_for 3 "udhcpc to send RELEASE" grep -q "sending release" \
	"$TMP/release-c.log" || fail "udhcpc did not send a RELEASE"
kill -TERM "$U"
wait_for 3 "udhcpc to exit" pid_dead "$U"
reap "$U"
# shellcheck disable=SC2317 # called by wait_for
gone() {
	dns_query "$NA" "$DNS" udp lima-c.internal A &&
		[ "$DQ_STATUS" = NXDOMAIN ]
}
wait_for 3 "lima-c.internal to go" gone ||
	fail "lima-c.internal after RELEASE: $DQ_STATUS '$DQ_RRS', want NXDOMAIN"
grep -q 'query\[A\] lima-c\.internal' "$DNSMASQ_LOG" ||
	fail "lima-c.internal after RELEASE was not forwarded to the upstream"
want_a "$NB" "$DNS" udp lima-a.internal "$A"

log "SIGTERM"
stop_daemon "$D" "$SOCK" ""
pass
