/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * codec.c - the DNS wire codec: a strict parser for queries from guests,
 * an answer builder (A, AAAA, CNAME with name compression, EDNS0, UDP
 * truncation by whole RRsets), checks and rewrites of raw upstream answers,
 * and name conversions.  RFC 1035, 2181 (truncation), 6891 (EDNS0).
 *
 * Every byte read is bounds-checked; names are limited to 63-byte labels
 * and 255 bytes; compression pointers must point strictly before the run of
 * labels they sit in (and past the header), so loops and forward pointers
 * are impossible.  No allocation, no global state.
 */
#include <stdio.h>
#include <string.h>

#include "services/dns/dns.h"

#define FLAG_QR	    0x8000
#define FLAG_AA	    0x0400
#define FLAG_TC	    0x0200
#define FLAG_RD	    0x0100
#define FLAG_RA	    0x0080
#define FLAG_CD	    0x0010
#define OPCODE(f)   (((f) >> 11) & 0xf)
#define OPT_RR_LEN  11	   /* root name, type, class, ttl, rdlength */
#define RR_FIXED    10	   /* type, class, ttl, rdlength */
#define PTR_MAX_OFF 0x3fff /* largest offset a pointer can name */

/**
 * rd16() - read a big-endian 16-bit value
 * @p:	where
 *
 * Return: the value
 */
static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * rd32() - read a big-endian 32-bit value
 * @p:	where
 *
 * Return: the value
 */
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * wr16() - write a big-endian 16-bit value
 * @p:	where
 * @v:	value
 */
static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/**
 * wr32() - write a big-endian 32-bit value
 * @p:	where
 * @v:	value
 */
static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/**
 * lower() - ASCII lower case (DNS names compare case-insensitively in
 * ASCII only, RFC 4343)
 * @c:	byte
 *
 * Return: @c, lower-cased if it is 'A'..'Z'
 */
static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/**
 * name_read() - decode a possibly compressed name from a message
 * @msg:	message
 * @len:	its length
 * @off:	where the name starts
 * @out:	DNS_NAME_MAX bytes for the uncompressed wire form, or NULL
 * @next:	set to the offset just past the name as stored at @off
 *
 * A pointer must point past the header and strictly before the start of
 * the run of labels it ends, which rules out loops and forward pointers.
 *
 * Return: length of the uncompressed name (root label included), or -1 if
 * it is malformed
 */
static int name_read(const uint8_t *msg, size_t len, size_t off, uint8_t *out,
		     size_t *next)
{
	size_t pos = off, run = off, n = 0;
	int jumped = 0;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return -1;
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len)
				return -1;
			target = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			if (target < DNS_HDR_LEN || target >= run)
				return -1;
			if (!jumped)
				*next = pos + 2;
			jumped = 1;
			run = pos = target;
			continue;
		}
		if (c & 0xc0) /* 0x40 and 0x80: obsolete label types */
			return -1;
		if (n + 1 + c > DNS_NAME_MAX)
			return -1;
		if (c == 0) {
			if (out)
				out[n] = 0;
			if (!jumped)
				*next = pos + 1;
			return (int)(n + 1);
		}
		if (pos + 1 + c > len)
			return -1;
		if (out)
			memcpy(out + n, msg + pos, 1 + (size_t)c);
		n += 1 + (size_t)c;
		pos += 1 + (size_t)c;
	}
}

/**
 * dns_name_len() - length of an uncompressed wire-form name
 * @wire:	the name (trusted: built by this module)
 *
 * Return: bytes up to and including the root label
 */
size_t dns_name_len(const uint8_t *wire)
{
	size_t n = 0;

	while (wire[n])
		n += 1 + (size_t)wire[n];
	return n + 1;
}

/**
 * dns_name_equal() - compare two uncompressed wire-form names,
 * ignoring ASCII case
 * @a:	one name
 * @b:	the other
 *
 * Return: true if they are the same name
 */
bool dns_name_equal(const uint8_t *a, const uint8_t *b)
{
	size_t i = 0;

	for (;;) {
		size_t l = a[i], j;

		if (b[i] != l)
			return false;
		if (!l)
			return true;
		for (j = 1; j <= l; j++)
			if (lower(a[i + j]) != lower(b[i + j]))
				return false;
		i += 1 + l;
	}
}

/**
 * dns_name_from_text() - convert a host name in text form to wire form
 * @text:	"a.b.c" or "a.b.c." ("." is the root); printable ASCII other
 *		than '\' and space only, no empty label
 * @wire:	output
 * @wirelen:	its size
 *
 * Return: length of the wire form, or -1 if @text is not a valid name or
 * does not fit
 */
int dns_name_from_text(const char *text, uint8_t *wire, size_t wirelen)
{
	size_t tl, i = 0, n = 0;

	if (!text)
		return -1;
	tl = strlen(text);
	if (tl == 1 && text[0] == '.') {
		if (wirelen < 1)
			return -1;
		wire[0] = 0;
		return 1;
	}
	if (tl && text[tl - 1] == '.')
		tl--; /* one trailing dot: fully qualified */
	if (!tl)
		return -1;
	for (;;) {
		size_t j, l;

		for (j = i; j < tl && text[j] != '.'; j++) {
			uint8_t c = (uint8_t)text[j];

			if (c <= 0x20 || c >= 0x7f || c == '\\')
				return -1;
		}
		l = j - i;
		/* label, its length byte, and the root still to come */
		if (!l || l > DNS_LABEL_MAX || n + 1 + l + 1 > DNS_NAME_MAX ||
		    n + 1 + l + 1 > wirelen)
			return -1;
		wire[n] = (uint8_t)l;
		memcpy(wire + n + 1, text + i, l);
		n += 1 + l;
		if (j == tl)
			break;
		i = j + 1; /* an empty label after a dot fails above */
	}
	wire[n] = 0;
	return (int)(n + 1);
}

/**
 * dns_name_to_text() - convert an uncompressed wire-form name to text
 * @wire:	the name
 * @text:	output, NUL-terminated
 * @textlen:	its size (DNS_NAME_TEXT_MAX is always enough)
 * @plain:	if not NULL, set to true when nothing needed escaping
 *
 * Labels are joined with '.', no trailing dot; the root is ".".  '.' and
 * '\' inside labels become "\." and "\\", other bytes outside 0x21..0x7e
 * become "\DDD" (decimal), as in zone files.
 *
 * Return: length of the text, or -1 if it does not fit
 */
int dns_name_to_text(const uint8_t *wire, char *text, size_t textlen,
		     bool *plain)
{
	size_t i = 0, n = 0;
	bool pl = true;

	if (plain)
		*plain = true;
	if (textlen < 2)
		return -1;
	if (!wire[0]) {
		text[0] = '.';
		text[1] = 0;
		return 1;
	}
	while (wire[i]) {
		size_t l = wire[i], j;

		if (i && n + 1 < textlen)
			text[n++] = '.';
		else if (i)
			return -1;
		for (j = 1; j <= l; j++) {
			uint8_t c = wire[i + j];
			char esc[5];
			int k;

			if (c == '.' || c == '\\') {
				k = snprintf(esc, sizeof(esc), "\\%c", c);
				pl = false;
			} else if (c <= 0x20 || c >= 0x7f) {
				k = snprintf(esc, sizeof(esc), "\\%03u", c);
				pl = false;
			} else {
				esc[0] = (char)c;
				k = 1;
			}
			if (n + (size_t)k >= textlen)
				return -1;
			memcpy(text + n, esc, (size_t)k);
			n += (size_t)k;
		}
		i += 1 + l;
	}
	text[n] = 0;
	if (plain)
		*plain = pl;
	return (int)n;
}

/**
 * rdata_names_ok() - check the names inside the RDATA of the record types
 * that carry them (CNAME, NS, PTR, DNAME, MX, SRV, SOA)
 * @msg:	message
 * @len:	its length
 * @type:	record type
 * @off:	where the RDATA starts
 * @rdlen:	its length
 *
 * Return: true if the RDATA is well formed for @type, or @type is another
 */
static bool rdata_names_ok(const uint8_t *msg, size_t len, uint16_t type,
			   size_t off, size_t rdlen)
{
	size_t end = off + rdlen, pos = off, next;
	int names = 1;
	size_t fixed_before = 0, fixed_after = 0;

	switch (type) {
	case DNS_T_CNAME:
	case DNS_T_NS:
	case DNS_T_PTR:
	case 39: /* DNAME */
		break;
	case DNS_T_MX:
		fixed_before = 2;
		break;
	case DNS_T_SRV:
		fixed_before = 6;
		break;
	case DNS_T_SOA:
		names = 2;
		fixed_after = 20;
		break;
	default:
		return true;
	}
	if (rdlen < fixed_before)
		return false;
	pos += fixed_before;
	while (names--) {
		/* the name must lie within the RDATA; pointers may leave it */
		if (name_read(msg, end, pos, NULL, &next) < 0)
			return false;
		pos = next;
	}
	(void)len;
	return pos + fixed_after == end;
}

/**
 * rr_skip() - step over one resource record, checking its bounds
 * @msg:	message
 * @len:	its length
 * @off:	in: where the record starts; out: where the next one starts
 * @check_rdata: also check the names inside well-known RDATA
 *
 * Return: 0, or -1 if the record is malformed
 */
static int rr_skip(const uint8_t *msg, size_t len, size_t *off,
		   bool check_rdata)
{
	size_t next, rdlen;
	uint16_t type;

	if (name_read(msg, len, *off, NULL, &next) < 0)
		return -1;
	if (next + RR_FIXED > len)
		return -1;
	type = rd16(msg + next);
	rdlen = rd16(msg + next + 8);
	next += RR_FIXED;
	if (next + rdlen > len)
		return -1;
	if (check_rdata && !rdata_names_ok(msg, len, type, next, rdlen))
		return -1;
	*off = next + rdlen;
	return 0;
}

/**
 * opt_options_ok() - check that the options of an OPT RR tile its RDATA
 * @p:		RDATA
 * @rdlen:	its length
 *
 * Return: true if every option header and value lies inside the RDATA
 */
static bool opt_options_ok(const uint8_t *p, size_t rdlen)
{
	size_t pos = 0;

	while (pos < rdlen) {
		if (pos + 4 > rdlen)
			return false;
		pos += 4 + (size_t)rd16(p + pos + 2);
		if (pos > rdlen)
			return false;
	}
	return true;
}

/**
 * formerr() - mark a query malformed
 * @q:	the query being parsed
 *
 * A malformed query gets FORMERR without an OPT RR: its EDNS0 data cannot
 * be trusted.
 *
 * Return: DNS_PARSE_FORMERR
 */
static int formerr(struct dns_query *q)
{
	q->rcode = DNS_RCODE_FORMERR;
	q->edns = false;
	q->udp_size = DNS_UDP_MIN;
	return DNS_PARSE_FORMERR;
}

/**
 * dns_parse_query() - parse a query a guest sent
 * @msg:	the message (UDP payload, or a TCP message without its length)
 * @len:	its length
 * @q:		filled with what was read
 *
 * Checks, in order: length (< 12: DNS_PARSE_SHORT), QR (set:
 * DNS_PARSE_RESPONSE), OPCODE (not QUERY: DNS_PARSE_NOTIMP), QDCOUNT == 1,
 * the question, every answer and authority record (bounds only, ignored),
 * every additional record (bounds; one OPT RR at most, with the root name
 * and well-formed options), no trailing bytes (any failure:
 * DNS_PARSE_FORMERR), EDNS version 0 (else DNS_PARSE_BADVERS).
 * QTYPE OPT is FORMERR too.  QCLASS and QTYPE are otherwise the caller's
 * business (refuse non-IN classes, AXFR over UDP, ...).
 *
 * Return: DNS_PARSE_OK; > 0: answer with @q->rcode (dns_build_error());
 * < 0: drop it
 */
int dns_parse_query(const uint8_t *msg, size_t len, struct dns_query *q)
{
	uint16_t flags, qd, an, ns, ar;
	unsigned int i;
	size_t off;
	int n;

	q->id = 0;
	q->opcode = 0;
	q->rd = q->cd = false;
	q->rcode = DNS_RCODE_NOERROR;
	q->has_question = false;
	q->qname[0] = 0;
	q->qname_len = 0;
	q->name[0] = 0;
	q->name_plain = false;
	q->qtype = q->qclass = 0;
	q->edns = false;
	q->edns_version = 0;
	q->edns_do = false;
	q->edns_size = 0;
	q->udp_size = DNS_UDP_MIN;

	if (len < DNS_HDR_LEN)
		return DNS_PARSE_SHORT;
	flags = rd16(msg + 2);
	if (flags & FLAG_QR)
		return DNS_PARSE_RESPONSE;
	q->id = rd16(msg);
	q->opcode = OPCODE(flags);
	q->rd = !!(flags & FLAG_RD);
	q->cd = !!(flags & FLAG_CD);
	if (q->opcode != DNS_OP_QUERY) {
		q->rcode = DNS_RCODE_NOTIMP;
		return DNS_PARSE_NOTIMP;
	}
	qd = rd16(msg + 4);
	an = rd16(msg + 6);
	ns = rd16(msg + 8);
	ar = rd16(msg + 10);
	if (qd != 1)
		return formerr(q);

	n = name_read(msg, len, DNS_HDR_LEN, q->qname, &off);
	if (n < 0 || off + 4 > len)
		return formerr(q);
	q->qname_len = (size_t)n;
	q->qtype = rd16(msg + off);
	q->qclass = rd16(msg + off + 2);
	off += 4;
	if (dns_name_to_text(q->qname, q->name, sizeof(q->name),
			     &q->name_plain) < 0)
		return formerr(q); /* cannot happen: the buffer is big enough */
	q->has_question = true;
	if (q->qtype == DNS_T_OPT)
		return formerr(q);

	for (i = 0; i < (unsigned int)an + ns; i++)
		if (rr_skip(msg, len, &off, false) < 0)
			return formerr(q);
	for (i = 0; i < ar; i++) {
		size_t start = off, rdlen;
		uint32_t ttl;

		if (rr_skip(msg, len, &off, false) < 0)
			return formerr(q);
		/* rr_skip() checked the name and the bounds */
		if (msg[start] != 0 || rd16(msg + start + 1) != DNS_T_OPT) {
			size_t next;

			/* not an OPT RR with the root name; an OPT RR with
			 * another name is malformed (RFC 6891 6.1.1) */
			if (name_read(msg, len, start, NULL, &next) < 0 ||
			    rd16(msg + next) == DNS_T_OPT)
				return formerr(q);
			continue;
		}
		if (q->edns) /* a second OPT RR */
			return formerr(q);
		ttl = rd32(msg + start + 5);
		rdlen = rd16(msg + start + 9);
		if (!opt_options_ok(msg + start + OPT_RR_LEN, rdlen))
			return formerr(q);
		q->edns = true;
		q->edns_size = rd16(msg + start + 3);
		q->edns_version = (ttl >> 16) & 0xff;
		q->edns_do = !!(ttl & 0x8000);
	}
	if (off != len)
		return formerr(q);
	if (q->edns) {
		uint16_t s = q->edns_size;

		if (s < DNS_UDP_MIN)
			s = DNS_UDP_MIN;
		if (s > DNS_EDNS_MAX)
			s = DNS_EDNS_MAX;
		q->udp_size = s;
		if (q->edns_version != 0) {
			q->rcode = DNS_RCODE_BADVERS;
			return DNS_PARSE_BADVERS;
		}
	}
	return DNS_PARSE_OK;
}

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
	while (labels-- && b->ncomp < DNS_COMP_MAX && off <= PTR_MAX_OFF) {
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
			if (lower(b->buf[off + j]) != lower(name[i + j]))
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
			wr16(b->buf + b->len + i, 0xc000 | b->comp[k]);
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
	b->reserve = q->edns ? OPT_RR_LEN : 0;
	if (rcode > 15 && !q->edns)
		rcode = DNS_RCODE_SERVFAIL;
	b->rcode = rcode & 0xfff;

	if (!room(b, DNS_HDR_LEN + (q->has_question ? q->qname_len + 4 : 0))) {
		b->failed = true;
		return;
	}
	flags = FLAG_QR | (uint16_t)(q->opcode & 0xf) << 11 | FLAG_RA |
		(rcode & 0xf);
	if (aa)
		flags |= FLAG_AA;
	if (q->rd)
		flags |= FLAG_RD;
	if (q->cd)
		flags |= FLAG_CD;
	wr16(buf, q->id);
	wr16(buf + 2, flags);
	wr16(buf + 4, q->has_question ? 1 : 0);
	wr16(buf + 6, 0);
	wr16(buf + 8, 0);
	wr16(buf + 10, 0);
	b->len = DNS_HDR_LEN;
	if (q->has_question) {
		size_t labels = 0, i;

		memcpy(buf + b->len, q->qname, q->qname_len);
		for (i = 0; q->qname[i]; i += 1 + (size_t)q->qname[i])
			labels++;
		comp_add(b, b->len, labels);
		b->len += q->qname_len;
		wr16(buf + b->len, q->qtype);
		wr16(buf + b->len + 2, q->qclass);
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
		if (rd16(b->buf + 4) != 1)
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
		wr16(b->buf + b->len, 0xc000 | DNS_HDR_LEN);
		b->len += 2;
	} else if (put_name(b, owner) < 0) {
		goto truncate;
	}
	if (!room(b, RR_FIXED))
		goto truncate;
	wr16(b->buf + b->len, type);
	wr16(b->buf + b->len + 2, DNS_C_IN);
	wr32(b->buf + b->len + 4, ttl);
	b->len += RR_FIXED;
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
	wr16(b->buf + rdpos - 2, (uint16_t)(b->len - rdpos));
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
	wr16(b->buf + 6, b->ancount);
	if (b->tc)
		b->buf[2] |= FLAG_TC >> 8;
	if (b->edns) {
		p = b->buf + b->len;
		p[0] = 0;
		wr16(p + 1, DNS_T_OPT);
		wr16(p + 3, DNS_EDNS_SIZE);
		wr32(p + 5, (uint32_t)(b->rcode >> 4) << 24 |
				(b->edns_do ? 0x8000 : 0));
		wr16(p + 9, 0);
		b->len += OPT_RR_LEN;
		wr16(b->buf + 10, 1);
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

/**
 * dns_msg_set_id() - rewrite the ID of a raw message
 * @msg:	the message
 * @len:	its length
 * @id:		new ID
 *
 * Return: 0, or -1 if @msg is shorter than a header
 */
int dns_msg_set_id(uint8_t *msg, size_t len, uint16_t id)
{
	if (len < DNS_HDR_LEN)
		return -1;
	wr16(msg, id);
	return 0;
}

/**
 * dns_msg_check() - check a raw upstream answer before relaying it
 * @msg:	the answer
 * @len:	its length
 * @q:		the query it answers (its ID: rewrite the answer's ID with
 *		dns_msg_set_id() first if the query went out with another)
 *
 * The answer must be a response with @q's ID and opcode, exactly the
 * question of @q (name compared ignoring case, type, class), and every
 * record and every name in it (also inside CNAME, NS, PTR, DNAME, MX, SRV,
 * SOA data) must be well formed and within bounds, with nothing after the
 * last record.
 *
 * Return: 0 if it can be relayed, else DNS_CHECK_*
 */
int dns_msg_check(const uint8_t *msg, size_t len, const struct dns_query *q)
{
	uint8_t name[DNS_NAME_MAX];
	uint16_t flags;
	unsigned int i, nrr;
	size_t off;

	if (len < DNS_HDR_LEN)
		return DNS_CHECK_SHORT;
	flags = rd16(msg + 2);
	if (!(flags & FLAG_QR))
		return DNS_CHECK_QUERY;
	if (rd16(msg) != q->id)
		return DNS_CHECK_ID;
	if (OPCODE(flags) != q->opcode || rd16(msg + 4) != 1 ||
	    !q->has_question)
		return DNS_CHECK_QUESTION;
	if (name_read(msg, len, DNS_HDR_LEN, name, &off) < 0 || off + 4 > len)
		return DNS_CHECK_FORMAT;
	if (!dns_name_equal(name, q->qname) || rd16(msg + off) != q->qtype ||
	    rd16(msg + off + 2) != q->qclass)
		return DNS_CHECK_QUESTION;
	off += 4;
	nrr = (unsigned int)rd16(msg + 6) + rd16(msg + 8) + rd16(msg + 10);
	for (i = 0; i < nrr; i++)
		if (rr_skip(msg, len, &off, true) < 0)
			return DNS_CHECK_FORMAT;
	if (off != len)
		return DNS_CHECK_FORMAT;
	return 0;
}

/**
 * dns_msg_truncate() - cut a raw answer down for UDP
 * @msg:	the answer (checked with dns_msg_check()), rewritten in place
 * @len:	its length
 * @limit:	the client's UDP limit (@q->udp_size)
 *
 * An answer longer than @limit becomes its header and question with TC
 * set and no records, except its OPT RR, which is kept without options.
 *
 * Return: the new length (@len if it fitted), or 0 if the message is too
 * malformed to cut or even the cut one does not fit
 */
size_t dns_msg_truncate(uint8_t *msg, size_t len, size_t limit)
{
	size_t off, qend, opt = 0;
	unsigned int i, nrr;
	uint16_t qd;
	uint8_t o[OPT_RR_LEN];
	bool has_opt = false;

	if (len <= limit)
		return len;
	if (len < DNS_HDR_LEN)
		return 0;
	qd = rd16(msg + 4);
	if (qd > 1)
		return 0;
	off = DNS_HDR_LEN;
	if (qd == 1) {
		if (name_read(msg, len, off, NULL, &off) < 0 || off + 4 > len)
			return 0;
		off += 4;
	}
	qend = off;
	nrr = (unsigned int)rd16(msg + 6) + rd16(msg + 8);
	for (i = 0; i < nrr; i++)
		if (rr_skip(msg, len, &off, false) < 0)
			return 0;
	for (i = 0; i < rd16(msg + 10); i++) {
		size_t start = off;

		if (rr_skip(msg, len, &off, false) < 0)
			return 0;
		if (!has_opt && msg[start] == 0 &&
		    rd16(msg + start + 1) == DNS_T_OPT) {
			has_opt = true;
			opt = start;
		}
	}
	if (qend + (has_opt ? OPT_RR_LEN : 0) > limit)
		return 0;
	if (has_opt) {
		memcpy(o, msg + opt, OPT_RR_LEN - 2);
		wr16(o + 9, 0);
		memcpy(msg + qend, o, OPT_RR_LEN);
		qend += OPT_RR_LEN;
	}
	wr16(msg + 6, 0);
	wr16(msg + 8, 0);
	wr16(msg + 10, has_opt ? 1 : 0);
	msg[2] |= FLAG_TC >> 8;
	return qend;
}
