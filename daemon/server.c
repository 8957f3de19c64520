/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server.c - the slirp mode: every VM connection gets its own isolated
 * network, as QEMU's built-in slirp gives every NIC its own.
 *
 * Port forwards belong to one network at a time: a host port can be bound
 * once. The oldest network that could bind a forward holds it; when that
 * network goes away the forward moves to the next oldest.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "options.h"
#include "server.h"
#include "../netstack/loop.h"
#include "../netstack/network.h"
#include "../netstack/port.h"
#include "../dns/dns.h"
#include "../dns/service.h"
#include "../hostresolver/hostresolver.h"
#ifdef __linux__
#include "../netstack/tap_linux.h"
#endif

/**
 * struct srv_net - a network and its place in creation order
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
 * @nets:	networks, oldest first
 * @holder:	network holding each forward, or NULL
 * @seq:	connection counter, for names
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
	struct srv_net *nets;
	struct net *holder[CFG_FORWARDS_MAX];
	unsigned seq;
};

/**
 * srv_offer_forwards() - give unheld forwards to @n if it can bind them
 */
static void srv_offer_forwards(struct srv *s, struct net *n)
{
	int i;

	for (i = 0; i < s->cfg->nfwd; i++) {
		const struct net_forward *f = &s->cfg->fwd[i];

		if (s->holder[i])
			continue;
		if (net_forward_add(n, f)) {
			log_warnx("forward %s %s:%u: cannot bind the host port",
				  f->udp ? "udp" : "tcp", inet_ntoa(f->haddr),
				  f->hport);
			continue;
		}
		s->holder[i] = n;
	}
}

/**
 * srv_net_empty() - the VM of a network left: free it, move its forwards
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
	net_free(n);
	if (moved)
		for (sn = s->nets; sn; sn = sn->next)
			srv_offer_forwards(s, sn->net);
}

/**
 * srv_net_new() - a network for a new VM
 */
static struct net *srv_net_new(struct srv *s, const char *name)
{
	struct srv_net *sn, **pp;
	struct net *n;

	n = net_new(s->l, &s->net, name, srv_net_empty, s);
	if (!n)
		return NULL;
	sn = calloc(1, sizeof(*sn));
	if (!sn)
		fatal("calloc");
	sn->net = n;
	for (pp = &s->nets; *pp; pp = &(*pp)->next)
		;
	*pp = sn;
	srv_offer_forwards(s, n);
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
 */
static void srv_accept_qemu(void *arg, int fd)
{
	struct srv *s = arg;
	char name[32];

	snprintf(name, sizeof(name), "vm%u", ++s->seq);
	srv_attach(s, fd, PORT_STREAM, name);
}

/**
 * srv_open_taps() - create the --tap ports
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
 *
 * Return: the server, or NULL if something could not be set up
 */
struct srv *srv_new(struct loop *l, const struct cfg *c)
{
	struct srv *s = calloc(1, sizeof(*s));

	if (!s)
		fatal("calloc");
	s->l = l;
	s->cfg = c;
	s->net = c->net;
	if (srv_dns_start(s))
		goto fail;
	if (c->net.user_v2) {
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
	if (srv_open_taps(s))
		goto fail;
	return s;
fail:
	srv_free(s);
	return NULL;
}

/**
 * srv_free() - close everything; socket files are removed
 */
void srv_free(struct srv *s)
{
	struct srv_net *sn, *next;

	if (!s)
		return;
	port_listener_free(s->qemu);
	net_free(s->shared);
	for (sn = s->nets; sn; sn = next) {
		next = sn->next;
		net_free(sn->net);
		free(sn);
	}
	dnsd_free(s->dnsd);
	dns_local_free(s->names);
	hr_free(s->hr);
	free(s);
}
