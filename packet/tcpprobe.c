/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpprobe.c - one lwIP TCP connect attempt at a time, its outcome handed
 * to the loop thread (semantics in tcpprobe.h): the pcb, lwIP's callbacks
 * under the core lock, and the loop_async that reports back.
 */
#include <stdlib.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#include "base/loop.h"
#include "base/xalloc.h"
#include "packet/tcpprobe.h"

/* Where an attempt is (struct tcpprobe.state). */
enum tcpprobe_state {
	TCPPROBE_IDLE,	     /* none, or its outcome was handed over */
	TCPPROBE_CONNECTING, /* pcb connecting */
	TCPPROBE_OK,	     /* connected: not yet handed over */
	TCPPROBE_FAILED,     /* refused or aborted: not yet handed over */
};

/**
 * struct tcpprobe - a probe
 * @async:	wakes the loop when lwIP decided an attempt
 * @fn:		the callback, on the loop thread
 * @arg:	its argument
 * @pcb:	lwIP pcb of the attempt, or NULL (core lock)
 * @state:	enum tcpprobe_state (core lock)
 */
struct tcpprobe {
	struct loop_async *async;
	tcpprobe_fn fn;
	void *arg;
	struct tcp_pcb *pcb;
	enum tcpprobe_state state;
};

/**
 * tcpprobe_connected() - lwIP: the attempt connected (core lock held);
 * the connection is closed again at once
 * @arg:	the probe
 * @pcb:	its pcb
 * @err:	ERR_OK (lwIP reports failures through tcpprobe_err())
 *
 * Return: ERR_OK, or ERR_ABRT if the pcb had to be aborted
 */
static err_t tcpprobe_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct tcpprobe *p = arg;

	(void)err;
	tcp_arg(pcb, NULL);
	tcp_err(pcb, NULL);
	p->pcb = NULL;
	p->state = TCPPROBE_OK;
	loop_async_notify(p->async);
	if (tcp_close(pcb) != ERR_OK) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	return ERR_OK;
}

/**
 * tcpprobe_err() - lwIP: the attempt was refused, timed out or aborted
 * (core lock held; lwIP has freed the pcb)
 * @arg:	the probe, or NULL once cancelled
 * @err:	lwIP's reason (unused: every failure is retried alike)
 */
static void tcpprobe_err(void *arg, err_t err)
{
	struct tcpprobe *p = arg;

	(void)err;
	if (!p)
		return;
	p->pcb = NULL;
	p->state = TCPPROBE_FAILED;
	loop_async_notify(p->async);
}

/**
 * tcpprobe_async() - loop thread: hand a decided outcome to the callback
 * @arg:	the probe
 */
static void tcpprobe_async(void *arg)
{
	struct tcpprobe *p = arg;
	enum tcpprobe_state st;

	LOCK_TCPIP_CORE();
	st = p->state;
	if (st == TCPPROBE_OK || st == TCPPROBE_FAILED)
		p->state = TCPPROBE_IDLE;
	UNLOCK_TCPIP_CORE();
	if (st == TCPPROBE_OK || st == TCPPROBE_FAILED)
		p->fn(p->arg, st == TCPPROBE_OK);
}

/**
 * tcpprobe_new() - a probe, idle
 * @l:		the loop, whose thread gets the outcomes
 * @fn:		called with each attempt's outcome
 * @arg:	its argument
 *
 * Return: the probe (exits if out of memory: not on the per-frame path)
 */
struct tcpprobe *tcpprobe_new(struct loop *l, tcpprobe_fn fn, void *arg)
{
	struct tcpprobe *p = xcalloc(1, sizeof(*p));

	p->fn = fn;
	p->arg = arg;
	p->async = loop_async_new(l, tcpprobe_async, p);
	return p;
}

/**
 * tcpprobe_start() - start one connect attempt, cancelling one in flight
 * @p:		probe
 * @nif:	the netif to connect from, bound to its address
 * @ip:		address to connect to, on @nif's network
 * @port:	TCP port (host order)
 *
 * Return: 0 if a connect is under way (@p's callback will tell), -1 if
 * lwIP could not start one (no pcb, no local port)
 */
int tcpprobe_start(struct tcpprobe *p, struct netif *nif, struct in_addr ip,
		   uint16_t port)
{
	ip_addr_t dst = IPADDR4_INIT(ip.s_addr);
	struct tcp_pcb *pcb;
	err_t e = ERR_MEM;

	tcpprobe_cancel(p);
	LOCK_TCPIP_CORE();
	pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (pcb) {
		tcp_bind_netif(pcb, nif);
		e = tcp_bind(pcb, &nif->ip_addr, 0);
		if (e == ERR_OK) {
			tcp_arg(pcb, p);
			tcp_err(pcb, tcpprobe_err);
			e = tcp_connect(pcb, &dst, port, tcpprobe_connected);
		}
		if (e != ERR_OK) {
			tcp_abort(pcb);
		} else {
			p->pcb = pcb;
			p->state = TCPPROBE_CONNECTING;
		}
	}
	UNLOCK_TCPIP_CORE();
	return e == ERR_OK ? 0 : -1;
}

/**
 * tcpprobe_cancel() - drop the attempt in flight and any outcome not yet
 * handed over: the callback will not come for it
 * @p:		probe
 *
 * Return: 1 if the attempt had connected (its outcome not yet handed
 * over), else 0
 */
int tcpprobe_cancel(struct tcpprobe *p)
{
	int connected;

	LOCK_TCPIP_CORE();
	if (p->pcb) {
		tcp_arg(p->pcb, NULL);
		tcp_err(p->pcb, NULL);
		tcp_abort(p->pcb);
		p->pcb = NULL;
	}
	connected = p->state == TCPPROBE_OK;
	p->state = TCPPROBE_IDLE;
	UNLOCK_TCPIP_CORE();
	return connected;
}

/**
 * tcpprobe_free() - cancel and free; NULL is fine
 * @p:		probe
 */
void tcpprobe_free(struct tcpprobe *p)
{
	if (!p)
		return;
	tcpprobe_cancel(p);
	loop_async_free(p->async);
	free(p);
}
