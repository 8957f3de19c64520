/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netguard.c - owns what a guest's frame must pass on a network, and the
 * counting of what it may not: frames no guest may send at all (l2guard:
 * VLAN tags, IPv6 first-hop attacks), addresses that are not its own
 * (anti-spoofing against the DHCP leases and the switch's table), and on
 * the way to libslirp what it mishandles or cannot bear (martian
 * destinations, each guest's share of NAT sockets, TCP urgent data,
 * IPv4 fragments libslirp would crash on, IPv6 destinations it would
 * send to the host's loopback). IPv6 sources are held to the network's
 * table of who owns which address (own6.c): a VM sends only from
 * addresses it owns or may claim, announces (DAD) and advertises (NA)
 * only those; the services host's IPv6 replies go to the owner's MAC.
 * The checks themselves are the packet layer's (packet/l2guard, natcap,
 * tcpurg, ipfrag, frame); this file is the network's policy around them.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base/log.h"
#include "base/loop.h"
#include "lan/network_int.h"
#include "lan/own6.h"
#include "packet/dhcp.h"
#include "packet/frame.h"
#include "packet/gateway.h"
#include "packet/ping6.h"
#include "packet/port.h"
#include "packet/svchost.h"
#include "packet/switch.h"
#include "packet/tcpurg.h"

#define NET_CAP_LOG_MS 10000 /* a full share is logged at most this often */
#define NET_ICMP6_NA   136   /* ICMPv6 neighbour advertisement */
#define NET_DNS_PORT   53

/**
 * net_gw_dns6() - net_gw_dns() of an IPv6 frame
 * @n:		network, serving DNS at ::2
 * @f:		Ethernet frame for the gateway
 * @len:	its length
 *
 * UDP and TCP to [::2]:53 are the alias's. So are neighbour advertisements
 * to the link-local address of the gateway's IPv4 MAC: the alias sends its
 * solicitations from there (it shares that MAC), libslirp from ::2.
 *
 * Return: 1 for the services host only, 0 for the gateway only
 */
static int net_gw_dns6(const struct net *n, const uint8_t *f, size_t len)
{
	struct in6_addr ll;
	struct frame_info fi;
	const uint8_t *l4;

	if (!n->cfg.ip6 || frame_parse(f, len, &fi) || !fi.ip6)
		return 0;
	if (fi.proto == FRAME_IPPROTO_UDP || fi.proto == FRAME_IPPROTO_TCP) {
		l4 = frame_l4(f, len, &fi, 4); /* the ports */
		return l4 && be16_get(l4 + 2) == NET_DNS_PORT &&
		       !memcmp(fi.ip6->dst, n->gw_addr6.s6_addr, 16);
	}
	l4 = frame_l4(f, len, &fi, 1);
	if (fi.proto != FRAME_IPPROTO_ICMPV6 || !l4 || l4[0] != NET_ICMP6_NA)
		return 0;
	l2g_link_local(n->gw_mac, &ll);
	return !memcmp(fi.ip6->dst, ll.s6_addr, 16);
}

/**
 * net_gw_dns() - is this frame for the DNS service at the gateway's address?
 * @n:		network
 * @f:		Ethernet frame for the gateway
 * @len:	its length
 *
 * UDP and TCP to .2 (or ::2) port 53 are answered by the services host's
 * alias, not NATed by libslirp to the host's port 53; ARP replies for .2
 * go to both, since the alias asks for guests' MACs too (for IPv6 see
 * net_gw_dns6()).
 *
 * Return: 1 for the services host only, 2 for both, 0 for the gateway only
 */
static int net_gw_dns(const struct net *n, const uint8_t *f, size_t len)
{
	const struct frame_arp *arp = frame_arp(f, len);
	uint8_t proto;
	uint32_t dst;

	if (!n->dns_gw)
		return 0;
	if (frame_type(f, len) == FRAME_ETH_IP6)
		return net_gw_dns6(n, f, len);
	if (arp) /* the opcode's low byte, as the services host reads it */
		return arp->op[1] == FRAME_ARP_REPLY &&
			       !memcmp(arp->tpa, &n->gw_addr, 4)
			   ? 2
			   : 0;
	return frame_dport(f, len, &proto, &dst) == NET_DNS_PORT &&
	       dst == n->gw_addr.s_addr;
}

/* The DHCP client port: the services host's replies, not for libslirp */
#define NET_DHCP_CLIENT 68

/**
 * net_share_owner() - whose share a frame for the gateway uses
 * @n:		network
 * @from:	the switch port it came in on (a VM's @id, or 0)
 *
 * On a user-v2 network the VM it comes from; a slirp network has one VM,
 * which may use the whole of its network's pools.
 *
 * Return: the VM's port number, or 0 for none
 */
static uint32_t net_share_owner(const struct net *n, uint32_t from)
{
	return n->cfg.user_v2 ? from : 0;
}

/**
 * net_vm_name() - the name of a VM's port, for logs
 * @n:		network
 * @id:		the port's @id
 *
 * Return: its name, or "a guest" for none
 */
static const char *net_vm_name(const struct net *n, uint32_t id)
{
	const struct net_vm *vm;

	for (vm = n->vms; vm; vm = vm->next)
		if (vm->id == id)
			return port_name(vm->port);
	return "a guest";
}

/**
 * net_frag_pass() - ask ipfrag_pass() about a frame for libslirp, on the
 * account of the VM it comes from, and count a refusal
 * @n:		network
 * @frame:	Ethernet frame
 * @len:	its length
 * @owner:	net_share_owner()
 *
 * Return: nonzero to pass it on
 */
static int net_frag_pass(struct net *n, const uint8_t *frame, size_t len,
			 uint32_t owner)
{
	switch (ipfrag_pass(&n->frag, frame, len, loop_now_ms(), owner)) {
	case IPFRAG_PASS:
		return 1;
	case IPFRAG_OVER_SHARE:
		n->stats.drop_frag_share++;
		return 0;
	case IPFRAG_DROP:
		break;
	}
	n->stats.drop_frag++;
	return 0;
}

/**
 * net_nat_seen() - gw_foreach_flow(): a socket libslirp holds, for
 * natcap's recount
 * @arg:	the flows (struct natcap)
 * @udp:	1 for UDP, 0 for TCP
 * @src:	guest address, network order
 * @sport:	guest port, network order
 * @dst:	remote address, network order
 * @dport:	remote port, network order
 */
static void net_nat_seen(void *arg, int udp, uint32_t src, uint16_t sport,
			 uint32_t dst, uint16_t dport)
{
	natcap_seen(arg, udp, src, sport, dst, dport);
}

/**
 * net_nat_walk() - natcap_admit()'s recount: report libslirp's sockets
 * @arg:	the network
 * @c:		the flows to report them to
 */
static void net_nat_walk(void *arg, struct natcap *c)
{
	struct net *n = arg;

	gw_foreach_flow(n->gw, net_nat_seen, c);
}

/**
 * net_nat_pass() - may this frame open a NAT socket, on the account of
 * the VM it comes from? Counts a refusal
 * @n:		network
 * @frame:	Ethernet frame for the gateway
 * @len:	its length
 * @owner:	net_share_owner()
 *
 * Return: nonzero to pass it on
 */
static int net_nat_pass(struct net *n, const uint8_t *frame, size_t len,
			uint32_t owner)
{
	uint64_t due;

	switch (natcap_admit(&n->nat, frame, len, owner, loop_now_ms(),
			     net_nat_walk, n)) {
	case NATCAP_PASS:
		return 1;
	case NATCAP_OVER_GUEST:
		n->stats.drop_nat_guest++;
		break;
	case NATCAP_OVER_NET:
		n->stats.drop_nat_net++;
		break;
	}
	due = log_rate_due(&n->nat_log, loop_now_ms(), NET_CAP_LOG_MS);
	if (!due)
		return 0;
	log_warnx("%s: %s holds %u NAT sockets, the network %zu (caps %u, %u): "
		  "new connections dropped (%llu more refusals not logged)",
		  n->name, net_vm_name(n, owner), natcap_held(&n->nat, owner),
		  n->nat.n, n->nat.guest_max, n->nat.net_max,
		  (unsigned long long)(due - 1));
	return 0;
}

/* The descriptor limit, read by net_read_limits(); 0 while unknown */
static rlim_t net_nofile;

/**
 * net_read_limits() - read the process's descriptor limit, for the NAT
 * caps of networks created from now on
 *
 * Call it once the limit is final and before a sandbox forbids reading it
 * (networks of slirp mode are created later, under the sandbox).
 */
void net_read_limits(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl))
		net_nofile = rl.rlim_cur;
}

/**
 * net_nat_caps() - set the network's NAT socket caps: NATCAP_GUEST_MAX a
 * port and NATCAP_NET_MAX in all, lowered to fit the descriptor limit
 * @n:		network
 *
 * A guest's share must leave descriptors for the others and for the
 * daemon: all guests together may use the limit less 256, and one guest
 * of a user-v2 network half of that (net_share_owner()).
 */
void net_nat_caps(struct net *n)
{
	unsigned net_max = NATCAP_NET_MAX, guest_max = NATCAP_GUEST_MAX;

	if (net_nofile && net_nofile != RLIM_INFINITY &&
	    net_nofile < (rlim_t)net_max + 256)
		net_max = net_nofile > 512 ? (unsigned)net_nofile - 256
					   : (unsigned)net_nofile / 2;
	if (guest_max > net_max / 2)
		guest_max = net_max / 2;
	natcap_init(&n->nat, guest_max, net_max);
}

/**
 * net_gw_guard() - hand a frame to libslirp, minus what it mishandles
 * @n:		network
 * @frame:	Ethernet frame
 * @len:	its length
 * @from:	the switch port it came in on
 *
 * Packets to loopback or "this network" addresses are dropped, and IPv6
 * ones to addresses libslirp would take for the host's (l2g_martian6()).
 * libslirp
 * 4.7 leaks host memory from a guest's urgent pointer (CVE-2026-9539, see
 * tcpurg.c): a segment with URG or an urgent pointer goes in as a copy
 * without them; IPv4 fragments that could rewrite a TCP header are
 * dropped. libslirp 4.7 also crashes on a last fragment that finds no
 * reassembly queue (ipfrag.c): ipfrag_pass() is asked last, right before
 * gw_input(), so that what it remembers did reach libslirp.
 */
static void net_gw_guard(struct net *n, const uint8_t *frame, size_t len,
			 uint32_t from)
{
	uint32_t owner = net_share_owner(n, from);
	uint8_t *copy;
	size_t off;

	/* libslirp connects a guest's TCP and sends its UDP to any
	 * destination but its own addresses unchanged: to 127.0.0.1 or
	 * 0.0.0.0 that is the host's loopback, --no-host-loopback or not,
	 * and to the rest of 127.0.0.0/8 loopback addresses .2 never leads
	 * to. */
	if (frame_martian(frame, len)) {
		n->stats.drop_martian++;
		return;
	}
	if (l2g_martian6(frame, len, &n->cfg.prefix6)) {
		n->stats.drop_martian6++;
		return;
	}
	/* libslirp 4.7 drops ICMPv6 echo to anyone but itself */
	if (n->ping6 && ping6_input(n->ping6, frame, len, owner))
		return;
	if (!net_nat_pass(n, frame, len, owner))
		return;
	switch (tcpurg_scan(frame, len, &off)) {
	case TCPURG_PASS:
		if (net_frag_pass(n, frame, len, owner))
			gw_input(n->gw, frame, len);
		return;
	case TCPURG_DROP:
		n->stats.drop_tcp_frag++;
		return;
	case TCPURG_CLEAR:
		break;
	}
	copy = malloc(len);
	if (!copy)
		return; /* lost like any frame: TCP sends it again */
	memcpy(copy, frame, len);
	tcpurg_clear(copy, off);
	n->stats.tcp_urg_cleared++;
	if (net_frag_pass(n, copy, len, owner))
		gw_input(n->gw, copy, len);
	free(copy);
}

/**
 * net_to_gw() - sw_deliver_fn of the gateway's port
 * @arg:	the network
 * @from:	the switch port the frame came in on
 * @frame:	the frame
 * @len:	its length
 */
void net_to_gw(void *arg, uint32_t from, const uint8_t *frame, size_t len)
{
	struct net *n = arg;

	/* The services host broadcasts its DHCP replies; libslirp, with its
	 * own DHCP off, would answer them with an ICMP port unreachable. */
	if (frame_udp_to(frame, len, NET_DHCP_CLIENT))
		return;
	switch (net_gw_dns(n, frame, len)) {
	case 1:
		svc_input(n->svc, frame, len, from);
		return;
	case 2:
		svc_input(n->svc, frame, len, from);
		break;
	}
	net_gw_guard(n, frame, len, from);
}

/**
 * net_ip_ok() - may @vm use source address @ip (network order)?
 * @vm:		the VM
 * @src_mac:	the frame's source MAC
 * @ip:		the address, network order
 * @now:	loop time, ms
 *
 * No VM may be the gateway or the services host, nor use an address
 * leased to a MAC that another port owns; a VM may use several MACs of
 * its own (containers inside it).
 *
 * Return: 1 if it may, else 0
 */
static int net_ip_ok(struct net_vm *vm, const uint8_t *src_mac, uint32_t ip,
		     int64_t now)
{
	struct net *n = vm->n;
	struct in_addr a = {.s_addr = ip};
	struct sw_port *owner;
	uint8_t mac[6];

	if (ip == vm->ok_ip && vm->ok_gen == n->lease_gen)
		return 1;
	if (ip == n->gw_addr.s_addr || ip == n->svc_addr.s_addr)
		return 0;
	if (n->svc && dhcp_lease_owner(svc_dhcp(n->svc), a, mac) &&
	    memcmp(mac, src_mac, 6)) {
		owner = sw_owner(n->sw, mac, now);
		if (owner && owner != vm->swp)
			return 0;
	}
	vm->ok_ip = ip;
	vm->ok_gen = n->lease_gen;
	return 1;
}

/**
 * net_spoofed() - does a VM's frame claim an address that is not its own?
 * @vm:		the VM it comes from
 * @f:		Ethernet frame
 * @len:	its length
 * @now:	loop time, ms
 *
 * Checked: the sender of ARP packets and the source of IPv4 packets.
 * 0.0.0.0 (DHCP, ARP probes) is anybody's.
 *
 * Return: nonzero if it does
 */
static int net_spoofed(struct net_vm *vm, const uint8_t *f, size_t len,
		       int64_t now)
{
	uint32_t ip;

	if (!frame_sender4(f, len, &ip))
		return 0;
	return ip && !net_ip_ok(vm, frame_eth(f, len)->src, ip, now);
}

/**
 * net_l2_refused() - count a frame l2g_check() refuses
 * @n:		network
 * @v:		the verdict
 *
 * Return: nonzero if the frame must be dropped
 */
static int net_l2_refused(struct net *n, enum l2g_verdict v)
{
	switch (v) {
	case L2G_PASS:
		return 0;
	case L2G_VLAN:
		n->stats.drop_vlan++;
		break;
	case L2G_RA:
		n->stats.drop_ra++;
		break;
	case L2G_REDIRECT:
		n->stats.drop_redirect++;
		break;
	case L2G_DHCPV6:
		n->stats.drop_dhcpv6++;
		break;
	case L2G_NA:
		n->stats.drop_na++;
		break;
	case L2G_SPOOF6:
		n->stats.drop_spoof++;
		break;
	case L2G_CHAIN:
		n->stats.drop_ipv6_chain++;
		break;
	case L2G_SRC6:
		n->stats.drop_src6++;
		break;
	case L2G_LLADDR:
		n->stats.drop_nd_lladdr++;
		break;
	}
	return 1;
}

/**
 * net_claim6() - may a VM hold an IPv6 address? Counts a refusal
 * @vm:		the VM
 * @a:		16 bytes of the address, in the frame
 * @mac:	the frame's source MAC
 * @taken:	the counter for an address another VM owns
 * @now:	loop time, ms
 *
 * Return: nonzero if it may not
 */
static int net_claim6(struct net_vm *vm, const uint8_t *a, const uint8_t *mac,
		      uint64_t *taken, int64_t now)
{
	struct net *n = vm->n;
	struct in6_addr x;

	memcpy(&x, a, sizeof(x));
	switch (own6_claim(n->owners6, &x, mac, vm->id, now)) {
	case OWN6_OK:
		return 0;
	case OWN6_SCOPE:
		n->stats.drop_src6++;
		break;
	case OWN6_TAKEN:
		(*taken)++;
		break;
	case OWN6_VM_FULL:
	case OWN6_NET_FULL:
		n->stats.drop_own6_full++;
		break;
	}
	return 1;
}

/**
 * net_spoofed6() - does a VM's IPv6 packet use an address that is not its
 * own? Counts why
 * @vm:		the VM it comes from
 * @f:		Ethernet frame, l2g_check() passed it
 * @info:	what l2g_check() found in it
 * @now:	loop time, ms
 *
 * Its source must be the VM's, or become it (first use); from ::, the
 * target of its duplicate address detection likewise (MLD reports from
 * :: claim nothing); a neighbour advertisement's target too.
 *
 * Return: nonzero if it does
 */
static int net_spoofed6(struct net_vm *vm, const uint8_t *f,
			const struct l2g_info *info, int64_t now)
{
	static const uint8_t unspec[16];
	const uint8_t *mac = frame_eth(f, FRAME_ETH_HLEN)->src;
	struct net_stats *st = &vm->n->stats;
	struct in6_addr t;

	if (!info->src)
		return 0;
	if (!memcmp(info->src, unspec, 16))
		return info->target &&
		       net_claim6(vm, info->target, mac, &st->drop_dad6, now);
	if (net_claim6(vm, info->src, mac, &st->drop_spoof6, now))
		return 1;
	if (info->icmp6 != NET_ICMP6_NA || !info->target)
		return 0;
	memcpy(&t, info->target, sizeof(t));
	if (own6_claim(vm->n->owners6, &t, mac, vm->id, now) == OWN6_OK)
		return 0;
	st->drop_na++;
	return 1;
}

/**
 * net_svc_dst6() - where may the services host's frame go? lwIP's
 * neighbour cache is process-wide, and keyed by address alone for
 * global ones: two networks' guests with the same address share an
 * entry, and a reply could leave with the other network's guest's MAC
 * @n:		network
 * @f:		Ethernet frame from the services host
 * @len:	its length
 * @mac:	set to the destination MAC it must have, when it returns 1
 *
 * An IPv6 unicast packet goes to the MAC of the VM of this network that
 * owns its destination (own6.c); to an address no VM owns, nowhere
 * (counted), unless it is one of the network's own hosts' (interface
 * ids 0 to OWN6_HOST_MAX), which lwIP may address as it likes.
 *
 * Return: 0 to send the frame as it is, 1 to send it to @mac instead,
 * -1 to drop it
 */
int net_svc_dst6(struct net *n, const uint8_t *f, size_t len, uint8_t mac[6])
{
	const struct frame_ip6 *ip = frame_ip6(f, len);
	struct in6_addr d;

	if (!ip || ip->dst[0] == 0xff) /* not IPv6, or multicast */
		return 0;
	memcpy(&d, ip->dst, sizeof(d));
	if (!own6_lookup(n->owners6, &d, mac, NULL))
		return memcmp(mac, frame_eth(f, len)->dst, 6) ? 1 : 0;
	if (!own6_claimable(n->owners6, &d) &&
	    (!memcmp(d.s6_addr, n->cfg.prefix6.s6_addr, 8) ||
	     IN6_IS_ADDR_LINKLOCAL(&d)))
		return 0;
	n->stats.drop_svc6_unowned++;
	return -1;
}

/**
 * net_guest_refused() - must a frame from a VM be dropped before the
 * switch? Counts why
 * @vm:		the VM it comes from
 * @frame:	Ethernet frame
 * @len:	its length
 * @now:	loop time, ms
 *
 * Return: nonzero to drop it
 */
int net_guest_refused(struct net_vm *vm, const uint8_t *frame, size_t len,
		      int64_t now)
{
	struct l2g_info info;

	if (net_l2_refused(vm->n, l2g_check(&vm->n->own6, frame, len, &info)))
		return 1;
	if (net_spoofed6(vm, frame, &info, now))
		return 1;
	if (net_spoofed(vm, frame, len, now)) {
		vm->n->stats.drop_spoof++;
		return 1;
	}
	return 0;
}
