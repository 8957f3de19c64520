// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench/relay1.c - the attach relay of bench/run's fair method: it joins a
 * TAP device in the current network namespace to a QEMU stream socket and
 * moves frames exactly as QEMU's `-netdev stream` backend does
 * (net/stream.c), so that every system that takes a stream socket
 * (usernetd --listen-qemu, passt -s, gvisor-tap-vsock) sees the same
 * writer. Not part of usernetd: bench/run compiles it into its scratch
 * directory, as it does bench/netload.c. Linux only (a TAP device).
 *
 *   relay1 TAPNAME SOCKPATH
 *
 * - up (TAP to socket): each frame read from the TAP goes out with ONE
 *   writev(2) of its 4-byte big-endian length and the frame, as QEMU's
 *   net_stream_receive() does: never two frames in one write (unlike
 *   `usernetctl attach`, which batches frames: the `usernetd-batch` row).
 * - down (socket to TAP): reads of up to NET_BUFSIZE bytes (QEMU's
 *   4096 + 65536), each complete frame in them written to the TAP with one
 *   write(2), as QEMU hands each frame to the guest's NIC.
 *
 * One thread per direction with blocking descriptors: QEMU's main loop
 * does both directions in one thread with non-blocking descriptors and a
 * queue; two blocking threads move the same frames with the same system
 * calls per frame and cannot deadlock when both sides' buffers are full.
 * Exits when the socket or the TAP ends; the TAP disappears with it.
 * Prints the frames and bytes moved each way on stderr when a side ends
 * (SIGTERM, bench/run's way to stop it, ends it silently).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* QEMU's NET_BUFSIZE (include/net/net.h): the size of a stream read. */
#define RELAY1_NET_BUFSIZE (4096 + 65536)
/* Largest frame either way: what the 4-byte length may announce here. */
#define RELAY1_MAX_FRAME 65536
#define RELAY1_HDR_LEN	 4

/**
 * struct relay1 - the relay's descriptors and counters
 * @tap:	TAP descriptor (blocking)
 * @sock:	connected QEMU stream socket (blocking)
 * @up_frames:	frames sent from the TAP to the socket
 * @up_bytes:	bytes of those frames (without the length)
 * @down_frames: frames written from the socket to the TAP
 * @down_bytes:	bytes of those frames
 * @tap_drops:	frames the TAP refused (counted and dropped, as a NIC would)
 */
struct relay1 {
	int tap;
	int sock;
	atomic_ullong up_frames;
	atomic_ullong up_bytes;
	atomic_ullong down_frames;
	atomic_ullong down_bytes;
	atomic_ullong tap_drops;
};

/**
 * relay1_report() - print the counters on stderr
 * @r:	the relay
 * @why: what ended it
 */
static void relay1_report(struct relay1 *r, const char *why)
{
	fprintf(stderr,
		"relay1: %s; up %llu frames %llu bytes, down %llu frames "
		"%llu bytes, %llu refused by the TAP\n",
		why, (unsigned long long)r->up_frames,
		(unsigned long long)r->up_bytes,
		(unsigned long long)r->down_frames,
		(unsigned long long)r->down_bytes,
		(unsigned long long)r->tap_drops);
}

/**
 * relay1_tap_open() - create a TAP device (IFF_TAP | IFF_NO_PI: one read or
 * write is one Ethernet frame)
 * @name:	its name
 *
 * Return: the descriptor, or -1 with a message
 */
static int relay1_tap_open(const char *name)
{
	struct ifreq ifr;
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("relay1: /dev/net/tun");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		perror("relay1: TUNSETIFF");
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * relay1_connect() - connect to a QEMU stream socket
 * @path:	its path
 *
 * Return: the descriptor, or -1 with a message
 */
static int relay1_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "relay1: socket path too long\n");
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror("relay1: connect");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/**
 * relay1_writev_all() - write a length and a frame with one writev(2),
 * finishing with more calls only if the kernel took part of it (a signal)
 * @fd:		the socket
 * @iov:	the two pieces, advanced as they are written
 *
 * Return: 0, or -1 on an error or a closed socket
 */
static int relay1_writev_all(int fd, struct iovec iov[2])
{
	struct iovec *v = iov;
	int cnt = 2;
	ssize_t n;

	while (cnt > 0) {
		n = writev(fd, v, cnt);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		while (cnt > 0 && (size_t)n >= v->iov_len) {
			n -= (ssize_t)v->iov_len;
			v++;
			cnt--;
		}
		if (cnt > 0) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/**
 * relay1_up() - thread: TAP to socket, one writev(2) per frame
 * @arg:	the relay
 *
 * Return: NULL (exits the process when either side ends)
 */
static void *relay1_up(void *arg)
{
	struct relay1 *r = arg;
	static unsigned char frame[RELAY1_MAX_FRAME];
	uint32_t hdr;
	struct iovec iov[2];
	ssize_t n;

	for (;;) {
		n = read(r->tap, frame, sizeof(frame));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			relay1_report(r, "the TAP ended");
			exit(1);
		}
		hdr = htonl((uint32_t)n);
		iov[0] =
		    (struct iovec){.iov_base = &hdr, .iov_len = RELAY1_HDR_LEN};
		iov[1] =
		    (struct iovec){.iov_base = frame, .iov_len = (size_t)n};
		if (relay1_writev_all(r->sock, iov) < 0) {
			relay1_report(r, "the socket refused a write");
			exit(0);
		}
		r->up_frames++;
		r->up_bytes += (unsigned long long)n;
	}
	return NULL;
}

/**
 * relay1_tap_write() - write one frame to the TAP; a refused frame is
 * counted and dropped
 * @r:		the relay
 * @p:		the frame
 * @len:	its length
 *
 * Return: 0, or -1 if the TAP is gone
 */
static int relay1_tap_write(struct relay1 *r, const unsigned char *p,
			    size_t len)
{
	ssize_t n;

	do {
		n = write(r->tap, p, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EBADFD || errno == ENODEV))
		return -1;
	if (n < 0) {
		r->tap_drops++;
		return 0;
	}
	r->down_frames++;
	r->down_bytes += len;
	return 0;
}

/**
 * relay1_down() - socket to TAP: read up to NET_BUFSIZE, write each
 * complete frame with one write(2), keep the partial one for the next read
 * @r:	the relay
 *
 * Return: never (exits the process when either side ends)
 */
static void relay1_down(struct relay1 *r)
{
	/* Room for a partial frame left over plus one full read. */
	static unsigned char
	    buf[RELAY1_HDR_LEN + RELAY1_MAX_FRAME + RELAY1_NET_BUFSIZE];
	size_t have = 0, off, len;
	uint32_t hdr;
	ssize_t n;

	for (;;) {
		n = read(r->sock, buf + have, RELAY1_NET_BUFSIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			relay1_report(r, "the socket ended");
			exit(0);
		}
		have += (size_t)n;
		off = 0;
		while (have - off >= RELAY1_HDR_LEN) {
			memcpy(&hdr, buf + off, RELAY1_HDR_LEN);
			len = ntohl(hdr);
			if (len == 0 || len > RELAY1_MAX_FRAME) {
				fprintf(stderr,
					"relay1: bad frame length %zu\n", len);
				exit(1);
			}
			if (have - off - RELAY1_HDR_LEN < len)
				break;
			if (relay1_tap_write(r, buf + off + RELAY1_HDR_LEN,
					     len) < 0) {
				relay1_report(r, "the TAP is gone");
				exit(1);
			}
			off += RELAY1_HDR_LEN + len;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
}

/**
 * main() - create the TAP, connect the socket, relay until either ends
 * @argc:	argument count (3)
 * @argv:	TAPNAME SOCKPATH
 *
 * Return: 0 when the socket ended, 1 on an error, 2 on bad usage
 */
int main(int argc, char **argv)
{
	static struct relay1 r;
	pthread_t up;

	if (argc != 3) {
		fprintf(stderr, "usage: relay1 TAPNAME SOCKPATH\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	r.tap = relay1_tap_open(argv[1]);
	if (r.tap < 0)
		return 1;
	r.sock = relay1_connect(argv[2]);
	if (r.sock < 0)
		return 1;
	if (pthread_create(&up, NULL, relay1_up, &r) != 0) {
		fprintf(stderr, "relay1: cannot start a thread\n");
		return 1;
	}
	relay1_down(&r);
	return 0;
}
