/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_net.c - libFuzzer target for a whole network (lan/network.c):
 * the switch, the gateway (libslirp), the services host (lwIP) with the
 * DHCP server and the DNS service, fed Ethernet frames by two VMs.
 *
 * Every input gets a new network (net_new(), net_free() at the end), on
 * one loop, DNS service and host resolver kept for the whole run. Two VM
 * ports are attached: "qemu", a PORT_STREAM over a stream socketpair, and
 * "bess", a PORT_PACKET over a seqpacket socketpair.
 *
 * Input: byte 0 picks the network: bit 0 user-v2 (192.168.127.0/24, pool
 * from .4, one static lease), else Lima's slirp network (192.168.5.0/24);
 * bit 1 no_host_loopback; bit 2 MTU 65520 instead of 1500; bit 3 --no-ipv6
 * (else IPv6 on fec0::/64, or fd00:1:2::/64 on user-v2). Then frames,
 * each: one byte (bit 0: the port it comes from; bits 1-2: loop iterations
 * run after it, 0 to 3), a 2-byte big-endian length and the frame (a
 * frame shorter than 14 bytes is padded with zeros). After the last frame
 * the loop runs four more iterations; what the network sends the VMs is
 * read and checked (14 <= length <= PORT_FRAME_MAX, stream framing intact).
 *
 * No traffic may leave the machine: libslirp NATs guest TCP, UDP and ICMP
 * through host sockets to any address the guest names, and the resolver
 * forwards queries. So the target first moves itself into a new network
 * namespace (unshare(CLONE_NEWNET), or with a user namespace when not
 * root) that has only a loopback interface, brought up; it refuses to run
 * if that fails or if any other interface is there. Every thread (lwIP's,
 * the resolver's workers) starts after that and inherits the namespace.
 * The resolver's resolv.conf names 127.0.0.1, where nothing listens; host
 * loopback (.2, when allowed) reaches only the namespace's own lo.
 *
 * fuzz-sources: lan/network.c packet/gateway.c packet/svchost.c
 * fuzz-sources: packet/svchost6.c packet/gateway_info.c
 * fuzz-sources: lan/netguard.c lan/own6.c packet/ra.c lan/network_left.c
 * fuzz-sources: base/loop.c packet/port.c packet/port_batch_linux.c
 * fuzz-sources: packet/port_rx.c
 * fuzz-sources: packet/switch.c packet/dhcp.c packet/dhcp_codec.c
 * fuzz-sources: packet/dhcp_store.c lan/registry.c
 * fuzz-sources: lan/leases.c services/dns/service.c services/dns/hostport.c
 * fuzz-sources: services/dns/stream.c services/dns/client.c
 * fuzz-sources: services/dns/codec.c services/dns/build.c
 * fuzz-sources: services/dns/local.c services/hostresolver/hostresolver.c
 * fuzz-sources: services/dns/regexp.c
 * fuzz-sources: services/hostresolver/gai.c services/hostresolver/resolvconf.c
 * fuzz-sources: services/hostresolver/ares.c services/hostresolver/cache.c
 * fuzz-sources: services/pcap/capture.c services/pcap/output.c
 * fuzz-sources: base/log.c packet/ipfrag.c packet/tcpurg.c packet/frame.c
 * fuzz-sources: packet/reap.c packet/l2guard.c packet/natcap.c
 * fuzz-sources: lan/state.c base/wsched.c base/xalloc.c
 * fuzz-sources: packet/ping6.c packet/fwd_relay.c packet/fwd_unix.c
 * fuzz-sources: packet/port_listen.c packet/peercred_linux.c
 * fuzz-libs: -lslirp -lglib-2.0 -llwip -lcares -ljansson -lpcap -lpthread
 * fuzz-libs: -Wl,--wrap=read
 * fuzz-args: -close_fd_mask=2 -rss_limit_mb=4096
 * fuzz-needs: netns
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/limayaml.h"
#include "base/log.h"
#include "services/dns/service.h"
#include "services/hostresolver/hostresolver.h"
#include "base/loop.h"
#include "lan/network.h"
#include "packet/port.h"
#include "packet/dhcp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
ssize_t __real_read(int fd, void *buf, size_t count);
ssize_t __wrap_read(int fd, void *buf, size_t count);

#define FZ_RESOLV "/tmp/usernetd-fuzz-net-resolv.conf"

static struct loop *fz_loop;
static struct hr *fz_hr;
static struct dnsd *fz_dnsd;
static struct loop_timer *fz_pump_timer;
static int fz_pump_left;
static uint8_t fz_buf[PORT_FRAME_MAX + 4];
static uint8_t fz_rbuf[256 * 1024];
static int fz_verbose; /* USERNETD_FUZZ_VERBOSE set: frames per input */
static unsigned long fz_rx[2];

/**
 * fz_require() - abort when an invariant does not hold
 * @ok:		the invariant
 * @what:	what it is
 */
static void fz_require(int ok, const char *what)
{
	if (!ok) {
		/* stdout: -close_fd_mask=2 closes stderr (the daemon's logs) */
		printf("invariant broken: %s\n", what);
		fflush(stdout);
		abort();
	}
}

/**
 * __wrap_read() - read(2) for the code under test (-Wl,--wrap=read)
 * @fd:		descriptor
 * @buf:	buffer
 * @count:	its size
 *
 * A VM port reads frames into a large heap buffer and hands them on in
 * place, so a parser reading past a frame's end would stay inside that
 * buffer, unseen by ASan. Here the part of a large heap buffer that the
 * read did not fill is poisoned until the next read into it: for the
 * packet port, one frame per read, every byte past the frame is.
 *
 * Return: what read(2) returns
 */
ssize_t __wrap_read(int fd, void *buf, size_t count)
{
	void *region = NULL;
	size_t rsize = 0;
	char name[16];
	const char *kind;
	ssize_t n;
	int rx;

	kind = __asan_locate_address(buf, name, sizeof(name), &region, &rsize);
	rx = kind && !strcmp(kind, "heap") && rsize >= 64 * 1024;
	if (rx)
		__asan_unpoison_memory_region(buf, count);
	n = __real_read(fd, buf, count);
	if (rx && n >= 0 && (size_t)n < count)
		__asan_poison_memory_region((uint8_t *)buf + n,
					    count - (size_t)n);
	return n;
}

/**
 * fz_netns() - move into a new network namespace with only lo, up
 *
 * Exits when that cannot be done: the network would reach the host's.
 */
static void fz_netns(void)
{
	struct if_nameindex *ifs, *i;
	struct ifreq ifr;
	int fd, n = 0;

	if (unshare(CLONE_NEWNET) &&
	    (errno != EPERM || unshare(CLONE_NEWUSER | CLONE_NEWNET))) {
		fprintf(stderr,
			"fuzz_net: cannot make a network namespace "
			"(%s): refusing to run, libslirp would "
			"connect out\n",
			strerror(errno));
		exit(1);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)) {
		fprintf(stderr, "fuzz_net: cannot bring lo up: %s\n",
			strerror(errno));
		exit(1);
	}
	close(fd);
	ifs = if_nameindex();
	for (i = ifs; i && i->if_index; i++, n++)
		if (strcmp(i->if_name, "lo")) {
			fprintf(stderr,
				"fuzz_net: interface %s in the new "
				"namespace: refusing to run\n",
				i->if_name);
			exit(1);
		}
	if_freenameindex(ifs);
	fz_require(n == 1, "only lo");
}

/**
 * LLVMFuzzerInitialize() - namespace first, then the long-lived parts
 * @argc:	unused
 * @argv:	unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct hr_config hc = {
	    .resolv_conf = FZ_RESOLV,
	    .fallback = "127.0.0.1",
	    .workers = 2,
	    .cache_ttl = -1, /* every input resolves the same way */
	    .timeout_ms = 200,
	};
	struct dnsd_config dc = {.enabled = true, .ipv6 = true};
	FILE *f;

	(void)argc;
	(void)argv;
	fz_netns();
	fz_verbose = getenv("USERNETD_FUZZ_VERBOSE") != NULL;
	log_init("fuzz_net", fz_verbose);
	f = fopen(FZ_RESOLV, "w");
	fz_require(f != NULL, "resolv.conf");
	fprintf(f, "nameserver 127.0.0.1\nsearch lima.internal\n");
	fclose(f);
	fz_loop = loop_new();
	fz_hr = hr_new(fz_loop, &hc);
	fz_require(fz_hr != NULL, "resolver");
	fz_dnsd = dnsd_new(fz_loop, fz_hr, &dc);
	return 0;
}

/**
 * fz_pump_tick() - timer: count loop iterations, stop after the last
 * @arg:	unused
 */
static void fz_pump_tick(void *arg)
{
	(void)arg;
	if (--fz_pump_left <= 0) {
		loop_stop(fz_loop);
		return;
	}
	loop_timer_arm(fz_pump_timer, 0);
}

/**
 * fz_pump() - run @n loop iterations without blocking
 * @n:		iterations
 */
static void fz_pump(int n)
{
	fz_pump_left = n;
	loop_timer_arm(fz_pump_timer, 0);
	loop_run(fz_loop);
}

/**
 * struct fz_vm - the guest's end of a VM port
 * @fd:		its descriptor
 * @stream:	QEMU stream framing
 * @have:	stream bytes of an unfinished frame in @part
 * @part:	those bytes
 */
struct fz_vm {
	int fd;
	int stream;
	size_t have;
	uint8_t part[PORT_FRAME_MAX + 4];
};

static struct fz_vm fz_vms[2];

/**
 * fz_vm_check() - check the stream the network sent, frame by frame
 * @vm:		the guest
 * @p:		bytes read
 * @n:		how many
 */
static void fz_vm_check(struct fz_vm *vm, const uint8_t *p, size_t n)
{
	size_t take, need;
	uint32_t len;

	while (n) {
		need = 4;
		if (vm->have >= 4) {
			len = (uint32_t)vm->part[0] << 24 |
			      (uint32_t)vm->part[1] << 16 |
			      (uint32_t)vm->part[2] << 8 | vm->part[3];
			fz_require(len >= PORT_FRAME_MIN &&
				       len <= PORT_FRAME_MAX,
				   "frame to a stream VM in range");
			need = 4 + len;
		}
		take = need - vm->have < n ? need - vm->have : n;
		memcpy(vm->part + vm->have, p, take);
		vm->have += take;
		p += take;
		n -= take;
		if (vm->have == need && need > 4)
			vm->have = 0;
	}
}

/**
 * fz_drain() - the VMs read what the network sent them
 */
static void fz_drain(void)
{
	ssize_t n;
	int i;

	for (i = 0; i < 2; i++) {
		if (fz_vms[i].fd < 0)
			continue;
		while ((n = recv(fz_vms[i].fd, fz_rbuf, sizeof(fz_rbuf),
				 MSG_DONTWAIT)) > 0) {
			fz_rx[i]++;
			if (fz_vms[i].stream)
				fz_vm_check(&fz_vms[i], fz_rbuf, (size_t)n);
			else
				fz_require(n >= PORT_FRAME_MIN &&
					       n <= PORT_FRAME_MAX,
					   "frame to a packet VM in range");
		}
	}
}

/**
 * fz_send() - a VM sends a frame
 * @vm:		the guest
 * @f:		the frame
 * @len:	its length, PORT_FRAME_MIN to PORT_FRAME_MAX
 */
static void fz_send(struct fz_vm *vm, const uint8_t *f, size_t len)
{
	const uint8_t *p = f;
	size_t n = len, off = 0;
	ssize_t w;
	int spins = 0;

	if (vm->stream) {
		fz_buf[0] = (uint8_t)(len >> 24);
		fz_buf[1] = (uint8_t)(len >> 16);
		fz_buf[2] = (uint8_t)(len >> 8);
		fz_buf[3] = (uint8_t)len;
		memcpy(fz_buf + 4, f, len);
		p = fz_buf;
		n = len + 4;
	}
	while (off < n) {
		w = send(vm->fd, p + off, n - off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			fz_require(errno == EAGAIN, "VM write");
			fz_pump(1);
			fz_drain();
			fz_require(++spins < 10000, "the network reads");
			continue;
		}
		off += (size_t)w;
	}
}

/**
 * fz_empty() - the last VM port closed (not expected: nothing breaks
 * the framing here)
 * @arg:	unused
 * @n:		the network
 */
static void fz_empty(void *arg, struct net *n)
{
	(void)arg;
	(void)n;
	fz_require(0, "a VM port closed");
}

/**
 * LLVMFuzzerTestOneInput() - one network, two VMs, the input's frames
 * @data:	bytes
 * @size:	how many
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dhcp_static_lease statics[] = {
	    {{0}, {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}},
	};
	static struct cfg_host hosts[] = {
	    {"myhost.example", "10.1.2.3", 1, 1},
	    {"alias.example", "host.lima.internal", 2, 1},
	    {"six.example", "2001:db8::1", 3, 1},
	};
	struct dhcp_static_lease st[1];
	struct net_config cfg;
	uint8_t frame[PORT_FRAME_MIN];
	size_t off = 1, len;
	struct net *n;
	int sv[2], i;

	if (size < 1)
		return 0;
	if (!fz_pump_timer)
		fz_pump_timer = loop_timer_new(fz_loop, fz_pump_tick, NULL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.user_v2 = data[0] & 1;
	inet_pton(AF_INET, cfg.user_v2 ? "192.168.127.0" : "192.168.5.0",
		  &cfg.subnet);
	cfg.prefix = 24;
	cfg.no_host_loopback = !!(data[0] & 2);
	cfg.mtu = data[0] & 4 ? 65520 : 1500;
	cfg.ip6 = !(data[0] & 8);
	inet_pton(AF_INET6,
		  cfg.user_v2 ? "fd00:1:2::" : "fec0::", &cfg.prefix6);
	cfg.dnsd = fz_dnsd;
	cfg.hosts = hosts;
	cfg.nhosts = sizeof(hosts) / sizeof(hosts[0]);
	cfg.search = "lima.internal";
	if (cfg.user_v2) {
		memcpy(st, statics, sizeof(st));
		inet_pton(AF_INET, "192.168.127.100", &st[0].ip);
		cfg.statics = st;
		cfg.nstatics = 1;
	}
	n = net_new(fz_loop, &cfg, "fuzz", fz_empty, NULL);
	fz_require(n != NULL, "network");
	for (i = 0; i < 2; i++) {
		fz_require(!socketpair(AF_UNIX,
				       i ? SOCK_SEQPACKET : SOCK_STREAM, 0, sv),
			   "socketpair");
		memset(&fz_vms[i], 0, sizeof(fz_vms[i]));
		fz_vms[i].fd = sv[1];
		fz_vms[i].stream = !i;
		net_attach(n, sv[0], i ? PORT_PACKET : PORT_STREAM,
			   i ? "bess" : "qemu");
	}
	while (size - off >= 3) {
		struct fz_vm *vm = &fz_vms[data[off] & 1];
		int iters = (data[off] >> 1) & 3;
		const uint8_t *f = data + off + 3;

		len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		off += len;
		if (len < PORT_FRAME_MIN) {
			memset(frame, 0, sizeof(frame));
			memcpy(frame, f, len);
			f = frame;
			len = PORT_FRAME_MIN;
		}
		fz_send(vm, f, len);
		if (iters) {
			fz_pump(iters);
			fz_drain();
		}
	}
	fz_pump(4);
	fz_drain();
	if (fz_verbose)
		fprintf(stderr, "fuzz_net: reads by qemu %lu, by bess %lu\n",
			fz_rx[0], fz_rx[1]);
	fz_rx[0] = fz_rx[1] = 0;
	net_free(n);
	for (i = 0; i < 2; i++) {
		close(fz_vms[i].fd);
		fz_vms[i].fd = -1;
	}
	fz_pump(1);
	return 0;
}
