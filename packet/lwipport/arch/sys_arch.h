/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arch/sys_arch.h - the types of lwIP's operating system layer when
 * usernetd builds lwIP from source: opaque handles to the POSIX-threads
 * objects sys_arch.c makes. A NULL handle is an invalid one.
 */
#ifndef USERNETD_LWIP_ARCH_SYS_ARCH_H
#define USERNETD_LWIP_ARCH_SYS_ARCH_H

struct sys_sem;
struct sys_mutex;
struct sys_mbox;
struct sys_thread;

typedef struct sys_sem *sys_sem_t;
typedef struct sys_mutex *sys_mutex_t;
typedef struct sys_mbox *sys_mbox_t;
typedef struct sys_thread *sys_thread_t;
/* sys_arch_protect() takes a recursive mutex: nothing to save */
typedef int sys_prot_t;

#define SYS_SEM_NULL  NULL
#define SYS_MBOX_NULL NULL

#define sys_sem_valid(s)	 ((s) != NULL && *(s) != NULL)
#define sys_sem_set_invalid(s)	 (*(s) = NULL)
#define sys_mutex_valid(m)	 ((m) != NULL && *(m) != NULL)
#define sys_mutex_set_invalid(m) (*(m) = NULL)
#define sys_mbox_valid(m)	 ((m) != NULL && *(m) != NULL)
#define sys_mbox_set_invalid(m)	 (*(m) = NULL)

#endif /* USERNETD_LWIP_ARCH_SYS_ARCH_H */
