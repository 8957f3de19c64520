/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * service.h - the DNS service: answers queries from guests over UDP and
 * TCP port 53 on a network's services host (.3 and ::3) and gateway alias
 * (.2 and ::2), and on host loopback ports for hostagent mode.
 *
 * What a query gets, in order: a local name (dns_local table of the
 * network: host.lima.internal, lima.yaml hosts, DHCP names) is answered
 * at once; A and AAAA go to the host's native resolver (hostresolver's
 * getaddrinfo pool), AAAA only with hostResolver.ipv6; everything else is
 * forwarded as is through c-ares, and the upstream answer relayed with its
 * records and TTLs. With hostResolver.enabled false, everything but the
 * local names is forwarded.
 *
 * Loop thread only, except where lwIP calls back (see service.c).
 */
#ifndef USERNETD_DNS_SERVICE_H
#define USERNETD_DNS_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct hr;
struct netif;
struct dns_local;
struct dnsd;
struct dnsd_ep;

/**
 * struct dnsd_config - policy of the DNS service
 * @enabled:	hostResolver.enabled: native resolver for A/AAAA
 * @ipv6:	hostResolver.ipv6: AAAA through the native resolver; when
 *		false AAAA answers NOERROR with no data at once
 */
struct dnsd_config {
	bool enabled;
	bool ipv6;
};

/**
 * struct dnsd_stats - counters of the whole service
 * @queries:	queries received (UDP and TCP)
 * @local:	answered from a local table
 * @native:	resolved with the native resolver
 * @forwarded:	forwarded upstream
 * @servfail:	answered SERVFAIL (resolver failure, timeout, bad upstream)
 * @formerr:	answered FORMERR, NOTIMP or BADVERS (malformed queries)
 * @dropped:	not answered: shorter than a header, responses, oversized,
 *		or no memory left for the query
 * @truncated:	UDP answers cut to the client's size, TC set
 * @tcp_conns:	TCP connections accepted
 * @tcp_refused: TCP connections refused (reset at once): their client
 *		address or their network (or host port) had its share open,
 *		or no memory was left for them
 * @tcp_deadline: TCP connections closed because a message was not whole
 *		DNSD_TCP_MSG_MS after its first byte
 * @tcp_idle:	TCP connections closed after DNSD_TCP_IDLE_MS without a
 *		query
 */
struct dnsd_stats {
	uint64_t queries;
	uint64_t local;
	uint64_t native;
	uint64_t forwarded;
	uint64_t servfail;
	uint64_t formerr;
	uint64_t dropped;
	uint64_t truncated;
	uint64_t tcp_conns;
	uint64_t tcp_refused;
	uint64_t tcp_deadline;
	uint64_t tcp_idle;
};

struct dnsd *dnsd_new(struct loop *l, struct hr *hr,
		      const struct dnsd_config *c);
void dnsd_free(struct dnsd *d);
const struct dnsd_stats *dnsd_stats(const struct dnsd *d);

struct dnsd_ep *dnsd_ep_new(struct dnsd *d, struct netif *netif,
			    struct dns_local *names);
void dnsd_ep_free(struct dnsd_ep *e);

int dnsd_listen_host(struct dnsd *d, bool tcp, const char *addrport,
		     struct dns_local *names, char *bound, size_t boundlen);

#endif /* USERNETD_DNS_SERVICE_H */
