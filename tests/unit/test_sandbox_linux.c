/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sandbox_linux.c - tests of the sandbox (daemon/sandbox_linux.c).
 *
 * Each case forks a child that installs the allow-list with
 * sandbox_apply() and then makes one kind of system call: a forbidden one
 * must kill the child with SIGSYS (so every such case fails if the filter
 * is not installed: the call would succeed and the child exit 0), an
 * allowed one must work. Forbidden: running a program, processes,
 * executable memory (anonymous, shared, or made so by mprotect), packet
 * and raw sockets, other netlink families, ptrace, TIOCSTI, signals to
 * others; and some calls the trim of the list removed: kill(2) even of
 * oneself, fcntl(2) F_SETOWN, pipes, open(2), UDP-level socket
 * options. Allowed: what the daemon does, including loading libpcap on
 * first use (base/lazylib.c) under the filter. The log-only mode
 * (--sandbox-log) lets a forbidden call through; no environment variable does.
 * In an AddressSanitizer build, which has no sandbox, every case is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/udp.h>
#include <linux/netlink.h>
#include <linux/sockios.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "base/log.h"
#include "daemon/sandbox.h"

/* Exit statuses of the children, for the parent's messages. */
#define TSB_OK		0
#define TSB_NO_SANDBOX	10
#define TSB_CALL_FAILED 11
#define TSB_SURVIVED	12
#define TSB_NOT_HERE	13

/**
 * tsb_run_mode() - fork, install the sandbox in the child, run @fn there
 * @fn:		the child's work; returns its exit status
 * @log_only:	the --sandbox-log mode
 *
 * Return: the child's wait status
 */
static int tsb_run_mode(int (*fn)(void), int log_only)
{
	char err[256];
	pid_t pid;
	int st;

	/* AddressSanitizer builds have no sandbox (see sandbox_check()). */
	if (sandbox_check(err, sizeof(err))) {
		print_message("%s: skipped\n", err);
		skip();
	}
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (sandbox_apply(log_only, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			_exit(TSB_NO_SANDBOX);
		}
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

/**
 * tsb_run() - tsb_run_mode() with forbidden calls killing
 * @fn:		the child's work
 *
 * Return: the child's wait status
 */
static int tsb_run(int (*fn)(void))
{
	return tsb_run_mode(fn, 0);
}

/**
 * tsb_assert_killed() - the child died of SIGSYS
 * @st:		its wait status
 */
static void tsb_assert_killed(int st)
{
	if (WIFEXITED(st))
		fail_msg("child exited with status %d, want SIGSYS",
			 WEXITSTATUS(st));
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

/**
 * tsb_assert_exit0() - the child exited with status 0
 * @st:		its wait status
 */
static void tsb_assert_exit0(int st)
{
	if (WIFSIGNALED(st))
		fail_msg("child killed by signal %d", WTERMSIG(st));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), TSB_OK);
}

/**
 * tsb_execve() - run /bin/true: exits 0 unless the sandbox kills us
 *
 * Return: TSB_CALL_FAILED if neither path could be executed
 */
static int tsb_execve(void)
{
	char *argv[] = {"true", NULL};
	char *envp[] = {NULL};

	execve("/bin/true", argv, envp);
	execve("/usr/bin/true", argv, envp);
	return TSB_CALL_FAILED;
}

/**
 * tsb_mmap_exec() - anonymous memory that is writable and executable
 *
 * Return: TSB_SURVIVED if the call returned, TSB_CALL_FAILED if it failed
 */
static int tsb_mmap_exec(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? TSB_CALL_FAILED : TSB_SURVIVED;
}

/**
 * tsb_mprotect_exec() - written memory made executable
 *
 * Return: TSB_SURVIVED if the call returned, TSB_CALL_FAILED if no memory
 */
static int tsb_mprotect_exec(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return TSB_CALL_FAILED;
	memset(p, 0xc3, 4096); /* ret */
	mprotect(p, 4096, PROT_READ | PROT_EXEC);
	return TSB_SURVIVED;
}

/**
 * tsb_mmap_shared_exec() - a file mapped shared and executable (its
 * pages would change with the file)
 *
 * Return: TSB_SURVIVED if the call returned, TSB_CALL_FAILED if it failed
 */
static int tsb_mmap_shared_exec(void)
{
	int fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return TSB_CALL_FAILED;
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? TSB_CALL_FAILED : TSB_SURVIVED;
}

/**
 * tsb_fork() - fork(): a process, not a thread
 *
 * Return: TSB_SURVIVED if the call returned, TSB_CALL_FAILED if it failed
 */
static int tsb_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return TSB_CALL_FAILED;
	waitpid(pid, NULL, 0);
	return TSB_SURVIVED;
}

/**
 * tsb_packet() - a packet socket
 *
 * Return: TSB_SURVIVED if the call returned
 */
static int tsb_packet(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(0x0003));

	if (fd >= 0)
		close(fd);
	return TSB_SURVIVED;
}

/**
 * tsb_raw_tcp() - a raw socket that is not ICMP's
 *
 * Return: TSB_SURVIVED if the call returned
 */
static int tsb_raw_tcp(void)
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);

	if (fd >= 0)
		close(fd);
	return TSB_SURVIVED;
}

/**
 * tsb_netlink_audit() - a netlink socket other than NETLINK_ROUTE
 *
 * Return: TSB_SURVIVED if the call returned
 */
static int tsb_netlink_audit(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);

	if (fd >= 0)
		close(fd);
	return TSB_SURVIVED;
}

/**
 * tsb_ptrace() - PTRACE_TRACEME
 *
 * Return: TSB_SURVIVED if the call returned
 */
static int tsb_ptrace(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return TSB_SURVIVED;
}

/**
 * tsb_tiocsti() - push a character into the terminal's input (TIOCSTI)
 *
 * Return: TSB_SURVIVED if the call returned
 */
static int tsb_tiocsti(void)
{
	char c = 'x';

	ioctl(0, TIOCSTI, &c);
	return TSB_SURVIVED;
}

/**
 * tsb_kill_parent() - a signal to another process (0: no signal at all),
 * init: getppid(2) is not on the list either, so it cannot name the parent
 *
 * Return: TSB_SURVIVED if the call returned
 */
static int tsb_kill_parent(void)
{
	kill(1, 0);
	return TSB_SURVIVED;
}

/*
 * Calls the trim of the allow-list removed (see docs/security.md): the
 * daemon was never seen making them once confined, so they now kill.
 */

/**
 * tsb_kill_self() - kill(2) even of this process (0: no signal at all):
 * abort(3) uses tgkill, and the pidfile's kill(pid, 0) runs before the
 * filter
 *
 * Return: TSB_SURVIVED if the call returned
 */
static int tsb_kill_self(void)
{
	kill(getpid(), 0);
	return TSB_SURVIVED;
}

/**
 * tsb_fcntl_setown() - route SIGIO of a socket to another process
 * (F_SETOWN), a way round the ban on signals to others (0: no signal
 * until O_ASYNC is set)
 *
 * Return: TSB_SURVIVED if the call returned, TSB_CALL_FAILED if no socket
 */
static int tsb_fcntl_setown(void)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return TSB_CALL_FAILED;
	fcntl(fd, F_SETOWN, 1); /* init; getppid(2) would die first */
	return TSB_SURVIVED;
}

/**
 * tsb_pipe() - a pipe (libmicrohttpd's channel is an eventfd on Linux)
 *
 * Return: TSB_SURVIVED if the call returned, TSB_CALL_FAILED if it failed
 */
static int tsb_pipe(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return TSB_CALL_FAILED;
	return TSB_SURVIVED;
}

/**
 * tsb_open_syscall() - open(2) itself, which glibc never calls (openat),
 * where the architecture has it
 *
 * Return: TSB_SURVIVED if the call returned, TSB_NOT_HERE without open(2)
 */
static int tsb_open_syscall(void)
{
#ifdef SYS_open
	syscall(SYS_open, "/etc/hosts", O_RDONLY | O_CLOEXEC);
	return TSB_SURVIVED;
#else
	return TSB_NOT_HERE;
#endif
}

/**
 * tsb_sockopt_udp() - a UDP-level socket option (UDP_CORK), a level of
 * kernel code the daemon never asks for
 *
 * Return: TSB_SURVIVED if the call returned, TSB_CALL_FAILED if no socket
 */
static int tsb_sockopt_udp(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return TSB_CALL_FAILED;
	setsockopt(fd, IPPROTO_UDP, UDP_CORK, &one, sizeof(one));
	return TSB_SURVIVED;
}

/**
 * tsb_thread() - a thread's body: nothing
 * @arg:	returned
 *
 * Return: @arg
 */
static void *tsb_thread(void *arg)
{
	return arg;
}

/**
 * tsb_allowed() - what the daemon keeps doing: sockets of its families,
 * files, threads, a signal to itself
 *
 * Return: TSB_OK if everything worked, TSB_CALL_FAILED if a call failed
 */
static int tsb_allowed(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	pthread_t t;
	char buf[16];
	int fd, n;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return TSB_CALL_FAILED;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) ||
	    ioctl(fd, FIONREAD, &n) || ioctl(fd, SIOCOUTQ, &n))
		return TSB_CALL_FAILED;
	/* Socket options of the levels left. */
	n = 1 << 16;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &n, sizeof(n)) ||
	    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &n, sizeof(n)) ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &n, &len))
		return TSB_CALL_FAILED;
	close(fd);
	/* ICMP echo: a ping socket or, as root, a raw one (any result). */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd >= 0)
		close(fd);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return TSB_CALL_FAILED;
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return TSB_CALL_FAILED;
	close(fd);
	fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
		return TSB_CALL_FAILED;
	close(fd);
	/* clone3 fails with ENOSYS; glibc falls back to clone(2). */
	if (pthread_create(&t, NULL, tsb_thread, NULL) || pthread_join(t, NULL))
		return TSB_CALL_FAILED;
	/* The fcntl(2) commands left, as libraries use them. */
	fd = fcntl(0, F_DUPFD_CLOEXEC, 0);
	if (fd < 0 || fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL)))
		return TSB_CALL_FAILED;
	close(fd);
	return TSB_OK;
}

/**
 * tsb_lazy_pcap() - libpcap (with D-Bus, libsystemd, libcap) loaded on
 * first use, as a capture started through the API does: the dynamic
 * loader maps code from files, privately, which the filter allows
 *
 * Return: TSB_OK, or TSB_CALL_FAILED if libpcap gave no handle
 */
static int tsb_lazy_pcap(void)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);

	if (!p)
		return TSB_CALL_FAILED;
	pcap_close(p);
	return TSB_OK;
}

/**
 * tsb_log_only() - getppid(), not on the list, with the log-only mode
 *
 * Return: TSB_OK if getppid() answered, TSB_CALL_FAILED if not
 */
static int tsb_log_only(void)
{
	return getppid() > 0 ? TSB_OK : TSB_CALL_FAILED;
}

/**
 * test_forbidden_execve() - execve() kills the process
 * @state:	unused
 */
static void test_forbidden_execve(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_execve));
}

/**
 * test_forbidden_mmap_exec() - writable and executable memory kills the process
 * @state:	unused
 */
static void test_forbidden_mmap_exec(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_mmap_exec));
}

/**
 * test_forbidden_mprotect_exec() - making written memory executable kills the
 * process
 * @state:	unused
 */
static void test_forbidden_mprotect_exec(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_mprotect_exec));
}

/**
 * test_forbidden_mmap_shared_exec() - a shared executable file mapping kills
 * the process
 * @state:	unused
 */
static void test_forbidden_mmap_shared_exec(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_mmap_shared_exec));
}

/**
 * test_forbidden_fork() - fork() kills the process
 * @state:	unused
 */
static void test_forbidden_fork(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_fork));
}

/**
 * test_forbidden_packet_socket() - a packet socket kills the process
 * @state:	unused
 */
static void test_forbidden_packet_socket(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_packet));
}

/**
 * test_forbidden_raw_tcp() - a raw socket other than ICMP's kills the process
 * @state:	unused
 */
static void test_forbidden_raw_tcp(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_raw_tcp));
}

/**
 * test_forbidden_netlink_audit() - a netlink socket other than NETLINK_ROUTE
 * kills the process
 * @state:	unused
 */
static void test_forbidden_netlink_audit(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_netlink_audit));
}

/**
 * test_forbidden_ptrace() - ptrace() kills the process
 * @state:	unused
 */
static void test_forbidden_ptrace(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_ptrace));
}

/**
 * test_forbidden_tiocsti() - TIOCSTI kills the process
 * @state:	unused
 */
static void test_forbidden_tiocsti(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_tiocsti));
}

/**
 * test_forbidden_kill_other() - a signal to another process kills the process
 * @state:	unused
 */
static void test_forbidden_kill_other(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_kill_parent));
}

/**
 * test_forbidden_kill_self() - kill() even of itself kills the process
 * @state:	unused
 */
static void test_forbidden_kill_self(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_kill_self));
}

/**
 * test_forbidden_fcntl_setown() - F_SETOWN kills the process
 * @state:	unused
 */
static void test_forbidden_fcntl_setown(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_fcntl_setown));
}

/**
 * test_forbidden_pipe() - pipe2() kills the process
 * @state:	unused
 */
static void test_forbidden_pipe(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_pipe));
}

/**
 * test_forbidden_open_syscall() - open(2) kills the process, where the
 * architecture has it
 * @state:	unused
 */
static void test_forbidden_open_syscall(void **state)
{
	int st;

	(void)state;
	st = tsb_run(tsb_open_syscall);
	if (WIFEXITED(st) && WEXITSTATUS(st) == TSB_NOT_HERE)
		skip();
	tsb_assert_killed(st);
}

/**
 * test_forbidden_sockopt_udp() - a UDP-level socket option kills the process
 * @state:	unused
 */
static void test_forbidden_sockopt_udp(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_sockopt_udp));
}

/**
 * test_allowed() - what the daemon does once confined still works
 * @state:	unused
 */
static void test_allowed(void **state)
{
	(void)state;
	tsb_assert_exit0(tsb_run(tsb_allowed));
}

/**
 * test_lazy_library() - libpcap loaded on first use works under the sandbox
 * @state:	unused
 */
static void test_lazy_library(void **state)
{
	(void)state;
	tsb_assert_exit0(tsb_run(tsb_lazy_pcap));
}

/**
 * test_log_only() - a call off the list kills the process, whatever the
 * environment says; only the log-only mode the test asks for lets it through
 * @state:	unused
 */
static void test_log_only(void **state)
{
	(void)state;
	tsb_assert_killed(tsb_run(tsb_log_only));
	/* The variable that once switched enforcement off does nothing. */
	setenv("USERNETD_SANDBOX_LOG", "1", 1);
	tsb_assert_killed(tsb_run(tsb_log_only));
	unsetenv("USERNETD_SANDBOX_LOG");
	tsb_assert_exit0(tsb_run_mode(tsb_log_only, 1));
}

/**
 * main() - run this file's tests with cmocka
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed, else
 * how many failed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forbidden_execve),
	    cmocka_unit_test(test_forbidden_mmap_exec),
	    cmocka_unit_test(test_forbidden_mprotect_exec),
	    cmocka_unit_test(test_forbidden_mmap_shared_exec),
	    cmocka_unit_test(test_forbidden_fork),
	    cmocka_unit_test(test_forbidden_packet_socket),
	    cmocka_unit_test(test_forbidden_raw_tcp),
	    cmocka_unit_test(test_forbidden_netlink_audit),
	    cmocka_unit_test(test_forbidden_ptrace),
	    cmocka_unit_test(test_forbidden_tiocsti),
	    cmocka_unit_test(test_forbidden_kill_other),
	    cmocka_unit_test(test_forbidden_kill_self),
	    cmocka_unit_test(test_forbidden_fcntl_setown),
	    cmocka_unit_test(test_forbidden_pipe),
	    cmocka_unit_test(test_forbidden_open_syscall),
	    cmocka_unit_test(test_forbidden_sockopt_udp),
	    cmocka_unit_test(test_allowed),
	    cmocka_unit_test(test_lazy_library),
	    cmocka_unit_test(test_log_only),
	};

	log_init("test_sandbox", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
