/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Feed reader tests: indicator syntax and refanging, the ThreatFox CSV
 * export, JSON export and API response, plain lists, duplicate merging,
 * rejection reports, strict loads and file errors. Fixtures are real
 * files under tests/data; small inputs are written to temporary files.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "check.h"
#include "feed.h"
#include "feedbin.h"

#if defined(__SANITIZE_ADDRESS__)
#define FEED_TEST_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define FEED_TEST_SANITIZER 1
#endif
#endif

#define DATA(rel) C2W_TEST_DATA "/" rel
#define TABLES(rel) C2W_TEST_DATA "/../../tables/" rel

/* Options with reports captured in memory. */
struct capture {
	struct c2w_feed_opts opts;
	char *text;
	size_t len;
};

static void
capture_open(struct capture *cap)
{
	memset(cap, 0, sizeof(*cap));
	cap->opts.report = open_memstream(&cap->text, &cap->len);
}

/* Report text so far; valid until the next call or capture_close(). */
static const char *
capture_text(struct capture *cap)
{
	fflush(cap->opts.report);
	return cap->text != NULL ? cap->text : "";
}

static void
capture_close(struct capture *cap)
{
	fclose(cap->opts.report);
	free(cap->text);
}

static unsigned
count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Write bytes to a new temporary file; the caller unlinks path. */
static int
write_tmp(char path[64], const void *data, size_t len)
{
	FILE *f;
	int fd;

	snprintf(path, 64, "/tmp/c2w-feed-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "wb");
	if (f == NULL) {
		close(fd);
		return -1;
	}
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static const struct c2w_ioc *
find_value(const struct c2w_ioc_set *set, const char *value)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(c2w_ioc_str(set, set->v[i].value), value) == 0)
			return &set->v[i];
	return NULL;
}

static int
str_is(const struct c2w_ioc_set *set, uint32_t off, const char *want)
{
	const char *got = c2w_ioc_str(set, off);

	if (strcmp(got, want) == 0)
		return 1;
	printf("#   got \"%s\", want \"%s\"\n", got, want);
	return 0;
}

/* ---------------------------------------------------------------- */

struct good_case {
	const char *text;
	uint8_t kind;
	uint8_t family;
	const char *addr;
	uint16_t port;
};

static void
test_parse_valid(void)
{
	static const struct good_case cases[] = {
		{ "198.51.100.7", C2W_IOC_IP, 4, "198.51.100.7", 0 },
		{ "198.51.100.7:80", C2W_IOC_IP_PORT, 4, "198.51.100.7", 80 },
		{ "  198.51.100.7:80\t", C2W_IOC_IP_PORT, 4, "198.51.100.7", 80 },
		{ "198[.]51[.]100[.]7:9323", C2W_IOC_IP_PORT, 4, "198.51.100.7", 9323 },
		{ "198(.)51(.)100(.)7", C2W_IOC_IP, 4, "198.51.100.7", 0 },
		{ "198[dot]51.100{.}7", C2W_IOC_IP, 4, "198.51.100.7", 0 },
		{ "198[DOT]51(dot)100\\.7", C2W_IOC_IP, 4, "198.51.100.7", 0 },
		{ "198.51.100.7[:]2404", C2W_IOC_IP_PORT, 4, "198.51.100.7", 2404 },
		{ "198.51.100[.]7", C2W_IOC_IP, 4, "198.51.100.7", 0 },
		{ "198.51.100.7:09323", C2W_IOC_IP_PORT, 4, "198.51.100.7", 9323 },
		{ "hxxp://198[.]51[.]100[.]7:8080/gate.php", C2W_IOC_IP_PORT, 4,
		  "198.51.100.7", 8080 },
		{ "hXXps://198.51.100.7/x", C2W_IOC_IP_PORT, 4, "198.51.100.7", 443 },
		{ "http://198.51.100.7", C2W_IOC_IP_PORT, 4, "198.51.100.7", 80 },
		{ "http[:]//198.51.100.7:81", C2W_IOC_IP_PORT, 4, "198.51.100.7", 81 },
		{ "http://user:pw@198.51.100.7:82/a", C2W_IOC_IP_PORT, 4,
		  "198.51.100.7", 82 },
		{ "tcp://198.51.100.7:2404", C2W_IOC_IP_PORT, 4, "198.51.100.7", 2404 },
		{ "http://[2001:db8::7]:8443/p", C2W_IOC_IP_PORT, 6, "2001:db8::7", 8443 },
		{ "[2001:db8::1]:443", C2W_IOC_IP_PORT, 6, "2001:db8::1", 443 },
		{ "2001:db8::1", C2W_IOC_IP, 6, "2001:db8::1", 0 },
		{ "[2001:db8::1]", C2W_IOC_IP, 6, "2001:db8::1", 0 },
		{ "2001:DB8:0:0:0:0:0:1", C2W_IOC_IP, 6, "2001:db8::1", 0 },
		/* IPv4-mapped IPv6 reaches the wire as IPv4 */
		{ "::ffff:203.0.113.9", C2W_IOC_IP, 4, "203.0.113.9", 0 },
		{ "[::ffff:203.0.113.9]:53", C2W_IOC_IP_PORT, 4, "203.0.113.9", 53 },
		{ "198.51.100.7:65535", C2W_IOC_IP_PORT, 4, "198.51.100.7", 65535 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct good_case *c = &cases[i];
		uint8_t want[16] = { 0 };
		struct c2w_ioc ioc;
		const char *why = NULL;
		int rc;

		memset(&ioc, 0xa5, sizeof(ioc));
		inet_pton(c->family == 4 ? AF_INET : AF_INET6, c->addr, want);
		rc = c2w_feed_parse_indicator(c->text, strlen(c->text), &ioc, &why);
		if (!CHECK(rc == 0)) {
			printf("#   \"%s\": %s\n", c->text, why != NULL ? why : "?");
			continue;
		}
		CHECK_EQ_U(ioc.kind, c->kind);
		CHECK_EQ_U(ioc.family, c->family);
		CHECK_EQ_U(ioc.port, c->port);
		CHECK_EQ_U(ioc.prefix, c->family == 4 ? 32 : 128);
		if (!CHECK(memcmp(ioc.addr, want, 16) == 0))
			printf("#   address of \"%s\" differs\n", c->text);
	}
}

struct bad_case {
	const char *text;
	const char *reason;  /* substring of the reason */
};

static void
test_parse_invalid(void)
{
	static const struct bad_case cases[] = {
		{ "", "empty" },
		{ "   ", "empty" },
		{ "5.101.81:9323", "4 octets" },
		{ "198.51.100.7.1", "more than 4 octets" },
		{ "999.51.100.7:9323", "out of range" },
		{ "198.51.100.7:70000", "port out of range" },
		{ "198.51.100.7:0", "port 0" },
		{ "198.51.100.7:", "port missing" },
		{ "198.51.100.7:80a", "not a decimal" },
		{ "198.051.100.7", "leading zero" },
		{ "198..100.7", "empty octet" },
		{ "198.51.100.0:80/24", "cannot have a port" },
		{ "198.51.100.7 :80", "spaces" },
		{ "198.51.100.7:80\x01", "control" },
		{ "evil.example", "not an IP address" },
		{ "http://evil.example/x", "host is a name" },
		{ "ftp://198.51.100.7/x", "scheme not supported" },
		{ "tcp://198.51.100.7", "needs a port" },
		{ "http://2001:db8::1/x", "brackets" },
		{ "[2001:db8::1", "closing" },
		{ "[2001:db8::1]80", "after ']'" },
		{ "2001:db8::g", "invalid IPv6" },
		{ "fe80::1%eth0", "zone" },
		{ "0.0.0.0", "unspecified" },
		{ "127.0.0.1:80", "loopback" },
		{ "224.0.0.1", "multicast" },
		{ "255.255.255.255", "reserved" },
		{ "::", "unspecified" },
		{ "::1", "loopback" },
		{ "ff02::1", "multicast" },
	};
	char longtext[3000];
	struct c2w_ioc ioc;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		if (!CHECK(c2w_feed_parse_indicator(cases[i].text,
						    strlen(cases[i].text), &ioc,
						    &why) == -EINVAL)) {
			printf("#   \"%s\" was accepted\n", cases[i].text);
			continue;
		}
		if (!CHECK(why != NULL && strstr(why, cases[i].reason) != NULL))
			printf("#   \"%s\": reason \"%s\", want \"%s\"\n",
			       cases[i].text, why != NULL ? why : "(none)",
			       cases[i].reason);
	}

	/* The length bounds the text; bytes after it are not read. */
	CHECK(c2w_feed_parse_indicator("198.51.100.7:80", 12, &ioc, &why) == 0);
	CHECK_EQ_U(ioc.kind, C2W_IOC_IP);

	memset(longtext, '1', sizeof(longtext));
	why = NULL;
	CHECK(c2w_feed_parse_indicator(longtext, sizeof(longtext), &ioc,
				       &why) == -EINVAL);
	CHECK(why != NULL);
	CHECK(why != NULL && strstr(why, "longer than") != NULL);
	CHECK(c2w_feed_parse_indicator(NULL, 0, &ioc, &why) == -EINVAL);
	CHECK(c2w_feed_parse_indicator("198.51.100.7", 12, &ioc, NULL) == 0);
}

static void
test_kind_names(void)
{
	CHECK(strcmp(c2w_ioc_kind_name(C2W_IOC_IP_PORT), "ip:port") == 0);
	CHECK(strcmp(c2w_ioc_kind_name(C2W_IOC_IP), "ip") == 0);
	CHECK(strcmp(c2w_ioc_kind_name(C2W_IOC_CIDR), "cidr") == 0);
	CHECK(strcmp(c2w_ioc_kind_name(C2W_IOC_DOMAIN), "domain") == 0);
	CHECK(strcmp(c2w_ioc_kind_name(C2W_IOC_URL), "url") == 0);
	CHECK(strcmp(c2w_ioc_kind_name(C2W_IOC_HASH), "hash") == 0);
	CHECK(strcmp(c2w_ioc_kind_name(C2W_IOC_OTHER), "other") == 0);
	CHECK(strcmp(c2w_ioc_kind_name(C2W_IOC_KIND_MAX), "invalid") == 0);
}

/* ---------------------------------------------------------------- */

/* The messy defanged list: BOM, CRLF, comments, defanged forms. */
static void
test_defanged_list(void)
{
	static const char *const real[] = {
		"5.101.81.81:9323", "203.159.90.139:2404",
	};
	const char *path = DATA("cases/defanged-feed/ioc_defanged_messy.txt");
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set set;
	struct capture cap;
	const char *rep;
	size_t i;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	CHECK(c2w_feed_load(path, &cap.opts, &set, &st) == 0);
	rep = capture_text(&cap);

	CHECK_EQ_U(set.n, 2);
	CHECK_EQ_U(st.by_kind[C2W_IOC_IP_PORT], 2);
	CHECK_EQ_U(st.loaded, 2);
	CHECK_EQ_U(st.rejected, 3);
	CHECK_EQ_U(st.lines, 15);
	/* lines 4-8, 14 and 15 restate the two indicators */
	CHECK_EQ_U(st.duplicates, 7);
	for (i = 0; i < 2; i++) {
		const struct c2w_ioc *ioc = find_value(&set, real[i]);

		if (!CHECK(ioc != NULL))
			continue;
		CHECK_EQ_U(ioc->confidence, 100);
		CHECK(ioc->first_seen == C2W_IOC_TIME_UNKNOWN);
	}
	/* the first mention wins the source: lines 2 and 3 */
	if (set.n == 2) {
		CHECK(strstr(c2w_ioc_str(&set, set.v[0].source), ":2") != NULL);
		CHECK(str_is(&set, set.v[0].value, "5.101.81.81:9323"));
		CHECK(strstr(c2w_ioc_str(&set, set.v[1].source), ":3") != NULL);
		CHECK(str_is(&set, set.v[1].value, "203.159.90.139:2404"));
	}
	for (i = 0; i < set.n; i++) {
		const char *v = c2w_ioc_str(&set, set.v[i].value);

		CHECK(strpbrk(v, "[]() \t\r\xef") == NULL);
		CHECK(set.v[i].port == 9323 || set.v[i].port == 2404);
	}

	CHECK(strstr(rep, ":11: \"5[.]101[.]81:9323\": rejected:") != NULL);
	CHECK(strstr(rep, ":12: \"999.101.81.81:9323\": rejected:") != NULL);
	CHECK(strstr(rep, ":13: \"203.159.90.139:70000\": rejected:") != NULL);
	CHECK(strstr(rep, "port out of range") != NULL);
	CHECK_EQ_U(count_lines(rep), 3);
	if (count_lines(rep) != 3)
		printf("# report:\n%s", rep);

	capture_close(&cap);
	c2w_ioc_set_free(&set);
	CHECK_EQ_U(set.n, 0);
	CHECK(set.v == NULL);
	CHECK(set.pool == NULL);
	CHECK(set.index == NULL);
}

static void
test_seed_tables(void)
{
	struct c2w_feed_stats st = { 0 };
	const struct c2w_ioc *ioc;
	struct c2w_ioc_set set;
	struct capture cap;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	CHECK(c2w_feed_load(TABLES("threatfox-remcos.csv"), &cap.opts, &set,
			    &st) == 0);
	CHECK_EQ_U(st.loaded, 2);
	CHECK_EQ_U(st.rejected, 0);
	ioc = find_value(&set, "5.101.81.81:9323");
	if (CHECK(ioc != NULL)) {
		CHECK_EQ_U(ioc->kind, C2W_IOC_IP_PORT);
		CHECK_EQ_U(ioc->confidence, 75);
		CHECK(ioc->first_seen == 1778112000);  /* 2026-05-07 00:00 UTC */
		CHECK(ioc->last_seen == C2W_IOC_TIME_UNKNOWN);
		CHECK(str_is(&set, ioc->threat_type, "botnet_cc"));
		CHECK(str_is(&set, ioc->malware, "Remcos"));
		CHECK(str_is(&set, ioc->tags, "Remcos"));
		CHECK(str_is(&set, ioc->id, ""));
		CHECK(strstr(c2w_ioc_str(&set, ioc->source),
			     "threatfox-remcos.csv:7") != NULL);
	}
	CHECK(find_value(&set, "203.159.90.139:2404") != NULL);

	/* sandbox C2 endpoint in ThreatFox columns after a comment block */
	CHECK(c2w_feed_load(TABLES("remcos-7.0.3-sandbox.csv"), &cap.opts,
			    &set, &st) == 0);
	CHECK_EQ_U(set.n, 3);
	CHECK_EQ_U(st.by_kind[C2W_IOC_IP_PORT], 3);
	ioc = find_value(&set, "93.127.160.198:2019");
	if (CHECK(ioc != NULL)) {
		CHECK_EQ_U(ioc->confidence, 100);
		CHECK(ioc->first_seen == 1759554460);  /* 2025-10-04 05:07:40 */
		CHECK(str_is(&set, ioc->tags, "Remcos,7.0.3,sandbox"));
		CHECK(str_is(&set, ioc->malware, "Remcos"));
		CHECK(strncmp(c2w_ioc_str(&set, ioc->reference), "https://", 8) == 0);
		CHECK(strstr(c2w_ioc_str(&set, ioc->source),
			     "remcos-7.0.3-sandbox.csv:7") != NULL);
	}
	CHECK_EQ_U(strlen(capture_text(&cap)), 0);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

/* Each fault case ships the same two-line plain feed. */
static void
test_case_feeds(void)
{
	static const char *const cases[] = {
		"bad-header-lengths", "eth-padding", "flow-table-full", "icmp",
		"ipv4-options", "qinq",
	};
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct c2w_feed_stats st = { 0 };
		struct c2w_ioc_set set;

		snprintf(path, sizeof(path), "%s/cases/%s/feed.txt",
			 C2W_TEST_DATA, cases[i]);
		c2w_ioc_set_init(&set);
		CHECK(c2w_feed_load(path, NULL, &set, &st) == 0);
		CHECK_EQ_U(st.by_kind[C2W_IOC_IP_PORT], 2);
		CHECK_EQ_U(st.rejected, 0);
		CHECK(find_value(&set, "5.101.81.81:9323") != NULL);
		CHECK(find_value(&set, "203.159.90.139:2404") != NULL);
		c2w_ioc_set_free(&set);
	}
}

/* ---------------------------------------------------------------- */

static void
test_csv_export(void)
{
	struct c2w_feed_stats st = { 0 };
	const struct c2w_ioc *ioc;
	struct c2w_ioc_set set;
	struct capture cap;
	const char *rep;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	CHECK(c2w_feed_load(DATA("feeds/threatfox-full.csv"), &cap.opts, &set,
			    &st) == 0);
	rep = capture_text(&cap);
	CHECK_EQ_U(st.lines, 14);
	CHECK_EQ_U(st.loaded, 4);
	CHECK_EQ_U(st.duplicates, 1);
	CHECK_EQ_U(st.rejected, 2);
	CHECK_EQ_U(st.by_kind[C2W_IOC_IP_PORT], 1);
	CHECK_EQ_U(st.by_kind[C2W_IOC_URL], 1);
	CHECK_EQ_U(st.by_kind[C2W_IOC_DOMAIN], 1);
	CHECK_EQ_U(st.by_kind[C2W_IOC_HASH], 1);

	/* row 6, merged with row 11 */
	ioc = find_value(&set, "198.51.100.20:2404");
	if (CHECK(ioc != NULL)) {
		CHECK_EQ_U(ioc->confidence, 100);
		CHECK(ioc->first_seen == 1777636800);  /* 2026-05-01 12:00 */
		CHECK(ioc->last_seen == 1777766400);   /* 2026-05-03 00:00 */
		CHECK(str_is(&set, ioc->id, "1600001"));
		CHECK(str_is(&set, ioc->tags, "Remcos,RAT"));
		/* "None" on row 6, filled in from the duplicate */
		CHECK(str_is(&set, ioc->reference, "https://example.org/remcos"));
		CHECK(strstr(c2w_ioc_str(&set, ioc->source), "threatfox-full.csv:6"));
	}
	/* a comma inside quotes stays part of the value */
	ioc = find_value(&set, "https://c2.example/a?q=a,b");
	if (CHECK(ioc != NULL)) {
		CHECK_EQ_U(ioc->kind, C2W_IOC_URL);
		CHECK_EQ_U(ioc->family, 0);
	}
	ioc = find_value(&set, "evil-host.example");
	if (CHECK(ioc != NULL))
		CHECK(str_is(&set, ioc->tags, ""));
	ioc = find_value(&set, "d41d8cd98f00b204e9800998ecf8427e");
	if (CHECK(ioc != NULL))
		CHECK(str_is(&set, ioc->malware, "X \"quoted\" name"));

	CHECK(strstr(rep, "threatfox-full.csv:10: \"999.51.100.21:443\"") != NULL);
	CHECK(strstr(rep, "threatfox-full.csv:12: ") != NULL);
	CHECK(strstr(rep, "confidence_level") != NULL);
	CHECK_EQ_U(count_lines(rep), 2);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

static void
test_json_export(void)
{
	struct c2w_feed_stats st = { 0 };
	const struct c2w_ioc *ioc;
	struct c2w_ioc_set set;
	struct capture cap;
	const char *rep;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	CHECK(c2w_feed_load(DATA("feeds/threatfox-export.json"), &cap.opts,
			    &set, &st) == 0);
	rep = capture_text(&cap);
	CHECK_EQ_U(st.lines, 10);
	CHECK_EQ_U(st.loaded, 6);
	CHECK_EQ_U(st.duplicates, 1);
	CHECK_EQ_U(st.rejected, 3);
	CHECK_EQ_U(st.by_kind[C2W_IOC_IP_PORT], 3);

	/* ids 1500001 and 1500006: best of both */
	ioc = find_value(&set, "198.51.100.10:8080");
	if (CHECK(ioc != NULL)) {
		CHECK_EQ_U(ioc->confidence, 90);
		CHECK(ioc->first_seen == 1771113600);  /* 2026-02-15 00:00 */
		CHECK(ioc->last_seen == 1772449200);   /* 2026-03-02 11:00 */
		CHECK(str_is(&set, ioc->id, "1500001"));
		CHECK(str_is(&set, ioc->tags, "Remcos,RAT"));
		CHECK(str_is(&set, ioc->malware, "Remcos"));
		CHECK(strstr(c2w_ioc_str(&set, ioc->source),
			     "threatfox-export.json:3") != NULL);
	}
	ioc = find_value(&set, "[2001:db8::10]:443");
	if (CHECK(ioc != NULL)) {
		CHECK_EQ_U(ioc->family, 6);
		CHECK_EQ_U(ioc->port, 443);
		CHECK(str_is(&set, ioc->reference, "https://example.org/remcos"));
	}
	ioc = find_value(&set, "evil-c2.example");
	if (CHECK(ioc != NULL)) {
		CHECK_EQ_U(ioc->kind, C2W_IOC_DOMAIN);
		CHECK(str_is(&set, ioc->threat_type, "payload_delivery"));
	}
	CHECK(find_value(&set, "http://c2.example/gate.php") != NULL);
	CHECK(find_value(&set,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	ioc = find_value(&set, "203.0.113.8:4444");
	if (CHECK(ioc != NULL))
		CHECK_EQ_U(ioc->confidence, 80);

	CHECK(strstr(rep, "threatfox-export.json:105: \"198.51.100.11:70000\"") != NULL);
	CHECK(strstr(rep, "threatfox-export.json:122: ") != NULL);
	CHECK(strstr(rep, "out of range") != NULL);
	CHECK(strstr(rep, "threatfox-export.json:139: \"203.0.113.7\"") != NULL);
	CHECK(strstr(rep, "has no port") != NULL);
	CHECK_EQ_U(count_lines(rep), 3);

	/* the same export again: nothing new */
	memset(&st, 0, sizeof(st));
	CHECK(c2w_feed_load(DATA("feeds/threatfox-export.json"), NULL, &set,
			    &st) == 0);
	CHECK_EQ_U(st.loaded, 0);
	CHECK_EQ_U(st.duplicates, 7);
	CHECK_EQ_U(set.n, 6);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

static void
test_json_api(void)
{
	struct c2w_feed_stats st = { 0 };
	const struct c2w_ioc *ioc;
	struct c2w_ioc_set set;
	struct capture cap;
	const char *rep;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	CHECK(c2w_feed_load(DATA("feeds/threatfox-api.json"), &cap.opts, &set,
			    &st) == 0);
	rep = capture_text(&cap);
	CHECK_EQ_U(st.loaded, 2);
	CHECK_EQ_U(st.rejected, 2);
	ioc = find_value(&set, "192.0.2.50:2404");
	if (CHECK(ioc != NULL)) {
		CHECK(str_is(&set, ioc->id, "41"));
		CHECK(str_is(&set, ioc->tags, "Remcos,c2"));
		CHECK(str_is(&set, ioc->reference, "https://example.org/report"));
		CHECK(ioc->first_seen == 1775030400);  /* 08:00 UTC */
		CHECK(ioc->last_seen == C2W_IOC_TIME_UNKNOWN);
		CHECK(strstr(c2w_ioc_str(&set, ioc->source),
			     "threatfox-api.json:4") != NULL);
	}
	/* numeric id, ISO 8601 time with Z, ioc_type ip */
	ioc = find_value(&set, "2001:db8::51");
	if (CHECK(ioc != NULL)) {
		CHECK_EQ_U(ioc->kind, C2W_IOC_IP);
		CHECK(str_is(&set, ioc->id, "43"));
		CHECK_EQ_U(ioc->confidence, 60);
		CHECK(ioc->first_seen == 1775122200);
		CHECK(ioc->last_seen == 1775210400);
	}
	CHECK(strstr(rep, "threatfox-api.json:25: \"192.0.2.51:443\": "
		     "rejected: confidence_level") != NULL);
	CHECK(strstr(rep, "threatfox-api.json:51: \"192.0.2.52:80\": rejected: ") != NULL);
	CHECK(strstr(rep, "wrong JSON type") != NULL);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

/* ---------------------------------------------------------------- */

/* Load text from a temporary file; returns c2w_feed_load()'s result. */
static int
load_text(const char *text, size_t len, const struct c2w_feed_opts *opts,
	  struct c2w_ioc_set *set, struct c2w_feed_stats *st)
{
	char path[64];
	int rc;

	if (write_tmp(path, text, len) != 0)
		return -999;
	rc = c2w_feed_load(path, opts, set, st);
	unlink(path);
	return rc;
}

#define LOAD(text, opts, set, st) load_text(text, sizeof(text) - 1, opts, set, st)

struct cidr_case {
	const char *text;
	uint8_t kind;
	uint8_t family;
	const char *addr;
	uint8_t prefix;
};

static void
test_cidr_valid(void)
{
	static const struct cidr_case cases[] = {
		{ "198.51.100.0/24", C2W_IOC_CIDR, 4, "198.51.100.0", 24 },
		{ "198[.]51[.]100[.]0/24", C2W_IOC_CIDR, 4, "198.51.100.0", 24 },
		{ "198.51.100(.)128[/]25", C2W_IOC_CIDR, 4, "198.51.100.128", 25 },
		{ "203.0.113.4/30", C2W_IOC_CIDR, 4, "203.0.113.4", 30 },
		{ "203.0.113.7/32", C2W_IOC_IP, 4, "203.0.113.7", 32 },
		{ "192.0.0.0/8", C2W_IOC_CIDR, 4, "192.0.0.0", 8 },
		{ "2001:db8::/32", C2W_IOC_CIDR, 6, "2001:db8::", 32 },
		{ "2001:DB8:0:1::/64", C2W_IOC_CIDR, 6, "2001:db8:0:1::", 64 },
		{ "[2001:db8::]/48", C2W_IOC_CIDR, 6, "2001:db8::", 48 },
		{ "2001:db8::80/121", C2W_IOC_CIDR, 6, "2001:db8::80", 121 },
		{ "2001:db8::1/128", C2W_IOC_IP, 6, "2001:db8::1", 128 },
		{ "::ffff:198.51.100.0/120", C2W_IOC_CIDR, 4, "198.51.100.0", 24 },
		{ "::ffff:198.51.100.9/128", C2W_IOC_IP, 4, "198.51.100.9", 32 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cidr_case *c = &cases[i];
		uint8_t want[16] = { 0 };
		struct c2w_ioc ioc;
		const char *why = NULL;

		memset(&ioc, 0xa5, sizeof(ioc));
		inet_pton(c->family == 4 ? AF_INET : AF_INET6, c->addr, want);
		if (!CHECK(c2w_feed_parse_indicator(c->text, strlen(c->text),
						    &ioc, &why) == 0)) {
			printf("#   \"%s\": %s\n", c->text, why != NULL ? why : "?");
			continue;
		}
		CHECK_EQ_U(ioc.kind, c->kind);
		CHECK_EQ_U(ioc.family, c->family);
		CHECK_EQ_U(ioc.prefix, c->prefix);
		CHECK_EQ_U(ioc.port, 0);
		if (!CHECK(memcmp(ioc.addr, want, 16) == 0))
			printf("#   address of \"%s\" differs\n", c->text);
	}
}

static void
test_cidr_invalid(void)
{
	static const struct bad_case cases[] = {
		{ "198.51.100.1/24", "host bits" },
		{ "2001:db8::1/32", "host bits" },
		{ "198.51.100.0/33", "out of range" },
		{ "2001:db8::/129", "out of range" },
		{ "198.51.100.0/999", "out of range" },
		{ "198.51.100.0/0", "prefix length 0" },
		{ "::/0", "prefix length 0" },
		{ "198.51.100.0/", "missing" },
		{ "198.51.100.0/2a", "not a decimal" },
		{ "198.51.100.0/-1", "not a decimal" },
		{ "198.51.100.0/24/24", "not a decimal" },
		{ "198.51.100/24", "4 octets" },
		{ "/24", "not an IP address" },
		{ "127.0.0.0/8", "loopback" },
		{ "0.0.0.0/8", "unspecified" },
		{ "64.0.0.0/2", "loopback" },
		{ "224.0.0.0/4", "multicast" },
		{ "128.0.0.0/1", "multicast" },
		{ "ff00::/8", "multicast" },
		{ "::/8", "unspecified" },
		{ "::ffff:198.51.100.0/80", "/96 or longer" },
		{ "::ffff:0.0.0.0/96", "prefix length 0" },
		{ "198.51.100.0 /24", "spaces" },
	};
	struct c2w_ioc ioc;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		if (!CHECK(c2w_feed_parse_indicator(cases[i].text,
						    strlen(cases[i].text), &ioc,
						    &why) == -EINVAL)) {
			printf("#   \"%s\" was accepted\n", cases[i].text);
			continue;
		}
		if (!CHECK(why != NULL && strstr(why, cases[i].reason) != NULL))
			printf("#   \"%s\": reason \"%s\", want \"%s\"\n",
			       cases[i].text, why != NULL ? why : "(none)",
			       cases[i].reason);
	}
}

/* Prefixes in a plain list and in ThreatFox-like CSV rows. */
static void
test_cidr_feeds(void)
{
	static const char list[] =
		"198.51.100.0/24\n"
		"198[.]51[.]100[.]0/24\n"          /* duplicate of line 1 */
		"198.51.100.0/25\n"                /* other length: distinct */
		"198.51.100.0\n"                   /* host: distinct */
		"2001:db8::/32\n"
		"2001:db8:0::/32   # same network\n"
		"203.0.113.9/32\n"
		"198.51.100.1/24\n";
	static const char csv[] =
		"# \"first_seen_utc\",\"ioc_value\",\"ioc_type\",\"threat_type\"\n"
		"\"2026-01-02 03:04:05\",\"203.0.113.0/24\",\"ip-cidr\",\"botnet_cc\"\n"
		"\"2026-01-02 03:04:05\",\"2001:db8:1::/48\",\"cidr\",\"botnet_cc\"\n"
		"\"2026-01-02 03:04:05\",\"203.0.113.5/32\",\"ip-cidr\",\"botnet_cc\"\n"
		"\"2026-01-02 03:04:05\",\"203.0.113.6\",\"ip-cidr\",\"botnet_cc\"\n"
		"\"2026-01-02 03:04:05\",\"198.51.100.0/24\",\"ip\",\"botnet_cc\"\n"
		"\"2026-01-02 03:04:05\",\"203.0.113.7/32\",\"ip\",\"botnet_cc\"\n"
		"\"2026-01-02 03:04:05\",\"203.0.113.8/24\",\"ip-cidr\",\"botnet_cc\"\n";
	struct c2w_feed_stats st = { 0 };
	const struct c2w_ioc *ioc;
	struct c2w_ioc_set set;
	struct capture cap;
	const char *rep;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	CHECK(LOAD(list, &cap.opts, &set, &st) == 0);
	CHECK_EQ_U(st.loaded, 5);
	CHECK_EQ_U(st.duplicates, 2);
	CHECK_EQ_U(st.rejected, 1);
	CHECK_EQ_U(st.by_kind[C2W_IOC_CIDR], 3);
	CHECK_EQ_U(st.by_kind[C2W_IOC_IP], 2);
	ioc = find_value(&set, "198.51.100.0/24");
	if (CHECK(ioc != NULL)) {
		CHECK_EQ_U(ioc->kind, C2W_IOC_CIDR);
		CHECK_EQ_U(ioc->prefix, 24);
		CHECK(strstr(c2w_ioc_str(&set, ioc->source), ":1") != NULL);
	}
	CHECK(find_value(&set, "198.51.100.0/25") != NULL);
	CHECK(find_value(&set, "2001:db8::/32") != NULL);
	ioc = find_value(&set, "203.0.113.9");
	if (CHECK(ioc != NULL))
		CHECK_EQ_U(ioc->kind, C2W_IOC_IP);
	rep = capture_text(&cap);
	CHECK(strstr(rep, ":8: \"198.51.100.1/24\": rejected: host bits") != NULL);

	memset(&st, 0, sizeof(st));
	CHECK(LOAD(csv, &cap.opts, &set, &st) == 0);
	CHECK_EQ_U(st.loaded, 4);
	CHECK_EQ_U(st.rejected, 3);
	ioc = find_value(&set, "203.0.113.0/24");
	if (CHECK(ioc != NULL)) {
		CHECK_EQ_U(ioc->kind, C2W_IOC_CIDR);
		CHECK(str_is(&set, ioc->threat_type, "botnet_cc"));
		CHECK(ioc->first_seen == 1767323045);  /* 2026-01-02 03:04:05 */
	}
	CHECK(find_value(&set, "2001:db8:1::/48") != NULL);
	CHECK(find_value(&set, "203.0.113.5") != NULL);
	CHECK(find_value(&set, "203.0.113.7") != NULL);
	rep = capture_text(&cap);
	CHECK(strstr(rep, "\"203.0.113.6\": rejected: ioc_type is ip-cidr but the value has no /prefix") != NULL);
	CHECK(strstr(rep, "\"198.51.100.0/24\": rejected: ioc_type is ip or ip:port but the value is an address prefix") != NULL);
	CHECK(strstr(rep, "\"203.0.113.8/24\": rejected: host bits") != NULL);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

static void
test_plain_kinds(void)
{
	static const char text[] =
		"// list with every kind\n"
		"198.51.100.30\n"
		"EVIL-C2.example  ; inline comment\n"
		"hxxps://evil-c2[.]example/gate.php\n"
		"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n"
		"2001:db8::30 # v6 without port\n"
		"evil-c2.example:443\n"
		"abc\n"
		"198.51.100.31\x00:80\n"
		"http://198.51.100.32/#frag\n"
		"hxxp://198[.]51[.p]100[.]33:80/x\n"
		"https://evil-c2.example:8443/a\n"
		"https://[2001:db8::33]:8443/a\n";
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set set;
	struct capture cap;
	const char *rep;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	CHECK(LOAD(text, &cap.opts, &set, &st) == 0);
	rep = capture_text(&cap);
	CHECK_EQ_U(st.by_kind[C2W_IOC_IP], 2);
	CHECK_EQ_U(st.by_kind[C2W_IOC_IP_PORT], 2);
	CHECK_EQ_U(st.by_kind[C2W_IOC_DOMAIN], 1);
	CHECK_EQ_U(st.by_kind[C2W_IOC_URL], 2);
	CHECK_EQ_U(st.by_kind[C2W_IOC_HASH], 1);
	CHECK(find_value(&set, "evil-c2.example") != NULL);
	CHECK(find_value(&set, "https://evil-c2.example:8443/a") != NULL);
	CHECK(find_value(&set, "[2001:db8::33]:8443") != NULL);
	CHECK(find_value(&set, "https://evil-c2.example/gate.php") != NULL);
	CHECK(find_value(&set, "2001:db8::30") != NULL);
	CHECK(find_value(&set, "198.51.100.32:80") != NULL);
	CHECK(find_value(&set,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	CHECK_EQ_U(st.rejected, 4);
	/* a broken defang leaves a host that is neither name nor address */
	CHECK(strstr(rep, ":11: \"hxxp://198[.]51[.p]100[.]33:80/x\": "
		     "rejected: URL scheme or host is invalid") != NULL);
	CHECK(strstr(rep, ":7: \"evil-c2.example:443\": rejected: not an IP") != NULL);
	CHECK(strstr(rep, ":8: \"abc\": rejected: not an IP") != NULL);
	/* the NUL is shown as '?', never cuts the report */
	CHECK(strstr(rep, ":9: \"198.51.100.31?:80\": rejected:") != NULL);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

/* Aging with a fixed now: 2026-03-01 00:00:00 UTC, max age 30 days. */
static void
test_aging(void)
{
	static const char csv[] =
		"# \"first_seen_utc\",\"ioc_value\",\"ioc_type\",\"last_seen_utc\"\n"
		/* 1: seen 10 days ago: kept */
		"\"2025-01-01 00:00:00\",\"192.0.2.1:80\",\"ip:port\",\"2026-02-19 00:00:00\"\n"
		/* 2: last seen 40 days ago: aged */
		"\"2025-01-01 00:00:00\",\"192.0.2.2:80\",\"ip:port\",\"2026-01-20 00:00:00\"\n"
		/* 3: no last seen, first seen 40 days ago: aged */
		"\"2026-01-20 00:00:00\",\"192.0.2.3:80\",\"ip:port\",\"\"\n"
		/* 4: no times at all: kept */
		"\"\",\"192.0.2.4:80\",\"ip:port\",\"\"\n"
		/* 5: exactly 30 days: kept */
		"\"2026-01-30 00:00:00\",\"192.0.2.5:80\",\"ip:port\",\"\"\n"
		/* 6: 30 days and 1 s: aged */
		"\"2026-01-29 23:59:59\",\"192.0.2.6:80\",\"ip:port\",\"\"\n"
		/* 7: in the future: kept */
		"\"2026-04-01 00:00:00\",\"198.51.100.0/24\",\"ip-cidr\",\"\"\n"
		/* 8: aged, invalid value: rejected before aging */
		"\"2020-01-01 00:00:00\",\"192.0.2.999:80\",\"ip:port\",\"\"\n";
	const int64_t now = 1772323200;  /* 2026-03-01 00:00:00 UTC */
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set set;
	struct capture cap;
	const char *rep;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	cap.opts.max_age_s = 30 * 86400;
	cap.opts.now = now;
	CHECK(LOAD(csv, &cap.opts, &set, &st) == 0);
	CHECK_EQ_U(st.loaded, 4);
	CHECK_EQ_U(st.aged, 3);
	CHECK_EQ_U(st.rejected, 1);
	CHECK(find_value(&set, "192.0.2.1:80") != NULL);
	CHECK(find_value(&set, "192.0.2.2:80") == NULL);
	CHECK(find_value(&set, "192.0.2.3:80") == NULL);
	CHECK(find_value(&set, "192.0.2.4:80") != NULL);
	CHECK(find_value(&set, "192.0.2.5:80") != NULL);
	CHECK(find_value(&set, "192.0.2.6:80") == NULL);
	CHECK(find_value(&set, "198.51.100.0/24") != NULL);
	rep = capture_text(&cap);
	/* one rejection line and one summary line, aged records unlisted */
	CHECK_EQ_U(count_lines(rep), 2);
	CHECK(strstr(rep, ": 3 records dropped: last seen more than 2592000 s ago\n") != NULL);
	CHECK(strstr(rep, "192.0.2.2") == NULL);
	c2w_ioc_set_free(&set);

	/* By first seen: line 1 (first seen in 2025) ages out too. */
	c2w_ioc_set_init(&set);
	memset(&st, 0, sizeof(st));
	cap.opts.age_by = C2W_FEED_AGE_FIRST_SEEN;
	CHECK(LOAD(csv, &cap.opts, &set, &st) == 0);
	CHECK_EQ_U(st.loaded, 3);
	CHECK_EQ_U(st.aged, 4);
	CHECK(find_value(&set, "192.0.2.1:80") == NULL);
	CHECK(strstr(capture_text(&cap), "first seen more than") != NULL);
	c2w_ioc_set_free(&set);

	/* max_age_s 0 keeps everything */
	c2w_ioc_set_init(&set);
	memset(&st, 0, sizeof(st));
	cap.opts.max_age_s = 0;
	CHECK(LOAD(csv, &cap.opts, &set, &st) == 0);
	CHECK_EQ_U(st.loaded, 7);
	CHECK_EQ_U(st.aged, 0);
	c2w_ioc_set_free(&set);

	/* A strict load fails on the invalid record, not on aged ones. */
	c2w_ioc_set_init(&set);
	memset(&st, 0, sizeof(st));
	cap.opts.max_age_s = 30 * 86400;
	cap.opts.strict = true;
	CHECK(load_text(csv, (size_t)(strstr(csv, "\"2020-") - csv), &cap.opts,
			&set, &st) == 0);
	CHECK_EQ_U(st.aged, 4);
	CHECK(LOAD(csv, &cap.opts, &set, &st) == -EINVAL);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

static void
test_csv_quoting(void)
{
	/* header-less rows with 14 columns, a quoted line break in tags */
	static const char text[] =
		"\"2026-05-01 12:00:00\", \"1\", \"198.51.100.40:80\", \"ip:port\", "
		"\"botnet_cc\", \"win.x\", \"None\", \"X\", \"\", \"75\", \"None\", "
		"\"a\nb\", \"0\", \"r\"\n"
		"\"2026-05-01 12:00:00\", \"2\", \"198.51.100.41:99999\", \"ip:port\", "
		"\"botnet_cc\", \"win.x\", \"None\", \"X\", \"\", \"75\", \"None\", "
		"\"t\", \"0\", \"r\"\n"
		"\"2026-05-01 12:00:00\", \"3\", \"198.51.100.42:80\"x, \"ip:port\"\n"
		"\"2026-05-01 12:00:00\", \"4\"\n"
		"\"2026-05-01 12:00:00\", \"5\", \"198.51.100.43:80\", \"ip:port\", "
		"\"botnet_cc\", \"win.x\", \"None\", \"X\", \"\", \"75\", \"None\", "
		"\"t\", \"0\", \"r\"\n"
		"\"2026-05-01 12:00:00\", \"6\", \"198.51.100.44:80";
	struct c2w_feed_stats st = { 0 };
	const struct c2w_ioc *ioc;
	struct c2w_ioc_set set;
	struct capture cap;
	const char *rep;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	cap.opts.format = C2W_FEED_CSV;
	CHECK(LOAD(text, &cap.opts, &set, &st) == 0);
	rep = capture_text(&cap);
	CHECK_EQ_U(st.loaded, 2);
	CHECK_EQ_U(st.rejected, 4);
	ioc = find_value(&set, "198.51.100.40:80");
	if (CHECK(ioc != NULL))
		CHECK(str_is(&set, ioc->tags, "a\nb"));
	CHECK(find_value(&set, "198.51.100.43:80") != NULL);
	/* the record of line 1 spans two lines, so this one is line 3 */
	CHECK(strstr(rep, ":3: \"198.51.100.41:99999\"") != NULL);
	CHECK(strstr(rep, ":4: ") != NULL);
	CHECK(strstr(rep, "rejected: text after a closing quote") != NULL);
	CHECK(strstr(rep, ":5: ") != NULL);
	CHECK(strstr(rep, "rejected: record has fewer columns") != NULL);
	CHECK(strstr(rep, ":7: ") != NULL);
	CHECK(strstr(rep, "rejected: quoted field has no closing quote") != NULL);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

/* A plain list may start with '[' when its first entry is IPv6. */
static void
test_plain_ipv6_first(void)
{
	static const char text[] = "[2001:db8::60]:443\n198.51.100.60:80\n";
	static const char spaced[] = "  [ 2001:db8::61 ]:443\n";
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set set;

	c2w_ioc_set_init(&set);
	CHECK(LOAD(text, NULL, &set, &st) == 0);
	CHECK_EQ_U(st.loaded, 2);
	CHECK(find_value(&set, "[2001:db8::60]:443") != NULL);
	/* detected as plain, then rejected for the spaces inside */
	CHECK(LOAD(spaced, NULL, &set, &st) == 0);
	CHECK_EQ_U(st.rejected, 1);
	c2w_ioc_set_free(&set);
}

/* Without a header, 15 fields mean is_compromised before reference. */
static void
test_csv_fifteen_columns(void)
{
	static const char text[] =
		"\"2026-05-01 12:00:00\", \"7\", \"198.51.100.45:80\", \"ip:port\", "
		"\"botnet_cc\", \"win.x\", \"None\", \"X\", \"\", \"75\", \"False\", "
		"\"https://example.org/r\", \"t15\", \"0\", \"r\"\n";
	const struct c2w_feed_opts opts_csv = { .format = C2W_FEED_CSV };
	struct c2w_feed_stats st = { 0 };
	const struct c2w_ioc *ioc;
	struct c2w_ioc_set set;

	c2w_ioc_set_init(&set);
	/* a record of empty fields, found by the fuzzer */
	CHECK(LOAD("\xed,", &opts_csv, &set, &st) == 0);
	CHECK_EQ_U(st.rejected, 1);
	CHECK(LOAD(text, NULL, &set, &st) == 0);
	ioc = find_value(&set, "198.51.100.45:80");
	if (CHECK(ioc != NULL)) {
		CHECK(str_is(&set, ioc->reference, "https://example.org/r"));
		CHECK(str_is(&set, ioc->tags, "t15"));
		CHECK_EQ_U(ioc->confidence, 75);
	}
	c2w_ioc_set_free(&set);
}

static void
test_json_shapes(void)
{
	static const char bom_array[] =
		"\xef\xbb\xbf \n[\n {\"ioc\": \"198.51.100.50:81\"},\n"
		" \"not an object\",\n {\"ioc_type\": \"ip:port\"},\n"
		" {\"ioc\": \"198.51.100.51\", \"ioc_type\": \"ip\","
		" \"first_seen\": \"yesterday\"}\n]\n";
	static const char no_result[] =
		"{\"query_status\": \"no_result\","
		" \"data\": \"Your search did not yield any results\"}";
	static const char illegal[] =
		"{\"query_status\": \"illegal_search_term\", \"data\": \"x\"}";
	static const char no_data[] = "{\"query_status\": \"ok\"}";
	/* a typed url record needs a scheme and host, found by the fuzzer */
	static const char urls[] =
		"[{\"ioc\": \"203.0.113.9[.https://c2.example/x\", \"ioc_type\": \"url\"},\n"
		" {\"ioc\": \"https://c2.example:8080/x\", \"ioc_type\": \"url\"},\n"
		" {\"ioc\": \"https://c2.example:99999/x\", \"ioc_type\": \"url\"}]\n";
	static const char broken[] = "{\n \"1\": [ {\"ioc_value\": \"x\"} ,\n";
	static const char dup_keys[] =
		"{\"1\": [{\"ioc_value\": \"198.51.100.52:80\"}],"
		" \"1\": [{\"ioc_value\": \"198.51.100.53:80\"}]}";
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set set;
	struct capture cap;
	const char *rep;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	CHECK(LOAD(bom_array, &cap.opts, &set, &st) == 0);
	rep = capture_text(&cap);
	CHECK_EQ_U(st.loaded, 1);
	CHECK_EQ_U(st.rejected, 3);
	CHECK(find_value(&set, "198.51.100.50:81") != NULL);
	CHECK(strstr(rep, ":4: \"\": rejected: record is not a JSON object") != NULL);
	CHECK(strstr(rep, ":5: \"\": rejected: record has no ioc_value") != NULL);
	CHECK(strstr(rep, ":6: \"198.51.100.51\": rejected: time") != NULL);

	memset(&st, 0, sizeof(st));
	CHECK(LOAD(urls, &cap.opts, &set, &st) == 0);
	CHECK_EQ_U(st.loaded, 1);
	CHECK_EQ_U(st.rejected, 2);
	CHECK(find_value(&set, "https://c2.example:8080/x") != NULL);
	CHECK(strstr(capture_text(&cap), ":1: \"203.0.113.9[.https://c2.example/x\": "
		     "rejected: URL scheme or host is invalid") != NULL);

	memset(&st, 0, sizeof(st));
	CHECK(LOAD(no_result, &cap.opts, &set, &st) == 0);
	CHECK_EQ_U(st.loaded + st.rejected, 0);
	CHECK(LOAD(illegal, &cap.opts, &set, &st) == -EINVAL);
	CHECK(strstr(capture_text(&cap), "query_status \"illegal_search_term\" is not") != NULL);
	CHECK(LOAD(no_data, &cap.opts, &set, &st) == -EINVAL);
	CHECK(strstr(capture_text(&cap), "\"data\" is not a list") != NULL);
	CHECK(LOAD(broken, &cap.opts, &set, &st) == -EINVAL);
	CHECK(strstr(capture_text(&cap), ": invalid JSON: ") != NULL);
	CHECK(LOAD(dup_keys, &cap.opts, &set, &st) == -EINVAL);
	CHECK(strstr(capture_text(&cap), "duplicate") != NULL);
	CHECK_EQ_U(set.n, 2);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

/* ---------------------------------------------------------------- */

static void
test_strict(void)
{
	const char *messy = DATA("cases/defanged-feed/ioc_defanged_messy.txt");
	struct c2w_feed_stats st = { 0 }, before;
	struct c2w_ioc_set set;
	struct capture cap;
	char *pool_copy;
	size_t n, pool_len;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	CHECK(c2w_feed_load(TABLES("threatfox-remcos.csv"), &cap.opts, &set,
			    &st) == 0);
	n = set.n;
	pool_len = set.pool_len;
	pool_copy = malloc(pool_len);
	if (pool_copy != NULL)
		memcpy(pool_copy, set.pool, pool_len);
	before = st;

	cap.opts.strict = true;
	CHECK(c2w_feed_load(messy, &cap.opts, &set, &st) == -EINVAL);
	CHECK_EQ_U(set.n, n);
	CHECK_EQ_U(set.pool_len, pool_len);
	CHECK(pool_copy != NULL);
	CHECK(pool_copy != NULL && memcmp(pool_copy, set.pool, pool_len) == 0);
	CHECK(memcmp(&st, &before, sizeof(st)) == 0);
	/* the first invalid line stops the load and is the only report */
	CHECK(strstr(capture_text(&cap), ":11: ") != NULL);
	CHECK(strstr(capture_text(&cap), ":12: ") == NULL);

	/* threatfox-remcos.csv has no invalid record: a strict load passes */
	CHECK(c2w_feed_load(TABLES("threatfox-remcos.csv"), &cap.opts, &set,
			    &st) == 0);
	CHECK_EQ_U(st.duplicates, before.duplicates + 2);
	free(pool_copy);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

static void
test_file_errors(void)
{
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set set;
	struct capture cap;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	CHECK(c2w_feed_load(DATA("feeds/no-such-file.csv"), &cap.opts, &set,
			    &st) == -ENOENT);
	CHECK(c2w_feed_load(DATA("feeds"), &cap.opts, &set, &st) == -EISDIR);
	CHECK(c2w_feed_load(NULL, &cap.opts, &set, &st) == -EINVAL);
	/* a plain list is no JSON */
	cap.opts.format = C2W_FEED_JSON;
	CHECK(c2w_feed_load(DATA("cases/icmp/feed.txt"), &cap.opts, &set,
			    &st) == -EINVAL);
	CHECK(strstr(capture_text(&cap), "icmp/feed.txt:1:1: invalid JSON: ") != NULL);
	cap.opts.format = (enum c2w_feed_format)42;
	CHECK(c2w_feed_load(DATA("cases/icmp/feed.txt"), &cap.opts, &set,
			    &st) == -EINVAL);
	CHECK(strstr(capture_text(&cap), "format 42 unknown") != NULL);
	/* the CSV export forced to plain: each record line is rejected */
	cap.opts.format = C2W_FEED_PLAIN;
	CHECK(c2w_feed_load(TABLES("threatfox-remcos.csv"), &cap.opts, &set,
			    &st) == 0);
	CHECK_EQ_U(st.rejected, 2);
	CHECK_EQ_U(set.n, 0);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

static void
test_report_limit(void)
{
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set set;
	struct capture cap;
	char text[4096];
	size_t len = 0;
	unsigned i;

	for (i = 0; i < 30; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"198.51.100.%u:99999\n", i + 1);
	memset(text + len, 'x', 3000);
	len += 3000;
	text[len++] = '\n';
	c2w_ioc_set_init(&set);
	capture_open(&cap);
	cap.opts.max_reports = 5;
	CHECK(load_text(text, len, &cap.opts, &set, &st) == 0);
	CHECK_EQ_U(st.rejected, 31);
	CHECK_EQ_U(count_lines(capture_text(&cap)), 6);
	CHECK(strstr(capture_text(&cap), ": 26 more rejected records not listed") != NULL);

	/* default limit is 20, and report lines quote at most 64 bytes */
	cap.opts.max_reports = 0;
	fclose(cap.opts.report);
	free(cap.text);
	cap.text = NULL;
	cap.opts.report = open_memstream(&cap.text, &cap.len);
	CHECK(load_text(text + len - 3001, 3001, &cap.opts, &set, &st) == 0);
	CHECK(strstr(capture_text(&cap), "xxxxxxxx...\": rejected: indicator longer") != NULL);
	CHECK(strlen(capture_text(&cap)) < 200);
	capture_close(&cap);
	c2w_ioc_set_free(&set);
}

/* Many indicators: index growth, dedup, and time for the record. */
static void
test_many(void)
{
	const unsigned n = 60000;
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set set;
	struct timespec t0, t1;
	size_t cap = (size_t)n * 2 * 32, len = 0;
	char *text = malloc(cap);
	unsigned i;

	if (!CHECK(text != NULL))
		return;
	/* n distinct ip:port values, each listed twice */
	for (i = 0; i < 2 * n; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"198.51.%u.%u:%u\n", (i % n) >> 8 & 0xff,
					(i % n) & 0xff, 1000 + (i % n) / 65536);
	c2w_ioc_set_init(&set);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(load_text(text, len, NULL, &set, &st) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK_EQ_U(st.loaded, n);
	CHECK_EQ_U(st.duplicates, n);
	CHECK_EQ_U(set.n, n);
	CHECK(find_value(&set, "198.51.234.95:1000") != NULL);
	printf("# %u lines loaded in %.1f ms\n", 2 * n,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	free(text);
	c2w_ioc_set_free(&set);
}

#ifndef FEED_TEST_SANITIZER
/*
 * Allocation failure injection: once fail_countdown reaches zero every
 * realloc() and calloc() fails until it is set to -1 again. Defining
 * them here interposes them for the whole test program; glibc keeps
 * its own versions reachable as __libc_realloc and __libc_calloc.
 * Sanitizer builds bring their own allocator, so the test is skipped.
 */
void *__libc_realloc(void *ptr, size_t size);
void *__libc_calloc(size_t n, size_t size);

/* volatile: compilers assume realloc() reads no program variables */
static volatile long fail_countdown = -1;

static bool
alloc_should_fail(void)
{
	if (fail_countdown == 0)
		return true;
	if (fail_countdown > 0)
		fail_countdown--;
	return false;
}

void *
realloc(void *ptr, size_t size)
{
	return alloc_should_fail() ? NULL : __libc_realloc(ptr, size);
}

void *
calloc(size_t n, size_t size)
{
	return alloc_should_fail() ? NULL : __libc_calloc(n, size);
}

/*
 * Fail the k-th allocation of a load for every k: each failed load
 * returns -ENOMEM and leaves the set byte for byte as it was, including
 * a merge into an indicator the set held before.
 */
static void
test_alloc_failures(void)
{
	const unsigned n_new = 3000;
	struct c2w_feed_stats st = { 0 }, before;
	struct c2w_ioc_set set;
	struct c2w_ioc *v0 = NULL;
	char *pool0 = NULL, *text, path[64];
	size_t n0, pool_len0, len = 0, cap = (size_t)n_new * 32 + 64;
	unsigned k, failed = 0, changed = 0;
	const struct c2w_ioc *ioc;
	int rc = -ENOMEM;
	/* volatile: the compiler would turn realloc(NULL, n) into malloc() */
	void *volatile no_block = NULL;

	/* Tools such as valgrind replace the allocator, and with it ours. */
	fail_countdown = 0;
	text = realloc(no_block, 16);
	fail_countdown = -1;
	if (text != NULL) {
		printf("# allocation failures cannot be injected here, skipped\n");
		free(text);
		return;
	}

	text = malloc(cap);
	if (!CHECK(text != NULL))
		return;
	/* a known hash, confidence 50 there and 100 here, then new ones */
	len += (size_t)snprintf(text, cap, "d41d8cd98f00b204e9800998ecf8427e\n");
	for (k = 0; k < n_new; k++)
		len += (size_t)snprintf(text + len, cap - len, "203.0.113.%u:%u\n",
					k % 250 + 1, 2000 + k / 250);
	CHECK(write_tmp(path, text, len) == 0);
	free(text);

	c2w_ioc_set_init(&set);
	CHECK(c2w_feed_load(DATA("feeds/threatfox-full.csv"), NULL, &set,
			    &st) == 0);
	n0 = set.n;
	pool_len0 = set.pool_len;
	v0 = malloc(n0 * sizeof(*v0));
	pool0 = malloc(pool_len0);
	if (!CHECK(v0 != NULL && pool0 != NULL))
		goto out;
	memcpy(v0, set.v, n0 * sizeof(*v0));
	memcpy(pool0, set.pool, pool_len0);
	before = st;

	for (k = 0; k < 100000 && rc == -ENOMEM; k++) {
		fail_countdown = k;
		rc = c2w_feed_load(path, NULL, &set, &st);
		fail_countdown = -1;
		if (rc != -ENOMEM)
			break;
		failed++;
		changed += set.n != n0 || set.pool_len != pool_len0 ||
			   memcmp(set.v, v0, n0 * sizeof(*v0)) != 0 ||
			   memcmp(set.pool, pool0, pool_len0) != 0 ||
			   memcmp(&st, &before, sizeof(st)) != 0;
	}
	CHECK(rc == 0);
	CHECK(failed > 10);
	CHECK_EQ_U(changed, 0);

	/* after all the rollbacks the index still finds every indicator */
	CHECK_EQ_U(st.loaded - before.loaded, n_new);
	CHECK_EQ_U(st.duplicates - before.duplicates, 1);
	ioc = find_value(&set, "d41d8cd98f00b204e9800998ecf8427e");
	if (CHECK(ioc != NULL))
		CHECK_EQ_U(ioc->confidence, 100);
	memset(&st, 0, sizeof(st));
	CHECK(c2w_feed_load(path, NULL, &set, &st) == 0);
	CHECK_EQ_U(st.loaded, 0);
	CHECK_EQ_U(st.duplicates, n_new + 1);
	printf("# %u allocation failure points checked\n", failed);
out:
	unlink(path);
	free(v0);
	free(pool0);
	c2w_ioc_set_free(&set);
}
#endif

/* ---------------------------------------------------------------- */
/* Binary tables                                                     */
/* ---------------------------------------------------------------- */

/* Values checked against libxxhash 0.8.1 (XXH64). */
static void
test_xxh64_vectors(void)
{
	static const uint8_t bytes[200] = { 0 };
	uint8_t seq[600];
	size_t i;

	for (i = 0; i < sizeof(seq); i++)
		seq[i] = (uint8_t)(i % 200);
	CHECK(c2w_feedbin_xxh64("", 0, 0) == 0xef46db3751d8e999ULL);
	CHECK(c2w_feedbin_xxh64("", 0, 7) == 0x95f0626f6f0a4409ULL);
	CHECK(c2w_feedbin_xxh64("a", 1, 0) == 0xd24ec4f1a98c6e5bULL);
	CHECK(c2w_feedbin_xxh64("abc", 3, 0) == 0x44bc2cf5ad770999ULL);
	CHECK(c2w_feedbin_xxh64("abcd1234", 8, 7) == 0xe4efc9db6424d9e6ULL);
	CHECK(c2w_feedbin_xxh64(seq, sizeof(seq), 0) == 0x427addc3fc459a2bULL);
	CHECK(c2w_feedbin_xxh64(seq, sizeof(seq), 7) == 0xa5c3984299cdc6acULL);
	(void)bytes;
}

/* Read a whole file; the caller frees *data. */
static int
read_all(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	*data = malloc((size_t)size + 1);
	*len = (size_t)size;
	if (*data == NULL || fread(*data, 1, *len, f) != *len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* Every kind, IPv4 and IPv6, prefixes, times, tags, references. */
static const char table_extra[] =
	"198.51.100.0/24\n"
	"2001:db8:5::/48\n"
	"203.0.113.77\n"
	"[2001:db8::77]:8443\n";

/* Fixture feeds loaded into one set. */
static int
load_fixtures(struct c2w_ioc_set *set, const struct c2w_feed_opts *opts,
	      struct c2w_feed_stats *st)
{
	int rc;

	rc = c2w_feed_load(DATA("feeds/threatfox-full.csv"), opts, set, st);
	if (rc == 0)
		rc = c2w_feed_load(DATA("feeds/threatfox-export.json"), opts,
				   set, st);
	if (rc == 0)
		rc = c2w_feed_load(DATA("feeds/threatfox-api.json"), opts,
				   set, st);
	if (rc == 0)
		rc = LOAD(table_extra, opts, set, st);
	return rc;
}

/* Compare every field, strings by text, of a's indicators in b. */
static unsigned
sets_differ(const struct c2w_ioc_set *a, const struct c2w_ioc_set *b)
{
	unsigned diff = 0;
	size_t i, j;

	if (a->n != b->n)
		return 1;
	for (i = 0; i < a->n; i++) {
		const struct c2w_ioc *x = &a->v[i], *y = NULL;

		for (j = 0; j < b->n && y == NULL; j++)
			if (b->v[j].kind == x->kind &&
			    strcmp(c2w_ioc_str(a, x->value),
				   c2w_ioc_str(b, b->v[j].value)) == 0)
				y = &b->v[j];
		if (y == NULL) {
			printf("#   %s missing\n", c2w_ioc_str(a, x->value));
			diff++;
			continue;
		}
		diff += memcmp(x->addr, y->addr, 16) != 0 || x->port != y->port ||
			x->family != y->family || x->confidence != y->confidence ||
			x->prefix != y->prefix || x->action != y->action ||
			x->first_seen != y->first_seen ||
			x->last_seen != y->last_seen;
#define SAME_TEXT(f) (strcmp(c2w_ioc_str(a, x->f), c2w_ioc_str(b, y->f)) == 0)
		diff += !SAME_TEXT(id) || !SAME_TEXT(threat_type) ||
			!SAME_TEXT(malware) || !SAME_TEXT(tags) ||
			!SAME_TEXT(reference) || !SAME_TEXT(source);
#undef SAME_TEXT
	}
	return diff;
}

static void
test_table_round_trip(void)
{
	struct c2w_feed_stats st_text = { 0 }, st_bin = { 0 };
	struct c2w_ioc_set text, bin;
	struct c2w_feedbin_info info;
	char path[64], err[256];
	uint8_t *data = NULL;
	size_t len = 0, i;

	c2w_ioc_set_init(&text);
	c2w_ioc_set_init(&bin);
	CHECK(load_fixtures(&text, NULL, &st_text) == 0);
	CHECK(text.n > 10);
	CHECK(st_text.by_kind[C2W_IOC_CIDR] == 2);

	snprintf(path, sizeof(path), "/tmp/c2w-feed-test-XXXXXX");
	CHECK(mkstemp(path) >= 0);
	CHECK(c2w_feedbin_write(path, &text, C2W_FEEDBIN_FLAG_ALLOW, 1767225600,
				err, sizeof(err)) == 0);
	CHECK(c2w_feed_load(path, NULL, &bin, &st_bin) == 0);
	CHECK_EQ_U(bin.n, text.n);
	CHECK_EQ_U(st_bin.loaded, text.n);
	CHECK_EQ_U(st_bin.lines, text.n);
	CHECK_EQ_U(st_bin.rejected, 0);
	for (i = 0; i < C2W_IOC_KIND_MAX; i++)
		CHECK_EQ_U(st_bin.by_kind[i], st_text.by_kind[i]);
	CHECK_EQ_U(sets_differ(&text, &bin), 0);
	CHECK(bin.index == NULL);

	/* header fields */
	CHECK(read_all(path, &data, &len) == 0);
	CHECK(c2w_feedbin_info(data, len, &info, err, sizeof(err)) == 0);
	CHECK(info.body_ok);
	CHECK_EQ_U(info.version, 1);
	CHECK_EQ_U(info.count, text.n);
	CHECK_EQ_U(info.flags, C2W_FEEDBIN_FLAG_ALLOW);
	CHECK(info.created == 1767225600);
	CHECK_EQ_U(info.by_kind[C2W_IOC_CIDR], 2);
	CHECK_EQ_U(info.file_len, len);
	free(data);

	/* Loading again merges every indicator into the table's set,
	 * which builds its dedup index on the way. */
	memset(&st_bin, 0, sizeof(st_bin));
	CHECK(c2w_feed_load(path, NULL, &bin, &st_bin) == 0);
	CHECK_EQ_U(st_bin.duplicates, text.n);
	CHECK_EQ_U(st_bin.loaded, 0);
	CHECK(load_fixtures(&bin, NULL, &st_bin) == 0);
	CHECK_EQ_U(st_bin.loaded, 0);
	CHECK_EQ_U(bin.n, text.n);
	c2w_ioc_set_free(&bin);

	/* The same set gives the same bytes. */
	{
		uint8_t *again = NULL;
		size_t again_len = 0;

		CHECK(read_all(path, &data, &len) == 0);
		CHECK(c2w_feedbin_write(path, &text, C2W_FEEDBIN_FLAG_ALLOW,
					1767225600, err, sizeof(err)) == 0);
		CHECK(read_all(path, &again, &again_len) == 0);
		CHECK(again_len == len && memcmp(again, data, len) == 0);
		free(again);
		free(data);
	}

	/* An empty set gives a valid empty table. */
	c2w_ioc_set_init(&bin);
	CHECK(c2w_feedbin_write(path, &bin, 0, 0, err, sizeof(err)) == 0);
	memset(&st_bin, 0, sizeof(st_bin));
	CHECK(c2w_feed_load(path, NULL, &bin, &st_bin) == 0);
	CHECK_EQ_U(bin.n, 0);
	unlink(path);
	c2w_ioc_set_free(&bin);
	c2w_ioc_set_free(&text);
}

/* Aging applies to a table's indicators by their merged times. */
static void
test_table_aging(void)
{
	struct c2w_feed_opts opts = { 0 };
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set bin, all;
	char path[64], err[256];
	size_t i, expect = 0, found = 0;

	c2w_ioc_set_init(&all);
	c2w_ioc_set_init(&bin);
	CHECK(load_fixtures(&all, NULL, NULL) == 0);
	snprintf(path, sizeof(path), "/tmp/c2w-feed-test-XXXXXX");
	CHECK(mkstemp(path) >= 0);
	CHECK(c2w_feedbin_write(path, &all, 0, 0, err, sizeof(err)) == 0);

	opts.max_age_s = 60 * 86400;
	opts.now = 1780272000;  /* 2026-06-01 00:00:00 UTC */
	CHECK(c2w_feed_load(path, &opts, &bin, &st) == 0);
	for (i = 0; i < all.n; i++) {
		const struct c2w_ioc *ioc = &all.v[i];
		int64_t t = ioc->last_seen != C2W_IOC_TIME_UNKNOWN ?
			    ioc->last_seen : ioc->first_seen;

		if (t != C2W_IOC_TIME_UNKNOWN && opts.now - t > 60 * 86400)
			continue;
		expect++;
		found += find_value(&bin, c2w_ioc_str(&all, ioc->value)) != NULL;
	}
	CHECK(st.aged > 0);
	CHECK(expect > 0);
	CHECK_EQ_U(bin.n, expect);
	CHECK_EQ_U(found, expect);
	CHECK_EQ_U(bin.n + st.aged, all.n);
	unlink(path);
	c2w_ioc_set_free(&all);
	c2w_ioc_set_free(&bin);
}

/*
 * Load a damaged copy of a table into a set that contains one indicator:
 * the load must fail with -EINVAL, name the file, and leave the set and
 * counters as they were.
 */
static int
load_damaged(const uint8_t *data, size_t len, const char *want)
{
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set set;
	struct capture cap;
	char path[64];
	const char *rep;
	int ok = 1, rc;

	c2w_ioc_set_init(&set);
	capture_open(&cap);
	rc = LOAD("192.0.2.9:443\n", &cap.opts, &set, &st);
	memset(&st, 0, sizeof(st));
	if (rc != 0 || write_tmp(path, data, len) != 0)
		ok = 0;
	if (ok) {
		rc = c2w_feed_load(path, &cap.opts, &set, &st);
		rep = capture_text(&cap);
		ok = rc == -EINVAL && set.n == 1 && st.loaded == 0 &&
		     st.lines == 0 && strstr(rep, path) != NULL &&
		     strstr(rep, "binary indicator table rejected: ") != NULL &&
		     (want == NULL || strstr(rep, want) != NULL);
		if (!ok)
			printf("#   rc %d, report: %s\n", rc, rep);
		unlink(path);
	}
	capture_close(&cap);
	c2w_ioc_set_free(&set);
	return ok;
}

static void
test_table_damage(void)
{
	struct c2w_ioc_set set;
	char path[64], err[256];
	uint8_t *data = NULL, *copy;
	size_t len = 0, i, cut;
	unsigned bad_flip = 0, bad_cut = 0;

	c2w_ioc_set_init(&set);
	CHECK(load_fixtures(&set, NULL, NULL) == 0);
	snprintf(path, sizeof(path), "/tmp/c2w-feed-test-XXXXXX");
	CHECK(mkstemp(path) >= 0);
	CHECK(c2w_feedbin_write(path, &set, 0, 0, err, sizeof(err)) == 0);
	CHECK(read_all(path, &data, &len) == 0);
	unlink(path);
	c2w_ioc_set_free(&set);
	copy = malloc(len);
	if (!CHECK(data != NULL && copy != NULL))
		return;

	/* every single byte flipped, in header, records and pool */
	for (i = 0; i < len; i++) {
		memcpy(copy, data, len);
		copy[i] ^= 0x20;
		bad_flip += !load_damaged(copy, len, NULL);
	}
	CHECK_EQ_U(bad_flip, 0);
	memcpy(copy, data, len);
	copy[len - 2] ^= 1;
	CHECK(load_damaged(copy, len, "body checksum mismatch"));
	memcpy(copy, data, len);
	copy[20] ^= 1;
	CHECK(load_damaged(copy, len, "header checksum mismatch"));
	memcpy(copy, data, len);
	copy[0] = 'X';
	CHECK(load_damaged(copy, len, "magic number missing or damaged"));

	/* Cut at every eighth of the file, and one byte short. An empty
	 * file is an empty plain list, so the first cut keeps one byte. */
	CHECK(load_damaged(data, 1, "truncated"));
	for (cut = 1; cut < 8; cut++)
		bad_cut += !load_damaged(data, len * cut / 8, "truncated");
	CHECK_EQ_U(bad_cut, 0);
	CHECK(load_damaged(data, len - 1, "truncated"));
	CHECK(load_damaged(data, 3, "truncated"));

	/* trailing bytes, as a second write appended would leave */
	copy = realloc(copy, len + 5);
	memcpy(copy, data, len);
	memcpy(copy + len, "extra", 5);
	CHECK(load_damaged(copy, len + 5, "unknown data after"));

	/* a newer version, with valid checksums */
	memcpy(copy, data, len);
	copy[8] = 2;
	c2w_feedbin_seal(copy, len);
	CHECK(load_damaged(copy, len, "version 2 unknown"));

	/* damage past valid checksums: records themselves are checked */
	memcpy(copy, data, len);
	copy[C2W_FEEDBIN_HEADER_SIZE + 18] = 9;         /* kind 9 */
	c2w_feedbin_seal(copy, len);
	CHECK(load_damaged(copy, len, "record 1 invalid: kind unknown"));
	memcpy(copy, data, len);
	memcpy(copy + C2W_FEEDBIN_HEADER_SIZE + C2W_FEEDBIN_RECORD_SIZE,
	       data + C2W_FEEDBIN_HEADER_SIZE, C2W_FEEDBIN_RECORD_SIZE);
	c2w_feedbin_seal(copy, len);
	CHECK(load_damaged(copy, len, "record 2 invalid: not after"));
	memcpy(copy, data, len);
	copy[C2W_FEEDBIN_HEADER_SIZE + 40 + 3] = 0x7f;  /* value offset */
	c2w_feedbin_seal(copy, len);
	CHECK(load_damaged(copy, len, "string offset beyond"));
	memcpy(copy, data, len);
	copy[40] ^= 1;                                  /* kind counts */
	c2w_feedbin_seal(copy, len);
	CHECK(load_damaged(copy, len, "header counts"));
	free(copy);
	free(data);
}

int main(void);

int
main(void)
{
	test_parse_valid();
	test_parse_invalid();
	test_kind_names();
	test_defanged_list();
	test_seed_tables();
	test_case_feeds();
	test_csv_export();
	test_json_export();
	test_json_api();
	test_plain_kinds();
	test_cidr_valid();
	test_cidr_invalid();
	test_cidr_feeds();
	test_aging();
	test_csv_quoting();
	test_csv_fifteen_columns();
	test_plain_ipv6_first();
	test_json_shapes();
	test_strict();
	test_file_errors();
	test_report_limit();
	test_many();
	test_xxh64_vectors();
	test_table_round_trip();
	test_table_aging();
	test_table_damage();
#ifndef FEED_TEST_SANITIZER
	test_alloc_failures();
#endif
	return check_done();
}
