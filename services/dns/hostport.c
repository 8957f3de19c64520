/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hostport.c - the DNS service on host sockets (--dns-udp, --dns-tcp):
 * hostagent mode, for QEMU's own slirp as Lima runs it today, where the
 * guest's DNS is forwarded to a port on the host's loopback.
 *
 * Same answers as on the services host; plain non-blocking sockets on the
 * loop. A TCP connection carries several queries (2-byte length, then the
 * message), answers in order of completion, and is closed after
 * DNSD_TCP_IDLE_MS without a query, or when a message is not whole
 * DNSD_TCP_MSG_MS after its first byte (a client trickling bytes holds
 * a 64 KiB buffer otherwise). One client address holds at most
 * DNSD_TCP_PER_CLIENT connections and a port DNSD_TCP_PER_NET: more are
 * accepted and closed at once (with a reset). On the loopback every QEMU
 * guest comes from 127.0.0.1, so they share the first bound; the second
 * keeps the daemon's memory bounded. Dead connections are freed from a
 * timer, never inside a callback that may still be using them. A listener
 * whose accept(2) finds no descriptor stops polling for
 * DNSD_HOST_PAUSE_MS (it would stay readable and spin), logged when that
 * starts and at most once per DNSD_HOST_LOG_MS while it lasts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "services/dns/service_int.h"
#include "base/log.h"
#include "base/loop.h"
#include "base/xalloc.h"

#define DNSD_HOST_PENDING_MAX 16
#define DNSD_HOST_PAUSE_MS    250
/* While accept(2) keeps failing, one line per this many ms at most. */
#define DNSD_HOST_LOG_MS 60000

/**
 * struct dnsd_hconn - a TCP client of a host port
 * @h:		host port
 * @fd:		socket, -1 once dead
 * @s:		the DNS stream: buffers and queries in flight
 * @last:	last activity, monotonic ms
 * @eof:	the client closed its side
 * @cl:		the client: the host port's names and its address
 * @next:	list link
 */
struct dnsd_hconn {
	struct dnsd_host *h;
	int fd;
	struct dnsd_stream s;
	int64_t last;
	int eof;
	struct hr_client cl;
	struct dnsd_hconn *next;
};

/**
 * struct dnsd_host - a host port, UDP or TCP
 * @d:		service
 * @names:	local names to answer
 * @fd:		the socket
 * @tcp:	a TCP listener
 * @pending:	UDP queries waiting for the resolver
 * @conns:	TCP connections
 * @timer:	reaps dead connections, closes idle ones, ends a pause
 * @paused:	a TCP listener not polled after accept(2) failed
 * @accept_log:	throttle of the accept(2) failure line: reset by an
 *		accepted connection, it counts the failures not logged
 * @due:	when @timer is armed for, 0 when it is not
 * @next:	list link
 */
struct dnsd_host {
	struct dnsd *d;
	struct dns_local *names;
	int fd;
	bool tcp;
	struct dnsd_q *pending;
	struct dnsd_hconn *conns;
	struct loop_timer *timer;
	bool paused;
	struct log_rate accept_log;
	int64_t due;
	struct dnsd_host *next;
};

/**
 * dnsd_host_arm() - have the timer run at @when, or earlier if it is
 * due earlier already
 * @h:		host port
 * @when:	monotonic ms
 *
 * Never later: a client connecting more often than the timer's period
 * would otherwise keep pushing back the clean-up that closes its
 * connections.
 */
static void dnsd_host_arm(struct dnsd_host *h, int64_t when)
{
	if (h->due && h->due <= when)
		return;
	h->due = when ? when : 1;
	loop_timer_arm(h->timer, when);
}

/**
 * dnsd_host_parse_addr() - "127.0.0.1:53" or "[::1]:53" to a sockaddr
 * @s:		the text, untrusted
 * @ss:		set to the address
 * @len:	set to its length
 *
 * Return: 0, or -1 if malformed
 */
static int dnsd_host_parse_addr(const char *s, struct sockaddr_storage *ss,
				socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)port);
			*len = sizeof(*s6);
			return 0;
		}
	}
	return -1;
}

/**
 * dnsd_host_udp_reply() - send a UDP answer to the client
 * @q:		the query: its host port and client address
 * @ans:	the answer
 * @len:	its length
 */
static void dnsd_host_udp_reply(struct dnsd_q *q, const uint8_t *ans,
				size_t len)
{
	struct dnsd_host *h = q->owner;

	if (sendto(h->fd, ans, len, 0, (struct sockaddr *)&q->to.host.sa,
		   q->to.host.len) < 0)
		log_debug("dns: sendto: %s", strerror(errno));
}

/**
 * dnsd_host_udp_io() - read a bounded batch of queries
 * @arg:	the host port
 * @fd:		its UDP socket
 * @revents:	poll(2) events
 */
static void dnsd_host_udp_io(void *arg, int fd, int revents)
{
	struct dnsd_host *h = arg;
	uint8_t buf[DNS_EDNS_MAX];
	struct dnsd_q tmpl = {
	    .tcp = false, .owner = h, .reply = dnsd_host_udp_reply};
	int i;

	(void)revents;
	for (i = 0; i < 64; i++) {
		ssize_t n;

		tmpl.to.host.len = sizeof(tmpl.to.host.sa);
		n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC,
			     (struct sockaddr *)&tmpl.to.host.sa,
			     &tmpl.to.host.len);
		if (n < 0)
			return;
		if ((size_t)n > sizeof(buf)) {
			h->d->stats.dropped++;
			continue;
		}
		dnsd_client_set(&tmpl.cl, h->names,
				(struct sockaddr *)&tmpl.to.host.sa);
		dnsd_query(h->d, h->names, buf, (size_t)n, &tmpl, &h->pending);
	}
}

/**
 * dnsd_hconn_kill() - close a connection; freed later by the timer
 * @c:		connection
 */
static void dnsd_hconn_kill(struct dnsd_hconn *c)
{
	if (c->fd < 0)
		return;
	loop_io_del(c->h->d->l, c->fd);
	close(c->fd);
	c->fd = -1;
	c->s.closed = 1;
	dnsd_host_arm(c->h, 0);
}

/**
 * dnsd_hconn_flush() - write queued answers; watch POLLOUT if some remain
 * @c:		connection
 */
static void dnsd_hconn_flush(struct dnsd_hconn *c)
{
	while (c->fd >= 0 && c->s.txlen) {
		ssize_t n = write(c->fd, c->s.tx, c->s.txlen);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				dnsd_hconn_kill(c);
			break;
		}
		dnsd_stream_sent(&c->s, (size_t)n);
	}
	if (c->fd >= 0)
		loop_io_events(c->h->d->l, c->fd,
			       POLLIN | (c->s.txlen ? POLLOUT : 0));
}

static void dnsd_hconn_reply(struct dnsd_q *q, const uint8_t *ans, size_t len);

/**
 * dnsd_hconn_parse() - start the complete queries in the receive buffer
 * @c:		connection
 */
static void dnsd_hconn_parse(struct dnsd_hconn *c)
{
	struct dnsd_q tmpl = {
	    .tcp = true, .owner = c, .reply = dnsd_hconn_reply, .cl = c->cl};

	dnsd_stream_parse(c->h->d, c->h->names, &c->s, &tmpl,
			  DNSD_HOST_PENDING_MAX);
	if (c->eof && !c->s.pending && !c->s.txlen)
		dnsd_hconn_kill(c);
}

/**
 * dnsd_hconn_reply() - queue a TCP answer and go on with waiting queries
 * @q:		the query: its connection
 * @ans:	the answer
 * @len:	its length
 */
static void dnsd_hconn_reply(struct dnsd_q *q, const uint8_t *ans, size_t len)
{
	struct dnsd_hconn *c = q->owner;

	if (c->fd < 0)
		return;
	if (dnsd_stream_queue(&c->s, ans, len)) {
		dnsd_hconn_kill(c); /* the client does not read its answers */
		return;
	}
	dnsd_hconn_flush(c);
	dnsd_hconn_parse(c);
}

/**
 * dnsd_hconn_io() - a TCP client is readable or writable
 * @arg:	the connection
 * @fd:		its socket
 * @revents:	poll(2) events
 */
static void dnsd_hconn_io(void *arg, int fd, int revents)
{
	struct dnsd_hconn *c = arg;
	ssize_t n;

	if (revents & POLLOUT)
		dnsd_hconn_flush(c);
	if (c->fd < 0 || !(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (c->s.rxlen == sizeof(c->s.rx)) {
		dnsd_hconn_kill(c); /* a message longer than it can be */
		return;
	}
	n = read(fd, c->s.rx + c->s.rxlen, sizeof(c->s.rx) - c->s.rxlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		dnsd_hconn_kill(c);
		return;
	}
	c->last = loop_now_ms();
	if (n == 0) {
		c->eof = 1;
		loop_io_events(c->h->d->l, fd, c->s.txlen ? POLLOUT : 0);
	}
	c->s.rxlen += (size_t)n;
	dnsd_hconn_parse(c);
	dnsd_stream_received(&c->s, c->last);
}

/**
 * dnsd_host_full() - whether a new connection from @cl is over its share
 * @h:		host port
 * @cl:		its client
 *
 * Return: 1 if the client's address or the port has its share open
 */
static int dnsd_host_full(struct dnsd_host *h, const struct hr_client *cl)
{
	struct dnsd_hconn *c;
	int nclient = 0, nall = 0;

	for (c = h->conns; c; c = c->next) {
		if (c->fd < 0)
			continue;
		nall++;
		if (!memcmp(c->cl.addr, cl->addr, sizeof(cl->addr)))
			nclient++;
	}
	return nclient >= DNSD_TCP_PER_CLIENT || nall >= DNSD_TCP_PER_NET;
}

/**
 * dnsd_host_refuse() - close a connection over its share with a reset
 * @s:		its socket
 *
 * A zero linger makes close(2) send a reset: the client learns at once,
 * and no socket lingers in TIME_WAIT or FIN_WAIT on our side.
 */
static void dnsd_host_refuse(int s)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(s);
}

/**
 * dnsd_host_accept() - a TCP client connected
 * @arg:	the host port
 * @fd:		its listening socket
 * @revents:	poll(2) events
 */
static void dnsd_host_accept(void *arg, int fd, int revents)
{
	struct dnsd_host *h = arg;
	struct sockaddr_storage sa;
	struct hr_client cl;
	struct dnsd_hconn *c;
	socklen_t salen = sizeof(sa);
	int s;

	(void)revents;
	while ((s = accept(fd, (struct sockaddr *)&sa, &salen)) >= 0) {
		log_rate_reset(&h->accept_log);
		if (salen > sizeof(sa))
			sa.ss_family = AF_UNSPEC;
		salen = sizeof(sa);
		dnsd_client_set(&cl, h->names, (struct sockaddr *)&sa);
		if (dnsd_host_full(h, &cl)) {
			h->d->stats.tcp_refused++;
			dnsd_host_refuse(s);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) { /* per connection: refused, not fatal() */
			h->d->stats.tcp_refused++;
			dnsd_host_refuse(s);
			continue;
		}
		fcntl(s, F_SETFL, O_NONBLOCK);
		fcntl(s, F_SETFD, FD_CLOEXEC);
		c->h = h;
		c->fd = s;
		c->cl = cl;
		c->last = loop_now_ms();
		c->next = h->conns;
		h->conns = c;
		h->d->stats.tcp_conns++;
		loop_io_add(h->d->l, s, POLLIN, dnsd_hconn_io, c);
	}
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
	    errno == ENOMEM) {
		uint64_t n = log_rate_due(&h->accept_log, loop_now_ms(),
					  DNSD_HOST_LOG_MS);

		if (n)
			log_warn("dns: accept (retried every %d ms; %llu "
				 "failures not logged before this one)",
				 DNSD_HOST_PAUSE_MS,
				 (unsigned long long)(n - 1));
		h->paused = true;
		loop_io_events(h->d->l, fd, 0);
		dnsd_host_arm(h, loop_now_ms() + DNSD_HOST_PAUSE_MS);
		return;
	}
	dnsd_host_arm(h, loop_now_ms() + 1000);
}

/**
 * dnsd_host_timer() - free dead connections, close idle and late ones;
 * @arg:	the host port
 * every second while there are connections
 */
static void dnsd_host_timer(void *arg)
{
	struct dnsd_host *h = arg;
	struct dnsd_hconn **pp, *c;
	int64_t now = loop_now_ms();

	h->due = 0;
	if (h->paused) {
		h->paused = false;
		loop_io_events(h->d->l, h->fd, POLLIN);
	}
	for (pp = &h->conns; (c = *pp);) {
		if (c->fd >= 0 && dnsd_stream_late(&c->s, now)) {
			h->d->stats.tcp_deadline++;
			dnsd_hconn_kill(c);
		} else if (c->fd >= 0 && !c->s.pending &&
			   now - c->last > DNSD_TCP_IDLE_MS) {
			h->d->stats.tcp_idle++;
			dnsd_hconn_kill(c);
		}
		if (c->fd >= 0) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		dnsd_stream_free(&c->s);
		free(c);
	}
	if (h->conns)
		dnsd_host_arm(h, now + 1000);
}

/**
 * dnsd_listen_host() - serve DNS on a host address
 * @d:		service
 * @tcp:	TCP (else UDP)
 * @addrport:	"127.0.0.1:PORT" or "[::1]:PORT"; port 0 picks a free one
 * @names:	local names to answer
 * @bound:	set to the address and port bound, for the caller to print
 * @boundlen:	its size
 *
 * Return: 0, or -1 with a logged reason
 */
int dnsd_listen_host(struct dnsd *d, bool tcp, const char *addrport,
		     struct dns_local *names, char *bound, size_t boundlen)
{
	struct sockaddr_storage ss;
	char host[INET6_ADDRSTRLEN];
	struct dnsd_host *h;
	socklen_t len;
	int fd, one = 1;

	if (dnsd_host_parse_addr(addrport, &ss, &len)) {
		log_warnx("dns: %s: expected ADDR:PORT", addrport);
		return -1;
	}
	fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0) {
		log_warn("dns: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || (tcp && listen(fd, 64)) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		log_warn("dns: %s %s", tcp ? "tcp" : "udp", addrport);
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(bound, boundlen, "%s:%u", host, ntohs(s4->sin_port));
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(bound, boundlen, "[%s]:%u", host,
			 ntohs(s6->sin6_port));
	}
	h = xcalloc(1, sizeof(*h));
	h->d = d;
	h->names = names;
	h->fd = fd;
	h->tcp = tcp;
	h->timer = loop_timer_new(d->l, dnsd_host_timer, h);
	h->next = d->hosts;
	d->hosts = h;
	loop_io_add(d->l, fd, POLLIN, tcp ? dnsd_host_accept : dnsd_host_udp_io,
		    h);
	return 0;
}

/**
 * dnsd_host_close_all() - close every host port and its connections
 * @d:		service
 */
void dnsd_host_close_all(struct dnsd *d)
{
	struct dnsd_host *h;

	while ((h = d->hosts)) {
		struct dnsd_hconn *c;

		d->hosts = h->next;
		for (c = h->conns; c; c = c->next)
			dnsd_hconn_kill(c);
		dnsd_host_timer(h);
		dnsd_cancel_all(&h->pending);
		loop_io_del(d->l, h->fd);
		close(h->fd);
		loop_timer_free(h->timer);
		free(h);
	}
}
