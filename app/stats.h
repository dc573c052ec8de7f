/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_STATS_H
#define C2W_STATS_H

/*
 * Counters: per port (rte_eth_stats), per worker and of the exporter,
 * printed on an interval and at exit, and served through DPDK
 * telemetry. Runs on main and the telemetry thread; workers only write
 * their own counters.
 */

#include <stdint.h>
#include <stdio.h>

#include "exporter.h"
#include "worker.h"

struct c2w_stats_ctx {
	struct c2w_worker **workers;
	unsigned n_workers;
	const uint16_t *ports;
	unsigned n_ports;
	struct c2w_exporter *exporter;
};

/** Sum the counters of every worker into total. */
void c2w_stats_sum(const struct c2w_stats_ctx *ctx,
		   struct c2w_worker_stats *total);

/**
 * Print one progress line: packets, rates since the last call, flows,
 * hits, drops and events.
 *
 * @param ctx
 *   What to read.
 * @param out
 *   Stream.
 * @param elapsed_ms
 *   Time since the previous call, for rates; 0 prints no rate.
 */
void c2w_stats_print_line(const struct c2w_stats_ctx *ctx, FILE *out,
			  uint64_t elapsed_ms);

/** Print the full summary: ports, workers, malformed reasons, exporter. */
void c2w_stats_print_summary(const struct c2w_stats_ctx *ctx, FILE *out);

/**
 * Register the telemetry commands /c2wall/workers and /c2wall/exporter;
 * port counters are DPDK's own /ethdev/stats. ctx must outlive the EAL.
 *
 * @return
 *   0 on success, the negative errno of rte_telemetry_register_cmd.
 */
int c2w_stats_telemetry_register(const struct c2w_stats_ctx *ctx);

#endif /* C2W_STATS_H */
