/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api.h - the control API: HTTP/1.1 with JSON bodies on a unix stream
 * socket (usernetd -e PATH), the shapes gvisor-tap-vsock serves and Lima's
 * hostagent calls: DHCP leases, port forwards, DNS zones, wait_port, plus
 * counters (/stats) and the switch's MAC table (/cam). See docs/api.md.
 *
 * libmicrohttpd parses HTTP without threads of its own: a loop hook polls
 * its descriptors, so every handler runs on the loop thread. Request
 * bodies are parsed by the pure api_parse_*() functions below (unit
 * tested), which return 0 or the HTTP status to refuse the request with.
 */
#ifndef USERNETD_API_H
#define USERNETD_API_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "packet/gateway.h"

struct loop;
struct srv;
struct api;
struct dns_local;
struct json_t;

#define API_BODY_MAX	 (64 * 1024)   /* larger request bodies: 413 */
#define API_DISCARD_MAX	 (1024 * 1024) /* larger: 413 before the body */
#define API_LOCAL_MAX	 108	       /* "local" of a forward, NUL included */
#define API_NAME_MAX	 256	       /* zone and record names */
#define API_RECORDS_MAX	 1024	       /* records of one zone */
#define API_REGEXP_MAX	 256	       /* = DNS_LOCAL_REGEXP_LEN */
#define API_WAIT_DEFAULT 10	       /* wait_port timeout without one, s */
#define API_WAIT_MAX	 86400	       /* longest wait_port timeout, s */

/**
 * enum api_proto - protocol of a forward
 * @API_TCP:	TCP, through libslirp's host forwards
 * @API_UDP:	UDP, the same
 * @API_UNIX:	a host unix socket path relayed to a guest TCP port
 */
enum api_proto {
	API_TCP,
	API_UDP,
	API_UNIX,
};

/**
 * struct api_fwd_req - an expose or unexpose request
 * @proto:	protocol ("protocol", default tcp)
 * @local:	"local" as given: "ADDR:PORT", or a socket path for unix
 * @remote:	"remote" as given, "IP:PORT" ("" for unexpose)
 * @haddr:	host address to listen on ("" means 0.0.0.0), tcp/udp; IPv4
 *		or IPv6
 * @hport:	host port, tcp/udp
 * @gaddr:	guest address (expose), of @haddr's family
 * @gport:	guest port (expose)
 */
struct api_fwd_req {
	enum api_proto proto;
	char local[API_LOCAL_MAX];
	char remote[64];
	struct gw_addr haddr;
	uint16_t hport;
	struct gw_addr gaddr;
	uint16_t gport;
};

/**
 * struct api_ip - an address of a dns/add body ("IP", "DefaultIP")
 * @family:	AF_INET, AF_INET6, or 0 for none (null or "")
 * @v4:		the address, AF_INET (an IPv4-mapped IPv6 address is one)
 * @v6:		the address, AF_INET6
 */
struct api_ip {
	int family;
	struct in_addr v4;
	struct in6_addr v6;
};

/**
 * struct api_record - one record of a zone
 * @name:	record name relative to the zone ("lima-default"), "" for
 *		none (a Regexp record, or one that matches nothing)
 * @has_re:	@regexp is set ("Regexp" was a string)
 * @regexp:	the pattern, as given
 * @ip:		its address; none: the name is answered by the resolver
 *		(Lima posts a name that points outside its hosts map so)
 */
struct api_record {
	char name[API_NAME_MAX];
	int has_re;
	char regexp[API_REGEXP_MAX + 1];
	struct api_ip ip;
};

/**
 * struct api_zone_req - a /services/dns/add request, or a zone as kept
 * @name:	zone name, with its trailing dot ("internal.")
 * @def:	address of every other name under the zone ("DefaultIP"),
 *		family 0 for none
 * @rec:	records (malloc'd, api_zone_req_free())
 * @nrec:	how many
 * @nil_records: "Records" was null or missing (Go's nil slice, which
 *		dns/all shows as null; an empty array shows as [])
 */
struct api_zone_req {
	char name[API_NAME_MAX];
	struct api_ip def;
	struct api_record *rec;
	size_t nrec;
	int nil_records;
};

/**
 * struct api_wait_req - a /extension/wait_port request
 * @ip:		guest address
 * @port:	guest TCP port
 * @timeout_s:	seconds before answering 408
 */
struct api_wait_req {
	struct in_addr ip;
	uint16_t port;
	int timeout_s;
};

/**
 * struct api_capture_req - a /capture/start request
 * @file:	output file
 * @filter:	tcpdump filter, "" for all
 * @port:	only this VM port, "" for all
 * @snaplen:	bytes kept of each frame, 0 for the default
 */
struct api_capture_req {
	char file[4096];
	char filter[1024];
	char port[32];
	int snaplen;
};

struct api *api_new(struct loop *l, struct srv *s, const char *path);
void api_free(struct api *a);

int api_parse_hostport(const char *s, int empty_host_ok, struct gw_addr *addr,
		       uint16_t *port);
int api_parse_expose(const char *body, size_t len, struct api_fwd_req *r,
		     char *err, size_t errlen);
int api_parse_unexpose(const char *body, size_t len, struct api_fwd_req *r,
		       char *err, size_t errlen);
int api_parse_zone(const char *body, size_t len, struct api_zone_req *z,
		   char *err, size_t errlen);
void api_zone_req_free(struct api_zone_req *z);
void api_zone_apply(const struct api_zone_req *z, struct dns_local *t);
struct json_t *api_zone_json(const struct api_zone_req *z);
const char *api_ip_text(const struct api_ip *ip, char *buf, size_t len);
int api_zone_fqdn(const char *zone, const char *rec, char *out, size_t outlen);
int api_parse_capture(const char *body, size_t len, struct api_capture_req *r,
		      char *err, size_t errlen);
int api_parse_wait_port(const char *ip, const char *port, const char *timeout,
			struct api_wait_req *w, char *err, size_t errlen);

#endif /* USERNETD_API_H */
