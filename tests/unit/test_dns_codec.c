/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_codec.c - the DNS wire codec's reading side (services/dns/codec.c)
 * against real packets (queries sent by dig 9.18, answers from dnsmasq,
 * captured on loopback) and hand-built bad ones: truncation at every length,
 * compression loops and forward pointers, name and label limits, EDNS0 sizes
 * and versions, and the checks on raw upstream answers (and their
 * truncation for UDP). The builder is tested in test_dns_build.c.
 */

#include "tests/unit/dns_test.h"

/* dig www.example.test A +edns=1: EDNS version 1 (57 bytes) */
static const uint8_t q_dig_edns1[] = {
    0x6f, 0x13, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x03, 0x77, 0x77, 0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
    0x29, 0x04, 0xd0, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00,
    0x08, 0x80, 0xc0, 0xb7, 0x34, 0x84, 0x85, 0xb3, 0x4f,
};

/* dig example.test MX (53 bytes) */
static const uint8_t q_dig_mx[] = {
    0x2d, 0x36, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74,
    0x65, 0x73, 0x74, 0x00, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x29,
    0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00,
    0x08, 0x74, 0x69, 0xc8, 0x00, 0x22, 0x44, 0xee, 0xf3,
};

/* dig _http._tcp.example.test SRV (64 bytes) */
static const uint8_t q_dig_srv[] = {
    0xef, 0x50, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x5f, 0x68, 0x74, 0x74, 0x70, 0x04, 0x5f, 0x74, 0x63,
    0x70, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74,
    0x65, 0x73, 0x74, 0x00, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x29,
    0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00,
    0x08, 0xc3, 0x58, 0x8c, 0x9e, 0xeb, 0x41, 0x28, 0x63,
};

/* dig big.example.test TXT +bufsize=4096 (57 bytes) */
static const uint8_t q_dig_txt[] = {
    0xbc, 0x2e, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x03, 0x62, 0x69, 0x67, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00,
    0x29, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00,
    0x08, 0x27, 0x8b, 0xa6, 0x8e, 0x90, 0x97, 0x85, 0x2a,
};

/* dnsmasq answer to q_dig_mx (74 bytes) */
static const uint8_t r_dnsmasq_mx[] = {
    0x2d, 0x36, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74,
    0x65, 0x73, 0x74, 0x00, 0x00, 0x0f, 0x00, 0x01, 0xc0, 0x0c, 0x00,
    0x0f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x00, 0x0a,
    0x04, 0x6d, 0x61, 0x69, 0x6c, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70,
    0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x00, 0x29,
    0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* dnsmasq answer to q_dig_srv (88 bytes) */
static const uint8_t r_dnsmasq_srv[] = {
    0xef, 0x50, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x5f, 0x68, 0x74, 0x74, 0x70, 0x04, 0x5f, 0x74, 0x63,
    0x70, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74,
    0x65, 0x73, 0x74, 0x00, 0x00, 0x21, 0x00, 0x01, 0xc0, 0x0c, 0x00,
    0x21, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00,
    0x00, 0x05, 0x00, 0x50, 0x03, 0x77, 0x77, 0x77, 0x07, 0x65, 0x78,
    0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00,
    0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* dnsmasq answer to q_dig_txt: 742 bytes (742 bytes) */
static const uint8_t r_dnsmasq_txt[] = {
    0xbc, 0x2e, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
    0x03, 0x62, 0x69, 0x67, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x10, 0x00, 0x01, 0xc0, 0x0c,
    0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0xad, 0xda, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
    0x61, 0xdc, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0x62,
    0x62, 0x62, 0x62, 0x62, 0x62, 0x62, 0xf4, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x00,
    0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* nx.example.test A: NXDOMAIN, SOA example.test in the authority section
 * (hand-made: ns.example.test hostmaster.example.test 1 3600 600 86400 5) */
static const uint8_t r_nx_soa[] = {
    0x22, 0x22, 0x81, 0x83, 0,	 1,    0,    0,	  0,   1,    0,	   0,
    2,	  'n',	'x',  7,    'e', 'x',  'a',  'm', 'p', 'l',  'e',  4,
    't',  'e',	's',  't',  0,	 0,    1,    0,	  1,   0xc0, 15,   0,
    6,	  0,	1,    0,    0,	 0x0e, 0x10, 0,	  38,  2,    'n',  's',
    0xc0, 15,	10,   'h',  'o', 's',  't',  'm', 'a', 's',  't',  'e',
    'r',  0xc0, 15,   0,    0,	 0,    1,    0,	  0,   0x0e, 0x10, 0,
    0,	  2,	0x58, 0,    1,	 0x51, 0x80, 0,	  0,   0,    5,
};

/* ---- parsing ---------------------------------------------------------- */

/**
 * test_parse_dig() - the queries dig sends parse to what they ask: ID,
 * flags, name (case kept), type, class and EDNS fields
 * @state:	unused
 */
static void test_parse_dig(void **state)
{
	struct dns_query q;

	(void)state;
	t_parse_ok(q_dig_edns, sizeof(q_dig_edns), &q);
	assert_int_equal(q.id, 0x106f);
	assert_true(q.rd);
	assert_false(q.cd);
	assert_true(q.has_question);
	assert_string_equal(q.name, "WwW.Example.Test");
	assert_true(q.name_plain);
	assert_int_equal(q.qname_len, 18);
	assert_memory_equal(q.qname, q_dig_edns + 12, 18);
	assert_int_equal(q.qtype, DNS_T_A);
	assert_int_equal(q.qclass, DNS_C_IN);
	assert_true(q.edns);
	assert_int_equal(q.edns_size, 1232);
	assert_int_equal(q.udp_size, 1232);
	assert_int_equal(q.edns_version, 0);
	assert_false(q.edns_do);

	t_parse_ok(q_dig_noedns, sizeof(q_dig_noedns), &q);
	assert_false(q.edns);
	assert_int_equal(q.udp_size, 512);
	assert_string_equal(q.name, "www.example.test");

	t_parse_ok(q_dig_do, sizeof(q_dig_do), &q);
	assert_true(q.edns_do);

	t_parse_ok(q_dig_mx, sizeof(q_dig_mx), &q);
	assert_int_equal(q.qtype, DNS_T_MX);
	t_parse_ok(q_dig_srv, sizeof(q_dig_srv), &q);
	assert_string_equal(q.name, "_http._tcp.example.test");
	assert_int_equal(q.qtype, DNS_T_SRV);
	t_parse_ok(q_dig_txt, sizeof(q_dig_txt), &q);
	assert_int_equal(q.udp_size, 4096);
}

/**
 * test_parse_badvers() - an EDNS version other than 0 is BADVERS, answered with
 * an OPT RR carrying the extended rcode
 * @state:	unused
 */
static void test_parse_badvers(void **state)
{
	uint8_t buf[512];
	struct dns_query q;
	struct t_msg t;
	size_t n;

	(void)state;
	assert_int_equal(dns_parse_query(q_dig_edns1, sizeof(q_dig_edns1), &q),
			 DNS_PARSE_BADVERS);
	assert_int_equal(q.rcode, DNS_RCODE_BADVERS);
	assert_int_equal(q.edns_version, 1);
	n = dns_build_error(&q, q.rcode, buf, sizeof(buf));
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_int_equal(t.flags & 0xf, 0); /* BADVERS = 16: 0 here... */
	assert_int_equal(t.ar, 1);
	assert_int_equal(t.rr[0].type, DNS_T_OPT);
	assert_int_equal(t.rr[0].ttl >> 24, 1); /* ...and 1 in the OPT RR */
	assert_int_equal(t.qd, 1);
	assert_int_equal(t.id, q.id);
}

/**
 * test_parse_drop() - messages too short for a header and responses are
 * dropped, not answered
 * @state:	unused
 */
static void test_parse_drop(void **state)
{
	struct dns_query q;
	size_t i;

	(void)state;
	for (i = 0; i < 12; i++)
		assert_int_equal(dns_parse_query(q_dig_edns, i, &q),
				 DNS_PARSE_SHORT);
	assert_int_equal(dns_parse_query(NULL, 0, &q), DNS_PARSE_SHORT);
	assert_int_equal(dns_parse_query(r_dnsmasq_a, sizeof(r_dnsmasq_a), &q),
			 DNS_PARSE_RESPONSE);
	assert_int_equal(dns_parse_query(r_dnsmasq_a, 12, &q),
			 DNS_PARSE_RESPONSE);
}

/**
 * test_parse_truncated() - every prefix of a real query is FORMERR, and the
 * FORMERR answer is fine
 * @state:	unused
 */
static void test_parse_truncated(void **state)
{
	const struct {
		const uint8_t *m;
		size_t len;
	} in[] = {
	    {q_dig_edns, sizeof(q_dig_edns)},
	    {q_dig_noedns, sizeof(q_dig_noedns)},
	    {q_dig_srv, sizeof(q_dig_srv)},
	};
	uint8_t buf[512];
	struct dns_query q;
	struct t_msg t;
	size_t i, l, n;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		for (l = 12; l < in[i].len; l++) {
			assert_int_equal(dns_parse_query(in[i].m, l, &q),
					 DNS_PARSE_FORMERR);
			assert_int_equal(q.rcode, DNS_RCODE_FORMERR);
			assert_false(q.edns);
			n = dns_build_error(&q, q.rcode, buf, sizeof(buf));
			assert_int_equal(t_decode(buf, n, &t), 0);
			assert_int_equal(t.flags & 0x800f, 0x8001);
			assert_int_equal(t.id, be16_get(in[i].m));
			assert_int_equal(t.ar, 0);
			assert_int_equal(t.qd, q.has_question ? 1 : 0);
		}
	}
}

/**
 * test_parse_counts_opcode() - a question count other than 1 is FORMERR
 * (answered without a question); an opcode other than QUERY is NOTIMP
 * @state:	unused
 */
static void test_parse_counts_opcode(void **state)
{
	uint8_t m[512], buf[512];
	struct dns_query q;
	struct t_msg t;
	size_t len, n;

	(void)state;
	len = t_query(m, 7, 0x0100, "a.test", DNS_T_A, -1, 0);
	m[5] = 0;
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_FORMERR);
	m[5] = 2;
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_FORMERR);
	assert_false(q.has_question);
	n = dns_build_error(&q, q.rcode, buf, sizeof(buf));
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_int_equal(t.qd, 0);
	assert_int_equal(t.flags, 0x8181); /* QR RD RA FORMERR */

	m[5] = 1;
	m[2] = 0x28 | 0x01; /* opcode 5 (UPDATE), RD */
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_NOTIMP);
	assert_int_equal(q.rcode, DNS_RCODE_NOTIMP);
	assert_int_equal(q.opcode, 5);
	n = dns_build_error(&q, q.rcode, buf, sizeof(buf));
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_int_equal(t.flags, 0x8000 | 5 << 11 | 0x0100 | 0x80 | 4);
	m[2] = 0x10; /* opcode 2 (STATUS) */
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_NOTIMP);
	m[2] = 0x01;
	m[3] = 0x10; /* CD is copied */
	t_parse_ok(m, len, &q);
	assert_true(q.cd);
	n = dns_build_error(&q, DNS_RCODE_REFUSED, buf, sizeof(buf));
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_int_equal(t.flags, 0x8000 | 0x0100 | 0x80 | 0x10 | 5);
}

/**
 * test_parse_compression() - compression pointers in a question (to itself,
 * into the header, forward, in a loop) are FORMERR
 * @state:	unused
 */
static void test_parse_compression(void **state)
{
	/* question name is a pointer to itself, into the header, forward */
	static const uint8_t self[] = {0, 1, 0, 0,    0,  1, 0, 0, 0,
				       0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
	static const uint8_t hdr[] = {0, 1, 0, 0,    0, 1, 0, 0, 0,
				      0, 0, 0, 0xc0, 4, 0, 1, 0, 1};
	static const uint8_t fwd[] = {0, 1, 0, 0, 0, 1,	  0,	0,
				      0, 0, 0, 0, 1, 'a', 0xc0, 18,
				      0, 1, 0, 1, 1, 'b', 0};
	/* label then a pointer back to that label: a loop */
	static const uint8_t loop[] = {0, 1, 0, 0,   0,	   1,  0, 0, 0, 0,
				       0, 0, 1, 'a', 0xc0, 12, 0, 1, 0, 1};
	/* an additional A record whose owner points at the question: fine */
	static const uint8_t back[] = {0, 1,   0, 0, 0, 1, 0, 0,    0,	0, 0, 1,
				       1, 'a', 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0,
				       1, 0,   0, 0, 0, 0, 4, 1,    2,	3, 4};
	/* an additional record whose owner points at itself */
	static const uint8_t arloop[] = {
	    0, 1,    0,	 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 'a', 0, 0, 1, 0,
	    1, 0xc0, 19, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1,   2, 3, 4};
	/* two records pointing at each other through a label */
	static const uint8_t arloop2[] = {
	    0, 1, 0, 0,	  0,	1,  0, 0, 0, 0, 0, 1, 1, 'a', 0, 0, 1,
	    0, 1, 1, 'x', 0xc0, 19, 0, 1, 0, 1, 0, 0, 0, 0,   0, 0};
	/* a pointer cut in half */
	static const uint8_t half[] = {0, 1, 0, 0, 0, 1,   0,	0,
				       0, 0, 0, 0, 1, 'a', 0xc0};
	struct dns_query q;

	(void)state;
	assert_int_equal(dns_parse_query(self, sizeof(self), &q),
			 DNS_PARSE_FORMERR);
	assert_int_equal(dns_parse_query(hdr, sizeof(hdr), &q),
			 DNS_PARSE_FORMERR);
	assert_int_equal(dns_parse_query(fwd, sizeof(fwd), &q),
			 DNS_PARSE_FORMERR);
	assert_int_equal(dns_parse_query(loop, sizeof(loop), &q),
			 DNS_PARSE_FORMERR);
	assert_int_equal(dns_parse_query(half, sizeof(half), &q),
			 DNS_PARSE_FORMERR);
	t_parse_ok(back, sizeof(back), &q);
	assert_false(q.edns);
	assert_string_equal(q.name, "a");
	assert_int_equal(dns_parse_query(arloop, sizeof(arloop), &q),
			 DNS_PARSE_FORMERR);
	assert_int_equal(dns_parse_query(arloop2, sizeof(arloop2), &q),
			 DNS_PARSE_FORMERR);
}

/**
 * t_long_query() - a query for a name of @labels labels of @llen bytes each
 * @m:		buffer, 512 bytes
 * @labels:	how many labels
 * @llen:	bytes in each
 *
 * Return: the message's length
 */
static size_t t_long_query(uint8_t *m, int labels, int llen)
{
	size_t n = 12;
	int i;

	memset(m, 0, 12);
	m[5] = 1;
	for (i = 0; i < labels; i++) {
		m[n++] = (uint8_t)llen;
		memset(m + n, 'x', (size_t)llen);
		n += (size_t)llen;
	}
	m[n++] = 0;
	m[n++] = 0;
	m[n++] = 1;
	m[n++] = 0;
	m[n++] = 1;
	return n;
}

/**
 * test_parse_limits() - labels up to 63 bytes and names up to 255 bytes parse;
 * one byte more is FORMERR
 * @state:	unused
 */
static void test_parse_limits(void **state)
{
	uint8_t m[1024], buf[1024];
	struct dns_query q;
	struct t_msg t;
	size_t len, n;

	(void)state;
	len = t_long_query(m, 1, 63);
	t_parse_ok(m, len, &q);
	assert_int_equal(strlen(q.name), 63);
	len = t_long_query(m, 1, 64); /* 0x40: not a length */
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_FORMERR);
	m[12] = 0x80;
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_FORMERR);

	/* 3 x 63 + 61: 4 + 189 + 1 + 61 + 1 = 255 bytes, the longest */
	len = t_long_query(m, 4, 63);
	m[12 + 3 * 64] = 61;
	memmove(m + 12 + 3 * 64 + 1 + 61, m + 12 + 4 * 64, 5);
	len -= 2;
	t_parse_ok(m, len, &q);
	assert_int_equal(q.qname_len, 255);
	n = dns_build_error(&q, DNS_RCODE_NXDOMAIN, buf, sizeof(buf));
	assert_int_equal(t_decode(buf, n, &t), 0);
	assert_int_equal(strlen(t.qname), 253);
	/* one more byte: 256 */
	len = t_long_query(m, 4, 63);
	m[12 + 3 * 64] = 62;
	memmove(m + 12 + 3 * 64 + 1 + 62, m + 12 + 4 * 64, 5);
	len -= 1;
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_FORMERR);
	/* 128 one-byte labels: 257 bytes */
	len = t_long_query(m, 128, 1);
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_FORMERR);
	len = t_long_query(m, 127, 1);
	t_parse_ok(m, len, &q);
	assert_int_equal(q.qname_len, 255);
}

/**
 * test_parse_sections() - trailing bytes, a question for OPT, two OPT RRs, an
 * OPT RR not at the root, options that overrun, missing RDATA and counts beyond
 * the data are FORMERR; other records are skipped
 * @state:	unused
 */
static void test_parse_sections(void **state)
{
	uint8_t m[600];
	struct dns_query q;
	size_t len;

	(void)state;
	/* trailing garbage */
	memcpy(m, q_dig_noedns, sizeof(q_dig_noedns));
	m[sizeof(q_dig_noedns)] = 0;
	assert_int_equal(dns_parse_query(m, sizeof(q_dig_noedns) + 1, &q),
			 DNS_PARSE_FORMERR);

	/* qtype OPT */
	len = t_query(m, 1, 0, "a", DNS_T_OPT, -1, 0);
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_FORMERR);

	/* two OPT RRs */
	len = t_query(m, 1, 0, "a", DNS_T_A, 1232, 0);
	memcpy(m + len, m + len - 11, 11);
	m[11] = 2;
	assert_int_equal(dns_parse_query(m, len + 11, &q), DNS_PARSE_FORMERR);

	/* OPT with a name other than the root */
	len = t_query(m, 1, 0, "a", DNS_T_A, 1232, 0);
	memmove(m + len - 11 + 2, m + len - 11, 11);
	m[len - 11] = 1;
	m[len - 10] = 'b';
	assert_int_equal(dns_parse_query(m, len + 2, &q), DNS_PARSE_FORMERR);

	/* OPT options: one cookie of 8 bytes is fine; overrunning is not */
	len = t_query(m, 1, 0, "a", DNS_T_A, 1232, 0);
	m[len - 1] = 12;
	memcpy(m + len,
	       "\x00\x0a\x00\x08"
	       "abcdefgh",
	       12);
	t_parse_ok(m, len + 12, &q);
	assert_true(q.edns);
	m[len + 3] = 9;
	assert_int_equal(dns_parse_query(m, len + 12, &q), DNS_PARSE_FORMERR);
	m[len + 3] = 8;
	m[len - 1] = 3; /* option header cut */
	assert_int_equal(dns_parse_query(m, len + 3, &q), DNS_PARSE_FORMERR);

	/* an A record in the additional section is skipped */
	len = t_query(m, 1, 0, "a", DNS_T_A, -1, 0);
	memcpy(m + len,
	       "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04"
	       "\x01\x02\x03\x04",
	       16);
	m[11] = 1;
	t_parse_ok(m, len + 16, &q);
	assert_false(q.edns);
	/* so are answer and authority records */
	m[11] = 0;
	m[7] = 1;
	t_parse_ok(m, len + 16, &q);
	m[7] = 0;
	m[9] = 1;
	t_parse_ok(m, len + 16, &q);
	/* but their RDATA must be there */
	assert_int_equal(dns_parse_query(m, len + 15, &q), DNS_PARSE_FORMERR);
	/* counts beyond the data */
	m[9] = 0xff;
	assert_int_equal(dns_parse_query(m, len + 16, &q), DNS_PARSE_FORMERR);
}

/**
 * test_parse_edns_sizes() - the UDP size advertised in EDNS0 is bounded to
 * 512..4096 for our answers
 * @state:	unused
 */
static void test_parse_edns_sizes(void **state)
{
	static const struct {
		int sent;
		uint16_t limit;
	} c[] = {{0, 512},     {100, 512},   {511, 512},   {512, 512},
		 {1232, 1232}, {4096, 4096}, {4097, 4096}, {65535, 4096}};
	uint8_t m[512];
	struct dns_query q;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		len = t_query(m, 1, 0, "a.b", DNS_T_A, c[i].sent, 0);
		t_parse_ok(m, len, &q);
		assert_true(q.edns);
		assert_int_equal(q.edns_size, c[i].sent);
		assert_int_equal(q.udp_size, c[i].limit);
	}
	len = t_query(m, 1, 0, "a.b", DNS_T_A, 1232, 0x00008000);
	t_parse_ok(m, len, &q);
	assert_true(q.edns_do);
	len = t_query(m, 1, 0, "a.b", DNS_T_A, 1232, 0x00ff0000);
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_BADVERS);
	assert_int_equal(q.udp_size, 1232);
}

/**
 * test_names() - names in text form escape odd bytes; dns_name_from_text()
 * takes what a user writes and refuses empty labels, spaces, escapes and too
 * long names; names compare without case
 * @state:	unused
 */
static void test_names(void **state)
{
	static const uint8_t odd[] = {
	    0,	 1, 0,	 0,    0,   1, 0, 0, 0,	  0,	0, 0, 3, 'a', '.',
	    'b', 4, 'c', '\\', 'd', 0, 3, 0, ' ', 0xff, 0, 0, 1, 0,   1};
	static const uint8_t root[] = {0, 1, 0, 0, 0, 1, 0, 0, 0,
				       0, 0, 0, 0, 0, 2, 0, 1};
	uint8_t w[DNS_NAME_MAX], w2[DNS_NAME_MAX];
	char text[DNS_NAME_TEXT_MAX], big[400];
	struct dns_query q;
	bool plain;

	(void)state;
	t_parse_ok(odd, sizeof(odd), &q);
	assert_string_equal(q.name, "a\\.b.c\\\\d\\000.\\000\\032\\255");
	assert_false(q.name_plain);
	t_parse_ok(root, sizeof(root), &q);
	assert_string_equal(q.name, ".");
	assert_int_equal(q.qname_len, 1);
	assert_true(q.name_plain);

	assert_int_equal(dns_name_from_text("Host.Lima.Internal", w, sizeof(w)),
			 20);
	assert_memory_equal(w, "\x04Host\x04Lima\x08Internal", 20);
	assert_int_equal(dns_name_from_text("a.b.", w2, sizeof(w2)), 5);
	assert_int_equal(dns_name_from_text("a.b", w, sizeof(w)), 5);
	assert_memory_equal(w, w2, 5);
	assert_int_equal(dns_name_from_text(".", w, sizeof(w)), 1);
	assert_int_equal(w[0], 0);
	assert_int_equal(dns_name_from_text("", w, sizeof(w)), -1);
	assert_int_equal(dns_name_from_text("a..b", w, sizeof(w)), -1);
	assert_int_equal(dns_name_from_text(".a", w, sizeof(w)), -1);
	assert_int_equal(dns_name_from_text("a.b..", w, sizeof(w)), -1);
	assert_int_equal(dns_name_from_text("a b", w, sizeof(w)), -1);
	assert_int_equal(dns_name_from_text("a\\.b", w, sizeof(w)), -1);
	assert_int_equal(dns_name_from_text(NULL, w, sizeof(w)), -1);
	assert_int_equal(dns_name_from_text("abc", w, 4), -1);
	assert_int_equal(dns_name_from_text("abc", w, 5), 5);
	memset(big, 'x', 63);
	big[63] = 0;
	assert_int_equal(dns_name_from_text(big, w, sizeof(w)), 65);
	memset(big, 'x', 64);
	big[64] = 0;
	assert_int_equal(dns_name_from_text(big, w, sizeof(w)), -1);
	/* 4 labels of 63 and 61: 253 characters, 255 bytes */
	memset(big, 'x', 253);
	big[63] = big[127] = big[191] = '.';
	big[253] = 0;
	assert_int_equal(dns_name_from_text(big, w, sizeof(w)), 255);
	assert_int_equal(dns_name_to_text(w, text, sizeof(text), &plain), 253);
	assert_string_equal(text, big);
	assert_true(plain);
	big[253] = '.'; /* the trailing dot is fine */
	big[254] = 0;
	assert_int_equal(dns_name_from_text(big, w, sizeof(w)), 255);
	big[253] = 'x'; /* one more: too long */
	assert_int_equal(dns_name_from_text(big, w, sizeof(w)), -1);

	assert_true(dns_name_equal((const uint8_t *)"\x03WwW\x01X",
				   (const uint8_t *)"\x03www\x01x"));
	assert_false(dns_name_equal((const uint8_t *)"\x03www\x01x",
				    (const uint8_t *)"\x03www\x01y"));
	assert_false(dns_name_equal((const uint8_t *)"\x03www",
				    (const uint8_t *)"\x02ww\x01w"));
	assert_int_equal(
	    dns_name_to_text((const uint8_t *)"\x03www", text, 3, NULL), -1);
	assert_int_equal(dns_name_len((const uint8_t *)"\x03www\x01x"), 7);
}

/* ---- raw upstream answers --------------------------------------------- */

/**
 * test_msg_check() - dns_msg_check() tells an upstream answer that fits
 * the query from a short message, a query, another ID or another question
 * @state:	unused
 */
static void test_msg_check(void **state)
{
	const struct {
		const uint8_t *q, *r;
		size_t qlen, rlen;
	} pair[] = {
	    {q_dig_edns, r_dnsmasq_a, sizeof(q_dig_edns), sizeof(r_dnsmasq_a)},
	    {q_dig_alias, r_dnsmasq_cname, sizeof(q_dig_alias),
	     sizeof(r_dnsmasq_cname)},
	    {q_dig_mx, r_dnsmasq_mx, sizeof(q_dig_mx), sizeof(r_dnsmasq_mx)},
	    {q_dig_srv, r_dnsmasq_srv, sizeof(q_dig_srv),
	     sizeof(r_dnsmasq_srv)},
	    {q_dig_txt, r_dnsmasq_txt, sizeof(q_dig_txt),
	     sizeof(r_dnsmasq_txt)},
	};
	uint8_t r[1024], m[512];
	struct dns_query q;
	size_t i, l;

	(void)state;
	for (i = 0; i < sizeof(pair) / sizeof(pair[0]); i++) {
		t_parse_ok(pair[i].q, pair[i].qlen, &q);
		assert_int_equal(dns_msg_check(pair[i].r, pair[i].rlen, &q), 0);
		/* every prefix is refused */
		for (l = 0; l < pair[i].rlen; l++)
			assert_int_not_equal(dns_msg_check(pair[i].r, l, &q),
					     0);
		/* trailing byte */
		memcpy(r, pair[i].r, pair[i].rlen);
		r[pair[i].rlen] = 0;
		assert_int_equal(dns_msg_check(r, pair[i].rlen + 1, &q),
				 DNS_CHECK_FORMAT);
	}
	t_parse_ok(q_dig_edns, sizeof(q_dig_edns), &q);
	memcpy(r, r_dnsmasq_a, sizeof(r_dnsmasq_a));
	assert_int_equal(dns_msg_check(r, 11, &q), DNS_CHECK_SHORT);
	assert_int_equal(dns_msg_check(q_dig_edns, sizeof(q_dig_edns), &q),
			 DNS_CHECK_QUERY);
	/* another ID; rewriting it fixes that */
	assert_int_equal(dns_msg_set_id(r, sizeof(r_dnsmasq_a), 0x4242), 0);
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_a), &q),
			 DNS_CHECK_ID);
	assert_int_equal(dns_msg_set_id(r, sizeof(r_dnsmasq_a), q.id), 0);
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_a), &q), 0);
	assert_int_equal(dns_msg_set_id(r, 11, 1), -1);
	/* the name in another case is the same question */
	r[13] = 'w';
	r[17] = 'e';
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_a), &q), 0);
	r[14] = 'x';
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_a), &q),
			 DNS_CHECK_QUESTION);
	r[14] = 'w';
	r[31] = DNS_T_AAAA; /* qtype */
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_a), &q),
			 DNS_CHECK_QUESTION);
	r[31] = DNS_T_A;
	r[2] |= 0x08; /* opcode 1 */
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_a), &q),
			 DNS_CHECK_QUESTION);
	r[2] &= ~0x08;
	r[5] = 2; /* two questions */
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_a), &q),
			 DNS_CHECK_QUESTION);
	r[5] = 1;
	/* answer owner pointing forward, or at itself */
	r[35] = 40;
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_a), &q),
			 DNS_CHECK_FORMAT);
	r[35] = 34;
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_a), &q),
			 DNS_CHECK_FORMAT);
	r[35] = 12;
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_a), &q), 0);

	/* MX exchange name pointing out of the message, or cut short */
	t_parse_ok(q_dig_mx, sizeof(q_dig_mx), &q);
	memcpy(r, r_dnsmasq_mx, sizeof(r_dnsmasq_mx));
	r[0x2c] = 0xc0; /* "mail" label -> pointer forward */
	r[0x2d] = 0x40;
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_mx), &q),
			 DNS_CHECK_FORMAT);
	memcpy(r, r_dnsmasq_mx, sizeof(r_dnsmasq_mx));
	r[0x29] = 0x14; /* RDLENGTH one short of the name */
	assert_int_equal(dns_msg_check(r, sizeof(r_dnsmasq_mx), &q),
			 DNS_CHECK_FORMAT);

	/* NXDOMAIN with an SOA record in the authority section */
	t_parse_ok(
	    m, t_query(m, 0x2222, 0x0100, "nx.example.test", DNS_T_A, -1, 0),
	    &q);
	assert_int_equal(dns_msg_check(r_nx_soa, sizeof(r_nx_soa), &q), 0);
	memcpy(r, r_nx_soa, sizeof(r_nx_soa));
	r[44] = 37; /* SOA RDATA one byte short of its numbers */
	assert_int_equal(dns_msg_check(r, sizeof(r_nx_soa) - 1, &q),
			 DNS_CHECK_FORMAT);
	memcpy(r, r_nx_soa, sizeof(r_nx_soa));
	r[48] = 0xc0; /* MNAME pointer pointing at itself */
	r[49] = 45;
	assert_int_equal(dns_msg_check(r, sizeof(r_nx_soa), &q),
			 DNS_CHECK_FORMAT);
}

/**
 * test_msg_truncate() - dns_msg_truncate() cuts an upstream answer to a size at
 * a record boundary and sets TC, or leaves it whole when it fits
 * @state:	unused
 */
static void test_msg_truncate(void **state)
{
	uint8_t r[1024];
	struct dns_query q;
	struct t_msg t;
	size_t n, qend;

	(void)state;
	t_parse_ok(q_dig_txt, sizeof(q_dig_txt), &q);
	memcpy(r, r_dnsmasq_txt, sizeof(r_dnsmasq_txt));
	assert_int_equal(dns_msg_truncate(r, sizeof(r_dnsmasq_txt), 4096),
			 sizeof(r_dnsmasq_txt));
	assert_int_equal(dns_msg_truncate(r, sizeof(r_dnsmasq_txt), 742), 742);
	assert_memory_equal(r, r_dnsmasq_txt, sizeof(r_dnsmasq_txt));
	n = dns_msg_truncate(r, sizeof(r_dnsmasq_txt), 512);
	qend = 12 + q.qname_len + 4;
	assert_int_equal(n, qend + 11);
	assert_int_equal(t_decode(r, n, &t), 0);
	assert_true(t.flags & 0x0200);
	assert_int_equal(t.an, 0);
	assert_int_equal(t.ar, 1);
	assert_int_equal(t.rr[0].type, DNS_T_OPT);
	assert_int_equal(t.rr[0].class, 1232); /* dnsmasq's, kept */
	assert_int_equal(t.rr[0].rdlen, 0);
	assert_int_equal(dns_msg_check(r, n, &q), 0);

	/* without an OPT RR: question only */
	t_parse_ok(q_dig_alias, sizeof(q_dig_alias), &q);
	memcpy(r, r_dnsmasq_cname, sizeof(r_dnsmasq_cname));
	r[11] = 0;
	n = dns_msg_truncate(r, sizeof(r_dnsmasq_cname) - 11, 60);
	assert_int_equal(n, 12 + q.qname_len + 4);
	assert_int_equal(t_decode(r, n, &t), 0);
	assert_int_equal(t.an + t.ar, 0);
	assert_true(t.flags & 0x0200);
	/* too malformed to cut */
	memcpy(r, r_dnsmasq_cname, sizeof(r_dnsmasq_cname));
	r[7] = 9;
	assert_int_equal(dns_msg_truncate(r, sizeof(r_dnsmasq_cname), 60), 0);
	assert_int_equal(dns_msg_truncate(r, 11, 5), 0);
	/* a limit below the question cannot be met */
	memcpy(r, r_dnsmasq_cname, sizeof(r_dnsmasq_cname));
	assert_int_equal(dns_msg_truncate(r, sizeof(r_dnsmasq_cname), 20), 0);
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
	    cmocka_unit_test(test_parse_dig),
	    cmocka_unit_test(test_parse_badvers),
	    cmocka_unit_test(test_parse_drop),
	    cmocka_unit_test(test_parse_truncated),
	    cmocka_unit_test(test_parse_counts_opcode),
	    cmocka_unit_test(test_parse_compression),
	    cmocka_unit_test(test_parse_limits),
	    cmocka_unit_test(test_parse_sections),
	    cmocka_unit_test(test_parse_edns_sizes),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_msg_check),
	    cmocka_unit_test(test_msg_truncate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
