#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/ipv6.sh BUILD_DIR - IPv6 as guests with nothing but the
# kernel's defaults see it. Every daemon runs in a namespace standing for
# the host, whose only IPv6 address is ::1 (IPv4-only host routing), with
# a dnsmasq upstream (zone example.test, six.example.test has AAAA
# fd00::82) and an HTTP server on [::1]. Guests are namespaces with a TAP.
#
# Slirp network, --mtu 1400, hostResolver.ipv6 false (guest G1):
#  - SLAAC: an address in fec0::/64 and a default route via fe80::2;
#  - the router advertisement (rdisc6) carries MTU 1400 and RDNSS fec0::3,
#    and the guest's IPv6 MTU becomes 1400;
#  - ping -6 fec0::2 and fec0::3 answer;
#  - curl -6 http://[fec0::2]:PORT/ gets the file from the host's [::1];
#  - dig A at fec0::3 and fec0::2, UDP and TCP: dnsmasq's answer; AAAA of
#    six.example.test: NOERROR, no data (hostResolver.ipv6 false);
#  - curl -6 http://[2001:db8::1]/ fails within 2 s (unreachable from a
#    host without IPv6 routes), not by timeout.
# Slirp network, hostResolver.ipv6 true and --no-host-loopback (G2):
#  - AAAA of six.example.test at fec0::3 (UDP) and fec0::2 (TCP): fd00::82;
#  - curl -6 http://[fec0::2]:PORT/ fails;
#  - its --pcap, read by tcpdump after the daemon stops, shows the router
#    advertisement, neighbour discovery, the echo to ::3 and its reply and
#    the DNS query and answer.
# Slirp network with --no-ipv6 (G3): no router advertisement, no address
# but the link-local one.
# user-v2 network (guests UA and UB): each has an address in the network's
# unique-local /64 (fd + 40 bits of an FNV-1a hash of its name, computed
# here apart from the daemon), they ping -6 each other; after a daemon
# restart they get the same addresses again and still ping.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init ipv6 90 "$@"

need_tools dig dnsmasq unshare rdisc6 ss tcpdump

HNS=$(e2e_name host)
G1=$(e2e_name g1)
G1B=$(e2e_name g1b)
G2=$(e2e_name g2)
G3=$(e2e_name g3)
UA=$(e2e_name ua)
UB=$(e2e_name ub)
RESOLV=$TMP/resolv.conf
UP=127.0.0.77
Z=$DNS_ZONE
PFX=fec0::
GW6=fec0::2
DNS6=fec0::3
MAC_A=52:55:55:00:00:1a
MAC_B=52:55:55:00:00:1b

# --- helpers ----------------------------------------------------------------

# addr6 NS PREFIX: print tap0's first address starting with PREFIX that is
# no longer tentative.
addr6() {
	ip -n "$1" -6 -o addr show dev tap0 2>/dev/null |
		awk -v p="$2" '$4 ~ "^" p && !/tentative/ {
			sub("/.*", "", $4); print $4; exit }'
}

# has_addr6 NS PREFIX: true once addr6 finds one.
# shellcheck disable=SC2317 # called through wait_for
has_addr6() {
	[ -n "$(addr6 "$1" "$2")" ]
}

# guest NS SOCK [ATTACH-ARGS...]: a guest on SOCK with tap0 up; from then
# on its kernel solicits routers and configures itself.
guest() {
	local ns=$1 sock=$2
	shift 2
	make_ns "$ns"
	attach "$ns" "$sock" "$@"
	ip -n "$ns" link set tap0 up || fail "tap0 up in $ns"
}

# slaac NS PREFIX: wait for the SLAAC address, set SLAAC to it.
slaac() {
	wait_for 10 "a SLAAC address $2... in $1" has_addr6 "$1" "$2" ||
		fail "$1: no address in $2/64: $(ip -n "$1" -6 -o addr show dev tap0)"
	SLAAC=$(addr6 "$1" "$2")
	log "$1: $SLAAC"
}

# q NS SRV PROTO NAME TYPE: dig from a guest; fail without an answer.
q() {
	Q_WHAT="$1: dig @$2 ($3) $4 $5"
	dns_query "$@" || fail "$Q_WHAT: no answer: $DQ_OUT"
}

# ns_curl NS URL: curl from a guest, stdout the body; curl's status.
ns_curl() {
	timeout 15 ip netns exec "$1" curl -6 -sS --noproxy '*' \
		--connect-timeout 5 --max-time 10 "$2"
}

# ula NAME: the /64 of user-v2 network NAME as its addresses begin in
# canonical form ("fdxx:xxxx:xxxx:").
ula() {
	python3 - "$1" <<'EOF'
import ipaddress, sys
h = 0xCBF29CE484222325
for b in b"usernetd user-v2 " + sys.argv[1].encode():
    h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
p = bytes([0xFD] + [(h >> (8 * i)) & 0xFF for i in range(5)]) + bytes(10)
print(str(ipaddress.IPv6Address(p)).rstrip(":") + ":")
EOF
}

# eui64 PREFIX MAC: the SLAAC address of MAC in PREFIX::/64, canonical.
eui64() {
	python3 - "$1" "$2" <<'EOF'
import ipaddress, sys
m = [int(x, 16) for x in sys.argv[2].split(":")]
iid = bytes([m[0] ^ 2, m[1], m[2], 0xFF, 0xFE, m[3], m[4], m[5]])
net = ipaddress.IPv6Address(sys.argv[1] + ":").packed[:8]
print(ipaddress.IPv6Address(net + iid))
EOF
}

# DNS_TCP_TWICE_PY SERVER NAME FILE: one TCP connection to SERVER:53, an A
# query for NAME answered ("first"), then, once FILE exists (8 s at
# most), a second query on the same connection answered ("second").
DNS_TCP_TWICE_PY='
import os, socket, struct, sys, time
def get(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit("connection closed")
        b += c
    return b
def query(s, i):
    qn = b"".join(bytes([len(p)]) + p for p in sys.argv[2].encode().split(b"."))
    m = struct.pack("!6H", i, 0x0100, 1, 0, 0, 0) + qn + b"\0" + struct.pack("!HH", 1, 1)
    s.sendall(struct.pack("!H", len(m)) + m)
    r = get(s, struct.unpack("!H", get(s, 2))[0])
    rid, fl, qd, an = struct.unpack("!4H", r[:8])
    if rid != i or fl & 15 or not an:
        sys.exit("bad answer id %d flags %x answers %d" % (rid, fl, an))
s = socket.create_connection((sys.argv[1], 53), timeout=5)
query(s, 1)
print("first", flush=True)
end = time.time() + 8
while not os.path.exists(sys.argv[3]) and time.time() < end:
    time.sleep(0.05)
query(s, 2)
print("second", flush=True)
'

# --- the host ---------------------------------------------------------------

make_ns "$HNS"
[ -z "$(ip -n "$HNS" -6 route show default)" ] ||
	fail "$HNS has an IPv6 default route"
start_dns_upstream "$HNS" "$UP" up
printf 'nameserver %s\n' "$UP" >"$RESOLV"
free_port
HTTP_PORT=$FREE_PORT
mkdir -p "$TMP/www"
make_blob "$TMP/www/blob" 64
register_log "$TMP/http.log"
ip netns exec "$HNS" python3 -m http.server --bind ::1 \
	--directory "$TMP/www" "$HTTP_PORT" >"$TMP/http.log" 2>&1 </dev/null &
register_pid $!
wait_for 10 "HTTP server on [::1]:$HTTP_PORT" ip netns exec "$HNS" \
	curl -6 -sf --noproxy '*' -o /dev/null --max-time 1 \
	"http://[::1]:$HTTP_PORT/" || fail "HTTP server on [::1] did not start"

cat >"$TMP/lima-off.yaml" <<EOF
hostResolver:
  hosts: {static.test: 10.7.7.7}
EOF
cat >"$TMP/lima-on.yaml" <<EOF
hostResolver:
  ipv6: true
EOF
cat >"$TMP/networks.yaml" <<EOF
networks:
  user-v2:
    mode: user-v2
    gateway: 192.168.104.1
    netmask: 255.255.255.0
EOF

# Three slirp networks and their guests, set up side by side.
start_daemon_ns "$HNS" "$RESOLV" "$TMP/d1.log" --listen-qemu "$TMP/1.sock" \
	--resolv-conf "$RESOLV" --lima-yaml "$TMP/lima-off.yaml" --mtu 1400
D1=$DAEMON_PID
start_daemon_ns "$HNS" "$RESOLV" "$TMP/d2.log" --listen-qemu "$TMP/2.sock" \
	--resolv-conf "$RESOLV" --lima-yaml "$TMP/lima-on.yaml" \
	--no-host-loopback --pcap "$TMP/d2.pcap"
D2=$DAEMON_PID
start_daemon_ns "$HNS" "$RESOLV" "$TMP/d3.log" --listen-qemu "$TMP/3.sock" \
	--resolv-conf "$RESOLV" --no-ipv6
D3=$DAEMON_PID
guest "$G1" "$TMP/1.sock"
guest "$G1B" "$TMP/1.sock"
G1B_ATTACH=$ATTACH_PID
guest "$G2" "$TMP/2.sock"
guest "$G3" "$TMP/3.sock"

# --- G1: SLAAC, RA options, ping, NAT to [::1], DNS ---------------------------

slaac "$G1" "$PFX"
ip -n "$G1" -6 route show default | grep -q "via fe80::2 dev tap0" ||
	fail "$G1: no default route via fe80::2: $(ip -n "$G1" -6 route)"

log "router advertisement in $G1"
ra=$(timeout 10 ip netns exec "$G1" rdisc6 -1 -r 3 -w 1000 tap0 2>&1) ||
	fail "$G1: rdisc6 got no advertisement: $ra"
grep -Eq "^ *MTU +: +1400 bytes" <<<"$ra" ||
	fail "$G1: no MTU 1400 in the advertisement:"$'\n'"$ra"
grep -Eq "^ *Recursive DNS server +: +$DNS6\$" <<<"$ra" ||
	fail "$G1: no RDNSS $DNS6 in the advertisement:"$'\n'"$ra"
mtu=$(ip netns exec "$G1" cat /proc/sys/net/ipv6/conf/tap0/mtu)
[ "$mtu" = 1400 ] || fail "$G1: IPv6 MTU $mtu, want 1400 from the RA"

log "ping -6 $GW6 and $DNS6"
ns_ping "$G1" "$GW6" 1 || fail "$G1: ping -6 $GW6 failed"
ns_ping "$G1" "$DNS6" 1 || fail "$G1: ping -6 $DNS6 failed"

log "curl -6 http://[$GW6]:$HTTP_PORT/blob (host's [::1])"
ns_curl "$G1" "http://[$GW6]:$HTTP_PORT/blob" >"$TMP/blob.got" ||
	fail "$G1: curl through [$GW6] to the host's [::1] failed"
cmp -s "$TMP/blob.got" "$TMP/www/blob" || fail "$G1: the file differs"

log "DNS at $DNS6 and $GW6"
for srv in "$DNS6" "$GW6"; do
	for proto in udp tcp; do
		q "$G1" "$srv" "$proto" "web.$Z" A
		want_rrs "web.$Z. A 10.0.0.80"
		q "$G1" "$srv" "$proto" static.test A
		want_rrs "static.test. A 10.7.7.7"
		q "$G1" "$srv" "$proto" "six.$Z" AAAA
		want_rrs # hostResolver.ipv6 false: NOERROR, no data
	done
done

log "curl -6 to 2001:db8::1 from a host without IPv6 routes"
t0=$(date +%s%N)
ns_curl "$G1" "http://[2001:db8::1]:80/" >/dev/null 2>"$TMP/unreach.err" &&
	fail "$G1: curl to [2001:db8::1] succeeded"
ms=$((($(date +%s%N) - t0) / 1000000))
log "failed after $ms ms: $(cat "$TMP/unreach.err")"
[ "$ms" -lt 2000 ] || fail "$G1: [2001:db8::1] took $ms ms to fail, want < 2 s"

# --- G1B: a second slirp network of the same daemon, the same fec0::3 -------

log "$G1B: a second network on fec0::/64"
slaac "$G1B" "$PFX"
ns_ping "$G1B" "$DNS6" 1 || fail "$G1B: ping -6 $DNS6 failed"
q "$G1B" "$DNS6" tcp "web.$Z" A
want_rrs "web.$Z. A 10.0.0.80"
log "$G1B leaves; $G1's services host still answers, on its open TCP too"
register_log "$TMP/keep.log"
ip netns exec "$G1" python3 -c "$DNS_TCP_TWICE_PY" "$DNS6" "web.$Z" \
	"$TMP/go" >"$TMP/keep.log" 2>&1 </dev/null &
KEEP_PID=$!
register_pid "$KEEP_PID"
wait_for 5 "the first answer on $G1's TCP connection" grep -q first \
	"$TMP/keep.log" || fail "$G1: no first answer over TCP at $DNS6"
kill "$G1B_ATTACH"
reap "$G1B_ATTACH"
wait_for 3 "$G1B's network to close" grep -q ": closed$" "$TMP/d1.log" ||
	fail "usernetd did not close $G1B's network"
touch "$TMP/go"
wait_for 5 "the second query on $G1's connection" pid_dead "$KEEP_PID" ||
	fail "$G1: the second query on its TCP connection got no answer"
reap "$KEEP_PID"
if [ "$REAP_RC" != 0 ] || ! grep -q second "$TMP/keep.log"; then
	fail "$G1: its TCP connection to $DNS6 died with $G1B's network:" \
		"$(cat "$TMP/keep.log")"
fi
q "$G1" "$DNS6" tcp "web.$Z" A
want_rrs "web.$Z. A 10.0.0.80"
q "$G1" "$GW6" udp "web.$Z" A
want_rrs "web.$Z. A 10.0.0.80"
ns_ping "$G1" "$DNS6" 1 || fail "$G1: ping -6 $DNS6 failed after $G1B left"

# --- G2: AAAA with hostResolver.ipv6, --no-host-loopback ----------------------

slaac "$G2" "$PFX"
q "$G2" "$DNS6" udp "six.$Z" AAAA
want_rrs "six.$Z. AAAA fd00::82"
q "$G2" "$GW6" tcp "six.$Z" AAAA
want_rrs "six.$Z. AAAA fd00::82"
log "curl -6 [$GW6] with --no-host-loopback"
ns_curl "$G2" "http://[$GW6]:$HTTP_PORT/blob" >/dev/null 2>&1 &&
	fail "$G2: curl to the host's [::1] through [$GW6] succeeded"
ns_ping "$G2" "$DNS6" 1 || fail "$G2: ping -6 $DNS6 failed"

# --- G3: --no-ipv6 --------------------------------------------------------------

log "--no-ipv6: no router advertisement"
ra=$(timeout 10 ip netns exec "$G3" rdisc6 -1 -r 2 -w 1000 tap0 2>&1) &&
	fail "$G3: an advertisement with --no-ipv6:"$'\n'"$ra"
v=$(ip -n "$G3" -6 -o addr show dev tap0 scope global; \
	ip -n "$G3" -6 -o addr show dev tap0 scope site)
[ -z "$v" ] || fail "$G3: an address with --no-ipv6: $v"

# --- user-v2: two guests, restart ---------------------------------------------

ULA=$(ula user-v2)
WANT_A=$(eui64 "$ULA" "$MAC_A")
WANT_B=$(eui64 "$ULA" "$MAC_B")
log "user-v2 prefix ${ULA}:/64: $WANT_A, $WANT_B"

# userv2_round: daemon and two guests; both addresses as computed, pings.
userv2_round() {
	start_daemon_ns "$HNS" "$RESOLV" "$TMP/d4.log" \
		--networks "$TMP/networks.yaml" --network user-v2 \
		--listen-qemu "$TMP/4.sock" --resolv-conf "$RESOLV"
	D4=$DAEMON_PID
	ip netns list | grep -q "^$UA" || make_ns "$UA"
	ip netns list | grep -q "^$UB" || make_ns "$UB"
	attach "$UA" "$TMP/4.sock" --mac "$MAC_A"
	ip -n "$UA" link set tap0 up
	attach "$UB" "$TMP/4.sock" --mac "$MAC_B"
	ip -n "$UB" link set tap0 up
	slaac "$UA" "$ULA"
	[ "$SLAAC" = "$WANT_A" ] || fail "$UA: $SLAAC, want $WANT_A"
	slaac "$UB" "$ULA"
	[ "$SLAAC" = "$WANT_B" ] || fail "$UB: $SLAAC, want $WANT_B"
	ns_ping "$UA" "$WANT_B" 2 || fail "ping -6 $UA -> $WANT_B failed"
	ns_ping "$UB" "$WANT_A" 2 || fail "ping -6 $UB -> $WANT_A failed"
}

userv2_round
log "user-v2: restart"
stop_daemon "$D4" "$TMP/4.sock" ""
wait_for 3 "tap0 to go in $UA" sh -c "! ip -n $UA link show tap0" ||
	fail "tap0 still in $UA after the daemon stopped"
wait_for 3 "tap0 to go in $UB" sh -c "! ip -n $UB link show tap0" ||
	fail "tap0 still in $UB after the daemon stopped"
userv2_round

log "SIGTERM to every daemon"
stop_daemon "$D4" "$TMP/4.sock" ""
stop_daemon "$D1" "$TMP/1.sock" ""
stop_daemon "$D2" "$TMP/2.sock" ""
stop_daemon "$D3" "$TMP/3.sock" ""
for i in 1 2 3 4; do
	sanitizer_check "$TMP/d$i.log"
done

log "the capture of $G2's network shows its IPv6"
tcpdump -nn -r "$TMP/d2.pcap" >"$TMP/d2.txt" 2>&1 ||
	fail "tcpdump cannot read the capture: $(tail -3 "$TMP/d2.txt")"
for want in "fe80::2 > ff02::1: ICMP6, router advertisement" \
	"> $DNS6: ICMP6, echo request" "$DNS6 > fec0::.*: ICMP6, echo reply" \
	"> $DNS6.53: .* AAAA\\? six.$Z" "$DNS6.53 > fec0::.* AAAA fd00::82" \
	"ICMP6, neighbor solicitation, who has $DNS6"; do
	grep -Eq -- "$want" "$TMP/d2.txt" ||
		fail "no '$want' in the capture:"$'\n'"$(head -40 "$TMP/d2.txt")"
done
pass
