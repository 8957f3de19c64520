/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * peercred_linux.c - the peer's uid of a unix socket with SO_PEERCRED
 * (Linux). The policy, shared with peercred_bsd.c, is peercred_allowed().
 */
#include <sys/socket.h>
#include <unistd.h>

#include "packet/peercred.h"

/**
 * peercred_uid() - uid of the process that connected a unix socket
 * @fd:		connected (or socketpair) unix socket
 * @uid:	set to the peer's uid on success
 *
 * Return: 0, or -1 with errno set
 */
int peercred_uid(int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return -1;
	*uid = cred.uid;
	return 0;
}

/**
 * peercred_allowed() - may the peer of @fd use the daemon?
 * @fd:		connected unix socket
 * @uid:	set to the peer's uid when it is known
 *
 * The daemon's own (effective) uid and root may; nobody else.
 *
 * Return: 1 if allowed, 0 if refused, -1 if the uid cannot be read
 */
int peercred_allowed(int fd, uid_t *uid)
{
	if (peercred_uid(fd, uid))
		return -1;
	return *uid == 0 || *uid == geteuid();
}
