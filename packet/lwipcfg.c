/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lwipcfg.c - the compile-time check of the lwIP options the code relies
 * on, whichever lwIP it is built with, and the line saying which one the
 * daemon runs on (logged at start-up).
 *
 * The system library's options come from its own lwipopts.h (Debian's);
 * a library built from source has ours. Both must give: a tcpip thread
 * (NO_SYS 0), core locking (LOCK_TCPIP_CORE() is otherwise an empty macro
 * and every caller on the loop thread would race the tcpip thread), IPv4
 * with ARP, UDP and TCP, and the heap behind memory pools (thousands of
 * connections must not run a fixed pool dry).
 */
#include "lwip/init.h"
#include "lwip/opt.h"
#include "lwip/tcpip.h"

#include "packet/lwipcfg.h"

#if NO_SYS
#error "lwIP must be built with NO_SYS 0 (a tcpip thread)"
#endif
#if !LWIP_TCPIP_CORE_LOCKING
#error "lwIP must be built with LWIP_TCPIP_CORE_LOCKING"
#endif
#if !LWIP_IPV4 || !LWIP_ARP || !LWIP_ETHERNET || !LWIP_UDP || !LWIP_TCP
#error "lwIP must be built with IPv4, ARP, Ethernet, UDP and TCP"
#endif
#if !MEMP_MEM_MALLOC
#error "lwIP must be built with MEMP_MEM_MALLOC (pools from the heap)"
#endif

#ifdef USERNETD_LWIP_SOURCE
#define LWIPCFG_FROM "built from source, usernetd's lwipopts.h"
#else
#define LWIPCFG_FROM "system library"
#endif

/**
 * lwipcfg_describe() - which lwIP this daemon was built with
 *
 * Return: a static string, e.g. "lwIP 2.1.3 (system library)"
 */
const char *lwipcfg_describe(void)
{
	return "lwIP " LWIP_VERSION_STRING " (" LWIPCFG_FROM ")";
}
