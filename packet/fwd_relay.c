/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fwd_relay.c - the relays of fwd_relay.h. TCP: one listening socket, and
 * per accepted connection a pair of sockets (side 0 the accepted one, side
 * 1 the connection to the target) with a ring of FWDR_BUF bytes for each
 * direction.
 *
 * A side is read only while the ring towards the other side has room, and
 * watched for writing only while its own ring holds bytes: memory stays
 * bounded and a slow reader slows its writer (TCP's own flow control does
 * the rest). A side is watched for nothing at all (taken off the loop)
 * when it wants nothing, so that a hung-up socket does not wake the loop
 * again and again while its data waits. An EOF read on one side becomes
 * shutdown(SHUT_WR) on the other once its ring is drained; a connection
 * ends when both directions have, or at once on an error or a refused
 * connect. Allocation failure for a new connection (per connection: the
 * data path) closes that connection; with no descriptor left to accept
 * with, the listener pauses FWDR_PAUSE_MS rather than spin.
 *
 * UDP (struct fwdr_dgram): one socket for the clients, one connected to
 * the target; datagrams are copied one by one, a full socket buffer drops
 * them (counted), and the target's answers go to the client that sent
 * last, as libslirp's own UDP forward behind the relay does.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/loop.h"
#include "base/xalloc.h"
#include "packet/fwd_relay.h"
#include "packet/fwd_unix.h"

/**
 * struct fwdr_side - one socket of a relayed connection
 * @fd:		the socket, -1 once closed
 * @to:		bytes read from the other side, to be written here
 * @eof:	this side sent its EOF (read returned 0)
 * @shut:	shutdown(SHUT_WR) was done here
 * @watched:	the events the loop watches on @fd, 0 when off the loop
 */
struct fwdr_side {
	int fd;
	struct fwdu_ring to;
	int eof;
	int shut;
	int watched;
};

/**
 * struct fwdr_conn - a relayed connection
 * @r:		its relay
 * @s:		side 0, accepted from the listener; side 1, to the target
 * @connecting:	side 1's connect() is in progress
 * @next:	next connection of @r
 * @pprev:	the link pointing to this one
 */
struct fwdr_conn {
	struct fwdr *r;
	struct fwdr_side s[2];
	int connecting;
	struct fwdr_conn *next;
	struct fwdr_conn **pprev;
};

/**
 * struct fwdr - a relay
 * @l:		loop
 * @fd:		listening socket
 * @target:	where accepted connections are joined to
 * @tlen:	its length
 * @conns:	connections
 * @nconns:	how many
 * @rate:	throttle of the "too many connections" line
 * @resume:	watches @fd again after a pause for want of descriptors
 * @fd_rate:	throttle of the "no descriptor" line
 */
struct fwdr {
	struct loop *l;
	int fd;
	struct sockaddr_storage target;
	socklen_t tlen;
	struct fwdr_conn *conns;
	int nconns;
	struct log_rate rate;
	struct loop_timer *resume;
	struct log_rate fd_rate;
};

#define FWDR_PAUSE_MS 100 /* the listener's pause when out of descriptors */

/**
 * fwdr_nonblock() - make a new socket non-blocking and close-on-exec
 * @fd:		the socket
 *
 * Return: 0, or -1 with errno set
 */
static int fwdr_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

/**
 * fwdr_conn_free() - close both sides of a connection and free it
 * @c:		connection
 */
static void fwdr_conn_free(struct fwdr_conn *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->s[i].fd >= 0) {
			loop_io_del(c->r->l, c->s[i].fd);
			close(c->s[i].fd);
		}
		fwdu_ring_free(&c->s[i].to);
	}
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	c->r->nconns--;
	free(c);
}

static void fwdr_conn_io(void *arg, int fd, int revents);

/**
 * fwdr_watch() - watch a side for what it can do now: reading while the
 * ring towards the other side has room and no EOF came, writing while its
 * own ring holds bytes (or its connect is in progress); off the loop when
 * neither
 * @c:		connection
 * @i:		side
 */
static void fwdr_watch(struct fwdr_conn *c, int i)
{
	struct fwdr_side *s = &c->s[i], *o = &c->s[1 - i];
	int ev = 0;

	if (!s->eof && fwdu_ring_space(&o->to) && !(i == 1 && c->connecting))
		ev |= POLLIN;
	if (s->to.len || (i == 1 && c->connecting))
		ev |= POLLOUT;
	if (ev == s->watched)
		return;
	if (ev)
		loop_io_add(c->r->l, s->fd, ev, fwdr_conn_io, c);
	else
		loop_io_del(c->r->l, s->fd);
	s->watched = ev;
}

/**
 * fwdr_read() - read what side @i sent into the other side's ring
 * @c:		connection
 * @i:		side
 *
 * Return: 0, or -1 if the connection must end (a read error)
 */
static int fwdr_read(struct fwdr_conn *c, int i)
{
	struct fwdu_ring *to = &c->s[1 - i].to;
	uint8_t buf[16384];
	size_t room = fwdu_ring_space(to);
	ssize_t n;

	if (room > sizeof(buf))
		room = sizeof(buf);
	n = read(c->s[i].fd, buf, room);
	if (n > 0)
		fwdu_ring_put(to, buf, (size_t)n);
	else if (n == 0)
		c->s[i].eof = 1;
	else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		return -1;
	return 0;
}

/**
 * fwdr_write() - write side @i's ring to its socket
 * @c:		connection
 * @i:		side
 *
 * Return: 0, or -1 if the connection must end (a write error)
 */
static int fwdr_write(struct fwdr_conn *c, int i)
{
	struct fwdr_side *s = &c->s[i];
	const uint8_t *p;
	size_t len;
	ssize_t n;

	while ((len = fwdu_ring_peek(&s->to, &p)) > 0) {
		n = send(s->fd, p, len, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ||
				       errno == EINTR
				   ? 0
				   : -1;
		fwdu_ring_consume(&s->to, (size_t)n);
	}
	return 0;
}

/**
 * fwdr_connected() - side 1's connect() finished
 * @c:		connection
 *
 * Return: 0, or -1 if it failed (the target refused or is unreachable)
 */
static int fwdr_connected(struct fwdr_conn *c)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->s[1].fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err)
		return -1;
	c->connecting = 0;
	return 0;
}

/**
 * fwdr_conn_io() - loop callback of either side of a connection
 * @arg:	the connection
 * @fd:		the side's socket
 * @revents:	what poll() said
 */
static void fwdr_conn_io(void *arg, int fd, int revents)
{
	struct fwdr_conn *c = arg;
	int i = fd == c->s[1].fd, k;

	if (i == 1 && c->connecting) {
		if (fwdr_connected(c))
			goto end;
	} else if ((revents & (POLLIN | POLLHUP | POLLERR)) &&
		   (c->s[i].watched & POLLIN) && fwdr_read(c, i)) {
		goto end;
	}
	/* what each side has to write now, then the EOFs to pass on */
	if (fwdr_write(c, 0) || (!c->connecting && fwdr_write(c, 1)))
		goto end;
	for (k = 0; k < 2; k++) {
		struct fwdr_side *s = &c->s[k];

		if (c->s[1 - k].eof && !s->to.len && !s->shut &&
		    !(k == 1 && c->connecting)) {
			shutdown(s->fd, SHUT_WR);
			s->shut = 1;
		}
	}
	if (c->s[0].shut && c->s[1].shut)
		goto end;
	fwdr_watch(c, 0);
	fwdr_watch(c, 1);
	return;
end:
	fwdr_conn_free(c);
}

/**
 * fwdr_connect() - open side 1 of a new connection to the relay's target
 * @r:		relay
 *
 * Return: the socket, connecting or connected (@*connecting says which),
 * or -1 with errno set
 * @connecting:	set to 1 while the connect is in progress
 */
static int fwdr_connect(struct fwdr *r, int *connecting)
{
	int fd = socket(r->target.ss_family, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	if (fwdr_nonblock(fd) < 0)
		goto fail;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*connecting = 0;
	if (connect(fd, (struct sockaddr *)&r->target, r->tlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		*connecting = 1;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/**
 * fwdr_conn_new() - join an accepted socket to a new connection to the
 * target
 * @r:		relay
 * @fd:		the accepted socket, non-blocking; closed on failure
 */
static void fwdr_conn_new(struct fwdr *r, int fd)
{
	struct fwdr_conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c) {
		close(fd);
		return;
	}
	c->r = r;
	c->s[0].fd = fd;
	c->s[1].fd = -1;
	c->next = r->conns;
	c->pprev = &r->conns;
	if (r->conns)
		r->conns->pprev = &c->next;
	r->conns = c;
	r->nconns++;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fwdu_ring_init(&c->s[0].to, FWDR_BUF) ||
	    fwdu_ring_init(&c->s[1].to, FWDR_BUF)) {
		fwdr_conn_free(c);
		return;
	}
	c->s[1].fd = fwdr_connect(r, &c->connecting);
	if (c->s[1].fd < 0) {
		log_debug("relay: cannot connect to the forward: %s",
			  strerror(errno));
		fwdr_conn_free(c);
		return;
	}
	fwdr_watch(c, 0);
	fwdr_watch(c, 1);
}

static void fwdr_accept(void *arg, int fd, int revents);

/**
 * fwdr_resume() - loop timer: watch the listening socket again
 * @arg:	the relay
 */
static void fwdr_resume(void *arg)
{
	struct fwdr *r = arg;

	loop_io_add(r->l, r->fd, POLLIN, fwdr_accept, r);
}

/**
 * fwdr_pause() - out of descriptors (or memory) to accept with: stop
 * watching the listener for FWDR_PAUSE_MS, or the waiting connection
 * would wake the loop again at once, for ever
 * @r:		relay
 */
static void fwdr_pause(struct fwdr *r)
{
	uint64_t due = log_rate_due(&r->fd_rate, loop_now_ms(), 10000);

	if (due)
		log_warnx("relay: cannot accept: %s; paused (%llu more not "
			  "logged)",
			  strerror(errno), (unsigned long long)(due - 1));
	loop_io_del(r->l, r->fd);
	loop_timer_arm(r->resume, loop_now_ms() + FWDR_PAUSE_MS);
}

/**
 * fwdr_accept() - loop callback of the listening socket: take the waiting
 * connections, beyond FWDR_CONNS_MAX closed at once
 * @arg:	the relay
 * @fd:		the listening socket
 * @revents:	unused
 */
static void fwdr_accept(void *arg, int fd, int revents)
{
	struct fwdr *r = arg;
	int s, i;

	(void)revents;
	for (i = 0; i < 16; i++) {
		s = accept(fd, NULL, NULL);
		if (s < 0 && (errno == EMFILE || errno == ENFILE ||
			      errno == ENOBUFS || errno == ENOMEM)) {
			fwdr_pause(r);
			return;
		}
		if (s < 0)
			return;
		if (r->nconns >= FWDR_CONNS_MAX || fwdr_nonblock(s) < 0) {
			uint64_t due =
			    log_rate_due(&r->rate, loop_now_ms(), 10000);

			if (due)
				log_warnx("relay: a connection closed: %d at "
					  "a time at most (%llu more not "
					  "logged)",
					  FWDR_CONNS_MAX,
					  (unsigned long long)(due - 1));
			close(s);
			continue;
		}
		fwdr_conn_new(r, s);
	}
}

/**
 * fwdr_listen() - listen on @addr and relay every connection to @target
 * @l:		loop
 * @addr:	host address and port to listen on
 * @alen:	its length
 * @v6only:	an IPv6 @addr takes IPv6 connections only (IPV6_V6ONLY);
 *		0: IPv4 ones too, where the system allows (the [::] of
 *		Go's net.Listen, gvisor-tap-vsock's)
 * @target:	address and port each connection is joined to
 * @tlen:	its length
 *
 * Return: the relay, or NULL with errno set (the address cannot be bound)
 */
struct fwdr *fwdr_listen(struct loop *l, const struct sockaddr *addr,
			 socklen_t alen, int v6only,
			 const struct sockaddr *target, socklen_t tlen)
{
	int fd = socket(addr->sa_family, SOCK_STREAM, 0), one = 1, e;
	int only = !!v6only;
	struct fwdr *r;

	if (fd < 0)
		return NULL;
	if (fwdr_nonblock(fd) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (addr->sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof(only)) <
		 0) ||
	    bind(fd, addr, alen) < 0 || listen(fd, 128) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->l = l;
	r->fd = fd;
	memcpy(&r->target, target, tlen);
	r->tlen = tlen;
	r->resume = loop_timer_new(l, fwdr_resume, r);
	loop_io_add(l, fd, POLLIN, fwdr_accept, r);
	return r;
}

/**
 * fwdr_conn_count() - how many connections a relay holds
 * @r:		relay
 *
 * Return: the count
 */
int fwdr_conn_count(const struct fwdr *r)
{
	return r->nconns;
}

/**
 * fwdr_close() - stop listening and close every connection of a relay
 * @r:		relay, or NULL
 */
void fwdr_close(struct fwdr *r)
{
	if (!r)
		return;
	while (r->conns)
		fwdr_conn_free(r->conns);
	loop_timer_free(r->resume);
	loop_io_del(r->l, r->fd);
	close(r->fd);
	free(r);
}

/**
 * struct fwdr_dgram - a UDP relay: datagrams from any client to the
 * target, the target's answers to the client that sent last
 * @l:		loop
 * @fd:		the socket clients send to
 * @out:	the socket connected to the target
 * @client:	the client that sent last
 * @clen:	its length, 0 before any
 * @buf:	one datagram
 * @dropped:	datagrams a full socket buffer made us drop
 */
struct fwdr_dgram {
	struct loop *l;
	int fd;
	int out;
	struct sockaddr_storage client;
	socklen_t clen;
	uint8_t *buf;
	unsigned long dropped;
};

#define FWDR_DGRAM_MAX	 65535 /* largest datagram relayed */
#define FWDR_DGRAM_BURST 64    /* datagrams moved per wake-up and direction */

/**
 * fwdr_dgram_in() - loop callback of the clients' socket: datagrams to
 * the target, the sender remembered for the answers
 * @arg:	the relay
 * @fd:		the clients' socket
 * @revents:	unused
 *
 * This is libslirp's own behaviour for a UDP forward (one socket, the
 * answers to the last sender), which the relay sits in front of.
 */
static void fwdr_dgram_in(void *arg, int fd, int revents)
{
	struct fwdr_dgram *d = arg;
	struct sockaddr_storage from;
	socklen_t flen;
	ssize_t n;
	int i;

	(void)revents;
	for (i = 0; i < FWDR_DGRAM_BURST; i++) {
		flen = sizeof(from);
		n = recvfrom(fd, d->buf, FWDR_DGRAM_MAX, 0,
			     (struct sockaddr *)&from, &flen);
		if (n < 0)
			return;
		memcpy(&d->client, &from, flen);
		d->clen = flen;
		if (send(d->out, d->buf, (size_t)n, 0) < 0)
			d->dropped++;
	}
}

/**
 * fwdr_dgram_back() - loop callback of the target's socket: its answers
 * to the client that sent last
 * @arg:	the relay
 * @fd:		the socket connected to the target
 * @revents:	unused
 */
static void fwdr_dgram_back(void *arg, int fd, int revents)
{
	struct fwdr_dgram *d = arg;
	ssize_t n;
	int i;

	(void)revents;
	for (i = 0; i < FWDR_DGRAM_BURST; i++) {
		n = recv(fd, d->buf, FWDR_DGRAM_MAX, 0);
		if (n < 0)
			return; /* nothing more, or an ICMP error: dropped */
		if (!d->clen ||
		    sendto(d->fd, d->buf, (size_t)n, 0,
			   (struct sockaddr *)&d->client, d->clen) < 0)
			d->dropped++;
	}
}

/**
 * fwdr_dgram_socket() - a non-blocking UDP socket, bound to @addr or
 * connected to it
 * @addr:	address
 * @alen:	its length
 * @v6only:	for a bound IPv6 socket: IPv6 datagrams only
 * @bind_it:	bind (the clients' socket) rather than connect
 *
 * Return: the socket, or -1 with errno set
 */
static int fwdr_dgram_socket(const struct sockaddr *addr, socklen_t alen,
			     int v6only, int bind_it)
{
	int fd = socket(addr->sa_family, SOCK_DGRAM, 0), e;
	int only = !!v6only;

	if (fd < 0)
		return -1;
	if (fwdr_nonblock(fd) < 0 ||
	    (bind_it && addr->sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof(only)) <
		 0) ||
	    (bind_it ? bind(fd, addr, alen) : connect(fd, addr, alen)) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/**
 * fwdr_dgram_open() - relay UDP datagrams sent to @addr to @target, and
 * the target's answers back to the client that sent last
 * @l:		loop
 * @addr:	host address and port to receive on
 * @alen:	its length
 * @v6only:	an IPv6 @addr takes IPv6 datagrams only
 * @target:	where the datagrams go
 * @tlen:	its length
 *
 * Return: the relay, or NULL with errno set (@addr cannot be bound)
 */
struct fwdr_dgram *fwdr_dgram_open(struct loop *l, const struct sockaddr *addr,
				   socklen_t alen, int v6only,
				   const struct sockaddr *target,
				   socklen_t tlen)
{
	int fd = fwdr_dgram_socket(addr, alen, v6only, 1), out, e;
	struct fwdr_dgram *d;

	if (fd < 0)
		return NULL;
	out = fwdr_dgram_socket(target, tlen, 1, 0);
	if (out < 0) {
		e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->l = l;
	d->fd = fd;
	d->out = out;
	d->buf = xmalloc(FWDR_DGRAM_MAX);
	loop_io_add(l, fd, POLLIN, fwdr_dgram_in, d);
	loop_io_add(l, out, POLLIN, fwdr_dgram_back, d);
	return d;
}

/**
 * fwdr_dgram_dropped() - datagrams a UDP relay dropped (a full socket
 * buffer, or an answer before any client)
 * @d:		relay
 *
 * Return: the count
 */
unsigned long fwdr_dgram_dropped(const struct fwdr_dgram *d)
{
	return d->dropped;
}

/**
 * fwdr_dgram_close() - close a UDP relay
 * @d:		relay, or NULL
 */
void fwdr_dgram_close(struct fwdr_dgram *d)
{
	if (!d)
		return;
	loop_io_del(d->l, d->fd);
	loop_io_del(d->l, d->out);
	close(d->fd);
	close(d->out);
	free(d->buf);
	free(d);
}
