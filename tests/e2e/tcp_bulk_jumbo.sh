#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e-timeout: 300
#
# tests/e2e/tcp_bulk_jumbo.sh BUILD_DIR - tcp_bulk.sh at MTU 65520 (a TAP
# created by the daemon, the forward added through the API).
TCP_BULK_MTU=65520 exec bash "$(dirname "$0")/tcp_bulk.sh" "$@"
