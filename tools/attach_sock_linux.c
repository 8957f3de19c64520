/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attach_sock_linux.c - how `usernetctl attach` reaches usernetd: a unix
 * stream connection (QEMU framing), a seqpacket one (--bess), a datagram
 * socketpair whose other end is passed with SCM_RIGHTS (--fd-socket, as
 * Lima's VZ driver), or a bound datagram socket that says "VFKT" first
 * (--vfkit). The relay over the socket is in attach_linux.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tools/attach.h"
#include "tools/attach_int.h"
#include "base/log.h"

/**
 * attach_sockaddr() - fill a unix socket address
 * @sun:	set to @path
 * @path:	socket path
 *
 * Return: 0, or -1 after a message if @path is too long
 */
static int attach_sockaddr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		log_warnx("socket path too long (%zu bytes at most): %s",
			  sizeof(sun->sun_path) - 1, path);
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

/**
 * attach_sockbufs() - ask for @sz-byte socket buffers, forcibly if the
 * process may (CAP_NET_ADMIN), so that large frames move in big batches
 * @fd:		unix socket, not connected yet
 * @sz:		bytes wanted each way (the kernel may cap them)
 */
static void attach_sockbufs(int fd, int sz)
{
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)))
		log_debug("cannot enlarge the send buffer: %s",
			  strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)))
		log_debug("cannot enlarge the receive buffer: %s",
			  strerror(errno));
}

/**
 * attach_connect_type() - connect a unix socket of some type
 * @path:	usernetd's socket
 * @type:	SOCK_STREAM or SOCK_SEQPACKET
 * @bufsz:	socket buffer size to ask for before connecting, 0 for the
 *		system's default
 *
 * Return: a blocking, close-on-exec descriptor, or -1 after a message
 */
static int attach_connect_type(const char *path, int type, int bufsz)
{
	struct sockaddr_un sun;
	int fd;

	if (attach_sockaddr(&sun, path))
		return -1;
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("cannot create a unix socket");
		return -1;
	}
	if (bufsz)
		attach_sockbufs(fd, bufsz);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		log_warn("cannot connect to %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * attach_pass_fd() - send @fd with SCM_RIGHTS and one dummy byte
 * @conn:	connected unix stream socket
 * @fd:		descriptor to pass
 *
 * Return: 0, or -1 after a message
 */
static int attach_pass_fd(int conn, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char byte = ATTACH_FD_BYTE;
	struct iovec iov = {&byte, 1};
	struct msghdr msg = {0};
	struct cmsghdr *cm;

	memset(&ctl, 0, sizeof(ctl));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(conn, &msg, MSG_NOSIGNAL) != 1) {
		log_warn("cannot pass the socket to usernetd");
		return -1;
	}
	return 0;
}

/**
 * attach_open_fdpass() - do what Lima's VZ driver does: a datagram
 * socketpair (1 MiB send, 4 MiB receive buffers), one end passed to
 * usernetd's --listen socket
 * @a:		relay: @a->sock and @a->ctl set on success
 * @path:	usernetd's --listen socket
 *
 * Return: 0, or -1 after a message
 */
static int attach_open_fdpass(struct attach *a, const char *path)
{
	int sv[2], i, snd = ATTACH_VZ_SNDBUF, rcv = ATTACH_VZ_RCVBUF;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv)) {
		log_warn("socketpair");
		return -1;
	}
	for (i = 0; i < 2; i++) {
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
		setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	}
	a->ctl = attach_connect_type(path, SOCK_STREAM, 0);
	if (a->ctl < 0 || attach_pass_fd(a->ctl, sv[1])) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	close(sv[1]);
	a->sock = sv[0];
	return 0;
}

/**
 * attach_open_vfkit() - do what vfkit does: a datagram socket bound to
 * PATH.PID, connected to usernetd's --listen-vfkit socket, "VFKT" first
 * @a:		relay: @a->sock and @a->bound set on success
 * @path:	usernetd's --listen-vfkit socket
 *
 * Return: 0, or -1 after a message
 */
static int attach_open_vfkit(struct attach *a, const char *path)
{
	struct sockaddr_un me, peer;
	char mine[sizeof(me.sun_path) + 16];
	int fd, sz = ATTACH_SOCKBUF;

	snprintf(mine, sizeof(mine), "%s.%ld", path, (long)getpid());
	if (attach_sockaddr(&peer, path) || attach_sockaddr(&me, mine))
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("cannot create a unix socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	unlink(mine);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		log_warn("cannot bind %s", mine);
		close(fd);
		return -1;
	}
	memcpy(a->bound, me.sun_path, sizeof(a->bound));
	if (connect(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0 ||
	    send(fd, "VFKT", 4, 0) != 4) {
		log_warn("cannot reach %s", path);
		close(fd);
		return -1;
	}
	a->sock = fd;
	return 0;
}

/**
 * attach_open() - reach usernetd the way @a->mode says
 * @a:		relay: @a->sock set on success
 * @path:	usernetd's socket
 *
 * Return: 0, or -1 after a message
 */
int attach_open(struct attach *a, const char *path)
{
	switch (a->mode) {
	case ATTACH_FDPASS:
		return attach_open_fdpass(a, path);
	case ATTACH_VFKIT:
		return attach_open_vfkit(a, path);
	case ATTACH_BESS:
		a->sock = attach_connect_type(path, SOCK_SEQPACKET, 0);
		return a->sock < 0 ? -1 : 0;
	default:
		a->sock = attach_connect(path);
		return a->sock < 0 ? -1 : 0;
	}
}

/**
 * attach_connect() - connect to a usernetd socket
 * @path:	path of the unix socket
 *
 * Also asks for ATTACH_SOCKBUF-byte socket buffers, forcibly if the
 * process may (CAP_NET_ADMIN), so that large frames move in big batches.
 *
 * Return: a blocking, close-on-exec descriptor, or -1 after a message
 */
int attach_connect(const char *path)
{
	return attach_connect_type(path, SOCK_STREAM, ATTACH_SOCKBUF);
}
