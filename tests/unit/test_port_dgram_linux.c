/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_port_dgram_linux.c - datagram ports under pressure, on Linux where
 * the port batches with sendmmsg(2): ENOBUFS (what macOS returns; Linux
 * unix sockets never do) and EAGAIN with a peer that never reads must
 * not make the port spin, and queued frames go out in order, batched.
 *
 * sendmmsg(2) is interposed (this executable defines it): the test counts
 * calls and the datagrams per call, and can make it fail with an errno.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/port_ctx.h"

/* sendmmsg(2) as the port sees it */
static int mmsg_errno;	  /* fail every call with this errno, if set */
static int mmsg_calls;	  /* calls */
static unsigned mmsg_max; /* most datagrams asked for in one call */

/**
 * sendmmsg() - interposed: count, maybe fail, else the real system call
 * @fd:		socket
 * @v:		messages
 * @n:		how many
 * @flags:	MSG_* flags
 *
 * Return: messages sent, or -1 with errno set (mmsg_errno when set)
 */
int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	mmsg_calls++;
	if (mmsg_errno) {
		errno = mmsg_errno;
		return -1;
	}
	if (n > mmsg_max)
		mmsg_max = n;
	return (int)syscall(SYS_sendmmsg, fd, v, n, flags);
}

/**
 * mmsg_reset() - clear the sendmmsg(2) counters for a new test
 */
static void mmsg_reset(void)
{
	mmsg_errno = 0;
	mmsg_calls = 0;
	mmsg_max = 0;
}

/**
 * test_enobufs() - ENOBUFS (macOS): no spinning on POLLOUT but a backoff
 * timer of 1 to 10 ms; frames stay queued, then go out in order, batched
 * by sendmmsg(2)
 * @state:	unused
 */
static void test_enobufs(void **state)
{
	uint8_t f[100], r[200];
	int sv[2], i, calls;
	struct ctx c;

	(void)state;
	ctx_init(&c);
	mmsg_reset();
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	c.p = port_new(c.l, sv[0], PORT_PACKET, "vz", ctx_rx, ctx_close, &c);
	mmsg_errno = ENOBUFS;
	for (i = 0; i < 50; i++) {
		make_frame(f, sizeof(f), (uint8_t)i);
		assert_int_equal(port_send(c.p, f, sizeof(f)), 0);
	}
	tl_loop_run_for(c.l, 200);
	/* 1, 2, 4, 8, then every 10 ms: about 20 tries in 200 ms. */
	assert_true(mmsg_calls >= 5);
	assert_true(mmsg_calls <= 40);
	assert_true(port_stats(c.p)->tx_retries <= 40);
	assert_int_equal(port_stats(c.p)->tx_nobufs, 1);
	assert_int_equal(recv(sv[1], r, sizeof(r), MSG_DONTWAIT), -1);

	mmsg_errno = 0;
	calls = mmsg_calls;
	tl_loop_run_for(c.l, 30);
	/* 50 datagrams in two calls: 32, then 18. */
	assert_int_equal(mmsg_calls - calls, 2);
	assert_int_equal(mmsg_max, 32);
	for (i = 0; i < 50; i++) {
		assert_int_equal(recv(sv[1], r, sizeof(r), MSG_DONTWAIT), 100);
		assert_int_equal(r[1], (uint8_t)i);
	}
	assert_int_equal(port_stats(c.p)->tx_drop_full, 0);
	close(sv[1]);
	ctx_done(&c);
}

/**
 * flood_never_read() - fill a port whose peer never reads until frames
 * are dropped, then run 200 ms: a bounded number of system calls
 * @c:		context with a port whose peer never reads
 */
static void flood_never_read(struct ctx *c)
{
	uint8_t f[1500];
	int i;

	make_frame(f, sizeof(f), 0);
	/* Socket buffers may hold megabytes (wmem_max): send until drops. */
	for (i = 0; i < 40000 && !port_stats(c->p)->tx_drop_full; i++) {
		port_send(c->p, f, sizeof(f));
		if (i % 100 == 0)
			tl_loop_run_for(c->l, 1);
	}
	mmsg_calls = 0;
	tl_loop_run_for(c->l, 200);
	assert_true(mmsg_calls <= 40);
	assert_true(port_stats(c->p)->tx_drop_full > 0);
	assert_false(c->closed);
}

/**
 * test_never_reads_connected() - a connected socketpair never read
 * (EAGAIN, and POLLOUT is honest)
 * @state:	unused
 */
static void test_never_reads_connected(void **state)
{
	struct ctx c;
	int sv[2];

	(void)state;
	ctx_init(&c);
	mmsg_reset();
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	c.p = port_new(c.l, sv[0], PORT_PACKET, "vz", ctx_rx, ctx_close, &c);
	flood_never_read(&c);
	close(sv[1]);
	ctx_done(&c);
}

/**
 * test_never_reads_vfkit() - an unconnected vfkit peer never read: EAGAIN
 * once its queue is full while poll(2) reports the socket writable
 * @state:	unused
 */
static void test_never_reads_vfkit(void **state)
{
	char srv[128], p1[128];
	struct sockaddr_un to;
	uint8_t f[60];
	struct ctx c;
	int c1;

	(void)state;
	ctx_init(&c);
	mmsg_reset();
	ctx_path(&c, "vfkit.sock", srv, sizeof(srv));
	ctx_path(&c, "c1", p1, sizeof(p1));
	c.p = port_new(c.l, port_bind_unixgram(srv), PORT_DGRAM_PEER, "vfkit",
		       ctx_rx, ctx_close, &c);
	/* Bound but not connected: the receiver's queue limit applies. */
	c1 = socket(AF_UNIX, SOCK_DGRAM, 0);
	fill_sun(&to, p1);
	assert_int_equal(bind(c1, (struct sockaddr *)&to, sizeof(to)), 0);
	fill_sun(&to, srv);
	make_frame(f, sizeof(f), 0);
	assert_int_equal(
	    sendto(c1, f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to)),
	    (ssize_t)sizeof(f));
	tl_loop_run_for(c.l, 50);
	assert_int_equal(c.frames, 1);
	flood_never_read(&c);
	assert_true(port_stats(c.p)->tx_nobufs >= 1);
	assert_true(port_stats(c.p)->tx_retries >= 5);
	close(c1);
	ctx_done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_enobufs),
	    cmocka_unit_test(test_never_reads_connected),
	    cmocka_unit_test(test_never_reads_vfkit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
