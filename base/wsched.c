/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wsched.c - the coalesced file writer of the state and lease files
 * (semantics in wsched.h): when to write, the failure episodes and their
 * messages.  What to write is the owner's callback.
 */
#include <string.h>

#include "base/wsched.h"
#include "base/log.h"
#include "base/loop.h"

/* While writes keep failing, one line per this many ms at most. */
#define WSCHED_FAIL_LOG_MS 60000

/**
 * wsched_write() - write now, whatever the time since the last write
 * @w:		writer
 *
 * Return: 0 (written, or nothing to write), or -1 (logged when an
 * episode of failures starts and at most once per WSCHED_FAIL_LOG_MS
 * while it lasts)
 */
static int wsched_write(struct wsched *w)
{
	int r;

	w->last_ms = loop_now_ms();
	r = w->fn(w->arg);
	if (r < 0) {
		uint64_t n =
		    log_rate_due(&w->fail_log, w->last_ms, WSCHED_FAIL_LOG_MS);

		if (n)
			log_warn("%s: cannot save %s (%llu failures not "
				 "logged before this one)",
				 w->name, w->what, (unsigned long long)(n - 1));
		w->failing = 1;
		return -1;
	}
	w->dirty = 0;
	if (r > 0)
		return 0; /* the file holds it already: not a write */
	if (w->failing)
		log_info("%s: saved again", w->name);
	w->failing = 0;
	log_rate_reset(&w->fail_log);
	w->writes++;
	return 0;
}

/**
 * wsched_arm() - the owner's content changed: mark it dirty and make sure
 * a write comes, at once without a loop, else by the timer, no sooner than
 * WSCHED_WRITE_GAP_MS (WSCHED_RETRY_MS after a failure) after the last one
 * @w:		writer
 */
void wsched_arm(struct wsched *w)
{
	int64_t now = loop_now_ms(), when;

	w->dirty = 1;
	if (!w->timer) {
		wsched_write(w);
		return;
	}
	if (w->armed)
		return;
	when = w->last_ms ? w->last_ms + (w->failing ? WSCHED_RETRY_MS
						     : WSCHED_WRITE_GAP_MS)
			  : now;
	loop_timer_arm(w->timer, when > now ? when : now);
	w->armed = 1;
}

/**
 * wsched_timer() - the coalesced write is due; a failed one is tried
 * again later
 * @arg:	the writer
 */
static void wsched_timer(void *arg)
{
	struct wsched *w = arg;

	w->armed = 0;
	if (w->dirty && wsched_write(w))
		wsched_arm(w);
}

/**
 * wsched_init() - set up a writer, nothing pending
 * @w:		writer to fill in
 * @l:		loop that runs the coalesced writes; NULL writes at once
 * @fn:		writes the file
 * @arg:	its argument
 * @name:	the file's name, for messages; must outlive @w
 * @what:	what the file holds, for messages; must outlive @w
 */
void wsched_init(struct wsched *w, struct loop *l, wsched_write_fn fn,
		 void *arg, const char *name, const char *what)
{
	memset(w, 0, sizeof(*w));
	w->fn = fn;
	w->arg = arg;
	w->name = name;
	w->what = what;
	if (l)
		w->timer = loop_timer_new(l, wsched_timer, w);
}

/**
 * wsched_flush() - write now what is pending
 * @w:		writer
 *
 * Return: 0 (nothing pending, or written), or -1 if the write failed
 */
int wsched_flush(struct wsched *w)
{
	return w->dirty ? wsched_write(w) : 0;
}

/**
 * wsched_fini() - free the writer's timer (flush first to keep what is
 * pending)
 * @w:		writer
 */
void wsched_fini(struct wsched *w)
{
	loop_timer_free(w->timer);
	w->timer = NULL;
	w->armed = 0;
}
