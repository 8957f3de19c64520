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

int ipfrag_pass(struct ipfrag *t, const uint8_t *frame, size_t len,
		int64_t now_ms);

#endif /* USERNETD_IPFRAG_H */
