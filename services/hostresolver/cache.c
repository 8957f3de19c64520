/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache.c - the short cache in front of the native resolver: answers of
 * hr_lookup() (addresses, NODATA, NXDOMAIN, and briefly SERVFAIL) keyed by
 * normalized name and family, in a hash table with chaining, bounded in
 * size, the least recently used entry evicted first. Expired entries go
 * when they are looked up or reach the tail of the LRU list.
 *
 * Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "services/hostresolver/hr_internal.h"
#include "base/log.h"
#include "base/xalloc.h"

/**
 * hr_cache_init() - set up an empty cache
 * @c:		cache
 * @max:	entries at most, >= 1
 *
 * Return: 0; exits on allocation failure
 */
int hr_cache_init(struct hr_cache *c, int max)
{
	unsigned n = 16;

	memset(c, 0, sizeof(*c));
	while (n < (unsigned)max && n < (1U << 20))
		n <<= 1;
	c->tab = xcalloc(n, sizeof(*c->tab));
	c->mask = n - 1;
	c->max = max;
	return 0;
}

/**
 * hr_cache_unlink() - take @e out of the table and the LRU list, free it
 * @c:		cache
 * @e:		entry
 */
static void hr_cache_unlink(struct hr_cache *c, struct hr_centry *e)
{
	struct hr_centry **pp;

	for (pp = &c->tab[e->hash & c->mask]; *pp; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	}
	if (e->lprev)
		e->lprev->lnext = e->lnext;
	else
		c->lru_head = e->lnext;
	if (e->lnext)
		e->lnext->lprev = e->lprev;
	else
		c->lru_tail = e->lprev;
	c->n--;
	free(e);
}

/**
 * hr_cache_fini() - free every entry and the table
 * @c:		cache
 */
void hr_cache_fini(struct hr_cache *c)
{
	while (c->lru_head)
		hr_cache_unlink(c, c->lru_head);
	free(c->tab);
	c->tab = NULL;
}

/**
 * hr_cache_find() - the entry for @name and @family, expired or not
 * @c:		cache
 * @name:	normalized name
 * @family:	AF_INET or AF_INET6
 * @hash:	hr_hash(@name, @family)
 *
 * Return: entry or NULL
 */
static struct hr_centry *hr_cache_find(struct hr_cache *c, const char *name,
				       int family, unsigned hash)
{
	struct hr_centry *e;

	for (e = c->tab[hash & c->mask]; e; e = e->hnext)
		if (e->hash == hash && e->family == family &&
		    !strcmp(e->name, name))
			return e;
	return NULL;
}

/**
 * hr_cache_touch() - make @e the most recently used entry
 * @c:		cache
 * @e:		entry
 */
static void hr_cache_touch(struct hr_cache *c, struct hr_centry *e)
{
	if (c->lru_head == e)
		return;
	/* Unlink: @e has a predecessor since it is not the head. */
	e->lprev->lnext = e->lnext;
	if (e->lnext)
		e->lnext->lprev = e->lprev;
	else
		c->lru_tail = e->lprev;
	e->lprev = NULL;
	e->lnext = c->lru_head;
	c->lru_head->lprev = e;
	c->lru_head = e;
}

/**
 * hr_cache_get() - a live answer for @name and @family
 * @c:		cache
 * @name:	normalized name
 * @family:	AF_INET or AF_INET6
 * @hash:	hr_hash(@name, @family)
 * @now:	monotonic ms
 *
 * An expired entry found on the way is dropped.
 *
 * Return: entry, valid until the next hr_cache_put(), or NULL
 */
const struct hr_centry *hr_cache_get(struct hr_cache *c, const char *name,
				     int family, unsigned hash, int64_t now)
{
	struct hr_centry *e = hr_cache_find(c, name, family, hash);

	if (!e)
		return NULL;
	if (e->expires <= now) {
		hr_cache_unlink(c, e);
		return NULL;
	}
	hr_cache_touch(c, e);
	return e;
}

/**
 * hr_cache_put() - store an answer, replacing any older one for the key
 * @c:		cache
 * @name:	normalized name
 * @family:	AF_INET or AF_INET6
 * @hash:	hr_hash(@name, @family)
 * @status:	answer status
 * @addrs:	packed addresses
 * @naddrs:	how many, at most HR_ADDRS_MAX
 * @canon:	canonical name ("" for none)
 * @expires:	monotonic ms
 *
 * When the cache is full the least recently used entry is evicted.
 */
void hr_cache_put(struct hr_cache *c, const char *name, int family,
		  unsigned hash, enum hr_status status, const uint8_t *addrs,
		  size_t naddrs, const char *canon, int64_t expires)
{
	size_t nlen = strlen(name) + 1, clen = strlen(canon) + 1, bytes;
	struct hr_centry *e;

	e = hr_cache_find(c, name, family, hash);
	if (e)
		hr_cache_unlink(c, e);
	while (c->n >= c->max && c->lru_tail)
		hr_cache_unlink(c, c->lru_tail);

	bytes = naddrs * hr_addr_len(family);
	e = malloc(sizeof(*e) + nlen + clen + bytes);
	if (!e)
		return; /* per query: the answer is just not cached */
	memcpy(e->name, name, nlen);
	e->canon = e->name + nlen;
	memcpy(e->canon, canon, clen);
	e->addrs = (uint8_t *)e->canon + clen;
	if (bytes)
		memcpy(e->addrs, addrs, bytes);
	e->naddrs = naddrs;
	e->hash = hash;
	e->family = family;
	e->status = status;
	e->expires = expires;

	e->hnext = c->tab[hash & c->mask];
	c->tab[hash & c->mask] = e;
	e->lprev = NULL;
	e->lnext = c->lru_head;
	if (c->lru_head)
		c->lru_head->lprev = e;
	else
		c->lru_tail = e;
	c->lru_head = e;
	c->n++;
}
