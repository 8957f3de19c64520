#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/e2e/raw_guest.py - a guest that writes its own frames to usernetd's
--listen-qemu socket (QEMU stream framing), for tests/e2e/security.sh and
isolation_dns.sh: it sends what no guest kernel would.

usage: raw_guest.py SOCKET MODE DST PORT [ARG]

MODE
  urg   TCP handshake with DST:PORT, then one segment of ARG bytes (default
        10) with URG set and the urgent pointer 65535 (far past the data),
        then ordinary data "END" and a FIN; waits for the FIN's ACK
  syn   a TCP SYN to DST:PORT: did a SYN-ACK come back within 1.5 s?
  synflood  ARG (default 2000) SYNs to DST:PORT from as many source ports,
        never completed nor reset (half-open connections): how many
        source ports got a SYN-ACK within 1.5 s of the last?
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

The guest is 192.168.5.15 with a MAC of 52:55:55:xx:xx:xx; DST is reached
through the gateway (its MAC from ARP for 192.168.5.2), whatever DST is.
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


def mode_synflood(g, dst, port, n):
    acked = set()

    def collect(deadline):
        while True:
            f = g.frame(deadline)
            if f is None:
                return
            if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6 or \
                    f[26:30] != dst:
                continue
            t = f[14 + (f[14] & 15) * 4:]
            sp, dp, _, _, _, flags = struct.unpack("!HHIIBB", t[:14])
            if sp == port and flags & TH_SYN and flags & TH_ACK:
                acked.add(dp)

    for i in range(n):
        g.tcp(dst, 10000 + i, port, 1000, 0, TH_SYN)
        if i % 64 == 63:
            collect(time.monotonic())  # keep the daemon's queue short
    collect(time.monotonic() + WAIT)
    result(True, sent=n, synacks=len(acked))


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


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, mode = sys.argv[1], sys.argv[2]
    dst = socket.inet_aton(sys.argv[3])
    port = int(sys.argv[4])
    g = Guest(path)
    g.resolve_gw()
    if mode == "syn":
        mode_syn(g, dst, port)
    elif mode == "synflood":
        mode_synflood(g, dst, port,
                      int(sys.argv[5]) if len(sys.argv) > 5 else 2000)
    elif mode == "udp":
        mode_udp(g, dst, port)
    elif mode == "steal":
        mode_steal(g, dst, port, sys.argv[5])
    elif mode == "frag":
        mode_frag(g, dst, port)
    elif mode == "leases":
        mode_leases(g, dst, port)
    elif mode == "urg":
        mode_urg(g, dst, port, int(sys.argv[5]) if len(sys.argv) > 5 else 10)
    print(__doc__, file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
