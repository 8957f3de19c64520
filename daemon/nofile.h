/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nofile.h - the daemon's descriptor limit: raised to what the system
 * allows and the loop can poll, clamped with a warning where the hard
 * limit is "infinite" (macOS) rather than failing.
 */
#ifndef USERNETD_NOFILE_H
#define USERNETD_NOFILE_H

#include <sys/resource.h>

rlim_t nofile_target(rlim_t cur, rlim_t max, rlim_t cap);
rlim_t nofile_cap(void);
rlim_t nofile_raise(rlim_t cap);

#endif /* USERNETD_NOFILE_H */
