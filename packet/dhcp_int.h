/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcp_int.h - what the DHCP server's three files share, private to
 * packet/dhcp*.c (the public interface is dhcp.h):
 *
 *	dhcp.c		policy: DORA, DECLINE, RELEASE, INFORM, who may
 *			have an address and a name, configuration checks
 *	dhcp_store.c	the lease store: records in memory, the pool
 *			bitmap, lookups, and the hooks that list and
 *			restore leases (lan/registry.c persists them)
 *	dhcp_codec.c	the message codec: BOOTREQUEST parse, BOOTREPLY
 *			build, options (RFC 2132, 3396, 3397)
 */
#ifndef USERNETD_DHCP_INT_H
#define USERNETD_DHCP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/log.h"
#include "packet/dhcp.h"

#define DHCP_OFFER_HOLD 60 /* seconds an offered address is kept */
#define DHCP_POOL_MAX	(1U << 24)

/* Options */
#define OPT_PAD		  0
#define OPT_SUBNET_MASK	  1
#define OPT_ROUTER	  3
#define OPT_DNS		  6
#define OPT_HOSTNAME	  12
#define OPT_DOMAIN_NAME	  15
#define OPT_MTU		  26
#define OPT_REQUESTED_IP  50
#define OPT_LEASE_TIME	  51
#define OPT_OVERLOAD	  52
#define OPT_MSG_TYPE	  53
#define OPT_SERVER_ID	  54
#define OPT_MESSAGE	  56
#define OPT_T1		  58
#define OPT_T2		  59
#define OPT_DOMAIN_SEARCH 119
#define OPT_END		  255

#define DHCP_SEARCH_MAX 280 /* encoded 15 + 119, fits 576 bytes */

/* Internal lease state beyond the public ones */
#define DHCP_LEASE_DECLINED 5

/**
 * struct dhcp_lease - one address the server has handed out or reserved
 * @ip:		address, host byte order
 * @mac:	client, all zero for a declined address
 * @hostname:	option 12, sanitised, "" if none
 * @expires:	end of the offer, lease or decline hold, clock seconds
 * @state:	DHCP_LEASE_* or DHCP_LEASE_DECLINED
 * @is_static:	reserved by configuration: never deleted, only for @mac
 * @port:	the port whose message gave the address to @mac (0: none
 *		known, as after a restart)
 */
struct dhcp_lease {
	uint32_t ip;
	uint8_t mac[6];
	char hostname[DHCP_HOSTNAME_MAX + 1];
	int64_t expires;
	int state;
	int is_static;
	uint32_t port;
};

/**
 * struct dhcp - a DHCP server
 * @cfg:	configuration, host byte order copies below
 * @net:	network address
 * @mask:	netmask
 * @first:	first pool address
 * @last:	last pool address
 * @lease_time:	seconds
 * @search:	encoded options 15 and 119, ready to copy into replies
 * @search_len:	bytes in @search
 * @leases:	records
 * @nleases:	used records
 * @cap:	allocated records
 * @used:	pool bitmap: bit set when the address has a record
 * @dirty:	the message being handled changed a binding
 * @port:	the port the message being handled came from (0: unknown)
 * @port_logged: throttle of dhcp_port_full()'s warning
 * @chaddr_logged: throttle of dhcp_sender_ok()'s warning
 * @name_logged: throttle of dhcp_name_update()'s warning
 * @name_fn:	who else owns names (dhcp_set_name_check()), or NULL
 * @name_arg:	its argument
 * @stats:	counters
 */
struct dhcp {
	struct dhcp_config cfg;
	uint32_t net;
	uint32_t mask;
	uint32_t first;
	uint32_t last;
	uint32_t lease_time;
	uint8_t search[DHCP_SEARCH_MAX];
	size_t search_len;
	struct dhcp_lease *leases;
	size_t nleases;
	size_t cap;
	uint64_t *used;
	int dirty;
	uint32_t port;
	struct log_rate port_logged;
	struct log_rate chaddr_logged;
	struct log_rate name_logged;
	dhcp_name_fn name_fn;
	void *name_arg;
	struct dhcp_stats stats;
};

/**
 * struct dhcp_opt - where an option's value lies in the message
 * @p:		value, NULL when absent
 * @len:	value length
 */
struct dhcp_opt {
	const uint8_t *p;
	size_t len;
};

/**
 * struct dhcp_msg - a parsed BOOTREQUEST
 * @type:	option 53
 * @xid:	transaction id, network byte order
 * @flags:	flags field, network byte order
 * @ciaddr:	client address, host byte order
 * @chaddr:	the 16 bytes of the chaddr field
 * @opt:	options by code
 */
struct dhcp_msg {
	uint8_t type;
	uint32_t xid;
	uint16_t flags;
	uint32_t ciaddr;
	uint8_t chaddr[16];
	struct dhcp_opt opt[256];
};

/**
 * dhcp_get32() - read a big-endian 32-bit value (an option's address)
 * @p:		4 bytes
 *
 * Return: the value, host byte order
 */
static inline uint32_t dhcp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* dhcp.c */
int64_t dhcp_now(const struct dhcp *d);
void dhcp_name_update(struct dhcp *d, struct dhcp_lease *l, const uint8_t *p,
		      size_t len, int64_t now, int count);

/* dhcp_store.c */
int dhcp_in_pool(const struct dhcp *d, uint32_t ip);
int dhcp_host_ok(const struct dhcp *d, uint32_t ip);
int dhcp_mac_ok(const uint8_t *mac);
int dhcp_lease_live(const struct dhcp_lease *l, int64_t now);
struct dhcp_lease *dhcp_find_ip(struct dhcp *d, uint32_t ip);
struct dhcp_lease *dhcp_find_mac(struct dhcp *d, const uint8_t *mac);
struct dhcp_lease *dhcp_add(struct dhcp *d, uint32_t ip, const uint8_t *mac);
int dhcp_allowed(struct dhcp *d, uint32_t ip, const uint8_t *mac, int64_t now);
struct dhcp_lease *dhcp_take(struct dhcp *d, uint32_t ip, const uint8_t *mac);
uint32_t dhcp_pick(struct dhcp *d, const uint8_t *mac, uint32_t req,
		   int64_t now);

/* dhcp_codec.c */
void dhcp_set_hostname(char *dst, const uint8_t *p, size_t len);
int dhcp_parse(struct dhcp *d, const uint8_t *msg, size_t len,
	       struct dhcp_msg *m);
size_t dhcp_build(struct dhcp *d, const struct dhcp_msg *m, uint8_t type,
		  uint32_t yiaddr, int lease, uint8_t *reply, size_t cap);
uint8_t dhcp_reply_type(const uint8_t *reply);
int dhcp_encode_search(struct dhcp *d, const char *list);

#endif /* USERNETD_DHCP_INT_H */
