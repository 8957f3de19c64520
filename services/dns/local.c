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
 * /services/dns/add): a zone is a suffix with optional Regexp records and
 * an optional default address.  A name under a zone that has no entry of
 * its own answers the first of the most specific zone's Regexp records
 * that matches it (gvisor-tap-vsock's matching: an unanchored search in
 * the name without the zone suffix), else the zone's default address if
 * it has one; otherwise it is not local and goes to the resolver like any
 * other name (never NXDOMAIN: Lima #3161).  The zone's named records are
 * ordinary entries.  An entry (or a Regexp record) may also say "the
 * resolver answers this name" (a dns/add record without an address): it
 * then hides the zone's default instead of answering itself.
 * local_find() is the one place that decides what a name is.
 *
 * An owner's name with an IPv6 address (the registry's VM names) also
 * gets the PTR of that address in ip6.arpa, set and removed with the
 * name (dns_local_set_owned(), dns_local_remove_owned()): a guest, or
 * sshd's log, asking who an address of the network is gets the VM's
 * name.  A PTR entry answers PTR (and ANY) only, NOERROR with no data
 * for other types.
 *
 * Not thread-safe: a table belongs to the loop thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/dns/dns.h"

#define LOCAL_BUCKETS_MIN 16
#define LOCAL_ENTRIES_MAX 65536 /* bound on what API clients can add */
#define LOCAL_ZONES_MAX	  256	/* same, for zones */

/**
 * struct local_entry - one name in the table
 * @next:	next entry in the same bucket
 * @hash:	hash of @name
 * @name:	lower-cased wire form
 * @alias:	the name is an alias of @target (no addresses)
 * @resolve:	the name is not answered here: the resolver answers it (a
 *		zone's default address does not apply to it either)
 * @ptr:	the name is a reverse name (ip6.arpa) answering a PTR to
 *		@target (no addresses)
 * @target:	lower-cased wire form of the canonical name, or of the
 *		name a PTR entry points to
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
	bool resolve;
	bool ptr;
	uint8_t target[DNS_NAME_MAX];
	size_t n4;
	struct in_addr a[DNS_LOCAL_ADDRS_MAX];
	size_t n6;
	struct in6_addr aaaa[DNS_LOCAL_ADDRS_MAX];
	const void *owner;
};

/**
 * struct local_regexp - a Regexp record of a zone
 * @next:	next record of the zone, in the order added
 * @re:		compiled pattern (REG_EXTENDED | REG_NOSUB | REG_ICASE)
 * @e:		what a matching name answers (@e.resolve: the resolver)
 */
struct local_regexp {
	struct local_regexp *next;
	regex_t re;
	struct local_entry e;
};

/**
 * struct local_zone - a zone: names under it may answer a Regexp record's
 * or a default address
 * @next:	next zone
 * @name:	lower-cased wire form of the suffix
 * @has_def:	@def answers for names under the zone without an entry
 * @def:	the default entry (one A or one AAAA record), if @has_def
 * @re:		Regexp records, tried in order before @def
 * @re_tail:	where the next one is linked
 * @nre:	how many
 */
struct local_zone {
	struct local_zone *next;
	uint8_t name[DNS_NAME_MAX];
	bool has_def;
	struct local_entry def;
	struct local_regexp *re;
	struct local_regexp **re_tail;
	size_t nre;
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
 * name_text_low() - a text name in lower-cased wire form, the form every
 * key of the table has
 * @text:	the name, any case, untrusted
 * @low:	DNS_NAME_MAX bytes for the result
 *
 * Return: 0, or -1 with errno EINVAL if @text is not a valid name
 */
static int name_text_low(const char *text, uint8_t *low)
{
	uint8_t wire[DNS_NAME_MAX];

	if (dns_name_from_text(text, wire, sizeof(wire)) < 0) {
		errno = EINVAL;
		return -1;
	}
	name_lower(low, wire);
	return 0;
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
 * local_regexp_find() - the first Regexp record of a zone matching a name
 * @z:		zone holding @name
 * @name:	lower-cased wire-form name under @z
 *
 * As gvisor-tap-vsock does, the pattern is searched (unanchored) in the
 * text form of the name without the zone suffix and without a trailing
 * dot: "vm-1" for "vm-1.internal." in zone "internal.".  The zone's apex
 * itself matches no Regexp record.
 *
 * Return: the record's entry, or NULL if none matches
 */
static const struct local_entry *local_regexp_find(const struct local_zone *z,
						   const uint8_t *name)
{
	uint8_t rel[DNS_NAME_MAX];
	char text[DNS_NAME_TEXT_MAX];
	const struct local_regexp *r;
	size_t off = 0;

	if (!z->re)
		return NULL;
	while (!dns_name_equal(name + off, z->name))
		off += 1 + (size_t)name[off];
	if (!off)
		return NULL;
	memcpy(rel, name, off);
	rel[off] = 0;
	if (dns_name_to_text(rel, text, sizeof(text), NULL) < 0)
		return NULL;
	for (r = z->re; r; r = r->next)
		if (!regexec(&r->re, text, 0, NULL, 0))
			return &r->e;
	return NULL;
}

/**
 * local_find() - what a lower-cased name is
 * @l:		table
 * @name:	lower-cased wire-form name
 *
 * A name with an entry is that entry.  Otherwise the most specific zone
 * holding the name decides: its first matching Regexp record, else its
 * default address if it has one, else the name is not local (the
 * resolver answers it).  An entry or record that says the resolver
 * answers makes the name not local.
 *
 * Return: the entry, or NULL if the name is not local
 */
static const struct local_entry *local_find(const struct dns_local *l,
					    const uint8_t *name)
{
	const struct local_entry *e = local_find_exact(l, name);
	const struct local_zone *z;

	if (!e) {
		z = local_zone_of(l, name);
		if (z)
			e = local_regexp_find(z, name);
		if (!e && z && z->has_def)
			e = &z->def;
	}
	return e && !e->resolve ? e : NULL;
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
	uint8_t low[DNS_NAME_MAX];
	struct local_entry *e;

	if (name_text_low(name, low))
		return NULL;
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
	e->resolve = false;
	e->ptr = false;
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
 * local_entry_set_one() - the addresses of a zone's default or of a
 * Regexp record: at most one of each family
 * @e:		entry whose addresses are set
 * @v4:		its IPv4 address, or NULL for none
 * @v6:		its IPv6 address, or NULL for none
 */
static void local_entry_set_one(struct local_entry *e, const struct in_addr *v4,
				const struct in6_addr *v6)
{
	e->n4 = v4 ? 1 : 0;
	if (v4)
		e->a[0] = *v4;
	e->n6 = v6 ? 1 : 0;
	if (v6)
		e->aaaa[0] = *v6;
}

/**
 * local_zone_clear_regexps() - drop a zone's Regexp records
 * @z:	zone
 */
static void local_zone_clear_regexps(struct local_zone *z)
{
	struct local_regexp *r, *next;

	for (r = z->re; r; r = next) {
		next = r->next;
		regfree(&r->re);
		free(r);
	}
	z->re = NULL;
	z->re_tail = &z->re;
	z->nre = 0;
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
		local_zone_clear_regexps(z);
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
	uint8_t low[DNS_NAME_MAX];
	struct local_entry *e;

	if (name_text_low(target, low))
		return -1;
	e = local_entry_get(l, name);
	if (!e)
		return -1;
	memcpy(e->target, low, dns_name_len(low));
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
 * dns_local_set_resolve() - make a name one the resolver answers, even
 * under a zone with a default address (a dns/add record without one)
 * @l:		table
 * @name:	text form of the name, any case
 *
 * Return: 0, or -1 with errno EINVAL (a bad name), ENOMEM or ENOSPC
 */
int dns_local_set_resolve(struct dns_local *l, const char *name)
{
	struct local_entry *e = local_entry_get(l, name);

	if (!e)
		return -1;
	e->resolve = true;
	return 0;
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
	uint8_t low[DNS_NAME_MAX];
	struct local_entry **pe, *e;
	uint32_t h;

	if (name_text_low(name, low))
		return -1;
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
 * local_zone_find() - the zone of a text name
 * @l:		table
 * @zone:	text form of the zone name
 * @create:	add it if missing
 *
 * Return: the zone, or NULL with errno EINVAL (bad name), ENOENT (missing
 * and not @create), ENOMEM or ENOSPC (too many zones)
 */
static struct local_zone *local_zone_find(struct dns_local *l, const char *zone,
					  bool create)
{
	uint8_t low[DNS_NAME_MAX];
	struct local_zone *z;

	if (name_text_low(zone, low))
		return NULL;
	for (z = l->zones; z; z = z->next)
		if (dns_name_equal(z->name, low))
			return z;
	if (!create || l->nzones >= LOCAL_ZONES_MAX) {
		errno = create ? ENOSPC : ENOENT;
		return NULL;
	}
	z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	memcpy(z->name, low, dns_name_len(low));
	memcpy(z->def.name, low, dns_name_len(low));
	z->re_tail = &z->re;
	z->next = l->zones;
	l->zones = z;
	l->nzones++;
	return z;
}

/**
 * dns_local_zone_set() - add a zone, or reset one: its default address
 * set anew, its Regexp records dropped
 * @l:		table
 * @zone:	text form of the zone name ("internal." or "internal")
 * @def4:	IPv4 address every name under the zone without an entry of
 *		its own answers (A records), or NULL
 * @def6:	the same for IPv6 (AAAA records), or NULL; with neither,
 *		those names go to the resolver
 *
 * The zone's named records are ordinary entries (dns_local_set_addrs() of
 * "NAME.ZONE"), its Regexp records are added again after this with
 * dns_local_zone_add_regexp().  A zone that exists keeps its place.
 *
 * Return: 0, or -1 with errno EINVAL (bad name), ENOMEM or ENOSPC (too
 * many zones)
 */
int dns_local_zone_set(struct dns_local *l, const char *zone,
		       const struct in_addr *def4, const struct in6_addr *def6)
{
	struct local_zone *z = local_zone_find(l, zone, true);

	if (!z)
		return -1;
	local_zone_clear_regexps(z);
	z->has_def = def4 || def6;
	local_entry_set_one(&z->def, def4, def6);
	return 0;
}

/**
 * dns_local_zone_add_regexp() - append a Regexp record to a zone
 * @l:		table
 * @zone:	text form of the zone name, added by dns_local_zone_set()
 * @pattern:	POSIX extended regular expression, at most
 *		DNS_LOCAL_REGEXP_LEN bytes, matched case-insensitively
 * @v4:		address a matching name answers (A), or NULL
 * @v6:		address it answers (AAAA), or NULL; with neither, a
 *		matching name goes to the resolver
 *
 * Return: 0, or -1 with errno EINVAL (bad pattern), ENOENT (no such zone),
 * ENOSPC (more than DNS_LOCAL_REGEXPS_MAX in the zone) or ENOMEM
 */
int dns_local_zone_add_regexp(struct dns_local *l, const char *zone,
			      const char *pattern, const struct in_addr *v4,
			      const struct in6_addr *v6)
{
	struct local_zone *z = local_zone_find(l, zone, false);
	struct local_regexp *r;

	if (!z)
		return -1;
	if (z->nre >= DNS_LOCAL_REGEXPS_MAX) {
		errno = ENOSPC;
		return -1;
	}
	if (dns_regexp_check(pattern, NULL, 0)) {
		errno = EINVAL;
		return -1;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	if (regcomp(&r->re, pattern, DNS_REGEXP_FLAGS)) {
		free(r);
		errno = EINVAL;
		return -1;
	}
	memcpy(r->e.name, z->name, dns_name_len(z->name));
	r->e.resolve = !v4 && !v6;
	local_entry_set_one(&r->e, v4, v6);
	*z->re_tail = r;
	z->re_tail = &r->next;
	z->nre++;
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
 * NOERROR, with the A records for qtype A, AAAA for AAAA, the PTR of a
 * reverse name for PTR, all for ANY and none for any other type (the
 * name exists, NOERROR with no data).  A
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
	res->ptr = false;
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
	if (e->ptr && (qtype == DNS_T_PTR || qtype == DNS_T_ANY)) {
		res->ptr = true;
		memcpy(res->ptr_target, e->target, dns_name_len(e->target));
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
 *		AAAA and ANY, PTR for PTR and ANY)
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
	if (res->ptr && (qtype == DNS_T_PTR || qtype == DNS_T_ANY))
		r |= dns_build_ptr(b, owner, res->ttl, res->ptr_target);
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
	uint8_t low[DNS_NAME_MAX];

	if (name_text_low(name, low))
		return NULL;
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
 * dns_local_rev6() - the reverse name of an IPv6 address, in ip6.arpa
 * @a:		the address
 * @text:	DNS_LOCAL_REV6_LEN bytes for "b.a.9.8...0.c.e.f.ip6.arpa"
 */
void dns_local_rev6(const struct in6_addr *a, char *text)
{
	static const char hex[] = "0123456789abcdef";
	char *p = text;
	int i;

	for (i = 15; i >= 0; i--) {
		*p++ = hex[a->s6_addr[i] & 0xf];
		*p++ = '.';
		*p++ = hex[a->s6_addr[i] >> 4];
		*p++ = '.';
	}
	strcpy(p, "ip6.arpa");
}

/**
 * local_ptr_set() - make the reverse name of an owner's IPv6 address
 * point to its name, unless someone else set that reverse name
 * @l:		table
 * @a:		the address
 * @name:	lower-cased wire form of the owner's name
 * @owner:	the owner
 *
 * Best effort: a reverse name set by the configuration or the control
 * API stays theirs, and a full table leaves the address without PTR.
 */
static void local_ptr_set(struct dns_local *l, const struct in6_addr *a,
			  const uint8_t *name, const void *owner)
{
	char rev[DNS_LOCAL_REV6_LEN];
	struct local_entry *e;

	dns_local_rev6(a, rev);
	if (dns_local_taken(l, rev, owner))
		return;
	e = local_entry_get(l, rev);
	if (!e)
		return;
	e->ptr = true;
	memcpy(e->target, name, dns_name_len(name));
	e->owner = owner;
}

/**
 * local_ptr_drop() - remove the PTR local_ptr_set() gave an owner's entry
 * @l:		table
 * @e:		the owner's entry (one name with its addresses)
 * @owner:	the owner
 */
static void local_ptr_drop(struct dns_local *l, const struct local_entry *e,
			   const void *owner)
{
	char rev[DNS_LOCAL_REV6_LEN];
	const struct local_entry *p;

	if (e->n6 != 1)
		return;
	dns_local_rev6(&e->aaaa[0], rev);
	p = local_entry_text(l, rev);
	if (p && p->owner == owner && p->ptr &&
	    dns_name_equal(p->target, e->name))
		dns_local_remove(l, rev);
}

/**
 * dns_local_set_owned() - make a name answer one IPv4 address and at most
 * one IPv6 address, for an owner that may change or remove only what it
 * set itself (the names of DHCP clients: a guest must never replace a
 * name of the configuration or of the control API)
 * @l:		table
 * @name:	text form of the name, any case
 * @owner:	the owner, not NULL
 * @v4:		the address
 * @v6:		the IPv6 address (AAAA, and its PTR in ip6.arpa), or NULL
 *
 * An entry set later by dns_local_set_addrs() and the like is no longer
 * @owner's.
 *
 * Return: 0, or -1 with errno EEXIST (the name has an entry of another
 * owner, left as it was), EINVAL, ENOMEM or ENOSPC
 */
int dns_local_set_owned(struct dns_local *l, const char *name,
			const void *owner, const struct in_addr *v4,
			const struct in6_addr *v6)
{
	struct local_entry *e;

	if (dns_local_taken(l, name, owner)) {
		errno = EEXIST;
		return -1;
	}
	e = local_entry_text(l, name);
	if (e)
		local_ptr_drop(l, e, owner);
	if (dns_local_set_addrs(l, name, v4, 1, v6, v6 ? 1 : 0))
		return -1;
	e = local_entry_text(l, name);
	e->owner = owner;
	if (v6)
		local_ptr_set(l, v6, e->name, owner);
	return 0;
}

/**
 * dns_local_remove_owned() - take a name out of the table if @owner set
 * it, with the PTR of its IPv6 address
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
	local_ptr_drop(l, e, owner);
	return dns_local_remove(l, name);
}
