/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * switch.c - learning Ethernet switch.
 *
 * The MAC table is a small array scanned linearly: a network holds a few
 * VMs with a few MACs each, and scanning a dozen 16-byte entries costs
 * less than hashing. Static entries (gateway, services host) never age, so
 * no VM can take their MACs. A source MAC already learned on another port
 * is refused: a VM cannot steal another VM's traffic by sending with its
 * address.
 *
 * A real switch lets a MAC move to the port it was last seen on; a VM host
 * knows better: a port is one VM, and a MAC belongs to the port that used
 * it first for as long as that port lives. Ports whose end is always seen
 * (streams, seqpacket, TAP: sw_port_keep_macs()) keep their MACs until
 * sw_port_del(), however long they are silent; a VM that comes back on a
 * new connection gets its MAC when the old one is gone. On datagram ports
 * the peer may vanish unseen until the next send fails, so their entries
 * age out after SW_AGE_MS of silence and the MAC is free again.
 *
 * No port may fill the table to push others' entries out: a port holds at
 * most SW_PORT_MACS MACs (a new one evicts its own least recently seen),
 * and a full table evicts only aged entries, else refuses the new MAC.
 *
 * Unknown unicast is flooded, unless the network's sw_set_unknown() hook
 * takes it: a MAC whose VM left is nobody's to receive (network.c).
 *
 * A sender that can keep a frame asks sw_room() before sw_input(): the
 * destination port of a known unicast MAC answers (sw_port_set_room()),
 * so a frame it refuses is never captured, counted or queued anywhere.
 */
#include <stdlib.h>
#include <string.h>

#include "packet/frame.h"
#include "packet/switch.h"
#include "base/log.h"
#include "base/xalloc.h"

#define SW_AGE_MS    (300 * 1000)
#define SW_TABLE_MAX 1024
#define SW_PORT_MACS 64

/**
 * struct sw_port - one port of the switch
 * @name:	for logs and the API
 * @id:		the owner's number for it, handed to the other ports'
 *		@deliver with each frame it sends (0: none)
 * @deliver:	called with frames for this port
 * @arg:	its argument
 * @room:	answers sw_room() for frames to this port, or NULL: it
 *		takes every frame (sw_port_set_room())
 * @keep:	its MACs do not age while it lives (sw_port_keep_macs())
 * @nmacs:	entries of the table on this port
 * @next:	list link
 */
struct sw_port {
	char name[32];
	uint32_t id;
	sw_deliver_fn deliver;
	void *arg;
	sw_room_fn room;
	int keep;
	int nmacs;
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
 * @ports:	its ports, in the order added (flooding order)
 * @tap:	sees every frame passed (sw_set_tap()), or NULL
 * @tap_arg:	its argument
 * @unknown:	asked about unicast to an unknown MAC (sw_set_unknown()),
 *		or NULL to flood it
 * @unknown_arg: its argument
 * @table:	the MAC table, @n entries used
 * @n:		entries of @table
 * @stats:	counters
 */
struct sw {
	struct sw_port *ports;
	sw_tap_fn tap;
	void *tap_arg;
	sw_unknown_fn unknown;
	void *unknown_arg;
	struct sw_entry table[SW_TABLE_MAX];
	int n;
	struct sw_stats stats;
};

/**
 * sw_new() - create a switch with no ports
 *
 * Return: the switch; exits when out of memory
 */
struct sw *sw_new(void)
{
	return xcalloc(1, sizeof(struct sw));
}

/**
 * sw_free() - free a switch and its ports
 * @s:		the switch, or NULL
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
 * @id:		a number the caller gives the port, handed to the other
 *		ports' @deliver with every frame that came in on it: who
 *		sent it (the DHCP server's per-port count); 0 for none
 * @deliver:	called with frames for this port
 * @arg:	its argument
 *
 * Return: the port; exits when out of memory
 */
struct sw_port *sw_port_add(struct sw *s, const char *name, uint32_t id,
			    sw_deliver_fn deliver, void *arg)
{
	struct sw_port *p = xcalloc(1, sizeof(*p)), **pp;

	strncpy(p->name, name, sizeof(p->name) - 1);
	p->id = id;
	p->deliver = deliver;
	p->arg = arg;
	for (pp = &s->ports; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	return p;
}

/**
 * sw_port_keep_macs() - @p's MACs stay its own, silent or not, until
 * sw_port_del(): for ports whose end is always seen
 * @p:		the port
 */
void sw_port_keep_macs(struct sw_port *p)
{
	p->keep = 1;
}

/**
 * sw_port_set_room() - let @p answer sw_room() for the frames it receives
 * @p:		the port
 * @room:	called with its argument (sw_port_add()); NULL: none
 */
void sw_port_set_room(struct sw_port *p, sw_room_fn room)
{
	p->room = room;
}

/**
 * sw_forget() - remove MAC table entry @i
 * @s:		switch
 * @i:		index of the entry
 */
static void sw_forget(struct sw *s, int i)
{
	s->table[i].port->nmacs--;
	s->table[i] = s->table[--s->n];
}

/**
 * sw_aged() - has entry @e aged out at @now?
 * @e:		the entry
 * @now:	monotonic ms
 *
 * Return: nonzero if it has (static entries never do)
 */
static int sw_aged(const struct sw_entry *e, int64_t now)
{
	return e->seen >= 0 && !e->port->keep && now - e->seen > SW_AGE_MS;
}

/**
 * sw_port_macs() - report the MACs learned on port @p
 * @s:		switch
 * @p:		port
 * @fn:		called for each; must not change the switch
 * @arg:	its argument
 */
void sw_port_macs(struct sw *s, const struct sw_port *p, sw_mac_fn fn,
		  void *arg)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->table[i].port == p)
			fn(arg, s->table[i].mac);
}

/**
 * sw_port_del() - remove a port and every MAC learned on it
 * @s:		switch
 * @p:		the port
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
 * @s:		switch
 * @mac:	the MAC
 * @now:	monotonic ms: an aged entry is dropped
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
		if (sw_aged(e, now)) {
			sw_forget(s, i);
			return -1;
		}
		return i;
	}
	return -1;
}

/**
 * sw_make_room() - free an entry for a new MAC of @p
 * @s:		switch
 * @p:		the port that learns a new MAC
 * @now:	monotonic ms
 *
 * A port at SW_PORT_MACS gives up its own least recently seen MAC; else a
 * full table gives up its oldest aged entry. Live entries of other ports
 * are never evicted.
 *
 * Return: 0, or -1 if the table has no room
 */
static int sw_make_room(struct sw *s, struct sw_port *p, int64_t now)
{
	int i, old = -1;

	if (p->nmacs >= SW_PORT_MACS) {
		for (i = 0; i < s->n; i++)
			if (s->table[i].port == p && s->table[i].seen >= 0 &&
			    (old < 0 || s->table[i].seen < s->table[old].seen))
				old = i;
	} else if (s->n == SW_TABLE_MAX) {
		for (i = 0; i < s->n; i++)
			if (sw_aged(&s->table[i], now) &&
			    (old < 0 || s->table[i].seen < s->table[old].seen))
				old = i;
	} else {
		return 0;
	}
	if (old < 0)
		return -1;
	sw_forget(s, old);
	return 0;
}

/**
 * sw_add() - insert an entry
 * @s:		switch
 * @p:		port
 * @mac:	address
 * @seen:	when, monotonic ms; -1 for a static entry
 * @now:	monotonic ms
 *
 * Return: 0, or -1 if there is no room (sw_make_room())
 */
static int sw_add(struct sw *s, struct sw_port *p, const uint8_t *mac,
		  int64_t seen, int64_t now)
{
	if (sw_make_room(s, p, now))
		return -1;
	memcpy(s->table[s->n].mac, mac, 6);
	s->table[s->n].port = p;
	s->table[s->n].seen = seen;
	s->n++;
	p->nmacs++;
	return 0;
}

/**
 * sw_learn_static() - bind @mac to @p for good (gateway, services host)
 * @s:		switch
 * @p:		the port
 * @mac:	the MAC, which never ages
 */
void sw_learn_static(struct sw *s, struct sw_port *p, const uint8_t mac[6])
{
	int i = sw_lookup(s, mac, 0);

	if (i >= 0)
		sw_forget(s, i);
	if (sw_add(s, p, mac, -1, 0))
		fatalx("switch: no room for a static MAC");
}

/**
 * sw_learn() - learn the source MAC of a frame
 * @s:		switch
 * @from:	ingress port
 * @src:	the frame's source MAC
 * @now:	monotonic ms
 *
 * Return: 0 if the frame may pass, -1 if it must be dropped
 */
static int sw_learn(struct sw *s, struct sw_port *from, const uint8_t *src,
		    int64_t now)
{
	static const uint8_t zero[6];
	int i;

	if (frame_mac_group(src) || !memcmp(src, zero, FRAME_ETH_ALEN)) {
		s->stats.drop_bad_src++;
		return -1;
	}
	i = sw_lookup(s, src, now);
	if (i < 0) {
		if (!sw_add(s, from, src, now, now))
			return 0;
		s->stats.drop_table_full++;
		return -1;
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
	const struct frame_eth *eth = frame_eth(frame, len);
	struct sw_port *p;
	int i;

	if (!eth) {
		s->stats.drop_runt++;
		return;
	}
	if (sw_learn(s, from, eth->src, now_ms))
		return;
	s->stats.frames++;
	if (!frame_mac_group(eth->dst)) {
		i = sw_lookup(s, eth->dst, now_ms);
		if (i >= 0) {
			p = s->table[i].port;
			if (p == from)
				return;
			if (s->tap)
				s->tap(s->tap_arg, from, p, frame, len);
			p->deliver(p->arg, from->id, frame, len);
			return;
		}
		if (s->unknown && s->unknown(s->unknown_arg, from, frame, len))
			return;
	}
	s->stats.flooded++;
	if (s->tap)
		s->tap(s->tap_arg, from, NULL, frame, len);
	for (p = s->ports; p; p = p->next)
		if (p != from)
			p->deliver(p->arg, from->id, frame, len);
}

/**
 * sw_room() - would the port a frame from @from goes to take it now?
 * Nothing is learned, counted or captured: the caller sw_input()s the
 * frame if the answer is yes, and keeps it otherwise
 * @s:		switch
 * @from:	the port the frame would come in on
 * @frame:	Ethernet frame
 * @len:	its length
 * @now_ms:	monotonic ms, for ageing
 *
 * Only a unicast frame to a MAC the table holds can be refused, by its
 * port's room function: a group or unknown destination reaches several
 * ports (or none), and is sent as it always was.
 *
 * Return: 1 to send the frame, 0 to keep it for now
 */
int sw_room(struct sw *s, const struct sw_port *from, const uint8_t *frame,
	    size_t len, int64_t now_ms)
{
	const struct frame_eth *eth = frame_eth(frame, len);
	struct sw_port *p;
	int i;

	if (!eth || frame_mac_group(eth->dst))
		return 1;
	i = sw_lookup(s, eth->dst, now_ms);
	if (i < 0)
		return 1;
	p = s->table[i].port;
	if (p == from || !p->room)
		return 1;
	return p->room(p->arg, len);
}

/**
 * sw_set_unknown() - decide about unicast frames for MACs no port has
 * (NULL @fn: flood them, as a switch does)
 * @s:		switch
 * @arg:	its argument
 */
void sw_set_unknown(struct sw *s, sw_unknown_fn fn, void *arg)
{
	s->unknown = fn;
	s->unknown_arg = arg;
}

/**
 * sw_set_tap() - see every frame the switch passes (NULL @fn: none)
 * @s:		switch
 * @arg:	its argument
 */
void sw_set_tap(struct sw *s, sw_tap_fn fn, void *arg)
{
	s->tap = fn;
	s->tap_arg = arg;
}

/**
 * sw_port_name() - name of a port, as given to sw_port_add()
 * @p:		port
 *
 * Return: its name
 */
const char *sw_port_name(const struct sw_port *p)
{
	return p->name;
}

/**
 * sw_owner() - the port @mac was learned on, NULL if unknown or aged out
 * @s:		switch
 * @mac:	the MAC
 * @now_ms:	monotonic ms
 *
 * Return: the port, or NULL
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

		if (sw_aged(e, now_ms))
			continue;
		fn(arg, e->mac, e->port->name, e->seen < 0);
	}
}

/**
 * sw_stats() - counters of a switch
 * @s:		switch
 *
 * Return: its counters
 */
const struct sw_stats *sw_stats(const struct sw *s)
{
	return &s->stats;
}
