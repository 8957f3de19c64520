/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mac.h - reading an Ethernet address written as text: six pairs of
 * hexadecimal digits joined by one separator. Header-only, so that
 * usernetctl and the fuzz targets need no further source to link; what
 * a caller accepts (which separators, unicast only) is its own policy.
 */
#ifndef USERNETD_MAC_H
#define USERNETD_MAC_H

#include <stdint.h>

/**
 * mac_hex() - value of a hexadecimal digit
 * @c:		character
 *
 * Return: 0 to 15, or -1 if @c is not a hexadecimal digit
 */
static inline int mac_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * mac_parse() - read "xx<sep>xx<sep>xx<sep>xx<sep>xx<sep>xx"
 * @s:		text, NUL-terminated right after the sixth pair
 * @sep:	the separator
 * @mac:	set to the address (partly written on failure)
 *
 * Return: 0, or -1 if @s is not exactly that
 */
static inline int mac_parse(const char *s, char sep, uint8_t mac[6])
{
	int i, hi, lo;

	for (i = 0; i < 6; i++) {
		hi = mac_hex(s[0]);
		lo = hi < 0 ? -1 : mac_hex(s[1]);
		if (lo < 0)
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (*s != (i == 5 ? '\0' : sep))
			return -1;
		s++;
	}
	return 0;
}

#endif /* USERNETD_MAC_H */
