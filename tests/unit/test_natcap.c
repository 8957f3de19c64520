/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_natcap.c - each port's share of the NAT sockets (packet/natcap.c):
 * SYNs and UDP datagrams from new source ports are charged to their port
 * and refused past its cap while another port still opens flows; a SYN
 * sent again, a later segment, a UDP datagram from a known source port and
 * a later fragment are not new flows; a recount against libslirp's table
 * (a fake here) frees the flows it no longer holds, at most every
 * NATCAP_RECOUNT_MS; the network's cap holds for all ports together;
 * truncated frames are read within bounds (heap blocks of their exact
 * length, for ASan).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packet/natcap.h"

/**
 * struct live - the fake libslirp table: the flows it holds
 * @tcp_sport:	source ports of live TCP flows (host order), 0 ends
 * @walks:	how many recounts read it
 */
struct live {
	uint16_t tcp_sport[64];
	int walks;
};

/**
 * walk() - natcap_walk_fn: report the live TCP flows from 10.0.0.x
 * to 1.2.3.4:80
 * @arg:	struct live, the flows to report
 * @c:		the natcap to report them to
 */
static void walk(void *arg, struct natcap *c)
{
	struct live *l = arg;
	int i;

	l->walks++;
	for (i = 0; l->tcp_sport[i]; i++)
		natcap_seen(c, 0, htonl(0x0a000001), htons(l->tcp_sport[i]),
			    htonl(0x01020304), htons(80));
}

/**
 * seg() - an IPv4 TCP segment or UDP datagram from 10.0.0.1:@sport to
 * 1.2.3.4:80, as a heap block of @len bytes (cut when shorter)
 * @udp:	non-zero for UDP, else TCP
 * @sport:	source port
 * @flags:	TCP flags
 * @frag:	IPv4 flags and fragment offset field
 * @len:	set to the block's length
 *
 * Return: the frame, malloc()ed
 */
static uint8_t *seg(int udp, uint16_t sport, uint8_t flags, uint16_t frag,
		    size_t *len)
{
	uint8_t *f = calloc(1, 14 + 20 + 20);

	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 6] = (uint8_t)(frag >> 8);
	f[14 + 7] = (uint8_t)frag;
	f[14 + 9] = udp ? 17 : 6;
	f[14 + 12] = 10, f[14 + 15] = 1;
	f[14 + 16] = 1, f[14 + 17] = 2, f[14 + 18] = 3, f[14 + 19] = 4;
	f[34] = (uint8_t)(sport >> 8), f[35] = (uint8_t)sport;
	f[37] = 80;
	f[34 + 13] = flags;
	*len = 14 + 20 + 20;
	return f;
}

/**
 * admit() - natcap_admit() on a segment from @sport of port @owner at @now
 * @c:		natcap
 * @l:		the live flows walk() reports
 * @udp:	non-zero for UDP, else TCP
 * @sport:	source port
 * @flags:	TCP flags
 * @owner:	the port it came from
 * @now:	the time, in ms
 *
 * Return: what natcap_admit() returned
 */
static int admit(struct natcap *c, struct live *l, int udp, uint16_t sport,
		 uint8_t flags, uint32_t owner, int64_t now)
{
	size_t len;
	uint8_t *f = seg(udp, sport, flags, 0, &len);
	int v = natcap_admit(c, f, len, owner, now, walk, l);

	free(f);
	return v;
}

/**
 * test_guest_cap() - a guest may open its share of TCP flows; SYNs of known
 * flows, ACKs and RSTs open none
 * @state:	unused
 */
static void test_guest_cap(void **state)
{
	struct natcap c = {0};
	struct live l = {0};
	uint16_t p;

	(void)state;
	natcap_init(&c, 8, 20);
	for (p = 1; p <= 8; p++)
		assert_int_equal(admit(&c, &l, 0, p, 0x02, 1, 0), NATCAP_PASS);
	/* the same SYNs again, an ACK, a RST: no new flow */
	for (p = 1; p <= 8; p++)
		assert_int_equal(admit(&c, &l, 0, p, 0x02, 1, 0), NATCAP_PASS);
	assert_int_equal(admit(&c, &l, 0, 100, 0x10, 1, 0), NATCAP_PASS);
	assert_int_equal(admit(&c, &l, 0, 101, 0x12, 1, 0), NATCAP_PASS);
	assert_int_equal(admit(&c, &l, 0, 102, 0x06, 1, 0), NATCAP_PASS);
	assert_int_equal(natcap_held(&c, 1), 8);
	/* the 9th: refused, after one recount that found all 8 alive */
	for (p = 1; p <= 8; p++)
		l.tcp_sport[p - 1] = p;
	assert_int_equal(admit(&c, &l, 0, 9, 0x02, 1, 1000), NATCAP_OVER_GUEST);
	assert_int_equal(l.walks, 1);
	/* refused again without reading the table */
	assert_int_equal(admit(&c, &l, 0, 10, 0x02, 1, 1001),
			 NATCAP_OVER_GUEST);
	assert_int_equal(admit(&c, &l, 1, 10, 0, 1, 1002), NATCAP_OVER_GUEST);
	assert_int_equal(l.walks, 1);
	/* another port is not refused */
	assert_int_equal(admit(&c, &l, 0, 50, 0x02, 2, 1003), NATCAP_PASS);
	assert_int_equal(admit(&c, &l, 1, 51, 0, 2, 1003), NATCAP_PASS);
	assert_int_equal(admit(&c, &l, 1, 51, 0, 2, 1003), NATCAP_PASS);
	assert_int_equal(natcap_held(&c, 2), 2);
	/* half of port 1's flows end: after NATCAP_RECOUNT_MS it opens more */
	memset(l.tcp_sport, 0, sizeof(l.tcp_sport));
	for (p = 1; p <= 4; p++)
		l.tcp_sport[p - 1] = p;
	assert_int_equal(admit(&c, &l, 0, 11, 0x02, 1, 1100),
			 NATCAP_OVER_GUEST);
	assert_int_equal(
	    admit(&c, &l, 0, 11, 0x02, 1, 1000 + NATCAP_RECOUNT_MS),
	    NATCAP_PASS);
	assert_int_equal(l.walks, 2);
	assert_int_equal(natcap_held(&c, 1), 5);
	/* the recount forgot port 2's flows: the fake holds none of them */
	assert_int_equal(natcap_held(&c, 2), 0);
	natcap_free(&c);
}

/**
 * test_net_cap() - the network's cap holds across guests, and a guest below its
 * share is refused only when the network is full
 * @state:	unused
 */
static void test_net_cap(void **state)
{
	struct natcap c = {0};
	struct live l = {0};
	uint16_t p;
	uint32_t o;

	(void)state;
	natcap_init(&c, 8, 20);
	for (p = 1; p <= 20; p++) {
		o = 1 + p % 4;
		l.tcp_sport[p - 1] = p;
		assert_int_equal(admit(&c, &l, 0, p, 0x02, o, 0), NATCAP_PASS);
	}
	/* a fifth port, below its share: the network is full */
	assert_int_equal(admit(&c, &l, 0, 21, 0x02, 5, 0), NATCAP_OVER_NET);
	assert_int_equal(l.walks, 1);
	/* libslirp let them all go: the next recount frees the network */
	memset(l.tcp_sport, 0, sizeof(l.tcp_sport));
	assert_int_equal(admit(&c, &l, 0, 21, 0x02, 5, NATCAP_RECOUNT_MS),
			 NATCAP_PASS);
	assert_int_equal(c.n, 1);
	natcap_free(&c);
}

/**
 * test_frames() - only whole datagrams and first fragments open a flow; every
 * truncation of a SYN is read within bounds; IPv6 and ARP open nothing
 * @state:	unused
 */
static void test_frames(void **state)
{
	struct natcap c = {0};
	struct live l = {0};
	size_t len, i;
	uint8_t *f;

	(void)state;
	natcap_init(&c, 1, 10);
	/* a later fragment opens nothing */
	f = seg(1, 7, 0, 0x0010, &len);
	assert_int_equal(natcap_admit(&c, f, len, 1, 0, walk, &l), NATCAP_PASS);
	free(f);
	assert_int_equal(c.n, 0);
	/* a first fragment of UDP does */
	f = seg(1, 7, 0, 0x2000, &len);
	assert_int_equal(natcap_admit(&c, f, len, 1, 0, walk, &l), NATCAP_PASS);
	free(f);
	assert_int_equal(c.n, 1);
	/* every truncation of a SYN, within bounds */
	f = seg(0, 9, 0x02, 0, &len);
	for (i = 0; i < len; i++) {
		uint8_t *t = malloc(i ? i : 1);

		memcpy(t, f, i);
		(void)natcap_admit(&c, t, i, 2, 0, walk, &l);
		free(t);
	}
	free(f);
	/* IPv6 and ARP open nothing */
	f = seg(0, 9, 0x02, 0, &len);
	f[12] = 0x86, f[13] = 0xdd;
	assert_int_equal(natcap_admit(&c, f, len, 1, 0, walk, &l), NATCAP_PASS);
	free(f);
	natcap_free(&c);
}

/**
 * test_many() - NATCAP_GUEST_MAX flows are all found again, and a recount frees
 * the ones the gateway no longer holds
 * @state:	unused
 */
static void test_many(void **state)
{
	struct natcap c = {0};
	struct live l = {0};
	unsigned p;

	(void)state;
	natcap_init(&c, NATCAP_GUEST_MAX, NATCAP_NET_MAX);
	for (p = 1; p <= NATCAP_GUEST_MAX; p++)
		assert_int_equal(admit(&c, &l, 0, (uint16_t)p, 0x02, 1, 0),
				 NATCAP_PASS);
	for (p = 1; p <= NATCAP_GUEST_MAX; p++) /* all found again */
		assert_int_equal(admit(&c, &l, 0, (uint16_t)p, 0x02, 1, 0),
				 NATCAP_PASS);
	assert_int_equal(natcap_held(&c, 1), NATCAP_GUEST_MAX);
	assert_int_equal(admit(&c, &l, 0, 60000, 0x02, 1, 0), NATCAP_PASS);
	/* the fake holds none: the recount freed all but the new one */
	assert_int_equal(natcap_held(&c, 1), 1);
	natcap_free(&c);
}

/**
 * main() - run this file's tests with cmocka
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed, else
 * how many failed
 */
/**
 * walk6() - natcap_walk_fn: libslirp 4.7 as it lists IPv6 sockets: no
 * addresses, the ports of @arg's live TCP flows to port 80
 * @arg:	struct live, the flows to report
 * @c:		the natcap to report them to
 */
static void walk6(void *arg, struct natcap *c)
{
	struct live *l = arg;
	int i;

	l->walks++;
	for (i = 0; l->tcp_sport[i]; i++)
		natcap_seen(c, 0, 0, htons(l->tcp_sport[i]), 0, htons(80));
}

/**
 * syn6() - natcap_admit() on an IPv6 SYN from [fec0::5]:@sport to
 * [2001:db8::@dst]:80
 * @c:		flows
 * @l:		the fake libslirp table, for a recount
 * @sport:	source port
 * @dst:	last byte of the destination
 * @now:	loop time, ms
 *
 * Return: what natcap_admit() returned
 */
static int syn6(struct natcap *c, struct live *l, uint16_t sport, uint8_t dst,
		int64_t now)
{
	uint8_t f[14 + 40 + 20] = {0};

	f[12] = 0x86, f[13] = 0xdd;
	f[14] = 0x60;
	f[14 + 5] = 20; /* payload length */
	f[14 + 6] = 6;	/* TCP */
	f[14 + 8] = 0xfe, f[14 + 9] = 0xc0, f[14 + 23] = 5;
	f[14 + 24] = 0x20, f[14 + 25] = 0x01, f[14 + 26] = 0x0d;
	f[14 + 27] = 0xb8, f[14 + 39] = dst;
	f[54] = (uint8_t)(sport >> 8), f[55] = (uint8_t)sport;
	f[57] = 80;
	f[54 + 13] = 0x02; /* SYN */
	return natcap_admit(c, f, sizeof(f), 1, now, walk6, l);
}

/**
 * test_ipv6() - IPv6 flows are charged like IPv4 ones, by their whole
 * addresses: the same ports to other destinations are other sockets (a
 * guest cannot open many counted as one); a recount, which learns only
 * ports from libslirp, keeps the flows with a listed socket's ports and
 * forgets the rest; an IPv4 flow with the same ports is another flow
 * @state:	unused
 */
static void test_ipv6(void **state)
{
	struct live l = {.tcp_sport = {1000}};
	struct natcap c = {0};
	size_t len;
	uint8_t *f;
	int i;

	(void)state;
	natcap_init(&c, 4, 100);
	for (i = 1; i <= 4; i++)
		assert_int_equal(syn6(&c, &l, 1000, (uint8_t)i, 0),
				 NATCAP_PASS);
	assert_int_equal(syn6(&c, &l, 1000, 4, 0), NATCAP_PASS); /* again */
	assert_int_equal(natcap_held(&c, 1), 4);
	/* all four have a listed socket's ports: kept */
	assert_int_equal(syn6(&c, &l, 1000, 5, 0), NATCAP_OVER_GUEST);
	assert_int_equal(l.walks, 1);
	/* an IPv4 SYN with the same ports is a fifth flow */
	f = seg(0, 1000, 0x02, 0, &len);
	assert_int_equal(
	    natcap_admit(&c, f, len, 1, NATCAP_RECOUNT_MS, walk6, &l),
	    NATCAP_OVER_GUEST);
	free(f);
	/* libslirp closed them: the next recount forgets them */
	l.tcp_sport[0] = 0;
	assert_int_equal(syn6(&c, &l, 1000, 5, 2 * NATCAP_RECOUNT_MS),
			 NATCAP_PASS);
	assert_int_equal(natcap_held(&c, 1), 1);
	natcap_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_guest_cap), cmocka_unit_test(test_net_cap),
	    cmocka_unit_test(test_frames),    cmocka_unit_test(test_many),
	    cmocka_unit_test(test_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
