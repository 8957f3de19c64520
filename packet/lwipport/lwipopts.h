/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lwipopts.h - usernetd's own lwIP configuration, used when lwIP is built
 * from a source tree (-DUSERNETD_LWIP_SOURCE=DIR; macOS, the BSDs, and
 * the sanitizer pass of scripts/test).
 *
 * It reproduces the options of Debian's liblwip 2.1.3 (its lwipopts.h),
 * which is what the code was written and tested against: the services
 * host and the DNS service rely on a tcpip thread with core locking
 * (NO_SYS 0, LWIP_TCPIP_CORE_LOCKING: without it LOCK_TCPIP_CORE() is
 * silently nothing), on the heap behind pbufs and pcbs (no fixed pools to
 * run dry with thousands of connections), on IP_FORWARD (svchost.c filters
 * what reaches lwIP because of it), and on the TCP window sizes the
 * services' throughput was measured with. What differs, and why:
 * - no netconn/socket API (LWIP_NETCONN, LWIP_SOCKET 0): usernetd uses
 *   only the raw API under the core lock; Debian's socket API needs its
 *   own POSIX socket headers, which other systems do not have.
 * - the core-locking assertions (LWIP_ASSERT_CORE_LOCKED) are ours, in
 *   sys_arch.c, with the same contract as Debian's port.
 */
#ifndef USERNETD_LWIPOPTS_H
#define USERNETD_LWIPOPTS_H

/* A tcpip thread and the sys_arch layer (sys_arch.c) */
#define NO_SYS			0
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_NETCONN		0
#define LWIP_SOCKET		0

/* Memory from malloc(), as Debian's build: no fixed pools */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_USE_POOLS	0
#if defined __LP64__
#define MEM_ALIGNMENT 8
#else
#define MEM_ALIGNMENT 4
#endif

/* Only complete frames go to the netif's linkoutput */
#define LWIP_NETIF_TX_SINGLE_PBUF	   1
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1
#define ARP_QUEUEING			   1
#define ARP_QUEUE_LEN			   10
#define LWIP_NETIF_LOOPBACK		   1
#define LWIP_HAVE_LOOPIF		   0

/* IPv4, and IPv6 compiled in as Debian has it (svchost.c serves v4 only) */
#define IP_FORWARD		      1
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1
#define LWIP_IPV6_AUTOCONFIG	      1
#define LWIP_IPV6_FORWARD	      1
#define MEMP_NUM_MLD6_GROUP	      16
#define LWIP_IPV6_NUM_ADDRESSES	      6

/* TCP tuning */
#define TCP_MSS			  1460
#define TCP_WND			  0xFFFF
#define LWIP_WND_SCALE		  1
#define TCP_RCV_SCALE		  0x1
#define TCP_SND_BUF		  TCP_WND
#define LWIP_CHECKSUM_ON_COPY	  1
#define LWIP_TCP_KEEPALIVE	  1
#define SO_REUSE		  1
#define LWIP_MULTICAST_TX_OPTIONS 1

#define LWIP_STATS	   0
#define LWIP_STATS_DISPLAY 0

#define LWIP_ARP      1
#define LWIP_ETHERNET 1
#define LWIP_IPV4     1
#define LWIP_ICMP     1
#define LWIP_IGMP     1
#define LWIP_RAW      1
#define LWIP_UDP      1
#define LWIP_UDPLITE  1
#define LWIP_TCP      1
#define LWIP_IPV6     1
#define LWIP_ICMP6    1
#define LWIP_IPV6_MLD 1

/* A malformed packet is dropped, not an assertion (LWIP_ERROR in cc.h) */
#define LWIP_NOASSERT_ON_ERROR 1

/* Core-locking checks and the lock itself, in sys_arch.c */
void sys_check_core_locking(void);
#define LWIP_ASSERT_CORE_LOCKED() sys_check_core_locking()
void sys_mark_tcpip_thread(void);
#define LWIP_MARK_TCPIP_THREAD() sys_mark_tcpip_thread()
void sys_lock_tcpip_core(void);
#define LOCK_TCPIP_CORE() sys_lock_tcpip_core()
void sys_unlock_tcpip_core(void);
#define UNLOCK_TCPIP_CORE() sys_unlock_tcpip_core()

#endif /* USERNETD_LWIPOPTS_H */
