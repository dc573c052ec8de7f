/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ipfix_ie.h"
#include "output.h"
#include "sender.h"

/* Room for the syslog header in front of the CEF line: PRI, a RFC 5424
 * timestamp, a 255-byte host name, app name and process id. */
#define OUTPUT_SYSLOG_HEADER_MAX 400

struct c2w_output {
	struct c2w_output_config cfg;
	struct c2w_output_stats stats;
	FILE *cef;
	FILE *json;
	struct c2w_sender *sender; /* NULL without --syslog */
	bool unsynced;           /* file lines written since the last sync */
	char hostname[256];
	char *line;              /* CEF line, max_line + 1 bytes */
	char *msg;               /* syslog message around it */
	size_t msg_size;
};

int
c2w_output_parse_url(const char *url, struct c2w_output_url *out)
{
	const char *sep = strstr(url, "://");
	const char *host, *host_end, *port;
	size_t len;
	char *end;
	unsigned long num;

	if (sep == NULL || (size_t)(sep - url) >= sizeof(out->scheme))
		return -EINVAL;
	memcpy(out->scheme, url, (size_t)(sep - url));
	out->scheme[sep - url] = '\0';
	if (strcmp(out->scheme, "udp") != 0 && strcmp(out->scheme, "tcp") != 0 &&
	    strcmp(out->scheme, "tls") != 0)
		return -EINVAL;

	host = sep + 3;
	if (*host == '[') {
		host++;
		host_end = strchr(host, ']');
		if (host_end == NULL || host_end[1] != ':')
			return -EINVAL;
		port = host_end + 2;
	} else {
		host_end = strrchr(host, ':');
		if (host_end == NULL)
			return -EINVAL;
		port = host_end + 1;
	}
	len = (size_t)(host_end - host);
	if (len == 0 || len >= sizeof(out->host))
		return -EINVAL;
	memcpy(out->host, host, len);
	out->host[len] = '\0';

	errno = 0;
	num = strtoul(port, &end, 10);
	if (errno != 0 || end == port || *end != '\0' || num == 0 ||
	    num > 65535)
		return -EINVAL;
	snprintf(out->port, sizeof(out->port), "%lu", num);
	return 0;
}

int
c2w_output_parse_facility(const char *name, unsigned *facility)
{
	static const struct {
		const char *name;
		unsigned num;
	} names[] = {
		{ "kern", 0 }, { "user", 1 }, { "daemon", 3 }, { "auth", 4 },
		{ "syslog", 5 }, { "authpriv", 10 }, { "local0", 16 },
		{ "local1", 17 }, { "local2", 18 }, { "local3", 19 },
		{ "local4", 20 }, { "local5", 21 }, { "local6", 22 },
		{ "local7", 23 },
	};
	unsigned long num;
	char *end;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i].name) == 0) {
			*facility = names[i].num;
			return 0;
		}
	}
	errno = 0;
	num = strtoul(name, &end, 10);
	if (errno != 0 || end == name || *end != '\0' || num > 23)
		return -EINVAL;
	*facility = (unsigned)num;
	return 0;
}

static int
open_file(const char *path, FILE **fp)
{
	if (path == NULL) {
		*fp = NULL;
		return 0;
	}
	if (strcmp(path, "-") == 0) {
		*fp = stdout;
		return 0;
	}
	/* Append, so a restart or a log rotation by copy loses nothing. */
	*fp = fopen(path, "a");
	if (*fp == NULL)
		return -errno;
	return 0;
}

static int
open_sender(struct c2w_output *o, const struct c2w_output_config *cfg)
{
	struct c2w_sender_config sc = {
		.url = cfg->syslog_url,
		.spool_dir = cfg->spool_dir,
		.spool_max = cfg->spool_max,
	};

	if (gethostname(o->hostname, sizeof(o->hostname) - 1) != 0 ||
	    o->hostname[0] == '\0')
		snprintf(o->hostname, sizeof(o->hostname), "-");
	return c2w_sender_open(&sc, &o->sender);
}

int
c2w_output_open(const struct c2w_output_config *cfg, struct c2w_output **out)
{
	struct c2w_output *o;
	int rc;

	if (cfg->max_line < C2W_CEF_MAX_LINE_MIN)
		return -EINVAL;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return -ENOMEM;
	o->cfg = *cfg;
	o->msg_size = cfg->max_line + 1;
	o->line = malloc(cfg->max_line + 1);
	o->msg = malloc(o->msg_size);
	rc = -ENOMEM;
	if (o->line == NULL || o->msg == NULL)
		goto out_free;

	rc = open_file(cfg->cef_path, &o->cef);
	if (rc != 0)
		goto out_free;
	rc = open_file(cfg->json_path, &o->json);
	if (rc != 0)
		goto out_close_cef;
	if (cfg->syslog_url != NULL) {
		rc = open_sender(o, cfg);
		if (rc != 0)
			goto out_close_json;
	}
	*out = o;
	return 0;

out_close_json:
	if (o->json != NULL && o->json != stdout)
		fclose(o->json);
out_close_cef:
	if (o->cef != NULL && o->cef != stdout)
		fclose(o->cef);
out_free:
	free(o->msg);
	free(o->line);
	free(o);
	return rc;
}

static int
write_line(struct c2w_output *o, FILE *fp, const char *line, size_t len,
	   uint64_t *written)
{
	if (fwrite(line, 1, len, fp) != len || fputc('\n', fp) == EOF) {
		o->stats.send_errors++;
		return -EIO;
	}
	(*written)++;
	return 0;
}

/* "<PRI>" and the RFC 3164 or RFC 5424 header, without the message. */
static int
syslog_header(struct c2w_output *o, unsigned severity, char *buf,
	      size_t size)
{
	unsigned pri = o->cfg.facility * 8 + severity;
	struct timespec ts;
	struct tm tm;
	char host[256];
	char stamp[40];
	char *dot;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (o->cfg.syslog_format == C2W_OUTPUT_SYSLOG_5424) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		return snprintf(buf, size, "<%u>1 %s.%03ldZ %s c2wall-collector "
				"%ld - - ", pri, stamp, ts.tv_nsec / 1000000,
				o->hostname, (long)getpid());
	}

	/* RFC 3164 wants local time and the host name without domain. The
	 * CEF line follows the host name, the form CEF receivers expect. */
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	snprintf(host, sizeof(host), "%s", o->hostname);
	dot = strchr(host, '.');
	if (dot != NULL)
		*dot = '\0';
	return snprintf(buf, size, "<%u>%s %s ", pri, stamp, host);
}

/* Header and CEF line, handed to the sender: sent at once, or spooled
 * and sent in order. */
static int
syslog_write(struct c2w_output *o, const struct c2w_cef_event *ev,
	     const struct c2w_sender_origin *origin)
{
	unsigned severity = c2w_cef_severity(ev) >= 8 ? 4 : 5;
	size_t len;
	int hlen, rc;
	bool cut = false;

	hlen = syslog_header(o, severity, o->msg, OUTPUT_SYSLOG_HEADER_MAX);
	if (hlen < 0 || (size_t)hlen >= OUTPUT_SYSLOG_HEADER_MAX)
		return -EMSGSIZE;
	/* The whole syslog message stays within max_line, so a receiver
	 * with the same maximum message size takes it whole. */
	rc = c2w_cef_format(ev, &o->cfg.device, o->cfg.max_line - (size_t)hlen,
			    o->line, o->cfg.max_line + 1, &len, &cut);
	if (rc != 0) {
		o->stats.format_errors++;
		return rc;
	}
	memcpy(o->msg + hlen, o->line, len);
	rc = c2w_sender_submit(o->sender, o->msg, (size_t)hlen + len, origin);
	if (rc != 0)
		o->stats.send_errors++;
	return rc;
}

static const char *
asim_severity(unsigned cef_severity)
{
	if (cef_severity >= 8)
		return "High";
	if (cef_severity >= 6)
		return "Medium";
	if (cef_severity >= 4)
		return "Low";
	return "Informational";
}

static const char *
asim_action(uint8_t action)
{
	return action == C2W_IPFIX_ACTION_BLOCKED ? "Drop" : "Allow";
}

/* A JSON string of the value; bytes that are not valid UTF-8 become '?'
 * because JSON text must be UTF-8. */
static json_t *
json_text(const struct c2w_cef_str *s)
{
	json_t *j = json_stringn(s->ptr, s->len);
	char *copy;
	size_t i;

	if (j != NULL)
		return j;
	copy = malloc(s->len + 1);
	if (copy == NULL)
		return NULL;
	for (i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->ptr[i];

		copy[i] = (c >= 0x80 || c == 0) ? '?' : (char)c;
	}
	j = json_stringn(copy, s->len);
	free(copy);
	return j;
}

static json_t *
json_time_ms(uint64_t ms)
{
	time_t sec = (time_t)(ms / 1000u);
	char buf[40];
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return json_sprintf("%s.%03uZ", buf, (unsigned)(ms % 1000u));
}

static void
set_text(json_t *obj, const char *key, const struct c2w_cef_str *s)
{
	if (s->len > 0)
		json_object_set_new(obj, key, json_text(s));
}

/* Ports as in the CEF line: for TCP, UDP and SCTP, or as the template
 * had them when it had no protocol. */
static void
json_add_ports(json_t *obj, const struct c2w_cef_event *ev)
{
	bool transport = ev->proto == 6 || ev->proto == 17 || ev->proto == 132;
	bool sport = ev->proto_absent ? ev->has_sport : transport;
	bool dport = ev->proto_absent ? ev->has_dport : transport;

	if (sport)
		json_object_set_new(obj, "SrcPortNumber",
				    json_integer(ev->sport));
	if (dport)
		json_object_set_new(obj, "DstPortNumber",
				    json_integer(ev->dport));
}

static void
json_add_counters(json_t *obj, const struct c2w_cef_event *ev)
{
	uint8_t have = ev->has_counters ? C2W_CEF_COUNTERS_ALL : ev->counters;
	char flags[C2W_CEF_TCP_FLAGS_MAX];

	if (have & C2W_CEF_BYTES_FWD)
		json_object_set_new(obj, "SrcBytes",
				    json_integer((json_int_t)ev->bytes_fwd));
	if (have & C2W_CEF_BYTES_REV)
		json_object_set_new(obj, "DstBytes",
				    json_integer((json_int_t)ev->bytes_rev));
	if (have & C2W_CEF_PKTS_FWD)
		json_object_set_new(obj, "SrcPackets",
				    json_integer((json_int_t)ev->pkts_fwd));
	if (have & C2W_CEF_PKTS_REV)
		json_object_set_new(obj, "DstPackets",
				    json_integer((json_int_t)ev->pkts_rev));
	if (ev->has_tcp_flags &&
	    c2w_cef_tcp_flags_format(ev->tcp_flags, flags, sizeof(flags)) == 0)
		json_object_set_new(obj, "TcpFlags", json_string(flags));
	set_text(obj, "InterfaceName", &ev->interface_name);
}

static void
json_add_network(json_t *obj, const struct c2w_cef_event *ev)
{
	char src[64], dst[64], num[4];

	if (!ev->proto_absent)
		json_object_set_new(obj, "NetworkProtocol", json_string(
			c2w_cef_proto_name(ev->proto, num, sizeof(num))));
	if (c2w_cef_addr_format(ev, true, src, sizeof(src)) == 0 &&
	    c2w_cef_addr_format(ev, false, dst, sizeof(dst)) == 0) {
		json_object_set_new(obj, "NetworkProtocolVersion",
				    json_string(ev->family == 6 ? "IPv6" :
						"IPv4"));
		json_object_set_new(obj, "SrcIpAddr", json_string(src));
		json_object_set_new(obj, "DstIpAddr", json_string(dst));
	}
	json_add_ports(obj, ev);
	if (ev->has_icmp && (ev->proto == 1 || ev->proto == 58)) {
		json_object_set_new(obj, "NetworkIcmpType",
				    json_integer(ev->icmp_type_code >> 8));
		json_object_set_new(obj, "NetworkIcmpCode",
				    json_integer(ev->icmp_type_code & 0xff));
	}
	json_add_counters(obj, ev);
	if (ev->has_times && ev->end_ms >= ev->start_ms)
		json_object_set_new(obj, "NetworkDuration", json_integer(
			(json_int_t)(ev->end_ms - ev->start_ms)));
	if (ev->has_ingress)
		json_object_set_new(obj, "DvcInboundInterface",
				    json_sprintf("%" PRIu32, ev->ingress_if));
	if (ev->has_egress)
		json_object_set_new(obj, "DvcOutboundInterface",
				    json_sprintf("%" PRIu32, ev->egress_if));
	if (ev->has_vlan) {
		json_object_set_new(obj, "OuterVlanId",
				    json_sprintf("%u", ev->vlan_outer));
		json_object_set_new(obj, "InnerVlanId",
				    json_sprintf("%u", ev->vlan_inner));
	}
}

static void
json_add_threat(json_t *obj, const struct c2w_cef_event *ev)
{
	const char *reason = c2w_cef_end_reason_name(ev->end_reason);

	if (reason != NULL)
		json_object_set_new(obj, "FlowEndReason", json_string(reason));
	if (!ev->generic && ev->action == C2W_IPFIX_ACTION_NONE &&
	    ev->ioc_value.len == 0)
		return;
	set_text(obj, "ThreatIocValue", &ev->ioc_value);
	set_text(obj, "ThreatIocId", &ev->ioc_id);
	set_text(obj, "ThreatType", &ev->threat_type);
	set_text(obj, "ThreatName", &ev->malware);
	/* A generic record's strings are data, not an indicator match. */
	if (ev->generic) {
		set_text(obj, "ThreatIocTags", &ev->tags);
		set_text(obj, "ThreatIocReference", &ev->reference);
		return;
	}
	json_object_set_new(obj, "ThreatConfidence",
			    json_integer(ev->confidence));
	if (ev->side == C2W_IPFIX_SIDE_SOURCE)
		json_object_set_new(obj, "ThreatField", json_string("SrcIpAddr"));
	else if (ev->side == C2W_IPFIX_SIDE_DESTINATION)
		json_object_set_new(obj, "ThreatField", json_string("DstIpAddr"));
	set_text(obj, "ThreatIocTags", &ev->tags);
	set_text(obj, "ThreatIocReference", &ev->reference);
	if (ev->ioc_first_seen > 0)
		json_object_set_new(obj, "ThreatFirstReportedTime", json_time_ms(
			(uint64_t)ev->ioc_first_seen * 1000u));
	if (ev->ioc_last_seen > 0)
		json_object_set_new(obj, "ThreatLastReportedTime", json_time_ms(
			(uint64_t)ev->ioc_last_seen * 1000u));
}

static json_t *
json_event(const struct c2w_cef_event *ev, const struct c2w_cef_device *dev)
{
	uint64_t start = ev->has_times ? ev->start_ms : ev->receipt_ms;
	uint64_t end = ev->has_times ? ev->end_ms : ev->receipt_ms;
	json_t *obj = json_object();

	if (obj == NULL)
		return NULL;
	json_object_set_new(obj, "EventType", json_string(
		ev->event_type == C2W_IPFIX_EVENT_FLOW_END ? "flow_end" :
		"alert"));
	json_object_set_new(obj, "EventStartTime", json_time_ms(start));
	json_object_set_new(obj, "EventEndTime", json_time_ms(end));
	json_object_set_new(obj, "EventSeverity",
			    json_string(asim_severity(c2w_cef_severity(ev))));
	json_object_set_new(obj, "EventVendor", json_string(dev->vendor));
	json_object_set_new(obj, "EventProduct", json_string(dev->product));
	json_object_set_new(obj, "EventProductVersion",
			    json_string(dev->version));
	json_object_set_new(obj, "DvcAction",
			    json_string(asim_action(ev->action)));
	json_object_set_new(obj, "DvcOriginalAction",
			    json_string(c2w_cef_action_name(ev->action)));
	json_add_network(obj, ev);
	json_add_threat(obj, ev);
	return obj;
}

static int
json_write(struct c2w_output *o, const struct c2w_cef_event *ev)
{
	json_t *obj = json_event(ev, &o->cfg.device);
	char *text;
	int rc;

	if (obj == NULL) {
		o->stats.format_errors++;
		return -ENOMEM;
	}
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (text == NULL) {
		o->stats.format_errors++;
		return -ENOMEM;
	}
	rc = write_line(o, o->json, text, strlen(text), &o->stats.json_written);
	free(text);
	return rc;
}

int
c2w_output_write(struct c2w_output *o, const struct c2w_cef_event *ev,
		 const struct c2w_sender_origin *origin)
{
	size_t len;
	bool cut = false;
	int rc = 0, err;

	o->unsynced = true;
	if (o->cef != NULL) {
		err = c2w_cef_format(ev, &o->cfg.device, o->cfg.max_line,
				     o->line, o->cfg.max_line + 1, &len, &cut);
		if (err != 0) {
			o->stats.format_errors++;
			rc = err;
		} else {
			o->stats.cut += cut;
			err = write_line(o, o->cef, o->line, len,
					 &o->stats.cef_written);
			rc = rc != 0 ? rc : err;
		}
	}
	if (o->json != NULL) {
		err = json_write(o, ev);
		rc = rc != 0 ? rc : err;
	}
	if (o->sender != NULL) {
		err = syslog_write(o, ev, origin);
		rc = rc != 0 ? rc : err;
	}
	return rc;
}

int
c2w_output_flush(struct c2w_output *o)
{
	int rc = 0;

	if (o->cef != NULL && fflush(o->cef) != 0)
		rc = -EIO;
	if (o->json != NULL && fflush(o->json) != 0)
		rc = -EIO;
	if (rc != 0)
		o->stats.send_errors++;
	return rc;
}

/* Sync a regular output file; pipes and terminals need no sync. */
static int
sync_file(FILE *fp)
{
	struct stat st;
	int fd;

	if (fp == NULL)
		return 0;
	fd = fileno(fp);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	return fdatasync(fd) == 0 ? 0 : -EIO;
}

int
c2w_output_commit(struct c2w_output *o, bool durable)
{
	int rc = c2w_output_flush(o);

	if (durable && o->unsynced &&
	    (sync_file(o->cef) != 0 || sync_file(o->json) != 0)) {
		o->stats.send_errors++;
		rc = -EIO;
	}
	o->unsynced = false;
	if (o->sender != NULL && c2w_sender_sync(o->sender) != 0)
		rc = -EIO;
	return rc;
}

size_t
c2w_output_poll_fill(struct c2w_output *o, struct pollfd *fds, size_t max,
		     int *timeout_ms)
{
	if (o->sender == NULL)
		return 0;
	return c2w_sender_poll_fill(o->sender, fds, max, timeout_ms);
}

void
c2w_output_poll_handle(struct c2w_output *o, const struct pollfd *fds,
		       size_t n)
{
	if (o->sender != NULL)
		c2w_sender_poll_handle(o->sender, fds, n);
}

void
c2w_output_scan_spool(struct c2w_output *o, c2w_sender_origin_fn fn,
		      void *ctx)
{
	if (o->sender != NULL)
		c2w_sender_scan(o->sender, fn, ctx);
}

int
c2w_output_drain(struct c2w_output *o, unsigned timeout_ms)
{
	if (o->sender == NULL)
		return 0;
	return c2w_sender_drain(o->sender, timeout_ms);
}

void
c2w_output_get_stats(const struct c2w_output *o, struct c2w_output_stats *st)
{
	*st = o->stats;
	if (o->sender != NULL)
		c2w_sender_get_stats(o->sender, &st->syslog);
}

void
c2w_output_close(struct c2w_output *o)
{
	if (o == NULL)
		return;
	c2w_output_flush(o);
	if (o->cef != NULL && o->cef != stdout)
		fclose(o->cef);
	if (o->json != NULL && o->json != stdout && o->json != o->cef)
		fclose(o->json);
	c2w_sender_close(o->sender);
	free(o->msg);
	free(o->line);
	free(o);
}
