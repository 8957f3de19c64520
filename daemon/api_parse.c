/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_parse.c - the control API's request validation, as pure functions:
 * JSON bodies (jansson) and query parameters in, a filled request struct
 * or an HTTP status with a message out. Nothing here touches the daemon,
 * so tests/unit/test_api.c checks every rule directly.
 *
 * Field names and defaults follow gvisor-tap-vsock: unknown fields are
 * ignored (Go's encoding/json does so), a missing "protocol" means tcp, a
 * null or empty "DefaultIP" means none.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "options.h"
#include "../dns/dns.h"

#define API_BAD 400

/**
 * api_parse_hostport() - parse "A.B.C.D:PORT"
 * @s:			the text
 * @empty_host_ok:	":PORT" is allowed and means 0.0.0.0
 * @addr:		set to the address
 * @port:		set to the port, 1 to 65535
 *
 * Return: 0, or -1 if @s is not such an address
 */
int api_parse_hostport(const char *s, int empty_host_ok, struct in_addr *addr,
		       uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	long p;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (cfg_parse_int(colon + 1, 1, 65535, &p))
		return -1;
	if (!host[0]) {
		if (!empty_host_ok)
			return -1;
		addr->s_addr = htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET, host, addr) != 1) {
		return -1;
	}
	*port = (uint16_t)p;
	return 0;
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
	json_t *v = json_object_get(o, key);

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
		snprintf(err, errlen,
			 "local \"%s\": expected IPV4ADDR:PORT or :PORT",
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
 * "remote" is "IP:PORT" with an IPv4 address: an empty host (":22")
 * means "the guest that asked", which the daemon cannot know.
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
			 "remote \"%.64s\": expected GUESTIPV4:PORT (the "
			 "guest's address cannot be left out)",
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
 * api_parse_ip_field() - an IPv4 address member; null or "" is none
 * @o:		object
 * @key:	member name
 * @ip:		the address
 * @err:	message on failure
 * @errlen:	its size
 *
 * Return: 1 if set, 0 if none, -1 on error
 */
static int api_parse_ip_field(json_t *o, const char *key, struct in_addr *ip,
			      char *err, size_t errlen)
{
	const char *s;

	if (api_get_string(o, key, 0, &s, err, errlen))
		return -1;
	if (!*s)
		return 0;
	if (inet_pton(AF_INET, s, ip) != 1) {
		snprintf(err, errlen, "%s \"%.64s\" is not an IPv4 address",
			 key, s);
		return -1;
	}
	return 1;
}

/**
 * api_parse_record() - one member of "Records"
 * @zone:	zone name, trailing dot
 * @v:		the member
 * @rec:	filled
 * @err:	message on failure
 * @errlen:	its size
 *
 * Return: 0, or -1
 */
static int api_parse_record(const char *zone, json_t *v, struct api_record *rec,
			    char *err, size_t errlen)
{
	char fqdn[API_NAME_MAX * 2];
	const char *name;
	json_t *re;

	if (!json_is_object(v)) {
		snprintf(err, errlen, "each of \"Records\" must be an object");
		return -1;
	}
	re = json_object_get(v, "Regexp");
	if (re && !json_is_null(re) &&
	    !(json_is_string(re) && !*json_string_value(re))) {
		snprintf(err, errlen, "Regexp records are not supported");
		return -1;
	}
	if (api_get_string(v, "Name", 1, &name, err, errlen))
		return -1;
	if (!*name || strlen(name) >= sizeof(rec->name) ||
	    api_zone_fqdn(zone, name, fqdn, sizeof(fqdn))) {
		snprintf(err, errlen, "record name \"%.64s\" is not valid",
			 name);
		return -1;
	}
	strcpy(rec->name, name);
	switch (api_parse_ip_field(v, "IP", &rec->ip, err, errlen)) {
	case 1:
		return 0;
	case 0:
		snprintf(err, errlen, "record \"%s\" has no IP", name);
		return -1;
	default:
		return -1;
	}
}

/**
 * api_parse_zone_name() - "Name" of a zone, stored with a trailing dot
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
 *
 * Return: 0, or -1 with a message
 */
static int api_parse_records(json_t *j, struct api_zone_req *z, char *err,
			     size_t errlen)
{
	json_t *recs = json_object_get(j, "Records"), *v;
	size_t i;

	if (!recs || json_is_null(recs))
		return 0;
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
		z->nrec++;
	}
	return 0;
}

/**
 * api_parse_zone() - a POST /services/dns/add body
 * @body:	JSON {"Name":"internal.","Records":[{"Name","IP"}],
 *		"DefaultIP":null}
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
	int rc = API_BAD, r;

	memset(z, 0, sizeof(*z));
	if (!j)
		return API_BAD;
	if (api_parse_zone_name(j, z, err, errlen) ||
	    api_parse_records(j, z, err, errlen))
		goto out;
	r = api_parse_ip_field(j, "DefaultIP", &z->def, err, errlen);
	if (r < 0)
		goto out;
	z->has_def = r;
	rc = 0;
out:
	json_decref(j);
	return rc;
}

/**
 * api_zone_req_free() - free what api_parse_zone() allocated
 */
void api_zone_req_free(struct api_zone_req *z)
{
	free(z->rec);
	z->rec = NULL;
	z->nrec = 0;
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
