/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_IOC_H
#define C2W_IOC_H

/*
 * IOC lookup tables. A table is built on the control thread from an
 * indicator set and never changes afterwards, so any number of workers
 * may look it up without locks. A reload builds a new table and swaps
 * the pointer that workers read (struct c2w_ioc_ref).
 */

#include <stdint.h>

#include "feed.h"

struct rte_hash;

/* Hash key of an indicator: address family, port (0 for the ip table)
 * and address. Padding is zeroed so keys compare as bytes. */
struct c2w_ioc_key {
	uint8_t family;
	uint8_t pad;
	uint16_t port;
	uint8_t addr[16];
};

struct c2w_ioc_table {
	struct rte_hash *ip_port;  /* key -> index in set.v */
	struct rte_hash *ip;
	struct c2w_ioc_set set;    /* owned: indicators and their text */
	uint32_t n_ip_port;
	uint32_t n_ip;
	uint32_t generation;       /* bumped on every build */
};

/* Result of a flow lookup. */
struct c2w_ioc_match {
	int32_t index;             /* in table->set.v, -1 if none */
	uint8_t side;              /* enum c2w_ipfix_side of the packet */
};

/**
 * Build a table from a set. The set's contents move into the table and
 * the set is left empty. Indicators of kinds other than ip and ip:port
 * stay in the set but get no hash entry.
 *
 * @param set
 *   Indicators; emptied on success, untouched on failure.
 * @param name
 *   Prefix for the hash names, e.g. "ioc" or "allow".
 * @param socket
 *   NUMA socket for the hash memory, or SOCKET_ID_ANY.
 * @param out
 *   Set to the new table.
 * @return
 *   0 on success, -ENOMEM if a hash cannot be created, -ENOSPC if an
 *   indicator cannot be inserted.
 */
int c2w_ioc_table_build(struct c2w_ioc_set *set, const char *name,
			int socket, struct c2w_ioc_table **out);

/** Free a table and everything it owns; NULL is allowed. */
void c2w_ioc_table_free(struct c2w_ioc_table *t);

/**
 * Look up both endpoints of a flow. ip:port indicators are checked
 * before address-only ones, the destination before the source; a port
 * never matches on its own.
 *
 * @param t
 *   Table; NULL matches nothing.
 * @param family
 *   4 or 6.
 * @param src
 *   Source address, 16 bytes, IPv4 in the first 4.
 * @param sport
 *   Source port, host order.
 * @param dst
 *   Destination address.
 * @param dport
 *   Destination port.
 * @param with_ports
 *   0 when the packet has no transport ports (ICMP, later fragments,
 *   other protocols): only address indicators are checked.
 * @param m
 *   Filled with the match; m->index is -1 when nothing matched.
 * @return
 *   1 if an indicator matched, 0 if not.
 */
int c2w_ioc_table_match(const struct c2w_ioc_table *t, uint8_t family,
			const uint8_t *src, uint16_t sport, const uint8_t *dst,
			uint16_t dport, int with_ports,
			struct c2w_ioc_match *m);

#endif /* C2W_IOC_H */
