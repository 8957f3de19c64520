#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/dns_faults.sh BUILD_DIR - the DNS service when its upstream
# misbehaves (dns.sh covers a dead and a silent upstream). A namespace
# standing for the host runs usernetd (private resolv.conf, see dns.sh) and
# the upstreams; a guest namespace queries with dig at .3:
#  - garbage upstream on 127.0.0.81:53 (python, UDP and TCP), its answer
#    chosen by the first label of the question: random bytes, a header cut
#    short, the right answer under another ID, an answer to another
#    question, a valid header with absurd record counts and no records,
#    TC=1 over UDP and then junk over TCP. Forwarded (TXT, MX, over UDP and
#    TCP from the guest) and native (A, through getaddrinfo) queries all
#    get SERVFAIL within 4 s by dig's query time (the resolver's deadline
#    is 3 s, plus slack for a loaded machine). Exception: glibc reads the
#    absurd counts as "no address" (NOERROR, no records), which
#    getaddrinfo cannot tell from a real one. The daemon counts them (GET
#    /stats: dns.servfail, resolver.failures), logs one line per kind of
#    request (forwarded, native), and keeps running;
#  - recovery: the garbage server replaced by dnsmasq on the same address:
#    1.1 s later, every name that failed (forwarded and native) answers
#    right at the first query: SERVFAIL is cached a second at most, and a
#    getaddrinfo call still stuck on the garbage (glibc reads TCP without
#    a timeout) neither holds new lookups nor caches what it ends with;
#  - a slow upstream (a proxy answering after 1.5 s, longer than one c-ares
#    try): forwarded and native answers still come through, in < 3 s;
#  - resolv.conf swapped between two dnsmasq (other records) while the
#    guest runs dig in a loop (forwarded TXT over UDP and TCP, native A of
#    fresh names): first truncated and rewritten in place, then replaced by
#    rename(2). Every query gets NOERROR (from either server) or SERVFAIL,
#    none takes more than 4 s, the daemon keeps running, and after each
#    swap queries reach the new server within 3 s;
#  - SIGTERM: exit within 1 s, status 0.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init dns_faults 120 "$@"

need_tools dig dnsmasq unshare ss

HNS=$(e2e_name host)
NS=$(e2e_name guest)
SOCK=$TMP/qemu.sock
API=$TMP/api.sock
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
UPG=127.0.0.81	# garbage, then dnsmasq
UPS=127.0.0.82	# slow proxy
UPA=127.0.0.83	# dnsmasq "a"
UPB=127.0.0.84	# dnsmasq "b"
Z=$DNS_ZONE
BOUND_MS=4000	# the resolver's 3 s deadline, plus slack

make_ns "$HNS"
make_ns "$NS"

# --- the garbage upstream -----------------------------------------------------

GARBAGE_PY='
import os, socket, struct, sys, threading

addr = sys.argv[1]

def qname(q):
    off, labels = 12, []
    while off < len(q) and q[off]:
        n = q[off]
        labels.append(q[off + 1:off + 1 + n].decode(errors="replace"))
        off += 1 + n
    return labels, off + 5

def answer(q, udp):
    """The garbage for query q, chosen by its first label."""
    labels, qend = qname(q)
    mode = labels[0].split("-")[0] if labels else "random"
    hdr = lambda qid, flags, qd, an, ns, ar: struct.pack(
        ">HHHHHH", qid, flags, qd, an, ns, ar)
    qid = q[:2]
    question = q[12:qend]
    # A well-formed answer: one TXT record, name compressed to the question.
    good = (hdr(0, 0x8180, 1, 1, 0, 0)[2:] + question +
            b"\xc0\x0c\x00\x10\x00\x01\x00\x00\x00\x3c\x00\x04\x03bad")
    if mode == "short":
        return (qid + good)[:5]
    if mode == "wrongid":
        return bytes([q[0] ^ 0x55, q[1] ^ 0xaa]) + good
    if mode == "otherq":
        other = b"\x05other\x07example\x04test\x00" + question[-4:]
        return (qid + hdr(0, 0x8180, 1, 1, 0, 0)[2:] + other +
                b"\xc0\x0c\x00\x10\x00\x01\x00\x00\x00\x3c\x00\x04\x03bad")
    if mode == "counts":
        return qid + hdr(0, 0x8180, 1, 0xffff, 0xffff, 0xffff)[2:] + question
    if mode == "tc":
        if udp:
            return qid + hdr(0, 0x8380, 1, 0, 0, 0)[2:] + question
        return os.urandom(40)
    return os.urandom(1 + os.urandom(1)[0] % 100)

def serve_udp():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((addr, 53))
    while True:
        q, a = u.recvfrom(65535)
        if len(q) >= 12:
            u.sendto(answer(q, True), a)

def serve_conn(c):
    try:
        while True:
            n = c.recv(2)
            if len(n) < 2:
                return
            q = c.recv(struct.unpack(">H", n)[0], socket.MSG_WAITALL)
            g = answer(q, False)
            c.sendall(struct.pack(">H", len(g)) + g)
    except OSError:
        pass
    finally:
        c.close()

t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((addr, 53))
t.listen(16)
threading.Thread(target=serve_udp, daemon=True).start()
print("ready", flush=True)
while True:
    c, _ = t.accept()
    threading.Thread(target=serve_conn, args=(c,), daemon=True).start()
'

# The slow upstream: relays each UDP query to a dnsmasq, answers 1.5 s later.
SLOW_PY='
import socket, sys, threading, time
addr, up, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((addr, 53))
def relay(q, a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    t0 = time.monotonic()
    try:
        s.sendto(q, (up, 53))
        d = s.recv(65535)
    except OSError:
        return
    time.sleep(max(0, delay - (time.monotonic() - t0)))
    u.sendto(d, a)
print("ready", flush=True)
while True:
    q, a = u.recvfrom(65535)
    threading.Thread(target=relay, args=(q, a), daemon=True).start()
'

# start_py NS TAG SCRIPT ARGS...: a python server in NS; waits for "ready".
# Sets PY_PID.
start_py() {
	local ns=$1 tag=$2 script=$3
	shift 3
	register_log "$TMP/$tag.log"
	ip netns exec "$ns" python3 -c "$script" "$@" >"$TMP/$tag.log" 2>&1 \
		</dev/null &
	PY_PID=$!
	register_pid "$PY_PID"
	wait_for 5 "$tag server" grep -q ready "$TMP/$tag.log" ||
		fail "$tag server did not start: $(cat "$TMP/$tag.log")"
}

# The names the garbage server answers badly; the dnsmasq that replaces it
# has them all (TXT "ok NAME", A 10.0.5.N).
MODES=(random short wrongid otherq counts tc)
fault_dnsmasq_args() {
	local m i=1
	for m in "${MODES[@]}"; do
		printf -- '--txt-record=%s.%s,ok %s\n' "$m" "$Z" "$m"
		printf -- '--address=/%s-a.%s/10.0.5.%d\n' "$m" "$Z" "$i"
		i=$((i + 1))
	done
	printf -- '--mx-host=%s.%s,mail.%s,10\n' random2 "$Z" "$Z" tc2 "$Z" "$Z"
	printf -- '--address=/slow-a.%s/10.0.6.1\n' "$Z"
}

start_py "$HNS" garbage "$GARBAGE_PY" "$UPG"
GARBAGE_PID=$PY_PID
printf 'nameserver %s\n' "$UPG" >"$RESOLV"

start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --listen-qemu "$SOCK" \
	--resolv-conf "$RESOLV" -e "$API"
D=$DAEMON_PID
wait_for 5 "API socket" test -S "$API" || fail "no API socket $API"
attach "$NS" "$SOCK"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease"
check_lease "$NS" "$TMP/lease" 1500

# ms_since T0: milliseconds since T0 (date +%s%N).
ms_since() {
	echo $((($(date +%s%N) - $1) / 1000000))
}

# dq_ms T0: the last dns_query's time, from dig's "Query time" (the
# start of many dig processes on a loaded machine is not the daemon's);
# the time since T0 if dig has none.
dq_ms() {
	local t
	t=$(sed -n 's/^;; Query time: \([0-9]*\) msec.*/\1/p' <<<"$DQ_OUT" |
		tail -n 1)
	echo "${t:-$(ms_since "$1")}"
}

# timed_query OUT PROTO NAME TYPE: one dig from the guest at .3 (one try,
# waits up to 10 s); writes "rc status ms answer..." to OUT.
timed_query() {
	local out=$1 t0 rc
	shift
	t0=$(date +%s%N)
	dns_query "$NS" "$DNS_IP" "$1" "$2" "$3" +tries=1 +time=10
	rc=$?
	printf '%s %s %s %s\n' "$rc" "${DQ_STATUS:-none}" "$(dq_ms "$t0")" \
		"$(tr '\n' ' ' <<<"$DQ_RRS")" >"$out"
}

# stat_get EXPR: a number of GET /stats (python expression over j).
stat_get() {
	api_call "$API" GET /stats
	[ "$API_CODE" = 200 ] || fail "GET /stats: HTTP $API_CODE"
	json_eval "$1" <<<"$API_BODY"
}

# --- garbage ------------------------------------------------------------------

SF0=$(stat_get 'j["dns"]["servfail"]')
RF0=$(stat_get 'j["resolver"]["failures"]')
log "garbage upstream on $UPG: ${MODES[*]}"
QS=()
for m in "${MODES[@]}"; do
	QS+=("udp $m.$Z TXT" "tcp $m.$Z TXT" "udp $m-a.$Z A")
done
QS+=("udp random2.$Z MX" "tcp tc2.$Z MX")
pids=()
for i in "${!QS[@]}"; do
	# shellcheck disable=SC2086 # "PROTO NAME TYPE"
	timed_query "$TMP/g$i" ${QS[$i]} &
	pids+=($!)
done
wait "${pids[@]}"
nsf=0
for i in "${!QS[@]}"; do
	read -r rc st ms rest <"$TMP/g$i" || fail "${QS[$i]}: no result"
	log "  ${QS[$i]}: $st in $ms ms"
	[ "$rc" = 0 ] || fail "${QS[$i]}, garbage upstream: no answer (dig $rc)"
	# glibc reads an answer with absurd counts as "no address": getaddrinfo
	# gives the daemon nothing to tell it from a real NODATA.
	[ "${QS[$i]}" = "udp counts-a.$Z A" ] && [ "$st" = NOERROR ] &&
		[ -z "$rest" ] && continue
	nsf=$((nsf + 1))
	[ "$st" = SERVFAIL ] ||
		fail "${QS[$i]}, garbage upstream: $st $rest, want SERVFAIL"
	[ "$ms" -le $BOUND_MS ] ||
		fail "${QS[$i]}, garbage upstream: $ms ms, want <= $BOUND_MS"
done
daemon_alive "$D"
SF1=$(stat_get 'j["dns"]["servfail"]')
RF1=$(stat_get 'j["resolver"]["failures"]')
log "  stats: dns.servfail $SF0 -> $SF1, resolver.failures $RF0 -> $RF1"
[ $((SF1 - SF0)) -ge $nsf ] ||
	fail "dns.servfail grew by $((SF1 - SF0)), want >= $nsf"
# The answers with absurd counts reach the DNS service, which refuses them:
# not failures of the resolver.
[ $((RF1 - RF0)) -ge $((nsf - 2)) ] ||
	fail "resolver.failures grew by $((RF1 - RF0)), want >= $((nsf - 2))"
grep -q "hostresolver: .*fail" "$DLOG" ||
	fail "the daemon logged nothing about the failing upstream"
n=$(grep -c "hostresolver: .*fail" "$DLOG")
[ "$n" -le 4 ] || fail "$n log lines about the failing upstream, want few"

# --- recovery -----------------------------------------------------------------

log "garbage server replaced by dnsmasq on $UPG"
kill -TERM "$GARBAGE_PID"
wait_for 3 "garbage server to exit" pid_dead "$GARBAGE_PID" ||
	fail "garbage server still runs"
reap "$GARBAGE_PID"
mapfile -t args < <(fault_dnsmasq_args)
start_dnsmasq "$HNS" "$UPG" fixed --log-queries --local="/$Z/" \
	--local-ttl=300 "${args[@]}"
# recovered OUT PROTO NAME TYPE WANT: one query (dig's two tries) must
# answer NOERROR with a first record starting with WANT; writes "ok" or
# what came to OUT.
recovered() {
	local out=$1
	shift
	if dns_query "$NS" "$DNS_IP" "$1" "$2" "$3" +tries=2 +time=2 &&
		[ "$DQ_STATUS" = NOERROR ] &&
		[[ $(head -n 1 <<<"$DQ_RRS") == "$4"* ]]; then
		echo ok >"$out"
	else
		echo "${DQ_STATUS:-no answer} $(tr '\n' ' ' <<<"$DQ_RRS")" >"$out"
	fi
}
# SERVFAIL is cached 1 s at most (native lookups; forwarded ones not at
# all): after that, every name that failed answers right at once.
sleep 1.1
pids=()
for i in "${!QS[@]}"; do
	# The native NODATA of counts-a is cached 5 s, as any NODATA.
	[ "${QS[$i]}" = "udp counts-a.$Z A" ] && continue
	# shellcheck disable=SC2086 # "PROTO NAME TYPE"
	set -- ${QS[$i]}
	case $3 in
	TXT) want="$2. TXT \"ok ${2%%.*}\"" ;;
	MX) want="$2. MX 10 mail.$Z." ;;
	A) want="$2. A 10.0.5." ;;
	esac
	recovered "$TMP/r$i" "$1" "$2" "$3" "$want" &
	pids+=($!)
done
wait "${pids[@]}"
for i in "${!QS[@]}"; do
	[ -e "$TMP/r$i" ] || continue
	read -r res <"$TMP/r$i"
	[ "$res" = ok ] ||
		fail "${QS[$i]}, 1.1 s after the upstream came back: $res"
done
log "  every name that failed answers right 1.1 s after dnsmasq started"
grep -q "hostresolver: .*answer.* again" "$DLOG" ||
	fail "the daemon did not log that the upstream answers again"

# --- slow upstream ------------------------------------------------------------

log "slow upstream on $UPS (1.5 s in front of $UPG)"
start_py "$HNS" slow "$SLOW_PY" "$UPS" "$UPG" 1.5
printf 'nameserver %s\n' "$UPS" >"$RESOLV"
wait_for 4 "the daemon to read the new resolv.conf" \
	grep -q "upstream servers $UPS" "$DLOG" ||
	fail "usernetd did not log 'upstream servers $UPS' within 4 s"
timed_query "$TMP/slow-txt" udp "short.$Z" TXT &
p1=$!
timed_query "$TMP/slow-a" udp "slow-a.$Z" A &
p2=$!
timed_query "$TMP/slow-mx" tcp "random2.$Z" MX &
p3=$!
wait $p1 $p2 $p3
for f in slow-txt slow-a slow-mx; do
	read -r rc st ms rest <"$TMP/$f" || fail "$f: no result"
	log "  $f: $st in $ms ms: $rest"
	if [ "$rc" != 0 ] || [ "$st" != NOERROR ] || [ -z "$rest" ]; then
		fail "$f: slow upstream gave '$st' '$rest', want an answer"
	fi
	[ "$ms" -ge 1400 ] || fail "$f: answered in $ms ms: not from the slow upstream"
	[ "$ms" -le 3000 ] || fail "$f: answered in $ms ms, want <= 3000"
done

# --- resolv.conf swapped under load ---------------------------------------------

log "resolv.conf swaps between $UPA and $UPB under load"
start_dnsmasq "$HNS" "$UPA" upa --local="/$Z/" --txt-record="txt.$Z,server a" \
	--address="/swap.$Z/10.0.10.1"
start_dnsmasq "$HNS" "$UPB" upb --local="/$Z/" --txt-record="txt.$Z,server b" \
	--address="/swap.$Z/10.0.11.1"
printf 'nameserver %s\n' "$UPA" >"$RESOLV"
wait_for 4 "the daemon to use $UPA" grep -q "upstream servers $UPA" "$DLOG" ||
	fail "usernetd did not log 'upstream servers $UPA' within 4 s"

# load KIND: dig from the guest until $TMP/stop exists; one line per query
# in $TMP/load-KIND: "rc status ms t_end_ns answer".
load() {
	local kind=$1 out=$TMP/load-$1 i=0 t0 name proto=udp type=TXT
	: >"$out"
	while [ ! -e "$TMP/stop" ]; do
		i=$((i + 1))
		case $kind in
		txt-udp) name=txt.$Z ;;
		txt-tcp) name=txt.$Z proto=tcp ;;
		a) name=n$i-$$.swap.$Z type=A ;;
		esac
		t0=$(date +%s%N)
		dns_query "$NS" "$DNS_IP" "$proto" "$name" "$type" +tries=1 +time=10
		printf '%s %s %s %s %s\n' "$?" "${DQ_STATUS:-none}" \
			"$(dq_ms "$t0")" "$(date +%s%N)" \
			"$(tr '\n' ' ' <<<"$DQ_RRS")" >>"$out"
	done
}
rm -f "$TMP/stop"
lpids=()
for k in txt-udp txt-tcp a; do
	load "$k" &
	lpids+=($!)
done

# swapped_to SERVER-LETTER SINCE: wait until a load query that started
# after SINCE got server LETTER's TXT; print the delay.
swapped_to() {
	local want="\"server $1\"" since=$2 t
	while [ "$(ms_since "$since")" -le 3000 ]; do
		t=$(awk -v s="$since" -v w="$want" \
			'$4 > s && $2 == "NOERROR" && index($0, w) { print $4; exit }' \
			"$TMP/load-txt-udp" "$TMP/load-txt-tcp")
		if [ -n "$t" ]; then
			echo $(((t - since) / 1000000))
			return 0
		fi
		sleep 0.1
	done
	return 1
}

sleep 1
log "  truncate and rewrite in place -> $UPB"
t0=$(date +%s%N)
: >"$RESOLV"
sleep 0.3
printf '# b\nnameserver %s\n' "$UPB" >"$RESOLV"
ms=$(swapped_to b "$t0") || fail "3 s after rewriting resolv.conf, no answer from $UPB"
log "  forwarded queries reach $UPB after $ms ms"
sleep 1
log "  rename a new file over it -> $UPA"
printf '# a\nnameserver %s\n' "$UPA" >"$RESOLV.new"
t0=$(date +%s%N)
mv -f "$RESOLV.new" "$RESOLV"
ms=$(swapped_to a "$t0") || fail "3 s after renaming over resolv.conf, no answer from $UPA"
log "  forwarded queries reach $UPA after $ms ms"
sleep 1
touch "$TMP/stop"
wait_for 12 "load loops to end" sh -c "! kill -0 ${lpids[*]} 2>/dev/null" ||
	fail "a dig of the load loops hangs"
wait "${lpids[@]}"
daemon_alive "$D"

total=0
for k in txt-udp txt-tcp a; do
	n=$(wc -l <"$TMP/load-$k")
	total=$((total + n))
	bad=$(awk -v b=$BOUND_MS -v z="$Z" '
		$1 != 0 || ($2 != "NOERROR" && $2 != "SERVFAIL") || $3 > b { print; next }
		$2 == "NOERROR" && !/"server [ab]"/ && !/ A 10\.0\.1[01]\.1/ { print }' \
		"$TMP/load-$k")
	[ -z "$bad" ] || fail "load $k: bad results (rc status ms t answer):"$'\n'"$bad"
	log "  $k: $n queries, $(awk '$2 == "SERVFAIL"' "$TMP/load-$k" | wc -l) SERVFAIL," \
		"slowest $(awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { print m }' \
			"$TMP/load-$k") ms"
done
[ "$total" -ge 20 ] || fail "only $total queries ran during the swaps"
# The native resolver follows the in-place rewrite (the rename does not
# reach getaddrinfo here: /etc/resolv.conf is a bind mount of the old file).
grep -q ' A 10\.0\.11\.1' "$TMP/load-a" ||
	fail "no native A answer from $UPB after the in-place rewrite"

daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""
pass
