/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_SENDER_H
#define C2W_SENDER_H

/*
 * Syslog transport of the collector. Over TCP each message is framed
 * with RFC 6587 octet counting ("LEN SP MSG"); over UDP it is one
 * datagram. A lost TCP connection is retried with exponential backoff
 * from C2W_SENDER_BACKOFF_MIN_MS to C2W_SENDER_BACKOFF_MAX_MS.
 *
 * With a spool directory (TCP only) every message goes through the spool
 * (spool.h) and is sent from there by non-blocking sends driven by the
 * collector's poll loop, so a down or slow syslog server does not block
 * the inputs. Only the lookup of a host name blocks, so give an address.
 * The sender follows how many octets the server's TCP stack acknowledged
 * (TCP_INFO). When the connection breaks, messages that were sent but
 * not acknowledged are sent again after the reconnect.
 * Without a spool, messages are sent at once with a blocking send of at
 * most C2W_SENDER_SEND_TIMEOUT_S seconds and dropped while syslog is
 * down. Called from the collector's main thread only.
 */

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define C2W_SENDER_BACKOFF_MIN_MS 200u
#define C2W_SENDER_BACKOFF_MAX_MS 5000u
#define C2W_SENDER_SEND_TIMEOUT_S 2
/* A TCP connect not finished after this time is abandoned and retried. */
#define C2W_SENDER_CONNECT_TIMEOUT_MS 5000u
/* Room for the origin written in front of a spooled message. */
#define C2W_SENDER_ORIGIN_MAX 320

struct c2w_sender_config {
	const char *url;         /* "tcp://HOST:PORT" or "udp://HOST:PORT" */
	const char *spool_dir;   /* NULL: no spool */
	uint64_t spool_max;      /* bytes */
};

struct c2w_sender_stats {
	uint64_t sent;           /* messages handed to the socket */
	uint64_t spooled;        /* messages appended to the spool */
	uint64_t replayed;       /* sent from the spool after a (re)connect */
	uint64_t resent;         /* sent again: not acknowledged before a
				  * connection broke */
	uint64_t dropped_full;   /* dropped: spool at its size limit */
	uint64_t dropped_down;   /* dropped: no spool and syslog down */
	uint64_t dropped_torn;   /* cut spool lines removed at start */
	uint64_t connects;       /* TCP connections made */
	uint64_t errors;         /* failed connects, sends, spool writes */
	uint64_t pending_bytes;  /* spool octets not yet sent */
};

/* Origin of a record: the dedup key and its sequence number. The spool
 * keeps it with each line, so the dedup state can be rebuilt from the
 * spool after a crash. */
struct c2w_sender_origin {
	const char *identity;
	uint32_t domain;
	uint32_t sequence;
	uint32_t export_time;    /* of the record's message, Unix seconds */
};

/**
 * Callback of c2w_sender_scan() for each spooled record with an origin.
 *
 * @param ctx
 *   Caller context.
 * @param origin
 *   Origin of the record; identity is valid during the call only.
 */
typedef void (*c2w_sender_origin_fn)(void *ctx,
				     const struct c2w_sender_origin *origin);

struct c2w_sender;

/**
 * Open the sender and its spool; the first connect happens in the poll
 * loop (spool) or at the first message (no spool).
 *
 * @param cfg
 *   Syslog URL and spool; the strings must outlive the sender.
 * @param sender
 *   Set to the new sender.
 * @return
 *   0 on success, -EINVAL for an invalid URL or a spool with UDP,
 *   -errno from c2w_spool_open(), -ENOMEM.
 */
int c2w_sender_open(const struct c2w_sender_config *cfg,
		    struct c2w_sender **sender);

/**
 * Queue or send one syslog message.
 *
 * @param sender
 *   Sender.
 * @param msg
 *   Message (header and CEF line) without framing or line break.
 * @param len
 *   Length of msg.
 * @param origin
 *   Origin kept with the spooled message, or NULL.
 * @return
 *   0 if the message was queued or sent, -ENOSPC if the full spool
 *   dropped it, -EIO if it was dropped for a failed send or a lack of
 *   memory.
 */
int c2w_sender_submit(struct c2w_sender *sender, const char *msg,
		      size_t len, const struct c2w_sender_origin *origin);

/**
 * Report the origin of every record in the spool, oldest first.
 *
 * @param sender
 *   Sender.
 * @param fn
 *   Called for each record that has an origin.
 * @param ctx
 *   Passed to fn.
 */
void c2w_sender_scan(struct c2w_sender *sender, c2w_sender_origin_fn fn,
		     void *ctx);

/**
 * Write the queued messages to the spool and make them durable
 * (fdatasync).
 *
 * @param sender
 *   Sender.
 * @return
 *   0 on success or without a spool, -EIO if the sync failed.
 */
int c2w_sender_sync(struct c2w_sender *sender);

/**
 * Add the syslog socket to a poll array.
 *
 * @param sender
 *   Sender.
 * @param fds
 *   Array to fill.
 * @param max
 *   Room in fds.
 * @param timeout_ms
 *   Lowered to the time until the next reconnect, or 0 when spooled
 *   messages can be sent at once.
 * @return
 *   Number of entries filled, 0 or 1.
 */
size_t c2w_sender_poll_fill(struct c2w_sender *sender, struct pollfd *fds,
			    size_t max, int *timeout_ms);

/**
 * Finish a connect, notice a closed connection and send spooled messages
 * until the socket is full. Call after every poll, whatever it returned.
 *
 * @param sender
 *   Sender.
 * @param fds
 *   Array given to c2w_sender_poll_fill().
 * @param n
 *   Count it returned.
 */
void c2w_sender_poll_handle(struct c2w_sender *sender,
			    const struct pollfd *fds, size_t n);

/**
 * Send spooled messages until none is left or the time is up.
 *
 * @param sender
 *   Sender.
 * @param timeout_ms
 *   Maximum time to wait.
 * @return
 *   0 if every spooled message was sent, -ETIMEDOUT otherwise.
 */
int c2w_sender_drain(struct c2w_sender *sender, unsigned timeout_ms);

/**
 * Copy the counters.
 *
 * @param sender
 *   Sender.
 * @param stats
 *   Filled with the counters.
 */
void c2w_sender_get_stats(const struct c2w_sender *sender,
			  struct c2w_sender_stats *stats);

/**
 * Close the socket and the spool and free the sender.
 *
 * @param sender
 *   Sender, may be NULL.
 */
void c2w_sender_close(struct c2w_sender *sender);

#endif /* C2W_SENDER_H */
