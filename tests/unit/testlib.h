/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * testlib.h - the helpers several unit tests share, written once: the
 * Internet checksum (RFC 1071) from scratch, big-endian stores and an
 * Ethernet header for the frames tests build by hand, IPv4 text to
 * address, fixture files and temporary directories (made and removed), a loop
 * run with a deadline, the DHCP configuration of the slirp network, and a DNS
 * query builder and local-table lookups by text name. Everything here checks
 * its own work with cmocka's assertions, so a broken fixture fails the test
 * that made it instead of a later, more puzzling step. Include after <cmocka.h>
 * (and the headers it needs).
 */
#ifndef USERNETD_TEST_TESTLIB_H
#define USERNETD_TEST_TESTLIB_H

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/be.h"
#include "base/loop.h"
#include "packet/dhcp.h"
#include "services/dns/dns.h"

/**
 * tl_sum16() - one's complement sum of @len bytes, added to @s
 * @s:		the sum so far (0 to start)
 * @p:		bytes, read as big-endian 16-bit words
 * @len:	how many; an odd last byte counts as its word's high half
 *
 * Return: the unfolded 32-bit sum, for tl_fold() or another tl_sum16()
 */
static inline uint32_t tl_sum16(uint32_t s, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

/**
 * tl_fold() - fold a 32-bit one's complement sum to 16 bits
 * @s:		the sum from tl_sum16()
 *
 * Return: the folded sum; 0xffff over data whose checksum field is right
 */
static inline uint16_t tl_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/**
 * tl_csum() - the Internet checksum of @n bytes
 * @p:		bytes (with the checksum field zeroed, to compute it)
 * @n:		how many
 *
 * Return: the checksum, to store big-endian (be16_put())
 */
static inline uint16_t tl_csum(const uint8_t *p, size_t n)
{
	return (uint16_t)~tl_fold(tl_sum16(0, p, n));
}

/**
 * tl_eth() - write an Ethernet header at the start of @f
 * @f:		frame, at least 14 bytes
 * @dst:	destination MAC, 6 bytes
 * @src:	source MAC, 6 bytes
 * @type:	EtherType, e.g. 0x0800
 */
static inline void tl_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src,
			  uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	be16_put(f + 12, type);
}

/**
 * tl_ip4() - an IPv4 address from its dotted-quad text; fails the test on
 * bad text
 * @s:		e.g. "192.168.5.15"
 *
 * Return: the address in network byte order (as in struct in_addr)
 */
static inline uint32_t tl_ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/**
 * tl_dhcp_slirp() - the DHCP configuration of Lima's slirp network:
 * 192.168.5.0/24, server and DNS .3, router .2, a pool of one address, .15,
 * MTU 1500; a test widens the pool or sets the rest itself
 * @c:		set to that configuration (everything else zero)
 */
static inline void tl_dhcp_slirp(struct dhcp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->network.s_addr = tl_ip4("192.168.5.0");
	c->netmask.s_addr = tl_ip4("255.255.255.0");
	c->server_id.s_addr = tl_ip4("192.168.5.3");
	c->router.s_addr = tl_ip4("192.168.5.2");
	c->dns.s_addr = tl_ip4("192.168.5.3");
	c->pool_first.s_addr = tl_ip4("192.168.5.15");
	c->pool_last.s_addr = tl_ip4("192.168.5.15");
	c->mtu = 1500;
}

/**
 * tl_write_file() - create or replace the file @path holding @text; fails
 * the test unless every byte is written and the file closes cleanly
 * @path:	file
 * @text:	its whole contents
 */
static inline void tl_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/**
 * tl_mkdtemp() - create a fresh directory /tmp/@name.XXXXXX
 * @buf:	set to its path
 * @size:	size of @buf
 * @name:	prefix naming the test, so that a leftover says whose it is
 *
 * Return: @buf, or NULL if it could not be created (errno set)
 */
static inline char *tl_mkdtemp(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "/tmp/%s.XXXXXX", name);
	return mkdtemp(buf);
}

/**
 * tl_rm_entry() - nftw() callback of tl_rm_rf(): remove one entry
 * @path:	the entry
 * @sb:		unused
 * @type:	unused
 * @ftw:	unused
 *
 * Return: what remove() returned, non-zero stopping the walk
 */
static inline int tl_rm_entry(const char *path, const struct stat *sb, int type,
			      struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

/**
 * tl_rm_rf() - remove @dir and everything in it, as rm -rf does but
 * without a shell; links are removed, not followed
 * @dir:	the directory
 *
 * Return: 0 (also when @dir does not exist), -1 if something stayed
 */
static inline int tl_rm_rf(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) && errno == ENOENT)
		return 0;
	return nftw(dir, tl_rm_entry, 16, FTW_DEPTH | FTW_PHYS) ? -1 : 0;
}

/**
 * tl_loop_stop() - loop timer callback: stop the loop
 * @loop:	the struct loop to stop
 */
static inline void tl_loop_stop(void *loop)
{
	loop_stop(loop);
}

/**
 * tl_loop_run_for() - run @l for at most @ms milliseconds, or until a
 * callback stops it (once per call: loop_run() does not reset the stop
 * flag, so each call arms a timer of its own)
 * @l:		the loop
 * @ms:		deadline, from now
 */
static inline void tl_loop_run_for(struct loop *l, int ms)
{
	struct loop_timer *t = loop_timer_new(l, tl_loop_stop, l);

	loop_timer_arm(t, loop_now_ms() + ms);
	loop_run(l);
	loop_timer_free(t);
}

/**
 * tl_dns_query() - a DNS query message with recursion desired, its name
 * encoded here (not by the code under test), case kept
 * @b:		buffer, at least 12 + 255 + 4 + 11 bytes
 * @id:		message ID
 * @name:	text name, dot-separated labels, no trailing dot
 * @type:	QTYPE; the class is IN
 * @edns:	non-zero to add an OPT record (UDP payload size 4096)
 *
 * Return: the message's length
 */
static inline size_t tl_dns_query(uint8_t *b, uint16_t id, const char *name,
				  uint16_t type, int edns)
{
	static const uint8_t opt[11] = {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
	const char *p = name;
	size_t o = 12;

	memset(b, 0, 12);
	be16_put(b, id);
	b[2] = 0x01; /* RD */
	b[5] = 1;
	while (*p) {
		size_t n = strcspn(p, ".");

		b[o++] = (uint8_t)n;
		memcpy(b + o, p, n);
		o += n;
		p += n;
		if (*p == '.')
			p++;
	}
	b[o++] = 0;
	be16_put(b + o, type);
	be16_put(b + o + 2, 1);
	o += 4;
	if (edns) {
		b[11] = 1;
		memcpy(b + o, opt, sizeof(opt));
		o += sizeof(opt);
	}
	return o;
}

/**
 * tl_dns_lookup() - what a local table answers for a text name and type
 * @t:		table
 * @name:	text name
 * @qtype:	type
 * @res:	filled by dns_local_lookup()
 *
 * Return: what dns_local_lookup() returned (also res->status)
 */
static inline int tl_dns_lookup(const struct dns_local *t, const char *name,
				uint16_t qtype, struct dns_local_result *res)
{
	uint8_t w[DNS_NAME_MAX];

	assert_true(dns_name_from_text(name, w, sizeof(w)) > 0);
	return dns_local_lookup(t, w, qtype, res);
}

/**
 * tl_dns_resolves() - whether @name has exactly the one address @ip in
 * table @t
 * @t:		table
 * @name:	text name
 * @ip:		dotted quad
 *
 * Return: 1 if the A lookup answers just @ip, else 0
 */
static inline int tl_dns_resolves(const struct dns_local *t, const char *name,
				  const char *ip)
{
	struct dns_local_result res;
	struct in_addr a;

	if (tl_dns_lookup(t, name, DNS_T_A, &res) != DNS_LOCAL_ANSWER ||
	    res.n4 != 1)
		return 0;
	inet_pton(AF_INET, ip, &a);
	return res.a[0].s_addr == a.s_addr;
}

#endif /* USERNETD_TEST_TESTLIB_H */
