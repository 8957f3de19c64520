/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rundir.c - owns the check of the default socket's directory
 * ($XDG_RUNTIME_DIR/usernetd, or /tmp/usernetd-UID without it).
 *
 * /tmp is everybody's: another user who creates /tmp/usernetd-UID first
 * (or a symbolic link by that name to a directory of theirs) could
 * remove the daemon's socket and put one of theirs in its place, and sit
 * between QEMU and the daemon. So the directory is created 0700, or, if
 * it exists, used only when it is a directory (not a symbolic link) owned
 * by the daemon's uid with no access for group or others. /tmp's sticky
 * bit then keeps others from renaming or removing it once checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/rundir.h"

/**
 * rundir_check_stat() - whether @st is a directory only @uid can use
 * @dir:	its path, for the message
 * @st:		what fstat(2) said of it
 * @uid:	the daemon's uid
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with the reason in @err
 */
static int rundir_check_stat(const char *dir, const struct stat *st, uid_t uid,
			     char *err, size_t errlen)
{
	if (!S_ISDIR(st->st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	if (st->st_uid != uid) {
		snprintf(err, errlen,
			 "%s: owned by uid %ld, not by this uid (%ld): another "
			 "user could replace the socket",
			 dir, (long)st->st_uid, (long)uid);
		return -1;
	}
	if (st->st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
			 "%s: mode %04o lets group or others in (want 0700)",
			 dir, (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/**
 * rundir_prepare() - create @dir 0700, or make sure the existing one is
 * safe to hold the daemon's sockets
 * @dir:	the directory
 * @err:	why not, naming @dir
 * @errlen:	its size
 *
 * An existing @dir must be a directory, not a symbolic link (lstat(2)),
 * owned by the effective uid, with no permission bit for group or
 * others. The checks are made on the directory opened with O_NOFOLLOW,
 * so a link swapped in after lstat(2) is refused too.
 *
 * Return: 0, or -1 with the reason in @err
 */
int rundir_prepare(const char *dir, char *err, size_t errlen)
{
	uid_t uid = geteuid();
	struct stat st;
	int fd, r;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create: %s", dir,
			 strerror(errno));
		return -1;
	}
	if (lstat(dir, &st)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: a symbolic link, not a directory: another user "
			 "could point it anywhere",
			 dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", dir,
			 errno == ELOOP ? "a symbolic link, not a directory"
					: strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	r = rundir_check_stat(dir, &st, uid, err, errlen);
	close(fd);
	return r;
}
