/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * l2guard.c - owns the decision which of a guest's frames may not enter
 * the LAN at all, whatever their addresses: VLAN-tagged frames and IPv6
 * first-hop attacks (RA guard, RFC 6105 and RFC 7113).
 *
 * Why VLAN tags: the anti-spoofing checks (netguard.c) look at ARP and IPv4
 * at the Ethernet header's type; a tagged frame hides both behind 0x8100,
 * and Linux takes a frame tagged with VLAN ID 0 (priority tagged) as
 * untagged: a gratuitous ARP claiming the gateway inside such a tag took
 * the gateway's address in the other guests' neighbour tables. The
 * network has no VLANs, so every tagged frame from a guest is dropped:
 * 802.1Q (0x8100), 802.1ad (0x88a8) and the older QinQ 0x9100.
 *
 * Why IPv6: guests run IPv6 on the LAN whether or not the network serves
 * it, and a guest's kernel believes router advertisements, redirects,
 * DHCPv6 answers and neighbour advertisements from anyone on the link. A
 * forged RA gave another guest an address and a default route through
 * the forger. Only the network's own hosts may send those, so from guests
 * they are dropped: router advertisements (ICMPv6 134), redirects (137),
 * UDP from port 547 to 546 (DHCPv6 server or relay to client), neighbour
 * advertisements for the gateway's or services host's addresses, and any
 * IPv6 packet sent from those addresses. A packet from a multicast
 * source is nobody's (RFC 4291 2.7), and the unspecified source :: is
 * for duplicate address detection (RFC 4862 5.4.2) and MLD reports (RFC
 * 3590) only. Neighbour discovery messages (RS, NS, NA) carry a
 * link-layer address option that fills the hearers' neighbour caches:
 * it must name the frame's own source MAC, or one guest could point
 * another's traffic at a third (RFC 4861 7.2.3 does not ask hosts to
 * check it). Which VM owns which address is the network's table
 * (lan/own6.c): l2g_check() reports the source and the ND target for it.
 *
 * The type of an IPv6 packet is known only at the end of its header
 * chain: hop-by-hop, routing, destination options, fragment and AH
 * headers are followed. A first fragment that does not hold the whole
 * chain and the upper-layer header's first bytes is dropped (RFC 7112,
 * RFC 7113 section 3): what it carries cannot be told. Later fragments
 * pass; without their first fragment they reassemble to nothing, and
 * hosts refuse fragmented neighbour discovery anyway (RFC 6980).
 */
#include <string.h>

#include "packet/frame.h"
#include "packet/l2guard.h"

#define L2G_CHAIN_MAX	      16 /* extension headers followed at most */
#define L2G_NA_LEN	      24 /* ICMPv6 header, flags, target */
#define L2G_NA_TARGET	      8	 /* offset of the target address in an NA */
#define L2G_OFFMASK	      0xfff8
#define L2G_DHCP6_SRV	      547
#define L2G_DHCP6_CLI	      546
#define L2G_ICMP6_ECHO	      128
#define L2G_ICMP6_MLD1_REPORT 131
#define L2G_ICMP6_MLD1_DONE   132
#define L2G_ICMP6_RS	      133
#define L2G_ICMP6_RA	      134
#define L2G_ICMP6_NS	      135
#define L2G_ICMP6_MLD2_REPORT 143
#define L2G_ICMP6_NA	      136
#define L2G_ICMP6_REDIR	      137
#define L2G_ND_SLLA	      1 /* source link-layer address option */
#define L2G_ND_TLLA	      2 /* target link-layer address option */
#define L2G_RS_OPTS	      8 /* where a router solicitation's options start */
#define L2G_NS_OPTS	      24 /* and a neighbour solicitation's or NA's */
#define L2G_ETH_SRC	      6	 /* the source MAC's offset in the frame */

/**
 * struct l2g_ctx - what l2g_check() judges a packet against
 * @own:	the network's own addresses
 * @smac:	the frame's source MAC
 * @info:	what it reports (always set)
 * @frag:	the packet is a first fragment
 */
struct l2g_ctx {
	const struct l2g_addrs *own;
	const uint8_t *smac;
	struct l2g_info *info;
	int frag;
};

/**
 * l2g_own() - is @a one of the network's own addresses?
 * @own:	the addresses
 * @a:		16 bytes of an IPv6 address, any alignment
 *
 * Return: nonzero if it is
 */
static int l2g_own(const struct l2g_addrs *own, const uint8_t *a)
{
	unsigned i;

	for (i = 0; i < own->n; i++)
		if (!memcmp(&own->a[i], a, 16))
			return 1;
	return 0;
}

/**
 * l2g_add() - protect one more address
 * @own:	the addresses
 * @a:		the address to add
 *
 * Return: 0, or -1 when the table is full
 */
int l2g_add(struct l2g_addrs *own, const struct in6_addr *a)
{
	if (own->n == L2G_ADDRS_MAX)
		return -1;
	own->a[own->n++] = *a;
	return 0;
}

/**
 * l2g_link_local() - the link-local address a host with @mac forms
 * (RFC 4291 appendix A, modified EUI-64)
 * @mac:	the host's MAC
 * @a:		set to fe80::/64 with the interface identifier of @mac
 */
void l2g_link_local(const uint8_t mac[6], struct in6_addr *a)
{
	static const uint8_t prefix[8] = {0xfe, 0x80};
	uint8_t *b = a->s6_addr, *iid = b + 8; /* the interface identifier */

	memcpy(b, prefix, sizeof(prefix));
	iid[0] = mac[0] ^ 0x02; /* the universal/local bit, inverted */
	iid[1] = mac[1];
	iid[2] = mac[2];
	iid[3] = 0xff; /* EUI-48 to EUI-64: ff:fe in the middle */
	iid[4] = 0xfe;
	iid[5] = mac[3];
	iid[6] = mac[4];
	iid[7] = mac[5];
}

/**
 * l2g_lladdr_ok() - do the link-layer address options of a neighbour
 * discovery message name the frame's source MAC?
 * @smac:	the frame's source MAC
 * @o:		the first option
 * @olen:	bytes from @o to the end of the message
 *
 * An option of length 0 ends the walk: hosts discard the whole message
 * (RFC 4861 4.6), so what follows cannot mislead them.
 *
 * Return: nonzero if every source or target link-layer option does
 */
static int l2g_lladdr_ok(const uint8_t *smac, const uint8_t *o, size_t olen)
{
	size_t l;

	while (olen >= 8 && o[1]) {
		l = (size_t)o[1] * 8;
		if (l > olen)
			break; /* hosts drop it: see above */
		if ((o[0] == L2G_ND_SLLA || o[0] == L2G_ND_TLLA) &&
		    memcmp(o + 2, smac, 6))
			return 0;
		o += l;
		olen -= l;
	}
	return 1;
}

/**
 * l2g_icmp6() - judge an ICMPv6 message
 * @c:		what it is judged against; @c->info gets its type and target
 * @m:		its first byte
 * @mlen:	bytes of it in the packet
 *
 * Return: the verdict
 */
static enum l2g_verdict l2g_icmp6(const struct l2g_ctx *c, const uint8_t *m,
				  size_t mlen)
{
	if (mlen < 1)
		return L2G_CHAIN;
	c->info->icmp6 = m[0]; /* the ICMPv6 type */
	switch (m[0]) {
	case L2G_ICMP6_RA:
		return L2G_RA;
	case L2G_ICMP6_REDIR:
		return L2G_REDIRECT;
	case L2G_ICMP6_RS:
		return l2g_lladdr_ok(c->smac, m + L2G_RS_OPTS,
				     mlen > L2G_RS_OPTS ? mlen - L2G_RS_OPTS
							: 0)
			   ? L2G_PASS
			   : L2G_LLADDR;
	case L2G_ICMP6_NS:
	case L2G_ICMP6_NA:
		if (mlen < L2G_NA_LEN) /* hosts drop a short NS or NA; a */
			return c->frag ? L2G_CHAIN /* fragment may hide */
				       : L2G_PASS; /* the rest */
		c->info->target = m + L2G_NA_TARGET;
		if (m[0] == L2G_ICMP6_NA && l2g_own(c->own, m + L2G_NA_TARGET))
			return L2G_NA;
		return l2g_lladdr_ok(c->smac, m + L2G_NS_OPTS,
				     mlen - L2G_NS_OPTS)
			   ? L2G_PASS
			   : L2G_LLADDR;
	default:
		return L2G_PASS;
	}
}

/**
 * l2g_unspec_ok() - may a packet with source :: carry this?
 * @info:	what l2g_check() found in it
 *
 * A neighbour solicitation (duplicate address detection) or an MLD
 * report or done message (RFC 3590 4); nothing else, and nothing that
 * cannot be told (a later fragment).
 *
 * Return: nonzero if it may
 */
static int l2g_unspec_ok(const struct l2g_info *info)
{
	switch (info->icmp6) {
	case L2G_ICMP6_NS:
		return info->target != NULL;
	case L2G_ICMP6_MLD1_REPORT:
	case L2G_ICMP6_MLD1_DONE:
	case L2G_ICMP6_MLD2_REPORT:
		return 1;
	default:
		return 0;
	}
}

/**
 * l2g_walk() - follow an IPv6 packet's header chain to its upper layer
 * and judge that
 * @c:		what it is judged against
 * @ip:		the IPv6 fixed header (frame_ip6())
 * @plen:	bytes from @ip to the end of the frame
 *
 * Extension headers are walked as bytes from @ip: each is a next-header
 * byte and a length byte (RFC 8200 4.2), the fragment header's offset at
 * byte 2.
 *
 * Return: the verdict
 */
static enum l2g_verdict l2g_walk(struct l2g_ctx *c, const struct frame_ip6 *ip,
				 size_t plen)
{
	const uint8_t *p = (const uint8_t *)ip;
	size_t end, off = FRAME_IP6_HLEN, hl;
	unsigned nh, i;

	/* Ethernet pads short frames: the payload length says where the
	 * packet ends (0 is a jumbogram's, which no Ethernet frame holds) */
	end = FRAME_IP6_HLEN + (size_t)be16_get(ip->plen);
	if (end > plen || end == FRAME_IP6_HLEN)
		end = plen;
	nh = ip->next;
	for (i = 0; i < L2G_CHAIN_MAX; i++) {
		switch (nh) {
		case FRAME_IPPROTO_HOPOPTS:
		case FRAME_IPPROTO_ROUTING:
		case FRAME_IPPROTO_DSTOPTS:
		case FRAME_IPPROTO_AH: /* its length is in 4 bytes */
			if (off + 8 > end)
				return L2G_CHAIN;
			hl = nh == FRAME_IPPROTO_AH
				 ? ((size_t)p[off + 1] + 2) * 4
				 : ((size_t)p[off + 1] + 1) * 8;
			nh = p[off];
			off += hl;
			continue;
		case FRAME_IPPROTO_FRAG:
			if (off + 8 > end)
				return L2G_CHAIN;
			if (be16_get(p + off + 2) & L2G_OFFMASK)
				return L2G_PASS; /* not the first */
			c->frag = 1;
			nh = p[off];
			off += 8;
			continue;
		case FRAME_IPPROTO_ICMPV6:
			if (off >= end)
				return L2G_CHAIN;
			return l2g_icmp6(c, p + off, end - off);
		case FRAME_IPPROTO_UDP:
			if (off + 4 > end)
				return L2G_CHAIN;
			return be16_get(p + off) == L2G_DHCP6_SRV &&
				       be16_get(p + off + 2) == L2G_DHCP6_CLI
				   ? L2G_DHCPV6
				   : L2G_PASS;
		default: /* TCP, ESP, no next header...: nothing of ours */
			return L2G_PASS;
		}
	}
	return L2G_CHAIN;
}

/**
 * l2g_ipv6() - judge an IPv6 packet from a guest
 * @c:		what it is judged against
 * @ip:		the IPv6 fixed header (frame_ip6())
 * @plen:	bytes from @ip to the end of the frame
 *
 * Return: the verdict
 */
static enum l2g_verdict l2g_ipv6(struct l2g_ctx *c, const struct frame_ip6 *ip,
				 size_t plen)
{
	static const uint8_t unspec[16];
	enum l2g_verdict v;

	c->info->src = ip->src;
	if (l2g_own(c->own, ip->src))
		return L2G_SPOOF6;
	if (ip->src[0] == 0xff) /* multicast */
		return L2G_SRC6;
	v = l2g_walk(c, ip, plen);
	if (v == L2G_PASS && !memcmp(ip->src, unspec, 16) &&
	    !l2g_unspec_ok(c->info))
		return L2G_SRC6;
	return v;
}

/**
 * l2g_check() - may this frame from a guest enter the LAN?
 * @own:	IPv6 addresses of the network's own hosts (gateway, services)
 * @f:		Ethernet frame
 * @len:	its length
 * @info:	set to what was found in an IPv6 packet, for the network's
 *		ownership checks; may be NULL
 *
 * Return: L2G_PASS, or why the frame must be dropped
 */
enum l2g_verdict l2g_check(const struct l2g_addrs *own, const uint8_t *f,
			   size_t len, struct l2g_info *info)
{
	struct l2g_info dummy;
	struct l2g_ctx c = {.own = own, .smac = f + L2G_ETH_SRC};
	struct frame_info fi;

	c.info = info ? info : &dummy;
	memset(c.info, 0, sizeof(*c.info));
	c.info->icmp6 = -1;
	frame_parse(f, len, &fi); /* any version: judged as IPv6 all the same */
	if (!fi.type)
		return L2G_PASS; /* the switch counts runts */
	if (fi.type == FRAME_ETH_VLAN || fi.type == FRAME_ETH_QINQ ||
	    fi.type == FRAME_ETH_QINQ_OLD)
		return L2G_VLAN;
	if (fi.type != FRAME_ETH_IP6)
		return L2G_PASS;
	if (!fi.ip6)
		return L2G_CHAIN; /* no whole fixed header */
	return l2g_ipv6(&c, fi.ip6, frame_l3_len(len));
}

/**
 * l2g_host2() - is @a host ::2 of its /64?
 * @a:		16 bytes of an IPv6 address
 * @in64:	its first 64 bits are the /64 in question (the caller knows)
 *
 * Return: nonzero if it is
 */
static int l2g_host2(const uint8_t *a, int in64)
{
	static const uint8_t two[8] = {[7] = 2};

	return in64 && !memcmp(a + 8, two, 8);
}

/**
 * l2g_martian6() - is this an IPv6 packet the gateway must not see: TCP,
 * UDP or an echo request to an address no guest should reach through
 * libslirp?
 * @f:		Ethernet frame for the gateway
 * @len:	its length
 * @prefix:	the network's /64 (host bits ignored)
 *
 * libslirp 4.7 opens a host socket to whatever a guest names, and sends
 * every destination in the network's prefix, not only the gateway's ::2,
 * to the host's ::1. Refused: the unspecified and loopback addresses,
 * IPv4-mapped (::ffff:0:0/96: 127.0.0.1 through libslirp's IPv6 socket)
 * and IPv4-compatible (::/96) ones, multicast, link-local, and in-prefix
 * addresses other than ::2. An echo request may go to ::2 and fe80::2,
 * which libslirp answers itself. ::2 itself passes: with
 * --no-host-loopback libslirp refuses it (EPERM), at once. Packets with
 * extension headers pass: libslirp drops them.
 *
 * Return: nonzero if it is one
 */
int l2g_martian6(const uint8_t *f, size_t len, const struct in6_addr *prefix)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	static const uint8_t zero[12], ll[8] = {0xfe, 0x80};
	struct frame_info fi;
	const uint8_t *d, *m;
	int echo;

	if (frame_parse(f, len, &fi) || !fi.ip6)
		return 0;
	m = frame_l4(f, len, &fi, 1);
	echo = fi.proto == FRAME_IPPROTO_ICMPV6 && m && m[0] == L2G_ICMP6_ECHO;
	if (fi.proto != FRAME_IPPROTO_TCP && fi.proto != FRAME_IPPROTO_UDP &&
	    !echo)
		return 0;
	d = fi.ip6->dst;
	if (!memcmp(d, zero, 12) || !memcmp(d, mapped, 12) || d[0] == 0xff)
		return 1;
	if (d[0] == 0xfe && (d[1] & 0xc0) == 0x80) /* fe80::/10 */
		return !(echo && l2g_host2(d, !memcmp(d, ll, 8)));
	if (!memcmp(d, prefix->s6_addr, 8))
		return !l2g_host2(d, 1);
	return 0;
}
