/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hr_test.h - the world the tests of services/hostresolver/ share
 * (test_hostresolver*.c): real dnsmasq upstreams "A", "B" (and "C" for the
 * test that kills one) and a silent UDP socket on loopback addresses, a
 * private /etc/hosts and /etc/resolv.conf bind-mounted in a mount namespace
 * of the test process, the results kept of each callback, and the driver
 * that runs a scenario as steps from a loop timer (a step starts requests,
 * the next one runs when they all completed and any wait it asked for
 * passed). One copy of all this, so that the files split by subject cannot
 * drift apart.
 *
 * Each test file is its own process and may run next to the others (ctest
 * -j), so each picks its own loopback /24 for its upstreams: define HR_NET
 * (e.g. "127.0.1.") before including this; "127.0.0." is
 * test_hostresolver_linux.c's. Needs root (mount namespace, port 53) and
 * dnsmasq; without them setup() sets g_skip and each test skips. The helpers
 * are static inline: a file need not use all of them.
 */
#ifndef USERNETD_TEST_HR_TEST_H
#define USERNETD_TEST_HR_TEST_H

#ifndef HR_NET
#define HR_NET "127.0.0." /* test_hostresolver_linux.c's */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sched.h>
#include <sys/mount.h>
#endif

#include <cmocka.h>

#include "base/log.h"
#include "services/hostresolver/hostresolver.h"
#include "base/loop.h"
#include "tests/unit/testlib.h"

#define ADDR_A	    HR_NET "78"
#define ADDR_B	    HR_NET "79"
#define ADDR_C	    HR_NET "80"
#define ADDR_SILENT HR_NET "81"
#define ADDR_UNUSED HR_NET "82" /* fallback that must never be used */

#define T_TXT 16
#define T_MX  15
#define T_A   1

static char g_dir[64];
static const char *g_skip;
static const char *g_dnsmasq;
static pid_t g_dm_a, g_dm_b;
static int g_silent = -1;
static int g_in_api; /* set while an hr_* call runs */
static pid_t g_dm_c; /* upstream C, while a test runs it */

struct t;

#define RES_ADDRS 64 /* addresses kept of a lookup's answer */

/**
 * struct res - what a callback got
 * @t:		scenario
 * @family:	family asked (lookups)
 * @done:	callback ran
 * @st:		status
 * @n:		addresses
 * @a:		addresses, packed (the first RES_ADDRS of them)
 * @canon:	canonical name reported, "" for none
 * @ttl:	TTL
 * @ans:	raw answer
 * @len:	its length
 * @at:		when the callback ran, monotonic ms
 */
struct res {
	struct t *t;
	int family;
	int done;
	enum hr_status st;
	size_t n;
	uint8_t a[RES_ADDRS * 16];
	char canon[256];
	uint32_t ttl;
	uint8_t ans[4096];
	size_t len;
	int64_t at;
};

typedef void (*step_fn)(struct t *t);

/**
 * struct t - one scenario
 * @l:		loop
 * @h:		resolver under test
 * @tick:	driver timer
 * @steps:	NULL-terminated steps
 * @i:		next step
 * @pending:	callbacks still due
 * @not_before:	earliest time of the next step
 * @deadline:	the scenario fails after this
 * @r:		results
 * @q:		handles
 * @t0:		scratch time
 */
struct t {
	struct loop *l;
	struct hr *h;
	struct loop_timer *tick;
	const step_fn *steps;
	int i;
	int pending;
	int64_t not_before;
	int64_t deadline;
	struct res r[32];
	struct hr_req *q[32];
	int64_t t0;
};

/* ---- helpers: files, processes, DNS packets ---- */

/**
 * write_file() - rewrite the file @name of the test directory in place (bind
 * mounts keep the inode)
 * @name:	file name
 * @text:	its contents
 */
static inline void write_file(const char *name, const char *text)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	tl_write_file(path, text); /* in place: bind mounts keep the inode */
}

/**
 * dir_path() - the path of @name in the test directory
 * @name:	file name
 *
 * Return: the path, in one of four static buffers
 */
static inline const char *dir_path(const char *name)
{
	static char path[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", g_dir, name);
	return path[k];
}

/**
 * probe() - 1 when a DNS server at @addr:53 answers a query.
 *
 * Return: 1 if it answers, else 0
 */
static inline int probe(const char *addr)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};
	uint8_t q[512], a[512];
	struct pollfd p;
	size_t len = tl_dns_query(q, 7, "probe.test", T_A, 0);
	int fd, ok = 0;

	inet_pton(AF_INET, addr, &sa.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 0;
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    send(fd, q, len, 0) == (ssize_t)len) {
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 100) == 1 && recv(fd, a, sizeof(a), 0) >= 12)
			ok = 1;
	}
	close(fd);
	return ok;
}

/**
 * dnsmasq_start() - start dnsmasq on @addr with extra options
 * (NULL-terminated).
 * @addr:	IPv4 address to listen on, port 53
 * @tag:	names its log and pid files, @tag.log and @tag.pid
 *
 * Return: its pid once it answers, or -1 (another server is there, or it did
 * not start)
 */
static inline pid_t dnsmasq_start(const char *addr, const char *tag, ...)
{
	char listen[64], pidf[128], logf[128];
	const char *argv[40];
	int argc = 0, i;
	const char *s;
	va_list ap;
	pid_t pid;

	snprintf(listen, sizeof(listen), "--listen-address=%s", addr);
	snprintf(pidf, sizeof(pidf), "--pid-file=%s/%s.pid", g_dir, tag);
	snprintf(logf, sizeof(logf), "--log-facility=%s/%s.log", g_dir, tag);
	argv[argc++] = g_dnsmasq;
	argv[argc++] = "-k";
	argv[argc++] = "-C";
	argv[argc++] = "/dev/null";
	argv[argc++] = "--user=root";
	argv[argc++] = "--no-resolv";
	argv[argc++] = "--no-hosts";
	argv[argc++] = "--bind-interfaces";
	argv[argc++] = "--port=53";
	argv[argc++] = "--log-queries";
	argv[argc++] = listen;
	argv[argc++] = pidf;
	argv[argc++] = logf;
	argv[argc++] = "--local=/test/";
	va_start(ap, tag);
	while ((s = va_arg(ap, const char *)) && argc < 39)
		argv[argc++] = s;
	va_end(ap);
	argv[argc] = NULL;

	if (probe(addr))
		return -1; /* somebody else serves there */
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0);
		dup2(fd, 1);
		execv(g_dnsmasq, (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		if (probe(addr))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/**
 * dnsmasq_stop() - kill a dnsmasq started by dnsmasq_start() and reap it
 * @pid:	its pid, set to 0; nothing is done if not positive
 */
static inline void dnsmasq_stop(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

/**
 * count_in_file() - occurrences of @needle in the file @name of the test
 * directory.
 * @name:	file name
 * @needle:	text to count
 *
 * Return: the count, 0 if the file cannot be read
 */
static inline int count_in_file(const char *name, const char *needle)
{
	char buf[1 << 16];
	FILE *f = fopen(dir_path(name), "r");
	size_t n;
	const char *p;
	int c = 0;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, needle)); p += strlen(needle))
		c++;
	return c;
}

/**
 * ans_rcode() - the rcode of a raw answer
 * @r:		result holding the answer
 *
 * Return: the rcode
 */
static inline int ans_rcode(const struct res *r)
{
	return r->ans[3] & 0x0f;
}

/**
 * ans_count() - the answer count of a raw answer
 * @r:		result holding the answer
 *
 * Return: ANCOUNT
 */
static inline int ans_count(const struct res *r)
{
	return r->ans[6] << 8 | r->ans[7];
}

/**
 * ans_has() - whether a raw answer holds @text anywhere
 * @r:		result holding the answer
 * @text:	bytes to look for
 *
 * Return: non-zero if it does
 */
static inline int ans_has(const struct res *r, const char *text)
{
	return memmem(r->ans, r->len, text, strlen(text)) != NULL;
}

/**
 * assert_addr() - address @i of a lookup's result is @text
 * @r:		the result
 * @i:		index among its addresses
 * @family:	AF_INET or AF_INET6
 * @text:	the address expected
 */
static inline void assert_addr(const struct res *r, size_t i, int family,
			       const char *text)
{
	uint8_t want[16];
	size_t alen = family == AF_INET ? 4 : 16;

	assert_int_equal(inet_pton(family, text, want), 1);
	assert_true(i < r->n);
	assert_memory_equal(r->a + i * alen, want, alen);
}

/* ---- the driver ---- */

/**
 * on_addr() - hr_lookup() callback: check what the resolver promises (never
 * synchronous, once, addresses only with HR_OK), keep the result
 * @arg:	the struct res
 * @st:		status
 * @addrs:	addresses, packed
 * @n:		how many
 * @canon:	canonical name or NULL
 * @ttl:	TTL
 */
static inline void on_addr(void *arg, enum hr_status st, const uint8_t *addrs,
			   size_t n, const char *canon, uint32_t ttl)
{
	struct res *r = arg;
	struct t *t = r->t;

	assert_false(g_in_api); /* never synchronous */
	assert_false(r->done);
	assert_true(n <= HR_ADDRS_MAX);
	assert_true(st == HR_OK ? n > 0 && addrs != NULL : n == 0);
	r->done = 1;
	r->st = st;
	r->n = n;
	if (n)
		memcpy(r->a, addrs,
		       (n < RES_ADDRS ? n : RES_ADDRS) *
			   (r->family == AF_INET ? 4 : 16));
	assert_true(!canon || (st == HR_OK && *canon));
	snprintf(r->canon, sizeof(r->canon), "%s", canon ? canon : "");
	r->ttl = ttl;
	r->at = loop_now_ms();
	t->pending--;
}

/**
 * on_raw() - hr_forward() callback: check what the resolver promises (never
 * synchronous, once, an answer only with HR_OK), keep it
 * @arg:	the struct res
 * @st:		status
 * @ans:	raw answer, or NULL
 * @len:	its length
 */
static inline void on_raw(void *arg, enum hr_status st, const uint8_t *ans,
			  size_t len)
{
	struct res *r = arg;
	struct t *t = r->t;

	assert_false(g_in_api);
	assert_false(r->done);
	assert_true(st == HR_OK ? len >= 12 && ans != NULL : len == 0);
	assert_true(len <= sizeof(r->ans));
	r->done = 1;
	r->st = st;
	r->len = len;
	if (len)
		memcpy(r->ans, ans, len);
	r->at = loop_now_ms();
	t->pending--;
}

/**
 * lookup() - start a lookup into t->r[k]; the callback must run.
 * @t:		the scenario
 * @k:		result slot
 * @name:	text name
 * @family:	AF_INET or AF_INET6 (or another, which must fail)
 */
static inline void lookup(struct t *t, int k, const char *name, int family)
{
	memset(&t->r[k], 0, sizeof(t->r[k]));
	t->r[k].t = t;
	t->r[k].family = family;
	t->pending++;
	g_in_api = 1;
	t->q[k] = hr_lookup(t->h, name, family, on_addr, &t->r[k]);
	g_in_api = 0;
	assert_non_null(t->q[k]);
}

/**
 * forward() - forward a query for @name/@type into t->r[k].
 * @t:		the scenario
 * @k:		result slot
 * @name:	text name
 * @type:	QTYPE
 * @edns:	non-zero to add an OPT record
 */
static inline void forward(struct t *t, int k, const char *name, uint16_t type,
			   int edns)
{
	uint8_t q[512];
	size_t len = tl_dns_query(q, 0x1234, name, type, edns);

	memset(&t->r[k], 0, sizeof(t->r[k]));
	t->r[k].t = t;
	t->pending++;
	g_in_api = 1;
	t->q[k] = hr_forward(t->h, q, len, on_raw, &t->r[k]);
	g_in_api = 0;
	assert_non_null(t->q[k]);
	memset(q, 0xff, sizeof(q)); /* hr copied it */
}

/**
 * cancel() - cancel t->q[k], whose callback then must not run.
 * @t:		the scenario
 * @k:		result slot
 */
static inline void cancel(struct t *t, int k)
{
	g_in_api = 1;
	hr_cancel(t->q[k]);
	g_in_api = 0;
	t->pending--;
}

/**
 * wait_ms() - hold the next step back for @ms, even when nothing is pending
 * @t:		the scenario
 * @ms:		milliseconds from now
 */
static inline void wait_ms(struct t *t, int ms)
{
	t->not_before = loop_now_ms() + ms;
}

/**
 * t_tick() - driver timer: fail the scenario past its deadline, else run the
 * next step once nothing is pending (stop the loop after the last)
 * @arg:	the scenario
 */
static inline void t_tick(void *arg)
{
	struct t *t = arg;
	int64_t now = loop_now_ms();

	if (now > t->deadline)
		fail_msg("scenario timed out in step %d (%d pending)", t->i,
			 t->pending);
	if (t->pending == 0 && now >= t->not_before) {
		if (!t->steps[t->i]) {
			loop_stop(t->l);
			return;
		}
		t->steps[t->i++](t);
	}
	loop_timer_arm(t->tick, now + 5);
}

/**
 * t_run() - run @steps against a resolver made from @cfg, within @limit_ms.
 * @t:		the scenario, reset
 * @cfg:	resolver configuration
 * @steps:	NULL-terminated steps
 * @limit_ms:	deadline of the whole scenario
 */
static inline void t_run(struct t *t, const struct hr_config *cfg,
			 const step_fn *steps, int limit_ms)
{
	memset(t, 0, sizeof(*t));
	t->l = loop_new();
	t->h = hr_new(t->l, cfg);
	assert_non_null(t->h);
	t->steps = steps;
	t->deadline = loop_now_ms() + limit_ms;
	t->tick = loop_timer_new(t->l, t_tick, t);
	loop_timer_arm(t->tick, 0);
	loop_run(t->l);
	hr_free(t->h);
	loop_timer_free(t->tick);
	loop_free(t->l);
}

#define SKIP_IF_NEEDED()                                                       \
	do {                                                                   \
		if (g_skip) {                                                  \
			print_message("skipped: %s\n", g_skip);                \
			skip();                                                \
		}                                                              \
	} while (0)

static const char resolv_a[] = "nameserver " ADDR_A "\n"
			       "options timeout:1 attempts:1\n";

static const char hosts_base[] = "127.0.0.1 localhost\n"
				 "::1 localhost\n"
				 "10.9.8.7 hr-dup\n"
				 "10.9.8.7 hr-dup\n"
				 "10.9.8.8 hr-dup\n"
				 "10.9.8.9 hr-cache\n";

/* ---- setup: namespace, files, upstreams ---- */

/**
 * find_dnsmasq() - where dnsmasq is installed
 *
 * Return: its path, or NULL
 */
static inline const char *find_dnsmasq(void)
{
	static const char *const paths[] = {
	    "/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq", "/sbin/dnsmasq",
	    "/usr/bin/dnsmasq", NULL};
	int i;

	for (i = 0; paths[i]; i++)
		if (!access(paths[i], X_OK))
			return paths[i];
	return NULL;
}

/**
 * setup() - the world of the tests: a mount namespace whose /etc/hosts and
 * /etc/resolv.conf are the test directory's, and dnsmasq upstreams A and B and
 * a silent one; g_skip says why not
 * @state:	unused
 *
 * Return: 0 (a missing piece sets g_skip, and each test skips)
 */
static inline int setup(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};
	char big[700], many[40 * 32], addn[128];
	int i, n;

	(void)state;
	log_init("test_hostresolver", getenv("HR_TEST_VERBOSE") != NULL);
#ifndef __linux__
	g_skip = "needs Linux mount namespaces";
	return 0;
#else
	if (geteuid() != 0) {
		g_skip = "not root";
		return 0;
	}
	g_dnsmasq = find_dnsmasq();
	if (!g_dnsmasq) {
		g_skip = "dnsmasq not installed";
		return 0;
	}
	if (!tl_mkdtemp(g_dir, sizeof(g_dir), "hrtest")) {
		g_skip = "mkdtemp failed";
		return 0;
	}
	write_file("hosts", hosts_base);
	write_file("resolv.conf", resolv_a);
	for (i = 0, n = 0; i < 40; i++)
		n += snprintf(many + n, sizeof(many) - (size_t)n,
			      "10.2.0.%d many.test\n", i + 1);
	write_file("many.hosts", many);
	snprintf(addn, sizeof(addn), "--addn-hosts=%s/many.hosts", g_dir);
	/* A private view of /etc/hosts and /etc/resolv.conf, before any
	 * thread exists (unshare(CLONE_NEWNS) needs an unshared fs). */
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount(dir_path("hosts"), "/etc/hosts", NULL, MS_BIND, NULL) ||
	    mount(dir_path("resolv.conf"), "/etc/resolv.conf", NULL, MS_BIND,
		  NULL)) {
		g_skip = "no mount namespace";
		return 0;
	}

	snprintf(
	    big, sizeof(big), "--txt-record=big.test,%0200d,%0200d,%s", 0, 0,
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
	g_dm_a = dnsmasq_start(
	    ADDR_A, "a", "--host-record=example.test,10.1.2.3",
	    "--host-record=v6.test,fd00::1",
	    "--host-record=both.test,10.1.2.4,fd00::4",
	    "--host-record=multi.test,10.1.1.1",
	    "--host-record=multi.test,10.1.1.2",
	    "--host-record=co.test,10.1.2.5", "--address=/invalid/",
	    "--txt-record=which.test,alpha", big,
	    "--mx-host=example.test,mail.example.test,10",
	    "--cname=alias.test,example.test", addn, (char *)NULL);
	g_dm_b =
	    dnsmasq_start(ADDR_B, "b", "--host-record=example.test,10.7.7.7",
			  "--host-record=swap.test,10.7.7.8",
			  "--txt-record=which.test,bravo", (char *)NULL);
	if (g_dm_a <= 0 || g_dm_b <= 0) {
		g_skip = "dnsmasq did not start (" ADDR_A " or " ADDR_B
			 " port 53 taken?)";
		return 0;
	}
	/* Silent upstream: bound, never read, so no port unreachable. */
	g_silent = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, ADDR_SILENT, &sa.sin_addr);
	if (g_silent < 0 ||
	    bind(g_silent, (struct sockaddr *)&sa, sizeof(sa))) {
		g_skip = "cannot bind the silent upstream";
		return 0;
	}
	return 0;
#endif
}

/**
 * teardown() - stop the upstreams, undo the mounts, remove the test directory
 * @state:	unused
 *
 * Return: 0, or -1 if the test directory could not be removed
 */
static inline int teardown(void **state)
{
	(void)state;
	dnsmasq_stop(&g_dm_a);
	dnsmasq_stop(&g_dm_b);
	dnsmasq_stop(&g_dm_c);
	if (g_silent >= 0)
		close(g_silent);
	if (g_dir[0]) {
#ifdef __linux__
		umount2("/etc/hosts", MNT_DETACH);
		umount2("/etc/resolv.conf", MNT_DETACH);
#endif
		/* all of it: a fixed list of files missed many.hosts */
		return tl_rm_rf(g_dir);
	}
	return 0;
}

/**
 * hr_test_run() - run a file's tests in the world of this header, made once
 * for them all by setup() and undone by teardown()
 * @tests:	the tests
 * @n:		how many
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed,
 * else how many failed
 */
static inline int hr_test_run(const struct CMUnitTest *tests, size_t n)
{
	signal(SIGPIPE, SIG_IGN);
	return _cmocka_run_group_tests("tests", tests, n, setup, teardown);
}

#endif /* USERNETD_TEST_HR_TEST_H */
