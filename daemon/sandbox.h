/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox.h - the system call allow-list the daemon confines itself to
 * once started: seccomp on Linux (sandbox_linux.c), on by default
 * (--no-sandbox turns it off, --sandbox-log only logs); nothing elsewhere
 * (sandbox_none.c).
 */
#ifndef USERNETD_SANDBOX_H
#define USERNETD_SANDBOX_H

#include <stddef.h>

/**
 * enum sandbox_mode - what the command line asked for (struct cfg)
 * @SANDBOX_ON:		the default: forbidden calls kill the daemon
 * @SANDBOX_OFF:	--no-sandbox (debugging, LeakSanitizer)
 * @SANDBOX_LOG:	--sandbox-log: forbidden calls are logged by the
 *			kernel and allowed (finding what a new library calls)
 */
enum sandbox_mode {
	SANDBOX_ON = 0,
	SANDBOX_OFF,
	SANDBOX_LOG,
};

int sandbox_check(char *err, size_t errlen);
int sandbox_apply(int log_only, char *err, size_t errlen);

#endif /* USERNETD_SANDBOX_H */
