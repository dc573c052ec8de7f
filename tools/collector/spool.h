/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_SPOOL_H
#define C2W_SPOOL_H

/*
 * On-disk queue of syslog messages, one per line, in segment files
 * SEGMENT.spool of a directory. Every message bound for syslog is
 * appended here first and sent from here, so messages wait on disk while
 * syslog is down or slow and go out in order afterwards, also after a
 * restart of the collector.
 *
 * Durability: c2w_spool_append() queues a line in memory, and
 * c2w_spool_sync() writes the queued lines and fdatasync()s the segment.
 * After that a line survives a crash of the collector and of the host.
 * A line cut short by a crash during the write is removed at the next
 * start. The read position ("cursor" file, one 64-bit value in a shared
 * mapping) moves past a message right after it was handed to the socket,
 * so a killed collector neither resends nor skips it.
 *
 * When the segments reach the size limit, new messages are dropped and
 * counted: the oldest undelivered messages are kept. Called from the
 * collector's main thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define C2W_SPOOL_MAX_DEFAULT (256ull << 20)
#define C2W_SPOOL_MAX_MIN (1ull << 20)

struct c2w_spool_stats {
	uint64_t spooled;        /* messages appended */
	uint64_t dropped_full;   /* messages dropped at the size limit */
	uint64_t dropped_torn;   /* cut lines found at the end at start */
	uint64_t bytes;          /* size of the segments now */
	uint64_t pending;        /* bytes not yet handed to the socket */
	uint64_t write_errors;   /* failed appends and syncs */
};

struct c2w_spool;

/**
 * Open the spool in dir, creating the directory if needed. A line cut
 * short by a crash at the end of the last segment is removed.
 *
 * @param dir
 *   Spool directory.
 * @param max_bytes
 *   Limit of the segments' total size, at least C2W_SPOOL_MAX_MIN.
 * @param spool
 *   Set to the spool.
 * @return
 *   0 on success, -EINVAL for a limit below the minimum, -errno if the
 *   directory or a file cannot be created, read or mapped, -ENOMEM.
 */
int c2w_spool_open(const char *dir, uint64_t max_bytes,
		   struct c2w_spool **spool);

/**
 * Callback of c2w_spool_scan() for each line.
 *
 * @param ctx
 *   Caller context.
 * @param line
 *   Line without its line break; not NUL-terminated.
 * @param len
 *   Length of line.
 */
typedef void (*c2w_spool_line_fn)(void *ctx, const char *line, size_t len);

/**
 * Queue one message; c2w_spool_sync() writes it.
 *
 * @param spool
 *   Spool.
 * @param line
 *   Message without line break; it must contain none.
 * @param len
 *   Length of line.
 * @return
 *   0 on success, -ENOSPC if the size limit drops it, -EIO if no memory
 *   was left for the queue.
 */
int c2w_spool_append(struct c2w_spool *spool, const char *line, size_t len);

/**
 * Write the queued messages and make them durable (fdatasync); schedule
 * the read position for writeback.
 *
 * @param spool
 *   Spool.
 * @return
 *   0 on success or if nothing was queued, -EIO if a write or
 *   fdatasync() failed; the queued messages are then dropped and
 *   counted in write_errors.
 */
int c2w_spool_sync(struct c2w_spool *spool);

/**
 * Call fn for every line on disk, oldest first, sent or not. The
 * collector reads the record origins of the spooled lines with it at
 * start.
 *
 * @param spool
 *   Spool.
 * @param fn
 *   Called for each line.
 * @param ctx
 *   Passed to fn.
 * @return
 *   0; segments that cannot be opened are skipped.
 */
int c2w_spool_scan(struct c2w_spool *spool, c2w_spool_line_fn fn, void *ctx);

/**
 * Get the next message not yet sent, without moving past it.
 *
 * @param spool
 *   Spool.
 * @param line
 *   Set to the message, valid until the next call on the spool.
 * @param len
 *   Set to its length.
 * @param pos
 *   Set to its position, for c2w_spool_rewind().
 * @return
 *   0 on success, -EAGAIN if every message was sent, -EIO if a segment
 *   cannot be read.
 */
int c2w_spool_peek(struct c2w_spool *spool, const char **line, size_t *len,
		   uint64_t *pos);

/**
 * Move the read position past the message of the last c2w_spool_peek().
 *
 * @param spool
 *   Spool.
 */
void c2w_spool_advance(struct c2w_spool *spool);

/**
 * Move the read position back to a message that was sent but did not
 * reach the receiver.
 *
 * @param spool
 *   Spool.
 * @param pos
 *   Position from c2w_spool_peek(), not older than the last
 *   c2w_spool_release().
 */
void c2w_spool_rewind(struct c2w_spool *spool, uint64_t pos);

/**
 * Allow deleting segments before a position: messages before it reached
 * the receiver.
 *
 * @param spool
 *   Spool.
 * @param pos
 *   Position of the first message not known to have arrived.
 */
void c2w_spool_release(struct c2w_spool *spool, uint64_t pos);

/**
 * Get the position after the last appended message.
 *
 * @param spool
 *   Spool.
 * @return
 *   Position, comparable with those of c2w_spool_peek().
 */
uint64_t c2w_spool_end(const struct c2w_spool *spool);

/**
 * Copy the counters.
 *
 * @param spool
 *   Spool.
 * @param stats
 *   Filled with the counters.
 */
void c2w_spool_get_stats(const struct c2w_spool *spool,
			 struct c2w_spool_stats *stats);

/**
 * Sync and close the spool.
 *
 * @param spool
 *   Spool, may be NULL.
 */
void c2w_spool_close(struct c2w_spool *spool);

#endif /* C2W_SPOOL_H */
