#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/dns.sh BUILD_DIR - the DNS service as a guest sees it, with a
# real upstream. A namespace standing for the host runs a dnsmasq on
# 127.0.0.77:53 (zone example.test, see start_dns_upstream in lib.sh) and
# usernetd with a private resolv.conf naming it (bind-mounted over
# /etc/resolv.conf for getaddrinfo, and --resolv-conf for c-ares), a
# lima.yaml with hostResolver.hosts, and --dns-udp/--dns-tcp 127.0.0.1:0.
# A guest namespace gets its lease by DHCP (DNS .3) and queries with dig,
# at .3 and at .2, over UDP and over TCP:
#  - host.lima.internal -> 192.168.5.2;
#  - static names: an IP, a name with the CNAME in the answer (also a chain
#    of two and a chain to host.lima.internal), matched case-insensitively,
#    a static name shadowing the upstream's; a cycle a->b->a and a self
#    reference answer SERVFAIL;
#  - A from dnsmasq through the native resolver (TTL <= 5 s: not the
#    upstream's 300, so it did not come by forwarding); NXDOMAIN for an
#    unknown name of the zone, for A and for a forwarded type;
#  - AAAA with hostResolver.ipv6 false (default): NOERROR, no data, for a
#    name dnsmasq has an AAAA for;
#  - MX, SRV, TXT, PTR forwarded: the answer section equals dnsmasq's own,
#    TTLs included;
#  - an ~850-byte TXT: over UDP without EDNS (+noedns +ignore) TC=1; with
#    +bufsize=4096 whole; dig's default TCP retry gets it whole; EDNS0 is
#    honoured to the byte (bufsize = answer size: whole, one less: TC);
#  - several queries on one TCP connection (+keepopen);
#  - the host loopback ports of --dns-udp/--dns-tcp answer the same;
#  - garbage to .3:53 from the guest (random bytes, a truncated query, a
#    header only, a bad label, a compression loop; a TCP message of junk
#    and a TCP message cut short) gets FORMERR or nothing, and the next
#    real query is answered;
#  - the upstream killed: SERVFAIL within 6 s for names not cached (A,
#    TXT, MX over TCP);
#  - resolv.conf rewritten in place to a second dnsmasq (127.0.0.78, other
#    MX/TXT/A): forwarded and native queries reach it within 4 s, no
#    restart;
#  - resolv.conf pointing at a silent upstream (binds 127.0.0.79:53, never
#    answers): SERVFAIL within 6 s, and local names keep being answered at
#    once meanwhile;
#  - SIGTERM: exit within 1 s, status 0.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init dns 120 "$@"

need_tools dig dnsmasq unshare ss

HNS=$(e2e_name host)
NS=$(e2e_name guest)
SOCK=$TMP/qemu.sock
DLOG=$TMP/usernetd.log
RESOLV=$TMP/resolv.conf
LIMA=$TMP/lima.yaml
UP1=127.0.0.77
UP2=127.0.0.78
UP3=127.0.0.79
Z=$DNS_ZONE

make_ns "$HNS"
make_ns "$NS"

start_dns_upstream "$HNS" "$UP1" up1
UP1_PID=$DNSMASQ_PID
printf 'nameserver %s\n' "$UP1" >"$RESOLV"

cat >"$LIMA" <<EOF
# lima.yaml of the DNS test: usernetd reads only hostResolver.
vmType: qemu
hostResolver:
  # enabled and ipv6 left to their defaults (true, false)
  hosts:
    static.test: 10.7.7.7
    Alias.Test: web.$Z
    alias2.test: static.test
    hostname.test: host.lima.internal
    override.$Z: 10.7.7.9
    loop-a.test: loop-b.test
    loop-b.test: loop-a.test
    self.test: self.test
EOF

start_daemon_ns "$HNS" "$RESOLV" "$DLOG" --listen-qemu "$SOCK" \
	--resolv-conf "$RESOLV" --lima-yaml "$LIMA" \
	--dns-udp 127.0.0.1:0 --dns-tcp 127.0.0.1:0
D=$DAEMON_PID
HPORT_UDP=$(daemon_dns_port "$DLOG" udp) ||
	fail "no 'dns: listening on udp ADDR:PORT' line in the log"
HPORT_TCP=$(daemon_dns_port "$DLOG" tcp) ||
	fail "no 'dns: listening on tcp ADDR:PORT' line in the log"
log "host ports: udp $HPORT_UDP, tcp $HPORT_TCP"

attach "$NS" "$SOCK"
dhcp "$NS" tap0 "$TMP/lease" || fail "udhcpc got no lease"
check_lease "$NS" "$TMP/lease" 1500

# --- helpers ----------------------------------------------------------------

# q SRV PROTO NAME TYPE [DIG-ARGS...]: query from the guest; fail when dig
# gets no answer at all.
q() {
	local what="dig @$1 ($2) $3 $4${5:+ ${*:5}}"
	dns_query "$NS" "$@" || fail "$what: no answer: $DQ_OUT"
	Q_WHAT=$what
}

# qh PORT PROTO NAME TYPE [DIG-ARGS...]: query the host port from HNS.
qh() {
	local port=$1
	shift
	local what="dig @127.0.0.1#$port ($1) $2 $3"
	dns_query "$HNS" "127.0.0.1#$port" "$@" ||
		fail "$what: no answer: $DQ_OUT"
	Q_WHAT=$what
}

# ms_since T0: milliseconds since T0 (date +%s%N).
ms_since() {
	echo $((($(date +%s%N) - $1) / 1000000))
}

# The upstream's own answers for the forwarded types.
declare -A FWD_RAW FWD_STATUS
FWD_QUERIES=("$Z MX" "_http._tcp.$Z SRV" "txt.$Z TXT" "80.0.0.10.in-addr.arpa PTR"
	"$DNS_BIG_TXT TXT" "nope.$Z TXT")
for fq in "${FWD_QUERIES[@]}"; do
	# shellcheck disable=SC2086 # "NAME TYPE"
	direct $fq +bufsize=4096
	FWD_RAW[$fq]=$WANT_RAW
	FWD_STATUS[$fq]=$WANT_STATUS
done
[ -n "${FWD_RAW[$DNS_BIG_TXT TXT]}" ] || fail "dnsmasq has no $DNS_BIG_TXT TXT"

# check_names SRV PROTO: every name case against one server and transport.
# SRV is a guest address (.3, .2) or "host#PORT" for the host loopback port.
check_names() {
	local srv=$1 proto=$2 fq qf=q
	if [[ $srv == host#* ]]; then
		qf=qh
		srv=${srv#host#}
	fi

	$qf "$srv" "$proto" host.lima.internal A
	want_rrs "host.lima.internal. A $GW_IP"
	$qf "$srv" "$proto" static.test A
	want_rrs "static.test. A 10.7.7.7"
	$qf "$srv" "$proto" STATIC.Test A
	want_rrs "static.test. A 10.7.7.7"
	$qf "$srv" "$proto" alias.TEST A
	want_rrs "alias.test. CNAME web.$Z." "web.$Z. A 10.0.0.80"
	$qf "$srv" "$proto" alias2.test A
	want_rrs "alias2.test. CNAME static.test." "static.test. A 10.7.7.7"
	$qf "$srv" "$proto" hostname.test A
	want_rrs "hostname.test. CNAME host.lima.internal." \
		"host.lima.internal. A $GW_IP"
	$qf "$srv" "$proto" "override.$Z" A
	want_rrs "override.$Z. A 10.7.7.9"
	$qf "$srv" "$proto" loop-a.test A
	want_status SERVFAIL
	$qf "$srv" "$proto" self.test A
	want_status SERVFAIL

	# Native resolver: dnsmasq's TTL is 300, the native cache's <= 5.
	$qf "$srv" "$proto" "web.$Z" A
	want_rrs "web.$Z. A 10.0.0.80"
	want_ttl_max 5
	$qf "$srv" "$proto" "nope.$Z" A
	want_status NXDOMAIN
	# ipv6 false: no AAAA, though dnsmasq has one.
	$qf "$srv" "$proto" "six.$Z" AAAA
	want_rrs
	$qf "$srv" "$proto" "six.$Z" A
	want_rrs "six.$Z. A 10.0.0.82"

	# Forwarded: records and TTLs as dnsmasq gives them.
	for fq in "${FWD_QUERIES[@]}"; do
		[ "$proto" = udp ] && [ "$fq" = "$DNS_BIG_TXT TXT" ] && continue
		# shellcheck disable=SC2086 # "NAME TYPE"
		$qf "$srv" "$proto" $fq +bufsize=4096
		WANT_RAW=${FWD_RAW[$fq]}
		WANT_STATUS=${FWD_STATUS[$fq]}
		want_direct
	done
}

# --- names, every server and transport ------------------------------------

for srv in "$DNS_IP" "$GW_IP"; do
	for proto in udp tcp; do
		log "names at $srv over $proto"
		check_names "$srv" "$proto"
	done
done

# --- truncation and EDNS0 ---------------------------------------------------

BIG_RAW=${FWD_RAW[$DNS_BIG_TXT TXT]}
for srv in "$DNS_IP" "$GW_IP"; do
	log "large TXT over UDP at $srv"
	q "$srv" udp "$DNS_BIG_TXT" TXT +noedns +ignore
	want_status NOERROR
	dq_has_flag tc || fail "$Q_WHAT: no TC flag (flags: $DQ_FLAGS)"
	[ "${DQ_SIZE:-9999}" -le 512 ] ||
		fail "$Q_WHAT: $DQ_SIZE bytes over UDP without EDNS0"

	q "$srv" udp "$DNS_BIG_TXT" TXT +bufsize=4096
	dq_has_flag tc && fail "$Q_WHAT: TC set with a 4096-byte buffer"
	WANT_RAW=$BIG_RAW WANT_STATUS=NOERROR want_direct
	FULL=$DQ_SIZE
	[ "$FULL" -gt 512 ] || fail "$Q_WHAT: answer only $FULL bytes"

	q "$srv" udp "$DNS_BIG_TXT" TXT +bufsize="$FULL"
	dq_has_flag tc && fail "$Q_WHAT: TC set though the answer ($FULL bytes) fits"
	WANT_RAW=$BIG_RAW WANT_STATUS=NOERROR want_direct
	q "$srv" udp "$DNS_BIG_TXT" TXT +bufsize=$((FULL - 1)) +ignore
	dq_has_flag tc || fail "$Q_WHAT: no TC flag for a $FULL-byte answer"
	[ "${DQ_SIZE:-9999}" -lt "$FULL" ] ||
		fail "$Q_WHAT: $DQ_SIZE bytes sent for a $((FULL - 1))-byte buffer"

	# dig's default: retry over TCP on TC.
	q "$srv" udp "$DNS_BIG_TXT" TXT +noedns
	grep -q 'Truncated, retrying in TCP' <<<"$DQ_OUT" ||
		fail "$Q_WHAT: dig did not retry over TCP:"$'\n'"$DQ_OUT"
	WANT_RAW=$BIG_RAW WANT_STATUS=NOERROR want_direct
done

log "three queries on one TCP connection"
out=$(timeout 20 ip netns exec "$NS" dig "@$DNS_IP" +tcp +keepopen \
	+tries=1 +time=3 +short host.lima.internal static.test "$Z" MX 2>&1) ||
	fail "dig +tcp +keepopen failed: $out"
[ "$out" = "$GW_IP"$'\n'"10.7.7.7"$'\n'"10 mail.$Z." ] ||
	fail "dig +tcp +keepopen answered:"$'\n'"$out"

# --- host loopback ports (hostagent mode) ---------------------------------

log "host ports 127.0.0.1:$HPORT_UDP (udp), 127.0.0.1:$HPORT_TCP (tcp)"
check_names "host#$HPORT_UDP" udp
check_names "host#$HPORT_TCP" tcp
qh "$HPORT_UDP" udp "$DNS_BIG_TXT" TXT +noedns +ignore
dq_has_flag tc || fail "$Q_WHAT: no TC flag (flags: $DQ_FLAGS)"
qh "$HPORT_UDP" udp "$DNS_BIG_TXT" TXT +bufsize=4096
WANT_RAW=$BIG_RAW WANT_STATUS=NOERROR want_direct

# --- garbage ----------------------------------------------------------------

# Prints "CASE RESULT" lines; RESULT is drop (no answer within 1 s),
# rcode=N id=same|other, short N (answer shorter than a header), closed or
# reset (TCP: the daemon closed), silent (TCP: nothing within 1 s) or
# error:...
DNS_GARBAGE_PY='
import os, socket, struct, sys
addr = sys.argv[1]

def query(name, qtype=1, qid=0x4242):
    b = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for l in name.split("."):
        b += bytes([len(l)]) + l.encode()
    return b + b"\0" + struct.pack(">HH", qtype, 1)

def verdict(p, d):
    if len(d) < 12:
        return "short %d" % len(d)
    return "rcode=%d id=%s" % (d[3] & 15, "same" if d[:2] == p[:2] else "other")

def udp(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    s.sendto(p, (addr, 53))
    try:
        return verdict(p, s.recv(65535))
    except socket.timeout:
        return "drop"

def tcp(p, shut=True):
    try:
        s = socket.create_connection((addr, 53), timeout=3)
        s.sendall(p)
        if shut:
            s.shutdown(socket.SHUT_WR)
        s.settimeout(1)
        d = s.recv(65535)
    except socket.timeout:
        return "silent"
    except ConnectionResetError:
        return "reset"
    except OSError as e:
        return "error:%s" % e
    if not d:
        return "closed"
    return verdict(p[2:], d[2:])

full = query("host.lima.internal")
cases = [
    ("udp-random", lambda: udp(os.urandom(60))),
    ("udp-empty", lambda: udp(b"")),
    ("udp-short-header", lambda: udp(full[:5])),
    ("udp-header-only", lambda: udp(full[:12])),
    ("udp-truncated", lambda: udp(full[:-3])),
    ("udp-bad-label", lambda: udp(full[:12] + b"\x3f" + b"a" * 10)),
    ("udp-compression-loop", lambda: udp(struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0)
                                         + b"\xc0\x0c\x00\x01\x00\x01")),
    ("udp-oversized-label", lambda: udp(full[:12] + b"\x40" + b"a" * 64 + b"\0\0\1\0\1")),
    ("tcp-junk", lambda: tcp(struct.pack(">H", 40) + os.urandom(40))),
    ("tcp-truncated", lambda: tcp(struct.pack(">H", len(full) - 3) + full[:-3])),
    ("tcp-cut-short", lambda: tcp(struct.pack(">H", 300) + full)),
    ("tcp-zero-length", lambda: tcp(struct.pack(">H", 0))),
]
for name, f in cases:
    print(name, f(), flush=True)
'

log "garbage to $DNS_IP:53"
out=$(timeout 40 ip netns exec "$NS" python3 -c "$DNS_GARBAGE_PY" "$DNS_IP" 2>&1) ||
	fail "garbage client failed: $out"
while read -r name res; do
	log "  $name: $res"
	case $name:$res in
	udp-random:* | tcp-junk:*) ;;	# random: any rcode, or nothing
	*:drop | *:silent | *:closed | *:reset | *"rcode=1 id=same") ;;
	*) fail "garbage $name: got '$res', want FORMERR (rcode=1) or nothing" ;;
	esac
done <<<"$out"
daemon_alive "$D"
q "$DNS_IP" udp host.lima.internal A
want_rrs "host.lima.internal. A $GW_IP"
q "$DNS_IP" tcp static.test A
want_rrs "static.test. A 10.7.7.7"

# --- upstream killed ----------------------------------------------------------

log "kill the upstream dnsmasq"
kill -TERM "$UP1_PID"
wait_for 3 "dnsmasq to exit" pid_dead "$UP1_PID" || fail "dnsmasq still runs"
reap "$UP1_PID"
for c in "udp gone1.$Z A" "udp gone2.$Z TXT" "tcp gone3.$Z MX"; do
	# shellcheck disable=SC2086 # "PROTO NAME TYPE"
	set -- $c
	t0=$(date +%s%N)
	dns_query "$NS" "$DNS_IP" "$1" "$2" "$3" +tries=1 +time=10 ||
		fail "dig $2 $3 ($1), upstream dead: no answer within 10 s"
	ms=$(ms_since "$t0")
	log "  $2 $3 ($1), upstream dead: $DQ_STATUS in $ms ms"
	Q_WHAT="$2 $3 ($1), upstream dead"
	want_status SERVFAIL
	[ "$ms" -le 6000 ] || fail "$Q_WHAT: SERVFAIL after $ms ms, want <= 6000"
done

# --- resolv.conf swap -------------------------------------------------------

log "resolv.conf -> second dnsmasq on $UP2"
cat >"$TMP/hosts-up2" <<EOF
10.0.1.80 web.$Z
10.0.1.90 new.$Z
EOF
start_dnsmasq "$HNS" "$UP2" up2 --log-queries --addn-hosts="$TMP/hosts-up2" \
	--local="/$Z/" --local-ttl=300 --mx-host="$Z,mx2.$Z,20" \
	--txt-record="txt.$Z,second upstream"
t0=$(date +%s%N)
ino=$(stat -c %i "$RESOLV")
# In place: the bind mount over /etc/resolv.conf must show it too.
printf '# swapped\nnameserver %s\n' "$UP2" >"$RESOLV"
[ "$(stat -c %i "$RESOLV")" = "$ino" ] || fail "resolv.conf was replaced"
swapped=
while [ "$(ms_since "$t0")" -le 4000 ]; do
	if dns_query "$NS" "$DNS_IP" udp "txt.$Z" TXT +tries=1 +time=1 &&
		[ "$DQ_RRS" = "txt.$Z. TXT \"second upstream\"" ]; then
		swapped=$(ms_since "$t0")
		break
	fi
	sleep 0.1
done
[ -n "$swapped" ] ||
	fail "4 s after the resolv.conf swap, TXT still answers: $DQ_STATUS $DQ_RRS"
log "  forwarded TXT reached $UP2 after $swapped ms"
UPSTREAM=$UP2
direct "$Z" MX
q "$DNS_IP" udp "$Z" MX
want_direct
q "$DNS_IP" tcp "$Z" MX
want_direct
# The native resolver (getaddrinfo reads /etc/resolv.conf) too.
q "$DNS_IP" udp "new.$Z" A
want_rrs "new.$Z. A 10.0.1.90"
want_ttl_max 5

# --- silent upstream ----------------------------------------------------------

log "resolv.conf -> a silent upstream on $UP3"
SILENT_PY='
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((sys.argv[1], 53))
t = socket.socket()
t.bind((sys.argv[1], 53))
t.listen(1)
print("ready", flush=True)
time.sleep(120)
'
ip netns exec "$HNS" python3 -c "$SILENT_PY" "$UP3" >"$TMP/silent.log" 2>&1 \
	</dev/null &
register_pid $!
wait_for 5 "silent upstream" grep -q ready "$TMP/silent.log" ||
	fail "silent upstream did not start: $(cat "$TMP/silent.log")"
printf 'nameserver %s\n' "$UP3" >"$RESOLV"
wait_for 4 "the daemon to read the new resolv.conf" \
	grep -q "upstream servers $UP3" "$DLOG" ||
	fail "usernetd did not log 'upstream servers $UP3' within 4 s"
# Two queries wait on the silent upstream while a local name is asked.
t0=$(date +%s%N)
( dns_query "$NS" "$DNS_IP" udp "silent1.$Z" TXT +tries=1 +time=10
  echo "$DQ_STATUS $(ms_since "$t0")" >"$TMP/silent-txt" ) &
S1=$!
( dns_query "$NS" "$DNS_IP" tcp "silent2.$Z" A +tries=1 +time=10
  echo "$DQ_STATUS $(ms_since "$t0")" >"$TMP/silent-a" ) &
S2=$!
sleep 0.3
t1=$(date +%s%N)
q "$DNS_IP" udp static.test A +tries=1 +time=2
want_rrs "static.test. A 10.7.7.7"
log "  a static name answered in $(ms_since "$t1") ms meanwhile"
wait "$S1" "$S2"
for f in silent-txt silent-a; do
	read -r st ms <"$TMP/$f" || fail "$f: no result"
	log "  $f: $st after $ms ms"
	[ "$st" = SERVFAIL ] || fail "$f: silent upstream gave '$st', want SERVFAIL"
	[ "$ms" -le 6000 ] || fail "$f: SERVFAIL after $ms ms, want <= 6000"
done

daemon_alive "$D"
stop_daemon "$D" "$SOCK" ""
pass
