/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * limayaml.c - reads the `hostResolver` block of a lima.yaml with libyaml's
 * document loader (aliases are resolved by libyaml into shared nodes; only
 * the hostResolver subtree is walked, so nothing is expanded).  Types are
 * checked as Lima's Go decoder would: booleans are plain YAML 1.1/1.2
 * booleans, `hosts` is a mapping of scalars, and a null or empty value keeps
 * the default.  Every error names FILE:LINE:COLUMN (loading and messages:
 * yamlutil.c).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "services/dns/dns.h"
#include "daemon/limayaml.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "daemon/yamlutil.h"

/**
 * ly_bool() - read a boolean
 * @c:		context
 * @n:		node
 * @key:	its key, for messages
 * @out:	set to the value; left alone for a null
 *
 * Plain scalars true/false in any of YAML's spellings, and the YAML 1.1
 * yes/no/on/off that Go's decoders take for a bool field.
 *
 * Return: 0, or -1 with the error in @c
 */
static int ly_bool(struct cfg_yaml *c, const yaml_node_t *n, const char *key,
		   bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes",
					  "YES",  "on",	  "On",	  "ON"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No",
					 "NO",	  "off",   "Off",   "OFF"};
	const char *s = cfg_yaml_scalar(n);
	size_t i;

	if (cfg_yaml_is_null(n))
		return 0;
	if (s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (!strcmp(s, yes[i])) {
				*out = true;
				return 0;
			}
			if (!strcmp(s, no[i])) {
				*out = false;
				return 0;
			}
		}
	}
	if (s)
		return cfg_yaml_error(
		    c, n,
		    "hostResolver.%s: \"%.64s\" is not a boolean "
		    "(true or false)",
		    key, s);
	return cfg_yaml_error(c, n, "hostResolver.%s: expected true or false",
			      key);
}

/**
 * ly_name_ok() - whether a scalar is a valid DNS name without NUL bytes
 * @n:	scalar node
 *
 * Return: true if it is
 */
static bool ly_name_ok(const yaml_node_t *n)
{
	uint8_t wire[DNS_NAME_MAX];
	const char *s = cfg_yaml_scalar(n);

	return s && strlen(s) == n->data.scalar.length &&
	       dns_name_from_text(s, wire, sizeof(wire)) > 0;
}

/**
 * ly_hosts() - read hostResolver.hosts: name -> IP address or name
 * @c:		context
 * @n:		the hosts node
 * @hr:		settings to fill
 *
 * Return: 0, or -1 with the error in @c
 */
static int ly_hosts(struct cfg_yaml *c, const yaml_node_t *n,
		    struct cfg_hostresolver *hr)
{
	yaml_node_pair_t *p;
	size_t count, i;

	if (cfg_yaml_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return cfg_yaml_error(
		    c, n,
		    "hostResolver.hosts: expected a mapping of "
		    "names to addresses or names");
	count =
	    (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (!count)
		return 0;
	hr->hosts = xcalloc(count, sizeof(*hr->hosts));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = cfg_yaml_node(c, p->key);
		yaml_node_t *v = cfg_yaml_node(c, p->value);
		uint8_t w1[DNS_NAME_MAX], w2[DNS_NAME_MAX];
		struct cfg_host *h;
		const char *val;
		struct in6_addr a;

		if (!k || !v)
			return cfg_yaml_error(c, n,
					      "hostResolver.hosts: bad entry");
		if (!ly_name_ok(k))
			return cfg_yaml_error(
			    c, k,
			    "hostResolver.hosts: \"%.64s\" is not "
			    "a valid DNS name",
			    cfg_yaml_scalar(k) ? cfg_yaml_scalar(k) : "");
		val = cfg_yaml_scalar(v);
		if (!val || cfg_yaml_is_null(v) ||
		    strlen(val) != v->data.scalar.length)
			return cfg_yaml_error(
			    c, v,
			    "hostResolver.hosts.%.64s: expected an "
			    "IP address or a name",
			    cfg_yaml_scalar(k));
		if (inet_pton(AF_INET, val, &a) != 1 &&
		    inet_pton(AF_INET6, val, &a) != 1 && !ly_name_ok(v))
			return cfg_yaml_error(
			    c, v,
			    "hostResolver.hosts.%.64s: \"%.64s\" is "
			    "neither an IP address nor a valid DNS "
			    "name",
			    cfg_yaml_scalar(k), val);
		dns_name_from_text(cfg_yaml_scalar(k), w1, sizeof(w1));
		for (i = 0; i < hr->nhosts; i++) {
			dns_name_from_text(hr->hosts[i].name, w2, sizeof(w2));
			if (dns_name_equal(w1, w2))
				return cfg_yaml_error(
				    c, k,
				    "hostResolver.hosts: \"%.64s\" "
				    "is already defined at line "
				    "%lu",
				    cfg_yaml_scalar(k), hr->hosts[i].line);
		}
		h = &hr->hosts[hr->nhosts];
		h->name = xstrdup(cfg_yaml_scalar(k));
		h->value = xstrdup(val);
		h->line = (unsigned long)k->start_mark.line + 1;
		h->column = (unsigned long)k->start_mark.column + 1;
		hr->nhosts++;
	}
	return 0;
}

/**
 * ly_hostresolver() - read the hostResolver mapping
 * @c:		context
 * @n:		the hostResolver node
 * @hr:		settings to fill
 *
 * Return: 0, or -1 with the error in @c
 */
static int ly_hostresolver(struct cfg_yaml *c, const yaml_node_t *n,
			   struct cfg_hostresolver *hr)
{
	bool seen_enabled = false, seen_ipv6 = false, seen_hosts = false;
	yaml_node_pair_t *p;

	if (cfg_yaml_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return cfg_yaml_error(c, n, "hostResolver: expected a mapping");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = cfg_yaml_node(c, p->key);
		yaml_node_t *v = cfg_yaml_node(c, p->value);
		const char *key;
		bool *seen;
		int r;

		if (!k || !v)
			return cfg_yaml_error(c, n, "hostResolver: bad entry");
		key = cfg_yaml_scalar(k);
		if (!key)
			return cfg_yaml_error(c, k,
					      "hostResolver: a key must be a "
					      "plain string");
		if (!strcmp(key, "enabled"))
			seen = &seen_enabled;
		else if (!strcmp(key, "ipv6"))
			seen = &seen_ipv6;
		else if (!strcmp(key, "hosts"))
			seen = &seen_hosts;
		else {
			log_warnx("%s:%lu:%lu: unknown key hostResolver.%.64s "
				  "ignored",
				  c->path,
				  (unsigned long)k->start_mark.line + 1,
				  (unsigned long)k->start_mark.column + 1, key);
			continue;
		}
		if (*seen)
			return cfg_yaml_error(
			    c, k, "hostResolver.%s: defined twice", key);
		*seen = true;
		if (seen == &seen_enabled)
			r = ly_bool(c, v, key, &hr->enabled);
		else if (seen == &seen_ipv6)
			r = ly_bool(c, v, key, &hr->ipv6);
		else
			r = ly_hosts(c, v, hr);
		if (r < 0)
			return r;
	}
	return 0;
}

/**
 * cfg_hostresolver_init() - Lima's defaults: enabled, no IPv6, no hosts
 * @hr:	settings
 */
void cfg_hostresolver_init(struct cfg_hostresolver *hr)
{
	hr->enabled = true;
	hr->ipv6 = false;
	hr->hosts = NULL;
	hr->nhosts = 0;
}

/**
 * cfg_hostresolver_free() - free the hosts list and reset to defaults
 * @hr:	settings
 */
void cfg_hostresolver_free(struct cfg_hostresolver *hr)
{
	size_t i;

	for (i = 0; i < hr->nhosts; i++) {
		free(hr->hosts[i].name);
		free(hr->hosts[i].value);
	}
	free(hr->hosts);
	cfg_hostresolver_init(hr);
}

/**
 * ly_load() - read the hostResolver block of a lima.yaml file or buffer
 * @path:	the file (read when @buf is NULL), named in messages
 * @buf:	the file's contents, or NULL
 * @len:	length of @buf
 * @out:	settings; defaults for whatever the file does not say
 * @err:	error message, "FILE:LINE:COLUMN: what" (or "FILE: why")
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set and @out reset to defaults
 */
static int ly_load(const char *path, const void *buf, size_t len,
		   struct cfg_hostresolver *out, char *err, size_t errlen)
{
	const yaml_node_t *hr = NULL, *root;
	yaml_node_pair_t *p;
	struct cfg_yaml c;
	int r = 0;

	cfg_hostresolver_init(out);
	if (cfg_yaml_load(&c, path, buf, len, err, errlen))
		return -1;
	root = cfg_yaml_root(&c);
	if (root && !cfg_yaml_is_null(root)) {
		if (root->type != YAML_MAPPING_NODE) {
			r = cfg_yaml_error(&c, root,
					   "expected a mapping (a lima.yaml)");
			goto out;
		}
		for (p = root->data.mapping.pairs.start;
		     p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = cfg_yaml_node(&c, p->key);
			const char *key = k ? cfg_yaml_scalar(k) : NULL;

			if (!key || strcmp(key, "hostResolver"))
				continue;
			if (hr) {
				r = cfg_yaml_error(
				    &c, k, "hostResolver: defined twice");
				goto out;
			}
			hr = cfg_yaml_node(&c, p->value);
		}
		if (hr)
			r = ly_hostresolver(&c, hr, out);
	}
out:
	if (r < 0)
		cfg_hostresolver_free(out);
	cfg_yaml_free(&c);
	return r;
}

/**
 * cfg_lima_yaml_load() - read the hostResolver block of a lima.yaml
 * @path:	the file
 * @out:	settings; defaults for whatever the file does not say
 * @err:	error message, "FILE:LINE:COLUMN: what" (or "FILE: why")
 * @errlen:	its size
 *
 * The first document of the file must be a mapping (or empty); its
 * hostResolver key, if any, is read; everything else is ignored.  Unknown
 * keys inside hostResolver are logged as warnings.
 *
 * Return: 0, or -1 with @err set and @out reset to defaults (the caller
 * exits with status 2)
 */
int cfg_lima_yaml_load(const char *path, struct cfg_hostresolver *out,
		       char *err, size_t errlen)
{
	return ly_load(path, NULL, 0, out, err, errlen);
}

/**
 * cfg_lima_yaml_load_buffer() - cfg_lima_yaml_load() on a lima.yaml
 * already in memory (the fuzz target uses it)
 * @path:	name of the input in messages
 * @buf:	the YAML text (need not be NUL-terminated)
 * @len:	its length
 * @out:	settings; defaults for whatever the text does not say
 * @err:	error message, "PATH:LINE:COLUMN: what"
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set and @out reset to defaults
 */
int cfg_lima_yaml_load_buffer(const char *path, const void *buf, size_t len,
			      struct cfg_hostresolver *out, char *err,
			      size_t errlen)
{
	return ly_load(path, buf ? buf : "", len, out, err, errlen);
}
