/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_port_dgram.c - the datagram side of VM ports: Lima's fd-passing
 * socket (real SCM_RIGHTS messages, and connections that pass nothing,
 * garbage, several descriptors or the wrong kind), socket file modes and
 * peer credentials, vfkit's peer learning, sendmmsg(2) batching, and
 * ENOBUFS/EAGAIN with a peer that never reads: the port must not spin.
 *
 * sendmmsg(2) is interposed (this executable defines it): the test counts
 * calls and the datagrams per call, and can make it fail with ENOBUFS as
 * macOS does, since Linux unix sockets never return it.
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
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/loop.h"
#include "packet/peercred.h"
#include "packet/port.h"
#include "tests/unit/testlib.h"

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
 * struct ctx - what the callbacks saw
 * @l:		loop
 * @p:		port under test, or NULL
 * @frames:	frames received from the port
 * @closed:	the port died
 * @accepted:	connections or descriptors a listener handed over
 * @fd:		the last of them
 * @dir:	temporary directory for socket files
 */
struct ctx {
	struct loop *l;
	struct port *p;
	int frames;
	int closed;
	int accepted;
	int fd;
	char dir[64];
};

/**
 * ctx_rx() - port callback: count a frame whose first byte is its length
 * @arg:	the struct ctx
 * @p:		unused
 * @frame:	the frame
 * @len:	its length
 */
static void ctx_rx(void *arg, struct port *p, const uint8_t *frame, size_t len)
{
	struct ctx *c = arg;

	(void)p;
	assert_int_equal(frame[0], (uint8_t)len);
	c->frames++;
}

/**
 * ctx_close() - port callback: note the port died
 * @arg:	the struct ctx
 * @p:		unused
 */
static void ctx_close(void *arg, struct port *p)
{
	struct ctx *c = arg;

	(void)p;
	c->closed = 1;
}

/**
 * ctx_accept() - listener callback: keep the descriptor, stop the loop
 * @arg:	the struct ctx
 * @fd:		the accepted connection
 */
static void ctx_accept(void *arg, int fd)
{
	struct ctx *c = arg;

	c->accepted++;
	c->fd = fd;
	loop_stop(c->l);
}

/**
 * ctx_init() - a loop, a temporary directory, sendmmsg(2) counters reset
 * @c:		context, reset
 */
static void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->l = loop_new();
	assert_non_null(tl_mkdtemp(c->dir, sizeof(c->dir), "tpd"));
	mmsg_errno = 0;
	mmsg_calls = 0;
	mmsg_max = 0;
}

/**
 * ctx_done() - free the port and the loop, remove the directory
 * @c:		context
 */
static void ctx_done(struct ctx *c)
{
	port_free(c->p);
	loop_free(c->l);
	assert_int_equal(tl_rm_rf(c->dir), 0);
}

/**
 * ctx_path() - a path in the test's temporary directory
 * @c:		context
 * @name:	file name
 * @out:	set to the path
 * @len:	size of @out
 */
static void ctx_path(const struct ctx *c, const char *name, char *out,
		     size_t len)
{
	snprintf(out, len, "%s/%s", c->dir, name);
}

/**
 * fill_sun() - a unix socket address for @path
 * @sun:	set to the address
 * @path:	socket path, shorter than sun_path
 */
static void fill_sun(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sun->sun_path));
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

/**
 * connect_to() - a unix socket of @type connected to @path
 * @path:	socket path
 * @type:	SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
 *
 * Return: the connected descriptor; fails the test if it cannot connect
 */
static int connect_to(const char *path, int type)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, type, 0);

	fill_sun(&sun, path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/**
 * send_fds() - one message: @len bytes of data and @n descriptors
 * with SCM_RIGHTS
 * @conn:	connected unix socket
 * @fds:	descriptors to pass
 * @n:		how many
 * @data:	payload
 * @len:	its length
 */
static void send_fds(int conn, const int *fds, int n, const char *data,
		     size_t len)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {(void *)data, len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;

	memset(&ctl, 0, sizeof(ctl));
	if (n) {
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, (size_t)n * sizeof(int));
	}
	assert_int_equal(sendmsg(conn, &msg, 0), (ssize_t)len);
}

/**
 * make_frame() - a frame of @len bytes: its length byte, then @seq
 * @f:		buffer, @len bytes
 * @len:	frame length, at most 255
 * @seq:	sequence number
 */
static void make_frame(uint8_t *f, size_t len, uint8_t seq)
{
	memset(f, 0, len);
	f[0] = (uint8_t)len;
	f[1] = seq;
}

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

/**
 * main() - run this file's tests with cmocka
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed, else
 * how many failed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fdpass),
	    cmocka_unit_test(test_fdpass_odd),
	    cmocka_unit_test(test_modes_and_peercred),
	    cmocka_unit_test(test_vfkit_peer),
	    cmocka_unit_test(test_enobufs),
	    cmocka_unit_test(test_never_reads_connected),
	    cmocka_unit_test(test_never_reads_vfkit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
