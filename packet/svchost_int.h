/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * svchost_int.h - what the services host's files share: struct svc, and
 * the IPv6 side (svchost6.c) svchost.c calls. Private to packet/svchost*.c.
 */
#ifndef USERNETD_SVCHOST_INT_H
#define USERNETD_SVCHOST_INT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"

#include "base/loop.h"
#include "packet/dhcp.h"
#include "packet/svchost.h"

/**
 * struct svc - a services host
 * @loop:	event loop
 * @netif:	lwIP interface; netif.state points back here
 * @alias:	second interface for the alias address, if @has_alias
 * @has_alias:	an alias was configured
 * @has_ip6:	IPv6 is served (svc_config @addr6)
 * @alias_mac6:	the gateway's IPv6 MAC: unicast frames for the alias's ::2
 *		carry it
 * @dhcp_pcb:	UDP pcb on port 67 bound to @netif, used to send replies
 * @dhcp:	DHCP server, NULL if not configured
 * @out:	where frames for the LAN go
 * @arg:	argument of @out
 * @async:	wakes the loop when the ring has frames
 * @drain:	drains the ring before the next poll, from the loop thread
 * @qlock:	protects @head, @count and @stats.tx_dropped
 * @slots:	ring storage, @nslots slots of @slot_size bytes
 * @slot_len:	frame length in each slot
 * @nslots:	ring size
 * @slot_size:	largest frame: MTU plus Ethernet header
 * @head:	next slot to fill (producer)
 * @tail:	next slot to deliver (loop thread only)
 * @count:	filled slots
 * @stats:	counters
 * @reply:	DHCP reply buffer
 */
struct svc {
	struct loop *loop;
	struct netif netif;
	struct netif alias;
	int has_alias;
	int has_ip6;
	uint8_t alias_mac6[ETH_HWADDR_LEN];
	struct udp_pcb *dhcp_pcb;
	struct dhcp *dhcp;
	svc_output_fn out;
	void *arg;
	struct loop_async *async;
	struct loop_deferred drain;
	pthread_mutex_t qlock;
	uint8_t *slots;
	uint32_t *slot_len;
	unsigned nslots;
	unsigned slot_size;
	unsigned head;
	unsigned tail;
	unsigned count;
	struct svc_stats stats;
	uint8_t reply[DHCP_REPLY_MAX];
};

int svc_ip6_up(struct netif *netif, const struct in6_addr *a);
struct netif *svc_ip6_for(struct svc *s, const uint8_t *f, size_t len, int *syn,
			  ip_addr_t *src);

#endif /* USERNETD_SVCHOST_INT_H */
