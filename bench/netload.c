// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench/netload.c - the load generator of bench/run's connection-rate,
 * UDP request/response, memory and start-up sections. Not part of
 * usernetd: bench/run compiles it into its scratch directory.
 *
 *   netload server PORT STATS
 *	TCP and UDP on 127.0.0.1:PORT, one epoll thread. A TCP connection
 *	that sends a line gets NETLOAD_MSG bytes back and is closed by the
 *	server (so TIME_WAIT stays on the server side, never in a guest or a
 *	NAT); one that sends nothing is held until the peer closes. A UDP
 *	datagram is echoed. Counters (struct netload_stats, native u64) are
 *	kept in the shared mapping of file STATS, so the script reads them
 *	with od(1) while the server runs.
 *   netload crr ADDR PORT SECONDS WORKERS
 *	WORKERS threads, each in a loop: connect, send a line, read the
 *	answer to EOF, close. Prints "ok N err E".
 *   netload urr ADDR PORT SECONDS WORKERS
 *	WORKERS threads, each a connected UDP socket: send, wait for the
 *	echo (200 ms, then the request counts as lost). Prints "ok N err E".
 *   netload hold ADDR PORT N THREADS
 *	open N TCP connections and keep them; prints "held N err E" once
 *	all are open, then sleeps until a signal ends it.
 *   netload startup sock PATH -- CMD...
 *   netload startup readyfd -- CMD...
 *	run CMD and print the milliseconds from fork(2) until PATH accepts a
 *	connection, or until CMD writes to its file descriptor 3 (slirp4netns
 *	--ready-fd=3); then SIGTERM CMD and reap it. CMD's output goes to
 *	the file named by $NETLOAD_LOG (appended), or to /dev/null.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NETLOAD_MSG 64

/**
 * struct netload_stats - the server's counters, in the shared STATS file
 * @tcp_accepted:	TCP connections accepted
 * @tcp_answered:	requests answered (connections closed by the server)
 * @udp_answered:	datagrams echoed
 * @tcp_open:		connections open now
 */
struct netload_stats {
	uint64_t tcp_accepted;
	uint64_t tcp_answered;
	uint64_t udp_answered;
	uint64_t tcp_open;
};

/**
 * struct netload_client - what the client threads share
 * @addr:	server address
 * @deadline:	CLOCK_MONOTONIC seconds at which the threads stop
 * @ok:		completed requests
 * @err:	failed ones
 */
struct netload_client {
	struct sockaddr_in addr;
	double deadline;
	atomic_ulong ok;
	atomic_ulong err;
};

static struct netload_client netload_cl;

/**
 * netload_die() - print an error with errno's text and exit
 * @what:	what failed
 */
static void netload_die(const char *what)
{
	fprintf(stderr, "netload: %s: %s\n", what, strerror(errno));
	exit(1);
}

/**
 * netload_now() - CLOCK_MONOTONIC in seconds
 *
 * Return: the time
 */
static double netload_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/**
 * netload_nofile() - raise the descriptor limit to the hard limit
 */
static void netload_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/**
 * netload_addr() - fill an IPv4 socket address
 * @sa:		result
 * @host:	dotted quad
 * @port:	port, as text
 */
static void netload_addr(struct sockaddr_in *sa, const char *host,
			 const char *port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
		fprintf(stderr, "netload: bad address %s\n", host);
		exit(2);
	}
}

/**
 * netload_timeouts() - bound blocking calls on a socket (connect too)
 * @fd:		socket
 * @ms:		milliseconds
 */
static void netload_timeouts(int fd, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000,
			     .tv_usec = (ms % 1000) * 1000};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/**
 * netload_server_tcp() - handle a readable TCP connection of the server
 * @ep:		epoll descriptor
 * @fd:		connection
 * @st:		counters
 */
static void netload_server_tcp(int ep, int fd, struct netload_stats *st)
{
	char buf[NETLOAD_MSG * 4];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && buf[n - 1] != '\n')
		return; /* the rest of the line comes later */
	if (n > 0) {
		memset(buf, 'r', NETLOAD_MSG - 1);
		buf[NETLOAD_MSG - 1] = '\n';
		if (write(fd, buf, NETLOAD_MSG) == NETLOAD_MSG)
			st->tcp_answered++;
	}
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	st->tcp_open--;
}

/**
 * netload_server() - the server: accept, answer, echo, count
 * @port:	port on 127.0.0.1, as text
 * @path:	counters file
 *
 * Return: does not return
 */
static __attribute__((noreturn)) int netload_server(const char *port,
						    const char *path)
{
	struct sockaddr_in sa;
	struct epoll_event ev, evs[256];
	struct netload_stats *st;
	int one = 1, lfd, ufd, ep, fd, i, n;

	netload_nofile();
	signal(SIGPIPE, SIG_IGN);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, sizeof(*st)) < 0)
		netload_die(path);
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (st == MAP_FAILED)
		netload_die("mmap");
	close(fd);

	netload_addr(&sa, "127.0.0.1", port);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0)
		netload_die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 4096) < 0)
		netload_die("tcp bind/listen");
	ufd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (ufd < 0 || bind(ufd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		netload_die("udp bind");

	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.fd = ufd;
	epoll_ctl(ep, EPOLL_CTL_ADD, ufd, &ev);
	for (;;) {
		n = epoll_wait(ep, evs, 256, -1);
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == lfd) {
				int c;

				while ((c = accept4(lfd, NULL, NULL,
						    SOCK_NONBLOCK)) >= 0) {
					st->tcp_accepted++;
					st->tcp_open++;
					ev.events = EPOLLIN;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
			} else if (fd == ufd) {
				struct sockaddr_storage from;
				socklen_t fl;
				char buf[2048];
				ssize_t r;

				for (;;) {
					fl = sizeof(from);
					r = recvfrom(ufd, buf, sizeof(buf), 0,
						     (struct sockaddr *)&from,
						     &fl);
					if (r < 0)
						break;
					if (sendto(ufd, buf, (size_t)r, 0,
						   (struct sockaddr *)&from,
						   fl) == r)
						st->udp_answered++;
				}
			} else {
				netload_server_tcp(ep, fd, st);
			}
		}
	}
}

/**
 * netload_crr_one() - one connect, request, response, close
 * @req:	the request line
 *
 * Return: 0 on a complete answer, -1 otherwise
 */
static int netload_crr_one(const char *req)
{
	char buf[NETLOAD_MSG * 2];
	size_t got = 0;
	ssize_t n;
	int fd, rc = -1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	netload_timeouts(fd, 3000);
	if (connect(fd, (struct sockaddr *)&netload_cl.addr,
		    sizeof(netload_cl.addr)) < 0)
		goto out;
	if (write(fd, req, NETLOAD_MSG) != NETLOAD_MSG)
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		got += (size_t)n;
	if (n == 0 && got == NETLOAD_MSG)
		rc = 0;
out:
	close(fd);
	return rc;
}

/**
 * netload_crr_thread() - a connection-rate worker
 * @arg:	unused
 *
 * Return: NULL
 */
static void *netload_crr_thread(void *arg)
{
	char req[NETLOAD_MSG];

	(void)arg;
	memset(req, 'q', sizeof(req) - 1);
	req[NETLOAD_MSG - 1] = '\n';
	while (netload_now() < netload_cl.deadline) {
		if (netload_crr_one(req) == 0) {
			atomic_fetch_add(&netload_cl.ok, 1);
		} else {
			atomic_fetch_add(&netload_cl.err, 1);
			usleep(1000);
		}
	}
	return NULL;
}

/**
 * netload_urr_thread() - a UDP request/response worker
 * @arg:	unused
 *
 * Return: NULL
 */
static void *netload_urr_thread(void *arg)
{
	uint64_t seq = 0, buf[NETLOAD_MSG / 8];
	ssize_t n;
	int fd;

	(void)arg;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&netload_cl.addr,
			      sizeof(netload_cl.addr)) < 0) {
		atomic_fetch_add(&netload_cl.err, 1);
		return NULL;
	}
	netload_timeouts(fd, 200);
	memset(buf, 0, sizeof(buf));
	while (netload_now() < netload_cl.deadline) {
		buf[0] = ++seq;
		if (send(fd, buf, sizeof(buf), 0) != sizeof(buf)) {
			atomic_fetch_add(&netload_cl.err, 1);
			usleep(1000);
			continue;
		}
		for (;;) {
			uint64_t in[NETLOAD_MSG / 8];

			n = recv(fd, in, sizeof(in), 0);
			if (n == sizeof(in) && in[0] == seq) {
				atomic_fetch_add(&netload_cl.ok, 1);
				break;
			}
			if (n < 0) { /* timed out: lost */
				atomic_fetch_add(&netload_cl.err, 1);
				break;
			}
			/* a late echo of an earlier request: skip it */
		}
	}
	close(fd);
	return NULL;
}

/**
 * netload_clients() - run client threads until the deadline
 * @argv:	ADDR PORT SECONDS WORKERS
 * @fn:		the worker
 *
 * Return: 0
 */
static int netload_clients(char **argv, void *(*fn)(void *))
{
	int i, nw = atoi(argv[3]);
	pthread_t *t = calloc((size_t)nw, sizeof(*t));

	if (!t || nw < 1)
		return 2;
	netload_nofile();
	signal(SIGPIPE, SIG_IGN);
	netload_addr(&netload_cl.addr, argv[0], argv[1]);
	netload_cl.deadline = netload_now() + atof(argv[2]);
	for (i = 0; i < nw; i++)
		if (pthread_create(&t[i], NULL, fn, NULL))
			netload_die("pthread_create");
	for (i = 0; i < nw; i++)
		pthread_join(t[i], NULL);
	printf("ok %lu err %lu\n", atomic_load(&netload_cl.ok),
	       atomic_load(&netload_cl.err));
	return 0;
}

/**
 * struct netload_hold - one holding thread's share
 * @n:		connections to open
 * @ok:		opened
 */
struct netload_hold {
	int n;
	int ok;
};

/**
 * netload_hold_thread() - open connections and leave them open
 * @arg:	struct netload_hold
 *
 * Return: NULL
 */
static void *netload_hold_thread(void *arg)
{
	struct netload_hold *h = arg;
	int i, fd, try;

	for (i = 0; i < h->n; i++) {
		for (try = 0; try < 3; try++) {
			fd = socket(AF_INET, SOCK_STREAM, 0);
			if (fd < 0)
				return NULL;
			netload_timeouts(fd, 5000);
			if (connect(fd, (struct sockaddr *)&netload_cl.addr,
				    sizeof(netload_cl.addr)) == 0)
				break;
			close(fd);
			fd = -1;
		}
		if (fd >= 0)
			h->ok++;
	}
	return NULL;
}

/**
 * netload_holder() - open N connections, report, wait for a signal
 * @argv:	ADDR PORT N THREADS
 *
 * Return: 2 on bad arguments; otherwise does not return (a signal ends it)
 */
static int netload_holder(char **argv)
{
	int i, n = atoi(argv[2]), nt = atoi(argv[3]), ok = 0;
	struct netload_hold *h;
	pthread_t *t;

	if (n < 1 || nt < 1)
		return 2;
	h = calloc((size_t)nt, sizeof(*h));
	t = calloc((size_t)nt, sizeof(*t));
	if (!h || !t)
		return 2;
	netload_nofile();
	netload_addr(&netload_cl.addr, argv[0], argv[1]);
	for (i = 0; i < nt; i++) {
		h[i].n = n / nt + (i < n % nt);
		if (pthread_create(&t[i], NULL, netload_hold_thread, &h[i]))
			netload_die("pthread_create");
	}
	for (i = 0; i < nt; i++) {
		pthread_join(t[i], NULL);
		ok += h[i].ok;
	}
	printf("held %d err %d\n", ok, n - ok);
	fflush(stdout);
	for (;;)
		pause();
}

/**
 * netload_sock_ready() - true if a unix stream socket accepts
 * @path:	its path
 *
 * Return: 1 if a connect succeeded
 */
static int netload_sock_ready(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, rc;

	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return rc;
}

/**
 * netload_startup() - time one start of a command to its ready socket
 * @argv:	sock PATH -- CMD... or readyfd -- CMD...
 *
 * Return: 0 if it became ready within 10 s
 */
static int netload_startup(char **argv)
{
	const char *path = NULL;
	int pfd[2] = {-1, -1}, st, rc = 1;
	double t0, t;
	char **cmd;
	pid_t pid;

	if (!strcmp(argv[0], "sock") && argv[1] && argv[2] &&
	    !strcmp(argv[2], "--")) {
		path = argv[1];
		cmd = argv + 3;
		unlink(path);
	} else if (!strcmp(argv[0], "readyfd") && argv[1] &&
		   !strcmp(argv[1], "--")) {
		cmd = argv + 2;
		if (pipe2(pfd, O_CLOEXEC) < 0)
			netload_die("pipe");
	} else {
		return 2;
	}
	if (!cmd[0])
		return 2;
	t0 = netload_now();
	pid = fork();
	if (pid < 0)
		netload_die("fork");
	if (pid == 0) {
		const char *log = getenv("NETLOAD_LOG");
		int null = open("/dev/null", O_RDWR);
		int out = open(log ? log : "/dev/null",
			       O_WRONLY | O_CREAT | O_APPEND, 0644);

		dup2(null, 0);
		dup2(out, 1);
		dup2(out, 2);
		if (pfd[1] >= 0)
			dup2(pfd[1], 3); /* dup2 clears FD_CLOEXEC */
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (pfd[1] >= 0)
		close(pfd[1]);
	while ((t = netload_now()) < t0 + 10) {
		if (path && netload_sock_ready(path)) {
			rc = 0;
			break;
		}
		if (!path) {
			struct pollfd p = {.fd = pfd[0], .events = POLLIN};
			char c;

			if (poll(&p, 1, 100) == 1) {
				t = netload_now();
				rc = read(pfd[0], &c, 1) == 1 ? 0 : 1;
				break;
			}
			continue;
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			pid = -1;
			break;
		}
		usleep(100);
	}
	if (rc == 0)
		printf("%.2f\n", (t - t0) * 1000);
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &st, 0);
	}
	return rc;
}

/**
 * main() - dispatch a subcommand (see the top of the file)
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "server"))
		return netload_server(argv[2], argv[3]);
	if (argc >= 6 && !strcmp(argv[1], "crr"))
		return netload_clients(argv + 2, netload_crr_thread);
	if (argc >= 6 && !strcmp(argv[1], "urr"))
		return netload_clients(argv + 2, netload_urr_thread);
	if (argc >= 6 && !strcmp(argv[1], "hold"))
		return netload_holder(argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "startup"))
		return netload_startup(argv + 2);
	fprintf(stderr, "usage: see the top of bench/netload.c\n");
	return 2;
}
