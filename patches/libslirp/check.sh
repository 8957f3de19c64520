#!/bin/bash
# patches/libslirp/check.sh - ad-hoc checks of the libslirp patch set with
# a namespace guest on usernetd's TAP (as root): window scale seen in a
# capture of the guest's SYNs, 1 GiB each way with SHA-256 compared, and
# the daemon's RSS while a guest (then the host) stops reading.  Not a
# test of the suite (h-tcptest writes those); run by hand:
#   patches/libslirp/check.sh USERNETD [MTU]
# USERNETD may be a wrapper that sets LD_LIBRARY_PATH to a patched
# libslirp.so.0.
set -eu
D=${1:?usage: check.sh USERNETD [MTU]}
MTU=${2:-1500}
NS=slck$$
T=$(mktemp -d)
PORT=$((20000 + $$ % 10000))
BLOB=/dev/shm/slirp-check.blob
pids=()

cleanup()
{
	local p
	for p in "${pids[@]}" $(ip netns pids "$NS" 2>/dev/null); do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
trap exit INT TERM

rss() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
nsx() { ip netns exec "$NS" "$@"; }

[ -s "$BLOB" ] || head -c 1G /dev/urandom >"$BLOB"
SUM=$(sha256sum <"$BLOB" | cut -d' ' -f1)

ip netns add "$NS"
"$D" --tap "$NS:tap0" --mtu "$MTU" >"$T/daemon.log" 2>&1 &
DPID=$!
pids+=("$DPID")
for _ in $(seq 50); do nsx ip link show tap0 >/dev/null 2>&1 && break; sleep 0.1; done
nsx ip link set tap0 mtu "$MTU" up
nsx ip addr add 192.168.5.15/24 dev tap0
nsx ip route add default via 192.168.5.2 dev tap0
grep -o 'libslirp[^ ]*' "/proc/$DPID/maps" | sort -u | sed 's/^/loaded: /'
grep libslirp "/proc/$DPID/maps" | awk '{ print "loaded: " $6 }' | sort -u

nsx tcpdump -n -i tap0 -c 4 -w "$T/syn.pcap" 'tcp[tcpflags] & tcp-syn != 0' \
	>/dev/null 2>&1 &
pids+=($!)
sleep 1

# guest to host
socat -u TCP-LISTEN:$PORT,reuseaddr,bind=127.0.0.1 - 2>/dev/null |
	sha256sum >"$T/g2h.sum" &
sleep 0.3
t0=$(date +%s.%N)
nsx socat -u "FILE:$BLOB" "TCP:192.168.5.2:$PORT"
wait $!
t1=$(date +%s.%N)
got=$(cut -d' ' -f1 "$T/g2h.sum")
echo "g2h 1 GiB MTU $MTU: $([ "$got" = "$SUM" ] && echo ok || echo CORRUPT)" \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f Gbit/s", 8.59 / (b - a) }')"

# host to guest
socat -u "FILE:$BLOB" TCP-LISTEN:$((PORT + 1)),reuseaddr,bind=127.0.0.1 &
sp=$!
sleep 0.3
t0=$(date +%s.%N)
got=$(nsx socat -u "TCP:192.168.5.2:$((PORT + 1))" - | sha256sum | cut -d' ' -f1)
t1=$(date +%s.%N)
wait $sp || true
echo "h2g 1 GiB MTU $MTU: $([ "$got" = "$SUM" ] && echo ok || echo CORRUPT)" \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f Gbit/s", 8.59 / (b - a) }')"

sleep 0.5
echo "window scale in the guest's capture:"
tcpdump -n -r "$T/syn.pcap" 2>/dev/null | sed "s/seq.*options/options/; s/^/  /"

# a guest that stops reading: the host writes without end
echo "RSS before the stalled readers: $(rss "$DPID") kB"
socat -u /dev/zero TCP-LISTEN:$((PORT + 2)),reuseaddr,bind=127.0.0.1 &
pids+=($!)
sleep 0.3
nsx socat -u "TCP:192.168.5.2:$((PORT + 2))" EXEC:"sleep 8" &
pids+=($!)
sleep 6
echo "RSS, guest not reading 6 s: $(rss "$DPID") kB"
# a host that stops reading: the guest writes without end
socat -u TCP-LISTEN:$((PORT + 3)),reuseaddr,bind=127.0.0.1 EXEC:"sleep 8" &
pids+=($!)
sleep 0.3
nsx socat -u /dev/zero "TCP:192.168.5.2:$((PORT + 3))" &
pids+=($!)
sleep 6
echo "RSS, host not reading 6 s too: $(rss "$DPID") kB"
