/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threat-intel feed reader. It reads the ThreatFox CSV export, the
 * ThreatFox JSON export, saved ThreatFox API responses and plain
 * indicator lists into a deduplicated indicator set. It runs on the
 * control thread only and makes no DPDK calls.
 *
 * Each file is read into a private set first and merged into the
 * caller's set only when the whole file loaded, so a failed load leaves
 * the caller's set and counters unchanged.
 */

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "feed.h"
#include "feedbin.h"

/*
 * Maximum feed file size in bytes. It is meant to be far above any real
 * feed (an estimate, not a measured ThreatFox size). It stops a wrong
 * path, such as a disk image, from being read into memory.
 */
#define FEED_MAX_FILE_BYTES (1024UL * 1024 * 1024)

/*
 * Maximum binary table size in bytes. A table of 10 million ip:port
 * indicators takes about 1.2 GB; the 32-bit string offsets cap the
 * pool at 4 GiB in any case.
 */
#define FEED_MAX_TABLE_BYTES (8UL * 1024 * 1024 * 1024)

/* Maximum indicator length in bytes; longer values are rejected. */
#define FEED_MAX_VALUE 2048

/* Reports per file when c2w_feed_opts.max_reports is 0. */
#define FEED_REPORTS_DEFAULT 20

/* Bytes of an offending value quoted in a report line. */
#define FEED_REPORT_VALUE 64

/* Maximum CSV columns read per record; later columns are ignored. */
#define FEED_CSV_MAX_FIELDS 32

/* Reasons compared by address, so they are objects, not literals. */
static const char reason_url_host_name[] =
	"URL host is a name, not an IP address";
static const char reason_not_ip[] =
	"not an IP address, ip:port, URL, domain or file hash";

/* A byte range inside the file buffer or a scratch buffer. */
struct feed_str {
	const char *p;
	size_t len;
};

/* Text fields of one indicator before they enter a set's pool. */
struct feed_text {
	struct feed_str value;
	struct feed_str id;
	struct feed_str threat_type;
	struct feed_str malware;
	struct feed_str tags;
	struct feed_str reference;
	struct feed_str source;
};

/* One record as found in any input format, fields not yet checked. */
struct feed_record {
	unsigned long line;        /* 0: unknown (JSON without positions) */
	unsigned long index;       /* 1-based record number in the file */
	struct feed_str value;
	struct feed_str type;      /* p == NULL: infer the kind */
	struct feed_str id;
	struct feed_str threat_type;
	struct feed_str malware;
	struct feed_str tags;
	struct feed_str reference;
	struct feed_str first_seen;
	struct feed_str last_seen;
	struct feed_str confidence;
};

/* Dedup index: open addressing with linear probing over set->v. */
struct feed_index {
	uint64_t key[2];           /* SipHash key, random per set */
	uint32_t *slot;            /* 1 + position in set->v; 0: empty */
	size_t mask;               /* slot count - 1 */
};

/*
 * Copies of indicators that existed before a load and were changed by
 * a merge, so a failed load can put them back.
 */
struct feed_undo_entry {
	size_t at;
	struct c2w_ioc old;
};

struct feed_undo {
	struct feed_undo_entry *v;
	size_t n, cap;
	size_t limit;              /* indicators below this index are old */
};

/* State of one c2w_feed_load() call. */
struct feed_ctx {
	const char *path;
	const struct c2w_feed_opts *opts;
	struct c2w_ioc_set set;    /* this file's indicators */
	struct c2w_feed_stats st;  /* this file's counters */
	unsigned reports;          /* rejections seen, listed or not */
	unsigned max_reports;
	int64_t now;               /* Unix seconds that ages count from */
	char *scratch;             /* unquoted CSV fields, joined JSON tags */
	size_t scratch_cap;
};

/* ---------------------------------------------------------------- */
/* Small text helpers                                                */
/* ---------------------------------------------------------------- */

static bool
feed_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\v' || c == '\f';
}

static bool
feed_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
feed_is_hex(char c)
{
	return feed_is_digit(c) || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool
feed_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
feed_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static struct feed_str
feed_str_make(const char *p, size_t len)
{
	struct feed_str s = { p, len };

	return s;
}

static struct feed_str
feed_str_trim(struct feed_str s)
{
	while (s.len > 0 && feed_is_space(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && feed_is_space(s.p[s.len - 1]))
		s.len--;
	return s;
}

static bool
feed_str_eq(struct feed_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && memcmp(s.p, lit, n) == 0;
}

/* Case-insensitive prefix test on a length-bounded string. */
static bool
feed_has_prefix_ci(const char *p, size_t len, const char *lit)
{
	size_t i;

	for (i = 0; lit[i] != '\0'; i++)
		if (i >= len || feed_lower(p[i]) != lit[i])
			return false;
	return true;
}

static const char *
feed_memmem(const char *p, size_t len, const char *lit)
{
	return memmem(p, len, lit, strlen(lit));
}

/*
 * Parse an unsigned decimal of at most max; leading zeros are allowed
 * and read as decimal, never octal.
 */
static int
feed_parse_uint(const char *p, size_t len, unsigned long max,
		unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!feed_is_digit(p[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(p[i] - '0');
		if (v > max)
			return -ERANGE;
	}
	*out = v;
	return 0;
}

/* ---------------------------------------------------------------- */
/* SipHash-2-4 keyed hash for the dedup index                        */
/* ---------------------------------------------------------------- */

/*
 * Feeds take submissions from anyone, so the index uses a hash keyed
 * with random bytes. Values then cannot be crafted to share one probe
 * run, which would turn a load into quadratic work.
 */
static uint64_t
feed_rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static void
feed_sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = feed_rotl(v[1], 13) ^ v[0];
	v[0] = feed_rotl(v[0], 32);
	v[2] += v[3];
	v[3] = feed_rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = feed_rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = feed_rotl(v[1], 17) ^ v[2];
	v[2] = feed_rotl(v[2], 32);
}

static void
feed_sip_block(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	feed_sip_round(v);
	feed_sip_round(v);
	v[0] ^= m;
}

static uint64_t
feed_siphash(const uint64_t key[2], const void *data, size_t len)
{
	uint64_t v[4] = {
		0x736f6d6570736575ULL ^ key[0],
		0x646f72616e646f6dULL ^ key[1],
		0x6c7967656e657261ULL ^ key[0],
		0x7465646279746573ULL ^ key[1],
	};
	const uint8_t *p = data;
	uint64_t last = (uint64_t)len << 56;
	uint64_t m;
	size_t i;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&m, p, sizeof(m));
		feed_sip_block(v, le64toh(m));
	}
	for (i = 0; i < len; i++)
		last |= (uint64_t)p[i] << (8 * i);
	feed_sip_block(v, last);

	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		feed_sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void
feed_index_seed(uint64_t key[2])
{
	struct timespec ts;

	if (getrandom(key, 2 * sizeof(key[0]), GRND_NONBLOCK) ==
	    (ssize_t)(2 * sizeof(key[0])))
		return;
	/* Entropy pool not ready (early boot): a per-process key still
	 * keeps values from colliding the same way on every appliance. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	key[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^
		 (uint64_t)getpid();
	key[1] = (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)key;
}

/* ---------------------------------------------------------------- */
/* Indicator set: vector, string pool and dedup index                */
/* ---------------------------------------------------------------- */

void
c2w_ioc_set_init(struct c2w_ioc_set *set)
{
	memset(set, 0, sizeof(*set));
}

void
c2w_ioc_set_free(struct c2w_ioc_set *set)
{
	struct feed_index *idx = set->index;

	if (idx != NULL)
		free(idx->slot);
	free(idx);
	free(set->v);
	free(set->pool);
	c2w_ioc_set_init(set);
}

/* Copy len bytes into the pool; offset 0 stays the empty string. */
static int
feed_pool_add(struct c2w_ioc_set *set, struct feed_str s, uint32_t *off)
{
	size_t need, cap;
	char *pool;

	if (s.len == 0) {
		*off = 0;
		return 0;
	}
	need = (set->pool_len == 0 ? 1 : set->pool_len) + s.len + 1;
	if (need > UINT32_MAX)
		return -ENOMEM;
	if (need > set->pool_cap) {
		cap = set->pool_cap < 4096 ? 4096 : set->pool_cap;
		while (cap < need)
			cap *= 2;
		if (cap > (size_t)UINT32_MAX + 1)
			cap = (size_t)UINT32_MAX + 1;
		pool = realloc(set->pool, cap);
		if (pool == NULL)
			return -ENOMEM;
		set->pool = pool;
		set->pool_cap = cap;
	}
	if (set->pool_len == 0) {
		set->pool[0] = '\0';
		set->pool_len = 1;
	}
	*off = (uint32_t)set->pool_len;
	memcpy(set->pool + set->pool_len, s.p, s.len);
	set->pool[set->pool_len + s.len] = '\0';
	set->pool_len += s.len + 1;
	return 0;
}

/* Kinds identified by address, prefix length and port, not by text. */
static bool
feed_ioc_is_ip(const struct c2w_ioc *ioc)
{
	return ioc->kind == C2W_IOC_IP_PORT || ioc->kind == C2W_IOC_IP ||
	       ioc->kind == C2W_IOC_CIDR;
}

/* Hash of the identity of an indicator: address and port, or text. */
static uint64_t
feed_ioc_hash(const struct feed_index *idx, const struct c2w_ioc *ioc,
	      struct feed_str value)
{
	uint8_t key[21];
	uint64_t kind_key[2] = { idx->key[0] ^ ioc->kind, idx->key[1] };

	if (!feed_ioc_is_ip(ioc))
		return feed_siphash(kind_key, value.p, value.len);
	key[0] = ioc->kind;
	key[1] = ioc->family;
	key[2] = (uint8_t)(ioc->port >> 8);
	key[3] = (uint8_t)ioc->port;
	key[4] = ioc->prefix;
	memcpy(key + 5, ioc->addr, sizeof(ioc->addr));
	return feed_siphash(idx->key, key, sizeof(key));
}

static bool
feed_ioc_same(const struct c2w_ioc_set *set, const struct c2w_ioc *old,
	      const struct c2w_ioc *ioc, struct feed_str value)
{
	const char *text;

	if (old->kind != ioc->kind)
		return false;
	if (feed_ioc_is_ip(ioc))
		return old->family == ioc->family && old->port == ioc->port &&
		       old->prefix == ioc->prefix &&
		       memcmp(old->addr, ioc->addr, sizeof(ioc->addr)) == 0;
	text = c2w_ioc_str(set, old->value);
	return strlen(text) == value.len && memcmp(text, value.p, value.len) == 0;
}

/* Insert every indicator of the set into an empty slot array. */
static void
feed_index_fill(struct c2w_ioc_set *set, uint32_t *slot, size_t cap)
{
	struct feed_index *idx = set->index;
	size_t i, j;

	for (i = 0; i < set->n; i++) {
		const struct c2w_ioc *ioc = &set->v[i];
		struct feed_str text = { c2w_ioc_str(set, ioc->value), 0 };

		text.len = strlen(text.p);
		j = feed_ioc_hash(idx, ioc, text) & (cap - 1);
		while (slot[j] != 0)
			j = (j + 1) & (cap - 1);
		slot[j] = (uint32_t)(i + 1);
	}
}

static int
feed_index_grow(struct c2w_ioc_set *set)
{
	struct feed_index *idx = set->index;
	size_t cap = (idx->mask + 1) * 2;
	uint32_t *slot;

	slot = calloc(cap, sizeof(*slot));
	if (slot == NULL)
		return -ENOMEM;
	feed_index_fill(set, slot, cap);
	free(idx->slot);
	idx->slot = slot;
	idx->mask = cap - 1;
	return 0;
}

/*
 * Create the index of a set, filled with the indicators it holds. A set
 * loaded from a binary table has none until the first merge into it.
 */
static int
feed_index_create(struct c2w_ioc_set *set)
{
	struct feed_index *idx;
	size_t cap = 1024;

	while (cap < set->n * 2 + 2)
		cap *= 2;
	idx = calloc(1, sizeof(*idx));
	if (idx == NULL)
		return -ENOMEM;
	idx->slot = calloc(cap, sizeof(*idx->slot));
	if (idx->slot == NULL) {
		free(idx);
		return -ENOMEM;
	}
	idx->mask = cap - 1;
	feed_index_seed(idx->key);
	set->index = idx;
	feed_index_fill(set, idx->slot, cap);
	return 0;
}

/*
 * Find the slot of an indicator with the same identity, or the empty
 * slot where it would go.
 */
static uint32_t *
feed_index_find(struct c2w_ioc_set *set, const struct c2w_ioc *ioc,
		struct feed_str value)
{
	struct feed_index *idx = set->index;
	size_t j = feed_ioc_hash(idx, ioc, value) & idx->mask;

	while (idx->slot[j] != 0) {
		if (feed_ioc_same(set, &set->v[idx->slot[j] - 1], ioc, value))
			break;
		j = (j + 1) & idx->mask;
	}
	return &idx->slot[j];
}

/* Fill a text field of an earlier duplicate that the feed left empty. */
static int
feed_fill_text(struct c2w_ioc_set *set, uint32_t *field, struct feed_str s)
{
	if (*field != 0 || s.len == 0)
		return 0;
	return feed_pool_add(set, s, field);
}

/*
 * Merge a duplicate into the indicator found first: the highest
 * confidence, the earliest first seen and the latest last seen win, and
 * text fields the first one lacks are taken from the duplicate.
 */
static int
feed_ioc_merge(struct c2w_ioc_set *set, size_t at, const struct c2w_ioc *ioc,
	       const struct feed_text *text)
{
	struct c2w_ioc *old = &set->v[at];
	int rc;

	if (ioc->confidence > old->confidence)
		old->confidence = ioc->confidence;
	if (ioc->first_seen != C2W_IOC_TIME_UNKNOWN &&
	    (old->first_seen == C2W_IOC_TIME_UNKNOWN ||
	     ioc->first_seen < old->first_seen))
		old->first_seen = ioc->first_seen;
	if (ioc->last_seen != C2W_IOC_TIME_UNKNOWN &&
	    (old->last_seen == C2W_IOC_TIME_UNKNOWN ||
	     ioc->last_seen > old->last_seen))
		old->last_seen = ioc->last_seen;

	/* The pool may move here, but set->v does not, so old stays valid. */
	rc = feed_fill_text(set, &old->id, text->id);
	if (rc == 0)
		rc = feed_fill_text(set, &old->threat_type, text->threat_type);
	if (rc == 0)
		rc = feed_fill_text(set, &old->malware, text->malware);
	if (rc == 0)
		rc = feed_fill_text(set, &old->tags, text->tags);
	if (rc == 0)
		rc = feed_fill_text(set, &old->reference, text->reference);
	return rc;
}

static int
feed_ioc_append(struct c2w_ioc_set *set, const struct c2w_ioc *ioc,
		const struct feed_text *text)
{
	struct c2w_ioc *v, *slot;
	size_t cap;
	int rc;

	if (set->n >= UINT32_MAX - 1)
		return -ENOMEM;
	if (set->n == set->cap) {
		cap = set->cap == 0 ? 256 : set->cap * 2;
		v = realloc(set->v, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
	}
	slot = &set->v[set->n];
	*slot = *ioc;
	rc = feed_pool_add(set, text->value, &slot->value);
	if (rc == 0)
		rc = feed_pool_add(set, text->id, &slot->id);
	if (rc == 0)
		rc = feed_pool_add(set, text->threat_type, &slot->threat_type);
	if (rc == 0)
		rc = feed_pool_add(set, text->malware, &slot->malware);
	if (rc == 0)
		rc = feed_pool_add(set, text->tags, &slot->tags);
	if (rc == 0)
		rc = feed_pool_add(set, text->reference, &slot->reference);
	if (rc == 0)
		rc = feed_pool_add(set, text->source, &slot->source);
	if (rc == 0)
		set->n++;
	return rc;
}

static int
feed_undo_save(struct feed_undo *undo, const struct c2w_ioc_set *set,
	       size_t at)
{
	struct feed_undo_entry *v;
	size_t cap;

	if (undo == NULL || at >= undo->limit)
		return 0;
	if (undo->n == undo->cap) {
		cap = undo->cap == 0 ? 64 : undo->cap * 2;
		v = realloc(undo->v, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		undo->v = v;
		undo->cap = cap;
	}
	undo->v[undo->n].at = at;
	undo->v[undo->n].old = set->v[at];
	undo->n++;
	return 0;
}

/*
 * Add an indicator or merge it into an equal one. With undo, an
 * indicator below undo->limit is copied there before it changes.
 *
 * @return 1 if added, 0 if merged, -ENOMEM.
 */
static int
feed_set_put(struct c2w_ioc_set *set, const struct c2w_ioc *ioc,
	     const struct feed_text *text, struct feed_undo *undo)
{
	struct feed_index *idx;
	uint32_t *slot;
	int rc;

	if (set->index == NULL) {
		rc = feed_index_create(set);
		if (rc < 0)
			return rc;
	}
	idx = set->index;
	slot = feed_index_find(set, ioc, text->value);
	if (*slot != 0) {
		rc = feed_undo_save(undo, set, *slot - 1);
		return rc < 0 ? rc : feed_ioc_merge(set, *slot - 1, ioc, text);
	}

	rc = feed_ioc_append(set, ioc, text);
	if (rc < 0)
		return rc;
	*slot = (uint32_t)set->n;
	/* Keep the load at or below one half so probe runs stay short. */
	if (set->n * 2 > idx->mask + 1) {
		rc = feed_index_grow(set);
		if (rc < 0) {
			/* The index no longer matches set->v: undo the add. */
			*slot = 0;
			set->n--;
			return rc;
		}
	}
	return 1;
}

/* ---------------------------------------------------------------- */
/* Indicator text: refanging, addresses, URLs                        */
/* ---------------------------------------------------------------- */

/* Defanged spellings and what they stand for, matched ignoring case. */
static const struct {
	const char *from;
	const char *to;
} feed_refang_map[] = {
	{ "[.]", "." }, { "(.)", "." }, { "{.}", "." },
	{ "[dot]", "." }, { "(dot)", "." }, { "{dot}", "." },
	{ "\\.", "." },
	{ "[:]", ":" }, { "(:)", ":" }, { "{:}", ":" },
	{ "[://]", "://" }, { "[/]", "/" },
};

/*
 * Undo common defanging and trim spaces. Writes at most cap - 1 bytes
 * and a NUL.
 *
 * @return Length written, or -E2BIG if the result does not fit.
 */
static int
feed_refang(struct feed_str in, char *out, size_t cap)
{
	size_t i = 0, o = 0, k, n;

	in = feed_str_trim(in);
	if (feed_has_prefix_ci(in.p, in.len, "hxxp")) {
		if (cap < 5)
			return -E2BIG;
		memcpy(out, "http", 4);
		o = 4;
		i = 4;
	}
	while (i < in.len) {
		for (k = 0; k < sizeof(feed_refang_map) /
				sizeof(feed_refang_map[0]); k++)
			if (feed_has_prefix_ci(in.p + i, in.len - i,
					       feed_refang_map[k].from))
				break;
		if (k < sizeof(feed_refang_map) / sizeof(feed_refang_map[0])) {
			n = strlen(feed_refang_map[k].to);
			if (o + n >= cap)
				return -E2BIG;
			memcpy(out + o, feed_refang_map[k].to, n);
			o += n;
			i += strlen(feed_refang_map[k].from);
			continue;
		}
		if (o + 1 >= cap)
			return -E2BIG;
		out[o++] = in.p[i++];
	}
	out[o] = '\0';
	return (int)o;
}

/* Dotted-quad IPv4 with exactly four decimal octets. */
static int
feed_parse_ipv4(const char *p, size_t len, uint8_t addr[4], const char **why)
{
	unsigned long octet;
	size_t start = 0, i;
	unsigned n = 0;
	int rc;

	for (i = 0; i <= len; i++) {
		if (i < len && p[i] != '.')
			continue;
		if (n == 4) {
			*why = "IPv4 address has more than 4 octets";
			return -EINVAL;
		}
		if (i == start) {
			*why = "IPv4 address has an empty octet";
			return -EINVAL;
		}
		rc = feed_parse_uint(p + start, i - start, 255, &octet);
		if (rc < 0) {
			*why = rc == -ERANGE ? "IPv4 octet out of range 0..255" :
			       "IPv4 octet is not a decimal number";
			return -EINVAL;
		}
		/* inet_aton() reads "010" as octal 8; other tools read 10. */
		if (i - start > 1 && p[start] == '0') {
			*why = "IPv4 octet has a leading zero, which some tools read as octal";
			return -EINVAL;
		}
		addr[n++] = (uint8_t)octet;
		start = i + 1;
	}
	if (n != 4) {
		*why = "IPv4 address needs 4 octets";
		return -EINVAL;
	}
	return 0;
}

static int
feed_parse_ipv6(const char *p, size_t len, uint8_t addr[16], const char **why)
{
	char buf[INET6_ADDRSTRLEN];

	if (memchr(p, '%', len) != NULL) {
		*why = "IPv6 zone index is only valid on the local link";
		return -EINVAL;
	}
	if (len == 0 || len >= sizeof(buf)) {
		*why = "invalid IPv6 address";
		return -EINVAL;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, addr) != 1) {
		*why = "invalid IPv6 address";
		return -EINVAL;
	}
	return 0;
}

static int
feed_parse_port(const char *p, size_t len, uint16_t *port, const char **why)
{
	unsigned long v;
	int rc;

	if (len == 0) {
		*why = "port missing after ':'";
		return -EINVAL;
	}
	rc = feed_parse_uint(p, len, 65535, &v);
	if (rc == -ERANGE) {
		*why = "port out of range 1..65535";
		return -EINVAL;
	}
	if (rc < 0) {
		*why = "port is not a decimal number";
		return -EINVAL;
	}
	if (v == 0) {
		*why = "port 0 is not a valid destination, use 1..65535";
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

/*
 * Reject addresses no host can be reached at; a feed entry for them is
 * an error and blocking them would only hide real traffic problems.
 */
static int
feed_check_host_addr(const struct c2w_ioc *ioc, const char **why)
{
	const uint8_t *a = ioc->addr;
	static const uint8_t zero[16];

	if (ioc->family == 4) {
		if (a[0] == 0 || a[0] == 127 || a[0] >= 224) {
			*why = "IPv4 address is unspecified, loopback, multicast or reserved";
			return -EINVAL;
		}
		return 0;
	}
	if (memcmp(a, zero, 16) == 0 ||
	    (memcmp(a, zero, 15) == 0 && a[15] == 1) || a[0] == 0xff) {
		*why = "IPv6 address is unspecified, loopback or multicast";
		return -EINVAL;
	}
	return 0;
}

/* IPv4-mapped IPv6 (::ffff:a.b.c.d) reaches the wire as IPv4. */
static void
feed_unmap_ipv4(struct c2w_ioc *ioc)
{
	static const uint8_t prefix[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (ioc->family != 6 || memcmp(ioc->addr, prefix, 12) != 0)
		return;
	memmove(ioc->addr, ioc->addr + 12, 4);
	memset(ioc->addr + 4, 0, 12);
	ioc->family = 4;
}

/* Address part: IPv4, bracketed IPv6 with optional port, or bare IPv6. */
static int
feed_parse_endpoint(const char *p, size_t len, bool bare_v6,
		    struct c2w_ioc *ioc, bool *has_port, const char **why)
{
	const char *colon, *close;
	size_t host;

	*has_port = false;
	if (len > 0 && p[0] == '[') {
		close = memchr(p, ']', len);
		if (close == NULL) {
			*why = "'[' without a closing ']'";
			return -EINVAL;
		}
		ioc->family = 6;
		if (feed_parse_ipv6(p + 1, (size_t)(close - p - 1), ioc->addr, why))
			return -EINVAL;
		len -= (size_t)(close + 1 - p);
		p = close + 1;
		if (len == 0)
			return 0;
		if (p[0] != ':') {
			*why = "text after ']' is not ':port'";
			return -EINVAL;
		}
		*has_port = true;
		return feed_parse_port(p + 1, len - 1, &ioc->port, why);
	}

	colon = memchr(p, ':', len);
	if (colon != NULL && memchr(colon + 1, ':', len - (size_t)(colon + 1 - p))) {
		if (!bare_v6) {
			*why = "IPv6 address in a URL must be in brackets";
			return -EINVAL;
		}
		ioc->family = 6;
		return feed_parse_ipv6(p, len, ioc->addr, why);
	}
	ioc->family = 4;
	host = colon != NULL ? (size_t)(colon - p) : len;
	if (host == 0 || strspn(p, "0123456789.") < host) {
		*why = reason_not_ip;
		return -EINVAL;
	}
	if (feed_parse_ipv4(p, host, ioc->addr, why))
		return -EINVAL;
	if (colon == NULL)
		return 0;
	*has_port = true;
	return feed_parse_port(colon + 1, len - (size_t)(colon + 1 - p),
			       &ioc->port, why);
}

static int
feed_scheme_port(struct feed_str scheme, uint16_t *port, const char **why)
{
	if (scheme.len == 4 && feed_has_prefix_ci(scheme.p, 4, "http")) {
		*port = 80;
		return 0;
	}
	if (scheme.len == 5 && feed_has_prefix_ci(scheme.p, 5, "https")) {
		*port = 443;
		return 0;
	}
	if ((scheme.len == 3 && feed_has_prefix_ci(scheme.p, 3, "tcp")) ||
	    (scheme.len == 3 && feed_has_prefix_ci(scheme.p, 3, "udp"))) {
		*port = 0;
		return 0;
	}
	*why = "URL scheme not supported, use http, https, tcp or udp";
	return -EINVAL;
}

/*
 * URL with an IP literal host: the indicator is that address and the
 * URL's port, or the scheme's default port (http 80, https 443).
 */
static int
feed_parse_url(const char *p, size_t len, const char *sep,
	       struct c2w_ioc *ioc, const char **why)
{
	struct feed_str scheme = { p, (size_t)(sep - p) };
	const char *host = sep + 3, *end = p + len, *at;
	uint16_t default_port;
	bool has_port;
	size_t hlen;

	hlen = strcspn(host, "/?#");
	if (hlen > (size_t)(end - host))
		hlen = (size_t)(end - host);
	/* user:password@ before the host */
	at = memchr(host, '@', hlen);
	if (at != NULL) {
		hlen -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	if (hlen == 0) {
		*why = "URL has no host";
		return -EINVAL;
	}
	if (feed_parse_endpoint(host, hlen, false, ioc, &has_port, why) < 0) {
		if (*why == reason_not_ip)
			*why = reason_url_host_name;
		return -EINVAL;
	}
	if (feed_scheme_port(scheme, &default_port, why) < 0)
		return -EINVAL;
	if (!has_port)
		ioc->port = default_port;
	if (ioc->port == 0) {
		*why = "tcp:// or udp:// URL needs a port";
		return -EINVAL;
	}
	return 0;
}

/*
 * Reject a prefix that covers an address no host can be reached at, by
 * the same rule as feed_check_host_addr(): for IPv4 the first octets of
 * its first and last address bound the /8 blocks it spans.
 */
static int
feed_check_cidr_range(const struct c2w_ioc *ioc, const char **why)
{
	static const uint8_t zero[16];
	unsigned first = ioc->addr[0], last = ioc->addr[0];

	if (ioc->prefix < 8)
		last |= 0xffu >> ioc->prefix;
	if (ioc->family == 4 && (first == 0 || last >= 224 ||
				 (first <= 127 && last >= 127))) {
		*why = "prefix covers unspecified, loopback, multicast or reserved IPv4 addresses";
		return -EINVAL;
	}
	if (ioc->family == 6 && (memcmp(ioc->addr, zero, 16) == 0 ||
				 last == 0xff)) {
		*why = "prefix covers unspecified, loopback or multicast IPv6 addresses";
		return -EINVAL;
	}
	return 0;
}

/* True when no bit after the first plen bits of addr is set. */
static bool
feed_is_network(const uint8_t addr[16], unsigned plen)
{
	unsigned i;

	if (plen % 8 != 0 && (addr[plen / 8] & (0xffu >> (plen % 8))) != 0)
		return false;
	for (i = (plen + 7) / 8; i < 16; i++)
		if (addr[i] != 0)
			return false;
	return true;
}

/* Prefix length after the '/' of an address prefix. */
static int
feed_parse_prefix_len(const char *p, size_t len, unsigned *plen,
		      const char **why)
{
	unsigned long v;
	int rc;

	if (len == 0) {
		*why = "prefix length missing after '/'";
		return -EINVAL;
	}
	rc = feed_parse_uint(p, len, 128, &v);
	if (rc == -EINVAL) {
		*why = "prefix length is not a decimal number";
		return -EINVAL;
	}
	if (rc == -ERANGE) {
		*why = "prefix length out of range, use 1..32 for IPv4, 1..128 for IPv6";
		return -EINVAL;
	}
	*plen = (unsigned)v;
	return 0;
}

/*
 * Address prefix "network/length". Host bits after the length are an
 * error, not rounded off: "198.51.100.1/24" may be a typo for the host
 * 198.51.100.1, and blocking its whole /24 would hit 255 other hosts.
 */
static int
feed_parse_cidr(const char *buf, size_t len, const char *slash,
		struct c2w_ioc *ioc, const char **why)
{
	size_t alen = (size_t)(slash - buf);
	unsigned plen, width;
	bool has_port;

	if (feed_parse_endpoint(buf, alen, true, ioc, &has_port, why) < 0)
		return -EINVAL;
	if (has_port) {
		*why = "address prefix cannot have a port";
		return -EINVAL;
	}
	if (feed_parse_prefix_len(slash + 1, len - alen - 1, &plen, why) < 0)
		return -EINVAL;
	if (ioc->family == 4 && plen > 32) {
		*why = "prefix length out of range, use 1..32 for IPv4, 1..128 for IPv6";
		return -EINVAL;
	}
	/* ::ffff:198.51.100.0/120 is the IPv4 prefix 198.51.100.0/24. */
	feed_unmap_ipv4(ioc);
	if (ioc->family == 4 && memchr(buf, ':', alen) != NULL) {
		if (plen < 96) {
			*why = "IPv4-mapped prefix must be /96 or longer";
			return -EINVAL;
		}
		plen -= 96;
	}
	if (plen == 0) {
		*why = "prefix length 0 matches every address, list the networks instead";
		return -EINVAL;
	}
	if (!feed_is_network(ioc->addr, plen)) {
		*why = "host bits are set after the prefix length, write the network address";
		return -EINVAL;
	}
	width = ioc->family == 4 ? 32 : 128;
	ioc->port = 0;
	ioc->prefix = (uint8_t)plen;
	if (plen == width) {
		ioc->kind = C2W_IOC_IP;
		return feed_check_host_addr(ioc, why);
	}
	ioc->kind = C2W_IOC_CIDR;
	return feed_check_cidr_range(ioc, why);
}

static int
feed_parse_refanged(const char *buf, size_t len, struct c2w_ioc *ioc,
		    const char **why)
{
	const char *sep = feed_memmem(buf, len, "://"), *slash;
	bool has_port = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (feed_is_space(buf[i]) || (unsigned char)buf[i] < 0x20) {
			*why = "contains spaces or control characters, one indicator per line";
			return -EINVAL;
		}
	}
	if (sep != NULL) {
		if (feed_parse_url(buf, len, sep, ioc, why) < 0)
			return -EINVAL;
		has_port = true;
	} else {
		slash = memchr(buf, '/', len);
		if (slash != NULL)
			return feed_parse_cidr(buf, len, slash, ioc, why);
		if (feed_parse_endpoint(buf, len, true, ioc, &has_port, why))
			return -EINVAL;
	}
	feed_unmap_ipv4(ioc);
	ioc->kind = has_port ? C2W_IOC_IP_PORT : C2W_IOC_IP;
	ioc->prefix = ioc->family == 4 ? 32 : 128;
	if (!has_port)
		ioc->port = 0;
	return feed_check_host_addr(ioc, why);
}

int
c2w_feed_parse_indicator(const char *text, size_t len, struct c2w_ioc *ioc,
			 const char **why)
{
	char buf[FEED_MAX_VALUE + 1];
	const char *dummy;
	int n;

	if (why == NULL)
		why = &dummy;
	if (text == NULL || ioc == NULL) {
		*why = "no indicator text";
		return -EINVAL;
	}
	n = feed_refang(feed_str_make(text, len), buf, sizeof(buf));
	if (n < 0) {
		*why = "indicator longer than 2048 bytes";
		return -EINVAL;
	}
	if (n == 0) {
		*why = "empty indicator";
		return -EINVAL;
	}
	memset(ioc->addr, 0, sizeof(ioc->addr));
	ioc->port = 0;
	ioc->family = 0;
	ioc->prefix = 0;
	return feed_parse_refanged(buf, (size_t)n, ioc, why);
}

const char *
c2w_ioc_kind_name(enum c2w_ioc_kind kind)
{
	static const char *const names[C2W_IOC_KIND_MAX] = {
		[C2W_IOC_IP_PORT] = "ip:port",
		[C2W_IOC_IP] = "ip",
		[C2W_IOC_CIDR] = "cidr",
		[C2W_IOC_DOMAIN] = "domain",
		[C2W_IOC_URL] = "url",
		[C2W_IOC_HASH] = "hash",
		[C2W_IOC_OTHER] = "other",
	};

	if ((unsigned)kind >= C2W_IOC_KIND_MAX)
		return "invalid";
	return names[kind];
}

/* Canonical text of an IP indicator: "a.b.c.d", "a.b.c.d:p", "[v6]:p",
 * "a.b.c.0/24". */
static size_t
feed_format_ip(const struct c2w_ioc *ioc, char *buf, size_t cap)
{
	char addr[INET6_ADDRSTRLEN];
	int n;

	inet_ntop(ioc->family == 4 ? AF_INET : AF_INET6, ioc->addr, addr,
		  sizeof(addr));
	if (ioc->kind == C2W_IOC_CIDR)
		n = snprintf(buf, cap, "%s/%u", addr, ioc->prefix);
	else if (ioc->kind == C2W_IOC_IP)
		n = snprintf(buf, cap, "%s", addr);
	else if (ioc->family == 4)
		n = snprintf(buf, cap, "%s:%u", addr, ioc->port);
	else
		n = snprintf(buf, cap, "[%s]:%u", addr, ioc->port);
	return n < 0 ? 0 : (size_t)n;
}

/* ---------------------------------------------------------------- */
/* Non-IP kinds: domains, URLs, file hashes                          */
/* ---------------------------------------------------------------- */

/* Host name: dot-separated labels, the last one not all digits. */
static bool
feed_is_domain(const char *p, size_t len)
{
	size_t i, label = 0;
	unsigned labels = 1;
	bool alpha_in_last = false;

	if (len == 0 || len > 253 || p[0] == '.' || p[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		char c = p[i];

		if (c == '.') {
			if (label == 0 || p[i - 1] == '-')
				return false;
			labels++;
			label = 0;
			alpha_in_last = false;
			continue;
		}
		if (!feed_is_alpha(c) && !feed_is_digit(c) && c != '-' &&
		    c != '_')
			return false;
		if (label == 0 && c == '-')
			return false;
		if (++label > 63)
			return false;
		if (feed_is_alpha(c))
			alpha_in_last = true;
	}
	return labels >= 2 && alpha_in_last && p[len - 1] != '-';
}

static bool
feed_is_hash(const char *p, size_t len)
{
	size_t i;

	/* md5, sha1, sha256, sha384 (sha3-384), sha512 */
	if (len != 32 && len != 40 && len != 64 && len != 96 && len != 128)
		return false;
	for (i = 0; i < len; i++)
		if (!feed_is_hex(p[i]))
			return false;
	return true;
}

static bool
feed_is_printable(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7f)
			return false;
	return len > 0;
}

/* RFC 3986 scheme: a letter, then letters, digits, '+', '-' or '.'. */
static bool
feed_is_scheme(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || !feed_is_alpha(p[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!feed_is_alpha(p[i]) && !feed_is_digit(p[i]) &&
		    p[i] != '+' && p[i] != '-' && p[i] != '.')
			return false;
	return true;
}

/*
 * Check that a URL has a valid scheme and that its host is a host name
 * or an IP literal, optionally with user info before it and a port
 * after it.
 */
static bool
feed_url_ok(const char *url, size_t len)
{
	const char *sep = feed_memmem(url, len, "://");
	const char *host, *end = url + len, *at, *colon;
	struct c2w_ioc ioc;
	const char *why;
	bool has_port;
	size_t hlen;

	if (sep == NULL || !feed_is_scheme(url, (size_t)(sep - url)))
		return false;
	host = sep + 3;
	hlen = strcspn(host, "/?#");
	if (hlen > (size_t)(end - host))
		hlen = (size_t)(end - host);
	at = memchr(host, '@', hlen);
	if (at != NULL) {
		hlen -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	if (hlen > 0 && (host[0] == '[' || feed_is_digit(host[0])) &&
	    feed_parse_endpoint(host, hlen, false, &ioc, &has_port, &why) == 0)
		return true;
	colon = memchr(host, ':', hlen);
	if (colon != NULL) {
		unsigned long port;

		if (feed_parse_uint(colon + 1, hlen - (size_t)(colon + 1 - host),
				    65535, &port) < 0)
			return false;
		hlen = (size_t)(colon - host);
	}
	return feed_is_domain(host, hlen);
}

/*
 * Check and normalise a non-IP value in place: domains and hashes are
 * lower-cased because they compare without case.
 */
static int
feed_check_text_kind(enum c2w_ioc_kind kind, char *buf, size_t len,
		     const char **why)
{
	const char *sep;
	size_t i;

	if (!feed_is_printable(buf, len)) {
		*why = "contains spaces or control characters";
		return -EINVAL;
	}
	if (kind == C2W_IOC_DOMAIN || kind == C2W_IOC_HASH)
		for (i = 0; i < len; i++)
			buf[i] = feed_lower(buf[i]);
	if (kind == C2W_IOC_DOMAIN && !feed_is_domain(buf, len)) {
		*why = "invalid domain name";
		return -EINVAL;
	}
	if (kind == C2W_IOC_HASH && !feed_is_hash(buf, len)) {
		*why = "file hash must be 32, 40, 64, 96 or 128 hex digits";
		return -EINVAL;
	}
	sep = feed_memmem(buf, len, "://");
	if (kind == C2W_IOC_URL && (sep == NULL || sep == buf)) {
		*why = "URL has no scheme://";
		return -EINVAL;
	}
	if (kind == C2W_IOC_URL && !feed_url_ok(buf, len)) {
		*why = "URL scheme or host is invalid, expected scheme://host/...";
		return -EINVAL;
	}
	return 0;
}

/*
 * Guess the kind of a plain-list entry that is not an IP indicator.
 * Returns C2W_IOC_KIND_MAX when the entry matches no known kind.
 */
static enum c2w_ioc_kind
feed_guess_text_kind(const char *buf, size_t len, const char *ip_why)
{
	if (ip_why == reason_url_host_name)
		return C2W_IOC_URL;
	if (feed_memmem(buf, len, "://") != NULL)
		return C2W_IOC_KIND_MAX;
	if (feed_is_hash(buf, len))
		return C2W_IOC_HASH;
	if (feed_is_domain(buf, len))
		return C2W_IOC_DOMAIN;
	return C2W_IOC_KIND_MAX;
}

/* ---------------------------------------------------------------- */
/* Record fields: kind, times, confidence                            */
/* ---------------------------------------------------------------- */

/* Empty, "None" (ThreatFox CSV) and "null" all mean "no value". */
static struct feed_str
feed_field(struct feed_str s)
{
	s = feed_str_trim(s);
	if (feed_str_eq(s, "None") || feed_str_eq(s, "null"))
		s.len = 0;
	return s;
}

/* ThreatFox ioc_type to kind; -1 when the record gives no type. */
static int
feed_kind_from_type(struct feed_str type)
{
	type = feed_field(type);
	if (type.p == NULL || type.len == 0)
		return -1;
	if (feed_str_eq(type, "ip:port"))
		return C2W_IOC_IP_PORT;
	if (feed_str_eq(type, "ip") || feed_str_eq(type, "ipv4") ||
	    feed_str_eq(type, "ipv6"))
		return C2W_IOC_IP;
	/* ThreatFox has no prefix type; other feeds and lists use these. */
	if (feed_str_eq(type, "ip-cidr") || feed_str_eq(type, "cidr"))
		return C2W_IOC_CIDR;
	if (feed_str_eq(type, "domain"))
		return C2W_IOC_DOMAIN;
	if (feed_str_eq(type, "url"))
		return C2W_IOC_URL;
	if (type.len > 5 && memcmp(type.p + type.len - 5, "_hash", 5) == 0)
		return C2W_IOC_HASH;
	return C2W_IOC_OTHER;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
feed_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	unsigned mp = m > 2 ? m - 3 : m + 9;  /* months since March */
	unsigned yoe, doy, doe;
	int64_t era;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * mp + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool
feed_take_uint(struct feed_str *s, size_t digits, unsigned long *v)
{
	if (s->len < digits || feed_parse_uint(s->p, digits, 9999, v) < 0)
		return false;
	s->p += digits;
	s->len -= digits;
	return true;
}

static bool
feed_take_char(struct feed_str *s, const char *set)
{
	if (s->len == 0 || strchr(set, s->p[0]) == NULL)
		return false;
	s->p++;
	s->len--;
	return true;
}

/*
 * "YYYY-MM-DD HH:MM:SS" in UTC as ThreatFox writes it, also with a 'T',
 * a fraction and a "UTC", "Z" or "+00:00" suffix.
 */
static int
feed_parse_time(struct feed_str s, int64_t *out, const char **why)
{
	static const unsigned mdays[] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	unsigned long y, mo, d, h, mi, se;
	bool leap;

	s = feed_field(s);
	if (s.len == 0) {
		*out = C2W_IOC_TIME_UNKNOWN;
		return 0;
	}
	*why = "time is not \"YYYY-MM-DD HH:MM:SS\" in UTC";
	if (!feed_take_uint(&s, 4, &y) || !feed_take_char(&s, "-") ||
	    !feed_take_uint(&s, 2, &mo) || !feed_take_char(&s, "-") ||
	    !feed_take_uint(&s, 2, &d) || !feed_take_char(&s, " T") ||
	    !feed_take_uint(&s, 2, &h) || !feed_take_char(&s, ":") ||
	    !feed_take_uint(&s, 2, &mi) || !feed_take_char(&s, ":") ||
	    !feed_take_uint(&s, 2, &se))
		return -EINVAL;
	if (feed_take_char(&s, "."))
		while (s.len > 0 && feed_is_digit(s.p[0]))
			feed_take_char(&s, "0123456789");
	s = feed_str_trim(s);
	if (s.len != 0 && !feed_str_eq(s, "UTC") && !feed_str_eq(s, "Z") &&
	    !feed_str_eq(s, "+00:00"))
		return -EINVAL;

	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 60) {
		*why = "time has a field out of range";
		return -EINVAL;
	}
	*out = feed_days_from_civil((int64_t)y, (unsigned)mo, (unsigned)d) *
	       86400 + (int64_t)(h * 3600 + mi * 60 + se);
	return 0;
}

static int
feed_parse_confidence(struct feed_str s, uint8_t *out, const char **why)
{
	unsigned long v;

	s = feed_field(s);
	if (s.len == 0) {
		*out = 100;
		return 0;
	}
	if (feed_parse_uint(s.p, s.len, 100, &v) < 0) {
		*why = "confidence_level must be a whole number 0..100";
		return -EINVAL;
	}
	*out = (uint8_t)v;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Reports                                                           */
/* ---------------------------------------------------------------- */

/* Copy a value for a report line: printable ASCII, cut to a limit. */
static void
feed_quote(struct feed_str s, char *out, size_t cap)
{
	size_t i;

	/* cap leaves room for "..." and the NUL */
	for (i = 0; i < s.len && i + 4 < cap; i++) {
		unsigned char c = (unsigned char)s.p[i];

		out[i] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
	}
	if (i < s.len) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

static void
feed_report(struct feed_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
feed_report(struct feed_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->opts->report == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(ctx->opts->report, fmt, ap);
	va_end(ap);
}

/*
 * Count and list one rejected record. Strict loads stop at the first.
 *
 * @return 0 to go on, -EINVAL in strict mode.
 */
static int
feed_reject(struct feed_ctx *ctx, const struct feed_record *rec,
	    const char *why)
{
	char value[FEED_REPORT_VALUE + 4];

	ctx->st.rejected++;
	if (ctx->reports++ < ctx->max_reports) {
		feed_quote(feed_str_trim(rec->value), value, sizeof(value));
		if (rec->line != 0)
			feed_report(ctx, "%s:%lu: \"%s\": rejected: %s\n",
				    ctx->path, rec->line, value, why);
		else
			feed_report(ctx, "%s: record %lu: \"%s\": rejected: %s\n",
				    ctx->path, rec->index, value, why);
	}
	return ctx->opts->strict ? -EINVAL : 0;
}

static void
feed_report_summary(struct feed_ctx *ctx)
{
	if (ctx->reports > ctx->max_reports)
		feed_report(ctx, "%s: %u more rejected records not listed\n",
			    ctx->path, ctx->reports - ctx->max_reports);
	if (ctx->st.aged > 0)
		feed_report(ctx, "%s: %" PRIu64 " records dropped: %s more than "
			    "%" PRIu64 " s ago\n", ctx->path, ctx->st.aged,
			    ctx->opts->age_by == C2W_FEED_AGE_FIRST_SEEN ?
			    "first seen" : "last seen", ctx->opts->max_age_s);
}

/*
 * True when an indicator is older than opts->max_age_s. An unknown time
 * never ages out: a plain list gives none, and dropping every entry of
 * such a list would be worse than keeping stale ones.
 */
static bool
feed_is_aged(const struct feed_ctx *ctx, const struct c2w_ioc *ioc)
{
	uint64_t max_age = ctx->opts->max_age_s;
	int64_t t = ioc->last_seen;

	if (max_age == 0)
		return false;
	if (ctx->opts->age_by == C2W_FEED_AGE_FIRST_SEEN ||
	    t == C2W_IOC_TIME_UNKNOWN)
		t = ioc->first_seen;
	if (t == C2W_IOC_TIME_UNKNOWN || t >= ctx->now)
		return false;
	return (uint64_t)ctx->now - (uint64_t)t > max_age;
}

/* ---------------------------------------------------------------- */
/* From record to indicator                                          */
/* ---------------------------------------------------------------- */

/*
 * Reason why a parsed IP value does not fit the record's ioc_type, or
 * NULL when it fits. "198.51.100.7/32" fits both ip and ip-cidr.
 */
static const char *
feed_kind_mismatch(int kind, const struct c2w_ioc *ioc, struct feed_str value)
{
	bool slash = memchr(value.p, '/', value.len) != NULL;

	if (kind < 0 || kind == ioc->kind)
		return NULL;
	if (ioc->kind == C2W_IOC_CIDR)
		return "ioc_type is ip or ip:port but the value is an address prefix";
	if (kind == C2W_IOC_CIDR && ioc->kind == C2W_IOC_IP && slash)
		return NULL;
	if (kind == C2W_IOC_CIDR)
		return "ioc_type is ip-cidr but the value has no /prefix length";
	if (kind == C2W_IOC_IP_PORT)
		return "ioc_type is ip:port but the value has no port";
	return "ioc_type is ip but the value has a port";
}

/*
 * Parse the value of a record into ioc and its canonical text in buf.
 * kind < 0 means the input format gives no type (plain lists).
 */
static int
feed_record_value(int kind, struct feed_str value, struct c2w_ioc *ioc,
		  char *buf, size_t cap, size_t *len, const char **why)
{
	enum c2w_ioc_kind guess;
	int n, rc;

	if (kind < 0 || kind == C2W_IOC_IP_PORT || kind == C2W_IOC_IP ||
	    kind == C2W_IOC_CIDR) {
		rc = c2w_feed_parse_indicator(value.p, value.len, ioc, why);
		if (rc == 0) {
			*why = feed_kind_mismatch(kind, ioc, value);
			if (*why != NULL)
				return -EINVAL;
			*len = feed_format_ip(ioc, buf, cap);
			return 0;
		}
		if (kind >= 0)
			return rc;
	}

	n = feed_refang(value, buf, cap);
	if (n <= 0) {
		*why = n == 0 ? "empty indicator" : "indicator longer than 2048 bytes";
		return -EINVAL;
	}
	if (kind < 0) {
		guess = feed_guess_text_kind(buf, (size_t)n, *why);
		/* Otherwise the report gives the IP parser's reason. */
		if (guess == C2W_IOC_KIND_MAX)
			return -EINVAL;
		kind = (int)guess;
	}
	ioc->kind = (uint8_t)kind;
	ioc->family = 0;
	ioc->port = 0;
	ioc->prefix = 0;
	memset(ioc->addr, 0, sizeof(ioc->addr));
	*len = (size_t)n;
	return feed_check_text_kind((enum c2w_ioc_kind)kind, buf, *len, why);
}

/*
 * Check one record and add it to this file's set.
 *
 * @return 0 (added, merged or rejected), -EINVAL in strict mode on an
 *   invalid record, -ENOMEM.
 */
static int
feed_add_record(struct feed_ctx *ctx, const struct feed_record *rec)
{
	char value[FEED_MAX_VALUE + 1];
	char source[PATH_MAX + 32];
	struct c2w_ioc ioc;
	struct feed_text text;
	const char *why = "invalid record";
	size_t vlen = 0;
	int rc;

	memset(&ioc, 0, sizeof(ioc));
	if (feed_record_value(feed_kind_from_type(rec->type), rec->value, &ioc,
			      value, sizeof(value), &vlen, &why) < 0 ||
	    feed_parse_time(rec->first_seen, &ioc.first_seen, &why) < 0 ||
	    feed_parse_time(rec->last_seen, &ioc.last_seen, &why) < 0 ||
	    feed_parse_confidence(rec->confidence, &ioc.confidence, &why) < 0)
		return feed_reject(ctx, rec, why);
	/* Each record ages by its own times, before duplicates merge. */
	if (feed_is_aged(ctx, &ioc)) {
		ctx->st.aged++;
		return 0;
	}

	if (rec->line != 0)
		rc = snprintf(source, sizeof(source), "%s:%lu", ctx->path,
			      rec->line);
	else
		rc = snprintf(source, sizeof(source), "%s:record %lu",
			      ctx->path, rec->index);
	text.value = feed_str_make(value, vlen);
	text.id = feed_field(rec->id);
	text.threat_type = feed_field(rec->threat_type);
	text.malware = feed_field(rec->malware);
	text.tags = feed_field(rec->tags);
	text.reference = feed_field(rec->reference);
	text.source = feed_str_make(source, rc < 0 ? 0 :
				    strnlen(source, sizeof(source)));

	rc = feed_set_put(&ctx->set, &ioc, &text, NULL);
	if (rc == 0)
		ctx->st.duplicates++;
	return rc < 0 ? rc : 0;
}

/* Grow the per-load scratch buffer to at least need bytes. */
static int
feed_scratch_reserve(struct feed_ctx *ctx, size_t need)
{
	char *p;

	if (need <= ctx->scratch_cap)
		return 0;
	p = realloc(ctx->scratch, need);
	if (p == NULL)
		return -ENOMEM;
	ctx->scratch = p;
	ctx->scratch_cap = need;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Plain lists                                                       */
/* ---------------------------------------------------------------- */

struct feed_lines {
	const char *p;
	const char *end;
	unsigned long no;          /* number of the line last returned */
};

static bool
feed_next_line(struct feed_lines *it, struct feed_str *line)
{
	const char *nl;

	if (it->p >= it->end)
		return false;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	if (nl == NULL)
		nl = it->end;
	line->p = it->p;
	line->len = (size_t)(nl - it->p);
	if (line->len > 0 && line->p[line->len - 1] == '\r')
		line->len--;
	it->p = nl < it->end ? nl + 1 : nl;
	it->no++;
	return true;
}

static bool
feed_is_comment(struct feed_str s)
{
	return s.len > 0 && (s.p[0] == '#' || s.p[0] == ';' ||
			     (s.len > 1 && s.p[0] == '/' && s.p[1] == '/'));
}

/* Cut a trailing comment: '#' or ';' after a space starts one. */
static struct feed_str
feed_cut_comment(struct feed_str s)
{
	size_t i;

	for (i = 1; i < s.len; i++)
		if ((s.p[i] == '#' || s.p[i] == ';') && feed_is_space(s.p[i - 1])) {
			s.len = i;
			break;
		}
	return feed_str_trim(s);
}

static int
feed_load_plain(struct feed_ctx *ctx, const char *buf, size_t len)
{
	struct feed_lines it = { buf, buf + len, 0 };
	struct feed_record rec;
	struct feed_str line;
	int rc;

	while (feed_next_line(&it, &line)) {
		ctx->st.lines++;
		line = feed_str_trim(line);
		if (line.len == 0 || feed_is_comment(line))
			continue;
		memset(&rec, 0, sizeof(rec));
		rec.line = it.no;
		rec.index = it.no;
		rec.value = feed_cut_comment(line);
		rc = feed_add_record(ctx, &rec);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* ThreatFox CSV                                                     */
/* ---------------------------------------------------------------- */

/* Column of each field used, -1 when the header does not name it. */
struct feed_csv_cols {
	int value, type, id, threat_type, malware, malware_fk, tags;
	int reference, first_seen, last_seen, confidence;
	unsigned n;                /* columns the header names */
};

/* Column order of the ThreatFox CSV export without is_compromised. */
static const char *const feed_csv_default[] = {
	"first_seen_utc", "ioc_id", "ioc_value", "ioc_type", "threat_type",
	"fk_malware", "malware_alias", "malware_printable", "last_seen_utc",
	"confidence_level", "reference", "tags", "anonymous", "reporter",
};

static void
feed_csv_map(struct feed_csv_cols *cols, struct feed_str name, int col)
{
	static const struct {
		const char *name;
		size_t off;
	} map[] = {
		{ "ioc_value", offsetof(struct feed_csv_cols, value) },
		{ "ioc", offsetof(struct feed_csv_cols, value) },
		{ "ioc_type", offsetof(struct feed_csv_cols, type) },
		{ "ioc_id", offsetof(struct feed_csv_cols, id) },
		{ "id", offsetof(struct feed_csv_cols, id) },
		{ "threat_type", offsetof(struct feed_csv_cols, threat_type) },
		{ "malware_printable", offsetof(struct feed_csv_cols, malware) },
		{ "fk_malware", offsetof(struct feed_csv_cols, malware_fk) },
		{ "malware", offsetof(struct feed_csv_cols, malware_fk) },
		{ "tags", offsetof(struct feed_csv_cols, tags) },
		{ "reference", offsetof(struct feed_csv_cols, reference) },
		{ "first_seen_utc", offsetof(struct feed_csv_cols, first_seen) },
		{ "first_seen", offsetof(struct feed_csv_cols, first_seen) },
		{ "last_seen_utc", offsetof(struct feed_csv_cols, last_seen) },
		{ "last_seen", offsetof(struct feed_csv_cols, last_seen) },
		{ "confidence_level", offsetof(struct feed_csv_cols, confidence) },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (feed_str_eq(name, map[i].name)) {
			memcpy((char *)cols + map[i].off, &col, sizeof(col));
			return;
		}
}

static void
feed_csv_cols_reset(struct feed_csv_cols *cols)
{
	cols->value = cols->type = cols->id = cols->threat_type = -1;
	cols->malware = cols->malware_fk = cols->tags = cols->reference = -1;
	cols->first_seen = cols->last_seen = cols->confidence = -1;
	cols->n = 0;
}

/* Append one byte to the scratch buffer, growing it as needed. */
static int
feed_scratch_put(struct feed_ctx *ctx, size_t *o, char c)
{
	if (*o + 1 >= ctx->scratch_cap &&
	    feed_scratch_reserve(ctx, ctx->scratch_cap < 256 ? 256 :
				 ctx->scratch_cap * 2) < 0)
		return -ENOMEM;
	ctx->scratch[(*o)++] = c;
	return 0;
}

/* Skip to the byte after the end of the current line. */
static const char *
feed_skip_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl != NULL ? nl + 1 : end;
}

/*
 * Copy one quoted field at *pp (on the opening quote) to scratch: a
 * doubled quote stands for one, line breaks count into *lines.
 */
static int
feed_csv_quoted(struct feed_ctx *ctx, const char **pp, const char *end,
		size_t *o, unsigned long *lines, const char **why)
{
	const char *p = *pp + 1;

	for (;; p++) {
		if (p >= end) {
			*why = "quoted field has no closing quote";
			*pp = p;
			return -EINVAL;
		}
		if (*p == '"' && (p + 1 >= end || p[1] != '"'))
			break;
		if (*p == '"')
			p++;
		if (*p == '\n')
			(*lines)++;
		if (feed_scratch_put(ctx, o, *p) < 0)
			return -ENOMEM;
	}
	/* ThreatFox writes ", " between fields: skip blanks to the comma. */
	for (p++; p < end && (*p == ' ' || *p == '\t' || *p == '\r'); p++)
		;
	*pp = p;
	if (p < end && *p != ',' && *p != '\n') {
		*why = "text after a closing quote";
		return -EINVAL;
	}
	return 0;
}

/*
 * Split one CSV record starting at *pos and leave *pos after it.
 * Field text goes to the scratch buffer, which may move while it
 * grows, so offsets are kept until the record is complete.
 *
 * @return 0, -EINVAL with *why set, or -ENOMEM.
 */
static int
feed_csv_split(struct feed_ctx *ctx, const char **pos, const char *end,
	       struct feed_str *field, unsigned *nfield, unsigned long *lines,
	       const char **why)
{
	size_t start[FEED_CSV_MAX_FIELDS], o = 0, from;
	const char *p = *pos;
	unsigned n = 0, i;
	int rc;

	/* Fields point into scratch even when all are empty. */
	if (feed_scratch_reserve(ctx, 256) < 0)
		return -ENOMEM;
	*lines = 1;
	for (;;) {
		from = o;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == '"') {
			rc = feed_csv_quoted(ctx, &p, end, &o, lines, why);
			if (rc < 0) {
				*pos = rc == -EINVAL ? feed_skip_line(p, end) : p;
				return rc;
			}
		} else {
			for (; p < end && *p != ',' && *p != '\n'; p++)
				if (feed_scratch_put(ctx, &o, *p) < 0)
					return -ENOMEM;
		}
		if (n < FEED_CSV_MAX_FIELDS) {
			start[n] = from;
			field[n++].len = o - from;
		}
		if (p >= end || *p == '\n')
			break;
		p++;
	}
	for (i = 0; i < n; i++)
		field[i] = feed_str_trim(feed_str_make(ctx->scratch + start[i],
						       field[i].len));
	*nfield = n;
	*pos = p < end ? p + 1 : p;
	return 0;
}

static struct feed_str
feed_csv_get(const struct feed_str *field, unsigned n, int col)
{
	if (col < 0 || (unsigned)col >= n)
		return feed_str_make("", 0);
	return field[col];
}

/* Parse a header line ("# " stripped) into column numbers. */
static void
feed_csv_header(struct feed_csv_cols *cols, struct feed_str line)
{
	const char *p = line.p, *end = line.p + line.len, *comma;
	struct feed_str name;
	int col = 0;

	feed_csv_cols_reset(cols);
	while (p <= end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		name = feed_str_trim(feed_str_make(p, (size_t)(comma - p)));
		if (name.len >= 2 && name.p[0] == '"' && name.p[name.len - 1] == '"')
			name = feed_str_make(name.p + 1, name.len - 2);
		feed_csv_map(cols, name, col++);
		p = comma + 1;
	}
	cols->n = (unsigned)col;
}

static void
feed_csv_default_cols(struct feed_csv_cols *cols, unsigned nfield)
{
	struct feed_str name;
	size_t i, n = sizeof(feed_csv_default) / sizeof(feed_csv_default[0]);
	int col = 0;

	feed_csv_cols_reset(cols);
	for (i = 0; i < n; i++) {
		/* Exports with 15 columns add is_compromised before reference. */
		if (nfield == n + 1 && strcmp(feed_csv_default[i], "reference") == 0)
			col++;
		name = feed_str_make(feed_csv_default[i],
				     strlen(feed_csv_default[i]));
		feed_csv_map(cols, name, col++);
	}
	cols->n = (unsigned)col;
}

static void
feed_csv_fill(struct feed_record *rec, const struct feed_csv_cols *cols,
	      const struct feed_str *f, unsigned n)
{
	rec->value = feed_csv_get(f, n, cols->value);
	rec->type = feed_csv_get(f, n, cols->type);
	if (cols->type < 0)
		rec->type.p = NULL;
	rec->id = feed_csv_get(f, n, cols->id);
	rec->threat_type = feed_csv_get(f, n, cols->threat_type);
	rec->malware = feed_field(feed_csv_get(f, n, cols->malware));
	if (rec->malware.len == 0)
		rec->malware = feed_csv_get(f, n, cols->malware_fk);
	rec->tags = feed_csv_get(f, n, cols->tags);
	rec->reference = feed_csv_get(f, n, cols->reference);
	rec->first_seen = feed_csv_get(f, n, cols->first_seen);
	rec->last_seen = feed_csv_get(f, n, cols->last_seen);
	rec->confidence = feed_csv_get(f, n, cols->confidence);
}

/* Read one data record at *pos, already known to be no comment. */
static int
feed_csv_record(struct feed_ctx *ctx, const char **pos, const char *end,
		unsigned long *line_no, struct feed_csv_cols *cols)
{
	struct feed_str field[FEED_CSV_MAX_FIELDS];
	struct feed_record rec;
	unsigned long lines = 1;
	const char *why = "invalid record";
	const char *start = *pos;
	unsigned n = 0;
	int rc;

	memset(&rec, 0, sizeof(rec));
	rec.line = *line_no;
	rec.index = *line_no;
	rc = feed_csv_split(ctx, pos, end, field, &n, &lines, &why);
	*line_no += lines - 1;
	ctx->st.lines += lines - 1;
	if (rc == -EINVAL) {
		rec.value = feed_str_make(start, strcspn(start, "\n"));
		return feed_reject(ctx, &rec, why);
	}
	if (rc < 0)
		return rc;
	if (cols->n == 0)
		feed_csv_default_cols(cols, n);
	if (cols->value < 0 || (unsigned)cols->value >= n) {
		rec.value = feed_str_make(start, strcspn(start, "\n"));
		return feed_reject(ctx, &rec,
				   "record has fewer columns than the header names");
	}
	feed_csv_fill(&rec, cols, field, n);
	return feed_add_record(ctx, &rec);
}

/* A commented or plain header line naming ioc_value. */
static bool
feed_csv_is_header(struct feed_str line, struct feed_str *names)
{
	while (line.len > 0 && (line.p[0] == '#' || feed_is_space(line.p[0]))) {
		line.p++;
		line.len--;
	}
	if (feed_memmem(line.p, line.len, "ioc_value") == NULL &&
	    feed_memmem(line.p, line.len, "\"ioc\"") == NULL)
		return false;
	if (line.len > 0 && line.p[0] != '"' && !feed_is_alpha(line.p[0]))
		return false;
	*names = line;
	return true;
}

static int
feed_load_csv(struct feed_ctx *ctx, const char *buf, size_t len)
{
	struct feed_lines it = { buf, buf + len, 0 };
	struct feed_csv_cols cols;
	struct feed_str line, names;
	const char *at;
	int rc;

	feed_csv_cols_reset(&cols);
	for (;;) {
		at = it.p;
		if (!feed_next_line(&it, &line))
			return 0;
		ctx->st.lines++;
		line = feed_str_trim(line);
		if (line.len == 0)
			continue;
		if (cols.n == 0 && feed_csv_is_header(line, &names)) {
			feed_csv_header(&cols, names);
			continue;
		}
		if (line.p[0] == '#')
			continue;
		/* Parse from the line start again: quotes may span lines. */
		it.p = at;
		rc = feed_csv_record(ctx, &it.p, it.end, &it.no, &cols);
		if (rc < 0)
			return rc;
	}
}

/* ---------------------------------------------------------------- */
/* ThreatFox JSON export and API response                            */
/* ---------------------------------------------------------------- */

/* Scanner of value positions, so JSON rejections name a line. */
struct feed_json_scan {
	unsigned depth;            /* containers open */
	unsigned long line;
	unsigned long *lines;      /* start line of each value at target */
	size_t n, cap;
	bool want_value;           /* after '[', ',' in an array, or ':' */
	uint64_t in_array;         /* bit d: container at depth d is [] */
};

static void
feed_json_scan_mark(struct feed_json_scan *sc, unsigned target)
{
	if (!sc->want_value)
		return;
	sc->want_value = false;
	if (sc->depth != target)
		return;
	if (sc->n < sc->cap)
		sc->lines[sc->n] = sc->line;
	sc->n++;
}

/*
 * Record the line where each value nested target containers deep
 * starts. The text is valid JSON already (jansson parsed it), so the
 * scanner only tracks strings, brackets and separators.
 */
static void
feed_json_scan(struct feed_json_scan *sc, const char *p, size_t len,
	       unsigned target)
{
	const char *end = p + len;

	for (; p < end; p++) {
		char c = *p;

		if (c == '\n')
			sc->line++;
		if (feed_is_space(c))
			continue;
		feed_json_scan_mark(sc, target);
		if (c == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			continue;
		}
		if (c == '[' || c == '{') {
			sc->depth++;
			if (sc->depth < 64)
				sc->in_array = (sc->in_array & ~(1ULL << sc->depth)) |
					       ((uint64_t)(c == '[') << sc->depth);
			sc->want_value = c == '[';
		} else if (c == ']' || c == '}') {
			sc->depth--;
			sc->want_value = false;
		} else if (c == ':') {
			sc->want_value = true;
		} else if (c == ',') {
			sc->want_value = sc->depth < 64 &&
					 (sc->in_array >> sc->depth & 1);
		}
	}
}

/*
 * Text of a JSON field. Integers are printed into num when num is not
 * NULL; a list of strings is joined with ',' into the scratch buffer
 * when list is true (API responses give tags as a list, exports as
 * "a,b").
 *
 * @return 0, -EINVAL on a JSON type the field cannot have, -ENOMEM.
 */
static int
feed_json_text(struct feed_ctx *ctx, json_t *obj, const char *key,
	       struct feed_str *out, char *num, size_t num_cap, bool list)
{
	json_t *v = json_object_get(obj, key);
	json_t *item;
	size_t i, o = 0;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		*out = feed_str_make(json_string_value(v), json_string_length(v));
		return 0;
	}
	if (json_is_integer(v) && num != NULL) {
		snprintf(num, num_cap, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		*out = feed_str_make(num, strlen(num));
		return 0;
	}
	if (!json_is_array(v) || !list)
		return -EINVAL;
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return -EINVAL;
		if (feed_scratch_reserve(ctx, o + json_string_length(item) + 2) < 0)
			return -ENOMEM;
		if (o > 0)
			ctx->scratch[o++] = ',';
		memcpy(ctx->scratch + o, json_string_value(item),
		       json_string_length(item));
		o += json_string_length(item);
	}
	*out = feed_str_make(ctx->scratch, o);
	return 0;
}

/* Integers printed from JSON, one buffer per field that may be one. */
struct feed_json_nums {
	char id[24];
	char confidence[24];
};

/* Field names of the export ("ioc_value") and the API ("ioc"). */
static int
feed_json_fields(struct feed_ctx *ctx, json_t *obj, struct feed_record *rec,
		 struct feed_json_nums *num)
{
	int rc = 0;

#define FEED_JSON_GET(key, field, buf, cap, list)                              \
	do {                                                                   \
		if (rc == 0 && rec->field.len == 0)                            \
			rc = feed_json_text(ctx, obj, key, &rec->field, buf,   \
					    cap, list);                        \
	} while (0)

	FEED_JSON_GET("ioc_value", value, NULL, 0, false);
	FEED_JSON_GET("ioc", value, NULL, 0, false);
	FEED_JSON_GET("ioc_type", type, NULL, 0, false);
	FEED_JSON_GET("id", id, num->id, sizeof(num->id), false);
	FEED_JSON_GET("ioc_id", id, num->id, sizeof(num->id), false);
	FEED_JSON_GET("threat_type", threat_type, NULL, 0, false);
	FEED_JSON_GET("malware_printable", malware, NULL, 0, false);
	FEED_JSON_GET("malware", malware, NULL, 0, false);
	FEED_JSON_GET("tags", tags, NULL, 0, true);
	FEED_JSON_GET("reference", reference, NULL, 0, false);
	FEED_JSON_GET("first_seen_utc", first_seen, NULL, 0, false);
	FEED_JSON_GET("first_seen", first_seen, NULL, 0, false);
	FEED_JSON_GET("last_seen_utc", last_seen, NULL, 0, false);
	FEED_JSON_GET("last_seen", last_seen, NULL, 0, false);
	FEED_JSON_GET("confidence_level", confidence, num->confidence,
		      sizeof(num->confidence), false);
#undef FEED_JSON_GET
	return rc;
}

static int
feed_json_record(struct feed_ctx *ctx, json_t *obj, const char *key,
		 unsigned long index, unsigned long line)
{
	struct feed_json_nums num;
	struct feed_record rec;
	int rc;

	memset(&rec, 0, sizeof(rec));
	rec.line = line;
	rec.index = index;
	rec.type.p = NULL;
	ctx->st.lines++;
	if (!json_is_object(obj))
		return feed_reject(ctx, &rec, "record is not a JSON object");
	if (key != NULL)
		rec.id = feed_str_make(key, strlen(key));
	rc = feed_json_fields(ctx, obj, &rec, &num);
	if (rc == -EINVAL)
		return feed_reject(ctx, &rec,
				   "a field has the wrong JSON type: use strings, "
				   "integers for id and confidence_level, "
				   "a list of strings for tags");
	if (rc < 0)
		return rc;
	if (rec.value.len == 0)
		return feed_reject(ctx, &rec, "record has no ioc_value or ioc");
	if (rec.type.len == 0)
		rec.type.p = NULL;
	return feed_add_record(ctx, &rec);
}

/*
 * Walk the records in document order. jansson keeps object items in
 * insertion order since 2.8 (its changelog), so the order matches the
 * line numbers the scanner found.
 */
static int
feed_json_walk(struct feed_ctx *ctx, json_t *root, bool export,
	       const struct feed_json_scan *sc)
{
	unsigned long index = 0;
	const char *key = NULL;
	json_t *group, *rec;
	size_t i;
	int rc;

#define FEED_JSON_LINE (sc->n == sc->cap && index < sc->n ? sc->lines[index] : 0)
	if (!export) {
		json_array_foreach(root, i, rec) {
			rc = feed_json_record(ctx, rec, NULL, index + 1, FEED_JSON_LINE);
			if (rc < 0)
				return rc;
			index++;
		}
		return 0;
	}
	json_object_foreach(root, key, group) {
		if (!json_is_array(group)) {
			rc = feed_json_record(ctx, group, key, ++index, 0);
			if (rc < 0)
				return rc;
			continue;
		}
		json_array_foreach(group, i, rec) {
			rc = feed_json_record(ctx, rec, key, index + 1, FEED_JSON_LINE);
			if (rc < 0)
				return rc;
			index++;
		}
	}
#undef FEED_JSON_LINE
	return 0;
}

static size_t
feed_json_count(json_t *records, bool export)
{
	const char *key;
	json_t *group;
	size_t n = 0;

	if (!export)
		return json_array_size(records);
	json_object_foreach(records, key, group)
		n += json_is_array(group) ? json_array_size(group) : 0;
	return n;
}

/*
 * Find the records: a top-level array, the "data" array of an API
 * response, or an export object mapping each id to an array of records.
 */
static int
feed_json_records(struct feed_ctx *ctx, json_t *root, json_t **records,
		  bool *export, unsigned *depth)
{
	json_t *status;

	*export = false;
	*depth = 2;
	if (json_is_array(root)) {
		*records = root;
		*depth = 1;
		return 0;
	}
	status = json_object_get(root, "query_status");
	if (status == NULL) {
		*records = root;
		*export = true;
		return 0;
	}
	if (json_is_string(status) &&
	    strcmp(json_string_value(status), "no_result") == 0) {
		*records = NULL;
		return 0;
	}
	if (!json_is_string(status) || strcmp(json_string_value(status), "ok")) {
		feed_report(ctx, "%s: API response: query_status \"%.40s\" is not \"ok\": "
			    "save the response of a successful query\n", ctx->path,
			    json_is_string(status) ? json_string_value(status) : "?");
		return -EINVAL;
	}
	if (!json_is_array(json_object_get(root, "data"))) {
		feed_report(ctx, "%s: API response: \"data\" is not a list of records\n",
			    ctx->path);
		return -EINVAL;
	}
	*records = json_object_get(root, "data");
	return 0;
}

/*
 * NOTE: jansson builds the whole document in memory. A 139 MB export of
 * 300k records took 5 s and 920 MB peak RSS to load (3.2 s of it in
 * json_loadb) on a Xeon development VM; the same records as CSV took
 * 0.6 s and 150 MB. Prefer the CSV export for full dumps.
 */
static int
feed_load_json(struct feed_ctx *ctx, const char *buf, size_t len)
{
	struct feed_json_scan sc;
	json_t *root, *records;
	json_error_t err;
	unsigned depth;
	bool export;
	int rc;

	/* Without the flag jansson keeps only the last of two equal keys. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		feed_report(ctx, "%s:%d:%d: invalid JSON: %s\n", ctx->path,
			    err.line, err.column, err.text);
		return -EINVAL;
	}
	rc = feed_json_records(ctx, root, &records, &export, &depth);
	if (rc < 0 || records == NULL)
		goto out_free_root;

	memset(&sc, 0, sizeof(sc));
	sc.line = 1;
	sc.cap = feed_json_count(records, export);
	sc.lines = calloc(sc.cap + 1, sizeof(*sc.lines));
	if (sc.lines == NULL) {
		rc = -ENOMEM;
		goto out_free_root;
	}
	feed_json_scan(&sc, buf, len, depth);
	rc = feed_json_walk(ctx, records, export, &sc);
	free(sc.lines);
out_free_root:
	json_decref(root);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Files                                                             */
/* ---------------------------------------------------------------- */

static int
feed_read_file(const char *path, char **out, size_t *out_len)
{
	struct stat st;
	size_t len = 0, cap = 65536, got;
	char *buf = NULL, *p;
	FILE *f;
	int rc = 0;

	f = fopen(path, "rb");
	if (f == NULL)
		return -errno;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
		goto out_close;
	}
	/* One allocation for a regular file; a size above the limit
	 * fails below once that much is read. */
	if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < FEED_MAX_TABLE_BYTES)
		cap = (size_t)st.st_size + 2;
	/* Read in chunks: pipes and /proc files report no size. */
	for (;;) {
		if (len + 1 >= cap || buf == NULL) {
			if (buf != NULL)
				cap *= 2;
			p = realloc(buf, cap);
			if (p == NULL) {
				rc = -ENOMEM;
				goto out_close;
			}
			buf = p;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (len > (c2w_feedbin_is_table(buf, len) ? FEED_MAX_TABLE_BYTES :
			   FEED_MAX_FILE_BYTES)) {
			rc = -EFBIG;
			goto out_close;
		}
		if (got == 0)
			break;
	}
	if (ferror(f))
		rc = -EIO;
out_close:
	fclose(f);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

static enum c2w_feed_format
feed_detect(const char *buf, size_t len)
{
	struct feed_lines it = { buf, buf + len, 0 };
	struct feed_str line, names;
	size_t i = 0;

	while (i < len && feed_is_space(buf[i]))
		i++;
	if (i < len && buf[i] == '{')
		return C2W_FEED_JSON;
	/* A JSON array of records, not "[2001:db8::1]:443" in a plain list */
	if (i < len && buf[i] == '[') {
		for (i++; i < len && feed_is_space(buf[i]); i++)
			;
		if (i == len || buf[i] == '{' || buf[i] == ']' || buf[i] == '"')
			return C2W_FEED_JSON;
	}
	while (feed_next_line(&it, &line)) {
		line = feed_str_trim(line);
		if (line.len == 0)
			continue;
		if (feed_csv_is_header(line, &names))
			return C2W_FEED_CSV;
		if (line.p[0] == '#' || line.p[0] == ';')
			continue;
		/* The first record decides: CSV records start with a quote. */
		return line.p[0] == '"' ? C2W_FEED_CSV : C2W_FEED_PLAIN;
	}
	return C2W_FEED_PLAIN;
}

/* ---------------------------------------------------------------- */
/* Binary tables                                                     */
/* ---------------------------------------------------------------- */

/*
 * Load a binary table into this file's set, then drop the indicators
 * that are too old. A table holds only valid, merged indicators, so
 * any invalid record means the file is damaged and fails the load in
 * strict and non-strict mode alike.
 */
static int
feed_load_table(struct feed_ctx *ctx, const char *buf, size_t len)
{
	struct c2w_ioc_set *set = &ctx->set;
	char err[256];
	size_t i, kept = 0;
	int rc;

	rc = c2w_feedbin_decode(buf, len, set, err, sizeof(err));
	if (rc < 0) {
		feed_report(ctx, "%s: binary indicator table rejected: %s\n",
			    ctx->path, err);
		return rc;
	}
	ctx->st.lines += set->n;
	for (i = 0; i < set->n; i++) {
		if (feed_is_aged(ctx, &set->v[i])) {
			ctx->st.aged++;
			continue;
		}
		set->v[kept++] = set->v[i];
	}
	set->n = kept;
	return 0;
}

/*
 * A binary table, also with one byte of its magic damaged, so that such
 * a file fails with the reason and is not read as a list of garbage.
 * No text feed starts with byte 0x89, which UTF-8 never puts first.
 */
static bool
feed_looks_binary(const char *buf, size_t len)
{
	return (len > 0 && (unsigned char)buf[0] == 0x89) ||
	       (len >= 5 && memcmp(buf + 1, &C2W_FEEDBIN_MAGIC[1], 4) == 0);
}

static int
feed_load_buffer(struct feed_ctx *ctx, const char *buf, size_t len)
{
	enum c2w_feed_format fmt = ctx->opts->format;
	int rc;

	/* UTF-8 byte order mark, as editors on Windows write it */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (fmt == C2W_FEED_AUTO && feed_looks_binary(buf, len))
		fmt = C2W_FEED_BINARY;
	if (fmt == C2W_FEED_AUTO)
		fmt = feed_detect(buf, len);
	switch (fmt) {
	case C2W_FEED_BINARY:
		rc = feed_load_table(ctx, buf, len);
		break;
	case C2W_FEED_JSON:
		rc = feed_load_json(ctx, buf, len);
		break;
	case C2W_FEED_CSV:
		rc = feed_load_csv(ctx, buf, len);
		break;
	case C2W_FEED_PLAIN:
		rc = feed_load_plain(ctx, buf, len);
		break;
	default:
		feed_report(ctx, "%s: feed format %d unknown: use auto, csv, json, plain or binary\n",
			    ctx->path, (int)fmt);
		return -EINVAL;
	}
	if (rc == 0)
		feed_report_summary(ctx);
	return rc;
}

/* Move this file's indicators into the caller's set. */
static int
feed_merge_into(struct c2w_ioc_set *dst, const struct c2w_ioc_set *src,
		struct c2w_feed_stats *st, struct feed_undo *undo)
{
	struct feed_text text;
	size_t i;
	int rc;

	for (i = 0; i < src->n; i++) {
		const struct c2w_ioc *ioc = &src->v[i];
		const char *s;

#define FEED_TEXT(field)                                                      \
		(s = c2w_ioc_str(src, ioc->field), feed_str_make(s, strlen(s)))
		text.value = FEED_TEXT(value);
		text.id = FEED_TEXT(id);
		text.threat_type = FEED_TEXT(threat_type);
		text.malware = FEED_TEXT(malware);
		text.tags = FEED_TEXT(tags);
		text.reference = FEED_TEXT(reference);
		text.source = FEED_TEXT(source);
#undef FEED_TEXT
		rc = feed_set_put(dst, ioc, &text, undo);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			st->duplicates++;
			continue;
		}
		st->loaded++;
		st->by_kind[ioc->kind]++;
	}
	return 0;
}

/*
 * Undo a partial merge without allocating: restore changed indicators,
 * drop added ones and their text, and refill the index in place.
 */
static void
feed_rollback(struct c2w_ioc_set *dst, const struct feed_undo *undo,
	      size_t pool_len)
{
	struct feed_index *idx = dst->index;
	size_t i;

	for (i = undo->n; i > 0; i--)
		dst->v[undo->v[i - 1].at] = undo->v[i - 1].old;
	dst->n = undo->limit;
	dst->pool_len = pool_len;
	if (idx == NULL)
		return;
	memset(idx->slot, 0, (idx->mask + 1) * sizeof(*idx->slot));
	feed_index_fill(dst, idx->slot, idx->mask + 1);
}

/*
 * Hand this file's set to an empty caller's set: same result as a
 * merge, without hashing every indicator again, and it cannot fail.
 */
static void
feed_move_into(struct c2w_ioc_set *dst, struct c2w_ioc_set *src,
	       struct c2w_feed_stats *st)
{
	size_t i;

	c2w_ioc_set_free(dst);
	*dst = *src;
	c2w_ioc_set_init(src);
	st->loaded += dst->n;
	for (i = 0; i < dst->n; i++)
		st->by_kind[dst->v[i].kind]++;
}

static int
feed_commit(struct feed_ctx *ctx, struct c2w_ioc_set *set,
	    struct c2w_feed_stats *stats)
{
	struct c2w_feed_stats st = ctx->st;
	struct feed_undo undo = { .limit = set->n };
	size_t pool_len = set->pool_len, i;
	int rc = 0;

	if (set->n == 0) {
		feed_move_into(set, &ctx->set, &st);
	} else {
		rc = feed_merge_into(set, &ctx->set, &st, &undo);
		if (rc < 0)
			feed_rollback(set, &undo, pool_len);
	}
	free(undo.v);
	if (rc < 0 || stats == NULL)
		return rc;
	stats->lines += st.lines;
	stats->loaded += st.loaded;
	stats->duplicates += st.duplicates;
	stats->rejected += st.rejected;
	stats->aged += st.aged;
	for (i = 0; i < C2W_IOC_KIND_MAX; i++)
		stats->by_kind[i] += st.by_kind[i];
	return 0;
}

int
c2w_feed_load(const char *path, const struct c2w_feed_opts *opts,
	      struct c2w_ioc_set *set, struct c2w_feed_stats *stats)
{
	static const struct c2w_feed_opts defaults;
	struct feed_ctx ctx;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (path == NULL || set == NULL)
		return -EINVAL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.path = path;
	ctx.opts = opts != NULL ? opts : &defaults;
	ctx.max_reports = ctx.opts->max_reports != 0 ? ctx.opts->max_reports :
			  FEED_REPORTS_DEFAULT;
	ctx.now = ctx.opts->now != 0 ? ctx.opts->now : (int64_t)time(NULL);
	c2w_ioc_set_init(&ctx.set);

	rc = feed_read_file(path, &buf, &len);
	if (rc < 0)
		return rc;
	rc = feed_load_buffer(&ctx, buf, len);
	if (rc == 0)
		rc = feed_commit(&ctx, set, stats);

	free(ctx.scratch);
	c2w_ioc_set_free(&ctx.set);
	free(buf);
	return rc;
}
