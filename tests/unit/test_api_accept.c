/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_api_accept.c - API connections accepted far above FD_SETSIZE (a
 * daemon holding thousands of NAT sockets) reach the HTTP server below
 * it, through the reserve of low descriptors: the bytes go through, the
 * reserve runs dry after API_ACCEPT_SPARES connections (then a connection
 * is closed and counted), and fills again once low numbers are free.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/api_accept.h"

#define FILLERS_MAX (FD_SETSIZE + 200)

/**
 * struct got - what the handover received
 * @fd:		the last connection handed over, or -1
 * @n:		connections handed over
 */
struct got {
	int fd;
	int n;
};

/**
 * handover() - api_accept_handover_fn: keep the connection
 * @arg:	the struct got
 * @fd:		the connection handed over
 * @sa:		its peer's address (unused)
 * @salen:	its length (unused)
 *
 * Return: 0 (taken)
 */
static int handover(void *arg, int fd, const struct sockaddr *sa,
		    socklen_t salen)
{
	struct got *g = arg;

	(void)sa;
	(void)salen;
	assert_true(fd >= 0 && fd < FD_SETSIZE);
	g->fd = fd;
	g->n++;
	return 0;
}

/**
 * dial() - a client connected to the socket at @sun
 * @sun:	the listening socket's address
 *
 * Return: the connected descriptor
 */
static int dial(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(
	    connect(fd, (const struct sockaddr *)sun, sizeof(*sun)), 0);
	return fd;
}

/**
 * test_high() - the whole story, with every number below FD_SETSIZE + 100
 * taken by fillers before the connections come
 * @state:	unused
 */
static void test_high(void **state)
{
	static int fillers[FILLERS_MAX];
	int lfd, nf = 0, i, c, clients[API_ACCEPT_SPARES + 1], conns[64];
	char dir[] = "/tmp/taa.XXXXXX", buf[8];
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct api_accept aa;
	struct got g = {-1, 0};
	struct rlimit rl;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < FD_SETSIZE + 300) {
		if (rl.rlim_max != RLIM_INFINITY &&
		    rl.rlim_max < FD_SETSIZE + 300)
			skip();
		rl.rlim_cur = FD_SETSIZE + 300;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	assert_non_null(mkdtemp(dir));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/api.sock", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 64), 0);
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	api_accept_init(&aa); /* while numbers are low, as api_new() does */
	assert_int_equal(aa.nspare, API_ACCEPT_SPARES);

	/* Thousands of NAT sockets: nothing low is left. */
	while (nf < FILLERS_MAX) {
		fillers[nf] = fcntl(lfd, F_DUPFD, 0);
		assert_true(fillers[nf] >= 0);
		if (fillers[nf++] >= FD_SETSIZE + 100)
			break;
	}

	/* Nothing to accept: nothing handed over, no spare used. */
	assert_int_equal(api_accept_take(&aa, lfd, handover, &g), 0);
	assert_int_equal(aa.nspare, API_ACCEPT_SPARES);

	/* Each connection is accepted high and handed over low. */
	for (i = 0; i < API_ACCEPT_SPARES; i++) {
		clients[i] = dial(&sun);
		assert_int_equal(api_accept_take(&aa, lfd, handover, &g), 1);
		conns[i] = g.fd;
		assert_true(conns[i] < FD_SETSIZE);
		assert_int_equal(write(clients[i], "GET", 3), 3);
		assert_int_equal(read(conns[i], buf, sizeof(buf)), 3);
		assert_memory_equal(buf, "GET", 3);
		assert_int_equal(write(conns[i], "200", 3), 3);
		assert_int_equal(read(clients[i], buf, sizeof(buf)), 3);
	}
	assert_int_equal(aa.nspare, 0);
	api_accept_refill(&aa); /* no low number free: stays empty */
	assert_int_equal(aa.nspare, 0);

	/* The reserve is dry: the next one is closed, and counted. */
	clients[i] = dial(&sun);
	assert_int_equal(api_accept_take(&aa, lfd, handover, &g), 0);
	assert_int_equal(g.n, API_ACCEPT_SPARES);
	assert_int_equal(aa.refused, 1);
	assert_int_equal(read(clients[i], buf, sizeof(buf)), 0); /* EOF */

	/* A connection ends: its low number goes back to the reserve. */
	c = conns[0];
	close(c);
	api_accept_refill(&aa);
	assert_int_equal(aa.nspare, 1);
	assert_int_equal(aa.spare[0], c);

	for (i = 0; i <= API_ACCEPT_SPARES; i++)
		close(clients[i]);
	for (i = 1; i < API_ACCEPT_SPARES; i++)
		close(conns[i]);
	while (nf > 0)
		close(fillers[--nf]);
	api_accept_fini(&aa);
	close(lfd);
	unlink(sun.sun_path);
	rmdir(dir);
}

/* A connection accepted low stays where it is, with no spare used.
 * @state:	unused
 */
static void test_low(void **state)
{
	struct api_accept aa;
	int sv[2];

	(void)state;
	api_accept_init(&aa);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(api_accept_low(&aa, sv[0]), sv[0]);
	assert_int_equal(aa.nspare, API_ACCEPT_SPARES);
	close(sv[0]);
	close(sv[1]);
	api_accept_fini(&aa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_low),
	    cmocka_unit_test(test_high),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
