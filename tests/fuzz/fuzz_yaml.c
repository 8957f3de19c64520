/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_yaml.c - libFuzzer target for the configuration readers: each input
 * is read as a networks.yaml (cfg_networks_load_buffer(), for the networks
 * "user-v2" and "u") and as a lima.yaml (cfg_lima_yaml_load_buffer()).
 *
 * Besides the sanitizers, it aborts when an invariant breaks: a network
 * accepted with a subnet that has host bits, a prefix length that does not
 * match its netmask, a dhcpEnd outside the subnet or (user-v2) below the
 * pool; an error message that does not start with the input's name, or a
 * result not reset after an error; hostResolver entries without a name or
 * value or with positions of 0.
 *
 * Build (from the top of the tree):
 *   clang -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
 *     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     tests/fuzz/fuzz_yaml.c daemon/networksyaml.c daemon/limayaml.c \
 *     daemon/yamlutil.c base/log.c services/dns/codec.c services/dns/build.c \
 *     services/dns/local.c services/dns/regexp.c base/xalloc.c -I. -lyaml \
 *     -o build/fuzz_yaml
 * Run (-close_fd_mask=2 silences the unknown-key warnings):
 *   build/fuzz_yaml -max_total_time=60 -close_fd_mask=2 \
 *     tests/fuzz/corpus/yaml
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/limayaml.h"
#include "daemon/networksyaml.h"

#define FZ_NAME "fuzz.yaml"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * fz_require() - abort when an invariant does not hold
 * @ok:		the invariant
 * @what:	what it is
 */
static void fz_require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "invariant broken: %s\n", what);
		abort();
	}
}

/**
 * fz_error_ok() - an error message names the input first
 * @err:	the message
 */
static void fz_error_ok(const char *err)
{
	fz_require(!strncmp(err, FZ_NAME ":", strlen(FZ_NAME ":")),
		   "error message names the input");
	fz_require(strlen(err) > strlen(FZ_NAME ":"), "error message empty");
}

/**
 * fz_network() - read the input as a networks.yaml, network @name
 * @data:	input
 * @size:	its length
 * @name:	network to ask for
 */
static void fz_network(const uint8_t *data, size_t size, const char *name)
{
	static const struct cfg_network zero;
	uint32_t net, mask, end;
	struct cfg_network nw;
	char err[512];

	memset(&nw, 0xa5, sizeof(nw));
	if (cfg_networks_load_buffer(FZ_NAME, data, size, name, &nw, err,
				     sizeof(err))) {
		fz_error_ok(err);
		fz_require(!memcmp(&nw, &zero, sizeof(nw)),
			   "result zeroed after an error");
		return;
	}
	fz_require(nw.mode >= CFG_NET_USER_V2 && nw.mode <= CFG_NET_HOST,
		   "known mode");
	fz_require(strcmp(cfg_net_mode_name(nw.mode), "?") != 0, "mode name");
	fz_require(memchr(nw.interface, 0, sizeof(nw.interface)) != NULL,
		   "interface terminated");
	if (!nw.has_subnet) {
		fz_require(nw.mode == CFG_NET_BRIDGED, "only bridged lacks "
						       "addresses");
		return;
	}
	net = ntohl(nw.subnet.s_addr);
	mask = ntohl(nw.netmask.s_addr);
	end = ntohl(nw.dhcp_end.s_addr);
	fz_require(nw.prefixlen >= 1 && nw.prefixlen <= 30, "prefix range");
	fz_require(mask == ~0u << (32 - nw.prefixlen), "prefix matches mask");
	fz_require((net & ~mask) == 0, "subnet has no host bits");
	fz_require((ntohl(nw.gateway.s_addr) & mask) == net,
		   "subnet from gateway");
	fz_require((end & mask) == net && end != net && end != (net | ~mask),
		   "dhcpEnd inside the subnet");
	if (nw.mode == CFG_NET_USER_V2) {
		fz_require(nw.prefixlen >= 8 && nw.prefixlen <= 29,
			   "user-v2 prefix");
		fz_require(end >= net + 4, "user-v2 pool not empty");
	}
}

/**
 * fz_lima() - read the input as a lima.yaml
 * @data:	input
 * @size:	its length
 */
static void fz_lima(const uint8_t *data, size_t size)
{
	struct cfg_hostresolver hr;
	char err[512];
	size_t i;

	if (cfg_lima_yaml_load_buffer(FZ_NAME, data, size, &hr, err,
				      sizeof(err))) {
		fz_error_ok(err);
		fz_require(hr.enabled && !hr.ipv6 && !hr.hosts && !hr.nhosts,
			   "defaults after an error");
		return;
	}
	for (i = 0; i < hr.nhosts; i++) {
		fz_require(hr.hosts[i].name && *hr.hosts[i].name,
			   "host has a name");
		fz_require(hr.hosts[i].value && *hr.hosts[i].value,
			   "host has a value");
		fz_require(hr.hosts[i].line > 0 && hr.hosts[i].column > 0,
			   "host has a position");
	}
	cfg_hostresolver_free(&hr);
	fz_require(!hr.hosts && !hr.nhosts, "freed");
}

/**
 * LLVMFuzzerTestOneInput() - one input, read as both files
 * @data:	input
 * @size:	its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_network(data, size, "user-v2");
	fz_network(data, size, "u");
	fz_lima(data, size);
	return 0;
}
