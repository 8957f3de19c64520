/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_hostresolver_fwd_linux.c - services/hostresolver/ forwarding raw queries
 * and following its upstreams, against real ones (the world of hr_test.h).
 *
 * Covers raw forwarding (TXT, MX, NXDOMAIN relayed, a TXT answer over 512
 * bytes through c-ares's TCP retry, with and without EDNS0), the fallback
 * servers, resolv.conf swaps picked up by both resolvers, a killed upstream
 * and a silent one.
 *
 * Needs root (mount namespace, port 53) and dnsmasq; skipped without them.
 */

#define HR_NET "127.0.1."

#include "tests/unit/hr_test.h"

/* ---- forwarding ---- */

/**
 * fwd_1() - step 1 of the fwd scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void fwd_1(struct t *t)
{
	uint8_t junk[5] = {1, 2, 3, 4, 5};
	char buf[64];

	forward(t, 0, "which.test", T_TXT, 0);
	forward(t, 1, "big.test", T_TXT, 0);
	forward(t, 2, "big.test", T_TXT, 1);
	forward(t, 3, "nope.test", T_A, 0);
	forward(t, 4, "example.test", T_MX, 0);
	t->r[5].t = t;
	t->pending++;
	g_in_api = 1;
	t->q[5] = hr_forward(t->h, junk, sizeof(junk), on_raw, &t->r[5]);
	g_in_api = 0;

	assert_int_equal(hr_search_domains(t->h, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "corp.test lab.test");
	assert_int_equal(hr_search_domains(t->h, buf, 12), 1);
	assert_string_equal(buf, "corp.test");
	assert_int_equal(hr_search_domains(t->h, buf, 5), 0);
	assert_string_equal(buf, "");
}

/**
 * fwd_2() - step 2 of the fwd scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void fwd_2(struct t *t)
{
	uint8_t q[512];
	size_t qlen = tl_dns_query(q, 0x1234, "which.test", T_TXT, 0);
	int k;

	for (k = 0; k < 5; k++) {
		assert_int_equal(t->r[k].st, HR_OK);
		assert_true(t->r[k].ans[2] & 0x80); /* QR */
	}
	/* The question comes back as asked; the ID is hr's. */
	assert_memory_equal(t->r[0].ans + 12, q + 12, qlen - 12);
	assert_int_equal(ans_rcode(&t->r[0]), 0);
	assert_int_equal(ans_count(&t->r[0]), 1);
	assert_true(ans_has(&t->r[0], "alpha"));
	/* > 512 bytes: truncated over UDP, retried by c-ares over TCP. */
	for (k = 1; k <= 2; k++) {
		assert_true(t->r[k].len > 512);
		assert_false(t->r[k].ans[2] & 0x02); /* TC */
		assert_int_equal(ans_count(&t->r[k]), 1);
		assert_true(ans_has(&t->r[k], "cccccccc"));
	}
	assert_int_equal(t->r[2].ans[11], 1);	  /* the OPT record came back */
	assert_int_equal(ans_rcode(&t->r[3]), 3); /* NXDOMAIN, relayed */
	assert_int_equal(ans_count(&t->r[4]), 1);
	assert_true(ans_has(&t->r[4], "\004mail"));
	assert_int_equal(t->r[5].st, HR_SERVFAIL);
}

/**
 * test_forward() - raw queries go to the resolv.conf upstream; the answer keeps
 * the question as asked, and one over 512 bytes comes whole (c-ares retries
 * over TCP)
 * @state:	unused
 */
static void test_forward(void **state)
{
	static const step_fn steps[] = {fwd_1, fwd_2, NULL};
	struct hr_config cfg = {.fallback = ADDR_UNUSED};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "# test\nnameserver " ADDR_A "\n"
			       "domain ignored.test\n"
			       "search corp.test lab.test. bad\001x\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
}

/**
 * fb_1() - step 1 of the fb scenario, run once the requests of the step before
 * are answered
 * @t:		the scenario
 */
static void fb_1(struct t *t)
{
	forward(t, 0, "which.test", T_TXT, 0);
}

/**
 * fb_2() - step 2 of the fb scenario, run once the requests of the step before
 * are answered
 * @t:		the scenario
 */
static void fb_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_true(ans_has(&t->r[0], "alpha"));
}

/**
 * test_fallback() - without a usable nameserver line the fallback upstream
 * serves; a fallback list that does not parse is refused
 * @state:	unused
 */
static void test_fallback(void **state)
{
	static const step_fn steps[] = {fb_1, fb_2, NULL};
	struct hr_config cfg = {.fallback = ADDR_A ":53"};
	struct loop *l;
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	/* No nameserver line (one that is not an address is ignored). */
	write_file("fwd.conf", "search x.test\nnameserver not-an-address\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
	/* No file at all. */
	cfg.resolv_conf = dir_path("missing.conf");
	t_run(&t, &cfg, steps, 5000);
	/* A fallback list that does not parse is refused. */
	l = loop_new();
	cfg.fallback = "not a server";
	assert_null(hr_new(l, &cfg));
	loop_free(l);
}

/* ---- resolv.conf swapped: both resolvers follow within 2 s ---- */

/**
 * swap_1() - step 1 of the swap scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void swap_1(struct t *t)
{
	forward(t, 0, "which.test", T_TXT, 0);
	lookup(t, 1, "swap.test", AF_INET);
}

/**
 * swap_2() - step 2 of the swap scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void swap_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_true(ans_has(&t->r[0], "alpha"));
	assert_int_equal(t->r[1].st, HR_NXDOMAIN);
	write_file("fwd.conf", "nameserver " ADDR_B "\nsearch swapped.test\n");
	write_file("resolv.conf", "nameserver " ADDR_B "\n"
				  "options timeout:1 attempts:1\n");
	t->t0 = loop_now_ms();
}

/**
 * swap_3() - step 3 of the swap scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void swap_3(struct t *t)
{
	forward(t, 2, "which.test", T_TXT, 0);
	lookup(t, 3, "swap.test", AF_INET);
}

/**
 * swap_4() - step 4 of the swap scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void swap_4(struct t *t)
{
	int64_t now = loop_now_ms();
	char buf[64];

	assert_int_equal(t->r[2].st, HR_OK);
	if (!ans_has(&t->r[2], "bravo")) {
		assert_true(ans_has(&t->r[2], "alpha"));
		assert_true(now - t->t0 < 2000);
		wait_ms(t, 50);
		t->i -= 2; /* ask again */
		return;
	}
	print_message("forwarding followed the swap after %lld ms\n",
		      (long long)(t->r[2].at - t->t0));
	/* glibc re-read /etc/resolv.conf on its own. */
	assert_int_equal(t->r[3].st, HR_OK);
	assert_addr(&t->r[3], 0, AF_INET, "10.7.7.8");
	assert_int_equal(hr_search_domains(t->h, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "swapped.test");
}

/**
 * test_swap() - both resolvers follow a rewritten resolv.conf within 2 s
 * @state:	unused
 */
static void test_swap(void **state)
{
	static const step_fn steps[] = {swap_1, swap_2, swap_3, swap_4, NULL};
	struct hr_config cfg = {.cache_ttl = -1, .fallback = ADDR_UNUSED};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "nameserver " ADDR_A "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 6000);
	write_file("resolv.conf", resolv_a);
}

/* ---- upstream killed, upstream silent ---- */

/**
 * dead_1() - step 1 of the dead scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void dead_1(struct t *t)
{
	forward(t, 0, "which.test", T_TXT, 0);
}

/**
 * dead_2() - step 2 of the dead scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void dead_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_true(ans_has(&t->r[0], "charlie"));
	dnsmasq_stop(&g_dm_c);
	t->t0 = loop_now_ms();
	forward(t, 1, "which.test", T_TXT, 0);
}

/**
 * dead_3() - step 3 of the dead scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void dead_3(struct t *t)
{
	print_message("killed upstream: SERVFAIL after %lld ms\n",
		      (long long)(t->r[1].at - t->t0));
	assert_int_equal(t->r[1].st, HR_SERVFAIL);
	assert_true(t->r[1].at - t->t0 <= 1000 + 300);
}

/**
 * test_upstream_killed() - an upstream that dies after answering: the next
 * forwarded query answers SERVFAIL within the timeout
 * @state:	unused
 */
static void test_upstream_killed(void **state)
{
	static const step_fn steps[] = {dead_1, dead_2, dead_3, NULL};
	struct hr_config cfg = {.timeout_ms = 1000, .fallback = ADDR_UNUSED};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	g_dm_c = dnsmasq_start(ADDR_C, "c", "--txt-record=which.test,charlie",
			       (char *)NULL);
	assert_true(g_dm_c > 0);
	write_file("fwd.conf", "nameserver " ADDR_C "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
	dnsmasq_stop(&g_dm_c);
}

/**
 * mute_1() - step 1 of the mute scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void mute_1(struct t *t)
{
	t->t0 = loop_now_ms();
	forward(t, 0, "which.test", T_TXT, 0);
	forward(t, 1, "big.test", T_TXT, 1);
}

/**
 * mute_2() - step 2 of the mute scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void mute_2(struct t *t)
{
	int k;

	for (k = 0; k < 2; k++) {
		assert_int_equal(t->r[k].st, HR_SERVFAIL);
		assert_in_range(t->r[k].at - t->t0, 900, 1400);
	}
}

/**
 * test_upstream_silent() - an upstream that never answers: forwarded queries
 * answer SERVFAIL at the deadline
 * @state:	unused
 */
static void test_upstream_silent(void **state)
{
	static const step_fn steps[] = {mute_1, mute_2, NULL};
	struct hr_config cfg = {.timeout_ms = 1000, .fallback = ADDR_UNUSED};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "nameserver " ADDR_SILENT "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
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
	    cmocka_unit_test(test_forward),
	    cmocka_unit_test(test_fallback),
	    cmocka_unit_test(test_swap),
	    cmocka_unit_test(test_upstream_killed),
	    cmocka_unit_test(test_upstream_silent),
	};

	return hr_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
