/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox_none.c - where there is no seccomp: the daemon runs without a
 * system call allow-list (main.c logs it once) and --sandbox-log is
 * refused, since there is nothing to log with.
 */
#include <stdio.h>

#include "daemon/sandbox.h"

/**
 * sandbox_check() - whether the sandbox can work in this build
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: -1, never here, with a message in @err
 */
int sandbox_check(char *err, size_t errlen)
{
	snprintf(err, errlen, "no system call sandbox on this system");
	return -1;
}

/**
 * sandbox_apply() - install the allow-list: impossible here
 * @log_only:	unused
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: -1, with a message in @err
 */
int sandbox_apply(int log_only, char *err, size_t errlen)
{
	(void)log_only;
	return sandbox_check(err, errlen);
}
