/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * network_left.c - what a VM leaves behind when its port closes: its MACs
 * become departed (reap.c), so frames for them are dropped instead of
 * flooded to the other VMs, and the connections it opened through the
 * NAT are reset in its name, at once (net_vm_left()) and whenever the
 * host still sends on one (net_unknown(), net_reap_flush()): libslirp
 * would keep them until TCP gives up, or for good if idle.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "base/loop.h"
#include "lan/network_int.h"
#include "lan/own6.h"
#include "packet/dhcp.h"
#include "packet/gateway.h"
#include "packet/reap.h"
#include "packet/svchost.h"
#include "packet/switch.h"

/**
 * net_reap_flush() - hand libslirp the resets queued by net_unknown()
 * @arg:	the network
 */
void net_reap_flush(void *arg)
{
	struct net *n = arg;
	int i;

	for (i = 0; i < n->reap.npending; i++)
		gw_input(n->gw, n->reap.pending[i], n->reap.pending_len[i]);
	n->stats.reset_departed += (uint64_t)n->reap.npending;
	n->reap.npending = 0;
}

/**
 * net_unknown() - a unicast frame for a MAC no port has: if it was a
 * departed VM's, drop it, and answer the gateway's TCP with a reset
 * @arg:	the network
 * @from:	ingress port
 * @frame:	the frame
 * @len:	its length
 *
 * Return: 1 to drop the frame, 0 to flood it
 */
int net_unknown(void *arg, const struct sw_port *from, const uint8_t *frame,
		size_t len)
{
	struct net *n = arg;

	if (!n->reap.n || !reap_gone(&n->reap, frame, loop_now_ms()))
		return 0;
	n->stats.drop_departed++;
	if (from == n->gw_port && reap_answer(&n->reap, frame, len))
		loop_defer(n->l, &n->reap_flush);
	return 1;
}

/**
 * struct net_left - what a departed VM leaves: its addresses
 * @n:		network
 * @vm:		the VM, still in the list
 * @ip:		addresses its MACs leased or it last used, network order
 * @mac:	the MAC of each
 * @nip:	entries of @ip
 * @seek:	the MAC whose leases dhcp_foreach_lease() is reporting
 * @has6:	one of its MACs holds an IPv6 address (own6)
 */
struct net_left {
	struct net *n;
	struct net_vm *vm;
	const uint8_t *seek;
	uint32_t ip[8];
	uint8_t mac[8][6];
	int nip;
	int has6;
};

/**
 * net_left_ip() - add an address of the departed VM, unless another VM
 * uses it now
 * @d:		what the VM leaves
 * @ip:		the address, network order
 * @mac:	the MAC that used it
 */
static void net_left_ip(struct net_left *d, uint32_t ip, const uint8_t mac[6])
{
	struct net_vm *v;
	int i;

	for (v = d->n->vms; v; v = v->next)
		if (v != d->vm && v->ok_ip == ip)
			return;
	for (i = 0; i < d->nip; i++)
		if (d->ip[i] == ip)
			return;
	if (!ip || d->nip == (int)(sizeof(d->ip) / sizeof(d->ip[0])))
		return;
	d->ip[d->nip] = ip;
	memcpy(d->mac[d->nip++], mac, 6);
}

/**
 * net_left_lease() - dhcp_foreach_lease(): the addresses leased to one
 * departed MAC
 * @arg:	what the VM leaves (struct net_left), @seek the MAC
 * @li:		a lease
 *
 * Return: 0, to go on
 */
static int net_left_lease(void *arg, const struct dhcp_lease_info *li)
{
	struct net_left *d = arg;

	if (!memcmp(li->mac, d->seek, 6) && li->state != DHCP_LEASE_RELEASED)
		net_left_ip(d, li->ip.s_addr, li->mac);
	return 0;
}

/**
 * net_left_mac() - sw_port_macs(): remember a departed MAC, and its leases
 * @arg:	what the VM leaves (struct net_left)
 * @mac:	one of its MACs
 */
static void net_left_mac(void *arg, const uint8_t mac[6])
{
	struct net_left *d = arg;
	struct in6_addr a;

	reap_left(&d->n->reap, mac, loop_now_ms());
	if (!own6_addr_of(d->n->owners6, mac, &a))
		d->has6 = 1;
	if (!d->n->svc)
		return;
	d->seek = mac;
	dhcp_foreach_lease(svc_dhcp(d->n->svc), net_left_lease, d);
}

/**
 * net_left_conn() - gw_foreach_tcp(): reset a connection the departed VM
 * opened
 * @arg:	what the VM leaves (struct net_left)
 * @src:	the connection's guest address
 * @sport:	its guest port, host order
 * @dst:	its remote address
 * @dport:	its remote port, host order
 *
 * An IPv4 source is the VM's if it is among its leased or last used
 * addresses; an IPv6 one if own6 still binds it to the VM (released only
 * after this walk). IPv6 connections are listed only by a libslirp with
 * patch 0013.
 */
static void net_left_conn(void *arg, const struct gw_addr *src, int sport,
			  const struct gw_addr *dst, int dport)
{
	struct net_left *d = arg;
	uint8_t f[2][REAP_FRAME], mac[6];
	struct reap_tcp t = {
	    .v6 = src->family == AF_INET6,
	    .sport = htons((uint16_t)sport),
	    .dport = htons((uint16_t)dport),
	};
	const uint8_t *gw = d->n->gw_mac;
	uint32_t vm;
	size_t len;
	int i;

	if (t.v6) {
		if (own6_lookup(d->n->owners6, &src->v6, mac, &vm) ||
		    vm != d->vm->id)
			return;
		memcpy(t.saddr, &src->v6, 16);
		memcpy(t.daddr, &dst->v6, 16);
		gw = d->n->gw_mac6;
	} else {
		for (i = 0; i < d->nip && d->ip[i] != src->v4.s_addr; i++)
			;
		if (i == d->nip)
			return;
		memcpy(mac, d->mac[i], 6);
		memcpy(t.saddr, &src->v4, 4);
		memcpy(t.daddr, &dst->v4, 4);
	}
	len = reap_blind(f, mac, gw, &t);
	gw_input(d->n->gw, f[0], len);
	gw_input(d->n->gw, f[1], len);
	d->n->stats.reset_departed += 2;
}

/**
 * net_vm_left() - a VM's port is closing: its MACs are departed, and the
 * connections it opened through the NAT are reset in its name
 * @n:		network
 * @vm:		the VM, still in the list
 *
 * libslirp would keep them until TCP gives up, or for good if idle: see
 * reap.c. Its IPv6 addresses are released after the walk, which needs
 * them.
 */
void net_vm_left(struct net *n, struct net_vm *vm)
{
	struct net_left d = {.n = n, .vm = vm};

	sw_port_macs(n->sw, vm->swp, net_left_mac, &d);
	net_left_ip(&d, vm->ok_ip, d.nip ? d.mac[0] : n->gw_mac);
	if (d.nip || d.has6)
		gw_foreach_tcp(n->gw, net_left_conn, &d);
	own6_release_vm(n->owners6, vm->id);
}
