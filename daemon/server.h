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

#endif /* USERNETD_SERVER_H */
