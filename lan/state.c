/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state.c - the state file next to a user-v2 network's lease file
 * (format in state.h): read and checked with jansson, written atomically
 * through leases_write_file(), writes coalesced by a loop timer
 * (wsched.h).
 *
 * Reading is strict, as for the lease file: a file that is not valid JSON,
 * has another version, or holds a lease that is not a unicast address,
 * MAC, valid hostname and positive expiry, or an address or MAC twice, is
 * refused as a whole (the caller warns and starts clean).  Unknown keys are
 * ignored, for later versions that add some.  A missing or empty file is
 * an empty state.  state_load_buffer() is the parser alone, for a fuzzer.
 *
 * The open files are kept in a list so that a network's registry and the
 * control API, which cannot see the server that opened the file, find it
 * by the lease file's name (state_find()).  Loop thread only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lan/leases.h"
#include "lan/state.h"
#include "base/wsched.h"
#include "base/log.h"
#include "base/xalloc.h"

/**
 * struct state - an open state file
 * @path:	"<leases-file>.state.json"
 * @leases_file: the lease file it goes with
 * @loaded:	what the file held when opened
 * @cur:	what it holds now, or will after the pending write
 * @ws:		the coalesced writes of @cur
 * @next:	list of open state files
 */
struct state {
	char *path;
	char *leases_file;
	struct state_data loaded;
	struct state_data cur;
	struct wsched ws;
	struct state *next;
};

static struct state *state_list; /* open state files, loop thread */

/**
 * state_hostname_ok() - whether a hostname is what the DHCP server keeps:
 * one label of letters, digits and inner hyphens, lower case, 63 at most
 * @s:		the name; "" is fine (no name)
 *
 * Return: 1 if it is
 */
static int state_hostname_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (!n)
		return 1;
	if (n > DHCP_HOSTNAME_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/**
 * state_decode_lease() - one entry of "leases"
 * @path:	file name, for messages
 * @i:		its index, for messages
 * @v:		the JSON value
 * @e:		filled in
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
static int state_decode_lease(const char *path, size_t i, json_t *v,
			      struct state_lease *e, char *err, size_t errlen)
{
	const char *ip, *mac, *host = "";
	json_t *h, *x;

	if (!json_is_object(v)) {
		snprintf(err, errlen, "%s: leases[%zu]: expected an object",
			 path, i);
		return -1;
	}
	ip = json_string_value(json_object_get(v, "ip"));
	mac = json_string_value(json_object_get(v, "mac"));
	x = json_object_get(v, "expires");
	h = json_object_get(v, "hostname");
	if (h && !json_is_null(h) && !(host = json_string_value(h))) {
		snprintf(err, errlen, "%s: leases[%zu]: bad hostname", path, i);
		return -1;
	}
	if (!ip || leases_parse_ip(ip, &e->ip)) {
		snprintf(err, errlen,
			 "%s: leases[%zu]: \"ip\" is not a unicast IPv4 "
			 "address",
			 path, i);
		return -1;
	}
	if (!mac || leases_parse_mac(mac, e->mac)) {
		snprintf(err, errlen,
			 "%s: leases[%zu]: \"mac\" is not a unicast MAC "
			 "address",
			 path, i);
		return -1;
	}
	if (!state_hostname_ok(host)) {
		snprintf(err, errlen,
			 "%s: leases[%zu]: \"%.64s\" is not a hostname", path,
			 i, host);
		return -1;
	}
	if (!json_is_integer(x) || json_integer_value(x) <= 0) {
		snprintf(err, errlen,
			 "%s: leases[%zu]: \"expires\" is not a positive "
			 "integer",
			 path, i);
		return -1;
	}
	snprintf(e->hostname, sizeof(e->hostname), "%s", host);
	e->expires = json_integer_value(x);
	return 0;
}

/**
 * state_decode_leases() - the "leases" array
 * @path:	file name, for messages
 * @a:		the JSON value, NULL or null for none
 * @out:	filled in
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
static int state_decode_leases(const char *path, json_t *a,
			       struct state_data *out, char *err, size_t errlen)
{
	struct dhcp_static_lease *assoc;
	char what[64];
	size_t i, n;
	int r;

	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a)) {
		snprintf(err, errlen, "%s: \"leases\" is not an array", path);
		return -1;
	}
	n = json_array_size(a);
	if (!n)
		return 0;
	out->leases = xcalloc(n, sizeof(*out->leases));
	assoc = xcalloc(n, sizeof(*assoc));
	for (i = 0; i < n; i++) {
		if (state_decode_lease(path, i, json_array_get(a, i),
				       &out->leases[i], err, errlen)) {
			free(assoc);
			return -1;
		}
		assoc[i].ip = out->leases[i].ip;
		memcpy(assoc[i].mac, out->leases[i].mac, 6);
		out->nleases++;
	}
	r = leases_find_dup(assoc, n, what, sizeof(what));
	free(assoc);
	if (r) {
		if (r < 0)
			snprintf(err, errlen, "%s: out of memory", path);
		else
			snprintf(err, errlen, "%s: leases: %s appears twice",
				 path, what);
		return -1;
	}
	return 0;
}

/**
 * state_load_buffer() - parse a state file's text (what a fuzzer calls)
 * @path:	name of the input in messages
 * @buf:	the JSON text (need not be NUL-terminated)
 * @len:	its length; 0 is an empty state
 * @out:	set to the content, empty on failure; state_data_free() it
 * @err:	"PATH:LINE:COLUMN: what" for bad JSON, "PATH: what" else
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
int state_load_buffer(const char *path, const void *buf, size_t len,
		      struct state_data *out, char *err, size_t errlen)
{
	json_t *root, *v;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = 0;
	if (!len)
		return 0;
	root = leases_json_parse(path, buf, len, err, errlen);
	if (!root)
		return -1;
	if (!json_is_object(root)) {
		snprintf(err, errlen, "%s: expected a JSON object", path);
		goto fail;
	}
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) != STATE_VERSION) {
		snprintf(err, errlen, "%s: \"version\" is not %d", path,
			 STATE_VERSION);
		goto fail;
	}
	if (state_decode_leases(path, json_object_get(root, "leases"), out, err,
				errlen))
		goto fail;
	v = json_object_get(root, "zones");
	if (v && !json_is_null(v)) {
		size_t i;
		json_t *z;

		if (!json_is_array(v)) {
			snprintf(err, errlen, "%s: \"zones\" is not an array",
				 path);
			goto fail;
		}
		json_array_foreach(v, i, z)
		{
			if (!json_is_object(z)) {
				snprintf(err, errlen,
					 "%s: zones[%zu]: expected an object",
					 path, i);
				goto fail;
			}
		}
		if (json_array_size(v))
			out->zones = json_incref(v);
	}
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	state_data_free(out);
	return -1;
}

/**
 * state_load() - read a state file
 * @path:	the file; missing or empty is an empty state
 * @out:	set to the content, empty on failure; state_data_free() it
 * @err:	message, as state_load_buffer()'s or "PATH: what" when the
 *		file cannot be read
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
int state_load(const char *path, struct state_data *out, char *err,
	       size_t errlen)
{
	size_t len;
	char *buf;
	int r;

	memset(out, 0, sizeof(*out));
	if (leases_read_file(path, STATE_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	r = state_load_buffer(path, buf, len, out, err, errlen);
	free(buf);
	return r;
}

/**
 * state_encode() - the text of a state file
 * @d:		content
 *
 * Return: malloc'd NUL-terminated text ending in a newline, or NULL
 * (out of memory)
 */
static char *state_encode(const struct state_data *d)
{
	char ip[INET_ADDRSTRLEN], mac[LEASES_MAC_TEXT], *text, *s = NULL;
	json_t *root, *leases = json_array();
	size_t i, len;

	if (!leases)
		return NULL;
	for (i = 0; i < d->nleases; i++) {
		const struct state_lease *e = &d->leases[i];

		inet_ntop(AF_INET, &e->ip, ip, sizeof(ip));
		leases_format_mac(e->mac, mac);
		if (json_array_append_new(
			leases, json_pack("{s:s,s:s,s:s,s:I}", "ip", ip, "mac",
					  mac, "hostname", e->hostname,
					  "expires", (json_int_t)e->expires))) {
			json_decref(leases);
			return NULL;
		}
	}
	root = json_pack("{s:i,s:o,s:O}", "version", STATE_VERSION, "leases",
			 leases, "zones", d->zones ? d->zones : json_null());
	if (!root)
		return NULL;
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return NULL;
	len = strlen(text);
	s = malloc(len + 2);
	if (s) {
		memcpy(s, text, len);
		s[len] = '\n';
		s[len + 1] = 0;
	}
	free(text);
	return s;
}

/**
 * state_save() - write a state file atomically, mode 0600
 * @path:	the file; its directory must exist
 * @d:		content
 *
 * Return: 0, or -1 with errno set (@path is then as it was)
 */
int state_save(const char *path, const struct state_data *d)
{
	char *text = state_encode(d);
	int r, e;

	if (!text) {
		errno = ENOMEM;
		return -1;
	}
	r = leases_write_file(path, text, strlen(text));
	e = errno;
	free(text);
	errno = e;
	return r;
}

/**
 * state_data_free() - free a state's content and empty it
 * @d:		content
 */
void state_data_free(struct state_data *d)
{
	free(d->leases);
	json_decref(d->zones);
	memset(d, 0, sizeof(*d));
}

/**
 * state_write() - write @st->cur now (wsched_write_fn)
 * @arg:	state file
 *
 * Return: 0, or -1 with errno set (the writer logs it)
 */
static int state_write(void *arg)
{
	struct state *st = arg;

	if (state_save(st->path, &st->cur))
		return -1;
	log_debug("%s: saved (%zu bound leases, %zu zones)", st->path,
		  st->cur.nleases, json_array_size(st->cur.zones));
	return 0;
}

/**
 * state_data_copy() - deep copy of a content (zones shared: they are never
 * modified in place)
 * @dst:	set to the copy
 * @src:	content
 */
static void state_data_copy(struct state_data *dst,
			    const struct state_data *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->nleases) {
		dst->leases =
		    xreallocarray(NULL, src->nleases, sizeof(*dst->leases));
		memcpy(dst->leases, src->leases,
		       src->nleases * sizeof(*dst->leases));
		dst->nleases = src->nleases;
	}
	if (src->zones)
		dst->zones = json_incref(src->zones);
}

/**
 * state_open() - open the state file of a lease file, read what it holds
 * @l:		loop that runs the coalesced writes; NULL writes at once
 * @leases_file: the lease file; the state is "<leases_file>.state.json"
 *
 * A file that cannot be read or parsed is reported (a warning) and
 * treated as empty: it is replaced at the first change.
 *
 * Return: the state file (never NULL; exits when out of memory)
 */
struct state *state_open(struct loop *l, const char *leases_file)
{
	struct state *st = xcalloc(1, sizeof(*st));
	size_t n = strlen(leases_file);
	char err[512];

	st->leases_file = xstrdup(leases_file);
	st->path = xmalloc(n + sizeof(STATE_SUFFIX));
	memcpy(st->path, leases_file, n);
	memcpy(st->path + n, STATE_SUFFIX, sizeof(STATE_SUFFIX));
	if (state_load(st->path, &st->loaded, err, sizeof(err)))
		log_warnx("%s; starting without the saved names and zones",
			  err);
	else if (st->loaded.nleases || st->loaded.zones)
		log_info("%s: %zu bound leases and %zu zones to restore",
			 st->path, st->loaded.nleases,
			 json_array_size(st->loaded.zones));
	state_data_copy(&st->cur, &st->loaded);
	wsched_init(&st->ws, l, state_write, st, st->path,
		    "the daemon's state");
	st->next = state_list;
	state_list = st;
	return st;
}

/**
 * state_find() - the open state file of a lease file
 * @leases_file: the lease file's name, as given to state_open()
 *
 * Return: the state file, or NULL if none is open (slirp mode, tests)
 */
struct state *state_find(const char *leases_file)
{
	struct state *st;

	for (st = state_list; st; st = st->next)
		if (!strcmp(st->leases_file, leases_file))
			return st;
	return NULL;
}

/**
 * state_close() - write what is pending, close the state file
 * @st:		state file, or NULL
 */
void state_close(struct state *st)
{
	struct state **pp;

	if (!st)
		return;
	wsched_flush(&st->ws);
	for (pp = &state_list; *pp; pp = &(*pp)->next) {
		if (*pp == st) {
			*pp = st->next;
			break;
		}
	}
	wsched_fini(&st->ws);
	state_data_free(&st->loaded);
	state_data_free(&st->cur);
	free(st->leases_file);
	free(st->path);
	free(st);
}

/**
 * state_path() - the state file's name
 * @st:		state
 *
 * Return: the path, owned by @st
 */
const char *state_path(const struct state *st)
{
	return st->path;
}

/**
 * state_loaded() - what the file held when it was opened (to restore)
 * @st:		state
 *
 * Return: the content loaded, owned by @st (empty if there was no file)
 */
const struct state_data *state_loaded(const struct state *st)
{
	return &st->loaded;
}

/**
 * state_leases_same() - whether two lists of leases are the same, but for
 * @a:		one list
 * @na:		its length
 * @b:		the other
 * @nb:		its length
 * expiries that moved less than STATE_EXPIRES_SLACK seconds (renewals of a
 * guest that keeps asking are no reason to write)
 *
 * Return: 1 if they are the same in that sense, else 0
 */
static int state_leases_same(const struct state_lease *a, size_t na,
			     const struct state_lease *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		int64_t dt = a[i].expires - b[i].expires;

		if (a[i].ip.s_addr != b[i].ip.s_addr ||
		    memcmp(a[i].mac, b[i].mac, 6) ||
		    strcmp(a[i].hostname, b[i].hostname) ||
		    dt <= -STATE_EXPIRES_SLACK || dt >= STATE_EXPIRES_SLACK)
			return 0;
	}
	return 1;
}

/**
 * state_set_leases() - the bound leases now; a write follows if they
 * changed
 * @st:		state file
 * @l:		leases (copied)
 * @n:		how many
 */
void state_set_leases(struct state *st, const struct state_lease *l, size_t n)
{
	struct state_lease *c = NULL;

	if (state_leases_same(l, n, st->cur.leases, st->cur.nleases))
		return;
	if (n) {
		c = xreallocarray(NULL, n, sizeof(*c));
		memcpy(c, l, n * sizeof(*c));
	}
	free(st->cur.leases);
	st->cur.leases = c;
	st->cur.nleases = n;
	wsched_arm(&st->ws);
}

/**
 * state_set_zones() - the API's zones now; a write follows if they changed
 * @st:		state file
 * @zones:	JSON array (reference stolen), NULL or empty for none
 */
void state_set_zones(struct state *st, json_t *zones)
{
	if (zones && !json_array_size(zones)) {
		json_decref(zones);
		zones = NULL;
	}
	if ((!zones && !st->cur.zones) ||
	    (zones && st->cur.zones && json_equal(zones, st->cur.zones))) {
		json_decref(zones);
		return;
	}
	json_decref(st->cur.zones);
	st->cur.zones = zones;
	wsched_arm(&st->ws);
}

/**
 * state_flush() - write now what is pending
 * @st:		state file
 *
 * Return: 0 (nothing pending, or written), or -1 if the write failed
 */
int state_flush(struct state *st)
{
	return wsched_flush(&st->ws);
}

/**
 * state_writes() - how many times the file was written since it was opened
 * @st:		state
 *
 * Return: the number of successful writes (tests)
 */
unsigned long state_writes(const struct state *st)
{
	return st->ws.writes;
}
