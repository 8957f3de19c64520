#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/bad_input.sh BUILD_DIR - bad input never stops usernetd.
# One good namespace guest stays attached; raw clients of the
# --listen-qemu socket (garbage_client.py) then send:
#   a length of 0; a length > 65549; a length of 10 with 10 bytes; ASCII
#   ("GET / HTTP/1.1"); a valid header then end of stream mid-frame; 2
#   bytes of a header then end of stream; and valid frames (broadcast
#   ARP, pings to .2) without ever reading.
# The daemon must close each bad connection (or drop the bad frame and keep
# the stream in sync), drop the frames it cannot deliver to the client that
# never reads instead of blocking, write a log line for each, and the good
# guest must keep pinging 192.168.5.2 all along.
# Then bad command-line values: each exits with status 2 and one clear
# message on stderr; --mtu 68 and 65520 are accepted; --help exits 0.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init bad_input 50 "$@"

NS=$(e2e_name good)
SOCK=$TMP/qemu.sock
DLOG=$TMP/usernetd.log
CLIENT="$E2E_DIR/garbage_client.py"
# What a log line about a cut-off or misbehaving connection looks like.
BAD_RE='clos|drop|disconnect|invalid|bad|malformed|garbage|too (long|large|big|short)|short|runt|length|truncat|EOF|reset|hang|stuck|full|overflow|discard'

start_daemon "$DLOG" --listen-qemu "$SOCK"
D=$DAEMON_PID

make_ns "$NS"
attach "$NS" "$SOCK"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease"
check_lease "$NS" "$TMP/lease" 1500
ns_ping "$NS" "$GW_IP" 2 || fail "good guest: ping $GW_IP failed at start"

log "well-behaved raw client (checks garbage_client.py itself)"
out=$(timeout 10 python3 "$CLIENT" "$SOCK" arp 2>&1) ||
	fail "raw ARP client got no answer: $out"
log "  $out"

# log_mark: remember how long the daemon log is.
log_mark() {
	MARK=$(wc -l <"$DLOG")
}

# after_client WHAT [REGEX]: good guest pings, daemon alive, a log line
# (matching REGEX, default BAD_RE) appeared since log_mark.
after_client() {
	local re=${2:-$BAD_RE}
	daemon_alive "$D"
	ns_ping "$NS" "$GW_IP" 2 ||
		fail "good guest: ping $GW_IP failed after $1"
	wait_for 3 "a log line about $1" \
		sh -c "tail -n +$((MARK + 1)) '$DLOG' | grep -Eqi '$re'" ||
		fail "no log line about $1 (want one matching /$re/)"
	log "  log: $(tail -n "+$((MARK + 1))" "$DLOG" | grep -Ei "$re" |
		tail -n 3 | tr '\n' '|')"
}

for mode in zero short huge ascii midframe midheader; do
	log "bad client: $mode"
	log_mark
	out=$(timeout 10 python3 "$CLIENT" "$SOCK" "$mode" 2>&1)
	rc=$?
	log "  $out"
	[ "$rc" = 0 ] || fail "bad client '$mode': daemon misbehaved ($out)"
	after_client "bad client $mode"
done

log "client that never reads, flooding for 4 s"
log_mark
timeout 15 python3 "$CLIENT" "$SOCK" noread --duration 4 \
	>"$TMP/noread.out" 2>&1 &
NOREAD=$!
register_pid "$NOREAD"
sleep 1.5
daemon_alive "$D"
ns_ping "$NS" "$GW_IP" 4 ||
	fail "good guest: ping $GW_IP failed while a client does not read"
out=$(timeout 10 python3 "$CLIENT" "$SOCK" arp 2>&1) ||
	fail "new client not served while a client does not read: $out"
wait_for 12 "the non-reading client to finish" pid_dead "$NOREAD" ||
	fail "non-reading client did not finish"
reap "$NOREAD"
rc=$REAP_RC
log "  $(cat "$TMP/noread.out")"
[ "$rc" = 0 ] || fail "non-reading client: $(cat "$TMP/noread.out")"
after_client "the client that never reads" 'drop|full|does not read|overflow|discard'


# --- command line -----------------------------------------------------------

# bad_cmdline WANT-IN-MESSAGE ARGS...: exit status 2, one message that
# names the bad value, no socket left behind.
bad_cmdline() {
	local want=$1 rc lines sock="$TMP/cmdline.sock"
	shift
	rm -f "$sock"
	timeout 5 "$USERNETD" --listen-qemu "$sock" "$@" \
		>"$TMP/cmdline.out" 2>"$TMP/cmdline.err" </dev/null
	rc=$?
	log "usernetd $*: status $rc: $(head -c 300 "$TMP/cmdline.err" | tr '\n' '|')"
	[ $rc = 124 ] && fail "usernetd $* did not exit (it should refuse)"
	[ $rc = 2 ] || fail "usernetd $*: exit status $rc, want 2"
	lines=$(grep -c . "$TMP/cmdline.err")
	[ "$lines" -ge 1 ] || fail "usernetd $*: nothing on stderr"
	[ "$lines" -le 2 ] ||
		fail "usernetd $*: $lines lines on stderr, want one clear message"
	grep -qiF -- "$want" "$TMP/cmdline.err" ||
		fail "usernetd $*: the message does not name '$want'"
	[ -e "$sock" ] && fail "usernetd $*: left $sock behind"
	return 0
}

bad_cmdline 10 --mtu 10
bad_cmdline 67 --mtu 67
bad_cmdline 70000 --mtu 70000
bad_cmdline 65521 --mtu 65521
bad_cmdline abc --mtu abc
bad_cmdline foo --subnet foo
bad_cmdline tcp:bad --forward tcp:bad
bad_cmdline --no-such-option --no-such-option

# good_cmdline ARGS...: the daemon starts with ARGS and stops on SIGTERM.
good_cmdline() {
	local sock="$TMP/ok.sock"
	start_daemon "$TMP/usernetd-ok.log" --listen-qemu "$sock" "$@"
	stop_daemon "$DAEMON_PID" "$sock" ""
}
good_cmdline --mtu 68
good_cmdline --mtu 65520

log "--help"
timeout 5 "$USERNETD" --help >"$TMP/help.out" 2>&1 </dev/null ||
	fail "usernetd --help: status $?"
grep -q -- --listen-qemu "$TMP/help.out" ||
	fail "usernetd --help does not mention --listen-qemu"

daemon_alive "$D"
ns_ping "$NS" "$GW_IP" 1 || fail "good guest: final ping failed"
pass
