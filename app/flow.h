/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_FLOW_H
#define C2W_FLOW_H

/*
 * Per-worker flow table: a cuckoo hash (rte_hash) from the
 * direction-normalised 5-tuple plus VLAN IDs to a flow entry kept in an
 * array indexed by the key's position in the hash. Only the owning
 * worker touches a table while it runs; main reads it after the workers
 * stopped.
 */

#include <stdint.h>

#include "parse.h"

struct rte_hash;

/* Both directions of a flow map to one key: the endpoint (address, port)
 * that compares lower is "lo". IPv4 addresses are stored IPv4-mapped
 * (::ffff:a.b.c.d), so the parser rejects IPv6 packets that carry such
 * addresses: they would share a key with an IPv4 flow. At 40 bytes a key takes 48 in
 * rte_hash's key store, 16 fewer than a 48-byte key. */
struct c2w_flow_key {
	uint8_t addr_lo[16];
	uint8_t addr_hi[16];
	uint16_t port_lo;
	uint16_t port_hi;
	uint32_t meta;          /* C2W_FLOW_KEY_META(): VLANs and protocol */
};

/* Outer VLAN ID in bits 31-20, inner VLAN ID in bits 19-8, IP protocol in
 * bits 7-0 of struct c2w_flow_key.meta. */
#define C2W_FLOW_KEY_META(outer, inner, proto) \
	(((uint32_t)(outer) & 0xfffu) << 20 | \
	 ((uint32_t)(inner) & 0xfffu) << 8 | (uint32_t)(proto))

static inline uint8_t
c2w_flow_key_proto(const struct c2w_flow_key *key)
{
	return (uint8_t)(key->meta & 0xffu);
}

static inline uint16_t
c2w_flow_key_vlan_outer(const struct c2w_flow_key *key)
{
	return (uint16_t)(key->meta >> 20);
}

static inline uint16_t
c2w_flow_key_vlan_inner(const struct c2w_flow_key *key)
{
	return (uint16_t)((key->meta >> 8) & 0xfffu);
}

/**
 * Copy a key address in the parser's layout: IPv4 in the first four
 * bytes and the rest zero, IPv6 whole.
 *
 * @param family
 *   4 or 6, from the flow's C2W_FLOW_F_IPV6 flag.
 * @param addr
 *   key->addr_lo or key->addr_hi.
 * @param out
 *   16 bytes.
 */
static inline void
c2w_flow_key_addr(uint8_t family, const uint8_t *addr, uint8_t *out)
{
	unsigned i;

	if (family == 6) {
		for (i = 0; i < 16; i++)
			out[i] = addr[i];
		return;
	}
	for (i = 0; i < 4; i++)
		out[i] = addr[12 + i];
	for (i = 4; i < 16; i++)
		out[i] = 0;
}

enum c2w_flow_state {
	C2W_FLOW_FREE = 0,
	C2W_FLOW_ACTIVE,
	C2W_FLOW_CLOSING,   /* RST, or FIN from both sides: expires soon */
};

enum c2w_verdict {
	C2W_VERDICT_NONE = 0,   /* no indicator matched */
	C2W_VERDICT_BLOCK,      /* matched, packets dropped */
	C2W_VERDICT_ALERT,      /* matched, forwarded and reported */
	C2W_VERDICT_ALLOW,      /* matched the allowlist */
};

/* Flow entry, one cache line. Index 0 of the per-direction arrays is
 * initiator -> responder. */
struct c2w_flow {
	uint64_t first_ms;
	uint64_t last_ms;
	uint64_t pkts[2];
	uint64_t bytes[2];
	int32_t ioc;            /* index in the IOC table's set, -1 none */
	uint32_t ioc_gen;       /* generation of the table ioc indexes */
	uint8_t ingress_port;
	uint8_t init_lo;        /* 1 if the initiator is the key's lo side */
	uint8_t verdict;        /* enum c2w_verdict */
	uint8_t side;           /* enum c2w_ipfix_side, initiator view */
	uint8_t tcp_flags[2];
	uint8_t state;          /* enum c2w_flow_state */
	uint8_t flags;          /* C2W_FLOW_F_* */
};

/* Flags in struct c2w_flow.flags. */
#define C2W_FLOW_F_MATCHED  0x01u /* matched an indicator at some point */
#define C2W_FLOW_F_FIN_INIT 0x02u /* FIN seen from the initiator */
#define C2W_FLOW_F_FIN_RESP 0x04u /* FIN seen from the responder */
#define C2W_FLOW_F_IPV6     0x08u /* IPv6 flow */

/** Return the address family of a flow: 4 or 6. */
static inline uint8_t
c2w_flow_family(const struct c2w_flow *f)
{
	return (f->flags & C2W_FLOW_F_IPV6) ? 6 : 4;
}

/**
 * Return the ICMP type and code of a flow, type in the high byte. The
 * key stores them as the destination port of the initiator's packets.
 */
static inline uint16_t
c2w_flow_icmp_type_code(const struct c2w_flow_key *key,
			const struct c2w_flow *f)
{
	return f->init_lo ? key->port_hi : key->port_lo;
}

struct c2w_flow_table {
	struct rte_hash *h;
	struct c2w_flow *flows;  /* indexed by hash key position */
	uint32_t n_slots;
	uint32_t sweep_pos;      /* next slot the expiry sweep looks at */
	uint32_t sweep_slots;    /* slots per sweep: a full pass within a
				  * quarter of the idle timeout */
	uint64_t sweep_ms;       /* worker clock of the last sweep */
	uint32_t count;          /* entries in use */
	uint32_t removals;       /* entries removed so far: slots found by
				  * an earlier lookup may be stale once it
				  * moved */
	uint32_t idle_ms;
	uint32_t active_ms;
};

/* Called for each flow the sweep ends; reason is enum c2w_end_reason.
 * The entry is removed after the call returns. */
typedef void (*c2w_flow_end_fn)(void *ctx, const struct c2w_flow_key *key,
				struct c2w_flow *flow, uint8_t reason);

/**
 * Create a flow table.
 *
 * @param name
 *   Unique hash name, e.g. "flows_w0".
 * @param entries
 *   A power of two. The table stores one entry fewer, and the cuckoo
 *   hash may reject inserts a little before that.
 * @param socket
 *   NUMA socket for the memory.
 * @param idle_ms
 *   Idle timeout in ms.
 * @param active_ms
 *   Active timeout in ms: a longer flow is reported and counted anew.
 * @param out
 *   Set to the new table.
 * @return
 *   0 on success, -ENOMEM or the rte_errno of rte_hash_create negated.
 */
int c2w_flow_table_create(const char *name, uint32_t entries, int socket,
			  uint32_t idle_ms, uint32_t active_ms,
			  struct c2w_flow_table **out);

/** Free a table; NULL is allowed. */
void c2w_flow_table_free(struct c2w_flow_table *ft);

/**
 * Build the normalised key of a parsed packet.
 *
 * @param pkt
 *   Parsed packet; ICMP uses 0 and the type/code as ports so that
 *   different ICMP messages are different flows.
 * @param key
 *   Filled, padding zeroed.
 * @return
 *   1 if the packet's source is the key's lo side, 0 if it is hi.
 */
int c2w_flow_key_make(const struct c2w_pkt *pkt, struct c2w_flow_key *key);

/**
 * Look up the flows of up to RTE_HASH_LOOKUP_BULK_MAX keys at once, so
 * that the cache misses of all of them overlap, and prefetch the entries
 * found. Nothing is inserted.
 *
 * @param ft
 *   Table.
 * @param keys
 *   Normalised keys.
 * @param n
 *   Number of keys, at most RTE_HASH_LOOKUP_BULK_MAX.
 * @param pos
 *   Set to each key's slot (flow entry ft->flows[pos[i]]) or to a
 *   negative value when the key is not in the table. A slot stays valid
 *   while ft->removals keeps its value.
 */
void c2w_flow_lookup_bulk(const struct c2w_flow_table *ft,
			  const struct c2w_flow_key **keys, unsigned n,
			  int32_t *pos);

/**
 * Find a flow, inserting a zeroed entry when it is new.
 *
 * @param ft
 *   Table.
 * @param key
 *   Normalised key.
 * @param flow
 *   Set to the entry.
 * @return
 *   1 if the entry is new, 0 if it existed, -ENOSPC if the table is
 *   full, -EINVAL on a bad argument.
 */
int c2w_flow_lookup_add(struct c2w_flow_table *ft,
			const struct c2w_flow_key *key,
			struct c2w_flow **flow);

/**
 * Remove the entry of a flow found with c2w_flow_lookup_add().
 *
 * @return
 *   0 on success, -ENOENT if it was not in the table.
 */
int c2w_flow_remove(struct c2w_flow_table *ft, const struct c2w_flow_key *key);

/**
 * Tell whether a flow has ended by its clock: closed and past the
 * linger time, idle, or past the active timeout.
 *
 * @param ft
 *   Table, for its timeouts.
 * @param f
 *   Flow entry in use.
 * @param now_ms
 *   Current time in the worker's clock.
 * @return
 *   C2W_END_DETECTED, C2W_END_IDLE or C2W_END_ACTIVE, or 0 if the flow
 *   goes on.
 */
int c2w_flow_end_reason(const struct c2w_flow_table *ft,
			const struct c2w_flow *f, uint64_t now_ms);

/**
 * Start a new active-timeout period: zero the counters and TCP flags and
 * keep the verdict, so the next packet counts from scratch.
 *
 * @param f
 *   Flow entry in use.
 */
void c2w_flow_restart(struct c2w_flow *f);

/**
 * Run the expiry sweep at most once per millisecond of the worker's
 * clock, over ft->sweep_slots slots.
 *
 * @return
 *   Number of flows ended or reported.
 */
unsigned c2w_flow_table_tick(struct c2w_flow_table *ft, uint64_t now_ms,
			     c2w_flow_end_fn end, void *ctx);

/**
 * End flows whose idle or active timeout passed, or that closed, looking
 * at no more than max_slots slots from where the last sweep stopped.
 * Flows past the active timeout are reported with reason ACTIVE and
 * start counting anew instead of leaving the table.
 *
 * @param ft
 *   Table.
 * @param now_ms
 *   Current time in the worker's clock.
 * @param max_slots
 *   Slots to look at in this call.
 * @param end
 *   Called for each flow that ends.
 * @param ctx
 *   Passed to end.
 * @return
 *   Number of flows ended or reported.
 */
unsigned c2w_flow_table_sweep(struct c2w_flow_table *ft, uint64_t now_ms,
			      uint32_t max_slots, c2w_flow_end_fn end,
			      void *ctx);

/**
 * End up to max flows: closed ones with reason DETECTED, the rest with
 * the given reason. Used at shutdown, called until it returns 0.
 *
 * @return
 *   Number of flows ended.
 */
unsigned c2w_flow_table_flush(struct c2w_flow_table *ft, uint8_t reason,
			      unsigned max, c2w_flow_end_fn end, void *ctx);

#endif /* C2W_FLOW_H */
