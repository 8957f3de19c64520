/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox.h - the optional system call allow-list (--sandbox): seccomp on
 * Linux (sandbox_linux.c), refused elsewhere (sandbox_none.c).
 */
#ifndef USERNETD_SANDBOX_H
#define USERNETD_SANDBOX_H

#include <stddef.h>

/* Environment variable: log forbidden system calls instead of killing. */
#define SANDBOX_LOG_ENV "USERNETD_SANDBOX_LOG"

int sandbox_check(char *err, size_t errlen);
int sandbox_apply(char *err, size_t errlen);

#endif /* USERNETD_SANDBOX_H */
