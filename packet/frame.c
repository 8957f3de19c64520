/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * frame.c - owns the questions a network asks of a frame before it knows
 * where the frame goes: its transport destination, whether it is sent to
 * a martian address, which IPv4 address it claims as its sender. They
 * read only through frame.h's views; the policy (what to do with the
 * answer) is the network's (lan/).
 */
#include <string.h>

#include "packet/frame.h"

/**
 * frame_dport() - destination port of an IPv4 TCP or UDP packet
 * @f:		Ethernet frame
 * @len:	its length
 * @proto:	set to the IP protocol (FRAME_IPPROTO_TCP or _UDP)
 * @dst:	set to the destination address, network order
 *
 * Return: the port, or -1 if the frame is no such packet, or a fragment
 * after the first (no ports in it)
 */
int frame_dport(const uint8_t *f, size_t len, uint8_t *proto, uint32_t *dst)
{
	const struct frame_udp *l4; /* the ports: where TCP has them too */
	struct frame_info fi;

	if (frame_parse(f, len, &fi) || !fi.ip4 ||
	    (fi.proto != FRAME_IPPROTO_TCP && fi.proto != FRAME_IPPROTO_UDP) ||
	    fi.frag_off)
		return -1;
	l4 = (const struct frame_udp *)frame_l4(f, len, &fi, 4);
	if (!l4)
		return -1;
	*proto = fi.proto;
	memcpy(dst, fi.ip4->dst, 4);
	return be16_get(l4->dport);
}

/**
 * frame_udp_to() - is this a UDP datagram over IPv4 to @port?
 * @f:		Ethernet frame
 * @len:	its length
 * @port:	the destination port
 *
 * Return: nonzero if it is
 */
int frame_udp_to(const uint8_t *f, size_t len, uint16_t port)
{
	uint8_t proto;
	uint32_t dst;

	return frame_dport(f, len, &proto, &dst) == port &&
	       proto == FRAME_IPPROTO_UDP;
}

/**
 * frame_martian() - is this an IPv4 packet to 0.0.0.0/8 or 127.0.0.0/8?
 * @f:		Ethernet frame
 * @len:	its length
 *
 * No host sends there on a link (RFC 1122 3.2.1.3).
 *
 * Return: nonzero if it is one
 */
int frame_martian(const uint8_t *f, size_t len)
{
	struct frame_info fi;

	return !frame_parse(f, len, &fi) && fi.ip4 &&
	       (fi.ip4->dst[0] == 0 || fi.ip4->dst[0] == 127);
}

/**
 * frame_sender4() - the IPv4 address a frame claims as its sender
 * @f:		Ethernet frame
 * @len:	its length
 * @ip:		set to the ARP sender address or the IPv4 source (whatever
 *		the version field says), network order
 *
 * Return: 1 if the frame has one, else 0
 */
int frame_sender4(const uint8_t *f, size_t len, uint32_t *ip)
{
	const struct frame_arp *arp = frame_arp(f, len);
	struct frame_info fi;

	frame_parse(f, len, &fi); /* any version: the source is checked */
	if (arp)
		memcpy(ip, arp->spa, 4);
	else if (fi.ip4)
		memcpy(ip, fi.ip4->src, 4);
	else
		return 0;
	return 1;
}
