/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_services.c - unit tests of the services host (packet/svchost.c)
 * on the real lwIP: ARP, ICMP echo, DHCP through the frame path, lwIP's
 * drop of 0.0.0.0 sources, isolation of two hosts sharing 192.168.5.3,
 * the input filter, and IPv6 (::3, the alias's ::2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#include "base/loop.h"
#include "packet/svchost.h"
#include "packet/dhcp.h"
#include "tests/unit/testlib.h"

/* DHCPDISCOVER from busybox 1.35 udhcpc (52:55:55:12:34:56, -x
 * hostname:myvm), as captured by tcpdump: source 0.0.0.0. */
static const uint8_t discover_frame[342] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x55, 0x55, 0x12, 0x34, 0x56,
    0x08, 0x00, 0x45, 0x00, 0x01, 0x48, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11,
    0x79, 0xa6, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x44,
    0x00, 0x43, 0x01, 0x34, 0x19, 0xc9, 0x01, 0x01, 0x06, 0x00, 0x5f, 0x33,
    0x36, 0x56, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x52, 0x55,
    0x55, 0x12, 0x34, 0x56, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x63, 0x82, 0x53, 0x63, 0x35, 0x01, 0x01, 0x39, 0x02, 0x02,
    0x40, 0x37, 0x07, 0x01, 0x03, 0x06, 0x0c, 0x0f, 0x1c, 0x2a, 0x0c, 0x04,
    0x6d, 0x79, 0x76, 0x6d, 0x3c, 0x0c, 0x75, 0x64, 0x68, 0x63, 0x70, 0x20,
    0x31, 0x2e, 0x33, 0x35, 0x2e, 0x30, 0x3d, 0x07, 0x01, 0x52, 0x55, 0x55,
    0x12, 0x34, 0x56, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ARP request: who has 192.168.5.3? tell 192.168.5.15 (52:55:55:12:34:56),
 * padded to 60 */
static const uint8_t arp_request[60] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x55, 0x55, 0x12, 0x34, 0x56,
    0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x55,
    0x55, 0x12, 0x34, 0x56, 0xc0, 0xa8, 0x05, 0x0f, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xc0, 0xa8, 0x05, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ICMP echo request 192.168.5.15 -> 192.168.5.3, id 0x4242 seq 1, 40 bytes of
 * data */
static const uint8_t echo_request[82] = {
    0x52, 0x55, 0x55, 0x00, 0x00, 0x03, 0x52, 0x55, 0x55, 0x12, 0x34, 0x56,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x44, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x01,
    0x93, 0x10, 0xc0, 0xa8, 0x05, 0x0f, 0xc0, 0xa8, 0x05, 0x03, 0x08, 0x00,
    0xf6, 0xe9, 0x42, 0x42, 0x00, 0x01, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21,
    0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d,
    0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};

/* TCP SYN 192.168.5.15:40000 -> 192.168.5.3:81 (closed port) */
static const uint8_t tcp_syn_81[54] = {
    0x52, 0x55, 0x55, 0x00, 0x00, 0x03, 0x52, 0x55, 0x55, 0x12, 0x34,
    0x56, 0x08, 0x00, 0x45, 0x00, 0x00, 0x28, 0x1c, 0x46, 0x40, 0x00,
    0x40, 0x06, 0x93, 0x27, 0xc0, 0xa8, 0x05, 0x0f, 0xc0, 0xa8, 0x05,
    0x03, 0x9c, 0x40, 0x00, 0x51, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00,
    0x00, 0x00, 0x50, 0x02, 0xfa, 0xf0, 0x89, 0x15, 0x00, 0x00,
};

/* UDP 192.168.5.15:40001 -> 192.168.5.3:9 "hello" */
static const uint8_t udp_to_9[47] = {
    0x52, 0x55, 0x55, 0x00, 0x00, 0x03, 0x52, 0x55, 0x55, 0x12, 0x34, 0x56,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x21, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x11,
    0x93, 0x23, 0xc0, 0xa8, 0x05, 0x0f, 0xc0, 0xa8, 0x05, 0x03, 0x9c, 0x41,
    0x00, 0x09, 0x00, 0x0d, 0x94, 0x54, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* UDP 0.0.0.0:40001 -> 255.255.255.255:9 "hello" (DISCOVER-like source) */
static const uint8_t udp_any_to_9[47] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x55, 0x55, 0x12, 0x34, 0x56,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x21, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
    0x3a, 0xcd, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x9c, 0x41,
    0x00, 0x09, 0x00, 0x0d, 0x1f, 0xb8, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

static const uint8_t vm_mac[6] = {0x52, 0x55, 0x55, 0x12, 0x34, 0x56};
static const uint8_t svc_mac[6] = {0x52, 0x55, 0x55, 0x00, 0x00, 0x03};

#define CAP_MAX 32

/**
 * struct cap - frames a services host sent
 * @l:		loop to stop
 * @n:		frames captured
 * @len:	their lengths
 * @f:		their bytes
 * @want:	stop the loop once this predicate has held @need times
 * @need:	see @want
 * @hits:	see @want
 */
struct cap {
	struct loop *l;
	int n;
	size_t len[CAP_MAX];
	uint8_t f[CAP_MAX][1600];
	int (*want)(const uint8_t *f, size_t len);
	int need;
	int hits;
};

/**
 * cap_out() - svc_output_fn: record the frame
 * @arg:	the struct cap
 * @f:		the frame
 * @len:	its length
 */
static void cap_out(void *arg, const uint8_t *f, size_t len)
{
	struct cap *c = arg;

	assert_true(len <= sizeof(c->f[0]));
	if (c->n < CAP_MAX) {
		memcpy(c->f[c->n], f, len);
		c->len[c->n++] = len;
	}
	if (c->want && c->want(f, len) && ++c->hits >= c->need)
		loop_stop(c->l);
}

/**
 * find() - index of the first captured frame matching @pred, -1 if none
 * @c:		the captured frames
 * @pred:	the test, non-zero on a match
 *
 * Return: the index, or -1
 */
static int find(const struct cap *c, int (*pred)(const uint8_t *, size_t))
{
	int i;

	for (i = 0; i < c->n; i++)
		if (pred(c->f[i], c->len[i]))
			return i;
	return -1;
}

/**
 * new_svc() - a services host for 192.168.5.3 in @l, output into @c
 * @dhcp:	DHCP configuration or NULL
 * @l:		loop
 * @c:		capture of the output, reset
 *
 * Return: the services host; fails the test if it cannot be made
 */
static struct svc *new_svc(struct loop *l, struct cap *c,
			   const struct dhcp_config *dhcp)
{
	struct svc_config cfg;
	struct svc *s;

	memset(&cfg, 0, sizeof(cfg));
	cfg.addr.s_addr = tl_ip4("192.168.5.3");
	cfg.netmask.s_addr = tl_ip4("255.255.255.0");
	cfg.gw.s_addr = tl_ip4("192.168.5.2");
	memcpy(cfg.mac, svc_mac, 6);
	cfg.mtu = 1500;
	cfg.dhcp = dhcp;
	c->l = l;
	s = svc_new(l, &cfg, cap_out, c);
	assert_non_null(s);
	return s;
}

/**
 * is_arp_reply() - ARP reply "192.168.5.3 is at svc_mac" to the VM
 * @f:		frame
 * @len:	its length
 *
 * Return: non-zero if it is
 */
static int is_arp_reply(const uint8_t *f, size_t len)
{
	return len >= 42 && !memcmp(f, vm_mac, 6) &&
	       !memcmp(f + 6, svc_mac, 6) && f[12] == 0x08 && f[13] == 0x06 &&
	       f[20] == 0 && f[21] == 2 && !memcmp(f + 22, svc_mac, 6) &&
	       !memcmp(f + 28, "\xc0\xa8\x05\x03", 4) &&
	       !memcmp(f + 32, vm_mac, 6) &&
	       !memcmp(f + 38, "\xc0\xa8\x05\x0f", 4);
}

/**
 * is_ipv4_to_vm() - IPv4 from .3 to .15 with protocol @proto
 * @f:		frame
 * @len:	its length
 * @proto:	IP protocol number
 *
 * Return: pointer to the transport header, NULL if not
 */
static const uint8_t *is_ipv4_to_vm(const uint8_t *f, size_t len, uint8_t proto)
{
	if (len < 34 || memcmp(f, vm_mac, 6) || memcmp(f + 6, svc_mac, 6) ||
	    f[12] != 0x08 || f[13] != 0x00 || f[14] != 0x45 || f[23] != proto ||
	    memcmp(f + 26, "\xc0\xa8\x05\x03", 4) ||
	    memcmp(f + 30, "\xc0\xa8\x05\x0f", 4))
		return NULL;
	return f + 34;
}

/**
 * is_echo_reply() - echo reply to echo_request, same id, seq and data
 * @f:		frame
 * @len:	its length
 *
 * Return: non-zero if it is
 */
static int is_echo_reply(const uint8_t *f, size_t len)
{
	const uint8_t *t = is_ipv4_to_vm(f, len, 1);

	return t && len == sizeof(echo_request) && t[0] == 0 && t[1] == 0 &&
	       !memcmp(t + 4, echo_request + 38, 4) &&
	       !memcmp(t + 8, echo_request + 42, 40);
}

/**
 * is_rst() - TCP RST from .3:81 to .15:40000
 * @f:		frame
 * @len:	its length
 *
 * Return: non-zero if it is
 */
static int is_rst(const uint8_t *f, size_t len)
{
	const uint8_t *t = is_ipv4_to_vm(f, len, 6);

	return t && t[0] == 0 && t[1] == 81 && t[2] == 0x9c && t[3] == 0x40 &&
	       (t[13] & 0x04);
}

/**
 * is_port_unreach() - ICMP port unreachable to .15
 * @f:		frame
 * @len:	its length
 *
 * Return: non-zero if it is
 */
static int is_port_unreach(const uint8_t *f, size_t len)
{
	const uint8_t *t = is_ipv4_to_vm(f, len, 1);

	return t && t[0] == 3 && t[1] == 3;
}

/**
 * is_dhcp_reply() - UDP 67 -> 68 broadcast from .3
 * @f:		frame
 * @len:	its length
 *
 * Return: non-zero if it is
 */
static int is_dhcp_reply(const uint8_t *f, size_t len)
{
	return len >= 42 + 240 && !memcmp(f, "\xff\xff\xff\xff\xff\xff", 6) &&
	       !memcmp(f + 6, svc_mac, 6) && f[12] == 0x08 && f[13] == 0 &&
	       f[23] == 17 && !memcmp(f + 26, "\xc0\xa8\x05\x03", 4) &&
	       !memcmp(f + 30, "\xff\xff\xff\xff", 4) && f[34] == 0 &&
	       f[35] == 67 && f[36] == 0 && f[37] == 68;
}

/**
 * dhcp_opt() - option @code of the DHCP message in frame @f
 * @f:		frame holding a DHCP reply
 * @len:	its length
 * @code:	option code
 * @olen:	set to the option's length
 *
 * Return: its value, NULL if absent
 */
static const uint8_t *dhcp_opt(const uint8_t *f, size_t len, uint8_t code,
			       int *olen)
{
	size_t i = 42 + 240;

	while (i + 1 < len && f[i] != 255) {
		if (f[i] == 0) {
			i++;
			continue;
		}
		if (f[i] == code) {
			*olen = f[i + 1];
			return f + i + 2;
		}
		i += 2 + (size_t)f[i + 1];
	}
	return NULL;
}

/**
 * test_arp() - an ARP request for .3 is answered
 * @state:	unused
 */
static void test_arp(void **state)
{
	struct loop *l = loop_new();
	static struct cap c;
	struct svc_stats st;
	struct svc *s;

	(void)state;
	memset(&c, 0, sizeof(c));
	s = new_svc(l, &c, NULL);
	c.want = is_arp_reply;
	c.need = 1;
	svc_input(s, arp_request, sizeof(arp_request), 0);
	tl_loop_run_for(l, 2000);
	assert_true(find(&c, is_arp_reply) >= 0);
	svc_get_stats(s, &st);
	assert_int_equal(st.rx_frames, 1);
	assert_int_equal(st.rx_dropped, 0);
	assert_true(st.tx_frames >= 1);
	assert_int_equal(st.tx_dropped, 0);
	svc_free(s);
	loop_free(l);
}

/**
 * test_ping() - an ICMP echo request to .3 is answered
 * @state:	unused
 */
static void test_ping(void **state)
{
	struct loop *l = loop_new();
	static struct cap c;
	struct svc *s;

	(void)state;
	memset(&c, 0, sizeof(c));
	s = new_svc(l, &c, NULL);
	c.want = is_echo_reply;
	c.need = 1;
	svc_input(s, arp_request, sizeof(arp_request), 0);
	svc_input(s, echo_request, sizeof(echo_request), 0);
	tl_loop_run_for(l, 2000);
	assert_true(find(&c, is_echo_reply) >= 0);
	svc_free(s);
	loop_free(l);
}

/**
 * udp_fix_checksum() - recompute the UDP checksum of an IPv4 frame
 * @f:		the frame (20-byte IPv4 header)
 * @len:	its length
 */
static void udp_fix_checksum(uint8_t *f, size_t len)
{
	size_t ulen = (size_t)f[38] << 8 | f[39];
	uint32_t sum;
	uint16_t c;

	assert_true(34 + ulen <= len);
	f[40] = f[41] = 0;
	sum = tl_sum16(0, f + 26, 8) + 17 + (uint32_t)ulen;
	c = (uint16_t)~tl_fold(tl_sum16(sum, f + 34, ulen));
	be16_put(f + 40, c ? c : 0xffff);
}

/**
 * ip_fix_checksum() - recompute the IPv4 header checksum of a frame
 * @f:		the frame (20-byte IPv4 header)
 */
static void ip_fix_checksum(uint8_t *f)
{
	f[24] = f[25] = 0;
	be16_put(f + 24, tl_csum(f + 14, 20));
}

/**
 * test_dhcp() - udhcpc's DISCOVER (source 0.0.0.0) gets an OFFER of .15
 * with option 26, and a REQUEST built from it gets an ACK
 * @state:	unused
 */
static void test_dhcp(void **state)
{
	struct loop *l = loop_new();
	static struct cap c;
	struct dhcp_config dc;
	struct svc_stats st;
	struct dhcp_stats ds;
	uint8_t req[sizeof(discover_frame)];
	const uint8_t *o, *offer, *ack;
	const size_t end = 0x147; /* END option in the frame */
	struct svc *s;
	int i, j, olen;

	(void)state;
	memset(&c, 0, sizeof(c));
	tl_dhcp_slirp(&dc);
	s = new_svc(l, &c, &dc);
	assert_non_null(svc_dhcp(s));
	c.want = is_dhcp_reply;
	c.need = 2;

	svc_input(s, discover_frame, sizeof(discover_frame), 0);
	/* the REQUEST: type 3, requested .15, server .3 in place of END */
	memcpy(req, discover_frame, sizeof(req));
	assert_int_equal(req[end], 255);
	req[42 + 242] = 3;
	memcpy(req + end,
	       "\x32\x04\xc0\xa8\x05\x0f\x36\x04\xc0\xa8\x05\x03\xff", 13);
	udp_fix_checksum(req, sizeof(req));
	svc_input(s, req, sizeof(req), 0);
	tl_loop_run_for(l, 2000);

	i = find(&c, is_dhcp_reply);
	assert_true(i >= 0);
	offer = c.f[i];
	o = dhcp_opt(offer, c.len[i], 53, &olen);
	assert_non_null(o);
	assert_int_equal(o[0], DHCP_OFFER);
	assert_int_equal(offer[42], 2);
	assert_memory_equal(offer + 42 + 4, discover_frame + 42 + 4, 4);
	assert_memory_equal(offer + 42 + 16, "\xc0\xa8\x05\x0f", 4);
	o = dhcp_opt(offer, c.len[i], 26, &olen);
	assert_non_null(o);
	assert_int_equal(olen, 2);
	assert_int_equal(o[0] << 8 | o[1], 1500);

	for (j = i + 1; j < c.n && !is_dhcp_reply(c.f[j], c.len[j]); j++)
		;
	assert_true(j < c.n);
	ack = c.f[j];
	o = dhcp_opt(ack, c.len[j], 53, &olen);
	assert_non_null(o);
	assert_int_equal(o[0], DHCP_ACK);
	assert_memory_equal(ack + 42 + 16, "\xc0\xa8\x05\x0f", 4);
	assert_string_equal(
	    dhcp_lease_hostname(svc_dhcp(s),
				(struct in_addr){tl_ip4("192.168.5.15")}),
	    "myvm");

	svc_get_stats(s, &st);
	assert_int_equal(st.rx_dhcp, 2);
	assert_int_equal(st.tx_dhcp, 2);
	dhcp_get_stats(svc_dhcp(s), &ds);
	assert_int_equal(ds.offers, 1);
	assert_int_equal(ds.acks, 1);
	svc_free(s);
	loop_free(l);
}

static int udp9_count;

/**
 * udp9_recv() - lwIP recv callback of the port 9 pcb
 * @arg:	unused
 * @pcb:	unused
 * @p:		the datagram, freed
 * @addr:	unused
 * @port:	unused
 */
static void udp9_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
		      const ip_addr_t *addr, u16_t port)
{
	(void)arg;
	(void)pcb;
	(void)addr;
	(void)port;
	udp9_count++;
	pbuf_free(p);
}

/**
 * test_lwip_drops_zero_source() - verify the lwIP fact DHCP works around:
 * Debian's lwIP 2.1.3 (no LWIP_DHCP) drops UDP from 0.0.0.0 in
 * ip4_input() before any pcb, and delivers the same datagram from .15
 * @state:	unused
 */
static void test_lwip_drops_zero_source(void **state)
{
	struct loop *l = loop_new();
	static struct cap c;
	struct udp_pcb *pcb;
	struct svc *s;

	(void)state;
	memset(&c, 0, sizeof(c));
	s = new_svc(l, &c, NULL);
	LOCK_TCPIP_CORE();
	pcb = udp_new();
	assert_non_null(pcb);
	ip_set_option(pcb, SOF_REUSEADDR);
	udp_bind_netif(pcb, svc_netif(s));
	assert_int_equal(udp_bind(pcb, IP4_ADDR_ANY, 9), ERR_OK);
	udp_recv(pcb, udp9_recv, NULL);
	UNLOCK_TCPIP_CORE();

	/* svc_input() hands frames to lwIP synchronously */
	udp9_count = 0;
	svc_input(s, udp_any_to_9, sizeof(udp_any_to_9), 0);
	assert_int_equal(udp9_count, 0);
	svc_input(s, udp_to_9, sizeof(udp_to_9), 0);
	assert_int_equal(udp9_count, 1);

	LOCK_TCPIP_CORE();
	udp_remove(pcb);
	UNLOCK_TCPIP_CORE();
	svc_free(s);
	loop_free(l);
}

/**
 * any_reply() - any of the replies the tests provoke
 * @f:		frame
 * @len:	its length
 *
 * Return: non-zero if it is one
 */
static int any_reply(const uint8_t *f, size_t len)
{
	return is_arp_reply(f, len) || is_echo_reply(f, len) ||
	       is_rst(f, len) || is_port_unreach(f, len);
}

/**
 * test_isolation() - two hosts with the same address and MAC: replies,
 * including the pcb-less ones lwIP routes itself (TCP RST to a closed
 * port, ICMP port unreachable), leave through the host that got the
 * request, even when it is not first in lwIP's netif list
 * @state:	unused
 */
static void test_isolation(void **state)
{
	struct loop *l = loop_new();
	static struct cap ca, cb;
	struct svc *a, *b;
	int i;

	(void)state;
	memset(&ca, 0, sizeof(ca));
	memset(&cb, 0, sizeof(cb));
	b = new_svc(l, &cb, NULL);
	a = new_svc(l, &ca, NULL); /* netif_add() puts a first */
	cb.want = any_reply;
	cb.need = 4;
	svc_input(b, arp_request, sizeof(arp_request), 0);
	svc_input(b, echo_request, sizeof(echo_request), 0);
	svc_input(b, tcp_syn_81, sizeof(tcp_syn_81), 0);
	svc_input(b, udp_to_9, sizeof(udp_to_9), 0);
	tl_loop_run_for(l, 2000);
	assert_true(find(&cb, is_arp_reply) >= 0);
	assert_true(find(&cb, is_echo_reply) >= 0);
	assert_true(find(&cb, is_rst) >= 0);
	assert_true(find(&cb, is_port_unreach) >= 0);
	for (i = 0; i < ca.n; i++)
		assert_false(any_reply(ca.f[i], ca.len[i]));
	svc_free(a);
	svc_free(b);
	loop_free(l);
}

/**
 * test_filter() - frames not for the host never reach lwIP
 * @state:	unused
 */
static void test_filter(void **state)
{
	struct loop *l = loop_new();
	static struct cap c;
	uint8_t f[sizeof(echo_request)];
	struct svc_stats st;
	struct svc *s;
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	s = new_svc(l, &c, NULL);
	svc_input(s, arp_request, 10, 0); /* runt */
	memcpy(f, echo_request, sizeof(f));
	f[33] = 99; /* to .99: forward */
	ip_fix_checksum(f);
	svc_input(s, f, sizeof(f), 0);
	memcpy(f, echo_request, sizeof(f));
	memcpy(f + 30, "\xe0\x00\x00\x01", 4); /* multicast */
	ip_fix_checksum(f);
	svc_input(s, f, sizeof(f), 0);
	memcpy(f, echo_request, sizeof(f));
	f[24] ^= 1; /* bad IP checksum */
	svc_input(s, f, sizeof(f), 0);
	memcpy(f, echo_request, sizeof(f));
	f[20] = 0x20; /* MF: fragment */
	svc_input(s, f, sizeof(f), 0);
	memcpy(f, echo_request, sizeof(f));
	f[12] = 0x86; /* IPv6 */
	f[13] = 0xdd;
	svc_input(s, f, sizeof(f), 0);
	memcpy(f, echo_request, sizeof(f));
	f[0] = 0x52; /* another MAC */
	f[5] = 0x99;
	svc_input(s, f, sizeof(f), 0);
	memcpy(f, echo_request, sizeof(f));
	f[16] = 0x10; /* total length > frame */
	svc_input(s, f, sizeof(f), 0);
	svc_get_stats(s, &st);
	assert_int_equal(st.rx_dropped, 8);
	assert_int_equal(st.rx_frames, 0);
	tl_loop_run_for(l, 100);
	for (i = 0; i < c.n; i++)
		assert_false(any_reply(c.f[i], c.len[i]));
	svc_free(s);
	loop_free(l);
}

static int late_calls;

/**
 * late_out() - output callback that must not run after svc_free()
 * @arg:	unused
 * @f:		unused
 * @len:	unused
 */
static void late_out(void *arg, const uint8_t *f, size_t len)
{
	(void)arg;
	(void)f;
	(void)len;
	late_calls++;
}

/**
 * test_free_pending() - frames queued at svc_free() are dropped, the
 * output callback is not called afterwards
 * @state:	unused
 */
static void test_free_pending(void **state)
{
	struct loop *l = loop_new();
	struct svc_config cfg;
	struct svc *s;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.addr.s_addr = tl_ip4("192.168.5.3");
	cfg.netmask.s_addr = tl_ip4("255.255.255.0");
	memcpy(cfg.mac, svc_mac, 6);
	s = svc_new(l, &cfg, late_out, NULL);
	assert_non_null(s);
	svc_input(s, arp_request, sizeof(arp_request), 0);
	svc_input(s, echo_request, sizeof(echo_request), 0);
	svc_free(s);
	tl_loop_run_for(l, 100);
	assert_int_equal(late_calls, 0);
	loop_free(l);
}

/**
 * test_bad_config() - invalid MTU or DHCP configuration: no host
 * @state:	unused
 */
static void test_bad_config(void **state)
{
	struct loop *l = loop_new();
	struct svc_config cfg;
	struct dhcp_config dc;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.addr.s_addr = tl_ip4("192.168.5.3");
	cfg.netmask.s_addr = tl_ip4("255.255.255.0");
	cfg.mtu = 70000;
	assert_null(svc_new(l, &cfg, late_out, NULL));
	cfg.mtu = 1500;
	tl_dhcp_slirp(&dc);
	dc.pool_first.s_addr = tl_ip4("10.0.0.1");
	cfg.dhcp = &dc;
	assert_null(svc_new(l, &cfg, late_out, NULL));
	loop_free(l);
}

/**
 * syn_from() - tcp_syn_81 from 192.168.5.@host, source port @sport, with
 * its checksums recomputed
 * @f:		buffer, sizeof(tcp_syn_81) bytes
 * @host:	last byte of the source address
 * @sport:	source port
 */
static void syn_from(uint8_t *f, uint8_t host, uint16_t sport)
{
	uint32_t s;

	memcpy(f, tcp_syn_81, sizeof(tcp_syn_81));
	f[29] = host;
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[24] = f[25] = 0;
	s = tl_fold(tl_sum16(0, f + 14, 20));
	f[24] = (uint8_t)(~s >> 8);
	f[25] = (uint8_t)~s;
	f[50] = f[51] = 0;
	s = tl_sum16(0, f + 26, 8) + 6 + 20; /* pseudo header */
	s = tl_fold(tl_sum16(s, f + 34, 20));
	f[50] = (uint8_t)(~s >> 8);
	f[51] = (uint8_t)~s;
}

/**
 * never_accept() - lwIP accept callback that fails the test: a SYN flood must
 * not complete a connection
 * @arg:	unused
 * @pcb:	unused
 * @err:	unused
 *
 * Return: ERR_ABRT (never reached)
 */
static err_t never_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	(void)pcb;
	(void)err;
	fail_msg("a half-open connection was accepted");
	return ERR_ABRT;
}

/**
 * test_syn_bound() - lwIP makes a pcb for every SYN to a listener: a
 * source's 17th half-open connection, or the host's 65th, is dropped and
 * counted; another source still gets in
 * @state:	unused
 */
static void test_syn_bound(void **state)
{
	struct loop *l = loop_new();
	static struct cap c;
	uint8_t f[sizeof(tcp_syn_81)];
	struct tcp_pcb *t, *lis;
	struct svc_stats st;
	struct svc *s;
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	s = new_svc(l, &c, NULL);
	LOCK_TCPIP_CORE();
	t = tcp_new();
	assert_non_null(t);
	tcp_bind_netif(t, svc_netif(s));
	assert_int_equal(tcp_bind(t, IP4_ADDR_ANY, 81), ERR_OK);
	lis = tcp_listen(t);
	assert_non_null(lis);
	tcp_accept(lis, never_accept);
	UNLOCK_TCPIP_CORE();
	for (i = 0; i < 20; i++) {
		syn_from(f, 15, (uint16_t)(40000 + i));
		svc_input(s, f, sizeof(f), 0);
	}
	svc_get_stats(s, &st);
	assert_int_equal(st.rx_syn_dropped, 4);
	assert_int_equal(st.rx_frames, 16);
	syn_from(f, 15, 40000); /* a retransmitted SYN counts too */
	svc_input(s, f, sizeof(f), 0);
	for (i = 0; i < 60; i++) { /* 3 sources more: 64 in all */
		syn_from(f, (uint8_t)(16 + i / 20), (uint16_t)(41000 + i));
		svc_input(s, f, sizeof(f), 0);
	}
	svc_get_stats(s, &st);
	assert_int_equal(st.rx_syn_dropped, 5 + 4 * 3 + 0);
	syn_from(f, 99, 42000); /* the host is full: 48 + 16 */
	svc_input(s, f, sizeof(f), 0);
	svc_get_stats(s, &st);
	assert_int_equal(st.rx_syn_dropped, 18);
	LOCK_TCPIP_CORE();
	tcp_close(lis);
	UNLOCK_TCPIP_CORE();
	svc_free(s);
	loop_free(l);
}

/* IPv6 of the tests: the guest (vm_mac's EUI-64), the services host at
 * ::3 and its alias at ::2, and the gateway's IPv6 MAC libslirp uses. */
static const uint8_t vm6[16] = {0xfe, 0xc0, 0,	  0,	0,    0,    0,	  0,
				0x50, 0x55, 0x55, 0xff, 0xfe, 0x12, 0x34, 0x56};
static const uint8_t svc6[16] = {0xfe, 0xc0, [15] = 3};
static const uint8_t alias6[16] = {0xfe, 0xc0, [15] = 2};
static const uint8_t alias_mac[6] = {0x52, 0x55, 0xc0, 0xa8, 0x05, 0x02};
static const uint8_t gw_mac6[6] = {0x52, 0x56, 0, 0, 0, 2};

/**
 * ip6_frame() - an IPv6 frame from the VM, its ICMPv6 or UDP checksum
 * right
 * @f:		where it goes, 54 + @plen bytes
 * @dmac:	destination MAC
 * @dst:	destination address
 * @nh:		next header (58, 17, or an extension header)
 * @pl:		the payload, its checksum field zero
 * @plen:	its length
 *
 * Return: the frame's length
 */
static size_t ip6_frame(uint8_t *f, const uint8_t *dmac, const uint8_t *dst,
			uint8_t nh, const uint8_t *pl, size_t plen)
{
	size_t ck = nh == 58 ? 2 : nh == 17 ? 6 : 0;
	uint32_t sum;

	tl_eth(f, dmac, vm_mac, 0x86dd);
	memset(f + 14, 0, 40);
	f[14] = 0x60;
	f[18] = (uint8_t)(plen >> 8);
	f[19] = (uint8_t)plen;
	f[20] = nh;
	f[21] = 255;
	memcpy(f + 22, vm6, 16);
	memcpy(f + 38, dst, 16);
	memcpy(f + 54, pl, plen);
	if (ck) {
		sum = tl_sum16(0, f + 22, 32);
		sum += (uint32_t)plen + nh;
		sum = tl_fold(tl_sum16(sum, f + 54, plen));
		f[54 + ck] = (uint8_t)(~sum >> 8);
		f[54 + ck + 1] = (uint8_t)~sum;
	}
	return 54 + plen;
}

/**
 * ns_for() - a neighbour solicitation from the VM for @target, to its
 * solicited-node group, with the VM's link-layer address
 * @f:		where it goes, 86 bytes
 * @target:	the address asked for
 *
 * Return: the frame's length
 */
static size_t ns_for(uint8_t *f, const uint8_t *target)
{
	uint8_t mac[6] = {0x33, 0x33, 0xff}, dst[16] = {0xff, 0x02};
	uint8_t ns[32] = {135};

	memcpy(mac + 3, target + 13, 3);
	dst[11] = 1;
	dst[12] = 0xff;
	memcpy(dst + 13, target + 13, 3);
	memcpy(ns + 8, target, 16);
	ns[24] = 1; /* source link-layer address */
	ns[25] = 1;
	memcpy(ns + 26, vm_mac, 6);
	return ip6_frame(f, mac, dst, 58, ns, sizeof(ns));
}

/**
 * icmp6_from() - is @f an ICMPv6 message of @type to the VM, from @src
 * with source MAC @smac?
 * @f:		frame
 * @len:	its length
 * @type:	ICMPv6 type
 * @src:	its source address
 * @smac:	its source MAC
 *
 * Return: non-zero if it is
 */
static int icmp6_from(const uint8_t *f, size_t len, uint8_t type,
		      const uint8_t *src, const uint8_t *smac)
{
	return len >= 62 && f[12] == 0x86 && f[13] == 0xdd && f[20] == 58 &&
	       f[54] == type && !memcmp(f, vm_mac, 6) &&
	       !memcmp(f + 6, smac, 6) && !memcmp(f + 22, src, 16) &&
	       !memcmp(f + 38, vm6, 16);
}

/**
 * is_na_svc6() - neighbour advertisement for ::3 from the host's MAC
 * @f:		frame
 * @len:	its length
 *
 * Return: non-zero if it is one
 */
static int is_na_svc6(const uint8_t *f, size_t len)
{
	return icmp6_from(f, len, 136, svc6, svc_mac) && len >= 78 &&
	       !memcmp(f + 62, svc6, 16);
}

/**
 * is_na_alias6() - neighbour advertisement for ::2 from anyone
 * @f:		frame
 * @len:	its length
 *
 * Return: non-zero if it is one
 */
static int is_na_alias6(const uint8_t *f, size_t len)
{
	return len >= 78 && f[12] == 0x86 && f[20] == 58 && f[54] == 136 &&
	       !memcmp(f + 62, alias6, 16);
}

/**
 * is_echo6_reply() - echo reply from ::3
 * @f:		frame
 * @len:	its length
 *
 * Return: non-zero if it is one
 */
static int is_echo6_reply(const uint8_t *f, size_t len)
{
	return icmp6_from(f, len, 129, svc6, svc_mac);
}

/**
 * is_unreach_alias6() - port unreachable from the alias's ::2, sent with
 * the alias's MAC
 * @f:		frame
 * @len:	its length
 *
 * Return: non-zero if it is one
 */
static int is_unreach_alias6(const uint8_t *f, size_t len)
{
	return icmp6_from(f, len, 1, alias6, alias_mac) && f[55] == 4;
}

/**
 * new_svc6() - new_svc() with IPv6 (::3) and the alias (.2, ::2)
 * @l:		loop
 * @c:		capture of the output, reset
 * @ip6:	0 for a host without IPv6
 *
 * Return: the services host; fails the test if it cannot be made
 */
static struct svc *new_svc6(struct loop *l, struct cap *c, int ip6)
{
	struct svc_config cfg;
	struct svc *s;

	memset(&cfg, 0, sizeof(cfg));
	cfg.addr.s_addr = tl_ip4("192.168.5.3");
	cfg.netmask.s_addr = tl_ip4("255.255.255.0");
	cfg.gw.s_addr = tl_ip4("192.168.5.2");
	memcpy(cfg.mac, svc_mac, 6);
	cfg.mtu = 1500;
	cfg.alias.s_addr = tl_ip4("192.168.5.2");
	memcpy(cfg.alias_mac, alias_mac, 6);
	if (ip6) {
		memcpy(cfg.addr6.s6_addr, svc6, 16);
		memcpy(cfg.alias6.s6_addr, alias6, 16);
		memcpy(cfg.alias_mac6, gw_mac6, 6);
	}
	c->l = l;
	s = svc_new(l, &cfg, cap_out, c);
	assert_non_null(s);
	return s;
}

/**
 * test_ipv6() - ::3 answers neighbour solicitations and echo requests,
 * the alias takes UDP to ::2 sent to the gateway's IPv6 MAC (and answers
 * port unreachable with its own MAC), but never a solicitation for ::2
 * (libslirp's); router advertisements, other addresses, extension headers
 * and a wrong MAC are dropped; without IPv6 a solicitation for ::3 too
 * @state:	unused
 */
static void test_ipv6(void **state)
{
	static const uint8_t ra[16] = {134, 0, 0, 0, 64, 0, 0x07, 0x08};
	static const uint8_t other6[16] = {0xfe, 0xc0, [15] = 0x99};
	static const uint8_t allnodes[16] = {0xff, 0x02, [15] = 1};
	static const uint8_t mac_all[6] = {0x33, 0x33, 0, 0, 0, 1};
	uint8_t echo[16] = {128, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n'};
	uint8_t udp[12] = {0x30, 0x39, 0, 9, 0, 12, 0, 0, 'a', 'b', 'c', 'd'};
	uint8_t hbh[8 + sizeof(echo)] = {58}; /* hop-by-hop, then echo */
	struct loop *l = loop_new();
	static struct cap c;
	struct svc_stats st;
	uint8_t f[128];
	struct svc *s;
	size_t n;

	(void)state;
	memset(&c, 0, sizeof(c));
	s = new_svc6(l, &c, 1);
	c.want = is_na_svc6;
	c.need = 1;
	svc_input(s, f, ns_for(f, svc6), 1);
	tl_loop_run_for(l, 500);
	assert_true(find(&c, is_na_svc6) >= 0);

	c.want = is_echo6_reply;
	svc_input(s, f, ip6_frame(f, svc_mac, svc6, 58, echo, sizeof(echo)), 1);
	tl_loop_run_for(l, 500);
	assert_true(find(&c, is_echo6_reply) >= 0);

	c.want = is_unreach_alias6;
	svc_input(s, f, ip6_frame(f, gw_mac6, alias6, 17, udp, sizeof(udp)), 1);
	tl_loop_run_for(l, 500);
	assert_true(find(&c, is_unreach_alias6) >= 0);

	svc_get_stats(s, &st);
	n = st.rx_dropped;
	svc_input(s, f, ns_for(f, alias6), 1);
	svc_input(s, f, ip6_frame(f, mac_all, allnodes, 58, ra, sizeof(ra)), 1);
	svc_input(s, f, ip6_frame(f, svc_mac, other6, 58, echo, sizeof(echo)),
		  1);
	svc_input(s, f, ip6_frame(f, svc_mac, other6, 17, udp, sizeof(udp)), 1);
	memcpy(hbh + 8, echo, sizeof(echo));
	svc_input(s, f, ip6_frame(f, svc_mac, svc6, 0, hbh, sizeof(hbh)), 1);
	svc_input(s, f, ip6_frame(f, alias_mac, svc6, 58, echo, sizeof(echo)),
		  1); /* ::3 at the alias's MAC */
	svc_get_stats(s, &st);
	assert_int_equal(st.rx_dropped - n, 6);
	c.want = NULL;
	tl_loop_run_for(l, 200);
	assert_int_equal(find(&c, is_na_alias6), -1);
	svc_free(s);

	memset(&c, 0, sizeof(c));
	s = new_svc6(l, &c, 0);
	svc_input(s, f, ns_for(f, svc6), 1);
	svc_get_stats(s, &st);
	assert_int_equal(st.rx_dropped, 1);
	assert_int_equal(st.rx_frames, 0);
	tl_loop_run_for(l, 200);
	assert_int_equal(find(&c, is_na_svc6), -1);
	svc_free(s);
	loop_free(l);
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
	    cmocka_unit_test(test_arp),
	    cmocka_unit_test(test_ping),
	    cmocka_unit_test(test_dhcp),
	    cmocka_unit_test(test_lwip_drops_zero_source),
	    cmocka_unit_test(test_isolation),
	    cmocka_unit_test(test_filter),
	    cmocka_unit_test(test_syn_bound),
	    cmocka_unit_test(test_free_pending),
	    cmocka_unit_test(test_bad_config),
	    cmocka_unit_test(test_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
