/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_api.c - the control API's request validation (daemon/api_parse.c):
 * host:port parsing, expose and unexpose bodies (defaults, wrong types,
 * malformed JSON, an empty remote host), DNS zones (names, records,
 * DefaultIP, Regexp), and wait_port's query parameters.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "daemon/api.h"
#include "services/dns/dns.h"
#include "tests/unit/testlib.h"

/* Expose/unexpose/zone parsers return 0 or this status. */
#define BAD 400

/**
 * expose() - api_parse_expose() of a C string
 * @body:	the request body, NUL-terminated
 * @r:		filled with the parsed request
 *
 * Return: 0 or the HTTP status api_parse_expose() refused with
 */
static int expose(const char *body, struct api_fwd_req *r)
{
	char err[256] = "";
	int rc = api_parse_expose(body, strlen(body), r, err, sizeof(err));

	if (rc != 0 && !*err)
		fail_msg("%s: status %d without a message", body, rc);
	return rc;
}

/**
 * v6eq() - is @a the IPv6 address @text?
 * @a:		a parsed address
 * @text:	IPv6 address text
 *
 * Return: 1 if @a is AF_INET6 and that address, else 0
 */
static int v6eq(const struct gw_addr *a, const char *text)
{
	struct in6_addr x;

	assert_int_equal(inet_pton(AF_INET6, text, &x), 1);
	return a->family == AF_INET6 && !memcmp(&a->v6, &x, sizeof(x));
}

/**
 * test_hostport() - api_parse_hostport() reads "IP:PORT" and "[IPV6]:PORT"
 * (":PORT" only where allowed) and refuses the rest: no brackets, a
 * bracket left open, a zone id, a port missing
 * @state:	unused
 */
static void test_hostport(void **state)
{
	/* what api_parse_hostport() refuses, and its empty_host_ok */
	static const struct {
		const char *text;
		int empty_host_ok;
	} refused[] = {
	    {":22", 0},
	    {"1.2.3.4", 0},
	    {"1.2.3.4:0", 0},
	    {"1.2.3.4:65536", 0},
	    {"1.2.3.4:22x", 0},
	    {"host:22", 0},
	    {"1111111111111111111111.1.1.1:22", 0},
	    {"::1:22", 0},
	    {"::1:22", 1},
	    {"[::1:22", 0},
	    {"[::1]22", 0},
	    {"[::1]", 0},
	    {"[::1]:", 0},
	    {"[fe80::1%eth0]:22", 0},
	    {"[127.0.0.1]:22", 0},
	    {"[]:22", 1},
	    {"[::1]]:22", 0},
	    {"[[::1]:22", 0},
	};
	struct gw_addr a;
	uint16_t p;
	size_t i;
	int rc;

	(void)state;
	assert_int_equal(api_parse_hostport("127.0.0.1:60022", 0, &a, &p), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.v4.s_addr, tl_ip4("127.0.0.1"));
	assert_int_equal(p, 60022);
	assert_int_equal(api_parse_hostport(":22", 1, &a, &p), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.v4.s_addr, 0);
	assert_int_equal(api_parse_hostport("[::1]:2222", 0, &a, &p), 0);
	assert_true(v6eq(&a, "::1"));
	assert_int_equal(p, 2222);
	assert_int_equal(api_parse_hostport("[::]:80", 0, &a, &p), 0);
	assert_true(v6eq(&a, "::"));
	assert_int_equal(
	    api_parse_hostport("[FEC0::5055:55ff:fe12:3456]:22", 0, &a, &p), 0);
	assert_true(v6eq(&a, "fec0::5055:55ff:fe12:3456"));
	assert_int_equal(p, 22);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		rc = api_parse_hostport(refused[i].text,
					refused[i].empty_host_ok, &a, &p);
		if (rc != -1)
			fail_msg("refused[%zu] \"%s\": got %d, want -1", i,
				 refused[i].text, rc);
	}
}

/**
 * test_expose() - expose bodies parse to protocol, host and guest address and
 * port (protocol tcp by default, unknown fields ignored); the broken ones are
 * refused
 * @state:	unused
 */
static void test_expose(void **state)
{
	/* bodies api_parse_expose() refuses with BAD */
	static const char *const refused[] = {
	    "{\"local\":\"127.0.0.1:1\",\"remote\":\":22\"}",
	    "{\"local\":\"127.0.0.1:1\"}",
	    "{\"remote\":\"10.0.0.4:22\"}",
	    "{\"local\":1,\"remote\":\"10.0.0.4:22\"}",
	    "{\"local\":\"127.0.0.1:1\",\"remote\":"
	    "\"10.0.0.4:22\",\"protocol\":\"sctp\"}",
	    "{\"local\":\"127.0.0.1:1\",\"remote\":"
	    "\"10.0.0.4:22\",\"protocol\":7}",
	    "{\"local\":\"\",\"remote\":\"10.0.0.4:22\"}",
	    "{\"local\":\"rel.sock\",\"remote\":"
	    "\"10.0.0.4:22\",\"protocol\":\"unix\"}",
	    "{\"local\":\"127.0.0.1:1\",\"remote\":"
	    "\"10.0.0.4:99999\"}",
	    /* IPv6 without brackets, unclosed, with a zone; mixed families */
	    "{\"local\":\"::1:2222\",\"remote\":\"[fd00::4]:22\"}",
	    "{\"local\":\"[::1:2222\",\"remote\":\"[fd00::4]:22\"}",
	    "{\"local\":\"[::1]:2222\",\"remote\":\"fd00::4:22\"}",
	    "{\"local\":\"[::1]:2222\",\"remote\":\"[fe80::4%eth0]:22\"}",
	    "{\"local\":\"/run/x.sock\",\"remote\":"
	    "\"[fd00::4]:22\",\"protocol\":\"unix\"}",
	    "{bad json",
	    "[1,2]",
	    "",
	    "\"string\"",
	};
	struct api_fwd_req r;
	size_t i;
	int rc;

	(void)state;
	assert_int_equal(expose("{\"local\":\"127.0.0.1:60022\",\"remote\":"
				"\"192.168.104.4:22\",\"protocol\":\"tcp\"}",
				&r),
			 0);
	assert_int_equal(r.proto, API_TCP);
	assert_string_equal(r.local, "127.0.0.1:60022");
	assert_string_equal(r.remote, "192.168.104.4:22");
	assert_int_equal(r.haddr.v4.s_addr, tl_ip4("127.0.0.1"));
	assert_int_equal(r.hport, 60022);
	assert_int_equal(r.gaddr.v4.s_addr, tl_ip4("192.168.104.4"));
	assert_int_equal(r.gport, 22);
	/* protocol defaults to tcp; unknown fields are ignored */
	assert_int_equal(
	    expose("{\"local\":\":8080\",\"remote\":\"10.0.0.4:80\","
		   "\"extra\":[1]}",
		   &r),
	    0);
	assert_int_equal(r.proto, API_TCP);
	assert_int_equal(r.haddr.family, AF_INET);
	assert_int_equal(r.haddr.v4.s_addr, 0);
	/* IPv6, as gvisor-tap-vsock's clients write it (Go's JoinHostPort) */
	assert_int_equal(expose("{\"local\":\"[::1]:2222\",\"remote\":"
				"\"[fd12:3456:789a:1::a]:22\",\"protocol\":"
				"\"tcp\"}",
				&r),
			 0);
	assert_string_equal(r.local, "[::1]:2222");
	assert_string_equal(r.remote, "[fd12:3456:789a:1::a]:22");
	assert_true(v6eq(&r.haddr, "::1"));
	assert_int_equal(r.hport, 2222);
	assert_true(v6eq(&r.gaddr, "fd12:3456:789a:1::a"));
	assert_int_equal(r.gport, 22);
	assert_int_equal(expose("{\"local\":\"[::]:5353\",\"remote\":"
				"\"[fec0::5055:55ff:fe12:3456]:53\","
				"\"protocol\":\"udp\"}",
				&r),
			 0);
	assert_int_equal(r.proto, API_UDP);
	assert_true(v6eq(&r.haddr, "::"));
	/* between families: the gateway relays it */
	assert_int_equal(expose("{\"local\":\"127.0.0.1:2222\",\"remote\":"
				"\"[fd00::4]:53\",\"protocol\":\"udp\"}",
				&r),
			 0);
	assert_int_equal(r.proto, API_UDP);
	assert_true(v6eq(&r.gaddr, "fd00::4"));
	assert_int_equal(expose("{\"local\":\"127.0.0.1:2222\",\"remote\":"
				"\"[fd00::4]:22\"}",
				&r),
			 0);
	assert_int_equal(r.haddr.family, AF_INET);
	assert_true(v6eq(&r.gaddr, "fd00::4"));
	assert_int_equal(
	    expose("{\"local\":\"[::1]:2222\",\"remote\":\"10.0.0.4:22\"}", &r),
	    0);
	assert_int_equal(r.gaddr.family, AF_INET);
	assert_int_equal(expose("{\"local\":\"127.0.0.1:5353\",\"remote\":"
				"\"10.0.0.4:53\",\"protocol\":\"udp\"}",
				&r),
			 0);
	assert_int_equal(r.proto, API_UDP);
	assert_int_equal(expose("{\"local\":\"/run/x.sock\",\"remote\":"
				"\"10.0.0.4:22\",\"protocol\":\"unix\"}",
				&r),
			 0);
	assert_int_equal(r.proto, API_UNIX);
	assert_string_equal(r.local, "/run/x.sock");

	/* refused */
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		rc = expose(refused[i], &r);
		if (rc != BAD)
			fail_msg("refused[%zu] %s: got %d, want %d", i,
				 refused[i], rc, BAD);
	}
}

/**
 * test_unexpose() - an unexpose body needs a valid "local"
 * @state:	unused
 */
static void test_unexpose(void **state)
{
	const char *b = "{\"local\":\"127.0.0.1:60022\",\"protocol\":\"udp\"}";
	struct api_fwd_req r;
	char err[128];

	(void)state;
	assert_int_equal(api_parse_unexpose(b, strlen(b), &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.proto, API_UDP);
	assert_int_equal(r.hport, 60022);
	b = "{\"local\":\"[::1]:60022\"}";
	assert_int_equal(api_parse_unexpose(b, strlen(b), &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.proto, API_TCP);
	assert_true(v6eq(&r.haddr, "::1"));
	assert_int_equal(r.hport, 60022);
	b = "{\"local\":\"::1:60022\"}";
	assert_int_equal(api_parse_unexpose(b, strlen(b), &r, err, sizeof(err)),
			 BAD);
	b = "{\"protocol\":\"tcp\"}";
	assert_int_equal(api_parse_unexpose(b, strlen(b), &r, err, sizeof(err)),
			 BAD);
	b = "{\"local\":\"x:y\"}";
	assert_int_equal(api_parse_unexpose(b, strlen(b), &r, err, sizeof(err)),
			 BAD);
}

/**
 * zone() - api_parse_zone() of a C string
 * @body:	the request body, NUL-terminated
 * @z:		filled with the parsed request; free with api_zone_req_free()
 *
 * Return: 0 or the HTTP status api_parse_zone() refused with
 */
static int zone(const char *body, struct api_zone_req *z)
{
	char err[256] = "";
	int rc = api_parse_zone(body, strlen(body), z, err, sizeof(err));

	if (rc != 0 && !*err)
		fail_msg("%s: status %d without a message", body, rc);
	return rc;
}

/**
 * test_zone() - zone bodies parse to name (made absolute), records and default
 * address; the broken ones are refused; records get full names
 * @state:	unused
 */
static void test_zone(void **state)
{
	/* bodies api_parse_zone() refuses with BAD */
	static const char *const refused[] = {
	    "{\"Records\":[]}",
	    "{\"Name\":\"\"}",
	    "{\"Name\":\"a..b\"}",
	    "{\"Name\":5}",
	    "{\"Name\":\"x\",\"Records\":{}}",
	    "{\"Name\":\"x\",\"Records\":[5]}",
	    "{\"Name\":\"x\",\"Records\":[{\"Name\":\"a\","
	    "\"IP\":\"1.2.3\"}]}",
	    "{\"Name\":\"x\",\"Records\":[{\"IP\":\"1.2.3.4\","
	    "\"Regexp\":{}}]}",
	    "{\"Name\":\"x\",\"Records\":[{\"Regexp\":\"(a\"}]}",
	    "{\"Name\":\"x\",\"Records\":[{\"Regexp\":\"(a)\\\\1\"}]}",
	    "{\"Name\":\"x\",\"Records\":[{\"Regexp\":\"(?i)a\"}]}",
	    /* compiled size: nested repetition (glibc's regcomp exhausted
	     * memory on 256 bytes of "S++..."), multiplying bounds, a count
	     * over RE2's 1000, groups nested too deep */
	    "{\"Name\":\"x\",\"Records\":[{\"Regexp\":\"S+++\"}]}",
	    "{\"Name\":\"x\",\"Records\":[{\"Regexp\":\"a*{2}\"}]}",
	    "{\"Name\":\"x\",\"Records\":[{\"Regexp\":"
	    "\"((a{255}){255}){255}\"}]}",
	    "{\"Name\":\"x\",\"Records\":[{\"Regexp\":\"a{1001}\"}]}",
	    "{\"Name\":\"x\",\"Records\":[{\"Regexp\":"
	    "\"((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))"
	    "))))))))\"}]}",
	    "{\"Name\":\"x\",\"DefaultIP\":\"nope\"}",
	    "{\"Name\":\"x\",\"DefaultIP\":[]}",
	    "nope",
	};
	/* patterns accepted, compiled size estimate and all */
	static const char *const patterns[] = {
	    "^vm-[0-9]+$", "^(web|db)-[a-z]{1,8}[0-9]{0,3}$",
	    "^[]a-z]+x?$", "^(ab(cd){2}){3}$",
	    "^a{1000}$",   "^a{2,}$",
	};
	struct api_zone_req z;
	char fqdn[300];
	size_t i;
	int rc;

	(void)state;
	assert_int_equal(
	    zone("{\"Name\":\"internal.\",\"Records\":[{\"Name\":"
		 "\"lima-default\",\"IP\":\"192.168.104.4\"},"
		 "{\"Name\":\"host.lima\",\"IP\":\"192.168.104.2\","
		 "\"Regexp\":null}],\"DefaultIP\":null}",
		 &z),
	    0);
	assert_string_equal(z.name, "internal.");
	assert_int_equal(z.nrec, 2);
	assert_string_equal(z.rec[0].name, "lima-default");
	assert_int_equal(z.rec[0].ip.family, AF_INET);
	assert_int_equal(z.rec[0].ip.v4.s_addr, tl_ip4("192.168.104.4"));
	assert_string_equal(z.rec[1].name, "host.lima");
	assert_int_equal(z.rec[1].has_re, 0);
	assert_int_equal(z.def.family, 0);
	api_zone_req_free(&z);

	/* no trailing dot, no records, a default address */
	assert_int_equal(
	    zone("{\"Name\":\"test\",\"DefaultIP\":\"10.1.2.3\"}", &z), 0);
	assert_string_equal(z.name, "test.");
	assert_int_equal(z.nrec, 0);
	assert_int_equal(z.def.family, AF_INET);
	assert_int_equal(z.def.v4.s_addr, tl_ip4("10.1.2.3"));
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":\"test\",\"DefaultIP\":\"\"}", &z), 0);
	assert_int_equal(z.def.family, 0);
	api_zone_req_free(&z);

	/* Regexp patterns a Lima user writes stay accepted */
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		char body[256];

		snprintf(body, sizeof(body),
			 "{\"Name\":\"x\",\"Records\":[{\"IP\":\"10.0.0.1\","
			 "\"Regexp\":\"%s\"}]}",
			 patterns[i]);
		rc = zone(body, &z);
		api_zone_req_free(&z);
		if (rc != 0)
			fail_msg("patterns[%zu] %s: got %d, want 0", i,
				 patterns[i], rc);
	}

	/* Regexp patterns a Lima user writes stay accepted */
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		char body[256];

		snprintf(body, sizeof(body),
			 "{\"Name\":\"x\",\"Records\":[{\"IP\":\"10.0.0.1\","
			 "\"Regexp\":\"%s\"}]}",
			 patterns[i]);
		rc = zone(body, &z);
		api_zone_req_free(&z);
		if (rc != 0)
			fail_msg("patterns[%zu] %s: got %d, want 0", i,
				 patterns[i], rc);
	}

	/* refused */
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		rc = zone(refused[i], &z);
		api_zone_req_free(&z);
		if (rc != BAD)
			fail_msg("refused[%zu] %s: got %d, want %d", i,
				 refused[i], rc, BAD);
	}

	/* full names of records */
	assert_int_equal(
	    api_zone_fqdn("internal.", "lima-a", fqdn, sizeof(fqdn)), 0);
	assert_string_equal(fqdn, "lima-a.internal.");
	assert_int_equal(api_zone_fqdn(".", "a.example", fqdn, sizeof(fqdn)),
			 0);
	assert_string_equal(fqdn, "a.example");
	assert_int_equal(api_zone_fqdn("internal.", "a b", fqdn, sizeof(fqdn)),
			 -1);
}

/*
 * The bodies Lima's hostagent posts (gvisor-tap-vsock's client: Go's
 * json.Marshal of types.Zone, no JSON tags, nil Regexp omitted, nil net.IP
 * null) for this lima.yaml, plus the VM's own name and host.lima.internal
 * that Lima adds:
 *
 *   hostResolver:
 *     hosts:
 *       guest.v4.test: 10.0.0.7
 *       guest.v6.test: fd00::7
 *       alias.test: guest.v4.test
 *       outside.test: example.com
 *       myhost: 10.0.0.9
 */
static const char *const lima_bodies[] = {
    "{\"Name\":\"test.\",\"Records\":[{\"Name\":\"guest.v4\",\"IP\":"
    "\"10.0.0.7\"},{\"Name\":\"guest.v6\",\"IP\":\"fd00::7\"},{\"Name\":"
    "\"alias\",\"IP\":\"10.0.0.7\"},{\"Name\":\"outside\",\"IP\":null}],"
    "\"DefaultIP\":null}",
    "{\"Name\":\"myhost\",\"Records\":null,\"DefaultIP\":\"10.0.0.9\"}",
    "{\"Name\":\"internal.\",\"Records\":[{\"Name\":\"lima-default\",\"IP\":"
    "\"192.168.104.4\"},{\"Name\":\"host.lima\",\"IP\":\"192.168.104.2\"}],"
    "\"DefaultIP\":null}",
    /* what gvisor-tap-vsock's own clients may send besides */
    "{\"Name\":\"vms.test.\",\"Records\":[{\"Name\":\"\",\"IP\":"
    "\"10.0.1.1\",\"Regexp\":\"^vm-[0-9]+$\"},{\"Name\":\"\",\"IP\":"
    "\"fd00::1:1\",\"Regexp\":\"^v6-\"},{\"Name\":\"\",\"IP\":null,"
    "\"Regexp\":\"^up-\"}],\"DefaultIP\":\"10.0.1.99\"}",
};

/**
 * want_a() - @name answers exactly one A record, @addr
 * @t:		table
 * @name:	text name
 * @addr:	the dotted quad it must answer
 */
static void want_a(const struct dns_local *t, const char *name,
		   const char *addr)
{
	struct dns_local_result res;

	assert_int_equal(tl_dns_lookup(t, name, DNS_T_A, &res),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(res.n4, 1);
	assert_int_equal(res.a[0].s_addr, tl_ip4(addr));
}

/**
 * want_aaaa() - @name answers exactly one AAAA record, @addr, and no A
 * @t:		table
 * @name:	text name
 * @addr:	the IPv6 address it must answer, as text
 */
static void want_aaaa(const struct dns_local *t, const char *name,
		      const char *addr)
{
	struct dns_local_result res;
	struct in6_addr a6;

	assert_int_equal(inet_pton(AF_INET6, addr, &a6), 1);
	assert_int_equal(tl_dns_lookup(t, name, DNS_T_AAAA, &res),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(res.n6, 1);
	assert_memory_equal(&res.aaaa[0], &a6, sizeof(a6));
	assert_int_equal(tl_dns_lookup(t, name, DNS_T_A, &res),
			 DNS_LOCAL_ANSWER);
	assert_int_equal(res.n4, 0);
}

/**
 * want_miss() - @name is not local: the resolver answers it
 * @t:		table
 * @name:	text name
 */
static void want_miss(const struct dns_local *t, const char *name)
{
	struct dns_local_result res;

	assert_int_equal(tl_dns_lookup(t, name, DNS_T_A, &res), DNS_LOCAL_MISS);
}

/**
 * check_lima_table() - what the Lima bodies make a table answer
 * @t:		the table the Lima bodies filled
 */
static void check_lima_table(const struct dns_local *t)
{
	want_a(t, "guest.v4.test", "10.0.0.7");
	want_a(t, "GUEST.v4.Test.", "10.0.0.7");
	want_aaaa(t, "guest.v6.test", "fd00::7");
	want_a(t, "alias.test", "10.0.0.7");
	want_miss(t, "outside.test"); /* the resolver's */
	want_miss(t, "other.test");   /* not ours: Lima #3161 */
	want_a(t, "myhost", "10.0.0.9");
	want_a(t, "lima-default.internal", "192.168.104.4");
	want_a(t, "host.lima.internal", "192.168.104.2");
	/* Regexp records: searched in the name without the zone */
	want_a(t, "vm-12.vms.test", "10.0.1.1");
	want_a(t, "VM-3.vms.test", "10.0.1.1");
	want_a(t, "vm-x.vms.test", "10.0.1.99");   /* DefaultIP */
	want_a(t, "a.vm-1.vms.test", "10.0.1.99"); /* ^ anchors at "a" */
	want_aaaa(t, "v6-a.vms.test", "fd00::1:1");
	want_aaaa(t, "v6-a.b.vms.test", "fd00::1:1");
	want_miss(t, "up-1.vms.test");	    /* no address: the resolver's */
	want_a(t, "vms.test", "10.0.1.99"); /* the apex matches no Regexp */
}

/**
 * test_zone_lima() - the bodies Lima's hostagent posts fill a table that
 * answers as Lima expects, and read back the same as JSON
 * @state:	unused
 */
static void test_zone_lima(void **state)
{
	struct dns_local *t = dns_local_new(NULL), *t2 = dns_local_new(NULL);
	struct api_zone_req z, z2;
	char err[256], *text;
	json_t *j;
	size_t i;

	(void)state;
	assert_non_null(t);
	assert_non_null(t2);
	for (i = 0; i < sizeof(lima_bodies) / sizeof(lima_bodies[0]); i++) {
		assert_int_equal(zone(lima_bodies[i], &z), 0);
		api_zone_apply(&z, t);
		/* GET /services/dns/all and the state file read back */
		j = api_zone_json(&z);
		text = json_dumps(j, JSON_COMPACT);
		assert_non_null(text);
		assert_int_equal(
		    api_parse_zone(text, strlen(text), &z2, err, sizeof(err)),
		    0);
		api_zone_apply(&z2, t2);
		if (i == 0) /* nil Regexp omitted, nil IP null, IPv6 */
			assert_non_null(
			    strstr(text, "{\"Name\":\"outside\",\"IP\":null}"));
		if (i == 0)
			assert_non_null(strstr(text, "\"IP\":\"fd00::7\""));
		if (i == 3)
			assert_non_null(
			    strstr(text, "\"Regexp\":\"^vm-[0-9]+$\""));
		free(text);
		json_decref(j);
		api_zone_req_free(&z2);
		api_zone_req_free(&z);
	}
	check_lima_table(t);
	check_lima_table(t2);
	dns_local_free(t2);
	dns_local_free(t);
}

/**
 * test_zone_keys() - zone keys match in any letter case, as Go's encoding/json
 * does
 * @state:	unused
 */
static void test_zone_keys(void **state)
{
	struct api_zone_req z;
	json_t *j;

	(void)state;
	/* keys in any letter case, as Go's encoding/json matches them */
	assert_int_equal(zone("{\"name\":\"internal\",\"RECORDS\":[{\"name\":"
			      "\"a\",\"ip\":\"10.0.0.1\",\"regexp\":null}],"
			      "\"defaultip\":\"\"}",
			      &z),
			 0);
	assert_string_equal(z.name, "internal.");
	assert_int_equal(z.nrec, 1);
	assert_string_equal(z.rec[0].name, "a");
	assert_int_equal(z.rec[0].ip.v4.s_addr, tl_ip4("10.0.0.1"));
	api_zone_req_free(&z);
	/* the last of two keys that differ in case wins, as in Go */
	assert_int_equal(zone("{\"Name\":\"one\",\"NAME\":\"two\"}", &z), 0);
	assert_string_equal(z.name, "two.");
	api_zone_req_free(&z);
	/* an IPv4-mapped IPv6 address is IPv4 (Go's net.IP) */
	assert_int_equal(
	    zone("{\"Name\":\"x\",\"DefaultIP\":\"::ffff:10.0.0.2\"}", &z), 0);
	assert_int_equal(z.def.family, AF_INET);
	assert_int_equal(z.def.v4.s_addr, tl_ip4("10.0.0.2"));
	api_zone_req_free(&z);
	/* dns/all: "Records" null (Go's nil slice) or [] as it came */
	assert_int_equal(zone("{\"Name\":\"x\",\"Records\":[]}", &z), 0);
	j = api_zone_json(&z);
	assert_true(json_is_array(json_object_get(j, "Records")));
	json_decref(j);
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":\"x\"}", &z), 0);
	j = api_zone_json(&z);
	assert_true(json_is_null(json_object_get(j, "Records")));
	json_decref(j);
	api_zone_req_free(&z);
	/* an IPv6 DefaultIP */
	assert_int_equal(zone("{\"Name\":\"x\",\"DefaultIP\":\"fd00::2\"}", &z),
			 0);
	assert_int_equal(z.def.family, AF_INET6);
	api_zone_req_free(&z);
	/* a record with neither name nor Regexp is taken (it matches
	 * nothing, as in gvisor-tap-vsock) */
	assert_int_equal(
	    zone("{\"Name\":\"x\",\"Records\":[{\"IP\":\"1.2.3.4\"}]}", &z), 0);
	assert_int_equal(z.nrec, 1);
	api_zone_req_free(&z);
}

/**
 * test_wait_port() - wait-port parameters: IP, port and timeout (defaulted,
 * bounded); bad ones refused
 * @state:	unused
 */
static void test_wait_port(void **state)
{
	struct api_wait_req w;
	char err[128];

	(void)state;
	assert_int_equal(api_parse_wait_port("192.168.104.4", "22", "599", &w,
					     err, sizeof(err)),
			 0);
	assert_int_equal(w.ip.s_addr, tl_ip4("192.168.104.4"));
	assert_int_equal(w.port, 22);
	assert_int_equal(w.timeout_s, 599);
	assert_int_equal(
	    api_parse_wait_port("10.0.0.1", "80", NULL, &w, err, sizeof(err)),
	    0);
	assert_int_equal(w.timeout_s, API_WAIT_DEFAULT);
	assert_int_equal(
	    api_parse_wait_port(NULL, "22", "1", &w, err, sizeof(err)), BAD);
	assert_int_equal(
	    api_parse_wait_port("", "22", "1", &w, err, sizeof(err)), BAD);
	assert_int_equal(
	    api_parse_wait_port("10.0.0.1", NULL, "1", &w, err, sizeof(err)),
	    BAD);
	assert_int_equal(
	    api_parse_wait_port("10.0.0.1", "0", "1", &w, err, sizeof(err)),
	    BAD);
	assert_int_equal(
	    api_parse_wait_port("10.0.0.1", "22", "0", &w, err, sizeof(err)),
	    BAD);
	assert_int_equal(
	    api_parse_wait_port("10.0.0.1", "22", "-5", &w, err, sizeof(err)),
	    BAD);
	assert_int_equal(api_parse_wait_port("10.0.0.1", "22", "999999", &w,
					     err, sizeof(err)),
			 BAD);
	assert_int_equal(
	    api_parse_wait_port("host", "22", "1", &w, err, sizeof(err)), BAD);
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
	    cmocka_unit_test(test_hostport),  cmocka_unit_test(test_expose),
	    cmocka_unit_test(test_unexpose),  cmocka_unit_test(test_zone),
	    cmocka_unit_test(test_zone_lima), cmocka_unit_test(test_zone_keys),
	    cmocka_unit_test(test_wait_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
