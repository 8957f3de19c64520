/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcp.c - DHCP server policy, lease store and message codec (RFC 2131,
 * RFC 2132, option 119 from RFC 3397, option overload from RFC 2131 4.1).
 *
 * The server is authoritative for its virtual LAN: it is the only DHCP
 * server there, so a client asking (INIT-REBOOT, RENEWING) for an address
 * the server has no record of gets it if it is free and allowed to that
 * MAC, and a DHCPNAK otherwise. That keeps guests' addresses across a
 * daemon restart even before leases are persisted.
 *
 * Lease store: one record per address ever handed out, in a small array
 * (a virtual LAN has few clients; searches are linear), plus a bitmap over
 * the pool marking the addresses that have a record or are reserved by a
 * static lease, so the lowest never-used address is found quickly. A MAC
 * keeps its record after expiry and release, and gets the same address
 * again; expired records are reclaimed, lowest address first, only when
 * the pool has no never-used address left.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "packet/dhcp.h"
#include "base/log.h"

#define DHCP_OP_REQUEST	 1
#define DHCP_OP_REPLY	 2
#define DHCP_HTYPE_ETHER 1
#define DHCP_OFFER_HOLD	 60  /* seconds an offered address is kept */
#define DHCP_REPLY_MIN	 300 /* BOOTP minimum, some clients need it */
#define DHCP_POOL_MAX	 (1U << 24)

/* Fixed BOOTP header offsets */
#define DHCP_OFF_OP	 0
#define DHCP_OFF_HTYPE	 1
#define DHCP_OFF_HLEN	 2
#define DHCP_OFF_XID	 4
#define DHCP_OFF_FLAGS	 10
#define DHCP_OFF_CIADDR	 12
#define DHCP_OFF_YIADDR	 16
#define DHCP_OFF_GIADDR	 24
#define DHCP_OFF_CHADDR	 28
#define DHCP_OFF_SNAME	 44
#define DHCP_OFF_FILE	 108
#define DHCP_OFF_COOKIE	 236
#define DHCP_OFF_OPTIONS 240
#define DHCP_SNAME_LEN	 64
#define DHCP_FILE_LEN	 128

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

static const uint8_t dhcp_cookie[4] = {99, 130, 83, 99};

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
 * @port_logged: when dhcp_port_full() last logged, clock seconds
 * @chaddr_logged: when dhcp_sender_ok() last logged, clock seconds
 * @name_logged: when dhcp_name_update() last logged, clock seconds
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
	int64_t port_logged;
	int64_t chaddr_logged;
	int64_t name_logged;
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
 * dhcp_clock_default() - monotonic seconds
 */
static int64_t dhcp_clock_default(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/**
 * dhcp_now() - current time from the configured clock
 */
static int64_t dhcp_now(const struct dhcp *d)
{
	return d->cfg.clock(d->cfg.clock_arg);
}

/**
 * get32() - read a big-endian 32-bit value
 */
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * put32() - write a big-endian 32-bit value
 */
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/**
 * dhcp_in_pool() - is @ip (host order) in the dynamic pool?
 */
static int dhcp_in_pool(const struct dhcp *d, uint32_t ip)
{
	return ip >= d->first && ip <= d->last;
}

/**
 * dhcp_used_set() - mark or clear a pool address in the bitmap
 */
static void dhcp_used_set(struct dhcp *d, uint32_t ip, int on)
{
	uint32_t i;

	if (!dhcp_in_pool(d, ip))
		return;
	i = ip - d->first;
	if (on)
		d->used[i / 64] |= 1ULL << (i % 64);
	else
		d->used[i / 64] &= ~(1ULL << (i % 64));
}

/**
 * dhcp_host_ok() - may @ip (host order) be given to any client at all?
 *
 * Return: 1 if it is a host address of the network and none of ours
 */
static int dhcp_host_ok(const struct dhcp *d, uint32_t ip)
{
	if ((ip & d->mask) != d->net)
		return 0;
	if (ip == d->net || ip == (d->net | ~d->mask))
		return 0;
	if (ip == ntohl(d->cfg.server_id.s_addr) ||
	    ip == ntohl(d->cfg.router.s_addr) || ip == ntohl(d->cfg.dns.s_addr))
		return 0;
	return 1;
}

/**
 * dhcp_log_due() - may a refusal be logged now? At most one every 10 s
 * per kind, so that a guest cannot flood the log
 * @last:	when this kind was last logged, clock seconds, 0 for never;
 *		set to @now when the answer is yes
 * @now:	clock
 *
 * Return: 1 to log, else 0
 */
static int dhcp_log_due(int64_t *last, int64_t now)
{
	if (*last && now - *last < 10)
		return 0;
	*last = now;
	return 1;
}

/**
 * dhcp_lease_live() - does @l still hold its address against others?
 */
static int dhcp_lease_live(const struct dhcp_lease *l, int64_t now)
{
	if (l->state == DHCP_LEASE_OFFERED || l->state == DHCP_LEASE_BOUND ||
	    l->state == DHCP_LEASE_DECLINED)
		return l->expires > now;
	return 0;
}

/**
 * dhcp_find_ip() - record for address @ip (host order)
 */
static struct dhcp_lease *dhcp_find_ip(struct dhcp *d, uint32_t ip)
{
	size_t i;

	for (i = 0; i < d->nleases; i++)
		if (d->leases[i].ip == ip)
			return &d->leases[i];
	return NULL;
}

/**
 * dhcp_find_mac() - the record of a client (static one first)
 */
static struct dhcp_lease *dhcp_find_mac(struct dhcp *d, const uint8_t *mac)
{
	struct dhcp_lease *found = NULL;
	size_t i;

	for (i = 0; i < d->nleases; i++) {
		struct dhcp_lease *l = &d->leases[i];

		if (l->state == DHCP_LEASE_DECLINED || memcmp(l->mac, mac, 6))
			continue;
		if (l->is_static)
			return l;
		if (!found)
			found = l;
	}
	return found;
}

/**
 * dhcp_delete() - forget a dynamic record
 */
static void dhcp_delete(struct dhcp *d, struct dhcp_lease *l)
{
	size_t i = (size_t)(l - d->leases);

	dhcp_used_set(d, l->ip, 0);
	d->leases[i] = d->leases[--d->nleases];
}

/**
 * dhcp_add() - new record for @ip (host order), no other record has it
 *
 * Return: the record, NULL on allocation failure
 */
static struct dhcp_lease *dhcp_add(struct dhcp *d, uint32_t ip,
				   const uint8_t *mac)
{
	struct dhcp_lease *l;

	if (d->nleases == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		void *p = realloc(d->leases, cap * sizeof(*d->leases));

		if (!p) {
			log_warn("dhcp: realloc");
			return NULL;
		}
		d->leases = p;
		d->cap = cap;
	}
	l = &d->leases[d->nleases++];
	memset(l, 0, sizeof(*l));
	l->ip = ip;
	memcpy(l->mac, mac, 6);
	l->state = DHCP_LEASE_EXPIRED;
	dhcp_used_set(d, ip, 1);
	return l;
}

/**
 * dhcp_allowed() - may @mac have address @ip (host order) now?
 *
 * Return: 1 if yes; an expired record of another client at @ip does not
 * count against it (dhcp_take() reclaims it)
 */
static int dhcp_allowed(struct dhcp *d, uint32_t ip, const uint8_t *mac,
			int64_t now)
{
	struct dhcp_lease *mine = dhcp_find_mac(d, mac), *l;

	if (mine && mine->is_static)
		return mine->ip == ip;
	if (!dhcp_host_ok(d, ip))
		return 0;
	l = dhcp_find_ip(d, ip);
	if (l) {
		if (l->is_static)
			return 0; /* and it is not ours, see above */
		if (l->state == DHCP_LEASE_DECLINED)
			return !dhcp_lease_live(l, now);
		if (!memcmp(l->mac, mac, 6))
			return dhcp_in_pool(d, ip);
		return !dhcp_lease_live(l, now) && dhcp_in_pool(d, ip);
	}
	return dhcp_in_pool(d, ip);
}

/**
 * dhcp_take() - give @ip (host order) to @mac, after dhcp_allowed()
 *
 * Drops the client's other dynamic record and any stale record at @ip.
 *
 * Return: the client's record for @ip, NULL on allocation failure
 */
static struct dhcp_lease *dhcp_take(struct dhcp *d, uint32_t ip,
				    const uint8_t *mac)
{
	struct dhcp_lease *l = dhcp_find_mac(d, mac);

	if (l && l->ip == ip)
		return l;
	if (l && !l->is_static)
		dhcp_delete(d, l);
	l = dhcp_find_ip(d, ip);
	if (l && l->is_static)
		return l; /* dhcp_allowed() checked it is ours */
	if (l) {
		memcpy(l->mac, mac, 6);
		l->hostname[0] = '\0';
		l->state = DHCP_LEASE_EXPIRED;
		l->expires = 0;
		return l;
	}
	return dhcp_add(d, ip, mac);
}

/**
 * dhcp_pick() - choose an address for a DISCOVER
 * @req:	requested address (option 50), host order, 0 if none
 *
 * Order: static lease, the client's previous address, @req if no other
 * client had it, the lowest never-used pool address, the lowest pool
 * address whose record expired.
 *
 * Return: host order address, 0 if none is available
 */
static uint32_t dhcp_pick(struct dhcp *d, const uint8_t *mac, uint32_t req,
			  int64_t now)
{
	struct dhcp_lease *l = dhcp_find_mac(d, mac);
	uint32_t n = d->last - d->first + 1, i, w, best = 0;
	size_t k;

	if (l && l->is_static)
		return l->ip;
	if (l && dhcp_allowed(d, l->ip, mac, now))
		return l->ip;
	/* the requested address, unless another client may come back for it */
	if (req && dhcp_allowed(d, req, mac, now)) {
		l = dhcp_find_ip(d, req);
		if (!l || l->state == DHCP_LEASE_DECLINED)
			return req;
	}
	for (w = 0; (size_t)w * 64 < n; w++) {
		uint64_t avail = ~d->used[w];

		for (; avail; avail &= avail - 1) {
			i = w * 64 + (uint32_t)__builtin_ctzll(avail);
			if (i >= n)
				break;
			if (dhcp_allowed(d, d->first + i, mac, now))
				return d->first + i;
		}
	}
	for (k = 0; k < d->nleases; k++) {
		l = &d->leases[k];
		if (l->is_static || !dhcp_in_pool(d, l->ip) ||
		    dhcp_lease_live(l, now))
			continue;
		if (!best || l->ip < best)
			best = l->ip;
	}
	return best;
}

/**
 * dhcp_mac_ok() - a client hardware address we accept: not zero, unicast
 */
static int dhcp_mac_ok(const uint8_t *mac)
{
	static const uint8_t zero[6];

	return memcmp(mac, zero, 6) && !(mac[0] & 1);
}

/**
 * dhcp_set_hostname() - store option 12 in @dst if it is a valid label
 * @dst:	DHCP_HOSTNAME_MAX + 1 bytes
 * @p:		option value
 * @len:	its length
 *
 * Trailing NULs are ignored, a domain part is cut off, the label must be
 * letters, digits and inner hyphens; it is stored in lower case. Anything
 * else leaves @dst unchanged: a bad hostname is no reason to refuse an
 * address.
 */
static void dhcp_set_hostname(char *dst, const uint8_t *p, size_t len)
{
	size_t n = len, i;

	if (!p)
		return;
	while (n && p[n - 1] == '\0')
		n--;
	for (i = 0; i < n && p[i] != '.'; i++)
		;
	n = i;
	if (n == 0 || n > DHCP_HOSTNAME_MAX || p[0] == '-' || p[n - 1] == '-')
		return;
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return;
	}
	for (i = 0; i < n; i++)
		dst[i] =
		    (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
	dst[n] = '\0';
}

/**
 * dhcp_parse_area() - parse one area of options into @m->opt
 * @m:		message being parsed
 * @p:		area
 * @len:	its length
 * @main:	1 for the options field, 0 for overloaded file and sname
 *
 * Return: 0, or -1 when an option overflows the area, an option appears
 * twice, option 52 appears in an overloaded area, or END is missing
 */
static int dhcp_parse_area(struct dhcp_msg *m, const uint8_t *p, size_t len,
			   int main)
{
	size_t i = 0, olen;
	uint8_t code;

	while (i < len) {
		code = p[i];
		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return 0;
		if (len - i < 2)
			return -1;
		olen = p[i + 1];
		if (olen > len - i - 2)
			return -1;
		if (m->opt[code].p || (code == OPT_OVERLOAD && !main))
			return -1;
		m->opt[code].p = p + i + 2;
		m->opt[code].len = olen;
		i += 2 + olen;
	}
	return -1;
}

/**
 * dhcp_parse() - check and parse a BOOTREQUEST
 *
 * Return: 0, or -1 after counting why it was dropped
 */
static int dhcp_parse(struct dhcp *d, const uint8_t *msg, size_t len,
		      struct dhcp_msg *m)
{
	static const struct {
		uint8_t code;
		uint8_t min;
		uint8_t max;
	} lens[] = {
	    {OPT_MSG_TYPE, 1, 1},  {OPT_REQUESTED_IP, 4, 4},
	    {OPT_SERVER_ID, 4, 4}, {OPT_LEASE_TIME, 4, 4},
	    {OPT_OVERLOAD, 1, 1},  {OPT_HOSTNAME, 1, 255},
	};
	const struct dhcp_opt *ov;
	size_t i;

	if (len < DHCP_MSG_MIN || len > DHCP_MSG_MAX) {
		d->stats.drop_size++;
		return -1;
	}
	if (msg[DHCP_OFF_OP] != DHCP_OP_REQUEST ||
	    msg[DHCP_OFF_HTYPE] != DHCP_HTYPE_ETHER ||
	    msg[DHCP_OFF_HLEN] != 6 || !dhcp_mac_ok(msg + DHCP_OFF_CHADDR)) {
		d->stats.drop_header++;
		return -1;
	}
	if (memcmp(msg + DHCP_OFF_COOKIE, dhcp_cookie, 4)) {
		d->stats.drop_cookie++;
		return -1;
	}
	if (get32(msg + DHCP_OFF_GIADDR)) {
		d->stats.drop_relay++;
		return -1;
	}

	memset(m, 0, sizeof(*m));
	memcpy(&m->xid, msg + DHCP_OFF_XID, 4);
	memcpy(&m->flags, msg + DHCP_OFF_FLAGS, 2);
	m->ciaddr = get32(msg + DHCP_OFF_CIADDR);
	memcpy(m->chaddr, msg + DHCP_OFF_CHADDR, 16);

	if (dhcp_parse_area(m, msg + DHCP_OFF_OPTIONS, len - DHCP_OFF_OPTIONS,
			    1))
		goto bad;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		const struct dhcp_opt *o = &m->opt[lens[i].code];

		if (o->p && (o->len < lens[i].min || o->len > lens[i].max))
			goto bad;
	}
	ov = &m->opt[OPT_OVERLOAD];
	if (ov->p) {
		/* RFC 2131 4.1: file first, then sname */
		if (ov->p[0] < 1 || ov->p[0] > 3)
			goto bad;
		if ((ov->p[0] & 1) &&
		    dhcp_parse_area(m, msg + DHCP_OFF_FILE, DHCP_FILE_LEN, 0))
			goto bad;
		if ((ov->p[0] & 2) &&
		    dhcp_parse_area(m, msg + DHCP_OFF_SNAME, DHCP_SNAME_LEN, 0))
			goto bad;
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			const struct dhcp_opt *o = &m->opt[lens[i].code];

			if (o->p &&
			    (o->len < lens[i].min || o->len > lens[i].max))
				goto bad;
		}
	}

	if (!m->opt[OPT_MSG_TYPE].p) {
		d->stats.drop_type++;
		return -1;
	}
	m->type = m->opt[OPT_MSG_TYPE].p[0];
	switch (m->type) {
	case DHCP_DISCOVER:
	case DHCP_REQUEST:
	case DHCP_DECLINE:
	case DHCP_RELEASE:
	case DHCP_INFORM:
		return 0;
	default:
		d->stats.drop_type++;
		return -1;
	}
bad:
	d->stats.drop_options++;
	return -1;
}

/**
 * struct dhcp_out - reply being written
 * @p:		buffer
 * @cap:	its size
 * @len:	bytes written
 * @overflow:	set when something did not fit
 */
struct dhcp_out {
	uint8_t *p;
	size_t cap;
	size_t len;
	int overflow;
};

/**
 * dhcp_put() - append raw bytes to the reply
 */
static void dhcp_put(struct dhcp_out *o, const void *v, size_t len)
{
	if (o->overflow || len > o->cap - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->p + o->len, v, len);
	o->len += len;
}

/**
 * dhcp_put_opt() - append option @code with a value of @len bytes
 */
static void dhcp_put_opt(struct dhcp_out *o, uint8_t code, const void *v,
			 size_t len)
{
	uint8_t h[2] = {code, (uint8_t)len};

	dhcp_put(o, h, 2);
	dhcp_put(o, v, len);
}

/**
 * dhcp_put_opt32() - append a 4-byte option, @v in host byte order
 */
static void dhcp_put_opt32(struct dhcp_out *o, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	dhcp_put_opt(o, code, b, 4);
}

/**
 * dhcp_build() - write a BOOTREPLY
 * @d:		server
 * @m:		request
 * @type:	DHCP_OFFER, DHCP_ACK or DHCP_NAK
 * @yiaddr:	address given, host order (0 for NAK and INFORM)
 * @lease:	send lease time options (OFFER, ACK to a REQUEST)
 * @reply:	buffer
 * @cap:	its size
 *
 * Return: length, 0 if @cap is too small
 */
static size_t dhcp_build(struct dhcp *d, const struct dhcp_msg *m, uint8_t type,
			 uint32_t yiaddr, int lease, uint8_t *reply, size_t cap)
{
	struct dhcp_out o = {reply, cap, 0, 0};
	uint8_t end = OPT_END;

	if (cap < DHCP_REPLY_MIN)
		goto small;
	memset(reply, 0, DHCP_REPLY_MIN);
	reply[DHCP_OFF_OP] = DHCP_OP_REPLY;
	reply[DHCP_OFF_HTYPE] = DHCP_HTYPE_ETHER;
	reply[DHCP_OFF_HLEN] = 6;
	memcpy(reply + DHCP_OFF_XID, &m->xid, 4);
	memcpy(reply + DHCP_OFF_FLAGS, &m->flags, 2);
	if (type == DHCP_ACK)
		put32(reply + DHCP_OFF_CIADDR, m->ciaddr);
	put32(reply + DHCP_OFF_YIADDR, yiaddr);
	memcpy(reply + DHCP_OFF_CHADDR, m->chaddr, 16);
	memcpy(reply + DHCP_OFF_COOKIE, dhcp_cookie, 4);
	o.len = DHCP_OFF_OPTIONS;

	dhcp_put_opt(&o, OPT_MSG_TYPE, &type, 1);
	dhcp_put_opt32(&o, OPT_SERVER_ID, ntohl(d->cfg.server_id.s_addr));
	if (type == DHCP_NAK) {
		static const char why[] = "address not available";

		dhcp_put_opt(&o, OPT_MESSAGE, why, sizeof(why) - 1);
	} else {
		if (lease) {
			dhcp_put_opt32(&o, OPT_LEASE_TIME, d->lease_time);
			dhcp_put_opt32(&o, OPT_T1, d->lease_time / 2);
			dhcp_put_opt32(
			    &o, OPT_T2,
			    (uint32_t)((uint64_t)d->lease_time * 7 / 8));
		}
		dhcp_put_opt32(&o, OPT_SUBNET_MASK, d->mask);
		if (d->cfg.router.s_addr)
			dhcp_put_opt32(&o, OPT_ROUTER,
				       ntohl(d->cfg.router.s_addr));
		if (d->cfg.dns.s_addr)
			dhcp_put_opt32(&o, OPT_DNS, ntohl(d->cfg.dns.s_addr));
		if (d->cfg.mtu) {
			uint8_t b[2] = {(uint8_t)(d->cfg.mtu >> 8),
					(uint8_t)d->cfg.mtu};

			dhcp_put_opt(&o, OPT_MTU, b, 2);
		}
		dhcp_put(&o, d->search, d->search_len);
	}
	dhcp_put(&o, &end, 1);
	if (o.overflow)
		goto small;
	return o.len < DHCP_REPLY_MIN ? DHCP_REPLY_MIN : o.len;
small:
	d->stats.drop_reply_space++;
	return 0;
}

/**
 * dhcp_other_server() - does the message name a server other than us?
 */
static int dhcp_other_server(const struct dhcp *d, const struct dhcp_msg *m)
{
	const struct dhcp_opt *o = &m->opt[OPT_SERVER_ID];

	return o->p && get32(o->p) != ntohl(d->cfg.server_id.s_addr);
}

/**
 * dhcp_port_full() - may @mac not have an address, for its port's sake?
 *
 * Every message from a new MAC can take an address, and a guest can send
 * from as many MACs as it likes: left alone, one guest empties the pool
 * for everyone. A MAC without a live lease is refused once its port holds
 * DHCP_PORT_LEASES live leases (offered or bound); a MAC with a live or
 * static lease keeps it. Only a live lease exempts: a record outlives its
 * lease, and MACs whose offers had lapsed would otherwise come back past
 * the limit, as many as the guest had cycled through. Messages from no
 * known port are not limited.
 *
 * Return: 1 to refuse (counted, logged at most every 10 s), else 0
 */
static int dhcp_port_full(struct dhcp *d, const uint8_t *mac, int64_t now)
{
	struct dhcp_lease *mine = dhcp_find_mac(d, mac);
	size_t k, n = 0;

	if (!d->port ||
	    (mine && (mine->is_static || dhcp_lease_live(mine, now))))
		return 0;
	for (k = 0; k < d->nleases; k++)
		if (d->leases[k].port == d->port && !d->leases[k].is_static &&
		    dhcp_lease_live(&d->leases[k], now))
			n++;
	if (n < DHCP_PORT_LEASES)
		return 0;
	d->stats.port_limit++;
	if (dhcp_log_due(&d->port_logged, now)) {
		log_warnx("dhcp: a port holds %d leases: no address for "
			  "its new MACs",
			  DHCP_PORT_LEASES);
	}
	return 1;
}

/**
 * dhcp_name_held() - does a live bound lease of another client have @name?
 * @d:		server
 * @self:	the asking client's record
 * @name:	hostname, lower case
 * @now:	clock
 *
 * Return: 1 if another client's live bound lease has @name, else 0
 */
static int dhcp_name_held(struct dhcp *d, const struct dhcp_lease *self,
			  const char *name, int64_t now)
{
	size_t k;

	for (k = 0; k < d->nleases; k++) {
		const struct dhcp_lease *o = &d->leases[k];

		if (o != self && o->state == DHCP_LEASE_BOUND &&
		    dhcp_lease_live(o, now) && memcmp(o->mac, self->mac, 6) &&
		    !strcmp(o->hostname, name))
			return 1;
	}
	return 0;
}

/**
 * dhcp_name_update() - give @l the hostname of option 12, if it is free
 * @d:		server
 * @l:		the client's record
 * @p:		option 12's value, NULL when absent (the name @l has is
 *		checked again)
 * @len:	its length
 * @now:	clock
 * @count:	count and log a refusal (REQUEST, restore; not DISCOVER,
 *		which a REQUEST follows)
 *
 * A name belongs to its first live owner: another client's live bound
 * lease, or whoever else answers it (lima.yaml hostResolver.hosts, the
 * control API: dhcp_set_name_check()). A guest asking for a taken name
 * gets none, so that it can never take over another's.
 */
static void dhcp_name_update(struct dhcp *d, struct dhcp_lease *l,
			     const uint8_t *p, size_t len, int64_t now,
			     int count)
{
	char name[DHCP_HOSTNAME_MAX + 1];

	memcpy(name, l->hostname, sizeof(name));
	dhcp_set_hostname(name, p, len);
	if (name[0] && (dhcp_name_held(d, l, name, now) ||
			(d->name_fn && d->name_fn(d->name_arg, name)))) {
		if (count) {
			d->stats.name_taken++;
			if (dhcp_log_due(&d->name_logged, now)) {
				log_warnx("dhcp: hostname %s is taken: a "
					  "client asking for it gets none",
					  name);
			}
		}
		name[0] = '\0';
	}
	if (strcmp(name, l->hostname))
		d->dirty = 1;
	memcpy(l->hostname, name, sizeof(name));
}

/**
 * dhcp_discover() - answer a DHCPDISCOVER with an offer
 *
 * Return: reply length, 0 for none
 */
static size_t dhcp_discover(struct dhcp *d, const struct dhcp_msg *m,
			    int64_t now, uint8_t *reply, size_t cap,
			    struct dhcp_reply_info *out)
{
	const struct dhcp_opt *rq = &m->opt[OPT_REQUESTED_IP];
	const uint8_t *mac = m->chaddr;
	struct dhcp_lease *l;
	uint32_t ip;
	size_t n;

	if (dhcp_port_full(d, mac, now))
		return 0;
	ip = dhcp_pick(d, mac, rq->p ? get32(rq->p) : 0, now);
	if (!ip) {
		d->stats.pool_exhausted++;
		log_debug("dhcp: pool exhausted");
		return 0;
	}
	l = dhcp_take(d, ip, mac);
	if (!l)
		return 0;
	if (d->port)
		l->port = d->port;
	if (!(l->state == DHCP_LEASE_BOUND && dhcp_lease_live(l, now))) {
		l->state = DHCP_LEASE_OFFERED;
		l->expires = now + DHCP_OFFER_HOLD;
	}
	dhcp_name_update(d, l, m->opt[OPT_HOSTNAME].p, m->opt[OPT_HOSTNAME].len,
			 now, 0);
	n = dhcp_build(d, m, DHCP_OFFER, ip, 1, reply, cap);
	if (n) {
		d->stats.offers++;
		out->yiaddr.s_addr = htonl(ip);
	}
	return n;
}

/**
 * dhcp_held_by_other() - is @ip (host order) another client's: its static
 * lease or its live lease?
 * @d:		server
 * @ip:		address, host order
 * @mac:	the asking client
 * @now:	clock
 *
 * Return: 1 if so (a REQUEST for it is counted in drop_not_owner), else 0
 */
static int dhcp_held_by_other(struct dhcp *d, uint32_t ip, const uint8_t *mac,
			      int64_t now)
{
	struct dhcp_lease *l = dhcp_find_ip(d, ip);

	return l && l->state != DHCP_LEASE_DECLINED && memcmp(l->mac, mac, 6) &&
	       (l->is_static || dhcp_lease_live(l, now));
}

/**
 * dhcp_request() - answer a DHCPREQUEST in any client state
 *
 * SELECTING (server id present): the requested address; RENEWING and
 * REBINDING (ciaddr set): ciaddr, answered by unicast; INIT-REBOOT
 * (requested address only). Authoritative: ACK if the address is, or may
 * become, this client's; NAK otherwise.
 *
 * Return: reply length, 0 for none
 */
static size_t dhcp_request(struct dhcp *d, const struct dhcp_msg *m,
			   int64_t now, uint8_t *reply, size_t cap,
			   struct dhcp_reply_info *out)
{
	const struct dhcp_opt *rq = &m->opt[OPT_REQUESTED_IP];
	const uint8_t *mac = m->chaddr;
	struct dhcp_lease *l;
	uint32_t ip;
	size_t n;

	if (dhcp_other_server(d, m)) {
		/* The client chose another server: withdraw our offer. */
		l = dhcp_find_mac(d, mac);
		if (l && l->state == DHCP_LEASE_OFFERED) {
			l->state = DHCP_LEASE_EXPIRED;
			l->expires = now;
		}
		d->stats.drop_other_server++;
		return 0;
	}
	if (m->opt[OPT_SERVER_ID].p)
		ip = rq->p ? get32(rq->p) : 0;
	else if (m->ciaddr)
		ip = m->ciaddr;
	else
		ip = rq->p ? get32(rq->p) : 0;
	if (!ip) {
		d->stats.ignored++;
		return 0;
	}

	if (dhcp_port_full(d, mac, now) || !dhcp_allowed(d, ip, mac, now) ||
	    !(l = dhcp_take(d, ip, mac))) {
		if (dhcp_held_by_other(d, ip, mac, now))
			d->stats.drop_not_owner++;
		n = dhcp_build(d, m, DHCP_NAK, 0, 0, reply, cap);
		if (n)
			d->stats.naks++;
		return n;
	}
	if (d->port)
		l->port = d->port;
	l->state = DHCP_LEASE_BOUND;
	l->expires = now + d->lease_time;
	dhcp_name_update(d, l, m->opt[OPT_HOSTNAME].p, m->opt[OPT_HOSTNAME].len,
			 now, 1);
	d->dirty = 1;
	n = dhcp_build(d, m, DHCP_ACK, ip, 1, reply, cap);
	if (n) {
		d->stats.acks++;
		out->yiaddr.s_addr = htonl(ip);
		if (m->ciaddr) {
			out->broadcast = 0;
			out->dst.s_addr = htonl(m->ciaddr);
		}
	}
	return n;
}

/**
 * dhcp_decline() - the client found @requested address in use: rest it
 */
static void dhcp_decline(struct dhcp *d, const struct dhcp_msg *m, int64_t now)
{
	const struct dhcp_opt *rq = &m->opt[OPT_REQUESTED_IP];
	struct dhcp_lease *l;
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;

	if (dhcp_other_server(d, m)) {
		d->stats.drop_other_server++;
		return;
	}
	l = rq->p ? dhcp_find_ip(d, get32(rq->p)) : NULL;
	if (l && l->state != DHCP_LEASE_DECLINED &&
	    memcmp(l->mac, m->chaddr, 6)) {
		d->stats.drop_not_owner++;
		return;
	}
	if (!l || l->state == DHCP_LEASE_DECLINED) {
		d->stats.ignored++;
		return;
	}
	d->stats.declines++;
	d->dirty = 1;
	a.s_addr = htonl(l->ip);
	log_debug("dhcp: %s declined",
		  inet_ntop(AF_INET, &a, buf, sizeof(buf)));
	if (l->is_static) {
		/* Only this client may have it: nothing else to offer. */
		l->state = DHCP_LEASE_EXPIRED;
		l->expires = now;
		return;
	}
	memset(l->mac, 0, 6);
	l->hostname[0] = '\0';
	l->state = DHCP_LEASE_DECLINED;
	l->expires = now + DHCP_DECLINE_HOLD;
}

/**
 * dhcp_release() - the client gives its address (ciaddr) back
 */
static void dhcp_release(struct dhcp *d, const struct dhcp_msg *m, int64_t now)
{
	struct dhcp_lease *l;

	if (dhcp_other_server(d, m)) {
		d->stats.drop_other_server++;
		return;
	}
	l = dhcp_find_ip(d, m->ciaddr);
	if (l && l->state != DHCP_LEASE_DECLINED &&
	    memcmp(l->mac, m->chaddr, 6)) {
		d->stats.drop_not_owner++;
		return;
	}
	if (!l || l->state != DHCP_LEASE_BOUND) {
		d->stats.ignored++;
		return;
	}
	l->state = DHCP_LEASE_RELEASED;
	l->expires = now;
	d->stats.releases++;
	d->dirty = 1;
}

/**
 * dhcp_sender_ok() - is the message the sender's own?
 * @d:		server
 * @src:	the frame's Ethernet source
 * @chaddr:	the message's client hardware address
 * @now:	clock
 *
 * A guest writes chaddr as it likes: taken at its word, it let one guest
 * release, decline and take over another's lease. A message counts only
 * as its sender's own, and the sender is the frame's source MAC, which the
 * switch must have on the port the frame came in on.
 *
 * Return: 1 if the message may be acted on, 0 (counted, logged at most
 * every 10 s) if not
 */
static int dhcp_sender_ok(struct dhcp *d, const uint8_t *src,
			  const uint8_t *chaddr, int64_t now)
{
	if (!memcmp(src, chaddr, 6) &&
	    (!d->cfg.sender_ok ||
	     (d->port && d->cfg.sender_ok(d->cfg.sender_arg, d->port, src))))
		return 1;
	d->stats.drop_chaddr++;
	if (dhcp_log_due(&d->chaddr_logged, now)) {
		log_warnx("dhcp: message dropped: its client address is not "
			  "its sender's (%02x:%02x:%02x:%02x:%02x:%02x)",
			  src[0], src[1], src[2], src[3], src[4], src[5]);
	}
	return 0;
}

/**
 * dhcp_handle_msg() - dhcp_handle() once @d->port is set
 * @d:		server
 * @src:	the frame's Ethernet source
 * @msg:	UDP payload received on port 67, untrusted
 * @len:	its length
 * @reply:	buffer for the reply
 * @replycap:	its size
 * @out:	how to deliver the reply
 *
 * Return: length of the reply in @reply, 0 for no reply
 */
static int dhcp_handle_msg(struct dhcp *d, const uint8_t src[6],
			   const uint8_t *msg, size_t len, uint8_t *reply,
			   size_t replycap, struct dhcp_reply_info *out)
{
	struct dhcp_msg m;
	int64_t now;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->broadcast = 1;
	out->dst.s_addr = htonl(INADDR_BROADCAST);
	d->stats.rx++;
	if (dhcp_parse(d, msg, len, &m))
		return 0;
	memcpy(out->chaddr, m.chaddr, 6);
	now = dhcp_now(d);
	if (!dhcp_sender_ok(d, src, m.chaddr, now))
		return 0;

	switch (m.type) {
	case DHCP_DISCOVER:
		n = dhcp_discover(d, &m, now, reply, replycap, out);
		break;
	case DHCP_REQUEST:
		n = dhcp_request(d, &m, now, reply, replycap, out);
		break;
	case DHCP_DECLINE:
		dhcp_decline(d, &m, now);
		break;
	case DHCP_RELEASE:
		dhcp_release(d, &m, now);
		break;
	case DHCP_INFORM:
		n = dhcp_build(d, &m, DHCP_ACK, 0, 0, reply, replycap);
		if (n) {
			d->stats.informs++;
			d->stats.acks++;
			if (m.ciaddr) {
				out->broadcast = 0;
				out->dst.s_addr = htonl(m.ciaddr);
			}
		}
		break;
	}
	if (n)
		out->type = reply[DHCP_OFF_OPTIONS + 2];
	if (d->dirty && d->cfg.changed) {
		d->dirty = 0;
		d->cfg.changed(d->cfg.changed_arg);
	}
	return (int)n;
}

/**
 * dhcp_encode_search() - encode options 15 and 119 from the search list
 *
 * Return: 0, or -1 for an invalid or too long list
 */
static int dhcp_encode_search(struct dhcp *d, const char *list)
{
	uint8_t enc[DHCP_SEARCH_MAX];
	const char *first = NULL;
	size_t elen = 0, flen = 0, off, chunk;
	const char *p = list, *name, *lab;
	size_t nlen, llen;
	struct dhcp_out o = {d->search, sizeof(d->search), 0, 0};

	while (p && *p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		name = p;
		while (*p && *p != ' ' && *p != ',' && *p != '\t')
			p++;
		nlen = (size_t)(p - name);
		if (name[nlen - 1] == '.')
			nlen--;
		if (!nlen || nlen > 253)
			return -1;
		if (!first) {
			first = name;
			flen = nlen;
		}
		for (lab = name; lab < name + nlen; lab += llen + 1) {
			const char *c;

			for (c = lab; c < name + nlen && *c != '.'; c++)
				if (!((*c >= 'a' && *c <= 'z') ||
				      (*c >= 'A' && *c <= 'Z') ||
				      (*c >= '0' && *c <= '9') || *c == '-' ||
				      *c == '_'))
					return -1;
			llen = (size_t)(c - lab);
			if (!llen || llen > 63 ||
			    elen + 1 + llen >= sizeof(enc))
				return -1;
			enc[elen++] = (uint8_t)llen;
			memcpy(enc + elen, lab, llen);
			elen += llen;
		}
		if (elen + 1 > sizeof(enc))
			return -1;
		enc[elen++] = 0;
	}
	if (!first)
		return 0;
	dhcp_put_opt(&o, OPT_DOMAIN_NAME, first, flen);
	/* RFC 3396: a long option is split into consecutive instances */
	for (off = 0; off < elen; off += chunk) {
		chunk = elen - off > 255 ? 255 : elen - off;
		dhcp_put_opt(&o, OPT_DOMAIN_SEARCH, enc + off, chunk);
	}
	if (o.overflow)
		return -1;
	d->search_len = o.len;
	return 0;
}

/**
 * dhcp_new() - create a server
 * @cfg:	configuration, copied (the search list is encoded, static
 *		leases are copied into the lease store)
 *
 * Return: the server, NULL (with a message) for an invalid configuration
 */
struct dhcp *dhcp_new(const struct dhcp_config *cfg)
{
	struct dhcp *d = calloc(1, sizeof(*d));
	uint32_t mask, n, server, router, dns;
	size_t i, j;

	if (!d) {
		log_warn("dhcp: calloc");
		return NULL;
	}
	d->cfg = *cfg;
	d->cfg.domain_search = NULL;
	d->cfg.statics = NULL;
	d->cfg.nstatics = 0;
	if (!d->cfg.clock)
		d->cfg.clock = dhcp_clock_default;
	mask = ntohl(cfg->netmask.s_addr);
	if ((~mask & (~mask + 1)) || mask < 0xff000000U || mask > 0xfffffffcU) {
		log_warnx("dhcp: netmask must be contiguous, /8 to /30");
		goto fail;
	}
	d->mask = mask;
	d->net = ntohl(cfg->network.s_addr) & mask;
	d->first = ntohl(cfg->pool_first.s_addr);
	d->last = ntohl(cfg->pool_last.s_addr);
	d->lease_time = cfg->lease_time ? cfg->lease_time : 3600;
	server = ntohl(cfg->server_id.s_addr);
	router = ntohl(cfg->router.s_addr);
	dns = ntohl(cfg->dns.s_addr);

	if ((server & mask) != d->net || server == d->net ||
	    server == (d->net | ~mask)) {
		log_warnx("dhcp: server address not in the network");
		goto fail;
	}
	if ((router && (router & mask) != d->net) ||
	    (dns && (dns & mask) != d->net)) {
		log_warnx("dhcp: router and DNS server must be in the network");
		goto fail;
	}
	if (d->first > d->last || (d->first & mask) != d->net ||
	    (d->last & mask) != d->net || d->first == d->net ||
	    d->last == (d->net | ~mask)) {
		log_warnx("dhcp: invalid pool range");
		goto fail;
	}
	if (cfg->mtu && (cfg->mtu < 68 || cfg->mtu > 65535)) {
		log_warnx("dhcp: invalid MTU %d", cfg->mtu);
		goto fail;
	}
	if (dhcp_encode_search(d, cfg->domain_search)) {
		log_warnx("dhcp: invalid or too long domain search list");
		goto fail;
	}
	n = d->last - d->first + 1;
	if (n > DHCP_POOL_MAX) {
		log_warnx("dhcp: pool too large");
		goto fail;
	}
	d->used = calloc((n + 63) / 64, sizeof(*d->used));
	if (!d->used) {
		log_warn("dhcp: calloc");
		goto fail;
	}

	for (i = 0; i < cfg->nstatics; i++) {
		const struct dhcp_static_lease *s = &cfg->statics[i];
		uint32_t ip = ntohl(s->ip.s_addr);
		struct dhcp_lease *l;

		if (!dhcp_host_ok(d, ip) || !dhcp_mac_ok(s->mac)) {
			log_warnx("dhcp: invalid static lease %s",
				  inet_ntoa(s->ip));
			goto fail;
		}
		for (j = 0; j < i; j++) {
			if (cfg->statics[j].ip.s_addr == s->ip.s_addr ||
			    !memcmp(cfg->statics[j].mac, s->mac, 6)) {
				log_warnx("dhcp: duplicate static lease %s",
					  inet_ntoa(s->ip));
				goto fail;
			}
		}
		l = dhcp_add(d, ip, s->mac);
		if (!l)
			goto fail;
		l->is_static = 1;
	}
	return d;
fail:
	dhcp_free(d);
	return NULL;
}

/**
 * dhcp_free() - free a server and its lease store
 */
void dhcp_free(struct dhcp *d)
{
	if (!d)
		return;
	free(d->leases);
	free(d->used);
	free(d);
}

/**
 * dhcp_foreach_lease() - report every lease and static lease
 * @d:		server
 * @fn:		callback; it must not call dhcp_handle() or
 *		dhcp_lease_restore()
 * @arg:	its argument
 *
 * Declined addresses are not leases and are not reported.
 */
void dhcp_foreach_lease(struct dhcp *d, dhcp_lease_fn fn, void *arg)
{
	int64_t now = dhcp_now(d);
	size_t i;

	for (i = 0; i < d->nleases; i++) {
		const struct dhcp_lease *l = &d->leases[i];
		struct dhcp_lease_info li;

		if (l->state == DHCP_LEASE_DECLINED)
			continue;
		li.ip.s_addr = htonl(l->ip);
		memcpy(li.mac, l->mac, 6);
		li.hostname = l->hostname;
		li.expires = l->expires;
		li.state = l->state;
		if ((l->state == DHCP_LEASE_OFFERED ||
		     l->state == DHCP_LEASE_BOUND) &&
		    !dhcp_lease_live(l, now))
			li.state = DHCP_LEASE_EXPIRED;
		li.is_static = l->is_static;
		if (fn(arg, &li))
			return;
	}
}

/**
 * dhcp_lease_hostname() - hostname (option 12) of the client bound to @ip
 *
 * Return: the name, valid until the next call into @d; NULL if @ip has no
 * bound lease or its client sent no valid hostname
 */
const char *dhcp_lease_hostname(struct dhcp *d, struct in_addr ip)
{
	struct dhcp_lease *l = dhcp_find_ip(d, ntohl(ip.s_addr));

	if (!l || l->state != DHCP_LEASE_BOUND ||
	    !dhcp_lease_live(l, dhcp_now(d)) || !l->hostname[0])
		return NULL;
	return l->hostname;
}

/**
 * dhcp_lease_owner() - who may use @ip: the client of a live lease, or of
 * a static lease
 * @d:		server
 * @ip:		address
 * @mac:	set to the client's MAC
 *
 * Return: 1 if @ip belongs to a client, 0 if nobody holds it
 */
int dhcp_lease_owner(struct dhcp *d, struct in_addr ip, uint8_t mac[6])
{
	struct dhcp_lease *l = dhcp_find_ip(d, ntohl(ip.s_addr));

	if (!l || (!l->is_static && (l->state != DHCP_LEASE_BOUND ||
				     !dhcp_lease_live(l, dhcp_now(d)))))
		return 0;
	memcpy(mac, l->mac, 6);
	return 1;
}

/**
 * dhcp_lease_restore() - reload a lease saved before a restart
 * @d:		server
 * @mac:	client
 * @ip:		its address
 * @hostname:	its hostname, NULL or "" for none
 * @expires:	expiry in the clock's seconds; in the past keeps only the
 *		MAC-to-address association
 *
 * Return: 0, or -1 if the address may not go to @mac (outside the pool,
 * another client's static lease or live lease)
 */
int dhcp_lease_restore(struct dhcp *d, const uint8_t mac[6], struct in_addr ip,
		       const char *hostname, int64_t expires)
{
	int64_t now = dhcp_now(d);
	uint32_t a = ntohl(ip.s_addr);
	struct dhcp_lease *l;

	if (!dhcp_mac_ok(mac) || !dhcp_allowed(d, a, mac, now))
		return -1;
	l = dhcp_take(d, a, mac);
	if (!l)
		return -1;
	l->state = expires > now ? DHCP_LEASE_BOUND : DHCP_LEASE_EXPIRED;
	l->expires = expires;
	if (hostname && *hostname)
		dhcp_name_update(d, l, (const uint8_t *)hostname,
				 strlen(hostname), now, 1);
	return 0;
}

/**
 * dhcp_handle() - process one DHCP message from a client
 * @d:		server
 * @src:	the Ethernet source of the frame that carried it: the
 *		message is acted on only when its chaddr is this MAC (and,
 *		with a sender_ok callback, the switch has it on the port)
 * @port:	the port the frame came in on, a number the caller gives
 *		each port, 0 for none known: leases taken by new MACs are
 *		counted per port (dhcp_port_full())
 * @msg:	UDP payload received on port 67, untrusted
 * @len:	its length
 * @reply:	buffer for the reply, DHCP_REPLY_MAX bytes are always enough
 * @replycap:	its size
 * @out:	how to deliver the reply, filled when one is returned
 *
 * Return: length of the reply in @reply, 0 for no reply
 */
int dhcp_handle(struct dhcp *d, const uint8_t src[6], uint32_t port,
		const uint8_t *msg, size_t len, uint8_t *reply, size_t replycap,
		struct dhcp_reply_info *out)
{
	int n;

	d->port = port; /* for this message only */
	n = dhcp_handle_msg(d, src, msg, len, reply, replycap, out);
	d->port = 0;
	return n;
}

/**
 * dhcp_set_name_check() - ask @fn before a client gets a hostname
 * @d:		DHCP server
 * @fn:		is the name taken by another owner (the registry asks the
 *		DNS table: names from lima.yaml, from the control API)?
 *		NULL for none
 * @arg:	its argument
 */
void dhcp_set_name_check(struct dhcp *d, dhcp_name_fn fn, void *arg)
{
	d->name_fn = fn;
	d->name_arg = arg;
}

/**
 * dhcp_get_stats() - copy the counters
 */
void dhcp_get_stats(const struct dhcp *d, struct dhcp_stats *st)
{
	*st = d->stats;
}
