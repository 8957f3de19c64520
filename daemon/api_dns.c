/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_dns.c - the control API's DNS zones: POST /services/dns/add merges
 * a zone, GET /services/dns/all lists them. A zone applies to every
 * network's local names, to networks created later and to the host-port
 * names.
 *
 * Zones survive restarts in the server's state file (srv_state(), a
 * user-v2 network with a lease file): saved as GET /services/dns/all shows
 * them after every change, read back through api_parse_zone() at start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "daemon/api_int.h"
#include "daemon/server.h"
#include "lan/network.h"
#include "lan/state.h"
#include "services/dns/dns.h"

/**
 * api_zones_net() - srv_foreach_net() callback: apply one zone
 * @arg:	the zone (struct api_zone_req)
 * @n:		a network, whose local names get it
 */
static void api_zones_net(void *arg, struct net *n)
{
	api_zone_apply(arg, net_names(n));
}

/**
 * api_record_same() - do two records stand for the same thing (same
 * name, same Regexp or none)? A later one replaces an earlier one.
 * @a:		one record
 * @b:		another
 *
 * Return: 1 if they do, else 0
 */
static int api_record_same(const struct api_record *a,
			   const struct api_record *b)
{
	return !strcasecmp(a->name, b->name) && a->has_re == b->has_re &&
	       (!a->has_re || !strcmp(a->regexp, b->regexp));
}

/**
 * api_zone_regexps() - how many Regexp records a zone holds
 * @z:		the zone
 *
 * Return: their number
 */
static size_t api_zone_regexps(const struct api_zone_req *z)
{
	size_t i, n = 0;

	for (i = 0; i < z->nrec; i++)
		n += z->rec[i].has_re;
	return n;
}

/**
 * api_zone_merge() - merge a request into a zone: same names (and
 * Regexps) replaced, new ones appended; DefaultIP is the request's
 * @z:		the zone kept
 * @req:	the request
 *
 * Return: 0, or -1 if the zone would hold too many records (or Regexp
 * records); it is then left as it was
 */
static int api_zone_merge(struct api_zone_req *z,
			  const struct api_zone_req *req)
{
	struct api_zone_req m = *z;
	size_t i, j;

	m.rec = malloc((z->nrec + req->nrec + 1) * sizeof(*m.rec));
	if (!m.rec)
		return -1;
	if (z->nrec)
		memcpy(m.rec, z->rec, z->nrec * sizeof(*m.rec));
	for (i = 0; i < req->nrec; i++) {
		for (j = 0; j < m.nrec; j++)
			if (api_record_same(&m.rec[j], &req->rec[i]))
				break;
		if (j == m.nrec)
			m.nrec++;
		m.rec[j] = req->rec[i];
	}
	if (m.nrec > API_RECORDS_MAX * 4 ||
	    api_zone_regexps(&m) > DNS_LOCAL_REGEXPS_MAX) {
		free(m.rec);
		return -1;
	}
	m.def = req->def;
	/* Go appends the old records to the request's: nil only if both */
	m.nil_records = z->nil_records && req->nil_records;
	free(z->rec);
	*z = m;
	return 0;
}

/**
 * api_zone_get() - the zone of a name, created if new
 * @a:		API
 * @name:	zone name
 *
 * Return: the zone, or NULL if there are too many
 */
static struct api_zone_req *api_zone_get(struct api *a, const char *name)
{
	struct api_zone_req *z;
	size_t i;

	for (i = 0; i < a->nzones; i++)
		if (!strcasecmp(a->zones[i].name, name))
			return &a->zones[i];
	if (a->nzones == API_ZONES_MAX)
		return NULL;
	z = &a->zones[a->nzones++];
	memset(z, 0, sizeof(*z));
	z->nil_records = 1; /* until a request gives it records */
	snprintf(z->name, sizeof(z->name), "%s", name);
	return z;
}

/**
 * api_zones_json() - the zones as GET /services/dns/all shows them (and
 * the state file keeps them)
 * @a:		API
 *
 * Return: a new JSON array
 */
static json_t *api_zones_json(const struct api *a)
{
	json_t *j = json_array();
	size_t i;

	for (i = 0; i < a->nzones; i++)
		json_array_append_new(j, api_zone_json(&a->zones[i]));
	return j;
}

/**
 * api_zone_add() - merge a parsed zone request into the zones and apply
 * the zone to every network and to the host-port names
 * @a:		API
 * @req:	the request
 *
 * Return: the zone, or NULL if there are too many zones or records
 */
static struct api_zone_req *api_zone_add(struct api *a,
					 const struct api_zone_req *req)
{
	struct api_zone_req *z = api_zone_get(a, req->name);

	if (!z || api_zone_merge(z, req))
		return NULL;
	srv_foreach_net(a->srv, api_zones_net, z);
	api_zone_apply(z, srv_host_names(a->srv));
	return z;
}

/**
 * api_zones_save() - the state file follows the zones (written soon after,
 * coalesced); nothing without one
 * @a:		API
 */
static void api_zones_save(struct api *a)
{
	struct state *st = srv_state(a->srv);

	if (st)
		state_set_zones(st, api_zones_json(a));
}

/**
 * api_zones_restore() - the zones of the state file, read back through
 * the API's own parser; a zone it refuses is skipped with a warning
 * @a:		API
 */
void api_zones_restore(struct api *a)
{
	struct state *st = srv_state(a->srv);
	struct api_zone_req req;
	char err[256], *text;
	size_t i, n = 0;
	json_t *zones, *z;

	if (!st || !(zones = state_loaded(st)->zones))
		return;
	json_array_foreach(zones, i, z)
	{
		text = json_dumps(z, JSON_COMPACT);
		if (!text)
			fatal("json_dumps"); /* start-up: out of memory */
		if (api_parse_zone(text, strlen(text), &req, err, sizeof(err)))
			log_warnx("%s: zones[%zu]: %s", state_path(st), i, err);
		else if (!api_zone_add(a, &req))
			log_warnx("%s: zones[%zu]: too many zones or records",
				  state_path(st), i);
		else
			n++;
		api_zone_req_free(&req);
		free(text);
	}
	log_info("api: %zu zones restored from %s", n, state_path(st));
}

/**
 * api_dns_add() - POST /services/dns/add
 * @a:		API
 * @r:		the request: its body is parsed by api_parse_zone()
 * @c:		its connection
 *
 * Return: as api_reply()
 */
enum MHD_Result api_dns_add(struct api *a, struct api_req *r,
			    struct MHD_Connection *c)
{
	struct api_zone_req req;
	struct api_zone_req *z;
	enum MHD_Result ret;
	char err[256];

	if (api_parse_zone(r->body, r->len, &req, err, sizeof(err))) {
		api_zone_req_free(&req);
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	}
	z = api_zone_add(a, &req);
	if (!z) {
		ret = api_error(c, MHD_HTTP_INSUFFICIENT_STORAGE,
				"too many zones or records");
	} else {
		log_info("api: zone %s: %zu records", z->name, z->nrec);
		api_zones_save(a);
		ret = api_reply(c, MHD_HTTP_OK, NULL);
	}
	api_zone_req_free(&req);
	return ret;
}

/**
 * api_dns_all() - GET /services/dns/all
 * @a:		API
 * @r:		the request (no body)
 * @c:		its connection
 *
 * Return: as api_reply()
 */
enum MHD_Result api_dns_all(struct api *a, struct api_req *r,
			    struct MHD_Connection *c)
{
	(void)r;
	return api_reply(c, MHD_HTTP_OK, api_zones_json(a));
}

/**
 * api_zones_net_added() - a new network gets every zone
 * @a:		API
 * @n:		the network
 */
void api_zones_net_added(struct api *a, struct net *n)
{
	size_t i;

	for (i = 0; i < a->nzones; i++)
		api_zone_apply(&a->zones[i], net_names(n));
}

/**
 * api_zones_free() - free the zones' records (the API stops)
 * @a:		API
 */
void api_zones_free(struct api *a)
{
	size_t i;

	for (i = 0; i < a->nzones; i++)
		free(a->zones[i].rec);
	a->nzones = 0;
}
