/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * network.h - one virtual LAN: a switch whose ports are the VMs, the
 * gateway at .2 (libslirp) and the services host at .3 (lwIP, DHCP).
 */
#ifndef USERNETD_NETWORK_H
#define USERNETD_NETWORK_H

#include <netinet/in.h>
#include <stdint.h>

#include "packet/gateway.h"
#include "packet/ping6.h"
#include "packet/port.h"

struct loop;
struct net;
struct dnsd;
struct dhcp_static_lease;

/**
 * struct cfg_host - a static name (lima.yaml hostResolver.hosts entry,
 * read by daemon/limayaml.c), checked: @name is a valid
 * DNS name and @value an IPv4/IPv6 address or a valid DNS name
 * @name:	the name, as written
 * @value:	an IP address or another name, as written
 * @line:	where the entry is in the file (1-based), for messages
 * @column:	same, column (1-based)
 */
struct cfg_host {
	char *name;
	char *value;
	unsigned long line;
	unsigned long column;
};

/**
 * struct net_forward - a host-to-guest port forward
 * @udp:	1 for UDP, 0 for TCP
 * @haddr:	host address to listen on, IPv4 or IPv6 ([::]: both
 *		families for TCP, IPv6 only for UDP)
 * @hport:	host port
 * @gaddr:	guest address, IPv4 or IPv6 (the gateway relays between
 *		families); 0.0.0.0 for the first guest (.15), :: for the
 *		first IPv6 address libslirp learned
 * @gport:	guest port
 */
struct net_forward {
	int udp;
	struct gw_addr haddr;
	uint16_t hport;
	struct gw_addr gaddr;
	uint16_t gport;
};

/**
 * struct net_config - addresses and policy of a network
 * @subnet:		network address
 * @prefix:		prefix length, 8 to 27
 * @mtu:		MTU, 68 to 65520
 * @no_host_loopback:	guests cannot reach the host's loopback via .2
 * @dnsd:		DNS service answering at .3 and .2, NULL for none
 * @hosts:		static names (lima.yaml hostResolver.hosts)
 * @nhosts:		how many
 * @user_v2:		a shared user-v2 network: DHCP pool from .4; else
 *			Lima's slirp network, one VM, pool from .15
 * @dhcp_end:		last DHCP address (networks.yaml dhcpEnd); 0.0.0.0
 *			for the last address before broadcast
 * @statics:		static leases (--leases)
 * @nstatics:		how many
 * @statics_skipped:	static leases given that the network cannot honour
 *			(options.c skipped them; counted in leases_skipped)
 * @leases_file:	lease file, restored at start and kept current
 * @search:		DHCP domain search list, or NULL
 * @ip6:		IPv6 is served (router advertisements, NAT, DNS at ::3);
 *			0 with --no-ipv6
 * @prefix6:		the /64 of IPv6 guests: fec0:: on slirp networks, a
 *			unique-local prefix derived from the name on user-v2
 *			(cfg_ula_prefix()), or --ipv6-prefix; host bits zero
 */
struct net_config {
	struct in_addr subnet;
	int prefix;
	int mtu;
	int no_host_loopback;
	struct dnsd *dnsd;
	const struct cfg_host *hosts;
	size_t nhosts;
	int user_v2;
	struct in_addr dhcp_end;
	const struct dhcp_static_lease *statics;
	size_t nstatics;
	size_t statics_skipped;
	const char *leases_file;
	const char *search;
	int ip6;
	struct in6_addr prefix6;
};

/**
 * struct net_stats - counters of a network, besides its parts'
 * @drop_spoof:	frames from a VM using an address leased to another
 *		port's MAC, or the gateway's or services host's (IPv4
 *		or IPv6)
 * @tcp_urg_cleared:	TCP segments to the gateway whose URG flag and
 *			urgent pointer were cleared (CVE-2026-9539)
 * @drop_tcp_frag:	IPv4 fragments to the gateway that could rewrite a
 *			TCP header (offset 8 or 16, or a first fragment too
 *			short for one)
 * @drop_martian:	IPv4 packets to the gateway for 0.0.0.0/8 or
 *			127.0.0.0/8 (the host's loopback, bypassing .2)
 * @drop_frag:		IPv4 fragments to the gateway that could reach
 *			libslirp's reassembly with no queue for them (a last
 *			fragment alone, first or again: ipfrag.c), or that it
 *			would reject anyway
 * @drop_frag_share:	IPv4 first fragments of new datagrams to the
 *			gateway from a VM holding its share of the
 *			network's fragment table (IPFRAG_SHARE)
 * @drop_nat_guest:	TCP SYNs and UDP datagrams to the gateway that would
 *			open a NAT socket for a VM holding its share
 *			(natcap.c)
 * @drop_nat_net:	the same, over the network's cap
 * @drop_departed:	frames for a MAC whose VM left the network, dropped
 *			instead of flooded to the other VMs (reap.c)
 * @reset_departed:	TCP resets sent to the gateway in the name of VMs
 *			that left, closing their NAT connections
 * @drop_vlan:		frames from VMs with an 802.1Q, 802.1ad or 0x9100
 *			tag (l2guard.c)
 * @drop_ra:		IPv6 router advertisements from VMs
 * @drop_redirect:	ICMPv6 redirects from VMs
 * @drop_dhcpv6:	UDP from port 547 to 546 (DHCPv6 server messages)
 *			from VMs
 * @drop_na:		neighbour advertisements from VMs for the gateway's
 *			or the services host's IPv6 addresses, or for an
 *			address the VM may not claim (another VM's: own6.c)
 * @drop_ipv6_chain:	IPv6 packets from VMs whose header chain ends
 *			beyond the frame (first fragments without the
 *			upper-layer header, truncated packets)
 * @drop_src6:		IPv6 packets from VMs with a source no VM may hold:
 *			outside fe80::/64 and the network's prefix, the
 *			network's own interface ids, multicast, or :: in
 *			anything but DAD and MLD reports
 * @drop_spoof6:	IPv6 packets from VMs with a source another VM owns
 * @drop_dad6:		duplicate address detection by VMs for an address
 *			another VM owns
 * @drop_own6_full:	IPv6 packets from VMs whose new address found the
 *			VM's or the network's share of the table full
 * @drop_nd_lladdr:	router and neighbour solicitations and neighbour
 *			advertisements from VMs whose link-layer address
 *			option is not the frame's source MAC
 * @drop_martian6:	IPv6 TCP, UDP and echo requests to the gateway for
 *			::, ::1, ::ffff:0:0/96, ::/96, multicast,
 *			link-local or in-prefix addresses other than ::2
 * @drop_svc6_unowned:	IPv6 unicast frames from the services host to an
 *			address no VM of the network owns
 * @leases_skipped:	static leases (--leases, Lima's leases.json) skipped
 *			at start: the gateway's, .3, outside the subnet
 * @ping6:		guests' ICMPv6 echo requests to the outside, sent
 *			through host sockets (packet/ping6.c)
 */
struct net_stats {
	uint64_t drop_spoof;
	uint64_t tcp_urg_cleared;
	uint64_t drop_tcp_frag;
	uint64_t drop_martian;
	uint64_t drop_frag;
	uint64_t drop_frag_share;
	uint64_t drop_nat_guest;
	uint64_t drop_nat_net;
	uint64_t drop_departed;
	uint64_t reset_departed;
	uint64_t drop_vlan;
	uint64_t drop_ra;
	uint64_t drop_redirect;
	uint64_t drop_dhcpv6;
	uint64_t drop_na;
	uint64_t drop_ipv6_chain;
	uint64_t drop_src6;
	uint64_t drop_spoof6;
	uint64_t drop_dad6;
	uint64_t drop_own6_full;
	uint64_t drop_nd_lladdr;
	uint64_t drop_martian6;
	uint64_t drop_svc6_unowned;
	uint64_t leases_skipped;
	struct ping6_stats ping6;
};

/* The last VM port of @n closed. */
typedef void (*net_empty_fn)(void *arg, struct net *n);

struct net *net_new(struct loop *l, const struct net_config *cfg,
		    const char *name, net_empty_fn on_empty, void *arg);
void net_free(struct net *n);
void net_read_limits(void);
void net_attach(struct net *n, int fd, enum port_kind kind, const char *name);
int net_forward_add(struct net *n, const struct net_forward *f);
struct in_addr net_host_addr(const struct net_config *cfg, uint32_t host);
void net_host_addr6(const struct net_config *cfg, uint32_t host,
		    struct in6_addr *a);
struct dns_local *net_names_new(const struct net_config *cfg);
const char *net_name(const struct net *n);
struct cap;
void net_set_capture(struct net *n, struct cap *c, const char *port);
const struct net_stats *net_stats(const struct net *n);

/* Accessors for the control API (loop thread). */
struct svc_stats;
struct sw_stats;
struct port_stats;
struct netif;
struct dhcp;
struct dns_local;

/**
 * net_port_fn - callback of net_foreach_port()
 * @arg:	its argument
 * @name:	port name
 * @st:		its counters
 */
typedef void (*net_port_fn)(void *arg, const char *name,
			    const struct port_stats *st);
/**
 * net_cam_fn - callback of net_foreach_cam()
 * @arg:	its argument
 * @mac:	a MAC address the switch knows
 * @port:	the name of the port it was learned on
 * @is_static:	the gateway's or the services host's own
 */
typedef void (*net_cam_fn)(void *arg, const uint8_t mac[6], const char *port,
			   int is_static);

int net_forward_remove(struct net *n, int udp, const struct gw_addr *haddr,
		       uint16_t hport);
/**
 * net_addr6_fn - callback of net_foreach_addr6()
 * @arg:	its argument
 * @a:		an IPv6 address a VM holds (own6.c)
 * @mac:	the MAC it is used from
 */
typedef void (*net_addr6_fn)(void *arg, const struct in6_addr *a,
			     const uint8_t mac[6]);

int net_holds_addr(const struct net *n, struct in_addr a);
int net_holds_addr6(const struct net *n, const struct in6_addr *a);
struct dhcp *net_dhcp(struct net *n);
struct dns_local *net_names(struct net *n);
struct netif *net_svc_netif(struct net *n);
void net_foreach_port(struct net *n, net_port_fn fn, void *arg);
void net_foreach_cam(struct net *n, net_cam_fn fn, void *arg);
void net_foreach_addr6(struct net *n, net_addr6_fn fn, void *arg);
const struct sw_stats *net_sw_stats(const struct net *n);
void net_svc_stats(const struct net *n, struct svc_stats *st);
int net_nat_connections(struct net *n);

#endif /* USERNETD_NETWORK_H */
