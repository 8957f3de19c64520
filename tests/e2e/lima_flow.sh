#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/lima_flow.sh BUILD_DIR - the whole sequence Lima's hostagent
# runs against `limactl usernet`, against usernetd instead:
#  - start as Lima does: usernetd --mode user-v2 -p PIDFILE -e EP
#    --listen-qemu Q [--listen FD] --subnet 192.168.104.0/24 --leases
#    (a previous run's lease); ready when the sockets exist;
#  - the static lease is in GET /services/dhcp/leases before any VM;
#  - a VM with Lima's kind of MAC (52:55:55:...) attaches; its IP is found
#    by polling the leases endpoint for that MAC every 500 ms;
#  - wait_port on port 22 (timeout=599, asked before sshd listens) answers
#    200 once it listens; expose 127.0.0.1:PORT -> IP:22 carries a session;
#  - dns/add lima-<name>.internal; a second VM resolves it at the gateway
#    (.2, where Lima's usernet guests send DNS) and at .3, and
#    host.lima.internal is the gateway;
#  - stop as Lima does: GET the leases (kept for --leases), SIGINT; exit
#    within 1 s, status 0; pidfile, endpoint and VM sockets gone;
#  - restart with --leases from what was saved: the VM's MAC is listed
#    with its address again.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init lima_flow 90 "$@"

command -v dig >/dev/null || fail "missing tool: dig"

NET=$TMP/_networks/user-v2
mkdir -p "$NET"
PIDF=$NET/usernet_user-v2.pid
EP=$NET/user-v2_ep.sock
QS=$NET/user-v2_qemu.sock
FDS=$NET/user-v2_fd.sock
NS_A=$(e2e_name vm-a)
NS_B=$(e2e_name vm-b)
MAC_A=52:55:55:1a:2b:3c
MAC_B=52:55:55:4d:5e:6f
OLD_IP=192.168.104.50
OLD_MAC=52:55:55:99:99:99

# --listen (Lima's VZ fd socket) when this build has it.
FD_ARGS=()
"$USERNETD" --help | grep -q -- '--listen PATH' && FD_ARGS=(--listen "$FDS")

# start_lima_style LOG LEASES: usernetd as Lima starts it. Sets D.
start_lima_style() {
	start_daemon "$1" --mode user-v2 -p "$PIDF" -e "$EP" \
		--listen-qemu "$QS" "${FD_ARGS[@]}" \
		--subnet 192.168.104.0/24 --leases "$2"
	D=$DAEMON_PID
	# Lima's readiness check: poll every 500 ms until the socket exists.
	wait_for 5 "the fd socket / endpoint" test -S "$EP" ||
		fail "no endpoint $EP"
	[ ${#FD_ARGS[@]} = 0 ] || test -S "$FDS" || fail "no fd socket $FDS"
}

start_lima_style "$TMP/usernetd.log" "$OLD_IP=$OLD_MAC"
[ "$(tr -d ' \n' <"$PIDF")" = "$D" ] || fail "pidfile does not hold $D"

api_expect "$EP" GET /services/dhcp/leases 200
[ "$(json_eval "j.get('$OLD_IP')" <<<"$API_BODY")" = "$OLD_MAC" ] ||
	fail "the --leases lease is not listed: $API_BODY"

log "VM a attaches"
make_ns "$NS_A"
attach "$NS_A" "$QS" --mac "$MAC_A"
# The guest's DHCP client runs while the hostagent polls.
dhcp "$NS_A" tap0 "$TMP/lease-a" -x hostname:lima-flow &
DHCP_PID=$!
IP_A=$(api_wait_lease_ip "$EP" "$MAC_A") || fail "no lease for $MAC_A in 15 s"
wait "$DHCP_PID" || fail "udhcpc in $NS_A failed"
log "VM a ($MAC_A) has $IP_A"
[ "$(lease_get "$TMP/lease-a" ip)" = "$IP_A" ] ||
	fail "the guest has $(lease_get "$TMP/lease-a" ip), the API says $IP_A"

log "wait_port 22, then expose SSH"
api_call "$EP" GET "/extension/wait_port?ip=$IP_A&port=22&timeout=599" \
	>/dev/null &
WAITER=$!
register_pid "$WAITER"
sleep 1
pid_alive "$WAITER" || fail "wait_port answered before port 22 listened"
start_tcp_echo "$NS_A" 22
wait_for 5 "wait_port to answer" pid_dead "$WAITER" ||
	fail "wait_port did not answer once port 22 listened"
api_expect "$EP" GET "/extension/wait_port?ip=$IP_A&port=22&timeout=599" 200
free_port; SSH_PORT=$FREE_PORT
api_expect "$EP" POST /services/forwarder/expose 200 \
	"{\"local\":\"127.0.0.1:$SSH_PORT\",\"remote\":\"$IP_A:22\",\"protocol\":\"tcp\"}"
got=$(tcp_rr 127.0.0.1 "$SSH_PORT" "ssh-$$") || fail "forward 127.0.0.1:$SSH_PORT failed"
[ "$got" = "ssh-$$" ] || fail "forward answered '$got'"

log "dns/add lima-flow.internal, resolved by VM b"
api_expect "$EP" POST /services/dns/add 200 \
	"{\"Name\":\"internal.\",\"Records\":[{\"Name\":\"lima-flow\",\"IP\":\"$IP_A\"}],\"DefaultIP\":null}"
make_ns "$NS_B"
attach "$NS_B" "$QS" --mac "$MAC_B"
dhcp "$NS_B" tap0 "$TMP/lease-b" || fail "udhcpc in $NS_B failed"
for srv in 192.168.104.2 192.168.104.3; do
	dns_query "$NS_B" "$srv" udp lima-flow.internal A
	[ "$DQ_STATUS" = NOERROR ] &&
		[ "$DQ_RRS" = "lima-flow.internal. A $IP_A" ] ||
		fail "lima-flow.internal at $srv: $DQ_STATUS $DQ_RRS"
	dns_query "$NS_B" "$srv" udp host.lima.internal A
	[ "$DQ_RRS" = "host.lima.internal. A 192.168.104.2" ] ||
		fail "host.lima.internal at $srv: $DQ_STATUS $DQ_RRS"
done
IP_B=$(lease_get "$TMP/lease-b" ip)
ns_ping "$NS_B" "$IP_A" 2 || fail "VM b cannot ping VM a"

log "stop as Lima does: save the leases, SIGINT"
api_expect "$EP" GET /services/dhcp/leases 200
printf '%s\n' "$API_BODY" >"$NET/leases.json"
[ "$(leases_json_mac "$NET/leases.json" "$IP_A")" = "$MAC_A" ] ||
	fail "saved leases lack $IP_A: $(cat "$NET/leases.json")"
[ "$(leases_json_mac "$NET/leases.json" "$IP_B")" = "$MAC_B" ] ||
	fail "saved leases lack $IP_B: $(cat "$NET/leases.json")"
t0=$(date +%s%N)
kill -INT "$D" || fail "cannot signal usernetd"
wait_for 2 "usernetd to exit" pid_dead "$D" || fail "usernetd runs 2 s after SIGINT"
ms=$((($(date +%s%N) - t0) / 1000000))
reap "$D"
log "usernetd exited ${ms} ms after SIGINT, status $REAP_RC"
[ "$ms" -le 1000 ] || fail "usernetd took $ms ms to exit after SIGINT"
[ "$REAP_RC" = 0 ] || fail "usernetd exit status $REAP_RC after SIGINT"
for f in "$PIDF" "$EP" "$QS" "$FDS"; do
	[ -e "$f" ] && fail "usernetd left $f"
done

log "restart with the saved leases"
LEASES=$(json_eval "','.join(k + '=' + v for k, v in j.items())" \
	<"$NET/leases.json")
start_lima_style "$TMP/usernetd-2.log" "$LEASES"
api_expect "$EP" GET /services/dhcp/leases 200
[ "$(json_eval "j.get('$IP_A')" <<<"$API_BODY")" = "$MAC_A" ] ||
	fail "after restart, $MAC_A lost $IP_A: $API_BODY"
stop_daemon "$D" "$EP" "$PIDF"
pass
