#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/isolation_dhcp.sh BUILD_DIR - one guest cannot take another's
# DHCP lease or name, nor make the daemon write the disk in a loop.
# usernetd runs a user-v2 network on 192.168.5.0/24 with -e (API), a lease
# file and a lima.yaml whose hostResolver.hosts has confname.internal; the
# API adds apiname.internal. A namespace guest (udhcpc, hostname victim)
# and a raw guest (raw_guest.py, frames of its own on the QEMU socket)
# share the network:
#  - chaddr: the raw guest, from its own MAC, sends a DHCPRELEASE of the
#    victim's address with the victim's MAC in chaddr, then asks for that
#    address itself (NAK), declines it, cancels an offer (REQUEST naming
#    another server) and asks for it, all with the victim's chaddr (no
#    answer); sends a RELEASE with the victim's MAC as the frame's source
#    (the switch has it on the victim's port); releases and declines the
#    address with its own chaddr. The victim keeps its address (API
#    leases), its name, pings the gateway and gets the same address again;
#    /stats counts dhcp drop_chaddr, drop_not_owner and switch drop_spoof;
#  - the per-port limit: 40 MACs of the raw guest each take a lease and
#    release it (never more than one live), then all ask for their
#    address again: 16 get it (DHCP_PORT_LEASES), port_limit counts the
#    rest;
#  - names: the raw guest takes a lease with hostname victim; another
#    takes one as confname and renews it as apiname: the three names keep
#    answering their owners' addresses, /stats counts dhcp name_taken;
#  - lease-file storm: 2,000 REQUESTs flipping between two addresses (all
#    ACKed) cost at most one rename of the lease file a second (strace of
#    the daemon), and the file holds the last binding a second later; two
#    more bindings right before SIGTERM (the second one's write still
#    waiting for its second) are in the file after exit;
#  - kill -9: a binding made just before, then kill -9 a second later and
#    a restart with the same command line: the lease file has the binding,
#    the victim gets its address and name back, pings the gateway.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init isolation_dhcp 170 "$@"

need_tools strace dig

NV=$(e2e_name victim)
Q=$TMP/q.sock
EP=$TMP/ep.sock
LEASES=$TMP/leases.json
LIMA=$TMP/lima.yaml
DLOG=$TMP/usernetd.log
GW=192.168.5.2
DNS=192.168.5.3
MAC_V=52:55:55:15:0a:01
RAW=$E2E_DIR/raw_guest.py

cat >"$LIMA" <<EOF
vmType: qemu
hostResolver:
  hosts:
    confname.internal: 10.9.9.9
EOF
ARGS=(--mode user-v2 --subnet 192.168.5.0/24 -e "$EP" --listen-qemu "$Q"
	--leases-file "$LEASES" --lima-yaml "$LIMA")

# run_daemon LOG: start usernetd with ARGS, wait for its API socket.
run_daemon() {
	start_daemon "$1" "${ARGS[@]}"
	D=$DAEMON_PID
	wait_for 5 "the API socket" test -S "$EP" || fail "no API socket"
}

# victim_up TAG: attach the victim (MAC_V), DHCP with hostname victim.
victim_up() {
	attach "$NV" "$Q" --mac "$MAC_V"
	ATT=$ATTACH_PID
	dhcp "$NV" tap0 "$TMP/lease-$1" -x hostname:victim ||
		fail "the victim got no lease ($1)"
	V_IP=$(lease_get "$TMP/lease-$1" ip)
}

# want_name NAME ADDR: NAME.internal answers ADDR, asked by the victim.
want_name() {
	dns_query "$NV" "$DNS" udp "$1" A || fail "dig $1: $DQ_OUT"
	[ "$DQ_RRS" = "$1. A $2" ] || fail "$1 answers '$DQ_RRS', want $2"
}

# stat_of KEY...: a counter of the network in /stats (path of keys).
stat_of() {
	local path='' k
	for k in "$@"; do
		path="$path[\"$k\"]"
	done
	api_expect "$EP" GET /stats 200
	json_eval "j[\"networks\"][0]$path" <<<"$API_BODY"
}

# victim_ok WHAT: the victim keeps V_IP (API leases) and pings the gateway.
victim_ok() {
	local got
	got=$(api_lease_ip "$EP" "$MAC_V")
	[ "$got" = "$V_IP" ] ||
		fail "$1: the leases give the victim '$got', want $V_IP"
	ns_ping "$NV" "$GW" 3 || fail "$1: the victim cannot ping $GW"
}

# raw MODE ARGS...: run the raw guest, print its RESULT line.
raw() {
	timeout 120 python3 "$RAW" "$Q" "$@" 2>&1 | grep '^RESULT' ||
		fail "raw guest $1 gave no result"
}

# field LINE KEY: one key=value of a RESULT line.
field() {
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

run_daemon "$DLOG"
api_expect "$EP" POST /services/dns/add 200 \
	'{"Name":"internal.","Records":[{"Name":"apiname","IP":"10.9.9.8"}]}'
make_ns "$NV"
victim_up first
log "victim: $V_IP"
want_name victim.internal "$V_IP"

# --- chaddr and ownership -------------------------------------------------------

log "a raw guest releases, declines and asks for the victim's address"
out=$(raw dhcpspoof "$V_IP" 0 "$MAC_V")
log "  $out"
[ "$(field "$out" own_req)" = nak ] ||
	fail "the raw guest asked for the victim's address: want a NAK: $out"
[ "$(field "$out" victim_req)" = none ] ||
	fail "a REQUEST with the victim's chaddr was answered: $out"
victim_ok "after the raw guest's messages"
want_name victim.internal "$V_IP"
n=$(stat_of dhcp drop_chaddr)
[ "${n:-0}" -ge 4 ] || fail "/stats: dhcp drop_chaddr is '$n', want >= 4"
m=$(stat_of dhcp drop_not_owner)
[ "${m:-0}" -ge 3 ] || fail "/stats: dhcp drop_not_owner is '$m', want >= 3"
s=$(stat_of switch drop_spoof)
[ "${s:-0}" -ge 1 ] || fail "/stats: switch drop_spoof is '$s', want >= 1"
log "  drop_chaddr $n, drop_not_owner $m, switch drop_spoof $s"
# whole first: grep -q would leave usernetctl writing into a closed pipe
out=$("$USERNETCTL" -e "$EP" stats) || fail "usernetctl stats failed"
grep -Eq 'dhcp\.drop_chaddr +[1-9]' <<<"$out" ||
	fail "usernetctl stats does not show drop_chaddr: $out"
dhcp "$NV" tap0 "$TMP/lease-again" -x hostname:victim ||
	fail "the victim got no lease again"
got=$(lease_get "$TMP/lease-again" ip)
[ "$got" = "$V_IP" ] || fail "the victim got $got again, want $V_IP"

log "a raw guest's 40 MACs each take a lease and release it, then ask again"
out=$(raw dhcpreuse 0.0.0.0 40)
log "  $out"
n=$(field "$out" acks)
[ -n "$n" ] && [ "$n" -le 16 ] ||
	fail "MACs with a released lease got $n addresses back, want 16 at most"
n=$(stat_of dhcp port_limit)
[ "${n:-0}" -ge 24 ] || fail "/stats: dhcp port_limit is '$n', want >= 24"
victim_ok "after the MACs' return"

# --- names ------------------------------------------------------------------------

log "a raw guest asks for the name victim"
out=$(raw dhcpname 0.0.0.0 0 victim)
log "  $out"
[ "$(field "$out" acks)" = 1 ] || fail "the raw guest's lease: $out"
want_name victim.internal "$V_IP"
log "a raw guest asks for the names confname, then apiname"
out=$(raw dhcpname 0.0.0.0 0 confname,apiname)
log "  $out"
[ "$(field "$out" acks)" = 2 ] || fail "the raw guest's lease: $out"
R_IP=$(field "$out" own)
want_name victim.internal "$V_IP"
want_name confname.internal 10.9.9.9
want_name apiname.internal 10.9.9.8
n=$(stat_of dhcp name_taken)
[ "${n:-0}" -ge 3 ] || fail "/stats: dhcp name_taken is '$n', want >= 3"
grep -q "hostname victim is taken" "$DLOG" || fail "no log line of the refusal"
log "  the names keep their owners ($R_IP got none); name_taken $n"
victim_ok "after the names"

# --- lease-file storm ---------------------------------------------------------------

# renames TRACE: renames of the lease file itself (not its state file).
renames() {
	grep -c "rename.*\"$LEASES\"" "$1"
}

log "a raw guest flips between two addresses 2,000 times"
strace -f -qq -p "$D" -e trace=rename,renameat,renameat2,fsync \
	-o "$TMP/strace.out" 2>"$TMP/strace.log" &
ST=$!
register_pid "$ST"
wait_for 5 "strace to attach" grep -q "TracerPid:[[:space:]]*[1-9]" \
	"/proc/$D/status" || fail "strace did not attach"
t0=$(date +%s%N)
out=$(raw dhcpstorm 192.168.5.60 2000)
t1=$(date +%s%N)
secs=$(((t1 - t0 + 999999999) / 1000000000))
log "  $out in ${secs}s"
[ "$(field "$out" acks)" = 2000 ] || fail "the storm's REQUESTs: $out"
S_MAC=$(field "$out" mac)
wait_for 5 "the last binding in the lease file" \
	sh -c "[ \"\$(python3 -c 'import json,sys; print({v: k for k, v in json.load(open(sys.argv[1])).items()}.get(sys.argv[2], \"\"))' '$LEASES' '$S_MAC')\" = 192.168.5.61 ]" ||
	fail "the lease file does not give $S_MAC 192.168.5.61"
kill -INT "$ST"
reap "$ST"
r=$(renames "$TMP/strace.out")
f=$(grep -c 'fsync(' "$TMP/strace.out")
log "  $r renames of the lease file, $f fsyncs (all files)"
[ "$r" -ge 1 ] || fail "strace saw no rename of $LEASES"
[ "$r" -le $((secs + 2)) ] ||
	fail "$r renames of the lease file in ${secs}s, want <= $((secs + 2))"
victim_ok "after the storm"

log "two more bindings (the second waits for its write), then SIGTERM"
out=$(raw dhcpstorm 192.168.5.70 2 "$S_MAC")
[ "$(field "$out" acks)" = 2 ] || fail "the last REQUESTs: $out"
stop_daemon "$D" "$Q" ""
reap "$ATT"
got=$(leases_json_mac "$LEASES" 192.168.5.71)
[ "$got" = "$S_MAC" ] || fail "after SIGTERM, the lease file gives .71 to '$got'"

# --- kill -9 ---------------------------------------------------------------------------

log "restart, a binding, kill -9 a second later, restart"
run_daemon "$TMP/usernetd2.log"
victim_up second
[ "$V_IP" = "$(lease_get "$TMP/lease-first" ip)" ] ||
	fail "the victim got $V_IP after the restart"
out=$(raw dhcpstorm 192.168.5.80 1 "$S_MAC")
[ "$(field "$out" acks)" = 1 ] || fail "the REQUEST before kill -9: $out"
sleep 1.2
kill -KILL "$D" || fail "cannot kill usernetd"
wait_for 5 "usernetd to die" pid_dead "$D" || fail "usernetd survives kill -9"
reap "$D"
wait_for 5 "the victim's attach tool to exit" pid_dead "$ATT"
reap "$ATT"
got=$(leases_json_mac "$LEASES" 192.168.5.80)
[ "$got" = "$S_MAC" ] || fail "after kill -9, the lease file gives .80 to '$got'"
rm -f "$Q" "$EP"
run_daemon "$TMP/usernetd3.log"
victim_up third
[ "$V_IP" = "$(lease_get "$TMP/lease-first" ip)" ] ||
	fail "the victim got $V_IP after kill -9"
victim_ok "after kill -9"
want_name victim.internal "$V_IP"
out=$(raw dhcpstorm 192.168.5.80 1 "$S_MAC")
[ "$(field "$out" acks)" = 1 ] ||
	fail "the raw guest's MAC did not get .80 back: $out"
log "  the victim has $V_IP and its name, the raw MAC .80"
stop_daemon "$D" "$Q" ""
for f in "$DLOG" "$TMP/usernetd2.log" "$TMP/usernetd3.log"; do
	sanitizer_check "$f"
done

pass
