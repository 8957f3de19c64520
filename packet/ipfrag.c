/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipfrag.c - owns the table of IPv4 datagrams whose fragments a network
 * passed to libslirp, and with it the decision which guest fragments may
 * reach libslirp's reassembly at all.
 *
 * Why: libslirp 4.7 (Debian 12) crashes, and lets a guest write through a
 * pointer made of its own payload bytes, when a last fragment (offset > 0,
 * MF clear) arrives while it holds no reassembly queue for the fragment's
 * (source, destination, id, protocol). ip_reass() makes a new queue (an
 * mbuf holding struct ipq) and links the fragment into it with ip_enq(),
 * which stores through struct ipasfrag pointers; the completeness loop
 * then reads fp->frag_link.next through struct ipq. The two types alias
 * (ip.h only asserts the offsets match), and the Debian build, compiled
 * with strict aliasing, loads fp->frag_link.next before ip_enq()'s store
 * (libslirp.so.0 +0x8f83, ahead of the store at +0x8f8e): the loop sees an
 * empty list, and only the check of the tail's MF bit (+0x90c7, reloaded)
 * stands between that and "reassembly complete". For a first fragment (MF
 * set) it returns; for a last one it concatenates a "datagram" starting at
 * the queue header itself: m_cat() copies the fragment's payload over the
 * struct ipq, and ip_reass() writes the new IP header (ip_tos, ip_len,
 * ip_src, ip_dst at +0x9148...) through fp->frag_link.next and unlinks
 * fp->ip_link (slirp_remque()), both now guest bytes: a write-what-where.
 * A fragment that joins an existing queue takes the other path and is fine.
 *
 * So a last fragment may pass only while libslirp surely holds a queue for
 * its key. A fragment with MF set never crashes it and makes (or joins) a
 * queue, which lives until reassembly completes, until a packet with only
 * the reserved flag set frees it (ip_freef()), or for IPFRAGTTL, 60 slow
 * ticks of at least 499 ms each: never less than about 29.4 s. Per key:
 *  - no entry: no queue. A fragment with MF set passes and makes the entry
 *    (refused when the table is full: the table is a bound on what a guest
 *    can make libslirp hold, and refusing never lets a last fragment
 *    through, while evicting would need the same care as expiry); a last
 *    fragment is dropped. The table is the network's, shared by its
 *    guests: a port may make IPFRAG_SHARE entries, a quarter of it, so
 *    one guest filling it with first fragments that never end (each
 *    holds its entry for up to 75 s) cannot keep the others' fragmented
 *    datagrams out. Lookups ignore the owner: libslirp's queues are keyed
 *    by addresses, not ports, and so must the entries be.
 *  - open (younger than IPFRAG_ARMED_MS, well within the queue's 29.4 s,
 *    no last fragment passed since): the queue exists, everything passes.
 *    A last fragment that ends an in-order run from offset 0 completes the
 *    datagram, so the queue is gone and so is the entry (a duplicate is
 *    then dropped); any other last fragment closes the entry.
 *  - closed (a last fragment passed but the datagram may be incomplete,
 *    or the entry timed out): libslirp may or may not hold a queue, so no
 *    fragment of the key passes, until IPFRAG_QUIET_MS after the last one
 *    that did, when any queue has surely timed out; then the entry goes.
 * A frame of the fragment path that libslirp's ip_input() would reject
 * before reassembly (bad version, header length, checksum, lengths, TTL 0)
 * is dropped here, so that no key is ever remembered for a fragment
 * libslirp did not queue.
 */
#include <string.h>

#include "packet/frame.h"
#include "packet/ipfrag.h"

#define IPFRAG_FRAME_MAX FRAME_LEN(65535) /* gw_input() drops more */

/**
 * ipfrag_valid() - would libslirp's ip_input() take this IPv4 packet on?
 * @ip:		IPv4 header (frame_ip4())
 * @plen:	bytes from @ip to the end of the frame (libslirp's m_len)
 *
 * The checks ip_input() makes before reassembly, in its order.
 *
 * Return: nonzero if it passes them
 */
static int ipfrag_valid(const struct frame_ip4 *ip, size_t plen)
{
	const uint8_t *h = (const uint8_t *)ip; /* with its options */
	size_t hlen = frame_ip4_hlen(ip), tot, i;
	uint32_t sum = 0;

	if (plen < FRAME_IP4_HLEN || frame_ip4_version(ip) != 4)
		return 0;
	if (hlen < FRAME_IP4_HLEN || hlen > plen)
		return 0;
	for (i = 0; i < hlen; i += 2)
		sum += be16_get(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	if (sum != 0xffff)
		return 0;
	tot = be16_get(ip->len);
	if (tot < hlen || tot > plen)
		return 0;
	return ip->ttl != 0;
}

/**
 * ipfrag_remove() - forget entry @i
 * @t:		table
 * @i:		its index
 */
static void ipfrag_remove(struct ipfrag *t, unsigned i)
{
	t->e[i] = t->e[--t->n];
}

/**
 * ipfrag_expire() - close entries too old for a last fragment, drop closed
 * ones whose queues libslirp has surely let go
 * @t:		table
 * @now:	loop time, ms
 */
static void ipfrag_expire(struct ipfrag *t, int64_t now)
{
	unsigned i = 0;

	while (i < t->n) {
		struct ipfrag_entry *e = &t->e[i];

		if (!e->closed && now - e->t_first >= IPFRAG_ARMED_MS)
			e->closed = 1;
		if (e->closed && now - e->t_pass >= IPFRAG_QUIET_MS) {
			ipfrag_remove(t, i);
			continue;
		}
		i++;
	}
}

/**
 * ipfrag_owned() - how many entries a port made
 * @t:		table
 * @owner:	the port
 *
 * Return: the count
 */
static unsigned ipfrag_owned(const struct ipfrag *t, uint32_t owner)
{
	unsigned i, n = 0;

	for (i = 0; i < t->n; i++)
		n += t->e[i].owner == owner;
	return n;
}

/**
 * ipfrag_pass() - may this frame from a guest go on to libslirp?
 * @t:		the network's table
 * @frame:	Ethernet frame, as slirp_input() will get it
 * @len:	its length
 * @now_ms:	loop time, ms (loop_now_ms())
 * @owner:	the port it came from, for its share of the table; 0 for
 *		none (bounded by the table alone)
 *
 * Call it last, right before slirp_input(): a fragment it passes is
 * taken to have reached libslirp's reassembly.
 *
 * Return: IPFRAG_PASS, or why to drop it (an IPv4 fragment)
 */
enum ipfrag_verdict ipfrag_pass(struct ipfrag *t, const uint8_t *frame,
				size_t len, int64_t now_ms, uint32_t owner)
{
	const struct frame_ip4 *ip;
	struct ipfrag_entry *e = NULL;
	struct frame_info fi;
	unsigned fo, off, flen, i;
	uint32_t src, dst;
	uint16_t id;

	frame_parse(frame, len, &fi); /* ipfrag_valid() judges the version */
	ip = fi.ip4;
	if (!ip)
		return IPFRAG_PASS; /* no IPv4 header: not ip_input()'s fragment
				       path */
	fo = frame_ip4_frag(ip);
	if (!(fo & ~FRAME_IP4_DF))
		return IPFRAG_PASS; /* not a fragment */
	if (len > IPFRAG_FRAME_MAX || !ipfrag_valid(ip, frame_l3_len(len)))
		return IPFRAG_DROP; /* libslirp would drop it too */

	memcpy(&src, ip->src, 4);
	memcpy(&dst, ip->dst, 4);
	memcpy(&id, ip->id, 2);
	off = (fo & FRAME_IP4_OFFMASK) << 3;
	flen = be16_get(ip->len) - (unsigned)frame_ip4_hlen(ip);

	ipfrag_expire(t, now_ms);
	for (i = 0; i < t->n; i++)
		if (t->e[i].src == src && t->e[i].dst == dst &&
		    t->e[i].id == id && t->e[i].proto == ip->proto) {
			e = &t->e[i];
			break;
		}

	if (!(fo & FRAME_IP4_MF) && !off) {
		/* only the reserved flag: ip_input() frees the queue */
		if (e)
			ipfrag_remove(t, i);
		return IPFRAG_PASS;
	}
	if (fo & FRAME_IP4_MF) {
		if (!e) {
			if (owner && ipfrag_owned(t, owner) >= IPFRAG_SHARE)
				return IPFRAG_OVER_SHARE;
			if (t->n == IPFRAG_MAX)
				return IPFRAG_DROP;
			e = &t->e[t->n++];
			memset(e, 0, sizeof(*e));
			e->src = src;
			e->dst = dst;
			e->id = id;
			e->proto = ip->proto;
			e->owner = owner;
			e->irregular = off != 0;
			e->next = off + flen;
			e->t_first = e->t_pass = now_ms;
			return IPFRAG_PASS;
		}
		if (e->closed)
			return IPFRAG_DROP;
		if (!e->irregular && off == e->next)
			e->next += flen;
		else
			e->irregular = 1;
		e->t_pass = now_ms;
		return IPFRAG_PASS;
	}

	/* a last fragment: only into a queue libslirp surely holds */
	if (!e || e->closed)
		return IPFRAG_DROP;
	if (!e->irregular && off == e->next) {
		ipfrag_remove(t, i); /* complete: libslirp freed the queue */
	} else {
		e->closed = 1;
		e->t_pass = now_ms;
	}
	return IPFRAG_PASS;
}
