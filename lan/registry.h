/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registry.h - what follows a network's DHCP leases: the names guests
 * register with their hostname (option 12), answered as
 * <hostname>.internal by the network's DNS, and the lease file that
 * gives a MAC the same address after a restart (written at most once a
 * second, and at reg_free()).
 */
#ifndef USERNETD_REGISTRY_H
#define USERNETD_REGISTRY_H

struct dhcp;
struct dns_local;
struct loop;
struct reg;

struct reg *reg_new(struct loop *l, struct dhcp *d, struct dns_local *names,
		    const char *leases_file);
void reg_sync(struct reg *r);
unsigned long reg_lease_writes(const struct reg *r);
void reg_free(struct reg *r);

#endif /* USERNETD_REGISTRY_H */
