/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_port.c - QEMU stream framing and VM port behaviour over real
 * socketpairs: frames split across reads, bad lengths, a peer closing
 * mid-frame, and a peer that never reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/loop.h"
#include "base/be.h"
#include "packet/port.h"
#include "tests/unit/testlib.h"
/**
 * test_parse() - port_stream_next() frames the qemu stream: a 4-byte length,
 * then the frame; lengths out of range are errors
 * @state:	unused
 */
static void test_parse(void **state)
{
	uint8_t buf[4 + 60] = {0};
	size_t off, len;

	(void)state;
	assert_int_equal(port_stream_next(buf, 3, &off, &len), PORT_PARSE_NEED);
	be32_put(buf, 60);
	assert_int_equal(port_stream_next(buf, 40, &off, &len),
			 PORT_PARSE_NEED);
	assert_int_equal(port_stream_next(buf, sizeof(buf), &off, &len),
			 PORT_PARSE_FRAME);
	assert_int_equal(off, 4);
	assert_int_equal(len, 60);
	be32_put(buf, 0);
	assert_int_equal(port_stream_next(buf, 4, &off, &len),
			 PORT_PARSE_BAD_LEN);
	be32_put(buf, 13);
	assert_int_equal(port_stream_next(buf, 4, &off, &len),
			 PORT_PARSE_BAD_LEN);
	be32_put(buf, 14);
	assert_int_equal(port_stream_next(buf, 4, &off, &len), PORT_PARSE_NEED);
	be32_put(buf, PORT_FRAME_MAX);
	assert_int_equal(port_stream_next(buf, 4, &off, &len), PORT_PARSE_NEED);
	be32_put(buf, PORT_FRAME_MAX + 1);
	assert_int_equal(port_stream_next(buf, 4, &off, &len),
			 PORT_PARSE_BAD_LEN);
	memcpy(buf, "GET ", 4);
	assert_int_equal(port_stream_next(buf, 4, &off, &len),
			 PORT_PARSE_BAD_LEN);
}

/**
 * struct ctx - what the port callbacks saw
 * @l:		loop
 * @p:		port under test
 * @frames:	frames received
 * @bytes:	their bytes
 * @closed:	the port died
 */
struct ctx {
	struct loop *l;
	struct port *p;
	int frames;
	size_t bytes;
	int closed;
};

/**
 * ctx_rx() - port callback: count a frame (at least PORT_FRAME_MIN bytes) whose
 * first byte is its length
 * @arg:	the struct ctx
 * @p:		unused
 * @frame:	the frame
 * @len:	its length
 */
static void ctx_rx(void *arg, struct port *p, const uint8_t *frame, size_t len)
{
	struct ctx *c = arg;

	(void)p;
	assert_true(len >= PORT_FRAME_MIN);
	assert_int_equal(frame[0], (uint8_t)len);
	c->frames++;
	c->bytes += len;
}

/**
 * ctx_close() - port callback: note the port died, stop the loop
 * @arg:	the struct ctx
 * @p:		unused
 */
static void ctx_close(void *arg, struct port *p)
{
	struct ctx *c = arg;

	(void)p;
	c->closed = 1;
	loop_stop(c->l);
}

/**
 * setup_pair() - a socketpair, a loop and a port on one end
 * @c:		context, reset
 * @sv:		set to the pair; the port owns sv[0], the test writes to sv[1]
 * @type:	SOCK_STREAM (qemu framing) or SOCK_DGRAM
 */
static void setup_pair(struct ctx *c, int sv[2], int type)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(socketpair(AF_UNIX, type, 0, sv), 0);
	c->l = loop_new();
	c->p = port_new(c->l, sv[0],
			type == SOCK_STREAM ? PORT_STREAM : PORT_PACKET, "test",
			ctx_rx, ctx_close, c);
}

/**
 * teardown_pair() - free the port and the loop, close the test's end
 * @c:		context
 * @sv:		the pair of setup_pair()
 */
static void teardown_pair(struct ctx *c, int sv[2])
{
	port_free(c->p);
	close(sv[1]);
	loop_free(c->l);
}

/**
 * test_stream_frames() - write @n frames of sizes 14.. in one stream, in small
 * pieces.
 * @state:	unused
 */
static void test_stream_frames(void **state)
{
	uint8_t buf[4096];
	size_t off = 0, i;
	struct ctx c;
	int sv[2];

	(void)state;
	setup_pair(&c, sv, SOCK_STREAM);
	for (i = 14; i < 60; i++) {
		be32_put(buf + off, (uint32_t)i);
		memset(buf + off + 4, (int)i, i);
		off += 4 + i;
	}
	for (i = 0; i < off; i += 7)
		assert_true(write(sv[1], buf + i, off - i < 7 ? off - i : 7) >
			    0);
	tl_loop_run_for(c.l, 200);
	assert_int_equal(c.frames, 46);
	assert_int_equal(port_stats(c.p)->rx_frames, 46);
	assert_false(c.closed);
	teardown_pair(&c, sv);
}

/**
 * test_stream_bad_len() - a stream length out of range closes the port and is
 * counted
 * @state:	unused
 */
static void test_stream_bad_len(void **state)
{
	uint8_t hdr[4];
	struct ctx c;
	int sv[2];

	(void)state;
	setup_pair(&c, sv, SOCK_STREAM);
	be32_put(hdr, 70000);
	assert_int_equal(write(sv[1], hdr, 4), 4);
	tl_loop_run_for(c.l, 1000);
	assert_true(c.closed);
	assert_int_equal(port_stats(c.p)->rx_bad_len, 1);
	teardown_pair(&c, sv);
}

/**
 * test_stream_truncated() - a stream that ends inside a frame closes the port
 * and is counted
 * @state:	unused
 */
static void test_stream_truncated(void **state)
{
	uint8_t buf[4 + 10];
	struct ctx c;
	int sv[2];

	(void)state;
	setup_pair(&c, sv, SOCK_STREAM);
	be32_put(buf, 100);
	memset(buf + 4, 0, 10);
	assert_int_equal(write(sv[1], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	shutdown(sv[1], SHUT_WR);
	tl_loop_run_for(c.l, 1000);
	assert_true(c.closed);
	assert_int_equal(port_stats(c.p)->rx_truncated, 1);
	teardown_pair(&c, sv);
}

/**
 * test_send_full() - a peer that never reads: frames are dropped and counted,
 * never block.
 * @state:	unused
 */
static void test_send_full(void **state)
{
	uint8_t frame[1500] = {0};
	int i, dropped = 0;
	struct ctx c;
	int sv[2];

	(void)state;
	setup_pair(&c, sv, SOCK_STREAM);
	for (i = 0; i < 20000; i++)
		if (port_send(c.p, frame, sizeof(frame)))
			dropped++;
	assert_true(dropped > 0);
	assert_int_equal(port_stats(c.p)->tx_drop_full, dropped);
	assert_int_equal(port_stats(c.p)->tx_frames, 20000 - dropped);
	teardown_pair(&c, sv);
}

/**
 * test_send_order() - what is queued arrives intact and in order once the peer
 * reads.
 * @state:	unused
 */
static void test_send_order(void **state)
{
	uint8_t frame[9000], rbuf[65536];
	size_t want = 0, got = 0, i;
	uint32_t seq = 0;
	struct ctx c;
	int sv[2];

	(void)state;
	setup_pair(&c, sv, SOCK_STREAM);
	for (i = 0; i < 400; i++) {
		memset(frame, 0, sizeof(frame));
		/* the sequence number in the source MAC: the destination
		 * stays unicast, which is never dropped for a group cap */
		memcpy(frame + 6, &i, sizeof(i));
		assert_int_equal(port_send(c.p, frame, sizeof(frame)), 0);
		want += 4 + sizeof(frame);
	}
	while (got < want) {
		ssize_t n;

		tl_loop_run_for(c.l, 10);
		while ((n = recv(sv[1], rbuf, sizeof(rbuf), MSG_DONTWAIT)) >
		       0) {
			size_t k;

			for (k = 0; k < (size_t)n; k++, got++) {
				size_t rec = got / (4 + sizeof(frame));
				size_t at = got % (4 + sizeof(frame));

				if (at == 10) {
					seq = 0;
				}
				if (at >= 10 && at < 10 + sizeof(seq))
					seq |= (uint32_t)rbuf[k]
					       << (8 * (at - 10));
				if (at == 10 + sizeof(seq) - 1)
					assert_int_equal(seq, rec);
			}
		}
	}
	assert_int_equal(got, want);
	teardown_pair(&c, sv);
}

/**
 * test_send_group_cap() - broadcast frames stop being queued long before
 * unicast ones do.
 * @state:	unused
 */
static void test_send_group_cap(void **state)
{
	uint8_t bcast[1500], ucast[1500];
	int i, bdrop = 0, udrop = 0;
	struct ctx c;
	int sv[2];

	(void)state;
	memset(bcast, 0xff, sizeof(bcast));
	memset(ucast, 0, sizeof(ucast));
	ucast[0] = 0x52;
	setup_pair(&c, sv, SOCK_STREAM);
	for (i = 0; i < 200; i++)
		if (port_send(c.p, bcast, sizeof(bcast)))
			bdrop++;
	for (i = 0; i < 200; i++)
		if (port_send(c.p, ucast, sizeof(ucast)))
			udrop++;
	/* 200 broadcasts are 300 KB: past the 128 KiB cap */
	assert_true(bdrop > 0);
	assert_int_equal(udrop, 0);
	assert_int_equal(port_stats(c.p)->tx_drop_group, bdrop);
	assert_int_equal(port_stats(c.p)->tx_drop_full, 0);
	teardown_pair(&c, sv);
}

/**
 * test_packet() - a datagram port delivers each datagram as a frame and drops
 * runts
 * @state:	unused
 */
static void test_packet(void **state)
{
	uint8_t frame[100];
	struct ctx c;
	int sv[2];

	(void)state;
	setup_pair(&c, sv, SOCK_DGRAM);
	memset(frame, 100, sizeof(frame));
	assert_int_equal(write(sv[1], frame, 100), 100);
	assert_int_equal(write(sv[1], frame, 5), 5); /* runt: dropped */
	frame[0] = 14;
	assert_int_equal(write(sv[1], frame, 14), 14);
	tl_loop_run_for(c.l, 100);
	assert_int_equal(c.frames, 2);
	assert_int_equal(port_stats(c.p)->rx_bad_len, 1);
	assert_int_equal(port_send(c.p, frame, 60), 0);
	tl_loop_run_for(c.l,
			10); /* socket ports send once per loop iteration */
	assert_int_equal(read(sv[1], frame, sizeof(frame)), 60);
	teardown_pair(&c, sv);
}

/**
 * main() - run this file's tests with cmocka
 *
 * Return: what cmocka_run_group_tests() returns: 0 when every test passed, else
 * how many failed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_stream_frames),
	    cmocka_unit_test(test_stream_bad_len),
	    cmocka_unit_test(test_stream_truncated),
	    cmocka_unit_test(test_send_full),
	    cmocka_unit_test(test_send_order),
	    cmocka_unit_test(test_send_group_cap),
	    cmocka_unit_test(test_packet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
