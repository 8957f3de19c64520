/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * svchost.c - the services host (.3): one lwIP netif per network, the
 * frame queue from lwIP back to the loop thread, and the DHCP transport.
 *
 * lwIP (Debian's liblwip 2.1.3: NO_SYS 0, core locking) runs its own
 * tcpip thread, started once per process. Every svc owns a netif; several
 * netifs share one address (every slirp network uses 192.168.5.3), so:
 *
 * - Frames in are handed to ethernet_input() synchronously on the loop
 *   thread under the core lock (what tcpip_input() does when lwIP is built
 *   with LWIP_TCPIP_CORE_LOCKING_INPUT; Debian's build posts every frame
 *   to the tcpip thread's mailbox instead, which costs an allocation per
 *   frame and leaves messages naming a netif that svc_free() may remove).
 *
 * - lwIP routes the replies it makes without a pcb (ICMP port and protocol
 *   unreachable, TCP RST to a closed port) with ip4_route(), which takes
 *   the first netif in netif_list whose subnet matches: with several
 *   networks on 192.168.5.0/24 that would be another network's netif.
 *   Since input is synchronous, svc_input() moves its netif to the head of
 *   netif_list before handing lwIP the frame, so those replies leave on
 *   the netif the request came in on. Every pcb is bound to its netif
 *   (udp_bind_netif(), tcp_bind_netif()) for everything else.
 *
 * - Only frames for this host reach lwIP: ARP, and IPv4 unicast to its
 *   address or broadcast, not fragmented. lwIP is built with IP_FORWARD
 *   and would otherwise route a guest's packet for another address out of
 *   whichever netif matches, i.e. into another network; IPv4 fragments
 *   would start reassembly, whose timeout sends an ICMP error through
 *   ip4_route() from the tcpip thread.
 *
 * - IPv6 (svchost6.c), when configured (::3, and ::2 on the alias), the
 *   same way: lwIP has IPV6_FORWARD too, so only what the host must see
 *   reaches it, with no extension header in front (a fragment would start
 *   reassembly): neighbour solicitations for its addresses, neighbour
 *   advertisements, echo requests, UDP and TCP to its addresses; never a
 *   router advertisement (lwIP would take a default router and a prefix
 *   from it), nor a solicitation for the alias's ::2 (libslirp answers
 *   for ::2 and fe80::2, the alias only for the link-local address of
 *   its own MAC, from which it asks for guests' MACs). ip6_route() picks
 *   the first netif whose static /64 matches, as ip4_route() does, so the
 *   move to the head of netif_list covers IPv6 replies made without a pcb
 *   too. The addresses are preferred at once: no duplicate address
 *   detection (the network owns them, l2guard.c keeps guests off them),
 *   and no router solicitation. The netifs join the solicited-node groups
 *   of their addresses (MLD), which lwIP needs to accept solicitations.
 *
 * - Frames out: the netif's linkoutput runs on the tcpip thread or on any
 *   thread holding the core lock. It copies the frame into a preallocated
 *   ring of slots under a mutex and wakes the loop (loop_async_notify());
 *   the loop drains the ring into the svc_output_fn. A full ring drops
 *   (counted), it never blocks lwIP.
 *
 * - An optional alias netif carries a second address with its own MAC:
 *   DNS must also answer at the gateway's address (.2), which libslirp
 *   owns for everything else. The network steers only DNS (UDP and TCP
 *   port 53 to .2) and ARP replies for .2 here; the alias shares the
 *   gateway's MAC so the guest's neighbour cache stays right, and it never
 *   answers ARP itself (libslirp does).
 *
 * - Half-open TCP connections are bounded here: lwIP 2.1.3 as Debian
 *   builds it has no listen backlog (TCP_LISTEN_BACKLOG 0) and allocates
 *   a pcb for every SYN to a listener (the DNS service's port 53), kept
 *   20 s in SYN_RCVD, before any callback of the service sees it. A SYN
 *   finding SVC_SYN_PER_SRC of its source's, or SVC_SYN_MAX in all, on
 *   this host's netifs is dropped (counted); the client retries, as after
 *   a lost SYN.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"

/* Half-open TCP connections (SYN_RCVD) per source address, and in all. */
#define SVC_SYN_PER_SRC 16
#define SVC_SYN_MAX	64

#include "packet/frame.h"
#include "packet/svchost.h"
#include "packet/svchost_int.h"
#include "base/log.h"
#include "base/xalloc.h"

#define SVC_QUEUE_BYTES (256 * 1024) /* target ring size */
#define SVC_QUEUE_MIN	8	     /* slots, whatever the MTU */
#define SVC_QUEUE_MAX	128
#define SVC_MAX		254 /* lwIP netif indexes are a u8_t */

static pthread_once_t svc_once = PTHREAD_ONCE_INIT;
static int svc_count; /* live svcs, under the core lock */

/**
 * svc_init_once() - start lwIP
 *
 * tcpip_init() initialises lwIP and creates the core lock and the mailbox
 * on this thread before it starts the tcpip thread, so lwIP may be used
 * under the core lock as soon as it returns: nothing waits for the new
 * thread to be scheduled (on a loaded machine that wait was the largest
 * part of the daemon's start-up).
 */
static void svc_init_once(void)
{
	tcpip_init(NULL, NULL);
}

/**
 * svc_global_init() - start lwIP's tcpip thread; idempotent, thread-safe
 *
 * svc_new() calls it, so lwIP starts with the first network; calling it
 * earlier only moves the thread start.
 *
 * Return: 0
 */
int svc_global_init(void)
{
	pthread_once(&svc_once, svc_init_once);
	return 0;
}

/**
 * svc_linkoutput() - netif linkoutput: queue a frame for the loop thread
 * @netif:	our netif
 * @p:		the frame, as a pbuf chain; lwIP keeps ownership
 *
 * Runs with the core lock held, on the tcpip thread or the loop thread.
 *
 * Return: ERR_OK, also for a dropped frame (lwIP must not retry it)
 */
static err_t svc_linkoutput(struct netif *netif, struct pbuf *p)
{
	struct svc *s = netif->state;
	unsigned slot;

	pthread_mutex_lock(&s->qlock);
	if (s->count == s->nslots || p->tot_len > s->slot_size) {
		s->stats.tx_dropped++;
		pthread_mutex_unlock(&s->qlock);
		return ERR_OK;
	}
	slot = s->head;
	/* The slot is ours until count is raised: the consumer skips it. */
	pbuf_copy_partial(p, s->slots + (size_t)slot * s->slot_size, p->tot_len,
			  0);
	s->slot_len[slot] = p->tot_len;
	s->head = (slot + 1) % s->nslots;
	s->count++;
	pthread_mutex_unlock(&s->qlock);
	/*
	 * Replies to a guest's frame are made on the loop thread, inside
	 * svc_input(): drain them before the next poll instead of through
	 * the wake-up pipe, two system calls per reply.
	 */
	if (loop_in_thread(s->loop))
		loop_defer(s->loop, &s->drain);
	else
		loop_async_notify(s->async);
	return ERR_OK;
}

/**
 * svc_drain() - loop thread: deliver queued frames to the output callback
 * @arg:	the svc
 *
 * Delivers at most the frames queued when it started, so a busy lwIP
 * cannot keep the loop here; later frames have notified the loop again.
 */
static void svc_drain(void *arg)
{
	struct svc *s = arg;
	unsigned n;

	pthread_mutex_lock(&s->qlock);
	n = s->count;
	pthread_mutex_unlock(&s->qlock);

	while (n--) {
		unsigned slot = s->tail;

		s->out(s->arg, s->slots + (size_t)slot * s->slot_size,
		       s->slot_len[slot]);
		s->tail = (slot + 1) % s->nslots;
		s->stats.tx_frames++;
		pthread_mutex_lock(&s->qlock);
		s->count--;
		pthread_mutex_unlock(&s->qlock);
	}
}

/**
 * svc_netif_init() - netif_add() callback: an Ethernet interface
 * @netif:	the netif, its state the host
 *
 * Return: ERR_OK
 */
static err_t svc_netif_init(struct netif *netif)
{
	struct svc *s = netif->state;

	netif->name[0] = 's';
	netif->name[1] = 'v';
	netif->output = etharp_output;
	netif->linkoutput = svc_linkoutput;
	netif->mtu = (u16_t)frame_l3_len(s->slot_size);
	netif->hwaddr_len = ETH_HWADDR_LEN;
	/* No NETIF_FLAG_IGMP: the host joins no IPv4 multicast group. */
	netif->flags =
	    NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	if (s->has_ip6) {
		netif->output_ip6 = ethip6_output;
		/* solicited-node groups, for neighbour solicitations */
		netif->flags |= NETIF_FLAG_MLD6;
	}
	return ERR_OK;
}

/**
 * svc_netif_first() - put @netif at the head of lwIP's netif list
 * @netif:	the netif
 *
 * Core lock held. See the top of the file: ip4_route() then picks it
 * among netifs sharing a subnet.
 */
static void svc_netif_first(struct netif *netif)
{
	struct netif **pp;

	if (netif_list == netif)
		return;
	for (pp = &netif_list; *pp; pp = &(*pp)->next) {
		if (*pp == netif) {
			*pp = netif->next;
			netif->next = netif_list;
			netif_list = netif;
			return;
		}
	}
}

/**
 * svc_alias_add() - add the alias netif; core lock held
 * @s:		host
 * @cfg:	its configuration, with the alias
 * @mask:	the netmask
 *
 * Return: 0, or -1 if lwIP has no netif index left
 */
static int svc_alias_add(struct svc *s, const struct svc_config *cfg,
			 const ip4_addr_t *mask)
{
	ip4_addr_t addr;

	if (svc_count >= SVC_MAX)
		return -1;
	ip4_addr_set_u32(&addr, cfg->alias.s_addr);
	memcpy(s->alias.hwaddr, cfg->alias_mac, ETH_HWADDR_LEN);
	if (!netif_add(&s->alias, &addr, mask, IP4_ADDR_ANY4, s, svc_netif_init,
		       ethernet_input))
		return -1;
	svc_count++;
	s->has_alias = 1;
	netif_set_link_up(&s->alias);
	netif_set_up(&s->alias);
	if (s->has_ip6 && !IN6_IS_ADDR_UNSPECIFIED(&cfg->alias6))
		return svc_ip6_up(&s->alias, &cfg->alias6);
	return 0;
}

/**
 * svc_new() - create a services host
 * @l:		loop; svc functions and @out run on its thread
 * @cfg:	configuration (copied; cfg->dhcp is copied by dhcp_new())
 * @out:	called with every frame the host sends to the LAN
 * @arg:	its argument
 *
 * Return: the host, or NULL (with a message) for an invalid configuration,
 * too many hosts (SVC_MAX) or a lwIP failure; exits when out of memory
 */
struct svc *svc_new(struct loop *l, const struct svc_config *cfg,
		    svc_output_fn out, void *arg)
{
	int mtu = cfg->mtu ? cfg->mtu : 1500;
	ip4_addr_t addr, mask, gw;
	struct svc *s;
	unsigned n;

	if (mtu < 576 || mtu > 65520) {
		log_warnx("services: invalid MTU %d", mtu);
		return NULL;
	}
	svc_global_init();
	s = xcalloc(1, sizeof(*s));
	s->loop = l;
	s->out = out;
	s->arg = arg;
	s->has_ip6 = !IN6_IS_ADDR_UNSPECIFIED(&cfg->addr6);
	memcpy(s->alias_mac6, cfg->alias_mac6, ETH_HWADDR_LEN);
	s->slot_size = (unsigned)FRAME_LEN(mtu);
	n = SVC_QUEUE_BYTES / s->slot_size;
	s->nslots = n < SVC_QUEUE_MIN	? SVC_QUEUE_MIN
		    : n > SVC_QUEUE_MAX ? SVC_QUEUE_MAX
					: n;
	s->slots = xreallocarray(NULL, s->nslots, s->slot_size);
	s->slot_len = xcalloc(s->nslots, sizeof(*s->slot_len));
	pthread_mutex_init(&s->qlock, NULL);
	if (cfg->dhcp && !(s->dhcp = dhcp_new(cfg->dhcp)))
		goto fail_mutex;
	s->async = loop_async_new(l, svc_drain, s);
	s->drain.fn = svc_drain;
	s->drain.arg = s;

	ip4_addr_set_u32(&addr, cfg->addr.s_addr);
	ip4_addr_set_u32(&mask, cfg->netmask.s_addr);
	ip4_addr_set_u32(&gw, cfg->gw.s_addr);
	memcpy(s->netif.hwaddr, cfg->mac, ETH_HWADDR_LEN);

	LOCK_TCPIP_CORE();
	if (svc_count >= SVC_MAX) {
		UNLOCK_TCPIP_CORE();
		log_warnx("services: too many networks (%d)", SVC_MAX);
		goto fail_async;
	}
	if (!netif_add(&s->netif, &addr, &mask, &gw, s, svc_netif_init,
		       ethernet_input)) {
		UNLOCK_TCPIP_CORE();
		log_warnx("services: netif_add failed");
		goto fail_async;
	}
	svc_count++;
	netif_set_link_up(&s->netif);
	netif_set_up(&s->netif);
	if (s->has_ip6 && svc_ip6_up(&s->netif, &cfg->addr6)) {
		UNLOCK_TCPIP_CORE();
		log_warnx("services: cannot add the IPv6 address");
		svc_free(s);
		return NULL;
	}
	if (cfg->alias.s_addr && svc_alias_add(s, cfg, &mask)) {
		UNLOCK_TCPIP_CORE();
		log_warnx("services: cannot add the alias address");
		svc_free(s);
		return NULL;
	}
	if (s->dhcp) {
		s->dhcp_pcb = udp_new();
		if (s->dhcp_pcb) {
			/* Before bind: other netifs own port 67 too. */
			ip_set_option(s->dhcp_pcb, SOF_REUSEADDR);
			ip_set_option(s->dhcp_pcb, SOF_BROADCAST);
			udp_bind_netif(s->dhcp_pcb, &s->netif);
			if (udp_bind(s->dhcp_pcb, IP4_ADDR_ANY,
				     DHCP_SERVER_PORT) != ERR_OK) {
				udp_remove(s->dhcp_pcb);
				s->dhcp_pcb = NULL;
			}
		}
		if (!s->dhcp_pcb) {
			UNLOCK_TCPIP_CORE();
			log_warnx("services: cannot bind the DHCP port");
			svc_free(s);
			return NULL;
		}
	}
	UNLOCK_TCPIP_CORE();
	return s;

fail_async:
	loop_defer_cancel(s->loop, &s->drain);
	loop_async_free(s->async);
	dhcp_free(s->dhcp);
fail_mutex:
	pthread_mutex_destroy(&s->qlock);
	free(s->slots);
	free(s->slot_len);
	free(s);
	return NULL;
}

/**
 * svc_send_dhcp() - send a DHCP reply from port 67 through lwIP
 * @s:		host
 * @len:	reply length in @s->reply
 * @ri:		where it goes
 *
 * lwIP builds the IP/UDP headers and, for unicast, resolves the client's
 * address with ARP (a renewing client has it configured).
 */
static void svc_send_dhcp(struct svc *s, size_t len,
			  const struct dhcp_reply_info *ri)
{
	ip_addr_t dst;
	struct pbuf *p;
	err_t err = ERR_MEM;

	ip_addr_set_ip4_u32_val(dst, ri->broadcast ? IPADDR_BROADCAST
						   : ri->dst.s_addr);
	LOCK_TCPIP_CORE();
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (p) {
		pbuf_take(p, s->reply, (u16_t)len);
		err = udp_sendto_if(s->dhcp_pcb, p, &dst, DHCP_CLIENT_PORT,
				    &s->netif);
		pbuf_free(p);
	}
	UNLOCK_TCPIP_CORE();
	if (err == ERR_OK)
		s->stats.tx_dhcp++;
	else
		log_debug("services: DHCP reply not sent: %d", err);
}

/**
 * svc_dhcp_input() - handle a frame if it is IPv4/UDP to port 67
 * @s:		host
 * @ip:		IPv4 header, already checked by svc_input()
 * @hlen:	its length
 * @tot:	IPv4 total length, within the frame
 * @src:	the frame's Ethernet source: the DHCP server acts only on a
 *		message whose client hardware address is this one
 * @port:	the switch port the frame came in on (dhcp_handle())
 *
 * Why not a lwIP pcb on port 67: lwIP 2.1.3 built without LWIP_DHCP has
 * no IP_ACCEPT_LINK_LAYER_ADDRESSING, so ip4_input() treats the source
 * 0.0.0.0 of a DHCPDISCOVER as a broadcast source and drops the packet
 * (RFC 1122 3.2.1.3) before any pcb sees it. The DHCP server therefore
 * gets every UDP datagram to port 67 here, and only its replies go
 * through lwIP (udp_sendto_if() on a pcb bound to this netif).
 *
 * Return: 1 if the frame was consumed (handled or dropped), 0 if it is not
 * DHCP and goes to lwIP
 */
static int svc_dhcp_input(struct svc *s, const struct frame_ip4 *ip,
			  size_t hlen, size_t tot, const uint8_t *src,
			  uint32_t port)
{
	const uint8_t *u = (const uint8_t *)ip + hlen;
	const struct frame_udp *udp = (const struct frame_udp *)u;
	struct dhcp_reply_info ri;
	size_t ulen;
	int n;

	if (ip->proto != FRAME_IPPROTO_UDP || tot - hlen < FRAME_UDP_HLEN ||
	    be16_get(udp->dport) != DHCP_SERVER_PORT)
		return 0;
	if (!s->dhcp)
		return 0; /* lwIP answers port unreachable */
	ulen = be16_get(udp->len);
	if (ulen < FRAME_UDP_HLEN || ulen > tot - hlen) {
		s->stats.rx_dropped++;
		return 1;
	}
	s->stats.rx_dhcp++;
	n = dhcp_handle(s->dhcp, src, port, u + FRAME_UDP_HLEN,
			ulen - FRAME_UDP_HLEN, s->reply, sizeof(s->reply), &ri);
	if (n > 0)
		svc_send_dhcp(s, (size_t)n, &ri);
	return 1;
}

/**
 * svc_is_alias() - is @dst (network order) the alias address?
 * @s:		host
 * @dst:	the address
 *
 * Return: nonzero if it is
 */
static int svc_is_alias(const struct svc *s, uint32_t dst)
{
	return s->has_alias &&
	       dst == ip4_addr_get_u32(netif_ip4_addr(&s->alias));
}

/**
 * svc_arp_for_alias() - route an ARP frame to the right netif
 * @s:		host
 * @frame:	ARP frame
 * @len:	its length
 * @nif:	set to the alias netif for an ARP reply to the alias address
 *
 * ARP requests for the alias are libslirp's to answer: the alias only
 * learns from replies to its own requests.
 *
 * Return: 1 if the frame must be dropped, 0 to pass it to *@nif
 */
static int svc_arp_for_alias(struct svc *s, const uint8_t *frame, size_t len,
			     struct netif **nif)
{
	const struct frame_arp *arp = frame_arp(frame, len);
	uint32_t tip;

	if (!s->has_alias || !arp)
		return 0;
	memcpy(&tip, arp->tpa, 4);
	if (!svc_is_alias(s, tip))
		return 0;
	if (arp->op[1] != FRAME_ARP_REPLY) /* as before: the low byte */
		return 1;
	*nif = &s->alias;
	return 0;
}

/**
 * svc_syn_full() - whether a SYN from @src would make one half-open
 * connection too many
 * @s:		host
 * @src:	the SYN's source address, IPv4 or IPv6
 *
 * Counts lwIP's pcbs in SYN_RCVD bound to this host's netifs (accepted
 * connections inherit their listener's netif); core lock held.
 *
 * Return: 1 if @src has SVC_SYN_PER_SRC or the host SVC_SYN_MAX
 */
static int svc_syn_full(struct svc *s, const ip_addr_t *src)
{
	u8_t idx = netif_get_index(&s->netif);
	u8_t aidx = s->has_alias ? netif_get_index(&s->alias) : idx;
	const struct tcp_pcb *pcb;
	int nsrc = 0, nall = 0;

	for (pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
		if (pcb->state != SYN_RCVD ||
		    (pcb->netif_idx != idx && pcb->netif_idx != aidx))
			continue;
		nall++;
		/* zoneless: a link-local source has this netif's zone */
		if (ip_addr_cmp_zoneless(&pcb->remote_ip, src))
			nsrc++;
	}
	return nsrc >= SVC_SYN_PER_SRC || nall >= SVC_SYN_MAX;
}

/**
 * svc_mac_ok() - is an IPv4 or ARP frame's destination MAC the host's?
 * @s:		host
 * @mac:	the destination MAC
 *
 * Return: nonzero for the host's MAC, the alias's or broadcast
 */
static int svc_mac_ok(const struct svc *s, const uint8_t *mac)
{
	static const uint8_t bcast[ETH_HWADDR_LEN] = {0xff, 0xff, 0xff,
						      0xff, 0xff, 0xff};

	return !memcmp(mac, s->netif.hwaddr, ETH_HWADDR_LEN) ||
	       !memcmp(mac, bcast, ETH_HWADDR_LEN) ||
	       (s->has_alias && !memcmp(mac, s->alias.hwaddr, ETH_HWADDR_LEN));
}

/**
 * svc_ip4_for() - which netif of the host an IPv4 frame is for, if any;
 * DHCP is answered here
 * @s:		host
 * @f:		Ethernet frame of type IPv4, for the host's MAC
 * @len:	its length
 * @port:	the switch port it came in on (svc_dhcp_input())
 * @syn:	set to 1 for a TCP SYN without ACK (svc_syn_full())
 * @src:	set to the packet's source, for a SYN
 * @nif:	set to the netif to hand the frame to
 *
 * Return: 1 to hand the frame to *@nif, 0 if the DHCP server took it,
 * -1 to drop it
 */
static int svc_ip4_for(struct svc *s, const uint8_t *f, size_t len,
		       uint32_t port, int *syn, ip_addr_t *src,
		       struct netif **nif)
{
	uint32_t me = ip4_addr_get_u32(netif_ip4_addr(&s->netif));
	uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(&s->netif));
	struct netif *n = &s->netif;
	const struct frame_ip4 *ip;
	const struct frame_tcp *tcp;
	struct frame_info fi;
	size_t hlen, tot;
	uint32_t dst, a;

	/* no version 4, or a header length short or past the frame */
	if (frame_parse(f, len, &fi) || !fi.ip4 || !fi.l4)
		return -1;
	ip = fi.ip4;
	hlen = frame_ip4_hlen(ip);
	tot = be16_get(ip->len);
	if (tot < hlen || tot > frame_l3_len(len) ||
	    inet_chksum(ip, (u16_t)hlen) != 0)
		return -1;
	/* not a fragment: MF clear, offset zero */
	if (fi.frag_more || fi.frag_off)
		return -1;
	memcpy(&dst, ip->dst, 4);
	if (svc_is_alias(s, dst))
		n = &s->alias;
	else if (dst != me && dst != IPADDR_BROADCAST && dst != (me | ~mask))
		return -1;
	else if (svc_dhcp_input(s, ip, hlen, tot, frame_eth(f, len)->src, port))
		return 0;
	/* A SYN without ACK: it would make a pcb (svc_syn_full()). */
	tcp = (const struct frame_tcp *)(f + fi.l4);
	if (ip->proto == FRAME_IPPROTO_TCP && tot >= hlen + FRAME_TCP_HLEN &&
	    (tcp->flags & (FRAME_TCP_SYN | FRAME_TCP_ACK)) == FRAME_TCP_SYN) {
		*syn = 1;
		memcpy(&a, ip->src, 4);
		ip_addr_set_ip4_u32_val(*src, a);
	}
	*nif = n;
	return 1;
}

/**
 * svc_to_lwip() - hand a frame to lwIP on one of the host's netifs
 * @s:		host
 * @f:		Ethernet frame; copied
 * @len:	its length
 * @nif:	the netif
 * @syn_src:	the source of a TCP SYN without ACK, NULL for other frames
 *
 * Loop thread; takes the core lock. Counts the frame.
 */
static void svc_to_lwip(struct svc *s, const uint8_t *f, size_t len,
			struct netif *nif, const ip_addr_t *syn_src)
{
	struct pbuf *p;

	LOCK_TCPIP_CORE();
	if (syn_src && svc_syn_full(s, syn_src)) {
		UNLOCK_TCPIP_CORE();
		s->stats.rx_syn_dropped++;
		return;
	}
	p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
	if (!p) {
		UNLOCK_TCPIP_CORE();
		s->stats.rx_dropped++;
		return;
	}
	pbuf_take(p, f, (u16_t)len);
	svc_netif_first(nif);
	nif->input(p, nif); /* ethernet_input() frees p */
	UNLOCK_TCPIP_CORE();
	s->stats.rx_frames++;
}

/**
 * svc_input() - a frame from the LAN for the services host
 * @s:		host
 * @frame:	Ethernet frame, untrusted; copied
 * @len:	its length
 * @port:	the number of the switch port it came in on (sw_port_add()),
 *		0 for none: the DHCP server counts leases per port and asks
 *		whether the sender is on it
 *
 * Loop thread. Replies come out later through the output callback.
 */
void svc_input(struct svc *s, const uint8_t *frame, size_t len, uint32_t port)
{
	const struct frame_eth *eth = frame_eth(frame, len);
	struct netif *nif = NULL;
	ip_addr_t syn_src;
	int syn = 0;

	if (!eth || len > s->slot_size)
		goto drop;
	memset(&syn_src, 0, sizeof(syn_src));
	switch (be16_get(eth->type)) {
	case FRAME_ETH_IP6: /* multicast, or ::2 at the gateway's IPv6 MAC */
		nif = svc_ip6_for(s, frame, len, &syn, &syn_src);
		break;
	case FRAME_ETH_IP4:
		if (svc_mac_ok(s, eth->dst) &&
		    !svc_ip4_for(s, frame, len, port, &syn, &syn_src, &nif))
			return; /* DHCP */
		break;
	case FRAME_ETH_ARP:
		nif = &s->netif;
		if (!svc_mac_ok(s, eth->dst) ||
		    svc_arp_for_alias(s, frame, len, &nif))
			nif = NULL;
		break;
	}
	if (nif) {
		svc_to_lwip(s, frame, len, nif, syn ? &syn_src : NULL);
		return;
	}
drop:
	s->stats.rx_dropped++;
}

/**
 * svc_dhcp() - the DHCP server of this host, NULL if none was configured
 * @s:		host
 *
 * Return: the DHCP server, or NULL
 */
struct dhcp *svc_dhcp(struct svc *s)
{
	return s->dhcp;
}

/**
 * svc_netif() - the lwIP netif, for services binding pcbs to it
 * @s:		host
 *
 * Use it only under the core lock. Every pcb must be bound with
 * udp_bind_netif()/tcp_bind_netif(), with SOF_REUSEADDR set before bind,
 * and removed before svc_free().
 *
 * Return: its netif
 */
struct netif *svc_netif(struct svc *s)
{
	return &s->netif;
}

/**
 * svc_alias_netif() - the alias netif, NULL if none; same rules as
 * svc_netif()
 * @s:		host
 *
 * Return: the alias netif, or NULL without an alias
 */
struct netif *svc_alias_netif(struct svc *s)
{
	return s->has_alias ? &s->alias : NULL;
}

/**
 * svc_get_stats() - copy the counters; loop thread
 * @s:		host
 * @st:		filled with its counters
 */
void svc_get_stats(const struct svc *s, struct svc_stats *st)
{
	pthread_mutex_lock((pthread_mutex_t *)&s->qlock);
	*st = s->stats;
	pthread_mutex_unlock((pthread_mutex_t *)&s->qlock);
}

/**
 * svc_abort_tcp() - abort the TCP pcbs still bound to @netif
 * @netif:	the netif whose connections go
 *
 * Core lock held. A service closing its connections leaves lwIP pcbs in
 * FIN_WAIT or TIME_WAIT that still carry this netif's index; once it is
 * removed, a later netif could get the same index and inherit them.
 */
static void svc_abort_tcp(struct netif *netif)
{
	struct tcp_pcb **lists[] = {&tcp_active_pcbs, &tcp_tw_pcbs,
				    &tcp_bound_pcbs};
	u8_t idx = netif_get_index(netif);
	struct tcp_pcb *pcb;
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
	again:
		for (pcb = *lists[i]; pcb; pcb = pcb->next) {
			if (pcb->netif_idx == idx) {
				tcp_abort(pcb);
				goto again; /* the list changed */
			}
		}
	}
}

/**
 * svc_netif_remove() - remove one of our netifs; core lock held
 * @netif:	the netif
 */
static void svc_netif_remove(struct netif *netif)
{
	int i;

	svc_abort_tcp(netif);
	/*
	 * netif_remove() of an addressed netif calls
	 * tcp_netif_ip_addr_changed(addr, NULL), which aborts every TCP pcb
	 * with that local address - those of the other networks sharing
	 * 192.168.5.3 (or fec0::3) too. Ours are gone (above), so clear the
	 * addresses first and let netif_remove() skip that step. Setting an
	 * IPv6 state directly also skips netif_ip6_addr_set_state()'s same
	 * call; netif_remove() leaves the multicast groups all the same.
	 */
	ip4_addr_set_zero(ip_2_ip4(&netif->ip_addr));
	for (i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		netif->ip6_addr_state[i] = IP6_ADDR_INVALID;
	netif_remove(netif);
	svc_count--;
}

/**
 * svc_free() - remove the host; loop thread
 * @s:		host, or NULL
 *
 * Services using svc_netif() must have removed their pcbs first. After
 * the netif is removed under the core lock no lwIP thread can reach
 * svc_linkoutput() any more; frames still queued are dropped, and the
 * output callback is not called again.
 */
void svc_free(struct svc *s)
{
	struct udp_pcb *u;

	if (!s)
		return;
	LOCK_TCPIP_CORE();
	if (s->dhcp_pcb)
		udp_remove(s->dhcp_pcb);
	for (u = udp_pcbs; u; u = u->next)
		if (u->netif_idx == netif_get_index(&s->netif))
			log_warnx("services: UDP pcb still bound at free");
	svc_netif_remove(&s->netif);
	if (s->has_alias)
		svc_netif_remove(&s->alias);
	UNLOCK_TCPIP_CORE();

	loop_defer_cancel(s->loop, &s->drain);
	loop_async_free(s->async);
	pthread_mutex_destroy(&s->qlock);
	dhcp_free(s->dhcp);
	free(s->slots);
	free(s->slot_len);
	free(s);
}
