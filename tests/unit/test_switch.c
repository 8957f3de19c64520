/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_switch.c - learning, flooding, unicast, ageing, static entries and
 * refusal of a MAC that another port owns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../user-v2/switch.h"

/**
 * struct sink - counts frames delivered to a port
 */
struct sink {
	int n;
	uint8_t last_src[6];
};

static void sink_deliver(void *arg, const uint8_t *frame, size_t len)
{
	struct sink *s = arg;

	assert_true(len >= 14);
	memcpy(s->last_src, frame + 6, 6);
	s->n++;
}

static void mkframe(uint8_t *f, const uint8_t *dst, const uint8_t *src)
{
	memset(f, 0, 60);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
}

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mac_a[6] = {0x52, 0x55, 0x55, 0, 0, 1};
static const uint8_t mac_b[6] = {0x52, 0x55, 0x55, 0, 0, 2};
static const uint8_t mac_g[6] = {0x52, 0x55, 0xc0, 0xa8, 5, 2};

static void test_learn_and_forward(void **state)
{
	struct sink a = {0}, b = {0}, c = {0};
	struct sw *s = sw_new();
	struct sw_port *pa = sw_port_add(s, "a", sink_deliver, &a);
	struct sw_port *pb = sw_port_add(s, "b", sink_deliver, &b);
	uint8_t f[60];

	(void)state;
	sw_port_add(s, "c", sink_deliver, &c);
	/* Broadcast from a floods to b and c. */
	mkframe(f, bcast, mac_a);
	sw_input(s, pa, f, sizeof(f), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(c.n, 1);
	/* Unknown unicast floods too. */
	mkframe(f, mac_b, mac_a);
	sw_input(s, pa, f, sizeof(f), 1);
	assert_int_equal(b.n, 2);
	assert_int_equal(c.n, 2);
	/* b answers: a is known, only a gets it; b is learned. */
	mkframe(f, mac_a, mac_b);
	sw_input(s, pb, f, sizeof(f), 2);
	assert_int_equal(a.n, 1);
	assert_int_equal(c.n, 2);
	/* Now a to b is unicast. */
	mkframe(f, mac_b, mac_a);
	sw_input(s, pa, f, sizeof(f), 3);
	assert_int_equal(b.n, 3);
	assert_int_equal(c.n, 2);
	assert_int_equal(sw_stats(s)->frames, 4);
	assert_int_equal(sw_stats(s)->flooded, 2);
	sw_free(s);
}

static void test_spoof_and_bad_src(void **state)
{
	struct sink a = {0}, b = {0}, g = {0};
	struct sw *s = sw_new();
	struct sw_port *pa = sw_port_add(s, "a", sink_deliver, &a);
	struct sw_port *pb = sw_port_add(s, "b", sink_deliver, &b);
	struct sw_port *pg = sw_port_add(s, "gw", sink_deliver, &g);
	uint8_t f[60];

	(void)state;
	sw_learn_static(s, pg, mac_g);
	mkframe(f, bcast, mac_a);
	sw_input(s, pa, f, sizeof(f), 0);
	/* b claims a's MAC: dropped. */
	sw_input(s, pb, f, sizeof(f), 1);
	assert_int_equal(sw_stats(s)->drop_spoof, 1);
	/* b claims the gateway's MAC: dropped, even much later. */
	mkframe(f, bcast, mac_g);
	sw_input(s, pb, f, sizeof(f), 10000000);
	assert_int_equal(sw_stats(s)->drop_spoof, 2);
	/* Multicast source: dropped. */
	mkframe(f, mac_a, bcast);
	sw_input(s, pb, f, sizeof(f), 2);
	assert_int_equal(sw_stats(s)->drop_bad_src, 1);
	/* Runt. */
	sw_input(s, pb, f, 13, 2);
	assert_int_equal(sw_stats(s)->drop_runt, 1);
	assert_int_equal(a.n, 0);
	sw_free(s);
}

static void test_age_and_port_del(void **state)
{
	struct sink a = {0}, b = {0};
	struct sw *s = sw_new();
	struct sw_port *pa = sw_port_add(s, "a", sink_deliver, &a);
	struct sw_port *pb = sw_port_add(s, "b", sink_deliver, &b);
	struct sw_port *pc;
	uint8_t f[60];

	(void)state;
	mkframe(f, bcast, mac_a);
	sw_input(s, pa, f, sizeof(f), 0);
	/* After ageing, another port may use the MAC. */
	sw_input(s, pb, f, sizeof(f), 301 * 1000);
	assert_int_equal(sw_stats(s)->drop_spoof, 0);
	/* A port that leaves forgets its MACs: a new port may take them. */
	sw_port_del(s, pb);
	pc = sw_port_add(s, "c", sink_deliver, &b);
	sw_input(s, pc, f, sizeof(f), 301 * 1000 + 1);
	assert_int_equal(sw_stats(s)->drop_spoof, 0);
	assert_int_equal(a.n, 2);
	sw_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_learn_and_forward),
	    cmocka_unit_test(test_spoof_and_bad_src),
	    cmocka_unit_test(test_age_and_port_del),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
