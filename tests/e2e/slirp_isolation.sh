#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/slirp_isolation.sh BUILD_DIR - every connection to the
# --listen-qemu socket is its own network. Two namespace guests A and B on
# the same socket:
#  - both get 192.168.5.15 by DHCP and both ping 192.168.5.2;
#  - B captures on its tap0 (tcpdump) while A does DHCP, pings .2, pings
#    the broadcast address and pings an extra address of B (192.168.5.99):
#    B sees none of A's frames (by A's MAC), A gets no answer from .99,
#    and B's capture does hold B's own ping (the capture works).

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init slirp_isolation 40 "$@"

NSA=$(e2e_name a)
NSB=$(e2e_name b)
SOCK=$TMP/qemu.sock
EXTRA_IP=192.168.5.99

start_daemon "$TMP/usernetd.log" --listen-qemu "$SOCK"
D=$DAEMON_PID

make_ns "$NSA"
make_ns "$NSB"
attach "$NSA" "$SOCK"
attach "$NSB" "$SOCK"

MAC_A=$(ip -n "$NSA" -o link show dev tap0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
MAC_B=$(ip -n "$NSB" -o link show dev tap0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
[ -n "$MAC_A" ] && [ -n "$MAC_B" ] || fail "cannot read tap0 MAC addresses"
[ "$MAC_A" != "$MAC_B" ] || fail "A and B have the same MAC $MAC_A (retry)"
log "A: $MAC_A  B: $MAC_B"

log "DHCP in B"
dhcp "$NSB" tap0 "$TMP/lease-b" || fail "udhcpc got no lease in B"
check_lease "$NSB" "$TMP/lease-b" 1500
ip -n "$NSB" addr add "$EXTRA_IP/24" dev tap0 || fail "cannot add $EXTRA_IP to B"

log "capture on B's tap0"
CAP=$TMP/b.pcap
ns_capture "$NSB" "$CAP" -e --immediate-mode

log "DHCP in A (both get $GUEST_IP)"
dhcp "$NSA" tap0 "$TMP/lease-a" || fail "udhcpc got no lease in A"
check_lease "$NSA" "$TMP/lease-a" 1500

log "A pings $GW_IP, the broadcast address and B's $EXTRA_IP"
ns_ping "$NSA" "$GW_IP" 2 || fail "ping $GW_IP from A failed"
timeout 5 ip netns exec "$NSA" ping -n -b -c 1 -W 1 192.168.5.255 \
	>/dev/null 2>&1
if timeout 5 ip netns exec "$NSA" ping -n -c 2 -i 0.2 -W 1 "$EXTRA_IP" \
	>"$TMP/ping-extra.log" 2>&1; then
	fail "A reached B's address $EXTRA_IP: $(cat "$TMP/ping-extra.log")"
fi

log "B pings $GW_IP"
ns_ping "$NSB" "$GW_IP" 2 || fail "ping $GW_IP from B failed"

# B's frames come after all of A's on the same interface: once B's are in
# the file, A's would be too.
# shellcheck disable=SC2317 # called through wait_for
b_frames() {
	[ "$(tcpdump -nn -e -r "$CAP" "ether src $MAC_B" 2>/dev/null | wc -l)" -gt 0 ]
}
wait_for 5 "B's own frames in the capture" b_frames
sleep 0.2
ns_capture_stop

n_a=$(tcpdump -nn -e -r "$CAP" "ether host $MAC_A" 2>/dev/null | wc -l)
n_b=$(tcpdump -nn -e -r "$CAP" "ether src $MAC_B" 2>/dev/null | wc -l)
n_all=$(tcpdump -nn -e -r "$CAP" 2>/dev/null | wc -l)
log "B's capture: $n_all frames, $n_b from B, $n_a to or from A"
if [ "$n_a" != 0 ]; then
	tcpdump -nn -e -r "$CAP" "ether host $MAC_A" 2>/dev/null | head -n 10 >&2
	fail "B saw $n_a of A's frames"
fi
[ "$n_b" -gt 0 ] || fail "B's capture holds none of B's frames: capture broken"

log "both still ping $GW_IP"
ns_ping "$NSA" "$GW_IP" 1 || fail "ping $GW_IP from A failed"
ns_ping "$NSB" "$GW_IP" 1 || fail "ping $GW_IP from B failed"
daemon_alive "$D"
pass
