/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hr_internal.h - what the files of hostresolver/ share with each other:
 * the resolver, request, cache, worker-pool and c-ares channel structures.
 * Private to hostresolver/: other modules include hostresolver.h only.
 *
 * Ownership in short: a request (struct hr_req) belongs to the caller's
 * side until its callback ran or it was cancelled; it waits on either a
 * getaddrinfo job (struct hr_job, shared by identical lookups) or a c-ares
 * query (struct hr_fwd). Jobs and queries can outlive their requests:
 * a job still runs in a worker, a query still runs in c-ares; they are
 * counted in hr.nbackend until they end.
 */
#ifndef USERNETD_HR_INTERNAL_H
#define USERNETD_HR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/log.h"
#include "services/hostresolver/hostresolver.h"

struct loop;
struct loop_timer;
struct hr_pool;
struct hr_chan;

/* Longest name handed to getaddrinfo, without the trailing dot. */
#define HR_NAME_MAX 253
/* How often, in ms, resolv.conf is looked at for a change. */
#define HR_WATCH_MS 1000

/* Room for the space-separated search list of resolv.conf. */
#define HR_SEARCH_MAX 1024

/* Buckets of the fair-share table (hr.acct). */
#define HR_ACCT_BUCKETS 256

/**
 * struct hr_acct - the fair share of one client, or of one network
 * @hnext:	hash chain in hr.acct (loop thread)
 * @net:	hr_client.net
 * @addr:	hr_client.addr; unused for a network
 * @is_net:	a network's entry
 * @charge:	requests waiting, plus c-ares queries that outlived theirs
 *		(loop thread)
 * @refs:	@charge, plus getaddrinfo jobs it owns; freed at 0 (loop
 *		thread)
 * @running:	its jobs a worker runs that are not stale (pool mutex)
 * @busy:	its jobs a worker runs, stale or not (pool mutex)
 */
struct hr_acct {
	struct hr_acct *hnext;
	const void *net;
	uint8_t addr[16];
	int is_net;
	int charge;
	int refs;
	int running;
	int busy;
};

/**
 * enum hr_req_state - where a request is
 * @HR_RS_PENDING:	waiting for a job or a query, on hr.pending
 * @HR_RS_READY:	result stored, on hr.ready, callback not yet run
 * @HR_RS_DELIVERING:	callback running; hr_cancel() is then a no-op
 */
enum hr_req_state {
	HR_RS_PENDING,
	HR_RS_READY,
	HR_RS_DELIVERING,
};

/**
 * struct hr_req - one request of the caller
 * @h:		resolver
 * @raw:	1 for hr_forward(), 0 for hr_lookup()
 * @state:	enum hr_req_state
 * @prev:	link in hr.pending or hr.ready
 * @next:	link in hr.pending or hr.ready
 * @deadline:	monotonic ms at which a pending request fails
 * @acb:	hr_lookup() callback
 * @rcb:	hr_forward() callback
 * @arg:	callback argument
 * @family:	AF_INET or AF_INET6 (hr_lookup)
 * @job:	getaddrinfo job waited on, or NULL
 * @wprev:	link in the job's waiters
 * @wnext:	link in the job's waiters
 * @fwd:	c-ares query waited on, or NULL
 * @status:	result
 * @ttl:	result TTL, seconds (hr_lookup)
 * @naddrs:	result addresses (hr_lookup)
 * @addrs:	result addresses, packed, malloc'ed (hr_lookup)
 * @canon:	result canonical name, "" if none (hr_lookup)
 * @answer:	result answer, malloc'ed (hr_forward)
 * @len:	length of @answer
 * @cl:		its client's share it is charged to, or NULL
 * @net:	its client's network's share, or NULL
 */
struct hr_req {
	struct hr *h;
	int raw;
	enum hr_req_state state;
	struct hr_req *prev, *next;
	int64_t deadline;
	hr_addr_fn acb;
	hr_raw_fn rcb;
	void *arg;
	int family;
	struct hr_job *job;
	struct hr_req *wprev, *wnext;
	struct hr_fwd *fwd;
	enum hr_status status;
	uint32_t ttl;
	size_t naddrs;
	uint8_t *addrs;
	char canon[HR_NAME_MAX + 1];
	uint8_t *answer;
	size_t len;
	struct hr_acct *cl;
	struct hr_acct *net;
};

/**
 * struct hr_reqlist - FIFO of requests
 * @head:	oldest
 * @tail:	newest
 * @n:		length
 */
struct hr_reqlist {
	struct hr_req *head, *tail;
	int n;
};

/**
 * enum hr_job_state - where a getaddrinfo job is; changed under the pool
 * mutex
 * @HR_JOB_QUEUED:	waiting for a worker
 * @HR_JOB_RUNNING:	a worker runs getaddrinfo for it
 * @HR_JOB_DONE:	result ready, on the pool's done list
 */
enum hr_job_state {
	HR_JOB_QUEUED,
	HR_JOB_RUNNING,
	HR_JOB_DONE,
};

/**
 * struct hr_job - one getaddrinfo call, shared by identical lookups
 * @name:	normalized name (lower case, no trailing dot)
 * @family:	AF_INET or AF_INET6
 * @hash:	hr_hash() of @name and @family
 * @hnext:	chain in hr.jobs (loop thread)
 * @waiters:	requests waiting for it (loop thread)
 * @created:	monotonic ms the job was made (loop thread)
 * @stale:	every request waiting for it timed out while it ran: no new
 *		request joins it, and only an address answer of it is cached
 *		(loop thread; set under the pool mutex, read by the worker
 *		under it)
 * @owner:	the client whose request made it, or NULL: its getaddrinfo
 *		calls running at once are bounded (a reference, loop thread)
 * @counted:	counted in @owner's running (pool mutex)
 * @state:	enum hr_job_state (pool mutex)
 * @qnext:	link in the pool's queue or done list (pool mutex)
 * @status:	result, written by the worker before HR_JOB_DONE
 * @naddrs:	addresses in @addrs
 * @addrs:	addresses, packed, deduplicated, malloc'ed
 * @canon:	canonical name when not @name, else ""
 */
struct hr_job {
	char name[HR_NAME_MAX + 1];
	int family;
	unsigned hash;
	struct hr_job *hnext;
	struct hr_req *waiters;
	int64_t created;
	int stale;
	struct hr_acct *owner;
	int counted;
	enum hr_job_state state;
	struct hr_job *qnext;
	enum hr_status status;
	size_t naddrs;
	uint8_t *addrs;
	char canon[HR_NAME_MAX + 1];
};

/**
 * struct hr_centry - one cached hr_lookup() answer
 * @hnext:	hash chain
 * @lprev:	LRU list, towards the most recently used
 * @lnext:	LRU list, towards the least recently used
 * @hash:	hr_hash() of @name and @family
 * @expires:	monotonic ms
 * @family:	AF_INET or AF_INET6
 * @status:	HR_OK, HR_NODATA, HR_NXDOMAIN or HR_SERVFAIL
 * @naddrs:	addresses in @addrs
 * @addrs:	packed addresses (points into the same allocation)
 * @canon:	canonical name, "" if none (the same allocation)
 * @name:	normalized name
 */
struct hr_centry {
	struct hr_centry *hnext;
	struct hr_centry *lprev, *lnext;
	unsigned hash;
	int64_t expires;
	int family;
	enum hr_status status;
	size_t naddrs;
	uint8_t *addrs;
	char *canon;
	char name[];
};

/**
 * struct hr_cache - bounded cache of answers, least recently used evicted
 * @tab:	hash buckets
 * @mask:	buckets - 1 (a power of two minus one)
 * @lru_head:	most recently used
 * @lru_tail:	least recently used
 * @n:		entries
 * @max:	entries at most
 */
struct hr_cache {
	struct hr_centry **tab;
	unsigned mask;
	struct hr_centry *lru_head, *lru_tail;
	int n, max;
};

/**
 * struct hr_confsig - identity of a resolv.conf version, from stat(2)
 * @exists:	0 if stat(2) failed
 * @dev:	device
 * @ino:	inode
 * @size:	size
 * @mtime_s:	modification time
 * @mtime_ns:	modification time, nanoseconds
 * @ctime_s:	status change time
 * @ctime_ns:	status change time, nanoseconds
 */
struct hr_confsig {
	int exists;
	uint64_t dev, ino;
	int64_t size;
	int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
};

/**
 * struct hr_health - failures of one kind of request, for the logs
 * @failing:	the last request of this kind failed
 * @told:	this episode of failures was logged
 * @nfail:	failures since the episode began
 * @rate:	throttle of the "failing" lines (monotonic ms), which
 *		counts the episodes it did not log
 */
struct hr_health {
	int failing;
	int told;
	uint64_t nfail;
	struct log_rate rate;
};

/**
 * struct hr - the resolver
 * @l:		loop
 * @cfg:	configuration with defaults applied
 * @resolv_conf: copy of the resolv.conf path
 * @fallback:	copy of the fallback server list
 * @tick:	timer for deliveries and deadlines
 * @watch:	timer checking resolv.conf every second
 * @pending:	requests waiting, oldest (earliest deadline) first
 * @ready:	requests whose callback is due
 * @nbackend:	getaddrinfo jobs and c-ares queries not yet ended
 * @cache:	answers of hr_lookup()
 * @pool:	getaddrinfo workers
 * @jobs:	jobs not yet ended, by hr_hash(), for coalescing
 * @jobs_mask:	buckets of @jobs - 1
 * @chan:	c-ares channel for new queries
 * @old:	channels replaced by a newer one, ended when their queries end
 * @sig:	resolv.conf version @chan was made from
 * @nservers:	nameserver lines of that version (0: the fallback is used)
 * @search:	its search list, space-separated
 * @rnd:	random query IDs
 * @nrnd:	unused entries of @rnd
 * @stats:	counters
 * @acct:	fair shares of clients and networks with requests waiting
 * @fwd_health:	failures of hr_forward() requests
 * @gai_health:	failures of hr_lookup() requests
 */
struct hr {
	struct loop *l;
	struct hr_config cfg;
	char *resolv_conf;
	char *fallback;
	struct loop_timer *tick;
	struct loop_timer *watch;
	struct hr_reqlist pending;
	struct hr_reqlist ready;
	int nbackend;
	struct hr_cache cache;
	struct hr_pool *pool;
	struct hr_job **jobs;
	unsigned jobs_mask;
	struct hr_chan *chan;
	struct hr_chan *old;
	struct hr_confsig sig;
	int nservers;
	char search[HR_SEARCH_MAX];
	uint16_t rnd[128];
	int nrnd;
	struct hr_stats stats;
	struct hr_acct *acct[HR_ACCT_BUCKETS];
	struct hr_health fwd_health;
	struct hr_health gai_health;
};

/**
 * hr_addr_len() - bytes of one address of @family
 * @family:	AF_INET or AF_INET6
 *
 * Return: 4 or 16
 */
static inline size_t hr_addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* resolvconf.c */
void hr_conf_sig(const char *path, struct hr_confsig *sig);
int hr_reload(struct hr *h, const struct hr_confsig *sig);
void hr_watch(void *arg);

/* hostresolver.c */
void hr_req_done(struct hr_req *r, enum hr_status status);
int hr_req_set_addrs(struct hr_req *r, const uint8_t *addrs, size_t naddrs,
		     const char *canon);
unsigned hr_hash(const char *name, int family);
uint16_t hr_random16(struct hr *h);
void hr_acct_unref(struct hr *h, struct hr_acct *a);
void hr_acct_uncharge(struct hr *h, struct hr_acct *a);

/* cache.c */
int hr_cache_init(struct hr_cache *c, int max);
void hr_cache_fini(struct hr_cache *c);
const struct hr_centry *hr_cache_get(struct hr_cache *c, const char *name,
				     int family, unsigned hash, int64_t now);
void hr_cache_put(struct hr_cache *c, const char *name, int family,
		  unsigned hash, enum hr_status status, const uint8_t *addrs,
		  size_t naddrs, const char *canon, int64_t expires);

/* gai.c */
int hr_gai_init(struct hr *h);
void hr_gai_fini(struct hr *h);
int hr_gai_attach(struct hr *h, struct hr_req *r, const char *name,
		  unsigned hash);
void hr_gai_detach(struct hr_req *r);
enum hr_status hr_gai_status(int rc, int other_rc);
int hr_gai_addr_ok(int family, const void *a);

/* ares.c */
int hr_ares_check_servers(const char *csv);
struct hr_chan *hr_chan_new(struct hr *h);
void hr_chan_retire(struct hr_chan *c);
void hr_chan_free(struct hr_chan *c);
int hr_chan_send(struct hr *h, struct hr_req *r, const uint8_t *query,
		 size_t len);
void hr_fwd_detach(struct hr_req *r);

#endif /* USERNETD_HR_INTERNAL_H */
