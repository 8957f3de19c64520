/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port.c - VM port transports: framing, bounded transmit queues, counters.
 *
 * Receive: one read(2) per wake-up into a large buffer, frames handed to
 * the network straight from it (no copy), so one busy guest gets a bounded
 * share of each loop iteration. Transmit: when nothing is queued a frame
 * is written directly; otherwise it is copied once into the port's byte
 * FIFO, which holds the exact bytes of the wire format (stream) or
 * length-prefixed records (packet ports). The FIFO is bounded: a guest
 * that stops reading loses its own frames, counted, and slows nobody.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "loop.h"
#include "port.h"
#include "../daemon/log.h"

#define PORT_RXBUF     (256 * 1024)
#define PORT_TXBUF     (2 * 1024 * 1024)
#define PORT_FLUSH_NOW (128 * 1024)

/**
 * struct port_fifo - byte ring buffer
 * @buf:	storage, @cap bytes
 * @head:	offset of the first queued byte
 * @len:	queued bytes
 */
struct port_fifo {
	uint8_t *buf;
	size_t cap;
	size_t head;
	size_t len;
};

/**
 * struct port - one VM connection
 * @l:		loop
 * @fd:		descriptor, non-blocking
 * @kind:	framing
 * @name:	for logs
 * @rx:		frame callback
 * @close_fn:	called (from a timer, never re-entrantly) once the port died
 * @arg:	callback argument
 * @rxbuf:	receive buffer (stream ports: partial frames stay here)
 * @rxlen:	bytes in @rxbuf
 * @tx:		transmit FIFO
 * @scratch:	a packet record that wraps around the FIFO end is sent from here
 * @dead:	the port failed; waiting for @reaper to report it
 * @full_logged: one log line per episode of a full queue
 * @reaper:	zero-delay timer that calls @close_fn
 * @flush:	writes the FIFO of a stream port before the next poll(2)
 * @stats:	counters
 */
struct port {
	struct loop *l;
	int fd;
	enum port_kind kind;
	char name[64];
	port_rx_fn rx;
	port_close_fn close_fn;
	void *arg;
	uint8_t *rxbuf;
	size_t rxlen;
	struct port_fifo tx;
	uint8_t *scratch;
	int dead;
	int full_logged;
	struct loop_timer *reaper;
	struct loop_deferred flush;
	struct port_stats stats;
};

/**
 * port_stream_next() - find the next frame in QEMU stream framing
 * @buf:	received bytes
 * @len:	how many
 * @frame_off:	set to the offset of the frame
 * @frame_len:	set to the frame length
 *
 * Return: PORT_PARSE_FRAME with *frame_off and *frame_len set (the frame
 * and its header take *frame_off + *frame_len bytes), PORT_PARSE_NEED if
 * @buf holds only part of it, PORT_PARSE_BAD_LEN if the length is out of
 * range: the stream cannot be resynchronised after that.
 */
enum port_parse port_stream_next(const uint8_t *buf, size_t len,
				 size_t *frame_off, size_t *frame_len)
{
	uint32_t n;

	if (len < 4)
		return PORT_PARSE_NEED;
	n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	if (n < PORT_FRAME_MIN || n > PORT_FRAME_MAX)
		return PORT_PARSE_BAD_LEN;
	if (len - 4 < n)
		return PORT_PARSE_NEED;
	*frame_off = 4;
	*frame_len = n;
	return PORT_PARSE_FRAME;
}

/**
 * port_fifo_push() - append bytes, wrapping around the end
 */
static void port_fifo_push(struct port_fifo *f, const void *data, size_t n)
{
	size_t tail = (f->head + f->len) % f->cap;
	size_t first = f->cap - tail < n ? f->cap - tail : n;

	memcpy(f->buf + tail, data, first);
	memcpy(f->buf, (const uint8_t *)data + first, n - first);
	f->len += n;
}

/**
 * port_fifo_copyout() - copy @n queued bytes from offset @off, no dequeue
 */
static void port_fifo_copyout(const struct port_fifo *f, size_t off, void *dst,
			      size_t n)
{
	size_t start = (f->head + off) % f->cap;
	size_t first = f->cap - start < n ? f->cap - start : n;

	memcpy(dst, f->buf + start, first);
	memcpy((uint8_t *)dst + first, f->buf, n - first);
}

/**
 * port_fifo_drop() - dequeue @n bytes
 */
static void port_fifo_drop(struct port_fifo *f, size_t n)
{
	f->head = (f->head + n) % f->cap;
	f->len -= n;
	if (!f->len)
		f->head = 0;
}

/**
 * port_die() - mark the port dead and report it from a timer
 * @p:		port
 * @why:	log message
 *
 * The close callback frees the network, which may be the caller's caller
 * (libslirp sending a frame), so it never runs re-entrantly.
 */
static void port_die(struct port *p, const char *why)
{
	if (p->dead)
		return;
	p->dead = 1;
	log_info("%s: closed: %s", p->name, why);
	loop_io_del(p->l, p->fd);
	loop_timer_arm(p->reaper, 0);
}

/**
 * port_reap() - timer callback: tell the owner the port is gone
 */
static void port_reap(void *arg)
{
	struct port *p = arg;

	p->close_fn(p->arg, p);
}

/**
 * port_write_err() - handle a failed write
 *
 * Return: 1 if the caller should queue and wait for POLLOUT, 0 if the
 * frame is lost (port dead or frame refused)
 */
static int port_write_err(struct port *p)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
	    errno == EINTR)
		return 1;
	if (p->kind == PORT_PACKET && (errno == EMSGSIZE || errno == EINVAL))
		return 0; /* this frame only */
	port_die(p, strerror(errno));
	return 0;
}

/**
 * port_flush_stream() - write queued stream bytes
 */
static void port_flush_stream(struct port *p)
{
	struct port_fifo *f = &p->tx;

	while (f->len) {
		struct iovec iov[2];
		size_t first =
		    f->cap - f->head < f->len ? f->cap - f->head : f->len;
		ssize_t n;

		iov[0].iov_base = f->buf + f->head;
		iov[0].iov_len = first;
		iov[1].iov_base = f->buf;
		iov[1].iov_len = f->len - first;
		n = writev(p->fd, iov, iov[1].iov_len ? 2 : 1);
		if (n < 0) {
			port_write_err(p);
			return;
		}
		port_fifo_drop(f, (size_t)n);
	}
}

/**
 * port_flush_packet() - send queued packet records, one write each
 */
static void port_flush_packet(struct port *p)
{
	struct port_fifo *f = &p->tx;

	while (f->len) {
		uint32_t n;
		const uint8_t *frame;
		size_t start;

		port_fifo_copyout(f, 0, &n, sizeof(n));
		start = (f->head + sizeof(n)) % f->cap;
		if (start + n <= f->cap) {
			frame = f->buf + start;
		} else {
			port_fifo_copyout(f, sizeof(n), p->scratch, n);
			frame = p->scratch;
		}
		if (write(p->fd, frame, n) < 0 && port_write_err(p))
			return;
		port_fifo_drop(f, sizeof(n) + n);
	}
}

/**
 * port_flush() - write what is queued, then watch POLLOUT only if needed
 */
static void port_flush(struct port *p)
{
	if (p->kind == PORT_STREAM)
		port_flush_stream(p);
	else
		port_flush_packet(p);
	if (p->dead)
		return;
	if (!p->tx.len)
		p->full_logged = 0;
	loop_io_events(p->l, p->fd, POLLIN | (p->tx.len ? POLLOUT : 0));
}

/**
 * port_write_packet() - write one frame to a packet port with nothing queued
 *
 * Return: 1 if written, 0 if it must be queued, -1 if it is lost
 */
static int port_write_packet(struct port *p, const uint8_t *frame, size_t len)
{
	if (write(p->fd, frame, len) >= 0)
		return 1;
	return port_write_err(p) ? 0 : -1;
}

/**
 * port_flush_deferred() - loop_deferred callback: write what this loop
 * iteration queued, in as few system calls as the FIFO allows
 */
static void port_flush_deferred(void *arg)
{
	struct port *p = arg;

	if (!p->dead)
		port_flush(p);
}

/**
 * port_send() - send a frame to the guest
 * @p:		port
 * @frame:	Ethernet frame
 * @len:	its length
 *
 * Stream ports queue the frame and write the whole queue once before the
 * loop polls again (or as soon as PORT_FLUSH_NOW bytes wait): libslirp
 * emits a burst of segments per host socket read, and one write(2) for
 * the burst instead of one per frame saves system calls here and wake-ups
 * in the peer. Packet ports (TAP) take one frame per write(2) anyway.
 *
 * Return: 0 if sent or queued, -1 if dropped (counted)
 */
int port_send(struct port *p, const uint8_t *frame, size_t len)
{
	uint8_t hdr[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16),
			  (uint8_t)(len >> 8), (uint8_t)len};
	uint32_t rec = (uint32_t)len;

	if (p->dead || len < PORT_FRAME_MIN || len > PORT_FRAME_MAX)
		return -1;
	if (p->kind == PORT_PACKET && !p->tx.len) {
		int r = port_write_packet(p, frame, len);

		if (r < 0)
			return -1;
		if (r > 0)
			goto sent;
	}
	if (p->tx.cap - p->tx.len < len + 4) {
		p->stats.tx_drop_full++;
		if (!p->full_logged++)
			log_warnx(
			    "%s: guest does not read, dropping its frames",
			    p->name);
		return -1;
	}
	if (p->kind == PORT_PACKET) {
		port_fifo_push(&p->tx, &rec, sizeof(rec));
		port_fifo_push(&p->tx, frame, len);
		loop_io_events(p->l, p->fd, POLLIN | POLLOUT);
	} else {
		port_fifo_push(&p->tx, hdr, sizeof(hdr));
		port_fifo_push(&p->tx, frame, len);
		if (p->tx.len >= PORT_FLUSH_NOW)
			port_flush(p);
		else
			loop_defer(p->l, &p->flush);
	}
sent:
	p->stats.tx_frames++;
	p->stats.tx_bytes += len;
	return 0;
}

/**
 * port_deliver() - count a received frame and hand it to the owner
 */
static void port_deliver(struct port *p, const uint8_t *frame, size_t len)
{
	p->stats.rx_frames++;
	p->stats.rx_bytes += len;
	p->rx(p->arg, p, frame, len);
}

/**
 * port_read_stream() - read and split QEMU-framed bytes
 */
static void port_read_stream(struct port *p)
{
	size_t off = 0, foff, flen;
	ssize_t n;

	n = read(p->fd, p->rxbuf + p->rxlen, PORT_RXBUF - p->rxlen);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (p->rxlen)
			p->stats.rx_truncated++;
		port_die(p, n	       ? strerror(errno)
			    : p->rxlen ? "peer closed mid-frame"
				       : "peer closed");
		return;
	}
	p->rxlen += (size_t)n;
	for (;;) {
		enum port_parse r = port_stream_next(
		    p->rxbuf + off, p->rxlen - off, &foff, &flen);
		if (r == PORT_PARSE_NEED)
			break;
		if (r == PORT_PARSE_BAD_LEN) {
			p->stats.rx_bad_len++;
			port_die(p, "bad frame length");
			return;
		}
		port_deliver(p, p->rxbuf + off + foff, flen);
		off += foff + flen;
		if (p->dead)
			return;
	}
	memmove(p->rxbuf, p->rxbuf + off, p->rxlen - off);
	p->rxlen -= off;
}

/**
 * port_read_packet() - read frames, one per read(2), a bounded batch
 */
static void port_read_packet(struct port *p)
{
	int i;

	for (i = 0; i < 64 && !p->dead; i++) {
		ssize_t n = read(p->fd, p->rxbuf, PORT_RXBUF);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				port_die(p, strerror(errno));
			return;
		}
		if (n == 0) {
			port_die(p, "peer closed");
			return;
		}
		if (n < PORT_FRAME_MIN || n > PORT_FRAME_MAX) {
			p->stats.rx_bad_len++;
			continue;
		}
		port_deliver(p, p->rxbuf, (size_t)n);
	}
}

/**
 * port_io() - loop callback
 */
static void port_io(void *arg, int fd, int revents)
{
	struct port *p = arg;

	(void)fd;
	if (revents & POLLOUT)
		port_flush(p);
	if (p->dead)
		return;
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		if (p->kind == PORT_STREAM)
			port_read_stream(p);
		else
			port_read_packet(p);
	}
}

/**
 * port_new() - wrap a connected descriptor as a VM port
 * @l:		loop
 * @fd:		descriptor; the port owns it from now on
 * @kind:	framing
 * @name:	name for logs
 * @rx:		called with each frame from the guest
 * @close_fn:	called once when the port dies; it should port_free()
 * @arg:	argument of the callbacks
 *
 * Return: the port
 */
struct port *port_new(struct loop *l, int fd, enum port_kind kind,
		      const char *name, port_rx_fn rx, port_close_fn close_fn,
		      void *arg)
{
	struct port *p = calloc(1, sizeof(*p));
	int sz = 4 * 1024 * 1024;

	if (!p)
		fatal("calloc");
	p->l = l;
	p->fd = fd;
	p->kind = kind;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->rx = rx;
	p->close_fn = close_fn;
	p->arg = arg;
	p->rxbuf = malloc(PORT_RXBUF);
	p->tx.cap = PORT_TXBUF;
	p->tx.buf = malloc(p->tx.cap);
	p->scratch = malloc(PORT_FRAME_MAX);
	if (!p->rxbuf || !p->tx.buf || !p->scratch)
		fatal("malloc");
	p->reaper = loop_timer_new(l, port_reap, p);
	p->flush.fn = port_flush_deferred;
	p->flush.arg = p;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* Large socket buffers absorb bursts; harmless on a TAP fd. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	loop_io_add(l, fd, POLLIN, port_io, p);
	return p;
}

/**
 * port_free() - close and free a port
 */
void port_free(struct port *p)
{
	if (!p)
		return;
	loop_io_del(p->l, p->fd);
	loop_defer_cancel(p->l, &p->flush);
	loop_timer_free(p->reaper);
	close(p->fd);
	free(p->rxbuf);
	free(p->tx.buf);
	free(p->scratch);
	free(p);
}

/**
 * port_name() - name of a port, for logs
 */
const char *port_name(const struct port *p)
{
	return p->name;
}

/**
 * port_stats() - counters of a port
 */
const struct port_stats *port_stats(const struct port *p)
{
	return &p->stats;
}

/**
 * struct port_listener - a listening unix stream socket
 */
struct port_listener {
	struct loop *l;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	port_accept_fn fn;
	void *arg;
};

/**
 * port_listener_io() - accept connections
 */
static void port_listener_io(void *arg, int fd, int revents)
{
	struct port_listener *pl = arg;
	int c;

	(void)revents;
	while ((c = accept(fd, NULL, NULL)) >= 0) {
		fcntl(c, F_SETFD, FD_CLOEXEC);
		pl->fn(pl->arg, c);
	}
	if (errno == EMFILE || errno == ENFILE)
		log_warn("%s: accept", pl->path);
}

/**
 * port_listen_unix() - listen on a unix stream socket, mode 0600
 * @l:		loop
 * @path:	socket path; an old socket there is replaced
 * @fn:		called with each accepted connection
 * @arg:	its argument
 *
 * Return: the listener, or NULL with a logged warning
 */
struct port_listener *port_listen_unix(struct loop *l, const char *path,
				       port_accept_fn fn, void *arg)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct port_listener *pl;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("%s: socket path too long", path);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		log_warn("socket");
		return NULL;
	}
	unlink(path);
	old = umask(0077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 128)) {
		umask(old);
		log_warn("%s", path);
		close(fd);
		return NULL;
	}
	umask(old);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		fatal("calloc");
	pl->l = l;
	pl->fd = fd;
	memcpy(pl->path, sun.sun_path, sizeof(pl->path));
	pl->fn = fn;
	pl->arg = arg;
	loop_io_add(l, fd, POLLIN, port_listener_io, pl);
	return pl;
}

/**
 * port_listener_free() - stop listening and remove the socket file
 */
void port_listener_free(struct port_listener *pl)
{
	if (!pl)
		return;
	loop_io_del(pl->l, pl->fd);
	close(pl->fd);
	unlink(pl->path);
	free(pl);
}
