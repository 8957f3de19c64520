/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fwd_relay.h - relays between host sockets. TCP: it listens on an
 * address and joins every accepted connection to a new connection to a
 * target address, copying bytes both ways through bounded buffers, with
 * half-closes relayed. UDP: datagrams to an address go to the target, its
 * answers to the client that sent last. The gateway's forwards between address
 * families use it (packet/gateway.c): libslirp 4.7 forwards within one family
 * only, so a host address of the other family is relayed to a libslirp
 * forward on the loopback address of the guest's family.
 *
 * Threads: the loop thread only.
 */
#ifndef USERNETD_FWD_RELAY_H
#define USERNETD_FWD_RELAY_H

#include <sys/socket.h>

struct loop;
struct fwdr;
struct fwdr_dgram;

#define FWDR_BUF       (64 * 1024) /* bytes buffered per direction */
#define FWDR_CONNS_MAX 256	   /* connections of one relay at a time */

struct fwdr *fwdr_listen(struct loop *l, const struct sockaddr *addr,
			 socklen_t alen, int v6only,
			 const struct sockaddr *target, socklen_t tlen);
void fwdr_close(struct fwdr *r);
int fwdr_conn_count(const struct fwdr *r);

struct fwdr_dgram *fwdr_dgram_open(struct loop *l, const struct sockaddr *addr,
				   socklen_t alen, int v6only,
				   const struct sockaddr *target,
				   socklen_t tlen);
void fwdr_dgram_close(struct fwdr_dgram *d);
unsigned long fwdr_dgram_dropped(const struct fwdr_dgram *d);

#endif /* USERNETD_FWD_RELAY_H */
