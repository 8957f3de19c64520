/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ping6.c - ICMPv6 echo to the outside (packet/ping6.c): the echo
 * reply a guest gets is byte for byte what Linux's own stack sent in a
 * capture (tcpdump -xx of `ping -6 -s 24 -p 55aa` over lo, flow labels
 * off), checksum included; a destination unreachable quotes the request,
 * is cut at the minimum MTU and has a checksum right by an independent
 * sum (testlib's); what is not an echo request to the outside (the
 * gateway's own addresses, link-local, multicast, loopback, IPv4-mapped,
 * the network's prefix, replies, UDP) is left to libslirp, a damaged
 * request is dropped and counted; and where the host refuses ping
 * sockets (net.ipv4.ping_group_range), the guest gets an administratively
 * prohibited unreachable at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "tests/unit/testlib.h"

#include "base/loop.h"
#include "packet/ping6.h"

#define ETH 14

/* The capture: request 2001:db8:1::2 -> 2001:db8:1::1, id 0x457b, seq 1,
 * 24 bytes of data, and Linux's reply; Ethernet header as on lo (zeros) */
static const uint8_t cap_request[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0x40,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80,
    0x00, 0x7a, 0x6a, 0x45, 0x7b, 0x00, 0x01, 0x35, 0xaa, 0x15, 0x6b,
    0x00, 0x00, 0x00, 0x00, 0xbb, 0x88, 0x07, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa};
static const uint8_t cap_reply[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0x40,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x81,
    0x00, 0x79, 0x6a, 0x45, 0x7b, 0x00, 0x01, 0x35, 0xaa, 0x15, 0x6b,
    0x00, 0x00, 0x00, 0x00, 0xbb, 0x88, 0x07, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa};

static const uint8_t guest_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t gw_mac[6] = {0x52, 0x56, 0x00, 0x00, 0x00, 0x02};

/**
 * icmp6_sum() - the ICMPv6 checksum sum of an IPv6 packet in a frame,
 * computed from scratch
 * @f:		the frame
 *
 * Return: the folded sum over pseudo-header and message: 0xffff when the
 * checksum field is right
 */
static uint16_t icmp6_sum(const uint8_t *f)
{
	uint32_t plen = (uint32_t)(f[ETH + 4] << 8 | f[ETH + 5]);
	uint32_t s = tl_sum16(0, f + ETH + 8, 32);

	s += plen + 58;
	return tl_fold(tl_sum16(s, f + ETH + 40, plen));
}

/**
 * echo_of_capture() - the echo the captured request makes
 * @e:		filled in: the guest's MAC and address, the destination,
 *		the identifier and sequence
 */
static void echo_of_capture(struct ping6_echo *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->guest_mac, guest_mac, 6);
	memcpy(&e->guest, cap_request + ETH + 8, 16);
	memcpy(&e->remote, cap_request + ETH + 24, 16);
	e->id = 0x457b;
	e->seq = 1;
}

/**
 * test_reply_matches_capture() - the echo reply is the kernel's, byte for
 * byte, from whatever identifier and checksum the host's socket gave
 * @state:	unused
 */
static void test_reply_matches_capture(void **state)
{
	uint8_t f[PING6_HEAD + 64];
	struct ping6_echo e;
	size_t msg = sizeof(cap_reply) - PING6_HEAD, len;

	(void)state;
	echo_of_capture(&e);
	memset(f, 0xee, sizeof(f));
	memcpy(f + PING6_HEAD, cap_reply + PING6_HEAD, msg);
	f[PING6_HEAD + 2] = 0xde; /* the checksum the host's socket had */
	f[PING6_HEAD + 3] = 0xad;
	f[PING6_HEAD + 4] = 0x12; /* Linux's own identifier */
	f[PING6_HEAD + 5] = 0x34;
	len = ping6_reply_frame(f, msg, &e, gw_mac);
	assert_int_equal(len, sizeof(cap_reply));
	assert_memory_equal(f, guest_mac, 6);
	assert_memory_equal(f + 6, gw_mac, 6);
	assert_memory_equal(f + 12, cap_reply + 12, len - 12);
	assert_int_equal(icmp6_sum(f), 0xffff);
}

/**
 * test_reply_other_seq() - a changed sequence changes the checksum the
 * right way
 * @state:	unused
 */
static void test_reply_other_seq(void **state)
{
	uint8_t f[PING6_HEAD + 64];
	struct ping6_echo e;
	size_t msg = sizeof(cap_reply) - PING6_HEAD;

	(void)state;
	echo_of_capture(&e);
	e.seq = 0xfffe;
	memcpy(f + PING6_HEAD, cap_reply + PING6_HEAD, msg);
	ping6_reply_frame(f, msg, &e, gw_mac);
	assert_int_equal(f[PING6_HEAD + 6], 0xff);
	assert_int_equal(f[PING6_HEAD + 7], 0xfe);
	assert_int_equal(icmp6_sum(f), 0xffff);
	assert_memory_not_equal(f + PING6_HEAD + 2, cap_reply + PING6_HEAD + 2,
				2);
}

/**
 * test_unreach_quotes() - an unreachable from the gateway quotes the whole
 * request
 * @state:	unused
 */
static void test_unreach_quotes(void **state)
{
	const uint8_t *pkt = cap_request + ETH;
	size_t pkt_len = sizeof(cap_request) - ETH, len;
	uint8_t f[PING6_HEAD + 8 + 128];
	struct in6_addr gw;
	struct ping6_echo e;

	(void)state;
	echo_of_capture(&e);
	assert_int_equal(inet_pton(AF_INET6, "fec0::2", &gw), 1);
	len = ping6_unreach_frame(f, sizeof(f), pkt, pkt_len, &e, &gw, gw_mac,
				  PING6_UNREACH_ADMIN);
	assert_int_equal(len, PING6_HEAD + 8 + pkt_len);
	assert_memory_equal(f, guest_mac, 6);
	assert_memory_equal(f + 6, gw_mac, 6);
	assert_int_equal(f[ETH] >> 4, 6);
	assert_int_equal(f[ETH + 4] << 8 | f[ETH + 5], 8 + pkt_len);
	assert_int_equal(f[ETH + 6], 58);
	assert_memory_equal(f + ETH + 8, &gw, 16);
	assert_memory_equal(f + ETH + 24, &e.guest, 16);
	assert_int_equal(f[PING6_HEAD], 1);
	assert_int_equal(f[PING6_HEAD + 1], PING6_UNREACH_ADMIN);
	assert_memory_equal(f + PING6_HEAD + 4, "\0\0\0\0", 4);
	assert_memory_equal(f + PING6_HEAD + 8, pkt, pkt_len);
	assert_int_equal(icmp6_sum(f), 0xffff);
	/* too little room: nothing written past it */
	assert_int_equal(ping6_unreach_frame(f, PING6_HEAD + 8 + pkt_len - 1,
					     pkt, pkt_len, &e, &gw, gw_mac, 0),
			 0);
}

/**
 * test_unreach_cut() - a long request is quoted up to the minimum MTU (RFC
 * 4443 3.1)
 * @state:	unused
 */
static void test_unreach_cut(void **state)
{
	size_t pkt_len = 3000, len, i;
	uint8_t *pkt = malloc(pkt_len), *f = malloc(PING6_HEAD + 1300);
	struct in6_addr gw = IN6ADDR_LOOPBACK_INIT;
	struct ping6_echo e;

	(void)state;
	assert_non_null(pkt);
	assert_non_null(f);
	for (i = 0; i < pkt_len; i++)
		pkt[i] = (uint8_t)(i * 7);
	echo_of_capture(&e);
	len = ping6_unreach_frame(f, PING6_HEAD + 1300, pkt, pkt_len, &e, &gw,
				  gw_mac, PING6_UNREACH_NOROUTE);
	assert_int_equal(len, ETH + 1280);
	assert_int_equal(f[ETH + 4] << 8 | f[ETH + 5], 1240);
	assert_memory_equal(f + PING6_HEAD + 8, pkt, 1232);
	assert_int_equal(f[PING6_HEAD + 1], PING6_UNREACH_NOROUTE);
	assert_int_equal(icmp6_sum(f), 0xffff);
	free(pkt);
	free(f);
}

/**
 * struct sink - what ping6 handed the guests' side
 * @n:		frames
 * @f:		the last one
 * @len:	its length
 */
struct sink {
	int n;
	uint8_t f[2048];
	size_t len;
};

/**
 * sink_out() - ping6_out_fn: keep the frame
 * @arg:	struct sink
 * @frame:	the frame
 * @len:	its length
 */
static void sink_out(void *arg, const uint8_t *frame, size_t len)
{
	struct sink *s = arg;

	s->n++;
	assert_true(len <= sizeof(s->f));
	memcpy(s->f, frame, len);
	s->len = len;
}

/**
 * echo_to() - an echo request frame from the captured one, to @dst,
 * checksum right
 * @f:		the frame, sizeof(cap_request) bytes
 * @dst:	destination address, text
 */
static void echo_to(uint8_t *f, const char *dst)
{
	uint16_t sum;

	memcpy(f, cap_request, sizeof(cap_request));
	memcpy(f + 6, guest_mac, 6);
	assert_int_equal(inet_pton(AF_INET6, dst, f + ETH + 24), 1);
	f[PING6_HEAD + 2] = f[PING6_HEAD + 3] = 0;
	sum = (uint16_t)~icmp6_sum(f);
	f[PING6_HEAD + 2] = (uint8_t)(sum >> 8);
	f[PING6_HEAD + 3] = (uint8_t)sum;
	assert_int_equal(icmp6_sum(f), 0xffff);
}

/**
 * new_ping6() - a ping6 of a network with prefix fec0::/64
 * @l:		loop
 * @st:		its counters
 * @s:		its frames
 *
 * Return: the ping6
 */
static struct ping6 *new_ping6(struct loop *l, struct ping6_stats *st,
			       struct sink *s)
{
	struct ping6_config c = {
	    .name = "test",
	    .mtu = 1500,
	    .guest_max = 2,
	    .net_max = 4,
	    .timeout_ms = 1000,
	};

	assert_int_equal(inet_pton(AF_INET6, "fec0::", &c.prefix), 1);
	assert_int_equal(inet_pton(AF_INET6, "fec0::2", &c.gw), 1);
	memcpy(c.mac, gw_mac, 6);
	return ping6_new(l, &c, st, sink_out, s);
}

/**
 * test_not_taken() - not echo requests to the outside: left to the caller,
 * no socket
 * @state:	unused
 */
static void test_not_taken(void **state)
{
	static const char *const dsts[] = {
	    "fec0::2", "fec0::3", "fec0::99",		"fe80::2",    "ff02::1",
	    "::1",     "::",	  "::ffff:192.168.5.2", "::10.0.0.1",
	};
	struct loop *l = loop_new();
	struct ping6_stats st = {0};
	struct sink s = {0};
	struct ping6 *p = new_ping6(l, &st, &s);
	uint8_t f[sizeof(cap_request)];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		echo_to(f, dsts[i]);
		assert_int_equal(ping6_input(p, f, sizeof(f), 1), 0);
	}
	echo_to(f, "2001:db8:2::1");
	f[PING6_HEAD] = 129; /* an echo reply */
	assert_int_equal(ping6_input(p, f, sizeof(f), 1), 0);
	echo_to(f, "2001:db8:2::1");
	f[ETH + 6] = 17; /* UDP */
	assert_int_equal(ping6_input(p, f, sizeof(f), 1), 0);
	echo_to(f, "2001:db8:2::1");
	f[12] = 0x08; /* IPv4 */
	f[13] = 0x00;
	assert_int_equal(ping6_input(p, f, sizeof(f), 1), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(st.sent + st.bad + st.refused + st.unreach, 0);
	ping6_free(p);
	loop_free(l);
}

/**
 * test_bad_dropped() - damaged requests to the outside: taken, dropped,
 * counted
 * @state:	unused
 */
static void test_bad_dropped(void **state)
{
	struct loop *l = loop_new();
	struct ping6_stats st = {0};
	struct sink s = {0};
	struct ping6 *p = new_ping6(l, &st, &s);
	uint8_t f[sizeof(cap_request)];

	(void)state;
	echo_to(f, "2001:db8:2::1");
	f[PING6_HEAD + 10] ^= 1; /* checksum wrong */
	assert_int_equal(ping6_input(p, f, sizeof(f), 1), 1);
	echo_to(f, "2001:db8:2::1");
	assert_int_equal(ping6_input(p, f, sizeof(f) - 1, 1), 1); /* cut */
	echo_to(f, "2001:db8:2::1");
	f[PING6_HEAD + 1] = 1; /* code not 0 */
	assert_int_equal(ping6_input(p, f, sizeof(f), 1), 1);
	assert_int_equal(st.bad, 3);
	assert_int_equal(st.sent, 0);
	assert_int_equal(s.n, 0);
	ping6_free(p);
	loop_free(l);
}

/**
 * ping_refused() - does the host refuse this process ping sockets?
 *
 * Return: 1 if net.ipv4.ping_group_range leaves out our group, 0 if it
 * includes it, -1 if it cannot be read (not Linux)
 */
static int ping_refused(void)
{
	FILE *fp = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
	unsigned long lo, hi;
	int n;

	if (!fp)
		return -1;
	n = fscanf(fp, "%lu %lu", &lo, &hi);
	fclose(fp);
	if (n != 2)
		return -1;
	return !(getegid() >= lo && getegid() <= hi);
}

/**
 * test_refused_unreach() - a host that refuses ping sockets:
 * administratively prohibited, at once, quoting the request
 * @state:	unused
 */
static void test_refused_unreach(void **state)
{
	struct loop *l;
	struct ping6_stats st = {0};
	struct sink s = {0};
	struct ping6 *p;
	uint8_t f[sizeof(cap_request)];

	(void)state;
	if (ping_refused() != 1)
		skip(); /* the host allows them: e2e ipv6_ping covers it */
	l = loop_new();
	p = new_ping6(l, &st, &s);
	echo_to(f, "2001:db8:2::1");
	assert_int_equal(ping6_input(p, f, sizeof(f), 1), 1);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.unreach, 1);
	assert_int_equal(st.sent, 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.len, PING6_HEAD + 8 + sizeof(f) - ETH);
	assert_memory_equal(s.f, guest_mac, 6);
	assert_int_equal(s.f[PING6_HEAD], 1);
	assert_int_equal(s.f[PING6_HEAD + 1], PING6_UNREACH_ADMIN);
	assert_memory_equal(s.f + PING6_HEAD + 8, f + ETH, sizeof(f) - ETH);
	assert_int_equal(icmp6_sum(s.f), 0xffff);
	ping6_free(p);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reply_matches_capture),
	    cmocka_unit_test(test_reply_other_seq),
	    cmocka_unit_test(test_unreach_quotes),
	    cmocka_unit_test(test_unreach_cut),
	    cmocka_unit_test(test_not_taken),
	    cmocka_unit_test(test_bad_dropped),
	    cmocka_unit_test(test_refused_unreach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
