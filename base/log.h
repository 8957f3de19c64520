/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - logging, OpenBSD style: log_warn() appends strerror(errno),
 * log_warnx() does not; fatal()/fatalx() log and exit.
 *
 * Messages go to stderr with a timestamp; debug messages only with -v.
 * A message a guest can provoke at will goes through a throttle (struct
 * log_rate, log_rate_due()): at most one line per interval, the lines
 * skipped counted into the next, so a misbehaving guest cannot flood the
 * log. The counters in /stats count every event; the log only tells.
 */
#ifndef USERNETD_LOG_H
#define USERNETD_LOG_H

#include <stdarg.h>
#include <stdint.h>

/**
 * struct log_rate - the throttle of one kind of message
 * @next:	time (ms, the caller's clock) before which the message is
 *		not logged again; 0: log the next one
 * @skipped:	messages not logged since the last one that was
 */
struct log_rate {
	int64_t next;
	uint64_t skipped;
};

void log_init(const char *progname, int verbose);
int log_verbose(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
uint64_t log_rate_due(struct log_rate *r, int64_t now, int64_t interval_ms);
void log_rate_reset(struct log_rate *r);

#endif /* USERNETD_LOG_H */
