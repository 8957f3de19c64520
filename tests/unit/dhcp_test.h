/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcp_test.h - what the tests of the DHCP server (test_dhcp*.c) share, once:
 * a DISCOVER captured from busybox udhcpc, the client MACs, the test's clock,
 * a BOOTREQUEST builder, readers of the options of a reply, a server with the
 * slirp configuration, and a client bound in one exchange. The functions are
 * static inline: a file need not use all of them.
 */
#ifndef USERNETD_TEST_DHCP_TEST_H
#define USERNETD_TEST_DHCP_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "packet/dhcp.h"
#include "tests/unit/testlib.h"

/* UDP payload of a DHCPDISCOVER sent by busybox 1.35 udhcpc -x hostname:myvm
 * from 52:55:55:12:34:56, xid 0x5f333656 (tcpdump capture). */
static const uint8_t udhcpc_discover[300] = {
    0x01, 0x01, 0x06, 0x00, 0x5f, 0x33, 0x36, 0x56, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x52, 0x55, 0x55, 0x12, 0x34, 0x56, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x63, 0x82, 0x53, 0x63,
    0x35, 0x01, 0x01, 0x39, 0x02, 0x02, 0x40, 0x37, 0x07, 0x01, 0x03, 0x06,
    0x0c, 0x0f, 0x1c, 0x2a, 0x0c, 0x04, 0x6d, 0x79, 0x76, 0x6d, 0x3c, 0x0c,
    0x75, 0x64, 0x68, 0x63, 0x70, 0x20, 0x31, 0x2e, 0x33, 0x35, 0x2e, 0x30,
    0x3d, 0x07, 0x01, 0x52, 0x55, 0x55, 0x12, 0x34, 0x56, 0xff, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t mac_a[6] = {0x52, 0x55, 0x55, 0x12, 0x34, 0x56};
static const uint8_t mac_b[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x0b};
static const uint8_t mac_c[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x0c};

static int64_t test_now = 1000;
static uint32_t server_ip; /* network order, option 54 of bind_client() */

/**
 * test_clock() - the clock the server under test sees
 * @arg:	unused
 *
 * Return: the test's clock, test_now
 */
static inline int64_t test_clock(void *arg)
{
	(void)arg;
	return test_now;
}

/**
 * cfg_slirp() - configuration of the slirp network, pool .15-.17
 * @c:		set to that configuration
 */
static inline void cfg_slirp(struct dhcp_config *c)
{
	tl_dhcp_slirp(c);
	c->pool_last.s_addr = tl_ip4("192.168.5.17");
	c->mtu = 1400;
	c->domain_search = "lima.internal";
	c->clock = test_clock;
}

/**
 * struct req - a request to build
 * @type:	DHCP message type (option 53)
 * @mac:	the client's MAC (chaddr)
 * @xid:	transaction ID
 * @ciaddr:	client address, network order
 * @requested:	requested address (option 50), network order; 0: none
 * @server:	server identifier (option 54), network order; 0: none
 * @hostname:	hostname (option 12), or NULL
 */
struct req {
	uint8_t type;
	const uint8_t *mac;
	uint32_t xid;
	uint32_t ciaddr;
	uint32_t requested;
	uint32_t server;
	const char *hostname;
};

/**
 * build() - write a BOOTREQUEST as a client would
 * @b:		buffer, at least 300 bytes
 * @r:		what to send
 *
 * Return: length (300, the BOOTP minimum)
 */
static inline size_t build(uint8_t *b, const struct req *r)
{
	size_t o = 240;

	memset(b, 0, 300);
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	b[4] = (uint8_t)(r->xid >> 24);
	b[5] = (uint8_t)(r->xid >> 16);
	b[6] = (uint8_t)(r->xid >> 8);
	b[7] = (uint8_t)r->xid;
	memcpy(b + 12, &r->ciaddr, 4);
	memcpy(b + 28, r->mac, 6);
	b[236] = 99;
	b[237] = 130;
	b[238] = 83;
	b[239] = 99;
	b[o++] = 53;
	b[o++] = 1;
	b[o++] = r->type;
	if (r->requested) {
		b[o++] = 50;
		b[o++] = 4;
		memcpy(b + o, &r->requested, 4);
		o += 4;
	}
	if (r->server) {
		b[o++] = 54;
		b[o++] = 4;
		memcpy(b + o, &r->server, 4);
		o += 4;
	}
	if (r->hostname) {
		b[o++] = 12;
		b[o++] = (uint8_t)strlen(r->hostname);
		memcpy(b + o, r->hostname, strlen(r->hostname));
		o += strlen(r->hostname);
	}
	b[o++] = 55;
	b[o++] = 4;
	b[o++] = 1;
	b[o++] = 3;
	b[o++] = 6;
	b[o++] = 26;
	b[o] = 255;
	return 300;
}

/**
 * opt() - find option @code in a reply
 * @r:		reply message
 * @n:		its length
 * @code:	option code
 * @len:	set to the option's length
 *
 * Return: pointer to its value, NULL if absent; *len set
 */
static inline const uint8_t *opt(const uint8_t *r, int n, uint8_t code,
				 int *len)
{
	int i = 240;

	while (i < n && r[i] != 255) {
		if (r[i] == 0) {
			i++;
			continue;
		}
		assert_true(i + 1 < n && i + 2 + r[i + 1] <= n);
		if (r[i] == code) {
			*len = r[i + 1];
			return r + i + 2;
		}
		i += 2 + r[i + 1];
	}
	assert_true(i < n); /* END present */
	return NULL;
}

/**
 * opt32() - a 4-byte option in network order, 0 if absent
 * @r:		reply message
 * @n:		its length
 * @code:	option code
 *
 * Return: the value as stored (network order), 0 if absent
 */
static inline uint32_t opt32(const uint8_t *r, int n, uint8_t code)
{
	int len = 0;
	const uint8_t *p = opt(r, n, code, &len);
	uint32_t v;

	if (!p)
		return 0;
	assert_int_equal(len, 4);
	memcpy(&v, p, 4);
	return v;
}

/**
 * msg_type() - option 53 of a reply
 * @r:		reply message
 * @n:		its length
 *
 * Return: the DHCP message type; fails the test if absent or malformed
 */
static inline int msg_type(const uint8_t *r, int n)
{
	int len = 0;
	const uint8_t *p = opt(r, n, 53, &len);

	assert_non_null(p);
	assert_int_equal(len, 1);
	return p[0];
}

/**
 * yiaddr() - yiaddr of a reply, network order
 * @r:		reply message
 *
 * Return: its yiaddr field, network order
 */
static inline uint32_t yiaddr(const uint8_t *r)
{
	uint32_t v;

	memcpy(&v, r + 16, 4);
	return v;
}

/* The port dhcp_handle() is told a message came in on (set_port()). */
static uint32_t msg_port;

/**
 * set_port() - the port the next messages come in on
 * @d:		server (unused: dhcp_handle() takes the port)
 * @port:	the port's number, 0 for none known
 */
static inline void set_port(struct dhcp *d, uint32_t port)
{
	(void)d;
	msg_port = port;
}

/**
 * src_of() - the Ethernet source a well-behaved client's frame carries:
 * the message's chaddr (a fixed MAC for messages too short to have one)
 * @msg:	BOOTREQUEST
 * @len:	its length
 *
 * Return: the 6-byte source MAC
 */
static inline const uint8_t *src_of(const uint8_t *msg, size_t len)
{
	static const uint8_t fixed[6] = {0x52, 0x55, 0x55, 0, 0, 1};

	return len >= 34 ? msg + 28 : fixed;
}

/**
 * send_req() - build @r, hand it to @d
 * @d:		server
 * @r:		what to send
 * @reply:	buffer for the reply, DHCP_REPLY_MAX bytes
 * @ri:		set to where the reply goes
 *
 * Return: reply length
 */
static inline int send_req(struct dhcp *d, const struct req *r, uint8_t *reply,
			   struct dhcp_reply_info *ri)
{
	uint8_t b[300];
	size_t n = build(b, r);

	return dhcp_handle(d, src_of(b, n), msg_port, b, n, reply,
			   DHCP_REPLY_MAX, ri);
}

/**
 * bind_client() - DISCOVER + REQUEST(selecting) for @mac
 * @d:		server
 * @mac:	client MAC
 * @hostname:	option 12 to send, or NULL
 *
 * Return: the address acknowledged, network order, 0 if none
 */
static inline uint32_t bind_client(struct dhcp *d, const uint8_t *mac,
				   const char *hostname)
{
	struct req r = {DHCP_DISCOVER, mac, 0x1234, 0, 0, 0, hostname};
	struct dhcp_reply_info ri;
	uint8_t reply[DHCP_REPLY_MAX];
	uint32_t offered;
	int n;

	n = send_req(d, &r, reply, &ri);
	if (!n)
		return 0;
	assert_int_equal(msg_type(reply, n), DHCP_OFFER);
	offered = yiaddr(reply);
	r.type = DHCP_REQUEST;
	r.requested = offered;
	r.server = server_ip;
	n = send_req(d, &r, reply, &ri);
	assert_true(n > 0);
	assert_int_equal(msg_type(reply, n), DHCP_ACK);
	assert_int_equal(yiaddr(reply), offered);
	return offered;
}

/**
 * struct find - dhcp_foreach_lease() search state
 * @mac:	the client looked for
 * @li:		its lease, when found
 * @hostname:	a copy of its hostname
 * @found:	it was found
 * @count:	leases seen in all
 */
struct find {
	const uint8_t *mac;
	struct dhcp_lease_info li;
	char hostname[DHCP_HOSTNAME_MAX + 1];
	int found;
	int count;
};

/**
 * find_cb() - record the lease of f->mac, count all
 * @arg:	struct find to fill
 * @li:		one lease
 *
 * Return: 0, to go on
 */
static inline int find_cb(void *arg, const struct dhcp_lease_info *li)
{
	struct find *f = arg;

	f->count++;
	if (f->mac && !memcmp(li->mac, f->mac, 6)) {
		f->li = *li;
		snprintf(f->hostname, sizeof(f->hostname), "%s", li->hostname);
		f->found = 1;
	}
	return 0;
}

/**
 * lease_of() - the lease of @mac
 * @d:		server
 * @mac:	client MAC
 *
 * Return: what dhcp_foreach_lease() found (@found 0 if none)
 */
static inline struct find lease_of(struct dhcp *d, const uint8_t *mac)
{
	struct find f;

	memset(&f, 0, sizeof(f));
	f.mac = mac;
	dhcp_foreach_lease(d, find_cb, &f);
	return f;
}

/**
 * new_server() - server with the slirp configuration
 *
 * Return: the server; fails the test if it cannot be made
 */
static inline struct dhcp *new_server(void)
{
	struct dhcp_config c;
	struct dhcp *d;

	cfg_slirp(&c);
	server_ip = c.server_id.s_addr;
	d = dhcp_new(&c);
	assert_non_null(d);
	return d;
}

#endif /* USERNETD_TEST_DHCP_TEST_H */
