/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_leases.c - libFuzzer target: bytes as a lease file (leases.json)
 * and as a --leases argument. Whatever loads must save and load back to
 * the same associations.
 *
 * fuzz-sources: lan/leases.c base/log.c
 * fuzz-sources: base/xalloc.c
 * fuzz-libs: -ljansson
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lan/leases.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_static_lease *l = NULL, *back = NULL;
	char err[256], path[] = "/tmp/fuzz_leases.XXXXXX", *arg;
	size_t n = 0, nback = 0, i;
	int fd;

	if (!leases_load_buffer("fuzz", data, size, &l, &n, err, sizeof(err))) {
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		if (leases_save(path, l, n) ||
		    leases_load(path, &back, &nback, err, sizeof(err)) ||
		    nback != n)
			abort();
		for (i = 0; i < n; i++)
			if (back[i].ip.s_addr != l[i].ip.s_addr ||
			    memcmp(back[i].mac, l[i].mac, 6))
				abort();
		unlink(path);
		free(back);
	}
	free(l);
	l = NULL;
	n = 0;
	arg = malloc(size + 1);
	if (!arg)
		return 0;
	memcpy(arg, data, size);
	arg[size] = '\0';
	if (!leases_parse_arg(arg, &l, &n, err, sizeof(err)))
		free(l);
	free(arg);
	return 0;
}
