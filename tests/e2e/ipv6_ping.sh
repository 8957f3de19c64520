#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/ipv6_ping.sh BUILD_DIR - guests' ICMPv6 echo to the outside
# (packet/ping6.c), which libslirp 4.7 drops. usernetd runs in a namespace
# standing for the host, so that its ping sockets' sysctl
# (net.ipv4.ping_group_range, per namespace) and its IPv6 routes are the
# test's: 2001:db8:1::1/64 on a veth (no dummy module here), and
# 2001:db8:3::/64 routed to a neighbour that never answers (a permanent
# neighbour entry: the requests leave and vanish). No default route. A
# guest namespace on the slirp network gets its address by SLAAC:
#  - ping -6 2001:db8:1::1 from the guest: every echo answered; /stats
#    ping6.sent and .replies count them;
#  - ping -6 2001:db8:99::1 (no route on the host): "Destination
#    unreachable: No route" within 2 s, not a timeout; ping6.unreach;
#  - ping_group_range "1 0" (ping sockets refused): "Administratively
#    prohibited" within 2 s; ping6.refused; the log names the sysctl;
#  - a flood of 300 echo requests to 300 silent destinations: the host
#    never holds more ICMPv6 sockets than the network's bound
#    (PING6_NET_MAX, 128: a slirp network's one VM may use all of it; read
#    in /proc/net/icmp6 of the host namespace), ping6.sent grows by 128
#    and the rest is counted in ping6.drop_net; the guest's next ping is
#    dropped too while the bound is full; once the echoes time out (10 s,
#    ping6.timeouts), no socket is left and ping answers again;
#  - a user-v2 network with guests A and B: A's flood is held to a
#    guest's share (PING6_GUEST_MAX, 32; ping6.drop_guest) and B's ping
#    is answered all the same;
#  - the daemon keeps running; SIGTERM: exit within 1 s, status 0.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init ipv6_ping 90 "$@"

need_tools unshare

HNS=$(e2e_name host)
NS=$(e2e_name guest)
SOCK=$TMP/qemu.sock
API=$TMP/api.sock
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
REMOTE=2001:db8:1::1 # on the host namespace's veth
NOROUTE=2001:db8:99::1
SILENT=2001:db8:3 # /64 routed to a neighbour that never answers
GUEST_MAX=32	  # PING6_GUEST_MAX
NET_MAX=128	  # PING6_NET_MAX

make_ns "$HNS"
make_ns "$NS"
ip -n "$HNS" link add v0 type veth peer name v1 || fail "veth in $HNS"
ip netns exec "$HNS" sysctl -qw net.ipv6.conf.v1.disable_ipv6=1 \
	net.ipv4.ping_group_range="0 2147483647" ||
	fail "sysctls of $HNS"
ip -n "$HNS" link set v1 up && ip -n "$HNS" link set v0 up &&
	ip -n "$HNS" addr add "$REMOTE/64" dev v0 nodad &&
	ip -n "$HNS" -6 neigh add fe80::99 lladdr 02:00:00:00:00:99 \
		dev v0 nud permanent &&
	ip -n "$HNS" -6 route add "$SILENT::/64" via fe80::99 dev v0 ||
	fail "addresses and routes of $HNS"
printf 'nameserver 127.0.0.1\n' >"$RESOLV"

# start_net ARGS...: usernetd in $HNS with ARGS (API $API, VMs at $SOCK)
start_net() {
	rm -f "$SOCK" "$API"
	start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --listen-qemu "$SOCK" \
		-e "$API" "$@"
	D=$DAEMON_PID
	wait_for 5 "API socket" test -S "$API" || fail "no API socket $API"
}

# slaac NS: attach NS and wait for its SLAAC address and default route
slaac() {
	attach "$1" "$SOCK"
	ip -n "$1" link set tap0 up || fail "tap0 up in $1"
	# fec0::/64 is site-local scope to the kernel
	wait_for 15 "a SLAAC address on tap0 in $1" sh -c \
		"ip -n $1 -6 -o addr show dev tap0 | grep -v ' fe80::' | grep -v tentative | grep -q ." ||
		fail "no SLAAC address in $1: $(ip -n "$1" -6 -o addr show dev tap0)"
	wait_for 5 "a default route in $1" sh -c \
		"ip -n $1 -6 route show default | grep -q 'via fe80::2'" ||
		fail "no default route via fe80::2 in $1: $(ip -n "$1" -6 route)"
	log "$1: $(ip -n "$1" -6 -o addr show dev tap0 | awk '{print $4}' | tr '\n' ' ')"
}

# ping6_fetch: read the network's ping6 counters of /stats into P (one
# request: this machine may be slow, and the flood's echoes expire)
declare -A P
ping6_fetch() {
	local k v
	api_call "$API" GET /stats
	[ "$API_CODE" = 200 ] || fail "GET /stats: HTTP $API_CODE"
	P=()
	while read -r k v; do
		P[$k]=$v
	done < <(json_eval "'\\n'.join('%s %s' % kv for kv in j['networks'][0]['ping6'].items())" <<<"$API_BODY")
	[ -n "${P[sent]:-}" ] || fail "/stats has no ping6 counters: $API_BODY"
}

# want_stat NAME OP VALUE: the counter, as last fetched, compares so
want_stat() {
	test "${P[$1]}" "$2" "$3" ||
		fail "/stats: ping6.$1 is '${P[$1]}', want $2 $3"
	log "  /stats: ping6.$1 ${P[$1]}"
}

# ping_fails_fast ADDR WORDS: one echo to ADDR is answered "Destination
# unreachable: WORDS" within 2 s (ping -W 5 would wait 5 s for nothing)
ping_fails_fast() {
	local t0 ms out
	t0=$(date +%s%N)
	out=$(timeout 10 ip netns exec "$NS" ping -6 -n -c 1 -W 5 "$1" 2>&1)
	ms=$((($(date +%s%N) - t0) / 1000000))
	log "  ping $1: $(grep -m1 -i unreachable <<<"$out") (${ms} ms)"
	grep -q "Destination unreachable: $2" <<<"$out" ||
		fail "ping $1: no 'Destination unreachable: $2': $out"
	[ "$ms" -lt 2000 ] || fail "ping $1: the unreachable took ${ms} ms"
}

# icmp6_sockets: ICMPv6 sockets the host namespace holds (the daemon's)
icmp6_sockets() {
	ip netns exec "$HNS" sh -c 'tail -n +2 /proc/net/icmp6 | wc -l'
}

log "slirp network"
start_net
slaac "$NS"

# taken_at_least N: ping6.sent + .drop_guest + .drop_net is at least N
taken_at_least() {
	ping6_fetch
	[ $((P[sent] + P[drop_guest] + P[drop_net])) -ge "$1" ]
}

# no_sockets: the host namespace holds no ICMPv6 socket
no_sockets() {
	[ "$(icmp6_sockets)" = 0 ]
}

log "ping -6 $REMOTE"
ns_ping "$NS" "$REMOTE" 3 -6 || fail "ping -6 $REMOTE from the guest failed"
ping6_fetch
want_stat replies -ge 3
want_stat sent -ge 3

log "ping -6 $NOROUTE: no route on the host"
ping_fails_fast "$NOROUTE" "No route"
ping6_fetch
want_stat unreach -ge 1

log "ping sockets refused (net.ipv4.ping_group_range 1 0)"
ip netns exec "$HNS" sysctl -qw net.ipv4.ping_group_range="1 0" ||
	fail "cannot set ping_group_range"
ping_fails_fast "$REMOTE" "Administratively prohibited"
ping6_fetch
want_stat refused -ge 1
grep -q 'net.ipv4.ping_group_range' "$DLOG" ||
	fail "the log does not name net.ipv4.ping_group_range"
ip netns exec "$HNS" sysctl -qw net.ipv4.ping_group_range="0 2147483647" ||
	fail "cannot reset ping_group_range"
ns_ping "$NS" "$REMOTE" 1 -6 || fail "ping -6 $REMOTE after the reset failed"

# flood NS: 300 echo requests from NS to 300 silent destinations; waits
# until the daemon took them all (sent or dropped)
FLOOD_PY='
import socket, struct, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
for i in range(1, 301):
    # type 128, code 0, checksum (the kernel fills it), id, seq, data
    s.sendto(struct.pack("!BBHHH", 128, 0, 0, 0x6666, i) + b"flood" * 8,
             ("%s::%x" % (sys.argv[1], i), 0))
'
flood() {
	local before
	ping6_fetch
	before=$((P[sent] + P[drop_guest] + P[drop_net]))
	timeout 20 ip netns exec "$1" python3 -c "$FLOOD_PY" "$SILENT" ||
		fail "the flood script failed in $1"
	wait_for 5 "all 300 taken" taken_at_least $((before + 300)) ||
		fail "the daemon did not take the 300 requests"
	FLOOD_HELD=$(icmp6_sockets)
	log "  ICMPv6 sockets held: $FLOOD_HELD"
}

log "flood: 300 echo requests to 300 silent destinations"
ping6_fetch
sent0=${P[sent]}
drop0=${P[drop_net]}
timeouts0=${P[timeouts]}
[ "$(icmp6_sockets)" = 0 ] || fail "ICMPv6 sockets left before the flood"
flood "$NS"
# the echoes expire 10 s after the flood: the checks that need them
# pending come first
log "  the network's bound is full: the guest's next echo is dropped"
out=$(timeout 10 ip netns exec "$NS" ping -6 -n -c 1 -W 1 "$REMOTE" 2>&1) &&
	fail "ping -6 $REMOTE answered while the bound is full: $out"
ping6_fetch
[ "$FLOOD_HELD" -le "$NET_MAX" ] && [ "$FLOOD_HELD" -gt 0 ] ||
	fail "$FLOOD_HELD ICMPv6 sockets held, want 1 to $NET_MAX"
want_stat sent -eq $((sent0 + NET_MAX))
want_stat drop_net -eq $((drop0 + 301 - NET_MAX))
want_stat drop_guest -eq 0

log "the flood's echoes time out (10 s): sockets closed, ping answers"
wait_for 15 "no ICMPv6 socket left" no_sockets ||
	fail "$(icmp6_sockets) ICMPv6 sockets still held"
ping6_fetch
want_stat timeouts -ge $((timeouts0 + NET_MAX))
ns_ping "$NS" "$REMOTE" 2 -6 || fail "ping -6 $REMOTE after the flood failed"
daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""

log "user-v2 network: guest A floods, guest B pings"
NA=$(e2e_name a)
NB=$(e2e_name b)
make_ns "$NA"
make_ns "$NB"
start_net --mode user-v2
slaac "$NA"
slaac "$NB"
ns_ping "$NB" "$REMOTE" 1 -6 || fail "ping -6 $REMOTE from B failed"
flood "$NA"
out=$(timeout 10 ip netns exec "$NA" ping -6 -n -c 1 -W 1 "$REMOTE" 2>&1) &&
	fail "ping -6 $REMOTE from A answered while its share is full: $out"
ns_ping "$NB" "$REMOTE" 3 -6 ||
	fail "ping -6 $REMOTE from B failed while A holds its share"
ping6_fetch
[ "$FLOOD_HELD" -le "$GUEST_MAX" ] && [ "$FLOOD_HELD" -gt 0 ] ||
	fail "$FLOOD_HELD ICMPv6 sockets held, want 1 to $GUEST_MAX"
want_stat sent -ge $((1 + GUEST_MAX + 3))
want_stat drop_guest -eq $((301 - GUEST_MAX))
want_stat drop_net -eq 0

daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""
pass
