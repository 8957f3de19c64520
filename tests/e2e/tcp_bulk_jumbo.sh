#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 600
#
# tests/e2e/tcp_bulk_jumbo.sh BUILD_DIR - tcp_bulk.sh at MTU 65520, through
# the NAT and the forward (a TAP created by the daemon, the forward added
# through the API).
TCP_BULK_MTU=65520 TCP_BULK_PATHS=all exec bash "$(dirname "$0")/tcp_bulk.sh" "$@"
