/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_wait.c - the control API's GET /extension/wait_port?ip=&port=&timeout=:
 * answer 200 once a guest's TCP port accepts, 408 at the timeout.
 *
 * The request suspends its HTTP connection (MHD_suspend_connection())
 * and probes the guest with a TCP connect from the services host (.3) of
 * the network whose subnet holds the address (packet/tcpprobe.h): one
 * attempt at a time, at most API_ATTEMPT_MS each, API_RETRY_MS apart
 * after a refusal, until the port accepts or the deadline passes; then
 * the connection is resumed and answered.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "base/loop.h"
#include "base/xalloc.h"
#include "daemon/api_int.h"
#include "lan/network.h"
#include "packet/tcpprobe.h"

#define API_RETRY_MS   500  /* pause after a refused connect */
#define API_ATTEMPT_MS 2000 /* one connect attempt at most */

/**
 * struct api_wait - a wait_port request in progress
 * @a:		API
 * @conn:	its (suspended) HTTP connection
 * @req:	what was asked
 * @deadline:	loop_now_ms() at which it answers 408
 * @timer:	retries, attempts that take too long, and the deadline
 * @probe:	the connect attempts
 * @status:	HTTP status to answer, 0 while waiting
 * @next:	list link
 */
struct api_wait {
	struct api *a;
	struct MHD_Connection *conn;
	struct api_wait_req req;
	int64_t deadline;
	struct loop_timer *timer;
	struct tcpprobe *probe;
	int status;
	struct api_wait *next;
};

/**
 * api_wait_arm() - wake up at @when, or at the deadline if sooner
 * @w:		the request
 * @when:	loop_now_ms() time
 */
static void api_wait_arm(struct api_wait *w, int64_t when)
{
	loop_timer_arm(w->timer, when < w->deadline ? when : w->deadline);
}

/**
 * api_wait_finish() - answer a wait_port request: resume its connection,
 * whose handler then sends @status
 * @w:		the request
 * @status:	HTTP status
 */
static void api_wait_finish(struct api_wait *w, int status)
{
	tcpprobe_cancel(w->probe);
	loop_timer_disarm(w->timer);
	w->status = status;
	MHD_resume_connection(w->conn);
	w->a->kick = 1;
}

/**
 * api_wait_try() - attempt a connect now, or schedule the next attempt
 * @w:		the request
 *
 * Without a network holding the address yet (its VM not started), or
 * without an lwIP pcb, the next attempt comes API_RETRY_MS later.
 */
static void api_wait_try(struct api_wait *w)
{
	int64_t now = loop_now_ms();
	struct net *n;

	if (now >= w->deadline) {
		api_wait_finish(w, MHD_HTTP_REQUEST_TIMEOUT);
		return;
	}
	n = api_net_of(w->a, w->req.ip);
	if (n &&
	    !tcpprobe_start(w->probe, net_svc_netif(n), w->req.ip, w->req.port))
		api_wait_arm(w, now + API_ATTEMPT_MS);
	else
		api_wait_arm(w, now + API_RETRY_MS);
}

/**
 * api_wait_timer() - a pause ended, an attempt took too long, or the
 * deadline passed
 * @arg:	the request
 */
static void api_wait_timer(void *arg)
{
	struct api_wait *w = arg;

	if (w->status)
		return;
	if (tcpprobe_cancel(w->probe)) { /* connected, not yet told */
		api_wait_finish(w, MHD_HTTP_OK);
		return;
	}
	api_wait_try(w);
}

/**
 * api_wait_probed() - tcpprobe callback: answer, or retry after a pause
 * @arg:	the request
 * @connected:	the port accepted
 */
static void api_wait_probed(void *arg, int connected)
{
	struct api_wait *w = arg;

	if (w->status)
		return;
	if (connected)
		api_wait_finish(w, MHD_HTTP_OK);
	else
		api_wait_arm(w, loop_now_ms() + API_RETRY_MS);
}

/**
 * api_wait_free() - unlink and free a wait_port request (its request
 * ended, or the API stops)
 * @w:		the request
 */
void api_wait_free(struct api_wait *w)
{
	struct api_wait **pp;

	for (pp = &w->a->waits; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	tcpprobe_free(w->probe);
	loop_timer_free(w->timer);
	free(w);
}

/**
 * api_waits_unavailable() - the API stops: answer every waiting request
 * 503
 * @a:		API
 */
void api_waits_unavailable(struct api *a)
{
	struct api_wait *w;

	for (w = a->waits; w; w = w->next)
		if (!w->status)
			api_wait_finish(w, MHD_HTTP_SERVICE_UNAVAILABLE);
}

/**
 * api_wait_port() - GET /extension/wait_port?ip=&port=&timeout=
 * @a:		API
 * @r:		the request; @r->wait is set by the first call
 * @c:		its connection
 *
 * The first call suspends the connection; the call after
 * api_wait_finish() resumed it answers.
 *
 * Return: as api_reply()
 */
enum MHD_Result api_wait_port(struct api *a, struct api_req *r,
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
	w = xcalloc(1, sizeof(*w));
	w->a = a;
	w->conn = c;
	w->req = req;
	w->deadline = loop_now_ms() + (int64_t)req.timeout_s * 1000;
	w->timer = loop_timer_new(a->l, api_wait_timer, w);
	w->probe = tcpprobe_new(a->l, api_wait_probed, w);
	w->next = a->waits;
	a->waits = w;
	r->wait = w;
	MHD_suspend_connection(c);
	api_wait_try(w);
	return MHD_YES;
}
