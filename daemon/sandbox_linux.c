/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox_linux.c - the sandbox on Linux, on unless --no-sandbox: a
 * seccomp allow-list of the system calls usernetd makes once it runs,
 * installed with libseccomp on every thread (TSYNC) after
 * PR_SET_NO_NEW_PRIVS.
 *
 * Owns the list. It is what the daemon really calls once confined while
 * the whole end-to-end suite runs (tools/syscall-survey: strace attached
 * to every daemon the tests start, the calls after its seccomp(2)
 * counted), plus the calls the suite does not make but a named code path
 * does (each says which), so it covers what the daemon keeps doing after
 * start-up: libslirp's NAT sockets (TCP, UDP, ICMP ping sockets), c-ares
 * and its resolv.conf re-reads, getaddrinfo in worker threads (files, DNS,
 * netlink for its RFC 3484 sorting), the lease file's atomic rewrite,
 * captures opened through the API (files, FIFOs, a writer thread), unix
 * forwards, the control API's connections, libmicrohttpd and libpcap
 * loaded on first use (base/lazylib.c), and clean-up at exit.
 * Everything that happens only at start-up (TAP devices, setns(2), the
 * pidfile, listeners) is done before the filter is installed.
 *
 * What is left out is what a compromised daemon would want and the daemon
 * never does: running programs (execve), creating processes (fork: clone
 * only with CLONE_THREAD), executable memory of its own making (mmap(2)
 * with PROT_EXEC only of a file, privately, as the dynamic loader maps a
 * library; mprotect(2) never with PROT_EXEC), debugging others (ptrace,
 * process_vm_*), mounts and namespaces, kernel modules, bpf, keyrings,
 * packet sockets and raw sockets but ICMP ones (sandbox_sockets lists
 * what is left), socket options of other levels than the socket's, IP,
 * IPv6 and TCP, ioctls but FIONREAD and SIOCOUTQ (no TIOCSTI), fcntl(2)
 * but the descriptor and status flags and F_DUPFD_CLOEXEC (no F_SETOWN),
 * prctl(2) but PR_CAPBSET_READ, kill(2) (abort(3) uses tgkill, to this
 * process only), pipes, and the other system call ABIs (i386, x32): the
 * filter is built for the native architecture alone.
 *
 * A forbidden call kills the whole process (SCMP_ACT_KILL_PROCESS), which
 * the kernel logs (audit type=1326, in dmesg, with the call's number). An
 * error return instead (EPERM) would let the daemon carry on in a state
 * nobody tested, with a failure that looks like an ordinary one and that
 * some library may retry or ignore; a killed daemon is seen at once, by
 * Lima and by the tests, and names its cause. --sandbox-log, for
 * debugging only, logs forbidden calls and lets them through instead: the
 * way to find what a new libc or library version calls. No environment
 * variable weakens the filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

#include "base/log.h"
#include "daemon/sandbox.h"

/*
 * The unconditional part of the allow-list, by name: what the survey saw
 * the daemon call once confined (tools/syscall-survey over the whole
 * end-to-end suite, glibc 2.36 on x86_64), and the few calls it did not
 * see, each with the code path that makes it. Names missing on the
 * running architecture are skipped (sandbox_alts covers those whose
 * libc function makes another call there).
 */
static const char *const sandbox_calls[] = {
    /* descriptors and files: resolv.conf and /etc/hosts re-reads, the
     * capture files and FIFOs started through the API, the control API's
     * and unix forwards' sockets, clean-up at exit */
    "read",
    "write",
    "writev",
    "lseek",
    "close",
    "openat",
    "ftruncate",
    "umask",
    /* not seen: the dynamic loader reading the program headers of a
     * library that has more than fit in its first read (libc's, at
     * start-up), when libmicrohttpd, libpcap or one of their dependencies
     * is such a library (dlopen on first use, base/lazylib.c) */
    "pread64",
    /* the lease file's atomic rewrite (lan/leases.c leases_save():
     * mkstemp, fchmod, fsync, rename) */
    "fchmod",
    "fsync",
    /* libmicrohttpd's epoll set (daemon/api.c api_start(), at the API's
     * first connection) */
    "epoll_create1",
    "epoll_ctl",
    /* not seen: libmicrohttpd's inter-thread channel, an eventfd made in
     * MHD_start_daemon() by versions that make one for
     * MHD_ALLOW_SUSPEND_RESUME without an internal thread (0.9.75 does
     * not) */
    "eventfd2",
    /* sockets (socket(2), fcntl(2) and the socket options are checked
     * below) */
    "bind",
    "listen",
    "connect",
    "accept",
    "accept4",
    "getsockname",
    "getpeername",
    "shutdown",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    /* datagram ports' batches (packet/port_batch_linux.c) */
    "sendmmsg",
    /* memory (mmap and mprotect are checked below); mremap: glibc's
     * realloc(3) of a block it mapped by itself (>= 128 KiB: the poll
     * arrays of base/loop.c with thousands of descriptors, seen in
     * e2e_stress, or a large API request body in daemon/api.c) */
    "brk",
    "munmap",
    "mremap",
    "madvise",
    /* threads (clone(2) is checked below): getaddrinfo workers
     * (services/hostresolver/gai.c) and capture writers start and end at run
     * time */
    "futex",
    "set_robust_list",
    "rseq",
    "exit",
    "exit_group",
    /* not seen: the vDSO's fallbacks, taken where the clock source cannot
     * be read from user space (clock_gettime: the loop, the log; time:
     * libmicrohttpd's Date header; gettimeofday: glib's
     * g_get_real_time() in libslirp) */
    "clock_gettime",
    "gettimeofday",
    "time",
    /* signals: abort(3) (a failed assertion, glibc's heap checks, the
     * stack protector) blocks signals, resets SIGABRT's action and sends
     * it with tgkill(getpid(), ...) (checked below); restart_syscall not
     * seen: the kernel restarts a poll(2) or futex wait interrupted by a
     * stop (SIGSTOP, SIGCONT, a debugger) with it */
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "restart_syscall",
    "getpid",
    /* identity and randomness: getrandom (seen as libmicrohttpd and
     * GnuTLS are loaded), uname (c-ares' gethostname(3) when it reads a
     * changed resolv.conf again), geteuid (the owner checks of capture
     * files, services/pcap/output.c, and of unix socket peers) */
    "getrandom",
    "uname",
    "geteuid",
};

/*
 * Calls a libc function makes in different ways on different
 * architectures: the first name that exists here is allowed, the others
 * are not (on x86_64, the first of each). poll(2) and epoll_wait(2) are
 * missing on arm64 (ppoll, epoll_pwait); rename(2) on arm64 (renameat)
 * and riscv (renameat2); unlink(2) on arm64 (unlinkat); newfstatat(2),
 * which glibc's stat(2) family calls since 2.33, on 32-bit architectures
 * and loongarch (statx).
 */
static const char *const sandbox_alts[][3] = {
    {"poll", "ppoll", NULL},
    {"epoll_wait", "epoll_pwait", NULL},
    {"rename", "renameat", "renameat2"},
    {"unlink", "unlinkat", NULL},
    {"newfstatat", "statx", NULL},
};

/*
 * The fcntl(2) commands made at run time: descriptor and status flags
 * (FD_CLOEXEC, O_NONBLOCK: libslirp, c-ares, libmicrohttpd, the lease
 * file, unix listeners), and F_DUPFD_CLOEXEC (the API's listener handed to
 * libmicrohttpd, daemon/api.c). F_GETFD, not seen, is the read half of
 * the same read-modify-write in libraries. Not F_SETOWN/F_SETSIG (SIGIO
 * to another process), locks, leases or pipe sizes.
 */
static const int sandbox_fcntls[] = {
    F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC,
};

/*
 * The levels of setsockopt(2) and getsockopt(2): the socket itself
 * (buffers, SO_REUSEADDR, SO_LINGER, SO_OOBINLINE, SO_PEERCRED, SO_ERROR),
 * IP (libslirp's IP_RECVERR and IP_TTL), TCP (TCP_NODELAY: libslirp,
 * c-ares, libmicrohttpd) and, not seen (the suite has no IPv6 traffic),
 * IPv6, for the IPv6 counterparts of those IP options on the IPv6 sockets
 * libslirp's NAT, c-ares and getaddrinfo may open. Not the levels of
 * other protocols (SOL_UDP with its encapsulations, SOL_RAW, SOL_NETLINK),
 * kernel code the daemon never asks for.
 */
static const int sandbox_sockopt_levels[] = {
    SOL_SOCKET,
    IPPROTO_IP,
    IPPROTO_TCP,
    IPPROTO_IPV6,
};

/*
 * The ioctls made at run time, both read-only: FIONREAD (libslirp,
 * c-ares) and SIOCOUTQ (a port's bytes its peer has not read yet,
 * packet/port_batch_linux.c).
 */
static const unsigned long sandbox_ioctls[] = {
    FIONREAD,
    SIOCOUTQ,
};

/* Any socket type or protocol, in struct sandbox_socket. */
#define SANDBOX_ANY (-1)

/**
 * struct sandbox_socket - a kind of socket usernetd may create
 * @family:	address family
 * @type:	type (flags such as SOCK_CLOEXEC aside), or SANDBOX_ANY
 * @protocol:	protocol, or SANDBOX_ANY
 */
struct sandbox_socket {
	int family;
	int type;
	int protocol;
};

/*
 * Unix sockets (listeners, the API, unix forwards); TCP and UDP of both
 * families (libslirp's NAT, c-ares, getaddrinfo, DNS and port forwards
 * on the host); ICMP echo, through ping sockets (SOCK_DGRAM) or, where
 * they are not allowed and usernetd runs as root, raw ICMP sockets
 * (libslirp falls back to them); netlink routing sockets, which
 * getaddrinfo reads the host's addresses from (AI_ADDRCONFIG).
 */
static const struct sandbox_socket sandbox_sockets[] = {
    {AF_UNIX, SANDBOX_ANY, SANDBOX_ANY},
    {AF_INET, SOCK_STREAM, SANDBOX_ANY},
    {AF_INET, SOCK_DGRAM, SANDBOX_ANY},
    {AF_INET6, SOCK_STREAM, SANDBOX_ANY},
    {AF_INET6, SOCK_DGRAM, SANDBOX_ANY},
    {AF_INET, SOCK_RAW, IPPROTO_ICMP},
    {AF_NETLINK, SANDBOX_ANY, NETLINK_ROUTE},
};

/**
 * sandbox_rule() - add one rule, with a message on failure
 * @ctx:	the filter being built
 * @action:	SCMP_ACT_ALLOW or an SCMP_ACT_ERRNO
 * @name:	system call name (must exist on this architecture)
 * @n:		number of argument comparisons, 0 or 1 or 2
 * @a:		the first comparison, if any
 * @b:		the second, if any
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message in @err
 */
static int sandbox_rule(scmp_filter_ctx ctx, uint32_t action, const char *name,
			unsigned int n, struct scmp_arg_cmp a,
			struct scmp_arg_cmp b, char *err, size_t errlen)
{
	int nr = seccomp_syscall_resolve_name(name);
	struct scmp_arg_cmp cmp[2] = {a, b};
	int rc;

	if (nr == __NR_SCMP_ERROR) {
		snprintf(err, errlen, "sandbox: no system call %s here", name);
		return -1;
	}
	rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (rc < 0) {
		snprintf(err, errlen, "sandbox: rule for %s: %s", name,
			 strerror(-rc));
		return -1;
	}
	return 0;
}

/**
 * sandbox_socket_rule() - allow one kind of socket(2)
 * @ctx:	the filter being built
 * @k:		family, and type and protocol unless SANDBOX_ANY
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message in @err
 */
static int sandbox_socket_rule(scmp_filter_ctx ctx,
			       const struct sandbox_socket *k, char *err,
			       size_t errlen)
{
	struct scmp_arg_cmp cmp[3];
	unsigned int n = 0;
	int rc;

	cmp[n++] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)k->family);
	/* The type's low bits; SOCK_CLOEXEC and SOCK_NONBLOCK are above. */
	if (k->type != SANDBOX_ANY)
		cmp[n++] =
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)k->type);
	if (k->protocol != SANDBOX_ANY)
		cmp[n++] = SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)k->protocol);
	rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), n,
				    cmp);
	if (rc < 0) {
		snprintf(err, errlen, "sandbox: rule for socket: %s",
			 strerror(-rc));
		return -1;
	}
	return 0;
}

/**
 * sandbox_alt_rule() - allow the first of @names that exists here
 * @ctx:	the filter being built
 * @names:	up to three names, the preferred first, NULL after the last
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 1 if a call was allowed, 0 if none of them exists here, or -1
 * with a message in @err
 */
static int sandbox_alt_rule(scmp_filter_ctx ctx, const char *const names[3],
			    char *err, size_t errlen)
{
	const struct scmp_arg_cmp none = SCMP_A0(SCMP_CMP_EQ, 0);
	int i;

	for (i = 0; i < 3 && names[i]; i++)
		if (seccomp_syscall_resolve_name(names[i]) != __NR_SCMP_ERROR)
			return sandbox_rule(ctx, SCMP_ACT_ALLOW, names[i], 0,
					    none, none, err, errlen)
				   ? -1
				   : 1;
	return 0;
}

/**
 * sandbox_build() - add every rule of the allow-list to @ctx
 * @ctx:	a filter whose default action is the one for forbidden calls
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: the number of system calls allowed (some with conditions), or
 * -1 with a message in @err
 */
static int sandbox_build(scmp_filter_ctx ctx, char *err, size_t errlen)
{
	const struct scmp_arg_cmp none = SCMP_A0(SCMP_CMP_EQ, 0);
	const scmp_datum_t self = (scmp_datum_t)getpid();
	int count = 0, nr, rc;
	size_t i;

	for (i = 0; i < sizeof(sandbox_calls) / sizeof(sandbox_calls[0]); i++) {
		nr = seccomp_syscall_resolve_name(sandbox_calls[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0) {
			snprintf(err, errlen, "sandbox: rule for %s: %s",
				 sandbox_calls[i], strerror(-rc));
			return -1;
		}
		count++;
	}

	for (i = 0; i < sizeof(sandbox_alts) / sizeof(sandbox_alts[0]); i++) {
		rc = sandbox_alt_rule(ctx, sandbox_alts[i], err, errlen);
		if (rc < 0)
			return -1;
		count += rc;
	}

	for (i = 0; i < sizeof(sandbox_fcntls) / sizeof(sandbox_fcntls[0]); i++)
		if (sandbox_rule(
			ctx, SCMP_ACT_ALLOW, "fcntl", 1,
			SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)sandbox_fcntls[i]),
			none, err, errlen))
			return -1;

	for (i = 0; i < sizeof(sandbox_sockopt_levels) /
			    sizeof(sandbox_sockopt_levels[0]);
	     i++)
		if (sandbox_rule(
			ctx, SCMP_ACT_ALLOW, "setsockopt", 1,
			SCMP_A1(SCMP_CMP_EQ,
				(scmp_datum_t)sandbox_sockopt_levels[i]),
			none, err, errlen) ||
		    sandbox_rule(
			ctx, SCMP_ACT_ALLOW, "getsockopt", 1,
			SCMP_A1(SCMP_CMP_EQ,
				(scmp_datum_t)sandbox_sockopt_levels[i]),
			none, err, errlen))
			return -1;

	for (i = 0; i < sizeof(sandbox_sockets) / sizeof(sandbox_sockets[0]);
	     i++)
		if (sandbox_socket_rule(ctx, &sandbox_sockets[i], err, errlen))
			return -1;

	/* ioctl(2): the request, in the low 32 bits the kernel looks at. */
	for (i = 0; i < sizeof(sandbox_ioctls) / sizeof(sandbox_ioctls[0]); i++)
		if (sandbox_rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1,
				 SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
					 sandbox_ioctls[i]),
				 none, err, errlen))
			return -1;

	/*
	 * Threads, never processes. clone3(2) passes its flags in memory,
	 * where seccomp cannot look: it fails with ENOSYS, and glibc falls
	 * back to clone(2), whose flags are an argument.
	 */
	if (sandbox_rule(
		ctx, SCMP_ACT_ALLOW, "clone", 1,
		SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD), none,
		err, errlen))
		return -1;
	if (seccomp_syscall_resolve_name("clone3") != __NR_SCMP_ERROR &&
	    sandbox_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, none, none,
			 err, errlen))
		return -1;

	/*
	 * prctl(2) only to read the capability bounding set: libcap's
	 * constructor does, when libpcap (and through it libcap) is loaded
	 * on first use, as a capture started through the API may do.
	 */
	if (sandbox_rule(ctx, SCMP_ACT_ALLOW, "prctl", 1,
			 SCMP_A0(SCMP_CMP_EQ, PR_CAPBSET_READ), none, err,
			 errlen))
		return -1;

	/*
	 * No executable memory of the daemon's making: mmap(2) with
	 * PROT_EXEC only of a file and private (the dynamic loader mapping
	 * libmicrohttpd's and libpcap's dependencies on first use, which it
	 * does with the final protection of each segment), and mprotect(2)
	 * never with PROT_EXEC, so no written page becomes code.
	 */
	if (sandbox_rule(ctx, SCMP_ACT_ALLOW, "mmap", 1,
			 SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0), none, err,
			 errlen) ||
	    sandbox_rule(
		ctx, SCMP_ACT_ALLOW, "mmap", 2,
		SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC),
		SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS | MAP_SHARED, 0), err,
		errlen) ||
	    sandbox_rule(ctx, SCMP_ACT_ALLOW, "mprotect", 1,
			 SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0), none, err,
			 errlen))
		return -1;

	/*
	 * Signals to this process only: abort(3)'s tgkill(getpid(), ...).
	 * kill(2) is not needed at all (glibc's raise(3) and abort(3) use
	 * tgkill; pidfile.c's kill(pid, 0) runs before the filter).
	 */
	if (sandbox_rule(ctx, SCMP_ACT_ALLOW, "tgkill", 1,
			 SCMP_A0(SCMP_CMP_EQ, self), none, err, errlen))
		return -1;
	/*
	 * fcntl, setsockopt, getsockopt, socket, ioctl, clone, clone3, prctl,
	 * mmap, mprotect, tgkill
	 */
	return count + 11;
}

/* AddressSanitizer's runtime, with gcc's or clang's spelling. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

/**
 * sandbox_check() - whether the sandbox can work in this build
 * @err:	message buffer
 * @errlen:	its size
 *
 * Not under AddressSanitizer: its runtime makes calls of its own (gettid,
 * sigaltstack, sched_getaffinity) and its leak check at exit stops the
 * threads from a helper process with ptrace(2), both of which the
 * allow-list forbids by design. Such builds run without the sandbox
 * (main.c says so once; the tests pass --no-sandbox). Seccomp itself is
 * checked when the filter is loaded.
 *
 * Return: 0, or -1 with a message in @err
 */
int sandbox_check(char *err, size_t errlen)
{
#ifdef SANDBOX_ASAN
	snprintf(err, errlen,
		 "no system call sandbox in an AddressSanitizer build "
		 "(use --no-sandbox)");
	return -1;
#else
	(void)err;
	(void)errlen;
	return 0;
#endif
}

/**
 * sandbox_apply() - install the allow-list on every thread of the process
 * @log_only:	log forbidden calls (the kernel's audit log) and allow
 *		them (--sandbox-log), instead of killing the process
 * @err:	message buffer
 * @errlen:	its size
 *
 * Threads started later inherit the filter.
 *
 * Return: 0, or -1 with a message in @err
 */
int sandbox_apply(int log_only, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int n, rc;

	if (sandbox_check(err, errlen))
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "sandbox: PR_SET_NO_NEW_PRIVS: %s",
			 strerror(errno));
		return -1;
	}
	ctx = seccomp_init(log_only ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		snprintf(err, errlen, "sandbox: seccomp_init failed");
		return -1;
	}
	/* Every thread, or the lwIP and resolver threads escape. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc < 0) {
		snprintf(err, errlen, "sandbox: TSYNC: %s", strerror(-rc));
		goto fail;
	}
	n = sandbox_build(ctx, err, errlen);
	if (n < 0)
		goto fail;
	rc = seccomp_load(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "sandbox: cannot load the filter: %s",
			 strerror(-rc));
		goto fail;
	}
	seccomp_release(ctx);
	log_info("sandbox: seccomp allow-list of %d system calls%s", n,
		 log_only ? " (log only)" : "");
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}
