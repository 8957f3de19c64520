/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hostresolver.h - resolution on the host, for the DNS service.
 *
 * Two ways to resolve, both asynchronous, both completing on the loop
 * thread:
 *
 * - hr_lookup(): A or AAAA through the host's native resolver
 *   (getaddrinfo(3), so /etc/hosts, nsswitch, VPN and split DNS behave as
 *   for any host program). getaddrinfo blocks, so it runs in a small pool of
 *   worker threads; a short cache (positive and negative answers) sits in
 *   front, and identical lookups in flight share one getaddrinfo call.
 * - hr_forward(): any other query, forwarded as raw bytes through c-ares
 *   to the nameservers of a resolv.conf file (or a fallback list), and the
 *   upstream answer handed back as raw bytes.
 *
 * The resolv.conf file is checked every second; when it changes (a VPN
 * connects), a new c-ares channel is made from it and new forwarded queries
 * use the new servers. getaddrinfo reads /etc/resolv.conf itself (glibc
 * 2.26 and later reload it when it changes): hr_config.resolv_conf only
 * steers hr_forward(). Tests that need a private upstream for both run the
 * daemon in a mount namespace with their file bind-mounted over
 * /etc/resolv.conf.
 *
 * Contract for both kinds of request:
 * - The callback never runs inside hr_lookup(), hr_forward() or
 *   hr_cancel(): always later, from the loop (cache hits and refusals
 *   included). Both functions always return a handle.
 * - It runs exactly once unless hr_cancel() is called first; the handle is
 *   dead once the callback starts (do not cancel it from the callback).
 * - Every request completes within hr_config.timeout_ms (HR_SERVFAIL at
 *   the deadline), whatever the upstream or getaddrinfo do.
 * - At most hr_config.max_inflight requests wait for a callback, and at
 *   most max_inflight upstream operations (getaddrinfo calls, c-ares
 *   queries, which can outlive a cancelled or timed-out request) run; a
 *   request beyond either bound completes with HR_REFUSED.
 * - Fair share: a request made for a client (hr_lookup_for(),
 *   hr_forward_for()) is refused with HR_REFUSED, before any of those
 *   bounds, when its client already has hr_config.max_per_client
 *   requests waiting or its client's network max_per_net. A c-ares query
 *   that outlives its request stays charged to the client until it ends,
 *   so a client cannot fill the upstream bound by cancelling. And no
 *   client's getaddrinfo calls occupy more than workers - 1 of the
 *   workers not stuck past the deadline: a flood of lookups of a dead
 *   domain leaves a worker for the others' names.
 * - Everything runs on the loop thread; only the workers are other
 *   threads, and they touch nothing of the caller's.
 */
#ifndef USERNETD_HOSTRESOLVER_H
#define USERNETD_HOSTRESOLVER_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct hr;
struct hr_req;

/**
 * enum hr_status - outcome of a request
 * @HR_OK:		addresses (hr_lookup) or an upstream answer
 *			(hr_forward)
 * @HR_NODATA:		the name exists but has no address of that family
 * @HR_NXDOMAIN:	the name does not exist
 * @HR_SERVFAIL:	the resolver failed, timed out, or every upstream
 *			answered SERVFAIL, REFUSED or NOTIMP
 * @HR_REFUSED:		too many requests in flight; nothing was attempted
 */
enum hr_status {
	HR_OK = 0,
	HR_NODATA,
	HR_NXDOMAIN,
	HR_SERVFAIL,
	HR_REFUSED,
};

/**
 * struct hr_client - whom a request is for, for the fair share
 * @net:	the client's network: any pointer that names it (requests
 *		with the same @net share max_per_net); NULL for none
 * @addr:	the client's address on that network (IPv4 as IPv4-mapped
 *		IPv6); requests with the same @net and @addr share
 *		max_per_client
 */
struct hr_client {
	const void *net;
	uint8_t addr[16];
};

/*
 * Most addresses one hr_lookup() answer carries (more are dropped): as
 * many A records as a DNS message over TCP can hold (16 bytes each with a
 * compressed owner, 65535 bytes), so the transport, not this, is what
 * limits an answer.
 */
#define HR_ADDRS_MAX 4096

/**
 * struct hr_config - resolver settings; a zero field takes its default
 * @resolv_conf:	file naming the upstream servers for hr_forward() and
 *			the search list; default "/etc/resolv.conf"
 * @fallback:		servers used when that file names none (or is
 *			missing), comma-separated, "ip", "ip:port" or
 *			"[ip6]:port"; default "8.8.8.8,1.1.1.1"
 * @workers:		getaddrinfo threads, default 4
 * @max_inflight:	bound on pending requests, default 256
 * @cache_ttl:		seconds an hr_lookup() answer is cached (and the TTL
 *			it reports), default 5; negative disables the cache
 * @cache_max:		cached answers at most, default 4096
 * @timeout_ms:		deadline of every request, default 3000
 * @max_per_client:	requests one client may have waiting (and its
 *			c-ares queries still running), default
 *			max_inflight / 4
 * @max_per_net:	the same for all clients of one network together,
 *			default max_inflight / 2
 */
struct hr_config {
	const char *resolv_conf;
	const char *fallback;
	int workers;
	int max_inflight;
	int cache_ttl;
	int cache_max;
	int timeout_ms;
	int max_per_client;
	int max_per_net;
};

/**
 * typedef hr_addr_fn - completion of hr_lookup()
 * @arg:	the caller's argument
 * @status:	outcome
 * @addrs:	@naddrs addresses packed in network byte order, 4 bytes each
 *		for AF_INET, 16 for AF_INET6 (ready to copy into A or AAAA
 *		RDATA), deduplicated, in the resolver's order; NULL unless
 *		HR_OK
 * @naddrs:	1..HR_ADDRS_MAX with HR_OK, else 0
 * @canon:	with HR_OK, the canonical name getaddrinfo reported
 *		(AI_CANONNAME: the end of a CNAME chain, the first name of
 *		an /etc/hosts line) when it is not the name asked, without
 *		a trailing dot; else NULL
 * @ttl:	seconds the answer stays valid (the cache's remaining time;
 *		also meant for negative answers); 0 when the cache is off
 */
typedef void (*hr_addr_fn)(void *arg, enum hr_status status,
			   const uint8_t *addrs, size_t naddrs,
			   const char *canon, uint32_t ttl);

/**
 * typedef hr_raw_fn - completion of hr_forward()
 * @arg:	the caller's argument
 * @status:	HR_OK with an answer; HR_SERVFAIL or HR_REFUSED without
 * @answer:	the upstream's answer as received, any RCODE but SERVFAIL,
 *		REFUSED and NOTIMP (those fail over to the next server and
 *		end as HR_SERVFAIL); its ID is hr's own, not the query's:
 *		the caller puts its client's ID back. NULL unless HR_OK
 * @len:	length of @answer
 */
typedef void (*hr_raw_fn)(void *arg, enum hr_status status,
			  const uint8_t *answer, size_t len);

/**
 * struct hr_stats - counters of a resolver
 * @lookups:		hr_lookup() calls
 * @cache_hits:		of those, answered from the cache
 * @forwards:		hr_forward() calls
 * @refused:		requests refused: too many in flight (all of them,
 *			those below included)
 * @refused_client:	of those, because their client had its share
 *			(max_per_client) waiting
 * @refused_net:	of those, because their client's network had its
 *			share (max_per_net) waiting
 * @failures:		requests that ended HR_SERVFAIL (upstream dead, slow
 *			or failing, getaddrinfo errors, deadlines)
 */
struct hr_stats {
	uint64_t lookups;
	uint64_t cache_hits;
	uint64_t forwards;
	uint64_t refused;
	uint64_t refused_client;
	uint64_t refused_net;
	uint64_t failures;
};

struct hr *hr_new(struct loop *l, const struct hr_config *c);
void hr_get_stats(const struct hr *h, struct hr_stats *st);
void hr_free(struct hr *h);

struct hr_req *hr_lookup(struct hr *h, const char *name, int family,
			 hr_addr_fn cb, void *arg);
struct hr_req *hr_forward(struct hr *h, const uint8_t *query, size_t len,
			  hr_raw_fn cb, void *arg);
struct hr_req *hr_lookup_for(struct hr *h, const struct hr_client *cl,
			     const char *name, int family, hr_addr_fn cb,
			     void *arg);
struct hr_req *hr_forward_for(struct hr *h, const struct hr_client *cl,
			      const uint8_t *query, size_t len, hr_raw_fn cb,
			      void *arg);
void hr_cancel(struct hr_req *r);

int hr_search_domains(struct hr *h, char *out, size_t cap);
const char *hr_status_str(enum hr_status s);

#endif /* USERNETD_HOSTRESOLVER_H */
