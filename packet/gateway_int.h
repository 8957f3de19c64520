/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gateway_int.h - what gateway.c shares with gateway_info.c: the
 * gateway's libslirp instance. Not for other modules.
 */
#ifndef USERNETD_GATEWAY_INT_H
#define USERNETD_GATEWAY_INT_H

#include <slirp/libslirp.h>

#include "packet/gateway.h"

Slirp *gw_slirp(const struct gw *g);

#endif /* USERNETD_GATEWAY_INT_H */
