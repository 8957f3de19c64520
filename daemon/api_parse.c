/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_parse.c - the control API's request validation, as pure functions:
 * JSON bodies (jansson) and query parameters in, a filled request struct
 * or an HTTP status with a message out. Nothing here touches the daemon,
 * so tests/unit/test_api.c checks every rule directly.
 *
 * Field names and defaults follow gvisor-tap-vsock: keys match in any
 * letter case and unknown ones are ignored (Go's encoding/json does both;
 * of two keys that differ in case only, the last one wins, as in Go), a
 * missing "protocol" means tcp, a null or empty "IP" or "DefaultIP" means
 * none, an address may be IPv4 or IPv6 (net.IP), and "Regexp" is a
 * pattern string (Go's *regexp.Regexp marshals as one) or null.
 *
 * What a zone request means to a names table is here too
 * (api_zone_apply()), so the fuzzer checks the same code the daemon runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "daemon/api.h"
#include "base/log.h"
#include "daemon/options.h"
#include "services/dns/dns.h"

#define API_BAD 400

_Static_assert(API_REGEXP_MAX == DNS_LOCAL_REGEXP_LEN,
	       "a Regexp the API takes fits the names table");

/**
 * api_parse_hostport() - parse "A.B.C.D:PORT" or "[IPV6]:PORT", as Go's
 * net.SplitHostPort writes them (no zone: it names a host interface)
 * @s:			the text
 * @empty_host_ok:	":PORT" is allowed and means 0.0.0.0
 * @addr:		set to the address
 * @port:		set to the port, 1 to 65535
 *
 * Return: 0, or -1 if @s is not such an address
 */
int api_parse_hostport(const char *s, int empty_host_ok, struct gw_addr *addr,
		       uint16_t *port)
{
	char why[96];

	return cfg_parse_hostport(s, empty_host_ok, addr, port, why,
				  sizeof(why));
}

/**
 * api_load() - parse a body that must be a JSON object
 * @body:	bytes
 * @len:	how many
 * @err:	message on failure
 * @errlen:	its size
 *
 * Return: the object (json_decref() it), or NULL
 */
static json_t *api_load(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loadb(body, len, 0, &je);

	if (!j) {
		snprintf(err, errlen, "malformed JSON: %s (line %d column %d)",
			 je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		snprintf(err, errlen, "the body must be a JSON object");
		json_decref(j);
		return NULL;
	}
	return j;
}

/**
 * api_get() - a member of an object, its key matched in any letter case
 * @o:		object
 * @key:	member name
 *
 * Go's encoding/json matches a key to a field case-insensitively (ASCII
 * here; Go also folds a few Unicode letters such as the Kelvin sign) and
 * lets a later key overwrite an earlier one: the last match wins.
 *
 * Return: the member (borrowed), or NULL
 */
static json_t *api_get(json_t *o, const char *key)
{
	json_t *v, *found = NULL;
	const char *k;

	json_object_foreach(o, k, v)
	{
		if (!strcasecmp(k, key))
			found = v;
	}
	return found;
}

/**
 * api_get_string() - a string member of an object
 * @o:		object
 * @key:	member name
 * @required:	missing is an error (else it reads as "")
 * @out:	the value, valid while @o lives
 * @err:	message on failure
 * @errlen:	its size
 *
 * Return: 0, or -1 (wrong type, or missing and @required)
 */
static int api_get_string(json_t *o, const char *key, int required,
			  const char **out, char *err, size_t errlen)
{
	json_t *v = api_get(o, key);

	if (!v || json_is_null(v)) {
		if (required) {
			snprintf(err, errlen, "missing field \"%s\"", key);
			return -1;
		}
		*out = "";
		return 0;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "field \"%s\" must be a string", key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/**
 * api_parse_proto() - "tcp", "udp" or "unix"; "" means tcp
 * @s:		"protocol" as given
 * @p:		set on success
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message
 */
static int api_parse_proto(const char *s, enum api_proto *p, char *err,
			   size_t errlen)
{
	if (!*s || !strcmp(s, "tcp"))
		*p = API_TCP;
	else if (!strcmp(s, "udp"))
		*p = API_UDP;
	else if (!strcmp(s, "unix"))
		*p = API_UNIX;
	else {
		snprintf(err, errlen,
			 "protocol \"%.32s\": expected tcp, udp or unix", s);
		return -1;
	}
	return 0;
}

/**
 * api_parse_local() - the "local" side of a forward
 * @local:	"local" as given: "ADDR:PORT", or a socket path for unix
 * @r:		the request: @r->proto read, its host side set
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message
 */
static int api_parse_local(const char *local, struct api_fwd_req *r, char *err,
			   size_t errlen)
{
	if (strlen(local) >= sizeof(r->local)) {
		snprintf(err, errlen, "local \"%.32s...\" is too long", local);
		return -1;
	}
	strcpy(r->local, local);
	if (r->proto == API_UNIX) {
		if (local[0] != '/') {
			snprintf(err, errlen,
				 "local \"%s\": a unix forward needs an "
				 "absolute socket path",
				 local);
			return -1;
		}
		return 0;
	}
	if (api_parse_hostport(local, 1, &r->haddr, &r->hport)) {
		snprintf(
		    err, errlen,
		    "local \"%s\": expected IPV4ADDR:PORT, [IPV6ADDR]:PORT "
		    "or :PORT",
		    local);
		return -1;
	}
	return 0;
}

/**
 * api_parse_fwd() - the fields shared by expose and unexpose
 * @j:		request object
 * @r:		filled
 * @err:	message on failure
 * @errlen:	its size
 *
 * Return: 0, or -1
 */
static int api_parse_fwd(json_t *j, struct api_fwd_req *r, char *err,
			 size_t errlen)
{
	const char *proto, *local;

	memset(r, 0, sizeof(*r));
	if (api_get_string(j, "protocol", 0, &proto, err, errlen) ||
	    api_parse_proto(proto, &r->proto, err, errlen) ||
	    api_get_string(j, "local", 1, &local, err, errlen))
		return -1;
	if (!*local) {
		snprintf(err, errlen, "field \"local\" is empty");
		return -1;
	}
	return api_parse_local(local, r, err, errlen);
}

/**
 * api_parse_expose() - a POST /services/forwarder/expose body
 * @body:	JSON {"local","remote","protocol"}
 * @len:	its length
 * @r:		the request, on success
 * @err:	message on failure
 * @errlen:	its size
 *
 * "remote" is "IP:PORT", an IPv6 address in brackets: an empty host
 * (":22") means "the guest that asked", which the daemon cannot know.
 * A forward may join a local address of one family to a remote of the
 * other (the gateway relays it).
 * A refusal names the local and remote addresses as given.
 *
 * Return: 0, or 400 with a message in @err
 */
int api_parse_expose(const char *body, size_t len, struct api_fwd_req *r,
		     char *err, size_t errlen)
{
	const char *remote;
	json_t *j = api_load(body, len, err, errlen);
	int rc = API_BAD;

	if (!j)
		return API_BAD;
	if (api_parse_fwd(j, r, err, errlen) ||
	    api_get_string(j, "remote", 1, &remote, err, errlen))
		goto out;
	if (strlen(remote) >= sizeof(r->remote) ||
	    api_parse_hostport(remote, 0, &r->gaddr, &r->gport)) {
		snprintf(err, errlen,
			 "remote \"%.64s\": expected GUESTIPV4:PORT or "
			 "[GUESTIPV6]:PORT (the guest's address cannot be left "
			 "out)",
			 remote);
		goto out;
	}
	if (r->proto == API_UNIX && r->gaddr.family != AF_INET) {
		snprintf(err, errlen,
			 "remote \"%.64s\": a unix forward reaches a guest's "
			 "IPv4 address",
			 remote);
		goto out;
	}
	strcpy(r->remote, remote);
	rc = 0;
out:
	json_decref(j);
	return rc;
}

/**
 * api_parse_unexpose() - a POST /services/forwarder/unexpose body
 * @body:	JSON {"local","protocol"}
 * @len:	its length
 * @r:		the request, on success
 * @err:	message on failure
 * @errlen:	its size
 *
 * Return: 0, or 400 with a message in @err
 */
int api_parse_unexpose(const char *body, size_t len, struct api_fwd_req *r,
		       char *err, size_t errlen)
{
	json_t *j = api_load(body, len, err, errlen);
	int rc;

	if (!j)
		return API_BAD;
	rc = api_parse_fwd(j, r, err, errlen) ? API_BAD : 0;
	json_decref(j);
	return rc;
}

/**
 * api_zone_fqdn() - the full name of a record of a zone
 * @zone:	zone name, "internal." or "." (records are full names)
 * @rec:	record name, "lima-default"
 * @out:	"lima-default.internal."
 * @outlen:	its size
 *
 * Return: 0, or -1 if the result is not a valid DNS name
 */
int api_zone_fqdn(const char *zone, const char *rec, char *out, size_t outlen)
{
	uint8_t wire[DNS_NAME_MAX];
	int n;

	if (!strcmp(zone, "."))
		n = snprintf(out, outlen, "%s", rec);
	else
		n = snprintf(out, outlen, "%s.%s", rec, zone);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return dns_name_from_text(out, wire, sizeof(wire)) < 0 ? -1 : 0;
}

/**
 * api_parse_ip_field() - an address member; null or "" is none
 * @o:		object
 * @key:	member name
 * @ip:		the address (family 0 if none)
 * @err:	message on failure
 * @errlen:	its size
 *
 * As Go's net.IP: IPv4 or IPv6, an IPv4-mapped IPv6 address being IPv4.
 *
 * Return: 0, or -1 on error
 */
static int api_parse_ip_field(json_t *o, const char *key, struct api_ip *ip,
			      char *err, size_t errlen)
{
	const char *s;

	memset(ip, 0, sizeof(*ip));
	if (api_get_string(o, key, 0, &s, err, errlen))
		return -1;
	if (!*s)
		return 0;
	if (inet_pton(AF_INET, s, &ip->v4) == 1) {
		ip->family = AF_INET;
	} else if (inet_pton(AF_INET6, s, &ip->v6) == 1) {
		ip->family = AF_INET6;
		if (IN6_IS_ADDR_V4MAPPED(&ip->v6)) {
			memcpy(&ip->v4, ip->v6.s6_addr + 12, 4);
			memset(&ip->v6, 0, sizeof(ip->v6));
			ip->family = AF_INET;
		}
	} else {
		snprintf(err, errlen, "%s \"%.64s\" is not an IP address", key,
			 s);
		return -1;
	}
	return 0;
}

/**
 * api_ip_text() - an address as net.IP marshals it
 * @ip:		the address
 * @buf:	room for it
 * @len:	its size, INET6_ADDRSTRLEN or more
 *
 * Return: @buf, or NULL if there is no address
 */
const char *api_ip_text(const struct api_ip *ip, char *buf, size_t len)
{
	if (!ip->family)
		return NULL;
	return inet_ntop(ip->family,
			 ip->family == AF_INET ? (const void *)&ip->v4
					       : (const void *)&ip->v6,
			 buf, (socklen_t)len);
}

/**
 * api_parse_regexp() - the "Regexp" member of a record
 * @v:		the record
 * @rec:	filled: has_re and regexp
 * @err:	message on failure
 * @errlen:	its size
 *
 * null or missing is none; a string is a pattern ("" included: Go
 * compiles it to one that matches every name).
 *
 * Return: 0, or -1 with a message
 */
static int api_parse_regexp(json_t *v, struct api_record *rec, char *err,
			    size_t errlen)
{
	json_t *re = api_get(v, "Regexp");
	char why[160];

	if (!re || json_is_null(re))
		return 0;
	if (!json_is_string(re)) {
		snprintf(err, errlen, "field \"Regexp\" must be a string");
		return -1;
	}
	if (dns_regexp_check(json_string_value(re), why, sizeof(why))) {
		snprintf(err, errlen, "Regexp \"%.64s\": %s",
			 json_string_value(re), why);
		return -1;
	}
	rec->has_re = 1;
	snprintf(rec->regexp, sizeof(rec->regexp), "%s", json_string_value(re));
	return 0;
}

/**
 * api_parse_record() - one member of "Records"
 * @zone:	zone name, trailing dot
 * @v:		the member
 * @rec:	filled
 * @err:	message on failure
 * @errlen:	its size
 *
 * gvisor-tap-vsock takes any record: "Name" may be missing or "" (only a
 * Regexp then matches, or nothing), "IP" may be null (Lima posts a name
 * that points outside its hosts map so).  A name must be a valid DNS
 * name under the zone.
 *
 * Return: 0, or -1
 */
static int api_parse_record(const char *zone, json_t *v, struct api_record *rec,
			    char *err, size_t errlen)
{
	char fqdn[API_NAME_MAX * 2];
	const char *name;

	if (!json_is_object(v)) {
		snprintf(err, errlen, "each of \"Records\" must be an object");
		return -1;
	}
	if (api_parse_regexp(v, rec, err, errlen) ||
	    api_get_string(v, "Name", 0, &name, err, errlen))
		return -1;
	if (*name && (strlen(name) >= sizeof(rec->name) ||
		      api_zone_fqdn(zone, name, fqdn, sizeof(fqdn)))) {
		snprintf(err, errlen, "record name \"%.64s\" is not valid",
			 name);
		return -1;
	}
	strcpy(rec->name, name);
	return api_parse_ip_field(v, "IP", &rec->ip, err, errlen);
}

/**
 * api_parse_zone_name() - "Name" of a zone, stored with a trailing dot
 * @j:		the request object
 * @z:		the zone: its name set
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message
 */
static int api_parse_zone_name(json_t *j, struct api_zone_req *z, char *err,
			       size_t errlen)
{
	uint8_t wire[DNS_NAME_MAX];
	const char *name;
	size_t n;

	if (api_get_string(j, "Name", 1, &name, err, errlen))
		return -1;
	n = strlen(name);
	if (!n || n + 2 > sizeof(z->name) ||
	    dns_name_from_text(name, wire, sizeof(wire)) < 0) {
		snprintf(err, errlen, "zone name \"%.64s\" is not valid", name);
		return -1;
	}
	snprintf(z->name, sizeof(z->name), "%s%s", name,
		 name[n - 1] == '.' ? "" : ".");
	return 0;
}

/**
 * api_parse_records() - "Records": an array of records, may be absent
 * @j:		the request object
 * @z:		the zone: its records set (malloc'd)
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message
 */
static int api_parse_records(json_t *j, struct api_zone_req *z, char *err,
			     size_t errlen)
{
	json_t *recs = api_get(j, "Records"), *v;
	size_t nre = 0;
	size_t i;

	if (!recs || json_is_null(recs)) {
		z->nil_records = 1;
		return 0;
	}
	if (!json_is_array(recs)) {
		snprintf(err, errlen, "field \"Records\" must be an array");
		return -1;
	}
	if (json_array_size(recs) > API_RECORDS_MAX) {
		snprintf(err, errlen, "more than %d records", API_RECORDS_MAX);
		return -1;
	}
	z->rec = calloc(json_array_size(recs) + 1, sizeof(*z->rec));
	if (!z->rec) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < json_array_size(recs); i++) {
		v = json_array_get(recs, i);

		if (api_parse_record(z->name, v, &z->rec[i], err, errlen))
			return -1;
		nre += z->rec[i].has_re;
		z->nrec++;
	}
	if (nre > DNS_LOCAL_REGEXPS_MAX) {
		snprintf(err, errlen, "more than %d Regexp records",
			 DNS_LOCAL_REGEXPS_MAX);
		return -1;
	}
	return 0;
}

/**
 * api_parse_zone() - a POST /services/dns/add body
 * @body:	JSON {"Name":"internal.","Records":[{"Name","IP","Regexp"}],
 *		"DefaultIP":null}, keys in any letter case
 * @len:	its length
 * @z:		the zone, on success (api_zone_req_free() it in any case)
 * @err:	message on failure
 * @errlen:	its size
 *
 * Return: 0, or 400 with a message in @err
 */
int api_parse_zone(const char *body, size_t len, struct api_zone_req *z,
		   char *err, size_t errlen)
{
	json_t *j = api_load(body, len, err, errlen);
	int rc = API_BAD;

	memset(z, 0, sizeof(*z));
	if (!j)
		return API_BAD;
	if (api_parse_zone_name(j, z, err, errlen) ||
	    api_parse_records(j, z, err, errlen))
		goto out;
	if (api_parse_ip_field(j, "DefaultIP", &z->def, err, errlen))
		goto out;
	rc = 0;
out:
	json_decref(j);
	return rc;
}

/**
 * api_zone_req_free() - free what api_parse_zone() allocated
 * @z:		the zone request; its records are freed and cleared
 */
void api_zone_req_free(struct api_zone_req *z)
{
	free(z->rec);
	z->rec = NULL;
	z->nrec = 0;
}

/**
 * api_ip_v4() - the IPv4 address of an api_ip, or NULL
 * @ip:		the address
 *
 * Return: its IPv4 address, or NULL if it has none
 */
static const struct in_addr *api_ip_v4(const struct api_ip *ip)
{
	return ip->family == AF_INET ? &ip->v4 : NULL;
}

/**
 * api_ip_v6() - the IPv6 address of an api_ip, or NULL
 * @ip:		the address
 *
 * Return: its IPv6 address, or NULL if it has none
 */
static const struct in6_addr *api_ip_v6(const struct api_ip *ip)
{
	return ip->family == AF_INET6 ? &ip->v6 : NULL;
}

/**
 * api_zone_apply() - put a zone and its records into a names table
 * @z:		zone (parsed by api_parse_zone(), or merged from several)
 * @t:		table (a network's, or the host ports'), or NULL
 *
 * A named record answers its address (A or AAAA), or, without one, is
 * left to the resolver even under a DefaultIP; a Regexp record becomes a
 * pattern of the zone (tried in the records' order).  A record with both
 * a name and a Regexp is both.  Failures (a full table) are logged.
 */
void api_zone_apply(const struct api_zone_req *z, struct dns_local *t)
{
	char fqdn[API_NAME_MAX * 2];
	const struct api_record *r;
	size_t i;
	int rc;

	if (!t)
		return;
	if (dns_local_zone_set(t, z->name, api_ip_v4(&z->def),
			       api_ip_v6(&z->def))) {
		log_warn("api: zone %s", z->name);
		return;
	}
	for (i = 0; i < z->nrec; i++) {
		r = &z->rec[i];
		if (r->has_re && dns_local_zone_add_regexp(
				     t, z->name, r->regexp, api_ip_v4(&r->ip),
				     api_ip_v6(&r->ip)))
			log_warn("api: zone %s: Regexp %s", z->name, r->regexp);
		if (!r->name[0] ||
		    api_zone_fqdn(z->name, r->name, fqdn, sizeof(fqdn)))
			continue;
		if (r->ip.family)
			rc = dns_local_set_addrs(
			    t, fqdn, api_ip_v4(&r->ip), r->ip.family == AF_INET,
			    api_ip_v6(&r->ip), r->ip.family == AF_INET6);
		else
			rc = dns_local_set_resolve(t, fqdn);
		if (rc)
			log_warn("api: name %s", fqdn);
	}
}

/**
 * api_zone_json() - a zone as gvisor-tap-vsock's GET /services/dns/all
 * shows it: {"Name","Records":[{"Name","IP","Regexp"}],"DefaultIP"},
 * "Regexp" only when set (its omitempty), an address null when none
 * @z:		zone
 *
 * Return: a new JSON object; api_parse_zone() reads it back as it was
 */
json_t *api_zone_json(const struct api_zone_req *z)
{
	char buf[INET6_ADDRSTRLEN];
	json_t *recs = json_array(), *r;
	const char *ip;
	size_t k;

	for (k = 0; k < z->nrec; k++) {
		ip = api_ip_text(&z->rec[k].ip, buf, sizeof(buf));
		r = json_pack("{s:s,s:o}", "Name", z->rec[k].name, "IP",
			      ip ? json_string(ip) : json_null());
		if (z->rec[k].has_re)
			json_object_set_new(r, "Regexp",
					    json_string(z->rec[k].regexp));
		json_array_append_new(recs, r);
	}
	if (z->nil_records && !z->nrec) { /* Go's nil slice: what Lima posts */
		json_decref(recs);
		recs = json_null();
	}
	ip = api_ip_text(&z->def, buf, sizeof(buf));
	return json_pack("{s:s,s:o,s:o}", "Name", z->name, "Records", recs,
			 "DefaultIP", ip ? json_string(ip) : json_null());
}

/**
 * api_parse_wait_port() - the query of GET /extension/wait_port
 * @ip:		"ip" parameter, or NULL if missing
 * @port:	"port" parameter, or NULL
 * @timeout:	"timeout" parameter in seconds, or NULL for
 *		API_WAIT_DEFAULT
 * @w:		the request, on success
 * @err:	message on failure
 * @errlen:	its size
 *
 * Return: 0, or 400 with a message in @err
 */
int api_parse_wait_port(const char *ip, const char *port, const char *timeout,
			struct api_wait_req *w, char *err, size_t errlen)
{
	long v;

	if (!ip || inet_pton(AF_INET, ip, &w->ip) != 1) {
		snprintf(err, errlen, "ip: expected a guest's IPv4 address");
		return API_BAD;
	}
	if (!port || cfg_parse_int(port, 1, 65535, &v)) {
		snprintf(err, errlen, "port: expected 1 to 65535");
		return API_BAD;
	}
	w->port = (uint16_t)v;
	w->timeout_s = API_WAIT_DEFAULT;
	if (timeout) {
		if (cfg_parse_int(timeout, 1, API_WAIT_MAX, &v)) {
			snprintf(err, errlen,
				 "timeout: expected 1 to %d seconds",
				 API_WAIT_MAX);
			return API_BAD;
		}
		w->timeout_s = (int)v;
	}
	return 0;
}

/**
 * api_copy_field() - copy a string field into a fixed buffer
 * @key:	the field's name, for the message
 * @v:		its value
 * @dst:	the buffer
 * @cap:	its size, the NUL included
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message if it is too long
 */
static int api_copy_field(const char *key, const char *v, char *dst, size_t cap,
			  char *err, size_t errlen)
{
	if (strlen(v) >= cap) {
		snprintf(err, errlen, "field \"%s\" is too long", key);
		return -1;
	}
	strcpy(dst, v);
	return 0;
}

/**
 * api_parse_capture() - a POST /capture/start body
 * @body:	JSON {"file","filter","snaplen","port"}; file required
 * @len:	its length
 * @r:		the request, on success
 * @err:	message on failure
 * @errlen:	its size
 *
 * Return: 0, or 400 with a message in @err
 */
int api_parse_capture(const char *body, size_t len, struct api_capture_req *r,
		      char *err, size_t errlen)
{
	const char *file, *filter, *port;
	json_t *j = api_load(body, len, err, errlen), *sn;
	int rc = API_BAD;

	memset(r, 0, sizeof(*r));
	if (!j)
		return API_BAD;
	if (api_get_string(j, "file", 1, &file, err, errlen) ||
	    api_get_string(j, "filter", 0, &filter, err, errlen) ||
	    api_get_string(j, "port", 0, &port, err, errlen) ||
	    api_copy_field("file", file, r->file, sizeof(r->file), err,
			   errlen) ||
	    api_copy_field("filter", filter, r->filter, sizeof(r->filter), err,
			   errlen) ||
	    api_copy_field("port", port, r->port, sizeof(r->port), err, errlen))
		goto out;
	if (!*r->file) {
		snprintf(err, errlen, "field \"file\" is empty");
		goto out;
	}
	sn = json_object_get(j, "snaplen");
	if (sn && !json_is_null(sn)) {
		if (!json_is_integer(sn) || json_integer_value(sn) < 0 ||
		    json_integer_value(sn) > 262144) {
			snprintf(err, errlen,
				 "field \"snaplen\" must be 0 to 262144");
			goto out;
		}
		r->snaplen = (int)json_integer_value(sn);
	}
	rc = 0;
out:
	json_decref(j);
	return rc;
}
