#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 300
#
# tests/e2e/tcp_backpressure.sh BUILD_DIR - a guest whose port is full
# slows libslirp's TCP down instead of losing its segments (issue 16,
# patch 0015 and port_room()). One guest namespace attached by `usernetctl
# attach` at MTU 1500, a UDP forward to it, and the control API:
#  - four host senders (tcp_peer.py on 127.0.0.1:P, reached through the
#    NAT at 192.168.5.2:P) send USERNETD_TCP_BYTES in all (default 512 MiB,
#    at least 256 MiB) to the guest, whose receive windows start at 4 MiB;
#    once an eighth has arrived the guest's relay is frozen
#    (SIGSTOP of the attach process) for FREEZE_MS (1.5 s, less than the
#    port's PORT_HOLD_MS of 3 s) and resumed. Every byte arrives intact
#    (byte counts and CRC-32 of each stream), and when the daemon's
#    start-up line names the "if-hold-tcp-on-eagain" patch, the port's
#    tx_drop_full stays 0 while its tx_deferred counter is above 0 and the
#    log has no "dropping its frames" line (without the patch drops are
#    expected, and only logged);
#  - while frozen the daemon does not spin (under 40% of one core: the
#    port waits for POLLOUT, libslirp for its timers) and its VmRSS stays
#    under RSS_BOUND_MIB (32) above its size before the transfer: the four
#    send buffers libslirp fills while the guest does not acknowledge
#    (4 MiB each at most, patch 0002: 16 MiB, held with or without
#    backpressure), the port's 2 MiB queue, at most 8 kept segments per
#    connection (IF_TCP_QUEUED_MAX, 0015: 4 x 8 x 1.6 KiB of mbufs), and
#    malloc's slack (the baseline without 0015 grew by 18.5 MiB, this
#    build by 18.7);
#  - frozen for longer than the hold (4.5 s): the port takes frames again
#    and drops them, counted (tx_drop_full above 0, logged): what libslirp
#    kept for a guest that does not come back is released, and once
#    resumed every transfer still completes intact (TCP retransmits);
#  - UDP to a frozen guest (a flood of 64 MiB of datagrams to the
#    forward): dropped and counted as before (tx_drop_full grows by more
#    than 1000: the kernel drops many more at libslirp's socket, which
#    libslirp reads once a loop iteration), never deferred (tx_deferred
#    unchanged), and the daemon's VmRSS grows by less than 8 MiB.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init tcp_backpressure 290 "$@"

BYTES=${USERNETD_TCP_BYTES:-536870912}
# Less would fit in the buffers on the way (the port's queue, its socket,
# libslirp's send buffers) and never fill the port (the sanitizer run
# asks for 64 MiB).
[ "$BYTES" -lt 268435456 ] && BYTES=268435456
NS=$(e2e_name bp)
SOCK=$TMP/qemu.sock
EP=$TMP/ep.sock
DLOG=$TMP/usernetd.log
GUPORT=5002
FREEZE_MS=1500
LONG_FREEZE_MS=4500
RSS_BOUND_MIB=32
CPU_MAX_PCT=40

free_port; P=$FREE_PORT
free_port; UP=$FREE_PORT

make_ns "$NS"
# The guest's receive windows start large (4 MiB a connection), as a busy
# guest's grow: four of them hold more than the port's queue and socket,
# however slow the build (the sanitizer run) and its windows' growth.
ip netns exec "$NS" sysctl -q -w net.ipv4.tcp_rmem="4096 4194304 16777216" ||
	fail "cannot set tcp_rmem in $NS"
start_daemon "$DLOG" --listen-qemu "$SOCK" --mtu 1500 -e "$EP" \
	--forward "udp:127.0.0.1:$UP:$GUPORT"
D=$DAEMON_PID
attach "$NS" "$SOCK"
ATT=$ATTACH_PID
[ "$(cat "/proc/$ATT/comm")" = usernetctl ] ||
	fail "the attach process $ATT is $(cat "/proc/$ATT/comm"), not usernetctl"
dhcp "$NS" tap0 "$TMP/lease" -O mtu || fail "udhcpc got no lease in $NS"
check_lease "$NS" "$TMP/lease" 1500
wait_for 10 "the API at $EP" test -S "$EP" || fail "no endpoint $EP"
HOLD=0
slirp_has_patch "$DLOG" if-hold-tcp-on-eagain && HOLD=1
log "$BYTES bytes in 4 streams; patch 0015 in: $HOLD; $(uptime)"

# port_stat KEY: the guest port's counter KEY, from GET /stats (0 if the
# daemon has no such counter: a build before tx_deferred, for comparing).
port_stat() {
	api_call "$EP" GET /stats
	[ "$API_CODE" = 200 ] || fail "GET /stats: $API_CODE $API_BODY"
	printf '%s' "$API_BODY" |
		json_eval "sum(p.get('$1', 0) for n in j['networks'] for p in n['ports'])" ||
		fail "GET /stats: no $1 in $API_BODY"
}

# drop_lines: how many "dropping its frames" lines the daemon logged.
drop_lines() {
	grep -c 'guest does not read, dropping' "$DLOG"
}

# freeze_xfer WHAT MS: 4 streams host -> guest, the guest's relay frozen
# for MS once an eighth of the bytes arrived; every byte checked. Sets
# FROZEN_CPU_PCT (the daemon's CPU while frozen) and FROZEN_RSS_KIB (its
# largest VmRSS then, sampled every 100 ms).
freeze_xfer() {
	local what=$1 ms=$2 lp cp sent t0 t1 c0 c1 rss end
	tcp_peer_start - "$what-l" --listen "127.0.0.1:$P" --conns 4 \
		--steps "send:$((BYTES / 4))" \
		--progress "$TMP/peer-$what-l.progress"
	lp=$PEER_PID
	tcp_peer_start "$NS" "$what-c" --connect "$GW_IP:$P" --conns 4 \
		--steps recv --progress "$TMP/peer-$what-c.progress"
	cp=$PEER_PID
	wait_for 60 "an eighth of the bytes in the guest" awk -v b=$((BYTES / 8)) \
		'{ exit !($2 >= b) }' "$TMP/peer-$what-c.progress" ||
		fail "$what: the guest received too little: $(cat "$TMP/peer-$what-c.progress" 2>/dev/null)"
	sent=$(cut -d' ' -f1 "$TMP/peer-$what-l.progress")
	c0=$(proc_cpu_ticks "$D")
	t0=$(date +%s%N)
	kill -STOP "$ATT"
	FROZEN_RSS_KIB=0
	end=$((t0 + ms * 1000000))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		rss=$(proc_rss_kib "$D")
		[ "$rss" -gt "$FROZEN_RSS_KIB" ] && FROZEN_RSS_KIB=$rss
		sleep 0.1
	done
	c1=$(proc_cpu_ticks "$D")
	t1=$(date +%s%N)
	kill -CONT "$ATT"
	FROZEN_CPU_PCT=$(((c1 - c0) * 100 * 1000000000 / $(getconf CLK_TCK) /
		(t1 - t0)))
	log "$what: frozen $(((t1 - t0) / 1000000)) ms after $sent bytes sent;" \
		"daemon CPU ${FROZEN_CPU_PCT}%, VmRSS up to ${FROZEN_RSS_KIB} KiB"
	tcp_peer_wait "$cp" 240 "$what-c"
	tcp_peer_wait "$lp" 60 "$what-l"
	tcp_streams_check "$TMP/peer-$what-l.report" \
		"$TMP/peer-$what-c.report" "$what"
}

RSS0=$(proc_rss_kib "$D")
DROP0=$(drop_lines)
freeze_xfer short "$FREEZE_MS"
FULL=$(port_stat tx_drop_full)
DEFER=$(port_stat tx_deferred)
log "short freeze: tx_drop_full $FULL, tx_deferred $DEFER," \
	"VmRSS before $RSS0 KiB"
[ "$FROZEN_CPU_PCT" -lt "$CPU_MAX_PCT" ] ||
	fail "the daemon used ${FROZEN_CPU_PCT}% of a core while its guest was frozen"
# (AddressSanitizer's shadow memory and quarantine make VmRSS meaningless)
[ "$E2E_ASAN" = 1 ] ||
	[ $((FROZEN_RSS_KIB - RSS0)) -lt $((RSS_BOUND_MIB * 1024)) ] ||
	fail "VmRSS grew by $(((FROZEN_RSS_KIB - RSS0) / 1024)) MiB while frozen" \
		"(bound $RSS_BOUND_MIB MiB)"
if [ "$HOLD" = 1 ]; then
	[ "$FULL" = 0 ] ||
		fail "the port dropped $FULL TCP frames of a guest frozen for $FREEZE_MS ms"
	[ "$DEFER" -gt 0 ] ||
		fail "no frame was deferred: the guest's port never filled"
	[ "$(drop_lines)" = "$DROP0" ] ||
		fail "the daemon logged dropped frames: $(grep 'dropping' "$DLOG")"
else
	log "libslirp without patch 0015: the port drops ($FULL frames), as expected"
fi

freeze_xfer long "$LONG_FREEZE_MS"
FULL2=$(port_stat tx_drop_full)
DEFER2=$(port_stat tx_deferred)
log "long freeze: tx_drop_full $FULL2, tx_deferred $DEFER2"
[ "$FULL2" -gt "$FULL" ] ||
	fail "a guest frozen for $LONG_FREEZE_MS ms lost nothing: the hold never ended"
[ "$(drop_lines)" -gt "$DROP0" ] ||
	fail "the drops of a stalled guest were not logged"

# UDP: a flood to the frozen guest's forward
RSS1=$(proc_rss_kib "$D")
kill -STOP "$ATT"
"$TCP_PYTHON" - "$UP" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", int(sys.argv[1])))
b = b"u" * 1024
for _ in range(65536):
    try:
        s.send(b)
    except OSError:
        pass
EOF
sleep 0.5
RSS2=$(proc_rss_kib "$D")
FULL3=$(port_stat tx_drop_full)
DEFER3=$(port_stat tx_deferred)
kill -CONT "$ATT"
log "UDP flood to the frozen guest: tx_drop_full +$((FULL3 - FULL2))," \
	"tx_deferred +$((DEFER3 - DEFER2)), VmRSS $RSS1 -> $RSS2 KiB"
[ $((FULL3 - FULL2)) -gt 1000 ] ||
	fail "only $((FULL3 - FULL2)) of 65536 datagrams were dropped at the full port"
[ "$DEFER3" = "$DEFER2" ] || fail "UDP frames were deferred"
[ "$E2E_ASAN" = 1 ] || [ $((RSS2 - RSS1)) -lt 8192 ] ||
	fail "VmRSS grew by $(((RSS2 - RSS1) / 1024)) MiB during the UDP flood"

daemon_alive "$D"
stop_daemon "$D" "" ""
pass
