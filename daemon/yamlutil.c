/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * yamlutil.c - the parts of reading a configuration file with libyaml that
 * limayaml.c and networksyaml.c share: loading the first document of a
 * file or a buffer (libyaml resolves aliases into shared nodes, nothing is
 * expanded), syntax errors and node errors as "FILE:LINE:COLUMN: message"
 * (1-based, as editors count), warnings at a node's position through
 * log_warnx(), and the scalar helpers every reader needs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "daemon/yamlutil.h"

#define CFG_YAML_FILE_MAX (16u << 20) /* refuse larger files */

/**
 * cfg_yaml_read() - read a whole configuration file
 * @path:	the file
 * @out:	set to its malloc'd contents (NULL for an empty file)
 * @len:	set to its length
 * @err:	message buffer, "FILE: why" on failure
 * @errlen:	its size
 *
 * Return: 0, or -1 with @err set
 */
static int cfg_yaml_read(const char *path, char **out, size_t *len, char *err,
			 size_t errlen)
{
	size_t cap = 0;
	char *buf = NULL;
	FILE *f;

	*out = NULL;
	*len = 0;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t k;

		if (*len == cap) {
			if (cap >= CFG_YAML_FILE_MAX) {
				snprintf(err, errlen,
					 "%s: larger than %u bytes, not a "
					 "configuration file",
					 path, CFG_YAML_FILE_MAX);
				goto fail;
			}
			cap = cap ? 2 * cap : 4096;
			buf = xreallocarray(buf, cap, 1);
		}
		k = fread(buf + *len, 1, cap - *len, f);
		*len += k;
		if (k)
			continue;
		if (ferror(f)) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		break;
	}
	fclose(f);
	if (*len)
		*out = buf;
	else
		free(buf);
	return 0;
fail:
	free(buf);
	fclose(f);
	*len = 0;
	return -1;
}

/**
 * cfg_yaml_syntax_error() - message of a failed yaml_parser_load()
 * @parser:	the parser
 * @path:	file name
 * @buf:	the input
 * @len:	its length
 * @err:	message buffer
 * @errlen:	its size
 *
 * Errors of libyaml's reader (bad UTF-8, control characters) carry a byte
 * offset instead of a mark: line and column (in characters) are counted
 * here for UTF-8 input; other encodings get the byte offset.
 */
static void cfg_yaml_syntax_error(const yaml_parser_t *parser, const char *path,
				  const unsigned char *buf, size_t len,
				  char *err, size_t errlen)
{
	const yaml_mark_t *m =
	    parser->problem ? &parser->problem_mark : &parser->context_mark;
	unsigned long line = m->line + 1, column = m->column + 1;
	size_t i;

	if (parser->error == YAML_READER_ERROR) {
		if (parser->encoding != YAML_UTF8_ENCODING) {
			snprintf(err, errlen, "%s: byte %zu: %s", path,
				 parser->problem_offset,
				 parser->problem ? parser->problem
						 : "YAML error");
			return;
		}
		line = column = 1;
		for (i = 0; i < parser->problem_offset && i < len; i++) {
			if (buf[i] == '\n') {
				line++;
				column = 1;
			} else if ((buf[i] & 0xc0) != 0x80) {
				column++;
			}
		}
	}
	snprintf(err, errlen, "%s:%lu:%lu: %s%s%s", path, line, column,
		 parser->problem ? parser->problem : "YAML error",
		 parser->context ? " " : "",
		 parser->context ? parser->context : "");
}

/**
 * cfg_yaml_load() - load the first YAML document of a file or a buffer
 * @y:		state to fill; cfg_yaml_free() it whatever this returns
 * @path:	file to read when @buf is NULL; the name used in messages
 * @buf:	the input, or NULL to read @path
 * @len:	length of @buf
 * @err:	message buffer: "FILE:LINE:COLUMN: problem context" for a
 *		syntax error, "FILE: why" when the file cannot be read
 * @errlen:	its size
 *
 * Return: 0 with @y->doc loaded, or -1 with @err set
 */
int cfg_yaml_load(struct cfg_yaml *y, const char *path, const void *buf,
		  size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	char *file = NULL;
	int r = 0;

	memset(y, 0, sizeof(*y));
	y->path = path;
	y->err = err;
	y->errlen = errlen;
	if (errlen)
		err[0] = 0;
	if (!buf) {
		if (cfg_yaml_read(path, &file, &len, err, errlen))
			return -1;
		buf = file ? file : "";
	}
	if (!yaml_parser_initialize(&parser)) {
		free(file);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &y->doc)) {
		cfg_yaml_syntax_error(&parser, path, buf, len, err, errlen);
		r = -1;
	} else {
		y->loaded = true;
	}
	yaml_parser_delete(&parser);
	free(file);
	return r;
}

/**
 * cfg_yaml_free() - free the document of cfg_yaml_load(), if any
 * @y:	state
 */
void cfg_yaml_free(struct cfg_yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

/**
 * cfg_yaml_root() - the root node of the loaded document
 * @y:	state
 *
 * Return: the root, or NULL for an empty input
 */
yaml_node_t *cfg_yaml_root(struct cfg_yaml *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

/**
 * cfg_yaml_node() - a node of the loaded document by its id
 * @y:	state
 * @id:	id, as found in sequences and mapping pairs
 *
 * Return: the node, or NULL if @id is out of range
 */
yaml_node_t *cfg_yaml_node(struct cfg_yaml *y, int id)
{
	return y->loaded ? yaml_document_get_node(&y->doc, id) : NULL;
}

/**
 * cfg_yaml_prefix() - "FILE:LINE:COLUMN: " of a node into @buf
 * @y:		state
 * @n:		node
 * @buf:	destination
 * @len:	its size (non-zero)
 *
 * Return: length written, at most @len - 1
 */
static size_t cfg_yaml_prefix(const struct cfg_yaml *y, const yaml_node_t *n,
			      char *buf, size_t len)
{
	int k = snprintf(buf, len, "%s:%lu:%lu: ", y->path,
			 (unsigned long)n->start_mark.line + 1,
			 (unsigned long)n->start_mark.column + 1);

	if (k < 0)
		return 0;
	return (size_t)k < len ? (size_t)k : len - 1;
}

/**
 * cfg_yaml_error() - format an error at a node's position into the
 * caller's message buffer
 * @y:		state
 * @n:		node the error is about
 * @fmt:	message
 *
 * Return: -1
 */
int cfg_yaml_error(const struct cfg_yaml *y, const yaml_node_t *n,
		   const char *fmt, ...)
{
	va_list ap;
	size_t off;

	if (!y->errlen)
		return -1;
	off = cfg_yaml_prefix(y, n, y->err, y->errlen);
	va_start(ap, fmt);
	vsnprintf(y->err + off, y->errlen - off, fmt, ap);
	va_end(ap);
	return -1;
}

/**
 * cfg_yaml_warn() - log a warning at a node's position (log_warnx)
 * @y:		state
 * @n:		node the warning is about
 * @fmt:	message
 */
void cfg_yaml_warn(const struct cfg_yaml *y, const yaml_node_t *n,
		   const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	size_t off;

	off = cfg_yaml_prefix(y, n, msg, sizeof(msg));
	va_start(ap, fmt);
	vsnprintf(msg + off, sizeof(msg) - off, fmt, ap);
	va_end(ap);
	log_warnx("%s", msg);
}

/**
 * cfg_yaml_scalar() - the text of a scalar node
 * @n:	node
 *
 * Return: the NUL-terminated value, or NULL if @n is not a scalar
 */
const char *cfg_yaml_scalar(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

/**
 * cfg_yaml_string() - the text of a scalar node that holds no NUL byte
 * (a double-quoted "\0" would cut a C string short)
 * @n:	node
 *
 * Return: the value, or NULL if @n is not a scalar or holds a NUL
 */
const char *cfg_yaml_string(const yaml_node_t *n)
{
	const char *s = cfg_yaml_scalar(n);

	if (!s || strlen(s) != n->data.scalar.length)
		return NULL;
	return s;
}

/**
 * cfg_yaml_is_null() - whether a node is a YAML null (an empty plain
 * scalar, "~", "null", "Null" or "NULL")
 * @n:	node
 *
 * Return: true for a null
 */
bool cfg_yaml_is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	const char *s = cfg_yaml_scalar(n);
	size_t i;

	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (!strcmp(s, nulls[i]))
			return true;
	return false;
}
