/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox_none.c - --sandbox where there is no seccomp: the option is
 * refused before anything starts (main.c asks sandbox_check()), so
 * sandbox_apply() is never reached in practice and fails if it is.
 */
#include <stdio.h>

#include "sandbox.h"

/**
 * sandbox_check() - whether --sandbox can work in this build
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: -1, never here, with a message in @err
 */
int sandbox_check(char *err, size_t errlen)
{
	snprintf(err, errlen, "--sandbox: not supported on this system");
	return -1;
}

/**
 * sandbox_apply() - install the allow-list: impossible here
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: -1, with a message in @err
 */
int sandbox_apply(char *err, size_t errlen)
{
	snprintf(err, errlen, "--sandbox: not supported on this system");
	return -1;
}
