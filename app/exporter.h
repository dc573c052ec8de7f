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
 * Template IDs, fixed so that collectors and the documentation can name
 * them. "IOC" templates carry the indicator elements under the c2wall
 * PEN; the plain flow templates are used for flow records of flows that
 * matched no indicator (export scope "all"). FLOW templates carry biflow
 * records, UNI templates uniflow records; only those of the configured
 * record mode are sent.
 */
enum c2w_exporter_tid {
	C2W_EXPORTER_TID_ALERT_V4 = 256,
	C2W_EXPORTER_TID_ALERT_V6 = 257,
	C2W_EXPORTER_TID_FLOW_IOC_V4 = 258,
	C2W_EXPORTER_TID_FLOW_IOC_V6 = 259,
	C2W_EXPORTER_TID_FLOW_V4 = 260,
	C2W_EXPORTER_TID_FLOW_V6 = 261,
	C2W_EXPORTER_TID_TYPE_INFO = 262,      /* options: RFC 5610 types */
	C2W_EXPORTER_TID_EXPORTER_STATS = 263, /* options: exporter counts */
	C2W_EXPORTER_TID_UNI_IOC_V4 = 264,
	C2W_EXPORTER_TID_UNI_IOC_V6 = 265,
	C2W_EXPORTER_TID_UNI_V4 = 266,
	C2W_EXPORTER_TID_UNI_V6 = 267,
};

/* Events taken from the ring per c2w_exporter_poll() call at most. */
#define C2W_EXPORTER_BURST 64

/* A message holding only flow records is sent at the latest this many
 * milliseconds after its first record; a message holding an alert is sent
 * as soon as the ring is empty. */
#define C2W_EXPORTER_FLUSH_MS 100

/* Exporter counters, read by the stats module. "Queued" records are in
 * messages handed to the transport; records_lost and messages_lost count
 * those of them that never reached the socket. */
struct c2w_exporter_stats {
	uint64_t events;          /* events taken from the ring */
	uint64_t alerts_sent;     /* alert records queued */
	uint64_t flows_sent;      /* flow records queued (uniflow: two for a
				   * flow with packets both ways) */
	uint64_t options_sent;    /* options records queued: RFC 5610 type
				   * records and exporter statistics */
	uint64_t records_failed;  /* records libfixbuf could not append */
	uint64_t events_invalid;  /* events with an unknown type or family */
	uint64_t messages;        /* messages written to the socket */
	uint64_t records_exported; /* data records in those, all kinds */
	uint64_t bytes_exported;  /* octets of those messages */
	uint64_t messages_lost;   /* messages dropped: buffer full, send
				   * failed or still queued at shutdown */
	uint64_t records_lost;    /* data records in dropped messages */
	uint64_t messages_resent; /* resend window messages written again */
	uint64_t send_errors;     /* failed sends (UDP) or writes (stream) */
	uint64_t connects;        /* TCP/TLS connections established */
	uint64_t connect_failures; /* failed connects and TLS handshakes */
	uint64_t disconnects;     /* established connections lost */
	uint64_t template_sends;  /* template messages sent: UDP refreshes,
				   * TCP/TLS connections */
	uint64_t withdrawals;     /* template withdrawals at shutdown */
};

/**
 * Create the exporter: create the transport (app/transport.h), build the
 * information model, the templates and the RFC 5610 type records. With an
 * empty cfg->ipfix_url it still drains the ring (counting events) but
 * sends nothing. No connection is made here; c2w_exporter_poll() does it.
 *
 * @param cfg
 *   Settings read: ipfix_url ("udp://", "tcp://" or "tls://" HOST:PORT,
 *   IPv6 in brackets), pen, observation_domain, template_refresh_s and
 *   template_refresh_msgs (UDP only, 0 disables either), export_mtu
 *   (largest IPFIX message in bytes, at least the size that
 *   c2w_exporter_min_mtu() returns), mode (inline records carry
 *   egressInterface and forwardingStatus 64 or 130), export_records,
 *   export_stats_s, and the transport settings buffer_bytes,
 *   resend_bytes, tls_ca, tls_cert, tls_key and tls_verify.
 * @param ring
 *   Event ring the workers fill, created with rte_ring_create_elem() for
 *   elements of sizeof(struct c2w_event); the exporter is its only
 *   consumer.
 * @param out
 *   Set to the new exporter on success.
 * @return
 *   0 on success; -EINVAL for an invalid URL, PEN 0, an export_mtu out
 *   of range or a buffer_bytes below it (the c2w.exporter log names the
 *   value); -EIO if the host cannot be resolved, the socket cannot be
 *   opened or a TLS file cannot be loaded; -ENOMEM if memory or a
 *   libfixbuf object cannot be allocated.
 */
int c2w_exporter_create(const struct c2w_config *cfg, struct rte_ring *ring,
			struct c2w_exporter **out);

/**
 * Drain up to C2W_EXPORTER_BURST events, encode them, queue full messages
 * on the transport, resend templates when a UDP refresh is due, queue the
 * statistics record when its interval has passed, and let the transport
 * connect and write. Call it in the main loop; it never blocks, and a
 * failed send or connection is counted and logged (rate-limited).
 *
 * @param ex
 *   Exporter.
 * @param now_ms
 *   Current wall-clock time in Unix milliseconds; it drives the template
 *   refresh, the statistics interval and the message flush timer.
 * @return
 *   Number of events taken from the ring.
 */
unsigned c2w_exporter_poll(struct c2w_exporter *ex, uint64_t now_ms);

/**
 * Drain the ring completely, queue the last partial message and a final
 * statistics record, and wait up to 3 s for the queue to be written; on
 * TCP and TLS then withdraw the templates (up to 1 s more). Called at
 * shutdown after the workers have stopped; it blocks while it waits.
 *
 * @param ex
 *   Exporter.
 * @return
 *   0 on success, -EIO if a record could not be encoded, a message was
 *   lost or messages are still queued when the wait ends.
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
 * Close the transport (TLS with close_notify) and free the exporter.
 * Messages not yet sent are lost, so call c2w_exporter_flush() first.
 *
 * @param ex
 *   Exporter, or NULL to do nothing.
 */
void c2w_exporter_destroy(struct c2w_exporter *ex);

#endif /* C2W_EXPORTER_H */
