/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * natcap.c - owns each guest port's share of a network's NAT sockets: the
 * decision whether a guest's frame may make libslirp open one more.
 *
 * Why: libslirp opens a host socket for every TCP connection a guest
 * begins (a SYN for a connection it does not have) and for every UDP
 * source address and port a guest sends from, with no limit of its own.
 * The descriptor table is the process's, shared by every guest of every
 * network: one guest sending SYNs from new ports took all of it, and the
 * other guests' connections failed (libslirp answers them with ICMP
 * unreachable when socket() fails).
 *
 * How: libslirp tells nothing when it opens or closes a socket, and
 * describes its sockets only as text (slirp_connection_info(), whose cost
 * grows with their number). So the flows guests open are followed here:
 * a SYN without ACK makes a TCP flow keyed by (source, source port,
 * destination, destination port), as libslirp keys its TCP sockets, and
 * any UDP datagram (or first fragment) from a new (source, source port)
 * makes a UDP flow, as libslirp keys its UDP sockets. A flow is charged to
 * the port the frame came from. Flows are added on the fast path (one
 * hash lookup per SYN or UDP datagram) and never removed there: only when
 * a port or the network would go over its cap is libslirp's table read
 * (at most every NATCAP_RECOUNT_MS), and flows it no longer holds are
 * forgotten. Between recounts the counts can only be too high, never too
 * low, so a port at its cap is refused until a recount shows it below.
 *
 * Refused frames are dropped, not answered. A guest that holds thousands
 * of connections is leaking them or hostile; a dropped SYN is sent again
 * by the guest's TCP (after 1, 3, 7... s) and passes once its connections
 * have closed, while a forged RST or ICMP error would make the guest's
 * application fail at once and is one more packet the daemon makes up.
 * ICMP echo sockets (libslirp opens one per echo request and closes it at
 * the answer or after a timeout) are not counted.
 *
 * IPv6 flows are keyed the same way, by their whole addresses (a folded
 * key would let a guest pick destinations that collide and open sockets
 * counted as one). libslirp 4.7's connection info prints IPv6 sockets
 * with no addresses, only their ports ("TODO: IPv6" in its source), so the
 * recount keeps every IPv6 flow with the ports of a socket it lists
 * (natcap_seen() with no addresses): the counts can be too high, which a
 * recount may not fix, never too low.
 */
#include <stdlib.h>
#include <string.h>

#include "packet/frame.h"
#include "packet/natcap.h"

#define NATCAP_MIN_SLOTS 64

/**
 * natcap_init() - set a network's caps
 * @c:		zeroed flows
 * @guest_max:	flows a port may hold
 * @net_max:	flows the network may hold
 */
void natcap_init(struct natcap *c, unsigned guest_max, unsigned net_max)
{
	c->guest_max = guest_max;
	c->net_max = net_max;
	c->t_recount = INT64_MIN / 2; /* long ago, without overflow */
}

/**
 * natcap_free() - free the tables (the struct itself is the caller's)
 * @c:		flows
 */
void natcap_free(struct natcap *c)
{
	free(c->t);
	free(c->o);
	c->t = NULL;
	c->o = NULL;
	c->size = c->n = c->no = c->o_alloc = 0;
}

/**
 * natcap_hash() - slot where the search for a flow starts
 * @k:		the flow's key
 * @mask:	slots - 1
 *
 * Return: the slot
 */
static size_t natcap_hash(const struct natcap_flow *k, size_t mask)
{
	uint64_t h = ((uint64_t)k->sport << 16 | k->dport) + k->proto, w;
	int i;

	for (i = 0; i < 32; i += 8) {
		memcpy(&w, i < 16 ? k->src + i : k->dst + (i - 16), 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h & mask;
}

/**
 * natcap_same() - do two flows have the same key?
 * @a:		one flow
 * @b:		another
 *
 * Return: nonzero if they do
 */
static int natcap_same(const struct natcap_flow *a, const struct natcap_flow *b)
{
	return a->proto == b->proto && a->sport == b->sport &&
	       a->dport == b->dport && !memcmp(a->src, b->src, 16) &&
	       !memcmp(a->dst, b->dst, 16);
}

/**
 * natcap_find() - the flow with @k's key
 * @c:		flows
 * @k:		key
 *
 * Return: the flow, or NULL
 */
static struct natcap_flow *natcap_find(const struct natcap *c,
				       const struct natcap_flow *k)
{
	size_t i;

	if (!c->size)
		return NULL;
	for (i = natcap_hash(k, c->size - 1); c->t[i].proto;
	     i = (i + 1) & (c->size - 1))
		if (natcap_same(&c->t[i], k))
			return &c->t[i];
	return NULL;
}

/**
 * natcap_place() - put a flow into a table known to have room
 * @t:		slots
 * @size:	how many (a power of two)
 * @f:		the flow
 */
static void natcap_place(struct natcap_flow *t, size_t size,
			 const struct natcap_flow *f)
{
	size_t i = natcap_hash(f, size - 1);

	while (t[i].proto)
		i = (i + 1) & (size - 1);
	t[i] = *f;
}

/**
 * natcap_rehash() - move the flows to a table of @size slots
 * @c:		flows
 * @size:	new size, a power of two above twice the flows kept
 * @only_seen:	keep only flows the recount found
 *
 * Return: 0, or -1 (out of memory: nothing changed)
 */
static int natcap_rehash(struct natcap *c, size_t size, int only_seen)
{
	struct natcap_flow *t = calloc(size, sizeof(*t));
	size_t i;

	if (!t)
		return -1;
	c->n = 0;
	for (i = 0; i < c->size; i++) {
		if (!c->t[i].proto || (only_seen && !c->t[i].seen))
			continue;
		natcap_place(t, size, &c->t[i]);
		c->n++;
	}
	free(c->t);
	c->t = t;
	c->size = size;
	return 0;
}

/**
 * natcap_owner() - a port's count
 * @c:		flows
 * @owner:	the port
 * @create:	add it when missing
 *
 * Return: its entry, or NULL (missing, or out of memory)
 */
static struct natcap_owner *natcap_owner(struct natcap *c, uint32_t owner,
					 int create)
{
	struct natcap_owner *o;
	size_t i;

	for (i = 0; i < c->no; i++)
		if (c->o[i].owner == owner)
			return &c->o[i];
	if (!create)
		return NULL;
	if (c->no == c->o_alloc) {
		size_t na = c->o_alloc ? 2 * c->o_alloc : 8;

		o = realloc(c->o, na * sizeof(*o));
		if (!o)
			return NULL;
		c->o = o;
		c->o_alloc = na;
	}
	o = &c->o[c->no++];
	o->owner = owner;
	o->n = 0;
	return o;
}

/**
 * natcap_held() - flows charged to a port (as of the last recount, plus
 * those opened since)
 * @c:		flows
 * @owner:	the port
 *
 * Return: the count
 */
unsigned natcap_held(const struct natcap *c, uint32_t owner)
{
	size_t i;

	for (i = 0; i < c->no; i++)
		if (c->o[i].owner == owner)
			return c->o[i].n;
	return 0;
}

/**
 * natcap_v4mapped() - an IPv4 address as a flow keeps it
 * @a:		set to ::ffff:@ip4
 * @ip4:	the address, network order (4 bytes of the frame, or a
 *		uint32_t)
 */
static void natcap_v4mapped(uint8_t a[16], const void *ip4)
{
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	memcpy(a + 12, ip4, 4);
}

/**
 * natcap_seen6() - the recount found an IPv6 socket with these ports: every
 * IPv6 flow with them is kept
 * @c:		flows
 * @proto:	6 or 17, with NATCAP_V6
 * @sport:	its guest-side port, network order
 * @dport:	its remote port (TCP), network order
 *
 * A scan of the table for each such socket: recounts are rare (at most
 * every NATCAP_RECOUNT_MS, and only when a cap is reached).
 */
static void natcap_seen6(struct natcap *c, uint8_t proto, uint16_t sport,
			 uint16_t dport)
{
	size_t i;

	for (i = 0; i < c->size; i++)
		if (c->t[i].proto == proto && c->t[i].sport == sport &&
		    c->t[i].dport == dport)
			c->t[i].seen = 1;
}

/**
 * natcap_seen() - the recount found this socket in libslirp's table
 * @c:		flows
 * @udp:	a UDP socket (else TCP)
 * @src:	its guest-side address, network order; 0 with @dst 0 for an
 *		IPv6 socket, whose addresses libslirp does not tell
 * @sport:	its guest-side port, network order
 * @dst:	its remote address, network order
 * @dport:	its remote port, network order
 */
void natcap_seen(struct natcap *c, int udp, uint32_t src, uint16_t sport,
		 uint32_t dst, uint16_t dport)
{
	struct natcap_flow k = {.sport = sport};
	struct natcap_flow *f;

	k.proto = udp ? 17 : 6;
	if (!udp)
		k.dport = dport;
	if (!src && !dst) {
		natcap_seen6(c, k.proto | NATCAP_V6, k.sport, k.dport);
		return;
	}
	natcap_v4mapped(k.src, &src);
	if (!udp)
		natcap_v4mapped(k.dst, &dst);
	f = natcap_find(c, &k);
	if (f)
		f->seen = 1;
}

/**
 * natcap_recount() - forget the flows libslirp no longer holds
 * @c:		flows
 * @walk:	reports libslirp's sockets through natcap_seen()
 * @arg:	its argument
 */
static void natcap_recount(struct natcap *c, natcap_walk_fn walk, void *arg)
{
	size_t i, keep = 0, size = NATCAP_MIN_SLOTS;

	for (i = 0; i < c->size; i++)
		c->t[i].seen = 0;
	walk(arg, c);
	for (i = 0; i < c->size; i++)
		keep += c->t[i].proto && c->t[i].seen;
	while (size < 2 * (keep + 1))
		size *= 2;
	if (natcap_rehash(c, size, 1))
		return; /* out of memory: the counts stay high */
	for (i = 0; i < c->no; i++)
		c->o[i].n = 0;
	for (i = 0; i < c->size; i++) {
		struct natcap_owner *o;

		if (c->t[i].proto && (o = natcap_owner(c, c->t[i].owner, 1)))
			o->n++;
	}
	for (i = 0; i < c->no;) /* ports that hold nothing go */
		if (!c->o[i].n)
			c->o[i] = c->o[--c->no];
		else
			i++;
}

/**
 * natcap_key() - does this frame make libslirp open a socket, and which?
 * @f:		Ethernet frame
 * @len:	its length
 * @k:		set to the flow's key
 *
 * Return: nonzero for a TCP SYN (without ACK or RST) or a UDP datagram
 * (or its first fragment), IPv4 or IPv6 (libslirp takes no IPv6
 * extension header: frame_parse()'s next header is then none of these)
 */
static int natcap_key(const uint8_t *f, size_t len, struct natcap_flow *k)
{
	const struct frame_tcp *tcp;
	struct frame_info fi;

	if (frame_parse(f, len, &fi) || (!fi.ip4 && !fi.ip6))
		return 0;
	if (fi.frag_off)
		return 0; /* a later fragment: no ports, no new socket */
	/* the ports are where UDP and TCP both have them */
	tcp = (const struct frame_tcp *)frame_l4(f, len, &fi, 4);
	if (!tcp)
		return 0; /* no ports: libslirp drops it */
	memset(k, 0, sizeof(*k));
	if (fi.ip4)
		natcap_v4mapped(k->src, fi.ip4->src);
	else
		memcpy(k->src, fi.ip6->src, 16);
	memcpy(&k->sport, tcp->sport, 2);
	if (fi.proto == FRAME_IPPROTO_UDP) {
		k->proto = FRAME_IPPROTO_UDP | (fi.ip6 ? NATCAP_V6 : 0);
		return 1;
	}
	/* the flags are byte 13 of the TCP header: 14 bytes needed */
	if (fi.proto != FRAME_IPPROTO_TCP || !frame_l4(f, len, &fi, 14) ||
	    (tcp->flags & (FRAME_TCP_SYN | FRAME_TCP_ACK | FRAME_TCP_RST)) !=
		FRAME_TCP_SYN)
		return 0;
	k->proto = FRAME_IPPROTO_TCP | (fi.ip6 ? NATCAP_V6 : 0);
	if (fi.ip4)
		natcap_v4mapped(k->dst, fi.ip4->dst);
	else
		memcpy(k->dst, fi.ip6->dst, 16);
	memcpy(&k->dport, tcp->dport, 2);
	return 1;
}

/**
 * natcap_over() - would one more flow of @owner go over a cap?
 * @c:		flows
 * @owner:	the port, 0 for none (the network's cap only)
 *
 * Return: NATCAP_PASS, or which cap
 */
static enum natcap_verdict natcap_over(const struct natcap *c, uint32_t owner)
{
	if (owner && natcap_held(c, owner) >= c->guest_max)
		return NATCAP_OVER_GUEST;
	if (c->n >= c->net_max)
		return NATCAP_OVER_NET;
	return NATCAP_PASS;
}

/**
 * natcap_admit() - may this frame from a guest go on to libslirp?
 * @c:		the network's flows
 * @frame:	Ethernet frame
 * @len:	its length
 * @owner:	the port it came from; 0 for none (the network's cap only)
 * @now_ms:	loop time, ms
 * @walk:	reports libslirp's sockets, for a recount
 * @arg:	its argument
 *
 * A frame that opens a new flow is charged to @owner; one that would go
 * over a cap is refused, after a recount if the last is older than
 * NATCAP_RECOUNT_MS. Frames that open no socket always pass.
 *
 * Return: NATCAP_PASS, or why to drop it
 */
enum natcap_verdict natcap_admit(struct natcap *c, const uint8_t *frame,
				 size_t len, uint32_t owner, int64_t now_ms,
				 natcap_walk_fn walk, void *arg)
{
	struct natcap_flow k;
	struct natcap_owner *o;
	enum natcap_verdict v;

	if (!natcap_key(frame, len, &k) || natcap_find(c, &k))
		return NATCAP_PASS;
	v = natcap_over(c, owner);
	if (v != NATCAP_PASS) {
		if (now_ms - c->t_recount < NATCAP_RECOUNT_MS)
			return v;
		c->t_recount = now_ms;
		natcap_recount(c, walk, arg);
		v = natcap_over(c, owner);
		if (v != NATCAP_PASS)
			return v;
	}
	if (2 * (c->n + 1) > c->size &&
	    natcap_rehash(c, c->size ? 2 * c->size : NATCAP_MIN_SLOTS, 0))
		return NATCAP_PASS; /* out of memory: pass it uncounted */
	o = natcap_owner(c, owner, 1);
	if (!o)
		return NATCAP_PASS;
	k.owner = owner;
	natcap_place(c->t, c->size, &k);
	c->n++;
	o->n++;
	return NATCAP_PASS;
}
