/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dns.c - libFuzzer target for the DNS codec and the local table.
 *
 * Each input is: a query for dns_parse_query(); for a parsed query, every
 * kind of answer (errors, local answers with chains, cycles and
 * continuations, synthetic A/AAAA/CNAME sets chosen by the input) built
 * under several limits into buffers of exact size; a raw upstream answer
 * for dns_msg_check() (against the question the input itself carries, QR
 * cleared) and dns_msg_truncate(); and text for the name conversions.
 *
 * Besides the sanitizers, it aborts when an invariant breaks: an answer
 * longer than its limit, an answer that does not pass dns_msg_check()
 * against its own query, a valid answer that truncation breaks, a text
 * name that does not convert back to the same wire name.
 *
 * Build (from the top of the tree):
 *   clang -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
 *     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     -I. tests/fuzz/fuzz_dns.c services/dns/codec.c services/dns/build.c \
 *     services/dns/local.c services/dns/regexp.c -o build/fuzz_dns
 * Run:
 *   build/fuzz_dns -max_total_time=60 -max_len=4096 tests/fuzz/corpus/dns
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/dns/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_local *fz_tbl;

/**
 * fz_require() - abort when an invariant does not hold
 * @ok:		the invariant
 * @what:	what it is
 */
static void fz_require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "invariant broken: %s\n", what);
		abort();
	}
}

/**
 * fz_setup() - the local table every input is answered from
 */
static void fz_setup(void)
{
	struct in_addr gw = {htonl(0xc0a80502)}, v4[DNS_LOCAL_ADDRS_MAX];
	struct in6_addr v6[DNS_LOCAL_ADDRS_MAX];
	char n1[32], n2[32];
	int i;

	memset(v4, 7, sizeof(v4));
	memset(v6, 9, sizeof(v6));
	fz_tbl = dns_local_new(&gw);
	fz_require(fz_tbl != NULL, "table");
	dns_local_set(fz_tbl, "a", "b.example");
	dns_local_set(fz_tbl, "b.example", "c");
	dns_local_set(fz_tbl, "c", "192.0.2.3");
	dns_local_set(fz_tbl, "x", "y");
	dns_local_set(fz_tbl, "y", "x");
	dns_local_set(fz_tbl, "out", "www.example.com");
	dns_local_set(fz_tbl, "v6", "2001:db8::6");
	dns_local_set(fz_tbl, "www.example.test", "192.0.2.10");
	dns_local_set(fz_tbl, "alias.example.test", "multi.example.test");
	dns_local_set_addrs(fz_tbl, "multi.example.test", v4,
			    DNS_LOCAL_ADDRS_MAX, v6, DNS_LOCAL_ADDRS_MAX);
	for (i = 0; i < 10; i++) {
		snprintf(n1, sizeof(n1), "n%d", i);
		snprintf(n2, sizeof(n2), "n%d", i + 1);
		dns_local_set(fz_tbl, n1, n2);
	}
	dns_local_set(fz_tbl, "n10", "10.0.0.10");
}

/**
 * fz_check_answer() - invariants of an answer the builder made
 * @buf:	the answer
 * @n:		its length (0: it did not fit at all)
 * @limit:	the smaller of buffer size and limit
 * @q:		the query answered
 */
static void fz_check_answer(const uint8_t *buf, size_t n, size_t limit,
			    const struct dns_query *q)
{
	static uint8_t copy[DNS_TCP_MAX];
	size_t m;

	if (!n)
		return;
	fz_require(n <= limit, "answer within its limit");
	fz_require(n >= DNS_HDR_LEN, "answer has a header");
	if (!q->has_question)
		return;
	fz_require(dns_msg_check(buf, n, q) == 0, "answer checks");
	memcpy(copy, buf, n);
	m = dns_msg_truncate(copy, n, DNS_UDP_MIN);
	fz_require(m != 0 && m <= DNS_UDP_MIN, "answer truncates");
	fz_require(dns_msg_check(copy, m, q) == 0, "truncated answer checks");
}

/**
 * fz_build() - build an answer into a heap buffer of exactly @buflen
 * bytes, with records chosen by the input, and check it
 * @q:		parsed query
 * @data:	the input, steering the choices
 * @size:	its length
 * @rcode:	rcode
 * @limit:	limit passed to the builder
 * @buflen:	buffer size
 * @local:	a local result to put first, or NULL
 */
static void fz_build(const struct dns_query *q, const uint8_t *data,
		     size_t size, uint16_t rcode, size_t limit, size_t buflen,
		     const struct dns_local_result *local)
{
	static const uint8_t fixed[] = "\x05other\x07"
				       "example\x04test";
	const uint8_t *suffix[130];
	struct dns_builder b;
	struct in6_addr a6;
	struct in_addr a4;
	size_t nsuf = 0, i, n, nrec;
	uint8_t *buf = malloc(buflen ? buflen : 1);

	fz_require(buf != NULL, "malloc");
	for (i = 0; i < q->qname_len && nsuf < 130; i += 1 + q->qname[i]) {
		suffix[nsuf++] = q->qname + i;
		if (!q->qname[i])
			break;
	}
	suffix[nsuf++] = fixed;
	dns_build_begin(&b, q, rcode, size & 1, buf, buflen, limit);
	if (local) {
		dns_local_put(local, q->qtype, &b);
		if (local->status == DNS_LOCAL_CONTINUE) {
			a4.s_addr = htonl(0x5db8d822);
			dns_build_a(&b, local->names[local->ncname], 30, &a4);
		}
	}
	nrec = size ? data[size - 1] : 0;
	for (i = 0; i < nrec; i++) {
		uint8_t c = size ? data[i % size] : 0;
		const uint8_t *o = suffix[(c >> 3) % nsuf];
		const uint8_t *t = suffix[(c >> 5) % nsuf];

		a4.s_addr = htonl(0x0a000000 | (uint32_t)i);
		memset(&a6, c, sizeof(a6));
		switch (c % 6) {
		case 0:
			dns_build_a(&b, NULL, c, &a4);
			break;
		case 1:
			dns_build_aaaa(&b, o, c, &a6);
			break;
		case 2:
			dns_build_cname(&b, NULL, c, t);
			break;
		case 3:
			dns_build_a(&b, o, 0xffffffffu, &a4);
			break;
		case 4:
			dns_build_cname(&b, o, 1, t);
			break;
		default:
			dns_build_aaaa(&b, NULL, 0, &a6);
			break;
		}
	}
	n = dns_build_end(&b);
	fz_check_answer(buf, n, buflen < limit ? buflen : limit, q);
	free(buf);
}

/**
 * fz_answers() - every kind of answer to a parsed query
 * @q:		parsed query
 * @data:	input
 * @size:	its length
 */
static void fz_answers(const struct dns_query *q, const uint8_t *data,
		       size_t size)
{
	static const uint16_t rcodes[] = {0, 1, 2, 3, 4, 5, 16};
	static const uint16_t qtypes[] = {DNS_T_A, DNS_T_AAAA, DNS_T_ANY,
					  DNS_T_CNAME, DNS_T_MX};
	size_t limits[] = {q->udp_size, DNS_UDP_MIN, DNS_TCP_MAX,
			   size ? 12 + (size_t)data[0] * 4 : 12};
	struct dns_local_result res;
	size_t i, j;

	for (i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++) {
		uint8_t buf[DNS_UDP_MIN];
		size_t n = dns_build_error(q, rcodes[i], buf, sizeof(buf));

		fz_require(n > 0, "error answer fits in 512");
		fz_check_answer(buf, n, sizeof(buf), q);
	}
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		fz_build(q, data, size, DNS_RCODE_NOERROR, limits[i], limits[i],
			 NULL);
		fz_build(q, data, size, DNS_RCODE_NXDOMAIN, limits[i],
			 DNS_TCP_MAX + 10, NULL);
	}
	if (!q->has_question)
		return;
	dns_local_lookup(fz_tbl, q->qname, q->qtype, &res);
	if (res.status != DNS_LOCAL_MISS)
		for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
			fz_build(q, data, 0, res.rcode, limits[i], limits[i],
				 &res);
	for (j = 0; j < sizeof(qtypes) / sizeof(qtypes[0]); j++) {
		struct dns_query q2 = *q;

		q2.qtype = qtypes[j];
		if (dns_local_lookup(fz_tbl, q2.qname, q2.qtype, &res) !=
		    DNS_LOCAL_MISS)
			fz_build(&q2, data, 0, res.rcode, q2.udp_size,
				 DNS_TCP_MAX, &res);
	}
}

/**
 * fz_raw() - the input as a raw upstream answer
 * @data:	input
 * @size:	its length
 * @q:		the query the input parsed as, or NULL
 */
static void fz_raw(const uint8_t *data, size_t size, const struct dns_query *q)
{
	static const size_t limits[] = {0, 12, 100, DNS_UDP_MIN, 1232};
	struct dns_query q2;
	uint8_t *copy;
	size_t i, n;
	int ok = -1;

	if (q)
		dns_msg_check(data, size, q);
	copy = malloc(size ? size : 1);
	fz_require(copy != NULL, "malloc");
	if (size >= DNS_HDR_LEN) {
		/* the question it carries, asked as a query */
		memcpy(copy, data, size);
		copy[2] &= 0x7f;
		if (dns_parse_query(copy, size, &q2) == DNS_PARSE_OK) {
			q2.id = (uint16_t)(data[0] << 8 | data[1]);
			ok = dns_msg_check(data, size, &q2);
		}
	}
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		memcpy(copy, data, size);
		n = dns_msg_truncate(copy, size, limits[i]);
		fz_require(n <= size, "truncation never grows");
		if (n && n < size)
			fz_require(n <= limits[i], "truncated within limit");
		if (!ok && n)
			fz_require(dns_msg_check(copy, n, &q2) == 0,
				   "truncated valid answer checks");
		if (!ok && limits[i] >= DNS_UDP_MIN)
			fz_require(n != 0, "valid answer truncates");
	}
	memcpy(copy, data, size);
	fz_require(dns_msg_set_id(copy, size, 0x1234) ==
		       (size < DNS_HDR_LEN ? -1 : 0),
		   "set id");
	free(copy);
}

/**
 * fz_text() - the input as a text name
 * @data:	input
 * @size:	its length
 */
static void fz_text(const uint8_t *data, size_t size)
{
	uint8_t w[DNS_NAME_MAX], w2[DNS_NAME_MAX];
	char text[300], back[DNS_NAME_TEXT_MAX];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	struct dns_local_result res;
	bool plain;
	int k;

	memcpy(text, data, n);
	text[n] = 0;
	k = dns_name_from_text(text, w, sizeof(w));
	if (k < 0)
		return;
	fz_require((size_t)k == dns_name_len(w), "wire length");
	fz_require(dns_name_to_text(w, back, sizeof(back), &plain) >= 0,
		   "to text");
	fz_require(plain, "names from text are plain");
	fz_require(dns_name_from_text(back, w2, sizeof(w2)) == k &&
		       !memcmp(w, w2, (size_t)k),
		   "text round trip");
	dns_local_lookup(fz_tbl, w, DNS_T_A, &res);
}

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes
 * @size:	how many
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_query q;
	int r;

	if (!fz_tbl)
		fz_setup();
	r = dns_parse_query(data, size, &q);
	fz_require(r >= DNS_PARSE_RESPONSE && r <= DNS_PARSE_BADVERS,
		   "parse result");
	if (r >= 0)
		fz_answers(&q, data, size);
	fz_raw(data, size, r == DNS_PARSE_OK ? &q : NULL);
	fz_text(data, size);
	return 0;
}
