/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_options.c - the command line: defaults, every value, every mistake.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../daemon/options.h"

static int parse(struct cfg *c, char *err, const char *a1, const char *a2,
		 const char *a3)
{
	char *argv[5] = {"usernetd", (char *)a1, (char *)a2, (char *)a3, NULL};
	int argc = 1 + !!a1 + !!a2 + !!a3;

	return cfg_parse_args(c, argc, argv, err, 256);
}

static void test_defaults(void **state)
{
	char err[256];
	struct cfg c;

	(void)state;
	assert_int_equal(parse(&c, err, NULL, NULL, NULL), CFG_OK);
	assert_string_equal(inet_ntoa(c.net.subnet), "192.168.5.0");
	assert_int_equal(c.net.prefix, 24);
	assert_int_equal(c.net.mtu, 1500);
	assert_null(c.listen_qemu);
}

static void test_values(void **state)
{
	char err[256];
	struct cfg c;

	(void)state;
	assert_int_equal(parse(&c, err, "--subnet", "10.0.0.0/16", "-v"),
			 CFG_OK);
	assert_string_equal(inet_ntoa(c.net.subnet), "10.0.0.0");
	assert_int_equal(c.net.prefix, 16);
	assert_true(c.verbose);
	assert_int_equal(parse(&c, err, "--mtu", "65520", NULL), CFG_OK);
	assert_int_equal(c.net.mtu, 65520);
	assert_int_equal(parse(&c, err, "--mtu", "68", NULL), CFG_OK);
	assert_int_equal(
	    parse(&c, err, "--forward", "udp:127.0.0.1:53:5353", NULL), CFG_OK);
	assert_int_equal(c.nfwd, 1);
	assert_true(c.fwd[0].udp);
	assert_int_equal(c.fwd[0].hport, 53);
	assert_int_equal(c.fwd[0].gport, 5353);
	assert_int_equal(parse(&c, err, "--tap", "/proc/1/ns/net:tap0", NULL),
			 CFG_OK);
	assert_string_equal(c.tap[0].netns, "/proc/1/ns/net");
	assert_string_equal(c.tap[0].ifname, "tap0");
	assert_int_equal(parse(&c, err, "--help", NULL, NULL), CFG_HELP);
}

static void test_errors(void **state)
{
	static const char *bad[][2] = {
	    {"--mtu", "67"},
	    {"--mtu", "65521"},
	    {"--mtu", "15x"},
	    {"--subnet", "foo"},
	    {"--subnet", "192.168.5.0"},
	    {"--subnet", "192.168.5.1/24"},
	    {"--subnet", "192.168.5.0/28"},
	    {"--subnet", "192.168.5.0/33"},
	    {"--forward", "tcp:bad"},
	    {"--forward", "sctp:127.0.0.1:1:2"},
	    {"--forward", "tcp:127.0.0.1:0:22"},
	    {"--forward", "tcp:127.0.0.1:22:70000"},
	    {"--forward", "tcp:127.0.0.1:22:22:1"},
	    {"--tap", "tap0"},
	    {"--tap", "ns:"},
	    {"--tap", "ns:averyveryverylongname"},
	    {"--bogus", NULL},
	};
	char err[256];
	struct cfg c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(&c, err, bad[i][0], bad[i][1], NULL),
				 CFG_ERROR);
		assert_true(strlen(err) > 0);
	}
	assert_int_equal(parse(&c, err, "--mtu", NULL, NULL), CFG_ERROR);
	/* Static leases must be guest addresses of the subnet. */
	assert_int_equal(
	    parse(&c, err, "--leases", "192.168.5.2=52:55:55:00:00:01", NULL),
	    CFG_ERROR);
	assert_non_null(strstr(err, "192.168.5.2 is not a guest address"));
	assert_int_equal(
	    parse(&c, err, "--leases", "10.0.0.5=52:55:55:00:00:01", NULL),
	    CFG_ERROR);
	assert_int_equal(
	    parse(&c, err, "--leases", "192.168.5.255=52:55:55:00:00:01", NULL),
	    CFG_ERROR);
	assert_int_equal(
	    parse(&c, err, "--leases", "192.168.5.20=52:55:55:00:00:01", NULL),
	    CFG_OK);
	free(c.statics);
	/* Only user-v2 networks are served from networks.yaml. */
	assert_int_equal(parse(&c, err, "--mode", "bridge", NULL), CFG_ERROR);
	assert_int_equal(parse(&c, err, "--networks", "/nonexistent", NULL),
			 CFG_ERROR);
	assert_int_equal(parse(&c, err, "extra", NULL, NULL), CFG_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
