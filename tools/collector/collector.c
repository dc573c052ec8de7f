/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * c2wall-collector: receives c2wall's IPFIX alert and flow records over
 * UDP or from an IPFIX file (RFC 5655) and writes them as CEF lines for
 * Microsoft Sentinel's CommonSecurityLog, as JSON lines, or as CEF over
 * syslog. docs/collector.md describes the options and counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fixbuf/public.h>

#include "cef.h"
#include "ipfix_ie.h"
#include "output.h"

#ifndef C2W_VERSION
#define C2W_VERSION "unknown"
#endif

#define COLLECTOR_NAME "c2wall-collector"
#define COLLECTOR_LISTEN_DEFAULT "udp://0.0.0.0:4739"
/* libfixbuf messages printed before the rest are only counted. */
#define COLLECTOR_LIB_LOG_MAX 20
#define IPFIX_HEADER_LEN 16
#define IPFIX_VERSION 10

/*
 * Record layout of the internal template. libfixbuf packs fields in spec
 * order without padding, so the struct lists them by size, largest first,
 * and ends in padding to a multiple of 8; record_spec must match it field
 * for field. Elements missing from a record's template are zero.
 */
struct record {
	uint64_t start_ms;
	uint64_t end_ms;
	uint64_t bytes;
	uint64_t packets;
	uint64_t rev_bytes;
	uint64_t rev_packets;
	uint8_t src6[16];
	uint8_t dst6[16];
	fbVarfield_t ioc_value;
	fbVarfield_t ioc_id;
	fbVarfield_t threat_type;
	fbVarfield_t malware;
	fbVarfield_t tags;
	fbVarfield_t reference;
	uint32_t src4;
	uint32_t dst4;
	uint32_t ingress_if;
	uint32_t egress_if;
	uint32_t ioc_first_seen;
	uint32_t ioc_last_seen;
	uint16_t sport;
	uint16_t dport;
	uint16_t icmp4;
	uint16_t icmp6;
	uint16_t vlan;
	uint16_t customer_vlan;
	uint8_t proto;
	uint8_t firewall_event;
	uint8_t end_reason;
	uint8_t confidence;
	uint8_t action;
	uint8_t side;
	uint8_t event_type;
	uint8_t pad[5];
};

_Static_assert(sizeof(struct record) == 224,
	       "struct record must have no padding the spec lacks");

static fbInfoElementSpec_t record_spec[] = {
	{ "flowStartMilliseconds", 8, 0 },
	{ "flowEndMilliseconds", 8, 0 },
	{ "octetDeltaCount", 8, 0 },
	{ "packetDeltaCount", 8, 0 },
	{ "reverseOctetDeltaCount", 8, 0 },
	{ "reversePacketDeltaCount", 8, 0 },
	{ "sourceIPv6Address", 16, 0 },
	{ "destinationIPv6Address", 16, 0 },
	{ C2W_IE_NAME_IOC_VALUE, FB_IE_VARLEN, 0 },
	{ C2W_IE_NAME_IOC_ID, FB_IE_VARLEN, 0 },
	{ C2W_IE_NAME_THREAT_TYPE, FB_IE_VARLEN, 0 },
	{ C2W_IE_NAME_MALWARE, FB_IE_VARLEN, 0 },
	{ C2W_IE_NAME_IOC_TAGS, FB_IE_VARLEN, 0 },
	{ C2W_IE_NAME_IOC_REFERENCE, FB_IE_VARLEN, 0 },
	{ "sourceIPv4Address", 4, 0 },
	{ "destinationIPv4Address", 4, 0 },
	{ "ingressInterface", 4, 0 },
	{ "egressInterface", 4, 0 },
	{ C2W_IE_NAME_IOC_FIRST_SEEN, 4, 0 },
	{ C2W_IE_NAME_IOC_LAST_SEEN, 4, 0 },
	{ "sourceTransportPort", 2, 0 },
	{ "destinationTransportPort", 2, 0 },
	{ "icmpTypeCodeIPv4", 2, 0 },
	{ "icmpTypeCodeIPv6", 2, 0 },
	{ "dot1qVlanId", 2, 0 },
	{ "dot1qCustomerVlanId", 2, 0 },
	{ "protocolIdentifier", 1, 0 },
	{ "firewallEvent", 1, 0 },
	{ "flowEndReason", 1, 0 },
	{ C2W_IE_NAME_CONFIDENCE, 1, 0 },
	{ C2W_IE_NAME_ACTION, 1, 0 },
	{ C2W_IE_NAME_MATCH_SIDE, 1, 0 },
	{ C2W_IE_NAME_EVENT_TYPE, 1, 0 },
	{ "paddingOctets", 5, 0 },
	FB_IESPEC_NULL
};

/* Element summary of an external template, set once per template by the
 * new template callback and read for each record. */
struct template_info {
	bool relevant;     /* c2wall alert or flow record */
	bool ipv6;
	bool has_times;
	bool has_counters;
	bool has_ingress;
	bool has_egress;
	bool has_icmp;
	bool has_vlan;
	bool has_event_type;
	bool has_action;
};

struct collector_options {
	const char *listen;
	const char *input;
	uint32_t pen;
	bool all_flows;
	uint64_t count;          /* 0: no limit */
	struct c2w_output_config out;
};

struct collector_stats {
	uint64_t messages;       /* IPFIX messages read */
	uint64_t records;        /* data records of c2wall templates */
	uint64_t other_records;  /* data records of other templates */
	uint64_t events;         /* records written as events */
	uint64_t filtered;       /* flow records without an indicator */
	uint64_t malformed;      /* messages or file regions rejected */
	uint64_t lib_messages;   /* warnings libfixbuf logged */
};

struct collector {
	struct collector_options opt;
	struct collector_stats stats;
	struct c2w_output *out;
	fbInfoModel_t *model;
	fbSession_t *session;
	fbListener_t *listener;
	fBuf_t *fbuf;
	uint16_t int_tid;
	atomic_bool stop;
};

/* Set before the signal thread starts; read by it and the log handler. */
static struct collector *collector_global;

static const char usage_text[] =
	"usage: " COLLECTOR_NAME " [options]\n"
	"Receive c2wall IPFIX alert and flow records and write them as CEF\n"
	"(Microsoft Sentinel CommonSecurityLog) or JSON lines.\n"
	"\n"
	"input (one of):\n"
	"  --listen udp://HOST:PORT  receive IPFIX over UDP (default "
	COLLECTOR_LISTEN_DEFAULT ",\n"
	"                            IPv6 as udp://[::]:4739)\n"
	"  --input FILE              read an IPFIX file (RFC 5655), - for "
	"stdin;\n"
	"                            exits at end of file\n"
	"output (any; CEF to stdout if none is given):\n"
	"  --cef PATH|-              append CEF lines to PATH or stdout\n"
	"  --json PATH|-             append JSON lines to PATH or stdout\n"
	"  --syslog tcp://HOST:PORT|udp://HOST:PORT\n"
	"                            send CEF over syslog (TCP uses RFC 6587\n"
	"                            octet counting)\n"
	"  --syslog-format 3164|5424 syslog header format (default 3164)\n"
	"  --facility NAME           syslog facility, local0-local7, user,\n"
	"                            daemon or 0-23 (default local4)\n"
	"  --max-line BYTES          maximum CEF line or syslog message size,\n"
	"                            at least 2048 (default 8192); longer\n"
	"                            lines have free-text values cut\n"
	"filtering:\n"
	"  --pen N                   private enterprise number of the c2wall\n"
	"                            elements (default 32473)\n"
	"  --all-flows               also write flow records without an\n"
	"                            indicator (default: alerts and flow\n"
	"                            records with an indicator)\n"
	"  --count N                 exit after N c2wall records\n"
	"  --help                    print this text\n"
	"\n"
	"SIGINT or SIGTERM flushes the outputs; counters go to stderr at "
	"exit.\n";

enum option_id {
	OPT_LISTEN = 1,
	OPT_INPUT,
	OPT_CEF,
	OPT_JSON,
	OPT_SYSLOG,
	OPT_SYSLOG_FORMAT,
	OPT_FACILITY,
	OPT_MAX_LINE,
	OPT_PEN,
	OPT_ALL_FLOWS,
	OPT_COUNT,
	OPT_HELP,
};

static const struct option long_options[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "cef", required_argument, NULL, OPT_CEF },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "syslog", required_argument, NULL, OPT_SYSLOG },
	{ "syslog-format", required_argument, NULL, OPT_SYSLOG_FORMAT },
	{ "facility", required_argument, NULL, OPT_FACILITY },
	{ "max-line", required_argument, NULL, OPT_MAX_LINE },
	{ "pen", required_argument, NULL, OPT_PEN },
	{ "all-flows", no_argument, NULL, OPT_ALL_FLOWS },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int
parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
	unsigned long long v;
	char *end;

	if (text[0] == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*value = v;
	return 0;
}

static int
option_error(const char *option, const char *value, const char *expected)
{
	fprintf(stderr, COLLECTOR_NAME ": --%s %s: invalid value: expected %s\n",
		option, value, expected);
	return -EINVAL;
}

static int
apply_option(struct collector_options *opt, int id, const char *arg)
{
	struct c2w_output_url url;
	uint64_t v;

	switch (id) {
	case OPT_LISTEN:
		if (c2w_output_parse_url(arg, &url) != 0 ||
		    strcmp(url.scheme, "udp") != 0)
			return option_error("listen", arg, "udp://HOST:PORT");
		opt->listen = arg;
		return 0;
	case OPT_INPUT:
		opt->input = arg;
		return 0;
	case OPT_CEF:
		opt->out.cef_path = arg;
		return 0;
	case OPT_JSON:
		opt->out.json_path = arg;
		return 0;
	case OPT_SYSLOG:
		if (c2w_output_parse_url(arg, &url) != 0)
			return option_error("syslog", arg,
					    "tcp://HOST:PORT or udp://HOST:PORT");
		opt->out.syslog_url = arg;
		return 0;
	case OPT_SYSLOG_FORMAT:
		if (strcmp(arg, "3164") == 0)
			opt->out.syslog_format = C2W_OUTPUT_SYSLOG_3164;
		else if (strcmp(arg, "5424") == 0)
			opt->out.syslog_format = C2W_OUTPUT_SYSLOG_5424;
		else
			return option_error("syslog-format", arg,
					    "3164 or 5424");
		return 0;
	case OPT_FACILITY:
		if (c2w_output_parse_facility(arg, &opt->out.facility) != 0)
			return option_error("facility", arg,
					    "local0-local7, user, daemon or "
					    "0-23");
		return 0;
	case OPT_MAX_LINE:
		if (parse_u64(arg, 2048, 65535, &v) != 0)
			return option_error("max-line", arg,
					    "bytes from 2048 to 65535");
		opt->out.max_line = (size_t)v;
		return 0;
	case OPT_PEN:
		if (parse_u64(arg, 1, UINT32_MAX, &v) != 0)
			return option_error("pen", arg,
					    "a number from 1 to 4294967295");
		opt->pen = (uint32_t)v;
		return 0;
	case OPT_ALL_FLOWS:
		opt->all_flows = true;
		return 0;
	case OPT_COUNT:
		if (parse_u64(arg, 1, UINT64_MAX, &opt->count) != 0)
			return option_error("count", arg, "a positive number");
		return 0;
	default:
		return -EINVAL;
	}
}

/* Returns 0 to run, 1 after --help, -EINVAL for invalid options. */
static int
parse_options(int argc, char **argv, struct collector_options *opt)
{
	int id;

	opt->pen = C2W_IPFIX_PEN_DEFAULT;
	opt->out.syslog_format = C2W_OUTPUT_SYSLOG_3164;
	opt->out.facility = C2W_OUTPUT_FACILITY_DEFAULT;
	opt->out.max_line = C2W_CEF_MAX_LINE_DEFAULT;
	opt->out.device.vendor = "c2wall";
	opt->out.device.product = "c2wall";
	opt->out.device.version = C2W_VERSION;

	while ((id = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (id == OPT_HELP) {
			fputs(usage_text, stdout);
			return 1;
		}
		if (id == '?' || apply_option(opt, id, optarg) != 0) {
			fprintf(stderr, "Run " COLLECTOR_NAME " --help for the "
				"options.\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, COLLECTOR_NAME ": %s: unexpected argument; "
			"options start with --\n", argv[optind]);
		return -EINVAL;
	}
	if (opt->listen != NULL && opt->input != NULL) {
		fprintf(stderr, COLLECTOR_NAME ": --listen and --input are "
			"exclusive: give one input\n");
		return -EINVAL;
	}
	if (opt->listen == NULL && opt->input == NULL)
		opt->listen = COLLECTOR_LISTEN_DEFAULT;
	if (opt->out.cef_path == NULL && opt->out.json_path == NULL &&
	    opt->out.syslog_url == NULL)
		opt->out.cef_path = "-";
	return 0;
}

static bool
template_has(fbTemplate_t *tmpl, const char *name)
{
	fbInfoElementSpec_t spec = { (char *)name, 0, 0 };

	return fbTemplateContainsElementByName(tmpl, &spec);
}

static void
template_info_free(void *tmpl_ctx, void *app_ctx)
{
	(void)app_ctx;
	free(tmpl_ctx);
}

/* Classify each external template once, so records of options templates
 * and foreign templates are skipped without being decoded. */
static void
template_new(fbSession_t *session, uint16_t tid, fbTemplate_t *tmpl,
	     void *app_ctx, void **tmpl_ctx, fbTemplateCtxFree_fn *free_fn)
{
	struct template_info *ti = calloc(1, sizeof(*ti));
	bool v4, v6;

	(void)session;
	(void)tid;
	(void)app_ctx;
	if (ti == NULL)
		return;
	v4 = template_has(tmpl, "sourceIPv4Address") &&
	     template_has(tmpl, "destinationIPv4Address");
	v6 = template_has(tmpl, "sourceIPv6Address") &&
	     template_has(tmpl, "destinationIPv6Address");
	ti->has_event_type = template_has(tmpl, C2W_IE_NAME_EVENT_TYPE);
	ti->has_action = template_has(tmpl, C2W_IE_NAME_ACTION);
	ti->relevant = fbTemplateGetOptionsScope(tmpl) == 0 && (v4 || v6) &&
		       (ti->has_event_type || ti->has_action ||
			template_has(tmpl, C2W_IE_NAME_IOC_VALUE) ||
			template_has(tmpl, "flowEndMilliseconds"));
	ti->ipv6 = v6 && !v4;
	ti->has_times = template_has(tmpl, "flowStartMilliseconds") &&
			template_has(tmpl, "flowEndMilliseconds");
	ti->has_counters = template_has(tmpl, "octetDeltaCount");
	ti->has_ingress = template_has(tmpl, "ingressInterface");
	ti->has_egress = template_has(tmpl, "egressInterface");
	ti->has_icmp = template_has(tmpl, "icmpTypeCodeIPv4") ||
		       template_has(tmpl, "icmpTypeCodeIPv6");
	ti->has_vlan = template_has(tmpl, "dot1qVlanId");
	*tmpl_ctx = ti;
	*free_fn = template_info_free;
}

static struct c2w_cef_str
varfield_str(const fbVarfield_t *v)
{
	return (struct c2w_cef_str){ (const char *)v->buf, v->len };
}

static uint8_t
record_action(const struct record *r, const struct template_info *ti)
{
	if (ti->has_action)
		return r->action;
	/* firewallEvent (IANA IE 233): 3 flow denied, 4 alert. */
	if (r->firewall_event == 3)
		return C2W_IPFIX_ACTION_BLOCKED;
	if (r->firewall_event == 4)
		return C2W_IPFIX_ACTION_ALERTED;
	return C2W_IPFIX_ACTION_NONE;
}

static uint8_t
record_event_type(const struct record *r, const struct template_info *ti)
{
	if (ti->has_event_type && (r->event_type == C2W_IPFIX_EVENT_ALERT ||
				   r->event_type == C2W_IPFIX_EVENT_FLOW_END))
		return r->event_type;
	return r->end_reason != 0 ? C2W_IPFIX_EVENT_FLOW_END :
	       C2W_IPFIX_EVENT_ALERT;
}

static void
record_addresses(const struct record *r, const struct template_info *ti,
		 struct c2w_cef_event *ev)
{
	uint32_t a;

	if (ti->ipv6) {
		ev->family = 6;
		memcpy(ev->src, r->src6, 16);
		memcpy(ev->dst, r->dst6, 16);
		ev->icmp_type_code = r->icmp6;
		return;
	}
	ev->family = 4;
	a = htonl(r->src4);
	memcpy(ev->src, &a, 4);
	a = htonl(r->dst4);
	memcpy(ev->dst, &a, 4);
	ev->icmp_type_code = r->icmp4;
}

static void
record_to_event(const struct record *r, const struct template_info *ti,
		uint64_t export_ms, struct c2w_cef_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	record_addresses(r, ti, ev);
	ev->proto = r->proto;
	ev->sport = r->sport;
	ev->dport = r->dport;
	ev->event_type = record_event_type(r, ti);
	ev->action = record_action(r, ti);
	ev->side = r->side;
	ev->confidence = r->confidence > 100 ? 100 : r->confidence;
	ev->end_reason = r->end_reason;
	ev->start_ms = r->start_ms;
	ev->end_ms = r->end_ms;
	ev->has_times = ti->has_times;

	/* The event happened at the last packet the record covers; records
	 * without times fall back to the message's export time. */
	ev->receipt_ms = r->end_ms != 0 ? r->end_ms : export_ms;
	ev->has_counters = ti->has_counters;
	ev->bytes_fwd = r->bytes;
	ev->pkts_fwd = r->packets;
	ev->bytes_rev = r->rev_bytes;
	ev->pkts_rev = r->rev_packets;
	ev->has_ingress = ti->has_ingress;
	ev->ingress_if = r->ingress_if;
	ev->has_egress = ti->has_egress;
	ev->egress_if = r->egress_if;
	ev->has_icmp = ti->has_icmp;
	ev->has_vlan = ti->has_vlan;
	ev->vlan_outer = r->vlan;
	ev->vlan_inner = r->customer_vlan;
	ev->ioc_value = varfield_str(&r->ioc_value);
	ev->ioc_id = varfield_str(&r->ioc_id);
	ev->threat_type = varfield_str(&r->threat_type);
	ev->malware = varfield_str(&r->malware);
	ev->tags = varfield_str(&r->tags);
	ev->reference = varfield_str(&r->reference);
	ev->ioc_first_seen = r->ioc_first_seen;
	ev->ioc_last_seen = r->ioc_last_seen;
}

static void
handle_record(struct collector *c, const struct record *r,
	      const struct template_info *ti)
{
	struct c2w_cef_event ev;
	uint64_t export_ms = (uint64_t)fBufGetExportTime(c->fbuf) * 1000u;

	if (ti == NULL || !ti->relevant) {
		c->stats.other_records++;
		return;
	}
	c->stats.records++;
	record_to_event(r, ti, export_ms, &ev);
	if (!c->opt.all_flows && ev.event_type == C2W_IPFIX_EVENT_FLOW_END &&
	    ev.action == C2W_IPFIX_ACTION_NONE && ev.ioc_value.len == 0) {
		c->stats.filtered++;
	} else {
		/* Sink failures are counted in the output stats. */
		(void)c2w_output_write(c->out, &ev);
		c->stats.events++;
	}
	if (c->opt.count != 0 && c->stats.records >= c->opt.count)
		atomic_store(&c->stop, true);
}

static bool
is_error(const GError *err, int code)
{
	return g_error_matches(err, FB_ERROR_DOMAIN, code);
}

static void
report_malformed(struct collector *c, const GError *err)
{
	c->stats.malformed++;
	if (c->stats.malformed <= COLLECTOR_LIB_LOG_MAX)
		fprintf(stderr, COLLECTOR_NAME ": malformed IPFIX message "
			"skipped: %s\n", err != NULL ? err->message : "unknown");
}

/*
 * Read the records of the current message. Returns 0 at the end of the
 * message, -EBADMSG when libfixbuf rejected it and err holds the reason,
 * or -EINTR when the loop was told to stop.
 */
static int
read_message_records(struct collector *c, GError **err)
{
	struct record rec;
	fbTemplate_t *tmpl;
	uint16_t tid;
	size_t len;

	while (!atomic_load(&c->stop)) {
		tmpl = fBufNextCollectionTemplate(c->fbuf, &tid, err);
		if (tmpl == NULL)
			return is_error(*err, FB_ERROR_EOM) ? 0 : -EBADMSG;
		len = sizeof(rec);
		if (!fBufNext(c->fbuf, (uint8_t *)&rec, &len, err))
			return is_error(*err, FB_ERROR_EOM) ? 0 : -EBADMSG;
		handle_record(c, &rec, fbTemplateGetContext(tmpl));
	}
	return -EINTR;
}

/* Plausible IPFIX message header at p: version 10, a length that fits. */
static bool
header_fits(const uint8_t *p, size_t avail, size_t *len)
{
	if (avail < IPFIX_HEADER_LEN || p[0] != 0 || p[1] != IPFIX_VERSION)
		return false;
	*len = (size_t)p[2] << 8 | p[3];
	return *len >= IPFIX_HEADER_LEN && *len <= avail;
}

/* Offset of the next message after garbage: a plausible header followed
 * by the end of the data or by the version field of another message. */
static size_t
resync(const uint8_t *data, size_t size, size_t off)
{
	const uint8_t *next;
	size_t len;

	for (off++; off + IPFIX_HEADER_LEN <= size; off++) {
		if (!header_fits(data + off, size - off, &len))
			continue;
		next = data + off + len;
		if (off + len == size ||
		    (off + len + 2 <= size && next[0] == 0 &&
		     next[1] == IPFIX_VERSION))
			return off;
	}
	return size;
}

static int
read_file_data(struct collector *c, uint8_t *data, size_t size)
{
	GError *err = NULL;
	size_t off = 0, len;
	int rc;

	while (off < size && !atomic_load(&c->stop)) {
		if (!header_fits(data + off, size - off, &len)) {
			fprintf(stderr, COLLECTOR_NAME ": %s: offset %zu: no "
				"valid IPFIX message header; skipping to the "
				"next one\n", c->opt.input, off);
			c->stats.malformed++;
			off = resync(data, size, off);
			continue;
		}

		/* Reattaching no collector rewinds the buffer, so a message
		 * that failed half-way leaves no state behind. */
		fBufSetCollector(c->fbuf, NULL);
		fBufSetBuffer(c->fbuf, data + off, len);
		off += len;
		c->stats.messages++;
		rc = read_message_records(c, &err);
		if (rc == -EBADMSG)
			report_malformed(c, err);
		g_clear_error(&err);
		c2w_output_flush(c->out);
	}
	return 0;
}

/* The whole file is mapped, or read into memory for stdin and pipes, so
 * framing errors can be skipped by searching for the next header. */
static int
read_file(struct collector *c)
{
	const char *path = c->opt.input;
	struct stat st;
	uint8_t *data = NULL;
	size_t size = 0, cap = 0;
	bool mapped = false;
	ssize_t n;
	int fd, rc;

	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		fprintf(stderr, COLLECTOR_NAME ": --input %s: cannot open: %s\n",
			path, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		size = (size_t)st.st_size;
		data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			    fd, 0);
		mapped = data != MAP_FAILED;
		if (!mapped)
			data = NULL;
	}
	while (!mapped) {
		if (size == cap) {
			uint8_t *grown = realloc(data, cap ? cap * 2 : 65536);

			if (grown == NULL) {
				rc = -ENOMEM;
				goto out_free;
			}
			data = grown;
			cap = cap ? cap * 2 : 65536;
		}
		n = read(fd, data + size, cap - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			fprintf(stderr, COLLECTOR_NAME ": --input %s: read "
				"failed: %s\n", path, strerror(-rc));
			goto out_free;
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	close(fd);
	fd = -1;

	rc = read_file_data(c, data, size);
out_free:
	if (fd >= 0)
		close(fd);
	if (mapped)
		munmap(data, size);
	else
		free(data);
	return rc;
}

/* After a rejected UDP message, load the next datagram so the rest of the
 * bad one is dropped; blocks until one arrives or the loop stops. */
static void
skip_udp_message(struct collector *c)
{
	GError *err = NULL;

	while (!atomic_load(&c->stop)) {
		if (fBufNextMessage(c->fbuf, &err)) {
			c->stats.messages++;
			return;
		}
		if (!is_error(err, FB_ERROR_NLREAD) &&
		    !is_error(err, FB_ERROR_IO))
			report_malformed(c, err);
		g_clear_error(&err);
	}
}

static int
read_udp(struct collector *c)
{
	GError *err = NULL;
	int rc;

	while (c->fbuf == NULL && !atomic_load(&c->stop)) {
		c->fbuf = fbListenerWait(c->listener, &err);
		g_clear_error(&err);
	}
	if (c->fbuf == NULL)
		return 0;
	fBufSetAutomaticMode(c->fbuf, FALSE);
	if (!fBufSetInternalTemplate(c->fbuf, c->int_tid, &err)) {
		fprintf(stderr, COLLECTOR_NAME ": internal template: %s\n",
			err->message);
		g_clear_error(&err);
		return -EINVAL;
	}

	while (!atomic_load(&c->stop)) {
		rc = read_message_records(c, &err);
		if (rc == 0) {
			c->stats.messages++;
			c2w_output_flush(c->out);
		} else if (rc == -EBADMSG && (is_error(err, FB_ERROR_NLREAD) ||
					      is_error(err, FB_ERROR_IO))) {
			/* Interrupted select or a datagram from a rejected
			 * peer: nothing was consumed. */
		} else if (rc == -EBADMSG) {
			report_malformed(c, err);
			g_clear_error(&err);
			skip_udp_message(c);
			c2w_output_flush(c->out);
		}
		g_clear_error(&err);
	}
	return 0;
}

static int
open_udp(struct collector *c)
{
	struct c2w_output_url url;
	fbConnSpec_t spec;
	GError *err = NULL;

	if (c2w_output_parse_url(c->opt.listen, &url) != 0)
		return -EINVAL;
	memset(&spec, 0, sizeof(spec));
	spec.transport = FB_UDP;
	spec.host = url.host;
	spec.svc = url.port;
	c->listener = fbListenerAlloc(&spec, c->session, NULL, NULL, &err);
	if (c->listener == NULL) {
		fprintf(stderr, COLLECTOR_NAME ": --listen %s: cannot listen: "
			"%s\n", c->opt.listen, err->message);
		g_clear_error(&err);
		return -EADDRNOTAVAIL;
	}
	/* Scripts wait for this line before they send. */
	fprintf(stderr, COLLECTOR_NAME ": listening on %s\n", c->opt.listen);
	return 0;
}

static int
open_session(struct collector *c)
{
	fbTemplate_t *tmpl;
	GError *err = NULL;
	int rc;

	c->model = fbInfoModelAlloc();
	rc = c2w_ipfix_ie_register(c->model, c->opt.pen);
	if (rc != 0)
		return rc;
	c->session = fbSessionAlloc(c->model);
	fbSessionAddNewTemplateCallback(c->session, template_new, c);

	tmpl = fbTemplateAlloc(c->model);
	if (!fbTemplateAppendSpecArray(tmpl, record_spec, UINT32_MAX, &err))
		goto out_error;
	c->int_tid = fbSessionAddTemplate(c->session, TRUE, FB_TID_AUTO, tmpl,
					  &err);
	if (c->int_tid == 0)
		goto out_error;
	return 0;

out_error:
	fprintf(stderr, COLLECTOR_NAME ": internal template: %s\n",
		err->message);
	g_clear_error(&err);
	return -EINVAL;
}

static int
open_file_buffer(struct collector *c)
{
	GError *err = NULL;

	c->fbuf = fBufAllocForCollection(c->session, NULL);
	fBufSetAutomaticMode(c->fbuf, FALSE);
	if (!fBufSetInternalTemplate(c->fbuf, c->int_tid, &err)) {
		fprintf(stderr, COLLECTOR_NAME ": internal template: %s\n",
			err->message);
		g_clear_error(&err);
		return -EINVAL;
	}
	return 0;
}

/* libfixbuf logs through GLib; its warnings go to stderr with our prefix,
 * the first few in full and the rest only counted. */
static void
log_library(const gchar *domain, GLogLevelFlags level, const gchar *message,
	    gpointer data)
{
	struct collector *c = data;

	(void)domain;
	if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
		return;
	c->stats.lib_messages++;
	if (c->stats.lib_messages <= COLLECTOR_LIB_LOG_MAX)
		fprintf(stderr, COLLECTOR_NAME ": libfixbuf: %s\n", message);
}

static void *
signal_thread(void *arg)
{
	sigset_t *set = arg;
	int sig;

	if (sigwait(set, &sig) != 0)
		return NULL;
	atomic_store(&collector_global->stop, true);
	if (collector_global->listener != NULL)
		fbListenerInterrupt(collector_global->listener);
	return NULL;
}

/* SIGINT and SIGTERM are taken by a thread with sigwait(), so no libfixbuf
 * call is interrupted half-way and fbListenerInterrupt() runs outside a
 * signal handler. */
static int
start_signal_thread(pthread_t *thread, sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, set, NULL) != 0)
		return -EINVAL;
	if (pthread_create(thread, NULL, signal_thread, set) != 0)
		return -EAGAIN;
	pthread_detach(*thread);
	return 0;
}

static void
print_stats(const struct collector *c)
{
	struct c2w_output_stats o;

	c2w_output_get_stats(c->out, &o);
	fprintf(stderr, COLLECTOR_NAME ": messages=%" PRIu64 " records=%" PRIu64
		" other_records=%" PRIu64 " events=%" PRIu64 " filtered=%"
		PRIu64 " malformed=%" PRIu64 " cef_written=%" PRIu64
		" json_written=%" PRIu64 " syslog_sent=%" PRIu64
		" send_errors=%" PRIu64 " cut=%" PRIu64 " format_errors=%"
		PRIu64 " libfixbuf_warnings=%" PRIu64 "\n",
		c->stats.messages, c->stats.records, c->stats.other_records,
		c->stats.events, c->stats.filtered, c->stats.malformed,
		o.cef_written, o.json_written, o.syslog_sent, o.send_errors,
		o.cut, o.format_errors, c->stats.lib_messages);
}

static int
open_input(struct collector *c)
{
	if (c->opt.input != NULL)
		return open_file_buffer(c);
	return open_udp(c);
}

int
main(int argc, char **argv)
{
	static struct collector c;
	pthread_t thread;
	sigset_t set;
	int rc;

	rc = parse_options(argc, argv, &c.opt);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	collector_global = &c;
	g_log_set_default_handler(log_library, &c);
	if (start_signal_thread(&thread, &set) != 0) {
		fprintf(stderr, COLLECTOR_NAME ": signal thread: cannot start\n");
		return 1;
	}

	rc = c2w_output_open(&c.opt.out, &c.out);
	if (rc != 0) {
		fprintf(stderr, COLLECTOR_NAME ": cannot open outputs: %s\n",
			strerror(-rc));
		return 1;
	}
	if (open_session(&c) != 0 || open_input(&c) != 0) {
		c2w_output_close(c.out);
		return 1;
	}

	rc = c.opt.input != NULL ? read_file(&c) : read_udp(&c);
	c2w_output_flush(c.out);
	print_stats(&c);
	c2w_output_close(c.out);
	return rc == 0 ? 0 : 1;
}
