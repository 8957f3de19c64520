/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registry.h - what follows a network's DHCP leases: the names guests
 * register with their hostname (option 12), answered as
 * <hostname>.internal by the network's DNS, and the lease file that
 * gives a MAC the same address after a restart (written at most once a
 * second, and at reg_free()). A name answers AAAA (and its address PTR)
 * too when the registry can learn the VM's IPv6 address.
 */
#ifndef USERNETD_REGISTRY_H
#define USERNETD_REGISTRY_H

#include <stdint.h>

struct dhcp;
struct dns_local;
struct loop;
struct reg;
struct in6_addr;

/**
 * reg_addr6_fn - the IPv6 address in the network's prefix that a VM owns
 * @arg:	the function's argument, given to reg_new()
 * @mac:	the VM's MAC (of its DHCP lease)
 * @a:		set to the address, on success
 *
 * Return: 0, or -1 if the VM has none (yet)
 */
typedef int (*reg_addr6_fn)(void *arg, const uint8_t mac[6],
			    struct in6_addr *a);

struct reg *reg_new(struct loop *l, struct dhcp *d, struct dns_local *names,
		    const char *leases_file, reg_addr6_fn addr6,
		    void *addr6_arg);
void reg_sync(struct reg *r);
unsigned long reg_lease_writes(const struct reg *r);
void reg_free(struct reg *r);

#endif /* USERNETD_REGISTRY_H */
