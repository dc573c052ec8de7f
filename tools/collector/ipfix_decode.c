/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipfix_decode.h"
#include "ipfix_ie.h"

/* RFC 5103 reverse elements: IANA element N under this PEN. */
#define DECODE_PEN_REVERSE 29305u
#define DECODE_VARLEN 0xffffu
#define DECODE_SET_TEMPLATE 2
#define DECODE_SET_OPTIONS 3
#define DECODE_FIRST_DATA_SET 256
/* Templates per observation domain; more are rejected as bad templates so
 * a peer cannot make the collector allocate without bound. */
#define DECODE_TEMPLATES_MAX 1024
#define DECODE_DOMAINS_MAX 64

/* Record fields the collector reads; every other element is skipped. */
enum decode_target {
	T_SKIP,
	T_SRC4, T_DST4, T_SRC6, T_DST6,
	T_SPORT, T_DPORT, T_PROTO, T_TCP_FLAGS, T_ICMP4, T_ICMP6,
	T_START_MS, T_END_MS, T_START_S, T_END_S,
	T_OCT_DELTA, T_PKT_DELTA, T_OCT_TOTAL, T_PKT_TOTAL,
	T_REV_OCT_DELTA, T_REV_PKT_DELTA, T_REV_OCT_TOTAL, T_REV_PKT_TOTAL,
	T_INGRESS, T_EGRESS, T_VLAN, T_CVLAN, T_END_REASON, T_FW_EVENT,
	T_BIFLOW_DIR, T_IFNAME,
	T_IOC_VALUE, T_IOC_ID, T_THREAT_TYPE, T_MALWARE, T_CONFIDENCE,
	T_ACTION, T_SIDE, T_TAGS, T_REFERENCE, T_FIRST_SEEN, T_LAST_SEEN,
	T_EVENT_TYPE,
	T_COUNT,
};

_Static_assert(T_COUNT <= 64, "targets must fit the presence mask");

/* Encodings: unsigned integers accept the reduced sizes 1..size. */
enum decode_class {
	C_UNSIGNED,
	C_ADDRESS,
	C_TIME,
	C_STRING,
};

struct decode_element {
	uint16_t id;
	uint8_t space;      /* 0 IANA, 1 RFC 5103 reverse, 2 c2wall PEN */
	uint8_t target;
	uint8_t cls;
	uint8_t size;       /* full size in octets; 0 for strings */
};

static const struct decode_element elements[] = {
	{ 1, 0, T_OCT_DELTA, C_UNSIGNED, 8 },
	{ 2, 0, T_PKT_DELTA, C_UNSIGNED, 8 },
	{ 4, 0, T_PROTO, C_UNSIGNED, 1 },
	{ 6, 0, T_TCP_FLAGS, C_UNSIGNED, 2 },
	{ 7, 0, T_SPORT, C_UNSIGNED, 2 },
	{ 8, 0, T_SRC4, C_ADDRESS, 4 },
	{ 10, 0, T_INGRESS, C_UNSIGNED, 4 },
	{ 11, 0, T_DPORT, C_UNSIGNED, 2 },
	{ 12, 0, T_DST4, C_ADDRESS, 4 },
	{ 14, 0, T_EGRESS, C_UNSIGNED, 4 },
	{ 27, 0, T_SRC6, C_ADDRESS, 16 },
	{ 28, 0, T_DST6, C_ADDRESS, 16 },
	{ 32, 0, T_ICMP4, C_UNSIGNED, 2 },
	{ 82, 0, T_IFNAME, C_STRING, 0 },
	{ 85, 0, T_OCT_TOTAL, C_UNSIGNED, 8 },
	{ 86, 0, T_PKT_TOTAL, C_UNSIGNED, 8 },
	{ 136, 0, T_END_REASON, C_UNSIGNED, 1 },
	{ 139, 0, T_ICMP6, C_UNSIGNED, 2 },
	{ 150, 0, T_START_S, C_TIME, 4 },
	{ 151, 0, T_END_S, C_TIME, 4 },
	{ 152, 0, T_START_MS, C_TIME, 8 },
	{ 153, 0, T_END_MS, C_TIME, 8 },
	{ 233, 0, T_FW_EVENT, C_UNSIGNED, 1 },
	{ 239, 0, T_BIFLOW_DIR, C_UNSIGNED, 1 },
	{ 243, 0, T_VLAN, C_UNSIGNED, 2 },
	{ 245, 0, T_CVLAN, C_UNSIGNED, 2 },
	{ 1, 1, T_REV_OCT_DELTA, C_UNSIGNED, 8 },
	{ 2, 1, T_REV_PKT_DELTA, C_UNSIGNED, 8 },
	{ 85, 1, T_REV_OCT_TOTAL, C_UNSIGNED, 8 },
	{ 86, 1, T_REV_PKT_TOTAL, C_UNSIGNED, 8 },
	{ C2W_IE_IOC_VALUE, 2, T_IOC_VALUE, C_STRING, 0 },
	{ C2W_IE_IOC_ID, 2, T_IOC_ID, C_STRING, 0 },
	{ C2W_IE_THREAT_TYPE, 2, T_THREAT_TYPE, C_STRING, 0 },
	{ C2W_IE_MALWARE, 2, T_MALWARE, C_STRING, 0 },
	{ C2W_IE_CONFIDENCE, 2, T_CONFIDENCE, C_UNSIGNED, 1 },
	{ C2W_IE_ACTION, 2, T_ACTION, C_UNSIGNED, 1 },
	{ C2W_IE_MATCH_SIDE, 2, T_SIDE, C_UNSIGNED, 1 },
	{ C2W_IE_IOC_TAGS, 2, T_TAGS, C_STRING, 0 },
	{ C2W_IE_IOC_REFERENCE, 2, T_REFERENCE, C_STRING, 0 },
	{ C2W_IE_IOC_FIRST_SEEN, 2, T_FIRST_SEEN, C_TIME, 4 },
	{ C2W_IE_IOC_LAST_SEEN, 2, T_LAST_SEEN, C_TIME, 4 },
	{ C2W_IE_EVENT_TYPE, 2, T_EVENT_TYPE, C_UNSIGNED, 1 },
};

struct decode_field {
	uint16_t len;       /* DECODE_VARLEN for variable length */
	uint8_t target;
	uint8_t cls;
};

struct decode_template {
	uint16_t id;
	uint16_t count;
	uint32_t min_len;   /* fixed fields plus 1 octet per varlen field */
	bool options;
	uint64_t present;   /* bit per enum decode_target */
	struct decode_field *fields;
};

struct decode_domain {
	uint32_t id;
	unsigned count;
	struct decode_template *tmpl[DECODE_TEMPLATES_MAX];
};

struct c2w_decode {
	uint32_t pen;
	unsigned ndomains;
	struct decode_domain *domains[DECODE_DOMAINS_MAX];
};

/* Values of one record before they become an event. */
struct decode_values {
	uint64_t num[T_COUNT];
	const uint8_t *addr[T_COUNT];
	struct c2w_cef_str str[T_COUNT];
	uint32_t invalid_strings;  /* values left out: not UTF-8 */
};

/* State of one message while it is decoded. */
struct decode_ctx {
	struct c2w_decode *dec;
	struct decode_domain *domain;
	struct c2w_decode_header hdr;
	c2w_decode_record_fn on_record;
	c2w_decode_error_fn on_error;
	void *arg;
	uint32_t index;     /* data records so far in the message */
};

static const char *const error_names[C2W_DECODE_ERR_COUNT] = {
	[C2W_DECODE_ERR_BAD_VERSION] = "bad_version",
	[C2W_DECODE_ERR_BAD_LENGTH] = "bad_length",
	[C2W_DECODE_ERR_TRUNCATED_SET] = "truncated_set",
	[C2W_DECODE_ERR_SET_LENGTH] = "set_length",
	[C2W_DECODE_ERR_SET_ID] = "set_id",
	[C2W_DECODE_ERR_UNKNOWN_TEMPLATE] = "unknown_template",
	[C2W_DECODE_ERR_BAD_TEMPLATE] = "bad_template",
	[C2W_DECODE_ERR_SHORT_RECORD] = "short_record",
};

const char *
c2w_decode_error_name(enum c2w_decode_error error)
{
	if ((unsigned)error >= C2W_DECODE_ERR_COUNT)
		return "unknown";
	return error_names[error];
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Big-endian unsigned of 1 to 8 octets. */
static uint64_t
rd_uint(const uint8_t *p, unsigned len)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < len; i++)
		v = v << 8 | p[i];
	return v;
}

static void __attribute__((format(printf, 3, 4)))
report(struct decode_ctx *c, enum c2w_decode_error error, const char *fmt,
       ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	c->on_error(c->arg, error, detail);
}

int
c2w_decode_new(uint32_t pen, struct c2w_decode **dec)
{
	struct c2w_decode *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return -ENOMEM;
	d->pen = pen;
	*dec = d;
	return 0;
}

static void
template_free(struct decode_template *t)
{
	if (t == NULL)
		return;
	free(t->fields);
	free(t);
}

void
c2w_decode_free(struct c2w_decode *dec)
{
	unsigned i, k;

	if (dec == NULL)
		return;
	for (i = 0; i < dec->ndomains; i++) {
		for (k = 0; k < dec->domains[i]->count; k++)
			template_free(dec->domains[i]->tmpl[k]);
		free(dec->domains[i]);
	}
	free(dec);
}

/* Is template id an options template, by the options template sets of
 * this message or by what the decoder already knows of the domain? */
static bool
decode_is_options(const struct c2w_decode *dec, uint32_t domain,
		  const uint8_t *msg, size_t len, uint16_t id)
{
	size_t off = C2W_DECODE_HEADER_LEN;
	unsigned i, j;

	while (off + 4 <= len) {
		uint16_t set_id = rd16(msg + off), set_len = rd16(msg + off + 2);
		size_t p = off + 4, end = off + set_len;

		if (set_len < 4 || end > len)
			break;
		/* Options template records: id, field count, scope count,
		 * then the field specifiers. */
		while (set_id == DECODE_SET_OPTIONS && p + 6 <= end) {
			uint16_t tid = rd16(msg + p), n = rd16(msg + p + 2);

			if (tid == id)
				return true;
			p += 6;
			for (j = 0; j < n && p + 4 <= end; j++)
				p += (rd16(msg + p) & 0x8000) ? 8 : 4;
		}
		off = end;
	}
	for (i = 0; i < dec->ndomains; i++) {
		const struct decode_domain *d = dec->domains[i];

		if (d->id != domain)
			continue;
		for (j = 0; j < d->count; j++)
			if (d->tmpl[j]->id == id)
				return d->tmpl[j]->options;
	}
	return false;
}

bool
c2w_decode_has_flow_data(const struct c2w_decode *dec, const uint8_t *msg,
			 size_t len)
{
	size_t off = C2W_DECODE_HEADER_LEN;
	uint32_t domain;

	if (len < C2W_DECODE_HEADER_LEN)
		return false;
	domain = rd32(msg + 12);
	while (off + 4 <= len) {
		uint16_t set_id = rd16(msg + off), set_len = rd16(msg + off + 2);

		if (set_len < 4)
			return false;
		if (set_id >= DECODE_FIRST_DATA_SET &&
		    !decode_is_options(dec, domain, msg, len, set_id))
			return true;
		off += set_len;
	}
	return false;
}

int
c2w_decode_header(const uint8_t *msg, size_t len,
		  struct c2w_decode_header *hdr)
{
	if (len < C2W_DECODE_HEADER_LEN)
		return -EAGAIN;
	if (rd16(msg) != C2W_DECODE_VERSION)
		return -EPROTO;
	hdr->length = rd16(msg + 2);
	hdr->export_time = rd32(msg + 4);
	hdr->sequence = rd32(msg + 8);
	hdr->domain = rd32(msg + 12);
	if (hdr->length < C2W_DECODE_HEADER_LEN || hdr->length > len)
		return -EMSGSIZE;
	return 0;
}

/* Domain state, created on first use; NULL when the table is full. */
static struct decode_domain *
domain_get(struct c2w_decode *dec, uint32_t id)
{
	struct decode_domain *d;
	unsigned i;

	for (i = 0; i < dec->ndomains; i++)
		if (dec->domains[i]->id == id)
			return dec->domains[i];
	if (dec->ndomains == DECODE_DOMAINS_MAX)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->id = id;
	dec->domains[dec->ndomains++] = d;
	return d;
}

static struct decode_template **
template_slot(struct decode_domain *d, uint16_t id)
{
	unsigned i;

	for (i = 0; i < d->count; i++)
		if (d->tmpl[i]->id == id)
			return &d->tmpl[i];
	return NULL;
}

static void
template_remove(struct decode_domain *d, uint16_t id)
{
	struct decode_template **slot = template_slot(d, id);

	if (slot == NULL)
		return;
	template_free(*slot);
	*slot = d->tmpl[--d->count];
}

/* Withdraw every template (options == false) or options template. */
static void
template_remove_all(struct decode_domain *d, bool options)
{
	unsigned i = 0;

	while (i < d->count) {
		if (d->tmpl[i]->options == options)
			template_remove(d, d->tmpl[i]->id);
		else
			i++;
	}
}

static const struct decode_element *
element_find(const struct c2w_decode *dec, uint16_t id, uint32_t pen)
{
	uint8_t space;
	size_t i;

	if (pen == 0)
		space = 0;
	else if (pen == DECODE_PEN_REVERSE)
		space = 1;
	else if (pen == dec->pen)
		space = 2;
	else
		return NULL;
	for (i = 0; i < sizeof(elements) / sizeof(elements[0]); i++)
		if (elements[i].id == id && elements[i].space == space)
			return &elements[i];
	return NULL;
}

/* Whether a field length is a valid encoding of the element: exact sizes
 * for addresses and times, 1 to the full size for unsigned integers
 * (reduced-size encoding), anything for strings. */
static bool
length_valid(const struct decode_element *e, uint16_t len)
{
	switch (e->cls) {
	case C_UNSIGNED:
		return len >= 1 && len <= e->size;
	case C_ADDRESS:
	case C_TIME:
		return len == e->size;
	default:
		return true;
	}
}

/*
 * Parse the field specifiers of one template record at p. Returns the
 * octets consumed, or 0 when the specifiers run past end, in which case
 * the set's framing is lost. why receives the reason when the template is
 * invalid and stays empty otherwise.
 */
static size_t
template_parse_fields(struct decode_ctx *c, struct decode_template *t,
		      const uint8_t *p, const uint8_t *end, char *why,
		      size_t why_size)
{
	const uint8_t *start = p;
	const struct decode_element *e;
	uint16_t id, len, i;
	uint32_t pen;

	for (i = 0; i < t->count; i++) {
		if (end - p < 4) {
			snprintf(why, why_size, "%u fields declared, %u fit in "
				 "the set", t->count, i);
			return 0;
		}
		id = rd16(p);
		len = rd16(p + 2);
		p += 4;
		pen = 0;
		if (id & 0x8000) {
			if (end - p < 4) {
				snprintf(why, why_size, "%u fields declared, "
					 "%u fit in the set", t->count, i);
				return 0;
			}
			pen = rd32(p);
			p += 4;
			id &= 0x7fff;
		}
		e = element_find(c->dec, id, pen);
		t->fields[i].len = len;
		t->fields[i].target = e != NULL ? e->target : T_SKIP;
		t->fields[i].cls = e != NULL ? e->cls : C_STRING;
		if (e != NULL && !length_valid(e, len) && why[0] == '\0')
			snprintf(why, why_size, "element %u/%u has invalid "
				 "length %u", pen, id, len);
		if (e != NULL)
			t->present |= 1ull << e->target;
		t->min_len += len == DECODE_VARLEN ? 1u : len;
	}
	return (size_t)(p - start);
}

/*
 * Read one template record at p; returns the octets it takes, or 0 when
 * the rest of the set cannot be framed. A bad template is reported and
 * its ID dropped, so data sets that follow are not decoded with an older
 * layout.
 */
static size_t
template_record(struct decode_ctx *c, const uint8_t *p, const uint8_t *end,
		bool options)
{
	struct decode_template *t, **slot;
	size_t hdr = options ? 6 : 4, used;
	char why[96] = "";
	uint16_t scope = 0;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return 0;
	t->id = rd16(p);
	t->count = rd16(p + 2);
	t->options = options;
	if (t->count == 0) {
		/* Withdrawal; the set ID as template ID withdraws all. */
		if (t->id == (options ? DECODE_SET_OPTIONS :
			      DECODE_SET_TEMPLATE))
			template_remove_all(c->domain, options);
		else
			template_remove(c->domain, t->id);
		free(t);
		return 4;
	}
	if ((size_t)(end - p) < hdr) {
		snprintf(why, sizeof(why), "header cut at the set end");
		used = 0;
		goto out_bad;
	}
	if (options)
		scope = rd16(p + 4);
	t->fields = calloc(t->count, sizeof(*t->fields));
	if (t->fields == NULL) {
		free(t);
		return 0;
	}
	used = template_parse_fields(c, t, p + hdr, end, why, sizeof(why));
	if (used == 0)
		goto out_bad;
	used += hdr;
	if (t->id < DECODE_FIRST_DATA_SET)
		snprintf(why, sizeof(why), "template ID below 256");
	else if (options && (scope == 0 || scope > t->count))
		snprintf(why, sizeof(why), "scope count %u of %u fields",
			 scope, t->count);
	else if (t->min_len == 0)
		snprintf(why, sizeof(why), "every field has length 0");
	if (why[0] != '\0')
		goto out_bad;

	slot = template_slot(c->domain, t->id);
	if (slot != NULL) {
		template_free(*slot);
		*slot = t;
	} else if (c->domain->count < DECODE_TEMPLATES_MAX) {
		c->domain->tmpl[c->domain->count++] = t;
	} else {
		snprintf(why, sizeof(why), "more than %u templates in the "
			 "domain", DECODE_TEMPLATES_MAX);
		goto out_bad;
	}
	return used;

out_bad:
	report(c, C2W_DECODE_ERR_BAD_TEMPLATE, "template %u: %s; template "
	       "dropped", t->id, why);
	template_remove(c->domain, t->id);
	template_free(t);
	return used;
}

static void
template_set(struct decode_ctx *c, const uint8_t *p, const uint8_t *end,
	     bool options)
{
	size_t used;

	/* Fewer than 4 octets left are padding. */
	while (end - p >= 4) {
		used = template_record(c, p, end, options);
		if (used == 0)
			return;
		p += used;
	}
}

/* Length of the varlen field at p, or -1 if it runs past end. */
static long
varlen_read(const uint8_t **p, const uint8_t *end)
{
	long len;

	if (*p >= end)
		return -1;
	len = **p;
	(*p)++;
	if (len == 255) {
		if (end - *p < 2)
			return -1;
		len = rd16(*p);
		*p += 2;
	}
	return end - *p < len ? -1 : len;
}

/* Whether p is well-formed UTF-8 (RFC 3629): no overlong forms, no
 * surrogates, nothing above U+10FFFF. NUL octets count as invalid. */
static bool
utf8_valid(const uint8_t *p, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (p[i] == 0)
			return false;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = p[i] & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static void
value_store(struct decode_values *v, const struct decode_field *f,
	    const uint8_t *p, size_t len)
{
	uint8_t target = f->target;

	if (target == T_SKIP)
		return;
	switch (f->cls) {
	case C_STRING:
		/* RFC 7011 strings are UTF-8; other octets are no text, so
		 * the value is left out rather than written as garbage. */
		if (!utf8_valid(p, len)) {
			v->invalid_strings++;
			break;
		}
		v->str[target] = (struct c2w_cef_str){ (const char *)p, len };
		break;
	case C_ADDRESS:
		v->addr[target] = p;
		break;
	default:
		v->num[target] = rd_uint(p, (unsigned)len);
		break;
	}
}

/* Decode one record at *p; false if a field runs past end. */
static bool
record_read(const struct decode_template *t, const uint8_t **p,
	    const uint8_t *end, struct decode_values *v)
{
	const uint8_t *q = *p;
	long len;
	uint16_t i;

	for (i = 0; i < t->count; i++) {
		const struct decode_field *f = &t->fields[i];

		if (f->len == DECODE_VARLEN) {
			len = varlen_read(&q, end);
			if (len < 0)
				return false;
		} else {
			len = f->len;
			if (end - q < len)
				return false;
		}
		value_store(v, f, q, (size_t)len);
		q += len;
	}
	*p = q;
	return true;
}

static bool
has(const struct decode_template *t, enum decode_target target)
{
	return (t->present >> target) & 1u;
}

static enum c2w_decode_kind
record_kind(const struct decode_template *t)
{
	bool v4 = has(t, T_SRC4) && has(t, T_DST4);
	bool v6 = has(t, T_SRC6) && has(t, T_DST6);

	if (t->options || (!v4 && !v6))
		return C2W_DECODE_KIND_OTHER;
	if (has(t, T_EVENT_TYPE) || has(t, T_ACTION))
		return C2W_DECODE_KIND_C2WALL;
	return C2W_DECODE_KIND_FLOW;
}

/* Delta counters when the template has them, else total counters. */
static void
event_counters(const struct decode_template *t, const struct decode_values *v,
	       struct c2w_cef_event *ev)
{
	static const struct {
		uint8_t delta, total, bit;
	} map[] = {
		{ T_OCT_DELTA, T_OCT_TOTAL, C2W_CEF_BYTES_FWD },
		{ T_PKT_DELTA, T_PKT_TOTAL, C2W_CEF_PKTS_FWD },
		{ T_REV_OCT_DELTA, T_REV_OCT_TOTAL, C2W_CEF_BYTES_REV },
		{ T_REV_PKT_DELTA, T_REV_PKT_TOTAL, C2W_CEF_PKTS_REV },
	};
	uint64_t val[4] = { 0 };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (has(t, map[i].delta))
			val[i] = v->num[map[i].delta];
		else if (has(t, map[i].total))
			val[i] = v->num[map[i].total];
		else
			continue;
		ev->counters |= map[i].bit;
	}
	ev->bytes_fwd = val[0];
	ev->pkts_fwd = val[1];
	ev->bytes_rev = val[2];
	ev->pkts_rev = val[3];
	ev->has_counters = ev->counters == C2W_CEF_COUNTERS_ALL;
}

static void
event_addresses(const struct decode_template *t,
		const struct decode_values *v, struct c2w_cef_event *ev)
{
	if (has(t, T_SRC4) && has(t, T_DST4)) {
		ev->family = 4;
		memcpy(ev->src, v->addr[T_SRC4], 4);
		memcpy(ev->dst, v->addr[T_DST4], 4);
		ev->icmp_type_code = (uint16_t)v->num[T_ICMP4];
	} else if (has(t, T_SRC6) && has(t, T_DST6)) {
		ev->family = 6;
		memcpy(ev->src, v->addr[T_SRC6], 16);
		memcpy(ev->dst, v->addr[T_DST6], 16);
		ev->icmp_type_code = (uint16_t)v->num[T_ICMP6];
	}
}

static void
event_times(const struct decode_template *t, const struct decode_values *v,
	    uint32_t export_time, struct c2w_cef_event *ev)
{
	if (has(t, T_START_MS) && has(t, T_END_MS)) {
		ev->has_times = true;
		ev->start_ms = v->num[T_START_MS];
		ev->end_ms = v->num[T_END_MS];
	} else if (has(t, T_START_S) && has(t, T_END_S)) {
		ev->has_times = true;
		ev->start_ms = v->num[T_START_S] * 1000u;
		ev->end_ms = v->num[T_END_S] * 1000u;
	}

	/* The event happened at the last packet the record covers; records
	 * without times fall back to the message's export time. */
	ev->receipt_ms = ev->end_ms != 0 ? ev->end_ms :
			 (uint64_t)export_time * 1000u;
}

static uint8_t
event_action(const struct decode_template *t, const struct decode_values *v)
{
	if (has(t, T_ACTION))
		return (uint8_t)v->num[T_ACTION];
	/* firewallEvent (IANA IE 233): 3 flow denied, 4 alert. */
	if (v->num[T_FW_EVENT] == 3)
		return C2W_IPFIX_ACTION_BLOCKED;
	if (v->num[T_FW_EVENT] == 4)
		return C2W_IPFIX_ACTION_ALERTED;
	return C2W_IPFIX_ACTION_NONE;
}

static uint8_t
event_type(const struct decode_template *t, const struct decode_values *v,
	   enum c2w_decode_kind kind)
{
	uint64_t type = v->num[T_EVENT_TYPE];

	if (kind == C2W_DECODE_KIND_FLOW)
		return C2W_IPFIX_EVENT_FLOW_END;
	if (has(t, T_EVENT_TYPE) && (type == C2W_IPFIX_EVENT_ALERT ||
				     type == C2W_IPFIX_EVENT_FLOW_END))
		return (uint8_t)type;
	return v->num[T_END_REASON] != 0 ? C2W_IPFIX_EVENT_FLOW_END :
	       C2W_IPFIX_EVENT_ALERT;
}

/* biflowDirection (IANA IE 239) 2, reverseInitiator, means the
 * destination opened the flow; swap so src is the initiator, as in
 * c2wall's own records. */
static void
event_orient(struct c2w_cef_event *ev)
{
	uint8_t addr[16];
	uint64_t n;
	uint16_t port;
	uint8_t bits;

	memcpy(addr, ev->src, 16);
	memcpy(ev->src, ev->dst, 16);
	memcpy(ev->dst, addr, 16);
	port = ev->sport;
	ev->sport = ev->dport;
	ev->dport = port;
	n = ev->bytes_fwd;
	ev->bytes_fwd = ev->bytes_rev;
	ev->bytes_rev = n;
	n = ev->pkts_fwd;
	ev->pkts_fwd = ev->pkts_rev;
	ev->pkts_rev = n;
	bits = ev->counters;
	ev->counters = (uint8_t)((bits & C2W_CEF_BYTES_FWD ?
				  C2W_CEF_BYTES_REV : 0) |
				 (bits & C2W_CEF_BYTES_REV ?
				  C2W_CEF_BYTES_FWD : 0) |
				 (bits & C2W_CEF_PKTS_FWD ?
				  C2W_CEF_PKTS_REV : 0) |
				 (bits & C2W_CEF_PKTS_REV ?
				  C2W_CEF_PKTS_FWD : 0));
}

static void
event_fill(const struct decode_template *t, const struct decode_values *v,
	   uint32_t export_time, enum c2w_decode_kind kind,
	   struct c2w_cef_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	event_addresses(t, v, ev);
	ev->proto = (uint8_t)v->num[T_PROTO];
	ev->proto_absent = !has(t, T_PROTO);
	ev->has_sport = has(t, T_SPORT);
	ev->has_dport = has(t, T_DPORT);
	ev->sport = (uint16_t)v->num[T_SPORT];
	ev->dport = (uint16_t)v->num[T_DPORT];
	ev->generic = kind != C2W_DECODE_KIND_C2WALL;
	ev->event_type = event_type(t, v, kind);
	ev->action = event_action(t, v);
	ev->side = (uint8_t)v->num[T_SIDE];
	ev->confidence = v->num[T_CONFIDENCE] > 100 ? 100 :
			 (uint8_t)v->num[T_CONFIDENCE];
	ev->end_reason = (uint8_t)v->num[T_END_REASON];
	event_times(t, v, export_time, ev);
	event_counters(t, v, ev);
	if (v->num[T_BIFLOW_DIR] == 2)
		event_orient(ev);
	ev->has_tcp_flags = has(t, T_TCP_FLAGS);
	ev->tcp_flags = (uint16_t)v->num[T_TCP_FLAGS];
	ev->has_ingress = has(t, T_INGRESS);
	ev->ingress_if = (uint32_t)v->num[T_INGRESS];
	ev->has_egress = has(t, T_EGRESS);
	ev->egress_if = (uint32_t)v->num[T_EGRESS];
	ev->has_icmp = has(t, T_ICMP4) || has(t, T_ICMP6);
	ev->has_vlan = has(t, T_VLAN);
	ev->vlan_outer = (uint16_t)v->num[T_VLAN];
	ev->vlan_inner = (uint16_t)v->num[T_CVLAN];
	ev->interface_name = v->str[T_IFNAME];
	ev->ioc_value = v->str[T_IOC_VALUE];
	ev->ioc_id = v->str[T_IOC_ID];
	ev->threat_type = v->str[T_THREAT_TYPE];
	ev->malware = v->str[T_MALWARE];
	ev->tags = v->str[T_TAGS];
	ev->reference = v->str[T_REFERENCE];
	ev->ioc_first_seen = (int64_t)v->num[T_FIRST_SEEN];
	ev->ioc_last_seen = (int64_t)v->num[T_LAST_SEEN];
}

/* Whether the octets left in a data set are all zero, as RFC 7011
 * requires of padding. */
static bool
is_padding(const uint8_t *p, const uint8_t *end)
{
	for (; p < end; p++)
		if (*p != 0)
			return false;
	return true;
}

static void
data_set(struct decode_ctx *c, uint16_t set_id, const uint8_t *p,
	 const uint8_t *end)
{
	struct decode_template **slot = template_slot(c->domain, set_id);
	const struct decode_template *t;
	struct c2w_decode_record rec;
	struct decode_values v;

	if (slot == NULL) {
		report(c, C2W_DECODE_ERR_UNKNOWN_TEMPLATE, "data set of "
		       "template %u, which was not received or was dropped",
		       set_id);
		return;
	}
	t = *slot;
	while ((size_t)(end - p) >= t->min_len) {
		memset(&v, 0, sizeof(v));
		if (!record_read(t, &p, end, &v)) {
			report(c, C2W_DECODE_ERR_SHORT_RECORD, "template %u: "
			       "record runs past the end of its set", set_id);
			return;
		}
		rec.kind = record_kind(t);
		rec.domain = c->hdr.domain;
		rec.sequence = c->hdr.sequence + c->index++;
		rec.invalid_strings = v.invalid_strings;
		event_fill(t, &v, c->hdr.export_time, rec.kind, &rec.ev);
		c->on_record(c->arg, &rec);
	}
	if (!is_padding(p, end))
		report(c, C2W_DECODE_ERR_SHORT_RECORD, "template %u: %zu octets "
		       "left at the set end, shorter than a record and not zero "
		       "padding", set_id, (size_t)(end - p));
}

int
c2w_decode_message(struct c2w_decode *dec, const uint8_t *msg, size_t len,
		   c2w_decode_record_fn on_record,
		   c2w_decode_error_fn on_error, void *arg)
{
	struct decode_ctx c = {
		.dec = dec, .on_record = on_record, .on_error = on_error,
		.arg = arg,
	};
	const uint8_t *p, *end;
	uint16_t set_id, set_len;
	int rc;

	rc = c2w_decode_header(msg, len, &c.hdr);
	if (rc == -EPROTO || rc == -EAGAIN) {
		report(&c, rc == -EPROTO ? C2W_DECODE_ERR_BAD_VERSION :
		       C2W_DECODE_ERR_BAD_LENGTH, "%zu octets, version %u",
		       len, len >= 2 ? rd16(msg) : 0u);
		return rc == -EAGAIN ? -EMSGSIZE : rc;
	}
	if (rc != 0 || c.hdr.length != len) {
		report(&c, C2W_DECODE_ERR_BAD_LENGTH, "header length %u, "
		       "%zu octets received", c.hdr.length, len);
		return -EMSGSIZE;
	}
	c.domain = domain_get(dec, c.hdr.domain);
	if (c.domain == NULL) {
		report(&c, C2W_DECODE_ERR_SET_ID, "observation domain %u: "
		       "more than %u domains in one session",
		       c.hdr.domain, DECODE_DOMAINS_MAX);
		return 0;
	}

	p = msg + C2W_DECODE_HEADER_LEN;
	end = msg + len;
	while (p < end) {
		if (end - p < 4) {
			report(&c, C2W_DECODE_ERR_TRUNCATED_SET, "%zu octets "
			       "after the last set", (size_t)(end - p));
			break;
		}
		set_id = rd16(p);
		set_len = rd16(p + 2);
		if (set_len < 4) {
			report(&c, C2W_DECODE_ERR_SET_LENGTH, "set %u: length "
			       "%u", set_id, set_len);
			break;
		}
		if (set_len > end - p) {
			report(&c, C2W_DECODE_ERR_TRUNCATED_SET, "set %u: "
			       "length %u, %zu octets left in the message",
			       set_id, set_len, (size_t)(end - p));
			break;
		}
		if (set_id == DECODE_SET_TEMPLATE || set_id == DECODE_SET_OPTIONS)
			template_set(&c, p + 4, p + set_len,
				     set_id == DECODE_SET_OPTIONS);
		else if (set_id >= DECODE_FIRST_DATA_SET)
			data_set(&c, set_id, p + 4, p + set_len);
		else
			report(&c, C2W_DECODE_ERR_SET_ID, "reserved set ID %u "
			       "skipped", set_id);
		p += set_len;
	}
	return (int)c.index;
}
