#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 180
#
# tests/e2e/isolation_ipv6.sh BUILD_DIR - IPv6 without spoofing (issue 17,
# lan/own6.c, lan/netguard.c, packet/l2guard.c): a user-v2 network with
# IPv6 (fd00:6:6:6::/64) shared by two real guests (network namespaces
# with TAPs: the victim and the other guest, both configured by SLAAC
# from the gateway's router advertisement with the kernel's defaults) and
# a raw guest (raw_guest.py) writing hostile frames to the QEMU socket:
#  - the raw guest takes an address of the prefix for its own (first use)
#    and pings the gateway from it: answered; it leaves, and a new raw
#    guest takes the same address: answered again (released on leave);
#  - it takes the victim's address (NA naming its MAC, echo requests from
#    it): nothing answered; drop_na and drop_spoof6 count it;
#  - a forged RA, NAs for the victim's address, packets from the victim's
#    address and from outside the prefix, DAD for the victim's address,
#    an NS for the other guest whose link-layer option names the victim's
#    MAC: drop_ra, drop_na, drop_spoof6, drop_src6, drop_dad6 and
#    drop_nd_lladdr count them;
#  - the victim keeps its address (not dadfailed), takes no address or
#    route from the RA; the other guest's neighbour entries keep the
#    victim's address on the victim's MAC and give no other address the
#    victim's MAC; the victim still pings -6 the other guest and the
#    gateway;
#  - two slirp networks (the same fec0::/64) with a guest each at
#    fec0::100 (different MACs) ask DNS at fec0::3 in turn: every query is
#    answered (the services host's replies go to the MAC of the address's
#    owner in their own network, net_svc_dst6());
#  - the daemons exit on SIGTERM with no sanitizer report (ASan builds).
# Checked by reverting: without net_svc_dst6()'s MAC the second slirp
# guest's query went unanswered; without the NA target check the other
# guest's entry for the victim took the raw guest's MAC; without the
# link-layer option check the other guest had the victim's MAC for the
# raw guest's link-local address; without the release on leave the
# second raw guest's pings went unanswered; without the source check or
# the DAD check only their counters showed it (the gateway's replies to
# the victim's address went to the victim; the victim defended its
# address), and the test failed on them.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init isolation_ipv6 180 "$@"

need_tools dig

HNS=$(e2e_name host)
NSV=$(e2e_name victim)
NSO=$(e2e_name other)
NS1=$(e2e_name slirp1)
NS2=$(e2e_name slirp2)
Q=$TMP/q.sock
EP=$TMP/ep.sock
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
PFX=fd00:6:6:6
GW6=$PFX::2
MAC_V=52:55:55:1e:00:01
MAC_O=52:55:55:1e:00:02
printf 'nameserver 127.0.0.1\n' >"$RESOLV"

make_ns "$HNS"
start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --mode user-v2 \
	--subnet 192.168.5.0/24 --ipv6-prefix "$PFX::/64" -e "$EP" \
	--listen-qemu "$Q"
D=$DAEMON_PID
wait_for 5 "the API socket" test -S "$EP" || fail "usernetd made no API socket"

# slaac_addr NS: print the guest's global address in the prefix, once it
# has left "tentative"
slaac_addr() {
	ip -n "$1" -6 -o addr show dev tap0 scope global 2>/dev/null |
		grep -v tentative | grep -o "$PFX:[0-9a-f:]*" | head -n 1
}

for g in "$NSV:$MAC_V" "$NSO:$MAC_O"; do
	make_ns "${g%%:*}"
	attach "${g%%:*}" "$Q" --mac "${g#*:}"
done
for ns in "$NSV" "$NSO"; do
	wait_for 20 "a SLAAC address in $ns" sh -c "ip -n $ns -6 -o addr show \
		dev tap0 scope global | grep $PFX: | grep -vq tentative" ||
		fail "$ns got no SLAAC address: $(ip -n "$ns" -6 addr show dev tap0)"
done
V6=$(slaac_addr "$NSV")
O6=$(slaac_addr "$NSO")
log "victim: $V6, other guest: $O6"

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

# victim_ok: the victim keeps its address and reaches the other guest and
# the gateway over IPv6
victim_ok() {
	local a
	a=$(ip -n "$NSV" -6 -o addr show dev tap0)
	grep -q " $V6/64 " <<<"$a" || fail "the victim lost $V6: $a"
	if grep -Eq "dadfailed|tentative" <<<"$(grep " $V6/64 " <<<"$a")"; then
		fail "the victim's $V6 is no longer usable: $a"
	fi
	ns_ping "$NSV" "$O6" 2 || fail "the victim cannot ping $O6"
	ns_ping "$NSV" "$GW6" 2 || fail "the victim cannot ping $GW6"
}

# raw ARGS...: run the raw guest, print its RESULT line
raw() {
	local out
	out=$(timeout 30 python3 "$RAW" "$Q" "$@" 2>&1) ||
		fail "raw guest $*: $out"
	grep RESULT <<<"$out"
}

victim_ok
ns_ping "$NSO" "$V6" 2 || fail "the other guest cannot ping $V6"

# --- addresses are the first claimant's, and freed when it leaves --------------

R6=$PFX::beef
log "a raw guest takes $R6 and pings $GW6 from it, twice over"
for i in 1 2; do
	got=$(raw ipv6use 192.168.5.2 3 "$R6")
	log "  raw guest $i: $got"
	grep -q "replies=3" <<<"$got" ||
		fail "raw guest $i: the gateway did not answer from $R6: $got"
done
spoof0=$(net_stat drop_spoof6)

log "a raw guest takes the victim's $V6"
got=$(raw ipv6use 192.168.5.2 3 "$V6")
log "  raw guest: $got"
grep -q "replies=0" <<<"$got" ||
	fail "the raw guest got answers from the victim's address: $got"
want_stat drop_spoof6 $((spoof0 + 4)) # its NA and its 3 pings

# --- attacks on the victim's address --------------------------------------------

log "forged RA, NA, DAD, spoofed sources and link-layer options"
got=$(raw ipv6own 192.168.5.2 0 "$V6,$MAC_V,$O6")
log "  raw guest: $got"
sleep 2 # the kernel configures from an RA at once; DAD is not waited for
want_stat drop_ra 2
want_stat drop_na 2
want_stat drop_spoof6 $((spoof0 + 4 + 4))
want_stat drop_src6 2
want_stat drop_dad6 2
want_stat drop_nd_lladdr 2

got=$(ip -n "$NSV" -6 addr show dev tap0; ip -n "$NSV" -6 route show)
if grep -q 2001:db8 <<<"$got"; then
	fail "the victim took an address or route from the forged RA: $got"
fi
got=$(ip -n "$NSO" -6 neigh show "$V6")
grep -q "lladdr $MAC_V" <<<"$got" ||
	fail "the other guest's entry for $V6 is not the victim's MAC: $got"
log "  other guest: $got"
V_LL=$(ip -n "$NSV" -6 -o addr show dev tap0 scope link |
	grep -o 'fe80::[0-9a-f:]*' | head -n 1)
got=$(ip -n "$NSO" -6 neigh show | grep "lladdr $MAC_V" |
	grep -v -e "^$V6 " -e "^$V_LL ") &&
	fail "the other guest has the victim's MAC for another address: $got"
victim_ok
ns_ping "$NSO" "$V6" 2 || fail "the other guest cannot ping $V6 any more"

# --- the services host's replies: two networks, one address -------------------

# Two slirp networks (one per connection) share fec0::/64; a guest in each
# uses fec0::100. lwIP's neighbour cache is process-wide: the services
# host answered the second guest with the first one's MAC, and it heard
# nothing. Each guest asks DNS at fec0::3 from fec0::100, in turn.
S=$TMP/s.sock
SLOG=$TMP/usernetd-slirp.log
start_daemon_ns "$HNS" "$RESOLV" "$SLOG" --listen-qemu "$S"
D2=$DAEMON_PID
for g in "$NS1:$MAC_V" "$NS2:$MAC_O"; do
	make_ns "${g%%:*}"
	attach "${g%%:*}" "$S" --mac "${g#*:}"
	ip -n "${g%%:*}" link set tap0 up || fail "tap0 up in ${g%%:*}"
	ip -n "${g%%:*}" -6 addr add fec0::100/64 dev tap0 nodad ||
		fail "cannot give ${g%%:*} fec0::100"
done
log "two slirp networks' guests at fec0::100 ask DNS at fec0::3 in turn"
for i in 1 2 3; do
	for ns in "$NS1" "$NS2"; do
		dns_query "$ns" fec0::3 udp host.lima.internal A -b fec0::100 ||
			fail "$ns (round $i): no DNS answer at fec0::3: $DQ_OUT"
		[ "$DQ_STATUS" = NOERROR ] ||
			fail "$ns (round $i): $DQ_STATUS: $DQ_OUT"
	done
done
log "  every query answered"
daemon_alive "$D2"
kill -TERM "$D2"
wait_for 10 "usernetd (slirp) to exit" pid_dead "$D2" ||
	fail "usernetd (slirp) did not exit"
sanitizer_check "$SLOG"

daemon_alive "$D"
kill -TERM "$D"
wait_for 10 "usernetd to exit" pid_dead "$D" || fail "usernetd did not exit"
sanitizer_check "$DLOG"
pass
