/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * networksyaml.h - one network of Lima's networks.yaml
 * ($LIMA_HOME/_config/networks.yaml, `--networks FILE --network NAME`),
 * read with libyaml.  Lima's schema:
 *
 *	paths: {socketVMNet: ..., varRun: ..., sudoers: ...}	# ignored
 *	group: everyone						# ignored
 *	networks:
 *	  user-v2: {mode: user-v2, gateway: 192.168.104.1,
 *		    netmask: 255.255.255.0}
 *	  shared:  {mode: shared, gateway: 192.168.105.1,
 *		    dhcpEnd: 192.168.105.254, netmask: 255.255.255.0}
 *	  bridged: {mode: bridged, interface: en0}
 *
 * Defaults as in Lima: netmask 255.255.255.0, dhcpEnd the gateway with its
 * last byte set to 254.  The file's gateway only defines the subnet
 * (gateway & netmask); usernetd's own gateway is subnet + 2, DNS + 3.
 *
 * Mistakes are reported as "FILE:LINE:COLUMN: message" (the caller exits
 * with status 2); unknown keys are only warned about (log_warnx), as Lima
 * does.  A mode other than user-v2 is not an error here: it is returned,
 * and the caller says usernetd does not serve it.
 */
#ifndef USERNETD_NETWORKSYAML_H
#define USERNETD_NETWORKSYAML_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define CFG_NET_IFNAME_MAX 64 /* interface, NUL included */

/**
 * enum cfg_net_mode - networks.<name>.mode
 * @CFG_NET_USER_V2:	"user-v2": the one usernetd serves
 * @CFG_NET_SHARED:	"shared" (socket_vmnet)
 * @CFG_NET_BRIDGED:	"bridged" (socket_vmnet)
 * @CFG_NET_HOST:	"host" (socket_vmnet)
 */
enum cfg_net_mode {
	CFG_NET_USER_V2 = 1,
	CFG_NET_SHARED,
	CFG_NET_BRIDGED,
	CFG_NET_HOST,
};

/**
 * struct cfg_network - one network of networks.yaml, checked
 * @mode:	its mode
 * @has_subnet:	true when the network has addresses (every mode but
 *		bridged); the fields below but @interface are 0 otherwise
 * @gateway:	the gateway as written in the file (Lima's host side
 *		address; for user-v2 it only defines the subnet)
 * @subnet:	network address, @gateway & @netmask
 * @netmask:	contiguous netmask (default 255.255.255.0)
 * @prefixlen:	length of @netmask in bits: 8..29 for user-v2 (room for
 *		.1 .. .3 and a pool), 1..30 for the other modes
 * @dhcp_end:	last address of the DHCP pool, inside the subnet, neither
 *		its network nor its broadcast address (default: @gateway
 *		with its last byte 254); for user-v2 at least subnet + 4,
 *		the first address usernetd hands out
 * @interface:	the host interface of a bridged network, "" if none
 */
struct cfg_network {
	enum cfg_net_mode mode;
	bool has_subnet;
	struct in_addr gateway;
	struct in_addr subnet;
	struct in_addr netmask;
	unsigned int prefixlen;
	struct in_addr dhcp_end;
	char interface[CFG_NET_IFNAME_MAX];
};

const char *cfg_net_mode_name(enum cfg_net_mode mode);
int cfg_networks_load(const char *path, const char *name,
		      struct cfg_network *out, char *err, size_t errlen);
int cfg_networks_load_buffer(const char *path, const void *buf, size_t len,
			     const char *name, struct cfg_network *out,
			     char *err, size_t errlen);

#endif /* USERNETD_NETWORKSYAML_H */
