/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_TRANSPORT_H
#define C2W_TRANSPORT_H

/*
 * IPFIX transport: carries finished IPFIX messages to one collector over
 * UDP, TCP or TLS (OpenSSL), with a bounded send buffer and, on TCP and
 * TLS, a resend window. Nothing here blocks: connect and TLS handshake are
 * non-blocking and driven by c2w_transport_poll(). One thread (the main
 * lcore) owns a transport; no function is thread-safe.
 *
 * Messages leave in the order they were queued. On TCP and TLS each new
 * connection first carries the preamble (the templates), then the resend
 * window (messages the kernel took on an earlier connection, resent with
 * their bytes unchanged), then the messages still queued.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct c2w_transport;

enum c2w_transport_proto {
	C2W_TRANSPORT_UDP = 0,
	C2W_TRANSPORT_TCP,
	C2W_TRANSPORT_TLS,
};

/* First and largest delay between connection attempts, milliseconds. */
#define C2W_TRANSPORT_BACKOFF_MIN_MS 500
#define C2W_TRANSPORT_BACKOFF_MAX_MS 30000

/* A TCP connect or TLS handshake that takes longer fails. */
#define C2W_TRANSPORT_CONNECT_TIMEOUT_MS 10000

/* Transport counters; messages and records count IPFIX messages and the
 * data records in them as the exporter queued them. */
struct c2w_transport_stats {
	uint64_t messages_sent;    /* written completely, first time */
	uint64_t records_sent;     /* data records in those messages */
	uint64_t bytes_sent;       /* octets of those messages */
	uint64_t messages_resent;  /* resend window messages written again */
	uint64_t messages_lost;    /* dropped: buffer full or send failed */
	uint64_t records_lost;     /* data records in dropped messages */
	uint64_t send_errors;      /* failed sends, a UDP send or a stream */
	uint64_t connects;         /* connections established (TLS: after
				    * the handshake) */
	uint64_t connect_failures; /* failed connects and handshakes */
	uint64_t disconnects;      /* established connections lost */
	uint64_t preamble_sends;   /* preambles written on a connection */
	uint64_t buffered_bytes;   /* octets queued and not yet written */
	uint64_t window_bytes;     /* octets kept for resending */
};

/**
 * Split an exporter URL into its parts.
 *
 * @param url
 *   "udp://HOST:PORT", "tcp://HOST:PORT" or "tls://HOST:PORT"; an IPv6
 *   address is written in brackets, "tcp://[2001:db8::5]:4739".
 * @param proto
 *   Set to the transport of the scheme.
 * @param host
 *   Receives the host without brackets, NUL-terminated.
 * @param host_size
 *   Size of host in bytes.
 * @param port
 *   Receives the port as decimal text.
 * @param port_size
 *   Size of port in bytes, at least 6.
 * @param reason
 *   Set to a static text saying what is wrong on failure.
 * @return
 *   0 on success, -EINVAL if the URL is invalid.
 */
int c2w_transport_parse_url(const char *url, enum c2w_transport_proto *proto,
			    char *host, size_t host_size, char *port,
			    size_t port_size, const char **reason);

/**
 * Create a transport: parse the URL, resolve the host once, and for TLS
 * load the CA, certificate and key. Nothing is sent and no connection is
 * made until c2w_transport_poll().
 *
 * @param cfg
 *   Settings read: ipfix_url, buffer_bytes, resend_bytes, tls_ca,
 *   tls_cert, tls_key, tls_verify.
 * @param out
 *   Set to the new transport on success.
 * @return
 *   0 on success; -EINVAL for an invalid URL or TLS setting; -EIO if the
 *   host cannot be resolved, a socket cannot be opened or a TLS file
 *   cannot be loaded (the c2w.transport log says which); -ENOMEM.
 */
int c2w_transport_create(const struct c2w_config *cfg,
			 struct c2w_transport **out);

/**
 * Report the transport protocol.
 *
 * @param t
 *   Transport.
 * @return
 *   The protocol of the URL the transport was created with.
 */
enum c2w_transport_proto c2w_transport_proto(const struct c2w_transport *t);

/**
 * Set the bytes written at the start of every TCP or TLS connection,
 * before anything queued: one or more complete IPFIX messages. Their
 * export time is set to the current time on each write; the rest of the
 * bytes, the sequence number included, is sent as given. UDP ignores it.
 *
 * @param t
 *   Transport.
 * @param msgs
 *   Messages, copied.
 * @param len
 *   Length of msgs in bytes.
 * @return
 *   0 on success, -ENOMEM.
 */
int c2w_transport_set_preamble(struct c2w_transport *t, const uint8_t *msgs,
			       size_t len);

/**
 * Queue one IPFIX message for sending. When the queued bytes would exceed
 * the buffer size, the oldest queued messages that are not being written
 * are dropped and counted in messages_lost and records_lost.
 *
 * @param t
 *   Transport.
 * @param msg
 *   The message, copied.
 * @param len
 *   Its length in bytes, as in its header.
 * @param records
 *   Number of data records in it, for the loss counters.
 * @return
 *   0 if queued (older messages may have been dropped); -ENOBUFS if the
 *   message alone is larger than the buffer and was dropped; -ENOMEM if
 *   no memory was left for the copy (the message is counted as lost).
 */
int c2w_transport_enqueue(struct c2w_transport *t, const uint8_t *msg,
			  size_t len, uint32_t records);

/**
 * Drive the transport without blocking: start a connection when the
 * backoff has passed, continue a pending connect or TLS handshake, detect
 * a closed connection, and write as much of the queue as the socket takes.
 *
 * @param t
 *   Transport.
 * @param now_ms
 *   Current time in milliseconds of a monotonic or wall clock; only
 *   differences are used.
 */
void c2w_transport_poll(struct c2w_transport *t, uint64_t now_ms);

/**
 * Report whether messages wait: queued, or in the resend window and due
 * for resending on the current connection.
 *
 * @param t
 *   Transport.
 * @return
 *   true if something is still to be written, false otherwise.
 */
bool c2w_transport_busy(const struct c2w_transport *t);

/**
 * Report whether the transport can write now: always for UDP, for TCP
 * and TLS when a connection is established.
 *
 * @param t
 *   Transport.
 * @return
 *   true if connected (or UDP), false otherwise.
 */
bool c2w_transport_is_up(const struct c2w_transport *t);

/**
 * Poll until the queue is written or the time is up, sleeping 1 ms
 * between polls. For shutdown only: it blocks the caller.
 *
 * @param t
 *   Transport.
 * @param timeout_ms
 *   Longest time to wait, milliseconds.
 * @return
 *   0 if nothing is left to write, -ETIMEDOUT otherwise.
 */
int c2w_transport_drain(struct c2w_transport *t, uint64_t timeout_ms);

/**
 * Drop every queued message, counting each in messages_lost and its
 * records in records_lost. For shutdown, after c2w_transport_drain()
 * timed out, so the counters are final before the caller reads them.
 *
 * @param t
 *   Transport.
 */
void c2w_transport_drop_queued(struct c2w_transport *t);

/**
 * Copy the transport counters.
 *
 * @param t
 *   Transport.
 * @param st
 *   Filled with the counters since c2w_transport_create().
 */
void c2w_transport_get_stats(const struct c2w_transport *t,
			     struct c2w_transport_stats *st);

/**
 * Close the connection and free the transport. An established TCP or TLS
 * connection ends with close_notify (TLS) and FIN, then waits up to 1 s
 * for the collector to close its side, so no reset discards the last
 * messages. Messages still queued are counted as lost.
 *
 * @param t
 *   Transport, or NULL to do nothing.
 */
void c2w_transport_destroy(struct c2w_transport *t);

#endif /* C2W_TRANSPORT_H */
