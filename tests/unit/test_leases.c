/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_leases.c - the lease file (Lima's leases.json) and `--leases`:
 * Lima's format read in file order, missing/empty/null files, malformed
 * JSON with jansson's line and column, bad and duplicate entries, the
 * strict command line parser, and the atomic save: exact text, mode 0600,
 * no temporary file left behind, the old file intact when a write fails
 * (file size limit) or the rename fails, round trips.
 * Fixtures live in a temporary directory.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lan/leases.h"
#include "tests/unit/testlib.h"

static char dir[64];
static char path[128];

/**
 * setup() - a fresh temporary directory; path[] names leases.json in it
 * @state:	unused
 *
 * Return: 0
 */
static int setup(void **state)
{
	(void)state;
	assert_non_null(tl_mkdtemp(dir, sizeof(dir), "test_leases"));
	snprintf(path, sizeof(path), "%s/leases.json", dir);
	return 0;
}

/**
 * teardown() - remove everything in the directory, then the directory
 * @state:	unused
 *
 * Return: 0
 */
static int teardown(void **state)
{
	char p[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p))
			rmdir(p);
	}
	closedir(d);
	assert_int_equal(rmdir(dir), 0);
	return 0;
}

/**
 * slurp() - the contents of path[]
 * @buf:	destination
 * @len:	its size
 */
static void slurp(char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t k;

	assert_non_null(f);
	k = fread(buf, 1, len - 1, f);
	buf[k] = 0;
	fclose(f);
}

/**
 * entries() - number of directory entries besides . and ..
 *
 * Return: the count
 */
static int entries(void)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/**
 * lease() - build a lease
 * @ip:		dotted quad
 * @m5:		last byte of the MAC 52:55:55:12:34:xx
 *
 * Return: the lease
 */
static struct dhcp_static_lease lease(const char *ip, uint8_t m5)
{
	struct dhcp_static_lease l = {.mac = {0x52, 0x55, 0x55, 0x12, 0x34, 0}};

	assert_int_equal(inet_pton(AF_INET, ip, &l.ip), 1);
	l.mac[5] = m5;
	return l;
}

/**
 * same() - two leases are equal
 * @a:		one
 * @b:		the other
 *
 * Return: 1 if they are
 */
static int same(const struct dhcp_static_lease *a,
		const struct dhcp_static_lease *b)
{
	return a->ip.s_addr == b->ip.s_addr && !memcmp(a->mac, b->mac, 6);
}

/**
 * load_err() - loading @text from path[] fails with "PATH@pos..@what.."
 * @text:	file contents
 * @pos:	what follows the path, e.g. ":1:5: " or ": "
 * @what:	part of the message
 */
static void load_err(const char *text, const char *pos, const char *what)
{
	struct dhcp_static_lease *l = (void *)1;
	char err[256], want[256];
	size_t n = 7;
	int rc;

	tl_write_file(path, text);
	rc = leases_load(path, &l, &n, err, sizeof(err));
	if (rc != -1 || l || n)
		fail_msg(
		    "\"%s\": returned %d with %zu leases, want -1 and none",
		    text, rc, n);
	snprintf(want, sizeof(want), "%s%s", path, pos);
	if (strncmp(err, want, strlen(want)) || !strstr(err, what))
		fail_msg("got \"%s\", want \"%s...%s\"", err, want, what);
	/* the buffer reader says the same */
	l = (void *)1;
	rc = leases_load_buffer(path, text, strlen(text), &l, &n, want,
				sizeof(want));
	if (rc != -1 || l)
		fail_msg("\"%s\": the buffer reader returned %d", text, rc);
	if (strcmp(err, want))
		fail_msg("\"%s\": the buffer reader says \"%s\", the file "
			 "reader \"%s\"",
			 text, want, err);
}

/**
 * test_load_lima() - a lease file as Lima writes it loads, MACs in either
 * notation and case
 * @state:	unused
 */
static void test_load_lima(void **state)
{
	static const char text[] =
	    "{\"192.168.104.4\":\"52:55:55:12:34:56\","
	    "\"192.168.104.10\":\"52:55:55:AB:cd:EF\",\n"
	    "  \"192.168.104.5\" : \"52-55-55-00-00-01\"}\n";
	struct dhcp_static_lease *l, want[3];
	char err[256];
	size_t n;

	(void)state;
	want[0] = lease("192.168.104.4", 0x56);
	want[1] = lease("192.168.104.10", 0);
	memcpy(want[1].mac, "\x52\x55\x55\xab\xcd\xef", 6);
	want[2] = lease("192.168.104.5", 0);
	memcpy(want[2].mac, "\x52\x55\x55\x00\x00\x01", 6);
	tl_write_file(path, text);
	assert_int_equal(leases_load(path, &l, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	/* file order */
	assert_true(same(&l[0], &want[0]));
	assert_true(same(&l[1], &want[1]));
	assert_true(same(&l[2], &want[2]));
	free(l);
	assert_int_equal(leases_load_buffer("mem", text, strlen(text), &l, &n,
					    err, sizeof(err)),
			 0);
	assert_int_equal(n, 3);
	assert_true(same(&l[2], &want[2]));
	free(l);
}

/**
 * test_load_gvisor() - a leases.json as Lima saves gvisor-tap-vsock's list
 * (Go's json.Encoder: keys sorted, a newline): its gateway (.2,
 * 5a:94:ef:e4:0c:dd), VMs on .1 and .3, and an entry of another subnet. The
 * file is read whole; which entries the network can honour is decided later
 * (options.c skips the gateway's, .3 and other subnets with a warning each).
 * @state:	unused
 */
static void test_load_gvisor(void **state)
{
	static const char text[] = "{\"192.168.104.1\":\"52:55:55:aa:00:01\","
				   "\"192.168.104.2\":\"5a:94:ef:e4:0c:dd\","
				   "\"192.168.104.3\":\"52:55:55:aa:00:03\","
				   "\"192.168.200.9\":\"52:55:55:aa:00:09\"}\n";
	struct dhcp_static_lease *l;
	char err[256];
	size_t n;

	(void)state;
	tl_write_file(path, text);
	assert_int_equal(leases_load(path, &l, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_true(same(&l[0], &(struct dhcp_static_lease){
				    .ip.s_addr = inet_addr("192.168.104.1"),
				    .mac = {0x52, 0x55, 0x55, 0xaa, 0, 1}}));
	assert_true(
	    same(&l[1], &(struct dhcp_static_lease){
			    .ip.s_addr = inet_addr("192.168.104.2"),
			    .mac = {0x5a, 0x94, 0xef, 0xe4, 0x0c, 0xdd}}));
	assert_int_equal(l[3].ip.s_addr, inet_addr("192.168.200.9"));
	free(l);
	/* Lima's nil map: "null" and a newline */
	tl_write_file(path, "null\n");
	assert_int_equal(leases_load(path, &l, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_null(l);
}

/**
 * test_load_nothing() - a missing file, an empty one, an empty object or null
 * load as no leases; a directory is an error
 * @state:	unused
 */
static void test_load_nothing(void **state)
{
	static const char *const texts[] = {"", "{}", " { }\n", "null\n"};
	struct dhcp_static_lease *l;
	char err[256];
	size_t i, n;

	(void)state;
	/* a missing file */
	l = (void *)1;
	n = 5;
	assert_int_equal(leases_load(path, &l, &n, err, sizeof(err)), 0);
	assert_null(l);
	assert_int_equal(n, 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		tl_write_file(path, texts[i]);
		l = (void *)1;
		n = 5;
		if (leases_load(path, &l, &n, err, sizeof(err)))
			fail_msg("text %zu: %s", i, err);
		assert_null(l);
		assert_int_equal(n, 0);
	}
	/* a directory is not a lease file */
	assert_int_equal(leases_load(dir, &l, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, dir));
}

/**
 * test_load_malformed() - broken JSON, and JSON that is not a lease file, fail
 * with the position and what is wrong
 * @state:	unused
 */
static void test_load_malformed(void **state)
{
	static const struct {
		const char *text;
		const char *pos;
		const char *what;
	} rows[] = {
	    {"{\"192.168.104.4\": }", ":1:19: ", "unexpected token"},
	    {"{\n  \"192.168.104.4\": \"52:55:55:12:34:56\",\n"
	     "  \"192.168.104.5\" \"52:55:55:12:34:57\"\n}\n",
	     ":3:37: ", "':' expected"},
	    {"{\"192.168.104.4\": \"52:55:55:12:34:56\"",
	     ":1:37: ", "'}' expected"},
	    {"{} {}", ":1:4: ", "end of file expected"},
	    {"\x80", ":1:1: ", "unable to decode byte"},
	    {"{\"192.168.104.4\": \"52:55:55:12:34:56\",\n"
	     " \"192.168.104.4\": \"52:55:55:12:34:57\"}",
	     ":2:16: ", "duplicate object key"},
	    {"{\"192.168.104.4\": \"52:55:55:12:34:\\u0000\"}",
	     ":1:", "\\u0000 is not allowed"},
	    /* valid JSON, not leases */
	    {"[\"192.168.104.4\"]", ": ", "expected a JSON object"},
	    {"\"leases\"", ": ", "expected a JSON object"},
	    {"{\"192.168.104.4\": 5}", ": ",
	     "\"192.168.104.4\": expected a MAC address string"},
	    {"{\"192.168.104.4\": null}", ": ", "expected a MAC address"},
	    {"{\"192.168.104.256\": \"52:55:55:12:34:56\"}", ": ",
	     "\"192.168.104.256\" is not a unicast IPv4 address"},
	    {"{\"192.168.104.04\": \"52:55:55:12:34:56\"}", ": ",
	     "is not a unicast IPv4 address"},
	    {"{\"fd00::4\": \"52:55:55:12:34:56\"}", ": ",
	     "is not a unicast IPv4 address"},
	    {"{\"0.0.0.0\": \"52:55:55:12:34:56\"}", ": ",
	     "is not a unicast IPv4 address"},
	    {"{\"127.0.0.1\": \"52:55:55:12:34:56\"}", ": ",
	     "is not a unicast IPv4 address"},
	    {"{\"224.0.0.1\": \"52:55:55:12:34:56\"}", ": ",
	     "is not a unicast IPv4 address"},
	    {"{\"255.255.255.255\": \"52:55:55:12:34:56\"}", ": ",
	     "is not a unicast IPv4 address"},
	    {"{\"192.168.104.4\": \"52:55:55:12:34\"}", ": ",
	     "\"192.168.104.4\": \"52:55:55:12:34\" is not a unicast MAC"},
	    {"{\"192.168.104.4\": \"52:55:55:12:34:5g\"}", ": ",
	     "is not a unicast MAC"},
	    {"{\"192.168.104.4\": \"52:55-55:12:34:56\"}", ": ",
	     "is not a unicast MAC"},
	    {"{\"192.168.104.4\": \"01:00:5e:00:00:01\"}", ": ",
	     "is not a unicast MAC"},
	    {"{\"192.168.104.4\": \"00:00:00:00:00:00\"}", ": ",
	     "is not a unicast MAC"},
	    {"{\"192.168.104.4\": \"52:55:55:12:34:56\","
	     " \"192.168.104.5\": \"52:55:55:12:34:56\"}",
	     ": ", "MAC 52:55:55:12:34:56 appears twice"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		load_err(rows[i].text, rows[i].pos, rows[i].what);
}

/**
 * test_parse_arg() - --leases takes IP=MAC pairs separated by commas, adding to
 * the leases given before
 * @state:	unused
 */
static void test_parse_arg(void **state)
{
	struct dhcp_static_lease *l = NULL, a, b, c;
	char err[256];
	size_t n = 0;

	(void)state;
	a = lease("192.168.104.4", 0x56);
	b = lease("192.168.104.5", 0xef);
	c = lease("10.0.0.9", 0x01);
	assert_int_equal(leases_parse_arg("", &l, &n, err, sizeof(err)), 0);
	assert_null(l);
	assert_int_equal(n, 0);
	assert_int_equal(leases_parse_arg("192.168.104.4=52:55:55:12:34:56,"
					  "192.168.104.5=52-55-55-12-34-EF",
					  &l, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 2);
	assert_true(same(&l[0], &a));
	assert_true(same(&l[1], &b));
	/* a second --leases appends */
	assert_int_equal(leases_parse_arg("10.0.0.9=52:55:55:12:34:01", &l, &n,
					  err, sizeof(err)),
			 0);
	assert_int_equal(n, 3);
	assert_true(same(&l[0], &a));
	assert_true(same(&l[2], &c));
	free(l);
}

/**
 * arg_err() - leases_parse_arg(@s) fails with a message containing @what
 * and leaves the list it was given alone
 * @s:		argument
 * @what:	part of the message
 */
static void arg_err(const char *s, const char *what)
{
	struct dhcp_static_lease *l = NULL, *before;
	char err[256];
	size_t n = 0;
	int rc;

	assert_int_equal(leases_parse_arg("192.168.104.200=02:00:00:00:00:01",
					  &l, &n, err, sizeof(err)),
			 0);
	before = l;
	rc = leases_parse_arg(s, &l, &n, err, sizeof(err));
	if (rc != -1)
		fail_msg("\"%s\": returned %d, want -1", s, rc);
	if (strncmp(err, "--leases: ", 10) || !strstr(err, what))
		fail_msg("\"%s\": got \"%s\", want \"--leases: ...%s\"", s, err,
			 what);
	if (l != before || n != 1)
		fail_msg("\"%s\": the list given changed (%zu entries)", s, n);
	free(l);
}

/**
 * test_parse_arg_errors() - bad --leases arguments fail with what is wrong and
 * leave the list alone
 * @state:	unused
 */
static void test_parse_arg_errors(void **state)
{
	/* an argument leases_parse_arg() refuses, part of its message */
	static const struct {
		const char *arg;
		const char *what;
	} rows[] = {
	    {",", "empty entry"},
	    {"192.168.104.4=52:55:55:12:34:56,", "empty entry"},
	    {",192.168.104.4=52:55:55:12:34:56", "empty entry"},
	    {"192.168.104.4=52:55:55:12:34:56,,192.168.104.5=52:55:55:12:"
	     "34:57",
	     "empty entry"},
	    {"192.168.104.4", "\"192.168.104.4\": expected IP=MAC"},
	    {"192.168.104.4:52:55:55:12:34:56", "expected IP=MAC"},
	    {"192.168.104.4=52:55:55:12:34:56=1", "is not a unicast MAC"},
	    {"=52:55:55:12:34:56", "\"\" is not a unicast IPv4 address"},
	    {"192.168.104.4=", "\"\" is not a unicast MAC address"},
	    {" 192.168.104.4=52:55:55:12:34:56",
	     "\" 192.168.104.4\" is not a unicast IPv4"},
	    {"192.168.104.4=52:55:55:12:34:56 ", "is not a unicast MAC"},
	    {"192.168.104=52:55:55:12:34:56", "is not a unicast IPv4"},
	    {"192.168.104.4=52:55:55:12:34:5", "is not a unicast MAC"},
	    {"192.168.104.4=33:33:00:00:00:01", "is not a unicast MAC"},
	    {"192.168.104.4=52:55:55:12:34:56:78", "is not a unicast MAC"},
	    {"192.168.104.4=52:55:55:12:34:56,192.168.104.4=52:55:55:12:34:"
	     "57",
	     "address 192.168.104.4 given twice"},
	    {"192.168.104.4=52:55:55:12:34:56,192.168.104.5=52:55:55:12:34:"
	     "56",
	     "MAC 52:55:55:12:34:56 given twice"},
	    /* against the leases given before */
	    {"192.168.104.200=52:55:55:12:34:56",
	     "address 192.168.104.200 given twice"},
	    {"192.168.104.4=02:00:00:00:00:01",
	     "MAC 02:00:00:00:00:01 given twice"},
	    {"192.168.104.4=52:55:55:12:34:56xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	     "xxxxxxxxxxxxxxxxxxxxxxxx",
	     "too long for IP=MAC"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		arg_err(rows[i].arg, rows[i].what);
}

/**
 * test_save_round_trip() - leases_save() writes Lima's format, mode 0600 even
 * over a world-readable file, and loads back the same
 * @state:	unused
 */
static void test_save_round_trip(void **state)
{
	struct dhcp_static_lease in[3], *out;
	char err[256], text[512];
	struct stat st;
	size_t n;

	(void)state;
	in[0] = lease("192.168.104.4", 0x56);
	in[1] = lease("192.168.104.10", 0xab);
	in[2] = lease("192.168.104.5", 0x01);
	umask(022);
	assert_int_equal(leases_save(path, in, 3), 0);
	slurp(text, sizeof(text));
	assert_string_equal(text, "{\"192.168.104.4\":\"52:55:55:12:34:56\","
				  "\"192.168.104.10\":\"52:55:55:12:34:ab\","
				  "\"192.168.104.5\":\"52:55:55:12:34:01\"}\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(entries(), 1);
	assert_int_equal(leases_load(path, &out, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_true(same(&out[0], &in[0]));
	assert_true(same(&out[1], &in[1]));
	assert_true(same(&out[2], &in[2]));
	free(out);

	/* replacing a world-readable file: the new one is 0600 */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(leases_save(path, in + 1, 1), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(entries(), 1);
	assert_int_equal(leases_load(path, &out, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_true(same(&out[0], &in[1]));
	free(out);

	/* no leases */
	assert_int_equal(leases_save(path, NULL, 0), 0);
	slurp(text, sizeof(text));
	assert_string_equal(text, "{}\n");
	assert_int_equal(leases_load(path, &out, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_null(out);
	assert_int_equal(entries(), 1);
}

/**
 * test_save_many() - many leases save and load back the same
 * @state:	unused
 */
static void test_save_many(void **state)
{
	struct dhcp_static_lease *in, *out;
	char err[256];
	size_t i, n, count = 4000;

	(void)state;
	in = calloc(count, sizeof(*in));
	assert_non_null(in);
	for (i = 0; i < count; i++) {
		in[i].ip.s_addr = htonl(0x0a000004 + (uint32_t)i);
		in[i].mac[0] = 0x52;
		in[i].mac[4] = (uint8_t)(i >> 8);
		in[i].mac[5] = (uint8_t)i;
	}
	assert_int_equal(leases_save(path, in, count), 0);
	assert_int_equal(leases_load(path, &out, &n, err, sizeof(err)), 0);
	assert_int_equal(n, count);
	for (i = 0; i < count; i++)
		assert_true(same(&in[i], &out[i]));
	free(in);
	free(out);
}

/**
 * test_save_refuses() - duplicate addresses or MACs, or bad addresses, are not
 * saved, and the old file stays
 * @state:	unused
 */
static void test_save_refuses(void **state)
{
	struct dhcp_static_lease l[2];
	char text[256];

	(void)state;
	tl_write_file(path, "{\"192.168.104.9\":\"52:55:55:12:34:09\"}\n");
	l[0] = lease("192.168.104.4", 0x56);
	l[1] = lease("192.168.104.4", 0x57);
	errno = 0;
	assert_int_equal(leases_save(path, l, 2), -1);
	assert_int_equal(errno, EINVAL);
	l[1] = lease("192.168.104.5", 0x56);
	assert_int_equal(leases_save(path, l, 2), -1);
	assert_int_equal(errno, EINVAL);
	l[1] = lease("0.0.0.0", 0x57);
	assert_int_equal(leases_save(path, l, 2), -1);
	assert_int_equal(errno, EINVAL);
	l[1] = lease("192.168.104.5", 0x57);
	l[1].mac[0] = 0x01;
	assert_int_equal(leases_save(path, l, 2), -1);
	assert_int_equal(errno, EINVAL);
	slurp(text, sizeof(text));
	assert_string_equal(text,
			    "{\"192.168.104.9\":\"52:55:55:12:34:09\"}\n");
	assert_int_equal(entries(), 1);
}

/**
 * test_save_failures() - a save that fails (no directory, a failed write, a
 * failed rename) leaves the old file and no temporary one
 * @state:	unused
 */
static void test_save_failures(void **state)
{
	static const char old[] = "{\"192.168.104.9\":\"52:55:55:12:34:09\"}\n";
	struct dhcp_static_lease *many;
	char other[160], text[256];
	struct rlimit rl, small;
	void (*prev)(int);
	size_t i;

	(void)state;
	many = calloc(100, sizeof(*many));
	assert_non_null(many);
	for (i = 0; i < 100; i++)
		many[i] = lease("10.0.0.1", (uint8_t)i);
	for (i = 0; i < 100; i++)
		many[i].ip.s_addr = htonl(0x0a000004 + (uint32_t)i);

	/* a directory that does not exist */
	snprintf(other, sizeof(other), "%s/nowhere/leases.json", dir);
	errno = 0;
	assert_int_equal(leases_save(other, many, 1), -1);
	assert_int_equal(errno, ENOENT);

	/* the write fails (a file size limit stands for a full disk): the
	 * old file is intact and no temporary file is left */
	tl_write_file(path, old);
	prev = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	small = rl;
	small.rlim_cur = 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	errno = 0;
	i = (size_t)leases_save(path, many, 100);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal((int)i, -1);
	slurp(text, sizeof(text));
	assert_string_equal(text, old);
	assert_int_equal(entries(), 1);

	/* the rename fails (the target is a non-empty directory) */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(other, sizeof(other), "%s/keep", path);
	assert_int_equal(mkdir(other, 0700), 0);
	errno = 0;
	assert_int_equal(leases_save(path, many, 2), -1);
	assert_true(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST);
	assert_int_equal(entries(), 1);
	assert_int_equal(rmdir(other), 0);
	assert_int_equal(rmdir(path), 0);
	free(many);
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
	    cmocka_unit_test_setup_teardown(test_load_lima, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_load_gvisor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_load_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_load_malformed, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_parse_arg, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parse_arg_errors, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_save_round_trip, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_save_many, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_save_refuses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_save_failures, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
