/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_fwd_relay.c - the TCP relay of the gateway's forwards between
 * address families (packet/fwd_relay.c), on the host's loopback: IPv4 in,
 * IPv6 out; bytes both ways, more than its buffers hold while the reader
 * is slow; half-closes passed on; the connection gone when both sides
 * ended; a refused target closes the client's connection; fwdr_close()
 * ends the connections and frees the port; a relay on [::] not IPv6-only
 * takes IPv4 clients too; out of descriptors, the listener pauses rather
 * than spin; UDP datagrams both ways, the answers to the last sender.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/loop.h"
#include "packet/fwd_relay.h"
#include "tests/unit/testlib.h"

#define BIG (3 * FWDR_BUF + 1234) /* more than the relay buffers */

/**
 * lo_addr() - the loopback address of @family with a port
 * @family:	AF_INET or AF_INET6
 * @port:	port, host order
 * @ss:		set to the address
 *
 * Return: its length
 */
static socklen_t lo_addr(int family, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons((uint16_t)port);
		return sizeof(*s6);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	return sizeof(struct sockaddr_in);
}

/**
 * bound() - a TCP socket bound to a free loopback port of @family
 * @family:	AF_INET or AF_INET6
 * @ss:		set to its address and port
 * @len:	set to the address's length
 *
 * Return: the socket, or -1 (skips the test when IPv6 loopback is off)
 */
static int bound(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = socket(family, SOCK_STREAM, 0);

	*len = lo_addr(family, 0, ss);
	if (fd < 0 || bind(fd, (struct sockaddr *)ss, *len) < 0) {
		if (family == AF_INET6)
			skip();
		fail_msg("bind: %s", strerror(errno));
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return fd;
}

/**
 * nonblock() - make a test socket non-blocking
 * @fd:		the socket
 */
static void nonblock(int fd)
{
	assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK),
			 0);
}

/**
 * relay_to() - a relay on a free IPv4 loopback port to @target, and a
 * client connected to it
 * @l:		loop
 * @target:	where the relay joins connections
 * @tlen:	its length
 * @client:	set to the client's socket, non-blocking
 *
 * Return: the relay
 */
static struct fwdr *relay_to(struct loop *l, struct sockaddr_storage *target,
			     socklen_t tlen, int *client)
{
	struct sockaddr_storage a;
	socklen_t alen;
	struct fwdr *r;
	int fd = bound(AF_INET, &a, &alen);

	close(fd); /* the port is the relay's now */
	r = fwdr_listen(l, (struct sockaddr *)&a, alen, 1,
			(struct sockaddr *)target, tlen);
	assert_non_null(r);
	*client = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(*client, (struct sockaddr *)&a, alen), 0);
	nonblock(*client);
	return r;
}

/**
 * pump() - move @n bytes from @from to @to, running the loop between
 * @l:		loop running the relay in between
 * @from:	non-blocking socket written to
 * @to:		non-blocking socket read from
 * @n:		how many bytes, a counted pattern
 */
static void pump(struct loop *l, int from, int to, size_t n)
{
	uint8_t *out = malloc(n), *in = malloc(n);
	size_t sent = 0, got = 0, i;
	ssize_t k;
	int rounds;

	assert_non_null(out);
	assert_non_null(in);
	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(i * 7 + i / 251);
	for (rounds = 0; got < n && rounds < 2000; rounds++) {
		k = send(from, out + sent, n - sent, MSG_NOSIGNAL);
		if (k > 0)
			sent += (size_t)k;
		tl_loop_run_for(l, 2);
		/* the reader is slow: at most 4 KiB a round */
		k = read(to, in + got, n - got < 4096 ? n - got : 4096);
		if (k > 0)
			got += (size_t)k;
	}
	assert_int_equal(got, n);
	assert_memory_equal(in, out, n);
	free(out);
	free(in);
}

/**
 * read_eof() - wait for EOF on @fd, running the loop
 * @l:		loop
 * @fd:		non-blocking socket with nothing more to read
 *
 * Return: 1 at EOF (or a reset), 0 if it did not come
 */
static int read_eof(struct loop *l, int fd)
{
	char c;
	int i;

	for (i = 0; i < 200; i++) {
		ssize_t k = read(fd, &c, 1);

		if (k == 0 || (k < 0 && errno != EAGAIN))
			return 1;
		assert_true(k < 0);
		tl_loop_run_for(l, 5);
	}
	return 0;
}

/**
 * test_relay_both_ways() - IPv4 in, IPv6 out: bytes both ways beyond the
 * buffers with a slow reader, each half-close passed on, the connection
 * gone when both sides ended
 * @state:	unused
 */
static void test_relay_both_ways(void **state)
{
	struct loop *l = loop_new();
	struct sockaddr_storage t;
	socklen_t tlen;
	int lfd = bound(AF_INET6, &t, &tlen), client, server = -1, i;
	struct fwdr *r;

	(void)state;
	assert_int_equal(listen(lfd, 4), 0);
	r = relay_to(l, &t, tlen, &client);
	for (i = 0; i < 100 && server < 0; i++) {
		tl_loop_run_for(l, 5);
		server = accept(lfd, NULL, NULL);
	}
	assert_true(server >= 0);
	nonblock(server);
	assert_int_equal(fwdr_conn_count(r), 1);

	pump(l, client, server, BIG);
	pump(l, server, client, BIG);
	/* the client's EOF reaches the server; the server may still talk */
	assert_int_equal(shutdown(client, SHUT_WR), 0);
	assert_true(read_eof(l, server));
	pump(l, server, client, 1000);
	assert_int_equal(fwdr_conn_count(r), 1);
	/* the server's EOF too: both ended, the relay lets go */
	assert_int_equal(shutdown(server, SHUT_WR), 0);
	assert_true(read_eof(l, client));
	tl_loop_run_for(l, 10);
	assert_int_equal(fwdr_conn_count(r), 0);

	close(client);
	close(server);
	close(lfd);
	fwdr_close(r);
	loop_free(l);
}

/**
 * test_relay_refused() - a target nobody listens on: the client's
 * connection is closed, nothing kept
 * @state:	unused
 */
static void test_relay_refused(void **state)
{
	struct loop *l = loop_new();
	struct sockaddr_storage t;
	socklen_t tlen;
	int fd = bound(AF_INET6, &t, &tlen), client;
	struct fwdr *r;

	(void)state;
	close(fd); /* bound, never listening: connections are refused */
	r = relay_to(l, &t, tlen, &client);
	assert_true(read_eof(l, client));
	assert_int_equal(fwdr_conn_count(r), 0);
	close(client);
	fwdr_close(r);
	loop_free(l);
}

/**
 * test_relay_close() - fwdr_close() ends the open connections and frees
 * the listening port
 * @state:	unused
 */
static void test_relay_close(void **state)
{
	struct loop *l = loop_new();
	struct sockaddr_storage t, a;
	socklen_t tlen, alen = sizeof(a);
	int lfd = bound(AF_INET6, &t, &tlen), client, again;
	struct fwdr *r;

	(void)state;
	assert_int_equal(listen(lfd, 4), 0);
	r = relay_to(l, &t, tlen, &client);
	tl_loop_run_for(l, 20);
	assert_int_equal(fwdr_conn_count(r), 1);
	assert_int_equal(getpeername(client, (struct sockaddr *)&a, &alen), 0);
	fwdr_close(r);
	assert_true(read_eof(l, client));
	/* SO_REUSEADDR: the closed connection's TIME_WAIT may hold the
	 * port, a listener would not let it be bound */
	again = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(
	    setsockopt(again, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int)),
	    0);
	assert_int_equal(bind(again, (struct sockaddr *)&a, alen), 0);
	assert_int_equal(listen(again, 1), 0);
	close(again);
	close(client);
	close(lfd);
	loop_free(l);
}

/**
 * test_relay_dual_stack() - a relay on [::] that is not IPv6-only takes
 * IPv4 and IPv6 clients alike (a forward of [::], as Go listens)
 * @state:	unused
 */
static void test_relay_dual_stack(void **state)
{
	struct loop *l = loop_new();
	struct sockaddr_storage t, a, c;
	socklen_t tlen, alen, clen;
	int lfd = bound(AF_INET, &t, &tlen), fd, family, client, server, i;
	struct fwdr *r;

	(void)state;
	assert_int_equal(listen(lfd, 4), 0);
	fd = bound(AF_INET6, &a, &alen);
	close(fd);
	((struct sockaddr_in6 *)&a)->sin6_addr = in6addr_any;
	r = fwdr_listen(l, (struct sockaddr *)&a, alen, 0,
			(struct sockaddr *)&t, tlen);
	assert_non_null(r);
	for (family = AF_INET; family;
	     family = family == AF_INET ? AF_INET6 : 0) {
		clen = lo_addr(
		    family, ntohs(((struct sockaddr_in6 *)&a)->sin6_port), &c);
		client = socket(family, SOCK_STREAM, 0);
		assert_int_equal(connect(client, (struct sockaddr *)&c, clen),
				 0);
		nonblock(client);
		server = -1;
		for (i = 0; i < 100 && server < 0; i++) {
			tl_loop_run_for(l, 5);
			server = accept(lfd, NULL, NULL);
		}
		assert_true(server >= 0);
		nonblock(server);
		pump(l, client, server, 1000);
		close(client);
		close(server);
	}
	fwdr_close(r);
	close(lfd);
	loop_free(l);
}

/**
 * test_relay_no_fds() - with no descriptor left to accept with, the relay
 * pauses its listener rather than spin (the loop stays idle), and takes
 * the waiting connection once descriptors are back
 * @state:	unused
 */
static void test_relay_no_fds(void **state)
{
	struct loop *l = loop_new();
	struct sockaddr_storage t;
	socklen_t tlen;
	int lfd = bound(AF_INET6, &t, &tlen), client, k, i;
	struct rlimit old, low;
	struct fwdr *r;
	clock_t cpu;

	(void)state;
	assert_int_equal(listen(lfd, 4), 0);
	r = relay_to(l, &t, tlen, &client);
	/* the lowest free descriptor: none below it is free */
	k = dup(0);
	assert_true(k >= 0);
	close(k);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)k;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	cpu = clock();
	tl_loop_run_for(l, 300);
	cpu = clock() - cpu;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	/* a spinning loop would have used about all of the 300 ms */
	if (cpu > CLOCKS_PER_SEC / 10)
		fail_msg("the loop used %ld ms of CPU in 300 ms",
			 (long)(cpu * 1000 / CLOCKS_PER_SEC));
	assert_int_equal(fwdr_conn_count(r), 0);
	for (i = 0; i < 100 && !fwdr_conn_count(r); i++)
		tl_loop_run_for(l, 10);
	assert_int_equal(fwdr_conn_count(r), 1);
	close(client);
	fwdr_close(r);
	close(lfd);
	loop_free(l);
}

/**
 * udp_bound() - a non-blocking UDP socket bound to a free loopback port
 * @family:	AF_INET or AF_INET6
 * @ss:		set to its address and port
 * @len:	set to the address's length
 *
 * Return: the socket (skips the test when IPv6 loopback is off)
 */
static int udp_bound(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = socket(family, SOCK_DGRAM, 0);

	*len = lo_addr(family, 0, ss);
	if (fd < 0 || bind(fd, (struct sockaddr *)ss, *len) < 0) {
		if (family == AF_INET6)
			skip();
		fail_msg("bind: %s", strerror(errno));
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)ss, len), 0);
	nonblock(fd);
	return fd;
}

/**
 * udp_wait() - one datagram from @fd, running the loop meanwhile
 * @l:		loop
 * @fd:		non-blocking UDP socket
 * @buf:	at least 64 bytes, NUL-terminated on return
 * @from:	set to the sender
 * @flen:	set to its length
 *
 * Return: its length, or -1 if none came within a second
 */
static ssize_t udp_wait(struct loop *l, int fd, char *buf,
			struct sockaddr_storage *from, socklen_t *flen)
{
	ssize_t n = -1;
	int i;

	for (i = 0; i < 200 && n < 0; i++) {
		tl_loop_run_for(l, 5);
		*flen = sizeof(*from);
		n = recvfrom(fd, buf, 63, 0, (struct sockaddr *)from, flen);
	}
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/**
 * test_relay_udp() - UDP from IPv4 clients to an IPv6 target, the
 * answers back to the client that sent last; closing frees the port
 * @state:	unused
 */
static void test_relay_udp(void **state)
{
	struct loop *l = loop_new();
	struct sockaddr_storage t, a, from, c;
	socklen_t tlen, alen, flen, clen;
	int target = udp_bound(AF_INET6, &t, &tlen), fd, c1, c2;
	struct fwdr_dgram *d;
	char buf[64];

	(void)state;
	fd = udp_bound(AF_INET, &a, &alen);
	close(fd);
	d = fwdr_dgram_open(l, (struct sockaddr *)&a, alen, 1,
			    (struct sockaddr *)&t, tlen);
	assert_non_null(d);
	c1 = udp_bound(AF_INET, &c, &clen);
	c2 = udp_bound(AF_INET, &c, &clen);
	assert_int_equal(sendto(c1, "ping1", 5, 0, (struct sockaddr *)&a, alen),
			 5);
	assert_int_equal(udp_wait(l, target, buf, &from, &flen), 5);
	assert_string_equal(buf, "ping1");
	assert_int_equal(from.ss_family, AF_INET6);
	assert_int_equal(
	    sendto(target, "pong1", 5, 0, (struct sockaddr *)&from, flen), 5);
	assert_int_equal(udp_wait(l, c1, buf, &c, &clen), 5);
	assert_string_equal(buf, "pong1");
	/* another client sent last: the answer is its */
	assert_int_equal(sendto(c2, "ping2", 5, 0, (struct sockaddr *)&a, alen),
			 5);
	assert_int_equal(udp_wait(l, target, buf, &from, &flen), 5);
	assert_int_equal(
	    sendto(target, "pong2", 5, 0, (struct sockaddr *)&from, flen), 5);
	assert_int_equal(udp_wait(l, c2, buf, &c, &clen), 5);
	assert_string_equal(buf, "pong2");
	assert_int_equal(fwdr_dgram_dropped(d), 0);
	fwdr_dgram_close(d);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, alen), 0);
	close(fd);
	close(c1);
	close(c2);
	close(target);
	loop_free(l);
}

/**
 * main() - run the tests
 *
 * Return: the number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_relay_both_ways),
	    cmocka_unit_test(test_relay_refused),
	    cmocka_unit_test(test_relay_close),
	    cmocka_unit_test(test_relay_dual_stack),
	    cmocka_unit_test(test_relay_no_fds),
	    cmocka_unit_test(test_relay_udp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
