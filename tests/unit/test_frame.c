/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_frame.c - the frame vocabulary (packet/frame.h, frame.c): the
 * views are where the headers are, frame_parse() finds the transport
 * header and the fragment fields, and no getter hands out a view the
 * frame does not hold (each frame is a heap block of its exact length,
 * for ASan). The classifiers answer as the network asks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packet/frame.h"

/**
 * struct pkt - what a test frame is made of
 * @type:	ethertype
 * @vhl:	IPv4: version and header length byte; IPv6: version nibble
 *		in the high bits
 * @proto:	IPv4 protocol or IPv6 next header
 * @frag:	IPv4 flags and fragment offset field
 * @iplen:	IPv4 total length or IPv6 payload length
 * @len:	length of the frame
 */
struct pkt {
	uint16_t type;
	uint8_t vhl;
	uint8_t proto;
	uint16_t frag;
	uint16_t iplen;
	size_t len;
};

/**
 * mk() - a frame on the heap, exactly @p->len bytes
 * @p:		what it is made of
 *
 * Addresses: source 10.0.0.5 (IPv4) and destination 127.0.0.1; ports
 * 1234 to 53 after a header of the length @p->vhl says.
 *
 * Return: the frame, to free()
 */
static uint8_t *mk(const struct pkt *p)
{
	uint8_t buf[200] = {0}, *f, *ip = buf + 14, *l4;
	size_t hl = 40;

	memset(buf, 0xff, 6);
	buf[6] = 0x52;
	be16_put(buf + 12, p->type);
	ip[0] = p->vhl;
	if (p->type == FRAME_ETH_IP4) {
		hl = (size_t)(p->vhl & 0x0f) * 4;
		be16_put(ip + 2, p->iplen);
		be16_put(ip + 6, p->frag);
		ip[9] = p->proto;
		memcpy(ip + 12, "\x0a\x00\x00\x05\x7f\x00\x00\x01", 8);
	} else {
		be16_put(ip + 4, p->iplen);
		ip[6] = p->proto;
	}
	l4 = ip + hl;
	if (l4 + 4 <= buf + sizeof(buf)) {
		be16_put(l4, 1234);
		be16_put(l4 + 2, 53);
	}
	f = malloc(p->len ? p->len : 1);
	assert_non_null(f);
	memcpy(f, buf, p->len);
	return f;
}

/**
 * test_get_put() - network order, any alignment
 * @state:	unused
 */
static void test_get_put(void **state)
{
	uint8_t b[7] = {0};

	(void)state;
	be16_put(b + 1, 0x1234);
	be32_put(b + 3, 0xdeadbeef);
	assert_int_equal(b[1], 0x12);
	assert_int_equal(b[2], 0x34);
	assert_int_equal(b[3], 0xde);
	assert_int_equal(b[6], 0xef);
	assert_int_equal(be16_get(b + 1), 0x1234);
	assert_int_equal(be32_get(b + 3), 0xdeadbeef);
}

/**
 * struct parse_case - a frame and what frame_parse() must find in it
 * @name:	for failures
 * @p:		the frame
 * @ret:	frame_parse()'s return
 * @ip4:	fi.ip4 set
 * @ip6:	fi.ip6 set
 * @l4:		fi.l4
 * @end:	fi.end
 * @frag_off:	fi.frag_off
 * @more:	fi.frag_more
 */
struct parse_case {
	const char *name;
	struct pkt p;
	int ret;
	int ip4;
	int ip6;
	size_t l4;
	size_t end;
	unsigned frag_off;
	int more;
};

static const struct parse_case parse_cases[] = {
    {"udp", {FRAME_ETH_IP4, 0x45, 17, 0, 28, 42}, 0, 1, 0, 34, 42, 0, 0},
    {"padded", {FRAME_ETH_IP4, 0x45, 17, 0, 28, 60}, 0, 1, 0, 34, 42, 0, 0},
    {"truncated", {FRAME_ETH_IP4, 0x45, 6, 0, 100, 60}, 0, 1, 0, 34, 60, 0, 0},
    {"options", {FRAME_ETH_IP4, 0x46, 6, 0, 44, 58}, 0, 1, 0, 38, 58, 0, 0},
    {"first fragment",
     {FRAME_ETH_IP4, 0x45, 17, 0x2000, 28, 42},
     0,
     1,
     0,
     34,
     42,
     0,
     1},
    {"later fragment",
     {FRAME_ETH_IP4, 0x45, 17, 0x0003, 28, 42},
     0,
     1,
     0,
     34,
     42,
     24,
     0},
    {"DF only",
     {FRAME_ETH_IP4, 0x45, 17, 0x4000, 28, 42},
     0,
     1,
     0,
     34,
     42,
     0,
     0},
    {"ihl 4", {FRAME_ETH_IP4, 0x44, 17, 0, 28, 42}, 0, 1, 0, 0, 42, 0, 0},
    {"ihl past frame",
     {FRAME_ETH_IP4, 0x4f, 17, 0, 60, 50},
     0,
     1,
     0,
     0,
     50,
     0,
     0},
    {"version 6 in IPv4",
     {FRAME_ETH_IP4, 0x65, 17, 0, 28, 42},
     -1,
     1,
     0,
     0,
     0,
     0,
     0},
    {"short IPv4", {FRAME_ETH_IP4, 0x45, 17, 0, 28, 33}, -1, 0, 0, 0, 0, 0, 0},
    {"ipv6", {FRAME_ETH_IP6, 0x60, 6, 0, 20, 74}, 0, 0, 1, 54, 74, 0, 0},
    {"ipv6 padded", {FRAME_ETH_IP6, 0x60, 58, 0, 8, 80}, 0, 0, 1, 54, 62, 0, 0},
    {"ipv6 version 4",
     {FRAME_ETH_IP6, 0x40, 6, 0, 20, 74},
     -1,
     0,
     1,
     0,
     0,
     0,
     0},
    {"short IPv6", {FRAME_ETH_IP6, 0x60, 6, 0, 0, 53}, -1, 0, 0, 0, 0, 0, 0},
    {"arp", {FRAME_ETH_ARP, 0, 0, 0, 0, 42}, -1, 0, 0, 0, 0, 0, 0},
    {"runt", {FRAME_ETH_IP4, 0, 0, 0, 0, 13}, -1, 0, 0, 0, 0, 0, 0},
};

/**
 * test_parse() - frame_parse() over parse_cases
 * @state:	unused
 */
static void test_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		uint8_t *f = mk(&c->p);
		struct frame_info fi;

		print_message("%s\n", c->name);
		assert_int_equal(frame_parse(f, c->p.len, &fi), c->ret);
		assert_int_equal(fi.type, c->p.len < 14 ? 0 : c->p.type);
		assert_int_equal(fi.ip4 != NULL, c->ip4);
		assert_int_equal(fi.ip6 != NULL, c->ip6);
		if (fi.ip4)
			assert_ptr_equal(fi.ip4, f + 14);
		assert_int_equal(fi.l4, c->l4);
		assert_int_equal(fi.end, c->end);
		assert_int_equal(fi.frag_off, c->frag_off);
		assert_int_equal(fi.frag_more, c->more);
		if (c->l4)
			assert_ptr_equal(frame_l4(f, c->p.len, &fi, 4),
					 f + c->l4);
		assert_null(frame_l4(f, c->p.len, &fi, c->p.len - c->l4 + 1));
		free(f);
	}
}

/**
 * test_views() - each getter hands out a view only when the frame holds
 * all of it, of the right type
 * @state:	unused
 */
static void test_views(void **state)
{
	struct pkt arp = {FRAME_ETH_ARP, 0, 0, 0, 0, 42};
	struct pkt ip = {FRAME_ETH_IP4, 0x45, 6, 0, 40, 54};
	uint8_t *f = mk(&arp);

	(void)state;
	assert_non_null(frame_arp(f, 42));
	assert_null(frame_arp(f, 41));
	assert_null(frame_ip4(f, 42));
	assert_ptr_equal(frame_eth(f, 14), f);
	assert_null(frame_eth(f, 13));
	assert_int_equal(frame_type(f, 13), 0);
	assert_true(frame_mac_group(frame_eth(f, 14)->dst));
	assert_false(frame_mac_group(frame_eth(f, 14)->src));
	free(f);
	f = mk(&ip);
	assert_ptr_equal(frame_ip4(f, 54), f + 14);
	assert_null(frame_ip4(f, 33));
	assert_null(frame_ip6(f, 54));
	assert_int_equal(frame_ip4_hlen(frame_ip4(f, 54)), 20);
	assert_int_equal(frame_l3_len(54), 40);
	assert_int_equal(frame_l3_len(10), 0);
	assert_int_equal(FRAME_LEN(1500), 1514);
	free(f);
}

/**
 * test_classify() - frame_dport(), frame_udp_to(), frame_martian() and
 * frame_sender4()
 * @state:	unused
 */
static void test_classify(void **state)
{
	struct pkt udp = {FRAME_ETH_IP4, 0x45, 17, 0, 28, 42};
	struct pkt later = {FRAME_ETH_IP4, 0x45, 17, 0x0001, 28, 42};
	struct pkt icmp = {FRAME_ETH_IP4, 0x45, 1, 0, 28, 42};
	struct pkt arp = {FRAME_ETH_ARP, 0, 0, 0, 0, 42};
	uint8_t *f = mk(&udp), proto = 0;
	uint32_t dst = 0, ip = 0;

	(void)state;
	assert_int_equal(frame_dport(f, 42, &proto, &dst), 53);
	assert_int_equal(proto, FRAME_IPPROTO_UDP);
	assert_memory_equal(&dst, "\x7f\x00\x00\x01", 4);
	assert_true(frame_udp_to(f, 42, 53));
	assert_false(frame_udp_to(f, 42, 68));
	assert_int_equal(frame_dport(f, 37, &proto, &dst), -1); /* no ports */
	assert_true(frame_martian(f, 42));
	assert_int_equal(frame_sender4(f, 42, &ip), 1);
	assert_memory_equal(&ip, "\x0a\x00\x00\x05", 4);
	f[14 + 16] = 10; /* to 10.0.0.1 */
	assert_false(frame_martian(f, 42));
	free(f);
	f = mk(&later);
	assert_int_equal(frame_dport(f, 42, &proto, &dst), -1);
	free(f);
	f = mk(&icmp);
	assert_int_equal(frame_dport(f, 42, &proto, &dst), -1);
	free(f);
	f = mk(&arp);
	memcpy(f + 14 + 14, "\xc0\xa8\x05\x0f", 4); /* sender address */
	assert_int_equal(frame_sender4(f, 42, &ip), 1);
	assert_memory_equal(&ip, "\xc0\xa8\x05\x0f", 4);
	assert_int_equal(frame_sender4(f, 41, &ip), 0);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get_put),
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_views),
	    cmocka_unit_test(test_classify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
