/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_fwd_unix.c - the pure part of the unix socket forwards
 * (packet/fwd_unix.c): the bounded ring buffer of guest-to-host bytes,
 * its capacity limit, wrap-around, contiguous peeks and consumption, and a
 * long random run against a straight copy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packet/fwd_unix.h"

/**
 * ring_take() - copy out and consume up to @n bytes, peek by peek
 * @r:		ring
 * @out:	destination
 * @n:		at most this many
 *
 * Return: bytes taken
 */
static size_t ring_take(struct fwdu_ring *r, uint8_t *out, size_t n)
{
	const uint8_t *p;
	size_t got = 0, k;

	while (got < n && (k = fwdu_ring_peek(r, &p))) {
		if (k > n - got)
			k = n - got;
		memcpy(out + got, p, k);
		fwdu_ring_consume(r, k);
		got += k;
	}
	return got;
}

/**
 * test_ring_limits() - the ring takes no more than its capacity
 * @state:	unused
 */
static void test_ring_limits(void **state)
{
	struct fwdu_ring r;
	uint8_t out[16];
	const uint8_t *p;

	(void)state;
	assert_int_equal(fwdu_ring_init(&r, 8), 0);
	assert_int_equal(fwdu_ring_space(&r), 8);
	assert_int_equal(fwdu_ring_peek(&r, &p), 0);
	assert_int_equal(fwdu_ring_put(&r, "abcdefghij", 10), 8);
	assert_int_equal(fwdu_ring_space(&r), 0);
	assert_int_equal(fwdu_ring_put(&r, "x", 1), 0);
	assert_int_equal(ring_take(&r, out, sizeof(out)), 8);
	assert_memory_equal(out, "abcdefgh", 8);
	assert_int_equal(fwdu_ring_space(&r), 8);
	fwdu_ring_consume(&r, 5); /* more than held: empties */
	assert_int_equal(r.len, 0);
	fwdu_ring_free(&r);
	assert_null(r.buf);
	assert_int_equal(r.cap, 0);
}

/**
 * test_ring_wrap() - bytes written across the end come back in order,
 * in two contiguous pieces
 * @state:	unused
 */
static void test_ring_wrap(void **state)
{
	struct fwdu_ring r;
	const uint8_t *p;
	uint8_t out[8];

	(void)state;
	assert_int_equal(fwdu_ring_init(&r, 8), 0);
	assert_int_equal(fwdu_ring_put(&r, "012345", 6), 6);
	assert_int_equal(ring_take(&r, out, 5), 5);
	assert_memory_equal(out, "01234", 5);
	/* head at 5, one byte held: these wrap */
	assert_int_equal(fwdu_ring_put(&r, "6789abc", 7), 7);
	assert_int_equal(fwdu_ring_space(&r), 0);
	assert_int_equal(fwdu_ring_peek(&r, &p), 3);
	assert_memory_equal(p, "567", 3);
	fwdu_ring_consume(&r, 3);
	assert_int_equal(fwdu_ring_peek(&r, &p), 5);
	assert_memory_equal(p, "89abc", 5);
	fwdu_ring_consume(&r, 5);
	assert_int_equal(r.len, 0);
	assert_int_equal(r.head, 0); /* an empty ring restarts at 0 */
	fwdu_ring_free(&r);
}

/**
 * test_ring_random() - random puts and takes match a straight copy
 * @state:	unused
 */
static void test_ring_random(void **state)
{
	enum { TOTAL = 1 << 20, CAP = 4093 };
	uint8_t *src = malloc(TOTAL), *dst = malloc(TOTAL);
	size_t in = 0, out = 0, n;
	struct fwdu_ring r;
	unsigned seed = 12345;

	(void)state;
	assert_non_null(src);
	assert_non_null(dst);
	for (n = 0; n < TOTAL; n++)
		src[n] = (uint8_t)rand_r(&seed);
	assert_int_equal(fwdu_ring_init(&r, CAP), 0);
	while (out < TOTAL) {
		n = (size_t)rand_r(&seed) % (CAP + 100);
		if (n > TOTAL - in)
			n = TOTAL - in;
		in += fwdu_ring_put(&r, src + in, n);
		assert_true(r.len <= CAP);
		n = (size_t)rand_r(&seed) % (CAP + 100);
		out += ring_take(&r, dst + out, n);
	}
	assert_int_equal(in, TOTAL);
	assert_memory_equal(src, dst, TOTAL);
	fwdu_ring_free(&r);
	free(src);
	free(dst);
}

/**
 * main() - run the tests
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed, else
 * how many failed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ring_limits),
	    cmocka_unit_test(test_ring_wrap),
	    cmocka_unit_test(test_ring_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
