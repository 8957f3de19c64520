#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 300
#
# tests/e2e/tcp_edges.sh BUILD_DIR - the edges of the TCP path, with a
# guest namespace attached by `usernetctl attach`, through the NAT (guest ->
# 192.168.5.2:P -> host 127.0.0.1:P) and a forward (--forward, host
# 127.0.0.1:F -> guest :5001); both ends are tcp_peer.py:
#  - window scaling, in a capture on the guest's tap0: the guest's SYN
#    carries wscale; the gateway's SYN-ACK and usernetd's SYN of a forward
#    carry it exactly when the daemon's start-up line about libslirp says
#    "window-scaling" (our patched build; no line means the system
#    library, which must not send it), and the guest answers in kind;
#  - half-close, both ways, NAT and forward: one side sends and shuts its
#    write side, then still receives the other's full answer;
#  - RST: a host application that resets (SO_LINGER 0) is seen by the guest
#    as a reset, NAT and forward; a guest that resets ends the host's
#    connection (libslirp 4.7 closes the host socket: EOF, or a reset);
#    a connection to a closed host port is refused at once (RST, no
#    time-out);
#  - slow readers (uneven reads of up to 8 KiB, a pause after each) on
#    either side get all of 2 MiB.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init tcp_edges 290 "$@"

NS=$(e2e_name edges)
SOCK=$TMP/qemu.sock
DLOG=$TMP/usernetd.log
GPORT=5001
MIB=1048576

free_port; P=$FREE_PORT
free_port; FWD=$FREE_PORT
free_port; CLOSED=$FREE_PORT

make_ns "$NS"
start_daemon "$DLOG" --listen-qemu "$SOCK" \
	--forward "tcp:127.0.0.1:$FWD:$GPORT"
D=$DAEMON_PID
attach "$NS" "$SOCK"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease in $NS"
check_lease "$NS" "$TMP/lease" 1500
log "$(uptime)"

# --- window scaling in a capture ---------------------------------------------

if slirp_wscale_build "$DLOG"; then
	WS=1
	log "libslirp negotiates window scaling: $(grep -m 1 'libslirp ' "$DLOG")"
else
	WS=0
	log "libslirp of the system (no window scaling): $(grep -m 1 'libslirp ' "$DLOG" ||
		echo 'no start-up line')"
fi
PCAP=$TMP/syn.pcap
ns_capture "$NS" "$PCAP" 'tcp[tcpflags] & tcp-syn != 0'
tcp_pair ws-nat - "127.0.0.1:$P" "$NS" "$GW_IP:$P" recv send:100000
tcp_streams_check "$CREPORT" "$LREPORT" "ws-nat"
tcp_pair ws-fwd "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD" recv send:100000
tcp_streams_check "$CREPORT" "$LREPORT" "ws-fwd"
sleep 0.5
ns_capture_stop
SYNS=$(tcpdump -nn -v -r "$PCAP" 2>/dev/null | grep -A1 -F 'Flags [S')
log "SYN and SYN-ACK segments seen on tap0:"$'\n'"$SYNS"

# syn_line SRC DST FLAGS: the TCP line of the capture's first segment from
# SRC to DST (ADDR or ADDR.PORT; empty: any) with FLAGS (S or S.).
syn_line() {
	awk -v s="$1" -v d="$2" -v f="[$3]," '
	function is(a, want) {
		return want == "" || a == want || index(a, want ".") == 1
	}
	$2 == ">" && $4 == "Flags" && $5 == f {
		dst = $3
		sub(":$", "", dst)
		if (is($1, s) && is(dst, d)) {
			print
			exit
		}
	}' <<<"$SYNS"
}

# want_wscale WHAT LINE 0|1: LINE (a segment) has wscale, or has not.
want_wscale() {
	[ -n "$2" ] || fail "window scaling: no $1 in the capture"
	if [ "$3" = 1 ]; then
		grep -q 'wscale [0-9]' <<<"$2" ||
			fail "window scaling: the $1 has no wscale: $2"
	else
		grep -q 'wscale' <<<"$2" &&
			fail "window scaling: the $1 has wscale, unpatched libslirp: $2"
	fi
	return 0
}

want_wscale "guest's SYN" "$(syn_line "$GUEST_IP" "$GW_IP.$P" S)" 1
want_wscale "gateway's SYN-ACK" "$(syn_line "$GW_IP.$P" "$GUEST_IP" S.)" "$WS"
want_wscale "forward's SYN to the guest" "$(syn_line "" "$GUEST_IP.$GPORT" S)" \
	"$WS"
want_wscale "guest's SYN-ACK of the forward" \
	"$(syn_line "$GUEST_IP.$GPORT" "" S.)" "$WS"

# --- half-close ----------------------------------------------------------------

# half_close WHAT LNS LA CNS CA SHUTTER: SHUTTER (l or c) sends 4 MiB and
# shuts its write side, then reads the other's 6 MiB answer sent after
# the EOF; both streams must arrive whole.
half_close() {
	local what=$1 ls=recv,send:$((6 * MIB)) cs=send:$((4 * MIB)),shut,recv
	if [ "$6" = l ]; then
		ls=send:$((4 * MIB)),shut,recv
		cs=recv,send:$((6 * MIB))
	fi
	log "half-close $what"
	tcp_pair "$what" "$2" "$3" "$4" "$5" "$ls" "$cs"
	tcp_streams_check "$CREPORT" "$LREPORT" "$what: connector to listener"
	tcp_streams_check "$LREPORT" "$CREPORT" "$what: listener to connector"
}
half_close hc-nat-guest - "127.0.0.1:$P" "$NS" "$GW_IP:$P" c
half_close hc-nat-host - "127.0.0.1:$P" "$NS" "$GW_IP:$P" l
half_close hc-fwd-host "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD" c
half_close hc-fwd-guest "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD" l

# --- RST -------------------------------------------------------------------------

# want_end REPORT WHAT END...: connection 0 of REPORT ended one of END.
want_end() {
	local r=$1 what=$2 e
	shift 2
	e=$(tcp_report_get "$r" 0 end)
	case " $* " in
	*" $e "*) ;;
	*) fail "$what: the connection ended '$e', want $*: $(head -n 1 "$r")" ;;
	esac
}

log "RST: the host application resets (NAT)"
tcp_pair rst-nat-host - "127.0.0.1:$P" "$NS" "$GW_IP:$P" \
	send:100000,sleep:1,rst recv 30
want_end "$CREPORT" "host reset, NAT: the guest" reset
log "RST: the host application resets (forward)"
tcp_pair rst-fwd-host "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD" \
	recv send:100000,sleep:1,rst 30
want_end "$LREPORT" "host reset, forward: the guest" reset

log "RST: the guest resets (NAT)"
tcp_pair rst-nat-guest - "127.0.0.1:$P" "$NS" "$GW_IP:$P" \
	recv send:100000,sleep:1,rst 30
want_end "$LREPORT" "guest reset, NAT: the host" eof reset
[ "$(tcp_report_get "$LREPORT" 0 recv_crc)" = \
	"$(tcp_report_get "$CREPORT" 0 sent_crc)" ] ||
	fail "guest reset, NAT: the host lost data sent before the reset"
log "the host saw $(tcp_report_get "$LREPORT" 0 end)"
log "RST: the guest resets (forward)"
tcp_pair rst-fwd-guest "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD" \
	send:100000,sleep:1,rst recv 30
want_end "$CREPORT" "guest reset, forward: the host" eof reset
[ "$(tcp_report_get "$CREPORT" 0 recv_crc)" = \
	"$(tcp_report_get "$LREPORT" 0 sent_crc)" ] ||
	fail "guest reset, forward: the host lost data sent before the reset"
log "the host saw $(tcp_report_get "$CREPORT" 0 end)"

log "RST: a closed host port ($CLOSED) is refused"
tcp_peer_start "$NS" refused --connect "$GW_IP:$CLOSED" --timeout 20
tcp_peer_wait "$PEER_PID" 40 refused
want_end "$PEER_REPORT" "connection to closed port $CLOSED" refused
log "refused after $(tcp_report_get "$PEER_REPORT" 0 connect_ms) ms"

# --- slow readers ----------------------------------------------------------------

SLOW=(--read-size 8192 --read-pause 0.001)
log "slow reader in the guest (NAT)"
TCP_CARGS=("${SLOW[@]}")
tcp_pair slow-guest-nat - "127.0.0.1:$P" "$NS" "$GW_IP:$P" \
	send:$((2 * MIB)) recv
tcp_streams_check "$LREPORT" "$CREPORT" "slow reader in the guest, NAT"
log "slow reader on the host (NAT)"
TCP_LARGS=("${SLOW[@]}")
tcp_pair slow-host-nat - "127.0.0.1:$P" "$NS" "$GW_IP:$P" \
	recv send:$((2 * MIB))
tcp_streams_check "$CREPORT" "$LREPORT" "slow reader on the host, NAT"
log "slow reader in the guest (forward)"
TCP_LARGS=("${SLOW[@]}")
tcp_pair slow-guest-fwd "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD" \
	recv send:$((2 * MIB))
tcp_streams_check "$CREPORT" "$LREPORT" "slow reader in the guest, forward"
log "slow reader on the host (forward)"
TCP_CARGS=("${SLOW[@]}")
tcp_pair slow-host-fwd "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD" \
	send:$((2 * MIB)) recv
tcp_streams_check "$LREPORT" "$CREPORT" "slow reader on the host, forward"

daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""
pass
