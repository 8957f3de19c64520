#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/api_unix.sh BUILD_DIR - unix socket forwards of the control API
# ("protocol":"unix": a host socket path relayed to a guest TCP port from
# the services host). usernetd runs in a namespace standing for the host,
# user-v2 network 192.168.104.0/24, one guest namespace with TCP servers:
# an echo on port 22 and a sender of 20 MB on port 2200.
#  - expose creates the socket, mode 0600; an old socket at the path is
#    replaced, a regular file is not (409); forwarder/all lists the forward
#    with its path; the same expose again is 200, another remote 409;
#  - a line echoes through it; 2 MB echo with a half-close from the host
#    (its EOF reaches the guest, the guest's FIN comes back as EOF);
#  - 4 MB host -> guest from a client that closes at once after writing:
#    every byte and then the EOF reach the guest;
#  - 20 MB guest -> host arrive intact (sha256) while the host reads slowly
#    at first: meanwhile the guest's sender is held back (its Send-Q
#    grows) and the daemon's VmRSS stays below its start + 32 MB (not
#    checked on sanitizer builds); two such transfers at once, too;
#  - a connection to a closed guest port is closed within 2 s;
#  - another uid is refused even if the socket mode would let it in;
#  - unexpose closes live connections and removes the socket file;
#  - SIGTERM removes the socket files of the forwards;
#  - slirp mode: a VM leaving ends its network's unix forward (socket file
#    removed, forwarder/all empty).

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init api_unix 150 "$@"

need_tools setpriv ss

HNS=$(e2e_name host)
NS=$(e2e_name guest)
SOCK=$TMP/qemu.sock
EP=$TMP/ep.sock
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
MAC=52:55:55:12:34:57
BLOB=$TMP/blob

make_ns "$HNS"
make_ns "$NS"
printf 'nameserver 127.0.0.77\n' >"$RESOLV"

# A guest TCP server that sends a file to every client, then closes.
SENDER_PY='
import socket, sys, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(8)
def serve(c):
    with open(sys.argv[2], "rb") as f:
        while True:
            b = f.read(65536)
            if not b:
                break
            c.sendall(b)
    c.shutdown(socket.SHUT_WR)
    c.close()
while True:
    c, a = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'

# Echo through PATH: send N random bytes while reading, half-close, read to
# EOF; the answer must be the bytes sent. Prints "ok SECONDS".
ECHO_PY='
import hashlib, os, socket, sys, threading, time
path, n = sys.argv[1], int(sys.argv[2])
data = os.urandom(n)
s = socket.socket(socket.AF_UNIX)
s.settimeout(20)
s.connect(path)
t0 = time.time()
def send():
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
th = threading.Thread(target=send)
th.start()
got = bytearray()
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
th.join()
if bytes(got) != data:
    print("mismatch: got %d bytes, sent %d" % (len(got), n))
    sys.exit(1)
print("ok %.2f" % (time.time() - t0))
'

# Read everything from PATH: slowly for SLOW seconds (4 KiB every 50 ms),
# then at full speed; sample VmRSS of PID meanwhile. Prints
# "SHA256 BYTES MAX_RSS_KB".
SLOW_READER_PY='
import hashlib, socket, sys, time
path, pid, slow = sys.argv[1], sys.argv[2], float(sys.argv[3])
def rss():
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
s = socket.socket(socket.AF_UNIX)
s.settimeout(30)
s.connect(path)
h = hashlib.sha256()
total = 0
peak = rss()
t0 = time.time()
while True:
    slow_phase = time.time() - t0 < slow
    b = s.recv(4096 if slow_phase else 262144)
    if not b:
        break
    h.update(b)
    total += len(b)
    if slow_phase:
        time.sleep(0.05)
        peak = max(peak, rss())
    elif total % (1 << 20) < len(b):
        peak = max(peak, rss())
peak = max(peak, rss())
print(h.hexdigest(), total, peak)
'

# Connect to PATH, print how long until the relay closed the connection.
CLOSED_PY='
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
t0 = time.time()
try:
    s.sendall(b"hello\n")
    b = s.recv(100)
except (ConnectionError, socket.timeout) as e:
    b = repr(e).encode()
print("%.2f %r" % (time.time() - t0, b))
'

# Connect to PATH and hold the connection until the relay closes it or
# 15 s pass; prints the seconds it stayed open after READY appeared.
HOLD_PY='
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(15)
s.connect(sys.argv[1])
s.sendall(b"ping\n")
assert s.recv(5) == b"ping\n"
open(sys.argv[2], "w").close()
t0 = time.time()
try:
    b = s.recv(100)
except (ConnectionError, socket.timeout) as e:
    b = repr(e).encode()
print("%.2f %r" % (time.time() - t0, b))
'

# unix_rr PATH MSG: one line through a unix forward, prints the answer.
unix_rr() {
	printf '%s\n' "$2" | timeout 10 socat -t 5 - UNIX-CONNECT:"$1"
}

# A sanitizer build's allocator keeps freed memory in quarantine: its RSS
# says nothing about our buffers. There the Send-Q check alone shows the
# back-pressure.
RSS_MAX_KB=$((32 * 1024))
if grep -qa __asan_init "$USERNETD"; then
	RSS_MAX_KB=$((1024 * 1024))
	log "AddressSanitizer build: VmRSS bound relaxed to $RSS_MAX_KB KiB"
fi

# vm_rss PID: VmRSS in KiB.
vm_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --mode user-v2 \
	--subnet 192.168.104.0/24 -e "$EP" --listen-qemu "$SOCK" \
	--resolv-conf "$RESOLV"
D=$DAEMON_PID
wait_for 5 "endpoint $EP" test -S "$EP" || fail "no endpoint $EP"

attach "$NS" "$SOCK" --mac "$MAC"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease"
IP=$(lease_get "$TMP/lease" ip)
log "guest $MAC has $IP"

start_tcp_echo "$NS" 22
head -c $((20 * 1024 * 1024)) /dev/urandom >"$BLOB" || fail "cannot write $BLOB"
register_log "$TMP/sender.log"
ip netns exec "$NS" python3 -c "$SENDER_PY" 2200 "$BLOB" \
	>"$TMP/sender.log" 2>&1 </dev/null &
register_pid $!
wait_for 5 "sender on $NS:2200" \
	sh -c "ip netns exec $NS ss -Hltn 'sport = :2200' | grep -q ." ||
	fail "sender did not start"

log "expose unix"
FWD=$TMP/fwd.sock
BIG=$TMP/big.sock
CLOSED=$TMP/closed.sock
FILE=$TMP/regular
# A stale socket at the path is replaced.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"$FWD" || fail "cannot make a stale socket"
[ -S "$FWD" ] || fail "no stale socket $FWD"
api_expect "$EP" POST /services/forwarder/expose 200 \
	"{\"local\":\"$FWD\",\"remote\":\"$IP:22\",\"protocol\":\"unix\"}"
[ -S "$FWD" ] || fail "expose unix did not create $FWD"
[ "$(stat -c %a "$FWD")" = 600 ] ||
	fail "$FWD has mode $(stat -c %a "$FWD"), want 600"
api_expect "$EP" POST /services/forwarder/expose 200 \
	"{\"local\":\"$FWD\",\"remote\":\"$IP:22\",\"protocol\":\"unix\"}"
api_expect "$EP" POST /services/forwarder/expose 409 \
	"{\"local\":\"$FWD\",\"remote\":\"$IP:23\",\"protocol\":\"unix\"}"
echo keep >"$FILE"
api_expect "$EP" POST /services/forwarder/expose 409 \
	"{\"local\":\"$FILE\",\"remote\":\"$IP:22\",\"protocol\":\"unix\"}"
[ "$(cat "$FILE")" = keep ] || fail "expose replaced a regular file"
api_expect "$EP" POST /services/forwarder/expose 409 \
	"{\"local\":\"$TMP/no/such/dir.sock\",\"remote\":\"$IP:22\",\"protocol\":\"unix\"}"
api_expect "$EP" POST /services/forwarder/expose 400 \
	"{\"local\":\"$TMP/x.sock\",\"remote\":\"10.99.0.1:22\",\"protocol\":\"unix\"}"
api_expect "$EP" POST /services/forwarder/expose 400 \
	"{\"local\":\"rel.sock\",\"remote\":\"$IP:22\",\"protocol\":\"unix\"}"
api_expect "$EP" POST /services/forwarder/expose 200 \
	"{\"local\":\"$BIG\",\"remote\":\"$IP:2200\",\"protocol\":\"unix\"}"
api_expect "$EP" POST /services/forwarder/expose 200 \
	"{\"local\":\"$CLOSED\",\"remote\":\"$IP:2300\",\"protocol\":\"unix\"}"
api_expect "$EP" GET /services/forwarder/all 200
[ "$(json_eval "sorted((f['protocol'], f['local'], f['remote']) for f in j)" \
	<<<"$API_BODY")" = "[('unix', '$BIG', '$IP:2200'), ('unix', '$CLOSED', '$IP:2300'), ('unix', '$FWD', '$IP:22')]" ] ||
	fail "forwarder/all: $API_BODY"

log "echo through the unix forward"
got=$(unix_rr "$FWD" "unix-$$") || fail "unix forward: socat failed"
[ "$got" = "unix-$$" ] || fail "unix forward answered '$got'"
out=$(timeout 30 python3 -c "$ECHO_PY" "$FWD" $((2 * 1024 * 1024)) 2>&1) ||
	fail "2 MB echo: $out"
log "2 MB echo with half-close: $out"

log "4 MB host -> guest, the host closes without reading"
UP=$TMP/up.sock
GOT=$TMP/up.out
register_log "$TMP/up.log"
timeout 60 ip netns exec "$NS" socat -u TCP4-LISTEN:2400,reuseaddr \
	OPEN:"$GOT",creat,trunc >"$TMP/up.log" 2>&1 </dev/null &
RCV=$!
register_pid "$RCV"
wait_for 5 "receiver on $NS:2400" \
	sh -c "ip netns exec $NS ss -Hltn 'sport = :2400' | grep -q ." ||
	fail "receiver did not start"
api_expect "$EP" POST /services/forwarder/expose 200 \
	"{\"local\":\"$UP\",\"remote\":\"$IP:2400\",\"protocol\":\"unix\"}"
head -c $((4 * 1024 * 1024)) "$BLOB" >"$TMP/up.in"
timeout 30 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(open(sys.argv[2], "rb").read())
s.close()
' "$UP" "$TMP/up.in" || fail "4 MB upload: the sender failed"
wait_for 15 "the guest receiver to finish" pid_dead "$RCV" ||
	fail "the guest got no EOF after the host closed ($(stat -c %s "$GOT") bytes)"
reap "$RCV"
[ "$(sha256sum <"$GOT" | cut -d' ' -f1)" = \
	"$(sha256sum <"$TMP/up.in" | cut -d' ' -f1)" ] ||
	fail "4 MB upload: the guest got $(stat -c %s "$GOT") different bytes"
api_expect "$EP" POST /services/forwarder/unexpose 200 \
	"{\"local\":\"$UP\",\"protocol\":\"unix\"}"

log "20 MB guest -> host, slow reader first"
rss0=$(vm_rss "$D")
timeout 60 python3 -c "$SLOW_READER_PY" "$BIG" "$D" 3 >"$TMP/slow.out" 2>&1 &
SLOW=$!
register_pid "$SLOW"
# While the host reads slowly, the guest's sender must be held back: its
# bytes wait in the guest's socket, not in the daemon.
sleep 1.5
sendq=$(ip netns exec "$NS" ss -Htn 'sport = :2200' | awk '{ s += $3 } END { print s + 0 }')
log "guest sender's Send-Q while the host reads slowly: $sendq bytes"
[ "$sendq" -gt $((256 * 1024)) ] ||
	fail "the guest's sender is not held back (Send-Q $sendq)"
wait "$SLOW" || fail "20 MB transfer: $(cat "$TMP/slow.out")"
reap "$SLOW"
read -r sum bytes peak <"$TMP/slow.out"
want=$(sha256sum <"$BLOB" | cut -d' ' -f1)
log "got $bytes bytes, daemon VmRSS $rss0 KiB at start, $peak KiB at most"
[ "$sum" = "$want" ] ||
	fail "20 MB transfer: sha256 $sum ($bytes bytes), want $want"
[ "$peak" -lt $((rss0 + RSS_MAX_KB)) ] ||
	fail "daemon VmRSS grew from $rss0 to $peak KiB during the transfer"
# Twice at once, both slow: still bounded.
rss0=$(vm_rss "$D")
timeout 60 python3 -c "$SLOW_READER_PY" "$BIG" "$D" 2 >"$TMP/par1" 2>&1 &
p1=$!
timeout 60 python3 -c "$SLOW_READER_PY" "$BIG" "$D" 2 >"$TMP/par2" 2>&1 &
p2=$!
wait "$p1" || fail "parallel transfer 1: $(cat "$TMP/par1")"
wait "$p2" || fail "parallel transfer 2: $(cat "$TMP/par2")"
for f in "$TMP/par1" "$TMP/par2"; do
	read -r sum bytes peak <"$f"
	[ "$sum" = "$want" ] || fail "parallel transfer: sha256 $sum ($bytes bytes)"
	[ "$peak" -lt $((rss0 + RSS_MAX_KB)) ] ||
		fail "daemon VmRSS grew from $rss0 to $peak KiB (parallel)"
done

log "closed guest port"
out=$(timeout 15 python3 -c "$CLOSED_PY" "$CLOSED" 2>&1) ||
	fail "closed port probe: $out"
log "closed guest port: $out"
secs=${out%% *}
awk -v s="$secs" 'BEGIN { exit !(s < 2.0) }' ||
	fail "a connection to a closed guest port stayed open $secs s"
case $out in
*"b''"* | *Reset* | *Broken*) ;;
*) fail "closed guest port: the relay answered $out" ;;
esac

log "another uid is refused"
chmod 711 "$TMP"
chmod 666 "$FWD"
out=$(printf 'x\n' | timeout 10 setpriv --reuid=65534 --regid=65534 \
	--clear-groups socat -t 2 - UNIX-CONNECT:"$FWD" 2>&1)
[ "$out" = x ] && fail "uid 65534 got an echo through the forward"
chmod 600 "$FWD"
chmod 755 "$TMP"
grep -q "refused a connection from uid 65534" "$DLOG" ||
	fail "the refused uid is not logged"
got=$(unix_rr "$FWD" "again-$$") || fail "unix forward after a refusal"
[ "$got" = "again-$$" ] || fail "unix forward answered '$got' after a refusal"

log "unexpose closes live connections"
rm -f "$TMP/ready"
timeout 20 python3 -c "$HOLD_PY" "$FWD" "$TMP/ready" >"$TMP/hold.out" 2>&1 &
HOLD=$!
register_pid "$HOLD"
wait_for 5 "the held connection" test -e "$TMP/ready" ||
	fail "no held connection: $(cat "$TMP/hold.out")"
api_expect "$EP" POST /services/forwarder/unexpose 200 \
	"{\"local\":\"$FWD\",\"protocol\":\"unix\"}"
wait_for 3 "the held connection to close" pid_dead "$HOLD" ||
	fail "unexpose left a connection open"
reap "$HOLD"
log "held connection: $(cat "$TMP/hold.out")"
[ -e "$FWD" ] && fail "unexpose left $FWD"
unix_rr "$FWD" x >/dev/null 2>&1 && fail "$FWD still answers after unexpose"
api_expect "$EP" POST /services/forwarder/unexpose 404 \
	"{\"local\":\"$FWD\",\"protocol\":\"unix\"}"
api_expect "$EP" GET /services/forwarder/all 200
[ "$(json_eval "sorted(f['local'] for f in j)" <<<"$API_BODY")" = \
	"['$BIG', '$CLOSED']" ] || fail "forwarder/all after unexpose: $API_BODY"

daemon_alive "$D"
stop_daemon "$D" "$EP" ""
[ -e "$BIG" ] && fail "usernetd left $BIG at exit"
[ -e "$CLOSED" ] && fail "usernetd left $CLOSED at exit"

log "slirp mode: the forward ends with its VM"
kill "$ATTACH_PID" 2>/dev/null
reap "$ATTACH_PID"
NS2=$(e2e_name guest2)
make_ns "$NS2"
EP2=$TMP/ep2.sock
SOCK2=$TMP/qemu2.sock
start_daemon_ns "$HNS" "$RESOLV" "$TMP/usernetd2.log" -e "$EP2" \
	--listen-qemu "$SOCK2" --resolv-conf "$RESOLV"
D2=$DAEMON_PID
wait_for 5 "endpoint $EP2" test -S "$EP2" || fail "no endpoint $EP2"
attach "$NS2" "$SOCK2"
A2=$ATTACH_PID
dhcp "$NS2" tap0 "$TMP/lease2" || fail "udhcpc got no lease (slirp)"
start_tcp_echo "$NS2" 22
VMS=$TMP/vm.sock
api_expect "$EP2" POST /services/forwarder/expose 200 \
	"{\"local\":\"$VMS\",\"remote\":\"$GUEST_IP:22\",\"protocol\":\"unix\"}"
got=$(unix_rr "$VMS" "slirp-$$") || fail "slirp unix forward: socat failed"
[ "$got" = "slirp-$$" ] || fail "slirp unix forward answered '$got'"
kill "$A2"
reap "$A2"
wait_for 5 "$VMS to go with its VM" sh -c "! test -e '$VMS'" ||
	fail "the unix forward outlived its VM"
api_expect "$EP2" GET /services/forwarder/all 200
[ "$API_BODY" = "[]" ] || fail "forwarder/all after the VM left: $API_BODY"
daemon_alive "$D2"
stop_daemon "$D2" "$EP2" ""
pass
