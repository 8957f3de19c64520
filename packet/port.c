/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port.c - VM port transports: bounded transmit queues, the port's life
 * (new, poll events, death, free), counters. The receive side (framing,
 * datagram senders) is port_rx.c; what both share is port_int.h.
 *
 * Receive: one read(2) per wake-up into a large buffer, frames handed to
 * the network straight from it (no copy), so one busy guest gets a bounded
 * share of each loop iteration. Transmit: frames are copied once into the
 * port's byte FIFO, which holds the exact bytes of the wire format
 * (stream) or length-prefixed records (packet ports), and the FIFO is
 * written once per loop iteration: one writev(2) for a stream, one
 * sendmmsg(2) for a batch of datagrams (port_batch*.c). A TAP device,
 * which takes one write(2) per frame anyway, is written directly while
 * nothing is queued. The FIFO is bounded: a guest that stops reading
 * loses its own frames, counted, and slows nobody. A sender that can keep
 * a frame (libslirp's TCP) asks port_room() first and keeps what does not
 * fit, until the port has stalled for PORT_HOLD_MS.
 *
 * A socket that cannot take more waits for POLLOUT, except where POLLOUT
 * is no promise: ENOBUFS (macOS datagram sockets report writable and still
 * fail), EAGAIN on an unconnected datagram socket (poll(2) does not look
 * at the receiver's queue), or a POLLOUT wake-up that sent nothing. Then
 * a timer retries after 1 ms, doubling up to 10 ms, so a stuck peer costs
 * at most a hundred failed system calls a second.
 *
 * PORT_DGRAM_PEER (vfkit) answers the latest sender: a VM that restarts
 * with a new socket address is followed without restarting the daemon.
 * One VM per socket is the intended use (Lima, krunkit); a change of peer
 * is logged and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/loop.h"
#include "packet/frame.h"
#include "packet/port.h"
#include "packet/port_int.h"
#include "packet/port_batch.h"
#include "base/log.h"
#include "base/xalloc.h"

_Static_assert(PORT_FRAME_MIN >= sizeof(struct frame_eth),
	       "a frame holds its Ethernet header");

/**
 * port_fifo_push() - append bytes, wrapping around the end
 * @f:		the FIFO
 * @data:	bytes to append
 * @n:		how many; the caller made room
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
 * @f:		the FIFO
 * @off:	offset from its head
 * @dst:	where to copy
 * @n:		how many bytes
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
 * @f:		the FIFO
 * @n:		bytes to drop from its head
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
void port_die(struct port *p, const char *why)
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
 * @arg:	the port
 */
static void port_reap(void *arg)
{
	struct port *p = arg;

	p->close_fn(p->arg, p);
}

/**
 * port_peer_lost() - the vfkit peer's socket is gone: wait for a new one
 * @p:		PORT_DGRAM_PEER port
 * @err:	errno of the failed send
 */
static void port_peer_lost(struct port *p, int err)
{
	log_info("%s: peer %.*s is gone (%s): waiting for a new one", p->name,
		 (int)(p->peerlen - offsetof(struct sockaddr_un, sun_path)),
		 p->peer.sun_path, strerror(err));
	p->peerlen = 0;
}

/**
 * port_write_err() - classify a failed send
 * @p:		port
 * @err:	its errno
 *
 * Return: what to do; the port is dead after PORT_ERR_DEAD
 */
static enum port_werr port_write_err(struct port *p, int err)
{
	if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR)
		return p->kind == PORT_DGRAM_PEER ? PORT_ERR_TIMER
						  : PORT_ERR_POLL;
	if (err == ENOBUFS || err == ENOMEM)
		return PORT_ERR_TIMER;
	if (p->kind != PORT_STREAM && (err == EMSGSIZE || err == EINVAL))
		return PORT_ERR_DROP;
	/* A TAP device whose link the guest set down refuses frames with
	 * EIO until it is up again: drop them, keep the port. */
	if (!p->sock && err == EIO)
		return PORT_ERR_DROP;
	if (p->kind == PORT_DGRAM_PEER) {
		port_peer_lost(p, err);
		return PORT_ERR_DROP_ALL;
	}
	port_die(p, strerror(err));
	return PORT_ERR_DEAD;
}

/**
 * port_set_wait() - wait for POLLOUT, for the retry timer, or for nothing
 * @p:		port
 * @w:		what to wait for
 */
static void port_set_wait(struct port *p, enum port_wait w)
{
	p->wait = w;
	if (w != PORT_WAIT_TIMER) {
		loop_timer_disarm(p->retry);
		loop_io_events(p->l, p->fd,
			       POLLIN | (w == PORT_WAIT_POLL ? POLLOUT : 0));
		return;
	}
	if (!p->retry_ms) {
		p->retry_ms = PORT_RETRY_MIN_MS;
		p->stats.tx_nobufs++;
	} else if (p->retry_ms < PORT_RETRY_MAX_MS) {
		p->retry_ms *= 2;
		if (p->retry_ms > PORT_RETRY_MAX_MS)
			p->retry_ms = PORT_RETRY_MAX_MS;
	}
	loop_io_events(p->l, p->fd, POLLIN);
	loop_timer_arm(p->retry, loop_now_ms() + p->retry_ms);
}

/**
 * port_werr_wait() - what a failed send of queued bytes waits for
 * @e:		the failure, neither PORT_ERR_DROP nor PORT_ERR_DROP_ALL
 *
 * Return: PORT_WAIT_POLL or PORT_WAIT_TIMER
 */
static enum port_wait port_werr_wait(enum port_werr e)
{
	if (e == PORT_ERR_POLL)
		return PORT_WAIT_POLL;
	if (e == PORT_ERR_TIMER)
		return PORT_WAIT_TIMER;
	return PORT_WAIT_NONE;
}

/**
 * port_flush_stream() - write queued stream bytes
 * @p:		stream port
 * @progress:	set to 1 if some bytes went out
 *
 * Return: what the bytes still queued wait for
 */
static enum port_wait port_flush_stream(struct port *p, int *progress)
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
		if (n < 0)
			return port_werr_wait(port_write_err(p, errno));
		p->stats.tx_calls++;
		port_fifo_drop(f, (size_t)n);
		*progress = 1;
	}
	return PORT_WAIT_NONE;
}

/**
 * port_fifo_dgrams() - describe the first queued packet records
 * @p:		packet port
 * @v:		filled with up to @max datagrams pointing into the FIFO
 * @max:	room in @v
 * @bytes:	set to the FIFO bytes they take, length words included
 *
 * A record that wraps around the end of the ring takes two iovecs.
 *
 * Return: how many records @v describes
 */
static int port_fifo_dgrams(struct port *p, struct port_dgram *v, int max,
			    size_t *bytes)
{
	const struct port_fifo *f = &p->tx;
	size_t off = 0;
	int i;

	for (i = 0; i < max && off < f->len; i++) {
		size_t start, first;
		uint32_t n;

		port_fifo_copyout(f, off, &n, sizeof(n));
		start = (f->head + off + sizeof(n)) % f->cap;
		first = f->cap - start < n ? f->cap - start : n;
		v[i].iov[0].iov_base = f->buf + start;
		v[i].iov[0].iov_len = first;
		v[i].iov[1].iov_base = f->buf;
		v[i].iov[1].iov_len = n - first;
		v[i].iovcnt = n > first ? 2 : 1;
		off += sizeof(n) + n;
	}
	*bytes = off;
	return i;
}

/**
 * port_dgram_bytes() - FIFO bytes of the first @k records described in @v
 * @v:		records, as port_fifo_dgrams() described them
 * @k:		how many of them
 *
 * Return: their FIFO bytes, length words included
 */
static size_t port_dgram_bytes(const struct port_dgram *v, int k)
{
	size_t b = 0;
	int i;

	for (i = 0; i < k; i++)
		b += sizeof(uint32_t) + v[i].iov[0].iov_len +
		     (v[i].iovcnt > 1 ? v[i].iov[1].iov_len : 0);
	return b;
}

/**
 * port_send_dgrams() - send queued records
 * @p:		packet port
 * @v:		records
 * @n:		how many
 *
 * Sockets take a batch in one system call; a TAP device takes one
 * write(2) per frame, a wrapped record copied to @p->scratch first.
 *
 * Return: how many were sent, or -1 with errno set
 */
static int port_send_dgrams(struct port *p, struct port_dgram *v, int n)
{
	const struct sockaddr *to = NULL;
	const uint8_t *frame = v[0].iov[0].iov_base;
	size_t len = v[0].iov[0].iov_len;

	if (p->kind == PORT_DGRAM_PEER)
		to = (const struct sockaddr *)&p->peer;
	if (p->sock)
		return port_batch_send(p->fd, to, p->peerlen, v, n);
	if (v[0].iovcnt > 1) {
		memcpy(p->scratch, frame, len);
		memcpy(p->scratch + len, v[0].iov[1].iov_base,
		       v[0].iov[1].iov_len);
		frame = p->scratch;
		len += v[0].iov[1].iov_len;
	}
	return write(p->fd, frame, len) < 0 ? -1 : 1;
}

/**
 * port_fifo_drop_all() - drop every queued packet record, counted
 * @p:		port
 */
static void port_fifo_drop_all(struct port *p)
{
	struct port_dgram v[PORT_BATCH_MAX];
	size_t bytes;
	int k;

	while (p->tx.len) {
		k = port_fifo_dgrams(p, v, PORT_BATCH_MAX, &bytes);
		p->stats.tx_drop_err += (uint64_t)k;
		port_fifo_drop(&p->tx, bytes);
	}
}

/**
 * port_flush_packet() - send queued packet records in batches
 * @p:		packet port
 * @progress:	set to 1 if some records went out
 *
 * Return: what the records still queued wait for
 */
static enum port_wait port_flush_packet(struct port *p, int *progress)
{
	struct port_dgram v[PORT_BATCH_MAX];
	size_t bytes;
	int n, k;

	while (p->tx.len) {
		if (p->kind == PORT_DGRAM_PEER && !p->peerlen) {
			port_fifo_drop_all(p);
			break;
		}
		n = port_fifo_dgrams(p, v, PORT_BATCH_MAX, &bytes);
		k = port_send_dgrams(p, v, n);
		if (k < 0) {
			enum port_werr e = port_write_err(p, errno);

			if (e == PORT_ERR_DROP) {
				p->stats.tx_drop_err++;
				k = 1;
			} else if (e == PORT_ERR_DROP_ALL) {
				port_fifo_drop_all(p);
				break;
			} else {
				return port_werr_wait(e);
			}
		} else {
			p->stats.tx_calls++;
			*progress = 1;
		}
		port_fifo_drop(&p->tx, port_dgram_bytes(v, k));
	}
	return PORT_WAIT_NONE;
}

/**
 * port_flush() - write what is queued, then wait for what is needed
 * @p:		port
 * @pollout:	called because poll(2) reported POLLOUT
 *
 * A POLLOUT wake-up that sends nothing means poll(2) cannot tell when
 * this socket takes more: the retry timer takes over.
 */
static void port_flush(struct port *p, int pollout)
{
	enum port_wait w;
	int progress = 0;

	if (p->kind == PORT_STREAM)
		w = port_flush_stream(p, &progress);
	else
		w = port_flush_packet(p, &progress);
	if (p->dead)
		return;
	if (progress) {
		p->retry_ms = 0;
		p->moved_ms = loop_now_ms();
	}
	if (w == PORT_WAIT_POLL && pollout && !progress)
		w = PORT_WAIT_TIMER;
	if (!p->tx.len)
		log_rate_reset(&p->full_log);
	port_set_wait(p, w);
}

/**
 * port_flush_deferred() - loop_deferred callback: write what this loop
 * iteration queued, in as few system calls as the FIFO allows
 * @arg:	the port
 */
static void port_flush_deferred(void *arg)
{
	struct port *p = arg;

	if (!p->dead && p->wait == PORT_WAIT_NONE)
		port_flush(p, 0);
}

/**
 * port_retry() - retry timer callback: try the queue again
 * @arg:	the port
 */
static void port_retry(void *arg)
{
	struct port *p = arg;

	p->stats.tx_retries++;
	if (!p->dead)
		port_flush(p, 0);
}

/**
 * port_write_tap() - write one frame to a TAP device with nothing queued
 * @p:		packet port on a non-socket descriptor
 * @frame:	the frame
 * @len:	its length
 *
 * Return: 1 if written, 0 if it must be queued (@p->wait set), -1 if lost
 */
static int port_write_tap(struct port *p, const uint8_t *frame, size_t len)
{
	enum port_werr e;

	if (write(p->fd, frame, len) >= 0)
		return 1;
	e = port_write_err(p, errno);
	if (e == PORT_ERR_DROP)
		p->stats.tx_drop_err++;
	if (e != PORT_ERR_POLL && e != PORT_ERR_TIMER)
		return -1;
	port_set_wait(p, port_werr_wait(e));
	return 0;
}

/**
 * port_group_full() - may no more frames to group addresses be queued?
 * @p:		port
 * @len:	length of the next one
 *
 * Return: 1 if PORT_GROUP_MAX bytes would wait, FIFO and socket together
 */
static int port_group_full(struct port *p, size_t len)
{
	size_t q = p->tx.len + len + 4;

	if (q > PORT_GROUP_MAX)
		return 1;
	return p->sock && q + port_batch_outq(p->fd) > PORT_GROUP_MAX;
}

/**
 * port_queue() - copy a frame into the FIFO in the port's wire format
 * @p:		port
 * @frame:	Ethernet frame
 * @len:	its length
 *
 * Broadcast and multicast frames (what another VM floods the LAN with)
 * are dropped once PORT_GROUP_MAX bytes wait, in the FIFO and in the
 * socket (megabytes of its buffer the guest has not read yet): a flood
 * would otherwise crowd out, or delay by seconds, the frames addressed
 * to this guest.
 *
 * Return: 0, or -1 if the FIFO is full (dropped, counted)
 */
static int port_queue(struct port *p, const uint8_t *frame, size_t len)
{
	uint8_t hdr[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16),
			  (uint8_t)(len >> 8), (uint8_t)len};
	uint32_t rec = (uint32_t)len;
	uint64_t due;

	/* port_send() took only frames of PORT_FRAME_MIN bytes and more */
	if (frame_mac_group(((const struct frame_eth *)frame)->dst) &&
	    port_group_full(p, len)) {
		/* not logged: a busy guest that reads is no fault */
		p->stats.tx_drop_group++;
		return -1;
	}
	if (p->tx.cap - p->tx.len < len + 4) {
		p->stats.tx_drop_full++;
		due = log_rate_due(&p->full_log, loop_now_ms(), PORT_LOG_MS);
		if (due)
			log_warnx("%s: guest does not read, dropping its "
				  "frames (%llu more drops not logged)",
				  p->name, (unsigned long long)(due - 1));
		return -1;
	}
	if (!p->tx.len)
		p->moved_ms = loop_now_ms(); /* the wait starts */
	if (p->kind == PORT_STREAM)
		port_fifo_push(&p->tx, hdr, sizeof(hdr));
	else
		port_fifo_push(&p->tx, &rec, sizeof(rec));
	port_fifo_push(&p->tx, frame, len);
	return 0;
}

/**
 * port_send() - send a frame to the guest
 * @p:		port
 * @frame:	Ethernet frame
 * @len:	its length
 *
 * Socket ports queue the frame and write the whole queue once before the
 * loop polls again (or as soon as PORT_FLUSH_NOW bytes wait): libslirp
 * emits a burst of segments per host socket read, and one writev(2) or
 * sendmmsg(2) for the burst instead of one system call per frame saves
 * system calls here and wake-ups in the peer. While the queue waits for
 * POLLOUT or the retry timer, frames are only queued. A TAP device is
 * written directly while nothing is queued.
 *
 * Return: 0 if sent or queued, -1 if dropped (counted)
 */
int port_send(struct port *p, const uint8_t *frame, size_t len)
{
	if (p->dead || len < PORT_FRAME_MIN || len > PORT_FRAME_MAX)
		return -1;
	if (p->kind == PORT_DGRAM_PEER && !p->peerlen) {
		p->stats.tx_no_peer++;
		return -1;
	}
	if (!p->sock && !p->tx.len && p->wait == PORT_WAIT_NONE) {
		int r = port_write_tap(p, frame, len);

		if (r < 0)
			return -1;
		if (r > 0)
			goto sent;
	}
	if (port_queue(p, frame, len))
		return -1;
	if (p->wait == PORT_WAIT_NONE) {
		if (p->tx.len >= PORT_FLUSH_NOW)
			port_flush(p, 0);
		else
			loop_defer(p->l, &p->flush);
	}
sent:
	p->stats.tx_frames++;
	p->stats.tx_bytes += len;
	return 0;
}

/**
 * port_room() - would port_send() take a unicast frame of @len bytes now?
 * Asked by a sender that can keep the frame and offer it again (libslirp's
 * TCP segments), so that a full queue slows it down instead of losing a
 * burst its TCP would recover only by timeouts
 * @p:		port
 * @len:	the frame's length
 *
 * A port whose FIFO is full but wrote nothing for PORT_HOLD_MS has a
 * stalled guest: it takes the frame, that is drops it, counted and
 * logged, as it does for every other sender (what the sender keeps for a
 * guest frozen for good is released). Frames port_send() drops for another
 * reason (dead port, no peer, bad length) are taken too: keeping them
 * would not help. A refusal is counted in tx_deferred.
 *
 * Return: 1 if the frame would be sent or queued, or dropped whatever
 * the wait; 0 if the sender should keep it for now
 */
int port_room(struct port *p, size_t len)
{
	if (p->dead || len < PORT_FRAME_MIN || len > PORT_FRAME_MAX ||
	    (p->kind == PORT_DGRAM_PEER && !p->peerlen))
		return 1;
	if (p->tx.cap - p->tx.len >= len + 4)
		return 1;
	if (loop_now_ms() - p->moved_ms >= PORT_HOLD_MS)
		return 1;
	p->stats.tx_deferred++;
	return 0;
}

/**
 * port_set_buf() - ask for a socket buffer size, halving it until the
 * system accepts one
 * @fd:		socket (or a TAP descriptor: every attempt fails, harmless)
 * @opt:	SO_SNDBUF or SO_RCVBUF
 * @sz:		the size wanted
 *
 * Linux clamps a size above its maximum silently; FreeBSD and macOS
 * refuse it (ENOBUFS; FreeBSD's kern.ipc.maxsockbuf is 2 MiB), which
 * would leave the small default. Stops below 64 KiB.
 */
static void port_set_buf(int fd, int opt, int sz)
{
	for (; sz >= 65536; sz /= 2)
		if (!setsockopt(fd, SOL_SOCKET, opt, &sz, sizeof(sz)) ||
		    errno == ENOTSOCK || errno == EBADF)
			return;
}

/**
 * port_io() - loop callback
 * @arg:	the port
 * @fd:		its descriptor
 * @revents:	poll(2) events
 */
static void port_io(void *arg, int fd, int revents)
{
	struct port *p = arg;

	(void)fd;
	if ((revents & POLLOUT) && p->wait == PORT_WAIT_POLL)
		port_flush(p, 1);
	if (p->dead)
		return;
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (p->kind == PORT_STREAM)
		port_read_stream(p);
	else if (p->kind == PORT_DGRAM_PEER)
		port_read_peer(p);
	else
		port_read_packet(p);
}

/**
 * port_new() - wrap a descriptor as a VM port
 * @l:		loop
 * @fd:		connected descriptor (PORT_DGRAM_PEER: a bound datagram
 *		socket); the port owns it from now on
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
	struct port *p = xcalloc(1, sizeof(*p));
	int sz = 4 * 1024 * 1024;
	socklen_t tl = sizeof(p->type);

	p->l = l;
	p->fd = fd;
	p->kind = kind;
	p->sock = !getsockopt(fd, SOL_SOCKET, SO_TYPE, &p->type, &tl);
	if (!p->sock)
		p->type = 0;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->rx = rx;
	p->close_fn = close_fn;
	p->arg = arg;
	p->rxbuf = xmalloc(PORT_RXBUF);
	p->tx.cap = PORT_TXBUF;
	p->tx.buf = xmalloc(p->tx.cap);
	p->scratch = xmalloc(PORT_FRAME_MAX);
	p->reaper = loop_timer_new(l, port_reap, p);
	p->retry = loop_timer_new(l, port_retry, p);
	p->flush.fn = port_flush_deferred;
	p->flush.arg = p;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* Large socket buffers absorb bursts; harmless on a TAP fd. */
	port_set_buf(fd, SO_SNDBUF, sz);
	port_set_buf(fd, SO_RCVBUF, sz);
	loop_io_add(l, fd, POLLIN, port_io, p);
	return p;
}

/**
 * port_free() - close and free a port
 * @p:		port, or NULL
 */
void port_free(struct port *p)
{
	if (!p)
		return;
	loop_io_del(p->l, p->fd);
	loop_defer_cancel(p->l, &p->flush);
	loop_timer_free(p->reaper);
	loop_timer_free(p->retry);
	close(p->fd);
	free(p->rxbuf);
	free(p->tx.buf);
	free(p->scratch);
	free(p);
}

/**
 * port_name() - name of a port, for logs
 * @p:		port
 *
 * Return: its name, as given to port_new()
 */
const char *port_name(const struct port *p)
{
	return p->name;
}

/**
 * port_stats() - counters of a port
 * @p:		port
 *
 * Return: its counters
 */
const struct port_stats *port_stats(const struct port *p)
{
	return &p->stats;
}
