/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * yamlutil.h - what the configuration readers (limayaml.c, networksyaml.c)
 * share around libyaml's document loader: loading a file or a buffer with
 * syntax errors reported as "FILE:LINE:COLUMN: problem context", messages
 * and warnings at a node's position, scalars and YAML nulls.
 */
#ifndef USERNETD_YAMLUTIL_H
#define USERNETD_YAMLUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

/**
 * struct cfg_yaml - one loaded YAML document and where its errors go
 * @path:	file name, for messages
 * @doc:	the first document of the input (valid after cfg_yaml_load()
 *		returned 0, until cfg_yaml_free())
 * @loaded:	whether @doc holds a document
 * @err:	message buffer of the caller
 * @errlen:	its size
 */
struct cfg_yaml {
	const char *path;
	yaml_document_t doc;
	bool loaded;
	char *err;
	size_t errlen;
};

int cfg_yaml_load(struct cfg_yaml *y, const char *path, const void *buf,
		  size_t len, char *err, size_t errlen);
void cfg_yaml_free(struct cfg_yaml *y);
yaml_node_t *cfg_yaml_root(struct cfg_yaml *y);
yaml_node_t *cfg_yaml_node(struct cfg_yaml *y, int id);
int cfg_yaml_error(const struct cfg_yaml *y, const yaml_node_t *n,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cfg_yaml_warn(const struct cfg_yaml *y, const yaml_node_t *n,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *cfg_yaml_scalar(const yaml_node_t *n);
const char *cfg_yaml_string(const yaml_node_t *n);
bool cfg_yaml_is_null(const yaml_node_t *n);

#endif /* USERNETD_YAMLUTIL_H */
