/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_leases.c - the control API's DHCP leases: GET /services/dhcp/leases
 * (gvisor-tap-vsock's path) and GET /leases, every MAC-to-address
 * association of every network's DHCP server, as Lima saves it; and GET
 * /services/ipv6/addresses, the IPv6 addresses the VMs hold (SLAAC,
 * link-local, privacy addresses: no DHCP assigns them, the networks learn
 * them, lan/own6.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include "daemon/api_int.h"
#include "daemon/server.h"
#include "lan/network.h"
#include "packet/dhcp.h"

/**
 * api_lease_add() - dhcp_foreach_lease() callback: every association of
 * a MAC with an address the server remembers (bound, lapsed, released,
 * offered, static)
 * @arg:	the JSON object {"IP":"MAC"} being filled
 * @li:		one lease
 *
 * Lima saves this list as leases.json when it stops the network and
 * passes it back with --leases: a lease that lapsed while its VM was
 * stopped must be listed too, or the VM gets a new address next time
 * (gvisor-tap-vsock never forgets a MAC's address). The DHCP server gives
 * a MAC its remembered address again for as long as the pool has room.
 *
 * Return: 0, go on
 */
static int api_lease_add(void *arg, const struct dhcp_lease_info *li)
{
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", li->mac[0],
		 li->mac[1], li->mac[2], li->mac[3], li->mac[4], li->mac[5]);
	json_object_set_new(arg, inet_ntoa(li->ip), json_string(mac));
	return 0;
}

/**
 * api_leases_net() - srv_foreach_net() callback: one network's leases
 * @arg:	the JSON object being filled
 * @n:		the network
 */
static void api_leases_net(void *arg, struct net *n)
{
	dhcp_foreach_lease(net_dhcp(n), api_lease_add, arg);
}

/**
 * api_get_leases() - GET /services/dhcp/leases, GET /leases
 * @a:		API
 * @r:		the request (no body)
 * @c:		its connection
 *
 * Return: as api_reply()
 */
enum MHD_Result api_get_leases(struct api *a, struct api_req *r,
			       struct MHD_Connection *c)
{
	json_t *j = json_object();

	(void)r;
	srv_foreach_net(a->srv, api_leases_net, j);
	return api_reply(c, MHD_HTTP_OK, j);
}

/**
 * api_addr6_add() - net_foreach_addr6() callback: one address and its MAC
 * @arg:	the JSON object {"ADDRESS":"MAC"} being filled
 * @a:		the address
 * @mac:	its owner's MAC
 */
static void api_addr6_add(void *arg, const struct in6_addr *a,
			  const uint8_t mac[6])
{
	char text[INET6_ADDRSTRLEN], m[18];

	inet_ntop(AF_INET6, a, text, sizeof(text));
	snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	json_object_set_new(arg, text, json_string(m));
}

/**
 * api_addr6_net() - srv_foreach_net() callback: one network's addresses
 * @arg:	the JSON object being filled
 * @n:		the network
 */
static void api_addr6_net(void *arg, struct net *n)
{
	net_foreach_addr6(n, api_addr6_add, arg);
}

/**
 * api_get_addr6() - GET /services/ipv6/addresses
 * @a:		API
 * @r:		the request (no body)
 * @c:		its connection
 *
 * Return: as api_reply()
 */
enum MHD_Result api_get_addr6(struct api *a, struct api_req *r,
			      struct MHD_Connection *c)
{
	json_t *j = json_object();

	(void)r;
	srv_foreach_net(a->srv, api_addr6_net, j);
	return api_reply(c, MHD_HTTP_OK, j);
}
