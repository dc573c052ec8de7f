/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_PORT_H
#define C2W_PORT_H

/* Ethernet port setup: queues, RSS, RX timestamps, start and stop. */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct rte_mempool;

/**
 * Configure and start one port with one RX and one TX queue per worker.
 * With more than one queue, RSS uses a symmetric key so that both
 * directions of a flow reach the same worker.
 *
 * @param port
 *   DPDK port id.
 * @param cfg
 *   Descriptor counts, promiscuous mode and clock setting.
 * @param n_queues
 *   Queues to create in each direction (the worker count).
 * @param pool
 *   Packet pool for the RX queues.
 * @param want_ts
 *   Request RX timestamps when the port offers them.
 * @param has_ts
 *   Set to true when RX timestamps were enabled.
 * @return
 *   0 on success, or the negative errno of the failing ethdev call
 *   (a message naming the port and the call is logged).
 */
int c2w_port_start(uint16_t port, const struct c2w_config *cfg,
		   uint16_t n_queues, struct rte_mempool *pool, bool want_ts,
		   bool *has_ts);

/**
 * Stop and close a port. net_pcap writes out its TX capture on close.
 *
 * @param port
 *   DPDK port id.
 */
void c2w_port_stop(uint16_t port);

#endif /* C2W_PORT_H */
