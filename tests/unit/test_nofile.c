/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_nofile.c - the descriptor limit at start-up: the target is the
 * hard limit, clamped to the poll(2) cap (macOS's OPEN_MAX) and to a
 * finite value when the hard limit is infinite, never below the soft
 * limit already in force; and the real setrlimit(2) path raises the limit
 * to a cap and no further.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "daemon/nofile.h"

/**
 * test_target() - the arithmetic, with the values macOS, Linux and containers
 * report.
 * @state:	unused
 */
static void test_target(void **state)
{
	(void)state;
	/* Linux: up to the hard limit, no cap. */
	assert_true(nofile_target(1024, 524288, 0) == 524288);
	assert_true(nofile_target(1024, 1024, 0) == 1024);
	/* macOS: rlim_max infinite, poll(2) takes OPEN_MAX. */
	assert_true(nofile_target(256, RLIM_INFINITY, 10240) == 10240);
	assert_true(nofile_target(256, 5000, 10240) == 5000);
	/* Infinite without a known cap: finite all the same. */
	assert_true(nofile_target(1024, RLIM_INFINITY, 0) != RLIM_INFINITY);
	assert_true(nofile_target(1024, RLIM_INFINITY, 0) > 1024);
	/* Never lowered below what is in force. */
	assert_true(nofile_target(20000, RLIM_INFINITY, 10240) == 20000);
}

/**
 * test_raise() - the real limit: raised to the cap, not past it; then to the
 * hard one.
 * @state:	unused
 */
static void test_raise(void **state)
{
	struct rlimit saved, rl;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 512)
		skip();
	rl = saved;
	rl.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);

	assert_true(nofile_raise(200) == 200);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_true(rl.rlim_cur == 200);
	assert_true(rl.rlim_max == saved.rlim_max);

	/* A cap below the limit in force lowers nothing. */
	assert_true(nofile_raise(100) == 200);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_true(rl.rlim_cur == 200);

	/* No cap: up to the hard limit, or what the system accepts. */
	assert_true(nofile_raise(nofile_cap()) > 200);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_true(rl.rlim_cur > 200);
	assert_true(rl.rlim_max == RLIM_INFINITY || rl.rlim_cur <= rl.rlim_max);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_target),
	    cmocka_unit_test(test_raise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
