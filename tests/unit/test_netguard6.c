/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_netguard6.c - the network's IPv6 guards (lan/netguard.c) against
 * its table of who owns which address (lan/own6.c), table-driven, in
 * order on one network with a victim VM and an attacker VM: the victim
 * claims its addresses by DAD and first use; the attacker's packets from
 * them, its DAD and NA for them, its packets from outside the prefix,
 * from multicast and ::, with another MAC in an ND option, and past its
 * share are each dropped and counted in their own counter, while its
 * own addresses pass. Then the services host's IPv6 frames: to the
 * owner's MAC, or dropped when nobody owns the address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "lan/network_int.h"
#include "lan/own6.h"

#define ETH 14
#define IP6 40

static const uint8_t mac_v[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x01};
static const uint8_t mac_a[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x02};

#define PFX "fd00:1:2:3::"

/**
 * struct frame6 - a frame under construction
 * @b:		its bytes
 * @len:	how many
 */
struct frame6 {
	uint8_t b[256];
	size_t len;
};

/**
 * build() - an IPv6 frame: @mac to 33:33:00:00:00:01, @src to @dst,
 * carrying ICMPv6 of @type (target @tgt and, if @opt, a link-layer option
 * of type @opt naming @omac) or, for @type 0, UDP
 * @f:		the frame
 * @mac:	source MAC
 * @src:	source address, text
 * @dst:	destination address, text
 * @type:	ICMPv6 type, 0 for UDP
 * @tgt:	NS/NA target, text, or NULL
 * @opt:	1 or 2 for a link-layer option, 0 for none
 * @omac:	the MAC it names
 */
static void build(struct frame6 *f, const uint8_t *mac, const char *src,
		  const char *dst, uint8_t type, const char *tgt, uint8_t opt,
		  const uint8_t *omac)
{
	uint8_t *ip = f->b + ETH, *m = ip + IP6;
	size_t plen = 8;

	memset(f, 0, sizeof(*f));
	memcpy(f->b, "\x33\x33\x00\x00\x00\x01", 6);
	memcpy(f->b + 6, mac, 6);
	f->b[12] = 0x86;
	f->b[13] = 0xdd;
	ip[0] = 0x60;
	ip[7] = 255;
	assert_int_equal(inet_pton(AF_INET6, src, ip + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, ip + 24), 1);
	ip[6] = type ? 58 : 17;
	m[0] = type;
	if (tgt) {
		assert_int_equal(inet_pton(AF_INET6, tgt, m + 8), 1);
		plen = 24;
	}
	if (opt) {
		m[plen] = opt;
		m[plen + 1] = 1;
		memcpy(m + plen + 2, omac, 6);
		plen += 8;
	}
	ip[5] = (uint8_t)plen;
	f->len = ETH + IP6 + plen;
}

/**
 * struct guard_case - one frame from a VM and what must become of it
 * @what:	for messages
 * @attacker:	from the attacker VM (id 2), else the victim (id 1)
 * @src:	source address
 * @type:	ICMPv6 type, 0 for UDP
 * @tgt:	NS/NA target, or NULL
 * @opt:	link-layer option type, 0 for none
 * @omac_v:	the option names the victim's MAC, else the sender's
 * @counter:	offset in struct net_stats of the counter that must go up
 *		by one, or -1 for a frame that must pass
 */
struct guard_case {
	const char *what;
	int attacker;
	const char *src;
	uint8_t type;
	const char *tgt;
	uint8_t opt;
	int omac_v;
	long counter;
};

#define PASS   -1
#define CNT(f) ((long)offsetof(struct net_stats, f))

static const struct guard_case cases[] = {
    {"victim DAD for its link-local", 0, "::", 135, "fe80::1:1", 0, 0, PASS},
    {"victim DAD", 0, "::", 135, PFX "1111", 0, 0, PASS},
    {"victim MLD report from ::", 0, "::", 143, NULL, 0, 0, PASS},
    {"victim uses it", 0, PFX "1111", 0, NULL, 0, 0, PASS},
    {"victim first use of another", 0, PFX "2222", 0, NULL, 0, 0, PASS},
    {"victim NA for its own", 0, PFX "1111", 136, PFX "1111", 2, 0, PASS},
    {"attacker from its own", 1, PFX "aaaa", 0, NULL, 0, 0, PASS},
    {"attacker link-local", 1, "fe80::2:2", 0, NULL, 0, 0, PASS},
    {"attacker NA for its own", 1, PFX "aaaa", 136, PFX "aaaa", 2, 0, PASS},
    {"attacker from victim's", 1, PFX "1111", 0, NULL, 0, 0, CNT(drop_spoof6)},
    {"attacker from victim's ll", 1, "fe80::1:1", 0, NULL, 0, 0,
     CNT(drop_spoof6)},
    {"attacker DAD for victim's", 1, "::", 135, PFX "1111", 0, 0,
     CNT(drop_dad6)},
    {"attacker NA for victim's", 1, PFX "aaaa", 136, PFX "1111", 0, 0,
     CNT(drop_na)},
    {"attacker NA off the link", 1, PFX "aaaa", 136, "2001:db8::1", 0, 0,
     CNT(drop_na)},
    {"attacker outside prefix", 1, "2001:db8::1", 0, NULL, 0, 0,
     CNT(drop_src6)},
    {"attacker other prefix", 1, "fd00:1:2:4::1", 0, NULL, 0, 0,
     CNT(drop_src6)},
    {"attacker as ::2", 1, PFX "2", 0, NULL, 0, 0, CNT(drop_src6)},
    {"attacker multicast", 1, "ff02::1", 0, NULL, 0, 0, CNT(drop_src6)},
    {"attacker UDP from ::", 1, "::", 0, NULL, 0, 0, CNT(drop_src6)},
    {"attacker DAD off the link", 1, "::", 135, "2001:db8::5", 0, 0,
     CNT(drop_src6)},
    {"attacker NS, victim's MAC", 1, PFX "aaaa", 135, PFX "1111", 1, 1,
     CNT(drop_nd_lladdr)},
    {"attacker NA, victim's MAC", 1, PFX "aaaa", 136, PFX "aaaa", 2, 1,
     CNT(drop_nd_lladdr)},
    {"attacker RS, victim's MAC", 1, PFX "aaaa", 133, NULL, 1, 1,
     CNT(drop_nd_lladdr)},
    {"victim still uses it", 0, PFX "1111", 0, NULL, 0, 0, PASS},
};

/**
 * counters() - the network's counters as an array
 * @n:		network
 * @c:		set to its counters
 */
static void counters(const struct net *n, uint64_t c[])
{
	memcpy(c, &n->stats, sizeof(n->stats));
}

/**
 * setup() - a network with the table of fd00:1:2:3::/64 and two VMs
 * @n:		the network, zeroed here
 * @vm:		the victim (id 1) and the attacker (id 2)
 */
static void setup(struct net *n, struct net_vm vm[2])
{
	memset(n, 0, sizeof(*n));
	assert_int_equal(inet_pton(AF_INET6, PFX, &n->cfg.prefix6), 1);
	n->owners6 = own6_new(&n->cfg.prefix6, NULL, NULL);
	memset(vm, 0, 2 * sizeof(*vm));
	vm[0].n = vm[1].n = n;
	vm[0].id = 1;
	vm[1].id = 2;
}

/**
 * test_guards() - every row of cases[], in order: passes, or is dropped
 * with exactly its counter going up
 * @state:	unused
 */
static void test_guards(void **state)
{
	enum { NC = sizeof(struct net_stats) / sizeof(uint64_t) };
	uint64_t before[NC], after[NC];
	struct net_vm vm[2];
	struct frame6 f;
	struct net n;
	unsigned i, j;
	int drop;

	(void)state;
	setup(&n, vm);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct guard_case *c = &cases[i];
		const uint8_t *mac = c->attacker ? mac_a : mac_v;

		build(&f, mac, c->src, "ff02::1", c->type, c->tgt, c->opt,
		      c->omac_v ? mac_v : mac);
		counters(&n, before);
		drop = net_guest_refused(&vm[c->attacker], f.b, f.len, 1000);
		counters(&n, after);
		if (drop != (c->counter != PASS))
			fail_msg("%s: dropped %d", c->what, drop);
		for (j = 0; j < NC; j++) {
			uint64_t want = before[j];

			if (c->counter == (long)(j * sizeof(uint64_t)))
				want++;
			if (after[j] != want)
				fail_msg("%s: counter at %u is %llu", c->what,
					 j, (unsigned long long)after[j]);
		}
	}
	own6_free(n.owners6);
}

/**
 * test_share() - a VM past OWN6_VM_MAX addresses is refused, counted
 * @state:	unused
 */
static void test_share(void **state)
{
	struct net_vm vm[2];
	struct frame6 f;
	struct net n;
	char src[64];
	unsigned i;

	(void)state;
	setup(&n, vm);
	for (i = 0; i <= OWN6_VM_MAX; i++) {
		snprintf(src, sizeof(src), PFX "a:%x", i);
		build(&f, mac_a, src, "ff02::1", 0, NULL, 0, NULL);
		assert_int_equal(net_guest_refused(&vm[1], f.b, f.len, 5),
				 i == OWN6_VM_MAX);
	}
	assert_int_equal(n.stats.drop_own6_full, 1);
	/* the victim is not affected */
	build(&f, mac_v, PFX "b:1", "ff02::1", 0, NULL, 0, NULL);
	assert_int_equal(net_guest_refused(&vm[0], f.b, f.len, 5), 0);
	own6_free(n.owners6);
}

/**
 * test_svc_dst() - the services host's IPv6 unicast goes to the owner's
 * MAC; to an address nobody owns it is dropped and counted; multicast,
 * the network's own hosts and IPv4 are left alone
 * @state:	unused
 */
static void test_svc_dst(void **state)
{
	static const uint8_t svc[6] = {0x52, 0x55, 0xc0, 0xa8, 0x05, 0x03};
	struct net_vm vm[2];
	struct frame6 f;
	uint8_t mac[6];
	struct net n;

	(void)state;
	setup(&n, vm);
	build(&f, mac_v, PFX "1111", "ff02::1", 0, NULL, 0, NULL);
	assert_int_equal(net_guest_refused(&vm[0], f.b, f.len, 1), 0);

	build(&f, svc, PFX "3", PFX "1111", 0, NULL, 0, NULL);
	memcpy(f.b, mac_a, 6); /* lwIP's cache had the wrong MAC */
	assert_int_equal(net_svc_dst6(&n, f.b, f.len, mac), 1);
	assert_memory_equal(mac, mac_v, 6);
	memcpy(f.b, mac_v, 6);
	assert_int_equal(net_svc_dst6(&n, f.b, f.len, mac), 0);

	build(&f, svc, PFX "3", PFX "9999", 0, NULL, 0, NULL);
	assert_int_equal(net_svc_dst6(&n, f.b, f.len, mac), -1);
	build(&f, svc, PFX "3", "2001:db8::1", 0, NULL, 0, NULL);
	assert_int_equal(net_svc_dst6(&n, f.b, f.len, mac), -1);
	assert_int_equal(n.stats.drop_svc6_unowned, 2);

	build(&f, svc, PFX "3", "ff02::1:ff00:1111", 135, PFX "1111", 0, NULL);
	assert_int_equal(net_svc_dst6(&n, f.b, f.len, mac), 0);
	build(&f, svc, PFX "3", PFX "2", 0, NULL, 0, NULL);
	assert_int_equal(net_svc_dst6(&n, f.b, f.len, mac), 0);
	build(&f, svc, "fe80::3", "fe80::2", 0, NULL, 0, NULL);
	assert_int_equal(net_svc_dst6(&n, f.b, f.len, mac), 0);
	f.b[12] = 0x08, f.b[13] = 0x00;
	assert_int_equal(net_svc_dst6(&n, f.b, f.len, mac), 0);
	assert_int_equal(n.stats.drop_svc6_unowned, 2);
	own6_free(n.owners6);
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
	    cmocka_unit_test(test_guards),
	    cmocka_unit_test(test_share),
	    cmocka_unit_test(test_svc_dst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
