/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_WORKER_H
#define C2W_WORKER_H

/*
 * Worker lcores: each polls its RX queue on every port in bursts,
 * parses, tracks flows, applies the policy, forwards or drops, and
 * pushes alert and flow-end events into the event ring. A worker never
 * blocks, allocates, locks or logs per packet.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "config.h"
#include "flow.h"
#include "ioc.h"
#include "parse.h"

#define C2W_BURST_MAX 64
#define C2W_NO_PORT UINT16_MAX

struct rte_ring;
struct rte_mbuf;
struct rte_rcu_qsbr;

/* Counters of one worker. Only that worker writes them; the stats code
 * on main reads them without locks, so a value may be one burst old. */
struct c2w_worker_stats {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_failed;          /* TX queue full: freed */
	uint64_t non_ip;             /* forwarded untouched inline */
	uint64_t malformed[C2W_PARSE_RESULT_MAX];
	uint64_t malformed_drops;
	uint64_t flows_created;
	uint64_t flows_expired;
	uint64_t flows_table_full;   /* inserts refused, packet untracked */
	uint64_t table_full_drops;   /* untracked packets dropped */
	uint64_t ioc_hits;           /* flows (or untracked packets) matched */
	uint64_t allow_hits;         /* flows the allowlist released */
	uint64_t policy_drops;       /* packets of blocked flows */
	uint64_t alerts_sent;        /* alert events queued */
	uint64_t alerts_failed;      /* event ring full */
	uint64_t flow_records_sent;
	uint64_t flow_records_failed;
	uint64_t segmented;          /* chained mbufs copied for parsing */
	uint64_t last_rx_tsc;        /* TSC of the last non-empty burst */
} __rte_cache_aligned;

/* Shared, read-only for workers: a reload swaps the table pointers with
 * release stores, bumps gen and frees the old tables only after every
 * worker has passed a quiescent state. */
struct c2w_runtime {
	const struct c2w_config *cfg;
	struct c2w_ioc_table *iocs;
	struct c2w_ioc_table *allow;
	struct rte_ring *events;
	int ts_dynfield;             /* RX timestamp field offset, -1 none */
	uint64_t ts_dynflag;
	uint64_t tsc_hz;
	uint64_t wall_base_ms;       /* Unix ms at tsc_base */
	uint64_t tsc_base;
	uint16_t egress_of[C2W_MAX_PORTS]; /* pair port, C2W_NO_PORT in tap */
	struct rte_rcu_qsbr *qsv;    /* workers report quiescent states */
	volatile bool quit;
};

/* One RX queue a worker polls and the port its packets leave on. */
struct c2w_worker_rxq {
	uint16_t port;
	uint16_t queue;
	uint16_t tx_port;            /* C2W_NO_PORT in tap mode */
};

/* One received packet between the two passes over a burst. */
struct c2w_worker_pkt {
	struct c2w_pkt pkt;
	struct c2w_flow_key key;
	uint64_t ms;                 /* its time: capture or wall clock */
	int32_t pos;                 /* flow slot from the bulk lookup */
	struct c2w_ioc_match ioc;    /* indicator, if ioc_ready */
	uint8_t res;                 /* enum c2w_parse_result */
	uint8_t src_is_lo;
	uint8_t ioc_ready;           /* ioc looked up with the burst */
};

struct c2w_worker {
	struct c2w_worker_stats stats;
	unsigned id;
	unsigned lcore;
	uint16_t n_rxq;
	struct c2w_worker_rxq rxq[C2W_MAX_PORTS];
	struct c2w_flow_table *flows;
	struct c2w_runtime *rt;
	uint64_t now_ms;             /* worker clock, never goes back */
	uint32_t gen;                /* generation of iocs, 0 if none */
	struct c2w_ioc_table *iocs;  /* rt->iocs as read at this burst */
	uint64_t full_sweep_ms;      /* last sweep forced by a full table */
	uint8_t *scratch;            /* C2W_PARSE_LEN_MAX bytes: a chained
				      * mbuf is copied here to be parsed */
	struct c2w_worker_pkt burst[C2W_BURST_MAX];
	/* Packets waiting for TX, per output port. */
	uint16_t tx_count[C2W_MAX_PORTS];
	struct rte_mbuf *tx_buf[C2W_MAX_PORTS][C2W_BURST_MAX];
} __rte_cache_aligned;

/**
 * Worker main loop, for rte_eal_remote_launch(); runs until rt->quit.
 *
 * @param arg
 *   The struct c2w_worker of this lcore.
 * @return
 *   0.
 */
int c2w_worker_main(void *arg);

/**
 * End flows of a stopped worker and queue their records, at most max per
 * call so that main can drain the event ring in between. Called on main
 * after the worker returned.
 *
 * @param w
 *   Worker.
 * @param reason
 *   enum c2w_end_reason for flows that did not close on their own.
 * @param max
 *   Flows to end in this call.
 * @return
 *   Number of flows ended; 0 once the table is empty.
 */
unsigned c2w_worker_flush_flows(struct c2w_worker *w, uint8_t reason,
				unsigned max);

/** Current Unix time in ms from the TSC, as workers compute it. */
uint64_t c2w_runtime_wall_ms(const struct c2w_runtime *rt);

#endif /* C2W_WORKER_H */
