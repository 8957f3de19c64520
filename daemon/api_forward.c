/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_forward.c - the control API's port forwards: POST
 * /services/forwarder/expose and /unexpose, GET /services/forwarder/all.
 *
 * tcp and udp forwards are libslirp host forwards of the network's
 * gateway, IPv4 to IPv4 or IPv6 to IPv6 ("[::1]:2222" to "[ADDR]:22",
 * the network the one whose /64 holds ADDR); unix forwards are relays of
 * packet/fwd_unix.h from the same network's services host. Either ends with its
 * network (the server's net hooks, api_fwds_net_removing()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "daemon/api_int.h"
#include "daemon/server.h"
#include "lan/network.h"
#include "packet/fwd_unix.h"

/**
 * struct api_fwd - a forward added through the API
 * @req:	what was asked
 * @net:	network whose gateway holds it (tcp, udp) or whose services
 *		host relays it (unix)
 * @fwdu:	the relay of a unix forward, else NULL
 * @next:	list link
 */
struct api_fwd {
	struct api_fwd_req req;
	struct net *net;
	struct fwdu *fwdu;
	struct api_fwd *next;
};

static const char *const api_proto_names[] = {"tcp", "udp", "unix"};

/**
 * api_fwd_find() - the forward of a protocol and local address
 * @a:		API
 * @proto:	protocol
 * @local:	"local" as given
 *
 * Return: the link pointing to it (for api_fwd_drop()), or NULL
 */
static struct api_fwd **api_fwd_find(struct api *a, enum api_proto proto,
				     const char *local)
{
	struct api_fwd **pp;

	for (pp = &a->fwds; *pp; pp = &(*pp)->next)
		if ((*pp)->req.proto == proto &&
		    !strcmp((*pp)->req.local, local))
			return pp;
	return NULL;
}

/**
 * struct api_net_find - srv_foreach_net() search for an address
 * @ip:		address, if @ip6 is NULL
 * @ip6:	IPv6 address, or NULL
 * @net:	first network holding it, or NULL
 */
struct api_net_find {
	struct in_addr ip;
	const struct in6_addr *ip6;
	struct net *net;
};

/**
 * api_net_find_cb() - srv_foreach_net() callback of api_net_of()
 * @arg:	struct api_net_find
 * @n:		a network
 */
static void api_net_find_cb(void *arg, struct net *n)
{
	struct api_net_find *f = arg;

	if (!f->net &&
	    (f->ip6 ? net_holds_addr6(n, f->ip6) : net_holds_addr(n, f->ip)))
		f->net = n;
}

/**
 * api_net_of() - the network of a guest address
 * @a:		API
 * @ip:		the address
 *
 * Return: the oldest network whose subnet holds @ip, or NULL
 */
struct net *api_net_of(struct api *a, struct in_addr ip)
{
	struct api_net_find f = {.ip = ip};

	srv_foreach_net(a->srv, api_net_find_cb, &f);
	return f.net;
}

/**
 * api_net_of_fwd() - the network of a forward's guest address
 * @a:		API
 * @g:		the address, IPv4 (the subnet holds it) or IPv6 (the
 *		network's /64 does)
 *
 * Return: the oldest network holding @g, or NULL
 */
static struct net *api_net_of_fwd(struct api *a, const struct gw_addr *g)
{
	struct api_net_find f = {.ip = g->v4};

	if (g->family == AF_INET6)
		f.ip6 = &g->v6;
	srv_foreach_net(a->srv, api_net_find_cb, &f);
	return f.net;
}

/**
 * api_expose() - POST /services/forwarder/expose
 * @a:		API
 * @r:		the request: its body is parsed by api_parse_expose()
 * @c:		its connection
 *
 * Exposing the same local address again with the same remote is a no-op
 * (200); with another remote it is refused (409).
 *
 * Return: as api_reply()
 */
enum MHD_Result api_expose(struct api *a, struct api_req *r,
			   struct MHD_Connection *c)
{
	struct net_forward nf = {0};
	struct api_fwd_req req;
	struct api_fwd **pp, *f;
	struct fwdu *fu = NULL;
	struct net *n;
	char err[256];

	if (api_parse_expose(r->body, r->len, &req, err, sizeof(err)))
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	pp = api_fwd_find(a, req.proto, req.local);
	if (pp && !strcmp((*pp)->req.remote, req.remote))
		return api_reply(c, MHD_HTTP_OK, NULL);
	if (pp)
		return api_error(
		    c, MHD_HTTP_CONFLICT, "%s %s is already forwarded to %s",
		    api_proto_names[req.proto], req.local, (*pp)->req.remote);
	n = api_net_of_fwd(a, &req.gaddr);
	if (!n)
		return api_error(c, MHD_HTTP_BAD_REQUEST,
				 "remote %s is in no network", req.remote);
	if (req.proto == API_UNIX) {
		fu = fwdu_listen(a->l, net_svc_netif(n), req.gaddr.v4,
				 req.gport, req.local);
		if (!fu)
			return api_error(c, MHD_HTTP_CONFLICT,
					 "cannot listen on unix %s: %s",
					 req.local, strerror(errno));
		goto add;
	}
	nf.udp = req.proto == API_UDP;
	nf.haddr = req.haddr;
	nf.hport = req.hport;
	nf.gaddr = req.gaddr;
	nf.gport = req.gport;
	if (net_forward_add(n, &nf))
		return api_error(
		    c, MHD_HTTP_CONFLICT, "cannot listen on %s %s: %s",
		    api_proto_names[req.proto], req.local, strerror(errno));
add:
	f = xcalloc(1, sizeof(*f));
	f->req = req;
	f->net = n;
	f->fwdu = fu;
	f->next = a->fwds;
	a->fwds = f;
	log_info("api: forward %s %s -> %s", api_proto_names[req.proto],
		 req.local, req.remote);
	return api_reply(c, MHD_HTTP_OK, NULL);
}

/**
 * api_fwd_drop() - remove a forward from the list and its network; a unix
 * forward closes its socket and connections
 * @pp:		the link pointing to it (api_fwd_find())
 */
static void api_fwd_drop(struct api_fwd **pp)
{
	struct api_fwd *f = *pp;

	*pp = f->next;
	if (f->fwdu)
		fwdu_close(f->fwdu);
	else if (f->net)
		net_forward_remove(f->net, f->req.proto == API_UDP,
				   &f->req.haddr, f->req.hport);
	free(f);
}

/**
 * api_unexpose() - POST /services/forwarder/unexpose
 * @a:		API
 * @r:		the request: its body is parsed by api_parse_unexpose()
 * @c:		its connection
 *
 * Return: as api_reply()
 */
enum MHD_Result api_unexpose(struct api *a, struct api_req *r,
			     struct MHD_Connection *c)
{
	struct api_fwd_req req;
	struct api_fwd **pp;
	char err[256];

	if (api_parse_unexpose(r->body, r->len, &req, err, sizeof(err)))
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	pp = api_fwd_find(a, req.proto, req.local);
	if (!pp)
		return api_error(c, MHD_HTTP_NOT_FOUND, "no %s forward on %s",
				 api_proto_names[req.proto], req.local);
	log_info("api: forward %s %s removed", api_proto_names[req.proto],
		 req.local);
	api_fwd_drop(pp);
	return api_reply(c, MHD_HTTP_OK, NULL);
}

/**
 * api_forwards() - GET /services/forwarder/all
 * @a:		API
 * @r:		the request (no body)
 * @c:		its connection
 *
 * Return: as api_reply()
 */
enum MHD_Result api_forwards(struct api *a, struct api_req *r,
			     struct MHD_Connection *c)
{
	json_t *j = json_array();
	struct api_fwd *f;

	(void)r;
	for (f = a->fwds; f; f = f->next)
		json_array_append_new(
		    j, json_pack("{s:s,s:s,s:s}", "local", f->req.local,
				 "remote", f->req.remote, "protocol",
				 api_proto_names[f->req.proto]));
	return api_reply(c, MHD_HTTP_OK, j);
}

/**
 * api_fwds_net_removing() - a network goes away with the forwards its
 * gateway held and the unix forwards its services host relays (closed
 * with their connections, socket files removed)
 * @a:		API
 * @n:		the network
 */
void api_fwds_net_removing(struct api *a, struct net *n)
{
	struct api_fwd **pp = &a->fwds;

	while (*pp) {
		if ((*pp)->net == n) {
			log_info("api: forward %s %s ended with %s",
				 api_proto_names[(*pp)->req.proto],
				 (*pp)->req.local, net_name(n));
			(*pp)->net = NULL;
			api_fwd_drop(pp);
		} else {
			pp = &(*pp)->next;
		}
	}
}

/**
 * api_fwds_free() - the API stops: unix forwards close here (their socket
 * files removed); the others end with their networks
 * @a:		API
 */
void api_fwds_free(struct api *a)
{
	struct api_fwd *f;

	while ((f = a->fwds)) {
		a->fwds = f->next;
		fwdu_close(f->fwdu);
		free(f);
	}
}
