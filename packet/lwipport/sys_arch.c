/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sys_arch.c - lwIP's operating system layer on POSIX threads, for the
 * lwIP usernetd builds from source (lwipopts.h): semaphores, mutexes,
 * mailboxes, the tcpip thread, the clock, the lightweight protection and
 * the core lock with its assertions.
 *
 * Written to the contract of lwIP's sys.h. Only libc and pthreads: the
 * static lwIP library this file is part of links before usernetd's own
 * modules, so it cannot call them. An allocation failure returns ERR_MEM
 * where lwIP's contract has a return code (lwIP then fails the one
 * operation); a thread that cannot start aborts, as lwIP has no way to
 * run without its tcpip thread.
 *
 * Timed waits use CLOCK_MONOTONIC (pthread_condattr_setclock()), or on
 * macOS, which lacks that call, the relative pthread_cond_timedwait_
 * relative_np(): a wall-clock step must not stall lwIP's timers.
 */
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE /* pthread_cond_timedwait_relative_np() */
#endif

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/opt.h"
#include "lwip/sys.h"

#if NO_SYS || !LWIP_TCPIP_CORE_LOCKING
#error "usernetd's lwIP port needs NO_SYS 0 and LWIP_TCPIP_CORE_LOCKING"
#endif

/* Mailbox capacity when lwIP asks for 0 (TCPIP_MBOX_SIZE's default), as
 * Debian's unix port has it: a post to a full mailbox waits. */
#define SYS_ARCH_MBOX_DEFAULT 128

/**
 * struct sys_sem - a counting semaphore
 * @mu:		protects @count
 * @cond:	signalled when @count goes up
 * @count:	how many waits may pass
 */
struct sys_sem {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	unsigned count;
};

/**
 * struct sys_mutex - a non-recursive mutex
 * @mu:	the mutex
 */
struct sys_mutex {
	pthread_mutex_t mu;
};

/**
 * struct sys_mbox - a bounded queue of message pointers
 * @mu:		protects everything below
 * @not_empty:	signalled when a message is queued
 * @not_full:	signalled when a message is taken
 * @msg:	the ring, @cap slots
 * @cap:	its size
 * @head:	index of the oldest message
 * @len:	messages queued
 */
struct sys_mbox {
	pthread_mutex_t mu;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	void **msg;
	size_t cap;
	size_t head;
	size_t len;
};

/**
 * struct sys_thread - a thread lwIP started
 * @tid:	its pthread
 * @fn:		what it runs
 * @arg:	@fn's argument
 */
struct sys_thread {
	pthread_t tid;
	lwip_thread_fn fn;
	void *arg;
};

/* SYS_ARCH_PROTECT(): one process-wide recursive mutex */
static pthread_mutex_t sys_protect_mu;
static pthread_once_t sys_protect_once = PTHREAD_ONCE_INIT;

/* The core lock, who holds it, and which thread is lwIP's tcpip thread */
static pthread_mutex_t sys_core_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sys_owner_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t sys_core_owner;
static int sys_core_held;
static pthread_t sys_tcpip_thread;
static int sys_tcpip_marked;

/**
 * sys_arch_die() - report a failed pthread call and abort
 * @what:	the call
 * @err:	its error number
 */
static void sys_arch_die(const char *what, int err)
{
	fprintf(stderr, "lwIP sys_arch: %s: %s\n", what, strerror(err));
	abort();
}

/**
 * sys_cond_init() - make a condition variable whose timed waits follow
 * the monotonic clock where the system lets us choose
 * @cond:	the condition variable
 *
 * Return: 0, or an error number
 */
static int sys_cond_init(pthread_cond_t *cond)
{
#ifdef __APPLE__
	return pthread_cond_init(cond, NULL);
#else
	pthread_condattr_t a;
	int err;

	if ((err = pthread_condattr_init(&a)))
		return err;
	err = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	if (!err)
		err = pthread_cond_init(cond, &a);
	pthread_condattr_destroy(&a);
	return err;
#endif
}

/**
 * sys_ms() - milliseconds on the monotonic clock
 *
 * Return: the time, wrapping at 2^32 as lwIP expects
 */
static u32_t sys_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u32_t)((u64_t)ts.tv_sec * 1000u + (u64_t)ts.tv_nsec / 1000000u);
}

/**
 * sys_cond_wait() - wait on a condition, at most some milliseconds
 * @cond:	the condition variable
 * @mu:		its mutex, held by the caller
 * @ms:		the limit; 0 waits without one
 *
 * Return: 0 when woken (or spuriously), ETIMEDOUT when @ms passed
 */
static int sys_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mu, u32_t ms)
{
	struct timespec ts;

	if (!ms)
		return pthread_cond_wait(cond, mu);
#ifdef __APPLE__
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	return pthread_cond_timedwait_relative_np(cond, mu, &ts);
#else
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return pthread_cond_timedwait(cond, mu, &ts);
#endif
}

/**
 * sys_wait_until() - wait until a predicate holds, at most some time
 * @cond:	the condition variable signalled when it may hold
 * @mu:		its mutex, held by the caller
 * @timeout:	milliseconds, 0 for no limit
 * @ready:	the predicate
 * @arg:	@ready's argument
 *
 * Return: the milliseconds waited, or SYS_ARCH_TIMEOUT
 */
static u32_t sys_wait_until(pthread_cond_t *cond, pthread_mutex_t *mu,
			    u32_t timeout, int (*ready)(void *), void *arg)
{
	u32_t start = sys_ms(), spent = 0;

	while (!ready(arg)) {
		if (timeout && spent >= timeout)
			return SYS_ARCH_TIMEOUT;
		sys_cond_wait(cond, mu, timeout ? timeout - spent : 0);
		spent = sys_ms() - start;
	}
	return spent == SYS_ARCH_TIMEOUT ? spent - 1 : spent;
}

/**
 * sys_init() - lwIP's start-up hook: nothing to prepare, every object
 * here initialises itself statically or on first use
 */
void sys_init(void)
{
}

/**
 * sys_now() - lwIP's clock
 *
 * Return: milliseconds on the monotonic clock
 */
u32_t sys_now(void)
{
	return sys_ms();
}

/**
 * sys_sem_new() - create a semaphore
 * @sem:	where the handle goes
 * @count:	its initial count
 *
 * Return: ERR_OK, or ERR_MEM (@sem then invalid)
 */
err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	struct sys_sem *s = calloc(1, sizeof(*s));

	*sem = NULL;
	if (!s)
		return ERR_MEM;
	if (pthread_mutex_init(&s->mu, NULL)) {
		free(s);
		return ERR_MEM;
	}
	if (sys_cond_init(&s->cond)) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return ERR_MEM;
	}
	s->count = count;
	*sem = s;
	return ERR_OK;
}

/**
 * sys_sem_signal() - raise a semaphore's count and wake one waiter
 * @sem:	the semaphore
 */
void sys_sem_signal(sys_sem_t *sem)
{
	struct sys_sem *s = *sem;

	pthread_mutex_lock(&s->mu);
	s->count++;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

/**
 * sys_sem_ready() - sys_wait_until()'s predicate for a semaphore
 * @arg:	the struct sys_sem
 *
 * Return: whether its count allows a wait to pass
 */
static int sys_sem_ready(void *arg)
{
	return ((struct sys_sem *)arg)->count > 0;
}

/**
 * sys_arch_sem_wait() - take a semaphore, waiting for it
 * @sem:	the semaphore
 * @timeout:	milliseconds, 0 for no limit
 *
 * Return: the milliseconds waited, or SYS_ARCH_TIMEOUT
 */
u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	struct sys_sem *s = *sem;
	u32_t r;

	pthread_mutex_lock(&s->mu);
	r = sys_wait_until(&s->cond, &s->mu, timeout, sys_sem_ready, s);
	if (r != SYS_ARCH_TIMEOUT)
		s->count--;
	pthread_mutex_unlock(&s->mu);
	return r;
}

/**
 * sys_sem_free() - destroy a semaphore nobody waits on
 * @sem:	the semaphore
 */
void sys_sem_free(sys_sem_t *sem)
{
	struct sys_sem *s = *sem;

	if (!s)
		return;
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->mu);
	free(s);
	*sem = NULL;
}

/**
 * sys_mutex_new() - create a mutex
 * @mutex:	where the handle goes
 *
 * Return: ERR_OK, or ERR_MEM (@mutex then invalid)
 */
err_t sys_mutex_new(sys_mutex_t *mutex)
{
	struct sys_mutex *m = calloc(1, sizeof(*m));

	*mutex = NULL;
	if (!m)
		return ERR_MEM;
	if (pthread_mutex_init(&m->mu, NULL)) {
		free(m);
		return ERR_MEM;
	}
	*mutex = m;
	return ERR_OK;
}

/**
 * sys_mutex_lock() - lock a mutex
 * @mutex:	the mutex
 */
void sys_mutex_lock(sys_mutex_t *mutex)
{
	pthread_mutex_lock(&(*mutex)->mu);
}

/**
 * sys_mutex_unlock() - unlock a mutex
 * @mutex:	the mutex
 */
void sys_mutex_unlock(sys_mutex_t *mutex)
{
	pthread_mutex_unlock(&(*mutex)->mu);
}

/**
 * sys_mutex_free() - destroy an unlocked mutex
 * @mutex:	the mutex
 */
void sys_mutex_free(sys_mutex_t *mutex)
{
	if (!*mutex)
		return;
	pthread_mutex_destroy(&(*mutex)->mu);
	free(*mutex);
	*mutex = NULL;
}

/**
 * sys_mbox_new() - create a mailbox
 * @mbox:	where the handle goes
 * @size:	its capacity; 0 for SYS_ARCH_MBOX_DEFAULT
 *
 * Return: ERR_OK, or ERR_MEM (@mbox then invalid)
 */
err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	struct sys_mbox *b = calloc(1, sizeof(*b));

	*mbox = NULL;
	if (!b)
		return ERR_MEM;
	b->cap = size > 0 ? (size_t)size : SYS_ARCH_MBOX_DEFAULT;
	b->msg = calloc(b->cap, sizeof(*b->msg));
	if (!b->msg || pthread_mutex_init(&b->mu, NULL))
		goto fail;
	if (sys_cond_init(&b->not_empty)) {
		pthread_mutex_destroy(&b->mu);
		goto fail;
	}
	if (sys_cond_init(&b->not_full)) {
		pthread_cond_destroy(&b->not_empty);
		pthread_mutex_destroy(&b->mu);
		goto fail;
	}
	*mbox = b;
	return ERR_OK;
fail:
	free(b->msg);
	free(b);
	return ERR_MEM;
}

/**
 * sys_mbox_put() - queue a message in a mailbox with room, its mutex held
 * @b:		the mailbox
 * @msg:	the message
 */
static void sys_mbox_put(struct sys_mbox *b, void *msg)
{
	b->msg[(b->head + b->len) % b->cap] = msg;
	b->len++;
	pthread_cond_signal(&b->not_empty);
}

/**
 * sys_mbox_has_room() - sys_wait_until()'s predicate for a post
 * @arg:	the struct sys_mbox
 *
 * Return: whether a message fits
 */
static int sys_mbox_has_room(void *arg)
{
	struct sys_mbox *b = arg;

	return b->len < b->cap;
}

/**
 * sys_mbox_has_msg() - sys_wait_until()'s predicate for a fetch
 * @arg:	the struct sys_mbox
 *
 * Return: whether a message is queued
 */
static int sys_mbox_has_msg(void *arg)
{
	return ((struct sys_mbox *)arg)->len > 0;
}

/**
 * sys_mbox_post() - queue a message, waiting for room
 * @mbox:	the mailbox
 * @msg:	the message
 */
void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	struct sys_mbox *b = *mbox;

	pthread_mutex_lock(&b->mu);
	sys_wait_until(&b->not_full, &b->mu, 0, sys_mbox_has_room, b);
	sys_mbox_put(b, msg);
	pthread_mutex_unlock(&b->mu);
}

/**
 * sys_mbox_trypost() - queue a message if there is room
 * @mbox:	the mailbox
 * @msg:	the message
 *
 * Return: ERR_OK, or ERR_MEM when the mailbox is full
 */
err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	struct sys_mbox *b = *mbox;
	err_t err = ERR_MEM;

	pthread_mutex_lock(&b->mu);
	if (sys_mbox_has_room(b)) {
		sys_mbox_put(b, msg);
		err = ERR_OK;
	}
	pthread_mutex_unlock(&b->mu);
	return err;
}

/**
 * sys_mbox_trypost_fromisr() - sys_mbox_trypost(): there are no
 * interrupt handlers in a process
 * @mbox:	the mailbox
 * @msg:	the message
 *
 * Return: ERR_OK, or ERR_MEM when the mailbox is full
 */
err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
	return sys_mbox_trypost(mbox, msg);
}

/**
 * sys_mbox_take() - dequeue the oldest message, its mutex held
 * @b:		the mailbox, not empty
 * @msg:	where the message goes; NULL drops it
 */
static void sys_mbox_take(struct sys_mbox *b, void **msg)
{
	if (msg)
		*msg = b->msg[b->head];
	b->head = (b->head + 1) % b->cap;
	b->len--;
	pthread_cond_signal(&b->not_full);
}

/**
 * sys_arch_mbox_fetch() - dequeue a message, waiting for one
 * @mbox:	the mailbox
 * @msg:	where the message goes; NULL drops it
 * @timeout:	milliseconds, 0 for no limit
 *
 * Return: the milliseconds waited, or SYS_ARCH_TIMEOUT
 */
u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
	struct sys_mbox *b = *mbox;
	u32_t r;

	pthread_mutex_lock(&b->mu);
	r = sys_wait_until(&b->not_empty, &b->mu, timeout, sys_mbox_has_msg, b);
	if (r != SYS_ARCH_TIMEOUT)
		sys_mbox_take(b, msg);
	pthread_mutex_unlock(&b->mu);
	return r;
}

/**
 * sys_arch_mbox_tryfetch() - dequeue a message if there is one
 * @mbox:	the mailbox
 * @msg:	where the message goes; NULL drops it
 *
 * Return: 0, or SYS_MBOX_EMPTY
 */
u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	struct sys_mbox *b = *mbox;
	u32_t r = SYS_MBOX_EMPTY;

	pthread_mutex_lock(&b->mu);
	if (b->len) {
		sys_mbox_take(b, msg);
		r = 0;
	}
	pthread_mutex_unlock(&b->mu);
	return r;
}

/**
 * sys_mbox_free() - destroy a mailbox; messages still in it are lwIP's
 * to account for (it checks, and leaks them, as its contract says)
 * @mbox:	the mailbox
 */
void sys_mbox_free(sys_mbox_t *mbox)
{
	struct sys_mbox *b = *mbox;

	if (!b)
		return;
	pthread_cond_destroy(&b->not_full);
	pthread_cond_destroy(&b->not_empty);
	pthread_mutex_destroy(&b->mu);
	free(b->msg);
	free(b);
	*mbox = NULL;
}

/**
 * sys_thread_start() - the start routine of a thread lwIP asked for
 * @arg:	its struct sys_thread
 *
 * Return: NULL
 */
static void *sys_thread_start(void *arg)
{
	struct sys_thread *t = arg;

	t->fn(t->arg);
	return NULL;
}

/**
 * sys_thread_new() - start a detached thread (lwIP's tcpip thread); it
 * runs for the life of the process, so its record is never freed
 * @name:	lwIP's name for it (unused: no portable way to set it)
 * @thread:	what it runs
 * @arg:	@thread's argument
 * @stacksize:	lwIP's stack size hint (unused: the system default is
 *		larger than any lwIP configuration asks for)
 * @prio:	lwIP's priority hint (unused: threads share one priority)
 *
 * Return: the thread; aborts if it cannot start
 */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg,
			    int stacksize, int prio)
{
	struct sys_thread *t = calloc(1, sizeof(*t));
	pthread_attr_t a;
	int err;

	(void)name;
	(void)stacksize;
	(void)prio;
	if (!t)
		sys_arch_die("sys_thread_new", ENOMEM);
	t->fn = thread;
	t->arg = arg;
	if ((err = pthread_attr_init(&a)))
		sys_arch_die("pthread_attr_init", err);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if ((err = pthread_create(&t->tid, &a, sys_thread_start, t)))
		sys_arch_die("pthread_create", err);
	pthread_attr_destroy(&a);
	return t;
}

/**
 * sys_protect_init() - make SYS_ARCH_PROTECT()'s mutex, once: recursive,
 * since lwIP may nest protected sections
 */
static void sys_protect_init(void)
{
	pthread_mutexattr_t a;
	int err;

	if ((err = pthread_mutexattr_init(&a)) ||
	    (err = pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE)) ||
	    (err = pthread_mutex_init(&sys_protect_mu, &a)))
		sys_arch_die("sys_arch_protect", err);
	pthread_mutexattr_destroy(&a);
}

/**
 * sys_arch_protect() - enter a section lwIP protects against every
 * other thread (memory pools, pbuf reference counts)
 *
 * Return: 0 (the mutex is recursive: nothing to restore)
 */
sys_prot_t sys_arch_protect(void)
{
	pthread_once(&sys_protect_once, sys_protect_init);
	pthread_mutex_lock(&sys_protect_mu);
	return 0;
}

/**
 * sys_arch_unprotect() - leave a section sys_arch_protect() entered
 * @pval:	its return value
 */
void sys_arch_unprotect(sys_prot_t pval)
{
	(void)pval;
	pthread_mutex_unlock(&sys_protect_mu);
}

/**
 * sys_lock_tcpip_core() - LOCK_TCPIP_CORE(): take the core lock and
 * remember the holder for sys_check_core_locking()
 */
void sys_lock_tcpip_core(void)
{
	pthread_mutex_lock(&sys_core_mu);
	pthread_mutex_lock(&sys_owner_mu);
	sys_core_owner = pthread_self();
	sys_core_held = 1;
	pthread_mutex_unlock(&sys_owner_mu);
}

/**
 * sys_unlock_tcpip_core() - UNLOCK_TCPIP_CORE(): release the core lock
 */
void sys_unlock_tcpip_core(void)
{
	pthread_mutex_lock(&sys_owner_mu);
	sys_core_held = 0;
	pthread_mutex_unlock(&sys_owner_mu);
	pthread_mutex_unlock(&sys_core_mu);
}

/**
 * sys_mark_tcpip_thread() - LWIP_MARK_TCPIP_THREAD(): the tcpip thread
 * names itself; from then on the core-locking check is armed
 */
void sys_mark_tcpip_thread(void)
{
	pthread_mutex_lock(&sys_owner_mu);
	sys_tcpip_thread = pthread_self();
	sys_tcpip_marked = 1;
	pthread_mutex_unlock(&sys_owner_mu);
}

/**
 * sys_check_core_locking() - LWIP_ASSERT_CORE_LOCKED(): once the tcpip
 * thread runs, the thread calling into lwIP's core must hold the core
 * lock (the tcpip thread takes it around everything it does)
 */
void sys_check_core_locking(void)
{
	int ok;

	pthread_mutex_lock(&sys_owner_mu);
	ok = !sys_tcpip_marked ||
	     (sys_core_held && pthread_equal(sys_core_owner, pthread_self()));
	pthread_mutex_unlock(&sys_owner_mu);
	LWIP_ASSERT("lwIP core called without the core lock", ok);
	(void)ok; /* LWIP_NOASSERT compiles the check away */
}
