/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * limayaml.h - the `hostResolver` block of a Lima instance's lima.yaml
 * (`--lima-yaml FILE`), read with libyaml.  Everything else in the file is
 * ignored.  Mistakes are reported as "FILE:LINE:COLUMN: message" (the
 * caller exits with status 2); unknown keys inside hostResolver are only
 * warned about (log_warnx), as Lima does.
 *
 *	hostResolver:
 *	  enabled: true		# default true
 *	  ipv6: false		# default false: AAAA answered empty
 *	  hosts:		# name -> IP address, or name -> other name
 *	    guest.name: 127.1.1.1
 *	    host.name: host.lima.internal
 */
#ifndef USERNETD_LIMAYAML_H
#define USERNETD_LIMAYAML_H

#include <stdbool.h>
#include <stddef.h>

#include "lan/network.h" /* struct cfg_host */

/**
 * struct cfg_hostresolver - lima.yaml's hostResolver settings
 * @enabled:	answer with the host's resolver and static names (default
 *		true); false: forward everything upstream
 * @ipv6:	answer AAAA through the native resolver (default false)
 * @hosts:	static names, in file order (malloc'd)
 * @nhosts:	how many
 */
struct cfg_hostresolver {
	bool enabled;
	bool ipv6;
	struct cfg_host *hosts;
	size_t nhosts;
};

void cfg_hostresolver_init(struct cfg_hostresolver *hr);
int cfg_lima_yaml_load(const char *path, struct cfg_hostresolver *out,
		       char *err, size_t errlen);
int cfg_lima_yaml_load_buffer(const char *path, const void *buf, size_t len,
			      struct cfg_hostresolver *out, char *err,
			      size_t errlen);
void cfg_hostresolver_free(struct cfg_hostresolver *hr);

#endif /* USERNETD_LIMAYAML_H */
