/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_l2guard.c - what a guest's frame may not carry onto the LAN
 * (packet/l2guard.c): VLAN tags of three kinds; IPv6 router
 * advertisements, redirects and DHCPv6 server messages, plain and behind
 * hop-by-hop, destination options, routing, AH and fragment headers;
 * neighbour advertisements for the network's own addresses, and packets
 * from them; first fragments that hide their upper-layer header; what
 * must pass (ARP, IPv4, neighbour solicitations and advertisements for
 * other addresses, later fragments, DHCPv6 from clients, Ethernet
 * padding); multicast sources, and the unspecified source outside DAD
 * and MLD reports; neighbour discovery link-layer options naming another
 * MAC; what l2g_check() reports of a packet (source, ND target, ICMPv6
 * type); IPv6 martians on the way to the gateway (l2g_martian6(),
 * table-driven). Every truncation of every frame is judged without
 * reading past it: each frame is a heap block of its exact length, for
 * ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "packet/l2guard.h"

#define ETH  14
#define IP6  40
#define MAXF 512

static const uint8_t gw_mac[6] = {0x52, 0x55, 0xc0, 0xa8, 0x05, 0x02};
static const uint8_t svc_mac[6] = {0x52, 0x55, 0xc0, 0xa8, 0x05, 0x03};

/**
 * struct pkt - an IPv6 frame under construction
 * @b:		the bytes
 * @len:	used
 * @nh:		where the last "next header" field is, to chain the next
 */
struct pkt {
	uint8_t b[MAXF];
	size_t len;
	size_t nh;
};

/**
 * ip6() - start an IPv6 frame from fe80::1 (or @src) to ff02::1
 * @p:		the frame
 * @src:	16-byte source, or NULL for fe80::1
 */
static void ip6(struct pkt *p, const uint8_t *src)
{
	memset(p, 0, sizeof(*p));
	memset(p->b, 0xff, 6);
	memcpy(p->b + 6, "\x52\x55\x55\x00\x00\x01", 6);
	p->b[12] = 0x86;
	p->b[13] = 0xdd;
	p->b[ETH] = 0x60;
	p->b[ETH + 7] = 255;
	if (src) {
		memcpy(p->b + ETH + 8, src, 16);
	} else {
		p->b[ETH + 8] = 0xfe;
		p->b[ETH + 9] = 0x80;
		p->b[ETH + 23] = 1;
	}
	p->b[ETH + 24] = 0xff;
	p->b[ETH + 25] = 0x02;
	p->b[ETH + 39] = 1;
	p->nh = ETH + 6;
	p->len = ETH + IP6;
}

/**
 * add() - append a header or payload, chained as next header @type
 * @p:		the frame
 * @type:	its protocol number, written into the previous header
 * @data:	its bytes
 * @n:		how many
 */
static void add(struct pkt *p, uint8_t type, const void *data, size_t n)
{
	p->b[p->nh] = type;
	p->nh = p->len; /* an extension header's next header is its byte 0 */
	memcpy(p->b + p->len, data, n);
	p->len += n;
	p->b[ETH + 4] = (uint8_t)((p->len - ETH - IP6) >> 8);
	p->b[ETH + 5] = (uint8_t)(p->len - ETH - IP6);
}

/**
 * opts() - an 8-byte options header (hop-by-hop or destination: PadN)
 * @p:		packet to append to
 * @type:	its protocol number (0 hop-by-hop, 60 destination options)
 */
static void opts(struct pkt *p, uint8_t type)
{
	static const uint8_t h[8] = {0, 0, 1, 4, 0, 0, 0, 0};

	add(p, type, h, sizeof(h));
}

/**
 * frag() - a fragment header: offset in bytes, more fragments
 * @p:		packet to append to
 * @off:	fragment offset in bytes
 * @mf:		non-zero for more fragments
 */
static void frag(struct pkt *p, unsigned off, int mf)
{
	uint8_t h[8] = {
	    0, 0, (uint8_t)(off >> 8), (uint8_t)((off & 0xf8) | !!mf), 1, 2,
	    3, 4};

	add(p, 44, h, sizeof(h));
}

/**
 * icmp6() - an ICMPv6 message of @type with @n bytes in all (target at 8)
 * @p:		packet to append to
 * @type:	ICMPv6 type
 * @n:		message length, at most 64
 * @tgt:	target address written at offset 8, or NULL
 */
static void icmp6(struct pkt *p, uint8_t type, size_t n, const uint8_t *tgt)
{
	uint8_t m[64] = {type};

	if (tgt)
		memcpy(m + 8, tgt, 16);
	add(p, 58, m, n);
}

/**
 * udp() - a UDP header from @sport to @dport with 4 bytes of payload
 * @p:		packet to append to
 * @sport:	source port
 * @dport:	destination port
 */
static void udp(struct pkt *p, unsigned sport, unsigned dport)
{
	uint8_t u[12] = {(uint8_t)(sport >> 8),
			 (uint8_t)sport,
			 (uint8_t)(dport >> 8),
			 (uint8_t)dport,
			 0,
			 12};

	add(p, 17, u, sizeof(u));
}

/**
 * own() - the network's addresses: the link-local of the gateway's and
 * the services host's MACs
 * @a:		set to those two addresses
 */
static void own(struct l2g_addrs *a)
{
	struct in6_addr x = IN6ADDR_ANY_INIT;

	memset(a, 0, sizeof(*a));
	l2g_link_local(gw_mac, &x);
	assert_int_equal(l2g_add(a, &x), 0);
	l2g_link_local(svc_mac, &x);
	assert_int_equal(l2g_add(a, &x), 0);
}

/**
 * judge() - l2g_check() on a heap copy of exactly @len bytes of @f
 * @f:		the frame
 * @len:	how many of its bytes
 *
 * Return: l2g_check()'s verdict
 */
static enum l2g_verdict judge(const uint8_t *f, size_t len)
{
	struct l2g_addrs a;
	uint8_t *c = malloc(len ? len : 1);
	enum l2g_verdict v;

	own(&a);
	memcpy(c, f, len);
	v = l2g_check(&a, c, len, NULL);
	free(c);
	return v;
}

/**
 * truncations() - every prefix of @p is judged; a prefix that cuts into
 * what decided @want must not pass as something else than @want, PASS or
 * CHAIN
 * @p:		the whole packet
 * @want:	its verdict
 */
static void truncations(const struct pkt *p, enum l2g_verdict want)
{
	size_t l;

	for (l = 0; l < p->len; l++) {
		enum l2g_verdict v = judge(p->b, l);

		if (v != want && v != L2G_PASS && v != L2G_CHAIN)
			fail_msg("prefix %zu: verdict %d", l, v);
	}
	assert_int_equal(judge(p->b, p->len), want);
}

/**
 * test_link_local() - the link-local address of a MAC is its modified EUI-64
 * @state:	unused
 */
static void test_link_local(void **state)
{
	struct in6_addr a = IN6ADDR_ANY_INIT;
	static const uint8_t want[16] = {0xfe, 0x80, 0,	   0,	 0,    0,
					 0,    0,    0x50, 0x55, 0xc0, 0xff,
					 0xfe, 0xa8, 0x05, 0x02};

	(void)state;
	l2g_link_local(gw_mac, &a);
	assert_memory_equal(a.s6_addr, want, 16);
}

/**
 * test_vlan() - frames tagged 0x8100, 0x88a8 or 0x9100 are refused; untagged
 * frames and runts pass
 * @state:	unused
 */
static void test_vlan(void **state)
{
	static const unsigned types[] = {0x8100, 0x88a8, 0x9100};
	uint8_t f[60] = {0};
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		f[12] = (uint8_t)(types[i] >> 8);
		f[13] = (uint8_t)types[i];
		f[16] = 0x08, f[17] = 0x06; /* VLAN 0, then ARP */
		assert_int_equal(judge(f, sizeof(f)), L2G_VLAN);
		assert_int_equal(judge(f, 14), L2G_VLAN);
	}
	f[12] = 0x08, f[13] = 0x06;
	assert_int_equal(judge(f, sizeof(f)), L2G_PASS);
	f[12] = 0x08, f[13] = 0x00;
	assert_int_equal(judge(f, sizeof(f)), L2G_PASS);
	assert_int_equal(judge(f, 13), L2G_PASS); /* a runt: the switch's */
}

/**
 * test_ra() - router advertisements are refused, behind any extension headers,
 * and no prefix of one passes as something else
 * @state:	unused
 */
static void test_ra(void **state)
{
	struct pkt p;

	(void)state;
	ip6(&p, NULL);
	icmp6(&p, 134, 16, NULL);
	truncations(&p, L2G_RA);

	ip6(&p, NULL); /* behind hop-by-hop options */
	opts(&p, 0);
	icmp6(&p, 134, 16, NULL);
	truncations(&p, L2G_RA);

	ip6(&p, NULL); /* behind every kind of extension header */
	opts(&p, 0);
	opts(&p, 60);
	opts(&p, 43);
	opts(&p, 51); /* AH: length in 4-byte units, 0+2 = 8 bytes */
	frag(&p, 0, 1);
	opts(&p, 60);
	icmp6(&p, 134, 16, NULL);
	truncations(&p, L2G_RA);

	ip6(&p, NULL); /* padded by Ethernet past its payload length */
	icmp6(&p, 134, 16, NULL);
	p.len += 20;
	assert_int_equal(judge(p.b, p.len), L2G_RA);
}

/**
 * test_redirect_dhcpv6() - ICMPv6 redirects and DHCPv6 server messages are
 * refused; a client's DHCPv6 message passes
 * @state:	unused
 */
static void test_redirect_dhcpv6(void **state)
{
	struct pkt p;

	(void)state;
	ip6(&p, NULL);
	icmp6(&p, 137, 40, NULL);
	truncations(&p, L2G_REDIRECT);

	ip6(&p, NULL);
	opts(&p, 60);
	udp(&p, 547, 546);
	truncations(&p, L2G_DHCPV6);

	ip6(&p, NULL); /* a client's message passes */
	udp(&p, 546, 547);
	assert_int_equal(judge(p.b, p.len), L2G_PASS);
	ip6(&p, NULL);
	udp(&p, 547, 547); /* relay to server */
	assert_int_equal(judge(p.b, p.len), L2G_PASS);
}

/**
 * test_na() - neighbour advertisements for the gateway's or the services host's
 * address, and anything from the gateway's address, are refused; others and
 * solicitations pass
 * @state:	unused
 */
static void test_na(void **state)
{
	struct in6_addr gw = IN6ADDR_ANY_INIT, svc = IN6ADDR_ANY_INIT, other;
	struct pkt p;

	(void)state;
	l2g_link_local(gw_mac, &gw);
	l2g_link_local(svc_mac, &svc);
	memcpy(&other, &gw, sizeof(other));
	other.s6_addr[15] = 0x77;

	ip6(&p, NULL);
	icmp6(&p, 136, 24, gw.s6_addr);
	truncations(&p, L2G_NA);
	ip6(&p, NULL);
	icmp6(&p, 136, 32, svc.s6_addr); /* with an option */
	truncations(&p, L2G_NA);

	ip6(&p, NULL); /* for another address: passes */
	icmp6(&p, 136, 24, other.s6_addr);
	truncations(&p, L2G_PASS);
	ip6(&p, NULL); /* a solicitation for the gateway: passes */
	icmp6(&p, 135, 24, gw.s6_addr);
	truncations(&p, L2G_PASS);

	ip6(&p, gw.s6_addr); /* anything from the gateway's address */
	icmp6(&p, 135, 24, other.s6_addr);
	assert_int_equal(judge(p.b, p.len), L2G_SPOOF6);
	ip6(&p, svc.s6_addr);
	udp(&p, 1000, 2000);
	assert_int_equal(judge(p.b, p.len), L2G_SPOOF6);
}

/**
 * test_fragments() - a first fragment is judged on what it holds; one that ends
 * inside the header chain or before the ICMPv6 type is CHAIN; later fragments
 * pass
 * @state:	unused
 */
static void test_fragments(void **state)
{
	struct pkt p;

	(void)state;
	ip6(&p, NULL); /* an RA in a first fragment */
	frag(&p, 0, 1);
	icmp6(&p, 134, 16, NULL);
	truncations(&p, L2G_RA);

	ip6(&p, NULL); /* a first fragment ending inside the chain */
	frag(&p, 0, 1);
	opts(&p, 60);
	p.b[p.nh + 1] = 20; /* 168 bytes long, 8 of them here */
	assert_int_equal(judge(p.b, p.len), L2G_CHAIN);

	ip6(&p, NULL); /* a first fragment ending before the ICMPv6 type */
	frag(&p, 0, 1);
	p.b[p.nh] = 58;
	assert_int_equal(judge(p.b, p.len), L2G_CHAIN);

	ip6(&p, NULL); /* an NA in a first fragment, target cut */
	frag(&p, 0, 1);
	icmp6(&p, 136, 16, NULL);
	assert_int_equal(judge(p.b, p.len), L2G_CHAIN);

	ip6(&p, NULL); /* a later fragment passes, whatever it holds */
	frag(&p, 1232, 1);
	icmp6(&p, 134, 16, NULL);
	assert_int_equal(judge(p.b, p.len), L2G_PASS);

	ip6(&p, NULL); /* a fragmented echo request passes */
	frag(&p, 0, 1);
	icmp6(&p, 128, 64, NULL);
	truncations(&p, L2G_PASS);
}

/**
 * test_chain_bounded() - a header chain longer than is followed is CHAIN; TCP,
 * ESP and no next header pass
 * @state:	unused
 */
static void test_chain_bounded(void **state)
{
	struct pkt p;
	int i;

	(void)state;
	ip6(&p, NULL); /* more extension headers than are followed */
	for (i = 0; i < 20; i++)
		opts(&p, 60);
	icmp6(&p, 128, 8, NULL);
	assert_int_equal(judge(p.b, p.len), L2G_CHAIN);

	ip6(&p, NULL); /* TCP, ESP, no next header: pass */
	add(&p, 6, "\x00\x50\x00\x50", 4);
	assert_int_equal(judge(p.b, p.len), L2G_PASS);
	ip6(&p, NULL);
	add(&p, 59, "", 0);
	assert_int_equal(judge(p.b, p.len), L2G_PASS);
	ip6(&p, NULL);
	add(&p, 50, "\x00\x00\x00\x01", 4);
	assert_int_equal(judge(p.b, p.len), L2G_PASS);
}

/**
 * test_random() - random IPv6 frames of every length never read past their end
 * (run under ASan)
 * @state:	unused
 */
static void test_random(void **state)
{
	uint8_t f[200] = {0};
	unsigned i, j;

	(void)state;
	srand(7);
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand() % (int)sizeof(f));

		for (j = 0; j < len; j++)
			f[j] = (uint8_t)rand();
		if (len > 14) {
			f[12] = 0x86, f[13] = 0xdd;
			if (len > 20 && rand() % 2)
				f[20] = (uint8_t) "\x00\x2b\x2c\x3c\x33\x3a\x11"
				    [rand() % 7];
		}
		(void)judge(f, len); /* ASan: no read past the frame */
	}
}

/**
 * lla() - a link-layer address option of @type naming @mac
 * @type:	1 source, 2 target
 * @mac:	the MAC
 * @o:		set to the 8-byte option
 */
static void lla(uint8_t type, const uint8_t *mac, uint8_t o[8])
{
	o[0] = type;
	o[1] = 1;
	memcpy(o + 2, mac, 6);
}

/**
 * nd() - a neighbour discovery message of @type: @hlen bytes of header
 * (target at 8 if 24), then one link-layer option
 * @p:		packet to append to
 * @type:	133 RS, 135 NS, 136 NA
 * @hlen:	8 for RS, 24 for NS and NA
 * @opt:	the option's type
 * @mac:	the MAC it names
 */
static void nd(struct pkt *p, uint8_t type, size_t hlen, uint8_t opt,
	       const uint8_t *mac)
{
	uint8_t m[40] = {type};

	if (hlen == 24)
		memcpy(m + 8, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x42", 16);
	lla(opt, mac, m + hlen);
	add(p, 58, m, hlen + 8);
}

/**
 * test_lladdr() - RS, NS and NA whose link-layer option names another MAC
 * than the frame's source are refused, behind extension headers too;
 * the right MAC, no option, and a zero-length option (hosts drop the
 * message) pass
 * @state:	unused
 */
static void test_lladdr(void **state)
{
	static const uint8_t self[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x01};
	static const struct {
		uint8_t type;
		size_t hlen;
		uint8_t opt;
	} cases[] = {
	    {133, 8, 1},
	    {135, 24, 1},
	    {136, 24, 2},
	    {136, 24, 1},
	};
	uint8_t zero[32] = {135};
	struct pkt p;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ip6(&p, NULL);
		nd(&p, cases[i].type, cases[i].hlen, cases[i].opt, gw_mac);
		truncations(&p, L2G_LLADDR);
		ip6(&p, NULL);
		opts(&p, 0);
		nd(&p, cases[i].type, cases[i].hlen, cases[i].opt, svc_mac);
		truncations(&p, L2G_LLADDR);
		ip6(&p, NULL);
		nd(&p, cases[i].type, cases[i].hlen, cases[i].opt, self);
		truncations(&p, L2G_PASS);
	}
	ip6(&p, NULL); /* an option of length 0 ends the walk */
	zero[24] = 1;  /* source link-layer, length 0, the gateway's MAC */
	memcpy(zero + 26, gw_mac, 6);
	add(&p, 58, zero, sizeof(zero));
	assert_int_equal(judge(p.b, p.len), L2G_PASS);
}

/**
 * test_src6() - a multicast source is refused always; :: only outside
 * duplicate address detection and MLD reports
 * @state:	unused
 */
static void test_src6(void **state)
{
	static const uint8_t unspec[16];
	uint8_t mc[16] = {0xff, 0x02, [15] = 1}, tgt[16] = {0xfe, 0x80};
	static const uint8_t ok[] = {131, 132, 143};
	struct pkt p;
	unsigned i;

	(void)state;
	ip6(&p, mc);
	udp(&p, 1000, 2000);
	assert_int_equal(judge(p.b, p.len), L2G_SRC6);
	ip6(&p, mc);
	icmp6(&p, 135, 24, tgt);
	assert_int_equal(judge(p.b, p.len), L2G_SRC6);

	tgt[15] = 0x42;
	ip6(&p, unspec); /* DAD; cut before its target, nobody's */
	icmp6(&p, 135, 24, tgt);
	assert_int_equal(judge(p.b, p.len), L2G_PASS);
	for (i = 0; i < p.len; i++)
		if (judge(p.b, i) == L2G_PASS && i >= ETH + IP6)
			fail_msg("DAD cut at %u passes", i);
	for (i = 0; i < sizeof(ok); i++) {
		ip6(&p, unspec); /* MLD reports, behind hop-by-hop */
		opts(&p, 0);
		icmp6(&p, ok[i], 28, NULL);
		assert_int_equal(judge(p.b, p.len), L2G_PASS);
	}
	ip6(&p, unspec);
	icmp6(&p, 128, 16, NULL); /* an echo request */
	assert_int_equal(judge(p.b, p.len), L2G_SRC6);
	ip6(&p, unspec);
	icmp6(&p, 136, 24, tgt); /* an NA */
	assert_int_equal(judge(p.b, p.len), L2G_SRC6);
	ip6(&p, unspec);
	icmp6(&p, 133, 8, NULL); /* an RS */
	assert_int_equal(judge(p.b, p.len), L2G_SRC6);
	ip6(&p, unspec);
	udp(&p, 546, 547);
	assert_int_equal(judge(p.b, p.len), L2G_SRC6);
	ip6(&p, unspec); /* a later fragment: cannot be told */
	frag(&p, 1232, 1);
	icmp6(&p, 135, 24, tgt);
	assert_int_equal(judge(p.b, p.len), L2G_SRC6);
}

/**
 * test_info() - what l2g_check() reports: the source, the target of an NS
 * or NA, the ICMPv6 type; nothing for other frames
 * @state:	unused
 */
static void test_info(void **state)
{
	uint8_t src[16] = {0xfe, 0x80, [15] = 9}, tgt[16] = {0xfe, 0x80};
	struct l2g_addrs a;
	struct l2g_info info;
	struct pkt p;

	(void)state;
	own(&a);
	tgt[15] = 0x42;
	ip6(&p, src);
	opts(&p, 0);
	icmp6(&p, 136, 24, tgt);
	assert_int_equal(l2g_check(&a, p.b, p.len, &info), L2G_PASS);
	assert_memory_equal(info.src, src, 16);
	assert_ptr_equal(info.src, p.b + ETH + 8);
	assert_memory_equal(info.target, tgt, 16);
	assert_int_equal(info.icmp6, 136);

	ip6(&p, src);
	udp(&p, 1000, 53);
	assert_int_equal(l2g_check(&a, p.b, p.len, &info), L2G_PASS);
	assert_ptr_equal(info.src, p.b + ETH + 8);
	assert_null(info.target);
	assert_int_equal(info.icmp6, -1);

	ip6(&p, src);
	icmp6(&p, 128, 16, tgt); /* an echo request: no target */
	assert_int_equal(l2g_check(&a, p.b, p.len, &info), L2G_PASS);
	assert_null(info.target);
	assert_int_equal(info.icmp6, 128);

	p.b[12] = 0x08, p.b[13] = 0x00; /* IPv4: nothing */
	assert_int_equal(l2g_check(&a, p.b, p.len, &info), L2G_PASS);
	assert_null(info.src);
	assert_null(info.target);
}

/**
 * to_gw() - an IPv6 frame to @dst carrying @proto (6, 17, or 58 with
 * ICMPv6 type @type)
 * @p:		the frame
 * @dst:	destination, text
 * @proto:	upper-layer protocol
 * @type:	ICMPv6 type, for @proto 58
 */
static void to_gw(struct pkt *p, const char *dst, uint8_t proto, uint8_t type)
{
	uint8_t m[20] = {type};

	ip6(p, NULL);
	assert_int_equal(inet_pton(AF_INET6, dst, p->b + ETH + 24), 1);
	add(p, proto, m, sizeof(m));
}

/**
 * test_martian6() - what may not reach libslirp, table-driven: TCP, UDP
 * and echo requests to unspecified, loopback, mapped, compatible,
 * multicast, link-local and in-prefix addresses but ::2 (echo: ::2 and
 * fe80::2); other ICMPv6 and other destinations pass
 * @state:	unused
 */
static void test_martian6(void **state)
{
	static const struct {
		const char *dst;
		uint8_t proto, type;
		int martian;
	} cases[] = {
	    {"::", 6, 0, 1},
	    {"::1", 6, 0, 1},
	    {"::1", 17, 0, 1},
	    {"::1", 58, 128, 1},
	    {"::ffff:127.0.0.1", 6, 0, 1},
	    {"::ffff:10.0.0.1", 17, 0, 1},
	    {"::127.0.0.1", 6, 0, 1},
	    {"ff02::1", 17, 0, 1},
	    {"ff02::fb", 17, 0, 1},
	    {"ff05::1:3", 17, 0, 1},
	    {"ff02::1", 58, 128, 1},
	    {"fe80::2", 6, 0, 1},
	    {"fe80::1234", 17, 0, 1},
	    {"fe80::1234", 58, 128, 1},
	    {"fe80:0:0:1::2", 58, 128, 1},
	    {"febf::2", 6, 0, 1},
	    {"fd00:1:2:3::", 6, 0, 1},
	    {"fd00:1:2:3::1", 6, 0, 1},
	    {"fd00:1:2:3::3", 17, 0, 1},
	    {"fd00:1:2:3::1234", 6, 0, 1},
	    {"fd00:1:2:3::1234", 58, 128, 1},
	    {"fd00:1:2:3:0:1::2", 6, 0, 1},
	    /* what passes */
	    {"fd00:1:2:3::2", 6, 0, 0},
	    {"fd00:1:2:3::2", 17, 0, 0},
	    {"fd00:1:2:3::2", 58, 128, 0},
	    {"fe80::2", 58, 128, 0},
	    {"2001:db8::1", 6, 0, 0},
	    {"2001:db8::1", 17, 0, 0},
	    {"2001:db8::1", 58, 128, 0},
	    {"fd00:1:2:4::1234", 6, 0, 0},
	    {"fec0::1", 6, 0, 0},
	    {"ff02::1", 58, 143, 0},
	    {"ff02::1:ff00:2", 58, 135, 0},
	    {"fe80::2", 58, 135, 0},
	    {"fd00:1:2:3::1234", 58, 129, 0},
	    {"::1", 0, 0, 0},
	    {"::1", 44, 0, 0},
	};
	struct in6_addr prefix;
	struct pkt p;
	unsigned i;
	int m;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "fd00:1:2:3::", &prefix), 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		to_gw(&p, cases[i].dst, cases[i].proto, cases[i].type);
		m = l2g_martian6(p.b, p.len, &prefix);
		if (!!m != cases[i].martian)
			fail_msg("%s proto %u type %u: martian %d",
				 cases[i].dst, cases[i].proto, cases[i].type,
				 m);
		m = l2g_martian6(p.b, ETH + IP6 + 0, &prefix);
		(void)
		    m; /* cut before the upper layer: any answer, no overrun */
	}
	p.b[12] = 0x08, p.b[13] = 0x00; /* IPv4: never */
	assert_int_equal(l2g_martian6(p.b, p.len, &prefix), 0);
}

/**
 * main() - run this file's tests with cmocka
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed, else
 * how many failed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_local),
	    cmocka_unit_test(test_vlan),
	    cmocka_unit_test(test_ra),
	    cmocka_unit_test(test_redirect_dhcpv6),
	    cmocka_unit_test(test_na),
	    cmocka_unit_test(test_fragments),
	    cmocka_unit_test(test_chain_bounded),
	    cmocka_unit_test(test_random),
	    cmocka_unit_test(test_lladdr),
	    cmocka_unit_test(test_src6),
	    cmocka_unit_test(test_info),
	    cmocka_unit_test(test_martian6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
