/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dhcp.c - libFuzzer target for the DHCP server (packet/dhcp*.c):
 * one server per input, fed a conversation of messages.
 *
 * Input: byte 0 picks the configuration (bit 0: user-v2 pool .4-.254,
 * else the slirp pool .15-.17, small enough to run out; bit 1: two static
 * leases; bit 2: a domain search list taken from the input: one length
 * byte, then the text; bits 3-4: reply buffer of 576, 300, 260 or 240
 * bytes). Then messages, each: one byte of clock step (the clock moves by
 * its square times 4 seconds, so leases and offers expire), a 2-byte
 * big-endian length, and the UDP payload handed to dhcp_handle(). The
 * frame's source MAC is the message's chaddr, or a fixed MAC when the
 * clock byte's low 3 bits are all set.
 *
 * Besides the sanitizers, it aborts when an invariant breaks: a reply
 * longer than its buffer; a reply that is not a BOOTREPLY with the
 * request's xid and chaddr, the magic cookie, well-formed options ending
 * in END and a message type that matches the reply info; an address
 * offered or acknowledged outside the pool and the static leases, or the
 * network, broadcast, router or server address, or one whose lease
 * another MAC owns; a reply to a message whose chaddr is not the frame's
 * source; two
 * leases of one address; a hostname that is not a lower-case label.
 *
 * fuzz-sources: packet/dhcp.c packet/dhcp_codec.c packet/dhcp_store.c
 * fuzz-sources: base/log.c base/xalloc.c
 * fuzz-args: -close_fd_mask=2
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet/dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_NET	  0xc0a80500u /* 192.168.5.0/24 */
#define FZ_LEASES 300

static const uint8_t fz_src[6] = {0x52, 0x55, 0x55, 0, 0, 1};
static int64_t fz_now;
static int fz_changed;
static uint32_t fz_first, fz_last; /* the pool, host order */
static uint32_t fz_static[2];	   /* static lease addresses, host order */

/**
 * fz_require() - abort when an invariant does not hold
 * @ok:		the invariant
 * @what:	what it is
 */
static void fz_require(int ok, const char *what)
{
	if (!ok) {
		/* stdout: -close_fd_mask=2 closes stderr (the daemon's logs) */
		printf("invariant broken: %s\n", what);
		fflush(stdout);
		abort();
	}
}

/**
 * fz_clock() - the server's clock
 * @arg:	unused
 *
 * Return: seconds
 */
static int64_t fz_clock(void *arg)
{
	(void)arg;
	return fz_now;
}

/**
 * fz_on_changed() - the server changed a binding
 * @arg:	unused
 */
static void fz_on_changed(void *arg)
{
	(void)arg;
	fz_changed++;
}

/**
 * fz_host_ok() - may a client get this address (host order)?
 * @ip:		the address
 */
static int fz_host_ok(uint32_t ip)
{
	return (ip & 0xffffff00u) == FZ_NET && ip != FZ_NET &&
	       ip != (FZ_NET | 0xff) && ip != (FZ_NET | 2) &&
	       ip != (FZ_NET | 3);
}

/**
 * struct fz_seen - leases reported by dhcp_foreach_lease()
 * @ip:		their addresses
 * @mac:	their clients
 * @n:		how many
 */
struct fz_seen {
	uint32_t ip[FZ_LEASES];
	uint8_t mac[FZ_LEASES][6];
	size_t n;
};

/**
 * fz_lease() - dhcp_foreach_lease() callback: check one lease
 * @arg:	struct fz_seen
 * @li:		the lease
 *
 * Return: 0
 */
static int fz_lease(void *arg, const struct dhcp_lease_info *li)
{
	struct fz_seen *s = arg;
	uint32_t ip = ntohl(li->ip.s_addr);
	const char *h;
	size_t i;

	fz_require((ip & 0xffffff00u) == FZ_NET, "lease in the network");
	for (i = 0; i < s->n; i++)
		fz_require(s->ip[i] != ip, "one lease per address");
	if (s->n < FZ_LEASES) {
		memcpy(s->mac[s->n], li->mac, 6);
		s->ip[s->n++] = ip;
	}
	fz_require(li->state >= DHCP_LEASE_OFFERED &&
		       li->state <= DHCP_LEASE_RELEASED,
		   "lease state");
	fz_require(li->hostname != NULL, "hostname");
	fz_require(strlen(li->hostname) <= DHCP_HOSTNAME_MAX, "hostname len");
	for (h = li->hostname; *h; h++)
		fz_require((*h >= 'a' && *h <= 'z') ||
			       (*h >= '0' && *h <= '9') || *h == '-',
			   "hostname is a lower-case label");
	return 0;
}

/**
 * fz_check_reply() - check a reply against its request
 * @d:		server
 * @req:	the request
 * @rep:	the reply
 * @n:		its length
 * @cap:	its buffer size
 * @ri:		reply info
 * @seen:	the leases after the reply
 */
static void fz_check_reply(struct dhcp *d, const uint8_t *req,
			   const uint8_t *rep, size_t n, size_t cap,
			   const struct dhcp_reply_info *ri,
			   const struct fz_seen *seen)
{
	static const uint8_t cookie[4] = {99, 130, 83, 99};
	uint32_t yi;
	size_t i = 240;
	int type = -1, end = 0;
	uint8_t mac[6];
	size_t k;

	fz_require(n <= cap && n >= 240 + 3 + 1, "reply length");
	fz_require(rep[0] == 2 && rep[1] == 1 && rep[2] == 6, "BOOTREPLY");
	fz_require(!memcmp(rep + 4, req + 4, 4), "xid");
	fz_require(!memcmp(rep + 28, req + 28, 16), "chaddr");
	fz_require(!memcmp(ri->chaddr, req + 28, 6), "reply info chaddr");
	fz_require(!memcmp(rep + 236, cookie, 4), "cookie");
	while (i < n) {
		uint8_t code = rep[i];

		if (code == 0) {
			i++;
			continue;
		}
		if (code == 255) {
			end = 1;
			break;
		}
		fz_require(i + 2 <= n && i + 2 + rep[i + 1] <= n,
			   "option within the reply");
		if (code == 53) {
			fz_require(rep[i + 1] == 1 && type < 0, "one type");
			type = rep[i + 2];
		}
		i += 2 + (size_t)rep[i + 1];
	}
	fz_require(end, "options end");
	fz_require(type == ri->type && (type == DHCP_OFFER ||
					type == DHCP_ACK || type == DHCP_NAK),
		   "message type");
	memcpy(&yi, rep + 16, 4);
	fz_require(yi == ri->yiaddr.s_addr, "reply info yiaddr");
	yi = ntohl(yi);
	if (type == DHCP_NAK) {
		fz_require(yi == 0 && ri->broadcast, "NAK");
		return;
	}
	if (!yi)
		return; /* ACK to an INFORM */
	fz_require(fz_host_ok(yi), "address a client may have");
	fz_require((yi >= fz_first && yi <= fz_last) || yi == fz_static[0] ||
		       yi == fz_static[1],
		   "address from the pool or a static lease");
	for (k = 0; k < seen->n && seen->ip[k] != yi; k++)
		;
	fz_require(k < seen->n && !memcmp(seen->mac[k], req + 28, 6),
		   "the address is the client's");
	if (type == DHCP_ACK)
		fz_require(dhcp_lease_owner(d, ri->yiaddr, mac) &&
			       !memcmp(mac, req + 28, 6),
			   "an acknowledged address is owned");
}

/**
 * LLVMFuzzerTestOneInput() - one conversation
 * @data:	bytes
 * @size:	how many
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = {DHCP_REPLY_MAX, 300, 260, 240};
	static const struct dhcp_static_lease statics[] = {
	    {{0}, {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}},
	    {{0}, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc}},
	};
	struct dhcp_static_lease st[2];
	struct dhcp_config c;
	struct dhcp_reply_info ri;
	struct dhcp_stats stats;
	uint8_t reply[DHCP_REPLY_MAX];
	char search[256];
	struct fz_seen seen;
	size_t off = 1, cap, len;
	struct dhcp *d;
	const uint8_t *src;
	int n;

	if (size < 1)
		return 0;
	memset(&c, 0, sizeof(c));
	c.network.s_addr = htonl(FZ_NET);
	c.netmask.s_addr = htonl(0xffffff00u);
	c.server_id.s_addr = htonl(FZ_NET | 3);
	c.router.s_addr = htonl(FZ_NET | 2);
	c.dns.s_addr = c.server_id.s_addr;
	fz_first = FZ_NET | (data[0] & 1 ? 4 : 15);
	fz_last = FZ_NET | (data[0] & 1 ? 254 : 17);
	c.pool_first.s_addr = htonl(fz_first);
	c.pool_last.s_addr = htonl(fz_last);
	fz_static[0] = fz_static[1] = 0;
	c.mtu = 1500;
	c.clock = fz_clock;
	c.changed = fz_on_changed;
	if (data[0] & 2) {
		memcpy(st, statics, sizeof(st));
		st[0].ip.s_addr = htonl(FZ_NET | 16); /* inside the pool */
		st[1].ip.s_addr = htonl(FZ_NET | 200);
		c.statics = st;
		c.nstatics = 2;
		fz_static[0] = FZ_NET | 16;
		fz_static[1] = FZ_NET | 200;
	}
	if ((data[0] & 4) && size >= 2) {
		len = data[1] < size - 2 ? data[1] : size - 2;
		memcpy(search, data + 2, len);
		search[len] = 0;
		c.domain_search = search;
		off = 2 + len;
	} else {
		c.domain_search = "lima.internal example.com";
	}
	cap = caps[(data[0] >> 3) & 3];
	fz_now = 1000;
	fz_changed = 0;
	d = dhcp_new(&c);
	if (!d)
		return 0; /* a search list that does not encode */
	while (size - off >= 3) {
		fz_now += (int64_t)data[off] * data[off] * 4;
		len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		memset(reply, 0xee, sizeof(reply));
		/* the frame's source is the chaddr, so that messages reach
		 * the server's policy, or a fixed MAC when the clock byte's
		 * low 3 bits are set (the check of the sender) */
		src = len >= 34 && (data[off - 3] & 7) != 7 ? data + off + 28
							    : fz_src;
		n = dhcp_handle(d, src, 0, data + off, len, reply, cap, &ri);
		fz_require(n >= 0, "reply length not negative");
		fz_require(!n || !memcmp(src, data + off + 28, 6),
			   "a reply to a message whose chaddr is not its "
			   "source");
		seen.n = 0;
		dhcp_foreach_lease(d, fz_lease, &seen);
		if (n > 0)
			fz_check_reply(d, data + off, reply, (size_t)n, cap,
				       &ri, &seen);
		off += len;
	}
	dhcp_get_stats(d, &stats);
	fz_require(stats.offers + stats.acks + stats.naks >= stats.informs,
		   "counters");
	dhcp_free(d);
	return 0;
}
