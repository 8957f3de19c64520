/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_backpressure.c - the room query a sender that can keep its frame
 * asks before sending (issue 16): sw_room() asks the port a known unicast
 * MAC is on and nobody else, learns, counts and delivers nothing;
 * port_room() says no once the FIFO cannot take the frame (counted in
 * tx_deferred), yes again once the peer reads, and yes, whatever the
 * wait, once the port has written nothing for PORT_HOLD_MS.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/loop.h"
#include "packet/port.h"
#include "packet/switch.h"
#include "tests/unit/testlib.h"

/**
 * struct dest - a switch port under test
 * @delivered:	frames delivered to it
 * @asked:	times its room function was asked
 * @room:	what its room function answers
 * @len:	the length it was last asked about
 */
struct dest {
	int delivered;
	int asked;
	int room;
	size_t len;
};

/**
 * dest_deliver() - sw_deliver_fn: count the frame
 * @arg:	the struct dest
 * @from:	unused
 * @frame:	unused
 * @len:	unused
 */
static void dest_deliver(void *arg, uint32_t from, const uint8_t *frame,
			 size_t len)
{
	struct dest *d = arg;

	(void)from;
	(void)frame;
	(void)len;
	d->delivered++;
}

/**
 * dest_room() - sw_room_fn: count the question, answer @room
 * @arg:	the struct dest
 * @len:	the frame's length
 *
 * Return: the struct dest's @room
 */
static int dest_room(void *arg, size_t len)
{
	struct dest *d = arg;

	d->asked++;
	d->len = len;
	return d->room;
}

static const uint8_t mac_gw[6] = {0x52, 0x55, 0xc0, 0xa8, 5, 2};
static const uint8_t mac_vm[6] = {0x52, 0x55, 0x55, 0, 0, 1};
static const uint8_t mac_other[6] = {0x52, 0x55, 0x55, 0, 0, 9};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/**
 * test_sw_room() - only a known unicast destination with a room function
 * is asked; the question changes nothing in the switch
 * @state:	unused
 */
static void test_sw_room(void **state)
{
	struct dest gw = {0}, vm = {0};
	struct sw *s = sw_new();
	struct sw_port *pg = sw_port_add(s, "gateway", 0, dest_deliver, &gw);
	struct sw_port *pv = sw_port_add(s, "vm", 1, dest_deliver, &vm);
	uint8_t f[1514];

	(void)state;
	memset(f, 0, sizeof(f));
	sw_learn_static(s, pg, mac_gw);
	tl_eth(f, mac_gw, mac_vm, 0x0800);
	sw_input(s, pv, f, 60, 0); /* the switch learns mac_vm on pv */
	assert_int_equal(gw.delivered, 1);
	sw_port_set_room(pv, dest_room);

	tl_eth(f, mac_vm, mac_gw, 0x0800);
	vm.room = 0;
	assert_int_equal(sw_room(s, pg, f, sizeof(f), 0), 0);
	assert_int_equal(vm.asked, 1);
	assert_int_equal(vm.len, sizeof(f));
	vm.room = 1;
	assert_int_equal(sw_room(s, pg, f, sizeof(f), 0), 1);
	assert_int_equal(vm.asked, 2);
	assert_int_equal(vm.delivered, 0);
	assert_int_equal(sw_stats(s)->frames, 1);

	/* group, unknown and back-to-sender destinations: send them */
	vm.room = 0;
	tl_eth(f, bcast, mac_gw, 0x0800);
	assert_int_equal(sw_room(s, pg, f, 60, 0), 1);
	tl_eth(f, mac_other, mac_gw, 0x0800);
	assert_int_equal(sw_room(s, pg, f, 60, 0), 1);
	tl_eth(f, mac_vm, mac_gw, 0x0800);
	assert_int_equal(sw_room(s, pv, f, 60, 0), 1);
	assert_int_equal(sw_room(s, pg, f, 10, 0), 1); /* a runt */
	assert_int_equal(vm.asked, 2);
	/* a port without a room function takes everything */
	tl_eth(f, mac_gw, mac_vm, 0x0800);
	assert_int_equal(sw_room(s, pv, f, 60, 0), 1);
	assert_int_equal(gw.asked, 0);
	assert_int_equal(sw_stats(s)->frames, 1);
	assert_int_equal(sw_stats(s)->flooded, 0);
	sw_free(s);
}

/**
 * port_ctx_rx() - port callback: frames from the peer (none expected)
 * @arg:	unused
 * @p:		unused
 * @frame:	unused
 * @len:	unused
 */
static void port_ctx_rx(void *arg, struct port *p, const uint8_t *frame,
			size_t len)
{
	(void)arg;
	(void)p;
	(void)frame;
	(void)len;
	fail_msg("the peer sent nothing");
}

/**
 * port_ctx_close() - port callback: the port died (not expected)
 * @arg:	unused
 * @p:		unused
 */
static void port_ctx_close(void *arg, struct port *p)
{
	(void)arg;
	(void)p;
	fail_msg("the port died");
}

/**
 * drain() - read everything the port wrote so far
 * @fd:		the peer's end, non-blocking
 *
 * Return: bytes read
 */
static size_t drain(int fd)
{
	static uint8_t buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	return total;
}

/**
 * test_port_room() - a port whose peer does not read: room until the FIFO
 * is full, then none (counted), room again when the peer reads, and room
 * after PORT_HOLD_MS without progress (the frame is then dropped, counted)
 * @state:	unused
 */
static void test_port_room(void **state)
{
	uint8_t frame[1514] = {0};
	struct loop *l = loop_new();
	struct port *p;
	int sv[2], i;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p = port_new(l, sv[0], PORT_STREAM, "test", port_ctx_rx, port_ctx_close,
		     NULL);
	for (i = 0; i < 100000 && port_room(p, sizeof(frame)); i++)
		assert_int_equal(port_send(p, frame, sizeof(frame)), 0);
	assert_true(i < 100000);
	assert_int_equal(port_stats(p)->tx_drop_full, 0);
	assert_int_equal(port_stats(p)->tx_deferred, 1);
	assert_int_equal(port_room(p, sizeof(frame)), 0);
	assert_int_equal(port_stats(p)->tx_deferred, 2);
	assert_int_equal(port_room(p, 14), 1); /* a small one still fits */

	/* the peer reads: the port writes on POLLOUT, room again */
	assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	for (i = 0; i < 200 && !port_room(p, sizeof(frame)); i++) {
		drain(sv[1]);
		tl_loop_run_for(l, 10);
	}
	assert_true(i < 200);

	/* fill it again, then write nothing for PORT_HOLD_MS */
	while (port_room(p, sizeof(frame)))
		assert_int_equal(port_send(p, frame, sizeof(frame)), 0);
	tl_loop_run_for(l, 3100);
	assert_int_equal(port_room(p, sizeof(frame)), 1);
	assert_int_equal(port_send(p, frame, sizeof(frame)), -1);
	assert_int_equal(port_stats(p)->tx_drop_full, 1);

	port_free(p);
	close(sv[1]);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sw_room),
	    cmocka_unit_test(test_port_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
