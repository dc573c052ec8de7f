/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cef.h"
#include "ipfix_ie.h"

/* A full record has about 35 extension keys. */
#define CEF_FIELDS_MAX 48
/* Numbers, addresses and the msg text are rendered here first. */
#define CEF_SCRATCH_SIZE 2048
#define CEF_MSG_WORD_MAX 256

struct cef_field {
	const char *key;
	const char *val;
	size_t full_len;   /* raw bytes of the value */
	size_t keep_len;   /* raw bytes written, less after a cut */
	bool free_text;    /* may be cut to fit the line limit */
	bool cut;
};

struct cef_builder {
	struct cef_field field[CEF_FIELDS_MAX];
	unsigned count;
	char scratch[CEF_SCRATCH_SIZE];
	size_t used;
};

static bool
is_cef_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

int
c2w_cef_escape_header(const char *in, size_t in_len, char *out, size_t size)
{
	size_t o = 0;
	size_t i;

	for (i = 0; i < in_len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (o + 3 > size)
			return -ENOSPC;
		if (c == '\\' || c == '|')
			out[o++] = '\\';
		out[o++] = is_cef_control(c) ? ' ' : (char)c;
	}
	if (o + 1 > size)
		return -ENOSPC;
	out[o] = '\0';
	return (int)o;
}

/* Escaped size of one value byte in an extension. */
static size_t
ext_width(unsigned char c)
{
	return (c == '\\' || c == '=' || c == '\n' || c == '\r') ? 2 : 1;
}

static size_t
ext_escaped_len(const char *in, size_t in_len)
{
	size_t n = 0;
	size_t i;

	for (i = 0; i < in_len; i++)
		n += ext_width((unsigned char)in[i]);
	return n;
}

/* Caller guarantees room for ext_escaped_len(in, in_len) bytes. */
static size_t
ext_escape_into(const char *in, size_t in_len, char *out)
{
	size_t o = 0;
	size_t i;

	for (i = 0; i < in_len; i++) {
		unsigned char c = (unsigned char)in[i];

		switch (c) {
		case '\\':
		case '=':
			out[o++] = '\\';
			out[o++] = (char)c;
			break;
		case '\n':
			out[o++] = '\\';
			out[o++] = 'n';
			break;
		case '\r':
			out[o++] = '\\';
			out[o++] = 'r';
			break;
		default:
			out[o++] = is_cef_control(c) ? ' ' : (char)c;
			break;
		}
	}
	return o;
}

int
c2w_cef_escape_ext(const char *in, size_t in_len, char *out, size_t size)
{
	size_t n = ext_escaped_len(in, in_len);

	if (n + 1 > size)
		return -ENOSPC;
	ext_escape_into(in, in_len, out);
	out[n] = '\0';
	return (int)n;
}

unsigned
c2w_cef_severity(const struct c2w_cef_event *ev)
{
	if (ev->generic ||
	    (ev->action == C2W_IPFIX_ACTION_NONE && ev->ioc_value.len == 0))
		return 1;
	if (ev->confidence >= 90)
		return 10;
	if (ev->confidence >= 75)
		return 8;
	if (ev->confidence >= 50)
		return 6;
	return 4;
}

const char *
c2w_cef_proto_name(uint8_t proto, char *buf, size_t size)
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 47:
		return "GRE";
	case 50:
		return "ESP";
	case 58:
		return "ICMPv6";
	case 132:
		return "SCTP";
	default:
		snprintf(buf, size, "%u", proto);
		return buf;
	}
}

const char *
c2w_cef_action_name(uint8_t action)
{
	switch (action) {
	case C2W_IPFIX_ACTION_NONE:
		return "none";
	case C2W_IPFIX_ACTION_BLOCKED:
		return "blocked";
	case C2W_IPFIX_ACTION_ALERTED:
		return "alerted";
	case C2W_IPFIX_ACTION_ALLOWED:
		return "allowed";
	default:
		return "unknown";
	}
}

const char *
c2w_cef_end_reason_name(uint8_t reason)
{
	switch (reason) {
	case 1:
		return "idle timeout";
	case 2:
		return "active timeout";
	case 3:
		return "end of flow";
	case 4:
		return "forced end";
	case 5:
		return "lack of resources";
	default:
		return NULL;
	}
}

int
c2w_cef_addr_format(const struct c2w_cef_event *ev, bool source, char *buf,
		    size_t size)
{
	const uint8_t *addr = source ? ev->src : ev->dst;
	int af;

	if (ev->family == 4)
		af = AF_INET;
	else if (ev->family == 6)
		af = AF_INET6;
	else
		return -EINVAL;
	if (size < INET6_ADDRSTRLEN ||
	    inet_ntop(af, addr, buf, (socklen_t)size) == NULL)
		return -EINVAL;
	return 0;
}

static void
add_str(struct cef_builder *b, const char *key, const char *val, size_t len,
	bool free_text)
{
	struct cef_field *f;

	if (b->count == CEF_FIELDS_MAX)
		return;
	f = &b->field[b->count++];
	f->key = key;
	f->val = val;
	f->full_len = len;
	f->keep_len = len;
	f->free_text = free_text;
	f->cut = false;
}

static void
add_cstr(struct cef_builder *b, const char *key, const char *val)
{
	add_str(b, key, val, strlen(val), false);
}

/* Copy printf output into the scratch area; a value that does not fit is
 * left out, which the scratch size rules out for the keys used here. */
static void __attribute__((format(printf, 4, 5)))
add_fmt(struct cef_builder *b, const char *key, bool free_text,
	const char *fmt, ...)
{
	size_t room = sizeof(b->scratch) - b->used;
	char *dst = b->scratch + b->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return;
	b->used += (size_t)n + 1;
	add_str(b, key, dst, (size_t)n, free_text);
}

static void
add_text(struct cef_builder *b, const char *key, const char *label_key,
	 const char *label, const struct c2w_cef_str *s)
{
	if (s->len == 0)
		return;
	add_str(b, key, s->ptr, s->len, true);
	add_cstr(b, label_key, label);
}

static void
add_addresses(struct cef_builder *b, const struct c2w_cef_event *ev)
{
	char src[INET6_ADDRSTRLEN];
	char dst[INET6_ADDRSTRLEN];

	if (c2w_cef_addr_format(ev, true, src, sizeof(src)) != 0 ||
	    c2w_cef_addr_format(ev, false, dst, sizeof(dst)) != 0)
		return;
	add_fmt(b, "src", false, "%s", src);
	add_fmt(b, "dst", false, "%s", dst);
	if (ev->family != 6)
		return;

	/* CommonSecurityLog documents src/dst as IPv4 and offers custom
	 * IPv6 fields, so IPv6 records carry the addresses in both. */
	add_fmt(b, "c6a2", false, "%s", src);
	add_cstr(b, "c6a2Label", "Source IPv6 Address");
	add_fmt(b, "c6a3", false, "%s", dst);
	add_cstr(b, "c6a3Label", "Destination IPv6 Address");
}

/* Counters the record had; a record of another exporter may carry only
 * some of them. CEF "in" counts bytes flowing from source to
 * destination. */
static void
add_counters(struct cef_builder *b, const struct c2w_cef_event *ev)
{
	uint8_t have = ev->has_counters ? C2W_CEF_COUNTERS_ALL : ev->counters;

	if (have & C2W_CEF_BYTES_FWD)
		add_fmt(b, "in", false, "%" PRIu64, ev->bytes_fwd);
	if (have & C2W_CEF_BYTES_REV)
		add_fmt(b, "out", false, "%" PRIu64, ev->bytes_rev);
	if (have & C2W_CEF_PKTS_FWD) {
		add_fmt(b, "cn2", false, "%" PRIu64, ev->pkts_fwd);
		add_cstr(b, "cn2Label", "SrcPackets");
	}
	if (have & C2W_CEF_PKTS_REV) {
		add_fmt(b, "cn3", false, "%" PRIu64, ev->pkts_rev);
		add_cstr(b, "cn3Label", "DstPackets");
	}
}

int
c2w_cef_tcp_flags_format(uint16_t flags, char *buf, size_t size)
{
	static const char *const names[] = {
		"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS",
	};
	size_t o = 0;
	unsigned i;
	int n;

	if (size < C2W_CEF_TCP_FLAGS_MAX)
		return -EINVAL;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & (1u << i)))
			continue;
		n = snprintf(buf + o, size - o, "%s%s", o > 0 ? "," : "",
			     names[i]);
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(buf, size, "none");
	return 0;
}

static void
add_tcp_flags(struct cef_builder *b, uint16_t flags)
{
	char text[C2W_CEF_TCP_FLAGS_MAX];

	if (c2w_cef_tcp_flags_format(flags, text, sizeof(text)) == 0)
		add_fmt(b, "flexString2", false, "%s", text);
}

static void
add_flow(struct cef_builder *b, const struct c2w_cef_event *ev)
{
	char num[4];

	if (ev->proto_absent) {
		if (ev->has_sport)
			add_fmt(b, "spt", false, "%u", ev->sport);
		if (ev->has_dport)
			add_fmt(b, "dpt", false, "%u", ev->dport);
	} else {
		if (ev->proto == 6 || ev->proto == 17 || ev->proto == 132) {
			add_fmt(b, "spt", false, "%u", ev->sport);
			add_fmt(b, "dpt", false, "%u", ev->dport);
		}
		add_fmt(b, "proto", false, "%s",
			c2w_cef_proto_name(ev->proto, num, sizeof(num)));
	}

	add_counters(b, ev);
	if (ev->has_times) {
		add_fmt(b, "start", false, "%" PRIu64, ev->start_ms);
		add_fmt(b, "end", false, "%" PRIu64, ev->end_ms);
	}
	add_fmt(b, "rt", false, "%" PRIu64, ev->receipt_ms);
	if (ev->has_ingress)
		add_fmt(b, "deviceInboundInterface", false, "%" PRIu32,
			ev->ingress_if);
	if (ev->has_egress)
		add_fmt(b, "deviceOutboundInterface", false, "%" PRIu32,
			ev->egress_if);
	if (ev->interface_name.len > 0) {
		add_str(b, "flexString1", ev->interface_name.ptr,
			ev->interface_name.len, true);
		add_cstr(b, "flexString1Label", "InterfaceName");
	}
	if (ev->has_tcp_flags) {
		add_tcp_flags(b, ev->tcp_flags);
		add_cstr(b, "flexString2Label", "TcpFlags");
	}
}

/* Printf precision for a word of msg: the cs keys carry the whole value,
 * so msg keeps at most CEF_MSG_WORD_MAX bytes of each to fit the scratch
 * area. */
static int
msg_width(const struct c2w_cef_str *s)
{
	return s->len > CEF_MSG_WORD_MAX ? CEF_MSG_WORD_MAX : (int)s->len;
}

static void
add_indicator(struct cef_builder *b, const struct c2w_cef_event *ev)
{
	const char *reason = c2w_cef_end_reason_name(ev->end_reason);
	const char *side;

	add_text(b, "cs1", "cs1Label", "IOCValue", &ev->ioc_value);
	add_text(b, "cs2", "cs2Label", "ThreatType", &ev->threat_type);
	add_text(b, "cs3", "cs3Label", "Malware", &ev->malware);
	add_text(b, "cs4", "cs4Label", "IOCId", &ev->ioc_id);
	add_text(b, "cs5", "cs5Label", "Tags", &ev->tags);
	add_text(b, "cs6", "cs6Label", "Reference", &ev->reference);
	if (reason != NULL && ev->generic)
		add_cstr(b, "reason", reason);

	/* A record of a template without c2wall's event elements is no
	 * indicator match, even when it carries some c2wall strings. */
	if (ev->generic)
		return;
	if (ev->action != C2W_IPFIX_ACTION_NONE || ev->ioc_value.len > 0) {
		add_fmt(b, "cn1", false, "%u", ev->confidence);
		add_cstr(b, "cn1Label", "Confidence");
	}
	if (reason != NULL)
		add_cstr(b, "reason", reason);
	if (ev->ioc_value.len == 0)
		return;

	side = ev->side == C2W_IPFIX_SIDE_SOURCE ? "source" :
	       ev->side == C2W_IPFIX_SIDE_DESTINATION ? "destination" :
	       "unknown side";
	/* "<malware> <threat type> indicator <value> matched <side>", with
	 * absent words left out. */
	add_fmt(b, "msg", true, "%.*s%s%.*s%sindicator %.*s matched %s",
		msg_width(&ev->malware), ev->malware.ptr,
		ev->malware.len > 0 ? " " : "",
		msg_width(&ev->threat_type), ev->threat_type.ptr,
		ev->threat_type.len > 0 ? " " : "",
		msg_width(&ev->ioc_value), ev->ioc_value.ptr, side);
}

static size_t
field_len(const struct cef_field *f)
{
	size_t n = strlen(f->key) + 1 + ext_escaped_len(f->val, f->keep_len);

	return f->cut ? n + strlen(C2W_CEF_CUT_MARKER) : n;
}

static size_t
extension_len(const struct cef_builder *b)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < b->count; i++)
		n += field_len(&b->field[i]) + (i > 0 ? 1 : 0);
	return n;
}

/* Cut the longest free-text value so the line shrinks by at least excess
 * bytes, never inside a UTF-8 sequence. Returns false when no value is
 * left to cut. */
static bool
cut_longest(struct cef_builder *b, size_t excess)
{
	struct cef_field *best = NULL;
	size_t best_len = 0;
	size_t marker = strlen(C2W_CEF_CUT_MARKER);
	size_t now, target, acc, i;
	unsigned k;

	for (k = 0; k < b->count; k++) {
		struct cef_field *f = &b->field[k];
		size_t n = ext_escaped_len(f->val, f->keep_len);

		if (f->free_text && f->keep_len > 0 && n > best_len) {
			best = f;
			best_len = n;
		}
	}
	if (best == NULL)
		return false;

	/* The field shrinks from its current size to the kept prefix plus
	 * the marker, so the prefix must give up excess + marker bytes. */
	now = best_len + (best->cut ? marker : 0);
	target = now > excess + marker ? now - excess - marker : 0;

	acc = 0;
	for (i = 0; i < best->keep_len; i++) {
		size_t w = ext_width((unsigned char)best->val[i]);

		if (acc + w > target)
			break;
		acc += w;
	}
	while (i > 0 && ((unsigned char)best->val[i] & 0xc0) == 0x80)
		i--;
	best->keep_len = i;
	best->cut = true;
	return true;
}

static int
write_header(const struct c2w_cef_event *ev, const struct c2w_cef_device *dev,
	     char *buf, size_t size)
{
	const char *fields[3] = { dev->vendor, dev->product, dev->version };
	const char *name;
	unsigned sig;
	size_t o;
	int n, i;

	if (ev->generic ||
	    (ev->action == C2W_IPFIX_ACTION_NONE && ev->ioc_value.len == 0)) {
		sig = C2W_CEF_SIG_FLOW;
		name = "Flow ended";
	} else {
		sig = ev->event_type == C2W_IPFIX_EVENT_FLOW_END ?
		      C2W_CEF_SIG_FLOW_END : C2W_CEF_SIG_ALERT;
		name = NULL;
	}

	o = (size_t)snprintf(buf, size, "CEF:0|");
	for (i = 0; i < 3; i++) {
		n = c2w_cef_escape_header(fields[i], strlen(fields[i]),
					  buf + o, size - o);
		if (n < 0 || o + (size_t)n + 2 > size)
			return -EMSGSIZE;
		o += (size_t)n;
		buf[o++] = '|';
	}
	if (name != NULL)
		n = snprintf(buf + o, size - o, "%u|%s|%u|", sig, name,
			     c2w_cef_severity(ev));
	else
		n = snprintf(buf + o, size - o, "%u|C2 connection %s|%u|",
			     sig, c2w_cef_action_name(ev->action),
			     c2w_cef_severity(ev));
	if (n < 0 || o + (size_t)n >= size)
		return -EMSGSIZE;
	return (int)(o + (size_t)n);
}

static void
write_extension(const struct cef_builder *b, char *out)
{
	size_t o = 0;
	unsigned i;

	for (i = 0; i < b->count; i++) {
		const struct cef_field *f = &b->field[i];
		size_t klen = strlen(f->key);

		if (i > 0)
			out[o++] = ' ';
		memcpy(out + o, f->key, klen);
		o += klen;
		out[o++] = '=';
		o += ext_escape_into(f->val, f->keep_len, out + o);
		if (f->cut) {
			memcpy(out + o, C2W_CEF_CUT_MARKER,
			       strlen(C2W_CEF_CUT_MARKER));
			o += strlen(C2W_CEF_CUT_MARKER);
		}
	}
	out[o] = '\0';
}

int
c2w_cef_format(const struct c2w_cef_event *ev,
	       const struct c2w_cef_device *dev, size_t max_len, char *buf,
	       size_t size, size_t *len, bool *cut)
{
	struct cef_builder b;
	size_t ext_len;
	int hdr_len;

	if (ev == NULL || dev == NULL || buf == NULL || len == NULL ||
	    dev->vendor == NULL || dev->product == NULL ||
	    dev->version == NULL || max_len < C2W_CEF_MAX_LINE_MIN ||
	    size < max_len + 1)
		return -EINVAL;

	b.count = 0;
	b.used = 0;
	add_cstr(&b, "act", c2w_cef_action_name(ev->action));
	add_cstr(&b, "cat", ev->event_type == C2W_IPFIX_EVENT_FLOW_END ?
		 "c2wall/flow_end" : "c2wall/alert");
	add_addresses(&b, ev);
	add_flow(&b, ev);
	add_indicator(&b, ev);

	hdr_len = write_header(ev, dev, buf, max_len + 1);
	if (hdr_len < 0)
		return hdr_len;

	if (cut != NULL)
		*cut = false;
	ext_len = extension_len(&b);
	while ((size_t)hdr_len + ext_len > max_len) {
		if (!cut_longest(&b, (size_t)hdr_len + ext_len - max_len))
			return -EMSGSIZE;
		if (cut != NULL)
			*cut = true;
		ext_len = extension_len(&b);
	}

	write_extension(&b, buf + hdr_len);
	*len = (size_t)hdr_len + ext_len;
	return 0;
}
