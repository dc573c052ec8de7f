/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPFIX exporter on the main lcore. Events come from the workers through
 * an element ring; each becomes one data record, encoded by libfixbuf
 * into a message buffer and sent by this file over UDP.
 *
 * libfixbuf 2.4.1 fixes the message size of its own UDP exporter at 1420
 * bytes and only warns on stderr when a send fails. So the fBuf writes
 * into a buffer exporter (fbExporterAllocBuffer) sized to export_mtu, and
 * each finished message goes out through a non-blocking socket here,
 * where a failed send is counted. libfixbuf still keeps the sequence
 * numbers, the set headers and the templates.
 */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_log.h>
#include <rte_ring_elem.h>

#include "event.h"
#include "exporter.h"
#include "ipfix_ie.h"

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
};

/* 6 counters and times, 6 strings, 2 IPv6 addresses, 6 unsigned32,
 * 8 unsigned16 and 8 unsigned8 fields. */
_Static_assert(sizeof(struct exporter_rec) ==
	       6 * 8 + 6 * sizeof(fbVarfield_t) + 2 * 16 + 6 * 4 + 8 * 2 + 8,
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
	FB_IESPEC_NULL
};

/* Template selectors of a field: a field goes into a template when all
 * of its bits are in the template's bits, so 0 means every template. */
#define FIELD_V4 (1u << 0)
#define FIELD_V6 (1u << 1)
#define FIELD_FLOW (1u << 2)    /* flow records: counters, end reason */
#define FIELD_IOC (1u << 3)     /* records of flows that matched an IOC */
#define FIELD_EGRESS (1u << 4)  /* inline mode only */

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
#define FIELD_REV(n, l) { n, l, l, FIELD_FLOW, true }

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
	{ "reverseTcpControlBits", 2, 2, 0, true },
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

/* Alerts carry no octet or packet counters: a collector that sums delta
 * counters would otherwise count the first packets twice, once in the
 * alert and again in the flow record. */
static const struct exporter_template exporter_templates[] = {
	{ C2W_EXPORTER_TID_ALERT_V4, FIELD_V4 | FIELD_IOC },
	{ C2W_EXPORTER_TID_ALERT_V6, FIELD_V6 | FIELD_IOC },
	{ C2W_EXPORTER_TID_FLOW_IOC_V4, FIELD_V4 | FIELD_FLOW | FIELD_IOC },
	{ C2W_EXPORTER_TID_FLOW_IOC_V6, FIELD_V6 | FIELD_FLOW | FIELD_IOC },
	{ C2W_EXPORTER_TID_FLOW_V4, FIELD_V4 | FIELD_FLOW },
	{ C2W_EXPORTER_TID_FLOW_V6, FIELD_V6 | FIELD_FLOW },
};

struct c2w_exporter;

/* Sends one finished IPFIX message; returns 0 or a negative errno. */
typedef int (*exporter_send_fn)(struct c2w_exporter *ex, const uint8_t *msg,
				size_t len);

struct c2w_exporter {
	struct rte_ring *ring;
	bool enabled;             /* false: empty URL, drain and count only */
	bool inline_mode;
	uint32_t extra_flags;     /* FIELD_EGRESS in inline mode */
	char url[C2W_URL_MAX];

	/* transport */
	int fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	exporter_send_fn send_msg;

	/* libfixbuf objects; fBufFree() frees the session and fbexp */
	fbInfoModel_t *model;
	fbSession_t *session;
	fbExporter_t *fbexp;
	fBuf_t *fbuf;
	uint16_t int_tid;
	uint8_t *msg;             /* export_mtu bytes, each emitted message */
	uint16_t mtu;

	/* templates */
	uint64_t refresh_ms;      /* 0: send templates once */
	uint64_t tmpl_next_ms;
	bool tmpl_done;

	/* message being filled */
	bool msg_open;
	bool msg_templates;
	uint64_t msg_start_ms;
	uint32_t msg_alerts;
	uint32_t msg_flows;

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

/* Split "udp://HOST:PORT" or "udp://[ADDR]:PORT" into host and port.
 * TODO: a TCP or TLS transport needs its scheme accepted here and its own
 * send function; it would then send the templates once per connection
 * (RFC 7011 section 8.1) instead of on the UDP refresh timer. */
static int
exporter_parse_url(const char *url, char *host, size_t host_size,
		   char *port, size_t port_size, const char **reason)
{
	const char *p = url + strlen("udp://");
	const char *host_end;
	const char *colon;
	unsigned long num;
	char *end;

	if (strncmp(url, "udp://", strlen("udp://")) != 0) {
		*reason = "only udp://HOST:PORT is supported";
		return -EINVAL;
	}
	if (*p == '[') {
		p++;
		host_end = strchr(p, ']');
		if (host_end == NULL || host_end[1] != ':') {
			*reason = "IPv6 address needs the form [ADDR]:PORT";
			return -EINVAL;
		}
		colon = host_end + 1;
	} else {
		colon = strchr(p, ':');
		if (colon == NULL || strchr(colon + 1, ':') != NULL) {
			*reason = "expected HOST:PORT, IPv6 addresses in brackets";
			return -EINVAL;
		}
		host_end = colon;
	}
	if (host_end == p || (size_t)(host_end - p) >= host_size) {
		*reason = "host is empty or too long";
		return -EINVAL;
	}

	errno = 0;
	num = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 ||
	    num == 0 || num > 65535) {
		*reason = "port must be 1..65535";
		return -EINVAL;
	}
	memcpy(host, p, host_end - p);
	host[host_end - p] = '\0';
	snprintf(port, port_size, "%lu", num);
	return 0;
}

static int
exporter_udp_send(struct c2w_exporter *ex, const uint8_t *msg, size_t len)
{
	ssize_t n = sendto(ex->fd, msg, len, MSG_DONTWAIT,
			   (const struct sockaddr *)&ex->peer, ex->peer_len);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Resolve the host and open a non-blocking UDP socket, so a send never
 * waits. The socket stays unconnected: on a connected one, an ICMP port
 * unreachable from a collector that is restarting fails the next send,
 * and that message would be lost although the collector may be back. */
static int
exporter_open_udp(struct c2w_exporter *ex, const char *host,
		  const char *port)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP,
		.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG,
	};
	struct addrinfo *res;
	int rc;

	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		EXPORTER_LOG(ERR, "ipfix %s: cannot resolve host: %s\n",
			     ex->url, gai_strerror(rc));
		return -EIO;
	}

	ex->fd = socket(res->ai_family,
			res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			res->ai_protocol);
	if (ex->fd < 0) {
		rc = -errno;
		goto out_free_res;
	}
	if (res->ai_addrlen > sizeof(ex->peer)) {
		rc = -EAFNOSUPPORT;
		goto out_close_fd;
	}
	memcpy(&ex->peer, res->ai_addr, res->ai_addrlen);
	ex->peer_len = res->ai_addrlen;
	freeaddrinfo(res);
	ex->send_msg = exporter_udp_send;
	return 0;

out_close_fd:
	close(ex->fd);
	ex->fd = -1;
out_free_res:
	freeaddrinfo(res);
	EXPORTER_LOG(ERR, "ipfix %s: cannot open socket: %s\n", ex->url,
		     strerror(-rc));
	return -EIO;
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

/* Build the information model, the session and its templates. A failure
 * here is a bug in the tables above or an allocation failure. */
static int
exporter_build_session(struct c2w_exporter *ex, const struct c2w_config *cfg)
{
	fbTemplate_t *tmpl;
	GError *err = NULL;
	size_t i;
	int rc;

	ex->model = fbInfoModelAlloc();
	rc = c2w_ipfix_ie_register(ex->model, cfg->pen);
	if (rc < 0)
		return rc;
	ex->session = fbSessionAlloc(ex->model);
	fbSessionSetDomain(ex->session, cfg->observation_domain);

	/* RFC 5610 type records for the c2wall elements would be enabled
	 * here, with fbSessionEnableTypeMetadata() before any template. */
	tmpl = fbTemplateAlloc(ex->model);
	if (!fbTemplateAppendSpecArray(tmpl, exporter_internal_spec,
				       UINT32_MAX, &err))
		goto out_free_tmpl;
	ex->int_tid = fbSessionAddTemplate(ex->session, TRUE, FB_TID_AUTO,
					   tmpl, &err);
	if (ex->int_tid == 0)
		goto out_free_tmpl;

	for (i = 0; i < RTE_DIM(exporter_templates); i++) {
		rc = exporter_add_external(ex, &exporter_templates[i]);
		if (rc < 0)
			return rc;
	}
	return 0;

out_free_tmpl:
	EXPORTER_LOG(ERR, "ipfix internal template: cannot build: %s\n",
		     err->message);
	g_clear_error(&err);
	fbTemplateFreeUnused(tmpl);
	return -ENOMEM;
}

/* The templates are added to the session before the fBuf exists, because
 * libfixbuf writes a template into the session's fBuf as soon as it is
 * added; they are sent by exporter_send_templates() instead. */
static int
exporter_build_fbuf(struct c2w_exporter *ex)
{
	GError *err = NULL;

	ex->msg = malloc(ex->mtu);
	if (ex->msg == NULL)
		return -ENOMEM;
	ex->fbexp = fbExporterAllocBuffer(ex->msg, ex->mtu);
	ex->fbuf = fBufAllocForExport(ex->session, ex->fbexp);

	/* Manual mode: fBufAppend() reports a full message and this file
	 * emits it, so no message leaves without being sent here. */
	fBufSetAutomaticMode(ex->fbuf, FALSE);
	if (!fBufSetInternalTemplate(ex->fbuf, ex->int_tid, &err)) {
		EXPORTER_LOG(ERR, "ipfix internal template: cannot set: %s\n",
			     err->message);
		g_clear_error(&err);
		return -ENOMEM;
	}
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
	return 0;
}

int
c2w_exporter_create(const struct c2w_config *cfg, struct rte_ring *ring,
		    struct c2w_exporter **out)
{
	char host[C2W_URL_MAX];
	char port[8];
	const char *reason;
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
	ex->fd = -1;
	snprintf(ex->url, sizeof(ex->url), "%s", cfg->ipfix_url);
	if (cfg->ipfix_url[0] == '\0')
		goto out_done;

	rc = exporter_check_config(cfg);
	if (rc < 0)
		goto out_destroy;
	rc = exporter_parse_url(cfg->ipfix_url, host, sizeof(host), port,
				sizeof(port), &reason);
	if (rc < 0) {
		EXPORTER_LOG(ERR, "ipfix url %s: invalid: %s\n",
			     cfg->ipfix_url, reason);
		goto out_destroy;
	}
	rc = exporter_open_udp(ex, host, port);
	if (rc < 0)
		goto out_destroy;

	ex->enabled = true;
	ex->inline_mode = cfg->mode == C2W_MODE_INLINE;
	ex->extra_flags = ex->inline_mode ? FIELD_EGRESS : 0;
	ex->mtu = cfg->export_mtu;
	ex->refresh_ms = (uint64_t)cfg->template_refresh_s * 1000;
	rc = exporter_build_session(ex, cfg);
	if (rc < 0)
		goto out_destroy;
	rc = exporter_build_fbuf(ex);
	if (rc < 0)
		goto out_destroy;

out_done:
	*out = ex;
	return 0;

out_destroy:
	c2w_exporter_destroy(ex);
	return rc;
}

/* Emit the open message and send it. */
static void
exporter_emit(struct c2w_exporter *ex)
{
	uint32_t records = ex->msg_alerts + ex->msg_flows;
	GError *err = NULL;
	int rc;

	if (!ex->msg_open)
		return;

	/* The buffer exporter only copies, so this fails only on a bug. */
	if (!fBufEmit(ex->fbuf, &err)) {
		exporter_log_limited(ex, "cannot emit message", err->message);
		g_clear_error(&err);
		rc = -EIO;
	} else {
		rc = ex->send_msg(ex, ex->msg, fbExporterGetMsgLen(ex->fbexp));
		if (rc < 0)
			exporter_log_limited(ex, "send failed", strerror(-rc));
	}

	if (rc < 0) {
		ex->stats.send_errors++;
		ex->stats.records_unsent += records;
	} else {
		ex->stats.messages++;
		ex->stats.alerts_sent += ex->msg_alerts;
		ex->stats.flows_sent += ex->msg_flows;
		ex->stats.template_sends += ex->msg_templates;
	}
	ex->msg_open = false;
	ex->msg_templates = false;
	ex->msg_alerts = 0;
	ex->msg_flows = 0;
}

static void
exporter_mark_open(struct c2w_exporter *ex)
{
	if (!ex->msg_open) {
		ex->msg_open = true;
		ex->msg_start_ms = ex->now_ms;
	}
}

/*
 * Send every template. libfixbuf keeps template sets and data sets in
 * separate messages and reports "end of message" (FB_ERROR_EOM) when the
 * kind changes or the message is full; each time, the open message is
 * sent and the append is tried once more.
 */
static int
exporter_send_templates(struct c2w_exporter *ex)
{
	GError *err = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < RTE_DIM(exporter_templates); i++) {
		uint16_t tid = exporter_templates[i].tid;

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
			rc = -EIO;
			continue;
		}
		exporter_mark_open(ex);
		ex->msg_templates = true;
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
static uint16_t
exporter_fill(const struct c2w_exporter *ex, const struct c2w_event *ev,
	      struct exporter_rec *rec)
{
	bool v4 = ev->family == 4;
	bool blocked = ev->action == C2W_IPFIX_ACTION_BLOCKED;

	if ((ev->family != 4 && ev->family != 6) ||
	    (ev->type != C2W_EVENT_ALERT && ev->type != C2W_EVENT_FLOW_END))
		return 0;

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
	if (ev->action == C2W_IPFIX_ACTION_NONE)
		return v4 ? C2W_EXPORTER_TID_FLOW_V4 : C2W_EXPORTER_TID_FLOW_V6;
	exporter_fill_ioc(rec, ev);
	return v4 ? C2W_EXPORTER_TID_FLOW_IOC_V4 : C2W_EXPORTER_TID_FLOW_IOC_V6;
}

static bool
exporter_append_once(struct c2w_exporter *ex, struct exporter_rec *rec,
		     GError **err)
{
	return fBufAppend(ex->fbuf, (uint8_t *)rec, sizeof(*rec), err);
}

/* Append one record; on a full message send it and try once more. */
static int
exporter_append(struct c2w_exporter *ex, const struct c2w_event *ev)
{
	struct exporter_rec rec;
	GError *err = NULL;
	uint16_t tid;

	tid = exporter_fill(ex, ev, &rec);
	if (tid == 0) {
		ex->stats.events_invalid++;
		return -EINVAL;
	}
	if (!fBufSetExportTemplate(ex->fbuf, tid, &err))
		goto out_failed;
	if (!exporter_append_once(ex, &rec, &err)) {
		if (!g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM))
			goto out_failed;
		g_clear_error(&err);
		exporter_emit(ex);
		if (!exporter_append_once(ex, &rec, &err))
			goto out_failed;
	}

	exporter_mark_open(ex);
	if (ev->type == C2W_EVENT_ALERT)
		ex->msg_alerts++;
	else
		ex->msg_flows++;
	return 0;

out_failed:
	ex->stats.records_failed++;
	exporter_log_limited(ex, "cannot append record", err->message);
	g_clear_error(&err);
	return -EIO;
}

static void
exporter_refresh_templates(struct c2w_exporter *ex)
{
	if (ex->tmpl_done && (ex->refresh_ms == 0 ||
			      ex->now_ms < ex->tmpl_next_ms))
		return;

	/* A failure is logged and counted in exporter_emit(); the next
	 * refresh tries again. */
	exporter_send_templates(ex);
	ex->tmpl_done = true;
	ex->tmpl_next_ms = ex->now_ms + ex->refresh_ms;
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
	exporter_refresh_templates(ex);
	for (i = 0; i < n; i++)
		exporter_append(ex, &ex->events[i]);

	/* Alerts leave as soon as the ring is drained; flow records wait
	 * up to C2W_EXPORTER_FLUSH_MS to share a message. */
	if (ex->msg_open &&
	    ((n < C2W_EXPORTER_BURST && ex->msg_alerts > 0) ||
	     now_ms - ex->msg_start_ms >= C2W_EXPORTER_FLUSH_MS))
		exporter_emit(ex);
	return n;
}

int
c2w_exporter_flush(struct c2w_exporter *ex)
{
	uint64_t failed = ex->stats.records_failed;
	uint64_t errors = ex->stats.send_errors;

	while (c2w_exporter_poll(ex, exporter_wall_ms()) > 0)
		;
	if (!ex->enabled)
		return 0;
	exporter_emit(ex);
	if (ex->stats.records_failed != failed ||
	    ex->stats.send_errors != errors)
		return -EIO;
	return 0;
}

void
c2w_exporter_get_stats(const struct c2w_exporter *ex,
		       struct c2w_exporter_stats *st)
{
	*st = ex->stats;
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
	if (ex->fd >= 0)
		close(ex->fd);
	free(ex);
}
