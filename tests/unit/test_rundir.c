/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_rundir.c - the default socket's directory (daemon/rundir.c): a
 * new one is created 0700 whatever the umask; an existing one of ours
 * with mode 0700 is used; a symbolic link (even to a good directory), a
 * regular file, a directory with group or other bits, and (as root) one
 * owned by another uid are refused with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/rundir.h"
#include "tests/unit/testlib.h"

static char base[64]; /* a private temporary directory */
static char dir[128]; /* the directory under test, in it */
static char err[512];

/**
 * setup() - a fresh base directory; dir[] names usernetd-1 in it (not made)
 * @st:		unused
 *
 * Return: 0, or -1 if mkdtemp() failed
 */
static int setup(void **st)
{
	(void)st;
	if (!tl_mkdtemp(base, sizeof(base), "test_rundir"))
		return -1;
	snprintf(dir, sizeof(dir), "%s/usernetd-1", base);
	err[0] = 0;
	return 0;
}

/**
 * teardown() - remove what a case made, then the base directory
 * @st:		unused
 *
 * Return: 0, or -1 if the base directory is not empty
 */
static int teardown(void **st)
{
	char p[160];

	(void)st;
	unlink(dir); /* a link or a file */
	rmdir(dir);
	snprintf(p, sizeof(p), "%s/target", base);
	rmdir(p);
	return rmdir(base); /* fails if a case left something behind */
}

/**
 * assert_refused() - the message names the directory and says @why.
 * @why:	part of the message
 */
static void assert_refused(const char *why)
{
	assert_int_equal(rundir_prepare(dir, err, sizeof(err)), -1);
	if (!strstr(err, dir) || !strstr(err, why))
		fail_msg("message '%s' lacks '%s' or '%s'", err, dir, why);
}

/**
 * test_created_0700() - the run directory is created 0700, owned by us,
 * whatever the umask, and accepted again
 * @state:	unused
 */
static void test_created_0700(void **state)
{
	struct stat st;
	mode_t old = umask(0);

	(void)state;
	assert_int_equal(rundir_prepare(dir, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(lstat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(st.st_uid, geteuid());
	/* And again, now that it exists. */
	assert_int_equal(rundir_prepare(dir, err, sizeof(err)), 0);
}

/**
 * test_symlink() - a symbolic link in place of the run directory is refused
 * @state:	unused
 */
static void test_symlink(void **state)
{
	char target[160];

	(void)state;
	snprintf(target, sizeof(target), "%s/target", base);
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(symlink(target, dir), 0);
	assert_refused("symbolic link");
}

/**
 * test_group_other_bits() - a run directory with group or other bits is refused
 * @state:	unused
 */
static void test_group_other_bits(void **state)
{
	(void)state;
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_refused("mode 0755");
	assert_int_equal(chmod(dir, 0710), 0);
	assert_refused("mode 0710");
	assert_int_equal(chmod(dir, 0701), 0);
	assert_refused("mode 0701");
}

/**
 * test_not_a_directory() - a file in place of the run directory is refused
 * @state:	unused
 */
static void test_not_a_directory(void **state)
{
	FILE *f;

	(void)state;
	f = fopen(dir, "w");
	assert_non_null(f);
	fclose(f);
	assert_refused("not a directory");
}

/**
 * test_other_owner() - a run directory owned by another uid is refused (root
 * only)
 * @state:	unused
 */
static void test_other_owner(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		print_message("not root: cannot make a directory of another "
			      "uid: skipped\n");
		skip();
	}
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_refused("owned by uid 65534");
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
	    cmocka_unit_test_setup_teardown(test_created_0700, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_other_bits, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_not_a_directory, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_other_owner, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
