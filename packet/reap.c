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

#include "packet/reap.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/**
 * reap_find() - index of @mac in the departed table, or -1
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
 */
static void reap_fold(uint8_t *at, uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	at[0] = (uint8_t)(sum >> 8);
	at[1] = (uint8_t)sum;
}

/**
 * reap_put32() - store @v big-endian at @at
 */
static void reap_put32(uint8_t *at, uint32_t v)
{
	at[0] = (uint8_t)(v >> 24);
	at[1] = (uint8_t)(v >> 16);
	at[2] = (uint8_t)(v >> 8);
	at[3] = (uint8_t)v;
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
	uint8_t *ip = out + 14, *tcp = ip + 20, pseudo[4] = {0, 6, 0, 20};

	memset(out, 0, REAP_FRAME);
	memcpy(out, dst_mac, 6);
	memcpy(out + 6, src_mac, 6);
	out[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 40;   /* total length */
	ip[6] = 0x40; /* DF */
	ip[8] = 64;   /* TTL */
	ip[9] = 6;    /* TCP */
	memcpy(ip + 12, &t->saddr, 4);
	memcpy(ip + 16, &t->daddr, 4);
	reap_fold(ip + 10, reap_sum(ip, 20, 0));
	memcpy(tcp, &t->sport, 2);
	memcpy(tcp + 2, &t->dport, 2);
	reap_put32(tcp + 4, seq);
	reap_put32(tcp + 8, ack);
	tcp[12] = 5 << 4; /* data offset: 20 bytes */
	tcp[13] = flags;
	reap_fold(
	    tcp + 16,
	    reap_sum(tcp, 20, reap_sum(pseudo, 4, reap_sum(ip + 12, 8, 0))));
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
	reap_rst(out[0], vm_mac, gw_mac, t, 0, 0, TH_RST);
	reap_rst(out[1], vm_mac, gw_mac, t, 0x80000000U, 0, TH_RST);
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
	const uint8_t *ip = frame + 14, *tcp;
	struct reap_tcp t;
	uint32_t seq, ack, dlen;
	size_t hl, tot;
	uint8_t fl;

	if (r->npending == REAP_PENDING || len < 14 + 20 || frame[12] != 0x08 ||
	    frame[13] != 0x00 || (ip[0] >> 4) != 4 || ip[9] != 6 ||
	    ((ip[6] & 0x3f) | ip[7]))
		return 0;
	hl = (size_t)(ip[0] & 0x0f) * 4;
	tot = (size_t)(ip[2] << 8 | ip[3]);
	if (hl < 20 || tot > len - 14 || tot < hl + 20)
		return 0;
	tcp = ip + hl;
	fl = tcp[13];
	if (fl & TH_RST || (size_t)(tcp[12] >> 4) * 4 < 20 ||
	    (size_t)(tcp[12] >> 4) * 4 > tot - hl)
		return 0;
	memcpy(&t.saddr, ip + 16, 4);
	memcpy(&t.daddr, ip + 12, 4);
	memcpy(&t.sport, tcp + 2, 2);
	memcpy(&t.dport, tcp, 2);
	seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
	      (uint32_t)tcp[6] << 8 | tcp[7];
	ack = (uint32_t)tcp[8] << 24 | (uint32_t)tcp[9] << 16 |
	      (uint32_t)tcp[10] << 8 | tcp[11];
	dlen = (uint32_t)(tot - hl - (size_t)(tcp[12] >> 4) * 4);
	if (fl & TH_ACK)
		reap_rst(r->pending[r->npending], frame, frame + 6, &t, ack, 0,
			 TH_RST);
	else
		reap_rst(r->pending[r->npending], frame, frame + 6, &t, 0,
			 seq + dlen + !!(fl & TH_SYN) + !!(fl & TH_FIN),
			 TH_RST | TH_ACK);
	r->npending++;
	return 1;
}
