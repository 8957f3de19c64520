/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * service.c - the DNS service: what a query gets (local name, native
 * resolver, upstream), and its transports on lwIP (UDP and TCP port 53 on
 * a services-host netif, IPv4 and IPv6 alike: one dual-stack pcb each).
 * Host loopback sockets are in hostport.c.
 *
 * A query is a struct dnsd_q from arrival to answer. Answers that need no
 * resolver are sent before dnsd_query() returns; the others wait on the
 * owner's pending list (an endpoint for UDP, a connection for TCP) so that
 * an owner going away cancels them: the resolver never calls back into
 * freed memory.
 *
 * lwIP threading: pcbs bound to our netifs call back with the core lock
 * held, on the loop thread when a guest's frame caused it (svc_input()),
 * or on lwIP's tcpip thread for TCP timers and errors. Everything of a
 * TCP connection is touched only under the core lock; what must run on
 * the loop thread (cancelling resolver requests, freeing) is done by a
 * reaper woken with loop_async_notify(). dnsd_in_lwip tells the send path
 * whether the lock is already held.
 *
 * Guests share what is behind the service: a TCP connection holds a
 * 64 KiB receive buffer, so one guest address may hold
 * DNSD_TCP_PER_CLIENT connections and one network (.2 and .3 together)
 * DNSD_TCP_PER_NET, more are reset as lwIP hands them over (lwIP 2.1.3 as
 * Debian builds it has no listen backlog); a message must be whole
 * DNSD_TCP_MSG_MS after its first byte, whatever trickles in; and every
 * query is made for its client (network, address) so the resolver can
 * keep one guest from taking every lookup slot (hostresolver.h).
 */
#include <stdlib.h>
#include <string.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#include "services/dns/dns.h"
#include "services/dns/service.h"
#include "services/dns/service_int.h"
#include "base/log.h"
#include "services/hostresolver/hostresolver.h"
#include "base/loop.h"
#include "base/xalloc.h"

#define DNSD_PORT	     53
#define DNSD_TCP_PENDING_MAX 16 /* queries in flight per connection */

/* Set while one of our lwIP callbacks runs: the core lock is held. */
static _Thread_local int dnsd_in_lwip;

/**
 * struct dnsd_ep - the service on one lwIP netif
 * @d:		service
 * @netif:	where its pcbs are bound
 * @names:	local names of the network
 * @udp:	UDP pcb on port 53
 * @listen:	TCP listening pcb on port 53
 * @pending:	UDP queries waiting for the resolver
 * @conns:	TCP connections (core lock)
 * @reap:	wakes the loop to free dead connections
 * @next:	link in dnsd.eps (core lock)
 */
struct dnsd_ep {
	struct dnsd *d;
	struct netif *netif;
	struct dns_local *names;
	struct udp_pcb *udp;
	struct tcp_pcb *listen;
	struct dnsd_q *pending;
	struct dnsd_tcp *conns;
	struct loop_async *reap;
	struct dnsd_ep *next;
};

/**
 * struct dnsd_tcp - a TCP connection on lwIP; all fields under core lock
 * @ep:		endpoint
 * @pcb:	lwIP pcb, NULL once closed or aborted
 * @s:		the DNS stream: buffers and queries in flight
 * @last:	last activity, monotonic ms
 * @eof:	the client closed its side: close once answered
 * @dead:	closed; the reaper frees it
 * @aborted:	aborted within the current lwIP callback
 * @cl:		the client: network and address
 * @next:	list link
 */
struct dnsd_tcp {
	struct dnsd_ep *ep;
	struct tcp_pcb *pcb;
	struct dnsd_stream s;
	int64_t last;
	int eof;
	int dead;
	int aborted;
	struct hr_client cl;
	struct dnsd_tcp *next;
};

static void dnsd_q_done(struct dnsd_q *q, const uint8_t *ans, size_t len);

/**
 * dnsd_new() - create the service
 * @l:		loop
 * @hr:		host resolver, shared by every network
 * @c:		policy
 *
 * Return: the service
 */
struct dnsd *dnsd_new(struct loop *l, struct hr *hr,
		      const struct dnsd_config *c)
{
	struct dnsd *d = xcalloc(1, sizeof(*d));

	d->l = l;
	d->hr = hr;
	d->cfg = *c;
	return d;
}

/**
 * dnsd_free() - free the service; endpoints and host ports must be gone
 * @d:		service, or NULL
 */
void dnsd_free(struct dnsd *d)
{
	if (!d)
		return;
	dnsd_host_close_all(d);
	free(d);
}

/**
 * dnsd_stats() - counters of the service
 * @d:		service
 *
 * Return: its counters, owned by @d
 */
const struct dnsd_stats *dnsd_stats(const struct dnsd *d)
{
	return &d->stats;
}

/**
 * dnsd_q_link() - put @q on an owner's pending list
 * @q:		query, on no list
 * @list:	pending list of its owner
 */
static void dnsd_q_link(struct dnsd_q *q, struct dnsd_q **list)
{
	q->next = *list;
	if (q->next)
		q->next->pprev = &q->next;
	q->pprev = list;
	*list = q;
}

/**
 * dnsd_q_unlink() - take @q off its pending list, if on one
 * @q:		query; nothing happens if it is on no list
 */
static void dnsd_q_unlink(struct dnsd_q *q)
{
	if (!q->pprev)
		return;
	*q->pprev = q->next;
	if (q->next)
		q->next->pprev = q->pprev;
	q->pprev = NULL;
	q->next = NULL;
}

/**
 * dnsd_cancel_all() - cancel and free every query on a pending list
 * @list:	pending list; empty afterwards
 */
void dnsd_cancel_all(struct dnsd_q **list)
{
	while (*list) {
		struct dnsd_q *q = *list;

		dnsd_q_unlink(q);
		hr_cancel(q->req);
		free(q->chain);
		free(q);
	}
}

/**
 * dnsd_count() - how many queries are on a pending list
 * @list:	pending list
 *
 * Return: the number of queries on it
 */
size_t dnsd_count(struct dnsd_q *list)
{
	size_t n = 0;

	for (; list; list = list->next)
		n++;
	return n;
}

/**
 * dnsd_reply_error() - answer @q with an rcode and no records
 * @q:		query, freed
 * @rcode:	DNS_RCODE_*
 */
static void dnsd_reply_error(struct dnsd_q *q, uint16_t rcode)
{
	uint8_t buf[DNS_UDP_MIN];
	size_t n = dns_build_error(&q->q, rcode, buf, sizeof(buf));

	if (rcode == DNS_RCODE_SERVFAIL)
		q->d->stats.servfail++;
	dnsd_q_done(q, n ? buf : NULL, n);
}

/**
 * dnsd_native_done() - the native resolver answered an A or AAAA query
 * @arg:	the query, freed here
 * @st:		the resolver's status
 * @addrs:	packed addresses (4 or 16 bytes each)
 * @n:		how many
 * @canon:	canonical name, or NULL or "" for none
 * @ttl:	seconds the answer may be cached
 *
 * The answer is the upstream's in shape: the CNAME to the canonical name
 * getaddrinfo reported (after a local chain, if one led here), then every
 * address, as many as the client's transport holds (TC beyond).
 */
static void dnsd_native_done(void *arg, enum hr_status st, const uint8_t *addrs,
			     size_t n, const char *canon, uint32_t ttl)
{
	struct dnsd_q *q = arg;
	uint8_t buf[DNS_TCP_MAX];
	uint8_t cwire[DNS_NAME_MAX];
	const uint8_t *owner = NULL;
	struct dns_builder b;
	uint16_t rcode;
	size_t i, len;

	q->req = NULL;
	if (st == HR_SERVFAIL || st == HR_REFUSED) {
		log_debug("dns: %s: %s", q->q.name, hr_status_str(st));
		dnsd_reply_error(q, DNS_RCODE_SERVFAIL);
		return;
	}
	rcode = st == HR_NXDOMAIN ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
	dns_build_begin(&b, &q->q, rcode, false, buf, sizeof(buf), q->limit);
	if (q->chain) {
		dns_local_put(q->chain, q->q.qtype, &b);
		owner = q->chain->names[q->chain->ncname];
	}
	if (st == HR_OK && canon &&
	    dns_name_from_text(canon, cwire, sizeof(cwire)) > 0 &&
	    !dns_name_equal(cwire, owner ? owner : q->q.qname)) {
		dns_build_cname(&b, owner, ttl, cwire);
		owner = cwire;
	}
	for (i = 0; st == HR_OK && i < n; i++) {
		if (q->q.qtype == DNS_T_A)
			dns_build_a(&b, owner, ttl,
				    (const struct in_addr *)(addrs + 4 * i));
		else
			dns_build_aaaa(
			    &b, owner, ttl,
			    (const struct in6_addr *)(addrs + 16 * i));
	}
	if (b.tc)
		q->d->stats.truncated++;
	len = dns_build_end(&b);
	dnsd_q_done(q, len ? buf : NULL, len);
}

/**
 * dnsd_forward_done() - the upstream answered a forwarded query
 * @arg:	the query, freed here
 * @st:		the resolver's status
 * @ans:	the upstream's answer, untrusted
 * @len:	its length
 *
 * The upstream is untrusted too: an answer that does not match the
 * question becomes SERVFAIL.
 */
static void dnsd_forward_done(void *arg, enum hr_status st, const uint8_t *ans,
			      size_t len)
{
	struct dnsd_q *q = arg;
	uint8_t buf[DNS_TCP_MAX];
	size_t n;

	q->req = NULL;
	if (st != HR_OK || len > sizeof(buf)) {
		dnsd_reply_error(q, DNS_RCODE_SERVFAIL);
		return;
	}
	memcpy(buf, ans, len);
	if (dns_msg_set_id(buf, len, q->q.id) ||
	    dns_msg_check(buf, len, &q->q)) {
		log_debug("dns: upstream answer for %s does not match",
			  q->q.name);
		dnsd_reply_error(q, DNS_RCODE_SERVFAIL);
		return;
	}
	n = dns_msg_truncate(buf, len, q->limit);
	if (n < len)
		q->d->stats.truncated++;
	dnsd_q_done(q, n ? buf : NULL, n);
}

/**
 * dnsd_answer_local() - answer from the local table if the name is there
 * @q:		query: when 1 is returned, answered and freed, or waiting
 *		for the addresses of a local chain's target
 * @names:	local names of the client's network
 *
 * Return: 1 if answered (or continued, or dropped for want of memory), 0
 * if the name is not local
 */
static int dnsd_answer_local(struct dnsd_q *q, struct dns_local *names)
{
	struct dns_local_result *res = malloc(sizeof(*res));
	uint8_t buf[DNS_TCP_MAX];
	struct dns_builder b;
	char text[DNS_NAME_TEXT_MAX];
	bool plain;
	size_t len;
	int st;

	if (!res) { /* per query: a counted drop */
		q->d->stats.dropped++;
		dnsd_q_done(q, NULL, 0);
		return 1;
	}
	st = dns_local_lookup(names, q->q.qname, q->q.qtype, res);
	if (st == DNS_LOCAL_MISS) {
		free(res);
		return 0;
	}
	q->d->stats.local++;
	if (!q->d->cfg.ipv6)
		res->n6 = 0; /* hostResolver.ipv6 false: no AAAA, local too */
	if (st == DNS_LOCAL_CONTINUE &&
	    (q->q.qtype == DNS_T_A ||
	     (q->q.qtype == DNS_T_AAAA && q->d->cfg.ipv6)) &&
	    dns_name_to_text(res->names[res->ncname], text, sizeof(text),
			     &plain) >= 0 &&
	    plain) {
		/* A chain to a name the host resolves: resolve, then append. */
		q->chain = res;
		q->d->stats.native++;
		q->req =
		    hr_lookup_for(q->d->hr, &q->cl, text,
				  q->q.qtype == DNS_T_A ? AF_INET : AF_INET6,
				  dnsd_native_done, q);
		return 1;
	}
	dns_build_begin(&b, &q->q, res->rcode, true, buf, sizeof(buf),
			q->limit);
	dns_local_put(res, q->q.qtype, &b);
	if (b.tc)
		q->d->stats.truncated++;
	if (res->rcode == DNS_RCODE_SERVFAIL)
		q->d->stats.servfail++;
	free(res);
	len = dns_build_end(&b);
	dnsd_q_done(q, len ? buf : NULL, len);
	return 1;
}

/**
 * dnsd_query() - answer a query from a guest or a host client
 * @d:		service
 * @names:	local names of the client's network
 * @msg:	the query, untrusted
 * @len:	its length
 * @tmpl:	transport fields to copy (@via, @to, @owner, @reply)
 * @pending:	list the query waits on if the resolver is needed
 *
 * The answer goes out through @tmpl->reply, now or later; a query the
 * resolver is needed for waits on @pending until it is answered or its
 * owner cancels it with dnsd_cancel_all().
 */
void dnsd_query(struct dnsd *d, struct dns_local *names, const uint8_t *msg,
		size_t len, const struct dnsd_q *tmpl, struct dnsd_q **pending)
{
	struct dnsd_q *q = malloc(sizeof(*q));
	int r;

	if (!q) { /* per query: a counted drop */
		d->stats.queries++;
		d->stats.dropped++;
		return;
	}
	*q = *tmpl;
	q->d = d;
	q->req = NULL;
	q->chain = NULL;
	q->next = NULL;
	q->pprev = NULL;
	d->stats.queries++;
	r = dns_parse_query(msg, len, &q->q);
	if (r < 0) {
		d->stats.dropped++;
		free(q);
		return;
	}
	q->limit = q->tcp ? DNS_TCP_MAX : q->q.udp_size;
	if (r > 0) {
		d->stats.formerr++;
		dnsd_reply_error(q, q->q.rcode);
		return;
	}
	dnsd_q_link(q, pending);
	if (q->q.qclass == DNS_C_IN && dnsd_answer_local(q, names))
		return;
	if (q->q.qclass == DNS_C_IN && d->cfg.enabled && q->q.name_plain &&
	    (q->q.qtype == DNS_T_A || q->q.qtype == DNS_T_AAAA)) {
		if (q->q.qtype == DNS_T_AAAA && !d->cfg.ipv6) {
			/* Lima's default: AAAA exists for no name, at once. */
			dnsd_native_done(q, HR_NODATA, NULL, 0, NULL, 0);
			return;
		}
		d->stats.native++;
		q->req =
		    hr_lookup_for(d->hr, &q->cl, q->q.name,
				  q->q.qtype == DNS_T_A ? AF_INET : AF_INET6,
				  dnsd_native_done, q);
		return;
	}
	d->stats.forwarded++;
	q->req = hr_forward_for(d->hr, &q->cl, msg, len, dnsd_forward_done, q);
}

/**
 * dnsd_q_done() - send an answer (or nothing, if @ans is NULL), free @q
 * @q:		query, freed
 * @ans:	answer, or NULL to send nothing
 * @len:	its length
 */
static void dnsd_q_done(struct dnsd_q *q, const uint8_t *ans, size_t len)
{
	dnsd_q_unlink(q);
	if (ans)
		q->reply(q, ans, len);
	free(q->chain);
	free(q);
}

/*
 * lwIP transports
 */

/**
 * dnsd_lock() - take the core lock unless one of our callbacks holds it
 */
static void dnsd_lock(void)
{
	if (!dnsd_in_lwip)
		LOCK_TCPIP_CORE();
}

/**
 * dnsd_unlock() - release the core lock dnsd_lock() took
 */
static void dnsd_unlock(void)
{
	if (!dnsd_in_lwip)
		UNLOCK_TCPIP_CORE();
}

/**
 * dnsd_udp_reply() - send a UDP answer from port 53 of the endpoint
 * @q:		the query: its endpoint and client address
 * @ans:	the answer
 * @len:	its length
 */
static void dnsd_udp_reply(struct dnsd_q *q, const uint8_t *ans, size_t len)
{
	struct dnsd_ep *e = q->owner;
	struct pbuf *p;

	dnsd_lock();
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (p) {
		pbuf_take(p, ans, (u16_t)len);
		udp_sendto_if(e->udp, p, &q->to.lw.addr, q->to.lw.port,
			      e->netif);
		pbuf_free(p);
	}
	dnsd_unlock();
}

/**
 * dnsd_udp_recv() - lwIP: a UDP datagram to port 53 (core lock, loop thread)
 * @arg:	the endpoint
 * @pcb:	its UDP pcb
 * @p:		the datagram, freed here
 * @addr:	the client's address
 * @port:	its port
 */
static void dnsd_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			  const ip_addr_t *addr, u16_t port)
{
	struct dnsd_ep *e = arg;
	uint8_t buf[DNS_EDNS_MAX];
	struct dnsd_q tmpl = {
	    .tcp = false, .owner = e, .reply = dnsd_udp_reply};
	u16_t n;

	(void)pcb;
	if (p->tot_len > sizeof(buf)) {
		e->d->stats.dropped++;
		pbuf_free(p);
		return;
	}
	n = pbuf_copy_partial(p, buf, p->tot_len, 0);
	pbuf_free(p);
	ip_addr_copy(tmpl.to.lw.addr, *addr);
	tmpl.to.lw.port = port;
	dnsd_client_lw(&tmpl.cl, e->names, addr);
	dnsd_in_lwip++;
	dnsd_query(e->d, e->names, buf, n, &tmpl, &e->pending);
	dnsd_in_lwip--;
}

/**
 * dnsd_tcp_close() - close a connection; core lock held
 * @c:		connection
 *
 * If lwIP cannot close it, the pcb is aborted and @c->aborted set: the
 * lwIP callback we are in must then return ERR_ABRT.
 */
static void dnsd_tcp_close(struct dnsd_tcp *c)
{
	if (c->pcb) {
		tcp_arg(c->pcb, NULL);
		tcp_recv(c->pcb, NULL);
		tcp_sent(c->pcb, NULL);
		tcp_err(c->pcb, NULL);
		tcp_poll(c->pcb, NULL, 0);
		if (tcp_close(c->pcb) != ERR_OK) {
			tcp_abort(c->pcb);
			c->aborted = 1;
		}
		c->pcb = NULL;
	}
	c->dead = 1;
	c->s.closed = 1;
	loop_async_notify(c->ep->reap);
}

/**
 * dnsd_tcp_cb_end() - what one of our TCP callbacks returns
 * @c:		connection
 *
 * Return: ERR_ABRT if @c was aborted within this callback, else ERR_OK
 */
static err_t dnsd_tcp_cb_end(struct dnsd_tcp *c)
{
	dnsd_in_lwip--;
	if (c->aborted) {
		c->aborted = 0;
		return ERR_ABRT;
	}
	return ERR_OK;
}

/**
 * dnsd_tcp_pump() - hand queued answer bytes to lwIP; core lock held
 * @c:		connection
 */
static void dnsd_tcp_pump(struct dnsd_tcp *c)
{
	u16_t room;
	size_t n;

	if (!c->pcb || !c->s.txlen)
		return;
	room = tcp_sndbuf(c->pcb);
	n = c->s.txlen < room ? c->s.txlen : room;
	if (n && tcp_write(c->pcb, c->s.tx, (u16_t)n, TCP_WRITE_FLAG_COPY) ==
		     ERR_OK) {
		dnsd_stream_sent(&c->s, n);
		tcp_output(c->pcb);
	}
}

/**
 * dnsd_tcp_maybe_close() - close if the client closed its side and every
 * @c:		connection
 * query is answered and sent
 */
static void dnsd_tcp_maybe_close(struct dnsd_tcp *c)
{
	if (c->eof && !c->s.pending && !c->s.txlen && c->pcb)
		dnsd_tcp_close(c);
}

static void dnsd_tcp_reply(struct dnsd_q *q, const uint8_t *ans, size_t len);

/**
 * dnsd_tcp_parse() - start the complete queries in the receive buffer
 * @c:		connection
 *
 * At most DNSD_TCP_PENDING_MAX queries of a connection wait for the
 * resolver; the rest stay in the buffer, and lwIP's receive window closes
 * behind them. Not re-entered when a query is answered at once.
 */
static void dnsd_tcp_parse(struct dnsd_tcp *c)
{
	struct dnsd_q tmpl = {
	    .tcp = true, .owner = c, .reply = dnsd_tcp_reply, .cl = c->cl};
	size_t n = dnsd_stream_parse(c->ep->d, c->ep->names, &c->s, &tmpl,
				     DNSD_TCP_PENDING_MAX);

	if (c->pcb && n)
		tcp_recved(c->pcb, (u16_t)n);
}

/**
 * dnsd_tcp_reply() - send a TCP answer with its length, then go on with
 * @q:		the query: its connection
 * @ans:	the answer
 * @len:	its length
 * the queries waiting in the buffer; loop thread
 */
static void dnsd_tcp_reply(struct dnsd_q *q, const uint8_t *ans, size_t len)
{
	struct dnsd_tcp *c = q->owner;

	dnsd_lock();
	if (c->dead)
		goto out;
	if (dnsd_stream_queue(&c->s, ans, len)) {
		dnsd_tcp_close(c); /* the client does not read its answers */
		goto out;
	}
	dnsd_tcp_pump(c);
	dnsd_tcp_parse(c);
	dnsd_tcp_maybe_close(c);
out:
	dnsd_unlock();
}

/**
 * dnsd_tcp_recv() - lwIP: bytes (or the end) from a TCP client; core lock held
 * @arg:	the connection, NULL once it is closed
 * @pcb:	its pcb
 * @p:		the bytes, NULL at the end of the stream; freed here
 * @err:	unused: lwIP passes ERR_OK
 *
 * Return: ERR_OK, or ERR_ABRT if the pcb was aborted
 */
static err_t dnsd_tcp_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
			   err_t err)
{
	struct dnsd_tcp *c = arg;

	(void)err;
	(void)pcb;
	if (!c) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	dnsd_in_lwip++;
	c->last = loop_now_ms();
	if (!p) {
		c->eof = 1;
		dnsd_tcp_maybe_close(c);
	} else if (p->tot_len > sizeof(c->s.rx) - c->s.rxlen) {
		/* More than a whole message waiting: a broken client. */
		pbuf_free(p);
		dnsd_tcp_close(c);
	} else {
		pbuf_copy_partial(p, c->s.rx + c->s.rxlen, p->tot_len, 0);
		c->s.rxlen += p->tot_len;
		pbuf_free(p);
		dnsd_tcp_parse(c);
		dnsd_stream_received(&c->s, c->last);
	}
	return dnsd_tcp_cb_end(c);
}

/**
 * dnsd_tcp_sent() - lwIP: the client acknowledged bytes: send more;
 * core lock held
 * @arg:	the connection, NULL once it is closed
 * @pcb:	its pcb
 * @len:	bytes acknowledged
 *
 * Return: ERR_OK, or ERR_ABRT if the pcb was aborted
 */
static err_t dnsd_tcp_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct dnsd_tcp *c = arg;

	(void)pcb;
	(void)len;
	if (!c)
		return ERR_OK;
	dnsd_in_lwip++;
	dnsd_tcp_pump(c);
	dnsd_tcp_maybe_close(c);
	return dnsd_tcp_cb_end(c);
}

/**
 * dnsd_tcp_err() - lwIP freed the pcb (reset, abort); any thread
 * @arg:	the connection, NULL once it is closed
 * @err:	why (unused: the connection ends whatever it is)
 */
static void dnsd_tcp_err(void *arg, err_t err)
{
	struct dnsd_tcp *c = arg;

	(void)err;
	if (!c)
		return;
	c->pcb = NULL;
	c->dead = 1;
	c->s.closed = 1;
	loop_async_notify(c->ep->reap);
}

/**
 * dnsd_tcp_poll() - every 2 s, on the tcpip thread: close connections
 * @arg:	the connection, NULL once it is closed
 * @pcb:	its pcb
 * idle without a query waiting, or whose message is late
 *
 * A client trickling a byte now and then is not idle, but its message is
 * late DNSD_TCP_MSG_MS after its first byte.
 *
 * Return: ERR_OK, or ERR_ABRT if the pcb was aborted
 */
static err_t dnsd_tcp_poll(void *arg, struct tcp_pcb *pcb)
{
	struct dnsd_tcp *c = arg;
	int64_t now = loop_now_ms();

	(void)pcb;
	if (!c)
		return ERR_OK;
	dnsd_in_lwip++;
	dnsd_tcp_pump(c);
	if (dnsd_stream_late(&c->s, now)) {
		c->ep->d->stats.tcp_deadline++;
		dnsd_tcp_close(c);
	} else if (!c->s.pending && now - c->last > DNSD_TCP_IDLE_MS) {
		c->ep->d->stats.tcp_idle++;
		dnsd_tcp_close(c);
	}
	return dnsd_tcp_cb_end(c);
}

/**
 * dnsd_tcp_full() - whether a new connection from @cl is over its share
 * @e:		endpoint it came to
 * @cl:		its client
 *
 * Counts the live connections of every endpoint of the network (.2 and
 * .3 share the network's local names); core lock held.
 *
 * Return: 1 if the client or its network has its share open, else 0
 */
static int dnsd_tcp_full(struct dnsd_ep *e, const struct hr_client *cl)
{
	struct dnsd_ep *o;
	struct dnsd_tcp *c;
	int nclient = 0, nnet = 0;

	for (o = e->d->eps; o; o = o->next) {
		if (o->names != e->names)
			continue;
		for (c = o->conns; c; c = c->next) {
			if (c->dead)
				continue;
			nnet++;
			if (!memcmp(c->cl.addr, cl->addr, sizeof(cl->addr)))
				nclient++;
		}
	}
	return nclient >= DNSD_TCP_PER_CLIENT || nnet >= DNSD_TCP_PER_NET;
}

/**
 * dnsd_tcp_accept() - lwIP: a new TCP connection to port 53; core lock held
 * @arg:	the endpoint
 * @pcb:	the new connection's pcb
 * @err:	ERR_OK, or why lwIP could not make the pcb
 *
 * Return: ERR_OK, ERR_ABRT for a connection refused (over its share, or no
 * memory), ERR_VAL on an lwIP error
 */
static err_t dnsd_tcp_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct dnsd_ep *e = arg;
	struct hr_client cl;
	struct dnsd_tcp *c;

	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	dnsd_client_lw(&cl, e->names, &pcb->remote_ip);
	if (dnsd_tcp_full(e, &cl)) {
		/* A reset now, before a 64 KiB buffer is ever allocated. */
		e->d->stats.tcp_refused++;
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	c = calloc(1, sizeof(*c));
	if (!c) { /* per connection: refused, not fatal() */
		e->d->stats.tcp_refused++;
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	c->cl = cl;
	c->ep = e;
	c->pcb = pcb;
	c->last = loop_now_ms();
	c->next = e->conns;
	e->conns = c;
	e->d->stats.tcp_conns++;
	tcp_arg(pcb, c);
	tcp_recv(pcb, dnsd_tcp_recv);
	tcp_sent(pcb, dnsd_tcp_sent);
	tcp_err(pcb, dnsd_tcp_err);
	tcp_poll(pcb, dnsd_tcp_poll, 4);
	return ERR_OK;
}

/**
 * dnsd_reap() - loop thread: free dead connections, cancel their queries
 * @arg:	the endpoint
 */
static void dnsd_reap(void *arg)
{
	struct dnsd_ep *e = arg;
	struct dnsd_tcp **pp, *c;

	LOCK_TCPIP_CORE();
	for (pp = &e->conns; (c = *pp);) {
		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		dnsd_stream_free(&c->s);
		free(c);
	}
	UNLOCK_TCPIP_CORE();
}

/**
 * dnsd_ep_new() - serve DNS on UDP and TCP port 53 of @netif, on its IPv4
 * address and its IPv6 addresses if it has any
 * @d:		service
 * @netif:	a services-host netif (svc_netif(), svc_alias_netif())
 * @names:	the network's local names
 *
 * Return: the endpoint, or NULL
 */
struct dnsd_ep *dnsd_ep_new(struct dnsd *d, struct netif *netif,
			    struct dns_local *names)
{
	struct dnsd_ep *e = xcalloc(1, sizeof(*e));
	struct tcp_pcb *t;

	e->d = d;
	e->netif = netif;
	e->names = names;
	e->reap = loop_async_new(d->l, dnsd_reap, e);
	LOCK_TCPIP_CORE();
	/* One pcb of each for both families: IPv4 (.3 or .2) and, when the
	 * network serves IPv6, ::3 or ::2 of the same netif. */
	e->udp = udp_new_ip_type(IPADDR_TYPE_ANY);
	t = tcp_new_ip_type(IPADDR_TYPE_ANY);
	if (!e->udp || !t)
		goto fail;
	/* Every network has a .3: bind to this netif, share the port. */
	ip_set_option(e->udp, SOF_REUSEADDR);
	udp_bind_netif(e->udp, netif);
	if (udp_bind(e->udp, IP_ANY_TYPE, DNSD_PORT) != ERR_OK)
		goto fail;
	udp_recv(e->udp, dnsd_udp_recv, e);
	/*
	 * lwIP 2.1.3's tcp_listen() refuses a second listener on the same
	 * address and port when SOF_REUSEADDR is set, without looking at the
	 * bound netif; tcp_bind() refuses it when the option is not set on
	 * both. So: bind with the option (every listener has it), listen
	 * without it, and set it again on the listener. Incoming segments
	 * are matched to listeners by netif first, so each network's
	 * listener only sees its own guests.
	 */
	ip_set_option(t, SOF_REUSEADDR);
	tcp_bind_netif(t, netif);
	if (tcp_bind(t, IP_ANY_TYPE, DNSD_PORT) != ERR_OK)
		goto fail;
	ip_reset_option(t, SOF_REUSEADDR);
	e->listen = tcp_listen(t);
	if (!e->listen)
		goto fail;
	t = NULL;
	ip_set_option(e->listen, SOF_REUSEADDR);
	tcp_arg(e->listen, e);
	tcp_accept(e->listen, dnsd_tcp_accept);
	e->next = d->eps;
	d->eps = e;
	UNLOCK_TCPIP_CORE();
	return e;
fail:
	if (t)
		tcp_close(t);
	UNLOCK_TCPIP_CORE();
	log_warnx("dns: cannot bind port 53 on the services host");
	dnsd_ep_free(e);
	return NULL;
}

/**
 * dnsd_ep_free() - stop serving; pending queries are cancelled
 * @e:		endpoint, or NULL
 */
void dnsd_ep_free(struct dnsd_ep *e)
{
	struct dnsd_ep **pp;
	struct dnsd_tcp *c;

	if (!e)
		return;
	LOCK_TCPIP_CORE();
	for (pp = &e->d->eps; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	if (e->udp)
		udp_remove(e->udp);
	if (e->listen)
		tcp_close(e->listen);
	for (c = e->conns; c; c = c->next) {
		if (c->pcb) {
			tcp_arg(c->pcb, NULL);
			tcp_err(c->pcb, NULL);
			tcp_abort(c->pcb);
			c->pcb = NULL;
		}
		c->dead = 1;
		c->s.closed = 1;
	}
	UNLOCK_TCPIP_CORE();
	dnsd_reap(e);
	dnsd_cancel_all(&e->pending);
	loop_async_free(e->reap);
	free(e);
}
