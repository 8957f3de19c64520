#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/api.sh BUILD_DIR - the control API (usernetd -e EP) with curl
# over the unix socket, as Lima and gvisor-tap-vsock clients call it, on a
# user-v2 network 192.168.104.0/24. usernetd runs in a namespace standing
# for the host, with a dnsmasq upstream (127.0.0.77) that knows
# other.internal and shadow.internal; one guest namespace with a fixed MAC.
#  - the endpoint is a socket of mode 0600;
#  - GET /services/dhcp/leases and /leases: {"ip":"mac"} with the guest;
#  - expose tcp and udp 127.0.0.1:P -> guest: real traffic; forwarder/all
#    lists them; the same expose again is 200, another remote 409; an
#    empty remote host, a remote outside the network, malformed JSON,
#    wrong types, an unknown protocol, a relative unix path: 400 (unix
#    forwards carry traffic in api_unix.sh); unexpose: 200 and
#    the traffic stops; unexpose again: 404;
#  - dns/add zone internal. with lima-zone: dig from the guest at .3 and
#    .2 gets our record, other.internal still comes from the upstream (no
#    NXDOMAIN for the zone), a second add merges; DefaultIP answers any
#    other name of its zone; dns/all shows the zones;
#  - wait_port: 408 after the timeout for a closed port and for an address
#    in no network; 200 once the guest listens (a request made before);
#    bad parameters 400;
#  - /stats (ports, switch, dhcp, dns counters) and /cam (the guest's MAC);
#  - unknown path 404, wrong method 405, a body over 64 KiB 413; the daemon
#    keeps serving;
#  - usernetctl -e EP leases / forward add|ls|rm / dns add|ls / stats /
#    wait-port, --json; exit 1 and "cannot connect" without a daemon, 2
#    for bad usage;
#  - SIGTERM: exit within 1 s; endpoint and VM socket removed.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init api 120 "$@"

need_tools dig dnsmasq unshare ss

HNS=$(e2e_name host)
NS=$(e2e_name guest)
SOCK=$TMP/qemu.sock
EP=$TMP/ep.sock
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
MAC=52:55:55:12:34:56
CTL=("$USERNETCTL" -e "$EP")

make_ns "$HNS"
make_ns "$NS"
start_dnsmasq "$HNS" 127.0.0.77 up --local=/internal/ \
	--host-record=other.internal,10.9.9.99 \
	--host-record=shadow.internal,10.9.9.98
printf 'nameserver 127.0.0.77\n' >"$RESOLV"

start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --mode user-v2 \
	--subnet 192.168.104.0/24 -e "$EP" --listen-qemu "$SOCK" \
	--resolv-conf "$RESOLV"
D=$DAEMON_PID
wait_for 5 "endpoint $EP" test -S "$EP" || fail "no endpoint $EP"
[ "$(stat -c %a "$EP")" = 600 ] ||
	fail "endpoint mode $(stat -c %a "$EP"), want 600"

attach "$NS" "$SOCK" --mac "$MAC"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease"
IP=$(lease_get "$TMP/lease" ip)
log "guest $MAC has $IP"

log "leases"
for path in /services/dhcp/leases /leases; do
	api_expect "$EP" GET "$path" 200
	[ "$(json_eval "j.get('$IP')" <<<"$API_BODY")" = "$MAC" ] ||
		fail "GET $path: $API_BODY lacks $IP: $MAC"
done

log "expose tcp and udp"
free_port; PT=$FREE_PORT
free_port; PU=$FREE_PORT
start_tcp_echo "$NS" 22
start_udp_echo "$NS" 0.0.0.0 7
TCP_FWD="{\"local\":\"127.0.0.1:$PT\",\"remote\":\"$IP:22\",\"protocol\":\"tcp\"}"
UDP_FWD="{\"local\":\"127.0.0.1:$PU\",\"remote\":\"$IP:7\",\"protocol\":\"udp\"}"
api_expect "$EP" POST /services/forwarder/expose 200 "$TCP_FWD"
api_expect "$EP" POST /services/forwarder/expose 200 "$UDP_FWD"
got=$(ns_tcp_rr "$HNS" 127.0.0.1 "$PT" "tcp-$$") || fail "TCP forward: socat failed"
[ "$got" = "tcp-$$" ] || fail "TCP forward answered '$got'"
got=$(udp_rr "$HNS" 127.0.0.1 "$PU" "udp-$$") || fail "UDP forward: no answer"
[ "$got" = "udp-$$" ] || fail "UDP forward answered '$got'"
api_expect "$EP" GET /services/forwarder/all 200
[ "$(json_eval "sorted((f['protocol'], f['local'], f['remote']) for f in j)" \
	<<<"$API_BODY")" = "[('tcp', '127.0.0.1:$PT', '$IP:22'), ('udp', '127.0.0.1:$PU', '$IP:7')]" ] ||
	fail "forwarder/all: $API_BODY"

log "expose errors"
api_expect "$EP" POST /services/forwarder/expose 200 "$TCP_FWD"
api_expect "$EP" POST /services/forwarder/expose 409 \
	"{\"local\":\"127.0.0.1:$PT\",\"remote\":\"$IP:23\",\"protocol\":\"tcp\"}"
api_expect "$EP" POST /services/forwarder/expose 400 \
	"{\"local\":\"127.0.0.1:$PT\",\"remote\":\":22\",\"protocol\":\"tcp\"}"
api_expect "$EP" POST /services/forwarder/expose 400 \
	'{"local":"127.0.0.1:1","remote":"10.99.0.1:22","protocol":"tcp"}'
api_expect "$EP" POST /services/forwarder/expose 400 '{"local":"127.0.0.1:1",'
api_expect "$EP" POST /services/forwarder/expose 400 \
	"{\"local\":22,\"remote\":\"$IP:22\"}"
api_expect "$EP" POST /services/forwarder/expose 400 \
	"{\"local\":\"127.0.0.1:1\",\"remote\":\"$IP:22\",\"protocol\":\"sctp\"}"
api_expect "$EP" POST /services/forwarder/expose 400 '[]'
api_expect "$EP" POST /services/forwarder/expose 400 \
	"{\"local\":\"fwd.sock\",\"remote\":\"$IP:22\",\"protocol\":\"unix\"}"
api_expect "$EP" POST /services/forwarder/unexpose 400 '{"protocol":"tcp"}'

log "unexpose"
api_expect "$EP" POST /services/forwarder/unexpose 200 \
	"{\"local\":\"127.0.0.1:$PT\",\"protocol\":\"tcp\"}"
api_expect "$EP" POST /services/forwarder/unexpose 200 \
	"{\"local\":\"127.0.0.1:$PU\",\"protocol\":\"udp\"}"
ns_tcp_rr "$HNS" 127.0.0.1 "$PT" x >/dev/null 2>&1 &&
	fail "TCP forward still answers after unexpose"
udp_rr "$HNS" 127.0.0.1 "$PU" x >/dev/null 2>&1 &&
	fail "UDP forward still answers after unexpose"
api_expect "$EP" POST /services/forwarder/unexpose 404 \
	"{\"local\":\"127.0.0.1:$PT\",\"protocol\":\"tcp\"}"
api_expect "$EP" GET /services/forwarder/all 200
[ "$API_BODY" = "[]" ] || fail "forwarder/all after unexpose: $API_BODY"

log "dns/add"
api_expect "$EP" POST /services/dns/add 200 \
	'{"Name":"internal.","Records":[{"Name":"lima-zone","IP":"192.168.104.77"},{"Name":"shadow","IP":"192.168.104.78"}],"DefaultIP":null}'
for srv in 192.168.104.3 192.168.104.2; do
	dns_query "$NS" "$srv" udp lima-zone.internal A
	[ "$DQ_STATUS" = NOERROR ] && [ "$DQ_RRS" = "lima-zone.internal. A 192.168.104.77" ] ||
		fail "lima-zone.internal at $srv: $DQ_STATUS $DQ_RRS"
	dns_query "$NS" "$srv" udp shadow.internal A
	[ "$DQ_RRS" = "shadow.internal. A 192.168.104.78" ] ||
		fail "shadow.internal at $srv: $DQ_STATUS $DQ_RRS (upstream's?)"
	dns_query "$NS" "$srv" udp other.internal A
	[ "$DQ_STATUS" = NOERROR ] && [ "$DQ_RRS" = "other.internal. A 10.9.9.99" ] ||
		fail "other.internal at $srv (upstream): $DQ_STATUS $DQ_RRS"
done
dns_query "$NS" 192.168.104.3 tcp lima-zone.internal A
[ "$DQ_RRS" = "lima-zone.internal. A 192.168.104.77" ] ||
	fail "lima-zone.internal over TCP: $DQ_STATUS $DQ_RRS"
dns_query "$NS" 192.168.104.3 udp host.lima.internal A
[ "$DQ_RRS" = "host.lima.internal. A 192.168.104.2" ] ||
	fail "host.lima.internal after dns/add: $DQ_STATUS $DQ_RRS"
log "dns/add merges"
api_expect "$EP" POST /services/dns/add 200 \
	'{"Name":"internal","Records":[{"Name":"lima-two","IP":"192.168.104.79"}]}'
dns_query "$NS" 192.168.104.3 udp lima-two.internal A
[ "$DQ_RRS" = "lima-two.internal. A 192.168.104.79" ] ||
	fail "lima-two.internal: $DQ_STATUS $DQ_RRS"
dns_query "$NS" 192.168.104.3 udp lima-zone.internal A
[ "$DQ_RRS" = "lima-zone.internal. A 192.168.104.77" ] ||
	fail "lima-zone.internal after a merge: $DQ_STATUS $DQ_RRS"
log "DefaultIP"
api_expect "$EP" POST /services/dns/add 200 \
	'{"Name":"dflt.test.","Records":[],"DefaultIP":"10.1.1.1"}'
dns_query "$NS" 192.168.104.3 udp any.thing.dflt.test A
[ "$DQ_RRS" = "any.thing.dflt.test. A 10.1.1.1" ] ||
	fail "DefaultIP: $DQ_STATUS $DQ_RRS"
api_expect "$EP" GET /services/dns/all 200
[ "$(json_eval "sorted((z['Name'], z['DefaultIP'], sorted((r['Name'], r['IP']) for r in z['Records'])) for z in j)" <<<"$API_BODY")" = \
	"[('dflt.test.', '10.1.1.1', []), ('internal.', None, [('lima-two', '192.168.104.79'), ('lima-zone', '192.168.104.77'), ('shadow', '192.168.104.78')])]" ] ||
	fail "dns/all: $API_BODY"
api_expect "$EP" POST /services/dns/add 400 '{"Name":"x","Records":[{"Name":"a","IP":"nope"}]}'
api_expect "$EP" POST /services/dns/add 400 '{"Name":"x","Records":"a"}'
api_expect "$EP" POST /services/dns/add 400 '{"Records":[]}'
api_expect "$EP" POST /services/dns/add 400 'not json'

log "wait_port"
t0=$(date +%s%N)
api_expect "$EP" GET "/extension/wait_port?ip=$IP&port=2222&timeout=1" 408
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -ge 900 ] || fail "wait_port answered 408 after only $ms ms"
api_expect "$EP" GET "/extension/wait_port?ip=10.99.0.1&port=22&timeout=1" 408
api_expect "$EP" GET "/extension/wait_port?ip=$IP&port=22&timeout=5" 200
api_call "$EP" GET "/extension/wait_port?ip=$IP&port=2222&timeout=30" &
WAITER=$!
register_pid "$WAITER"
sleep 1.5
pid_alive "$WAITER" || fail "wait_port answered before the guest listened"
api_expect "$EP" GET /leases 200 # the daemon serves meanwhile
start_tcp_echo "$NS" 2222
wait_for 5 "wait_port to answer" pid_dead "$WAITER" ||
	fail "wait_port did not answer within 5 s of the guest listening"
# The background api_call's status is not visible here: ask once more.
api_expect "$EP" GET "/extension/wait_port?ip=$IP&port=2222&timeout=2" 200
for q in "ip=$IP&port=0&timeout=1" "ip=nope&port=22" "port=22" \
	"ip=$IP&port=22&timeout=x" "ip=$IP"; do
	api_expect "$EP" GET "/extension/wait_port?$q" 400
done

log "stats and cam"
api_expect "$EP" GET /stats 200
[ "$(json_eval "len(j['networks'][0]['ports']) == 1 and j['networks'][0]['ports'][0]['rx_frames'] > 0 and j['networks'][0]['dhcp']['acks'] >= 1 and j['networks'][0]['switch']['frames'] > 0 and j['dns']['queries'] >= 8 and j['dns']['local'] >= 5 and j['dns']['native'] + j['dns']['forwarded'] >= 1" <<<"$API_BODY")" = True ] ||
	fail "stats: $API_BODY"
[ "$(json_eval "j['resolver']['lookups'] + j['resolver']['forwards'] >= 1 and j['resolver']['lookups'] >= j['resolver']['cache_hits']" <<<"$API_BODY")" = True ] ||
	fail "stats lack the resolver's counters: $API_BODY"
api_expect "$EP" GET /cam 200
[ -n "$(json_eval "j['$MAC']" <<<"$API_BODY")" ] || fail "cam lacks $MAC: $API_BODY"

log "HTTP errors"
api_expect "$EP" GET /nope 404
api_expect "$EP" GET /services/forwarder/expose 405
api_expect "$EP" POST /services/dhcp/leases 405
api_expect "$EP" DELETE /stats 405
# the 413 must reach a client still writing its body (answered before the
# body was read, it raced the client's writes: curl saw a broken pipe)
big=$(head -c 70000 /dev/zero | tr '\0' ' ')
for i in 1 2 3 4 5; do
	api_expect "$EP" POST /services/dns/add 413 "$big"
done
api_expect "$EP" GET /leases 200

log "usernetctl"
"${CTL[@]}" leases >"$TMP/ctl.out" || fail "usernetctl leases failed"
grep -q "^$IP  *$MAC\$" "$TMP/ctl.out" || fail "usernetctl leases: $(cat "$TMP/ctl.out")"
"$USERNETCTL" --json -e "$EP" leases | json_eval "j['$IP']" | grep -qx "$MAC" ||
	fail "usernetctl --json leases"
"${CTL[@]}" forward add tcp "127.0.0.1:$PT" "$IP:22" || fail "usernetctl forward add"
got=$(ns_tcp_rr "$HNS" 127.0.0.1 "$PT" "ctl-$$") || fail "usernetctl's forward: socat failed"
[ "$got" = "ctl-$$" ] || fail "usernetctl's forward answered '$got'"
out=$("${CTL[@]}" forward ls) || fail "usernetctl forward ls failed"
grep -q "^tcp  *127.0.0.1:$PT  *$IP:22\$" <<<"$out" ||
	fail "usernetctl forward ls: $("${CTL[@]}" forward ls)"
"${CTL[@]}" forward rm tcp "127.0.0.1:$PT" || fail "usernetctl forward rm"
"${CTL[@]}" forward rm tcp "127.0.0.1:$PT" 2>"$TMP/ctl.err" &&
	fail "usernetctl forward rm of a removed forward succeeded"
grep -q "HTTP 404" "$TMP/ctl.err" || fail "forward rm error: $(cat "$TMP/ctl.err")"
"${CTL[@]}" dns add internal. lima-ctl 192.168.104.80 || fail "usernetctl dns add"
dns_query "$NS" 192.168.104.3 udp lima-ctl.internal A
[ "$DQ_RRS" = "lima-ctl.internal. A 192.168.104.80" ] ||
	fail "lima-ctl.internal: $DQ_STATUS $DQ_RRS"
out=$("${CTL[@]}" dns ls) || fail "usernetctl dns ls failed"
grep -q "^internal\.  *lima-ctl  *192.168.104.80\$" <<<"$out" ||
	fail "usernetctl dns ls: $("${CTL[@]}" dns ls)"
# read whole first: grep -q stops reading at its match, and usernetctl,
# still writing the rest, would die of SIGPIPE (pipefail)
out=$("${CTL[@]}" stats) || fail "usernetctl stats failed"
grep -q "^dns.queries  *[1-9]" <<<"$out" ||
	fail "usernetctl stats: $(head <<<"$out")"
"${CTL[@]}" wait-port "$IP" 2222 3 >/dev/null || fail "usernetctl wait-port (open)"
"${CTL[@]}" wait-port "$IP" 2223 1 2>/dev/null && fail "usernetctl wait-port (closed) succeeded"
"$USERNETCTL" -e "$TMP/none.sock" leases 2>"$TMP/ctl.err"
rc=$?
[ $rc = 1 ] || fail "usernetctl without a daemon: exit $rc, want 1"
grep -q "cannot connect to $TMP/none.sock" "$TMP/ctl.err" ||
	fail "usernetctl without a daemon said: $(cat "$TMP/ctl.err")"
"${CTL[@]}" forward frob 2>/dev/null
[ $? = 2 ] || fail "usernetctl forward frob: exit status is not 2"
"$USERNETCTL" leases 2>/dev/null
[ $? = 2 ] || fail "usernetctl leases without -e: exit status is not 2"

daemon_alive "$D"
stop_daemon "$D" "$EP" ""
[ -e "$SOCK" ] && fail "usernetd left $SOCK"
pass
