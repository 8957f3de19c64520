#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 240
#
# tests/e2e/isolation_dns.sh BUILD_DIR - no guest can starve the DNS
# service for the others. usernetd runs a user-v2 network in a namespace
# standing for the host, with a private resolv.conf naming a python
# upstream on 127.0.0.85 that answers A for any name under live.test
# (10.1.2.3) and never answers anything under dead.test. Two guests on the
# network: an attacker (python sockets in its namespace) and a victim
# (dig); the host ports (--dns-udp/--dns-tcp) stand for another network.
#  - resolver share: the attacker sends 300 queries a second for fresh
#    names under dead.test (A, which goes to getaddrinfo, and TXT, which
#    c-ares forwards) for 8 s. Meanwhile the victim resolves fresh live
#    names over UDP and TCP at .3 and .2, and a host client on 127.0.0.1
#    through --dns-udp: every one answered NOERROR 10.1.2.3. The attacker
#    gets SERVFAIL for what is over its share: resolver.refused_client and
#    dns.servfail move (GET /stats);
#  - TCP caps: the attacker opens 400 connections to .3:53 and .2:53,
#    each sending a 2-byte length of 65535 and 60,000 bytes of it, then
#    trickles one byte every 3 s into each connection left open: at most
#    16 stay open (the others are reset: dns.tcp_refused), the deadline
#    closes every one within 25 s of its first byte though the trickle
#    never lets it idle (dns.tcp_deadline), the daemon's VmRSS grows by
#    less than 12 MB (each open connection holds a 64 KiB buffer), and the
#    victim resolves over UDP and TCP during the flood;
#  - the same on the --dns-tcp host port from 127.0.0.1, while a client
#    on 127.0.0.2 resolves over TCP there;
#  - half-open connections: a raw guest (raw_guest.py synflood, a third
#    port of the network) sends 30,000 SYNs to .2:53 and never answers the
#    SYN-ACKs: at most 16 source ports get one (lwIP keeps a pcb 20 s for
#    each), services.rx_syn_dropped counts the rest, VmRSS grows by less
#    than 4 MB, and the victim still resolves over TCP;
#  - the daemon runs on, and exits within 1 s of SIGTERM, status 0.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init isolation_dns 240 "$@"

need_tools dig unshare ss python3

HNS=$(e2e_name host)
NA=$(e2e_name atk)
NV=$(e2e_name vic)
SOCK=$TMP/qemu.sock
API=$TMP/api.sock
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
UP=127.0.0.85
LIVE_IP=10.1.2.3
GW=192.168.5.2
DNS=192.168.5.3

make_ns "$HNS"
make_ns "$NA"
make_ns "$NV"

# The upstream: A for *.live.test, silence for *.dead.test, NXDOMAIN else.
UPSTREAM_PY='
import socket, struct, sys
addr, live = sys.argv[1], socket.inet_aton(sys.argv[2])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((addr, 53))
print("ready", flush=True)
while True:
    q, a = u.recvfrom(65535)
    if len(q) < 17:
        continue
    off, labels = 12, []
    while off < len(q) and q[off]:
        labels.append(q[off + 1:off + 1 + q[off]].lower())
        off += 1 + q[off]
    qtype = struct.unpack(">H", q[off + 1:off + 3])[0]
    name = b".".join(labels)
    if name.endswith(b"dead.test"):
        continue
    question = q[12:off + 5]
    if name.endswith(b"live.test") and qtype == 1:
        ans = (q[:2] + struct.pack(">HHHHH", 0x8580, 1, 1, 0, 0) + question
               + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + live)
    elif name.endswith(b"live.test"):
        ans = q[:2] + struct.pack(">HHHHH", 0x8580, 1, 0, 0, 0) + question
    else:
        ans = q[:2] + struct.pack(">HHHHH", 0x8583, 1, 0, 0, 0) + question
    u.sendto(ans, a)
'

# The resolver flood: fresh names under dead.test, A and TXT in turn, at
# RATE a second for SECS, to SERVER:53; answers counted by rcode.
FLOOD_PY='
import os, select, socket, struct, sys, time
server, rate, secs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
rcodes, sent = {}, 0
def qname(n):
    return b"".join(bytes([len(l)]) + l for l in n.split(b".")) + b"\0"
def drain():
    while True:
        try:
            d = s.recv(4096)
        except BlockingIOError:
            return
        if len(d) >= 4:
            rc = d[3] & 15
            rcodes[rc] = rcodes.get(rc, 0) + 1
t0 = time.monotonic()
while time.monotonic() - t0 < secs:
    name = b"x%s.dead.test" % os.urandom(6).hex().encode()
    qtype = 1 if sent % 2 == 0 else 16
    q = (struct.pack(">HHHHHH", sent & 0xffff, 0x0100, 1, 0, 0, 0)
         + qname(name) + struct.pack(">HH", qtype, 1))
    try:
        s.sendto(q, (server, 53))
        sent += 1
    except OSError:
        pass
    drain()
    time.sleep(1 / rate)
end = time.monotonic() + 4
while time.monotonic() < end:
    select.select([s], [], [], 0.2)
    drain()
print("sent %d noerror %d servfail %d other %d" % (sent, rcodes.get(0, 0),
      rcodes.get(2, 0), sum(rcodes.values()) - rcodes.get(0, 0)
      - rcodes.get(2, 0)), flush=True)
'

# The TCP flood: N connections spread over the TARGETS (ADDR,ADDR...) at
# PORT, each sending a 2-byte length of 65535 and 60,000 bytes of the
# message; then one byte every 3 s into each connection still open, until
# all are closed or 40 s have passed. Prints "open N refused N", then
# "closed N still_open N max_s S" (S: the longest a connection lived after
# its first byte), and touches READY once the connections are made.
TCP_PY='
import select, socket, sys, time
targets, port, n = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3])
ready = sys.argv[4]
src = sys.argv[5] if len(sys.argv) > 5 else None
conns, refused = [], 0
for i in range(n):
    c = socket.socket()
    c.settimeout(3)
    if src:
        c.bind((src, 0))
    try:
        c.connect((targets[i % len(targets)], port))
        t = time.monotonic()
        c.sendall(b"\xff\xff" + b"a" * 60000)
        conns.append((c, t))
    except OSError:
        refused += 1
        c.close()
def alive(c):
    r, _, _ = select.select([c], [], [], 0)
    if not r:
        return True
    try:
        return c.recv(1) != b""
    except OSError:
        return False
time.sleep(2)
left = []
for c, t in conns:
    if alive(c):
        left.append((c, t))
    else:
        refused += 1
        c.close()
print("open %d refused %d" % (len(left), refused), flush=True)
open(ready, "w").close()
closed, max_s, t_end = 0, 0.0, time.monotonic() + 40
while left and time.monotonic() < t_end:
    time.sleep(3)
    keep = []
    for c, t in left:
        ok = alive(c)
        if ok:
            try:
                c.send(b"a")
            except OSError:
                ok = False
        if ok:
            keep.append((c, t))
        else:
            closed += 1
            max_s = max(max_s, time.monotonic() - t)
            c.close()
    left = keep
print("closed %d still_open %d max_s %.1f" % (closed, len(left), max_s),
      flush=True)
'

register_log "$TMP/upstream.log"
ip netns exec "$HNS" python3 -c "$UPSTREAM_PY" "$UP" "$LIVE_IP" \
	>"$TMP/upstream.log" 2>&1 </dev/null &
register_pid $!
wait_for 5 "upstream" grep -q ready "$TMP/upstream.log" ||
	fail "upstream did not start: $(cat "$TMP/upstream.log")"
printf 'nameserver %s\n' "$UP" >"$RESOLV"

start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --mode user-v2 \
	--subnet 192.168.5.0/24 --listen-qemu "$SOCK" -e "$API" \
	--resolv-conf "$RESOLV" --dns-udp 127.0.0.1:0 --dns-tcp 127.0.0.1:0
D=$DAEMON_PID
wait_for 5 "API socket" test -S "$API" || fail "no API socket $API"
HUDP=$(daemon_dns_port "$DLOG" udp) || fail "no --dns-udp port in the log"
HTCP=$(daemon_dns_port "$DLOG" tcp) || fail "no --dns-tcp port in the log"

for ns in "$NA" "$NV"; do
	attach "$ns" "$SOCK"
	dhcp "$ns" tap0 "$TMP/lease-$ns" || fail "udhcpc got no lease in $ns"
	log "$ns: $(lease_get "$TMP/lease-$ns" ip)"
done

# stat_get EXPR: a number of GET /stats (python expression over j).
stat_get() {
	api_call "$API" GET /stats
	[ "$API_CODE" = 200 ] || fail "GET /stats: HTTP $API_CODE"
	json_eval "$1" <<<"$API_BODY"
}

# vm_rss PID: VmRSS in KiB.
vm_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# A sanitizer build's allocator keeps freed memory in quarantine.
RSS_GROWTH_KB=$((12 * 1024))
if grep -qa __asan_init "$USERNETD"; then
	RSS_GROWTH_KB=$((1024 * 1024))
	log "AddressSanitizer build: VmRSS bound relaxed to $RSS_GROWTH_KB KiB"
fi

SEQ=0
# resolve NS SERVER PROTO [DIG-ARGS...]: a fresh live name must answer
# NOERROR with $LIVE_IP.
resolve() {
	local ns=$1 srv=$2 proto=$3 name
	shift 3
	SEQ=$((SEQ + 1))
	name=v$SEQ-$RANDOM.live.test
	dns_query "$ns" "$srv" "$proto" "$name" A "$@" ||
		fail "$ns: no answer for $name at $srv over $proto"
	[ "$DQ_STATUS" = NOERROR ] && [ "$DQ_RRS" = "$name. A $LIVE_IP" ] ||
		fail "$ns: $name at $srv over $proto: $DQ_STATUS '$DQ_RRS'," \
			"want NOERROR $LIVE_IP ($(grep 'Query time' <<<"$DQ_OUT"))"
}

# victim_round: the victim at .3 and .2 over UDP and TCP, and a host
# client through --dns-udp (another network for the resolver).
victim_round() {
	resolve "$NV" "$DNS" udp
	resolve "$NV" "$GW" tcp
	resolve "$NV" "$GW" udp
	resolve "$NV" "$DNS" tcp
	resolve "$HNS" "127.0.0.1#$HUDP" udp
}

victim_round
log "the victim and the host client resolve before any flood"

# --- the resolver's share -------------------------------------------------

RC0=$(stat_get 'j["resolver"]["refused_client"]')
SF0=$(stat_get 'j["dns"]["servfail"]')
log "attacker floods dead.test names at 300/s for 8 s"
register_log "$TMP/flood.log"
ip netns exec "$NA" python3 -c "$FLOOD_PY" "$DNS" 300 8 \
	>"$TMP/flood.log" 2>&1 </dev/null &
FLOOD=$!
register_pid "$FLOOD"
sleep 2
t0=$SECONDS
n=0
while [ $((SECONDS - t0)) -lt 5 ]; do
	victim_round
	n=$((n + 5))
done
log "during the flood: $n victim and host queries answered with $LIVE_IP"
wait_for 15 "the flood to end" pid_dead "$FLOOD" ||
	fail "the resolver flood did not end"
reap "$FLOOD"
log "attacker: $(cat "$TMP/flood.log")"
daemon_alive "$D"
RC1=$(stat_get 'j["resolver"]["refused_client"]')
SF1=$(stat_get 'j["dns"]["servfail"]')
log "resolver.refused_client $RC0 -> $RC1, dns.servfail $SF0 -> $SF1"
[ "$RC1" -gt "$RC0" ] ||
	fail "resolver.refused_client did not move during the flood"
[ "$SF1" -ge $((SF0 + RC1 - RC0)) ] ||
	fail "dns.servfail grew less than the refused lookups"
read -r _ sent _ _ _ asf _ <"$TMP/flood.log" ||
	fail "no result from the flood"
[ "$asf" -gt 0 ] || fail "the attacker got no SERVFAIL out of $sent"

# --- TCP connections --------------------------------------------------------

# tcp_flood NS TARGETS PORT TAG [SRC]: run TCP_PY in NS (in the background,
# $TMP/TAG.log); waits until its connections are made.
tcp_flood() {
	local ns=$1 targets=$2 port=$3 tag=$4
	shift 4
	register_log "$TMP/$tag.log"
	rm -f "$TMP/$tag.ready"
	ip netns exec "$ns" python3 -c "$TCP_PY" "$targets" "$port" 400 \
		"$TMP/$tag.ready" "$@" >"$TMP/$tag.log" 2>&1 </dev/null &
	TCP_FLOOD=$!
	register_pid "$TCP_FLOOD"
	wait_for 60 "$tag connections" test -e "$TMP/$tag.ready" ||
		fail "$tag: the connections were not made"
}

# tcp_flood_check TAG RSS0 T0: at most 16 open, all closed by the deadline
# within 25 s, VmRSS bounded.
tcp_flood_check() {
	local tag=$1 rss0=$2 t0=$3 rss open refused closed still max_s
	read -r _ open _ refused <"$TMP/$tag.log" || fail "$tag: no result"
	rss=$(vm_rss "$D")
	log "$tag: $open connections open, $refused refused; VmRSS $rss0 -> $rss KiB"
	[ "$open" -le 16 ] || fail "$tag: $open connections open, want <= 16"
	[ "$refused" -ge 384 ] || fail "$tag: $refused refused, want >= 384"
	[ $((rss - rss0)) -lt "$RSS_GROWTH_KB" ] ||
		fail "$tag: VmRSS grew from $rss0 to $rss KiB"
	wait_for 45 "$tag's trickle to end" pid_dead "$TCP_FLOOD" ||
		fail "$tag: the trickling connections were still open after 45 s"
	reap "$TCP_FLOOD"
	read -r _ closed _ still _ max_s < <(tail -n 1 "$TMP/$tag.log")
	log "$tag: $closed closed, $still still open, longest ${max_s} s"
	[ "$still" = 0 ] || fail "$tag: $still trickling connections stay open"
	[ "${max_s%.*}" -le 25 ] ||
		fail "$tag: a trickling connection lived $max_s s, want <= 25"
	[ "${max_s%.*}" -ge 9 ] ||
		fail "$tag: connections closed after $max_s s, before the deadline"
	daemon_alive "$D"
	log "$tag: done in $((SECONDS - t0)) s"
}

TR0=$(stat_get 'j["dns"]["tcp_refused"]')
TD0=$(stat_get 'j["dns"]["tcp_deadline"]')
RSS0=$(vm_rss "$D")
log "attacker opens 400 TCP connections to $DNS:53 and $GW:53"
T0=$SECONDS
tcp_flood "$NA" "$DNS,$GW" 53 tcpflood
victim_round
victim_round
log "the victim resolves over UDP and TCP during the TCP flood"
tcp_flood_check tcpflood "$RSS0" "$T0"
TR1=$(stat_get 'j["dns"]["tcp_refused"]')
TD1=$(stat_get 'j["dns"]["tcp_deadline"]')
log "dns.tcp_refused $TR0 -> $TR1, dns.tcp_deadline $TD0 -> $TD1"
[ "$TR1" -ge $((TR0 + 384)) ] || fail "dns.tcp_refused moved too little"
[ "$TD1" -gt "$TD0" ] || fail "dns.tcp_deadline did not move"
victim_round

# --- the host port ----------------------------------------------------------

RSS0=$(vm_rss "$D")
log "a host client on 127.0.0.1 opens 400 connections to --dns-tcp $HTCP"
T0=$SECONDS
tcp_flood "$HNS" 127.0.0.1 "$HTCP" hostflood 127.0.0.1
resolve "$HNS" "127.0.0.1#$HTCP" tcp -b 127.0.0.2
resolve "$HNS" "127.0.0.1#$HUDP" udp
resolve "$NV" "$DNS" tcp
log "127.0.0.2 resolves over TCP on the host port during the flood"
tcp_flood_check hostflood "$RSS0" "$T0"
TR2=$(stat_get 'j["dns"]["tcp_refused"]')
TD2=$(stat_get 'j["dns"]["tcp_deadline"]')
log "dns.tcp_refused $TR1 -> $TR2, dns.tcp_deadline $TD1 -> $TD2"
[ "$TR2" -ge $((TR1 + 384)) ] || fail "dns.tcp_refused moved too little"
[ "$TD2" -gt "$TD1" ] || fail "dns.tcp_deadline did not move"
victim_round

# --- half-open connections ---------------------------------------------------

install -m 644 "$E2E_DIR/raw_guest.py" "$E2E_DIR/ethframes.py" "$TMP/" ||
	fail "cannot install raw_guest.py and ethframes.py"
SD0=$(stat_get 'j["networks"][0]["services"]["rx_syn_dropped"]')
RSS0=$(vm_rss "$D")
out=$(timeout 60 python3 "$TMP/raw_guest.py" "$SOCK" synflood "$GW" 53 \
	30000 2>&1) || fail "raw guest synflood: $out"
RSS1=$(vm_rss "$D")
log "raw guest, 30000 SYNs to $GW:53: $out; VmRSS $RSS0 -> $RSS1 KiB"
synacks=$(sed -n 's/.*synacks=\([0-9]*\).*/\1/p' <<<"$out")
[ -n "$synacks" ] && [ "$synacks" -le 16 ] ||
	fail "raw guest: $synacks source ports got a SYN-ACK, want <= 16"
[ $((RSS1 - RSS0)) -lt $((RSS_GROWTH_KB / 3)) ] ||
	fail "raw guest: VmRSS grew from $RSS0 to $RSS1 KiB"
SD1=$(stat_get 'j["networks"][0]["services"]["rx_syn_dropped"]')
log "services.rx_syn_dropped $SD0 -> $SD1"
[ "$SD1" -ge $((SD0 + 29900)) ] || fail "rx_syn_dropped moved too little"
resolve "$NV" "$GW" tcp
resolve "$NV" "$DNS" tcp
log "the victim resolves over TCP at .2 and .3 after the SYN flood"
daemon_alive "$D"

stop_daemon "$D" "$SOCK" ""
sanitizer_check "$DLOG"
pass
