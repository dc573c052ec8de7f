/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_IOC_H
#define C2W_IOC_H

/*
 * IOC lookup tables. A table is built on the control thread from an
 * indicator set and never changes afterwards, so any number of workers
 * may look it up without locks. A reload builds a new table and swaps
 * the pointer that workers read (struct c2w_runtime). Only the hit
 * counters change after the build; workers update them with relaxed
 * atomics.
 *
 * Exact ip:port and ip indicators sit in two cuckoo hashes (rte_hash),
 * address prefixes in rte_lpm (IPv4) and rte_lpm6 (IPv6). docs/tables.md
 * states the precedence rule and the memory each kind costs.
 */

#include <stdint.h>

#include <rte_common.h>

#include "feed.h"

struct rte_hash;
struct rte_lpm;
struct rte_lpm6;

/* Prefixes per table that the LPM next-hop fields can number: rte_lpm
 * in DPDK 22.11 stores a 24-bit next hop, rte_lpm6 a 21-bit one. The
 * next hop is an index into the table's prefix list, not into the set,
 * so the limit is on prefixes of one family, not on the set size. */
#define C2W_IOC_LPM4_MAX_PREFIXES (UINT32_C(1) << 24)
#define C2W_IOC_LPM6_MAX_PREFIXES (UINT32_C(1) << 21)

/* Maximum entries c2w_ioc_table_top() and /c2wall/ioc_top return. The
 * telemetry reply of DPDK 22.11 is at most 16 KiB (MAX_OUTPUT_LEN in
 * lib/telemetry/telemetry.c). By estimate, 64 entries with 48-byte
 * values and 40-byte names take about 11 KiB. */
#define C2W_IOC_TOP_MAX 64

/* Hash key of an indicator: address family, port (0 for the ip table)
 * and address. Padding is zeroed so keys compare as bytes. The CRC hash
 * reads keys in 8-byte words, so keys in an array stay 8-byte aligned. */
struct c2w_ioc_key {
	uint8_t family;
	uint8_t pad;
	uint16_t port;
	uint8_t addr[16];
	uint8_t pad_end[4];
} __rte_aligned(8);

/* Hit counter of one indicator. Both fields share a cache line, so a
 * match dirties one line. Workers write them with relaxed atomics. */
struct c2w_ioc_hit {
	uint64_t hits;             /* flows that matched the indicator */
	uint64_t last_ms;          /* Unix ms of the latest match, 0: none */
};

struct c2w_ioc_table {
	struct rte_hash *ip_port;  /* key -> index in set.v */
	struct rte_hash *ip;
	struct rte_lpm *lpm4;      /* NULL without IPv4 prefixes */
	struct rte_lpm6 *lpm6;     /* NULL without IPv6 prefixes */
	uint32_t *lpm4_index;      /* next hop -> index in set.v */
	uint32_t *lpm6_index;
	struct c2w_ioc_hit *hit;   /* set.n counters, indexed like set.v */
	struct c2w_ioc_set set;    /* owned: indicators and their text */
	uint32_t n_ip_port;
	uint32_t n_ip;             /* including /32 and /128 prefixes */
	uint32_t n_cidr4;          /* prefixes in lpm4 */
	uint32_t n_cidr6;          /* prefixes in lpm6 */
	uint32_t n_ignored;        /* action IGNORE: kept, never matched */
	uint32_t tbl8_4;           /* tbl8 groups given to lpm4 */
	uint32_t tbl8_6;           /* tbl8 groups given to lpm6 */
	uint32_t generation;       /* bumped on every build */
};

/* Result of a flow lookup. */
struct c2w_ioc_match {
	int32_t index;             /* in table->set.v, -1 if none */
	uint8_t side;              /* enum c2w_ipfix_side of the packet */
};

/* Endpoints of one flow for c2w_ioc_table_match_bulk(). */
struct c2w_ioc_query {
	const uint8_t *src;        /* 16 bytes, IPv4 in the first 4 */
	const uint8_t *dst;
	uint16_t sport;            /* host order */
	uint16_t dport;
	uint8_t family;            /* 4 or 6 */
	uint8_t with_ports;        /* 0: only ip and prefix indicators */
};

/* One row of c2w_ioc_table_top(). */
struct c2w_ioc_top {
	uint32_t index;            /* in table->set.v */
	uint64_t hits;
	uint64_t last_ms;          /* Unix ms of the latest match */
};

/**
 * Build a table from a set. The set's contents move into the table and
 * the set is left empty. ip:port and ip indicators go into the hashes,
 * CIDR indicators into the LPM tables; a /32 or /128 prefix is stored
 * as an exact ip. Indicators whose action is C2W_IOC_ACTION_IGNORE and
 * those of other kinds stay in the set but never match.
 *
 * @param set
 *   Indicators; emptied on success, untouched on failure.
 * @param name
 *   Prefix for the hash and LPM names, e.g. "iocs" or "allow". At most
 *   8 characters, because DPDK truncates the names of the rings inside
 *   rte_lpm6 and longer prefixes could then collide.
 * @param socket
 *   NUMA socket for the table memory, or SOCKET_ID_ANY.
 * @param out
 *   Set to the new table.
 * @return
 *   0 on success, -ENOMEM if a hash, an LPM table or the counters cannot
 *   be allocated, -ENOSPC if an indicator cannot be inserted, -E2BIG if
 *   a family has more prefixes than its LPM next hop can number
 *   (C2W_IOC_LPM4_MAX_PREFIXES, C2W_IOC_LPM6_MAX_PREFIXES; logged),
 *   -EINVAL if a prefix length is out of range.
 */
int c2w_ioc_table_build(struct c2w_ioc_set *set, const char *name,
			int socket, struct c2w_ioc_table **out);

/** Free a table and everything it owns; NULL is allowed. */
void c2w_ioc_table_free(struct c2w_ioc_table *t);

/**
 * Look up both endpoints of a flow. The most specific indicator wins:
 * ip:port, then exact ip, then the longest matching prefix; at the same
 * level the destination wins over the source. A port never matches on
 * its own. Called once per new flow; it neither allocates nor logs.
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
 *   other protocols): only ip and prefix indicators are checked.
 * @param m
 *   Filled with the match; m->index is -1 when nothing matched.
 * @return
 *   1 if an indicator matched, 0 if not.
 */
int c2w_ioc_table_match(const struct c2w_ioc_table *t, uint8_t family,
			const uint8_t *src, uint16_t sport, const uint8_t *dst,
			uint16_t dport, int with_ports,
			struct c2w_ioc_match *m);

/**
 * Look up the endpoints of several flows as c2w_ioc_table_match() does
 * for one, with the hash lookups of up to 32 flows in one bulk call so
 * that their cache misses overlap.
 *
 * @param t
 *   Table; NULL matches nothing.
 * @param q
 *   Flows, as the arguments of c2w_ioc_table_match().
 * @param n
 *   Number of flows, any count.
 * @param m
 *   n results; m[i].index is -1 when flow i matched nothing.
 */
void c2w_ioc_table_match_bulk(const struct c2w_ioc_table *t,
			      const struct c2w_ioc_query *q, unsigned n,
			      struct c2w_ioc_match *m);

/**
 * Count a match of an indicator: one relaxed atomic add and one relaxed
 * store. Workers call it once per matching flow, not per packet.
 *
 * @param t
 *   Table the index came from; NULL is ignored.
 * @param index
 *   m->index of a successful c2w_ioc_table_match() on t; out of range
 *   is ignored.
 * @param now_ms
 *   Time of the match, Unix ms (the worker's clock).
 */
static inline void
c2w_ioc_table_hit(struct c2w_ioc_table *t, int32_t index, uint64_t now_ms)
{
	struct c2w_ioc_hit *h;

	if (t == NULL || index < 0 || (size_t)index >= t->set.n)
		return;
	h = &t->hit[index];
	__atomic_fetch_add(&h->hits, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&h->last_ms, now_ms, __ATOMIC_RELAXED);
}

/**
 * List the indicators with the most hits, most first; equal counts are
 * ordered by the latest hit, then by index. Reads every counter, so it
 * takes time in proportion to the set size (0.15 to 0.4 s at 10 M
 * indicators on a shared 2-core machine). Call it from the control or
 * telemetry thread only.
 *
 * @param t
 *   Table; NULL lists nothing.
 * @param n
 *   Entries wanted, at most C2W_IOC_TOP_MAX.
 * @param out
 *   Array of at least n entries.
 * @return
 *   The number of entries filled (indicators with at least one hit, at
 *   most n), or -EINVAL if n exceeds C2W_IOC_TOP_MAX or out is NULL.
 */
int c2w_ioc_table_top(const struct c2w_ioc_table *t, unsigned n,
		      struct c2w_ioc_top out[]);

/**
 * Register the telemetry command /c2wall/ioc_top. Its parameter is the
 * number of entries (default 10, 1..C2W_IOC_TOP_MAX); it lists value,
 * hits, last hit time (Unix ms), threat type and malware of the top
 * indicators of the table *live points to at the time of the request.
 *
 * @param live
 *   Pointer to the published table pointer (struct c2w_runtime.iocs);
 *   must outlive the EAL. It is read with an acquire load.
 * @return
 *   0 on success, the negative errno of rte_telemetry_register_cmd, or
 *   -EINVAL if live is NULL.
 */
int c2w_ioc_telemetry_register(struct c2w_ioc_table **live);

#endif /* C2W_IOC_H */
