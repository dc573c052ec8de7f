/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config loader and option tests: defaults, a full file, every kind of
 * error message with its line, unknown settings, path resolution, option
 * overrides and the shipped drivers-config files.
 */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

#define DRIVERS_CONFIG C2W_TEST_DATA "/../../drivers-config"
#define MAX_ARGS 32

/* Output captured from a stream the code under test writes to. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static void
capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
}

/* Close the stream so buf contains everything written; "" if nothing. */
static const char *
capture_text(struct capture *c)
{
	if (c->f != NULL) {
		fclose(c->f);
		c->f = NULL;
	}
	return c->buf != NULL ? c->buf : "";
}

static void
capture_free(struct capture *c)
{
	capture_text(c);
	free(c->buf);
	c->buf = NULL;
}

/* Write text to a new file under /tmp; path receives its name. */
static void
write_temp(const char *text, char *path, size_t size)
{
	int fd;
	FILE *f;

	snprintf(path, size, "/tmp/c2w-config-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		path[0] = '\0';
		return;
	}
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

/* Load text as a config file over cfg; errors go to *out. */
static int
load_text(struct c2w_config *cfg, const char *text, char *path, size_t size,
	  struct capture *out)
{
	int rc;

	write_temp(text, path, size);
	capture_open(out);
	rc = c2w_config_load(cfg, path, out->f);
	capture_text(out);
	return rc;
}

/*
 * Load one invalid file from defaults and check that the error output
 * contains exactly "<file>:<line>: <message>" as one line.
 */
static void
check_error(const char *text, unsigned line, const char *message)
{
	struct c2w_config cfg;
	struct capture out;
	char path[64], want[512];
	int rc;

	c2w_config_defaults(&cfg);
	rc = load_text(&cfg, text, path, sizeof(path), &out);
	snprintf(want, sizeof(want), "%s:%u: %s\n", path, line, message);
	CHECK_EQ_U(rc, -EINVAL);
	if (!CHECK(strstr(out.buf, want) != NULL))
		printf("#   want: %s#   got:  %s", want, out.buf);
	unlink(path);
	capture_free(&out);
	c2w_config_free(&cfg);
}

/* Run c2w_options_parse() over a NULL-terminated argument list. */
static enum c2w_options_result
run_options(struct c2w_config *cfg, struct capture *out, struct capture *err,
	    ...)
{
	char *argv[MAX_ARGS + 1];
	enum c2w_options_result r;
	va_list ap;
	int argc = 0;

	argv[argc++] = (char *)"c2wall";
	va_start(ap, err);
	while (argc < MAX_ARGS && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	capture_open(out);
	capture_open(err);
	r = c2w_options_parse(cfg, argc, argv, out->f, err->f);
	capture_text(out);
	capture_text(err);
	return r;
}

static void
test_defaults(void)
{
	struct c2w_config cfg;

	c2w_config_defaults(&cfg);
	CHECK_EQ_U(cfg.mode, C2W_MODE_INLINE);
	CHECK_EQ_U(cfg.action, C2W_ACTION_BLOCK);
	CHECK(!cfg.pairs_set);
	CHECK_EQ_U(cfg.n_pairs, 0);
	CHECK_EQ_U(cfg.n_workers, 1);
	CHECK(!cfg.worker_lcores_set);
	CHECK_EQ_U(cfg.rx_desc, 1024);
	CHECK_EQ_U(cfg.tx_desc, 1024);
	CHECK_EQ_U(cfg.burst, 32);
	CHECK_EQ_U(cfg.mbufs, 0);
	CHECK(cfg.promiscuous);
	CHECK_EQ_U(cfg.n_iocs, 0);
	CHECK_EQ_U(cfg.n_allow, 0);
	CHECK(!cfg.strict);
	CHECK_EQ_U(cfg.malformed, C2W_MALFORMED_DROP);
	CHECK_EQ_U(cfg.flow_entries, 65536);
	CHECK_EQ_U(cfg.idle_timeout_ms, 30000);
	CHECK_EQ_U(cfg.active_timeout_ms, 300000);
	CHECK_EQ_U(cfg.table_full, C2W_TABLE_FULL_OPEN);
	CHECK_EQ_U(cfg.clock, C2W_CLOCK_AUTO);
	CHECK(cfg.ipfix_url[0] == '\0');
	CHECK_EQ_U(cfg.pen, 32473);
	CHECK_EQ_U(cfg.observation_domain, 1);
	CHECK_EQ_U(cfg.template_refresh_s, 60);
	CHECK_EQ_U(cfg.export_mtu, 1472);
	CHECK_EQ_U(cfg.export_scope, C2W_EXPORT_ALERTS);
	CHECK_EQ_U(cfg.event_ring_size, 8192);
	CHECK_EQ_U(cfg.template_refresh_msgs, 0);
	CHECK_EQ_U(cfg.export_records, C2W_RECORDS_BIFLOW);
	CHECK_EQ_U(cfg.export_stats_s, 60);
	CHECK_EQ_U(cfg.buffer_bytes, 8u << 20);
	CHECK_EQ_U(cfg.resend_bytes, 1u << 20);
	CHECK(cfg.tls_ca[0] == '\0');
	CHECK(cfg.tls_cert[0] == '\0');
	CHECK(cfg.tls_key[0] == '\0');
	CHECK(cfg.tls_verify);
	CHECK_EQ_U(cfg.stats_interval_ms, 10000);
	CHECK_EQ_U(cfg.idle_exit_ms, 0);
	CHECK(!cfg.check);
	CHECK(cfg.file[0] == '\0');
}

static const char full_file[] =
	"mode = \"inline\";\n"
	"ports = {\n"
	"  pairs = ( [0, 1], [3, 2] );\n"
	"  rx_desc = 2048; tx_desc = 512; burst = 64; mbufs = 131071;\n"
	"  promiscuous = false;\n"
	"};\n"
	"workers = { lcores = [2, 4, 6]; };\n"
	"tables = { iocs = [\"/srv/a.csv\", \"/srv/b.csv\"];\n"
	"  allow = [\"/srv/allow.csv\"]; strict = true; };\n"
	"policy = { action = \"alert\"; malformed = \"forward\"; };\n"
	"flows = { entries = 1048576; idle_timeout_ms = 15000;\n"
	"  active_timeout_ms = 60000; table_full = \"closed\";\n"
	"  clock = \"system\"; };\n"
	"exporter = { ipfix = \"udp://[2001:db8::5]:4739\";\n"
	"  pen = 4294967295L; observation_domain = 7;\n"
	"  template_refresh_s = 300; mtu = 9000; export = \"all\";\n"
	"  ring_size = 65536; template_refresh_msgs = 100;\n"
	"  records = \"uniflow\"; stats_interval_s = 0;\n"
	"  buffer_bytes = 1048576; resend_bytes = 0;\n"
	"  tls_ca = \"/etc/c2wall/ca.pem\"; tls_cert = \"/etc/c2wall/c.pem\";\n"
	"  tls_key = \"/etc/c2wall/c.key\"; tls_verify = false; };\n"
	"stats = { interval_ms = 0; };\n";

static void
test_full_file(void)
{
	struct c2w_config cfg;
	struct capture out;
	char path[64];
	int rc;

	c2w_config_defaults(&cfg);
	rc = load_text(&cfg, full_file, path, sizeof(path), &out);
	CHECK_EQ_U(rc, 0);
	CHECK(strcmp(out.buf, "") == 0);
	CHECK(strcmp(cfg.file, path) == 0);
	CHECK_EQ_U(cfg.mode, C2W_MODE_INLINE);
	CHECK(cfg.pairs_set);
	CHECK_EQ_U(cfg.n_pairs, 2);
	CHECK_EQ_U(cfg.pairs[0].a, 0);
	CHECK_EQ_U(cfg.pairs[0].b, 1);
	CHECK_EQ_U(cfg.pairs[1].a, 3);
	CHECK_EQ_U(cfg.pairs[1].b, 2);
	CHECK_EQ_U(cfg.rx_desc, 2048);
	CHECK_EQ_U(cfg.tx_desc, 512);
	CHECK_EQ_U(cfg.burst, 64);
	CHECK_EQ_U(cfg.mbufs, 131071);
	CHECK(!cfg.promiscuous);
	CHECK(cfg.worker_lcores_set);
	CHECK_EQ_U(cfg.n_workers, 3);
	CHECK_EQ_U(cfg.worker_lcores[0], 2);
	CHECK_EQ_U(cfg.worker_lcores[2], 6);
	CHECK_EQ_U(cfg.n_iocs, 2);
	CHECK(cfg.n_iocs == 2 && strcmp(cfg.iocs[1], "/srv/b.csv") == 0);
	CHECK_EQ_U(cfg.n_allow, 1);
	CHECK(cfg.n_allow == 1 && strcmp(cfg.allow[0], "/srv/allow.csv") == 0);
	CHECK(cfg.strict);
	CHECK_EQ_U(cfg.action, C2W_ACTION_ALERT);
	CHECK_EQ_U(cfg.malformed, C2W_MALFORMED_FORWARD);
	CHECK_EQ_U(cfg.flow_entries, 1048576);
	CHECK_EQ_U(cfg.idle_timeout_ms, 15000);
	CHECK_EQ_U(cfg.active_timeout_ms, 60000);
	CHECK_EQ_U(cfg.table_full, C2W_TABLE_FULL_CLOSED);
	CHECK_EQ_U(cfg.clock, C2W_CLOCK_SYSTEM);
	CHECK(strcmp(cfg.ipfix_url, "udp://[2001:db8::5]:4739") == 0);
	CHECK_EQ_U(cfg.pen, 4294967295u);
	CHECK_EQ_U(cfg.observation_domain, 7);
	CHECK_EQ_U(cfg.template_refresh_s, 300);
	CHECK_EQ_U(cfg.export_mtu, 9000);
	CHECK_EQ_U(cfg.export_scope, C2W_EXPORT_ALL);
	CHECK_EQ_U(cfg.event_ring_size, 65536);
	CHECK_EQ_U(cfg.template_refresh_msgs, 100);
	CHECK_EQ_U(cfg.export_records, C2W_RECORDS_UNIFLOW);
	CHECK_EQ_U(cfg.export_stats_s, 0);
	CHECK_EQ_U(cfg.buffer_bytes, 1048576);
	CHECK_EQ_U(cfg.resend_bytes, 0);
	CHECK(strcmp(cfg.tls_ca, "/etc/c2wall/ca.pem") == 0);
	CHECK(strcmp(cfg.tls_cert, "/etc/c2wall/c.pem") == 0);
	CHECK(strcmp(cfg.tls_key, "/etc/c2wall/c.key") == 0);
	CHECK(!cfg.tls_verify);
	CHECK_EQ_U(cfg.stats_interval_ms, 0);
	unlink(path);
	capture_free(&out);
	c2w_config_free(&cfg);
}

static void
test_tap_ports(void)
{
	struct c2w_config cfg;
	struct capture out;
	char path[64];

	c2w_config_defaults(&cfg);
	CHECK_EQ_U(load_text(&cfg, "mode = \"tap\";\nports = { tap = [2, 0, 5]; };\n",
			     path, sizeof(path), &out), 0);
	CHECK_EQ_U(cfg.mode, C2W_MODE_TAP);
	CHECK(cfg.pairs_set);
	CHECK_EQ_U(cfg.n_pairs, 3);
	CHECK_EQ_U(cfg.pairs[0].a, 2);
	CHECK_EQ_U(cfg.pairs[2].a, 5);
	unlink(path);
	capture_free(&out);
}

/* One file, one error: the message, its line and its exact wording. */
static void
test_error_messages(void)
{
	check_error("flows = {\n  entries = 1000;\n};\n", 2,
		    "flows.entries = 1000: must be a power of two, "
		    "1024..16777216");
	check_error("flows = { entries = \"big\"; };\n", 1,
		    "flows.entries = \"big\": must be an integer power of two, "
		    "1024..16777216");
	check_error("\n\nports = { burst = 100; };\n", 3,
		    "ports.burst = 100: must be 1..64");
	check_error("ports = { burst = -1; };\n", 1,
		    "ports.burst = -1: must be 1..64");
	check_error("ports = { burst = 1.5; };\n", 1,
		    "ports.burst = 1.5: must be an integer, 1..64");
	check_error("ports = { rx_desc = 32; };\n", 1,
		    "ports.rx_desc = 32: must be a power of two, 64..16384");
	check_error("ports = { mbufs = 100; };\n", 1,
		    "ports.mbufs = 100: must be 0 or 1024..4294967295");
	check_error("ports = { promiscuous = 1; };\n", 1,
		    "ports.promiscuous = 1: must be true or false");
	check_error("mode = \"bridge\";\n", 1,
		    "mode = \"bridge\": must be \"inline\" or \"tap\"");
	check_error("policy = { action = 1; };\n", 1,
		    "policy.action = 1: must be \"block\" or \"alert\"");
	check_error("exporter = { mtu = 100; };\n", 1,
		    "exporter.mtu = 100: must be 512..65507");
	check_error("exporter = { pen = 0; };\n", 1,
		    "exporter.pen = 0: must be 1..4294967295");
	check_error("exporter = { pen = 4294967295; };\n", 1,
		    "exporter.pen = -1: must be 1..4294967295 (write values "
		    "above 2147483647 with an L suffix: 4294967295L)");
	check_error("exporter = { pen = 4294967296L; };\n", 1,
		    "exporter.pen = 4294967296: must be 1..4294967295");
	check_error("exporter = { ring_size = 3000; };\n", 1,
		    "exporter.ring_size = 3000: must be a power of two, "
		    "1024..1048576");
	check_error("exporter = {\n ipfix = \"sctp://192.0.2.1:4739\"; };\n", 2,
		    "exporter.ipfix = \"sctp://192.0.2.1:4739\": scheme "
		    "\"sctp\" not supported, must be udp://, tcp:// or tls:// "
		    "followed by HOST:PORT or [IPv6]:PORT with PORT 1..65535, "
		    "or \"\" for no export");
	check_error("exporter = { ipfix = \"tcp://192.0.2.1:0\"; };\n", 1,
		    "exporter.ipfix = \"tcp://192.0.2.1:0\": invalid port "
		    "\"0\", must be udp://, tcp:// or tls:// followed by "
		    "HOST:PORT or [IPv6]:PORT with PORT 1..65535, or \"\" for "
		    "no export");
	check_error("exporter = { buffer_bytes = 1000; };\n", 1,
		    "exporter.buffer_bytes = 1000: must be 65536..1073741824");
	check_error("exporter = { records = \"both\"; };\n", 1,
		    "exporter.records = \"both\": must be \"biflow\" or "
		    "\"uniflow\"");
	check_error("exporter = { tls_verify = 1; };\n", 1,
		    "exporter.tls_verify = 1: must be true or false");
	check_error("exporter = { tls_ca = 5; };\n", 1,
		    "exporter.tls_ca = 5: must be a file name string, or \"\" "
		    "for none");
	check_error("workers = { lcores = [1, 2, 1]; };\n", 1,
		    "workers.lcores[2] = 1: lcore already used by "
		    "workers.lcores[0], each worker needs its own lcore");
	check_error("workers = { lcores = [1, 1024]; };\n", 1,
		    "workers.lcores[1] = 1024: must be an lcore id, an "
		    "integer 0..1023");
	check_error("workers = { lcores = []; };\n", 1,
		    "workers.lcores = []: must be an array of 1..16 lcore "
		    "ids, e.g. [1, 2]");
	check_error("ports = {\n pairs = ( [0, 1],\n [1, 2] ); };\n", 3,
		    "ports.pairs[1][0] = 1: port 1 already used in "
		    "ports.pairs[0], each port may appear once");
	check_error("ports = { pairs = ( [0, 16] ); };\n", 1,
		    "ports.pairs[0][1] = 16: must be a port id, an integer "
		    "0..15");
	check_error("ports = { pairs = ( [0, 1, 2] ); };\n", 1,
		    "ports.pairs[0] = [0, 1, 2]: must be a pair of port ids, "
		    "e.g. [0, 1]");
	check_error("ports = { pairs = [0, 1]; };\n", 1,
		    "ports.pairs = [0, 1]: must be a list of 1..8 port pairs, "
		    "e.g. ( [0, 1], [2, 3] )");
	check_error("ports = { tap = [0, 1]; };\n", 1,
		    "ports.tap = [0, 1]: only used when mode = \"tap\", "
		    "inline mode takes ports.pairs");
	check_error("ports = { pairs = ( [0, 1] ); };\nmode = \"tap\";\n", 1,
		    "ports.pairs = ( [0, 1] ): not used when mode = \"tap\", "
		    "list the ports to receive on in ports.tap");
	check_error("flows = { idle_timeout_ms = 400000; };\n", 1,
		    "flows.idle_timeout_ms = 400000: must not exceed "
		    "flows.active_timeout_ms (300000)");
	check_error("flows = { active_timeout_ms = 1000; };\n", 1,
		    "flows.active_timeout_ms = 1000: must be at least "
		    "flows.idle_timeout_ms (30000)");
	check_error("flows = 5;\n", 1,
		    "flows = 5: must be a group, e.g. flows = { ... };");
	check_error("tables = { iocs = \"a.csv\"; };\n", 1,
		    "tables.iocs = \"a.csv\": must be an array of file names, "
		    "e.g. [\"tables/a.csv\"]");
	check_error("tables = { iocs = [\"a.csv\", \"\"]; };\n", 1,
		    "tables.iocs[1] = \"\": must be a non-empty file name "
		    "string");
	check_error("mode = \"inline\";\nports = { burst = ; };\n", 2,
		    "syntax error");
}

static void
test_several_errors(void)
{
	struct c2w_config cfg;
	struct capture out;
	char path[64], line[256];
	int rc;

	c2w_config_defaults(&cfg);
	rc = load_text(&cfg,
		       "flows = { entries = 2048; };\n"
		       "ports = { burst = 0; };\n"
		       "mode = \"bridge\";\n"
		       "stats = { interval_ms = \"10s\"; };\n",
		       path, sizeof(path), &out);
	CHECK_EQ_U(rc, -EINVAL);
	snprintf(line, sizeof(line), "%s:2: ports.burst = 0:", path);
	CHECK(strstr(out.buf, line) != NULL);
	snprintf(line, sizeof(line), "%s:3: mode = \"bridge\":", path);
	CHECK(strstr(out.buf, line) != NULL);
	snprintf(line, sizeof(line), "%s:4: stats.interval_ms = \"10s\": "
		 "must be an integer, 0..86400000\n", path);
	CHECK(strstr(out.buf, line) != NULL);
	snprintf(line, sizeof(line), "%s: 3 invalid settings\n", path);
	CHECK(strstr(out.buf, line) != NULL);
	/* A failed load leaves every setting as it was, valid ones too. */
	CHECK_EQ_U(cfg.flow_entries, 65536);
	unlink(path);
	capture_free(&out);
}

static void
test_unknown_settings(void)
{
	check_error("mode = \"tap\";\nports = { tap = [0]; };\ncolour = 1;\n",
		    3, "colour = 1: unknown setting, valid at the top level: "
		    "mode, ports, workers, tables, policy, flows, exporter, "
		    "stats");
	check_error("ports = { speed = 10; };\n", 1,
		    "ports.speed = 10: unknown setting, valid in ports: pairs, "
		    "tap, rx_desc, tx_desc, burst, mbufs, promiscuous");
	/* --idle-exit has no file setting. */
	check_error("idle_exit_ms = 5;\n", 1,
		    "idle_exit_ms = 5: unknown setting, valid at the top level: "
		    "mode, ports, workers, tables, policy, flows, exporter, "
		    "stats");
}

static void
test_suggestions(void)
{
	check_error("flows = { entires = 1024; };\n", 1,
		    "flows.entires = 1024: unknown setting, did you mean "
		    "flows.entries?");
	check_error("flow = { entries = 1024; };\n", 1,
		    "flow = { ... }: unknown setting, did you mean flows?");
	check_error("flows = { burst = 32; };\n", 1,
		    "flows.burst = 32: unknown setting, did you mean "
		    "ports.burst?");
	check_error("Mode = \"tap\";\n", 1,
		    "Mode = \"tap\": unknown setting, did you mean mode?");
	check_error("exporter = { ipfx = \"\"; };\n", 1,
		    "exporter.ipfx = \"\": unknown setting, did you mean "
		    "exporter.ipfix?");
}

static void
test_relative_paths(void)
{
	char dir[] = "/tmp/c2w-config-dir-XXXXXX";
	char path[PATH_MAX], want[PATH_MAX + 64], real[PATH_MAX];
	struct c2w_config cfg;
	struct capture out;
	FILE *f;

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(path, sizeof(path), "%s/c2wall.conf", dir);
	f = fopen(path, "w");
	fputs("tables = { iocs = [\"feeds/missing.csv\", \"/abs/b.csv\"];\n"
	      "  allow = [\"../allow.csv\"]; };\n", f);
	fclose(f);

	c2w_config_defaults(&cfg);
	capture_open(&out);
	/* Table files that do not exist are the feed loader's error. */
	CHECK_EQ_U(c2w_config_load(&cfg, path, out.f), 0);
	capture_text(&out);
	CHECK(realpath(dir, real) != NULL);
	snprintf(want, sizeof(want), "%s/feeds/missing.csv", real);
	CHECK_EQ_U(cfg.n_iocs, 2);
	if (!CHECK(cfg.n_iocs > 0 && strcmp(cfg.iocs[0], want) == 0))
		printf("#   got %s, want %s\n", cfg.iocs[0], want);
	CHECK(cfg.n_iocs > 1 && strcmp(cfg.iocs[1], "/abs/b.csv") == 0);
	snprintf(want, sizeof(want), "%s/../allow.csv", real);
	CHECK(cfg.n_allow == 1 && strcmp(cfg.allow[0], want) == 0);

	unlink(path);
	rmdir(dir);
	capture_free(&out);
	c2w_config_free(&cfg);
	CHECK_EQ_U(cfg.n_iocs, 0);
}

static void
test_missing_file(void)
{
	struct c2w_config cfg;
	struct capture out;

	c2w_config_defaults(&cfg);
	capture_open(&out);
	CHECK_EQ_U(c2w_config_load(&cfg, "/tmp/c2w-no-such-dir/x.conf", out.f),
		   -ENOENT);
	capture_text(&out);
	CHECK(strcmp(out.buf, "/tmp/c2w-no-such-dir/x.conf: cannot open config "
		     "file: No such file or directory\n") == 0);
	capture_free(&out);
}

static void
test_policy_rules(void)
{
	static const char text[] =
		"policy = { rules = (\n"
		"  { threat_type = \"botnet_cc\"; min_confidence = 75;\n"
		"    action = \"block\"; },\n"
		"  { malware = \"Remcos\"; tag = \"rat\"; table = \"a.csv\";\n"
		"    action = \"ignore\"; }\n"
		"); };\n"
		"tables = { max_age_days = 90; age_by = \"first_seen\"; };\n";
	struct c2w_config cfg;
	struct capture out;
	char path[64];

	c2w_config_defaults(&cfg);
	CHECK_EQ_U(load_text(&cfg, text, path, sizeof(path), &out), 0);
	CHECK_EQ_U(cfg.n_rules, 2);
	CHECK(strcmp(cfg.rules[0].threat_type, "botnet_cc") == 0);
	CHECK_EQ_U(cfg.rules[0].min_confidence, 75);
	CHECK_EQ_U(cfg.rules[0].action, 1);
	CHECK_EQ_U(cfg.rules[0].line, 2);
	CHECK(strcmp(cfg.rules[1].malware, "Remcos") == 0);
	CHECK(strcmp(cfg.rules[1].tag, "rat") == 0);
	CHECK(strcmp(cfg.rules[1].table, "a.csv") == 0);
	CHECK_EQ_U(cfg.rules[1].action, 3);
	CHECK_EQ_U(cfg.max_age_days, 90);
	CHECK_EQ_U(cfg.age_by, C2W_AGE_FIRST_SEEN);
	unlink(path);
	capture_free(&out);
	c2w_config_free(&cfg);

	check_error("policy = { rules = ( { threat_type = \"x\"; } ); };\n",
		    1, "policy.rules[0] = { ... }: rule 1 has no action: add "
		    "action = \"block\", \"alert\" or \"ignore\"");
	check_error("policy = { rules = ( { action = \"drop\"; } ); };\n",
		    1, "policy.rules[0].action = \"drop\": must be "
		    "\"block\", \"alert\" or \"ignore\"");
	check_error("policy = { rules = ( { min_confidence = 101; "
		    "action = \"alert\"; } ); };\n", 1,
		    "policy.rules[0].min_confidence = 101: must be an integer, "
		    "0..100");
	check_error("policy = { rules = ( { colour = \"red\"; "
		    "action = \"alert\"; } ); };\n", 1,
		    "policy.rules[0].colour = \"red\": unknown rule field: use "
		    "table, threat_type, malware, tag, min_confidence or action");
}

static void
test_not_a_config_file(void)
{
	struct c2w_config cfg;
	struct capture out;
	char path[64];

	c2w_config_defaults(&cfg);
	capture_open(&out);
	CHECK_EQ_U(c2w_config_load(&cfg, "/tmp", out.f), -EISDIR);
	capture_text(&out);
	CHECK(strcmp(out.buf, "/tmp: not a regular file: give the path of a "
		     "config file\n") == 0);
	capture_free(&out);

	/* A byte order mark before an otherwise valid file. */
	CHECK_EQ_U(load_text(&cfg, "\xef\xbb\xbfmode = \"tap\";\n", path,
			     sizeof(path), &out), -EINVAL);
	CHECK(strstr(out.buf, ":1: file starts with a UTF-8 byte order "
		     "mark") != NULL);
	CHECK_EQ_U(cfg.mode, C2W_MODE_INLINE);
	unlink(path);
	capture_free(&out);
	c2w_config_free(&cfg);
}

static void
test_options_override(void)
{
	struct c2w_config cfg;
	struct capture out, err;
	char path[64];
	enum c2w_options_result r;

	write_temp("flows = { entries = 2048; };\n"
		   "policy = { action = \"alert\"; };\n"
		   "tables = { iocs = [\"/srv/file.csv\"];\n"
		   "  allow = [\"/srv/allow.csv\"]; };\n",
		   path, sizeof(path));
	c2w_config_defaults(&cfg);
	r = run_options(&cfg, &out, &err, "--flow-entries", "4096",
			"--config", path, "--iocs", "a.csv", "--iocs", "b.csv",
			"--mbufs", "8191", "--stats-interval", "0",
			"--idle-exit", "2000", "--export", "all", "--strict",
			"--check", NULL);
	CHECK_EQ_U(r, C2W_OPTIONS_RUN);
	if (!CHECK(strcmp(err.buf, "") == 0))
		printf("#   %s", err.buf);
	CHECK_EQ_U(cfg.flow_entries, 4096);
	CHECK_EQ_U(cfg.action, C2W_ACTION_ALERT);
	CHECK_EQ_U(cfg.n_iocs, 2);
	/* The count guards each index, so a short list fails, not crashes. */
	CHECK(cfg.n_iocs > 0 && strcmp(cfg.iocs[0], "a.csv") == 0);
	CHECK(cfg.n_iocs > 1 && strcmp(cfg.iocs[1], "b.csv") == 0);
	/* --allow was not given, so the file's list stays. */
	CHECK(cfg.n_allow == 1 && strcmp(cfg.allow[0], "/srv/allow.csv") == 0);
	CHECK_EQ_U(cfg.mbufs, 8191);
	CHECK_EQ_U(cfg.stats_interval_ms, 0);
	CHECK_EQ_U(cfg.idle_exit_ms, 2000);
	CHECK_EQ_U(cfg.export_scope, C2W_EXPORT_ALL);
	CHECK(cfg.strict);
	CHECK(cfg.check);
	capture_free(&out);
	capture_free(&err);
	c2w_config_free(&cfg);
	unlink(path);
}

static void
test_config_order(void)
{
	struct c2w_config first, last;
	struct capture out, err;
	char path[64];

	write_temp("mode = \"inline\";\nports = { pairs = ( [0, 1], [2, 3] ); };\n"
		   "policy = { action = \"block\"; };\n", path, sizeof(path));

	c2w_config_defaults(&first);
	CHECK_EQ_U(run_options(&first, &out, &err, "--mode", "tap",
			       "--action", "alert", "--config", path, NULL),
		   C2W_OPTIONS_RUN);
	capture_free(&out);
	capture_free(&err);
	c2w_config_defaults(&last);
	CHECK_EQ_U(run_options(&last, &out, &err, "--config", path, "--mode",
			       "tap", "--action", "alert", NULL),
		   C2W_OPTIONS_RUN);
	capture_free(&out);
	capture_free(&err);

	CHECK_EQ_U(first.mode, C2W_MODE_TAP);
	CHECK_EQ_U(last.mode, C2W_MODE_TAP);
	CHECK_EQ_U(first.action, C2W_ACTION_ALERT);
	CHECK_EQ_U(last.action, C2W_ACTION_ALERT);
	/* Tap mode over an inline file receives on every paired port. */
	CHECK_EQ_U(first.n_pairs, 4);
	CHECK_EQ_U(first.pairs[1].a, 1);
	CHECK_EQ_U(first.pairs[3].a, 3);
	CHECK(memcmp(first.pairs, last.pairs, sizeof(first.pairs)) == 0);
	unlink(path);
}

/* One bad option value: exit code and the exact message. */
static void
check_bad_option(const char *option, const char *value, const char *message)
{
	struct c2w_config cfg;
	struct capture out, err;
	enum c2w_options_result r;

	c2w_config_defaults(&cfg);
	r = run_options(&cfg, &out, &err, option, value, NULL);
	CHECK_EQ_U(r, C2W_OPTIONS_ERROR);
	if (!CHECK(strcmp(err.buf, message) == 0))
		printf("#   want: %s#   got:  %s", message, err.buf);
	capture_free(&out);
	capture_free(&err);
	c2w_config_free(&cfg);
}

static void
test_bad_numbers(void)
{
	check_bad_option("--idle-exit", "10x",
			 "c2wall: --idle-exit 10x: must be an integer, "
			 "0..86400000\n");
	check_bad_option("--idle-exit", "-5",
			 "c2wall: --idle-exit -5: must be an integer, "
			 "0..86400000\n");
	check_bad_option("--mbufs", " 8192",
			 "c2wall: --mbufs  8192: must be an integer, 0 or "
			 "1024..4294967295\n");
	check_bad_option("--mbufs", "99999999999999999999",
			 "c2wall: --mbufs 99999999999999999999: must be an "
			 "integer, 0 or 1024..4294967295\n");
	check_bad_option("--flow-entries", "1000",
			 "c2wall: --flow-entries 1000: must be an integer "
			 "power of two, 1024..16777216\n");
	check_bad_option("--stats-interval", "",
			 "c2wall: --stats-interval \"\": must be an integer, "
			 "0..86400000\n");
	check_bad_option("--mode", "bridge",
			 "c2wall: --mode bridge: must be \"inline\" or "
			 "\"tap\"\n");
	check_bad_option("--export", "some",
			 "c2wall: --export some: must be \"alerts\" or "
			 "\"all\"\n");
}

static void
test_urls(void)
{
	static const char *const valid[] = {
		"", "udp://127.0.0.1:4739", "udp://[2001:db8::1]:4739",
		"udp://collector.example.net:65535", "udp://[::1]:1",
		"tcp://127.0.0.1:4739", "tls://collector.example.net:4739",
		"tls://[2001:db8::5]:4739",
	};
	static const char *const invalid[] = {
		"sctp://127.0.0.1:4739", "127.0.0.1:4739", "udp://127.0.0.1",
		"tls://127.0.0.1", "tcp://[2001:db8::1]:0",
		"udp://127.0.0.1:0", "udp://127.0.0.1:65536",
		"udp://127.0.0.1:47x9", "udp://300.1.1.1:4739",
		"udp://[2001:db8::1]", "udp://[2001:db8::zz]:4739",
		"udp://:4739", "udp://bad_host:4739", "udp://[2001:db8::1:4739",
	};
	char why[128];
	size_t i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		if (!CHECK(c2w_config_check_url(valid[i], why, sizeof(why)) == 0))
			printf("#   %s: %s\n", valid[i], why);
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		if (!CHECK(c2w_config_check_url(invalid[i], why, sizeof(why)) ==
			   -EINVAL))
			printf("#   %s accepted\n", invalid[i]);

	check_bad_option("--ipfix", "http://192.0.2.7:4739",
			 "c2wall: --ipfix http://192.0.2.7:4739: scheme "
			 "\"http\" not supported, must be udp://, tcp:// or "
			 "tls:// followed by HOST:PORT or [IPv6]:PORT with PORT "
			 "1..65535, or \"\" for no export\n");
	check_bad_option("--records", "both",
			 "c2wall: --records both: must be \"biflow\" or "
			 "\"uniflow\"\n");
}

static void
test_option_errors(void)
{
	struct c2w_config cfg;
	struct capture out, err;

	c2w_config_defaults(&cfg);
	CHECK_EQ_U(run_options(&cfg, &out, &err, "--colour", NULL),
		   C2W_OPTIONS_ERROR);
	CHECK(strcmp(err.buf, "c2wall: --colour: unknown or ambiguous option, "
		     "see --help\n") == 0);
	capture_free(&out);
	capture_free(&err);

	CHECK_EQ_U(run_options(&cfg, &out, &err, "--idle-exit", NULL),
		   C2W_OPTIONS_ERROR);
	CHECK(strcmp(err.buf, "c2wall: --idle-exit: missing argument MS\n")
	      == 0);
	capture_free(&out);
	capture_free(&err);

	/* The next option is no value. */
	CHECK_EQ_U(run_options(&cfg, &out, &err, "--mode", "--check", NULL),
		   C2W_OPTIONS_ERROR);
	CHECK(strcmp(err.buf, "c2wall: --mode: missing value before "
		     "--check\n") == 0);
	capture_free(&out);
	capture_free(&err);

	CHECK_EQ_U(run_options(&cfg, &out, &err, "--check=yes", NULL),
		   C2W_OPTIONS_ERROR);
	CHECK(strcmp(err.buf, "c2wall: --check=yes: --check takes no "
		     "argument\n") == 0);
	capture_free(&out);
	capture_free(&err);

	CHECK_EQ_U(run_options(&cfg, &out, &err, "stray", NULL),
		   C2W_OPTIONS_ERROR);
	CHECK(strstr(err.buf, "stray: unexpected argument") != NULL);
	capture_free(&out);
	capture_free(&err);

	CHECK_EQ_U(run_options(&cfg, &out, &err, "--config",
			       "/tmp/c2w-no-such-dir/x.conf", NULL),
		   C2W_OPTIONS_ERROR);
	CHECK(strstr(err.buf, "cannot open config file") != NULL);
	capture_free(&out);
	capture_free(&err);

	/* --mode inline cannot pair the single ports of a tap file. */
	{
		char path[64];

		write_temp("mode = \"tap\";\nports = { tap = [0, 1]; };\n",
			   path, sizeof(path));
		CHECK_EQ_U(run_options(&cfg, &out, &err, "--config", path,
				       "--mode", "inline", NULL),
			   C2W_OPTIONS_ERROR);
		CHECK(strstr(err.buf, "--mode inline: the config file lists "
			     "ports.tap") != NULL);
		capture_free(&out);
		capture_free(&err);
		unlink(path);
	}
	c2w_config_free(&cfg);
}

static void
test_help(void)
{
	struct c2w_config cfg;
	struct capture out, err;

	c2w_config_defaults(&cfg);
	/* --help wins even over a --config that cannot be read. */
	CHECK_EQ_U(run_options(&cfg, &out, &err, "--config", "/nonexistent",
			       "--help", NULL), C2W_OPTIONS_EXIT_OK);
	CHECK(strstr(out.buf, "Usage: c2wall [EAL options] -- [options]\n")
	      != NULL);
	CHECK(strstr(out.buf, "--flow-entries N") != NULL);
	CHECK(strstr(out.buf, "net_pcap0") != NULL);
	CHECK(strcmp(err.buf, "") == 0);
	capture_free(&out);
	capture_free(&err);
}

static void
test_print(void)
{
	struct c2w_config cfg;
	struct capture out;
	char path[64];

	c2w_config_defaults(&cfg);
	CHECK_EQ_U(load_text(&cfg, full_file, path, sizeof(path), &out), 0);
	capture_free(&out);
	capture_open(&out);
	c2w_config_print(&cfg, out.f);
	capture_text(&out);
	CHECK(strstr(out.buf, "\nmode = \"inline\"\n") != NULL);
	CHECK(strstr(out.buf, "\nports.pairs = ( [0, 1], [3, 2] )\n") != NULL);
	CHECK(strstr(out.buf, "ports.tap") == NULL);
	CHECK(strstr(out.buf, "\nworkers.lcores = [2, 4, 6]\n") != NULL);
	CHECK(strstr(out.buf, "\ntables.iocs = [\"/srv/a.csv\", "
		     "\"/srv/b.csv\"]\n") != NULL);
	CHECK(strstr(out.buf, "\nflows.entries = 1048576\n") != NULL);
	CHECK(strstr(out.buf, "\nflows.table_full = \"closed\"\n") != NULL);
	CHECK(strstr(out.buf, "\nexporter.ipfix = \"udp://[2001:db8::5]:4739\"\n")
	      != NULL);
	CHECK(strstr(out.buf, "\nexporter.mtu = 9000\n") != NULL);
	CHECK(strstr(out.buf, "\nstats.interval_ms = 0\n") != NULL);
	CHECK(strstr(out.buf, "\nidle_exit_ms = 0\n") != NULL);
	unlink(path);
	capture_free(&out);
	c2w_config_free(&cfg);
}

/* Every shipped config loads cleanly, though its tables may be absent. */
static void
test_drivers_config(void)
{
	DIR *dir = opendir(DRIVERS_CONFIG);
	struct dirent *d;
	unsigned loaded = 0;

	if (!CHECK(dir != NULL))
		return;
	while ((d = readdir(dir)) != NULL) {
		size_t len = strlen(d->d_name);
		struct c2w_config cfg;
		struct capture out;
		char path[PATH_MAX];
		int rc;

		if (len < 5 || strcmp(d->d_name + len - 5, ".conf") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", DRIVERS_CONFIG, d->d_name);
		c2w_config_defaults(&cfg);
		capture_open(&out);
		rc = c2w_config_load(&cfg, path, out.f);
		capture_text(&out);
		if (!CHECK(rc == 0))
			printf("#   %s: %s", d->d_name, out.buf);
		capture_free(&out);
		c2w_config_free(&cfg);
		loaded++;
	}
	closedir(dir);
	CHECK(loaded >= 5);
}

int
main(void)
{
	test_defaults();
	test_full_file();
	test_tap_ports();
	test_error_messages();
	test_several_errors();
	test_unknown_settings();
	test_suggestions();
	test_relative_paths();
	test_missing_file();
	test_not_a_config_file();
	test_policy_rules();
	test_options_override();
	test_config_order();
	test_bad_numbers();
	test_urls();
	test_option_errors();
	test_help();
	test_print();
	test_drivers_config();
	return check_done();
}
