/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpurg.c - takes TCP urgent data out of guests' segments before libslirp
 * sees them.
 *
 * libslirp 4.7 (CVE-2026-9539) takes a segment's urgent pointer as the
 * count of urgent bytes (so_urgc) without bounding it by the data it holds;
 * sosendoob() then sends up to 2 KiB from the socket's receive buffer to the
 * host: stale or uninitialised heap, past the end of the buffer when its
 * read pointer is near the end, and the buffered count wraps. Guests get no
 * urgent data at all: URG is cleared and the urgent pointer zeroed, the TCP
 * checksum fixed incrementally (RFC 1624). The payload is delivered as
 * ordinary data, which is what SO_OOBINLINE (libslirp's setting) made of it
 * anyway.
 *
 * libslirp reassembles IPv4 fragments before TCP sees them: a first
 * fragment carrying a TCP header is cleared like a whole segment, and the
 * fragments that could overwrite a header already checked (offset 8 or 16
 * bytes, or a first fragment too short for the header: RFC 1858) are
 * dropped. libslirp 4.7 parses no IPv6 extension headers, so only IPv6
 * packets whose next header is TCP can reach its TCP.
 */
#include <string.h>

#include "packet/tcpurg.h"

#define TCPURG_ETH_HLEN 14
#define TCPURG_TCP_HLEN 20
#define TCPURG_TH_URG	0x20

/**
 * tcpurg_ipv4() - find the TCP header of an IPv4 packet
 * @ip:		IPv4 header
 * @len:	bytes from @ip to the end of the frame
 * @tcp_off:	set to the TCP header's offset from @ip
 *
 * Return: TCPURG_CLEAR if a whole TCP header was found (whether or not it
 * has urgent data), TCPURG_DROP for a fragment to drop, else TCPURG_PASS
 */
static enum tcpurg_verdict tcpurg_ipv4(const uint8_t *ip, size_t len,
				       size_t *tcp_off)
{
	size_t hl, tot, frag;
	int more;

	if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != 6)
		return TCPURG_PASS;
	hl = (size_t)(ip[0] & 0x0f) * 4;
	tot = (size_t)ip[2] << 8 | ip[3];
	frag = ((size_t)(ip[6] & 0x1f) << 8 | ip[7]) * 8;
	more = ip[6] & 0x20;
	if (tot > len)
		tot = len; /* truncated: libslirp drops it */
	if (hl < 20 || tot < hl)
		return TCPURG_PASS; /* libslirp drops it */
	if (frag)
		return frag < TCPURG_TCP_HLEN ? TCPURG_DROP : TCPURG_PASS;
	if (tot - hl < TCPURG_TCP_HLEN)
		return more ? TCPURG_DROP : TCPURG_PASS;
	*tcp_off = hl;
	return TCPURG_CLEAR;
}

/**
 * tcpurg_ipv6() - find the TCP header of an IPv6 packet
 * @ip:		IPv6 header
 * @len:	bytes from @ip to the end of the frame
 * @tcp_off:	set to the TCP header's offset from @ip
 *
 * Return: TCPURG_CLEAR if a whole TCP header follows the fixed header,
 * else TCPURG_PASS
 */
static enum tcpurg_verdict tcpurg_ipv6(const uint8_t *ip, size_t len,
				       size_t *tcp_off)
{
	size_t pl;

	if (len < 40 || (ip[0] >> 4) != 6 || ip[6] != 6)
		return TCPURG_PASS;
	pl = (size_t)ip[4] << 8 | ip[5];
	if (pl > len - 40)
		pl = len - 40;
	if (pl < TCPURG_TCP_HLEN)
		return TCPURG_PASS;
	*tcp_off = 40;
	return TCPURG_CLEAR;
}

/**
 * tcpurg_scan() - does a frame for libslirp carry TCP urgent data?
 * @frame:	Ethernet frame
 * @len:	its length
 * @tcp_off:	set to the TCP header's offset in @frame for TCPURG_CLEAR
 *
 * Reads nothing outside @frame. Frames of other types, other protocols,
 * non-first fragments and truncated headers (which libslirp drops) pass.
 *
 * Return: the verdict
 */
enum tcpurg_verdict tcpurg_scan(const uint8_t *frame, size_t len,
				size_t *tcp_off)
{
	enum tcpurg_verdict v;
	const uint8_t *tcp;
	size_t off = 0;

	if (len < TCPURG_ETH_HLEN)
		return TCPURG_PASS;
	if (frame[12] == 0x08 && frame[13] == 0x00)
		v = tcpurg_ipv4(frame + TCPURG_ETH_HLEN, len - TCPURG_ETH_HLEN,
				&off);
	else if (frame[12] == 0x86 && frame[13] == 0xdd)
		v = tcpurg_ipv6(frame + TCPURG_ETH_HLEN, len - TCPURG_ETH_HLEN,
				&off);
	else
		return TCPURG_PASS;
	if (v != TCPURG_CLEAR)
		return v;
	tcp = frame + TCPURG_ETH_HLEN + off;
	if (!(tcp[13] & TCPURG_TH_URG) && !tcp[18] && !tcp[19])
		return TCPURG_PASS;
	*tcp_off = TCPURG_ETH_HLEN + off;
	return TCPURG_CLEAR;
}

/**
 * tcpurg_csum_fix() - RFC 1624 eqn. 3: checksum after a 16-bit word changed
 * @hc:		old checksum
 * @m:		old value of the word
 * @m1:		new value
 *
 * Return: HC' = ~(~HC + ~m + m')
 */
static uint16_t tcpurg_csum_fix(uint16_t hc, uint16_t m, uint16_t m1)
{
	uint32_t s = (uint32_t)(uint16_t)~hc + (uint16_t)~m + m1;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/**
 * tcpurg_get16() - a 16-bit word in network order
 */
static uint16_t tcpurg_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * tcpurg_put16() - store a 16-bit word in network order
 */
static void tcpurg_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * tcpurg_clear() - clear URG and the urgent pointer, fix the checksum
 * @frame:	frame tcpurg_scan() said TCPURG_CLEAR of
 * @tcp_off:	the offset it gave
 */
void tcpurg_clear(uint8_t *frame, size_t tcp_off)
{
	uint8_t *tcp = frame + tcp_off;
	uint16_t sum = tcpurg_get16(tcp + 16);
	uint16_t w = tcpurg_get16(tcp + 12);

	sum = tcpurg_csum_fix(sum, w, w & (uint16_t)~TCPURG_TH_URG);
	sum = tcpurg_csum_fix(sum, tcpurg_get16(tcp + 18), 0);
	tcp[13] &= (uint8_t)~TCPURG_TH_URG;
	tcpurg_put16(tcp + 18, 0);
	tcpurg_put16(tcp + 16, sum);
}

/**
 * tcpurg_fix() - tcpurg_scan() and tcpurg_clear() in place
 * @frame:	Ethernet frame
 * @len:	its length
 *
 * Return: the verdict; the frame was changed if TCPURG_CLEAR
 */
enum tcpurg_verdict tcpurg_fix(uint8_t *frame, size_t len)
{
	size_t off;
	enum tcpurg_verdict v = tcpurg_scan(frame, len, &off);

	if (v == TCPURG_CLEAR)
		tcpurg_clear(frame, off);
	return v;
}
