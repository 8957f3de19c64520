/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dhcp.c - unit tests of the DHCP server (packet/dhcp.c): DORA with
 * a DISCOVER captured from busybox udhcpc, renewal, NAK, static leases,
 * pool exhaustion, RELEASE, DECLINE, INFORM, and malformed messages.
 */
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
static const uint8_t mac_d[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x0d};
static const uint8_t mac_s[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x5a};

static int64_t test_now = 1000;
static uint32_t server_ip; /* network order, option 54 of bind_client() */

/**
 * test_clock() - the clock the server under test sees
 * @arg:	unused
 *
 * Return: the test's clock, test_now
 */
static int64_t test_clock(void *arg)
{
	(void)arg;
	return test_now;
}

/**
 * cfg_slirp() - configuration of the slirp network, pool .15-.17
 * @c:		set to that configuration
 */
static void cfg_slirp(struct dhcp_config *c)
{
	tl_dhcp_slirp(c);
	c->pool_last.s_addr = tl_ip4("192.168.5.17");
	c->mtu = 1400;
	c->domain_search = "lima.internal";
	c->clock = test_clock;
}

/**
 * struct req - a request to build
 */
struct req {
	uint8_t type;
	const uint8_t *mac;
	uint32_t xid;
	uint32_t ciaddr;    /* network order */
	uint32_t requested; /* network order, 0: no option 50 */
	uint32_t server;    /* network order, 0: no option 54 */
	const char *hostname;
};

/**
 * build() - write a BOOTREQUEST as a client would
 * @b:		buffer, at least 300 bytes
 * @r:		what to send
 *
 * Return: length (300, the BOOTP minimum)
 */
static size_t build(uint8_t *b, const struct req *r)
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
static const uint8_t *opt(const uint8_t *r, int n, uint8_t code, int *len)
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
static uint32_t opt32(const uint8_t *r, int n, uint8_t code)
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
static int msg_type(const uint8_t *r, int n)
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
static uint32_t yiaddr(const uint8_t *r)
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
static void set_port(struct dhcp *d, uint32_t port)
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
static const uint8_t *src_of(const uint8_t *msg, size_t len)
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
static int send_req(struct dhcp *d, const struct req *r, uint8_t *reply,
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
static uint32_t bind_client(struct dhcp *d, const uint8_t *mac,
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
static int find_cb(void *arg, const struct dhcp_lease_info *li)
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
static struct find lease_of(struct dhcp *d, const uint8_t *mac)
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
static struct dhcp *new_server(void)
{
	struct dhcp_config c;
	struct dhcp *d;

	cfg_slirp(&c);
	server_ip = c.server_id.s_addr;
	d = dhcp_new(&c);
	assert_non_null(d);
	return d;
}

/**
 * test_udhcpc_offer() - a real DISCOVER gets a complete OFFER of .15
 * @state:	unused
 */
static void test_udhcpc_offer(void **state)
{
	static const uint8_t search[] = {4,   'l', 'i', 'm', 'a', 8,   'i', 'n',
					 't', 'e', 'r', 'n', 'a', 'l', 0};
	struct dhcp *d = new_server();
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	const uint8_t *p;
	struct find f;
	int n, len;

	(void)state;
	n = dhcp_handle(d, src_of(udhcpc_discover, sizeof(udhcpc_discover)),
			msg_port, udhcpc_discover, sizeof(udhcpc_discover),
			reply, sizeof(reply), &ri);
	assert_true(n >= 300 && n <= DHCP_REPLY_MAX);
	assert_int_equal(reply[0], 2); /* BOOTREPLY */
	assert_int_equal(reply[1], 1);
	assert_int_equal(reply[2], 6);
	assert_memory_equal(reply + 4, udhcpc_discover + 4, 4); /* xid */
	assert_memory_equal(reply + 28, mac_a, 6);
	assert_memory_equal(reply + 236, "\x63\x82\x53\x63", 4);
	assert_int_equal(msg_type(reply, n), DHCP_OFFER);
	assert_int_equal(yiaddr(reply), tl_ip4("192.168.5.15"));
	assert_int_equal(opt32(reply, n, 54), tl_ip4("192.168.5.3"));
	assert_int_equal(opt32(reply, n, 51), htonl(3600));
	assert_int_equal(opt32(reply, n, 58), htonl(1800));
	assert_int_equal(opt32(reply, n, 59), htonl(3150));
	assert_int_equal(opt32(reply, n, 1), tl_ip4("255.255.255.0"));
	assert_int_equal(opt32(reply, n, 3), tl_ip4("192.168.5.2"));
	assert_int_equal(opt32(reply, n, 6), tl_ip4("192.168.5.3"));
	p = opt(reply, n, 26, &len);
	assert_non_null(p);
	assert_int_equal(len, 2);
	assert_int_equal(p[0] << 8 | p[1], 1400);
	p = opt(reply, n, 15, &len);
	assert_non_null(p);
	assert_int_equal(len, 13);
	assert_memory_equal(p, "lima.internal", 13);
	p = opt(reply, n, 119, &len);
	assert_non_null(p);
	assert_int_equal(len, sizeof(search));
	assert_memory_equal(p, search, sizeof(search));

	assert_int_equal(ri.type, DHCP_OFFER);
	assert_true(ri.broadcast);
	assert_int_equal(ri.dst.s_addr, htonl(INADDR_BROADCAST));
	assert_memory_equal(ri.chaddr, mac_a, 6);
	assert_int_equal(ri.yiaddr.s_addr, tl_ip4("192.168.5.15"));

	f = lease_of(d, mac_a);
	assert_true(f.found);
	assert_int_equal(f.li.state, DHCP_LEASE_OFFERED);
	assert_string_equal(f.hostname, "myvm");
	dhcp_free(d);
}

/**
 * test_dora() - full DORA; the hostname is recorded; a second client
 * gets the next address
 * @state:	unused
 */
static void test_dora(void **state)
{
	struct dhcp *d = new_server();
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct req r = {DHCP_REQUEST, mac_a, 7, 0, 0, 0, NULL};
	struct dhcp_stats st;
	struct find f;
	int n;

	(void)state;
	n = dhcp_handle(d, src_of(udhcpc_discover, sizeof(udhcpc_discover)),
			msg_port, udhcpc_discover, sizeof(udhcpc_discover),
			reply, sizeof(reply), &ri);
	assert_true(n > 0);
	r.requested = yiaddr(reply);
	r.server = tl_ip4("192.168.5.3");
	n = send_req(d, &r, reply, &ri);
	assert_true(n > 0);
	assert_int_equal(msg_type(reply, n), DHCP_ACK);
	assert_int_equal(yiaddr(reply), tl_ip4("192.168.5.15"));
	assert_int_equal(opt32(reply, n, 51), htonl(3600));
	assert_true(ri.broadcast);
	assert_int_equal(ri.type, DHCP_ACK);

	f = lease_of(d, mac_a);
	assert_int_equal(f.li.state, DHCP_LEASE_BOUND);
	assert_int_equal(f.li.expires, test_now + 3600);
	assert_false(f.li.is_static);
	assert_string_equal(dhcp_lease_hostname(d, f.li.ip), "myvm");

	assert_int_equal(bind_client(d, mac_b, "Other-VM.example"),
			 tl_ip4("192.168.5.16"));
	f = lease_of(d, mac_b);
	assert_string_equal(f.hostname, "other-vm");
	assert_int_equal(f.count, 2);
	/* a DISCOVER from a bound client offers its address again */
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.15"));

	dhcp_get_stats(d, &st);
	assert_int_equal(st.offers, 3);
	assert_int_equal(st.acks, 3);
	assert_int_equal(st.naks, 0);
	dhcp_free(d);
}

/**
 * test_renew() - RENEWING is answered by unicast and extends the lease;
 * an expired client gets its old address back
 * @state:	unused
 */
static void test_renew(void **state)
{
	struct dhcp *d = new_server();
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct req r = {DHCP_REQUEST, mac_a, 9, 0, 0, 0, NULL};
	struct find f;
	int n;

	(void)state;
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.15"));
	test_now += 1800;
	r.ciaddr = tl_ip4("192.168.5.15");
	n = send_req(d, &r, reply, &ri);
	assert_true(n > 0);
	assert_int_equal(msg_type(reply, n), DHCP_ACK);
	assert_int_equal(yiaddr(reply), tl_ip4("192.168.5.15"));
	assert_memory_equal(reply + 12, &r.ciaddr, 4);
	assert_false(ri.broadcast);
	assert_int_equal(ri.dst.s_addr, tl_ip4("192.168.5.15"));
	f = lease_of(d, mac_a);
	assert_int_equal(f.li.expires, test_now + 3600);

	/* expiry: B takes a never-used address, A gets .15 again */
	test_now += 4000;
	f = lease_of(d, mac_a);
	assert_int_equal(f.li.state, DHCP_LEASE_EXPIRED);
	assert_null(dhcp_lease_hostname(d, f.li.ip));
	assert_int_equal(bind_client(d, mac_b, NULL), tl_ip4("192.168.5.16"));
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.15"));
	dhcp_free(d);
}

/**
 * test_nak() - wrong addresses are refused with a broadcast DHCPNAK
 * @state:	unused
 */
static void test_nak(void **state)
{
	struct dhcp *d = new_server();
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct req r = {DHCP_REQUEST, mac_b, 5, 0, 0, 0, NULL};
	struct dhcp_stats st;
	int n;

	(void)state;
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.15"));

	/* INIT-REBOOT: outside the pool, another network, A's address */
	r.requested = tl_ip4("192.168.5.99");
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_NAK);
	assert_int_equal(yiaddr(reply), 0);
	assert_null(opt(reply, n, 51, &(int){0}));
	assert_int_equal(opt32(reply, n, 54), tl_ip4("192.168.5.3"));
	assert_true(ri.broadcast);
	assert_int_equal(ri.type, DHCP_NAK);
	r.requested = tl_ip4("10.0.2.15");
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_NAK);
	r.requested = tl_ip4("192.168.5.15");
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_NAK);
	/* SELECTING an address we did not offer and is taken */
	r.server = tl_ip4("192.168.5.3");
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_NAK);
	/* RENEWING with someone else's address: NAK, broadcast */
	r.server = 0;
	r.requested = 0;
	r.ciaddr = tl_ip4("192.168.5.15");
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_NAK);
	assert_true(ri.broadcast);
	/* our own addresses are never handed out */
	r.ciaddr = 0;
	r.requested = tl_ip4("192.168.5.3");
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_NAK);
	/* INIT-REBOOT with a free pool address: authoritative ACK */
	r.requested = tl_ip4("192.168.5.17");
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_ACK);
	assert_int_equal(yiaddr(reply), tl_ip4("192.168.5.17"));

	dhcp_get_stats(d, &st);
	assert_int_equal(st.naks, 6);
	dhcp_free(d);
}

/**
 * test_static() - a static lease goes only to its MAC, and that MAC only
 * gets it; a static address inside the pool is skipped by the allocator
 * @state:	unused
 */
static void test_static(void **state)
{
	struct dhcp_static_lease sl[2];
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct dhcp_config c;
	struct req r = {DHCP_REQUEST, mac_b, 5, 0, 0, 0, NULL};
	struct dhcp *d;
	struct find f;
	int n;

	(void)state;
	cfg_slirp(&c);
	sl[0].ip.s_addr = tl_ip4("192.168.5.50");
	memcpy(sl[0].mac, mac_s, 6);
	sl[1].ip.s_addr = tl_ip4("192.168.5.15");
	memcpy(sl[1].mac, mac_c, 6);
	c.statics = sl;
	c.nstatics = 2;
	server_ip = c.server_id.s_addr;
	d = dhcp_new(&c);
	assert_non_null(d);

	f = lease_of(d, mac_s);
	assert_true(f.found);
	assert_true(f.li.is_static);
	assert_int_equal(f.li.expires, 0);
	assert_int_equal(f.count, 2);

	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.16"));
	assert_int_equal(bind_client(d, mac_s, "static1"),
			 tl_ip4("192.168.5.50"));
	assert_int_equal(bind_client(d, mac_c, NULL), tl_ip4("192.168.5.15"));
	f = lease_of(d, mac_s);
	assert_int_equal(f.li.state, DHCP_LEASE_BOUND);
	assert_string_equal(dhcp_lease_hostname(d, f.li.ip), "static1");

	/* another MAC cannot have .50, the static MAC cannot have .17 */
	r.requested = tl_ip4("192.168.5.50");
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_NAK);
	r.mac = mac_s;
	r.requested = tl_ip4("192.168.5.17");
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_NAK);
	/* even after the static lease expires */
	test_now += 10000;
	r.mac = mac_b;
	r.requested = tl_ip4("192.168.5.50");
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_NAK);
	dhcp_free(d);
}

/**
 * test_exhaustion() - no OFFER when the pool is full; a RELEASE frees
 * an address for the next client
 * @state:	unused
 */
static void test_exhaustion(void **state)
{
	struct dhcp *d = new_server();
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct req r = {DHCP_DISCOVER, mac_d, 3, 0, 0, 0, NULL};
	struct dhcp_stats st;
	struct find f;
	int n;

	(void)state;
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.15"));
	assert_int_equal(bind_client(d, mac_b, NULL), tl_ip4("192.168.5.16"));
	assert_int_equal(bind_client(d, mac_c, NULL), tl_ip4("192.168.5.17"));
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(n, 0);
	dhcp_get_stats(d, &st);
	assert_int_equal(st.pool_exhausted, 1);

	/* B releases .16 */
	r.type = DHCP_RELEASE;
	r.mac = mac_b;
	r.ciaddr = tl_ip4("192.168.5.16");
	r.server = tl_ip4("192.168.5.3");
	assert_int_equal(send_req(d, &r, reply, &ri), 0);
	dhcp_get_stats(d, &st);
	assert_int_equal(st.releases, 1);
	f = lease_of(d, mac_b);
	assert_int_equal(f.li.state, DHCP_LEASE_RELEASED);
	/* a RELEASE by a client that does not hold the address: ignored */
	r.mac = mac_d;
	r.ciaddr = tl_ip4("192.168.5.15");
	assert_int_equal(send_req(d, &r, reply, &ri), 0);
	f = lease_of(d, mac_a);
	assert_int_equal(f.li.state, DHCP_LEASE_BOUND);

	assert_int_equal(bind_client(d, mac_d, NULL), tl_ip4("192.168.5.16"));
	f = lease_of(d, mac_b);
	assert_false(f.found);
	dhcp_free(d);
}

/**
 * test_release_same_address() - a client that released its address gets
 * it again while the pool has others
 * @state:	unused
 */
static void test_release_same_address(void **state)
{
	struct dhcp *d = new_server();
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct req r = {DHCP_RELEASE, mac_a, 3, 0, 0, 0, NULL};

	(void)state;
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.15"));
	r.ciaddr = tl_ip4("192.168.5.15");
	r.server = tl_ip4("192.168.5.3");
	assert_int_equal(send_req(d, &r, reply, &ri), 0);
	assert_int_equal(bind_client(d, mac_b, NULL), tl_ip4("192.168.5.16"));
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.15"));
	dhcp_free(d);
}

/**
 * test_decline() - a declined address rests for DHCP_DECLINE_HOLD
 * @state:	unused
 */
static void test_decline(void **state)
{
	struct dhcp *d = new_server();
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct req r = {DHCP_DECLINE, mac_a, 3, 0, 0, 0, NULL};
	struct dhcp_stats st;

	(void)state;
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.15"));
	r.requested = tl_ip4("192.168.5.15");
	r.server = tl_ip4("192.168.5.3");
	assert_int_equal(send_req(d, &r, reply, &ri), 0);
	dhcp_get_stats(d, &st);
	assert_int_equal(st.declines, 1);
	assert_false(lease_of(d, mac_a).found);
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.16"));
	assert_int_equal(bind_client(d, mac_b, NULL), tl_ip4("192.168.5.17"));
	assert_int_equal(bind_client(d, mac_c, NULL), 0);
	test_now += DHCP_DECLINE_HOLD + 1;
	assert_int_equal(bind_client(d, mac_c, NULL), tl_ip4("192.168.5.15"));
	dhcp_free(d);
}

/**
 * test_inform() - INFORM gets configuration, no address, no lease time
 * @state:	unused
 */
static void test_inform(void **state)
{
	struct dhcp *d = new_server();
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct req r = {DHCP_INFORM, mac_a, 3, 0, 0, 0, NULL};
	int n, len;

	(void)state;
	r.ciaddr = tl_ip4("192.168.5.15");
	n = send_req(d, &r, reply, &ri);
	assert_true(n > 0);
	assert_int_equal(msg_type(reply, n), DHCP_ACK);
	assert_int_equal(yiaddr(reply), 0);
	assert_null(opt(reply, n, 51, &len));
	assert_int_equal(opt32(reply, n, 6), tl_ip4("192.168.5.3"));
	assert_false(ri.broadcast);
	assert_int_equal(ri.dst.s_addr, tl_ip4("192.168.5.15"));
	assert_int_equal(lease_of(d, mac_a).count, 0);
	dhcp_free(d);
}

/**
 * test_other_server() - a REQUEST for another server withdraws our offer
 * @state:	unused
 */
static void test_other_server(void **state)
{
	struct dhcp *d = new_server();
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct req r = {DHCP_DISCOVER, mac_a, 3, 0, 0, 0, NULL};
	struct dhcp_stats st;

	(void)state;
	assert_true(send_req(d, &r, reply, &ri) > 0);
	r.type = DHCP_REQUEST;
	r.requested = tl_ip4("192.168.5.15");
	r.server = tl_ip4("192.168.5.4");
	assert_int_equal(send_req(d, &r, reply, &ri), 0);
	dhcp_get_stats(d, &st);
	assert_int_equal(st.drop_other_server, 1);
	assert_int_equal(lease_of(d, mac_a).li.state, DHCP_LEASE_EXPIRED);
	dhcp_free(d);
}

/**
 * expect_drop() - @msg gets no reply and raises exactly one counter
 * @d:		server
 * @msg:	BOOTREQUEST
 * @len:	its length
 * @counter_off:	offset in struct dhcp_stats of the counter it must raise
 * @line:	source line of the case, named in a failure
 */
static void expect_drop(struct dhcp *d, const uint8_t *msg, size_t len,
			size_t counter_off, int line)
{
	struct dhcp_stats before, after;
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;

	dhcp_get_stats(d, &before);
	if (dhcp_handle(d, src_of(msg, len), msg_port, msg, len, reply,
			sizeof(reply), &ri))
		fail_msg("the message of line %d was answered", line);
	dhcp_get_stats(d, &after);
	assert_int_equal(after.rx, before.rx + 1);
	if (*(uint64_t *)((char *)&after + counter_off) !=
	    *(uint64_t *)((char *)&before + counter_off) + 1)
		fail_msg("wrong drop counter for the message of line %d", line);
	assert_int_equal(after.offers, before.offers);
}

#define DROP(d, m, l, field)                                                   \
	expect_drop(d, m, l, offsetof(struct dhcp_stats, field), __LINE__)

/**
 * struct mutation - a row of test_malformed(): the capture with one byte
 * changed
 * @off:	the byte's offset
 * @val:	its new value
 * @counter:	offset in struct dhcp_stats of the drop counter it raises
 * @line:	the row's source line, which a failure names
 */
struct mutation {
	size_t off;
	uint8_t val;
	size_t counter;
	int line;
};

#define MUTATE(o, v, field)                                                    \
	{                                                                      \
		.off = (o), .val = (v),                                        \
		.counter = offsetof(struct dhcp_stats, field),                 \
		.line = __LINE__                                               \
	}

/**
 * test_malformed() - every kind of broken message is dropped and counted
 * @state:	unused
 */
static void test_malformed(void **state)
{
	struct dhcp *d = new_server();
	uint8_t m[DHCP_MSG_MAX + 1];
	const size_t n = sizeof(udhcpc_discover);
	struct dhcp_stats st;
	/* options of the capture start at 240: 35 01 01, 39 02 02 40, ... */
	const size_t end = 0x147 - 42; /* offset of its END option */
	/* one byte of the capture changed: dropped, counted where */
	const struct mutation muts[] = {
	    MUTATE(0, 2, drop_header),	   /* BOOTREPLY */
	    MUTATE(1, 6, drop_header),	   /* htype IEEE 802 */
	    MUTATE(2, 16, drop_header),	   /* hlen */
	    MUTATE(28, 0x53, drop_header), /* multicast chaddr */
	    MUTATE(236, 0x64, drop_cookie),
	    MUTATE(239, 0, drop_cookie),
	    MUTATE(24, 10, drop_relay),		  /* giaddr */
	    MUTATE(242, 2, drop_type),		  /* OFFER from a client */
	    MUTATE(242, 9, drop_type),		  /* unknown type */
	    MUTATE(241, 200, drop_options),	  /* 53 overflows */
	    MUTATE(241, 2, drop_options),	  /* 53 with length 2 */
	    MUTATE(end, 0, drop_options),	  /* END became PAD: no END */
	    MUTATE(0x12a - 42, 53, drop_options), /* option 12 -> second 53 */
	};
	size_t i;

	(void)state;
	assert_int_equal(udhcpc_discover[end], 255);
	DROP(d, udhcpc_discover, 0, drop_size);
	DROP(d, udhcpc_discover, 239, drop_size);
	/* truncated inside the options: no END */
	DROP(d, udhcpc_discover, end, drop_options);
	/* truncated inside an option: length overflows the message */
	DROP(d, udhcpc_discover, 0x12a - 42 + 3, drop_options);
	/* oversized */
	memset(m, 0, sizeof(m));
	memcpy(m, udhcpc_discover, n);
	DROP(d, m, DHCP_MSG_MAX + 1, drop_size);
	/* trailing padding after END is fine */
	assert_true(dhcp_handle(d, src_of(m, DHCP_MSG_MAX), msg_port, m,
				DHCP_MSG_MAX, m + 4096, DHCP_REPLY_MAX,
				&(struct dhcp_reply_info){0}) > 0);

	/* no option 53: replaced by PADs */
	memcpy(m, udhcpc_discover, n);
	memset(m + 240, 0, 3);
	DROP(d, m, n, drop_type);
	for (i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		memcpy(m, udhcpc_discover, n);
		m[muts[i].off] = muts[i].val;
		expect_drop(d, m, n, muts[i].counter, muts[i].line);
	}
	/* chaddr all zero */
	memcpy(m, udhcpc_discover, n);
	memset(m + 28, 0, 6);
	DROP(d, m, n, drop_header);
	/* option overload with a bad value, and with an empty file field */
	memcpy(m, udhcpc_discover, n);
	m[end] = 52;
	m[end + 1] = 1;
	m[end + 2] = 4;
	m[end + 3] = 255;
	DROP(d, m, n, drop_options);
	m[end + 2] = 1; /* file: all PAD, no END */
	DROP(d, m, n, drop_options);
	m[108] = 255; /* file: END */
	assert_true(dhcp_handle(d, src_of(m, n), msg_port, m, n, m + 1024,
				DHCP_REPLY_MAX,
				&(struct dhcp_reply_info){0}) > 0);
	/* a reply buffer that is too small */
	assert_int_equal(dhcp_handle(d, src_of(udhcpc_discover, n), msg_port,
				     udhcpc_discover, n, m, 299,
				     &(struct dhcp_reply_info){0}),
			 0);
	dhcp_get_stats(d, &st);
	assert_int_equal(st.drop_reply_space, 1);
	dhcp_free(d);
}

/**
 * test_mutations() - random corruption of a real message never crashes
 * (run under ASan in CI) and never makes the server answer garbage
 * @state:	unused
 */
static void test_mutations(void **state)
{
	struct dhcp *d = new_server();
	uint8_t m[400], reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	unsigned seed = 1;
	int i, k, n;

	(void)state;
	for (i = 0; i < 20000; i++) {
		size_t len = 240 + (size_t)(rand_r(&seed) % 160);

		memset(m, 0, sizeof(m));
		memcpy(m, udhcpc_discover, sizeof(udhcpc_discover));
		for (k = rand_r(&seed) % 8; k >= 0; k--)
			m[240 + rand_r(&seed) % 80] = (uint8_t)rand_r(&seed);
		n = dhcp_handle(d, src_of(m, len), msg_port, m, len, reply,
				sizeof(reply), &ri);
		if (n) {
			assert_true(n >= 300 && n <= DHCP_REPLY_MAX);
			assert_int_equal(reply[0], 2);
		}
		test_now += 7;
	}
	dhcp_free(d);
}

/**
 * test_config() - invalid configurations are refused
 * @state:	unused
 */
static void test_config(void **state)
{
	struct dhcp_static_lease sl[2];
	struct dhcp_config c;
	struct dhcp *d;

	(void)state;
	cfg_slirp(&c);
	c.netmask.s_addr = tl_ip4("255.0.255.0");
	assert_null(dhcp_new(&c));
	cfg_slirp(&c);
	c.pool_last.s_addr = tl_ip4("192.168.6.10");
	assert_null(dhcp_new(&c));
	cfg_slirp(&c);
	c.pool_first.s_addr = tl_ip4("192.168.5.20");
	assert_null(dhcp_new(&c));
	cfg_slirp(&c);
	c.domain_search = "bad..name";
	assert_null(dhcp_new(&c));
	cfg_slirp(&c);
	c.mtu = 40;
	assert_null(dhcp_new(&c));
	cfg_slirp(&c);
	sl[0].ip.s_addr = tl_ip4("192.168.5.40");
	memcpy(sl[0].mac, mac_a, 6);
	sl[1].ip.s_addr = tl_ip4("192.168.5.41");
	memcpy(sl[1].mac, mac_a, 6);
	c.statics = sl;
	c.nstatics = 2;
	assert_null(dhcp_new(&c));
	sl[1].ip.s_addr = tl_ip4("192.168.5.3"); /* the server's own */
	memcpy(sl[1].mac, mac_b, 6);
	assert_null(dhcp_new(&c));
	/* user-v2 style: /24, pool .4-.254, two search domains */
	cfg_slirp(&c);
	c.network.s_addr = tl_ip4("192.168.104.0");
	c.server_id.s_addr = tl_ip4("192.168.104.3");
	c.router.s_addr = tl_ip4("192.168.104.2");
	c.dns.s_addr = tl_ip4("192.168.104.3");
	c.pool_first.s_addr = tl_ip4("192.168.104.4");
	c.pool_last.s_addr = tl_ip4("192.168.104.254");
	c.domain_search = "lima.internal, example.com.";
	c.lease_time = 0;
	server_ip = c.server_id.s_addr;
	d = dhcp_new(&c);
	assert_non_null(d);
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.104.4"));
	dhcp_free(d);
}

/**
 * test_restore() - a saved lease is restored for its MAC
 * @state:	unused
 */
static void test_restore(void **state)
{
	struct dhcp *d = new_server();
	struct in_addr a;

	(void)state;
	a.s_addr = tl_ip4("192.168.5.17");
	assert_int_equal(
	    dhcp_lease_restore(d, mac_b, a, "saved", test_now + 100), 0);
	assert_string_equal(dhcp_lease_hostname(d, a), "saved");
	assert_int_equal(dhcp_lease_restore(d, mac_c, a, NULL, test_now + 100),
			 -1);
	a.s_addr = tl_ip4("192.168.5.99");
	assert_int_equal(dhcp_lease_restore(d, mac_c, a, NULL, test_now + 100),
			 -1);
	assert_int_equal(bind_client(d, mac_b, NULL), tl_ip4("192.168.5.17"));
	assert_int_equal(bind_client(d, mac_a, NULL), tl_ip4("192.168.5.15"));
	dhcp_free(d);
}

/**
 * test_port_limit() - one port's new MACs get DHCP_PORT_LEASES addresses,
 * no more; its MACs that have one keep it; other ports and messages from
 * no known port are not held back
 * @state:	unused
 */
static void test_port_limit(void **state)
{
	struct dhcp_config c;
	struct dhcp *d;
	struct dhcp_stats st;
	uint8_t mac[6] = {0x52, 0x55, 0xbb, 0, 0, 0};
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct req r = {DHCP_DISCOVER, mac, 9, 0, 0, 0, NULL};
	int i;

	(void)state;
	cfg_slirp(&c);
	c.pool_first.s_addr = tl_ip4("192.168.5.4");
	c.pool_last.s_addr = tl_ip4("192.168.5.254");
	server_ip = c.server_id.s_addr;
	d = dhcp_new(&c);
	assert_non_null(d);
	set_port(d, 7);
	for (i = 0; i < DHCP_PORT_LEASES; i++) {
		mac[5] = (uint8_t)i;
		assert_int_not_equal(bind_client(d, mac, NULL), 0);
	}
	mac[5] = 0xff; /* a new MAC: no offer, and a REQUEST is refused */
	assert_int_equal(send_req(d, &r, reply, &ri), 0);
	r.type = DHCP_REQUEST;
	r.requested = tl_ip4("192.168.5.200");
	i = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, i), DHCP_NAK);
	dhcp_get_stats(d, &st);
	assert_int_equal(st.port_limit, 2);
	mac[5] = 3; /* a MAC that has its address renews it */
	assert_int_not_equal(bind_client(d, mac, NULL), 0);
	mac[5] = 0xff;
	set_port(d, 8); /* another port */
	assert_int_not_equal(bind_client(d, mac, NULL), 0);
	set_port(d, 0); /* unknown: not limited */
	mac[4] = 1;
	for (i = 0; i < DHCP_PORT_LEASES + 2; i++) {
		mac[5] = (uint8_t)i;
		assert_int_not_equal(bind_client(d, mac, NULL), 0);
	}
	dhcp_free(d);
}

/**
 * send_from() - build @r, hand it to @d as a frame from @src
 * @d:		server
 * @r:		what to send
 * @src:	Ethernet source MAC of the frame
 * @reply:	buffer for the reply, DHCP_REPLY_MAX bytes
 * @ri:		set to where the reply goes
 *
 * Return: reply length
 */
static int send_from(struct dhcp *d, const struct req *r, const uint8_t *src,
		     uint8_t *reply, struct dhcp_reply_info *ri)
{
	uint8_t b[300];
	size_t n = build(b, r);

	return dhcp_handle(d, src, msg_port, b, n, reply, DHCP_REPLY_MAX, ri);
}

/**
 * lease_state() - state of @mac's lease, 0 if it has none
 * @d:		server
 * @mac:	client MAC
 *
 * Return: DHCP_LEASE_* or 0
 */
static int lease_state(struct dhcp *d, const uint8_t *mac)
{
	struct find f = lease_of(d, mac);

	return f.found ? f.li.state : 0;
}

/**
 * sender_port7_a() - sender_ok: only mac_a, only on port 7
 * @arg:	unused
 * @port:	the port the frame came from
 * @mac:	its source MAC
 *
 * Return: non-zero if the sender may have a lease
 */
static int sender_port7_a(void *arg, uint32_t port, const uint8_t mac[6])
{
	(void)arg;
	return port == 7 && !memcmp(mac, mac_a, 6);
}

/**
 * test_sender() - a message counts only as its sender's own: chaddr must
 * be the frame's source, on its port; RELEASE, DECLINE and REQUEST of
 * another client's address change nothing
 * @state:	unused
 */
static void test_sender(void **state)
{
	struct req r = {DHCP_RELEASE, mac_a, 77, 0, 0, 0, NULL};
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct dhcp_config c;
	struct dhcp_stats st;
	struct dhcp *d = new_server();
	uint32_t a;
	int n;

	(void)state;
	a = bind_client(d, mac_a, NULL);
	assert_int_equal(a, tl_ip4("192.168.5.15"));
	/* mac_b's frames with mac_a in chaddr: nothing happens */
	r.ciaddr = a;
	r.server = server_ip;
	assert_int_equal(send_from(d, &r, mac_b, reply, &ri), 0);
	r.type = DHCP_DECLINE;
	r.ciaddr = 0;
	r.requested = a;
	assert_int_equal(send_from(d, &r, mac_b, reply, &ri), 0);
	r.type = DHCP_REQUEST;
	r.server = 0;
	assert_int_equal(send_from(d, &r, mac_b, reply, &ri), 0);
	r.server = tl_ip4("10.0.0.1");
	assert_int_equal(send_from(d, &r, mac_b, reply, &ri), 0);
	r.type = DHCP_DISCOVER;
	r.mac = mac_c;
	r.server = 0;
	assert_int_equal(send_from(d, &r, mac_b, reply, &ri), 0);
	dhcp_get_stats(d, &st);
	assert_int_equal(st.drop_chaddr, 5);
	assert_int_equal(lease_state(d, mac_a), DHCP_LEASE_BOUND);
	assert_int_equal(lease_state(d, mac_c), 0);

	/* mac_b about mac_a's address, as itself: not its own */
	r.mac = mac_b;
	r.type = DHCP_RELEASE;
	r.ciaddr = a;
	r.requested = 0;
	r.server = server_ip;
	assert_int_equal(send_from(d, &r, mac_b, reply, &ri), 0);
	r.type = DHCP_DECLINE;
	r.ciaddr = 0;
	r.requested = a;
	assert_int_equal(send_from(d, &r, mac_b, reply, &ri), 0);
	r.type = DHCP_REQUEST;
	r.server = 0;
	n = send_from(d, &r, mac_b, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_NAK);
	dhcp_get_stats(d, &st);
	assert_int_equal(st.drop_not_owner, 3);
	assert_int_equal(st.releases + st.declines, 0);
	assert_int_equal(lease_state(d, mac_a), DHCP_LEASE_BOUND);
	assert_int_equal(lease_of(d, mac_a).li.ip.s_addr, a);
	dhcp_free(d);

	/* with the switch asked: the MAC must be on the message's port */
	cfg_slirp(&c);
	c.sender_ok = sender_port7_a;
	d = dhcp_new(&c);
	assert_non_null(d);
	r = (struct req){DHCP_DISCOVER, mac_a, 78, 0, 0, 0, NULL};
	assert_int_equal(send_from(d, &r, mac_a, reply, &ri), 0); /* port 0 */
	set_port(d, 8);
	assert_int_equal(send_from(d, &r, mac_a, reply, &ri), 0);
	set_port(d, 7);
	n = send_from(d, &r, mac_a, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_OFFER);
	r.mac = mac_b;
	assert_int_equal(send_from(d, &r, mac_b, reply, &ri), 0);
	dhcp_get_stats(d, &st);
	assert_int_equal(st.drop_chaddr, 3);
	assert_int_equal(st.offers, 1);
	set_port(d, 0);
	dhcp_free(d);
}

/**
 * test_port_limit_reuse() - MACs whose leases lapsed are new MACs again:
 * a port cannot cycle through MACs to hold more than DHCP_PORT_LEASES
 * @state:	unused
 */
static void test_port_limit_reuse(void **state)
{
	uint8_t mac[6] = {0x52, 0x55, 0xbc, 0, 0, 0};
	uint8_t reply[DHCP_REPLY_MAX];
	struct req r = {DHCP_REQUEST, mac, 10, 0, 0, 0, NULL};
	struct dhcp_reply_info ri;
	struct dhcp_config c;
	struct dhcp_stats st;
	struct dhcp *d;
	int i, n;

	(void)state;
	cfg_slirp(&c);
	c.pool_first.s_addr = tl_ip4("192.168.5.4");
	c.pool_last.s_addr = tl_ip4("192.168.5.254");
	server_ip = c.server_id.s_addr;
	d = dhcp_new(&c);
	assert_non_null(d);
	set_port(d, 7);
	for (i = 0; i < DHCP_PORT_LEASES; i++) {
		mac[5] = (uint8_t)i;
		assert_int_not_equal(bind_client(d, mac, NULL), 0);
	}
	test_now += 3601; /* they lapse: the port may take 16 more */
	for (i = 0; i < DHCP_PORT_LEASES; i++) {
		mac[5] = (uint8_t)(0x80 + i);
		assert_int_not_equal(bind_client(d, mac, NULL), 0);
	}
	/* the first 16 come back: their records do not exempt them */
	for (i = 0; i < DHCP_PORT_LEASES; i++) {
		mac[5] = (uint8_t)i;
		r.requested = lease_of(d, mac).li.ip.s_addr;
		n = send_req(d, &r, reply, &ri);
		assert_int_equal(msg_type(reply, n), DHCP_NAK);
	}
	dhcp_get_stats(d, &st);
	assert_int_equal(st.port_limit, DHCP_PORT_LEASES);
	/* a MAC with a live lease renews */
	mac[5] = 0x80;
	r.requested = lease_of(d, mac).li.ip.s_addr;
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_ACK);
	set_port(d, 0);
	dhcp_free(d);
}

/**
 * conf_taken() - dhcp_name_fn: "conf" belongs to someone else
 * @arg:	unused
 * @hostname:	name the client asks for
 *
 * Return: non-zero if the name is taken
 */
static int conf_taken(void *arg, const char *hostname)
{
	(void)arg;
	return !strcmp(hostname, "conf");
}

/**
 * test_names() - a hostname belongs to its first live owner; a client
 * asking for a taken one gets none
 * @state:	unused
 */
static void test_names(void **state)
{
	struct req r = {DHCP_REQUEST, mac_a, 79, 0, 0, 0, "alpha"};
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_reply_info ri;
	struct dhcp_stats st;
	struct dhcp *d = new_server();
	struct in_addr a;
	int n;

	(void)state;
	dhcp_set_name_check(d, conf_taken, NULL);
	assert_int_not_equal(bind_client(d, mac_a, "alpha"), 0);
	assert_string_equal(lease_of(d, mac_a).hostname, "alpha");
	/* b asks for a's name: an address, no name */
	assert_int_not_equal(bind_client(d, mac_b, "Alpha"), 0);
	assert_string_equal(lease_of(d, mac_b).hostname, "");
	/* c asks for a name someone else answers */
	assert_int_not_equal(bind_client(d, mac_c, "conf"), 0);
	assert_string_equal(lease_of(d, mac_c).hostname, "");
	dhcp_get_stats(d, &st);
	assert_int_equal(st.name_taken, 2);
	/* a renews without option 12 and keeps its name */
	r.hostname = NULL;
	r.ciaddr = lease_of(d, mac_a).li.ip.s_addr;
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_ACK);
	assert_string_equal(lease_of(d, mac_a).hostname, "alpha");
	/* a releases: the name is free, b takes it */
	r.type = DHCP_RELEASE;
	send_req(d, &r, reply, &ri);
	r = (struct req){DHCP_REQUEST, mac_b, 80, 0, 0, 0, "alpha"};
	r.ciaddr = lease_of(d, mac_b).li.ip.s_addr;
	n = send_req(d, &r, reply, &ri);
	assert_int_equal(msg_type(reply, n), DHCP_ACK);
	assert_string_equal(lease_of(d, mac_b).hostname, "alpha");
	/* a comes back asking for it: b keeps it */
	assert_int_not_equal(bind_client(d, mac_a, "alpha"), 0);
	assert_string_equal(lease_of(d, mac_a).hostname, "");
	assert_string_equal(lease_of(d, mac_b).hostname, "alpha");
	/* a restored lease with a taken name comes back without it */
	a.s_addr = lease_of(d, mac_c).li.ip.s_addr;
	assert_int_equal(
	    dhcp_lease_restore(d, mac_c, a, "alpha", test_now + 100), 0);
	assert_string_equal(lease_of(d, mac_c).hostname, "");
	dhcp_get_stats(d, &st);
	assert_int_equal(st.name_taken, 4);
	dhcp_free(d);
}

/**
 * main() - run this file's tests with cmocka
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed, else
 * how many failed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_udhcpc_offer),
	    cmocka_unit_test(test_dora),
	    cmocka_unit_test(test_renew),
	    cmocka_unit_test(test_nak),
	    cmocka_unit_test(test_static),
	    cmocka_unit_test(test_exhaustion),
	    cmocka_unit_test(test_release_same_address),
	    cmocka_unit_test(test_decline),
	    cmocka_unit_test(test_inform),
	    cmocka_unit_test(test_other_server),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_mutations),
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_restore),
	    cmocka_unit_test(test_port_limit),
	    cmocka_unit_test(test_sender),
	    cmocka_unit_test(test_port_limit_reuse),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
