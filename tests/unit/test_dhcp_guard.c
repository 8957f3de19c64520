/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dhcp_guard.c - what a guest must not get through the DHCP server
 * (packet/dhcp.c, packet/dhcp_codec.c): malformed and mutated BOOTREQUESTs
 * dropped and counted, the per-port lease limit (which lapsed leases cannot
 * be cycled past), and a message counted only as its sender's own (chaddr
 * the frame's source, on its port).
 */

#include "tests/unit/dhcp_test.h"

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
 * main() - run this file's tests with cmocka
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed, else
 * how many failed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_mutations),
	    cmocka_unit_test(test_port_limit),
	    cmocka_unit_test(test_sender),
	    cmocka_unit_test(test_port_limit_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
