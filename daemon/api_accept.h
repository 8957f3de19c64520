/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_accept.h - the control API's connections accepted by the daemon
 * and handed to libmicrohttpd below FD_SETSIZE, where libmicrohttpd has
 * no epoll (macOS, the BSDs) and its select(2) interface refuses higher
 * descriptors, which a daemon holding thousands of NAT sockets gets.
 */
#ifndef USERNETD_API_ACCEPT_H
#define USERNETD_API_ACCEPT_H

#include <sys/socket.h>

/* Low descriptors held in reserve: concurrent API connections above
 * FD_SETSIZE that can still be served. */
#define API_ACCEPT_SPARES 8

/**
 * struct api_accept - the reserve of low descriptors
 * @spare:	descriptors below FD_SETSIZE (duplicates of @devnull), each
 *		given up for one connection
 * @nspare:	entries of @spare in use
 * @devnull:	/dev/null, the spares' source; -1 when not in use
 * @refused:	connections closed for want of a low descriptor
 */
struct api_accept {
	int spare[API_ACCEPT_SPARES];
	int nspare;
	int devnull;
	unsigned long refused;
};

/**
 * api_accept_handover_fn - give an accepted connection to the HTTP server
 * @arg:	the caller's argument
 * @fd:		the connection, below FD_SETSIZE; the callee owns it
 * @sa:		the peer's address
 * @salen:	its length
 *
 * Return: 0, or -1 if refused (the callee closed @fd)
 */
typedef int (*api_accept_handover_fn)(void *arg, int fd,
				      const struct sockaddr *sa,
				      socklen_t salen);

int api_accept_select_mode(void);
void api_accept_init(struct api_accept *aa);
void api_accept_refill(struct api_accept *aa);
int api_accept_low(struct api_accept *aa, int fd);
int api_accept_take(struct api_accept *aa, int lfd, api_accept_handover_fn fn,
		    void *arg);
void api_accept_fini(struct api_accept *aa);

#endif /* USERNETD_API_ACCEPT_H */
