#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/userv2_leases.sh BUILD_DIR - configuration and leases of a
# user-v2 network.
#
# networks.yaml that usernetd refuses, each with exit status 2, a message
# on stderr, within 5 s and without creating its socket:
#  - networks of mode shared, bridged and host ("serves only user-v2");
#  - a network the file does not define (names the ones it does);
#  - --networks without --network;
#  - a YAML syntax error (FILE:LINE:COLUMN of the error);
#  - a gateway that is not an address, a dhcpEnd outside the subnet
#    (FILE:LINE:COLUMN of the value);
#  - a file that does not exist.
#
# Leases, with a networks.yaml network whose pool is .4 to .7 (dhcpEnd
# 192.168.104.7), --leases-file, and the static lease --leases
# 192.168.104.5=MAC_S; one guest namespace per MAC, attached with
# `usernetctl attach --mac`:
#  - run 1: X gets .4 (first of the pool), A gets .6 (.5 is S's static
#    lease), S gets .5; leases.json names X and A; SIGTERM: exit 0 within
#    1 s, the attach tools exit;
#  - run 2, same command line and lease file: A (first to ask) gets .6
#    again, a new MAC Y gets .7 (the only never-used address: not X's .4),
#    S gets .5; a fourth MAC Z gets no address beyond dhcpEnd (nothing, or
#    .4 reclaimed from X, whose lease has expired and is not bound);
#  - run 3, `--mode user-v2 --subnet 192.168.104.0/24` with the same lease
#    file and no networks.yaml: A gets .6 again.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init userv2_leases 60 "$@"

NET=192.168.104
NX=$(e2e_name x)
NA=$(e2e_name a)
NS=$(e2e_name s)
NY=$(e2e_name y)
NZ=$(e2e_name z)
SOCK=$TMP/qemu.sock
NETWORKS=$TMP/networks.yaml
LEASES=$TMP/leases.json
MAC_X=52:55:55:00:01:01
MAC_A=52:55:55:00:01:0a
MAC_S=52:55:55:00:01:05
MAC_Y=52:55:55:00:01:0b
MAC_Z=52:55:55:00:01:0c

# --- configuration errors ---------------------------------------------------

cat >"$NETWORKS" <<EOF
paths:
  socketVMNet: /opt/socket_vmnet/bin/socket_vmnet
group: everyone
networks:
  user-v2:
    mode: user-v2
    gateway: $NET.1
    dhcpEnd: $NET.7
    netmask: 255.255.255.0
  shared:
    mode: shared
    gateway: 192.168.105.1
    dhcpEnd: 192.168.105.254
    netmask: 255.255.255.0
  bridged:
    mode: bridged
    interface: en0
  host:
    mode: host
    gateway: 192.168.106.1
    dhcpEnd: 192.168.106.254
    netmask: 255.255.255.0
EOF

# config_error DESC PATTERN ARGS...: usernetd ARGS must exit with status 2
# within 5 s, say something matching the extended regex PATTERN on stderr,
# and leave no socket behind.
config_error() {
	local desc=$1 pat=$2 rc out=$TMP/config-error.out
	shift 2
	rm -f "$SOCK"
	timeout 5 "$USERNETD" "$@" --listen-qemu "$SOCK" >"$out" 2>&1 </dev/null
	rc=$?
	[ "$rc" = 2 ] ||
		fail "$desc: usernetd exited with status $rc, want 2: $(cat "$out")"
	grep -Eq -- "$pat" "$out" ||
		fail "$desc: message '$(cat "$out")' does not match /$pat/"
	[ -e "$SOCK" ] && fail "$desc: usernetd created $SOCK"
	log "$desc: $(head -n 1 "$out")"
}

for m in shared bridged host; do
	config_error "mode $m" "$NETWORKS: .*$m.*only user-v2" \
		--networks "$NETWORKS" --network "$m"
done
config_error "undefined network" \
	"$NETWORKS:.*nosuch.*user-v2, shared, bridged, host" \
	--networks "$NETWORKS" --network nosuch
config_error "--networks without --network" "--network NAME" \
	--networks "$NETWORKS"

BAD=$TMP/broken.yaml
printf 'networks:\n  user-v2:\n    mode: user-v2\n    gateway: [%s.1\n    netmask: 255.255.255.0\n' \
	"$NET" >"$BAD"
config_error "YAML syntax error" "^usernetd: $BAD:5:[0-9]+: " \
	--networks "$BAD" --network user-v2
printf 'networks:\n  user-v2:\n    mode: user-v2\n    gateway: 192.168.300.1\n' \
	>"$BAD"
config_error "bad gateway" "^usernetd: $BAD:4:14: .*gateway" \
	--networks "$BAD" --network user-v2
printf 'networks:\n  user-v2:\n    mode: user-v2\n    gateway: %s.1\n\n    dhcpEnd: 192.168.105.7\n' \
	"$NET" >"$BAD"
config_error "dhcpEnd outside the subnet" "^usernetd: $BAD:6:14: .*dhcpEnd" \
	--networks "$BAD" --network user-v2
config_error "missing file" "$TMP/nonexistent.yaml" \
	--networks "$TMP/nonexistent.yaml" --network user-v2

# --- leases -------------------------------------------------------------------

declare -A MAC ATT
MAC[$NX]=$MAC_X
MAC[$NA]=$MAC_A
MAC[$NS]=$MAC_S
MAC[$NY]=$MAC_Y
MAC[$NZ]=$MAC_Z
for ns in "$NX" "$NA" "$NS" "$NY" "$NZ"; do
	make_ns "$ns"
done

# join NS: attach NS with its MAC and run DHCP; sets GOT to the address
# (empty if udhcpc got none). Extra arguments go to udhcpc.
join() {
	local ns=$1
	shift
	attach "$ns" "$SOCK" --mac "${MAC[$ns]}"
	ATT[$ns]=$ATTACH_PID
	GOT=
	if dhcp "$ns" tap0 "$TMP/lease-$ns" "$@"; then
		GOT=$(lease_get "$TMP/lease-$ns" ip)
	fi
	log "${ns##*-} (${MAC[$ns]}): '${GOT}'"
}

# want_ip NS ADDR: join NS, which must get ADDR.
want_ip() {
	join "$1"
	[ "$GOT" = "$2" ] ||
		fail "${1##*-} (${MAC[$1]}) got '$GOT', want $2; leases.json: $(cat "$LEASES" 2>&1)"
}

# stop_run PID: SIGTERM the daemon; every attach tool must exit.
stop_run() {
	local ns
	stop_daemon "$1" "$SOCK" ""
	for ns in "${!ATT[@]}"; do
		wait_for 3 "the attach tool of $ns to exit" \
			pid_dead "${ATT[$ns]}" ||
			fail "usernetctl attach in $ns still runs after usernetd exited"
		reap "${ATT[$ns]}"
		wait_for 2 "tap0 to go from $ns" sh -c "! ip -n $ns link show tap0" ||
			fail "tap0 still exists in $ns"
	done
	ATT=()
}

DARGS=(--networks "$NETWORKS" --network user-v2 --leases-file "$LEASES"
	--leases "$NET.5=$MAC_S" --listen-qemu "$SOCK")

log "run 1"
start_daemon "$TMP/usernetd-1.log" "${DARGS[@]}"
want_ip "$NX" "$NET.4"
want_ip "$NA" "$NET.6"
want_ip "$NS" "$NET.5"
for pair in "$NET.4=$MAC_X" "$NET.6=$MAC_A"; do
	wait_for 3 "leases.json to give ${pair%=*} to ${pair#*=}" sh -c \
		"[ \"\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2],\"\").lower())' $LEASES ${pair%=*})\" = ${pair#*=} ]" ||
		fail "$LEASES does not give ${pair%=*} to ${pair#*=}: $(cat "$LEASES" 2>&1)"
done
log "leases.json: $(cat "$LEASES")"
stop_run "$DAEMON_PID"
[ "$(leases_json_mac "$LEASES" "$NET.6")" = "$MAC_A" ] ||
	fail "after SIGTERM $LEASES lost A's lease: $(cat "$LEASES" 2>&1)"

log "run 2: restart with the same lease file"
start_daemon "$TMP/usernetd-2.log" "${DARGS[@]}"
want_ip "$NA" "$NET.6"
want_ip "$NY" "$NET.7"
want_ip "$NS" "$NET.5"
# The pool is full of records: Z may only get X's expired .4, or nothing.
join "$NZ" -t 2
case $GOT in
"" | "$NET.4") ;;
*) fail "z ($MAC_Z) got $GOT: beyond dhcpEnd or another client's" ;;
esac
stop_run "$DAEMON_PID"

log "run 3: --mode user-v2 --subnet, same lease file"
start_daemon "$TMP/usernetd-3.log" --mode user-v2 --subnet "$NET.0/24" \
	--leases-file "$LEASES" --listen-qemu "$SOCK"
want_ip "$NA" "$NET.6"
stop_run "$DAEMON_PID"
pass
