/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * leases.c - Lima's leases.json (`{"IP":"MAC", ...}`) read and written with
 * jansson, and the `--leases IP=MAC,...` argument.
 *
 * Reading is strict: JSON errors come with jansson's line and column, a
 * key defined twice is an error (JSON_REJECT_DUPLICATES), and every entry
 * must be a unicast IPv4 address mapped to a unicast MAC, each address and
 * each MAC once.  Two inputs mean "no leases" rather than an error: a
 * missing file and an empty one (Lima writes its leases.json with
 * os.WriteFile, which truncates first: a crash leaves it empty), and so
 * does a JSON `null` (Go's encoding of a nil map).
 *
 * Writing is atomic: a temporary file next to the target (same directory,
 * so the same filesystem), mode 0600, fsync, rename over the target, fsync
 * of the directory.  Until the rename the old file stays as it was, and a
 * failed save leaves no temporary file behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "lan/leases.h"
#include "base/mac.h"
#include "base/xalloc.h"

#define LEASES_FILE_MAX (16u << 20) /* refuse larger lease files */
#define LEASES_ARG_MAX	64	    /* one IP=MAC of --leases */

/**
 * leases_ip_ok() - whether an address can be a VM's: unicast, not in
 * 0.0.0.0/8, 127.0.0.0/8, nor multicast, reserved or broadcast (224/3)
 * @ip:		address
 *
 * Return: 1 if it can
 */
static int leases_ip_ok(struct in_addr ip)
{
	uint32_t a = ntohl(ip.s_addr) >> 24;

	return a != 0 && a != 127 && a < 224;
}

/**
 * leases_parse_ip() - read a lease's address
 * @s:		dotted quad (inet_pton: no leading zeros, all four parts)
 * @ip:		the address
 *
 * Return: 0, or -1 if @s is not a unicast IPv4 address
 */
int leases_parse_ip(const char *s, struct in_addr *ip)
{
	if (inet_pton(AF_INET, s, ip) != 1 || !leases_ip_ok(*ip))
		return -1;
	return 0;
}

/**
 * leases_mac_ok() - whether a MAC can be a client's: not zero, unicast
 * (the DHCP server refuses others, see dhcp_mac_ok())
 * @mac:	address
 *
 * Return: 1 if it can
 */
static int leases_mac_ok(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return memcmp(mac, zero, 6) && !(mac[0] & 1);
}

/**
 * leases_parse_mac() - read a lease's MAC: six pairs of hex digits
 * separated by ':' (Go's and Lima's spelling) or all by '-'
 * @s:		text
 * @mac:	the address
 *
 * Return: 0, or -1 if @s is no such MAC or not a unicast one
 */
int leases_parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != LEASES_MAC_TEXT - 1 || (s[2] != ':' && s[2] != '-'))
		return -1;
	if (mac_parse(s, s[2], mac))
		return -1;
	return leases_mac_ok(mac) ? 0 : -1;
}

/**
 * leases_format_mac() - a MAC as Lima writes it, "52:55:55:12:34:56"
 * @mac:	address
 * @buf:	at least LEASES_MAC_TEXT bytes
 */
void leases_format_mac(const uint8_t mac[6], char *buf)
{
	snprintf(buf, LEASES_MAC_TEXT, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/**
 * leases_cmp_ip() - qsort() order by address
 * @a:		a struct dhcp_static_lease
 * @b:		another
 *
 * Return: <0, 0, >0
 */
static int leases_cmp_ip(const void *a, const void *b)
{
	uint32_t x = ntohl(((const struct dhcp_static_lease *)a)->ip.s_addr);
	uint32_t y = ntohl(((const struct dhcp_static_lease *)b)->ip.s_addr);

	return x < y ? -1 : x > y;
}

/**
 * leases_cmp_mac() - qsort() order by MAC
 * @a:		a struct dhcp_static_lease
 * @b:		another
 *
 * Return: <0, 0, >0
 */
static int leases_cmp_mac(const void *a, const void *b)
{
	return memcmp(((const struct dhcp_static_lease *)a)->mac,
		      ((const struct dhcp_static_lease *)b)->mac, 6);
}

/**
 * leases_find_dup() - look for an address or a MAC given twice, in
 * O(n log n)
 * @l:		leases
 * @n:		how many
 * @what:	set to "address A.B.C.D" or "MAC xx:..." when one is found
 * @wlen:	size of @what
 *
 * Return: 1 if one is found, 0 if none, -1 with errno set when out of
 * memory
 */
int leases_find_dup(const struct dhcp_static_lease *l, size_t n, char *what,
		    size_t wlen)
{
	char text[INET_ADDRSTRLEN > LEASES_MAC_TEXT ? INET_ADDRSTRLEN
						    : LEASES_MAC_TEXT];
	struct dhcp_static_lease *s;
	int found = 0;
	size_t i;

	if (n < 2)
		return 0;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -1;
	memcpy(s, l, n * sizeof(*s));
	qsort(s, n, sizeof(*s), leases_cmp_ip);
	for (i = 1; i < n && !found; i++) {
		if (s[i].ip.s_addr == s[i - 1].ip.s_addr) {
			inet_ntop(AF_INET, &s[i].ip, text, sizeof(text));
			snprintf(what, wlen, "address %s", text);
			found = 1;
		}
	}
	qsort(s, n, sizeof(*s), leases_cmp_mac);
	for (i = 1; i < n && !found; i++) {
		if (!memcmp(s[i].mac, s[i - 1].mac, 6)) {
			leases_format_mac(s[i].mac, text);
			snprintf(what, wlen, "MAC %s", text);
			found = 1;
		}
	}
	free(s);
	return found;
}

/**
 * leases_decode() - the leases of a leases.json text
 * @path:	file name, for messages
 * @buf:	the text
 * @len:	its length; 0 means no leases
 * @out:	malloc'd array, NULL when there are none
 * @n:		its length
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
static int leases_decode(const char *path, const void *buf, size_t len,
			 struct dhcp_static_lease **out, size_t *n, char *err,
			 size_t errlen)
{
	struct dhcp_static_lease *l = NULL;
	char what[64];
	json_t *root;
	void *it;
	size_t cnt = 0;
	int r;

	if (!len)
		return 0;
	root = leases_json_parse(path, buf, len, err, errlen);
	if (!root)
		return -1;
	if (json_is_null(root)) {
		json_decref(root);
		return 0;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen,
			 "%s: expected a JSON object of leases, "
			 "{\"IP\": \"MAC\", ...}",
			 path);
		goto fail;
	}
	if (json_object_size(root)) {
		l = xcalloc(json_object_size(root), sizeof(*l));
	}
	for (it = json_object_iter(root); it;
	     it = json_object_iter_next(root, it)) {
		const char *key = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);
		struct dhcp_static_lease *e = &l[cnt];
		const char *mac = json_string_value(v);

		if (leases_parse_ip(key, &e->ip)) {
			snprintf(err, errlen,
				 "%s: \"%.64s\" is not a unicast IPv4 address",
				 path, key);
			goto fail;
		}
		if (!mac) {
			snprintf(err, errlen,
				 "%s: \"%.64s\": expected a MAC address "
				 "string",
				 path, key);
			goto fail;
		}
		if (leases_parse_mac(mac, e->mac)) {
			snprintf(
			    err, errlen,
			    "%s: \"%.64s\": \"%.64s\" is not a unicast MAC "
			    "address",
			    path, key, mac);
			goto fail;
		}
		cnt++;
	}
	r = leases_find_dup(l, cnt, what, sizeof(what));
	if (r) {
		if (r < 0)
			snprintf(err, errlen, "%s: out of memory", path);
		else
			snprintf(err, errlen, "%s: %s appears twice", path,
				 what);
		goto fail;
	}
	json_decref(root);
	*out = l;
	*n = cnt;
	return 0;
fail:
	free(l);
	json_decref(root);
	return -1;
}

/**
 * leases_load_buffer() - the leases of a leases.json text already in
 * memory (the fuzz target uses it)
 * @path:	name of the input in messages
 * @buf:	the JSON text (need not be NUL-terminated)
 * @len:	its length; 0 means no leases
 * @out:	set to a malloc'd array, NULL when there are no leases; the
 *		caller frees it
 * @n:		set to its length
 * @err:	error message, "PATH:LINE:COLUMN: what" for bad JSON, "PATH:
 *		what" for a bad entry
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set, *@out NULL and *@n 0
 */
int leases_load_buffer(const char *path, const void *buf, size_t len,
		       struct dhcp_static_lease **out, size_t *n, char *err,
		       size_t errlen)
{
	*out = NULL;
	*n = 0;
	if (errlen)
		err[0] = 0;
	return leases_decode(path, buf, len, out, n, err, errlen);
}

/**
 * leases_json_parse() - parse a JSON file's content (the lease file, the
 * daemon's state file): duplicate keys refused, any value at the top
 * @path:	the file, for @err
 * @buf:	its content
 * @len:	its length, not 0
 * @err:	"FILE:LINE:COLUMN: what" when it is not JSON
 * @errlen:	its size
 *
 * Return: the value (the caller owns it), or NULL with @err set
 */
json_t *leases_json_parse(const char *path, const void *buf, size_t len,
			  char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
			  &jerr);
	if (root)
		return root;
	/* jansson counts 0 columns before an undecodable first byte */
	if (jerr.line > 0)
		snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line,
			 jerr.column > 0 ? jerr.column : 1, jerr.text);
	else
		snprintf(err, errlen, "%s: %s", path, jerr.text);
	return NULL;
}

/**
 * leases_read_file() - the whole content of a small file (a lease file,
 * the daemon's state file)
 * @path:	the file
 * @max:	larger files are refused
 * @buf:	set to a malloc'd copy of the content (not NUL-terminated),
 *		NULL when the file is missing or empty; the caller frees it
 * @len:	set to its length
 * @err:	"FILE: what" when the file cannot be read or is too large
 * @errlen:	its size
 *
 * Return: 0 (a missing file reads as empty), or -1 with @err set
 */
int leases_read_file(const char *path, size_t max, char **buf, size_t *len,
		     char *err, size_t errlen)
{
	size_t n = 0, cap = 0;
	char *b = NULL;
	int fd, r = -1;
	ssize_t k;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				snprintf(err, errlen,
					 "%s: larger than %zu bytes", path,
					 max);
				goto out;
			}
			cap = cap ? 2 * cap : 4096;
			if (cap > max)
				cap = max + 1;
			b = xreallocarray(b, cap, 1);
		}
		k = read(fd, b + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (!k)
			break;
		n += (size_t)k;
	}
	if (n) {
		*buf = b;
		*len = n;
		b = NULL;
	}
	r = 0;
out:
	free(b);
	close(fd);
	return r;
}

/**
 * leases_load() - the leases of a leases.json file
 * @path:	the file; missing or empty means no leases
 * @out:	set to a malloc'd array in file order, NULL when there are no
 *		leases; the caller frees it
 * @n:		set to its length
 * @err:	error message, "FILE:LINE:COLUMN: what" for bad JSON, "FILE:
 *		what" for a bad entry or a file that cannot be read
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set, *@out NULL and *@n 0
 */
int leases_load(const char *path, struct dhcp_static_lease **out, size_t *n,
		char *err, size_t errlen)
{
	size_t len;
	char *buf;
	int r;

	*out = NULL;
	*n = 0;
	if (errlen)
		err[0] = 0;
	if (leases_read_file(path, LEASES_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	r = leases_decode(path, buf, len, out, n, err, errlen);
	free(buf);
	return r;
}

/**
 * leases_encode() - the leases.json text of a set of leases
 * @l:		leases, checked
 * @n:		how many
 *
 * Return: malloc'd NUL-terminated text ending in a newline, or NULL with
 * errno set (ENOMEM)
 */
static char *leases_encode(const struct dhcp_static_lease *l, size_t n)
{
	char ip[INET_ADDRSTRLEN], mac[LEASES_MAC_TEXT], *text, *s;
	json_t *root = json_object();
	size_t i, len;

	if (!root)
		goto nomem;
	for (i = 0; i < n; i++) {
		inet_ntop(AF_INET, &l[i].ip, ip, sizeof(ip));
		leases_format_mac(l[i].mac, mac);
		if (json_object_set_new(root, ip, json_string(mac))) {
			json_decref(root);
			goto nomem;
		}
	}
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		goto nomem;
	len = strlen(text);
	s = malloc(len + 2);
	if (!s) {
		free(text);
		goto nomem;
	}
	memcpy(s, text, len);
	s[len] = '\n';
	s[len + 1] = 0;
	free(text);
	return s;
nomem:
	errno = ENOMEM;
	return NULL;
}

/**
 * leases_write_all() - write a whole buffer
 * @fd:		file
 * @buf:	data
 * @len:	its length
 *
 * Return: 0, or -1 with errno set
 */
static int leases_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t k = write(fd, buf, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		buf += k;
		len -= (size_t)k;
	}
	return 0;
}

/**
 * leases_sync_dir() - make a rename in the directory of @path durable
 * @path:	a file in that directory
 *
 * Filesystems that cannot fsync a directory (EINVAL) are not an error.
 *
 * Return: 0, or -1 with errno set
 */
static int leases_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, r = 0;

	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -1;
	fd = open(dir, O_RDONLY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	if (fsync(fd) && errno != EINVAL)
		r = -1;
	close(fd);
	return r;
}

/**
 * leases_write_file() - replace a file atomically, mode 0600
 * @path:	the file; its directory must exist
 * @text:	the new content
 * @len:	its length
 *
 * The text goes to "PATH.XXXXXX" (mkstemp) in the same directory, is
 * fsync'd and renamed over @path, then the directory is fsync'd.  On any
 * failure the temporary file is removed and @path is left as it was: a
 * crash leaves the old file or the new one, never a mix.  Used for the
 * lease file and for the daemon's state file (lan/state.c).
 *
 * Return: 0, or -1 with errno set: ENOMEM, or the error of the system
 * call that failed (if only the fsync of the directory fails, the new
 * file is already in place)
 */
int leases_write_file(const char *path, const char *text, size_t len)
{
	size_t plen = strlen(path);
	char *tmp;
	int fd, e, r;

	tmp = malloc(plen + sizeof(".XXXXXX"));
	if (!tmp) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".XXXXXX", sizeof(".XXXXXX"));
	fd = mkstemp(tmp);
	if (fd < 0) {
		e = errno;
		free(tmp);
		errno = e;
		return -1;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) || fchmod(fd, 0600) ||
	    leases_write_all(fd, text, len) || fsync(fd))
		goto fail;
	r = close(fd);
	fd = -1;
	if (r || rename(tmp, path))
		goto fail;
	free(tmp);
	return leases_sync_dir(path);
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	errno = e;
	return -1;
}

/**
 * leases_save() - write a lease file atomically, mode 0600
 * @path:	the file; its directory must exist
 * @l:		leases, in the order to write them
 * @n:		how many (0 writes "{}")
 *
 * Written with leases_write_file(): on any failure @path is left as it
 * was.
 *
 * Return: 0, or -1 with errno set: EINVAL for a lease that leases_load()
 * would refuse (not a unicast IPv4 address or MAC, an address or a MAC
 * twice; nothing is written), ENOMEM, or the error of the system call
 * that failed (if only the fsync of the directory fails, the new file is
 * already in place)
 */
int leases_save(const char *path, const struct dhcp_static_lease *l, size_t n)
{
	char what[64], *text;
	size_t i;
	int e, r;

	for (i = 0; i < n; i++) {
		if (!leases_ip_ok(l[i].ip) || !leases_mac_ok(l[i].mac)) {
			errno = EINVAL;
			return -1;
		}
	}
	r = leases_find_dup(l, n, what, sizeof(what));
	if (r) {
		if (r > 0)
			errno = EINVAL;
		return -1;
	}
	text = leases_encode(l, n);
	if (!text)
		return -1;
	r = leases_write_file(path, text, strlen(text));
	e = errno;
	free(text);
	errno = e;
	return r;
}

/**
 * leases_parse_arg() - add the static leases of a `--leases` argument
 * @s:		"IP=MAC,IP=MAC,..." (Lima's spelling); "" adds none
 * @out:	array to append to (NULL and 0 for a new one); on success
 *		replaced by a malloc'd array the caller frees
 * @n:		its length, updated
 * @err:	error message, "--leases: ..." naming the bad entry
 * @errlen:	its size
 *
 * Strict: no spaces, no empty entries, a unicast IPv4 address and a
 * unicast MAC in each, every address and every MAC once across @out and
 * @s.
 *
 * Return: 0, or -1 with @err set and *@out and *@n left as they were
 */
int leases_parse_arg(const char *s, struct dhcp_static_lease **out, size_t *n,
		     char *err, size_t errlen)
{
	struct dhcp_static_lease *l;
	size_t cnt = 1, i, len;
	char what[64];
	const char *p;
	int r;

	if (errlen)
		err[0] = 0;
	if (!*s)
		return 0;
	for (p = s; *p; p++)
		cnt += *p == ',';
	l = xcalloc(*n + cnt, sizeof(*l));
	if (*n)
		memcpy(l, *out, *n * sizeof(*l));
	for (p = s, i = *n; i < *n + cnt; i++) {
		struct dhcp_static_lease *e = &l[i];
		char tok[LEASES_ARG_MAX + 1], *eq;

		len = strcspn(p, ",");
		if (!len) {
			snprintf(err, errlen,
				 "--leases: empty entry in \"%.64s\"", s);
			goto fail;
		}
		if (len > LEASES_ARG_MAX) {
			snprintf(err, errlen,
				 "--leases: \"%.32s...\": too long for IP=MAC",
				 p);
			goto fail;
		}
		memcpy(tok, p, len);
		tok[len] = 0;
		p += len + (p[len] == ',');
		eq = strchr(tok, '=');
		if (!eq) {
			snprintf(err, errlen,
				 "--leases: \"%s\": expected IP=MAC", tok);
			goto fail;
		}
		*eq = 0;
		if (leases_parse_ip(tok, &e->ip)) {
			snprintf(err, errlen,
				 "--leases: \"%s\" is not a unicast IPv4 "
				 "address",
				 tok);
			goto fail;
		}
		if (leases_parse_mac(eq + 1, e->mac)) {
			snprintf(
			    err, errlen,
			    "--leases: \"%s\" is not a unicast MAC address",
			    eq + 1);
			goto fail;
		}
	}
	r = leases_find_dup(l, *n + cnt, what, sizeof(what));
	if (r) {
		if (r < 0)
			snprintf(err, errlen, "--leases: out of memory");
		else
			snprintf(err, errlen, "--leases: %s given twice", what);
		goto fail;
	}
	free(*out);
	*out = l;
	*n += cnt;
	return 0;
fail:
	free(l);
	return -1;
}
