/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * svchost.h - the services host (.3, ::3) of a virtual network: an lwIP
 * netif that answers ARP, neighbour discovery and ICMP echo for its
 * addresses, carries the DHCP server
 * (packet/dhcp.h) on UDP port 67, and is where other services (DNS)
 * bind their lwIP pcbs, always to this netif (svc_netif()).
 *
 * Threads: svc_* functions run on the loop thread. Frames lwIP emits (on
 * its tcpip thread, or on any thread holding the core lock) go through a
 * bounded, preallocated queue and reach @out on the loop thread.
 *
 * svc_input() hands a frame to lwIP synchronously, holding the core lock
 * (LOCK_TCPIP_CORE()). So callbacks of pcbs bound to svc_netif() run with
 * the core lock held: on the loop thread, inside svc_input(), when a frame
 * caused them (UDP recv always; TCP accept/recv/sent mostly), and on
 * lwIP's tcpip thread when its timers did (TCP retransmission, err, poll,
 * refused data). The lock is not recursive: a callback must not take it
 * again, nor call svc_input() or svc_free().
 */
#ifndef USERNETD_SVCHOST_H
#define USERNETD_SVCHOST_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "base/loop.h"
#include "packet/dhcp.h"

struct svc;
struct netif;

/**
 * struct svc_config - a services host
 * @addr:	its IPv4 address (192.168.5.3); several svcs may share one
 * @netmask:	netmask of the network
 * @gw:		gateway (.2), lwIP's netif gateway
 * @mac:	its Ethernet address
 * @mtu:	IP MTU of the network, 576..65520 (0 means 1500)
 * @dhcp:	DHCP server configuration, NULL for none
 * @alias:	second address served on its own netif (the gateway's .2,
 *		for DNS), 0.0.0.0 for none
 * @alias_mac:	its Ethernet address (the gateway's)
 * @addr6:	its IPv6 address (::3), :: for no IPv6; the netifs also get
 *		the link-local addresses of their MACs
 * @alias6:	the alias netif's IPv6 address (the gateway's ::2, for DNS),
 *		:: for none; used only with @alias and @addr6
 * @alias_mac6:	the MAC the gateway's IPv6 side answers with (gw_mac6()):
 *		guests send their frames for @alias6 to it
 */
struct svc_config {
	struct in_addr addr;
	struct in_addr netmask;
	struct in_addr gw;
	uint8_t mac[6];
	int mtu;
	const struct dhcp_config *dhcp;
	struct in_addr alias;
	uint8_t alias_mac[6];
	struct in6_addr addr6;
	struct in6_addr alias6;
	uint8_t alias_mac6[6];
};

/**
 * struct svc_stats - counters, since svc_new()
 * @rx_frames:	frames handed to lwIP by svc_input()
 * @rx_dropped:	frames refused by svc_input(): runt, oversized, not for us
 *		(IPv4 or IPv6 to another address, which lwIP would
 *		otherwise try to forward; IPv6 without IPv6 served; IPv6 that
 *		is not neighbour discovery, echo request, UDP or TCP for its
 *		addresses), malformed DHCP transport headers
 * @rx_syn_dropped: TCP SYNs dropped: their source, or the host, had its
 *		share of half-open connections (SVC_SYN_PER_SRC, SVC_SYN_MAX)
 * @rx_dhcp:	DHCP requests handed to the DHCP server
 * @tx_frames:	frames delivered to @out
 * @tx_dropped:	frames lwIP emitted while the queue was full, or larger
 *		than a queue slot
 * @tx_dhcp:	DHCP replies handed to lwIP
 */
struct svc_stats {
	uint64_t rx_frames;
	uint64_t rx_dropped;
	uint64_t rx_syn_dropped;
	uint64_t rx_dhcp;
	uint64_t tx_frames;
	uint64_t tx_dropped;
	uint64_t tx_dhcp;
};

/**
 * svc_output_fn - a frame the services host sends to the LAN
 * @arg:	argument given to svc_new()
 * @frame:	Ethernet frame, valid only during the call
 * @len:	its length
 *
 * Called on the loop thread, never from within svc_input() or svc_free().
 */
typedef void (*svc_output_fn)(void *arg, const uint8_t *frame, size_t len);

int svc_global_init(void);
struct svc *svc_new(struct loop *l, const struct svc_config *cfg,
		    svc_output_fn out, void *arg);
void svc_input(struct svc *s, const uint8_t *frame, size_t len, uint32_t port);
struct dhcp *svc_dhcp(struct svc *s);
struct netif *svc_netif(struct svc *s);
struct netif *svc_alias_netif(struct svc *s);
void svc_get_stats(const struct svc *s, struct svc_stats *st);
void svc_free(struct svc *s);

#endif /* USERNETD_SVCHOST_H */
