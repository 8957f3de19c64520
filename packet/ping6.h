/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ping6.h - guests' ICMPv6 echo requests to the outside, sent through
 * the host's unprivileged ICMPv6 datagram sockets (see ping6.c).
 */
#ifndef USERNETD_PING6_H
#define USERNETD_PING6_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct ping6;

#define PING6_GUEST_MAX	 32    /* echo requests in flight per guest */
#define PING6_NET_MAX	 128   /* and in the whole network */
#define PING6_TIMEOUT_MS 10000 /* an echo's socket is closed after this */

/* The ICMPv6 destination unreachable codes ping6 sends (RFC 4443) */
#define PING6_UNREACH_NOROUTE 0
#define PING6_UNREACH_ADMIN   1
#define PING6_UNREACH_ADDR    3

/**
 * struct ping6_stats - counters of the echo requests taken from guests
 * @sent:	echo requests sent through a host socket
 * @replies:	echo replies handed back to a guest
 * @unreach:	destination unreachable messages sent to guests (socket
 *		refused, no route, or an error the host reported)
 * @timeouts:	echo requests that got no answer in PING6_TIMEOUT_MS
 * @drop_guest:	echo requests dropped: their guest had its share of
 *		sockets in flight (@guest_max of struct ping6_config; a
 *		user-v2 network's guests)
 * @drop_net:	the same, the network's (@net_max)
 * @refused:	echo requests the host refused a socket for (EACCES and
 *		EPERM: net.ipv4.ping_group_range; or out of descriptors)
 * @bad:	echo requests to the outside dropped as malformed (length,
 *		checksum)
 */
struct ping6_stats {
	uint64_t sent;
	uint64_t replies;
	uint64_t unreach;
	uint64_t timeouts;
	uint64_t drop_guest;
	uint64_t drop_net;
	uint64_t refused;
	uint64_t bad;
};

/**
 * struct ping6_config - where a network's echo requests come from and
 * what its replies look like
 * @name:	the network's name, for logs
 * @prefix:	the network's /64: destinations in it are not the
 *		outside (the gateway answers its own, the rest is the
 *		guests' or martian)
 * @gw:		the gateway's address (::2), source of the unreachables
 * @mac:	the gateway's IPv6 MAC, source of every frame ping6 sends
 * @mtu:	the network's MTU: longer replies are dropped
 * @guest_max:	echo requests one guest may have in flight
 * @net_max:	and the network
 * @timeout_ms:	how long an echo's socket waits for its reply
 */
struct ping6_config {
	const char *name;
	struct in6_addr prefix;
	struct in6_addr gw;
	uint8_t mac[6];
	int mtu;
	unsigned guest_max;
	unsigned net_max;
	int64_t timeout_ms;
};

/**
 * struct ping6_echo - what an echo reply or error is built from
 * @guest_mac:	the guest's MAC (the request's source)
 * @guest:	the guest's address (the request's source)
 * @remote:	the destination it pinged
 * @id:		the guest's identifier, host order
 * @seq:	the guest's sequence number, host order
 */
struct ping6_echo {
	uint8_t guest_mac[6];
	struct in6_addr guest;
	struct in6_addr remote;
	uint16_t id;
	uint16_t seq;
};

/* Bytes before the ICMPv6 message in a frame ping6 builds */
#define PING6_HEAD 54 /* Ethernet and IPv6 headers */

/* A frame ping6 built, for the guest: @frame is valid during the call. */
typedef void (*ping6_out_fn)(void *arg, const uint8_t *frame, size_t len);

struct ping6 *ping6_new(struct loop *l, const struct ping6_config *cfg,
			struct ping6_stats *st, ping6_out_fn out, void *arg);
void ping6_free(struct ping6 *p);
int ping6_input(struct ping6 *p, const uint8_t *frame, size_t len,
		uint32_t owner);
size_t ping6_reply_frame(uint8_t *f, size_t msg_len, const struct ping6_echo *e,
			 const uint8_t mac[6]);
size_t ping6_unreach_frame(uint8_t *f, size_t cap, const uint8_t *pkt,
			   size_t pkt_len, const struct ping6_echo *e,
			   const struct in6_addr *from, const uint8_t mac[6],
			   uint8_t code);

#endif /* USERNETD_PING6_H */
