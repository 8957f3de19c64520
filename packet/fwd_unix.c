/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fwd_unix.c - unix socket forwards (fwd_unix.h): the listening socket on
 * the host, and one relay per accepted connection between the host socket
 * and an lwIP TCP connection from the services host to the guest.
 *
 * Threads and locking follow services/dns/service.c: the lwIP pcb callbacks run
 * with the core lock held, on the loop thread when a guest frame caused
 * them, or on lwIP's tcpip thread (timers, retransmissions, errors). Every
 * field of a connection but its descriptor bookkeeping is touched only
 * under the core lock. The callbacks only move bytes between lwIP and the
 * connection's buffers, record events in flags and wake the loop
 * (loop_async_notify()); the loop thread, holding the lock, does the
 * socket I/O, changes what poll(2) watches, and frees connections.
 *
 * Host to guest: the host socket is polled for POLLIN only while lwIP has
 * send buffer room; what is read (at most that room) goes to tcp_write()
 * at once; what lwIP refuses (too many segments queued) waits in @tx and
 * reading stops until the sent callback flushed it. Guest to host: the
 * recv callback appends to a ring of FWDU_RX_MAX bytes (more than lwIP's
 * receive window, so it always fits); the loop writes it to the host
 * socket when writable and calls tcp_recved() only for bytes written, so
 * a slow host reader closes the guest's TCP window.
 *
 * Endings: EOF on the host socket becomes a FIN to the guest (once every
 * byte read went to lwIP); the guest's FIN becomes shutdown(SHUT_WR) on
 * the host socket once the ring drained. When the host peer is gone
 * altogether (POLLHUP), what it sent before is still relayed, the guest's
 * data is discarded, and the pcb is closed after the last byte. Resets,
 * connect failures (also a connect that takes FWDU_CONNECT_MS) and socket
 * errors close both sides at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#include "packet/fwd_unix.h"
#include "packet/port.h"
#include "base/loop.h"
#include "packet/peercred.h"
#include "base/log.h"
#include "base/xalloc.h"

#define FWDU_TX_MAX	   (64 * 1024) /* host-to-guest bytes read at once */
#define FWDU_RESUME	   (TCP_SND_BUF / 4) /* send room that resumes reading */
#define FWDU_CONN_MAX	   256		     /* connections of one forward */
#define FWDU_CONNECT_MS	   20000	     /* connect attempt to the guest */
#define FWDU_REFUSED_LOG   16		     /* refused peers logged */
#define FWDU_POLL_INTERVAL 2		     /* tcp_poll(): every second */

/**
 * struct fwdu_conn - one relayed connection
 * @f:		its forward
 * @fd:		host socket (loop thread)
 * @watched:	@fd is registered with the loop (loop thread)
 * @events:	poll events registered (loop thread)
 * @pcb:	lwIP pcb while we own it, else NULL
 * @started:	loop_now_ms() at accept
 * @connected:	the guest accepted the connection
 * @rd_eof:	the host socket reached EOF
 * @rd_blocked:	reading waits for lwIP send room: the sent callback wakes us
 * @fin_sent:	FIN handed to lwIP (after the last byte)
 * @fin_in:	the guest's FIN arrived
 * @wr_shut:	shutdown(SHUT_WR) done on the host socket
 * @hup:	the host peer is gone (POLLHUP)
 * @dead:	error or reset: close both sides now
 * @kick:	something happened: the loop looks at this connection
 * @tx:		bytes read from the host socket that lwIP did not take yet
 * @txoff:	offset of the first of them
 * @txlen:	how many
 * @rx:		guest-to-host bytes not yet written to the host socket
 * @next:	list link (loop thread)
 *
 * All fields but @fd, @watched, @events and @next under the core lock.
 */
struct fwdu_conn {
	struct fwdu *f;
	int fd;
	int watched;
	int events;
	struct tcp_pcb *pcb;
	int64_t started;
	unsigned connected : 1;
	unsigned rd_eof : 1;
	unsigned rd_blocked : 1;
	unsigned fin_sent : 1;
	unsigned fin_in : 1;
	unsigned wr_shut : 1;
	unsigned hup : 1;
	unsigned dead : 1;
	unsigned kick : 1;
	uint8_t tx[FWDU_TX_MAX];
	size_t txoff;
	size_t txlen;
	struct fwdu_ring rx;
	struct fwdu_conn *next;
};

/**
 * struct fwdu - a unix socket forward
 * @l:		loop
 * @nif:	services-host netif the pcbs are bound to
 * @gaddr:	guest address
 * @gport:	guest TCP port
 * @path:	socket path
 * @fd:		listening socket
 * @async:	wakes the loop for connections an lwIP callback kicked
 * @conns:	connections (loop thread)
 * @nconns:	how many
 * @refused:	connections refused for their peer's uid
 */
struct fwdu {
	struct loop *l;
	struct netif *nif;
	struct in_addr gaddr;
	uint16_t gport;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
	struct loop_async *async;
	struct fwdu_conn *conns;
	int nconns;
	unsigned long refused;
};

/* ---- ring buffer (pure) -------------------------------------------------- */

/**
 * fwdu_ring_init() - allocate an empty ring
 * @r:		ring
 * @cap:	capacity in bytes, > 0
 *
 * Return: 0, or -1 if out of memory
 */
int fwdu_ring_init(struct fwdu_ring *r, size_t cap)
{
	r->buf = malloc(cap);
	r->cap = r->buf ? cap : 0;
	r->head = 0;
	r->len = 0;
	return r->buf ? 0 : -1;
}

/**
 * fwdu_ring_free() - release a ring's storage
 * @r:		ring
 */
void fwdu_ring_free(struct fwdu_ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
	r->head = 0;
	r->len = 0;
}

/**
 * fwdu_ring_space() - free bytes of a ring
 * @r:		ring
 *
 * Return: how many bytes fwdu_ring_put() takes now
 */
size_t fwdu_ring_space(const struct fwdu_ring *r)
{
	return r->cap - r->len;
}

/**
 * fwdu_ring_put() - append bytes, as many as fit
 * @r:		ring
 * @data:	bytes
 * @n:		how many
 *
 * Return: bytes appended
 */
size_t fwdu_ring_put(struct fwdu_ring *r, const void *data, size_t n)
{
	const uint8_t *d = data;
	size_t tail, first;

	if (n > fwdu_ring_space(r))
		n = fwdu_ring_space(r);
	if (!n)
		return 0;
	tail = (r->head + r->len) % r->cap;
	first = r->cap - tail < n ? r->cap - tail : n;
	memcpy(r->buf + tail, d, first);
	memcpy(r->buf, d + first, n - first);
	r->len += n;
	return n;
}

/**
 * fwdu_ring_peek() - the oldest bytes that are contiguous in storage
 * @r:		ring
 * @p:		set to the first of them
 *
 * Return: how many (0 if the ring is empty)
 */
size_t fwdu_ring_peek(const struct fwdu_ring *r, const uint8_t **p)
{
	size_t n = r->cap - r->head;

	*p = r->buf + r->head;
	return r->len < n ? r->len : n;
}

/**
 * fwdu_ring_consume() - drop the oldest bytes
 * @r:		ring
 * @n:		how many, at most the bytes held
 */
void fwdu_ring_consume(struct fwdu_ring *r, size_t n)
{
	if (n > r->len)
		n = r->len;
	r->len -= n;
	r->head = r->len ? (r->head + n) % r->cap : 0;
}

/* ---- lwIP side (core lock held) ----------------------------------------- */

/**
 * fwdu_kick() - have the loop look at a connection; any thread, core lock
 * @c:		connection
 */
static void fwdu_kick(struct fwdu_conn *c)
{
	c->kick = 1;
	loop_async_notify(c->f->async);
}

/**
 * fwdu_pcb_detach() - clear our callbacks of the pcb; core lock held
 * @c:		connection, with a pcb
 */
static void fwdu_pcb_detach(struct fwdu_conn *c)
{
	tcp_arg(c->pcb, NULL);
	tcp_recv(c->pcb, NULL);
	tcp_sent(c->pcb, NULL);
	tcp_err(c->pcb, NULL);
	tcp_poll(c->pcb, NULL, 0);
}

/**
 * fwdu_pcb_abort() - reset the guest side; core lock held, not from within
 * a callback of this pcb (those return ERR_ABRT after tcp_abort())
 * @c:		connection
 */
static void fwdu_pcb_abort(struct fwdu_conn *c)
{
	if (c->pcb) {
		fwdu_pcb_detach(c);
		tcp_abort(c->pcb);
		c->pcb = NULL;
	}
	c->dead = 1;
}

/**
 * fwdu_pcb_release() - give the pcb back to lwIP, which sends what is
 * queued and a FIN; core lock held, not from within a callback of this pcb
 * @c:		connection
 */
static void fwdu_pcb_release(struct fwdu_conn *c)
{
	if (!c->pcb)
		return;
	fwdu_pcb_detach(c);
	if (tcp_close(c->pcb) != ERR_OK)
		tcp_abort(c->pcb);
	c->pcb = NULL;
}

/**
 * fwdu_recved() - reopen the guest's window by bytes written to the host
 * @c:		connection
 * @n:		bytes
 */
static void fwdu_recved(struct fwdu_conn *c, size_t n)
{
	u16_t k;

	while (c->pcb && n) {
		k = n > 0xffff ? 0xffff : (u16_t)n;
		tcp_recved(c->pcb, k);
		n -= k;
	}
}

/**
 * fwdu_flush() - hand @tx to lwIP as far as it takes it, then the FIN
 * after the host's EOF; core lock held
 * @c:		connection
 */
static void fwdu_flush(struct fwdu_conn *c)
{
	u16_t room, n;
	int wrote = 0;

	if (!c->pcb)
		return;
	while (c->txlen) {
		room = tcp_sndbuf(c->pcb);
		n = c->txlen < room ? (u16_t)c->txlen : room;
		if (!n || tcp_write(c->pcb, c->tx + c->txoff, n,
				    TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		c->txoff += n;
		c->txlen -= n;
		wrote = 1;
	}
	if (!c->txlen) {
		c->txoff = 0;
		if (c->rd_eof && !c->fin_sent) {
			/* Fails only if not connected: then reset. */
			if (tcp_shutdown(c->pcb, 0, 1) != ERR_OK) {
				fwdu_pcb_abort(c);
				return;
			}
			c->fin_sent = 1;
			wrote = 1;
			fwdu_kick(c); /* the loop may be waiting for it */
		}
	} else {
		c->rd_blocked = 1;
	}
	if (wrote)
		tcp_output(c->pcb);
}

/**
 * fwdu_tcp_connected() - lwIP: the guest accepted the connection
 * @arg:	the connection
 * @pcb:	its pcb
 * @err:	unused: lwIP 2.1 always passes ERR_OK
 *
 * Return: ERR_OK
 */
static err_t fwdu_tcp_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct fwdu_conn *c = arg;

	(void)pcb;
	(void)err;
	if (!c)
		return ERR_OK;
	c->connected = 1;
	fwdu_kick(c);
	return ERR_OK;
}

/**
 * fwdu_tcp_recv() - lwIP: guest data, or its FIN (@p NULL)
 * @arg:	the connection
 * @pcb:	its pcb
 * @p:		the data, NULL for the FIN
 * @err:	unused: lwIP passes ERR_OK
 *
 * The ring is larger than the receive window, so data always fits; if it
 * did not, ERR_MEM makes lwIP keep it and offer it again later.
 *
 * Return: ERR_OK, or ERR_MEM for lwIP to offer @p again later
 */
static err_t fwdu_tcp_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
			   err_t err)
{
	struct fwdu_conn *c = arg;
	struct pbuf *q;

	(void)err;
	if (!c) {
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (!p) {
		/*
		 * A second call without data is lwIP's "closed" event (the
		 * ACK of our FIN in LAST_ACK): it frees the pcb on return.
		 */
		if (c->fin_in)
			c->pcb = NULL;
		c->fin_in = 1;
		fwdu_kick(c);
		return ERR_OK;
	}
	if (c->hup) { /* nobody reads on the host side any more */
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	if (fwdu_ring_space(&c->rx) < p->tot_len) {
		fwdu_kick(c);
		return ERR_MEM;
	}
	for (q = p; q; q = q->next)
		fwdu_ring_put(&c->rx, q->payload, q->len);
	pbuf_free(p);
	fwdu_kick(c);
	return ERR_OK;
}

/**
 * fwdu_tcp_sent() - lwIP: the guest acknowledged data: send room again
 * @arg:	the connection
 * @pcb:	its pcb
 * @len:	bytes acknowledged
 *
 * Return: ERR_OK, or ERR_ABRT if the pcb was aborted
 */
static err_t fwdu_tcp_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct fwdu_conn *c = arg;

	(void)len;
	if (!c)
		return ERR_OK;
	fwdu_flush(c);
	if (!c->pcb)
		return ERR_ABRT; /* fwdu_flush() aborted it */
	if (c->rd_blocked && !c->txlen && tcp_sndbuf(pcb) >= FWDU_RESUME) {
		c->rd_blocked = 0;
		fwdu_kick(c);
	}
	return ERR_OK;
}

/**
 * fwdu_tcp_err() - lwIP: reset, refused or aborted; it freed the pcb
 * @arg:	the connection, NULL once it is gone
 * @err:	why (unused: the outcome is the same)
 */
static void fwdu_tcp_err(void *arg, err_t err)
{
	struct fwdu_conn *c = arg;

	(void)err;
	if (!c)
		return;
	c->pcb = NULL;
	c->dead = 1;
	fwdu_kick(c);
}

/**
 * fwdu_tcp_poll() - lwIP, every second: end connects that take too long,
 * retry handing queued bytes to lwIP
 * @arg:	the connection
 * @pcb:	its pcb
 *
 * Return: ERR_OK, or ERR_ABRT if the pcb was aborted
 */
static err_t fwdu_tcp_poll(void *arg, struct tcp_pcb *pcb)
{
	struct fwdu_conn *c = arg;

	if (!c)
		return ERR_OK;
	if (!c->connected && loop_now_ms() - c->started > FWDU_CONNECT_MS) {
		fwdu_pcb_detach(c);
		tcp_abort(pcb);
		c->pcb = NULL;
		c->dead = 1;
		fwdu_kick(c);
		return ERR_ABRT;
	}
	if (c->txlen) {
		fwdu_flush(c);
		if (!c->pcb)
			return ERR_ABRT;
		if (!c->txlen)
			fwdu_kick(c);
	}
	return ERR_OK;
}

/* ---- host side (loop thread, core lock held) ---------------------------- */

/**
 * fwdu_read() - read from the host socket as much as lwIP has room for,
 * and hand it to lwIP
 * @c:		connection, connected, @tx empty
 *
 * Return: 1 if bytes were read, 0 at EOF, for want of room or data, -1 on
 * an error (the connection is dead)
 */
static int fwdu_read(struct fwdu_conn *c)
{
	size_t room;
	ssize_t n;

	if (!c->pcb || c->rd_eof || c->txlen)
		return 0;
	room = tcp_sndbuf(c->pcb);
	if (room > sizeof(c->tx))
		room = sizeof(c->tx);
	if (!room) {
		c->rd_blocked = 1;
		return 0;
	}
	n = read(c->fd, c->tx, room);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		log_debug("fwd %s: read: %s", c->f->path, strerror(errno));
		fwdu_pcb_abort(c);
		return -1;
	}
	if (n == 0)
		c->rd_eof = 1;
	c->txoff = 0;
	c->txlen = (size_t)n;
	fwdu_flush(c);
	if (c->dead)
		return -1;
	return n > 0;
}

/**
 * fwdu_drain() - write buffered guest bytes to the host socket and reopen
 * the guest's window by as much
 * @c:		connection
 *
 * Return: 0, or -1 on an error (the connection is dead)
 */
static int fwdu_drain(struct fwdu_conn *c)
{
	const uint8_t *p;
	size_t n;
	ssize_t w;

	while (c->rx.len) {
		n = fwdu_ring_peek(&c->rx, &p);
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			log_debug("fwd %s: write: %s", c->f->path,
				  strerror(errno));
			fwdu_pcb_abort(c);
			return -1;
		}
		fwdu_ring_consume(&c->rx, (size_t)w);
		fwdu_recved(c, (size_t)w);
		if ((size_t)w < n)
			return 0;
	}
	return 0;
}

/**
 * fwdu_watch() - poll the host socket for @ev (0: nothing but errors)
 * @c:		connection
 * @ev:		POLLIN, POLLOUT
 */
static void fwdu_watch(struct fwdu_conn *c, int ev)
{
	if (c->watched && ev != c->events)
		loop_io_events(c->f->l, c->fd, ev);
	c->events = ev;
}

/**
 * fwdu_update() - move bytes, relay endings, and decide what to poll for
 * @c:		connection
 *
 * Return: 1 once the connection is over (free it), else 0
 */
static int fwdu_update(struct fwdu_conn *c)
{
	int ev = 0;

	if (c->dead)
		return 1;
	if (c->hup) {
		/* Only what the peer sent before it left is still relayed. */
		fwdu_recved(c, c->rx.len);
		fwdu_ring_consume(&c->rx, c->rx.len);
		if (c->watched) {
			loop_io_del(c->f->l, c->fd);
			c->watched = 0;
		}
		if (c->connected)
			while (fwdu_read(c) > 0)
				;
		if (c->dead)
			return 1;
		if (c->rd_eof && !c->txlen) {
			fwdu_pcb_release(c);
			return 1;
		}
		return 0;
	}
	if (c->rx.len && fwdu_drain(c))
		return 1;
	if (c->fin_in && !c->rx.len && !c->wr_shut) {
		shutdown(c->fd, SHUT_WR);
		c->wr_shut = 1;
	}
	if (c->fin_in && c->fin_sent)
		fwdu_pcb_release(c); /* nothing more to come from it */
	if (c->wr_shut && c->fin_sent)
		return 1;
	if (c->connected && c->pcb && !c->rd_eof) {
		if (!c->txlen && tcp_sndbuf(c->pcb) >= FWDU_RESUME) {
			ev |= POLLIN;
			c->rd_blocked = 0;
		} else {
			c->rd_blocked = 1;
		}
	}
	if (c->rx.len)
		ev |= POLLOUT;
	fwdu_watch(c, ev);
	return 0;
}

/**
 * fwdu_conn_free() - unlink and free a connection; core lock not held
 * @c:		connection
 */
static void fwdu_conn_free(struct fwdu_conn *c)
{
	struct fwdu_conn **pp;

	for (pp = &c->f->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->f->nconns--;
	if (c->pcb) {
		LOCK_TCPIP_CORE();
		fwdu_pcb_abort(c);
		UNLOCK_TCPIP_CORE();
	}
	if (c->watched)
		loop_io_del(c->f->l, c->fd);
	close(c->fd);
	fwdu_ring_free(&c->rx);
	free(c);
}

/**
 * fwdu_io() - loop: the host socket is readable, writable, or hung up
 * @arg:	the connection
 * @fd:		its host socket
 * @revents:	poll(2) events
 */
static void fwdu_io(void *arg, int fd, int revents)
{
	struct fwdu_conn *c = arg;
	int done = 0;

	(void)fd;
	LOCK_TCPIP_CORE();
	if (revents & POLLERR) {
		fwdu_pcb_abort(c);
	} else {
		if ((revents & POLLHUP) && !c->hup) {
			log_debug("fwd %s: connection %d: the host side left",
				  c->f->path, c->fd);
			c->hup = 1;
		}
		if ((revents & POLLOUT) && !c->hup)
			fwdu_drain(c);
		if ((revents & POLLIN) && !c->hup && !c->dead)
			fwdu_read(c);
	}
	done = fwdu_update(c);
	UNLOCK_TCPIP_CORE();
	if (done)
		fwdu_conn_free(c);
}

/**
 * fwdu_async() - loop: look at the connections lwIP callbacks kicked
 * @arg:	the forward
 */
static void fwdu_async(void *arg)
{
	struct fwdu *f = arg;
	struct fwdu_conn *c, *next;
	int done;

	for (c = f->conns; c; c = next) {
		next = c->next;
		LOCK_TCPIP_CORE();
		done = 0;
		if (c->kick) {
			c->kick = 0;
			done = fwdu_update(c);
		}
		UNLOCK_TCPIP_CORE();
		if (done)
			fwdu_conn_free(c);
	}
}

/**
 * fwdu_connect() - start the connection to the guest; core lock held
 * @c:		connection
 *
 * Return: 0, or -1 (no pcb)
 */
static int fwdu_connect(struct fwdu_conn *c)
{
	struct fwdu *f = c->f;
	ip_addr_t dst = IPADDR4_INIT(f->gaddr.s_addr);
	struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	err_t e;

	if (!pcb)
		return -1;
	tcp_bind_netif(pcb, f->nif);
	e = tcp_bind(pcb, &f->nif->ip_addr, 0);
	if (e == ERR_OK) {
		c->pcb = pcb;
		tcp_arg(pcb, c);
		tcp_recv(pcb, fwdu_tcp_recv);
		tcp_sent(pcb, fwdu_tcp_sent);
		tcp_err(pcb, fwdu_tcp_err);
		tcp_poll(pcb, fwdu_tcp_poll, FWDU_POLL_INTERVAL);
		e = tcp_connect(pcb, &dst, f->gport, fwdu_tcp_connected);
	}
	if (e != ERR_OK) {
		c->pcb = pcb;
		fwdu_pcb_abort(c);
		return -1;
	}
	return 0;
}

/**
 * fwdu_peer_ok() - is the peer the daemon's uid, or root? Logs refusals
 * @f:		forward
 * @fd:		accepted connection
 *
 * Return: 1 if allowed, else 0
 */
static int fwdu_peer_ok(struct fwdu *f, int fd)
{
	uid_t uid = (uid_t)-1;
	int r = peercred_allowed(fd, &uid);

	if (r > 0)
		return 1;
	if (++f->refused <= FWDU_REFUSED_LOG)
		log_warnx("fwd %s: refused a connection from uid %ld", f->path,
			  (long)uid);
	return 0;
}

/**
 * fwdu_accept() - loop: new connections on the listening socket
 * @arg:	the forward
 * @lfd:	its listening socket
 * @revents:	poll(2) events
 */
static void fwdu_accept(void *arg, int lfd, int revents)
{
	struct fwdu *f = arg;
	struct fwdu_conn *c;
	int fd, r;

	(void)revents;
	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		if (!fwdu_peer_ok(f, fd)) {
			close(fd);
			continue;
		}
		if (f->nconns >= FWDU_CONN_MAX) {
			log_warnx("fwd %s: over %d connections, refused",
				  f->path, FWDU_CONN_MAX);
			close(fd);
			continue;
		}
		/* a connection: out of memory refuses it, as a full table */
		c = calloc(1, sizeof(*c));
		if (!c || fwdu_ring_init(&c->rx, FWDU_RX_MAX)) {
			log_warnx("fwd %s: out of memory", f->path);
			free(c);
			close(fd);
			continue;
		}
		c->f = f;
		c->fd = fd;
		c->started = loop_now_ms();
		LOCK_TCPIP_CORE();
		r = fwdu_connect(c);
		UNLOCK_TCPIP_CORE();
		if (r) {
			log_warnx("fwd %s: cannot connect to the guest",
				  f->path);
			fwdu_ring_free(&c->rx);
			free(c);
			close(fd);
			continue;
		}
		c->next = f->conns;
		f->conns = c;
		f->nconns++;
		loop_io_add(f->l, fd, 0, fwdu_io, c);
		c->watched = 1;
		log_debug("fwd %s: connection %d to %s:%u", f->path, fd,
			  inet_ntoa(f->gaddr), f->gport);
	}
}

/**
 * fwdu_bind() - create the listening socket, mode 0600; an old socket at
 * the path is replaced, any other kind of file is left alone
 * @path:	socket path
 *
 * Return: the descriptor, or -1 with errno set
 */
static int fwdu_bind(const char *path)
{
	struct stat st;
	int fd, e;

	if (!lstat(path, &st) && !S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	fd = port_bind_unix(path, SOCK_STREAM);
	if (fd >= 0 && listen(fd, 64)) {
		e = errno;
		close(fd);
		unlink(path);
		errno = e;
		return -1;
	}
	return fd;
}

/**
 * fwdu_listen() - listen on a unix socket path, relaying every connection
 * to a guest TCP port
 * @l:		loop
 * @nif:	services-host netif of the network holding @gaddr
 *		(net_svc_netif()); it must outlive the forward
 * @gaddr:	guest address
 * @gport:	guest TCP port
 * @path:	socket path; an old socket there is replaced
 *
 * Return: the forward, or NULL with errno set
 */
struct fwdu *fwdu_listen(struct loop *l, struct netif *nif,
			 struct in_addr gaddr, uint16_t gport, const char *path)
{
	struct fwdu *f;
	int fd = fwdu_bind(path);

	if (fd < 0)
		return NULL;
	f = xcalloc(1, sizeof(*f));
	f->l = l;
	f->nif = nif;
	f->gaddr = gaddr;
	f->gport = gport;
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->fd = fd;
	f->async = loop_async_new(l, fwdu_async, f);
	loop_io_add(l, fd, POLLIN, fwdu_accept, f);
	return f;
}

/**
 * fwdu_conn_count() - live connections of a forward
 * @f:		forward
 *
 * Return: how many
 */
int fwdu_conn_count(const struct fwdu *f)
{
	return f->nconns;
}

/**
 * fwdu_close() - stop a forward: reset its connections to the guest,
 * close them and the listening socket, remove the socket file
 * @f:		forward, or NULL
 */
void fwdu_close(struct fwdu *f)
{
	struct fwdu_conn *c;

	if (!f)
		return;
	LOCK_TCPIP_CORE();
	for (c = f->conns; c; c = c->next)
		fwdu_pcb_abort(c);
	UNLOCK_TCPIP_CORE();
	while (f->conns)
		fwdu_conn_free(f->conns);
	loop_io_del(f->l, f->fd);
	close(f->fd);
	unlink(f->path);
	loop_async_free(f->async);
	free(f);
}
