#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 240
#
# tests/e2e/lima_dropin.sh BUILD_DIR - usernetd in the place of `limactl
# usernet`, with an unmodified Lima (docs/lima.md):
#
# Part 1, Lima's own argv (`usernetd usernet -p ... -e ... --listen-qemu ...
# --listen ... --subnet ... --leases ...`):
#  - leases.json as Lima saves gvisor-tap-vsock's list: its gateway (.2 ->
#    5a:94:ef:e4:0c:dd), VM a on .1, VM c on .3, VM b on .4, and an entry
#    of another subnet; Lima passes all of it back with --leases. The
#    daemon starts (it exited 2 on the gateway's entry before), warns once
#    about each entry it skips, and says that c gets a new address;
#  - a second daemon with the same pidfile refuses to start while the
#    first runs (Lima's pidfile check: kill 0 on its pid);
#  - VM a on the QEMU socket and VM b through the fd-passing socket (Lima's
#    VZ driver) keep .1 and .4; c gets a new address, releases it, and the
#    leases endpoint still lists it (a lapsed lease too, not only bound);
#  - the hostagent's calls in Lima's order: leases by MAC, expose SSH,
#    wait_port, dns/add;
#  - Lima's stop: GET the leases, write leases.json as Go's json.Encoder
#    does, SIGINT, the pidfile gone within 5 s (Lima polls every 500 ms,
#    then SIGKILLs); restart with those leases: a, b and c get the same
#    addresses.
#
# Part 2, `--lima-network NAME` run as the systemd unit in contrib/ runs
# it (its ExecStart line, under a restart loop doing what Restart=always
# and RestartSec=1 do; the unit file is checked by systemd-analyze verify
# when it is there):
#  - a LIMA_HOME laid out as Lima lays it out: _config/networks.yaml with
#    gateway 10.231.4.1, netmask 255.255.254.0 (subnet 10.231.4.0/23, as
#    Lima computes it), _networks/NAME/leases.json naming a VM at .1;
#  - the daemon comes up at Lima's paths; the pidfile names a live process
#    (so `limactl start` launches nothing); the VM gets its saved address;
#  - Lima's stop (save leases, SIGINT, pidfile gone within 5 s): the loop
#    brings usernetd back with a new pid and the saved leases.
#
# Part 3, docs/lima.md's socket network: its shell block run as written
# (HOME being a temporary directory), its lima.yaml block checked as Lima
# checks `socket:` (an absolute path that is a socket: Lima expands no ~),
# and a VM attached at that path gets its address.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init lima_dropin 240 "$@"

GW_MAC=5a:94:ef:e4:0c:dd
MAC_A=52:55:55:d1:00:0a
MAC_B=52:55:55:d1:00:0b
MAC_C=52:55:55:d1:00:0c
MAC_X=52:55:55:d1:00:99

# lima_leases_write FILE JSON: leases.json as Lima writes it (Go's
# json.Encoder over a map: keys sorted, compact, one newline).
lima_leases_write() {
	python3 -c '
import json, sys
d = json.loads(sys.argv[2])
open(sys.argv[1], "w").write(json.dumps(d, sort_keys=True, separators=(",", ":")) + "\n")
' "$1" "$2" || fail "cannot write $1"
}

# lima_leases_arg FILE: the --leases value Lima builds from leases.json
# (mapToCliString: ip=mac joined by commas, nothing filtered).
lima_leases_arg() {
	python3 -c '
import json, sys
print(",".join(k + "=" + v for k, v in json.load(open(sys.argv[1])).items()))
' "$1"
}

# lima_pid PIDFILE: Lima's store.ReadPIDFile: the pid if the file names a
# live process (kill 0), else nothing.
lima_pid() {
	local pid
	[ -f "$1" ] || return 1
	pid=$(tr -d ' \n' <"$1")
	kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

# lima_stop EP PIDFILE LEASES: Lima's usernet.Stop: save the leases from
# the API as leases.json, SIGINT, wait up to 5 s for the pidfile to go.
lima_stop() {
	local ep=$1 pidf=$2 leases=$3 pid t0
	pid=$(lima_pid "$pidf") || fail "no live process in $pidf"
	api_expect "$ep" GET /services/dhcp/leases 200
	lima_leases_write "$leases" "$API_BODY"
	log "Lima saved $(cat "$leases")"
	kill -INT "$pid" || fail "cannot SIGINT $pid"
	t0=$(date +%s%N)
	while lima_pid "$pidf" >/dev/null; do
		[ $(($(date +%s%N) - t0)) -gt 5000000000 ] &&
			fail "$pidf still names a live process 5 s after SIGINT" \
				"(Lima would SIGKILL it)"
		sleep 0.5
	done
	STOPPED_PID=$pid
	log "pidfile gone $((($(date +%s%N) - t0) / 1000000)) ms after SIGINT"
}

# guest_dhcp NS OUT: DHCP in NS, the address in GUEST_IP.
guest_dhcp() {
	dhcp "$1" tap0 "$2" "${@:3}" || fail "$1: no DHCP lease"
	GUEST_IP=$(lease_get "$2" ip)
}

# ---------------------------------------------------------------- part 1
NET=$TMP/lima1/_networks/user-v2
mkdir -p "$NET"
PIDF=$NET/usernet_user-v2.pid
EP=$NET/user-v2_ep.sock
QS=$NET/user-v2_qemu.sock
FDS=$NET/user-v2_fd.sock
NS_A=$(e2e_name a)
NS_B=$(e2e_name b)
NS_C=$(e2e_name c)

lima_leases_write "$NET/leases.json" "{
	\"192.168.104.1\":\"$MAC_A\", \"192.168.104.2\":\"$GW_MAC\",
	\"192.168.104.3\":\"$MAC_C\", \"192.168.104.4\":\"$MAC_B\",
	\"192.168.99.7\":\"$MAC_X\"}"

# lima_start LOG: usernetd with Lima's exact argv for `limactl usernet`
# (recoincile.go), stdout and stderr to files as Lima sends them; ready
# when the fd socket exists (Lima's 500 ms poll). Sets D.
lima_start() {
	local args=(usernet -p "$PIDF" -e "$EP" --listen-qemu "$QS"
		--listen "$FDS" --subnet 192.168.104.0/24)
	local leases
	leases=$(lima_leases_arg "$NET/leases.json")
	[ -n "$leases" ] && args+=(--leases "$leases")
	register_log "$1"
	log "usernetd ${args[*]}"
	(cd "$NET" && exec "$USERNETD" "${args[@]}" "${SANDBOX_ARGS[@]}" -v \
		>"$1.stdout" 2>"$1" </dev/null) &
	D=$!
	register_pid "$D"
	for _ in $(seq 20); do
		[ -S "$FDS" ] && break
		pid_alive "$D" || break
		sleep 0.5
	done
	pid_alive "$D" || {
		reap "$D"
		fail "usernetd exited at start (status $REAP_RC)"
	}
	[ -S "$FDS" ] || fail "no fd socket $FDS after 10 s"
	[ "$(lima_pid "$PIDF")" = "$D" ] || fail "$PIDF does not name $D"
}

lima_start "$TMP/d1.log"
for want in "192.168.104.2=$GW_MAC skipped: 192.168.104.2 is the gateway" \
	"192.168.104.3=$MAC_C skipped: .* $MAC_C gets a new address" \
	"192.168.99.7=$MAC_X skipped: 192.168.99.7 is outside the subnet"; do
	[ "$(grep -c "warning: leases: $want" "$TMP/d1.log")" = 1 ] ||
		fail "want one warning '$want'"
done
api_expect "$EP" GET /stats 200
[ "$(json_eval "j['networks'][0]['leases_skipped']" <<<"$API_BODY")" = 3 ] ||
	fail "leases_skipped is not 3: $API_BODY"
# whole first: grep -q would leave usernetctl writing into a closed pipe
out=$("$USERNETCTL" -e "$EP" stats) || fail "usernetctl stats failed"
grep -qE '(^|\.)leases_skipped[ =:]+3$' <<<"$out" ||
	fail "usernetctl stats: $(grep leases_skipped <<<"$out")"

log "a second daemon on the same pidfile refuses to start"
"$USERNETD" usernet -p "$PIDF" -e "$TMP/other_ep.sock" \
	--listen-qemu "$TMP/other_q.sock" --subnet 192.168.104.0/24 \
	>"$TMP/d-second.log" 2>&1 </dev/null && fail "second daemon ran"
grep -q "another usernetd is running" "$TMP/d-second.log" ||
	fail "second daemon: $(cat "$TMP/d-second.log")"
[ "$(lima_pid "$PIDF")" = "$D" ] || fail "the pidfile changed"
daemon_alive "$D"

log "VM a (QEMU socket) keeps .1, VM b (fd socket) keeps .4"
make_ns "$NS_A"
attach "$NS_A" "$QS" --mac "$MAC_A"
guest_dhcp "$NS_A" "$TMP/lease-a" -x hostname:lima-dropin-a
[ "$GUEST_IP" = 192.168.104.1 ] || fail "VM a got $GUEST_IP, saved .1"
make_ns "$NS_B"
attach_via "$NS_B" fd-socket "$FDS" --mac "$MAC_B"
guest_dhcp "$NS_B" "$TMP/lease-b"
[ "$GUEST_IP" = 192.168.104.4 ] || fail "VM b got $GUEST_IP, saved .4"
ns_ping "$NS_B" 192.168.104.1 2 || fail "VM b cannot ping VM a on .1"

log "the hostagent of VM a: leases by MAC, expose SSH, wait_port, dns/add"
IP_A=$(api_wait_lease_ip "$EP" "$MAC_A") || fail "no lease for $MAC_A"
[ "$IP_A" = 192.168.104.1 ] || fail "leases give $MAC_A $IP_A"
free_port
SSH_PORT=$FREE_PORT
api_expect "$EP" POST /services/forwarder/expose 200 \
	"{\"local\":\"127.0.0.1:$SSH_PORT\",\"remote\":\"$IP_A:22\",\"protocol\":\"tcp\"}"
start_tcp_echo "$NS_A" 22
api_expect "$EP" GET "/extension/wait_port?ip=$IP_A&port=22&timeout=599" 200
got=$(tcp_rr 127.0.0.1 "$SSH_PORT" "ssh-$$") || fail "SSH forward failed"
[ "$got" = "ssh-$$" ] || fail "SSH forward answered '$got'"
api_expect "$EP" POST /services/dns/add 200 \
	"{\"Name\":\"internal.\",\"Records\":[{\"Name\":\"lima-dropin-a\",\"IP\":\"$IP_A\"}],\"DefaultIP\":null}"
dns_query "$NS_B" 192.168.104.2 udp lima-dropin-a.internal A
[ "$DQ_RRS" = "lima-dropin-a.internal. A $IP_A" ] ||
	fail "lima-dropin-a.internal: $DQ_STATUS $DQ_RRS"

log "VM c, whose saved .3 the services host keeps, gets a new address"
make_ns "$NS_C"
attach "$NS_C" "$QS" --mac "$MAC_C"
guest_dhcp "$NS_C" "$TMP/lease-c"
IP_C=$GUEST_IP
# A DHCP client that stays (no -q), bound, told to release (SIGUSR2): it
# unicasts a DHCPRELEASE to the server, whose MAC must be in the neighbour
# cache already: the address goes away with the release, and an ARP
# request sent after that goes unanswered with the release behind it.
# Pinged after the client bound: its deconfig flushed the address, and
# with it the cache (CI lost the release once when the ping came first).
register_log "$TMP/udhcpc-c.log"
UDHCPC_OUT=$TMP/lease-c-bound ip netns exec "$NS_C" busybox udhcpc -i tap0 \
	-f -t 5 -T 1 -s "$TMP/udhcpc.script" >"$TMP/udhcpc-c.log" 2>&1 \
	</dev/null &
UDHCPC=$!
register_pid "$UDHCPC"
wait_for 10 "VM c bound" grep -q "lease of $IP_C obtained" "$TMP/udhcpc-c.log" ||
	fail "VM c's udhcpc did not bind $IP_C again"
# udhcpc logs the lease before its bound script applies it
wait_for 5 "VM c's address on tap0" ip netns exec "$NS_C" \
	sh -c "ip -4 addr show dev tap0 | grep -q 'inet $IP_C/'" ||
	fail "VM c's udhcpc did not apply $IP_C"
ns_ping "$NS_C" 192.168.104.3 1 || fail "VM c cannot ping the services host"
kill -USR2 "$UDHCPC"
case $IP_C in
192.168.104.[0-4] | "") fail "VM c got '$IP_C'" ;;
esac
log "VM c has $IP_C and released it"
# shellcheck disable=SC2317 # called by wait_for
released() {
	local out
	out=$(curl -s --unix-socket "$EP" http://lima/stats) &&
		grep -q '"releases":[1-9]' <<<"$out"
}
wait_for 5 "the DHCPRELEASE" released ||
	fail "no DHCPRELEASE counted: $(curl -s --unix-socket "$EP" http://lima/stats)"
kill "$UDHCPC"
reap "$UDHCPC"
api_expect "$EP" GET /services/dhcp/leases 200
[ "$(json_eval "j.get('$IP_C')" <<<"$API_BODY")" = "$MAC_C" ] ||
	fail "the released lease of $MAC_C ($IP_C) is not listed: $API_BODY"
[ "$(json_eval "j.get('192.168.104.1')" <<<"$API_BODY")" = "$MAC_A" ] ||
	fail "a's lease is not listed: $API_BODY"

log "Lima stops the network"
lima_stop "$EP" "$PIDF" "$NET/leases.json"
reap "$STOPPED_PID"
[ "$REAP_RC" = 0 ] || fail "usernetd exit status $REAP_RC after SIGINT"
for f in "$PIDF" "$EP" "$QS" "$FDS"; do
	[ -e "$f" ] && fail "usernetd left $f"
done
for ip in 192.168.104.1=$MAC_A 192.168.104.4=$MAC_B "$IP_C=$MAC_C"; do
	[ "$(leases_json_mac "$NET/leases.json" "${ip%=*}")" = "${ip#*=}" ] ||
		fail "the saved leases lack $ip"
done
for pid in "${E2E_PIDS[@]}"; do
	kill "$pid" 2>/dev/null
done
for ns in "$NS_A" "$NS_B" "$NS_C"; do
	wait_for 5 "tap0 in $ns to go" sh -c "! ip -n $ns link show tap0 >/dev/null 2>&1" ||
		fail "tap0 stays in $ns"
done

log "Lima starts the network again with the saved leases"
lima_start "$TMP/d2.log"
attach "$NS_A" "$QS" --mac "$MAC_A"
guest_dhcp "$NS_A" "$TMP/lease-a2"
[ "$GUEST_IP" = 192.168.104.1 ] || fail "after restart VM a got $GUEST_IP"
attach_via "$NS_B" fd-socket "$FDS" --mac "$MAC_B"
guest_dhcp "$NS_B" "$TMP/lease-b2"
[ "$GUEST_IP" = 192.168.104.4 ] || fail "after restart VM b got $GUEST_IP"
attach "$NS_C" "$QS" --mac "$MAC_C"
guest_dhcp "$NS_C" "$TMP/lease-c2"
[ "$GUEST_IP" = "$IP_C" ] || fail "after restart VM c got $GUEST_IP, had $IP_C"
stop_daemon "$D" "$EP" "$PIDF"


# ---------------------------------------------------------------- part 2
NAME=dropin$$
LH=$TMP/lima2
UNIT=$E2E_DIR/../../contrib/systemd/usernetd-lima@.service
[ -f "$UNIT" ] || fail "no $UNIT"
mkdir -p "$LH/_config" "$LH/_networks/$NAME"
cat >"$LH/_config/networks.yaml" <<EOF
paths:
  socketVMNet: /opt/socket_vmnet/bin/socket_vmnet
  varRun: /private/var/run/lima
group: everyone
networks:
  user-v2:
    mode: user-v2
    gateway: 192.168.104.1
    netmask: 255.255.255.0
  $NAME:
    mode: user-v2
    gateway: 10.231.4.1
    netmask: 255.255.254.0
  shared:
    mode: shared
    gateway: 192.168.105.1
    dhcpEnd: 192.168.105.254
    netmask: 255.255.255.0
EOF
N2=$LH/_networks/$NAME
lima_leases_write "$N2/leases.json" \
	"{\"10.231.4.1\":\"$MAC_A\",\"10.231.4.2\":\"$GW_MAC\"}"

if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/local/bin/usernetd|$USERNETD|" "$UNIT" \
		>"$TMP/usernetd-lima@.service"
	systemd-analyze verify --man=no \
		"$TMP/usernetd-lima@$NAME.service" >"$TMP/verify.log" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$TMP/verify.log")"
	[ -s "$TMP/verify.log" ] &&
		fail "systemd-analyze verify: $(cat "$TMP/verify.log")"
	log "systemd-analyze verify: the unit is clean"
fi
# The unit's ExecStart, %i being the network, our build's usernetd.
EXEC=$(sed -n 's/^ExecStart=//p' "$UNIT" | sed "s|%i|$NAME|g")
read -r -a CMD <<<"$EXEC"
[ "${CMD[0]}" = /usr/local/bin/usernetd ] || fail "ExecStart: $EXEC"
CMD[0]=$USERNETD
grep -qx 'Restart=always' "$UNIT" || fail "the unit does not restart always"
RSEC=$(sed -n 's/^RestartSec=//p' "$UNIT")
if [ "$RSEC" -lt 1 ] || [ "$RSEC" -gt 2 ]; then
	fail "RestartSec=$RSEC: Lima polls the pidfile every 500 ms"
fi
log "the unit's command, restarted as Restart=always does: ${CMD[*]}"
register_log "$TMP/unit.log"
LIMA_HOME=$LH setsid bash -c '
	while :; do "$@" </dev/null; echo "exit $?"; sleep '"$RSEC"'; done' \
	loop "${CMD[@]}" "${SANDBOX_ARGS[@]}" -v >"$TMP/unit.log" 2>&1 &
LOOP=$!
register_pid "$LOOP"
PIDF2=$N2/usernet_$NAME.pid
wait_for 10 "Lima's pidfile" lima_pid "$PIDF2" || fail "no live $PIDF2"
for s in "$N2/${NAME}_qemu.sock" "$N2/${NAME}_fd.sock" "$N2/${NAME}_ep.sock"; do
	wait_for 5 "$s" test -S "$s" || fail "no socket $s"
done
P1=$(lima_pid "$PIDF2")
register_pid "$P1"
log "limactl start would find $PIDF2 naming live pid $P1 and launch nothing"

NS_D=$(e2e_name d)
make_ns "$NS_D"
attach "$NS_D" "$N2/${NAME}_qemu.sock" --mac "$MAC_A"
guest_dhcp "$NS_D" "$TMP/lease-d"
[ "$GUEST_IP" = 10.231.4.1 ] || fail "VM got $GUEST_IP, saved 10.231.4.1"
[ "$(lease_get "$TMP/lease-d" mask)" = 23 ] ||
	fail "mask $(lease_get "$TMP/lease-d" mask), want /23"
ns_ping "$NS_D" 10.231.4.2 2 || fail "cannot ping the gateway 10.231.4.2"

log "Lima stops the network; the unit brings usernetd back"
lima_stop "$N2/${NAME}_ep.sock" "$PIDF2" "$N2/leases.json"
wait_for 10 "usernetd back" lima_pid "$PIDF2" ||
	fail "usernetd did not come back"
P2=$(lima_pid "$PIDF2")
register_pid "$P2"
[ "$P2" != "$P1" ] || fail "the same pid $P1"
wait_for 5 "the endpoint" test -S "$N2/${NAME}_ep.sock" || fail "no endpoint"
api_expect "$N2/${NAME}_ep.sock" GET /services/dhcp/leases 200
[ "$(json_eval "j.get('10.231.4.1')" <<<"$API_BODY")" = "$MAC_A" ] ||
	fail "after the restart the saved lease is not listed: $API_BODY"
grep -q "^exit 0" "$TMP/unit.log" || fail "usernetd did not exit 0 on SIGINT"
kill -TERM -- -"$LOOP" 2>/dev/null
wait_for 5 "the unit's usernetd to stop" pid_dead "$P2" ||
	fail "usernetd $P2 survives its loop"

# ---------------------------------------------------------------- part 3
log "docs/lima.md: the socket network's snippets, as written"
DOC=$E2E_DIR/../../docs/lima.md
# doc_block MARKER LANG: the first LANG code block after the MARKER comment.
doc_block() {
	awk -v m="<!-- $1" -v l="\`\`\`$2" -v fence="\`\`\`" '
		index($0, m) == 1 { f = 1; next }
		f && $0 == l { g = 1; next }
		g && $0 == fence { exit }
		g { print }' "$DOC"
}
SNIP_SH=$(doc_block lima-socket-sh sh)
SNIP_YAML=$(doc_block lima-socket-yaml yaml)
if [ -z "$SNIP_SH" ] || [ -z "$SNIP_YAML" ]; then
	fail "no snippets in $DOC"
fi
H3=$TMP/home3
mkdir -p "$H3" "$TMP/bin"
ln -s "$USERNETD" "$TMP/bin/usernetd"
register_log "$TMP/snippet.err"
HOME=$H3 PATH=$TMP/bin:$PATH bash -e -c "$SNIP_SH" >"$TMP/snippet.out" \
	2>"$TMP/snippet.err" </dev/null || fail "the snippet failed"
SOCK=$(tail -n 1 "$TMP/snippet.out")
[ "$SOCK" = "$H3/.lima/_usernetd/qemu.sock" ] || fail "the snippet printed '$SOCK'"
wait_for 5 "the snippet's daemon" test -s "$H3/.lima/_usernetd/usernetd.pid" ||
	fail "no pidfile from the snippet"
P3=$(cat "$H3/.lima/_usernetd/usernetd.pid")
register_pid "$P3"
wait_for 5 "$SOCK" test -S "$SOCK" || fail "no socket $SOCK"
# The lima.yaml snippet, its example home being ours; Lima's checks: the
# literal path (no ~ expansion) exists and is a socket.
YPATH=$(python3 -c '
import os, stat, sys, yaml
nw = yaml.safe_load(sys.stdin)["networks"][0]
p = nw["socket"]
assert set(nw) == {"socket"}, nw
assert os.path.isabs(p), p
assert stat.S_ISSOCK(os.stat(p).st_mode), p
print(p)' <<<"${SNIP_YAML//\/Users\/alice/$H3}") ||
	fail "the lima.yaml snippet: $SNIP_YAML"
[ "$YPATH" = "$SOCK" ] || fail "lima.yaml names $YPATH, the daemon $SOCK"
NS_E=$(e2e_name e)
make_ns "$NS_E"
attach "$NS_E" "$YPATH" --mac 52:55:55:d1:00:0e
guest_dhcp "$NS_E" "$TMP/lease-e"
[ "$GUEST_IP" = 192.168.107.4 ] || fail "the socket VM got $GUEST_IP"
[ "$(lease_get "$TMP/lease-e" router)" = 192.168.107.2 ] ||
	fail "router $(lease_get "$TMP/lease-e" router)"
kill -TERM "$P3"
wait_for 5 "the snippet's daemon to exit" pid_dead "$P3" ||
	fail "the snippet's daemon runs on"
[ -e "$SOCK" ] && fail "the snippet's daemon left $SOCK"
# ASan builds: every daemon of the test exited cleanly, no leak reported.
for f in d1.log d2.log unit.log snippet.err; do
	sanitizer_check "$TMP/$f"
done
pass
