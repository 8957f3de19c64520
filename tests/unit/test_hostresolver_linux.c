/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_hostresolver_linux.c - services/hostresolver/ against real upstreams:
 * dnsmasq instances on loopback addresses (127.0.0.78 "A", .79 "B", .80 "C"), a
 * UDP socket that never answers (.81, the silent upstream), and the real
 * getaddrinfo of glibc reading a private /etc/hosts and /etc/resolv.conf,
 * bind-mounted over the host's in a mount namespace of this process.
 *
 * Covers native lookups (hosts file, DNS, NODATA, NXDOMAIN, deduplication),
 * the fair share of clients and networks (refusals, a cancelled query
 * still charged, a worker left for another client), the cache
 * (positive and negative, expiry), coalescing of identical
 * lookups (counted in dnsmasq's query log), cancellation (queued, running
 * in a worker, ready, forwarded), the in-flight bound, deadlines with a
 * silent upstream, raw forwarding (TXT, MX, NXDOMAIN relayed, a TXT answer
 * over 512 bytes through c-ares's TCP retry, with and without EDNS0), the
 * fallback servers, resolv.conf swaps picked up by both resolvers, and a
 * killed upstream.
 *
 * Needs root (mount namespace, port 53) and dnsmasq; skipped without them.
 * The test drives each scenario as a list of steps run from a loop timer:
 * a step starts requests, the next one runs when they all completed (and
 * any wait it asked for passed) and checks them.
 */
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

#define ADDR_A	    "127.0.0.78"
#define ADDR_B	    "127.0.0.79"
#define ADDR_C	    "127.0.0.80"
#define ADDR_SILENT "127.0.0.81"
#define ADDR_UNUSED "127.0.0.82" /* fallback that must never be used */

#define T_TXT 16
#define T_MX  15
#define T_A   1

static char g_dir[64];
static const char *g_skip;
static const char *g_dnsmasq;
static pid_t g_dm_a, g_dm_b;
static int g_silent = -1;
static int g_in_api; /* set while an hr_* call runs */

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

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	f = fopen(path, "w"); /* in place: bind mounts keep the inode */
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static const char *dir_path(const char *name)
{
	static char path[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", g_dir, name);
	return path[k];
}

static size_t mkquery(uint8_t *b, uint16_t id, const char *name, uint16_t type,
		      int edns)
{
	const char *p = name;
	size_t o = 12;

	memset(b, 0, 12);
	b[0] = (uint8_t)(id >> 8);
	b[1] = (uint8_t)id;
	b[2] = 0x01; /* RD */
	b[5] = 1;
	while (*p) {
		size_t n = strcspn(p, ".");

		b[o++] = (uint8_t)n;
		memcpy(b + o, p, n);
		o += n;
		p += n;
		if (*p == '.')
			p++;
	}
	b[o++] = 0;
	b[o++] = (uint8_t)(type >> 8);
	b[o++] = (uint8_t)type;
	b[o++] = 0;
	b[o++] = 1;
	if (edns) {
		static const uint8_t opt[11] = {0, 0, 41, 0x10, 0, 0,
						0, 0, 0,  0,	0};

		b[11] = 1;
		memcpy(b + o, opt, sizeof(opt));
		o += sizeof(opt);
	}
	return o;
}

/* 1 when a DNS server at @addr:53 answers a query. */
static int probe(const char *addr)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};
	uint8_t q[512], a[512];
	struct pollfd p;
	size_t len = mkquery(q, 7, "probe.test", T_A, 0);
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

/* Start dnsmasq on @addr with extra options (NULL-terminated). */
static pid_t dnsmasq_start(const char *addr, const char *tag, ...)
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

static void dnsmasq_stop(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

/* Occurrences of @needle in the file @name of the test directory. */
static int count_in_file(const char *name, const char *needle)
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

static int ans_rcode(const struct res *r)
{
	return r->ans[3] & 0x0f;
}

static int ans_count(const struct res *r)
{
	return r->ans[6] << 8 | r->ans[7];
}

static int ans_has(const struct res *r, const char *text)
{
	return memmem(r->ans, r->len, text, strlen(text)) != NULL;
}

static void assert_addr(const struct res *r, size_t i, int family,
			const char *text)
{
	uint8_t want[16];
	size_t alen = family == AF_INET ? 4 : 16;

	assert_int_equal(inet_pton(family, text, want), 1);
	assert_true(i < r->n);
	assert_memory_equal(r->a + i * alen, want, alen);
}

/* ---- the driver ---- */

static void on_addr(void *arg, enum hr_status st, const uint8_t *addrs,
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

static void on_raw(void *arg, enum hr_status st, const uint8_t *ans, size_t len)
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

/* Start a lookup into t->r[k]; the callback must run. */
static void lookup(struct t *t, int k, const char *name, int family)
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

/* Forward a query for @name/@type into t->r[k]. */
static void forward(struct t *t, int k, const char *name, uint16_t type,
		    int edns)
{
	uint8_t q[512];
	size_t len = mkquery(q, 0x1234, name, type, edns);

	memset(&t->r[k], 0, sizeof(t->r[k]));
	t->r[k].t = t;
	t->pending++;
	g_in_api = 1;
	t->q[k] = hr_forward(t->h, q, len, on_raw, &t->r[k]);
	g_in_api = 0;
	assert_non_null(t->q[k]);
	memset(q, 0xff, sizeof(q)); /* hr copied it */
}

/* Cancel t->q[k], whose callback then must not run. */
static void cancel(struct t *t, int k)
{
	g_in_api = 1;
	hr_cancel(t->q[k]);
	g_in_api = 0;
	t->pending--;
}

static void wait_ms(struct t *t, int ms)
{
	t->not_before = loop_now_ms() + ms;
}

static void t_tick(void *arg)
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

/* Run @steps against a resolver made from @cfg, within @limit_ms. */
static void t_run(struct t *t, const struct hr_config *cfg,
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

/* ---- native lookups ---- */

static void hosts_1(struct t *t)
{
	lookup(t, 0, "localhost", AF_INET);
	lookup(t, 1, "localhost", AF_INET6);
	lookup(t, 2, "hr-dup", AF_INET);
	lookup(t, 3, "LocalHost.", AF_INET); /* same job as 0 */
}

static void hosts_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_int_equal(t->r[0].n, 1); /* glibc returns it twice */
	assert_addr(&t->r[0], 0, AF_INET, "127.0.0.1");
	assert_int_equal(t->r[0].ttl, 5);
	assert_int_equal(t->r[1].st, HR_OK);
	assert_int_equal(t->r[1].n, 1);
	assert_addr(&t->r[1], 0, AF_INET6, "::1");
	assert_int_equal(t->r[2].st, HR_OK);
	assert_int_equal(t->r[2].n, 2);
	assert_addr(&t->r[2], 0, AF_INET, "10.9.8.7");
	assert_addr(&t->r[2], 1, AF_INET, "10.9.8.8");
	assert_int_equal(t->r[3].st, HR_OK);
	assert_addr(&t->r[3], 0, AF_INET, "127.0.0.1");
	/* Now from the cache. */
	lookup(t, 4, "localhost", AF_INET);
}

static void hosts_3(struct t *t)
{
	assert_int_equal(t->r[4].st, HR_OK);
	assert_int_equal(t->r[4].n, 1);
	assert_true(t->r[4].ttl >= 1 && t->r[4].ttl <= 5);
}

static void test_native_hosts(void **state)
{
	static const step_fn steps[] = {hosts_1, hosts_2, hosts_3, NULL};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, NULL, steps, 5000);
}

static void dns_1(struct t *t)
{
	lookup(t, 0, "example.test", AF_INET);
	lookup(t, 1, "example.test", AF_INET6);
	lookup(t, 2, "v6.test", AF_INET6);
	lookup(t, 3, "nope.test", AF_INET);
	lookup(t, 4, "foo.invalid", AF_INET6);
	lookup(t, 5, "multi.test", AF_INET);
	lookup(t, 6, "a..b", AF_INET);
	lookup(t, 7, "", AF_INET);
	lookup(t, 8, "example.test", AF_UNIX);
	lookup(t, 9, "both.test", AF_INET6);
	lookup(t, 10, "alias.test", AF_INET);
	lookup(t, 11, "many.test", AF_INET);
}

static void dns_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_int_equal(t->r[0].n, 1);
	assert_addr(&t->r[0], 0, AF_INET, "10.1.2.3");
	assert_int_equal(t->r[1].st, HR_NODATA);
	assert_int_equal(t->r[1].ttl, 5); /* negative answers cached too */
	assert_int_equal(t->r[2].st, HR_OK);
	assert_addr(&t->r[2], 0, AF_INET6, "fd00::1");
	assert_int_equal(t->r[3].st, HR_NXDOMAIN);
	assert_int_equal(t->r[4].st, HR_NXDOMAIN);
	assert_int_equal(t->r[5].st, HR_OK);
	assert_int_equal(t->r[5].n, 2);
	assert_int_equal(t->r[6].st, HR_NXDOMAIN);
	assert_int_equal(t->r[7].st, HR_NXDOMAIN);
	assert_int_equal(t->r[8].st, HR_SERVFAIL);
	assert_int_equal(t->r[9].st, HR_OK);
	assert_int_equal(t->r[9].n, 1);
	assert_addr(&t->r[9], 0, AF_INET6, "fd00::4");
	/* the CNAME's target is reported, the name itself is not */
	assert_string_equal(t->r[0].canon, "");
	assert_int_equal(t->r[10].st, HR_OK);
	assert_string_equal(t->r[10].canon, "example.test");
	assert_addr(&t->r[10], 0, AF_INET, "10.1.2.3");
	/* every address, not the first 32 */
	assert_int_equal(t->r[11].st, HR_OK);
	assert_int_equal(t->r[11].n, 40);
}

static void test_native_dns(void **state)
{
	static const step_fn steps[] = {dns_1, dns_2, NULL};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, NULL, steps, 5000);
}

/* ---- cache ---- */

static const char hosts_base[] = "127.0.0.1 localhost\n"
				 "::1 localhost\n"
				 "10.9.8.7 hr-dup\n"
				 "10.9.8.7 hr-dup\n"
				 "10.9.8.8 hr-dup\n"
				 "10.9.8.9 hr-cache\n";

static void cache_1(struct t *t)
{
	lookup(t, 0, "hr-cache", AF_INET);
	lookup(t, 1, "hr-neg.test", AF_INET);
}

static void cache_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_addr(&t->r[0], 0, AF_INET, "10.9.8.9");
	assert_int_equal(t->r[0].ttl, 1);
	assert_int_equal(t->r[1].st, HR_NXDOMAIN);
	/* The host changes its mind; the cache does not, for a second. */
	write_file("hosts", "127.0.0.1 localhost\n"
			    "10.9.8.10 hr-cache\n"
			    "10.9.8.11 hr-neg.test\n");
	lookup(t, 2, "hr-cache", AF_INET);
	lookup(t, 3, "HR-NEG.test.", AF_INET);
}

static void cache_3(struct t *t)
{
	assert_int_equal(t->r[2].st, HR_OK);
	assert_addr(&t->r[2], 0, AF_INET, "10.9.8.9");
	assert_int_equal(t->r[2].ttl, 1);
	assert_int_equal(t->r[3].st, HR_NXDOMAIN);
	wait_ms(t, 1100);
}

static void cache_4(struct t *t)
{
	lookup(t, 4, "hr-cache", AF_INET);
	lookup(t, 5, "hr-neg.test", AF_INET);
}

static void cache_5(struct t *t)
{
	assert_int_equal(t->r[4].st, HR_OK);
	assert_addr(&t->r[4], 0, AF_INET, "10.9.8.10");
	assert_int_equal(t->r[5].st, HR_OK);
	assert_addr(&t->r[5], 0, AF_INET, "10.9.8.11");
}

static void test_cache(void **state)
{
	static const step_fn steps[] = {cache_1, cache_2, cache_3,
					cache_4, cache_5, NULL};
	struct hr_config cfg = {.cache_ttl = 1};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, &cfg, steps, 5000);
	write_file("hosts", hosts_base);
}

/* A cache of 2 entries keeps the 2 most recently used answers. */
static void evict_1(struct t *t)
{
	lookup(t, 0, "hr-cache", AF_INET);
}

static void evict_1b(struct t *t)
{
	lookup(t, 1, "hr-dup", AF_INET);
}

static void evict_1c(struct t *t)
{
	lookup(t, 2, "localhost", AF_INET); /* evicts hr-cache */
}

static void evict_2(struct t *t)
{
	write_file("hosts", "127.0.0.1 localhost\n"
			    "10.9.8.20 hr-cache\n"
			    "10.9.8.21 hr-dup\n");
	lookup(t, 3, "hr-dup", AF_INET);
	lookup(t, 4, "localhost", AF_INET);
	lookup(t, 5, "hr-cache", AF_INET); /* evicted: asked again */
}

static void evict_3(struct t *t)
{
	assert_int_equal(t->r[3].n, 2); /* cached */
	assert_int_equal(t->r[4].st, HR_OK);
	assert_addr(&t->r[5], 0, AF_INET, "10.9.8.20");
}

static void test_cache_evict(void **state)
{
	static const step_fn steps[] = {evict_1, evict_1b, evict_1c,
					evict_2, evict_3,  NULL};
	struct hr_config cfg = {.cache_max = 2};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	/* One lookup per step, so the LRU order is known. */
	t_run(&t, &cfg, steps, 5000);
	write_file("hosts", hosts_base);
}

/* ---- coalescing, cancellation, bounds ---- */

static int g_co_before;

static void co_1(struct t *t)
{
	int k;

	g_co_before = count_in_file("a.log", "query[A] co.test ");
	for (k = 0; k < 20; k++)
		lookup(t, k, "co.test", AF_INET);
}

static void co_2(struct t *t)
{
	int k;

	for (k = 0; k < 20; k++) {
		assert_int_equal(t->r[k].st, HR_OK);
		assert_addr(&t->r[k], 0, AF_INET, "10.1.2.5");
	}
	wait_ms(t, 300); /* let dnsmasq write its log */
}

static void co_3(struct t *t)
{
	(void)t;
	assert_int_equal(count_in_file("a.log", "query[A] co.test "),
			 g_co_before + 1);
}

static void test_coalesce(void **state)
{
	static const step_fn steps[] = {co_1, co_2, co_3, NULL};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, NULL, steps, 5000);
}

static void cancel_1(struct t *t)
{
	lookup(t, 0, "example.test", AF_INET);
	cancel(t, 0); /* still queued or just taken by a worker */
	lookup(t, 1, "example.test", AF_INET);
	forward(t, 2, "which.test", T_TXT, 0);
	cancel(t, 2);
	lookup(t, 3, "bad..name", AF_INET);
	cancel(t, 3); /* ready, not yet delivered */
	hr_cancel(NULL);
}

static void cancel_2(struct t *t)
{
	assert_int_equal(t->r[1].st, HR_OK);
	assert_addr(&t->r[1], 0, AF_INET, "10.1.2.3");
	/* Cancel a cache hit before it is delivered. */
	lookup(t, 4, "example.test", AF_INET);
	cancel(t, 4);
	wait_ms(t, 300); /* time for a stray callback to show up */
}

static void cancel_3(struct t *t)
{
	assert_false(t->r[0].done);
	assert_false(t->r[2].done);
	assert_false(t->r[3].done);
	assert_false(t->r[4].done);
}

static void test_cancel(void **state)
{
	static const step_fn steps[] = {cancel_1, cancel_2, cancel_3, NULL};
	struct hr_config cfg = {.resolv_conf = NULL};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "nameserver " ADDR_A "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
}

static void bound_1(struct t *t)
{
	lookup(t, 0, "r1.test", AF_INET);
	lookup(t, 1, "r2.test", AF_INET);
	lookup(t, 2, "r3.test", AF_INET);
	forward(t, 3, "which.test", T_TXT, 0);
}

static void bound_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_NXDOMAIN);
	assert_int_equal(t->r[1].st, HR_NXDOMAIN);
	assert_int_equal(t->r[2].st, HR_REFUSED);
	assert_int_equal(t->r[3].st, HR_REFUSED);
	/* Refusals come first: they were ready at once. */
	assert_true(t->r[2].at <= t->r[0].at);
	forward(t, 4, "which.test", T_TXT, 0);
}

static void bound_3(struct t *t)
{
	assert_int_equal(t->r[4].st, HR_OK);
	assert_true(ans_has(&t->r[4], "alpha"));
}

static void test_inflight_bound(void **state)
{
	static const step_fn steps[] = {bound_1, bound_2, bound_3, NULL};
	struct hr_config cfg = {.max_inflight = 2};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "nameserver " ADDR_A "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
}

/* ---- a silent upstream for getaddrinfo ---- */

static void silent_1(struct t *t)
{
	/* glibc reloads the rewritten file; its one try waits 1 s. */
	write_file("resolv.conf", "nameserver " ADDR_SILENT "\n"
				  "options timeout:1 attempts:1\n");
	t->t0 = loop_now_ms();
	lookup(t, 0, "silent.test", AF_INET);
	wait_ms(t, 200);
	t->pending = 0; /* step 2 runs while it is in flight */
}

static void silent_2(struct t *t)
{
	/* A worker is inside getaddrinfo now. */
	assert_false(t->r[0].done);
	cancel(t, 0);
	t->pending = 0;
	lookup(t, 1, "silent.test", AF_INET); /* joins the running call */
}

static void silent_3(struct t *t)
{
	/* glibc's EAI_AGAIN after its 1 s try, before our 1.5 s deadline:
	 * the call the cancelled request started answered the second. */
	assert_int_equal(t->r[1].st, HR_SERVFAIL);
	assert_in_range(t->r[1].at - t->t0, 900, 1400);
	/* SERVFAIL is cached for a second: answered without waiting. */
	t->t0 = loop_now_ms();
	lookup(t, 2, "silent.test", AF_INET);
}

static void silent_4(struct t *t)
{
	assert_int_equal(t->r[2].st, HR_SERVFAIL);
	assert_true(t->r[2].at - t->t0 < 100);
	assert_false(t->r[0].done);
}

static void test_native_silent(void **state)
{
	static const step_fn steps[] = {silent_1, silent_2, silent_3, silent_4,
					NULL};
	struct hr_config cfg = {.timeout_ms = 1500};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, &cfg, steps, 6000);
	write_file("resolv.conf", resolv_a);
}

static void deadline_1(struct t *t)
{
	/* glibc would wait 2 s; the request's deadline is 500 ms. */
	write_file("resolv.conf", "nameserver " ADDR_SILENT "\n"
				  "options timeout:2 attempts:1\n");
	t->t0 = loop_now_ms();
	lookup(t, 0, "deadline.test", AF_INET);
}

static void deadline_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_SERVFAIL);
	assert_in_range(t->r[0].at - t->t0, 450, 800);
}

static void test_native_deadline(void **state)
{
	static const step_fn steps[] = {deadline_1, deadline_2, NULL};
	struct hr_config cfg = {.timeout_ms = 500};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	/* hr_free() does not wait for the worker still in getaddrinfo. */
	t_run(&t, &cfg, steps, 3000);
	write_file("resolv.conf", resolv_a);
}

/* ---- forwarding ---- */

static void fwd_1(struct t *t)
{
	uint8_t junk[5] = {1, 2, 3, 4, 5};
	char buf[64];

	forward(t, 0, "which.test", T_TXT, 0);
	forward(t, 1, "big.test", T_TXT, 0);
	forward(t, 2, "big.test", T_TXT, 1);
	forward(t, 3, "nope.test", T_A, 0);
	forward(t, 4, "example.test", T_MX, 0);
	t->r[5].t = t;
	t->pending++;
	g_in_api = 1;
	t->q[5] = hr_forward(t->h, junk, sizeof(junk), on_raw, &t->r[5]);
	g_in_api = 0;

	assert_int_equal(hr_search_domains(t->h, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "corp.test lab.test");
	assert_int_equal(hr_search_domains(t->h, buf, 12), 1);
	assert_string_equal(buf, "corp.test");
	assert_int_equal(hr_search_domains(t->h, buf, 5), 0);
	assert_string_equal(buf, "");
}

static void fwd_2(struct t *t)
{
	uint8_t q[512];
	size_t qlen = mkquery(q, 0x1234, "which.test", T_TXT, 0);
	int k;

	for (k = 0; k < 5; k++) {
		assert_int_equal(t->r[k].st, HR_OK);
		assert_true(t->r[k].ans[2] & 0x80); /* QR */
	}
	/* The question comes back as asked; the ID is hr's. */
	assert_memory_equal(t->r[0].ans + 12, q + 12, qlen - 12);
	assert_int_equal(ans_rcode(&t->r[0]), 0);
	assert_int_equal(ans_count(&t->r[0]), 1);
	assert_true(ans_has(&t->r[0], "alpha"));
	/* > 512 bytes: truncated over UDP, retried by c-ares over TCP. */
	for (k = 1; k <= 2; k++) {
		assert_true(t->r[k].len > 512);
		assert_false(t->r[k].ans[2] & 0x02); /* TC */
		assert_int_equal(ans_count(&t->r[k]), 1);
		assert_true(ans_has(&t->r[k], "cccccccc"));
	}
	assert_int_equal(t->r[2].ans[11], 1);	  /* the OPT record came back */
	assert_int_equal(ans_rcode(&t->r[3]), 3); /* NXDOMAIN, relayed */
	assert_int_equal(ans_count(&t->r[4]), 1);
	assert_true(ans_has(&t->r[4], "\004mail"));
	assert_int_equal(t->r[5].st, HR_SERVFAIL);
}

static void test_forward(void **state)
{
	static const step_fn steps[] = {fwd_1, fwd_2, NULL};
	struct hr_config cfg = {.fallback = ADDR_UNUSED};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "# test\nnameserver " ADDR_A "\n"
			       "domain ignored.test\n"
			       "search corp.test lab.test. bad\001x\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
}

static void fb_1(struct t *t)
{
	forward(t, 0, "which.test", T_TXT, 0);
}

static void fb_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_true(ans_has(&t->r[0], "alpha"));
}

static void test_fallback(void **state)
{
	static const step_fn steps[] = {fb_1, fb_2, NULL};
	struct hr_config cfg = {.fallback = ADDR_A ":53"};
	struct loop *l;
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	/* No nameserver line (one that is not an address is ignored). */
	write_file("fwd.conf", "search x.test\nnameserver not-an-address\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
	/* No file at all. */
	cfg.resolv_conf = dir_path("missing.conf");
	t_run(&t, &cfg, steps, 5000);
	/* A fallback list that does not parse is refused. */
	l = loop_new();
	cfg.fallback = "not a server";
	assert_null(hr_new(l, &cfg));
	loop_free(l);
}

/* ---- resolv.conf swapped: both resolvers follow within 2 s ---- */

static void swap_1(struct t *t)
{
	forward(t, 0, "which.test", T_TXT, 0);
	lookup(t, 1, "swap.test", AF_INET);
}

static void swap_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_true(ans_has(&t->r[0], "alpha"));
	assert_int_equal(t->r[1].st, HR_NXDOMAIN);
	write_file("fwd.conf", "nameserver " ADDR_B "\nsearch swapped.test\n");
	write_file("resolv.conf", "nameserver " ADDR_B "\n"
				  "options timeout:1 attempts:1\n");
	t->t0 = loop_now_ms();
}

static void swap_3(struct t *t)
{
	forward(t, 2, "which.test", T_TXT, 0);
	lookup(t, 3, "swap.test", AF_INET);
}

static void swap_4(struct t *t)
{
	int64_t now = loop_now_ms();
	char buf[64];

	assert_int_equal(t->r[2].st, HR_OK);
	if (!ans_has(&t->r[2], "bravo")) {
		assert_true(ans_has(&t->r[2], "alpha"));
		assert_true(now - t->t0 < 2000);
		wait_ms(t, 50);
		t->i -= 2; /* ask again */
		return;
	}
	print_message("forwarding followed the swap after %lld ms\n",
		      (long long)(t->r[2].at - t->t0));
	/* glibc re-read /etc/resolv.conf on its own. */
	assert_int_equal(t->r[3].st, HR_OK);
	assert_addr(&t->r[3], 0, AF_INET, "10.7.7.8");
	assert_int_equal(hr_search_domains(t->h, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "swapped.test");
}

static void test_swap(void **state)
{
	static const step_fn steps[] = {swap_1, swap_2, swap_3, swap_4, NULL};
	struct hr_config cfg = {.cache_ttl = -1, .fallback = ADDR_UNUSED};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "nameserver " ADDR_A "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 6000);
	write_file("resolv.conf", resolv_a);
}

/* ---- upstream killed, upstream silent ---- */

static pid_t g_dm_c;

static void dead_1(struct t *t)
{
	forward(t, 0, "which.test", T_TXT, 0);
}

static void dead_2(struct t *t)
{
	assert_int_equal(t->r[0].st, HR_OK);
	assert_true(ans_has(&t->r[0], "charlie"));
	dnsmasq_stop(&g_dm_c);
	t->t0 = loop_now_ms();
	forward(t, 1, "which.test", T_TXT, 0);
}

static void dead_3(struct t *t)
{
	print_message("killed upstream: SERVFAIL after %lld ms\n",
		      (long long)(t->r[1].at - t->t0));
	assert_int_equal(t->r[1].st, HR_SERVFAIL);
	assert_true(t->r[1].at - t->t0 <= 1000 + 300);
}

static void test_upstream_killed(void **state)
{
	static const step_fn steps[] = {dead_1, dead_2, dead_3, NULL};
	struct hr_config cfg = {.timeout_ms = 1000, .fallback = ADDR_UNUSED};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	g_dm_c = dnsmasq_start(ADDR_C, "c", "--txt-record=which.test,charlie",
			       (char *)NULL);
	assert_true(g_dm_c > 0);
	write_file("fwd.conf", "nameserver " ADDR_C "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
	dnsmasq_stop(&g_dm_c);
}

static void mute_1(struct t *t)
{
	t->t0 = loop_now_ms();
	forward(t, 0, "which.test", T_TXT, 0);
	forward(t, 1, "big.test", T_TXT, 1);
}

static void mute_2(struct t *t)
{
	int k;

	for (k = 0; k < 2; k++) {
		assert_int_equal(t->r[k].st, HR_SERVFAIL);
		assert_in_range(t->r[k].at - t->t0, 900, 1400);
	}
}

static void test_upstream_silent(void **state)
{
	static const step_fn steps[] = {mute_1, mute_2, NULL};
	struct hr_config cfg = {.timeout_ms = 1000, .fallback = ADDR_UNUSED};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "nameserver " ADDR_SILENT "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 5000);
}

/* ---- the fair share of clients and networks ---- */

static const int g_net1, g_net2; /* two networks, by address */

/* A client: network @net, address ::ffff:10.0.0.@host. */
static struct hr_client client(const void *net, int host)
{
	struct hr_client cl = {.net = net};

	cl.addr[10] = cl.addr[11] = 0xff;
	cl.addr[12] = 10;
	cl.addr[15] = (uint8_t)host;
	return cl;
}

/* forward() for client @cl. */
static void forward_cl(struct t *t, int k, const char *name,
		       const struct hr_client *cl)
{
	uint8_t q[512];
	size_t len = mkquery(q, 0x1234, name, T_TXT, 0);

	memset(&t->r[k], 0, sizeof(t->r[k]));
	t->r[k].t = t;
	t->pending++;
	g_in_api = 1;
	t->q[k] = hr_forward_for(t->h, cl, q, len, on_raw, &t->r[k]);
	g_in_api = 0;
	assert_non_null(t->q[k]);
}

/* lookup() for client @cl. */
static void lookup_cl(struct t *t, int k, const char *name,
		      const struct hr_client *cl)
{
	memset(&t->r[k], 0, sizeof(t->r[k]));
	t->r[k].t = t;
	t->r[k].family = AF_INET;
	t->pending++;
	g_in_api = 1;
	t->q[k] = hr_lookup_for(t->h, cl, name, AF_INET, on_addr, &t->r[k]);
	g_in_api = 0;
	assert_non_null(t->q[k]);
}

static void share_1(struct t *t)
{
	struct hr_client a1 = client(&g_net1, 1), a2 = client(&g_net1, 2);
	struct hr_client a3 = client(&g_net1, 3), b1 = client(&g_net2, 1);
	int k;

	/* max_inflight 16: 4 per client, 8 per network. */
	t->t0 = loop_now_ms();
	for (k = 0; k < 5; k++)
		forward_cl(t, k, "s.test", &a1);
	for (k = 5; k < 9; k++)
		forward_cl(t, k, "s.test", &a2);
	forward_cl(t, 9, "s.test", &a3);
	forward_cl(t, 10, "s.test", &b1);
	lookup_cl(t, 11, "localhost", &a3); /* a cache miss: refused too */
}

static void share_2(struct t *t)
{
	struct hr_stats st;
	int k;

	for (k = 0; k <= 11; k++) {
		if (k == 4 || k == 9 || k == 11) {
			assert_int_equal(t->r[k].st, HR_REFUSED);
			assert_true(t->r[k].at - t->t0 < 300);
		} else {
			/* Waited for the silent upstream: not refused. */
			assert_int_equal(t->r[k].st, HR_SERVFAIL);
			assert_in_range(t->r[k].at - t->t0, 900, 1400);
		}
	}
	hr_get_stats(t->h, &st);
	assert_int_equal(st.refused_client, 1);
	assert_int_equal(st.refused_net, 2);
}

static void share_3(struct t *t)
{
	struct hr_client a1 = client(&g_net1, 1);
	int k;

	/* Cancelled, their c-ares queries run on: still a1's share. */
	for (k = 0; k < 4; k++)
		forward_cl(t, k, "s.test", &a1);
	for (k = 0; k < 4; k++)
		cancel(t, k);
	forward_cl(t, 4, "s.test", &a1);
}

static void share_4(struct t *t)
{
	assert_int_equal(t->r[4].st, HR_REFUSED);
	assert_false(t->r[0].done);
	wait_ms(t, 1500); /* c-ares gives up on the cancelled queries */
}

static void share_5(struct t *t)
{
	struct hr_client a1 = client(&g_net1, 1);

	t->t0 = loop_now_ms();
	forward_cl(t, 5, "s.test", &a1);
}

static void share_6(struct t *t)
{
	struct hr_stats st;

	assert_int_equal(t->r[5].st, HR_SERVFAIL);
	assert_in_range(t->r[5].at - t->t0, 900, 1400);
	hr_get_stats(t->h, &st);
	assert_int_equal(st.refused_client, 2);
}

static void test_fair_share(void **state)
{
	static const step_fn steps[] = {share_1, share_2, share_3, share_4,
					share_5, share_6, NULL};
	struct hr_config cfg = {
	    .timeout_ms = 1000, .max_inflight = 16, .fallback = ADDR_UNUSED};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	write_file("fwd.conf", "nameserver " ADDR_SILENT "\n");
	cfg.resolv_conf = dir_path("fwd.conf");
	t_run(&t, &cfg, steps, 8000);
}

static void workers_1(struct t *t)
{
	struct hr_client a = client(&g_net1, 1), b = client(&g_net1, 2);

	/* glibc reloads the rewritten file; its one try waits 1 s. */
	write_file("resolv.conf", "nameserver " ADDR_SILENT "\n"
				  "options timeout:1 attempts:1\n");
	t->t0 = loop_now_ms();
	lookup_cl(t, 0, "w1.test", &a);
	lookup_cl(t, 1, "w2.test", &a);
	lookup_cl(t, 2, "w3.test", &a);
	lookup_cl(t, 3, "localhost", &b);
}

static void workers_2(struct t *t)
{
	int k;

	/* Two workers: a's lookups of a dead domain keep one of them, b's
	 * name from the hosts file takes the other at once (without the
	 * share it waited for a's first two, 1 s). */
	assert_int_equal(t->r[3].st, HR_OK);
	assert_true(t->r[3].at - t->t0 < 500);
	for (k = 0; k < 3; k++)
		assert_int_equal(t->r[k].st, HR_SERVFAIL);
}

static void test_fair_workers(void **state)
{
	static const step_fn steps[] = {workers_1, workers_2, NULL};
	struct hr_config cfg = {.timeout_ms = 3500, .workers = 2};
	struct t t;

	(void)state;
	SKIP_IF_NEEDED();
	t_run(&t, &cfg, steps, 8000);
	write_file("resolv.conf", resolv_a);
}

/* ---- setup: namespace, files, upstreams ---- */

static const char *find_dnsmasq(void)
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

static int setup(void **state)
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
	snprintf(g_dir, sizeof(g_dir), "/tmp/hrtest.XXXXXX");
	if (!mkdtemp(g_dir)) {
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

static int teardown(void **state)
{
	static const char *const files[] = {
	    "hosts", "resolv.conf", "fwd.conf", "a.log", "b.log",
	    "c.log", "a.pid",	    "b.pid",	"c.pid", NULL};
	int i;

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
		for (i = 0; files[i]; i++)
			unlink(dir_path(files[i]));
		rmdir(g_dir);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_native_hosts),
	    cmocka_unit_test(test_native_dns),
	    cmocka_unit_test(test_cache),
	    cmocka_unit_test(test_cache_evict),
	    cmocka_unit_test(test_coalesce),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_inflight_bound),
	    cmocka_unit_test(test_native_silent),
	    cmocka_unit_test(test_native_deadline),
	    cmocka_unit_test(test_forward),
	    cmocka_unit_test(test_fallback),
	    cmocka_unit_test(test_swap),
	    cmocka_unit_test(test_upstream_killed),
	    cmocka_unit_test(test_upstream_silent),
	    cmocka_unit_test(test_fair_share),
	    cmocka_unit_test(test_fair_workers),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
