/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port_batch.c - send queued datagrams one sendmsg(2) each: the portable
 * fallback of port_batch_linux.c, for systems without sendmmsg(2).
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "base/compat.h"
#include "packet/port_batch.h"

/**
 * port_batch_send() - send up to @n datagrams, one system call each
 * @fd:		non-blocking datagram or seqpacket socket
 * @to:		destination (unconnected sockets), or NULL
 * @tolen:	its length
 * @v:		the datagrams
 * @n:		how many, 1 to PORT_BATCH_MAX
 *
 * Return: how many were sent (at least 1), or -1 with errno set if the
 * first could not be; it stops at the first failure.
 */
int port_batch_send(int fd, const struct sockaddr *to, socklen_t tolen,
		    struct port_dgram *v, int n)
{
	struct msghdr m = {0};
	int i;

	m.msg_name = (void *)to;
	m.msg_namelen = to ? tolen : 0;
	for (i = 0; i < n; i++) {
		m.msg_iov = v[i].iov;
		m.msg_iovlen = v[i].iovcnt;
		if (sendmsg(fd, &m, MSG_NOSIGNAL) >= 0)
			continue;
		if (errno == EINTR) {
			i--;
			continue;
		}
		return i ? i : -1;
	}
	return i;
}

/**
 * port_batch_outq() - bytes sent on a socket that its peer has not read
 * @fd:		socket
 *
 * FreeBSD has the FIONWRITE ioctl; macOS has none but the SO_NWRITE
 * socket option, the same count (not yet run on a Mac: docs/macos.md).
 *
 * Return: the count where the system tells, else 0
 */
size_t port_batch_outq(int fd)
{
	int n = 0;
#if defined(FIONWRITE)
	if (!ioctl(fd, FIONWRITE, &n) && n > 0)
		return (size_t)n;
#elif defined(SO_NWRITE)
	socklen_t len = sizeof(n);

	if (!getsockopt(fd, SOL_SOCKET, SO_NWRITE, &n, &len) && n > 0)
		return (size_t)n;
#else
	(void)fd;
	(void)n;
#endif
	return 0;
}
