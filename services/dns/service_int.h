/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * service_int.h - what service.c, stream.c, client.c and hostport.c share: the
 * service, a query on its way, and the entry point that answers it. Not for
 * other modules: they use service.h.
 */
#ifndef USERNETD_DNS_SERVICE_INT_H
#define USERNETD_DNS_SERVICE_INT_H

#include <sys/socket.h>

#include "lwip/ip_addr.h"

#include "services/dns/dns.h"
#include "services/dns/service.h"
#include "services/hostresolver/hostresolver.h"

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
 * @eps:	lwIP endpoints (core lock), to count a network's TCP
 *		connections on .2 and .3 together
 * @stats:	counters
 */
struct dnsd {
	struct loop *l;
	struct hr *hr;
	struct dnsd_config cfg;
	struct dnsd_host *hosts;
	struct dnsd_ep *eps;
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
 * @cl:		the client (network and address), for its fair share of
 *		the resolver
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
	struct hr_client cl;
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

/* Bytes of answers a TCP client may leave unread before it is dropped. */
#define DNSD_STREAM_TXMAX (256 * 1024)
/* TCP connections at once from one client address, and on one network
 * (lwIP: .2 and .3 together) or one host port. */
#define DNSD_TCP_PER_CLIENT 16
#define DNSD_TCP_PER_NET    128
/* A message must be whole this long after its first byte. */
#define DNSD_TCP_MSG_MS 10000
/* A connection waiting for its next query is closed after this long. */
#define DNSD_TCP_IDLE_MS 10000

/**
 * struct dnsd_stream - DNS over a byte stream (RFC 1035 4.2.2: a 2-byte
 * length before each message), whatever carries it: lwIP or a host socket
 * @rx:		received bytes not yet parsed
 * @rxlen:	how many
 * @tx:		answers not yet written, with their lengths
 * @txlen:	how many bytes
 * @pending:	queries waiting for the resolver
 * @parsing:	dnsd_stream_parse() is running (answers given at once
 *		must not re-enter it)
 * @closed:	the transport is gone: start nothing more
 * @msg_start:	monotonic ms the first byte of the incomplete message in
 *		@rx arrived; 0 when @rx holds none (see dnsd_stream_late())
 */
struct dnsd_stream {
	uint8_t rx[2 + DNS_TCP_MAX];
	size_t rxlen;
	uint8_t *tx;
	size_t txlen;
	struct dnsd_q *pending;
	int parsing;
	int closed;
	int64_t msg_start;
};

size_t dnsd_stream_parse(struct dnsd *d, struct dns_local *names,
			 struct dnsd_stream *st, const struct dnsd_q *tmpl,
			 size_t max_pending);
int dnsd_stream_queue(struct dnsd_stream *st, const uint8_t *ans, size_t len);
void dnsd_stream_sent(struct dnsd_stream *st, size_t n);
void dnsd_stream_free(struct dnsd_stream *st);
void dnsd_stream_received(struct dnsd_stream *st, int64_t now);
int dnsd_stream_late(const struct dnsd_stream *st, int64_t now);
void dnsd_client_set(struct hr_client *cl, const void *net,
		     const struct sockaddr *sa);
void dnsd_client_lw(struct hr_client *cl, const void *net, const ip_addr_t *a);

void dnsd_query(struct dnsd *d, struct dns_local *names, const uint8_t *msg,
		size_t len, const struct dnsd_q *tmpl, struct dnsd_q **pending);
void dnsd_cancel_all(struct dnsd_q **list);
size_t dnsd_count(struct dnsd_q *list);
void dnsd_host_close_all(struct dnsd *d);

#endif /* USERNETD_DNS_SERVICE_INT_H */
