/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attach_int.h - what the relay (attach_linux.c) and the ways to reach
 * usernetd (attach_sock_linux.c) share: the relay's state and exit
 * statuses. Not for other modules: they use attach.h.
 */
#ifndef USERNETD_ATTACH_INT_H
#define USERNETD_ATTACH_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/un.h>

#include "base/log.h"

/* Socket buffer sizes asked for (the kernel may cap them). */
#define ATTACH_SOCKBUF (4 * 1024 * 1024)

/* The dummy byte that carries the passed descriptor, as Lima sends it. */
#define ATTACH_FD_BYTE 0
/* Socket buffers Lima's VZ driver asks for on its socketpair. */
#define ATTACH_VZ_SNDBUF (1024 * 1024)
#define ATTACH_VZ_RCVBUF (4 * 1024 * 1024)

/**
 * enum attach_mode - how the relay reaches usernetd
 * @ATTACH_STREAM:	QEMU stream framing on a unix stream socket
 * @ATTACH_FDPASS:	a datagram socketpair, one end passed (Lima VZ)
 * @ATTACH_VFKIT:	a bound datagram socket sending to usernetd's
 * @ATTACH_BESS:	a seqpacket connection
 */
enum attach_mode {
	ATTACH_STREAM,
	ATTACH_FDPASS,
	ATTACH_VFKIT,
	ATTACH_BESS,
};

/* Exit statuses. */
#define ATTACH_EXIT_OK	  0
#define ATTACH_EXIT_ERR	  1
#define ATTACH_EXIT_USAGE 2

struct attach;

/**
 * struct attach_dir - one direction of the relay, run by its own thread
 * @a:		the relay this direction belongs to
 * @name:	"up" (TAP to socket) or "down" (socket to TAP), for messages
 * @thread:	thread running it
 * @buf:	batch (up) or chunk (down) buffer
 * @cap:	size of @buf
 * @status:	ATTACH_EXIT_OK if it ended because the peer closed or it
 *		was stopped, ATTACH_EXIT_ERR on a failure
 * @frames:	frames relayed
 * @bytes:	frame bytes relayed, headers not counted
 * @drops:	frames dropped (bad size from the TAP, refused by the TAP)
 * @calls:	socket system calls that moved data: send(2) of a batch
 *		(up) or read(2) of a chunk (down)
 * @drop_log:	throttle of the lines about dropped frames
 */
struct attach_dir {
	struct attach *a;
	const char *name;
	pthread_t thread;
	uint8_t *buf;
	size_t cap;
	int status;
	uint64_t frames;
	uint64_t bytes;
	uint64_t drops;
	uint64_t calls;
	struct log_rate drop_log;
};

/**
 * struct attach - the relay
 * @tap:	TAP descriptor, non-blocking
 * @sock:	connection to usernetd, blocking
 * @mode:	transport
 * @ctl:	--fd-socket: the stream connection that passed the other
 *		end (kept open, as Lima does), else -1
 * @bound:	--vfkit: our socket's path, removed at exit, else ""
 * @wake:	eventfd, readable once the relay is stopping
 * @main:	thread waiting for signals, told by SIGUSR1 when a direction
 *		ends
 * @stop:	set once the relay is stopping: errors after that are not
 *		reported
 * @up:		TAP to socket
 * @down:	socket to TAP
 */
struct attach {
	int tap;
	int sock;
	enum attach_mode mode;
	int ctl;
	char bound[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int wake;
	pthread_t main;
	atomic_int stop;
	struct attach_dir up;
	struct attach_dir down;
};

int attach_open(struct attach *a, const char *path);
int attach_connect(const char *path);

#endif /* USERNETD_ATTACH_INT_H */
