/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_DEDUP_H
#define C2W_DEDUP_H

/*
 * Skips records an exporter sends again. After a TCP or TLS reconnect,
 * c2wall's exporter resends recent messages with their original sequence
 * numbers. The collector keeps, per exporter identity and observation
 * domain, the sequence number of the last record it wrote and skips
 * records at or below it (RFC 1982 serial arithmetic, so the 32-bit
 * counter may wrap). A restarted exporter counts from 0 again, so the
 * state of an exporter is reset when
 *  - the first message of a new transport session has sequence number 0
 *    and carries a template set, or
 *  - a message's sequence number lies more than C2W_DEDUP_RESTART_GAP
 *    records below the next expected one.
 * With a state directory, c2w_dedup_save() writes the state to a file
 * there; the caller saves only after the records' output is on disk. The
 * spooled lines carry their origin too, and c2w_dedup_observe() replays
 * them at start, so records that reached the spool after the last save
 * are not written again either.
 * Called from the collector's main thread only.
 */

#include <stdbool.h>
#include <stdint.h>

/* Records below the expected sequence number that still count as a
 * resend window rather than a restart. The exporter's window is a few
 * thousand messages, far below this. */
#define C2W_DEDUP_RESTART_GAP 1000000u
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
 * Look up the state of an exporter and domain at the start of a message
 * and apply the restart rule.
 *
 * @param dedup
 *   State.
 * @param identity
 *   Exporter identity: IP address or "tls:" and certificate subject.
 * @param domain
 *   Observation domain ID of the message.
 * @param session_id
 *   ID of the transport session the message arrived on.
 * @param sequence
 *   Sequence number in the message header.
 * @param has_templates
 *   Whether the message contains a template set.
 * @return
 *   Entry to pass to c2w_dedup_check(), or NULL when the table is full
 *   and the message is not deduplicated.
 */
struct c2w_dedup_entry *c2w_dedup_begin(struct c2w_dedup *dedup,
					const char *identity, uint32_t domain,
					uint64_t session_id, uint32_t sequence,
					bool has_templates);

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
 * @return
 *   true if the record is a duplicate and must be skipped.
 */
bool c2w_dedup_check(struct c2w_dedup *dedup, struct c2w_dedup_entry *entry,
		     uint32_t sequence);

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
 */
void c2w_dedup_observe(struct c2w_dedup *dedup, const char *identity,
		       uint32_t domain, uint32_t sequence);

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
