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

#include "../../daemon/api.h"

/* Expose/unexpose/zone parsers return 0 or this status. */
#define BAD 400

/**
 * ip() - an IPv4 address in network order
 */
static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/**
 * expose() - api_parse_expose() of a C string
 */
static int expose(const char *body, struct api_fwd_req *r)
{
	char err[256] = "";
	int rc = api_parse_expose(body, strlen(body), r, err, sizeof(err));

	assert_true(rc == 0 || *err);
	return rc;
}

static void test_hostport(void **state)
{
	struct in_addr a;
	uint16_t p;

	(void)state;
	assert_int_equal(api_parse_hostport("127.0.0.1:60022", 0, &a, &p), 0);
	assert_int_equal(a.s_addr, ip("127.0.0.1"));
	assert_int_equal(p, 60022);
	assert_int_equal(api_parse_hostport(":22", 1, &a, &p), 0);
	assert_int_equal(a.s_addr, 0);
	assert_int_equal(api_parse_hostport(":22", 0, &a, &p), -1);
	assert_int_equal(api_parse_hostport("1.2.3.4", 0, &a, &p), -1);
	assert_int_equal(api_parse_hostport("1.2.3.4:0", 0, &a, &p), -1);
	assert_int_equal(api_parse_hostport("1.2.3.4:65536", 0, &a, &p), -1);
	assert_int_equal(api_parse_hostport("1.2.3.4:22x", 0, &a, &p), -1);
	assert_int_equal(api_parse_hostport("host:22", 0, &a, &p), -1);
	assert_int_equal(api_parse_hostport("[::1]:22", 0, &a, &p), -1);
	assert_int_equal(
	    api_parse_hostport("1111111111111111111111.1.1.1:22", 0, &a, &p),
	    -1);
}

static void test_expose(void **state)
{
	struct api_fwd_req r;

	(void)state;
	assert_int_equal(expose("{\"local\":\"127.0.0.1:60022\",\"remote\":"
				"\"192.168.104.4:22\",\"protocol\":\"tcp\"}",
				&r),
			 0);
	assert_int_equal(r.proto, API_TCP);
	assert_string_equal(r.local, "127.0.0.1:60022");
	assert_string_equal(r.remote, "192.168.104.4:22");
	assert_int_equal(r.haddr.s_addr, ip("127.0.0.1"));
	assert_int_equal(r.hport, 60022);
	assert_int_equal(r.gaddr.s_addr, ip("192.168.104.4"));
	assert_int_equal(r.gport, 22);
	/* protocol defaults to tcp; unknown fields are ignored */
	assert_int_equal(
	    expose("{\"local\":\":8080\",\"remote\":\"10.0.0.4:80\","
		   "\"extra\":[1]}",
		   &r),
	    0);
	assert_int_equal(r.proto, API_TCP);
	assert_int_equal(r.haddr.s_addr, 0);
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
	assert_int_equal(
	    expose("{\"local\":\"127.0.0.1:1\",\"remote\":\":22\"}", &r), BAD);
	assert_int_equal(expose("{\"local\":\"127.0.0.1:1\"}", &r), BAD);
	assert_int_equal(expose("{\"remote\":\"10.0.0.4:22\"}", &r), BAD);
	assert_int_equal(expose("{\"local\":1,\"remote\":\"10.0.0.4:22\"}", &r),
			 BAD);
	assert_int_equal(expose("{\"local\":\"127.0.0.1:1\",\"remote\":"
				"\"10.0.0.4:22\",\"protocol\":\"sctp\"}",
				&r),
			 BAD);
	assert_int_equal(expose("{\"local\":\"127.0.0.1:1\",\"remote\":"
				"\"10.0.0.4:22\",\"protocol\":7}",
				&r),
			 BAD);
	assert_int_equal(
	    expose("{\"local\":\"\",\"remote\":\"10.0.0.4:22\"}", &r), BAD);
	assert_int_equal(expose("{\"local\":\"rel.sock\",\"remote\":"
				"\"10.0.0.4:22\",\"protocol\":\"unix\"}",
				&r),
			 BAD);
	assert_int_equal(expose("{\"local\":\"127.0.0.1:1\",\"remote\":"
				"\"10.0.0.4:99999\"}",
				&r),
			 BAD);
	assert_int_equal(expose("{bad json", &r), BAD);
	assert_int_equal(expose("[1,2]", &r), BAD);
	assert_int_equal(expose("", &r), BAD);
	assert_int_equal(expose("\"string\"", &r), BAD);
}

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
	b = "{\"protocol\":\"tcp\"}";
	assert_int_equal(api_parse_unexpose(b, strlen(b), &r, err, sizeof(err)),
			 BAD);
	b = "{\"local\":\"x:y\"}";
	assert_int_equal(api_parse_unexpose(b, strlen(b), &r, err, sizeof(err)),
			 BAD);
}

/**
 * zone() - api_parse_zone() of a C string
 */
static int zone(const char *body, struct api_zone_req *z)
{
	char err[256] = "";
	int rc = api_parse_zone(body, strlen(body), z, err, sizeof(err));

	assert_true(rc == 0 || *err);
	return rc;
}

static void test_zone(void **state)
{
	struct api_zone_req z;
	char fqdn[300];

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
	assert_int_equal(z.rec[0].ip.s_addr, ip("192.168.104.4"));
	assert_string_equal(z.rec[1].name, "host.lima");
	assert_int_equal(z.has_def, 0);
	api_zone_req_free(&z);

	/* no trailing dot, no records, a default address */
	assert_int_equal(
	    zone("{\"Name\":\"test\",\"DefaultIP\":\"10.1.2.3\"}", &z), 0);
	assert_string_equal(z.name, "test.");
	assert_int_equal(z.nrec, 0);
	assert_int_equal(z.has_def, 1);
	assert_int_equal(z.def.s_addr, ip("10.1.2.3"));
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":\"test\",\"DefaultIP\":\"\"}", &z), 0);
	assert_int_equal(z.has_def, 0);
	api_zone_req_free(&z);

	/* refused */
	assert_int_equal(zone("{\"Records\":[]}", &z), BAD);
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":\"\"}", &z), BAD);
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":\"a..b\"}", &z), BAD);
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":5}", &z), BAD);
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":\"x\",\"Records\":{}}", &z), BAD);
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":\"x\",\"Records\":[5]}", &z), BAD);
	api_zone_req_free(&z);
	assert_int_equal(
	    zone("{\"Name\":\"x\",\"Records\":[{\"Name\":\"a\"}]}", &z), BAD);
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":\"x\",\"Records\":[{\"Name\":\"a\","
			      "\"IP\":\"fd00::1\"}]}",
			      &z),
			 BAD);
	api_zone_req_free(&z);
	assert_int_equal(
	    zone("{\"Name\":\"x\",\"Records\":[{\"IP\":\"1.2.3.4\","
		 "\"Regexp\":\".*\"}]}",
		 &z),
	    BAD);
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":\"x\",\"DefaultIP\":\"nope\"}", &z),
			 BAD);
	api_zone_req_free(&z);
	assert_int_equal(zone("{\"Name\":\"x\",\"DefaultIP\":[]}", &z), BAD);
	api_zone_req_free(&z);
	assert_int_equal(zone("nope", &z), BAD);
	api_zone_req_free(&z);

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

static void test_wait_port(void **state)
{
	struct api_wait_req w;
	char err[128];

	(void)state;
	assert_int_equal(api_parse_wait_port("192.168.104.4", "22", "599", &w,
					     err, sizeof(err)),
			 0);
	assert_int_equal(w.ip.s_addr, ip("192.168.104.4"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hostport),  cmocka_unit_test(test_expose),
	    cmocka_unit_test(test_unexpose),  cmocka_unit_test(test_zone),
	    cmocka_unit_test(test_wait_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
