/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * output.c - where a capture's bytes go: the descriptor of a new file, an
 * own regular file or FIFO, or standard output, opened so that a symbolic
 * link or someone else's file is refused; and the stdio stream over it
 * (fopencookie() or funopen()) whose writes poll with a short timeout and
 * give up when cap_close() asks, so a FIFO nobody reads cannot hang the
 * daemon.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "services/pcap/capture_int.h"

/**
 * cap_out_write() - write all of @buf to the output, giving up on abort
 * @o:		output
 * @buf:	bytes
 * @n:		how many
 *
 * Return: @n, or -1 with errno (and @o->err) set
 */
static long cap_out_write(struct cap_out *o, const char *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		struct pollfd p = {.fd = o->fd, .events = POLLOUT};
		size_t k = n - done;
		ssize_t r;

		if (atomic_load(o->abort)) {
			o->err = ECANCELED;
			break;
		}
		if (o->chunk) {
			/* Blocking descriptor: write only what fits. */
			r = poll(&p, 1, CAP_POLL_MS);
			if (r < 0 && errno != EINTR) {
				o->err = errno;
				break;
			}
			if (r <= 0)
				continue;
			if (k > o->chunk)
				k = o->chunk;
		}
		r = write(o->fd, buf + done, k);
		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (poll(&p, 1, CAP_POLL_MS) < 0 && errno != EINTR) {
				o->err = errno;
				break;
			}
			continue;
		}
		o->err = r < 0 ? errno : EIO;
		break;
	}
	if (done == n)
		return (long)n;
	errno = o->err;
	return -1;
}

/**
 * cap_out_close() - stdio close function: close the descriptor
 * @cookie:	struct cap_out
 *
 * Return: 0
 */
int cap_out_close(void *cookie)
{
	struct cap_out *o = cookie;

	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	return 0;
}

#ifdef __linux__
/**
 * cap_cookie_write() - fopencookie() write function
 * @cookie:	struct cap_out
 * @buf:	bytes
 * @n:		how many
 *
 * Return: @n, or 0 on error (fopencookie(3) wants no negative value)
 */
static ssize_t cap_cookie_write(void *cookie, const char *buf, size_t n)
{
	long r = cap_out_write(cookie, buf, n);

	return r < 0 ? 0 : r;
}

/**
 * cap_out_fopen() - a stdio stream over @o
 * @o:		output
 *
 * Return: the stream, or NULL with errno set
 */
FILE *cap_out_fopen(struct cap_out *o)
{
	cookie_io_functions_t io = {
	    .read = NULL,
	    .write = cap_cookie_write,
	    .seek = NULL,
	    .close = cap_out_close,
	};

	return fopencookie(o, "w", io);
}
#else
/**
 * cap_funopen_write() - funopen() write function
 * @cookie:	struct cap_out
 * @buf:	bytes
 * @n:		how many
 *
 * Return: @n, or -1 with errno set
 */
static int cap_funopen_write(void *cookie, const char *buf, int n)
{
	return (int)cap_out_write(cookie, buf, (size_t)n);
}

/**
 * cap_out_fopen() - a stdio stream over @o
 * @o:		output
 *
 * Return: the stream, or NULL with errno set
 */
FILE *cap_out_fopen(struct cap_out *o)
{
	return funopen(o, NULL, cap_funopen_write, NULL, cap_out_close);
}
#endif

/**
 * cap_check_target() - whether an existing @path may receive a capture
 * @path:	its name, for the message
 * @st:		what lstat(2) or fstat(2) said of it
 * @err:	why not
 * @errlen:	its size
 *
 * The capture may only go where the API client (the daemon's uid, see
 * daemon/api.c) could write itself: a regular file or a FIFO owned by
 * the daemon's uid. A symbolic link, someone else's file or FIFO (in
 * /tmp, say, another user's FIFO would receive every frame), a device or
 * a socket are refused.
 *
 * Return: 0, or -1 with @err set
 */
static int cap_check_target(const char *path, const struct stat *st, char *err,
			    size_t errlen)
{
	if (S_ISLNK(st->st_mode)) {
		snprintf(err, errlen,
			 "%s: a symbolic link: refused (name the file itself)",
			 path);
		return -1;
	}
	if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode)) {
		snprintf(err, errlen,
			 "%s: not a regular file or a FIFO: refused", path);
		return -1;
	}
	if (st->st_uid != geteuid()) {
		snprintf(err, errlen,
			 "%s: owned by uid %ld, not by this uid (%ld): refused",
			 path, (long)st->st_uid, (long)geteuid());
		return -1;
	}
	return 0;
}

/**
 * cap_open_path() - open @path for writing, never through a symbolic link
 * @path:	where
 * @err:	why not
 * @errlen:	its size
 *
 * A new file is created 0600 with O_EXCL (nothing was there, and nothing
 * can slip in between). An existing one is checked by name first, for a
 * clear message and so that nobody's device or FIFO is even opened, then
 * opened with O_NOFOLLOW and checked again on the descriptor (it may
 * have been swapped in between); a regular file is truncated only then.
 * Only the last component of @path is protected from links: a capture
 * created through a linked directory is still a new file of ours, which
 * the client could have written itself. Never blocks: a FIFO is opened
 * non-blocking and must have a reader.
 *
 * Return: the descriptor, or -1 with @err set
 */
static int cap_open_path(const char *path, char *err, size_t errlen)
{
	const int wr = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			goto fail;
		fd = open(path, wr | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			goto fail;
		return fd;
	}
	if (cap_check_target(path, &st, err, errlen))
		return -1;
	fd = open(path, wr);
	if (fd < 0 && errno == ENXIO) {
		snprintf(err, errlen,
			 "%s: FIFO has no reader (start the reader first)",
			 path);
		return -1;
	}
	if (fd < 0)
		goto fail;
	if (fstat(fd, &st) < 0)
		goto fail_fd;
	if (cap_check_target(path, &st, err, errlen)) {
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0)
		goto fail_fd;
	return fd;
fail_fd:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	return -1;
fail:
	snprintf(err, errlen, "%s: %s", path,
		 errno == ELOOP ? "a symbolic link: refused" : strerror(errno));
	return -1;
}

/**
 * cap_open_fd() - open the descriptor for @path
 * @o:		output to set up (@fd and @chunk)
 * @path:	a new file, a regular file or a FIFO with a reader owned by
 *		the daemon's uid, or "-" (see cap_open_path())
 * @err:	error message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
int cap_open_fd(struct cap_out *o, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	o->chunk = 0;
	o->err = 0;
	if (!strcmp(path, "-")) {
		fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			snprintf(err, errlen, "standard output: %s",
				 strerror(errno));
			return -1;
		}
		/* Not ours to make non-blocking: write what poll allows. */
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			o->chunk = PIPE_BUF;
		o->fd = fd;
		return 0;
	}
	fd = cap_open_path(path, err, errlen);
	if (fd < 0)
		return -1;
	o->fd = fd;
	return 0;
}
