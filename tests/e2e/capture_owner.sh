#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/capture_owner.sh BUILD_DIR - a capture goes only where the
# daemon's uid could write itself: POST /capture/start (the daemon runs as
# root, a guest pings the gateway all along) is refused with 400 and the
# reason, and nothing is written, for
#  - a symbolic link to a file of ours ("symbolic link"; the file keeps
#    its contents);
#  - a FIFO of uid 65534 (nobody) with nobody's reader waiting on it
#    ("owned by uid 65534"; the reader gets no byte);
#  - a file of uid 65534 ("owned by uid 65534"; its contents unchanged);
# while our own FIFO with a reader works (200, pcap bytes arrive), so does
# our own file, truncated first (tcpdump reads the pings from it), and
# --pcap at start through a symbolic link exits with status 2 and the
# reason. The guest still pings after each refusal.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init capture_owner 60 "$@"

need_tools setpriv mkfifo

NS=$(e2e_name g)
make_ns "$NS"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# A directory nobody can write its reader's count to.
{ mkdir "$TMP/nobody" && chown 65534:65534 "$TMP/nobody"; } ||
	fail "cannot make $TMP/nobody"

# refused WHAT FILE REASON: /capture/start to FILE is 400 with REASON,
# no capture runs, and the guest still pings.
refused() {
	local why
	api_expect "$EP" POST /capture/start 400 "{\"file\":\"$2\"}"
	why=$(json_eval 'j["error"]' <<<"$API_BODY")
	grep -q "$3" <<<"$why" ||
		fail "$1: the refusal does not say '$3': $API_BODY"
	api_expect "$EP" POST /capture/stop 404
	ns_ping "$NS" "$GW_IP" 2 || fail "$1: the guest no longer pings"
	log "$1: 400 $why"
}

SOCK=$TMP/q.sock
EP=$TMP/api.sock
start_daemon "$TMP/d.log" --listen-qemu "$SOCK" -e "$EP"
D=$DAEMON_PID
attach "$NS" "$SOCK"
guest_ip() {
	ip -n "$NS" addr add "$GUEST_IP/24" dev tap0 &&
		ip -n "$NS" link set tap0 up
}
guest_ip || fail "cannot address tap0"
ns_ping "$NS" "$GW_IP" 2 || fail "ping $GW_IP failed"

log "a symbolic link to a file of ours"
printf 'precious\n' >"$TMP/mine"
ln -s "$TMP/mine" "$TMP/link.pcap"
refused "a symbolic link" "$TMP/link.pcap" "symbolic link"
[ "$(cat "$TMP/mine")" = precious ] || fail "the link's target was written"

log "a FIFO of uid 65534 with nobody's reader"
"${NOBODY[@]}" mkfifo -m 0666 "$TMP/nobody/cap.fifo" || fail "mkfifo as nobody"
start_fifo_reader "$TMP/nobody/read.out" "$TMP/nobody/cap.fifo" "${NOBODY[@]}"
NREADER=$READER
refused "nobody's FIFO" "$TMP/nobody/cap.fifo" "owned by uid 65534"
ns_ping "$NS" "$GW_IP" 2 || fail "ping failed"
sleep 0.3
[ -s "$TMP/nobody/read.out" ] &&
	fail "nobody's reader got $(cat "$TMP/nobody/read.out") bytes of capture"
kill -TERM "$NREADER"
reap "$NREADER"

log "a file of uid 65534"
printf 'theirs\n' >"$TMP/nobody/their.pcap"
chown 65534:65534 "$TMP/nobody/their.pcap"
chmod 0666 "$TMP/nobody/their.pcap"
refused "nobody's file" "$TMP/nobody/their.pcap" "owned by uid 65534"
[ "$(cat "$TMP/nobody/their.pcap")" = theirs ] ||
	fail "nobody's file was written"

log "our own FIFO with a reader"
mkfifo -m 0600 "$TMP/own.fifo" || fail "mkfifo"
start_fifo_reader "$TMP/own.out" "$TMP/own.fifo"
api_expect "$EP" POST /capture/start 200 "{\"file\":\"$TMP/own.fifo\"}"
ns_ping "$NS" "$GW_IP" 2 || fail "ping failed during the capture"
wait_for 5 "capture bytes in our FIFO" test -s "$TMP/own.out" ||
	fail "our own FIFO's reader got nothing"
api_expect "$EP" POST /capture/stop 200
log "our FIFO's reader got $(cat "$TMP/own.out") bytes"

log "our own file, there already: truncated and written"
printf 'an old capture, longer than a pcap header\n' >"$TMP/own.pcap"
api_expect "$EP" POST /capture/start 200 "{\"file\":\"$TMP/own.pcap\"}"
ns_ping "$NS" "$GW_IP" 2 || fail "ping failed during the capture"
api_expect "$EP" POST /capture/stop 200
n=$(timeout 10 tcpdump -n -r "$TMP/own.pcap" icmp 2>/dev/null | wc -l)
[ "$n" -ge 4 ] || fail "our own file holds $n ICMP frames, want 4 or more"
daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""

log "--pcap through a symbolic link at start"
ln -s "$TMP/mine" "$TMP/start-link.pcap"
timeout 5 "$USERNETD" "${SANDBOX_ARGS[@]}" --listen-qemu "$TMP/q2.sock" \
	--pcap "$TMP/start-link.pcap" >"$TMP/d2.log" 2>&1 </dev/null
rc=$?
[ "$rc" = 2 ] || fail "--pcap through a link: status $rc, want 2: $(cat "$TMP/d2.log")"
grep -q "start-link.pcap: a symbolic link: refused" "$TMP/d2.log" ||
	fail "--pcap through a link said: $(cat "$TMP/d2.log")"
[ "$(cat "$TMP/mine")" = precious ] || fail "--pcap wrote through the link"
log "usernetd: $(cat "$TMP/d2.log")"

pass
