/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_gateway.c - the libslirp glue: what libslirp says of a guest's
 * packet reaches our log, throttled, never glib's default handler; a
 * guest's IPv6 TCP connection read back from libslirp's connection info,
 * with its addresses when libslirp prints them (patch 0013), by its ports
 * alone for the NAT share either way.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/be.h"
#include "base/log.h"
#include "base/loop.h"
#include "packet/gateway.h"
#include "packet/slirpcfg.h"
#include "tests/unit/testlib.h"

/**
 * gw_out() - gw_output_fn: frames libslirp sends are not looked at here
 * @arg:	unused
 * @frame:	unused
 * @len:	unused
 */
static void gw_out(void *arg, const uint8_t *frame, size_t len)
{
	(void)arg;
	(void)frame;
	(void)len;
}

/**
 * echo6() - an ICMPv6 echo request from fec0::5 to 2001:db8::1, to the
 * gateway's IPv6 MAC, checksum right
 * @f:		the frame, at least 62 bytes
 *
 * libslirp 4.7 cannot forward it: it reports "external icmpv6 not
 * supported yet" with g_critical() (the network hands such echoes to
 * ping6.c instead; the gateway alone still gets it here).
 *
 * Return: the frame's length
 */
static size_t echo6(uint8_t *f)
{
	static const uint8_t dst[6] = {0x52, 0x56, 0, 0, 0, 2};
	static const uint8_t src[6] = {0x52, 0x55, 0x55, 0, 0, 1};
	uint8_t *ip = f + 14, *icmp = f + 54;
	uint32_t s;

	memset(f, 0, 62);
	tl_eth(f, dst, src, 0x86dd);
	ip[0] = 0x60;
	be16_put(ip + 4, 8); /* payload length */
	ip[6] = 58;	     /* ICMPv6 */
	ip[7] = 64;
	assert_int_equal(inet_pton(AF_INET6, "fec0::5", ip + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", ip + 24), 1);
	icmp[0] = 128; /* echo request */
	be16_put(icmp + 4, 0x1234);
	be16_put(icmp + 6, 1);
	s = tl_sum16(0, ip + 8, 32) + 8 + 58; /* the pseudo-header */
	be16_put(icmp + 2, (uint16_t)~tl_fold(tl_sum16(s, icmp, 8)));
	return 62;
}

/**
 * count() - occurrences of @needle in @hay
 * @hay:	text
 * @needle:	what to count
 *
 * Return: how many times it occurs
 */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

/**
 * test_glib_log_routed() - libslirp's g_critical() on a guest's packet goes
 * to our log as one throttled line; glib's handler (which writes to stderr
 * after an isatty() the sandbox forbids) never runs
 * @state:	unused
 */
static void test_glib_log_routed(void **state)
{
	char path[] = "/tmp/test_gateway.XXXXXX", text[4096];
	struct gw_config gc = {0};
	int fd, saved, i;
	uint8_t f[64];
	struct loop *l;
	struct gw *g;
	ssize_t n;
	size_t len;

	(void)state;
	l = loop_new();
	assert_non_null(l);
	gc.net.s_addr = tl_ip4("192.168.5.0");
	gc.mask.s_addr = tl_ip4("255.255.255.0");
	gc.host.s_addr = tl_ip4("192.168.5.2");
	gc.guest.s_addr = tl_ip4("192.168.5.15");
	gc.mtu = 1500;
	gc.ip6 = 1;
	assert_int_equal(inet_pton(AF_INET6, "fec0::", &gc.prefix6), 1);
	assert_int_equal(inet_pton(AF_INET6, "fec0::2", &gc.host6), 1);
	g = gw_new(l, &gc, gw_out, NULL);
	assert_non_null(g);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	len = echo6(f);
	for (i = 0; i < 3; i++)
		gw_input(g, f, len);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);

	n = pread(fd, text, sizeof(text) - 1, 0);
	assert_true(n > 0);
	text[n] = '\0';
	close(fd);
	unlink(path);
	assert_int_equal(count(text, "external icmpv6 not supported yet"), 1);
	assert_int_equal(count(text, "CRITICAL"), 0); /* glib's format */

	gw_free(g);
	loop_free(l);
}

/**
 * gw_new6() - a gateway for 192.168.5.0/24 and fec0::/64, host fec0::2
 * @l:		its loop
 *
 * Return: the gateway
 */
static struct gw *gw_new6(struct loop *l)
{
	struct gw_config gc = {0};
	struct gw *g;

	gc.net.s_addr = tl_ip4("192.168.5.0");
	gc.mask.s_addr = tl_ip4("255.255.255.0");
	gc.host.s_addr = tl_ip4("192.168.5.2");
	gc.guest.s_addr = tl_ip4("192.168.5.15");
	gc.mtu = 1500;
	gc.ip6 = 1;
	assert_int_equal(inet_pton(AF_INET6, "fec0::", &gc.prefix6), 1);
	assert_int_equal(inet_pton(AF_INET6, "fec0::2", &gc.host6), 1);
	g = gw_new(l, &gc, gw_out, NULL);
	assert_non_null(g);
	return g;
}

/**
 * syn6() - a TCP SYN from [fec0::5]:40000 to [fec0::2]:@port, to the
 * gateway's IPv6 MAC, checksum right
 * @f:		the frame, at least 74 bytes
 * @g:		the gateway
 * @port:	the destination port
 *
 * Return: the frame's length
 */
static size_t syn6(uint8_t *f, struct gw *g, uint16_t port)
{
	uint8_t *ip = f + 14, *tcp = f + 54;
	uint32_t s;

	memset(f, 0, 74);
	gw_mac6(g, f);
	memcpy(f + 6, (uint8_t[]){0x52, 0x54, 0, 0x12, 0x34, 0x56}, 6);
	be16_put(f + 12, 0x86dd);
	ip[0] = 0x60;
	be16_put(ip + 4, 20);
	ip[6] = 6;
	ip[7] = 64;
	assert_int_equal(inet_pton(AF_INET6, "fec0::5", ip + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, "fec0::2", ip + 24), 1);
	be16_put(tcp, 40000);
	be16_put(tcp + 2, port);
	be32_put(tcp + 4, 1000);
	tcp[12] = 5 << 4;
	tcp[13] = 0x02;
	be16_put(tcp + 14, 65535);
	s = tl_sum16(0, ip + 8, 32) + 20 + 6; /* the pseudo-header */
	be16_put(tcp + 16, (uint16_t)~tl_fold(tl_sum16(s, tcp, 20)));
	return 74;
}

/**
 * struct seen - what the walks reported
 * @tcp:	gw_foreach_tcp() calls
 * @src:	the last source it reported
 * @sport:	its port
 * @dst:	the last destination
 * @dport:	its port
 * @flows:	gw_foreach_flow() calls for TCP with the SYN's ports
 * @zero:	of those, with both addresses 0 (an IPv6 flow by its ports)
 */
struct seen {
	int tcp;
	struct gw_addr src;
	int sport;
	struct gw_addr dst;
	int dport;
	int flows;
	int zero;
};

/**
 * seen_tcp() - gw_tcp_fn: remember the connection
 * @arg:	struct seen
 * @src:	its source
 * @sport:	source port
 * @dst:	its destination
 * @dport:	destination port
 */
static void seen_tcp(void *arg, const struct gw_addr *src, int sport,
		     const struct gw_addr *dst, int dport)
{
	struct seen *w = arg;

	w->tcp++;
	w->src = *src;
	w->sport = sport;
	w->dst = *dst;
	w->dport = dport;
}

/**
 * seen_flow() - gw_flow_fn: count the SYN's flow
 * @arg:	struct seen
 * @udp:	nonzero for UDP
 * @src:	guest address (IPv4), network order
 * @sport:	guest port, network order
 * @dst:	remote address (IPv4), network order
 * @dport:	remote port, network order
 */
static void seen_flow(void *arg, int udp, uint32_t src, uint16_t sport,
		      uint32_t dst, uint16_t dport)
{
	struct seen *w = arg;

	(void)dport;
	if (udp || ntohs(sport) != 40000)
		return;
	w->flows++;
	w->zero += !src && !dst;
}

/**
 * test_tcp6_listed() - a guest's SYN to [fec0::2]:PORT makes libslirp
 * connect to [::1]:PORT; the connection info names it: gw_foreach_tcp()
 * with its IPv6 addresses and ports when libslirp has patch 0013
 * (connection-info), nothing without (an unpatched 4.7 prints no IPv6
 * address); gw_foreach_flow() by its ports with addresses 0 either way
 * @state:	unused
 */
static void test_tcp6_listed(void **state)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6};
	socklen_t sl = sizeof(sa);
	struct seen w = {0};
	struct in6_addr a;
	struct loop *l;
	struct gw *g;
	uint8_t f[74];
	int lfd;

	(void)state;
	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	sa.sin6_addr = in6addr_loopback;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4)) {
		close(lfd);
		skip(); /* no ::1 on this machine */
	}
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	l = loop_new();
	assert_non_null(l);
	g = gw_new6(l);
	gw_input(g, f, syn6(f, g, ntohs(sa.sin6_port)));
	gw_foreach_tcp(g, seen_tcp, &w);
	gw_foreach_flow(g, seen_flow, &w);
	if (strstr(slirpcfg_describe(), "connection-info")) {
		assert_int_equal(w.tcp, 1);
		assert_int_equal(w.src.family, AF_INET6);
		assert_int_equal(inet_pton(AF_INET6, "fec0::5", &a), 1);
		assert_memory_equal(&w.src.v6, &a, 16);
		assert_int_equal(w.sport, 40000);
		assert_int_equal(w.dst.family, AF_INET6);
		assert_int_equal(inet_pton(AF_INET6, "fec0::2", &a), 1);
		assert_memory_equal(&w.dst.v6, &a, 16);
		assert_int_equal(w.dport, ntohs(sa.sin6_port));
	} else {
		assert_int_equal(w.tcp, 0);
	}
	assert_int_equal(w.flows, 1);
	assert_int_equal(w.zero, 1);
	gw_free(g);
	loop_free(l);
	close(lfd);
}

/**
 * main() - run this file's tests with cmocka
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed,
 * else how many failed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_glib_log_routed),
	    cmocka_unit_test(test_tcp6_listed),
	};

	log_init("test_gateway", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
