/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nofile.c - raise the soft limit on descriptors at start-up.
 *
 * Every connection a guest makes through the NAT is a host socket: the
 * common soft limit (1024 on Linux, 256 on macOS) would cap a VM at a few
 * hundred. The limit goes up to the hard one, but not past what works:
 * - macOS reports rlim_max as RLIM_INFINITY, refuses setrlimit() above
 *   kern.maxfilesperproc, and its poll(2) fails with EINVAL for more than
 *   OPEN_MAX (10240) descriptors: the limit stops at OPEN_MAX there, and
 *   a refused value is halved until one is accepted;
 * - elsewhere an infinite hard limit stops at NOFILE_CAP_INFINITE.
 * A limit clamped below the hard one is logged (a warning): the NAT caps
 * (lan/network.c) follow the soft limit, so more connections are refused,
 * never the daemon stopped.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "base/log.h"
#include "daemon/nofile.h"

/* Where the hard limit is infinite and the system names no OPEN_MAX */
#define NOFILE_CAP_INFINITE ((rlim_t)1 << 20)

/**
 * nofile_cap() - the most descriptors the loop can poll on this system
 *
 * Return: OPEN_MAX on macOS, else 0 (no cap but the hard limit)
 */
rlim_t nofile_cap(void)
{
#if defined(__APPLE__) && defined(OPEN_MAX)
	return OPEN_MAX;
#else
	return 0;
#endif
}

/**
 * nofile_target() - the soft limit to ask for
 * @cur:	the soft limit now
 * @max:	the hard limit, maybe RLIM_INFINITY
 * @cap:	nofile_cap(), 0 for none
 *
 * Return: @max, lowered to @cap (or NOFILE_CAP_INFINITE when @max is
 *	   infinite and there is no cap), never below @cur
 */
rlim_t nofile_target(rlim_t cur, rlim_t max, rlim_t cap)
{
	rlim_t t = max;

	if (cap && (t == RLIM_INFINITY || t > cap))
		t = cap;
	else if (t == RLIM_INFINITY)
		t = NOFILE_CAP_INFINITE;
	return t < cur && cur != RLIM_INFINITY ? cur : t;
}

/**
 * nofile_raise() - raise the soft limit towards nofile_target()
 * @cap:	nofile_cap(), or a lower cap (tests)
 *
 * A value the system refuses is halved until one is accepted or it
 * reaches the current limit. Logs a warning when the limit ends below
 * the hard limit.
 *
 * Return: the soft limit in effect afterwards
 */
rlim_t nofile_raise(rlim_t cap)
{
	struct rlimit rl;
	rlim_t cur, t;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	cur = rl.rlim_cur;
	for (t = nofile_target(cur, rl.rlim_max, cap); t > cur; t /= 2) {
		rl.rlim_cur = t;
		if (!setrlimit(RLIMIT_NOFILE, &rl))
			break;
		log_debug("setrlimit RLIMIT_NOFILE %llu: %s",
			  (unsigned long long)t, strerror(errno));
	}
	if (t < cur)
		t = cur;
	if (t < rl.rlim_max) {
		char hard[32] = "infinite";

		if (rl.rlim_max != RLIM_INFINITY)
			snprintf(hard, sizeof(hard), "%llu",
				 (unsigned long long)rl.rlim_max);
		log_warnx("descriptor limit clamped to %llu (hard limit %s): "
			  "NAT connections beyond it are refused",
			  (unsigned long long)t, hard);
	}
	return t;
}
