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
 * A MAC stays departed until it is seen on a port again or the gateway has
 * sent nothing to it for REAP_KEEP_MS.
 */
#include <arpa/inet.h>
#include <string.h>

#include "packet/frame.h"
#include "packet/reap.h"

_Static_assert(REAP_FRAME == FRAME_LEN(FRAME_IP4_HLEN + FRAME_TCP_HLEN),
	       "a reset is Ethernet, IPv4 and TCP without options");

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
 * reap_rst() - build a bare TCP segment with header checksums
 * @out:	the frame
 * @src_mac:	Ethernet source (the departed VM)
 * @dst_mac:	Ethernet destination (the gateway)
 * @t:		addresses and ports
 * @seq:	sequence number
 * @ack:	acknowledgment number
 * @flags:	TCP flags (RST, RST|ACK)
 */
void reap_rst(uint8_t out[REAP_FRAME], const uint8_t src_mac[6],
	      const uint8_t dst_mac[6], const struct reap_tcp *t, uint32_t seq,
	      uint32_t ack, uint8_t flags)
{
	struct frame_eth *eth = (struct frame_eth *)out;
	struct frame_ip4 *ip = (struct frame_ip4 *)(eth + 1);
	struct frame_tcp *tcp = (struct frame_tcp *)(ip + 1);
	const uint8_t pseudo[4] = {0, FRAME_IPPROTO_TCP, 0, FRAME_TCP_HLEN};
	uint32_t sum;

	memset(out, 0, REAP_FRAME);
	memcpy(eth->dst, dst_mac, FRAME_ETH_ALEN);
	memcpy(eth->src, src_mac, FRAME_ETH_ALEN);
	be16_put(eth->type, FRAME_ETH_IP4);
	ip->vhl = 4 << 4 | FRAME_IP4_HLEN / 4;
	be16_put(ip->len, FRAME_IP4_HLEN + FRAME_TCP_HLEN);
	be16_put(ip->frag, FRAME_IP4_DF);
	ip->ttl = 64;
	ip->proto = FRAME_IPPROTO_TCP;
	memcpy(ip->src, &t->saddr, 4);
	memcpy(ip->dst, &t->daddr, 4);
	reap_fold(ip->csum, reap_sum((const uint8_t *)ip, FRAME_IP4_HLEN, 0));
	memcpy(tcp->sport, &t->sport, 2);
	memcpy(tcp->dport, &t->dport, 2);
	be32_put(tcp->seq, seq);
	be32_put(tcp->ack, ack);
	tcp->off = FRAME_TCP_HLEN / 4 << 4;
	tcp->flags = flags;
	sum = reap_sum(ip->src, 4, reap_sum(ip->dst, 4, 0));
	sum = reap_sum(pseudo, 4, sum);
	reap_fold(tcp->csum,
		  reap_sum((const uint8_t *)tcp, FRAME_TCP_HLEN, sum));
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
 */
void reap_blind(uint8_t out[2][REAP_FRAME], const uint8_t vm_mac[6],
		const uint8_t gw_mac[6], const struct reap_tcp *t)
{
	reap_rst(out[0], vm_mac, gw_mac, t, 0, 0, FRAME_TCP_RST);
	reap_rst(out[1], vm_mac, gw_mac, t, 0x80000000U, 0, FRAME_TCP_RST);
}

/**
 * reap_answer() - queue the RST a departed VM owes for a gateway frame
 * @r:		departed MACs and pending resets
 * @frame:	a frame from the gateway to a departed MAC
 * @len:	its length
 *
 * Only unfragmented TCP segments without RST are answered (RFC 793 3.4,
 * "Reset Generation", a segment for a connection that does not exist).
 *
 * Return: 1 if a reset was queued for libslirp, 0 if none is owed or the
 * queue is full (libslirp sends again, and is answered then)
 */
int reap_answer(struct reap *r, const uint8_t *frame, size_t len)
{
	const struct frame_eth *eth = (const struct frame_eth *)frame;
	const struct frame_tcp *tcp;
	const struct frame_ip4 *ip;
	struct frame_info fi;
	struct reap_tcp t;
	uint32_t seq, ack, dlen;
	size_t hl, tot, thl;
	uint8_t fl;

	/* MF or a fragment offset: only whole segments are answered */
	if (r->npending == REAP_PENDING || frame_parse(frame, len, &fi) ||
	    !fi.ip4 || fi.proto != FRAME_IPPROTO_TCP || fi.frag_more ||
	    fi.frag_off || !fi.l4)
		return 0;
	ip = fi.ip4;
	hl = frame_ip4_hlen(ip);
	tot = be16_get(ip->len);
	if (tot > frame_l3_len(len) || tot < hl + FRAME_TCP_HLEN)
		return 0;
	tcp = (const struct frame_tcp *)(frame + fi.l4);
	fl = tcp->flags;
	thl = frame_tcp_hlen(tcp);
	if (fl & FRAME_TCP_RST || thl < FRAME_TCP_HLEN || thl > tot - hl)
		return 0;
	memcpy(&t.saddr, ip->dst, 4);
	memcpy(&t.daddr, ip->src, 4);
	memcpy(&t.sport, tcp->dport, 2);
	memcpy(&t.dport, tcp->sport, 2);
	seq = be32_get(tcp->seq);
	ack = be32_get(tcp->ack);
	dlen = (uint32_t)(tot - hl - thl);
	if (fl & FRAME_TCP_ACK)
		reap_rst(r->pending[r->npending], eth->dst, eth->src, &t, ack,
			 0, FRAME_TCP_RST);
	else
		reap_rst(r->pending[r->npending], eth->dst, eth->src, &t, 0,
			 seq + dlen + !!(fl & FRAME_TCP_SYN) +
			     !!(fl & FRAME_TCP_FIN),
			 FRAME_TCP_RST | FRAME_TCP_ACK);
	r->npending++;
	return 1;
}
