/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_state.c - libFuzzer target: bytes as the daemon's state file
 * (<leases-file>.state.json). Whatever loads must save and load back to
 * the same content.
 *
 * fuzz-sources: lan/state.c base/wsched.c lan/leases.c
 * fuzz-sources: base/loop.c base/log.c
 * fuzz-sources: base/xalloc.c
 * fuzz-libs: -ljansson
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lan/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state_data d, back;
	char err[512], path[64];
	size_t i;

	if (state_load_buffer("fuzz", data, size, &d, err, sizeof(err)))
		return 0;
	snprintf(path, sizeof(path), "/tmp/fuzz_state.%d", (int)getpid());
	if (state_save(path, &d) || state_load(path, &back, err, sizeof(err)))
		abort();
	if (back.nleases != d.nleases)
		abort();
	for (i = 0; i < d.nleases; i++)
		if (back.leases[i].ip.s_addr != d.leases[i].ip.s_addr ||
		    memcmp(back.leases[i].mac, d.leases[i].mac, 6) ||
		    strcmp(back.leases[i].hostname, d.leases[i].hostname) ||
		    back.leases[i].expires != d.leases[i].expires)
			abort();
	if (!d.zones != !back.zones ||
	    (d.zones && !json_equal(d.zones, back.zones)))
		abort();
	unlink(path);
	state_data_free(&back);
	state_data_free(&d);
	return 0;
}
