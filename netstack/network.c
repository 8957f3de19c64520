/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * network.c - wires a virtual LAN together: switch, gateway, services host
 * and the VM ports, and owns the addresses Lima expects: gateway and host
 * loopback at .2, DNS and DHCP at .3, the first guest at .15.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway.h"
#include "loop.h"
#include "network.h"
#include "services.h"
#include "../daemon/log.h"
#include "../user-v2/dhcp.h"
#include "../user-v2/switch.h"

#define NET_GATEWAY 2
#define NET_SERVICES 3
#define NET_FIRST_GUEST 15

/**
 * struct net_vm - a VM's port on the network
 */
struct net_vm {
	struct net *n;
	struct port *port;
	struct sw_port *swp;
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
	net_empty_fn on_empty;
	void *arg;
};

/**
 * net_host_addr() - address of host number @host in the network
 */
struct in_addr net_host_addr(const struct net_config *cfg, uint32_t host)
{
	struct in_addr a = {
		.s_addr = htonl(ntohl(cfg->subnet.s_addr) + host),
	};

	return a;
}

/**
 * net_mask() - netmask of a prefix length
 */
static struct in_addr net_mask(int prefix)
{
	struct in_addr m = {
		.s_addr = htonl(prefix ? ~0U << (32 - prefix) : 0),
	};

	return m;
}

/* Frames from the gateway and the services host enter the switch. */
static void net_gw_out(void *arg, const uint8_t *frame, size_t len)
{
	struct net *n = arg;

	sw_input(n->sw, n->gw_port, frame, len, loop_now_ms());
}

static void net_svc_out(void *arg, const uint8_t *frame, size_t len)
{
	struct net *n = arg;

	sw_input(n->sw, n->svc_port, frame, len, loop_now_ms());
}

/* Frames from the switch to the gateway, the services host, a VM. */
static void net_to_gw(void *arg, const uint8_t *frame, size_t len)
{
	gw_input(arg, frame, len);
}

static void net_to_svc(void *arg, const uint8_t *frame, size_t len)
{
	svc_input(arg, frame, len);
}

static void net_to_vm(void *arg, const uint8_t *frame, size_t len)
{
	struct net_vm *vm = arg;

	port_send(vm->port, frame, len);
}

/**
 * net_vm_rx() - a frame from a VM
 */
static void net_vm_rx(void *arg, struct port *p, const uint8_t *frame,
		      size_t len)
{
	struct net_vm *vm = arg;

	(void)p;
	sw_input(vm->n->sw, vm->swp, frame, len, loop_now_ms());
}

/**
 * net_vm_close() - a VM port died: unplug and free it
 */
static void net_vm_close(void *arg, struct port *p)
{
	struct net_vm *vm = arg, **pp;
	struct net *n = vm->n;

	(void)p;
	for (pp = &n->vms; *pp; pp = &(*pp)->next) {
		if (*pp == vm) {
			*pp = vm->next;
			break;
		}
	}
	sw_port_del(n->sw, vm->swp);
	port_free(vm->port);
	free(vm);
	if (!n->vms && n->on_empty)
		n->on_empty(n->arg, n);
}

/**
 * net_new() - create a network
 * @l:		loop
 * @cfg:	addresses and policy
 * @name:	for logs
 * @on_empty:	called when the last VM port closes, may be NULL
 * @arg:	its argument
 *
 * Return: the network, or NULL
 */
struct net *net_new(struct loop *l, const struct net_config *cfg,
		    const char *name, net_empty_fn on_empty, void *arg)
{
	struct net *n = calloc(1, sizeof(*n));
	struct dhcp_config dc = { 0 };
	struct svc_config sc = { 0 };
	struct gw_config gc = { 0 };
	uint8_t mac[6];

	if (!n)
		fatal("calloc");
	n->l = l;
	n->cfg = *cfg;
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->on_empty = on_empty;
	n->arg = arg;
	n->sw = sw_new();

	gc.net = cfg->subnet;
	gc.mask = net_mask(cfg->prefix);
	gc.host = net_host_addr(cfg, NET_GATEWAY);
	gc.guest = net_host_addr(cfg, NET_FIRST_GUEST);
	gc.mtu = cfg->mtu;
	gc.no_host_loopback = cfg->no_host_loopback;
	n->gw = gw_new(l, &gc, net_gw_out, n);
	if (!n->gw)
		goto fail;
	n->gw_port = sw_port_add(n->sw, "gateway", net_to_gw, n->gw);
	gw_mac(n->gw, mac);
	sw_learn_static(n->sw, n->gw_port, mac);

	dc.network = cfg->subnet;
	dc.netmask = gc.mask;
	dc.server_id = net_host_addr(cfg, NET_SERVICES);
	dc.router = gc.host;
	dc.dns = dc.server_id;
	dc.pool_first = gc.guest;
	dc.pool_last.s_addr = htonl(ntohl(cfg->subnet.s_addr) |
				    (~ntohl(gc.mask.s_addr) - 1));
	dc.mtu = cfg->mtu;
	dc.lease_time = 3600;

	sc.addr = dc.server_id;
	sc.netmask = gc.mask;
	sc.gw = gc.host;
	sc.mac[0] = 0x52;
	sc.mac[1] = 0x55;
	memcpy(sc.mac + 2, &sc.addr.s_addr, 4);
	sc.mtu = cfg->mtu;
	sc.dhcp = &dc;
	n->svc = svc_new(l, &sc, net_svc_out, n);
	if (!n->svc)
		goto fail;
	n->svc_port = sw_port_add(n->sw, "services", net_to_svc, n->svc);
	sw_learn_static(n->sw, n->svc_port, sc.mac);
	return n;
fail:
	log_warnx("%s: cannot create network", n->name);
	net_free(n);
	return NULL;
}

/**
 * net_free() - close every VM port and free the network
 */
void net_free(struct net *n)
{
	struct net_vm *vm, *next;

	if (!n)
		return;
	for (vm = n->vms; vm; vm = next) {
		next = vm->next;
		port_free(vm->port);
		free(vm);
	}
	svc_free(n->svc);
	gw_free(n->gw);
	sw_free(n->sw);
	free(n);
}

/**
 * net_attach() - plug a VM's descriptor into the network
 * @n:		network
 * @fd:		connected descriptor, owned by the network from now on
 * @kind:	its framing
 * @name:	for logs
 */
void net_attach(struct net *n, int fd, enum port_kind kind, const char *name)
{
	struct net_vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		fatal("calloc");
	vm->n = n;
	vm->port = port_new(n->l, fd, kind, name, net_vm_rx, net_vm_close, vm);
	vm->swp = sw_port_add(n->sw, name, net_to_vm, vm);
	vm->next = n->vms;
	n->vms = vm;
	log_info("%s: port %s attached", n->name, name);
}

/**
 * net_forward_add() - forward a host port to the first guest address
 *
 * Return: 0, or -1 if the host port is taken
 */
int net_forward_add(struct net *n, const struct net_forward *f)
{
	return gw_add_hostfwd(n->gw, f->udp, f->haddr, f->hport,
			      net_host_addr(&n->cfg, NET_FIRST_GUEST),
			      f->gport);
}

/**
 * net_name() - name of a network, for logs
 */
const char *net_name(const struct net *n)
{
	return n->name;
}
