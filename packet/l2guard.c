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
 * IPv6 packet sent from those addresses.
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

#define L2G_CHAIN_MAX	16 /* extension headers followed at most */
#define L2G_NA_LEN	24 /* ICMPv6 header, flags, target */
#define L2G_NA_TARGET	8  /* offset of the target address in an NA */
#define L2G_OFFMASK	0xfff8
#define L2G_DHCP6_SRV	547
#define L2G_DHCP6_CLI	546
#define L2G_ICMP6_RA	134
#define L2G_ICMP6_NA	136
#define L2G_ICMP6_REDIR 137

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
 * l2g_icmp6() - judge an ICMPv6 message
 * @own:	the network's own addresses
 * @m:		its first byte
 * @mlen:	bytes of it in the packet
 * @frag:	it came in a first fragment
 *
 * Return: the verdict
 */
static enum l2g_verdict l2g_icmp6(const struct l2g_addrs *own, const uint8_t *m,
				  size_t mlen, int frag)
{
	if (mlen < 1)
		return L2G_CHAIN;
	switch (m[0]) { /* the ICMPv6 type */
	case L2G_ICMP6_RA:
		return L2G_RA;
	case L2G_ICMP6_REDIR:
		return L2G_REDIRECT;
	case L2G_ICMP6_NA:
		if (mlen < L2G_NA_LEN) /* hosts drop a short NA; a fragment */
			return frag ? L2G_CHAIN
				    : L2G_PASS; /* may hide the rest */
		return l2g_own(own, m + L2G_NA_TARGET) ? L2G_NA : L2G_PASS;
	default:
		return L2G_PASS;
	}
}

/**
 * l2g_ipv6() - judge an IPv6 packet from a guest
 * @own:	the network's own addresses
 * @ip:		the IPv6 fixed header (frame_ip6())
 * @plen:	bytes from @ip to the end of the frame
 *
 * Extension headers are walked as bytes from @ip: each is a next-header
 * byte and a length byte (RFC 8200 4.2), the fragment header's offset at
 * byte 2.
 *
 * Return: the verdict
 */
static enum l2g_verdict l2g_ipv6(const struct l2g_addrs *own,
				 const struct frame_ip6 *ip, size_t plen)
{
	const uint8_t *p = (const uint8_t *)ip;
	size_t end, off = FRAME_IP6_HLEN, hl;
	unsigned nh, i;
	int frag = 0;

	if (l2g_own(own, ip->src))
		return L2G_SPOOF6;
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
			frag = 1;
			nh = p[off];
			off += 8;
			continue;
		case FRAME_IPPROTO_ICMPV6:
			if (off >= end)
				return L2G_CHAIN;
			return l2g_icmp6(own, p + off, end - off, frag);
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
 * l2g_check() - may this frame from a guest enter the LAN?
 * @own:	IPv6 addresses of the network's own hosts (gateway, services)
 * @f:		Ethernet frame
 * @len:	its length
 *
 * Return: L2G_PASS, or why the frame must be dropped
 */
enum l2g_verdict l2g_check(const struct l2g_addrs *own, const uint8_t *f,
			   size_t len)
{
	struct frame_info fi;

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
	return l2g_ipv6(own, fi.ip6, frame_l3_len(len));
}
