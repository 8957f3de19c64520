/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * slirpcfg.h - which libslirp usernetd runs on: one built from source with
 * usernetd's patches (patches/libslirp, -DUSERNETD_SLIRP_SOURCE) or the
 * system library, unpatched. Logged at start-up.
 */
#ifndef USERNETD_SLIRPCFG_H
#define USERNETD_SLIRPCFG_H

const char *slirpcfg_describe(void);

#endif /* USERNETD_SLIRPCFG_H */
