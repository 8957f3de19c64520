#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make_seeds.py - write the seed corpora of fuzz_net, fuzz_dhcp,
fuzz_framing and fuzz_api (tests/fuzz/corpus/<target>/) in the input
formats those targets document at their top. The frames are what real
guests send: udhcpc's DHCPDISCOVER and DHCPREQUEST (BusyBox 1.35 options),
ARP requests, DNS queries as dig sends them, a TCP SYN with Linux's
options (and SYNs with RFC 1323 options in other orders and values, or
malformed, each followed by data and a FIN), ICMP echo as ping sends it; and IPv6 router advertisements,
neighbour advertisements and VLAN-tagged ARP a hostile guest sends; a
guest's IPv6 on a served network (DAD, MLD, RS, NS/NA, DNS and TCP to ::3
and ::2, echo, fragments, extension headers) and a hostile one's (another
guest's address, martians for the gateway, forged link-layer options).

Run from anywhere: python3 tests/fuzz/corpus/make_seeds.py. The output is
committed; rerun it only when a format changes.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

BCAST = b"\xff" * 6
VM1 = bytes.fromhex("525400123456")
VM2 = bytes.fromhex("525400abcdef")


def mac_of(ip):
    """libslirp's and the services host's MAC: 52:55 and the address."""
    return b"\x52\x55" + ip


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(dst, src, typ, payload):
    return dst + src + struct.pack("!H", typ) + payload


def ipv4(src, dst, proto, payload, ident=0x1234, ttl=64):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                      0x4000, ttl, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def pseudo(src, dst, proto, length):
    return src + dst + struct.pack("!BBH", 0, proto, length)


def udp(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = csum(pseudo(src, dst, 17, len(u)) + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def tcp_syn(src, dst, sport, dport, seq=0x11223344):
    # Linux's SYN options: MSS, SACK permitted, timestamps, NOP, wscale
    opts = (b"\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x01\x02\x03\x00\x00\x00"
            b"\x00\x01\x03\x03\x07")
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, (5 + 5) << 4, 0x02,
                    64240, 0, 0) + opts
    c = csum(pseudo(src, dst, 6, len(t)) + t)
    return t[:16] + struct.pack("!H", c) + t[18:]


def icmp_echo(ident=0x0b0b, seq=1):
    body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + bytes(range(56))
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]


def arp_request(smac, sip, tip):
    return eth(BCAST, smac, 0x0806,
               struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, smac, sip,
                           b"\0" * 6, tip))


def dns_query(name, qtype, ident=0x4242, edns=True):
    q = struct.pack("!HHHHHH", ident, 0x0120, 1, 0, 0, 1 if edns else 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", qtype, 1)
    if edns:
        q += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return q


def dhcp_msg(mac, mtype, xid=0x3903F326, ciaddr=b"\0" * 4, req=None,
             server=None, hostname=b"lima-default", extra=b""):
    """A BOOTREQUEST as BusyBox udhcpc 1.35 sends it."""
    m = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 0, xid, 0, 0, ciaddr,
                    b"\0" * 4, b"\0" * 4, b"\0" * 4)
    m += mac + b"\0" * 10 + b"\0" * 64 + b"\0" * 128
    m += bytes([99, 130, 83, 99])
    o = bytes([53, 1, mtype])
    o += bytes([61, 7, 1]) + mac
    if req:
        o += bytes([50, 4]) + req
    if server:
        o += bytes([54, 4]) + server
    o += bytes([57, 2, 0x02, 0x40])
    if hostname:
        o += bytes([12, len(hostname)]) + hostname
    o += bytes([55, 7, 1, 3, 6, 12, 15, 28, 42])
    o += bytes([60, 12]) + b"udhcp 1.35.0"
    o += extra
    o += b"\xff"
    return m + o


def dhcp_frame(mac, msg, src=b"\0" * 4, dst=b"\xff" * 4, dmac=BCAST):
    return eth(dmac, mac, 0x0800, ipv4(src, dst, 17, udp(src, dst, 68, 67,
                                                           msg)))


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- fuzz_net: byte 0 network, then (port|iters<<1, len16, frame) ----------

def net_input(sel, frames):
    out = bytes([sel])
    for port, iters, f in frames:
        out += bytes([port | iters << 1]) + struct.pack("!H", len(f)) + f
    return out


def net_seeds():
    for sel, pfx, guest, suffix in ((0, "192.168.5.", "15", "slirp"),
                                    (1, "192.168.127.", "4", "userv2")):
        gw, svc, me = ip4(pfx + "2"), ip4(pfx + "3"), ip4(pfx + guest)
        gwm, svcm = mac_of(gw), mac_of(svc)
        zero = b"\0" * 4
        disc = dhcp_msg(VM1, 1)
        reqm = dhcp_msg(VM1, 3, req=me, server=svc)
        write("net", "dhcp_" + suffix, net_input(sel, [
            (0, 2, dhcp_frame(VM1, disc)),
            (0, 2, dhcp_frame(VM1, reqm)),
            (1, 2, dhcp_frame(VM2, dhcp_msg(VM2, 1, xid=7))),
        ]))
        write("net", "arp_" + suffix, net_input(sel, [
            (0, 1, arp_request(VM1, me, gw)),
            (0, 1, arp_request(VM1, me, svc)),
            (1, 1, arp_request(VM2, zero, me)),
        ]))
        dns = []
        for i, (name, qt) in enumerate((("host.lima.internal", 1),
                                        ("myhost.example", 1),
                                        ("alias.example", 28),
                                        ("example.com", 1),
                                        ("example.com", 15))):
            q = dns_query(name, qt, ident=0x100 + i)
            dst, dm = (svc, svcm) if i % 2 else (gw, gwm)
            dns.append((0, 2, eth(dm, VM1, 0x0800,
                                  ipv4(me, dst, 17,
                                       udp(me, dst, 40000 + i, 53, q)))))
        write("net", "dns_" + suffix,
              net_input(sel, [(0, 1, arp_request(VM1, me, svc))] + dns))
        ext = ip4("10.0.0.1")
        write("net", "tcp_syn_" + suffix, net_input(sel, [
            (0, 2, eth(gwm, VM1, 0x0800,
                       ipv4(me, gw, 6, tcp_syn(me, gw, 40001, 22)))),
            (0, 2, eth(gwm, VM1, 0x0800,
                       ipv4(me, ext, 6, tcp_syn(me, ext, 40002, 80)))),
            (0, 2, eth(svcm, VM1, 0x0800,
                       ipv4(me, svc, 6, tcp_syn(me, svc, 40003, 53)))),
        ]))
        write("net", "icmp_" + suffix, net_input(sel, [
            (0, 1, eth(gwm, VM1, 0x0800, ipv4(me, gw, 1, icmp_echo()))),
            (0, 1, eth(svcm, VM1, 0x0800, ipv4(me, svc, 1, icmp_echo()))),
            (1, 1, eth(gwm, VM2, 0x0800,
                       ipv4(ip4(pfx + "16"), ip4("8.8.8.8"), 1,
                            icmp_echo(seq=2)))),
        ]))
        write("net", "udp_" + suffix, net_input(sel, [
            (0, 2, eth(gwm, VM1, 0x0800,
                       ipv4(me, ext, 17, udp(me, ext, 5353, 53,
                                             dns_query("example.org", 1))))),
            (0, 2, eth(gwm, VM1, 0x0800,
                       ipv4(me, gw, 17, udp(me, gw, 5354, 9, b"x" * 32)))),
        ]))
        # VM to VM: learn, then unicast; then a spoofed source
        write("net", "vm2vm_" + suffix, net_input(sel | 4, [
            (0, 0, arp_request(VM1, me, ip4(pfx + "16"))),
            (1, 0, eth(VM1, VM2, 0x0806,
                       struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2,
                                   VM2, ip4(pfx + "16"), VM1, me))),
            (0, 1, eth(VM2, VM1, 0x0800,
                       ipv4(me, ip4(pfx + "16"), 1, icmp_echo()))),
            (1, 1, eth(gwm, VM2, 0x0800, ipv4(gw, me, 1, icmp_echo()))),
        ]))

# ---- fuzz_net: TCP options through libslirp's tcp_input -------------------

def tcp_seg(src, dst, sport, dport, seq, ack, flags, opts=b"", payload=b"",
            win=64240):
    """A TCP segment; OPTS padded with EOL to a multiple of 4 bytes."""
    opts += b"\0" * (-len(opts) % 4)
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack,
                    (5 + len(opts) // 4) << 4, flags, win, 0, 0) + opts + payload
    c = csum(pseudo(src, dst, 6, len(t)) + t)
    return t[:16] + struct.pack("!H", c) + t[18:]


def tcp_opts_seeds():
    """A guest's SYNs to the gateway with RFC 1323/2018 options (MSS, window
    scale, SACK permitted, timestamps) in several orders and values, and
    with malformed option lengths (0, 1, past the header, cut short); each
    followed by a data segment and a FIN carrying timestamps. libslirp's
    first ISS on a new network is 1, so the data acknowledges 2."""
    mss = b"\x02\x04\x05\xb4"
    sack = b"\x04\x02"
    ts = b"\x08\x0a\x00\x01\x02\x03\x00\x00\x00\x00"
    ts_ack = b"\x01\x01\x08\x0a\x00\x01\x02\x10\x00\x00\x00\x01"
    good = (
        mss + sack + ts + b"\x01\x03\x03\x07",      # Linux's order
        b"\x01\x03\x03\x0e" + mss + b"\x01\x01" + sack,  # wscale 14
        b"\x03\x03\x0f\x01" + b"\x02\x04\xff\xff" + ts,  # 15 (> 14)
        b"\x02\x04\x00\x01\x03\x03\x00\x01",       # MSS 1, wscale 0
        ts + ts + b"\x03\x03\x02\x01" + sack + sack,   # repeated
    )
    bad = (
        mss + b"\x03\x00\x07\x01",                   # wscale length 0
        b"\x08\x01" + ts[2:] + b"\x03\x03\x07",       # TS length 1
        mss + b"\x01\x08\x28" + ts[2:6],              # TS past the header
        b"\x03\x03\x07\x04",                         # SACK-perm cut short
        mss + b"\x05\x0a\x00\x00\x00\x01\x00\x00\x00\x02",  # SACK in a SYN
        b"\x02\x03\x05\x01\x03\x04\x07\x00",        # MSS 3, wscale 4 bytes
        b"\x00\x03\x03\x07" + mss,                   # EOL before options
        b"\x02",                                      # a kind, no length
    )
    for sel, pfx, guest, suffix in ((0, "192.168.5.", "15", "slirp"),
                                    (1, "192.168.127.", "4", "userv2")):
        gw, me = ip4(pfx + "2"), ip4(pfx + guest)
        gwm = mac_of(gw)
        for kind, sets, extra in (("tcp_opts_", good, 0),
                                  ("tcp_badopts_", bad, 0),
                                  ("tcp_opts_jumbo_", good, 4)):
            frames = []
            for i, opts in enumerate(sets):
                sport, isn = 41000 + i, 0x10000000 * (i + 1)
                for seq, ack, flags, o, data in (
                        (isn, 0, 0x02, opts, b""),
                        (isn + 1, 2, 0x18, ts_ack, b"GET / HTTP/1.0\r\n\r\n"),
                        (isn + 19, 2, 0x11, ts_ack, b"")):
                    frames.append((0, 1, eth(gwm, VM1, 0x0800, ipv4(
                        me, gw, 6, tcp_seg(me, gw, sport, 22 + i, seq, ack,
                                           flags, o, data)))))
            write("net", kind + suffix, net_input(sel | extra, frames))


def lladdr(mac):
    """fe80:: with the modified EUI-64 of mac."""
    return b"\xfe\x80" + b"\0" * 6 + bytes([mac[0] ^ 2]) + mac[1:3] + \
        b"\xff\xfe" + mac[3:6]


ALL_NODES = b"\xff\x02" + b"\0" * 13 + b"\x01"
ALL_NODES_MAC = bytes.fromhex("333300000001")


def icmp6(src, dst, msg):
    """msg with its ICMPv6 checksum."""
    s = csum(src + dst + struct.pack("!IxxxB", len(msg), 58) + msg)
    return msg[:2] + struct.pack("!H", s) + msg[4:]


def ipv6(mac, nh, payload):
    """From mac's link-local address to all nodes, hop limit 255."""
    return eth(ALL_NODES_MAC, mac, 0x86DD,
               struct.pack("!IHBB", 0x60000000, len(payload), nh, 255) +
               lladdr(mac) + ALL_NODES + payload)


def router_adv(mac, prefix):
    """A router advertisement for prefix/64 (SLAAC), as radvd sends it."""
    m = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0) + \
        struct.pack("!BB", 1, 1) + mac + \
        struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 86400, 14400, 0) + prefix
    return icmp6(lladdr(mac), ALL_NODES, m)


def ipv6_seeds():
    """What the network's RA guard (l2guard.c) sees: router advertisements
    plain, behind hop-by-hop options and fragmented; neighbour
    advertisements for the gateway's and services host's link-local
    addresses; a first fragment ending inside its header chain; a
    gratuitous ARP for the gateway in a VLAN 0 tag."""
    for sel, pfx, suffix in ((0, "192.168.5.", "slirp"),
                             (1, "192.168.127.", "userv2")):
        gw, svc = ip4(pfx + "2"), ip4(pfx + "3")
        ra = router_adv(VM1, bytes.fromhex("20010db8000100000000000000000000"))
        hbh = struct.pack("!BB", 58, 0) + b"\x01\x04\0\0\0\0"
        write("net", "ipv6_ra_" + suffix, net_input(sel, [
            (0, 1, ipv6(VM1, 58, ra)),
            (0, 1, ipv6(VM1, 0, hbh + ra)),
        ]))
        write("net", "ipv6_ra_fragment_" + suffix, net_input(sel, [
            (0, 0, ipv6(VM1, 44, struct.pack("!BBHI", 58, 0, 1, 77) +
                        ra[:24])),
            (0, 1, ipv6(VM1, 44, struct.pack("!BBHI", 58, 0, 24, 77) +
                        ra[24:])),
            (1, 1, ipv6(VM2, 44, struct.pack("!BBHI", 60, 0, 1, 78) +
                        struct.pack("!BB", 58, 20) + b"\x01\x04\0\0\0\0")),
        ]))
        nas = []
        for m in (mac_of(gw), mac_of(svc)):
            na = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + lladdr(m) + \
                struct.pack("!BB", 2, 1) + VM1
            nas.append((0, 1, ipv6(VM1, 58,
                                   icmp6(lladdr(VM1), ALL_NODES, na))))
        write("net", "ipv6_na_gateway_" + suffix, net_input(sel, nas))
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, VM1, gw,
                          BCAST, gw)
        write("net", "vlan0_arp_" + suffix, net_input(sel, [
            (0, 1, eth(BCAST, VM1, 0x8100, b"\0\0\x08\x06" + arp)),
            (1, 1, eth(BCAST, VM2, 0x88A8, b"\0\0\x08\x06" + arp)),
        ]))


# ---- IPv6 on served networks: the prefixes fuzz_net.c gives them ------------

PREFIX6 = {"slirp": bytes.fromhex("fec00000000000000000000000000000"),
           "userv2": bytes.fromhex("fd000001000200000000000000000000")}
UNSPEC = b"\0" * 16
GW6_MAC = bytes.fromhex("525600000002")
GW6_LL = bytes.fromhex("fe800000000000000000000000000002")


def host6(prefix, iid):
    """prefix with the 64-bit interface id iid (bytes or an int)."""
    if isinstance(iid, int):
        iid = struct.pack("!Q", iid)
    return prefix[:8] + iid


def eui64(prefix, mac):
    return prefix[:8] + lladdr(mac)[8:]


def solicited(a):
    return b"\xff\x02" + b"\0" * 9 + b"\x01\xff" + a[13:]


def mcast_mac(a):
    return b"\x33\x33" + a[12:]


def pkt6(dmac, smac, src, dst, nh, payload, hlim=64):
    return eth(dmac, smac, 0x86DD,
               struct.pack("!IHBB", 0x60000000, len(payload), nh, hlim) +
               src + dst + payload)


def l4sum6(src, dst, nh, seg, at):
    """seg with its checksum (at offset at) over the IPv6 pseudo-header."""
    c = csum(src + dst + struct.pack("!IxxxB", len(seg), nh) + seg)
    return seg[:at] + struct.pack("!H", c) + seg[at + 2:]


def udp6(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return l4sum6(src, dst, 17, u, 6)


def tcp6_syn(src, dst, sport, dport):
    t = struct.pack("!HHIIBBHHH", sport, dport, 0x11223344, 0, 5 << 4,
                    0x02, 64800, 0, 0)
    return l4sum6(src, dst, 6, t, 16)


def echo6(src, dst, seq=1):
    return icmp6(src, dst, struct.pack("!BBHHH", 128, 0, 0, 0x0b0b, seq) +
                 bytes(range(56)))


def ns(src, dst, target, mac=None):
    m = struct.pack("!BBHI", 135, 0, 0, 0) + target
    if mac:
        m += struct.pack("!BB", 1, 1) + mac
    return icmp6(src, dst, m)


def na(src, dst, target, mac=None, flags=0x60000000):
    m = struct.pack("!BBHI", 136, 0, 0, flags) + target
    if mac:
        m += struct.pack("!BB", 2, 1) + mac
    return icmp6(src, dst, m)


def ipv6_served_seeds():
    """A guest's IPv6 life on a served network, and a hostile guest's:
    DAD and MLD from ::, an RS, NS and NA with and without link-layer
    options (and a forged one), UDP DNS and TCP to ::3 and ::2, echo
    requests to ::2, ::3 and beyond, fragments, extension header chains,
    martians for the gateway, another guest's address taken, a source
    outside the prefix."""
    for sel, suffix in ((0, "slirp"), (1, "userv2")):
        pfx = PREFIX6[suffix]
        gw6, svc6 = host6(pfx, 2), host6(pfx, 3)
        me_ll, me = lladdr(VM1), eui64(pfx, VM1)
        him_ll, him = lladdr(VM2), eui64(pfx, VM2)
        rtr = bytes.fromhex("ff020000000000000000000000000002")
        svcm = mac_of(ip4("192.168.5.3" if sel == 0 else "192.168.127.3"))
        rs = icmp6(me_ll, rtr, struct.pack("!BBHI", 133, 0, 0, 0) +
                   struct.pack("!BB", 1, 1) + VM1)
        mld_dst = bytes.fromhex("ff020000000000000000000000000016")
        mld = struct.pack("!BBHHH", 143, 0, 0, 0, 1) + \
            struct.pack("!BBH", 4, 0, 0) + solicited(me)
        mldsum = l4sum6(UNSPEC, mld_dst, 58, mld, 2)
        hbh = struct.pack("!BB", 58, 0) + b"\x05\x02\0\0\x01\x00"
        write("net", "ipv6_slaac_" + suffix, net_input(sel, [
            (0, 0, pkt6(mcast_mac(mld_dst), VM1, UNSPEC, mld_dst, 0,
                        hbh + mldsum, hlim=1)),
            (0, 0, pkt6(mcast_mac(solicited(me_ll)), VM1, UNSPEC,
                        solicited(me_ll), 58, ns(UNSPEC, solicited(me_ll),
                                                 me_ll), hlim=255)),
            (0, 1, pkt6(mcast_mac(rtr), VM1, me_ll, rtr, 58, rs, hlim=255)),
            (0, 0, pkt6(mcast_mac(solicited(me)), VM1, UNSPEC, solicited(me),
                        58, ns(UNSPEC, solicited(me), me), hlim=255)),
            (0, 1, pkt6(mcast_mac(solicited(svc6)), VM1, me, solicited(svc6),
                        58, ns(me, solicited(svc6), svc6, VM1), hlim=255)),
            (0, 1, pkt6(mcast_mac(solicited(gw6)), VM1, me, solicited(gw6),
                        58, ns(me, solicited(gw6), gw6, VM1), hlim=255)),
        ]))
        q = dns_query("host.lima.internal", 28)
        write("net", "ipv6_dns_tcp_" + suffix, net_input(sel, [
            (0, 0, pkt6(mcast_mac(solicited(me)), VM1, UNSPEC, solicited(me),
                        58, ns(UNSPEC, solicited(me), me), hlim=255)),
            (0, 2, pkt6(svcm, VM1, me, svc6, 17,
                        udp6(me, svc6, 40000, 53, q))),
            (0, 2, pkt6(GW6_MAC, VM1, me, gw6, 17,
                        udp6(me, gw6, 40001, 53,
                             dns_query("example.com", 28)))),
            (0, 2, pkt6(svcm, VM1, me, svc6, 6, tcp6_syn(me, svc6, 40002,
                                                         53))),
            (0, 2, pkt6(GW6_MAC, VM1, me, gw6, 6, tcp6_syn(me, gw6, 40003,
                                                           22))),
            (0, 2, pkt6(GW6_MAC, VM1, me, gw6, 17,
                        udp6(me, gw6, 40004, 9, b"x" * 32))),
        ]))
        ext = bytes.fromhex("20010db8000000000000000000000001")
        write("net", "ipv6_echo_" + suffix, net_input(sel, [
            (0, 1, pkt6(GW6_MAC, VM1, me, gw6, 58, echo6(me, gw6))),
            (0, 1, pkt6(GW6_MAC, VM1, me_ll, GW6_LL, 58,
                        echo6(me_ll, GW6_LL))),
            (0, 1, pkt6(svcm, VM1, me, svc6, 58, echo6(me, svc6, 2))),
            (0, 1, pkt6(GW6_MAC, VM1, me, ext, 58, echo6(me, ext, 3))),
        ]))
        write("net", "ipv6_nd_" + suffix, net_input(sel | 4, [
            (0, 0, pkt6(mcast_mac(solicited(me)), VM1, UNSPEC, solicited(me),
                        58, ns(UNSPEC, solicited(me), me), hlim=255)),
            (1, 0, pkt6(mcast_mac(solicited(him)), VM2, UNSPEC,
                        solicited(him), 58, ns(UNSPEC, solicited(him), him),
                        hlim=255)),
            (0, 0, pkt6(mcast_mac(solicited(him)), VM1, me, solicited(him),
                        58, ns(me, solicited(him), him, VM1), hlim=255)),
            (1, 0, pkt6(VM1, VM2, him, me, 58, na(him, me, him, VM2),
                        hlim=255)),
            (1, 0, pkt6(VM1, VM2, him, me, 58, na(him, me, him), hlim=255)),
            (0, 0, pkt6(VM2, VM1, me, him, 58, ns(me, him, him), hlim=255)),
            (0, 1, pkt6(VM2, VM1, me, him, 58, echo6(me, him))),
        ]))
        write("net", "ipv6_spoof_" + suffix, net_input(sel | 4, [
            (0, 0, pkt6(mcast_mac(solicited(me)), VM1, UNSPEC, solicited(me),
                        58, ns(UNSPEC, solicited(me), me), hlim=255)),
            (1, 0, pkt6(mcast_mac(solicited(me)), VM2, UNSPEC, solicited(me),
                        58, ns(UNSPEC, solicited(me), me), hlim=255)),
            (1, 0, pkt6(ALL_NODES_MAC, VM2, him, ALL_NODES, 58,
                        na(him, ALL_NODES, me, VM2, 0x20000000), hlim=255)),
            (1, 0, pkt6(ALL_NODES_MAC, VM2, him, ALL_NODES, 58,
                        na(him, ALL_NODES, him, VM1, 0x20000000), hlim=255)),
            (1, 1, pkt6(GW6_MAC, VM2, me, gw6, 58, echo6(me, gw6))),
            (1, 1, pkt6(GW6_MAC, VM2, ext, gw6, 17,
                        udp6(ext, gw6, 5000, 9, b"y" * 8))),
            (1, 1, pkt6(ALL_NODES_MAC, VM2, ALL_NODES, ALL_NODES, 17,
                        udp6(ALL_NODES, ALL_NODES, 5000, 9, b"z"))),
            (1, 1, pkt6(svcm, VM2, me, svc6, 17,
                        udp6(me, svc6, 40000, 53, q))),
        ]))
        loop6 = b"\0" * 15 + b"\x01"
        mapped = b"\0" * 10 + b"\xff\xff" + ip4("127.0.0.1")
        write("net", "ipv6_martian_" + suffix, net_input(sel | 2, [
            (0, 0, pkt6(mcast_mac(solicited(me)), VM1, UNSPEC, solicited(me),
                        58, ns(UNSPEC, solicited(me), me), hlim=255)),
        ] + [(0, 1, pkt6(GW6_MAC, VM1, me, d, 6, tcp6_syn(me, d, 40010, 22)))
             for d in (loop6, mapped, UNSPEC, lladdr(GW6_MAC),
                       host6(pfx, 0x1234), host6(pfx, 1))] + [
            (0, 1, pkt6(mcast_mac(mld_dst), VM1, me, mld_dst, 17,
                        udp6(me, mld_dst, 5353, 5353, b"m"))),
        ]))
        data = udp6(me, svc6, 40020, 53, q + b"\0" * 64)
        fh = lambda off, mf, nh=17: struct.pack("!BBHI", nh, 0,
                                                off | mf, 0x99)
        write("net", "ipv6_frag_" + suffix, net_input(sel, [
            (0, 0, pkt6(mcast_mac(solicited(me)), VM1, UNSPEC, solicited(me),
                        58, ns(UNSPEC, solicited(me), me), hlim=255)),
            (0, 0, pkt6(svcm, VM1, me, svc6, 44, fh(0, 1) + data[:48])),
            (0, 1, pkt6(svcm, VM1, me, svc6, 44, fh(48, 0) + data[48:])),
            (0, 0, pkt6(GW6_MAC, VM1, me, gw6, 44,
                        fh(0, 1, 58) + echo6(me, gw6)[:32])),
            (0, 1, pkt6(GW6_MAC, VM1, me, gw6, 44,
                        fh(32, 0, 58) + echo6(me, gw6)[32:])),
            (0, 1, pkt6(GW6_MAC, VM1, me, gw6, 44, fh(1232, 0, 58) + b"?" * 8)),
        ]))
        dst_opts = lambda nh: struct.pack("!BB", nh, 0) + b"\x01\x04\0\0\0\0"
        routing = struct.pack("!BBBB", 58, 2, 0, 0) + b"\0" * 4 + gw6
        write("net", "ipv6_ext_" + suffix, net_input(sel, [
            (0, 0, pkt6(mcast_mac(solicited(me)), VM1, UNSPEC, solicited(me),
                        58, ns(UNSPEC, solicited(me), me), hlim=255)),
            (0, 1, pkt6(GW6_MAC, VM1, me, gw6, 0,
                        dst_opts(60) + dst_opts(58) + echo6(me, gw6))),
            (0, 1, pkt6(GW6_MAC, VM1, me, gw6, 43, routing + echo6(me, gw6))),
            (0, 1, pkt6(svcm, VM1, me, svc6, 60,
                        dst_opts(17) + udp6(me, svc6, 40030, 53, q))),
            (0, 1, pkt6(GW6_MAC, VM1, me, gw6, 60,
                        dst_opts(59))),
            (0, 1, pkt6(svcm, VM1, me, svc6, 0,
                        struct.pack("!BB", 0, 200) + b"\0" * 6)),
        ]))


# ---- fuzz_dhcp: config byte, then (clock step, len16, payload) -------------

def dhcp_input(cfg, msgs):
    out = bytes([cfg])
    for dt, m in msgs:
        out += bytes([dt]) + struct.pack("!H", len(m)) + m
    return out


def dhcp_seeds():
    svc, me = ip4("192.168.5.3"), ip4("192.168.5.15")
    write("dhcp", "discover_request", dhcp_input(0, [
        (0, dhcp_msg(VM1, 1)),
        (1, dhcp_msg(VM1, 3, req=me, server=svc)),
        (20, dhcp_msg(VM1, 3, ciaddr=me, hostname=b"renewing")),
        (0, dhcp_msg(VM1, 7, ciaddr=me, server=svc)),
    ]))
    write("dhcp", "exhaust", dhcp_input(0, [
        (0, dhcp_msg(bytes([0x52, 0x54, 0, 0, 0, i]), 1, xid=i))
        for i in range(1, 6)
    ]))
    write("dhcp", "inform_decline", dhcp_input(1 | 2, [
        (0, dhcp_msg(VM1, 8, ciaddr=ip4("192.168.5.100"))),
        (0, dhcp_msg(VM1, 1)),
        (0, dhcp_msg(VM1, 4, req=ip4("192.168.5.16"), server=svc)),
        (0, dhcp_msg(VM1, 1)),
        (0, dhcp_msg(VM2, 3, req=ip4("192.168.5.16"))),
    ]))
    # options overloaded into file and sname, small reply buffer
    m = bytearray(dhcp_msg(VM2, 1, hostname=None))
    m[108:112] = bytes([12, 2]) + b"ov"
    m[112] = 255
    m[44] = 255
    opts = m[240:]
    m = bytes(m[:240]) + bytes([52, 1, 3]) + bytes(opts)
    write("dhcp", "overload", dhcp_input(3 << 3, [(0, m)]))
    search = b"lima.internal example.com a.b.c"
    write("dhcp", "search", bytes([4, len(search)]) + search +
          dhcp_input(0, [(0, dhcp_msg(VM1, 1))])[1:])


# ---- fuzz_framing: mode byte, chunk byte, then stream or datagrams ---------

def framing_seeds():
    f1 = eth(BCAST, VM1, 0x0806, b"\0" * 28)
    f2 = eth(VM2, VM1, 0x0800, b"\x45" + b"\0" * 40)
    stream = b"".join(struct.pack("!I", len(f)) + f for f in (f1, f2, f1))
    write("framing", "stream", bytes([0, 5]) + stream)
    write("framing", "stream_echo16", bytes([0, 0x40 | 9]) + stream)
    # 64 echoes of 40 KB to a guest reading 4 KiB per iteration: the
    # transmit FIFO (2 MiB) fills, wraps around and drops
    big = eth(VM2, VM1, 0x0800, bytes(range(256)) * 39)
    write("framing", "stream_fifo_wrap",
          bytes([0, 0xC0 | 3]) + (struct.pack("!I", len(big)) + big) * 4)
    write("framing", "stream_bad_len",
          bytes([0, 1]) + stream + struct.pack("!I", 13) + b"\0" * 20)
    write("framing", "stream_truncated",
          bytes([0, 2]) + stream + struct.pack("!I", 100) + b"\0" * 20)
    dg = b"".join(struct.pack("!H", len(f)) + f
                  for f in (f1, b"short", f2, b""))
    write("framing", "seqpacket", bytes([1, 0]) + dg)
    write("framing", "dgram", bytes([2, 0x80]) + dg + b"\xff\xff")
    write("framing", "seqpacket_wrap", bytes([1, 0xC0]) +
          (struct.pack("!H", len(big)) + big) * 4)
    write("framing", "vfkit", bytes([3, 0]) + struct.pack("!H", 4) +
          b"VFKT" + dg)


# ---- fuzz_api: request bodies, and NUL-separated query strings -------------

def api_seeds():
    bodies = {
        "expose": b'{"local":"127.0.0.1:2222","remote":"192.168.5.15:22",'
                  b'"protocol":"tcp"}',
        "expose_unix": b'{"local":"/tmp/lima/docker.sock","remote":'
                       b'"192.168.5.15:2375","protocol":"unix"}',
        "expose_udp": b'{"local":":5353","remote":"192.168.127.4:53",'
                      b'"protocol":"udp"}',
        "unexpose": b'{"local":"127.0.0.1:2222","protocol":"tcp"}',
        "dns_add": b'{"Name":"internal.","Records":[{"Name":"lima-default",'
                   b'"IP":"192.168.5.15"},{"Name":"LIMA-default","IP":'
                   b'"192.168.5.16"},{"Name":"x","IP":"10.0.0.1",'
                   b'"Regexp":null}],"DefaultIP":null}',
        "dns_add_root": b'{"Name":".","Records":[{"Name":"a.b.","IP":'
                        b'"1.2.3.4"}],"DefaultIP":"192.168.5.2"}',
        "capture": b'{"file":"/tmp/x.pcap","filter":"udp port 53",'
                   b'"snaplen":96,"port":"qemu"}',
        "wait_port": b"192.168.5.15\x0022\x0030",
        "fqdn": b"internal.\x00lima-default",
    }
    for k, v in bodies.items():
        write("api", k, v)


if __name__ == "__main__":
    net_seeds()
    tcp_opts_seeds()
    ipv6_seeds()
    ipv6_served_seeds()
    dhcp_seeds()
    framing_seeds()
    api_seeds()
