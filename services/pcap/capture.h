/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capture.h - packet capture to pcap files through libpcap.
 *
 * A capture takes every Ethernet frame it is handed with cap_frame(),
 * keeps those that pass its BPF filter (tcpdump syntax, compiled by
 * pcap_compile(), applied with pcap_offline_filter()), timestamps them and
 * copies them into a bounded in-memory ring.  A writer thread drains the
 * ring into pcap_dump(), flushes whenever it catches up and at least every
 * second, and rotates files like tcpdump -C/-W.  cap_frame() never blocks
 * and never allocates: when the ring is full, or once the output has
 * failed, frames are only counted.
 *
 * cap_frame() takes whatever it is given: the caller decides which frames
 * a capture sees (the whole network at the switch, or one port only).
 *
 * Threads: cap_open(), cap_frame(), cap_close() and the on_fail callback
 * run on the loop thread (cap_frame() is the ring's single producer);
 * cap_failed() and cap_get_stats() may be called from any thread.
 */
#ifndef USERNETD_CAPTURE_H
#define USERNETD_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct cap;

/**
 * struct cap_config - what to capture and where
 * @file:		output path; "-" is standard output; a FIFO works (its
 *			reader must already be there: cap_open() fails
 *			otherwise, it never blocks)
 * @filter:		tcpdump filter expression, or NULL or "" for all
 * @snaplen:		bytes kept of each frame, 1..262144; 0 means 65535
 * @max_size_mb:	rotate when a file would exceed this many millions of
 *			bytes (tcpdump -C units); 0: one file, no rotation
 * @max_files:		with rotation, keep this many files (tcpdump -W):
 *			@file, @file1, ... @file<N-1>, then @file again,
 *			overwriting the oldest; 0 with @max_size_mb set:
 *			@file, @file1, @file2, ... without end (tcpdump -C
 *			alone); non-zero without a size is refused
 * @max_size_bytes:	if non-zero, overrides @max_size_mb with a limit in
 *			bytes (tests use tiny files); it must hold the 24-byte
 *			file header and one 16-byte record header plus
 *			@snaplen bytes
 * @ring_bytes:		size of the in-memory queue; 0 means 4 MiB
 * @on_fail:		if set, called once on the loop thread after the
 *			output failed (it may cap_close() the capture)
 * @on_fail_arg:	argument of @on_fail
 */
struct cap_config {
	const char *file;
	const char *filter;
	int snaplen;
	long max_size_mb;
	int max_files;
	long long max_size_bytes;
	size_t ring_bytes;
	void (*on_fail)(void *arg, struct cap *c);
	void *on_fail_arg;
};

/**
 * struct cap_stats - counters of a capture
 * @captured:		frames that passed the filter and were queued
 * @filtered_out:	frames the filter rejected
 * @dropped_full:	frames that passed the filter but found the ring full
 * @dropped_failed:	frames handed over after the output failed (not
 *			filtered), plus queued frames lost to the failure
 * @frames_written:	frames handed to pcap_dump()
 * @bytes_written:	bytes of pcap output: file headers, record headers and
 *			frame data
 * @files_rotated:	files closed to open the next one
 */
struct cap_stats {
	uint64_t captured;
	uint64_t filtered_out;
	uint64_t dropped_full;
	uint64_t dropped_failed;
	uint64_t frames_written;
	uint64_t bytes_written;
	uint64_t files_rotated;
};

struct cap *cap_open(struct loop *l, const struct cap_config *cfg, char *err,
		     size_t errlen);
void cap_frame(struct cap *c, const uint8_t *frame, size_t len);
int cap_failed(const struct cap *c);
void cap_get_stats(const struct cap *c, struct cap_stats *st);
void cap_close(struct cap *c);

#endif /* USERNETD_CAPTURE_H */
