/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port_batch_linux.c - send queued datagrams with one sendmmsg(2), and
 * a socket's unread bytes with SIOCOUTQ (Linux). The portable version is
 * port_batch.c.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "packet/port_batch.h"

/**
 * port_batch_send() - send up to @n datagrams with one system call
 * @fd:		non-blocking datagram or seqpacket socket
 * @to:		destination (unconnected sockets), or NULL
 * @tolen:	its length
 * @v:		the datagrams
 * @n:		how many, 1 to PORT_BATCH_MAX
 *
 * Return: how many were sent (at least 1), or -1 with errno set if the
 * first could not be; a short count means the next one failed, and the
 * caller learns why by trying it again.
 */
int port_batch_send(int fd, const struct sockaddr *to, socklen_t tolen,
		    struct port_dgram *v, int n)
{
	struct mmsghdr m[PORT_BATCH_MAX];
	int i;

	if (n > PORT_BATCH_MAX)
		n = PORT_BATCH_MAX;
	memset(m, 0, sizeof(m[0]) * (size_t)n);
	for (i = 0; i < n; i++) {
		m[i].msg_hdr.msg_name = (void *)to;
		m[i].msg_hdr.msg_namelen = to ? tolen : 0;
		m[i].msg_hdr.msg_iov = v[i].iov;
		m[i].msg_hdr.msg_iovlen = (size_t)v[i].iovcnt;
	}
	do {
		i = sendmmsg(fd, m, (unsigned)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (i < 0 && errno == EINTR);
	return i;
}

/**
 * port_batch_outq() - bytes sent on a socket that its peer has not read
 * @fd:		socket
 *
 * Return: the count (SIOCOUTQ: for a unix socket, what waits in the
 * peer's receive queue), 0 if unknown
 */
size_t port_batch_outq(int fd)
{
	int n = 0;

	if (ioctl(fd, SIOCOUTQ, &n) || n < 0)
		return 0;
	return (size_t)n;
}
