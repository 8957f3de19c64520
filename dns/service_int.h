/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * service_int.h - what service.c and hostport.c share: the service, a
 * query on its way, and the entry point that answers it. Not for other
 * modules: they use service.h.
 */
#ifndef USERNETD_DNS_SERVICE_INT_H
#define USERNETD_DNS_SERVICE_INT_H

#include <sys/socket.h>

#include "lwip/ip_addr.h"

#include "dns.h"
#include "service.h"

struct dnsd_host;
struct dnsd_q;

/* Send an answer to the client of @q. */
typedef void (*dnsd_reply_fn)(struct dnsd_q *q, const uint8_t *ans, size_t len);

/**
 * struct dnsd - the DNS service
 * @l:		loop
 * @hr:		host resolver
 * @cfg:	policy
 * @hosts:	host loopback ports (hostport.c)
 * @stats:	counters
 */
struct dnsd {
	struct loop *l;
	struct hr *hr;
	struct dnsd_config cfg;
	struct dnsd_host *hosts;
	struct dnsd_stats stats;
};

/**
 * struct dnsd_q - a query from arrival to answer
 * @d:		service
 * @next:	pending list link
 * @pprev:	pending list link, NULL when on no list
 * @req:	resolver request in flight, or NULL
 * @q:		the parsed query
 * @limit:	largest answer: the client's UDP size, or 65535 over TCP
 * @chain:	local CNAME chain waiting for its target's addresses
 * @tcp:	came over TCP
 * @owner:	transport state (endpoint, connection, host port)
 * @reply:	sends the answer
 * @to:		the client's address, for UDP
 */
struct dnsd_q {
	struct dnsd *d;
	struct dnsd_q *next;
	struct dnsd_q **pprev;
	struct hr_req *req;
	struct dns_query q;
	size_t limit;
	struct dns_local_result *chain;
	bool tcp;
	void *owner;
	dnsd_reply_fn reply;
	union {
		struct {
			ip_addr_t addr;
			uint16_t port;
		} lw;
		struct {
			struct sockaddr_storage sa;
			socklen_t len;
		} host;
	} to;
};

void dnsd_query(struct dnsd *d, struct dns_local *names, const uint8_t *msg,
		size_t len, const struct dnsd_q *tmpl, struct dnsd_q **pending);
void dnsd_cancel_all(struct dnsd_q **list);
size_t dnsd_count(struct dnsd_q *list);
void dnsd_host_close_all(struct dnsd *d);

#endif /* USERNETD_DNS_SERVICE_INT_H */
