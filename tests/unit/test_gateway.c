/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_gateway.c - the libslirp glue: what libslirp says of a guest's
 * packet reaches our log, throttled, never glib's default handler.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/be.h"
#include "base/log.h"
#include "base/loop.h"
#include "packet/gateway.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_glib_log_routed),
	};

	log_init("test_gateway", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
