/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xalloc.h - allocation that cannot fail, OpenBSD's rule: outside the
 * per-frame path, running out of memory is fatal() (a daemon that
 * half-built a network or a table is worse than one that exits and is
 * restarted). On the per-frame path (a frame, a NAT socket, a DNS query,
 * a lease a guest asks for) allocation failure is a counted drop instead,
 * with plain malloc(3)/calloc(3), never these.
 */
#ifndef USERNETD_XALLOC_H
#define USERNETD_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
long long xalloc_in_use(void);

#endif /* USERNETD_XALLOC_H */
