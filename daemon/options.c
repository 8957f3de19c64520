/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * options.c - command-line parsing. Every value is checked before anything
 * starts (the parsers of values are options_value.c), so a mistake costs
 * one message and exit status 2.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/lima.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "daemon/networksyaml.h"
#include "daemon/options.h"
#include "daemon/sandbox.h"
#include "lan/leases.h"

/**
 * cfg_usage() - print the help text
 * @prog:	the program's name (argv[0])
 */
void cfg_usage(const char *prog)
{
	printf("usage: %s [options]\n"
	       "       %s usernet [limactl usernet's flags] [options]\n"
	       "A user-mode network for virtual machines (Lima).\n\n"
	       "  --listen-qemu PATH   serve VMs on a unix stream socket with "
	       "QEMU's framing\n"
	       "                       (default: $XDG_RUNTIME_DIR/usernetd/"
	       "qemu.sock)\n"
	       "  --listen PATH        serve VMs that pass a datagram socket "
	       "over a unix\n"
	       "                       socket (Lima's VZ driver: one frame "
	       "per datagram)\n"
	       "  --listen-vfkit PATH  serve one VM on a unix datagram socket "
	       "(vfkit, krunkit)\n"
	       "  --listen-bess PATH   serve VMs on a unix seqpacket socket, "
	       "one frame a message\n"
	       "  --mode slirp|user-v2 one network per VM (default), or "
	       "one shared by all\n"
	       "  --networks FILE      Lima's networks.yaml (user-v2 mode), "
	       "with --network NAME\n"
	       "  --lima-network NAME  serve Lima's user-v2 network NAME at "
	       "Lima's paths in\n"
	       "                       $LIMA_HOME/_networks/NAME (default "
	       "~/.lima), leases.json\n"
	       "                       and networks.yaml included\n"
	       "  --subnet CIDR        network (default 192.168.5.0/24); "
	       "gateway .2, DNS .3,\n"
	       "                       first guest .15 (slirp) or .4 "
	       "(user-v2)\n"
	       "  --leases-file PATH   keep DHCP leases there (Lima's "
	       "leases.json format)\n"
	       "  --leases IP=MAC,...  static leases\n"
	       "  --mtu N              MTU, 68 to 65520 (default 1500)\n"
	       "  --forward PROTO:HOSTADDR:HOSTPORT:[GUESTADDR:]GUESTPORT\n"
	       "                       forward a host port to the guest "
	       "(tcp or udp; repeatable)\n"
	       "  --tap NETNS:IFNAME   create TAP IFNAME in network namespace "
	       "NETNS and serve it\n"
	       "                       as a VM (Linux; repeatable)\n"
	       "  --no-host-loopback   guests cannot reach the host's "
	       "127.0.0.1 through .2,\n"
	       "                       nor its ::1 through ::2\n"
	       "  --ipv6-prefix P/64   the guests' IPv6 prefix (default "
	       "fec0::/64, QEMU's;\n"
	       "                       user-v2: a unique-local one from "
	       "the network's name)\n"
	       "  --no-ipv6            serve no IPv6 (no router "
	       "advertisements, NAT or DNS)\n"
	       "  --lima-yaml FILE     read hostResolver (enabled, ipv6, "
	       "hosts) from a lima.yaml\n"
	       "  --resolv-conf FILE   upstream DNS servers (default "
	       "/etc/resolv.conf)\n"
	       "  --dns-fallback LIST  servers when it names none (default "
	       "8.8.8.8,1.1.1.1)\n"
	       "  --dns-udp ADDR:PORT  also serve DNS on a host address "
	       "(port 0: any free one)\n"
	       "  --dns-tcp ADDR:PORT  same, over TCP\n"
	       "  -e, --endpoint PATH  serve the control API (HTTP+JSON, "
	       "gvisor-tap-vsock's)\n"
	       "                       on a unix socket, mode 0600\n"
	       "  --pcap FILE          capture every frame of every network "
	       "into FILE (- is stdout)\n"
	       "  --pcap-filter EXPR   only what matches a tcpdump filter\n"
	       "  --pcap-snaplen N     bytes kept of each frame (default "
	       "65535)\n"
	       "  --pcap-max-size MB   rotate like tcpdump -C, with "
	       "--pcap-max-files N (-W)\n"
	       "  --no-sandbox         do not confine the daemon to the "
	       "system calls it\n"
	       "                       needs once started (seccomp, Linux; "
	       "on by default)\n"
	       "  --sandbox-log        debugging: log forbidden system calls "
	       "and allow them\n"
	       "  -p, --pidfile PATH   write the pid there; refuse to start "
	       "if it is alive\n"
	       "  -v, --verbose        debug logs\n"
	       "  -h, --help           this text\n",
	       prog, prog);
}

enum {
	OPT_LISTEN_QEMU = 256,
	OPT_LISTEN_FD,
	OPT_LISTEN_VFKIT,
	OPT_LISTEN_BESS,
	OPT_SUBNET,
	OPT_MTU,
	OPT_FORWARD,
	OPT_TAP,
	OPT_NO_HOST_LOOPBACK,
	OPT_IPV6_PREFIX,
	OPT_NO_IPV6,
	OPT_LIMA_YAML,
	OPT_RESOLV_CONF,
	OPT_DNS_FALLBACK,
	OPT_DNS_UDP,
	OPT_DNS_TCP,
	OPT_MODE,
	OPT_NETWORKS,
	OPT_NETWORK,
	OPT_LEASES_FILE,
	OPT_LEASES,
	OPT_PCAP,
	OPT_PCAP_FILTER,
	OPT_PCAP_SNAPLEN,
	OPT_PCAP_MAX_SIZE,
	OPT_PCAP_MAX_FILES,
	OPT_SANDBOX,
	OPT_NO_SANDBOX,
	OPT_SANDBOX_LOG,
	OPT_LIMA_NETWORK,
};

static const struct option cfg_longopts[] = {
    {"listen-qemu", required_argument, NULL, OPT_LISTEN_QEMU},
    {"listen", required_argument, NULL, OPT_LISTEN_FD},
    {"listen-vfkit", required_argument, NULL, OPT_LISTEN_VFKIT},
    {"listen-bess", required_argument, NULL, OPT_LISTEN_BESS},
    {"subnet", required_argument, NULL, OPT_SUBNET},
    {"mtu", required_argument, NULL, OPT_MTU},
    {"forward", required_argument, NULL, OPT_FORWARD},
    {"tap", required_argument, NULL, OPT_TAP},
    {"no-host-loopback", no_argument, NULL, OPT_NO_HOST_LOOPBACK},
    {"ipv6-prefix", required_argument, NULL, OPT_IPV6_PREFIX},
    {"no-ipv6", no_argument, NULL, OPT_NO_IPV6},
    {"lima-yaml", required_argument, NULL, OPT_LIMA_YAML},
    {"resolv-conf", required_argument, NULL, OPT_RESOLV_CONF},
    {"dns-fallback", required_argument, NULL, OPT_DNS_FALLBACK},
    {"dns-udp", required_argument, NULL, OPT_DNS_UDP},
    {"dns-tcp", required_argument, NULL, OPT_DNS_TCP},
    {"mode", required_argument, NULL, OPT_MODE},
    {"networks", required_argument, NULL, OPT_NETWORKS},
    {"network", required_argument, NULL, OPT_NETWORK},
    {"leases-file", required_argument, NULL, OPT_LEASES_FILE},
    {"leases", required_argument, NULL, OPT_LEASES},
    {"pcap", required_argument, NULL, OPT_PCAP},
    {"pcap-filter", required_argument, NULL, OPT_PCAP_FILTER},
    {"pcap-snaplen", required_argument, NULL, OPT_PCAP_SNAPLEN},
    {"pcap-max-size", required_argument, NULL, OPT_PCAP_MAX_SIZE},
    {"pcap-max-files", required_argument, NULL, OPT_PCAP_MAX_FILES},
    {"sandbox", no_argument, NULL, OPT_SANDBOX},
    {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
    {"sandbox-log", no_argument, NULL, OPT_SANDBOX_LOG},
    {"lima-network", required_argument, NULL, OPT_LIMA_NETWORK},
    {"endpoint", required_argument, NULL, 'e'},
    {"pidfile", required_argument, NULL, 'p'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/**
 * cfg_defaults() - Lima's slirp network
 * @c:		configuration, zeroed
 */
static void cfg_defaults(struct cfg *c)
{
	memset(c, 0, sizeof(*c));
	inet_pton(AF_INET, "192.168.5.0", &c->net.subnet);
	c->net.prefix = 24;
	c->net.ip6 = 1;
	inet_pton(AF_INET6, "fec0::", &c->net.prefix6); /* QEMU's slirp's */
	c->net.mtu = 1500;
	cfg_hostresolver_init(&c->hostres);
}

/**
 * cfg_set_once() - set a path option that may be given once
 * @dst:	the option's field
 * @arg:	its value
 * @name:	the option, for the message
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: CFG_OK, or CFG_ERROR with a message in @err
 */
static int cfg_set_once(const char **dst, const char *arg, const char *name,
			char *err, size_t errlen)
{
	if (*dst) {
		snprintf(err, errlen, "%s given twice", name);
		return CFG_ERROR;
	}
	*dst = arg;
	return CFG_OK;
}

/**
 * cfg_parse_pcap_num() - --pcap-snaplen, --pcap-max-size, --pcap-max-files
 * @c:		configuration
 * @opt:	the option (its getopt code)
 * @arg:	its value
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: CFG_OK, or CFG_ERROR with a message in @err
 */
static int cfg_parse_pcap_num(struct cfg *c, int opt, const char *arg,
			      char *err, size_t errlen)
{
	long v;

	if (opt == OPT_PCAP_SNAPLEN) {
		if (cfg_parse_int(arg, 1, 262144, &v))
			goto bad;
		c->pcap_snaplen = (int)v;
	} else if (opt == OPT_PCAP_MAX_SIZE) {
		if (cfg_parse_int(arg, 1, 1000000, &v))
			goto bad;
		c->pcap_max_size = v;
	} else {
		if (cfg_parse_int(arg, 1, 100000, &v))
			goto bad;
		c->pcap_max_files = (int)v;
	}
	return CFG_OK;
bad:
	snprintf(err, errlen, "%s: bad value %s",
		 opt == OPT_PCAP_SNAPLEN    ? "--pcap-snaplen (1 to 262144)"
		 : opt == OPT_PCAP_MAX_SIZE ? "--pcap-max-size (MB)"
					    : "--pcap-max-files",
		 arg);
	return CFG_ERROR;
}

/**
 * cfg_parse_opt() - apply one option
 * @c:		configuration
 * @opt:	the option (its getopt code)
 * @arg:	its value, or NULL
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: CFG_OK, CFG_HELP or CFG_ERROR with a message in @err
 */
static int cfg_parse_opt(struct cfg *c, int opt, const char *arg, char *err,
			 size_t errlen)
{
	long v;

	switch (opt) {
	case OPT_LISTEN_QEMU:
		c->listen_qemu = arg;
		return CFG_OK;
	case OPT_LISTEN_FD:
		return cfg_set_once(&c->listen_fd, arg, "--listen", err,
				    errlen);
	case OPT_LISTEN_VFKIT:
		return cfg_set_once(&c->listen_vfkit, arg, "--listen-vfkit",
				    err, errlen);
	case OPT_LISTEN_BESS:
		return cfg_set_once(&c->listen_bess, arg, "--listen-bess", err,
				    errlen);
	case OPT_SUBNET:
		return cfg_parse_cidr(arg, &c->net, err, errlen);
	case OPT_MTU:
		if (cfg_parse_int(arg, 68, 65520, &v)) {
			snprintf(err, errlen, "--mtu %s: expected 68 to 65520",
				 arg);
			return CFG_ERROR;
		}
		c->net.mtu = (int)v;
		return CFG_OK;
	case OPT_FORWARD:
		if (c->nfwd == CFG_FORWARDS_MAX) {
			snprintf(err, errlen, "too many --forward options");
			return CFG_ERROR;
		}
		return cfg_parse_forward(arg, &c->fwd[c->nfwd++], err, errlen);
	case OPT_TAP:
		if (c->ntap == CFG_TAPS_MAX) {
			snprintf(err, errlen, "too many --tap options");
			return CFG_ERROR;
		}
		return cfg_parse_tap(arg, &c->tap[c->ntap++], err, errlen);
	case OPT_NO_HOST_LOOPBACK:
		c->net.no_host_loopback = 1;
		return CFG_OK;
	case OPT_IPV6_PREFIX:
		c->ipv6_prefix_set = 1;
		return cfg_parse_prefix6(arg, &c->net.prefix6, err, errlen);
	case OPT_NO_IPV6:
		c->net.ip6 = 0;
		return CFG_OK;
	case OPT_LIMA_YAML:
		c->lima_yaml = arg;
		return CFG_OK;
	case OPT_RESOLV_CONF:
		c->resolv_conf = arg;
		return CFG_OK;
	case OPT_DNS_FALLBACK:
		c->dns_fallback = arg;
		return CFG_OK;
	case OPT_DNS_UDP:
		c->dns_udp = arg;
		return CFG_OK;
	case OPT_DNS_TCP:
		c->dns_tcp = arg;
		return CFG_OK;
	case OPT_MODE:
		if (strcmp(arg, "slirp") && strcmp(arg, "user-v2")) {
			snprintf(err, errlen,
				 "--mode %s: expected slirp or user-v2", arg);
			return CFG_ERROR;
		}
		c->net.user_v2 = !strcmp(arg, "user-v2");
		return CFG_OK;
	case OPT_NETWORKS:
		c->networks_file = arg;
		return CFG_OK;
	case OPT_NETWORK:
		c->network_name = arg;
		return CFG_OK;
	case OPT_LEASES_FILE:
		c->net.leases_file = arg;
		return CFG_OK;
	case OPT_PCAP:
		c->pcap_file = arg;
		return CFG_OK;
	case OPT_PCAP_FILTER:
		c->pcap_filter = arg;
		return CFG_OK;
	case OPT_PCAP_SNAPLEN:
	case OPT_PCAP_MAX_SIZE:
	case OPT_PCAP_MAX_FILES:
		return cfg_parse_pcap_num(c, opt, arg, err, errlen);
	case OPT_LEASES:
		/* given again, it adds leases (Go's StringToString merges) */
		return leases_parse_arg(arg, &c->statics, &c->net.nstatics, err,
					errlen)
			   ? CFG_ERROR
			   : CFG_OK;
	case OPT_SANDBOX: /* the default now; accepted for old scripts */
		return CFG_OK;
	case OPT_NO_SANDBOX:
		c->sandbox = SANDBOX_OFF;
		return CFG_OK;
	case OPT_SANDBOX_LOG:
		c->sandbox = SANDBOX_LOG;
		return CFG_OK;
	case OPT_LIMA_NETWORK:
		return cfg_set_once(&c->lima_network, arg, "--lima-network",
				    err, errlen);
	case 'e':
		c->endpoint = arg;
		return CFG_OK;
	case 'p':
		c->pidfile = arg;
		return CFG_OK;
	case 'v':
		c->verbose = 1;
		return CFG_OK;
	case 'h':
		return CFG_HELP;
	default:
		snprintf(err, errlen, "unknown option (see --help)");
		return CFG_ERROR;
	}
}

/**
 * cfg_use_network() - serve a user-v2 network of a networks.yaml
 * @c:		configuration
 * @file:	the file, for the message
 * @nw:		the network
 * @err:	why not
 * @errlen:	its size
 *
 * Return: CFG_OK, or CFG_ERROR with a message in @err
 */
static int cfg_use_network(struct cfg *c, const char *file,
			   const struct cfg_network *nw, char *err,
			   size_t errlen)
{
	if (nw->mode != CFG_NET_USER_V2) {
		snprintf(err, errlen,
			 "%s: network %s has mode %s: usernetd serves only "
			 "user-v2 networks",
			 file,
			 c->lima_network ? c->lima_network : c->network_name,
			 cfg_net_mode_name(nw->mode));
		return CFG_ERROR;
	}
	c->net.user_v2 = 1;
	if (!c->ipv6_prefix_set)
		cfg_ula_prefix(c->lima_network ? c->lima_network
					       : c->network_name,
			       &c->net.prefix6);
	c->net.subnet = nw->subnet;
	c->net.prefix = (int)nw->prefixlen;
	c->net.dhcp_end = nw->dhcp_end;
	return CFG_OK;
}

/**
 * cfg_apply_networks() - take the user-v2 network from networks.yaml
 * @c:		configuration: --networks-yaml read, --network-name set
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: CFG_OK, or CFG_ERROR with a message in @err
 */
static int cfg_apply_networks(struct cfg *c, char *err, size_t errlen)
{
	struct cfg_network nw;

	if (!c->network_name) {
		snprintf(err, errlen, "--networks needs --network NAME");
		return CFG_ERROR;
	}
	if (cfg_networks_load(c->networks_file, c->network_name, &nw, err,
			      errlen))
		return CFG_ERROR;
	return cfg_use_network(c, c->networks_file, &nw, err, errlen);
}

/**
 * cfg_add_statics() - append leases to the static ones (start-up: out of
 * memory is fatal)
 * @c:		configuration
 * @l:		leases (taken over: freed here)
 * @n:		how many
 */
static void cfg_add_statics(struct cfg *c, struct dhcp_static_lease *l,
			    size_t n)
{
	struct dhcp_static_lease *all;

	if (!n) {
		free(l);
		return;
	}
	all = xreallocarray(c->statics, c->net.nstatics + n, sizeof(*all));
	memcpy(all + c->net.nstatics, l, n * sizeof(*l));
	free(l);
	c->statics = all;
	c->net.nstatics += n;
}

/**
 * cfg_apply_lima() - --lima-network NAME: Lima's paths, subnet and saved
 * leases for its network NAME, as Lima would pass them to its daemon
 * @c:		configuration
 * @err:	why not
 * @errlen:	its size
 *
 * The paths Lima gives its daemon may not be given too. leases.json is
 * what Lima saved when it last stopped the network; Lima would pass it
 * with --leases, so its entries become static leases. A leases.json that
 * cannot be read is warned about and ignored: the daemon comes up, and
 * Lima writes a new one at the next stop.
 *
 * Return: CFG_OK, or CFG_ERROR with a message in @err
 */
static int cfg_apply_lima(struct cfg *c, char *err, size_t errlen)
{
	struct dhcp_static_lease *l = NULL;
	struct cfg_network nw;
	char lerr[512];
	size_t n = 0;

	if (c->listen_qemu || c->listen_fd || c->endpoint || c->pidfile ||
	    c->networks_file) {
		snprintf(err, errlen,
			 "--lima-network sets the pidfile, sockets and "
			 "networks.yaml (-p, -e, --listen-qemu, --listen, "
			 "--networks): give none of them with it");
		return CFG_ERROR;
	}
	c->lima = xcalloc(1, sizeof(*c->lima));
	if (lima_paths_get(c->lima_network, getenv("LIMA_HOME"), getenv("HOME"),
			   c->lima, err, errlen) ||
	    lima_network_load(c->lima, c->lima_network, &nw, err, errlen) ||
	    cfg_use_network(c, c->lima->networks, &nw, err, errlen) ||
	    lima_mkdirs(c->lima, err, errlen))
		return CFG_ERROR;
	c->network_name = c->lima_network;
	c->pidfile = c->lima->pidfile;
	c->endpoint = c->lima->endpoint;
	c->listen_qemu = c->lima->qemu;
	c->listen_fd = c->lima->fd;
	if (leases_load(c->lima->leases, &l, &n, lerr, sizeof(lerr))) {
		log_warnx("%s; starting without the saved leases", lerr);
		return CFG_OK;
	}
	cfg_add_statics(c, l, n);
	if (leases_find_dup(c->statics, c->net.nstatics, lerr, sizeof(lerr))) {
		snprintf(err, errlen, "%s and --leases: %s given twice",
			 c->lima->leases, lerr);
		return CFG_ERROR;
	}
	return CFG_OK;
}

/**
 * cfg_static_why() - why a static lease cannot be a guest's
 * @c:		configuration, subnet final
 * @ip:		the lease's address
 *
 * Return: NULL if it can, else the reason
 */
static const char *cfg_static_why(const struct cfg *c, struct in_addr ip)
{
	uint32_t net = ntohl(c->net.subnet.s_addr);
	uint32_t mask = ~0U << (32 - c->net.prefix);
	uint32_t a = ntohl(ip.s_addr);

	if ((a & mask) != net)
		return "outside the subnet";
	if (a == net || (a | mask) == ~0U)
		return "the subnet's network or broadcast address";
	if (a - net == 2)
		return "the gateway's";
	if (a - net == 3)
		return "the services host's (DNS, DHCP)";
	return NULL;
}

/**
 * cfg_filter_statics() - keep the static leases the network can honour
 * @c:		configuration, subnet final
 *
 * Lima passes back whatever its daemon's leases endpoint listed, unfiltered
 * but for addresses outside the subnet: gvisor-tap-vsock's own gateway
 * (.2 -> 5a:94:ef:e4:0c:dd), and VMs on .1 and .3, which its pool hands
 * out. .1 is honoured (the pool itself starts at .4). An address that is
 * not a guest's is skipped with one warning each: a VM that had .3 gets a
 * new address from the pool, and the line says so. Refusing to start
 * instead would leave Lima waiting for the fd socket forever. They are
 * counted (leases_skipped in /stats).
 */
static void cfg_filter_statics(struct cfg *c)
{
	char a[INET_ADDRSTRLEN], m[LEASES_MAC_TEXT];
	size_t i, k = 0;

	for (i = 0; i < c->net.nstatics; i++) {
		const struct dhcp_static_lease *l = &c->statics[i];
		const char *why = cfg_static_why(c, l->ip);

		if (!why) {
			c->statics[k++] = *l;
			continue;
		}
		inet_ntop(AF_INET, &l->ip, a, sizeof(a));
		leases_format_mac(l->mac, m);
		if (ntohl(l->ip.s_addr) - ntohl(c->net.subnet.s_addr) == 3)
			log_warnx("leases: %s=%s skipped: %s is %s; %s gets "
				  "a new address",
				  a, m, a, why, m);
		else
			log_warnx("leases: %s=%s skipped: %s is %s", a, m, a,
				  why);
		c->net.statics_skipped++;
	}
	c->net.nstatics = k;
}

/**
 * cfg_parse_all() - cfg_parse_args() without the clean-up on error
 * @c:		configuration, filled
 * @argc:	argument count
 * @argv:	arguments
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: CFG_OK, CFG_HELP, or CFG_ERROR with a message in @err
 */
static int cfg_parse_all(struct cfg *c, int argc, char **argv, char *err,
			 size_t errlen)
{
	int opt, r;

	cfg_defaults(c);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":e:p:vh", cfg_longopts, NULL)) !=
	       -1) {
		if (opt == ':') {
			snprintf(err, errlen, "option %s needs a value",
				 argv[optind - 1]);
			return CFG_ERROR;
		}
		if (opt == '?') {
			snprintf(err, errlen, "unknown option %s (see --help)",
				 argv[optind - 1]);
			return CFG_ERROR;
		}
		r = cfg_parse_opt(c, opt, optarg, err, errlen);
		if (r != CFG_OK)
			return r;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument %s", argv[optind]);
		return CFG_ERROR;
	}
	if (c->lima_yaml &&
	    cfg_lima_yaml_load(c->lima_yaml, &c->hostres, err, errlen))
		return CFG_ERROR;
	if (c->lima_network && cfg_apply_lima(c, err, errlen))
		return CFG_ERROR;
	if (c->networks_file && cfg_apply_networks(c, err, errlen))
		return CFG_ERROR;
	if (c->net.user_v2 && !c->ipv6_prefix_set && !c->networks_file &&
	    !c->lima_network) /* --mode user-v2: Lima's default network's */
		cfg_ula_prefix(c->network_name ? c->network_name : "user-v2",
			       &c->net.prefix6);
	if (!c->net.user_v2 && c->net.prefix > 27) {
		snprintf(err, errlen,
			 "--subnet: the slirp network needs /27 or wider "
			 "(room for .15)");
		return CFG_ERROR;
	}
	cfg_filter_statics(c);
	c->net.statics = c->statics;
	return CFG_OK;
}

/**
 * cfg_parse_args() - parse the command line into @c
 * @c:		configuration, filled (freed again on error)
 * @argc:	argument count
 * @argv:	arguments
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: CFG_OK, CFG_HELP, or CFG_ERROR with a message in @err
 */
int cfg_parse_args(struct cfg *c, int argc, char **argv, char *err,
		   size_t errlen)
{
	char **lima = NULL;
	int r;

	/* `usernetd usernet ARGS`: the argv Lima gives `limactl usernet` */
	if (argc > 1 && !strcmp(argv[1], "usernet")) {
		lima = lima_usernet_argv(argc, argv, &argc);
		argv = lima;
	}
	r = cfg_parse_all(c, argc, argv, err, errlen);
	c->lima_argv = lima; /* option values point into it */
	if (r == CFG_ERROR)
		cfg_free(c);
	return r;
}

/**
 * cfg_free() - free what parsing allocated (static leases, lima.yaml hosts)
 * @c:		configuration
 */
void cfg_free(struct cfg *c)
{
	cfg_hostresolver_free(&c->hostres);
	lima_argv_free(c->lima_argv);
	c->lima_argv = NULL;
	free(c->lima);
	c->lima = NULL;
	free(c->statics);
	c->statics = NULL;
	c->net.statics = NULL;
	c->net.nstatics = 0;
}
