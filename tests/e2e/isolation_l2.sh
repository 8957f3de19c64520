#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 240
#
# tests/e2e/isolation_l2.sh BUILD_DIR - a user-v2 network (192.168.5.0/24)
# shared by a well-behaved namespace guest (the victim: udhcpc, ping,
# curl) and a raw guest (raw_guest.py) writing hostile frames to the QEMU
# socket. usernetd runs in a namespace standing for the host. Each attack
# must be dropped and counted in /stats, and the victim must keep its
# address, its gateway and its service:
#  - VLAN tags (l2guard.c): gratuitous ARP replies claiming the gateway's
#    address inside 802.1Q, 802.1ad and 0x9100 tags with VLAN ID 0 (Linux
#    takes VLAN 0 as untagged): the victim's neighbour entry for .2 keeps
#    the gateway's MAC, it still pings .2; drop_vlan counts them;
#  - IPv6 first-hop attacks (l2guard.c), the victim with accept_ra=1:
#    router advertisements (plain, behind a hop-by-hop header, in a first
#    fragment), a first fragment ending inside its header chain, a
#    redirect, a DHCPv6 ADVERTISE, neighbour advertisements for the
#    gateway's and the services host's link-local addresses: the victim
#    configures no address and no route from them; drop_ra, drop_redirect,
#    drop_dhcpv6, drop_na, drop_ipv6_chain count them;
#  - the fragment table (ipfrag.c): the raw guest sends 64 first fragments
#    that never end (the whole table); the victim's fragmented pings to .2
#    (3000 bytes) are answered; drop_frag_share counts the raw guest's
#    fragments past its share (16);
#  - NAT sockets (natcap.c), the daemon started with a descriptor limit of
#    1200, so that the network may hold 944 NAT sockets and a port 472:
#    the raw guest sends SYNs to a host listener from 1200 ports and holds
#    them; it gets at most 472 connections, the victim still fetches a
#    page from a host HTTP server through .2; drop_nat_guest counts the
#    refused SYNs, the daemon logs the full share; once the raw guest
#    leaves, libslirp's sockets go;
#  - the daemon exits on SIGTERM with no sanitizer report (ASan builds).

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init isolation_l2 240 "$@"

need_tools ss

HNS=$(e2e_name host)
NS=$(e2e_name victim)
Q=$TMP/q.sock
EP=$TMP/ep.sock
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
GW=192.168.5.2
GW_MAC=52:55:c0:a8:05:02
MAC=52:55:55:1e:00:01
printf 'nameserver 127.0.0.1\n' >"$RESOLV"

make_ns "$HNS"
free_port
P_HTTP=$FREE_PORT
free_port
P_SYN=$FREE_PORT
free_port
P_UDP=$FREE_PORT

# The NAT caps follow the descriptor limit the daemon starts with: the
# network's is the limit less 256, a port's half of that. (Every process
# of the test runs with this limit; none needs more.)
NOFILE=1200
NET_CAP=$((NOFILE - 256))
GUEST_CAP=$((NET_CAP / 2))
ulimit -n "$NOFILE" || fail "ulimit -n $NOFILE"
start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --mode user-v2 \
	--subnet 192.168.5.0/24 -e "$EP" --listen-qemu "$Q"
D=$DAEMON_PID
wait_for 5 "the API socket" test -S "$EP" || fail "usernetd made no API socket"

make_ns "$NS"
attach "$NS" "$Q" --mac "$MAC"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease"
G_IP=$(lease_get "$TMP/lease" ip)
log "victim: $G_IP"
ns_ping "$NS" "$GW" 2 || fail "the victim cannot ping $GW"

install -m 644 "$E2E_DIR/raw_guest.py" "$E2E_DIR/ethframes.py" "$TMP/" ||
	fail "cannot install raw_guest.py and ethframes.py"
RAW=$TMP/raw_guest.py

# net_stat NAME: the network's counter NAME from /stats
net_stat() {
	api_expect "$EP" GET /stats 200
	json_eval "j['networks'][0]['$1']" <<<"$API_BODY"
}

# want_stat NAME MIN: the counter is at least MIN
want_stat() {
	local v
	v=$(net_stat "$1")
	[ "${v:-0}" -ge "$2" ] || fail "/stats: $1 is '$v', want >= $2"
	log "  /stats: $1 $v"
}

# victim_ok: the victim keeps its address and reaches the gateway
victim_ok() {
	ip -n "$NS" -4 -o addr show dev tap0 | grep -q " $G_IP/24 " ||
		fail "the victim lost $G_IP: $(ip -n "$NS" -4 -o addr show dev tap0)"
	ns_ping "$NS" "$GW" 2 || fail "the victim cannot ping $GW any more"
}

# --- VLAN tags ----------------------------------------------------------------

log "VLAN 0 tagged gratuitous ARP claiming $GW"
ip -n "$NS" neigh show "$GW" | grep -q "lladdr $GW_MAC" ||
	fail "the victim has no neighbour entry for $GW: $(ip -n "$NS" neigh)"
sleep 1.2 # past the neighbour entry's locktime (1 s)
out=$(timeout 20 python3 "$RAW" "$Q" vlan "$GW" 0 2>&1) ||
	fail "raw guest: $out"
sleep 0.5
got=$(ip -n "$NS" neigh show "$GW")
grep -q "lladdr $GW_MAC" <<<"$got" ||
	fail "the victim's neighbour entry for $GW changed: $got"
log "  victim: $got"
victim_ok
want_stat drop_vlan 9

# --- IPv6 first-hop attacks -----------------------------------------------------

log "IPv6: router advertisements, redirect, DHCPv6, NA for the gateway"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.tap0.disable_ipv6=0 \
	net.ipv6.conf.tap0.accept_ra=1 net.ipv6.conf.tap0.autoconf=1 \
	net.ipv6.conf.tap0.accept_redirects=1 ||
	fail "cannot enable IPv6 router advertisements on the victim"
wait_for 10 "the victim's link-local address" sh -c \
	"ip -n $NS -6 addr show dev tap0 scope link | grep -vq tentative" ||
	fail "the victim has no link-local address"
out=$(timeout 20 python3 "$RAW" "$Q" ipv6 "$GW" 0 2>&1) ||
	fail "raw guest: $out"
sleep 2 # the kernel configures from an RA at once; DAD is not waited for
got=$(ip -n "$NS" -6 addr show dev tap0)
if grep -q 2001:db8 <<<"$got"; then
	fail "the victim took an address from a forged RA: $got"
fi
got=$(ip -n "$NS" -6 route show)
# The network's own RA (libslirp's, from fe80::2) gives a default route.
if grep -q 2001:db8 <<<"$got" ||
	grep "^default" <<<"$got" | grep -vq "via fe80::2 "; then
	fail "the victim took a route from a forged RA: $got"
fi
log "  victim's IPv6 routes: $(tr '\n' ';' <<<"$got")"
want_stat drop_ra 6
want_stat drop_redirect 2
want_stat drop_dhcpv6 2
want_stat drop_na 4
want_stat drop_ipv6_chain 2
victim_ok

# --- the fragment table ---------------------------------------------------------

log "the raw guest fills the fragment table; the victim pings with 3000 bytes"
out=$(timeout 20 python3 "$RAW" "$Q" fragfill "$GW" "$P_UDP" 64 2>&1) ||
	fail "raw guest: $out"
ns_ping "$NS" "$GW" 3 -s 3000 ||
	fail "the victim's fragmented pings to $GW went unanswered"
want_stat drop_frag_share 48

# --- NAT sockets ----------------------------------------------------------------

log "the raw guest opens NAT connections from $NOFILE ports; the victim curls"
mkdir -p "$TMP/www"
echo "victim-$$" >"$TMP/www/index.html"
register_log "$TMP/http.log"
ip netns exec "$HNS" python3 -m http.server --bind 127.0.0.1 \
	--directory "$TMP/www" "$P_HTTP" >"$TMP/http.log" 2>&1 </dev/null &
register_pid $!
register_log "$TMP/listen.log"
ip netns exec "$HNS" python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4096)
time.sleep(600)' "$P_SYN" >"$TMP/listen.log" 2>&1 </dev/null &
register_pid $!
wait_for 10 "the host's servers" sh -c "ip netns exec $HNS ss -Hltn \
	'( sport = :$P_HTTP or sport = :$P_SYN )' | grep -c . | grep -qx 2" ||
	fail "the host's servers did not start"
base=$(net_stat nat_connections)
register_log "$TMP/flood.log"
python3 "$RAW" "$Q" synflood "$GW" "$P_SYN" "$NOFILE" 60 \
	>"$TMP/flood.log" 2>&1 </dev/null &
FLOOD=$!
register_pid "$FLOOD"
wait_for 60 "the raw guest's SYNs" grep -q RESULT "$TMP/flood.log" ||
	fail "raw guest: $(cat "$TMP/flood.log")"
log "  raw guest: $(grep RESULT "$TMP/flood.log")"
got=$(timeout 20 ip netns exec "$NS" curl -sf --noproxy '*' --max-time 10 \
	"http://$GW:$P_HTTP/") || fail "the victim's curl failed"
[ "$got" = "victim-$$" ] || fail "the victim's curl got '$got'"
log "  victim fetched its page"
synacks=$(sed -n 's/.* synacks=\([0-9]*\).*/\1/p' "$TMP/flood.log")
held=$(net_stat nat_connections)
log "  NAT connections: $held (before: $base)"
# the victim's connection may still be closing in libslirp: a few more
[ "$held" -le $((base + GUEST_CAP + 4)) ] ||
	fail "$((held - base)) NAT connections, want <= $GUEST_CAP + the victim's"
[ "${synacks:-0}" -le "$GUEST_CAP" ] ||
	fail "the raw guest got $synacks SYN-ACKs, want <= $GUEST_CAP"
want_stat drop_nat_guest $((NOFILE - GUEST_CAP))
grep -q "holds $GUEST_CAP NAT sockets" "$DLOG" ||
	fail "the daemon did not log the raw guest's full share"
kill "$FLOOD"
wait_for 10 "the raw guest's connections to go" sh -c \
	"[ \$(ip netns exec $HNS ss -Htn state established \
	'( dport = :$P_SYN )' | wc -l) -lt 100 ]" ||
	fail "the raw guest's connections stayed"
victim_ok
daemon_alive "$D"
kill -TERM "$D"
wait_for 10 "usernetd to exit" pid_dead "$D" || fail "usernetd did not exit"
sanitizer_check "$DLOG"
pass
