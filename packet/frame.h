/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * frame.h - owns the one vocabulary every parser of Ethernet frames uses:
 * the Ethernet, ARP, IPv4, IPv6, UDP and TCP header views, the constants
 * (header lengths, ethertypes, IP protocol numbers) and bounds-checked
 * getters that hand out a view only when the frame holds all of it.
 *
 * As in passt (packet_get(), then struct iphdr), a parser asks for a view
 * and reads named fields instead of f[14 + 9]. Unlike passt the views are
 * our own, not <netinet/ip.h>'s: struct iphdr is Linux's, struct ip has
 * bit-fields whose order depends on the platform, and both assume a frame
 * aligned for their 16- and 32-bit members, which a frame at offset 14 of
 * a port's buffer is not. So every member here is uint8_t or an array of
 * uint8_t: the structs have alignment 1 and no padding (asserted below),
 * a view may be laid over any byte of a frame, reading a member is a
 * character access (no strict-aliasing question), and multi-byte fields
 * are read and written in network order by base/be.h (be16_get(),
 * be16_put() and their 32-bit kin), which the compiler turns into one load and
 * a byte swap. No packed attribute, no extension: it builds the same on
 * Linux, macOS and the BSDs.
 *
 * The getters cost a length compare: they copy nothing and allocate
 * nothing, for the per-frame path. They check what every caller needs
 * (the ethertype and that the fixed header is there); each parser keeps
 * its own policy (version, header length, fragments) on top, since the
 * peers they guard (libslirp, lwIP) draw those lines differently.
 * frame.c answers the questions the network asks of any frame
 * (frame_dport(), frame_martian(), frame_sender4()).
 */
#ifndef USERNETD_FRAME_H
#define USERNETD_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "base/be.h"

#define FRAME_ETH_ALEN 6  /* a MAC address */
#define FRAME_ETH_HLEN 14 /* Ethernet header, untagged */
#define FRAME_ARP_LEN  28 /* ARP for IPv4 over Ethernet */
#define FRAME_IP4_HLEN 20 /* IPv4 header without options */
#define FRAME_IP6_HLEN 40 /* IPv6 fixed header */
#define FRAME_UDP_HLEN 8
#define FRAME_TCP_HLEN 20 /* TCP header without options */

#define FRAME_ETH_IP4	   0x0800
#define FRAME_ETH_ARP	   0x0806
#define FRAME_ETH_IP6	   0x86dd
#define FRAME_ETH_VLAN	   0x8100 /* 802.1Q */
#define FRAME_ETH_QINQ	   0x88a8 /* 802.1ad */
#define FRAME_ETH_QINQ_OLD 0x9100

#define FRAME_IPPROTO_HOPOPTS 0
#define FRAME_IPPROTO_ICMP    1
#define FRAME_IPPROTO_TCP     6
#define FRAME_IPPROTO_UDP     17
#define FRAME_IPPROTO_ROUTING 43
#define FRAME_IPPROTO_FRAG    44
#define FRAME_IPPROTO_AH      51
#define FRAME_IPPROTO_ICMPV6  58
#define FRAME_IPPROTO_DSTOPTS 60

#define FRAME_IP4_RF	  0x8000 /* reserved flag */
#define FRAME_IP4_DF	  0x4000
#define FRAME_IP4_MF	  0x2000
#define FRAME_IP4_OFFMASK 0x1fff /* offset, in 8-byte units */

#define FRAME_ARP_REPLY 2

#define FRAME_TCP_FIN 0x01
#define FRAME_TCP_SYN 0x02
#define FRAME_TCP_RST 0x04
#define FRAME_TCP_ACK 0x10
#define FRAME_TCP_URG 0x20

/**
 * struct frame_eth - Ethernet header
 * @dst:	destination MAC
 * @src:	source MAC
 * @type:	ethertype, network order (be16_get())
 */
struct frame_eth {
	uint8_t dst[FRAME_ETH_ALEN];
	uint8_t src[FRAME_ETH_ALEN];
	uint8_t type[2];
};

/**
 * struct frame_arp - ARP packet for IPv4 over Ethernet (RFC 826)
 * @htype:	hardware type (1)
 * @ptype:	protocol type (0x0800)
 * @hlen:	hardware address length (6)
 * @plen:	protocol address length (4)
 * @op:		opcode: 1 request, 2 reply
 * @sha:	sender MAC
 * @spa:	sender IPv4 address, network order
 * @tha:	target MAC
 * @tpa:	target IPv4 address, network order
 */
struct frame_arp {
	uint8_t htype[2];
	uint8_t ptype[2];
	uint8_t hlen;
	uint8_t plen;
	uint8_t op[2];
	uint8_t sha[FRAME_ETH_ALEN];
	uint8_t spa[4];
	uint8_t tha[FRAME_ETH_ALEN];
	uint8_t tpa[4];
};

/**
 * struct frame_ip4 - IPv4 header without options (RFC 791)
 * @vhl:	version (high nibble), header length in 32-bit words (low)
 * @tos:	type of service
 * @len:	total length
 * @id:		identification
 * @frag:	flags (FRAME_IP4_DF, FRAME_IP4_MF) and fragment offset
 * @ttl:	time to live
 * @proto:	protocol (FRAME_IPPROTO_*)
 * @csum:	header checksum
 * @src:	source address, network order
 * @dst:	destination address, network order
 */
struct frame_ip4 {
	uint8_t vhl;
	uint8_t tos;
	uint8_t len[2];
	uint8_t id[2];
	uint8_t frag[2];
	uint8_t ttl;
	uint8_t proto;
	uint8_t csum[2];
	uint8_t src[4];
	uint8_t dst[4];
};

/**
 * struct frame_ip6 - IPv6 fixed header (RFC 8200)
 * @vcf:	version (4 bits), traffic class (8), flow label (20)
 * @plen:	payload length: what follows this header
 * @next:	next header (FRAME_IPPROTO_*)
 * @hlim:	hop limit
 * @src:	source address
 * @dst:	destination address
 */
struct frame_ip6 {
	uint8_t vcf[4];
	uint8_t plen[2];
	uint8_t next;
	uint8_t hlim;
	uint8_t src[16];
	uint8_t dst[16];
};

/**
 * struct frame_udp - UDP header (RFC 768)
 * @sport:	source port
 * @dport:	destination port
 * @len:	length of header and data
 * @csum:	checksum
 */
struct frame_udp {
	uint8_t sport[2];
	uint8_t dport[2];
	uint8_t len[2];
	uint8_t csum[2];
};

/**
 * struct frame_tcp - TCP header without options (RFC 9293)
 * @sport:	source port
 * @dport:	destination port
 * @seq:	sequence number
 * @ack:	acknowledgment number
 * @off:	data offset in 32-bit words (high nibble)
 * @flags:	FRAME_TCP_* flags
 * @win:	window
 * @csum:	checksum
 * @urp:	urgent pointer
 */
struct frame_tcp {
	uint8_t sport[2];
	uint8_t dport[2];
	uint8_t seq[4];
	uint8_t ack[4];
	uint8_t off;
	uint8_t flags;
	uint8_t win[2];
	uint8_t csum[2];
	uint8_t urp[2];
};

_Static_assert(sizeof(struct frame_eth) == FRAME_ETH_HLEN, "padding");
_Static_assert(sizeof(struct frame_arp) == FRAME_ARP_LEN, "padding");
_Static_assert(sizeof(struct frame_ip4) == FRAME_IP4_HLEN, "padding");
_Static_assert(sizeof(struct frame_ip6) == FRAME_IP6_HLEN, "padding");
_Static_assert(sizeof(struct frame_udp) == FRAME_UDP_HLEN, "padding");
_Static_assert(sizeof(struct frame_tcp) == FRAME_TCP_HLEN, "padding");

/**
 * struct frame_info - where the headers of a frame are (frame_parse())
 * @type:	ethertype, 0 for a runt
 * @ip4:	the IPv4 header, if @type is IPv4 and the frame holds its
 *		fixed part, whatever its version field says; else NULL
 * @ip6:	the same for the IPv6 fixed header
 * @l3:		offset of the IP header
 * @l4:		offset of the transport header: after the IPv4 header and
 *		its options, or after the IPv6 fixed header; 0 for none (no
 *		IP header of the right version, or an IPv4 header length
 *		below the minimum or past the frame)
 * @end:	offset of the end of the IP packet: where its length says,
 *		cut to the frame (Ethernet pads short frames, a truncated
 *		one ends early); 0 without an IP header
 * @proto:	IPv4 protocol, or the IPv6 next header after the fixed one
 * @frag_off:	IPv4 fragment offset in bytes; 0 for IPv6
 * @frag_more:	the IPv4 more-fragments flag
 */
struct frame_info {
	uint16_t type;
	const struct frame_ip4 *ip4;
	const struct frame_ip6 *ip6;
	size_t l3;
	size_t l4;
	size_t end;
	uint8_t proto;
	unsigned frag_off;
	int frag_more;
};

/* The length of a frame holding an IP packet of @l3len bytes (an MTU). */
#define FRAME_LEN(l3len) ((l3len) + FRAME_ETH_HLEN)

/**
 * frame_eth() - the Ethernet header of a frame
 * @f:		the frame
 * @len:	its length
 *
 * Return: the view, or NULL for a runt
 */
static inline const struct frame_eth *frame_eth(const uint8_t *f, size_t len)
{
	return len < FRAME_ETH_HLEN ? NULL : (const struct frame_eth *)f;
}

/**
 * frame_mac_group() - is a MAC address a group (broadcast or multicast)
 * address?
 * @mac:	the address
 *
 * Return: nonzero if its I/G bit is set
 */
static inline int frame_mac_group(const uint8_t *mac)
{
	return mac[0] & 1;
}

/**
 * frame_type() - the ethertype of a frame
 * @f:		the frame
 * @len:	its length
 *
 * Return: the ethertype, or 0 for a runt (no ethertype is 0)
 */
static inline uint16_t frame_type(const uint8_t *f, size_t len)
{
	const struct frame_eth *eth = frame_eth(f, len);

	return eth ? be16_get(eth->type) : 0;
}

/**
 * frame_arp() - the ARP packet of a frame
 * @f:		the frame
 * @len:	its length
 *
 * Return: the view, or NULL if @f is no ARP frame or too short for one
 */
static inline const struct frame_arp *frame_arp(const uint8_t *f, size_t len)
{
	if (len < FRAME_ETH_HLEN + FRAME_ARP_LEN ||
	    frame_type(f, len) != FRAME_ETH_ARP)
		return NULL;
	return (const struct frame_arp *)(f + FRAME_ETH_HLEN);
}

/**
 * frame_ip4() - the IPv4 header of a frame
 * @f:		the frame
 * @len:	its length
 *
 * The version and header length are the caller's to judge.
 *
 * Return: the view, or NULL if @f is no IPv4 frame or too short for the
 * fixed header
 */
static inline const struct frame_ip4 *frame_ip4(const uint8_t *f, size_t len)
{
	if (len < FRAME_ETH_HLEN + FRAME_IP4_HLEN ||
	    frame_type(f, len) != FRAME_ETH_IP4)
		return NULL;
	return (const struct frame_ip4 *)(f + FRAME_ETH_HLEN);
}

/**
 * frame_ip6() - the IPv6 fixed header of a frame
 * @f:		the frame
 * @len:	its length
 *
 * The version is the caller's to judge.
 *
 * Return: the view, or NULL if @f is no IPv6 frame or too short for the
 * fixed header
 */
static inline const struct frame_ip6 *frame_ip6(const uint8_t *f, size_t len)
{
	if (len < FRAME_ETH_HLEN + FRAME_IP6_HLEN ||
	    frame_type(f, len) != FRAME_ETH_IP6)
		return NULL;
	return (const struct frame_ip6 *)(f + FRAME_ETH_HLEN);
}

/**
 * frame_l3_len() - bytes after the Ethernet header
 * @len:	a frame's length
 *
 * Return: what the frame holds of its IP packet (with padding), 0 for a
 * runt
 */
static inline size_t frame_l3_len(size_t len)
{
	return len < FRAME_ETH_HLEN ? 0 : len - FRAME_ETH_HLEN;
}

/**
 * frame_ip4_version() - the version field of an IPv4 header
 * @ip:		the header
 *
 * Return: the version (4 for a well-formed one)
 */
static inline unsigned frame_ip4_version(const struct frame_ip4 *ip)
{
	return ip->vhl >> 4;
}

/**
 * frame_ip4_hlen() - the header length of an IPv4 header, options included
 * @ip:		the header
 *
 * Return: the length in bytes (from 0; below FRAME_IP4_HLEN is malformed)
 */
static inline size_t frame_ip4_hlen(const struct frame_ip4 *ip)
{
	return (size_t)(ip->vhl & 0x0f) * 4;
}

/**
 * frame_ip4_frag() - the flags and fragment offset of an IPv4 header
 * @ip:		the header
 *
 * Return: the 16-bit field (FRAME_IP4_MF, FRAME_IP4_OFFMASK...)
 */
static inline unsigned frame_ip4_frag(const struct frame_ip4 *ip)
{
	return be16_get(ip->frag);
}

/**
 * frame_ip4_later() - is this a fragment after the first (no transport
 * header in it)?
 * @ip:		the header
 *
 * Return: nonzero if the fragment offset is not 0
 */
static inline int frame_ip4_later(const struct frame_ip4 *ip)
{
	return (frame_ip4_frag(ip) & FRAME_IP4_OFFMASK) != 0;
}

/**
 * frame_ip6_version() - the version field of an IPv6 header
 * @ip:		the header
 *
 * Return: the version (6 for a well-formed one)
 */
static inline unsigned frame_ip6_version(const struct frame_ip6 *ip)
{
	return ip->vcf[0] >> 4;
}

/**
 * frame_tcp_hlen() - the header length of a TCP header, options included
 * @tcp:	the header
 *
 * Return: the data offset in bytes (below FRAME_TCP_HLEN is malformed)
 */
static inline size_t frame_tcp_hlen(const struct frame_tcp *tcp)
{
	return (size_t)(tcp->off >> 4) * 4;
}

/**
 * frame_parse_ip4() - frame_parse() of an IPv4 header of version 4
 * @len:	the frame's length
 * @fi:		filled in; @fi->ip4 is set
 */
static inline void frame_parse_ip4(size_t len, struct frame_info *fi)
{
	const struct frame_ip4 *ip = fi->ip4;
	size_t hl = frame_ip4_hlen(ip), tot = be16_get(ip->len);
	size_t avail = len - fi->l3;
	unsigned fr = frame_ip4_frag(ip);

	fi->proto = ip->proto;
	fi->frag_off = (fr & FRAME_IP4_OFFMASK) * 8;
	fi->frag_more = (fr & FRAME_IP4_MF) != 0;
	fi->end = fi->l3 + (tot < avail ? tot : avail);
	if (hl >= FRAME_IP4_HLEN && hl <= avail)
		fi->l4 = fi->l3 + hl;
}

/**
 * frame_parse() - find the headers of a frame
 * @f:		the frame
 * @len:	its length
 * @fi:		filled in
 *
 * IPv6 extension headers are not followed: @fi->l4 is after the fixed
 * header and @fi->proto its next header (what libslirp 4.7 and lwIP
 * take); l2guard.c walks the chain itself. Costs a few compares: no copy.
 *
 * Return: 0 for an IPv4 header of version 4 or an IPv6 fixed header of
 * version 6, else -1 (@fi->type, @fi->ip4 and @fi->ip6 are set all the
 * same, for parsers that judge a bad version themselves)
 */
static inline int frame_parse(const uint8_t *f, size_t len,
			      struct frame_info *fi)
{
	size_t pl;

	*fi = (struct frame_info){
	    .type = frame_type(f, len),
	    .ip4 = frame_ip4(f, len),
	    .ip6 = frame_ip6(f, len),
	    .l3 = FRAME_ETH_HLEN,
	};
	if (fi->ip4 && frame_ip4_version(fi->ip4) == 4) {
		frame_parse_ip4(len, fi);
		return 0;
	}
	if (!fi->ip6 || frame_ip6_version(fi->ip6) != 6)
		return -1;
	pl = be16_get(fi->ip6->plen);
	fi->proto = fi->ip6->next;
	fi->l4 = fi->l3 + FRAME_IP6_HLEN;
	fi->end = fi->l4 + (pl < len - fi->l4 ? pl : len - fi->l4);
	return 0;
}

/**
 * frame_l4() - the transport header frame_parse() found
 * @f:		the frame
 * @len:	its length
 * @fi:		frame_parse()'s result
 * @need:	bytes the caller reads from it
 *
 * Return: the header's first byte, or NULL if there is none or the frame
 * ends less than @need bytes after it
 */
static inline const uint8_t *frame_l4(const uint8_t *f, size_t len,
				      const struct frame_info *fi, size_t need)
{
	if (!fi->l4 || fi->l4 > len || len - fi->l4 < need)
		return NULL;
	return f + fi->l4;
}

int frame_dport(const uint8_t *f, size_t len, uint8_t *proto, uint32_t *dst);
int frame_udp_to(const uint8_t *f, size_t len, uint16_t port);
int frame_martian(const uint8_t *f, size_t len);
int frame_sender4(const uint8_t *f, size_t len, uint32_t *ip);

#endif /* USERNETD_FRAME_H */
