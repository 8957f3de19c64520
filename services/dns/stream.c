/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stream.c - DNS over a byte stream (RFC 1035 4.2.2: a 2-byte length
 * before each message), whatever carries it: the lwIP TCP connections of
 * service.c and the host TCP connections of hostport.c share this framing,
 * its clock for a message that trickles in, and its bounded send queue.
 */
#include <stdlib.h>
#include <string.h>

#include "services/dns/service_int.h"

/**
 * dnsd_stream_parse() - start the complete queries in a stream's buffer
 * @d:		service
 * @names:	local names of the client's network
 * @st:		the stream
 * @tmpl:	transport fields for the queries
 * @max_pending: queries that may wait for the resolver at once; the rest
 *		stay in the buffer (and the transport's window closes)
 *
 * Not re-entered when a query is answered at once and its reply asks for
 * more: the loop here goes on anyway.
 *
 * Return: bytes consumed from the buffer
 */
size_t dnsd_stream_parse(struct dnsd *d, struct dns_local *names,
			 struct dnsd_stream *st, const struct dnsd_q *tmpl,
			 size_t max_pending)
{
	size_t off = 0;

	if (st->parsing)
		return 0;
	st->parsing = 1;
	while (!st->closed && st->rxlen - off >= 2 &&
	       dnsd_count(st->pending) < max_pending) {
		size_t n = (size_t)st->rx[off] << 8 | st->rx[off + 1];

		if (st->rxlen - off - 2 < n)
			break;
		off += 2 + n;
		st->msg_start = 0; /* the next message's clock starts anew */
		dnsd_query(d, names, st->rx + off - n, n, tmpl, &st->pending);
	}
	memmove(st->rx, st->rx + off, st->rxlen - off);
	st->rxlen -= off;
	st->parsing = 0;
	return off;
}

/**
 * dnsd_stream_received() - start the clock of an incomplete message
 * @st:		the stream, after its new bytes were parsed
 * @now:	monotonic ms
 *
 * The clock runs from the first byte of a message until it is whole;
 * complete messages waiting for their turn (the pending bound) do not
 * count as late.
 */
void dnsd_stream_received(struct dnsd_stream *st, int64_t now)
{
	size_t n;

	if (st->rxlen >= 2) {
		n = (size_t)st->rx[0] << 8 | st->rx[1];
		if (st->rxlen - 2 >= n) {
			st->msg_start = 0;
			return;
		}
	}
	if (!st->rxlen)
		st->msg_start = 0;
	else if (!st->msg_start)
		st->msg_start = now;
}

/**
 * dnsd_stream_late() - whether a message is still incomplete
 *			DNSD_TCP_MSG_MS after its first byte
 * @st:		the stream
 * @now:	monotonic ms
 *
 * Return: 1 if the connection is to be closed, else 0
 */
int dnsd_stream_late(const struct dnsd_stream *st, int64_t now)
{
	return st->msg_start && now - st->msg_start > DNSD_TCP_MSG_MS;
}

/**
 * dnsd_stream_queue() - append an answer, with its length, to be written
 * @st:		the stream
 * @ans:	the answer
 * @len:	its length
 *
 * Return: 0, or -1 if the client left more than DNSD_STREAM_TXMAX unread
 * or no memory is left for the answer
 */
int dnsd_stream_queue(struct dnsd_stream *st, const uint8_t *ans, size_t len)
{
	uint8_t *tx;

	if (st->txlen + 2 + len > DNSD_STREAM_TXMAX)
		return -1;
	tx = realloc(st->tx, st->txlen + 2 + len);
	if (!tx)
		return -1; /* per query: the caller closes the connection */
	st->tx = tx;
	tx[st->txlen] = (uint8_t)(len >> 8);
	tx[st->txlen + 1] = (uint8_t)len;
	memcpy(tx + st->txlen + 2, ans, len);
	st->txlen += 2 + len;
	return 0;
}

/**
 * dnsd_stream_sent() - @n queued bytes were written
 * @st:		the stream
 * @n:		how many bytes of @st->tx the transport took
 */
void dnsd_stream_sent(struct dnsd_stream *st, size_t n)
{
	memmove(st->tx, st->tx + n, st->txlen - n);
	st->txlen -= n;
}

/**
 * dnsd_stream_free() - cancel the stream's queries and free its buffer
 * @st:		the stream; reusable afterwards
 */
void dnsd_stream_free(struct dnsd_stream *st)
{
	dnsd_cancel_all(&st->pending);
	free(st->tx);
	st->tx = NULL;
	st->txlen = 0;
}
