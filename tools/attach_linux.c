/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attach_linux.c - `usernetctl attach`: create a TAP device in the current
 * network namespace and relay its frames to and from a usernetd socket in
 * QEMU's stream framing (4-byte big-endian length, then the frame).
 *
 * Owns the relay. Two threads, one per direction, with blocking I/O:
 *
 * - up (TAP to socket): reads frames from the non-blocking TAP descriptor
 *   straight into a batch buffer, each behind room for its length header,
 *   and keeps reading while the TAP has more (up to ATTACH_BATCH_FRAMES
 *   frames or ATTACH_BATCH_BYTES bytes); then the whole batch goes to the
 *   socket in one send(2). It waits in poll(2) only when the TAP is empty,
 *   and right after sending a batch that emptied it.
 * - down (socket to TAP): reads the socket in large chunks and writes each
 *   complete frame to the TAP with one write(2), straight from the chunk;
 *   only the tail of a frame cut by the chunk boundary is ever moved.
 *
 * Other transports (--fd-socket, --vfkit, --bess) carry one frame per
 * datagram or seqpacket message instead: up sends each TAP frame with one
 * send(2), down writes each message received to the TAP. --fd-socket does
 * what Lima's VZ driver does: socketpair(AF_UNIX, SOCK_DGRAM), one end
 * passed to usernetd with SCM_RIGHTS and one dummy byte. --vfkit binds a
 * datagram socket next to usernetd's, connects it and says "VFKT" first,
 * as vfkit does. A datagram socket shows no end of connection: the relay
 * ends when a send fails (usernetd gone) or on a signal.
 *
 * No allocation per frame, no copy in user space on either path. The main
 * thread waits for a signal: SIGINT, SIGTERM or SIGHUP from outside, or
 * SIGUSR1 from a relay thread that has finished. It then stops the other
 * thread (an eventfd wakes its poll(2), shutdown(2) wakes socket I/O) and
 * exits; the TAP device disappears when its descriptor closes.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tools/attach.h"
#include "tools/attach_int.h"
#include "base/log.h"
#include "base/mac.h"
#include "packet/tap_linux.h"
#include "base/xalloc.h"

/* Stop reading the TAP and send the batch after this many frames... */
#define ATTACH_BATCH_FRAMES 64
/* ...or once the batch holds this many bytes. */
#define ATTACH_BATCH_BYTES (256 * 1024)
/* Room a TAP read needs: largest frame, a VLAN tag, slack to see excess. */
#define ATTACH_READ_ROOM (ATTACH_FRAME_MAX + 64)
/* Largest record on the socket: header and largest frame. */
#define ATTACH_REC_MAX (ATTACH_HDR_LEN + ATTACH_FRAME_MAX)
/* Socket read size on the down path. */
#define ATTACH_CHUNK (256 * 1024)
/* MTU range accepted: IPv4's minimum up to what the framing can carry. */
#define ATTACH_MTU_MIN 68
#define ATTACH_MTU_MAX (ATTACH_FRAME_MAX - 14)

/* At most one line about dropped frames per this many ms. */
#define ATTACH_DROP_LOG_MS 1000
/* Sleep before retrying a send that failed with ENOBUFS, as Lima. */
#define ATTACH_NOBUFS_US 100

/**
 * attach_frame_next() - look at the next record of a QEMU stream
 * @buf:	bytes received, starting at a record boundary
 * @len:	number of bytes in @buf
 * @frame_len:	set to the frame length announced by the header, once
 *		@len covers the header
 *
 * Return: 1 if @buf starts with a complete record (header and frame of
 * *@frame_len bytes), 0 if more bytes are needed, -1 if the header
 * announces a length outside ATTACH_FRAME_MIN..ATTACH_FRAME_MAX
 */
int attach_frame_next(const uint8_t *buf, size_t len, size_t *frame_len)
{
	uint32_t n;

	if (len < ATTACH_HDR_LEN)
		return 0;
	n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	*frame_len = n;
	if (n < ATTACH_FRAME_MIN || n > ATTACH_FRAME_MAX)
		return -1;
	return len - ATTACH_HDR_LEN >= n;
}

/**
 * attach_parse_mac() - parse a MAC address in XX:XX:XX:XX:XX:XX form
 * @s:		text, exactly six pairs of hexadecimal digits joined by ':'
 * @mac:	set to the address on success
 *
 * Return: 0 on success, -1 if @s is malformed, -2 if it is well formed
 * but not a unicast address a device can take (multicast bit, all zeros)
 */
int attach_parse_mac(const char *s, uint8_t mac[6])
{
	if (mac_parse(s, ':', mac))
		return -1;
	if (mac[0] & 1)
		return -2;
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return -2;
	return 0;
}

/**
 * attach_now_ms() - the monotonic clock, for the drop throttle
 *
 * Return: milliseconds since an arbitrary start
 */
static int64_t attach_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * attach_count_drop() - count a dropped frame
 * @d:		direction that dropped it
 *
 * Every drop is counted in @d->drops; at most one drop per ATTACH_DROP_LOG_MS
 * is logged, so a flood of drops costs a few lines, not one per frame.
 *
 * Return: 0 if this drop is not to be logged, else 1 plus the drops not
 * logged since the last line (log_rate_due())
 */
static uint64_t attach_count_drop(struct attach_dir *d)
{
	d->drops++;
	return log_rate_due(&d->drop_log, attach_now_ms(), ATTACH_DROP_LOG_MS);
}

/**
 * attach_finish() - end a direction and tell the main thread
 * @d:		direction
 * @status:	ATTACH_EXIT_OK or ATTACH_EXIT_ERR
 *
 * Return: NULL, for the thread's return value
 */
static void *attach_finish(struct attach_dir *d, int status)
{
	d->status = atomic_load(&d->a->stop) ? ATTACH_EXIT_OK : status;
	pthread_kill(d->a->main, SIGUSR1);
	return NULL;
}

/**
 * attach_wait() - wait until a descriptor is ready or the relay stops
 * @a:		relay
 * @fd:		descriptor
 * @events:	POLLIN or POLLOUT
 *
 * Return: 0 when @fd may be ready (or reports an error, which the next
 * read or write returns), -1 when the relay is stopping
 */
static int attach_wait(struct attach *a, int fd, short events)
{
	struct pollfd pfd[2] = {
	    {.fd = fd, .events = events},
	    {.fd = a->wake, .events = POLLIN},
	};

	for (;;) {
		if (atomic_load(&a->stop))
			return -1;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[1].revents)
			return -1;
		if (pfd[0].revents)
			return 0;
	}
}

/**
 * attach_send() - send a whole batch to the socket
 * @d:		the up direction
 * @len:	bytes of @d->buf to send
 *
 * Return: 0 on success, 1 if usernetd closed the connection, -1 on error
 */
static int attach_send(struct attach_dir *d, size_t len)
{
	const uint8_t *p = d->buf;
	ssize_t n;

	while (len) {
		n = send(d->a->sock, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE || errno == ECONNRESET)
				return 1;
			if (!atomic_load(&d->a->stop))
				log_warn("cannot send to usernetd");
			return -1;
		}
		d->calls++;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * attach_up() - thread relaying frames from the TAP to the socket
 * @arg:	the up direction, struct attach_dir
 *
 * Return: NULL
 */
static void *attach_up(void *arg)
{
	struct attach_dir *d = arg;
	struct attach *a = d->a;
	size_t off = 0, count = 0;
	bool drained = false;
	uint8_t *rec;
	ssize_t n;
	int r;

	for (;;) {
		if (off && (drained || count >= ATTACH_BATCH_FRAMES ||
			    off >= ATTACH_BATCH_BYTES)) {
			r = attach_send(d, off);
			if (r)
				return attach_finish(d, r > 0
							    ? ATTACH_EXIT_OK
							    : ATTACH_EXIT_ERR);
			off = count = 0;
			/* The TAP was empty before the send: wait at once
			 * rather than read it again, which found nothing 9
			 * times in 10 (one system call per batch saved). */
			if (drained && attach_wait(a, a->tap, POLLIN))
				return attach_finish(d, ATTACH_EXIT_OK);
			drained = false;
		}

		rec = d->buf + off;
		n = read(a->tap, rec + ATTACH_HDR_LEN,
			 d->cap - off - ATTACH_HDR_LEN);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if (off) {
					/* TAP drained: send what we have. */
					drained = true;
					continue;
				}
				if (attach_wait(a, a->tap, POLLIN))
					return attach_finish(d, ATTACH_EXIT_OK);
				continue;
			}
			if (atomic_load(&a->stop))
				; /* Stopping anyway. */
			else if (errno == EBADFD)
				log_warnx("the TAP device was deleted");
			else
				log_warn("cannot read from the TAP device");
			return attach_finish(d, ATTACH_EXIT_ERR);
		}
		if (n < ATTACH_FRAME_MIN || n > ATTACH_FRAME_MAX) {
			uint64_t told = attach_count_drop(d);

			if (told)
				log_debug("dropped a %zd-byte frame from the "
					  "TAP (%llu so far, %llu not logged)",
					  n, (unsigned long long)d->drops,
					  (unsigned long long)(told - 1));
			continue;
		}
		rec[0] = (uint8_t)(n >> 24);
		rec[1] = (uint8_t)(n >> 16);
		rec[2] = (uint8_t)(n >> 8);
		rec[3] = (uint8_t)n;
		off += ATTACH_HDR_LEN + (size_t)n;
		count++;
		d->frames++;
		d->bytes += (uint64_t)n;
	}
}

/**
 * attach_tap_write() - write one frame to the TAP
 * @d:		the down direction
 * @frame:	Ethernet frame
 * @len:	its length
 *
 * Frames the TAP refuses (device down, no memory, malformed) are counted
 * and dropped, as a network would; a TAP that is gone is an error.
 *
 * Return: 0 if the frame was written or dropped, -1 on a fatal error or
 * when the relay is stopping
 */
static int attach_tap_write(struct attach_dir *d, const uint8_t *frame,
			    size_t len)
{
	ssize_t n;

	for (;;) {
		n = write(d->a->tap, frame, len);
		if (n >= 0)
			break;
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN:
			if (attach_wait(d->a, d->a->tap, POLLOUT))
				return -1;
			continue;
		case EIO:
		case EINVAL:
		case EMSGSIZE:
		case ENOMEM:
		case ENOBUFS: {
			int e = errno;
			uint64_t told = attach_count_drop(d);

			if (told)
				log_debug("TAP refused a %zu-byte frame (%llu "
					  "so far, %llu not logged): %s",
					  len, (unsigned long long)d->drops,
					  (unsigned long long)(told - 1),
					  strerror(e));
			return 0;
		}
		case EBADFD:
			if (!atomic_load(&d->a->stop))
				log_warnx("the TAP device was deleted");
			return -1;
		default:
			if (!atomic_load(&d->a->stop))
				log_warn("cannot write to the TAP device");
			return -1;
		}
	}
	d->frames++;
	d->bytes += len;
	return 0;
}

/**
 * attach_down() - thread relaying frames from the socket to the TAP
 * @arg:	the down direction, struct attach_dir
 *
 * Return: NULL
 */
static void *attach_down(void *arg)
{
	struct attach_dir *d = arg;
	struct attach *a = d->a;
	size_t start = 0, end = 0, flen = 0;
	ssize_t n;
	int r;

	for (;;) {
		while ((r = attach_frame_next(d->buf + start, end - start,
					      &flen)) > 0) {
			if (attach_tap_write(d, d->buf + start + ATTACH_HDR_LEN,
					     flen))
				return attach_finish(d, ATTACH_EXIT_ERR);
			start += ATTACH_HDR_LEN + flen;
		}
		if (r < 0) {
			if (!atomic_load(&a->stop))
				log_warnx("usernetd sent a frame length of %zu "
					  "bytes (valid: %d to %d): closing",
					  flen, ATTACH_FRAME_MIN,
					  ATTACH_FRAME_MAX);
			return attach_finish(d, ATTACH_EXIT_ERR);
		}

		if (start == end) {
			start = end = 0;
		} else if (d->cap - end < ATTACH_REC_MAX) {
			/* Move the partial record to the front. */
			memmove(d->buf, d->buf + start, end - start);
			end -= start;
			start = 0;
		}

		n = read(a->sock, d->buf + end, d->cap - end);
		if (n > 0) {
			d->calls++;
			end += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != ECONNRESET) {
			if (!atomic_load(&a->stop))
				log_warn("cannot read from usernetd");
			return attach_finish(d, ATTACH_EXIT_ERR);
		}
		if (atomic_load(&a->stop))
			; /* Our own shutdown(2). */
		else if (end > start)
			log_warnx("usernetd closed the connection in the "
				  "middle of a frame");
		else
			log_debug("usernetd closed the connection");
		return attach_finish(d, ATTACH_EXIT_OK);
	}
}

/**
 * attach_send_msg() - send one frame as one datagram or message
 * @d:		the up direction
 * @frame:	the frame
 * @len:	its length
 *
 * ENOBUFS (macOS under load) is retried after ATTACH_NOBUFS_US, as Lima
 * does; the socket is blocking, so a full receiver makes send(2) wait.
 *
 * Return: 0 on success, 1 if usernetd is gone, -1 on error
 */
static int attach_send_msg(struct attach_dir *d, const uint8_t *frame,
			   size_t len)
{
	for (;;) {
		if (send(d->a->sock, frame, len, MSG_NOSIGNAL) >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS && !atomic_load(&d->a->stop)) {
			usleep(ATTACH_NOBUFS_US);
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET ||
		    errno == ECONNREFUSED || errno == ENOTCONN)
			return 1;
		if (!atomic_load(&d->a->stop))
			log_warn("cannot send to usernetd");
		return -1;
	}
	d->calls++;
	d->frames++;
	d->bytes += len;
	return 0;
}

/**
 * attach_up_msg() - thread relaying TAP frames, one datagram or message
 * each (--fd-socket, --vfkit, --bess)
 * @arg:	the up direction, struct attach_dir
 *
 * Return: NULL
 */
static void *attach_up_msg(void *arg)
{
	struct attach_dir *d = arg;
	struct attach *a = d->a;
	ssize_t n;
	int r;

	for (;;) {
		n = read(a->tap, d->buf, d->cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (attach_wait(a, a->tap, POLLIN))
				return attach_finish(d, ATTACH_EXIT_OK);
			continue;
		}
		if (n < 0) {
			if (!atomic_load(&a->stop))
				log_warn("cannot read from the TAP device");
			return attach_finish(d, ATTACH_EXIT_ERR);
		}
		if (n < ATTACH_FRAME_MIN || n > ATTACH_FRAME_MAX) {
			attach_count_drop(d);
			continue;
		}
		r = attach_send_msg(d, d->buf, (size_t)n);
		if (r)
			return attach_finish(d, r > 0 ? ATTACH_EXIT_OK
						      : ATTACH_EXIT_ERR);
	}
}

/**
 * attach_down_msg() - thread writing each datagram or message from
 * usernetd to the TAP (--fd-socket, --vfkit, --bess)
 * @arg:	the down direction, struct attach_dir
 *
 * Return: NULL
 */
static void *attach_down_msg(void *arg)
{
	struct attach_dir *d = arg;
	struct attach *a = d->a;
	ssize_t n;

	for (;;) {
		n = recv(a->sock, d->buf, d->cap, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (!atomic_load(&a->stop) && errno != ECONNRESET)
				log_warn("cannot read from usernetd");
			return attach_finish(d, errno == ECONNRESET
						    ? ATTACH_EXIT_OK
						    : ATTACH_EXIT_ERR);
		}
		if (atomic_load(&a->stop) || (n == 0 && a->mode == ATTACH_BESS))
			return attach_finish(d, ATTACH_EXIT_OK);
		if (n < ATTACH_FRAME_MIN || n > ATTACH_FRAME_MAX) {
			attach_count_drop(d);
			continue;
		}
		d->calls++;
		if (attach_tap_write(d, d->buf, (size_t)n))
			return attach_finish(d, ATTACH_EXIT_ERR);
	}
}

/**
 * attach_signals() - block the signals that end the relay
 * @set:	filled with them: SIGINT, SIGTERM, SIGHUP, and SIGUSR1 (a
 *		relay thread's "a side closed")
 *
 * Called before the socket and the TAP are opened: a SIGTERM during that
 * set-up then waits for the relay's sigwait() and ends it with status 0,
 * instead of killing the process half set up. Threads inherit the mask,
 * so only that sigwait() takes these.
 */
static void attach_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

/**
 * attach_relay() - run the relay until a side closes or a signal comes
 * @a:		relay, with @a->tap and @a->sock open
 * @set:	the signals that end it, blocked (attach_signals())
 *
 * Return: ATTACH_EXIT_OK or ATTACH_EXIT_ERR
 */
static int attach_relay(struct attach *a, const sigset_t *set)
{
	struct attach_dir *dirs[2] = {&a->up, &a->down};
	void *(*fns[2])(void *) = {attach_up, attach_down};
	int i, sig, started = 0, status = ATTACH_EXIT_OK;
	uint64_t one = 1;

	a->main = pthread_self();
	a->wake = eventfd(0, EFD_CLOEXEC);
	if (a->wake < 0) {
		log_warn("cannot create an eventfd");
		return ATTACH_EXIT_ERR;
	}
	for (i = 0; i < 2; i++) {
		dirs[i]->a = a;
		dirs[i]->buf = xmalloc(dirs[i]->cap);
	}
	if (a->mode != ATTACH_STREAM) {
		fns[0] = attach_up_msg;
		fns[1] = attach_down_msg;
	}
	for (i = 0; i < 2; i++) {
		errno = pthread_create(&dirs[i]->thread, NULL, fns[i], dirs[i]);
		if (errno) {
			log_warn("cannot start a relay thread");
			status = ATTACH_EXIT_ERR;
			goto stop;
		}
		started++;
	}

	if (sigwait(set, &sig) == 0 && sig != SIGUSR1)
		log_debug("got signal %d, stopping", sig);

stop:
	atomic_store(&a->stop, 1);
	if (write(a->wake, &one, sizeof(one)) < 0)
		log_warn("cannot wake the relay threads");
	shutdown(a->sock, SHUT_RDWR);
	for (i = 0; i < started; i++) {
		pthread_join(dirs[i]->thread, NULL);
		if (dirs[i]->status != ATTACH_EXIT_OK)
			status = dirs[i]->status;
	}
	for (i = 0; i < 2; i++) {
		if (i < started)
			log_debug("%s: %llu frames, %llu bytes, %llu dropped, "
				  "%llu socket %s",
				  dirs[i]->name,
				  (unsigned long long)dirs[i]->frames,
				  (unsigned long long)dirs[i]->bytes,
				  (unsigned long long)dirs[i]->drops,
				  (unsigned long long)dirs[i]->calls,
				  dirs[i] == &a->up ? "sends" : "reads");
		free(dirs[i]->buf);
		dirs[i]->buf = NULL;
	}
	close(a->wake);
	return status;
}

/**
 * attach_close() - close the connection to usernetd, remove our socket
 * file (--vfkit)
 * @a:		relay
 */
static void attach_close(struct attach *a)
{
	if (a->sock >= 0)
		close(a->sock);
	if (a->ctl >= 0)
		close(a->ctl);
	if (a->bound[0])
		unlink(a->bound);
	a->sock = a->ctl = -1;
	a->bound[0] = '\0';
}

/**
 * attach_bad_usage() - report bad usage of `usernetctl attach`
 * @what:	what is wrong, one line without newline
 *
 * Return: ATTACH_EXIT_USAGE
 */
static int attach_bad_usage(const char *what)
{
	fprintf(stderr,
		"usernetctl attach: %s\n"
		"usage: usernetctl attach [-v] [--mtu N] "
		"[--mac XX:XX:XX:XX:XX:XX] --tap IFNAME\n"
		"       {SOCKET | --fd-socket PATH | --vfkit PATH | "
		"--bess PATH}\n"
		"Try 'usernetctl attach --help'.\n",
		what);
	return ATTACH_EXIT_USAGE;
}

/**
 * attach_usage() - print the usage of `usernetctl attach`
 * @f:		stream: stdout for --help, stderr for errors
 */
static void attach_usage(FILE *f)
{
	fprintf(f,
		"usage: usernetctl attach [-v] [--mtu N] "
		"[--mac XX:XX:XX:XX:XX:XX] --tap IFNAME\n"
		"       {SOCKET | --fd-socket PATH | --vfkit PATH | "
		"--bess PATH}\n"
		"\n"
		"Create TAP device IFNAME in the current network namespace, "
		"bring it up and\n"
		"relay its frames to and from the usernetd socket SOCKET "
		"(QEMU stream framing)\n"
		"until either side closes or SIGINT/SIGTERM.\n"
		"\n"
		"  --fd-socket PATH   instead, do what Lima's VZ driver does: "
		"pass one end of a\n"
		"                     datagram socketpair to usernetd's "
		"--listen socket PATH\n"
		"  --vfkit PATH       instead, do what vfkit does: send "
		"datagrams to usernetd's\n"
		"                     --listen-vfkit socket PATH from a socket "
		"bound to PATH.PID\n"
		"  --bess PATH        instead, connect to usernetd's "
		"--listen-bess seqpacket\n"
		"                     socket PATH\n"
		"  -t, --tap IFNAME   name of the TAP device to create\n"
		"  -m, --mtu N        MTU of the device, %d to %d "
		"(default: the kernel's, 1500)\n"
		"  -a, --mac MAC      MAC address of the device "
		"(default: random)\n"
		"  -v, --verbose      report progress and counters on stderr\n"
		"  -h, --help         show this help\n",
		ATTACH_MTU_MIN, ATTACH_MTU_MAX);
}

/**
 * attach_main() - entry point of `usernetctl attach`
 * @argc:	argument count, argv[0] being "attach"
 * @argv:	arguments
 *
 * Return: exit status: 0 when the relay ended because usernetd closed the
 * connection or on SIGINT/SIGTERM/SIGHUP, 1 on a failure, 2 on bad usage
 */
int attach_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"tap", required_argument, NULL, 't'},
	    {"mtu", required_argument, NULL, 'm'},
	    {"mac", required_argument, NULL, 'a'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"fd-socket", required_argument, NULL, 'F'},
	    {"vfkit", required_argument, NULL, 'V'},
	    {"bess", required_argument, NULL, 'B'},
	    {NULL, 0, NULL, 0},
	};
	struct attach a = {
	    .tap = -1,
	    .sock = -1,
	    .ctl = -1,
	    .up = {.name = "up",
		   .cap =
		       ATTACH_BATCH_BYTES + ATTACH_HDR_LEN + ATTACH_READ_ROOM},
	    .down = {.name = "down", .cap = ATTACH_CHUNK + ATTACH_REC_MAX},
	};
	const char *ifname = NULL, *path = NULL;
	uint8_t mac[TAP_MAC_LEN];
	int c, r, mtu = 0, have_mac = 0, verbose = 0, status;
	char err[256], msg[128], *end;
	sigset_t set;
	long v;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":t:m:a:vh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			ifname = optarg;
			if (!*ifname || strlen(ifname) >= IFNAMSIZ) {
				snprintf(msg, sizeof(msg),
					 "invalid interface name \"%s\" "
					 "(1 to %d characters)",
					 ifname, IFNAMSIZ - 1);
				return attach_bad_usage(msg);
			}
			break;
		case 'm':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end ||
			    v < ATTACH_MTU_MIN || v > ATTACH_MTU_MAX) {
				snprintf(msg, sizeof(msg),
					 "invalid MTU \"%s\" (%d to %d)",
					 optarg, ATTACH_MTU_MIN,
					 ATTACH_MTU_MAX);
				return attach_bad_usage(msg);
			}
			mtu = (int)v;
			break;
		case 'a':
			r = attach_parse_mac(optarg, mac);
			if (r == -2) {
				snprintf(msg, sizeof(msg),
					 "%s is not a unicast MAC address",
					 optarg);
				return attach_bad_usage(msg);
			} else if (r) {
				snprintf(msg, sizeof(msg),
					 "invalid MAC address \"%s\" (want "
					 "XX:XX:XX:XX:XX:XX)",
					 optarg);
				return attach_bad_usage(msg);
			}
			have_mac = 1;
			break;
		case 'F':
		case 'V':
		case 'B':
			if (path)
				return attach_bad_usage(
				    "give one of --fd-socket, --vfkit, --bess");
			path = optarg;
			a.mode = c == 'F'   ? ATTACH_FDPASS
				 : c == 'V' ? ATTACH_VFKIT
					    : ATTACH_BESS;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			attach_usage(stdout);
			return ATTACH_EXIT_OK;
		case ':':
		default:
			/* A long option is named by its word, a short one
			 * (maybe grouped, as in -vx) by optopt. */
			if (!strncmp(argv[optind - 1], "--", 2))
				snprintf(msg, sizeof(msg), "%s %s",
					 c == ':' ? "missing value for option"
						  : "unknown option",
					 argv[optind - 1]);
			else
				snprintf(msg, sizeof(msg), "%s -%c",
					 c == ':' ? "missing value for option"
						  : "unknown option",
					 optopt);
			return attach_bad_usage(msg);
		}
	}
	if (!ifname)
		return attach_bad_usage("--tap IFNAME is required");
	if (optind == argc && !path)
		return attach_bad_usage("SOCKET is required");
	if (optind < argc - (path ? 0 : 1))
		return attach_bad_usage("too many arguments");
	if (!path)
		path = argv[optind];

	log_init("usernetctl", verbose);

	attach_signals(&set);
	if (attach_open(&a, path)) {
		attach_close(&a);
		return ATTACH_EXIT_ERR;
	}
	a.tap = tap_open_mac(NULL, ifname, mtu, have_mac ? mac : NULL, err,
			     sizeof(err));
	if (a.tap < 0) {
		log_warnx("%s", err);
		attach_close(&a);
		return ATTACH_EXIT_ERR;
	}
	if (mtu)
		log_debug("relaying TAP %s (MTU %d) to %s", ifname, mtu, path);
	else
		log_debug("relaying TAP %s (default MTU) to %s", ifname, path);

	status = attach_relay(&a, &set);
	close(a.tap);
	attach_close(&a);
	return status;
}
