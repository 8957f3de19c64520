/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loop.h - the event loop: poll(2) over registered descriptors, one-shot
 * timers on the monotonic clock, per-iteration hooks for libraries that
 * bring their own descriptor sets (libslirp), and async wake-ups that
 * other threads (lwIP's tcpip thread, resolver workers) use to hand work
 * back to the loop thread.
 *
 * Everything but loop_async_notify() must be called from the loop thread.
 */
#ifndef USERNETD_LOOP_H
#define USERNETD_LOOP_H

#include <stdint.h>

struct loop;
struct loop_timer;
struct loop_async;

/**
 * struct loop_deferred - work to run once before the loop polls again
 * @fn:		callback
 * @arg:	its argument
 * @next:	queue link (the loop's)
 * @queued:	on the queue
 *
 * Embedded in its owner; set @fn and @arg, then loop_defer() it as often
 * as needed: it runs once per iteration at most.
 */
struct loop_deferred {
	void (*fn)(void *arg);
	void *arg;
	struct loop_deferred *next;
	int queued;
};

/* Called with the revents poll(2) returned for @fd. */
typedef void (*loop_io_fn)(void *arg, int fd, int revents);
typedef void (*loop_timer_fn)(void *arg);
typedef void (*loop_async_fn)(void *arg);
/* Hooks: prepare() may add descriptors with loop_hook_pollfd() and lower
 * *timeout_ms; dispatch() runs after poll(2) returned. */
typedef void (*loop_prepare_fn)(void *arg, struct loop *l, int *timeout_ms);
typedef void (*loop_dispatch_fn)(void *arg, struct loop *l);

struct loop *loop_new(void);
void loop_free(struct loop *l);
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
int64_t loop_now_ms(void);
int loop_in_thread(const struct loop *l);
int64_t loop_now_ns(void);

int loop_io_add(struct loop *l, int fd, int events, loop_io_fn fn, void *arg);
void loop_io_events(struct loop *l, int fd, int events);
void loop_io_del(struct loop *l, int fd);

struct loop_timer *loop_timer_new(struct loop *l, loop_timer_fn fn, void *arg);
void loop_timer_arm(struct loop_timer *t, int64_t when_ms);
void loop_timer_disarm(struct loop_timer *t);
void loop_timer_free(struct loop_timer *t);

int loop_hook_add(struct loop *l, loop_prepare_fn prepare,
		  loop_dispatch_fn dispatch, void *arg);
void loop_hook_del(struct loop *l, void *arg);
int loop_hook_pollfd(struct loop *l, int fd, int events);
int loop_hook_revents(struct loop *l, int idx);
int loop_hook_fd(struct loop *l, int idx, int *events);

void loop_defer(struct loop *l, struct loop_deferred *d);
void loop_defer_cancel(struct loop *l, struct loop_deferred *d);

struct loop_async *loop_async_new(struct loop *l, loop_async_fn fn, void *arg);
void loop_async_notify(struct loop_async *a);
void loop_async_free(struct loop_async *a);

#endif /* USERNETD_LOOP_H */
