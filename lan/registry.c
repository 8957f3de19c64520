/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registry.c - names and the lease file follow the DHCP server.
 *
 * reg_sync() runs after every binding change and from a slow timer (leases
 * also end by expiring): it makes the <hostname>.internal names match the
 * live bound leases, and rewrites the lease file when the MAC-to-address
 * associations changed. Only names a guest registered are answered: other
 * names under .internal go to the resolver like any name.
 *
 * A name also answers AAAA with the VM's IPv6 address in the network's
 * prefix when the registry was given a way to learn it (reg_new()'s
 * @addr6: the IPv6 ownership table, which knows the address a MAC claimed
 * by duplicate address detection or first use), and that address's
 * reverse name in ip6.arpa answers PTR with the name. Whether AAAA
 * reaches the guests is the DNS service's policy (hostResolver.ipv6).
 * The owner of the address calls reg_sync() when a VM's address changes.
 *
 * A name belongs to its first owner. The registry sets its names in the
 * DNS table as their owner (dns_local_set_owned()): it never replaces nor
 * removes a name of lima.yaml's hostResolver.hosts or of the control API,
 * and a name the API sets later is the API's. The DHCP server asks the
 * registry (dhcp_set_name_check()) before it gives a client a hostname,
 * so a guest asking for a taken name gets none.
 *
 * The lease file is written at most once a second, as the state file is
 * (a guest can change its bindings as fast as it can send REQUESTs, and
 * each write is a rename and two fsyncs on the loop thread): the last
 * associations are kept, a loop timer writes them (wsched.h, the state
 * file's writer too), and reg_free() writes
 * what is pending (SIGINT, SIGTERM). A kill -9 loses at most the last
 * second; a MAC whose binding was lost asks again and gets its address
 * back, which nobody else has taken meanwhile (the server is
 * authoritative and its pool prefers never-used addresses).
 *
 * With a state file open for the lease file (lan/state.h, opened by
 * the server), the bound leases and their names are kept there too, and
 * reg_new() gives them back before the network serves anything: a guest
 * that kept its lease across a restart of the daemon keeps its name
 * without asking again.  A saved lease comes back only if the lease file
 * (or a static lease) still gives its address to its MAC and it has not
 * expired meanwhile.  Expiries are saved as wall-clock times: the DHCP
 * server's clock is its default one, CLOCK_MONOTONIC seconds (net_new()
 * sets no other), which has no meaning after a reboot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "packet/dhcp.h"
#include "lan/leases.h"
#include "lan/registry.h"
#include "lan/state.h"
#include "base/wsched.h"
#include "base/log.h"
#include "services/dns/dns.h"
#include "base/xalloc.h"

#define REG_SUFFIX	  ".internal"
#define REG_NAME_MAX	  (DHCP_HOSTNAME_MAX + sizeof(REG_SUFFIX))
#define REG_RESTORE_MAX_S 86400 /* a saved lease lasts at most this long */

/**
 * struct reg_name - a name registered in the DNS table
 * @name:	"<hostname>.internal"
 * @ip:		its address
 * @mac:	the MAC of its lease, whose IPv6 address the name answers
 * @has6:	@ip6 is set
 * @ip6:	the VM's IPv6 address, if @has6
 */
struct reg_name {
	char name[REG_NAME_MAX];
	struct in_addr ip;
	uint8_t mac[6];
	int has6;
	struct in6_addr ip6;
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
 * @cur:	associations now, to be written when @ws is dirty
 * @ncur:	how many
 * @have_cur:	@cur was set once
 * @ws:		the coalesced writes of @cur to @file
 * @st:		the state file of @file, or NULL
 * @addr6:	how a MAC's IPv6 address is learned, or NULL
 * @addr6_arg:	its argument
 */
struct reg {
	struct dhcp *d;
	struct dns_local *names;
	reg_addr6_fn addr6;
	void *addr6_arg;
	char *file;
	struct reg_name *reg;
	size_t nreg;
	struct dhcp_static_lease *saved;
	size_t nsaved;
	int written;
	struct dhcp_static_lease *cur;
	size_t ncur;
	int have_cur;
	struct wsched ws;
	struct state *st;
};

/**
 * struct reg_scan - what one pass over the leases collected
 * @names:	names of the bound leases
 * @nnames:	how many
 * @assoc:	MAC-to-address associations
 * @nassoc:	how many
 * @bound:	bound leases, for the state file
 * @nbound:	how many
 * @cap:	room in each array
 * @mono:	the DHCP server's clock now
 * @wall:	the wall clock now
 */
struct reg_scan {
	struct reg_name *names;
	size_t nnames;
	struct dhcp_static_lease *assoc;
	size_t nassoc;
	struct state_lease *bound;
	size_t nbound;
	size_t cap;
	int64_t mono;
	int64_t wall;
};

/**
 * reg_mono_s() - the DHCP server's default clock: monotonic seconds
 *
 * Return: seconds of CLOCK_MONOTONIC
 */
static int64_t reg_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/**
 * reg_collect() - dhcp_foreach_lease() callback
 * @arg:	the struct reg_scan being filled
 * @li:		one lease of the DHCP server
 *
 * Return: 0, to go on with the next lease
 */
static int reg_collect(void *arg, const struct dhcp_lease_info *li)
{
	static const uint8_t zero[6];
	struct reg_scan *s = arg;

	if (s->nassoc == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->names = xreallocarray(s->names, s->cap, sizeof(*s->names));
		s->assoc = xreallocarray(s->assoc, s->cap, sizeof(*s->assoc));
		s->bound = xreallocarray(s->bound, s->cap, sizeof(*s->bound));
	}
	if (!memcmp(li->mac, zero, 6))
		return 0;
	s->assoc[s->nassoc].ip = li->ip;
	memcpy(s->assoc[s->nassoc].mac, li->mac, 6);
	s->nassoc++;
	if (li->state == DHCP_LEASE_BOUND) {
		struct state_lease *b = &s->bound[s->nbound++];

		b->ip = li->ip;
		memcpy(b->mac, li->mac, 6);
		snprintf(b->hostname, sizeof(b->hostname), "%s",
			 li->hostname ? li->hostname : "");
		b->expires = s->wall + (li->expires - s->mono);
	}
	if (li->state == DHCP_LEASE_BOUND && li->hostname && *li->hostname) {
		struct reg_name *n = &s->names[s->nnames++];

		snprintf(n->name, sizeof(n->name), "%s" REG_SUFFIX,
			 li->hostname);
		n->ip = li->ip;
		memcpy(n->mac, li->mac, 6);
		n->has6 = 0;
	}
	return 0;
}

/**
 * reg_learn6() - the IPv6 address of a name's VM, if the registry can
 * learn it, into @e->ip6 (and @e->has6)
 * @r:		registry
 * @e:		a name of this pass
 */
static void reg_learn6(const struct reg *r, struct reg_name *e)
{
	e->has6 = r->addr6 && !r->addr6(r->addr6_arg, e->mac, &e->ip6);
}

/**
 * reg_log_name() - log a name that is new or whose addresses changed
 * @r:		registry, holding the names of the pass before
 * @e:		the name as registered now
 */
static void reg_log_name(const struct reg *r, const struct reg_name *e)
{
	char a6[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < r->nreg; i++)
		if (!strcmp(r->reg[i].name, e->name))
			break;
	if (i < r->nreg && r->reg[i].ip.s_addr == e->ip.s_addr &&
	    r->reg[i].has6 == e->has6 &&
	    (!e->has6 || !memcmp(&r->reg[i].ip6, &e->ip6, sizeof(e->ip6))))
		return;
	if (e->has6)
		inet_ntop(AF_INET6, &e->ip6, a6, sizeof(a6));
	log_debug("dns: %s is %s%s%s", e->name, inet_ntoa(e->ip),
		  e->has6 ? " and " : "", e->has6 ? a6 : "");
}

/**
 * reg_names_update() - make the DNS table hold @s's names, each once
 * (the first lease's), none over a name someone else set
 * @r:		registry
 * @s:		the pass; its names become the registry's
 */
static void reg_names_update(struct reg *r, struct reg_scan *s)
{
	size_t i, j, n = 0;

	if (!r->names) {
		free(s->names);
		s->names = NULL;
		return;
	}
	for (i = 0; i < r->nreg; i++)
		dns_local_remove_owned(r->names, r->reg[i].name, r);
	for (i = 0; i < s->nnames; i++) {
		const struct reg_name *e = &s->names[i];

		for (j = 0; j < n && strcmp(s->names[j].name, e->name); j++)
			;
		if (j < n)
			continue; /* the first lease with the name has it */
		reg_learn6(r, &s->names[i]);
		if (dns_local_set_owned(r->names, e->name, r, &e->ip,
					e->has6 ? &e->ip6 : NULL)) {
			if (errno == EEXIST)
				log_debug("dns: %s is not a DHCP name: left "
					  "as it is",
					  e->name);
			else
				log_warnx("dns: cannot register %s", e->name);
			continue;
		}
		reg_log_name(r, e);
		s->names[n++] = *e;
	}
	free(r->reg);
	r->reg = s->names;
	r->nreg = n;
	s->names = NULL;
}

/**
 * reg_name_taken() - dhcp_name_fn: is <hostname>.internal someone else's?
 * @arg:	the registry
 * @hostname:	a hostname a client asks for
 *
 * Return: 1 if the DNS table has the name from somewhere else
 * (configuration, the control API), else 0
 */
static int reg_name_taken(void *arg, const char *hostname)
{
	struct reg *r = arg;
	char name[REG_NAME_MAX];

	if (!r->names)
		return 0;
	snprintf(name, sizeof(name), "%s" REG_SUFFIX, hostname);
	return dns_local_taken(r->names, name, r);
}

/**
 * reg_same() - are two lists of associations the same? (Field by field:
 * @a:		one list
 * @na:		its length
 * @b:		the other
 * @nb:		its length
 * the structs have padding.)
 *
 * Return: 1 if they hold the same associations in the same order, else 0
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
 * reg_file_write() - write the pending associations to the lease file,
 * unless it holds them already (wsched_write_fn)
 * @arg:	registry with a lease file
 *
 * Return: 0 written, 1 nothing to write, or -1 with errno set (the writer
 * logs it)
 */
static int reg_file_write(void *arg)
{
	struct reg *r = arg;
	struct dhcp_static_lease *copy = NULL;

	if (r->written && reg_same(r->cur, r->ncur, r->saved, r->nsaved))
		return 1;
	if (leases_save(r->file, r->cur, r->ncur))
		return -1;
	if (r->ncur) {
		copy = xreallocarray(NULL, r->ncur, sizeof(*copy));
		memcpy(copy, r->cur, r->ncur * sizeof(*copy));
	}
	free(r->saved);
	r->saved = copy;
	r->nsaved = r->ncur;
	r->written = 1;
	return 0;
}

/**
 * reg_file_update() - have the lease file rewritten if the associations
 * changed
 * @r:		registry
 * @s:		the pass; its associations are taken (freed or kept)
 */
static void reg_file_update(struct reg *r, struct reg_scan *s)
{
	if (!r->file ||
	    (r->have_cur && reg_same(s->assoc, s->nassoc, r->cur, r->ncur))) {
		free(s->assoc);
		return;
	}
	free(r->cur);
	r->cur = s->assoc;
	r->ncur = s->nassoc;
	r->have_cur = 1;
	wsched_arm(&r->ws);
}

/**
 * reg_sync() - names, lease file and state file follow the leases now
 * @r:		registry
 */
void reg_sync(struct reg *r)
{
	struct reg_scan s = {0};

	s.mono = reg_mono_s();
	s.wall = (int64_t)time(NULL);
	dhcp_foreach_lease(r->d, reg_collect, &s);
	reg_names_update(r, &s);
	reg_file_update(r, &s);
	if (r->st)
		state_set_leases(r->st, s.bound, s.nbound);
	free(s.bound);
}

/**
 * reg_cmp_assoc() - qsort() and bsearch() order of associations: by
 * @a:		a struct dhcp_static_lease
 * @b:		another
 * address, then MAC
 *
 * Return: negative, 0 or positive as @a sorts before, with or after @b
 */
static int reg_cmp_assoc(const void *a, const void *b)
{
	const struct dhcp_static_lease *x = a, *y = b;
	uint32_t i = ntohl(x->ip.s_addr), j = ntohl(y->ip.s_addr);

	if (i != j)
		return i < j ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

/**
 * reg_restore() - give back the bound leases and names of the state file
 * @r:		registry with a state file
 *
 * A saved lease that expired while the daemon was stopped is forgotten; one
 * whose association the lease file and the static leases no longer hold
 * (the lease file was replaced, or the address given to another MAC
 * before a crash) is dropped with a warning, and so is one the DHCP server
 * refuses. The time left is bounded by REG_RESTORE_MAX_S.
 */
static void reg_restore(struct reg *r)
{
	const struct state_data *sd = state_loaded(r->st);
	int64_t wall = (int64_t)time(NULL), mono = reg_mono_s(), left;
	char ip[INET_ADDRSTRLEN], mac[LEASES_MAC_TEXT];
	struct reg_scan s = {0};
	size_t i, n = 0;

	/* what the lease file and the static leases gave, sorted */
	dhcp_foreach_lease(r->d, reg_collect, &s);
	if (s.nassoc)
		qsort(s.assoc, s.nassoc, sizeof(*s.assoc), reg_cmp_assoc);

	for (i = 0; i < sd->nleases; i++) {
		const struct state_lease *e = &sd->leases[i];
		struct dhcp_static_lease key = {.ip = e->ip};

		inet_ntop(AF_INET, &e->ip, ip, sizeof(ip));
		leases_format_mac(e->mac, mac);
		left = e->expires - wall;
		if (left <= 0) {
			log_debug("%s: the lease of %s (%s) expired meanwhile",
				  state_path(r->st), ip, mac);
			continue;
		}
		memcpy(key.mac, e->mac, 6);
		if (!s.nassoc || !bsearch(&key, s.assoc, s.nassoc,
					  sizeof(*s.assoc), reg_cmp_assoc)) {
			log_warnx("%s: %s%s%s dropped: %s does not give %s to "
				  "%s any more",
				  state_path(r->st), ip,
				  e->hostname[0] ? " " : "", e->hostname,
				  r->file, ip, mac);
			continue;
		}
		if (left > REG_RESTORE_MAX_S)
			left = REG_RESTORE_MAX_S;
		if (dhcp_lease_restore(r->d, e->mac, e->ip, e->hostname,
				       mono + left)) {
			log_warnx("%s: %s is not available to %s any more",
				  state_path(r->st), ip, mac);
			continue;
		}
		n++;
	}
	free(s.names);
	free(s.assoc);
	free(s.bound);
	if (n)
		log_info("%s: %zu bound leases and their names restored",
			 state_path(r->st), n);
}

/**
 * reg_new() - a registry for a network
 * @l:		loop that runs the coalesced lease file writes; NULL writes
 *		at once (tests)
 * @d:		its DHCP server, the lease file already restored into it;
 *		the registry names who else owns names
 *		(dhcp_set_name_check()) until reg_free()
 * @names:	its DNS table
 * @leases_file: lease file to keep, or NULL; if a state file is open for
 *		it (state_open()), its bound leases are restored now and it
 *		is kept current
 * @addr6:	how the names learn their VM's IPv6 address (AAAA, PTR),
 *		or NULL for names with IPv4 only
 * @addr6_arg:	its argument
 *
 * Return: the registry
 */
struct reg *reg_new(struct loop *l, struct dhcp *d, struct dns_local *names,
		    const char *leases_file, reg_addr6_fn addr6,
		    void *addr6_arg)
{
	struct reg *r = xcalloc(1, sizeof(*r));

	r->d = d;
	r->names = names;
	r->addr6 = addr6;
	r->addr6_arg = addr6_arg;
	dhcp_set_name_check(d, reg_name_taken, r);
	if (leases_file)
		r->file = xstrdup(leases_file);
	if (leases_file)
		wsched_init(&r->ws, l, reg_file_write, r, r->file, "leases");
	if (leases_file)
		r->st = state_find(leases_file);
	if (r->st)
		reg_restore(r);
	return r;
}

/**
 * reg_lease_writes() - how many times the lease file was written
 * @r:		registry
 *
 * Return: the count, since reg_new()
 */
unsigned long reg_lease_writes(const struct reg *r)
{
	return r->ws.writes;
}

/**
 * reg_free() - write the pending lease file, unregister the names and free
 * the registry (the state file keeps the leases: they are still bound
 * when the daemon comes back)
 * @r:		registry, or NULL
 */
void reg_free(struct reg *r)
{
	size_t i;

	if (!r)
		return;
	wsched_flush(&r->ws);
	dhcp_set_name_check(r->d, NULL, NULL);
	for (i = 0; r->names && i < r->nreg; i++)
		dns_local_remove_owned(r->names, r->reg[i].name, r);
	wsched_fini(&r->ws);
	free(r->reg);
	free(r->saved);
	free(r->cur);
	free(r->file);
	free(r);
}
