/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lima.h - usernetd in the place of `limactl usernet`, with an unmodified
 * Lima (docs/lima.md):
 *
 *  - `usernetd usernet ARGS`: the argv Lima gives its own daemon,
 *    `usernet -p PID -e EP --listen-qemu Q --listen FD --subnet CIDR
 *    [--leases ip=mac,...] [--mtu N]`, in Go's pflag spellings too
 *    (`-listen-qemu Q`, `-p=PID`), turned into usernetd's options with one
 *    network shared by every VM (user-v2);
 *  - `--lima-network NAME`: every path and the subnet of Lima's network
 *    NAME as Lima computes them from $LIMA_HOME (default ~/.lima): the
 *    sockets, pidfile and leases.json in $LIMA_HOME/_networks/NAME/, the
 *    subnet from $LIMA_HOME/_config/networks.yaml (gateway & netmask, or
 *    Lima's built-in default when the file does not exist yet).
 *
 * Paths and parsing only: the options they become are checked by
 * options.c like any others.
 */
#ifndef USERNETD_LIMA_H
#define USERNETD_LIMA_H

#include <limits.h>
#include <stddef.h>

#include "daemon/networksyaml.h"

#define LIMA_NAME_MAX 64 /* a network's name, NUL included */

/**
 * struct lima_paths - the files of one of Lima's user-v2 networks
 * @home:	$LIMA_HOME, symbolic links resolved when it exists
 * @dir:	$LIMA_HOME/_networks/NAME (created 0755 like Lima does)
 * @networks:	$LIMA_HOME/_config/networks.yaml
 * @pidfile:	DIR/usernet_NAME.pid
 * @endpoint:	DIR/NAME_ep.sock
 * @qemu:	DIR/NAME_qemu.sock
 * @fd:		DIR/NAME_fd.sock
 * @leases:	DIR/leases.json, written by Lima when it stops the network
 */
struct lima_paths {
	char home[PATH_MAX];
	char dir[PATH_MAX];
	char networks[PATH_MAX];
	char pidfile[PATH_MAX];
	char endpoint[PATH_MAX];
	char qemu[PATH_MAX];
	char fd[PATH_MAX];
	char leases[PATH_MAX];
};

char **lima_usernet_argv(int argc, char *const *argv, int *nargc);
void lima_argv_free(char **argv);
int lima_paths_get(const char *name, const char *lima_home, const char *home,
		   struct lima_paths *p, char *err, size_t errlen);
int lima_mkdirs(const struct lima_paths *p, char *err, size_t errlen);
int lima_network_load(const struct lima_paths *p, const char *name,
		      struct cfg_network *nw, char *err, size_t errlen);

#endif /* USERNETD_LIMA_H */
