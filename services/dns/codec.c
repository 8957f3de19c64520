/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * codec.c - the DNS wire codec: a strict parser for queries from guests,
 * checks and rewrites of raw upstream answers (ID, truncation by whole
 * sections), and name conversions.  RFC 1035, 2181 (truncation), 6891
 * (EDNS0). The answer builder is in build.c.
 *
 * Every byte read is bounds-checked; names are limited to 63-byte labels
 * and 255 bytes; compression pointers must point strictly before the run of
 * labels they sit in (and past the header), so loops and forward pointers
 * are impossible.  No allocation, no global state.
 */
#include <stdio.h>
#include <string.h>

#include "services/dns/codec_int.h"
#include "services/dns/dns.h"

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
			if (dns_lower(a[i + j]) != dns_lower(b[i + j]))
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
	if (next + DNS_RR_FIXED > len)
		return -1;
	type = be16_get(msg + next);
	rdlen = be16_get(msg + next + 8);
	next += DNS_RR_FIXED;
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
		pos += 4 + (size_t)be16_get(p + pos + 2);
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
 * DNS_PARSE_RESPONSE), DNS_OPCODE (not QUERY: DNS_PARSE_NOTIMP), QDCOUNT == 1,
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
	flags = be16_get(msg + 2);
	if (flags & DNS_FLAG_QR)
		return DNS_PARSE_RESPONSE;
	q->id = be16_get(msg);
	q->opcode = DNS_OPCODE(flags);
	q->rd = !!(flags & DNS_FLAG_RD);
	q->cd = !!(flags & DNS_FLAG_CD);
	if (q->opcode != DNS_OP_QUERY) {
		q->rcode = DNS_RCODE_NOTIMP;
		return DNS_PARSE_NOTIMP;
	}
	qd = be16_get(msg + 4);
	an = be16_get(msg + 6);
	ns = be16_get(msg + 8);
	ar = be16_get(msg + 10);
	if (qd != 1)
		return formerr(q);

	n = name_read(msg, len, DNS_HDR_LEN, q->qname, &off);
	if (n < 0 || off + 4 > len)
		return formerr(q);
	q->qname_len = (size_t)n;
	q->qtype = be16_get(msg + off);
	q->qclass = be16_get(msg + off + 2);
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
		if (msg[start] != 0 || be16_get(msg + start + 1) != DNS_T_OPT) {
			size_t next;

			/* not an OPT RR with the root name; an OPT RR with
			 * another name is malformed (RFC 6891 6.1.1) */
			if (name_read(msg, len, start, NULL, &next) < 0 ||
			    be16_get(msg + next) == DNS_T_OPT)
				return formerr(q);
			continue;
		}
		if (q->edns) /* a second OPT RR */
			return formerr(q);
		ttl = be32_get(msg + start + 5);
		rdlen = be16_get(msg + start + 9);
		if (!opt_options_ok(msg + start + DNS_OPT_RR_LEN, rdlen))
			return formerr(q);
		q->edns = true;
		q->edns_size = be16_get(msg + start + 3);
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
	be16_put(msg, id);
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
	flags = be16_get(msg + 2);
	if (!(flags & DNS_FLAG_QR))
		return DNS_CHECK_QUERY;
	if (be16_get(msg) != q->id)
		return DNS_CHECK_ID;
	if (DNS_OPCODE(flags) != q->opcode || be16_get(msg + 4) != 1 ||
	    !q->has_question)
		return DNS_CHECK_QUESTION;
	if (name_read(msg, len, DNS_HDR_LEN, name, &off) < 0 || off + 4 > len)
		return DNS_CHECK_FORMAT;
	if (!dns_name_equal(name, q->qname) ||
	    be16_get(msg + off) != q->qtype ||
	    be16_get(msg + off + 2) != q->qclass)
		return DNS_CHECK_QUESTION;
	off += 4;
	nrr = (unsigned int)be16_get(msg + 6) + be16_get(msg + 8) +
	      be16_get(msg + 10);
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
	uint8_t o[DNS_OPT_RR_LEN];
	bool has_opt = false;

	if (len <= limit)
		return len;
	if (len < DNS_HDR_LEN)
		return 0;
	qd = be16_get(msg + 4);
	if (qd > 1)
		return 0;
	off = DNS_HDR_LEN;
	if (qd == 1) {
		if (name_read(msg, len, off, NULL, &off) < 0 || off + 4 > len)
			return 0;
		off += 4;
	}
	qend = off;
	nrr = (unsigned int)be16_get(msg + 6) + be16_get(msg + 8);
	for (i = 0; i < nrr; i++)
		if (rr_skip(msg, len, &off, false) < 0)
			return 0;
	for (i = 0; i < be16_get(msg + 10); i++) {
		size_t start = off;

		if (rr_skip(msg, len, &off, false) < 0)
			return 0;
		if (!has_opt && msg[start] == 0 &&
		    be16_get(msg + start + 1) == DNS_T_OPT) {
			has_opt = true;
			opt = start;
		}
	}
	if (qend + (has_opt ? DNS_OPT_RR_LEN : 0) > limit)
		return 0;
	if (has_opt) {
		memcpy(o, msg + opt, DNS_OPT_RR_LEN - 2);
		be16_put(o + 9, 0);
		memcpy(msg + qend, o, DNS_OPT_RR_LEN);
		qend += DNS_OPT_RR_LEN;
	}
	be16_put(msg + 6, 0);
	be16_put(msg + 8, 0);
	be16_put(msg + 10, has_opt ? 1 : 0);
	msg[2] |= DNS_FLAG_TC >> 8;
	return qend;
}
