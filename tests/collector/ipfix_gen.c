/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-only IPFIX source with c2wall's elements, built with libfixbuf so
 * the collector is tested against a real encoder. It writes an options
 * record, then per round: a blocked IPv4 alert, an alerted IPv6 flow end
 * and an IPv4 flow end without an indicator; --unique adds the round
 * number to the times of each round's records, so every CEF line differs
 * and tests can check order and duplicates; --long adds an alert with a
 * long reference. test_collector.py checks the exact lines it expects.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fixbuf/public.h>

#include "ipfix_ie.h"

#define GEN_TID_V4 256
#define GEN_TID_V6 257
#define GEN_TID_OPTIONS 258
#define GEN_TID_INT 300
#define GEN_TID_OPTIONS_INT 301
#define GEN_DOMAIN 7

/* Same packing rule as the collector: largest fields first. */
struct gen_record {
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
	uint16_t icmp6;
	uint16_t icmp4;
	uint8_t proto;
	uint8_t firewall_event;
	uint8_t end_reason;
	uint8_t confidence;
	uint8_t action;
	uint8_t side;
	uint8_t event_type;
	uint8_t pad[1];
};

#define GEN_SPEC_HEAD \
	{ "flowStartMilliseconds", 8, 0 }, \
	{ "flowEndMilliseconds", 8, 0 }, \
	{ "octetDeltaCount", 8, 0 }, \
	{ "packetDeltaCount", 8, 0 }, \
	{ "reverseOctetDeltaCount", 8, 0 }, \
	{ "reversePacketDeltaCount", 8, 0 }, \
	{ "sourceIPv6Address", 16, 1 }, \
	{ "destinationIPv6Address", 16, 1 }, \
	{ C2W_IE_NAME_IOC_VALUE, FB_IE_VARLEN, 0 }, \
	{ C2W_IE_NAME_IOC_ID, FB_IE_VARLEN, 0 }, \
	{ C2W_IE_NAME_THREAT_TYPE, FB_IE_VARLEN, 0 }, \
	{ C2W_IE_NAME_MALWARE, FB_IE_VARLEN, 0 }, \
	{ C2W_IE_NAME_IOC_TAGS, FB_IE_VARLEN, 0 }, \
	{ C2W_IE_NAME_IOC_REFERENCE, FB_IE_VARLEN, 0 }, \
	{ "sourceIPv4Address", 4, 2 }, \
	{ "destinationIPv4Address", 4, 2 }, \
	{ "ingressInterface", 4, 0 }, \
	{ "egressInterface", 4, 0 }, \
	{ C2W_IE_NAME_IOC_FIRST_SEEN, 4, 0 }, \
	{ C2W_IE_NAME_IOC_LAST_SEEN, 4, 0 }, \
	{ "sourceTransportPort", 2, 0 }, \
	{ "destinationTransportPort", 2, 0 }

/* Flag 1 marks IPv6-only elements, flag 2 IPv4-only ones; the internal
 * template takes all of them. */
_Static_assert(sizeof(struct gen_record) == 216, "gen_record must match gen_spec");

static fbInfoElementSpec_t gen_spec[] = {
	GEN_SPEC_HEAD,
	{ "icmpTypeCodeIPv6", 2, 1 },
	{ "icmpTypeCodeIPv4", 2, 2 },
	{ "protocolIdentifier", 1, 0 },
	{ "firewallEvent", 1, 0 },
	{ "flowEndReason", 1, 0 },
	{ C2W_IE_NAME_CONFIDENCE, 1, 0 },
	{ C2W_IE_NAME_ACTION, 1, 0 },
	{ C2W_IE_NAME_MATCH_SIDE, 1, 0 },
	{ C2W_IE_NAME_EVENT_TYPE, 1, 0 },
	{ "paddingOctets", 1, 4 },
	FB_IESPEC_NULL
};

struct gen_options_record {
	uint64_t exported;
	uint32_t domain;
	uint32_t pad;
};

static fbInfoElementSpec_t gen_options_spec[] = {
	{ "exportedMessageTotalCount", 8, 0 },
	{ "observationDomainId", 4, 0 },
	{ "paddingOctets", 4, 1 },
	FB_IESPEC_NULL
};

struct gen_options {
	const char *file;
	char *udp_host;
	const char *udp_port;
	uint32_t pen;
	unsigned rounds;
	size_t long_len;
	bool unique;             /* shift times by the round number */
	unsigned round_base;     /* first round number of --unique */
};

static void
set_text(fbVarfield_t *v, const char *s)
{
	v->buf = (uint8_t *)s;
	v->len = strlen(s);
}

static void
ipv4(uint32_t *dst, const char *text)
{
	struct in_addr a;

	inet_pton(AF_INET, text, &a);
	*dst = ntohl(a.s_addr);
}

static void
alert_v4(struct gen_record *r)
{
	memset(r, 0, sizeof(*r));
	r->start_ms = 1700000000000ull;
	r->end_ms = 1700000000000ull;
	r->bytes = 60;
	r->packets = 1;
	ipv4(&r->src4, "192.0.2.10");
	ipv4(&r->dst4, "198.51.100.7");
	r->sport = 49152;
	r->dport = 2404;
	r->proto = 6;
	r->ingress_if = 0;
	r->egress_if = 1;
	r->firewall_event = 3;
	r->confidence = 100;
	r->action = C2W_IPFIX_ACTION_BLOCKED;
	r->side = C2W_IPFIX_SIDE_DESTINATION;
	r->event_type = C2W_IPFIX_EVENT_ALERT;
	r->ioc_first_seen = 1699990000;
	set_text(&r->ioc_value, "198.51.100.7:2404");
	set_text(&r->ioc_id, "1234567");
	set_text(&r->threat_type, "botnet_cc");
	set_text(&r->malware, "Remcos");
	/* Characters that CEF escapes, to check they survive transport. */
	set_text(&r->tags, "rat|c2=yes\\win");
	set_text(&r->reference, "https://threatfox.abuse.ch/ioc/1234567/");
}

static void
flow_v6(struct gen_record *r)
{
	memset(r, 0, sizeof(*r));
	r->start_ms = 1700000001000ull;
	r->end_ms = 1700000031500ull;
	r->bytes = 1200;
	r->packets = 10;
	r->rev_bytes = 3400;
	r->rev_packets = 8;
	inet_pton(AF_INET6, "2001:db8::1", r->src6);
	inet_pton(AF_INET6, "2001:db8:1::53", r->dst6);
	r->sport = 5353;
	r->dport = 53;
	r->proto = 17;
	r->ingress_if = 1;
	r->egress_if = 0;
	r->end_reason = 1;
	r->firewall_event = 2;
	r->confidence = 80;
	r->action = C2W_IPFIX_ACTION_ALERTED;
	r->side = C2W_IPFIX_SIDE_DESTINATION;
	r->event_type = C2W_IPFIX_EVENT_FLOW_END;
	set_text(&r->ioc_value, "2001:db8:1::53");
	set_text(&r->ioc_id, "7654321");
	set_text(&r->threat_type, "botnet_cc");
	set_text(&r->malware, "AsyncRAT");
}

static void
flow_plain_v4(struct gen_record *r)
{
	memset(r, 0, sizeof(*r));
	r->start_ms = 1700000002000ull;
	r->end_ms = 1700000002040ull;
	r->bytes = 84;
	r->packets = 1;
	r->rev_bytes = 84;
	r->rev_packets = 1;
	ipv4(&r->src4, "192.0.2.20");
	ipv4(&r->dst4, "203.0.113.9");
	r->proto = 1;
	r->icmp4 = 8 << 8;
	r->end_reason = 1;
	r->firewall_event = 2;
	r->event_type = C2W_IPFIX_EVENT_FLOW_END;
}

static int
append(fBuf_t *fbuf, uint16_t int_tid, uint16_t ext_tid, const void *rec,
       size_t len)
{
	GError *err = NULL;

	if (!fBufSetInternalTemplate(fbuf, int_tid, &err) ||
	    !fBufSetExportTemplate(fbuf, ext_tid, &err) ||
	    !fBufAppend(fbuf, (uint8_t *)rec, len, &err)) {
		fprintf(stderr, "ipfix_gen: append failed: %s\n", err->message);
		g_clear_error(&err);
		return -EIO;
	}
	return 0;
}

static fbTemplate_t *
make_template(fbInfoModel_t *model, fbInfoElementSpec_t *spec, uint32_t flags)
{
	fbTemplate_t *t = fbTemplateAlloc(model);
	GError *err = NULL;

	if (!fbTemplateAppendSpecArray(t, spec, flags, &err)) {
		fprintf(stderr, "ipfix_gen: template: %s\n", err->message);
		exit(1);
	}
	return t;
}

static int
add_templates(fbSession_t *s, fbInfoModel_t *model)
{
	fbTemplate_t *opt_ext = make_template(model, gen_options_spec, 0);
	GError *err = NULL;

	fbTemplateSetOptionsScope(opt_ext, 1);
	if (!fbSessionAddTemplate(s, TRUE, GEN_TID_INT,
				  make_template(model, gen_spec, 0xff), &err) ||
	    !fbSessionAddTemplate(s, FALSE, GEN_TID_V4,
				  make_template(model, gen_spec, 2), &err) ||
	    !fbSessionAddTemplate(s, FALSE, GEN_TID_V6,
				  make_template(model, gen_spec, 1), &err) ||
	    !fbSessionAddTemplate(s, TRUE, GEN_TID_OPTIONS_INT,
				  make_template(model, gen_options_spec, 1),
				  &err) ||
	    !fbSessionAddTemplate(s, FALSE, GEN_TID_OPTIONS, opt_ext, &err)) {
		fprintf(stderr, "ipfix_gen: add template: %s\n", err->message);
		return -EINVAL;
	}
	return 0;
}

/* Shift a record by the round number in --unique mode. */
static void
round_shift(struct gen_record *r, const struct gen_options *opt,
	    unsigned round)
{
	if (!opt->unique)
		return;
	r->start_ms += opt->round_base + round;
	r->end_ms += opt->round_base + round;
}

static int
write_round(fBuf_t *fbuf, const struct gen_options *opt, char *long_ref,
	    unsigned round)
{
	struct gen_record r;
	int rc;

	alert_v4(&r);
	round_shift(&r, opt, round);
	rc = append(fbuf, GEN_TID_INT, GEN_TID_V4, &r, sizeof(r));
	flow_v6(&r);
	round_shift(&r, opt, round);
	rc = rc ? rc : append(fbuf, GEN_TID_INT, GEN_TID_V6, &r, sizeof(r));
	flow_plain_v4(&r);
	round_shift(&r, opt, round);
	rc = rc ? rc : append(fbuf, GEN_TID_INT, GEN_TID_V4, &r, sizeof(r));
	if (opt->long_len > 0 && rc == 0) {
		alert_v4(&r);
		r.reference.buf = (uint8_t *)long_ref;
		r.reference.len = opt->long_len;
		rc = append(fbuf, GEN_TID_INT, GEN_TID_V4, &r, sizeof(r));
	}
	return rc;
}

static fbExporter_t *
open_exporter(const struct gen_options *opt)
{
	fbConnSpec_t spec;
	GError *err = NULL;
	fbExporter_t *ex;

	if (opt->file != NULL)
		return fbExporterAllocFile(opt->file);
	memset(&spec, 0, sizeof(spec));
	spec.transport = FB_UDP;
	spec.host = opt->udp_host;
	spec.svc = (char *)opt->udp_port;
	ex = fbExporterAllocNet(&spec);
	if (ex == NULL)
		fprintf(stderr, "ipfix_gen: udp %s:%s: cannot open\n",
			opt->udp_host, opt->udp_port);
	(void)err;
	return ex;
}

static int
parse_args(int argc, char **argv, struct gen_options *opt)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "udp", required_argument, NULL, 'u' },
		{ "pen", required_argument, NULL, 'p' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "long", required_argument, NULL, 'l' },
		{ "unique", no_argument, NULL, 'q' },
		{ "round-base", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	char *colon;
	int c;

	opt->pen = C2W_IPFIX_PEN_DEFAULT;
	opt->rounds = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			opt->file = optarg;
			break;
		case 'u':
			colon = strrchr(optarg, ':');
			if (colon == NULL)
				return -EINVAL;
			*colon = '\0';
			opt->udp_host = optarg;
			opt->udp_port = colon + 1;
			break;
		case 'p':
			opt->pen = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			opt->rounds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'l':
			opt->long_len = strtoul(optarg, NULL, 10);
			break;
		case 'q':
			opt->unique = true;
			break;
		case 'b':
			opt->round_base = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			return -EINVAL;
		}
	}
	return (opt->file == NULL) == (opt->udp_host == NULL) ? -EINVAL : 0;
}

int
main(int argc, char **argv)
{
	struct gen_options opt = { 0 };
	struct gen_options_record orec = { 5, GEN_DOMAIN, 0 };
	fbInfoModel_t *model;
	fbSession_t *session;
	GError *err = NULL;
	char *long_ref = NULL;
	fBuf_t *fbuf;
	unsigned i;
	int rc = 0;

	if (parse_args(argc, argv, &opt) != 0) {
		fprintf(stderr, "usage: ipfix_gen --file PATH | --udp HOST:PORT "
			"[--pen N] [--rounds N] [--long BYTES] [--unique [--round-base N]]\n");
		return 2;
	}
	model = fbInfoModelAlloc();
	c2w_ipfix_ie_register(model, opt.pen);
	session = fbSessionAlloc(model);
	fbSessionSetDomain(session, GEN_DOMAIN);
	if (add_templates(session, model) != 0)
		return 1;
	fbuf = fBufAllocForExport(session, open_exporter(&opt));
	if (!fbSessionExportTemplates(session, &err)) {
		fprintf(stderr, "ipfix_gen: export templates: %s\n",
			err->message);
		return 1;
	}
	if (opt.long_len > 0) {
		long_ref = malloc(opt.long_len);
		if (long_ref == NULL)
			return 1;
		memset(long_ref, 'R', opt.long_len);
	}

	rc = append(fbuf, GEN_TID_OPTIONS_INT, GEN_TID_OPTIONS, &orec,
		    sizeof(orec));
	for (i = 0; i < opt.rounds && rc == 0; i++) {
		rc = write_round(fbuf, &opt, long_ref, i);
		/* One message per round keeps UDP datagrams small. */
		if (rc == 0 && !fBufEmit(fbuf, &err)) {
			fprintf(stderr, "ipfix_gen: emit: %s\n", err->message);
			rc = -EIO;
		}
		if (opt.udp_host != NULL)
			usleep(1000);
	}
	fBufFree(fbuf);
	fbInfoModelFree(model);
	free(long_ref);
	return rc == 0 ? 0 : 1;
}
