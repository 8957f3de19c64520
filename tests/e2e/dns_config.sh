#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/dns_config.sh BUILD_DIR - the hostResolver block of lima.yaml
# as a guest sees it. One upstream dnsmasq (127.0.0.77, zone example.test,
# see start_dns_upstream in lib.sh) in a namespace standing for the host;
# two daemons there, each with its own guest namespace (DHCP, then dig at
# .3 and .2, UDP and TCP):
#  - `hostResolver: {ipv6: true}`: AAAA from the native resolver (dnsmasq's
#    fd00::82, with the native cache's TTL <= 5); AAAA of a name with only
#    an A record: NOERROR, no data; AAAA of an unknown name: NXDOMAIN; A as
#    usual;
#  - `enabled: false` with hosts: nothing is answered from the static hosts
#    or by the native resolver; static names of the upstream's zone (one
#    it knows, one it does not), a CNAME-style static name, A, AAAA and MX
#    get exactly dnsmasq's answer (rcode, records, TTL 300); a static name
#    outside the zone, which dnsmasq REFUSES, gets SERVFAIL (c-ares moves
#    on from REFUSED and reports a failure: documented in
#    services/hostresolver/ares.c) - in no case the static address;
# Then broken lima.yaml files: bad YAML syntax, `enabled: maybe`, `ipv6: 3`,
# a hosts value that is a mapping, hosts not a mapping, a missing file:
# usernetd exits with status 2 at once, says FILE:LINE:COLUMN (or FILE: why
# for the missing file), and creates no socket.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init dns_config 90 "$@"

need_tools dig dnsmasq unshare ss

HNS=$(e2e_name host)
NS6=$(e2e_name v6)
NSOFF=$(e2e_name off)
RESOLV=$TMP/resolv.conf
UP1=127.0.0.77
Z=$DNS_ZONE

make_ns "$HNS"
start_dns_upstream "$HNS" "$UP1" up1
printf 'nameserver %s\n' "$UP1" >"$RESOLV"

# q NS SRV PROTO NAME TYPE [DIG-ARGS...]: query from a guest.
q() {
	Q_WHAT="$1: dig @$2 ($3) $4 $5"
	dns_query "$@" || fail "$Q_WHAT: no answer: $DQ_OUT"
}

# guest NS SOCK LOG LIMA: a daemon with LIMA, a guest attached, its lease.
guest() {
	local ns=$1 sock=$2 logf=$3 lima=$4
	start_daemon_ns "$HNS" "$RESOLV" "$logf" --listen-qemu "$sock" \
		--resolv-conf "$RESOLV" --lima-yaml "$lima"
	make_ns "$ns"
	attach "$ns" "$sock"
	dhcp "$ns" tap0 "$TMP/lease-$ns" || fail "udhcpc got no lease in $ns"
	check_lease "$ns" "$TMP/lease-$ns" 1500
}

# --- ipv6: true ---------------------------------------------------------------

cat >"$TMP/lima-v6.yaml" <<EOF
hostResolver: {ipv6: true, hosts: {static.test: 10.7.7.7}}
EOF
guest "$NS6" "$TMP/v6.sock" "$TMP/usernetd-v6.log" "$TMP/lima-v6.yaml"
D6=$DAEMON_PID

for srv in "$DNS_IP" "$GW_IP"; do
	for proto in udp tcp; do
		log "ipv6 true: $srv over $proto"
		q "$NS6" "$srv" "$proto" "six.$Z" AAAA
		want_rrs "six.$Z. AAAA fd00::82"
		want_ttl_max 5
		q "$NS6" "$srv" "$proto" "six.$Z" A
		want_rrs "six.$Z. A 10.0.0.82"
		want_ttl_max 5
		q "$NS6" "$srv" "$proto" "web.$Z" AAAA
		want_rrs
		q "$NS6" "$srv" "$proto" "nope6.$Z" AAAA
		want_status NXDOMAIN
		q "$NS6" "$srv" "$proto" static.test A
		want_rrs "static.test. A 10.7.7.7"
		q "$NS6" "$srv" "$proto" host.lima.internal A
		want_rrs "host.lima.internal. A $GW_IP"
	done
done

# --- enabled: false -----------------------------------------------------------

cat >"$TMP/lima-off.yaml" <<EOF
hostResolver:
  enabled: false
  ipv6: false
  hosts:
    static.test: 10.7.7.7
    pinned.$Z: 10.7.7.8
    override.$Z: 10.7.7.9
    alias.$Z: web.$Z
EOF
guest "$NSOFF" "$TMP/off.sock" "$TMP/usernetd-off.log" "$TMP/lima-off.yaml"
DOFF=$DAEMON_PID

declare -A OFF_RAW OFF_STATUS
OFF_QUERIES=("pinned.$Z A" "alias.$Z A" "override.$Z A" "web.$Z A"
	"six.$Z AAAA" "nope.$Z A" "$Z MX")
for fq in "${OFF_QUERIES[@]}"; do
	# shellcheck disable=SC2086 # "NAME TYPE"
	direct $fq
	OFF_RAW[$fq]=$WANT_RAW
	OFF_STATUS[$fq]=$WANT_STATUS
done
# Make sure the comparison means something: dnsmasq's answers are not
# the static ones.
if [ -z "${OFF_RAW[override.$Z A]}" ] ||
	[ "${OFF_STATUS[pinned.$Z A]}" != NXDOMAIN ]; then
	fail "unexpected upstream answers: override '${OFF_RAW[override.$Z A]}', pinned ${OFF_STATUS[pinned.$Z A]}"
fi

for srv in "$DNS_IP" "$GW_IP"; do
	for proto in udp tcp; do
		log "enabled false: $srv over $proto"
		for fq in "${OFF_QUERIES[@]}"; do
			# shellcheck disable=SC2086 # "NAME TYPE"
			q "$NSOFF" "$srv" "$proto" $fq
			WANT_RAW=${OFF_RAW[$fq]}
			WANT_STATUS=${OFF_STATUS[$fq]}
			want_direct
		done
		q "$NSOFF" "$srv" "$proto" static.test A
		case $DQ_STATUS in
		SERVFAIL | REFUSED) ;;
		*) fail "$Q_WHAT: '$DQ_STATUS $DQ_RRS', want SERVFAIL (dnsmasq REFUSES it)" ;;
		esac
	done
done
q "$NSOFF" "$DNS_IP" udp host.lima.internal A
log "enabled false: host.lima.internal A -> $DQ_STATUS $(tr '\n' ' ' <<<"$DQ_RRS")"

daemon_alive "$D6"
daemon_alive "$DOFF"
stop_daemon "$D6" "$TMP/v6.sock" ""
stop_daemon "$DOFF" "$TMP/off.sock" ""

# --- broken lima.yaml -----------------------------------------------------------

# bad_yaml TAG WANT_RE CONTENT: usernetd --lima-yaml FILE must exit 2 at
# once with a message matching WANT_RE (FILE is put in front of it).
bad_yaml() {
	local tag=$1 re=$2 f="$TMP/bad-$1.yaml" sock="$TMP/bad.sock" rc err
	printf '%s' "$3" >"$f"
	rm -f "$sock"
	timeout 5 "$USERNETD" --listen-qemu "$sock" --lima-yaml "$f" \
		>"$TMP/bad-$tag.out" 2>"$TMP/bad-$tag.err" </dev/null
	rc=$?
	err=$(cat "$TMP/bad-$tag.err")
	log "  $tag: status $rc: $err"
	[ "$rc" = 2 ] || fail "lima.yaml $tag: exit status $rc, want 2 ($err)"
	grep -Eq "$(sed 's/[.[\*^$/]/\\&/g' <<<"$f")$re" <<<"$err" ||
		fail "lima.yaml $tag: message '$err' does not match '$f$re'"
	[ -e "$sock" ] && fail "lima.yaml $tag: usernetd created $sock"
	return 0
}

log "broken lima.yaml files"
bad_yaml syntax ':[0-9]+:[0-9]+: ' \
	$'hostResolver:\n  hosts: [a, b\n  ipv6: true\n'
bad_yaml enabled-maybe ':2:12: .*enabled' \
	$'hostResolver:\n  enabled: maybe\n'
bad_yaml ipv6-number ':3:9: .*ipv6' \
	$'# comment\nhostResolver:\n  ipv6: 3\n'
bad_yaml host-mapping ':3:13: ' \
	$'hostResolver:\n  hosts:\n    a.test: {x: 1}\n'
bad_yaml hosts-list ':2:10: .*hosts' \
	$'hostResolver:\n  hosts: [a.test, b.test]\n'
bad_yaml tab ':[0-9]+:[0-9]+: ' \
	$'hostResolver:\n\tenabled: true\n'
rm -f "$TMP/bad-missing.yaml"
timeout 5 "$USERNETD" --listen-qemu "$TMP/bad.sock" \
	--lima-yaml "$TMP/bad-missing.yaml" 2>"$TMP/bad-missing.err"
rc=$?
log "  missing: status $rc: $(cat "$TMP/bad-missing.err")"
[ "$rc" = 2 ] || fail "missing lima.yaml: exit status $rc, want 2"
grep -q "$TMP/bad-missing.yaml" "$TMP/bad-missing.err" ||
	fail "missing lima.yaml: message does not name the file"

pass
