/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lima.c - what usernetd needs to stand in for `limactl usernet` without a
 * change to Lima: Lima's argv for its daemon turned into usernetd's
 * options, and the paths and subnet of one of Lima's user-v2 networks
 * computed from $LIMA_HOME as Lima computes them
 * (pkg/networks/usernet/config.go, recoincile.go, pkg/limatype/dirnames).
 *
 * Lima starts nothing when the network's pidfile names a live process, and
 * then uses the sockets and the API at their usual paths: a usernetd
 * started with `--lima-network NAME` (by a service manager, contrib/)
 * is what it finds there.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "daemon/lima.h"
#include "base/log.h"
#include "base/xalloc.h"

/*
 * Lima's networks.yaml default for its user-v2 network
 * (pkg/networks/networks.TEMPLATE.yaml): what Lima writes when the file
 * does not exist yet. usernetd only reads Lima's configuration, so it
 * uses this text instead of creating the file.
 */
static const char lima_default_networks[] = "networks:\n"
					    "  user-v2:\n"
					    "    mode: user-v2\n"
					    "    gateway: 192.168.104.1\n"
					    "    netmask: 255.255.255.0\n";

/* The long flags of `limactl usernet` (cmd/limactl/usernet.go). */
static const char *const lima_flags[] = {
    "pidfile", "endpoint", "listen-qemu", "listen",
    "subnet",  "mtu",	   "leases",	  "help",
};

/**
 * lima_is_flag() - is @name (up to @len bytes) a long flag of Lima's?
 * @name:	text after the dashes
 * @len:	its length up to '=' or the end
 *
 * Return: 1 if it is
 */
static int lima_is_flag(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(lima_flags) / sizeof(lima_flags[0]); i++)
		if (strlen(lima_flags[i]) == len &&
		    !strncmp(lima_flags[i], name, len))
			return 1;
	return 0;
}

/**
 * lima_push() - append a copy of a string to an argv being built
 * @v:		the vector, room for it guaranteed by the caller
 * @n:		its length, incremented
 * @s:		the string
 * @len:	how much of @s
 *
 * Start-up: out of memory is fatal (base/xalloc.h).
 */
static void lima_push(char **v, int *n, const char *s, size_t len)
{
	char *c = xmalloc(len + 1);

	memcpy(c, s, len);
	c[len] = 0;
	v[(*n)++] = c;
}

/**
 * lima_translate() - one argument of Lima's argv, as getopt_long takes it
 * @v:		the new vector, with room for two more
 * @n:		its length, updated
 * @a:		the argument
 *
 * Go's flag packages accept what getopt_long does not: pflag's `-p=PATH`
 * (getopt would read "=PATH") and the standard package's single-dash long
 * flags, `-listen-qemu PATH`, `-subnet=CIDR`. Both become getopt's
 * spellings; everything else is copied as it is.
 */
static void lima_translate(char **v, int *n, const char *a)
{
	size_t name;

	if (a[0] != '-' || a[1] == '-' || !a[1] || !a[2]) {
		lima_push(v, n, a, strlen(a));
		return;
	}
	name = strcspn(a + 1, "=");
	if (lima_is_flag(a + 1, name)) {
		char *c = xmalloc(strlen(a) + 2);

		c[0] = '-';
		memcpy(c + 1, a, strlen(a) + 1);
		v[(*n)++] = c;
		return;
	}
	if (a[2] == '=' && (a[1] == 'p' || a[1] == 'e')) {
		lima_push(v, n, a, 2);
		lima_push(v, n, a + 3, strlen(a + 3));
		return;
	}
	lima_push(v, n, a, strlen(a));
}

/**
 * lima_usernet_argv() - usernetd's argv for `usernetd usernet ARGS`
 * @argc:	argument count, argv[1] being "usernet"
 * @argv:	Lima's argv, with usernetd's path in argv[0]
 * @nargc:	set to the new count
 *
 * The result is argv[0], `--mode user-v2` (Lima's daemon serves one
 * network shared by every VM), then ARGS in getopt's spellings. Lima's
 * defaults are usernetd's: subnet 192.168.5.0/24, MTU 1500. Options of
 * usernetd's own may follow Lima's (`--sandbox`, `-v`).
 *
 * Return: a NULL-terminated vector to free with lima_argv_free() (out of
 * memory is fatal: start-up)
 */
char **lima_usernet_argv(int argc, char *const *argv, int *nargc)
{
	char **v = xcalloc((size_t)argc * 2 + 4, sizeof(*v));
	int i, n = 0, rest = 0;

	lima_push(v, &n, argv[0], strlen(argv[0]));
	lima_push(v, &n, "--mode", 6);
	lima_push(v, &n, "user-v2", 7);
	for (i = 2; i < argc; i++) {
		/* after "--" nothing is a flag; usernetd refuses operands */
		if (rest || !strcmp(argv[i], "--")) {
			rest = 1;
			lima_push(v, &n, argv[i], strlen(argv[i]));
			continue;
		}
		lima_translate(v, &n, argv[i]);
	}
	*nargc = n;
	return v;
}

/**
 * lima_argv_free() - free a vector of lima_usernet_argv()
 * @argv:	the vector, or NULL
 */
void lima_argv_free(char **argv)
{
	char **p;

	if (!argv)
		return;
	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}

/**
 * lima_name_ok() - can @name be a network's directory name?
 * @name:	the name given to --lima-network
 *
 * Lima allows identifiers (letters, digits, '-', '_', '.'; a letter or
 * digit first); anything else could leave $LIMA_HOME/_networks.
 *
 * Return: 1 if it can
 */
static int lima_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (!len || len >= LIMA_NAME_MAX)
		return 0;
	if (!((name[0] >= 'a' && name[0] <= 'z') ||
	      (name[0] >= 'A' && name[0] <= 'Z') ||
	      (name[0] >= '0' && name[0] <= '9')))
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == len;
}

/**
 * lima_path() - format one path, refusing it when it does not fit
 * @dst:	PATH_MAX bytes
 * @max:	the longest path allowed, in bytes without the NUL
 * @err:	"PATH: too long" on failure
 * @errlen:	its size
 * @fmt:	printf format
 *
 * Return: 0, or -1 with @err set
 */
static int lima_path(char *dst, size_t max, char *err, size_t errlen,
		     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int lima_path(char *dst, size_t max, char *err, size_t errlen,
		     const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(dst, PATH_MAX, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r > max) {
		snprintf(err, errlen,
			 "--lima-network: %.200s...: path too long (at most "
			 "%zu bytes, as Lima checks)",
			 dst, max);
		return -1;
	}
	return 0;
}

/**
 * lima_paths_get() - the paths of Lima's network @name
 * @name:	the network, a key of networks.yaml
 * @lima_home:	$LIMA_HOME, or NULL or "" for @home/.lima
 * @home:	$HOME
 * @p:		filled in
 * @err:	why not
 * @errlen:	its size
 *
 * As Lima's dirnames.LimaDir(): $LIMA_HOME or ~/.lima, with symbolic
 * links resolved when the directory exists (Lima passes the resolved
 * paths to its daemon). Socket paths must fit in sun_path, the others are
 * held to the same limit as Lima's leases.json.
 *
 * Return: 0, or -1 with @err set
 */
int lima_paths_get(const char *name, const char *lima_home, const char *home,
		   struct lima_paths *p, char *err, size_t errlen)
{
	size_t sun = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
	char real[PATH_MAX];

	if (!lima_name_ok(name)) {
		snprintf(err, errlen,
			 "--lima-network %.64s: not a network name (letters, "
			 "digits, '-', '_', '.')",
			 name);
		return -1;
	}
	if (lima_home && *lima_home) {
		if (lima_path(p->home, PATH_MAX - 64, err, errlen, "%s",
			      lima_home))
			return -1;
	} else {
		if (!home || !*home) {
			snprintf(err, errlen,
				 "--lima-network: neither LIMA_HOME nor HOME "
				 "is set");
			return -1;
		}
		if (lima_path(p->home, PATH_MAX - 64, err, errlen, "%s/.lima",
			      home))
			return -1;
	}
	if (realpath(p->home, real))
		memcpy(p->home, real, strlen(real) + 1);
	else if (errno != ENOENT) {
		snprintf(err, errlen, "--lima-network: %.200s: %s", p->home,
			 strerror(errno));
		return -1;
	}
	if (lima_path(p->networks, PATH_MAX - 1, err, errlen,
		      "%s/_config/networks.yaml", p->home) ||
	    lima_path(p->dir, PATH_MAX - 1, err, errlen, "%s/_networks/%s",
		      p->home, name) ||
	    lima_path(p->pidfile, PATH_MAX - 1, err, errlen,
		      "%s/usernet_%s.pid", p->dir, name) ||
	    lima_path(p->leases, sun, err, errlen, "%s/leases.json", p->dir) ||
	    lima_path(p->endpoint, sun, err, errlen, "%s/%s_ep.sock", p->dir,
		      name) ||
	    lima_path(p->qemu, sun, err, errlen, "%s/%s_qemu.sock", p->dir,
		      name) ||
	    lima_path(p->fd, sun, err, errlen, "%s/%s_fd.sock", p->dir, name))
		return -1;
	return 0;
}

/**
 * lima_mkdir() - create one directory, 0755 like Lima's os.MkdirAll
 * @path:	the directory; an existing one is fine
 * @err:	why not
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
static int lima_mkdir(const char *path, char *err, size_t errlen)
{
	if (!mkdir(path, 0755) || errno == EEXIST)
		return 0;
	snprintf(err, errlen, "--lima-network: %.200s: %s", path,
		 strerror(errno));
	return -1;
}

/**
 * lima_mkdirs() - create $LIMA_HOME/_networks/NAME as Lima's Start does
 * @p:		the paths
 * @err:	why not
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
int lima_mkdirs(const struct lima_paths *p, char *err, size_t errlen)
{
	char nets[PATH_MAX];
	char *slash;

	memcpy(nets, p->dir, strlen(p->dir) + 1);
	slash = strrchr(nets, '/');
	if (slash)
		*slash = 0;
	if (lima_mkdir(p->home, err, errlen) || lima_mkdir(nets, err, errlen))
		return -1;
	return lima_mkdir(p->dir, err, errlen);
}

/**
 * lima_network_default() - network @name of Lima's default networks.yaml
 * @name:	the network
 * @nw:		set to it
 * @err:	why not (only user-v2 is defined)
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
static int lima_network_default(const char *name, struct cfg_network *nw,
				char *err, size_t errlen)
{
	return cfg_networks_load_buffer(
	    "networks.yaml (Lima's default)", lima_default_networks,
	    sizeof(lima_default_networks) - 1, name, nw, err, errlen);
}

/**
 * lima_network_load() - network @name of Lima's networks.yaml
 * @p:		the paths
 * @name:	the network
 * @nw:		set to it
 * @err:	"FILE:LINE:COLUMN: what"
 * @errlen:	its size
 *
 * When networks.yaml does not exist, Lima would write its default one
 * before reading it; usernetd reads that default instead (it never
 * writes Lima's configuration), which defines only `user-v2`,
 * 192.168.104.0/24. Lima also puts its default `user-v2` in place when
 * the file has no user-v2 network with a gateway (networks.fillDefaults):
 * `user-v2` falls back to the default, with a warning, whenever the file
 * does not give a usable one.
 *
 * Return: 0, or -1 with @err set
 */
int lima_network_load(const struct lima_paths *p, const char *name,
		      struct cfg_network *nw, char *err, size_t errlen)
{
	struct stat st;

	if (stat(p->networks, &st) && errno == ENOENT)
		return lima_network_default(name, nw, err, errlen);
	if (!cfg_networks_load(p->networks, name, nw, err, errlen) &&
	    nw->mode == CFG_NET_USER_V2)
		return 0;
	if (strcmp(name, "user-v2"))
		return nw->mode ? 0 : -1; /* the caller refuses other modes */
	log_warnx("%s; using Lima's default user-v2 network, "
		  "192.168.104.0/24, as Lima does",
		  nw->mode ? "networks.yaml: user-v2 is not a user-v2 network"
			   : err);
	return lima_network_default(name, nw, err, errlen);
}
