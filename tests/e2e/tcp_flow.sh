#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 300
#
# tests/e2e/tcp_flow.sh BUILD_DIR - many streams and flow control on the TCP
# path, with a guest namespace on a TAP the daemon creates (--tap), through
# the NAT (guest -> 192.168.5.2:P -> host 127.0.0.1:P) and a forward
# (--forward, host 127.0.0.1:F -> guest :5001); both ends are tcp_peer.py:
#  - a reader that stops (the guest's, then the host application's, NAT and
#    forward) while the other side keeps sending 256 MiB (a quarter of
#    USERNETD_TCP_BYTES when that is set smaller, at least 96 MiB): within
#    seconds the sender is blocked (its count stops growing, short of it) and
#    the daemon's RSS grew by less than TCP_RSS_BOUND_KIB; then the reader
#    resumes and every byte arrives intact (first, while the daemon's heap
#    is still small: freed buffers of earlier streams would hide growth);
#  - 32 connections at once, each 4 MiB (and 1000 bytes more per
#    connection), guest to host and host to guest through the NAT, host to
#    guest through the forward: every stream's byte count and CRC-32 right.
# The bound: libslirp gives a connection two socket buffers (128 KiB each
# in the system library; our patched build grows them on demand up to a
# window of a few MiB), and what the guest has not taken waits in the
# kernels' socket buffers (the host sender's, the daemon's host socket's,
# the guest's), not in the daemon. 16 MiB leaves room for two 4 MiB
# buffers and the allocator's slack, and is a sixteenth of what the sender
# offers: a daemon that buffers without limit goes past it. A daemon built
# with AddressSanitizer keeps freed memory in quarantine, so its RSS grows
# with the traffic it has moved: 48 MiB there, still half of the least the
# sender offers.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init tcp_flow 290 "$@"

NS=$(e2e_name flow)
DLOG=$TMP/usernetd.log
GPORT=5001
MIB=1048576
STALL_BYTES=$((256 * MIB))
if [ -n "${USERNETD_TCP_BYTES:-}" ]; then
	STALL_BYTES=$((USERNETD_TCP_BYTES / 4))
	[ "$STALL_BYTES" -le $((256 * MIB)) ] || STALL_BYTES=$((256 * MIB))
	[ "$STALL_BYTES" -ge $((96 * MIB)) ] || STALL_BYTES=$((96 * MIB))
fi
TCP_RSS_BOUND_KIB=$((16 * 1024))
if [ "$E2E_ASAN" = 1 ]; then
	TCP_RSS_BOUND_KIB=$((48 * 1024))
	log "usernetd built with AddressSanitizer: RSS bound $TCP_RSS_BOUND_KIB KiB"
fi

free_port; P=$FREE_PORT
free_port; FWD=$FREE_PORT

make_ns "$NS"
start_daemon "$DLOG" --tap "$NS:tap0" --forward "tcp:127.0.0.1:$FWD:$GPORT"
D=$DAEMON_PID
wait_for 5 "tap0 in $NS" ns_has_link "$NS" tap0 ||
	fail "usernetd did not create tap0 in $NS"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease in $NS"
check_lease "$NS" "$TMP/lease" 1500
log "$(uptime)"

# --- a reader that stops -----------------------------------------------------------

# progress_of FILE N: field N (1 sent, 2 received) of a progress file.
progress_of() {
	awk -v n="$2" '{ print $n }' "$1" 2>/dev/null
}

# stalled_reader WHAT LNS LA CNS CA SENDER: SENDER (l or c) sends
# STALL_BYTES; the other side reads 1 MiB and stops until told. The
# sender must be blocked within 60 s short of STALL_BYTES, the daemon's RSS
# grown by less than TCP_RSS_BOUND_KIB; then every byte must arrive.
stalled_reader() {
	local what=$1 lns=$2 la=$3 cns=$4 ca=$5 go="$TMP/go-$1" rss0 rss1
	local sprog rprog lsteps=recv csteps=send:$STALL_BYTES lp cp
	local sargs=() rargs=() last=-1 same=0 now i
	sprog=$TMP/progress-$what-sender
	rprog=$TMP/progress-$what-reader
	sargs=(--progress "$sprog")
	rargs=(--progress "$rprog" --hold-at "$MIB" --hold-until "$go")
	if [ "$6" = l ]; then
		lsteps=send:$STALL_BYTES
		csteps=recv
		TCP_LARGS=("${sargs[@]}")
		TCP_CARGS=("${rargs[@]}")
	else
		TCP_LARGS=("${rargs[@]}")
		TCP_CARGS=("${sargs[@]}")
	fi
	rss0=$(proc_rss_kib "$D")
	log "$what: the reader stops after 1 MiB; daemon RSS ${rss0} KiB"
	tcp_peer_start "$lns" "$what-l" --listen "$la" --steps "$lsteps" \
		"${TCP_LARGS[@]}"
	lp=$PEER_PID
	tcp_peer_start "$cns" "$what-c" --connect "$ca" --steps "$csteps" \
		"${TCP_CARGS[@]}"
	cp=$PEER_PID
	TCP_LARGS=()
	TCP_CARGS=()
	wait_for 60 "$what: the reader's first MiB" sh -c \
		"[ \"\$(awk '{ print \$2 }' '$rprog' 2>/dev/null)\" = $MIB ]" ||
		fail "$what: the reader did not get its first MiB"
	# Blocked: the sender's count unchanged for 3 s in a row.
	for i in $(seq 60); do
		sleep 1
		now=$(progress_of "$sprog" 1)
		if [ "$now" = "$last" ]; then
			same=$((same + 1))
			[ "$same" -ge 3 ] && break
		else
			same=0
		fi
		last=$now
	done
	[ "$same" -ge 3 ] ||
		fail "$what: the sender is not blocked after ${i} s: $now bytes sent"
	[ "$now" -lt "$STALL_BYTES" ] ||
		fail "$what: the sender sent all $now bytes to a reader that stopped"
	[ "$(progress_of "$rprog" 2)" = "$MIB" ] ||
		fail "$what: the stopped reader read $(progress_of "$rprog" 2) bytes"
	rss1=$(proc_rss_kib "$D")
	log "$what: sender blocked at $now bytes after $i s; daemon RSS" \
		"${rss1} KiB (+$((rss1 - rss0)) KiB, bound $TCP_RSS_BOUND_KIB KiB)"
	[ $((rss1 - rss0)) -lt "$TCP_RSS_BOUND_KIB" ] ||
		fail "$what: daemon RSS grew by $((rss1 - rss0)) KiB while the" \
			"reader stopped, bound $TCP_RSS_BOUND_KIB KiB"
	touch "$go"
	tcp_peer_wait "$cp" 600 "$what-c"
	tcp_peer_wait "$lp" 60 "$what-l"
	if [ "$6" = l ]; then
		tcp_streams_check "$TMP/peer-$what-l.report" \
			"$TMP/peer-$what-c.report" "$what"
	else
		tcp_streams_check "$TMP/peer-$what-c.report" \
			"$TMP/peer-$what-l.report" "$what"
	fi
	log "$what: all $STALL_BYTES bytes intact once the reader resumed"
}

stalled_reader stall-nat-guest - "127.0.0.1:$P" "$NS" "$GW_IP:$P" l
stalled_reader stall-nat-host - "127.0.0.1:$P" "$NS" "$GW_IP:$P" c
stalled_reader stall-fwd-guest "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD" c
stalled_reader stall-fwd-host "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD" l

# --- many streams at once --------------------------------------------------------

tcp_xfer par-nat-g2h - "127.0.0.1:$P" "$NS" "$GW_IP:$P" c2l $((4 * MIB)) 32
tcp_xfer par-nat-h2g - "127.0.0.1:$P" "$NS" "$GW_IP:$P" l2c $((4 * MIB)) 32
# 32 connects at once to a forward: libslirp 4.7 listens for a host
# forward with a backlog of 1, and one of them was now and then reset on a
# loaded machine (a retransmitted SYN, then ECONNRESET). Our patch 0004
# listens with SOMAXCONN; on the system library the connections are made
# one after the other, then move data all at once.
TCP_CARGS=()
if slirp_has_patch "$DLOG" socket-listen-backlog; then
	log "libslirp listens with a full backlog: 32 connects at once"
else
	TCP_CARGS=(--serial)
fi
tcp_xfer par-fwd-h2g "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD" c2l \
	$((4 * MIB)) 32

daemon_alive "$D"
stop_daemon "$D" "" ""
pass
