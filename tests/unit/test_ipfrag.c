/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ipfrag.c - the fragment guard before libslirp (packet/ipfrag.c):
 * a last fragment passes only into a reassembly queue libslirp surely
 * holds (not alone, not before the first, not again after its datagram
 * completed, not after the entry timed out); ordinary fragmented datagrams
 * pass whole, one after another; fragments libslirp would reject are
 * dropped and not remembered; the table is bounded; other frames pass
 * untouched; a port gets its share of the table and no more. Each frame is a
 * heap block of its exact length, for ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packet/ipfrag.h"
#include "tests/unit/testlib.h"

#define ETH 14

/**
 * struct fr - what a test fragment is made of
 * @id:		IP identification
 * @src:	last byte of the source address (192.168.5.x)
 * @proto:	IP protocol
 * @off:	fragment offset in bytes (a multiple of 8)
 * @mf:		more fragments
 * @rf:		the reserved flag
 * @df:		don't fragment
 * @plen:	payload bytes
 * @ttl:	time to live (0: 64)
 * @bad_sum:	break the header checksum
 */
struct fr {
	uint16_t id;
	uint8_t src;
	uint8_t proto;
	unsigned off;
	int mf, rf, df;
	size_t plen;
	uint8_t ttl;
	int bad_sum;
};

/**
 * mk() - an Ethernet frame holding the IPv4 packet @f describes
 * @f:		the packet
 * @len:	set to the frame's length
 *
 * Return: the frame, malloc()ed, exactly @len bytes
 */
static uint8_t *mk(const struct fr *f, size_t *len)
{
	size_t tot = 20 + f->plen;
	uint8_t *b = malloc(ETH + tot), *ip = b + ETH;
	unsigned fo = f->off >> 3;
	uint16_t sum;

	assert_non_null(b);
	memset(b, 0x5a, ETH + tot);
	b[12] = 0x08;
	b[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[4] = (uint8_t)(f->id >> 8);
	ip[5] = (uint8_t)f->id;
	fo |=
	    (f->rf ? 0x8000 : 0) | (f->df ? 0x4000 : 0) | (f->mf ? 0x2000 : 0);
	ip[6] = (uint8_t)(fo >> 8);
	ip[7] = (uint8_t)fo;
	ip[8] = f->ttl ? f->ttl : 64;
	ip[9] = f->proto ? f->proto : 17;
	ip[12] = 192, ip[13] = 168, ip[14] = 5, ip[15] = f->src ? f->src : 15;
	ip[16] = 192, ip[17] = 168, ip[18] = 5, ip[19] = 2;
	sum = tl_csum(ip, 20);
	if (f->bad_sum)
		sum ^= 1;
	be16_put(ip + 10, sum);
	*len = ETH + tot;
	return b;
}

/**
 * pass() - ipfrag_pass() on the frame @f describes, at @now
 * @t:		the fragment table
 * @f:		the packet
 * @now:	the time, in ms
 *
 * Return: what ipfrag_pass() returned
 */
static int pass(struct ipfrag *t, struct fr f, int64_t now)
{
	size_t len;
	uint8_t *b = mk(&f, &len);
	int r = ipfrag_pass(t, b, len, now, 0);

	free(b);
	return r;
}

/* first, middle and last fragments of a 3000-byte UDP datagram */
#define FIRST(i)  ((struct fr){.id = (i), .mf = 1, .plen = 1480})
#define MIDDLE(i) ((struct fr){.id = (i), .off = 1480, .mf = 1, .plen = 1480})
#define LAST(i)	  ((struct fr){.id = (i), .off = 2960, .plen = 40})

/**
 * test_crashers_dropped() - the three reproducers of the crash.
 * @state:	unused
 */
static void test_crashers_dropped(void **state)
{
	struct ipfrag *t = calloc(1, sizeof(*t));

	(void)state;
	/* a lone last fragment */
	assert_int_equal(
	    pass(t, (struct fr){.id = 1, .off = 36864, .plen = 64}, 0), 0);
	/* the last fragment before the first */
	assert_int_equal(
	    pass(t, (struct fr){.id = 2, .off = 1480, .plen = 8}, 0), 0);
	assert_int_equal(pass(t, FIRST(2), 1), 1);
	/* a datagram in order, then its last fragment again */
	assert_int_equal(pass(t, FIRST(3), 2), 1);
	assert_int_equal(pass(t, MIDDLE(3), 3), 1);
	assert_int_equal(pass(t, LAST(3), 4), 1);
	assert_int_equal(pass(t, LAST(3), 5), 0);
	/* with DF or the reserved flag too */
	assert_int_equal(
	    pass(t, (struct fr){.id = 4, .off = 8, .plen = 8, .df = 1}, 6), 0);
	assert_int_equal(
	    pass(t, (struct fr){.id = 4, .off = 8, .plen = 8, .rf = 1}, 6), 0);
	free(t);
}

/**
 * test_in_order() - fragmented datagrams in order pass whole, again and again.
 * @state:	unused
 */
static void test_in_order(void **state)
{
	struct ipfrag *t = calloc(1, sizeof(*t));
	unsigned i;

	(void)state;
	for (i = 0; i < 10 * IPFRAG_MAX; i++) {
		assert_int_equal(pass(t, FIRST(i), i), 1);
		assert_int_equal(pass(t, MIDDLE(i), i), 1);
		assert_int_equal(pass(t, LAST(i), i), 1);
		assert_int_equal(t->n, 0);
	}
	/* interleaved */
	assert_int_equal(pass(t, FIRST(7), 0), 1);
	assert_int_equal(pass(t, FIRST(8), 0), 1);
	assert_int_equal(pass(t, MIDDLE(8), 0), 1);
	assert_int_equal(pass(t, MIDDLE(7), 0), 1);
	assert_int_equal(pass(t, LAST(7), 0), 1);
	assert_int_equal(pass(t, LAST(8), 0), 1);
	assert_int_equal(t->n, 0);
	/* the same id from another source, or of another protocol, is
	 * another datagram */
	assert_int_equal(pass(t, FIRST(9), 0), 1);
	assert_int_equal(
	    pass(t, (struct fr){.id = 9, .src = 16, .off = 1480, .plen = 8}, 0),
	    0);
	assert_int_equal(
	    pass(t, (struct fr){.id = 9, .proto = 1, .off = 1480, .plen = 8},
		 0),
	    0);
	assert_int_equal(
	    pass(t, (struct fr){.id = 9, .off = 1480, .plen = 8}, 0), 1);
	free(t);
}

/**
 * test_irregular() - out of order: the last fragment passes into the queue,
 * then nothing of the datagram until libslirp's queue has surely timed out.
 * @state:	unused
 */
static void test_irregular(void **state)
{
	struct ipfrag *t = calloc(1, sizeof(*t));

	(void)state;
	assert_int_equal(pass(t, MIDDLE(1), 0), 1);
	assert_int_equal(pass(t, LAST(1), 10), 1);
	assert_int_equal(pass(t, FIRST(1), 20), 0);
	assert_int_equal(pass(t, LAST(1), 30), 0);
	/* a gap: first and last, no middle */
	assert_int_equal(pass(t, FIRST(2), 10), 1);
	assert_int_equal(pass(t, LAST(2), 10), 1);
	assert_int_equal(pass(t, MIDDLE(2), 10), 0);
	assert_int_equal(pass(t, LAST(2), 10), 0);
	assert_int_equal(pass(t, LAST(1), 10 + IPFRAG_QUIET_MS - 1), 0);
	assert_int_equal(t->n, 2);
	assert_int_equal(pass(t, LAST(1), 10 + IPFRAG_QUIET_MS), 0);
	assert_int_equal(t->n, 0);
	assert_int_equal(pass(t, FIRST(1), 10 + IPFRAG_QUIET_MS), 1);
	free(t);
}

/**
 * test_timeout() - a last fragment long after the first is dropped: libslirp's
 * queue may be gone.
 * @state:	unused
 */
static void test_timeout(void **state)
{
	struct ipfrag *t = calloc(1, sizeof(*t));

	(void)state;
	assert_int_equal(pass(t, FIRST(1), 1000), 1);
	assert_int_equal(pass(t, MIDDLE(1), 1000 + IPFRAG_ARMED_MS - 1), 1);
	assert_int_equal(pass(t, LAST(1), 1000 + IPFRAG_ARMED_MS), 0);
	assert_int_equal(pass(t, FIRST(1), 1000 + IPFRAG_ARMED_MS), 0);
	/* gone once a queue made by the last fragment that passed is */
	assert_int_equal(
	    pass(t, FIRST(1), 1000 + IPFRAG_ARMED_MS - 1 + IPFRAG_QUIET_MS), 1);
	assert_int_equal(
	    pass(t, LAST(1), 1000 + IPFRAG_ARMED_MS + IPFRAG_QUIET_MS), 1);
	free(t);
}

/**
 * test_freef() - a packet with only the reserved flag makes libslirp free the
 * queue.
 * @state:	unused
 */
static void test_freef(void **state)
{
	struct ipfrag *t = calloc(1, sizeof(*t));

	(void)state;
	assert_int_equal(pass(t, FIRST(1), 0), 1);
	assert_int_equal(pass(t, (struct fr){.id = 1, .rf = 1, .plen = 8}, 0),
			 1);
	assert_int_equal(t->n, 0);
	assert_int_equal(pass(t, LAST(1), 0), 0);
	free(t);
}

/**
 * test_invalid() - what libslirp rejects before reassembly is dropped and not
 * remembered.
 * @state:	unused
 */
static void test_invalid(void **state)
{
	struct ipfrag *t = calloc(1, sizeof(*t));
	struct fr f = FIRST(1);
	size_t len;
	uint8_t *b;

	(void)state;
	f.bad_sum = 1;
	assert_int_equal(pass(t, f, 0), 0);
	/* total length beyond the frame */
	b = mk(&(struct fr){.id = 1, .mf = 1, .plen = 8}, &len);
	assert_int_equal(ipfrag_pass(t, b, len - 1, 0, 0), 0);
	/* version 6 in an IPv4 frame */
	b[ETH] = 0x65;
	assert_int_equal(ipfrag_pass(t, b, len, 0, 0), 0);
	free(b);
	assert_int_equal(t->n, 0);
	assert_int_equal(pass(t, LAST(1), 0), 0);
	free(t);
}

/**
 * test_ttl0() - TTL 0 with a right checksum: libslirp sends an ICMP error and
 * drops.
 * @state:	unused
 */
static void test_ttl0(void **state)
{
	struct ipfrag *t = calloc(1, sizeof(*t));
	struct fr f = FIRST(1);
	uint32_t sum = 0;
	size_t len, i;
	uint8_t *b;

	(void)state;
	b = mk(&f, &len);
	b[ETH + 8] = 0;
	b[ETH + 10] = b[ETH + 11] = 0;
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(b[ETH + i] << 8 | b[ETH + i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	b[ETH + 10] = (uint8_t)(sum >> 8);
	b[ETH + 11] = (uint8_t)sum;
	assert_int_equal(ipfrag_pass(t, b, len, 0, 0), 0);
	free(b);
	assert_int_equal(t->n, 0);
	free(t);
}

/**
 * test_full() - the table holds IPFRAG_MAX datagrams; then new first fragments
 * are refused, never an entry evicted.
 * @state:	unused
 */
static void test_full(void **state)
{
	struct ipfrag *t = calloc(1, sizeof(*t));
	unsigned i;

	(void)state;
	for (i = 0; i < IPFRAG_MAX; i++)
		assert_int_equal(pass(t, FIRST(i), 0), 1);
	assert_int_equal(pass(t, FIRST(1000), 0), 0);
	for (i = 0; i < IPFRAG_MAX; i++)
		assert_int_equal(pass(t, MIDDLE(i), 0), 1);
	assert_int_equal(pass(t, LAST(0), 0), 1);
	assert_int_equal(pass(t, FIRST(1000), 0), 1);
	/* a gap: passes into the queue, closes the entry */
	assert_int_equal(pass(t, LAST(1000), 0), 1);
	assert_int_equal(pass(t, LAST(1000), 0), 0);
	for (i = 1; i < IPFRAG_MAX; i++)
		assert_int_equal(pass(t, LAST(i), 0), 1);
	free(t);
}

/**
 * pass_as() - ipfrag_pass() on the frame @f describes, from port @owner
 * @t:		the fragment table
 * @f:		the packet
 * @owner:	the port it came from
 *
 * Return: what ipfrag_pass() returned
 */
static int pass_as(struct ipfrag *t, struct fr f, uint32_t owner)
{
	size_t len;
	uint8_t *b = mk(&f, &len);
	int r = ipfrag_pass(t, b, len, 0, owner);

	free(b);
	return r;
}

/**
 * test_share() - a port makes IPFRAG_SHARE entries at most; the rest of the
 * table stays for the others, and a port's own datagrams in progress go on.
 * @state:	unused
 */
static void test_share(void **state)
{
	struct ipfrag *t = calloc(1, sizeof(*t));
	unsigned i;

	(void)state;
	for (i = 0; i < IPFRAG_SHARE; i++)
		assert_int_equal(pass_as(t, FIRST(i), 1), IPFRAG_PASS);
	for (i = 0; i < 100; i++)
		assert_int_equal(pass_as(t, FIRST(500 + i), 1),
				 IPFRAG_OVER_SHARE);
	assert_int_equal(t->n, IPFRAG_SHARE);
	/* another port: the rest of the table */
	for (i = 0; i < IPFRAG_MAX - IPFRAG_SHARE; i++) {
		struct fr f = FIRST(1000 + i);

		f.src = (uint8_t)(20 + i / IPFRAG_SHARE);
		assert_int_equal(pass_as(t, f, 2 + i / IPFRAG_SHARE),
				 IPFRAG_PASS);
	}
	assert_int_equal(t->n, IPFRAG_MAX);
	/* port 1's datagrams go on and end, freeing its share */
	assert_int_equal(pass_as(t, MIDDLE(0), 1), IPFRAG_PASS);
	assert_int_equal(pass_as(t, LAST(0), 1), IPFRAG_PASS);
	assert_int_equal(t->n, IPFRAG_MAX - 1);
	assert_int_equal(pass_as(t, FIRST(600), 1), IPFRAG_PASS);
	assert_int_equal(pass_as(t, FIRST(601), 1), IPFRAG_OVER_SHARE);
	/* a full table refuses a port below its share */
	assert_int_equal(pass_as(t, FIRST(602), 9), IPFRAG_DROP);
	/* a fragment of a datagram another port began joins it: the key
	 * is libslirp's, not the port's */
	assert_int_equal(pass_as(t, MIDDLE(1), 9), IPFRAG_PASS);
	free(t);
}

/**
 * test_others() - other frames pass untouched, short ones read within bounds.
 * @state:	unused
 */
static void test_others(void **state)
{
	struct ipfrag *t = calloc(1, sizeof(*t));
	size_t len, l;
	uint8_t *b;

	(void)state;
	assert_int_equal(pass(t, (struct fr){.id = 1, .plen = 100}, 0), 1);
	assert_int_equal(pass(t, (struct fr){.id = 1, .df = 1, .plen = 9}, 0),
			 1);
	b = mk(&(struct fr){.id = 1, .off = 8, .plen = 8}, &len);
	for (l = 0; l < ETH + 20; l++) {
		uint8_t *c = malloc(l ? l : 1);

		memcpy(c, b, l);
		assert_int_equal(ipfrag_pass(t, c, l, 0, 0), 1);
		free(c);
	}
	b[12] = 0x86, b[13] = 0xdd; /* IPv6 */
	assert_int_equal(ipfrag_pass(t, b, len, 0, 0), 1);
	free(b);
	assert_int_equal(t->n, 0);
	free(t);
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
	    cmocka_unit_test(test_crashers_dropped),
	    cmocka_unit_test(test_in_order),
	    cmocka_unit_test(test_irregular),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_freef),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_ttl0),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_share),
	    cmocka_unit_test(test_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
