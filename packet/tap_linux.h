/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tap_linux.h - Linux TAP devices, optionally created inside another
 * network namespace.
 *
 * The descriptor returned is a VM port in packet mode: one read(2) returns
 * exactly one Ethernet frame (no packet-information header, IFF_NO_PI),
 * one write(2) sends exactly one frame. It is non-blocking and
 * close-on-exec; the device disappears when the last descriptor on it is
 * closed (it is not made persistent).
 *
 * Linux only: the daemon compiles this module only on Linux.
 */
#ifndef USERNETD_TAP_LINUX_H
#define USERNETD_TAP_LINUX_H

#include <stddef.h>
#include <stdint.h>

/* Length of a MAC address, in bytes. */
#define TAP_MAC_LEN 6

int tap_open(const char *netns, const char *ifname, int mtu, char *err,
	     size_t errlen);
int tap_open_mac(const char *netns, const char *ifname, int mtu,
		 const uint8_t *mac, char *err, size_t errlen);

#endif /* USERNETD_TAP_LINUX_H */
