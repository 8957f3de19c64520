/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpprobe.h - does a guest's TCP port accept? One connect attempt at a
 * time through lwIP, from a netif's own address (a network's services
 * host, .3) to an address on that netif's network.  The control API's
 * wait_port (daemon/api_wait.c) retries it until the port accepts.
 *
 * lwIP decides with its core lock held, on the loop thread or on its
 * tcpip thread: the probe only records the outcome under the lock and
 * wakes the loop (loop_async), which hands it to the probe's callback.
 * An accepted connection is closed at once; nothing is sent.  Everything
 * here is called on the loop thread.
 */
#ifndef USERNETD_TCPPROBE_H
#define USERNETD_TCPPROBE_H

#include <netinet/in.h>
#include <stdint.h>

struct loop;
struct netif;
struct tcpprobe;

/**
 * tcpprobe_fn - an attempt ended; called on the loop thread, at most once
 * per tcpprobe_start(), never after tcpprobe_cancel() or tcpprobe_free()
 * @arg:	tcpprobe_new()'s @arg
 * @connected:	1 the port accepted, 0 refused, timed out or aborted by lwIP
 */
typedef void (*tcpprobe_fn)(void *arg, int connected);

struct tcpprobe *tcpprobe_new(struct loop *l, tcpprobe_fn fn, void *arg);
int tcpprobe_start(struct tcpprobe *p, struct netif *nif, struct in_addr ip,
		   uint16_t port);
int tcpprobe_cancel(struct tcpprobe *p);
void tcpprobe_free(struct tcpprobe *p);

#endif /* USERNETD_TCPPROBE_H */
