#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/e2e/raw_guest.py - a guest that writes its own frames to usernetd's
--listen-qemu socket (QEMU stream framing), for tests/e2e/security.sh and
tests/e2e/isolation_l2.sh and isolation_dns.sh: it sends what no guest kernel
would.

usage: raw_guest.py SOCKET MODE DST PORT [ARG [HOLD]]

MODE
  urg   TCP handshake with DST:PORT, then one segment of ARG bytes (default
        10) with URG set and the urgent pointer 65535 (far past the data),
        then ordinary data "END" and a FIN; waits for the FIN's ACK
  syn   a TCP SYN to DST:PORT: did a SYN-ACK come back within 1.5 s?
  udp   a UDP datagram "raw-udp" to DST:PORT: did an answer come back
        within 1.5 s?
  steal broadcast frames from PORT random source MACs, then gratuitous ARP
        replies claiming DST from the MAC ARG (another guest's)
  leases DHCPREQUESTs (INIT-REBOOT) from PORT new MACs, each for its own
        address of the /24 from DST's last octet on: how many were ACKed?
  frag  IPv4 last fragments (offset, no MF) of UDP datagrams to DST:PORT
        that libslirp 4.7 has no reassembly queue for (ipfrag.c): a lone
        one, one sent before its first fragment, and one sent again after
        its datagram completed in order
  dhcpspoof  DST is another guest's address, ARG its MAC (PORT unused):
        gets a lease of its own (DISCOVER, REQUEST), then with the
        victim's MAC in chaddr from its own: RELEASE DST; then REQUEST DST
        with its own MAC (reply: own_req=); DECLINE DST, REQUEST naming
        another server (cancels an offer), REQUEST DST (reply:
        victim_req=), all with the victim's chaddr; a RELEASE with the
        victim's MAC as Ethernet source too; RELEASE and DECLINE of DST
        with its own chaddr
  dhcpname  gets a lease (DISCOVER, REQUEST) with hostname (option 12)
        the first name of the comma-separated list ARG, then renews it
        (REQUEST, INIT-REBOOT) with each other name (DST, PORT unused)
  dhcpreuse PORT new MACs each get a lease and release it at once (never
        more than one live), then each asks for its address again
        (REQUEST, INIT-REBOOT): how many were ACKed? (DST unused)
  dhcpstorm PORT DHCPREQUESTs (INIT-REBOOT) from one MAC, each waiting
        for its answer, alternately for DST and the address after it;
        ARG, if given, is that MAC
  fragfill  ARG (default 64) first fragments (MF set, offset 0) of UDP
        datagrams to DST:PORT, each of its own IP id, never finished: they
        hold entries of the network's fragment table (ipfrag.c)
  synflood  TCP SYNs to DST:PORT from ARG (default 5000) source ports,
        never answered; counts the SYN-ACKs that came within 3 s, prints
        the RESULT line, then holds its connections (stays attached) for
        HOLD seconds (the argument after ARG, default 0)
  vlan  gratuitous ARP replies claiming DST from the raw guest's MAC, each
        inside a tag with VLAN ID 0: 802.1Q (0x8100), 802.1ad (0x88a8),
        0x9100, three of each (PORT unused)
  ipv6  IPv6 first-hop attacks from the raw guest's link-local address
        (l2guard.c); DST is the gateway, PORT unused: router advertisements
        for 2001:db8:1::/64 (plain), 2001:db8:2::/64 (behind a hop-by-hop
        header) and 2001:db8:3::/64 (in a first fragment), a first
        fragment that ends inside its header chain, a redirect, a DHCPv6
        ADVERTISE (UDP 547 to 546), and neighbour advertisements (override)
        for the link-local addresses of the gateway's MAC and of the
        services host's (52:55 and DST's last octet + 1)
  ipv6own  attacks on another guest's IPv6 address (lan/own6.c); DST is
        the gateway, PORT unused, ARG "VICTIM6,VICTIM_MAC,OTHER6": a
        router advertisement for 2001:db8:66::/64; neighbour
        advertisements (override) for VICTIM6 naming the raw guest's MAC;
        an echo request from VICTIM6 to OTHER6 and UDP from VICTIM6 to
        the gateway's ::2 (VICTIM6's /64 with host 2); an echo request
        from 2001:db8:77::5; duplicate address detection for VICTIM6 (NS
        from ::); a neighbour solicitation for OTHER6 whose source
        link-layer option names VICTIM_MAC; each twice
  ipv6use  ARG is an IPv6 address of the network's /64 the raw guest
        takes for its own: it advertises it (unsolicited NA), answers
        solicitations for it, and sends PORT echo requests from it to
        the gateway's ::2: how many were answered?

The guest is 192.168.5.15 (IPv6: fe80:: and its MAC's EUI-64) with a MAC of
52:55:55:xx:xx:xx; DST is reached through the gateway (its MAC from ARP for
192.168.5.2), whatever DST is (the dhcp* modes talk to the DHCP server only,
from 0.0.0.0).
Prints one line "RESULT key=value..."; exits 0 when the exchange ran
(the test judges the outcome), 1 when it could not run, 2 on usage errors.
"""

import os
import select
import socket
import struct
import sys
import time

from ethframes import BCAST, csum, dhcp_client

GUEST_IP = bytes([192, 168, 5, 15])
GW_IP = bytes([192, 168, 5, 2])
TH_FIN, TH_SYN, TH_RST, TH_PSH, TH_ACK, TH_URG = 1, 2, 4, 8, 16, 32
WAIT = 1.5  # seconds an answer to a SYN or a datagram may take


def result(ok, **kv):
    """Print the RESULT line and exit 0 (ok) or 1."""
    fields = " ".join("%s=%s" % (k, v) for k, v in kv.items())
    print("RESULT %s" % fields, flush=True)
    sys.exit(0 if ok else 1)


class Guest:
    """One raw guest on a QEMU stream socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(path)
        self.sock.settimeout(None)
        self.buf = b""
        self.mac = bytes([0x52, 0x55, 0x55]) + os.urandom(3)
        self.gw_mac = None

    def send(self, f):
        """Send one Ethernet frame."""
        f = f.ljust(60, b"\0")
        self.sock.sendall(struct.pack(">I", len(f)) + f)

    def frame(self, deadline):
        """Next frame, None on timeout or end of stream."""
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    f = self.buf[4:4 + n]
                    self.buf = self.buf[4 + n:]
                    self.answer_arp(f)
                    return f
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            d = self.sock.recv(65536)
            if not d:
                return None
            self.buf += d

    def arp(self, op, dst_mac, tha, tpa):
        """An ARP packet from the guest."""
        return dst_mac + self.mac + b"\x08\x06" + \
            struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + self.mac + \
            GUEST_IP + tha + tpa

    def answer_arp(self, f):
        """Answer ARP requests for the guest's address."""
        if len(f) >= 42 and f[12:14] == b"\x08\x06" and \
                struct.unpack("!H", f[20:22])[0] == 1 and \
                f[38:42] == GUEST_IP:
            self.send(self.arp(2, f[6:12], f[22:28], f[28:32]))

    def resolve_gw(self):
        """Learn the gateway's MAC (and let it learn ours)."""
        for _ in range(3):
            self.send(self.arp(1, BCAST, b"\0" * 6, GW_IP))
            deadline = time.monotonic() + 2
            while True:
                f = self.frame(deadline)
                if f is None:
                    break
                if len(f) >= 42 and f[12:14] == b"\x08\x06" and \
                        struct.unpack("!H", f[20:22])[0] == 2 and \
                        f[28:32] == GW_IP:
                    self.gw_mac = f[22:28]
                    return
        result(False, error="no-arp-reply")

    def ip(self, dst, proto, payload, ident=None, frag=0x4000):
        """An IPv4 frame to the gateway (frag: flags and offset field)."""
        if ident is None:
            ident = os.getpid() & 0xFFFF
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload),
                         ident, frag, 64, proto, 0, GUEST_IP, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return self.gw_mac + self.mac + b"\x08\x00" + ip + payload

    def tcp(self, dst, sport, dport, seq, ack, flags, data=b"", urp=0):
        """Send a TCP segment."""
        h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                        65535, 0, urp)
        pseudo = GUEST_IP + dst + struct.pack("!BBH", 0, 6, len(h) + len(data))
        c = csum(pseudo + h + data)
        h = h[:16] + struct.pack("!H", c) + h[18:]
        self.send(self.ip(dst, 6, h + data))

    def udp(self, dst, sport, dport, data):
        """Send a UDP datagram."""
        h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
        pseudo = GUEST_IP + dst + struct.pack("!BBH", 0, 17, 8 + len(data))
        c = csum(pseudo + h + data) or 0xFFFF
        self.send(self.ip(dst, 17, h[:6] + struct.pack("!H", c) + data))

    def tcp_in(self, deadline, dst, sport, dport):
        """Next TCP segment of the connection: (flags, seq, ack, data)."""
        while True:
            f = self.frame(deadline)
            if f is None:
                return None
            if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6 or \
                    f[26:30] != dst:
                continue
            hl = (f[14] & 15) * 4
            t = f[14 + hl:]
            sp, dp, seq, ack, off, flags = struct.unpack("!HHIIBB", t[:14])
            if sp != dport or dp != sport:
                continue
            tot = struct.unpack("!H", f[16:18])[0]
            data = f[14 + hl + (off >> 4) * 4:14 + tot]
            return flags, seq, ack, data


def mode_syn(g, dst, port):
    sport = 40000 + os.getpid() % 20000
    g.tcp(dst, sport, port, 1000, 0, TH_SYN)
    seg = g.tcp_in(time.monotonic() + WAIT, dst, sport, port)
    if seg is None:
        result(True, state="silent")
    if seg[0] & TH_SYN and seg[0] & TH_ACK:
        g.tcp(dst, sport, port, 1001, seg[1] + 1, TH_RST | TH_ACK)
        result(True, state="synack")
    result(True, state="rst" if seg[0] & TH_RST else "other")


def mode_udp(g, dst, port):
    g.udp(dst, 40000 + os.getpid() % 20000, port, b"raw-udp")
    deadline = time.monotonic() + WAIT
    while True:
        f = g.frame(deadline)
        if f is None:
            result(True, state="silent")
        if len(f) >= 42 and f[12:14] == b"\x08\x00" and f[23] == 17 and \
                f[26:30] == dst:
            result(True, state="answered")


def mode_urg(g, dst, port, n):
    sport = 40000 + os.getpid() % 20000
    seq = 1000
    g.tcp(dst, sport, port, seq, 0, TH_SYN)
    deadline = time.monotonic() + 5
    seg = g.tcp_in(deadline, dst, sport, port)
    if seg is None or not (seg[0] & TH_SYN and seg[0] & TH_ACK):
        result(False, error="no-synack", seg=seg)
    rcv = seg[1] + 1
    seq += 1
    g.tcp(dst, sport, port, seq, rcv, TH_ACK)
    data = bytes((0x41 + i % 26) for i in range(n))
    g.tcp(dst, sport, port, seq, rcv, TH_ACK | TH_PSH | TH_URG, data,
          urp=65535)
    seq += n
    time.sleep(0.3)
    g.tcp(dst, sport, port, seq, rcv, TH_ACK | TH_PSH, b"END")
    seq += 3
    time.sleep(0.3)
    g.tcp(dst, sport, port, seq, rcv, TH_ACK | TH_FIN)
    seq += 1
    acked = 0
    deadline = time.monotonic() + 3
    while True:
        seg = g.tcp_in(deadline, dst, sport, port)
        if seg is None:
            break
        if seg[0] & TH_ACK and seg[2] == seq:
            acked = 1
        if seg[0] & TH_RST:
            break
    g.tcp(dst, sport, port, seq, rcv, TH_RST | TH_ACK)
    result(True, sent=n, fin_acked=acked)


def mode_steal(g, dst, count, mac):
    for i in range(count):
        src = bytes([0x52, 0x55, 0xaa, i >> 16 & 255, i >> 8 & 255, i & 255])
        g.send(BCAST + src + b"\x88\xb5" + b"flood")
    g.mac = bytes(int(x, 16) for x in mac.split(":"))
    for _ in range(3):
        g.send(BCAST + g.mac + b"\x08\x06" +
               struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + g.mac + dst +
               BCAST + dst)
        time.sleep(0.05)
    result(True, sent=count)


def dhcp_request(mac, want):
    """A DHCPREQUEST in INIT-REBOOT from MAC for address WANT, broadcast."""
    return dhcp_client(mac, int.from_bytes(mac[2:], "big"),
                       b"\x35\x01\x03\x32\x04" + want)


def mode_leases(g, dst, count):
    """COUNT MACs each ask for an address; count the DHCPACKs."""
    macs = set()
    for i in range(count):
        mac = bytes([0x52, 0x55, 0xbb, os.getpid() & 255, i >> 8, i & 255])
        macs.add(mac)
        g.send(dhcp_request(mac, dst[:3] + bytes([(dst[3] + i) % 256])))
        time.sleep(0.002)
    acks = naks = 0
    deadline = time.monotonic() + WAIT
    while True:
        f = g.frame(deadline)
        if f is None:
            break
        # Ethernet, IPv4 (20), UDP (8), then BOOTP: chaddr at 28, cookie
        # at 236, the first option (53) right after
        if len(f) < 14 + 28 + 243 or f[12:14] != b"\x08\x00" or \
                f[23] != 17 or f[36:38] != b"\x00\x44":
            continue
        b = f[42:]
        if b[28:34] not in macs or b[240] != 53:
            continue
        acks += b[242] == 5
        naks += b[242] == 6
    result(True, sent=count, acks=acks, naks=naks)


def dhcp_send(g, typ, xid, opts=b"", chaddr=None, ciaddr=b"\0" * 4,
              src=None):
    """Send a DHCP message of type TYP (option 53) with more options,
    from the guest's MAC (or SRC) with its MAC (or CHADDR) in chaddr."""
    g.send(dhcp_client(chaddr or g.mac, xid, bytes([53, 1, typ]) + opts,
                       ciaddr, src or g.mac))


def dhcp_answer(g, xid, wait=WAIT):
    """The server's answer to XID: (type, yiaddr, server id), or None."""
    deadline = time.monotonic() + wait
    while True:
        f = g.frame(deadline)
        if f is None:
            return None
        if len(f) < 14 + 28 + 243 or f[12:14] != b"\x08\x00" or \
                f[23] != 17 or f[36:38] != b"\x00\x44":
            continue
        b = f[42:]
        if struct.unpack("!I", b[4:8])[0] != xid:
            continue
        typ, sid, i = 0, b"\0" * 4, 240
        while i + 1 < len(b) and b[i] != 255:
            if b[i] == 0:
                i += 1
                continue
            n = b[i + 1]
            if b[i] == 53 and n == 1:
                typ = b[i + 2]
            if b[i] == 54 and n == 4:
                sid = b[i + 2:i + 6]
            i += 2 + n
        return typ, b[16:20], sid


DHCP_NAMES = {None: "none", 2: "offer", 5: "ack", 6: "nak"}


def dhcp_lease(g, xid, opts=b""):
    """DISCOVER then REQUEST (SELECTING): (address, server id), or exit."""
    dhcp_send(g, 1, xid, opts)
    a = dhcp_answer(g, xid)
    if not a or a[0] != 2:
        result(False, error="no-offer")
    dhcp_send(g, 3, xid + 1, b"\x32\x04" + a[1] + b"\x36\x04" + a[2] + opts)
    b = dhcp_answer(g, xid + 1)
    if not b or b[0] != 5:
        result(False, error="no-ack")
    return b[1], a[2]


def dhcp_said(a):
    """What an answer was, by name."""
    return DHCP_NAMES.get(a[0] if a else None, "other")


def mode_dhcpspoof(g, dst, victim):
    """A guest's DHCP messages about another guest's lease."""
    vmac = bytes(int(x, 16) for x in victim.split(":"))
    xid = 0x5000 + (os.getpid() & 0xFFF) * 16
    own, sid = dhcp_lease(g, xid)
    rq, srv = b"\x32\x04" + dst, b"\x36\x04" + sid
    # the victim's chaddr, the attacker's frames
    dhcp_send(g, 7, xid + 2, srv, chaddr=vmac, ciaddr=dst)
    time.sleep(0.2)
    dhcp_send(g, 3, xid + 3, rq)
    own_req = dhcp_said(dhcp_answer(g, xid + 3))
    dhcp_send(g, 4, xid + 4, rq + srv, chaddr=vmac)
    dhcp_send(g, 3, xid + 5, rq + b"\x36\x04\x01\x02\x03\x04", chaddr=vmac)
    dhcp_send(g, 3, xid + 6, rq, chaddr=vmac)
    victim_req = dhcp_said(dhcp_answer(g, xid + 6))
    # the victim's MAC as the frame's source: another port has it
    dhcp_send(g, 7, xid + 7, srv, chaddr=vmac, ciaddr=dst, src=vmac)
    # its own chaddr, about the victim's address
    dhcp_send(g, 7, xid + 8, srv, ciaddr=dst)
    dhcp_send(g, 4, xid + 9, rq + srv)
    time.sleep(0.3)
    result(True, own=socket.inet_ntoa(own), own_req=own_req,
           victim_req=victim_req)


def mode_dhcpname(g, names):
    """A lease with the first name, renewed with each other."""
    names = names.split(",")
    xid = 0x6000 + (os.getpid() & 0xFFF) * 64
    opt = lambda n: bytes([12, len(n)]) + n.encode()
    own, sid = dhcp_lease(g, xid, opt(names[0]))
    acks = 1
    for i, n in enumerate(names[1:]):
        dhcp_send(g, 3, xid + 2 + i, b"\x32\x04" + own + opt(n))
        acks += dhcp_said(dhcp_answer(g, xid + 2 + i)) == "ack"
    result(True, own=socket.inet_ntoa(own), acks=acks, mac=g.mac.hex(":"))


def mode_dhcpreuse(g, count):
    """COUNT MACs with a released lease each ask for it again."""
    own = g.mac
    xid = 0x8000000 + (os.getpid() & 0xFFF) * 0x10000
    got = []
    for i in range(count):
        g.mac = own[:4] + bytes([0x80 | i >> 8, i & 255])
        a, sid = dhcp_lease(g, xid + 4 * i)
        dhcp_send(g, 7, xid + 4 * i + 2, b"\x36\x04" + sid, ciaddr=a)
        got.append((g.mac, a))
    acks = naks = 0
    for i, (mac, a) in enumerate(got):
        g.mac = mac
        dhcp_send(g, 3, xid + 4 * i + 3, b"\x32\x04" + a)
        said = dhcp_said(dhcp_answer(g, xid + 4 * i + 3))
        acks += said == "ack"
        naks += said == "nak"
    result(True, macs=count, acks=acks, naks=naks)


def mode_dhcpstorm(g, dst, count, mac):
    """COUNT REQUESTs flipping between two addresses."""
    if mac:
        g.mac = bytes(int(x, 16) for x in mac.split(":"))
    other = dst[:3] + bytes([(dst[3] + 1) % 256])
    xid = 0x7000000 + (os.getpid() & 0xFFF) * 0x10000
    acks = naks = 0
    for i in range(count):
        want = other if i & 1 else dst
        dhcp_send(g, 3, xid + i, b"\x32\x04" + want)
        said = dhcp_said(dhcp_answer(g, xid + i))
        acks += said == "ack"
        naks += said == "nak"
    result(True, sent=count, acks=acks, naks=naks,
           last=socket.inet_ntoa(other if (count - 1) & 1 else dst),
           mac=g.mac.hex(":"))


def mode_frag(g, dst, port):
    """The three crashers, each a datagram of its own IP id."""
    IP_MF = 0x2000
    base = os.getpid() & 0x7FFF
    sport = 40000 + os.getpid() % 20000
    data = b"frag" * 8  # 32 bytes after the UDP header
    h = struct.pack("!HHHH", sport, port, 8 + len(data), 0)
    pseudo = GUEST_IP + dst + struct.pack("!BBH", 0, 17, 8 + len(data))
    udp = h[:6] + struct.pack("!H", csum(pseudo + h + data) or 0xFFFF) + data
    first, last = udp[:24], udp[24:]  # offset 3 (24 bytes)
    # a lone last fragment, payload "x", offset 36864 bytes
    g.send(g.ip(dst, 17, b"x" * 64, base, 36864 >> 3))
    time.sleep(0.1)
    # the last fragment before the first
    g.send(g.ip(dst, 17, last, base + 1, 3))
    time.sleep(0.1)
    g.send(g.ip(dst, 17, first, base + 1, IP_MF))
    time.sleep(0.1)
    # in order, then the last fragment again
    g.send(g.ip(dst, 17, first, base + 2, IP_MF))
    g.send(g.ip(dst, 17, last, base + 2, 3))
    time.sleep(0.1)
    g.send(g.ip(dst, 17, last, base + 2, 3))
    time.sleep(0.3)
    result(True, sent=3)


def mode_fragfill(g, dst, port, count):
    """COUNT unfinished first fragments, each of its own datagram."""
    sport = 40000 + os.getpid() % 20000
    for i in range(count):
        h = struct.pack("!HHHH", sport, port, 8 + 64, 0)
        g.send(g.ip(dst, 17, h + b"f" * 24, (os.getpid() + i) & 0xFFFF,
                    0x2000))
        time.sleep(0.002)
    time.sleep(0.3)
    result(True, sent=count)


def mode_synflood(g, dst, port, count, hold):
    """SYNs from COUNT source ports, never completed nor reset; SYN-ACKs
    from DST:PORT counted (read while sending, so the daemon's queue to us
    stays short, then for 3 s), then the half-open connections held."""
    synacks = set()

    def collect(deadline):
        while True:
            f = g.frame(deadline)
            if f is None:
                return
            if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6 or \
                    f[26:30] != dst:
                continue
            t = f[14 + (f[14] & 15) * 4:]
            sp, dp = struct.unpack("!HH", t[:4])
            if sp == port and t[13] & (TH_SYN | TH_ACK) == TH_SYN | TH_ACK:
                synacks.add(dp)

    for i in range(count):
        g.tcp(dst, 1024 + i, port, 1000, 0, TH_SYN)
        if i % 100 == 99:
            collect(time.monotonic() + 0.01)
    collect(time.monotonic() + 3)
    print("RESULT sent=%d synacks=%d" % (count, len(synacks)), flush=True)
    time.sleep(hold)
    sys.exit(0)

def mode_vlan(g, dst):
    """Gratuitous ARP replies claiming DST, tagged VLAN 0 three ways."""
    arp = b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + \
        g.mac + dst + BCAST + dst
    for _ in range(3):
        for tpid in (0x8100, 0x88a8, 0x9100):
            g.send(BCAST + g.mac + struct.pack("!HH", tpid, 0) + arp)
        time.sleep(0.1)
    result(True, sent=9)


def lladdr(mac):
    """fe80:: with the modified EUI-64 of MAC."""
    return b"\xfe\x80" + b"\0" * 6 + bytes([mac[0] ^ 2]) + mac[1:3] + \
        b"\xff\xfe" + mac[3:6]


ALL_NODES = b"\xff\x02" + b"\0" * 13 + b"\x01"
ALL_NODES_MAC = b"\x33\x33\x00\x00\x00\x01"


def icmp6(src, dst, msg):
    """msg with its ICMPv6 checksum filled in."""
    pseudo = src + dst + struct.pack("!IxxxB", len(msg), 58)
    return msg[:2] + struct.pack("!H", csum(pseudo + msg)) + msg[4:]


def ipv6_frame(g, nh, payload, dst=ALL_NODES, dst_mac=ALL_NODES_MAC):
    """An IPv6 frame from the guest's link-local address, hop limit 255."""
    return dst_mac + g.mac + b"\x86\xdd" + \
        struct.pack("!IHBB", 0x60000000, len(payload), nh, 255) + \
        lladdr(g.mac) + dst + payload


def router_adv(g, prefix):
    """A router advertisement (lifetime 1800 s) for PREFIX/64, SLAAC."""
    ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
    ra += struct.pack("!BB", 1, 1) + g.mac
    ra += struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 86400, 14400, 0) + prefix
    return icmp6(lladdr(g.mac), ALL_NODES, ra)


def mode_ipv6(g, dst):
    """The IPv6 first-hop attacks, each twice."""
    src = lladdr(g.mac)
    svc_mac = b"\x52\x55" + dst[:3] + bytes([dst[3] + 1])
    pfx = [bytes([0x20, 0x01, 0x0d, 0xb8, 0, i]) + b"\0" * 10
           for i in range(4)]
    hbh = struct.pack("!BB", 58, 0) + b"\x01\x04\0\0\0\0"
    ra3 = router_adv(g, pfx[3])
    ident = os.getpid()
    frames = [
        ipv6_frame(g, 58, router_adv(g, pfx[1])),
        ipv6_frame(g, 0, hbh + router_adv(g, pfx[2])),
        ipv6_frame(g, 44, struct.pack("!BBHI", 58, 0, 1, ident) + ra3[:24]),
        ipv6_frame(g, 44, struct.pack("!BBHI", 58, 0, 24, ident) + ra3[24:]),
        # a first fragment whose destination options run past it
        ipv6_frame(g, 44, struct.pack("!BBHI", 60, 0, 1, ident + 1) +
                   struct.pack("!BB", 58, 20) + b"\x01\x04\0\0\0\0"),
        # a redirect: "reach 2001:db8::1 through me"
        ipv6_frame(g, 58, icmp6(src, ALL_NODES, struct.pack(
            "!BBHI", 137, 0, 0, 0) + src + pfx[0][:15] + b"\x01")),
    ]
    # a DHCPv6 ADVERTISE from port 547 to 546
    adv = b"\x02\x12\x34\x56"
    udp = struct.pack("!HHHH", 547, 546, 8 + len(adv), 0) + adv
    pseudo = src + ALL_NODES + struct.pack("!IxxxB", len(udp), 17)
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + adv
    frames.append(ipv6_frame(g, 17, udp))
    # neighbour advertisements: the gateway's and the services host's
    # link-local addresses are the raw guest's (override, target MAC)
    for mac in (g.gw_mac, svc_mac):
        na = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + lladdr(mac) + \
            struct.pack("!BB", 2, 1) + g.mac
        frames.append(ipv6_frame(g, 58, icmp6(src, ALL_NODES, na)))
    for _ in range(2):
        for f in frames:
            g.send(f)
        time.sleep(0.2)
    result(True, sent=2 * len(frames))


def ipv6_to(g, src, dst, dst_mac, nh, payload, hlim=64):
    """An IPv6 frame from SRC to DST."""
    return dst_mac + g.mac + b"\x86\xdd" + \
        struct.pack("!IHBB", 0x60000000, len(payload), nh, hlim) + \
        src + dst + payload


def solicited(a):
    """The solicited-node multicast address of A, and its MAC."""
    s = b"\xff\x02" + b"\0" * 9 + b"\x01\xff" + a[13:]
    return s, b"\x33\x33" + s[12:]


def echo6(src, dst, ident, seq):
    """An ICMPv6 echo request."""
    return icmp6(src, dst, struct.pack("!BBHHH", 128, 0, 0, ident, seq) +
                 b"raw-guest-echo6")


def na6(src, dst, target, mac):
    """A neighbour advertisement, override set, naming MAC for TARGET."""
    return icmp6(src, dst, struct.pack("!BBHI", 136, 0, 0, 0x20000000) +
                 target + struct.pack("!BB", 2, 1) + mac)


def mode_ipv6own(g, arg):
    """Attacks on another guest's IPv6 address, each twice."""
    victim6, vmac, other6 = arg.split(",")
    victim6 = socket.inet_pton(socket.AF_INET6, victim6)
    other6 = socket.inet_pton(socket.AF_INET6, other6)
    vmac = bytes.fromhex(vmac.replace(":", ""))
    gw6 = victim6[:8] + b"\0" * 7 + b"\x02"
    gw6_mac = b"\x52\x56\x00\x00\x00\x02"
    me = lladdr(g.mac)
    outside = bytes.fromhex("20010db8007700000000000000000005")
    ident = os.getpid() & 0xFFFF
    sol, sol_mac = solicited(victim6)
    osol, osol_mac = solicited(other6)
    udp = struct.pack("!HHHH", 40000, 9, 12, 0) + b"raw!"
    pseudo = victim6 + gw6 + struct.pack("!IxxxB", len(udp), 17)
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + udp[8:]
    frames = [
        ipv6_frame(g, 58, router_adv(g, bytes.fromhex(
            "20010db8006600000000000000000000"))),
        ipv6_frame(g, 58, na6(me, ALL_NODES, victim6, g.mac)),
        ipv6_to(g, victim6, other6, ALL_NODES_MAC, 58,
                echo6(victim6, other6, ident, 1)),
        ipv6_to(g, victim6, gw6, gw6_mac, 17, udp),
        ipv6_to(g, outside, gw6, gw6_mac, 58, echo6(outside, gw6, ident, 2)),
        ipv6_to(g, b"\0" * 16, sol, sol_mac, 58, icmp6(
            b"\0" * 16, sol, struct.pack("!BBHI", 135, 0, 0, 0) + victim6),
            hlim=255),
        ipv6_to(g, me, osol, osol_mac, 58, icmp6(
            me, osol, struct.pack("!BBHI", 135, 0, 0, 0) + other6 +
            struct.pack("!BB", 1, 1) + vmac), hlim=255),
    ]
    for _ in range(2):
        for f in frames:
            g.send(f)
        time.sleep(0.2)
    result(True, sent=2 * len(frames))


def mode_ipv6use(g, arg, count):
    """Take ARG for the raw guest's own and ping the gateway from it."""
    me = socket.inet_pton(socket.AF_INET6, arg)
    gw6 = me[:8] + b"\0" * 7 + b"\x02"
    gw6_mac = b"\x52\x56\x00\x00\x00\x02"
    ident = os.getpid() & 0xFFFF
    g.send(ipv6_to(g, me, ALL_NODES, ALL_NODES_MAC, 58,
                   na6(me, ALL_NODES, me, g.mac), hlim=255))
    replies = 0
    for seq in range(count):
        g.send(ipv6_to(g, me, gw6, gw6_mac, 58, echo6(me, gw6, ident, seq)))
        deadline = time.monotonic() + WAIT
        while True:
            f = g.frame(deadline)
            if f is None:
                break
            if len(f) < 62 or f[12:14] != b"\x86\xdd" or f[20] != 58:
                continue
            m = f[54:]
            if m[0] == 135 and m[8:24] == me:  # a solicitation: answer
                g.send(ipv6_to(g, me, f[22:38], f[6:12], 58,
                               na6(me, f[22:38], me, g.mac), hlim=255))
            elif m[0] == 129 and f[38:54] == me and \
                    struct.unpack("!HH", m[4:8]) == (ident, seq):
                replies += 1
                break
    result(True, sent=count, replies=replies)


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, mode = sys.argv[1], sys.argv[2]
    dst = socket.inet_aton(sys.argv[3])
    port = int(sys.argv[4])
    g = Guest(path)
    if mode == "dhcpspoof":
        mode_dhcpspoof(g, dst, sys.argv[5])
    elif mode == "dhcpname":
        mode_dhcpname(g, sys.argv[5])
    elif mode == "dhcpreuse":
        mode_dhcpreuse(g, port)
    elif mode == "dhcpstorm":
        mode_dhcpstorm(g, dst, port, sys.argv[5] if len(sys.argv) > 5 else "")
    g.resolve_gw()
    if mode == "syn":
        mode_syn(g, dst, port)
    elif mode == "synflood":
        mode_synflood(g, dst, port,
                      int(sys.argv[5]) if len(sys.argv) > 5 else 5000,
                      float(sys.argv[6]) if len(sys.argv) > 6 else 0)
    elif mode == "udp":
        mode_udp(g, dst, port)
    elif mode == "steal":
        mode_steal(g, dst, port, sys.argv[5])
    elif mode == "frag":
        mode_frag(g, dst, port)
    elif mode == "leases":
        mode_leases(g, dst, port)
    elif mode == "fragfill":
        mode_fragfill(g, dst, port,
                      int(sys.argv[5]) if len(sys.argv) > 5 else 64)
    elif mode == "vlan":
        mode_vlan(g, dst)
    elif mode == "ipv6":
        mode_ipv6(g, dst)
    elif mode == "ipv6own":
        mode_ipv6own(g, sys.argv[5])
    elif mode == "ipv6use":
        mode_ipv6use(g, sys.argv[5], port)
    elif mode == "urg":
        mode_urg(g, dst, port, int(sys.argv[5]) if len(sys.argv) > 5 else 10)
    print(__doc__, file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
