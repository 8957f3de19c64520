/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tap_linux.c - create a Linux TAP device, optionally inside another
 * network namespace, and hand back its descriptor.
 *
 * Owns: entering and leaving network namespaces (setns(2) on the calling
 * thread only), TUNSETIFF, and the link setup (MAC, MTU, IFF_UP) done with
 * ioctls on a datagram socket created inside the target namespace, which
 * is what binds those ioctls to the right namespace.
 *
 * A TAP device's descriptor and the device itself stay in the namespace
 * they were created in whatever namespace the process is in later, so the
 * calling thread goes back to its own namespace before returning, on every
 * path, and the descriptor keeps working from there.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "packet/tap_linux.h"

/* Directory where `ip netns add NAME` bind-mounts named namespaces. */
#define TAP_NETNS_DIR "/var/run/netns/"

/**
 * tap_errf() - format an error message into the caller's buffer
 * @err:	buffer, may be NULL
 * @errlen:	size of @err, may be 0
 * @errnum:	errno value whose description is appended, or 0
 * @fmt:	printf format
 */
static void __attribute__((format(printf, 4, 5)))
tap_errf(char *err, size_t errlen, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (errnum && n >= 0 && (size_t)n < errlen)
		snprintf(err + n, errlen - (size_t)n, ": %s", strerror(errnum));
}

/**
 * tap_ns_open() - open a network namespace given by name or path
 * @netns:	name under /var/run/netns, or an absolute path such as
 *		/proc/PID/ns/net
 * @err:	buffer for an error message
 * @errlen:	size of @err
 *
 * Return: a close-on-exec descriptor, or -1 with @err set
 */
static int tap_ns_open(const char *netns, char *err, size_t errlen)
{
	char path[4096];
	int fd, n;

	if (netns[0] == '/') {
		n = snprintf(path, sizeof(path), "%s", netns);
	} else if (!netns[0] || strchr(netns, '/') || !strcmp(netns, ".") ||
		   !strcmp(netns, "..")) {
		tap_errf(err, errlen, 0,
			 "network namespace \"%s\": not a name under %s "
			 "nor an absolute path",
			 netns, TAP_NETNS_DIR);
		errno = EINVAL;
		return -1;
	} else {
		n = snprintf(path, sizeof(path), TAP_NETNS_DIR "%s", netns);
	}
	if (n < 0 || (size_t)n >= sizeof(path)) {
		tap_errf(err, errlen, 0, "network namespace path too long");
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		tap_errf(err, errlen, errno, "cannot open network namespace %s",
			 path);
	return fd;
}

/**
 * tap_ns_self() - open the calling thread's own network namespace
 * @err:	buffer for an error message
 * @errlen:	size of @err
 *
 * The thread's namespace, not the process's: another thread may have
 * entered a different one.
 *
 * Return: a close-on-exec descriptor, or -1 with @err set
 */
static int tap_ns_self(char *err, size_t errlen)
{
	char path[64];
	int fd;

	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	/* Kernels before 3.17 have no /proc/thread-self. */
	snprintf(path, sizeof(path), "/proc/self/task/%ld/ns/net",
		 (long)syscall(SYS_gettid));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		tap_errf(err, errlen, errno,
			 "cannot open current network namespace");
	return fd;
}

/**
 * tap_setup() - create the TAP device and configure its link
 * @ifname:	device name
 * @mtu:	MTU to set, or 0 or less to keep the kernel's default
 * @mac:	MAC address to set, or NULL to keep the random one
 * @err:	buffer for an error message
 * @errlen:	size of @err
 *
 * Runs in whatever namespace the calling thread is in.
 *
 * Return: a non-blocking close-on-exec descriptor, or -1 with @err set
 */
static int tap_setup(const char *ifname, int mtu, const uint8_t *mac, char *err,
		     size_t errlen)
{
	struct ifreq ifr;
	int fd, s = -1, e = 0;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		tap_errf(err, errlen, errno, "cannot open /dev/net/tun");
		return -1;
	}

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		tap_errf(err, errlen, e, "cannot create TAP device %s%s",
			 ifname,
			 e == EBUSY    ? " (in use by another process)"
			 : e == EINVAL ? " (exists and is not a TAP device?)"
			 : e == EPERM  ? " (needs CAP_NET_ADMIN)"
				       : "");
		goto fail;
	}

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		e = errno;
		tap_errf(err, errlen, e, "cannot create a socket for %s",
			 ifname);
		goto fail;
	}

	if (mac) {
		ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		memcpy(ifr.ifr_hwaddr.sa_data, mac, TAP_MAC_LEN);
		if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0) {
			e = errno;
			tap_errf(err, errlen, e,
				 "cannot set MAC address "
				 "%02x:%02x:%02x:%02x:%02x:%02x on %s",
				 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
				 ifr.ifr_name);
			goto fail;
		}
	}

	if (mtu > 0) {
		ifr.ifr_mtu = mtu;
		if (ioctl(s, SIOCSIFMTU, &ifr) < 0) {
			e = errno;
			tap_errf(err, errlen, e, "cannot set MTU %d on %s", mtu,
				 ifr.ifr_name);
			goto fail;
		}
	}

	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		e = errno;
		tap_errf(err, errlen, e, "cannot read the flags of %s",
			 ifr.ifr_name);
		goto fail;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		e = errno;
		tap_errf(err, errlen, e, "cannot bring %s up", ifr.ifr_name);
		goto fail;
	}

	close(s);
	return fd;

fail:
	if (s >= 0)
		close(s);
	close(fd);
	errno = e;
	return -1;
}

/**
 * tap_open_mac() - create a TAP device, optionally in another namespace
 * @netns:	network namespace: a name under /var/run/netns, an absolute
 *		path (/proc/PID/ns/net), or NULL for the current one
 * @ifname:	device name, shorter than IFNAMSIZ
 * @mtu:	MTU to set, or 0 to keep the kernel's default (1500)
 * @mac:	TAP_MAC_LEN bytes of MAC address to give the device (set
 *		before it goes up), or NULL to keep the kernel's random one
 * @err:	buffer for an error message, may be NULL
 * @errlen:	size of @err
 *
 * Creates the TAP device @ifname (IFF_TAP | IFF_NO_PI: one read or write is
 * one Ethernet frame) inside @netns, sets its MAC and MTU and brings it up.
 * Only the calling thread enters @netns, and it always returns to its own
 * namespace before this function returns. If it cannot (which would leave
 * the thread in @netns), the function fails and @err says so: treat that
 * as fatal.
 *
 * Return: a non-blocking, close-on-exec descriptor of the device, or -1
 * with errno and @err set
 */
int tap_open_mac(const char *netns, const char *ifname, int mtu,
		 const uint8_t *mac, char *err, size_t errlen)
{
	int self = -1, target, fd, e;

	if (err && errlen)
		err[0] = '\0';
	if (!ifname || !ifname[0] || strlen(ifname) >= IFNAMSIZ ||
	    strchr(ifname, '/') || strpbrk(ifname, " \t\n:")) {
		tap_errf(err, errlen, 0,
			 "invalid interface name \"%s\" (1 to %d characters, "
			 "no '/', ':' or spaces)",
			 ifname ? ifname : "", IFNAMSIZ - 1);
		errno = EINVAL;
		return -1;
	}
	if (mtu < 0) {
		tap_errf(err, errlen, 0, "invalid MTU %d", mtu);
		errno = EINVAL;
		return -1;
	}

	if (!netns)
		return tap_setup(ifname, mtu, mac, err, errlen);

	self = tap_ns_self(err, errlen);
	if (self < 0)
		return -1;
	target = tap_ns_open(netns, err, errlen);
	if (target < 0) {
		e = errno;
		close(self);
		errno = e;
		return -1;
	}
	if (setns(target, CLONE_NEWNET) < 0) {
		e = errno;
		tap_errf(err, errlen, e, "cannot enter network namespace %s%s",
			 netns,
			 e == EINVAL ? " (not a network namespace)" : "");
		close(target);
		close(self);
		errno = e;
		return -1;
	}
	close(target);

	fd = tap_setup(ifname, mtu, mac, err, errlen);
	e = errno;

	if (setns(self, CLONE_NEWNET) < 0) {
		e = errno;
		tap_errf(err, errlen, e,
			 "cannot return from network namespace %s", netns);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	close(self);
	if (fd < 0)
		errno = e;
	return fd;
}

/**
 * tap_open() - create a TAP device, optionally in another namespace
 * @netns:	network namespace: a name under /var/run/netns, an absolute
 *		path (/proc/PID/ns/net), or NULL for the current one
 * @ifname:	device name, shorter than IFNAMSIZ
 * @mtu:	MTU to set, or 0 to keep the kernel's default (1500)
 * @err:	buffer for an error message, may be NULL
 * @errlen:	size of @err
 *
 * Same as tap_open_mac() with a MAC address chosen by the kernel.
 *
 * Return: a non-blocking, close-on-exec descriptor of the device, or -1
 * with errno and @err set
 */
int tap_open(const char *netns, const char *ifname, int mtu, char *err,
	     size_t errlen)
{
	return tap_open_mac(netns, ifname, mtu, NULL, err, errlen);
}
