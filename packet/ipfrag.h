/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipfrag.h - keeps IPv4 last fragments that would crash libslirp 4.7's
 * reassembly away from it (see ipfrag.c).
 */
#ifndef USERNETD_IPFRAG_H
#define USERNETD_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

#define IPFRAG_MAX	64    /* datagrams followed per network */
#define IPFRAG_ARMED_MS 15000 /* last fragments pass this long (< 29.4 s) */
#define IPFRAG_QUIET_MS 60000 /* a closed entry stays this long */
#define IPFRAG_SHARE	16    /* entries one guest port may make */

/**
 * enum ipfrag_verdict - what ipfrag_pass() decided
 * @IPFRAG_DROP:	drop it: it could reach libslirp's reassembly with
 *			no queue for it, or libslirp would reject it anyway,
 *			or the table is full
 * @IPFRAG_PASS:	pass it to libslirp
 * @IPFRAG_OVER_SHARE:	drop it: a new datagram from a port that holds its
 *			share of the table already
 */
enum ipfrag_verdict {
	IPFRAG_DROP,
	IPFRAG_PASS,
	IPFRAG_OVER_SHARE,
};

/**
 * struct ipfrag_entry - a datagram whose fragments libslirp may be holding
 * @src:	source address, network order
 * @dst:	destination address, network order
 * @id:		IP identification, network order
 * @proto:	IP protocol
 * @closed:	no fragment of it may pass any more (a last fragment passed
 *		and the datagram may be complete, or it is older than
 *		IPFRAG_ARMED_MS); the entry stays until libslirp's queue is
 *		surely gone
 * @irregular:	its fragments did not come in order without gaps
 * @next:	while regular, the offset (bytes) the next fragment must have
 * @t_first:	loop time (ms) the entry was made: libslirp's queue is no
 *		older
 * @t_pass:	loop time (ms) a fragment of it last passed: any queue it
 *		left in libslirp is no younger
 * @owner:	the port whose fragment made the entry (0: none)
 */
struct ipfrag_entry {
	uint32_t src;
	uint32_t dst;
	uint16_t id;
	uint8_t proto;
	uint8_t closed;
	uint8_t irregular;
	uint32_t next;
	int64_t t_first;
	int64_t t_pass;
	uint32_t owner;
};

/**
 * struct ipfrag - the datagrams of one network libslirp may hold fragments
 * of; zeroed memory is an empty table
 * @e:		entries, the first @n in use
 * @n:		entries in use
 */
struct ipfrag {
	struct ipfrag_entry e[IPFRAG_MAX];
	unsigned n;
};

enum ipfrag_verdict ipfrag_pass(struct ipfrag *t, const uint8_t *frame,
				size_t len, int64_t now_ms, uint32_t owner);

#endif /* USERNETD_IPFRAG_H */
