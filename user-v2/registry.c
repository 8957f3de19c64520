/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registry.c - names and the lease file follow the DHCP server.
 *
 * reg_sync() runs after every binding change and from a slow timer (leases
 * also end by expiring): it makes the <hostname>.internal names match the
 * live bound leases, and rewrites the lease file when the MAC-to-address
 * associations changed. Only names a guest registered are answered: other
 * names under .internal go to the resolver like any name.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"
#include "leases.h"
#include "registry.h"
#include "../daemon/log.h"
#include "../dns/dns.h"

#define REG_SUFFIX   ".internal"
#define REG_NAME_MAX (DHCP_HOSTNAME_MAX + sizeof(REG_SUFFIX))

/**
 * struct reg_name - a name registered in the DNS table
 * @name:	"<hostname>.internal"
 * @ip:		its address
 */
struct reg_name {
	char name[REG_NAME_MAX];
	struct in_addr ip;
};

/**
 * struct reg - a network's registry
 * @d:		DHCP server
 * @names:	DNS table the names go into
 * @file:	lease file, or NULL
 * @reg:	names registered now
 * @nreg:	how many
 * @saved:	associations last written to @file
 * @nsaved:	how many
 * @written:	@file was written once: @saved is what it holds
 */
struct reg {
	struct dhcp *d;
	struct dns_local *names;
	char *file;
	struct reg_name *reg;
	size_t nreg;
	struct dhcp_static_lease *saved;
	size_t nsaved;
	int written;
};

/**
 * struct reg_scan - what one pass over the leases collected
 */
struct reg_scan {
	struct reg_name *names;
	size_t nnames;
	struct dhcp_static_lease *assoc;
	size_t nassoc;
	size_t cap;
};

/**
 * reg_collect() - dhcp_foreach_lease() callback
 */
static int reg_collect(void *arg, const struct dhcp_lease_info *li)
{
	static const uint8_t zero[6];
	struct reg_scan *s = arg;

	if (s->nassoc == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->names = realloc(s->names, s->cap * sizeof(*s->names));
		s->assoc = realloc(s->assoc, s->cap * sizeof(*s->assoc));
		if (!s->names || !s->assoc)
			fatal("realloc");
	}
	if (!memcmp(li->mac, zero, 6))
		return 0;
	s->assoc[s->nassoc].ip = li->ip;
	memcpy(s->assoc[s->nassoc].mac, li->mac, 6);
	s->nassoc++;
	if (li->state == DHCP_LEASE_BOUND && li->hostname && *li->hostname) {
		struct reg_name *n = &s->names[s->nnames++];

		snprintf(n->name, sizeof(n->name), "%s" REG_SUFFIX,
			 li->hostname);
		n->ip = li->ip;
	}
	return 0;
}

/**
 * reg_names_update() - make the DNS table hold exactly @s's names
 */
static void reg_names_update(struct reg *r, struct reg_scan *s)
{
	size_t i;

	if (!r->names) {
		free(s->names);
		s->names = NULL;
		return;
	}
	for (i = 0; i < r->nreg; i++)
		dns_local_remove(r->names, r->reg[i].name);
	for (i = 0; i < s->nnames; i++) {
		if (dns_local_set_addrs(r->names, s->names[i].name,
					&s->names[i].ip, 1, NULL, 0))
			log_warnx("dns: cannot register %s", s->names[i].name);
		else if (i >= r->nreg ||
			 strcmp(r->reg[i].name, s->names[i].name))
			log_debug("dns: %s is %s", s->names[i].name,
				  inet_ntoa(s->names[i].ip));
	}
	free(r->reg);
	r->reg = s->names;
	r->nreg = s->nnames;
	s->names = NULL;
}

/**
 * reg_same() - are two lists of associations the same? (Field by field:
 * the structs have padding.)
 */
static int reg_same(const struct dhcp_static_lease *a, size_t na,
		    const struct dhcp_static_lease *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (a[i].ip.s_addr != b[i].ip.s_addr ||
		    memcmp(a[i].mac, b[i].mac, 6))
			return 0;
	return 1;
}

/**
 * reg_file_update() - rewrite the lease file if the associations changed
 */
static void reg_file_update(struct reg *r, struct reg_scan *s)
{
	if (!r->file || (r->written &&
			 reg_same(s->assoc, s->nassoc, r->saved, r->nsaved))) {
		free(s->assoc);
		return;
	}
	if (leases_save(r->file, s->assoc, s->nassoc))
		log_warn("%s: cannot save leases", r->file);
	r->written = 1;
	free(r->saved);
	r->saved = s->assoc;
	r->nsaved = s->nassoc;
}

/**
 * reg_sync() - names and lease file follow the leases now
 */
void reg_sync(struct reg *r)
{
	struct reg_scan s = {0};

	dhcp_foreach_lease(r->d, reg_collect, &s);
	reg_names_update(r, &s);
	reg_file_update(r, &s);
}

/**
 * reg_new() - a registry for a network
 * @d:		its DHCP server
 * @names:	its DNS table
 * @leases_file: lease file to keep, or NULL
 *
 * Return: the registry
 */
struct reg *reg_new(struct dhcp *d, struct dns_local *names,
		    const char *leases_file)
{
	struct reg *r = calloc(1, sizeof(*r));

	if (!r)
		fatal("calloc");
	r->d = d;
	r->names = names;
	if (leases_file && !(r->file = strdup(leases_file)))
		fatal("strdup");
	return r;
}

/**
 * reg_free() - unregister the names and free the registry
 */
void reg_free(struct reg *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; r->names && i < r->nreg; i++)
		dns_local_remove(r->names, r->reg[i].name);
	free(r->reg);
	free(r->saved);
	free(r->file);
	free(r);
}
