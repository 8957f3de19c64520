/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_hostresolver_linux.c - services/hostresolver/ answering lookups of its
 * own against real upstreams (the world of hr_test.h: dnsmasq on loopback, a
 * silent upstream, the real getaddrinfo of glibc reading a private /etc/hosts
 * and /etc/resolv.conf).
 *
 * Covers native lookups (hosts file, DNS, NODATA, NXDOMAIN, deduplication),
 * the cache (positive and negative, expiry, eviction), coalescing of
 * identical lookups (counted in dnsmasq's query log), cancellation (queued,
 * running in a worker, ready, forwarded), the in-flight bound, and deadlines
 * with a silent upstream. Forwarding and the upstreams are in
 * test_hostresolver_fwd_linux.c, the fair share in
 * test_hostresolver_fair_linux.c.
 *
 * Needs root (mount namespace, port 53) and dnsmasq; skipped without them.
 */

#define HR_NET "127.0.0."

#include "tests/unit/hr_test.h"

/* ---- native lookups ---- */

/**
 * hosts_1() - step 1 of the hosts scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void hosts_1(struct t *t)
{
	lookup(t, 0, "localhost", AF_INET);
	lookup(t, 1, "localhost", AF_INET6);
	lookup(t, 2, "hr-dup", AF_INET);
	lookup(t, 3, "LocalHost.", AF_INET); /* same job as 0 */
}

/**
 * hosts_2() - step 2 of the hosts scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void hosts_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_int_equal(t->r[0].n, 1); /* glibc returns it twice */
	assert_addr(&t->r[0], 0, AF_INET, "127.0.0.1");
	assert_int_equal(t->r[0].ttl, 5);
	assert_int_equal(t->r[1].st, HR_OK);
	assert_int_equal(t->r[1].n, 1);
	assert_addr(&t->r[1], 0, AF_INET6, "::1");
	assert_int_equal(t->r[2].st, HR_OK);
	assert_int_equal(t->r[2].n, 2);
	assert_addr(&t->r[2], 0, AF_INET, "10.9.8.7");
	assert_addr(&t->r[2], 1, AF_INET, "10.9.8.8");
	assert_int_equal(t->r[3].st, HR_OK);
	assert_addr(&t->r[3], 0, AF_INET, "127.0.0.1");
	/* Now from the cache. */
	lookup(t, 4, "localhost", AF_INET);
}

/**
 * hosts_3() - step 3 of the hosts scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void hosts_3(struct t *t)
{
	assert_int_equal(t->r[4].st, HR_OK);
	assert_int_equal(t->r[4].n, 1);
	assert_true(t->r[4].ttl >= 1 && t->r[4].ttl <= 5);
}

/**
 * test_native_hosts() - lookups answered from /etc/hosts, both families,
 * duplicates removed, a TTL of 5 s
 * @state:	unused
 */
static void test_native_hosts(void **state)
{
	static const step_fn steps[] = {hosts_1, hosts_2, hosts_3, NULL};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, NULL, steps, 5000);
}

/**
 * dns_1() - step 1 of the dns scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void dns_1(struct t *t)
{
	lookup(t, 0, "example.test", AF_INET);
	lookup(t, 1, "example.test", AF_INET6);
	lookup(t, 2, "v6.test", AF_INET6);
	lookup(t, 3, "nope.test", AF_INET);
	lookup(t, 4, "foo.invalid", AF_INET6);
	lookup(t, 5, "multi.test", AF_INET);
	lookup(t, 6, "a..b", AF_INET);
	lookup(t, 7, "", AF_INET);
	lookup(t, 8, "example.test", AF_UNIX);
	lookup(t, 9, "both.test", AF_INET6);
	lookup(t, 10, "alias.test", AF_INET);
	lookup(t, 11, "many.test", AF_INET);
}

/**
 * dns_2() - step 2 of the dns scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void dns_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_int_equal(t->r[0].n, 1);
	assert_addr(&t->r[0], 0, AF_INET, "10.1.2.3");
	assert_int_equal(t->r[1].st, HR_NODATA);
	assert_int_equal(t->r[1].ttl, 5); /* negative answers cached too */
	assert_int_equal(t->r[2].st, HR_OK);
	assert_addr(&t->r[2], 0, AF_INET6, "fd00::1");
	assert_int_equal(t->r[3].st, HR_NXDOMAIN);
	assert_int_equal(t->r[4].st, HR_NXDOMAIN);
	assert_int_equal(t->r[5].st, HR_OK);
	assert_int_equal(t->r[5].n, 2);
	assert_int_equal(t->r[6].st, HR_NXDOMAIN);
	assert_int_equal(t->r[7].st, HR_NXDOMAIN);
	assert_int_equal(t->r[8].st, HR_SERVFAIL);
	assert_int_equal(t->r[9].st, HR_OK);
	assert_int_equal(t->r[9].n, 1);
	assert_addr(&t->r[9], 0, AF_INET6, "fd00::4");
	/* the CNAME's target is reported, the name itself is not */
	assert_string_equal(t->r[0].canon, "");
	assert_int_equal(t->r[10].st, HR_OK);
	assert_string_equal(t->r[10].canon, "example.test");
	assert_addr(&t->r[10], 0, AF_INET, "10.1.2.3");
	/* every address, not the first 32 */
	assert_int_equal(t->r[11].st, HR_OK);
	assert_int_equal(t->r[11].n, 40);
}

/**
 * test_native_dns() - lookups answered by the upstream through getaddrinfo():
 * addresses, NODATA, NXDOMAIN, bad names and families, the canonical name of an
 * alias
 * @state:	unused
 */
static void test_native_dns(void **state)
{
	static const step_fn steps[] = {dns_1, dns_2, NULL};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, NULL, steps, 5000);
}

/* ---- cache ---- */

/**
 * cache_1() - step 1 of the cache scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void cache_1(struct t *t)
{
	lookup(t, 0, "hr-cache", AF_INET);
	lookup(t, 1, "hr-neg.test", AF_INET);
}

/**
 * cache_2() - step 2 of the cache scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void cache_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_addr(&t->r[0], 0, AF_INET, "10.9.8.9");
	assert_int_equal(t->r[0].ttl, 1);
	assert_int_equal(t->r[1].st, HR_NXDOMAIN);
	/* The host changes its mind; the cache does not, for a second. */
	write_file("hosts", "127.0.0.1 localhost\n"
			    "10.9.8.10 hr-cache\n"
			    "10.9.8.11 hr-neg.test\n");
	lookup(t, 2, "hr-cache", AF_INET);
	lookup(t, 3, "HR-NEG.test.", AF_INET);
}

/**
 * cache_3() - step 3 of the cache scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void cache_3(struct t *t)
{
	assert_int_equal(t->r[2].st, HR_OK);
	assert_addr(&t->r[2], 0, AF_INET, "10.9.8.9");
	assert_int_equal(t->r[2].ttl, 1);
	assert_int_equal(t->r[3].st, HR_NXDOMAIN);
	wait_ms(t, 1100);
}

/**
 * cache_4() - step 4 of the cache scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void cache_4(struct t *t)
{
	lookup(t, 4, "hr-cache", AF_INET);
	lookup(t, 5, "hr-neg.test", AF_INET);
}

/**
 * cache_5() - step 5 of the cache scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void cache_5(struct t *t)
{
	assert_int_equal(t->r[4].st, HR_OK);
	assert_addr(&t->r[4], 0, AF_INET, "10.9.8.10");
	assert_int_equal(t->r[5].st, HR_OK);
	assert_addr(&t->r[5], 0, AF_INET, "10.9.8.11");
}

/**
 * test_cache() - answers, negative ones too, are cached for their TTL, not
 * longer
 * @state:	unused
 */
static void test_cache(void **state)
{
	static const step_fn steps[] = {cache_1, cache_2, cache_3,
					cache_4, cache_5, NULL};
	struct hr_config cfg = {.cache_ttl = 1};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, &cfg, steps, 5000);
	write_file("hosts", hosts_base);
}

/**
 * evict_1() - a cache of 2 entries keeps the 2 most recently used answers.
 * @t:		the scenario
 */
static void evict_1(struct t *t)
{
	lookup(t, 0, "hr-cache", AF_INET);
}

/**
 * evict_1b() - step 1b of the evict scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void evict_1b(struct t *t)
{
	lookup(t, 1, "hr-dup", AF_INET);
}

/**
 * evict_1c() - step 1c of the evict scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void evict_1c(struct t *t)
{
	lookup(t, 2, "localhost", AF_INET); /* evicts hr-cache */
}

/**
 * evict_2() - step 2 of the evict scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void evict_2(struct t *t)
{
	write_file("hosts", "127.0.0.1 localhost\n"
			    "10.9.8.20 hr-cache\n"
			    "10.9.8.21 hr-dup\n");
	lookup(t, 3, "hr-dup", AF_INET);
	lookup(t, 4, "localhost", AF_INET);
	lookup(t, 5, "hr-cache", AF_INET); /* evicted: asked again */
}

/**
 * evict_3() - step 3 of the evict scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void evict_3(struct t *t)
{
	assert_int_equal(t->r[3].n, 2); /* cached */
	assert_int_equal(t->r[4].st, HR_OK);
	assert_addr(&t->r[5], 0, AF_INET, "10.9.8.20");
}

/**
 * test_cache_evict() - a full cache drops the least recently used answer
 * @state:	unused
 */
static void test_cache_evict(void **state)
{
	static const step_fn steps[] = {evict_1, evict_1b, evict_1c,
					evict_2, evict_3,  NULL};
	struct hr_config cfg = {.cache_max = 2};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	/* One lookup per step, so the LRU order is known. */
	t_run(&t, &cfg, steps, 5000);
	write_file("hosts", hosts_base);
}

/* ---- coalescing, cancellation, bounds ---- */

static int g_co_before;

/**
 * co_1() - step 1 of the co scenario, run once the requests of the step before
 * are answered
 * @t:		the scenario
 */
static void co_1(struct t *t)
{
	int k;

	g_co_before = count_in_file("a.log", "query[A] co.test ");
	for (k = 0; k < 20; k++)
		lookup(t, k, "co.test", AF_INET);
}

/**
 * co_2() - step 2 of the co scenario, run once the requests of the step before
 * are answered
 * @t:		the scenario
 */
static void co_2(struct t *t)
{
	int k;

	for (k = 0; k < 20; k++) {
		assert_int_equal(t->r[k].st, HR_OK);
		assert_addr(&t->r[k], 0, AF_INET, "10.1.2.5");
	}
	wait_ms(t, 300); /* let dnsmasq write its log */
}

/**
 * co_3() - step 3 of the co scenario, run once the requests of the step before
 * are answered
 * @t:		the scenario
 */
static void co_3(struct t *t)
{
	(void)t;
	assert_int_equal(count_in_file("a.log", "query[A] co.test "),
			 g_co_before + 1);
}

/**
 * test_coalesce() - 20 lookups of one name at once make one upstream query
 * @state:	unused
 */
static void test_coalesce(void **state)
{
	static const step_fn steps[] = {co_1, co_2, co_3, NULL};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, NULL, steps, 5000);
}

/**
 * cancel_1() - step 1 of the cancel scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void cancel_1(struct t *t)
{
	lookup(t, 0, "example.test", AF_INET);
	cancel(t, 0); /* still queued or just taken by a worker */
	lookup(t, 1, "example.test", AF_INET);
	forward(t, 2, "which.test", T_TXT, 0);
	cancel(t, 2);
	lookup(t, 3, "bad..name", AF_INET);
	cancel(t, 3); /* ready, not yet delivered */
	hr_cancel(NULL);
}

/**
 * cancel_2() - step 2 of the cancel scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void cancel_2(struct t *t)
{
	assert_int_equal(t->r[1].st, HR_OK);
	assert_addr(&t->r[1], 0, AF_INET, "10.1.2.3");
	/* Cancel a cache hit before it is delivered. */
	lookup(t, 4, "example.test", AF_INET);
	cancel(t, 4);
	wait_ms(t, 300); /* time for a stray callback to show up */
}

/**
 * cancel_3() - step 3 of the cancel scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void cancel_3(struct t *t)
{
	assert_false(t->r[0].done);
	assert_false(t->r[2].done);
	assert_false(t->r[3].done);
	assert_false(t->r[4].done);
}

/**
 * test_cancel() - a cancelled request, queued, running, ready or a cache hit,
 * never calls back
 * @state:	unused
 */
static void test_cancel(void **state)
{
	static const step_fn steps[] = {cancel_1, cancel_2, cancel_3, NULL};
	struct hr_config cfg = {.resolv_conf = NULL};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "nameserver " ADDR_A "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
}

/**
 * bound_1() - step 1 of the bound scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void bound_1(struct t *t)
{
	lookup(t, 0, "r1.test", AF_INET);
	lookup(t, 1, "r2.test", AF_INET);
	lookup(t, 2, "r3.test", AF_INET);
	forward(t, 3, "which.test", T_TXT, 0);
}

/**
 * bound_2() - step 2 of the bound scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void bound_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_NXDOMAIN);
	assert_int_equal(t->r[1].st, HR_NXDOMAIN);
	assert_int_equal(t->r[2].st, HR_REFUSED);
	assert_int_equal(t->r[3].st, HR_REFUSED);
	/* Refusals come first: they were ready at once. */
	assert_true(t->r[2].at <= t->r[0].at);
	forward(t, 4, "which.test", T_TXT, 0);
}

/**
 * bound_3() - step 3 of the bound scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void bound_3(struct t *t)
{
	assert_int_equal(t->r[4].st, HR_OK);
	assert_true(ans_has(&t->r[4], "alpha"));
}

/**
 * test_inflight_bound() - requests beyond max_inflight are REFUSED at once, and
 * the others still answered
 * @state:	unused
 */
static void test_inflight_bound(void **state)
{
	static const step_fn steps[] = {bound_1, bound_2, bound_3, NULL};
	struct hr_config cfg = {.max_inflight = 2};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "nameserver " ADDR_A "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
}

/* ---- a silent upstream for getaddrinfo ---- */

/**
 * silent_1() - step 1 of the silent scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void silent_1(struct t *t)
{
	/* glibc reloads the rewritten file; its one try waits 1 s. */
	write_file("resolv.conf", "nameserver " ADDR_SILENT "\n"
				  "options timeout:1 attempts:1\n");
	t->t0 = loop_now_ms();
	lookup(t, 0, "silent.test", AF_INET);
	wait_ms(t, 200);
	t->pending = 0; /* step 2 runs while it is in flight */
}

/**
 * silent_2() - step 2 of the silent scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void silent_2(struct t *t)
{
	/* A worker is inside getaddrinfo now. */
	assert_false(t->r[0].done);
	cancel(t, 0);
	t->pending = 0;
	lookup(t, 1, "silent.test", AF_INET); /* joins the running call */
}

/**
 * silent_3() - step 3 of the silent scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void silent_3(struct t *t)
{
	/* glibc's EAI_AGAIN after its 1 s try, before our 1.5 s deadline:
	 * the call the cancelled request started answered the second. */
	assert_int_equal(t->r[1].st, HR_SERVFAIL);
	assert_in_range(t->r[1].at - t->t0, 900, 1400);
	/* SERVFAIL is cached for a second: answered without waiting. */
	t->t0 = loop_now_ms();
	lookup(t, 2, "silent.test", AF_INET);
}

/**
 * silent_4() - step 4 of the silent scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void silent_4(struct t *t)
{
	assert_int_equal(t->r[2].st, HR_SERVFAIL);
	assert_true(t->r[2].at - t->t0 < 100);
	assert_false(t->r[0].done);
}

/**
 * test_native_silent() - a silent upstream: getaddrinfo()'s own timeout answers
 * SERVFAIL, a cancelled request's call still serves the next, SERVFAIL is
 * cached
 * @state:	unused
 */
static void test_native_silent(void **state)
{
	static const step_fn steps[] = {silent_1, silent_2, silent_3, silent_4,
					NULL};
	struct hr_config cfg = {.timeout_ms = 1500};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, &cfg, steps, 6000);
	write_file("resolv.conf", resolv_a);
}

/**
 * deadline_1() - step 1 of the deadline scenario, run once the requests of the
 * step before are answered
 * @t:		the scenario
 */
static void deadline_1(struct t *t)
{
	/* glibc would wait 2 s; the request's deadline is 500 ms. */
	write_file("resolv.conf", "nameserver " ADDR_SILENT "\n"
				  "options timeout:2 attempts:1\n");
	t->t0 = loop_now_ms();
	lookup(t, 0, "deadline.test", AF_INET);
}

/**
 * deadline_2() - step 2 of the deadline scenario, run once the requests of the
 * step before are answered
 * @t:		the scenario
 */
static void deadline_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_SERVFAIL);
	assert_in_range(t->r[0].at - t->t0, 450, 800);
}

/**
 * test_native_deadline() - our deadline answers SERVFAIL before getaddrinfo()
 * gives up, and hr_free() does not wait for it
 * @state:	unused
 */
static void test_native_deadline(void **state)
{
	static const step_fn steps[] = {deadline_1, deadline_2, NULL};
	struct hr_config cfg = {.timeout_ms = 500};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	/* hr_free() does not wait for the worker still in getaddrinfo. */
	t_run(&t, &cfg, steps, 3000);
	write_file("resolv.conf", resolv_a);
}

/**
 * main() - run this file's tests with cmocka
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed, else
 * how many failed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_native_hosts),
	    cmocka_unit_test(test_native_dns),
	    cmocka_unit_test(test_cache),
	    cmocka_unit_test(test_cache_evict),
	    cmocka_unit_test(test_coalesce),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_inflight_bound),
	    cmocka_unit_test(test_native_silent),
	    cmocka_unit_test(test_native_deadline),
	};

	return hr_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
