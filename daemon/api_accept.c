/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_accept.c - accept the control API's connections ourselves and hand
 * them to libmicrohttpd (MHD_add_connection()) below FD_SETSIZE.
 *
 * Where libmicrohttpd has epoll (Linux) it takes any descriptor and
 * accepts by itself; this module is not used. Elsewhere it runs in select
 * mode: MHD_get_fdset2() and MHD_run_from_select() refuse descriptors at
 * or above FD_SETSIZE (1024), and a daemon with thousands of NAT sockets
 * accepts API connections far above it. So the daemon keeps a few low
 * descriptors in reserve from start-up (duplicates of /dev/null); a
 * connection accepted too high takes the place of one (the spare is
 * closed and the connection duplicated to the lowest free number, which
 * is at most the spare's) and the reserve is topped up again after
 * libmicrohttpd closed connections. With the reserve empty, a connection
 * accepted too high is closed (counted, logged once): the client may
 * retry.
 *
 * USERNETD_API_SELECT=1 in the environment makes the daemon use select
 * mode on Linux too: the tests run this path there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/api_accept.h"

/**
 * api_accept_select_mode() - will libmicrohttpd run in select mode here?
 *
 * Return: 1 without epoll (not Linux), or with USERNETD_API_SELECT=1
 */
int api_accept_select_mode(void)
{
	const char *e = getenv("USERNETD_API_SELECT");

	if (e && !strcmp(e, "1"))
		return 1;
#ifdef __linux__
	return 0;
#else
	return 1;
#endif
}

/**
 * api_accept_init() - open /dev/null and fill the reserve; call it early,
 * while descriptors are still low
 * @aa:		the reserve
 */
void api_accept_init(struct api_accept *aa)
{
	memset(aa, 0, sizeof(*aa));
	aa->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (aa->devnull < 0) {
		log_warn("api: /dev/null");
		return;
	}
	api_accept_refill(aa);
}

/**
 * api_accept_refill() - top the reserve up with low descriptors
 * @aa:		the reserve
 *
 * Stops at the first duplicate at or above FD_SETSIZE (closed again): no
 * low number is free now, a later call may find one.
 */
void api_accept_refill(struct api_accept *aa)
{
	int fd;

	while (aa->devnull >= 0 && aa->nspare < API_ACCEPT_SPARES) {
		fd = fcntl(aa->devnull, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return;
		if (fd >= FD_SETSIZE) {
			close(fd);
			return;
		}
		aa->spare[aa->nspare++] = fd;
	}
}

/**
 * api_accept_low() - move a connection below FD_SETSIZE
 * @aa:		the reserve
 * @fd:		the connection; owned by this call
 *
 * Return: the connection's descriptor below FD_SETSIZE (@fd itself if it
 * is), or -1 with @fd closed when there is no low descriptor for it
 */
int api_accept_low(struct api_accept *aa, int fd)
{
	int low;

	if (fd < FD_SETSIZE)
		return fd;
	while (aa->nspare > 0) {
		close(aa->spare[--aa->nspare]);
		low = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (low >= 0 && low < FD_SETSIZE) {
			close(fd);
			return low;
		}
		if (low >= 0) /* another thread took the number: next spare */
			close(low);
	}
	if (!aa->refused++)
		log_warnx("api: no descriptor below %d for a connection: "
			  "closed (further ones counted, not logged)",
			  FD_SETSIZE);
	close(fd);
	return -1;
}

/**
 * api_accept_take() - accept one connection, move it low, hand it over
 * @aa:		the reserve
 * @lfd:	the listening socket, non-blocking
 * @fn:		the handover
 * @arg:	@fn's argument
 *
 * Return: 1 if a connection was handed over, 0 if there was none or it
 * was closed (no low descriptor, or @fn refused it)
 */
int api_accept_take(struct api_accept *aa, int lfd, api_accept_handover_fn fn,
		    void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	fd = accept(lfd, (struct sockaddr *)&ss, &len);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_debug("api: accept: %s", strerror(errno));
		return 0;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fd = api_accept_low(aa, fd);
	if (fd < 0)
		return 0;
	return fn(arg, fd, (struct sockaddr *)&ss, len) ? 0 : 1;
}

/**
 * api_accept_fini() - close the reserve and /dev/null
 * @aa:		the reserve
 */
void api_accept_fini(struct api_accept *aa)
{
	while (aa->nspare > 0)
		close(aa->spare[--aa->nspare]);
	if (aa->devnull >= 0)
		close(aa->devnull);
	aa->devnull = -1;
}
