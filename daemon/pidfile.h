/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pidfile.h - the -p pidfile: refuse to start while it names a live
 * process, replace a stale one, remove it at exit.
 */
#ifndef USERNETD_PIDFILE_H
#define USERNETD_PIDFILE_H

int pid_create(const char *path);
void pid_remove(const char *path);

#endif /* USERNETD_PIDFILE_H */
