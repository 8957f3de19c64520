/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_hostresolver_fair_linux.c - the fair share of services/hostresolver/
 * among its clients and networks, against a silent upstream (the world of
 * hr_test.h): refusals past a client's or a network's share, a cancelled
 * query still charged, a worker left for another client.
 *
 * Needs root (mount namespace, port 53) and dnsmasq; skipped without them.
 */

#define HR_NET "127.0.2."

#include "tests/unit/hr_test.h"

/* ---- the fair share of clients and networks ---- */

static const int g_net1, g_net2; /* two networks, by address */

/**
 * client() - a client: network @net, address ::ffff:10.0.0.@host.
 * @net:	the network, any distinct pointer
 * @host:	last byte of the address
 *
 * Return: the client
 */
static struct hr_client client(const void *net, int host)
{
	struct hr_client cl = {.net = net};

	cl.addr[10] = cl.addr[11] = 0xff;
	cl.addr[12] = 10;
	cl.addr[15] = (uint8_t)host;
	return cl;
}

/**
 * forward_cl() - forward() for client @cl.
 * @t:		the scenario
 * @k:		result slot
 * @name:	text name (a TXT query)
 * @cl:		the client
 */
static void forward_cl(struct t *t, int k, const char *name,
		       const struct hr_client *cl)
{
	uint8_t q[512];
	size_t len = tl_dns_query(q, 0x1234, name, T_TXT, 0);

	memset(&t->r[k], 0, sizeof(t->r[k]));
	t->r[k].t = t;
	t->pending++;
	g_in_api = 1;
	t->q[k] = hr_forward_for(t->h, cl, q, len, on_raw, &t->r[k]);
	g_in_api = 0;
	assert_non_null(t->q[k]);
}

/**
 * lookup_cl() - lookup() for client @cl.
 * @t:		the scenario
 * @k:		result slot
 * @name:	text name (an A lookup)
 * @cl:		the client
 */
static void lookup_cl(struct t *t, int k, const char *name,
		      const struct hr_client *cl)
{
	memset(&t->r[k], 0, sizeof(t->r[k]));
	t->r[k].t = t;
	t->r[k].family = AF_INET;
	t->pending++;
	g_in_api = 1;
	t->q[k] = hr_lookup_for(t->h, cl, name, AF_INET, on_addr, &t->r[k]);
	g_in_api = 0;
	assert_non_null(t->q[k]);
}

/**
 * share_1() - step 1 of the share scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void share_1(struct t *t)
{
	struct hr_client a1 = client(&g_net1, 1), a2 = client(&g_net1, 2);
	struct hr_client a3 = client(&g_net1, 3), b1 = client(&g_net2, 1);
	int k;

	/* max_inflight 16: 4 per client, 8 per network. */
	t->t0 = loop_now_ms();
	for (k = 0; k < 5; k++)
		forward_cl(t, k, "s.test", &a1);
	for (k = 5; k < 9; k++)
		forward_cl(t, k, "s.test", &a2);
	forward_cl(t, 9, "s.test", &a3);
	forward_cl(t, 10, "s.test", &b1);
	lookup_cl(t, 11, "localhost", &a3); /* a cache miss: refused too */
}

/**
 * share_2() - step 2 of the share scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void share_2(struct t *t)
{
	struct hr_stats st;
	int k;

	for (k = 0; k <= 11; k++) {
		if (k == 4 || k == 9 || k == 11) {
			assert_int_equal(t->r[k].st, HR_REFUSED);
			assert_true(t->r[k].at - t->t0 < 300);
		} else {
			/* Waited for the silent upstream: not refused. */
			assert_int_equal(t->r[k].st, HR_SERVFAIL);
			assert_in_range(t->r[k].at - t->t0, 900, 1400);
		}
	}
	hr_get_stats(t->h, &st);
	assert_int_equal(st.refused_client, 1);
	assert_int_equal(st.refused_net, 2);
}

/**
 * share_3() - step 3 of the share scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void share_3(struct t *t)
{
	struct hr_client a1 = client(&g_net1, 1);
	int k;

	/* Cancelled, their c-ares queries run on: still a1's share. */
	for (k = 0; k < 4; k++)
		forward_cl(t, k, "s.test", &a1);
	for (k = 0; k < 4; k++)
		cancel(t, k);
	forward_cl(t, 4, "s.test", &a1);
}

/**
 * share_4() - step 4 of the share scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void share_4(struct t *t)
{
	assert_int_equal(t->r[4].st, HR_REFUSED);
	assert_false(t->r[0].done);
	wait_ms(t, 1500); /* c-ares gives up on the cancelled queries */
}

/**
 * share_5() - step 5 of the share scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void share_5(struct t *t)
{
	struct hr_client a1 = client(&g_net1, 1);

	t->t0 = loop_now_ms();
	forward_cl(t, 5, "s.test", &a1);
}

/**
 * share_6() - step 6 of the share scenario, run once the requests of the step
 * before are answered
 * @t:		the scenario
 */
static void share_6(struct t *t)
{
	struct hr_stats st;

	assert_int_equal(t->r[5].st, HR_SERVFAIL);
	assert_in_range(t->r[5].at - t->t0, 900, 1400);
	hr_get_stats(t->h, &st);
	assert_int_equal(st.refused_client, 2);
}

/**
 * test_fair_share() - a client or a network that floods the resolver gets its
 * share of the in-flight requests, not the others'
 * @state:	unused
 */
static void test_fair_share(void **state)
{
	static const step_fn steps[] = {share_1, share_2, share_3, share_4,
					share_5, share_6, NULL};
	struct hr_config cfg = {
	    .timeout_ms = 1000, .max_inflight = 16, .fallback = ADDR_UNUSED};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "nameserver " ADDR_SILENT "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 8000);
}

/**
 * workers_1() - step 1 of the workers scenario, run once the requests of the
 * step before are answered
 * @t:		the scenario
 */
static void workers_1(struct t *t)
{
	struct hr_client a = client(&g_net1, 1), b = client(&g_net1, 2);

	/* glibc reloads the rewritten file; its one try waits 1 s. */
	write_file("resolv.conf", "nameserver " ADDR_SILENT "\n"
				  "options timeout:1 attempts:1\n");
	t->t0 = loop_now_ms();
	lookup_cl(t, 0, "w1.test", &a);
	lookup_cl(t, 1, "w2.test", &a);
	lookup_cl(t, 2, "w3.test", &a);
	lookup_cl(t, 3, "localhost", &b);
}

/**
 * workers_2() - step 2 of the workers scenario, run once the requests of the
 * step before are answered
 * @t:		the scenario
 */
static void workers_2(struct t *t)
{
	int k;

	/* Two workers: a's lookups of a dead domain keep one of them, b's
	 * name from the hosts file takes the other at once (without the
	 * share it waited for a's first two, 1 s). */
	assert_int_equal(t->r[3].st, HR_OK);
	assert_true(t->r[3].at - t->t0 < 500);
	for (k = 0; k < 3; k++)
		assert_int_equal(t->r[k].st, HR_SERVFAIL);
}

/**
 * test_fair_workers() - a client whose lookups hang in getaddrinfo() does not
 * hold every worker
 * @state:	unused
 */
static void test_fair_workers(void **state)
{
	static const step_fn steps[] = {workers_1, workers_2, NULL};
	struct hr_config cfg = {.timeout_ms = 3500, .workers = 2};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, &cfg, steps, 8000);
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
	    cmocka_unit_test(test_fair_share),
	    cmocka_unit_test(test_fair_workers),
	};

	return hr_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
