#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# e2e-timeout: 240
#
# tests/e2e/ipv6_names.sh BUILD_DIR - IPv6 names and forwards (issue 17).
# Two user-v2 daemons in a namespace standing for the host, each with one
# guest namespace (udhcpc -x hostname:lima-TAG, SLAAC from the router
# advertisement, EUI-64 address from its MAC): daemon v6 has lima.yaml
# hostResolver.ipv6 true and prefix fd00:6:6:6::/64, daemon v4 has it false
# and prefix fd00:4:4:4::/64.
#  - the guest's SLAAC address is prefix + EUI-64 of its MAC;
#  - dig @PREFIX::3 AAAA lima-v6.internal from the guest: its address
#    (learned from its duplicate address detection); A still its lease;
#  - with hostResolver.ipv6 false: AAAA lima-v4.internal is NOERROR with no
#    answer, A is the lease;
#  - usernetctl addresses: the guest's SLAAC and link-local addresses,
#    with its MAC;
#  - dig -x of each guest's IPv6 address: its name (PTR in ip6.arpa; the
#    address is the network's whatever hostResolver.ipv6 says);
#  - --forward tcp:[::1]:P:[GUEST6]:7001 reaches a server in the guest
#    listening on IPv6 only; udp:[::1]:P:[GUEST6]:7002 an IPv6 UDP echo;
#  - --forward tcp:127.0.0.1:P:[GUEST6]:7001 (host IPv4 to guest IPv6,
#    relayed): a round trip, and 2 MB echoed back whole (sha256), the
#    half-close relayed both ways;
#  - --forward tcp:[::]:P:[GUEST6]:7001 takes both 127.0.0.1 and [::1];
#  - --forward udp:127.0.0.1:P:[GUEST6]:7002 (relayed): the IPv6 UDP echo;
#  - --forward tcp:::1:P:22 (no brackets), an open '[' and a zone id are
#    refused at start, exit 2, with a message naming the fault;
#  - API expose {"local":"[::1]:P","remote":"[GUEST6]:7001"}: 200, traffic,
#    listed by forwarder/all; unexpose: 200, and the port is closed;
#    expose of [::1] to the guest's IPv4 address (a server on IPv4 only):
#    traffic, unexpose closes it; an unbracketed IPv6 local, and a zone
#    id in the remote, are 400;
#  - SIGTERM: both daemons exit at once with status 0, and an ASan build
#    reported nothing.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init ipv6_names 200 "$@"

need_tools dig

NET=192.168.104
P6=fd00:6:6:6
P4=fd00:4:4:4
HNS=$(e2e_name host)
G6=$(e2e_name g6)
G4=$(e2e_name g4)
RESOLV=$TMP/resolv.conf
MAC6=52:55:55:00:00:0a
MAC4=52:55:55:00:00:0b
# SLAAC's EUI-64 interface ids of those MACs (RFC 4291 appendix A)
A6=$P6:5055:55ff:fe00:a
A4=$P4:5055:55ff:fe00:b

make_ns "$HNS"
printf 'nameserver 127.0.0.90\n' >"$RESOLV"

# Refused at start: exit 2 with a message naming the fault.
refused_forward() {
	local fwd=$1 why=$2 out rc=0
	out=$(ip netns exec "$HNS" "$USERNETD" --mode user-v2 \
		--subnet "$NET.0/24" --listen-qemu "$TMP/refused.sock" \
		--forward "$fwd" 2>&1) || rc=$?
	[ "$rc" = 2 ] || fail "--forward $fwd: exit $rc, want 2 ($out)"
	grep -q -- "$why" <<<"$out" ||
		fail "--forward $fwd: '$out' does not say '$why'"
}
refused_forward "tcp:[::1:2200:22" "without its ']'"
refused_forward "tcp:::1:2200:22" "brackets"
refused_forward "tcp:[fe80::1%lo]:2200:22" "zone"

# daemon TAG IPV6 PREFIX ARGS...: a user-v2 daemon with hostResolver.ipv6
# IPV6, endpoint $TMP/ep-TAG.sock, VM socket $TMP/TAG.sock. Sets DLOG.
daemon() {
	local tag=$1 v6=$2 prefix=$3
	shift 3
	printf 'hostResolver:\n  ipv6: %s\n' "$v6" >"$TMP/lima-$tag.yaml"
	DLOG=$TMP/usernetd-$tag.log
	start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --mode user-v2 \
		--subnet "$NET.0/24" --ipv6-prefix "$prefix::/64" \
		-e "$TMP/ep-$tag.sock" --listen-qemu "$TMP/$tag.sock" \
		--resolv-conf "$RESOLV" --lima-yaml "$TMP/lima-$tag.yaml" "$@"
	wait_for 5 "usernetd $tag to serve its API" \
		grep -q "(control API)" "$DLOG" ||
		fail "usernetd $tag does not serve its API"
}

# has_addr6 NS ADDR: NS's tap0 has ADDR, past duplicate address detection.
# shellcheck disable=SC2317 # called through wait_for
has_addr6() {
	ip -n "$1" -6 -o addr show dev tap0 | grep " $2/64 " | grep -qv tentative
}

# guest NS TAG MAC ADDR6: attach NS to daemon TAG with MAC, get a lease
# as lima-TAG, wait for the SLAAC address ADDR6.
guest() {
	make_ns "$1"
	mkdir -p "/etc/netns/$1"
	printf 'nameserver %s.3\n' "$NET" >"/etc/netns/$1/resolv.conf"
	attach "$1" "$TMP/$2.sock" --mac "$3"
	dhcp "$1" tap0 "$TMP/lease-$1" -x hostname:"lima-$2" ||
		fail "udhcpc got no lease in $1"
	wait_for 15 "SLAAC address $4 in $1" has_addr6 "$1" "$4" ||
		fail "$1: no SLAAC address $4: $(ip -n "$1" -6 -o addr show dev tap0)"
}

# dq NS SERVER ARGS...: dig from NS, short answers; sets DQ (the answers)
# and DQ_STATUS (the rcode of the full answer).
dq() {
	local ns=$1 server=$2 full
	shift 2
	full=$(ip netns exec "$ns" dig +time=2 +tries=3 @"$server" "$@") ||
		fail "dig @$server $* from $ns failed: $full"
	DQ_STATUS=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$full")
	DQ=$(ip netns exec "$ns" dig +time=2 +tries=3 +short @"$server" "$@")
}

daemon v6 true $P6 --forward "tcp:[::1]:2201:[$A6]:7001" \
	--forward "udp:[::1]:2202:[$A6]:7002" \
	--forward "tcp:127.0.0.1:2204:[$A6]:7001" \
	--forward "tcp:[::]:2207:[$A6]:7001" \
	--forward "udp:127.0.0.1:2208:[$A6]:7002"
D6=$DAEMON_PID
D6LOG=$DLOG
EP6=$TMP/ep-v6.sock
daemon v4 false $P4
D4=$DAEMON_PID
D4LOG=$DLOG
guest "$G6" v6 $MAC6 "$A6"
guest "$G4" v4 $MAC4 "$A4"
IP6=$(lease_get "$TMP/lease-$G6" ip)
IP4=$(lease_get "$TMP/lease-$G4" ip)

# --- AAAA and PTR of the network's names ---------------------------------

log "AAAA lima-v6.internal at $P6::3 (hostResolver.ipv6 true)"
# The ownership table learns the address from the guest's DAD: the name
# follows at once, but give the guest's own traffic a moment if it did not.
wait_for 5 "AAAA of lima-v6.internal" sh -c \
	"ip netns exec $G6 dig +short +time=1 @$P6::3 AAAA lima-v6.internal |
	grep -qx '$A6'" || {
	dq "$G6" "$P6::3" AAAA lima-v6.internal
	fail "AAAA lima-v6.internal: '$DQ' ($DQ_STATUS), want $A6"
}
dq "$G6" "$P6::3" A lima-v6.internal
[ "$DQ" = "$IP6" ] || fail "A lima-v6.internal: '$DQ', want $IP6"
dq "$G6" "$P6::3" -x "$A6"
[ "$DQ" = lima-v6.internal. ] ||
	fail "PTR of $A6: '$DQ' ($DQ_STATUS), want lima-v6.internal."

log "usernetctl addresses lists the guest's address and its MAC"
# The daemon's endpoint is in the host namespace's filesystem view: the
# same files, so usernetctl runs from here.
out=$("$USERNETCTL" -e "$EP6" addresses) || fail "usernetctl addresses failed"
grep -Eq "^$A6 +$MAC6\$" <<<"$out" ||
	fail "usernetctl addresses does not list $A6 $MAC6: $out"
grep -Eq "^fe80::5055:55ff:fe00:a +$MAC6\$" <<<"$out" ||
	fail "usernetctl addresses does not list the link-local address: $out"

log "AAAA lima-v4.internal at $P4::3 (hostResolver.ipv6 false)"
dq "$G4" "$P4::3" A lima-v4.internal
[ "$DQ" = "$IP4" ] || fail "A lima-v4.internal: '$DQ', want $IP4"
dq "$G4" "$P4::3" AAAA lima-v4.internal
if [ -n "$DQ" ] || [ "$DQ_STATUS" != NOERROR ]; then
	fail "AAAA lima-v4.internal with ipv6 false: '$DQ' ($DQ_STATUS)," \
		"want NOERROR and no answer"
fi
wait_for 5 "PTR of $A4" sh -c \
	"ip netns exec $G4 dig +short +time=1 @$P4::3 -x $A4 |
	grep -qx lima-v4.internal." || {
	dq "$G4" "$P4::3" -x "$A4"
	fail "PTR of $A4: '$DQ' ($DQ_STATUS), want lima-v4.internal."
}

# --- forwards to the guest's IPv6 address --------------------------------

# Servers in guest v6 on IPv6 only: TCP echo on 7001, UDP echo on 7002;
# on IPv4 only: TCP echo on 7003.
ip netns exec "$G6" socat TCP6-LISTEN:7001,ipv6only=1,reuseaddr,fork \
	EXEC:cat >"$TMP/tcp6echo.log" 2>&1 </dev/null &
register_pid $!
ip netns exec "$G6" socat TCP4-LISTEN:7003,reuseaddr,fork \
	EXEC:cat >"$TMP/tcp4echo.log" 2>&1 </dev/null &
register_pid $!
ip netns exec "$G6" python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("::", 7002))
while True:
    d, a = s.recvfrom(65535)
    s.sendto(d, a)
' >"$TMP/udp6echo.log" 2>&1 </dev/null &
register_pid $!
wait_for 5 "the guest's IPv6 servers" sh -c \
	"ip netns exec $G6 ss -Hltn 'sport = :7001' | grep -q . &&
	ip netns exec $G6 ss -Hltn 'sport = :7003' | grep -q . &&
	ip netns exec $G6 ss -Hlun 'sport = :7002' | grep -q ." ||
	fail "the IPv6 servers did not start in $G6"

# tcp_rr_ns4 PORT MSG: one TCP round trip from the host namespace to
# 127.0.0.1:PORT.
tcp_rr_ns4() {
	printf '%s\n' "$2" | timeout 10 ip netns exec "$HNS" \
		socat -t 5 - "TCP4:127.0.0.1:$1,connect-timeout=5"
}

# tcp6_rr PORT MSG: one TCP round trip from the host namespace to [::1]:PORT.
tcp6_rr() {
	printf '%s\n' "$2" | timeout 10 ip netns exec "$HNS" \
		socat -t 5 - "TCP6:[::1]:$1,connect-timeout=5"
}

log "--forward tcp:[::1]:2201:[$A6]:7001"
got=$(tcp6_rr 2201 "tcp6-$$") || fail "TCP [::1]:2201: socat failed"
[ "$got" = "tcp6-$$" ] || fail "TCP [::1]:2201 answered '$got'"

log "--forward udp:[::1]:2202:[$A6]:7002"
got=$(timeout 10 ip netns exec "$HNS" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(1.0)
for attempt in range(5):
    s.sendto(sys.argv[1].encode(), ("::1", 2202))
    try:
        sys.stdout.write(s.recvfrom(65535)[0].decode())
        sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
' "udp6-$$") || fail "UDP [::1]:2202: no answer"
[ "$got" = "udp6-$$" ] || fail "UDP [::1]:2202 answered '$got'"

log "--forward tcp:127.0.0.1:2204:[$A6]:7001 (relayed between families)"
got=$(tcp_rr_ns4 2204 "tcp4to6-$$") || fail "TCP 127.0.0.1:2204: socat failed"
[ "$got" = "tcp4to6-$$" ] || fail "TCP 127.0.0.1:2204 answered '$got'"
head -c 2097152 /dev/urandom >"$TMP/blob"
timeout 30 ip netns exec "$HNS" socat -t 10 - \
	TCP4:127.0.0.1:2204,connect-timeout=5 <"$TMP/blob" >"$TMP/blob.back" ||
	fail "2 MB through 127.0.0.1:2204: socat failed"
[ "$(sha256sum <"$TMP/blob")" = "$(sha256sum <"$TMP/blob.back")" ] ||
	fail "2 MB through 127.0.0.1:2204: $(stat -c %s "$TMP/blob.back")" \
		"bytes came back, not the same"

log "--forward tcp:[::]:2207:[$A6]:7001 (both families)"
got=$(tcp6_rr 2207 "any6-$$") || fail "TCP [::1]:2207: socat failed"
[ "$got" = "any6-$$" ] || fail "TCP [::1]:2207 answered '$got'"
got=$(tcp_rr_ns4 2207 "any4-$$") || fail "TCP 127.0.0.1:2207: socat failed"
[ "$got" = "any4-$$" ] || fail "TCP 127.0.0.1:2207 answered '$got'"

log "--forward udp:127.0.0.1:2208:[$A6]:7002 (relayed between families)"
got=$(udp_rr "$HNS" 127.0.0.1 2208 "udp4to6-$$") ||
	fail "UDP 127.0.0.1:2208: no answer"
[ "$got" = "udp4to6-$$" ] || fail "UDP 127.0.0.1:2208 answered '$got'"

# --- the API's expose and unexpose with IPv6 -----------------------------

EXPOSE="{\"local\":\"[::1]:2203\",\"remote\":\"[$A6]:7001\",\"protocol\":\"tcp\"}"
log "expose $EXPOSE"
api_expect "$EP6" POST /services/forwarder/expose 200 "$EXPOSE"
got=$(tcp6_rr 2203 "api6-$$") || fail "TCP [::1]:2203: socat failed"
[ "$got" = "api6-$$" ] || fail "TCP [::1]:2203 answered '$got'"
api_expect "$EP6" GET /services/forwarder/all 200
json_eval "any(f == {'local': '[::1]:2203', 'remote': '[$A6]:7001',
	'protocol': 'tcp'} for f in j)" <<<"$API_BODY" | grep -qx True ||
	fail "forwarder/all does not list the IPv6 forward: $API_BODY"
api_expect "$EP6" POST /services/forwarder/expose 400 \
	"{\"local\":\"[::1]:2205\",\"remote\":\"[fe80::1%tap0]:7001\"}"
api_expect "$EP6" POST /services/forwarder/expose 400 \
	"{\"local\":\"::1:2204\",\"remote\":\"[$A6]:7001\"}"
api_expect "$EP6" POST /services/forwarder/unexpose 200 \
	'{"local":"[::1]:2203","protocol":"tcp"}'
if tcp6_rr 2203 "gone-$$" >/dev/null 2>&1; then
	fail "[::1]:2203 still answers after unexpose"
fi
api_expect "$EP6" GET /services/forwarder/all 200
grep -q '2203' <<<"$API_BODY" &&
	fail "forwarder/all still lists [::1]:2203: $API_BODY"

EXPOSE="{\"local\":\"[::1]:2206\",\"remote\":\"$IP6:7003\"}"
log "expose $EXPOSE (relayed between families)"
api_expect "$EP6" POST /services/forwarder/expose 200 "$EXPOSE"
got=$(tcp6_rr 2206 "6to4-$$") || fail "TCP [::1]:2206: socat failed"
[ "$got" = "6to4-$$" ] || fail "TCP [::1]:2206 answered '$got'"
api_expect "$EP6" POST /services/forwarder/unexpose 200 '{"local":"[::1]:2206"}'
if tcp6_rr 2206 "gone-$$" >/dev/null 2>&1; then
	fail "[::1]:2206 still answers after unexpose"
fi

stop_daemon "$D6" "$TMP/v6.sock" ""
stop_daemon "$D4" "$TMP/v4.sock" ""
sanitizer_check "$D6LOG"
sanitizer_check "$D4LOG"
pass
