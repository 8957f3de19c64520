/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * svchost6.c - the services host's IPv6 side: its addresses (::3, and ::2
 * on the alias, each with the link-local address of its MAC, preferred at
 * once: no duplicate address detection to wait for), and which IPv6
 * frames lwIP may see. lwIP is built with IPv6 forwarding: a packet for
 * any other address would be routed out of another netif, into another
 * network. So only neighbour solicitations and advertisements, echo
 * requests, UDP and TCP for the host's own addresses pass, without
 * extension headers (svc_ip6_for()).
 */
#include <string.h>

#include "lwip/ip6_addr.h"
#include "lwip/netif.h"

#include "base/be.h"
#include "packet/frame.h"
#include "packet/svchost_int.h"

/**
 * svc_ip6_up() - give a netif its IPv6 addresses, preferred at once; core
 * lock held
 * @netif:	the netif, up, its MAC set
 * @a:		its address in the network's prefix
 *
 * Slot 0 is the link-local address of the MAC (lwIP sends neighbour
 * solicitations from it).
 *
 * Return: 0, or -1 if lwIP has no slot for @a
 */
int svc_ip6_up(struct netif *netif, const struct in6_addr *a)
{
	ip6_addr_t ip;
	s8_t idx;

	netif_create_ip6_linklocal_address(netif, 1);
	netif_ip6_addr_set_state(netif, 0, IP6_ADDR_PREFERRED);
	memset(&ip, 0, sizeof(ip));
	memcpy(ip.addr, a->s6_addr, sizeof(ip.addr));
	if (netif_add_ip6_address(netif, &ip, &idx) != ERR_OK)
		return -1;
	netif_ip6_addr_set_state(netif, idx, IP6_ADDR_PREFERRED);
#if LWIP_IPV6_SEND_ROUTER_SOLICIT
	netif->rs_count = 0; /* the gateway advertises to guests, not to us */
#endif
	return 0;
}

/* ICMPv6 types the host takes (RFC 4443, RFC 4861) */
#define SVC_ICMP6_ECHO 128
#define SVC_ICMP6_NS   135
#define SVC_ICMP6_NA   136
#define SVC_ND_LEN     24 /* NS and NA: ICMPv6 header, flags, target */
#define SVC_ND_TARGET  8  /* offset of the target address */

/**
 * svc_ip6_mine() - is @a one of @netif's IPv6 addresses?
 * @netif:	a netif of the host
 * @a:		16 bytes of an address, any alignment
 *
 * Read without the core lock, as svc_input() reads the IPv4 address: the
 * addresses are set by svc_new() and lwIP never changes them (static,
 * preferred, no duplicate address detection).
 *
 * Return: nonzero if it is a valid address of @netif
 */
static int svc_ip6_mine(const struct netif *netif, const uint8_t *a)
{
	int i;

	for (i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		if (ip6_addr_isvalid(netif_ip6_addr_state(netif, i)) &&
		    !memcmp(netif_ip6_addr(netif, i)->addr, a, 16))
			return 1;
	return 0;
}

/**
 * svc_ip6_unicast() - the netif a unicast IPv6 packet is for
 * @s:		host
 * @dst:	its destination address
 * @mac:	its frame's destination MAC
 *
 * The alias takes frames sent to its own MAC and, for ::2, to the
 * gateway's IPv6 MAC, which is what guests resolve ::2 to (the network
 * steers only DNS there).
 *
 * Return: the netif, or NULL if the packet is not for this host
 */
static struct netif *svc_ip6_unicast(struct svc *s, const uint8_t *dst,
				     const uint8_t *mac)
{
	if (!memcmp(mac, s->netif.hwaddr, ETH_HWADDR_LEN) &&
	    svc_ip6_mine(&s->netif, dst))
		return &s->netif;
	if (s->has_alias &&
	    (!memcmp(mac, s->alias.hwaddr, ETH_HWADDR_LEN) ||
	     !memcmp(mac, s->alias_mac6, ETH_HWADDR_LEN)) &&
	    svc_ip6_mine(&s->alias, dst))
		return &s->alias;
	return NULL;
}

/**
 * svc_ip6_ns() - the netif a neighbour solicitation is for
 * @s:		host
 * @ip:		its IPv6 header
 * @nd:		the solicitation, SVC_ND_LEN bytes at least
 * @mac:	its frame's destination MAC
 *
 * The main netif answers for its addresses; the alias only for the
 * link-local address of its own MAC: ::2 (and fe80::2) are libslirp's to
 * answer, with the gateway's IPv6 MAC. A solicitation comes to the
 * solicited-node group of its target, or to the target itself (a guest
 * checking a neighbour it knows).
 *
 * Return: the netif, or NULL to drop the frame
 */
static struct netif *svc_ip6_ns(struct svc *s, const struct frame_ip6 *ip,
				const uint8_t *nd, const uint8_t *mac)
{
	const uint8_t *target = nd + SVC_ND_TARGET;
	struct netif *n = NULL;

	if (svc_ip6_mine(&s->netif, target))
		n = &s->netif;
	else if (s->has_alias && svc_ip6_mine(&s->alias, target) &&
		 !memcmp(netif_ip6_addr(&s->alias, 0)->addr, target, 16))
		n = &s->alias;
	if (!n || ip->dst[0] == 0xff)
		return n; /* multicast: lwIP checks the group */
	return memcmp(ip->dst, target, 16) ||
		       memcmp(mac, n->hwaddr, ETH_HWADDR_LEN)
		   ? NULL
		   : n;
}

/**
 * svc_ip6_for() - which netif of the host an IPv6 frame is for, if any
 * @s:		host
 * @f:		Ethernet frame of type IPv6
 * @len:	its length
 * @syn:	set to 1 for a TCP SYN without ACK (svc_syn_full())
 * @src:	set to the packet's source, for a SYN
 *
 * Return: the netif to hand the frame to, or NULL to drop it
 */
struct netif *svc_ip6_for(struct svc *s, const uint8_t *f, size_t len, int *syn,
			  ip_addr_t *src)
{
	const struct frame_eth *eth = frame_eth(f, len);
	const struct frame_tcp *tcp;
	struct frame_info fi;
	const uint8_t *l4;
	struct netif *n;

	if (!s->has_ip6 || frame_parse(f, len, &fi) || !fi.ip6 ||
	    be16_get(fi.ip6->plen) > len - fi.l4)
		return NULL;
	switch (fi.proto) {
	case FRAME_IPPROTO_ICMPV6:
		l4 = frame_l4(f, len, &fi, 4);
		if (!l4)
			return NULL;
		if (l4[0] == SVC_ICMP6_NS)
			return frame_l4(f, len, &fi, SVC_ND_LEN)
				   ? svc_ip6_ns(s, fi.ip6, l4, eth->dst)
				   : NULL;
		if (l4[0] != SVC_ICMP6_NA && l4[0] != SVC_ICMP6_ECHO)
			return NULL;
		return svc_ip6_unicast(s, fi.ip6->dst, eth->dst);
	case FRAME_IPPROTO_UDP:
		return svc_ip6_unicast(s, fi.ip6->dst, eth->dst);
	case FRAME_IPPROTO_TCP:
		n = svc_ip6_unicast(s, fi.ip6->dst, eth->dst);
		tcp = (const struct frame_tcp *)frame_l4(f, len, &fi,
							 FRAME_TCP_HLEN);
		if (n && tcp &&
		    (tcp->flags & (FRAME_TCP_SYN | FRAME_TCP_ACK)) ==
			FRAME_TCP_SYN) {
			*syn = 1;
			IP_SET_TYPE_VAL(*src, IPADDR_TYPE_V6);
			memcpy(ip_2_ip6(src)->addr, fi.ip6->src, 16);
		}
		return n;
	default:
		return NULL; /* extension headers too */
	}
}
