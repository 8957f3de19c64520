#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/sandbox.sh BUILD_DIR - the daemon confines itself by default:
#  - started as Lima starts it (no sandbox option) with
#    USERNETD_SANDBOX_LOG=1 in its environment (the variable that once
#    switched enforcement off): /proc says Seccomp 2 and NoNewPrivs 1, the
#    log says the allow-list is enforcing (not "log only"); a guest gets
#    its lease and pings; the control API starts (libmicrohttpd loaded on
#    first use) and a capture through it (libpcap loaded on first use)
#    holds the guest's pings;
#  - the attack: a debugger makes that daemon call execve("/bin/true") as
#    a compromised daemon would: it dies of SIGSYS; another one is made to
#    map anonymous memory executable (mmap PROT_EXEC): SIGSYS too;
#  - --sandbox (the old option) is accepted and changes nothing;
#  - --no-sandbox: Seccomp 0, "sandbox: off", and the same execve does
#    replace the daemon with /bin/true (which is what the sandbox stops);
#  - --sandbox-log: Seccomp 2 and "(log only)".
# An AddressSanitizer build has no sandbox: there only the warning that it
# runs unconfined is checked.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init sandbox 90 "$@"

need_tools gdb tcpdump

NS=$(e2e_name g)
make_ns "$NS"

# proc_field PID NAME: a field of /proc/PID/status.
proc_field() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# inject PID EXPR: make the daemon evaluate EXPR (a call) under gdb.
inject() {
	timeout 30 gdb -nx -batch -p "$1" -ex "call $2" -ex detach \
		>"$TMP/gdb.log" 2>&1 </dev/null
	register_log "$TMP/gdb.log"
}

# daemon_killed_by_sigsys PID WHAT: PID (our child) died of SIGSYS.
daemon_killed_by_sigsys() {
	wait_for 10 "usernetd to die after $2" pid_dead "$1" ||
		fail "usernetd survived $2"
	reap "$1"
	[ "$REAP_RC" = $((128 + 31)) ] ||
		fail "usernetd after $2: status $REAP_RC, want $((128 + 31)) (SIGSYS)"
	log "$2: usernetd killed by SIGSYS"
}

if grep -qa __asan_init "$USERNETD"; then
	log "AddressSanitizer build: no sandbox, only its warning checked"
	# Without SANDBOX_ARGS: the default, not --no-sandbox.
	register_log "$TMP/asan.log"
	"$USERNETD" --listen-qemu "$TMP/asan.sock" -v >"$TMP/asan.log" 2>&1 \
		</dev/null &
	D=$!
	register_pid "$D"
	wait_for 5 "usernetd socket" test -S "$TMP/asan.sock" ||
		fail "usernetd did not start"
	grep -q "no system call sandbox in an AddressSanitizer build.*running unconfined" \
		"$TMP/asan.log" || fail "no warning that the daemon runs unconfined"
	log "$(grep -o 'warning: .*' "$TMP/asan.log")"
	stop_daemon "$D" "$TMP/asan.sock" ""
	pass
fi

log "the default, with USERNETD_SANDBOX_LOG=1 in the environment"
SOCK=$TMP/q.sock
EP=$TMP/api.sock
register_log "$TMP/d.log"
USERNETD_SANDBOX_LOG=1 "$USERNETD" --listen-qemu "$SOCK" -e "$EP" -v \
	>"$TMP/d.log" 2>&1 </dev/null &
D=$!
register_pid "$D"
wait_for 5 "usernetd socket $SOCK" test -S "$SOCK" || fail "usernetd did not start"
wait_for 3 "the sandbox's log line" grep -q "sandbox: seccomp allow-list" \
	"$TMP/d.log" || fail "no sandbox log line"
grep -q "log only" "$TMP/d.log" &&
	fail "USERNETD_SANDBOX_LOG=1 switched enforcement off: $(grep sandbox "$TMP/d.log")"
[ "$(proc_field "$D" Seccomp)" = 2 ] ||
	fail "Seccomp: $(proc_field "$D" Seccomp), want 2 (filter)"
[ "$(proc_field "$D" NoNewPrivs)" = 1 ] || fail "NoNewPrivs is not set"
log "$(grep -o 'sandbox: .*' "$TMP/d.log"); Seccomp 2, NoNewPrivs 1"
attach "$NS" "$SOCK"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease"
ns_ping "$NS" "$GW_IP" 2 || fail "ping $GW_IP failed"
api_expect "$EP" POST /capture/start 200 "{\"file\":\"$TMP/c.pcap\"}"
ns_ping "$NS" "$GW_IP" 2 || fail "ping $GW_IP failed during the capture"
api_expect "$EP" POST /capture/stop 200
n=$(timeout 10 tcpdump -n -r "$TMP/c.pcap" icmp 2>/dev/null | wc -l)
[ "$n" -ge 4 ] || fail "the capture holds $n ICMP frames, want 4 or more"
daemon_alive "$D"
log "lease, ping, control API and a capture of $n ICMP frames under the filter"

log "attack: the daemon calls execve(\"/bin/true\")"
inject "$D" '(int)execve("/bin/true", 0, 0)'
daemon_killed_by_sigsys "$D" "execve"
kill -TERM "$ATTACH_PID" 2>/dev/null
reap "$ATTACH_PID"
rm -f "$SOCK" "$EP"

log "attack: the daemon maps anonymous memory executable"
start_daemon "$TMP/d2.log" --listen-qemu "$SOCK"
D=$DAEMON_PID
inject "$D" '(long)mmap(0, 4096, 7, 0x22, -1, 0)'
daemon_killed_by_sigsys "$D" "mmap PROT_EXEC"
rm -f "$SOCK"

# start_flag FLAG LOG: the daemon with FLAG alone (start_daemon would add
# SANDBOX_ARGS), on $SOCK. Sets D.
start_flag() {
	"$USERNETD" "$1" --listen-qemu "$SOCK" -v >"$2" 2>&1 </dev/null &
	D=$!
	register_pid "$D"
	register_log "$2"
	wait_for 5 "usernetd socket $SOCK" test -S "$SOCK" ||
		fail "usernetd $1 did not start"
}

log "--sandbox, accepted for old command lines"
start_flag --sandbox "$TMP/d3.log"
[ "$(proc_field "$D" Seccomp)" = 2 ] || fail "--sandbox: Seccomp $(proc_field "$D" Seccomp)"
stop_daemon "$D" "$SOCK" ""

log "--no-sandbox"
start_flag --no-sandbox "$TMP/d4.log"
[ "$(proc_field "$D" Seccomp)" = 0 ] || fail "--no-sandbox: Seccomp $(proc_field "$D" Seccomp)"
grep -q "sandbox: off (--no-sandbox)" "$TMP/d4.log" || fail "--no-sandbox not logged"
inject "$D" '(int)execve("/bin/true", 0, 0)'
wait_for 10 "the daemon to become /bin/true and exit" pid_dead "$D" ||
	fail "the daemon did not exec /bin/true"
reap "$D"
[ "$REAP_RC" = 0 ] || fail "--no-sandbox: execve gave status $REAP_RC, want 0 (/bin/true)"
log "--no-sandbox: the same execve replaced the daemon with /bin/true"
rm -f "$SOCK"

log "--sandbox-log"
start_flag --sandbox-log "$TMP/d5.log"
[ "$(proc_field "$D" Seccomp)" = 2 ] || fail "--sandbox-log: Seccomp $(proc_field "$D" Seccomp)"
grep -q "(log only)" "$TMP/d5.log" || fail "--sandbox-log: no '(log only)'"
stop_daemon "$D" "$SOCK" ""

pass
