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
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "daemon/options.h"
#include "packet/dhcp.h"
#include "tests/unit/testlib.h"
/**
 * parse() - cfg_parse_args() on "usernetd" and up to three arguments
 * @c:		the result
 * @err:	message buffer, 256 bytes
 * @a1:		first argument or NULL
 * @a2:		second argument or NULL (only after @a1)
 * @a3:		third argument or NULL (only after @a2)
 *
 * Return: what cfg_parse_args() returned
 */
static int parse(struct cfg *c, char *err, const char *a1, const char *a2,
		 const char *a3)
{
	char *argv[5] = {"usernetd", (char *)a1, (char *)a2, (char *)a3, NULL};
	int argc = 1 + !!a1 + !!a2 + !!a3;

	return cfg_parse_args(c, argc, argv, err, 256);
}

/**
 * test_defaults() - without arguments: Lima's slirp network, 192.168.5.0/24,
 * MTU 1500, nothing to listen on
 * @state:	unused
 */
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

/**
 * test_values() - --subnet, --mtu, --forward and the other options take their
 * values
 * @state:	unused
 */
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

/**
 * struct fwd_row - a --forward value and what it parses to
 * @text:	the value
 * @udp:	1 for udp
 * @hfam:	family of the host address
 * @haddr:	host address text
 * @hport:	host port
 * @gaddr:	guest address text (the unspecified one when left out)
 * @gport:	guest port
 */
struct fwd_row {
	const char *text;
	int udp;
	int hfam;
	const char *haddr;
	uint16_t hport;
	const char *gaddr;
	uint16_t gport;
};

/**
 * family_of() - the family of an address text
 * @text:	IPv4 or IPv6 address
 *
 * Return: AF_INET6 if it has a colon, else AF_INET
 */
static int family_of(const char *text)
{
	return strchr(text, ':') ? AF_INET6 : AF_INET;
}

/**
 * addr_is() - is a parsed forward address the one of @text?
 * @a:		the address
 * @fam:	the family it must have
 * @text:	its text, of @fam
 *
 * Return: 1 if so, else 0
 */
static int addr_is(const struct gw_addr *a, int fam, const char *text)
{
	struct in6_addr x6;
	struct in_addr x4;

	if (a->family != fam)
		return 0;
	if (fam == AF_INET6)
		return inet_pton(AF_INET6, text, &x6) == 1 &&
		       !memcmp(&a->v6, &x6, sizeof(x6));
	return inet_pton(AF_INET, text, &x4) == 1 && a->v4.s_addr == x4.s_addr;
}

/**
 * test_forward() - --forward takes IPv4 and bracketed IPv6 addresses, of
 * one family or two (no guest address is the first guest's IPv4 one), and
 * refuses the malformed ones with a message naming the fault
 * @state:	unused
 */
static void test_forward(void **state)
{
	static const struct fwd_row ok[] = {
	    {"tcp:127.0.0.1:2222:22", 0, AF_INET, "127.0.0.1", 2222, "0.0.0.0",
	     22},
	    {"udp:0.0.0.0:53:192.168.5.15:5353", 1, AF_INET, "0.0.0.0", 53,
	     "192.168.5.15", 5353},
	    {"tcp:[::1]:2222:22", 0, AF_INET6, "::1", 2222, "0.0.0.0", 22},
	    {"tcp:127.0.0.1:2222:[fd12:3456:789a:1::a]:22", 0, AF_INET,
	     "127.0.0.1", 2222, "fd12:3456:789a:1::a", 22},
	    {"tcp:[::]:8080:192.168.5.15:80", 0, AF_INET6, "::", 8080,
	     "192.168.5.15", 80},
	    {"udp:127.0.0.1:5353:[fd00::1]:53", 1, AF_INET, "127.0.0.1", 5353,
	     "fd00::1", 53},
	    {"udp:[::1]:53:5353", 1, AF_INET6, "::1", 53, "0.0.0.0", 5353},
	    {"tcp:[::1]:2222:[fec0::5055:55ff:fe12:3456]:22", 0, AF_INET6,
	     "::1", 2222, "fec0::5055:55ff:fe12:3456", 22},
	    {"udp:[::]:5353:[fd12:3456:789a:1::a]:53", 1, AF_INET6, "::", 5353,
	     "fd12:3456:789a:1::a", 53},
	};
	static const struct {
		const char *text;
		const char *why; /* a part of the message */
	} bad[] = {
	    {"tcp:[::1:2222:22", "without its ']'"},
	    {"tcp:::1:2222:22", "brackets"},
	    {"tcp:::1:2222:[fd00::1]:22", "brackets"},
	    {"tcp:[::1]:2222:fd00::1:22", "brackets"},
	    {"tcp:[fe80::1%eth0]:2222:22", "zone"},
	    {"tcp:[::1]:2222:[fe80::5%lo]:22", "zone"},
	    {"tcp:[::1]x:2222:22", "without its ']'"},
	    {"tcp:[127.0.0.1]:2222:22", "not an IPv6 address"},
	    {"tcp:[]:2222:22", "not an IPv6 address"},
	    {"tcp::2222:22", "no address"},
	    {"tcp:[::1]:0:22", "1 to 65535"},
	    {"tcp:[::1]:2222", "too few"},
	};
	struct net_forward f;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (cfg_parse_forward(ok[i].text, &f, err, sizeof(err)))
			fail_msg("%s: %s", ok[i].text, err);
		assert_int_equal(f.udp, ok[i].udp);
		assert_true(addr_is(&f.haddr, ok[i].hfam, ok[i].haddr));
		assert_true(
		    addr_is(&f.gaddr, family_of(ok[i].gaddr), ok[i].gaddr));
		assert_int_equal(f.hport, ok[i].hport);
		assert_int_equal(f.gport, ok[i].gport);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (!cfg_parse_forward(bad[i].text, &f, err, sizeof(err)))
			fail_msg("%s: accepted", bad[i].text);
		if (!strstr(err, bad[i].why) || !strstr(err, bad[i].text))
			fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].text,
				 err, bad[i].why);
	}
}

/**
 * test_errors() - bad option values are refused with a message
 * @state:	unused
 */
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
	/* Duplicates stay an error, within one --leases or across two. */
	assert_int_equal(parse(&c, err, "--leases",
			       "192.168.5.20=52:55:55:00:00:01,"
			       "192.168.5.20=52:55:55:00:00:02",
			       NULL),
			 CFG_ERROR);
	assert_int_equal(parse(&c, err, "--leases",
			       "192.168.5.20=52:55:55:00:00:01,"
			       "192.168.5.21=52:55:55:00:00:01",
			       NULL),
			 CFG_ERROR);
	/* Only user-v2 networks are served from networks.yaml. */
	assert_int_equal(parse(&c, err, "--mode", "bridge", NULL), CFG_ERROR);
	assert_int_equal(parse(&c, err, "--networks", "/nonexistent", NULL),
			 CFG_ERROR);
	assert_int_equal(parse(&c, err, "extra", NULL, NULL), CFG_ERROR);
}

/**
 * test_ipv6() - IPv6 is on by default with QEMU's fec0::/64; --ipv6-prefix
 * takes a unicast /64 and refuses the rest; --no-ipv6 turns it off; a
 * user-v2 network gets a unique-local /64 from its name, the same every
 * time, and --ipv6-prefix still wins
 * @state:	unused
 */
static void test_ipv6(void **state)
{
	static const char *good[][2] = {
	    {"fd00:1:2:3::/64", "fd00:1:2:3::"},
	    {"2001:db8::", "2001:db8::"},
	};
	static const char *bad[] = {
	    "fd00::/48", "fd00::1/64", "fe80::",   "ff02::",	     "::",
	    "fd00::/",	 "nonsense",   "10.0.0.0", "fd00:1:2:3:4::",
	};
	char err[256], a[INET6_ADDRSTRLEN];
	struct in6_addr p1, p2, p3;
	struct cfg c;
	size_t i;

	(void)state;
	assert_int_equal(parse(&c, err, NULL, NULL, NULL), CFG_OK);
	assert_true(c.net.ip6);
	assert_string_equal(inet_ntop(AF_INET6, &c.net.prefix6, a, sizeof(a)),
			    "fec0::");
	assert_int_equal(parse(&c, err, "--no-ipv6", NULL, NULL), CFG_OK);
	assert_false(c.net.ip6);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(
		    parse(&c, err, "--ipv6-prefix", good[i][0], NULL), CFG_OK);
		assert_string_equal(
		    inet_ntop(AF_INET6, &c.net.prefix6, a, sizeof(a)),
		    good[i][1]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(&c, err, "--ipv6-prefix", bad[i], NULL),
				 CFG_ERROR);
		assert_non_null(strstr(err, bad[i]));
	}

	cfg_ula_prefix("user-v2", &p1);
	cfg_ula_prefix("user-v2", &p2);
	cfg_ula_prefix("shared", &p3);
	assert_memory_equal(&p1, &p2, sizeof(p1));
	assert_memory_not_equal(&p1, &p3, sizeof(p1));
	assert_int_equal(p1.s6_addr[0], 0xfd);
	for (i = 6; i < 16; i++)
		assert_int_equal(p1.s6_addr[i], 0);
	/* user-v2 without networks.yaml: Lima's default network, user-v2 */
	assert_int_equal(parse(&c, err, "--mode", "user-v2", NULL), CFG_OK);
	assert_memory_equal(&c.net.prefix6, &p1, sizeof(p1));
	assert_int_equal(parse(&c, err, "--mode", "user-v2", "--no-ipv6"),
			 CFG_OK);
	assert_false(c.net.ip6);
}

/* A lease set as gvisor-tap-vsock lists it and Lima passes it back. */
#define GVISOR_LEASES                                                          \
	"192.168.104.1=52:55:55:00:00:01,192.168.104.2=5a:94:ef:e4:0c:dd,"     \
	"192.168.104.3=52:55:55:00:00:03,192.168.105.7=52:55:55:00:00:07,"     \
	"192.168.104.0=52:55:55:00:00:08,192.168.104.255=52:55:55:00:00:09,"   \
	"192.168.104.9=52:55:55:00:00:0a"

/**
 * test_statics_tolerated() - static leases the network cannot honour are
 * skipped, not fatal.
 * @state:	unused
 */
static void test_statics_tolerated(void **state)
{
	char *argv[] = {
	    "usernetd",		"--mode",   "user-v2",	   "--subnet",
	    "192.168.104.0/24", "--leases", GVISOR_LEASES, NULL};
	char err[256];
	struct cfg c;

	(void)state;
	assert_int_equal(cfg_parse_args(&c, 7, argv, err, sizeof(err)), CFG_OK);
	/* .1 and .9 kept: gateway, .3, other subnet, network, broadcast not */
	assert_int_equal(c.net.nstatics, 2);
	assert_int_equal(c.net.statics_skipped, 5);
	assert_ptr_equal(c.net.statics, c.statics);
	assert_string_equal(inet_ntoa(c.statics[0].ip), "192.168.104.1");
	assert_int_equal(c.statics[0].mac[5], 0x01);
	assert_string_equal(inet_ntoa(c.statics[1].ip), "192.168.104.9");
	cfg_free(&c);
	/* given twice, --leases adds (Go's StringToString merges) */
	assert_int_equal(parse(&c, err, "--leases",
			       "192.168.5.20=52:55:55:00:00:01",
			       "--leases=192.168.5.21=52:55:55:00:00:02"),
			 CFG_OK);
	assert_int_equal(c.net.nstatics, 2);
	cfg_free(&c);
}

/**
 * test_usernet_argv() - Lima's own argv for `limactl usernet`, every spelling
 * pflag takes.
 * @state:	unused
 */
static void test_usernet_argv(void **state)
{
	char *lima[] = {"usernetd",
			"usernet",
			"-p",
			"/l/_networks/n/usernet_n.pid",
			"-e",
			"/l/_networks/n/n_ep.sock",
			"--listen-qemu",
			"/l/_networks/n/n_qemu.sock",
			"--listen",
			"/l/_networks/n/n_fd.sock",
			"--subnet",
			"192.168.104.0/24",
			"--leases",
			"192.168.104.1=52:55:55:00:00:01,"
			"192.168.104.2=5a:94:ef:e4:0c:dd",
			NULL};
	char *go[] = {"usernetd",
		      "usernet",
		      "-p=/run/u.pid",
		      "-e/run/ep.sock",
		      "-listen-qemu",
		      "/run/q.sock",
		      "-listen=/run/fd.sock",
		      "--subnet=10.9.0.0/16",
		      "-mtu",
		      "9000",
		      "-leases",
		      "10.9.0.10=52:55:55:00:00:0a",
		      NULL};
	char *dflt[] = {"usernetd", "usernet", NULL};
	char *bad[][4] = {
	    {"usernetd", "usernet", "extra", NULL},
	    {"usernetd", "usernet", "-bogus", NULL},
	    {"usernetd", "usernet", "--mtu", "abc"},
	    {"usernetd", "usernet", "--", "-p"},
	};
	char err[256];
	struct cfg c;
	size_t i;

	(void)state;
	assert_int_equal(cfg_parse_args(&c, 14, lima, err, sizeof(err)),
			 CFG_OK);
	assert_true(c.net.user_v2);
	assert_string_equal(c.pidfile, "/l/_networks/n/usernet_n.pid");
	assert_string_equal(c.endpoint, "/l/_networks/n/n_ep.sock");
	assert_string_equal(c.listen_qemu, "/l/_networks/n/n_qemu.sock");
	assert_string_equal(c.listen_fd, "/l/_networks/n/n_fd.sock");
	assert_string_equal(inet_ntoa(c.net.subnet), "192.168.104.0");
	assert_int_equal(c.net.prefix, 24);
	assert_int_equal(c.net.mtu, 1500);
	assert_int_equal(c.net.nstatics, 1); /* the gateway's is skipped */
	cfg_free(&c);

	assert_int_equal(cfg_parse_args(&c, 12, go, err, sizeof(err)), CFG_OK);
	assert_string_equal(c.pidfile, "/run/u.pid");
	assert_string_equal(c.endpoint, "/run/ep.sock");
	assert_string_equal(c.listen_qemu, "/run/q.sock");
	assert_string_equal(c.listen_fd, "/run/fd.sock");
	assert_string_equal(inet_ntoa(c.net.subnet), "10.9.0.0");
	assert_int_equal(c.net.prefix, 16);
	assert_int_equal(c.net.mtu, 9000);
	assert_int_equal(c.net.nstatics, 1);
	cfg_free(&c);

	/* Lima's defaults: 192.168.5.0/24, MTU 1500, shared by all VMs */
	assert_int_equal(cfg_parse_args(&c, 2, dflt, err, sizeof(err)), CFG_OK);
	assert_true(c.net.user_v2);
	assert_string_equal(inet_ntoa(c.net.subnet), "192.168.5.0");
	assert_int_equal(c.net.mtu, 1500);
	cfg_free(&c);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(cfg_parse_args(&c, bad[i][3] ? 4 : 3, bad[i],
						err, sizeof(err)),
				 CFG_ERROR);
		assert_true(strlen(err) > 0);
	}
}

/**
 * test_lima_network() - --lima-network: Lima's paths, networks.yaml and
 * leases.json.
 * @state:	unused
 */
static void test_lima_network(void **state)
{
	char home[] = "/tmp/test_options.XXXXXX", path[512], err[512];
	char *argv[] = {"usernetd", "--lima-network", "shared2", NULL};
	char *dflt[] = {"usernetd", "--lima-network", "user-v2", NULL};
	char *bad[] = {"usernetd", "--lima-network", "../x", NULL};
	char *both[] = {"usernetd", "--lima-network", "user-v2", "-p", "/x",
			NULL};
	struct in6_addr ula;
	struct cfg c;

	(void)state;
	assert_non_null(mkdtemp(home));
	setenv("LIMA_HOME", home, 1);

	/* no networks.yaml yet: Lima's default user-v2 network */
	assert_int_equal(cfg_parse_args(&c, 3, dflt, err, sizeof(err)), CFG_OK);
	assert_string_equal(inet_ntoa(c.net.subnet), "192.168.104.0");
	assert_int_equal(c.net.prefix, 24);
	assert_true(c.net.user_v2);
	snprintf(path, sizeof(path), "%s/_networks/user-v2/usernet_user-v2.pid",
		 home);
	assert_string_equal(c.pidfile, path);
	snprintf(path, sizeof(path), "%s/_networks/user-v2/user-v2_fd.sock",
		 home);
	assert_string_equal(c.listen_fd, path);
	cfg_free(&c);
	assert_int_equal(cfg_parse_args(&c, 3, argv, err, sizeof(err)),
			 CFG_ERROR);
	assert_non_null(strstr(err, "shared2"));

	snprintf(path, sizeof(path), "%s/_config", home);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/_config/networks.yaml", home);
	tl_write_file(path, "networks:\n"
			    "  shared2:\n"
			    "    mode: user-v2\n"
			    "    gateway: 10.77.0.1\n"
			    "    netmask: 255.255.252.0\n");
	/* gvisor-tap-vsock's list as Lima saves it: json.Encoder, a newline */
	snprintf(path, sizeof(path), "%s/_networks/shared2", home);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/_networks/shared2/leases.json", home);
	tl_write_file(path, "{\"10.77.0.1\":\"52:55:55:00:00:01\","
			    "\"10.77.0.2\":\"5a:94:ef:e4:0c:dd\","
			    "\"10.77.0.3\":\"52:55:55:00:00:03\","
			    "\"192.168.1.4\":\"52:55:55:00:00:04\"}\n");
	assert_int_equal(cfg_parse_args(&c, 3, argv, err, sizeof(err)), CFG_OK);
	assert_string_equal(inet_ntoa(c.net.subnet), "10.77.0.0");
	assert_int_equal(c.net.prefix, 22);
	cfg_ula_prefix("shared2", &ula);
	assert_memory_equal(&c.net.prefix6, &ula, sizeof(ula));
	snprintf(path, sizeof(path), "%s/_networks/shared2/shared2_ep.sock",
		 home);
	assert_string_equal(c.endpoint, path);
	snprintf(path, sizeof(path), "%s/_networks/shared2/shared2_qemu.sock",
		 home);
	assert_string_equal(c.listen_qemu, path);
	assert_int_equal(c.net.nstatics, 1);
	assert_string_equal(inet_ntoa(c.statics[0].ip), "10.77.0.1");
	cfg_free(&c);

	/* a leases.json that cannot be read: warned about, not fatal */
	tl_write_file(path, "{");
	snprintf(path, sizeof(path), "%s/_networks/shared2/leases.json", home);
	tl_write_file(path, "{\"10.77.0.9\":");
	assert_int_equal(cfg_parse_args(&c, 3, argv, err, sizeof(err)), CFG_OK);
	assert_int_equal(c.net.nstatics, 0);
	cfg_free(&c);

	/* no user-v2 network with a gateway: Lima's default user-v2 */
	snprintf(path, sizeof(path), "%s/_config/networks.yaml", home);
	tl_write_file(path, "networks:\n  user-v2:\n    mode: user-v2\n");
	assert_int_equal(cfg_parse_args(&c, 3, dflt, err, sizeof(err)), CFG_OK);
	assert_string_equal(inet_ntoa(c.net.subnet), "192.168.104.0");
	cfg_free(&c);
	assert_int_equal(cfg_parse_args(&c, 3, argv, err, sizeof(err)),
			 CFG_ERROR);

	assert_int_equal(cfg_parse_args(&c, 3, bad, err, sizeof(err)),
			 CFG_ERROR);
	assert_int_equal(cfg_parse_args(&c, 5, both, err, sizeof(err)),
			 CFG_ERROR);
	unsetenv("LIMA_HOME");
	assert_int_equal(tl_rm_rf(home), 0);
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
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_forward),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_statics_tolerated),
	    cmocka_unit_test(test_usernet_argv),
	    cmocka_unit_test(test_lima_network),
	    cmocka_unit_test(test_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
