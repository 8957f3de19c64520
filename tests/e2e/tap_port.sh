#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/tap_port.sh BUILD_DIR - `usernetd --tap NETNS:IFNAME`: the daemon
# creates the TAP device inside the namespace itself and serves it as a VM
# port, no relay. Two namespaces, one named (NAME:tap0) and one by path
# (/var/run/netns/NAME:tap0), each its own network:
#  - each gets the slirp lease by DHCP (.15, /24, router .2, DNS .3, MTU);
#  - each pings 192.168.5.2 and curls a 1 MiB file from an HTTP server on
#    host 127.0.0.1 via .2;
#  - SIGTERM: exit within 1 s with status 0; the TAP devices disappear.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init tap_port 40 "$@"

NS=$(e2e_name tapa)
NS2=$(e2e_name tapb)

free_port; HTTP_PORT=$FREE_PORT
mkdir -p "$TMP/www"
make_blob "$TMP/www/blob" 1024
start_http "$TMP/www" "$HTTP_PORT"

make_ns "$NS"
make_ns "$NS2"
start_daemon "$TMP/usernetd.log" --tap "$NS:tap0" \
	--tap "/var/run/netns/$NS2:tap0"
D=$DAEMON_PID

for ns in "$NS" "$NS2"; do
	wait_for 5 "tap0 in $ns" ns_has_link "$ns" tap0 ||
		fail "usernetd did not create tap0 in $ns"
done
daemon_alive "$D"

for ns in "$NS" "$NS2"; do
	log "$ns: DHCP"
	dhcp "$ns" tap0 "$TMP/lease-$ns" || fail "udhcpc got no lease in $ns"
	check_lease "$ns" "$TMP/lease-$ns" 1500
	log "$ns: ping $GW_IP"
	ns_ping "$ns" "$GW_IP" 2 || fail "ping $GW_IP from $ns failed"
	log "$ns: curl http://$GW_IP:$HTTP_PORT/blob"
	ns_curl_check "$ns" "http://$GW_IP:$HTTP_PORT/blob" "$TMP/www/blob"
done

log "SIGTERM"
stop_daemon "$D" "" ""
for ns in "$NS" "$NS2"; do
	wait_for 2 "tap0 to disappear from $ns" \
		sh -c "! ip -n $ns link show tap0" ||
		fail "tap0 still exists in $ns after usernetd exited"
done
pass
