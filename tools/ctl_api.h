/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_api.h - usernetctl's subcommands that talk to usernetd's control API
 * (leases, forward, dns, stats, wait-port, capture) over its unix socket.
 */
#ifndef USERNETD_CTL_API_H
#define USERNETD_CTL_API_H

void ctl_api_global(const char *endpoint, int json);
int ctl_api_leases(int argc, char **argv);
int ctl_api_addresses(int argc, char **argv);
int ctl_api_forward(int argc, char **argv);
int ctl_api_dns(int argc, char **argv);
int ctl_api_stats(int argc, char **argv);
int ctl_api_wait_port(int argc, char **argv);
int ctl_api_capture(int argc, char **argv);

#endif /* USERNETD_CTL_API_H */
