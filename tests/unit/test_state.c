/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_state.c - the state file next to a lease file (lan/state.c):
 * written and read back, missing and empty files, corrupt and truncated
 * input refused without harm, writes coalesced, and the registry giving
 * back the saved bound leases and names (and only those the lease file
 * still backs).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "services/dns/dns.h"
#include "base/loop.h"
#include "packet/dhcp.h"
#include "lan/leases.h"
#include "lan/registry.h"
#include "lan/state.h"
#include "tests/unit/testlib.h"

static char dir[64];
static char leases[128]; /* the lease file */
static char spath[160];	 /* its state file */

static const uint8_t mac_a[6] = {0x52, 0x55, 0x55, 0, 0, 0xa};
static const uint8_t mac_b[6] = {0x52, 0x55, 0x55, 0, 0, 0xb};

/**
 * setup() - a fresh temporary directory; leases[] and spath[] name the lease
 * and state files in it
 * @st:		unused
 *
 * Return: 0, or -1 if mkdtemp() failed
 */
static int setup(void **st)
{
	(void)st;
	if (!tl_mkdtemp(dir, sizeof(dir), "test_state"))
		return -1;
	snprintf(leases, sizeof(leases), "%s/leases.json", dir);
	snprintf(spath, sizeof(spath), "%s" STATE_SUFFIX, leases);
	return 0;
}

/**
 * teardown() - remove the lease and state files and the directory
 * @st:		unused
 *
 * Return: 0
 */
static int teardown(void **st)
{
	(void)st;
	unlink(spath);
	unlink(leases);
	rmdir(dir); /* fails if a temporary file was left behind */
	return 0;
}

/**
 * dir_entries() - how many entries @dir holds (. and .. excluded).
 *
 * Return: the count
 */
static int dir_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/**
 * mklease() - a lease as the state file holds it
 * @ip:		dotted quad
 * @mac:	MAC, 6 bytes
 * @host:	hostname
 * @expires:	expiry, seconds since the epoch
 *
 * Return: the lease
 */
static struct state_lease mklease(const char *ip, const uint8_t mac[6],
				  const char *host, int64_t expires)
{
	struct state_lease l;

	memset(&l, 0, sizeof(l));
	inet_pton(AF_INET, ip, &l.ip);
	memcpy(l.mac, mac, 6);
	snprintf(l.hostname, sizeof(l.hostname), "%s", host);
	l.expires = expires;
	return l;
}

/**
 * test_round_trip() - the state file saves leases and zones, mode 0600, and
 * loads back the same
 * @st:		unused
 */
static void test_round_trip(void **st)
{
	struct state_lease l[2] = {
	    mklease("192.168.104.4", mac_a, "lima-a", 1800000000),
	    mklease("192.168.104.5", mac_b, "", 1800000100),
	};
	struct state_data d = {l, 2, NULL}, back;
	struct stat sb;
	char err[256];

	(void)st;
	d.zones = json_loads("[{\"Name\":\"internal.\",\"Records\":[{\"Name\":"
			     "\"x\",\"IP\":\"10.0.0.1\"}],\"DefaultIP\":null}]",
			     0, NULL);
	assert_non_null(d.zones);
	assert_int_equal(state_save(spath, &d), 0);
	assert_int_equal(stat(spath, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(dir_entries(), 1); /* no temporary file left */
	assert_int_equal(state_load(spath, &back, err, sizeof(err)), 0);
	assert_int_equal(back.nleases, 2);
	assert_int_equal(back.leases[0].ip.s_addr, l[0].ip.s_addr);
	assert_memory_equal(back.leases[0].mac, mac_a, 6);
	assert_string_equal(back.leases[0].hostname, "lima-a");
	assert_int_equal(back.leases[0].expires, 1800000000);
	assert_string_equal(back.leases[1].hostname, "");
	assert_memory_equal(back.leases[1].mac, mac_b, 6);
	assert_true(json_equal(back.zones, d.zones));
	state_data_free(&back);
	assert_null(back.leases);

	/* nothing at all: a valid file too */
	json_decref(d.zones);
	memset(&d, 0, sizeof(d));
	assert_int_equal(state_save(spath, &d), 0);
	assert_int_equal(state_load(spath, &back, err, sizeof(err)), 0);
	assert_int_equal(back.nleases, 0);
	assert_null(back.zones);
}

/**
 * test_missing_and_empty() - a missing or empty state file, or one without
 * leases, loads as nothing; unknown keys are ignored
 * @st:		unused
 */
static void test_missing_and_empty(void **st)
{
	struct state_data d;
	char err[256];

	(void)st;
	assert_int_equal(state_load(spath, &d, err, sizeof(err)), 0);
	assert_int_equal(d.nleases, 0);
	assert_null(d.zones);
	tl_write_file(spath, "");
	assert_int_equal(state_load(spath, &d, err, sizeof(err)), 0);
	assert_int_equal(d.nleases, 0);
	tl_write_file(spath, "{\"version\":1}");
	assert_int_equal(state_load(spath, &d, err, sizeof(err)), 0);
	assert_int_equal(d.nleases, 0);
	/* unknown keys: a later version's additions */
	tl_write_file(spath,
		      "{\"version\":1,\"leases\":null,\"zones\":[],\"x\":[1]}");
	assert_int_equal(state_load(spath, &d, err, sizeof(err)), 0);
	assert_null(d.zones);
	/* a directory cannot be read */
	assert_int_equal(state_load(dir, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, dir));
}

/**
 * test_corrupt() - a corrupt state file fails with a message and gives nothing
 * @st:		unused
 */
static void test_corrupt(void **st)
{
	static const char *const bad[] = {
	    "not json",
	    "[]",
	    "null",
	    "{\"version\":2}",
	    "{\"version\":\"1\"}",
	    "{\"leases\":[]}",
	    "{\"version\":1,\"version\":1}",
	    "{\"version\":1,\"leases\":{}}",
	    "{\"version\":1,\"leases\":[1]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
	    "\"52:55:55:00:00:0a\"}]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
	    "\"52:55:55:00:00:0a\",\"expires\":0}]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
	    "\"52:55:55:00:00:0a\",\"expires\":\"9\"}]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"224.0.0.1\",\"mac\":"
	    "\"52:55:55:00:00:0a\",\"expires\":9}]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
	    "\"53:55:55:00:00:0a\",\"expires\":9}]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
	    "\"52:55:55:00:00:0a\",\"expires\":9,\"hostname\":\"My_VM\"}]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
	    "\"52:55:55:00:00:0a\",\"expires\":9,\"hostname\":\"-x\"}]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
	    "\"52:55:55:00:00:0a\",\"expires\":9,\"hostname\":\"Upper\"}]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
	    "\"52:55:55:00:00:0a\",\"expires\":9,\"hostname\":7}]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
	    "\"52:55:55:00:00:0a\",\"expires\":9},{\"ip\":\"192.168.104.4\","
	    "\"mac\":\"52:55:55:00:00:0b\",\"expires\":9}]}",
	    "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
	    "\"52:55:55:00:00:0a\",\"expires\":9},{\"ip\":\"192.168.104.5\","
	    "\"mac\":\"52:55:55:00:00:0a\",\"expires\":9}]}",
	    "{\"version\":1,\"zones\":{}}",
	    "{\"version\":1,\"zones\":[1]}",
	};
	char err[256], host[80], text[256];
	struct state_data d;
	size_t i;

	(void)st;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(err, 0, sizeof(err));
		assert_int_equal(state_load_buffer("s.json", bad[i],
						   strlen(bad[i]), &d, err,
						   sizeof(err)),
				 -1);
		assert_int_equal(d.nleases, 0);
		assert_null(d.leases);
		assert_null(d.zones);
		assert_true(!strncmp(err, "s.json", 6));
	}
	/* a 64-character hostname is one too many */
	memset(host, 'a', 64);
	host[64] = 0;
	snprintf(text, sizeof(text),
		 "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
		 "\"52:55:55:00:00:0a\",\"expires\":9,\"hostname\":\"%s\"}]}",
		 host);
	assert_int_equal(
	    state_load_buffer("s", text, strlen(text), &d, err, sizeof(err)),
	    -1);
	host[63] = 0;
	snprintf(text, sizeof(text),
		 "{\"version\":1,\"leases\":[{\"ip\":\"192.168.104.4\",\"mac\":"
		 "\"52:55:55:00:00:0a\",\"expires\":9,\"hostname\":\"%s\"}]}",
		 host);
	assert_int_equal(
	    state_load_buffer("s", text, strlen(text), &d, err, sizeof(err)),
	    0);
	assert_string_equal(d.leases[0].hostname, host);
	state_data_free(&d);
}

/**
 * test_truncated() - a file cut anywhere is refused (or empty), never half
 * read.
 * @st:		unused
 */
static void test_truncated(void **st)
{
	struct state_lease l[2] = {
	    mklease("192.168.104.4", mac_a, "lima-a", 1800000000),
	    mklease("192.168.104.5", mac_b, "lima-b", 1800000100),
	};
	struct state_data d = {l, 2, NULL}, back;
	char err[256], *buf;
	size_t len, i;

	(void)st;
	d.zones =
	    json_loads("[{\"Name\":\"internal.\",\"Records\":[]}]", 0, NULL);
	assert_int_equal(state_save(spath, &d), 0);
	json_decref(d.zones);
	assert_int_equal(
	    leases_read_file(spath, 1 << 20, &buf, &len, err, sizeof(err)), 0);
	assert_true(len > 10 && buf[len - 1] == '\n');
	for (i = 0; i < len - 1; i++) {
		int r =
		    state_load_buffer("cut", buf, i, &back, err, sizeof(err));

		assert_int_equal(r, i ? -1 : 0);
		assert_int_equal(back.nleases, 0);
		assert_null(back.zones);
	}
	assert_int_equal(
	    state_load_buffer("whole", buf, len, &back, err, sizeof(err)), 0);
	assert_int_equal(back.nleases, 2);
	state_data_free(&back);
	free(buf);
}

/**
 * test_open_corrupt() - a corrupt file opens as an empty state and is replaced
 * at the first change.
 * @st:		unused
 */
static void test_open_corrupt(void **st)
{
	struct state_lease l = mklease("192.168.104.4", mac_a, "lima-a", 9);
	struct state_data back;
	struct state *s;
	char err[256];

	(void)st;
	tl_write_file(spath, "{\"version\":1,\"leases\":[{\"ip\":");
	s = state_open(NULL, leases);
	assert_non_null(s);
	assert_string_equal(state_path(s), spath);
	assert_ptr_equal(state_find(leases), s);
	assert_null(state_find(spath));
	assert_int_equal(state_loaded(s)->nleases, 0);
	assert_int_equal(state_writes(s), 0);
	state_set_leases(s, &l, 1); /* no loop: written at once */
	assert_int_equal(state_writes(s), 1);
	state_set_leases(s, &l, 1); /* the same: not written */
	assert_int_equal(state_writes(s), 1);
	l.expires += STATE_EXPIRES_SLACK - 1; /* a renewal: not written */
	state_set_leases(s, &l, 1);
	assert_int_equal(state_writes(s), 1);
	l.expires += 1;
	state_set_leases(s, &l, 1);
	assert_int_equal(state_writes(s), 2);
	state_close(s);
	assert_null(state_find(leases));
	assert_int_equal(state_load(spath, &back, err, sizeof(err)), 0);
	assert_int_equal(back.nleases, 1);
	assert_string_equal(back.leases[0].hostname, "lima-a");
	state_data_free(&back);
}

/**
 * struct storm - a name change every 5 ms until @end_ms
 * @s:		state file
 * @l:		loop, stopped at the end
 * @t:		the timer of the changes
 * @end_ms:	when to stop
 * @n:		changes made
 */
struct storm {
	struct state *s;
	struct loop *l;
	struct loop_timer *t;
	int64_t end_ms;
	int n;
};

/**
 * storm_tick() - timer callback: change the lease's name, rearm in 5 ms or stop
 * the loop at the end
 * @arg:	the struct storm
 */
static void storm_tick(void *arg)
{
	struct storm *w = arg;
	struct state_lease l;
	char host[32];

	snprintf(host, sizeof(host), "name%d", w->n++);
	l = mklease("192.168.104.4", mac_a, host, 1800000000);
	state_set_leases(w->s, &l, 1);
	if (loop_now_ms() < w->end_ms)
		loop_timer_arm(w->t, loop_now_ms() + 5);
	else
		loop_stop(w->l);
}

/**
 * test_coalesced() - a guest that changes its name all the time costs a write a
 * second.
 * @st:		unused
 */
static void test_coalesced(void **st)
{
	struct loop *l = loop_new();
	struct loop_timer *stop = loop_timer_new(l, tl_loop_stop, l);
	struct storm w = {0};
	struct state_data back;
	char err[256], last[32];
	struct state *s;
	int i;

	(void)st;
	s = state_open(l, leases);
	/* a burst in one iteration: one write */
	for (i = 0; i < 1000; i++) {
		struct state_lease x = mklease("192.168.104.4", mac_a,
					       i & 1 ? "odd" : "even", 9 + i);

		state_set_leases(s, &x, 1);
	}
	state_set_zones(s, json_loads("[{\"Name\":\"z.\"}]", 0, NULL));
	assert_int_equal(state_writes(s), 0);
	loop_timer_arm(stop, loop_now_ms() + 100);
	loop_run(l);
	assert_int_equal(state_writes(s), 1);
	assert_int_equal(state_load(spath, &back, err, sizeof(err)), 0);
	assert_string_equal(back.leases[0].hostname, "odd");
	assert_int_equal(json_array_size(back.zones), 1);
	state_data_free(&back);

	/* a change every 5 ms for 1.5 s: a write a second at most */
	w.s = s;
	w.l = l;
	w.t = loop_timer_new(l, storm_tick, &w);
	w.end_ms = loop_now_ms() + 1500;
	loop_timer_arm(w.t, loop_now_ms());
	loop_run(l);
	assert_true(w.n > 10);
	assert_true(state_writes(s) >= 2 && state_writes(s) <= 3);
	snprintf(last, sizeof(last), "name%d", w.n - 1);
	/* the same zones again: nothing to write */
	state_set_zones(s, json_loads("[{\"Name\":\"z.\"}]", 0, NULL));
	/* what is pending is written at close */
	state_close(s);
	assert_int_equal(state_load(spath, &back, err, sizeof(err)), 0);
	assert_string_equal(back.leases[0].hostname, last);
	state_data_free(&back);
	loop_timer_free(w.t);
	loop_timer_free(stop);
	loop_free(l);
}

/**
 * test_registry_restore() - the registry gives back what the state file saved,
 * if the lease file still backs it.
 * @st:		unused
 */
static void test_registry_restore(void **st)
{
	const uint8_t mac_c[6] = {0x52, 0x55, 0x55, 0, 0, 0xc};
	const uint8_t mac_d[6] = {0x52, 0x55, 0x55, 0, 0, 0xd};
	const uint8_t mac_e[6] = {0x52, 0x55, 0x55, 0, 0, 0xe};
	int64_t now = (int64_t)time(NULL);
	struct state_lease l[4] = {
	    mklease("192.168.104.4", mac_a, "lima-a", now + 600),
	    /* the lease file gives .5 to another MAC now */
	    mklease("192.168.104.5", mac_b, "lima-b", now + 600),
	    /* expired while the daemon was stopped */
	    mklease("192.168.104.6", mac_c, "lima-c", now - 1),
	    /* not in the lease file at all */
	    mklease("192.168.104.7", mac_d, "lima-d", now + 600),
	};
	struct state_data d = {l, 4, NULL}, back;
	struct dhcp_config c = {0};
	struct dns_local *names = dns_local_new(NULL);
	struct in_addr a;
	struct state *s;
	struct dhcp *dh;
	struct reg *r;
	char err[256];

	(void)st;
	inet_pton(AF_INET, "192.168.104.0", &c.network);
	inet_pton(AF_INET, "255.255.255.0", &c.netmask);
	inet_pton(AF_INET, "192.168.104.3", &c.server_id);
	inet_pton(AF_INET, "192.168.104.4", &c.pool_first);
	inet_pton(AF_INET, "192.168.104.254", &c.pool_last);
	dh = dhcp_new(&c); /* the default clock, as net_new() */
	/* what net_new() restores from the lease file first */
	inet_pton(AF_INET, "192.168.104.4", &a);
	assert_int_equal(dhcp_lease_restore(dh, mac_a, a, NULL, 0), 0);
	inet_pton(AF_INET, "192.168.104.5", &a);
	assert_int_equal(dhcp_lease_restore(dh, mac_e, a, NULL, 0), 0);
	inet_pton(AF_INET, "192.168.104.6", &a);
	assert_int_equal(dhcp_lease_restore(dh, mac_c, a, NULL, 0), 0);

	assert_int_equal(state_save(spath, &d), 0);
	s = state_open(NULL, leases);
	r = reg_new(NULL, dh, names, leases, NULL, NULL);
	reg_sync(r);
	assert_true(tl_dns_resolves(names, "lima-a.internal", "192.168.104.4"));
	assert_false(
	    tl_dns_resolves(names, "lima-b.internal", "192.168.104.5"));
	assert_false(
	    tl_dns_resolves(names, "lima-c.internal", "192.168.104.6"));
	assert_false(
	    tl_dns_resolves(names, "lima-d.internal", "192.168.104.7"));
	inet_pton(AF_INET, "192.168.104.4", &a);
	assert_string_equal(dhcp_lease_hostname(dh, a), "lima-a");
	/* the state file now holds what is bound: lima-a only */
	assert_int_equal(state_load(spath, &back, err, sizeof(err)), 0);
	assert_int_equal(back.nleases, 1);
	assert_string_equal(back.leases[0].hostname, "lima-a");
	assert_true(back.leases[0].expires >= now + 598 &&
		    back.leases[0].expires <= now + 602);
	state_data_free(&back);
	reg_free(r);
	/* freeing the registry does not empty the state file */
	assert_int_equal(state_load(spath, &back, err, sizeof(err)), 0);
	assert_int_equal(back.nleases, 1);
	state_data_free(&back);
	state_close(s);
	dhcp_free(dh);
	dns_local_free(names);
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
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_and_empty, setup,
					    teardown),
	    cmocka_unit_test(test_corrupt),
	    cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_corrupt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_coalesced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_registry_restore, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
