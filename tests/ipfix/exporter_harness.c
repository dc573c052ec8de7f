/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness for the IPFIX exporter: starts a small EAL, fills an event
 * ring with known events and exports them over UDP to 127.0.0.1 (or
 * --host, used inside a network namespace without routes), so that
 * test_exporter.py can decode the capture with tshark and ipfixDump.
 *
 * Usage: exporter_harness PORT [--mtu N] [--refresh S] [--count N]
 *                         [--spread-ms MS] [--tap] [--no-url] [--sink]
 *                         [--host ADDR] [--proto udp|tcp|tls]
 *                         [--refresh-msgs N] [--stats-interval S]
 *                         [--buffer BYTES] [--resend BYTES] [--uniflow]
 *                         [--ca FILE] [--cert FILE] [--key FILE]
 *                         [--no-verify]
 *
 * Without --count, the six events of harness_events() go out once. With
 * --count N, N events cycle through the same six. --spread-ms spreads
 * them over that many milliseconds. --sink binds the UDP PORT itself so
 * that the kernel does not answer each message with ICMP (for timing
 * runs). --proto picks the transport; TCP and TLS need a collector that
 * the test runs. --stats-interval defaults to 0 (no statistics records).
 * The exporter's counters and the elapsed time go to stdout as key=value.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "event.h"
#include "exporter.h"
#include "feed.h"
#include "ipfix_ie.h"

#define HARNESS_RING_SIZE 4096
#define HARNESS_EVENTS 6

struct harness_opts {
	unsigned port;
	unsigned mtu;
	unsigned refresh_s;
	unsigned refresh_msgs;
	unsigned stats_s;
	unsigned buffer;
	unsigned resend;
	unsigned long count;     /* 0: the fixed events once */
	unsigned spread_ms;
	bool tap;
	bool no_url;
	bool sink;
	bool uniflow;
	bool no_verify;
	const char *host;        /* collector address, 127.0.0.1 by default */
	const char *proto;       /* URL scheme, "udp" by default */
	const char *ca;
	const char *cert;
	const char *key;
};

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
set_v4(uint8_t *dst, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	dst[0] = a;
	dst[1] = b;
	dst[2] = c;
	dst[3] = d;
}

/* 2001:db8:<w2>:<w3>::<last> */
static void
set_v6(uint8_t *dst, uint16_t w2, uint16_t w3, uint16_t last)
{
	memset(dst, 0, 16);
	dst[0] = 0x20;
	dst[1] = 0x01;
	dst[2] = 0x0d;
	dst[3] = 0xb8;
	dst[4] = w2 >> 8;
	dst[5] = w2 & 0xff;
	dst[6] = w3 >> 8;
	dst[7] = w3 & 0xff;
	dst[14] = last >> 8;
	dst[15] = last & 0xff;
}

static void
set_ioc(struct c2w_event *ev, const char *value, const char *id,
	const char *threat, const char *malware, const char *tags,
	const char *reference)
{
	snprintf(ev->ioc_value, sizeof(ev->ioc_value), "%s", value);
	snprintf(ev->ioc_id, sizeof(ev->ioc_id), "%s", id);
	snprintf(ev->threat_type, sizeof(ev->threat_type), "%s", threat);
	snprintf(ev->malware, sizeof(ev->malware), "%s", malware);
	snprintf(ev->tags, sizeof(ev->tags), "%s", tags);
	snprintf(ev->reference, sizeof(ev->reference), "%s", reference);
}

/* 0: IPv4 TCP alert, blocked, destination 203.0.113.10:2404 matched. */
static void
event_alert_v4(struct c2w_event *ev)
{
	ev->type = C2W_EVENT_ALERT;
	ev->family = 4;
	ev->proto = 6;
	ev->action = C2W_IPFIX_ACTION_BLOCKED;
	ev->side = C2W_IPFIX_SIDE_DESTINATION;
	ev->confidence = 90;
	ev->tcp_flags_fwd = 0x02;
	set_v4(ev->src, 198, 51, 100, 7);
	set_v4(ev->dst, 203, 0, 113, 10);
	ev->sport = 49152;
	ev->dport = 2404;
	ev->ingress_port = 0;
	ev->egress_port = 1;
	ev->start_ms = 1700000000123ULL;
	ev->end_ms = 1700000000123ULL;
	ev->ioc_first_seen = 1690000000;
	ev->ioc_last_seen = 1699999999;
	set_ioc(ev, "203.0.113.10:2404", "ioc-0001", "botnet_cc", "Remcos",
		"rat,remcos", "https://example.org/ioc/0001");
}

/* 1: IPv4 TCP flow end of an alerted flow, with reverse counters. */
static void
event_flow_v4(struct c2w_event *ev)
{
	ev->type = C2W_EVENT_FLOW_END;
	ev->family = 4;
	ev->proto = 6;
	ev->action = C2W_IPFIX_ACTION_ALERTED;
	ev->side = C2W_IPFIX_SIDE_DESTINATION;
	ev->end_reason = C2W_END_DETECTED;
	ev->confidence = 75;
	ev->tcp_flags_fwd = 0x1b;
	ev->tcp_flags_rev = 0x12;
	set_v4(ev->src, 198, 51, 100, 20);
	set_v4(ev->dst, 203, 0, 113, 10);
	ev->sport = 50000;
	ev->dport = 2404;
	ev->ingress_port = 1;
	ev->egress_port = 0;
	ev->start_ms = 1700000001000ULL;
	ev->end_ms = 1700000005654ULL;
	ev->pkts_fwd = 10;
	ev->bytes_fwd = 1500;
	ev->pkts_rev = 8;
	ev->bytes_rev = 6400;
	ev->ioc_first_seen = 1690000000;
	ev->ioc_last_seen = 1699999999;
	set_ioc(ev, "203.0.113.10:2404", "ioc-0001", "botnet_cc", "Remcos",
		"rat,remcos", "https://example.org/ioc/0001");
}

/* 2: IPv6 UDP alert, source 2001:db8::1 matched, one VLAN tag. */
static void
event_alert_v6(struct c2w_event *ev)
{
	ev->type = C2W_EVENT_ALERT;
	ev->family = 6;
	ev->proto = 17;
	ev->action = C2W_IPFIX_ACTION_ALERTED;
	ev->side = C2W_IPFIX_SIDE_SOURCE;
	ev->confidence = 50;
	ev->vlan_count = 1;
	ev->vlan_outer = 42;
	set_v6(ev->src, 0, 0, 1);
	set_v6(ev->dst, 0, 0, 2);
	ev->sport = 5353;
	ev->dport = 443;
	ev->ingress_port = 2;
	ev->egress_port = 3;
	ev->start_ms = 1700000002000ULL;
	ev->end_ms = 1700000002000ULL;
	ev->ioc_first_seen = C2W_IOC_TIME_UNKNOWN;
	ev->ioc_last_seen = C2W_IOC_TIME_UNKNOWN;
	set_ioc(ev, "2001:db8::1", "ioc-0002", "botnet_cc", "AsyncRAT", "",
		"");
}

/* 3: ICMP echo flow that matched nothing; the parser's ports are
 * ignored for ICMP. */
static void
event_flow_icmp(struct c2w_event *ev)
{
	ev->type = C2W_EVENT_FLOW_END;
	ev->family = 4;
	ev->proto = 1;
	ev->action = C2W_IPFIX_ACTION_NONE;
	ev->end_reason = C2W_END_IDLE;
	set_v4(ev->src, 192, 0, 2, 1);
	set_v4(ev->dst, 192, 0, 2, 2);
	ev->sport = 1234;
	ev->icmp_type_code = 0x0800;
	ev->ingress_port = 0;
	ev->egress_port = 1;
	ev->start_ms = 1700000003000ULL;
	ev->end_ms = 1700000004000ULL;
	ev->pkts_fwd = 3;
	ev->bytes_fwd = 252;
	ev->pkts_rev = 3;
	ev->bytes_rev = 252;
}

/* 4: QinQ UDP flow, outer VID 100, inner VID 200, no match. */
static void
event_flow_qinq(struct c2w_event *ev)
{
	ev->type = C2W_EVENT_FLOW_END;
	ev->family = 4;
	ev->proto = 17;
	ev->action = C2W_IPFIX_ACTION_NONE;
	ev->end_reason = C2W_END_IDLE;
	ev->vlan_count = 2;
	ev->vlan_outer = 100;
	ev->vlan_inner = 200;
	set_v4(ev->src, 192, 0, 2, 10);
	set_v4(ev->dst, 198, 51, 100, 53);
	ev->sport = 40000;
	ev->dport = 53;
	ev->ingress_port = 0;
	ev->egress_port = 1;
	ev->start_ms = 1700000006000ULL;
	ev->end_ms = 1700000006100ULL;
	ev->pkts_fwd = 1;
	ev->bytes_fwd = 60;
	ev->pkts_rev = 1;
	ev->bytes_rev = 120;
}

/* 5: IPv6 TCP flow end of a blocked flow whose reference is 300 bytes
 * long in the feed and cut to the event field. */
static void
event_flow_v6_long(struct c2w_event *ev)
{
	char reference[301];

	memset(reference, 'x', sizeof(reference) - 1);
	memcpy(reference, "https://example.org/", strlen("https://example.org/"));
	reference[sizeof(reference) - 1] = '\0';

	ev->type = C2W_EVENT_FLOW_END;
	ev->family = 6;
	ev->proto = 6;
	ev->action = C2W_IPFIX_ACTION_BLOCKED;
	ev->side = C2W_IPFIX_SIDE_DESTINATION;
	ev->end_reason = C2W_END_FORCED;
	ev->confidence = 100;
	ev->tcp_flags_fwd = 0x02;
	set_v6(ev->src, 0, 0, 0x10);
	set_v6(ev->dst, 0, 1, 0x20);
	ev->sport = 51000;
	ev->dport = 8443;
	ev->ingress_port = 1;
	ev->egress_port = 0;
	ev->start_ms = 1700000007000ULL;
	ev->end_ms = 1700000007500ULL;
	ev->pkts_fwd = 4;
	ev->bytes_fwd = 240;
	ev->ioc_first_seen = 1600000000;
	ev->ioc_last_seen = 1700000000;
	set_ioc(ev, "[2001:db8:0:1::20]:8443", "ioc-0003", "payload_delivery",
		"Remcos", "rat,remcos,long", reference);
}

static void
harness_events(struct c2w_event *evs)
{
	memset(evs, 0, sizeof(*evs) * HARNESS_EVENTS);
	event_alert_v4(&evs[0]);
	event_flow_v4(&evs[1]);
	event_alert_v6(&evs[2]);
	event_flow_icmp(&evs[3]);
	event_flow_qinq(&evs[4]);
	event_flow_v6_long(&evs[5]);
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    *out > max) {
		fprintf(stderr, "exporter_harness: invalid number: %s\n", s);
		return -EINVAL;
	}
	return 0;
}

static int
parse_opts(int argc, char **argv, struct harness_opts *o)
{
	static const struct option longopts[] = {
		{ "mtu", required_argument, NULL, 'm' },
		{ "refresh", required_argument, NULL, 'r' },
		{ "refresh-msgs", required_argument, NULL, 'R' },
		{ "stats-interval", required_argument, NULL, 'S' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "resend", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "spread-ms", required_argument, NULL, 's' },
		{ "tap", no_argument, NULL, 't' },
		{ "no-url", no_argument, NULL, 'n' },
		{ "sink", no_argument, NULL, 'k' },
		{ "uniflow", no_argument, NULL, 'u' },
		{ "no-verify", no_argument, NULL, 'V' },
		{ "host", required_argument, NULL, 'h' },
		{ "proto", required_argument, NULL, 'p' },
		{ "ca", required_argument, NULL, 'A' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	o->mtu = 1400;
	o->refresh_s = 600;
	o->buffer = 8u << 20;
	o->resend = 1u << 20;
	o->host = "127.0.0.1";
	o->proto = "udp";
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': o->host = optarg; continue;
		case 'p': o->proto = optarg; continue;
		case 'A': o->ca = optarg; continue;
		case 'C': o->cert = optarg; continue;
		case 'K': o->key = optarg; continue;
		case 't': o->tap = true; continue;
		case 'n': o->no_url = true; continue;
		case 'k': o->sink = true; continue;
		case 'u': o->uniflow = true; continue;
		case 'V': o->no_verify = true; continue;
		default: break;
		}
		if (c == '?' || parse_uint(optarg, UINT32_MAX, &v) < 0)
			return -EINVAL;
		if (c == 'm')
			o->mtu = v;
		else if (c == 'r')
			o->refresh_s = v;
		else if (c == 'R')
			o->refresh_msgs = v;
		else if (c == 'S')
			o->stats_s = v;
		else if (c == 'b')
			o->buffer = v;
		else if (c == 'w')
			o->resend = v;
		else if (c == 'c')
			o->count = v;
		else
			o->spread_ms = v;
	}
	if (optind != argc - 1 || parse_uint(argv[optind], 65535, &v) < 0) {
		fprintf(stderr, "usage: exporter_harness PORT [options]\n");
		return -EINVAL;
	}
	o->port = v;
	return 0;
}

static void
fill_config(struct c2w_config *cfg, const struct harness_opts *o)
{
	bool v6 = strchr(o->host, ':') != NULL;

	memset(cfg, 0, sizeof(*cfg));
	if (!o->no_url)
		snprintf(cfg->ipfix_url, sizeof(cfg->ipfix_url),
			 v6 ? "%s://[%s]:%u" : "%s://%s:%u", o->proto,
			 o->host, o->port);
	cfg->mode = o->tap ? C2W_MODE_TAP : C2W_MODE_INLINE;
	cfg->pen = C2W_IPFIX_PEN_DEFAULT;
	cfg->observation_domain = 42;
	cfg->template_refresh_s = o->refresh_s;
	cfg->template_refresh_msgs = o->refresh_msgs;
	cfg->export_mtu = o->mtu;
	cfg->export_scope = C2W_EXPORT_ALL;
	cfg->export_records = o->uniflow ? C2W_RECORDS_UNIFLOW :
		C2W_RECORDS_BIFLOW;
	cfg->event_ring_size = HARNESS_RING_SIZE;
	cfg->export_stats_s = o->stats_s;
	cfg->buffer_bytes = o->buffer;
	cfg->resend_bytes = o->resend;
	cfg->tls_verify = !o->no_verify;
	snprintf(cfg->tls_ca, sizeof(cfg->tls_ca), "%s", o->ca ? o->ca : "");
	snprintf(cfg->tls_cert, sizeof(cfg->tls_cert), "%s",
		 o->cert ? o->cert : "");
	snprintf(cfg->tls_key, sizeof(cfg->tls_key), "%s",
		 o->key ? o->key : "");
}

/* Bind the destination port so that sends find a socket; nothing reads
 * it, so the kernel drops what does not fit in its receive buffer. */
static int
open_sink(unsigned port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("exporter_harness: sink");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Feed the events through the ring, polling as the main loop does. */
static void
run_events(struct c2w_exporter *ex, struct rte_ring *ring,
	   const struct harness_opts *o)
{
	struct c2w_event evs[HARNESS_EVENTS];
	unsigned long total = o->count ? o->count : HARNESS_EVENTS;
	unsigned long sent = 0;
	uint64_t gap_us = o->spread_ms * 1000ULL / total;

	harness_events(evs);
	while (sent < total) {
		struct c2w_event *ev = &evs[sent % HARNESS_EVENTS];

		if (rte_ring_mp_enqueue_elem(ring, ev, sizeof(*ev)) == 0) {
			sent++;
			if (gap_us > 0)
				usleep(gap_us);
			if (gap_us == 0 && sent % C2W_EXPORTER_BURST != 0)
				continue;
		}
		c2w_exporter_poll(ex, wall_ms());
	}
}

static void
print_stats(const struct c2w_exporter *ex, double elapsed)
{
	struct c2w_exporter_stats st;

	c2w_exporter_get_stats(ex, &st);
#define PRINT_STAT(name) printf(#name "=%" PRIu64 "\n", st.name)
	PRINT_STAT(events);
	PRINT_STAT(alerts_sent);
	PRINT_STAT(flows_sent);
	PRINT_STAT(options_sent);
	PRINT_STAT(records_failed);
	PRINT_STAT(events_invalid);
	PRINT_STAT(messages);
	PRINT_STAT(records_exported);
	PRINT_STAT(bytes_exported);
	PRINT_STAT(messages_lost);
	PRINT_STAT(records_lost);
	PRINT_STAT(messages_resent);
	PRINT_STAT(send_errors);
	PRINT_STAT(connects);
	PRINT_STAT(connect_failures);
	PRINT_STAT(disconnects);
	PRINT_STAT(template_sends);
	PRINT_STAT(withdrawals);
#undef PRINT_STAT
	printf("elapsed_s=%.6f\n", elapsed);
	printf("events_per_s=%.0f\n", elapsed > 0 ? st.events / elapsed : 0);
}

int
main(int argc, char **argv)
{
	/* DPDK 22.11 rejects --in-memory together with --no-huge ("--legacy-mem
	 * is not compatible with --in-memory"), so --no-shconf and a per-process
	 * file prefix keep parallel harnesses apart instead. */
	char prefix[64];
	char *eal_argv[] = {
		argv[0], "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
		"-l", "0", "--log-level=*:warning", prefix, NULL,
	};
	struct harness_opts opts = { 0 };
	struct c2w_exporter *ex;
	struct c2w_config cfg;
	struct rte_ring *ring;
	int sink = -1;
	double t0;
	int rc;

	if (parse_opts(argc, argv, &opts) < 0)
		return 2;
	snprintf(prefix, sizeof(prefix), "--file-prefix=c2w-ipfix-%ld",
		 (long)getpid());
	if (rte_eal_init(RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "exporter_harness: eal init failed\n");
		return 1;
	}
	rc = 1;
	ring = rte_ring_create_elem("harness_events", sizeof(struct c2w_event),
				    HARNESS_RING_SIZE, SOCKET_ID_ANY,
				    RING_F_SC_DEQ);
	if (ring == NULL) {
		fprintf(stderr, "exporter_harness: ring create failed\n");
		goto out_eal;
	}
	if (opts.sink && (sink = open_sink(opts.port)) < 0)
		goto out_ring;

	fill_config(&cfg, &opts);
	if (c2w_exporter_create(&cfg, ring, &ex) < 0) {
		fprintf(stderr, "exporter_harness: exporter create failed\n");
		goto out_sink;
	}
	t0 = mono_s();
	run_events(ex, ring, &opts);
	if (c2w_exporter_flush(ex) < 0)
		fprintf(stderr, "exporter_harness: flush reported errors\n");
	print_stats(ex, mono_s() - t0);
	c2w_exporter_destroy(ex);
	rc = 0;

out_sink:
	if (sink >= 0)
		close(sink);
out_ring:
	rte_ring_free(ring);
out_eal:
	rte_eal_cleanup();
	return rc;
}
