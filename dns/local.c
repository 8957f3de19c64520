/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * local.c - names the daemon answers itself: a hash table keyed by the
 * lower-cased wire form of a name, each entry holding addresses (A/AAAA)
 * or another name (an alias, answered as a CNAME).  Lookups follow alias
 * chains up to DNS_LOCAL_CHAIN_MAX links; a cycle or a longer chain
 * answers SERVFAIL.  A chain that leaves the table is handed back to the
 * caller to finish with the resolver (DNS_LOCAL_CONTINUE).
 *
 * Matching is by exact name, then by zone (the control API's
 * /services/dns/add): a zone is a suffix with an optional default address.
 * A name under a zone that has no entry of its own answers the zone's
 * default address if it has one; otherwise it is not local and goes to the
 * resolver like any other name (never NXDOMAIN: Lima #3161).  The zone's
 * records are ordinary entries.  local_find() is the one place that
 * decides what a name is.
 *
 * Not thread-safe: a table belongs to the loop thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

#define LOCAL_BUCKETS_MIN 16
#define LOCAL_ENTRIES_MAX 65536 /* bound on what API clients can add */
#define LOCAL_ZONES_MAX	  256	/* same, for zones */

/**
 * struct local_entry - one name in the table
 * @next:	next entry in the same bucket
 * @hash:	hash of @name
 * @name:	lower-cased wire form
 * @alias:	the name is an alias of @target (no addresses)
 * @target:	lower-cased wire form of the canonical name
 * @n4:		IPv4 addresses
 * @a:		them
 * @n6:		IPv6 addresses
 * @aaaa:	them
 * @owner:	who set it through dns_local_set_owned(), NULL when it was
 *		set otherwise (configuration, the control API)
 */
struct local_entry {
	struct local_entry *next;
	uint32_t hash;
	uint8_t name[DNS_NAME_MAX];
	bool alias;
	uint8_t target[DNS_NAME_MAX];
	size_t n4;
	struct in_addr a[DNS_LOCAL_ADDRS_MAX];
	size_t n6;
	struct in6_addr aaaa[DNS_LOCAL_ADDRS_MAX];
	const void *owner;
};

/**
 * struct local_zone - a zone: names under it may answer a default address
 * @next:	next zone
 * @name:	lower-cased wire form of the suffix
 * @has_def:	@def answers for names under the zone without an entry
 * @def:	the default entry (one A record), if @has_def
 */
struct local_zone {
	struct local_zone *next;
	uint8_t name[DNS_NAME_MAX];
	bool has_def;
	struct local_entry def;
};

/**
 * struct dns_local - the table
 * @bucket:	hash buckets, a power of two of them
 * @nbucket:	how many
 * @count:	entries
 * @ttl:	TTL of the records answered
 * @zones:	zones, most recently added first
 * @nzones:	how many
 */
struct dns_local {
	struct local_entry **bucket;
	size_t nbucket;
	size_t count;
	uint32_t ttl;
	struct local_zone *zones;
	size_t nzones;
};

/**
 * name_lower() - copy a wire-form name, lower-casing ASCII letters
 * @dst:	DNS_NAME_MAX bytes
 * @src:	uncompressed wire-form name
 */
static void name_lower(uint8_t *dst, const uint8_t *src)
{
	size_t i, n = dns_name_len(src), next = 0;

	for (i = 0; i < n; i++) {
		uint8_t c = src[i];

		/* length bytes are copied as is, label bytes lowered */
		if (i == next)
			next = i + 1 + c;
		else if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		dst[i] = c;
	}
}

/**
 * name_hash() - FNV-1a hash of a lower-cased wire-form name
 * @name:	the name
 *
 * Return: the hash
 */
static uint32_t name_hash(const uint8_t *name)
{
	size_t i, n = dns_name_len(name);
	uint32_t h = 2166136261u;

	for (i = 0; i < n; i++) {
		h ^= name[i];
		h *= 16777619u;
	}
	return h;
}

/**
 * local_find_exact() - the entry of a lower-cased name itself
 * @l:		table
 * @name:	lower-cased wire-form name
 *
 * Return: the entry, or NULL
 */
static struct local_entry *local_find_exact(const struct dns_local *l,
					    const uint8_t *name)
{
	uint32_t h = name_hash(name);
	struct local_entry *e;

	for (e = l->bucket[h & (l->nbucket - 1)]; e; e = e->next)
		if (e->hash == h && dns_name_equal(e->name, name))
			return e;
	return NULL;
}

/**
 * local_suffix_depth() - is @zone a suffix of @name at a label boundary?
 * @name:	wire-form name
 * @zone:	wire-form zone name
 *
 * Return: the number of labels of @name before @zone (0: the same name),
 * or -1 if @name is not under @zone
 */
static int local_suffix_depth(const uint8_t *name, const uint8_t *zone)
{
	size_t off = 0;
	int depth = 0;

	for (;;) {
		if (dns_name_equal(name + off, zone))
			return depth;
		if (!name[off])
			return -1;
		off += 1 + (size_t)name[off];
		depth++;
	}
}

/**
 * local_zone_of() - the most specific zone holding a name
 * @l:		table
 * @name:	lower-cased wire-form name
 *
 * Return: the zone, or NULL if no zone holds @name
 */
static const struct local_zone *local_zone_of(const struct dns_local *l,
					      const uint8_t *name)
{
	const struct local_zone *z, *best = NULL;
	int d, best_d = 0;

	for (z = l->zones; z; z = z->next) {
		d = local_suffix_depth(name, z->name);
		if (d >= 0 && (!best || d < best_d)) {
			best = z;
			best_d = d;
		}
	}
	return best;
}

/**
 * local_find() - what a lower-cased name is
 * @l:		table
 * @name:	lower-cased wire-form name
 *
 * A name with an entry is that entry.  Otherwise the most specific zone
 * holding the name decides: its default address if it has one, else the
 * name is not local (the resolver answers it).
 *
 * Return: the entry, or NULL if the name is not local
 */
static const struct local_entry *local_find(const struct dns_local *l,
					    const uint8_t *name)
{
	const struct local_entry *e = local_find_exact(l, name);
	const struct local_zone *z;

	if (e)
		return e;
	z = local_zone_of(l, name);
	return z && z->has_def ? &z->def : NULL;
}

/**
 * local_grow() - double the buckets when the table gets crowded
 * @l:	table
 *
 * Failure to grow is harmless: chains just get longer.
 */
static void local_grow(struct dns_local *l)
{
	size_t n = l->nbucket * 2, i;
	struct local_entry **b;

	if (l->count < l->nbucket * 2)
		return;
	b = calloc(n, sizeof(*b));
	if (!b)
		return;
	for (i = 0; i < l->nbucket; i++) {
		struct local_entry *e, *next;

		for (e = l->bucket[i]; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(l->bucket);
	l->bucket = b;
	l->nbucket = n;
}

/**
 * local_entry_get() - the entry for a text name, created if needed and
 * cleared for new data
 * @l:		table
 * @name:	text form of the name
 *
 * Return: the entry, or NULL with errno EINVAL (bad name), ENOMEM or
 * ENOSPC (table full)
 */
static struct local_entry *local_entry_get(struct dns_local *l,
					   const char *name)
{
	uint8_t wire[DNS_NAME_MAX], low[DNS_NAME_MAX];
	struct local_entry *e;

	if (dns_name_from_text(name, wire, sizeof(wire)) < 0) {
		errno = EINVAL;
		return NULL;
	}
	name_lower(low, wire);
	e = local_find_exact(l, low);
	if (!e) {
		if (l->count >= LOCAL_ENTRIES_MAX) {
			errno = ENOSPC;
			return NULL;
		}
		e = calloc(1, sizeof(*e));
		if (!e)
			return NULL;
		memcpy(e->name, low, dns_name_len(low));
		e->hash = name_hash(low);
		e->next = l->bucket[e->hash & (l->nbucket - 1)];
		l->bucket[e->hash & (l->nbucket - 1)] = e;
		l->count++;
		local_grow(l);
	}
	e->alias = false;
	e->n4 = e->n6 = 0;
	e->owner = NULL; /* whoever sets it last owns it */
	return e;
}

/**
 * dns_local_new() - create a table
 * @gateway:	address of host.lima.internal (the gateway, .2), or NULL to
 *		leave that name out
 *
 * Return: the table, or NULL (ENOMEM)
 */
struct dns_local *dns_local_new(const struct in_addr *gateway)
{
	struct dns_local *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->nbucket = LOCAL_BUCKETS_MIN;
	l->bucket = calloc(l->nbucket, sizeof(*l->bucket));
	l->ttl = DNS_LOCAL_TTL;
	if (!l->bucket ||
	    (gateway && dns_local_set_addrs(l, "host.lima.internal", gateway, 1,
					    NULL, 0) < 0)) {
		dns_local_free(l);
		return NULL;
	}
	return l;
}

/**
 * dns_local_free() - free a table and its entries
 * @l:	table, or NULL
 */
void dns_local_free(struct dns_local *l)
{
	struct local_zone *z, *zn;
	size_t i;

	if (!l)
		return;
	for (z = l->zones; z; z = zn) {
		zn = z->next;
		free(z);
	}
	for (i = 0; l->bucket && i < l->nbucket; i++) {
		struct local_entry *e, *next;

		for (e = l->bucket[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(l->bucket);
	free(l);
}

/**
 * dns_local_set_addrs() - make a name answer these addresses, replacing
 * whatever it answered before
 * @l:		table
 * @name:	text form of the name, any case
 * @v4:		IPv4 addresses (A records), or NULL
 * @n4:		how many, at most DNS_LOCAL_ADDRS_MAX
 * @v6:		IPv6 addresses (AAAA records), or NULL
 * @n6:		how many, at most DNS_LOCAL_ADDRS_MAX
 *
 * A name with addresses of one family only answers NOERROR with no data
 * for the other.
 *
 * Return: 0, or -1 with errno EINVAL (bad name, too many addresses),
 * ENOMEM or ENOSPC
 */
int dns_local_set_addrs(struct dns_local *l, const char *name,
			const struct in_addr *v4, size_t n4,
			const struct in6_addr *v6, size_t n6)
{
	struct local_entry *e;

	if (n4 > DNS_LOCAL_ADDRS_MAX || n6 > DNS_LOCAL_ADDRS_MAX ||
	    (n4 && !v4) || (n6 && !v6)) {
		errno = EINVAL;
		return -1;
	}
	e = local_entry_get(l, name);
	if (!e)
		return -1;
	if (n4)
		memcpy(e->a, v4, n4 * sizeof(*v4));
	if (n6)
		memcpy(e->aaaa, v6, n6 * sizeof(*v6));
	e->n4 = n4;
	e->n6 = n6;
	return 0;
}

/**
 * dns_local_set_alias() - make a name an alias of another (answered as a
 * CNAME), replacing whatever it answered before
 * @l:		table
 * @name:	text form of the name, any case
 * @target:	text form of the canonical name, local or not
 *
 * Return: 0, or -1 with errno EINVAL (a bad name), ENOMEM or ENOSPC
 */
int dns_local_set_alias(struct dns_local *l, const char *name,
			const char *target)
{
	uint8_t wire[DNS_NAME_MAX];
	struct local_entry *e;

	if (dns_name_from_text(target, wire, sizeof(wire)) < 0) {
		errno = EINVAL;
		return -1;
	}
	e = local_entry_get(l, name);
	if (!e)
		return -1;
	name_lower(e->target, wire);
	e->alias = true;
	return 0;
}

/**
 * dns_local_set() - make a name answer a value from configuration
 * (lima.yaml hostResolver.hosts): an IPv4 or IPv6 address, or another name
 * @l:		table
 * @name:	text form of the name, any case
 * @value:	address literal or text form of a name
 *
 * Return: 0, or -1 with errno EINVAL, ENOMEM or ENOSPC
 */
int dns_local_set(struct dns_local *l, const char *name, const char *value)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!value) {
		errno = EINVAL;
		return -1;
	}
	if (inet_pton(AF_INET, value, &a4) == 1)
		return dns_local_set_addrs(l, name, &a4, 1, NULL, 0);
	if (inet_pton(AF_INET6, value, &a6) == 1)
		return dns_local_set_addrs(l, name, NULL, 0, &a6, 1);
	return dns_local_set_alias(l, name, value);
}

/**
 * dns_local_remove() - take a name out of the table
 * @l:		table
 * @name:	text form of the name, any case
 *
 * Return: 0, or -1 with errno EINVAL (bad name) or ENOENT (not there)
 */
int dns_local_remove(struct dns_local *l, const char *name)
{
	uint8_t wire[DNS_NAME_MAX], low[DNS_NAME_MAX];
	struct local_entry **pe, *e;
	uint32_t h;

	if (dns_name_from_text(name, wire, sizeof(wire)) < 0) {
		errno = EINVAL;
		return -1;
	}
	name_lower(low, wire);
	h = name_hash(low);
	for (pe = &l->bucket[h & (l->nbucket - 1)]; (e = *pe); pe = &e->next) {
		if (e->hash == h && dns_name_equal(e->name, low)) {
			*pe = e->next;
			free(e);
			l->count--;
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/**
 * dns_local_zone_set() - add a zone, or change the default address of one
 * @l:		table
 * @zone:	text form of the zone name ("internal." or "internal")
 * @def:	address every name under the zone without an entry of its
 *		own answers (A records only), or NULL: those names go to the
 *		resolver
 *
 * The zone's records are ordinary entries (dns_local_set_addrs() of
 * "NAME.ZONE").  A zone that exists keeps its place and gets @def.
 *
 * Return: 0, or -1 with errno EINVAL (bad name), ENOMEM or ENOSPC (too
 * many zones)
 */
int dns_local_zone_set(struct dns_local *l, const char *zone,
		       const struct in_addr *def)
{
	uint8_t wire[DNS_NAME_MAX], low[DNS_NAME_MAX];
	struct local_zone *z;

	if (dns_name_from_text(zone, wire, sizeof(wire)) < 0) {
		errno = EINVAL;
		return -1;
	}
	name_lower(low, wire);
	for (z = l->zones; z; z = z->next)
		if (dns_name_equal(z->name, low))
			break;
	if (!z) {
		if (l->nzones >= LOCAL_ZONES_MAX) {
			errno = ENOSPC;
			return -1;
		}
		z = calloc(1, sizeof(*z));
		if (!z)
			return -1;
		memcpy(z->name, low, dns_name_len(low));
		memcpy(z->def.name, low, dns_name_len(low));
		z->next = l->zones;
		l->zones = z;
		l->nzones++;
	}
	z->has_def = def != NULL;
	z->def.n4 = def ? 1 : 0;
	if (def)
		z->def.a[0] = *def;
	return 0;
}

/**
 * dns_local_zone_count() - how many zones the table holds
 * @l:	table
 *
 * Return: the number of zones
 */
size_t dns_local_zone_count(const struct dns_local *l)
{
	return l->nzones;
}

/**
 * dns_local_count() - how many names the table holds
 * @l:	table
 *
 * Return: the number of entries, host.lima.internal included
 */
size_t dns_local_count(const struct dns_local *l)
{
	return l->count;
}

/**
 * dns_local_lookup() - what a local name answers
 * @l:		table
 * @qname:	question name, wire form, any case
 * @qtype:	question type
 * @res:	filled with the answer
 *
 * Not in the table: DNS_LOCAL_MISS.  In the table: aliases are followed
 * (each link a CNAME record) to a name with addresses: DNS_LOCAL_ANSWER,
 * NOERROR, with the A records for qtype A, AAAA for AAAA, both for ANY and
 * none for any other type (the name exists, NOERROR with no data).  A
 * qtype CNAME query on an alias answers that one CNAME only.  A chain
 * reaching a name outside the table: DNS_LOCAL_CONTINUE with the CNAMEs so
 * far.  A cycle or more than DNS_LOCAL_CHAIN_MAX links: DNS_LOCAL_ANSWER
 * with SERVFAIL and no records.
 *
 * Return: @res->status
 */
int dns_local_lookup(const struct dns_local *l, const uint8_t *qname,
		     uint16_t qtype, struct dns_local_result *res)
{
	const struct local_entry *e;
	size_t i;

	res->status = DNS_LOCAL_MISS;
	res->rcode = DNS_RCODE_NOERROR;
	res->ttl = l->ttl;
	res->ncname = 0;
	res->n4 = res->n6 = 0;
	name_lower(res->names[0], qname);
	e = local_find(l, res->names[0]);
	if (!e)
		return DNS_LOCAL_MISS;

	res->status = DNS_LOCAL_ANSWER;
	while (e->alias) {
		if (res->ncname == DNS_LOCAL_CHAIN_MAX)
			goto servfail;
		for (i = 0; i <= res->ncname; i++)
			if (dns_name_equal(res->names[i], e->target))
				goto servfail;
		res->ncname++;
		memcpy(res->names[res->ncname], e->target,
		       dns_name_len(e->target));
		if (qtype == DNS_T_CNAME)
			return DNS_LOCAL_ANSWER;
		e = local_find(l, e->target);
		if (!e) {
			res->status = DNS_LOCAL_CONTINUE;
			return DNS_LOCAL_CONTINUE;
		}
	}
	if (qtype == DNS_T_A || qtype == DNS_T_ANY) {
		memcpy(res->a, e->a, e->n4 * sizeof(e->a[0]));
		res->n4 = e->n4;
	}
	if (qtype == DNS_T_AAAA || qtype == DNS_T_ANY) {
		memcpy(res->aaaa, e->aaaa, e->n6 * sizeof(e->aaaa[0]));
		res->n6 = e->n6;
	}
	return DNS_LOCAL_ANSWER;

servfail:
	res->rcode = DNS_RCODE_SERVFAIL;
	res->ncname = 0;
	return DNS_LOCAL_ANSWER;
}

/**
 * dns_local_put() - write a local result's records into an answer
 * @res:	result of dns_local_lookup() (ANSWER or CONTINUE)
 * @qtype:	question type (A records go out for A and ANY, AAAA for
 *		AAAA and ANY)
 * @b:		answer begun with dns_build_begin() (rcode @res->rcode, AA)
 *
 * The first CNAME's owner is written as a pointer to the question, so the
 * client sees its own spelling.  After a DNS_LOCAL_CONTINUE result, append
 * the records of @res->names[@res->ncname] with that owner.
 *
 * Return: 0, or -1 if a record was dropped (TC set)
 */
int dns_local_put(const struct dns_local_result *res, uint16_t qtype,
		  struct dns_builder *b)
{
	const uint8_t *owner = res->ncname ? res->names[res->ncname] : NULL;
	size_t i;
	int r = 0;

	for (i = 0; i < res->ncname; i++)
		r |= dns_build_cname(b, i ? res->names[i] : NULL, res->ttl,
				     res->names[i + 1]);
	if (qtype == DNS_T_A || qtype == DNS_T_ANY)
		for (i = 0; i < res->n4; i++)
			r |= dns_build_a(b, owner, res->ttl, &res->a[i]);
	if (qtype == DNS_T_AAAA || qtype == DNS_T_ANY)
		for (i = 0; i < res->n6; i++)
			r |= dns_build_aaaa(b, owner, res->ttl, &res->aaaa[i]);
	return r ? -1 : 0;
}

/**
 * local_entry_text() - the entry of a text name, if any
 * @l:		table
 * @name:	text form of the name, any case
 *
 * Return: the entry, NULL if the name has none or is not a valid name
 */
static struct local_entry *local_entry_text(const struct dns_local *l,
					    const char *name)
{
	uint8_t wire[DNS_NAME_MAX], low[DNS_NAME_MAX];

	if (dns_name_from_text(name, wire, sizeof(wire)) < 0)
		return NULL;
	name_lower(low, wire);
	return local_find_exact(l, low);
}

/**
 * dns_local_taken() - does a name have an entry someone other than
 * @owner set?
 * @l:		table
 * @name:	text form of the name, any case
 * @owner:	the caller of dns_local_set_owned()
 *
 * Return: 1 if so (it came from configuration, the control API or
 * another owner), 0 if it has no entry or @owner's
 */
int dns_local_taken(const struct dns_local *l, const char *name,
		    const void *owner)
{
	const struct local_entry *e = local_entry_text(l, name);

	return e && e->owner != owner;
}

/**
 * dns_local_set_owned() - make a name answer one IPv4 address, for an
 * owner that may change or remove only what it set itself (the names of
 * DHCP clients: a guest must never replace a name of the configuration
 * or of the control API)
 * @l:		table
 * @name:	text form of the name, any case
 * @owner:	the owner, not NULL
 * @v4:		the address
 *
 * An entry set later by dns_local_set_addrs() and the like is no longer
 * @owner's.
 *
 * Return: 0, or -1 with errno EEXIST (the name has an entry of another
 * owner, left as it was), EINVAL, ENOMEM or ENOSPC
 */
int dns_local_set_owned(struct dns_local *l, const char *name,
			const void *owner, const struct in_addr *v4)
{
	if (dns_local_taken(l, name, owner)) {
		errno = EEXIST;
		return -1;
	}
	if (dns_local_set_addrs(l, name, v4, 1, NULL, 0))
		return -1;
	local_entry_text(l, name)->owner = owner;
	return 0;
}

/**
 * dns_local_remove_owned() - take a name out of the table if @owner set it
 * @l:		table
 * @name:	text form of the name, any case
 * @owner:	the owner given to dns_local_set_owned()
 *
 * Return: 0, or -1 with errno ENOENT (no entry, or not @owner's: kept)
 */
int dns_local_remove_owned(struct dns_local *l, const char *name,
			   const void *owner)
{
	const struct local_entry *e = local_entry_text(l, name);

	if (!e || e->owner != owner) {
		errno = ENOENT;
		return -1;
	}
	return dns_local_remove(l, name);
}
