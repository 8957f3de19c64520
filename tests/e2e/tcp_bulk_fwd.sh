#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 600
#
# tests/e2e/tcp_bulk_fwd.sh BUILD_DIR - tcp_bulk.sh through the forward
# (--forward, host 127.0.0.1:F -> guest :5001) at MTU 1500, both ways.
TCP_BULK_PATHS=fwd exec bash "$(dirname "$0")/tcp_bulk.sh" "$@"
