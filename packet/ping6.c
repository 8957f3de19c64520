/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ping6.c - owns guests' ICMPv6 echo requests to the outside: libslirp
 * 4.7 answers echo to its own addresses but drops every other one
 * ("external icmpv6 not supported yet"), so the network hands ping6
 * the echo requests for destinations outside its prefix before libslirp
 * sees them, and ping6 does what libslirp does for IPv4 (ip_icmp.c):
 * one unprivileged ICMP datagram socket per echo request, connected to
 * the destination, closed on the reply or after a timeout; the reply goes
 * back to the guest with the guest's own identifier and sequence and the
 * data the destination echoed (the guest's, RFC 4443 4.2: kept as a
 * router keeps it, so no copy of a request is held), from the
 * destination's address and the gateway's IPv6 MAC.
 *
 * Unlike libslirp there is no fallback to a raw socket (a privileged
 * daemon would then answer what an unprivileged one refuses, and a raw
 * ICMPv6 socket sees every echo reply of the host) nor to UDP port 7:
 * when the host refuses the socket (Linux: net.ipv4.ping_group_range,
 * which governs ICMPv6 datagram sockets too) or knows no route, the guest
 * gets a destination unreachable at once instead of waiting for a timeout,
 * and the log says why, throttled. libslirp keeps an echo's socket for
 * 240 s; PING6_TIMEOUT_MS is ping's own default wait (iputils -W), and
 * every guest and the network have a bound on echo requests in flight,
 * so a guest's flood costs the host few descriptors.
 *
 * POSIX only. Linux's ping sockets (net/ipv6/ping.c) put their own
 * identifier (the socket's "port", getsockname()) in the request and
 * deliver only replies carrying it, without the IPv6 header. Darwin's
 * ICMPv6 datagram sockets are raw sockets open to anyone
 * (icmp6_dgram_attach()): they deliver every ICMPv6 message the socket's
 * filter passes from the connected address, keep the identifier given,
 * and, as every ICMPv6 raw socket (RFC 3542, 3.3), no IPv6 header; but
 * Darwin's ICMPv4 datagram sockets do deliver the IP header (libslirp's
 * comment in ip_icmp.c), so a message starting with an IPv6 header (its
 * first nibble 6: no ICMPv6 type we accept starts so) is taken with the
 * header skipped. A reply is matched by type, sequence and either
 * identifier, so both work.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "base/be.h"
#include "base/log.h"
#include "base/loop.h"
#include "base/xalloc.h"
#include "packet/frame.h"
#include "packet/ping6.h"

#define PING6_ECHO_REQUEST   128
#define PING6_ECHO_REPLY     129
#define PING6_DST_UNREACH    1
#define PING6_ICMP_HLEN	     8	   /* type, code, checksum, id, seq */
#define PING6_MIN_MTU	     1280  /* an error fits in it (RFC 4443 2.4) */
#define PING6_HOPS	     64	   /* hop limit of what ping6 sends */
#define PING6_MSG_MAX	     65535 /* an IPv6 payload, without jumbograms */
#define PING6_QUOTE	     (FRAME_IP6_HLEN + PING6_ICMP_HLEN)
#define PING6_REFUSED_LOG_MS 60000 /* a refused socket told this often */
#define PING6_LOG_MS	     10000 /* the other throttled lines */

/**
 * struct ping6_slot - an echo request in flight
 * @p:		its ping6
 * @fd:		its socket, -1 for a free slot
 * @owner:	the guest that sent it (net_share_owner()), for the bounds
 * @deadline:	loop time (ms) at which it is given up
 * @kid:	the identifier the host put in the request (Linux: the
 *		socket's port), host order; the guest's where it kept that
 * @e:		whom the reply goes to, and the guest's identifier
 * @quote:	the request's IPv6 and ICMPv6 headers, quoted in an error
 *		the host reports later
 */
struct ping6_slot {
	struct ping6 *p;
	int fd;
	uint32_t owner;
	int64_t deadline;
	uint16_t kid;
	struct ping6_echo e;
	uint8_t quote[PING6_QUOTE];
};

/**
 * struct ping6 - a network's echo requests to the outside
 * @l:		loop
 * @cfg:	addresses and bounds
 * @st:		counters, the network's
 * @out:	hands a frame to the guests' side
 * @arg:	its argument
 * @slots:	@cfg.net_max slots
 * @n:		slots in use
 * @timer:	expires the oldest echo
 * @buf:	a frame being built: PING6_HEAD bytes of headers, then the
 *		largest ICMPv6 message
 * @refused_log: throttles the log of refused sockets
 * @unreach_log: throttles the log of unreachable destinations
 * @cap_log:	throttles the log of requests over the bounds
 */
struct ping6 {
	struct loop *l;
	struct ping6_config cfg;
	struct ping6_stats *st;
	ping6_out_fn out;
	void *arg;
	struct ping6_slot *slots;
	unsigned n;
	struct loop_timer *timer;
	uint8_t *buf;
	struct log_rate refused_log;
	struct log_rate unreach_log;
	struct log_rate cap_log;
};

/**
 * ping6_sum() - add bytes to a 32-bit one's complement sum
 * @s:		the sum so far
 * @p:		the bytes
 * @len:	how many (an odd last byte is padded with zero)
 *
 * Return: the new sum, unfolded
 */
static uint32_t ping6_sum(uint32_t s, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += be16_get(p + i);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

/**
 * ping6_csum() - the ICMPv6 checksum of a message (RFC 4443 2.3)
 * @ip:		the IPv6 header before it: source and destination
 * @msg:	the message, its checksum field counted as it is
 * @len:	its length
 *
 * Return: the folded, complemented sum: what the checksum field must
 * hold if it held zero, and 0 for a message whose checksum is right
 */
static uint16_t ping6_csum(const struct frame_ip6 *ip, const uint8_t *msg,
			   size_t len)
{
	uint32_t s = ping6_sum(0, ip->src, 32);

	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) +
	     FRAME_IPPROTO_ICMPV6;
	s = ping6_sum(s, msg, len);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/**
 * ping6_headers() - the Ethernet and IPv6 headers of a frame to a guest
 * @f:		the frame: PING6_HEAD bytes written
 * @e:		the guest
 * @from:	the source address
 * @mac:	the source MAC (the gateway's)
 * @msg_len:	the ICMPv6 message's length
 */
static void ping6_headers(uint8_t *f, const struct ping6_echo *e,
			  const struct in6_addr *from, const uint8_t mac[6],
			  size_t msg_len)
{
	struct frame_eth *eth = (struct frame_eth *)f;
	struct frame_ip6 *ip = (struct frame_ip6 *)(f + FRAME_ETH_HLEN);

	memcpy(eth->dst, e->guest_mac, FRAME_ETH_ALEN);
	memcpy(eth->src, mac, FRAME_ETH_ALEN);
	be16_put(eth->type, FRAME_ETH_IP6);
	memset(ip->vcf, 0, sizeof(ip->vcf));
	ip->vcf[0] = 0x60;
	be16_put(ip->plen, (uint16_t)msg_len);
	ip->next = FRAME_IPPROTO_ICMPV6;
	ip->hlim = PING6_HOPS;
	memcpy(ip->src, from, 16);
	memcpy(ip->dst, &e->guest, 16);
}

/**
 * ping6_reply_frame() - make an echo reply from the host into the
 * guest's: headers before it, the guest's identifier and sequence
 * @f:		the frame: the reply's ICMPv6 message (as the host's socket
 *		gave it) at PING6_HEAD, at least PING6_ICMP_HLEN bytes
 * @msg_len:	its length, at most 65535
 * @e:		the echo: guest, destination, identifier and sequence
 * @mac:	the gateway's IPv6 MAC
 *
 * The data stays the destination's, as a router passes it on.
 *
 * Return: the frame's length
 */
size_t ping6_reply_frame(uint8_t *f, size_t msg_len, const struct ping6_echo *e,
			 const uint8_t mac[6])
{
	uint8_t *msg = f + PING6_HEAD;

	ping6_headers(f, e, &e->remote, mac, msg_len);
	msg[0] = PING6_ECHO_REPLY;
	msg[1] = 0;
	be16_put(msg + 2, 0);
	be16_put(msg + 4, e->id);
	be16_put(msg + 6, e->seq);
	be16_put(msg + 2,
		 ping6_csum((const struct frame_ip6 *)(f + 14), msg, msg_len));
	return PING6_HEAD + msg_len;
}

/**
 * ping6_unreach_frame() - a destination unreachable to the guest
 * @f:		the frame to build
 * @cap:	its room: PING6_HEAD + 8 + @pkt_len, or the minimum MTU's
 *		worth of it, suffice
 * @pkt:	the invoking packet, from its IPv6 header
 * @pkt_len:	its length: as much of it as fits in an IPv6 packet of
 *		1280 bytes is quoted (RFC 4443 3.1)
 * @e:		the guest (@guest_mac, @guest)
 * @from:	the source address: the gateway's, the router that tells
 * @mac:	the gateway's IPv6 MAC
 * @code:	PING6_UNREACH_*
 *
 * Return: the frame's length, or 0 if @cap is too small
 */
size_t ping6_unreach_frame(uint8_t *f, size_t cap, const uint8_t *pkt,
			   size_t pkt_len, const struct ping6_echo *e,
			   const struct in6_addr *from, const uint8_t mac[6],
			   uint8_t code)
{
	size_t room = PING6_MIN_MTU - FRAME_IP6_HLEN - PING6_ICMP_HLEN;
	size_t q = pkt_len < room ? pkt_len : room, msg_len;
	uint8_t *msg = f + PING6_HEAD;

	msg_len = PING6_ICMP_HLEN + q;
	if (cap < PING6_HEAD + msg_len)
		return 0;
	ping6_headers(f, e, from, mac, msg_len);
	msg[0] = PING6_DST_UNREACH;
	msg[1] = code;
	memset(msg + 2, 0, 6); /* checksum, then 4 bytes unused */
	memcpy(msg + PING6_ICMP_HLEN, pkt, q);
	be16_put(msg + 2,
		 ping6_csum((const struct frame_ip6 *)(f + 14), msg, msg_len));
	return PING6_HEAD + msg_len;
}

/**
 * ping6_outside() - is @a an address an echo may go out to?
 * @p:		ping6
 * @a:		the destination, 16 bytes
 *
 * Not: multicast, link-local, the network's own prefix (the gateway's
 * ::2 is libslirp's to answer, the rest the guests' or martian), and
 * ::/96 (unspecified, loopback, IPv4-compatible) or ::ffff:0:0/96
 * (IPv4-mapped). The network's guard drops the martians before; these
 * are left to libslirp, so that no host socket ever pings the host's
 * own loopback.
 *
 * Return: nonzero if it is
 */
static int ping6_outside(const struct ping6 *p, const uint8_t *a)
{
	static const uint8_t zero[10];

	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return 0;
	if (!memcmp(a, p->cfg.prefix.s6_addr, 8))
		return 0;
	if (!memcmp(a, zero, 10) &&
	    ((a[10] == 0 && a[11] == 0) || (a[10] == 0xff && a[11] == 0xff)))
		return 0;
	return 1;
}

/**
 * ping6_close() - free an echo's slot
 * @s:		the slot
 */
static void ping6_close(struct ping6_slot *s)
{
	loop_io_del(s->p->l, s->fd);
	close(s->fd);
	s->fd = -1;
	s->p->n--;
}

/**
 * ping6_code() - the unreachable code of what the host said
 * @err:	errno of socket(), connect(), send() or recv()
 *
 * Return: PING6_UNREACH_ADMIN for a refusal (EACCES, EPERM: a
 * ping_group_range, a firewall, or an administratively prohibited reply),
 * PING6_UNREACH_NOROUTE for no route or no IPv6 on the host, else
 * PING6_UNREACH_ADDR (EHOSTUNREACH: neighbour discovery failed or a
 * router said so), or -1 for errors that are no answer (out of
 * descriptors or buffers: the request is lost like a frame)
 */
static int ping6_code(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return PING6_UNREACH_ADMIN;
	case ENETUNREACH:
	case ENETDOWN:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
		return PING6_UNREACH_NOROUTE;
	case EHOSTUNREACH:
#ifdef EHOSTDOWN /* not POSIX; Linux, macOS and the BSDs have it */
	case EHOSTDOWN:
#endif
	case ECONNREFUSED:
		return PING6_UNREACH_ADDR;
	default:
		return -1;
	}
}

/**
 * ping6_unreach() - send the guest a destination unreachable
 * @p:		ping6
 * @pkt:	the invoking packet, from its IPv6 header
 * @pkt_len:	its length
 * @e:		the guest and the destination
 * @code:	PING6_UNREACH_*
 */
static void ping6_unreach(struct ping6 *p, const uint8_t *pkt, size_t pkt_len,
			  const struct ping6_echo *e, uint8_t code)
{
	size_t len =
	    ping6_unreach_frame(p->buf, PING6_HEAD + PING6_MSG_MAX, pkt,
				pkt_len, e, &p->cfg.gw, p->cfg.mac, code);

	if (!len)
		return;
	p->st->unreach++;
	p->out(p->arg, p->buf, len);
}

/**
 * ping6_log_err() - tell, throttled, why echo requests fail
 * @p:		ping6
 * @e:		the echo
 * @err:	the errno the host gave
 * @what:	the call that failed
 *
 * A refused socket (EACCES, EPERM) is the host's configuration: the line
 * names the sysctl. (Not the group: the sandbox allows no getegid().)
 */
static void ping6_log_err(struct ping6 *p, const struct ping6_echo *e, int err,
			  const char *what)
{
	char dst[INET6_ADDRSTRLEN];
	uint64_t due;

	if (!strcmp(what, "socket") && (err == EACCES || err == EPERM)) {
		due = log_rate_due(&p->refused_log, loop_now_ms(),
				   PING6_REFUSED_LOG_MS);
		if (due)
			log_warnx("%s: guests' ICMPv6 echo cannot go out: the "
				  "host refuses ping sockets (%s): sysctl "
				  "net.ipv4.ping_group_range (which governs "
				  "IPv6 too) must include the daemon's group; "
				  "guests get destination unreachable (%llu "
				  "more not logged)",
				  p->cfg.name, strerror(err),
				  (unsigned long long)(due - 1));
		return;
	}
	due = log_rate_due(&p->unreach_log, loop_now_ms(), PING6_LOG_MS);
	if (!due)
		return;
	inet_ntop(AF_INET6, &e->remote, dst, sizeof(dst));
	log_warnx("%s: ICMPv6 echo to %s: %s: %s (%llu more not logged)",
		  p->cfg.name, dst, what, strerror(err),
		  (unsigned long long)(due - 1));
}

/**
 * ping6_failed() - a call for an echo failed: answer the guest
 * @p:		ping6
 * @pkt:	the request, from its IPv6 header
 * @pkt_len:	its length
 * @e:		the echo
 * @err:	errno
 * @what:	the call that failed, for the log
 */
static void ping6_failed(struct ping6 *p, const uint8_t *pkt, size_t pkt_len,
			 const struct ping6_echo *e, int err, const char *what)
{
	int code = ping6_code(err);

	ping6_log_err(p, e, err, what);
	if (code >= 0)
		ping6_unreach(p, pkt, pkt_len, e, (uint8_t)code);
}

/**
 * ping6_arm() - arm the timer for the echo that expires first
 * @p:		ping6
 */
static void ping6_arm(struct ping6 *p)
{
	int64_t first = 0;
	unsigned i;

	for (i = 0; i < p->cfg.net_max; i++)
		if (p->slots[i].fd >= 0 &&
		    (!first || p->slots[i].deadline < first))
			first = p->slots[i].deadline;
	if (first)
		loop_timer_arm(p->timer, first);
	else
		loop_timer_disarm(p->timer);
}

/**
 * ping6_expire() - timer: give up the echos whose time is out
 * @arg:	ping6
 */
static void ping6_expire(void *arg)
{
	struct ping6 *p = arg;
	int64_t now = loop_now_ms();
	unsigned i;

	for (i = 0; i < p->cfg.net_max; i++)
		if (p->slots[i].fd >= 0 && p->slots[i].deadline <= now) {
			ping6_close(&p->slots[i]);
			p->st->timeouts++;
		}
	ping6_arm(p);
}

/**
 * ping6_strip() - skip an IPv6 header a socket delivered (see the top)
 * @msg:	what recv() returned
 * @len:	its length; lowered by the header's
 *
 * Return: the ICMPv6 message
 */
static uint8_t *ping6_strip(uint8_t *msg, size_t *len)
{
	if (*len < FRAME_IP6_HLEN + PING6_ICMP_HLEN || msg[0] >> 4 != 6 ||
	    msg[6] != FRAME_IPPROTO_ICMPV6)
		return msg;
	*len -= FRAME_IP6_HLEN;
	return msg + FRAME_IP6_HLEN;
}

/**
 * ping6_got() - a message arrived on an echo's socket: the reply?
 * @s:		the slot
 * @msg:	the ICMPv6 message
 * @len:	its length
 *
 * Return: 1 if it was the reply, and went to the guest; else 0
 */
static int ping6_got(struct ping6_slot *s, uint8_t *msg, size_t len)
{
	struct ping6 *p = s->p;
	uint16_t id;

	if (len < PING6_ICMP_HLEN || msg[0] != PING6_ECHO_REPLY ||
	    be16_get(msg + 6) != s->e.seq)
		return 0;
	id = be16_get(msg + 4);
	if (id != s->kid && id != s->e.id)
		return 0;
	if (len > (size_t)p->cfg.mtu - FRAME_IP6_HLEN) {
		p->st->bad++;
		return 1;
	}
	if (msg != p->buf + PING6_HEAD)
		memmove(p->buf + PING6_HEAD, msg, len);
	len = ping6_reply_frame(p->buf, len, &s->e, p->cfg.mac);
	p->st->replies++;
	p->out(p->arg, p->buf, len);
	return 1;
}

/**
 * ping6_readable() - loop_io_fn of an echo's socket: the reply, an
 * error the host learned, or another message (Darwin) to skip
 * @arg:	the slot
 * @fd:		its socket
 * @revents:	poll(2)'s events (POLLERR: an error to read)
 */
static void ping6_readable(void *arg, int fd, int revents)
{
	struct ping6_slot *s = arg;
	struct ping6 *p = s->p;
	uint8_t *msg;
	ssize_t r;
	size_t len;

	(void)revents;
	for (;;) {
		r = recv(fd, p->buf + PING6_HEAD, PING6_MSG_MAX, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r < 0) {
			ping6_failed(p, s->quote, sizeof(s->quote), &s->e,
				     errno, "reply");
			break;
		}
		len = (size_t)r;
		msg = ping6_strip(p->buf + PING6_HEAD, &len);
		if (ping6_got(s, msg, len))
			break;
	}
	ping6_close(s);
	ping6_arm(p);
}

/**
 * ping6_request() - the echo request in a frame to the outside
 * @p:		ping6
 * @f:		the frame
 * @len:	its length
 * @msg_len:	set to the ICMPv6 message's length
 *
 * Return: the ICMPv6 message, or NULL if the frame is no echo request
 * to an address outside the network
 */
static const uint8_t *ping6_request(const struct ping6 *p, const uint8_t *f,
				    size_t len, size_t *msg_len)
{
	struct frame_info fi;
	const uint8_t *msg;

	if (frame_parse(f, len, &fi) || !fi.ip6 ||
	    fi.proto != FRAME_IPPROTO_ICMPV6)
		return NULL;
	msg = frame_l4(f, len, &fi, 1);
	if (!msg || msg[0] != PING6_ECHO_REQUEST ||
	    !ping6_outside(p, fi.ip6->dst))
		return NULL;
	*msg_len = fi.end - fi.l4;
	return msg;
}

/**
 * ping6_valid() - is an echo request whole and its checksum right?
 * @ip:		its IPv6 header
 * @msg:	its ICMPv6 message
 * @msg_len:	what the frame holds of it
 *
 * A router passes on what it got; the host's socket would recompute the
 * checksum, so a damaged request is dropped here, as its destination
 * would drop it.
 *
 * Return: nonzero if it is
 */
static int ping6_valid(const struct frame_ip6 *ip, const uint8_t *msg,
		       size_t msg_len)
{
	return msg_len >= PING6_ICMP_HLEN && msg_len == be16_get(ip->plen) &&
	       msg[1] == 0 && ping6_csum(ip, msg, msg_len) == 0;
}

/**
 * ping6_admit() - a free slot for an echo of @owner, within the bounds
 * @p:		ping6
 * @owner:	the guest; 0 for none (a slirp network's one VM, which may
 *		use the whole network's bound, as natcap.c has it)
 *
 * Return: the slot, or NULL (counted and logged, throttled)
 */
static struct ping6_slot *ping6_admit(struct ping6 *p, uint32_t owner)
{
	struct ping6_slot *free_slot = NULL;
	unsigned i, held = 0;
	uint64_t due;

	for (i = 0; i < p->cfg.net_max; i++) {
		if (p->slots[i].fd < 0 && !free_slot)
			free_slot = &p->slots[i];
		else if (p->slots[i].fd >= 0 && p->slots[i].owner == owner)
			held++;
	}
	if (free_slot && (!owner || held < p->cfg.guest_max))
		return free_slot;
	if (!free_slot)
		p->st->drop_net++;
	else
		p->st->drop_guest++;
	due = log_rate_due(&p->cap_log, loop_now_ms(), PING6_LOG_MS);
	if (due)
		log_warnx("%s: ICMPv6 echo requests in flight: %u of a guest, "
			  "%u of the network (caps %u, %u): new ones dropped "
			  "(%llu more not logged)",
			  p->cfg.name, held, p->n, p->cfg.guest_max,
			  p->cfg.net_max, (unsigned long long)(due - 1));
	return NULL;
}

/**
 * ping6_socket() - an ICMPv6 datagram socket connected to @dst
 * @dst:	the destination
 * @what:	set to the call that failed
 *
 * Connected, so that the host reports errors for it (Linux's ping
 * sockets report them to connected sockets only) and, where sockets see
 * every ICMPv6 message (Darwin), only the destination's reach it.
 *
 * Return: the socket, non-blocking, or -1 with errno set
 */
static int ping6_socket(const struct in6_addr *dst, const char **what)
{
	struct sockaddr_in6 sa;
	int fd, err;

	*what = "socket";
	fd = socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_addr = *dst;
	*what = "connect";
	if (fcntl(fd, F_SETFL, O_NONBLOCK) || fcntl(fd, F_SETFD, FD_CLOEXEC) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/**
 * ping6_kid() - the identifier the host puts in the socket's requests
 * @fd:		the socket, after its first send
 * @id:		the guest's identifier, for hosts that keep it
 *
 * Return: Linux's ping socket's port; @id where the socket has none
 */
static uint16_t ping6_kid(int fd, uint16_t id)
{
	struct sockaddr_in6 sa;
	socklen_t sl = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &sl) ||
	    sa.sin6_family != AF_INET6 || !sa.sin6_port)
		return id;
	return ntohs(sa.sin6_port);
}

/**
 * ping6_send() - send an echo request through a new socket
 * @p:		ping6
 * @s:		its slot, free
 * @ip:		the request's IPv6 header
 * @msg:	its ICMPv6 message, checked
 * @msg_len:	its length
 */
static void ping6_send(struct ping6 *p, struct ping6_slot *s,
		       const struct frame_ip6 *ip, const uint8_t *msg,
		       size_t msg_len)
{
	const uint8_t *pkt = (const uint8_t *)ip;
	size_t pkt_len = FRAME_IP6_HLEN + msg_len;
	const char *what;
	int fd, err;

	fd = ping6_socket(&s->e.remote, &what);
	if (fd < 0) {
		err = errno;
		if (!strcmp(what, "socket"))
			p->st->refused++;
		ping6_failed(p, pkt, pkt_len, &s->e, err, what);
		return;
	}
	while (send(fd, msg, msg_len, 0) < 0) {
		if (errno == EINTR)
			continue;
		err = errno;
		close(fd);
		ping6_failed(p, pkt, pkt_len, &s->e, err, "send");
		return;
	}
	s->fd = fd;
	s->kid = ping6_kid(fd, s->e.id);
	s->deadline = loop_now_ms() + p->cfg.timeout_ms;
	memcpy(s->quote, pkt, sizeof(s->quote));
	p->n++;
	p->st->sent++;
	loop_io_add(p->l, fd, POLLIN, ping6_readable, s);
	ping6_arm(p);
}

/**
 * ping6_input() - take a guest's echo request to the outside
 * @p:		ping6
 * @frame:	Ethernet frame for the gateway
 * @len:	its length
 * @owner:	the guest it comes from, for its share of the bounds; 0
 *		for the network's bound only
 *
 * Return: 1 if the frame was an echo request to the outside and is
 * ping6's (sent, answered or dropped and counted); 0 for any other frame,
 * left to the caller (libslirp)
 */
int ping6_input(struct ping6 *p, const uint8_t *frame, size_t len,
		uint32_t owner)
{
	const struct frame_ip6 *ip;
	struct ping6_slot *s;
	const uint8_t *msg;
	size_t msg_len;

	msg = ping6_request(p, frame, len, &msg_len);
	if (!msg)
		return 0;
	ip = frame_ip6(frame, len);
	if (!ping6_valid(ip, msg, msg_len)) {
		p->st->bad++;
		return 1;
	}
	s = ping6_admit(p, owner);
	if (!s)
		return 1;
	s->owner = owner;
	memcpy(s->e.guest_mac, frame_eth(frame, len)->src, 6);
	memcpy(&s->e.guest, ip->src, 16);
	memcpy(&s->e.remote, ip->dst, 16);
	s->e.id = be16_get(msg + 4);
	s->e.seq = be16_get(msg + 6);
	ping6_send(p, s, ip, msg, msg_len);
	return 1;
}

/**
 * ping6_new() - echo requests to the outside for one network
 * @l:		loop
 * @cfg:	addresses and bounds (copied; @cfg->name must outlive ping6)
 * @st:		counters to keep, the network's
 * @out:	hands the replies and errors to the guests' side
 * @arg:	its argument
 *
 * Return: the ping6; exits on allocation failure
 */
struct ping6 *ping6_new(struct loop *l, const struct ping6_config *cfg,
			struct ping6_stats *st, ping6_out_fn out, void *arg)
{
	struct ping6 *p = xcalloc(1, sizeof(*p));
	unsigned i;

	p->l = l;
	p->cfg = *cfg;
	p->st = st;
	p->out = out;
	p->arg = arg;
	p->slots = xcalloc(cfg->net_max, sizeof(*p->slots));
	for (i = 0; i < cfg->net_max; i++) {
		p->slots[i].p = p;
		p->slots[i].fd = -1;
	}
	p->buf = xmalloc(PING6_HEAD + PING6_MSG_MAX);
	p->timer = loop_timer_new(l, ping6_expire, p);
	return p;
}

/**
 * ping6_free() - close every echo's socket and free it all
 * @p:		ping6, or NULL
 */
void ping6_free(struct ping6 *p)
{
	unsigned i;

	if (!p)
		return;
	for (i = 0; i < p->cfg.net_max; i++)
		if (p->slots[i].fd >= 0)
			ping6_close(&p->slots[i]);
	loop_timer_free(p->timer);
	free(p->buf);
	free(p->slots);
	free(p);
}
