/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_api.c - usernetctl's control API client: HTTP over usernetd's unix
 * socket with libcurl (CURLOPT_UNIX_SOCKET_PATH), JSON with jansson.
 * Subcommands: leases, addresses, forward, dns, stats, wait-port, capture.
 *
 * Every subcommand takes -e/--endpoint PATH (or the one given before the
 * subcommand) and --json (print the daemon's raw answer instead of a
 * table). Exit status: 0 success, 1 the daemon is not there or refused,
 * 2 bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "tools/ctl_api.h"

#define CTL_USAGE 2
#define CTL_URL	  "http://lima"

static const char *ctl_endpoint;
static int ctl_json;

/**
 * struct ctl_buf - an answer body being received
 * @data:	bytes, NUL-terminated
 * @len:	their number
 */
struct ctl_buf {
	char *data;
	size_t len;
};

/**
 * ctl_api_global() - options given before the subcommand
 * @endpoint:	-e PATH, or NULL
 * @json:	--json was given
 */
void ctl_api_global(const char *endpoint, int json)
{
	if (endpoint)
		ctl_endpoint = endpoint;
	if (json)
		ctl_json = 1;
}

/**
 * ctl_write() - libcurl write callback: append to a struct ctl_buf
 * @ptr:	bytes received
 * @size:	1
 * @n:		how many
 * @arg:	the struct ctl_buf
 *
 * Return: @size * @n, or 0 (libcurl then fails the transfer) if no memory
 * is left
 */
static size_t ctl_write(char *ptr, size_t size, size_t n, void *arg)
{
	struct ctl_buf *b = arg;
	size_t len = size * n;
	char *d = realloc(b->data, b->len + len + 1);

	if (!d)
		return 0;
	memcpy(d + b->len, ptr, len);
	b->len += len;
	d[b->len] = '\0';
	b->data = d;
	return len;
}

/**
 * ctl_print_error() - print an error answer: the "error" of a JSON error
 * @status:	HTTP status
 * @body:	answer body, or NULL
 * body, or the body
 */
static void ctl_print_error(long status, const char *body)
{
	json_t *j = json_loads(body ? body : "", 0, NULL);
	const char *msg = json_string_value(json_object_get(j, "error"));

	fprintf(stderr, "usernetctl: HTTP %ld: %s\n", status,
		msg ? msg : (body && *body ? body : "(no message)"));
	json_decref(j);
}

/**
 * ctl_http() - one request to the daemon
 * @method:	"GET" or "POST"
 * @path:	URL path and query
 * @body:	POST body, or NULL
 * @timeout_s:	give up after that long (0: 30 s)
 * @status:	HTTP status on success
 * @out:	answer body (free() it)
 *
 * Return: 0, or 1 after printing why the daemon could not be asked
 */
static int ctl_http(const char *method, const char *path, const char *body,
		    long timeout_s, long *status, struct ctl_buf *out)
{
	char url[1024], err[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL;
	CURLcode rc;
	CURL *c;

	out->data = NULL;
	out->len = 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(c = curl_easy_init())) {
		fprintf(stderr, "usernetctl: cannot start libcurl\n");
		return 1;
	}
	snprintf(url, sizeof(url), "%s%s", CTL_URL, path);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, ctl_endpoint);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s ? timeout_s : 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ctl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	else if (rc == CURLE_COULDNT_CONNECT)
		fprintf(stderr, "usernetctl: cannot connect to %s: %s\n",
			ctl_endpoint, *err ? err : curl_easy_strerror(rc));
	else
		fprintf(stderr, "usernetctl: %s: %s\n", ctl_endpoint,
			*err ? err : curl_easy_strerror(rc));
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return rc == CURLE_OK ? 0 : 1;
}

/**
 * ctl_call() - a request whose answer must be 2xx
 * @method:	"GET" or "POST"
 * @path:	URL path and query
 * @body:	POST body, or NULL
 * @timeout_s:	0 for the default
 * @out:	the answer body (free() it) on success
 *
 * Return: 0, or 1 after printing the daemon's error
 */
static int ctl_call(const char *method, const char *path, const char *body,
		    long timeout_s, struct ctl_buf *out)
{
	long status = 0;

	if (ctl_http(method, path, body, timeout_s, &status, out))
		return 1;
	if (status / 100 != 2) {
		ctl_print_error(status, out->data);
		free(out->data);
		out->data = NULL;
		return 1;
	}
	return 0;
}

/**
 * ctl_parse() - options common to every API subcommand
 * @argc:	argument count
 * @argv:	arguments, argv[0] the subcommand
 * @usage:	the subcommand's usage line
 * @nmin:	fewest operands
 * @nmax:	most operands
 *
 * Return: index of the first operand, -1 after --help, or -2 after a
 * usage error (printed)
 */
static int ctl_parse(int argc, char **argv, const char *usage, int nmin,
		     int nmax)
{
	static const struct option opts[] = {
	    {"endpoint", required_argument, NULL, 'e'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+e:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			ctl_endpoint = optarg;
			break;
		case 'j':
			ctl_json = 1;
			break;
		case 'h':
			printf("usage: usernetctl [-e ENDPOINT] [--json] %s\n",
			       usage);
			return -1;
		default:
			goto bad;
		}
	}
	if (argc - optind < nmin || argc - optind > nmax)
		goto bad;
	if (!ctl_endpoint) {
		fprintf(stderr, "usernetctl: %s: no endpoint (-e PATH)\n",
			argv[0]);
		return -2;
	}
	return optind;
bad:
	fprintf(stderr, "usage: usernetctl [-e ENDPOINT] [--json] %s\n", usage);
	return -2;
}

/**
 * ctl_status() - exit status of ctl_parse()'s negative results
 * @r:		-1 (help printed) or another negative value (bad usage)
 *
 * Return: 0 for -1, else CTL_USAGE
 */
static int ctl_status(int r)
{
	return r == -1 ? 0 : CTL_USAGE;
}

/**
 * ctl_show() - print an answer: raw with --json, else through @table
 * @b:		answer
 * @table:	prints the parsed JSON as a table
 *
 * Return: 0, or 1 if the answer is not JSON
 */
static int ctl_show(struct ctl_buf *b, void (*table)(json_t *j))
{
	json_t *j;

	if (ctl_json) {
		printf("%s\n", b->data ? b->data : "");
		free(b->data);
		return 0;
	}
	j = json_loads(b->data ? b->data : "", 0, NULL);
	free(b->data);
	if (!j) {
		fprintf(stderr,
			"usernetctl: the daemon's answer is not JSON\n");
		return 1;
	}
	table(j);
	json_decref(j);
	return 0;
}

/**
 * ctl_get_show() - GET @path and print the answer with ctl_show()
 * @path:	URL path
 * @table:	prints the parsed JSON as a table
 *
 * Return: exit status: 0, or 1 if the daemon could not be asked or its
 * answer is not JSON
 */
static int ctl_get_show(const char *path, void (*table)(json_t *j))
{
	struct ctl_buf b;

	if (ctl_call("GET", path, NULL, 0, &b))
		return 1;
	return ctl_show(&b, table);
}

/**
 * ctl_leases_table() - {"address":"mac"} as two columns, the first as wide
 * as its longest address (IPv6 ones too)
 * @j:		the parsed answer
 */
static void ctl_leases_table(json_t *j)
{
	int w = (int)strlen("ADDRESS");
	const char *ip;
	json_t *v;

	for (void *it = json_object_iter(j); it;
	     it = json_object_iter_next(j, it))
		if ((int)strlen(json_object_iter_key(it)) > w)
			w = (int)strlen(json_object_iter_key(it));
	printf("%-*s %s\n", w, "ADDRESS", "MAC");
	for (void *it = json_object_iter(j); it;
	     it = json_object_iter_next(j, it)) {
		ip = json_object_iter_key(it);
		v = json_object_iter_value(it);
		printf("%-*s %s\n", w, ip, json_string_value(v));
	}
}

/**
 * ctl_api_leases() - `usernetctl leases`
 * @argc:	argument count, the command's name first
 * @argv:	the arguments
 *
 * Return: exit status
 */
int ctl_api_leases(int argc, char **argv)
{
	int i = ctl_parse(argc, argv, "leases", 0, 0);

	if (i < 0)
		return ctl_status(i);
	return ctl_get_show("/services/dhcp/leases", ctl_leases_table);
}

/**
 * ctl_api_addresses() - `usernetctl addresses`: the IPv6 addresses the
 * guests hold
 * @argc:	argument count, the command's name first
 * @argv:	the arguments
 *
 * Return: exit status
 */
int ctl_api_addresses(int argc, char **argv)
{
	int i = ctl_parse(argc, argv, "addresses", 0, 0);

	if (i < 0)
		return ctl_status(i);
	return ctl_get_show("/services/ipv6/addresses", ctl_leases_table);
}

/**
 * ctl_forwards_table() - [{"local","remote","protocol"}] as columns
 * @j:		the parsed answer
 */
static void ctl_forwards_table(json_t *j)
{
	size_t i;
	json_t *f;

	printf("%-6s %-24s %s\n", "PROTO", "LOCAL", "REMOTE");
	for (i = 0; i < json_array_size(j); i++) {
		f = json_array_get(j, i);

		printf("%-6s %-24s %s\n",
		       json_string_value(json_object_get(f, "protocol")),
		       json_string_value(json_object_get(f, "local")),
		       json_string_value(json_object_get(f, "remote")));
	}
}

/**
 * ctl_post() - POST a JSON body built by json_pack(); prints nothing on
 * @path:	URL path
 * @body:	the body; its reference is taken
 * success unless --json
 *
 * Return: exit status
 */
static int ctl_post(const char *path, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	struct ctl_buf b;
	int r;

	json_decref(body);
	if (!text)
		return 1;
	r = ctl_call("POST", path, text, 0, &b);
	free(text);
	if (!r && ctl_json && b.data)
		printf("%s\n", b.data);
	if (!r)
		free(b.data);
	return r;
}

/**
 * ctl_api_forward() - `usernetctl forward add|rm|ls`
 * @argc:	argument count, the command's name first
 * @argv:	the arguments
 *
 * Return: exit status
 */
int ctl_api_forward(int argc, char **argv)
{
	static const char usage[] =
	    "forward add PROTO LOCAL REMOTE | rm PROTO LOCAL | ls";
	int i = ctl_parse(argc, argv, usage, 1, 4), n;

	if (i < 0)
		return ctl_status(i);
	n = argc - i;
	if (!strcmp(argv[i], "ls") && n == 1) {
		return ctl_get_show("/services/forwarder/all",
				    ctl_forwards_table);
	}
	if (!strcmp(argv[i], "add") && n == 4)
		return ctl_post("/services/forwarder/expose",
				json_pack("{s:s,s:s,s:s}", "protocol",
					  argv[i + 1], "local", argv[i + 2],
					  "remote", argv[i + 3]));
	if (!strcmp(argv[i], "rm") && n == 3)
		return ctl_post("/services/forwarder/unexpose",
				json_pack("{s:s,s:s}", "protocol", argv[i + 1],
					  "local", argv[i + 2]));
	fprintf(stderr, "usage: usernetctl [-e ENDPOINT] [--json] %s\n", usage);
	return CTL_USAGE;
}

/**
 * ctl_zones_table() - [{"Name","Records","DefaultIP"}] as columns: a
 * @j:		the parsed answer
 * Regexp record's name shows as ~PATTERN, a record without an address
 * (the resolver answers it) as IP "resolver"
 */
static void ctl_zones_table(json_t *j)
{
	json_t *z, *r, *def, *re;
	const char *name, *ip;
	char rebuf[300];
	size_t i, k;

	printf("%-24s %-32s %s\n", "ZONE", "NAME", "IP");
	for (i = 0; i < json_array_size(j); i++) {
		z = json_array_get(j, i);

		const char *zn = json_string_value(json_object_get(z, "Name"));

		for (k = 0; k < json_array_size(json_object_get(z, "Records"));
		     k++) {
			r = json_array_get(json_object_get(z, "Records"), k);
			name = json_string_value(json_object_get(r, "Name"));
			ip = json_string_value(json_object_get(r, "IP"));
			re = json_object_get(r, "Regexp");
			if (json_is_string(re)) {
				snprintf(rebuf, sizeof(rebuf), "~%s",
					 json_string_value(re));
				name = rebuf;
			}
			printf("%-24s %-32s %s\n", zn, name ? name : "",
			       ip ? ip : "resolver");
		}
		def = json_object_get(z, "DefaultIP");
		if (json_is_string(def) && *json_string_value(def))
			printf("%-24s %-32s %s\n", zn, "*",
			       json_string_value(def));
	}
}

/**
 * ctl_api_dns() - `usernetctl dns add ZONE NAME IP | ls`
 * @argc:	argument count, the command's name first
 * @argv:	the arguments
 *
 * Return: exit status
 */
int ctl_api_dns(int argc, char **argv)
{
	static const char usage[] = "dns add ZONE NAME IP | ls";
	int i = ctl_parse(argc, argv, usage, 1, 4), n;

	if (i < 0)
		return ctl_status(i);
	n = argc - i;
	if (!strcmp(argv[i], "ls") && n == 1) {
		return ctl_get_show("/services/dns/all", ctl_zones_table);
	}
	if (!strcmp(argv[i], "add") && n == 4)
		return ctl_post("/services/dns/add",
				json_pack("{s:s,s:[{s:s,s:s}]}", "Name",
					  argv[i + 1], "Records", "Name",
					  argv[i + 2], "IP", argv[i + 3]));
	fprintf(stderr, "usage: usernetctl [-e ENDPOINT] [--json] %s\n", usage);
	return CTL_USAGE;
}

/**
 * ctl_flat() - print a JSON value as "path value" lines
 * @prefix:	path so far
 * @j:		value
 */
static void ctl_flat(const char *prefix, json_t *j)
{
	char path[512];
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		for (void *it = json_object_iter(j); it;
		     it = json_object_iter_next(j, it)) {
			k = json_object_iter_key(it);
			v = json_object_iter_value(it);

			snprintf(path, sizeof(path), "%s%s%s", prefix,
				 *prefix ? "." : "", k);
			ctl_flat(path, v);
		}
	} else if (json_is_array(j)) {
		for (i = 0; i < json_array_size(j); i++) {
			v = json_array_get(j, i);

			const char *name =
			    json_string_value(json_object_get(v, "name"));

			if (name)
				snprintf(path, sizeof(path), "%s[%s]", prefix,
					 name);
			else
				snprintf(path, sizeof(path), "%s[%zu]", prefix,
					 i);
			ctl_flat(path, v);
		}
	} else if (json_is_integer(j)) {
		printf("%-48s %" JSON_INTEGER_FORMAT "\n", prefix,
		       json_integer_value(j));
	} else if (!json_is_string(j) ||
		   strcmp(prefix + strlen(prefix) - 4, "name")) {
		char *t = json_dumps(j, JSON_ENCODE_ANY);

		printf("%-48s %s\n", prefix, t ? t : "?");
		free(t);
	}
}

/**
 * ctl_stats_table() - counters, one per line
 * @j:		the parsed answer
 */
static void ctl_stats_table(json_t *j)
{
	ctl_flat("", j);
}

/**
 * ctl_api_stats() - `usernetctl stats`
 * @argc:	argument count, the command's name first
 * @argv:	the arguments
 *
 * Return: exit status
 */
int ctl_api_stats(int argc, char **argv)
{
	int i = ctl_parse(argc, argv, "stats", 0, 0);

	if (i < 0)
		return ctl_status(i);
	return ctl_get_show("/stats", ctl_stats_table);
}

/**
 * ctl_api_wait_port() - `usernetctl wait-port IP PORT [TIMEOUT]`
 * @argc:	argument count, the command's name first
 * @argv:	the arguments
 *
 * Return: 0 when the port accepts, 1 on timeout or error, 2 bad usage
 */
int ctl_api_wait_port(int argc, char **argv)
{
	char path[256];
	long timeout = 10;
	struct ctl_buf b;
	int i = ctl_parse(argc, argv, "wait-port IP PORT [TIMEOUT]", 2, 3);
	char *end;

	if (i < 0)
		return ctl_status(i);
	if (argc - i == 3) {
		timeout = strtol(argv[i + 2], &end, 10);
		if (*end || timeout < 1 || timeout > 86400) {
			fprintf(stderr, "usernetctl: wait-port: TIMEOUT is "
					"1 to 86400 seconds\n");
			return CTL_USAGE;
		}
	}
	snprintf(path, sizeof(path),
		 "/extension/wait_port?ip=%.64s&port=%.16s&timeout=%ld",
		 argv[i], argv[i + 1], timeout);
	if (ctl_call("GET", path, NULL, timeout + 10, &b))
		return 1;
	free(b.data);
	if (!ctl_json)
		printf("%s port %s accepts connections\n", argv[i],
		       argv[i + 1]);
	return 0;
}

/**
 * ctl_capture_start() - `usernetctl capture start [--filter EXPR]
 * [--snaplen N] [--port NAME] FILE`
 * @argc:	argument count
 * @argv:	arguments, argv[0] being "start"
 * @usage:	the usage line of `capture`
 *
 * A relative FILE is made absolute here: the daemon opens it, from its
 * own working directory.
 *
 * Return: exit status
 */
static int ctl_capture_start(int argc, char **argv, const char *usage)
{
	static const struct option opts[] = {
	    {"filter", required_argument, NULL, 'f'},
	    {"snaplen", required_argument, NULL, 's'},
	    {"port", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	char cwd[4096], path[8192];
	const char *file;
	long snaplen = -1;
	json_t *body;
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	body = json_object();
	while ((c = getopt_long(argc, argv, "+f:s:p:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			json_object_set_new(body, "filter",
					    json_string(optarg));
			break;
		case 's':
			snaplen = strtol(optarg, &end, 10);
			if (!*optarg || *end || snaplen < 0 ||
			    snaplen > 262144) {
				fprintf(stderr, "usernetctl: capture start: "
						"--snaplen is 0 to 262144\n");
				json_decref(body);
				return CTL_USAGE;
			}
			json_object_set_new(body, "snaplen",
					    json_integer(snaplen));
			break;
		case 'p':
			json_object_set_new(body, "port", json_string(optarg));
			break;
		default:
			goto bad;
		}
	}
	if (argc - optind != 1 || !*argv[optind])
		goto bad;
	file = argv[optind];
	if (*file != '/' && strcmp(file, "-")) {
		if (!getcwd(cwd, sizeof(cwd))) {
			perror("usernetctl: capture start: getcwd");
			json_decref(body);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s", cwd, file);
		file = path;
	}
	json_object_set_new(body, "file", json_string(file));
	return ctl_post("/capture/start", body);
bad:
	json_decref(body);
	fprintf(stderr, "usage: usernetctl [-e ENDPOINT] [--json] %s\n", usage);
	return CTL_USAGE;
}

/**
 * ctl_api_capture() - `usernetctl capture start [OPTION]... FILE | stop`
 * @argc:	argument count, the command's name first
 * @argv:	the arguments
 *
 * Return: exit status
 */
int ctl_api_capture(int argc, char **argv)
{
	static const char usage[] =
	    "capture start [--filter EXPR] [--snaplen N] [--port NAME] FILE "
	    "| stop";
	int i = ctl_parse(argc, argv, usage, 1, argc);

	if (i < 0)
		return ctl_status(i);
	if (!strcmp(argv[i], "stop") && argc - i == 1)
		return ctl_post("/capture/stop", json_object());
	if (!strcmp(argv[i], "start"))
		return ctl_capture_start(argc - i, argv + i, usage);
	fprintf(stderr, "usage: usernetctl [-e ENDPOINT] [--json] %s\n", usage);
	return CTL_USAGE;
}
