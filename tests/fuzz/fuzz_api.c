/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_api.c - libFuzzer target for the control API's request parsers
 * (daemon/api_parse.c): every function there that takes a client's bytes.
 *
 * Each input is, at once: the body of POST /services/forwarder/expose,
 * /services/forwarder/unexpose, /services/dns/add and /capture/start; and,
 * split at NUL bytes, the query parameters ip, port and timeout of GET
 * /extension/wait_port (a missing piece is a missing parameter), an
 * "ADDR:PORT" for api_parse_hostport() and a zone and a record name for
 * api_zone_fqdn(). A zone that parses is applied to a dns_local table the
 * way daemon/api_dns.c does, and its records are looked up.
 *
 * Besides the sanitizers, it aborts when an invariant breaks: a refusal
 * without a message or with a status other than 400; an accepted request
 * whose fields are out of range or do not read back (an address and port
 * that do not parse again to the same values, a zone name without its
 * trailing dot, a record whose full name is not a DNS name, more records
 * than API_RECORDS_MAX); a record that is not found, with its address, in
 * the table it was applied to.
 *
 * api_parse.c needs the value parsers of daemon/options_value.c
 * (cfg_parse_int(), cfg_parse_hostport()).
 *
 * fuzz-sources: daemon/api_parse.c daemon/options_value.c
 * fuzz-sources: base/log.c
 * fuzz-sources: base/xalloc.c
 * fuzz-sources: services/dns/codec.c services/dns/build.c services/dns/local.c
 * fuzz-sources: services/dns/regexp.c
 * fuzz-sources: daemon/limayaml.c
 * fuzz-sources: daemon/networksyaml.c daemon/yamlutil.c lan/leases.c
 * fuzz-sources: daemon/lima.c
 * fuzz-libs: -ljansson -lyaml
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/api.h"
#include "services/dns/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
 * fz_refused() - a refusal carries status 400 and a message
 * @rc:		what the parser returned
 * @err:	its message buffer
 * @errlen:	its size
 *
 * Return: 1 if refused, 0 if accepted
 */
static int fz_refused(int rc, const char *err, size_t errlen)
{
	if (!rc)
		return 0;
	fz_require(rc == 400, "refusals are 400");
	fz_require(memchr(err, 0, errlen) && *err, "refusal has a message");
	return 1;
}

/**
 * fz_hostport_back() - "ADDR:PORT" parses back to the same values
 * @a:		address
 * @port:	port
 */
static void fz_hostport_back(struct gw_addr a, uint16_t port)
{
	char s[GW_ADDR_TEXT + 8], t[INET6_ADDRSTRLEN];
	struct gw_addr a2;
	uint16_t p2;

	fz_require(port >= 1, "port 1 to 65535");
	fz_require(a.family == AF_INET || a.family == AF_INET6, "family");
	inet_ntop(a.family, a.family == AF_INET ? (void *)&a.v4 : (void *)&a.v6,
		  t, sizeof(t));
	snprintf(s, sizeof(s), a.family == AF_INET ? "%s:%u" : "[%s]:%u", t,
		 port);
	fz_require(
	    !api_parse_hostport(s, 0, &a2, &p2) && a2.family == a.family &&
		(a.family == AF_INET ? a2.v4.s_addr == a.v4.s_addr
				     : !memcmp(&a2.v6, &a.v6, sizeof(a.v6))) &&
		p2 == port,
	    "address and port read back");
}

/**
 * fz_fwd() - expose and unexpose bodies
 * @body:	the input
 * @len:	its length
 */
static void fz_fwd(const char *body, size_t len)
{
	struct api_fwd_req r;
	char err[256];

	memset(err, 0, sizeof(err));
	if (!fz_refused(api_parse_expose(body, len, &r, err, sizeof(err)), err,
			sizeof(err))) {
		fz_require(r.proto <= API_UNIX, "protocol");
		fz_require(r.local[0] &&
			       memchr(r.local, 0, sizeof(r.local)) != NULL,
			   "local set");
		fz_require(memchr(r.remote, 0, sizeof(r.remote)) != NULL,
			   "remote terminated");
		fz_hostport_back(r.gaddr, r.gport);
		if (r.proto == API_UNIX)
			fz_require(r.local[0] == '/', "unix local is a path");
		else
			fz_hostport_back(r.haddr, r.hport);
	}
	memset(err, 0, sizeof(err));
	if (!fz_refused(api_parse_unexpose(body, len, &r, err, sizeof(err)),
			err, sizeof(err))) {
		fz_require(r.local[0], "local set");
		if (r.proto != API_UNIX)
			fz_hostport_back(r.haddr, r.hport);
	}
}

/**
 * fz_wire_lower() - a text name in lower-case wire form
 * @text:	the name
 * @wire:	DNS_NAME_MAX bytes
 *
 * Return: its length, or -1
 */
static int fz_wire_lower(const char *text, uint8_t *wire)
{
	int n = dns_name_from_text(text, wire, DNS_NAME_MAX), i;

	for (i = 0; i < n; i++)
		wire[i] = (uint8_t)tolower(wire[i]);
	return n;
}

/**
 * fz_zone() - a dns/add body, applied to a table as daemon/api_dns.c does
 * @body:	the input
 * @len:	its length
 */
static void fz_zone(const char *body, size_t len)
{
	struct in_addr gw = {htonl(0xc0a80502)};
	uint8_t w[DNS_NAME_MAX], w2[DNS_NAME_MAX];
	char fqdn[API_NAME_MAX * 2], f2[API_NAME_MAX * 2];
	struct dns_local_result res;
	struct api_zone_req z;
	struct dns_local *t;
	size_t i, j, last;
	char err[256];
	int n;

	memset(err, 0, sizeof(err));
	if (fz_refused(api_parse_zone(body, len, &z, err, sizeof(err)), err,
		       sizeof(err))) {
		api_zone_req_free(&z);
		return;
	}
	n = (int)strlen(z.name);
	fz_require(n >= 1 && z.name[n - 1] == '.', "zone name ends in a dot");
	fz_require(z.nrec <= API_RECORDS_MAX, "records bounded");
	t = dns_local_new(&gw);
	fz_require(t != NULL, "table");
	api_zone_apply(&z, t);
	for (i = 0; i < z.nrec; i++) {
		if (!z.rec[i].name[0])
			continue;
		fz_require(
		    !api_zone_fqdn(z.name, z.rec[i].name, fqdn, sizeof(fqdn)),
		    "record name valid");
		fz_require(fz_wire_lower(fqdn, w) > 0, "record wire name");
		/* the last record of the same name wins */
		for (last = i, j = i + 1; j < z.nrec; j++) {
			if (!z.rec[j].name[0])
				continue;
			api_zone_fqdn(z.name, z.rec[j].name, f2, sizeof(f2));
			if (fz_wire_lower(f2, w2) > 0 &&
			    dns_name_len(w2) == dns_name_len(w) &&
			    !memcmp(w, w2, dns_name_len(w)))
				last = j;
		}
		dns_local_lookup(t, w, DNS_T_A, &res);
		if (z.rec[last].ip.family == AF_INET)
			fz_require(
			    res.status == DNS_LOCAL_ANSWER && res.n4 == 1 &&
				res.a[0].s_addr == z.rec[last].ip.v4.s_addr,
			    "record answers with its address");
		else if (z.rec[last].ip.family == AF_INET6)
			fz_require(res.status == DNS_LOCAL_ANSWER &&
				       res.n4 == 0,
				   "IPv6 record answers no A");
		else
			fz_require(res.status == DNS_LOCAL_MISS,
				   "record without an address: resolver");
	}
	dns_local_free(t);
	api_zone_req_free(&z);
}

/**
 * fz_capture() - a capture/start body
 * @body:	the input
 * @len:	its length
 */
static void fz_capture(const char *body, size_t len)
{
	struct api_capture_req r;
	char err[256];

	memset(err, 0, sizeof(err));
	if (fz_refused(api_parse_capture(body, len, &r, err, sizeof(err)), err,
		       sizeof(err)))
		return;
	fz_require(r.file[0] && memchr(r.file, 0, sizeof(r.file)) &&
		       memchr(r.filter, 0, sizeof(r.filter)) &&
		       memchr(r.port, 0, sizeof(r.port)),
		   "capture fields set and terminated");
	fz_require(r.snaplen >= 0 && r.snaplen <= 262144, "snaplen range");
}

/**
 * fz_strings() - the input split at NUL bytes: query parameters, an
 * address and port, names
 * @data:	the input
 * @size:	its length
 */
static void fz_strings(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *s[3] = {NULL, NULL, NULL};
	struct api_wait_req w;
	char fqdn[API_NAME_MAX * 2], err[256];
	struct gw_addr a;
	uint16_t port;
	size_t off = 0;
	int i;

	fz_require(buf != NULL, "malloc");
	memcpy(buf, data, size);
	buf[size] = 0;
	for (i = 0; i < 3 && off <= size; i++) {
		s[i] = buf + off;
		off += strlen(buf + off) + 1;
	}
	memset(err, 0, sizeof(err));
	if (!fz_refused(
		api_parse_wait_port(s[0], s[1], s[2], &w, err, sizeof(err)),
		err, sizeof(err))) {
		fz_require(w.port >= 1, "wait port");
		fz_require(w.timeout_s >= 1 && w.timeout_s <= API_WAIT_MAX,
			   "wait timeout");
	}
	for (i = 0; i < 2; i++)
		if (!api_parse_hostport(s[0], i, &a, &port) &&
		    (i == 0 || s[0][0] != ':'))
			fz_hostport_back(a, port);
	if (s[1] && !api_zone_fqdn(s[0], s[1], fqdn, sizeof(fqdn))) {
		uint8_t wire[DNS_NAME_MAX];

		fz_require(memchr(fqdn, 0, sizeof(fqdn)) != NULL &&
			       dns_name_from_text(fqdn, wire, sizeof(wire)) > 0,
			   "fqdn is a name");
	}
	free(buf);
}

/**
 * LLVMFuzzerTestOneInput() - one input, read by every parser
 * @data:	bytes
 * @size:	how many
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;

	if (size > API_BODY_MAX)
		return 0; /* the daemon answers 413 first */
	fz_fwd(body, size);
	fz_zone(body, size);
	fz_capture(body, size);
	fz_strings(data, size);
	return 0;
}
