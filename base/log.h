/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - logging, OpenBSD style: log_warn() appends strerror(errno),
 * log_warnx() does not; fatal()/fatalx() log and exit.
 *
 * Messages go to stderr with a timestamp; debug messages only with -v.
 * Rate-limited variants keep a misbehaving guest from flooding the log.
 */
#ifndef USERNETD_LOG_H
#define USERNETD_LOG_H

#include <stdarg.h>

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

#endif /* USERNETD_LOG_H */
