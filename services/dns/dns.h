/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns.h - the dns module's one header: the DNS wire codec (codec.c,
 * build.c) and the table of names the daemon answers itself (local.c),
 * all in services/dns/.
 *
 * Codec: a strict parser for queries from guests (untrusted bytes), an
 * answer builder (A, AAAA, CNAME, PTR, name compression, EDNS0, UDP truncation
 * by whole RRsets with TC), and helpers for relaying raw upstream answers
 * (which are untrusted too): rewrite the ID, check that an answer matches
 * its question, truncate it for UDP.  The codec is pure: no allocation, no
 * global state, safe from any thread.
 *
 * Local answers: a case-insensitive table name -> addresses or
 * name -> other name, mutable at run time (lima.yaml hostResolver.hosts,
 * host.lima.internal, later DHCP hostnames and API zones).  A table belongs
 * to one thread (the loop thread); it has no locking.
 *
 * Names are handled in wire form (a sequence of length-prefixed labels ended
 * by the zero-length root label, uncompressed, at most DNS_NAME_MAX bytes)
 * except where text is needed (configuration, getaddrinfo, logs).
 *
 * Typical use by the DNS service:
 *
 *	r = dns_parse_query(pkt, len, &q);
 *	if (r < 0)			drop and count (short or a response)
 *	else if (r > 0)			answer q.rcode: begin() + end()
 *	else if local lookup hits	begin(NOERROR or res.rcode, aa) +
 *					dns_local_put() + end()
 *	else				resolve, then begin() + dns_build_a()...
 *
 * with limit = q.udp_size over UDP and DNS_TCP_MAX over TCP.
 */
#ifndef USERNETD_DNS_H
#define USERNETD_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HDR_LEN	  12	/* fixed header */
#define DNS_LABEL_MAX	  63	/* bytes in one label */
#define DNS_NAME_MAX	  255	/* bytes of a wire-form name, root included */
#define DNS_NAME_TEXT_MAX 1024	/* text form, every byte escaped, with NUL */
#define DNS_UDP_MIN	  512	/* UDP limit without EDNS0 (and floor) */
#define DNS_EDNS_MAX	  4096	/* cap on a client's EDNS0 payload size */
#define DNS_EDNS_SIZE	  4096	/* UDP payload size we advertise */
#define DNS_TCP_MAX	  65535 /* TCP limit: a message's length field */

/* QTYPE / TYPE values the daemon knows by name */
#define DNS_T_A	    1
#define DNS_T_NS    2
#define DNS_T_CNAME 5
#define DNS_T_SOA   6
#define DNS_T_PTR   12
#define DNS_T_MX    15
#define DNS_T_TXT   16
#define DNS_T_AAAA  28
#define DNS_T_SRV   33
#define DNS_T_OPT   41
#define DNS_T_IXFR  251
#define DNS_T_AXFR  252
#define DNS_T_ANY   255

#define DNS_C_IN  1
#define DNS_C_ANY 255

#define DNS_OP_QUERY 0

/* RCODEs; values above 15 travel in the OPT RR (EDNS0 only) */
#define DNS_RCODE_NOERROR  0
#define DNS_RCODE_FORMERR  1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP   4
#define DNS_RCODE_REFUSED  5
#define DNS_RCODE_BADVERS  16

/* dns_parse_query() results: >0 answer with q->rcode, <0 drop (count) */
#define DNS_PARSE_OK	   0  /* a query: answer it */
#define DNS_PARSE_FORMERR  1  /* malformed, header readable: FORMERR */
#define DNS_PARSE_NOTIMP   2  /* opcode is not QUERY: NOTIMP */
#define DNS_PARSE_BADVERS  3  /* EDNS version is not 0: BADVERS */
#define DNS_PARSE_SHORT	   -1 /* drop: shorter than a header */
#define DNS_PARSE_RESPONSE -2 /* drop: QR set, a response */

/* dns_msg_check() results: 0 or one of these */
#define DNS_CHECK_SHORT	   -1 /* shorter than a header */
#define DNS_CHECK_QUERY	   -2 /* QR clear: not a response */
#define DNS_CHECK_ID	   -3 /* ID differs */
#define DNS_CHECK_QUESTION -4 /* not the same single question/opcode */
#define DNS_CHECK_FORMAT   -5 /* a record or name runs out of bounds */

/**
 * struct dns_query - what dns_parse_query() read from a query
 * @id:			message ID
 * @opcode:		OPCODE (DNS_OP_QUERY for anything answered)
 * @rd:			recursion desired, copied into the answer
 * @cd:			checking disabled, copied into the answer
 * @rcode:		rcode to answer with when the parse result is > 0
 * @has_question:	the question was read: @qname.. are valid, and an
 *			answer echoes the question
 * @qname:		question name in wire form, case as the client sent
 *			it, pointers resolved
 * @qname_len:		its length in bytes, root label included
 * @name:		text form: dotted, no trailing dot ("." for the
 *			root); '.', '\' and bytes outside 0x21..0x7e escaped
 *			as "\." "\\" "\DDD"
 * @name_plain:		no byte needed escaping: @name can go to getaddrinfo
 * @qtype:		QTYPE
 * @qclass:		QCLASS (the service may refuse anything but IN)
 * @edns:		the query had an OPT RR: the answer carries one
 * @edns_version:	its EDNS version
 * @edns_do:		its DO bit, copied into the answer's OPT RR
 * @edns_size:		its UDP payload size as sent
 * @udp_size:		UDP limit for the answer: 512 without EDNS0, else the
 *			advertised size clamped to 512..DNS_EDNS_MAX
 */
struct dns_query {
	uint16_t id;
	uint8_t opcode;
	bool rd;
	bool cd;
	uint16_t rcode;
	bool has_question;
	uint8_t qname[DNS_NAME_MAX];
	size_t qname_len;
	char name[DNS_NAME_TEXT_MAX];
	bool name_plain;
	uint16_t qtype;
	uint16_t qclass;
	bool edns;
	uint8_t edns_version;
	bool edns_do;
	uint16_t edns_size;
	uint16_t udp_size;
};

#define DNS_COMP_MAX 32 /* names remembered for compression */

/**
 * struct dns_builder - an answer being written by dns_build_*()
 * @buf:	output buffer
 * @cap:	bytes the message may take: min(buffer size, limit)
 * @len:	bytes written so far
 * @reserve:	bytes kept free for the OPT RR (EDNS0 queries)
 * @edns:	write an OPT RR at the end
 * @edns_do:	its DO bit
 * @rcode:	full rcode (the upper 8 bits go into the OPT RR)
 * @failed:	the header and question did not fit: dns_build_end() says 0
 * @tc:		a record did not fit: TC is set, later records are dropped
 * @ancount:	answer records written
 * @set_start:	offset where the current RRset starts (for rolling back)
 * @set_ancount: @ancount there
 * @set_ncomp:	@ncomp there
 * @set_type:	type of the current RRset, 0 before the first record
 * @set_owner:	owner name of the current RRset, wire form
 * @comp:	offsets of names (and their suffixes) already in @buf
 * @ncomp:	how many
 */
struct dns_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t reserve;
	bool edns;
	bool edns_do;
	uint16_t rcode;
	bool failed;
	bool tc;
	uint16_t ancount;
	size_t set_start;
	uint16_t set_ancount;
	size_t set_ncomp;
	uint16_t set_type;
	uint8_t set_owner[DNS_NAME_MAX];
	uint16_t comp[DNS_COMP_MAX];
	size_t ncomp;
};

/* Query parsing (codec.c) */
int dns_parse_query(const uint8_t *msg, size_t len, struct dns_query *q);

/* Answer building (build.c): @owner NULL means the question name */
void dns_build_begin(struct dns_builder *b, const struct dns_query *q,
		     uint16_t rcode, bool aa, uint8_t *buf, size_t buflen,
		     size_t limit);
int dns_build_a(struct dns_builder *b, const uint8_t *owner, uint32_t ttl,
		const struct in_addr *addr);
int dns_build_aaaa(struct dns_builder *b, const uint8_t *owner, uint32_t ttl,
		   const struct in6_addr *addr);
int dns_build_cname(struct dns_builder *b, const uint8_t *owner, uint32_t ttl,
		    const uint8_t *target);
int dns_build_ptr(struct dns_builder *b, const uint8_t *owner, uint32_t ttl,
		  const uint8_t *target);
size_t dns_build_end(struct dns_builder *b);
size_t dns_build_error(const struct dns_query *q, uint16_t rcode, uint8_t *buf,
		       size_t buflen);

/* Raw messages, relayed from upstream (codec.c) */
int dns_msg_set_id(uint8_t *msg, size_t len, uint16_t id);
int dns_msg_check(const uint8_t *msg, size_t len, const struct dns_query *q);
size_t dns_msg_truncate(uint8_t *msg, size_t len, size_t limit);

/* Names (codec.c) */
int dns_name_from_text(const char *text, uint8_t *wire, size_t wirelen);
int dns_name_to_text(const uint8_t *wire, char *text, size_t textlen,
		     bool *plain);
size_t dns_name_len(const uint8_t *wire);
bool dns_name_equal(const uint8_t *a, const uint8_t *b);

/* Local answers (local.c) */

#define DNS_LOCAL_TTL	     5	 /* TTL of locally answered records */
#define DNS_LOCAL_CHAIN_MAX  8	 /* CNAMEs followed before SERVFAIL */
#define DNS_LOCAL_ADDRS_MAX  16	 /* addresses per family per name */
#define DNS_LOCAL_REGEXP_LEN 256 /* longest Regexp record pattern */
/* regcomp(3) flags of Regexp records (<regex.h>): names match in any case. */
#define DNS_REGEXP_FLAGS      (REG_EXTENDED | REG_NOSUB | REG_ICASE)
#define DNS_LOCAL_REGEXPS_MAX 256 /* Regexp records per zone */

/*
 * dns_local_lookup() results (also in struct dns_local_result.status).
 * DNS_LOCAL_CONTINUE: put the CNAME chain, then resolve the non-local
 * target names[ncname] and append its records with that owner.
 */
#define DNS_LOCAL_MISS	   0 /* not a local name: resolve it as usual */
#define DNS_LOCAL_ANSWER   1 /* answer @rcode with the result (AA) */
#define DNS_LOCAL_CONTINUE 2 /* CNAME chain so far, then the resolver */

struct dns_local;

/**
 * struct dns_local_result - what a name in the local table answers
 * @status:	DNS_LOCAL_MISS, DNS_LOCAL_ANSWER or DNS_LOCAL_CONTINUE
 * @rcode:	rcode to answer with (NOERROR, SERVFAIL on a cycle or a chain
 *		longer than DNS_LOCAL_CHAIN_MAX)
 * @ttl:	TTL of every record
 * @ncname:	CNAME records: record i is names[i] CNAME names[i + 1];
 *		names[0] is the question name (the answer points at the
 *		question instead), names[@ncname] is the final name
 * @names:	the chain, wire form, lower case as stored
 * @n4:		A records of the final name (only when qtype asks for them)
 * @a:		their addresses
 * @n6:		AAAA records of the final name (same)
 * @aaaa:	their addresses
 * @ptr:	the name is a reverse name of the table: @ptr_target is its
 *		PTR (only when qtype asks for it)
 * @ptr_target:	wire form of the name the PTR points to
 */
struct dns_local_result {
	int status;
	uint16_t rcode;
	uint32_t ttl;
	size_t ncname;
	uint8_t names[DNS_LOCAL_CHAIN_MAX + 1][DNS_NAME_MAX];
	size_t n4;
	struct in_addr a[DNS_LOCAL_ADDRS_MAX];
	size_t n6;
	struct in6_addr aaaa[DNS_LOCAL_ADDRS_MAX];
	bool ptr;
	uint8_t ptr_target[DNS_NAME_MAX];
};

struct dns_local *dns_local_new(const struct in_addr *gateway);
void dns_local_free(struct dns_local *l);
int dns_local_set(struct dns_local *l, const char *name, const char *value);
int dns_local_set_addrs(struct dns_local *l, const char *name,
			const struct in_addr *v4, size_t n4,
			const struct in6_addr *v6, size_t n6);
int dns_local_set_alias(struct dns_local *l, const char *name,
			const char *target);
int dns_local_set_resolve(struct dns_local *l, const char *name);
int dns_local_remove(struct dns_local *l, const char *name);
int dns_local_taken(const struct dns_local *l, const char *name,
		    const void *owner);
int dns_local_set_owned(struct dns_local *l, const char *name,
			const void *owner, const struct in_addr *v4,
			const struct in6_addr *v6);
/* "x.x. ... .ip6.arpa": 32 nibbles and dots, the suffix and a NUL */
#define DNS_LOCAL_REV6_LEN (64 + sizeof("ip6.arpa"))
void dns_local_rev6(const struct in6_addr *a, char *text);
int dns_local_remove_owned(struct dns_local *l, const char *name,
			   const void *owner);
size_t dns_local_count(const struct dns_local *l);
int dns_local_zone_set(struct dns_local *l, const char *zone,
		       const struct in_addr *def4, const struct in6_addr *def6);
int dns_local_zone_add_regexp(struct dns_local *l, const char *zone,
			      const char *pattern, const struct in_addr *v4,
			      const struct in6_addr *v6);
int dns_regexp_check(const char *pattern, char *err, size_t errlen);
size_t dns_local_zone_count(const struct dns_local *l);
int dns_local_lookup(const struct dns_local *l, const uint8_t *qname,
		     uint16_t qtype, struct dns_local_result *res);
int dns_local_put(const struct dns_local_result *res, uint16_t qtype,
		  struct dns_builder *b);

#endif /* USERNETD_DNS_H */
