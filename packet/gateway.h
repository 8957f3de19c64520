/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gateway.h - the NAT gateway at .2 (and ::2): one libslirp instance per
 * network, driven by our loop. TCP, UDP and ICMP echo from the guests
 * leave through host sockets; .2 itself stands for the host's loopback,
 * ::2 for its ::1. With IPv6 on, libslirp also sends the router
 * advertisements (packet/ra.c completes them).
 */
#ifndef USERNETD_GATEWAY_H
#define USERNETD_GATEWAY_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct gw;

/**
 * struct gw_config - addresses of one network's gateway
 * @net:		network address
 * @mask:		netmask
 * @host:		the gateway's address (.2)
 * @guest:		first guest address libslirp assumes (.15)
 * @mtu:		interface MTU (68..65520)
 * @no_host_loopback:	refuse guest connections to the host's loopback
 * @ip6:		serve IPv6 (NAT, neighbour discovery, router
 *			advertisements); 0 leaves libslirp IPv4 only
 * @prefix6:		the /64 it advertises (host bits zero)
 * @host6:		the gateway's IPv6 address (::2 of @prefix6)
 */
struct gw_config {
	struct in_addr net;
	struct in_addr mask;
	struct in_addr host;
	struct in_addr guest;
	int mtu;
	int no_host_loopback;
	int ip6;
	struct in6_addr prefix6;
	struct in6_addr host6;
};

/**
 * struct gw_addr - an address of a host forward, IPv4 or IPv6
 * @family:	AF_INET or AF_INET6
 * @v4:		the address, if AF_INET
 * @v6:		the address, if AF_INET6
 */
struct gw_addr {
	int family;
	struct in_addr v4;
	struct in6_addr v6;
};

/* "[" IPv6 "]" or an IPv4 address, with the NUL */
#define GW_ADDR_TEXT (INET6_ADDRSTRLEN + 2)

/* A frame from the gateway to the LAN. */
typedef void (*gw_output_fn)(void *arg, const uint8_t *frame, size_t len);
/*
 * Would the LAN take this frame now (gw_set_room())? 1: send it (sent,
 * queued, or dropped whatever the wait); 0: libslirp keeps it for now.
 */
typedef int (*gw_room_fn)(void *arg, const uint8_t *frame, size_t len);

struct gw *gw_new(struct loop *l, const struct gw_config *cfg, gw_output_fn out,
		  void *arg);
void gw_free(struct gw *g);
void gw_set_room(struct gw *g, gw_room_fn room);
void gw_input(struct gw *g, const uint8_t *frame, size_t len);
void gw_mac(const struct gw *g, uint8_t mac[6]);
void gw_mac6(const struct gw *g, uint8_t mac[6]);
int gw_add_hostfwd(struct gw *g, int udp, const struct gw_addr *haddr,
		   int hport, const struct gw_addr *gaddr, int gport);
int gw_remove_hostfwd(struct gw *g, int udp, const struct gw_addr *haddr,
		      int hport);
const char *gw_addr_text(const struct gw_addr *a, char *buf);
int gw_nat_connections(struct gw *g);

/* A TCP connection of libslirp's, IPv4 or IPv6 (both of one family);
 * ports host order. */
typedef void (*gw_tcp_fn)(void *arg, const struct gw_addr *src, int sport,
			  const struct gw_addr *dst, int dport);
void gw_foreach_tcp(struct gw *g, gw_tcp_fn fn, void *arg);

/* A NAT socket of libslirp's (TCP or UDP): addresses and ports network
 * order, guest side first; both addresses 0 for an IPv6 socket, whose
 * addresses an unpatched libslirp 4.7 does not tell (and natcap keys
 * IPv6 flows by their ports either way). */
typedef void (*gw_flow_fn)(void *arg, int udp, uint32_t src, uint16_t sport,
			   uint32_t dst, uint16_t dport);
void gw_foreach_flow(struct gw *g, gw_flow_fn fn, void *arg);

#endif /* USERNETD_GATEWAY_H */
