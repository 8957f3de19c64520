/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * switch.h - a learning Ethernet switch: one per network; its ports are
 * the VMs, the gateway (libslirp) and the services host (lwIP).
 */
#ifndef USERNETD_SWITCH_H
#define USERNETD_SWITCH_H

#include <stddef.h>
#include <stdint.h>

struct sw;
struct sw_port;

/*
 * Sees every frame the switch passes, once, before it is delivered: @to is
 * the one port it goes to, or NULL when it is flooded (packet capture).
 */
typedef void (*sw_tap_fn)(void *arg, const struct sw_port *from,
			  const struct sw_port *to, const uint8_t *frame,
			  size_t len);

/**
 * sw_deliver_fn - deliver a frame to a port
 * @arg:	the port's argument (sw_port_add())
 * @from:	the id of the port it came in on (sw_port_add())
 * @frame:	the frame, valid only during the call
 * @len:	its length
 */
typedef void (*sw_deliver_fn)(void *arg, uint32_t from, const uint8_t *frame,
			      size_t len);

/**
 * sw_room_fn - would a port take a frame of @len bytes now (sw_room())?
 * @arg:	the port's argument (sw_port_add())
 * @len:	the frame's length
 *
 * Return: 1 if so (or if it would drop it whatever the wait), 0 if the
 * sender should keep the frame and offer it again later
 */
typedef int (*sw_room_fn)(void *arg, size_t len);

/*
 * Asked about a unicast frame whose destination no port has: return 1 to
 * drop it, 0 to flood it.
 */
typedef int (*sw_unknown_fn)(void *arg, const struct sw_port *from,
			     const uint8_t *frame, size_t len);

/* A MAC learned on a port (sw_port_macs()). */
typedef void (*sw_mac_fn)(void *arg, const uint8_t mac[6]);

/**
 * struct sw_stats - switch counters
 * @frames:		frames switched
 * @flooded:		frames sent to every other port
 * @drop_runt:		shorter than an Ethernet header
 * @drop_bad_src:	multicast or zero source MAC
 * @drop_spoof:		source MAC learned on another port
 * @drop_table_full:	new source MAC, and the table is full of live
 *			entries of other ports
 */
struct sw_stats {
	uint64_t frames;
	uint64_t flooded;
	uint64_t drop_runt;
	uint64_t drop_bad_src;
	uint64_t drop_spoof;
	uint64_t drop_table_full;
};

struct sw *sw_new(void);
void sw_free(struct sw *s);
struct sw_port *sw_port_add(struct sw *s, const char *name, uint32_t id,
			    sw_deliver_fn deliver, void *arg);
void sw_port_del(struct sw *s, struct sw_port *p);
void sw_port_keep_macs(struct sw_port *p);
void sw_port_set_room(struct sw_port *p, sw_room_fn room);
int sw_room(struct sw *s, const struct sw_port *from, const uint8_t *frame,
	    size_t len, int64_t now_ms);
void sw_learn_static(struct sw *s, struct sw_port *p, const uint8_t mac[6]);
void sw_input(struct sw *s, struct sw_port *from, const uint8_t *frame,
	      size_t len, int64_t now_ms);
const struct sw_stats *sw_stats(const struct sw *s);
void sw_set_tap(struct sw *s, sw_tap_fn fn, void *arg);
void sw_set_unknown(struct sw *s, sw_unknown_fn fn, void *arg);
void sw_port_macs(struct sw *s, const struct sw_port *p, sw_mac_fn fn,
		  void *arg);
const char *sw_port_name(const struct sw_port *p);
struct sw_port *sw_owner(struct sw *s, const uint8_t mac[6], int64_t now_ms);

/**
 * sw_entry_fn - callback of sw_foreach()
 * @arg:	its argument
 * @mac:	a MAC address in the table
 * @port:	name of the port it was learned on
 * @is_static:	bound for good (gateway, services host)
 */
typedef void (*sw_entry_fn)(void *arg, const uint8_t mac[6], const char *port,
			    int is_static);
void sw_foreach(struct sw *s, int64_t now_ms, sw_entry_fn fn, void *arg);

#endif /* USERNETD_SWITCH_H */
