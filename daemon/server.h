/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server.h - the daemon's networks and listeners, built from struct cfg.
 */
#ifndef USERNETD_SERVER_H
#define USERNETD_SERVER_H

struct loop;
struct cfg;
struct srv;

struct srv *srv_new(struct loop *l, const struct cfg *c);
void srv_free(struct srv *s);

struct net;
struct dnsd;
struct dns_local;

/**
 * srv_net_fn - callback with one of the server's networks
 * @arg:	its argument
 * @n:		the network
 */
typedef void (*srv_net_fn)(void *arg, struct net *n);

void srv_foreach_net(struct srv *s, srv_net_fn fn, void *arg);
void srv_set_net_hooks(struct srv *s, srv_net_fn added, srv_net_fn removing,
		       void *arg);
struct dnsd *srv_dnsd(struct srv *s);
struct hr;
struct hr *srv_hr(struct srv *s);
struct dns_local *srv_host_names(struct srv *s);
int srv_user_v2(const struct srv *s);
struct state;
struct state *srv_state(struct srv *s);

struct cap_config;
struct cap;
int srv_capture_start(struct srv *s, const struct cap_config *cc,
		      const char *port, char *err, size_t errlen);
int srv_capture_stop(struct srv *s);
struct cap *srv_capture(struct srv *s);

#endif /* USERNETD_SERVER_H */
