/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gateway.c - libslirp glue: configuration, clock, timers and descriptors.
 *
 * libslirp enumerates its sockets on every iteration through
 * slirp_pollfds_fill(); a loop hook adds them to our poll(2) set and hands
 * the results back with slirp_pollfds_poll(). Its timers map one to one
 * onto loop timers. libslirp is not thread-safe and keeps a process-wide
 * clock, so every instance lives on the loop thread.
 *
 * libslirp's own DHCP and DNS are off: the services host answers both.
 * libslirp answers ARP for its vnameserver address even with DNS disabled,
 * so vnameserver is set to the gateway's own address: .3 belongs to the
 * services host alone. The same holds for IPv6: libslirp answers neighbour
 * solicitations for vnameserver6 too, so it is ::2 and ::3 is the services
 * host's. libslirp's IPv6 side sends from another MAC than its IPv4 side
 * (gw_mac6()).
 *
 * libslirp reports through glib's log (g_warning(), g_critical()), some of
 * it on a guest's packets: glib's default handler would write every line
 * to stderr unthrottled, after an isatty() the sandbox forbids (the
 * daemon died of SIGSYS on the first one). Its domain is routed to our
 * log instead, through one throttle (gw_glib_log()).
 *
 * Backpressure: a TCP segment carrying sequence space is offered to the
 * LAN only if its destination port has room (gw_set_room()); if not,
 * send_packet answers -EAGAIN and libslirp keeps the segment queued, in
 * order, until a later round (patch 0015: SLIRP_SEND_PACKET_EAGAIN). A
 * burst of four scaled windows into one full port no longer loses
 * segments that libslirp's Reno recovers only by timeouts. Everything
 * else is sent as before and dropped by a full port, counted: UDP has no
 * window to bound what would wait, RSTs and pure ACKs are answers to the
 * guest's own packets, and a libslirp without the patch keeps nothing.
 *
 * libslirp's connection table, read as text, is gateway_info.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <slirp/libslirp.h>

#include "packet/frame.h"
#include "packet/fwd_relay.h"
#include "packet/gateway.h"
#include "packet/gateway_int.h"
#include "base/loop.h"
#include "base/log.h"
#include "base/xalloc.h"

#define GW_PAUSE_MS 250 /* listeners rest this long while out of fds */
#define GW_SPIN	    16	/* iterations a listener may stay readable */

/* libslirp polls a host forward's listener, and UDP sockets, for these */
#define GW_LISTEN_EVENTS (SLIRP_POLL_IN | SLIRP_POLL_HUP | SLIRP_POLL_ERR)

/**
 * struct gw - one libslirp instance
 * @l:		loop
 * @slirp:	libslirp state
 * @out:	frame output
 * @room:	asked before a TCP segment is sent (gw_set_room()), or NULL
 * @arg:	the argument of @out and @room
 * @host:	gateway address, for its MAC
 * @host6:	gateway IPv6 address, for its IPv6 MAC
 * @pause_until: libslirp's listeners are not polled until then (ms)
 * @out_of_fds:	 "out of descriptors" was logged, and no check since found
 *		 one free
 * @ready_fd:	 this iteration, the first descriptor polled for input only
 *		 that was readable, or -1
 * @spin_fd:	 the last such descriptor
 * @spin:	 iterations in a row @spin_fd was readable
 * @xfwds:	 forwards between address families, each with its relay
 *		 (fwd_relay.c)
 */
struct gw {
	struct loop *l;
	Slirp *slirp;
	gw_output_fn out;
	gw_room_fn room;
	void *arg;
	struct in_addr host;
	struct in6_addr host6;
	int64_t pause_until;
	int out_of_fds;
	int ready_fd;
	int spin_fd;
	int spin;
	struct gw_xfwd *xfwds;
};

/**
 * struct gw_xfwd - a TCP forward between address families, or from [::]
 * (both families): a relay on the host address joined to a libslirp
 * forward on the loopback address of the guest's family (libslirp 4.7
 * forwards within one family only)
 * @udp:	1 for UDP, 0 for TCP
 * @haddr:	host address the relay listens on
 * @hport:	its port
 * @inner:	the loopback address and port of libslirp's forward
 * @ilen:	its length
 * @relay:	the TCP relay, or NULL
 * @dgram:	the UDP relay, or NULL
 * @next:	next one of the gateway
 */
struct gw_xfwd {
	int udp;
	struct gw_addr haddr;
	int hport;
	struct sockaddr_storage inner;
	socklen_t ilen;
	struct fwdr *relay;
	struct fwdr_dgram *dgram;
	struct gw_xfwd *next;
};

static void gw_xfwd_free_all(struct gw *g);

/**
 * struct gw_timer - a libslirp timer on the loop
 * @g:		the gateway
 * @t:		the loop's timer
 * @id:		which of libslirp's timers (slirp_handle_timer())
 * @cb_opaque:	libslirp's argument for it
 */
struct gw_timer {
	struct gw *g;
	struct loop_timer *t;
	SlirpTimerId id;
	void *cb_opaque;
};

/**
 * gw_fds_check() - is a descriptor free? Logs when that changes, and
 * pauses libslirp's listeners while none is
 * @g:		gateway
 * @fd:		a descriptor known to be open
 */
static void gw_fds_check(struct gw *g, int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (d >= 0) {
		close(d);
		if (g->out_of_fds)
			log_info("gateway %s: descriptors free again",
				 inet_ntoa(g->host));
		g->out_of_fds = 0;
		return;
	}
	if (errno != EMFILE && errno != ENFILE)
		return;
	g->pause_until = loop_now_ms() + GW_PAUSE_MS;
	if (!g->out_of_fds)
		log_warnx("gateway %s: out of descriptors: guests' new "
			  "connections fail, host forwards wait",
			  inet_ntoa(g->host));
	g->out_of_fds = 1;
}

/**
 * gw_net_unreachable() - is @f an ICMP network unreachable?
 * @f:		Ethernet frame libslirp sends
 * @len:	its length
 *
 * libslirp answers a guest's connection with one when it cannot get a
 * socket (or the host has no route): that is when to look.
 *
 * Return: nonzero if it is one (ICMP type 3, code 0)
 */
static int gw_net_unreachable(const uint8_t *f, size_t len)
{
	struct frame_info fi;
	const uint8_t *icmp;

	if (frame_parse(f, len, &fi) || !fi.ip4 ||
	    fi.proto != FRAME_IPPROTO_ICMP)
		return 0;
	icmp = frame_l4(f, len, &fi, 2); /* type and code */
	return icmp && icmp[0] == 3 && icmp[1] == 0;
}

#define GW_GLIB_LOG_MS 10000 /* libslirp's warnings: one line per 10 s */

/**
 * gw_glib_log() - GLogFunc of libslirp's log domain: warnings and worse
 * to log_warnx(), throttled; the rest to log_debug()
 * @domain:	"Slirp"
 * @level:	GLogLevelFlags of the message
 * @msg:	the message
 * @arg:	the throttle
 */
static void gw_glib_log(const gchar *domain, GLogLevelFlags level,
			const gchar *msg, gpointer arg)
{
	uint64_t n;

	if (!(level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL |
		       G_LOG_LEVEL_WARNING))) {
		log_debug("libslirp: %s", msg);
		return;
	}
	n = log_rate_due(arg, loop_now_ms(), GW_GLIB_LOG_MS);
	if (n)
		log_warnx("%s: %s (%llu such lines since the last)", domain,
			  msg, (unsigned long long)n);
}

/**
 * gw_glib_log_init() - route libslirp's glib log domain to ours, once
 */
static void gw_glib_log_init(void)
{
	static struct log_rate rate;
	static guint id;

	if (!id)
		id = g_log_set_handler("Slirp",
				       G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL |
					   G_LOG_FLAG_RECURSION,
				       gw_glib_log, &rate);
}

#ifdef SLIRP_SEND_PACKET_EAGAIN /* a libslirp without 0015 keeps nothing */
/**
 * gw_keepable() - may libslirp keep @f when the LAN has no room for it?
 * @f:		Ethernet frame libslirp sends
 * @len:	its length
 *
 * A TCP segment with data, SYN or FIN: its connection's window bounds
 * how many wait, and TCP would have to retransmit it if lost. Not a RST
 * nor a pure ACK (answers to the guest's own segments, which libslirp
 * makes for as long as the guest sends, and which no connection of
 * libslirp's may hold: tcp_respond()), nor anything but TCP.
 *
 * Return: nonzero if it is such a segment
 */
static int gw_keepable(const uint8_t *f, size_t len)
{
	const struct frame_tcp *tcp;
	struct frame_info fi;
	size_t hl;

	if (frame_parse(f, len, &fi) || (!fi.ip4 && !fi.ip6) ||
	    fi.proto != FRAME_IPPROTO_TCP || fi.frag_off || fi.frag_more)
		return 0;
	tcp = (const struct frame_tcp *)frame_l4(f, len, &fi, FRAME_TCP_HLEN);
	if (!tcp || (tcp->flags & FRAME_TCP_RST))
		return 0;
	hl = frame_tcp_hlen(tcp);
	return (tcp->flags & (FRAME_TCP_SYN | FRAME_TCP_FIN)) ||
	       fi.end > fi.l4 + hl;
}
#endif

/**
 * gw_send_packet() - SlirpCb: a frame libslirp sends to the LAN
 * @buf:	the frame
 * @len:	its length
 * @opaque:	the gateway
 *
 * Return: @len: the frame was taken; -EAGAIN: the LAN has no room for
 * this TCP segment now, libslirp keeps it (only with patch 0015)
 */
static ssize_t gw_send_packet(const void *buf, size_t len, void *opaque)
{
	struct gw *g = opaque;

#ifdef SLIRP_SEND_PACKET_EAGAIN
	if (g->room && gw_keepable(buf, len) && !g->room(g->arg, buf, len))
		return -EAGAIN;
#endif
	if (gw_net_unreachable(buf, len))
		gw_fds_check(g, STDERR_FILENO);
	g->out(g->arg, buf, len);
	return (ssize_t)len;
}

/**
 * gw_guest_error() - SlirpCb: libslirp found a guest's packet malformed
 * @msg:	its description
 * @opaque:	the gateway (unused)
 */
static void gw_guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	log_debug("gateway: guest error: %s", msg);
}

/**
 * gw_clock_ns() - SlirpCb: libslirp's clock, the loop's
 * @opaque:	the gateway (unused)
 *
 * Return: the loop's monotonic time, ns
 */
static int64_t gw_clock_ns(void *opaque)
{
	(void)opaque;
	return loop_now_ns();
}

/**
 * gw_timer_fire() - a libslirp timer expired: run it
 * @arg:	the timer
 */
static void gw_timer_fire(void *arg)
{
	struct gw_timer *t = arg;

	slirp_handle_timer(t->g->slirp, t->id, t->cb_opaque);
}

/**
 * gw_timer_new_opaque() - SlirpCb: libslirp makes a timer (at setup,
 * not per frame: out of memory is fatal)
 * @id:		which of libslirp's timers
 * @cb_opaque:	its argument for slirp_handle_timer()
 * @opaque:	the gateway
 *
 * Return: the timer, disarmed
 */
static void *gw_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct gw *g = opaque;
	struct gw_timer *t = xcalloc(1, sizeof(*t));

	t->g = g;
	t->id = id;
	t->cb_opaque = cb_opaque;
	t->t = loop_timer_new(g->l, gw_timer_fire, t);
	return t;
}

/**
 * gw_timer_free() - SlirpCb: libslirp drops a timer
 * @timer:	the timer
 * @opaque:	the gateway (unused)
 */
static void gw_timer_free(void *timer, void *opaque)
{
	struct gw_timer *t = timer;

	(void)opaque;
	loop_timer_free(t->t);
	free(t);
}

/**
 * gw_timer_mod() - SlirpCb: (re)arm a timer
 * @timer:	the timer
 * @expire_ms:	when it fires, the loop's monotonic ms
 * @opaque:	the gateway (unused)
 */
static void gw_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct gw_timer *t = timer;

	(void)opaque;
	loop_timer_arm(t->t, expire_ms);
}

/**
 * gw_register_poll_fd() - SlirpCb: libslirp has a new descriptor
 * @fd:		the descriptor (unused)
 * @opaque:	the gateway (unused)
 */
static void gw_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque; /* descriptors are enumerated on every iteration */
}

/**
 * gw_notify() - SlirpCb: libslirp has something to do
 * @opaque:	the gateway (unused)
 */
static void gw_notify(void *opaque)
{
	(void)opaque; /* the next iteration asks libslirp again anyway */
}

static const SlirpCb gw_cb = {
    .send_packet = gw_send_packet,
    .guest_error = gw_guest_error,
    .clock_get_ns = gw_clock_ns,
    .timer_free = gw_timer_free,
    .timer_mod = gw_timer_mod,
    .register_poll_fd = gw_register_poll_fd,
    .unregister_poll_fd = gw_register_poll_fd,
    .notify = gw_notify,
    .timer_new_opaque = gw_timer_new_opaque,
};

/**
 * gw_add_poll() - libslirp asks us to poll @fd for this iteration
 * @fd:		a descriptor of libslirp
 * @events:	SLIRP_POLL_* events
 * @opaque:	the gateway
 *
 * Return: the index libslirp passes to gw_get_revents(), or -1
 */
static int gw_add_poll(int fd, int events, void *opaque)
{
	struct gw *g = opaque;
	int ev = 0, listening = 0;
	socklen_t sl = sizeof(listening);

	if (events == GW_LISTEN_EVENTS && g->pause_until > loop_now_ms() &&
	    !getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &sl) &&
	    listening)
		return -1; /* libslirp skips an index of -1 */

	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	return loop_hook_pollfd(g->l, fd, ev);
}

/**
 * gw_get_revents() - report what poll(2) said about descriptor @idx
 * @idx:	what gw_add_poll() returned
 * @opaque:	the gateway
 *
 * Return: the SLIRP_POLL_* events that occurred
 */
static int gw_get_revents(int idx, void *opaque)
{
	struct gw *g = opaque;
	int re = loop_hook_revents(g->l, idx), ev = 0, asked, fd;

	if ((re & POLLIN) && g->ready_fd < 0) {
		fd = loop_hook_fd(g->l, idx, &asked);
		if (asked == POLLIN)
			g->ready_fd = fd;
	}

	if (re & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (re & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (re & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (re & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (re & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

/**
 * gw_prepare() - loop hook: add libslirp's descriptors, lower the timeout
 * @arg:	the gateway
 * @l:		the loop
 * @timeout_ms:	lowered to libslirp's next timer
 */
static void gw_prepare(void *arg, struct loop *l, int *timeout_ms)
{
	struct gw *g = arg;
	uint32_t t = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;

	int64_t rest = g->pause_until - loop_now_ms();

	(void)l;
	slirp_pollfds_fill(g->slirp, &t, gw_add_poll, g);
	if (rest > 0 && (uint64_t)rest < t)
		t = (uint32_t)rest; /* the listeners' pause ends */
	*timeout_ms = t == UINT32_MAX ? -1 : (int)t;
}

/**
 * gw_dispatch() - loop hook: let libslirp handle what poll(2) reported
 * @arg:	the gateway
 * @l:		the loop
 */
static void gw_dispatch(void *arg, struct loop *l)
{
	struct gw *g = arg;

	(void)l;
	g->ready_fd = -1;
	slirp_pollfds_poll(g->slirp, 0, gw_get_revents, g);
	if (g->ready_fd < 0 || g->ready_fd != g->spin_fd) {
		g->spin_fd = g->ready_fd;
		g->spin = 0;
		return;
	}
	if (++g->spin >= GW_SPIN) {
		g->spin = 0;
		gw_fds_check(g, g->spin_fd);
	}
}

/**
 * gw_new() - create a gateway
 * @l:		loop
 * @cfg:	addresses
 * @out:	called with each frame libslirp sends to the LAN
 * @arg:	its argument
 *
 * Return: the gateway, or NULL
 */
struct gw *gw_new(struct loop *l, const struct gw_config *cfg, gw_output_fn out,
		  void *arg)
{
	struct gw *g = xcalloc(1, sizeof(*g));
	SlirpConfig sc = {0};

	g->l = l;
	g->out = out;
	g->arg = arg;
	g->host = cfg->host;
	g->host6 = cfg->host6;
	g->ready_fd = g->spin_fd = -1;
	gw_glib_log_init();

	sc.version = 4;
	sc.restricted = 0;
	sc.in_enabled = true;
	sc.vnetwork = cfg->net;
	sc.vnetmask = cfg->mask;
	sc.vhost = cfg->host;
	sc.vdhcp_start = cfg->guest;
	sc.vnameserver = cfg->host;
	sc.in6_enabled = cfg->ip6 != 0;
	if (cfg->ip6) {
		sc.vprefix_addr6 = cfg->prefix6;
		sc.vprefix_len = 64;
		sc.vhost6 = cfg->host6;
		sc.vnameserver6 =
		    cfg->host6; /* as vnameserver: ::3 is not ours */
	}
	sc.if_mtu = (size_t)cfg->mtu;
	sc.if_mru = (size_t)cfg->mtu;
	sc.disable_host_loopback = cfg->no_host_loopback;
	sc.enable_emu = false;
	sc.disable_dns = true;
	sc.disable_dhcp = true;

	g->slirp = slirp_new(&sc, &gw_cb, g);
	if (!g->slirp) {
		log_warnx("gateway: libslirp refused its configuration");
		free(g);
		return NULL;
	}
	loop_hook_add(l, gw_prepare, gw_dispatch, g);
	return g;
}

/**
 * gw_free() - destroy a gateway and close all its host sockets
 * @g:		gateway, or NULL
 */
void gw_free(struct gw *g)
{
	if (!g)
		return;
	loop_hook_del(g->l, g);
	gw_xfwd_free_all(g);
	slirp_cleanup(g->slirp);
	free(g);
}

/**
 * gw_set_room() - ask @room before libslirp's TCP segments go out, so that
 * libslirp keeps those the LAN cannot take now (a libslirp without patch
 * 0015 cannot: then @room is never asked)
 * @g:		gateway
 * @room:	called with gw_new()'s argument; NULL: every frame is sent
 */
void gw_set_room(struct gw *g, gw_room_fn room)
{
	g->room = room;
}

/**
 * gw_input() - a frame from the LAN for the gateway
 * @g:		gateway
 * @frame:	Ethernet frame, untrusted
 * @len:	its length
 */
void gw_input(struct gw *g, const uint8_t *frame, size_t len)
{
	if (len > FRAME_LEN(65535)) /* more than any IPv4 packet */
		return;
	slirp_input(g->slirp, frame, (int)len);
}

/**
 * gw_mac() - the MAC libslirp uses: 52:55 followed by its IPv4 address
 * @g:		gateway
 * @mac:	set to its MAC
 */
void gw_mac(const struct gw *g, uint8_t mac[6])
{
	mac[0] = 0x52;
	mac[1] = 0x55;
	memcpy(mac + 2, &g->host.s_addr, 4);
}

/**
 * gw_mac6() - the MAC libslirp's IPv6 side uses: 52:56 followed by the
 * last 4 bytes of its IPv6 address (its in6_compute_ethaddr())
 * @g:		gateway
 * @mac:	set to that MAC
 *
 * libslirp answers neighbour solicitations for ::2 and fe80::2 and sends
 * its router advertisements from fe80::2 with this MAC, not with gw_mac()
 * (52:56:00:00:00:02 for every prefix, since ::2 ends in 0.0.0.2).
 */
void gw_mac6(const struct gw *g, uint8_t mac[6])
{
	mac[0] = 0x52;
	mac[1] = 0x56;
	memcpy(mac + 2, g->host6.s6_addr + 12, 4);
}

/**
 * gw_sockaddr() - the socket address of a forward's end
 * @a:		address
 * @port:	port, host order
 * @ss:		filled
 *
 * Return: the length of the address in @ss
 */
static socklen_t gw_sockaddr(const struct gw_addr *a, int port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = a->v6;
		s6->sin6_port = htons((uint16_t)port);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_addr = a->v4;
		s4->sin_port = htons((uint16_t)port);
		return sizeof(*s4);
	}
}

/**
 * gw_addr_same() - are two forward addresses the same?
 * @a:		one
 * @b:		the other
 *
 * Return: 1 if so, else 0
 */
static int gw_addr_same(const struct gw_addr *a, const struct gw_addr *b)
{
	if (a->family != b->family)
		return 0;
	return a->family == AF_INET6 ? !memcmp(&a->v6, &b->v6, sizeof(a->v6))
				     : a->v4.s_addr == b->v4.s_addr;
}

/**
 * gw_addr_any6() - is a forward's host address [::], every address of
 * both families (as Go's net.Listen takes it: gvisor-tap-vsock's and
 * Lima's users expect IPv4 connections there too)?
 * @a:		address
 *
 * Return: 1 if so, else 0
 */
static int gw_addr_any6(const struct gw_addr *a)
{
	return a->family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&a->v6);
}

/**
 * gw_loopback_port() - a loopback address of @family with a port free
 * now, for libslirp's side of a forward between families
 * @family:	AF_INET or AF_INET6
 * @type:	SOCK_STREAM or SOCK_DGRAM
 * @ss:		set to the address and port
 *
 * The port is the kernel's pick for a socket bound to port 0, closed
 * again: another program could take it before libslirp binds it, and the
 * forward then fails as a taken port does.
 *
 * Return: the length of @ss, or 0 with errno set
 */
static socklen_t gw_loopback_port(int family, int type,
				  struct sockaddr_storage *ss)
{
	struct gw_addr lo = {.family = family};
	socklen_t len;
	int fd, e;

	lo.v4.s_addr = htonl(INADDR_LOOPBACK);
	lo.v6 = in6addr_loopback;
	len = gw_sockaddr(&lo, 0, ss);
	fd = socket(family, type, 0);
	if (fd < 0)
		return 0;
	if (bind(fd, (struct sockaddr *)ss, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)ss, &len) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return 0;
	}
	close(fd);
	return len;
}

/**
 * gw_xfwd_add() - a forward between families, or a TCP one from [::]:
 * libslirp forwards the guest family's loopback (a free port) to the
 * guest, and a relay listens on the host address (both families for TCP
 * on [::]) and joins every connection (or passes every datagram) to it
 * @g:		gateway
 * @udp:	1 for UDP, 0 for TCP
 * @haddr:	host address to listen on
 * @hport:	host port
 * @gaddr:	guest address, of the other family
 * @gport:	guest port
 *
 * The guest sees the connections come from the gateway (::2 or .2), as
 * libslirp's own forwards from the host's loopback do.
 *
 * Return: 0, or -1 with errno set (a port cannot be bound)
 */
static int gw_xfwd_add(struct gw *g, int udp, const struct gw_addr *haddr,
		       int hport, const struct gw_addr *gaddr, int gport)
{
	struct gw_xfwd *x = xcalloc(1, sizeof(*x));
	int sflags = udp ? SLIRP_HOSTFWD_UDP : 0, e;
	struct sockaddr_storage hs, gs;
	socklen_t hl, gl;

	hl = gw_sockaddr(haddr, hport, &hs);
	gl = gw_sockaddr(gaddr, gport, &gs);
	x->ilen = gw_loopback_port(gaddr->family,
				   udp ? SOCK_DGRAM : SOCK_STREAM, &x->inner);
	if (gaddr->family == AF_INET6)
		sflags |= SLIRP_HOSTFWD_V6ONLY;
	if (!x->ilen ||
	    slirp_add_hostxfwd(g->slirp, (struct sockaddr *)&x->inner, x->ilen,
			       (struct sockaddr *)&gs, gl, sflags) < 0)
		goto fail;
	if (udp)
		x->dgram =
		    fwdr_dgram_open(g->l, (struct sockaddr *)&hs, hl, 1,
				    (struct sockaddr *)&x->inner, x->ilen);
	else
		x->relay = fwdr_listen(g->l, (struct sockaddr *)&hs, hl,
				       !gw_addr_any6(haddr),
				       (struct sockaddr *)&x->inner, x->ilen);
	if (!x->relay && !x->dgram) {
		e = errno;
		slirp_remove_hostxfwd(g->slirp, (struct sockaddr *)&x->inner,
				      x->ilen, sflags);
		errno = e;
		goto fail;
	}
	x->udp = udp;
	x->haddr = *haddr;
	x->hport = hport;
	x->next = g->xfwds;
	g->xfwds = x;
	return 0;
fail:
	free(x);
	return -1;
}

/**
 * gw_xfwd_drop() - remove a forward between families: its relay and its
 * connections, and libslirp's forward behind it
 * @g:		gateway
 * @pp:		the link pointing to it
 */
static void gw_xfwd_drop(struct gw *g, struct gw_xfwd **pp)
{
	struct gw_xfwd *x = *pp;

	*pp = x->next;
	fwdr_close(x->relay);
	fwdr_dgram_close(x->dgram);
	slirp_remove_hostxfwd(g->slirp, (struct sockaddr *)&x->inner, x->ilen,
			      x->udp ? SLIRP_HOSTFWD_UDP : 0);
	free(x);
}

/**
 * gw_xfwd_free_all() - remove every forward between families (the
 * gateway goes away)
 * @g:		gateway
 */
static void gw_xfwd_free_all(struct gw *g)
{
	while (g->xfwds)
		gw_xfwd_drop(g, &g->xfwds);
}

/**
 * gw_add_hostfwd() - forward a host port to a guest port
 * @g:		gateway
 * @udp:	1 for UDP, 0 for TCP
 * @haddr:	host address to listen on, IPv4 or IPv6
 * @hport:	host port
 * @gaddr:	guest address; of the other family than @haddr through a
 *		relay (gw_xfwd_add()): libslirp 4.7 builds
 *		the guest side's packets in the host side's family
 *		(tcp_template(), so_ffamily), and a 0.0.0.0 guest behind
 *		an IPv6 host socket hits a g_assert in
 *		soassign_guest_addr_if_needed(). The IPv6 unspecified
 *		address :: means the first IPv6 address libslirp's
 *		neighbour table learned, at each connection.
 * @gport:	guest port
 *
 * An IPv6 host socket is IPV6_V6ONLY, but for TCP on [::], which takes
 * both families (relayed, gw_xfwd_add()): UDP on [::] is IPv6 only, and a
 * UDP forward of 0.0.0.0 on the same port can stand beside it.
 *
 * Return: 0, or -1 if the host port cannot be bound (errno from the
 * socket calls)
 */
int gw_add_hostfwd(struct gw *g, int udp, const struct gw_addr *haddr,
		   int hport, const struct gw_addr *gaddr, int gport)
{
	struct sockaddr_storage hs, gs;
	socklen_t hl, gl;
	int flags = udp ? SLIRP_HOSTFWD_UDP : 0;

	if (haddr->family != gaddr->family || (!udp && gw_addr_any6(haddr)))
		return gw_xfwd_add(g, udp, haddr, hport, gaddr, gport);
	hl = gw_sockaddr(haddr, hport, &hs);
	gl = gw_sockaddr(gaddr, gport, &gs);
	if (haddr->family == AF_INET6)
		flags |= SLIRP_HOSTFWD_V6ONLY;
	return slirp_add_hostxfwd(g->slirp, (const struct sockaddr *)&hs, hl,
				  (const struct sockaddr *)&gs, gl, flags);
}

/**
 * gw_remove_hostfwd() - remove a forward added by gw_add_hostfwd()
 * @g:		gateway
 * @udp:	1 for UDP, 0 for TCP
 * @haddr:	host address it listens on
 * @hport:	host port
 *
 * Return: 0, or -1 if there was no such forward
 */
int gw_remove_hostfwd(struct gw *g, int udp, const struct gw_addr *haddr,
		      int hport)
{
	struct sockaddr_storage hs;
	socklen_t hl = gw_sockaddr(haddr, hport, &hs);
	struct gw_xfwd **pp;

	for (pp = &g->xfwds; *pp; pp = &(*pp)->next)
		if ((*pp)->udp == udp && (*pp)->hport == hport &&
		    gw_addr_same(&(*pp)->haddr, haddr)) {
			gw_xfwd_drop(g, pp);
			return 0;
		}

	return slirp_remove_hostxfwd(g->slirp, (const struct sockaddr *)&hs, hl,
				     udp ? SLIRP_HOSTFWD_UDP : 0);
}

/**
 * gw_addr_text() - an address of a forward as text, an IPv6 one in
 * brackets (as it is written before a port)
 * @a:		address
 * @buf:	GW_ADDR_TEXT bytes
 *
 * Return: @buf
 */
const char *gw_addr_text(const struct gw_addr *a, char *buf)
{
	if (a->family == AF_INET6) {
		buf[0] = '[';
		inet_ntop(AF_INET6, &a->v6, buf + 1, INET6_ADDRSTRLEN);
		strcat(buf, "]");
	} else {
		inet_ntop(AF_INET, &a->v4, buf, INET_ADDRSTRLEN);
	}
	return buf;
}

/**
 * gw_slirp() - the gateway's libslirp instance, for gateway_info.c
 * @g:		gateway
 *
 * Return: its libslirp state
 */
Slirp *gw_slirp(const struct gw *g)
{
	return g->slirp;
}
