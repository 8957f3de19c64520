/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dhcp.c - unit tests of the DHCP server (packet/dhcp.c and its lease
 * store): DORA with a DISCOVER captured from busybox udhcpc, renewal, NAK,
 * static leases, pool exhaustion, RELEASE, DECLINE, INFORM, another server's
 * REQUEST, configurations refused, leases restored, and host names. What a
 * guest must not get through is in test_dhcp_guard.c.
 */

#include "tests/unit/dhcp_test.h"

static const uint8_t mac_d[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x0d};
static const uint8_t mac_s[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x5a};

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
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_restore),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
