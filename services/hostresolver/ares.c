/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ares.c - raw forwarding through c-ares: one channel made from the
 * resolv.conf file (or the fallback servers), driven by the loop without
 * threads. c-ares tells us its sockets through ARES_OPT_SOCK_STATE_CB
 * (loop_io_add/events/del), we call ares_process_fd() when they are ready
 * and when ares_timeout() says a retransmission is due (a loop timer).
 *
 * c-ares 1.18 cannot re-read its configuration: when resolv.conf changes
 * a new channel takes new queries, and the old one stays until its last
 * query ended (answered, or timed out in c-ares), then is destroyed.
 *
 * What c-ares 1.18.1 does with a query given to ares_send() (read in its
 * source, ares_send.c and ares_process.c):
 * - It sends the bytes as they are, ID included: it picks no ID of its
 *   own. We put a random ID, unique among this channel's queries in flight,
 *   in a copy of the query, so two clients using the same ID for the same
 *   question do not collide and guests cannot choose upstream IDs; the
 *   answer comes back with that ID.
 * - An answer is matched by ID and question (same_questions()).
 * - Without ARES_FLAG_IGNTC, a UDP answer with TC set, or longer than
 *   512 bytes, is dropped and the query re-sent over TCP; its UDP buffer is
 *   4097 bytes. So large answers arrive whole, at the price of a TCP round
 *   trip when the client's own EDNS0 let the upstream answer more than 512
 *   bytes over UDP.
 * - ARES_FLAG_EDNS is not set: it only raises that 512 to ednspsz, but on
 *   a FORMERR without OPT it chops 11 bytes off the end of the query (the
 *   OPT record ares_query() would have added, not one a raw query has) and
 *   toggles the flag for the whole channel. A client's own OPT record is
 *   forwarded as is.
 * - Without ARES_FLAG_NOCHECKRESP, SERVFAIL, REFUSED and NOTIMP answers
 *   move on to the next server, like glibc's stub resolver; when all
 *   failed, the callback gets an error and no bytes (we say HR_SERVFAIL).
 * - Retransmissions: try n (0-based) waits timeout << (n / nservers);
 *   with tries = 2 a query lasts at most 3 * nservers * timeout. The
 *   per-try timeout is chosen so that this is about hr_config.timeout_ms;
 *   the request's own deadline is enforced by hostresolver.c anyway.
 *
 * Newer c-ares (1.28 and later, Homebrew's 1.34) deprecates ares_send()
 * and ares_get_servers_ports(), which -Werror makes fatal. From
 * HR_ARES_DNSREC on we make the calls their ares_send() makes itself
 * (read in 1.34's ares_send.c): ares_dns_parse() the query,
 * ares_send_dnsrec(), ares_dns_write() the answer; the servers are listed
 * with ares_get_servers_csv(). Those versions pick their own query ID
 * (ours is then overwritten, harmlessly) and keep a query cache of their
 * own, which we turn off (ARES_OPT_QUERY_CACHE, qcache_max_ttl 0): the
 * resolver has its own cache, with its own rules (cache.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <ares.h>

#include "services/hostresolver/hr_internal.h"
#include "base/loop.h"
#include "base/log.h"
#include "base/xalloc.h"

/* c-ares with ares_send_dnsrec() and ares_get_servers_csv() (1.28.0) */
#define HR_ARES_DNSREC (ARES_VERSION >= 0x011c00)

/* The file configd writes on macOS, hostresolver.c's default */
#define HR_ARES_SYSTEM_CONF "/etc/resolv.conf"

/*
 * The per-try timeout is timeout_ms / (HR_ARES_SPAN * servers), so that
 * a silent upstream fails the query at about timeout_ms. 1.18 waits
 * try_ms, then 2 * try_ms on the second round: 3 spans. Newer c-ares
 * (read in 1.34's ares_calc_query_timeout()) would shorten the second
 * round's wait at random to between try_ms and 2 * try_ms; there we cap
 * every wait at try_ms (ARES_OPT_MAXTIMEOUTMS; c-ares never waits less
 * than the per-try timeout), which leaves 2 spans of exactly try_ms.
 */
#if HR_ARES_DNSREC
#define HR_ARES_SPAN 2
#else
#define HR_ARES_SPAN 3
#endif

/* Attempts per server (c-ares default is 3, with doubling timeouts). */
#define HR_ARES_TRIES 2
/* Shortest per-try timeout, ms. */
#define HR_ARES_TRY_MIN_MS 200

/**
 * struct hr_chan - a c-ares channel and its sockets
 * @h:		resolver
 * @ch:		channel
 * @timer:	fires when c-ares has a timeout to process
 * @fds:	sockets registered with the loop
 * @nfds:	entries of @fds
 * @capfds:	size of @fds
 * @nq:		queries in c-ares not yet ended
 * @retired:	replaced by a newer channel; freed when @nq reaches 0
 * @next:	link in hr.old
 * @ids:	bitmap of query IDs in flight
 */
struct hr_chan {
	struct hr *h;
	ares_channel ch;
	struct loop_timer *timer;
	int *fds;
	int nfds, capfds;
	int nq;
	int retired;
	struct hr_chan *next;
	uint8_t ids[65536 / 8];
};

/**
 * struct hr_fwd - one query handed to c-ares
 * @c:		channel it runs on
 * @r:		request waiting for it, NULL once cancelled or timed out
 * @id:		query ID we gave it
 * @cl:		client share the query stays charged to once its request
 *		is gone (it still holds an upstream slot), or NULL
 * @net:	the same for the client's network
 */
struct hr_fwd {
	struct hr_chan *c;
	struct hr_req *r;
	uint16_t id;
	struct hr_acct *cl;
	struct hr_acct *net;
};

/**
 * hr_chan_timer_update() - arm the channel timer at c-ares's next timeout
 * @c:		channel
 */
static void hr_chan_timer_update(struct hr_chan *c)
{
	struct timeval tv, *tvp;

	tvp = ares_timeout(c->ch, NULL, &tv);
	if (!tvp) {
		loop_timer_disarm(c->timer);
		return;
	}
	loop_timer_arm(c->timer, loop_now_ms() + (int64_t)tvp->tv_sec * 1000 +
				     (tvp->tv_usec + 999) / 1000);
}

/**
 * hr_chan_reap() - free a retired channel whose last query ended
 * @c:		channel
 *
 * Return: 1 if @c was freed
 */
static int hr_chan_reap(struct hr_chan *c)
{
	if (!c->retired || c->nq)
		return 0;
	hr_chan_free(c);
	return 1;
}

/**
 * hr_chan_io() - loop callback: a c-ares socket is ready
 * @arg:	channel
 * @fd:		socket
 * @revents:	poll(2) events
 */
static void hr_chan_io(void *arg, int fd, int revents)
{
	struct hr_chan *c = arg;
	ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

	/* Errors and hang-ups surface in c-ares's read. */
	if (revents & (POLLIN | POLLERR | POLLHUP))
		rfd = fd;
	if (revents & POLLOUT)
		wfd = fd;
	ares_process_fd(c->ch, rfd, wfd);
	if (!hr_chan_reap(c))
		hr_chan_timer_update(c);
}

/**
 * hr_chan_tick() - loop timer: let c-ares retransmit or give up
 * @arg:	channel
 */
static void hr_chan_tick(void *arg)
{
	struct hr_chan *c = arg;

	ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	if (!hr_chan_reap(c))
		hr_chan_timer_update(c);
}

/**
 * hr_chan_sock() - ARES_OPT_SOCK_STATE_CB: watch or forget a socket
 * @data:	channel
 * @fd:		socket
 * @readable:	c-ares wants to read
 * @writable:	c-ares wants to write
 */
static void hr_chan_sock(void *data, ares_socket_t fd, int readable,
			 int writable)
{
	struct hr_chan *c = data;
	int events = (readable ? POLLIN : 0) | (writable ? POLLOUT : 0);
	int i;

	for (i = 0; i < c->nfds; i++)
		if (c->fds[i] == fd)
			break;
	if (!events) {
		if (i < c->nfds) {
			loop_io_del(c->h->l, fd);
			c->fds[i] = c->fds[--c->nfds];
		}
		return;
	}
	if (i < c->nfds) {
		loop_io_events(c->h->l, fd, events);
		return;
	}
	if (c->nfds == c->capfds) {
		c->capfds = c->capfds ? c->capfds * 2 : 8;
		c->fds =
		    xreallocarray(c->fds, (size_t)c->capfds, sizeof(*c->fds));
	}
	c->fds[c->nfds++] = fd;
	loop_io_add(c->h->l, fd, events, hr_chan_io, c);
}

/**
 * hr_ares_check_servers() - check a server list parses
 * @csv:	"ip,ip:port,[ip6]:port"
 *
 * Return: 0 if c-ares accepts it and it names at least one server
 */
int hr_ares_check_servers(const char *csv)
{
	struct ares_options o;
	ares_channel ch;
	int rc;

	memset(&o, 0, sizeof(o));
	o.resolvconf_path = (char *)"/dev/null";
	o.lookups = (char *)"b";
	if (ares_init_options(&ch, &o, ARES_OPT_RESOLVCONF | ARES_OPT_LOOKUPS))
		return -1;
	rc = ares_set_servers_ports_csv(ch, csv);
#if HR_ARES_DNSREC
	if (!rc) {
		char *list = ares_get_servers_csv(ch);

		if (!list || !*list)
			rc = -1;
		ares_free_string(list);
	}
#else
	if (!rc) {
		struct ares_addr_port_node *list = NULL;

		rc = ares_get_servers_ports(ch, &list);
		if (!rc && !list)
			rc = -1;
		ares_free_data(list);
	}
#endif
	ares_destroy(ch);
	return rc ? -1 : 0;
}

/**
 * hr_chan_log() - log the servers a new channel uses
 * @c:		channel
 */
static void hr_chan_log(struct hr_chan *c)
{
#if HR_ARES_DNSREC
	char *line = ares_get_servers_csv(c->ch), *p;

	if (!line)
		return;
	for (p = line; *p; p++) /* the same spacing as the 1.18 branch */
		if (*p == ',')
			*p = ' ';
	log_info("hostresolver: upstream servers %s (%s)", line,
		 c->h->nservers ? c->h->resolv_conf : "fallback");
	ares_free_string(line);
#else
	struct ares_addr_port_node *list = NULL, *n;
	char line[512], a[INET6_ADDRSTRLEN];
	size_t off = 0;

	if (ares_get_servers_ports(c->ch, &list) != ARES_SUCCESS)
		return;
	line[0] = '\0';
	for (n = list; n && off < sizeof(line) - 1; n = n->next) {
		int w;

		inet_ntop(n->family, &n->addr, a, sizeof(a));
		w = snprintf(line + off, sizeof(line) - off, "%s%s:%d",
			     off ? " " : "", a, n->udp_port ? n->udp_port : 53);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	ares_free_data(list);
	log_info("hostresolver: upstream servers %s (%s)", line,
		 c->h->nservers ? c->h->resolv_conf : "fallback");
#endif
}

/**
 * hr_chan_new() - make a channel from h->resolv_conf, or the fallback
 *		   when h->nservers is 0
 * @h:		resolver; nservers already counted from the file
 *
 * Return: channel, or NULL (logged)
 */
struct hr_chan *hr_chan_new(struct hr *h)
{
	struct hr_chan *c = xcalloc(1, sizeof(*c));
	struct ares_options o;
	int n = h->nservers, rc, try_ms, mask;
	const char *s;

	c->h = h;
	if (!n)
		for (n = 1, s = h->fallback; *s; s++)
			n += *s == ',';
	try_ms = h->cfg.timeout_ms / (HR_ARES_SPAN * n);
	if (try_ms < HR_ARES_TRY_MIN_MS)
		try_ms = HR_ARES_TRY_MIN_MS;

	memset(&o, 0, sizeof(o));
	o.flags = 0; /* no IGNTC, no EDNS, no NOCHECKRESP: see above */
	o.timeout = try_ms;
	o.tries = HR_ARES_TRIES;
	o.sock_state_cb = hr_chan_sock;
	o.sock_state_cb_data = c;
	o.resolvconf_path = h->resolv_conf;
	o.lookups = (char *)"b"; /* read no nsswitch.conf/host.conf */
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	       ARES_OPT_SOCK_STATE_CB | ARES_OPT_RESOLVCONF | ARES_OPT_LOOKUPS;
#if HR_ARES_DNSREC
	o.qcache_max_ttl = 0;  /* c-ares >= 1.23 caches: ours does */
	o.maxtimeout = try_ms; /* no doubling, no jitter: see HR_ARES_SPAN */
	mask |= ARES_OPT_QUERY_CACHE | ARES_OPT_MAXTIMEOUTMS;
#endif
#ifdef __APPLE__
	/*
	 * macOS: /etc/resolv.conf (written by configd) holds neither the VPN
	 * nor the split-DNS resolvers. Without ARES_OPT_RESOLVCONF, c-ares
	 * (1.29 and later, ares_sysconfig_mac.c) reads the system's resolver
	 * configuration instead; a change of /etc/resolv.conf still makes
	 * hostresolver.c open a new channel, which reads it again. Only when
	 * --resolv-conf did not name another file. Not yet run on a Mac
	 * (docs/macos.md).
	 */
	if (!strcmp(h->resolv_conf, HR_ARES_SYSTEM_CONF))
		mask &= ~ARES_OPT_RESOLVCONF;
#endif
	rc = ares_init_options(&c->ch, &o, mask);
	if (rc != ARES_SUCCESS) {
		log_warnx("hostresolver: c-ares init from %s: %s",
			  h->resolv_conf, ares_strerror(rc));
		free(c);
		return NULL;
	}
	if (!h->nservers) {
		rc = ares_set_servers_ports_csv(c->ch, h->fallback);
		if (rc != ARES_SUCCESS) {
			log_warnx("hostresolver: fallback servers %s: %s",
				  h->fallback, ares_strerror(rc));
			ares_destroy(c->ch);
			free(c);
			return NULL;
		}
	}
	c->timer = loop_timer_new(h->l, hr_chan_tick, c);
	hr_chan_log(c);
	return c;
}

/**
 * hr_chan_free() - destroy a channel now
 * @c:		channel; its queries' requests are already detached or
 *		completed. Not from inside a c-ares callback.
 *
 * c-ares ends the queries still in flight (ARES_EDESTRUCTION) and closes
 * its sockets.
 */
void hr_chan_free(struct hr_chan *c)
{
	struct hr_chan **pp;
	int i;

	if (!c)
		return;
	ares_destroy(c->ch);
	for (i = 0; i < c->nfds; i++) /* if c-ares did not say */
		loop_io_del(c->h->l, c->fds[i]);
	free(c->fds);
	loop_timer_free(c->timer);
	for (pp = &c->h->old; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->h->chan == c)
		c->h->chan = NULL;
	free(c);
}

/**
 * hr_chan_retire() - take no new queries on @c; free it once idle
 * @c:		channel, not from inside a c-ares callback
 */
void hr_chan_retire(struct hr_chan *c)
{
	if (!c)
		return;
	if (c->h->chan == c)
		c->h->chan = NULL;
	c->retired = 1;
	c->next = c->h->old;
	c->h->old = c;
	hr_chan_reap(c);
}

/**
 * hr_fwd_cb() - c-ares callback: a query ended
 * @arg:	struct hr_fwd
 * @status:	ARES_SUCCESS with an answer, else an error
 * @timeouts:	unused
 * @abuf:	answer
 * @alen:	its length
 *
 * May run inside ares_send(), ares_process_fd() or ares_destroy(): only
 * bookkeeping here, the request's callback runs later from the loop.
 */
static void hr_fwd_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		      int alen)
{
	struct hr_fwd *f = arg;
	struct hr_chan *c = f->c;
	struct hr_req *r = f->r;

	(void)timeouts;
	c->ids[f->id / 8] &= (uint8_t) ~(1U << (f->id % 8));
	c->nq--;
	c->h->nbackend--;
	hr_acct_uncharge(c->h, f->cl);
	hr_acct_uncharge(c->h, f->net);
	if (r) {
		r->fwd = NULL;
		if (status == ARES_SUCCESS && abuf && alen >= 12) {
			/* Out of memory on the per-query path: a counted
			 * failure (SERVFAIL), not fatal(). */
			r->answer = malloc((size_t)alen);
			if (r->answer) {
				memcpy(r->answer, abuf, (size_t)alen);
				r->len = (size_t)alen;
			}
			hr_req_done(r, r->answer ? HR_OK : HR_SERVFAIL);
		} else {
			if (status != ARES_EDESTRUCTION)
				log_debug("hostresolver: forward: %s",
					  ares_strerror(status));
			hr_req_done(r, HR_SERVFAIL);
		}
	}
	free(f);
}

#if HR_ARES_DNSREC
/**
 * hr_fwd_dnsrec_cb() - ares_send_dnsrec()'s callback: hand the answer to
 * hr_fwd_cb() as bytes, as 1.34's own ares_send() does
 * @arg:	struct hr_fwd
 * @status:	ARES_SUCCESS with an answer, else an error
 * @timeouts:	passed on
 * @rec:	the answer, or NULL
 */
static void hr_fwd_dnsrec_cb(void *arg, ares_status_t status, size_t timeouts,
			     const ares_dns_record_t *rec)
{
	unsigned char *abuf = NULL;
	size_t alen = 0;

	if (rec && status == ARES_SUCCESS)
		status = ares_dns_write(rec, &abuf, &alen);
	hr_fwd_cb(arg, (int)status, (int)timeouts, abuf, (int)alen);
	ares_free_string(abuf);
}

/**
 * hr_ares_send() - hand c-ares a query in wire format
 * @ch:		channel
 * @buf:	the query
 * @len:	its length, 12 to 65535
 * @f:		the callback's argument
 *
 * A query c-ares cannot parse ends at once with the error, as in
 * ares_send().
 */
static void hr_ares_send(ares_channel ch, const uint8_t *buf, size_t len,
			 struct hr_fwd *f)
{
	ares_dns_record_t *rec = NULL;
	ares_status_t st = ares_dns_parse(buf, len, 0, &rec);

	if (st != ARES_SUCCESS) {
		hr_fwd_cb(f, (int)st, 0, NULL, 0);
		return;
	}
	ares_send_dnsrec(ch, rec, hr_fwd_dnsrec_cb, f, NULL);
	ares_dns_record_destroy(rec);
}
#else
/**
 * hr_ares_send() - hand c-ares a query in wire format
 * @ch:		channel
 * @buf:	the query
 * @len:	its length, 12 to 65535
 * @f:		the callback's argument
 */
static void hr_ares_send(ares_channel ch, const uint8_t *buf, size_t len,
			 struct hr_fwd *f)
{
	ares_send(ch, buf, (int)len, hr_fwd_cb, f);
}
#endif

/**
 * hr_chan_send() - forward @query for @r on the current channel
 * @h:		resolver
 * @r:		request, already pending
 * @query:	DNS query, at least 12 bytes
 * @len:	its length, below 65536
 *
 * The request may be completed (moved to ready) before this returns.
 *
 * Return: 0, or -1 if there is no channel or no memory for the query
 * (the caller fails @r)
 */
int hr_chan_send(struct hr *h, struct hr_req *r, const uint8_t *query,
		 size_t len)
{
	struct hr_chan *c = h->chan;
	struct hr_fwd *f;
	uint8_t *buf;
	uint16_t id;

	if (!c)
		return -1;
	/* A random start, then the next free ID: at most max_inflight
	 * (<= 16384) of the 65536 are in use. */
	id = hr_random16(h);
	while (c->ids[id / 8] & (1U << (id % 8)))
		id++;
	f = calloc(1, sizeof(*f));
	buf = malloc(len);
	if (!f || !buf) { /* per query: the caller fails @r, counted */
		free(f);
		free(buf);
		return -1;
	}
	memcpy(buf, query, len);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	f->c = c;
	f->r = r;
	f->id = id;
	r->fwd = f;
	c->ids[id / 8] |= (uint8_t)(1U << (id % 8));
	c->nq++;
	h->nbackend++;
	hr_ares_send(c->ch, buf, len, f);
	free(buf);
	hr_chan_timer_update(c);
	return 0;
}

/**
 * hr_fwd_detach() - stop @r waiting for its query (cancel or deadline)
 * @r:		request
 *
 * The query goes on in c-ares (1.18 cannot cancel one query) and its
 * answer is dropped; the request's charges go with it, so a client that
 * cancels does not get its share back before the upstream slot is free.
 */
void hr_fwd_detach(struct hr_req *r)
{
	if (!r->fwd)
		return;
	r->fwd->cl = r->cl;
	r->fwd->net = r->net;
	r->cl = NULL;
	r->net = NULL;
	r->fwd->r = NULL;
	r->fwd = NULL;
}
