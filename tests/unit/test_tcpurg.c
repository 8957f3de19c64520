/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tcpurg.c - clearing TCP urgent data on the way to libslirp: URG and
 * the urgent pointer cleared, the checksum still right (recomputed from
 * scratch), everything else untouched; other frames, later fragments and
 * truncated headers left alone, read within bounds (each frame is a heap
 * block of its exact length, for ASan); fragments that could rewrite a TCP
 * header dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/testlib.h"

#include "packet/tcpurg.h"

#define ETH 14

/**
 * struct seg - what a test segment is made of
 * @v6:		IPv6, else IPv4
 * @ihl:	IPv4 header length in bytes (20 to 60)
 * @flags:	TCP flags byte
 * @urp:	urgent pointer
 * @frag:	IPv4 fragment offset in bytes (a multiple of 8)
 * @mf:		IPv4 more-fragments flag
 * @plen:	payload length
 * @seed:	varies addresses, ports, sequence numbers and payload
 */
struct seg {
	int v6;
	size_t ihl;
	uint8_t flags;
	uint16_t urp;
	size_t frag;
	int mf;
	size_t plen;
	unsigned seed;
};

/**
 * tcp_sum() - the TCP checksum over pseudo-header and segment, from scratch
 * @f:		frame
 * @tcp:	offset of the TCP header
 * @tlen:	TCP length (header and payload)
 *
 * Return: the folded sum; 0xffff when the checksum field is right
 */
static uint16_t tcp_sum(const uint8_t *f, size_t tcp, size_t tlen)
{
	uint32_t s = 0;

	if (f[12] == 0x86) {
		s = tl_sum16(s, f + ETH + 8, 32);
		s += (uint32_t)(tlen >> 16) + (tlen & 0xffff) + 6;
	} else {
		s = tl_sum16(s, f + ETH + 12, 8);
		s += (uint32_t)tlen + 6;
	}
	return tl_fold(tl_sum16(s, f + tcp, tlen));
}

/**
 * build() - a frame carrying @g, checksum right
 * @g:		what to build
 * @len:	set to the frame's length
 * @tcp:	set to the TCP header's offset
 *
 * Return: a heap block of exactly @len bytes
 */
static uint8_t *build(const struct seg *g, size_t *len, size_t *tcp)
{
	size_t ip = g->v6 ? 40 : g->ihl, tlen = 20 + g->plen, i;
	uint8_t *f;
	unsigned r = g->seed;

	*len = ETH + ip + tlen;
	*tcp = ETH + ip;
	f = malloc(*len);
	assert_non_null(f);
	for (i = 0; i < *len; i++) {
		r = r * 1103515245u + 12345u;
		f[i] = (uint8_t)(r >> 16);
	}
	f[0] = 0x52; /* unicast destination */
	if (g->v6) {
		f[12] = 0x86;
		f[13] = 0xdd;
		f[ETH] = 0x60;
		f[ETH + 4] = (uint8_t)(tlen >> 8);
		f[ETH + 5] = (uint8_t)tlen;
		f[ETH + 6] = 6;
	} else {
		f[12] = 0x08;
		f[13] = 0x00;
		f[ETH] = (uint8_t)(0x40 | g->ihl / 4);
		f[ETH + 2] = (uint8_t)((ip + tlen) >> 8);
		f[ETH + 3] = (uint8_t)(ip + tlen);
		f[ETH + 6] = (uint8_t)((g->mf ? 0x20 : 0) | (g->frag / 8) >> 8);
		f[ETH + 7] = (uint8_t)(g->frag / 8);
		f[ETH + 9] = 6;
	}
	f[*tcp + 12] = 5 << 4;
	f[*tcp + 13] = g->flags;
	f[*tcp + 16] = 0;
	f[*tcp + 17] = 0;
	f[*tcp + 18] = (uint8_t)(g->urp >> 8);
	f[*tcp + 19] = (uint8_t)g->urp;
	i = (uint16_t)~tcp_sum(f, *tcp, tlen);
	f[*tcp + 16] = (uint8_t)(i >> 8);
	f[*tcp + 17] = (uint8_t)i;
	assert_int_equal(tcp_sum(f, *tcp, tlen), 0xffff);
	return f;
}

/**
 * check_cleared() - tcpurg_fix() cleared @g's urgent data and nothing else
 * @g:		the segment to build and fix
 */
static void check_cleared(const struct seg *g)
{
	size_t len, tcp, i;
	uint8_t *f = build(g, &len, &tcp);
	uint8_t *orig = malloc(len);

	assert_non_null(orig);
	memcpy(orig, f, len);
	assert_int_equal(tcpurg_fix(f, len), TCPURG_CLEAR);
	assert_int_equal(f[tcp + 13], orig[tcp + 13] & ~0x20);
	assert_int_equal(f[tcp + 18], 0);
	assert_int_equal(f[tcp + 19], 0);
	assert_int_equal(tcp_sum(f, tcp, len - tcp), 0xffff);
	for (i = 0; i < len; i++)
		if (i != tcp + 13 && (i < tcp + 16 || i > tcp + 19))
			assert_int_equal(f[i], orig[i]);
	/* Cleared, it passes: a second look changes nothing. */
	assert_int_equal(tcpurg_fix(f, len), TCPURG_PASS);
	free(orig);
	free(f);
}

/**
 * check_verdict() - tcpurg_fix() says @want of @f and leaves it alone
 * @f:		the frame
 * @len:	its length
 * @want:	the expected verdict
 */
static void check_verdict(uint8_t *f, size_t len, enum tcpurg_verdict want)
{
	uint8_t *orig = malloc(len ? len : 1);

	assert_non_null(orig);
	memcpy(orig, f, len);
	assert_int_equal(tcpurg_fix(f, len), want);
	assert_memory_equal(f, orig, len);
	free(orig);
}

/**
 * test_ipv4_urgent() - urgent data in IPv4 segments is cleared (flag and
 * pointer), whatever the flags and options
 * @state:	unused
 */
static void test_ipv4_urgent(void **state)
{
	struct seg g = {.ihl = 20, .flags = 0x38, .urp = 0xffff, .plen = 10};

	(void)state;
	check_cleared(&g); /* PSH|ACK|URG, pointer far past the data */
	g.flags = 0x10;	   /* an urgent pointer without URG */
	g.urp = 1;
	check_cleared(&g);
	g.flags = 0x3f; /* every flag, no pointer */
	g.urp = 0;
	check_cleared(&g);
	g.ihl = 60; /* IPv4 options */
	g.urp = 0x8000;
	g.plen = 0;
	check_cleared(&g);
}

/**
 * test_ipv6_urgent() - urgent data in IPv6 segments is cleared
 * @state:	unused
 */
static void test_ipv6_urgent(void **state)
{
	struct seg g = {.v6 = 1, .flags = 0x30, .urp = 4000, .plen = 33};

	(void)state;
	check_cleared(&g);
}

/**
 * test_checksum_random() - random segments: the incremental fix always matches
 * a recomputed sum.
 * @state:	unused
 */
static void test_checksum_random(void **state)
{
	struct seg g = {0};
	unsigned i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		g.seed = i;
		g.v6 = i % 5 == 0;
		g.ihl = 20 + 4 * (i % 11);
		g.flags = (uint8_t)(i * 37) | 0x20;
		g.urp = (uint16_t)(i * 2654435761u >> 7);
		g.plen = i % 97;
		check_cleared(&g);
	}
}

/**
 * test_others_pass() - TCP without urgent data, other protocols, frames that
 * are not IPv4 and IPv6 with an extension header first pass untouched
 * @state:	unused
 */
static void test_others_pass(void **state)
{
	struct seg g = {.ihl = 20, .flags = 0x10, .plen = 8};
	size_t len, tcp;
	uint8_t *f;

	(void)state;
	/* TCP without urgent data. */
	f = build(&g, &len, &tcp);
	check_verdict(f, len, TCPURG_PASS);
	/* UDP, ICMP: same bytes, other protocols. */
	f[ETH + 9] = 17;
	f[tcp + 13] = 0x20;
	f[tcp + 18] = 0xff;
	check_verdict(f, len, TCPURG_PASS);
	f[ETH + 9] = 1;
	check_verdict(f, len, TCPURG_PASS);
	f[ETH + 9] = 6;
	/* Not IPv4 (bad version), not IP (ARP, a VLAN tag). */
	f[ETH] = 0x55;
	check_verdict(f, len, TCPURG_PASS);
	f[ETH] = 0x45;
	f[12] = 0x08;
	f[13] = 0x06;
	check_verdict(f, len, TCPURG_PASS);
	f[12] = 0x81;
	f[13] = 0x00;
	check_verdict(f, len, TCPURG_PASS);
	free(f);
	/* IPv6 with an extension header first (libslirp 4.7 drops it). */
	g.v6 = 1;
	g.flags = 0x20;
	g.urp = 9;
	f = build(&g, &len, &tcp);
	f[ETH + 6] = 0;
	check_verdict(f, len, TCPURG_PASS);
	free(f);
}

/**
 * test_fragments() - a first fragment with the whole TCP header is cleared,
 * later ones pass, ones that would rewrite the header are dropped
 * @state:	unused
 */
static void test_fragments(void **state)
{
	struct seg g = {.ihl = 20, .flags = 0x20, .urp = 3000, .plen = 40};
	size_t len, tcp;
	uint8_t *f;

	(void)state;
	/* A first fragment with the whole header: cleared. */
	g.mf = 1;
	check_cleared(&g);
	/* Later fragments: data, passed whatever their bytes look like. */
	g.frag = 24;
	f = build(&g, &len, &tcp);
	check_verdict(f, len, TCPURG_PASS);
	free(f);
	g.mf = 0;
	g.frag = 8 * 8191;
	f = build(&g, &len, &tcp);
	check_verdict(f, len, TCPURG_PASS);
	free(f);
	/* Offsets 8 and 16 would rewrite the TCP header: dropped. */
	g.frag = 8;
	f = build(&g, &len, &tcp);
	check_verdict(f, len, TCPURG_DROP);
	free(f);
	g.frag = 16;
	g.mf = 1;
	f = build(&g, &len, &tcp);
	check_verdict(f, len, TCPURG_DROP);
	free(f);
	/* A first fragment with 8 bytes of TCP: dropped; unfragmented, the
	 * same is a truncated segment libslirp drops itself. */
	g.frag = 0;
	g.plen = 0;
	f = build(&g, &len, &tcp);
	f[ETH + 2] = 0;
	f[ETH + 3] = 28;
	check_verdict(f, len, TCPURG_DROP);
	f[ETH + 6] = 0;
	check_verdict(f, len, TCPURG_PASS);
	free(f);
}

/**
 * test_truncated() - every prefix of a frame, as its own heap block: no read
 * past the end, nothing changed unless the whole TCP header is there.
 * @state:	unused
 */
static void test_truncated(void **state)
{
	struct seg segs[] = {
	    {.ihl = 20, .flags = 0x20, .urp = 500, .plen = 5},
	    {.ihl = 60, .flags = 0x20, .urp = 500, .plen = 5},
	    {.ihl = 20, .flags = 0x20, .urp = 500, .plen = 5, .mf = 1},
	    {.v6 = 1, .flags = 0x20, .urp = 500, .plen = 5},
	};
	size_t i, n, len, tcp;

	(void)state;
	for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
		uint8_t *full = build(&segs[i], &len, &tcp);

		for (n = 0; n <= len; n++) {
			uint8_t *f = malloc(n ? n : 1);
			enum tcpurg_verdict want = TCPURG_PASS;

			assert_non_null(f);
			memcpy(f, full, n);
			if (n >= tcp + 20)
				want = TCPURG_CLEAR;
			else if (segs[i].mf && n >= ETH + segs[i].ihl)
				want = TCPURG_DROP;
			if (want == TCPURG_CLEAR)
				assert_int_equal(tcpurg_fix(f, n), want);
			else
				check_verdict(f, n, want);
			free(f);
		}
		/* IPv4 total length too short for the header: left alone. */
		if (!segs[i].v6 && !segs[i].mf) {
			full[ETH + 2] = 0;
			full[ETH + 3] = (uint8_t)(segs[i].ihl + 19);
			check_verdict(full, len, TCPURG_PASS);
			full[ETH + 3] = 19; /* shorter than its own header */
			check_verdict(full, len, TCPURG_PASS);
		}
		free(full);
	}
}

/**
 * main() - run this file's tests with cmocka
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed, else
 * how many failed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4_urgent),
	    cmocka_unit_test(test_ipv6_urgent),
	    cmocka_unit_test(test_checksum_random),
	    cmocka_unit_test(test_others_pass),
	    cmocka_unit_test(test_fragments),
	    cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
