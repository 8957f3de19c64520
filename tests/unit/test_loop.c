/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_loop.c - unit tests of the event loop (base/loop.c): when
 * deferred work runs relative to descriptor callbacks, hooks and poll(2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <poll.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/loop.h"

/**
 * struct tl_ctx - what the callbacks of one test see and record
 * @l:		loop
 * @fds:	pipe: [0] watched by the loop, [1] written by the test
 * @io_def:	deferred work queued by the descriptor callback
 * @hook_def:	deferred work queued by the hook's dispatch
 * @seq:	order counter
 * @io_ran:	@seq when @io_def ran, 0 if not yet
 * @hook_saw:	@io_ran as the hook's dispatch saw it
 * @hook_ran:	@seq when @hook_def ran
 * @passes:	hook dispatches so far
 */
struct tl_ctx {
	struct loop *l;
	int fds[2];
	struct loop_deferred io_def;
	struct loop_deferred hook_def;
	int seq;
	int io_ran;
	int hook_saw;
	int hook_ran;
	int passes;
};

/**
 * tl_io_work() - deferred work queued by the descriptor callback
 * @arg:	the struct tl_ctx
 */
static void tl_io_work(void *arg)
{
	struct tl_ctx *c = arg;

	c->io_ran = ++c->seq;
}

/**
 * tl_hook_work() - deferred work queued by the hook
 * @arg:	the struct tl_ctx
 */
static void tl_hook_work(void *arg)
{
	struct tl_ctx *c = arg;

	c->hook_ran = ++c->seq;
}

/**
 * tl_io() - descriptor callback: drain the pipe, queue deferred work
 * @arg:	the struct tl_ctx
 * @fd:		the pipe's read end
 * @revents:	unused
 */
static void tl_io(void *arg, int fd, int revents)
{
	struct tl_ctx *c = arg;
	char b;

	(void)revents;
	assert_int_equal(read(fd, &b, 1), 1);
	loop_defer(c->l, &c->io_def);
}

/**
 * tl_prepare() - hook prepare: after the first pass, do not block
 * @arg:	the struct tl_ctx
 * @l:		unused
 * @timeout_ms:	how long the loop may block, set to 0 after the first pass
 */
static void tl_prepare(void *arg, struct loop *l, int *timeout_ms)
{
	struct tl_ctx *c = arg;

	(void)l;
	if (c->passes)
		*timeout_ms = 0;
}

/**
 * tl_dispatch() - hook dispatch: record what ran before it, queue work
 * @arg:	the struct tl_ctx
 * @l:		the loop
 */
static void tl_dispatch(void *arg, struct loop *l)
{
	struct tl_ctx *c = arg;

	if (!c->passes++) {
		c->hook_saw = c->io_ran;
		loop_defer(l, &c->hook_def);
		return;
	}
	loop_stop(l);
}

/**
 * test_deferred_before_hooks() - what a descriptor callback defers (a port's
 * flush of the frames libslirp emitted for a guest's ACK) runs before the hooks
 * of the same iteration (libslirp reading the host sockets); what a hook defers
 * runs before the next poll(2).
 * @state:	unused
 */
static void test_deferred_before_hooks(void **state)
{
	struct tl_ctx c = {0};

	(void)state;
	c.l = loop_new();
	assert_int_equal(pipe(c.fds), 0);
	c.io_def.fn = tl_io_work;
	c.io_def.arg = &c;
	c.hook_def.fn = tl_hook_work;
	c.hook_def.arg = &c;
	loop_io_add(c.l, c.fds[0], POLLIN, tl_io, &c);
	loop_hook_add(c.l, tl_prepare, tl_dispatch, &c);
	assert_int_equal(write(c.fds[1], "x", 1), 1);

	assert_int_equal(loop_run(c.l), 0);
	assert_int_equal(c.io_ran, 1);
	assert_int_equal(c.hook_saw, 1);
	assert_int_equal(c.hook_ran, 2);

	loop_hook_del(c.l, &c);
	loop_io_del(c.l, c.fds[0]);
	close(c.fds[0]);
	close(c.fds[1]);
	loop_free(c.l);
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
	    cmocka_unit_test(test_deferred_before_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
