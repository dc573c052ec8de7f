/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_DEDUP_H
#define C2W_DEDUP_H

/*
 * Skips records an exporter sends again. After a TCP or TLS reconnect,
 * c2wall's exporter resends recent messages byte for byte, with their
 * original sequence numbers and export times. The collector keeps, per
 * exporter identity and observation domain, the sequence number of the
 * last record it wrote and the export time of its message, and skips
 * records at or below that sequence number (RFC 1982 serial arithmetic,
 * so the 32-bit counter may wrap).
 *
 * A restarted exporter counts from 0 again, but its messages carry new
 * export times. So a data message whose sequence number lies below the
 * next expected one is a resend if its export time is not later than
 * the stored one, and a restart otherwise: the state of that exporter
 * and domain is then reset. Messages without data sets (templates) never
 * change the state, because c2wall resends its template messages with
 * their first sequence number and a new export time.
 *
 * With a state directory, c2w_dedup_save() writes the state to a file
 * there; the caller saves only after the records' output is on disk. The
 * spooled lines carry their origin too, and c2w_dedup_observe() replays
 * them at start, so records that reached the spool after the last save
 * are not written again either. Called from the collector's main thread
 * only.
 */

#include <stdbool.h>
#include <stdint.h>

/* Exporter and domain pairs tracked; more are not deduplicated. */
#define C2W_DEDUP_ENTRIES_MAX 4096
#define C2W_DEDUP_FILE "dedup.state"

struct c2w_dedup_stats {
	uint64_t duplicates;     /* records skipped as already written */
	uint64_t restarts;       /* exporter restarts detected */
	uint64_t untracked;      /* messages beyond C2W_DEDUP_ENTRIES_MAX */
	uint64_t save_errors;    /* failed writes of the state file */
};

struct c2w_dedup;
struct c2w_dedup_entry;

/**
 * Create the dedup state and load the state file from dir.
 *
 * @param dir
 *   Directory of the state file, or NULL to keep the state in memory.
 * @param dedup
 *   Set to the new state.
 * @return
 *   0 on success (a missing file is an empty state), -ENOMEM, -errno if
 *   the file exists and cannot be read.
 */
int c2w_dedup_open(const char *dir, struct c2w_dedup **dedup);

/**
 * Look up the state of an exporter and domain at the start of a data
 * message and apply the restart rule.
 *
 * @param dedup
 *   State.
 * @param identity
 *   Exporter identity: IP address or "tls:" and certificate subject.
 * @param domain
 *   Observation domain ID of the message.
 * @param sequence
 *   Sequence number in the message header.
 * @param export_time
 *   Export time in the message header, Unix seconds.
 * @return
 *   Entry to pass to c2w_dedup_check(), or NULL when the table is full
 *   and the message is not deduplicated.
 */
struct c2w_dedup_entry *c2w_dedup_begin(struct c2w_dedup *dedup,
					const char *identity, uint32_t domain,
					uint32_t sequence,
					uint32_t export_time);

/**
 * Decide whether a record was already written and, if not, record its
 * sequence number as the last one written.
 *
 * @param dedup
 *   State.
 * @param entry
 *   Entry from c2w_dedup_begin(), may be NULL.
 * @param sequence
 *   Sequence number of the record.
 * @param export_time
 *   Export time of the record's message, Unix seconds.
 * @return
 *   true if the record is a duplicate and must be skipped.
 */
bool c2w_dedup_check(struct c2w_dedup *dedup, struct c2w_dedup_entry *entry,
		     uint32_t sequence, uint32_t export_time);

/**
 * Set the last sequence number of an exporter and domain from a record
 * found in the spool at start. Called in spool order, so the newest
 * record wins.
 *
 * @param dedup
 *   State.
 * @param identity
 *   Exporter identity.
 * @param domain
 *   Observation domain ID.
 * @param sequence
 *   Sequence number of the spooled record.
 * @param export_time
 *   Export time of its message, Unix seconds.
 */
void c2w_dedup_observe(struct c2w_dedup *dedup, const char *identity,
		       uint32_t domain, uint32_t sequence,
		       uint32_t export_time);

/**
 * Write the state file if the state changed since the last save: a new
 * file is written, synced and renamed over the old one, so a crash leaves
 * either the old or the new state.
 *
 * @param dedup
 *   State.
 * @return
 *   0 on success or when nothing changed or there is no directory,
 *   -errno if the file could not be written.
 */
int c2w_dedup_save(struct c2w_dedup *dedup);

/**
 * Copy the counters.
 *
 * @param dedup
 *   State.
 * @param stats
 *   Filled with the counters.
 */
void c2w_dedup_get_stats(const struct c2w_dedup *dedup,
			 struct c2w_dedup_stats *stats);

/**
 * Free the state without saving.
 *
 * @param dedup
 *   State, may be NULL.
 */
void c2w_dedup_close(struct c2w_dedup *dedup);

#endif /* C2W_DEDUP_H */
