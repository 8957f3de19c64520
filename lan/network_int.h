/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * network_int.h - what the files of the network module share and nobody
 * else sees: struct net and struct net_vm, and the calls between
 * network.c (the assembly of a LAN: switch, gateway, services host, VM
 * ports), network_left.c (what a departed VM leaves) and netguard.c
 * (what a guest's frame must pass).
 * network.h is the module's interface.
 */
#ifndef USERNETD_NETWORK_INT_H
#define USERNETD_NETWORK_INT_H

#include <stdint.h>

#include "base/log.h"
#include "base/loop.h"
#include "lan/network.h"
#include "lan/own6.h"
#include "packet/ipfrag.h"
#include "packet/l2guard.h"
#include "packet/natcap.h"
#include "packet/ping6.h"
#include "packet/ra.h"
#include "packet/reap.h"

/**
 * struct net_vm - a VM's port on the network
 * @n:		network
 * @port:	transport
 * @swp:	switch port
 * @ok_ip:	source address last found to be this VM's (anti-spoofing
 *		fast path), valid while @ok_gen is the network's @lease_gen
 * @ok_gen:	lease generation @ok_ip was checked in
 * @id:		number of the port, its switch port's id (sw_port_add()):
 *		frames from it carry it to the DHCP server's per-port limit
 *		and to the gateway's guards, for the VM's shares
 * @next:	list link
 */
struct net_vm {
	struct net *n;
	struct port *port;
	struct sw_port *swp;
	uint32_t ok_ip;
	unsigned ok_gen;
	uint32_t id;
	struct net_vm *next;
};

/**
 * struct net - a virtual LAN
 * @l:		loop
 * @name:	for logs
 * @cfg:	addresses and policy
 * @sw:		the switch
 * @gw:		gateway (libslirp)
 * @svc:	services host (lwIP)
 * @gw_port:	the gateway's switch port
 * @svc_port:	the services host's switch port
 * @vms:	VM ports
 * @names:	names the network's DNS answers itself
 * @dns:	DNS on the services host (.3)
 * @dns_gw:	DNS on the gateway's address (.2)
 * @gw_mac:	the gateway's MAC
 * @gw_mac6:	the MAC of the gateway's IPv6 side (gw_mac6()), when
 *		@cfg.ip6
 * @gw_addr:	the gateway's address
 * @gw_addr6:	the gateway's IPv6 address (::2), when @cfg.ip6
 * @svc_addr:	the services host's address
 * @reg:	names and lease file following the leases
 * @reg_timer:	runs the registry while leases may expire
 * @lease_gen:	bumped whenever leases change
 * @vm_ids:	VM ports attached so far (their @id)
 * @stats:	counters
 * @frag:	IPv4 datagrams whose fragments libslirp may hold
 * @reap:	MACs of VMs that left, and resets owed to libslirp for them
 * @reap_flush:	sends those resets once libslirp has returned
 * @own6:	IPv6 addresses of the gateway and the services host, which
 *		no guest may claim
 * @owners6:	which VM owns which IPv6 address (own6.c)
 * @ping6:	ICMPv6 echo to the outside through host sockets (ping6.c),
 *		NULL without IPv6
 * @ra:		what the gateway's router advertisements must carry (MTU,
 *		DNS at ::3), when @cfg.ip6
 * @nat:	NAT sockets the guests opened, each port's share
 * @nat_log:	throttles the log line of a refused NAT socket
 * @cap:	packet capture of this network, or NULL
 * @cap_port:	capture only this port's frames; "" for all
 * @on_empty:	called when the last VM port closed
 * @arg:	its argument
 */
struct net {
	struct loop *l;
	char name[32];
	struct net_config cfg;
	struct sw *sw;
	struct gw *gw;
	struct svc *svc;
	struct sw_port *gw_port;
	struct sw_port *svc_port;
	struct net_vm *vms;
	struct dns_local *names;
	struct dnsd_ep *dns;
	struct dnsd_ep *dns_gw;
	uint8_t gw_mac[6];
	uint8_t gw_mac6[6];
	struct in_addr gw_addr;
	struct in6_addr gw_addr6;
	struct in_addr svc_addr;
	struct reg *reg;
	struct loop_timer *reg_timer;
	unsigned lease_gen;
	uint32_t vm_ids;
	struct net_stats stats;
	struct ipfrag frag;
	struct reap reap;
	struct loop_deferred reap_flush;
	struct l2g_addrs own6;
	struct own6 *owners6;
	struct ra_config ra;
	struct natcap nat;
	struct log_rate nat_log;
	struct ping6 *ping6;
	struct cap *cap;
	char cap_port[32];
	net_empty_fn on_empty;
	void *arg;
};

void net_nat_caps(struct net *n);
void net_to_gw(void *arg, uint32_t from, const uint8_t *frame, size_t len);
int net_guest_refused(struct net_vm *vm, const uint8_t *frame, size_t len,
		      int64_t now);
int net_svc_dst6(struct net *n, const uint8_t *f, size_t len, uint8_t mac[6]);
void net_reap_flush(void *arg);
int net_unknown(void *arg, const struct sw_port *from, const uint8_t *frame,
		size_t len);
void net_vm_left(struct net *n, struct net_vm *vm);

#endif /* USERNETD_NETWORK_INT_H */
