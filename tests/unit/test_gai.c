/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_gai.c - the native lookups' rule for a family that fails: NODATA
 * whenever the name has addresses of the other family (macOS hides AAAA
 * without routable IPv6 and says EAI_NONAME; FreeBSD has no EAI_NODATA),
 * NXDOMAIN only when neither family has any, SERVFAIL for the transient
 * and system errors; and IPv4-mapped AAAA addresses (macOS) dropped.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "services/hostresolver/hr_internal.h"

/**
 * test_one_family() - EAI_NONAME for one family: the other family decides.
 * @state:	unused
 */
static void test_one_family(void **state)
{
	(void)state;
	assert_int_equal(hr_gai_status(EAI_NONAME, 0), HR_NODATA);
	assert_int_equal(hr_gai_status(EAI_NONAME, EAI_NONAME), HR_NXDOMAIN);
	/* The other family's lookup failing otherwise proves no name. */
	assert_int_equal(hr_gai_status(EAI_NONAME, EAI_AGAIN), HR_NXDOMAIN);
#ifdef EAI_NODATA
	assert_int_equal(hr_gai_status(EAI_NODATA, 1), HR_NODATA);
#endif
#ifdef EAI_ADDRFAMILY
	assert_int_equal(hr_gai_status(EAI_ADDRFAMILY, 1), HR_NODATA);
#endif
}

/**
 * test_transient() - errors that say nothing about the name are SERVFAIL, never
 * NXDOMAIN.
 * @state:	unused
 */
static void test_transient(void **state)
{
	static const int rcs[] = {EAI_AGAIN, EAI_FAIL, EAI_MEMORY, EAI_SYSTEM};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rcs) / sizeof(rcs[0]); i++) {
		assert_int_equal(hr_gai_status(rcs[i], 0), HR_SERVFAIL);
		assert_int_equal(hr_gai_status(rcs[i], 1), HR_SERVFAIL);
	}
}

/**
 * test_mapped() - ::ffff:a.b.c.d is no AAAA record; other IPv6 and all IPv4 are
 * kept.
 * @state:	unused
 */
static void test_mapped(void **state)
{
	struct in6_addr a6;
	struct in_addr a4;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:192.0.2.1", &a6), 1);
	assert_int_equal(hr_gai_addr_ok(AF_INET6, &a6), 0);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &a6), 1);
	assert_int_equal(hr_gai_addr_ok(AF_INET6, &a6), 1);
	assert_int_equal(inet_pton(AF_INET6, "::1", &a6), 1);
	assert_int_equal(hr_gai_addr_ok(AF_INET6, &a6), 1);
	/* NAT64 (RFC 6052) addresses are real AAAA records. */
	assert_int_equal(inet_pton(AF_INET6, "64:ff9b::192.0.2.1", &a6), 1);
	assert_int_equal(hr_gai_addr_ok(AF_INET6, &a6), 1);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", &a4), 1);
	assert_int_equal(hr_gai_addr_ok(AF_INET, &a4), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_family),
	    cmocka_unit_test(test_transient),
	    cmocka_unit_test(test_mapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
