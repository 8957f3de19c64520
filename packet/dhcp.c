/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcp.c - DHCP server policy (RFC 2131): DISCOVER, REQUEST, DECLINE,
 * RELEASE and INFORM; who may have an address, a hostname, how many
 * leases a port may take; the configuration's checks. The lease store is
 * dhcp_store.c, the message codec dhcp_codec.c (dhcp_int.h).
 *
 * The server is authoritative for its virtual LAN: it is the only DHCP
 * server there, so a client asking (INIT-REBOOT, RENEWING) for an address
 * the server has no record of gets it if it is free and allowed to that
 * MAC, and a DHCPNAK otherwise. That keeps guests' addresses across a
 * daemon restart even before leases are persisted.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "packet/dhcp_int.h"

#define DHCP_LOG_GAP_MS 10000 /* guest-provoked warnings: one every 10 s */

/**
 * dhcp_clock_default() - monotonic seconds
 * @arg:	unused
 *
 * Return: CLOCK_MONOTONIC's seconds
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
 * @d:		server
 *
 * Return: the configured clock's seconds
 */
int64_t dhcp_now(const struct dhcp *d)
{
	return d->cfg.clock(d->cfg.clock_arg);
}

/**
 * dhcp_other_server() - does the message name a server other than us?
 * @d:		server
 * @m:		the message
 *
 * Return: 1 if its option 54 names another server, else 0
 */
static int dhcp_other_server(const struct dhcp *d, const struct dhcp_msg *m)
{
	const struct dhcp_opt *o = &m->opt[OPT_SERVER_ID];

	return o->p && dhcp_get32(o->p) != ntohl(d->cfg.server_id.s_addr);
}

/**
 * dhcp_port_full() - may @mac not have an address, for its port's sake?
 * @d:		server (@d->port: the message's port)
 * @mac:	the client
 * @now:	clock
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
	if (log_rate_due(&d->port_logged, now * 1000, DHCP_LOG_GAP_MS)) {
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
void dhcp_name_update(struct dhcp *d, struct dhcp_lease *l, const uint8_t *p,
		      size_t len, int64_t now, int count)
{
	char name[DHCP_HOSTNAME_MAX + 1];

	memcpy(name, l->hostname, sizeof(name));
	dhcp_set_hostname(name, p, len);
	if (name[0] && (dhcp_name_held(d, l, name, now) ||
			(d->name_fn && d->name_fn(d->name_arg, name)))) {
		if (count) {
			d->stats.name_taken++;
			if (log_rate_due(&d->name_logged, now * 1000,
					 DHCP_LOG_GAP_MS)) {
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
 * @d:		server
 * @m:		the message
 * @now:	clock
 * @reply:	buffer for the offer
 * @cap:	its size
 * @out:	how to deliver it, @out->yiaddr set
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
	ip = dhcp_pick(d, mac, rq->p ? dhcp_get32(rq->p) : 0, now);
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
 * @d:		server
 * @m:		the message
 * @now:	clock
 * @reply:	buffer for the ACK or NAK
 * @cap:	its size
 * @out:	how to deliver it: @out->yiaddr, and unicast to ciaddr
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
		ip = rq->p ? dhcp_get32(rq->p) : 0;
	else if (m->ciaddr)
		ip = m->ciaddr;
	else
		ip = rq->p ? dhcp_get32(rq->p) : 0;
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
 * @d:		server
 * @m:		the message (option 50: the address)
 * @now:	clock
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
	l = rq->p ? dhcp_find_ip(d, dhcp_get32(rq->p)) : NULL;
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
 * @d:		server
 * @m:		the message
 * @now:	clock
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
	if (log_rate_due(&d->chaddr_logged, now * 1000, DHCP_LOG_GAP_MS)) {
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
		out->type = dhcp_reply_type(reply);
	if (d->dirty && d->cfg.changed) {
		d->dirty = 0;
		d->cfg.changed(d->cfg.changed_arg);
	}
	return (int)n;
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
 * dhcp_new() - create a server
 * @cfg:	configuration, copied (the search list is encoded, static
 *		leases are copied into the lease store)
 *
 * Return: the server, NULL (with a message) for an invalid configuration
 */
struct dhcp *dhcp_new(const struct dhcp_config *cfg)
{
	struct dhcp *d = xcalloc(1, sizeof(*d));
	uint32_t mask, n, server, router, dns;
	size_t i, j;

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
	d->used = xcalloc((n + 63) / 64, sizeof(*d->used));

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
 * @d:		server, or NULL
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
 * @d:		server
 * @st:		filled with its counters
 */
void dhcp_get_stats(const struct dhcp *d, struct dhcp_stats *st)
{
	*st = d->stats;
}
