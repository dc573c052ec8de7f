/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPFIX exporter on the main lcore. Events come from the workers through
 * an element ring, and each becomes one data record (biflow) or one per
 * direction (uniflow). libfixbuf encodes the records into a message
 * buffer, and app/transport.c carries each message over UDP, TCP or TLS.
 *
 * libfixbuf 2.4.1 fixes the message size of its own UDP exporter at 1420
 * bytes, blocks on TCP and, as Debian builds it, has no TLS. So the fBuf
 * writes into a buffer exporter (fbExporterAllocBuffer) sized to
 * export_mtu, and each finished message is queued on the transport.
 * libfixbuf still keeps the sequence numbers, the set headers and the
 * templates.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_log.h>
#include <rte_ring_elem.h>

#include "event.h"
#include "exporter.h"
#include "ipfix_ie.h"
#include "transport.h"

RTE_LOG_REGISTER(c2w_exporter_logtype, c2w.exporter, NOTICE);

#define EXPORTER_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, c2w_exporter_logtype, __VA_ARGS__)

/* Repeated failures (send, append) are logged at most once per second. */
#define EXPORTER_LOG_INTERVAL_MS 1000

/* IPFIX message header (RFC 7011 section 3.1) and set header, bytes. */
#define IPFIX_MSG_HDR_LEN 16
#define IPFIX_SET_HDR_LEN 4

/* Largest UDP payload over IPv4, so the largest message one send takes. */
#define EXPORTER_MTU_MAX 65507

/* Template IDs of the options templates: RFC 5610 type records and the
 * exporter's own counters. */
#define EXPORTER_TID_TYPE_INFO 262
#define EXPORTER_TID_EXPORTER_STATS 263

/* Withdrawal record: template ID and field count 0 (RFC 7011 8.1). */
#define IPFIX_WITHDRAWAL_LEN 4
#define IPFIX_SET_TEMPLATE 2
#define IPFIX_SET_OPTIONS_TEMPLATE 3

/* biflowDirection (IE 239, RFC 5103) values of uniflow records. */
#define BIFLOW_DIR_INITIATOR 1
#define BIFLOW_DIR_REVERSE_INITIATOR 2

/* Maximum wait at shutdown, in milliseconds, for the queue to reach the
 * collector and then for the template withdrawal. */
#define EXPORTER_DRAIN_MS 3000
#define EXPORTER_WITHDRAW_MS 1000

/* firewallEvent (IE 233) values from the IANA IPFIX registry. */
#define FW_EVENT_FLOW_DELETED 2
#define FW_EVENT_FLOW_DENIED 3
#define FW_EVENT_ALERT 4

/* forwardingStatus (IE 89) values, RFC 7270 section 4.12: status in the
 * two high bits, reason code in the low six. */
#define FWD_STATUS_UNKNOWN 0
#define FWD_STATUS_FORWARDED 64
#define FWD_STATUS_DROPPED_ACL_DENY 130

#define IPPROTO_ICMP_NUM 1
#define IPPROTO_ICMPV6_NUM 58

/*
 * Internal record: the memory layout that the internal template below
 * describes, field for field, so the order here and in
 * exporter_internal_spec[] must stay the same. Fields are sorted by size
 * so the struct has no padding that the template would have to name.
 */
struct exporter_rec {
	uint64_t start_ms;
	uint64_t end_ms;
	uint64_t octets;
	uint64_t packets;
	uint64_t rev_octets;
	uint64_t rev_packets;
	fbVarfield_t ioc_value;
	fbVarfield_t ioc_id;
	fbVarfield_t threat_type;
	fbVarfield_t malware;
	fbVarfield_t tags;
	fbVarfield_t reference;
	uint8_t src6[16];
	uint8_t dst6[16];
	uint32_t src4;            /* host byte order, libfixbuf swaps it */
	uint32_t dst4;
	uint32_t ingress;
	uint32_t egress;
	uint32_t ioc_first_seen;  /* Unix s, 0 if unknown */
	uint32_t ioc_last_seen;
	uint16_t sport;
	uint16_t dport;
	uint16_t icmp4;
	uint16_t icmp6;
	uint16_t vlan_outer;
	uint16_t vlan_inner;
	uint16_t tcp_flags;
	uint16_t rev_tcp_flags;
	uint8_t proto;
	uint8_t firewall_event;
	uint8_t forwarding_status;
	uint8_t end_reason;
	uint8_t confidence;
	uint8_t action;
	uint8_t side;
	uint8_t event_type;
	uint8_t biflow_direction; /* uniflow records only */
	uint8_t padding[7];       /* paddingOctets in the internal template */
};

/* 6 counters and times, 6 strings, 2 IPv6 addresses, 6 unsigned32,
 * 8 unsigned16, 9 unsigned8 fields and 7 octets of padding. */
_Static_assert(sizeof(struct exporter_rec) ==
	       6 * 8 + 6 * sizeof(fbVarfield_t) + 2 * 16 + 6 * 4 + 8 * 2 +
	       9 + 7,
	       "struct exporter_rec has padding the template does not name");

static fbInfoElementSpec_t exporter_internal_spec[] = {
	{ "flowStartMilliseconds", 8, 0 },
	{ "flowEndMilliseconds", 8, 0 },
	{ "octetDeltaCount", 8, 0 },
	{ "packetDeltaCount", 8, 0 },
	{ "reverseOctetDeltaCount", 8, 0 },
	{ "reversePacketDeltaCount", 8, 0 },
	{ C2W_IE_NAME_IOC_VALUE, FB_IE_VARLEN, 0 },
	{ C2W_IE_NAME_IOC_ID, FB_IE_VARLEN, 0 },
	{ C2W_IE_NAME_THREAT_TYPE, FB_IE_VARLEN, 0 },
	{ C2W_IE_NAME_MALWARE, FB_IE_VARLEN, 0 },
	{ C2W_IE_NAME_IOC_TAGS, FB_IE_VARLEN, 0 },
	{ C2W_IE_NAME_IOC_REFERENCE, FB_IE_VARLEN, 0 },
	{ "sourceIPv6Address", 16, 0 },
	{ "destinationIPv6Address", 16, 0 },
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
	{ "tcpControlBits", 2, 0 },
	{ "reverseTcpControlBits", 2, 0 },
	{ "protocolIdentifier", 1, 0 },
	{ "firewallEvent", 1, 0 },
	{ "forwardingStatus", 1, 0 },
	{ "flowEndReason", 1, 0 },
	{ C2W_IE_NAME_CONFIDENCE, 1, 0 },
	{ C2W_IE_NAME_ACTION, 1, 0 },
	{ C2W_IE_NAME_MATCH_SIDE, 1, 0 },
	{ C2W_IE_NAME_EVENT_TYPE, 1, 0 },
	{ "biflowDirection", 1, 0 },
	{ "paddingOctets", 7, 0 },
	FB_IESPEC_NULL
};

/* Record of the exporter statistics options template, in the order of
 * exporter_stats_int_spec[]. */
struct exporter_stats_rec {
	uint64_t init_ms;
	uint64_t messages;
	uint64_t records;
	uint64_t octets;
	uint64_t not_sent;
	uint32_t domain;
	uint32_t process_id;
};

static fbInfoElementSpec_t exporter_stats_int_spec[] = {
	{ "systemInitTimeMilliseconds", 8, 0 },
	{ "exportedMessageTotalCount", 8, 0 },
	{ "exportedFlowRecordTotalCount", 8, 0 },
	{ "exportedOctetTotalCount", 8, 0 },
	{ "notSentFlowTotalCount", 8, 0 },
	{ "observationDomainId", 4, 0 },
	{ "exportingProcessId", 4, 0 },
	FB_IESPEC_NULL
};

/* Wire order: the scope (observationDomainId) comes first. */
static fbInfoElementSpec_t exporter_stats_ext_spec[] = {
	{ "observationDomainId", 4, 0 },
	{ "exportingProcessId", 4, 0 },
	{ "systemInitTimeMilliseconds", 8, 0 },
	{ "exportedMessageTotalCount", 8, 0 },
	{ "exportedFlowRecordTotalCount", 8, 0 },
	{ "exportedOctetTotalCount", 8, 0 },
	{ "notSentFlowTotalCount", 8, 0 },
	FB_IESPEC_NULL
};

/* c2wall elements that get an RFC 5610 type record. */
static const char *const exporter_type_names[] = {
	C2W_IE_NAME_IOC_VALUE, C2W_IE_NAME_IOC_ID, C2W_IE_NAME_THREAT_TYPE,
	C2W_IE_NAME_MALWARE, C2W_IE_NAME_CONFIDENCE, C2W_IE_NAME_ACTION,
	C2W_IE_NAME_MATCH_SIDE, C2W_IE_NAME_IOC_TAGS,
	C2W_IE_NAME_IOC_REFERENCE, C2W_IE_NAME_IOC_FIRST_SEEN,
	C2W_IE_NAME_IOC_LAST_SEEN, C2W_IE_NAME_EVENT_TYPE,
};

/* Template selectors of a field: a field goes into a template when all
 * of its bits are in the template's bits, so 0 means every template. */
#define FIELD_V4 (1u << 0)
#define FIELD_V6 (1u << 1)
#define FIELD_FLOW (1u << 2)    /* flow records: counters, end reason */
#define FIELD_IOC (1u << 3)     /* records of flows that matched an IOC */
#define FIELD_EGRESS (1u << 4)  /* inline mode only */
#define FIELD_BIREC (1u << 5)   /* alerts and biflow records */
#define FIELD_UNIREC (1u << 6)  /* uniflow records */

/* Encoded size of a variable-length string cut to fit a char[size]:
 * a one-octet length (RFC 7011 section 7) and at most size - 1 bytes. */
#define VARLEN_MAX(size) (1 + (size) - 1)
_Static_assert(C2W_EVENT_STR_REF - 1 < 255,
	       "event strings need the three-octet varlen prefix");

/* One field of the external templates, in wire order. */
struct exporter_field {
	const char *name;
	uint16_t len;      /* octets on the wire, FB_IE_VARLEN for strings */
	uint16_t max_len;  /* largest encoded size, the length prefix included */
	uint32_t flags;    /* FIELD_* */
	bool enterprise;   /* spec takes 8 octets in the template */
};

#define FIELD(n, l, f) { n, l, l, f, false }
#define FIELD_STR(n, size) { n, FB_IE_VARLEN, VARLEN_MAX(size), FIELD_IOC, true }
#define FIELD_ENT(n, l) { n, l, l, FIELD_IOC, true }
#define FIELD_REV(n, l) { n, l, l, FIELD_FLOW | FIELD_BIREC, true }

static const struct exporter_field exporter_fields[] = {
	FIELD("sourceIPv4Address", 4, FIELD_V4),
	FIELD("destinationIPv4Address", 4, FIELD_V4),
	FIELD("sourceIPv6Address", 16, FIELD_V6),
	FIELD("destinationIPv6Address", 16, FIELD_V6),
	FIELD("sourceTransportPort", 2, 0),
	FIELD("destinationTransportPort", 2, 0),
	FIELD("protocolIdentifier", 1, 0),
	FIELD("icmpTypeCodeIPv4", 2, FIELD_V4),
	FIELD("icmpTypeCodeIPv6", 2, FIELD_V6),
	FIELD("flowStartMilliseconds", 8, 0),
	FIELD("flowEndMilliseconds", 8, 0),
	FIELD("octetDeltaCount", 8, FIELD_FLOW),
	FIELD("packetDeltaCount", 8, FIELD_FLOW),
	FIELD_REV("reverseOctetDeltaCount", 8),
	FIELD_REV("reversePacketDeltaCount", 8),
	FIELD("tcpControlBits", 2, 0),
	{ "reverseTcpControlBits", 2, 2, FIELD_BIREC, true },
	FIELD("biflowDirection", 1, FIELD_FLOW | FIELD_UNIREC),
	FIELD("flowEndReason", 1, FIELD_FLOW),
	FIELD("firewallEvent", 1, 0),
	FIELD("forwardingStatus", 1, 0),
	FIELD("dot1qVlanId", 2, 0),
	FIELD("dot1qCustomerVlanId", 2, 0),
	FIELD("ingressInterface", 4, 0),
	FIELD("egressInterface", 4, FIELD_EGRESS),
	FIELD_ENT(C2W_IE_NAME_EVENT_TYPE, 1),
	FIELD_ENT(C2W_IE_NAME_ACTION, 1),
	FIELD_ENT(C2W_IE_NAME_MATCH_SIDE, 1),
	FIELD_ENT(C2W_IE_NAME_CONFIDENCE, 1),
	FIELD_STR(C2W_IE_NAME_IOC_VALUE, C2W_EVENT_STR_VALUE),
	FIELD_STR(C2W_IE_NAME_IOC_ID, C2W_EVENT_STR_ID),
	FIELD_STR(C2W_IE_NAME_THREAT_TYPE, C2W_EVENT_STR_THREAT),
	FIELD_STR(C2W_IE_NAME_MALWARE, C2W_EVENT_STR_MALWARE),
	FIELD_STR(C2W_IE_NAME_IOC_TAGS, C2W_EVENT_STR_TAGS),
	FIELD_STR(C2W_IE_NAME_IOC_REFERENCE, C2W_EVENT_STR_REF),
	FIELD_ENT(C2W_IE_NAME_IOC_FIRST_SEEN, 4),
	FIELD_ENT(C2W_IE_NAME_IOC_LAST_SEEN, 4),
};

struct exporter_template {
	uint16_t tid;
	uint32_t flags;
};

#define TMPL_ALERT (FIELD_IOC | FIELD_BIREC)
#define TMPL_FLOW_BI (FIELD_FLOW | FIELD_BIREC)
#define TMPL_FLOW_UNI (FIELD_FLOW | FIELD_UNIREC)

/* Alerts carry no octet or packet counters: a collector that sums delta
 * counters would otherwise count the first packets twice, once in the
 * alert and again in the flow record. Alerts are the same in both
 * record modes; the flow templates of the other mode are not sent. */
static const struct exporter_template exporter_templates[] = {
	{ C2W_EXPORTER_TID_ALERT_V4, FIELD_V4 | TMPL_ALERT },
	{ C2W_EXPORTER_TID_ALERT_V6, FIELD_V6 | TMPL_ALERT },
	{ C2W_EXPORTER_TID_FLOW_IOC_V4, FIELD_V4 | FIELD_IOC | TMPL_FLOW_BI },
	{ C2W_EXPORTER_TID_FLOW_IOC_V6, FIELD_V6 | FIELD_IOC | TMPL_FLOW_BI },
	{ C2W_EXPORTER_TID_FLOW_V4, FIELD_V4 | TMPL_FLOW_BI },
	{ C2W_EXPORTER_TID_FLOW_V6, FIELD_V6 | TMPL_FLOW_BI },
	{ C2W_EXPORTER_TID_UNI_IOC_V4, FIELD_V4 | FIELD_IOC | TMPL_FLOW_UNI },
	{ C2W_EXPORTER_TID_UNI_IOC_V6, FIELD_V6 | FIELD_IOC | TMPL_FLOW_UNI },
	{ C2W_EXPORTER_TID_UNI_V4, FIELD_V4 | TMPL_FLOW_UNI },
	{ C2W_EXPORTER_TID_UNI_V6, FIELD_V6 | TMPL_FLOW_UNI },
};

struct c2w_exporter {
	struct rte_ring *ring;
	bool enabled;             /* false: empty URL, drain and count only */
	bool inline_mode;
	bool uniflow;
	uint32_t extra_flags;     /* FIELD_EGRESS in inline mode */
	uint32_t domain;
	char url[C2W_URL_MAX];

	struct c2w_transport *transport;
	bool stream;              /* TCP or TLS: templates once per connection */

	/* libfixbuf objects; fBufFree() frees the session and fbexp */
	fbInfoModel_t *model;
	fbSession_t *session;
	fbExporter_t *fbexp;
	fBuf_t *fbuf;
	uint16_t int_tid;
	uint16_t type_int_tid;
	uint16_t stats_int_tid;
	uint8_t *msg;             /* export_mtu bytes, each emitted message */
	uint16_t mtu;
	uint32_t next_seq;        /* sequence number after the last message */

	/* templates: UDP refresh; TCP and TLS build the preamble once */
	uint64_t refresh_ms;      /* 0: no refresh by time */
	uint32_t refresh_msgs;    /* 0: no refresh by message count */
	uint64_t tmpl_next_ms;
	uint32_t msgs_since_tmpl;
	bool tmpl_due;
	uint8_t *preamble;        /* stream: template and type messages */
	size_t preamble_len;
	bool building_preamble;

	/* exporter statistics options records */
	uint64_t stats_ms;        /* 0: off */
	uint64_t stats_next_ms;
	uint64_t init_ms;

	/* message being filled */
	bool msg_open;
	bool msg_templates;
	uint64_t msg_start_ms;
	uint32_t msg_alerts;
	uint32_t msg_flows;
	uint32_t msg_options;

	uint64_t now_ms;          /* time of the current poll or flush */
	uint64_t log_next_ms;
	uint64_t log_suppressed;

	struct c2w_exporter_stats stats;
	struct c2w_event events[C2W_EXPORTER_BURST];
};

static uint64_t
exporter_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Log a repeated failure, at most once per EXPORTER_LOG_INTERVAL_MS. */
static void
exporter_log_limited(struct c2w_exporter *ex, const char *what,
		     const char *reason)
{
	if (ex->now_ms < ex->log_next_ms) {
		ex->log_suppressed++;
		return;
	}
	if (ex->log_suppressed > 0)
		EXPORTER_LOG(WARNING,
			     "ipfix %s: %s: %s (%" PRIu64 " more suppressed)\n",
			     ex->url, what, reason, ex->log_suppressed);
	else
		EXPORTER_LOG(WARNING, "ipfix %s: %s: %s\n", ex->url, what,
			     reason);
	ex->log_suppressed = 0;
	ex->log_next_ms = ex->now_ms + EXPORTER_LOG_INTERVAL_MS;
}

static size_t
template_record_len(uint32_t tflags)
{
	size_t len = 4;  /* template ID and field count */
	size_t i;

	for (i = 0; i < RTE_DIM(exporter_fields); i++) {
		const struct exporter_field *f = &exporter_fields[i];

		if ((f->flags & tflags) == f->flags)
			len += f->enterprise ? 8 : 4;
	}
	return len;
}

static size_t
data_record_max_len(uint32_t tflags)
{
	size_t len = 0;
	size_t i;

	for (i = 0; i < RTE_DIM(exporter_fields); i++) {
		const struct exporter_field *f = &exporter_fields[i];

		if ((f->flags & tflags) == f->flags)
			len += f->max_len;
	}
	return len;
}

unsigned
c2w_exporter_min_mtu(const struct c2w_config *cfg)
{
	uint32_t extra = cfg->mode == C2W_MODE_INLINE ? FIELD_EGRESS : 0;
	size_t need = 0;
	size_t i;

	for (i = 0; i < RTE_DIM(exporter_templates); i++) {
		uint32_t tflags = exporter_templates[i].flags | extra;

		need = RTE_MAX(need, template_record_len(tflags));
		need = RTE_MAX(need, data_record_max_len(tflags));
	}
	return IPFIX_MSG_HDR_LEN + IPFIX_SET_HDR_LEN + need;
}

/* Whether a template belongs to the configured record mode. */
static bool
exporter_template_used(const struct c2w_exporter *ex,
		       const struct exporter_template *t)
{
	if ((t->flags & FIELD_FLOW) == 0)
		return true;
	return (t->flags & (ex->uniflow ? FIELD_UNIREC : FIELD_BIREC)) != 0;
}

static int
exporter_add_external(struct c2w_exporter *ex,
		      const struct exporter_template *t)
{
	uint32_t tflags = t->flags | ex->extra_flags;
	fbTemplate_t *tmpl = fbTemplateAlloc(ex->model);
	GError *err = NULL;
	size_t i;

	for (i = 0; i < RTE_DIM(exporter_fields); i++) {
		const struct exporter_field *f = &exporter_fields[i];
		fbInfoElementSpec_t spec = { (char *)f->name, f->len, 0 };

		if ((f->flags & tflags) != f->flags)
			continue;
		if (!fbTemplateAppendSpec(tmpl, &spec, 0, &err))
			goto out_free_tmpl;
	}
	if (fbSessionAddTemplate(ex->session, FALSE, t->tid, tmpl, &err) == 0)
		goto out_free_tmpl;
	return 0;

out_free_tmpl:
	EXPORTER_LOG(ERR, "ipfix template %u: cannot build: %s\n", t->tid,
		     err->message);
	g_clear_error(&err);
	fbTemplateFreeUnused(tmpl);
	return -ENOMEM;
}

/* Add a template from a spec array; scope > 0 makes it an options
 * template with that many scope fields. Returns the template ID or 0. */
static uint16_t
exporter_add_spec(struct c2w_exporter *ex, fbInfoElementSpec_t *spec,
		  bool internal, uint16_t tid, uint16_t scope)
{
	fbTemplate_t *tmpl = fbTemplateAlloc(ex->model);
	GError *err = NULL;
	uint16_t id;

	if (!fbTemplateAppendSpecArray(tmpl, spec, UINT32_MAX, &err))
		goto out_free_tmpl;
	if (scope > 0)
		fbTemplateSetOptionsScope(tmpl, scope);
	id = fbSessionAddTemplate(ex->session, internal, tid, tmpl, &err);
	if (id == 0)
		goto out_free_tmpl;
	return id;

out_free_tmpl:
	EXPORTER_LOG(ERR, "ipfix template %s: cannot build: %s\n",
		     spec[0].name, err->message);
	g_clear_error(&err);
	fbTemplateFreeUnused(tmpl);
	return 0;
}

/* The RFC 5610 type template, once as internal and once as external
 * template, as fbInfoElementWriteOptionsRecord() needs. */
static int
exporter_add_type_template(struct c2w_exporter *ex)
{
	fbTemplate_t *tmpl[2];
	GError *err = NULL;
	int i;

	for (i = 0; i < 2; i++) {
		uint16_t want = i == 0 ? FB_TID_AUTO : EXPORTER_TID_TYPE_INFO;
		uint16_t id;

		tmpl[i] = fbInfoElementAllocTypeTemplate(ex->model, &err);
		if (tmpl[i] == NULL)
			goto out_error;
		id = fbSessionAddTemplate(ex->session, i == 0, want, tmpl[i],
					  &err);
		if (id == 0) {
			fbTemplateFreeUnused(tmpl[i]);
			goto out_error;
		}
		if (i == 0)
			ex->type_int_tid = id;
	}
	return 0;

out_error:
	EXPORTER_LOG(ERR, "ipfix type template: cannot build: %s\n",
		     err->message);
	g_clear_error(&err);
	return -ENOMEM;
}

/* Build the information model, the session and its templates. A failure
 * here is a bug in the tables above or an allocation failure. */
static int
exporter_build_session(struct c2w_exporter *ex, const struct c2w_config *cfg)
{
	size_t i;
	int rc;

	ex->model = fbInfoModelAlloc();
	rc = c2w_ipfix_ie_register(ex->model, cfg->pen);
	if (rc < 0)
		return rc;
	ex->session = fbSessionAlloc(ex->model);
	fbSessionSetDomain(ex->session, cfg->observation_domain);

	ex->int_tid = exporter_add_spec(ex, exporter_internal_spec, true,
					FB_TID_AUTO, 0);
	ex->stats_int_tid = exporter_add_spec(ex, exporter_stats_int_spec,
					      true, FB_TID_AUTO, 0);
	if (ex->int_tid == 0 || ex->stats_int_tid == 0)
		return -ENOMEM;
	for (i = 0; i < RTE_DIM(exporter_templates); i++) {
		if (!exporter_template_used(ex, &exporter_templates[i]))
			continue;
		rc = exporter_add_external(ex, &exporter_templates[i]);
		if (rc < 0)
			return rc;
	}
	if (exporter_add_spec(ex, exporter_stats_ext_spec, false,
			      EXPORTER_TID_EXPORTER_STATS, 1) == 0)
		return -ENOMEM;
	return exporter_add_type_template(ex);
}

/* The templates are added to the session before the fBuf exists, because
 * libfixbuf writes a template into the session's fBuf as soon as it is
 * added; they are sent by exporter_send_templates() instead. */
static int
exporter_build_fbuf(struct c2w_exporter *ex)
{
	ex->msg = malloc(ex->mtu);
	if (ex->msg == NULL)
		return -ENOMEM;
	ex->fbexp = fbExporterAllocBuffer(ex->msg, ex->mtu);
	ex->fbuf = fBufAllocForExport(ex->session, ex->fbexp);

	/* Manual mode: fBufAppend() reports a full message and this file
	 * emits it, so no message leaves without being queued here. */
	fBufSetAutomaticMode(ex->fbuf, FALSE);
	return 0;
}

static int
exporter_check_config(const struct c2w_config *cfg)
{
	unsigned min_mtu = c2w_exporter_min_mtu(cfg);

	if (cfg->pen == 0) {
		EXPORTER_LOG(ERR, "ipfix pen 0: invalid: needs a private enterprise number\n");
		return -EINVAL;
	}
	if (cfg->export_mtu < min_mtu || cfg->export_mtu > EXPORTER_MTU_MAX) {
		EXPORTER_LOG(ERR, "ipfix mtu %u: out of range: must be %u..%u\n",
			     cfg->export_mtu, min_mtu, EXPORTER_MTU_MAX);
		return -EINVAL;
	}
	if (cfg->buffer_bytes < cfg->export_mtu) {
		EXPORTER_LOG(ERR, "ipfix buffer_bytes %u: out of range: must be at least the mtu, %u\n",
			     cfg->buffer_bytes, cfg->export_mtu);
		return -EINVAL;
	}
	return 0;
}

static uint64_t
exporter_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
exporter_set_options(struct c2w_exporter *ex, const struct c2w_config *cfg)
{
	ex->enabled = true;
	ex->inline_mode = cfg->mode == C2W_MODE_INLINE;
	ex->uniflow = cfg->export_records == C2W_RECORDS_UNIFLOW;
	ex->extra_flags = ex->inline_mode ? FIELD_EGRESS : 0;
	ex->domain = cfg->observation_domain;
	ex->mtu = cfg->export_mtu;
	ex->stream = c2w_transport_proto(ex->transport) != C2W_TRANSPORT_UDP;
	ex->refresh_ms = (uint64_t)cfg->template_refresh_s * 1000;
	ex->refresh_msgs = cfg->template_refresh_msgs;
	ex->stats_ms = (uint64_t)cfg->export_stats_s * 1000;
	ex->init_ms = exporter_wall_ms();
	ex->now_ms = ex->init_ms;
}

static int exporter_send_templates(struct c2w_exporter *ex);
static void exporter_refresh_templates(struct c2w_exporter *ex, bool due);

/* TCP and TLS: encode the templates and type records once, as the bytes
 * every connection starts with. They keep the sequence numbers they get
 * here, so a resend repeats them like any other message. UDP sends them
 * in its first poll and on each refresh instead. */
static int
exporter_build_preamble(struct c2w_exporter *ex)
{
	int rc;

	ex->building_preamble = true;
	rc = exporter_send_templates(ex);
	ex->building_preamble = false;
	if (rc < 0)
		return rc;
	return c2w_transport_set_preamble(ex->transport, ex->preamble,
					  ex->preamble_len);
}

int
c2w_exporter_create(const struct c2w_config *cfg, struct rte_ring *ring,
		    struct c2w_exporter **out)
{
	struct c2w_exporter *ex;
	int rc;

	if (cfg == NULL || ring == NULL || out == NULL)
		return -EINVAL;
	if (rte_ring_get_size(ring) == 0)
		return -EINVAL;

	ex = calloc(1, sizeof(*ex));
	if (ex == NULL)
		return -ENOMEM;
	ex->ring = ring;
	snprintf(ex->url, sizeof(ex->url), "%s", cfg->ipfix_url);
	if (cfg->ipfix_url[0] == '\0')
		goto out_done;

	rc = exporter_check_config(cfg);
	if (rc < 0)
		goto out_destroy;
	rc = c2w_transport_create(cfg, &ex->transport);
	if (rc < 0)
		goto out_destroy;
	exporter_set_options(ex, cfg);
	rc = exporter_build_session(ex, cfg);
	if (rc < 0)
		goto out_destroy;
	rc = exporter_build_fbuf(ex);
	if (rc < 0)
		goto out_destroy;
	if (ex->stream) {
		rc = exporter_build_preamble(ex);
		if (rc < 0)
			goto out_destroy;
	} else {
		ex->tmpl_due = true;
	}
	ex->stats_next_ms = ex->now_ms;

out_done:
	*out = ex;
	return 0;

out_destroy:
	c2w_exporter_destroy(ex);
	return rc;
}

/* Keep a message built for the TCP/TLS preamble. */
static int
exporter_keep_preamble(struct c2w_exporter *ex, const uint8_t *msg,
		       size_t len)
{
	uint8_t *grown = realloc(ex->preamble, ex->preamble_len + len);

	if (grown == NULL)
		return -ENOMEM;
	memcpy(grown + ex->preamble_len, msg, len);
	ex->preamble = grown;
	ex->preamble_len += len;
	return 0;
}

static void
exporter_reset_msg(struct c2w_exporter *ex)
{
	ex->msg_open = false;
	ex->msg_templates = false;
	ex->msg_alerts = 0;
	ex->msg_flows = 0;
	ex->msg_options = 0;
}

/* Emit the open message and queue it on the transport (or keep it for
 * the preamble). */
static void
exporter_emit(struct c2w_exporter *ex)
{
	uint32_t records = ex->msg_alerts + ex->msg_flows + ex->msg_options;
	GError *err = NULL;
	uint32_t seq;
	size_t len;
	int rc;

	if (!ex->msg_open)
		return;

	/* The buffer exporter only copies, so this fails only on a bug. */
	if (!fBufEmit(ex->fbuf, &err)) {
		exporter_log_limited(ex, "cannot emit message", err->message);
		g_clear_error(&err);
		ex->stats.records_failed += records;
		exporter_reset_msg(ex);
		return;
	}
	len = fbExporterGetMsgLen(ex->fbexp);
	memcpy(&seq, ex->msg + 8, sizeof(seq));
	ex->next_seq = rte_be_to_cpu_32(seq) + records;

	if (ex->building_preamble)
		rc = exporter_keep_preamble(ex, ex->msg, len);
	else
		rc = c2w_transport_enqueue(ex->transport, ex->msg, len,
					   records);
	if (rc < 0)
		exporter_log_limited(ex, "cannot queue message", strerror(-rc));
	if (ex->msg_alerts + ex->msg_flows > 0)
		ex->msgs_since_tmpl++;
	ex->stats.alerts_sent += ex->msg_alerts;
	ex->stats.flows_sent += ex->msg_flows;
	if (!ex->building_preamble)
		ex->stats.options_sent += ex->msg_options;
	exporter_reset_msg(ex);

	/* UDP refresh by message count: right after the message that
	 * reaches the count, so no data message falls in between. */
	if (!ex->stream && ex->refresh_msgs > 0 &&
	    ex->msgs_since_tmpl >= ex->refresh_msgs)
		exporter_refresh_templates(ex, true);
}

static void
exporter_mark_open(struct c2w_exporter *ex)
{
	if (!ex->msg_open) {
		ex->msg_open = true;
		ex->msg_start_ms = ex->now_ms;
	}
}

/* Write the RFC 5610 type record of each c2wall element. libfixbuf
 * counts them as data records, so they take sequence numbers. */
static int
exporter_send_type_records(struct c2w_exporter *ex)
{
	GError *err = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < RTE_DIM(exporter_type_names); i++) {
		const fbInfoElement_t *ie = fbInfoModelGetElementByName(
			ex->model, exporter_type_names[i]);

		if (ie == NULL)
			continue;
		if (!fbInfoElementWriteOptionsRecord(ex->fbuf, ie,
						     ex->type_int_tid,
						     EXPORTER_TID_TYPE_INFO,
						     &err) &&
		    g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM)) {
			g_clear_error(&err);
			exporter_emit(ex);
			fbInfoElementWriteOptionsRecord(ex->fbuf, ie,
							ex->type_int_tid,
							EXPORTER_TID_TYPE_INFO,
							&err);
		}
		if (err != NULL) {
			exporter_log_limited(ex, "cannot append type record",
					     err->message);
			g_clear_error(&err);
			rc = -EIO;
			continue;
		}
		exporter_mark_open(ex);
		ex->msg_options++;
	}
	exporter_emit(ex);
	return rc;
}

/* Append one template to the open message, emitting it when full. */
static int
exporter_append_template(struct c2w_exporter *ex, uint16_t tid)
{
	GError *err = NULL;

	if (!fbSessionExportTemplate(ex->session, tid, &err) &&
	    g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM)) {
		g_clear_error(&err);
		exporter_emit(ex);
		fbSessionExportTemplate(ex->session, tid, &err);
	}
	if (err != NULL) {
		exporter_log_limited(ex, "cannot append template",
				     err->message);
		g_clear_error(&err);
		return -EIO;
	}
	exporter_mark_open(ex);
	ex->msg_templates = true;
	return 0;
}

/*
 * Send the options templates, the type records, then every template of
 * the record mode. libfixbuf keeps template sets and data sets in separate
 * messages and reports "end of message" (FB_ERROR_EOM) when the kind
 * changes or the message is full; each time, the open message is emitted
 * and the append is tried once more.
 */
static int
exporter_send_templates(struct c2w_exporter *ex)
{
	size_t i;
	int rc = 0;

	/* Reset first: the emits below must not start another refresh. */
	ex->msgs_since_tmpl = 0;
	exporter_emit(ex);

	/* Type records go before the templates that use the elements:
	 * libfixbuf's ipfixDump 2.4 fixes a template's elements when it
	 * reads the template and shows unknown ones as alien elements. */
	if (exporter_append_template(ex, EXPORTER_TID_TYPE_INFO) < 0 ||
	    exporter_append_template(ex, EXPORTER_TID_EXPORTER_STATS) < 0)
		rc = -EIO;
	exporter_emit(ex);
	if (exporter_send_type_records(ex) < 0)
		rc = -EIO;
	for (i = 0; i < RTE_DIM(exporter_templates); i++) {
		if (!exporter_template_used(ex, &exporter_templates[i]))
			continue;
		if (exporter_append_template(ex, exporter_templates[i].tid) < 0)
			rc = -EIO;
	}
	exporter_emit(ex);
	return rc;
}

static uint32_t
exporter_ioc_time(int64_t t)
{
	return t < 0 || t > UINT32_MAX ? 0 : (uint32_t)t;
}

static void
exporter_set_str(fbVarfield_t *vf, const char *s, size_t size)
{
	vf->buf = (uint8_t *)(uintptr_t)s;
	vf->len = strnlen(s, size);
}

static void
exporter_fill_ioc(struct exporter_rec *rec, const struct c2w_event *ev)
{
	rec->event_type = ev->type == C2W_EVENT_ALERT ?
		C2W_IPFIX_EVENT_ALERT : C2W_IPFIX_EVENT_FLOW_END;
	rec->action = ev->action;
	rec->side = ev->side;
	rec->confidence = ev->confidence;
	exporter_set_str(&rec->ioc_value, ev->ioc_value, sizeof(ev->ioc_value));
	exporter_set_str(&rec->ioc_id, ev->ioc_id, sizeof(ev->ioc_id));
	exporter_set_str(&rec->threat_type, ev->threat_type,
			 sizeof(ev->threat_type));
	exporter_set_str(&rec->malware, ev->malware, sizeof(ev->malware));
	exporter_set_str(&rec->tags, ev->tags, sizeof(ev->tags));
	exporter_set_str(&rec->reference, ev->reference,
			 sizeof(ev->reference));
	rec->ioc_first_seen = exporter_ioc_time(ev->ioc_first_seen);
	rec->ioc_last_seen = exporter_ioc_time(ev->ioc_last_seen);
}

/* Fill the addresses and ports; ICMP records carry ports 0 and the first
 * packet's type and code in icmpTypeCodeIPv4 or icmpTypeCodeIPv6. */
static void
exporter_fill_endpoints(struct exporter_rec *rec, const struct c2w_event *ev)
{
	bool icmp = ev->proto == IPPROTO_ICMP_NUM ||
		    ev->proto == IPPROTO_ICMPV6_NUM;
	uint32_t a;

	if (ev->family == 4) {
		memcpy(&a, ev->src, sizeof(a));
		rec->src4 = rte_be_to_cpu_32(a);
		memcpy(&a, ev->dst, sizeof(a));
		rec->dst4 = rte_be_to_cpu_32(a);
		if (ev->proto == IPPROTO_ICMP_NUM)
			rec->icmp4 = ev->icmp_type_code;
	} else {
		memcpy(rec->src6, ev->src, sizeof(rec->src6));
		memcpy(rec->dst6, ev->dst, sizeof(rec->dst6));
		if (ev->proto == IPPROTO_ICMPV6_NUM)
			rec->icmp6 = ev->icmp_type_code;
	}
	rec->sport = icmp ? 0 : ev->sport;
	rec->dport = icmp ? 0 : ev->dport;
	rec->proto = ev->proto;
}

/* Convert an event; returns the external template ID, 0 if invalid. */

/* Fill what alert and flow records share. */
static void
exporter_fill_common(const struct c2w_exporter *ex, const struct c2w_event *ev,
		     struct exporter_rec *rec)
{
	bool blocked = ev->action == C2W_IPFIX_ACTION_BLOCKED;

	memset(rec, 0, sizeof(*rec));
	exporter_fill_endpoints(rec, ev);
	rec->start_ms = ev->start_ms;
	rec->end_ms = ev->end_ms;
	rec->tcp_flags = ev->tcp_flags_fwd;
	rec->rev_tcp_flags = ev->tcp_flags_rev;
	if (ev->vlan_count >= 1)
		rec->vlan_outer = ev->vlan_outer;
	if (ev->vlan_count >= 2)
		rec->vlan_inner = ev->vlan_inner;
	rec->ingress = ev->ingress_port;
	rec->egress = ev->egress_port;

	/* Tap mode neither forwards nor drops, so the status is unknown. */
	if (ex->inline_mode)
		rec->forwarding_status = blocked ?
			FWD_STATUS_DROPPED_ACL_DENY : FWD_STATUS_FORWARDED;
	else
		rec->forwarding_status = FWD_STATUS_UNKNOWN;
}

static uint16_t
exporter_flow_tid(const struct c2w_exporter *ex, const struct c2w_event *ev)
{
	bool v4 = ev->family == 4;
	bool ioc = ev->action != C2W_IPFIX_ACTION_NONE;

	if (ex->uniflow) {
		if (ioc)
			return v4 ? C2W_EXPORTER_TID_UNI_IOC_V4 :
				    C2W_EXPORTER_TID_UNI_IOC_V6;
		return v4 ? C2W_EXPORTER_TID_UNI_V4 : C2W_EXPORTER_TID_UNI_V6;
	}
	if (ioc)
		return v4 ? C2W_EXPORTER_TID_FLOW_IOC_V4 :
			    C2W_EXPORTER_TID_FLOW_IOC_V6;
	return v4 ? C2W_EXPORTER_TID_FLOW_V4 : C2W_EXPORTER_TID_FLOW_V6;
}

/* Convert an event; returns the external template ID, 0 if invalid. A
 * uniflow flow record is the initiator's direction. */
static uint16_t
exporter_fill(const struct c2w_exporter *ex, const struct c2w_event *ev,
	      struct exporter_rec *rec)
{
	bool v4 = ev->family == 4;
	bool blocked = ev->action == C2W_IPFIX_ACTION_BLOCKED;

	if ((ev->family != 4 && ev->family != 6) ||
	    (ev->type != C2W_EVENT_ALERT && ev->type != C2W_EVENT_FLOW_END))
		return 0;

	exporter_fill_common(ex, ev, rec);
	if (ev->type == C2W_EVENT_ALERT) {
		rec->firewall_event = blocked ?
			FW_EVENT_FLOW_DENIED : FW_EVENT_ALERT;
		exporter_fill_ioc(rec, ev);
		return v4 ? C2W_EXPORTER_TID_ALERT_V4 :
			    C2W_EXPORTER_TID_ALERT_V6;
	}

	rec->firewall_event = FW_EVENT_FLOW_DELETED;
	rec->end_reason = ev->end_reason;
	rec->octets = ev->bytes_fwd;
	rec->packets = ev->pkts_fwd;
	rec->rev_octets = ev->bytes_rev;
	rec->rev_packets = ev->pkts_rev;
	rec->biflow_direction = BIFLOW_DIR_INITIATOR;
	if (ev->action != C2W_IPFIX_ACTION_NONE)
		exporter_fill_ioc(rec, ev);
	return exporter_flow_tid(ex, ev);
}

/*
 * Turn a filled uniflow record into the responder's direction: swap the
 * endpoints and interfaces, take the reverse counters and flags, and flip
 * the matching side because the endpoints swapped. Only the first
 * packet's ICMP type is known, and it was the initiator's, so the reverse
 * record carries 0.
 */
static void
exporter_reverse(struct exporter_rec *rec)
{
	uint8_t a6[16];
	uint32_t a;
	uint16_t p;

	a = rec->src4;
	rec->src4 = rec->dst4;
	rec->dst4 = a;
	memcpy(a6, rec->src6, sizeof(a6));
	memcpy(rec->src6, rec->dst6, sizeof(a6));
	memcpy(rec->dst6, a6, sizeof(a6));
	p = rec->sport;
	rec->sport = rec->dport;
	rec->dport = p;
	a = rec->ingress;
	rec->ingress = rec->egress;
	rec->egress = a;
	rec->octets = rec->rev_octets;
	rec->packets = rec->rev_packets;
	rec->tcp_flags = rec->rev_tcp_flags;
	rec->icmp4 = 0;
	rec->icmp6 = 0;
	if (rec->side == C2W_IPFIX_SIDE_SOURCE)
		rec->side = C2W_IPFIX_SIDE_DESTINATION;
	else if (rec->side == C2W_IPFIX_SIDE_DESTINATION)
		rec->side = C2W_IPFIX_SIDE_SOURCE;
	rec->biflow_direction = BIFLOW_DIR_REVERSE_INITIATOR;
}

/* Set the templates and append; libfixbuf's options writers change the
 * fBuf's templates, so they are set for every record. */
static bool
exporter_append_once(struct c2w_exporter *ex, uint16_t itid, uint16_t etid,
		     void *rec, size_t len, GError **err)
{
	if (!fBufSetInternalTemplate(ex->fbuf, itid, err) ||
	    !fBufSetExportTemplate(ex->fbuf, etid, err))
		return false;
	return fBufAppend(ex->fbuf, rec, len, err);
}

/*
 * Append one record; on "end of message" emit and try again. libfixbuf
 * 2.4 also reports end of message on the first append after a template
 * export, even when that message was already emitted, so a refresh
 * started by the emit can cost one more attempt.
 */
static int
exporter_append_rec(struct c2w_exporter *ex, uint16_t itid, uint16_t etid,
		    void *rec, size_t len)
{
	GError *err = NULL;
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		if (exporter_append_once(ex, itid, etid, rec, len, &err)) {
			exporter_mark_open(ex);
			return 0;
		}
		if (!g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM))
			goto out_failed;
		g_clear_error(&err);
		exporter_emit(ex);
	}
	g_set_error(&err, FB_ERROR_DOMAIN, FB_ERROR_EOM,
		    "record does not fit in an empty message");

out_failed:
	ex->stats.records_failed++;
	exporter_log_limited(ex, "cannot append record", err->message);
	g_clear_error(&err);
	return -EIO;
}

static int
exporter_append(struct c2w_exporter *ex, const struct c2w_event *ev)
{
	struct exporter_rec rec;
	uint16_t tid;
	int rc;

	tid = exporter_fill(ex, ev, &rec);
	if (tid == 0) {
		ex->stats.events_invalid++;
		return -EINVAL;
	}
	rc = exporter_append_rec(ex, ex->int_tid, tid, &rec, sizeof(rec));
	if (rc < 0)
		return rc;
	if (ev->type == C2W_EVENT_ALERT) {
		ex->msg_alerts++;
		return 0;
	}
	ex->msg_flows++;

	/* A direction without packets has no uniflow record. */
	if (!ex->uniflow || ev->pkts_rev == 0)
		return 0;
	exporter_reverse(&rec);
	rc = exporter_append_rec(ex, ex->int_tid, tid, &rec, sizeof(rec));
	if (rc == 0)
		ex->msg_flows++;
	return rc;
}

/* Copy the exporter counters with the transport's folded in. */
static void
exporter_collect_stats(const struct c2w_exporter *ex,
		       struct c2w_exporter_stats *st)
{
	struct c2w_transport_stats ts;

	*st = ex->stats;
	if (ex->transport == NULL)
		return;
	c2w_transport_get_stats(ex->transport, &ts);
	st->messages = ts.messages_sent;
	st->records_exported = ts.records_sent;
	st->bytes_exported = ts.bytes_sent;
	st->messages_lost = ts.messages_lost;
	st->records_lost = ts.records_lost;
	st->messages_resent = ts.messages_resent;
	st->send_errors = ts.send_errors;
	st->connects = ts.connects;
	st->connect_failures = ts.connect_failures;
	st->disconnects = ts.disconnects;
	if (ex->stream)
		st->template_sends = ts.preamble_sends;
}

/* Queue one exporter statistics options record in its own message. The
 * counts are those at the time of encoding. */
static void
exporter_send_stats(struct c2w_exporter *ex)
{
	struct exporter_stats_rec rec;
	struct c2w_exporter_stats st;

	/* Write what is queued first, so the counts cover every message
	 * encoded before this record when the socket takes them. */
	exporter_emit(ex);
	c2w_transport_poll(ex->transport, exporter_mono_ms());
	exporter_collect_stats(ex, &st);
	memset(&rec, 0, sizeof(rec));
	rec.init_ms = ex->init_ms;
	rec.messages = st.messages;
	rec.records = st.records_exported;
	rec.octets = st.bytes_exported;
	rec.not_sent = st.records_lost + st.records_failed;
	rec.domain = ex->domain;
	rec.process_id = (uint32_t)getpid();
	if (exporter_append_rec(ex, ex->stats_int_tid,
				EXPORTER_TID_EXPORTER_STATS, &rec,
				sizeof(rec)) == 0)
		ex->msg_options++;
	exporter_emit(ex);
}

/* UDP: templates before the first data, then again when the time or
 * message count (due) of a refresh is reached. */
static void
exporter_refresh_templates(struct c2w_exporter *ex, bool due)
{
	if (ex->stream)
		return;
	if (ex->refresh_ms > 0 && ex->now_ms >= ex->tmpl_next_ms)
		ex->tmpl_due = true;
	if (!ex->tmpl_due && !due)
		return;

	/* A failure is logged; the next refresh tries again. */
	exporter_send_templates(ex);
	ex->stats.template_sends++;
	ex->tmpl_due = false;
	ex->tmpl_next_ms = ex->now_ms + ex->refresh_ms;
}

static void
exporter_timers(struct c2w_exporter *ex)
{
	exporter_refresh_templates(ex, false);
	if (ex->stats_ms > 0 && ex->now_ms >= ex->stats_next_ms) {
		exporter_send_stats(ex);
		ex->stats_next_ms = ex->now_ms + ex->stats_ms;
	}
}

unsigned
c2w_exporter_poll(struct c2w_exporter *ex, uint64_t now_ms)
{
	unsigned n;
	unsigned i;

	n = rte_ring_sc_dequeue_burst_elem(ex->ring, ex->events,
					   sizeof(struct c2w_event),
					   C2W_EXPORTER_BURST, NULL);
	ex->stats.events += n;
	if (!ex->enabled)
		return n;

	ex->now_ms = now_ms;
	exporter_timers(ex);
	for (i = 0; i < n; i++)
		exporter_append(ex, &ex->events[i]);

	/* Alerts leave as soon as the ring is drained; flow records wait
	 * up to C2W_EXPORTER_FLUSH_MS to share a message. */
	if (ex->msg_open &&
	    ((n < C2W_EXPORTER_BURST && ex->msg_alerts > 0) ||
	     now_ms - ex->msg_start_ms >= C2W_EXPORTER_FLUSH_MS))
		exporter_emit(ex);
	c2w_transport_poll(ex->transport, exporter_mono_ms());
	return n;
}

static void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

/* Append a set of template withdrawals (template ID, field count 0). */
static size_t
exporter_put_withdrawals(uint8_t *p, uint16_t set_id, const uint16_t *tids,
			 size_t n)
{
	size_t len = IPFIX_SET_HDR_LEN + n * IPFIX_WITHDRAWAL_LEN;
	size_t i;

	put_be16(p, set_id);
	put_be16(p + 2, (uint16_t)len);
	for (i = 0; i < n; i++) {
		put_be16(p + IPFIX_SET_HDR_LEN + i * IPFIX_WITHDRAWAL_LEN,
			 tids[i]);
		put_be16(p + IPFIX_SET_HDR_LEN + i * IPFIX_WITHDRAWAL_LEN + 2,
			 0);
	}
	return len;
}

/*
 * Queue a message that withdraws every template this exporter sent
 * (RFC 7011 section 8.1): a template set and an options template set of
 * records with field count 0. libfixbuf 2.4 writes withdrawals only from
 * fbSessionRemoveTemplate(), which also forgets the template, so the
 * message is built here; it holds no data record and repeats the next
 * sequence number.
 */
static int
exporter_queue_withdrawal(struct c2w_exporter *ex)
{
	uint16_t data_tids[RTE_DIM(exporter_templates)];
	const uint16_t opt_tids[] = { EXPORTER_TID_EXPORTER_STATS,
				      EXPORTER_TID_TYPE_INFO };
	uint8_t msg[IPFIX_MSG_HDR_LEN + 2 * IPFIX_SET_HDR_LEN +
		    (RTE_DIM(exporter_templates) + 2) * IPFIX_WITHDRAWAL_LEN];
	size_t n = 0, len = IPFIX_MSG_HDR_LEN;
	size_t i;

	for (i = 0; i < RTE_DIM(exporter_templates); i++)
		if (exporter_template_used(ex, &exporter_templates[i]))
			data_tids[n++] = exporter_templates[i].tid;
	len += exporter_put_withdrawals(msg + len, IPFIX_SET_TEMPLATE,
					data_tids, n);
	len += exporter_put_withdrawals(msg + len, IPFIX_SET_OPTIONS_TEMPLATE,
					opt_tids, RTE_DIM(opt_tids));

	put_be16(msg, 10);
	put_be16(msg + 2, (uint16_t)len);
	put_be32(msg + 4, (uint32_t)(exporter_wall_ms() / 1000));
	put_be32(msg + 8, ex->next_seq);
	put_be32(msg + 12, ex->domain);
	return c2w_transport_enqueue(ex->transport, msg, len, 0);
}

/* TCP and TLS: withdraw the templates once the queue is written, so the
 * collector can tell a planned stop from a lost connection. */
static int
exporter_withdraw(struct c2w_exporter *ex)
{
	if (!ex->stream || !c2w_transport_is_up(ex->transport) ||
	    c2w_transport_busy(ex->transport))
		return 0;
	if (exporter_queue_withdrawal(ex) < 0)
		return -EIO;
	if (c2w_transport_drain(ex->transport, EXPORTER_WITHDRAW_MS) < 0)
		return -EIO;
	ex->stats.withdrawals++;
	return 0;
}

int
c2w_exporter_flush(struct c2w_exporter *ex)
{
	uint64_t failed = ex->stats.records_failed;
	struct c2w_exporter_stats st;
	int rc = 0;

	while (c2w_exporter_poll(ex, exporter_wall_ms()) > 0)
		;
	if (!ex->enabled)
		return 0;
	exporter_emit(ex);
	if (ex->stats_ms > 0)
		exporter_send_stats(ex);
	if (c2w_transport_drain(ex->transport, EXPORTER_DRAIN_MS) < 0) {
		EXPORTER_LOG(WARNING, "ipfix %s: queue not written at shutdown: collector unreachable, queued messages dropped\n",
			     ex->url);
		c2w_transport_drop_queued(ex->transport);
		rc = -EIO;
	} else if (exporter_withdraw(ex) < 0) {
		rc = -EIO;
	}
	exporter_collect_stats(ex, &st);
	if (st.records_failed != failed || st.records_lost > 0)
		rc = -EIO;
	return rc;
}

void
c2w_exporter_get_stats(const struct c2w_exporter *ex,
		       struct c2w_exporter_stats *st)
{
	exporter_collect_stats(ex, st);
}

void
c2w_exporter_destroy(struct c2w_exporter *ex)
{
	if (ex == NULL)
		return;

	/* The fBuf owns the session and the buffer exporter once it exists;
	 * both are created together in exporter_build_fbuf(). */
	if (ex->fbuf != NULL)
		fBufFree(ex->fbuf);
	else if (ex->session != NULL)
		fbSessionFree(ex->session);
	if (ex->model != NULL)
		fbInfoModelFree(ex->model);
	free(ex->msg);
	free(ex->preamble);
	c2w_transport_destroy(ex->transport);
	free(ex);
}
