/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attach.h - `usernetctl attach`: relay between a TAP device in the current
 * network namespace and a usernetd socket speaking QEMU's stream framing.
 *
 * Also exposes the two pure helpers of the tool (frame parsing and MAC
 * parsing) so unit tests can exercise them without a TAP device.
 */
#ifndef USERNETD_ATTACH_H
#define USERNETD_ATTACH_H

#include <stddef.h>
#include <stdint.h>

/* QEMU stream framing: a 4-byte big-endian length, then the frame. */
#define ATTACH_HDR_LEN 4
/* Smallest frame: an Ethernet header. */
#define ATTACH_FRAME_MIN 14
/* Largest frame: 65535-byte MTU plus the Ethernet header. */
#define ATTACH_FRAME_MAX 65549

int attach_main(int argc, char **argv);
int attach_frame_next(const uint8_t *buf, size_t len, size_t *frame_len);
int attach_parse_mac(const char *s, uint8_t mac[6]);

#endif /* USERNETD_ATTACH_H */
