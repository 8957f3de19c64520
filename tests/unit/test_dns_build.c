/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_build.c - the DNS answer builder (services/dns/build.c): answers
 * built to real queries of dig and read back with glibc's dn_expand() (the
 * reader of dns_test.h), compared with dnsmasq's, CNAME chains, name
 * compression, UDP truncation with TC, and error answers of each rcode.
 */

#include "tests/unit/dns_test.h"

/**
 * t_wire() - a text name in wire form; fails the test if it has none
 * @text:	text name
 * @wire:	set to the wire form, DNS_NAME_MAX bytes
 */
static void t_wire(const char *text, uint8_t *wire)
{
	assert_true(dns_name_from_text(text, wire, DNS_NAME_MAX) > 0);
}

/* ---- building --------------------------------------------------------- */

/**
 * test_build_like_dnsmasq() - our answer to dig's query is dnsmasq's, byte for
 * byte, but the size we advertise in the OPT RR
 * @state:	unused
 */
static void test_build_like_dnsmasq(void **state)
{
	uint8_t buf[512], exp[sizeof(r_dnsmasq_a)];
	struct in_addr a = {htonl(0xc000020a)};
	struct dns_builder b;
	struct dns_query q;
	size_t n;

	(void)state;
	t_parse_ok(q_dig_edns, sizeof(q_dig_edns), &q);
	dns_build_begin(&b, &q, DNS_RCODE_NOERROR, true, buf, sizeof(buf),
			q.udp_size);
	assert_int_equal(dns_build_a(&b, NULL, 0, &a), 0);
	n = dns_build_end(&b);
	memcpy(exp, r_dnsmasq_a, sizeof(exp));
	exp[sizeof(exp) - 8] = DNS_EDNS_SIZE >> 8;
	exp[sizeof(exp) - 7] = DNS_EDNS_SIZE & 0xff;
	assert_int_equal(n, sizeof(exp));
	assert_memory_equal(buf, exp, n);
	assert_int_equal(dns_msg_check(buf, n, &q), 0);
}

/**
 * test_build_cname_chain() - a CNAME then its target's address, as dnsmasq
 * answers an alias
 * @state:	unused
 */
static void test_build_cname_chain(void **state)
{
	uint8_t buf[512], target[DNS_NAME_MAX];
	struct in_addr a = {htonl(0xc0000215)};
	struct dns_builder b;
	struct dns_query q;
	struct t_msg t;
	size_t n;

	(void)state;
	t_parse_ok(q_dig_alias, sizeof(q_dig_alias), &q);
	t_wire("multi.example.test", target);
	dns_build_begin(&b, &q, DNS_RCODE_NOERROR, true, buf, sizeof(buf),
			q.udp_size);
	assert_int_equal(dns_build_cname(&b, NULL, 5, target), 0);
	assert_int_equal(dns_build_a(&b, target, 5, &a), 0);
	n = dns_build_end(&b);
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_int_equal(t.an, 2);
	assert_int_equal(t.ar, 1);
	assert_string_equal(t.rr[0].owner, "alias.example.test");
	assert_int_equal(t.rr[0].type, DNS_T_CNAME);
	assert_int_equal(t.rr[0].ttl, 5);
	assert_string_equal(t.rr[0].target, "multi.example.test");
	assert_string_equal(t.rr[1].owner, "multi.example.test");
	assert_int_equal(t.rr[1].type, DNS_T_A);
	assert_memory_equal(t.rr[1].rdata, &a, 4);
	/* "multi" + pointer to "example.test"; A owner a pointer to that:
	 * 13 bytes fewer than dnsmasq, which does not compress RDATA */
	assert_int_equal(n, sizeof(r_dnsmasq_cname) - 12);
	assert_memory_equal(buf + 46, "\x00\x08\x05multi\xc0\x12", 10);
	assert_memory_equal(buf + 56, "\xc0\x30\x00\x01", 4);
	assert_int_equal(dns_msg_check(buf, n, &q), 0);
}

/**
 * test_build_compression() - the names of the answers are compressed against
 * the question and each other, whatever their case
 * @state:	unused
 */
static void test_build_compression(void **state)
{
	uint8_t buf[512], m[512], o1[DNS_NAME_MAX], o2[DNS_NAME_MAX];
	struct in_addr a = {htonl(0x01020304)};
	struct dns_builder b;
	struct dns_query q;
	struct t_msg t;
	size_t len, n;

	(void)state;
	len = t_query(m, 9, 0x0100, "WWW.Example.TEST", DNS_T_A, -1, 0);
	t_parse_ok(m, len, &q);
	t_wire("other.example.test", o1);
	t_wire("www.EXAMPLE.test", o2);
	dns_build_begin(&b, &q, DNS_RCODE_NOERROR, false, buf, sizeof(buf),
			q.udp_size);
	assert_int_equal(dns_build_a(&b, o1, 1, &a), 0);
	assert_int_equal(dns_build_a(&b, o2, 1, &a), 0);
	assert_int_equal(dns_build_cname(&b, o1, 1, o2), 0);
	n = dns_build_end(&b);
	/* question echoed as sent */
	assert_memory_equal(buf + 12,
			    "\x03WWW\x07"
			    "Example\x04TEST",
			    18);
	/* other + pointer to example.test (offset 16) */
	assert_memory_equal(buf + 34, "\x05other\xc0\x10", 8);
	/* same name as the question, other case: a pointer to it */
	assert_memory_equal(buf + 56, "\xc0\x0c\x00\x01", 4);
	/* owner: pointer to "other..." (34); target: pointer to 12 */
	assert_memory_equal(buf + 72, "\xc0\x22\x00\x05", 4);
	assert_memory_equal(buf + 82, "\x00\x02\xc0\x0c", 4);
	assert_int_equal(n, 86);
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_string_equal(t.rr[2].target, "WWW.Example.TEST");
	assert_int_equal(t.flags, 0x8180); /* QR RD RA, no AA */
}

/**
 * test_build_truncate() - answers that do not fit the client's size are cut at
 * a record boundary with TC set, with and without EDNS0
 * @state:	unused
 */
static void test_build_truncate(void **state)
{
	uint8_t buf[70000], m[512], tgt[DNS_NAME_MAX];
	struct dns_builder b;
	struct dns_query q;
	struct in6_addr a6;
	struct in_addr a;
	struct t_msg t;
	size_t len, n;
	int i;

	(void)state;
	memset(&a6, 0x20, sizeof(a6));
	t_wire("target.example.test", tgt);

	/* no EDNS0: 40 A records (16 bytes each) do not fit in 512 */
	len = t_query(m, 1, 0x0100, "many.test", DNS_T_A, -1, 0);
	t_parse_ok(m, len, &q);
	dns_build_begin(&b, &q, 0, false, buf, sizeof(buf), q.udp_size);
	for (i = 0; i < 40; i++) {
		a.s_addr = htonl(0x0a000000 + (uint32_t)i);
		dns_build_a(&b, NULL, 1, &a);
	}
	n = dns_build_end(&b);
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_true(t.flags & 0x0200); /* TC */
	assert_int_equal(t.an, 0);     /* the whole RRset went */
	assert_int_equal(n, len);      /* header and question */

	/* a CNAME, then an A set that does not fit: the CNAME stays */
	dns_build_begin(&b, &q, 0, false, buf, sizeof(buf), q.udp_size);
	assert_int_equal(dns_build_cname(&b, NULL, 1, tgt), 0);
	for (i = 0; i < 40; i++) {
		a.s_addr = htonl(0x0a000000 + (uint32_t)i);
		dns_build_a(&b, tgt, 1, &a);
	}
	assert_int_equal(dns_build_aaaa(&b, tgt, 1, &a6), -1);
	n = dns_build_end(&b);
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_true(t.flags & 0x0200);
	assert_int_equal(t.an, 1);
	assert_int_equal(t.rr[0].type, DNS_T_CNAME);
	assert_true(n <= 512);

	/* A set of 10 fits, AAAA set of 30 does not: A kept */
	dns_build_begin(&b, &q, 0, false, buf, sizeof(buf), q.udp_size);
	for (i = 0; i < 10; i++)
		assert_int_equal(dns_build_a(&b, NULL, 1, &a), 0);
	for (i = 0; i < 30; i++)
		dns_build_aaaa(&b, NULL, 1, &a6);
	n = dns_build_end(&b);
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_true(t.flags & 0x0200);
	assert_int_equal(t.an, 10);
	assert_int_equal(n, len + 10 * 16);

	/* EDNS0 1232: 40 A records fit, OPT RR present */
	len = t_query(m, 1, 0x0100, "many.test", DNS_T_A, 1232, 0);
	t_parse_ok(m, len, &q);
	dns_build_begin(&b, &q, 0, false, buf, sizeof(buf), q.udp_size);
	for (i = 0; i < 40; i++)
		assert_int_equal(dns_build_a(&b, NULL, 1, &a), 0);
	n = dns_build_end(&b);
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_false(t.flags & 0x0200);
	assert_int_equal(t.an, 40);
	assert_int_equal(t.rr[40].type, DNS_T_OPT);
	assert_int_equal(t.rr[40].class, DNS_EDNS_SIZE);

	/* EDNS0 size 100 means 512: truncated, OPT still there, <= 512 */
	len = t_query(m, 1, 0x0100, "many.test", DNS_T_A, 100, 0);
	t_parse_ok(m, len, &q);
	dns_build_begin(&b, &q, 0, false, buf, sizeof(buf), q.udp_size);
	for (i = 0; i < 40; i++)
		dns_build_a(&b, NULL, 1, &a);
	n = dns_build_end(&b);
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_true(t.flags & 0x0200);
	assert_int_equal(t.an, 0);
	assert_int_equal(t.ar, 1);
	assert_int_equal(n, len);

	/* exactly at the limit: 28 records = 12 + 15 + 28 * 16 + 11 = 486;
	 * limit 486 fits them all, 485 does not */
	dns_build_begin(&b, &q, 0, false, buf, sizeof(buf), 486);
	for (i = 0; i < 28; i++)
		assert_int_equal(dns_build_a(&b, NULL, 1, &a), 0);
	assert_int_equal(dns_build_end(&b), 486);
	dns_build_begin(&b, &q, 0, false, buf, sizeof(buf), 485);
	for (i = 0; i < 28; i++)
		dns_build_a(&b, NULL, 1, &a);
	assert_int_equal(dns_build_end(&b), len);
	assert_true(buf[2] & 0x02);

	/* the buffer limits too, and a buffer smaller than the question
	 * builds nothing */
	dns_build_begin(&b, &q, 0, false, buf, 485, DNS_TCP_MAX);
	for (i = 0; i < 28; i++)
		dns_build_a(&b, NULL, 1, &a);
	assert_int_equal(dns_build_end(&b), len);
	dns_build_begin(&b, &q, 0, false, buf, len - 1, DNS_TCP_MAX);
	assert_int_equal(dns_build_a(&b, NULL, 1, &a), -1);
	assert_int_equal(dns_build_end(&b), 0);
	assert_int_equal(dns_build_error(&q, 2, buf, 11), 0);

	/* TCP: 5000 records do not fit in 65535 */
	dns_build_begin(&b, &q, 0, false, buf, sizeof(buf), DNS_TCP_MAX);
	for (i = 0; i < 1000; i++)
		assert_int_equal(dns_build_a(&b, NULL, 1, &a), 0);
	n = dns_build_end(&b);
	assert_int_equal(n, len + 1000 * 16);
	dns_build_begin(&b, &q, 0, false, buf, sizeof(buf), DNS_TCP_MAX);
	for (i = 0; i < 5000; i++)
		dns_build_a(&b, NULL, 1, &a);
	n = dns_build_end(&b);
	assert_int_equal(n, len);
	assert_true(buf[2] & 0x02);
}

/**
 * test_build_rcodes() - error answers carry the question and the rcode;
 * extended rcodes need EDNS0; AA and DO are set as asked
 * @state:	unused
 */
static void test_build_rcodes(void **state)
{
	static const uint16_t rc[] = {DNS_RCODE_NOERROR,  DNS_RCODE_FORMERR,
				      DNS_RCODE_SERVFAIL, DNS_RCODE_NXDOMAIN,
				      DNS_RCODE_NOTIMP,	  DNS_RCODE_REFUSED};
	uint8_t buf[512];
	struct dns_builder b;
	struct dns_query q;
	struct t_msg t;
	size_t i, n;

	(void)state;
	t_parse_ok(q_dig_noedns, sizeof(q_dig_noedns), &q);
	for (i = 0; i < sizeof(rc) / sizeof(rc[0]); i++) {
		n = dns_build_error(&q, rc[i], buf, sizeof(buf));
		assert_int_equal(t_decode(buf, n, &t), 0);
		assert_int_equal(t.flags, 0x8180 | rc[i]);
		assert_int_equal(t.qd, 1);
		assert_int_equal(t.an + t.ns + t.ar, 0);
		assert_string_equal(t.qname, "www.example.test");
		assert_int_equal(t.id, q.id);
	}
	/* an extended rcode without EDNS0 becomes SERVFAIL */
	n = dns_build_error(&q, DNS_RCODE_BADVERS, buf, sizeof(buf));
	assert_int_equal(buf[3] & 0xf, DNS_RCODE_SERVFAIL);
	/* AA for local answers; DO copied into the OPT RR */
	t_parse_ok(q_dig_do, sizeof(q_dig_do), &q);
	dns_build_begin(&b, &q, DNS_RCODE_NXDOMAIN, true, buf, sizeof(buf),
			q.udp_size);
	n = dns_build_end(&b);
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_int_equal(t.flags, 0x8580 | DNS_RCODE_NXDOMAIN);
	assert_int_equal(t.rr[0].type, DNS_T_OPT);
	assert_int_equal(t.rr[0].ttl, 0x8000);
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
	    cmocka_unit_test(test_build_like_dnsmasq),
	    cmocka_unit_test(test_build_cname_chain),
	    cmocka_unit_test(test_build_compression),
	    cmocka_unit_test(test_build_truncate),
	    cmocka_unit_test(test_build_rcodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
