/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port_batch.h - private to the port module: send several datagrams in
 * as few system calls as the platform allows, and tell how much a socket
 * still holds unread. port_batch_linux.c uses sendmmsg(2) and SIOCOUTQ;
 * port_batch.c, for every other system, loops on sendmsg(2) and uses
 * FIONWRITE where there is one.
 */
#ifndef USERNETD_PORT_BATCH_H
#define USERNETD_PORT_BATCH_H

#include <sys/socket.h>
#include <sys/uio.h>

/* Datagrams handed to one port_batch_send() call at most. */
#define PORT_BATCH_MAX 32

/**
 * struct port_dgram - one datagram to send, in at most two pieces (a
 * record of the transmit ring that wraps around its end)
 * @iov:	the pieces
 * @iovcnt:	1 or 2
 */
struct port_dgram {
	struct iovec iov[2];
	int iovcnt;
};

int port_batch_send(int fd, const struct sockaddr *to, socklen_t tolen,
		    struct port_dgram *v, int n);
size_t port_batch_outq(int fd);

#endif /* USERNETD_PORT_BATCH_H */
