/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - usernetd: parse the command line, start the networks, run the
 * loop until SIGINT or SIGTERM, then clean up sockets and the pidfile.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "options.h"
#include "pidfile.h"
#include "server.h"
#include "../pcap/capture.h"
#include "../netstack/loop.h"
#include "../netstack/services.h"

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
	if (r == CFG_ERROR) {
		fprintf(stderr, "usernetd: %s\n", err);
		return 2;
	}
	log_init("usernetd", c.verbose);
	if (!c.listen_qemu && !c.listen_fd && !c.listen_vfkit &&
	    !c.listen_bess && !c.ntap && !c.dns_udp && !c.dns_tcp)
		c.listen_qemu = main_default_socket();

	signal(SIGPIPE, SIG_IGN);
	l = loop_new();
	main_quit = loop_async_new(l, main_stop, l);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (svc_global_init())
		fatalx("cannot start lwIP");
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
	log_info("ready");
	r = loop_run(l);
	srv_free(s);
	pid_remove(c.pidfile);
	loop_async_free(main_quit);
	loop_free(l);
	cfg_free(&c);
	return r ? 1 : 0;
}
