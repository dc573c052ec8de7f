/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_FEED_H
#define C2W_FEED_H

/*
 * Threat-intel feed reader. It turns ThreatFox exports (CSV, JSON export,
 * JSON API answer) and plain indicator lists into an indicator set. It
 * runs on the control thread only and uses no DPDK call, so unit tests
 * and fuzzers link it without an EAL.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Indicator kinds. IP_PORT, IP and CIDR are enforced on the wire; the
 * others are kept, counted and reported as not enforced yet. */
enum c2w_ioc_kind {
	C2W_IOC_IP_PORT = 0,
	C2W_IOC_IP,
	C2W_IOC_CIDR,   /* address prefix: addr is the network, prefix its
			 * length */
	C2W_IOC_DOMAIN,
	C2W_IOC_URL,
	C2W_IOC_HASH,   /* md5, sha1, sha256 file hashes */
	C2W_IOC_OTHER,  /* an ioc_type the reader does not know */
	C2W_IOC_KIND_MAX,
};

/* What policy rules decided for an indicator (struct c2w_ioc.action). */
enum c2w_ioc_action {
	C2W_IOC_ACTION_DEFAULT = 0, /* the global policy.action */
	C2W_IOC_ACTION_BLOCK,
	C2W_IOC_ACTION_ALERT,
	C2W_IOC_ACTION_IGNORE,      /* kept and counted, never matches */
};

/* Sentinel for an unknown first/last seen time. */
#define C2W_IOC_TIME_UNKNOWN INT64_MIN

/*
 * One indicator. Text fields are offsets into the owning set's string
 * pool (c2w_ioc_str() turns them into pointers); offset 0 is the empty
 * string. Addresses are in network byte order, IPv4 in the first four
 * bytes with the rest zero.
 */
struct c2w_ioc {
	uint8_t addr[16];
	uint16_t port;        /* host byte order; 0 for C2W_IOC_IP */
	uint8_t kind;         /* enum c2w_ioc_kind */
	uint8_t family;       /* 4 or 6 for IP kinds, 0 otherwise */
	uint8_t confidence;   /* 0..100; 100 when the feed gives none */
	uint8_t prefix;       /* CIDR: prefix length; IP kinds: 32 or 128 */
	uint8_t action;       /* enum c2w_ioc_action, set by policy rules */
	int64_t first_seen;   /* Unix seconds or C2W_IOC_TIME_UNKNOWN */
	int64_t last_seen;    /* Unix seconds or C2W_IOC_TIME_UNKNOWN */
	uint32_t value;       /* canonical text: "5.101.81.81:9323" */
	uint32_t id;          /* feed's indicator id */
	uint32_t threat_type; /* e.g. "botnet_cc" */
	uint32_t malware;     /* printable family name, e.g. "Remcos" */
	uint32_t tags;        /* comma-separated */
	uint32_t reference;   /* URL */
	uint32_t source;      /* "file:line" where it was read first */
};

/* Indicators read from one or more files, with their text pool. */
struct c2w_ioc_set {
	struct c2w_ioc *v;
	size_t n;
	size_t cap;
	char *pool;
	size_t pool_len;
	size_t pool_cap;
	void *index;          /* private: dedup index owned by feed.c */
};

/* Totals of one or more c2w_feed_load() calls on a set. */
struct c2w_feed_stats {
	uint64_t lines;                       /* lines (CSV, plain), records (JSON,
					 * binary table) */
	uint64_t loaded;                      /* new indicators added */
	uint64_t duplicates;                  /* merged into an earlier one */
	uint64_t rejected;                    /* invalid, reported */
	uint64_t aged;                        /* older than max_age_s, dropped */
	uint64_t by_kind[C2W_IOC_KIND_MAX];   /* distinct indicators per kind */
};

/* Input format; AUTO picks a binary table (feedbin.h) when the file
 * starts with its magic, JSON when it starts with '{' or '[', ThreatFox
 * CSV when a (commented) header names ioc_value, plain list otherwise. */
enum c2w_feed_format {
	C2W_FEED_AUTO = 0,
	C2W_FEED_CSV,
	C2W_FEED_JSON,
	C2W_FEED_PLAIN,
	C2W_FEED_BINARY,
};

/* Time an indicator's age is taken from (struct c2w_feed_opts.age_by). */
enum c2w_feed_age_by {
	C2W_FEED_AGE_LAST_SEEN = 0, /* last seen, or first seen if unknown */
	C2W_FEED_AGE_FIRST_SEEN,
};

struct c2w_feed_opts {
	enum c2w_feed_format format;
	bool strict;          /* first invalid record fails the load */
	FILE *report;         /* where "file:line: reason" goes; NULL: none */
	unsigned max_reports; /* per file, then one summary line; 0: 20 */
	uint64_t max_age_s;   /* drop older indicators, seconds; 0: keep all */
	enum c2w_feed_age_by age_by;
	int64_t now;          /* Unix seconds ages count from; 0: time(NULL) */
};

/** Initialise an empty set. */
void c2w_ioc_set_init(struct c2w_ioc_set *set);

/** Release everything a set owns; the set is empty afterwards. */
void c2w_ioc_set_free(struct c2w_ioc_set *set);

/**
 * Text of a string field of an indicator in a set.
 *
 * @param set
 *   Set that owns the indicator.
 * @param off
 *   One of the uint32_t text fields of struct c2w_ioc.
 * @return
 *   A NUL-terminated string inside the pool, valid until the set changes.
 */
static inline const char *
c2w_ioc_str(const struct c2w_ioc_set *set, uint32_t off)
{
	return set->pool != NULL ? set->pool + off : "";
}

/**
 * Read one feed file or binary table into a set. Duplicates (same kind,
 * address, prefix length and port, or same text for other kinds) merge
 * into the first: the highest confidence, the earliest first seen and
 * the latest last seen win, and empty text fields are filled from the
 * later entry. Invalid records are reported as `file:line: "value":
 * rejected: reason` (or `file: record N: ...` where a JSON position is
 * unknown) and skipped. The file is merged only once it loaded
 * completely: after any failure the set and stats are unchanged.
 *
 * With opts->max_age_s set, each record whose time (opts->age_by) is
 * more than max_age_s before opts->now is dropped and counted in
 * stats->aged; records without a known time are kept. A binary table
 * that is truncated, corrupt or of an unknown version fails the load.
 *
 * @param path
 *   File to read.
 * @param opts
 *   Format, strictness and report stream.
 * @param set
 *   Set to add to.
 * @param stats
 *   Counters to add to; may be NULL.
 * @return
 *   0 on success (possibly with rejected records), -ENOENT or another
 *   negative errno if the file cannot be read, -EINVAL if strict and a
 *   record is invalid or the file is not in the requested format,
 *   -EINVAL also for a damaged binary table (strict or not), -EFBIG for
 *   a file above the size limit, -ENOMEM on allocation failure.
 */
int c2w_feed_load(const char *path, const struct c2w_feed_opts *opts,
		  struct c2w_ioc_set *set, struct c2w_feed_stats *stats);

/**
 * Parse one indicator as written in a plain list or a feed's value column:
 * "1.2.3.4", "1.2.3.4:80", "[2001:db8::1]:443", "2001:db8::1", defanged
 * forms such as "5[.]101[.]81[.]81:9323", "1.2.3(.)4", "1[dot]2.3.4",
 * "1.2.3.4[:]80" and "hxxp://1.2.3.4:8080/path", and address prefixes:
 * "198.51.100.0/24", "2001:db8::/32", "198.51.100[.]0/24". A prefix with
 * host bits set, such as "198.51.100.1/24", is rejected, not rounded
 * down, because the feed may mean the host or the network. A full-length
 * prefix (/32, /128) gives a plain ip indicator.
 *
 * @param text
 *   Indicator text; need not be NUL-terminated.
 * @param len
 *   Bytes of text.
 * @param ioc
 *   On success kind, family, addr, port and prefix are set.
 * @param why
 *   On failure points to a static reason, e.g. "port out of range".
 * @return
 *   0 on success, -EINVAL if the text is no IP, ip:port or address
 *   prefix indicator.
 */
int c2w_feed_parse_indicator(const char *text, size_t len,
			     struct c2w_ioc *ioc, const char **why);

/** Name of an indicator kind: "ip:port", "ip", "cidr", "domain", ... */
const char *c2w_ioc_kind_name(enum c2w_ioc_kind kind);

#endif /* C2W_FEED_H */
