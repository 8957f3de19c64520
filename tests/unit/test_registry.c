/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_registry.c - names follow leases (<hostname>.internal appears with a
 * bound lease and goes with it), and the lease file follows the MAC-to-
 * address associations, rewritten only when they change.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../dns/dns.h"
#include "../../user-v2/dhcp.h"
#include "../../user-v2/leases.h"
#include "../../user-v2/registry.h"

static int64_t fake_now = 1000;

static int64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

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

/* Does @name answer an A record with @ip? */
static int resolves(struct dns_local *l, const char *name, const char *ip)
{
	struct dns_local_result res;
	uint8_t wire[DNS_NAME_MAX];
	struct in_addr a;

	assert_true(dns_name_from_text(name, wire, sizeof(wire)) > 0);
	if (dns_local_lookup(l, wire, DNS_T_A, &res) != DNS_LOCAL_ANSWER ||
	    res.n4 != 1)
		return 0;
	inet_pton(AF_INET, ip, &a);
	return res.a[0].s_addr == a.s_addr;
}

static void test_names_follow_leases(void **state)
{
	const uint8_t mac_a[6] = {0x52, 0x55, 0x55, 0, 0, 0xa};
	const uint8_t mac_b[6] = {0x52, 0x55, 0x55, 0, 0, 0xb};
	struct dhcp *d = mkdhcp();
	struct dns_local *names = dns_local_new(NULL);
	struct reg *r = reg_new(NULL, d, names, NULL);
	struct in_addr a, b;

	(void)state;
	inet_pton(AF_INET, "192.168.104.4", &a);
	inet_pton(AF_INET, "192.168.104.5", &b);
	assert_int_equal(
	    dhcp_lease_restore(d, mac_a, a, "lima-a", fake_now + 100), 0);
	assert_int_equal(
	    dhcp_lease_restore(d, mac_b, b, "lima-b", fake_now + 10), 0);
	reg_sync(r);
	assert_true(resolves(names, "lima-a.internal", "192.168.104.4"));
	assert_true(resolves(names, "LIMA-B.internal", "192.168.104.5"));
	assert_false(resolves(names, "nobody.internal", "192.168.104.5"));
	/* b's lease expires: its name goes, a's stays. */
	fake_now += 50;
	reg_sync(r);
	assert_true(resolves(names, "lima-a.internal", "192.168.104.4"));
	assert_false(resolves(names, "lima-b.internal", "192.168.104.5"));
	/* Freeing the registry takes its names out. */
	reg_free(r);
	assert_false(resolves(names, "lima-a.internal", "192.168.104.4"));
	dns_local_free(names);
	dhcp_free(d);
}

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
	r = reg_new(NULL, d, NULL, path);
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
	usleep(20000);
	fake_now += 3600; /* expired, but the MAC keeps its address */
	reg_sync(r);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);

	reg_free(r);
	dhcp_free(d);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_follow_leases),
	    cmocka_unit_test(test_lease_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
