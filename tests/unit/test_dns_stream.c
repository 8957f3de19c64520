/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_stream.c - the clock of an incomplete DNS-over-TCP message
 * (dnsd_stream_received(), dnsd_stream_late()) and a client's identity for
 * the resolver's fair share (dnsd_client_set()), from
 * services/dns/service_int.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "services/dns/service_int.h"

/**
 * feed() - append @n bytes of @b to @st's receive buffer.
 * @st:		stream
 * @b:		bytes
 * @n:		how many
 */
static void feed(struct dnsd_stream *st, const void *b, size_t n)
{
	memcpy(st->rx + st->rxlen, b, n);
	st->rxlen += n;
}

/**
 * test_trickle_is_late() - a byte a time, 9 s apart: late 10 s after the first,
 * whatever trickles.
 * @state:	unused
 */
static void test_trickle_is_late(void **state)
{
	struct dnsd_stream *st = calloc(1, sizeof(*st));
	int64_t t;

	(void)state;
	assert_non_null(st);
	dnsd_stream_received(st, 1000);
	assert_false(dnsd_stream_late(st, 1000000)); /* nothing buffered */
	feed(st, "\xff", 1);
	dnsd_stream_received(st, 1000);
	for (t = 1000; t <= 10000; t += 9000) {
		if (t > 1000) {
			feed(st, "a", 1);
			dnsd_stream_received(st, t);
		}
		assert_false(dnsd_stream_late(st, t));
	}
	assert_false(dnsd_stream_late(st, 1000 + DNSD_TCP_MSG_MS));
	assert_true(dnsd_stream_late(st, 1001 + DNSD_TCP_MSG_MS));
	free(st);
}

/**
 * test_whole_message_not_late() - a whole message waiting for its turn is not
 * late; the next one's clock starts with its own first byte.
 * @state:	unused
 */
static void test_whole_message_not_late(void **state)
{
	struct dnsd_stream *st = calloc(1, sizeof(*st));

	(void)state;
	assert_non_null(st);
	feed(st, "\x00\x03", 2);
	dnsd_stream_received(st, 1000);
	assert_true(dnsd_stream_late(st, 1001 + DNSD_TCP_MSG_MS));
	feed(st, "abc", 3);
	dnsd_stream_received(st, 2000);
	assert_false(dnsd_stream_late(st, 100000));
	/* The parser took it (it clears the clock) and left a partial one. */
	st->rxlen = 0;
	st->msg_start = 0;
	feed(st,
	     "\x00\x05"
	     "ab",
	     4);
	dnsd_stream_received(st, 50000);
	assert_false(dnsd_stream_late(st, 50000 + DNSD_TCP_MSG_MS));
	assert_true(dnsd_stream_late(st, 50001 + DNSD_TCP_MSG_MS));
	free(st);
}

/**
 * test_client_set() - IPv4 clients are IPv4-mapped; two addresses or networks
 * never match.
 * @state:	unused
 */
static void test_client_set(void **state)
{
	struct sockaddr_in s4 = {.sin_family = AF_INET};
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	struct hr_client a, b;
	static const uint8_t want[16] = {0, 0, 0,    0,	   0,	0,   0, 0,
					 0, 0, 0xff, 0xff, 192, 168, 5, 15};
	int net1, net2;

	(void)state;
	inet_pton(AF_INET, "192.168.5.15", &s4.sin_addr);
	dnsd_client_set(&a, &net1, (struct sockaddr *)&s4);
	assert_ptr_equal(a.net, &net1);
	assert_memory_equal(a.addr, want, 16);
	inet_pton(AF_INET6, "::ffff:192.168.5.15", &s6.sin6_addr);
	dnsd_client_set(&b, &net2, (struct sockaddr *)&s6);
	assert_memory_equal(b.addr, want, 16);
	assert_ptr_not_equal(a.net, b.net);
	inet_pton(AF_INET, "192.168.5.16", &s4.sin_addr);
	dnsd_client_set(&b, &net1, (struct sockaddr *)&s4);
	assert_memory_not_equal(a.addr, b.addr, 16);
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
	    cmocka_unit_test(test_trickle_is_late),
	    cmocka_unit_test(test_whole_message_not_late),
	    cmocka_unit_test(test_client_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
