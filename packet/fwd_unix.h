/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fwd_unix.h - unix socket forwards: usernetd listens on a host unix
 * socket path and relays every accepted connection to a guest's TCP port,
 * over an lwIP TCP connection opened from a network's services host (.3)
 * and bound to its netif (the control API's "protocol":"unix" forwards).
 *
 * The relay has flow control both ways and bounded buffers: the host
 * socket is read only while lwIP has send buffer room, and lwIP's receive
 * window is reopened (tcp_recved()) only for the bytes written to the host
 * socket. Half-closes are relayed both ways; errors and resets close both
 * sides.
 *
 * Threads: fwdu_listen() and fwdu_close() run on the loop thread, without
 * the lwIP core lock held. The fwdu_ring_*() helpers are pure.
 */
#ifndef USERNETD_FWD_UNIX_H
#define USERNETD_FWD_UNIX_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct netif;
struct fwdu;

#define FWDU_RX_MAX (256 * 1024) /* guest-to-host bytes buffered, per conn */

/**
 * struct fwdu_ring - a byte ring buffer of fixed capacity
 * @buf:	storage, @cap bytes
 * @cap:	capacity
 * @head:	offset of the oldest byte
 * @len:	bytes held
 */
struct fwdu_ring {
	uint8_t *buf;
	size_t cap;
	size_t head;
	size_t len;
};

struct fwdu *fwdu_listen(struct loop *l, struct netif *nif,
			 struct in_addr gaddr, uint16_t gport,
			 const char *path);
void fwdu_close(struct fwdu *f);
int fwdu_conn_count(const struct fwdu *f);

int fwdu_ring_init(struct fwdu_ring *r, size_t cap);
void fwdu_ring_free(struct fwdu_ring *r);
size_t fwdu_ring_space(const struct fwdu_ring *r);
size_t fwdu_ring_put(struct fwdu_ring *r, const void *data, size_t n);
size_t fwdu_ring_peek(const struct fwdu_ring *r, const uint8_t **p);
void fwdu_ring_consume(struct fwdu_ring *r, size_t n);

#endif /* USERNETD_FWD_UNIX_H */
