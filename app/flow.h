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
 * that compares lower is "lo". Padding is zeroed. The key is 48 bytes,
 * a size rte_hash compares with vector instructions; at 44 bytes it
 * fell back to memcmp, 11 % of a worker's time in a profile. */
struct c2w_flow_key {
	uint8_t addr_lo[16];
	uint8_t addr_hi[16];
	uint16_t port_lo;
	uint16_t port_hi;
	uint16_t vlan_outer;
	uint16_t vlan_inner;
	uint8_t proto;
	uint8_t family;
	uint8_t pad[6];
};

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

/* Index 0 of the per-direction arrays is initiator -> responder. */
struct c2w_flow {
	uint64_t first_ms;
	uint64_t last_ms;
	uint64_t pkts[2];
	uint64_t bytes[2];
	int32_t ioc;            /* index in the IOC table's set, -1 none */
	uint32_t ioc_gen;       /* generation of that table */
	uint16_t ingress_port;
	uint16_t icmp_type_code;
	uint8_t init_lo;        /* 1 if the initiator is the key's lo side */
	uint8_t verdict;        /* enum c2w_verdict */
	uint8_t side;           /* enum c2w_ipfix_side, initiator view */
	uint8_t tcp_flags[2];
	uint8_t fin;            /* bit 0: FIN from initiator, bit 1: reply */
	uint8_t state;          /* enum c2w_flow_state */
	uint8_t flags;          /* C2W_FLOW_F_* */
};

/* Flags in struct c2w_flow.flags. */
#define C2W_FLOW_F_MATCHED 0x01u /* matched an indicator at some point */

struct c2w_flow_table {
	struct rte_hash *h;
	struct c2w_flow *flows;  /* indexed by hash key position */
	uint32_t n_slots;
	uint32_t sweep_pos;      /* next slot the expiry sweep looks at */
	uint32_t sweep_slots;    /* slots per sweep: a full pass within a
				  * quarter of the idle timeout */
	uint64_t sweep_ms;       /* worker clock of the last sweep */
	uint32_t count;          /* entries in use */
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
 *   Capacity; the cuckoo hash may refuse inserts a little before it.
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
