/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * codec_int.h - what the DNS codec's two halves share: the parser and
 * raw-message checks (codec.c) and the answer builder (build.c) read and
 * write the same big-endian fields and header flags. Not for other
 * modules: they use dns.h.
 */
#ifndef USERNETD_DNS_CODEC_INT_H
#define USERNETD_DNS_CODEC_INT_H

#include <stdint.h>

#include "base/be.h"

#define DNS_FLAG_QR	0x8000
#define DNS_FLAG_AA	0x0400
#define DNS_FLAG_TC	0x0200
#define DNS_FLAG_RD	0x0100
#define DNS_FLAG_RA	0x0080
#define DNS_FLAG_CD	0x0010
#define DNS_OPCODE(f)	(((f) >> 11) & 0xf)
#define DNS_OPT_RR_LEN	11     /* root name, type, class, ttl, rdlength */
#define DNS_RR_FIXED	10     /* type, class, ttl, rdlength */
#define DNS_PTR_MAX_OFF 0x3fff /* largest offset a pointer can name */

/**
 * dns_lower() - ASCII lower case (DNS names compare case-insensitively in
 * ASCII only, RFC 4343)
 * @c:	byte
 *
 * Return: @c, lower-cased if it is 'A'..'Z'
 */
static inline uint8_t dns_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

#endif /* USERNETD_DNS_CODEC_INT_H */
