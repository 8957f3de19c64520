/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * peercred.h - who is at the other end of a connected unix socket, and
 * whether the daemon talks to them: only its own uid, and root.
 *
 * Two implementations, chosen by the build: peercred_linux.c
 * (SO_PEERCRED) and peercred_bsd.c (getpeereid(3): macOS, the BSDs).
 */
#ifndef USERNETD_PEERCRED_H
#define USERNETD_PEERCRED_H

#include <sys/types.h>

int peercred_uid(int fd, uid_t *uid);
int peercred_allowed(int fd, uid_t *uid);

#endif /* USERNETD_PEERCRED_H */
