/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gai.c - native lookups: getaddrinfo(3) in a small pool of worker
 * threads, identical lookups in flight coalesced onto one job, results
 * handed back to the loop thread through a loop_async and stored in the
 * cache.
 *
 * Threads: the workers only ever touch the pool (under its mutex) and the
 * job they run (its name, family and result fields). Everything else, the
 * job table and the waiters of a job included, belongs to the loop thread.
 * Workers are detached and hold a reference on the pool: hr_free() never
 * waits for a getaddrinfo call stuck on a dead nameserver, and a worker
 * that finishes after it frees its job and, if last, the pool.
 *
 * A getaddrinfo call can outlive every request waiting for it by far:
 * glibc waits 5 s per try, and reads a TCP answer without any timeout (an
 * upstream that sets TC and then sends junk over a connection it keeps
 * open holds the call until it closes). Such a job turns stale when the
 * last of its requests times out: new lookups of the name start a fresh
 * job instead of joining it, its answer is cached only if it has
 * addresses (glibc ends such a call with EAI_NONAME when the connection
 * drops), and workers stuck with stale jobs do not count against
 * hr_config.workers (at most HR_GAI_EXTRA_MAX extra threads; an extra
 * one ends when it finds nothing to do).
 *
 * Fair share: a job remembers the client whose request made it (its
 * owner). Workers take queued jobs oldest first, skipping those whose
 * owner has workers - 1 jobs running that are not stale, or a quarter of
 * all the workers there may be (stale ones included): a guest flooding
 * lookups of a domain whose server never answers (glibc waits 10 s and
 * more) keeps at most that many workers, and the others' names still find
 * one (its stuck jobs turn stale at the deadline, and extra workers stand
 * in for them as above, but never all for the same owner: its jobs picked
 * just before their deadline would otherwise turn stale one after the
 * other and take every extra worker within seconds).
 *
 * getaddrinfo is asked for the canonical name (AI_CANONNAME) too, so an
 * answer through a CNAME keeps it (the DNS service answers "name CNAME
 * canon", then the addresses), and every address it gives is kept, up to
 * HR_ADDRS_MAX (what a DNS message over TCP holds).
 *
 * getaddrinfo is called with the name as given (no trailing dot: glibc's
 * files backend does not match "name." against /etc/hosts), so the host's
 * search list applies as for any other program of the host. No
 * AI_ADDRCONFIG: on a host without a global IPv6 (or IPv4) address glibc
 * then answers EAI_NONAME for that family, which would become NXDOMAIN,
 * and a guest would drop the name for every type. Whether the guest can
 * reach an address is the guest's business, as with any DNS server.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "services/hostresolver/hr_internal.h"
#include "base/loop.h"
#include "base/log.h"
#include "base/xalloc.h"

/* Worker threads beyond hr_config.workers, standing in for stuck ones. */
#define HR_GAI_EXTRA_MAX 32

/**
 * struct hr_pool - the workers and what they share
 * @mu:		protects everything below
 * @cv:		signalled when a job is queued or at shutdown
 * @qhead:	queued jobs, oldest first
 * @qtail:	newest queued job
 * @done:	finished jobs for the loop thread
 * @async:	wakes the loop thread; NULL after shutdown
 * @shutdown:	set by hr_gai_fini()
 * @refs:	running workers, plus one for the owner until shutdown
 * @nthreads:	workers running (at most cfg.workers not running a stale
 *		job)
 * @idle:	workers waiting for a job
 * @qlen:	queued jobs
 * @nstale:	workers running a stale job
 * @base:	cfg.workers
 * @percl:	jobs of one owner that may run at once, not counting stale
 *		ones: base - 1, at least 1
 * @perbusy:	jobs of one owner that may run at once, stale ones
 *		included: a quarter of base + HR_GAI_EXTRA_MAX, at least 1
 */
struct hr_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hr_job *qhead, *qtail;
	struct hr_job *done;
	struct loop_async *async;
	int shutdown;
	int refs;
	int nthreads;
	int idle;
	int qlen;
	int nstale;
	int base;
	int percl;
	int perbusy;
};

/**
 * hr_job_free() - free a job and its addresses
 * @job:	job on no list
 */
static void hr_job_free(struct hr_job *job)
{
	free(job->addrs);
	free(job);
}

/**
 * hr_gai_status() - map a failed getaddrinfo() to a status
 * @rc:		getaddrinfo() return value for the family asked, not 0
 * @other_rc:	its return value for the other family, asked only when @rc
 *		is EAI_NONAME (1, no call, otherwise)
 *
 * One family failing is NODATA, never NXDOMAIN, which the guest would
 * apply to every type: macOS hides AAAA records when the Mac has no
 * routable IPv6 and then says EAI_NONAME for a name that has A records,
 * and FreeBSD has no EAI_NODATA at all (EAI_NONAME stands for both). So
 * EAI_NONAME is NXDOMAIN only when the other family has no address either.
 *
 * Return: HR_NXDOMAIN, HR_NODATA or HR_SERVFAIL
 */
enum hr_status hr_gai_status(int rc, int other_rc)
{
	switch (rc) {
	case EAI_NONAME:
		return other_rc ? HR_NXDOMAIN : HR_NODATA;
#ifdef EAI_NODATA
	case EAI_NODATA:
		return HR_NODATA;
#endif
#ifdef EAI_ADDRFAMILY
	case EAI_ADDRFAMILY:
		return HR_NODATA;
#endif
	default: /* EAI_AGAIN, EAI_FAIL, EAI_MEMORY, EAI_SYSTEM, ... */
		return HR_SERVFAIL;
	}
}

/**
 * hr_gai_addr_ok() - whether an address getaddrinfo gave is an answer
 * @family:	AF_INET or AF_INET6, the family asked for
 * @a:		the address, struct in_addr or struct in6_addr
 *
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d, which macOS's resolver
 * returns for AAAA when the name has only A records) is no AAAA record:
 * the guest would try to reach it over IPv6.
 *
 * Return: 1 to keep it, 0 to drop it
 */
int hr_gai_addr_ok(int family, const void *a)
{
	if (family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a))
		return 0;
	return 1;
}

/**
 * hr_gai_other_rc() - ask getaddrinfo for the other family of a name
 * @name:	the name
 * @family:	the family that failed
 *
 * Return: getaddrinfo()'s return value for the other family
 */
static int hr_gai_other_rc(const char *name, int family)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family == AF_INET ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (!rc)
		freeaddrinfo(res);
	return rc;
}

/**
 * hr_job_canon() - keep getaddrinfo's canonical name if it is another name
 * @job:	job; @job->canon set, "" when there is none to report
 * @canon:	ai_canonname of the first result, or NULL
 *
 * glibc reports the end of the CNAME chain it followed (or the first name
 * of the /etc/hosts line, or the name the search list made): the DNS
 * service answers "name CNAME canon" before the addresses, as the
 * upstream's own answer would start.  The same name in another case or
 * with a trailing dot is no CNAME.
 */
static void hr_job_canon(struct hr_job *job, const char *canon)
{
	size_t n;

	job->canon[0] = '\0';
	if (!canon)
		return;
	n = strlen(canon);
	if (n && canon[n - 1] == '.')
		n--;
	if (!n || n > HR_NAME_MAX ||
	    (n == strlen(job->name) && !strncasecmp(canon, job->name, n)))
		return;
	memcpy(job->canon, canon, n);
	job->canon[n] = '\0';
}

/**
 * hr_job_add() - append an address to a job's result unless it is there
 * @job:	job
 * @a:		the address, hr_addr_len(job->family) bytes
 * @cap:	room in @job->addrs, in addresses; grown as needed
 */
static void hr_job_add(struct hr_job *job, const void *a, size_t *cap)
{
	size_t alen = hr_addr_len(job->family), i;
	uint8_t *p;

	for (i = 0; i < job->naddrs; i++)
		if (!memcmp(job->addrs + i * alen, a, alen))
			return; /* duplicate */
	if (job->naddrs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;

		p = realloc(job->addrs, ncap * alen);
		if (!p)
			return; /* per query: the answer has what fitted */
		job->addrs = p;
		*cap = ncap;
	}
	memcpy(job->addrs + job->naddrs * alen, a, alen);
	job->naddrs++;
}

/**
 * hr_job_run() - resolve a job; worker thread, without the pool mutex
 * @job:	job; its name and family are read, its result written
 */
static void hr_job_run(struct hr_job *job)
{
	struct addrinfo hints, *res = NULL, *ai;
	size_t cap = 0;
	const void *a;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = job->family;
	hints.ai_socktype = SOCK_STREAM; /* one entry per address */
	hints.ai_flags = AI_CANONNAME;
	rc = getaddrinfo(job->name, NULL, &hints, &res);
	if (rc == EAI_NONAME) {
		/*
		 * glibc says "no such name" with AI_CANONNAME where it says
		 * "no address" without it when the answer is unusable (absurd
		 * counts): ask again without it, so such an answer is not
		 * turned into NXDOMAIN, which the guest would apply to every
		 * type. A real NXDOMAIN costs a second, usually cached, query.
		 */
		hints.ai_flags = 0;
		rc = getaddrinfo(job->name, NULL, &hints, &res);
	}
	job->naddrs = 0;
	job->canon[0] = '\0';
	if (rc) {
		job->status = hr_gai_status(
		    rc, rc == EAI_NONAME
			    ? hr_gai_other_rc(job->name, job->family)
			    : 1);
		return;
	}
	hr_job_canon(job, res ? res->ai_canonname : NULL);
	for (ai = res; ai && job->naddrs < HR_ADDRS_MAX; ai = ai->ai_next) {
		if (ai->ai_family != job->family || !ai->ai_addr)
			continue;
		if (job->family == AF_INET)
			a = &((struct sockaddr_in *)(void *)ai->ai_addr)
				 ->sin_addr;
		else
			a = &((struct sockaddr_in6 *)(void *)ai->ai_addr)
				 ->sin6_addr;
		if (hr_gai_addr_ok(job->family, a))
			hr_job_add(job, a, &cap);
	}
	freeaddrinfo(res);
	job->status = job->naddrs ? HR_OK : HR_NODATA;
}

/**
 * hr_pool_unref() - drop a reference under @p->mu, free @p if last
 * @p:		pool, locked; unlocked on return
 */
static void hr_pool_unref(struct hr_pool *p)
{
	int last = --p->refs == 0;

	pthread_mutex_unlock(&p->mu);
	if (last) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		free(p);
	}
}

/**
 * hr_pool_pick() - take the oldest queued job whose owner has room
 * @p:		pool, its mutex held
 *
 * Return: the job, off the queue and counted in its owner's running jobs;
 * NULL if none may run now
 */
static struct hr_job *hr_pool_pick(struct hr_pool *p)
{
	struct hr_job **pp, *job, *prev = NULL;

	for (pp = &p->qhead; (job = *pp); prev = job, pp = &job->qnext) {
		if (job->owner && (job->owner->running >= p->percl ||
				   job->owner->busy >= p->perbusy))
			continue;
		*pp = job->qnext;
		if (p->qtail == job)
			p->qtail = prev;
		p->qlen--;
		if (job->owner) {
			job->owner->running++;
			job->owner->busy++;
			job->counted = 1;
		}
		return job;
	}
	return NULL;
}

/**
 * hr_worker() - worker thread: run queued jobs until shutdown
 * @arg:	pool
 *
 * Return: NULL
 */
static void *hr_worker(void *arg)
{
	struct hr_pool *p = arg;
	struct hr_job *job;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->shutdown && !(job = hr_pool_pick(p))) {
			/* An extra worker, and the stuck one came back. */
			if (p->nthreads - p->nstale > p->base)
				goto out;
			p->idle++;
			pthread_cond_wait(&p->cv, &p->mu);
			p->idle--;
		}
		if (p->shutdown)
			break;
		job->state = HR_JOB_RUNNING;
		pthread_mutex_unlock(&p->mu);

		hr_job_run(job);

		pthread_mutex_lock(&p->mu);
		if (job->stale)
			p->nstale--;
		if (p->shutdown) {
			hr_job_free(job); /* its owner went with the resolver */
			break;
		}
		if (job->owner) {
			job->owner->busy--;
			if (job->counted)
				job->owner->running--;
			job->counted = 0;
		}
		job->state = HR_JOB_DONE;
		job->qnext = p->done;
		p->done = job;
		loop_async_notify(p->async);
	}
out:
	p->nthreads--;
	hr_pool_unref(p);
	return NULL;
}

/**
 * hr_jobs_unlink() - remove @job from the job table
 * @h:		resolver
 * @job:	job
 */
static void hr_jobs_unlink(struct hr *h, struct hr_job *job)
{
	struct hr_job **pp;

	for (pp = &h->jobs[job->hash & h->jobs_mask]; *pp; pp = &(*pp)->hnext) {
		if (*pp == job) {
			*pp = job->hnext;
			return;
		}
	}
}

/**
 * hr_gai_results() - loop thread: finish jobs the workers are done with
 * @arg:	resolver
 *
 * Every job's answer goes into the cache (SERVFAIL for at most a second;
 * of a stale job, only addresses) and to each request still waiting for
 * it.
 */
static void hr_gai_results(void *arg)
{
	struct hr *h = arg;
	struct hr_pool *p = h->pool;
	struct hr_job *job, *next;
	int64_t now = loop_now_ms();

	pthread_mutex_lock(&p->mu);
	job = p->done;
	p->done = NULL;
	pthread_mutex_unlock(&p->mu);

	for (; job; job = next) {
		uint32_t ttl = 0;
		struct hr_req *r;

		next = job->qnext;
		hr_jobs_unlink(h, job);
		h->nbackend--;
		if (h->cfg.cache_ttl >= 0 &&
		    (!job->stale || job->status == HR_OK)) {
			int secs = h->cfg.cache_ttl;

			if (job->status == HR_SERVFAIL && secs > 1)
				secs = 1;
			if (job->status != HR_SERVFAIL)
				ttl = (uint32_t)secs;
			if (secs > 0)
				hr_cache_put(&h->cache, job->name, job->family,
					     job->hash, job->status, job->addrs,
					     job->naddrs, job->canon,
					     now + secs * 1000LL);
		}
		while ((r = job->waiters)) {
			job->waiters = r->wnext;
			r->job = NULL;
			r->wprev = r->wnext = NULL;
			r->ttl = ttl;
			hr_req_done(r, hr_req_set_addrs(r, job->addrs,
							job->naddrs, job->canon)
					   ? HR_SERVFAIL
					   : job->status);
		}
		hr_acct_unref(h, job->owner);
		hr_job_free(job);
	}
}

/**
 * hr_gai_spawn() - start one more worker
 * @p:		pool, its mutex held
 *
 * Workers start on demand, when more jobs are queued than workers are
 * idle, up to cfg.workers not stuck with a stale job (at most
 * HR_GAI_EXTRA_MAX more): a daemon that never resolves a native name
 * starts none (each costs start-up time, a stack and a malloc arena).
 *
 * Return: 0, or -1 if the thread could not be started (logged)
 */
static int hr_gai_spawn(struct hr_pool *p)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	/* Workers take no signal: the loop thread handles them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, hr_worker, p);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		errno = rc;
		log_warn("hostresolver: pthread_create");
		return -1;
	}
	p->refs++;
	p->nthreads++;
	return 0;
}

/**
 * hr_gai_init() - set up the pool and the job table; workers start with
 * the first jobs (hr_gai_spawn())
 * @h:		resolver, cfg filled in
 *
 * Return: 0
 */
int hr_gai_init(struct hr *h)
{
	struct hr_pool *p = xcalloc(1, sizeof(*p));
	unsigned n = 16;

	while (n < (unsigned)h->cfg.max_inflight * 2)
		n <<= 1;
	h->jobs = xcalloc(n, sizeof(*h->jobs));
	h->jobs_mask = n - 1;

	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->async = loop_async_new(h->l, hr_gai_results, h);
	p->refs = 1;
	p->base = h->cfg.workers;
	p->percl = h->cfg.workers > 1 ? h->cfg.workers - 1 : 1;
	p->perbusy = (h->cfg.workers + HR_GAI_EXTRA_MAX) / 4;
	if (p->perbusy < p->percl)
		p->perbusy = p->percl;
	h->pool = p;
	return 0;
}

/**
 * hr_gai_fini() - stop the workers without waiting for them
 * @h:		resolver; no request waits on a job any more
 *
 * Queued and finished jobs are freed here; running ones by their worker.
 */
void hr_gai_fini(struct hr *h)
{
	struct hr_pool *p = h->pool;
	struct loop_async *a;
	struct hr_job *job;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->shutdown = 1;
	while ((job = p->qhead)) {
		p->qhead = job->qnext;
		hr_job_free(job);
	}
	while ((job = p->done)) {
		p->done = job->qnext;
		hr_job_free(job);
	}
	a = p->async;
	p->async = NULL;
	pthread_cond_broadcast(&p->cv);
	hr_pool_unref(p); /* unlocks */
	/* No worker notifies after seeing shutdown under the mutex. */
	loop_async_free(a);
	h->pool = NULL;
	free(h->jobs);
	h->jobs = NULL;
}

/**
 * hr_gai_attach() - make @r wait for the job resolving @name, r->family
 * @h:		resolver
 * @r:		request
 * @name:	normalized name
 * @hash:	hr_hash(@name, r->family)
 *
 * A job already in flight for the same name and family is shared;
 * otherwise a new one is queued, if fewer than max_inflight are running.
 *
 * Return: 0, or -1 when too many jobs are in flight or no memory is left
 * for a new one
 */
int hr_gai_attach(struct hr *h, struct hr_req *r, const char *name,
		  unsigned hash)
{
	struct hr_pool *p = h->pool;
	struct hr_job *job;

	for (job = h->jobs[hash & h->jobs_mask]; job; job = job->hnext)
		if (job->hash == hash && job->family == r->family &&
		    !strcmp(job->name, name))
			break;
	if (!job) {
		if (h->nbackend >= h->cfg.max_inflight)
			return -1;
		pthread_mutex_lock(&p->mu);
		if (p->qlen >= p->idle &&
		    p->nthreads - p->nstale < h->cfg.workers &&
		    p->nthreads < h->cfg.workers + HR_GAI_EXTRA_MAX &&
		    hr_gai_spawn(p) && !p->nthreads) {
			pthread_mutex_unlock(&p->mu);
			return -1; /* no worker at all to run it */
		}
		pthread_mutex_unlock(&p->mu);
		job = calloc(1, sizeof(*job));
		if (!job)
			return -1; /* per query: refused, not fatal() */
		memcpy(job->name, name, strlen(name) + 1);
		job->family = r->family;
		job->hash = hash;
		job->created = loop_now_ms();
		job->owner = r->cl;
		if (job->owner)
			job->owner->refs++;
		job->hnext = h->jobs[hash & h->jobs_mask];
		h->jobs[hash & h->jobs_mask] = job;
		h->nbackend++;

		pthread_mutex_lock(&p->mu);
		job->state = HR_JOB_QUEUED;
		if (p->qtail)
			p->qtail->qnext = job;
		else
			p->qhead = job;
		p->qtail = job;
		p->qlen++;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	r->job = job;
	r->wprev = NULL;
	r->wnext = job->waiters;
	if (job->waiters)
		job->waiters->wprev = r;
	job->waiters = r;
	return 0;
}

/**
 * hr_gai_detach() - stop @r waiting for its job (cancel or deadline)
 * @r:		request waiting on a job
 *
 * A job nobody waits for any more is dropped if no worker took it yet;
 * a running one completes and still fills the cache. One that has run
 * past the deadline turns stale (see the top of the file).
 */
void hr_gai_detach(struct hr_req *r)
{
	struct hr_job *job = r->job, **pp;
	struct hr *h = r->h;
	struct hr_pool *p = h->pool;
	int dropped = 0;

	if (!job)
		return;
	if (r->wprev)
		r->wprev->wnext = r->wnext;
	else
		job->waiters = r->wnext;
	if (r->wnext)
		r->wnext->wprev = r->wprev;
	r->job = NULL;
	r->wprev = r->wnext = NULL;
	if (job->waiters)
		return;

	pthread_mutex_lock(&p->mu);
	if (job->state == HR_JOB_RUNNING && !job->stale &&
	    loop_now_ms() - job->created >= h->cfg.timeout_ms) {
		job->stale = 1;
		p->nstale++;
		if (job->counted) {
			/* Stuck: its owner may have another worker. */
			job->owner->running--;
			job->counted = 0;
			pthread_cond_broadcast(&p->cv);
		}
	}
	if (job->state == HR_JOB_QUEUED) {
		struct hr_job *prev = NULL;

		for (pp = &p->qhead; *pp; prev = *pp, pp = &(*pp)->qnext) {
			if (*pp == job) {
				*pp = job->qnext;
				if (p->qtail == job)
					p->qtail = prev;
				p->qlen--;
				dropped = 1;
				break;
			}
		}
	}
	pthread_mutex_unlock(&p->mu);
	if (dropped) {
		hr_jobs_unlink(h, job);
		h->nbackend--;
		hr_acct_unref(h, job->owner);
		hr_job_free(job);
	} else if (job->stale) {
		hr_jobs_unlink(h, job); /* new lookups start afresh */
	}
}
