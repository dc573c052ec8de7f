/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_EXPORTER_H
#define C2W_EXPORTER_H

/*
 * IPFIX exporter. Workers enqueue struct c2w_event into a multi-producer
 * ring; the exporter runs on the main lcore, drains the ring and encodes
 * records with libfixbuf. Nothing here is called from a worker.
 */

#include <stdint.h>

#include "config.h"

struct rte_ring;
struct c2w_exporter;

/* Exporter counters, read by the stats module. */
struct c2w_exporter_stats {
	uint64_t events;          /* events taken from the ring */
	uint64_t alerts_sent;     /* alert records handed to the transport */
	uint64_t flows_sent;      /* flow records handed to the transport */
	uint64_t records_failed;  /* records libfixbuf could not append */
	uint64_t messages;        /* IPFIX messages emitted */
	uint64_t send_errors;     /* messages the transport rejected */
	uint64_t template_sends;  /* template sets (re)sent */
};

/**
 * Create the exporter. With an empty cfg->ipfix_url it still drains the
 * ring (counting events) but sends nothing.
 *
 * @param cfg
 *   ipfix_url ("udp://host:port", IPv4 or [IPv6]), pen,
 *   observation_domain, template_refresh_s, export_mtu.
 * @param ring
 *   Event ring the workers fill; the exporter is its only consumer.
 * @param out
 *   Set to the new exporter.
 * @return
 *   0 on success, -EINVAL for an invalid URL (a message naming it goes to
 *   stderr), -EIO if the socket cannot be opened, -ENOMEM.
 */
int c2w_exporter_create(const struct c2w_config *cfg, struct rte_ring *ring,
			struct c2w_exporter **out);

/**
 * Drain up to a burst of events, encode them, emit full messages and
 * resend templates when the refresh interval has passed. Call it in the
 * main loop; it never blocks.
 *
 * @param ex
 *   Exporter.
 * @param now_ms
 *   Current wall-clock time in Unix milliseconds.
 * @return
 *   Number of events taken from the ring.
 */
unsigned c2w_exporter_poll(struct c2w_exporter *ex, uint64_t now_ms);

/**
 * Drain the ring completely and emit the last partial message. Called at
 * shutdown after the workers have stopped.
 *
 * @return
 *   0 on success, -EIO if the last message could not be sent.
 */
int c2w_exporter_flush(struct c2w_exporter *ex);

/** Copy the exporter's counters. */
void c2w_exporter_get_stats(const struct c2w_exporter *ex,
			    struct c2w_exporter_stats *st);

/** Close the transport and free the exporter; NULL is allowed. */
void c2w_exporter_destroy(struct c2w_exporter *ex);

#endif /* C2W_EXPORTER_H */
