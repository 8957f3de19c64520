/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * networksyaml.c - reads one network of Lima's networks.yaml with libyaml's
 * document loader (through yamlutil.c).
 *
 * Two levels of checking.  What Lima's own Go decoder refuses is an error
 * anywhere in the file: a top level that is not a mapping, `paths` that is
 * not a mapping, `group` that is not a string, a network that is not a
 * mapping, a mode or interface that is not a string, an address that is
 * not an IPv4 address, a key defined twice.  What only usernetd needs
 * (a known mode, a gateway, a contiguous netmask, dhcpEnd inside the
 * subnet, room for a pool) is checked on the network asked for only, so a
 * socket_vmnet network that Lima accepts never stops a user-v2 one.
 * Unknown keys are warned about wherever they are (but inside `paths`,
 * which belongs to socket_vmnet and is not read).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "daemon/networksyaml.h"
#include "daemon/yamlutil.h"

#define NW_DEFAULT_NETMASK 0xffffff00u /* 255.255.255.0 */
#define NW_DHCP_END_BYTE   254	       /* default dhcpEnd: gw, .254 */
#define NW_POOL_OFFSET	   4	       /* usernetd's pool: subnet + 4 */
#define NW_NAMES_MAX	   256	       /* "not defined" list, in bytes */

/**
 * struct nw_raw - one network as decoded, before usernetd's own checks
 * @key:	node of its name, for messages
 * @name:	its name
 * @mode:	value node of mode, NULL when absent or null
 * @interface:	value node of interface, NULL when absent or null
 * @gateway_n:	value node of gateway, NULL when absent or null
 * @netmask_n:	value node of netmask, NULL when absent or null
 * @dhcp_end_n:	value node of dhcpEnd, NULL when absent or null
 * @gateway:	gateway, network order, valid with @gateway_n
 * @netmask:	netmask, network order, valid with @netmask_n
 * @dhcp_end:	dhcpEnd, network order, valid with @dhcp_end_n
 */
struct nw_raw {
	const yaml_node_t *key;
	const char *name;
	const yaml_node_t *mode;
	const yaml_node_t *interface;
	const yaml_node_t *gateway_n;
	const yaml_node_t *netmask_n;
	const yaml_node_t *dhcp_end_n;
	struct in_addr gateway;
	struct in_addr netmask;
	struct in_addr dhcp_end;
};

/**
 * struct nw_mode_name - spelling of a mode in the file
 * @mode:	the mode
 * @name:	its name
 */
struct nw_mode_name {
	enum cfg_net_mode mode;
	const char *name;
};

static const struct nw_mode_name nw_modes[] = {
    {CFG_NET_USER_V2, "user-v2"},
    {CFG_NET_SHARED, "shared"},
    {CFG_NET_BRIDGED, "bridged"},
    {CFG_NET_HOST, "host"},
};

/**
 * cfg_net_mode_name() - a mode as networks.yaml spells it
 * @mode:	the mode
 *
 * Return: "user-v2", "shared", "bridged", "host", or "?" for a value that
 * is none of them
 */
const char *cfg_net_mode_name(enum cfg_net_mode mode)
{
	size_t i;

	for (i = 0; i < sizeof(nw_modes) / sizeof(nw_modes[0]); i++)
		if (nw_modes[i].mode == mode)
			return nw_modes[i].name;
	return "?";
}

/**
 * nw_addr_text() - an address in dotted quad, into a caller's buffer
 * @a:		address, host order
 * @buf:	at least INET_ADDRSTRLEN bytes
 *
 * Return: @buf
 */
static const char *nw_addr_text(uint32_t a, char *buf)
{
	struct in_addr in = {.s_addr = htonl(a)};

	if (!inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN))
		strcpy(buf, "?");
	return buf;
}

/**
 * nw_string() - check that a value is a string (any scalar without NUL)
 * @y:		document
 * @n:		value node
 * @net:	network name, for messages
 * @key:	key, for messages
 *
 * Return: 0, or -1 with the error in @y
 */
static int nw_string(const struct cfg_yaml *y, const yaml_node_t *n,
		     const char *net, const char *key)
{
	if (cfg_yaml_string(n))
		return 0;
	return cfg_yaml_error(y, n, "networks.%.64s.%s: expected a string", net,
			      key);
}

/**
 * nw_ipv4() - read an IPv4 address value
 * @y:		document
 * @n:		value node
 * @net:	network name, for messages
 * @key:	key, for messages
 * @out:	the address, network order
 *
 * Return: 0, or -1 with the error in @y
 */
static int nw_ipv4(const struct cfg_yaml *y, const yaml_node_t *n,
		   const char *net, const char *key, struct in_addr *out)
{
	const char *s = cfg_yaml_string(n);

	if (!s)
		return cfg_yaml_error(y, n,
				      "networks.%.64s.%s: expected an IPv4 "
				      "address",
				      net, key);
	if (inet_pton(AF_INET, s, out) != 1)
		return cfg_yaml_error(y, n,
				      "networks.%.64s.%s: \"%.64s\" is not an "
				      "IPv4 address",
				      net, key, s);
	return 0;
}

/**
 * nw_decode() - decode one entry of `networks`, as Lima's decoder would
 * @y:		document
 * @val:	the value node
 * @raw:	its name; filled with what the entry says
 *
 * A null value is an empty network (its mode is then missing); a null
 * field is an absent one.
 *
 * Return: 0, or -1 with the error in @y
 */
static int nw_decode(struct cfg_yaml *y, const yaml_node_t *val,
		     struct nw_raw *raw)
{
	static const char *const keys[] = {"mode", "interface", "gateway",
					   "netmask", "dhcpEnd"};
	const yaml_node_t *seen[sizeof(keys) / sizeof(keys[0])] = {NULL};
	const char *net = raw->name;
	yaml_node_pair_t *p;
	size_t i;

	if (cfg_yaml_is_null(val))
		return 0;
	if (val->type != YAML_MAPPING_NODE)
		return cfg_yaml_error(y, val,
				      "networks.%.64s: expected a mapping "
				      "(mode, gateway, netmask, dhcpEnd, "
				      "interface)",
				      net);
	for (p = val->data.mapping.pairs.start; p < val->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = cfg_yaml_node(y, p->key);
		yaml_node_t *v = cfg_yaml_node(y, p->value);
		const char *ks;
		int r = 0;

		if (!k || !v)
			return cfg_yaml_error(y, val,
					      "networks.%.64s: bad entry", net);
		ks = cfg_yaml_string(k);
		if (!ks)
			return cfg_yaml_error(y, k,
					      "networks.%.64s: a key must be a "
					      "string",
					      net);
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(ks, keys[i]))
				break;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			cfg_yaml_warn(
			    y, k, "unknown key networks.%.64s.%.64s ignored",
			    net, ks);
			continue;
		}
		if (seen[i])
			return cfg_yaml_error(
			    y, k,
			    "networks.%.64s.%s: defined twice "
			    "(first at line %lu)",
			    net, keys[i],
			    (unsigned long)seen[i]->start_mark.line + 1);
		seen[i] = k;
		if (cfg_yaml_is_null(v))
			continue;
		switch (i) {
		case 0:
			r = nw_string(y, v, net, keys[i]);
			raw->mode = v;
			break;
		case 1:
			r = nw_string(y, v, net, keys[i]);
			raw->interface = v;
			break;
		case 2:
			r = nw_ipv4(y, v, net, keys[i], &raw->gateway);
			raw->gateway_n = v;
			break;
		case 3:
			r = nw_ipv4(y, v, net, keys[i], &raw->netmask);
			raw->netmask_n = v;
			break;
		default:
			r = nw_ipv4(y, v, net, keys[i], &raw->dhcp_end);
			raw->dhcp_end_n = v;
			break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/**
 * nw_prefix() - length of a contiguous netmask
 * @mask:	netmask, host order
 *
 * Return: 0..32, or -1 if the one bits are not all on the left
 */
static int nw_prefix(uint32_t mask)
{
	uint32_t inv = ~mask;
	int len = 32;

	if (inv & (inv + 1))
		return -1;
	for (; inv; inv >>= 1)
		len--;
	return len;
}

/**
 * nw_check_addrs() - usernetd's checks of a network's addresses
 * @y:		document
 * @raw:	the decoded network, with a gateway
 * @out:	gets gateway, subnet, netmask, prefix length and dhcpEnd
 *
 * Return: 0, or -1 with the error in @y
 */
static int nw_check_addrs(struct cfg_yaml *y, const struct nw_raw *raw,
			  struct cfg_network *out)
{
	const yaml_node_t *mask_at =
	    raw->netmask_n ? raw->netmask_n : raw->gateway_n;
	const yaml_node_t *end_at = raw->dhcp_end_n ? raw->dhcp_end_n : mask_at;
	char a1[INET_ADDRSTRLEN], a2[INET_ADDRSTRLEN];
	bool user_v2 = out->mode == CFG_NET_USER_V2;
	uint32_t gw = ntohl(raw->gateway.s_addr), mask, net, bcast, end;
	unsigned int lo = user_v2 ? 8 : 1, hi = user_v2 ? 29 : 30;
	const char *net_name = raw->name;
	int plen;

	if ((gw >> 24) == 0 || (gw >> 24) == 127 || (gw >> 24) >= 224)
		return cfg_yaml_error(y, raw->gateway_n,
				      "networks.%.64s.gateway: %s is not a "
				      "unicast address for a network",
				      net_name, nw_addr_text(gw, a1));
	mask = raw->netmask_n ? ntohl(raw->netmask.s_addr) : NW_DEFAULT_NETMASK;
	plen = nw_prefix(mask);
	if (plen < 0)
		return cfg_yaml_error(y, mask_at,
				      "networks.%.64s.netmask: %s is not a "
				      "contiguous netmask",
				      net_name, nw_addr_text(mask, a1));
	if ((unsigned int)plen < lo || (unsigned int)plen > hi)
		return cfg_yaml_error(
		    y, mask_at,
		    "networks.%.64s.netmask: %s (/%d) is out "
		    "of range: a %s network needs /%u to /%u%s",
		    net_name, nw_addr_text(mask, a1), plen,
		    cfg_net_mode_name(out->mode), lo, hi,
		    user_v2 ? " (gateway .2, DNS .3, "
			      "addresses from .4)"
			    : "");
	net = gw & mask;
	bcast = net | ~mask;
	if (raw->dhcp_end_n) {
		end = ntohl(raw->dhcp_end.s_addr);
		if ((end & mask) != net || end == net || end == bcast)
			return cfg_yaml_error(
			    y, end_at,
			    "networks.%.64s.dhcpEnd: %s is outside the "
			    "subnet %s/%d (or its network or broadcast "
			    "address)",
			    net_name, nw_addr_text(end, a1),
			    nw_addr_text(net, a2), plen);
	} else {
		end = (gw & 0xffffff00u) | NW_DHCP_END_BYTE;
		if ((end & mask) != net || end == bcast)
			return cfg_yaml_error(
			    y, end_at,
			    "networks.%.64s: dhcpEnd defaults to %s (the "
			    "gateway with last byte 254), which is outside "
			    "the subnet %s/%d: set dhcpEnd",
			    net_name, nw_addr_text(end, a1),
			    nw_addr_text(net, a2), plen);
	}
	if (user_v2 && end < net + NW_POOL_OFFSET)
		return cfg_yaml_error(y, end_at,
				      "networks.%.64s.dhcpEnd: %s leaves no "
				      "address to hand out (the pool starts at "
				      "%s)",
				      net_name, nw_addr_text(end, a1),
				      nw_addr_text(net + NW_POOL_OFFSET, a2));
	out->has_subnet = true;
	out->gateway.s_addr = htonl(gw);
	out->subnet.s_addr = htonl(net);
	out->netmask.s_addr = htonl(mask);
	out->prefixlen = (unsigned int)plen;
	out->dhcp_end.s_addr = htonl(end);
	return 0;
}

/**
 * nw_check() - usernetd's checks of the network asked for
 * @y:		document
 * @raw:	the decoded network
 * @out:	filled on success
 *
 * Return: 0, or -1 with the error in @y
 */
static int nw_check(struct cfg_yaml *y, const struct nw_raw *raw,
		    struct cfg_network *out)
{
	const char *mode = raw->mode ? cfg_yaml_scalar(raw->mode) : NULL;
	const char *net = raw->name;
	size_t i;

	if (!mode || !*mode)
		return cfg_yaml_error(y, raw->key,
				      "networks.%.64s: mode missing (user-v2, "
				      "shared, bridged or host)",
				      net);
	for (i = 0; i < sizeof(nw_modes) / sizeof(nw_modes[0]); i++)
		if (!strcmp(mode, nw_modes[i].name))
			out->mode = nw_modes[i].mode;
	if (!out->mode)
		return cfg_yaml_error(y, raw->mode,
				      "networks.%.64s.mode: unknown mode "
				      "\"%.64s\" (user-v2, shared, bridged or "
				      "host)",
				      net, mode);
	if (raw->interface) {
		const char *ifn = cfg_yaml_scalar(raw->interface);

		if (strlen(ifn) >= sizeof(out->interface))
			return cfg_yaml_error(y, raw->interface,
					      "networks.%.64s.interface: name "
					      "too long",
					      net);
		strcpy(out->interface, ifn);
	}
	if (!raw->gateway_n) {
		if (out->mode == CFG_NET_BRIDGED)
			return 0;
		return cfg_yaml_error(y, raw->key,
				      "networks.%.64s: gateway missing (a %s "
				      "network needs one: it defines the "
				      "subnet)",
				      net, cfg_net_mode_name(out->mode));
	}
	return nw_check_addrs(y, raw, out);
}

/**
 * nw_not_found() - the error for a network the file does not define
 * @y:		document
 * @at:		node to point at (the networks key, or the root)
 * @networks:	the networks mapping, or NULL
 * @name:	the network asked for
 *
 * Return: -1
 */
static int nw_not_found(struct cfg_yaml *y, const yaml_node_t *at,
			const yaml_node_t *networks, const char *name)
{
	char list[NW_NAMES_MAX] = "";
	size_t used = 0, count = 0;
	yaml_node_pair_t *p;

	if (networks) {
		for (p = networks->data.mapping.pairs.start;
		     p < networks->data.mapping.pairs.top; p++) {
			const char *s =
			    cfg_yaml_scalar(cfg_yaml_node(y, p->key));
			int k;

			if (used >= sizeof(list) - 1)
				break;
			k = snprintf(list + used, sizeof(list) - used, "%s%s",
				     count ? ", " : "", s);
			count++;
			if (k < 0 || (size_t)k >= sizeof(list) - used) {
				/* no room: end the list with "..." */
				strcpy(list + sizeof(list) - 4, "...");
				used = sizeof(list) - 1;
				break;
			}
			used += (size_t)k;
		}
	}
	if (!count)
		return cfg_yaml_error(y, at,
				      "network \"%.64s\" is not defined (the "
				      "file defines no networks)",
				      name);
	return cfg_yaml_error(y, at,
			      "network \"%.64s\" is not defined (defined: %s)",
			      name, list);
}

/**
 * nw_networks() - decode every network, pick the one asked for
 * @y:		document
 * @n:		the networks mapping
 * @name:	network asked for
 * @found:	set to the decoded network asked for
 *
 * Return: 1 if found, 0 if not, -1 with the error in @y
 */
static int nw_networks(struct cfg_yaml *y, const yaml_node_t *n,
		       const char *name, struct nw_raw *found)
{
	yaml_node_pair_t *p, *q;
	int ret = 0;

	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = cfg_yaml_node(y, p->key);
		yaml_node_t *v = cfg_yaml_node(y, p->value);
		struct nw_raw raw = {0};

		if (!k || !v)
			return cfg_yaml_error(y, n, "networks: bad entry");
		raw.key = k;
		raw.name = cfg_yaml_string(k);
		if (!raw.name)
			return cfg_yaml_error(
			    y, k,
			    "networks: a network name must be "
			    "a string");
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			const char *o =
			    cfg_yaml_scalar(cfg_yaml_node(y, q->key));

			if (!strcmp(o, raw.name))
				return cfg_yaml_error(
				    y, k,
				    "networks.%.64s: defined twice "
				    "(first at line %lu)",
				    raw.name,
				    (unsigned long)cfg_yaml_node(y, q->key)
					    ->start_mark.line +
					1);
		}
		if (nw_decode(y, v, &raw) < 0)
			return -1;
		if (!strcmp(raw.name, name)) {
			*found = raw;
			ret = 1;
		}
	}
	return ret;
}

/**
 * nw_load() - read network @name of a networks.yaml file or buffer
 * @path:	the file (read when @buf is NULL), named in messages
 * @buf:	its contents, or NULL
 * @len:	length of @buf
 * @name:	network asked for
 * @out:	the network
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set and @out zeroed
 */
static int nw_load(const char *path, const void *buf, size_t len,
		   const char *name, struct cfg_network *out, char *err,
		   size_t errlen)
{
	const yaml_node_t *seen[3] = {NULL}, *networks = NULL, *root;
	const yaml_node_t *networks_key = NULL;
	static const char *const keys[] = {"paths", "group", "networks"};
	struct nw_raw raw = {0};
	yaml_node_pair_t *p;
	struct cfg_yaml y;
	int r = -1, found;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (cfg_yaml_load(&y, path, buf, len, err, errlen))
		return -1;
	root = cfg_yaml_root(&y);
	if (!root || cfg_yaml_is_null(root)) {
		snprintf(err, errlen,
			 "%s: network \"%.64s\" is not defined (the file is "
			 "empty)",
			 path, name);
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		cfg_yaml_error(&y, root,
			       "expected a mapping (paths, group, networks)");
		goto out;
	}
	for (p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cfg_yaml_node(&y, p->key);
		yaml_node_t *v = cfg_yaml_node(&y, p->value);
		const char *key = k ? cfg_yaml_string(k) : NULL;

		if (!k || !v) {
			cfg_yaml_error(&y, root, "bad entry");
			goto out;
		}
		if (!key) {
			cfg_yaml_error(&y, k, "a key must be a string");
			goto out;
		}
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(key, keys[i]))
				break;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			cfg_yaml_warn(&y, k, "unknown key %.64s ignored", key);
			continue;
		}
		if (seen[i]) {
			cfg_yaml_error(
			    &y, k, "%s: defined twice (first at line %lu)", key,
			    (unsigned long)seen[i]->start_mark.line + 1);
			goto out;
		}
		seen[i] = k;
		if (cfg_yaml_is_null(v))
			continue;
		if (i == 0 && v->type != YAML_MAPPING_NODE) {
			cfg_yaml_error(&y, v, "paths: expected a mapping");
			goto out;
		}
		if (i == 1 && !cfg_yaml_string(v)) {
			cfg_yaml_error(&y, v, "group: expected a string");
			goto out;
		}
		if (i == 2) {
			if (v->type != YAML_MAPPING_NODE) {
				cfg_yaml_error(&y, v,
					       "networks: expected a mapping "
					       "of network names to networks");
				goto out;
			}
			networks = v;
			networks_key = k;
		}
	}
	found = networks ? nw_networks(&y, networks, name, &raw) : 0;
	if (found < 0)
		goto out;
	if (!found) {
		nw_not_found(&y, networks ? networks_key : root, networks,
			     name);
		goto out;
	}
	r = nw_check(&y, &raw, out);
out:
	if (r < 0)
		memset(out, 0, sizeof(*out));
	cfg_yaml_free(&y);
	return r;
}

/**
 * cfg_networks_load() - read network @name of a networks.yaml file
 * @path:	the file
 * @name:	the network (a key of `networks`)
 * @out:	the network, checked; its mode may be any of Lima's (the
 *		caller refuses what it does not serve)
 * @err:	error message, "FILE:LINE:COLUMN: what" (or "FILE: why" when
 *		the file cannot be read or is empty)
 * @errlen:	its size
 *
 * Unknown keys are logged as warnings (log_warnx) with their position.
 *
 * Return: 0, or -1 with @err set and @out zeroed (the caller exits with
 * status 2)
 */
int cfg_networks_load(const char *path, const char *name,
		      struct cfg_network *out, char *err, size_t errlen)
{
	return nw_load(path, NULL, 0, name, out, err, errlen);
}

/**
 * cfg_networks_load_buffer() - cfg_networks_load() on a networks.yaml
 * already in memory (the fuzz target uses it)
 * @path:	name of the input in messages
 * @buf:	the YAML text (need not be NUL-terminated)
 * @len:	its length
 * @name:	the network
 * @out:	the network, checked
 * @err:	error message, "PATH:LINE:COLUMN: what"
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set and @out zeroed
 */
int cfg_networks_load_buffer(const char *path, const void *buf, size_t len,
			     const char *name, struct cfg_network *out,
			     char *err, size_t errlen)
{
	return nw_load(path, buf ? buf : "", len, name, out, err, errlen);
}
