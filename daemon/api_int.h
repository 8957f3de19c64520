/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_int.h - what the control API's files share, private to daemon/api*.c:
 * struct api and struct api_req, the responses (api.c), and each
 * resource's handlers and hooks:
 *
 *	api.c		the HTTP front: unix socket, libmicrohttpd on our
 *			loop, route table, dispatch, api_new()/api_free()
 *	api_leases.c	GET /services/dhcp/leases, /leases
 *	api_forward.c	/services/forwarder/{expose,unexpose,all}
 *	api_dns.c	/services/dns/{add,all}: zones, kept in the state file
 *	api_wait.c	/extension/wait_port, probing with packet/tcpprobe.h
 *	api_stats.c	/stats, /cam
 *	api_capture.c	/capture/{start,stop}
 *	api_parse.c	request bodies, pure (api.h)
 *
 * Every handler runs on the loop thread (api.h) and queues its response
 * with api_reply() or api_error().
 */
#ifndef USERNETD_API_INT_H
#define USERNETD_API_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>
#include <sys/un.h>

#include <jansson.h>
#include <microhttpd.h>

#include "daemon/api.h"
#include "daemon/api_accept.h"

#define API_ZONES_MAX 256

struct api_fwd;
struct api_wait;
struct net;

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
 * @fwds:	forwards (api_forward.c)
 * @zones:	zones (api_dns.c)
 * @nzones:	how many
 * @waits:	wait_port requests (api_wait.c)
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
	int64_t listen_pause;
	int epfd;
	int epidx;
	int own_accept;
	struct api_accept acc;
};

/**
 * api_handler_fn - an endpoint's handler: queue the response
 * @a:		API
 * @r:		the request, its body complete
 * @c:		its connection
 *
 * Return: MHD_YES, or MHD_NO to close the connection
 */
typedef enum MHD_Result (*api_handler_fn)(struct api *a, struct api_req *r,
					  struct MHD_Connection *c);

/* api.c */
enum MHD_Result api_reply(struct MHD_Connection *c, unsigned status, json_t *j);
enum MHD_Result api_error(struct MHD_Connection *c, unsigned status,
			  const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* api_leases.c */
enum MHD_Result api_get_leases(struct api *a, struct api_req *r,
			       struct MHD_Connection *c);
enum MHD_Result api_get_addr6(struct api *a, struct api_req *r,
			      struct MHD_Connection *c);

/* api_forward.c */
enum MHD_Result api_expose(struct api *a, struct api_req *r,
			   struct MHD_Connection *c);
enum MHD_Result api_unexpose(struct api *a, struct api_req *r,
			     struct MHD_Connection *c);
enum MHD_Result api_forwards(struct api *a, struct api_req *r,
			     struct MHD_Connection *c);
struct net *api_net_of(struct api *a, struct in_addr ip);
void api_fwds_net_removing(struct api *a, struct net *n);
void api_fwds_free(struct api *a);

/* api_dns.c */
enum MHD_Result api_dns_add(struct api *a, struct api_req *r,
			    struct MHD_Connection *c);
enum MHD_Result api_dns_all(struct api *a, struct api_req *r,
			    struct MHD_Connection *c);
void api_zones_restore(struct api *a);
void api_zones_net_added(struct api *a, struct net *n);
void api_zones_free(struct api *a);

/* api_wait.c */
enum MHD_Result api_wait_port(struct api *a, struct api_req *r,
			      struct MHD_Connection *c);
void api_wait_free(struct api_wait *w);
void api_waits_unavailable(struct api *a);

/* api_stats.c */
enum MHD_Result api_stats(struct api *a, struct api_req *r,
			  struct MHD_Connection *c);
enum MHD_Result api_cam(struct api *a, struct api_req *r,
			struct MHD_Connection *c);

/* api_capture.c */
enum MHD_Result api_capture_start(struct api *a, struct api_req *r,
				  struct MHD_Connection *c);
enum MHD_Result api_capture_stop(struct api *a, struct api_req *r,
				 struct MHD_Connection *c);

#endif /* USERNETD_API_INT_H */
