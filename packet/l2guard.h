/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * l2guard.h - what a guest's frame may not carry onto the LAN: VLAN tags,
 * IPv6 router and DHCPv6 server messages, neighbour advertisements for the
 * network's own hosts, multicast and misused unspecified sources, forged
 * link-layer address options (see l2guard.c).
 */
#ifndef USERNETD_L2GUARD_H
#define USERNETD_L2GUARD_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define L2G_ADDRS_MAX 8 /* IPv6 addresses of the network's own hosts */

/**
 * enum l2g_verdict - what l2g_check() found
 * @L2G_PASS:	nothing of the below: the frame may go on
 * @L2G_VLAN:	an 802.1Q (0x8100), 802.1ad (0x88a8) or 0x9100 tag
 * @L2G_RA:	an ICMPv6 router advertisement (134)
 * @L2G_REDIRECT: an ICMPv6 redirect (137)
 * @L2G_DHCPV6:	UDP from port 547 to 546: a DHCPv6 server's or relay's
 *		message to a client
 * @L2G_NA:	a neighbour advertisement (136) whose target is one of the
 *		network's own addresses
 * @L2G_SPOOF6:	an IPv6 packet from one of the network's own addresses
 * @L2G_CHAIN:	an IPv6 packet whose header chain cannot be followed to
 *		its upper-layer header within the frame (a first fragment
 *		without it, RFC 7112/7113, or a truncated packet)
 * @L2G_SRC6:	an IPv6 packet from a multicast source, or from :: that is
 *		neither a neighbour solicitation (DAD) nor an MLD report
 * @L2G_LLADDR:	a router or neighbour solicitation or a neighbour
 *		advertisement whose link-layer address option names another
 *		MAC than the frame's source
 */
enum l2g_verdict {
	L2G_PASS,
	L2G_VLAN,
	L2G_RA,
	L2G_REDIRECT,
	L2G_DHCPV6,
	L2G_NA,
	L2G_SPOOF6,
	L2G_CHAIN,
	L2G_SRC6,
	L2G_LLADDR,
};

/**
 * struct l2g_info - what l2g_check() found in an IPv6 packet, for the
 * network's table of who owns which address (lan/own6.c)
 * @src:	the 16 bytes of its source address in the frame, NULL if
 *		the frame holds no IPv6 fixed header
 * @target:	the 16 bytes of the target address of a neighbour
 *		solicitation or advertisement, else NULL
 * @icmp6:	the ICMPv6 type, or -1 if it is no ICMPv6 message whose
 *		type could be read (not ICMPv6, a later fragment)
 */
struct l2g_info {
	const uint8_t *src;
	const uint8_t *target;
	int icmp6;
};

/**
 * struct l2g_addrs - IPv6 addresses no guest may claim; zeroed is empty
 * @a:		the addresses
 * @n:		entries of @a in use
 */
struct l2g_addrs {
	struct in6_addr a[L2G_ADDRS_MAX];
	unsigned n;
};

int l2g_add(struct l2g_addrs *own, const struct in6_addr *a);
void l2g_link_local(const uint8_t mac[6], struct in6_addr *a);
enum l2g_verdict l2g_check(const struct l2g_addrs *own, const uint8_t *f,
			   size_t len, struct l2g_info *info);
int l2g_martian6(const uint8_t *f, size_t len, const struct in6_addr *prefix);

#endif /* USERNETD_L2GUARD_H */
