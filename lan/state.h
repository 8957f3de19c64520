/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state.h - the daemon's state file, next to a user-v2 network's lease
 * file: what Lima's leases.json has no place for and a restart (even
 * kill -9) must not lose.
 *
 *	<leases-file>.state.json
 *	{"version": 1,
 *	 "leases": [{"ip": "192.168.104.4", "mac": "52:55:55:12:34:56",
 *		     "hostname": "lima-a", "expires": 1763890000}],
 *	 "zones": [ what GET /services/dns/all answers ]}
 *
 * "leases" are the bound leases (DHCP names and the time left, the end as
 * seconds since the epoch), kept by the registry (registry.c); "zones" are
 * the control API's DNS zones (daemon/api_dns.c), stored as the API shows them
 * and checked by the API's own parser when read back.  The lease file
 * stays in Lima's exact format: Lima reads it.
 *
 * One struct state per file, shared by its users on the loop thread: the
 * server opens it (state_open()) before it creates the network, the
 * network's registry and the API find it by the lease file's name
 * (state_find()).  A change only marks it dirty: writes are coalesced by a
 * loop timer, at most one every WSCHED_WRITE_GAP_MS (base/wsched.h),
 * each atomic (temporary file, fsync, rename: leases_write_file()).  A
 * state file that cannot be read or parsed is reported and ignored: the
 * daemon starts clean and overwrites it at the first change.
 */
#ifndef USERNETD_STATE_H
#define USERNETD_STATE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "packet/dhcp.h"

#define STATE_SUFFIX	    ".state.json" /* appended to the lease file */
#define STATE_VERSION	    1
#define STATE_FILE_MAX	    (16u << 20) /* larger state files: refused */
#define STATE_EXPIRES_SLACK 60 /* expiry moves under this: no rewrite */

struct loop;
struct state;

/**
 * struct state_lease - a bound lease as the state file keeps it
 * @ip:		address
 * @mac:	client
 * @hostname:	its DHCP name (option 12, checked as the DHCP server
 *		does), "" for none
 * @expires:	end of the lease, seconds since the epoch (wall clock: the
 *		DHCP server's monotonic clock means nothing after a reboot)
 */
struct state_lease {
	struct in_addr ip;
	uint8_t mac[6];
	char hostname[DHCP_HOSTNAME_MAX + 1];
	int64_t expires;
};

/**
 * struct state_data - the content of a state file
 * @leases:	bound leases (malloc'd), NULL when none
 * @nleases:	how many
 * @zones:	the API's zones, a JSON array of objects; NULL when none
 */
struct state_data {
	struct state_lease *leases;
	size_t nleases;
	json_t *zones;
};

int state_load_buffer(const char *path, const void *buf, size_t len,
		      struct state_data *out, char *err, size_t errlen);
int state_load(const char *path, struct state_data *out, char *err,
	       size_t errlen);
int state_save(const char *path, const struct state_data *d);
void state_data_free(struct state_data *d);

struct state *state_open(struct loop *l, const char *leases_file);
struct state *state_find(const char *leases_file);
void state_close(struct state *st);
const char *state_path(const struct state *st);
const struct state_data *state_loaded(const struct state *st);
void state_set_leases(struct state *st, const struct state_lease *l, size_t n);
void state_set_zones(struct state *st, json_t *zones);
int state_flush(struct state *st);
unsigned long state_writes(const struct state *st);

#endif /* USERNETD_STATE_H */
