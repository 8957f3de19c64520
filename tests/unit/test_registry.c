/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_registry.c - names follow leases (<hostname>.internal appears with a
 * bound lease and goes with it) and never replace nor remove a name the
 * registry did not set; a name answers AAAA with the IPv6 address its
 * VM's MAC owns, and that address PTR with the name, both following the
 * address and the lease; the lease file follows the MAC-to-address
 * associations, rewritten only when they change, at most once a second
 * with a loop, and what is pending at reg_free().
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "services/dns/dns.h"
#include "base/loop.h"
#include "packet/dhcp.h"
#include "lan/leases.h"
#include "lan/registry.h"
#include "tests/unit/testlib.h"

/* The modification time with nanoseconds: POSIX's st_mtim, macOS's name */
#ifdef __APPLE__
#define ST_MTIM(st) ((st).st_mtimespec)
#else
#define ST_MTIM(st) ((st).st_mtim)
#endif

static int64_t fake_now = 1000;

/**
 * fake_clock() - dhcp clock: the test's time
 * @arg:	unused
 *
 * Return: fake_now
 */
static int64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

/**
 * mkdhcp() - a DHCP server for 192.168.104.0/24 on the test's clock
 *
 * Return: the server, NULL if dhcp_new() refused
 */
static struct dhcp *mkdhcp(void)
{
	struct dhcp_config c = {0};

	inet_pton(AF_INET, "192.168.104.0", &c.network);
	inet_pton(AF_INET, "255.255.255.0", &c.netmask);
	inet_pton(AF_INET, "192.168.104.3", &c.server_id);
	inet_pton(AF_INET, "192.168.104.4", &c.pool_first);
	inet_pton(AF_INET, "192.168.104.254", &c.pool_last);
	c.clock = fake_clock;
	return dhcp_new(&c);
}

/**
 * test_names_follow_leases() - <hostname>.internal appears with a bound lease
 * and goes when it expires
 * @state:	unused
 */
static void test_names_follow_leases(void **state)
{
	const uint8_t mac_a[6] = {0x52, 0x55, 0x55, 0, 0, 0xa};
	const uint8_t mac_b[6] = {0x52, 0x55, 0x55, 0, 0, 0xb};
	struct dhcp *d = mkdhcp();
	struct dns_local *names = dns_local_new(NULL);
	struct reg *r = reg_new(NULL, d, names, NULL, NULL, NULL);
	struct in_addr a, b;

	(void)state;
	inet_pton(AF_INET, "192.168.104.4", &a);
	inet_pton(AF_INET, "192.168.104.5", &b);
	assert_int_equal(
	    dhcp_lease_restore(d, mac_a, a, "lima-a", fake_now + 100), 0);
	assert_int_equal(
	    dhcp_lease_restore(d, mac_b, b, "lima-b", fake_now + 10), 0);
	reg_sync(r);
	assert_true(tl_dns_resolves(names, "lima-a.internal", "192.168.104.4"));
	assert_true(tl_dns_resolves(names, "LIMA-B.internal", "192.168.104.5"));
	assert_false(
	    tl_dns_resolves(names, "nobody.internal", "192.168.104.5"));
	/* b's lease expires: its name goes, a's stays. */
	fake_now += 50;
	reg_sync(r);
	assert_true(tl_dns_resolves(names, "lima-a.internal", "192.168.104.4"));
	assert_false(
	    tl_dns_resolves(names, "lima-b.internal", "192.168.104.5"));
	/* Freeing the registry takes its names out. */
	reg_free(r);
	assert_false(
	    tl_dns_resolves(names, "lima-a.internal", "192.168.104.4"));
	dns_local_free(names);
	dhcp_free(d);
}

/**
 * test_lease_file() - the lease file follows the MAC-to-address associations,
 * rewritten only when they change
 * @state:	unused
 */
static void test_lease_file(void **state)
{
	const uint8_t mac[6] = {0x52, 0x55, 0x55, 0x12, 0x34, 0x56};
	char dir[] = "/tmp/test_registry.XXXXXX", path[64];
	struct dhcp_static_lease *l = NULL;
	struct dhcp *d = mkdhcp();
	struct reg *r;
	struct stat st1, st2;
	struct in_addr a;
	char err[256];
	size_t n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/leases.json", dir);
	r = reg_new(NULL, d, NULL, path, NULL, NULL);
	reg_sync(r); /* nothing yet: an empty file */
	assert_int_equal(leases_load(path, &l, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	free(l);
	l = NULL;

	inet_pton(AF_INET, "192.168.104.9", &a);
	assert_int_equal(dhcp_lease_restore(d, mac, a, NULL, fake_now + 60), 0);
	reg_sync(r);
	assert_int_equal(leases_load(path, &l, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].ip.s_addr, a.s_addr);
	assert_memory_equal(l[0].mac, mac, 6);
	free(l);

	/* Unchanged associations: the file is not rewritten. */
	assert_int_equal(stat(path, &st1), 0);
	nanosleep(&(struct timespec){0, 20000000}, NULL);
	fake_now += 3600; /* expired, but the MAC keeps its address */
	reg_sync(r);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(ST_MTIM(st1).tv_nsec, ST_MTIM(st2).tv_nsec);

	reg_free(r);
	dhcp_free(d);
	unlink(path);
	rmdir(dir);
}

/**
 * test_names_owned() - names of the configuration and of the API are
 * neither taken over nor removed
 * @state:	unused
 */
static void test_names_owned(void **state)
{
	const uint8_t mac_a[6] = {0x52, 0x55, 0x55, 0, 0, 0xa};
	const uint8_t mac_b[6] = {0x52, 0x55, 0x55, 0, 0, 0xb};
	struct dhcp *d = mkdhcp();
	struct dns_local *names = dns_local_new(NULL);
	struct in_addr a, b, api;
	struct reg *r;
	int tok; /* another owner */

	(void)state;
	assert_int_equal(dns_local_set(names, "conf.internal", "10.9.9.9"), 0);
	r = reg_new(NULL, d, names, NULL, NULL, NULL);
	inet_pton(AF_INET, "192.168.104.4", &a);
	inet_pton(AF_INET, "192.168.104.5", &b);
	inet_pton(AF_INET, "10.9.9.8", &api);
	/* a guest asking for a configured name gets none */
	assert_int_equal(
	    dhcp_lease_restore(d, mac_a, a, "conf", fake_now + 100), 0);
	assert_int_equal(
	    dhcp_lease_restore(d, mac_b, b, "bravo", fake_now + 10), 0);
	reg_sync(r);
	assert_true(tl_dns_resolves(names, "conf.internal", "10.9.9.9"));
	assert_true(tl_dns_resolves(names, "bravo.internal", "192.168.104.5"));
	/* the API takes bravo's name: when b's lease ends, the API's stays */
	assert_int_equal(
	    dns_local_set_addrs(names, "bravo.internal", &api, 1, NULL, 0), 0);
	reg_sync(r);
	assert_true(tl_dns_resolves(names, "bravo.internal", "10.9.9.8"));
	fake_now += 50;
	reg_sync(r);
	assert_true(tl_dns_resolves(names, "bravo.internal", "10.9.9.8"));
	reg_free(r);
	assert_true(tl_dns_resolves(names, "conf.internal", "10.9.9.9"));
	assert_true(tl_dns_resolves(names, "bravo.internal", "10.9.9.8"));
	/* the owned-entry calls themselves */
	assert_int_equal(
	    dns_local_set_owned(names, "conf.internal", &tok, &a, NULL), -1);
	assert_int_equal(dns_local_remove_owned(names, "conf.internal", &tok),
			 -1);
	assert_int_equal(
	    dns_local_set_owned(names, "mine.internal", &tok, &a, NULL), 0);
	assert_false(dns_local_taken(names, "mine.internal", &tok));
	assert_true(dns_local_taken(names, "mine.internal", names));
	assert_int_equal(dns_local_remove_owned(names, "mine.internal", names),
			 -1);
	assert_int_equal(dns_local_remove_owned(names, "mine.internal", &tok),
			 0);
	dns_local_free(names);
	dhcp_free(d);
}

/**
 * struct fake6 - the test's IPv6 ownership table: one MAC and its address
 * @mac:	the MAC that has an address
 * @a:		its address
 * @calls:	how many times the registry asked
 */
struct fake6 {
	uint8_t mac[6];
	struct in6_addr a;
	int calls;
};

/**
 * fake_addr6() - reg_addr6_fn of the test: @mac's address if it is the one
 * MAC of the struct fake6
 * @arg:	the struct fake6
 * @mac:	a VM's MAC
 * @a:		set to its address
 *
 * Return: 0, or -1 for another MAC
 */
static int fake_addr6(void *arg, const uint8_t mac[6], struct in6_addr *a)
{
	struct fake6 *f = arg;

	f->calls++;
	if (memcmp(mac, f->mac, 6))
		return -1;
	*a = f->a;
	return 0;
}

/**
 * resolves6() - whether @name answers exactly the one AAAA @ip
 * @t:		table
 * @name:	text name
 * @ip:		IPv6 address text, or NULL for "no AAAA at all"
 *
 * Return: 1 if so, else 0
 */
static int resolves6(const struct dns_local *t, const char *name,
		     const char *ip)
{
	struct dns_local_result res;
	struct in6_addr a;

	if (tl_dns_lookup(t, name, DNS_T_AAAA, &res) != DNS_LOCAL_ANSWER)
		return 0;
	if (!ip)
		return res.n6 == 0;
	inet_pton(AF_INET6, ip, &a);
	return res.n6 == 1 && !memcmp(&res.aaaa[0], &a, sizeof(a));
}

/**
 * ptr_of() - the name the local table gives an IPv6 address (PTR)
 * @t:		table
 * @ip:		IPv6 address text
 * @out:	DNS_NAME_TEXT_MAX bytes for the name, "" when it has none
 *
 * Return: @out
 */
static const char *ptr_of(const struct dns_local *t, const char *ip, char *out)
{
	char rev[DNS_LOCAL_REV6_LEN];
	struct dns_local_result res;
	struct in6_addr a;

	out[0] = '\0';
	assert_int_equal(inet_pton(AF_INET6, ip, &a), 1);
	dns_local_rev6(&a, rev);
	if (tl_dns_lookup(t, rev, DNS_T_PTR, &res) == DNS_LOCAL_ANSWER &&
	    res.ptr)
		assert_true(dns_name_to_text(res.ptr_target, out,
					     DNS_NAME_TEXT_MAX, NULL) >= 0);
	return out;
}

/**
 * test_names_ipv6() - a name answers AAAA with the address its VM's MAC
 * owns and the address answers PTR with the name; both follow the address
 * and the lease; a name whose VM has no IPv6 address answers no AAAA
 * @state:	unused
 */
static void test_names_ipv6(void **state)
{
	const uint8_t mac_b[6] = {0x52, 0x55, 0x55, 0, 0, 0xb};
	struct fake6 f = {.mac = {0x52, 0x55, 0x55, 0, 0, 0xa}};
	struct dhcp *d = mkdhcp();
	struct dns_local *names = dns_local_new(NULL);
	struct reg *r = reg_new(NULL, d, names, NULL, fake_addr6, &f);
	char name[DNS_NAME_TEXT_MAX];
	struct in_addr a, b;

	(void)state;
	inet_pton(AF_INET6, "fd12:3456:789a:1::a", &f.a);
	inet_pton(AF_INET, "192.168.104.4", &a);
	inet_pton(AF_INET, "192.168.104.5", &b);
	assert_int_equal(
	    dhcp_lease_restore(d, f.mac, a, "lima-a", fake_now + 100), 0);
	assert_int_equal(
	    dhcp_lease_restore(d, mac_b, b, "lima-b", fake_now + 10), 0);
	reg_sync(r);
	assert_true(f.calls >= 2);
	assert_true(tl_dns_resolves(names, "lima-a.internal", "192.168.104.4"));
	assert_true(resolves6(names, "lima-a.internal", "fd12:3456:789a:1::a"));
	assert_string_equal(ptr_of(names, "fd12:3456:789a:1::a", name),
			    "lima-a.internal");
	/* b has no IPv6 address: its name is there, with no AAAA */
	assert_true(tl_dns_resolves(names, "lima-b.internal", "192.168.104.5"));
	assert_true(resolves6(names, "lima-b.internal", NULL));

	/* a's VM changes its address: AAAA and PTR follow at the next sync */
	inet_pton(AF_INET6, "fd12:3456:789a:1::a2", &f.a);
	reg_sync(r);
	assert_true(
	    resolves6(names, "lima-a.internal", "fd12:3456:789a:1::a2"));
	assert_string_equal(ptr_of(names, "fd12:3456:789a:1::a2", name),
			    "lima-a.internal");
	assert_string_equal(ptr_of(names, "fd12:3456:789a:1::a", name), "");

	/* the lease ends: the name and the PTR go */
	fake_now += 200;
	reg_sync(r);
	assert_false(
	    tl_dns_resolves(names, "lima-a.internal", "192.168.104.4"));
	assert_string_equal(ptr_of(names, "fd12:3456:789a:1::a2", name), "");
	assert_int_equal(dns_local_count(names), 0);
	reg_free(r);
	dns_local_free(names);
	dhcp_free(d);
}

/**
 * flip_addr() - the MAC's address after @i flips: .20 or .21
 * @i:		how many flips so far
 *
 * Return: the address
 */
static struct in_addr flip_addr(int i)
{
	struct in_addr a;

	inet_pton(AF_INET, i & 1 ? "192.168.104.21" : "192.168.104.20", &a);
	return a;
}

/**
 * test_lease_file_coalesced() - a guest flipping its address as fast as
 * it can costs a lease file write a second; reg_free() writes the rest
 * @state:	unused
 */
static void test_lease_file_coalesced(void **state)
{
	const uint8_t mac[6] = {0x52, 0x55, 0x55, 0x12, 0x34, 0x57};
	uint8_t mac2[6] = {0x52, 0x55, 0x55, 0x12, 0x35, 0};
	char dir[] = "/tmp/test_registry.XXXXXX", path[64];
	struct loop *l = loop_new();
	struct loop_timer *stop = loop_timer_new(l, tl_loop_stop, l);
	struct dhcp_static_lease *back = NULL;
	struct dhcp *d = mkdhcp();
	struct in_addr a;
	struct reg *r;
	char err[256];
	size_t n = 0, k;
	int64_t end;
	int i = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/leases.json", dir);
	r = reg_new(l, d, NULL, path, NULL, NULL);
	/* 1,000 changes within one loop iteration: one write */
	for (i = 0; i < 1000; i++) {
		a = flip_addr(i);
		assert_int_equal(
		    dhcp_lease_restore(d, mac, a, NULL, fake_now + 60), 0);
		reg_sync(r);
	}
	assert_int_equal(reg_lease_writes(r), 0);
	loop_timer_arm(stop, loop_now_ms() + 100);
	loop_run(l);
	assert_int_equal(reg_lease_writes(r), 1);
	assert_int_equal(leases_load(path, &back, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(back[0].ip.s_addr, flip_addr(999).s_addr);
	free(back);
	back = NULL;

	/* a new association every 10 ms for 1.5 s (never one written
	 * before, which would need no write): a write a second at most */
	end = loop_now_ms() + 1500;
	for (i = 0; loop_now_ms() < end && i < 200; i++) {
		mac2[5] = (uint8_t)i;
		a.s_addr = htonl(ntohl(flip_addr(0).s_addr) + 10 + (uint32_t)i);
		assert_int_equal(
		    dhcp_lease_restore(d, mac2, a, NULL, fake_now + 60), 0);
		reg_sync(r);
		loop_timer_arm(stop, loop_now_ms() + 10);
		loop_run(l);
	}
	assert_in_range(reg_lease_writes(r), 2, 3);
	/* one more: pending, written by reg_free() */
	a = flip_addr(1000);
	assert_int_equal(dhcp_lease_restore(d, mac, a, NULL, fake_now + 60), 0);
	reg_sync(r);
	reg_free(r);
	assert_int_equal(leases_load(path, &back, &n, err, sizeof(err)), 0);
	assert_int_equal(n, (size_t)i + 1);
	for (k = 0; k < n && memcmp(back[k].mac, mac, 6); k++)
		;
	assert_true(k < n);
	assert_int_equal(back[k].ip.s_addr, a.s_addr);
	free(back);
	loop_timer_free(stop);
	loop_free(l);
	dhcp_free(d);
	unlink(path);
	rmdir(dir);
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
	    cmocka_unit_test(test_names_follow_leases),
	    cmocka_unit_test(test_lease_file),
	    cmocka_unit_test(test_names_owned),
	    cmocka_unit_test(test_names_ipv6),
	    cmocka_unit_test(test_lease_file_coalesced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
