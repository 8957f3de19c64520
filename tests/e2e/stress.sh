#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 300
#
# tests/e2e/stress.sh BUILD_DIR - faults and load, each with a check, on a
# slirp-mode daemon (one network per VM) and a user-v2 one:
#  1. STRESS_CYCLES (1000) connect/disconnect cycles on the qemu socket
#     (ARP or DHCPDISCOVER, then close; every fourth mid-frame): the
#     daemon's descriptors and heap bytes in use come back to their level after a warm-up;
#  2. STRESS_CONNS (10000) TCP connections from one guest through the NAT
#     to a host server via .2, held (RSS logged), a byte round trip on a
#     sample, all closed: the daemon's descriptors come back to baseline;
#  3. a VM whose relay is killed during a download and during an upload:
#     its NAT sockets are closed within a few seconds, and another VM's
#     download running meanwhile completes intact;
#  4. peers that stop reading: a qemu stream guest, a seqpacket (bess)
#     guest, a host server (NAT socket), a --tap guest whose link goes
#     down: the daemon's CPU time stays under 20% of a core, the control
#     API and another VM keep answering, and every port works afterwards.
#     (Connected datagram sockets and vfkit's are in lima_sockets.sh.)
#  5. fairness on user-v2: two clients flood one qemu connection each
#     (ICMP to the gateway, broadcast ARP) while another VM's pings and
#     TCP round trips keep their answers, with bounded latency;
#  6. a VM leaving a user-v2 network with an idle connection, a download
#     and an upload from a host forward open: libslirp's sockets for it
#     close within 5 s, and another VM sees none of the gateway's frames
#     for its MAC; the VM comes back on the same MAC and works. With
#     libslirp patch 0013 (connection-info: its table names IPv6 sockets)
#     the VM also holds an idle connection, a download and an upload over
#     IPv6 from its SLAAC address to servers on the host's [::1] via
#     [PREFIX::2]: the host's servers see them closed within 5 s of the
#     leave (without 0013 libslirp keeps them until its own timeouts);
#  and the daemons exit cleanly on SIGTERM with nothing reported by the
#  sanitizers (LeakSanitizer runs at exit in an ASan build).
#
# In a plain build the daemon keeps glibc's mmap threshold fixed
# (main_tune_malloc()), so large buffers go back to the kernel at once and
# RSS measures what is held.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init stress 280 "$@"

CLIENT="$E2E_DIR/stress_client.py"
CYCLES=${STRESS_CYCLES:-1000}
CONNS=${STRESS_CONNS:-10000}

# Descriptors: the guest, the server and the daemon each hold CONNS.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
want=$((CONNS + 1000))
[ "$want" -le "$hard" ] || {
	log "open files limited to $hard: $CONNS connections cut to $((hard - 1000))"
	CONNS=$((hard - 1000))
	want=$hard
}
ulimit -n "$want" || fail "cannot raise the open files limit to $want"

Q=$TMP/q.sock
BS=$TMP/bs.sock
EP=$TMP/ep.sock
DLOG=$TMP/usernetd.log
NT=$(e2e_name tap)

# fds PID: descriptors PID holds.
fds() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# heap EP: the daemon's malloc bytes in use (GET /stats "memory"; -1 where
# its allocator cannot say).
heap() {
	api_call "$1" GET /stats
	[ "$API_CODE" = 200 ] || fail "GET /stats: HTTP $API_CODE"
	json_eval 'j["memory"]["heap_in_use"]' <<<"$API_BODY"
}

# rss PID: VmRSS in KiB.
rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# fds_back PID LIMIT SECONDS: wait until PID holds at most LIMIT fds.
fds_back() {
	wait_for "$3" "usernetd's descriptors back to $2" \
		sh -c "[ \$(find /proc/$1/fd -mindepth 1 -maxdepth 1 | wc -l) -le $2 ]"
}

# cpu_pct PID SECONDS: percent of one core PID used over SECONDS.
cpu_pct() {
	local hz t0 t1
	hz=$(getconf CLK_TCK)
	t0=$(proc_cpu_ticks "$1")
	sleep "$2"
	t1=$(proc_cpu_ticks "$1")
	echo $(((t1 - t0) * 100 / ($2 * hz)))
}

# api_alive EP: the control API answers /stats within 3 s.
api_alive() {
	local out
	out=$(timeout 3 curl -sS --max-time 3 --unix-socket "$1" \
		-o /dev/null -w '%{http_code} %{time_total}' http://lima/stats) ||
		fail "control API $1 did not answer /stats"
	log "  API /stats: $out"
	[ "${out%% *}" = 200 ] || fail "control API $1: HTTP $out"
}

# guest NS [ATTACH-ARGS...]: namespace, relay to $Q, lease. Sets ATTACH_PID.
guest() {
	local ns=$1
	shift
	ip netns list | grep -q "^$ns\b" || make_ns "$ns"
	attach "$ns" "$Q" "$@"
	dhcp "$ns" tap0 "$TMP/lease-$ns" || fail "$ns: no DHCP lease"
}

make_ns "$NT"
start_daemon "$DLOG" --listen-qemu "$Q" --listen-bess "$BS" -e "$EP" \
	--tap "$NT:tap0"
D=$DAEMON_PID
wait_for 5 "$BS and $EP" sh -c "test -S '$BS' && test -S '$EP'" ||
	fail "usernetd did not create its sockets"
# The API starts libmicrohttpd (and its descriptors) at its first
# connection: start it now, so that it is in every baseline below.
api_call "$EP" GET /stats
[ "$API_CODE" = 200 ] || fail "GET /stats: HTTP $API_CODE"

# --- 1. connect/disconnect cycles -----------------------------------------

log "1. $CYCLES connect/disconnect cycles"
python3 "$CLIENT" cycles "$Q" 100 >/dev/null || fail "warm-up cycles failed"
fds_back "$D" 100000 1
sleep 0.5
F0=$(fds "$D")
R0=$(rss "$D")
H0=$(heap "$EP")
t0=$(date +%s%N)
out=$(timeout 120 python3 "$CLIENT" cycles "$Q" "$CYCLES") ||
	fail "cycles: $out"
log "  $out in $((($(date +%s%N) - t0) / 1000000)) ms"
daemon_alive "$D"
fds_back "$D" "$F0" 5 || fail "usernetd holds $(fds "$D") fds after the cycles, $F0 before"
sleep 0.5
R1=$(rss "$D")
H1=$(heap "$EP")
log "  fds $F0 -> $(fds "$D"), RSS $R0 -> $R1 KiB, heap in use $H0 -> $H1 B"
# The heap's bytes in use, not RSS: the cycles' short-lived objects leave
# free chunks across the heap that glibc hands back only at its next
# malloc_trim() (main.c, 30 s after work), so RSS right after them depends
# on where they lay (11 to 22 MB seen for the same 470 KB in use). 256 KiB
# over 1000 cycles is a leak of over 256 bytes a cycle. ASan's allocator
# reports nothing here (0); LeakSanitizer checks at exit.
if [ "$H0" -ge 0 ]; then
	[ "$H1" -le $((H0 + 262144)) ] ||
		fail "heap in use grew from $H0 to $H1 bytes over $CYCLES cycles"
fi

# --- 2. many NAT connections ------------------------------------------------

log "2. $CONNS TCP connections through the NAT"
NN=$(e2e_name nat)
guest "$NN"
free_port; SRV_PORT=$FREE_PORT
register_log "$TMP/server.log"
python3 "$CLIENT" server "$SRV_PORT" "$TMP/server.count" \
	>"$TMP/server.log" 2>&1 </dev/null &
register_pid $!
wait_for 5 "the server's count" test -s "$TMP/server.count" ||
	fail "TCP server did not start"
sleep 0.5
F0=$(fds "$D")
register_log "$TMP/conns.log"
ip netns exec "$NN" python3 "$CLIENT" conns "$GW_IP" "$SRV_PORT" "$CONNS" \
	100 "$TMP/conns.go" >"$TMP/conns.log" 2>&1 </dev/null &
CPID=$!
register_pid "$CPID"
wait_for 90 "the guest to hold its connections" \
	grep -q '^RR ok=' "$TMP/conns.log" || fail "the guest did not connect"
log "  $(tr '\n' ' ' <"$TMP/conns.log")"
grep -q "^HOLDING $CONNS " "$TMP/conns.log" ||
	fail "the guest could not open $CONNS connections"
grep -q "^RR ok=100$" "$TMP/conns.log" ||
	fail "round trips failed on some of the connections"
F1=$(fds "$D")
R1=$(rss "$D")
api_call "$EP" GET /stats
NAT=$(json_eval 'sum(n["nat_connections"] for n in j["networks"])' \
	<<<"$API_BODY")
[ "$NAT" -ge "$CONNS" ] 2>/dev/null ||
	fail "/stats: HTTP $API_CODE, NAT connections '$NAT', want $CONNS"
log "  holding: usernetd fds $F0 -> $F1, RSS $R1 KiB ($((R1 / 1024)) MiB)," \
	"NAT connections $NAT, server holds $(cat "$TMP/server.count")"
[ "$F1" -ge $((F0 + CONNS)) ] ||
	fail "usernetd holds $F1 fds with $CONNS connections open, $F0 before"
touch "$TMP/conns.go"
wait_for 30 "the guest to close its connections" pid_dead "$CPID" ||
	fail "the guest did not finish"
reap "$CPID"
[ "$REAP_RC" = 0 ] || fail "conns client: $(tail -n 1 "$TMP/conns.log")"
# libslirp looks sockets up in a list: with 10,000 open every segment
# costs a scan, and a loaded machine takes a while to close them all.
fds_back "$D" "$F0" 90 ||
	fail "usernetd holds $(fds "$D") fds after the guest closed all, $F0 before"
wait_for 10 "the server's connections to close" \
	grep -qx 0 "$TMP/server.count" ||
	fail "the server still holds $(cat "$TMP/server.count") connections"
log "  closed: usernetd fds $(fds "$D"), RSS $(rss "$D") KiB"
daemon_alive "$D"

# --- 3. a VM gone mid-transfer ----------------------------------------------

log "3. a VM killed during a download and during an upload"
NA=$(e2e_name a)
NB=$(e2e_name b)
free_port; SRC_PORT=$FREE_PORT
free_port; SINK_PORT=$FREE_PORT
free_port; HTTP_PORT=$FREE_PORT
for m in source sink; do
	p=$SRC_PORT
	[ $m = sink ] && p=$SINK_PORT
	register_log "$TMP/$m.log"
	python3 "$CLIENT" $m "$p" >"$TMP/$m.log" 2>&1 </dev/null &
	register_pid $!
	[ $m = sink ] && SINK_PID=$!
	wait_for 5 "$m on port $p" sh -c "ss -Hltn 'sport = :$p' | grep -q ." ||
		fail "$m server did not start"
done
mkdir -p "$TMP/www"
make_blob "$TMP/www/blob" $((24 * 1024))
start_http "$TMP/www" "$HTTP_PORT"
guest "$NB"
register_log "$TMP/curl-b.log"
log "  $NB downloads 24 MiB slowly meanwhile"
timeout 60 ip netns exec "$NB" curl -sS --noproxy '*' --limit-rate 4M \
	-o "$TMP/blob-b" "http://$GW_IP:$HTTP_PORT/blob" >"$TMP/curl-b.log" 2>&1 &
CURL_B=$!
register_pid "$CURL_B"

# killed_mid_transfer WHAT CMD...: attach NA, run CMD in it for a second,
# kill -9 the relay: NA's port and NAT socket must be closed within 5 s.
killed_mid_transfer() {
	local what=$1 pid f0
	shift
	guest "$NA"
	f0=$(fds "$D")
	ip netns exec "$NA" "$@" >/dev/null 2>&1 </dev/null &
	pid=$!
	register_pid "$pid"
	wait_for 5 "the $what to start" \
		sh -c "[ \$(find /proc/$D/fd -mindepth 1 -maxdepth 1 | wc -l) -gt $f0 ]" ||
		fail "the $what did not start"
	sleep 1
	log "  $what: usernetd holds $(fds "$D") fds; kill -9 the relay of $NA"
	kill -KILL "$ATTACH_PID"
	reap "$ATTACH_PID"
	fds_back "$D" $((f0 - 1)) 5 || fail "after the relay of $NA died" \
		"mid-$what, usernetd holds $(fds "$D") fds, $f0 before"
	kill -KILL "$pid" 2>/dev/null
	reap "$pid"
	daemon_alive "$D"
}
killed_mid_transfer download socat -u TCP4:"$GW_IP:$SRC_PORT" OPEN:/dev/null
killed_mid_transfer upload socat -u OPEN:/dev/zero TCP4:"$GW_IP:$SINK_PORT"
wait_for 20 "the download of $NB" pid_dead "$CURL_B" ||
	fail "$NB: download did not finish"
reap "$CURL_B"
[ "$REAP_RC" = 0 ] || fail "$NB: curl failed: $(cat "$TMP/curl-b.log")"
cmp -s "$TMP/www/blob" "$TMP/blob-b" ||
	fail "$NB: the download differs from the file"
rm -f "$TMP/blob-b"
log "  $NB: download intact"

# --- 4. peers that stop reading ---------------------------------------------

# quiet WHAT: the daemon's CPU time stays low for 3 s while WHAT, and the
# control API and NB keep answering.
quiet() {
	local pct
	pct=$(cpu_pct "$D" 3)
	log "  $1: usernetd used $pct% of a core over 3 s"
	[ "$pct" -lt 20 ] || fail "usernetd used $pct% CPU while $1"
	api_alive "$EP"
	ns_ping "$NB" "$GW_IP" 2 || fail "$NB: ping failed while $1"
	daemon_alive "$D"
}

log "4. peers that stop reading"
NC=$(e2e_name c)
guest "$NC"
PID_C=$ATTACH_PID
ip netns exec "$NC" socat -u TCP4:"$GW_IP:$SRC_PORT" OPEN:/dev/null \
	</dev/null >/dev/null 2>&1 &
DL=$!
register_pid "$DL"
sleep 1
kill -STOP "$PID_C"
sleep 1
quiet "a qemu stream guest does not read"
kill -CONT "$PID_C"
kill "$DL"
reap "$DL"
ns_ping "$NC" "$GW_IP" 2 || fail "$NC: ping failed after it read again"

ip netns exec "$NC" socat -u OPEN:/dev/zero TCP4:"$GW_IP:$SINK_PORT" \
	</dev/null >/dev/null 2>&1 &
UL=$!
register_pid "$UL"
sleep 1
kill -STOP "$SINK_PID"
sleep 1
quiet "a host server does not read"
kill -CONT "$SINK_PID"
kill "$UL"
reap "$UL"
ns_ping "$NC" "$GW_IP" 2 || fail "$NC: ping failed after the upload"

NE=$(e2e_name e)
make_ns "$NE"
attach_via "$NE" bess "$BS"
PID_E=$ATTACH_PID
dhcp "$NE" tap0 "$TMP/lease-$NE" || fail "$NE (bess): no DHCP lease"
ip netns exec "$NE" socat -u TCP4:"$GW_IP:$SRC_PORT" OPEN:/dev/null \
	</dev/null >/dev/null 2>&1 &
DL=$!
register_pid "$DL"
sleep 1
kill -STOP "$PID_E"
sleep 1
quiet "a seqpacket guest does not read"
kill -CONT "$PID_E"
kill "$DL"
reap "$DL"
ns_ping "$NE" "$GW_IP" 2 || fail "$NE: ping failed after it read again"

dhcp "$NT" tap0 "$TMP/lease-$NT" || fail "$NT (--tap): no DHCP lease"
ip netns exec "$NT" socat -u TCP4:"$GW_IP:$SRC_PORT" OPEN:/dev/null \
	</dev/null >/dev/null 2>&1 &
DL=$!
register_pid "$DL"
sleep 1
ip -n "$NT" link set tap0 down
sleep 1
quiet "a --tap guest's link is down"
kill "$DL"
reap "$DL"
ip -n "$NT" link set tap0 up
dhcp "$NT" tap0 "$TMP/lease-$NT" || fail "$NT (--tap): no lease after link up"
ns_ping "$NT" "$GW_IP" 2 || fail "$NT: ping failed after its link came up"
grep -q "tap:.*: closed" "$DLOG" && fail "the --tap port was closed"

# --- 5. fairness on a user-v2 network ---------------------------------------

# ping_stats NS ADDR COUNT: ping at 10 a second; prints "RECEIVED MAX_MS".
ping_stats() {
	timeout $(($3 / 10 + 8)) ip netns exec "$1" \
		ping -n -q -c "$3" -i 0.1 -w $(($3 / 10 + 5)) "$2" 2>&1 |
		awk '/received/ { for (i = 1; i <= NF; i++)
				if ($(i) ~ /^received/) r = $(i - 1) }
		     /^rtt/ { split($4, a, "/"); m = a[3] }
		     END { printf "%d %d\n", r, m + 0.5 }'
}

# fair_check WHAT ADDR: 30 pings of NF to ADDR all answered, none slower
# than 1 s. Without the cap on group frames a ping waited seconds; with
# it, 250-400 ms on 2 idle cores, and just over 500 ms with other jobs
# running beside the test.
fair_check() {
	local got
	got=$(ping_stats "$NF" "$2" 30)
	log "  $1: ping $2: ${got% *}/30 answered, slowest ${got#* } ms"
	[ "${got% *}" -ge 30 ] || fail "$NF: pings to $2 lost $1"
	[ "${got#* }" -lt 1000 ] || fail "$NF: a ping to $2 took ${got#* } ms $1"
}

log "5. fairness: two VMs flood a user-v2 network, a third pings"
Q2=$TMP/q2.sock
NET2=192.168.105
EP2=$TMP/ep2.sock
start_daemon "$TMP/usernetd2.log" --mode user-v2 --subnet "$NET2.0/24" \
	--listen-qemu "$Q2" -e "$EP2"
D2=$DAEMON_PID
NF=$(e2e_name f)
make_ns "$NF"
attach "$NF" "$Q2"
dhcp "$NF" tap0 "$TMP/lease-$NF" || fail "$NF: no DHCP lease"
fair_check "before the flood" "$NET2.2"
FLOODS=()
for kind in gw bcast; do
	register_log "$TMP/flood-$kind.log"
	timeout 30 python3 "$CLIENT" flood "$Q2" 10 "$NET2" $kind \
		>"$TMP/flood-$kind.log" 2>&1 </dev/null &
	FLOODS+=($!)
	register_pid $!
done
sleep 1
fair_check "during the flood" "$NET2.2"
fair_check "during the flood" "$NET2.3"
got=$(ns_tcp_rr "$NF" "$NET2.2" "$SRV_PORT" fair) ||
	fail "$NF: TCP round trip via $NET2.2 failed during the flood"
[ "$got" = fair ] || fail "$NF: TCP round trip answered '$got'"
for pid in "${FLOODS[@]}"; do
	pid_alive "$pid" || fail "a flood ended early: $(cat "$TMP"/flood-*.log)"
done
for pid in "${FLOODS[@]}"; do
	wait_for 20 "the flood to end" pid_dead "$pid" || fail "flood hangs"
	reap "$pid"
	[ "$REAP_RC" = 0 ] || fail "flood failed: $(cat "$TMP"/flood-*.log)"
done
log "  floods: $(cat "$TMP"/flood-*.log | tr '\n' ' ')"
daemon_alive "$D2"

# --- 6. a VM leaves a shared network ---------------------------------------

# stat2 NAME: a counter of the user-v2 network in /stats.
stat2() {
	api_call "$EP2" GET /stats
	json_eval "j['networks'][0]['$1']" <<<"$API_BODY"
}

# nat2: the NAT connections the user-v2 daemon's libslirp holds.
nat2() {
	stat2 nat_connections
}

# host6_conns: established connections of the IPv6 servers on [::1].
host6_conns() {
	ss -Htn state established "( sport = :$P6_SINK or sport = :$P6_SRC )" |
		wc -l
}

# host6_at_least N / host6_at_most N: compare host6_conns with N.
# shellcheck disable=SC2317 # called through wait_for
host6_at_least() {
	[ "$(host6_conns)" -ge "$1" ]
}
# shellcheck disable=SC2317 # called through wait_for
host6_at_most() {
	[ "$(host6_conns)" -le "$1" ]
}

# ns_addr6 NS: print tap0's global IPv6 address (SLAAC) once DAD is done.
ns_addr6() {
	ip -n "$1" -6 -o addr show dev tap0 scope global 2>/dev/null |
		awk '!/tentative/ { sub("/.*", "", $4); print $4; exit }'
}

# ns_has_addr6 NS: true once ns_addr6 prints an address.
# shellcheck disable=SC2317 # called through wait_for
ns_has_addr6() {
	[ -n "$(ns_addr6 "$1")" ]
}

# nat2_at_least N / nat2_at_most N: compare nat2 with N.
# shellcheck disable=SC2317 # called through wait_for
nat2_at_least() {
	[ "$(nat2)" -ge "$1" ]
}
# shellcheck disable=SC2317 # called through wait_for
nat2_at_most() {
	[ "$(nat2)" -le "$1" ]
}

log "6. a VM leaves a user-v2 network with connections open"
NG=$(e2e_name g)
make_ns "$NG"
attach "$NG" "$Q2"
G_ATTACH=$ATTACH_PID
dhcp "$NG" tap0 "$TMP/lease-$NG" || fail "$NG: no DHCP lease"
G_IP=$(sed -n 's/^ip=//p' "$TMP/lease-$NG")
# Its SLAAC address before any traffic: the downloads below keep its
# port full, and the daemon drops what does not fit (a router
# advertisement among them).
V6=0
slirp_has_patch "$TMP/usernetd2.log" connection-info && V6=1
if [ $V6 = 1 ]; then
	wait_for 10 "a SLAAC address in $NG" ns_has_addr6 "$NG" ||
		fail "$NG: no SLAAC address: $(ip -n "$NG" -6 -o addr show dev tap0)"
	G_IP6=$(ns_addr6 "$NG")
fi
G_MAC=$(ip netns exec "$NG" cat /sys/class/net/tap0/address)
free_port; FWD_PORT=$FREE_PORT
api_call "$EP2" POST /services/forwarder/expose \
	"{\"local\":\"127.0.0.1:$FWD_PORT\",\"remote\":\"$G_IP:7000\"}"
[ "$API_CODE" = 200 ] || fail "expose 127.0.0.1:$FWD_PORT: HTTP $API_CODE"
N0=$(nat2)
GPIDS=()
for cmd in "socat -u EXEC:'sleep 60' TCP4:$NET2.2:$SINK_PORT" \
	"socat -u TCP4:$NET2.2:$SRC_PORT OPEN:/dev/null" \
	"socat -u TCP-LISTEN:7000,reuseaddr OPEN:/dev/null"; do
	eval "ip netns exec $NG $cmd" >/dev/null 2>&1 </dev/null &
	GPIDS+=($!)
	register_pid $!
done
wait_for 5 "$NG's server" sh -c "ip netns exec $NG ss -Hltn 'sport = :7000' | grep -q ." ||
	fail "$NG: socat did not listen on port 7000"
if [ $V6 = 1 ]; then
	GW6=$(python3 -c 'import ipaddress, sys
print(ipaddress.IPv6Interface(sys.argv[1] + "/64").network[2])' "$G_IP6")
	free_port; P6_SINK=$FREE_PORT
	free_port; P6_SRC=$FREE_PORT
	socat -u TCP6-LISTEN:"$P6_SINK",bind='[::1]',reuseaddr,fork \
		OPEN:/dev/null >/dev/null 2>&1 </dev/null &
	register_pid $!
	socat -U TCP6-LISTEN:"$P6_SRC",bind='[::1]',reuseaddr,fork \
		OPEN:/dev/zero >/dev/null 2>&1 </dev/null &
	register_pid $!
	wait_for 5 "the IPv6 servers on [::1]" sh -c \
		"ss -Hltn '( sport = :$P6_SINK or sport = :$P6_SRC )' | grep -c . | grep -qx 2" ||
		fail "socat did not listen on [::1]:$P6_SINK and [::1]:$P6_SRC"
	for cmd in "socat -u EXEC:'sleep 60' TCP6:[$GW6]:$P6_SINK" \
		"socat -u OPEN:/dev/zero TCP6:[$GW6]:$P6_SINK" \
		"socat -u TCP6:[$GW6]:$P6_SRC OPEN:/dev/null"; do
		eval "ip netns exec $NG $cmd" >/dev/null 2>&1 </dev/null &
		GPIDS+=($!)
		register_pid $!
	done
	wait_for 5 "3 IPv6 connections of $NG on [::1]" host6_at_least 3 ||
		fail "$NG ($G_IP6): its IPv6 connections via [$GW6] did not start ($(host6_conns) on [::1])"
	log "  $NG: 3 IPv6 connections from $G_IP6 via [$GW6] to [::1]"
else
	log "  libslirp without patch 0013 (connection-info): no IPv6 connections"
fi
timeout 60 socat -u OPEN:/dev/zero TCP4:127.0.0.1:$FWD_PORT >/dev/null 2>&1 &
UP_PID=$!
register_pid $UP_PID
wait_for 5 "3 NAT connections of $NG" nat2_at_least $((N0 + 3)) ||
	fail "$NG: its connections did not start ($(nat2) NAT connections, $N0 before)"
sleep 1
register_log "$TMP/flooded.log"
ip netns exec "$NF" tcpdump -i tap0 -n -l -U -w "$TMP/flooded.pcap" \
	ether dst "$G_MAC" >"$TMP/flooded.log" 2>&1 &
TD_PID=$!
register_pid $TD_PID
wait_for 5 "tcpdump in $NF" grep -q listening "$TMP/flooded.log" ||
	fail "tcpdump did not start in $NF"
N1=$(nat2)
log "  $NG ($G_IP, $G_MAC): $N1 NAT connections ($N0 before); kill -9 its relay"
kill -KILL "$G_ATTACH"
reap "$G_ATTACH"
if [ $V6 = 1 ]; then
	wait_for 5 "$NG's IPv6 connections to close on [::1]" host6_at_most 0 ||
		fail "the host's [::1] servers still hold $(host6_conns) of $NG's IPv6 connections 5 s after it left"
fi
wait_for 5 "$NG's NAT connections to close" nat2_at_most "$N0" ||
	fail "the NAT still holds $(nat2) connections 5 s after $NG left ($N0 before it came)"
wait_for 5 "the host's upload to $NG to end" pid_dead "$UP_PID" ||
	fail "the host's upload to $NG's forward still runs 5 s after $NG left"
reap "$UP_PID"
sleep 2
kill -INT "$TD_PID"
wait_for 5 "tcpdump to stop" pid_dead "$TD_PID"
reap "$TD_PID"
FLOODED=$(tcpdump -r "$TMP/flooded.pcap" -n 2>/dev/null | wc -l)
log "  closed: $(nat2) NAT connections; drop_departed $(stat2 drop_departed)," \
	"reset_departed $(stat2 reset_departed); $NF saw $FLOODED frames for $G_MAC"
[ "$FLOODED" = 0 ] || fail "$NF received $FLOODED frames for $NG's MAC" \
	"after $NG left: $(tcpdump -r "$TMP/flooded.pcap" -n -c 5 2>&1)"
for pid in "${GPIDS[@]}"; do
	kill -KILL "$pid" 2>/dev/null
	reap "$pid"
done
attach "$NG" "$Q2"
dhcp "$NG" tap0 "$TMP/lease2-$NG" || fail "$NG: no DHCP lease on its return"
got=$(ns_tcp_rr "$NG" "$NET2.2" "$SRV_PORT" back) ||
	fail "$NG: TCP round trip via $NET2.2 failed after its return"
[ "$got" = back ] || fail "$NG: TCP round trip answered '$got' after its return"
log "  $NG back on $G_MAC: TCP through the NAT works"
daemon_alive "$D2"

# --- stop -----------------------------------------------------------------

log "SIGTERM"
stop_daemon "$D2" "$Q2" ""
stop_daemon "$D" "$Q" ""
sanitizer_check "$TMP/usernetd2.log"
sanitizer_check "$DLOG"
pass
