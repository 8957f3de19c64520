/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * switch.c - learning Ethernet switch.
 *
 * The MAC table is a small array scanned linearly: a network holds a few
 * VMs with a few MACs each, and scanning a dozen 16-byte entries costs
 * less than hashing. Learned entries age out after SW_AGE_MS; static ones
 * (gateway, services host) never do, so no VM can take their MACs. A
 * source MAC already learned on another port is refused: a VM cannot
 * steal another VM's traffic by sending with its address.
 */
#include <stdlib.h>
#include <string.h>

#include "switch.h"
#include "../daemon/log.h"

#define SW_AGE_MS    (300 * 1000)
#define SW_TABLE_MAX 1024

/**
 * struct sw_port - one port of the switch
 */
struct sw_port {
	char name[32];
	sw_deliver_fn deliver;
	void *arg;
	struct sw_port *next;
};

/**
 * struct sw_entry - a MAC table entry
 * @mac:	address
 * @port:	where it was seen
 * @seen:	when, monotonic ms; -1 for static entries
 */
struct sw_entry {
	uint8_t mac[6];
	struct sw_port *port;
	int64_t seen;
};

/**
 * struct sw - the switch
 */
struct sw {
	struct sw_port *ports;
	sw_tap_fn tap;
	void *tap_arg;
	struct sw_entry table[SW_TABLE_MAX];
	int n;
	struct sw_stats stats;
};

/**
 * sw_new() - create a switch with no ports
 */
struct sw *sw_new(void)
{
	struct sw *s = calloc(1, sizeof(*s));

	if (!s)
		fatal("calloc");
	return s;
}

/**
 * sw_free() - free a switch and its ports
 */
void sw_free(struct sw *s)
{
	struct sw_port *p, *next;

	if (!s)
		return;
	for (p = s->ports; p; p = next) {
		next = p->next;
		free(p);
	}
	free(s);
}

/**
 * sw_port_add() - add a port
 * @s:		switch
 * @name:	for logs
 * @deliver:	called with frames for this port
 * @arg:	its argument
 *
 * Return: the port
 */
struct sw_port *sw_port_add(struct sw *s, const char *name,
			    sw_deliver_fn deliver, void *arg)
{
	struct sw_port *p = calloc(1, sizeof(*p)), **pp;

	if (!p)
		fatal("calloc");
	strncpy(p->name, name, sizeof(p->name) - 1);
	p->deliver = deliver;
	p->arg = arg;
	for (pp = &s->ports; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	return p;
}

/**
 * sw_forget() - remove MAC table entry @i
 */
static void sw_forget(struct sw *s, int i)
{
	s->table[i] = s->table[--s->n];
}

/**
 * sw_port_del() - remove a port and every MAC learned on it
 */
void sw_port_del(struct sw *s, struct sw_port *p)
{
	struct sw_port **pp;
	int i;

	for (i = s->n - 1; i >= 0; i--)
		if (s->table[i].port == p)
			sw_forget(s, i);
	for (pp = &s->ports; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			free(p);
			return;
		}
	}
}

/**
 * sw_lookup() - find a live entry for @mac
 *
 * Return: its index, or -1
 */
static int sw_lookup(struct sw *s, const uint8_t *mac, int64_t now)
{
	int i;

	for (i = 0; i < s->n; i++) {
		struct sw_entry *e = &s->table[i];

		if (memcmp(e->mac, mac, 6))
			continue;
		if (e->seen >= 0 && now - e->seen > SW_AGE_MS) {
			sw_forget(s, i);
			return -1;
		}
		return i;
	}
	return -1;
}

/**
 * sw_add() - insert an entry, evicting the oldest learned one if full
 */
static void sw_add(struct sw *s, struct sw_port *p, const uint8_t *mac,
		   int64_t seen)
{
	int i, old = -1;

	if (s->n == SW_TABLE_MAX) {
		for (i = 0; i < s->n; i++)
			if (s->table[i].seen >= 0 &&
			    (old < 0 || s->table[i].seen < s->table[old].seen))
				old = i;
		if (old < 0)
			return;
		sw_forget(s, old);
	}
	memcpy(s->table[s->n].mac, mac, 6);
	s->table[s->n].port = p;
	s->table[s->n].seen = seen;
	s->n++;
}

/**
 * sw_learn_static() - bind @mac to @p for good (gateway, services host)
 */
void sw_learn_static(struct sw *s, struct sw_port *p, const uint8_t mac[6])
{
	int i = sw_lookup(s, mac, 0);

	if (i >= 0)
		sw_forget(s, i);
	sw_add(s, p, mac, -1);
}

/**
 * sw_learn() - learn the source MAC of a frame
 *
 * Return: 0 if the frame may pass, -1 if it must be dropped
 */
static int sw_learn(struct sw *s, struct sw_port *from, const uint8_t *src,
		    int64_t now)
{
	static const uint8_t zero[6];
	int i;

	if ((src[0] & 1) || !memcmp(src, zero, 6)) {
		s->stats.drop_bad_src++;
		return -1;
	}
	i = sw_lookup(s, src, now);
	if (i < 0) {
		sw_add(s, from, src, now);
		return 0;
	}
	if (s->table[i].port != from) {
		s->stats.drop_spoof++;
		return -1;
	}
	if (s->table[i].seen >= 0)
		s->table[i].seen = now;
	return 0;
}

/**
 * sw_input() - switch a frame that arrived on @from
 * @s:		switch
 * @from:	ingress port
 * @frame:	Ethernet frame
 * @len:	its length
 * @now_ms:	monotonic time, for learning and ageing
 */
void sw_input(struct sw *s, struct sw_port *from, const uint8_t *frame,
	      size_t len, int64_t now_ms)
{
	struct sw_port *p;
	int i;

	if (len < 14) {
		s->stats.drop_runt++;
		return;
	}
	if (sw_learn(s, from, frame + 6, now_ms))
		return;
	s->stats.frames++;
	if (!(frame[0] & 1)) {
		i = sw_lookup(s, frame, now_ms);
		if (i >= 0) {
			p = s->table[i].port;
			if (p == from)
				return;
			if (s->tap)
				s->tap(s->tap_arg, from, p, frame, len);
			p->deliver(p->arg, frame, len);
			return;
		}
	}
	s->stats.flooded++;
	if (s->tap)
		s->tap(s->tap_arg, from, NULL, frame, len);
	for (p = s->ports; p; p = p->next)
		if (p != from)
			p->deliver(p->arg, frame, len);
}

/**
 * sw_set_tap() - see every frame the switch passes (NULL @fn: none)
 */
void sw_set_tap(struct sw *s, sw_tap_fn fn, void *arg)
{
	s->tap = fn;
	s->tap_arg = arg;
}

/**
 * sw_port_name() - name of a port, as given to sw_port_add()
 */
const char *sw_port_name(const struct sw_port *p)
{
	return p->name;
}

/**
 * sw_owner() - the port @mac was learned on, NULL if unknown or aged out
 */
struct sw_port *sw_owner(struct sw *s, const uint8_t mac[6], int64_t now_ms)
{
	int i = sw_lookup(s, mac, now_ms);

	return i < 0 ? NULL : s->table[i].port;
}

/**
 * sw_foreach() - report every live entry of the MAC table
 * @s:		switch
 * @now_ms:	monotonic time: aged entries are skipped
 * @fn:		called for each entry; must not change the switch
 * @arg:	its argument
 */
void sw_foreach(struct sw *s, int64_t now_ms, sw_entry_fn fn, void *arg)
{
	int i;

	for (i = 0; i < s->n; i++) {
		const struct sw_entry *e = &s->table[i];

		if (e->seen >= 0 && now_ms - e->seen > SW_AGE_MS)
			continue;
		fn(arg, e->mac, e->port->name, e->seen < 0);
	}
}

/**
 * sw_stats() - counters of a switch
 */
const struct sw_stats *sw_stats(const struct sw *s)
{
	return &s->stats;
}
