/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Binary indicator tables (layout in feedbin.h). Loading one skips text
 * parsing and deduplication: records are checked and copied, and their
 * strict order proves there are no duplicates. Runs on the control
 * thread only and makes no DPDK calls.
 */

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feedbin.h"

/* Header field offsets; feedbin.h has the table. */
#define HDR_VERSION 8
#define HDR_HEADER_SIZE 10
#define HDR_RECORD_SIZE 12
#define HDR_COUNT 16
#define HDR_POOL_LEN 24
#define HDR_CREATED 32
#define HDR_BY_KIND 40
#define HDR_FLAGS 72
#define HDR_RESERVED 76
#define HDR_BODY_SUM 80
#define HDR_HEADER_SUM 88

/* Record field offsets. */
#define REC_ADDR 0
#define REC_PORT 16
#define REC_KIND 18
#define REC_FAMILY 19
#define REC_CONFIDENCE 20
#define REC_PREFIX 21
#define REC_ACTION 22
#define REC_RESERVED8 23
#define REC_FIRST_SEEN 24
#define REC_LAST_SEEN 32
#define REC_STRINGS 40
#define REC_RESERVED32 68

/* String fields of a record, in file order. */
#define REC_NSTRINGS 7

/* ---------------------------------------------------------------- */
/* Little-endian fields                                              */
/* ---------------------------------------------------------------- */

static uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static void
put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static void
put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void
put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static void
feedbin_error(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
feedbin_error(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- */
/* XXH64, written from the algorithm's published description         */
/* ---------------------------------------------------------------- */

#define XXH_P1 0x9E3779B185EBCA87ULL
#define XXH_P2 0xC2B2AE3D27D4EB4FULL
#define XXH_P3 0x165667B19E3779F9ULL
#define XXH_P4 0x85EBCA77C2B2AE63ULL
#define XXH_P5 0x27D4EB2F165667C5ULL

static uint64_t
xxh_rotl(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t
xxh_round(uint64_t acc, uint64_t input)
{
	acc += input * XXH_P2;
	acc = xxh_rotl(acc, 31);
	return acc * XXH_P1;
}

static uint64_t
xxh_merge(uint64_t acc, uint64_t val)
{
	acc ^= xxh_round(0, val);
	return acc * XXH_P1 + XXH_P4;
}

static uint64_t
xxh_stripes(const uint8_t **pp, size_t *len, uint64_t seed)
{
	uint64_t v1 = seed + XXH_P1 + XXH_P2, v2 = seed + XXH_P2;
	uint64_t v3 = seed, v4 = seed - XXH_P1, h;
	const uint8_t *p = *pp;

	for (; *len >= 32; *len -= 32, p += 32) {
		v1 = xxh_round(v1, get64(p));
		v2 = xxh_round(v2, get64(p + 8));
		v3 = xxh_round(v3, get64(p + 16));
		v4 = xxh_round(v4, get64(p + 24));
	}
	h = xxh_rotl(v1, 1) + xxh_rotl(v2, 7) + xxh_rotl(v3, 12) +
	    xxh_rotl(v4, 18);
	h = xxh_merge(h, v1);
	h = xxh_merge(h, v2);
	h = xxh_merge(h, v3);
	h = xxh_merge(h, v4);
	*pp = p;
	return h;
}

uint64_t
c2w_feedbin_xxh64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t h, total = len;

	if (len >= 32)
		h = xxh_stripes(&p, &len, seed);
	else
		h = seed + XXH_P5;
	h += total;

	for (; len >= 8; len -= 8, p += 8) {
		h ^= xxh_round(0, get64(p));
		h = xxh_rotl(h, 27) * XXH_P1 + XXH_P4;
	}
	if (len >= 4) {
		h ^= (uint64_t)get32(p) * XXH_P1;
		h = xxh_rotl(h, 23) * XXH_P2 + XXH_P3;
		p += 4;
		len -= 4;
	}
	for (; len > 0; len--, p++) {
		h ^= *p * XXH_P5;
		h = xxh_rotl(h, 11) * XXH_P1;
	}

	h ^= h >> 33;
	h *= XXH_P2;
	h ^= h >> 29;
	h *= XXH_P3;
	h ^= h >> 32;
	return h;
}

/* ---------------------------------------------------------------- */
/* Header                                                            */
/* ---------------------------------------------------------------- */

bool
c2w_feedbin_is_table(const void *buf, size_t len)
{
	return buf != NULL && len >= C2W_FEEDBIN_MAGIC_LEN &&
	       memcmp(buf, C2W_FEEDBIN_MAGIC, C2W_FEEDBIN_MAGIC_LEN) == 0;
}

/* Check what the header says about sizes against len. */
static int
feedbin_check_sizes(const uint8_t *h, size_t len,
		    struct c2w_feedbin_info *info, char *err, size_t cap)
{
	uint64_t records;

	if (get16(h + HDR_HEADER_SIZE) != C2W_FEEDBIN_HEADER_SIZE ||
	    get32(h + HDR_RECORD_SIZE) != C2W_FEEDBIN_RECORD_SIZE) {
		feedbin_error(err, cap, "header size %u or record size %" PRIu32
			      " is not the %u and %u of version %u",
			      get16(h + HDR_HEADER_SIZE), get32(h + HDR_RECORD_SIZE),
			      C2W_FEEDBIN_HEADER_SIZE, C2W_FEEDBIN_RECORD_SIZE,
			      C2W_FEEDBIN_VERSION);
		return -EINVAL;
	}
	/* The pool offsets are 32 bits and so are set indexes. */
	if (info->count >= UINT32_MAX || info->pool_len > UINT32_MAX) {
		feedbin_error(err, cap, "header gives %" PRIu64 " records and a %"
			      PRIu64 "-byte string pool, above the 2^32 limit",
			      info->count, info->pool_len);
		return -EINVAL;
	}
	records = info->count * C2W_FEEDBIN_RECORD_SIZE;
	info->file_len = C2W_FEEDBIN_HEADER_SIZE + records + info->pool_len;
	if (len < info->file_len) {
		feedbin_error(err, cap, "truncated: %zu bytes, the header "
			      "promises %" PRIu64 ": rebuild the table", len,
			      info->file_len);
		return -EINVAL;
	}
	if (len > info->file_len) {
		feedbin_error(err, cap, "%" PRIu64 " bytes of unknown data "
			      "after the %" PRIu64 " the header promises",
			      (uint64_t)len - info->file_len, info->file_len);
		return -EINVAL;
	}
	return 0;
}

int
c2w_feedbin_info(const void *buf, size_t len, struct c2w_feedbin_info *info,
		 char *err, size_t cap)
{
	const uint8_t *h = buf;
	uint64_t sum;
	unsigned i;

	memset(info, 0, sizeof(*info));
	if (len < C2W_FEEDBIN_MAGIC_LEN &&
	    memcmp(buf, C2W_FEEDBIN_MAGIC, len) == 0) {
		feedbin_error(err, cap, "truncated: %zu bytes, shorter than the "
			      "%u-byte header", len, C2W_FEEDBIN_HEADER_SIZE);
		return -EINVAL;
	}
	if (!c2w_feedbin_is_table(buf, len)) {
		feedbin_error(err, cap, "magic number missing or damaged: not a c2wall indicator table, or a damaged one");
		return -EINVAL;
	}
	if (len < HDR_VERSION + 2) {
		feedbin_error(err, cap, "truncated: %zu bytes, shorter than the "
			      "%u-byte header", len, C2W_FEEDBIN_HEADER_SIZE);
		return -EINVAL;
	}
	info->version = get16(h + HDR_VERSION);
	if (info->version != C2W_FEEDBIN_VERSION) {
		feedbin_error(err, cap, "table format version %u unknown, this "
			      "build reads version %u: rebuild the table with "
			      "its c2wall-feed", info->version,
			      C2W_FEEDBIN_VERSION);
		return -EINVAL;
	}
	if (len < C2W_FEEDBIN_HEADER_SIZE) {
		feedbin_error(err, cap, "truncated: %zu bytes, shorter than the "
			      "%u-byte header", len, C2W_FEEDBIN_HEADER_SIZE);
		return -EINVAL;
	}
	sum = c2w_feedbin_xxh64(h, HDR_HEADER_SUM, 0);
	if (sum != get64(h + HDR_HEADER_SUM)) {
		feedbin_error(err, cap, "header checksum mismatch: the file is "
			      "damaged, rebuild the table");
		return -EINVAL;
	}
	info->count = get64(h + HDR_COUNT);
	info->pool_len = get64(h + HDR_POOL_LEN);
	info->created = (int64_t)get64(h + HDR_CREATED);
	info->flags = get32(h + HDR_FLAGS);
	info->body_checksum = get64(h + HDR_BODY_SUM);
	for (i = 0; i < C2W_FEEDBIN_KIND_SLOTS; i++)
		info->by_kind[i] = get32(h + HDR_BY_KIND + 4 * i);
	if (feedbin_check_sizes(h, len, info, err, cap) < 0)
		return 0;

	sum = c2w_feedbin_xxh64(h + C2W_FEEDBIN_HEADER_SIZE,
				len - C2W_FEEDBIN_HEADER_SIZE, 0);
	if (sum != info->body_checksum) {
		feedbin_error(err, cap, "body checksum mismatch: the file is "
			      "damaged, rebuild the table");
		return 0;
	}
	info->body_ok = true;
	return 0;
}

int
c2w_feedbin_seal(void *buf, size_t len)
{
	uint8_t *h = buf;

	if (len < C2W_FEEDBIN_HEADER_SIZE)
		return -EINVAL;
	put64(h + HDR_BODY_SUM, c2w_feedbin_xxh64(h + C2W_FEEDBIN_HEADER_SIZE,
						  len - C2W_FEEDBIN_HEADER_SIZE,
						  0));
	put64(h + HDR_HEADER_SUM, c2w_feedbin_xxh64(h, HDR_HEADER_SUM, 0));
	return 0;
}

/* ---------------------------------------------------------------- */
/* Records                                                           */
/* ---------------------------------------------------------------- */

static bool
feedbin_is_ip_kind(unsigned kind)
{
	return kind == C2W_IOC_IP_PORT || kind == C2W_IOC_IP ||
	       kind == C2W_IOC_CIDR;
}

int
c2w_feedbin_compare(const struct c2w_ioc *a, const char *pool_a,
		    const struct c2w_ioc *b, const char *pool_b)
{
	int d;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (!feedbin_is_ip_kind(a->kind))
		return strcmp(pool_a != NULL ? pool_a + a->value : "",
			      pool_b != NULL ? pool_b + b->value : "");
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	d = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (d != 0)
		return d;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

/* True when no bit after the first plen bits of addr is set. */
static bool
feedbin_host_bits_clear(const uint8_t addr[16], unsigned plen)
{
	unsigned i;

	if (plen % 8 != 0 && (addr[plen / 8] & (0xffu >> (plen % 8))) != 0)
		return false;
	for (i = (plen + 7) / 8; i < 16; i++)
		if (addr[i] != 0)
			return false;
	return true;
}

/* Address, family, port and prefix fit the kind, as the reader sets them. */
static const char *
feedbin_check_addr(const struct c2w_ioc *ioc)
{
	static const uint8_t zero[16];
	unsigned width;

	if (!feedbin_is_ip_kind(ioc->kind)) {
		if (ioc->family != 0 || ioc->port != 0 || ioc->prefix != 0 ||
		    memcmp(ioc->addr, zero, 16) != 0)
			return "address fields set on a text kind";
		return NULL;
	}
	if (ioc->family != 4 && ioc->family != 6)
		return "family is not 4 or 6";
	width = ioc->family == 4 ? 32 : 128;
	if (ioc->family == 4 && memcmp(ioc->addr + 4, zero, 12) != 0)
		return "IPv4 address has bytes after the fourth";
	if ((ioc->kind == C2W_IOC_IP_PORT) != (ioc->port != 0))
		return "port does not fit the kind";
	if (ioc->kind == C2W_IOC_CIDR &&
	    (ioc->prefix == 0 || ioc->prefix >= width ||
	     !feedbin_host_bits_clear(ioc->addr, ioc->prefix)))
		return "prefix length out of range or host bits set";
	if (ioc->kind != C2W_IOC_CIDR && ioc->prefix != width)
		return "prefix length of a single address is not 32 or 128";
	return NULL;
}

/* Value text: non-empty, printable ASCII or UTF-8, no blanks. */
static bool
feedbin_value_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	return true;
}

/*
 * Decode record r into ioc and check it on its own.
 *
 * @return NULL, or what is wrong.
 */
static const char *
feedbin_decode_record(const uint8_t *r, const char *pool, uint64_t pool_len,
		      struct c2w_ioc *ioc)
{
	uint32_t *field[REC_NSTRINGS] = {
		&ioc->value, &ioc->id, &ioc->threat_type, &ioc->malware,
		&ioc->tags, &ioc->reference, &ioc->source,
	};
	unsigned i;

	memset(ioc, 0, sizeof(*ioc));
	memcpy(ioc->addr, r + REC_ADDR, sizeof(ioc->addr));
	ioc->port = get16(r + REC_PORT);
	ioc->kind = r[REC_KIND];
	ioc->family = r[REC_FAMILY];
	ioc->confidence = r[REC_CONFIDENCE];
	ioc->prefix = r[REC_PREFIX];
	ioc->action = r[REC_ACTION];
	ioc->first_seen = (int64_t)get64(r + REC_FIRST_SEEN);
	ioc->last_seen = (int64_t)get64(r + REC_LAST_SEEN);
	for (i = 0; i < REC_NSTRINGS; i++) {
		*field[i] = get32(r + REC_STRINGS + 4 * i);
		if (*field[i] >= pool_len && *field[i] != 0)
			return "string offset beyond the string pool";
	}

	if (r[REC_RESERVED8] != 0 || get32(r + REC_RESERVED32) != 0)
		return "reserved field is not 0";
	if (ioc->kind >= C2W_IOC_KIND_MAX)
		return "kind unknown";
	if (ioc->confidence > 100)
		return "confidence above 100";
	if (ioc->action > C2W_IOC_ACTION_IGNORE)
		return "action unknown";
	if (ioc->value == 0 || !feedbin_value_ok(pool + ioc->value))
		return "value empty or with blanks or control characters";
	return feedbin_check_addr(ioc);
}

/* Check the string pool: empty string at 0, NUL at the end. */
static int
feedbin_check_pool(const char *pool, uint64_t pool_len, uint64_t count,
		   char *err, size_t cap)
{
	if (pool_len == 0 && count == 0)
		return 0;
	if (pool_len < 2 || pool[0] != '\0' || pool[pool_len - 1] != '\0') {
		feedbin_error(err, cap, "string pool does not start and end "
			      "with a NUL byte");
		return -EINVAL;
	}
	return 0;
}

/* Decode all records into v, checking each and their order. */
static int
feedbin_decode_all(const uint8_t *rec, const char *pool,
		   const struct c2w_feedbin_info *info, struct c2w_ioc *v,
		   char *err, size_t cap)
{
	uint64_t by_kind[C2W_FEEDBIN_KIND_SLOTS] = { 0 };
	const char *why;
	uint64_t i;

	for (i = 0; i < info->count; i++) {
		why = feedbin_decode_record(rec + i * C2W_FEEDBIN_RECORD_SIZE,
					    pool, info->pool_len, &v[i]);
		if (why == NULL && i > 0 &&
		    c2w_feedbin_compare(&v[i - 1], pool, &v[i], pool) >= 0)
			why = "not after the record before it: the table is "
			      "unsorted or contains a duplicate";
		if (why != NULL) {
			feedbin_error(err, cap, "record %" PRIu64 " invalid: %s",
				      i + 1, why);
			return -EINVAL;
		}
		by_kind[v[i].kind]++;
	}
	for (i = 0; i < C2W_FEEDBIN_KIND_SLOTS; i++) {
		if (by_kind[i] != info->by_kind[i]) {
			feedbin_error(err, cap, "header counts %" PRIu64 " records "
				      "of kind %" PRIu64 ", the table contains %"
				      PRIu64, info->by_kind[i], i, by_kind[i]);
			return -EINVAL;
		}
	}
	return 0;
}

int
c2w_feedbin_decode(const void *buf, size_t len, struct c2w_ioc_set *set,
		   char *err, size_t cap)
{
	struct c2w_feedbin_info info;
	const uint8_t *rec = (const uint8_t *)buf + C2W_FEEDBIN_HEADER_SIZE;
	const char *pool;
	struct c2w_ioc *v = NULL;
	char *pool_copy = NULL;
	int rc;

	if (set == NULL || set->n != 0 || set->pool != NULL || set->v != NULL) {
		feedbin_error(err, cap, "internal error: decoding into a set "
			      "that is not empty");
		return -EINVAL;
	}
	rc = c2w_feedbin_info(buf, len, &info, err, cap);
	if (rc < 0)
		return rc;
	/* c2w_feedbin_info() filled err when the body is bad. */
	if (!info.body_ok)
		return -EINVAL;
	pool = (const char *)rec + info.count * C2W_FEEDBIN_RECORD_SIZE;
	rc = feedbin_check_pool(pool, info.pool_len, info.count, err, cap);
	if (rc < 0)
		return rc;

	if (info.count > 0) {
		v = malloc(info.count * sizeof(*v));
		pool_copy = malloc(info.pool_len);
		if (v == NULL || pool_copy == NULL) {
			rc = -ENOMEM;
			feedbin_error(err, cap, "out of memory for %" PRIu64
				      " records", info.count);
			goto out_free;
		}
	}
	rc = feedbin_decode_all(rec, pool, &info, v, err, cap);
	if (rc < 0)
		goto out_free;
	if (info.pool_len > 0)
		memcpy(pool_copy, pool, info.pool_len);
	set->v = v;
	set->n = info.count;
	set->cap = info.count;
	set->pool = pool_copy;
	set->pool_len = info.pool_len;
	set->pool_cap = info.pool_len;
	return 0;

out_free:
	free(v);
	free(pool_copy);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Writer                                                            */
/* ---------------------------------------------------------------- */

/*
 * Output string pool. Threat types, malware names, tags and references
 * repeat across records, so each distinct text is stored once. Values,
 * ids and sources are mostly unique and are appended without lookup.
 */
struct feedbin_pool {
	char *p;
	size_t len, cap;
	uint32_t *slot;            /* offsets of interned strings; 0: empty */
	size_t mask;
	size_t used;
};

static int
feedbin_pool_append(struct feedbin_pool *pool, const char *s, size_t n,
		    uint32_t *off)
{
	size_t cap;
	char *p;

	if (n == 0) {
		*off = 0;
		return 0;
	}
	if (pool->len + n + 1 > UINT32_MAX)
		return -EINVAL;
	if (pool->len + n + 1 > pool->cap) {
		cap = pool->cap < 4096 ? 4096 : pool->cap;
		while (cap < pool->len + n + 1)
			cap *= 2;
		p = realloc(pool->p, cap);
		if (p == NULL)
			return -ENOMEM;
		pool->p = p;
		pool->cap = cap;
	}
	*off = (uint32_t)pool->len;
	memcpy(pool->p + pool->len, s, n + 1);
	pool->len += n + 1;
	return 0;
}

static int
feedbin_pool_grow(struct feedbin_pool *pool)
{
	size_t cap = pool->slot == NULL ? 1024 : (pool->mask + 1) * 2, i, j;
	uint32_t *slot = calloc(cap, sizeof(*slot));
	const char *s;

	if (slot == NULL)
		return -ENOMEM;
	for (i = 0; pool->slot != NULL && i <= pool->mask; i++) {
		if (pool->slot[i] == 0)
			continue;
		s = pool->p + pool->slot[i];
		j = c2w_feedbin_xxh64(s, strlen(s), 0) & (cap - 1);
		while (slot[j] != 0)
			j = (j + 1) & (cap - 1);
		slot[j] = pool->slot[i];
	}
	free(pool->slot);
	pool->slot = slot;
	pool->mask = cap - 1;
	return 0;
}

/*
 * Store s once. The hash is unkeyed: crafted texts can slow the tool
 * down by colliding, but cannot change its output.
 */
static int
feedbin_pool_intern(struct feedbin_pool *pool, const char *s, uint32_t *off)
{
	size_t n = strlen(s), j;
	int rc;

	if (n == 0) {
		*off = 0;
		return 0;
	}
	if (pool->slot == NULL || (pool->used + 1) * 2 > pool->mask + 1) {
		rc = feedbin_pool_grow(pool);
		if (rc < 0)
			return rc;
	}
	j = c2w_feedbin_xxh64(s, n, 0) & pool->mask;
	for (; pool->slot[j] != 0; j = (j + 1) & pool->mask) {
		if (strcmp(pool->p + pool->slot[j], s) == 0) {
			*off = pool->slot[j];
			return 0;
		}
	}
	rc = feedbin_pool_append(pool, s, n, off);
	if (rc < 0)
		return rc;
	pool->slot[j] = *off;
	pool->used++;
	return 0;
}

static void
feedbin_encode_record(uint8_t *r, const struct c2w_ioc *ioc,
		      const uint32_t str[REC_NSTRINGS])
{
	unsigned i;

	memset(r, 0, C2W_FEEDBIN_RECORD_SIZE);
	memcpy(r + REC_ADDR, ioc->addr, sizeof(ioc->addr));
	put16(r + REC_PORT, ioc->port);
	r[REC_KIND] = ioc->kind;
	r[REC_FAMILY] = ioc->family;
	r[REC_CONFIDENCE] = ioc->confidence;
	r[REC_PREFIX] = ioc->prefix;
	r[REC_ACTION] = ioc->action;
	put64(r + REC_FIRST_SEEN, (uint64_t)ioc->first_seen);
	put64(r + REC_LAST_SEEN, (uint64_t)ioc->last_seen);
	for (i = 0; i < REC_NSTRINGS; i++)
		put32(r + REC_STRINGS + 4 * i, str[i]);
}

/* Pool offsets of the string fields of one indicator in the output. */
static int
feedbin_strings(struct feedbin_pool *pool, const struct c2w_ioc_set *set,
		const struct c2w_ioc *ioc, uint32_t str[REC_NSTRINGS])
{
	const char *value = c2w_ioc_str(set, ioc->value);
	const char *id = c2w_ioc_str(set, ioc->id);
	const char *source = c2w_ioc_str(set, ioc->source);
	int rc;

	rc = feedbin_pool_append(pool, value, strlen(value), &str[0]);
	if (rc == 0)
		rc = feedbin_pool_append(pool, id, strlen(id), &str[1]);
	if (rc == 0)
		rc = feedbin_pool_intern(pool, c2w_ioc_str(set, ioc->threat_type),
					 &str[2]);
	if (rc == 0)
		rc = feedbin_pool_intern(pool, c2w_ioc_str(set, ioc->malware),
					 &str[3]);
	if (rc == 0)
		rc = feedbin_pool_intern(pool, c2w_ioc_str(set, ioc->tags),
					 &str[4]);
	if (rc == 0)
		rc = feedbin_pool_intern(pool, c2w_ioc_str(set, ioc->reference),
					 &str[5]);
	if (rc == 0)
		rc = feedbin_pool_append(pool, source, strlen(source), &str[6]);
	return rc;
}

static int
feedbin_sort_cmp(const void *a, const void *b, void *arg)
{
	const struct c2w_ioc_set *set = arg;

	return c2w_feedbin_compare(&set->v[*(const uint32_t *)a], set->pool,
				   &set->v[*(const uint32_t *)b], set->pool);
}

static void
feedbin_fill_header(uint8_t *h, const struct c2w_ioc_set *set,
		    uint64_t pool_len, uint32_t flags, int64_t created)
{
	uint32_t by_kind[C2W_FEEDBIN_KIND_SLOTS] = { 0 };
	size_t i;

	for (i = 0; i < set->n; i++)
		by_kind[set->v[i].kind]++;
	memset(h, 0, C2W_FEEDBIN_HEADER_SIZE);
	memcpy(h, C2W_FEEDBIN_MAGIC, C2W_FEEDBIN_MAGIC_LEN);
	put16(h + HDR_VERSION, C2W_FEEDBIN_VERSION);
	put16(h + HDR_HEADER_SIZE, C2W_FEEDBIN_HEADER_SIZE);
	put32(h + HDR_RECORD_SIZE, C2W_FEEDBIN_RECORD_SIZE);
	put64(h + HDR_COUNT, set->n);
	put64(h + HDR_POOL_LEN, pool_len);
	put64(h + HDR_CREATED, (uint64_t)created);
	for (i = 0; i < C2W_FEEDBIN_KIND_SLOTS; i++)
		put32(h + HDR_BY_KIND + 4 * i, by_kind[i]);
	put32(h + HDR_FLAGS, flags);
}

/*
 * Build the whole file in memory: header, records in table order, pool.
 */
static int
feedbin_encode(const struct c2w_ioc_set *set, uint32_t flags,
	       int64_t created, uint8_t **out, size_t *out_len, char *err,
	       size_t cap)
{
	struct feedbin_pool pool = { 0 };
	uint32_t *order, str[REC_NSTRINGS];
	uint8_t *file = NULL;
	size_t i, records = set->n * C2W_FEEDBIN_RECORD_SIZE;
	int rc = -ENOMEM;

	order = malloc((set->n + 1) * sizeof(*order));
	if (order == NULL)
		goto out;
	for (i = 0; i < set->n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, set->n, sizeof(*order), feedbin_sort_cmp,
		(void *)set);
	for (i = 1; i < set->n; i++) {
		if (feedbin_sort_cmp(&order[i - 1], &order[i], (void *)set) == 0) {
			rc = -EINVAL;
			feedbin_error(err, cap, "\"%s\" is in the set twice",
				      c2w_ioc_str(set, set->v[order[i]].value));
			goto out;
		}
	}

	/* Offset 0 of a non-empty pool is the empty string. */
	if (set->n > 0) {
		pool.p = malloc(4096);
		if (pool.p == NULL)
			goto out;
		pool.p[0] = '\0';
		pool.len = 1;
		pool.cap = 4096;
	}
	file = malloc(C2W_FEEDBIN_HEADER_SIZE + records);
	if (file == NULL)
		goto out;
	for (i = 0; i < set->n; i++) {
		const struct c2w_ioc *ioc = &set->v[order[i]];

		rc = feedbin_strings(&pool, set, ioc, str);
		if (rc < 0)
			goto out;
		feedbin_encode_record(file + C2W_FEEDBIN_HEADER_SIZE +
				      i * C2W_FEEDBIN_RECORD_SIZE, ioc, str);
	}
	rc = -ENOMEM;
	*out_len = C2W_FEEDBIN_HEADER_SIZE + records + pool.len;
	*out = realloc(file, *out_len);
	if (*out == NULL)
		goto out;
	file = NULL;
	if (pool.len > 0)
		memcpy(*out + C2W_FEEDBIN_HEADER_SIZE + records, pool.p, pool.len);
	feedbin_fill_header(*out, set, pool.len, flags, created);
	c2w_feedbin_seal(*out, *out_len);
	rc = 0;
out:
	if (rc == -ENOMEM)
		feedbin_error(err, cap, "out of memory");
	if (rc == -EINVAL && pool.len + 1 > UINT32_MAX)
		feedbin_error(err, cap, "string pool above 4 GiB");
	free(file);
	free(order);
	free(pool.p);
	free(pool.slot);
	return rc;
}

static int
feedbin_write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make the rename itself durable by syncing the directory entry. */
static int
feedbin_sync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd, rc = 0;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int
feedbin_write_file(const char *path, const uint8_t *data, size_t len,
		   char *err, size_t cap)
{
	char tmp[4096];
	const char *step = "create a temporary file for";
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp)) {
		feedbin_error(err, cap, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		goto out_error;
	}
	/* mkstemp() creates mode 0600; tables are read by other users. */
	step = "write";
	rc = fchmod(fd, 0644) < 0 ? -errno : 0;
	if (rc == 0)
		rc = feedbin_write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0) {
		step = "rename the temporary file to";
		rc = rename(tmp, path) < 0 ? -errno : 0;
	}
	if (rc < 0) {
		unlink(tmp);
		goto out_error;
	}
	step = "sync the directory of";
	rc = feedbin_sync_dir(path);
	if (rc == 0)
		return 0;
out_error:
	feedbin_error(err, cap, "%s: cannot %s it: %s", path, step,
		      strerror(-rc));
	return rc;
}

int
c2w_feedbin_write(const char *path, const struct c2w_ioc_set *set,
		  uint32_t flags, int64_t created, char *err, size_t cap)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	if (path == NULL || set == NULL) {
		feedbin_error(err, cap, "no path or set");
		return -EINVAL;
	}
	rc = feedbin_encode(set, flags, created, &data, &len, err, cap);
	if (rc < 0)
		return rc;
	rc = feedbin_write_file(path, data, len, err, cap);
	free(data);
	return rc;
}
