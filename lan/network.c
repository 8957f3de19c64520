/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * network.c - wires a virtual LAN together: switch, gateway, services host
 * and the VM ports, and owns the addresses Lima expects: gateway and host
 * loopback at .2, DNS and DHCP at .3, the first guest at .15. What a VM
 * leaves behind when its port closes is network_left.c's, what a guest's
 * frame must pass on its way netguard.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/be.h"
#include "packet/frame.h"
#include "packet/gateway.h"
#include "packet/l2guard.h"
#include "base/loop.h"
#include "packet/natcap.h"
#include "packet/ping6.h"
#include "packet/ra.h"
#include "lan/network.h"
#include "lan/network_int.h"
#include "packet/reap.h"
#include "packet/svchost.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "services/dns/dns.h"
#include "services/dns/service.h"
#include "services/pcap/capture.h"
#include "packet/dhcp.h"
#include "lan/leases.h"
#include "lan/registry.h"
#include "packet/switch.h"

#define NET_GATEWAY	 2
#define NET_SERVICES	 3
#define NET_FIRST_GUEST	 15
#define NET_FIRST_SHARED 4     /* user-v2: .1 to .3 are never handed out */
#define NET_REG_MS	 10000 /* leases expire: names follow this often */
/* libslirp's router advertisements are 110 or 134 bytes, and ra.c's options */
#define NET_RA_MAX  512
#define NET_IP6_MTU 1280 /* IPv6 needs links of this MTU at least */

/**
 * net_host_addr() - address of host number @host in the network
 * @cfg:	the network's addresses
 * @host:	host number in the subnet
 *
 * Return: the address, network order
 */
struct in_addr net_host_addr(const struct net_config *cfg, uint32_t host)
{
	struct in_addr a = {
	    .s_addr = htonl(ntohl(cfg->subnet.s_addr) + host),
	};

	return a;
}

/**
 * net_host_addr6() - IPv6 address of host number @host in the network
 * @cfg:	the network's addresses
 * @host:	host number in the /64 (2 the gateway, 3 the services host)
 * @a:		set to the address: @cfg->prefix6 with @host in its last
 *		32 bits
 */
void net_host_addr6(const struct net_config *cfg, uint32_t host,
		    struct in6_addr *a)
{
	*a = cfg->prefix6;
	be32_put(a->s6_addr + 12, host);
}

/**
 * net_mask() - netmask of a prefix length
 * @prefix:	prefix length, 0 to 32
 *
 * Return: the netmask, network order
 */
static struct in_addr net_mask(int prefix)
{
	struct in_addr m = {
	    .s_addr = htonl(prefix ? ~0U << (32 - prefix) : 0),
	};

	return m;
}

/**
 * net_gw_out() - a frame from the gateway enters the switch; its router
 * advertisements completed with the MTU and the DNS server (ra.c)
 * @arg:	the network
 * @frame:	the frame
 * @len:	its length
 */
static void net_gw_out(void *arg, const uint8_t *frame, size_t len)
{
	uint8_t ra[NET_RA_MAX];
	struct net *n = arg;

	switch (n->cfg.ip6
		    ? ra_rewrite(&n->ra, frame, len, ra, sizeof(ra), &len)
		    : RA_PASS) {
	case RA_DROP:
		return;
	case RA_DONE:
		frame = ra;
		break;
	case RA_PASS:
		break;
	}
	sw_input(n->sw, n->gw_port, frame, len, loop_now_ms());
}

/**
 * net_gw_room() - gw_room_fn: would the port a frame of the gateway goes
 * to take it now (a full VM port: libslirp keeps its TCP segment)?
 * @arg:	the network
 * @frame:	the frame, as net_gw_out() would get it
 * @len:	its length
 *
 * Return: 1 to send it, 0 to keep it
 */
static int net_gw_room(void *arg, const uint8_t *frame, size_t len)
{
	struct net *n = arg;

	return sw_room(n->sw, n->gw_port, frame, len, loop_now_ms());
}

/**
 * net_svc_out() - a frame from the services host enters the switch
 * @arg:	the network
 * @frame:	the frame
 * @len:	its length
 *
 * The services host's alias at .2 (DNS) sends with the gateway's MAC: its
 * frames enter the switch as the gateway's. IPv6 unicast goes to the MAC
 * of the destination's owner, or nowhere (net_svc_dst6()).
 */
static void net_svc_out(void *arg, const uint8_t *frame, size_t len)
{
	const struct frame_eth *eth = frame_eth(frame, len);
	struct net *n = arg;
	struct sw_port *from = n->svc_port;
	uint8_t mac[6], *copy;

	if (eth && !memcmp(eth->src, n->gw_mac, FRAME_ETH_ALEN))
		from = n->gw_port;
	switch (net_svc_dst6(n, frame, len, mac)) {
	case 0:
		sw_input(n->sw, from, frame, len, loop_now_ms());
		return;
	case 1: /* the output queue's slot is lwIP's: a copy */
		copy = malloc(len);
		if (!copy)
			return; /* lost like any frame */
		memcpy(copy, frame, len);
		memcpy(copy, mac, FRAME_ETH_ALEN);
		sw_input(n->sw, from, copy, len, loop_now_ms());
		free(copy);
		return;
	}
}

/**
 * net_to_svc() - sw_deliver_fn of the services host's port
 * @arg:	the services host
 * @from:	the switch port the frame came in on: whose DHCP message
 * @frame:	the frame
 * @len:	its length
 */
static void net_to_svc(void *arg, uint32_t from, const uint8_t *frame,
		       size_t len)
{
	svc_input(arg, frame, len, from);
}

/**
 * net_to_vm() - sw_deliver_fn of a VM's port
 * @arg:	the VM
 * @from:	the switch port the frame came in on (unused)
 * @frame:	the frame
 * @len:	its length
 */
static void net_to_vm(void *arg, uint32_t from, const uint8_t *frame,
		      size_t len)
{
	struct net_vm *vm = arg;

	(void)from;
	port_send(vm->port, frame, len);
}

/**
 * net_vm_room() - sw_room_fn of a VM's port
 * @arg:	the VM
 * @len:	the frame's length
 *
 * Return: 1 if its port takes the frame now, 0 if the sender should keep it
 */
static int net_vm_room(void *arg, size_t len)
{
	struct net_vm *vm = arg;

	return port_room(vm->port, len);
}

/**
 * net_vm_rx() - a frame from a VM
 * @arg:	the VM
 * @p:		its port (unused: @arg has it)
 * @frame:	the frame
 * @len:	its length
 */
static void net_vm_rx(void *arg, struct port *p, const uint8_t *frame,
		      size_t len)
{
	struct net_vm *vm = arg;
	int64_t now = loop_now_ms();

	(void)p;
	if (net_guest_refused(vm, frame, len, now))
		return;
	if (vm->n->reap.n && frame_eth(frame, len))
		reap_forget(&vm->n->reap, frame_eth(frame, len)->src);
	/* the ports it reaches learn it came from vm->id (sw_port_add()) */
	sw_input(vm->n->sw, vm->swp, frame, len, now);
}

/**
 * net_dhcp_sender_ok() - struct dhcp_config sender_ok: does the switch
 * have @mac on the port of VM @port (the @from net_to_svc() was given)?
 * @arg:	the network
 * @port:	the VM's id, 0 for a frame from no VM
 * @mac:	the frame's source
 *
 * Return: 1 if @mac is that VM's, else 0
 */
static int net_dhcp_sender_ok(void *arg, uint32_t port, const uint8_t mac[6])
{
	struct net *n = arg;
	struct net_vm *vm;

	for (vm = n->vms; vm; vm = vm->next)
		if (vm->id == port)
			return sw_owner(n->sw, mac, loop_now_ms()) == vm->swp;
	return 0;
}

/**
 * net_leases_changed() - DHCP bound, released or declined an address
 * @arg:	the network
 */
static void net_leases_changed(void *arg)
{
	struct net *n = arg;

	n->lease_gen++;
	if (n->reg)
		reg_sync(n->reg);
}

/**
 * net_own6_changed() - own6_changed_fn: a VM claimed or released an
 * in-prefix IPv6 address; names follow (AAAA)
 * @arg:	the network
 */
static void net_own6_changed(void *arg)
{
	struct net *n = arg;

	if (n->reg)
		reg_sync(n->reg);
}

/**
 * net_reg_addr6() - reg_addr6_fn: the IPv6 address a VM's names answer
 * (AAAA, and its PTR), from the ownership table
 * @arg:	the network
 * @mac:	the VM's MAC
 * @a:		set to its address
 *
 * Return: 0, or -1 if the VM holds no address in the prefix
 */
static int net_reg_addr6(void *arg, const uint8_t mac[6], struct in6_addr *a)
{
	struct net *n = arg;

	return own6_addr_of(n->owners6, mac, a);
}

/**
 * net_reg_tick() - leases end by expiring too: let names follow
 * @arg:	the network
 */
static void net_reg_tick(void *arg)
{
	struct net *n = arg;

	net_leases_changed(n);
	loop_timer_arm(n->reg_timer, loop_now_ms() + NET_REG_MS);
}

/**
 * net_leases_restore() - give MACs their addresses from the lease file
 * @n:		network
 */
static void net_leases_restore(struct net *n)
{
	struct dhcp_static_lease *l = NULL;
	char err[256];
	size_t i, cnt = 0;

	if (!n->cfg.leases_file)
		return;
	if (leases_load(n->cfg.leases_file, &l, &cnt, err, sizeof(err))) {
		log_warnx("%s", err);
		return;
	}
	for (i = 0; i < cnt; i++)
		if (dhcp_lease_restore(svc_dhcp(n->svc), l[i].mac, l[i].ip,
				       NULL, 0))
			log_warnx("%s: %s is not available any more",
				  n->cfg.leases_file, inet_ntoa(l[i].ip));
	free(l);
}

/**
 * net_vm_close() - a VM port died: unplug and free it
 * @arg:	the VM
 * @p:		its port (unused: @arg has it)
 */
static void net_vm_close(void *arg, struct port *p)
{
	struct net_vm *vm = arg, **pp;
	struct net *n = vm->n;

	(void)p;
	net_vm_left(n, vm);
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
 * net_names_new() - the names a network's DNS answers itself:
 * host.lima.internal (the gateway) and the static hosts
 * @cfg:	the network's configuration
 *
 * Return: the table; exits on allocation failure
 */
struct dns_local *net_names_new(const struct net_config *cfg)
{
	struct in_addr gw = net_host_addr(cfg, NET_GATEWAY);
	struct dns_local *names = dns_local_new(&gw);
	size_t i;

	if (!names)
		fatal("dns_local_new");
	for (i = 0; i < cfg->nhosts; i++)
		if (dns_local_set(names, cfg->hosts[i].name,
				  cfg->hosts[i].value))
			log_warnx("dns: cannot add %s", cfg->hosts[i].name);
	return names;
}

/**
 * net_dns_start() - serve DNS at .3 and at the gateway's .2
 * @n:		network
 *
 * Return: 0, or -1
 */
static int net_dns_start(struct net *n)
{
	n->names = net_names_new(&n->cfg);
	n->dns = dnsd_ep_new(n->cfg.dnsd, svc_netif(n->svc), n->names);
	n->dns_gw = dnsd_ep_new(n->cfg.dnsd, svc_alias_netif(n->svc), n->names);
	return n->dns && n->dns_gw ? 0 : -1;
}

/**
 * net_own6() - the IPv6 addresses of the network's own hosts: the
 * link-local addresses of the gateway's and the services host's MACs,
 * and with IPv6 on, ::2, ::3 and libslirp's fe80::2
 * @n:		network
 * @svc_mac:	the services host's MAC
 *
 * Without IPv6 these are what a guest would take for its routers'
 * addresses; with it, the gateway's and the services host's own: no guest
 * may advertise them (the services host's alias at ::2 uses the link-local
 * address of the gateway's IPv4 MAC, the first one).
 */
static void net_own6(struct net *n, const uint8_t svc_mac[6])
{
	struct in6_addr a = IN6ADDR_ANY_INIT;

	l2g_link_local(n->gw_mac, &a);
	l2g_add(&n->own6, &a);
	l2g_link_local(svc_mac, &a);
	l2g_add(&n->own6, &a);
	if (!n->cfg.ip6)
		return;
	l2g_add(&n->own6, &n->gw_addr6);
	net_host_addr6(&n->cfg, NET_SERVICES, &a);
	l2g_add(&n->own6, &a);
	memset(&a, 0, sizeof(a)); /* libslirp's link-local: fe80::2 */
	a.s6_addr[0] = 0xfe;
	a.s6_addr[1] = 0x80;
	memcpy(a.s6_addr + 8, n->gw_addr6.s6_addr + 8, 8);
	l2g_add(&n->own6, &a);
}

/**
 * net_ping6_start() - take guests' ICMPv6 echo to the outside, which
 * libslirp drops (packet/ping6.c)
 * @n:		network, its gateway made: replies and errors leave with
 *		its IPv6 MAC, as libslirp's own ICMPv6 does
 */
static void net_ping6_start(struct net *n)
{
	struct ping6_config pc = {
	    .name = n->name,
	    .prefix = n->cfg.prefix6,
	    .gw = n->gw_addr6,
	    .mtu = n->cfg.mtu,
	    .guest_max = PING6_GUEST_MAX,
	    .net_max = PING6_NET_MAX,
	    .timeout_ms = PING6_TIMEOUT_MS,
	};

	memcpy(pc.mac, n->gw_mac6, 6);
	n->ping6 = ping6_new(n->l, &pc, &n->stats.ping6, net_gw_out, n);
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
	struct net *n = xcalloc(1, sizeof(*n));
	struct dhcp_config dc = {0};
	struct svc_config sc = {0};
	struct gw_config gc = {0};

	n->l = l;
	n->cfg = *cfg;
	if (cfg->ip6 && cfg->mtu < NET_IP6_MTU) {
		log_warnx("%s: MTU %d is below IPv6's minimum (%d): IPv4 only",
			  name, cfg->mtu, NET_IP6_MTU);
		n->cfg.ip6 = 0;
	}
	cfg = &n->cfg;
	n->stats.leases_skipped = cfg->statics_skipped;
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->on_empty = on_empty;
	n->arg = arg;
	n->sw = sw_new();
	sw_set_unknown(n->sw, net_unknown, n);
	n->owners6 = own6_new(&cfg->prefix6, net_own6_changed, n);
	n->reap_flush.fn = net_reap_flush;
	n->reap_flush.arg = n;
	net_nat_caps(n);

	gc.net = cfg->subnet;
	gc.mask = net_mask(cfg->prefix);
	gc.host = net_host_addr(cfg, NET_GATEWAY);
	gc.guest = net_host_addr(cfg, NET_FIRST_GUEST);
	gc.mtu = cfg->mtu;
	gc.no_host_loopback = cfg->no_host_loopback;
	gc.ip6 = cfg->ip6;
	gc.prefix6 = cfg->prefix6;
	net_host_addr6(cfg, NET_GATEWAY, &gc.host6);
	n->ra.mtu = (uint32_t)cfg->mtu;
	net_host_addr6(cfg, NET_SERVICES, &n->ra.dns);
	n->gw = gw_new(l, &gc, net_gw_out, n);
	if (!n->gw)
		goto fail;
	n->gw_port = sw_port_add(n->sw, "gateway", 0, net_to_gw, n);
	gw_set_room(n->gw, net_gw_room);
	gw_mac(n->gw, n->gw_mac);
	n->gw_addr = gc.host;
	sw_learn_static(n->sw, n->gw_port, n->gw_mac);
	if (cfg->ip6) {
		/* libslirp's IPv6 side has a MAC of its own: no guest's */
		gw_mac6(n->gw, n->gw_mac6);
		n->gw_addr6 = gc.host6;
		sw_learn_static(n->sw, n->gw_port, n->gw_mac6);
		net_ping6_start(n);
	}

	dc.network = cfg->subnet;
	dc.netmask = gc.mask;
	dc.server_id = net_host_addr(cfg, NET_SERVICES);
	dc.router = gc.host;
	dc.dns = dc.server_id;
	dc.pool_first =
	    cfg->user_v2 ? net_host_addr(cfg, NET_FIRST_SHARED) : gc.guest;
	dc.pool_last.s_addr =
	    htonl(ntohl(cfg->subnet.s_addr) | (~ntohl(gc.mask.s_addr) - 1));
	if (cfg->dhcp_end.s_addr)
		dc.pool_last = cfg->dhcp_end;
	dc.mtu = cfg->mtu;
	dc.lease_time = 3600;
	dc.statics = cfg->statics;
	dc.nstatics = cfg->nstatics;
	dc.domain_search = cfg->search;
	dc.changed = net_leases_changed;
	dc.changed_arg = n;
	dc.sender_ok = net_dhcp_sender_ok;
	dc.sender_arg = n;

	sc.addr = dc.server_id;
	sc.netmask = gc.mask;
	sc.gw = gc.host;
	sc.mac[0] = 0x52;
	sc.mac[1] = 0x55;
	memcpy(sc.mac + 2, &sc.addr.s_addr, 4);
	sc.mtu = cfg->mtu;
	sc.dhcp = &dc;
	if (cfg->ip6)
		sc.addr6 = n->ra.dns; /* ::3 */
	if (cfg->dnsd) {
		sc.alias = gc.host;
		memcpy(sc.alias_mac, n->gw_mac, 6);
		sc.alias6 = n->gw_addr6; /* ::2, :: without IPv6 */
		memcpy(sc.alias_mac6, n->gw_mac6, 6);
	}
	n->svc = svc_new(l, &sc, net_svc_out, n);
	if (!n->svc)
		goto fail;
	n->svc_port = sw_port_add(n->sw, "services", 0, net_to_svc, n->svc);
	n->svc_addr = sc.addr;
	sw_learn_static(n->sw, n->svc_port, sc.mac);
	net_own6(n, sc.mac);
	if (cfg->dnsd && net_dns_start(n))
		goto fail;
	net_leases_restore(n);
	if (n->names || cfg->leases_file) {
		n->reg =
		    reg_new(l, svc_dhcp(n->svc), n->names, cfg->leases_file,
			    cfg->ip6 ? net_reg_addr6 : NULL, n);
		n->reg_timer = loop_timer_new(l, net_reg_tick, n);
		net_reg_tick(n);
	}
	return n;
fail:
	log_warnx("%s: cannot create network", n->name);
	net_free(n);
	return NULL;
}

/**
 * net_free() - close every VM port and free the network
 * @n:		network, or NULL
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
	loop_defer_cancel(n->l, &n->reap_flush);
	loop_timer_free(n->reg_timer);
	reg_free(n->reg);
	dnsd_ep_free(n->dns);
	dnsd_ep_free(n->dns_gw);
	dns_local_free(n->names);
	svc_free(n->svc);
	ping6_free(n->ping6);
	gw_free(n->gw);
	sw_free(n->sw);
	natcap_free(&n->nat);
	own6_free(n->owners6);
	free(n);
}

/**
 * net_unseen_end() - may the VM behind @fd vanish without our seeing it?
 * @fd:		the VM's descriptor
 *
 * A datagram peer that closes is noticed only when a send to it fails
 * (Lima's VZ socket pair, vfkit); streams, seqpacket sockets and TAP
 * devices report their end.
 *
 * Return: 1 if it is a datagram socket, else 0
 */
static int net_unseen_end(int fd)
{
	socklen_t len = sizeof(int);
	int type = 0;

	return !getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) &&
	       type == SOCK_DGRAM;
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
	struct net_vm *vm = xcalloc(1, sizeof(*vm));

	vm->n = n;
	vm->id = ++n->vm_ids;
	vm->port = port_new(n->l, fd, kind, name, net_vm_rx, net_vm_close, vm);
	vm->swp = sw_port_add(n->sw, name, vm->id, net_to_vm, vm);
	sw_port_set_room(vm->swp, net_vm_room);
	if (!net_unseen_end(fd))
		sw_port_keep_macs(vm->swp);
	vm->next = n->vms;
	n->vms = vm;
	log_info("%s: port %s attached", n->name, name);
}

/**
 * net_forward_add() - forward a host port to a guest (IPv4 0.0.0.0: the
 * first guest address)
 * @n:		network
 * @f:		the forward
 *
 * Return: 0, or -1 if the host port is taken (errno from the socket
 * calls) or the guest address is IPv6 on a network serving no IPv6
 * (EADDRNOTAVAIL)
 */
int net_forward_add(struct net *n, const struct net_forward *f)
{
	struct gw_addr g = f->gaddr;

	if (g.family == AF_INET6 && !n->cfg.ip6) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	if (g.family == AF_INET && !g.v4.s_addr)
		g.v4 = net_host_addr(&n->cfg, NET_FIRST_GUEST);
	return gw_add_hostfwd(n->gw, f->udp, &f->haddr, f->hport, &g, f->gport);
}

/**
 * net_tap() - the switch passes a frame: capture it if it is wanted
 * @arg:	the network
 * @from:	ingress port
 * @to:		the port it goes to, NULL when flooded
 * @frame:	the frame
 * @len:	its length
 */
static void net_tap(void *arg, const struct sw_port *from,
		    const struct sw_port *to, const uint8_t *frame, size_t len)
{
	struct net *n = arg;

	if (n->cap_port[0] && strcmp(sw_port_name(from), n->cap_port) && to &&
	    strcmp(sw_port_name(to), n->cap_port))
		return; /* neither from nor (unicast) to the port captured */
	cap_frame(n->cap, frame, len);
}

/**
 * net_set_capture() - capture what crosses the network (NULL: stop)
 * @n:		network
 * @c:		capture, shared by every network; frames go in in order
 * @port:	only frames from or to this VM port, NULL or "" for all
 */
void net_set_capture(struct net *n, struct cap *c, const char *port)
{
	n->cap = c;
	snprintf(n->cap_port, sizeof(n->cap_port), "%s", port ? port : "");
	sw_set_tap(n->sw, c ? net_tap : NULL, n);
}

/**
 * net_stats() - counters of a network
 * @n:		network
 *
 * Return: its counters
 */
const struct net_stats *net_stats(const struct net *n)
{
	return &n->stats;
}

/**
 * net_name() - name of a network, for logs
 * @n:		network
 *
 * Return: its name
 */
const char *net_name(const struct net *n)
{
	return n->name;
}

/**
 * net_forward_remove() - remove a forward added by net_forward_add()
 * @n:		network
 * @udp:	1 for UDP, 0 for TCP
 * @haddr:	host address it listens on
 * @hport:	host port
 *
 * Return: 0, or -1 if there was no such forward
 */
int net_forward_remove(struct net *n, int udp, const struct gw_addr *haddr,
		       uint16_t hport)
{
	return gw_remove_hostfwd(n->gw, udp, haddr, hport);
}

/**
 * net_holds_addr() - is @a (network order) inside the network's subnet?
 * @n:		network
 * @a:		the address
 *
 * Return: nonzero if it does
 */
int net_holds_addr(const struct net *n, struct in_addr a)
{
	return (a.s_addr & net_mask(n->cfg.prefix).s_addr) ==
	       n->cfg.subnet.s_addr;
}

/**
 * net_holds_addr6() - is @a inside the network's IPv6 prefix (a /64)?
 * @n:		network
 * @a:		the address
 *
 * Return: nonzero if the network serves IPv6 and its prefix holds @a
 */
int net_holds_addr6(const struct net *n, const struct in6_addr *a)
{
	return n->cfg.ip6 && !memcmp(a->s6_addr, n->cfg.prefix6.s6_addr, 8);
}

/**
 * net_dhcp() - the network's DHCP server (leases)
 * @n:		network
 *
 * Return: the DHCP server
 */
struct dhcp *net_dhcp(struct net *n)
{
	return svc_dhcp(n->svc);
}

/**
 * net_names() - the names the network's DNS answers itself, or NULL when
 * the network has no DNS service
 * @n:		network
 *
 * Return: the table, or NULL
 */
struct dns_local *net_names(struct net *n)
{
	return n->names;
}

/**
 * net_svc_netif() - the services host's lwIP netif (.3), where probes to
 * guests are bound
 * @n:		network
 *
 * Return: the netif
 */
struct netif *net_svc_netif(struct net *n)
{
	return svc_netif(n->svc);
}

/**
 * net_foreach_port() - report the counters of every VM port
 * @n:		network
 * @fn:		called for each port; must not change the network
 * @arg:	its argument
 */
void net_foreach_port(struct net *n, net_port_fn fn, void *arg)
{
	struct net_vm *vm;

	for (vm = n->vms; vm; vm = vm->next)
		fn(arg, port_name(vm->port), port_stats(vm->port));
}

/**
 * net_foreach_cam() - report the switch's MAC table
 * @n:		network
 * @fn:		called for each live entry
 * @arg:	its argument
 */
void net_foreach_cam(struct net *n, net_cam_fn fn, void *arg)
{
	sw_foreach(n->sw, loop_now_ms(), fn, arg);
}

/**
 * net_foreach_addr6() - report the IPv6 addresses the VMs hold
 * @n:		network
 * @fn:		called for each address, with its owner's MAC
 * @arg:	its argument
 */
void net_foreach_addr6(struct net *n, net_addr6_fn fn, void *arg)
{
	own6_foreach(n->owners6, fn, arg);
}

/**
 * net_sw_stats() - counters of the network's switch
 * @n:		network
 *
 * Return: the counters
 */
const struct sw_stats *net_sw_stats(const struct net *n)
{
	return sw_stats(n->sw);
}

/**
 * net_svc_stats() - counters of the network's services host
 * @n:		network
 * @st:		filled with the counters
 */
void net_svc_stats(const struct net *n, struct svc_stats *st)
{
	svc_get_stats(n->svc, st);
}

/**
 * net_nat_connections() - sockets libslirp holds for the network's guests
 * @n:		network
 *
 * Return: their number
 */
int net_nat_connections(struct net *n)
{
	return gw_nat_connections(n->gw);
}
