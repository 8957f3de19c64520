/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_limayaml.c - lima.yaml's hostResolver block: a full Lima instance
 * file, defaults, YAML spellings (flow style, anchors, yes/no), and every
 * mistake with its line and column: wrong types, bad names and addresses,
 * duplicates, syntax errors, missing files.  Unknown keys only warn.
 * Each case writes its YAML to a temporary file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/limayaml.h"
#include "tests/unit/testlib.h"

static char path[64];

/**
 * put() - write @yaml to a fresh temporary file, named in path[]
 * @yaml:	the file's contents
 */
static void put(const char *yaml)
{
	int fd;

	strcpy(path, "/tmp/test_limayaml.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	tl_write_file(path, yaml);
}

/**
 * load() - write @yaml to a temporary file and load it
 * @yaml:	the file's contents
 * @hr:		the result
 * @err:	message buffer, 512 bytes
 *
 * Return: what cfg_lima_yaml_load() returned
 */
static int load(const char *yaml, struct cfg_hostresolver *hr, char *err)
{
	int r;

	put(yaml);
	r = cfg_lima_yaml_load(path, hr, err, 512);
	unlink(path);
	return r;
}

/**
 * expect_err() - loading @yaml fails with "PATH:LINE:COL: ...@what..."
 * @yaml:	the file's contents
 * @line:	expected line
 * @col:	expected column
 * @what:	expected part of the message
 */
static void expect_err(const char *yaml, int line, int col, const char *what)
{
	struct cfg_hostresolver hr;
	char err[512], pos[600];
	int rc;

	rc = load(yaml, &hr, err);
	if (rc != -1)
		fail_msg("\"%s\": returned %d, want -1", yaml, rc);
	snprintf(pos, sizeof(pos), "%s:%d:%d: ", path, line, col);
	if (strncmp(err, pos, strlen(pos)) || !strstr(err, what))
		fail_msg("got \"%s\", want \"%s...%s\"", err, pos, what);
	/* reset to defaults, nothing to free */
	if (!hr.enabled || hr.ipv6 || hr.hosts || hr.nhosts)
		fail_msg("\"%s\": not reset to the defaults", yaml);
}

/**
 * test_full_file() - the hostResolver section of a whole lima.yaml is read, the
 * rest ignored
 * @state:	unused
 */
static void test_full_file(void **state)
{
	static const char yaml[] =
	    "# A Lima instance\n"
	    "vmType: qemu\n"
	    "images:\n"
	    "- location: \"https://cloud.debian.org/images/debian-12.qcow2\"\n"
	    "  arch: \"x86_64\"\n"
	    "cpus: 4\n"
	    "memory: \"4GiB\"\n"
	    "mounts:\n"
	    "- location: \"~\"\n"
	    "  writable: false\n"
	    "networks:\n"
	    "- lima: user-v2\n"
	    "hostResolver:\n"
	    "  # comment\n"
	    "  enabled: false\n"
	    "  ipv6: true\n"
	    "  hosts:\n"
	    "    guest.name: 127.1.1.1\n"
	    "    host.name: host.lima.internal\n"
	    "    \"v6.Name.\": '2001:db8::1'\n"
	    "dns: []\n"
	    "provision:\n"
	    "- mode: system\n"
	    "  script: |\n"
	    "    #!/bin/sh\n"
	    "    hostResolver: not this one\n";
	struct cfg_hostresolver hr;
	char err[512];

	(void)state;
	assert_int_equal(load(yaml, &hr, err), 0);
	assert_false(hr.enabled);
	assert_true(hr.ipv6);
	assert_int_equal(hr.nhosts, 3);
	assert_string_equal(hr.hosts[0].name, "guest.name");
	assert_string_equal(hr.hosts[0].value, "127.1.1.1");
	assert_int_equal(hr.hosts[0].line, 18);
	assert_int_equal(hr.hosts[0].column, 5);
	assert_string_equal(hr.hosts[1].name, "host.name");
	assert_string_equal(hr.hosts[1].value, "host.lima.internal");
	assert_string_equal(hr.hosts[2].name, "v6.Name.");
	assert_string_equal(hr.hosts[2].value, "2001:db8::1");
	assert_int_equal(hr.hosts[2].line, 20);
	cfg_hostresolver_free(&hr);
	assert_true(hr.enabled);
	assert_int_equal(hr.nhosts, 0);
	cfg_hostresolver_free(&hr); /* twice is fine */
}

/**
 * test_defaults() - files without a hostResolver section, or with null or empty
 * values, give the defaults
 * @state:	unused
 */
static void test_defaults(void **state)
{
	static const char *const files[] = {
	    "",
	    "# only a comment\n",
	    "---\n",
	    "vmType: vz\ncpus: 2\n",
	    "hostResolver:\n",
	    "hostResolver: ~\n",
	    "hostResolver:\n  enabled:\n  ipv6: null\n  hosts:\n",
	    "hostResolver: {}\n",
	    "hostResolver:\n  hosts: {}\n",
	    "hostResolver:\n  enabled: true\n---\nhostResolver: 3\n",
	};
	struct cfg_hostresolver hr;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (load(files[i], &hr, err))
			fail_msg("file %zu: %s", i, err);
		assert_true(hr.enabled);
		assert_false(hr.ipv6);
		assert_int_equal(hr.nhosts, 0);
		cfg_hostresolver_free(&hr);
	}
}

/**
 * test_spellings() - YAML 1.1 booleans, flow style, anchors and aliases read as
 * Lima's decoder reads them
 * @state:	unused
 */
static void test_spellings(void **state)
{
	struct cfg_hostresolver hr;
	char err[512];

	(void)state;
	assert_int_equal(load("hostResolver: {enabled: no, ipv6: On, "
			      "hosts: {a.b: 1.2.3.4, c.d: a.b}}\n",
			      &hr, err),
			 0);
	assert_false(hr.enabled);
	assert_true(hr.ipv6);
	assert_int_equal(hr.nhosts, 2);
	assert_string_equal(hr.hosts[1].value, "a.b");
	cfg_hostresolver_free(&hr);

	/* anchors and aliases */
	assert_int_equal(load("x-hosts: &h\n  a.example: 10.0.0.1\n"
			      "hostResolver:\n  enabled: FALSE\n  hosts: *h\n",
			      &hr, err),
			 0);
	assert_false(hr.enabled);
	assert_int_equal(hr.nhosts, 1);
	assert_string_equal(hr.hosts[0].name, "a.example");
	cfg_hostresolver_free(&hr);

	/* hostResolver appearing after other keys, value on the same line */
	assert_int_equal(
	    load("a: 1\nhostResolver: {ipv6: yes}\nb: 2\n", &hr, err), 0);
	assert_true(hr.ipv6);
	cfg_hostresolver_free(&hr);
}

/**
 * test_unknown_keys_warn() - an unknown key in hostResolver is a warning on
 * stderr, not an error
 * @state:	unused
 */
static void test_unknown_keys_warn(void **state)
{
	struct cfg_hostresolver hr;
	char err[512], out[1024];
	int fd, saved;
	FILE *f;
	size_t n;

	(void)state;
	f = tmpfile();
	assert_non_null(f);
	fd = fileno(f);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	assert_int_equal(load("hostResolver:\n  enabled: true\n"
			      "  enable: false\n  hosts: {}\n",
			      &hr, err),
			 0);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_true(hr.enabled);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	fclose(f);
	if (!strstr(out, ":3:3: unknown key hostResolver.enable ignored"))
		fail_msg("warning not seen: %s", out);
	cfg_hostresolver_free(&hr);
}

/**
 * test_errors() - what Lima refuses fails with the position and what is wrong,
 * and leaves the defaults
 * @state:	unused
 */
static void test_errors(void **state)
{
	static const struct {
		const char *yaml;
		int line;
		int col;
		const char *what;
	} rows[] = {
	    {"hostResolver:\n  enabled: maybe\n", 2, 12,
	     "hostResolver.enabled: \"maybe\" is not a boolean"},
	    {"hostResolver:\n  ipv6: \"true\"\n", 2, 9,
	     "hostResolver.ipv6: \"true\" is not a boolean"},
	    {"hostResolver:\n  ipv6: 1\n", 2, 9, "not a boolean"},
	    {"hostResolver:\n  enabled: [true]\n", 2, 12,
	     "hostResolver.enabled: expected true or false"},
	    {"hostResolver:\n  hosts:\n  - a.b\n", 3, 3,
	     "hostResolver.hosts: expected a mapping"},
	    {"hostResolver:\n  hosts: a.b\n", 2, 10,
	     "hostResolver.hosts: expected a mapping"},
	    {"hostResolver:\n  hosts:\n    a.b: {x: 1}\n", 3, 10,
	     "hostResolver.hosts.a.b: expected an IP address or a name"},
	    {"hostResolver:\n  hosts:\n    a.b:\n", 3, 9,
	     "expected an IP address or a name"},
	    {"hostResolver:\n  hosts:\n    a.b: 1.2.3.4\n"
	     "    ok.name: a..b\n",
	     4, 14, "\"a..b\" is neither an IP address nor a valid DNS"},
	    {"hostResolver:\n  hosts:\n    a.b: \"has space\"\n", 3, 10,
	     "neither an IP address nor a valid DNS name"},
	    {"hostResolver:\n  hosts:\n    a.b: \"x\\0y\"\n", 3, 10,
	     "expected an IP address or a name"},
	    {"hostResolver:\n  hosts:\n    \"a b\": 1.2.3.4\n", 3, 5,
	     "\"a b\" is not a valid DNS name"},
	    {"hostResolver:\n  hosts:\n    [a]: 1.2.3.4\n", 3, 5,
	     "is not a valid DNS name"},
	    {"hostResolver:\n  hosts:\n    A.b: 1.2.3.4\n"
	     "    a.B.: 1.2.3.5\n",
	     4, 5, "\"a.B.\" is already defined at line 3"},
	    {"hostResolver:\n  enabled: true\n  enabled: false\n", 3, 3,
	     "hostResolver.enabled: defined twice"},
	    {"hostResolver: {}\nhostResolver: {}\n", 2, 1,
	     "hostResolver: defined twice"},
	    {"hostResolver: yes\n", 1, 15, "hostResolver: expected a mapping"},
	    {"hostResolver:\n- enabled\n", 2, 1,
	     "hostResolver: expected a mapping"},
	    {"- a\n- b\n", 1, 1, "expected a mapping"},
	    {"hostResolver:\n  ? [x]\n  : 1\n", 2, 5,
	     "a key must be a plain string"},
	    /* YAML syntax: positions from libyaml */
	    {"hostResolver:\n  enabled: true\n ipv6: false\n", 3, 2,
	     "did not find expected key while parsing a block mapping"},
	    {"a: b: c\n", 1, 5, "mapping values are not allowed"},
	    {"hostResolver:\n  hosts: {a: 1\n", 3, 1,
	     "did not find expected ',' or '}'"},
	    {"a: \"unterminated\n", 2, 1, "found unexpected end"},
	    {"a: *nowhere\n", 1, 4, "found undefined alias"},
	};
	struct cfg_hostresolver hr;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		expect_err(rows[i].yaml, rows[i].line, rows[i].col,
			   rows[i].what);

	assert_int_equal(
	    cfg_lima_yaml_load("/nonexistent/lima.yaml", &hr, err, sizeof(err)),
	    -1);
	assert_string_equal(
	    err, "/nonexistent/lima.yaml: No such file or directory");
	assert_true(hr.enabled);
	/* a small error buffer is not overrun */
	put("hostResolver:\n  enabled: maybe\n");
	assert_int_equal(cfg_lima_yaml_load(path, &hr, err, 10), -1);
	assert_int_equal(strlen(err), 9);
	unlink(path);
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
	    cmocka_unit_test(test_full_file),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_spellings),
	    cmocka_unit_test(test_unknown_keys_warn),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
