#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 180
#
# tests/e2e/tcp_churn.sh BUILD_DIR - many short TCP connections, and
# TIME_WAIT, with a guest namespace attached by `usernetctl attach`:
#  - churn through the NAT (guest -> 192.168.5.2:P -> host 127.0.0.1:P) and
#    through a forward (host 127.0.0.1:F -> guest :5001): CHURN_CONNS
#    connections each (default 3000; the sanitizer pass sets fewer) from 8
#    threads, each a 64-byte request answered by its SHA-256 and the
#    request itself; every one must succeed with the right bytes. The side
#    that leaves libslirp in TIME_WAIT closes first: the host server (NAT),
#    the host client (forward);
#  - the daemon's open descriptors, sampled during and right after each
#    churn: with patches/libslirp 0008 ("timewait" in the start-up line)
#    a connection in TIME_WAIT holds no host socket, so they must stay far
#    below what 10 s of TIME_WAIT would hold (without it they grow by about
#    one per connection: this check fails on the system library or on
#    0001-0007 alone, so it runs only with the patch);
#  - TIME_WAIT still answers: a connection the host closed first, then
#    the guest; its guest FIN is sent again from a raw socket in the guest
#    (as a retransmission would be, the guest's kernel socket being closed)
#    and must get an ACK of that FIN (seen in a capture on tap0), never a
#    RST; and a new connection from the port of another one libslirp holds
#    in TIME_WAIT (a SYN above the old sequence numbers) is served, as
#    libslirp served it before.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init tcp_churn 170 "$@"

NS=$(e2e_name churn)
SOCK=$TMP/qemu.sock
DLOG=$TMP/usernetd.log
GPORT=5001
CONNS=${CHURN_CONNS:-3000}
THREADS=8
CHURN=$TMP/churn.py

free_port; P=$FREE_PORT
free_port; FWD=$FREE_PORT
free_port; P2=$FREE_PORT
free_port; LPORT=$FREE_PORT

# churn.py: the two ends of the churn. A request is 64 bytes (connection
# number and random bytes); the answer is its SHA-256 and the request.
cat >"$CHURN" <<'EOF'
import hashlib, os, socket, sys, threading, time

REQ = 64


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        b = s.recv(n - len(buf))
        if not b:
            break
        buf += b
    return buf


def recv_eof(s):
    extra = b""
    while True:
        b = s.recv(4096)
        if not b:
            return extra
        extra += b


def serve(addr, wait_eof, ready):
    """Answer each connection; close first unless wait_eof."""
    host, port = addr.rsplit(":", 1)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, int(port)))
    ls.listen(1024)
    open(ready, "w").close()

    def one(c):
        with c:
            req = recv_exact(c, REQ)
            if len(req) != REQ:
                return
            c.sendall(hashlib.sha256(req).digest() + req)
            if wait_eof:
                recv_eof(c)

    while True:
        c, _ = ls.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()


def client(addr, conns, threads, wait_eof, report, lport=0):
    """conns connections from threads threads; report the counts."""
    host, port = addr.rsplit(":", 1)
    lock = threading.Lock()
    res = {"ok": 0, "bad": 0, "err": ""}
    nxt = [0]

    def fail(why):
        with lock:
            res["bad"] += 1
            if not res["err"]:
                res["err"] = why

    def run():
        while True:
            with lock:
                i = nxt[0]
                if i >= conns:
                    return
                nxt[0] += 1
            req = i.to_bytes(8, "big") + os.urandom(REQ - 8)
            try:
                s = socket.socket()
                if lport:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("0.0.0.0", lport))
                s.settimeout(20)
                with s:
                    s.connect((host, int(port)))
                    s.sendall(req)
                    ans = recv_exact(s, 32 + REQ)
                    if ans != hashlib.sha256(req).digest() + req:
                        fail("conn %d: wrong answer (%d bytes)" % (i, len(ans)))
                        continue
                    if wait_eof and recv_eof(s):
                        fail("conn %d: bytes after the answer" % i)
                        continue
            except OSError as e:
                fail("conn %d: %s" % (i, e))
                continue
            with lock:
                res["ok"] += 1

    t0 = time.time()
    ts = [threading.Thread(target=run) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    with open(report, "w") as f:
        f.write("ok=%d bad=%d secs=%.2f err=%s\n"
                % (res["ok"], res["bad"], time.time() - t0, res["err"]))


def rawfin(src, sport, dst, dport, seq, ack):
    """Send again, from a raw socket, the FIN (FIN|ACK, seq, ack) that the
    guest's kernel sent on a connection it has closed since."""
    import struct
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4,
                      0x11, 64240, 0, 0)
    pseudo = (socket.inet_aton(src) + socket.inet_aton(dst)
              + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(hdr)))
    data = pseudo + hdr
    csum = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while csum >> 16:
        csum = (csum & 0xffff) + (csum >> 16)
    hdr = hdr[:16] + struct.pack("!H", ~csum & 0xffff) + hdr[18:]
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    r.sendto(hdr, (dst, 0))


mode = sys.argv[1]
if mode == "serve":
    serve(sys.argv[2], sys.argv[3] == "1", sys.argv[4])
elif mode == "client":
    client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
           sys.argv[5] == "1", sys.argv[6],
           int(sys.argv[7]) if len(sys.argv) > 7 else 0)
else:
    rawfin(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]),
           int(sys.argv[6]), int(sys.argv[7]))
EOF

make_ns "$NS"
start_daemon "$DLOG" --listen-qemu "$SOCK" \
	--forward "tcp:127.0.0.1:$FWD:$GPORT"
D=$DAEMON_PID
attach "$NS" "$SOCK"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease in $NS"
check_lease "$NS" "$TMP/lease" 1500
log "$(uptime)"
if slirp_has_patch "$DLOG" timewait; then
	PARK=1
	log "libslirp closes TIME_WAIT host sockets: $(grep -m 1 'libslirp ' "$DLOG")"
else
	PARK=0
	log "libslirp holds TIME_WAIT host sockets, no descriptor check:" \
		"$(grep -m 1 'libslirp ' "$DLOG" || echo 'no start-up line')"
fi

# serve NS|- TAG ADDR:PORT WAIT_EOF: a churn.py server (on the host: -).
serve() {
	local ready="$TMP/$2.ready" logf="$TMP/$2.log"
	register_log "$logf"
	if [ "$1" = - ]; then
		"$TCP_PYTHON" "$CHURN" serve "$3" "$4" "$ready" >"$logf" 2>&1 </dev/null &
	else
		ip netns exec "$1" "$TCP_PYTHON" "$CHURN" serve "$3" "$4" "$ready" \
			>"$logf" 2>&1 </dev/null &
	fi
	register_pid $!
	wait_for 20 "server $2" test -e "$ready" || fail "server $2 did not start"
}

# fds: the daemon's open descriptors.
fds() {
	find "/proc/$D/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# churn WHAT NS|- ADDR:PORT WAIT_EOF: CONNS connections from churn.py's
# client in NS (or on the host); every one must get its answer. The
# daemon's descriptors are sampled every 50 ms meanwhile, and once right
# after; with the patch, their peak must stay below BASE + CONNS / 10
# (10 s of TIME_WAIT would hold one per connection).
churn() {
	local what=$1 ns=$2 addr=$3 weof=$4 rep="$TMP/$1.report" pid base
	local peak=0 n after limit line
	local -a pre=()
	[ "$ns" = - ] || pre=(ip netns exec "$ns")
	base=$(fds)
	register_log "$TMP/$what.log"
	"${pre[@]}" "$TCP_PYTHON" "$CHURN" client "$addr" "$CONNS" "$THREADS" \
		"$weof" "$rep" >"$TMP/$what.log" 2>&1 </dev/null &
	pid=$!
	register_pid "$pid"
	while pid_alive "$pid"; do
		n=$(fds)
		[ "$n" -gt "$peak" ] && peak=$n
		sleep 0.05
	done
	after=$(fds)
	[ "$after" -gt "$peak" ] && peak=$after
	reap "$pid"
	[ "$REAP_RC" = 0 ] || fail "$what: the client exited with status $REAP_RC"
	line=$(cat "$rep" 2>/dev/null)
	log "$what: $line; daemon descriptors: $base before, peak $peak, $after right after"
	case "$line" in
	"ok=$CONNS bad=0 "*) ;;
	*) fail "$what: not every connection got its answer: $line" ;;
	esac
	daemon_alive "$D"
	[ "$PARK" = 1 ] || return 0
	limit=$((base + CONNS / 10))
	[ "$peak" -lt "$limit" ] ||
		fail "$what: the daemon held $peak descriptors (limit $limit):" \
			"TIME_WAIT connections keep their host sockets"
}

# --- churn through the NAT and a forward ---------------------------------------

serve - host-server "127.0.0.1:$P" 0
churn churn-nat "$NS" "$GW_IP:$P" 1
serve "$NS" guest-server "0.0.0.0:$GPORT" 1
churn churn-fwd - "127.0.0.1:$FWD" 0

# --- TIME_WAIT: a retransmitted FIN, a new SYN ----------------------------------

free_port; LPORT2=$FREE_PORT
serve - fin-server "127.0.0.1:$P2" 0
PCAP=$TMP/fin.pcap
ns_capture "$NS" "$PCAP" --immediate-mode tcp

# one_conn TAG LPORT: one connection from guest port LPORT to the FIN
# server, which closes first: libslirp holds it in TIME_WAIT for 10 s.
one_conn() {
	ip netns exec "$NS" "$TCP_PYTHON" "$CHURN" client "$GW_IP:$P2" 1 1 1 \
		"$TMP/$1.report" "$2" >"$TMP/$1.log" 2>&1 </dev/null ||
		fail "$1: the connection from port $2 failed: $(cat "$TMP/$1.log")"
	grep -q '^ok=1 bad=0 ' "$TMP/$1.report" ||
		fail "$1: the connection from port $2: $(cat "$TMP/$1.report")"
}

# segs: the capture so far, absolute sequence numbers.
segs() {
	tcpdump -nn -S -r "$PCAP" 2>/dev/null
}

# guest_fin: print the sequence and acknowledgement numbers of the
# guest's first FIN from port LPORT in the capture; false if none yet.
guest_fin() {
	segs | awk -v g="$GUEST_IP.$LPORT" '$3 == g && /Flags \[F/ {
		for (i = 1; i < NF; i++) {
			if ($i == "seq") { s = $(i + 1); sub(",", "", s) }
			if ($i == "ack") { a = $(i + 1); sub(",", "", a) }
		}
		print s, a; found = 1; exit }
		END { exit !found }'
}

one_conn fin "$LPORT"
one_conn reuse-old "$LPORT2"
wait_for 5 "the guest's FIN in the capture" guest_fin ||
	fail "no FIN from the guest's port $LPORT in the capture"
# The guest's FIN of the first, as its kernel sent it: sent again from a
# raw socket in the guest, as a retransmission would be (the guest's
# kernel, whose socket is closed, then resets the connection).
FIN=$(guest_fin)
read -r FSEQ FACK <<<"$FIN"
ip netns exec "$NS" "$TCP_PYTHON" "$CHURN" rawfin "$GUEST_IP" "$LPORT" \
	"$GW_IP" "$P2" "$FSEQ" "$FACK" || fail "the raw socket sent no FIN"
# A new connection from the second's port while libslirp holds the old
# one in TIME_WAIT: its SYN is above the old sequence numbers, and
# inside the old connection's (scaled, megabytes) window: refused with a
# RST before patch 0014, which starts such a connection over.
one_conn reuse-new "$LPORT2"
sleep 0.5
ns_capture_stop

SEGS=$(segs)
log "segments seen on tap0:"$'\n'"$SEGS"
# After the guest's first FIN: its FINs, and the gateway's ACKs of that
# FIN (seq + 1); no RST from the gateway.
RESULT=$(awk -v g="$GUEST_IP.$LPORT" -v gw="$GW_IP.$P2" -v fin="$FSEQ" '
	$3 == g && /Flags \[F/ { fins++ }
	$3 == gw && fins {
		if (/Flags \[R/) { print "RST from the gateway: " $0; bad = 1 }
		a = ""
		for (i = 1; i < NF; i++)
			if ($i == "ack") { a = $(i + 1); sub(",", "", a) }
		if (a != "" && a + 0 == (fin + 1) % 4294967296) acks++
	}
	END { if (!bad) print "fins=" fins " acks=" acks }' <<<"$SEGS")
log "TIME_WAIT, the FIN sent again: $RESULT"
[ "$RESULT" = "fins=2 acks=2" ] ||
	fail "TIME_WAIT: want the guest's FIN twice and the gateway's ACK of" \
		"it twice, no RST: $RESULT"
daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""
sanitizer_check "$DLOG"
pass
