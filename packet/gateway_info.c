/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gateway_info.c - libslirp's connection table, read: how many NAT
 * connections a gateway holds, and each TCP connection or flow with its
 * addresses and ports (gw_nat_connections(), gw_foreach_tcp(),
 * gw_foreach_flow()).
 *
 * libslirp 4.7 tells nothing when it opens or closes a socket and
 * describes its sockets only as text (slirp_connection_info()); this
 * file is the one parser of that text, for the old form and for the one
 * patch 0013 (connection-info-ipv6) gives IPv6 sockets. Its cost grows
 * with the number of sockets, so callers read it at a cap or an event
 * (natcap.c, reap.c), never per frame.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slirp/libslirp.h>

#include "packet/gateway.h"
#include "packet/gateway_int.h"

/**
 * gw_info_lines() - call @fn for each socket line of libslirp's table
 * @g:		gateway
 * @fn:		called with a line, without its newline
 * @arg:	its argument
 *
 * libslirp describes its sockets only through slirp_connection_info(), a
 * text table: one header line, then one line per socket, "  TCP[STATE]" or
 * "  UDP[...]", its descriptor, source address and port, destination
 * address and port, and its two queue lengths. The table is a copy: @fn
 * may call into libslirp.
 */
static void gw_info_lines(struct gw *g, void (*fn)(void *, const char *),
			  void *arg)
{
	char *info = slirp_connection_info(gw_slirp(g)), *line, *save = NULL;

	if (!info)
		return;
	line = strtok_r(info, "\n", &save); /* the header */
	while (line && (line = strtok_r(NULL, "\n", &save)))
		fn(arg, line);
	free(info); /* g_strdup()'d: glib allocates with malloc() */
}

/**
 * gw_count_line() - gw_nat_connections()'s line counter
 * @arg:	the count
 * @line:	a line of libslirp's connection info
 */
static void gw_count_line(void *arg, const char *line)
{
	if (!strstr(line, "HOST_FORWARD"))
		++*(int *)arg;
}

/**
 * gw_nat_connections() - how many NAT connections libslirp holds
 * @g:		gateway
 *
 * Listening sockets of host forwards are not connections and are not
 * counted.
 *
 * Return: the number of TCP and UDP sockets libslirp has open for guests
 */
int gw_nat_connections(struct gw *g)
{
	int n = 0;

	gw_info_lines(g, gw_count_line, &n);
	return n;
}

/**
 * struct gw_info_sock - one socket line of libslirp's connection info
 * @udp:	nonzero for UDP, zero for TCP
 * @src:	the source address; AF_UNSPEC if the line does not name it
 *		(an IPv6 socket of an unpatched libslirp 4.7: "*" and 0.0.0.0)
 * @sport:	the source port, host order
 * @dst:	the destination address (AF_UNSPEC as @src)
 * @dport:	the destination port, host order
 */
struct gw_info_sock {
	int udp;
	struct gw_addr src;
	int sport;
	struct gw_addr dst;
	int dport;
};

/**
 * gw_info_addr() - parse an address column of the connection info
 * @text:	the column
 * @a:		set to the address
 *
 * Return: 0 if @text is an IPv4 or IPv6 address, else -1
 */
static int gw_info_addr(const char *text, struct gw_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, &a->v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, text, &a->v6) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return 0;
}

/**
 * gw_info_sock() - parse a TCP or UDP line of libslirp's connection info
 * @line:	the line
 * @s:		set to the socket
 *
 * libslirp 4.7 prints an IPv6 socket through its IPv4 fields: the source
 * is the zero flow label ("*"), the destination 0.0.0.0, the ports are
 * right; both addresses come back AF_UNSPEC. With patch 0013
 * (connection-info-ipv6) it prints the IPv6 addresses, wider than their
 * 15-character columns.
 *
 * Return: 0 for a TCP or UDP socket but a host forward's listener, else -1
 */
static int gw_info_sock(const char *line, struct gw_info_sock *s)
{
	char proto[4], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	memset(s, 0, sizeof(*s));
	if (strstr(line, "HOST_FORWARD") ||
	    sscanf(line, " %3[A-Z][%*[^]]] %*d %45s %d %45s %d", proto, src,
		   &s->sport, dst, &s->dport) != 5 ||
	    (strcmp(proto, "TCP") && strcmp(proto, "UDP")))
		return -1;
	s->udp = !strcmp(proto, "UDP");
	if (!strcmp(src, "*") && !strcmp(dst, "0.0.0.0"))
		return 0; /* IPv6, unpatched: its ports only */
	if (gw_info_addr(dst, &s->dst))
		return -1;
	if (!strcmp(src, "*") && s->dst.family == AF_INET6) {
		s->src.family = AF_INET6; /* patched: unspecified, as "::" */
		return 0;
	}
	if (gw_info_addr(src, &s->src) || s->src.family != s->dst.family)
		return -1;
	return 0;
}

/**
 * struct gw_tcp_walk - gw_foreach_tcp()'s callback and its argument
 * @fn:		the callback, once per TCP connection
 * @arg:	its argument
 */
struct gw_tcp_walk {
	gw_tcp_fn fn;
	void *arg;
};

/**
 * gw_tcp_line() - gw_foreach_tcp()'s line parser
 * @arg:	the walk (callback and its argument)
 * @line:	a line of libslirp's connection info
 */
static void gw_tcp_line(void *arg, const char *line)
{
	struct gw_tcp_walk *w = arg;
	struct gw_info_sock s;

	if (gw_info_sock(line, &s) || s.udp || s.src.family == AF_UNSPEC)
		return;
	w->fn(w->arg, &s.src, s.sport, &s.dst, s.dport);
}

/**
 * gw_foreach_tcp() - report libslirp's TCP connections
 * @g:		gateway
 * @fn:		called with each connection's source and destination
 * @arg:	its argument
 *
 * For a connection a guest opened the source is the guest's side and the
 * destination the host it reached; for one accepted from a host forward,
 * libslirp shows the host socket's own address as the source. IPv6
 * connections are reported only by a libslirp that prints their addresses
 * (patch 0013). @fn may call gw_input().
 */
void gw_foreach_tcp(struct gw *g, gw_tcp_fn fn, void *arg)
{
	struct gw_tcp_walk w = {fn, arg};

	gw_info_lines(g, gw_tcp_line, &w);
}

/**
 * struct gw_flow_walk - gw_foreach_flow()'s callback and its argument
 * @fn:		the callback, once per flow
 * @arg:	its argument
 */
struct gw_flow_walk {
	gw_flow_fn fn;
	void *arg;
};

/**
 * gw_flow_line() - gw_foreach_flow()'s line parser
 * @arg:	the walk (callback and its argument)
 * @line:	a line of libslirp's connection info
 *
 * An IPv6 socket is reported by its ports alone, its addresses 0, whether
 * libslirp printed them or not (natcap_seen()'s contract).
 */
static void gw_flow_line(void *arg, const char *line)
{
	struct gw_flow_walk *w = arg;
	struct gw_info_sock s;

	if (gw_info_sock(line, &s))
		return;
	w->fn(w->arg, s.udp, s.src.family == AF_INET ? s.src.v4.s_addr : 0,
	      htons((uint16_t)s.sport),
	      s.dst.family == AF_INET ? s.dst.v4.s_addr : 0,
	      htons((uint16_t)s.dport));
}

/**
 * gw_foreach_flow() - report libslirp's TCP and UDP sockets but host
 * forwards' listeners
 * @g:		gateway
 * @fn:		called with each socket's guest side and remote side
 * @arg:	its argument
 *
 * For a UDP socket the remote side is the last the guest sent to. @fn
 * must not call into libslirp's socket table (the walk reads a copy, but
 * keep it cheap: it runs over every socket).
 */
void gw_foreach_flow(struct gw *g, gw_flow_fn fn, void *arg)
{
	struct gw_flow_walk w = {fn, arg};

	gw_info_lines(g, gw_flow_line, &w);
}
