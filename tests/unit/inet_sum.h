/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * inet_sum.h - the Internet checksum (RFC 1071) from scratch, for unit
 * tests that check the checksums a module writes or fixes up.
 */
#ifndef USERNETD_TEST_INET_SUM_H
#define USERNETD_TEST_INET_SUM_H

#include <stddef.h>
#include <stdint.h>

/**
 * sum16() - one's complement sum of @len bytes, added to @s
 */
static inline uint32_t sum16(uint32_t s, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

/**
 * fold() - fold a 32-bit sum to 16 bits
 */
static inline uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

#endif /* USERNETD_TEST_INET_SUM_H */
