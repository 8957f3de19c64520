#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 600
#
# tests/e2e/tcp_bulk.sh BUILD_DIR - large TCP transfers through the slirp
# network's NAT at MTU 1500 (tcp_bulk_fwd.sh runs this script for the
# forward at 1500, tcp_bulk_jumbo.sh for both at 65520), both ways, every
# byte checked: the sender's and the receiver's byte counts and CRC-32 of
# a pattern distinct at every 4 KiB (tcp_peer.py) must match.
# One guest namespace; at 1500 attached with `usernetctl attach` and
# forwarded with --forward, at 65520 a TAP the daemon creates (--tap) and a
# forward added through the API (expose). Its interface MTU is set by DHCP
# (option 26) to the daemon's --mtu.
#  - NAT: guest -> 192.168.5.2:P -> host 127.0.0.1:P, guest to host and
#    host to guest, USERNETD_TCP_BYTES each (default 1 GiB);
#  - NAT to a non-loopback address of the host, both ways, an eighth of it;
#  - forward: host 127.0.0.1:F -> guest :5001, host to guest and guest to
#    host, USERNETD_TCP_BYTES each.
# USERNETD_TCP_BYTES sets the size (the sanitizer run sets a smaller one).
# A gigabyte at MTU 1500 takes 13 s on an idle machine and a minute on a
# loaded one: the limit is generous, the checks are on data, not speed.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
MTU=${TCP_BULK_MTU:-1500}
PATHS=${TCP_BULK_PATHS:-nat}	# nat, fwd or all
NAME=tcp_bulk
[ "$PATHS" = fwd ] && NAME=tcp_bulk_fwd
[ "$MTU" = 1500 ] || NAME=tcp_bulk_jumbo
e2e_init "$NAME" 590 "$@"

BYTES=${USERNETD_TCP_BYTES:-1073741824}
NS=$(e2e_name bulk)
SOCK=$TMP/qemu.sock
EP=$TMP/ep.sock
DLOG=$TMP/usernetd.log
GPORT=5001

free_port; NAT_PORT=$FREE_PORT
free_port; FWD_PORT=$FREE_PORT
free_port; HOST_PORT=$FREE_PORT

make_ns "$NS"
if [ "$MTU" = 1500 ]; then
	start_daemon "$DLOG" --listen-qemu "$SOCK" --mtu "$MTU" \
		--forward "tcp:127.0.0.1:$FWD_PORT:$GPORT"
	D=$DAEMON_PID
	attach "$NS" "$SOCK"
else
	start_daemon "$DLOG" --tap "$NS:tap0" --mtu "$MTU" -e "$EP"
	D=$DAEMON_PID
	wait_for 5 "tap0 in $NS" ns_has_link "$NS" tap0 ||
		fail "usernetd did not create tap0 in $NS"
	wait_for 5 "endpoint $EP" test -S "$EP" || fail "no endpoint $EP"
fi
dhcp "$NS" tap0 "$TMP/lease" -O mtu || fail "udhcpc got no lease in $NS"
check_lease "$NS" "$TMP/lease" "$MTU"
if [ "$MTU" != 1500 ]; then
	api_expect "$EP" POST /services/forwarder/expose 200 \
		"{\"local\":\"127.0.0.1:$FWD_PORT\",\"remote\":\"$GUEST_IP:$GPORT\",\"protocol\":\"tcp\"}"
fi
log "MTU $MTU, $BYTES bytes a transfer; $(uptime)"

if [ "$PATHS" != fwd ]; then
	tcp_xfer nat-g2h - "127.0.0.1:$NAT_PORT" "$NS" "$GW_IP:$NAT_PORT" \
		c2l "$BYTES"
	tcp_xfer nat-h2g - "127.0.0.1:$NAT_PORT" "$NS" "$GW_IP:$NAT_PORT" \
		l2c "$BYTES"
	HOST_IP=$(host_global_ip4)
	if [ -n "$HOST_IP" ]; then
		tcp_xfer host-g2h - "$HOST_IP:$HOST_PORT" "$NS" \
			"$HOST_IP:$HOST_PORT" c2l $((BYTES / 8))
		tcp_xfer host-h2g - "$HOST_IP:$HOST_PORT" "$NS" \
			"$HOST_IP:$HOST_PORT" l2c $((BYTES / 8))
	else
		log "this host has no non-loopback IPv4 address: that case not run"
	fi
fi
if [ "$PATHS" != nat ]; then
	tcp_xfer fwd-h2g "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD_PORT" \
		c2l "$BYTES"
	tcp_xfer fwd-g2h "$NS" "0.0.0.0:$GPORT" - "127.0.0.1:$FWD_PORT" \
		l2c "$BYTES"
fi

daemon_alive "$D"
stop_daemon "$D" "" ""
pass
