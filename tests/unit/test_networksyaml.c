/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_networksyaml.c - Lima's networks.yaml: Lima's own example file
 * (user-v2 served, shared/bridged/host returned as such), defaults, YAML
 * spellings, unknown keys (warned with their position, not fatal), and
 * every mistake with its line and column: broken YAML, wrong types, bad
 * addresses, non-contiguous netmasks, dhcpEnd outside the subnet, unknown
 * networks (with the list of those that exist), missing or unknown modes.
 * Each case writes its file into a temporary directory.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/networksyaml.h"
#include "tests/unit/testlib.h"

static char dir[64];
static char path[128];

/* Lima's networks.yaml, as LIMA-FACTS.md quotes it */
static const char lima_example[] =
    "paths: {socketVMNet: /opt/socket_vmnet/bin/socket_vmnet, "
    "varRun: /private/var/run/lima, sudoers: /etc/sudoers.d/lima}\n"
    "group: everyone\n"
    "networks:\n"
    "  user-v2: {mode: user-v2, gateway: 192.168.104.1, "
    "netmask: 255.255.255.0}\n"
    "  shared:  {mode: shared, gateway: 192.168.105.1, "
    "dhcpEnd: 192.168.105.254, netmask: 255.255.255.0}\n"
    "  bridged: {mode: bridged, interface: en0}\n"
    "  host:    {mode: host, gateway: 192.168.106.1, "
    "dhcpEnd: 192.168.106.254, netmask: 255.255.255.0}\n";

/**
 * setup() - a fresh temporary directory for the fixtures
 * @state:	unused
 *
 * Return: 0
 */
static int setup(void **state)
{
	(void)state;
	assert_non_null(tl_mkdtemp(dir, sizeof(dir), "test_networksyaml"));
	snprintf(path, sizeof(path), "%s/networks.yaml", dir);
	return 0;
}

/**
 * teardown() - remove the fixture and its directory
 * @state:	unused
 *
 * Return: 0
 */
static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

/**
 * load() - write @yaml and load network @name from it; the buffer loader
 * must agree with the file loader
 * @yaml:	file contents
 * @name:	network
 * @nw:		result
 * @err:	message buffer, 512 bytes
 *
 * Return: what cfg_networks_load() returned
 */
static int load(const char *yaml, const char *name, struct cfg_network *nw,
		char *err)
{
	struct cfg_network nb;
	char eb[512];
	int r, rb;

	tl_write_file(path, yaml);
	r = cfg_networks_load(path, name, nw, err, 512);
	rb = cfg_networks_load_buffer(path, yaml, strlen(yaml), name, &nb, eb,
				      sizeof(eb));
	assert_int_equal(r, rb);
	if (r)
		assert_string_equal(err, eb);
	else
		assert_memory_equal(nw, &nb, sizeof(nb));
	return r;
}

/**
 * addr() - an address in host order, for comparisons
 * @a:		address
 *
 * Return: ntohl(@a)
 */
static uint32_t addr(struct in_addr a)
{
	return ntohl(a.s_addr);
}

/**
 * ip() - a dotted quad in host order
 * @s:		text
 *
 * Return: the address
 */
static uint32_t ip(const char *s)
{
	return ntohl(tl_ip4(s));
}

/**
 * expect_err() - loading network @name of @yaml fails with
 * "PATH:LINE:COL: ...@what..." and zeroes the result
 * @yaml:	file contents
 * @name:	network
 * @line:	expected line
 * @col:	expected column
 * @what:	expected part of the message
 */
static void expect_err(const char *yaml, const char *name, int line, int col,
		       const char *what)
{
	static const struct cfg_network zero;
	struct cfg_network nw;
	char err[512], pos[600];
	int rc;

	memset(&nw, 0x55, sizeof(nw));
	rc = load(yaml, name, &nw, err);
	if (rc != -1)
		fail_msg("\"%s\": returned %d, want -1", yaml, rc);
	snprintf(pos, sizeof(pos), "%s:%d:%d: ", path, line, col);
	if (strncmp(err, pos, strlen(pos)) || !strstr(err, what))
		fail_msg("got \"%s\", want \"%s...%s\"", err, pos, what);
	if (memcmp(&nw, &zero, sizeof(nw)))
		fail_msg("\"%s\": the result is not zeroed", yaml);
}

/**
 * capture() - load with stderr sent to a file, to see the warnings
 * @yaml:	file contents
 * @name:	network
 * @nw:		result
 * @out:	what was written to stderr
 * @outlen:	its size
 *
 * Return: what cfg_networks_load() returned
 */
static int capture(const char *yaml, const char *name, struct cfg_network *nw,
		   char *out, size_t outlen)
{
	char logpath[160], err[512];
	int fd, saved, r;
	ssize_t k;

	snprintf(logpath, sizeof(logpath), "%s/stderr", dir);
	fd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	tl_write_file(path, yaml);
	r = cfg_networks_load(path, name, nw, err, sizeof(err));
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	k = pread(fd, out, outlen - 1, 0);
	assert_true(k >= 0);
	out[k] = 0;
	close(fd);
	unlink(logpath);
	if (r)
		fail_msg("%s", err);
	return r;
}

/**
 * test_lima_example() - Lima's example networks.yaml: every network with its
 * mode, addresses and interface
 * @state:	unused
 */
static void test_lima_example(void **state)
{
	struct cfg_network nw;
	char err[512];

	(void)state;
	assert_int_equal(load(lima_example, "user-v2", &nw, err), 0);
	assert_int_equal(nw.mode, CFG_NET_USER_V2);
	assert_string_equal(cfg_net_mode_name(nw.mode), "user-v2");
	assert_true(nw.has_subnet);
	assert_int_equal(addr(nw.gateway), ip("192.168.104.1"));
	assert_int_equal(addr(nw.subnet), ip("192.168.104.0"));
	assert_int_equal(addr(nw.netmask), ip("255.255.255.0"));
	assert_int_equal(nw.prefixlen, 24);
	assert_int_equal(addr(nw.dhcp_end), ip("192.168.104.254"));
	assert_string_equal(nw.interface, "");

	assert_int_equal(load(lima_example, "shared", &nw, err), 0);
	assert_int_equal(nw.mode, CFG_NET_SHARED);
	assert_string_equal(cfg_net_mode_name(nw.mode), "shared");
	assert_int_equal(addr(nw.subnet), ip("192.168.105.0"));
	assert_int_equal(nw.prefixlen, 24);
	assert_int_equal(addr(nw.dhcp_end), ip("192.168.105.254"));

	assert_int_equal(load(lima_example, "bridged", &nw, err), 0);
	assert_int_equal(nw.mode, CFG_NET_BRIDGED);
	assert_string_equal(cfg_net_mode_name(nw.mode), "bridged");
	assert_false(nw.has_subnet);
	assert_int_equal(nw.subnet.s_addr, 0);
	assert_int_equal(nw.prefixlen, 0);
	assert_string_equal(nw.interface, "en0");

	assert_int_equal(load(lima_example, "host", &nw, err), 0);
	assert_int_equal(nw.mode, CFG_NET_HOST);
	assert_string_equal(cfg_net_mode_name(nw.mode), "host");
	assert_int_equal(addr(nw.subnet), ip("192.168.106.0"));
	assert_int_equal(addr(nw.dhcp_end), ip("192.168.106.254"));

	assert_string_equal(cfg_net_mode_name((enum cfg_net_mode)0), "?");
}

/**
 * test_lima_template() - Lima's networks.TEMPLATE.yaml, block style, comments
 * and quotes
 * @state:	unused
 */
static void test_lima_template(void **state)
{
	/* block style, comments, quotes, as Lima's networks.TEMPLATE.yaml */
	static const char yaml[] =
	    "# Path to socket_vmnet executable.\n"
	    "paths:\n"
	    "  socketVMNet: \"/opt/socket_vmnet/bin/socket_vmnet\"\n"
	    "  varRun: /private/var/run/lima\n"
	    "  sudoers: /private/etc/sudoers.d/lima\n"
	    "\n"
	    "group: everyone\n"
	    "\n"
	    "networks:\n"
	    "  user-v2:\n"
	    "    mode: user-v2\n"
	    "    gateway: 192.168.104.1\n"
	    "    netmask: 255.255.255.0\n"
	    "  # user-v2 network is experimental network mode\n"
	    "  shared:\n"
	    "    mode: shared\n"
	    "    gateway: '192.168.105.1'\n"
	    "    dhcpEnd: \"192.168.105.254\"\n"
	    "    netmask: 255.255.255.0\n"
	    "  other:\n"
	    "    mode: \"user-v2\"\n"
	    "    gateway: 10.0.0.1\n"
	    "    netmask: 255.255.0.0\n"
	    "    dhcpEnd: 10.0.3.200\n";
	struct cfg_network nw;
	char err[512];

	(void)state;
	assert_int_equal(load(yaml, "user-v2", &nw, err), 0);
	assert_int_equal(nw.mode, CFG_NET_USER_V2);
	assert_int_equal(addr(nw.subnet), ip("192.168.104.0"));
	assert_int_equal(load(yaml, "shared", &nw, err), 0);
	assert_int_equal(nw.mode, CFG_NET_SHARED);
	assert_int_equal(addr(nw.gateway), ip("192.168.105.1"));
	assert_int_equal(load(yaml, "other", &nw, err), 0);
	assert_int_equal(nw.mode, CFG_NET_USER_V2);
	assert_int_equal(addr(nw.subnet), ip("10.0.0.0"));
	assert_int_equal(nw.prefixlen, 16);
	assert_int_equal(addr(nw.dhcp_end), ip("10.0.3.200"));
}

/**
 * test_defaults() - netmask and dhcpEnd default as Lima's do, null values
 * included
 * @state:	unused
 */
static void test_defaults(void **state)
{
	struct cfg_network nw;
	char err[512];

	(void)state;
	/* netmask 255.255.255.0, dhcpEnd .254 */
	assert_int_equal(load("networks:\n  u:\n    mode: user-v2\n"
			      "    gateway: 192.168.107.1\n",
			      "u", &nw, err),
			 0);
	assert_int_equal(addr(nw.netmask), ip("255.255.255.0"));
	assert_int_equal(nw.prefixlen, 24);
	assert_int_equal(addr(nw.subnet), ip("192.168.107.0"));
	assert_int_equal(addr(nw.dhcp_end), ip("192.168.107.254"));

	/* null values keep the defaults */
	assert_int_equal(load("networks:\n  u:\n    mode: user-v2\n"
			      "    gateway: 192.168.107.1\n    netmask: ~\n"
			      "    dhcpEnd:\n    interface: null\n",
			      "u", &nw, err),
			 0);
	assert_int_equal(nw.prefixlen, 24);
	assert_int_equal(addr(nw.dhcp_end), ip("192.168.107.254"));

	/* the default dhcpEnd is the gateway's .254, in a wider subnet too */
	assert_int_equal(load("networks:\n  u:\n    mode: user-v2\n"
			      "    gateway: 10.20.30.1\n"
			      "    netmask: 255.255.0.0\n",
			      "u", &nw, err),
			 0);
	assert_int_equal(addr(nw.subnet), ip("10.20.0.0"));
	assert_int_equal(nw.prefixlen, 16);
	assert_int_equal(addr(nw.dhcp_end), ip("10.20.30.254"));

	/* the gateway only defines the subnet */
	assert_int_equal(load("networks:\n  u:\n    mode: user-v2\n"
			      "    gateway: 172.16.9.200\n"
			      "    netmask: 255.255.255.128\n",
			      "u", &nw, err),
			 0);
	assert_int_equal(addr(nw.gateway), ip("172.16.9.200"));
	assert_int_equal(addr(nw.subnet), ip("172.16.9.128"));
	assert_int_equal(nw.prefixlen, 25);
	assert_int_equal(addr(nw.dhcp_end), ip("172.16.9.254"));
}

/**
 * test_extremes() - the smallest and the largest subnets a mode allows
 * @state:	unused
 */
static void test_extremes(void **state)
{
	struct cfg_network nw;
	char err[512];

	(void)state;
	/* /29: .1 .. .3 are ours, the pool is .4 .. .6 */
	assert_int_equal(load("networks:\n  u:\n    mode: user-v2\n"
			      "    gateway: 192.168.1.249\n"
			      "    netmask: 255.255.255.248\n"
			      "    dhcpEnd: 192.168.1.252\n",
			      "u", &nw, err),
			 0);
	assert_int_equal(addr(nw.subnet), ip("192.168.1.248"));
	assert_int_equal(nw.prefixlen, 29);
	assert_int_equal(addr(nw.dhcp_end), ip("192.168.1.252"));
	/* /8 */
	assert_int_equal(load("networks:\n  u:\n    mode: user-v2\n"
			      "    gateway: 10.0.0.1\n    netmask: 255.0.0.0\n",
			      "u", &nw, err),
			 0);
	assert_int_equal(nw.prefixlen, 8);
	assert_int_equal(addr(nw.dhcp_end), ip("10.0.0.254"));
	/* socket_vmnet modes may be narrower */
	assert_int_equal(load("networks:\n  h:\n    mode: host\n"
			      "    gateway: 192.168.1.1\n"
			      "    netmask: 255.255.255.252\n"
			      "    dhcpEnd: 192.168.1.2\n",
			      "h", &nw, err),
			 0);
	assert_int_equal(nw.prefixlen, 30);
	/* anchors and aliases */
	assert_int_equal(load("networks:\n  a: &n {mode: user-v2, "
			      "gateway: 192.168.9.1}\n  b: *n\n",
			      "b", &nw, err),
			 0);
	assert_int_equal(addr(nw.subnet), ip("192.168.9.0"));
	/* only the first document counts */
	assert_int_equal(load("networks: {u: {mode: user-v2, gateway: "
			      "192.168.9.1}}\n---\nnetworks: 3\n",
			      "u", &nw, err),
			 0);
}

/**
 * test_unknown_keys_warn() - unknown keys are warnings on stderr, not errors
 * @state:	unused
 */
static void test_unknown_keys_warn(void **state)
{
	static const char yaml[] = "vdeSwitch: /opt/vde/bin/vde_switch\n"
				   "networks:\n"
				   "  user-v2:\n"
				   "    mode: user-v2\n"
				   "    gateway: 192.168.104.1\n"
				   "    mtu: 9000\n"
				   "  shared:\n"
				   "    mode: shared\n"
				   "    gateway: 192.168.105.1\n"
				   "    color: blue\n";
	struct cfg_network nw;
	char out[2048], want[256];

	(void)state;
	assert_int_equal(capture(yaml, "user-v2", &nw, out, sizeof(out)), 0);
	assert_int_equal(nw.mode, CFG_NET_USER_V2);
	assert_int_equal(addr(nw.subnet), ip("192.168.104.0"));
	snprintf(want, sizeof(want), "%s:1:1: unknown key vdeSwitch ignored",
		 path);
	if (!strstr(out, want))
		fail_msg("no \"%s\" in \"%s\"", want, out);
	snprintf(want, sizeof(want),
		 "%s:6:5: unknown key networks.user-v2.mtu ignored", path);
	if (!strstr(out, want))
		fail_msg("no \"%s\" in \"%s\"", want, out);
	snprintf(want, sizeof(want),
		 "%s:10:5: unknown key networks.shared.color ignored", path);
	if (!strstr(out, want))
		fail_msg("no \"%s\" in \"%s\"", want, out);
	/* paths belongs to socket_vmnet: not read, no warnings */
	assert_int_equal(capture("paths: {anything: 1, vdeVMNet: x}\n"
				 "networks: {u: {mode: user-v2, "
				 "gateway: 192.168.104.1}}\n",
				 "u", &nw, out, sizeof(out)),
			 0);
	assert_null(strstr(out, "unknown"));
}

/**
 * test_syntax_errors() - YAML syntax errors fail with libyaml's message and
 * position
 * @state:	unused
 */
static void test_syntax_errors(void **state)
{
	(void)state;
	/* a tab is not indentation */
	expect_err("networks:\n\tuser-v2: {}\n", "user-v2", 2, 1,
		   "found character that cannot start any token");
	/* unclosed flow mapping */
	expect_err("networks:\n  user-v2: {mode: user-v2,\n", "user-v2", 3, 1,
		   "did not find expected");
	/* bad indentation */
	expect_err("networks:\n  a:\n    mode: user-v2\n   gateway: 1.2.3.4\n",
		   "a", 4, 4, "did not find expected key");
	/* an unknown alias */
	expect_err("networks:\n  a: *nowhere\n", "a", 2, 6,
		   "found undefined alias");
	/* not UTF-8 */
	expect_err("networks:\n  \xff: {}\n", "a", 2, 3, "invalid");
	/* a control character after a multi-byte one: columns count those */
	expect_err("group: \xc3\xa9v\x01ryone\n", "a", 1, 10,
		   "control characters are not allowed");
}

/**
 * test_type_errors() - a value of the wrong type, a key that is not a string or
 * a key given twice fails with its position
 * @state:	unused
 */
static void test_type_errors(void **state)
{
	static const struct {
		const char *yaml;
		const char *name;
		int line;
		int col;
		const char *what;
	} rows[] = {
	    {"- networks\n", "u", 1, 1, "expected a mapping"},
	    {"paths: /opt\nnetworks: {}\n", "u", 1, 8,
	     "paths: expected a mapping"},
	    {"group: [a, b]\n", "u", 1, 8, "group: expected a string"},
	    {"networks: user-v2\n", "user-v2", 1, 11,
	     "networks: expected a mapping"},
	    {"networks:\n  - user-v2\n", "user-v2", 2, 3,
	     "networks: expected a mapping"},
	    {"networks:\n  u: user-v2\n", "u", 2, 6,
	     "networks.u: expected a mapping"},
	    {"networks:\n  u: {mode: [user-v2]}\n", "u", 2, 13,
	     "networks.u.mode: expected a string"},
	    {"networks:\n  u: {mode: user-v2, interface: {a: b}}\n", "u", 2, 33,
	     "networks.u.interface: expected a string"},
	    {"networks:\n  u: {mode: user-v2, gateway: [1]}\n", "u", 2, 31,
	     "networks.u.gateway: expected an IPv4 address"},
	    {"networks:\n  u: {mode: \"user\\0v2\"}\n", "u", 2, 13,
	     "networks.u.mode: expected a string"},
	    {"networks:\n  ? [u]\n  : {mode: user-v2}\n", "u", 2, 5,
	     "networks: a network name must be a string"},
	    {"networks:\n  u: {? [mode]: user-v2}\n", "u", 2, 9,
	     "networks.u: a key must be a string"},
	    {"? {a: b}\n: 1\n", "u", 1, 3, "a key must be a string"},
	    /* duplicates */
	    {"networks: {}\nnetworks: {}\n", "u", 2, 1,
	     "networks: defined twice (first at line 1)"},
	    {"networks:\n  u: {mode: user-v2}\n  u: {mode: host}\n", "u", 3, 3,
	     "networks.u: defined twice (first at line 2)"},
	    {"networks:\n  u:\n    mode: user-v2\n    mode: host\n", "u", 4, 5,
	     "networks.u.mode: defined twice (first at line 3)"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		expect_err(rows[i].yaml, rows[i].name, rows[i].line,
			   rows[i].col, rows[i].what);
}

/**
 * test_address_errors() - bad addresses, netmasks and dhcpEnd values fail with
 * their position
 * @state:	unused
 */
static void test_address_errors(void **state)
{
	static const struct {
		const char *yaml;
		const char *name;
		int line;
		int col;
		const char *what;
	} rows[] = {
	    {"networks:\n  u: {mode: user-v2, gateway: 192.168.104.300}\n", "u",
	     2, 31,
	     "networks.u.gateway: \"192.168.104.300\" is not an IPv4 "
	     "address"},
	    {"networks:\n  u: {mode: user-v2, gateway: 'fd00::1'}\n", "u", 2,
	     31, "is not an IPv4 address"},
	    {"networks:\n  u: {mode: user-v2, gateway: 192.168.104.1, "
	     "netmask: 24}\n",
	     "u", 2, 55, "networks.u.netmask: \"24\" is not an IPv4 address"},
	    {"networks:\n  u: {mode: user-v2, gateway: 192.168.104.1, "
	     "dhcpEnd: 192.168.104}\n",
	     "u", 2, 55, "networks.u.dhcpEnd: \"192.168.104\" is not"},
	    {"networks:\n  u: {mode: user-v2, gateway: 127.0.0.1}\n", "u", 2,
	     31, "127.0.0.1 is not a unicast address"},
	    {"networks:\n  u: {mode: user-v2, gateway: 224.1.1.1}\n", "u", 2,
	     31, "224.1.1.1 is not a unicast address"},
	    /* netmasks */
	    {"networks:\n  u:\n    mode: user-v2\n"
	     "    gateway: 192.168.104.1\n    netmask: 255.0.255.0\n",
	     "u", 5, 14,
	     "networks.u.netmask: 255.0.255.0 is not a contiguous netmask"},
	    {"networks:\n  u:\n    mode: user-v2\n"
	     "    gateway: 192.168.104.1\n    netmask: 255.255.255.252\n",
	     "u", 5, 14,
	     "(/30) is out of range: a user-v2 network needs /8 "
	     "to /29"},
	    {"networks:\n  u:\n    mode: user-v2\n"
	     "    gateway: 10.0.0.1\n    netmask: 254.0.0.0\n",
	     "u", 5, 14, "(/7) is out of range"},
	    {"networks:\n  u:\n    mode: shared\n"
	     "    gateway: 10.0.0.1\n    netmask: 255.255.255.255\n",
	     "u", 5, 14,
	     "(/32) is out of range: a shared network needs /1 "
	     "to /30"},
	    {"networks:\n  u:\n    mode: host\n"
	     "    gateway: 10.0.0.1\n    netmask: 0.0.0.0\n",
	     "u", 5, 14, "(/0) is out of range"},
	    /* dhcpEnd */
	    {"networks:\n  u:\n    mode: user-v2\n"
	     "    gateway: 192.168.104.1\n    dhcpEnd: 192.168.105.10\n",
	     "u", 5, 14,
	     "networks.u.dhcpEnd: 192.168.105.10 is outside the subnet "
	     "192.168.104.0/24"},
	    {"networks:\n  u:\n    mode: user-v2\n"
	     "    gateway: 192.168.104.1\n    dhcpEnd: 192.168.104.255\n",
	     "u", 5, 14, "is outside the subnet"},
	    {"networks:\n  u:\n    mode: shared\n"
	     "    gateway: 192.168.104.1\n    dhcpEnd: 192.168.104.0\n",
	     "u", 5, 14, "is outside the subnet"},
	    {"networks:\n  u:\n    mode: user-v2\n"
	     "    gateway: 192.168.104.1\n    dhcpEnd: 192.168.104.3\n",
	     "u", 5, 14,
	     "networks.u.dhcpEnd: 192.168.104.3 leaves no address to hand "
	     "out (the pool starts at 192.168.104.4)"},
	    /* the default .254 is not in the lower half of a /25 */
	    {"networks:\n  u:\n    mode: user-v2\n"
	     "    gateway: 192.168.104.1\n    netmask: 255.255.255.128\n",
	     "u", 5, 14,
	     "networks.u: dhcpEnd defaults to 192.168.104.254 (the gateway "
	     "with last byte 254), which is outside the subnet "
	     "192.168.104.0/25: set dhcpEnd"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		expect_err(rows[i].yaml, rows[i].name, rows[i].line,
			   rows[i].col, rows[i].what);
}

/**
 * test_network_errors() - a network the file does not define, or one with a
 * missing or unknown mode, fails naming what is there
 * @state:	unused
 */
static void test_network_errors(void **state)
{
	(void)state;
	expect_err(lima_example, "user-v3", 3, 1,
		   "network \"user-v3\" is not defined (defined: user-v2, "
		   "shared, bridged, host)");
	expect_err("networks: {}\n", "u", 1, 1,
		   "network \"u\" is not defined (the file defines no "
		   "networks)");
	expect_err("networks:\n", "u", 1, 1,
		   "network \"u\" is not defined (the file defines no "
		   "networks)");
	expect_err("group: everyone\n", "u", 1, 1,
		   "(the file defines no networks)");
	expect_err("networks:\n  u:\n", "u", 2, 3,
		   "networks.u: mode missing (user-v2, shared, bridged or "
		   "host)");
	expect_err("networks:\n  u: {gateway: 192.168.104.1}\n", "u", 2, 3,
		   "networks.u: mode missing");
	expect_err("networks:\n  u: {mode: ''}\n", "u", 2, 3,
		   "networks.u: mode missing");
	expect_err(
	    "networks:\n  u: {mode: user-v1}\n", "u", 2, 13,
	    "networks.u.mode: unknown mode \"user-v1\" (user-v2, shared, "
	    "bridged or host)");
	expect_err("networks:\n  u: {mode: User-V2}\n", "u", 2, 13,
		   "unknown mode \"User-V2\"");
	expect_err("networks:\n  u: {mode: user-v2, netmask: 255.255.0.0}\n",
		   "u", 2, 3,
		   "networks.u: gateway missing (a user-v2 network needs one");
	expect_err("networks:\n  s: {mode: shared}\n", "s", 2, 3,
		   "networks.s: gateway missing (a shared network needs one");
	expect_err(
	    "networks:\n  u: {mode: bridged, interface: "
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
	    "abcd}\n",
	    "u", 2, 33, "networks.u.interface: name too long");
}

/**
 * test_other_networks() - what Lima's decoder refuses fails in any network;
 * usernetd's own checks apply only to the network asked for
 * @state:	unused
 */
static void test_other_networks(void **state)
{
	struct cfg_network nw;
	char err[512];

	(void)state;
	/* what Lima's decoder refuses is an error anywhere */
	expect_err("networks:\n  u: {mode: user-v2, gateway: 192.168.104.1}\n"
		   "  s: {mode: shared, gateway: 192.168.105.x}\n",
		   "u", 3, 30, "networks.s.gateway: \"192.168.105.x\"");
	expect_err("networks:\n  u: {mode: user-v2, gateway: 192.168.104.1}\n"
		   "  s: [mode, shared]\n",
		   "u", 3, 6, "networks.s: expected a mapping");
	/* usernetd's own checks apply to the network asked for only */
	assert_int_equal(load("networks:\n"
			      "  u: {mode: user-v2, gateway: 192.168.104.1}\n"
			      "  s: {mode: shared, gateway: 192.168.105.1, "
			      "dhcpEnd: 10.0.0.1, netmask: 255.0.255.0}\n"
			      "  x: {mode: vde}\n  y:\n",
			      "u", &nw, err),
			 0);
	assert_int_equal(addr(nw.subnet), ip("192.168.104.0"));
}

/**
 * test_file_errors() - a missing file, a directory and empty documents fail
 * with the path
 * @state:	unused
 */
static void test_file_errors(void **state)
{
	struct cfg_network nw;
	char err[512], want[256];

	(void)state;
	unlink(path);
	assert_int_equal(cfg_networks_load(path, "u", &nw, err, sizeof(err)),
			 -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
	assert_int_equal(cfg_networks_load(dir, "u", &nw, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, dir));
	/* empty files and documents */
	assert_int_equal(load("", "u", &nw, err), -1);
	snprintf(want, sizeof(want),
		 "%s: network \"u\" is not defined (the file is empty)", path);
	assert_string_equal(err, want);
	assert_int_equal(load("# nothing\n---\n", "u", &nw, err), -1);
	assert_string_equal(err, want);
	/* a short buffer truncates, never overflows */
	tl_write_file(path, "networks:\n  u: {mode: user-v1}\n");
	memset(err, 'x', sizeof(err));
	assert_int_equal(cfg_networks_load(path, "u", &nw, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(err[8], 'x');
	assert_int_equal(cfg_networks_load(path, "u", &nw, err, 0), -1);
	assert_int_equal(cfg_networks_load_buffer("mem", NULL, 0, "u", &nw, err,
						  sizeof(err)),
			 -1);
	assert_string_equal(err,
			    "mem: network \"u\" is not defined (the file is "
			    "empty)");
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
	    cmocka_unit_test_setup_teardown(test_lima_example, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lima_template, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_extremes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_keys_warn, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_syntax_errors, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_type_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_address_errors, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_network_errors, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_other_networks, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
