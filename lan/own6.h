/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * own6.h - which VM of a network owns which IPv6 address (see own6.c):
 * claimed by duplicate address detection or first use, bound to a MAC,
 * released when the VM leaves.
 */
#ifndef USERNETD_OWN6_H
#define USERNETD_OWN6_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define OWN6_VM_MAX   16	   /* addresses a VM may hold */
#define OWN6_NET_MAX  512	   /* addresses a network may hold */
#define OWN6_IDLE_MS  (10 * 60000) /* unused this long: may be taken */
#define OWN6_HOST_MAX 3 /* interface ids 0 to this are the network's */

/**
 * enum own6_verdict - what own6_claim() decided
 * @OWN6_OK:		the address is the VM's (now or already)
 * @OWN6_SCOPE:		no VM may hold it: not unicast in fe80::/64 or the
 *			network's prefix, or one of the network's own
 *			interface ids (0 to OWN6_HOST_MAX)
 * @OWN6_TAKEN:		another VM holds it and used it recently
 * @OWN6_VM_FULL:	the VM holds OWN6_VM_MAX addresses, all in use
 * @OWN6_NET_FULL:	the network holds OWN6_NET_MAX, all in use
 */
enum own6_verdict {
	OWN6_OK,
	OWN6_SCOPE,
	OWN6_TAKEN,
	OWN6_VM_FULL,
	OWN6_NET_FULL,
};

/**
 * own6_changed_fn - an in-prefix address was claimed or released
 * @arg:	own6_new()'s @arg
 */
typedef void (*own6_changed_fn)(void *arg);

/**
 * own6_fn - own6_foreach()'s callback: an address and its owner's MAC
 * @arg:	own6_foreach()'s @arg
 * @a:		the address
 * @mac:	the MAC it is used from
 */
typedef void (*own6_fn)(void *arg, const struct in6_addr *a,
			const uint8_t mac[6]);

struct own6;

struct own6 *own6_new(const struct in6_addr *prefix, own6_changed_fn changed,
		      void *arg);
void own6_free(struct own6 *t);
int own6_claimable(const struct own6 *t, const struct in6_addr *a);
enum own6_verdict own6_claim(struct own6 *t, const struct in6_addr *a,
			     const uint8_t mac[6], uint32_t vm, int64_t now);
int own6_lookup(const struct own6 *t, const struct in6_addr *a, uint8_t mac[6],
		uint32_t *vm);
int own6_addr_of(const struct own6 *t, const uint8_t mac[6],
		 struct in6_addr *a);
void own6_release_vm(struct own6 *t, uint32_t vm);
size_t own6_count(const struct own6 *t);
void own6_foreach(const struct own6 *t, own6_fn fn, void *arg);

#endif /* USERNETD_OWN6_H */
