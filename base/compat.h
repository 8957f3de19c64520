/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * compat.h - what POSIX systems spell differently, in one place.
 *
 * MSG_NOSIGNAL: send(2) flag against SIGPIPE from a peer that went away,
 * for every socket send. Systems without it (older macOS) get 0: the
 * daemon ignores SIGPIPE (daemon/main.c) anyway.
 */
#ifndef USERNETD_COMPAT_H
#define USERNETD_COMPAT_H

#include <sys/socket.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#endif /* USERNETD_COMPAT_H */
