/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hostresolver.c - the resolver's front: configuration, the life of a
 * request (pending with a deadline, ready, delivered), hr_lookup() with its
 * cache, hr_forward(), hr_cancel(). The resolv.conf watch and the search
 * list are in resolvconf.c.
 *
 * The fair share: a request made for a client is charged to the client
 * and to its network (struct hr_acct, a small hash table) from its
 * admission until it is freed, or, for a forwarded query that outlives
 * it, until c-ares ends the query; a client or network at its cap is
 * refused (HR_REFUSED, so SERVFAIL to the guest) before it can take the
 * pool that every network shares.
 *
 * Every request's callback runs from one loop timer (the "tick"): results
 * move a request from the pending list to the ready list and arm the tick
 * for now; the tick delivers what is ready, fails pending requests past
 * their deadline, and re-arms itself for the next deadline. All requests
 * get the same timeout, so the pending list, kept in arrival order, is
 * also in deadline order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h> /* fd_set, which c-ares 1.18's ares.h uses */
#include <time.h>
#include <unistd.h>

#include <ares.h>

#include "services/hostresolver/hr_internal.h"
#include "base/loop.h"
#include "base/log.h"
#include "base/xalloc.h"

#define HR_DEFAULT_RESOLV_CONF "/etc/resolv.conf"
#define HR_DEFAULT_FALLBACK    "8.8.8.8,1.1.1.1"
/* Shortest time between two "failing" lines of one kind of request. */
#define HR_FAIL_LOG_MS 30000

/**
 * hr_list_add() - append @r to @q
 * @q:		list
 * @r:		request, on no list
 */
static void hr_list_add(struct hr_reqlist *q, struct hr_req *r)
{
	r->next = NULL;
	r->prev = q->tail;
	if (q->tail)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
	q->n++;
}

/**
 * hr_list_del() - remove @r from @q
 * @q:		list
 * @r:		request on @q
 */
static void hr_list_del(struct hr_reqlist *q, struct hr_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		q->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		q->tail = r->prev;
	r->prev = r->next = NULL;
	q->n--;
}

/**
 * hr_hash() - FNV-1a of a normalized name and a family
 * @name:	name
 * @family:	AF_INET or AF_INET6
 *
 * Return: hash
 */
unsigned hr_hash(const char *name, int family)
{
	uint32_t x = 2166136261U ^ (uint32_t)family;

	for (; *name; name++) {
		x ^= (uint8_t)*name;
		x *= 16777619U;
	}
	return x;
}

/**
 * hr_random16() - a random 16-bit number, for query IDs
 * @h:		resolver
 *
 * Read from /dev/urandom in batches; if that fails, a weaker mix of the
 * clock (the IDs then only avoid collisions).
 *
 * Return: number
 */
uint16_t hr_random16(struct hr *h)
{
	if (!h->nrnd) {
		ssize_t n = -1;
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			n = read(fd, h->rnd, sizeof(h->rnd));
			close(fd);
		}
		if (n != (ssize_t)sizeof(h->rnd)) {
			uint64_t x = (uint64_t)loop_now_ns() ^
				     ((uint64_t)getpid() << 32);
			size_t i;

			for (i = 0; i < sizeof(h->rnd) / sizeof(h->rnd[0]);
			     i++) {
				x += 0x9e3779b97f4a7c15ULL;
				x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
				h->rnd[i] = (uint16_t)(x >> 40);
			}
		}
		h->nrnd = sizeof(h->rnd) / sizeof(h->rnd[0]);
	}
	return h->rnd[--h->nrnd];
}

/**
 * hr_acct_get() - the share of a client or of a network, made if new
 * @h:		resolver
 * @net:	hr_client.net
 * @addr:	hr_client.addr, or NULL for the network's share
 *
 * Return: entry (with no reference taken: free it with hr_acct_drop()
 * if left unused), or NULL if no memory is left for a new one
 */
static struct hr_acct *hr_acct_get(struct hr *h, const void *net,
				   const uint8_t *addr)
{
	uint32_t x = 2166136261U ^ (uint32_t)(uintptr_t)net;
	struct hr_acct *a, **head;
	size_t i;

	x = (x ^ (uint32_t)((uint64_t)(uintptr_t)net >> 32)) * 16777619U;
	for (i = 0; addr && i < 16; i++)
		x = (x ^ addr[i]) * 16777619U;
	head = &h->acct[(x ^ (x >> 16)) % HR_ACCT_BUCKETS];
	for (a = *head; a; a = a->hnext)
		if (a->net == net && a->is_net == !addr &&
		    (!addr || !memcmp(a->addr, addr, 16)))
			return a;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL; /* per query: hr_admit() refuses it */
	a->net = net;
	a->is_net = !addr;
	if (addr)
		memcpy(a->addr, addr, 16);
	a->hnext = *head;
	*head = a;
	return a;
}

/**
 * hr_acct_drop() - free @a if nothing refers to it any more
 * @h:		resolver
 * @a:		entry
 */
static void hr_acct_drop(struct hr *h, struct hr_acct *a)
{
	size_t b;

	if (a->refs)
		return;
	for (b = 0; b < HR_ACCT_BUCKETS; b++) {
		struct hr_acct **pp;

		for (pp = &h->acct[b]; *pp; pp = &(*pp)->hnext) {
			if (*pp == a) {
				*pp = a->hnext;
				free(a);
				return;
			}
		}
	}
}

/**
 * hr_acct_unref() - drop a reference that is not a charge (a job's)
 * @h:		resolver
 * @a:		entry, or NULL
 */
void hr_acct_unref(struct hr *h, struct hr_acct *a)
{
	if (!a)
		return;
	a->refs--;
	hr_acct_drop(h, a);
}

/**
 * hr_acct_uncharge() - a request (or its c-ares query) charged to @a ended
 * @h:		resolver
 * @a:		entry, or NULL
 */
void hr_acct_uncharge(struct hr *h, struct hr_acct *a)
{
	if (!a)
		return;
	a->charge--;
	hr_acct_unref(h, a);
}

/**
 * hr_admit() - charge a new request to its client and network, if they
 *		have room
 * @h:		resolver
 * @r:		request, on no list
 * @cl:		its client, or NULL (then nothing is charged)
 *
 * Return: 0, or -1 (counted) if the client or its network has its whole
 * share waiting already
 */
static int hr_admit(struct hr *h, struct hr_req *r, const struct hr_client *cl)
{
	struct hr_acct *c, *n;

	if (!cl)
		return 0;
	c = hr_acct_get(h, cl->net, cl->addr);
	n = hr_acct_get(h, cl->net, NULL);
	if (!c || !n) { /* out of memory: refused, not fatal() */
		if (c)
			hr_acct_drop(h, c);
		if (n)
			hr_acct_drop(h, n);
		return -1;
	}
	if (c->charge >= h->cfg.max_per_client ||
	    n->charge >= h->cfg.max_per_net) {
		if (c->charge >= h->cfg.max_per_client)
			h->stats.refused_client++;
		else
			h->stats.refused_net++;
		hr_acct_drop(h, c);
		hr_acct_drop(h, n);
		return -1;
	}
	c->charge++;
	c->refs++;
	n->charge++;
	n->refs++;
	r->cl = c;
	r->net = n;
	return 0;
}

/**
 * hr_tick_soon() - have the tick run in this loop iteration
 * @h:		resolver
 */
static void hr_tick_soon(struct hr *h)
{
	loop_timer_arm(h->tick, 0);
}

/**
 * hr_req_new() - a request not yet on any list
 * @h:		resolver
 *
 * Return: request; exits on allocation failure
 */
static struct hr_req *hr_req_new(struct hr *h)
{
	struct hr_req *r = calloc(1, sizeof(*r));

	if (!r)
		fatal("calloc");
	r->h = h;
	return r;
}

/**
 * hr_req_ready() - a request on no list gets its result at once
 * @r:		request
 * @status:	result
 *
 * Return: @r
 */
static struct hr_req *hr_req_ready(struct hr_req *r, enum hr_status status)
{
	r->status = status;
	r->state = HR_RS_READY;
	hr_list_add(&r->h->ready, r);
	hr_tick_soon(r->h);
	return r;
}

/**
 * hr_req_pend() - a request starts waiting, with a deadline
 * @r:		request on no list
 */
static void hr_req_pend(struct hr_req *r)
{
	r->state = HR_RS_PENDING;
	r->deadline = loop_now_ms() + r->h->cfg.timeout_ms;
	hr_list_add(&r->h->pending, r);
	/* The tick is armed for now when something is ready, else for the
	 * oldest deadline, which stays first. */
	if (r->h->pending.n == 1 && !r->h->ready.n)
		loop_timer_arm(r->h->tick, r->deadline);
}

/**
 * hr_req_done() - a pending request has its result
 * @r:		request, pending and detached from its job or query
 * @status:	result (addresses or answer already stored)
 */
void hr_req_done(struct hr_req *r, enum hr_status status)
{
	hr_list_del(&r->h->pending, r);
	hr_req_ready(r, status);
}

/**
 * hr_req_detach() - stop a pending request waiting on its job or query
 * @r:		request
 */
static void hr_req_detach(struct hr_req *r)
{
	if (r->raw)
		hr_fwd_detach(r);
	else
		hr_gai_detach(r);
}

/**
 * hr_req_free() - free a request and its answer
 * @r:		request on no list
 */
static void hr_req_free(struct hr_req *r)
{
	hr_acct_uncharge(r->h, r->cl);
	hr_acct_uncharge(r->h, r->net);
	free(r->answer);
	free(r->addrs);
	free(r);
}

/**
 * hr_req_set_addrs() - give a lookup request its result addresses
 * @r:		request (hr_lookup)
 * @addrs:	packed addresses of r->family, copied
 * @naddrs:	how many
 * @canon:	canonical name, "" if none
 *
 * Return: 0, or -1 if no memory is left for the copy (@r then has no
 * addresses: the caller fails it, on the per-query path)
 */
int hr_req_set_addrs(struct hr_req *r, const uint8_t *addrs, size_t naddrs,
		     const char *canon)
{
	size_t bytes = naddrs * hr_addr_len(r->family);

	free(r->addrs);
	r->addrs = NULL;
	r->naddrs = naddrs;
	snprintf(r->canon, sizeof(r->canon), "%s", canon);
	if (!bytes)
		return 0;
	r->addrs = malloc(bytes);
	if (!r->addrs) {
		r->naddrs = 0;
		return -1;
	}
	memcpy(r->addrs, addrs, bytes);
	return 0;
}

/**
 * hr_health_note() - log when requests of one kind start or stop failing
 * @hh:		their health
 * @what:	what they are, for the log
 * @status:	outcome of one request
 *
 * An upstream that fails (garbage, silence, SERVFAIL) fails every query:
 * one line when that starts (at most one per HR_FAIL_LOG_MS, however
 * often it toggles: @hh->rate, the line says how many starts it skipped),
 * one when answers come back after a logged episode. Every failure is
 * counted in hr_stats.failures.
 */
static void hr_health_note(struct hr_health *hh, const char *what,
			   enum hr_status status)
{
	uint64_t n;

	if (status == HR_REFUSED)
		return; /* our own limit, not the upstream */
	if (status != HR_SERVFAIL) {
		if (hh->failing && hh->told)
			log_info("hostresolver: %s answered again, after %llu "
				 "failures",
				 what, (unsigned long long)hh->nfail);
		hh->failing = 0;
		hh->told = 0;
		hh->nfail = 0;
		return;
	}
	hh->nfail++;
	if (hh->failing)
		return;
	hh->failing = 1;
	n = log_rate_due(&hh->rate, loop_now_ms(), HR_FAIL_LOG_MS);
	if (!n)
		return;
	hh->told = 1;
	log_warnx("hostresolver: %s failing (no usable answer, or a "
		  "timeout); further failures are counted, not logged "
		  "(%llu earlier episodes not logged)",
		  what, (unsigned long long)(n - 1));
}

/**
 * hr_tick() - loop timer: fail expired requests, run due callbacks
 * @arg:	resolver
 *
 * Only the requests ready when it starts are delivered, so callbacks that
 * start new requests cannot keep it running.
 */
static void hr_tick(void *arg)
{
	struct hr *h = arg;
	int64_t now = loop_now_ms();
	struct hr_req *r;
	int n;

	while ((r = h->pending.head) && r->deadline <= now) {
		hr_req_detach(r);
		r->naddrs = 0;
		r->ttl = 0;
		hr_req_done(r, HR_SERVFAIL);
	}
	for (n = h->ready.n; n > 0 && (r = h->ready.head); n--) {
		hr_list_del(&h->ready, r);
		r->state = HR_RS_DELIVERING;
		if (r->raw)
			hr_health_note(&h->fwd_health, "forwarded queries",
				       r->status);
		else
			hr_health_note(&h->gai_health,
				       "native lookups (getaddrinfo)",
				       r->status);
		if (r->status == HR_SERVFAIL)
			h->stats.failures++;
		else if (r->status == HR_REFUSED)
			h->stats.refused++;
		if (r->raw)
			r->rcb(r->arg, r->status,
			       r->status == HR_OK ? r->answer : NULL,
			       r->status == HR_OK ? r->len : 0);
		else
			r->acb(r->arg, r->status,
			       r->status == HR_OK ? r->addrs : NULL,
			       r->status == HR_OK ? r->naddrs : 0,
			       r->status == HR_OK && r->canon[0] ? r->canon
								 : NULL,
			       r->ttl);
		hr_req_free(r);
	}
	if (h->ready.head)
		hr_tick_soon(h);
	else if (h->pending.head)
		loop_timer_arm(h->tick, h->pending.head->deadline);
}

/**
 * hr_name_norm() - normalize a name for getaddrinfo and the cache
 * @name:	name as asked, with or without a trailing dot
 * @out:	lower-case name without the trailing dot, HR_NAME_MAX + 1 bytes
 *
 * A name glibc would refuse anyway (empty, too long, empty or over-long
 * label, a byte outside '!'..'~') is rejected here.
 *
 * Return: 0, or -1 if @name is not a valid host name
 */
static int hr_name_norm(const char *name, char *out)
{
	size_t len = strnlen(name, HR_NAME_MAX + 2), i, label = 0;

	if (len && name[len - 1] == '.')
		len--;
	if (!len || len > HR_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch == '.') {
			if (!label)
				return -1;
			label = 0;
		} else if (ch < '!' || ch > '~' || ++label > 63) {
			return -1;
		}
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	out[len] = '\0';
	return 0;
}

/**
 * hr_lookup_for() - resolve @name to addresses of @family, natively, for
 *		     a client
 * @h:		resolver
 * @cl:		the client, for its fair share; NULL for none
 * @name:	host name, as in a DNS question (a trailing dot is ignored);
 *		matched case-insensitively. It goes to getaddrinfo as is,
 *		so /etc/hosts and the host's search list apply.
 * @family:	AF_INET (A) or AF_INET6 (AAAA)
 * @cb:		completion, run later on the loop thread
 * @arg:	its argument
 *
 * The answer comes from the cache, or from getaddrinfo in a worker (one
 * call for all identical lookups in flight). An invalid name completes
 * with HR_NXDOMAIN (glibc's own answer to such names), another family with
 * HR_SERVFAIL, too many requests (the client's, its network's, or all)
 * with HR_REFUSED; never synchronously. A cache hit is never refused.
 *
 * Return: handle for hr_cancel(), valid until @cb runs; never NULL
 */
struct hr_req *hr_lookup_for(struct hr *h, const struct hr_client *cl,
			     const char *name, int family, hr_addr_fn cb,
			     void *arg)
{
	struct hr_req *r = hr_req_new(h);
	const struct hr_centry *e;
	char key[HR_NAME_MAX + 1];
	int64_t now;
	unsigned hash;

	r->acb = cb;
	r->arg = arg;
	r->family = family;
	h->stats.lookups++;
	if (family != AF_INET && family != AF_INET6) {
		log_warnx("hostresolver: lookup with family %d", family);
		return hr_req_ready(r, HR_SERVFAIL);
	}
	if (hr_name_norm(name, key) < 0)
		return hr_req_ready(r, HR_NXDOMAIN);
	hash = hr_hash(key, family);
	now = loop_now_ms();
	if (h->cfg.cache_ttl >= 0 &&
	    (e = hr_cache_get(&h->cache, key, family, hash, now))) {
		h->stats.cache_hits++;
		if (hr_req_set_addrs(r, e->addrs, e->naddrs, e->canon))
			return hr_req_ready(r, HR_SERVFAIL);
		if (e->status != HR_SERVFAIL)
			r->ttl = (uint32_t)((e->expires - now + 999) / 1000);
		return hr_req_ready(r, e->status);
	}
	if (hr_admit(h, r, cl) < 0 || h->pending.n >= h->cfg.max_inflight)
		return hr_req_ready(r, HR_REFUSED);
	if (hr_gai_attach(h, r, key, hash) < 0)
		return hr_req_ready(r, HR_REFUSED);
	hr_req_pend(r);
	return r;
}

/**
 * hr_lookup() - hr_lookup_for() for no client in particular
 * @h:		resolver
 * @name:	host name
 * @family:	AF_INET or AF_INET6
 * @cb:		completion
 * @arg:	its argument
 *
 * Return: handle for hr_cancel(), valid until @cb runs; never NULL
 */
struct hr_req *hr_lookup(struct hr *h, const char *name, int family,
			 hr_addr_fn cb, void *arg)
{
	return hr_lookup_for(h, NULL, name, family, cb, arg);
}

/**
 * hr_forward_for() - forward a raw DNS query to the upstream servers, for
 *		      a client
 * @h:		resolver
 * @cl:		the client, for its fair share; NULL for none
 * @query:	the query as received (copied; the caller may reuse it)
 * @len:	its length
 * @cb:		completion, run later on the loop thread, with the answer
 *		bytes as the upstream sent them but for the ID (hr's own)
 * @arg:	its argument
 *
 * A query shorter than a DNS header completes with HR_SERVFAIL, too many
 * requests (the client's, its network's, or all) with HR_REFUSED; never
 * synchronously.
 *
 * Return: handle for hr_cancel(), valid until @cb runs; never NULL
 */
struct hr_req *hr_forward_for(struct hr *h, const struct hr_client *cl,
			      const uint8_t *query, size_t len, hr_raw_fn cb,
			      void *arg)
{
	struct hr_req *r = hr_req_new(h);

	r->raw = 1;
	r->rcb = cb;
	r->arg = arg;
	h->stats.forwards++;
	if (len < 12 || len > 65535)
		return hr_req_ready(r, HR_SERVFAIL);
	if (hr_admit(h, r, cl) < 0 || h->pending.n >= h->cfg.max_inflight ||
	    h->nbackend >= h->cfg.max_inflight)
		return hr_req_ready(r, HR_REFUSED);
	hr_req_pend(r);
	if (hr_chan_send(h, r, query, len) < 0)
		hr_req_done(r, HR_SERVFAIL);
	return r;
}

/**
 * hr_forward() - hr_forward_for() for no client in particular
 * @h:		resolver
 * @query:	the query as received
 * @len:	its length
 * @cb:		completion
 * @arg:	its argument
 *
 * Return: handle for hr_cancel(), valid until @cb runs; never NULL
 */
struct hr_req *hr_forward(struct hr *h, const uint8_t *query, size_t len,
			  hr_raw_fn cb, void *arg)
{
	return hr_forward_for(h, NULL, query, len, cb, arg);
}

/**
 * hr_get_stats() - copy the counters
 * @h:		resolver
 * @st:		filled in with its counters
 */
void hr_get_stats(const struct hr *h, struct hr_stats *st)
{
	*st = h->stats;
}

/**
 * hr_cancel() - drop a request: its callback will never run
 * @r:		handle from hr_lookup() or hr_forward(), or NULL
 *
 * Safe while a worker still runs getaddrinfo for it (the result still
 * fills the cache) or c-ares still waits for its answer (dropped). A no-op
 * from inside the request's own callback.
 */
void hr_cancel(struct hr_req *r)
{
	if (!r)
		return;
	switch (r->state) {
	case HR_RS_PENDING:
		hr_req_detach(r);
		hr_list_del(&r->h->pending, r);
		break;
	case HR_RS_READY:
		hr_list_del(&r->h->ready, r);
		break;
	case HR_RS_DELIVERING:
		return;
	}
	hr_req_free(r);
}

/**
 * hr_new() - start a resolver
 * @l:		loop whose thread uses it
 * @c:		configuration, NULL for all defaults; copied
 *
 * Starts the worker threads and reads the resolv.conf file (a missing
 * file means the fallback servers).
 *
 * Return: resolver, or NULL (logged) if the fallback list does not parse,
 * c-ares cannot start or no thread could be created
 */
struct hr *hr_new(struct loop *l, const struct hr_config *c)
{
	struct hr *h = xcalloc(1, sizeof(*h));
	struct hr_confsig sig;

	if (c)
		h->cfg = *c;
	h->l = l;
	if (!h->cfg.workers)
		h->cfg.workers = 4;
	if (h->cfg.workers < 1)
		h->cfg.workers = 1;
	if (h->cfg.workers > 64)
		h->cfg.workers = 64;
	if (h->cfg.max_inflight <= 0)
		h->cfg.max_inflight = 256;
	if (h->cfg.max_inflight > 16384)
		h->cfg.max_inflight = 16384;
	if (!h->cfg.cache_ttl)
		h->cfg.cache_ttl = 5;
	if (h->cfg.cache_max <= 0)
		h->cfg.cache_max = 4096;
	if (h->cfg.max_per_client <= 0)
		h->cfg.max_per_client = (h->cfg.max_inflight + 3) / 4;
	if (h->cfg.max_per_net <= 0)
		h->cfg.max_per_net = (h->cfg.max_inflight + 1) / 2;
	if (h->cfg.timeout_ms <= 0)
		h->cfg.timeout_ms = 3000;
	if (h->cfg.timeout_ms < 100)
		h->cfg.timeout_ms = 100;
	h->resolv_conf = xstrdup(h->cfg.resolv_conf ? h->cfg.resolv_conf
						    : HR_DEFAULT_RESOLV_CONF);
	h->fallback =
	    xstrdup(h->cfg.fallback ? h->cfg.fallback : HR_DEFAULT_FALLBACK);
	h->cfg.resolv_conf = h->resolv_conf;
	h->cfg.fallback = h->fallback;

	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		log_warnx("hostresolver: ares_library_init failed");
		free(h->resolv_conf);
		free(h->fallback);
		free(h);
		return NULL;
	}
	h->tick = loop_timer_new(l, hr_tick, h);
	h->watch = loop_timer_new(l, hr_watch, h);
	hr_cache_init(&h->cache, h->cfg.cache_max);
	if (hr_ares_check_servers(h->fallback) < 0) {
		log_warnx("hostresolver: bad fallback server list \"%s\"",
			  h->fallback);
		goto fail;
	}
	hr_conf_sig(h->resolv_conf, &sig);
	if (hr_reload(h, &sig) < 0)
		goto fail;
	if (hr_gai_init(h) < 0)
		goto fail;
	loop_timer_arm(h->watch, loop_now_ms() + HR_WATCH_MS);
	return h;
fail:
	hr_free(h);
	return NULL;
}

/**
 * hr_free() - stop a resolver; pending callbacks never run
 * @h:		resolver, or NULL; not from inside one of its callbacks
 *
 * Does not wait for workers stuck in getaddrinfo: they end on their own.
 */
void hr_free(struct hr *h)
{
	struct hr_req *r;
	size_t b;

	if (!h)
		return;
	while ((r = h->pending.head)) {
		hr_list_del(&h->pending, r);
		hr_req_detach(r);
		hr_req_free(r);
	}
	while ((r = h->ready.head)) {
		hr_list_del(&h->ready, r);
		hr_req_free(r);
	}
	hr_gai_fini(h);
	hr_chan_free(h->chan);
	while (h->old)
		hr_chan_free(h->old);
	hr_cache_fini(&h->cache);
	for (b = 0; b < HR_ACCT_BUCKETS; b++) {
		struct hr_acct *a;

		while ((a = h->acct[b])) { /* queued jobs' references */
			h->acct[b] = a->hnext;
			free(a);
		}
	}
	loop_timer_free(h->tick);
	loop_timer_free(h->watch);
	ares_library_cleanup();
	free(h->resolv_conf);
	free(h->fallback);
	free(h);
}

/**
 * hr_status_str() - name of a status, for logs
 * @s:		status
 *
 * Return: static string
 */
const char *hr_status_str(enum hr_status s)
{
	switch (s) {
	case HR_OK:
		return "OK";
	case HR_NODATA:
		return "NODATA";
	case HR_NXDOMAIN:
		return "NXDOMAIN";
	case HR_SERVFAIL:
		return "SERVFAIL";
	case HR_REFUSED:
		return "REFUSED";
	}
	return "?";
}
