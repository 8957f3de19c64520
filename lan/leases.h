/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * leases.h - the lease file of a user-v2 network (`--leases-file PATH`)
 * and the `--leases ip=mac,...` argument, in Lima's formats:
 *
 *	{"192.168.104.4":"52:55:55:12:34:56", ...}	(leases.json, jansson)
 *	--leases 192.168.104.4=52:55:55:12:34:56,192.168.104.5=...
 *
 * Only the conversion between those and struct dhcp_static_lease arrays
 * lives here; what the addresses mean (pool, statics, restore) is the DHCP
 * server's business (dhcp.h).  Every entry is checked: an IPv4 unicast
 * address, a unicast MAC (6 hex pairs separated by ':' or '-'), each IP
 * and each MAC only once.  The file is written atomically (temporary file
 * in the same directory, fsync, rename) with mode 0600.
 *
 * The file helpers (leases_read_file(), leases_write_file()) and the
 * address parsers serve the daemon's state file too (lan/state.h).
 */
#ifndef USERNETD_LEASES_H
#define USERNETD_LEASES_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "packet/dhcp.h"

#define LEASES_MAC_TEXT 18 /* "52:55:55:12:34:56" and its NUL */

int leases_load(const char *path, struct dhcp_static_lease **out, size_t *n,
		char *err, size_t errlen);
int leases_load_buffer(const char *path, const void *buf, size_t len,
		       struct dhcp_static_lease **out, size_t *n, char *err,
		       size_t errlen);
int leases_save(const char *path, const struct dhcp_static_lease *l, size_t n);
int leases_parse_arg(const char *s, struct dhcp_static_lease **out, size_t *n,
		     char *err, size_t errlen);

struct json_t;
struct json_t *leases_json_parse(const char *path, const void *buf, size_t len,
				 char *err, size_t errlen);
int leases_read_file(const char *path, size_t max, char **buf, size_t *len,
		     char *err, size_t errlen);
int leases_write_file(const char *path, const char *text, size_t len);
int leases_parse_ip(const char *s, struct in_addr *ip);
int leases_parse_mac(const char *s, uint8_t mac[6]);
void leases_format_mac(const uint8_t mac[6], char *buf);
int leases_find_dup(const struct dhcp_static_lease *l, size_t n, char *what,
		    size_t wlen);

#endif /* USERNETD_LEASES_H */
