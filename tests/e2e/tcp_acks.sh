#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 240
#
# tests/e2e/tcp_acks.sh BUILD_DIR - how libslirp acknowledges a guest's
# data, with a guest namespace attached by `usernetctl attach` at MTU 1500
# and tcp_peer.py / a round-trip script on the host (127.0.0.1:P, reached
# through the NAT at 192.168.5.2:P):
#  - delayed ACKs: in a capture of the guest's tap0 during a guest-to-host
#    transfer of 48 MiB (every byte checked), the gateway's pure ACKs number
#    at most 0.6 per data segment of the guest when the daemon's start-up
#    line about libslirp names the "delayed-ack" patch (an ACK for at least
#    every second full-sized segment: about 0.5; libslirp 4.7 ACKs every
#    segment, about 1.0, which is only logged);
#  - no stall of interactive traffic: 200 round trips of a 1-byte request
#    answered by 1 byte, then 200 of a request written in two 1-byte
#    writes (the guest's Nagle holds the second until the gateway ACKs the
#    first, and the host answers only once it has both): the median round
#    trip must stay under 10 ms (a delayed ACK that waited for a timer of
#    40 ms or more would fail it; libslirp's TIMEOUT_FAST is 2 ms, and the
#    patch ACKs a short segment at once);
#  - the MSS at MTU 65520 (a second daemon on a TAP of its own, --tap):
#    the gateway's SYN-ACK offers 65480 (it did before too), and its
#    largest data segment in a 16 MiB host-to-guest transfer is that long
#    when the start-up line names the "mss-above-32k" patch, 32768
#    (libslirp's old TCP_MAXSEG_MAX, whatever it offered) otherwise.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init tcp_acks 230 "$@"

NS=$(e2e_name acks)
SOCK=$TMP/qemu.sock
DLOG=$TMP/usernetd.log
MIB=1048576
RR_MAX_MS=10

free_port; P=$FREE_PORT
free_port; RP=$FREE_PORT

make_ns "$NS"
start_daemon "$DLOG" --listen-qemu "$SOCK"
D=$DAEMON_PID
attach "$NS" "$SOCK"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease in $NS"
check_lease "$NS" "$TMP/lease" 1500
log "$(uptime)"

if slirp_has_patch "$DLOG" delayed-ack; then
	DELACK=1
	log "libslirp delays ACKs: $(grep -m 1 'libslirp ' "$DLOG")"
else
	DELACK=0
	log "libslirp without the delayed-ack patch: $(grep -m 1 'libslirp ' "$DLOG" ||
		echo 'no start-up line')"
fi

# --- delayed ACKs in a capture ---------------------------------------------------

PCAP=$TMP/acks.pcap
ns_capture "$NS" "$PCAP" -s 96 -B 32768 "tcp port $P"
tcp_xfer acks-g2h - "127.0.0.1:$P" "$NS" "$GW_IP:$P" c2l $((48 * MIB))
sleep 0.5
ns_capture_stop
log "tcpdump: $(grep -E 'captured|dropped' "$PCAP.log" | tr '\n' ' ')"

# Data segments from the guest (length > 0) and the gateway's pure ACKs
# (flags "." alone, length 0) in the capture.
read -r DATA ACKS < <(tcpdump -nn -r "$PCAP" 2>/dev/null | awk -v g="$GUEST_IP." \
	-v w="$GW_IP.$P" '
	$2 == "IP" && $4 == ">" && $6 == "Flags" {
		len = $NF
		if (index($3, g) == 1 && $5 == w ":" && len > 0)
			data++
		if ($3 == w && index($5, g) == 1 && $7 == "[.]," && len == 0)
			acks++
	}
	END { print data + 0, acks + 0 }')
[ "$DATA" -ge 10000 ] ||
	fail "delayed ACKs: only $DATA data segments of the guest in the capture"
RATIO=$(awk -v a="$ACKS" -v d="$DATA" 'BEGIN { printf "%.3f", a / d }')
log "delayed ACKs: $ACKS pure ACKs of the gateway for $DATA data segments" \
	"of the guest: $RATIO per segment"
if [ "$DELACK" = 1 ]; then
	awk -v r="$RATIO" 'BEGIN { exit !(r <= 0.6) }' ||
		fail "delayed ACKs: $RATIO pure ACKs per data segment, want <= 0.6"
fi

# --- interactive traffic: round trips -----------------------------------------------

cat >"$TMP/rr.py" <<'EOF'
# rr.py listen PORT | connect HOST PORT ROUNDS PARTS: a server answering
# each request of PARTS bytes with the same bytes in one write, or a client
# timing ROUNDS such requests (written one byte per send, Nagle on) and
# printing the median and 90th percentile round trip in ms.  The answer is
# one write: two would wait for the host kernel's own delayed ACK on
# loopback (Nagle on the server's socket), whatever libslirp does.
import socket
import sys
import time


def recv_exact(s, n):
    got = b""
    while len(got) < n:
        b = s.recv(n - len(got))
        if not b:
            return None
        got += b
    return got


if sys.argv[1] == "listen":
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", int(sys.argv[2])))
    ls.listen(4)
    print("listening", flush=True)
    while True:
        c, _ = ls.accept()
        parts = recv_exact(c, 1)[0]
        while True:
            req = recv_exact(c, parts)
            if req is None:
                break
            c.sendall(req)
        c.close()
else:
    rounds, parts = int(sys.argv[4]), int(sys.argv[5])
    s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=10)
    s.send(bytes([parts]))
    times = []
    for i in range(rounds):
        t0 = time.monotonic()
        for k in range(parts):
            s.send(bytes([i & 0xFF]))
        if recv_exact(s, parts) != bytes([i & 0xFF]) * parts:
            sys.exit("bad answer")
        times.append((time.monotonic() - t0) * 1000)
    s.close()
    times.sort()
    print("%.3f %.3f" % (times[len(times) // 2], times[len(times) * 9 // 10]))
EOF

register_log "$TMP/rr-server.log"
python3 "$TMP/rr.py" listen "$RP" >"$TMP/rr-server.log" 2>&1 </dev/null &
register_pid $!
wait_for 10 "the round-trip server" grep -q listening "$TMP/rr-server.log" ||
	fail "the round-trip server did not start"

# rr PARTS: 200 round trips of a request in PARTS one-byte writes and its
# answer; fails unless the median is under RR_MAX_MS.
rr() {
	local out med p90
	out=$(timeout 60 ip netns exec "$NS" python3 "$TMP/rr.py" connect \
		"$GW_IP" "$RP" 200 "$1") || fail "round trips of $1 write(s): $out"
	read -r med p90 <<<"$out"
	log "round trips, requests of $1 one-byte write(s):" \
		"median $med ms, 90th percentile $p90 ms"
	awk -v m="$med" -v x="$RR_MAX_MS" 'BEGIN { exit !(m < x) }' ||
		fail "round trips of $1 write(s): median $med ms, want < $RR_MAX_MS ms"
}
rr 1
rr 2

daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""

# --- the MSS at MTU 65520 ----------------------------------------------------------

NS2=$(e2e_name acksj)
JLOG=$TMP/usernetd-jumbo.log
make_ns "$NS2"
start_daemon "$JLOG" --tap "$NS2:tap0" --mtu 65520
D=$DAEMON_PID
wait_for 5 "tap0 in $NS2" ns_has_link "$NS2" tap0 ||
	fail "usernetd did not create tap0 in $NS2"
dhcp "$NS2" tap0 "$TMP/lease2" -O mtu || fail "udhcpc got no lease in $NS2"
check_lease "$NS2" "$TMP/lease2" 65520
if slirp_has_patch "$JLOG" mss-above-32k; then
	MSS=65480
else
	MSS=32768
fi
PCAP2=$TMP/jumbo.pcap
ns_capture "$NS2" "$PCAP2" -s 128 "tcp port $P"
tcp_xfer mss-h2g - "127.0.0.1:$P" "$NS2" "$GW_IP:$P" l2c $((16 * MIB))
sleep 0.5
ns_capture_stop
SEGS=$(tcpdump -nn -v -r "$PCAP2" 2>/dev/null)
SYNACK=$(grep -A1 -F "$GW_IP.$P > $GUEST_IP." <<<"$SEGS" | grep -m 1 -F 'Flags [S.]')
[ -n "$SYNACK" ] || fail "MSS: no SYN-ACK of the gateway in the capture"
log "MSS: the gateway's SYN-ACK: $SYNACK"
grep -q "mss 65480[],]" <<<"$SYNACK" ||
	fail "MSS at MTU 65520: the gateway's SYN-ACK has no mss 65480: $SYNACK"
# The gateway's largest data segment: a whole MSS once the window allows.
BIG=$(tcpdump -nn -r "$PCAP2" 2>/dev/null | awk -v w="$GW_IP.$P" \
	'$3 == w && $NF > max { max = $NF } END { print max + 0 }')
log "MSS: the gateway's largest data segment: $BIG bytes (MSS $MSS)"
[ "$BIG" = "$MSS" ] ||
	fail "MSS at MTU 65520: the largest data segment is $BIG bytes, want $MSS"

daemon_alive "$D"
stop_daemon "$D" "" ""
pass
