/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port.h - VM ports: the socket transports that carry a guest's Ethernet
 * frames, their framing, their bounded transmit queues and their counters.
 *
 * A port is one connection: a QEMU stream socket (4-byte big-endian length,
 * then the frame), a packet descriptor where one read or write is one
 * frame (TAP, SOCK_DGRAM and SOCK_SEQPACKET sockets), or a bound datagram
 * socket that answers whoever wrote to it last (vfkit).
 *
 * Listeners: unix stream and seqpacket sockets, and the fd-passing socket
 * of Lima's VZ driver (each connection hands over one datagram socket).
 * Every socket file is created mode 0600 and connections from another uid
 * than the daemon's (root excepted) are refused.
 */
#ifndef USERNETD_PORT_H
#define USERNETD_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/compat.h"

struct loop;
struct port;

/* Largest frame: a 65535-byte IP packet plus the Ethernet header. */
#define PORT_FRAME_MAX (65535 + 14)
/* Smallest frame: an Ethernet header. */
#define PORT_FRAME_MIN 14

/**
 * enum port_kind - framing of a port's descriptor
 * @PORT_STREAM:	QEMU stream: 4-byte big-endian length, then the frame
 * @PORT_PACKET:	one frame per read(2)/write(2): TAP, connected datagram
 *			and seqpacket sockets
 * @PORT_DGRAM_PEER:	a bound, unconnected datagram socket, one frame per
 *			datagram: frames go with sendto(2) to the address
 *			of the latest sender (vfkit; a 4-byte "VFKT" datagram
 *			only announces the sender)
 */
enum port_kind {
	PORT_STREAM,
	PORT_PACKET,
	PORT_DGRAM_PEER,
};

/**
 * struct port_stats - counters of one port
 * @rx_frames:		frames received from the guest
 * @rx_bytes:		their bytes
 * @tx_frames:		frames sent to the guest
 * @tx_bytes:		their bytes
 * @tx_drop_full:	frames dropped because the guest does not read
 * @tx_drop_group:	broadcast and multicast frames dropped because
 *			PORT_GROUP_MAX bytes already wait for the guest
 * @rx_bad_len:		frame lengths out of range (stream ports: fatal)
 * @rx_truncated:	connection closed in the middle of a frame
 * @tx_drop_err:	frames the socket refused (too big; vfkit peer gone)
 * @tx_nobufs:		times sends failed with ENOBUFS (or EAGAIN where
 *			poll(2) cannot tell when to retry) and a backoff
 *			timer took over from POLLOUT
 * @tx_retries:		backoff timer firings
 * @tx_calls:		system calls that sent queued frames
 * @rx_new_peer:	PORT_DGRAM_PEER: senders taken as the peer
 * @rx_no_peer:		PORT_DGRAM_PEER: datagrams from unnamed sockets
 *			(nothing to answer to: dropped)
 * @tx_no_peer:		PORT_DGRAM_PEER: frames dropped, no peer known yet
 * @tx_deferred:	times a sender was told the queue is full and kept
 *			its frame to offer it again (port_room(): libslirp's
 *			TCP segments); one frame may be refused several times
 */
struct port_stats {
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t tx_drop_full;
	uint64_t tx_drop_group;
	uint64_t rx_bad_len;
	uint64_t rx_truncated;
	uint64_t tx_drop_err;
	uint64_t tx_nobufs;
	uint64_t tx_retries;
	uint64_t tx_calls;
	uint64_t rx_new_peer;
	uint64_t rx_no_peer;
	uint64_t tx_no_peer;
	uint64_t tx_deferred;
};

/* A frame from the guest; @frame is only valid during the call. */
typedef void (*port_rx_fn)(void *arg, struct port *p, const uint8_t *frame,
			   size_t len);
/* The port is gone (peer closed, error, bad framing); free it from here. */
typedef void (*port_close_fn)(void *arg, struct port *p);

struct port *port_new(struct loop *l, int fd, enum port_kind kind,
		      const char *name, port_rx_fn rx, port_close_fn close_fn,
		      void *arg);
void port_free(struct port *p);
int port_send(struct port *p, const uint8_t *frame, size_t len);
int port_room(struct port *p, size_t len);
const char *port_name(const struct port *p);
const struct port_stats *port_stats(const struct port *p);

/**
 * enum port_parse - what port_stream_next(), QEMU stream framing as a
 * pure function (used by the port and by the unit tests and fuzzers),
 * found at the start of a buffer
 */
enum port_parse {
	PORT_PARSE_FRAME,   /* a whole frame is at *off */
	PORT_PARSE_NEED,    /* need more bytes */
	PORT_PARSE_BAD_LEN, /* length out of range: stream is broken */
};
enum port_parse port_stream_next(const uint8_t *buf, size_t len,
				 size_t *frame_off, size_t *frame_len);

/**
 * struct port_listener_stats - counters of a listening socket
 * @accepted:	connections handed to the owner (fd-passing: descriptors)
 * @refused_uid: connections from another uid, refused
 * @no_fd:	fd-passing connections that closed, timed out or sent
 *		bytes without passing a descriptor
 * @extra_fds:	descriptors beyond the first, closed (or cut by the kernel)
 * @bad_fd:	passed descriptors that are not datagram sockets, closed
 */
struct port_listener_stats {
	uint64_t accepted;
	uint64_t refused_uid;
	uint64_t no_fd;
	uint64_t extra_fds;
	uint64_t bad_fd;
};

/* Listening sockets: @fd is a new connection (or the passed descriptor). */
typedef void (*port_accept_fn)(void *arg, int fd);
struct port_listener;
struct port_listener *port_listen_unix(struct loop *l, const char *path,
				       port_accept_fn fn, void *arg);
struct port_listener *port_listen_seqpacket(struct loop *l, const char *path,
					    port_accept_fn fn, void *arg);
struct port_listener *port_listen_fdpass(struct loop *l, const char *path,
					 port_accept_fn fn, void *arg);
const struct port_listener_stats *
port_listener_stats(const struct port_listener *pl);
void port_listener_free(struct port_listener *pl);
int port_bind_unix(const char *path, int type);
int port_bind_unixgram(const char *path);
struct sockaddr_un;
int port_sun_named(const struct sockaddr_un *from, socklen_t len);

#endif /* USERNETD_PORT_H */
