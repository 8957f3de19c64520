/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reap.c - closes the NAT connections of a VM that left a shared network.
 *
 * libslirp has no call to drop a guest's connections: when a VM's port
 * closes on a user-v2 network, its host sockets stay open until TCP gives
 * up, minutes later, or forever for an idle connection; and every segment
 * libslirp retransmits to the VM's MAC, now unknown to the switch, would
 * be flooded to all the other VMs. The one thing libslirp does listen to
 * is the guest itself, so the network speaks for the departed VM:
 *
 * - When the port closes, network.c lists libslirp's connections and
 *   sends resets for each one the VM opened (reap_blind()).
 * - Connections it cannot name that way (accepted from a host forward:
 *   libslirp's table shows the host's side, not the guest's) close the next
 *   time libslirp sends on them: every TCP segment the gateway sends to a
 *   departed MAC is answered with the RST the VM's own stack would send
 *   (RFC 793 3.4: seq = SEG.ACK, or RST|ACK acknowledging a SYN), and
 *   every frame for such a MAC is dropped instead of flooded.
 *
 * The answers are queued: the gateway's frames leave libslirp from inside
 * tcp_output(), which must not be re-entered with a segment that frees the
 * connection it is working on.
 *
 * Both families: IPv4 and IPv6 resets (Ethernet, IP, 20-byte TCP header).
 * The IPv6 connections a VM opened can be named only by a libslirp whose
 * table prints IPv6 addresses (patch 0013, connection-info-ipv6); on the
 * system library the answer path alone closes those libslirp sends on.
 *
 * A MAC stays departed until it is seen on a port again or the gateway has
 * sent nothing to it for REAP_KEEP_MS.
 */
#include <arpa/inet.h>
#include <string.h>

#include "packet/frame.h"
#include "packet/reap.h"

_Static_assert(REAP_FRAME4 == FRAME_LEN(FRAME_IP4_HLEN + FRAME_TCP_HLEN),
	       "an IPv4 reset is Ethernet, IPv4 and TCP without options");
_Static_assert(REAP_FRAME == FRAME_LEN(FRAME_IP6_HLEN + FRAME_TCP_HLEN),
	       "an IPv6 reset is Ethernet, IPv6 and TCP without options");

/**
 * reap_find() - index of @mac in the departed table, or -1
 * @r:		departed MACs
 * @mac:	the MAC
 *
 * Return: the index, or -1 if @mac is not departed
 */
static int reap_find(const struct reap *r, const uint8_t mac[6])
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!memcmp(r->gone[i].mac, mac, 6))
			return i;
	return -1;
}

/**
 * reap_left() - a port that used @mac closed
 * @r:		departed MACs of the network
 * @mac:	one of the port's MACs
 * @now:	monotonic ms
 *
 * A full table gives up the entry the gateway has been quiet to longest.
 */
void reap_left(struct reap *r, const uint8_t mac[6], int64_t now)
{
	int i = reap_find(r, mac), j;

	if (i < 0 && r->n < REAP_MACS)
		i = r->n++;
	if (i < 0)
		for (i = 0, j = 1; j < r->n; j++)
			if (r->gone[j].seen < r->gone[i].seen)
				i = j;
	memcpy(r->gone[i].mac, mac, 6);
	r->gone[i].seen = now;
}

/**
 * reap_forget() - @mac is on a port again: it is nobody's leftover
 * @r:		departed MACs of the network
 * @mac:	the MAC
 */
void reap_forget(struct reap *r, const uint8_t mac[6])
{
	int i = reap_find(r, mac);

	if (i >= 0)
		r->gone[i] = r->gone[--r->n];
}

/**
 * reap_gone() - is @mac a departed VM's? Asked for each gateway frame to a
 * MAC the switch does not know
 * @r:		departed MACs of the network
 * @mac:	destination of the frame
 * @now:	monotonic ms
 *
 * Return: 1 if it is (and the entry is kept for another REAP_KEEP_MS), 0
 * if not or no more
 */
int reap_gone(struct reap *r, const uint8_t mac[6], int64_t now)
{
	int i = reap_find(r, mac);

	if (i < 0)
		return 0;
	if (now - r->gone[i].seen > REAP_KEEP_MS) {
		reap_forget(r, mac);
		return 0;
	}
	r->gone[i].seen = now;
	return 1;
}

/**
 * reap_sum() - add @len bytes to a ones' complement sum (RFC 1071)
 * @p:		bytes, big-endian 16-bit words
 * @len:	how many
 * @sum:	the sum so far
 *
 * Return: the new sum, not folded
 */
static uint32_t reap_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

/**
 * reap_fold() - the checksum of a sum, stored big-endian at @at
 * @at:		the checksum field
 * @sum:	the ones' complement sum, not yet folded
 */
static void reap_fold(uint8_t *at, uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	be16_put(at, (uint16_t)~sum);
}

/**
 * reap_ip4() - write the IPv4 header of a reset
 * @ip:		the header
 * @t:		its addresses
 *
 * Return: the ones' complement sum of the TCP pseudo-header's addresses
 */
static uint32_t reap_ip4(struct frame_ip4 *ip, const struct reap_tcp *t)
{
	ip->vhl = 4 << 4 | FRAME_IP4_HLEN / 4;
	be16_put(ip->len, FRAME_IP4_HLEN + FRAME_TCP_HLEN);
	be16_put(ip->frag, FRAME_IP4_DF);
	ip->ttl = 64;
	ip->proto = FRAME_IPPROTO_TCP;
	memcpy(ip->src, t->saddr, 4);
	memcpy(ip->dst, t->daddr, 4);
	reap_fold(ip->csum, reap_sum((const uint8_t *)ip, FRAME_IP4_HLEN, 0));
	return reap_sum(ip->src, 8, 0);
}

/**
 * reap_ip6() - write the IPv6 header of a reset
 * @ip:		the header
 * @t:		its addresses
 *
 * Hop limit 64, as Linux sends its resets by default.
 *
 * Return: the ones' complement sum of the TCP pseudo-header's addresses
 */
static uint32_t reap_ip6(struct frame_ip6 *ip, const struct reap_tcp *t)
{
	ip->vcf[0] = 6 << 4;
	be16_put(ip->plen, FRAME_TCP_HLEN);
	ip->next = FRAME_IPPROTO_TCP;
	ip->hlim = 64;
	memcpy(ip->src, t->saddr, 16);
	memcpy(ip->dst, t->daddr, 16);
	return reap_sum(ip->src, 32, 0);
}

/**
 * reap_rst() - build a bare TCP segment with its checksums, over IPv4 or
 * IPv6 as @t says
 * @out:	the frame
 * @src_mac:	Ethernet source (the departed VM)
 * @dst_mac:	Ethernet destination (the gateway)
 * @t:		addresses and ports
 * @seq:	sequence number
 * @ack:	acknowledgment number
 * @flags:	TCP flags (RST, RST|ACK)
 *
 * The pseudo-header's length and protocol sum the same in both families
 * (RFC 793's 16-bit length and zero-padded protocol, RFC 8200's 32-bit
 * length and zero-padded next header): {0, TCP, 0, 20} is both.
 *
 * Return: the frame's length, REAP_FRAME4 or REAP_FRAME
 */
size_t reap_rst(uint8_t out[REAP_FRAME], const uint8_t src_mac[6],
		const uint8_t dst_mac[6], const struct reap_tcp *t,
		uint32_t seq, uint32_t ack, uint8_t flags)
{
	struct frame_eth *eth = (struct frame_eth *)out;
	const uint8_t pseudo[4] = {0, FRAME_IPPROTO_TCP, 0, FRAME_TCP_HLEN};
	size_t l3 = t->v6 ? FRAME_IP6_HLEN : FRAME_IP4_HLEN;
	struct frame_tcp *tcp = (struct frame_tcp *)(out + FRAME_LEN(l3));
	uint32_t sum;

	memset(out, 0, REAP_FRAME);
	memcpy(eth->dst, dst_mac, FRAME_ETH_ALEN);
	memcpy(eth->src, src_mac, FRAME_ETH_ALEN);
	be16_put(eth->type, t->v6 ? FRAME_ETH_IP6 : FRAME_ETH_IP4);
	if (t->v6)
		sum = reap_ip6((struct frame_ip6 *)(eth + 1), t);
	else
		sum = reap_ip4((struct frame_ip4 *)(eth + 1), t);
	memcpy(tcp->sport, &t->sport, 2);
	memcpy(tcp->dport, &t->dport, 2);
	be32_put(tcp->seq, seq);
	be32_put(tcp->ack, ack);
	tcp->off = FRAME_TCP_HLEN / 4 << 4;
	tcp->flags = flags;
	sum = reap_sum(pseudo, 4, sum);
	reap_fold(tcp->csum,
		  reap_sum((const uint8_t *)tcp, FRAME_TCP_HLEN, sum));
	return FRAME_LEN(l3 + FRAME_TCP_HLEN);
}

/**
 * reap_blind() - the two resets that close a connection whose sequence
 * numbers are not known
 * @out:	the two frames
 * @vm_mac:	Ethernet source (the departed VM)
 * @gw_mac:	Ethernet destination (the gateway)
 * @t:		the connection, as the VM sent on it
 *
 * libslirp 4.7 takes a RST whose sequence number is at or left of
 * rcv_nxt, up to half the sequence space (tcp_input(): the left-edge trim
 * keeps a RST and goes on to close), or within the window. Of two RSTs
 * 2^31 apart one always lands there; the other falls right of the window
 * and is dropped without an answer.
 *
 * Return: the length of each frame (REAP_FRAME4 or REAP_FRAME)
 */
size_t reap_blind(uint8_t out[2][REAP_FRAME], const uint8_t vm_mac[6],
		  const uint8_t gw_mac[6], const struct reap_tcp *t)
{
	reap_rst(out[0], vm_mac, gw_mac, t, 0, 0, FRAME_TCP_RST);
	return reap_rst(out[1], vm_mac, gw_mac, t, 0x80000000U, 0,
			FRAME_TCP_RST);
}

/**
 * reap_segment() - the addresses and TCP header of a whole TCP segment
 * @frame:	a frame
 * @len:	its length
 * @t:		set to its addresses and ports, turned round (as the answer
 *		goes)
 * @l4len:	set to the bytes of TCP header and data its IP header counts
 *
 * Only unfragmented segments are taken: an IPv4 packet without MF or a
 * fragment offset, an IPv6 packet whose next header is TCP (libslirp 4.7
 * sends no extension headers). Every length is checked against the frame.
 *
 * Return: the TCP header, or NULL if @frame is no such segment
 */
static const struct frame_tcp *reap_segment(const uint8_t *frame, size_t len,
					    struct reap_tcp *t, size_t *l4len)
{
	const struct frame_tcp *tcp;
	struct frame_info fi;
	size_t hl, tot;

	memset(t, 0, sizeof(*t));
	if (frame_parse(frame, len, &fi) || fi.proto != FRAME_IPPROTO_TCP ||
	    !(tcp = (const struct frame_tcp *)frame_l4(frame, len, &fi,
						       FRAME_TCP_HLEN)))
		return NULL;
	if (fi.ip4) {
		hl = frame_ip4_hlen(fi.ip4);
		tot = be16_get(fi.ip4->len);
		if (fi.frag_more || fi.frag_off || tot > frame_l3_len(len) ||
		    tot < hl + FRAME_TCP_HLEN)
			return NULL;
		*l4len = tot - hl;
		memcpy(t->saddr, fi.ip4->dst, 4);
		memcpy(t->daddr, fi.ip4->src, 4);
	} else {
		*l4len = be16_get(fi.ip6->plen);
		if (*l4len > frame_l3_len(len) - FRAME_IP6_HLEN ||
		    *l4len < FRAME_TCP_HLEN)
			return NULL;
		t->v6 = 1;
		memcpy(t->saddr, fi.ip6->dst, 16);
		memcpy(t->daddr, fi.ip6->src, 16);
	}
	memcpy(&t->sport, tcp->dport, 2);
	memcpy(&t->dport, tcp->sport, 2);
	return tcp;
}

/**
 * reap_answer() - queue the RST a departed VM owes for a gateway frame
 * @r:		departed MACs and pending resets
 * @frame:	a frame from the gateway to a departed MAC
 * @len:	its length
 *
 * Only unfragmented TCP segments without RST, over IPv4 or IPv6, are
 * answered (RFC 793 3.4, "Reset Generation", a segment for a connection
 * that does not exist).
 *
 * Return: 1 if a reset was queued for libslirp, 0 if none is owed or the
 * queue is full (libslirp sends again, and is answered then)
 */
int reap_answer(struct reap *r, const uint8_t *frame, size_t len)
{
	const struct frame_eth *eth = (const struct frame_eth *)frame;
	const struct frame_tcp *tcp;
	struct reap_tcp t;
	uint32_t seq, ack, dlen;
	size_t l4len, thl;
	uint8_t fl, *out;

	if (r->npending == REAP_PENDING ||
	    !(tcp = reap_segment(frame, len, &t, &l4len)))
		return 0;
	fl = tcp->flags;
	thl = frame_tcp_hlen(tcp);
	if (fl & FRAME_TCP_RST || thl < FRAME_TCP_HLEN || thl > l4len)
		return 0;
	seq = be32_get(tcp->seq);
	ack = be32_get(tcp->ack);
	dlen = (uint32_t)(l4len - thl);
	out = r->pending[r->npending];
	if (fl & FRAME_TCP_ACK)
		r->pending_len[r->npending] = (uint8_t)reap_rst(
		    out, eth->dst, eth->src, &t, ack, 0, FRAME_TCP_RST);
	else
		r->pending_len[r->npending] =
		    (uint8_t)reap_rst(out, eth->dst, eth->src, &t, 0,
				      seq + dlen + !!(fl & FRAME_TCP_SYN) +
					  !!(fl & FRAME_TCP_FIN),
				      FRAME_TCP_RST | FRAME_TCP_ACK);
	r->npending++;
	return 1;
}
