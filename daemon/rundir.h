/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rundir.h - the directory of the default VM socket: created 0700, or
 * used only if it is a real directory of the daemon's uid that nobody
 * else can enter.
 */
#ifndef USERNETD_RUNDIR_H
#define USERNETD_RUNDIR_H

#include <stddef.h>

int rundir_prepare(const char *dir, char *err, size_t errlen);

#endif /* USERNETD_RUNDIR_H */
