/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcp_store.c - the DHCP server's lease store (see dhcp_int.h): one record
 * per address ever handed out, in a small array (a virtual LAN has few
 * clients; searches are linear), plus a bitmap over the pool marking the
 * addresses that have a record or are reserved by a static lease, so the
 * lowest never-used address is found quickly. A MAC keeps its record
 * after expiry and release, and gets the same address again; expired
 * records are reclaimed, lowest address first, only when the pool has no
 * never-used address left. The hooks at the end list the leases and
 * restore them (lan/registry.c keeps them in the lease file).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "packet/dhcp_int.h"

/**
 * dhcp_in_pool() - is @ip (host order) in the dynamic pool?
 * @d:		server
 * @ip:		address, host order
 *
 * Return: 1 if @ip is in the dynamic pool, else 0
 */
int dhcp_in_pool(const struct dhcp *d, uint32_t ip)
{
	return ip >= d->first && ip <= d->last;
}

/**
 * dhcp_used_set() - mark or clear a pool address in the bitmap
 * @d:		server
 * @ip:		address, host order; outside the pool: nothing
 * @on:		1 to mark, 0 to clear
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
 * @d:		server
 * @ip:		address, host order
 *
 * Return: 1 if it is a host address of the network and none of ours
 */
int dhcp_host_ok(const struct dhcp *d, uint32_t ip)
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
 * dhcp_mac_ok() - a client hardware address we accept: not zero, unicast
 * @mac:	6 bytes
 *
 * Return: 1 if it is neither zero nor multicast, else 0
 */
int dhcp_mac_ok(const uint8_t *mac)
{
	static const uint8_t zero[6];

	return memcmp(mac, zero, 6) && !(mac[0] & 1);
}

/**
 * dhcp_lease_live() - does @l still hold its address against others?
 * @l:		the record
 * @now:	clock
 *
 * Return: 1 if it is an offer, lease or decline hold not yet expired, else 0
 */
int dhcp_lease_live(const struct dhcp_lease *l, int64_t now)
{
	if (l->state == DHCP_LEASE_OFFERED || l->state == DHCP_LEASE_BOUND ||
	    l->state == DHCP_LEASE_DECLINED)
		return l->expires > now;
	return 0;
}

/**
 * dhcp_find_ip() - record for address @ip (host order)
 * @d:		server
 * @ip:		address, host order
 *
 * Return: the record of @ip, or NULL
 */
struct dhcp_lease *dhcp_find_ip(struct dhcp *d, uint32_t ip)
{
	size_t i;

	for (i = 0; i < d->nleases; i++)
		if (d->leases[i].ip == ip)
			return &d->leases[i];
	return NULL;
}

/**
 * dhcp_find_mac() - the record of a client (static one first)
 * @d:		server
 * @mac:	the client
 *
 * Return: its static record, else its first dynamic one, or NULL
 */
struct dhcp_lease *dhcp_find_mac(struct dhcp *d, const uint8_t *mac)
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
 * @d:		server
 * @l:		the record, which goes (the last one moves into its slot)
 */
static void dhcp_delete(struct dhcp *d, struct dhcp_lease *l)
{
	size_t i = (size_t)(l - d->leases);

	dhcp_used_set(d, l->ip, 0);
	d->leases[i] = d->leases[--d->nleases];
}

/**
 * dhcp_add() - new record for @ip (host order), no other record has it
 * @d:		server
 * @ip:		address, host order
 * @mac:	the client
 *
 * Return: the record, NULL on allocation failure (counted in drop_nomem:
 * a guest asked for it, so not fatal)
 */
struct dhcp_lease *dhcp_add(struct dhcp *d, uint32_t ip, const uint8_t *mac)
{
	struct dhcp_lease *l;

	if (d->nleases == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		void *p = realloc(d->leases, cap * sizeof(*d->leases));

		if (!p) {
			d->stats.drop_nomem++; /* per frame: a counted drop */
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
 * @d:		server
 * @ip:		address, host order
 * @mac:	the client
 * @now:	clock
 *
 * Return: 1 if yes; an expired record of another client at @ip does not
 * count against it (dhcp_take() reclaims it)
 */
int dhcp_allowed(struct dhcp *d, uint32_t ip, const uint8_t *mac, int64_t now)
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
 * @d:		server
 * @ip:		address, host order
 * @mac:	the client
 *
 * Drops the client's other dynamic record and any stale record at @ip.
 *
 * Return: the client's record for @ip, NULL on allocation failure
 */
struct dhcp_lease *dhcp_take(struct dhcp *d, uint32_t ip, const uint8_t *mac)
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
 * @d:		server
 * @mac:	the client
 * @req:	requested address (option 50), host order, 0 if none
 * @now:	clock
 *
 * Order: static lease, the client's previous address, @req if no other
 * client had it, the lowest never-used pool address, the lowest pool
 * address whose record expired.
 *
 * Return: host order address, 0 if none is available
 */
uint32_t dhcp_pick(struct dhcp *d, const uint8_t *mac, uint32_t req,
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
 * @d:		server
 * @ip:		address
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
