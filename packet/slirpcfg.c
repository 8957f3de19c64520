/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * slirpcfg.c - the line saying which libslirp the daemon runs on, logged
 * at start-up: its version (libslirp's own answer, so the system library
 * reports the release really loaded) and where it came from.
 *
 * Built from source, CMake (cmake/libslirp.cmake) passes the tree and the
 * patches applied to it: the names of the files in patches/libslirp
 * without ".patch". Tests grep the line for "window-scaling" to know whether
 * the TCP window-scaling patch is in, so the names are kept as they are.
 */
#include <stdio.h>

#include <slirp/libslirp.h>

#include "packet/slirpcfg.h"

#ifdef USERNETD_SLIRP_FROM
#ifndef USERNETD_SLIRP_PATCHES
#define USERNETD_SLIRP_PATCHES ""
#endif
#else
#define USERNETD_SLIRP_FROM "system library"
#endif

/**
 * slirpcfg_describe() - which libslirp this daemon runs on
 *
 * Return: a static string, e.g. "libslirp 4.7.0 (built from
 * .deps/slirp-src, patches: 0001-tcp-window-scaling)" or "libslirp 4.7.0
 * (system library, unpatched: no TCP window scaling, slower)"
 */
const char *slirpcfg_describe(void)
{
	static char line[512];
#ifdef USERNETD_SLIRP_PATCHES
	const char *patches = USERNETD_SLIRP_PATCHES;

	snprintf(line, sizeof(line), "libslirp %s (%s, %s%s)",
		 slirp_version_string(), USERNETD_SLIRP_FROM,
		 patches[0] ? "patches: " : "no patches", patches);
#else
	snprintf(line, sizeof(line),
		 "libslirp %s (%s, unpatched: no TCP window scaling, slower)",
		 slirp_version_string(), USERNETD_SLIRP_FROM);
#endif
	return line;
}
