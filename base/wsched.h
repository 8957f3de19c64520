/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wsched.h - a coalesced file writer: the write scheduling that the state
 * file (state.c) and the lease file (registry.c) share.
 *
 * A change marks the file dirty and arms the writer (wsched_arm()): the
 * first change after a quiet WSCHED_WRITE_GAP_MS is written at once, later
 * ones at most once every WSCHED_WRITE_GAP_MS, the next attempt after a
 * failed write WSCHED_RETRY_MS later.  Without a loop (tests) every change
 * is written at once.  wsched_flush() writes what is pending (exit).
 * Loop thread only.
 */
#ifndef USERNETD_WSCHED_H
#define USERNETD_WSCHED_H

#include <stdint.h>

#include "base/log.h"

#define WSCHED_WRITE_GAP_MS 1000  /* at most one write a second */
#define WSCHED_RETRY_MS	    10000 /* after a failed write */

struct loop;
struct loop_timer;

/**
 * wsched_write_fn - write the file now
 * @arg:	the owner's argument
 *
 * Return: 0 written, 1 nothing to write (the file holds it already), -1
 * failed with errno set
 */
typedef int (*wsched_write_fn)(void *arg);

/**
 * struct wsched - a coalesced writer, embedded in its owner
 * @fn:		writes the file
 * @arg:	its argument
 * @name:	the file's name, for messages (the owner's string)
 * @what:	what the file holds, for messages ("leases")
 * @timer:	the pending write, NULL without a loop (writes at once)
 * @armed:	@timer is armed
 * @dirty:	the owner's content was not written yet
 * @failing:	the last write failed (retried later, see STATE_RETRY_MS)
 * @fail_log:	throttle of the "cannot save" line, reset by a write
 * @last_ms:	loop_now_ms() of the last write attempt, 0 for none
 * @writes:	successful writes, for tests
 */
struct wsched {
	wsched_write_fn fn;
	void *arg;
	const char *name;
	const char *what;
	struct loop_timer *timer;
	int armed;
	int dirty;
	int failing;
	struct log_rate fail_log;
	int64_t last_ms;
	unsigned long writes;
};

void wsched_init(struct wsched *w, struct loop *l, wsched_write_fn fn,
		 void *arg, const char *name, const char *what);
void wsched_arm(struct wsched *w);
int wsched_flush(struct wsched *w);
void wsched_fini(struct wsched *w);

#endif
