/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ra.h - completes the router advertisements libslirp sends: the link MTU
 * and the DNS server (RFC 8106 RDNSS) the network serves, which libslirp
 * 4.7 leaves out or gets wrong (see ra.c).
 */
#ifndef USERNETD_RA_H
#define USERNETD_RA_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define RA_MTU_LEN   8	/* MTU option (RFC 4861 4.6.4) */
#define RA_RDNSS_LEN 24 /* RDNSS option with one address (RFC 8106 5.1) */
#define RA_GROW	     (RA_MTU_LEN + RA_RDNSS_LEN) /* most ra_rewrite() adds */

/*
 * Lifetime of the RDNSS option, seconds: twice libslirp's longest interval
 * between advertisements (600 s), RFC 8106's upper bound, so the server
 * outlives a lost advertisement and goes with the router.
 */
#define RA_RDNSS_LIFETIME 1200

/**
 * struct ra_config - what the advertisements must carry
 * @mtu:	the network's MTU (the MTU option)
 * @dns:	the DNS server's address (the RDNSS option): the services
 *		host's ::3
 */
struct ra_config {
	uint32_t mtu;
	struct in6_addr dns;
};

/**
 * enum ra_verdict - what ra_rewrite() did with a frame
 * @RA_PASS:	not a router advertisement: send the frame as it is
 * @RA_DONE:	a router advertisement, completed into the output buffer
 * @RA_DROP:	a router advertisement that cannot be read (truncated,
 *		malformed options) or does not fit the output buffer
 */
enum ra_verdict {
	RA_PASS,
	RA_DONE,
	RA_DROP,
};

enum ra_verdict ra_rewrite(const struct ra_config *c, const uint8_t *f,
			   size_t len, uint8_t *out, size_t cap,
			   size_t *outlen);

#endif /* USERNETD_RA_H */
