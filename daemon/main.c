/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - usernetd: parse the command line, start the networks, run the
 * loop until SIGINT or SIGTERM, then clean up sockets and the pidfile.
 */
#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "options.h"
#include "pidfile.h"
#include "sandbox.h"
#include "server.h"
#include "../pcap/capture.h"
#include "../netstack/loop.h"

static struct loop_async *main_quit;

static void main_signal(int sig)
{
	(void)sig;
	loop_async_notify(main_quit);
}

static void main_stop(void *arg)
{
	log_info("stopping");
	loop_stop(arg);
}

/**
 * main_default_socket() - $XDG_RUNTIME_DIR/usernetd/qemu.sock, or
 * /tmp/usernetd-UID/qemu.sock, creating the directory 0700
 */
static const char *main_default_socket(void)
{
	static char path[PATH_MAX];
	const char *run = getenv("XDG_RUNTIME_DIR");
	char dir[PATH_MAX - 16];

	if (run && *run)
		snprintf(dir, sizeof(dir), "%s/usernetd", run);
	else
		snprintf(dir, sizeof(dir), "/tmp/usernetd-%ld", (long)getuid());
	if (mkdir(dir, 0700) && errno != EEXIST)
		fatal("%s", dir);
	snprintf(path, sizeof(path), "%s/qemu.sock", dir);
	return path;
}

/**
 * main_capture() - start the capture the command line asks for
 *
 * Return: 0, or -1 after telling why (a bad filter, an unwritable file)
 */
static int main_capture(struct srv *s, const struct cfg *c)
{
	struct cap_config cc = {
	    .file = c->pcap_file,
	    .filter = c->pcap_filter,
	    .snaplen = c->pcap_snaplen,
	    .max_size_mb = c->pcap_max_size,
	    .max_files = c->pcap_max_files,
	};
	char err[512];

	if (!srv_capture_start(s, &cc, NULL, err, sizeof(err)))
		return 0;
	fprintf(stderr, "usernetd: --pcap: %s\n", err);
	return -1;
}

/**
 * main_raise_nofile() - raise the soft limit on descriptors to the hard one
 *
 * Every connection a guest makes through the NAT is a host socket: the
 * common soft limit of 1024 would cap a VM at about a thousand.
 */
static void main_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		log_debug("setrlimit RLIMIT_NOFILE: %s", strerror(errno));
}

/**
 * main_tune_malloc() - keep large buffers out of the heap (glibc)
 *
 * libslirp gives every NAT'ed TCP connection two 128 KiB buffers and
 * resizes them with realloc() once the MSS is known. Allocated with
 * mmap(2), a buffer costs the pages the connection really uses and a
 * resize is an mremap(2); from the heap, the resize copies the whole
 * buffer, so both become resident: 256 KiB per connection. glibc starts
 * with the mmap threshold at 128 KiB but raises it as soon as a buffer
 * that size is freed (the first connection that closes), which sends
 * every later buffer to the heap. Setting the threshold keeps it fixed
 * (docs/performance.md, "Profiles").
 */
static void main_tune_malloc(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = main_signal};
	char err[512];
	struct loop *l;
	struct srv *s;
	struct cfg c;
	int r;

	r = cfg_parse_args(&c, argc, argv, err, sizeof(err));
	if (r == CFG_HELP) {
		cfg_usage(argv[0]);
		return 0;
	}
	if (r == CFG_ERROR || (c.sandbox && sandbox_check(err, sizeof(err)))) {
		fprintf(stderr, "usernetd: %s\n", err);
		if (r != CFG_ERROR)
			cfg_free(&c);
		return 2;
	}
	log_init("usernetd", c.verbose);
	if (!c.listen_qemu && !c.listen_fd && !c.listen_vfkit &&
	    !c.listen_bess && !c.ntap && !c.dns_udp && !c.dns_tcp)
		c.listen_qemu = main_default_socket();

	signal(SIGPIPE, SIG_IGN);
	main_raise_nofile();
	main_tune_malloc();
	l = loop_new();
	main_quit = loop_async_new(l, main_stop, l);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (c.pidfile && pid_create(c.pidfile))
		return 1;
	s = srv_new(l, &c);
	if (!s) {
		pid_remove(c.pidfile);
		return 1;
	}
	if (c.pcap_file && main_capture(s, &c)) {
		srv_free(s);
		pid_remove(c.pidfile);
		return 2;
	}
	/* Last: from here on, only the calls the daemon keeps making. */
	if (c.sandbox && sandbox_apply(err, sizeof(err))) {
		fprintf(stderr, "usernetd: %s\n", err);
		srv_free(s);
		pid_remove(c.pidfile);
		return 1;
	}
	log_info("ready");
	r = loop_run(l);
	srv_free(s);
	pid_remove(c.pidfile);
	loop_async_free(main_quit);
	loop_free(l);
	cfg_free(&c);
	return r ? 1 : 0;
}
