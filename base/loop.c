/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loop.c - a small poll(2) event loop in the manner of Redis's ae.
 *
 * Registered descriptors live in a persistent table indexed by fd. Each
 * iteration copies their pollfds into the array handed to poll(2) and lets
 * hooks (libslirp) append theirs; a generation number per fd keeps a
 * callback from seeing revents meant for a descriptor that was closed and
 * reused during the same dispatch. Timers are few (a handful per network),
 * so a list scanned linearly is both the simplest and the fastest choice.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/loop.h"
#include "base/log.h"
#include "base/xalloc.h"

/**
 * struct loop_io - one registered descriptor
 * @fn:		callback, NULL when the slot is free
 * @arg:	callback argument
 * @events:	poll(2) events wanted
 * @gen:	bumped on every registration of this fd
 */
struct loop_io {
	loop_io_fn fn;
	void *arg;
	short events;
	unsigned gen;
};

/**
 * struct loop_timer - a one-shot timer
 * @l:		owning loop
 * @fn:		callback
 * @arg:	callback argument
 * @when:	expiry, monotonic milliseconds, or -1 when disarmed
 * @pass:	dispatch pass that last ran it, so a timer re-armed in the past
 *		runs once per iteration rather than forever
 * @next:	list link
 */
struct loop_timer {
	struct loop *l;
	loop_timer_fn fn;
	void *arg;
	int64_t when;
	unsigned pass;
	struct loop_timer *next;
};

/**
 * struct loop_hook - per-iteration prepare/dispatch pair
 * @prepare:	adds the hook's pollfds before poll(2) (libslirp's)
 * @dispatch:	handles their revents after it
 * @arg:	argument of both, and the key loop_hook_del() looks for
 * @next:	list link, in registration order
 */
struct loop_hook {
	loop_prepare_fn prepare;
	loop_dispatch_fn dispatch;
	void *arg;
	struct loop_hook *next;
};

/**
 * struct loop_async - wake-up from another thread
 * @l:		owning loop
 * @fn:		callback, run on the loop thread
 * @arg:	callback argument
 * @pending:	set by loop_async_notify(), cleared by the loop
 * @next:	list link
 */
struct loop_async {
	struct loop *l;
	loop_async_fn fn;
	void *arg;
	atomic_int pending;
	struct loop_async *next;
};

/**
 * struct loop - the loop
 * @io:		registered descriptors, indexed by fd
 * @io_cap:	size of @io
 * @pfd:	array handed to poll(2)
 * @pgen:	generation of each registered entry in @pfd
 * @pfd_cap:	size of @pfd and @pgen
 * @npfd:	used entries in @pfd
 * @nreg:	entries of @pfd that are registered descriptors
 * @hook_base:	index of the first hook descriptor in @pfd
 * @timers:	every timer, armed or not (a short list, scanned)
 * @pass:	number of the current dispatch pass (see loop_timer.pass)
 * @hooks:	prepare/dispatch hooks, in registration order
 * @asyncs:	wake-ups from other threads
 * @deferred:	work to run before the next poll(2)
 * @wake:	self-pipe for loop_async_notify()
 * @thread:	the thread that created the loop and runs it
 * @stop:	set by loop_stop(): loop_run() returns after this iteration
 */
struct loop {
	struct loop_io *io;
	int io_cap;
	struct pollfd *pfd;
	unsigned *pgen;
	int pfd_cap;
	int npfd;
	int nreg;
	struct loop_timer *timers;
	unsigned pass;
	struct loop_hook *hooks;
	struct loop_async *asyncs;
	struct loop_deferred *deferred;
	int wake[2];
	pthread_t thread;
	int stop;
};

/**
 * loop_now_ns() - monotonic clock
 *
 * Return: nanoseconds
 */
int64_t loop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/**
 * loop_now_ms() - monotonic clock
 *
 * Return: milliseconds
 */
int64_t loop_now_ms(void)
{
	return loop_now_ns() / 1000000;
}

/**
 * loop_in_thread() - is the caller the loop's own thread?
 * @l:		the loop
 *
 * Lets code that runs on several threads (lwIP's output) skip the
 * wake-up pipe when it is already on the loop.
 *
 * Return: non-zero on the thread that created @l, else 0
 */
int loop_in_thread(const struct loop *l)
{
	return pthread_equal(l->thread, pthread_self());
}

/**
 * loop_wake_read() - drain the self-pipe and run pending async callbacks
 * @arg:	the loop
 * @fd:		read end of its self-pipe
 * @revents:	unused: the pipe is drained whatever they are
 */
static void loop_wake_read(void *arg, int fd, int revents)
{
	struct loop *l = arg;
	struct loop_async *a, *next;
	char buf[64];

	(void)revents;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	for (a = l->asyncs; a; a = next) {
		next = a->next;
		if (atomic_exchange(&a->pending, 0))
			a->fn(a->arg);
	}
}

/**
 * loop_new() - create a loop
 *
 * Return: the loop; exits on allocation failure
 */
struct loop *loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));
	int i;

	if (pipe(l->wake))
		fatal("pipe");
	l->thread = pthread_self();
	for (i = 0; i < 2; i++) {
		fcntl(l->wake[i], F_SETFL, O_NONBLOCK);
		fcntl(l->wake[i], F_SETFD, FD_CLOEXEC);
	}
	loop_io_add(l, l->wake[0], POLLIN, loop_wake_read, l);
	return l;
}

/**
 * loop_free() - free a loop; timers, hooks and asyncs must be gone
 * @l:		loop, or NULL
 */
void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->wake[0]);
	close(l->wake[1]);
	free(l->io);
	free(l->pfd);
	free(l->pgen);
	free(l);
}

/**
 * loop_pfd_reserve() - make room for @n pollfds
 * @l:		loop
 * @n:		entries needed in @l->pfd and @l->pgen
 */
static void loop_pfd_reserve(struct loop *l, int n)
{
	int cap = l->pfd_cap ? l->pfd_cap : 64;

	if (n <= l->pfd_cap)
		return;
	while (cap < n)
		cap *= 2;
	l->pfd = xreallocarray(l->pfd, (size_t)cap, sizeof(*l->pfd));
	l->pgen = xreallocarray(l->pgen, (size_t)cap, sizeof(*l->pgen));
	l->pfd_cap = cap;
}

/**
 * loop_io_add() - watch a descriptor (again: replaces the callback)
 * @l:		loop
 * @fd:		descriptor, non-blocking
 * @events:	POLLIN, POLLOUT
 * @fn:		callback
 * @arg:	its argument
 *
 * Return: 0
 */
int loop_io_add(struct loop *l, int fd, int events, loop_io_fn fn, void *arg)
{
	if (fd >= l->io_cap) {
		int cap = l->io_cap ? l->io_cap : 64;

		while (cap <= fd)
			cap *= 2;
		l->io = xreallocarray(l->io, (size_t)cap, sizeof(*l->io));
		memset(l->io + l->io_cap, 0,
		       (size_t)(cap - l->io_cap) * sizeof(*l->io));
		l->io_cap = cap;
	}
	if (!l->io[fd].fn)
		l->nreg++;
	l->io[fd].fn = fn;
	l->io[fd].arg = arg;
	l->io[fd].events = (short)events;
	l->io[fd].gen++;
	return 0;
}

/**
 * loop_io_events() - change the events watched on @fd
 * @l:		loop
 * @fd:		a descriptor registered with loop_io_add()
 * @events:	POLLIN, POLLOUT, or 0 to pause it
 */
void loop_io_events(struct loop *l, int fd, int events)
{
	if (fd >= 0 && fd < l->io_cap)
		l->io[fd].events = (short)events;
}

/**
 * loop_io_del() - stop watching @fd; safe from within any callback
 * @l:		loop
 * @fd:		descriptor; not closed here
 */
void loop_io_del(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->io_cap || !l->io[fd].fn)
		return;
	l->io[fd].fn = NULL;
	l->io[fd].gen++;
	l->nreg--;
}

/**
 * loop_timer_new() - create a disarmed timer
 * @l:		loop
 * @fn:		callback, run on the loop thread
 * @arg:	its argument
 *
 * Return: the timer; exits on allocation failure
 */
struct loop_timer *loop_timer_new(struct loop *l, loop_timer_fn fn, void *arg)
{
	struct loop_timer *t = xcalloc(1, sizeof(*t));

	t->l = l;
	t->fn = fn;
	t->arg = arg;
	t->when = -1;
	t->next = l->timers;
	l->timers = t;
	return t;
}

/**
 * loop_timer_arm() - fire @t once at @when_ms (monotonic milliseconds)
 * @t:		timer
 * @when_ms:	when, loop_now_ms() time; 0 or past: in this iteration
 */
void loop_timer_arm(struct loop_timer *t, int64_t when_ms)
{
	t->when = when_ms < 0 ? 0 : when_ms;
}

/**
 * loop_timer_disarm() - cancel @t
 * @t:		timer
 */
void loop_timer_disarm(struct loop_timer *t)
{
	t->when = -1;
}

/**
 * loop_timer_free() - cancel and free @t; safe from within any callback
 * @t:		timer, or NULL
 */
void loop_timer_free(struct loop_timer *t)
{
	struct loop_timer **pp;

	if (!t)
		return;
	for (pp = &t->l->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	free(t);
}

/**
 * loop_hook_add() - run @prepare before and @dispatch after every poll(2)
 * @l:		loop
 * @prepare:	adds descriptors with loop_hook_pollfd()
 * @dispatch:	reads their results with loop_hook_revents()
 * @arg:	argument of both, and the key of loop_hook_del()
 *
 * Return: 0; exits on allocation failure
 */
int loop_hook_add(struct loop *l, loop_prepare_fn prepare,
		  loop_dispatch_fn dispatch, void *arg)
{
	struct loop_hook *h = xcalloc(1, sizeof(*h)), **pp;

	h->prepare = prepare;
	h->dispatch = dispatch;
	h->arg = arg;
	for (pp = &l->hooks; *pp; pp = &(*pp)->next)
		;
	*pp = h;
	return 0;
}

/**
 * loop_hook_del() - remove the hook registered with @arg
 * @l:		loop
 * @arg:	the argument the hook was added with
 *
 * The entry is only unlinked at the end of the iteration would be safer,
 * but hooks are removed from io callbacks (a port closing), never from a
 * hook's own dispatch, so unlinking now is enough.
 */
void loop_hook_del(struct loop *l, void *arg)
{
	struct loop_hook **pp, *h;

	for (pp = &l->hooks; *pp; pp = &(*pp)->next) {
		if ((*pp)->arg == arg) {
			h = *pp;
			*pp = h->next;
			free(h);
			return;
		}
	}
}

/**
 * loop_hook_pollfd() - add a descriptor for this iteration only
 * @l:		loop
 * @fd:		descriptor
 * @events:	poll(2) events wanted
 *
 * Return: index to pass to loop_hook_revents()
 */
int loop_hook_pollfd(struct loop *l, int fd, int events)
{
	loop_pfd_reserve(l, l->npfd + 1);
	l->pfd[l->npfd].fd = fd;
	l->pfd[l->npfd].events = (short)events;
	l->pfd[l->npfd].revents = 0;
	l->pgen[l->npfd] = 0;
	return l->npfd++;
}

/**
 * loop_hook_revents() - revents of a descriptor added by a hook
 * @l:		loop
 * @idx:	index from loop_hook_pollfd()
 *
 * Return: the poll(2) revents, 0 for an index out of range
 */
int loop_hook_revents(struct loop *l, int idx)
{
	if (idx < 0 || idx >= l->npfd)
		return 0;
	return l->pfd[idx].revents;
}

/**
 * loop_hook_fd() - what a hook added as descriptor @idx
 * @l:		loop
 * @idx:	index from loop_hook_pollfd()
 * @events:	set to the events asked for
 *
 * Return: the descriptor, or -1 for an index not in use
 */
int loop_hook_fd(struct loop *l, int idx, int *events)
{
	if (idx < 0 || idx >= l->npfd)
		return -1;
	*events = l->pfd[idx].events;
	return l->pfd[idx].fd;
}

/**
 * loop_async_new() - create a wake-up that runs @fn on the loop thread
 * @l:		loop
 * @fn:		callback, run on the loop thread
 * @arg:	its argument
 *
 * Return: the wake-up; exits on allocation failure
 */
struct loop_async *loop_async_new(struct loop *l, loop_async_fn fn, void *arg)
{
	struct loop_async *a = xcalloc(1, sizeof(*a));

	a->l = l;
	a->fn = fn;
	a->arg = arg;
	a->next = l->asyncs;
	l->asyncs = a;
	return a;
}

/**
 * loop_async_notify() - schedule the callback; any thread, async-signal-safe
 * @a:		wake-up
 */
void loop_async_notify(struct loop_async *a)
{
	if (!atomic_exchange(&a->pending, 1)) {
		if (write(a->l->wake[1], "", 1) < 0) {
			/* Pipe full: a wake-up is already pending. */
		}
	}
}

/**
 * loop_async_free() - free @a; no other thread may notify it any more
 * @a:		wake-up, or NULL
 */
void loop_async_free(struct loop_async *a)
{
	struct loop_async **pp;

	if (!a)
		return;
	for (pp = &a->l->asyncs; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	}
	free(a);
}

/**
 * loop_defer() - run @d once before the loop polls again
 * @l:		loop
 * @d:		work, owned by the caller; queued at most once
 */
void loop_defer(struct loop *l, struct loop_deferred *d)
{
	if (d->queued)
		return;
	d->queued = 1;
	d->next = l->deferred;
	l->deferred = d;
}

/**
 * loop_defer_cancel() - take @d off the queue; safe if it is not on it
 * @l:		loop
 * @d:		work
 */
void loop_defer_cancel(struct loop *l, struct loop_deferred *d)
{
	struct loop_deferred **pp;

	if (!d->queued)
		return;
	for (pp = &l->deferred; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	d->queued = 0;
}

/**
 * loop_run_deferred() - run the queued deferred work; work queued while
 * @l:		loop
 * it runs waits for the next iteration
 */
static void loop_run_deferred(struct loop *l)
{
	struct loop_deferred *d = l->deferred;

	l->deferred = NULL;
	while (d) {
		struct loop_deferred *next = d->next;

		d->queued = 0;
		d->fn(d->arg);
		d = next;
	}
}

/**
 * loop_stop() - make loop_run() return after the current iteration
 * @l:		loop
 */
void loop_stop(struct loop *l)
{
	l->stop = 1;
}

/**
 * loop_fill() - build the pollfd array: registered descriptors, then hooks
 * @l:		loop
 *
 * Return: poll(2) timeout in milliseconds, -1 for none
 */
static int loop_fill(struct loop *l)
{
	struct loop_timer *t;
	struct loop_hook *h;
	int64_t next = -1, now;
	int fd, n = 0, timeout;

	loop_run_deferred(l);
	loop_pfd_reserve(l, l->nreg);
	for (fd = 0; fd < l->io_cap && n < l->nreg; fd++) {
		if (!l->io[fd].fn)
			continue;
		l->pfd[n].fd = fd;
		l->pfd[n].events = l->io[fd].events;
		l->pfd[n].revents = 0;
		l->pgen[n] = l->io[fd].gen;
		n++;
	}
	l->npfd = n;

	for (t = l->timers; t; t = t->next)
		if (t->when >= 0 && (next < 0 || t->when < next))
			next = t->when;
	if (next < 0) {
		timeout = -1;
	} else {
		now = loop_now_ms();
		timeout = next <= now ? 0 : (int)(next - now);
	}
	for (h = l->hooks; h; h = h->next)
		if (h->prepare)
			h->prepare(h->arg, l, &timeout);
	if (l->deferred)
		timeout = 0; /* work queued by a hook or by deferred work */
	return timeout;
}

/**
 * loop_run_timers() - run every timer due now, each at most once
 * @l:		loop
 */
static void loop_run_timers(struct loop *l)
{
	int64_t now = loop_now_ms();
	struct loop_timer *t;

	l->pass++;
again:
	for (t = l->timers; t; t = t->next) {
		if (t->when >= 0 && t->when <= now && t->pass != l->pass) {
			t->pass = l->pass;
			t->when = -1;
			t->fn(t->arg);
			goto again; /* the list may have changed */
		}
	}
}

/**
 * loop_dispatch() - run callbacks for what poll(2) reported
 * @nreg:	how many registered descriptors were polled
 * @l:		loop
 */
static void loop_dispatch(struct loop *l, int nreg)
{
	struct loop_hook *h, *next;
	int i;

	for (i = 0; i < nreg; i++) {
		struct pollfd *p = &l->pfd[i];
		struct loop_io *io;

		if (!p->revents)
			continue;
		io = &l->io[p->fd];
		if (!io->fn || io->gen != l->pgen[i])
			continue; /* closed, maybe reused, in this dispatch */
		io->fn(io->arg, p->fd, p->revents);
	}
	/*
	 * What the descriptors' callbacks queued goes out before the hooks
	 * run: a guest's ACK makes libslirp emit the next segments at once,
	 * and they should not wait while its hook reads the host sockets.
	 */
	loop_run_deferred(l);
	for (h = l->hooks; h; h = next) {
		next = h->next;
		if (h->dispatch)
			h->dispatch(h->arg, l);
	}
}

/**
 * loop_run() - run until loop_stop(); a stopped loop may be run again
 * @l:		loop
 *
 * Return: 0 on loop_stop(), -1 if poll(2) failed
 */
int loop_run(struct loop *l)
{
	l->stop = 0;
	while (!l->stop) {
		int timeout = loop_fill(l);
		int nreg = l->nreg < l->npfd ? l->nreg : l->npfd;

		if (poll(l->pfd, (nfds_t)l->npfd, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return -1;
		}
		loop_dispatch(l, nreg);
		loop_run_timers(l);
	}
	return 0;
}
