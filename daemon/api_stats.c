/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_stats.c - the control API's counters and MAC table: GET /stats (every
 * network's switch, services host, DHCP server, ports and guards, the DNS
 * service and the host resolver) and GET /cam (the switches' learned
 * MACs). Read only.
 */
#include <stdio.h>

#include "base/xalloc.h"
#include "daemon/api_int.h"
#include "daemon/server.h"
#include "lan/network.h"
#include "packet/dhcp.h"
#include "packet/port.h"
#include "packet/svchost.h"
#include "packet/switch.h"
#include "services/dns/service.h"
#include "services/hostresolver/hostresolver.h"

/**
 * api_port_stats() - net_foreach_port() callback: one port's counters
 * @arg:	the JSON array of the network's ports
 * @name:	the port's name
 * @st:		its counters
 */
static void api_port_stats(void *arg, const char *name,
			   const struct port_stats *st)
{
	json_array_append_new(
	    arg, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "name",
			   name, "rx_frames", (json_int_t)st->rx_frames,
			   "rx_bytes", (json_int_t)st->rx_bytes, "tx_frames",
			   (json_int_t)st->tx_frames, "tx_bytes",
			   (json_int_t)st->tx_bytes, "tx_drop_full",
			   (json_int_t)st->tx_drop_full, "tx_drop_group",
			   (json_int_t)st->tx_drop_group, "rx_bad_len",
			   (json_int_t)st->rx_bad_len, "rx_truncated",
			   (json_int_t)st->rx_truncated, "tx_deferred",
			   (json_int_t)st->tx_deferred));
}

/**
 * api_dhcp_stats() - counters of a DHCP server
 * @d:		the server
 *
 * Return: a new JSON object
 */
static json_t *api_dhcp_stats(struct dhcp *d)
{
	struct dhcp_stats st;

	dhcp_get_stats(d, &st);
	return json_pack(
	    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "rx",
	    (json_int_t)st.rx, "dropped",
	    (json_int_t)(st.drop_size + st.drop_header + st.drop_cookie +
			 st.drop_options + st.drop_type + st.drop_relay +
			 st.drop_other_server + st.drop_reply_space +
			 st.drop_nomem),
	    "offers", (json_int_t)st.offers, "acks", (json_int_t)st.acks,
	    "naks", (json_int_t)st.naks, "releases", (json_int_t)st.releases,
	    "declines", (json_int_t)st.declines, "informs",
	    (json_int_t)st.informs, "pool_exhausted",
	    (json_int_t)st.pool_exhausted, "port_limit",
	    (json_int_t)st.port_limit, "drop_chaddr",
	    (json_int_t)st.drop_chaddr, "drop_not_owner",
	    (json_int_t)st.drop_not_owner, "name_taken",
	    (json_int_t)st.name_taken);
}

/**
 * api_net_guards6() - add a network's counters of refused IPv6 addresses
 * (own6.c, l2guard.c) to its object
 * @o:		the network's object
 * @st:		its counters
 */
static void api_net_guards6(json_t *o, const struct net_stats *st)
{
	json_object_set_new(o, "drop_src6",
			    json_integer((json_int_t)st->drop_src6));
	json_object_set_new(o, "drop_spoof6",
			    json_integer((json_int_t)st->drop_spoof6));
	json_object_set_new(o, "drop_dad6",
			    json_integer((json_int_t)st->drop_dad6));
	json_object_set_new(o, "drop_own6_full",
			    json_integer((json_int_t)st->drop_own6_full));
	json_object_set_new(o, "drop_nd_lladdr",
			    json_integer((json_int_t)st->drop_nd_lladdr));
	json_object_set_new(o, "drop_martian6",
			    json_integer((json_int_t)st->drop_martian6));
	json_object_set_new(o, "drop_svc6_unowned",
			    json_integer((json_int_t)st->drop_svc6_unowned));
}

/**
 * api_net_guards() - add a network's counters of refused guest frames
 * (l2guard.c, ipfrag.c and natcap.c) to its object
 * @o:		the network's object
 * @st:		its counters
 */
static void api_net_guards(json_t *o, const struct net_stats *st)
{
	json_object_set_new(o, "drop_vlan",
			    json_integer((json_int_t)st->drop_vlan));
	json_object_set_new(o, "drop_ra",
			    json_integer((json_int_t)st->drop_ra));
	json_object_set_new(o, "drop_redirect",
			    json_integer((json_int_t)st->drop_redirect));
	json_object_set_new(o, "drop_dhcpv6",
			    json_integer((json_int_t)st->drop_dhcpv6));
	json_object_set_new(o, "drop_na",
			    json_integer((json_int_t)st->drop_na));
	json_object_set_new(o, "drop_frag_share",
			    json_integer((json_int_t)st->drop_frag_share));
	json_object_set_new(o, "drop_nat_guest",
			    json_integer((json_int_t)st->drop_nat_guest));
	json_object_set_new(o, "drop_nat_net",
			    json_integer((json_int_t)st->drop_nat_net));
	json_object_set_new(o, "drop_ipv6_chain",
			    json_integer((json_int_t)st->drop_ipv6_chain));
	api_net_guards6(o, st);
}

/**
 * api_ping6_stats() - a network's counters of guests' ICMPv6 echo to the
 * outside (packet/ping6.c)
 * @st:		the counters
 *
 * Return: a new JSON object
 */
static json_t *api_ping6_stats(const struct ping6_stats *st)
{
	return json_pack(
	    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "sent", (json_int_t)st->sent,
	    "replies", (json_int_t)st->replies, "unreach",
	    (json_int_t)st->unreach, "timeouts", (json_int_t)st->timeouts,
	    "drop_guest", (json_int_t)st->drop_guest, "drop_net",
	    (json_int_t)st->drop_net, "refused", (json_int_t)st->refused, "bad",
	    (json_int_t)st->bad);
}

/**
 * api_net_stats() - srv_foreach_net() callback: one network's counters
 * @arg:	the JSON array of networks
 * @n:		the network
 */
static void api_net_stats(void *arg, struct net *n)
{
	const struct sw_stats *sw = net_sw_stats(n);
	json_t *ports = json_array();
	struct svc_stats sv;

	net_svc_stats(n, &sv);
	net_foreach_port(n, api_port_stats, ports);
	json_array_append_new(
	    arg,
	    json_pack(
		"{s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
		"s:{s:I,s:I,s:I,s:I,s:I},"
		"s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:o}",
		"name", net_name(n), "nat_connections", net_nat_connections(n),
		"drop_spoof", (json_int_t)net_stats(n)->drop_spoof,
		"tcp_urg_cleared", (json_int_t)net_stats(n)->tcp_urg_cleared,
		"drop_tcp_frag", (json_int_t)net_stats(n)->drop_tcp_frag,
		"drop_martian", (json_int_t)net_stats(n)->drop_martian,
		"drop_frag", (json_int_t)net_stats(n)->drop_frag,
		"drop_departed", (json_int_t)net_stats(n)->drop_departed,
		"reset_departed", (json_int_t)net_stats(n)->reset_departed,
		"leases_skipped", (json_int_t)net_stats(n)->leases_skipped,
		"switch", "frames", (json_int_t)sw->frames, "flooded",
		(json_int_t)sw->flooded, "drop_runt", (json_int_t)sw->drop_runt,
		"drop_bad_src", (json_int_t)sw->drop_bad_src, "drop_spoof",
		(json_int_t)sw->drop_spoof, "services", "rx_frames",
		(json_int_t)sv.rx_frames, "rx_dropped",
		(json_int_t)sv.rx_dropped, "rx_syn_dropped",
		(json_int_t)sv.rx_syn_dropped, "rx_dhcp",
		(json_int_t)sv.rx_dhcp, "tx_frames", (json_int_t)sv.tx_frames,
		"tx_dropped", (json_int_t)sv.tx_dropped, "tx_dhcp",
		(json_int_t)sv.tx_dhcp, "dhcp", api_dhcp_stats(net_dhcp(n)),
		"ports", ports));
	api_net_guards(json_array_get(arg, json_array_size(arg) - 1),
		       net_stats(n));
	json_object_set_new(json_array_get(arg, json_array_size(arg) - 1),
			    "ping6", api_ping6_stats(&net_stats(n)->ping6));
}

/**
 * api_dns_stats() - counters of the DNS service
 * @d:		the service, or NULL
 *
 * Return: a new JSON object, or JSON null without a service
 */
static json_t *api_dns_stats(struct dnsd *d)
{
	const struct dnsd_stats *st;

	if (!d)
		return json_null();
	st = dnsd_stats(d);
	return json_pack(
	    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "queries",
	    (json_int_t)st->queries, "local", (json_int_t)st->local, "native",
	    (json_int_t)st->native, "forwarded", (json_int_t)st->forwarded,
	    "servfail", (json_int_t)st->servfail, "formerr",
	    (json_int_t)st->formerr, "dropped", (json_int_t)st->dropped,
	    "truncated", (json_int_t)st->truncated, "tcp_conns",
	    (json_int_t)st->tcp_conns, "tcp_refused",
	    (json_int_t)st->tcp_refused, "tcp_deadline",
	    (json_int_t)st->tcp_deadline, "tcp_idle", (json_int_t)st->tcp_idle);
}

/**
 * api_resolver_stats() - counters of the host resolver: cache hits,
 * upstream failures
 * @h:		the resolver, or NULL
 *
 * Return: a new JSON object, or JSON null without a resolver
 */
static json_t *api_resolver_stats(struct hr *h)
{
	struct hr_stats st;

	if (!h)
		return json_null();
	hr_get_stats(h, &st);
	return json_pack(
	    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "lookups", (json_int_t)st.lookups,
	    "cache_hits", (json_int_t)st.cache_hits, "forwards",
	    (json_int_t)st.forwards, "refused", (json_int_t)st.refused,
	    "refused_client", (json_int_t)st.refused_client, "refused_net",
	    (json_int_t)st.refused_net, "failures", (json_int_t)st.failures);
}

/**
 * api_stats() - GET /stats
 * @a:		API
 * @r:		the request (no body)
 * @c:		its connection
 *
 * Return: as api_reply()
 */
enum MHD_Result api_stats(struct api *a, struct api_req *r,
			  struct MHD_Connection *c)
{
	json_t *nets = json_array();

	(void)r;
	srv_foreach_net(a->srv, api_net_stats, nets);
	return api_reply(c, MHD_HTTP_OK,
			 json_pack("{s:o,s:o,s:o,s:{s:I}}", "networks", nets,
				   "dns", api_dns_stats(srv_dnsd(a->srv)),
				   "resolver",
				   api_resolver_stats(srv_hr(a->srv)), "memory",
				   "heap_in_use", (json_int_t)xalloc_in_use()));
}

/**
 * api_cam_entry() - net_foreach_cam() callback: one learned MAC
 * @arg:	the JSON object {"MAC":"port"}
 * @mac:	the MAC
 * @port:	name of the port it was learned on
 * @is_static:	a static entry (shown alike)
 */
static void api_cam_entry(void *arg, const uint8_t mac[6], const char *port,
			  int is_static)
{
	char m[18];

	(void)is_static;
	snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	json_object_set_new(arg, m, json_string(port));
}

/**
 * api_cam_net() - srv_foreach_net() callback: one network's MAC table
 * @arg:	the JSON object {"MAC":"port"}
 * @n:		the network
 */
static void api_cam_net(void *arg, struct net *n)
{
	net_foreach_cam(n, api_cam_entry, arg);
}

/**
 * api_cam() - GET /cam: {"MAC":"port name"}
 * @a:		API
 * @r:		the request (no body)
 * @c:		its connection
 *
 * Return: as api_reply()
 */
enum MHD_Result api_cam(struct api *a, struct api_req *r,
			struct MHD_Connection *c)
{
	json_t *j = json_object();

	(void)r;
	srv_foreach_net(a->srv, api_cam_net, j);
	return api_reply(c, MHD_HTTP_OK, j);
}
