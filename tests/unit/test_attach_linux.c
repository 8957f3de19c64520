/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_attach_linux.c - tests of `usernetctl attach` (tools/attach.h)
 * and of tap_open() (packet/tap_linux.h).
 *
 * The pure helpers (QEMU stream record parsing, MAC parsing) are tested
 * everywhere. The relay itself is tested end to end when the test may
 * create network namespaces and TAP devices (root with /dev/net/tun):
 * the test process moves into a fresh network namespace, plays usernetd on
 * a unix socket, runs attach_main() in a child process, and watches the
 * TAP device's side with an AF_PACKET socket. Without those privileges
 * these tests are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include <cmocka.h>

#include "tools/attach.h"
#include "base/be.h"
#include "packet/tap_linux.h"
#include "tests/unit/testlib.h"

/* Experimental EtherTypes (IEEE 802 local), so no stack answers them. */
#define TFA_ETH_DOWN 0x88b5
#define TFA_ETH_UP   0x88b6

/*
 * Name of the TAP device the relay tests create: one per process, so that
 * two builds' tests running at once do not share a device.
 */
static char tfa_ifname[IFNAMSIZ];
static char tfa_ifname2[IFNAMSIZ]; /* test_tap_open_ok's */
#define TFA_IFNAME tfa_ifname

/* Set by the group setup: may the relay tests run? */
static int tfa_privileged;

/**
 * struct tfa_relay - one run of the relay under test
 * @dir:	temporary directory holding the socket
 * @path:	path of the unix socket we listen on
 * @lsock:	listening socket
 * @conn:	connection from the relay (we are usernetd)
 * @pkt:	AF_PACKET socket bound to the TAP device
 * @pid:	child process running attach_main()
 */
struct tfa_relay {
	char dir[64];
	char path[108];
	int lsock;
	int conn;
	int pkt;
	pid_t pid;
};

/**
 * tfa_frame() - build a test Ethernet frame
 * @buf:	destination, at least @len bytes
 * @len:	frame length, at least 14
 * @type:	EtherType
 * @seq:	sequence number, stored in the payload and used as a pattern
 */
static void tfa_frame(uint8_t *buf, size_t len, uint16_t type, uint32_t seq)
{
	static const uint8_t src[6] = {0x52, 0x55, 0x0a, 0x00, 0x00, 0x09};
	size_t i;

	memset(buf, 0xff, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = (uint8_t)(type >> 8);
	buf[13] = (uint8_t)type;
	for (i = 14; i < len; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
	if (len >= 18)
		be32_put(buf + 14, seq);
}

/**
 * tfa_if_get() - read a device attribute with an ioctl
 * @ifname:	device name
 * @req:	SIOCGIFFLAGS or SIOCGIFMTU
 *
 * sysfs shows the namespace it was mounted in, not ours: ask the kernel.
 *
 * Return: the flags or the MTU, or -1 if the device does not exist
 */
static int tfa_if_get(const char *ifname, unsigned long req)
{
	struct ifreq ifr;
	int s, r;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	r = ioctl(s, req, &ifr);
	close(s);
	if (r < 0)
		return -1;
	return req == SIOCGIFMTU ? ifr.ifr_mtu : (unsigned short)ifr.ifr_flags;
}

/**
 * tfa_write_all() - write a whole buffer to a blocking descriptor
 * @fd:		descriptor
 * @buf:	bytes
 * @len:	number of bytes
 */
static void tfa_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

/**
 * tfa_read_full() - read exactly @len bytes, with a timeout
 * @fd:		descriptor
 * @buf:	destination
 * @len:	number of bytes
 *
 * Return: 0 on success, -1 on timeout, error or end of stream
 */
static int tfa_read_full(int fd, void *buf, size_t len)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint8_t *p = buf;
	ssize_t n;

	while (len) {
		if (poll(&pfd, 1, 3000) <= 0)
			return -1;
		n = read(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * tfa_wait_exit() - wait for the relay process and return its status
 * @r:		relay whose child to reap
 *
 * Return: its exit status, or -1 if it did not exit normally within 3 s
 * (it is then killed)
 */
static int tfa_wait_exit(struct tfa_relay *r)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	int i, st;

	for (i = 0; i < 300; i++) {
		if (waitpid(r->pid, &st, WNOHANG) == r->pid) {
			r->pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		nanosleep(&ts, NULL);
	}
	kill(r->pid, SIGKILL);
	waitpid(r->pid, &st, 0);
	r->pid = 0;
	return -1;
}

/**
 * tfa_relay_start() - listen, start attach_main() in a child, accept it
 * @r:		relay state to fill in
 * @extra:	extra option for attach (e.g. "--mtu=9000"), or NULL
 */
static void tfa_relay_start(struct tfa_relay *r, const char *extra)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct sockaddr_ll sll = {.sll_family = AF_PACKET};
	struct timespec ts = {0, 5 * 1000 * 1000};
	int i, rcvbuf = 16 * 1024 * 1024;
	unsigned idx = 0;

	assert_non_null(tl_mkdtemp(r->dir, sizeof(r->dir), "tfa"));
	snprintf(r->path, sizeof(r->path), "%s/s", r->dir);
	memcpy(sun.sun_path, r->path, strlen(r->path) + 1);
	r->lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(r->lsock >= 0);
	assert_int_equal(bind(r->lsock, (struct sockaddr *)&sun, sizeof(sun)),
			 0);
	assert_int_equal(listen(r->lsock, 1), 0);

	r->pid = fork();
	assert_true(r->pid >= 0);
	if (!r->pid) {
		char *argv[6] = {"attach", "--tap", TFA_IFNAME,
				 r->path,  NULL,    NULL};

		if (extra) {
			argv[3] = (char *)extra;
			argv[4] = r->path;
		}
		_exit(attach_main(extra ? 5 : 4, argv));
	}

	r->conn = accept4(r->lsock, NULL, NULL, SOCK_CLOEXEC);
	assert_true(r->conn >= 0);

	/* The relay connects first, then creates the device. */
	for (i = 0; i < 400 && !(idx = if_nametoindex(TFA_IFNAME)); i++)
		nanosleep(&ts, NULL);
	assert_true(idx > 0);
	for (i = 0; i < 400 && !(tfa_if_get(TFA_IFNAME, SIOCGIFFLAGS) & IFF_UP);
	     i++)
		nanosleep(&ts, NULL);

	r->pkt = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	assert_true(r->pkt >= 0);
	/* Room for every frame a test sends before it reads any. */
	assert_int_equal(setsockopt(r->pkt, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
				    sizeof(rcvbuf)),
			 0);
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)idx;
	assert_int_equal(bind(r->pkt, (struct sockaddr *)&sll, sizeof(sll)), 0);
}

/**
 * tfa_relay_setup() - per-test setup of the relay tests
 * @state:	set to the relay state, with nothing open yet
 *
 * Return: 0
 */
static int tfa_relay_setup(void **state)
{
	static struct tfa_relay r;

	memset(&r, 0, sizeof(r));
	r.lsock = r.conn = r.pkt = -1;
	*state = &r;
	return 0;
}

/**
 * tfa_relay_teardown() - per-test teardown of the relay tests: kill the
 * relay if it still runs, close and remove everything, even after a
 * failed assertion
 * @state:	relay state
 *
 * Return: 0
 */
static int tfa_relay_teardown(void **state)
{
	struct tfa_relay *r = *state;
	int st;

	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, &st, 0);
	}
	if (r->pkt >= 0)
		close(r->pkt);
	if (r->conn >= 0)
		close(r->conn);
	if (r->lsock >= 0)
		close(r->lsock);
	if (r->path[0])
		unlink(r->path);
	if (r->dir[0])
		rmdir(r->dir);
	return 0;
}

/**
 * tfa_pkt_recv_type() - receive the next frame of a given EtherType
 * @fd:		AF_PACKET socket
 * @type:	EtherType wanted, others (IPv6 noise) are skipped
 * @buf:	destination
 * @cap:	size of @buf
 *
 * Return: frame length, or -1 on timeout
 */
static ssize_t tfa_pkt_recv_type(int fd, uint16_t type, uint8_t *buf,
				 size_t cap)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, 3000) <= 0)
			return -1;
		n = recv(fd, buf, cap, 0);
		if (n >= 14 && (buf[12] << 8 | buf[13]) == type)
			return n;
	}
}

/**
 * tfa_sock_recv_type() - read records from the relay until one carries
 * a frame of a given EtherType
 * @fd:		our end of the relay connection
 * @type:	EtherType wanted
 * @buf:	destination for the frame
 * @cap:	size of @buf, at least ATTACH_FRAME_MAX
 *
 * Return: frame length, or -1 on timeout, bad record or end of stream
 */
static ssize_t tfa_sock_recv_type(int fd, uint16_t type, uint8_t *buf,
				  size_t cap)
{
	uint8_t hdr[ATTACH_HDR_LEN];
	size_t len;

	for (;;) {
		if (tfa_read_full(fd, hdr, sizeof(hdr)))
			return -1;
		if (attach_frame_next(hdr, sizeof(hdr), &len) < 0 || len > cap)
			return -1;
		if (tfa_read_full(fd, buf, len))
			return -1;
		if ((buf[12] << 8 | buf[13]) == type)
			return (ssize_t)len;
	}
}

/**
 * test_frame_next() - attach_frame_next() on complete, partial and bad
 * records
 * @state:	unused
 */
static void test_frame_next(void **state)
{
	uint8_t buf[ATTACH_HDR_LEN + ATTACH_FRAME_MAX + 1] = {0};
	size_t len = 12345;

	(void)state;
	assert_int_equal(attach_frame_next(buf, 0, &len), 0);
	assert_int_equal(attach_frame_next(buf, 3, &len), 0);
	assert_int_equal(len, 12345);

	be32_put(buf, 14);
	assert_int_equal(attach_frame_next(buf, 4, &len), 0);
	assert_int_equal(len, 14);
	assert_int_equal(attach_frame_next(buf, 17, &len), 0);
	assert_int_equal(attach_frame_next(buf, 18, &len), 1);
	assert_int_equal(attach_frame_next(buf, 100, &len), 1);
	assert_int_equal(len, 14);

	be32_put(buf, ATTACH_FRAME_MAX);
	assert_int_equal(attach_frame_next(buf, 4 + ATTACH_FRAME_MAX - 1, &len),
			 0);
	assert_int_equal(attach_frame_next(buf, 4 + ATTACH_FRAME_MAX, &len), 1);
	assert_int_equal(len, ATTACH_FRAME_MAX);

	be32_put(buf, 13);
	assert_int_equal(attach_frame_next(buf, 4, &len), -1);
	assert_int_equal(len, 13);
	be32_put(buf, 0);
	assert_int_equal(attach_frame_next(buf, sizeof(buf), &len), -1);
	be32_put(buf, ATTACH_FRAME_MAX + 1);
	assert_int_equal(attach_frame_next(buf, sizeof(buf), &len), -1);
	be32_put(buf, 0xffffffffu);
	assert_int_equal(attach_frame_next(buf, sizeof(buf), &len), -1);
	assert_int_equal(len, 0xffffffffu);
}

/**
 * test_parse_mac() - attach_parse_mac() on good, malformed and
 * non-unicast addresses
 * @state:	unused
 */
static void test_parse_mac(void **state)
{
	static const char *const bad[] = {
	    "",
	    "52:55:0a:00:00",
	    "52:55:0a:00:00:0",
	    "52:55:0a:00:00:001",
	    "52:55:0a:00:00:01:",
	    "52-55-0a-00-00-01",
	    "5:55:0a:00:00:01",
	    "52:55:0a:00:00:0g",
	    "52:55:0a:00:00:01 ",
	    " 52:55:0a:00:00:01",
	    "525:5:0a:00:00:01",
	};
	static const uint8_t want[6] = {0x52, 0x55, 0x0a, 0xbc, 0xDE, 0xf0};
	uint8_t mac[6];
	size_t i;

	(void)state;
	assert_int_equal(attach_parse_mac("52:55:0a:bc:de:f0", mac), 0);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(attach_parse_mac("52:55:0A:BC:DE:F0", mac), 0);
	assert_memory_equal(mac, want, 6);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(attach_parse_mac(bad[i], mac), -1);
	assert_int_equal(attach_parse_mac("01:00:5e:00:00:01", mac), -2);
	assert_int_equal(attach_parse_mac("ff:ff:ff:ff:ff:ff", mac), -2);
	assert_int_equal(attach_parse_mac("00:00:00:00:00:00", mac), -2);
}

/**
 * test_tap_open_errors() - tap_open() refuses bad arguments and always
 * leaves the caller in its own namespace
 * @state:	unused
 */
static void test_tap_open_errors(void **state)
{
	struct stat before, after;
	char err[256];

	(void)state;
	if (!tfa_privileged)
		skip();
	assert_int_equal(stat("/proc/thread-self/ns/net", &before), 0);

	assert_int_equal(tap_open(NULL, "", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid interface name"));
	assert_int_equal(
	    tap_open(NULL, "0123456789abcdef", 0, err, sizeof(err)), -1);
	assert_int_equal(tap_open("a/b", "tfa1", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a name"));
	assert_int_equal(
	    tap_open("tfa-no-such-netns", "tfa1", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/var/run/netns/tfa-no-such-netns"));
	assert_int_equal(tap_open("/dev/null", "tfa1", 0, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "cannot enter"));
	/* Fails after entering the namespace: must still come back. */
	assert_int_equal(
	    tap_open("/proc/self/ns/net", "tfa1", 20, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot set MTU 20"));
	assert_int_equal(if_nametoindex("tfa1"), 0);

	assert_int_equal(stat("/proc/thread-self/ns/net", &after), 0);
	assert_true(before.st_ino == after.st_ino);
}

/**
 * test_tap_open_ok() - tap_open() in a named path gives a non-blocking,
 * close-on-exec descriptor of an up device with the MTU asked for
 * @state:	unused
 */
static void test_tap_open_ok(void **state)
{
	char err[256];
	int fd;

	(void)state;
	if (!tfa_privileged)
		skip();
	fd = tap_open("/proc/self/ns/net", tfa_ifname2, 9000, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);

	assert_int_equal(tfa_if_get(tfa_ifname2, SIOCGIFMTU), 9000);
	assert_true(tfa_if_get(tfa_ifname2, SIOCGIFFLAGS) & IFF_UP);

	/* Busy while we hold it. */
	assert_int_equal(tap_open(NULL, tfa_ifname2, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, tfa_ifname2));
	close(fd);
}

/**
 * test_relay_both_ways() - frames of many sizes cross the relay intact,
 * in order, in both directions; EOF from "usernetd" ends it with status 0
 * @state:	relay state, from tfa_relay_setup()
 */
static void test_relay_both_ways(void **state)
{
	static const size_t sizes[] = {14, 15, 60, 64, 100, 1000, 1514, 9014};
	static uint8_t rec[ATTACH_HDR_LEN + ATTACH_FRAME_MAX];
	static uint8_t got[ATTACH_FRAME_MAX + 64];
	static uint8_t batch[256 * 1024];
	struct tfa_relay *r = *state;
	size_t i, off = 0, len;
	ssize_t n;
	uint32_t seq;

	if (!tfa_privileged)
		skip();
	tfa_relay_start(r, "--mtu=9000");

	/* Down: one stream write carrying many records, cut anywhere. */
	for (seq = 0; seq < 200; seq++) {
		len = sizes[seq % (sizeof(sizes) / sizeof(sizes[0]))];
		if (off + ATTACH_HDR_LEN + len > sizeof(batch)) {
			tfa_write_all(r->conn, batch, off);
			off = 0;
		}
		be32_put(batch + off, (uint32_t)len);
		tfa_frame(batch + off + ATTACH_HDR_LEN, len, TFA_ETH_DOWN, seq);
		off += ATTACH_HDR_LEN + len;
	}
	/* The largest frame the framing allows, sent byte by byte. */
	be32_put(rec, ATTACH_FRAME_MAX);
	tfa_frame(rec + ATTACH_HDR_LEN, ATTACH_FRAME_MAX, TFA_ETH_DOWN, 200);
	tfa_write_all(r->conn, batch, off);
	for (i = 0; i < 8; i++)
		tfa_write_all(r->conn, rec + i, 1);
	tfa_write_all(r->conn, rec + 8, sizeof(rec) - 8);

	for (seq = 0; seq <= 200; seq++) {
		len = seq == 200
			  ? ATTACH_FRAME_MAX
			  : sizes[seq % (sizeof(sizes) / sizeof(sizes[0]))];
		n = tfa_pkt_recv_type(r->pkt, TFA_ETH_DOWN, got, sizeof(got));
		assert_int_equal(n, len);
		tfa_frame(rec, len, TFA_ETH_DOWN, seq);
		assert_memory_equal(got, rec, len);
	}

	/* Up: frames sent out of the device reach "usernetd", framed. */
	for (seq = 0; seq < 100; seq++) {
		len = sizes[seq % 7]; /* up to 1514 */
		if (len < 60)
			len = 60; /* AF_PACKET pads nothing; keep it simple */
		tfa_frame(got, len, TFA_ETH_UP, seq);
		assert_int_equal(send(r->pkt, got, len, 0), (ssize_t)len);
	}
	for (seq = 0; seq < 100; seq++) {
		len = sizes[seq % 7];
		if (len < 60)
			len = 60;
		n = tfa_sock_recv_type(r->conn, TFA_ETH_UP, got, sizeof(got));
		assert_int_equal(n, len);
		tfa_frame(rec, len, TFA_ETH_UP, seq);
		assert_memory_equal(got, rec, len);
	}

	close(r->conn);
	r->conn = -1;
	assert_int_equal(tfa_wait_exit(r), 0);
	assert_int_equal(if_nametoindex(TFA_IFNAME), 0);
}

/**
 * test_relay_bad_length() - a bad length from "usernetd" ends the relay
 * with status 1, after relaying the good frame before it
 * @state:	relay state, from tfa_relay_setup()
 */
static void test_relay_bad_length(void **state)
{
	uint8_t buf[ATTACH_HDR_LEN + 60 + ATTACH_HDR_LEN + 13] = {0};
	uint8_t got[2048];
	struct tfa_relay *r = *state;

	if (!tfa_privileged)
		skip();
	tfa_relay_start(r, NULL);
	be32_put(buf, 60);
	tfa_frame(buf + ATTACH_HDR_LEN, 60, TFA_ETH_DOWN, 1);
	be32_put(buf + ATTACH_HDR_LEN + 60, 13);
	tfa_write_all(r->conn, buf, sizeof(buf));
	assert_int_equal(
	    tfa_pkt_recv_type(r->pkt, TFA_ETH_DOWN, got, sizeof(got)), 60);
	assert_int_equal(tfa_wait_exit(r), 1);
}

/**
 * test_relay_sigterm() - SIGTERM ends the relay with status 0 and closes
 * the connection
 * @state:	relay state, from tfa_relay_setup()
 */
static void test_relay_sigterm(void **state)
{
	struct tfa_relay *r = *state;
	uint8_t b[4096];
	ssize_t n;

	if (!tfa_privileged)
		skip();
	tfa_relay_start(r, "-v");
	assert_int_equal(kill(r->pid, SIGTERM), 0);
	assert_int_equal(tfa_wait_exit(r), 0);
	/* Whatever the device sent first (IPv6), then end of stream. */
	do {
		n = read(r->conn, b, sizeof(b));
	} while (n > 0);
	assert_int_equal(n, 0);
}

/**
 * tfa_setup() - group setup: enter a private network namespace if we may
 * @state:	unused
 *
 * Return: 0
 */
static int tfa_setup(void **state)
{
	(void)state;
	tfa_privileged =
	    !access("/dev/net/tun", R_OK | W_OK) && !unshare(CLONE_NEWNET);
	if (!tfa_privileged)
		fprintf(stderr, "# no CAP_SYS_ADMIN or /dev/net/tun: "
				"relay and tap_open tests skipped\n");
	/* Writes to a closed relay connection must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/**
 * main() - run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	snprintf(tfa_ifname, sizeof(tfa_ifname), "tfa%d",
		 (int)(getpid() % 100000));
	snprintf(tfa_ifname2, sizeof(tfa_ifname2), "tfb%d",
		 (int)(getpid() % 100000));
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frame_next),
	    cmocka_unit_test(test_parse_mac),
	    cmocka_unit_test(test_tap_open_errors),
	    cmocka_unit_test(test_tap_open_ok),
	    cmocka_unit_test_setup_teardown(
		test_relay_both_ways, tfa_relay_setup, tfa_relay_teardown),
	    cmocka_unit_test_setup_teardown(
		test_relay_bad_length, tfa_relay_setup, tfa_relay_teardown),
	    cmocka_unit_test_setup_teardown(test_relay_sigterm, tfa_relay_setup,
					    tfa_relay_teardown),
	};

	return cmocka_run_group_tests(tests, tfa_setup, NULL);
}
