/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcp.h - the DHCP server of a virtual network (RFC 2131/2132): address
 * policy, lease store and message codec. No sockets and no lwIP: the
 * services host (packet/svchost.c) hands it the UDP payload of a
 * BOOTREQUEST and sends the BOOTREPLY it builds. Loop thread only.
 *
 * Every message is untrusted bytes from a guest: it is parsed strictly,
 * and anything malformed is dropped and counted in struct dhcp_stats.
 */
#ifndef USERNETD_DHCP_H
#define USERNETD_DHCP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT  67
#define DHCP_CLIENT_PORT  68
#define DHCP_HOSTNAME_MAX 63   /* option 12, stored NUL-terminated */
#define DHCP_MSG_MIN	  240  /* BOOTP header + magic cookie */
#define DHCP_MSG_MAX	  8192 /* larger requests are dropped */
#define DHCP_REPLY_MAX	  576  /* replies fit in the minimum IP MTU */
#define DHCP_DECLINE_HOLD 600  /* seconds a declined address rests */

/* Message types, option 53 */
#define DHCP_DISCOVER 1
#define DHCP_OFFER    2
#define DHCP_REQUEST  3
#define DHCP_DECLINE  4
#define DHCP_ACK      5
#define DHCP_NAK      6
#define DHCP_RELEASE  7
#define DHCP_INFORM   8

struct dhcp;

/**
 * struct dhcp_static_lease - an address reserved for one MAC
 * @ip:		address, inside the network (need not be inside the pool)
 * @mac:	the only client that may have it
 */
struct dhcp_static_lease {
	struct in_addr ip;
	uint8_t mac[6];
};

/**
 * dhcp_clock_fn - clock used for lease expiry
 * @arg:	clock_arg of struct dhcp_config
 *
 * Return: current time in seconds; must never go backwards
 */
typedef int64_t (*dhcp_clock_fn)(void *arg);

/**
 * struct dhcp_config - what the server hands out; dhcp_new() copies it
 * @network:	network address, e.g. 192.168.5.0 (host bits are ignored)
 * @netmask:	contiguous netmask, /8 to /30
 * @server_id:	our address, option 54 (the services host, .3)
 * @router:	option 3 (the gateway, .2); 0.0.0.0 to send none
 * @dns:	option 6 (.3); 0.0.0.0 to send none
 * @pool_first:	first dynamic address (.15 on the slirp network, .4 user-v2)
 * @pool_last:	last dynamic address (dhcpEnd), >= @pool_first
 * @mtu:	option 26 interface MTU, 68..65535; 0 to send none
 * @lease_time:	seconds, option 51; 0 means 3600. T1 (58) and T2 (59) are
 *		sent as 1/2 and 7/8 of it
 * @domain_search: domains separated by spaces or commas, e.g.
 *		"lima.internal example.com"; NULL or "" for none. Sent as
 *		option 119 (RFC 3397) and the first one also as option 15
 * @statics:	static leases, @nstatics entries (may be NULL when 0)
 * @nstatics:	number of static leases
 * @clock:	time source; NULL uses CLOCK_MONOTONIC seconds
 * @clock_arg:	argument of @clock
 * @changed:	called after a message bound, released or declined an
 *		address (to persist leases and follow names), or NULL
 * @changed_arg: its argument
 * @sender_ok:	asked for every message from a port (dhcp_handle()):
 *		does the switch have @mac, the message's Ethernet source, on
 *		port @port? Returns 1 if so. NULL: not asked, and messages
 *		from no known port are taken too (tests, the fuzzer)
 * @sender_arg:	its argument
 */
struct dhcp_config {
	struct in_addr network;
	struct in_addr netmask;
	struct in_addr server_id;
	struct in_addr router;
	struct in_addr dns;
	struct in_addr pool_first;
	struct in_addr pool_last;
	int mtu;
	uint32_t lease_time;
	const char *domain_search;
	const struct dhcp_static_lease *statics;
	size_t nstatics;
	dhcp_clock_fn clock;
	void *clock_arg;
	void (*changed)(void *arg);
	void *changed_arg;
	int (*sender_ok)(void *arg, uint32_t port, const uint8_t mac[6]);
	void *sender_arg;
};

/**
 * dhcp_name_fn - is a hostname taken by something outside the DHCP server?
 * @arg:	its argument (dhcp_set_name_check())
 * @hostname:	a valid label, lower case
 *
 * Return: 1 if a guest may not have it (another owner answers it), else 0
 */
typedef int (*dhcp_name_fn)(void *arg, const char *hostname);

/**
 * struct dhcp_reply_info - how to deliver a reply built by dhcp_handle()
 * @type:	message type of the reply (DHCP_OFFER, DHCP_ACK, DHCP_NAK)
 * @broadcast:	1: send to 255.255.255.255:68 and ff:ff:ff:ff:ff:ff;
 *		0: unicast to @dst:68 (a client that has @dst configured:
 *		renewing, or INFORM), which answers ARP for it
 * @dst:	unicast destination when !@broadcast, else INADDR_BROADCAST
 * @chaddr:	client hardware address from the request
 * @yiaddr:	address offered or acknowledged, 0.0.0.0 for NAK and INFORM
 */
struct dhcp_reply_info {
	uint8_t type;
	int broadcast;
	struct in_addr dst;
	uint8_t chaddr[6];
	struct in_addr yiaddr;
};

/**
 * struct dhcp_stats - counters, since dhcp_new()
 * @rx:		messages handed to dhcp_handle()
 * @drop_size:	shorter than BOOTP header + cookie, or longer than
 *		DHCP_MSG_MAX
 * @drop_header: op not BOOTREQUEST, htype not Ethernet, hlen not 6,
 *		chaddr zero or multicast
 * @drop_cookie: missing or wrong magic cookie
 * @drop_options: malformed options (overflowing length, no END, bad
 *		lengths of known options, option overload errors)
 * @drop_type:	no or unknown option 53, or a type a server never receives
 * @drop_relay:	giaddr set (relays are not supported on a virtual LAN)
 * @drop_other_server: REQUEST/DECLINE/RELEASE naming another server
 * @drop_reply_space: reply buffer too small
 * @drop_nomem:	messages left unanswered (DISCOVER) or refused (REQUEST,
 *		NAK) because a new lease record could not be allocated
 * @ignored:	well-formed but nothing to answer (unknown client's
 *		REQUEST in INIT-REBOOT, RELEASE of an unknown lease, ...)
 * @offers:	DHCPOFFER sent
 * @acks:	DHCPACK sent (including INFORM)
 * @naks:	DHCPNAK sent
 * @releases:	leases released
 * @declines:	addresses declined
 * @informs:	DHCPINFORM answered
 * @pool_exhausted: DISCOVERs left unanswered for lack of a free address
 * @port_limit:	DISCOVERs unanswered and REQUESTs refused (NAK) for a new
 *		MAC because its port holds DHCP_PORT_LEASES already
 * @drop_chaddr: chaddr is not the frame's Ethernet source, or the switch
 *		does not have that MAC on the port the message came from
 * @drop_not_owner: RELEASE or DECLINE of an address another client holds
 *		(dropped), REQUEST of one (answered with a NAK)
 * @name_taken:	hostnames (option 12) refused because another live lease
 *		or another owner of the name (dhcp_set_name_check()) has it
 */
struct dhcp_stats {
	uint64_t rx;
	uint64_t drop_size;
	uint64_t drop_header;
	uint64_t drop_cookie;
	uint64_t drop_options;
	uint64_t drop_type;
	uint64_t drop_relay;
	uint64_t drop_other_server;
	uint64_t drop_reply_space;
	uint64_t drop_nomem;
	uint64_t ignored;
	uint64_t offers;
	uint64_t acks;
	uint64_t naks;
	uint64_t releases;
	uint64_t declines;
	uint64_t informs;
	uint64_t pool_exhausted;
	uint64_t port_limit;
	uint64_t drop_chaddr;
	uint64_t drop_not_owner;
	uint64_t name_taken;
};

/* Live leases a port's new MACs may take (dhcp_handle()'s @port) */
#define DHCP_PORT_LEASES 16

/* Lease states, struct dhcp_lease_info.state */
#define DHCP_LEASE_OFFERED  1 /* OFFER sent, no REQUEST yet */
#define DHCP_LEASE_BOUND    2 /* ACK sent, not expired */
#define DHCP_LEASE_EXPIRED  3 /* remembered for the MAC, reusable */
#define DHCP_LEASE_RELEASED 4 /* client released it, reusable */

/**
 * struct dhcp_lease_info - a lease as dhcp_foreach_lease() reports it
 * @ip:		address
 * @mac:	client hardware address
 * @hostname:	option 12 of the client's last message, "" if none; valid
 *		only during the callback
 * @expires:	expiry, in the clock's seconds (0 for a static lease never
 *		handed out)
 * @state:	DHCP_LEASE_* (a static lease never handed out: EXPIRED)
 * @is_static:	1 for a static lease
 */
struct dhcp_lease_info {
	struct in_addr ip;
	uint8_t mac[6];
	const char *hostname;
	int64_t expires;
	int state;
	int is_static;
};

/**
 * dhcp_lease_fn - callback of dhcp_foreach_lease()
 *
 * Return: 0 to go on, non-zero to stop the iteration
 */
typedef int (*dhcp_lease_fn)(void *arg, const struct dhcp_lease_info *li);

struct dhcp *dhcp_new(const struct dhcp_config *cfg);
void dhcp_free(struct dhcp *d);
int dhcp_handle(struct dhcp *d, const uint8_t src[6], uint32_t port,
		const uint8_t *msg, size_t len, uint8_t *reply, size_t replycap,
		struct dhcp_reply_info *out);
void dhcp_foreach_lease(struct dhcp *d, dhcp_lease_fn fn, void *arg);
const char *dhcp_lease_hostname(struct dhcp *d, struct in_addr ip);
int dhcp_lease_owner(struct dhcp *d, struct in_addr ip, uint8_t mac[6]);
int dhcp_lease_restore(struct dhcp *d, const uint8_t mac[6], struct in_addr ip,
		       const char *hostname, int64_t expires);
void dhcp_get_stats(const struct dhcp *d, struct dhcp_stats *st);
void dhcp_set_name_check(struct dhcp *d, dhcp_name_fn fn, void *arg);

#endif /* USERNETD_DHCP_H */
