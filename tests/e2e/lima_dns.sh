#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# e2e-timeout: 480
#
# tests/e2e/lima_dns.sh BUILD_DIR - DNS as Lima configures it through the
# control API, and native answers as the upstream gives them. An upstream
# dnsmasq (127.0.0.77, zone upstream.test: a CNAME www -> real, a name
# with 40 A records, and outside.test) in a namespace standing for the
# host; two user-v2 daemons there, lima.yaml hostResolver.ipv6 false (V4)
# and true (V6, with a lease file, so a state file), each with a guest.
#  - POST /services/dns/add with the bodies Lima's hostagent posts (Go's
#    json.Marshal of gvisor-tap-vsock's types.Zone) for a lima.yaml whose
#    hostResolver.hosts has every form (IPv4, IPv6, a name pointing to
#    another name of the map, a name pointing outside it, a dotless name),
#    a Regexp zone as gvisor-tap-vsock's own clients post it, and a body
#    with lower-case keys: all 200 (gvisor-tap-vsock takes them all);
#  - from the guests (V4's at .3, V6's at .2): A of the IPv4 record and of
#    the alias; AAAA of the IPv6 record (V6: the address; V4: NOERROR, no
#    data); the name that points outside the map answers what the host's
#    resolver says; the dotless name its DefaultIP; Regexp records match;
#    a name of zone test. without a record still goes to the resolver
#    (Lima #3161);
#  - GET /services/dns/all gives the zones back as gvisor-tap-vsock would
#    (IPv6 as a string, null IP, Regexp only where set);
#  - refused with a clear message: a Regexp over 256 bytes, a
#    back-reference, more than 256 Regexp records; the guest keeps its
#    names;
#  - V6 restarted: dns/all is the same, and its host DNS port answers the
#    IPv6, alias and Regexp records from the restored zones;
#  - native answers compared with dnsmasq's own (dnspython, records and TC
#    flag, TTLs aside): the A answer of www carries the CNAME; the 40 A
#    records come whole over TCP and with EDNS 4096, and UDP without EDNS
#    gets TC, from dnsmasq and from us.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init lima_dns 420 "$@"

need_tools dig dnsmasq unshare ss curl
/usr/bin/python3 -c 'import dns.message, dns.query' 2>/dev/null ||
	skip "python3-dnspython is not installed"

HNS=$(e2e_name host)
G4=$(e2e_name g4)
G6=$(e2e_name g6)
RESOLV=$TMP/resolv.conf
UP=127.0.0.77
NET=192.168.104
U=upstream.test

make_ns "$HNS"
for i in $(seq 1 40); do
	echo "10.6.0.$i many.$U"
done >"$TMP/many.hosts"
start_dnsmasq "$HNS" "$UP" up --log-queries --local="/$U/" \
	--addn-hosts="$TMP/many.hosts" \
	--host-record="real.$U,10.5.0.1" --cname="www.$U,real.$U" \
	--host-record=outside.test,10.5.0.9 --host-record=other.test,10.5.0.10 \
	--host-record=vm-x.vms.test,10.5.0.11
printf 'nameserver %s\n' "$UP" >"$RESOLV"

# daemon TAG IPV6 ARGS...: a user-v2 daemon with hostResolver.ipv6 IPV6,
# endpoint $TMP/ep-TAG.sock, VM socket $TMP/TAG.sock. Sets DLOG.
daemon() {
	local tag=$1 v6=$2
	shift 2
	printf 'hostResolver:\n  ipv6: %s\n' "$v6" >"$TMP/lima-$tag.yaml"
	DLOG=$TMP/usernetd-$tag.log
	start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --mode user-v2 \
		--subnet "$NET.0/24" -e "$TMP/ep-$tag.sock" \
		--listen-qemu "$TMP/$tag.sock" --resolv-conf "$RESOLV" \
		--lima-yaml "$TMP/lima-$tag.yaml" "$@"
	wait_for 5 "usernetd $tag to serve its API" \
		grep -q "(control API)" "$DLOG" ||
		fail "usernetd $tag does not serve its API"
}

# guest NS TAG: attach NS to daemon TAG, get a lease.
guest() {
	make_ns "$1"
	attach "$1" "$TMP/$2.sock"
	dhcp "$1" tap0 "$TMP/lease-$1" -x hostname:"lima-$2" ||
		fail "udhcpc got no lease in $1"
}

daemon v4 false
D4=$DAEMON_PID
daemon v6 true --leases-file "$TMP/leases-v6.json" --dns-udp 127.0.0.1:0
D6=$DAEMON_PID
D6LOG=$DLOG
guest "$G4" v4
guest "$G6" v6
IP4=$(lease_get "$TMP/lease-$G4" ip)

# The bodies Lima posts for
#   hostResolver.hosts: {guest.v4.test: 10.0.0.7, guest.v6.test: fd00::7,
#     alias.test: guest.v4.test, outside.test: example.com,
#     myhost: 10.0.0.9}
# plus lima-VM.internal and host.lima.internal (ExtractZones, client.go),
# a Regexp zone (gvisor-tap-vsock's client: *regexp.Regexp marshals as its
# pattern; omitted when nil), and Go's case-insensitive keys.
BODIES=(
	'{"Name":"test.","Records":[{"Name":"guest.v4","IP":"10.0.0.7"},{"Name":"guest.v6","IP":"fd00::7"},{"Name":"alias","IP":"10.0.0.7"},{"Name":"outside","IP":null}],"DefaultIP":null}'
	'{"Name":"myhost","Records":null,"DefaultIP":"10.0.0.9"}'
	"{\"Name\":\"internal.\",\"Records\":[{\"Name\":\"lima-vm\",\"IP\":\"$IP4\"},{\"Name\":\"host.lima\",\"IP\":\"$NET.2\"}],\"DefaultIP\":null}"
	'{"Name":"vms.test.","Records":[{"Name":"","IP":"10.0.1.1","Regexp":"^vm-[0-9]+$"},{"Name":"","IP":"fd00::1:1","Regexp":"^v6-"}],"DefaultIP":null}'
	'{"name":"keys.test","records":[{"name":"lower","ip":"10.0.2.2"}],"defaultip":""}'
)
for tag in v4 v6; do
	for b in "${BODIES[@]}"; do
		api_expect "$TMP/ep-$tag.sock" POST /services/dns/add 200 "$b"
	done
done

# q NS SRV NAME TYPE [DIG-ARGS...]: one query from a guest, over UDP.
q() {
	Q_WHAT="$1: dig @$2 $3 $4"
	dns_query "$1" "$2" udp "$3" "$4" || fail "$Q_WHAT: no answer: $DQ_OUT"
}

for ns_srv in "$G4 $NET.3" "$G6 $NET.2"; do
	read -r ns srv <<<"$ns_srv"
	log "Lima's records from $ns at $srv"
	q "$ns" "$srv" guest.v4.test A
	want_rrs "guest.v4.test. A 10.0.0.7"
	q "$ns" "$srv" alias.test A
	want_rrs "alias.test. A 10.0.0.7"
	q "$ns" "$srv" guest.v6.test A
	want_rrs
	q "$ns" "$srv" outside.test A
	want_rrs "outside.test. A 10.5.0.9"
	q "$ns" "$srv" myhost A
	want_rrs "myhost. A 10.0.0.9"
	q "$ns" "$srv" lima-vm.internal A
	want_rrs "lima-vm.internal. A $IP4"
	q "$ns" "$srv" lower.keys.test A
	want_rrs "lower.keys.test. A 10.0.2.2"
	q "$ns" "$srv" vm-12.vms.test A
	want_rrs "vm-12.vms.test. A 10.0.1.1"
	q "$ns" "$srv" v6-a.vms.test A
	want_rrs
	q "$ns" "$srv" vm-x.vms.test A # no match: the resolver's
	want_rrs "vm-x.vms.test. A 10.5.0.11"
	# a name of zone test. without a record: the resolver's
	q "$ns" "$srv" other.test A
	want_rrs "other.test. A 10.5.0.10"
done
for srv in "$NET.2" "$NET.3"; do
	q "$G6" "$srv" guest.v6.test AAAA
	want_rrs "guest.v6.test. AAAA fd00::7"
	q "$G6" "$srv" v6-a.vms.test AAAA
	want_rrs "v6-a.vms.test. AAAA fd00::1:1"
	q "$G4" "$srv" guest.v6.test AAAA
	want_rrs # hostResolver.ipv6 false: no AAAA, local names too
	q "$G4" "$srv" v6-a.vms.test AAAA
	want_rrs
done

log "dns/all"
api_expect "$TMP/ep-v6.sock" GET /services/dns/all 200
ALL=$API_BODY
[ "$(json_eval "[(z['Name'], z['Records'], z['DefaultIP']) for z in j if z['Name'] in ('test.', 'vms.test.', 'myhost.')]" <<<"$ALL")" = \
	"[('test.', [{'Name': 'guest.v4', 'IP': '10.0.0.7'}, {'Name': 'guest.v6', 'IP': 'fd00::7'}, {'Name': 'alias', 'IP': '10.0.0.7'}, {'Name': 'outside', 'IP': None}], None), ('myhost.', None, '10.0.0.9'), ('vms.test.', [{'Name': '', 'IP': '10.0.1.1', 'Regexp': '^vm-[0-9]+\$'}, {'Name': '', 'IP': 'fd00::1:1', 'Regexp': '^v6-'}], None)]" ] ||
	fail "dns/all: $ALL"

log "refused Regexp records"
EP4=$TMP/ep-v4.sock
api_expect "$EP4" POST /services/dns/add 400 \
	"{\"Name\":\"x.test\",\"Records\":[{\"IP\":\"10.0.0.1\",\"Regexp\":\"^$(printf 'a%.0s' $(seq 1 300))\"}]}"
grep -q "longer than 256" <<<"$API_BODY" || fail "long Regexp: $API_BODY"
api_expect "$EP4" POST /services/dns/add 400 \
	'{"Name":"x.test","Records":[{"IP":"10.0.0.1","Regexp":"^(a*)*\\1$"}]}'
grep -q "back-references" <<<"$API_BODY" || fail "back-reference: $API_BODY"
MANY=$(python3 -c 'import json; print(json.dumps({"Name": "x.test", "Records": [{"Name": "", "IP": "10.0.0.1", "Regexp": "^r%d$" % i} for i in range(257)]}))')
api_expect "$EP4" POST /services/dns/add 400 "$MANY"
grep -q "more than 256 Regexp" <<<"$API_BODY" || fail "257 Regexps: $API_BODY"
q "$G4" "$NET.3" guest.v4.test A
want_rrs "guest.v4.test. A 10.0.0.7"
q "$G4" "$NET.3" "lima-v4.internal" A
want_rrs "lima-v4.internal. A $IP4"

# --- native answers compared with dnsmasq's ---------------------------------

# ask NS SERVER NAME:MODE...: queries for A with dnspython (MODE udp,
# edns or tcp); prints for each "NAME MODE tc=FLAG rcode=RCODE", then the
# answer records sorted, one a line, "name TYPE data" (TTLs left out: ours
# are the native cache's).
ask() {
	local ns=$1
	shift
	timeout 60 ip netns exec "$ns" /usr/bin/python3 -c '
import sys
import dns.flags, dns.message, dns.query, dns.rcode, dns.rdatatype
srv = sys.argv[1]
for arg in sys.argv[2:]:
    name, mode = arg.split(":")
    q = dns.message.make_query(name, "A", use_edns=(0 if mode == "edns" else False), payload=4096)
    if mode == "tcp":
        r = dns.query.tcp(q, srv, timeout=5)
    else:
        r = dns.query.udp(q, srv, timeout=5, ignore_trailing=True)
    print("%s %s tc=%d rcode=%s" % (name, mode, bool(r.flags & dns.flags.TC), dns.rcode.to_text(r.rcode())))
    rrs = []
    for s in r.answer:
        for rd in s:
            rrs.append("%s %s %s" % (s.name.to_text().lower(), dns.rdatatype.to_text(s.rdtype), rd.to_text().lower()))
    print("\n".join(sorted(rrs)))
' "$@"
}

log "native answers compared with dnsmasq's"
QS=()
for mode in udp edns tcp; do
	for name in "www.$U" "many.$U" "real.$U"; do
		QS+=("$name:$mode")
	done
done
want=$(ask "$HNS" "$UP" "${QS[@]}") || fail "dnsmasq did not answer: $want"
got=$(ask "$G4" "$NET.3" "${QS[@]}") || fail "no answer: $got"
log "dnsmasq:"$'\n'"$want"
# 40 A records do not fit in 512 bytes: TC from both, whatever records
# each squeezed in.
grep -qx "many.$U udp tc=1 rcode=NOERROR" <<<"$want" ||
	fail "dnsmasq did not truncate many.$U over UDP"
grep -qx "many.$U udp tc=1 rcode=NOERROR" <<<"$got" ||
	fail "many.$U over UDP without EDNS: no TC:"$'\n'"$got"
# strip: the records of the many.$U udp answer left out, its header kept.
strip() {
	awk -v skip="many.$U udp " '/ tc=[01] rcode=/ {
		drop = index($0, skip) == 1; print; next } !drop'
}
[ "$(strip <<<"$got")" = "$(strip <<<"$want")" ] ||
	fail "answers"$'\n'"$got"$'\n'"differ from dnsmasq's"$'\n'"$want"
[ "$(grep -c "^many.$U. A 10\.6\.0\." <<<"$got")" = 80 ] ||
	fail "many.$U: not 40 A records with EDNS and over TCP"
grep -qx "www.$U. CNAME real.$U." <<<"$got" || fail "www.$U: no CNAME"

# --- the zones survive a restart ---------------------------------------------

log "restart V6"
wait_for 5 "the state file to hold the zones" sh -c \
	"grep -q 'fd00::1:1' '$TMP/leases-v6.json.state.json'" ||
	fail "no zones in the state file: $(cat "$TMP/leases-v6.json.state.json" 2>&1)"
stop_daemon "$D6" "$TMP/v6.sock" ""
sanitizer_check "$D6LOG"
cp "$D6LOG" "$TMP/usernetd-v6-run1.log"
daemon v6 true --leases-file "$TMP/leases-v6.json" --dns-udp 127.0.0.1:0
D6=$DAEMON_PID
D6LOG=$DLOG
api_expect "$TMP/ep-v6.sock" GET /services/dns/all 200
[ "$(json_eval "sorted(json.dumps(z, sort_keys=True) for z in j)" <<<"$API_BODY")" = \
	"$(json_eval "sorted(json.dumps(z, sort_keys=True) for z in j)" <<<"$ALL")" ] ||
	fail "dns/all after the restart:"$'\n'"$API_BODY"$'\n'"was"$'\n'"$ALL"
P=$(daemon_dns_port "$D6LOG" udp) || fail "no host DNS port in $D6LOG"
for nt in "guest.v6.test AAAA fd00::7" "alias.test A 10.0.0.7" \
	"vm-7.vms.test A 10.0.1.1" "outside.test A 10.5.0.9"; do
	# shellcheck disable=SC2086 # "NAME TYPE ADDR"
	set -- $nt
	Q_WHAT="after the restart: $1 $2"
	dns_query "$HNS" "127.0.0.1#$P" udp "$1" "$2" ||
		fail "$Q_WHAT: no answer: $DQ_OUT"
	want_rrs "$1. $2 $3"
done

pid_alive "$D4" || fail "usernetd v4 died"
stop_daemon "$D4" "$TMP/v4.sock" ""
stop_daemon "$D6" "$TMP/v6.sock" ""
sanitizer_check "$TMP/usernetd-v4.log"
sanitizer_check "$D6LOG"
pass
