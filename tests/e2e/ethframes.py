# SPDX-License-Identifier: BSD-2-Clause
"""tests/e2e/ethframes.py - frames the raw test clients send.

Shared by garbage_client.py, raw_guest.py and stress_client.py: the
Internet checksum, QEMU stream framing, and the ARP, ICMP and DHCP frames
they build byte by byte (a test client writes what a guest kernel would).
"""
import struct

BCAST = b"\xff" * 6


def csum(data):
    """Internet checksum of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(payload):
    """QEMU stream framing of one Ethernet frame."""
    return struct.pack(">I", len(payload)) + payload


def arp_request(mac, sip, tip):
    """Broadcast ARP who-has tip tell sip, padded to 60 bytes."""
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + sip + \
        b"\0" * 6 + tip
    return (BCAST + mac + b"\x08\x06" + arp).ljust(60, b"\0")


def icmp_echo(mac, dst_mac, sip, dip, seq, size):
    """ICMP echo request sip -> dip with size bytes of payload."""
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x7777, seq & 0xFFFF) + \
        b"\x5a" * size
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq & 0xFFFF,
                     0x4000, 64, 1, 0, sip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + mac + b"\x08\x00" + ip + icmp


def dhcp_client(mac, xid, options, ciaddr=b"\0" * 4, src=None):
    """A DHCP message from 0.0.0.0:68 to 255.255.255.255:67 with the
    BROADCAST flag; options: the encoded options after the cookie, END
    added; mac: chaddr, and the Ethernet source unless src is given (a
    hostile client's); ciaddr: the client's address field."""
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0,
                        0x8000, ciaddr, b"\0" * 4, b"\0" * 4, b"\0" * 4,
                        mac, b"", b"")
    bootp += b"\x63\x82\x53\x63" + options + b"\xff"
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17,
                     0, b"\0" * 4, b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return BCAST + (src or mac) + b"\x08\x00" + ip + udp
