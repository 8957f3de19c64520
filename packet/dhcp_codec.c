/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcp_codec.c - the DHCP server's message codec (see dhcp_int.h): a
 * BOOTREQUEST checked and parsed strictly (RFC 2131, option overload from
 * RFC 2131 4.1), a BOOTREPLY built with the options of RFC 2132, and the
 * domain search options 15 and 119 (RFC 3397, split as RFC 3396 says)
 * encoded once at start. Every message is untrusted bytes from a guest:
 * what does not parse is dropped and counted.
 */
#include <arpa/inet.h>
#include <string.h>

#include "packet/dhcp_int.h"

#define DHCP_OP_REQUEST	 1
#define DHCP_OP_REPLY	 2
#define DHCP_HTYPE_ETHER 1
#define DHCP_REPLY_MIN	 300 /* BOOTP minimum, some clients need it */

/* Fixed BOOTP header offsets */
#define DHCP_OFF_OP	 0
#define DHCP_OFF_HTYPE	 1
#define DHCP_OFF_HLEN	 2
#define DHCP_OFF_XID	 4
#define DHCP_OFF_FLAGS	 10
#define DHCP_OFF_CIADDR	 12
#define DHCP_OFF_YIADDR	 16
#define DHCP_OFF_GIADDR	 24
#define DHCP_OFF_CHADDR	 28
#define DHCP_OFF_SNAME	 44
#define DHCP_OFF_FILE	 108
#define DHCP_OFF_COOKIE	 236
#define DHCP_OFF_OPTIONS 240
#define DHCP_SNAME_LEN	 64
#define DHCP_FILE_LEN	 128

static const uint8_t dhcp_cookie[4] = {99, 130, 83, 99};

/**
 * dhcp_put32() - write a big-endian 32-bit value
 * @p:		4 bytes
 * @v:		the value, host byte order
 */
static void dhcp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/**
 * dhcp_set_hostname() - store option 12 in @dst if it is a valid label
 * @dst:	DHCP_HOSTNAME_MAX + 1 bytes
 * @p:		option value
 * @len:	its length
 *
 * Trailing NULs are ignored, a domain part is cut off, the label must be
 * letters, digits and inner hyphens; it is stored in lower case. Anything
 * else leaves @dst unchanged: a bad hostname is no reason to refuse an
 * address.
 */
void dhcp_set_hostname(char *dst, const uint8_t *p, size_t len)
{
	size_t n = len, i;

	if (!p)
		return;
	while (n && p[n - 1] == '\0')
		n--;
	for (i = 0; i < n && p[i] != '.'; i++)
		;
	n = i;
	if (n == 0 || n > DHCP_HOSTNAME_MAX || p[0] == '-' || p[n - 1] == '-')
		return;
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return;
	}
	for (i = 0; i < n; i++)
		dst[i] =
		    (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
	dst[n] = '\0';
}

/**
 * dhcp_parse_area() - parse one area of options into @m->opt
 * @m:		message being parsed
 * @p:		area
 * @len:	its length
 * @main:	1 for the options field, 0 for overloaded file and sname
 *
 * Return: 0, or -1 when an option overflows the area, an option appears
 * twice, option 52 appears in an overloaded area, or END is missing
 */
static int dhcp_parse_area(struct dhcp_msg *m, const uint8_t *p, size_t len,
			   int main)
{
	size_t i = 0, olen;
	uint8_t code;

	while (i < len) {
		code = p[i];
		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return 0;
		if (len - i < 2)
			return -1;
		olen = p[i + 1];
		if (olen > len - i - 2)
			return -1;
		if (m->opt[code].p || (code == OPT_OVERLOAD && !main))
			return -1;
		m->opt[code].p = p + i + 2;
		m->opt[code].len = olen;
		i += 2 + olen;
	}
	return -1;
}

/**
 * dhcp_parse() - check and parse a BOOTREQUEST
 * @d:		server, whose drop counters count a refusal
 * @msg:	UDP payload, untrusted
 * @len:	its length
 * @m:		filled on success; its options point into @msg
 *
 * Return: 0, or -1 after counting why it was dropped
 */
int dhcp_parse(struct dhcp *d, const uint8_t *msg, size_t len,
	       struct dhcp_msg *m)
{
	static const struct {
		uint8_t code;
		uint8_t min;
		uint8_t max;
	} lens[] = {
	    {OPT_MSG_TYPE, 1, 1},  {OPT_REQUESTED_IP, 4, 4},
	    {OPT_SERVER_ID, 4, 4}, {OPT_LEASE_TIME, 4, 4},
	    {OPT_OVERLOAD, 1, 1},  {OPT_HOSTNAME, 1, 255},
	};
	const struct dhcp_opt *ov;
	size_t i;

	if (len < DHCP_MSG_MIN || len > DHCP_MSG_MAX) {
		d->stats.drop_size++;
		return -1;
	}
	if (msg[DHCP_OFF_OP] != DHCP_OP_REQUEST ||
	    msg[DHCP_OFF_HTYPE] != DHCP_HTYPE_ETHER ||
	    msg[DHCP_OFF_HLEN] != 6 || !dhcp_mac_ok(msg + DHCP_OFF_CHADDR)) {
		d->stats.drop_header++;
		return -1;
	}
	if (memcmp(msg + DHCP_OFF_COOKIE, dhcp_cookie, 4)) {
		d->stats.drop_cookie++;
		return -1;
	}
	if (dhcp_get32(msg + DHCP_OFF_GIADDR)) {
		d->stats.drop_relay++;
		return -1;
	}

	memset(m, 0, sizeof(*m));
	memcpy(&m->xid, msg + DHCP_OFF_XID, 4);
	memcpy(&m->flags, msg + DHCP_OFF_FLAGS, 2);
	m->ciaddr = dhcp_get32(msg + DHCP_OFF_CIADDR);
	memcpy(m->chaddr, msg + DHCP_OFF_CHADDR, 16);

	if (dhcp_parse_area(m, msg + DHCP_OFF_OPTIONS, len - DHCP_OFF_OPTIONS,
			    1))
		goto bad;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		const struct dhcp_opt *o = &m->opt[lens[i].code];

		if (o->p && (o->len < lens[i].min || o->len > lens[i].max))
			goto bad;
	}
	ov = &m->opt[OPT_OVERLOAD];
	if (ov->p) {
		/* RFC 2131 4.1: file first, then sname */
		if (ov->p[0] < 1 || ov->p[0] > 3)
			goto bad;
		if ((ov->p[0] & 1) &&
		    dhcp_parse_area(m, msg + DHCP_OFF_FILE, DHCP_FILE_LEN, 0))
			goto bad;
		if ((ov->p[0] & 2) &&
		    dhcp_parse_area(m, msg + DHCP_OFF_SNAME, DHCP_SNAME_LEN, 0))
			goto bad;
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			const struct dhcp_opt *o = &m->opt[lens[i].code];

			if (o->p &&
			    (o->len < lens[i].min || o->len > lens[i].max))
				goto bad;
		}
	}

	if (!m->opt[OPT_MSG_TYPE].p) {
		d->stats.drop_type++;
		return -1;
	}
	m->type = m->opt[OPT_MSG_TYPE].p[0];
	switch (m->type) {
	case DHCP_DISCOVER:
	case DHCP_REQUEST:
	case DHCP_DECLINE:
	case DHCP_RELEASE:
	case DHCP_INFORM:
		return 0;
	default:
		d->stats.drop_type++;
		return -1;
	}
bad:
	d->stats.drop_options++;
	return -1;
}

/**
 * struct dhcp_out - reply being written
 * @p:		buffer
 * @cap:	its size
 * @len:	bytes written
 * @overflow:	set when something did not fit
 */
struct dhcp_out {
	uint8_t *p;
	size_t cap;
	size_t len;
	int overflow;
};

/**
 * dhcp_put() - append raw bytes to the reply
 * @o:		the reply
 * @v:		bytes
 * @len:	how many
 */
static void dhcp_put(struct dhcp_out *o, const void *v, size_t len)
{
	if (o->overflow || len > o->cap - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->p + o->len, v, len);
	o->len += len;
}

/**
 * dhcp_put_opt() - append option @code with a value of @len bytes
 * @o:		the reply
 * @code:	option code
 * @v:		its value
 * @len:	its length, at most 255
 */
static void dhcp_put_opt(struct dhcp_out *o, uint8_t code, const void *v,
			 size_t len)
{
	uint8_t h[2] = {code, (uint8_t)len};

	dhcp_put(o, h, 2);
	dhcp_put(o, v, len);
}

/**
 * dhcp_put_opt32() - append a 4-byte option, @v in host byte order
 * @o:		the reply
 * @code:	option code
 * @v:		its value, host byte order
 */
static void dhcp_put_opt32(struct dhcp_out *o, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	dhcp_put32(b, v);
	dhcp_put_opt(o, code, b, 4);
}

/**
 * dhcp_build() - write a BOOTREPLY
 * @d:		server
 * @m:		request
 * @type:	DHCP_OFFER, DHCP_ACK or DHCP_NAK
 * @yiaddr:	address given, host order (0 for NAK and INFORM)
 * @lease:	send lease time options (OFFER, ACK to a REQUEST)
 * @reply:	buffer
 * @cap:	its size
 *
 * Return: length, 0 if @cap is too small
 */
size_t dhcp_build(struct dhcp *d, const struct dhcp_msg *m, uint8_t type,
		  uint32_t yiaddr, int lease, uint8_t *reply, size_t cap)
{
	struct dhcp_out o = {reply, cap, 0, 0};
	uint8_t end = OPT_END;

	if (cap < DHCP_REPLY_MIN)
		goto small;
	memset(reply, 0, DHCP_REPLY_MIN);
	reply[DHCP_OFF_OP] = DHCP_OP_REPLY;
	reply[DHCP_OFF_HTYPE] = DHCP_HTYPE_ETHER;
	reply[DHCP_OFF_HLEN] = 6;
	memcpy(reply + DHCP_OFF_XID, &m->xid, 4);
	memcpy(reply + DHCP_OFF_FLAGS, &m->flags, 2);
	if (type == DHCP_ACK)
		dhcp_put32(reply + DHCP_OFF_CIADDR, m->ciaddr);
	dhcp_put32(reply + DHCP_OFF_YIADDR, yiaddr);
	memcpy(reply + DHCP_OFF_CHADDR, m->chaddr, 16);
	memcpy(reply + DHCP_OFF_COOKIE, dhcp_cookie, 4);
	o.len = DHCP_OFF_OPTIONS;

	dhcp_put_opt(&o, OPT_MSG_TYPE, &type, 1);
	dhcp_put_opt32(&o, OPT_SERVER_ID, ntohl(d->cfg.server_id.s_addr));
	if (type == DHCP_NAK) {
		static const char why[] = "address not available";

		dhcp_put_opt(&o, OPT_MESSAGE, why, sizeof(why) - 1);
	} else {
		if (lease) {
			dhcp_put_opt32(&o, OPT_LEASE_TIME, d->lease_time);
			dhcp_put_opt32(&o, OPT_T1, d->lease_time / 2);
			dhcp_put_opt32(
			    &o, OPT_T2,
			    (uint32_t)((uint64_t)d->lease_time * 7 / 8));
		}
		dhcp_put_opt32(&o, OPT_SUBNET_MASK, d->mask);
		if (d->cfg.router.s_addr)
			dhcp_put_opt32(&o, OPT_ROUTER,
				       ntohl(d->cfg.router.s_addr));
		if (d->cfg.dns.s_addr)
			dhcp_put_opt32(&o, OPT_DNS, ntohl(d->cfg.dns.s_addr));
		if (d->cfg.mtu) {
			uint8_t b[2] = {(uint8_t)(d->cfg.mtu >> 8),
					(uint8_t)d->cfg.mtu};

			dhcp_put_opt(&o, OPT_MTU, b, 2);
		}
		dhcp_put(&o, d->search, d->search_len);
	}
	dhcp_put(&o, &end, 1);
	if (o.overflow)
		goto small;
	return o.len < DHCP_REPLY_MIN ? DHCP_REPLY_MIN : o.len;
small:
	d->stats.drop_reply_space++;
	return 0;
}

/**
 * dhcp_encode_search() - encode options 15 and 119 from the search list
 * @d:		server: @d->search and @d->search_len set
 * @list:	names separated by spaces, commas or tabs; NULL for none
 *
 * Return: 0, or -1 for an invalid or too long list
 */
int dhcp_encode_search(struct dhcp *d, const char *list)
{
	uint8_t enc[DHCP_SEARCH_MAX];
	const char *first = NULL;
	size_t elen = 0, flen = 0, off, chunk;
	const char *p = list, *name, *lab;
	size_t nlen, llen;
	struct dhcp_out o = {d->search, sizeof(d->search), 0, 0};

	while (p && *p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		name = p;
		while (*p && *p != ' ' && *p != ',' && *p != '\t')
			p++;
		nlen = (size_t)(p - name);
		if (name[nlen - 1] == '.')
			nlen--;
		if (!nlen || nlen > 253)
			return -1;
		if (!first) {
			first = name;
			flen = nlen;
		}
		for (lab = name; lab < name + nlen; lab += llen + 1) {
			const char *c;

			for (c = lab; c < name + nlen && *c != '.'; c++)
				if (!((*c >= 'a' && *c <= 'z') ||
				      (*c >= 'A' && *c <= 'Z') ||
				      (*c >= '0' && *c <= '9') || *c == '-' ||
				      *c == '_'))
					return -1;
			llen = (size_t)(c - lab);
			if (!llen || llen > 63 ||
			    elen + 1 + llen >= sizeof(enc))
				return -1;
			enc[elen++] = (uint8_t)llen;
			memcpy(enc + elen, lab, llen);
			elen += llen;
		}
		if (elen + 1 > sizeof(enc))
			return -1;
		enc[elen++] = 0;
	}
	if (!first)
		return 0;
	dhcp_put_opt(&o, OPT_DOMAIN_NAME, first, flen);
	/* RFC 3396: a long option is split into consecutive instances */
	for (off = 0; off < elen; off += chunk) {
		chunk = elen - off > 255 ? 255 : elen - off;
		dhcp_put_opt(&o, OPT_DOMAIN_SEARCH, enc + off, chunk);
	}
	if (o.overflow)
		return -1;
	d->search_len = o.len;
	return 0;
}

/**
 * dhcp_reply_type() - the message type of a reply dhcp_build() wrote
 * @reply:	the reply
 *
 * Return: DHCP_OFFER, DHCP_ACK or DHCP_NAK (option 53 comes first)
 */
uint8_t dhcp_reply_type(const uint8_t *reply)
{
	return reply[DHCP_OFF_OPTIONS + 2];
}
