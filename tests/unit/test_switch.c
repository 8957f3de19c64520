/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_switch.c - learning, flooding, unicast, ageing, static entries and
 * refusal of a MAC that another port owns: silent ports that report their
 * end keep their MACs, and no port can push another's out of the table;
 * a port's MACs listed; unknown unicast flooded unless the network's
 * hook takes it (a departed VM's MAC), broadcast never offered to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "packet/switch.h"
#include "tests/unit/testlib.h"

/**
 * struct sink - counts frames delivered to a port
 * @n:		frames delivered
 * @last_src:	source MAC of the last one
 * @last_from:	id of the port the last one came in on
 */
struct sink {
	int n;
	uint8_t last_src[6];
	uint32_t last_from;
};

/**
 * sink_deliver() - port delivery: count the frame, keep its source MAC and
 * the sending port's id
 * @arg:	the struct sink
 * @from:	the id of the port the frame came in on
 * @frame:	the frame
 * @len:	its length, at least 14
 */
static void sink_deliver(void *arg, uint32_t from, const uint8_t *frame,
			 size_t len)
{
	struct sink *s = arg;

	assert_true(len >= 14);
	memcpy(s->last_src, frame + 6, 6);
	s->last_from = from;
	s->n++;
}

/**
 * mkframe() - a 60-byte IPv4 frame from @src to @dst, zero beyond the header
 * @f:		buffer, 60 bytes
 * @dst:	destination MAC
 * @src:	source MAC
 */
static void mkframe(uint8_t *f, const uint8_t *dst, const uint8_t *src)
{
	memset(f, 0, 60);
	tl_eth(f, dst, src, 0x0800);
}

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mac_a[6] = {0x52, 0x55, 0x55, 0, 0, 1};
static const uint8_t mac_b[6] = {0x52, 0x55, 0x55, 0, 0, 2};
static const uint8_t mac_g[6] = {0x52, 0x55, 0xc0, 0xa8, 5, 2};

/**
 * test_learn_and_forward() - broadcasts and unknown unicast flood, learned MACs
 * are forwarded to their port only
 * @state:	unused
 */
static void test_learn_and_forward(void **state)
{
	struct sink a = {0}, b = {0}, c = {0};
	struct sw *s = sw_new();
	struct sw_port *pa = sw_port_add(s, "a", 1, sink_deliver, &a);
	struct sw_port *pb = sw_port_add(s, "b", 2, sink_deliver, &b);
	uint8_t f[60];

	(void)state;
	sw_port_add(s, "c", 3, sink_deliver, &c);
	/* Broadcast from a floods to b and c. */
	mkframe(f, bcast, mac_a);
	sw_input(s, pa, f, sizeof(f), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(c.n, 1);
	assert_int_equal(b.last_from, 1); /* a's id, from sw_port_add() */
	/* Unknown unicast floods too. */
	mkframe(f, mac_b, mac_a);
	sw_input(s, pa, f, sizeof(f), 1);
	assert_int_equal(b.n, 2);
	assert_int_equal(c.n, 2);
	/* b answers: a is known, only a gets it; b is learned. */
	mkframe(f, mac_a, mac_b);
	sw_input(s, pb, f, sizeof(f), 2);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.last_from, 2);
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

/**
 * test_spoof_and_bad_src() - a MAC another port holds, a multicast source and
 * runts are dropped and counted
 * @state:	unused
 */
static void test_spoof_and_bad_src(void **state)
{
	struct sink a = {0}, b = {0}, g = {0};
	struct sw *s = sw_new();
	struct sw_port *pa = sw_port_add(s, "a", 1, sink_deliver, &a);
	struct sw_port *pb = sw_port_add(s, "b", 2, sink_deliver, &b);
	struct sw_port *pg = sw_port_add(s, "gw", 0, sink_deliver, &g);
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

/**
 * test_age_and_port_del() - after ageing, or when its port leaves, a MAC may
 * move to another port
 * @state:	unused
 */
static void test_age_and_port_del(void **state)
{
	struct sink a = {0}, b = {0};
	struct sw *s = sw_new();
	struct sw_port *pa = sw_port_add(s, "a", 1, sink_deliver, &a);
	struct sw_port *pb = sw_port_add(s, "b", 2, sink_deliver, &b);
	struct sw_port *pc;
	uint8_t f[60];

	(void)state;
	mkframe(f, bcast, mac_a);
	sw_input(s, pa, f, sizeof(f), 0);
	/* After ageing, another port may use the MAC (a datagram port, whose
	 * peer may be gone unseen). */
	sw_input(s, pb, f, sizeof(f), 301 * 1000);
	assert_int_equal(sw_stats(s)->drop_spoof, 0);
	/* A port that leaves forgets its MACs: a new port may take them. */
	sw_port_del(s, pb);
	pc = sw_port_add(s, "c", 3, sink_deliver, &b);
	sw_input(s, pc, f, sizeof(f), 301 * 1000 + 1);
	assert_int_equal(sw_stats(s)->drop_spoof, 0);
	assert_int_equal(a.n, 2);
	sw_free(s);
}

/**
 * struct cam_count - entries of one port, counted by sw_foreach()
 * @port:	the port's name
 * @n:		its entries
 */
struct cam_count {
	const char *port;
	int n;
};

/**
 * cam_count_fn() - sw_foreach() callback: count the entries of one port
 * @arg:	the struct cam_count
 * @mac:	unused
 * @port:	name of the entry's port
 * @is_static:	unused
 */
static void cam_count_fn(void *arg, const uint8_t mac[6], const char *port,
			 int is_static)
{
	struct cam_count *c = arg;

	(void)mac;
	(void)is_static;
	if (!strcmp(port, c->port))
		c->n++;
}

/**
 * test_keep_macs() - a port that keeps its MACs holds them however long it is
 * silent
 * @state:	unused
 */
static void test_keep_macs(void **state)
{
	struct sink a = {0}, b = {0}, c = {0};
	struct sw *s = sw_new();
	struct sw_port *pa = sw_port_add(s, "a", 1, sink_deliver, &a);
	struct sw_port *pb = sw_port_add(s, "b", 2, sink_deliver, &b);
	struct sw_port *pc;
	uint8_t f[60];

	(void)state;
	sw_port_keep_macs(pa);
	mkframe(f, bcast, mac_a);
	sw_input(s, pa, f, sizeof(f), 0);
	/* a is silent for an hour: its MAC is still its own. */
	sw_input(s, pb, f, sizeof(f), 3600 * 1000);
	assert_int_equal(sw_stats(s)->drop_spoof, 1);
	assert_ptr_equal(sw_owner(s, mac_a, 3600 * 1000), pa);
	/* ... and frames for it are not flooded. */
	mkframe(f, mac_a, mac_b);
	sw_input(s, pb, f, sizeof(f), 3600 * 1000);
	assert_int_equal(a.n, 1);
	assert_int_equal(sw_stats(s)->flooded, 1);
	/* a's VM comes back on a new port once the old one is gone. */
	sw_port_del(s, pa);
	pc = sw_port_add(s, "c", 3, sink_deliver, &c);
	sw_port_keep_macs(pc);
	mkframe(f, bcast, mac_a);
	sw_input(s, pc, f, sizeof(f), 3600 * 1000 + 1);
	assert_int_equal(sw_stats(s)->drop_spoof, 1);
	assert_ptr_equal(sw_owner(s, mac_a, 3600 * 1000 + 1), pc);
	sw_free(s);
}

/**
 * test_table_flood() - a port sending from thousands of MACs does not push out
 * another port's entry
 * @state:	unused
 */
static void test_table_flood(void **state)
{
	struct sink a = {0}, b = {0};
	struct sw *s = sw_new();
	struct sw_port *pa = sw_port_add(s, "a", 1, sink_deliver, &a);
	struct sw_port *pb = sw_port_add(s, "b", 2, sink_deliver, &b);
	struct cam_count cb = {.port = "b"};
	uint8_t f[60], mac[6] = {0x52, 0x55, 0xaa, 0, 0, 0};
	int i;

	(void)state;
	mkframe(f, bcast, mac_a);
	sw_input(s, pa, f, sizeof(f), 0);
	/* b sends from 3000 MACs, each newer than a's entry. */
	for (i = 0; i < 3000; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		mkframe(f, bcast, mac);
		sw_input(s, pb, f, sizeof(f), 1 + i);
	}
	assert_ptr_equal(sw_owner(s, mac_a, 3001), pa);
	sw_foreach(s, 3001, cam_count_fn, &cb);
	assert_int_equal(cb.n, 64);
	/* b's latest MACs are the ones it keeps. */
	assert_ptr_equal(sw_owner(s, mac, 3001), pb);
	/* Then b claims a's MAC: refused. */
	mkframe(f, bcast, mac_a);
	sw_input(s, pb, f, sizeof(f), 3002);
	assert_int_equal(sw_stats(s)->drop_spoof, 1);
	assert_ptr_equal(sw_owner(s, mac_a, 3002), pa);
	sw_free(s);
}

/**
 * test_table_full() - a full table makes no room from live entries of other
 * ports; once entries age, the oldest goes (never a kept port's)
 * @state:	unused
 */
static void test_table_full(void **state)
{
	struct sink k = {0};
	struct sw *s = sw_new();
	struct sw_port *p[17];
	uint8_t f[60], mac[6] = {0x52, 0x55, 0xbb, 0, 0, 0};
	int i, j;

	(void)state;
	for (i = 0; i < 17; i++)
		p[i] = sw_port_add(s, "p", 0, sink_deliver, &k);
	sw_port_keep_macs(p[0]);
	/* 16 ports of 64 MACs fill the table's 1024 entries. */
	for (i = 0; i < 16; i++) {
		for (j = 0; j < 64; j++) {
			mac[3] = (uint8_t)i;
			mac[4] = (uint8_t)j;
			mkframe(f, bcast, mac);
			sw_input(s, p[i], f, sizeof(f), 1000 + i);
		}
	}
	assert_int_equal(sw_stats(s)->drop_table_full, 0);
	/* A 17th port: no live entry of another port makes room. */
	mac[3] = 16;
	mac[4] = 0;
	mkframe(f, bcast, mac);
	sw_input(s, p[16], f, sizeof(f), 2000);
	assert_int_equal(sw_stats(s)->drop_table_full, 1);
	assert_null(sw_owner(s, mac, 2000));
	/* Once entries age (not p[0]'s, kept), the oldest aged one goes. */
	sw_input(s, p[16], f, sizeof(f), 1001 + 300 * 1000 + 1);
	assert_int_equal(sw_stats(s)->drop_table_full, 1);
	assert_ptr_equal(sw_owner(s, mac, 1001 + 300 * 1000 + 1), p[16]);
	mac[3] = 0;
	mac[4] = 5;
	assert_ptr_equal(sw_owner(s, mac, 1001 + 300 * 1000 + 1), p[0]);
	sw_free(s);
}

/**
 * struct unknown - what the unknown-unicast hook saw and says
 * @calls:	times asked
 * @from:	port of the last frame asked about
 * @take:	its answer
 */
struct unknown {
	int calls;
	const struct sw_port *from;
	int take;
};

/**
 * unknown_hook() - unknown-destination hook: count the call, keep the port
 * @arg:	the struct unknown
 * @from:	the port the frame came from
 * @frame:	unused
 * @len:	its length, at least 14
 *
 * Return: u->take: non-zero to take the frame instead of flooding it
 */
static int unknown_hook(void *arg, const struct sw_port *from,
			const uint8_t *frame, size_t len)
{
	struct unknown *u = arg;

	(void)frame;
	assert_true(len >= 14);
	u->calls++;
	u->from = from;
	return u->take;
}

/**
 * count_mac() - mac_fn for sw_port_macs(): count, and remember the last
 * @arg:	the struct sink
 * @mac:	one MAC of the port
 */
static void count_mac(void *arg, const uint8_t mac[6])
{
	struct sink *s = arg;

	memcpy(s->last_src, mac, 6);
	s->n++;
}

/**
 * test_unknown_and_port_macs() - the unknown-destination hook may take a frame
 * instead of its flooding; sw_port_macs() lists a port's MACs
 * @state:	unused
 */
static void test_unknown_and_port_macs(void **state)
{
	struct sink a = {0}, b = {0}, macs = {0};
	struct unknown u = {0};
	struct sw *s = sw_new();
	struct sw_port *pa = sw_port_add(s, "a", 1, sink_deliver, &a);
	struct sw_port *pb = sw_port_add(s, "b", 2, sink_deliver, &b);
	uint8_t f[60];

	(void)state;
	sw_set_unknown(s, unknown_hook, &u);
	mkframe(f, mac_b, mac_a); /* unknown, hook declines: flooded */
	sw_input(s, pa, f, sizeof(f), 0);
	assert_int_equal(u.calls, 1);
	assert_ptr_equal(u.from, pa);
	assert_int_equal(b.n, 1);
	u.take = 1; /* hook takes it: nobody gets it */
	sw_input(s, pa, f, sizeof(f), 1);
	assert_int_equal(u.calls, 2);
	assert_int_equal(b.n, 1);
	assert_int_equal(sw_stats(s)->flooded, 1);
	mkframe(f, bcast, mac_a); /* broadcast: never asked */
	sw_input(s, pa, f, sizeof(f), 2);
	assert_int_equal(u.calls, 2);
	assert_int_equal(b.n, 2);
	mkframe(f, mac_a, mac_b); /* known: never asked */
	sw_input(s, pb, f, sizeof(f), 3);
	assert_int_equal(u.calls, 2);
	assert_int_equal(a.n, 1);
	mkframe(f, mac_a, mac_g);
	sw_input(s, pb, f, sizeof(f), 4);
	sw_port_macs(s, pb, count_mac, &macs);
	assert_int_equal(macs.n, 2);
	macs.n = 0;
	sw_port_macs(s, pa, count_mac, &macs);
	assert_int_equal(macs.n, 1);
	assert_memory_equal(macs.last_src, mac_a, 6);
	sw_free(s);
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
	    cmocka_unit_test(test_learn_and_forward),
	    cmocka_unit_test(test_spoof_and_bad_src),
	    cmocka_unit_test(test_age_and_port_del),
	    cmocka_unit_test(test_keep_macs),
	    cmocka_unit_test(test_table_flood),
	    cmocka_unit_test(test_table_full),
	    cmocka_unit_test(test_unknown_and_port_macs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
