/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_base.c - the base layer's small helpers: the log throttle
 * (log_rate_due(), log_rate_reset()) and the allocation wrappers
 * (xalloc.h), their overflow check included (a fatal exit, seen from a
 * child process).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/log.h"
#include "base/xalloc.h"

/**
 * test_rate_interval() - one line per interval, the skipped ones counted
 * into the next line
 * @state:	unused
 */
static void test_rate_interval(void **state)
{
	struct log_rate r = {0};

	(void)state;
	assert_int_equal(log_rate_due(&r, 1000, 100), 1);
	assert_int_equal(log_rate_due(&r, 1001, 100), 0);
	assert_int_equal(log_rate_due(&r, 1099, 100), 0);
	assert_int_equal(log_rate_due(&r, 1100, 100), 3);
	assert_int_equal(log_rate_due(&r, 1150, 100), 0);
	assert_int_equal(log_rate_due(&r, 5000, 100), 2);
}

/**
 * test_rate_reset() - the end of an episode: the next line at once
 * @state:	unused
 */
static void test_rate_reset(void **state)
{
	struct log_rate r = {0};

	(void)state;
	assert_int_equal(log_rate_due(&r, 0, 1000), 1);
	assert_int_equal(log_rate_due(&r, 10, 1000), 0);
	log_rate_reset(&r);
	assert_int_equal(log_rate_due(&r, 20, 1000), 1);
}

/**
 * test_xalloc() - the wrappers allocate, zero and copy
 * @state:	unused
 */
static void test_xalloc(void **state)
{
	unsigned char *z = xcalloc(16, 4);
	char *s = xstrdup("usernetd");
	int *a = xreallocarray(NULL, 4, sizeof(int));
	size_t i;

	(void)state;
	for (i = 0; i < 64; i++)
		assert_int_equal(z[i], 0);
	assert_string_equal(s, "usernetd");
	a = xreallocarray(a, 1024, sizeof(int));
	a[1023] = 7;
	free(z);
	free(s);
	free(a);
	free(xmalloc(0));
}

/**
 * test_xalloc_overflow() - a product past SIZE_MAX exits with 1, never
 * allocates a short block
 * @state:	unused
 */
static void test_xalloc_overflow(void **state)
{
	int st = 0;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(STDERR_FILENO);
		xreallocarray(NULL, SIZE_MAX / 2, 4);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
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
	    cmocka_unit_test(test_rate_interval),
	    cmocka_unit_test(test_rate_reset),
	    cmocka_unit_test(test_xalloc),
	    cmocka_unit_test(test_xalloc_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
