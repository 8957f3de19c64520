/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_test.h - what the tests of the DNS codec (test_dns_codec.c, the
 * parser and the checks on raw answers; test_dns_build.c, the builder)
 * share, once: the real packets both read (queries sent by dig 9.18, answers
 * from dnsmasq, captured on loopback) and the independent reader of messages
 * built on glibc's dn_expand(), so that what the codec writes is read back by
 * code that is not the codec. The functions are static inline: a file need
 * not use all of them.
 */
#ifndef USERNETD_TEST_DNS_TEST_H
#define USERNETD_TEST_DNS_TEST_H

#include <arpa/inet.h>
#include <resolv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "services/dns/dns.h"
#include "base/be.h"

/* dig WwW.Example.Test A: EDNS0 1232, cookie option, RD, AD (57 bytes) */
static const uint8_t q_dig_edns[] = {
    0x10, 0x6f, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x03, 0x57, 0x77, 0x57, 0x07, 0x45, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x04, 0x54, 0x65, 0x73, 0x74, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
    0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00,
    0x08, 0x50, 0x30, 0x1e, 0x4c, 0x13, 0x56, 0x7b, 0xc6,
};

/* dig www.example.test A +noedns (34 bytes) */
static const uint8_t q_dig_noedns[] = {
    0x0b, 0x8c, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x03, 0x77, 0x77, 0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x01, 0x00, 0x01,
};

/* dig www.example.test A +dnssec +bufsize=1232: DO bit (57 bytes) */
static const uint8_t q_dig_do[] = {
    0xe0, 0xcd, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x03, 0x77, 0x77, 0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
    0x29, 0x04, 0xd0, 0x00, 0x00, 0x80, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00,
    0x08, 0x09, 0x4a, 0xc4, 0x01, 0x5c, 0x7d, 0x8a, 0x6d,
};

/* dig alias.example.test A (59 bytes) */
static const uint8_t q_dig_alias[] = {
    0x4b, 0x73, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x05, 0x61, 0x6c, 0x69, 0x61, 0x73, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70,
    0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x01, 0x00, 0x01,
    0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00,
    0x0a, 0x00, 0x08, 0x28, 0xfd, 0xbf, 0xc8, 0x2c, 0xad, 0xfc, 0xb4,
};

/* dnsmasq answer to q_dig_edns (61 bytes) */
static const uint8_t r_dnsmasq_a[] = {
    0x10, 0x6f, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x03, 0x57, 0x77, 0x57, 0x07, 0x45, 0x78, 0x61, 0x6d, 0x70,
    0x6c, 0x65, 0x04, 0x54, 0x65, 0x73, 0x74, 0x00, 0x00, 0x01, 0x00,
    0x01, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x04, 0xc0, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x29, 0x04, 0xd0,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* dnsmasq answer to q_dig_alias: a CNAME then an A (95 bytes) */
static const uint8_t r_dnsmasq_cname[] = {
    0x4b, 0x73, 0x85, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
    0x05, 0x61, 0x6c, 0x69, 0x61, 0x73, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70,
    0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x01, 0x00, 0x01,
    0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14,
    0x05, 0x6d, 0x75, 0x6c, 0x74, 0x69, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70,
    0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0xc0, 0x30, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x15,
    0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ---- helpers ---------------------------------------------------------- */

/**
 * struct t_rr - one record read back by t_decode()
 * @owner:	owner name, text
 * @type:	type
 * @class:	class
 * @ttl:	TTL
 * @rdlen:	RDATA length
 * @rdata:	RDATA
 * @target:	for CNAME, the target name, text
 */
struct t_rr {
	char owner[NS_MAXDNAME];
	uint16_t type, class;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata;
	char target[NS_MAXDNAME];
};

/**
 * struct t_msg - a message read back by t_decode()
 * @id:		ID
 * @flags:	flags
 * @qd:		question count
 * @an:		answer count
 * @ns:		authority count
 * @ar:		additional count
 * @qname:	question name, text
 * @qtype:	question type
 * @qclass:	question class
 * @rr:		every record of the three sections
 * @nrr:	how many
 */
struct t_msg {
	uint16_t id, flags, qd, an, ns, ar;
	char qname[NS_MAXDNAME];
	uint16_t qtype, qclass;
	struct t_rr rr[128];
	int nrr;
};

/**
 * t_decode() - read a message with glibc's dn_expand(), independent of the
 * codec.
 * @m:		message
 * @len:	its length
 * @t:		filled with the header, question and records
 *
 * Return: 0, or -1 if glibc cannot read it
 */
static inline int t_decode(const uint8_t *m, size_t len, struct t_msg *t)
{
	const uint8_t *p = m + 12, *end = m + len;
	int i, n, total;

	memset(t, 0, sizeof(*t));
	if (len < 12)
		return -1;
	t->id = be16_get(m);
	t->flags = be16_get(m + 2);
	t->qd = be16_get(m + 4);
	t->an = be16_get(m + 6);
	t->ns = be16_get(m + 8);
	t->ar = be16_get(m + 10);
	if (t->qd > 1)
		return -1;
	if (t->qd) {
		n = dn_expand(m, end, p, t->qname, sizeof(t->qname));
		if (n < 0 || p + n + 4 > end)
			return -1;
		p += n;
		t->qtype = be16_get(p);
		t->qclass = be16_get(p + 2);
		p += 4;
	}
	total = t->an + t->ns + t->ar;
	if (total > 128)
		return -1;
	for (i = 0; i < total; i++) {
		struct t_rr *r = &t->rr[i];

		n = dn_expand(m, end, p, r->owner, sizeof(r->owner));
		if (n < 0 || p + n + 10 > end)
			return -1;
		p += n;
		r->type = be16_get(p);
		r->class = be16_get(p + 2);
		r->ttl = (uint32_t)be16_get(p + 4) << 16 | be16_get(p + 6);
		r->rdlen = be16_get(p + 8);
		p += 10;
		if (p + r->rdlen > end)
			return -1;
		r->rdata = p;
		if (r->type == DNS_T_CNAME) {
			n = dn_expand(m, end, p, r->target, sizeof(r->target));
			if (n != r->rdlen)
				return -1;
		}
		p += r->rdlen;
	}
	t->nrr = total;
	return p == end ? 0 : -1;
}

/**
 * t_query() - Hand-built query: one question, optionally an OPT RR.
 * @buf:	buffer, 512 bytes
 * @id:		message ID
 * @flags:	header flags
 * @name:	text name
 * @qtype:	QTYPE
 * @edns_size:	UDP payload size of the OPT RR, 0 for none
 * @opt_ttl:	TTL field of the OPT RR (extended rcode, version, DO)
 *
 * Return: the message's length
 */
static inline size_t t_query(uint8_t *buf, uint16_t id, uint16_t flags,
			     const char *name, uint16_t qtype, int edns_size,
			     uint32_t opt_ttl)
{
	size_t n = 12;
	const char *s = name;

	memset(buf, 0, 12);
	buf[0] = id >> 8;
	buf[1] = id & 0xff;
	buf[2] = flags >> 8;
	buf[3] = flags & 0xff;
	buf[5] = 1;
	buf[11] = edns_size >= 0;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		buf[n++] = (uint8_t)l;
		memcpy(buf + n, s, l);
		n += l;
		s += l + !!dot;
	}
	buf[n++] = 0;
	buf[n++] = qtype >> 8;
	buf[n++] = qtype & 0xff;
	buf[n++] = 0;
	buf[n++] = 1;
	if (edns_size >= 0) {
		buf[n++] = 0;
		buf[n++] = 0;
		buf[n++] = 41;
		buf[n++] = (uint8_t)(edns_size >> 8);
		buf[n++] = edns_size & 0xff;
		buf[n++] = opt_ttl >> 24;
		buf[n++] = (opt_ttl >> 16) & 0xff;
		buf[n++] = (opt_ttl >> 8) & 0xff;
		buf[n++] = opt_ttl & 0xff;
		buf[n++] = 0;
		buf[n++] = 0;
	}
	return n;
}

/**
 * t_parse_ok() - dns_parse_query() accepts @m
 * @m:		query
 * @len:	its length
 * @q:		filled with what it parsed
 */
static inline void t_parse_ok(const uint8_t *m, size_t len, struct dns_query *q)
{
	assert_int_equal(dns_parse_query(m, len, q), DNS_PARSE_OK);
}

#endif /* USERNETD_TEST_DNS_TEST_H */
