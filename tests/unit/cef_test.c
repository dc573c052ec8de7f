/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cef.h"
#include "check.h"
#include "ipfix_ie.h"

#define STR(s) ((struct c2w_cef_str){ (s), sizeof(s) - 1 })

static const struct c2w_cef_device device = { "c2wall", "c2wall", "0.1.0" };

/* Alert for a blocked TCP connection to a ThreatFox Remcos C2 entry. */
static struct c2w_cef_event
alert_v4(void)
{
	struct c2w_cef_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.family = 4;
	inet_pton(AF_INET, "192.0.2.10", ev.src);
	inet_pton(AF_INET, "198.51.100.7", ev.dst);
	ev.proto = 6;
	ev.sport = 49152;
	ev.dport = 2404;
	ev.event_type = C2W_IPFIX_EVENT_ALERT;
	ev.action = C2W_IPFIX_ACTION_BLOCKED;
	ev.side = C2W_IPFIX_SIDE_DESTINATION;
	ev.confidence = 100;
	ev.has_times = true;
	ev.start_ms = 1700000000000ull;
	ev.end_ms = 1700000000100ull;
	ev.receipt_ms = 1700000000100ull;
	ev.has_counters = true;
	ev.bytes_fwd = 60;
	ev.pkts_fwd = 1;
	ev.has_ingress = true;
	ev.ingress_if = 0;
	ev.has_egress = true;
	ev.egress_if = 1;
	ev.ioc_value = STR("198.51.100.7:2404");
	ev.ioc_id = STR("1234567");
	ev.threat_type = STR("botnet_cc");
	ev.malware = STR("Remcos");
	ev.tags = STR("Remcos,RAT");
	ev.reference = STR("https://threatfox.abuse.ch/ioc/1234567/");
	return ev;
}

static int
format(const struct c2w_cef_event *ev, const struct c2w_cef_device *dev,
       size_t max_len, char *buf, size_t size, size_t *len, bool *cut)
{
	return c2w_cef_format(ev, dev, max_len, buf, size, len, cut);
}

static void
test_alert_v4_line(void)
{
	static const char want[] =
		"CEF:0|c2wall|c2wall|0.1.0|100|C2 connection blocked|10|"
		"act=blocked cat=c2wall/alert src=192.0.2.10 "
		"dst=198.51.100.7 spt=49152 dpt=2404 proto=TCP in=60 out=0 "
		"cn2=1 cn2Label=SrcPackets cn3=0 cn3Label=DstPackets "
		"start=1700000000000 end=1700000000100 rt=1700000000100 "
		"deviceInboundInterface=0 deviceOutboundInterface=1 "
		"cs1=198.51.100.7:2404 cs1Label=IOCValue cs2=botnet_cc "
		"cs2Label=ThreatType cs3=Remcos cs3Label=Malware cs4=1234567 "
		"cs4Label=IOCId cs5=Remcos,RAT cs5Label=Tags "
		"cs6=https://threatfox.abuse.ch/ioc/1234567/ "
		"cs6Label=Reference cn1=100 cn1Label=Confidence "
		"msg=Remcos botnet_cc indicator 198.51.100.7:2404 matched "
		"destination";
	struct c2w_cef_event ev = alert_v4();
	char buf[C2W_CEF_MAX_LINE_DEFAULT + 1];
	bool cut = true;
	size_t len = 0;

	CHECK_EQ_U(format(&ev, &device, C2W_CEF_MAX_LINE_DEFAULT, buf,
			  sizeof(buf), &len, &cut), 0);
	CHECK(strcmp(buf, want) == 0);
	if (strcmp(buf, want) != 0)
		printf("#   got  %s\n#   want %s\n", buf, want);
	CHECK_EQ_U(len, strlen(want));
	CHECK(!cut);
}

static void
test_flow_end_v6_line(void)
{
	static const char want[] =
		"CEF:0|c2wall|c2wall|0.1.0|101|C2 connection alerted|6|"
		"act=alerted cat=c2wall/flow_end src=2001:db8::1 "
		"dst=2001:db8:1::53 c6a2=2001:db8::1 "
		"c6a2Label=Source IPv6 Address c6a3=2001:db8:1::53 "
		"c6a3Label=Destination IPv6 Address spt=5353 dpt=53 "
		"proto=UDP rt=1700000001000 cs1=2001:db8:1::53 "
		"cs1Label=IOCValue cn1=50 cn1Label=Confidence "
		"reason=idle timeout "
		"msg=indicator 2001:db8:1::53 matched destination";
	struct c2w_cef_event ev;
	char buf[C2W_CEF_MAX_LINE_DEFAULT + 1];
	size_t len = 0;

	memset(&ev, 0, sizeof(ev));
	ev.family = 6;
	inet_pton(AF_INET6, "2001:db8::1", ev.src);
	inet_pton(AF_INET6, "2001:db8:1::53", ev.dst);
	ev.proto = 17;
	ev.sport = 5353;
	ev.dport = 53;
	ev.event_type = C2W_IPFIX_EVENT_FLOW_END;
	ev.action = C2W_IPFIX_ACTION_ALERTED;
	ev.side = C2W_IPFIX_SIDE_DESTINATION;
	ev.confidence = 50;
	ev.end_reason = 1;
	ev.receipt_ms = 1700000001000ull;
	ev.ioc_value = STR("2001:db8:1::53");

	CHECK_EQ_U(format(&ev, &device, C2W_CEF_MAX_LINE_DEFAULT, buf,
			  sizeof(buf), &len, NULL), 0);
	CHECK(strcmp(buf, want) == 0);
	if (strcmp(buf, want) != 0)
		printf("#   got  %s\n#   want %s\n", buf, want);
}

static void
test_flow_without_indicator(void)
{
	static const char want[] =
		"CEF:0|c2wall|c2wall|0.1.0|102|Flow ended|1|act=none "
		"cat=c2wall/flow_end src=192.0.2.1 dst=203.0.113.9 "
		"proto=ICMP rt=5";
	struct c2w_cef_event ev;
	char buf[C2W_CEF_MAX_LINE_MIN + 1];
	size_t len = 0;

	memset(&ev, 0, sizeof(ev));
	ev.family = 4;
	inet_pton(AF_INET, "192.0.2.1", ev.src);
	inet_pton(AF_INET, "203.0.113.9", ev.dst);
	ev.proto = 1;
	ev.sport = 7;
	ev.event_type = C2W_IPFIX_EVENT_FLOW_END;
	ev.receipt_ms = 5;

	CHECK_EQ_U(format(&ev, &device, C2W_CEF_MAX_LINE_MIN, buf, sizeof(buf),
			  &len, NULL), 0);
	CHECK(strcmp(buf, want) == 0);
	if (strcmp(buf, want) != 0)
		printf("#   got  %s\n#   want %s\n", buf, want);
}

static void
test_escape_functions(void)
{
	static const char value[] = "a|b=c\\d";
	char out[64];

	CHECK_EQ_U(c2w_cef_escape_ext(value, strlen(value), out, sizeof(out)),
		   strlen("a|b\\=c\\\\d"));
	CHECK(strcmp(out, "a|b\\=c\\\\d") == 0);
	CHECK_EQ_U(c2w_cef_escape_header(value, strlen(value), out,
					 sizeof(out)),
		   strlen("a\\|b=c\\\\d"));
	CHECK(strcmp(out, "a\\|b=c\\\\d") == 0);

	CHECK(c2w_cef_escape_ext("x\ny\rz", 5, out, sizeof(out)) == 7);
	CHECK(strcmp(out, "x\\ny\\rz") == 0);
	CHECK(c2w_cef_escape_ext("t\tu\x01", 4, out, sizeof(out)) == 4);
	CHECK(strcmp(out, "t u ") == 0);
	CHECK(c2w_cef_escape_header("l\nm", 3, out, sizeof(out)) == 3);
	CHECK(strcmp(out, "l m") == 0);
	CHECK(c2w_cef_escape_ext("==", 2, out, 4) == -ENOSPC);
	CHECK(c2w_cef_escape_header("||", 2, out, 4) == -ENOSPC);
}

/* The escapes must survive inside a whole line, in header and extension. */
static void
test_escape_in_line(void)
{
	static const struct c2w_cef_device odd = { "c2wall", "c2wall",
						   "a|b=c\\d" };
	struct c2w_cef_event ev = alert_v4();
	char buf[C2W_CEF_MAX_LINE_DEFAULT + 1];
	size_t len = 0;

	ev.malware = STR("a|b=c\\d");
	ev.tags = STR("one\ntwo\r");
	ev.reference = STR("https://example.com/?id=1&x=2");

	CHECK_EQ_U(format(&ev, &odd, C2W_CEF_MAX_LINE_DEFAULT, buf,
			  sizeof(buf), &len, NULL), 0);
	CHECK(strncmp(buf, "CEF:0|c2wall|c2wall|a\\|b=c\\\\d|100|", 34) == 0);
	CHECK(strstr(buf, " cs3=a|b\\=c\\\\d cs3Label=Malware ") != NULL);
	CHECK(strstr(buf, " cs5=one\\ntwo\\r cs5Label=Tags ") != NULL);
	CHECK(strstr(buf, " cs6=https://example.com/?id\\=1&x\\=2 ") != NULL);
	CHECK(strstr(buf, " msg=a|b\\=c\\\\d botnet_cc indicator ") != NULL);
	CHECK(strchr(buf, '\n') == NULL);
	CHECK(strchr(buf, '\r') == NULL);
}

static void
test_severity_mapping(void)
{
	static const struct {
		uint8_t confidence;
		unsigned severity;
	} cases[] = {
		{ 100, 10 }, { 90, 10 }, { 89, 8 }, { 75, 8 }, { 74, 6 },
		{ 50, 6 }, { 49, 4 }, { 0, 4 },
	};
	struct c2w_cef_event ev = alert_v4();
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev.confidence = cases[i].confidence;
		CHECK_EQ_U(c2w_cef_severity(&ev), cases[i].severity);
	}

	ev.action = C2W_IPFIX_ACTION_NONE;
	ev.ioc_value.len = 0;
	CHECK_EQ_U(c2w_cef_severity(&ev), 1);
}

static void
test_cut_longest_value(void)
{
	struct c2w_cef_event ev = alert_v4();
	char buf[C2W_CEF_MAX_LINE_MIN + 1];
	size_t ref_len = 5000;
	char *ref = malloc(ref_len);
	const char *cs6, *mark;
	size_t len = 0;
	bool cut = false;

	if (ref == NULL) {
		CHECK(ref != NULL);
		return;
	}
	memset(ref, 'A', ref_len);
	ev.reference.ptr = ref;
	ev.reference.len = ref_len;

	CHECK_EQ_U(format(&ev, &device, C2W_CEF_MAX_LINE_MIN, buf, sizeof(buf),
			  &len, &cut), 0);
	CHECK(cut);
	CHECK_EQ_U(len, C2W_CEF_MAX_LINE_MIN);
	CHECK_EQ_U(strlen(buf), len);
	cs6 = strstr(buf, " cs6=AAAA");
	mark = strstr(buf, "A" C2W_CEF_CUT_MARKER " cs6Label=Reference ");
	CHECK(cs6 != NULL);
	CHECK(mark != NULL);
	/* Shorter values stay whole. */
	CHECK(strstr(buf, " msg=Remcos botnet_cc indicator "
		      "198.51.100.7:2404 matched destination") != NULL);
	CHECK(strstr(buf, " cs1=198.51.100.7:2404 ") != NULL);
	free(ref);
}

/* A cut never splits an escape pair or a UTF-8 sequence. */
static void
test_cut_keeps_sequences(void)
{
	struct c2w_cef_event ev = alert_v4();
	char buf[C2W_CEF_MAX_LINE_MIN + 1];
	char eq[3000], utf8[3000];
	const char *start, *end;
	size_t len = 0, i;

	memset(eq, '=', sizeof(eq));
	ev.reference.ptr = eq;
	ev.reference.len = sizeof(eq);
	CHECK_EQ_U(format(&ev, &device, C2W_CEF_MAX_LINE_MIN, buf, sizeof(buf),
			  &len, NULL), 0);
	CHECK(len <= C2W_CEF_MAX_LINE_MIN);
	start = strstr(buf, " cs6=");
	end = strstr(buf, C2W_CEF_CUT_MARKER);
	CHECK(start != NULL);
	CHECK(end != NULL);
	if (start != NULL && end != NULL) {
		start += 5;
		CHECK_EQ_U((size_t)(end - start) % 2, 0);
		CHECK(end - start >= 2);
		CHECK(end[-1] == '=');
		CHECK(end[-2] == '\\');
	}

	/* U+00E9 is 0xc3 0xa9. */
	for (i = 0; i + 1 < sizeof(utf8); i += 2) {
		utf8[i] = (char)0xc3;
		utf8[i + 1] = (char)0xa9;
	}
	ev.reference.ptr = utf8;
	ev.reference.len = sizeof(utf8);
	CHECK_EQ_U(format(&ev, &device, C2W_CEF_MAX_LINE_MIN, buf, sizeof(buf),
			  &len, NULL), 0);
	start = strstr(buf, " cs6=");
	end = strstr(buf, C2W_CEF_CUT_MARKER);
	CHECK(start != NULL);
	CHECK(end != NULL);
	if (start != NULL && end != NULL) {
		start += 5;
		CHECK_EQ_U((size_t)(end - start) % 2, 0);
		CHECK((unsigned char)end[-1] == 0xa9);
	}
}

static void
test_invalid_arguments(void)
{
	struct c2w_cef_event ev = alert_v4();
	char buf[C2W_CEF_MAX_LINE_MIN + 1];
	size_t len;

	CHECK(format(&ev, &device, C2W_CEF_MAX_LINE_MIN - 1, buf, sizeof(buf),
		     &len, NULL) == -EINVAL);
	CHECK(format(&ev, &device, C2W_CEF_MAX_LINE_MIN, buf, sizeof(buf) - 1,
		     &len, NULL) == -EINVAL);
	CHECK(format(NULL, &device, C2W_CEF_MAX_LINE_MIN, buf, sizeof(buf),
		     &len, NULL) == -EINVAL);
	ev.family = 5;
	CHECK(format(&ev, &device, C2W_CEF_MAX_LINE_MIN, buf, sizeof(buf),
		     &len, NULL) == 0);
	CHECK(strstr(buf, " src=") == NULL);
}

static void
test_protocol_names(void)
{
	char num[4];

	CHECK(strcmp(c2w_cef_proto_name(6, num, sizeof(num)), "TCP") == 0);
	CHECK(strcmp(c2w_cef_proto_name(58, num, sizeof(num)), "ICMPv6") == 0);
	CHECK(strcmp(c2w_cef_proto_name(254, num, sizeof(num)), "254") == 0);
}

/* A flow record of another exporter: 192.0.2.52 -> 198.51.100.52:22,
 * octetDeltaCount 900 only, tcpControlBits SYN+ACK, no protocol. */
static struct c2w_cef_event
generic_flow(void)
{
	struct c2w_cef_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.family = 4;
	inet_pton(AF_INET, "192.0.2.52", ev.src);
	inet_pton(AF_INET, "198.51.100.52", ev.dst);
	ev.generic = true;
	ev.event_type = C2W_IPFIX_EVENT_FLOW_END;
	ev.proto_absent = true;
	ev.has_dport = true;
	ev.dport = 22;
	ev.counters = C2W_CEF_BYTES_FWD;
	ev.bytes_fwd = 900;
	ev.has_tcp_flags = true;
	ev.tcp_flags = 0x12;
	ev.receipt_ms = 1700000100000ull;
	return ev;
}

static void
test_generic_flow_line(void)
{
	struct c2w_cef_event ev = generic_flow();
	char buf[C2W_CEF_MAX_LINE_DEFAULT + 1];
	size_t len = 0;

	CHECK_EQ_U(format(&ev, &device, C2W_CEF_MAX_LINE_DEFAULT, buf,
			  sizeof(buf), &len, NULL), 0);
	CHECK(strcmp(buf, "CEF:0|c2wall|c2wall|0.1.0|102|Flow ended|1|"
		     "act=none cat=c2wall/flow_end src=192.0.2.52 "
		     "dst=198.51.100.52 dpt=22 in=900 rt=1700000100000 "
		     "flexString2=SYN,ACK flexString2Label=TcpFlags") == 0);

	/* Strings of a generic record are written, but it stays no match:
	 * no msg, no confidence, severity 1. */
	ev.ioc_value = STR("C2:test");
	ev.interface_name = STR("eth0");
	CHECK_EQ_U(c2w_cef_severity(&ev), 1);
	CHECK_EQ_U(format(&ev, &device, C2W_CEF_MAX_LINE_DEFAULT, buf,
			  sizeof(buf), &len, NULL), 0);
	CHECK(strstr(buf, "|102|Flow ended|1|") != NULL);
	CHECK(strstr(buf, " flexString1=eth0 flexString1Label=InterfaceName "
		      "flexString2=SYN,ACK ") != NULL);
	CHECK(strstr(buf, " cs1=C2:test cs1Label=IOCValue") != NULL);
	CHECK(strstr(buf, " msg=") == NULL);
	CHECK(strstr(buf, " cn1=") == NULL);
}

static void
test_tcp_flag_names(void)
{
	char buf[C2W_CEF_TCP_FLAGS_MAX];

	CHECK_EQ_U(c2w_cef_tcp_flags_format(0x12, buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "SYN,ACK") == 0);
	CHECK_EQ_U(c2w_cef_tcp_flags_format(0, buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "none") == 0);
	CHECK_EQ_U(c2w_cef_tcp_flags_format(0xffff, buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "FIN,SYN,RST,PSH,ACK,URG,ECE,CWR,NS") == 0);
	CHECK(c2w_cef_tcp_flags_format(0x12, buf, 8) == -EINVAL);
}

int
main(void)
{
	test_alert_v4_line();
	test_flow_end_v6_line();
	test_flow_without_indicator();
	test_escape_functions();
	test_escape_in_line();
	test_severity_mapping();
	test_cut_longest_value();
	test_cut_keeps_sequences();
	test_invalid_arguments();
	test_protocol_names();
	test_generic_flow_line();
	test_tcp_flag_names();
	return check_done();
}
