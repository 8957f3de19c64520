/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port_listen.c - the listening sockets VMs connect to: unix stream (QEMU
 * framing) and seqpacket (bess) listeners, the fd-passing listener of
 * Lima's VZ driver, and the bound datagram socket of vfkit.
 *
 * Every socket file is created mode 0600 (umask 0177 around bind(2)), replacing
 * an old file at the path. Each accepted connection is checked with
 * peercred.h: another uid than the daemon's (root excepted) is refused
 * and logged. The vfkit datagram socket has no connection to check: the
 * 0600 mode is its only guard, and only the daemon's uid (and root) can
 * send to it.
 *
 * fd-passing (--listen): each connection sends one byte with one
 * SCM_RIGHTS descriptor, a SOCK_DGRAM socket carrying one frame per
 * datagram. Once it arrived the connection is closed (Lima never reads
 * it); the VM port lives as long as that datagram socket. Connections
 * that close, send bytes, or wait FDPASS_TIMEOUT_MS without passing a
 * descriptor, descriptors beyond the first and descriptors that are not
 * datagram sockets are closed, counted, and logged the first time.
 *
 * Out of descriptors (EMFILE, ENFILE) or kernel memory, accept(2) fails
 * and leaves the connection queued: the listening socket stays readable,
 * and polling it again at once would spin. The listener then stops
 * polling for LISTEN_PAUSE_MS and tries again, logging one line when
 * that starts and one when a connection is accepted again.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/loop.h"
#include "packet/peercred.h"
#include "packet/port.h"
#include "base/log.h"
#include "base/xalloc.h"

/* A connection to the fd-passing socket has this long to pass its fd. */
#define FDPASS_TIMEOUT_MS 10000
/* Bytes it may send without a descriptor (Lima sends one, with it). */
#define FDPASS_MAX_BYTES 64
/* Descriptors one message may carry before the kernel cuts the rest. */
#define FDPASS_MAX_FDS 8
/* Connections waiting to pass a descriptor, at most. */
#define FDPASS_MAX_PENDING 64
/* Refused connections logged at warning level. */
#define LISTEN_REFUSED_LOG_MAX 16
/* Pause of a listener whose accept(2) found no descriptor or memory. */
#define LISTEN_PAUSE_MS 250

/**
 * enum port_oddity - things logged once per listener
 * @PORT_ODD_NO_FD:	a connection passed no descriptor
 * @PORT_ODD_EXTRA:	a connection passed more than one
 * @PORT_ODD_BAD:	a passed descriptor is not a datagram socket
 * @PORT_ODD_BUSY:	too many connections wait to pass one
 */
enum port_oddity {
	PORT_ODD_NO_FD = 1,
	PORT_ODD_EXTRA = 2,
	PORT_ODD_BAD = 4,
	PORT_ODD_BUSY = 8,
};

struct port_fdconn;

/**
 * struct port_listener - a listening unix socket
 * @l:		loop
 * @fd:		listening socket
 * @fdpass:	connections pass a descriptor (Lima's VZ driver)
 * @path:	socket file, removed by port_listener_free()
 * @fn:		called with each connection, or each passed descriptor
 * @arg:	its argument
 * @stats:	counters
 * @logged:	enum port_oddity bits already logged
 * @pending:	fd-passing connections waiting for their descriptor
 * @npending:	how many
 * @resume:	polls the socket again after a pause
 * @nfail:	accept(2) failures since the last accepted connection
 */
struct port_listener {
	struct loop *l;
	int fd;
	int fdpass;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	port_accept_fn fn;
	void *arg;
	struct port_listener_stats stats;
	unsigned logged;
	struct port_fdconn *pending;
	int npending;
	struct loop_timer *resume;
	uint64_t nfail;
};

/**
 * struct port_fdconn - a connection to the fd-passing socket
 * @pl:		its listener
 * @fd:		the connection
 * @bytes:	data bytes received so far
 * @timeout:	closes it after FDPASS_TIMEOUT_MS
 * @next:	list link
 */
struct port_fdconn {
	struct port_listener *pl;
	int fd;
	size_t bytes;
	struct loop_timer *timeout;
	struct port_fdconn *next;
};

/**
 * port_odd() - count nothing, log an oddity the first time only
 * @pl:		listener
 * @what:	enum port_oddity bit
 * @msg:	message
 */
static void port_odd(struct port_listener *pl, unsigned what, const char *msg)
{
	if (pl->logged & what) {
		log_debug("%s: %s", pl->path, msg);
		return;
	}
	pl->logged |= what;
	log_warnx("%s: %s (logged once)", pl->path, msg);
}

/**
 * port_fdconn_free() - close a connection and forget it
 * @c:		the connection
 */
static void port_fdconn_free(struct port_fdconn *c)
{
	struct port_fdconn **pp;

	for (pp = &c->pl->pending; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->pl->npending--;
	loop_io_del(c->pl->l, c->fd);
	loop_timer_free(c->timeout);
	close(c->fd);
	free(c);
}

/**
 * port_fdconn_timeout() - timer: the connection passed nothing in time
 * @arg:	the connection
 */
static void port_fdconn_timeout(void *arg)
{
	struct port_fdconn *c = arg;

	c->pl->stats.no_fd++;
	port_odd(c->pl, PORT_ODD_NO_FD,
		 "a connection passed no descriptor in time: closed");
	port_fdconn_free(c);
}

/**
 * port_fd_is_dgram() - is @fd a datagram socket?
 * @fd:		a descriptor
 *
 * Return: 1 if it is a datagram socket, else 0
 */
static int port_fd_is_dgram(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);

	return !getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) &&
	       type == SOCK_DGRAM;
}

/**
 * port_fdconn_take() - collect the descriptors of a received message
 * @pl:		listener, for counters
 * @msg:	the message
 *
 * Keeps the first descriptor; closes and counts every other one.
 *
 * Return: the first descriptor, or -1 if it carried none
 */
static int port_fdconn_take(struct port_listener *pl, struct msghdr *msg)
{
	struct cmsghdr *cm;
	int got = -1;

	if (msg->msg_flags & MSG_CTRUNC) {
		pl->stats.extra_fds++;
		port_odd(pl, PORT_ODD_EXTRA,
			 "a connection passed too many descriptors");
	}
	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t i, n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(fd));
			if (got < 0) {
				got = fd;
				continue;
			}
			close(fd);
			pl->stats.extra_fds++;
			port_odd(pl, PORT_ODD_EXTRA,
				 "a connection passed more than one "
				 "descriptor: extras closed");
		}
	}
	return got;
}

/**
 * port_fdconn_got() - a descriptor arrived: check it, hand it over
 * @c:		connection (freed here)
 * @fd:		the descriptor
 */
static void port_fdconn_got(struct port_fdconn *c, int fd)
{
	struct port_listener *pl = c->pl;

	port_fdconn_free(c);
	if (!port_fd_is_dgram(fd)) {
		close(fd);
		pl->stats.bad_fd++;
		port_odd(
		    pl, PORT_ODD_BAD,
		    "a passed descriptor is not a datagram socket: closed");
		return;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	pl->stats.accepted++;
	pl->fn(pl->arg, fd);
}

/**
 * port_fdconn_io() - read a connection until it passed a descriptor
 * @arg:	the connection
 * @fd:		its socket
 * @revents:	poll(2) events
 */
static void port_fdconn_io(void *arg, int fd, int revents)
{
	union {
		char buf[CMSG_SPACE(FDPASS_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct port_fdconn *c = arg;
	char data[FDPASS_MAX_BYTES];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr msg = {0};
	int flags = 0, got;
	ssize_t n;

	(void)revents;
#ifdef MSG_CMSG_CLOEXEC
	flags = MSG_CMSG_CLOEXEC;
#endif
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	n = recvmsg(fd, &msg, flags);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	got = n > 0 ? port_fdconn_take(c->pl, &msg) : -1;
	if (got >= 0) {
		port_fdconn_got(c, got);
		return;
	}
	c->bytes += n > 0 ? (size_t)n : 0;
	if (n > 0 && c->bytes < FDPASS_MAX_BYTES)
		return;
	c->pl->stats.no_fd++;
	port_odd(c->pl, PORT_ODD_NO_FD,
		 n > 0 ? "a connection sent bytes without a descriptor: closed"
		       : "a connection closed without passing a descriptor");
	port_fdconn_free(c);
}

/**
 * port_fdconn_new() - wait for a connection to pass its descriptor
 * @pl:		fd-passing listener
 * @fd:		accepted connection
 */
static void port_fdconn_new(struct port_listener *pl, int fd)
{
	struct port_fdconn *c;

	if (pl->npending >= FDPASS_MAX_PENDING) {
		pl->stats.no_fd++;
		port_odd(pl, PORT_ODD_BUSY,
			 "too many connections wait to pass a descriptor: "
			 "refused");
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->pl = pl;
	c->fd = fd;
	c->timeout = loop_timer_new(pl->l, port_fdconn_timeout, c);
	loop_timer_arm(c->timeout, loop_now_ms() + FDPASS_TIMEOUT_MS);
	c->next = pl->pending;
	pl->pending = c;
	pl->npending++;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	loop_io_add(pl->l, fd, POLLIN, port_fdconn_io, c);
}

/**
 * port_peer_ok() - check the uid of a new connection
 * @pl:		listener
 * @fd:		the connection
 *
 * Return: 1 if the daemon's uid or root connected, else 0 (logged)
 */
static int port_peer_ok(struct port_listener *pl, int fd)
{
	uid_t uid = (uid_t)-1;
	int r = peercred_allowed(fd, &uid);

	if (r > 0)
		return 1;
	pl->stats.refused_uid++;
	if (pl->stats.refused_uid > LISTEN_REFUSED_LOG_MAX)
		return 0;
	if (r < 0)
		log_warn("%s: refused a connection: cannot read its uid",
			 pl->path);
	else
		log_warnx("%s: refused a connection from uid %ld (the daemon "
			  "runs as uid %ld)%s",
			  pl->path, (long)uid, (long)geteuid(),
			  pl->stats.refused_uid == LISTEN_REFUSED_LOG_MAX
			      ? "; further refusals not logged"
			      : "");
	return 0;
}

/**
 * port_listener_resume() - timer: poll the listening socket again
 * @arg:	listener
 */
static void port_listener_resume(void *arg)
{
	struct port_listener *pl = arg;

	loop_io_events(pl->l, pl->fd, POLLIN);
}

/**
 * port_listener_pause() - accept(2) failed for want of resources: stop
 * polling the socket for LISTEN_PAUSE_MS
 * @pl:		listener
 * @err:	errno of accept(2)
 */
static void port_listener_pause(struct port_listener *pl, int err)
{
	if (!pl->nfail++)
		log_warnx("%s: accept: %s: new connections wait, retried every "
			  "%d ms",
			  pl->path, strerror(err), LISTEN_PAUSE_MS);
	loop_io_events(pl->l, pl->fd, 0);
	loop_timer_arm(pl->resume, loop_now_ms() + LISTEN_PAUSE_MS);
}

/**
 * port_listener_io() - accept connections
 * @arg:	the listener
 * @fd:		its socket
 * @revents:	poll(2) events
 */
static void port_listener_io(void *arg, int fd, int revents)
{
	struct port_listener *pl = arg;
	int c;

	(void)revents;
	while ((c = accept(fd, NULL, NULL)) >= 0) {
		if (pl->nfail) {
			log_info("%s: accepting again, after %llu failed tries",
				 pl->path, (unsigned long long)pl->nfail);
			pl->nfail = 0;
		}
		fcntl(c, F_SETFD, FD_CLOEXEC);
		if (!port_peer_ok(pl, c)) {
			close(c);
			continue;
		}
		if (pl->fdpass) {
			port_fdconn_new(pl, c);
			continue;
		}
		pl->stats.accepted++;
		pl->fn(pl->arg, c);
	}
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
	    errno == ENOMEM)
		port_listener_pause(pl, errno);
}

/**
 * port_bind_unix() - a unix socket bound to @path, mode 0600
 * @path:	socket path; an old file there is replaced
 * @type:	SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM
 *
 * The umask makes bind(2) create the file 0600 from the start (a socket
 * inode starts at 0777): no window in which another user could connect.
 *
 * Every socket file the daemon creates is made here: VM sockets, the
 * control API endpoint, unix forwards.
 *
 * Return: the socket, close-on-exec and non-blocking, or -1 (logged,
 * errno kept)
 */
int port_bind_unix(const char *path, int type)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		/* 107 bytes on Linux, 103 on macOS and the BSDs */
		log_warnx("%s: socket path too long (at most %zu bytes here)",
			  path, sizeof(sun.sun_path) - 1);
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, type, 0);
	if (fd < 0) {
		log_warn("socket");
		return -1;
	}
	unlink(path);
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r) {
		r = errno;
		log_warn("%s", path);
		close(fd);
		errno = r;
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/**
 * port_listen_type() - listen on a unix socket of some type, mode 0600
 * @l:		loop
 * @path:	socket path; an old socket there is replaced
 * @type:	SOCK_STREAM or SOCK_SEQPACKET
 * @fdpass:	connections pass a descriptor, handed to @fn instead
 * @fn:		called with each accepted connection (or descriptor)
 * @arg:	its argument
 *
 * Return: the listener, or NULL with a logged warning
 */
static struct port_listener *port_listen_type(struct loop *l, const char *path,
					      int type, int fdpass,
					      port_accept_fn fn, void *arg)
{
	struct port_listener *pl;
	int fd = port_bind_unix(path, type);

	if (fd < 0)
		return NULL;
	if (listen(fd, 128)) {
		log_warn("%s", path);
		close(fd);
		unlink(path);
		return NULL;
	}
	pl = xcalloc(1, sizeof(*pl));
	pl->l = l;
	pl->fd = fd;
	pl->fdpass = fdpass;
	snprintf(pl->path, sizeof(pl->path), "%s", path);
	pl->fn = fn;
	pl->arg = arg;
	pl->resume = loop_timer_new(l, port_listener_resume, pl);
	loop_io_add(l, fd, POLLIN, port_listener_io, pl);
	return pl;
}

/**
 * port_listen_unix() - listen on a unix stream socket, mode 0600
 * @l:		loop
 * @path:	socket path; an old socket there is replaced
 * @fn:		called with each accepted connection of an allowed uid
 * @arg:	its argument
 *
 * Return: the listener, or NULL with a logged warning
 */
struct port_listener *port_listen_unix(struct loop *l, const char *path,
				       port_accept_fn fn, void *arg)
{
	return port_listen_type(l, path, SOCK_STREAM, 0, fn, arg);
}

/**
 * port_listen_seqpacket() - listen on a unix seqpacket socket, mode 0600
 * @l:		loop
 * @path:	socket path; an old socket there is replaced
 * @fn:		called with each accepted connection of an allowed uid
 * @arg:	its argument
 *
 * Return: the listener, or NULL with a logged warning
 */
struct port_listener *port_listen_seqpacket(struct loop *l, const char *path,
					    port_accept_fn fn, void *arg)
{
	/* macOS defines SOCK_SEQPACKET but has no AF_UNIX seqpacket sockets:
	 * say so rather than "socket: Protocol not supported". */
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	if (fd < 0 && (errno == EPROTONOSUPPORT || errno == EPROTOTYPE ||
		       errno == EOPNOTSUPP)) {
		log_warnx("%s: this system has no unix seqpacket sockets "
			  "(--listen-bess); use --listen or --listen-vfkit",
			  path);
		return NULL;
	}
	if (fd >= 0)
		close(fd);
	return port_listen_type(l, path, SOCK_SEQPACKET, 0, fn, arg);
}

/**
 * port_listen_fdpass() - listen for connections that pass a datagram
 * socket (Lima's VZ driver), mode 0600
 * @l:		loop
 * @path:	socket path; an old socket there is replaced
 * @fn:		called with each passed datagram socket (close-on-exec);
 *		the connection that passed it is already closed
 * @arg:	its argument
 *
 * Return: the listener, or NULL with a logged warning
 */
struct port_listener *port_listen_fdpass(struct loop *l, const char *path,
					 port_accept_fn fn, void *arg)
{
	return port_listen_type(l, path, SOCK_STREAM, 1, fn, arg);
}

/**
 * port_bind_unixgram() - a datagram socket bound to @path, mode 0600,
 * for a PORT_DGRAM_PEER port (vfkit)
 * @path:	socket path; an old socket there is replaced
 *
 * There is no connection whose uid could be checked: the 0600 mode is
 * what keeps other users out. The caller removes the file when done.
 *
 * Return: the socket, or -1 (logged)
 */
int port_bind_unixgram(const char *path)
{
	return port_bind_unix(path, SOCK_DGRAM);
}

/**
 * port_listener_stats() - counters of a listener
 * @pl:		listener
 *
 * Return: its counters
 */
const struct port_listener_stats *
port_listener_stats(const struct port_listener *pl)
{
	return &pl->stats;
}

/**
 * port_listener_free() - stop listening, close connections still waiting
 * to pass a descriptor, remove the socket file
 * @pl:		listener, or NULL
 */
void port_listener_free(struct port_listener *pl)
{
	if (!pl)
		return;
	while (pl->pending)
		port_fdconn_free(pl->pending);
	loop_io_del(pl->l, pl->fd);
	loop_timer_free(pl->resume);
	close(pl->fd);
	unlink(pl->path);
	free(pl);
}
