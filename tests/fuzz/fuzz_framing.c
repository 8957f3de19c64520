/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_framing.c - libFuzzer target for the VM port transports of
 * packet/port.c and port_rx.c, driven through port.h only: real sockets, a real
 * loop.
 *
 * Input: byte 0 picks the transport, byte 1 the chunking (bits 0-5) and
 * the echo (bits 6-7), the rest is what the guest writes:
 *   0: PORT_STREAM over a SOCK_STREAM socketpair (QEMU): the bytes are
 *      written in chunks of sizes drawn from byte 1, the loop runs
 *      between chunks, and the writer closes at the end.
 *   1: PORT_PACKET over a SOCK_SEQPACKET socketpair (BESS),
 *   2: PORT_PACKET over a SOCK_DGRAM socketpair (VZ),
 *   3: PORT_DGRAM_PEER on a bound datagram socket, the guest a bound
 *      socket of its own (vfkit): for these the rest is datagrams, each a
 *      2-byte big-endian length and its bytes (0xffff: an oversized
 *      datagram of PORT_FRAME_MAX + 1 zero bytes).
 *
 * Every frame the port delivers is sent back with port_send() (once, 16
 * times, or 64 times to a guest that reads at most 32 KiB or 4 KiB per
 * loop iteration, so the 2 MiB transmit FIFO fills, wraps and drops), and
 * the guest's end reads it all back.
 *
 * Invariants, checked against a model of the framing written here:
 * delivered frames are exactly the model's, 14 <= len <= PORT_FRAME_MAX;
 * a stream length out of range closes the port (rx_bad_len 1) and nothing
 * after it is delivered; a stream that ends mid-frame counts rx_truncated;
 * a bad datagram is counted and skipped, an empty seqpacket message ends
 * the port; what the guest reads back is the echo, in order, in the
 * transport's framing.
 *
 * fuzz-sources: packet/port.c packet/port_batch_linux.c base/loop.c
 * fuzz-sources: packet/port_rx.c
 * fuzz-sources: base/log.c base/xalloc.c
 * fuzz-libs: -lpthread
 * fuzz-args: -close_fd_mask=2
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/loop.h"
#include "packet/port.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAXF 4096		     /* frames tracked per input */
#define FZ_OUT	(8 * 1024 * 1024)    /* echo bytes expected at most */
#define FZ_BIG	(PORT_FRAME_MAX + 1) /* an oversized datagram */

/**
 * struct fz - state of one input
 * @l:		the loop (one per process)
 * @p:		the port, NULL once closed and freed
 * @kind:	its framing
 * @closed:	the close callback ran
 * @want:	frames the model expects, as pointers into the input (or
 *		@big), and their lengths
 * @wlen:	lengths
 * @nwant:	how many
 * @got:	frames delivered so far
 * @echo:	times each delivered frame is sent back
 * @slow:	the guest reads at most this many bytes per loop iteration
 *		(0: all there is), so the transmit FIFO fills and wraps
 * @out:	bytes the guest must read back (stream), or records (packet:
 *		4-byte host-order length, then the frame)
 * @outlen:	bytes in @out
 * @outoff:	bytes of @out read back so far
 * @peer:	the guest's descriptor
 */
struct fz {
	struct loop *l;
	struct port *p;
	enum port_kind kind;
	int closed;
	const uint8_t *want[FZ_MAXF];
	size_t wlen[FZ_MAXF];
	size_t nwant;
	size_t got;
	int echo;
	size_t slow;
	uint8_t *out;
	size_t outlen;
	size_t outoff;
	int peer;
};

static struct fz fz;
static struct loop_timer *fz_pump_timer;
static int fz_pump_left;
static uint8_t fz_big[FZ_BIG];
static uint8_t fz_rbuf[FZ_BIG + 16];

/**
 * fz_require() - abort when an invariant does not hold
 * @ok:		the invariant
 * @what:	what it is
 */
static void fz_require(int ok, const char *what)
{
	if (!ok) {
		/* stdout: -close_fd_mask=2 closes stderr (the daemon's logs) */
		printf("invariant broken: %s\n", what);
		fflush(stdout);
		abort();
	}
}

/**
 * fz_pump_tick() - timer: count loop iterations, stop after the last
 * @arg:	unused
 */
static void fz_pump_tick(void *arg)
{
	(void)arg;
	if (--fz_pump_left <= 0) {
		loop_stop(fz.l);
		return;
	}
	loop_timer_arm(fz_pump_timer, 0);
}

/**
 * fz_pump() - run @n loop iterations without blocking
 * @n:		iterations
 */
static void fz_pump(int n)
{
	fz_pump_left = n;
	loop_timer_arm(fz_pump_timer, 0);
	loop_run(fz.l);
}

/**
 * fz_rx() - port callback: a frame from the guest
 * @arg:	unused
 * @p:		the port
 * @frame:	the frame
 * @len:	its length
 */
static void fz_rx(void *arg, struct port *p, const uint8_t *frame, size_t len)
{
	uint32_t rec = (uint32_t)len;
	int i;

	(void)arg;
	fz_require(len >= PORT_FRAME_MIN && len <= PORT_FRAME_MAX,
		   "frame length in range");
	fz_require(fz.got < fz.nwant, "no more frames than the model");
	fz_require(len == fz.wlen[fz.got] &&
		       !memcmp(frame, fz.want[fz.got], len),
		   "frame is the model's");
	fz.got++;
	for (i = 0; i < fz.echo; i++) {
		if (fz.outlen + len + 4 > FZ_OUT)
			return;
		if (port_send(p, frame, len))
			continue; /* dropped: the guest does not read enough */
		if (fz.kind == PORT_STREAM) {
			fz.out[fz.outlen] = (uint8_t)(len >> 24);
			fz.out[fz.outlen + 1] = (uint8_t)(len >> 16);
			fz.out[fz.outlen + 2] = (uint8_t)(len >> 8);
			fz.out[fz.outlen + 3] = (uint8_t)len;
		} else {
			memcpy(fz.out + fz.outlen, &rec, 4);
		}
		memcpy(fz.out + fz.outlen + 4, frame, len);
		fz.outlen += 4 + len;
	}
}

/**
 * fz_close() - port callback: the port died
 * @arg:	unused
 * @p:		the port
 */
static void fz_close(void *arg, struct port *p)
{
	(void)arg;
	fz_require(p == fz.p, "the port closes once");
	fz.closed = 1;
}

/**
 * fz_drain() - the guest reads what the port sent, checking it
 */
static void fz_drain(void)
{
	size_t total = 0;
	ssize_t n;

	for (;;) {
		if (fz.slow && total >= fz.slow)
			return;
		n = recv(fz.peer, fz_rbuf, sizeof(fz_rbuf), MSG_DONTWAIT);
		total += n > 0 ? (size_t)n : 0;
		if (n <= 0)
			return;
		if (fz.kind == PORT_STREAM) {
			fz_require(fz.outoff + (size_t)n <= fz.outlen,
				   "no more echo bytes than sent");
			fz_require(
			    !memcmp(fz_rbuf, fz.out + fz.outoff, (size_t)n),
			    "echo bytes");
			fz.outoff += (size_t)n;
		} else {
			uint32_t rec;

			fz_require(fz.outoff + 4 <= fz.outlen,
				   "no more echo datagrams than sent");
			memcpy(&rec, fz.out + fz.outoff, 4);
			fz_require(rec == (size_t)n &&
				       !memcmp(fz_rbuf, fz.out + fz.outoff + 4,
					       (size_t)n),
				   "echo datagram");
			fz.outoff += 4 + (size_t)n;
		}
	}
}

/**
 * fz_wait_echo() - let the port send what it queued, as long as it makes
 * progress: a datagram port that met EAGAIN retries from a timer, 1 to
 * 10 ms later, and a vfkit guest's socket queues only a few datagrams
 * (net.unix.max_dgram_qlen); 5 s without a byte is a stuck port
 */
static void fz_wait_echo(void)
{
	int64_t end = loop_now_ms() + 5000;
	size_t last = fz.outoff;

	fz.slow = 0;
	while (fz.outoff < fz.outlen && !fz.closed && loop_now_ms() < end) {
		fz_pump(1);
		fz_drain();
		if (fz.outoff != last) {
			last = fz.outoff;
			end = loop_now_ms() + 5000;
		}
	}
}

/**
 * fz_model_stream() - the frames a QEMU stream carries
 * @d:		the bytes
 * @n:		how many
 * @bad:	set if a length out of range breaks the stream
 * @rest:	set to the bytes of an unfinished frame at the end
 */
static void fz_model_stream(const uint8_t *d, size_t n, int *bad, size_t *rest)
{
	size_t off = 0;
	uint32_t len;

	*bad = 0;
	while (n - off >= 4) {
		len = (uint32_t)d[off] << 24 | (uint32_t)d[off + 1] << 16 |
		      (uint32_t)d[off + 2] << 8 | d[off + 3];
		if (len < 14 || len > 65535 + 14) {
			*bad = 1;
			break;
		}
		if (n - off - 4 < len)
			break;
		if (fz.nwant < FZ_MAXF) {
			fz.want[fz.nwant] = d + off + 4;
			fz.wlen[fz.nwant++] = len;
		}
		off += 4 + len;
	}
	*rest = n - off;
}

/**
 * fz_write() - the guest writes, the loop runs while the socket is full
 * @buf:	bytes
 * @len:	how many (one datagram for packet transports)
 * @to:		destination (PORT_DGRAM_PEER), or NULL
 * @tolen:	its length
 *
 * Return: 0, or -1 once the port closed
 */
static int fz_write(const void *buf, size_t len, const struct sockaddr_un *to,
		    socklen_t tolen)
{
	size_t off = 0;
	ssize_t n;
	int spins = 0;

	while (!fz.closed) {
		n = sendto(fz.peer, (const uint8_t *)buf + off, len - off,
			   MSG_DONTWAIT | MSG_NOSIGNAL,
			   (const struct sockaddr *)to, to ? tolen : 0);
		if (n >= 0) {
			off += (size_t)n;
			if (off == len)
				return 0;
			continue;
		}
		fz_require(errno == EAGAIN || errno == ENOBUFS, "guest write");
		fz_pump(2);
		fz_drain();
		fz_require(++spins < 100000, "the port reads");
	}
	return -1;
}

/**
 * fz_run_stream() - feed a QEMU stream in chunks
 * @d:		the bytes
 * @n:		how many
 * @seed:	chunk sizes
 */
static void fz_run_stream(const uint8_t *d, size_t n, uint8_t seed)
{
	uint32_t r = seed * 2654435761u + 1;
	size_t off = 0, chunk, rest;
	int bad;

	fz_model_stream(d, n, &bad, &rest);
	while (off < n && !fz.closed) {
		r = r * 1103515245u + 12345;
		switch ((r >> 16) & 3) {
		case 0:
			chunk = 1 + (r >> 18) % 8;
			break;
		case 1:
			chunk = 1 + (r >> 18) % 100;
			break;
		case 2:
			chunk = 1 + (r >> 18) % 3000;
			break;
		default:
			chunk = n - off;
		}
		if (chunk > n - off)
			chunk = n - off;
		if (fz_write(d + off, chunk, NULL, 0))
			break;
		off += chunk;
		fz_pump(1);
		fz_drain();
	}
	/* the echo arrives before the guest closes: dead ports send nothing */
	fz_wait_echo();
	fz_require(fz.closed || fz.outoff == fz.outlen, "every echo arrives");
	shutdown(fz.peer, SHUT_WR);
	while (!fz.closed) {
		fz_pump(1);
		fz_drain();
	}
	fz_require(fz.got == fz.nwant, "every frame delivered");
	fz_require(port_stats(fz.p)->rx_bad_len == (uint64_t)bad,
		   "a bad length is counted");
	fz_require(port_stats(fz.p)->rx_truncated == (uint64_t)(!bad && rest),
		   "an unfinished frame is counted");
}

/**
 * fz_run_packet() - feed datagrams
 * @d:		2-byte lengths and datagrams
 * @n:		bytes
 * @to:		the port's address (PORT_DGRAM_PEER), or NULL
 * @tolen:	its length
 * @type:	socket type of the guest's end
 */
static void fz_run_packet(const uint8_t *d, size_t n,
			  const struct sockaddr_un *to, socklen_t tolen,
			  int type)
{
	uint64_t bad = 0;
	size_t off = 0, len;
	const uint8_t *dg;
	int64_t end;
	int ends = 0;

	while (n - off >= 2 && !ends) {
		len = (size_t)d[off] << 8 | d[off + 1];
		off += 2;
		if (len == 0xffff) {
			dg = fz_big;
			len = FZ_BIG;
		} else {
			if (len > n - off)
				len = n - off;
			dg = d + off;
			off += len;
		}
		if (len == 0 && type == SOCK_SEQPACKET)
			ends = 1; /* a zero-length read is the end */
		else if (fz.kind == PORT_DGRAM_PEER && len == 4 &&
			 !memcmp(dg, "VFKT", 4))
			; /* vfkit's hello */
		else if (len < PORT_FRAME_MIN || len > PORT_FRAME_MAX)
			bad++;
		else if (fz.nwant < FZ_MAXF) {
			fz.want[fz.nwant] = dg;
			fz.wlen[fz.nwant++] = len;
		}
		if (fz_write(dg, len, to, tolen))
			break;
		if ((off & 3) == 0) {
			fz_pump(1);
			fz_drain();
		}
	}
	/* the port reads at most 64 datagrams per loop iteration, and a
	 * pump may end before the loop polls: wait until it has taken every
	 * datagram, or seen the end, not for a fixed number of iterations */
	end = loop_now_ms() + 5000;
	while (
	    !fz.closed && loop_now_ms() < end &&
	    (ends || fz.got + port_stats(fz.p)->rx_bad_len < fz.nwant + bad)) {
		fz_pump(1);
		fz_drain();
	}
	fz_require(fz.closed == ends, "only an empty seqpacket ends the port");
	fz_require(fz.got == fz.nwant, "every frame delivered");
	fz_require(port_stats(fz.p)->rx_bad_len == bad,
		   "bad datagrams are counted");
}

/**
 * fz_bind_abstract() - a datagram socket bound to an abstract name
 * @tag:	distinguishes the names
 * @sa:		set to the address
 * @len:	set to its length
 *
 * Return: the socket
 */
static int fz_bind_abstract(const char *tag, struct sockaddr_un *sa,
			    socklen_t *len)
{
	static unsigned seq;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	int n;

	fz_require(fd >= 0, "socket");
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
		     "usernetd-fuzz-%s-%d-%u", tag, (int)getpid(), seq++);
	*len =
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	fz_require(!bind(fd, (struct sockaddr *)sa, *len), "bind");
	return fd;
}

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes
 * @size:	how many
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = {SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM};
	static const int echo[] = {1, 16, 64, 64};
	static const size_t slow[] = {0, 0, 32768, 4096};
	struct sockaddr_un pa, ga;
	socklen_t palen = 0, galen;
	int sv[2], mode, big = 4 * 1024 * 1024, small = 32768;

	if (size < 2)
		return 0;
	if (!fz.l) {
		fz.l = loop_new();
		fz_pump_timer = loop_timer_new(fz.l, fz_pump_tick, NULL);
		fz.out = malloc(FZ_OUT);
		fz_require(fz.l && fz.out, "setup");
	}
	mode = data[0] & 3;
	fz.closed = 0;
	fz.nwant = fz.got = 0;
	fz.outlen = fz.outoff = 0;
	fz.echo = echo[data[1] >> 6];
	fz.slow = slow[data[1] >> 6];
	if (mode < 3) {
		fz_require(!socketpair(AF_UNIX, types[mode], 0, sv),
			   "socketpair");
		fz.kind = mode ? PORT_PACKET : PORT_STREAM;
	} else {
		sv[0] = fz_bind_abstract("port", &pa, &palen);
		sv[1] = fz_bind_abstract("guest", &ga, &galen);
		fz.kind = PORT_DGRAM_PEER;
	}
	fz.peer = sv[1];
	setsockopt(fz.peer, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	fz.p = port_new(fz.l, sv[0], fz.kind, "fuzz", fz_rx, fz_close, NULL);
	if (fz.slow) /* a small socket, whatever wmem_max allows */
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	if (mode == 0)
		fz_run_stream(data + 2, size - 2, data[1] & 0x3f);
	else
		fz_run_packet(data + 2, size - 2, mode == 3 ? &pa : NULL, palen,
			      mode < 3 ? types[mode] : SOCK_DGRAM);
	/* what is still queued goes out once the guest reads */
	fz_wait_echo();
	if (!fz.closed)
		fz_require(fz.outoff == fz.outlen, "every echo arrives");
	port_free(fz.p);
	fz.p = NULL;
	close(fz.peer);
	fz_pump(1); /* nothing of the port may run any more */
	return 0;
}
