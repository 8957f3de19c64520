/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port_ctx.h - what the datagram port tests share: a loop with a port
 * under test, the callbacks that count what it delivers, a temporary
 * directory for socket files, and frames that carry their own length.
 * test_port_dgram.c (portable) and test_port_dgram_linux.c (sendmmsg(2)
 * interposed) include it.
 */
#ifndef USERNETD_TEST_PORT_CTX_H
#define USERNETD_TEST_PORT_CTX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/loop.h"
#include "tests/unit/testlib.h"
#include "packet/port.h"

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
static inline void ctx_rx(void *arg, struct port *p, const uint8_t *frame,
			  size_t len)
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
static inline void ctx_close(void *arg, struct port *p)
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
static inline void ctx_accept(void *arg, int fd)
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
static inline void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->l = loop_new();
	snprintf(c->dir, sizeof(c->dir), "/tmp/tpd.XXXXXX");
	assert_non_null(mkdtemp(c->dir));
}

/**
 * ctx_done() - free the port and the loop, remove the directory
 * @c:		context
 */
static inline void ctx_done(struct ctx *c)
{
	char cmd[128];

	port_free(c->p);
	loop_free(c->l);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", c->dir);
	assert_int_equal(system(cmd), 0);
}

/**
 * ctx_path() - a path in the test's temporary directory
 * @c:		context
 * @name:	file name
 * @out:	set to the path
 * @len:	size of @out
 */
static inline void ctx_path(const struct ctx *c, const char *name, char *out,
			    size_t len)
{
	snprintf(out, len, "%s/%s", c->dir, name);
}

/**
 * fill_sun() - a unix socket address for @path
 * @sun:	set to the address
 * @path:	socket path, shorter than sun_path
 */
static inline void fill_sun(struct sockaddr_un *sun, const char *path)
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
static inline int connect_to(const char *path, int type)
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
static inline void send_fds(int conn, const int *fds, int n, const char *data,
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
static inline void make_frame(uint8_t *f, size_t len, uint8_t seq)
{
	memset(f, 0, len);
	f[0] = (uint8_t)len;
	f[1] = seq;
}

#endif /* USERNETD_TEST_PORT_CTX_H */
