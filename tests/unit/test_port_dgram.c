/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_port_dgram.c - the datagram side of VM ports: Lima's fd-passing
 * socket (real SCM_RIGHTS messages, and connections that pass nothing,
 * garbage, several descriptors or the wrong kind), socket file modes and
 * peer credentials and vfkit's peer learning. Portable: sendmmsg(2)
 * batching and ENOBUFS are in test_port_dgram_linux.c.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/port_ctx.h"

#include "base/loop.h"
#include "packet/peercred.h"
#include "packet/port.h"

/**
 * test_fdpass() - Lima's VZ driver: a datagram socketpair, one end passed
 * with one byte; the connection is closed, the socket lives on
 * @state:	unused
 */
static void test_fdpass(void **state)
{
	struct port_listener *pl;
	char path[128], buf[64];
	int conn, sv[2];
	struct ctx c;

	(void)state;
	ctx_init(&c);
	ctx_path(&c, "fd.sock", path, sizeof(path));
	pl = port_listen_fdpass(c.l, path, ctx_accept, &c);
	assert_non_null(pl);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	conn = connect_to(path, SOCK_STREAM);
	send_fds(conn, &sv[1], 1, "", 1);
	close(sv[1]);
	tl_loop_run_for(c.l, 1000);
	assert_int_equal(c.accepted, 1);
	assert_int_equal(port_listener_stats(pl)->accepted, 1);
	assert_int_equal(recv(conn, buf, sizeof(buf), 0), 0);
	close(conn);
	assert_int_equal(send(sv[0], "hello", 5, 0), 5);
	assert_int_equal(recv(c.fd, buf, sizeof(buf), 0), 5);
	assert_int_equal(send(c.fd, "back", 4, 0), 4);
	assert_int_equal(recv(sv[0], buf, sizeof(buf), 0), 4);
	close(c.fd);
	close(sv[0]);
	port_listener_free(pl);
	ctx_done(&c);
}

/**
 * test_fdpass_odd() - no fd, garbage, a pipe instead of a socket, three
 * fds: closed and counted; only a good one is handed over
 * @state:	unused
 */
static void test_fdpass_odd(void **state)
{
	const struct port_listener_stats *st;
	struct port_listener *pl;
	char path[128], junk[200];
	int conn, sv[2], pp[2], three[3];
	struct ctx c;

	(void)state;
	ctx_init(&c);
	ctx_path(&c, "fd.sock", path, sizeof(path));
	pl = port_listen_fdpass(c.l, path, ctx_accept, &c);
	st = port_listener_stats(pl);

	conn = connect_to(path, SOCK_STREAM); /* closes without an fd */
	close(conn);
	tl_loop_run_for(c.l, 100);
	assert_int_equal(st->no_fd, 1);

	conn = connect_to(path, SOCK_STREAM); /* garbage, no fd */
	memset(junk, 'x', sizeof(junk));
	assert_int_equal(write(conn, junk, sizeof(junk)),
			 (ssize_t)sizeof(junk));
	tl_loop_run_for(c.l, 100);
	assert_int_equal(st->no_fd, 2);
	close(conn);

	assert_int_equal(pipe(pp), 0); /* not a datagram socket */
	conn = connect_to(path, SOCK_STREAM);
	send_fds(conn, &pp[0], 1, "", 1);
	tl_loop_run_for(c.l, 100);
	assert_int_equal(st->bad_fd, 1);
	assert_int_equal(c.accepted, 0);
	close(conn);
	close(pp[0]);
	close(pp[1]);

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	three[0] = sv[1];
	three[1] = dup(sv[1]);
	three[2] = dup(sv[1]);
	conn = connect_to(path, SOCK_STREAM);
	send_fds(conn, three, 3, "", 1);
	close(three[0]);
	close(three[1]);
	close(three[2]);
	tl_loop_run_for(c.l, 1000);
	assert_int_equal(c.accepted, 1);
	assert_int_equal(st->extra_fds, 2);
	assert_int_equal(st->accepted, 1);
	close(conn);
	close(c.fd);
	close(sv[0]);
	port_listener_free(pl);
	ctx_done(&c);
}

/**
 * test_modes_and_peercred() - every socket file is 0600 whatever the
 * umask; the peer of a socketpair is ourselves, and allowed
 * @state:	unused
 */
static void test_modes_and_peercred(void **state)
{
	struct port_listener *a, *b;
	char pa[128], pb[128], pc[128];
	struct stat sb;
	uid_t uid;
	int sv[2], fd;
	struct ctx c;

	(void)state;
	ctx_init(&c);
	ctx_path(&c, "fd.sock", pa, sizeof(pa));
	ctx_path(&c, "bess.sock", pb, sizeof(pb));
	ctx_path(&c, "vfkit.sock", pc, sizeof(pc));
	umask(0);
	a = port_listen_fdpass(c.l, pa, ctx_accept, &c);
	b = port_listen_seqpacket(c.l, pb, ctx_accept, &c);
	fd = port_bind_unixgram(pc);
	umask(022);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(fd >= 0);
	assert_int_equal(stat(pa, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(pb, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(pc, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_true(S_ISSOCK(sb.st_mode));

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(peercred_uid(sv[0], &uid), 0);
	assert_int_equal(uid, geteuid());
	assert_int_equal(peercred_allowed(sv[0], &uid), 1);
	close(sv[0]);
	close(sv[1]);

	/* A seqpacket connection of ours is accepted. */
	sv[0] = connect_to(pb, SOCK_SEQPACKET);
	tl_loop_run_for(c.l, 1000);
	assert_int_equal(c.accepted, 1);
	assert_int_equal(port_listener_stats(b)->refused_uid, 0);
	close(c.fd);
	close(sv[0]);
	close(fd);
	port_listener_free(a);
	port_listener_free(b);
	assert_int_equal(access(pa, F_OK), -1);
	ctx_done(&c);
}

/**
 * vfkit_client() - a datagram socket bound to @path, connected to @srv,
 * as vfkit makes it
 * @path:	the client's socket path
 * @srv:	the server's socket path
 *
 * Return: the descriptor; fails the test if it cannot bind or connect
 */
static int vfkit_client(const char *path, const char *srv)
{
	struct sockaddr_un me, to;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	fill_sun(&me, path);
	fill_sun(&to, srv);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	return fd;
}

/**
 * test_vfkit_peer() - the peer is whoever sent last ("VFKT" included);
 * unnamed senders are dropped; a peer that is gone loses its frames
 * @state:	unused
 */
static void test_vfkit_peer(void **state)
{
	char srv[128], p1[128], p2[128];
	struct sockaddr_un to;
	uint8_t f[60], r[100];
	int c1, c2, anon;
	struct ctx c;

	(void)state;
	ctx_init(&c);
	ctx_path(&c, "vfkit.sock", srv, sizeof(srv));
	ctx_path(&c, "c1", p1, sizeof(p1));
	ctx_path(&c, "c2", p2, sizeof(p2));
	c.p = port_new(c.l, port_bind_unixgram(srv), PORT_DGRAM_PEER, "vfkit",
		       ctx_rx, ctx_close, &c);
	make_frame(f, sizeof(f), 1);
	assert_int_equal(port_send(c.p, f, sizeof(f)), -1);
	assert_int_equal(port_stats(c.p)->tx_no_peer, 1);

	c1 = vfkit_client(p1, srv);
	assert_int_equal(send(c1, "VFKT", 4, 0), 4);
	assert_int_equal(send(c1, f, sizeof(f), 0), (ssize_t)sizeof(f));
	tl_loop_run_for(c.l, 50);
	assert_int_equal(c.frames, 1);
	assert_int_equal(port_stats(c.p)->rx_new_peer, 1);
	assert_int_equal(port_stats(c.p)->rx_bad_len, 0);
	assert_int_equal(port_send(c.p, f, sizeof(f)), 0);
	tl_loop_run_for(c.l, 20);
	assert_int_equal(recv(c1, r, sizeof(r), MSG_DONTWAIT),
			 (ssize_t)sizeof(f));

	c2 = vfkit_client(p2, srv);
	assert_int_equal(send(c2, f, sizeof(f), 0), (ssize_t)sizeof(f));
	tl_loop_run_for(c.l, 50);
	assert_int_equal(port_stats(c.p)->rx_new_peer, 2);
	assert_int_equal(port_send(c.p, f, sizeof(f)), 0);
	tl_loop_run_for(c.l, 20);
	assert_int_equal(recv(c2, r, sizeof(r), MSG_DONTWAIT),
			 (ssize_t)sizeof(f));
	assert_int_equal(recv(c1, r, sizeof(r), MSG_DONTWAIT), -1);

	anon = socket(AF_UNIX, SOCK_DGRAM, 0);
	fill_sun(&to, srv);
	assert_int_equal(
	    sendto(anon, f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to)),
	    (ssize_t)sizeof(f));
	tl_loop_run_for(c.l, 50);
	assert_int_equal(port_stats(c.p)->rx_no_peer, 1);
	assert_int_equal(c.frames, 2);

	/* The peer goes away: its frames are dropped, the port lives. */
	close(c2);
	unlink(p2);
	assert_int_equal(port_send(c.p, f, sizeof(f)), 0);
	tl_loop_run_for(c.l, 20);
	assert_int_equal(port_stats(c.p)->tx_drop_err, 1);
	assert_int_equal(port_send(c.p, f, sizeof(f)), -1);
	assert_int_equal(port_stats(c.p)->tx_no_peer, 2);
	assert_false(c.closed);
	close(c1);
	close(anon);
	ctx_done(&c);
}

/**
 * test_sun_named() - the sender addresses a peer port answers: a path or
 * a Linux abstract name; not Linux's bare family (unbound sender) nor
 * XNU's and FreeBSD's 16-byte sun_noname (all zeros)
 * @state:	unused
 */
static void test_sun_named(void **state)
{
	const socklen_t base = offsetof(struct sockaddr_un, sun_path);
	struct sockaddr_un sun;

	(void)state;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_int_equal(port_sun_named(&sun, 0), 0);
	assert_int_equal(port_sun_named(&sun, base), 0);
	assert_int_equal(port_sun_named(&sun, 16), 0); /* sun_noname */
	assert_int_equal(port_sun_named(&sun, sizeof(sun)), 0);
	assert_int_equal(port_sun_named(&sun, sizeof(sun) + 1), 0);
	memcpy(sun.sun_path, "/tmp/vfkit.sock", 16);
	assert_int_equal(port_sun_named(&sun, base + 16), 1);
	memset(&sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path,
	       "\0"
	       "00a1f",
	       6); /* Linux autobind */
	assert_int_equal(port_sun_named(&sun, base + 6), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fdpass),
	    cmocka_unit_test(test_fdpass_odd),
	    cmocka_unit_test(test_modes_and_peercred),
	    cmocka_unit_test(test_vfkit_peer),
	    cmocka_unit_test(test_sun_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
