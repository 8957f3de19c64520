/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * build.c - the DNS answer builder: header and question echoed from a
 * parsed query, A, AAAA, CNAME and PTR records with name compression, an OPT
 * RR for EDNS0 queries, and UDP truncation by whole RRsets (RFC 1035,
 * 2181 section 9, 6891). The parser it answers is in codec.c.
 *
 * Nothing is written past the builder's capacity; a record that does not
 * fit rolls its RRset back and sets TC. No allocation, no global state.
 */
#include <string.h>

#include "services/dns/codec_int.h"
#include "services/dns/dns.h"

/**
 * room() - check that @n more bytes fit in an answer
 * @b:	builder
 * @n:	bytes
 *
 * Return: true if they fit below the limit, the OPT RR's room kept free
 */
static bool room(const struct dns_builder *b, size_t n)
{
	return b->len + n + b->reserve <= b->cap;
}

/**
 * comp_add() - remember the label starts of a name just written
 * uncompressed, for compressing later names
 * @b:		builder
 * @off:	where the name starts in the message
 * @labels:	how many labels of it were written uncompressed
 */
static void comp_add(struct dns_builder *b, size_t off, size_t labels)
{
	while (labels-- && b->ncomp < DNS_COMP_MAX && off <= DNS_PTR_MAX_OFF) {
		b->comp[b->ncomp++] = (uint16_t)off;
		off += 1 + (size_t)b->buf[off];
	}
}

/**
 * comp_match() - compare a name already in the message with a wire name
 * @b:		builder
 * @off:	where the name in the message starts (may use pointers,
 *		all written by this builder and pointing backwards)
 * @name:	uncompressed wire-form name
 *
 * Return: true if they are the same name, ignoring ASCII case
 */
static bool comp_match(const struct dns_builder *b, size_t off,
		       const uint8_t *name)
{
	size_t i = 0, hops = 0;

	for (;;) {
		uint8_t c = b->buf[off];
		size_t j;

		if ((c & 0xc0) == 0xc0) {
			if (++hops > DNS_NAME_MAX)
				return false;
			off = (size_t)(c & 0x3f) << 8 | b->buf[off + 1];
			continue;
		}
		if (c != name[i])
			return false;
		if (!c)
			return true;
		for (j = 1; j <= c; j++)
			if (dns_lower(b->buf[off + j]) !=
			    dns_lower(name[i + j]))
				return false;
		off += 1 + (size_t)c;
		i += 1 + (size_t)c;
	}
}

/**
 * put_name() - append a name, compressed against names already written
 * @b:		builder
 * @name:	uncompressed wire-form name
 *
 * The longest suffix of @name already in the message becomes a pointer.
 *
 * Return: 0, or -1 if it does not fit
 */
static int put_name(struct dns_builder *b, const uint8_t *name)
{
	size_t i = 0, labels = 0, k;

	for (;;) {
		if (!name[i]) {
			/* no suffix found: write it all */
			if (!room(b, i + 1))
				return -1;
			memcpy(b->buf + b->len, name, i + 1);
			comp_add(b, b->len, labels);
			b->len += i + 1;
			return 0;
		}
		for (k = 0; k < b->ncomp; k++) {
			if (!comp_match(b, b->comp[k], name + i))
				continue;
			if (!room(b, i + 2))
				return -1;
			memcpy(b->buf + b->len, name, i);
			be16_put(b->buf + b->len + i, 0xc000 | b->comp[k]);
			comp_add(b, b->len, labels);
			b->len += i + 2;
			return 0;
		}
		i += 1 + (size_t)name[i];
		labels++;
	}
}

/**
 * dns_build_begin() - start an answer to a query
 * @b:		builder to set up
 * @q:		the query (dns_parse_query() returned >= 0 for it)
 * @rcode:	DNS_RCODE_*; values above 15 need EDNS0 (else SERVFAIL)
 * @aa:		authoritative answer (local names)
 * @buf:	output buffer
 * @buflen:	its size
 * @limit:	largest message allowed: @q->udp_size over UDP,
 *		DNS_TCP_MAX over TCP
 *
 * Writes the header (ID, opcode, RD and CD copied, QR and RA set) and the
 * question as the client sent it, and keeps room for the OPT RR when the
 * query had one.  If that does not fit, dns_build_end() returns 0.
 */
void dns_build_begin(struct dns_builder *b, const struct dns_query *q,
		     uint16_t rcode, bool aa, uint8_t *buf, size_t buflen,
		     size_t limit)
{
	uint16_t flags;

	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = buflen < limit ? buflen : limit;
	if (b->cap > DNS_TCP_MAX)
		b->cap = DNS_TCP_MAX;
	b->edns = q->edns;
	b->edns_do = q->edns_do;
	b->reserve = q->edns ? DNS_OPT_RR_LEN : 0;
	if (rcode > 15 && !q->edns)
		rcode = DNS_RCODE_SERVFAIL;
	b->rcode = rcode & 0xfff;

	if (!room(b, DNS_HDR_LEN + (q->has_question ? q->qname_len + 4 : 0))) {
		b->failed = true;
		return;
	}
	flags = DNS_FLAG_QR | (uint16_t)(q->opcode & 0xf) << 11 | DNS_FLAG_RA |
		(rcode & 0xf);
	if (aa)
		flags |= DNS_FLAG_AA;
	if (q->rd)
		flags |= DNS_FLAG_RD;
	if (q->cd)
		flags |= DNS_FLAG_CD;
	be16_put(buf, q->id);
	be16_put(buf + 2, flags);
	be16_put(buf + 4, q->has_question ? 1 : 0);
	be16_put(buf + 6, 0);
	be16_put(buf + 8, 0);
	be16_put(buf + 10, 0);
	b->len = DNS_HDR_LEN;
	if (q->has_question) {
		size_t labels = 0, i;

		memcpy(buf + b->len, q->qname, q->qname_len);
		for (i = 0; q->qname[i]; i += 1 + (size_t)q->qname[i])
			labels++;
		comp_add(b, b->len, labels);
		b->len += q->qname_len;
		be16_put(buf + b->len, q->qtype);
		be16_put(buf + b->len + 2, q->qclass);
		b->len += 4;
	}
}

/**
 * put_rr() - append one answer record, or truncate
 * @b:		builder
 * @owner:	owner name (wire form) or NULL for the question name
 * @type:	record type
 * @ttl:	TTL
 * @rdata:	RDATA bytes, or NULL when @rdname is used
 * @rdlen:	their length
 * @rdname:	a name making up the RDATA (CNAME), compressed, or NULL
 *
 * Records of one RRset (same owner and type) must be added one after the
 * other.  When a record does not fit, the whole RRset it belongs to is
 * taken out again, TC is set and every later record is dropped.
 *
 * Return: 0, or -1 if the record was dropped
 */
static int put_rr(struct dns_builder *b, const uint8_t *owner, uint16_t type,
		  uint32_t ttl, const void *rdata, size_t rdlen,
		  const uint8_t *rdname)
{
	const uint8_t *qname = b->buf + DNS_HDR_LEN;
	size_t rdpos;

	if (b->failed || b->tc)
		return -1;
	if (!owner) {
		if (be16_get(b->buf + 4) != 1)
			return -1; /* no question to point at */
	}
	if (type != b->set_type ||
	    !dns_name_equal(owner ? owner : qname, b->set_owner)) {
		const uint8_t *o = owner ? owner : qname;

		b->set_start = b->len;
		b->set_ancount = b->ancount;
		b->set_ncomp = b->ncomp;
		b->set_type = type;
		memcpy(b->set_owner, o, dns_name_len(o));
	}

	if (!owner) {
		if (!room(b, 2))
			goto truncate;
		be16_put(b->buf + b->len, 0xc000 | DNS_HDR_LEN);
		b->len += 2;
	} else if (put_name(b, owner) < 0) {
		goto truncate;
	}
	if (!room(b, DNS_RR_FIXED))
		goto truncate;
	be16_put(b->buf + b->len, type);
	be16_put(b->buf + b->len + 2, DNS_C_IN);
	be32_put(b->buf + b->len + 4, ttl);
	b->len += DNS_RR_FIXED;
	rdpos = b->len;
	if (rdname) {
		if (put_name(b, rdname) < 0)
			goto truncate;
	} else {
		if (!room(b, rdlen))
			goto truncate;
		memcpy(b->buf + b->len, rdata, rdlen);
		b->len += rdlen;
	}
	be16_put(b->buf + rdpos - 2, (uint16_t)(b->len - rdpos));
	b->ancount++;
	return 0;

truncate:
	b->len = b->set_start;
	b->ancount = b->set_ancount;
	b->ncomp = b->set_ncomp;
	b->tc = true;
	return -1;
}

/**
 * dns_build_a() - append an A record
 * @b:		builder
 * @owner:	owner name (wire form), or NULL for the question name
 * @ttl:	TTL
 * @addr:	address
 *
 * Return: 0, or -1 if it was dropped (no room: TC is set)
 */
int dns_build_a(struct dns_builder *b, const uint8_t *owner, uint32_t ttl,
		const struct in_addr *addr)
{
	return put_rr(b, owner, DNS_T_A, ttl, &addr->s_addr, 4, NULL);
}

/**
 * dns_build_aaaa() - append an AAAA record
 * @b:		builder
 * @owner:	owner name (wire form), or NULL for the question name
 * @ttl:	TTL
 * @addr:	address
 *
 * Return: 0, or -1 if it was dropped (no room: TC is set)
 */
int dns_build_aaaa(struct dns_builder *b, const uint8_t *owner, uint32_t ttl,
		   const struct in6_addr *addr)
{
	return put_rr(b, owner, DNS_T_AAAA, ttl, addr->s6_addr, 16, NULL);
}

/**
 * dns_build_cname() - append a CNAME record
 * @b:		builder
 * @owner:	owner name (wire form), or NULL for the question name
 * @ttl:	TTL
 * @target:	canonical name (wire form), compressed when possible
 *
 * Return: 0, or -1 if it was dropped (no room: TC is set)
 */
int dns_build_cname(struct dns_builder *b, const uint8_t *owner, uint32_t ttl,
		    const uint8_t *target)
{
	return put_rr(b, owner, DNS_T_CNAME, ttl, NULL, 0, target);
}

/**
 * dns_build_ptr() - append a PTR record (the local table's reverse names)
 * @b:		builder
 * @owner:	owner name (wire form), or NULL for the question name
 * @ttl:	TTL
 * @target:	the name the address has (wire form), compressed when
 *		possible
 *
 * Return: 0, or -1 if it was dropped (no room: TC is set)
 */
int dns_build_ptr(struct dns_builder *b, const uint8_t *owner, uint32_t ttl,
		  const uint8_t *target)
{
	return put_rr(b, owner, DNS_T_PTR, ttl, NULL, 0, target);
}

/**
 * dns_build_end() - finish an answer: counts, TC, and the OPT RR
 * @b:	builder
 *
 * The OPT RR advertises DNS_EDNS_SIZE, copies the DO bit and carries the
 * upper bits of the rcode.
 *
 * Return: length of the message in the buffer, 0 if the header and
 * question did not fit
 */
size_t dns_build_end(struct dns_builder *b)
{
	uint8_t *p;

	if (b->failed)
		return 0;
	be16_put(b->buf + 6, b->ancount);
	if (b->tc)
		b->buf[2] |= DNS_FLAG_TC >> 8;
	if (b->edns) {
		p = b->buf + b->len;
		p[0] = 0;
		be16_put(p + 1, DNS_T_OPT);
		be16_put(p + 3, DNS_EDNS_SIZE);
		be32_put(p + 5, (uint32_t)(b->rcode >> 4) << 24 |
				    (b->edns_do ? 0x8000 : 0));
		be16_put(p + 9, 0);
		b->len += DNS_OPT_RR_LEN;
		be16_put(b->buf + 10, 1);
	}
	return b->len;
}

/**
 * dns_build_error() - build an answer without records: an error, or
 * NOERROR with no data
 * @q:		the query (dns_parse_query() returned >= 0 for it)
 * @rcode:	DNS_RCODE_*
 * @buf:	output buffer (DNS_UDP_MIN bytes are always enough)
 * @buflen:	its size
 *
 * Return: length of the message, 0 if @buflen is too small
 */
size_t dns_build_error(const struct dns_query *q, uint16_t rcode, uint8_t *buf,
		       size_t buflen)
{
	struct dns_builder b;

	dns_build_begin(&b, q, rcode, false, buf, buflen, DNS_TCP_MAX);
	return dns_build_end(&b);
}
