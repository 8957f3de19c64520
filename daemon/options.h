/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * options.h - the command line: parsing and validation of every value,
 * with one clear message for each mistake (main exits with status 2).
 */
#ifndef USERNETD_OPTIONS_H
#define USERNETD_OPTIONS_H

#include <stddef.h>

#include "daemon/lima.h"
#include "daemon/limayaml.h"
#include "lan/network.h"

#define CFG_FORWARDS_MAX 64
#define CFG_TAPS_MAX	 64

/**
 * struct cfg_tap - a TAP device usernetd creates and serves as a VM port
 * @netns:	namespace name (under /var/run/netns) or path
 * @ifname:	interface name
 */
struct cfg_tap {
	char netns[256];
	char ifname[16];
};

/**
 * struct cfg - the daemon's configuration
 * @listen_qemu:	QEMU stream socket path, NULL for none
 * @listen_fd:		fd-passing socket path (Lima's VZ driver), or NULL
 * @listen_vfkit:	vfkit unixgram socket path, or NULL
 * @listen_bess:	seqpacket socket path, or NULL
 * @net:		addresses and policy of every network
 * @fwd:		port forwards
 * @nfwd:		how many
 * @tap:		TAP ports
 * @ntap:		how many
 * @pidfile:		pidfile path, or NULL
 * @verbose:		debug logs
 * @lima_yaml:		lima.yaml to read hostResolver from, or NULL
 * @resolv_conf:	resolv.conf naming upstream servers, or NULL
 * @dns_fallback:	servers when it names none, or NULL
 * @dns_udp:		host address to serve DNS on over UDP, or NULL
 * @dns_tcp:		same, TCP
 * @hostres:		hostResolver settings (defaults, or from lima.yaml)
 * @networks_file:	Lima's networks.yaml, or NULL
 * @network_name:	the network to serve from it
 * @statics:		static leases from --leases (malloc'd)
 * @pcap_file:		capture from the start into this file ("-": stdout)
 * @pcap_filter:	its tcpdump filter, or NULL
 * @pcap_snaplen:	bytes kept of each frame, 0 for 65535
 * @pcap_max_size:	rotate past this many MB, 0 for never
 * @pcap_max_files:	files kept when rotating
 * @endpoint:		control API socket (-e), or NULL
 * @sandbox:		enum sandbox_mode: SANDBOX_ON unless --no-sandbox or
 *			--sandbox-log
 * @lima_network:	--lima-network NAME: Lima's network NAME, or NULL
 * @lima:		its paths (malloc'd), or NULL
 * @lima_argv:		the argv `usernetd usernet ARGS` became (malloc'd;
 *			option values point into it), or NULL
 * @ipv6_prefix_set:	--ipv6-prefix was given: a user-v2 network keeps it
 *			instead of the prefix derived from its name
 */
struct cfg {
	const char *listen_qemu;
	const char *listen_fd;
	const char *listen_vfkit;
	const char *listen_bess;
	struct net_config net;
	struct net_forward fwd[CFG_FORWARDS_MAX];
	int nfwd;
	struct cfg_tap tap[CFG_TAPS_MAX];
	int ntap;
	const char *pidfile;
	int verbose;
	const char *lima_yaml;
	const char *resolv_conf;
	const char *dns_fallback;
	const char *dns_udp;
	const char *dns_tcp;
	struct cfg_hostresolver hostres;
	const char *networks_file;
	const char *network_name;
	struct dhcp_static_lease *statics;
	const char *pcap_file;
	const char *pcap_filter;
	int pcap_snaplen;
	long pcap_max_size;
	int pcap_max_files;
	const char *endpoint;
	int sandbox;
	const char *lima_network;
	struct lima_paths *lima;
	char **lima_argv;
	int ipv6_prefix_set;
};

/* cfg_parse_args() results */
#define CFG_OK	  0
#define CFG_HELP  1
#define CFG_ERROR -1

int cfg_parse_args(struct cfg *c, int argc, char **argv, char *err,
		   size_t errlen);
int cfg_parse_cidr(const char *s, struct net_config *net, char *err,
		   size_t errlen);
int cfg_parse_tap(const char *s, struct cfg_tap *t, char *err, size_t errlen);
void cfg_ula_prefix(const char *name, struct in6_addr *prefix);
int cfg_parse_prefix6(const char *s, struct in6_addr *p, char *err,
		      size_t errlen);
int cfg_parse_forward(const char *s, struct net_forward *f, char *err,
		      size_t errlen);
int cfg_parse_ip(const char *s, struct gw_addr *a, char *why, size_t whylen);
int cfg_parse_hostport(const char *s, int empty_host_ok, struct gw_addr *a,
		       uint16_t *port, char *why, size_t whylen);
int cfg_parse_int(const char *s, long min, long max, long *out);
void cfg_usage(const char *prog);
void cfg_free(struct cfg *c);

#endif /* USERNETD_OPTIONS_H */
