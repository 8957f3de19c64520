/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * own6.c - owns the table of which VM of a network holds which IPv6
 * address, and through which MAC.
 *
 * IPv6 has no DHCP server of ours to say who is who: guests pick their
 * addresses (SLAAC, privacy extensions, link-local), and announce them by
 * duplicate address detection (RFC 4862 5.4) before using them. The
 * network takes the first VM to announce or use an address for its
 * owner, as a switch port security feature would (RFC 6620, FCFS SAVI):
 * no other VM may then send from it, advertise it or take it by DAD.
 *
 * Only what a guest of the link can really hold is claimable: unicast in
 * fe80::/64 or in the network's /64, minus the interface ids 0 to
 * OWN6_HOST_MAX (subnet-router anycast, and ::2 and ::3, the gateway's
 * and the services host's). The table is bounded: OWN6_VM_MAX addresses
 * a VM (privacy extensions make a few a day), OWN6_NET_MAX in all; an
 * address unused for OWN6_IDLE_MS may be taken by another VM, or make
 * room for its owner's newer ones. A VM's addresses are released when
 * it leaves the network.
 *
 * The table also tells the services host's replies their destination MAC
 * (lwIP's neighbour cache is process-wide, netguard.c) and the registry a
 * VM's address for AAAA answers (own6_addr_of()); a change of in-prefix
 * addresses is reported to the network through a callback.
 *
 * Lookups are linear: a network holds a few addresses per VM, and the
 * table at most OWN6_NET_MAX. It is allocated whole at creation: a claim
 * on the per-frame path allocates nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "lan/own6.h"

/**
 * struct own6_ent - one address held
 * @a:		the address
 * @mac:	the MAC it is used from (the last one of its VM's)
 * @vm:		the VM's port id
 * @first:	when it was claimed, loop time in ms
 * @last:	when it was last used or announced
 */
struct own6_ent {
	struct in6_addr a;
	uint8_t mac[6];
	uint32_t vm;
	int64_t first;
	int64_t last;
};

/**
 * struct own6 - a network's table
 * @e:		the entries, @n of them in use, packed at the front
 * @n:		entries in use
 * @prefix:	the network's /64
 * @changed:	called when an in-prefix address is claimed or released
 * @arg:	its argument
 */
struct own6 {
	struct own6_ent e[OWN6_NET_MAX];
	size_t n;
	struct in6_addr prefix;
	own6_changed_fn changed;
	void *arg;
};

/**
 * own6_new() - an empty table for a network
 * @prefix:	the network's /64 (host bits ignored)
 * @changed:	called when an in-prefix address is claimed or released,
 *		may be NULL
 * @arg:	its argument
 *
 * Return: the table; exits on allocation failure (not a per-frame path)
 */
struct own6 *own6_new(const struct in6_addr *prefix, own6_changed_fn changed,
		      void *arg)
{
	struct own6 *t = xcalloc(1, sizeof(*t));

	memcpy(t->prefix.s6_addr, prefix->s6_addr, 8);
	t->changed = changed;
	t->arg = arg;
	return t;
}

/**
 * own6_free() - free a table
 * @t:		the table, or NULL
 */
void own6_free(struct own6 *t)
{
	free(t);
}

/**
 * own6_in_prefix() - is @a in the network's /64?
 * @t:		the table
 * @a:		the address
 *
 * Return: nonzero if it is
 */
static int own6_in_prefix(const struct own6 *t, const struct in6_addr *a)
{
	return !memcmp(a->s6_addr, t->prefix.s6_addr, 8);
}

/**
 * own6_claimable() - may a VM hold @a at all?
 * @t:		the table
 * @a:		the address
 *
 * Unicast in fe80::/64 or the network's /64, with an interface id above
 * OWN6_HOST_MAX.
 *
 * Return: nonzero if it may
 */
int own6_claimable(const struct own6 *t, const struct in6_addr *a)
{
	static const uint8_t ll[8] = {0xfe, 0x80};
	const uint8_t *iid = a->s6_addr + 8;
	unsigned i;

	if (memcmp(a->s6_addr, ll, 8) && !own6_in_prefix(t, a))
		return 0;
	for (i = 0; i < 7; i++)
		if (iid[i])
			return 1;
	return iid[7] > OWN6_HOST_MAX;
}

/**
 * own6_find() - the entry of @a
 * @t:		the table
 * @a:		the address
 *
 * Return: its index, or -1
 */
static long own6_find(const struct own6 *t, const struct in6_addr *a)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!memcmp(&t->e[i].a, a, sizeof(*a)))
			return (long)i;
	return -1;
}

/**
 * own6_notify() - tell the network an in-prefix address changed hands
 * @t:		the table
 * @a:		the address
 */
static void own6_notify(const struct own6 *t, const struct in6_addr *a)
{
	if (t->changed && own6_in_prefix(t, a))
		t->changed(t->arg);
}

/**
 * own6_remove() - drop entry @i, moving the last one into its place
 * @t:		the table
 * @i:		its index
 *
 * Return: the address it held
 */
static struct in6_addr own6_remove(struct own6 *t, size_t i)
{
	struct in6_addr a = t->e[i].a;

	t->e[i] = t->e[--t->n];
	return a;
}

/**
 * own6_evict_idle() - make room: drop the least recently used entry
 * unused for OWN6_IDLE_MS, of one VM or of anyone
 * @t:		the table
 * @vm:		only this VM's entries, or 0 for anyone's
 * @now:	loop time, ms
 *
 * Return: 0 if one was dropped, -1 if none is idle
 */
static int own6_evict_idle(struct own6 *t, uint32_t vm, int64_t now)
{
	long best = -1;
	struct in6_addr a;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if ((vm && t->e[i].vm != vm) ||
		    now - t->e[i].last < OWN6_IDLE_MS)
			continue;
		if (best < 0 || t->e[i].last < t->e[best].last)
			best = (long)i;
	}
	if (best < 0)
		return -1;
	a = own6_remove(t, (size_t)best);
	own6_notify(t, &a);
	return 0;
}

/**
 * own6_held() - how many addresses a VM holds
 * @t:		the table
 * @vm:		the VM
 *
 * Return: the number
 */
static unsigned own6_held(const struct own6 *t, uint32_t vm)
{
	unsigned cnt = 0;
	size_t i;

	for (i = 0; i < t->n; i++)
		cnt += t->e[i].vm == vm;
	return cnt;
}

/**
 * own6_room() - make room for one more address of @vm
 * @t:		the table
 * @vm:		the VM
 * @now:	loop time, ms
 *
 * Return: OWN6_OK, OWN6_VM_FULL or OWN6_NET_FULL
 */
static enum own6_verdict own6_room(struct own6 *t, uint32_t vm, int64_t now)
{
	if (own6_held(t, vm) >= OWN6_VM_MAX && own6_evict_idle(t, vm, now))
		return OWN6_VM_FULL;
	if (t->n == OWN6_NET_MAX && own6_evict_idle(t, 0, now))
		return OWN6_NET_FULL;
	return OWN6_OK;
}

/**
 * own6_claim() - a VM announces (DAD) or uses @a: is it its own?
 * @t:		the table
 * @a:		the address
 * @mac:	the MAC it comes from
 * @vm:		the VM's port id, not 0
 * @now:	loop time, ms
 *
 * An address nobody holds becomes the VM's, bound to @mac; one it holds
 * already is marked used (and follows @mac: the VM's own business); one
 * another VM holds stays that VM's unless unused for OWN6_IDLE_MS.
 *
 * Return: OWN6_OK if @a is the VM's, else why not
 */
enum own6_verdict own6_claim(struct own6 *t, const struct in6_addr *a,
			     const uint8_t mac[6], uint32_t vm, int64_t now)
{
	struct own6_ent *e;
	enum own6_verdict v;
	long i = own6_find(t, a);

	if (i >= 0 && t->e[i].vm == vm) {
		memcpy(t->e[i].mac, mac, 6);
		t->e[i].last = now;
		return OWN6_OK;
	}
	if (!own6_claimable(t, a))
		return OWN6_SCOPE;
	if (i >= 0 && now - t->e[i].last < OWN6_IDLE_MS)
		return OWN6_TAKEN;
	if (i >= 0) { /* idle: taken over, if the VM has room */
		if (own6_held(t, vm) >= OWN6_VM_MAX &&
		    own6_evict_idle(t, vm, now))
			return OWN6_VM_FULL;
		e = &t->e[own6_find(t, a)]; /* an eviction moves entries */
	} else {
		v = own6_room(t, vm, now);
		if (v != OWN6_OK)
			return v;
		e = &t->e[t->n++];
	}
	e->a = *a;
	memcpy(e->mac, mac, 6);
	e->vm = vm;
	e->first = now;
	e->last = now;
	own6_notify(t, a);
	return OWN6_OK;
}

/**
 * own6_lookup() - who holds @a?
 * @t:		the table
 * @a:		the address
 * @mac:	set to the MAC it is used from, if not NULL
 * @vm:		set to the VM's port id, if not NULL
 *
 * Return: 0 if a VM holds it, else -1
 */
int own6_lookup(const struct own6 *t, const struct in6_addr *a, uint8_t mac[6],
		uint32_t *vm)
{
	long i = own6_find(t, a);

	if (i < 0)
		return -1;
	if (mac)
		memcpy(mac, t->e[i].mac, 6);
	if (vm)
		*vm = t->e[i].vm;
	return 0;
}

/**
 * own6_eui64() - is @a the in-prefix address SLAAC forms from @mac
 * (modified EUI-64, RFC 4291 appendix A)?
 * @a:		an in-prefix address
 * @mac:	the MAC
 *
 * Return: nonzero if it is
 */
static int own6_eui64(const struct in6_addr *a, const uint8_t mac[6])
{
	const uint8_t iid[8] = {
	    mac[0] ^ 0x02, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5],
	};

	return !memcmp(a->s6_addr + 8, iid, 8);
}

/**
 * own6_addr_of() - the in-prefix address to publish for @mac (DNS AAAA)
 * @t:		the table
 * @mac:	the VM's MAC
 * @a:		set to the address
 *
 * The stable one SLAAC makes from @mac if it was claimed from @mac, else
 * the oldest in-prefix address claimed from @mac (privacy addresses come
 * and go; the oldest has lasted).
 *
 * Return: 0 if @mac holds one, else -1
 */
int own6_addr_of(const struct own6 *t, const uint8_t mac[6], struct in6_addr *a)
{
	long best = -1;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct own6_ent *e = &t->e[i];

		if (memcmp(e->mac, mac, 6) || !own6_in_prefix(t, &e->a))
			continue;
		if (own6_eui64(&e->a, mac)) {
			best = (long)i;
			break;
		}
		if (best < 0 || e->first < t->e[best].first)
			best = (long)i;
	}
	if (best < 0)
		return -1;
	*a = t->e[best].a;
	return 0;
}

/**
 * own6_release_vm() - a VM left: its addresses are free
 * @t:		the table
 * @vm:		the VM's port id
 */
void own6_release_vm(struct own6 *t, uint32_t vm)
{
	int prefix = 0;
	size_t i = 0;

	while (i < t->n) {
		if (t->e[i].vm != vm) {
			i++;
			continue;
		}
		prefix |= own6_in_prefix(t, &t->e[i].a);
		own6_remove(t, i);
	}
	if (prefix && t->changed)
		t->changed(t->arg);
}

/**
 * own6_count() - addresses held in the table
 * @t:		the table
 *
 * Return: their number
 */
size_t own6_count(const struct own6 *t)
{
	return t->n;
}

/**
 * own6_foreach() - every address held, in no particular order
 * @t:		the table
 * @fn:		called with each address and its MAC
 * @arg:	its argument
 */
void own6_foreach(const struct own6 *t, own6_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		fn(arg, &t->e[i].a, t->e[i].mac);
}
