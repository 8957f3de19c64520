#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/restart.sh BUILD_DIR - kill -9 and restart of a user-v2 network:
# what the guests and the API set up comes back without any guest asking
# again (issue 8).
#
# usernetd runs in a namespace standing for the host (its resolv.conf names
# a dnsmasq there that answers NXDOMAIN for every *.internal name), with
# --mode user-v2, --leases-file, the static lease --leases .5=MAC_S, the
# command-line forward tcp:127.0.0.1:FP -> .5:GP and an API endpoint.
#
#  - run 1: guest A runs udhcpc with hostname lima-a (gets .4), guest S with
#    hostname lima-s (gets its static .5); a name registered through the
#    API (dns/add: lima-api.internal -> .80); the forward reaches S's echo
#    server; the state file next to the lease file names lima-a and lima-s
#    and holds the zone; kill -9 the daemon; the attach tools exit.
#  - run 2, same command line (stale socket files left by kill -9): the
#    lease file maps the same; the guests re-attach with their MACs and
#    configure their old addresses by hand (no DHCP: a VM that kept its
#    lease); from A, dig at .3 and .2 resolves lima-a, lima-s and lima-api;
#    GET /services/dhcp/leases shows both leases bound, /services/dns/all
#    the zone; the forward reaches S again; udhcpc again gives A .4 and S
#    .5; 20 hostname changes of A in a row: the state file names the last
#    one, written at most once a second (debug log lines).
#  - a state file that is not JSON: warned about, the daemon starts clean
#    (names not restored), the lease file still gives A its address.
#
# Without the state file (names and zones restored from it) the DNS checks
# of run 2 get NXDOMAIN from the upstream and the test fails.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init restart 120 "$@"

need_tools dig dnsmasq unshare ss

NET=192.168.104
HNS=$(e2e_name host)
NA=$(e2e_name a)
NS=$(e2e_name s)
SOCK=$TMP/qemu.sock
EP=$TMP/ep.sock
LEASES=$TMP/leases.json
STATE=$LEASES.state.json
RESOLV=$TMP/resolv.conf
MAC_A=52:55:55:00:08:0a
MAC_S=52:55:55:00:08:05
GP=8080

declare -A MAC HOST IP ATT
MAC[$NA]=$MAC_A
MAC[$NS]=$MAC_S
HOST[$NA]=lima-a
HOST[$NS]=lima-s
IP[$NA]=$NET.4
IP[$NS]=$NET.5

make_ns "$HNS"
for ns in "$NA" "$NS"; do
	make_ns "$ns"
done
start_dnsmasq "$HNS" 127.0.0.77 up --local=/internal/
printf 'nameserver 127.0.0.77\n' >"$RESOLV"
# a free port of the host namespace: its loopback is private
FP=$((20000 + RANDOM % 10000))

DARGS=(--mode user-v2 --subnet "$NET.0/24" --leases-file "$LEASES"
	--leases "$NET.5=$MAC_S" --forward "tcp:127.0.0.1:$FP:$NET.5:$GP"
	-e "$EP" --listen-qemu "$SOCK" --resolv-conf "$RESOLV")

# start RUN: the daemon with DARGS; waits until it serves (the socket
# files may be stale ones of a killed daemon).
start() {
	local logf=$TMP/usernetd-$1.log
	start_daemon_ns "$HNS" "$RESOLV" "$logf" "${DARGS[@]}"
	wait_for 5 "usernetd to listen" grep -q "(control API)" "$logf" ||
		fail "usernetd run $1 does not serve its API"
	DLOG=$logf
}

# join NS: attach NS with its MAC and run udhcpc with its hostname; it must
# get its address.
join() {
	local ns=$1 got
	attach "$ns" "$SOCK" --mac "${MAC[$ns]}"
	ATT[$ns]=$ATTACH_PID
	dhcp "$ns" tap0 "$TMP/lease-$ns" -x "hostname:${HOST[$ns]}" ||
		fail "${HOST[$ns]}: udhcpc got no lease"
	got=$(lease_get "$TMP/lease-$ns" ip)
	log "${HOST[$ns]} (${MAC[$ns]}): $got"
	[ "$got" = "${IP[$ns]}" ] ||
		fail "${HOST[$ns]} (${MAC[$ns]}) got '$got', want ${IP[$ns]}; leases.json: $(cat "$LEASES" 2>&1)"
}

# reattach NS: attach NS again and configure its old address by hand, as a
# VM whose NIC stayed up does: no DHCP.
reattach() {
	local ns=$1
	attach "$ns" "$SOCK" --mac "${MAC[$ns]}"
	ATT[$ns]=$ATTACH_PID
	ip -n "$ns" link set tap0 up &&
		ip -n "$ns" addr add "${IP[$ns]}/24" dev tap0 &&
		ip -n "$ns" route add default via "$NET.2" ||
		fail "cannot configure tap0 in $ns"
}

# resolves NS SERVER NAME ADDR: NAME must answer ADDR, asked from NS.
resolves() {
	dns_query "$1" "$2" udp "$3" A ||
		fail "no answer from $2 for $3: $DQ_OUT"
	[ "$DQ_STATUS" = NOERROR ] && [ "$DQ_RRS" = "$3. A $4" ] ||
		fail "$3 at $2: $DQ_STATUS '$DQ_RRS', want $4"
}

# forward_works: the command-line forward reaches S's echo server.
forward_works() {
	local got
	got=$(printf 'ping\n' | timeout 10 ip netns exec "$HNS" \
		socat -t 5 - TCP4:127.0.0.1:"$FP",connect-timeout=5)
	[ "$got" = ping ] || fail "forward 127.0.0.1:$FP -> $NET.5:$GP: got '$got'"
}

# wait_detached: every attach tool exits once the daemon is gone.
wait_detached() {
	local ns
	for ns in "${!ATT[@]}"; do
		wait_for 3 "the attach tool of $ns to exit" \
			pid_dead "${ATT[$ns]}" ||
			fail "usernetctl attach in $ns still runs after usernetd died"
		reap "${ATT[$ns]}"
		wait_for 2 "tap0 to go from $ns" sh -c "! ip -n $ns link show tap0" ||
			fail "tap0 still exists in $ns"
	done
	ATT=()
}

# state_has PYEXPR: the state file, as j, satisfies PYEXPR.
state_has() {
	[ "$(json_eval "$1" <"$STATE")" = True ]
}

# kill9: kill -9 the daemon, reap it, wait for the attach tools to exit.
kill9() {
	kill -KILL "$DAEMON_PID" || fail "cannot kill usernetd"
	wait_for 3 "usernetd to die" pid_dead "$DAEMON_PID" ||
		fail "usernetd survives kill -9"
	reap "$DAEMON_PID"
	wait_detached
}

# --- run 1 ------------------------------------------------------------------

log "run 1"
start 1
join "$NA"
join "$NS"
start_tcp_echo "$NS" "$GP"
forward_works
resolves "$NA" "$NET.3" lima-s.internal "$NET.5"
api_expect "$EP" POST /services/dns/add 200 \
	"{\"Name\":\"internal.\",\"Records\":[{\"Name\":\"lima-api\",\"IP\":\"$NET.80\"}]}"
resolves "$NA" "$NET.3" lima-api.internal "$NET.80"
wait_for 5 "the state file to hold the names and the zone" state_has \
	"sorted(l['hostname'] for l in j['leases']) == ['lima-a', 'lima-s'] and j['zones'][0]['Records'][0]['Name'] == 'lima-api'" ||
	fail "$STATE: $(cat "$STATE" 2>&1)"
[ "$(stat -c %a "$STATE")" = 600 ] ||
	fail "$STATE has mode $(stat -c %a "$STATE"), want 600"
cp "$LEASES" "$TMP/leases-before.json"
log "leases.json: $(cat "$LEASES")"
kill9

# --- run 2: kill -9, same command line ----------------------------------------

log "run 2, after kill -9"
start 2
python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
	"$TMP/leases-before.json" "$LEASES" ||
	fail "leases.json changed: $(cat "$TMP/leases-before.json") -> $(cat "$LEASES")"
[ "$(leases_json_mac "$LEASES" "$NET.4")" = "$MAC_A" ] ||
	fail "leases.json does not give $NET.4 to $MAC_A: $(cat "$LEASES")"
reattach "$NA"
reattach "$NS"
for srv in "$NET.3" "$NET.2"; do
	resolves "$NA" "$srv" lima-a.internal "$NET.4"
	resolves "$NA" "$srv" lima-s.internal "$NET.5"
	resolves "$NA" "$srv" lima-api.internal "$NET.80"
done
log "names answered without DHCP"
api_expect "$EP" GET /services/dns/all 200
[ "$(json_eval "j[0]['Name'] == 'internal.' and j[0]['Records'] == [{'Name': 'lima-api', 'IP': '$NET.80'}]" <<<"$API_BODY")" = True ] ||
	fail "dns/all after the restart: $API_BODY"
[ "$(api_lease_ip "$EP" "$MAC_A")" = "$NET.4" ] ||
	fail "GET /services/dhcp/leases lacks A's bound lease: $API_BODY"
forward_works
log "forward works again"
for ns in "$NA" "$NS"; do
	dhcp "$ns" tap0 "$TMP/lease-$ns" -x "hostname:${HOST[$ns]}" ||
		fail "${HOST[$ns]}: udhcpc got no lease after the restart"
	[ "$(lease_get "$TMP/lease-$ns" ip)" = "${IP[$ns]}" ] ||
		fail "${HOST[$ns]}: got $(lease_get "$TMP/lease-$ns" ip) after the restart, want ${IP[$ns]}"
done
log "DHCP gives the same addresses"

# A guest that keeps changing its name: the state file follows, with a
# write a second at most.
saves() {
	grep -c "state.json: saved" "$DLOG"
}
n0=$(saves)
t0=$(date +%s)
for i in $(seq 20); do
	dhcp "$NA" tap0 "$TMP/lease-$NA" -x "hostname:spam-$i" ||
		fail "spam-$i: udhcpc got no lease"
done
wait_for 3 "the state file to name spam-20" state_has \
	"'spam-20' in [l['hostname'] for l in j['leases']]" ||
	fail "$STATE does not follow the name changes: $(cat "$STATE")"
resolves "$NA" "$NET.3" spam-20.internal "$NET.4"
n=$(($(saves) - n0))
secs=$(($(date +%s) - t0))
log "20 name changes in ${secs}s: $n writes of the state file"
[ "$n" -le $((secs + 2)) ] ||
	fail "$n writes of $STATE for 20 name changes in ${secs}s"
stop_daemon "$DAEMON_PID" "$SOCK" ""
wait_detached

# --- run 3: a corrupt state file ------------------------------------------------

log "run 3, state file truncated"
head -c 40 "$STATE" >"$STATE.cut" && mv "$STATE.cut" "$STATE"
start 3
grep -q "$STATE.*starting without the saved names" "$DLOG" ||
	fail "no warning about the truncated $STATE"
pid_alive "$DAEMON_PID" || fail "usernetd died on a truncated state file"
reattach "$NA"
dns_query "$NA" "$NET.3" udp lima-a.internal A
[ -n "$DQ_STATUS" ] && [ -z "$DQ_RRS" ] ||
	fail "lima-a.internal with a truncated state file: $DQ_STATUS $DQ_RRS"
dhcp "$NA" tap0 "$TMP/lease-$NA" -x hostname:lima-a ||
	fail "lima-a: no lease with a truncated state file"
[ "$(lease_get "$TMP/lease-$NA" ip)" = "$NET.4" ] ||
	fail "lima-a: $(lease_get "$TMP/lease-$NA" ip) with a truncated state file, want $NET.4"
resolves "$NA" "$NET.3" lima-a.internal "$NET.4"
wait_for 5 "the state file to be rewritten" state_has \
	"[l['hostname'] for l in j['leases']] == ['lima-a']" ||
	fail "$STATE not rewritten: $(cat "$STATE" 2>&1)"
stop_daemon "$DAEMON_PID" "$SOCK" ""
wait_detached
pass
