/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port_int.h - what port.c (transmit, life) and port_rx.c (receive)
 * share: struct port, its transmit FIFO and wait states, the sizes.
 * Private to the port module; others use port.h.
 */
#ifndef USERNETD_PORT_INT_H
#define USERNETD_PORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "base/log.h"
#include "base/loop.h"
#include "packet/port.h"

#define PORT_RXBUF     (256 * 1024)
#define PORT_TXBUF     (2 * 1024 * 1024)
#define PORT_FLUSH_NOW (128 * 1024)
/* Bytes queued (here and in the socket) past which frames to group
 * addresses are dropped. */
#define PORT_GROUP_MAX (128 * 1024)
/* Backoff of the transmit retry timer, in milliseconds. */
#define PORT_RETRY_MIN_MS 1
#define PORT_RETRY_MAX_MS 10
/* Changes of a PORT_DGRAM_PEER's peer logged at info level. */
#define PORT_PEER_LOG_MAX 8
/* A full port that wrote nothing for this long is a stalled guest: it no
 * longer asks senders to keep their TCP segments (port_room()), and what
 * does not fit is dropped again, counted and logged. */
#define PORT_HOLD_MS 3000
/* A guest's misbehaviour is logged at most this often (log_rate_due()). */
#define PORT_LOG_MS 10000

/**
 * struct port_fifo - byte ring buffer
 * @buf:	storage, @cap bytes
 * @cap:	size of @buf
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
 * enum port_wait - what a port with queued frames waits for
 * @PORT_WAIT_NONE:	nothing queued (or nothing that can be sent)
 * @PORT_WAIT_POLL:	POLLOUT
 * @PORT_WAIT_TIMER:	the retry timer
 */
enum port_wait {
	PORT_WAIT_NONE,
	PORT_WAIT_POLL,
	PORT_WAIT_TIMER,
};

/**
 * enum port_werr - what a failed send means
 * @PORT_ERR_POLL:	try again on POLLOUT
 * @PORT_ERR_TIMER:	try again from the retry timer
 * @PORT_ERR_DROP:	this frame is refused; go on with the next
 * @PORT_ERR_DROP_ALL:	the peer is gone; drop everything queued
 * @PORT_ERR_DEAD:	the port died
 */
enum port_werr {
	PORT_ERR_POLL,
	PORT_ERR_TIMER,
	PORT_ERR_DROP,
	PORT_ERR_DROP_ALL,
	PORT_ERR_DEAD,
};

/**
 * struct port - one VM connection
 * @l:		loop
 * @fd:		descriptor, non-blocking
 * @kind:	framing
 * @sock:	@fd is a socket (else a TAP device: write(2) per frame)
 * @type:	socket type (SOCK_DGRAM, SOCK_SEQPACKET...), 0 if not a socket
 * @name:	for logs
 * @rx:		frame callback
 * @close_fn:	called (from a timer, never re-entrantly) once the port died
 * @arg:	callback argument
 * @rxbuf:	receive buffer (stream ports: partial frames stay here)
 * @rxlen:	bytes in @rxbuf
 * @tx:		transmit FIFO
 * @scratch:	a packet record that wraps around the FIFO end is sent from
 *		here (TAP devices only: sockets take two iovecs)
 * @peer:	PORT_DGRAM_PEER: where frames go
 * @peerlen:	its length, 0 while no peer is known
 * @peer_logs:	peer changes logged so far
 * @nopeer_log: throttles the line for a datagram from an unnamed socket
 * @dead:	the port failed; waiting for @reaper to report it
 * @full_log:	throttles the line for a full queue; reset when it drains,
 *		so each episode is told
 * @wait:	what queued frames wait for
 * @moved_ms:	when the FIFO last went from empty to queued, or a write
 *		last sent queued bytes (loop ms): how long a full port
 *		has been stuck (port_room())
 * @retry_ms:	current backoff of @retry, 0 when not backing off
 * @reaper:	zero-delay timer that calls @close_fn
 * @retry:	retries sending when poll(2) cannot tell when to
 * @flush:	writes the FIFO before the next poll(2)
 * @stats:	counters
 */
struct port {
	struct loop *l;
	int fd;
	enum port_kind kind;
	int sock;
	int type;
	char name[64];
	port_rx_fn rx;
	port_close_fn close_fn;
	void *arg;
	uint8_t *rxbuf;
	size_t rxlen;
	struct port_fifo tx;
	uint8_t *scratch;
	struct sockaddr_un peer;
	socklen_t peerlen;
	unsigned peer_logs;
	struct log_rate nopeer_log;
	int dead;
	struct log_rate full_log;
	enum port_wait wait;
	int64_t moved_ms;
	int retry_ms;
	struct loop_timer *reaper;
	struct loop_timer *retry;
	struct loop_deferred flush;
	struct port_stats stats;
};

void port_die(struct port *p, const char *why);
void port_deliver(struct port *p, const uint8_t *frame, size_t len);
void port_read_stream(struct port *p);
void port_read_packet(struct port *p);
void port_read_peer(struct port *p);

#endif /* USERNETD_PORT_INT_H */
