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
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/api.h"
#include "daemon/nofile.h"
#include "daemon/options.h"
#include "daemon/pidfile.h"
#include "daemon/rundir.h"
#include "daemon/sandbox.h"
#include "daemon/server.h"
#include "packet/lwipcfg.h"
#include "packet/slirpcfg.h"
#include "services/pcap/capture.h"
#include "base/loop.h"

static struct loop_async *main_quit;

/**
 * main_signal() - SIGINT, SIGTERM: wake the loop, which stops
 * @sig:	the signal (unused)
 */
static void main_signal(int sig)
{
	(void)sig;
	loop_async_notify(main_quit);
}

/**
 * main_stop() - on the loop thread after a signal: stop the loop
 * @arg:	the loop
 */
static void main_stop(void *arg)
{
	log_info("stopping");
	loop_stop(arg);
}

/**
 * main_default_socket() - $XDG_RUNTIME_DIR/usernetd/qemu.sock, or
 * /tmp/usernetd-UID/qemu.sock
 *
 * The directory is created 0700, or must be one of ours that nobody
 * else can enter (daemon/rundir.c): exits with status 2 and the reason
 * otherwise.
 *
 * Return: the socket's path (static storage)
 */
static const char *main_default_socket(void)
{
	static char path[PATH_MAX];
	const char *run = getenv("XDG_RUNTIME_DIR");
	char dir[PATH_MAX - 16];
	char err[PATH_MAX + 128];

	if (run && *run)
		snprintf(dir, sizeof(dir), "%s/usernetd", run);
	else
		snprintf(dir, sizeof(dir), "/tmp/usernetd-%ld", (long)getuid());
	if (rundir_prepare(dir, err, sizeof(err))) {
		fprintf(stderr, "usernetd: default socket directory %s\n", err);
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/qemu.sock", dir);
	return path;
}

/**
 * main_capture() - start the capture the command line asks for
 * @s:		server
 * @c:		the command line (--pcap*)
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
 * main_api() - serve the control API (--endpoint) over the server
 * @l:		the loop
 * @s:		the server, which the API reads and changes
 * @path:	the socket's path
 *
 * main creates the API and hands it the server (as OpenBSD daemons' main
 * calls control_init()), so the server does not know the API.
 *
 * Return: the API, or NULL (api_new() logged why)
 */
static struct api *main_api(struct loop *l, struct srv *s, const char *path)
{
	struct api *a = api_new(l, s, path);

	if (a)
		log_info("listening on %s (control API)", path);
	return a;
}

/**
 * main_sandbox_check() - whether the sandbox asked for can be had
 * @c:	the command line; its @sandbox is set to SANDBOX_OFF where this
 *	build or system has none
 *
 * The default sandbox is skipped, with a warning, where there is none
 * (systems without seccomp) or where it cannot work (AddressSanitizer
 * builds, see sandbox_check()); --sandbox-log there is an error.
 *
 * Return: 0, or -1 after telling why
 */
static int main_sandbox_check(struct cfg *c)
{
	char err[256];

	if (c->sandbox == SANDBOX_OFF) {
		log_info("sandbox: off (--no-sandbox)");
		return 0;
	}
	if (!sandbox_check(err, sizeof(err)))
		return 0;
	if (c->sandbox == SANDBOX_LOG) {
		fprintf(stderr, "usernetd: --sandbox-log: %s\n", err);
		return -1;
	}
	log_warnx("%s: running unconfined", err);
	c->sandbox = SANDBOX_OFF;
	return 0;
}

/**
 * main_tune_malloc() - keep libslirp's socket buffers out of the heap (glibc)
 *
 * libslirp gives every NAT'ed TCP connection two 128 KiB buffers and
 * resizes them with realloc() once the MSS is known. Allocated with
 * mmap(2), a buffer costs the pages the connection really uses (one, the
 * chunk header, for an idle connection) and the resize keeps the same
 * pages. From the heap, the resize mostly cannot grow in place and copies
 * the whole buffer: 33 resident pages instead of one.
 *
 * Two settings keep them out of the heap. M_MMAP_THRESHOLD: glibc starts
 * it at 128 KiB but raises it as soon as a buffer that size is freed (the
 * first connection that closes); setting it keeps it fixed. M_TOP_PAD:
 * glibc only mmaps a large request when no free heap chunk can serve it,
 * and by default grows the heap 128 KiB more than asked, so after every
 * growth the top chunk could take one buffer; with 0 it grows by whole
 * pages only. With 10,000 connections held this is 91 MB instead of 450
 * to 620 MB (docs/performance.md, "Profiles").
 */
static void main_tune_malloc(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TOP_PAD, 0);
#endif
}

#ifdef __GLIBC__
/* How often a busy daemon hands its free heap pages back (ms). */
#define MAIN_TRIM_MS 30000

/**
 * struct main_trim - hand free heap pages back to the kernel after work
 * @t:		the timer, armed while the loop has been doing something
 * @iters:	loop iterations so far (the hook counts them)
 * @seen:	@iters when the timer last ran or was armed
 * @armed:	@t is armed
 */
static struct main_trim {
	struct loop_timer *t;
	unsigned long iters;
	unsigned long seen;
	int armed;
} main_trim;

/**
 * main_trim_run() - the timer: malloc_trim(0), and again later if busy
 * @arg:	the loop
 *
 * Closed connections leave their small objects (libslirp's sockets and
 * tcpcbs) as free chunks across the heap; glibc only gives back the top
 * of it by itself. After 10,000 connections closed, the daemon stays at
 * 11 MB, 4.5 MB after malloc_trim(0) (which madvises the free pages
 * inside the heap away). The timer runs while the
 * loop is busy and stops once a period passed without anything else
 * waking it (see main_trim_hook()), so an idle daemon sleeps.
 */
static void main_trim_run(void *arg)
{
	malloc_trim(0);
	if (main_trim.iters - main_trim.seen > 1) { /* more than this wake-up */
		main_trim.seen = main_trim.iters;
		loop_timer_arm(main_trim.t, loop_now_ms() + MAIN_TRIM_MS);
	} else {
		main_trim.armed = 0;
	}
	(void)arg;
}

/**
 * main_trim_hook() - after every poll(2): count it, arm the timer if idle
 * @arg:	unused
 * @l:		the loop
 */
static void main_trim_hook(void *arg, struct loop *l)
{
	(void)arg;
	(void)l;
	main_trim.iters++;
	if (!main_trim.armed) {
		main_trim.armed = 1;
		main_trim.seen = main_trim.iters;
		loop_timer_arm(main_trim.t, loop_now_ms() + MAIN_TRIM_MS);
	}
}

/**
 * main_trim_start() - trim the heap 30 s after work, then every 30 s of it
 * @l:	the loop
 */
static void main_trim_start(struct loop *l)
{
	main_trim.t = loop_timer_new(l, main_trim_run, l);
	loop_hook_add(l, NULL, main_trim_hook, &main_trim);
}

/**
 * main_trim_stop() - undo main_trim_start()
 * @l:	the loop
 */
static void main_trim_stop(struct loop *l)
{
	loop_hook_del(l, &main_trim);
	loop_timer_free(main_trim.t);
}
#else
/**
 * main_trim_start() - nothing to do without glibc's malloc_trim()
 * @l:	the loop
 */
static void main_trim_start(struct loop *l)
{
	(void)l;
}

/**
 * main_trim_stop() - nothing to do without glibc's malloc_trim()
 * @l:	the loop
 */
static void main_trim_stop(struct loop *l)
{
	(void)l;
}
#endif

/**
 * main() - usernetd: the command line, the server and its control API,
 * the sandbox, then the loop until a signal
 * @argc:	argument count
 * @argv:	arguments (usernetd(8))
 *
 * Return: 0 after a clean stop or --help, 1 if something failed at start
 * or in the loop, 2 for a bad command line or --pcap
 */
int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = main_signal};
	char err[512];
	struct api *api = NULL;
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
	if (main_sandbox_check(&c)) {
		cfg_free(&c);
		return 2;
	}
	if (!c.listen_qemu && !c.listen_fd && !c.listen_vfkit &&
	    !c.listen_bess && !c.ntap && !c.dns_udp && !c.dns_tcp)
		c.listen_qemu = main_default_socket();

	signal(SIGPIPE, SIG_IGN);
	nofile_raise(nofile_cap());
	net_read_limits(); /* the NAT caps: before any sandbox */
	main_tune_malloc();
	l = loop_new();
	main_quit = loop_async_new(l, main_stop, l);
	main_trim_start(l);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (c.pidfile && pid_create(c.pidfile))
		return 1;
	log_info("%s", lwipcfg_describe());
	log_info("%s", slirpcfg_describe());
	s = srv_new(l, &c);
	if (!s) {
		pid_remove(c.pidfile);
		return 1;
	}
	if (c.endpoint && !(api = main_api(l, s, c.endpoint))) {
		srv_free(s);
		pid_remove(c.pidfile);
		return 1;
	}
	if (c.pcap_file && main_capture(s, &c)) {
		api_free(api);
		srv_free(s);
		pid_remove(c.pidfile);
		return 2;
	}
	/* Last: from here on, only the calls the daemon keeps making. */
	if (c.sandbox != SANDBOX_OFF &&
	    sandbox_apply(c.sandbox == SANDBOX_LOG, err, sizeof(err))) {
		fprintf(stderr, "usernetd: %s\n", err);
		api_free(api);
		srv_free(s);
		pid_remove(c.pidfile);
		return 1;
	}
	log_info("ready");
	r = loop_run(l);
	api_free(api); /* first: it holds hooks into the server's networks */
	srv_free(s);
	pid_remove(c.pidfile);
	loop_async_free(main_quit);
	main_trim_stop(l);
	loop_free(l);
	cfg_free(&c);
	return r ? 1 : 0;
}
