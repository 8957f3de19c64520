/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ra.c - completing libslirp's router advertisements (packet/ra.c):
 * the advertisement libslirp 4.7 sends on a slirp network, with and
 * without its own RDNSS option, comes out byte for byte as written here
 * (MTU and RDNSS ::3 appended, libslirp's RDNSS gone, payload length and
 * checksum recomputed; the checksums below were computed apart from ra.c,
 * and the output's is also checked from scratch); frames that are no
 * advertisement pass untouched; truncated and malformed advertisements,
 * and every cut of a good one, are dropped or passed, never read or
 * written out of bounds (each input is a heap block of its exact length,
 * for ASan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/testlib.h"

#include "packet/ra.h"

#define ETH 14
#define L4  (ETH + 40) /* the ICMPv6 message */

/* libslirp 4.7's advertisement on fec0::/64: from fe80::2 and
 * 52:56:00:00:00:02 to all nodes, hop limit 64, router lifetime 1800 s,
 * source link-layer address, prefix information (valid 86400 s, preferred
 * 14400 s); no MTU, no RDNSS (the host has no IPv6 DNS server). */
static const uint8_t slirp_ra[] = {
    0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x52, 0x56, 0x00, 0x00, 0x00,
    0x02, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x38, 0x3a, 0xff,
    0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86,
    0x00, 0x15, 0x5e, 0x40, 0x00, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x52, 0x56, 0x00, 0x00, 0x00,
    0x02, 0x03, 0x04, 0x40, 0xc0, 0x00, 0x01, 0x51, 0x80, 0x00, 0x00,
    0x38, 0x40, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xc0, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* The same when the host has an IPv6 DNS server: RDNSS fec0::2 with
 * libslirp's lifetime (1200000: milliseconds sent as seconds). */
static const uint8_t slirp_ra_rdnss[] = {
    0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x52, 0x56, 0x00, 0x00, 0x00, 0x02,
    0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x50, 0x3a, 0xff, 0xfe, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x02, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0x00, 0xad, 0xed, 0x40, 0x00,
    0x07, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01,
    0x52, 0x56, 0x00, 0x00, 0x00, 0x02, 0x03, 0x04, 0x40, 0xc0, 0x00, 0x01,
    0x51, 0x80, 0x00, 0x00, 0x38, 0x40, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xc0,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x19, 0x03, 0x00, 0x00, 0x00, 0x12, 0x4f, 0x80, 0xfe, 0xc0,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x02,
};

/* What either becomes at MTU 1500 with DNS at fec0::3: MTU option 1500,
 * RDNSS fec0::3 for 1200 s. */
static const uint8_t want_ra[] = {
    0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x52, 0x56, 0x00, 0x00, 0x00, 0x02,
    0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x58, 0x3a, 0xff, 0xfe, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x02, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0x00, 0xed, 0xe9, 0x40, 0x00,
    0x07, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01,
    0x52, 0x56, 0x00, 0x00, 0x00, 0x02, 0x03, 0x04, 0x40, 0xc0, 0x00, 0x01,
    0x51, 0x80, 0x00, 0x00, 0x38, 0x40, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xc0,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc, 0x19, 0x03,
    0x00, 0x00, 0x00, 0x00, 0x04, 0xb0, 0xfe, 0xc0, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
};

/**
 * slirp_cfg() - the slirp network's MTU 1500 and DNS fec0::3
 * @c:		filled in
 */
static void slirp_cfg(struct ra_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mtu = 1500;
	c->dns.s6_addr[0] = 0xfe;
	c->dns.s6_addr[1] = 0xc0;
	c->dns.s6_addr[15] = 3;
}

/**
 * dup() - a heap copy of @len bytes, so ASan sees any read past them
 * @f:		the bytes
 * @len:	how many
 *
 * Return: the copy (at least one byte allocated)
 */
static uint8_t *dup(const uint8_t *f, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, f, len);
	return c;
}

/**
 * icmp6_ok() - does a frame's ICMPv6 checksum verify, from scratch?
 * @f:		IPv6 frame whose message follows the fixed header
 * @len:	its length
 *
 * Return: nonzero if it does
 */
static int icmp6_ok(const uint8_t *f, size_t len)
{
	size_t plen = be16_get(f + ETH + 4);
	uint32_t s;

	assert_true(L4 + plen <= len);
	s = tl_sum16(0, f + ETH + 8, 32);
	s += (uint32_t)plen + 58;
	return tl_fold(tl_sum16(s, f + L4, plen)) == 0xffff;
}

/**
 * rewrite() - ra_rewrite() of a heap copy of @f into an exact-size buffer
 * @c:		configuration
 * @f:		input frame
 * @len:	its length
 * @cap:	room in the output buffer
 * @out:	the output buffer: a heap block of @cap bytes, freed by caller
 * @outlen:	set as ra_rewrite() sets it (0 unless RA_DONE)
 *
 * Return: the verdict
 */
static enum ra_verdict rewrite(const struct ra_config *c, const uint8_t *f,
			       size_t len, size_t cap, uint8_t **out,
			       size_t *outlen)
{
	uint8_t *in = dup(f, len);
	enum ra_verdict v;

	*out = malloc(cap ? cap : 1);
	assert_non_null(*out);
	memset(*out, 0xa5, cap);
	*outlen = 0;
	v = ra_rewrite(c, in, len, *out, cap, outlen);
	free(in);
	return v;
}

/**
 * test_slirp_ra() - libslirp's advertisement gets MTU and RDNSS ::3, byte
 * for byte
 * @state:	unused
 */
static void test_slirp_ra(void **state)
{
	struct ra_config c;
	size_t outlen;
	uint8_t *out;

	(void)state;
	slirp_cfg(&c);
	assert_true(icmp6_ok(slirp_ra, sizeof(slirp_ra)));
	assert_int_equal(rewrite(&c, slirp_ra, sizeof(slirp_ra),
				 sizeof(slirp_ra) + RA_GROW, &out, &outlen),
			 RA_DONE);
	assert_int_equal(outlen, sizeof(want_ra));
	assert_memory_equal(out, want_ra, sizeof(want_ra));
	assert_true(icmp6_ok(out, outlen));
	free(out);
}

/**
 * test_slirp_rdnss_replaced() - libslirp's own RDNSS (fec0::2, its
 * lifetime) is replaced by ours, and Ethernet padding is not copied
 * @state:	unused
 */
static void test_slirp_rdnss_replaced(void **state)
{
	uint8_t padded[sizeof(slirp_ra_rdnss) + 6] = {0};
	struct ra_config c;
	size_t outlen;
	uint8_t *out;

	(void)state;
	slirp_cfg(&c);
	memcpy(padded, slirp_ra_rdnss, sizeof(slirp_ra_rdnss));
	assert_int_equal(rewrite(&c, padded, sizeof(padded),
				 sizeof(padded) + RA_GROW, &out, &outlen),
			 RA_DONE);
	assert_int_equal(outlen, sizeof(want_ra));
	assert_memory_equal(out, want_ra, sizeof(want_ra));
	free(out);
}

/**
 * test_mtu_and_dns_follow_config() - another MTU and DNS address appear
 * where they belong, and the checksum follows
 * @state:	unused
 */
static void test_mtu_and_dns_follow_config(void **state)
{
	struct ra_config c;
	size_t outlen;
	uint8_t *out;

	(void)state;
	slirp_cfg(&c);
	c.mtu = 65520;
	c.dns.s6_addr[0] = 0xfd;
	c.dns.s6_addr[7] = 0x42;
	assert_int_equal(rewrite(&c, slirp_ra, sizeof(slirp_ra),
				 sizeof(slirp_ra) + RA_GROW, &out, &outlen),
			 RA_DONE);
	assert_int_equal(outlen, sizeof(want_ra));
	assert_int_equal(be32_get(out + L4 + 56 + 4), 65520);
	assert_memory_equal(out + L4 + 64 + 8, c.dns.s6_addr, 16);
	assert_memory_equal(out + L4 + 4, want_ra + L4 + 4, 52); /* the rest */
	assert_true(icmp6_ok(out, outlen));
	free(out);
}

/**
 * test_others_pass() - frames that are no advertisement: RA_PASS, the
 * output untouched
 * @state:	unused
 */
static void test_others_pass(void **state)
{
	uint8_t f[sizeof(slirp_ra)], ip4[60] = {0}, *out;
	static const uint8_t types[] = {128, 129, 133, 135, 136, 137};
	struct ra_config c;
	size_t i, outlen;

	(void)state;
	slirp_cfg(&c);
	for (i = 0; i < sizeof(types); i++) {
		memcpy(f, slirp_ra, sizeof(f));
		f[L4] = types[i];
		assert_int_equal(rewrite(&c, f, sizeof(f), 256, &out, &outlen),
				 RA_PASS);
		assert_int_equal(out[0], 0xa5);
		free(out);
	}
	memcpy(f, slirp_ra, sizeof(f));
	f[ETH + 6] = 17; /* UDP, though the bytes after read 134 */
	assert_int_equal(rewrite(&c, f, sizeof(f), 256, &out, &outlen),
			 RA_PASS);
	free(out);
	memcpy(f, slirp_ra, sizeof(f));
	f[ETH] = 0x40; /* version 4 in an IPv6 frame */
	assert_int_equal(rewrite(&c, f, sizeof(f), 256, &out, &outlen),
			 RA_PASS);
	free(out);
	ip4[12] = 0x08;
	ip4[14] = 0x45;
	ip4[ETH + 9] = 58;
	ip4[ETH + 20] = 134;
	assert_int_equal(rewrite(&c, ip4, sizeof(ip4), 256, &out, &outlen),
			 RA_PASS);
	free(out);
	assert_int_equal(rewrite(&c, slirp_ra, L4, 256, &out, &outlen),
			 RA_PASS); /* no ICMPv6 byte at all */
	free(out);
	assert_int_equal(rewrite(&c, slirp_ra, 10, 256, &out, &outlen),
			 RA_PASS); /* a runt */
	free(out);
}

/**
 * test_malformed_dropped() - advertisements that cannot be read, or do
 * not fit, are dropped
 * @state:	unused
 */
static void test_malformed_dropped(void **state)
{
	uint8_t f[sizeof(slirp_ra)], *out;
	struct ra_config c;
	size_t outlen;

	(void)state;
	slirp_cfg(&c);
	memcpy(f, slirp_ra, sizeof(f));
	be16_put(f + ETH + 4, 0x39); /* payload past the frame */
	assert_int_equal(rewrite(&c, f, sizeof(f), 256, &out, &outlen),
			 RA_DROP);
	free(out);
	memcpy(f, slirp_ra, sizeof(f));
	f[L4 + 16 + 1] = 0; /* an option of length 0 */
	assert_int_equal(rewrite(&c, f, sizeof(f), 256, &out, &outlen),
			 RA_DROP);
	free(out);
	memcpy(f, slirp_ra, sizeof(f));
	f[L4 + 24 + 1] = 5; /* the prefix option runs past the message */
	assert_int_equal(rewrite(&c, f, sizeof(f), 256, &out, &outlen),
			 RA_DROP);
	free(out);
	memcpy(f, slirp_ra, sizeof(f));
	be16_put(f + ETH + 4, 0x37); /* one byte of an option header left */
	assert_int_equal(rewrite(&c, f, sizeof(f), 256, &out, &outlen),
			 RA_DROP);
	free(out);
	memcpy(f, slirp_ra, sizeof(f));
	be16_put(f + ETH + 4, 15); /* shorter than the RA header */
	assert_int_equal(rewrite(&c, f, sizeof(f), 256, &out, &outlen),
			 RA_DROP);
	free(out);
	/* one byte too little room */
	assert_int_equal(rewrite(&c, slirp_ra, sizeof(slirp_ra),
				 sizeof(slirp_ra) + RA_GROW - 1, &out, &outlen),
			 RA_DROP);
	free(out);
}

/**
 * test_every_cut() - every prefix of an advertisement, into a buffer just
 * big enough: dropped or passed, never completed, never out of bounds
 * @state:	unused
 */
static void test_every_cut(void **state)
{
	struct ra_config c;
	size_t len, outlen;
	enum ra_verdict v;
	uint8_t *out;

	(void)state;
	slirp_cfg(&c);
	for (len = 0; len < sizeof(slirp_ra_rdnss); len++) {
		v = rewrite(&c, slirp_ra_rdnss, len, len + RA_GROW, &out,
			    &outlen);
		assert_true(v == RA_DROP || v == RA_PASS);
		assert_int_equal(outlen, 0);
		free(out);
	}
}

/**
 * main() - run this file's tests with cmocka
 *
 * Return: the number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slirp_ra),
	    cmocka_unit_test(test_slirp_rdnss_replaced),
	    cmocka_unit_test(test_mtu_and_dns_follow_config),
	    cmocka_unit_test(test_others_pass),
	    cmocka_unit_test(test_malformed_dropped),
	    cmocka_unit_test(test_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
