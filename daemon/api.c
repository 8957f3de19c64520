/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api.c - the control API's HTTP front: the unix socket, libmicrohttpd
 * driven by our loop, the route table and dispatch to the resources'
 * handlers (api_int.h lists which file serves which), api_new() and
 * api_free().
 *
 * libmicrohttpd runs without threads: a loop hook adds its epoll
 * descriptor to our poll(2) and runs it (MHD_run()), so handlers run on
 * the loop thread and touch daemon state directly. Where libmicrohttpd
 * has no epoll, its descriptors come from MHD_get_fdset2() and go back
 * through MHD_run_from_select(); that interface refuses descriptors past
 * FD_SETSIZE (1024), which a daemon holding thousands of NAT sockets
 * has, hence epoll first; without it the daemon accepts connections
 * itself and hands them over below FD_SETSIZE (daemon/api_accept.c).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/loop.h"
#include "base/xalloc.h"
#include "daemon/api_int.h"
#include "daemon/server.h"
#include "packet/peercred.h"
#include "packet/port.h"

#define API_CONN_MAX 64 /* concurrent HTTP connections */
#define API_IDLE_S   30 /* idle HTTP connections are closed */

/* Out of descriptors: the listening socket is not polled this long. */
#define API_LISTEN_PAUSE_MS 250

/* ---- responses ---------------------------------------------------------- */

/**
 * api_reply() - queue a response with a JSON body (or none)
 * @c:		connection
 * @status:	HTTP status
 * @j:		body, consumed; NULL for an empty body
 *
 * Return: MHD_YES, or MHD_NO to close the connection
 */
enum MHD_Result api_reply(struct MHD_Connection *c, unsigned status, json_t *j)
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
enum MHD_Result api_error(struct MHD_Connection *c, unsigned status,
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

/* ---- routing ------------------------------------------------------------- */

/**
 * struct api_route - an endpoint
 * @path:	URL path
 * @method:	the one method it serves
 * @fn:		handler: queues the response
 */
struct api_route {
	const char *path;
	const char *method;
	api_handler_fn fn;
};

static const struct api_route api_routes[] = {
    {"/services/dhcp/leases", "GET", api_get_leases},
    {"/leases", "GET", api_get_leases},
    {"/services/ipv6/addresses", "GET", api_get_addr6},
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
 * @url:	the request's path
 *
 * Return: the route, or NULL for none
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
 * @r:		the request; @r->too_big set past the limit, or out of
 *		memory (answered 413: per request, not fatal)
 * @data:	the chunk
 * @len:	its length
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
 * api_too_long() - is the announced body too long even to read and discard?
 *
 * A body over API_BODY_MAX is read and discarded, then answered 413: a
 * 413 sent before the body makes libmicrohttpd close the connection while
 * the client is still writing, and the client sees a broken pipe instead
 * of the answer. Only a body over API_DISCARD_MAX is refused at once.
 * @c:		the connection
 *
 * Return: 1 if the Content-Length exceeds API_DISCARD_MAX, else 0
 */
static int api_too_long(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return cl && strtoull(cl, NULL, 10) > API_DISCARD_MAX;
}

/**
 * api_peer_allowed() - is the client the daemon's uid, or root?
 *
 * The endpoint is 0600 already; this is the second lock, as on the VM
 * sockets. Checked on the first call of every request.
 * @c:		the connection
 *
 * Return: 1 if allowed, else 0 (logged)
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
 * @cls:	API
 * @c:		connection
 * @url:	path
 * @method:	HTTP method
 * @version:	HTTP version (unused)
 * @upload:	a chunk of the body
 * @upload_size: its length; set to 0 once kept
 * @con_cls:	our struct api_req, NULL at the first call
 *
 * Return: MHD_YES, or MHD_NO to close the connection
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
 * @cls:	API (unused)
 * @c:		connection (unused)
 * @con_cls:	our struct api_req, freed and cleared
 * @toe:	why it ended (unused)
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
 * @arg:	API
 * @l:		the loop
 * @timeout_ms:	the loop's poll timeout, shortened to libmicrohttpd's
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
 * @arg:	API
 * @l:		the loop
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
 * @path:	its path
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

/* ---- the server's networks ---------------------------------------------- */

/**
 * api_net_added() - server hook: a new network gets every zone
 * @arg:	API
 * @n:		the network
 */
static void api_net_added(void *arg, struct net *n)
{
	api_zones_net_added(arg, n);
}

/**
 * api_net_removing() - server hook: a network goes away with its
 * forwards (api_fwds_net_removing()); its probes fail by themselves and
 * retry
 * @arg:	API
 * @n:		the network
 */
static void api_net_removing(void *arg, struct net *n)
{
	api_fwds_net_removing(arg, n);
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
	struct api *a = xcalloc(1, sizeof(*a));

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
	loop_hook_add(l, api_prepare, api_dispatch, a);
	srv_set_net_hooks(s, api_net_added, api_net_removing, a);
	api_zones_restore(a);
	return a;
}

/**
 * api_free() - stop serving: answer waiting requests 503, close every
 * connection, remove the socket file. Unix forwards close here (their
 * socket files removed); the others end with their networks.
 * @a:		API, or NULL
 */
void api_free(struct api *a)
{
	if (!a)
		return;
	srv_set_net_hooks(a->srv, NULL, NULL, NULL);
	loop_hook_del(a->l, a);
	api_waits_unavailable(a);
	if (a->mhd)
		MHD_stop_daemon(a->mhd); /* closes a->fd; frees the requests */
	if ((!a->mhd || a->own_accept) && a->fd >= 0)
		close(a->fd); /* not MHD's without a listen socket */
	api_accept_fini(&a->acc);
	while (a->waits)
		api_wait_free(a->waits);
	api_fwds_free(a);
	api_zones_free(a);
	unlink(a->path);
	free(a);
}
