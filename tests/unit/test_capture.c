/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_capture.c - pcap capture: frames written and read back with
 * libpcap (count, order, lengths, snaplen, timestamps), tcpdump reading
 * the file, filters good and bad, rotation, flushing while running,
 * standard output, failures (FIFO reader gone, a write error, on_fail),
 * a full ring that drops instead of blocking, and the places a capture
 * may not go (symbolic links, devices, another uid's file or FIFO).
 */
#if !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* pcap.h's BSD types (u_char, u_int) on glibc */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "services/pcap/capture.h"
#include "base/loop.h"
#include "tests/unit/testlib.h"

static char tmpdir[64];

/**
 * struct readback - what a pcap file held
 * @n:		frames
 * @seq:	sequence number of each frame (from its payload)
 * @len:	wire length of each frame
 * @caplen:	stored length of each frame
 * @icmp:	frames that are IPv4 ICMP
 * @ts_ok:	timestamps never went backwards
 * @data_ok:	stored bytes equal the frame that was sent
 */
struct readback {
	int n;
	int seq[4096];
	unsigned len[4096];
	unsigned caplen[4096];
	int icmp;
	int ts_ok;
	int data_ok;
};

/**
 * mkframe() - build an Ethernet/IPv4 frame carrying ICMP echo or UDP
 * @f:		buffer (at least @len bytes)
 * @len:	total frame length, >= 60
 * @icmp:	ICMP echo request if non-zero, else UDP 40000 -> 53
 * @seq:	sequence number, stored in the payload (and the ICMP seq)
 */
static void mkframe(uint8_t *f, size_t len, int icmp, int seq)
{
	static const uint8_t dst[6] = {0x52, 0x55, 0xc0, 0xa8, 5, 2};
	static const uint8_t src[6] = {0x52, 0x55, 0x55, 0, 0, 1};
	uint8_t *ip = f + 14, *l4 = f + 34;
	size_t iplen = len - 14, i;

	memset(f, 0, len);
	tl_eth(f, dst, src, 0x0800);
	ip[0] = 0x45;
	be16_put(ip + 2, (uint16_t)iplen);
	ip[8] = 64;
	ip[9] = icmp ? 1 : 17;
	memcpy(ip + 12, (uint8_t[]){192, 168, 5, 15}, 4);
	memcpy(ip + 16, (uint8_t[]){192, 168, 5, 2}, 4);
	be16_put(ip + 10, tl_csum(ip, 20));
	/* Payload after the 8-byte ICMP or UDP header: seq, then a pattern */
	l4[8] = (uint8_t)(seq >> 8);
	l4[9] = (uint8_t)seq;
	for (i = 44; i < len; i++)
		f[i] = (uint8_t)(i + (size_t)seq);
	if (icmp) {
		l4[0] = 8;
		l4[6] = (uint8_t)(seq >> 8);
		l4[7] = (uint8_t)seq;
		be16_put(l4 + 2, tl_csum(l4, iplen - 20));
	} else {
		l4[0] = 40000 >> 8;
		l4[1] = 40000 & 0xff;
		l4[3] = 53;
		l4[4] = (uint8_t)((iplen - 20) >> 8);
		l4[5] = (uint8_t)(iplen - 20);
	}
}

/**
 * frame_len() - the length used for frame @i in the tests
 * @i:		frame number
 *
 * Return: 60..1514, some of them above the snaplen used
 */
static size_t frame_len(int i)
{
	return 60 + (size_t)(i * 37) % 1455;
}

/**
 * readback() - read a pcap file with libpcap
 * @path:	file
 * @rb:		filled in
 *
 * Return: 0, or -1 if libpcap cannot open it
 */
static int readback(const char *path, struct readback *rb)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	struct timeval last = {0, 0};
	uint8_t f[2048];
	pcap_t *p;

	memset(rb, 0, sizeof(*rb));
	rb->ts_ok = rb->data_ok = 1;
	p = pcap_open_offline(path, errbuf);
	if (!p)
		return -1;
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while (pcap_next_ex(p, &h, &d) == 1 && rb->n < 4096) {
		int seq = h->caplen >= 44 ? d[42] << 8 | d[43] : -1;
		int icmp = h->caplen >= 34 && d[23] == 1;

		rb->seq[rb->n] = seq;
		rb->len[rb->n] = h->len;
		rb->caplen[rb->n] = h->caplen;
		rb->icmp += icmp;
		if (h->ts.tv_sec < last.tv_sec ||
		    (h->ts.tv_sec == last.tv_sec &&
		     h->ts.tv_usec < last.tv_usec))
			rb->ts_ok = 0;
		last = h->ts;
		if (h->len <= sizeof(f)) {
			mkframe(f, h->len, icmp, seq);
			if (memcmp(f, d, h->caplen))
				rb->data_ok = 0;
		}
		rb->n++;
	}
	pcap_close(p);
	return 0;
}

/**
 * path_in() - a path in the test's temporary directory
 * @name:	file name
 *
 * Return: static buffer (one of four, used in turn)
 */
static const char *path_in(const char *name)
{
	static char buf[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/**
 * file_size() - size of a file
 * @path:	file
 *
 * Return: bytes, or -1 if it does not exist
 */
static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : (long long)st.st_size;
}

/**
 * now_ms() - monotonic clock
 *
 * Return: milliseconds
 */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/**
 * struct errcap - standard error redirected to a file, to count log lines
 * @saved:	the original standard error
 * @path:	the file
 */
struct errcap {
	int saved;
	char path[128];
};

/**
 * errcap_start() - send standard error to a file
 * @e:		redirection, filled in
 * @name:	file name in the temporary directory
 */
static void errcap_start(struct errcap *e, const char *name)
{
	int fd;

	snprintf(e->path, sizeof(e->path), "%s", path_in(name));
	fd = open(e->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	e->saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

/**
 * errcap_stop() - restore standard error and count captured lines
 * @e:		redirection
 * @needle:	text the lines must contain
 * @lines:	set to the number of lines in the file
 *
 * Return: the number of lines containing @needle
 */
static int errcap_stop(struct errcap *e, const char *needle, int *lines)
{
	char line[1024];
	int n = 0;
	FILE *f;

	dup2(e->saved, STDERR_FILENO);
	close(e->saved);
	*lines = 0;
	f = fopen(e->path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		fputs(line, stderr);
		(*lines)++;
		n += strstr(line, needle) != NULL;
	}
	fclose(f);
	return n;
}

/**
 * send_frames() - offer frames @from..@to-1 to a capture, odd ones ICMP
 * @c:		capture
 * @from:	first sequence number
 * @to:		one past the last
 */
static void send_frames(struct cap *c, int from, int to)
{
	uint8_t f[2048];
	int i;

	for (i = from; i < to; i++) {
		size_t len = frame_len(i);

		mkframe(f, len, i % 2, i);
		cap_frame(c, f, len);
	}
}

/**
 * send_fixed() - offer UDP frames @from..@to-1 of @len bytes to a capture
 * @c:		capture
 * @from:	first sequence number
 * @to:		one past the last
 * @len:	frame length
 */
static void send_fixed(struct cap *c, int from, int to, size_t len)
{
	uint8_t f[2048];
	int i;

	for (i = from; i < to; i++) {
		mkframe(f, len, 0, i);
		cap_frame(c, f, len);
	}
}

/**
 * test_write_readback() - 300 frames read back: count, order, lengths,
 * snaplen, timestamps, bytes; counters; tcpdump prints 300 lines
 * @state:	unused
 */
static void test_write_readback(void **state)
{
	struct cap_config cfg = {.file = path_in("basic.pcap"), .snaplen = 256};
	static struct readback rb;
	struct cap_stats st;
	char err[256], cmd[512], line[1024];
	struct cap *c;
	FILE *p;
	int i, n;

	(void)state;
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	send_frames(c, 0, 300);
	cap_close(c);

	assert_int_equal(readback(cfg.file, &rb), 0);
	assert_int_equal(rb.n, 300);
	for (i = 0; i < 300; i++) {
		assert_int_equal(rb.seq[i], i);
		assert_int_equal(rb.len[i], frame_len(i));
		assert_int_equal(rb.caplen[i],
				 frame_len(i) < 256 ? frame_len(i) : 256);
	}
	assert_int_equal(rb.icmp, 150);
	assert_true(rb.ts_ok);
	assert_true(rb.data_ok);

	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	send_frames(c, 0, 300);
	cap_get_stats(c, &st);
	assert_int_equal(st.captured, 300);
	assert_int_equal(st.filtered_out, 0);
	assert_int_equal(st.dropped_full, 0);
	cap_close(c);

	/* tcpdump reads it: one line per frame. */
	if (system("command -v tcpdump >/dev/null 2>&1")) {
		fprintf(stderr, "tcpdump missing: check skipped\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "tcpdump -r '%s' -n 2>/dev/null", cfg.file);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = 0;
	while (fgets(line, sizeof(line), p))
		n++;
	assert_int_equal(pclose(p), 0);
	assert_int_equal(n, 300);
}

/**
 * test_stats_and_flush() - an open capture's file is complete within a
 * second; counters match the file
 * @state:	unused
 */
static void test_stats_and_flush(void **state)
{
	struct cap_config cfg = {.file = path_in("flush.pcap")};
	static struct readback rb;
	struct cap_stats st;
	char err[256];
	struct cap *c;
	int i;

	(void)state;
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	send_frames(c, 0, 100);
	/* Still open: within a second everything is in the file. */
	for (i = 0; i < 100; i++) {
		/* Before the first flush the file may not be pcap yet. */
		if (readback(cfg.file, &rb) == 0 && rb.n == 100)
			break;
		usleep(20000);
	}
	assert_int_equal(rb.n, 100);
	assert_true(i < 50);
	cap_get_stats(c, &st);
	assert_int_equal(st.captured, 100);
	assert_int_equal(st.frames_written, 100);
	assert_int_equal(st.bytes_written, file_size(cfg.file));
	assert_int_equal(st.files_rotated, 0);
	assert_false(cap_failed(c));
	cap_close(c);
	cap_frame(NULL, (const uint8_t *)"", 0); /* no capture: no-op */
}

/**
 * test_filter() - "icmp" keeps only ICMP; a filter matching nothing
 * leaves a valid empty file
 * @state:	unused
 */
static void test_filter(void **state)
{
	struct cap_config cfg = {.file = path_in("icmp.pcap"),
				 .filter = "icmp"};
	static struct readback rb;
	struct cap_stats st;
	char err[256];
	struct cap *c;
	int i;

	(void)state;
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	send_frames(c, 0, 300);
	cap_get_stats(c, &st);
	assert_int_equal(st.captured, 150);
	assert_int_equal(st.filtered_out, 150);
	cap_close(c);
	assert_int_equal(readback(cfg.file, &rb), 0);
	assert_int_equal(rb.n, 150);
	assert_int_equal(rb.icmp, 150);
	for (i = 0; i < 150; i++)
		assert_int_equal(rb.seq[i], 2 * i + 1);

	/* A filter that matches nothing leaves a valid, empty file. */
	cfg.filter = "tcp port 80";
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	send_frames(c, 0, 300);
	cap_close(c);
	assert_int_equal(readback(cfg.file, &rb), 0);
	assert_int_equal(rb.n, 0);
	assert_int_equal(file_size(cfg.file), 24);
}

/**
 * test_bad_filter() - refused with pcap's text, no file created
 * @state:	unused
 */
static void test_bad_filter(void **state)
{
	struct cap_config cfg = {.file = path_in("never.pcap"),
				 .filter = "icmp and and"};
	struct bpf_program prog;
	char err[256];
	pcap_t *pd;

	(void)state;
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	/* pcap's own text, and nothing started: no file. */
	pd = pcap_open_dead(DLT_EN10MB, 65535);
	assert_int_equal(
	    pcap_compile(pd, &prog, cfg.filter, 1, PCAP_NETMASK_UNKNOWN), -1);
	assert_string_equal(err, pcap_geterr(pd));
	pcap_close(pd);
	assert_int_equal(file_size(cfg.file), -1);

	/* Also refused: what needs a netmask, which captures do not have. */
	cfg.filter = "ip broadcast";
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "netmask"));
	assert_int_equal(file_size(cfg.file), -1);
}

/**
 * test_bad_config() - snaplen, rotation and path errors are refused
 * @state:	unused
 */
static void test_bad_config(void **state)
{
	struct cap_config cfg = {.file = path_in("never.pcap")};
	char err[256];

	(void)state;
	cfg.snaplen = -1;
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "snaplen"));
	cfg.snaplen = 262145;
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	cfg.snaplen = 0;
	cfg.max_files = 3;
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "max size"));
	cfg.max_size_bytes = 100; /* cannot hold one 65535-byte frame */
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	cfg.file = "-";
	cfg.max_size_bytes = 0;
	cfg.max_size_mb = 1;
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "standard output"));
	cfg.file = "";
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	cfg.file = path_in("no/such/dir.pcap");
	cfg.max_size_mb = 0;
	cfg.max_files = 0;
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(file_size(path_in("never.pcap")), -1);
}

/**
 * test_rotation() - -C/-W naming and wrap, each file within the limit and
 * readable, no end without max_files, MB as a million bytes
 * @state:	unused
 */
static void test_rotation(void **state)
{
	struct cap_config cfg = {.file = path_in("rot.pcap"),
				 .snaplen = 128,
				 .max_size_bytes = 2000,
				 .max_files = 3};
	static const char *const names[] = {"rot.pcap", "rot.pcap1",
					    "rot.pcap2"};
	static struct readback rb;
	struct cap_stats st;
	char err[256];
	struct cap *c;
	int i, k;

	(void)state;
	/* Records are 16 + 128 bytes: (2000 - 24) / 144 = 13 per file, so
	 * 200 frames make 16 files (0..15); the last three are kept:
	 * index 13 -> rot.pcap1, 14 -> rot.pcap2, 15 -> rot.pcap. */
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	send_fixed(c, 0, 200, 200);
	cap_close(c);
	for (k = 0; k < 3; k++) {
		const char *p = path_in(names[k]);
		int first = k == 0 ? 15 * 13 : (12 + k) * 13;
		int n = k == 0 ? 200 - 15 * 13 : 13;

		assert_true(file_size(p) <= 2000);
		assert_int_equal(readback(p, &rb), 0);
		assert_int_equal(rb.n, n);
		for (i = 0; i < n; i++)
			assert_int_equal(rb.seq[i], first + i);
		assert_true(rb.ts_ok);
		assert_true(rb.data_ok);
	}
	assert_int_equal(file_size(path_in("rot.pcap3")), -1);

	/* Without max_files: rot2.pcap, rot2.pcap1, ... without end. */
	cfg.file = path_in("rot2.pcap");
	cfg.max_files = 0;
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	send_fixed(c, 0, 40, 200);
	cap_close(c);
	c = NULL;
	for (k = 0; k < 4; k++) {
		char name[32];

		snprintf(name, sizeof(name), k ? "rot2.pcap%d" : "rot2.pcap",
			 k);
		assert_true(file_size(path_in(name)) <= 2000);
		assert_int_equal(readback(path_in(name), &rb), 0);
		assert_int_equal(rb.n, k < 3 ? 13 : 1);
		assert_int_equal(rb.seq[0], k * 13);
	}
	assert_int_equal(file_size(path_in("rot2.pcap4")), -1);

	/* The MB unit is tcpdump's: a million bytes. */
	cfg.file = path_in("rot3.pcap");
	cfg.max_size_bytes = 0;
	cfg.max_size_mb = 1;
	cfg.snaplen = 0;
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	for (i = 0; i < 1200; i += 200) {
		send_fixed(c, i, i + 200, 1514);
		usleep(10000); /* stay below the ring's size */
	}
	cap_get_stats(c, &st);
	cap_close(c);
	assert_int_equal(st.dropped_full, 0);
	/* (1000000 - 24) / 1530 = 653 frames per file. */
	assert_int_equal(file_size(path_in("rot3.pcap")), 24 + 653 * 1530);
	assert_int_equal(file_size(path_in("rot3.pcap1")),
			 24 + (1200 - 653) * 1530);
}

/**
 * test_stdout() - "-" writes a readable capture to standard output (a pipe)
 * @state:	unused
 */
static void test_stdout(void **state)
{
	struct cap_config cfg = {.file = "-"};
	static struct readback rb;
	static uint8_t buf[65536];
	char err[256];
	int pfd[2], saved, fd;
	struct cap *c;
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(pfd[1], STDOUT_FILENO);
	c = cap_open(NULL, &cfg, err, sizeof(err));
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(pfd[1]);
	assert_non_null(c);
	send_frames(c, 0, 20);
	cap_close(c);
	n = read(pfd[0], buf, sizeof(buf));
	close(pfd[0]);
	assert_true(n > 24);
	fd = open(path_in("stdout.pcap"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, buf, (size_t)n), n);
	close(fd);
	assert_int_equal(readback(path_in("stdout.pcap"), &rb), 0);
	assert_int_equal(rb.n, 20);
	assert_true(rb.data_ok);
}

/**
 * test_fifo_reader_gone() - no reader: refused; reader gone: failed, one
 * log line, cap_frame() only counts
 * @state:	unused
 */
static void test_fifo_reader_gone(void **state)
{
	struct cap_config cfg = {.file = path_in("fifo")};
	static uint8_t buf[65536];
	struct cap_stats st;
	struct errcap e = {0};
	char err[256];
	long long t0;
	struct cap *c;
	int rd, i, lines;

	(void)state;
	assert_int_equal(mkfifo(cfg.file, 0600), 0);
	/* No reader: refused at once, never blocks. */
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "no reader"));

	rd = open(cfg.file, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	errcap_start(&e, "fifo.log");
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	send_frames(c, 0, 10);
	for (i = 0; i < 100 && read(rd, buf, sizeof(buf)) <= 0; i++)
		usleep(10000);
	assert_true(i < 100);
	close(rd); /* the reader goes away; SIGPIPE is not ignored here */

	for (i = 0; i < 200 && !cap_failed(c); i++) {
		send_frames(c, 10, 20);
		usleep(10000);
	}
	assert_true(cap_failed(c));
	t0 = now_ms();
	send_frames(c, 0, 1000);
	assert_true(now_ms() - t0 < 500);
	cap_get_stats(c, &st);
	assert_true(st.dropped_failed >= 1000);
	cap_close(c);
	assert_int_equal(errcap_stop(&e, "Broken pipe", &lines), 1);
	assert_int_equal(lines, 1);
	unlink(cfg.file);
}

/* Files may grow this much while fsize_limit() holds (the log too). */
#define TC_FSIZE_LIMIT (64 * 1024)

/**
 * fsize_limit() - make writes past TC_FSIZE_LIMIT fail with EFBIG
 * @old:	receives the limit to give back to fsize_restore()
 *
 * The output's write error, without a full disk: /dev/full, a device,
 * is no longer a place a capture may go.
 */
static void fsize_limit(struct rlimit *old)
{
	struct rlimit rl;

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, old), 0);
	rl = *old;
	rl.rlim_cur = TC_FSIZE_LIMIT;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/**
 * fsize_restore() - undo fsize_limit()
 * @old:	what fsize_limit() saved
 */
static void fsize_restore(const struct rlimit *old)
{
	assert_int_equal(setrlimit(RLIMIT_FSIZE, old), 0);
	signal(SIGXFSZ, SIG_DFL);
}

/**
 * test_write_error() - a write error (EFBIG) fails the capture with one
 * log line
 * @state:	unused
 */
static void test_write_error(void **state)
{
	struct cap_config cfg = {.file = path_in("big.pcap")};
	struct errcap e = {0};
	struct rlimit old;
	char err[256];
	struct cap *c;
	int i, lines;

	(void)state;
	errcap_start(&e, "big.log");
	fsize_limit(&old);
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	for (i = 0; i < 200 && !cap_failed(c); i++) {
		send_frames(c, 0, 100);
		usleep(10000);
	}
	assert_true(cap_failed(c));
	send_frames(c, 0, 10);
	cap_close(c);
	fsize_restore(&old);
	assert_int_equal(errcap_stop(&e, "File too large", &lines), 1);
	assert_int_equal(lines, 1);
	unlink(cfg.file);
}

/**
 * test_refused_targets() - a capture goes only to a new file, or to a
 * regular file or FIFO of ours: a symbolic link (even to our own file), a
 * device, another uid's file or FIFO (as root) are refused, untouched;
 * our own file is truncated and written
 * @state:	unused
 */
static void test_refused_targets(void **state)
{
	struct cap_config cfg = {0};
	char err[256], target[128], link[128];
	struct cap *c;

	(void)state;
	snprintf(target, sizeof(target), "%s", path_in("mine.pcap"));
	snprintf(link, sizeof(link), "%s", path_in("link.pcap"));
	tl_write_file(target, "not a capture\n");
	assert_int_equal(symlink(target, link), 0);
	cfg.file = link;
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	if (!strstr(err, "symbolic link"))
		fail_msg("a link: '%s'", err);
	assert_int_equal(file_size(target), 14);
	unlink(link);
	/* A dangling link: not created through either. */
	assert_int_equal(symlink(path_in("nowhere.pcap"), link), 0);
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	assert_int_equal(file_size(path_in("nowhere.pcap")), -1);
	unlink(link);

	cfg.file = "/dev/null";
	assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
	if (!strstr(err, "not a regular file or a FIFO"))
		fail_msg("a device: '%s'", err);

	if (geteuid() == 0) {
		const char *fifo = path_in("nobody.fifo");

		assert_int_equal(chown(target, 65534, 65534), 0);
		cfg.file = target;
		assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
		if (!strstr(err, "owned by uid 65534"))
			fail_msg("nobody's file: '%s'", err);
		assert_int_equal(file_size(target), 14);
		assert_int_equal(chown(target, 0, 0), 0);
		assert_int_equal(mkfifo(fifo, 0666), 0);
		assert_int_equal(chown(fifo, 65534, 65534), 0);
		cfg.file = fifo;
		assert_null(cap_open(NULL, &cfg, err, sizeof(err)));
		if (!strstr(err, "owned by uid 65534"))
			fail_msg("nobody's FIFO: '%s'", err);
		unlink(fifo);
	} else {
		print_message("not root: files of another uid not tried\n");
	}

	cfg.file = target;
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	cap_close(c);
	assert_int_equal(file_size(target), 24); /* the header alone */
	unlink(target);
}

/**
 * struct failctx - what the on_fail test saw
 * @l:		loop
 * @calls:	on_fail calls
 * @on_loop:	on_fail ran on the loop thread
 */
struct failctx {
	struct loop *l;
	int calls;
	int on_loop;
};

/**
 * on_fail() - on_fail callback of test_on_fail(): record, close, stop
 * @arg:	struct failctx
 * @c:		the failed capture
 */
static void on_fail(void *arg, struct cap *c)
{
	struct failctx *fc = arg;

	fc->calls++;
	fc->on_loop = loop_in_thread(fc->l);
	assert_true(cap_failed(c));
	cap_close(c); /* allowed from the callback */
	loop_stop(fc->l);
}

/**
 * test_on_fail() - on_fail runs once, on the loop thread, and may close
 * @state:	unused
 */
static void test_on_fail(void **state)
{
	struct failctx fc = {0};
	struct cap_config cfg = {.file = path_in("onfail.pcap"),
				 .on_fail = on_fail,
				 .on_fail_arg = &fc};
	struct loop_timer *t;
	struct errcap e = {0};
	struct rlimit old;
	char err[256];
	struct cap *c;
	int lines;

	(void)state;
	fc.l = loop_new();
	assert_null(cap_open(NULL, &cfg, err, sizeof(err))); /* no loop */
	t = loop_timer_new(fc.l, tl_loop_stop, fc.l);
	loop_timer_arm(t, loop_now_ms() + 5000);
	errcap_start(&e, "onfail.log");
	fsize_limit(&old);
	c = cap_open(fc.l, &cfg, err, sizeof(err));
	assert_non_null(c);
	send_frames(c, 0, 1000); /* more than TC_FSIZE_LIMIT */
	loop_run(fc.l);
	fsize_restore(&old);
	assert_int_equal(errcap_stop(&e, "capture", &lines), 1);
	assert_int_equal(fc.calls, 1);
	assert_true(fc.on_loop);
	loop_timer_free(t);
	loop_free(fc.l);
}

/**
 * test_ring_full() - a writer stuck on a FIFO nobody reads: frames are
 * dropped and counted, cap_frame() stays fast, cap_close() is bounded
 * @state:	unused
 */
static void test_ring_full(void **state)
{
	struct cap_config cfg = {.file = path_in("stuck")};
	struct cap_stats st;
	struct errcap e = {0};
	char err[256];
	long long t0, dt;
	struct cap *c;
	uint8_t f[200];
	int rd, i, lines;

	(void)state;
	assert_int_equal(mkfifo(cfg.file, 0600), 0);
	rd = open(cfg.file, O_RDONLY | O_NONBLOCK); /* never reads */
	assert_true(rd >= 0);
	errcap_start(&e, "stuck.log");
	c = cap_open(NULL, &cfg, err, sizeof(err));
	assert_non_null(c);
	mkframe(f, sizeof(f), 0, 1);
	t0 = now_ms();
	for (i = 0; i < 100000; i++)
		cap_frame(c, f, sizeof(f));
	dt = now_ms() - t0;
	cap_get_stats(c, &st);
	assert_int_equal(st.captured + st.dropped_full, 100000);
	assert_true(st.dropped_full > 50000);
	assert_false(cap_failed(c));
	/* A loose bound: a blocked writer must not slow the producer. */
	assert_true(dt < 1000);
	t0 = now_ms();
	cap_close(c);
	dt = now_ms() - t0;
	assert_true(dt < 1000);
	errcap_stop(&e, "capture", &lines);
	assert_int_equal(lines, 1); /* "output blocked at stop" */
	close(rd);
	unlink(cfg.file);
}

/**
 * setup() - create the temporary directory
 * @state:	unused
 *
 * Return: 0, or -1
 */
static int setup(void **state)
{
	(void)state;
	return tl_mkdtemp(tmpdir, sizeof(tmpdir), "test_capture") ? 0 : -1;
}

/**
 * teardown() - remove the temporary directory
 * @state:	unused
 *
 * Return: 0, or -1
 */
static int teardown(void **state)
{
	(void)state;
	return tl_rm_rf(tmpdir);
}

/**
 * main() - run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_readback),
	    cmocka_unit_test(test_stats_and_flush),
	    cmocka_unit_test(test_filter),
	    cmocka_unit_test(test_bad_filter),
	    cmocka_unit_test(test_bad_config),
	    cmocka_unit_test(test_rotation),
	    cmocka_unit_test(test_stdout),
	    cmocka_unit_test(test_fifo_reader_gone),
	    cmocka_unit_test(test_write_error),
	    cmocka_unit_test(test_refused_targets),
	    cmocka_unit_test(test_on_fail),
	    cmocka_unit_test(test_ring_full),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
