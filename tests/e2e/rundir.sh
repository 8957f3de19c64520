#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/rundir.sh BUILD_DIR - the default socket's directory
# /tmp/usernetd-UID (no XDG_RUNTIME_DIR) cannot be planted by another user.
# The daemon runs as an unused uid U, so that its directory is this test's
# alone. Each attack prepares /tmp/usernetd-U before the daemon starts:
#  - a directory of uid 65534 (nobody), mode 0777, so the daemon could
#    create its socket there and nobody could swap it: exit status 2,
#    "owned by uid 65534", and no socket in it;
#  - a symbolic link (to a directory of U, mode 0700): exit status 2,
#    "symbolic link";
#  - a directory of U with mode 0755: exit status 2, "mode 0755";
# and then, without it, the daemon creates the directory 0700 itself and
# a guest gets its lease and pings the gateway through the socket in it.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init rundir 60 "$@"

need_tools setpriv getent

# An uid no account uses, different for parallel runs.
U=$((61000 + $$ % 3000))
while getent passwd "$U" >/dev/null; do
	U=$((U + 1))
done
DIR=/tmp/usernetd-$U
SOCK=$DIR/qemu.sock
[ -e "$DIR" ] || [ -L "$DIR" ] && fail "$DIR exists before the test"
E2E_DIRS+=("$DIR")
AS_U=(env -u XDG_RUNTIME_DIR setpriv --reuid="$U" --regid="$U"
	--clear-groups)

NS=$(e2e_name g)
make_ns "$NS"

# refused WHAT REASON: usernetd as U with the default socket exits 2
# within 5 s, saying REASON about $DIR, and leaves no socket there.
refused() {
	local out="$TMP/refused.log" rc
	timeout 5 "${AS_U[@]}" "$USERNETD" "${SANDBOX_ARGS[@]}" -v \
		>"$out" 2>&1 </dev/null
	rc=$?
	[ "$rc" = 2 ] ||
		fail "$1: usernetd exit status $rc, want 2: $(cat "$out")"
	grep -q "$DIR: .*$2" "$out" ||
		fail "$1: usernetd does not say '$2': $(cat "$out")"
	[ -e "$SOCK" ] && fail "$1: usernetd left $SOCK"
	log "$1: $(cat "$out")"
}

log "attack: $DIR made by uid 65534, mode 0777"
{ mkdir -m 0777 "$DIR" && chown 65534:65534 "$DIR" && chmod 0777 "$DIR"; } ||
	fail "cannot make $DIR"
refused "a directory of another uid" "owned by uid 65534"
rmdir "$DIR"

log "attack: $DIR a symbolic link"
{ mkdir -m 0700 "$TMP/elsewhere" && chown "$U:$U" "$TMP/elsewhere" &&
		ln -s "$TMP/elsewhere" "$DIR"; } || fail "cannot make the link"
refused "a symbolic link" "symbolic link"
[ -e "$TMP/elsewhere/qemu.sock" ] && fail "usernetd made a socket through the link"
rm "$DIR"

log "attack: $DIR of uid $U with mode 0755"
{ mkdir -m 0755 "$DIR" && chown "$U:$U" "$DIR" && chmod 0755 "$DIR"; } ||
	fail "cannot make $DIR"
refused "mode 0755" "mode 0755"
rmdir "$DIR"

log "no $DIR: usernetd as uid $U creates it"
register_log "$TMP/d.log"
"${AS_U[@]}" "$USERNETD" "${SANDBOX_ARGS[@]}" -v >"$TMP/d.log" 2>&1 \
	</dev/null &
D=$!
register_pid "$D"
wait_for 5 "usernetd socket $SOCK" test -S "$SOCK" ||
	fail "usernetd did not create $SOCK"
[ "$(stat -c '%u %a %F' "$DIR")" = "$U 700 directory" ] ||
	fail "$DIR is $(stat -c '%u %a %F' "$DIR"), want '$U 700 directory'"
attach "$NS" "$SOCK"
ATT=$ATTACH_PID
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease"
[ "$(lease_get "$TMP/lease" ip)" = "$GUEST_IP" ] ||
	fail "lease $(lease_get "$TMP/lease" ip), want $GUEST_IP"
ns_ping "$NS" "$GW_IP" 2 || fail "ping $GW_IP failed"
daemon_alive "$D"
log "the guest got $GUEST_IP through $SOCK and pings $GW_IP"

log "again, with the directory now there"
stop_daemon "$D" "$SOCK" ""
kill -TERM "$ATT" 2>/dev/null
wait_for 3 "usernetctl attach to exit" pid_dead "$ATT"
reap "$ATT"
"${AS_U[@]}" "$USERNETD" "${SANDBOX_ARGS[@]}" -v >"$TMP/d2.log" 2>&1 \
	</dev/null &
D=$!
register_pid "$D"
register_log "$TMP/d2.log"
wait_for 5 "usernetd socket $SOCK" test -S "$SOCK" ||
	fail "usernetd did not start with its own $DIR there"
stop_daemon "$D" "$SOCK" ""

pass
