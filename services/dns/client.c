/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * client.c - who asks: a DNS client's identity (its network and its
 * address, IPv4 stored IPv4-mapped) for the resolver's fair share
 * (hostresolver.h), from a host socket's address or from an lwIP one.
 */
#include <netinet/in.h>
#include <string.h>

#include "lwip/ip_addr.h"

#include "services/dns/service_int.h"

/**
 * dnsd_client_set() - a client's identity for the resolver's fair share
 * @cl:		filled in
 * @net:	its network (the local names table of the network, or of
 *		the host ports)
 * @sa:		its address: AF_INET (stored IPv4-mapped) or AF_INET6;
 *		anything else leaves the address zero
 */
void dnsd_client_set(struct hr_client *cl, const void *net,
		     const struct sockaddr *sa)
{
	memset(cl, 0, sizeof(*cl));
	cl->net = net;
	if (sa->sa_family == AF_INET) {
		cl->addr[10] = cl->addr[11] = 0xff;
		memcpy(
		    cl->addr + 12,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    4);
	} else if (sa->sa_family == AF_INET6) {
		memcpy(
		    cl->addr,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    16);
	}
}

/**
 * dnsd_client_lw() - dnsd_client_set() for an lwIP address
 * @cl:		filled in
 * @net:	its network
 * @a:		its address
 */
void dnsd_client_lw(struct hr_client *cl, const void *net, const ip_addr_t *a)
{
	memset(cl, 0, sizeof(*cl));
	cl->net = net;
	if (IP_IS_V4(a)) {
		cl->addr[10] = cl->addr[11] = 0xff;
		memcpy(cl->addr + 12, &ip_2_ip4(a)->addr, 4);
	} else {
		memcpy(cl->addr, ip_2_ip6(a)->addr, 16);
	}
}
