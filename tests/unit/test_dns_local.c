/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_local.c - the local name table: host.lima.internal, addresses
 * and aliases from configuration, case-insensitive matching, NOERROR with
 * no data for the other family, CNAME chains (local and leaving the table),
 * cycles and overlong chains (SERVFAIL), run-time changes, and the records
 * a result writes into an answer, read back with glibc's dn_expand(), and
 * the names an owner sets with an IPv6 address: AAAA, and the PTR of the
 * address in ip6.arpa, set and removed with the name, never over a
 * reverse name the configuration set.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <resolv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "services/dns/dns.h"
#include "tests/unit/testlib.h"

/**
 * W() - wire form of a text name
 * @text:	text name
 *
 * Return: its wire form, in one of four static buffers (so up to four may be
 * used at once)
 */
static const uint8_t *W(const char *text)
{
	static uint8_t w[4][DNS_NAME_MAX];
	static int i;

	i = (i + 1) % 4;
	assert_true(dns_name_from_text(text, w[i], DNS_NAME_MAX) > 0);
	return w[i];
}

/**
 * T() - text form of a wire name
 * @wire:	wire name
 *
 * Return: its text form, in a static buffer
 */
static const char *T(const uint8_t *wire)
{
	static char t[DNS_NAME_TEXT_MAX];

	assert_true(dns_name_to_text(wire, t, sizeof(t), NULL) >= 0);
	return t;
}

/**
 * ip4() - an IPv4 address from its text; fails the test on bad text
 * @s:		dotted quad
 *
 * Return: the address
 */
static struct in_addr ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/**
 * table() - an empty local table whose gateway is 192.168.5.2
 *
 * Return: the table; fails the test if it cannot be made
 */
static struct dns_local *table(void)
{
	struct in_addr gw = ip4("192.168.5.2");
	struct dns_local *l = dns_local_new(&gw);

	assert_non_null(l);
	return l;
}

/**
 * test_builtin() - a new table answers host.lima.internal with the gateway's
 * address, in any case and with a trailing dot
 * @state:	unused
 */
static void test_builtin(void **state)
{
	struct dns_local_result r;
	struct dns_local *l = table();

	(void)state;
	assert_int_equal(dns_local_count(l), 1);
	assert_int_equal(
	    dns_local_lookup(l, W("host.lima.internal"), DNS_T_A, &r),
	    DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);
	assert_int_equal(r.ncname, 0);
	assert_int_equal(r.n4, 1);
	assert_int_equal(r.a[0].s_addr, ip4("192.168.5.2").s_addr);
	assert_int_equal(r.ttl, DNS_LOCAL_TTL);
	/* any case, trailing dot */
	assert_int_equal(
	    dns_local_lookup(l, W("HOST.Lima.INTERNAL."), DNS_T_A, &r),
	    DNS_LOCAL_ANSWER);
	assert_int_equal(r.n4, 1);
	/* the name exists: AAAA and MX are NOERROR with no data */
	assert_int_equal(
	    dns_local_lookup(l, W("host.lima.internal"), DNS_T_AAAA, &r),
	    DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);
	assert_int_equal(r.n4 + r.n6 + r.ncname, 0);
	assert_int_equal(
	    dns_local_lookup(l, W("host.lima.internal"), DNS_T_MX, &r),
	    DNS_LOCAL_ANSWER);
	assert_int_equal(r.n4 + r.n6, 0);
	/* others are not local */
	assert_int_equal(dns_local_lookup(l, W("lima.internal"), DNS_T_A, &r),
			 DNS_LOCAL_MISS);
	assert_int_equal(
	    dns_local_lookup(l, W("x.host.lima.internal"), DNS_T_A, &r),
	    DNS_LOCAL_MISS);
	assert_int_equal(
	    dns_local_lookup(l, W("host.lima.internal.x"), DNS_T_A, &r),
	    DNS_LOCAL_MISS);
	dns_local_free(l);

	l = dns_local_new(NULL);
	assert_non_null(l);
	assert_int_equal(dns_local_count(l), 0);
	assert_int_equal(
	    dns_local_lookup(l, W("host.lima.internal"), DNS_T_A, &r),
	    DNS_LOCAL_MISS);
	dns_local_free(l);
	dns_local_free(NULL);
}

/**
 * test_set_values() - dns_local_set() takes an IPv4 or IPv6 address or a name
 * (a CNAME); a value lima.yaml gives overrides the built-in name
 * @state:	unused
 */
static void test_set_values(void **state)
{
	struct dns_local_result r;
	struct dns_local *l = table();
	char s[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(dns_local_set(l, "Guest.Name", "127.1.1.1"), 0);
	assert_int_equal(dns_local_set(l, "v6.name", "2001:db8::1"), 0);
	assert_int_equal(dns_local_set(l, "host.name", "host.lima.internal"),
			 0);
	/* lima.yaml may override the built-in name */
	assert_int_equal(dns_local_set(l, "HOST.lima.internal", "10.0.0.1"), 0);
	assert_int_equal(dns_local_count(l), 4);

	assert_int_equal(dns_local_lookup(l, W("guest.NAME"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.n4, 1);
	assert_int_equal(r.a[0].s_addr, ip4("127.1.1.1").s_addr);
	assert_int_equal(dns_local_lookup(l, W("guest.name"), DNS_T_AAAA, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.n4 + r.n6, 0);

	assert_int_equal(dns_local_lookup(l, W("v6.name"), DNS_T_AAAA, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.n6, 1);
	inet_ntop(AF_INET6, &r.aaaa[0], s, sizeof(s));
	assert_string_equal(s, "2001:db8::1");
	assert_int_equal(dns_local_lookup(l, W("v6.name"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.n4 + r.n6, 0);
	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);

	assert_int_equal(dns_local_lookup(l, W("host.name"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.ncname, 1);
	assert_string_equal(T(r.names[1]), "host.lima.internal");
	assert_int_equal(r.n4, 1);
	assert_int_equal(r.a[0].s_addr, ip4("10.0.0.1").s_addr);

	/* bad names and values */
	errno = 0;
	assert_int_equal(dns_local_set(l, "a..b", "1.2.3.4"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dns_local_set(l, "a.b", "not a name"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dns_local_set(l, "a.b", ""), -1);
	assert_int_equal(dns_local_set(l, "a.b", NULL), -1);
	assert_int_equal(dns_local_set(l, "", "1.2.3.4"), -1);
	assert_int_equal(dns_local_count(l), 4);
	dns_local_free(l);
}

/**
 * test_addrs_and_changes() - a name holds up to DNS_LOCAL_ADDRS_MAX addresses
 * of each family; more, or none, is refused; setting a name again replaces it
 * @state:	unused
 */
static void test_addrs_and_changes(void **state)
{
	struct in_addr a4[DNS_LOCAL_ADDRS_MAX + 1];
	struct in6_addr a6[2];
	struct dns_local_result r;
	struct dns_local *l = table();
	int i;

	(void)state;
	for (i = 0; i <= DNS_LOCAL_ADDRS_MAX; i++)
		a4[i].s_addr = htonl(0x0a000001 + (uint32_t)i);
	memset(a6, 0x11, sizeof(a6));
	assert_int_equal(
	    dns_local_set_addrs(l, "many", a4, DNS_LOCAL_ADDRS_MAX, a6, 2), 0);
	assert_int_equal(dns_local_set_addrs(l, "toomany", a4,
					     DNS_LOCAL_ADDRS_MAX + 1, NULL, 0),
			 -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dns_local_set_addrs(l, "null", NULL, 1, NULL, 0), -1);
	assert_int_equal(dns_local_lookup(l, W("MANY"), DNS_T_ANY, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.n4, DNS_LOCAL_ADDRS_MAX);
	assert_int_equal(r.n6, 2);
	assert_int_equal(r.a[15].s_addr, a4[15].s_addr);

	/* an alias becomes an address and back */
	assert_int_equal(dns_local_set_alias(l, "many", "host.lima.internal"),
			 0);
	assert_int_equal(dns_local_lookup(l, W("many"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.ncname, 1);
	assert_int_equal(dns_local_set_addrs(l, "many", a4, 1, NULL, 0), 0);
	assert_int_equal(dns_local_lookup(l, W("many"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.ncname, 0);
	assert_int_equal(r.n4, 1);
	assert_int_equal(dns_local_set_alias(l, "many", "a..b"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dns_local_lookup(l, W("many"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.n4, 1); /* a failed change changes nothing */

	/* removal */
	assert_int_equal(dns_local_count(l), 2);
	assert_int_equal(dns_local_remove(l, "Many."), 0);
	assert_int_equal(dns_local_lookup(l, W("many"), DNS_T_A, &r),
			 DNS_LOCAL_MISS);
	assert_int_equal(dns_local_remove(l, "many"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(dns_local_remove(l, "a..b"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dns_local_count(l), 1);
	dns_local_free(l);
}

/**
 * test_many_names() - 3,000 names are found again, in any case
 * @state:	unused
 */
static void test_many_names(void **state)
{
	struct dns_local_result r;
	struct dns_local *l = table();
	char name[64];
	struct in_addr a;
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "VM-%d.internal", i);
		a.s_addr = htonl((uint32_t)i);
		assert_int_equal(dns_local_set_addrs(l, name, &a, 1, NULL, 0),
				 0);
	}
	assert_int_equal(dns_local_count(l), 3001);
	for (i = 0; i < 3000; i += 7) {
		snprintf(name, sizeof(name), "vm-%d.INTERNAL", i);
		assert_int_equal(dns_local_lookup(l, W(name), DNS_T_A, &r),
				 DNS_LOCAL_ANSWER);
		assert_int_equal(ntohl(r.a[0].s_addr), i);
	}
	for (i = 0; i < 3000; i += 2) {
		snprintf(name, sizeof(name), "vm-%d.internal", i);
		assert_int_equal(dns_local_remove(l, name), 0);
	}
	assert_int_equal(dns_local_count(l), 1501);
	assert_int_equal(dns_local_lookup(l, W("vm-2.internal"), DNS_T_A, &r),
			 DNS_LOCAL_MISS);
	assert_int_equal(dns_local_lookup(l, W("vm-3.internal"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	dns_local_free(l);
}

/**
 * test_chains() - CNAME chains are followed within the table and handed on
 * where they leave it; cycles and chains longer than DNS_LOCAL_CHAIN_MAX are
 * SERVFAIL
 * @state:	unused
 */
static void test_chains(void **state)
{
	struct dns_local_result r;
	struct dns_local *l = table();
	char n1[32], n2[32];
	int i;

	(void)state;
	/* a -> b -> c (address) */
	assert_int_equal(dns_local_set(l, "a.test", "B.test"), 0);
	assert_int_equal(dns_local_set(l, "b.test", "c.test"), 0);
	assert_int_equal(dns_local_set(l, "c.test", "192.0.2.3"), 0);
	assert_int_equal(dns_local_lookup(l, W("A.Test"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.ncname, 2);
	assert_string_equal(T(r.names[0]), "a.test");
	assert_string_equal(T(r.names[1]), "b.test");
	assert_string_equal(T(r.names[2]), "c.test");
	assert_int_equal(r.n4, 1);
	/* qtype CNAME: the first link only */
	assert_int_equal(dns_local_lookup(l, W("a.test"), DNS_T_CNAME, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.ncname, 1);
	assert_int_equal(r.n4, 0);
	/* AAAA: the chain, no address */
	assert_int_equal(dns_local_lookup(l, W("a.test"), DNS_T_AAAA, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.ncname, 2);
	assert_int_equal(r.n4 + r.n6, 0);

	/* leaving the table: continue with the resolver */
	assert_int_equal(dns_local_set(l, "out.test", "b.out.test"), 0);
	assert_int_equal(dns_local_set(l, "b.out.test", "www.Example.COM"), 0);
	assert_int_equal(dns_local_lookup(l, W("out.test"), DNS_T_A, &r),
			 DNS_LOCAL_CONTINUE);
	assert_int_equal(r.status, DNS_LOCAL_CONTINUE);
	assert_int_equal(r.ncname, 2);
	assert_string_equal(T(r.names[2]), "www.example.com");

	/* cycles: SERVFAIL, no records */
	assert_int_equal(dns_local_set(l, "x.test", "y.test"), 0);
	assert_int_equal(dns_local_set(l, "y.test", "Z.test"), 0);
	assert_int_equal(dns_local_set(l, "z.test", "x.test"), 0);
	assert_int_equal(dns_local_lookup(l, W("x.test"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_SERVFAIL);
	assert_int_equal(r.ncname + r.n4 + r.n6, 0);
	assert_int_equal(dns_local_set(l, "self.test", "SELF.test."), 0);
	assert_int_equal(dns_local_lookup(l, W("self.test"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_SERVFAIL);
	/* a cycle further down: p -> x -> y -> z -> x */
	assert_int_equal(dns_local_set(l, "p.test", "x.test"), 0);
	assert_int_equal(dns_local_lookup(l, W("p.test"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_SERVFAIL);
	/* breaking the cycle at run time */
	assert_int_equal(dns_local_set(l, "z.test", "192.0.2.26"), 0);
	assert_int_equal(dns_local_lookup(l, W("p.test"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);
	assert_int_equal(r.ncname, 3);
	assert_int_equal(r.n4, 1);

	/* n0 -> n1 -> ... -> n8 (address): 8 links are answered */
	for (i = 0; i < DNS_LOCAL_CHAIN_MAX; i++) {
		snprintf(n1, sizeof(n1), "n%d.chain", i);
		snprintf(n2, sizeof(n2), "n%d.chain", i + 1);
		assert_int_equal(dns_local_set(l, n1, n2), 0);
	}
	assert_int_equal(dns_local_set(l, n2, "192.0.2.8"), 0);
	assert_int_equal(dns_local_lookup(l, W("n0.chain"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);
	assert_int_equal(r.ncname, DNS_LOCAL_CHAIN_MAX);
	assert_int_equal(r.n4, 1);
	/* one more link: SERVFAIL */
	assert_int_equal(dns_local_set(l, "m.chain", "n0.chain"), 0);
	assert_int_equal(dns_local_lookup(l, W("m.chain"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_SERVFAIL);
	assert_int_equal(r.ncname, 0);
	/* 7 links in the table and an 8th leaving it: a continuation */
	assert_int_equal(dns_local_set(l, "n7.chain", "outside.example"), 0);
	assert_int_equal(dns_local_lookup(l, W("n0.chain"), DNS_T_A, &r),
			 DNS_LOCAL_CONTINUE);
	assert_int_equal(r.ncname, DNS_LOCAL_CHAIN_MAX);
	assert_string_equal(T(r.names[DNS_LOCAL_CHAIN_MAX]), "outside.example");
	/* a 9th: SERVFAIL */
	assert_int_equal(dns_local_lookup(l, W("m.chain"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_SERVFAIL);
	dns_local_free(l);
}

/**
 * test_put() - dns_local_put() writes answers glibc reads back: a CNAME chain
 * with the question's case, a continuation, nothing for a cycle, ANY cut to 512
 * bytes with TC
 * @state:	unused
 */
static void test_put(void **state)
{
	uint8_t m[512], buf[512], host[NS_MAXDNAME];
	const uint8_t *p, *end;
	struct dns_local_result r;
	struct dns_local *l = table();
	struct dns_builder b;
	struct dns_query q;
	struct in_addr a;
	size_t len, n;
	int i, k;

	(void)state;
	assert_int_equal(dns_local_set(l, "web.test", "svc.test"), 0);
	assert_int_equal(dns_local_set(l, "svc.test", "10.1.2.3"), 0);
	len = tl_dns_query(m, 0x1234, "WEB.test", DNS_T_A, 0);
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_OK);
	assert_int_equal(dns_local_lookup(l, q.qname, q.qtype, &r),
			 DNS_LOCAL_ANSWER);
	dns_build_begin(&b, &q, r.rcode, true, buf, sizeof(buf), q.udp_size);
	assert_int_equal(dns_local_put(&r, q.qtype, &b), 0);
	n = dns_build_end(&b);
	assert_int_equal(buf[2], 0x85); /* QR AA RD */
	assert_int_equal(buf[7], 2);
	assert_int_equal(dns_msg_check(buf, n, &q), 0);
	/* read it back: WEB.test CNAME svc.test, svc.test A 10.1.2.3 */
	p = buf + len;
	end = buf + n;
	for (i = 0; i < 2; i++) {
		k = dn_expand(buf, end, p, (char *)host, sizeof(host));
		assert_true(k > 0);
		assert_string_equal((char *)host, i ? "svc.test" : "WEB.test");
		p += k;
		assert_int_equal(p[1], i ? DNS_T_A : DNS_T_CNAME);
		assert_int_equal(p[7], DNS_LOCAL_TTL);
		if (!i) {
			k = dn_expand(buf, end, p + 10, (char *)host,
				      sizeof(host));
			assert_string_equal((char *)host, "svc.test");
		} else {
			assert_memory_equal(p + 10, "\x0a\x01\x02\x03", 4);
		}
		p += 10 + (p[8] << 8 | p[9]);
	}
	assert_true(p == end);

	/* a continuation: the chain, then the service appends the rest */
	assert_int_equal(dns_local_set(l, "svc.test", "www.example.com"), 0);
	assert_int_equal(dns_local_lookup(l, q.qname, q.qtype, &r),
			 DNS_LOCAL_CONTINUE);
	dns_build_begin(&b, &q, r.rcode, false, buf, sizeof(buf), q.udp_size);
	assert_int_equal(dns_local_put(&r, q.qtype, &b), 0);
	a.s_addr = htonl(0x5db8d822);
	assert_int_equal(dns_build_a(&b, r.names[r.ncname], 30, &a), 0);
	n = dns_build_end(&b);
	assert_int_equal(buf[7], 3);
	assert_int_equal(dns_msg_check(buf, n, &q), 0);

	/* SERVFAIL for a cycle writes nothing */
	assert_int_equal(dns_local_set(l, "svc.test", "web.test"), 0);
	assert_int_equal(dns_local_lookup(l, q.qname, q.qtype, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_SERVFAIL);
	dns_build_begin(&b, &q, r.rcode, true, buf, sizeof(buf), q.udp_size);
	assert_int_equal(dns_local_put(&r, q.qtype, &b), 0);
	n = dns_build_end(&b);
	assert_int_equal(n, len);
	assert_int_equal(buf[3] & 0xf, DNS_RCODE_SERVFAIL);

	/* ANY: 16 A and 16 AAAA; over 512 bytes the AAAA set goes, TC */
	{
		struct in_addr v4[DNS_LOCAL_ADDRS_MAX];
		struct in6_addr v6[DNS_LOCAL_ADDRS_MAX];

		memset(v4, 1, sizeof(v4));
		memset(v6, 2, sizeof(v6));
		assert_int_equal(dns_local_set_addrs(l, "big.test", v4,
						     DNS_LOCAL_ADDRS_MAX, v6,
						     DNS_LOCAL_ADDRS_MAX),
				 0);
	}
	len = tl_dns_query(m, 0x1234, "big.test", DNS_T_ANY, 0);
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_OK);
	assert_int_equal(dns_local_lookup(l, q.qname, q.qtype, &r),
			 DNS_LOCAL_ANSWER);
	dns_build_begin(&b, &q, r.rcode, true, buf, sizeof(buf), q.udp_size);
	assert_int_equal(dns_local_put(&r, q.qtype, &b), -1);
	n = dns_build_end(&b);
	assert_int_equal(buf[7], 16);
	assert_true(buf[2] & 0x02);
	assert_int_equal(n, len + 16 * 16);
	dns_local_free(l);
}

/**
 * test_owned_ptr() - an owner's name with an IPv6 address answers AAAA and
 * the address's ip6.arpa name answers PTR (and nothing for A); the PTR
 * follows a new address and goes with the name; a reverse name set by the
 * configuration is left alone; the PTR record goes into an answer
 * @state:	unused
 */
static void test_owned_ptr(void **state)
{
	static const char rev_a[] =
	    "a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.a.9.8.7.6.5.4.3.2.1.d.f."
	    "ip6.arpa";
	uint8_t m[512], buf[512], host[NS_MAXDNAME];
	struct in_addr v4 = ip4("192.168.104.4");
	struct dns_local *l = table();
	struct dns_local_result r;
	char rev[DNS_LOCAL_REV6_LEN];
	struct in6_addr a, a2;
	struct dns_builder b;
	struct dns_query q;
	const uint8_t *p;
	size_t len, n;
	int owner, k;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "fd12:3456:789a:1::a", &a), 1);
	assert_int_equal(inet_pton(AF_INET6, "fd12:3456:789a:1::b", &a2), 1);
	dns_local_rev6(&a, rev);
	assert_string_equal(rev, rev_a);
	assert_int_equal(strlen(rev) + 1, DNS_LOCAL_REV6_LEN);

	assert_int_equal(
	    dns_local_set_owned(l, "Lima-A.internal", &owner, &v4, &a), 0);
	assert_int_equal(tl_dns_lookup(l, "lima-a.internal", DNS_T_AAAA, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.n6, 1);
	assert_memory_equal(&r.aaaa[0], &a, sizeof(a));
	assert_false(r.ptr);
	assert_int_equal(tl_dns_lookup(l, rev_a, DNS_T_PTR, &r),
			 DNS_LOCAL_ANSWER);
	assert_true(r.ptr);
	assert_string_equal(T(r.ptr_target), "lima-a.internal");
	assert_int_equal(tl_dns_lookup(l,
				       "A.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1."
				       "0.0.0.A.9.8.7.6.5.4.3.2.1.D.F.IP6."
				       "ARPA",
				       DNS_T_ANY, &r),
			 DNS_LOCAL_ANSWER);
	assert_true(r.ptr);
	/* the reverse name exists: A is NOERROR with no data */
	assert_int_equal(tl_dns_lookup(l, rev_a, DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);
	assert_false(r.ptr);
	assert_int_equal(r.n4 + r.n6, 0);
	assert_int_equal(dns_local_count(l), 3);

	/* the PTR into an answer: owner the question, RDATA the name */
	len = tl_dns_query(m, 0x4321, rev_a, DNS_T_PTR, 0);
	assert_int_equal(dns_parse_query(m, len, &q), DNS_PARSE_OK);
	assert_int_equal(dns_local_lookup(l, q.qname, q.qtype, &r),
			 DNS_LOCAL_ANSWER);
	dns_build_begin(&b, &q, r.rcode, true, buf, sizeof(buf), q.udp_size);
	assert_int_equal(dns_local_put(&r, q.qtype, &b), 0);
	n = dns_build_end(&b);
	assert_int_equal(buf[7], 1);
	assert_int_equal(dns_msg_check(buf, n, &q), 0);
	p = buf + len;
	k = dn_expand(buf, buf + n, p, (char *)host, sizeof(host));
	assert_true(k > 0);
	assert_string_equal((char *)host, rev_a);
	p += k;
	assert_int_equal(p[1], DNS_T_PTR);
	assert_int_equal(p[7], DNS_LOCAL_TTL);
	k = dn_expand(buf, buf + n, p + 10, (char *)host, sizeof(host));
	assert_true(k > 0);
	assert_string_equal((char *)host, "lima-a.internal");
	assert_true(p + 10 + (p[8] << 8 | p[9]) == buf + n);

	/* a new address: the old PTR goes, the new one comes */
	assert_int_equal(
	    dns_local_set_owned(l, "lima-a.internal", &owner, &v4, &a2), 0);
	assert_int_equal(tl_dns_lookup(l, rev_a, DNS_T_PTR, &r),
			 DNS_LOCAL_MISS);
	dns_local_rev6(&a2, rev);
	assert_int_equal(tl_dns_lookup(l, rev, DNS_T_PTR, &r),
			 DNS_LOCAL_ANSWER);
	assert_string_equal(T(r.ptr_target), "lima-a.internal");
	/* no IPv6 address any more: no AAAA, no PTR */
	assert_int_equal(
	    dns_local_set_owned(l, "lima-a.internal", &owner, &v4, NULL), 0);
	assert_int_equal(tl_dns_lookup(l, rev, DNS_T_PTR, &r), DNS_LOCAL_MISS);
	assert_int_equal(tl_dns_lookup(l, "lima-a.internal", DNS_T_AAAA, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.n6, 0);
	/* removing the name removes its PTR */
	assert_int_equal(
	    dns_local_set_owned(l, "lima-a.internal", &owner, &v4, &a), 0);
	assert_int_equal(dns_local_remove_owned(l, "lima-a.internal", &owner),
			 0);
	assert_int_equal(tl_dns_lookup(l, rev_a, DNS_T_PTR, &r),
			 DNS_LOCAL_MISS);
	assert_int_equal(dns_local_count(l), 1);

	/* a reverse name of the configuration stays the configuration's */
	assert_int_equal(dns_local_set(l, rev_a, "10.0.0.1"), 0);
	assert_int_equal(
	    dns_local_set_owned(l, "lima-a.internal", &owner, &v4, &a), 0);
	assert_int_equal(tl_dns_lookup(l, rev_a, DNS_T_PTR, &r),
			 DNS_LOCAL_ANSWER);
	assert_false(r.ptr);
	assert_int_equal(dns_local_remove_owned(l, "lima-a.internal", &owner),
			 0);
	assert_true(tl_dns_resolves(l, rev_a, "10.0.0.1"));
	dns_local_free(l);
}

/**
 * test_zones() - zones (the control API's dns/add): records are entries; a name
 * under a zone without one is not local (the resolver answers, Lima #3161)
 * unless the zone has a default address; the most specific zone decides.
 * @state:	unused
 */
static void test_zones(void **state)
{
	struct in_addr rec = ip4("192.168.104.4"), def = ip4("10.9.9.9");
	struct dns_local_result r;
	struct dns_local *l = table();

	(void)state;
	assert_int_equal(dns_local_zone_set(l, "internal.", NULL, NULL), 0);
	assert_int_equal(
	    dns_local_set_addrs(l, "lima-default.internal.", &rec, 1, NULL, 0),
	    0);
	assert_int_equal(dns_local_zone_count(l), 1);
	assert_int_equal(
	    dns_local_lookup(l, W("LIMA-default.internal"), DNS_T_A, &r),
	    DNS_LOCAL_ANSWER);
	assert_int_equal(r.n4, 1);
	assert_int_equal(r.a[0].s_addr, rec.s_addr);
	/* other names in the zone go to the resolver, not NXDOMAIN */
	assert_int_equal(dns_local_lookup(l, W("other.internal"), DNS_T_A, &r),
			 DNS_LOCAL_MISS);
	assert_int_equal(dns_local_lookup(l, W("internal"), DNS_T_A, &r),
			 DNS_LOCAL_MISS);
	/* built-in names still answer */
	assert_int_equal(
	    dns_local_lookup(l, W("host.lima.internal"), DNS_T_A, &r),
	    DNS_LOCAL_ANSWER);

	/* a default address: every other name under the zone */
	assert_int_equal(dns_local_zone_set(l, "Internal", &def, NULL), 0);
	assert_int_equal(dns_local_zone_count(l), 1);
	assert_int_equal(
	    dns_local_lookup(l, W("a.b.other.internal"), DNS_T_A, &r),
	    DNS_LOCAL_ANSWER);
	assert_int_equal(r.n4, 1);
	assert_int_equal(r.a[0].s_addr, def.s_addr);
	assert_int_equal(dns_local_lookup(l, W("x.internal"), DNS_T_AAAA, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.n4 + r.n6, 0);
	assert_int_equal(
	    dns_local_lookup(l, W("lima-default.internal"), DNS_T_A, &r),
	    DNS_LOCAL_ANSWER);
	assert_int_equal(r.a[0].s_addr, rec.s_addr);
	assert_int_equal(dns_local_lookup(l, W("internalx"), DNS_T_A, &r),
			 DNS_LOCAL_MISS);
	assert_int_equal(dns_local_lookup(l, W("x.nternal"), DNS_T_A, &r),
			 DNS_LOCAL_MISS);

	/* the most specific zone decides: no default there */
	assert_int_equal(dns_local_zone_set(l, "sub.internal", NULL, NULL), 0);
	assert_int_equal(dns_local_zone_count(l), 2);
	assert_int_equal(dns_local_lookup(l, W("x.sub.internal"), DNS_T_A, &r),
			 DNS_LOCAL_MISS);
	assert_int_equal(dns_local_lookup(l, W("x.internal"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);

	/* an alias into a zone with a default follows it */
	assert_int_equal(dns_local_set_alias(l, "alias.example", "q.internal"),
			 0);
	assert_int_equal(dns_local_lookup(l, W("alias.example"), DNS_T_A, &r),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(r.ncname, 1);
	assert_int_equal(r.a[0].s_addr, def.s_addr);

	/* the default can be taken away again */
	assert_int_equal(dns_local_zone_set(l, "internal", NULL, NULL), 0);
	assert_int_equal(dns_local_lookup(l, W("x.internal"), DNS_T_A, &r),
			 DNS_LOCAL_MISS);
	assert_int_equal(dns_local_zone_set(l, "bad..name", NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	dns_local_free(l);
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
	    cmocka_unit_test(test_builtin),
	    cmocka_unit_test(test_set_values),
	    cmocka_unit_test(test_addrs_and_changes),
	    cmocka_unit_test(test_many_names),
	    cmocka_unit_test(test_chains),
	    cmocka_unit_test(test_put),
	    cmocka_unit_test(test_owned_ptr),
	    cmocka_unit_test(test_zones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
