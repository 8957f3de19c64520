/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * natcap.h - each guest's share of libslirp's NAT sockets (see natcap.c).
 */
#ifndef USERNETD_NATCAP_H
#define USERNETD_NATCAP_H

#include <stddef.h>
#include <stdint.h>

#define NATCAP_GUEST_MAX  4096	/* NAT sockets one guest port may open */
#define NATCAP_NET_MAX	  16384 /* and all guests of a network together */
#define NATCAP_RECOUNT_MS 500	/* libslirp's table is read this often */

/**
 * enum natcap_verdict - what natcap_admit() decided
 * @NATCAP_PASS:	pass the frame on to libslirp
 * @NATCAP_OVER_GUEST:	drop it: it would open a NAT socket for a port
 *			holding its share
 * @NATCAP_OVER_NET:	drop it: it would open one more NAT socket than
 *			the network may hold
 */
enum natcap_verdict {
	NATCAP_PASS,
	NATCAP_OVER_GUEST,
	NATCAP_OVER_NET,
};

#define NATCAP_V6 0x80 /* struct natcap_flow's @proto: an IPv6 flow */

/**
 * struct natcap_flow - a NAT socket a guest opened, as libslirp keys it
 * @src:	the guest's address (IPv4 as ::ffff:a.b.c.d)
 * @dst:	the remote address (TCP; zero for UDP)
 * @sport:	the guest's port, network order
 * @dport:	the remote port (TCP; 0 for UDP), network order
 * @proto:	6 or 17, with NATCAP_V6 for IPv6; 0 marks a free slot
 * @seen:	found in libslirp's table by the running recount
 * @owner:	the port it came from
 */
struct natcap_flow {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t seen;
	uint32_t owner;
};

/**
 * struct natcap_owner - how many flows a port holds
 * @owner:	the port
 * @n:		its flows
 */
struct natcap_owner {
	uint32_t owner;
	unsigned n;
};

/**
 * struct natcap - the flows of one network; zeroed memory, then
 * natcap_init()
 * @t:		open-addressing hash table of flows, @size slots
 * @size:	a power of two, or 0 before the first flow
 * @n:		flows in @t
 * @o:		per-port counts, @no in use, room for @o_alloc
 * @no:		entries of @o in use
 * @o_alloc:	entries @o has room for
 * @guest_max:	flows a port may hold
 * @net_max:	flows the network may hold
 * @t_recount:	loop time (ms) of the last recount
 */
struct natcap {
	struct natcap_flow *t;
	size_t size;
	size_t n;
	struct natcap_owner *o;
	size_t no;
	size_t o_alloc;
	unsigned guest_max;
	unsigned net_max;
	int64_t t_recount;
};

/* Walk libslirp's sockets, calling natcap_seen() for each. */
typedef void (*natcap_walk_fn)(void *arg, struct natcap *c);

void natcap_init(struct natcap *c, unsigned guest_max, unsigned net_max);
void natcap_free(struct natcap *c);
enum natcap_verdict natcap_admit(struct natcap *c, const uint8_t *frame,
				 size_t len, uint32_t owner, int64_t now_ms,
				 natcap_walk_fn walk, void *arg);
void natcap_seen(struct natcap *c, int udp, uint32_t src, uint16_t sport,
		 uint32_t dst, uint16_t dport);
unsigned natcap_held(const struct natcap *c, uint32_t owner);

#endif /* USERNETD_NATCAP_H */
