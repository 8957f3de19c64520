/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lwipcfg.h - which lwIP usernetd runs on: the system library (Debian's
 * liblwip) or one built from a source tree with usernetd's own options
 * (packet/lwipport/lwipopts.h). lwipcfg.c refuses at compile time an lwIP
 * whose options the code cannot work with.
 */
#ifndef USERNETD_LWIPCFG_H
#define USERNETD_LWIPCFG_H

const char *lwipcfg_describe(void);

#endif /* USERNETD_LWIPCFG_H */
