/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server.c - the slirp mode: every VM connection gets its own isolated
 * network, as QEMU's built-in slirp gives every NIC its own.
 *
 * Port forwards belong to one network at a time: a host port can be bound
 * once. The oldest network that could bind a forward holds it; when that
 * network goes away the forward moves to the next oldest.
 *
 * A user-v2 network with a lease file also has a state file next to it
 * (lan/state.h): opened here before the network is created, so that
 * its registry restores the bound leases and DHCP names and the control
 * API its zones before anything is served; closed (pending write done)
 * after both are gone. The slirp mode keeps no state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "daemon/options.h"
#include "daemon/server.h"
#include "services/pcap/capture.h"
#include "base/loop.h"
#include "lan/network.h"
#include "packet/port.h"
#include "services/dns/dns.h"
#include "services/dns/service.h"
#include "services/hostresolver/hostresolver.h"
#include "lan/state.h"
#ifdef __linux__
#include "packet/tap_linux.h"
#endif

/**
 * struct srv_net - a network and its place in creation order
 * @net:	the network
 * @next:	the next newer one
 */
struct srv_net {
	struct net *net;
	struct srv_net *next;
};

/**
 * struct srv - the daemon
 * @l:		loop
 * @cfg:	configuration
 * @net:	what every network is made with
 * @hr:		host resolver
 * @dnsd:	DNS service
 * @names:	local names answered on host ports
 * @search:	DHCP domain search list, from resolv.conf
 * @shared:	the user-v2 network, NULL in slirp mode
 * @qemu:	QEMU stream listener
 * @fdpass:	fd-passing listener (--listen, Lima's VZ driver)
 * @bess:	seqpacket listener (--listen-bess)
 * @vfkit_bound: the --listen-vfkit socket file is ours to remove
 * @nets:	networks, oldest first
 * @holder:	network holding each forward, or NULL
 * @seq:	connection counter, for names
 * @hook_added:	called for every new network (control API), or NULL
 * @hook_removing: called before a network is freed, or NULL
 * @hook_arg:	their argument
 * @state:	state file of the user-v2 network's lease file, or NULL
 * @cap:	running packet capture, or NULL
 * @cap_port:	the VM port it is limited to, "" for all
 */
struct srv {
	struct loop *l;
	const struct cfg *cfg;
	struct net_config net;
	struct hr *hr;
	struct dnsd *dnsd;
	struct dns_local *names;
	char search[256];
	struct net *shared;
	struct port_listener *qemu;
	struct port_listener *fdpass;
	struct port_listener *bess;
	int vfkit_bound;
	struct srv_net *nets;
	struct net *holder[CFG_FORWARDS_MAX];
	unsigned seq;
	struct cap *cap;
	char cap_port[32];
	srv_net_fn hook_added;
	srv_net_fn hook_removing;
	void *hook_arg;
	struct state *state;
};

/**
 * srv_offer_forwards() - give unheld forwards to @n if it can bind them
 * @s:		server
 * @n:		a network (new, or the one left holding none)
 */
static void srv_offer_forwards(struct srv *s, struct net *n)
{
	int i;

	for (i = 0; i < s->cfg->nfwd; i++) {
		const struct net_forward *f = &s->cfg->fwd[i];

		if (s->holder[i])
			continue;
		if (net_forward_add(n, f)) {
			char h[GW_ADDR_TEXT];

			log_warnx("forward %s %s:%u: cannot bind the host "
				  "port: %s",
				  f->udp ? "udp" : "tcp",
				  gw_addr_text(&f->haddr, h), f->hport,
				  strerror(errno));
			continue;
		}
		s->holder[i] = n;
	}
}

/**
 * srv_net_empty() - the VM of a network left: free it, move its forwards
 * @arg:	server
 * @n:		the network whose VM left
 */
static void srv_net_empty(void *arg, struct net *n)
{
	struct srv *s = arg;
	struct srv_net **pp, *sn;
	int i, moved = 0;

	for (pp = &s->nets; *pp; pp = &(*pp)->next) {
		if ((*pp)->net == n) {
			sn = *pp;
			*pp = sn->next;
			free(sn);
			break;
		}
	}
	for (i = 0; i < s->cfg->nfwd; i++) {
		if (s->holder[i] == n) {
			s->holder[i] = NULL;
			moved = 1;
		}
	}
	log_info("%s: closed", net_name(n));
	if (s->hook_removing)
		s->hook_removing(s->hook_arg, n);
	net_free(n);
	if (moved)
		for (sn = s->nets; sn; sn = sn->next)
			srv_offer_forwards(s, sn->net);
}

/**
 * srv_net_new() - a network for a new VM
 * @s:		server
 * @name:	the VM port's name, which the network takes
 *
 * Return: the network, or NULL (logged)
 */
static struct net *srv_net_new(struct srv *s, const char *name)
{
	struct srv_net *sn, **pp;
	struct net *n;

	n = net_new(s->l, &s->net, name, srv_net_empty, s);
	if (!n)
		return NULL;
	sn = xcalloc(1, sizeof(*sn));
	sn->net = n;
	for (pp = &s->nets; *pp; pp = &(*pp)->next)
		;
	*pp = sn;
	srv_offer_forwards(s, n);
	if (s->cap)
		net_set_capture(n, s->cap, s->cap_port);
	if (s->hook_added)
		s->hook_added(s->hook_arg, n);
	return n;
}

/**
 * srv_attach() - plug a VM in: into the shared network, or a new one
 * @s:		server
 * @fd:		its descriptor
 * @kind:	framing
 * @name:	for logs
 */
static void srv_attach(struct srv *s, int fd, enum port_kind kind,
		       const char *name)
{
	struct net *n = s->shared ? s->shared : srv_net_new(s, name);

	if (!n) {
		close(fd);
		return;
	}
	net_attach(n, fd, kind, name);
}

/**
 * srv_accept_qemu() - a VM connected to the QEMU stream socket
 * @arg:	server
 * @fd:		the connection, ours from now on
 */
static void srv_accept_qemu(void *arg, int fd)
{
	struct srv *s = arg;
	char name[32];

	snprintf(name, sizeof(name), "vm%u", ++s->seq);
	srv_attach(s, fd, PORT_STREAM, name);
}

/**
 * srv_accept_fd() - a VM passed its datagram socket on the --listen socket
 * @arg:	server
 * @fd:		the passed datagram socket, ours from now on
 */
static void srv_accept_fd(void *arg, int fd)
{
	struct srv *s = arg;
	char name[32];

	snprintf(name, sizeof(name), "vz%u", ++s->seq);
	srv_attach(s, fd, PORT_PACKET, name);
}

/**
 * srv_accept_bess() - a VM connected to the seqpacket socket
 * @arg:	server
 * @fd:		the connection, ours from now on
 */
static void srv_accept_bess(void *arg, int fd)
{
	struct srv *s = arg;
	char name[32];

	snprintf(name, sizeof(name), "bess%u", ++s->seq);
	srv_attach(s, fd, PORT_PACKET, name);
}

/**
 * srv_listen_vms() - the --listen, --listen-vfkit and --listen-bess
 * sockets, each mode 0600
 * @s:		server
 *
 * The vfkit socket is one port from the start: its peer is whoever
 * sends to it (only the daemon's uid and root can: mode 0600).
 *
 * Return: 0, or -1 if one cannot be created
 */
static int srv_listen_vms(struct srv *s)
{
	const struct cfg *c = s->cfg;
	int fd;

	if (c->listen_fd) {
		s->fdpass =
		    port_listen_fdpass(s->l, c->listen_fd, srv_accept_fd, s);
		if (!s->fdpass)
			return -1;
		log_info("listening on %s (fd passing)", c->listen_fd);
	}
	if (c->listen_bess) {
		s->bess = port_listen_seqpacket(s->l, c->listen_bess,
						srv_accept_bess, s);
		if (!s->bess)
			return -1;
		log_info("listening on %s (seqpacket)", c->listen_bess);
	}
	if (c->listen_vfkit) {
		fd = port_bind_unixgram(c->listen_vfkit);
		if (fd < 0)
			return -1;
		s->vfkit_bound = 1;
		srv_attach(s, fd, PORT_DGRAM_PEER, "vfkit");
		log_info("listening on %s (vfkit datagrams)", c->listen_vfkit);
	}
	return 0;
}

/**
 * srv_open_taps() - create the --tap ports
 * @s:		server
 *
 * Return: 0, or -1 if one cannot be created
 */
static int srv_open_taps(struct srv *s)
{
	int i;

	for (i = 0; i < s->cfg->ntap; i++) {
		const struct cfg_tap *t = &s->cfg->tap[i];
#ifdef __linux__
		char err[256], name[48];
		int fd;

		fd =
		    tap_open(t->netns, t->ifname, s->net.mtu, err, sizeof(err));
		if (fd < 0) {
			log_warnx("--tap %s:%s: %s", t->netns, t->ifname, err);
			return -1;
		}
		snprintf(name, sizeof(name), "tap:%.24s:%.15s", t->netns,
			 t->ifname);
		srv_attach(s, fd, PORT_PACKET, name);
#else
		log_warnx("--tap %s:%s: TAP devices need Linux", t->netns,
			  t->ifname);
		return -1;
#endif
	}
	return 0;
}

/**
 * srv_dns_start() - the host resolver, the DNS service, the host ports
 * @s:		server
 *
 * Return: 0, or -1
 */
static int srv_dns_start(struct srv *s)
{
	const struct cfg *c = s->cfg;
	struct hr_config hc = {
	    .resolv_conf = c->resolv_conf,
	    .fallback = c->dns_fallback,
	};
	struct dnsd_config dc = {
	    .enabled = c->hostres.enabled,
	    .ipv6 = c->hostres.ipv6,
	};
	char bound[64];

	s->hr = hr_new(s->l, &hc);
	if (!s->hr)
		return -1;
	s->dnsd = dnsd_new(s->l, s->hr, &dc);
	s->net.dnsd = s->dnsd;
	/* Lima: with hostResolver disabled, the static hosts are unused. */
	if (c->hostres.enabled) {
		s->net.hosts = c->hostres.hosts;
		s->net.nhosts = c->hostres.nhosts;
	}
	s->names = net_names_new(&s->net);
	if (hr_search_domains(s->hr, s->search, sizeof(s->search)) > 0)
		s->net.search = s->search;
	if (c->dns_udp) {
		if (dnsd_listen_host(s->dnsd, false, c->dns_udp, s->names,
				     bound, sizeof(bound)))
			return -1;
		log_info("dns: listening on udp %s", bound);
	}
	if (c->dns_tcp) {
		if (dnsd_listen_host(s->dnsd, true, c->dns_tcp, s->names, bound,
				     sizeof(bound)))
			return -1;
		log_info("dns: listening on tcp %s", bound);
	}
	return 0;
}

/**
 * srv_new() - start listening and create the configured ports
 * @l:		loop
 * @c:		configuration, kept (it must outlive the server)
 *
 * Return: the server, or NULL if something could not be set up
 */
struct srv *srv_new(struct loop *l, const struct cfg *c)
{
	struct srv *s = xcalloc(1, sizeof(*s));

	s->l = l;
	s->cfg = c;
	s->net = c->net;
	if (srv_dns_start(s))
		goto fail;
	if (c->net.user_v2) {
		if (c->net.leases_file)
			s->state = state_open(l, c->net.leases_file);
		s->shared = net_new(
		    l, &s->net, c->network_name ? c->network_name : "user-v2",
		    NULL, NULL);
		if (!s->shared)
			goto fail;
		srv_offer_forwards(s, s->shared);
	}
	if (c->listen_qemu) {
		s->qemu =
		    port_listen_unix(l, c->listen_qemu, srv_accept_qemu, s);
		if (!s->qemu)
			goto fail;
		log_info("listening on %s (qemu stream)", c->listen_qemu);
	}
	if (srv_listen_vms(s) || srv_open_taps(s))
		goto fail;
	return s;
fail:
	srv_free(s);
	return NULL;
}

/**
 * srv_free() - close everything; socket files are removed
 * @s:		server, or NULL
 */
void srv_free(struct srv *s)
{
	struct srv_net *sn, *next;

	if (!s)
		return;
	srv_capture_stop(s);
	port_listener_free(s->qemu);
	port_listener_free(s->fdpass);
	port_listener_free(s->bess);
	if (s->vfkit_bound)
		unlink(s->cfg->listen_vfkit);
	net_free(s->shared);
	for (sn = s->nets; sn; sn = next) {
		next = sn->next;
		net_free(sn->net);
		free(sn);
	}
	state_close(s->state);
	dnsd_free(s->dnsd);
	dns_local_free(s->names);
	hr_free(s->hr);
	free(s);
}

/**
 * srv_foreach_net() - call @fn for every network, oldest first (the
 * user-v2 network, or every VM's slirp network)
 * @s:		server
 * @fn:		callback; must not free networks
 * @arg:	its argument
 */
void srv_foreach_net(struct srv *s, srv_net_fn fn, void *arg)
{
	struct srv_net *sn;

	if (s->shared)
		fn(arg, s->shared);
	for (sn = s->nets; sn; sn = sn->next)
		fn(arg, sn->net);
}

/**
 * srv_capture_set() - srv_foreach_net() callback: apply the capture
 * @arg:	server
 * @n:		a network
 */
static void srv_capture_set(void *arg, struct net *n)
{
	struct srv *s = arg;

	net_set_capture(n, s->cap, s->cap_port);
}

/**
 * srv_capture_failed() - the capture's output failed (logged): stop it
 * @arg:	server
 * @c:		the capture that failed
 */
static void srv_capture_failed(void *arg, struct cap *c)
{
	struct srv *s = arg;

	if (s->cap == c)
		srv_capture_stop(s); /* capture.c logged why: one line */
}

/**
 * srv_capture_start() - capture what crosses every network into a pcap
 * @s:		server
 * @cc:		file, filter, snaplen, rotation
 * @port:	only this VM port's frames (the name logged when it
 *		attached), NULL or "" for all
 * @err:	why not, e.g. pcap's text for a bad filter
 * @errlen:	its size
 *
 * Return: 0, or -1 (nothing started; also when a capture runs already)
 */
int srv_capture_start(struct srv *s, const struct cap_config *cc,
		      const char *port, char *err, size_t errlen)
{
	struct cap_config c = *cc;

	if (s->cap) {
		snprintf(err, errlen, "a capture is running already");
		return -1;
	}
	c.on_fail = srv_capture_failed;
	c.on_fail_arg = s;
	s->cap = cap_open(s->l, &c, err, errlen);
	if (!s->cap)
		return -1;
	snprintf(s->cap_port, sizeof(s->cap_port), "%s", port ? port : "");
	srv_foreach_net(s, srv_capture_set, s);
	log_info("capture: started to %s%s%s", cc->file,
		 s->cap_port[0] ? " for port " : "", s->cap_port);
	return 0;
}

/**
 * srv_capture_stop() - stop the capture; what is queued is written
 * @s:		server
 *
 * Return: 0, or -1 if none was running
 */
int srv_capture_stop(struct srv *s)
{
	struct cap *c = s->cap;

	if (!c)
		return -1;
	s->cap = NULL;
	srv_foreach_net(s, srv_capture_set, s);
	cap_close(c);
	return 0;
}

/**
 * srv_capture() - the running capture, or NULL
 * @s:		server
 *
 * Return: the running capture, or NULL
 */
struct cap *srv_capture(struct srv *s)
{
	return s->cap;
}

/**
 * srv_set_net_hooks() - follow networks coming and going (control API)
 * @s:		server
 * @added:	called after a network was created, or NULL
 * @removing:	called before a network is freed, or NULL
 * @arg:	their argument
 */
void srv_set_net_hooks(struct srv *s, srv_net_fn added, srv_net_fn removing,
		       void *arg)
{
	s->hook_added = added;
	s->hook_removing = removing;
	s->hook_arg = arg;
}

/**
 * srv_hr() - the host resolver (its counters), or NULL
 * @s:		server
 *
 * Return: the host resolver, or NULL
 */
struct hr *srv_hr(struct srv *s)
{
	return s->hr;
}

/**
 * srv_dnsd() - the DNS service (its counters), or NULL
 * @s:		server
 *
 * Return: the DNS service, or NULL
 */
struct dnsd *srv_dnsd(struct srv *s)
{
	return s->dnsd;
}

/**
 * srv_host_names() - the names answered on the host DNS ports
 * @s:		server
 *
 * Return: the host ports' names table, or NULL
 */
struct dns_local *srv_host_names(struct srv *s)
{
	return s->names;
}

/**
 * srv_state() - the state file that keeps the control API's zones across
 * restarts, or NULL (slirp mode, or no --leases-file)
 * @s:		server
 *
 * Return: the state file, or NULL
 */
struct state *srv_state(struct srv *s)
{
	return s->state;
}

/**
 * srv_user_v2() - true when all VMs share one network
 * @s:		server
 *
 * Return: 1 in user-v2 mode (one shared network), 0 in slirp mode
 */
int srv_user_v2(const struct srv *s)
{
	return s->shared != NULL;
}
