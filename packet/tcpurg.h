/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpurg.h - takes TCP urgent data out of guests' segments before libslirp
 * sees them (CVE-2026-9539, libslirp 4.7's sosendoob()).
 */
#ifndef USERNETD_TCPURG_H
#define USERNETD_TCPURG_H

#include <stddef.h>
#include <stdint.h>

/**
 * enum tcpurg_verdict - what to do with a frame on its way to libslirp
 * @TCPURG_PASS:	no TCP header with urgent data in it: pass it as is
 * @TCPURG_CLEAR:	a TCP header with URG or an urgent pointer: pass it
 *			after tcpurg_clear()
 * @TCPURG_DROP:	an IPv4 fragment that could rewrite a TCP header
 *			already checked (RFC 1858): drop it
 */
enum tcpurg_verdict {
	TCPURG_PASS,
	TCPURG_CLEAR,
	TCPURG_DROP,
};

enum tcpurg_verdict tcpurg_scan(const uint8_t *frame, size_t len,
				size_t *tcp_off);
void tcpurg_clear(uint8_t *frame, size_t tcp_off);
enum tcpurg_verdict tcpurg_fix(uint8_t *frame, size_t len);

#endif /* USERNETD_TCPURG_H */
