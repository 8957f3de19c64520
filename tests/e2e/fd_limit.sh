#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/fd_limit.sh BUILD_DIR - usernetd out of file descriptors. The
# daemon runs in a namespace standing for the host (private resolv.conf
# naming a dnsmasq, as in dns.sh; --dns-tcp and the control API on too)
# with RLIMIT_NOFILE lowered to 64 once it is up (prlimit), one guest
# attached with its lease. Then:
#  - the guest opens TCP connections to the host loopback (.2:PORT, a
#    server that keeps them open) until libslirp cannot get a socket: the
#    failing connects end at once with an error (libslirp answers ICMP
#    unreachable: ENETUNREACH), none hangs;
#    the gateway logs that it is out of descriptors, once;
#  - meanwhile a second VM connects to --listen-qemu, a client to the
#    --dns-tcp port, one to the API and one to a --forward port (libslirp's
#    own listener): each accept(2) fails with EMFILE and the listening
#    sockets stay readable. The daemon must not spin on them (its CPU time
#    over 3 s stays under 10%) and logs one line for each of ours
#    (libmicrohttpd's own "busy waiting" logs: none);
#  - the first guest keeps working: ping .2, local DNS names; forwarded and
#    native DNS (c-ares, getaddrinfo need a socket) answer at once, SERVFAIL
#    or an answer, never hang;
#  - the guest's connections closed (the host server closes its ends on
#    EOF): the listeners accept again, the second VM gets its lease and
#    pings .2, the API client its answer, the forward's client the guest
#    server's greeting, and DNS answers in both guests (forwarded, and
#    native for the name that failed);
#  - SIGTERM: exit within 1 s, status 0.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init fd_limit 60 "$@"

need_tools dig dnsmasq unshare ss prlimit

HNS=$(e2e_name host)
NS=$(e2e_name guest)
NS2=$(e2e_name guest2)
SOCK=$TMP/qemu.sock
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
UP1=127.0.0.77
Z=$DNS_ZONE
NOFILE=64

make_ns "$HNS"
make_ns "$NS"
make_ns "$NS2"
start_dns_upstream "$HNS" "$UP1" up1
printf 'nameserver %s\n' "$UP1" >"$RESOLV"

free_port
FWD_PORT=$FREE_PORT
start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --listen-qemu "$SOCK" \
	--resolv-conf "$RESOLV" --dns-tcp 127.0.0.1:0 -e "$TMP/api.sock" \
	--forward "tcp:127.0.0.1:$FWD_PORT:7000"
D=$DAEMON_PID
wait_for 5 "API socket" test -S "$TMP/api.sock" || fail "no API socket"
HPORT_TCP=$(daemon_dns_port "$DLOG" tcp) ||
	fail "no 'dns: listening on tcp ADDR:PORT' line in the log"
attach "$NS" "$SOCK"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease"
check_lease "$NS" "$TMP/lease" 1500
# The guest's server behind the forward greets each client.
ip netns exec "$NS" socat TCP-LISTEN:7000,reuseaddr,fork SYSTEM:'echo fwd-ok' \
	>/dev/null 2>&1 </dev/null &
register_pid $!
wait_for 5 "the guest's server" sh -c "ip netns exec $NS ss -Hltn 'sport = :7000' | grep -q ." ||
	fail "the guest's server did not start"
# Warm up: the resolver's threads and sockets exist before the limit.
dns_query "$NS" "$DNS_IP" udp "txt.$Z" TXT || fail "no DNS answer at start"
dns_query "$NS" "$DNS_IP" udp "web.$Z" A || fail "no DNS answer at start"
prlimit --pid "$D" --nofile=$NOFILE:$NOFILE || fail "prlimit failed"
log "daemon: $(find "/proc/$D/fd" -mindepth 1 | wc -l) descriptors open," \
	"limit now $NOFILE"

# --- fill the descriptor table -------------------------------------------------

free_port
PORT=$FREE_PORT
# The host's server keeps every connection until its client closes it.
HOLD_PY='
import selectors, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(512)
sel = selectors.DefaultSelector()
sel.register(s, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for k, _ in sel.select():
        if k.fileobj is s:
            c, _ = s.accept()
            sel.register(c, selectors.EVENT_READ)
            continue
        try:
            d = k.fileobj.recv(4096)
        except OSError:
            d = b""
        if not d:
            sel.unregister(k.fileobj)
            k.fileobj.close()
'
# The guest connects until 5 connects in a row fail; prints one line per
# outcome kind ("ok N", "ERROR N MAX_MS"), then "done", and holds them.
FILL_PY='
import errno, socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
socks, fails, res = [], 0, {}
for i in range(300):
    s = socket.socket()
    s.settimeout(5)
    t = time.monotonic()
    try:
        s.connect((host, port))
        socks.append(s)
        k, fails = "ok", 0
    except OSError as e:
        s.close()
        k = errno.errorcode.get(e.errno, "timeout") if e.errno else "timeout"
        fails += 1
    ms = int((time.monotonic() - t) * 1000)
    n, m = res.get(k, (0, 0))
    res[k] = (n + 1, max(m, ms))
    if fails >= 5:
        break
for k, (n, m) in res.items():
    print(k, n, m, flush=True)
print("done", flush=True)
time.sleep(120)
'
ip netns exec "$HNS" python3 -c "$HOLD_PY" "$PORT" >"$TMP/hold.log" 2>&1 \
	</dev/null &
register_pid $!
wait_for 5 "holding server" grep -q ready "$TMP/hold.log" ||
	fail "holding server did not start"

log "guest opens connections to $GW_IP:$PORT until the daemon runs out"
ip netns exec "$NS" python3 -c "$FILL_PY" "$GW_IP" "$PORT" \
	>"$TMP/fill.log" 2>&1 </dev/null &
FILL=$!
register_pid $FILL
register_log "$TMP/fill.log"
wait_for 40 "the guest's connections" grep -qx "done" "$TMP/fill.log" ||
	fail "the guest's connects did not end"
while read -r k n m; do
	[ "$k" = "done" ] && break
	log "  $k: $n connects, slowest $m ms"
done <"$TMP/fill.log"
log "daemon: $(find "/proc/$D/fd" -mindepth 1 | wc -l) descriptors open"
ok=$(awk '$1 == "ok" { print $2 }' "$TMP/fill.log")
[ "${ok:-0}" -ge 10 ] || fail "only ${ok:-0} connections before the limit"
grep -v '^ok \|^done' "$TMP/fill.log" | grep -q . ||
	fail "the guest never saw a connect fail"
grep -q '^timeout' "$TMP/fill.log" &&
	fail "connects hung (timeout) instead of failing at once"
n=$(grep -c "gateway .*: out of descriptors" "$DLOG")
log "  $n log lines about the gateway's descriptors"
[ "$n" = 1 ] || fail "$n log lines about the gateway's descriptors, want 1"
daemon_alive "$D"

# --- a second VM while out of descriptors --------------------------------------

log "second VM, and a client of the DNS host port, while out of descriptors"
c0=$(proc_cpu_ticks "$D")
ip netns exec "$NS2" "$USERNETCTL" attach --tap tap0 "$SOCK" \
	>"$TMP/attach2.log" 2>&1 </dev/null &
A2=$!
register_pid $A2
register_log "$TMP/attach2.log"
# A TCP client of --dns-tcp that connects and waits (its accept fails too).
ip netns exec "$HNS" python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(60)' "$HPORT_TCP" >/dev/null 2>&1 </dev/null &
register_pid $!
# A client of the control API (libmicrohttpd's accept fails too).
timeout 20 curl -sS --unix-socket "$TMP/api.sock" -o "$TMP/api-stats.json" \
	-w '%{http_code}\n' http://lima/stats >"$TMP/api-code" 2>&1 </dev/null &
API_CURL=$!
register_pid $API_CURL
# A client of the forward, through libslirp's own listener.
ip netns exec "$HNS" timeout 30 socat -u \
	TCP4:127.0.0.1:"$FWD_PORT",connect-timeout=5 - >"$TMP/fwd.out" 2>&1 \
	</dev/null &
FWD_CLIENT=$!
register_pid $FWD_CLIENT
sleep 3
c1=$(proc_cpu_ticks "$D")
log "  daemon CPU over 3 s: $((c1 - c0)) ticks ($(getconf CLK_TCK)/s)"
[ $((c1 - c0)) -le 30 ] ||
	fail "the daemon used $((c1 - c0)) ticks of CPU in 3 s: spinning"
n=$(grep -c "qemu.sock: accept" "$DLOG")
log "  $n log lines about the VM listener's accept"
[ "$n" = 1 ] || fail "$n log lines about the VM listener's accept, want 1"
n=$(grep -c "dns: accept" "$DLOG")
log "  $n log lines about the DNS host port's accept"
[ "$n" = 1 ] || fail "$n log lines about the DNS host port's accept, want 1"
n=$(grep -c "api.sock: no descriptor" "$DLOG")
m=$(grep -c "Error accepting connection\|Hit process" "$DLOG")
log "  $n log lines about the API's accept, $m of libmicrohttpd's own"
[ "$n" = 1 ] || fail "$n log lines about the API's accept, want 1"
[ "$m" = 0 ] || fail "$m accept errors logged by libmicrohttpd itself"

# --- the first VM meanwhile ---------------------------------------------------------

log "first VM meanwhile: ping, DNS"
ns_ping "$NS" "$GW_IP" 3 || fail "ping $GW_IP failed while out of descriptors"
dns_query "$NS" "$DNS_IP" udp host.lima.internal A +tries=1 +time=5 ||
	fail "local name: no answer"
[ "$DQ_RRS" = "host.lima.internal. A $GW_IP" ] ||
	fail "host.lima.internal: $DQ_STATUS $DQ_RRS"
for c in "udp txt.$Z TXT" "tcp $Z MX" "udp six.$Z A"; do
	# shellcheck disable=SC2086 # "PROTO NAME TYPE"
	set -- $c
	t0=$(date +%s%N)
	dns_query "$NS" "$DNS_IP" "$1" "$2" "$3" +tries=1 +time=8 ||
		fail "$c while out of descriptors: no answer (hang)"
	ms=$((($(date +%s%N) - t0) / 1000000))
	log "  $c: $DQ_STATUS in $ms ms"
	case $DQ_STATUS in
	SERVFAIL | NOERROR | NXDOMAIN) ;;
	*) fail "$c while out of descriptors: $DQ_STATUS" ;;
	esac
	[ "$ms" -le 4500 ] || fail "$c while out of descriptors: $ms ms"
done

# --- descriptors back -------------------------------------------------------------

log "the guest closes its connections"
kill -TERM "$FILL"
reap "$FILL"
wait_for 10 "the daemon's descriptors to be freed" sh -c \
	"[ \$(find /proc/$D/fd -mindepth 1 | wc -l) -lt $((NOFILE - 8)) ]" ||
	fail "the daemon still has $(find "/proc/$D/fd" -mindepth 1 | wc -l) descriptors"
wait_for 5 "tap0 in $NS2" ns_has_link "$NS2" tap0 ||
	fail "usernetctl attach did not create tap0 in $NS2"
dhcp "$NS2" tap0 "$TMP/lease2" || fail "the second VM got no lease"
check_lease "$NS2" "$TMP/lease2" 1500
wait_for 5 "the API client's answer" pid_dead "$API_CURL" ||
	fail "the API client still waits"
reap "$API_CURL"
[ "$(cat "$TMP/api-code")" = 200 ] ||
	fail "API client: $(cat "$TMP/api-code"), want HTTP 200"
json_eval 'j["dns"]["queries"] > 0' <"$TMP/api-stats.json" | grep -qx True ||
	fail "API client: GET /stats answered $(cat "$TMP/api-stats.json")"
wait_for 5 "the forward's client" pid_dead "$FWD_CLIENT" ||
	fail "the forward's client still waits"
reap "$FWD_CLIENT"
[ "$(cat "$TMP/fwd.out")" = fwd-ok ] ||
	fail "the forward's client got '$(cat "$TMP/fwd.out")', want fwd-ok"
ns_ping "$NS2" "$GW_IP" 2 || fail "second VM: ping $GW_IP failed"
# six_ok NS: six.$Z A answers right from NS.
# shellcheck disable=SC2317 # called through wait_for
six_ok() {
	dns_query "$1" "$DNS_IP" udp "six.$Z" A +tries=2 +time=2 &&
		[ "$DQ_RRS" = "six.$Z. A 10.0.0.82" ]
}
for ns in "$NS" "$NS2"; do
	dns_query "$ns" "$DNS_IP" udp "txt.$Z" TXT +tries=2 +time=2
	[ "$DQ_RRS" = "txt.$Z. TXT \"hello world\"" ] ||
		fail "$ns: forwarded TXT after recovery: $DQ_STATUS $DQ_RRS"
	# six failed while out of descriptors: SERVFAIL is cached 1 s at most.
	wait_for 3 "$ns: six.$Z A" six_ok "$ns" ||
		fail "$ns: native A after recovery: $DQ_STATUS $DQ_RRS"
done

daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""
pass
