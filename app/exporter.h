/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_EXPORTER_H
#define C2W_EXPORTER_H

/*
 * IPFIX exporter. Workers enqueue struct c2w_event into a multi-producer
 * ring; the exporter runs on the main lcore, drains the ring and encodes
 * records with libfixbuf. Nothing here is called from a worker, and no
 * function is thread-safe: one lcore owns an exporter.
 */

#include <stdint.h>

#include "config.h"

struct rte_ring;
struct c2w_exporter;

/*
 * Template IDs of the data records, fixed so that collectors and the
 * documentation can name them. "IOC" templates carry the indicator
 * elements under the c2wall PEN; the plain flow templates are used for
 * flow records of flows that matched no indicator (export scope "all").
 */
enum c2w_exporter_tid {
	C2W_EXPORTER_TID_ALERT_V4 = 256,
	C2W_EXPORTER_TID_ALERT_V6 = 257,
	C2W_EXPORTER_TID_FLOW_IOC_V4 = 258,
	C2W_EXPORTER_TID_FLOW_IOC_V6 = 259,
	C2W_EXPORTER_TID_FLOW_V4 = 260,
	C2W_EXPORTER_TID_FLOW_V6 = 261,
};

/* Events taken from the ring per c2w_exporter_poll() call at most. */
#define C2W_EXPORTER_BURST 64

/* A message holding only flow records is sent at the latest this many
 * milliseconds after its first record; a message holding an alert is sent
 * as soon as the ring is empty. */
#define C2W_EXPORTER_FLUSH_MS 100

/* Exporter counters, read by the stats module. */
struct c2w_exporter_stats {
	uint64_t events;          /* events taken from the ring */
	uint64_t alerts_sent;     /* alert records in messages sent */
	uint64_t flows_sent;      /* flow records in messages sent */
	uint64_t records_failed;  /* records libfixbuf could not append */
	uint64_t records_unsent;  /* records in messages the send rejected */
	uint64_t events_invalid;  /* events with an unknown type or family */
	uint64_t messages;        /* IPFIX messages sent */
	uint64_t send_errors;     /* messages the transport rejected */
	uint64_t template_sends;  /* template sets (re)sent */
};

/**
 * Create the exporter: parse the URL, open the socket, build the
 * information model and the templates. With an empty cfg->ipfix_url it
 * still drains the ring (counting events) but sends nothing.
 *
 * @param cfg
 *   Settings read: ipfix_url ("udp://HOST:PORT" or "udp://[IPv6]:PORT"),
 *   pen, observation_domain, template_refresh_s (0: templates go only in
 *   the first message), export_mtu (largest IPFIX message in bytes, at
 *   least the size that c2w_exporter_min_mtu() returns), mode (inline
 *   records carry egressInterface and forwardingStatus 64 or 130).
 * @param ring
 *   Event ring the workers fill, created with rte_ring_create_elem() for
 *   elements of sizeof(struct c2w_event); the exporter is its only
 *   consumer.
 * @param out
 *   Set to the new exporter on success.
 * @return
 *   0 on success; -EINVAL for an invalid URL, PEN 0 or an export_mtu out
 *   of range (the c2w.exporter log names the value); -EIO if the host
 *   cannot be resolved or the socket cannot be opened; -ENOMEM if memory
 *   or a libfixbuf object cannot be allocated.
 */
int c2w_exporter_create(const struct c2w_config *cfg, struct rte_ring *ring,
			struct c2w_exporter **out);

/**
 * Drain up to C2W_EXPORTER_BURST events, encode them, send full messages
 * and resend templates when the refresh interval has passed. Call it in
 * the main loop; it never blocks, and a failed send only bumps
 * send_errors.
 *
 * @param ex
 *   Exporter.
 * @param now_ms
 *   Current wall-clock time in Unix milliseconds; it drives the template
 *   refresh and the message flush timer.
 * @return
 *   Number of events taken from the ring.
 */
unsigned c2w_exporter_poll(struct c2w_exporter *ex, uint64_t now_ms);

/**
 * Drain the ring completely and send the last partial message. Called at
 * shutdown after the workers have stopped.
 *
 * @param ex
 *   Exporter.
 * @return
 *   0 on success, -EIO if a message could not be sent or a record could
 *   not be encoded during the flush.
 */
int c2w_exporter_flush(struct c2w_exporter *ex);

/**
 * Copy the exporter's counters.
 *
 * @param ex
 *   Exporter.
 * @param st
 *   Filled with the counters since c2w_exporter_create().
 */
void c2w_exporter_get_stats(const struct c2w_exporter *ex,
			    struct c2w_exporter_stats *st);

/**
 * Compute the smallest export_mtu with which every record and every
 * template fits in one IPFIX message.
 *
 * @param cfg
 *   Settings read: mode (inline adds egressInterface).
 * @return
 *   Size in bytes of the largest message that one record or one template
 *   needs, header included.
 */
unsigned c2w_exporter_min_mtu(const struct c2w_config *cfg);

/**
 * Close the transport and free the exporter. Messages not yet sent are
 * lost, so call c2w_exporter_flush() first.
 *
 * @param ex
 *   Exporter, or NULL to do nothing.
 */
void c2w_exporter_destroy(struct c2w_exporter *ex);

#endif /* C2W_EXPORTER_H */
