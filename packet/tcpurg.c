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

#include "packet/frame.h"
#include "packet/tcpurg.h"

/**
 * tcpurg_scan() - does a frame for libslirp carry TCP urgent data?
 * @frame:	Ethernet frame
 * @len:	its length
 * @tcp_off:	set to the TCP header's offset in @frame for TCPURG_CLEAR
 *
 * Reads nothing outside @frame. Frames of other types, other protocols,
 * non-first fragments and truncated headers (which libslirp drops) pass;
 * so do IPv6 packets with extension headers, which libslirp 4.7 does not
 * parse. A fragment that could overwrite a TCP header already checked
 * (RFC 1858) is dropped: a non-first one at an offset below the header's
 * length, a first one (MF set) too short for the header.
 *
 * Return: TCPURG_CLEAR if a whole TCP header with URG or an urgent
 * pointer was found, TCPURG_DROP for a fragment to drop, else TCPURG_PASS
 */
enum tcpurg_verdict tcpurg_scan(const uint8_t *frame, size_t len,
				size_t *tcp_off)
{
	const struct frame_tcp *tcp;
	struct frame_info fi;

	/* no header, or an IP length shorter than it: libslirp drops it */
	if (frame_parse(frame, len, &fi) || fi.proto != FRAME_IPPROTO_TCP ||
	    !fi.l4 || fi.end < fi.l4)
		return TCPURG_PASS;
	if (fi.frag_off)
		return fi.frag_off < FRAME_TCP_HLEN ? TCPURG_DROP : TCPURG_PASS;
	if (fi.end - fi.l4 < FRAME_TCP_HLEN)
		return fi.frag_more ? TCPURG_DROP : TCPURG_PASS;
	tcp = (const struct frame_tcp *)(frame + fi.l4);
	if (!(tcp->flags & FRAME_TCP_URG) && !be16_get(tcp->urp))
		return TCPURG_PASS;
	*tcp_off = fi.l4;
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
 * tcpurg_clear() - clear URG and the urgent pointer, fix the checksum
 * @frame:	frame tcpurg_scan() said TCPURG_CLEAR of
 * @tcp_off:	the offset it gave
 */
void tcpurg_clear(uint8_t *frame, size_t tcp_off)
{
	struct frame_tcp *tcp = (struct frame_tcp *)(frame + tcp_off);
	uint16_t sum = be16_get(tcp->csum);
	uint16_t w = (uint16_t)(tcp->off << 8 | tcp->flags); /* one word */

	sum = tcpurg_csum_fix(sum, w, w & (uint16_t)~FRAME_TCP_URG);
	sum = tcpurg_csum_fix(sum, be16_get(tcp->urp), 0);
	tcp->flags &= (uint8_t)~FRAME_TCP_URG;
	be16_put(tcp->urp, 0);
	be16_put(tcp->csum, sum);
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
