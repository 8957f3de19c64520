/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_reap.c - speaking for a departed VM: the resets it owes for the
 * gateway's segments (RFC 793 3.4: seq = SEG.ACK, or RST|ACK acknowledging
 * what came), their addresses turned round and their checksums right;
 * the blind pair sent when a VM leaves, 2^31 apart; nothing owed for resets,
 * fragments, other protocols or truncated frames (each a heap block of its
 * exact length, for ASan); the departed table: expiry, return, eviction of the
 * quietest when full. The same over IPv6: an IPv6 reset byte for byte
 * against a frame built and checksummed outside this code (Python's struct,
 * and tcpdump -vv reads its TCP checksum 0x075a as correct), answers whose
 * checksums verify over RFC 8200's pseudo-header, nothing owed for extension
 * headers or lengths past the frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/testlib.h"
#include "base/be.h"

#include "packet/reap.h"

static const uint8_t vm_mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
static const uint8_t gw_mac[6] = {0x52, 0x55, 192, 168, 5, 2};
static const uint8_t gw_mac6[6] = {0x52, 0x56, 0, 0, 0, 2};
/* fec0::5054:ff:fe12:3456, the VM's SLAAC address, and fec0::2 */
static const uint8_t vm_ip6[16] = {0xfe, 0xc0, 0, 0,	0,    0,    0,	  0,
				   0x50, 0x54, 0, 0xff, 0xfe, 0x12, 0x34, 0x56};
static const uint8_t gw_ip6[16] = {0xfe, 0xc0, [15] = 2};

/**
 * check_sums() - the IPv4 and TCP checksums of a built frame verify
 * @f:		the frame (Ethernet, IPv4, 20-byte TCP header, no payload)
 */
static void check_sums(const uint8_t *f)
{
	const uint8_t *ip = f + 14, pseudo[4] = {0, 6, 0, 20};

	assert_int_equal(tl_fold(tl_sum16(0, ip, 20)), 0xffff);
	assert_int_equal(
	    tl_fold(tl_sum16(tl_sum16(tl_sum16(0, ip + 12, 8), pseudo, 4),
			     ip + 20, 20)),
	    0xffff);
}

/**
 * check_sums6() - the TCP checksum of a built IPv6 frame verifies over
 * RFC 8200 8.1's pseudo-header (addresses, 32-bit length, 3 zero bytes and
 * the next header), built here byte for byte
 * @f:		the frame (Ethernet, IPv6, 20-byte TCP header, no payload)
 */
static void check_sums6(const uint8_t *f)
{
	const uint8_t *ip = f + 14, pseudo[8] = {0, 0, 0, 20, 0, 0, 0, 6};

	assert_int_equal(be16_get(f + 12), 0x86dd);
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal(be16_get(ip + 4), 20);
	assert_int_equal(ip[6], 6);
	assert_int_equal(
	    tl_fold(tl_sum16(tl_sum16(tl_sum16(0, ip + 8, 32), pseudo, 8),
			     ip + 40, 20)),
	    0xffff);
}

/**
 * gw_segment6() - a heap copy of a gateway TCP segment to the VM over IPv6,
 * fec0::2 port 8080 to the VM's port 50000
 * @flags:	TCP flags
 * @plen:	payload bytes
 * @len:	set to the frame length
 *
 * Return: the frame, calloc()ed
 */
static uint8_t *gw_segment6(uint8_t flags, size_t plen, size_t *len)
{
	uint8_t *f;

	*len = 14 + 40 + 20 + plen;
	f = calloc(1, *len);
	assert_non_null(f);
	memcpy(f, vm_mac, 6);
	memcpy(f + 6, gw_mac6, 6);
	be16_put(f + 12, 0x86dd);
	f[14] = 0x60;
	be16_put(f + 14 + 4, (uint16_t)(20 + plen));
	f[14 + 6] = 6;
	f[14 + 7] = 64;
	memcpy(f + 14 + 8, gw_ip6, 16);
	memcpy(f + 14 + 24, vm_ip6, 16);
	be16_put(f + 54, 8080);
	be16_put(f + 54 + 2, 50000);
	be32_put(f + 54 + 4, 0x11223344);
	be32_put(f + 54 + 8, 0xaabbccdd);
	f[54 + 12] = 5 << 4;
	f[54 + 13] = flags;
	return f;
}

/**
 * gw_segment() - a heap copy of a gateway TCP segment to the VM
 * @flags:	TCP flags
 * @plen:	payload bytes
 * @len:	set to the frame length
 *
 * Return: the frame, calloc()ed
 */
static uint8_t *gw_segment(uint8_t flags, size_t plen, size_t *len)
{
	uint8_t *f;

	*len = 14 + 20 + 20 + plen;
	f = calloc(1, *len);
	assert_non_null(f);
	memcpy(f, vm_mac, 6);
	memcpy(f + 6, gw_mac, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 2] = (uint8_t)((*len - 14) >> 8);
	f[14 + 3] = (uint8_t)(*len - 14);
	f[14 + 6] = 0x40;
	f[14 + 8] = 64;
	f[14 + 9] = 6;
	memcpy(f + 14 + 12, (uint8_t[]){93, 184, 216, 34}, 4);
	memcpy(f + 14 + 16, (uint8_t[]){192, 168, 5, 15}, 4);
	memcpy(f + 34, (uint8_t[]){0x01, 0xbb, 0xc3, 0x50},
	       4); /* 443 > 50000 */
	memcpy(f + 34 + 4, (uint8_t[]){0x11, 0x22, 0x33, 0x44}, 4);
	memcpy(f + 34 + 8, (uint8_t[]){0xaa, 0xbb, 0xcc, 0xdd}, 4);
	f[34 + 12] = 5 << 4;
	f[34 + 13] = flags;
	return f;
}

/**
 * test_answer_ack() - a data segment with ACK is answered RST, seq = SEG.ACK,
 * from the VM.
 * @state:	unused
 */
static void test_answer_ack(void **state)
{
	struct reap r = {0};
	size_t len;
	uint8_t *f = gw_segment(0x18, 100, &len), *o;

	(void)state;
	assert_int_equal(reap_answer(&r, f, len), 1);
	assert_int_equal(r.npending, 1);
	assert_int_equal(r.pending_len[0], REAP_FRAME4);
	o = r.pending[0];
	assert_memory_equal(o, gw_mac, 6);
	assert_memory_equal(o + 6, vm_mac, 6);
	assert_memory_equal(o + 14 + 12, f + 14 + 16, 4);
	assert_memory_equal(o + 14 + 16, f + 14 + 12, 4);
	assert_memory_equal(o + 34, f + 34 + 2, 2);
	assert_memory_equal(o + 34 + 2, f + 34, 2);
	assert_int_equal(be32_get(o + 34 + 4), 0xaabbccdd);
	assert_int_equal(o[34 + 13], 0x04);
	assert_int_equal(o[14 + 3], 40);
	check_sums(o);
	free(f);
}

/**
 * test_answer_syn_fin() - a SYN (libslirp opening a host forward) is answered
 * RST|ACK, ack = SEG.SEQ + 1; a FIN with data counts both.
 * @state:	unused
 */
static void test_answer_syn_fin(void **state)
{
	struct reap r = {0};
	size_t len;
	uint8_t *f = gw_segment(0x02, 0, &len);

	(void)state;
	assert_int_equal(reap_answer(&r, f, len), 1);
	assert_int_equal(r.pending[0][34 + 13], 0x14);
	assert_int_equal(be32_get(r.pending[0] + 34 + 4), 0);
	assert_int_equal(be32_get(r.pending[0] + 34 + 8), 0x11223345);
	check_sums(r.pending[0]);
	free(f);
	f = gw_segment(0x01, 10, &len);
	assert_int_equal(reap_answer(&r, f, len), 1);
	assert_int_equal(be32_get(r.pending[1] + 34 + 8), 0x11223344 + 11);
	free(f);
}

/**
 * test_no_answer() - no answer to a RST, a later fragment, UDP, ARP, a
 * truncated frame; none once the queue is full.
 * @state:	unused
 */
static void test_no_answer(void **state)
{
	struct reap r = {0};
	size_t len, cut;
	uint8_t *f = gw_segment(0x14, 0, &len), *t;

	(void)state;
	assert_int_equal(reap_answer(&r, f, len), 0);
	f[34 + 13] = 0x10;
	f[14 + 7] = 1; /* offset 8 */
	assert_int_equal(reap_answer(&r, f, len), 0);
	f[14 + 7] = 0;
	f[14 + 9] = 17;
	assert_int_equal(reap_answer(&r, f, len), 0);
	f[14 + 9] = 6;
	f[13] = 0x06;
	assert_int_equal(reap_answer(&r, f, len), 0);
	f[13] = 0x00;
	f[34 + 12] = 15 << 4; /* a TCP header longer than the packet */
	assert_int_equal(reap_answer(&r, f, len), 0);
	f[34 + 12] = 5 << 4;
	for (cut = 0; cut < len; cut++) {
		t = malloc(cut ? cut : 1);
		assert_non_null(t);
		memcpy(t, f, cut);
		assert_int_equal(reap_answer(&r, t, cut), 0);
		free(t);
	}
	assert_int_equal(r.npending, 0);
	r.npending = REAP_PENDING;
	assert_int_equal(reap_answer(&r, f, len), 0);
	free(f);
}

/**
 * test_table() - departed until seen again or quiet for REAP_KEEP_MS; each
 * frame asked about keeps it.
 * @state:	unused
 */
static void test_table(void **state)
{
	struct reap r = {0};
	uint8_t m[6] = {2, 0, 0, 0, 0, 1};

	(void)state;
	assert_int_equal(reap_gone(&r, m, 0), 0);
	reap_left(&r, m, 1000);
	reap_left(&r, m, 1000);
	assert_int_equal(r.n, 1);
	assert_int_equal(reap_gone(&r, m, 1000 + REAP_KEEP_MS), 1);
	assert_int_equal(reap_gone(&r, m, 1000 + 2 * REAP_KEEP_MS), 1);
	assert_int_equal(reap_gone(&r, m, 1001 + 3 * REAP_KEEP_MS), 0);
	assert_int_equal(r.n, 0);
	reap_left(&r, m, 0);
	reap_forget(&r, m);
	assert_int_equal(reap_gone(&r, m, 1), 0);
}

/**
 * test_blind() - the blind pair: both RSTs of the VM's connection, 2^31 apart.
 * @state:	unused
 */
static void test_blind(void **state)
{
	uint8_t f[2][REAP_FRAME];
	struct reap_tcp t = {
	    0, {192, 168, 5, 15}, {93, 184, 216, 34}, 0x50c3, 0xbb01};
	int i;

	(void)state;
	assert_int_equal(reap_blind(f, vm_mac, gw_mac, &t), REAP_FRAME4);
	for (i = 0; i < 2; i++) {
		assert_memory_equal(f[i], gw_mac, 6);
		assert_memory_equal(f[i] + 6, vm_mac, 6);
		assert_memory_equal(f[i] + 14 + 12, t.saddr, 4);
		assert_memory_equal(f[i] + 14 + 16, t.daddr, 4);
		assert_memory_equal(f[i] + 34, &t.sport, 2);
		assert_memory_equal(f[i] + 36, &t.dport, 2);
		assert_int_equal(f[i][34 + 13], 0x04);
		check_sums(f[i]);
	}
	assert_int_equal(be32_get(f[1] + 34 + 4) - be32_get(f[0] + 34 + 4),
			 0x80000000U);
}

/**
 * test_rst6_known() - an IPv6 reset, byte for byte the frame built outside
 * this code (Python: struct.pack and an RFC 1071 sum over RFC 8200's
 * pseudo-header; tcpdump -vv on it: "cksum 0x075a (correct)").
 * @state:	unused
 */
static void test_rst6_known(void **state)
{
	static const uint8_t want[REAP_FRAME] = {
	    0x52, 0x56, 0x00, 0x00, 0x00, 0x02, 0x52, 0x54, 0x00, 0x12, 0x34,
	    0x56, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40,
	    0xfe, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x54, 0x00,
	    0xff, 0xfe, 0x12, 0x34, 0x56, 0xfe, 0xc0, 0x00, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xc3,
	    0x50, 0x1f, 0x90, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00,
	    0x50, 0x04, 0x00, 0x00, 0x07, 0x5a, 0x00, 0x00};
	struct reap_tcp t = {.v6 = 1};
	uint8_t f[REAP_FRAME];

	(void)state;
	memcpy(t.saddr, vm_ip6, 16);
	memcpy(t.daddr, gw_ip6, 16);
	be16_put((uint8_t *)&t.sport, 50000);
	be16_put((uint8_t *)&t.dport, 8080);
	assert_int_equal(reap_rst(f, vm_mac, gw_mac6, &t, 0x11223344, 0, 0x04),
			 REAP_FRAME);
	assert_memory_equal(f, want, REAP_FRAME);
	check_sums6(f);
}

/**
 * test_answer6() - over IPv6 as over IPv4: a data segment with ACK is
 * answered RST, seq = SEG.ACK; a SYN RST|ACK, ack = SEG.SEQ + 1; addresses
 * and ports turned round, the checksum right.
 * @state:	unused
 */
static void test_answer6(void **state)
{
	struct reap r = {0};
	size_t len;
	uint8_t *f = gw_segment6(0x18, 1000, &len), *o;

	(void)state;
	assert_int_equal(reap_answer(&r, f, len), 1);
	assert_int_equal(r.pending_len[0], REAP_FRAME);
	o = r.pending[0];
	assert_memory_equal(o, gw_mac6, 6);
	assert_memory_equal(o + 6, vm_mac, 6);
	assert_memory_equal(o + 14 + 8, vm_ip6, 16);
	assert_memory_equal(o + 14 + 24, gw_ip6, 16);
	assert_int_equal(be16_get(o + 54), 50000);
	assert_int_equal(be16_get(o + 54 + 2), 8080);
	assert_int_equal(be32_get(o + 54 + 4), 0xaabbccdd);
	assert_int_equal(o[54 + 13], 0x04);
	check_sums6(o);
	free(f);
	f = gw_segment6(0x02, 0, &len);
	assert_int_equal(reap_answer(&r, f, len), 1);
	o = r.pending[1];
	assert_int_equal(o[54 + 13], 0x14);
	assert_int_equal(be32_get(o + 54 + 4), 0);
	assert_int_equal(be32_get(o + 54 + 8), 0x11223345);
	check_sums6(o);
	free(f);
}

/**
 * test_no_answer6() - over IPv6, no answer to a RST, an extension header
 * (a fragment header, hop-by-hop options), a payload length past the frame
 * or below a TCP header, a TCP header longer than the payload, a truncated
 * frame.
 * @state:	unused
 */
static void test_no_answer6(void **state)
{
	struct reap r = {0};
	size_t len, cut;
	uint8_t *f = gw_segment6(0x14, 8, &len), *t;

	(void)state;
	assert_int_equal(reap_answer(&r, f, len), 0);
	f[54 + 13] = 0x10;
	f[14 + 6] = 44;
	assert_int_equal(reap_answer(&r, f, len), 0);
	f[14 + 6] = 0;
	assert_int_equal(reap_answer(&r, f, len), 0);
	f[14 + 6] = 6;
	be16_put(f + 14 + 4, 29);
	assert_int_equal(reap_answer(&r, f, len), 0);
	be16_put(f + 14 + 4, 19);
	assert_int_equal(reap_answer(&r, f, len), 0);
	be16_put(f + 14 + 4, 28);
	f[54 + 12] = 8 << 4; /* 32 bytes of header in 28 */
	assert_int_equal(reap_answer(&r, f, len), 0);
	f[54 + 12] = 5 << 4;
	for (cut = 0; cut < len; cut++) {
		t = malloc(cut ? cut : 1);
		assert_non_null(t);
		memcpy(t, f, cut);
		assert_int_equal(reap_answer(&r, t, cut), 0);
		free(t);
	}
	assert_int_equal(r.npending, 0);
	assert_int_equal(reap_answer(&r, f, len), 1);
	check_sums6(r.pending[0]);
	free(f);
}

/**
 * test_blind6() - the blind pair over IPv6: from the VM's address to the
 * remote one, 2^31 apart, checksums right.
 * @state:	unused
 */
static void test_blind6(void **state)
{
	uint8_t f[2][REAP_FRAME];
	struct reap_tcp t = {.v6 = 1, .sport = 0x50c3, .dport = 0x901f};
	int i;

	(void)state;
	memcpy(t.saddr, vm_ip6, 16);
	memcpy(t.daddr, gw_ip6, 16);
	assert_int_equal(reap_blind(f, vm_mac, gw_mac6, &t), REAP_FRAME);
	for (i = 0; i < 2; i++) {
		assert_memory_equal(f[i], gw_mac6, 6);
		assert_memory_equal(f[i] + 6, vm_mac, 6);
		assert_memory_equal(f[i] + 14 + 8, vm_ip6, 16);
		assert_memory_equal(f[i] + 14 + 24, gw_ip6, 16);
		assert_memory_equal(f[i] + 54, &t.sport, 2);
		assert_memory_equal(f[i] + 56, &t.dport, 2);
		assert_int_equal(f[i][54 + 13], 0x04);
		check_sums6(f[i]);
	}
	assert_int_equal(be32_get(f[1] + 54 + 4) - be32_get(f[0] + 54 + 4),
			 0x80000000U);
}

/**
 * test_full() - a full table gives up the entry the gateway was quiet to
 * longest.
 * @state:	unused
 */
static void test_full(void **state)
{
	struct reap r = {0};
	uint8_t m[6] = {2, 0, 0, 0, 0, 0};
	int i;

	(void)state;
	for (i = 0; i < REAP_MACS; i++) {
		m[5] = (uint8_t)i;
		reap_left(&r, m, 100 + i);
	}
	m[5] = 0;
	assert_int_equal(reap_gone(&r, m, 200), 1); /* 0 is fresh again */
	m[5] = 0xff;
	reap_left(&r, m, 300);
	assert_int_equal(r.n, REAP_MACS);
	m[5] = 1; /* the quietest: given up */
	assert_int_equal(reap_gone(&r, m, 300), 0);
	for (i = 0; i < REAP_MACS; i++) {
		m[5] = (uint8_t)(i == 1 ? 0xff : i);
		assert_int_equal(reap_gone(&r, m, 300), 1);
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
	    cmocka_unit_test(test_answer_ack),
	    cmocka_unit_test(test_answer_syn_fin),
	    cmocka_unit_test(test_no_answer),
	    cmocka_unit_test(test_blind),
	    cmocka_unit_test(test_rst6_known),
	    cmocka_unit_test(test_answer6),
	    cmocka_unit_test(test_no_answer6),
	    cmocka_unit_test(test_blind6),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
