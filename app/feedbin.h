/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_FEEDBIN_H
#define C2W_FEEDBIN_H

/*
 * Binary indicator table: a merged, deduplicated indicator set written
 * by c2wall-feed and read by c2w_feed_load() without parsing text. All
 * integers are little-endian.
 *
 *   offset size  header (96 bytes)
 *        0    8  magic "\x89C2WT\r\n\x1a"
 *        8    2  format version (1)
 *       10    2  header size in bytes (96)
 *       12    4  record size in bytes (72)
 *       16    8  record count
 *       24    8  string pool size in bytes
 *       32    8  creation time, Unix seconds
 *       40   32  record count per kind, 8 x u32 (enum c2w_ioc_kind)
 *       72    4  flags (C2W_FEEDBIN_FLAG_*)
 *       76    4  reserved, 0
 *       80    8  XXH64 (seed 0) of the body: records, then string pool
 *       88    8  XXH64 (seed 0) of header bytes 0..87
 *
 *   offset size  record (72 bytes), sorted by c2w_feedbin_compare()
 *        0   16  address, network byte order as in struct c2w_ioc
 *       16    2  port
 *       18    1  kind
 *       19    1  family
 *       20    1  confidence
 *       21    1  prefix
 *       22    1  action
 *       23    1  reserved, 0
 *       24    8  first seen, signed, INT64_MIN when unknown
 *       32    8  last seen, signed, INT64_MIN when unknown
 *       40   28  u32 pool offsets: value, id, threat_type, malware, tags,
 *                reference, source
 *       68    4  reserved, 0
 *
 * The string pool is NUL-terminated strings; offset 0 is the empty
 * string. Records are strictly ascending, so a table contains no two
 * indicators that c2w_feed_load() would merge.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"

#define C2W_FEEDBIN_MAGIC "\x89" "C2WT\r\n\x1a"
#define C2W_FEEDBIN_MAGIC_LEN 8
#define C2W_FEEDBIN_VERSION 1
#define C2W_FEEDBIN_HEADER_SIZE 96
#define C2W_FEEDBIN_RECORD_SIZE 72
#define C2W_FEEDBIN_KIND_SLOTS 8

/* Header flag: the table was built as an allowlist (c2wall-feed --allow).
 * It labels the file only; c2w_feed_load() reads both kinds alike. */
#define C2W_FEEDBIN_FLAG_ALLOW 0x1u

/* Header fields of a table, as c2w_feedbin_info() found them. */
struct c2w_feedbin_info {
	uint16_t version;
	uint32_t flags;
	uint64_t count;                       /* records */
	uint64_t pool_len;                    /* string pool bytes */
	int64_t created;                      /* Unix seconds */
	uint64_t by_kind[C2W_FEEDBIN_KIND_SLOTS];
	uint64_t body_checksum;               /* as stored */
	uint64_t file_len;                    /* header + records + pool */
	bool body_ok;                         /* size and body checksum match */
};

/**
 * Compute XXH64 of a buffer. Tables use it as their checksum; it detects
 * damage, not tampering.
 *
 * @param data
 *   Bytes to hash.
 * @param len
 *   Number of bytes.
 * @param seed
 *   Seed; tables use 0.
 * @return
 *   The 64-bit hash.
 */
uint64_t c2w_feedbin_xxh64(const void *data, size_t len, uint64_t seed);

/**
 * Test whether a buffer starts with the table magic.
 *
 * @param buf
 *   File contents.
 * @param len
 *   Bytes in buf.
 * @return
 *   true if buf starts with C2W_FEEDBIN_MAGIC.
 */
bool c2w_feedbin_is_table(const void *buf, size_t len);

/**
 * Read and check a table header, and check the file size and body
 * checksum without decoding records.
 *
 * @param buf
 *   File contents.
 * @param len
 *   Bytes in buf.
 * @param info
 *   Filled with the header fields when the header is valid.
 * @param err
 *   On failure, what is wrong, e.g. "format version 2 unknown ...".
 * @param err_cap
 *   Bytes of err.
 * @return
 *   0 if the magic, version and header checksum are valid, -EINVAL
 *   otherwise. After 0, info->body_ok is false and err is set when the
 *   file size or body checksum is wrong.
 */
int c2w_feedbin_info(const void *buf, size_t len,
		     struct c2w_feedbin_info *info, char *err, size_t err_cap);

/**
 * Decode a table into an empty set after checking header, size,
 * checksum, every record and their order.
 *
 * @param buf
 *   File contents.
 * @param len
 *   Bytes in buf.
 * @param set
 *   Empty set (n == 0, no pool); on failure it stays empty. Its dedup
 *   index is left NULL and built by feed.c when first needed.
 * @param err
 *   On failure, what is wrong, e.g. "record 12: kind 9 unknown".
 * @param err_cap
 *   Bytes of err.
 * @return
 *   0 on success, -EINVAL if the table is truncated, damaged or of an
 *   unknown version, or set is not empty, -ENOMEM.
 */
int c2w_feedbin_decode(const void *buf, size_t len, struct c2w_ioc_set *set,
		       char *err, size_t err_cap);

/**
 * Write a set as a table, crash-safe: the data goes to a temporary file
 * in the directory of path, is flushed with fsync() and renamed over
 * path, so readers see the old file or the complete new one.
 *
 * @param path
 *   Table to create or replace.
 * @param set
 *   Indicators to write; duplicates must already be merged, as
 *   c2w_feed_load() does.
 * @param flags
 *   C2W_FEEDBIN_FLAG_* bits for the header.
 * @param created
 *   Creation time for the header, Unix seconds.
 * @param err
 *   On failure, what failed.
 * @param err_cap
 *   Bytes of err.
 * @return
 *   0 on success, -EINVAL if set contains two indicators with the same
 *   identity or a pool above 4 GiB, -ENOMEM, or the negative errno of
 *   a failed file operation.
 */
int c2w_feedbin_write(const char *path, const struct c2w_ioc_set *set,
		      uint32_t flags, int64_t created, char *err,
		      size_t err_cap);

/**
 * Recompute both checksums of a table in memory, for tests and fuzzers
 * that build tables with chosen damage past the checksums.
 *
 * @param buf
 *   Table bytes; the checksum fields are rewritten.
 * @param len
 *   Bytes in buf; the body checksum covers all bytes after the header.
 * @return
 *   0, or -EINVAL if len is below the header size.
 */
int c2w_feedbin_seal(void *buf, size_t len);

/**
 * Compare two indicators in table order: kind, then for IP kinds
 * family, address, prefix length and port, for other kinds the value
 * text.
 *
 * @param a
 *   First indicator.
 * @param pool_a
 *   String pool of a.
 * @param b
 *   Second indicator.
 * @param pool_b
 *   String pool of b.
 * @return
 *   Negative, 0 or positive as a sorts before, equal to or after b.
 */
int c2w_feedbin_compare(const struct c2w_ioc *a, const char *pool_a,
			const struct c2w_ioc *b, const char *pool_b);

#endif /* C2W_FEEDBIN_H */
