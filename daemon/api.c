/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api.c - the control API server: the unix socket, libmicrohttpd driven by
 * our loop, routing, and the endpoints' state: forwards added through the
 * API, DNS zones (applied to every network's names, to networks created
 * later and to the host-port names), and wait_port probes.
 *
 * libmicrohttpd runs without threads: a loop hook adds its epoll
 * descriptor to our poll(2) and runs it (MHD_run()), so handlers run on
 * the loop thread and touch daemon state directly. Where libmicrohttpd
 * has no epoll, its descriptors come from MHD_get_fdset2() and go back
 * through MHD_run_from_select(); that interface refuses descriptors past
 * FD_SETSIZE (1024), which a daemon holding thousands of NAT sockets
 * has, hence epoll first; without it the daemon accepts connections
 * itself and hands them over below FD_SETSIZE (daemon/api_accept.c).
 *
 * wait_port suspends its HTTP connection (MHD_suspend_connection()) and
 * probes the guest with an lwIP TCP connect from the services host (.3)
 * of the network whose subnet holds the address, bound to that network's
 * netif. lwIP calls back with the core lock held, on the loop thread or on
 * its tcpip thread: the callbacks only record the outcome under the lock
 * and wake the loop (loop_async_notify()), which answers or retries.
 *
 * tcp and udp forwards are libslirp host forwards of the network's
 * gateway; unix forwards are relays of packet/fwd_unix.h from the same
 * services host. Either ends with its network (the server's net hooks).
 *
 * Zones survive restarts in the server's state file (srv_state(), a
 * user-v2 network with a lease file): saved as GET /services/dns/all shows
 * them after every change, read back through api_parse_zone() at start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#include "daemon/api.h"
#include "daemon/api_accept.h"
#include "services/hostresolver/hostresolver.h"
#include "services/pcap/capture.h"
#include "packet/peercred.h"
#include "base/log.h"
#include "daemon/server.h"
#include "services/dns/dns.h"
#include "services/dns/service.h"
#include "packet/fwd_unix.h"
#include "base/loop.h"
#include "lan/network.h"
#include "packet/port.h"
#include "packet/svchost.h"
#include "packet/dhcp.h"
#include "lan/state.h"
#include "packet/switch.h"

#define API_CONN_MAX   64   /* concurrent HTTP connections */
#define API_IDLE_S     30   /* idle HTTP connections are closed */
#define API_RETRY_MS   500  /* wait_port: pause after a refused connect */
#define API_ATTEMPT_MS 2000 /* wait_port: one connect attempt at most */
#define API_ZONES_MAX  256

/* Out of descriptors: the listening socket is not polled this long. */
#define API_LISTEN_PAUSE_MS 250

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

/* Probe states of a wait_port request (struct api_wait.state). */
enum api_wait_state {
	API_WAIT_IDLE,	     /* between attempts */
	API_WAIT_CONNECTING, /* pcb connecting */
	API_WAIT_OK,	     /* connected: answer 200 */
	API_WAIT_FAILED,     /* refused or aborted: retry */
};

/**
 * struct api_wait - a wait_port request in progress
 * @a:		API
 * @conn:	its (suspended) HTTP connection
 * @req:	what was asked
 * @deadline:	loop_now_ms() at which it answers 408
 * @attempt_end: end of the current connect attempt
 * @timer:	retries and the deadline
 * @pcb:	lwIP pcb of the attempt, or NULL (core lock)
 * @state:	enum api_wait_state (core lock)
 * @status:	HTTP status to answer, 0 while waiting
 * @next:	list link
 */
struct api_wait {
	struct api *a;
	struct MHD_Connection *conn;
	struct api_wait_req req;
	int64_t deadline;
	int64_t attempt_end;
	struct loop_timer *timer;
	struct tcp_pcb *pcb;
	enum api_wait_state state;
	int status;
	struct api_wait *next;
};

/**
 * struct api_req - one HTTP request
 * @body:	request body so far
 * @len:	its length
 * @too_big:	the body passed API_BODY_MAX: answer 413
 * @wait:	wait_port in progress, or NULL
 */
struct api_req {
	char *body;
	size_t len;
	int too_big;
	struct api_wait *wait;
};

/**
 * struct api - the control API
 * @l:		loop
 * @srv:	the daemon
 * @path:	socket path
 * @fd:		listening socket (owned by MHD once it runs)
 * @mhd:	libmicrohttpd daemon
 * @deadline:	when MHD wants to run again, or -1
 * @kick:	a connection was resumed: run MHD in this iteration
 * @nfds:	descriptors added by the last prepare()
 * @fds:	them
 * @idx:	their loop_hook_pollfd() indexes
 * @fwds:	forwards
 * @zones:	zones
 * @nzones:	how many
 * @waits:	wait_port requests
 * @async:	wakes the loop when an lwIP callback decided a probe
 * @listen_pause: out of descriptors: the listening socket is not polled
 *		until then (monotonic ms), 0 when not paused
 * @epfd:	libmicrohttpd's epoll descriptor, -1 in select mode
 * @epidx:	its poll slot in this iteration, -1 if not polled
 * @own_accept:	select mode: the daemon accepts connections and hands
 *		them over below FD_SETSIZE (daemon/api_accept.c)
 * @acc:	its reserve of low descriptors
 */
struct api {
	struct loop *l;
	struct srv *srv;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
	struct MHD_Daemon *mhd;
	int64_t deadline;
	int kick;
	int nfds;
	int fds[FD_SETSIZE];
	int idx[FD_SETSIZE];
	struct api_fwd *fwds;
	struct api_zone_req zones[API_ZONES_MAX];
	size_t nzones;
	struct api_wait *waits;
	struct loop_async *async;
	int64_t listen_pause;
	int epfd;
	int epidx;
	int own_accept;
	struct api_accept acc;
};

/* ---- responses ---------------------------------------------------------- */

/**
 * api_reply() - queue a response with a JSON body (or none)
 * @c:		connection
 * @status:	HTTP status
 * @j:		body, consumed; NULL for an empty body
 *
 * Return: MHD_YES, or MHD_NO to close the connection
 */
static enum MHD_Result api_reply(struct MHD_Connection *c, unsigned status,
				 json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	struct MHD_Response *r;
	enum MHD_Result ret;

	json_decref(j);
	if (j && !text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(text ? strlen(text) : 0, text,
					    MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	if (text)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					"application/json");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/**
 * api_error() - queue an error response {"error":"..."}
 * @c:		connection
 * @status:	HTTP status
 * @fmt:	message
 *
 * Return: as api_reply()
 */
static enum MHD_Result api_error(struct MHD_Connection *c, unsigned status,
				 const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("api: %u %s", status, msg);
	return api_reply(c, status, json_pack("{s:s}", "error", msg));
}

/* ---- leases -------------------------------------------------------------- */

/**
 * api_lease_add() - dhcp_foreach_lease() callback: every association of
 * a MAC with an address the server remembers (bound, lapsed, released,
 * offered, static)
 *
 * Lima saves this list as leases.json when it stops the network and
 * passes it back with --leases: a lease that lapsed while its VM was
 * stopped must be listed too, or the VM gets a new address next time
 * (gvisor-tap-vsock never forgets a MAC's address). The DHCP server gives
 * a MAC its remembered address again for as long as the pool has room.
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
 */
static void api_leases_net(void *arg, struct net *n)
{
	dhcp_foreach_lease(net_dhcp(n), api_lease_add, arg);
}

/**
 * api_get_leases() - GET /services/dhcp/leases, GET /leases
 */
static enum MHD_Result api_get_leases(struct api *a, struct api_req *r,
				      struct MHD_Connection *c)
{
	json_t *j = json_object();

	(void)r;
	srv_foreach_net(a->srv, api_leases_net, j);
	return api_reply(c, MHD_HTTP_OK, j);
}

/* ---- forwards ------------------------------------------------------------ */

static const char *const api_proto_names[] = {"tcp", "udp", "unix"};

/**
 * api_fwd_find() - the forward of a protocol and local address
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
 * @ip:		address
 * @net:	first network holding it, or NULL
 */
struct api_net_find {
	struct in_addr ip;
	struct net *net;
};

/**
 * api_net_find_cb() - srv_foreach_net() callback of api_net_of()
 */
static void api_net_find_cb(void *arg, struct net *n)
{
	struct api_net_find *f = arg;

	if (!f->net && net_holds_addr(n, f->ip))
		f->net = n;
}

/**
 * api_net_of() - the oldest network whose subnet holds @ip, or NULL
 */
static struct net *api_net_of(struct api *a, struct in_addr ip)
{
	struct api_net_find f = {.ip = ip};

	srv_foreach_net(a->srv, api_net_find_cb, &f);
	return f.net;
}

/**
 * api_expose() - POST /services/forwarder/expose
 *
 * Exposing the same local address again with the same remote is a no-op
 * (200); with another remote it is refused (409).
 */
static enum MHD_Result api_expose(struct api *a, struct api_req *r,
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
	n = api_net_of(a, req.gaddr);
	if (!n)
		return api_error(c, MHD_HTTP_BAD_REQUEST,
				 "remote %s is in no network", req.remote);
	if (req.proto == API_UNIX) {
		fu = fwdu_listen(a->l, net_svc_netif(n), req.gaddr, req.gport,
				 req.local);
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
		return api_error(c, MHD_HTTP_CONFLICT, "cannot listen on %s %s",
				 api_proto_names[req.proto], req.local);
add:
	f = calloc(1, sizeof(*f));
	if (!f)
		fatal("calloc");
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
 */
static void api_fwd_drop(struct api_fwd **pp)
{
	struct api_fwd *f = *pp;

	*pp = f->next;
	if (f->fwdu)
		fwdu_close(f->fwdu);
	else if (f->net)
		net_forward_remove(f->net, f->req.proto == API_UDP,
				   f->req.haddr, f->req.hport);
	free(f);
}

/**
 * api_unexpose() - POST /services/forwarder/unexpose
 */
static enum MHD_Result api_unexpose(struct api *a, struct api_req *r,
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
 */
static enum MHD_Result api_forwards(struct api *a, struct api_req *r,
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

/* ---- DNS zones ----------------------------------------------------------- */

/**
 * api_zones_net() - srv_foreach_net() callback: apply one zone
 */
static void api_zones_net(void *arg, struct net *n)
{
	api_zone_apply(arg, net_names(n));
}

/**
 * api_record_same() - do two records stand for the same thing (same
 * name, same Regexp or none)? A later one replaces an earlier one.
 */
static int api_record_same(const struct api_record *a,
			   const struct api_record *b)
{
	return !strcasecmp(a->name, b->name) && a->has_re == b->has_re &&
	       (!a->has_re || !strcmp(a->regexp, b->regexp));
}

/**
 * api_zone_regexps() - how many Regexp records a zone holds
 */
static size_t api_zone_regexps(const struct api_zone_req *z)
{
	size_t i, n = 0;

	for (i = 0; i < z->nrec; i++)
		n += z->rec[i].has_re;
	return n;
}

/**
 * api_zone_merge() - merge a request into a zone: same names (and
 * Regexps) replaced, new ones appended; DefaultIP is the request's
 *
 * Return: 0, or -1 if the zone would hold too many records (or Regexp
 * records); it is then left as it was
 */
static int api_zone_merge(struct api_zone_req *z,
			  const struct api_zone_req *req)
{
	struct api_zone_req m = *z;
	size_t i, j;

	m.rec = malloc((z->nrec + req->nrec + 1) * sizeof(*m.rec));
	if (!m.rec)
		return -1;
	if (z->nrec)
		memcpy(m.rec, z->rec, z->nrec * sizeof(*m.rec));
	for (i = 0; i < req->nrec; i++) {
		for (j = 0; j < m.nrec; j++)
			if (api_record_same(&m.rec[j], &req->rec[i]))
				break;
		if (j == m.nrec)
			m.nrec++;
		m.rec[j] = req->rec[i];
	}
	if (m.nrec > API_RECORDS_MAX * 4 ||
	    api_zone_regexps(&m) > DNS_LOCAL_REGEXPS_MAX) {
		free(m.rec);
		return -1;
	}
	m.def = req->def;
	/* Go appends the old records to the request's: nil only if both */
	m.nil_records = z->nil_records && req->nil_records;
	free(z->rec);
	*z = m;
	return 0;
}

/**
 * api_zone_get() - the zone of a name, created if new
 *
 * Return: the zone, or NULL if there are too many
 */
static struct api_zone_req *api_zone_get(struct api *a, const char *name)
{
	struct api_zone_req *z;
	size_t i;

	for (i = 0; i < a->nzones; i++)
		if (!strcasecmp(a->zones[i].name, name))
			return &a->zones[i];
	if (a->nzones == API_ZONES_MAX)
		return NULL;
	z = &a->zones[a->nzones++];
	memset(z, 0, sizeof(*z));
	z->nil_records = 1; /* until a request gives it records */
	snprintf(z->name, sizeof(z->name), "%s", name);
	return z;
}

/**
 * api_zones_json() - the zones as GET /services/dns/all shows them (and
 * the state file keeps them)
 * @a:		API
 *
 * Return: a new JSON array
 */
static json_t *api_zones_json(const struct api *a)
{
	json_t *j = json_array();
	size_t i;

	for (i = 0; i < a->nzones; i++)
		json_array_append_new(j, api_zone_json(&a->zones[i]));
	return j;
}

/**
 * api_zone_add() - merge a parsed zone request into the zones and apply
 * the zone to every network and to the host-port names
 * @a:		API
 * @req:	the request
 *
 * Return: the zone, or NULL if there are too many zones or records
 */
static struct api_zone_req *api_zone_add(struct api *a,
					 const struct api_zone_req *req)
{
	struct api_zone_req *z = api_zone_get(a, req->name);

	if (!z || api_zone_merge(z, req))
		return NULL;
	srv_foreach_net(a->srv, api_zones_net, z);
	api_zone_apply(z, srv_host_names(a->srv));
	return z;
}

/**
 * api_zones_save() - the state file follows the zones (written soon after,
 * coalesced); nothing without one
 * @a:		API
 */
static void api_zones_save(struct api *a)
{
	struct state *st = srv_state(a->srv);

	if (st)
		state_set_zones(st, api_zones_json(a));
}

/**
 * api_zones_restore() - the zones of the state file, read back through
 * the API's own parser; a zone it refuses is skipped with a warning
 * @a:		API
 */
static void api_zones_restore(struct api *a)
{
	struct state *st = srv_state(a->srv);
	struct api_zone_req req;
	char err[256], *text;
	size_t i, n = 0;
	json_t *zones, *z;

	if (!st || !(zones = state_loaded(st)->zones))
		return;
	json_array_foreach(zones, i, z)
	{
		text = json_dumps(z, JSON_COMPACT);
		if (!text)
			fatal("json_dumps");
		if (api_parse_zone(text, strlen(text), &req, err, sizeof(err)))
			log_warnx("%s: zones[%zu]: %s", state_path(st), i, err);
		else if (!api_zone_add(a, &req))
			log_warnx("%s: zones[%zu]: too many zones or records",
				  state_path(st), i);
		else
			n++;
		api_zone_req_free(&req);
		free(text);
	}
	log_info("api: %zu zones restored from %s", n, state_path(st));
}

/**
 * api_dns_add() - POST /services/dns/add
 */
static enum MHD_Result api_dns_add(struct api *a, struct api_req *r,
				   struct MHD_Connection *c)
{
	struct api_zone_req req;
	struct api_zone_req *z;
	enum MHD_Result ret;
	char err[256];

	if (api_parse_zone(r->body, r->len, &req, err, sizeof(err))) {
		api_zone_req_free(&req);
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	}
	z = api_zone_add(a, &req);
	if (!z) {
		ret = api_error(c, MHD_HTTP_INSUFFICIENT_STORAGE,
				"too many zones or records");
	} else {
		log_info("api: zone %s: %zu records", z->name, z->nrec);
		api_zones_save(a);
		ret = api_reply(c, MHD_HTTP_OK, NULL);
	}
	api_zone_req_free(&req);
	return ret;
}

/**
 * api_dns_all() - GET /services/dns/all
 */
static enum MHD_Result api_dns_all(struct api *a, struct api_req *r,
				   struct MHD_Connection *c)
{
	(void)r;
	return api_reply(c, MHD_HTTP_OK, api_zones_json(a));
}

/* ---- wait_port ----------------------------------------------------------- */

/**
 * api_wait_connected() - lwIP: the probe connected (core lock held)
 */
static err_t api_wait_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct api_wait *w = arg;

	(void)err;
	tcp_arg(pcb, NULL);
	tcp_err(pcb, NULL);
	w->pcb = NULL;
	w->state = API_WAIT_OK;
	loop_async_notify(w->a->async);
	if (tcp_close(pcb) != ERR_OK) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	return ERR_OK;
}

/**
 * api_wait_err() - lwIP: the probe was refused, timed out or aborted
 * (core lock held; lwIP has freed the pcb)
 */
static void api_wait_err(void *arg, err_t err)
{
	struct api_wait *w = arg;

	(void)err;
	if (!w)
		return;
	w->pcb = NULL;
	w->state = API_WAIT_FAILED;
	loop_async_notify(w->a->async);
}

/**
 * api_wait_abort() - drop the probe in flight, if any; loop thread
 */
static void api_wait_abort(struct api_wait *w)
{
	LOCK_TCPIP_CORE();
	if (w->pcb) {
		tcp_arg(w->pcb, NULL);
		tcp_err(w->pcb, NULL);
		tcp_abort(w->pcb);
		w->pcb = NULL;
	}
	if (w->state == API_WAIT_CONNECTING)
		w->state = API_WAIT_IDLE;
	UNLOCK_TCPIP_CORE();
}

/**
 * api_wait_connect() - start one connect attempt from the services host
 *
 * Return: 0 if a connect is under way, -1 if not (no network yet)
 */
static int api_wait_connect(struct api_wait *w)
{
	struct net *n = api_net_of(w->a, w->req.ip);
	struct netif *nif;
	struct tcp_pcb *pcb;
	ip_addr_t dst = IPADDR4_INIT(w->req.ip.s_addr);
	err_t e = ERR_MEM;

	if (!n)
		return -1;
	nif = net_svc_netif(n);
	LOCK_TCPIP_CORE();
	pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (pcb) {
		tcp_bind_netif(pcb, nif);
		e = tcp_bind(pcb, &nif->ip_addr, 0);
		if (e == ERR_OK) {
			tcp_arg(pcb, w);
			tcp_err(pcb, api_wait_err);
			e = tcp_connect(pcb, &dst, w->req.port,
					api_wait_connected);
		}
		if (e != ERR_OK)
			tcp_abort(pcb);
		else {
			w->pcb = pcb;
			w->state = API_WAIT_CONNECTING;
		}
	}
	UNLOCK_TCPIP_CORE();
	return e == ERR_OK ? 0 : -1;
}

/**
 * api_wait_finish() - answer a wait_port request: resume its connection,
 * whose handler then sends @status
 */
static void api_wait_finish(struct api_wait *w, int status)
{
	api_wait_abort(w);
	loop_timer_disarm(w->timer);
	w->status = status;
	MHD_resume_connection(w->conn);
	w->a->kick = 1;
}

/**
 * api_wait_try() - attempt a connect now, or schedule the next attempt
 */
static void api_wait_try(struct api_wait *w)
{
	int64_t now = loop_now_ms(), next;

	if (now >= w->deadline) {
		api_wait_finish(w, MHD_HTTP_REQUEST_TIMEOUT);
		return;
	}
	if (api_wait_connect(w) == 0) {
		w->attempt_end = now + API_ATTEMPT_MS;
		next = w->attempt_end;
	} else {
		next = now + API_RETRY_MS;
	}
	loop_timer_arm(w->timer, next < w->deadline ? next : w->deadline);
}

/**
 * api_wait_timer() - a pause ended, an attempt took too long, or the
 * deadline passed
 */
static void api_wait_timer(void *arg)
{
	struct api_wait *w = arg;

	enum api_wait_state st;

	if (w->status)
		return;
	LOCK_TCPIP_CORE();
	st = w->state;
	UNLOCK_TCPIP_CORE();
	if (st == API_WAIT_OK) {
		api_wait_finish(w, MHD_HTTP_OK);
		return;
	}
	api_wait_abort(w);
	api_wait_try(w);
}

/**
 * api_wait_async() - lwIP decided some probes: answer or retry them
 */
static void api_wait_async(void *arg)
{
	struct api *a = arg;
	enum api_wait_state st;
	struct api_wait *w;
	int64_t now = loop_now_ms();

	for (w = a->waits; w; w = w->next) {
		if (w->status)
			continue;
		LOCK_TCPIP_CORE();
		st = w->state;
		if (st == API_WAIT_FAILED)
			w->state = API_WAIT_IDLE;
		UNLOCK_TCPIP_CORE();
		if (st == API_WAIT_OK) {
			api_wait_finish(w, MHD_HTTP_OK);
		} else if (st == API_WAIT_FAILED) {
			int64_t next = now + API_RETRY_MS;

			loop_timer_arm(w->timer,
				       next < w->deadline ? next : w->deadline);
		}
	}
}

/**
 * api_wait_free() - unlink and free a wait_port request
 */
static void api_wait_free(struct api_wait *w)
{
	struct api_wait **pp;

	for (pp = &w->a->waits; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	api_wait_abort(w);
	loop_timer_free(w->timer);
	free(w);
}

/**
 * api_wait_port() - GET /extension/wait_port?ip=&port=&timeout=
 *
 * The first call suspends the connection; the call after
 * api_wait_finish() resumed it answers.
 */
static enum MHD_Result api_wait_port(struct api *a, struct api_req *r,
				     struct MHD_Connection *c)
{
	struct api_wait_req req;
	struct api_wait *w;
	char err[256];

	if (r->wait && r->wait->status)
		return r->wait->status == MHD_HTTP_OK
			   ? api_reply(c, MHD_HTTP_OK, NULL)
			   : api_error(c, (unsigned)r->wait->status,
				       "port %u of %s did not accept in time",
				       r->wait->req.port,
				       inet_ntoa(r->wait->req.ip));
	if (api_parse_wait_port(
		MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ip"),
		MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "port"),
		MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
					    "timeout"),
		&req, err, sizeof(err)))
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	w = calloc(1, sizeof(*w));
	if (!w)
		fatal("calloc");
	w->a = a;
	w->conn = c;
	w->req = req;
	w->deadline = loop_now_ms() + (int64_t)req.timeout_s * 1000;
	w->timer = loop_timer_new(a->l, api_wait_timer, w);
	w->next = a->waits;
	a->waits = w;
	r->wait = w;
	MHD_suspend_connection(c);
	api_wait_try(w);
	return MHD_YES;
}

/* ---- stats and cam ------------------------------------------------------- */

/**
 * api_port_stats() - net_foreach_port() callback: one port's counters
 */
static void api_port_stats(void *arg, const char *name,
			   const struct port_stats *st)
{
	json_array_append_new(
	    arg, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "name",
			   name, "rx_frames", (json_int_t)st->rx_frames,
			   "rx_bytes", (json_int_t)st->rx_bytes, "tx_frames",
			   (json_int_t)st->tx_frames, "tx_bytes",
			   (json_int_t)st->tx_bytes, "tx_drop_full",
			   (json_int_t)st->tx_drop_full, "tx_drop_group",
			   (json_int_t)st->tx_drop_group, "rx_bad_len",
			   (json_int_t)st->rx_bad_len, "rx_truncated",
			   (json_int_t)st->rx_truncated));
}

/**
 * api_dhcp_stats() - counters of a DHCP server
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
			 st.drop_other_server + st.drop_reply_space),
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
}

/**
 * api_net_stats() - srv_foreach_net() callback: one network's counters
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
}

/**
 * api_dns_stats() - counters of the DNS service, or null
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
 */
static enum MHD_Result api_stats(struct api *a, struct api_req *r,
				 struct MHD_Connection *c)
{
	json_t *nets = json_array();

	(void)r;
	srv_foreach_net(a->srv, api_net_stats, nets);
	return api_reply(c, MHD_HTTP_OK,
			 json_pack("{s:o,s:o,s:o}", "networks", nets, "dns",
				   api_dns_stats(srv_dnsd(a->srv)), "resolver",
				   api_resolver_stats(srv_hr(a->srv))));
}

/**
 * api_cam_entry() - net_foreach_cam() callback: one learned MAC
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
 */
static void api_cam_net(void *arg, struct net *n)
{
	net_foreach_cam(n, api_cam_entry, arg);
}

/**
 * api_cam() - GET /cam: {"MAC":"port name"}
 */
static enum MHD_Result api_cam(struct api *a, struct api_req *r,
			       struct MHD_Connection *c)
{
	json_t *j = json_object();

	(void)r;
	srv_foreach_net(a->srv, api_cam_net, j);
	return api_reply(c, MHD_HTTP_OK, j);
}

/* ---- routing ------------------------------------------------------------- */

/**
 * api_capture_start() - POST /capture/start: a bad filter is 400 with
 * pcap's own words, and nothing starts
 */
static enum MHD_Result api_capture_start(struct api *a, struct api_req *r,
					 struct MHD_Connection *c)
{
	struct api_capture_req req;
	struct cap_config cc = {0};
	char err[512];

	if (api_parse_capture(r->body, r->len, &req, err, sizeof(err)))
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	if (srv_capture(a->srv))
		return api_error(c, MHD_HTTP_CONFLICT,
				 "a capture is running already");
	cc.file = req.file;
	cc.filter = req.filter;
	cc.snaplen = req.snaplen;
	if (srv_capture_start(a->srv, &cc, req.port, err, sizeof(err)))
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	return api_reply(c, MHD_HTTP_OK, NULL);
}

/**
 * api_capture_stop() - POST /capture/stop
 */
static enum MHD_Result api_capture_stop(struct api *a, struct api_req *r,
					struct MHD_Connection *c)
{
	(void)r;
	if (srv_capture_stop(a->srv))
		return api_error(c, MHD_HTTP_NOT_FOUND,
				 "no capture is running");
	log_info("capture: stopped");
	return api_reply(c, MHD_HTTP_OK, NULL);
}

/**
 * struct api_route - an endpoint
 * @path:	URL path
 * @method:	the one method it serves
 * @fn:		handler: queues the response
 */
struct api_route {
	const char *path;
	const char *method;
	enum MHD_Result (*fn)(struct api *a, struct api_req *r,
			      struct MHD_Connection *c);
};

static const struct api_route api_routes[] = {
    {"/services/dhcp/leases", "GET", api_get_leases},
    {"/leases", "GET", api_get_leases},
    {"/services/forwarder/expose", "POST", api_expose},
    {"/services/forwarder/unexpose", "POST", api_unexpose},
    {"/services/forwarder/all", "GET", api_forwards},
    {"/services/dns/add", "POST", api_dns_add},
    {"/services/dns/all", "GET", api_dns_all},
    {"/extension/wait_port", "GET", api_wait_port},
    {"/stats", "GET", api_stats},
    {"/cam", "GET", api_cam},
    {"/capture/start", "POST", api_capture_start},
    {"/capture/stop", "POST", api_capture_stop},
};

/**
 * api_route_find() - the endpoint of a path
 */
static const struct api_route *api_route_find(const char *url)
{
	size_t i;

	for (i = 0; i < sizeof(api_routes) / sizeof(api_routes[0]); i++)
		if (!strcmp(api_routes[i].path, url))
			return &api_routes[i];
	return NULL;
}

/**
 * api_body_add() - keep a chunk of the request body, up to API_BODY_MAX
 */
static void api_body_add(struct api_req *r, const char *data, size_t len)
{
	char *b;

	if (r->too_big || r->len + len > API_BODY_MAX) {
		r->too_big = 1;
		return;
	}
	b = realloc(r->body, r->len + len + 1);
	if (!b) {
		r->too_big = 1;
		return;
	}
	memcpy(b + r->len, data, len);
	r->len += len;
	b[r->len] = '\0';
	r->body = b;
}

/**
 * api_too_long() - does the Content-Length already exceed API_BODY_MAX?
 */
static int api_too_long(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return cl && strtoull(cl, NULL, 10) > API_BODY_MAX;
}

/**
 * api_peer_allowed() - is the client the daemon's uid, or root?
 *
 * The endpoint is 0600 already; this is the second lock, as on the VM
 * sockets. Checked on the first call of every request.
 */
static int api_peer_allowed(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	uid_t uid = (uid_t)-1;

	if (!ci)
		return 0;
	if (peercred_allowed(ci->connect_fd, &uid) == 1)
		return 1;
	log_warnx("api: refused a client with uid %ld", (long)uid);
	return 0;
}

/**
 * api_handler() - libmicrohttpd's access handler: collect the body, then
 * route the request
 */
static enum MHD_Result api_handler(void *cls, struct MHD_Connection *c,
				   const char *url, const char *method,
				   const char *version, const char *upload,
				   size_t *upload_size, void **con_cls)
{
	const struct api_route *rt = api_route_find(url);
	struct api_req *r = *con_cls;
	struct api *a = cls;

	(void)version;
	if (!r) {
		if (!api_peer_allowed(c))
			return MHD_NO; /* closes the connection */
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		if (api_too_long(c))
			return api_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
					 "request body over %d bytes",
					 API_BODY_MAX);
		return MHD_YES;
	}
	if (*upload_size) {
		api_body_add(r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_big)
		return api_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
				 "request body over %d bytes", API_BODY_MAX);
	if (!rt)
		return api_error(c, MHD_HTTP_NOT_FOUND, "no such endpoint: %s",
				 url);
	if (strcmp(method, rt->method))
		return api_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				 "%s takes %s, not %s", url, rt->method,
				 method);
	return rt->fn(a, r, c);
}

/**
 * api_completed() - a request ended (answered, or the connection died)
 */
static void api_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			  enum MHD_RequestTerminationCode toe)
{
	struct api_req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!r)
		return;
	if (r->wait)
		api_wait_free(r->wait);
	free(r->body);
	free(r);
	*con_cls = NULL;
}

/* ---- libmicrohttpd on our loop ------------------------------------------ */

/**
 * api_mhd_start() - start libmicrohttpd on the API's listening socket
 * @a:		API
 * @flags:	MHD_USE_* flags
 *
 * Return: the daemon, or NULL
 */
static struct MHD_Daemon *api_mhd_start(struct api *a, unsigned flags)
{
	if (a->own_accept) /* connections come by api_handover() */
		return MHD_start_daemon(
		    flags | MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL,
		    api_handler, a, MHD_OPTION_CONNECTION_LIMIT,
		    (unsigned)API_CONN_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
		    (unsigned)API_IDLE_S, MHD_OPTION_NOTIFY_COMPLETED,
		    api_completed, a, MHD_OPTION_END);
	return MHD_start_daemon(
	    flags, 0, NULL, NULL, api_handler, a, MHD_OPTION_LISTEN_SOCKET,
	    (MHD_socket)a->fd, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)API_CONN_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)API_IDLE_S, MHD_OPTION_NOTIFY_COMPLETED, api_completed, a,
	    MHD_OPTION_END);
}

/**
 * api_start() - start libmicrohttpd, at the first connection
 * @a:		API
 *
 * libmicrohttpd and the GnuTLS it links cost more resident memory than
 * the rest of an idle daemon (base/lazylib.c loads them on first use):
 * until a client connects, the loop polls the listening socket itself.
 * If libmicrohttpd cannot start, the socket is closed and removed, so
 * clients fail at once instead of waiting.
 *
 * Return: 0, or -1 (logged)
 */
static int api_start(struct api *a)
{
	unsigned flags = MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;

	if (!a->own_accept)
		a->mhd = api_mhd_start(a, flags | MHD_USE_EPOLL);
	if (!a->mhd) /* no epoll here: select(2) it is */
		a->mhd = api_mhd_start(a, flags);
	if (!a->mhd) {
		log_warnx("%s: cannot start the HTTP server", a->path);
		close(a->fd);
		unlink(a->path);
		a->fd = -1;
		return -1;
	}
	di = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (di) /* epoll_fd is -1 in select mode */
		a->epfd = di->epoll_fd;
	a->kick = 1;
	return 0;
}

/**
 * api_listen_paused() - is the listening socket paused (no descriptors)?
 * @a:		API
 * @timeout_ms:	the loop's poll timeout, shortened to the pause's end
 *
 * Return: 1 while paused
 */
static int api_listen_paused(struct api *a, int *timeout_ms)
{
	int64_t left;

	if (!a->listen_pause)
		return 0;
	left = a->listen_pause - loop_now_ms();
	if (left <= 0)
		return 0;
	if (*timeout_ms < 0 || *timeout_ms > left)
		*timeout_ms = (int)left;
	return 1;
}

/**
 * api_prepare() - loop hook: poll libmicrohttpd's descriptors, wake up
 * for its timeouts
 */
static void api_prepare(void *arg, struct loop *l, int *timeout_ms)
{
	struct api *a = arg;
	MHD_UNSIGNED_LONG_LONG to;
	fd_set rs, ws, es;
	MHD_socket max = -1;
	int fd, ev;

	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_ZERO(&es);
	a->nfds = 0;
	a->deadline = -1;
	a->epidx = -1;
	if (!a->mhd) {
		/* not started: the listening socket alone, see api_start() */
		if (a->fd >= 0 && !api_listen_paused(a, timeout_ms)) {
			a->fds[0] = a->fd;
			a->idx[a->nfds++] = loop_hook_pollfd(l, a->fd, POLLIN);
		}
		return;
	}
	if (a->epfd >= 0) {
		/* The listening socket is in the epoll set too: while paused
		 * neither is polled (API connections wait out the pause). */
		if (!api_listen_paused(a, timeout_ms)) {
			a->epidx = loop_hook_pollfd(l, a->epfd, POLLIN);
			a->fds[0] = a->fd;
			a->idx[a->nfds++] = loop_hook_pollfd(l, a->fd, POLLIN);
		}
		max = -1;
	} else if (MHD_get_fdset2(a->mhd, &rs, &ws, &es, &max, FD_SETSIZE) !=
		   MHD_YES)
		max = -1;
	for (fd = 0; fd <= max; fd++) {
		ev = (FD_ISSET(fd, &rs) ? POLLIN : 0) |
		     (FD_ISSET(fd, &ws) ? POLLOUT : 0);
		if (!ev)
			continue;
		if (fd == a->fd && api_listen_paused(a, timeout_ms))
			continue;
		a->fds[a->nfds] = fd;
		a->idx[a->nfds++] = loop_hook_pollfd(l, fd, ev);
	}
	if (a->own_accept && !api_listen_paused(a, timeout_ms)) {
		a->fds[a->nfds] = a->fd; /* we accept: api_dispatch() */
		a->idx[a->nfds++] = loop_hook_pollfd(l, a->fd, POLLIN);
	}
	if (a->kick)
		*timeout_ms = 0;
	if (MHD_get_timeout(a->mhd, &to) == MHD_YES) {
		if (to > INT32_MAX)
			to = INT32_MAX;
		a->deadline = loop_now_ms() + (int64_t)to;
		if (*timeout_ms < 0 || (MHD_UNSIGNED_LONG_LONG)*timeout_ms > to)
			*timeout_ms = (int)to;
	}
}

/**
 * api_listen_ok() - is there a descriptor for a new connection?
 * @a:		API
 *
 * libmicrohttpd 0.9.75, out of descriptors with no connection open, "busy
 * waits": its listening socket stays readable and every failed accept(2)
 * is logged, as fast as the loop turns. So a descriptor is tried first;
 * without one the socket is not polled for API_LISTEN_PAUSE_MS (logged
 * once per episode).
 *
 * Return: 1 if there is one
 */
static int api_listen_ok(struct api *a)
{
	int fd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0);

	if (fd >= 0) {
		close(fd);
		if (a->listen_pause)
			log_info("%s: accepting again", a->path);
		a->listen_pause = 0;
		return 1;
	}
	if (!a->listen_pause)
		log_warn("%s: no descriptor for a new connection (retried "
			 "every %d ms)",
			 a->path, API_LISTEN_PAUSE_MS);
	a->listen_pause = loop_now_ms() + API_LISTEN_PAUSE_MS;
	return 0;
}

/**
 * api_handover() - api_accept_take()'s handover: a connection accepted by
 * the daemon goes to libmicrohttpd
 * @arg:	the API
 * @fd:		the connection, below FD_SETSIZE
 * @sa:		the peer's address
 * @salen:	its length
 *
 * Return: 0, or -1 if libmicrohttpd refused it (it closed @fd)
 */
static int api_handover(void *arg, int fd, const struct sockaddr *sa,
			socklen_t salen)
{
	struct api *a = arg;

	return MHD_add_connection(a->mhd, fd, sa, salen) == MHD_YES ? 0 : -1;
}

/**
 * api_dispatch() - loop hook: let libmicrohttpd work on what poll(2) found
 */
static void api_dispatch(void *arg, struct loop *l)
{
	struct api *a = arg;
	fd_set rs, ws, es;
	int i, re, any = 0;

	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_ZERO(&es);
	if (a->epidx >= 0)
		any = loop_hook_revents(l, a->epidx);
	for (i = 0; i < a->nfds; i++) {
		re = a->idx[i] < 0 ? 0 : loop_hook_revents(l, a->idx[i]);
		if (a->fds[i] == a->fd && (re & POLLIN) && !api_listen_ok(a)) {
			if (a->epfd >= 0 || !a->mhd)
				return; /* MHD_run() would accept */
			re = 0;
		}
		if (!a->mhd) {
			if (re && api_start(a))
				return;
			break; /* started: run it at once (a->kick) */
		}
		if (a->own_accept && a->fds[i] == a->fd) {
			a->kick |=
			    (re & POLLIN) &&
			    api_accept_take(&a->acc, a->fd, api_handover, a);
			continue;
		}
		if (re & (POLLIN | POLLHUP | POLLERR))
			FD_SET(a->fds[i], &rs);
		if (re & (POLLOUT | POLLHUP | POLLERR))
			FD_SET(a->fds[i], &ws);
		any |= re;
	}
	if (!any && !a->kick &&
	    (a->deadline < 0 || loop_now_ms() < a->deadline))
		return;
	a->kick = 0;
	if (a->epfd >= 0)
		MHD_run(a->mhd);
	else
		MHD_run_from_select(a->mhd, &rs, &ws, &es);
	if (a->own_accept) /* closed connections free low numbers */
		api_accept_refill(&a->acc);
}

/**
 * api_listen() - create the unix socket, mode 0600, replacing an old one
 *
 * Return: the listening descriptor, or -1 with a logged warning
 */
static int api_listen(const char *path)
{
	int fd = port_bind_unix(path, SOCK_STREAM);

	if (fd >= 0 && listen(fd, 64)) {
		log_warn("%s", path);
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/**
 * api_net_added() - server hook: a new network gets every zone
 */
static void api_net_added(void *arg, struct net *n)
{
	struct api *a = arg;
	size_t i;

	for (i = 0; i < a->nzones; i++)
		api_zone_apply(&a->zones[i], net_names(n));
}

/**
 * api_net_removing() - server hook: a network goes away with the
 * forwards its gateway held and the unix forwards its services host
 * relays (closed with their connections, socket files removed); its
 * probes fail by themselves and retry
 */
static void api_net_removing(void *arg, struct net *n)
{
	struct api *a = arg;
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
 * api_new() - serve the control API on a unix socket
 * @l:		loop
 * @s:		the daemon
 * @path:	socket path; an old socket there is replaced
 *
 * Return: the API, or NULL with a logged warning
 */
struct api *api_new(struct loop *l, struct srv *s, const char *path)
{
	struct api *a = calloc(1, sizeof(*a));

	if (!a)
		fatal("calloc");
	a->l = l;
	a->srv = s;
	snprintf(a->path, sizeof(a->path), "%s", path);
	a->fd = api_listen(path);
	if (a->fd < 0) {
		free(a);
		return NULL;
	}
	a->epfd = -1;
	a->acc.devnull = -1;
	a->own_accept = api_accept_select_mode();
	if (a->own_accept) /* now, while descriptors are low */
		api_accept_init(&a->acc);
	a->async = loop_async_new(l, api_wait_async, a);
	loop_hook_add(l, api_prepare, api_dispatch, a);
	srv_set_net_hooks(s, api_net_added, api_net_removing, a);
	api_zones_restore(a);
	return a;
}

/**
 * api_free() - stop serving: answer waiting requests 503, close every
 * connection, remove the socket file. Unix forwards close here (their
 * socket files removed); the others end with their networks.
 */
void api_free(struct api *a)
{
	struct api_wait *w;
	struct api_fwd *f;
	size_t i;

	if (!a)
		return;
	srv_set_net_hooks(a->srv, NULL, NULL, NULL);
	loop_hook_del(a->l, a);
	for (w = a->waits; w; w = w->next)
		if (!w->status)
			api_wait_finish(w, MHD_HTTP_SERVICE_UNAVAILABLE);
	if (a->mhd)
		MHD_stop_daemon(a->mhd); /* closes a->fd; frees the requests */
	if ((!a->mhd || a->own_accept) && a->fd >= 0)
		close(a->fd); /* not MHD's without a listen socket */
	api_accept_fini(&a->acc);
	while (a->waits)
		api_wait_free(a->waits);
	while ((f = a->fwds)) {
		a->fwds = f->next;
		fwdu_close(f->fwdu);
		free(f);
	}
	for (i = 0; i < a->nzones; i++)
		free(a->zones[i].rec);
	loop_async_free(a->async);
	unlink(a->path);
	free(a);
}
