/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pidfile.c - pidfile handling, as Lima expects of its network daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/pidfile.h"

/**
 * pid_alive() - does the pidfile at @path name a live process?
 * @path:	the pidfile
 *
 * Return: 1 if it names a live process, else 0
 */
static int pid_alive(const char *path)
{
	char buf[32] = {0};
	long pid;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	pid = strtol(buf, NULL, 10);
	if (pid <= 0 || pid == getpid())
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/**
 * pid_create() - write our pid to @path
 * @path:	the pidfile (--pidfile)
 *
 * Return: 0, or -1 with a logged reason (a live daemon holds it)
 */
int pid_create(const char *path)
{
	char buf[32];
	int fd, n;

	if (pid_alive(path)) {
		log_warnx("%s: another usernetd is running", path);
		return -1;
	}
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_warn("%s", path);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		log_warn("%s", path);
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/**
 * pid_remove() - remove our pidfile
 * @path:	the pidfile, or NULL for none
 */
void pid_remove(const char *path)
{
	if (path)
		unlink(path);
}
