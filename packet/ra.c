/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ra.c - owns the completion of libslirp's router advertisements on their
 * way from the gateway to the LAN.
 *
 * libslirp 4.7 advertises the prefix and itself as the default router,
 * which is all a guest needs for SLAAC, but no MTU option (a guest stays
 * at 1500 whatever --mtu says, or at what DHCP said for IPv4 only), and an
 * RDNSS option only when the host itself has an IPv6 DNS server, naming
 * its vnameserver6 (the gateway's ::2, since ::3 is the services host's)
 * with a lifetime computed in milliseconds but sent as seconds. So every
 * advertisement leaving the gateway is rewritten: its MTU and RDNSS
 * options removed, an MTU option with the network's MTU and an RDNSS
 * option naming the services host (::3) appended, the IPv6 payload length
 * and the ICMPv6 checksum recomputed. The other options (source link-layer
 * address, prefix information) and the header stay as libslirp made them.
 *
 * Only bytes: no allocation, the caller gives the output buffer; a frame
 * that is not a router advertisement is left alone, one that cannot be
 * read is dropped rather than half rewritten.
 */
#include <string.h>

#include "packet/frame.h"
#include "packet/ra.h"

#define RA_ICMP6_RA 134
#define RA_HLEN                                                                \
	16	       /* type, code, checksum, hop limit, flags, router       \
			* lifetime, reachable time, retransmission timer */
#define RA_CSUM	     2 /* offset of the ICMPv6 checksum */
#define RA_OPT_MTU   5
#define RA_OPT_RDNSS 25

/**
 * ra_find() - is @f a router advertisement, and where is it?
 * @f:		Ethernet frame
 * @len:	its length
 * @fi:		filled in by frame_parse()
 *
 * Only an ICMPv6 message right after the fixed header counts: that is how
 * libslirp sends one (and how a guest must receive one, RFC 4861 6.1.2
 * requires hop limit 255, which options headers do not change, but
 * libslirp never adds them).
 *
 * Return: nonzero if it is one
 */
static int ra_find(const uint8_t *f, size_t len, struct frame_info *fi)
{
	const uint8_t *icmp;

	if (frame_parse(f, len, fi) || !fi->ip6 ||
	    fi->proto != FRAME_IPPROTO_ICMPV6)
		return 0;
	icmp = frame_l4(f, len, fi, 1);
	return icmp && icmp[0] == RA_ICMP6_RA;
}

/**
 * ra_options_ok() - do the options of an advertisement fill it exactly?
 * @o:		the first option
 * @n:		bytes from there to the end of the message
 *
 * Every option has a type, a length in units of 8 bytes that is not 0
 * (RFC 4861 4.6), and ends within the message.
 *
 * Return: nonzero if they do
 */
static int ra_options_ok(const uint8_t *o, size_t n)
{
	size_t ol;

	while (n) {
		if (n < 2 || !o[1])
			return 0;
		ol = (size_t)o[1] * 8;
		if (ol > n)
			return 0;
		o += ol;
		n -= ol;
	}
	return 1;
}

/**
 * ra_copy_options() - copy the options but MTU and RDNSS
 * @o:		the first option, checked by ra_options_ok()
 * @n:		bytes of options
 * @dst:	where they go, room for @n bytes
 *
 * Return: the bytes copied
 */
static size_t ra_copy_options(const uint8_t *o, size_t n, uint8_t *dst)
{
	size_t ol, kept = 0;

	for (; n; o += ol, n -= ol) {
		ol = (size_t)o[1] * 8;
		if (o[0] == RA_OPT_MTU || o[0] == RA_OPT_RDNSS)
			continue;
		memcpy(dst + kept, o, ol);
		kept += ol;
	}
	return kept;
}

/**
 * ra_add_options() - write the MTU and RDNSS options
 * @c:		what they say
 * @p:		where they go, room for RA_GROW bytes
 */
static void ra_add_options(const struct ra_config *c, uint8_t *p)
{
	memset(p, 0, RA_GROW);
	p[0] = RA_OPT_MTU;
	p[1] = RA_MTU_LEN / 8;
	be32_put(p + 4, c->mtu);
	p += RA_MTU_LEN;
	p[0] = RA_OPT_RDNSS;
	p[1] = RA_RDNSS_LEN / 8;
	be32_put(p + 4, RA_RDNSS_LIFETIME);
	memcpy(p + 8, c->dns.s6_addr, 16);
}

/**
 * ra_sum() - add bytes to a one's complement sum, as 16-bit words
 * @sum:	the sum so far
 * @p:		the bytes
 * @n:		how many; an odd last byte is padded with a zero
 *
 * Return: the new sum, not folded
 */
static uint32_t ra_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		sum += be16_get(p);
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/**
 * ra_csum() - the ICMPv6 checksum of a message (RFC 4443 2.3)
 * @ip:		its IPv6 header; the message follows, @plen bytes, with its
 *		checksum field zero
 * @plen:	the message's length
 *
 * Return: the checksum, host order
 */
static uint16_t ra_csum(const struct frame_ip6 *ip, size_t plen)
{
	uint32_t sum = 0;

	sum = ra_sum(sum, ip->src, 16);
	sum = ra_sum(sum, ip->dst, 16);
	sum += (uint32_t)(plen >> 16) + (uint32_t)(plen & 0xffff);
	sum += FRAME_IPPROTO_ICMPV6;
	sum = ra_sum(sum, (const uint8_t *)ip + FRAME_IP6_HLEN, plen);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * ra_rewrite() - complete a router advertisement leaving the gateway
 * @c:		the MTU and DNS server to advertise
 * @f:		Ethernet frame from libslirp
 * @len:	its length
 * @out:	where the completed frame goes
 * @cap:	room in @out; @len + RA_GROW always does
 * @outlen:	set to the completed frame's length for RA_DONE
 *
 * The frame ends where the IPv6 payload length says: Ethernet padding
 * after it is not copied.
 *
 * Return: RA_PASS for a frame that is no router advertisement (send @f
 * as it is), RA_DONE when @out holds the completed one, RA_DROP for one
 * that is truncated, has malformed options or does not fit @cap
 */
enum ra_verdict ra_rewrite(const struct ra_config *c, const uint8_t *f,
			   size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	struct frame_info fi;
	struct frame_ip6 *ip;
	size_t plen, kept, need;
	uint8_t *msg;

	if (!ra_find(f, len, &fi))
		return RA_PASS;
	plen = be16_get(fi.ip6->plen);
	if (plen > len - fi.l4 || plen < RA_HLEN ||
	    !ra_options_ok(f + fi.l4 + RA_HLEN, plen - RA_HLEN))
		return RA_DROP;
	need = fi.l4 + plen + RA_GROW; /* the most the options can take */
	if (need > cap || plen + RA_GROW > 0xffff)
		return RA_DROP;
	memcpy(out, f, fi.l4 + RA_HLEN);
	msg = out + fi.l4;
	kept =
	    ra_copy_options(f + fi.l4 + RA_HLEN, plen - RA_HLEN, msg + RA_HLEN);
	ra_add_options(c, msg + RA_HLEN + kept);
	plen = RA_HLEN + kept + RA_GROW;
	ip = (struct frame_ip6 *)(out + fi.l3);
	be16_put(ip->plen, (uint16_t)plen);
	be16_put(msg + RA_CSUM, 0);
	be16_put(msg + RA_CSUM, ra_csum(ip, plen));
	*outlen = fi.l4 + plen;
	return RA_DONE;
}
