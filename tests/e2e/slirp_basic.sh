#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/slirp_basic.sh BUILD_DIR - one namespace guest on the default
# slirp network, attached with `usernetctl attach --tap tap0 SOCK`:
#  - DHCP by busybox udhcpc: 192.168.5.15/24, router .2, DNS .3, MTU 1500
#    (option 26), a lease time; tap0 configured accordingly;
#  - ping 192.168.5.2;
#  - curl of a 1 MiB file from an HTTP server on host 127.0.0.1 via .2;
#  - UDP echo through .2 to a host 127.0.0.1 server;
#  - --forward tcp:127.0.0.1:P:22 and --forward udp:127.0.0.1:Q:7 reach
#    servers in the namespace;
#  - pidfile written; SIGTERM: exit within 1 s, status 0, socket and
#    pidfile removed; the attach tool then exits and tap0 disappears.
# Second case: --mtu 9000 and a client that does not ask for option 26;
# the server sends it anyway, it must change tap0's MTU to 9000, and
# 9000-byte packets (ping -M do, curl) pass.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init slirp_basic 50 "$@"

NS=$(e2e_name a)
SOCK=$TMP/qemu.sock
PIDFILE=$TMP/usernetd.pid
DLOG=$TMP/usernetd.log

free_port; HTTP_PORT=$FREE_PORT
free_port; UDP_PORT=$FREE_PORT
free_port; FWD_TCP=$FREE_PORT
free_port; FWD_UDP=$FREE_PORT

mkdir -p "$TMP/www"
make_blob "$TMP/www/blob" 1024
start_http "$TMP/www" "$HTTP_PORT"
start_udp_echo - 127.0.0.1 "$UDP_PORT"

# --- case 1: default MTU ---------------------------------------------------

start_daemon "$DLOG" --listen-qemu "$SOCK" -p "$PIDFILE" \
	--forward "tcp:127.0.0.1:$FWD_TCP:22" \
	--forward "udp:127.0.0.1:$FWD_UDP:7"
D=$DAEMON_PID

wait_for 3 "pidfile" test -s "$PIDFILE" || fail "no pidfile $PIDFILE"
[ "$(tr -d ' \n' <"$PIDFILE")" = "$D" ] ||
	fail "pidfile holds '$(cat "$PIDFILE")', daemon pid is $D"

make_ns "$NS"
attach "$NS" "$SOCK"
A=$ATTACH_PID
[ "$(ns_mtu "$NS" tap0)" = 1500 ] || fail "tap0 MTU is not 1500 at start"

log "DHCP"
# A client that asks for the MTU (as systemd-networkd and dhclient do).
dhcp "$NS" tap0 "$TMP/lease-a" -O mtu || fail "udhcpc got no lease in $NS"
check_lease "$NS" "$TMP/lease-a" 1500

log "ping $GW_IP"
ns_ping "$NS" "$GW_IP" 2 || fail "ping $GW_IP from $NS failed"

log "curl http://$GW_IP:$HTTP_PORT/blob (1 MiB)"
ns_curl_check "$NS" "http://$GW_IP:$HTTP_PORT/blob" "$TMP/www/blob"

log "UDP echo via $GW_IP:$UDP_PORT"
msg="udp-hello-$$"
got=$(udp_rr "$NS" "$GW_IP" "$UDP_PORT" "$msg") ||
	fail "no UDP answer from $GW_IP:$UDP_PORT"
[ "$got" = "$msg" ] || fail "UDP echo answered '$got', want '$msg'"

log "forward tcp:127.0.0.1:$FWD_TCP -> guest :22"
start_tcp_echo "$NS" 22
msg="tcp-fwd-$$"
got=$(tcp_rr 127.0.0.1 "$FWD_TCP" "$msg") ||
	fail "TCP forward 127.0.0.1:$FWD_TCP: socat failed"
[ "$got" = "$msg" ] || fail "TCP forward answered '$got', want '$msg'"

log "forward udp:127.0.0.1:$FWD_UDP -> guest :7"
start_udp_echo "$NS" 0.0.0.0 7
msg="udp-fwd-$$"
got=$(udp_rr - 127.0.0.1 "$FWD_UDP" "$msg") ||
	fail "no UDP answer through forward 127.0.0.1:$FWD_UDP"
[ "$got" = "$msg" ] || fail "UDP forward answered '$got', want '$msg'"

daemon_alive "$D"

log "SIGTERM"
stop_daemon "$D" "$SOCK" "$PIDFILE"
wait_for 3 "attach tool to exit" pid_dead "$A" ||
	fail "usernetctl attach still runs after usernetd exited"
reap "$A"
log "attach tool exited with status $REAP_RC"
wait_for 2 "tap0 to disappear" sh -c "! ip -n $NS link show tap0" ||
	fail "tap0 still exists after the attach tool exited"

# --- case 2: --mtu 9000 ----------------------------------------------------

SOCK2=$TMP/qemu9k.sock
NS2=$(e2e_name mtu)
start_daemon "$TMP/usernetd-9k.log" --listen-qemu "$SOCK2" --mtu 9000
D2=$DAEMON_PID
make_ns "$NS2"
attach "$NS2" "$SOCK2"
[ "$(ns_mtu "$NS2" tap0)" = 1500 ] || fail "tap0 MTU is not 1500 at start"

log "DHCP with --mtu 9000"
# A client that does not ask for option 26 (busybox's default): the
# server sends it anyway.
dhcp "$NS2" tap0 "$TMP/lease-9k" || fail "udhcpc got no lease in $NS2"
check_lease "$NS2" "$TMP/lease-9k" 9000

log "ping -s 8972 -M do $GW_IP"
ns_ping "$NS2" "$GW_IP" 2 -s 8972 -M "do" ||
	fail "9000-byte ping to $GW_IP failed at MTU 9000"
ns_curl_check "$NS2" "http://$GW_IP:$HTTP_PORT/blob" "$TMP/www/blob"

stop_daemon "$D2" "$SOCK2" ""
pass
