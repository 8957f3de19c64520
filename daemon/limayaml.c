/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * limayaml.c - reads the `hostResolver` block of a lima.yaml with libyaml's
 * document loader (aliases are resolved by libyaml into shared nodes; only
 * the hostResolver subtree is walked, so nothing is expanded).  Types are
 * checked as Lima's Go decoder would: booleans are plain YAML 1.1/1.2
 * booleans, `hosts` is a mapping of scalars, and a null or empty value keeps
 * the default.  Every error names FILE:LINE:COLUMN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "../dns/dns.h"
#include "limayaml.h"
#include "log.h"

/**
 * struct ly_ctx - state of one load
 * @path:	file name, for messages
 * @doc:	the loaded document
 * @err:	message buffer
 * @errlen:	its size
 */
struct ly_ctx {
	const char *path;
	yaml_document_t *doc;
	char *err;
	size_t errlen;
};

/**
 * ly_error() - format an error at a node's position
 * @c:		context
 * @n:		node the error is about
 * @fmt:	message
 *
 * Return: -1
 */
__attribute__((format(printf, 3, 4))) static int
ly_error(struct ly_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	size_t off;
	va_list ap;
	int k;

	k = snprintf(c->err, c->errlen, "%s:%lu:%lu: ", c->path,
		     (unsigned long)n->start_mark.line + 1,
		     (unsigned long)n->start_mark.column + 1);
	off = k < 0 ? 0 : (size_t)k;
	if (off >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + off, c->errlen - off, fmt, ap);
	va_end(ap);
	return -1;
}

/**
 * ly_scalar() - the text of a scalar node
 * @n:	node
 *
 * Return: the NUL-terminated value, or NULL if @n is not a scalar
 */
static const char *ly_scalar(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

/**
 * ly_is_null() - whether a node is a YAML null (an empty plain scalar,
 * "~", "null", "Null" or "NULL")
 * @n:	node
 *
 * Return: true for a null
 */
static bool ly_is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	const char *s = ly_scalar(n);
	size_t i;

	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (!strcmp(s, nulls[i]))
			return true;
	return false;
}

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
static int ly_bool(struct ly_ctx *c, const yaml_node_t *n, const char *key,
		   bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes",
					  "YES",  "on",	  "On",	  "ON"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No",
					 "NO",	  "off",   "Off",   "OFF"};
	const char *s = ly_scalar(n);
	size_t i;

	if (ly_is_null(n))
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
		return ly_error(c, n,
				"hostResolver.%s: \"%.64s\" is not a boolean "
				"(true or false)",
				key, s);
	return ly_error(c, n, "hostResolver.%s: expected true or false", key);
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
	const char *s = ly_scalar(n);

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
static int ly_hosts(struct ly_ctx *c, const yaml_node_t *n,
		    struct cfg_hostresolver *hr)
{
	yaml_node_pair_t *p;
	size_t count, i;

	if (ly_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return ly_error(c, n,
				"hostResolver.hosts: expected a mapping of "
				"names to addresses or names");
	count =
	    (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (!count)
		return 0;
	hr->hosts = calloc(count, sizeof(*hr->hosts));
	if (!hr->hosts)
		return ly_error(c, n, "out of memory");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		uint8_t w1[DNS_NAME_MAX], w2[DNS_NAME_MAX];
		struct cfg_host *h;
		const char *val;
		struct in6_addr a;

		if (!k || !v)
			return ly_error(c, n, "hostResolver.hosts: bad entry");
		if (!ly_name_ok(k))
			return ly_error(c, k,
					"hostResolver.hosts: \"%.64s\" is not "
					"a valid DNS name",
					ly_scalar(k) ? ly_scalar(k) : "");
		val = ly_scalar(v);
		if (!val || ly_is_null(v) ||
		    strlen(val) != v->data.scalar.length)
			return ly_error(c, v,
					"hostResolver.hosts.%.64s: expected an "
					"IP address or a name",
					ly_scalar(k));
		if (inet_pton(AF_INET, val, &a) != 1 &&
		    inet_pton(AF_INET6, val, &a) != 1 && !ly_name_ok(v))
			return ly_error(
			    c, v,
			    "hostResolver.hosts.%.64s: \"%.64s\" is "
			    "neither an IP address nor a valid DNS "
			    "name",
			    ly_scalar(k), val);
		dns_name_from_text(ly_scalar(k), w1, sizeof(w1));
		for (i = 0; i < hr->nhosts; i++) {
			dns_name_from_text(hr->hosts[i].name, w2, sizeof(w2));
			if (dns_name_equal(w1, w2))
				return ly_error(c, k,
						"hostResolver.hosts: \"%.64s\" "
						"is already defined at line "
						"%lu",
						ly_scalar(k),
						hr->hosts[i].line);
		}
		h = &hr->hosts[hr->nhosts];
		h->name = strdup(ly_scalar(k));
		h->value = strdup(val);
		h->line = (unsigned long)k->start_mark.line + 1;
		h->column = (unsigned long)k->start_mark.column + 1;
		hr->nhosts++;
		if (!h->name || !h->value)
			return ly_error(c, k, "out of memory");
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
static int ly_hostresolver(struct ly_ctx *c, const yaml_node_t *n,
			   struct cfg_hostresolver *hr)
{
	bool seen_enabled = false, seen_ipv6 = false, seen_hosts = false;
	yaml_node_pair_t *p;

	if (ly_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return ly_error(c, n, "hostResolver: expected a mapping");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		const char *key;
		bool *seen;
		int r;

		if (!k || !v)
			return ly_error(c, n, "hostResolver: bad entry");
		key = ly_scalar(k);
		if (!key)
			return ly_error(c, k,
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
			return ly_error(c, k, "hostResolver.%s: defined twice",
					key);
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
	struct ly_ctx c = {.path = path, .err = err, .errlen = errlen};
	const yaml_node_t *hr = NULL, *root;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_pair_t *p;
	FILE *f;
	int r = 0;

	cfg_hostresolver_init(out);
	if (errlen)
		err[0] = 0;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		const yaml_mark_t *m = parser.problem ? &parser.problem_mark
						      : &parser.context_mark;

		snprintf(err, errlen, "%s:%lu:%lu: %s%s%s", path,
			 (unsigned long)m->line + 1,
			 (unsigned long)m->column + 1,
			 parser.problem ? parser.problem : "YAML error",
			 parser.context ? " " : "",
			 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root && !ly_is_null(root)) {
		if (root->type != YAML_MAPPING_NODE) {
			r = ly_error(&c, root,
				     "expected a mapping (a lima.yaml)");
			goto out;
		}
		for (p = root->data.mapping.pairs.start;
		     p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&doc, p->key);
			const char *key = k ? ly_scalar(k) : NULL;

			if (!key || strcmp(key, "hostResolver"))
				continue;
			if (hr) {
				r = ly_error(&c, k,
					     "hostResolver: defined twice");
				goto out;
			}
			hr = yaml_document_get_node(&doc, p->value);
		}
		if (hr)
			r = ly_hostresolver(&c, hr, out);
	}
out:
	if (r < 0)
		cfg_hostresolver_free(out);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return r;
}
