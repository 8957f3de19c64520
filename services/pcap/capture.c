/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capture.c - packet capture to pcap files through libpcap: BPF filter,
 * bounded single-producer ring, writer thread, flushing, tcpdump-style
 * rotation, and a capture that stops by itself when its output fails.
 *
 * Data path: cap_frame() (loop thread, the only producer) filters, copies
 * the frame into the ring and publishes it; the writer thread (the only
 * consumer) hands it to pcap_dump() straight from the ring.  The two meet
 * only through the ring's head and tail counters; the mutex and condition
 * variable serve to put the writer to sleep and to wake it when it sleeps.
 *
 * Output: libpcap writes to a stdio stream built with fopencookie() (or
 * funopen() on the BSDs) over a descriptor of ours (output.c).  Its write
 * function never blocks for good: it polls with a short timeout and gives
 * up when cap_close() asks it to, so a FIFO nobody reads cannot hang the
 * daemon.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "services/pcap/capture.h"
#include "services/pcap/capture_int.h"
#include "base/log.h"
#include "base/loop.h"
#include "base/xalloc.h"

#define CAP_SNAPLEN_DEFAULT 65535
#define CAP_SNAPLEN_MAX	    262144
#define CAP_RING_DEFAULT    (4u << 20)
#define CAP_FILE_HDR	    24 /* struct pcap_file_header on disk */
#define CAP_REC_HDR	    16 /* struct pcap_sf_pkthdr on disk */
#define CAP_FLUSH_MS	    500
#define CAP_CLOSE_WAIT_MS   250
#define CAP_STDIO_BUF	    65536
#define CAP_WRAP	    UINT32_MAX
#define CAP_ALIGN(n)	    (((n) + 7) & ~(size_t)7)

/**
 * struct cap_rec - header of a frame in the ring, followed by its bytes
 * @caplen:	bytes stored, or CAP_WRAP: skip to the start of the ring
 * @len:	length of the frame on the wire
 * @sec:	timestamp, seconds
 * @usec:	timestamp, microseconds
 */
struct cap_rec {
	uint32_t caplen;
	uint32_t len;
	int64_t sec;
	int64_t usec;
};

/**
 * struct cap - a capture
 * @file:		output path as configured
 * @name:		buffer for the name of the current file
 * @pd:			libpcap handle from pcap_open_dead()
 * @prog:		compiled filter
 * @has_filter:		@prog is valid
 * @snaplen:		bytes kept of each frame
 * @limit:		rotate before a file would exceed this many bytes, or 0
 * @max_files:		files kept with rotation, 0 for no end
 * @index:		number of the current file
 * @cur_size:		bytes in the current file
 * @out:		descriptor of the current file
 * @f:			stdio stream over @out
 * @dumper:		libpcap's dumper over @f, NULL once closed
 * @dirty:		bytes were written since the last flush
 * @last_flush:		monotonic milliseconds of the last flush
 * @async:		wakes the loop thread to run @on_fail, or NULL
 * @on_fail:		callback after the output failed
 * @on_fail_arg:	its argument
 * @thread:		the writer thread
 * @mu:			protects the sleep of the writer and @done
 * @cv:			wakes the writer
 * @done_cv:		signals @done to cap_close()
 * @done:		the writer has finished
 * @sleeping:		the writer waits on @cv and needs a signal
 * @stop:		cap_close() asked the writer to finish
 * @abort:		cap_close() gave up waiting: discard what is queued
 * @failed:		the output failed; frames are only counted
 * @ring:		frame records
 * @size:		bytes in @ring, a power of two
 * @mask:		@size - 1
 * @head:		bytes ever produced (written by cap_frame())
 * @tail:		bytes ever consumed (written by the writer)
 * @captured:		see struct cap_stats; these four are written by the
 * @filtered_out:	loop thread only
 * @dropped_full:
 * @p_dropped_failed:	frames given to cap_frame() after the failure
 * @w_dropped_failed:	queued frames lost to the failure (writer)
 * @frames_written:	see struct cap_stats; these three are written by
 * @bytes_written:	the writer only
 * @files_rotated:
 */
struct cap {
	char *file;
	char *name;
	pcap_t *pd;
	struct bpf_program prog;
	int has_filter;
	uint32_t snaplen;
	long long limit;
	int max_files;
	int index;
	long long cur_size;
	struct cap_out out;
	FILE *f;
	pcap_dumper_t *dumper;
	int dirty;
	int64_t last_flush;
	struct loop_async *async;
	void (*on_fail)(void *arg, struct cap *c);
	void *on_fail_arg;

	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_cond_t done_cv;
	int done;
	atomic_int sleeping;
	atomic_int stop;
	atomic_int abort;
	atomic_int failed;

	uint8_t *ring;
	size_t size;
	size_t mask;
	_Alignas(64) _Atomic uint64_t head;
	_Atomic uint64_t captured;
	_Atomic uint64_t filtered_out;
	_Atomic uint64_t dropped_full;
	_Atomic uint64_t p_dropped_failed;
	_Alignas(64) _Atomic uint64_t tail;
	_Atomic uint64_t w_dropped_failed;
	_Atomic uint64_t frames_written;
	_Atomic uint64_t bytes_written;
	_Atomic uint64_t files_rotated;
};

/**
 * cap_inc() - add to a counter that only one thread writes
 * @v:		counter
 * @n:		amount
 *
 * A plain load and store: no locked instruction on the data path.
 */
static inline void cap_inc(_Atomic uint64_t *v, uint64_t n)
{
	atomic_store_explicit(v,
			      atomic_load_explicit(v, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

/**
 * cap_get() - read a counter
 * @v:		counter
 *
 * Return: its value
 */
static inline uint64_t cap_get(const _Atomic uint64_t *v)
{
	return atomic_load_explicit((_Atomic uint64_t *)v,
				    memory_order_relaxed);
}

/**
 * cap_start_file() - open @path and write a pcap file header to it
 * @c:		capture (its previous file, if any, is closed)
 * @path:	where
 * @err:	error message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
static int cap_start_file(struct cap *c, const char *path, char *err,
			  size_t errlen)
{
	FILE *f;

	if (cap_open_fd(&c->out, path, err, errlen) < 0)
		return -1;
	f = cap_out_fopen(&c->out);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		cap_out_close(&c->out);
		return -1;
	}
	setvbuf(f, NULL, _IOFBF, CAP_STDIO_BUF);
	c->dumper = pcap_dump_fopen(c->pd, f);
	if (!c->dumper) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(c->pd));
		fclose(f);
		return -1;
	}
	c->f = f;
	c->cur_size = CAP_FILE_HDR;
	c->dirty = 1;
	cap_inc(&c->bytes_written, CAP_FILE_HDR);
	return 0;
}

/**
 * cap_async() - on the loop thread: tell the owner the output failed
 * @arg:	the capture
 */
static void cap_async(void *arg)
{
	struct cap *c = arg;

	c->on_fail(c->on_fail_arg, c);
}

/**
 * cap_fail() - writer: stop writing for good, with one log line
 * @c:		capture
 * @what:	what failed, for the log
 */
static void cap_fail(struct cap *c, const char *what)
{
	int aborted = atomic_load(&c->abort);

	if (aborted)
		log_warnx("capture %s: output blocked at stop, frames still "
			  "queued are dropped",
			  c->file);
	else
		log_warnx("capture %s: %s; capture stopped", c->file, what);
	atomic_store(&c->failed, 1);
	if (c->dumper)
		pcap_dump_close(c->dumper); /* also closes the descriptor */
	c->dumper = NULL;
	c->f = NULL;
	if (c->async && !aborted)
		loop_async_notify(c->async);
}

/**
 * cap_fail_errno() - writer: cap_fail() for a failed write or flush
 * @c:		capture
 */
static void cap_fail_errno(struct cap *c)
{
	cap_fail(c, strerror(c->out.err ? c->out.err : EIO));
}

/**
 * cap_flush() - writer: flush the current file
 * @c:		capture
 *
 * Return: 0, or -1 after cap_fail()
 */
static int cap_flush(struct cap *c)
{
	c->last_flush = loop_now_ms();
	c->dirty = 0;
	if (pcap_dump_flush(c->dumper) < 0) {
		cap_fail_errno(c);
		return -1;
	}
	return 0;
}

/**
 * cap_set_name() - writer: put the name of file number @c->index in @c->name
 * @c:		capture
 *
 * tcpdump's -C naming: FILE, then FILE1, FILE2, ...
 */
static void cap_set_name(struct cap *c)
{
	size_t n = strlen(c->file) + 16;

	if (c->index)
		snprintf(c->name, n, "%s%d", c->file, c->index);
	else
		snprintf(c->name, n, "%s", c->file);
}

/**
 * cap_rotate() - writer: close the current file and start the next one
 * @c:		capture
 *
 * Return: 0, or -1 after cap_fail()
 */
static int cap_rotate(struct cap *c)
{
	char err[256];

	if (cap_flush(c) < 0)
		return -1;
	pcap_dump_close(c->dumper);
	c->dumper = NULL;
	c->f = NULL;
	c->index++;
	if (c->max_files && c->index >= c->max_files)
		c->index = 0;
	cap_set_name(c);
	if (cap_start_file(c, c->name, err, sizeof(err)) < 0) {
		cap_fail(c, err);
		return -1;
	}
	cap_inc(&c->files_rotated, 1);
	return 0;
}

/**
 * cap_write_rec() - writer: write one frame, rotating first if needed
 * @c:		capture
 * @r:		its record header
 * @data:	its bytes
 */
static void cap_write_rec(struct cap *c, const struct cap_rec *r,
			  const uint8_t *data)
{
	long long need = CAP_REC_HDR + (long long)r->caplen;
	struct pcap_pkthdr h;

	/* Rotate before the frame that would make the file too large. */
	if (c->limit && c->cur_size + need > c->limit &&
	    c->cur_size > CAP_FILE_HDR && cap_rotate(c) < 0) {
		cap_inc(&c->w_dropped_failed, 1);
		return;
	}
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)r->sec;
	h.ts.tv_usec = (suseconds_t)r->usec;
	h.caplen = r->caplen;
	h.len = r->len;
	pcap_dump((u_char *)c->dumper, &h, data);
	if (ferror(c->f)) {
		cap_fail_errno(c);
		cap_inc(&c->w_dropped_failed, 1);
		return;
	}
	c->cur_size += need;
	c->dirty = 1;
	cap_inc(&c->bytes_written, (uint64_t)need);
	cap_inc(&c->frames_written, 1);
}

/**
 * cap_drain() - writer: consume everything published so far
 * @c:		capture
 */
static void cap_drain(struct cap *c)
{
	uint64_t tail = atomic_load_explicit(&c->tail, memory_order_relaxed);
	uint64_t head = atomic_load(&c->head);
	struct cap_rec r;

	while (tail != head) {
		size_t off = tail & c->mask, room = c->size - off;

		if (room < sizeof(r)) {
			tail += room;
			continue;
		}
		memcpy(&r, c->ring + off, sizeof(r));
		if (r.caplen == CAP_WRAP) {
			tail += room;
			continue;
		}
		if (atomic_load_explicit(&c->failed, memory_order_relaxed))
			cap_inc(&c->w_dropped_failed, 1);
		else
			cap_write_rec(c, &r, c->ring + off + sizeof(r));
		tail += CAP_ALIGN(sizeof(r) + r.caplen);
		atomic_store_explicit(&c->tail, tail, memory_order_release);
		if (c->dirty && !atomic_load(&c->failed) &&
		    loop_now_ms() - c->last_flush >= CAP_FLUSH_MS)
			cap_flush(c);
	}
	atomic_store_explicit(&c->tail, tail, memory_order_release);
}

/**
 * cap_writer() - the writer thread: drain, flush when idle, sleep
 * @arg:	the capture
 *
 * Return: NULL
 */
static void *cap_writer(void *arg)
{
	struct cap *c = arg;

	for (;;) {
		cap_drain(c);
		if (c->dirty && !atomic_load(&c->failed))
			cap_flush(c);
		if (atomic_load(&c->stop) &&
		    atomic_load(&c->head) == atomic_load(&c->tail))
			break;
		/* Pairs with cap_frame(): publish head, then read sleeping. */
		atomic_store(&c->sleeping, 1);
		if (atomic_load(&c->head) != atomic_load(&c->tail) ||
		    atomic_load(&c->stop)) {
			atomic_store(&c->sleeping, 0);
			continue;
		}
		pthread_mutex_lock(&c->mu);
		while (atomic_load(&c->sleeping) && !atomic_load(&c->stop))
			pthread_cond_wait(&c->cv, &c->mu);
		pthread_mutex_unlock(&c->mu);
	}
	if (c->dumper) {
		if (pcap_dump_flush(c->dumper) < 0)
			cap_fail_errno(c);
		else
			pcap_dump_close(c->dumper);
		c->dumper = NULL;
		c->f = NULL;
	}
	pthread_mutex_lock(&c->mu);
	c->done = 1;
	pthread_cond_signal(&c->done_cv);
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/**
 * cap_check() - validate a configuration
 * @cfg:	configuration
 * @snaplen:	snaplen to use, set on success
 * @limit:	bytes per file or 0, set on success
 * @err:	error message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
static int cap_check(const struct cap_config *cfg, uint32_t *snaplen,
		     long long *limit, char *err, size_t errlen)
{
	if (!cfg->file || !*cfg->file) {
		snprintf(err, errlen, "no capture file");
		return -1;
	}
	if (cfg->snaplen < 0 || cfg->snaplen > CAP_SNAPLEN_MAX) {
		snprintf(err, errlen, "snaplen %d: not in 1..%d", cfg->snaplen,
			 CAP_SNAPLEN_MAX);
		return -1;
	}
	*snaplen = cfg->snaplen ? (uint32_t)cfg->snaplen : CAP_SNAPLEN_DEFAULT;
	if (cfg->max_size_mb < 0 || cfg->max_size_mb > LLONG_MAX / 1000000 ||
	    cfg->max_size_bytes < 0 || cfg->max_files < 0) {
		snprintf(err, errlen, "negative or too large rotation limits");
		return -1;
	}
	*limit = cfg->max_size_bytes ? cfg->max_size_bytes
				     : (long long)cfg->max_size_mb * 1000000;
	if (cfg->max_files && !*limit) {
		snprintf(err, errlen, "max files %d needs a max size",
			 cfg->max_files);
		return -1;
	}
	if (*limit && !strcmp(cfg->file, "-")) {
		snprintf(err, errlen, "standard output cannot be rotated");
		return -1;
	}
	if (*limit &&
	    *limit < CAP_FILE_HDR + CAP_REC_HDR + (long long)*snaplen) {
		snprintf(err, errlen,
			 "max size %lld bytes cannot hold a frame of snaplen "
			 "%u",
			 *limit, *snaplen);
		return -1;
	}
	return 0;
}

/**
 * cap_start_writer() - start the writer thread with every signal blocked
 * @c:		capture
 *
 * Blocking SIGPIPE there also keeps a vanished FIFO reader from killing
 * a process that does not ignore it: the write fails with EPIPE.
 *
 * Return: 0, or an error number
 */
static int cap_start_writer(struct cap *c)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->thread, NULL, cap_writer, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/**
 * cap_free() - release what cap_open() allocated
 * @c:		capture, its writer not running
 */
static void cap_free(struct cap *c)
{
	if (c->dumper)
		pcap_dump_close(c->dumper);
	if (c->has_filter)
		pcap_freecode(&c->prog);
	if (c->pd)
		pcap_close(c->pd);
	loop_async_free(c->async);
	free(c->ring);
	free(c->name);
	free(c->file);
	free(c);
}

/**
 * cap_open() - start a capture
 * @l:		loop that runs @cfg->on_fail; may be NULL without it
 * @cfg:	what and where (copied; nothing is kept of it)
 * @err:	error message buffer: pcap's own text for a bad filter
 * @errlen:	its size
 *
 * Opens the output (never blocking: a FIFO must have its reader), writes
 * the pcap header and starts the writer thread.  Loop thread.
 *
 * Return: the capture, or NULL with @err set and nothing started
 */
struct cap *cap_open(struct loop *l, const struct cap_config *cfg, char *err,
		     size_t errlen)
{
	size_t want, rec;
	long long limit;
	uint32_t snaplen;
	struct cap *c;
	void *mem;

	if (cap_check(cfg, &snaplen, &limit, err, errlen) < 0)
		return NULL;
	if (cfg->on_fail && !l) {
		snprintf(err, errlen, "on_fail needs a loop");
		return NULL;
	}
	if (posix_memalign(&mem, 64, sizeof(*c)))
		fatal("posix_memalign");
	c = memset(mem, 0, sizeof(*c));
	c->out.fd = -1;
	c->out.abort = &c->abort;
	c->snaplen = snaplen;
	c->limit = limit;
	c->max_files = cfg->max_files;
	c->on_fail = cfg->on_fail;
	c->on_fail_arg = cfg->on_fail_arg;
	c->file = xstrdup(cfg->file);
	c->name = xmalloc(strlen(cfg->file) + 16);
	c->pd = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	rec = CAP_ALIGN(sizeof(struct cap_rec) + snaplen);
	want = cfg->ring_bytes ? cfg->ring_bytes : CAP_RING_DEFAULT;
	if (want < 2 * rec)
		want = 2 * rec;
	for (c->size = 4096; c->size < want; c->size <<= 1)
		;
	c->mask = c->size - 1;
	c->ring = xmalloc(c->size);
	if (!c->pd) {
		snprintf(err, errlen, "pcap_open_dead failed");
		goto fail;
	}
	if (cfg->filter && *cfg->filter) {
		if (pcap_compile(c->pd, &c->prog, cfg->filter, 1,
				 PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(err, errlen, "%s", pcap_geterr(c->pd));
			goto fail;
		}
		c->has_filter = 1;
	}
	cap_set_name(c);
	if (cap_start_file(c, c->file, err, errlen) < 0)
		goto fail;
	c->last_flush = loop_now_ms();
	if (c->on_fail)
		c->async = loop_async_new(l, cap_async, c);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	pthread_cond_init(&c->done_cv, NULL);
	if (cap_start_writer(c)) {
		snprintf(err, errlen, "cannot start the capture thread");
		pthread_cond_destroy(&c->done_cv);
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		goto fail;
	}
	return c;
fail:
	cap_free(c);
	return NULL;
}

/**
 * cap_frame() - offer one frame to the capture
 * @c:		capture, or NULL (then nothing happens)
 * @frame:	Ethernet frame
 * @len:	its length
 *
 * Loop thread only (the ring has a single producer).  Filters, copies up
 * to snaplen bytes with a timestamp into the ring and returns; never
 * blocks, never allocates.  A full ring or a failed output only counts.
 */
void cap_frame(struct cap *c, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;
	struct cap_rec r;
	struct timeval tv;
	uint64_t head, tail;
	size_t off, room, need, pad = 0;
	uint32_t caplen;

	if (!c)
		return;
	if (atomic_load_explicit(&c->failed, memory_order_relaxed)) {
		cap_inc(&c->p_dropped_failed, 1);
		return;
	}
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	if (c->has_filter) {
		memset(&h, 0, sizeof(h));
		h.caplen = h.len = (bpf_u_int32)len;
		if (!pcap_offline_filter(&c->prog, &h, frame)) {
			cap_inc(&c->filtered_out, 1);
			return;
		}
	}
	caplen = len < c->snaplen ? (uint32_t)len : c->snaplen;
	need = CAP_ALIGN(sizeof(r) + caplen);
	head = atomic_load_explicit(&c->head, memory_order_relaxed);
	tail = atomic_load_explicit(&c->tail, memory_order_acquire);
	off = head & c->mask;
	room = c->size - off;
	if (room < need)
		pad = room;
	if (c->size - (size_t)(head - tail) < pad + need) {
		cap_inc(&c->dropped_full, 1);
		return;
	}
	if (pad) {
		if (pad >= sizeof(r)) {
			r.caplen = CAP_WRAP;
			memcpy(c->ring + off, &r.caplen, sizeof(r.caplen));
		}
		off = 0;
	}
	gettimeofday(&tv, NULL);
	r.caplen = caplen;
	r.len = (uint32_t)len;
	r.sec = tv.tv_sec;
	r.usec = tv.tv_usec;
	memcpy(c->ring + off, &r, sizeof(r));
	memcpy(c->ring + off + sizeof(r), frame, caplen);
	atomic_store(&c->head, head + pad + need);
	cap_inc(&c->captured, 1);
	/* Pairs with cap_writer(): a sleeping writer needs a signal. */
	if (atomic_load(&c->sleeping)) {
		pthread_mutex_lock(&c->mu);
		atomic_store(&c->sleeping, 0);
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
}

/**
 * cap_failed() - has the output failed?  Any thread.
 * @c:		capture
 *
 * Return: non-zero once the capture stopped writing
 */
int cap_failed(const struct cap *c)
{
	return atomic_load(&((struct cap *)c)->failed);
}

/**
 * cap_get_stats() - read the counters.  Any thread.
 * @c:		capture
 * @st:		filled in
 */
void cap_get_stats(const struct cap *c, struct cap_stats *st)
{
	st->captured = cap_get(&c->captured);
	st->filtered_out = cap_get(&c->filtered_out);
	st->dropped_full = cap_get(&c->dropped_full);
	st->dropped_failed =
	    cap_get(&c->p_dropped_failed) + cap_get(&c->w_dropped_failed);
	st->frames_written = cap_get(&c->frames_written);
	st->bytes_written = cap_get(&c->bytes_written);
	st->files_rotated = cap_get(&c->files_rotated);
}

/**
 * cap_close() - write what is queued, flush, close and free
 * @c:		capture, or NULL
 *
 * Loop thread, at any time (from the on_fail callback too).  Waits up to
 * CAP_CLOSE_WAIT_MS for the writer to drain; an output that accepts
 * nothing for that long (a FIFO nobody reads) loses what is still queued,
 * so the loop never stalls for more than about a third of a second.
 */
void cap_close(struct cap *c)
{
	struct timespec ts;

	if (!c)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += CAP_CLOSE_WAIT_MS * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&c->mu);
	atomic_store(&c->stop, 1);
	atomic_store(&c->sleeping, 0);
	pthread_cond_signal(&c->cv);
	while (!c->done)
		if (pthread_cond_timedwait(&c->done_cv, &c->mu, &ts) ==
		    ETIMEDOUT)
			break;
	if (!c->done)
		atomic_store(&c->abort, 1);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->done_cv);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	cap_free(c);
}
