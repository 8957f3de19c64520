/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port_rx.c - the receive side of VM ports: one read(2) per wake-up into
 * a large buffer, frames handed to the network straight from it (no
 * copy), so one busy guest gets a bounded share of each loop iteration;
 * QEMU's stream framing split (port_stream_next()), a bounded batch of
 * datagrams per wake-up, and the sender of a PORT_DGRAM_PEER datagram
 * taken as the peer (vfkit), unnamed senders refused.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "packet/port.h"
#include "packet/port_int.h"

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
 * port_deliver() - count a received frame and hand it to the owner
 * @p:		port
 * @frame:	a frame from the guest
 * @len:	its length
 */
void port_deliver(struct port *p, const uint8_t *frame, size_t len)
{
	p->stats.rx_frames++;
	p->stats.rx_bytes += len;
	p->rx(p->arg, p, frame, len);
}

/**
 * port_read_stream() - read and split QEMU-framed bytes
 * @p:		stream port
 */
void port_read_stream(struct port *p)
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
 * @p:		datagram or seqpacket port, or TAP device
 *
 * A zero-length read is the end of a seqpacket connection, but only an
 * empty datagram on a datagram socket (whose peer may close unseen: the
 * next send reports it).
 */
void port_read_packet(struct port *p)
{
	int i;

	for (i = 0; i < 64 && !p->dead; i++) {
		ssize_t n = read(p->fd, p->rxbuf, PORT_RXBUF);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				port_die(p, strerror(errno));
			return;
		}
		if (n == 0 && p->type != SOCK_DGRAM) {
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
 * port_sun_named() - whether a datagram's sender address can be answered
 * @from:	the address recvfrom(2) reported
 * @len:	its length
 *
 * An unbound sender comes with no path: on Linux a length of
 * offsetof(sun_path) or less; on XNU and FreeBSD a 16-byte "sun_noname"
 * whose path bytes are all zero. A Linux abstract address also starts
 * with a zero byte, but a name follows it.
 *
 * Return: 1 if the address names a socket, 0 if not
 */
int port_sun_named(const struct sockaddr_un *from, socklen_t len)
{
	const socklen_t base = offsetof(struct sockaddr_un, sun_path);
	socklen_t i;

	if (len <= base || len > sizeof(*from))
		return 0;
	for (i = 0; i < len - base; i++)
		if (from->sun_path[i])
			return 1;
	return 0;
}

/**
 * port_peer_from() - take the sender of a datagram as the peer
 * @p:		PORT_DGRAM_PEER port
 * @from:	sender's address
 * @len:	its length
 *
 * Return: 1, or 0 if the sender has no address to answer to (dropped)
 */
static int port_peer_from(struct port *p, const struct sockaddr_un *from,
			  socklen_t len)
{
	const socklen_t base = offsetof(struct sockaddr_un, sun_path);
	uint64_t due;

	if (!port_sun_named(from, len)) {
		p->stats.rx_no_peer++;
		due = log_rate_due(&p->nopeer_log, loop_now_ms(), PORT_LOG_MS);
		if (due)
			log_warnx("%s: datagram from an unnamed socket: "
				  "dropped (bind the sender to a path; %llu "
				  "more not logged)",
				  p->name, (unsigned long long)(due - 1));
		return 0;
	}
	if (len == p->peerlen && !memcmp(from, &p->peer, len))
		return 1;
	memcpy(&p->peer, from, len);
	p->peerlen = len;
	p->stats.rx_new_peer++;
	if (p->peer_logs++ < PORT_PEER_LOG_MAX)
		log_info("%s: peer is now %.*s", p->name, (int)(len - base),
			 from->sun_path);
	else
		log_debug("%s: peer is now %.*s", p->name, (int)(len - base),
			  from->sun_path);
	return 1;
}

/**
 * port_read_peer() - read datagrams of a PORT_DGRAM_PEER port, learning
 * the peer from each, a bounded batch
 * @p:		PORT_DGRAM_PEER port
 */
void port_read_peer(struct port *p)
{
	int i;

	for (i = 0; i < 64 && !p->dead; i++) {
		struct sockaddr_un from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(p->fd, p->rxbuf, PORT_RXBUF, 0,
				     (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				port_die(p, strerror(errno));
			return;
		}
		if (!port_peer_from(p, &from, fl))
			continue;
		if (n == 4 && !memcmp(p->rxbuf, "VFKT", 4))
			continue; /* vfkit's hello: the address is the news */
		if (n < PORT_FRAME_MIN || n > PORT_FRAME_MAX) {
			p->stats.rx_bad_len++;
			continue;
		}
		port_deliver(p, p->rxbuf, (size_t)n);
	}
}
