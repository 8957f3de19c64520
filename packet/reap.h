/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reap.h - what a VM leaves behind on a shared network: libslirp keeps its
 * NAT connections, and nothing would tell them apart from a silent guest.
 * The network resets them in the VM's name and keeps the gateway's frames
 * for its MACs from being flooded to the other VMs.
 */
#ifndef USERNETD_REAP_H
#define USERNETD_REAP_H

#include <stddef.h>
#include <stdint.h>

#define REAP_MACS    64		      /* departed MACs remembered */
#define REAP_PENDING 64		      /* resets queued for libslirp */
#define REAP_FRAME4  54		      /* Ethernet, IPv4, TCP, no options */
#define REAP_FRAME   74		      /* the longest: Ethernet, IPv6, TCP */
#define REAP_KEEP_MS (10 * 60 * 1000) /* after the last frame for the MAC */

/**
 * struct reap_mac - a MAC whose port closed
 * @mac:	the address
 * @seen:	when it left, or the gateway last sent to it (monotonic ms)
 */
struct reap_mac {
	uint8_t mac[6];
	int64_t seen;
};

/**
 * struct reap - departed MACs of a network and the resets owed for them
 * @gone:	departed MACs
 * @n:		entries of @gone in use
 * @pending:	reset frames for libslirp, sent once it has returned
 * @pending_len: the length of each frame of @pending (REAP_FRAME4 or
 *		REAP_FRAME)
 * @npending:	frames in @pending
 */
struct reap {
	struct reap_mac gone[REAP_MACS];
	int n;
	uint8_t pending[REAP_PENDING][REAP_FRAME];
	uint8_t pending_len[REAP_PENDING];
	int npending;
};

/**
 * struct reap_tcp - the addresses of a TCP segment, network order
 * @v6:		nonzero for IPv6 (16-byte addresses), zero for IPv4 (the
 *		first 4 bytes of each address)
 * @saddr:	source address
 * @daddr:	destination address
 * @sport:	source port
 * @dport:	destination port
 */
struct reap_tcp {
	uint8_t v6;
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport;
	uint16_t dport;
};

void reap_left(struct reap *r, const uint8_t mac[6], int64_t now);
int reap_gone(struct reap *r, const uint8_t mac[6], int64_t now);
void reap_forget(struct reap *r, const uint8_t mac[6]);
int reap_answer(struct reap *r, const uint8_t *frame, size_t len);
size_t reap_blind(uint8_t out[2][REAP_FRAME], const uint8_t vm_mac[6],
		  const uint8_t gw_mac[6], const struct reap_tcp *t);
size_t reap_rst(uint8_t out[REAP_FRAME], const uint8_t src_mac[6],
		const uint8_t dst_mac[6], const struct reap_tcp *t,
		uint32_t seq, uint32_t ack, uint8_t flags);

#endif /* USERNETD_REAP_H */
