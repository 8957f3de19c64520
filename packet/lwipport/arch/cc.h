/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arch/cc.h - the compiler and C library facts lwIP asks its port for,
 * when usernetd builds lwIP from source (lwipopts.h says why). POSIX only:
 * the same file serves Linux, macOS and the BSDs.
 */
#ifndef USERNETD_LWIP_ARCH_CC_H
#define USERNETD_LWIP_ARCH_CC_H

#include <errno.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/types.h>

/* struct timeval comes from <sys/time.h>, errno values from <errno.h> */
#define LWIP_TIMEVAL_PRIVATE  0
#define LWIP_ERRNO_STDINCLUDE 1

/*
 * htons() and friends come from the system (<arpa/inet.h>): lwIP's own
 * macros of the same names would clash with them in our sources.
 */
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS

/* Without BYTE_ORDER lwIP assumes little-endian: say so on big-endian */
#if !defined(BYTE_ORDER) && defined(__BYTE_ORDER__) &&                         \
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BYTE_ORDER BIG_ENDIAN
#endif

/* 64-bit: the reassembly helper does not fit in the fragment header */
#if defined __LP64__
#define IPV6_FRAG_COPYHEADER 1
#endif

/* Initial ports and ISNs: random(3) (Debian's port uses rand(3)) */
#define LWIP_RAND() ((u32_t)random())

/* A malformed packet runs the handler (a drop); asserts stay on otherwise */
#ifdef LWIP_NOASSERT_ON_ERROR
#define LWIP_ERROR(message, expression, handler)                               \
	do {                                                                   \
		if (!(expression)) {                                           \
			handler;                                               \
		}                                                              \
	} while (0)
#endif

#endif /* USERNETD_LWIP_ARCH_CC_H */
