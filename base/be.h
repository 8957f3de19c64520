/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * be.h - big-endian (network order) fields of any alignment, read and
 * written byte by byte: frames (packet/frame.h), DNS messages
 * (services/dns/) and capture records hold them at odd offsets, where a
 * cast to uint16_t * would be an unaligned access. The compiler turns
 * each into one load or store and a byte swap where the CPU allows.
 */
#ifndef USERNETD_BE_H
#define USERNETD_BE_H

#include <stdint.h>

/**
 * be16_get() - a 16-bit field in network order
 * @p:		its first byte, any alignment
 *
 * Return: its value
 */
static inline uint16_t be16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * be32_get() - a 32-bit field in network order
 * @p:		its first byte, any alignment
 *
 * Return: its value
 */
static inline uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * be16_put() - store a 16-bit field in network order
 * @p:		its first byte, any alignment
 * @v:		the value
 */
static inline void be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * be32_put() - store a 32-bit field in network order
 * @p:		its first byte, any alignment
 * @v:		the value
 */
static inline void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif /* USERNETD_BE_H */
