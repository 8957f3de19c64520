#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/capture.sh BUILD_DIR - packet capture at the switch, read back
# with tcpdump:
#  - --pcap FILE on the default slirp network: a guest does DHCP, pings
#    .2 and asks .3 for host.lima.internal; after SIGTERM the file holds
#    the DHCP Request/Reply, the ICMP echo request and reply, the DNS query
#    and its answer;
#  - --pcap-filter icmp: only ICMP is written;
#  - user-v2 (192.168.104.0/24): a ping between two guests is captured,
#    each request and reply exactly once; then, over the control API, a
#    capture of one port (A's) holds A's ping to B and not B's ping to .2;
#  - rotation: --pcap-max-size 1 --pcap-max-files 3 and a 10 MB download
#    leave FILE, FILE1 and FILE2, each at most 1,000,000 bytes and readable
#    by tcpdump, and no FILE3;
#  - control API on that daemon: start while --pcap runs is 409, stop 200,
#    stop again 404, a bad filter 400 with pcap's text (the guest still
#    pings), usernetctl capture start --filter/stop;
#  - --pcap - piped into tcpdump -r -: packets show while the daemon runs;
#  - a FIFO whose reader goes away: one warning, the daemon lives on, the
#    guest still pings;
#  - --pcap-filter 'bad and and' at start: exit status 2, pcap's text.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init capture 90 "$@"

need_tools dig tcpdump mkfifo

NS=$(e2e_name g)
NA=$(e2e_name a)
NB=$(e2e_name b)
make_ns "$NS"
make_ns "$NA"
make_ns "$NB"

# pcap_text FILE [FILTER...]: tcpdump's reading of FILE, one frame a line;
# fails if tcpdump cannot read it.
pcap_text() {
	local f=$1
	shift
	timeout 10 tcpdump -n -r "$f" "$@" 2>"$TMP/tcpdump.err" ||
		fail "tcpdump cannot read $f: $(cat "$TMP/tcpdump.err")"
}

# PCAP_DUPS_PY FILE: prints how many IPv4 frames of a pcap file are the
# same bytes as an earlier one (each IPv4 packet a guest sends differs in
# its IP id or ICMP sequence: a repeat is the same frame captured twice).
PCAP_DUPS_PY='
import struct, sys
d = open(sys.argv[1], "rb").read()
seen, dups, off = set(), 0, 24
while off + 16 <= len(d):
    incl = struct.unpack_from("<I", d, off + 8)[0]
    frame = d[off + 16:off + 16 + incl]
    off += 16 + incl
    if frame[12:14] != b"\x08\x00":
        continue
    dups += frame in seen
    seen.add(frame)
print(dups)
'

# want_line TEXT REGEX WHAT: TEXT has a line matching REGEX.
want_line() {
	grep -Eq "$2" <<<"$1" || fail "capture lacks $3 (/$2/):"$'\n'"$1"
}

# guest_static NS ADDR GW: address tap0 in NS without DHCP.
guest_static() {
	if ! { ip -n "$1" addr flush dev tap0 &&
		ip -n "$1" addr add "$2/24" dev tap0 &&
		ip -n "$1" link set tap0 up &&
		ip -n "$1" route replace default via "$3" dev tap0; }; then
		fail "cannot address tap0 in $1"
	fi
}

# detach PID: end an attach tool (the namespace's tap0 goes with it).
detach() {
	kill -TERM "$1" 2>/dev/null
	wait_for 3 "usernetctl attach $1 to exit" pid_dead "$1"
	reap "$1"
	wait_for 3 "tap0 to go" sh -c "! ip -n $NS link show tap0" ||
		fail "tap0 of $NS still exists"
}

# --- the whole slirp network from the start -----------------------------------

log "slirp network, --pcap FILE: DHCP, ping .2, DNS"
SOCK=$TMP/q1.sock
PCAP=$TMP/all.pcap
start_daemon "$TMP/d1.log" --listen-qemu "$SOCK" --pcap "$PCAP"
D=$DAEMON_PID
attach "$NS" "$SOCK"
ATT=$ATTACH_PID
dhcp "$NS" tap0 "$TMP/lease1" || fail "udhcpc got no lease"
ns_ping "$NS" "$GW_IP" 2 || fail "ping $GW_IP failed"
dns_query "$NS" "$DNS_IP" udp host.lima.internal A ||
	fail "dig @$DNS_IP host.lima.internal: no answer: $DQ_OUT"
[ "$DQ_RRS" = "host.lima.internal. A $GW_IP" ] ||
	fail "host.lima.internal is '$DQ_RRS', want $GW_IP"
stop_daemon "$D" "$SOCK" ""
detach "$ATT"
T=$(pcap_text "$PCAP")
want_line "$T" 'IP 0\.0\.0\.0\.68 > 255\.255\.255\.255\.67: BOOTP/DHCP, Request' \
	"the DHCP request"
want_line "$T" "IP $DNS_IP\\.67 > [0-9.]+\\.68: BOOTP/DHCP, Reply" \
	"the DHCP reply"
want_line "$T" "IP $GUEST_IP > $GW_IP: ICMP echo request" "the echo request"
want_line "$T" "IP $GW_IP > $GUEST_IP: ICMP echo reply" "the echo reply"
want_line "$T" "IP $GUEST_IP\\.[0-9]+ > $DNS_IP\\.53: .* A\\? host\\.lima\\.internal\\." \
	"the DNS query"
want_line "$T" "IP $DNS_IP\\.53 > $GUEST_IP\\.[0-9]+: .* A $GW_IP " \
	"the DNS answer"
# The gateway (libslirp) must not see the DHCP replies: it would answer
# them with ICMP port unreachable into the LAN.
! grep -q "udp port 68 unreachable" <<<"$T" ||
	fail "the gateway answered a DHCP reply:"$'\n'"$(grep unreachable <<<"$T")"
log "captured $(wc -l <<<"$T") frames with DHCP, ICMP and DNS"

# --- a filter -------------------------------------------------------------

log "--pcap-filter icmp"
SOCK=$TMP/q2.sock
PCAP=$TMP/icmp.pcap
start_daemon "$TMP/d2.log" --listen-qemu "$SOCK" --pcap "$PCAP" \
	--pcap-filter icmp
D=$DAEMON_PID
attach "$NS" "$SOCK"
ATT=$ATTACH_PID
dhcp "$NS" tap0 "$TMP/lease2" || fail "udhcpc got no lease"
ns_ping "$NS" "$GW_IP" 2 || fail "ping $GW_IP failed"
dns_query "$NS" "$DNS_IP" udp host.lima.internal A ||
	fail "dig @$DNS_IP host.lima.internal: no answer"
stop_daemon "$D" "$SOCK" ""
detach "$ATT"
T=$(pcap_text "$PCAP")
want_line "$T" "IP $GUEST_IP > $GW_IP: ICMP echo request" "the echo request"
want_line "$T" "IP $GW_IP > $GUEST_IP: ICMP echo reply" "the echo reply"
other=$(grep -v -E '^[0-9:.]+ IP [0-9.]+ > [0-9.]+: ICMP ' <<<"$T")
[ -z "$other" ] || fail "--pcap-filter icmp let other frames through:"$'\n'"$other"
[ "$(pcap_text "$PCAP" not icmp | wc -l)" = 0 ] ||
	fail "the icmp capture holds frames that are not ICMP"

# --- user-v2: between VMs -------------------------------------------------

log "user-v2: VM-to-VM ping"
NET=192.168.104
SOCK=$TMP/q3.sock
EP=$TMP/api3.sock
PCAP=$TMP/v2.pcap
start_daemon "$TMP/d3.log" --mode user-v2 --subnet "$NET.0/24" \
	--listen-qemu "$SOCK" -e "$EP" --pcap "$PCAP"
D=$DAEMON_PID
attach "$NA" "$SOCK" --mac 52:55:55:00:00:0a
attach "$NB" "$SOCK" --mac 52:55:55:00:00:0b
wait_for 3 "two ports attached" \
	sh -c "[ \$(grep -c ' port [^ ]* attached$' $TMP/d3.log) = 2 ]" ||
	fail "the daemon did not log two attached ports"
APORT=$(sed -n 's/.* port \([^ ]*\) attached$/\1/p' "$TMP/d3.log" | sed -n 1p)
A=$NET.10
B=$NET.11
guest_static "$NA" "$A" "$NET.2"
guest_static "$NB" "$B" "$NET.2"
ns_ping "$NA" "$B" 3 || fail "ping A ($A) -> B ($B) failed"
api_expect "$EP" POST /capture/stop 200
T=$(pcap_text "$PCAP" icmp and host "$A" and host "$B")
for seq in 1 2 3; do
	n=$(grep -c "IP $A > $B: ICMP echo request, id [0-9]*, seq $seq," <<<"$T")
	[ "$n" = 1 ] || fail "echo request seq $seq A -> B captured $n times:"$'\n'"$T"
	n=$(grep -c "IP $B > $A: ICMP echo reply, id [0-9]*, seq $seq," <<<"$T")
	[ "$n" = 1 ] || fail "echo reply seq $seq B -> A captured $n times:"$'\n'"$T"
done
n=$(python3 -c "$PCAP_DUPS_PY" "$PCAP") || fail "cannot parse $PCAP"
[ "$n" = 0 ] || fail "$n IPv4 frames of $PCAP were captured more than once"
log "each request and reply captured once"

log "user-v2: capture of one port ($APORT) over the API"
PCAP=$TMP/port.pcap
api_expect "$EP" POST /capture/start 200 \
	"{\"file\":\"$PCAP\",\"filter\":\"icmp\",\"port\":\"$APORT\"}"
ns_ping "$NA" "$B" 2 || fail "ping A -> B failed"
ns_ping "$NB" "$NET.2" 2 || fail "ping B -> gateway failed"
api_expect "$EP" POST /capture/stop 200
T=$(pcap_text "$PCAP")
want_line "$T" "IP $A > $B: ICMP echo request" "A's echo request"
want_line "$T" "IP $B > $A: ICMP echo reply" "B's echo reply to A"
grep -Eq "$NET\\.2[ :]" <<<"$T" &&
	fail "the capture of port $APORT holds B's ping to the gateway:"$'\n'"$T"
stop_daemon "$D" "$SOCK" ""

# --- rotation and the control API ------------------------------------------

log "rotation: 1 MB x 3 files, 10 MB download"
SOCK=$TMP/q4.sock
EP=$TMP/api4.sock
PCAP=$TMP/rot.pcap
free_port
HPORT=$FREE_PORT
mkdir -p "$TMP/www"
make_blob "$TMP/www/blob" 10240
start_http "$TMP/www" "$HPORT"
start_daemon "$TMP/d4.log" --listen-qemu "$SOCK" -e "$EP" --pcap "$PCAP" \
	--pcap-max-size 1 --pcap-max-files 3
D=$DAEMON_PID
attach "$NS" "$SOCK"
ATT=$ATTACH_PID
guest_static "$NS" "$GUEST_IP" "$GW_IP"
ns_curl_check "$NS" "http://$GW_IP:$HPORT/blob" "$TMP/www/blob"
# A second capture cannot start while --pcap runs.
api_expect "$EP" POST /capture/start 409 "{\"file\":\"$TMP/x.pcap\"}"
api_expect "$EP" POST /capture/stop 200
api_expect "$EP" POST /capture/stop 404
for f in "$PCAP" "$PCAP"1 "$PCAP"2; do
	[ -f "$f" ] || fail "rotation left no $f: $(ls "$TMP")"
	sz=$(stat -c %s "$f")
	[ "$sz" -le 1000000 ] || fail "$f has $sz bytes, more than 1,000,000"
	n=$(pcap_text "$f" | wc -l)
	[ "$n" -gt 0 ] || fail "$f holds no frame"
	log "$(basename "$f"): $sz bytes, $n frames"
done
[ -e "$PCAP"3 ] && fail "rotation with --pcap-max-files 3 made ${PCAP}3"

log "API: bad filter, usernetctl capture start/stop"
api_expect "$EP" POST /capture/start 400 \
	"{\"file\":\"$TMP/bad.pcap\",\"filter\":\"icmp and and\"}"
json_eval 'j["error"]' <<<"$API_BODY" |
	grep -q "can't parse filter expression: syntax error" ||
	fail "400 without pcap's text: $API_BODY"
[ -e "$TMP/bad.pcap" ] && fail "a refused capture created its file"
ns_ping "$NS" "$GW_IP" 2 || fail "ping failed after the refused capture"
out=$("$USERNETCTL" -e "$EP" capture start --filter 'icmp and and' \
	"$TMP/bad.pcap" 2>&1) && fail "usernetctl accepted a bad filter"
grep -q "HTTP 400: can't parse filter expression" <<<"$out" ||
	fail "usernetctl capture start with a bad filter said: $out"
PCAP=$TMP/ctl.pcap
"$USERNETCTL" -e "$EP" capture start --filter icmp --snaplen 96 "$PCAP" ||
	fail "usernetctl capture start failed"
api_expect "$EP" POST /capture/start 409 "{\"file\":\"$TMP/x.pcap\"}"
ns_ping "$NS" "$GW_IP" 2 || fail "ping failed during the usernetctl capture"
"$USERNETCTL" -e "$EP" capture stop || fail "usernetctl capture stop failed"
"$USERNETCTL" -e "$EP" capture stop 2>/dev/null &&
	fail "usernetctl capture stop succeeded with no capture running"
T=$(pcap_text "$PCAP")
want_line "$T" "IP $GUEST_IP > $GW_IP: ICMP echo request" "the echo request"
[ "$(pcap_text "$PCAP" not icmp | wc -l)" = 0 ] ||
	fail "usernetctl's icmp capture holds other frames"
timeout 5 tcpdump -n -r "$PCAP" 2>&1 | grep -q "snapshot length 96" ||
	fail "usernetctl's --snaplen 96 is not the file's snapshot length"
daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""
detach "$ATT"

# --- live: --pcap - into tcpdump -r - ---------------------------------------

log "--pcap - | tcpdump -n -r -"
SOCK=$TMP/q5.sock
LIVE=$TMP/live.txt
register_log "$TMP/d5.log"
# shellcheck disable=SC2016 # expanded by the inner sh
sh -c 'echo $$ >"$0" && exec "$@"' "$TMP/d5.pid" "$USERNETD" \
	"${SANDBOX_ARGS[@]}" --listen-qemu "$SOCK" --pcap - -v \
	2>"$TMP/d5.log" </dev/null |
	timeout 15 tcpdump -n -l -r - >"$LIVE" 2>&1 &
PIPE=$!
register_pid "$PIPE"
wait_for 5 "usernetd socket $SOCK" test -S "$SOCK" ||
	fail "usernetd --pcap - did not start"
D=$(cat "$TMP/d5.pid")
register_pid "$D"
attach "$NS" "$SOCK"
ATT=$ATTACH_PID
guest_static "$NS" "$GUEST_IP" "$GW_IP"
ns_ping "$NS" "$GW_IP" 2 || fail "ping failed with --pcap -"
wait_for 3 "the echo reply in tcpdump's output" \
	grep -q "IP $GW_IP > $GUEST_IP: ICMP echo reply" "$LIVE" ||
	fail "tcpdump -r - did not show the ping live: $(cat "$LIVE")"
daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""
wait_for 3 "tcpdump to end at the end of the pipe" pid_dead "$PIPE" ||
	fail "tcpdump -r - still runs after usernetd exited"
reap "$PIPE"
detach "$ATT"

# --- a FIFO whose reader goes away -----------------------------------------

log "FIFO whose reader goes away"
SOCK=$TMP/q6.sock
FIFO=$TMP/cap.fifo
mkfifo "$FIFO" || fail "mkfifo"
# The reader is there before the daemon, counts what it reads, and goes
# away when told to (SIGTERM).
start_fifo_reader "$TMP/fifo.out" "$FIFO"
start_daemon "$TMP/d6.log" --listen-qemu "$SOCK" --pcap "$FIFO"
D=$DAEMON_PID
attach "$NS" "$SOCK"
ATT=$ATTACH_PID
guest_static "$NS" "$GUEST_IP" "$GW_IP"
ns_ping "$NS" "$GW_IP" 2 || fail "ping failed with a FIFO reader"
wait_for 3 "frames through the FIFO" test -s "$TMP/fifo.out" ||
	fail "the FIFO reader got nothing"
kill -TERM "$READER"
wait_for 3 "the FIFO reader to go" pid_dead "$READER" ||
	fail "the FIFO reader still runs"
reap "$READER"
log "the FIFO reader read $(cat "$TMP/fifo.out") bytes and went away"
ns_ping "$NS" "$GW_IP" 3 || fail "ping failed after the FIFO reader left"
wait_for 3 "the capture to stop" grep -q "capture $FIFO: .*capture stopped" \
	"$TMP/d6.log" || fail "no log line saying the capture stopped"
ns_ping "$NS" "$GW_IP" 3 || fail "ping failed after the capture stopped"
daemon_alive "$D"
n=$(grep -c "warning: capture $FIFO" "$TMP/d6.log")
[ "$n" = 1 ] || fail "$n warnings about the FIFO, want 1:"$'\n'"$(cat "$TMP/d6.log")"
! grep -q "capture: stopped" "$TMP/d6.log" ||
	fail "the failed capture was logged twice:"$'\n'"$(cat "$TMP/d6.log")"
log "daemon: $(grep "warning: capture $FIFO" "$TMP/d6.log")"
stop_daemon "$D" "$SOCK" ""
detach "$ATT"

# --- a bad filter at start --------------------------------------------------

log "--pcap-filter 'bad and and'"
timeout 5 "$USERNETD" --listen-qemu "$TMP/q7.sock" --pcap "$TMP/bad.pcap" \
	--pcap-filter 'bad and and' >"$TMP/d7.log" 2>&1 </dev/null
rc=$?
[ "$rc" = 2 ] || fail "usernetd with a bad filter: status $rc, want 2: $(cat "$TMP/d7.log")"
grep -q "can't parse filter expression: syntax error" "$TMP/d7.log" ||
	fail "usernetd with a bad filter said: $(cat "$TMP/d7.log")"
[ -e "$TMP/q7.sock" ] && fail "usernetd with a bad filter left its socket"
log "usernetd: $(grep "filter" "$TMP/d7.log" | head -n 1)"

pass
