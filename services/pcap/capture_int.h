/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capture_int.h - what capture.c (ring, writer, rotation) and output.c
 * (the descriptor and stdio stream under libpcap) share. Not for other
 * modules: they use capture.h.
 */
#ifndef USERNETD_PCAP_CAPTURE_INT_H
#define USERNETD_PCAP_CAPTURE_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

/* A blocked write looks at cap_close()'s abort this often. */
#define CAP_POLL_MS 100

/**
 * struct cap_out - the descriptor under the stdio stream libpcap writes to
 * @fd:		output descriptor (ours: a dup of stdout for "-")
 * @chunk:	0, or the most to write after each poll(2) when @fd is
 *		blocking and not a regular file (standard output)
 * @err:	errno of the first failed write
 * @abort:	set by cap_close(): fail instead of waiting for the reader
 */
struct cap_out {
	int fd;
	size_t chunk;
	int err;
	atomic_int *abort;
};

int cap_open_fd(struct cap_out *o, const char *path, char *err, size_t errlen);
FILE *cap_out_fopen(struct cap_out *o);
int cap_out_close(void *cookie);

#endif /* USERNETD_PCAP_CAPTURE_INT_H */
