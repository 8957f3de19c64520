/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c - logging to stderr with timestamps.
 *
 * One line per message, written with a single write(2) so lines from
 * the loop and from worker threads never interleave.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

static const char *log_prog = "usernetd";
static int log_verb;

/**
 * log_init() - set the program name and verbosity
 * @progname:	prefix of every line
 * @verbose:	non-zero to print debug messages
 */
void log_init(const char *progname, int verbose)
{
	log_prog = progname;
	log_verb = verbose;
}

/**
 * log_verbose() - tell whether debug messages are printed
 *
 * Return: the verbosity given to log_init()
 */
int log_verbose(void)
{
	return log_verb;
}

/**
 * log_vline() - format and write one log line
 * @level:	level tag, e.g. "warning"
 * @err:	errno value to append, or 0
 * @fmt:	printf format
 * @ap:		arguments
 */
static void log_vline(const char *level, int err, const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof(line) - n, ".%03ld %s: %s%s",
		     ts.tv_nsec / 1000000, log_prog, level, *level ? ": " : "");
	if (r > 0)
		n += (size_t)r;
	if (n < sizeof(line)) {
		r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		if (r > 0)
			n += (size_t)r;
	}
	if (err && n < sizeof(line)) {
		r = snprintf(line + n, sizeof(line) - n, ": %s", strerror(err));
		if (r > 0)
			n += (size_t)r;
	}
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to report it. */
	}
}

#define LOG_BODY(level, err)                                                   \
	do {                                                                   \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		log_vline(level, err, fmt, ap);                                \
		va_end(ap);                                                    \
	} while (0)

/**
 * log_warn() - log a warning with strerror(errno) appended; errno is kept
 * @fmt:	printf(3) format
 */
void log_warn(const char *fmt, ...)
{
	int err = errno;

	LOG_BODY("warning", err);
	errno = err;
}

/**
 * log_warnx() - log a warning
 * @fmt:	printf(3) format
 */
void log_warnx(const char *fmt, ...)
{
	LOG_BODY("warning", 0);
}

/**
 * log_info() - log a message
 * @fmt:	printf(3) format
 */
void log_info(const char *fmt, ...)
{
	LOG_BODY("", 0);
}

/**
 * log_debug() - log a message, only with -v
 * @fmt:	printf(3) format
 */
void log_debug(const char *fmt, ...)
{
	if (!log_verb)
		return;
	LOG_BODY("debug", 0);
}

/**
 * fatal() - log with strerror(errno) appended and exit(1)
 * @fmt:	printf(3) format
 */
void fatal(const char *fmt, ...)
{
	int err = errno;

	LOG_BODY("fatal", err);
	exit(1);
}

/**
 * fatalx() - log and exit(1)
 * @fmt:	printf(3) format
 */
void fatalx(const char *fmt, ...)
{
	LOG_BODY("fatal", 0);
	exit(1);
}

/**
 * log_rate_due() - tell whether a throttled message may be logged now
 * @r:		its throttle, zeroed at first
 * @now:	the current time in ms (loop_now_ms() on the loop thread)
 * @interval_ms: at most one line per this many ms
 *
 * Return: 0 if the message is skipped (and counted); else 1 plus the
 * number skipped since the last line, for the caller to mention
 */
uint64_t log_rate_due(struct log_rate *r, int64_t now, int64_t interval_ms)
{
	uint64_t n;

	if (r->next && now < r->next) {
		r->skipped++;
		return 0;
	}
	n = 1 + r->skipped;
	r->skipped = 0;
	r->next = now + (interval_ms > 0 ? interval_ms : 1);
	return n;
}

/**
 * log_rate_reset() - end an episode: the next message is logged at once
 * @r:		the throttle
 *
 * For "once per episode" messages (a full queue, a failing upstream):
 * called when the condition clears, so its next start is told.
 */
void log_rate_reset(struct log_rate *r)
{
	r->next = 0;
	r->skipped = 0;
}
