/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * options_value.c - the values of command-line options: numbers, the
 * IPv4 subnet and the IPv6 prefix (and the unique-local one a user-v2
 * network derives from its name), addresses with ports, --forward and
 * --tap. Each parser checks its value whole and says what is wrong with
 * it; options.c applies them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/options.h"

/**
 * cfg_parse_int() - parse a decimal integer within [@min, @max]
 * @s:		the text
 * @min:	the least value allowed
 * @max:	the greatest value allowed
 * @out:	set to the value on success
 *
 * Return: 0, or -1 if @s is not such a number
 */
int cfg_parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/**
 * cfg_parse_cidr() - parse the --subnet value
 * @s:		"A.B.C.D/N"
 * @net:	subnet and prefix set on success
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * The prefix must leave room for .15, the first guest, and a broadcast
 * address after it: /8 to /27. Host bits must be zero.
 *
 * Return: 0, or -1 with a message in @err
 */
int cfg_parse_cidr(const char *s, struct net_config *net, char *err,
		   size_t errlen)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	uint32_t mask;
	long prefix;

	if (!slash || (size_t)(slash - s) >= sizeof(addr)) {
		snprintf(err, errlen, "--subnet %s: expected A.B.C.D/N", s);
		return -1;
	}
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_pton(AF_INET, addr, &a) != 1 ||
	    cfg_parse_int(slash + 1, 0, 32, &prefix)) {
		snprintf(err, errlen, "--subnet %s: expected A.B.C.D/N", s);
		return -1;
	}
	if (prefix < 8 || prefix > 29) {
		snprintf(err, errlen, "--subnet %s: prefix must be /8 to /29",
			 s);
		return -1;
	}
	mask = ~0U << (32 - prefix);
	if (ntohl(a.s_addr) & ~mask) {
		snprintf(err, errlen, "--subnet %s: host bits are set", s);
		return -1;
	}
	net->subnet = a;
	net->prefix = (int)prefix;
	return 0;
}

/**
 * cfg_parse_prefix6() - parse the --ipv6-prefix value
 * @s:		"fd00:1:2:3::/64", or without "/64"
 * @p:		set to the prefix on success
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Guests configure their addresses by SLAAC, which needs a /64; the host
 * bits must be zero, and the prefix unicast.
 *
 * Return: 0, or -1 with a message in @err
 */
int cfg_parse_prefix6(const char *s, struct in6_addr *p, char *err,
		      size_t errlen)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	struct in6_addr a;
	int i;

	if (n >= sizeof(addr) || (slash && strcmp(slash, "/64")))
		goto bad;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET6, addr, &a) != 1)
		goto bad;
	for (i = 8; i < 16; i++)
		if (a.s6_addr[i])
			goto bad;
	if (a.s6_addr[0] == 0xff ||
	    (a.s6_addr[0] == 0xfe && (a.s6_addr[1] & 0xc0) == 0x80) ||
	    IN6_IS_ADDR_UNSPECIFIED(&a))
		goto bad;
	*p = a;
	return 0;
bad:
	snprintf(err, errlen,
		 "--ipv6-prefix %s: expected a unicast /64, host bits zero "
		 "(fd00:1:2:3::/64)",
		 s);
	return -1;
}

/**
 * cfg_parse_ip() - an address of a forward: IPv4, or IPv6 in brackets
 * @s:		the text, untrusted
 * @a:		set on success
 * @why:	set to the reason on failure
 * @whylen:	its size
 *
 * Brackets keep an IPv6 address apart from the port that follows it, as in
 * URLs (RFC 3986) and Go's net.SplitHostPort; a zone (fe80::1%eth0) names a
 * host interface, which a forward to the guests has no use for.
 *
 * Return: 0, or -1 with a message in @why
 */
int cfg_parse_ip(const char *s, struct gw_addr *a, char *why, size_t whylen)
{
	char in[INET6_ADDRSTRLEN];
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	if (!s[0]) {
		snprintf(why, whylen,
			 "no address (an IPv6 address goes in brackets: "
			 "[::1])");
		return -1;
	}
	if (s[0] != '[') {
		if (strchr(s, ':') || strchr(s, ']')) {
			snprintf(why, whylen,
				 "an IPv6 address goes in brackets: [::1]");
			return -1;
		}
		a->family = AF_INET;
		if (inet_pton(AF_INET, s, &a->v4) == 1)
			return 0;
		snprintf(why, whylen, "\"%.48s\" is not an IPv4 address", s);
		return -1;
	}
	if (n < 2 || s[n - 1] != ']') {
		snprintf(why, whylen, "\"%.48s\": '[' without its ']'", s);
		return -1;
	}
	if (memchr(s, '%', n)) {
		snprintf(why, whylen,
			 "\"%.48s\": zone ids (%%IFNAME) are not supported", s);
		return -1;
	}
	if (n - 2 >= sizeof(in)) {
		snprintf(why, whylen, "\"%.48s\" is not an IPv6 address", s);
		return -1;
	}
	memcpy(in, s + 1, n - 2);
	in[n - 2] = '\0';
	a->family = AF_INET6;
	if (inet_pton(AF_INET6, in, &a->v6) == 1)
		return 0;
	snprintf(why, whylen, "\"%.48s\" is not an IPv6 address", s);
	return -1;
}

/**
 * cfg_parse_hostport() - "ADDR:PORT": an IPv4 address, or an IPv6 one in
 * brackets ("[::1]:2222"), then a port
 * @s:			the text, untrusted
 * @empty_host_ok:	":PORT" is allowed and means 0.0.0.0
 * @a:			set to the address
 * @port:		set to the port, 1 to 65535
 * @why:		set to the reason on failure
 * @whylen:		its size
 *
 * Return: 0, or -1 with a message in @why
 */
int cfg_parse_hostport(const char *s, int empty_host_ok, struct gw_addr *a,
		       uint16_t *port, char *why, size_t whylen)
{
	const char *colon = strrchr(s, ':'), *close = strchr(s, ']');
	char host[INET6_ADDRSTRLEN + 3];
	long p;

	if (s[0] == '[' && (!close || close[1] != ':')) {
		snprintf(why, whylen, "expected [IPV6ADDR]:PORT");
		return -1;
	}
	if (!colon || (size_t)(colon - s) >= sizeof(host)) {
		snprintf(why, whylen, "expected ADDR:PORT");
		return -1;
	}
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (cfg_parse_int(colon + 1, 1, 65535, &p)) {
		snprintf(why, whylen, "the port must be 1 to 65535");
		return -1;
	}
	*port = (uint16_t)p;
	if (!host[0] && empty_host_ok) {
		memset(a, 0, sizeof(*a));
		a->family = AF_INET;
		a->v4.s_addr = htonl(INADDR_ANY);
		return 0;
	}
	return cfg_parse_ip(host, a, why, whylen);
}

/**
 * cfg_fwd_fields() - split a --forward value at its colons, an IPv6
 * address in brackets being one field with its colons
 * @buf:	the value, split in place
 * @field:	set to the fields
 * @max:	room in @field
 * @why:	set to the reason on failure
 * @whylen:	its size
 *
 * Return: the number of fields, or -1 with a message in @why (more than
 * @max, or a '[' whose ']' does not end its field)
 */
static int cfg_fwd_fields(char *buf, char **field, int max, char *why,
			  size_t whylen)
{
	char *p = buf, *end;
	int n = 0;

	for (;;) {
		if (n == max) {
			snprintf(why, whylen,
				 "too many fields (an IPv6 address goes in "
				 "brackets)");
			return -1;
		}
		field[n++] = p;
		end = *p == '[' ? strchr(p, ']') : p;
		if (!end || (end != p && end[1] != ':' && end[1])) {
			snprintf(why, whylen, "'[' without its ']' before ':'");
			return -1;
		}
		end = strchr(end, ':');
		if (!end)
			return n;
		*end = '\0';
		p = end + 1;
	}
}

/**
 * cfg_ula_prefix() - the unique-local /64 of a user-v2 network
 * @name:	the network's name (networks.yaml)
 * @prefix:	set to fdXX:XXXX:XXXX::/64
 *
 * RFC 4193 asks for a pseudo-random global ID; a hash of the name gives
 * one that stays the same across restarts, as the guests' addresses
 * should, and differs between networks (FNV-1a, 64 bits, of which 40
 * are used). The subnet ID is 0.
 */
void cfg_ula_prefix(const char *name, struct in6_addr *prefix)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *p;
	int i;

	for (p = "usernetd user-v2 "; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	for (p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	memset(prefix, 0, sizeof(*prefix));
	prefix->s6_addr[0] = 0xfd;
	for (i = 0; i < 5; i++)
		prefix->s6_addr[1 + i] = (uint8_t)(h >> (8 * i));
}

/**
 * cfg_parse_forward() - parse a --forward value
 * @s:		"tcp:127.0.0.1:2222:22", "udp:...", with the guest's address
 *		"tcp:127.0.0.1:2222:192.168.104.4:22", and IPv6 addresses in
 *		brackets: "tcp:[::1]:2222:[fec0::5055:55ff:fe12:3456]:22"
 * @f:		set on success; with no guest address, @f->gaddr is
 *		0.0.0.0: the first guest's IPv4 address (.15)
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * A forward may join a host address of one family to a guest address of
 * the other (the gateway relays it).
 *
 * Return: 0, or -1 with a message in @err
 */
int cfg_parse_forward(const char *s, struct net_forward *f, char *err,
		      size_t errlen)
{
	char buf[128], why[96] = "", *fld[5];
	long hp, gp;
	int n;

	if (strlen(s) >= sizeof(buf)) {
		snprintf(why, sizeof(why), "too long");
		goto bad;
	}
	strcpy(buf, s);
	n = cfg_fwd_fields(buf, fld, 5, why, sizeof(why));
	if (n < 0)
		goto bad;
	if (n < 4) {
		snprintf(why, sizeof(why), "too few fields");
		goto bad;
	}
	if (!strcmp(fld[0], "tcp") || !strcmp(fld[0], "udp")) {
		f->udp = !strcmp(fld[0], "udp");
	} else {
		snprintf(why, sizeof(why), "the protocol is tcp or udp");
		goto bad;
	}
	if (cfg_parse_ip(fld[1], &f->haddr, why, sizeof(why)))
		goto bad;
	memset(&f->gaddr, 0, sizeof(f->gaddr));
	f->gaddr.family = AF_INET;
	if (n == 5 && cfg_parse_ip(fld[3], &f->gaddr, why, sizeof(why)))
		goto bad;
	if (cfg_parse_int(fld[2], 1, 65535, &hp) ||
	    cfg_parse_int(fld[n - 1], 1, 65535, &gp)) {
		snprintf(why, sizeof(why), "a port is 1 to 65535");
		goto bad;
	}
	f->hport = (uint16_t)hp;
	f->gport = (uint16_t)gp;
	return 0;
bad:
	snprintf(err, errlen,
		 "--forward %s: %s; expected tcp|udp:HOSTADDR:HOSTPORT:"
		 "[GUESTADDR:]GUESTPORT, IPv6 addresses in brackets",
		 s, why);
	return -1;
}

/**
 * cfg_parse_tap() - parse a --tap value, NETNS:IFNAME
 * @s:		the value
 * @t:		set on success
 * @err:	set to the reason on failure
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message in @err
 */
int cfg_parse_tap(const char *s, struct cfg_tap *t, char *err, size_t errlen)
{
	const char *colon = strrchr(s, ':');

	if (!colon || colon == s || !colon[1] ||
	    (size_t)(colon - s) >= sizeof(t->netns) ||
	    strlen(colon + 1) >= sizeof(t->ifname)) {
		snprintf(err, errlen,
			 "--tap %s: expected NETNS:IFNAME (IFNAME up to 15 "
			 "characters)",
			 s);
		return -1;
	}
	memcpy(t->netns, s, (size_t)(colon - s));
	t->netns[colon - s] = '\0';
	strcpy(t->ifname, colon + 1);
	return 0;
}
