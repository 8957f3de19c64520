/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_own6.c - the table of which VM holds which IPv6 address
 * (lan/own6.c): what may be claimed at all (table-driven), first claim
 * wins, a second VM is refused until the address has been idle for
 * OWN6_IDLE_MS, the same VM follows its MAC, the bounds per VM and per
 * network (with idle entries making room), release when a VM leaves, the
 * address published for a MAC (EUI-64 first, else the oldest), and the
 * change callback for in-prefix addresses only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "lan/own6.h"

static const uint8_t mac1[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x01};
static const uint8_t mac2[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x02};

/**
 * a6() - an IPv6 address from text, checked
 * @s:		the text
 *
 * Return: the address
 */
static struct in6_addr a6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/**
 * changes() - own6_changed_fn counting its calls
 * @arg:	an unsigned counter
 */
static void changes(void *arg)
{
	(*(unsigned *)arg)++;
}

/**
 * table() - a table for fd00:1:2:3::/64 counting changes in @cnt
 * @cnt:	the counter
 *
 * Return: the table
 */
static struct own6 *table(unsigned *cnt)
{
	struct in6_addr p = a6("fd00:1:2:3::");

	*cnt = 0;
	return own6_new(&p, changes, cnt);
}

/**
 * test_scope() - only link-local and in-prefix unicast, above the
 * network's interface ids, may be claimed
 * @state:	unused
 */
static void test_scope(void **state)
{
	static const struct {
		const char *a;
		int ok;
	} cases[] = {
	    {"fe80::5055:55ff:fe00:1", 1},
	    {"fe80::4", 1},
	    {"fd00:1:2:3::1234", 1},
	    {"fd00:1:2:3:ffff::", 1},
	    {"fe80::", 0},
	    {"fe80::2", 0},
	    {"fe80::3", 0},
	    {"fd00:1:2:3::", 0},
	    {"fd00:1:2:3::2", 0},
	    {"fd00:1:2:3::3", 0},
	    {"fd00:1:2:4::1234", 0},
	    {"fe80:0:0:1::1234", 0},
	    {"2001:db8::1234", 0},
	    {"::", 0},
	    {"::1", 0},
	    {"::ffff:10.0.0.1", 0},
	    {"ff02::1", 0},
	    {"ff02::1:ff00:1", 0},
	};
	unsigned cnt, i;
	struct own6 *t = table(&cnt);

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct in6_addr a = a6(cases[i].a);

		if (!!own6_claimable(t, &a) != cases[i].ok)
			fail_msg("%s: claimable %d", cases[i].a, !cases[i].ok);
		assert_int_equal(own6_claim(t, &a, mac1, 1, 0),
				 cases[i].ok ? OWN6_OK : OWN6_SCOPE);
	}
	own6_free(t);
}

/**
 * test_first_wins() - the first VM holds an address, another is refused
 * until it has been idle OWN6_IDLE_MS; the owner follows its own MAC
 * @state:	unused
 */
static void test_first_wins(void **state)
{
	struct in6_addr a = a6("fd00:1:2:3::1234");
	unsigned cnt;
	struct own6 *t = table(&cnt);
	uint8_t mac[6];
	uint32_t vm;

	(void)state;
	assert_int_equal(own6_lookup(t, &a, mac, &vm), -1);
	assert_int_equal(own6_claim(t, &a, mac1, 1, 1000), OWN6_OK);
	assert_int_equal(cnt, 1);
	assert_int_equal(own6_lookup(t, &a, mac, &vm), 0);
	assert_memory_equal(mac, mac1, 6);
	assert_int_equal(vm, 1);
	assert_int_equal(own6_claim(t, &a, mac2, 2, 2000), OWN6_TAKEN);
	/* used again by its owner: the idle time starts over */
	assert_int_equal(own6_claim(t, &a, mac1, 1, 5000), OWN6_OK);
	assert_int_equal(own6_claim(t, &a, mac2, 2, 5000 + OWN6_IDLE_MS - 1),
			 OWN6_TAKEN);
	assert_int_equal(own6_lookup(t, &a, NULL, &vm), 0);
	assert_int_equal(vm, 1);
	/* a VM may move its address to another MAC of its own */
	assert_int_equal(own6_claim(t, &a, mac2, 1, 6000), OWN6_OK);
	assert_int_equal(own6_lookup(t, &a, mac, NULL), 0);
	assert_memory_equal(mac, mac2, 6);
	assert_int_equal(cnt, 1);
	/* idle long enough: another VM takes it */
	assert_int_equal(own6_claim(t, &a, mac1, 2, 6000 + OWN6_IDLE_MS),
			 OWN6_OK);
	assert_int_equal(own6_lookup(t, &a, mac, &vm), 0);
	assert_int_equal(vm, 2);
	assert_memory_equal(mac, mac1, 6);
	assert_int_equal(cnt, 2);
	assert_int_equal(own6_count(t), 1);
	own6_free(t);
}

/**
 * addr_n() - the in-prefix address fd00:1:2:3::1:@i
 * @i:		its number
 *
 * Return: the address
 */
static struct in6_addr addr_n(unsigned i)
{
	struct in6_addr a = a6("fd00:1:2:3::1:0");

	a.s6_addr[14] = (uint8_t)(i >> 8);
	a.s6_addr[15] = (uint8_t)i;
	return a;
}

/**
 * test_vm_bound() - a VM holds at most OWN6_VM_MAX addresses; its idle
 * ones make room for new ones, the least recently used first
 * @state:	unused
 */
static void test_vm_bound(void **state)
{
	struct in6_addr a;
	unsigned cnt, i;
	struct own6 *t = table(&cnt);

	(void)state;
	for (i = 0; i < OWN6_VM_MAX; i++) {
		a = addr_n(i);
		assert_int_equal(own6_claim(t, &a, mac1, 1, i), OWN6_OK);
	}
	a = addr_n(OWN6_VM_MAX);
	assert_int_equal(own6_claim(t, &a, mac1, 1, 100), OWN6_VM_FULL);
	assert_int_equal(own6_lookup(t, &a, NULL, NULL), -1);
	/* another VM is not affected */
	assert_int_equal(own6_claim(t, &a, mac2, 2, 100), OWN6_OK);
	a = addr_n(OWN6_VM_MAX + 1);
	/* all but the first used lately: the first makes room */
	for (i = 1; i < OWN6_VM_MAX; i++) {
		struct in6_addr b = addr_n(i);

		assert_int_equal(own6_claim(t, &b, mac1, 1, OWN6_IDLE_MS), 0);
	}
	assert_int_equal(own6_claim(t, &a, mac1, 1, OWN6_IDLE_MS), OWN6_OK);
	a = addr_n(0);
	assert_int_equal(own6_lookup(t, &a, NULL, NULL), -1);
	/* a takeover counts against the VM's bound too */
	a = addr_n(OWN6_VM_MAX);
	assert_int_equal(own6_claim(t, &a, mac1, 1, 2 * OWN6_IDLE_MS - 1),
			 OWN6_VM_FULL);
	own6_free(t);
}

/**
 * test_net_bound() - a network holds at most OWN6_NET_MAX addresses; an
 * idle one makes room
 * @state:	unused
 */
static void test_net_bound(void **state)
{
	struct in6_addr a;
	unsigned cnt, i;
	struct own6 *t = table(&cnt);

	(void)state;
	for (i = 0; i < OWN6_NET_MAX; i++) {
		a = addr_n(i);
		assert_int_equal(
		    own6_claim(t, &a, mac1, 1 + i / OWN6_VM_MAX, 1000 + i),
		    OWN6_OK);
	}
	assert_int_equal(own6_count(t), OWN6_NET_MAX);
	a = addr_n(OWN6_NET_MAX);
	assert_int_equal(own6_claim(t, &a, mac2, 9999, 2000), OWN6_NET_FULL);
	assert_int_equal(own6_claim(t, &a, mac2, 9999, 1000 + OWN6_IDLE_MS),
			 OWN6_OK);
	a = addr_n(0); /* the least recently used went */
	assert_int_equal(own6_lookup(t, &a, NULL, NULL), -1);
	a = addr_n(1);
	assert_int_equal(own6_lookup(t, &a, NULL, NULL), 0);
	assert_int_equal(own6_count(t), OWN6_NET_MAX);
	own6_free(t);
}

/**
 * test_release() - a VM that leaves frees its addresses; the callback
 * hears of in-prefix ones only
 * @state:	unused
 */
static void test_release(void **state)
{
	struct in6_addr ll = a6("fe80::1234"), g = a6("fd00:1:2:3::1234"),
			o = a6("fd00:1:2:3::5678");
	unsigned cnt;
	struct own6 *t = table(&cnt);

	(void)state;
	assert_int_equal(own6_claim(t, &ll, mac1, 1, 0), OWN6_OK);
	assert_int_equal(cnt, 0);
	own6_release_vm(t, 1);
	assert_int_equal(cnt, 0);
	assert_int_equal(own6_claim(t, &ll, mac1, 1, 0), OWN6_OK);
	assert_int_equal(own6_claim(t, &g, mac1, 1, 0), OWN6_OK);
	assert_int_equal(own6_claim(t, &o, mac2, 2, 0), OWN6_OK);
	assert_int_equal(cnt, 2);
	own6_release_vm(t, 1);
	assert_int_equal(cnt, 3);
	assert_int_equal(own6_lookup(t, &g, NULL, NULL), -1);
	assert_int_equal(own6_lookup(t, &ll, NULL, NULL), -1);
	assert_int_equal(own6_lookup(t, &o, NULL, NULL), 0);
	/* free at once for another VM */
	assert_int_equal(own6_claim(t, &g, mac2, 2, 1), OWN6_OK);
	own6_release_vm(t, 7); /* nothing held: no call */
	assert_int_equal(cnt, 4);
	own6_free(t);
}

/**
 * test_addr_of() - the address published for a MAC: the EUI-64 one if
 * held, else the oldest in-prefix one, never a link-local one
 * @state:	unused
 */
static void test_addr_of(void **state)
{
	struct in6_addr ll = a6("fe80::5055:55ff:fe00:1"),
			tmp1 = a6("fd00:1:2:3:aaaa::1"),
			tmp2 = a6("fd00:1:2:3:bbbb::1"),
			eui = a6("fd00:1:2:3:5055:55ff:fe00:1"), a;
	unsigned cnt;
	struct own6 *t = table(&cnt);

	(void)state;
	assert_int_equal(own6_claim(t, &ll, mac1, 1, 0), OWN6_OK);
	assert_int_equal(own6_addr_of(t, mac1, &a), -1);
	assert_int_equal(own6_claim(t, &tmp2, mac1, 1, 10), OWN6_OK);
	assert_int_equal(own6_claim(t, &tmp1, mac1, 1, 20), OWN6_OK);
	assert_int_equal(own6_addr_of(t, mac1, &a), 0);
	assert_memory_equal(&a, &tmp2, 16);
	assert_int_equal(own6_claim(t, &eui, mac1, 1, 30), OWN6_OK);
	assert_int_equal(own6_addr_of(t, mac1, &a), 0);
	assert_memory_equal(&a, &eui, 16);
	assert_int_equal(own6_addr_of(t, mac2, &a), -1);
	own6_free(t);
}

/**
 * listed() - own6_fn of test_foreach(): count the entries, check each
 * address's MAC
 * @arg:	the count so far
 * @a:		an address held
 * @mac:	its MAC
 */
static void listed(void *arg, const struct in6_addr *a, const uint8_t mac[6])
{
	struct in6_addr two = a6("fd00:1:2:3::2:1");

	assert_memory_equal(mac, memcmp(a, &two, 16) ? mac1 : mac2, 6);
	(*(unsigned *)arg)++;
}

/**
 * test_foreach() - every address held is reported once, with its MAC;
 * released ones no more
 * @state:	unused
 */
static void test_foreach(void **state)
{
	struct in6_addr ll = a6("fe80::1234"), g = a6("fd00:1:2:3::1234"),
			two = a6("fd00:1:2:3::2:1");
	unsigned cnt, n = 0;
	struct own6 *t = table(&cnt);

	(void)state;
	assert_int_equal(own6_claim(t, &ll, mac1, 1, 0), OWN6_OK);
	assert_int_equal(own6_claim(t, &g, mac1, 1, 0), OWN6_OK);
	assert_int_equal(own6_claim(t, &two, mac2, 2, 0), OWN6_OK);
	own6_foreach(t, listed, &n);
	assert_int_equal(n, 3);
	own6_release_vm(t, 1);
	n = 0;
	own6_foreach(t, listed, &n);
	assert_int_equal(n, 1);
	own6_free(t);
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
	    cmocka_unit_test(test_scope),    cmocka_unit_test(test_first_wins),
	    cmocka_unit_test(test_vm_bound), cmocka_unit_test(test_net_bound),
	    cmocka_unit_test(test_release),  cmocka_unit_test(test_addr_of),
	    cmocka_unit_test(test_foreach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
