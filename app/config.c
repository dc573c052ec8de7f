/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config file loader. One table row per setting drives the file walk,
 * the command-line overrides and --check output, so a setting is checked
 * and named the same way wherever it comes from.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>

#include "config.h"

/*
 * NOTE: the loader links without DPDK, so it checks lcore ids against
 * 1023, not RTE_MAX_LCORE - 1 (127 in Debian's DPDK 22.11 build). The
 * caller must check each lcore with the EAL before starting workers.
 */
#define MAX_LCORE_ID 1023u
#define MAX_TIMEOUT_MS 86400000u   /* one day */
#define VALUE_TEXT_MAX 96          /* value echoed in a message, bytes */
#define NAME_DISTANCE_MAX 64       /* longer names get no suggestion */

enum row_type {
	ROW_GROUP,
	ROW_UINT,
	ROW_BOOL,
	ROW_ENUM,
	ROW_URL,
	ROW_PATH,
	ROW_PATHS,
	ROW_LCORES,
	ROW_PAIRS,
	ROW_TAP,
	ROW_RULES,
};

#define ROW_POW2 0x1        /* value must be a power of two */
#define ROW_ZERO_OK 0x2     /* 0 is valid besides min..max */
#define ROW_OPTION_ONLY 0x4 /* set by a command-line option, not a file */

/* One setting: its dotted name, how to check it and where it is stored. */
struct row {
	const char *name;
	enum row_type type;
	unsigned flags;
	uint64_t min;
	uint64_t max;
	const char *const *names;  /* ROW_ENUM: names in enum order, NULL end */
	size_t offset;             /* field in struct c2w_config */
	size_t size;               /* ROW_UINT: field width in bytes */
	size_t count_offset;       /* ROW_PATHS: field holding the count */
};

static const char *const mode_names[] = { "inline", "tap", NULL };
static const char *const action_names[] = { "block", "alert", NULL };
static const char *const malformed_names[] = { "drop", "forward", NULL };
static const char *const table_full_names[] = { "open", "closed", NULL };
static const char *const clock_names[] = { "auto", "system", NULL };
static const char *const export_names[] = { "alerts", "all", NULL };
static const char *const records_names[] = { "biflow", "uniflow", NULL };
static const char *const age_by_names[] = { "last_seen", "first_seen", NULL };
/* Rule actions in enum c2w_ioc_action order after "default". */
static const char *const rule_action_names[] = { "block", "alert", "ignore",
						 NULL };

#define FIELD(f) .offset = offsetof(struct c2w_config, f)
#define FIELD_SIZE(f) .size = sizeof(((struct c2w_config *)0)->f)

#define GROUP(n) { .name = n, .type = ROW_GROUP }
#define UINT(n, f, fl, lo, hi) { .name = n, .type = ROW_UINT, .flags = fl, \
	.min = lo, .max = hi, FIELD(f), FIELD_SIZE(f) }
#define BOOL(n, f) { .name = n, .type = ROW_BOOL, FIELD(f) }
#define ENUM(n, f, list) { .name = n, .type = ROW_ENUM, .names = list, \
	FIELD(f) }
#define PATH(n, f) { .name = n, .type = ROW_PATH, FIELD(f), FIELD_SIZE(f) }
#define PATHS(n, f, count) { .name = n, .type = ROW_PATHS, FIELD(f), \
	.count_offset = offsetof(struct c2w_config, count) }

/* Order is the order of --check output and of the documentation. */
static const struct row rows[] = {
	ENUM("mode", mode, mode_names),
	GROUP("ports"),
	{ .name = "ports.pairs", .type = ROW_PAIRS },
	{ .name = "ports.tap", .type = ROW_TAP },
	UINT("ports.rx_desc", rx_desc, ROW_POW2, 64, 16384),
	UINT("ports.tx_desc", tx_desc, ROW_POW2, 64, 16384),
	UINT("ports.burst", burst, 0, 1, 64),
	UINT("ports.mbufs", mbufs, ROW_ZERO_OK, 1024, UINT32_MAX),
	BOOL("ports.promiscuous", promiscuous),
	GROUP("workers"),
	{ .name = "workers.lcores", .type = ROW_LCORES },
	GROUP("tables"),
	PATHS("tables.iocs", iocs, n_iocs),
	PATHS("tables.allow", allow, n_allow),
	BOOL("tables.strict", strict),
	UINT("tables.max_age_days", max_age_days, ROW_ZERO_OK, 1, 36500),
	ENUM("tables.age_by", age_by, age_by_names),
	GROUP("policy"),
	ENUM("policy.action", action, action_names),
	ENUM("policy.malformed", malformed, malformed_names),
	{ .name = "policy.rules", .type = ROW_RULES },
	GROUP("flows"),
	UINT("flows.entries", flow_entries, ROW_POW2, 1024, 16777216),
	UINT("flows.idle_timeout_ms", idle_timeout_ms, 0, 1, MAX_TIMEOUT_MS),
	UINT("flows.active_timeout_ms", active_timeout_ms, 0, 1,
	     MAX_TIMEOUT_MS),
	ENUM("flows.table_full", table_full, table_full_names),
	ENUM("flows.clock", clock, clock_names),
	GROUP("exporter"),
	{ .name = "exporter.ipfix", .type = ROW_URL, FIELD(ipfix_url) },
	UINT("exporter.pen", pen, 0, 1, UINT32_MAX),
	UINT("exporter.observation_domain", observation_domain, 0, 0,
	     UINT32_MAX),
	UINT("exporter.template_refresh_s", template_refresh_s, ROW_ZERO_OK, 1,
	     86400),
	UINT("exporter.template_refresh_msgs", template_refresh_msgs,
	     ROW_ZERO_OK, 1, 1000000),
	/* 65507 is the largest UDP payload over IPv4. */
	UINT("exporter.mtu", export_mtu, 0, 512, 65507),
	ENUM("exporter.export", export_scope, export_names),
	ENUM("exporter.records", export_records, records_names),
	UINT("exporter.ring_size", event_ring_size, ROW_POW2, 1024, 1048576),
	UINT("exporter.stats_interval_s", export_stats_s, ROW_ZERO_OK, 1,
	     86400),
	/* At least one largest message; at most 1 GiB of memory. */
	UINT("exporter.buffer_bytes", buffer_bytes, 0, 65536, 1u << 30),
	UINT("exporter.resend_bytes", resend_bytes, ROW_ZERO_OK, 65536,
	     1u << 30),
	PATH("exporter.tls_ca", tls_ca),
	PATH("exporter.tls_cert", tls_cert),
	PATH("exporter.tls_key", tls_key),
	BOOL("exporter.tls_verify", tls_verify),
	GROUP("stats"),
	UINT("stats.interval_ms", stats_interval_ms, 0, 0, MAX_TIMEOUT_MS),
	UINT("idle_exit_ms", idle_exit_ms, ROW_OPTION_ONLY, 0,
	     MAX_TIMEOUT_MS),
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

/* State of one c2w_config_load() call. */
struct load_ctx {
	struct c2w_config *cfg;     /* copy being filled, committed on success */
	FILE *err;
	unsigned errors;
	bool no_memory;
	bool replaced[N_ROWS];      /* ROW_PATHS: list now owned by the copy */
	const config_setting_t *seen[N_ROWS]; /* setting read for each row */
};

/* Bounded text builder: output past the end is cut and marked "...". */
struct text {
	char *buf;
	size_t size;
	size_t len;
	bool cut;
};

static void text_add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->cut)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->len) {
		t->cut = true;
		t->len = t->size - 1;
		if (t->size > 4)
			memcpy(t->buf + t->size - 4, "...", 4);
		return;
	}
	t->len += (size_t)n;
}

void
c2w_config_defaults(struct c2w_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = C2W_MODE_INLINE;
	cfg->rx_desc = 1024;
	cfg->tx_desc = 1024;
	cfg->burst = 32;
	cfg->mbufs = 0;
	cfg->promiscuous = true;
	cfg->n_workers = 1;
	cfg->action = C2W_ACTION_BLOCK;
	cfg->malformed = C2W_MALFORMED_DROP;
	cfg->flow_entries = 65536;
	cfg->idle_timeout_ms = 30000;
	cfg->active_timeout_ms = 300000;
	cfg->table_full = C2W_TABLE_FULL_OPEN;
	cfg->clock = C2W_CLOCK_AUTO;
	cfg->pen = 32473;
	cfg->observation_domain = 1;
	cfg->template_refresh_s = 60;
	cfg->template_refresh_msgs = 0;
	cfg->export_mtu = 1472;
	cfg->export_scope = C2W_EXPORT_ALERTS;
	cfg->export_records = C2W_RECORDS_BIFLOW;
	cfg->event_ring_size = 8192;
	cfg->export_stats_s = 60;
	cfg->buffer_bytes = 8u << 20;
	cfg->resend_bytes = 1u << 20;
	cfg->tls_verify = true;
	cfg->stats_interval_ms = 10000;
	cfg->idle_exit_ms = 0;
}

static void
free_paths(char **paths, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		free(paths[i]);
		paths[i] = NULL;
	}
}

void
c2w_config_free(struct c2w_config *cfg)
{
	free_paths(cfg->iocs, cfg->n_iocs);
	cfg->n_iocs = 0;
	free_paths(cfg->allow, cfg->n_allow);
	cfg->n_allow = 0;
}

static const struct row *
find_row(const char *name)
{
	size_t i;

	for (i = 0; i < N_ROWS; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

static size_t
row_index(const struct row *row)
{
	return (size_t)(row - rows);
}

/* ---- messages ---------------------------------------------------- */

/* Dotted path of a setting, with [i] for list and array elements. */
static void
setting_path(const config_setting_t *s, struct text *t)
{
	const config_setting_t *parent = config_setting_parent(s);

	if (parent == NULL)
		return;
	setting_path(parent, t);
	if (config_setting_is_list(parent) || config_setting_is_array(parent)) {
		text_add(t, "[%d]", config_setting_index(s));
		return;
	}
	if (t->len > 0)
		text_add(t, ".");
	text_add(t, "%s", config_setting_name(s));
}

static void
quote_string(const char *s, struct text *t)
{
	text_add(t, "\"");
	for (; *s != '\0' && !t->cut; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			text_add(t, "\\%c", c);
		else if (isprint(c))
			text_add(t, "%c", c);
		else
			text_add(t, "\\x%02x", c);
	}
	text_add(t, "\"");
}

/* Value of a setting in libconfig syntax, groups shortened to "{ ... }". */
static void
setting_value(const config_setting_t *s, struct text *t)
{
	int i, n;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		text_add(t, "%lld", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		text_add(t, "%g", config_setting_get_float(s));
		break;
	case CONFIG_TYPE_BOOL:
		text_add(t, "%s", config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_STRING:
		quote_string(config_setting_get_string(s), t);
		break;
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
		n = config_setting_length(s);
		text_add(t, config_setting_is_array(s) ? "[" : "(");
		for (i = 0; i < n; i++) {
			if (i > 0)
				text_add(t, ", ");
			else if (config_setting_is_list(s))
				text_add(t, " ");
			setting_value(config_setting_get_elem(s, i), t);
		}
		if (config_setting_is_array(s))
			text_add(t, "]");
		else
			text_add(t, n > 0 ? " )" : ")");
		break;
	default:
		text_add(t, "{ ... }");
		break;
	}
}

static void report(struct load_ctx *ctx, const config_setting_t *s,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Print "file:line: path = value: <fmt>" for a setting and count the
 * error. libconfig stores lines as unsigned short, so lines past 65535
 * are reported modulo 65536.
 */
static void
report(struct load_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
{
	char path[256], value[VALUE_TEXT_MAX];
	struct text tp = { path, sizeof(path), 0, false };
	struct text tv = { value, sizeof(value), 0, false };
	const char *file = config_setting_source_file(s);
	va_list ap;

	path[0] = '\0';
	value[0] = '\0';
	setting_path(s, &tp);
	setting_value(s, &tv);
	fprintf(ctx->err, "%s:%u: %s = %s: ", file != NULL ? file : "?",
		config_setting_source_line(s), path, value);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->err);
	ctx->errors++;
}

/* Accepted integers of a row: "a power of two, 1024..16777216". */
static void
describe_uint(const struct row *row, bool want_type, struct text *t)
{
	if (want_type)
		text_add(t, (row->flags & ROW_POW2) ?
			 "an integer power of two, " : "an integer, ");
	else if (row->flags & ROW_POW2)
		text_add(t, "a power of two, ");
	if (row->flags & ROW_ZERO_OK)
		text_add(t, "0 or ");
	text_add(t, "%llu..%llu", (unsigned long long)row->min,
		 (unsigned long long)row->max);
}

static void
describe_enum(const struct row *row, struct text *t)
{
	size_t i;

	for (i = 0; row->names[i] != NULL; i++) {
		if (i > 0)
			text_add(t, row->names[i + 1] == NULL ? " or " : ", ");
		text_add(t, "\"%s\"", row->names[i]);
	}
}

/* ---- value checks shared by the file and the command line ---------- */

static bool
is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static bool
uint_in_range(const struct row *row, uint64_t v)
{
	if (v == 0 && (row->flags & ROW_ZERO_OK))
		return true;
	if (v < row->min || v > row->max)
		return false;
	return !(row->flags & ROW_POW2) || is_pow2(v);
}

static void
store_uint(struct c2w_config *cfg, const struct row *row, uint64_t v)
{
	char *field = (char *)cfg + row->offset;

	if (row->size == sizeof(uint16_t)) {
		uint16_t v16 = (uint16_t)v;

		memcpy(field, &v16, sizeof(v16));
	} else {
		uint32_t v32 = (uint32_t)v;

		memcpy(field, &v32, sizeof(v32));
	}
}

static uint64_t
load_uint(const struct c2w_config *cfg, const struct row *row)
{
	const char *field = (const char *)cfg + row->offset;
	uint16_t v16;
	uint32_t v32;

	if (row->size == sizeof(uint16_t)) {
		memcpy(&v16, field, sizeof(v16));
		return v16;
	}
	memcpy(&v32, field, sizeof(v32));
	return v32;
}

static int
enum_index(const struct row *row, const char *s)
{
	int i;

	for (i = 0; row->names[i] != NULL; i++)
		if (strcmp(row->names[i], s) == 0)
			return i;
	return -1;
}

static void
store_enum(struct c2w_config *cfg, const struct row *row, int v)
{
	/* The config's enums all have int size and start at 0. */
	memcpy((char *)cfg + row->offset, &v, sizeof(v));
}

static int
load_enum(const struct c2w_config *cfg, const struct row *row)
{
	int v;

	memcpy(&v, (const char *)cfg + row->offset, sizeof(v));
	return v;
}

static bool
valid_port(const char *s, size_t len)
{
	unsigned long port = 0;
	size_t i;

	if (len == 0 || len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	return port >= 1 && port <= 65535;
}

/* Host name (RFC 1123 letters, digits, '-' and '.') or IPv4 address. */
static bool
valid_host(const char *s, size_t len)
{
	char copy[C2W_URL_MAX];
	struct in_addr a4;
	bool digits_dots = true;
	size_t i;

	if (len == 0 || len >= sizeof(copy) || s[0] == '-' || s[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '-' && c != '.')
			return false;
		if (!isdigit(c) && c != '.')
			digits_dots = false;
	}
	if (!digits_dots)
		return true;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return inet_pton(AF_INET, copy, &a4) == 1;
}

int
c2w_config_check_url(const char *url, char *why, size_t why_size)
{
	const char *host, *colon, *end;
	char addr[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	size_t len = strlen(url);

	if (len == 0)
		return 0;
	if (len >= C2W_URL_MAX) {
		snprintf(why, why_size, "longer than %d bytes", C2W_URL_MAX - 1);
		return -EINVAL;
	}
	if (strncmp(url, "udp://", 6) != 0 && strncmp(url, "tcp://", 6) != 0 &&
	    strncmp(url, "tls://", 6) != 0) {
		const char *sep = strstr(url, "://");

		if (sep != NULL)
			snprintf(why, why_size, "scheme \"%.*s\" not supported",
				 (int)(sep - url), url);
		else
			snprintf(why, why_size, "missing udp://, tcp:// or "
				 "tls:// scheme");
		return -EINVAL;
	}
	host = url + 6;
	end = url + len;

	if (*host == '[') {
		const char *close = strchr(host, ']');

		if (close == NULL || (size_t)(close - host - 1) >= sizeof(addr)) {
			snprintf(why, why_size, "unterminated [IPv6] address");
			return -EINVAL;
		}
		memcpy(addr, host + 1, (size_t)(close - host - 1));
		addr[close - host - 1] = '\0';
		if (inet_pton(AF_INET6, addr, &a6) != 1) {
			snprintf(why, why_size, "invalid IPv6 address \"%s\"",
				 addr);
			return -EINVAL;
		}
		colon = close + 1;
		if (*colon != ':') {
			snprintf(why, why_size, "missing :PORT after the address");
			return -EINVAL;
		}
	} else {
		colon = strrchr(host, ':');
		if (colon == NULL) {
			snprintf(why, why_size, "missing :PORT");
			return -EINVAL;
		}
		if (!valid_host(host, (size_t)(colon - host))) {
			snprintf(why, why_size, "invalid host \"%.*s\"",
				 (int)(colon - host), host);
			return -EINVAL;
		}
	}
	if (!valid_port(colon + 1, (size_t)(end - colon - 1))) {
		snprintf(why, why_size, "invalid port \"%s\"", colon + 1);
		return -EINVAL;
	}
	return 0;
}

#define URL_ACCEPTED "must be udp://, tcp:// or tls:// followed by " \
	"HOST:PORT or [IPv6]:PORT with PORT 1..65535, or \"\" for no export"

/* ---- file settings ------------------------------------------------ */

static bool
get_uint(const config_setting_t *s, uint64_t *v)
{
	long long n;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return false;
	n = config_setting_get_int64(s);
	if (n < 0)
		n = -1;
	*v = (uint64_t)n;
	return true;
}

static void
apply_uint(struct load_ctx *ctx, const struct row *row,
	   const config_setting_t *s)
{
	char accepted[160];
	struct text t = { accepted, sizeof(accepted), 0, false };
	uint64_t v = 0;
	bool typed = get_uint(s, &v);

	if (typed && uint_in_range(row, v)) {
		store_uint(ctx->cfg, row, v);
		return;
	}
	describe_uint(row, !typed, &t);
	/* libconfig 1.5 reads an integer above INT32_MAX without the L
	 * suffix as a wrapped, often negative, 32-bit value. */
	if (config_setting_type(s) == CONFIG_TYPE_INT && v > INT32_MAX &&
	    row->max > INT32_MAX)
		text_add(&t, " (write values above %d with an L suffix: "
			 "%lluL)", INT32_MAX, (unsigned long long)row->max);
	report(ctx, s, "must be %s", accepted);
}

static void
apply_bool(struct load_ctx *ctx, const struct row *row,
	   const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		report(ctx, s, "must be true or false");
		return;
	}
	*(bool *)((char *)ctx->cfg + row->offset) =
		config_setting_get_bool(s) != 0;
}

static void
apply_enum(struct load_ctx *ctx, const struct row *row,
	   const config_setting_t *s)
{
	char accepted[96];
	struct text t = { accepted, sizeof(accepted), 0, false };
	int v = -1;

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		v = enum_index(row, config_setting_get_string(s));
	if (v >= 0) {
		store_enum(ctx->cfg, row, v);
		return;
	}
	describe_enum(row, &t);
	report(ctx, s, "must be %s", accepted);
}

static void
apply_url(struct load_ctx *ctx, const struct row *row,
	  const config_setting_t *s)
{
	char why[128];
	const char *url;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report(ctx, s, "must be a string: %s", URL_ACCEPTED);
		return;
	}
	url = config_setting_get_string(s);
	if (c2w_config_check_url(url, why, sizeof(why)) != 0) {
		report(ctx, s, "%s, %s", why, URL_ACCEPTED);
		return;
	}
	snprintf((char *)ctx->cfg + row->offset, C2W_URL_MAX, "%s", url);
}

static bool
is_sequence(const config_setting_t *s)
{
	return config_setting_is_array(s) || config_setting_is_list(s);
}

/* Directory part of a file name, "." when it has none. */
static void
dir_of(const char *file, char *dir, size_t size)
{
	const char *slash = strrchr(file, '/');
	char raw[PATH_MAX];

	if (slash == NULL) {
		snprintf(raw, sizeof(raw), ".");
	} else if (slash == file) {
		snprintf(raw, sizeof(raw), "/");
	} else {
		snprintf(raw, sizeof(raw), "%.*s", (int)(slash - file), file);
	}
	/* An absolute directory keeps paths valid if the caller changes
	 * its working directory later. */
	if (realpath(raw, dir) == NULL || strlen(dir) >= size)
		snprintf(dir, size, "%s", raw);
}

/*
 * Resolve a table path named in a file against the file's directory.
 * Whether the table exists is the feed loader's check, not this one's,
 * so a config can be checked on a host without its tables.
 */
static char *
resolve_path(struct load_ctx *ctx, const config_setting_t *s)
{
	const char *path = config_setting_get_string(s);
	const char *file = config_setting_source_file(s);
	char dir[PATH_MAX], full[PATH_MAX];
	char *copy;
	int n;

	if (path[0] == '/' || file == NULL) {
		n = snprintf(full, sizeof(full), "%s", path);
	} else {
		dir_of(file, dir, sizeof(dir));
		n = snprintf(full, sizeof(full), "%s%s%s", dir,
			     strcmp(dir, "/") == 0 ? "" : "/", path);
	}
	if (n < 0 || (size_t)n >= sizeof(full)) {
		report(ctx, s, "path too long, max %d bytes after resolving "
		       "against the config file's directory", PATH_MAX - 1);
		return NULL;
	}
	copy = strdup(full);
	if (copy == NULL)
		ctx->no_memory = true;
	return copy;
}

/* One file name; "" means none. A relative name is resolved against the
 * config file's directory, like the table paths. */
static void
apply_path(struct load_ctx *ctx, const struct row *row,
	   const config_setting_t *s)
{
	char *field = (char *)ctx->cfg + row->offset;
	char *full;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report(ctx, s, "must be a file name string, or \"\" for none");
		return;
	}
	if (config_setting_get_string(s)[0] == '\0') {
		field[0] = '\0';
		return;
	}
	full = resolve_path(ctx, s);
	if (full == NULL)
		return;
	if (strlen(full) >= row->size)
		report(ctx, s, "path too long, max %zu bytes", row->size - 1);
	else
		snprintf(field, row->size, "%s", full);
	free(full);
}

static void
apply_paths(struct load_ctx *ctx, const struct row *row,
	    const config_setting_t *s)
{
	char **paths = (char **)((char *)ctx->cfg + row->offset);
	unsigned *count = (unsigned *)((char *)ctx->cfg + row->count_offset);
	char *fresh[C2W_MAX_FEEDS];
	unsigned errors = ctx->errors;
	int i, n;

	if (!is_sequence(s)) {
		report(ctx, s, "must be an array of file names, "
		       "e.g. [\"tables/a.csv\"]");
		return;
	}
	n = config_setting_length(s);
	if (n > C2W_MAX_FEEDS) {
		report(ctx, s, "must list at most %d files", C2W_MAX_FEEDS);
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		fresh[i] = NULL;
		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    config_setting_get_string(e)[0] == '\0') {
			report(ctx, e, "must be a non-empty file name string");
			continue;
		}
		fresh[i] = resolve_path(ctx, e);
	}
	if (ctx->errors != errors || ctx->no_memory) {
		free_paths(fresh, (unsigned)n);
		return;
	}

	/* The copy still shares the caller's strings; they are freed only
	 * when the load succeeds. */
	memcpy(paths, fresh, (size_t)n * sizeof(fresh[0]));
	*count = (unsigned)n;
	ctx->replaced[row_index(row)] = true;
}

/* Read element i of a sequence as an integer in 0..max; report if not. */
static bool
get_id(struct load_ctx *ctx, const config_setting_t *s, uint64_t max,
       const char *what, uint64_t *v)
{
	if (get_uint(s, v) && *v <= max)
		return true;
	report(ctx, s, "must be %s, an integer 0..%llu", what,
	       (unsigned long long)max);
	return false;
}

static void
apply_lcores(struct load_ctx *ctx, const struct row *row,
	     const config_setting_t *s)
{
	unsigned lcores[C2W_MAX_WORKERS];
	unsigned errors = ctx->errors;
	int i, j, n;

	(void)row;
	if (!is_sequence(s) || config_setting_length(s) < 1 ||
	    config_setting_length(s) > C2W_MAX_WORKERS) {
		report(ctx, s, "must be an array of 1..%d lcore ids, e.g. [1, 2]",
		       C2W_MAX_WORKERS);
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		uint64_t v;

		if (!get_id(ctx, e, MAX_LCORE_ID, "an lcore id", &v))
			continue;
		lcores[i] = (unsigned)v;
		for (j = 0; j < i; j++) {
			if (lcores[j] == lcores[i]) {
				report(ctx, e, "lcore already used by "
				       "workers.lcores[%d], each worker needs "
				       "its own lcore", j);
				break;
			}
		}
	}
	if (ctx->errors != errors)
		return;
	memcpy(ctx->cfg->worker_lcores, lcores, (size_t)n * sizeof(lcores[0]));
	ctx->cfg->n_workers = (unsigned)n;
	ctx->cfg->worker_lcores_set = true;
}

/*
 * Check one port id against those already used (used[] contains the index
 * of the element that took it, -1 if free) and mark it used.
 */
static bool
claim_port(struct load_ctx *ctx, const config_setting_t *e, int owner,
	   const char *list, int used[C2W_MAX_PORTS])
{
	uint64_t v;

	if (!get_id(ctx, e, C2W_MAX_PORTS - 1, "a port id", &v))
		return false;
	if (used[v] >= 0) {
		report(ctx, e, "port %llu already used in %s[%d], each port "
		       "may appear once", (unsigned long long)v, list,
		       used[v]);
		return false;
	}
	used[v] = owner;
	return true;
}

static void
apply_pairs(struct load_ctx *ctx, const struct row *row,
	    const config_setting_t *s)
{
	struct c2w_port_pair pairs[C2W_MAX_PORTS / 2];
	int used[C2W_MAX_PORTS];
	unsigned errors = ctx->errors;
	int i, n;

	(void)row;
	memset(used, 0xff, sizeof(used));
	if (!config_setting_is_list(s) || config_setting_length(s) < 1 ||
	    config_setting_length(s) > C2W_MAX_PORTS / 2) {
		report(ctx, s, "must be a list of 1..%d port pairs, "
		       "e.g. ( [0, 1], [2, 3] )", C2W_MAX_PORTS / 2);
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (!is_sequence(e) || config_setting_length(e) != 2) {
			report(ctx, e, "must be a pair of port ids, e.g. [0, 1]");
			continue;
		}
		if (claim_port(ctx, config_setting_get_elem(e, 0), i,
			       "ports.pairs", used))
			pairs[i].a = (uint16_t)config_setting_get_int_elem(e, 0);
		if (claim_port(ctx, config_setting_get_elem(e, 1), i,
			       "ports.pairs", used))
			pairs[i].b = (uint16_t)config_setting_get_int_elem(e, 1);
	}
	if (ctx->errors != errors)
		return;
	memcpy(ctx->cfg->pairs, pairs, (size_t)n * sizeof(pairs[0]));
	ctx->cfg->n_pairs = (unsigned)n;
	ctx->cfg->pairs_set = true;
}

static void
apply_tap(struct load_ctx *ctx, const struct row *row,
	  const config_setting_t *s)
{
	struct c2w_port_pair ports[C2W_MAX_PORTS];
	int used[C2W_MAX_PORTS];
	unsigned errors = ctx->errors;
	int i, n;

	(void)row;
	memset(used, 0xff, sizeof(used));
	if (!is_sequence(s) || config_setting_length(s) < 1 ||
	    config_setting_length(s) > C2W_MAX_PORTS) {
		report(ctx, s, "must be an array of 1..%d port ids, e.g. [0, 1]",
		       C2W_MAX_PORTS);
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		if (!claim_port(ctx, config_setting_get_elem(s, i), i,
				"ports.tap", used))
			continue;
		ports[i].a = (uint16_t)config_setting_get_int_elem(s, i);
		ports[i].b = ports[i].a;
	}
	if (ctx->errors != errors)
		return;
	memcpy(ctx->cfg->pairs, ports, (size_t)n * sizeof(ports[0]));
	ctx->cfg->n_pairs = (unsigned)n;
	ctx->cfg->pairs_set = true;
}

/* Copy one string field of a rule, checking its type and length. */
static bool
rule_string(struct load_ctx *ctx, const config_setting_t *f, char *dst,
	    size_t size)
{
	const char *v;

	if (config_setting_type(f) != CONFIG_TYPE_STRING) {
		report(ctx, f, "must be a string");
		return false;
	}
	v = config_setting_get_string(f);
	if (strlen(v) >= size) {
		report(ctx, f, "too long, at most %zu bytes", size - 1);
		return false;
	}
	memcpy(dst, v, strlen(v) + 1);
	return true;
}

static void
apply_rule_field(struct load_ctx *ctx, const config_setting_t *f,
		 struct c2w_policy_rule *r, bool *has_action)
{
	const char *name = config_setting_name(f);
	int v, i;

	if (strcmp(name, "table") == 0) {
		rule_string(ctx, f, r->table, sizeof(r->table));
	} else if (strcmp(name, "threat_type") == 0) {
		rule_string(ctx, f, r->threat_type, sizeof(r->threat_type));
	} else if (strcmp(name, "malware") == 0) {
		rule_string(ctx, f, r->malware, sizeof(r->malware));
	} else if (strcmp(name, "tag") == 0) {
		rule_string(ctx, f, r->tag, sizeof(r->tag));
	} else if (strcmp(name, "min_confidence") == 0) {
		if (config_setting_type(f) != CONFIG_TYPE_INT ||
		    (v = config_setting_get_int(f)) < 0 || v > 100) {
			report(ctx, f, "must be an integer, 0..100");
			return;
		}
		r->min_confidence = (uint8_t)v;
	} else if (strcmp(name, "action") == 0) {
		/* Present, even if invalid: reported once, below. */
		*has_action = true;
		for (i = 0; rule_action_names[i] != NULL; i++)
			if (config_setting_type(f) == CONFIG_TYPE_STRING &&
			    strcmp(config_setting_get_string(f),
				   rule_action_names[i]) == 0)
				break;
		if (rule_action_names[i] == NULL) {
			report(ctx, f, "must be \"block\", \"alert\" or "
			       "\"ignore\"");
			return;
		}
		r->action = (uint8_t)(i + 1);
	} else {
		report(ctx, f, "unknown rule field: use table, threat_type, "
		       "malware, tag, min_confidence or action");
	}
}

/* policy.rules = ( { threat_type = "botnet_cc"; action = "block"; }, ...
 * ); every rule needs an action, the other fields narrow it. */
static void
apply_rules(struct load_ctx *ctx, const config_setting_t *s)
{
	struct c2w_config *cfg = ctx->cfg;
	int i, j, n = config_setting_length(s);

	if (!config_setting_is_list(s)) {
		report(ctx, s, "must be a list of groups, e.g. ( { "
		       "threat_type = \"botnet_cc\"; action = \"block\"; } )");
		return;
	}
	if (n > C2W_MAX_RULES) {
		report(ctx, s, "%d rules, at most %d", n, C2W_MAX_RULES);
		return;
	}
	cfg->n_rules = 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, i);
		struct c2w_policy_rule *r = &cfg->rules[cfg->n_rules];
		bool has_action = false;

		if (!config_setting_is_group(g)) {
			report(ctx, g, "a rule must be a group { ... }");
			continue;
		}
		memset(r, 0, sizeof(*r));
		r->line = config_setting_source_line(g);
		for (j = 0; j < config_setting_length(g); j++)
			apply_rule_field(ctx, config_setting_get_elem(g, j), r,
					 &has_action);
		if (!has_action) {
			report(ctx, g, "rule %d has no action: add action = "
			       "\"block\", \"alert\" or \"ignore\"", i + 1);
			continue;
		}
		cfg->n_rules++;
	}
}

static void
print_rules(const struct c2w_config *cfg, FILE *out)
{
	unsigned i;

	fprintf(out, "policy.rules = (%s", cfg->n_rules ? "\n" : "");
	for (i = 0; i < cfg->n_rules; i++) {
		const struct c2w_policy_rule *r = &cfg->rules[i];

		fprintf(out, "  { table = \"%s\"; threat_type = \"%s\"; "
			"malware = \"%s\"; tag = \"%s\"; min_confidence = %u; "
			"action = \"%s\"; }%s\n", r->table, r->threat_type,
			r->malware, r->tag, r->min_confidence,
			rule_action_names[r->action - 1],
			i + 1 < cfg->n_rules ? "," : "");
	}
	fprintf(out, ")\n");
}

static void
apply_setting(struct load_ctx *ctx, const struct row *row,
	      const config_setting_t *s)
{
	ctx->seen[row_index(row)] = s;
	switch (row->type) {
	case ROW_UINT:
		apply_uint(ctx, row, s);
		break;
	case ROW_BOOL:
		apply_bool(ctx, row, s);
		break;
	case ROW_ENUM:
		apply_enum(ctx, row, s);
		break;
	case ROW_URL:
		apply_url(ctx, row, s);
		break;
	case ROW_PATH:
		apply_path(ctx, row, s);
		break;
	case ROW_PATHS:
		apply_paths(ctx, row, s);
		break;
	case ROW_LCORES:
		apply_lcores(ctx, row, s);
		break;
	case ROW_PAIRS:
		apply_pairs(ctx, row, s);
		break;
	case ROW_TAP:
		apply_tap(ctx, row, s);
		break;
	case ROW_RULES:
		apply_rules(ctx, s);
		break;
	case ROW_GROUP:
		break;
	}
}

/* ---- unknown settings --------------------------------------------- */

/* Optimal string alignment distance, case-insensitive: a swap of two
 * neighbouring letters counts as one edit. */
static unsigned
name_distance(const char *a, const char *b)
{
	unsigned d[NAME_DISTANCE_MAX + 1][NAME_DISTANCE_MAX + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > NAME_DISTANCE_MAX || lb > NAME_DISTANCE_MAX)
		return UINT32_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			unsigned best = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

static const char *
last_part(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL ? dot + 1 : name;
}

/*
 * Closest setting name: within two edits (one for names of up to five
 * characters), else a setting of the same last part in another group
 * ("flows.burst" -> "ports.burst").
 */
static const char *
suggest_name(const char *unknown)
{
	size_t len = strlen(unknown), i;
	unsigned best = UINT32_MAX, limit = len <= 5 ? 1 : 2;
	const char *match = NULL;

	for (i = 0; i < N_ROWS; i++) {
		unsigned d;

		if (rows[i].flags & ROW_OPTION_ONLY)
			continue;
		d = name_distance(unknown, rows[i].name);
		if (d < best) {
			best = d;
			match = rows[i].name;
		}
	}
	if (best <= limit)
		return match;
	for (i = 0; i < N_ROWS; i++) {
		if (rows[i].flags & ROW_OPTION_ONLY)
			continue;
		if (strcasecmp(last_part(rows[i].name), last_part(unknown)) == 0)
			return rows[i].name;
	}
	return NULL;
}

/* Names valid directly inside a group ("" for the top level). */
static void
describe_group(const char *group, struct text *t)
{
	size_t glen = strlen(group), i;
	bool first = true;

	for (i = 0; i < N_ROWS; i++) {
		const char *name = rows[i].name;

		if (rows[i].flags & ROW_OPTION_ONLY)
			continue;
		if (glen > 0) {
			if (strncmp(name, group, glen) != 0 || name[glen] != '.')
				continue;
			name += glen + 1;
		}
		if (strchr(name, '.') != NULL)
			continue;
		text_add(t, "%s%s", first ? "" : ", ", name);
		first = false;
	}
}

static void
report_unknown(struct load_ctx *ctx, const config_setting_t *s,
	       const char *path, const char *group)
{
	char names[512];
	struct text t = { names, sizeof(names), 0, false };
	const char *match = suggest_name(path);

	if (match != NULL) {
		report(ctx, s, "unknown setting, did you mean %s?", match);
		return;
	}
	describe_group(group, &t);
	if (group[0] != '\0')
		report(ctx, s, "unknown setting, valid in %s: %s", group, names);
	else
		report(ctx, s, "unknown setting, valid at the top level: %s",
		       names);
}

/* ---- walk and cross checks ---------------------------------------- */

static void
walk_group(struct load_ctx *ctx, const config_setting_t *group,
	   const char *prefix)
{
	int i, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		char path[256];
		const struct row *row;

		snprintf(path, sizeof(path), "%s%s%s", prefix,
			 prefix[0] != '\0' ? "." : "", config_setting_name(s));
		row = find_row(path);
		if (row == NULL || (row->flags & ROW_OPTION_ONLY)) {
			report_unknown(ctx, s, path, prefix);
			continue;
		}
		if (row->type != ROW_GROUP) {
			apply_setting(ctx, row, s);
			continue;
		}
		if (!config_setting_is_group(s)) {
			report(ctx, s, "must be a group, e.g. %s = { ... };",
			       path);
			continue;
		}
		walk_group(ctx, s, path);
	}
}

static const config_setting_t *
seen(const struct load_ctx *ctx, const char *name)
{
	return ctx->seen[row_index(find_row(name))];
}

/* Settings that are valid alone but not together. */
static void
check_combinations(struct load_ctx *ctx)
{
	const struct c2w_config *cfg = ctx->cfg;
	const config_setting_t *pairs = seen(ctx, "ports.pairs");
	const config_setting_t *tap = seen(ctx, "ports.tap");
	const config_setting_t *idle = seen(ctx, "flows.idle_timeout_ms");
	const config_setting_t *active = seen(ctx, "flows.active_timeout_ms");

	if (pairs != NULL && cfg->mode == C2W_MODE_TAP)
		report(ctx, pairs, "not used when mode = \"tap\", list the "
		       "ports to receive on in ports.tap");
	if (tap != NULL && cfg->mode == C2W_MODE_INLINE)
		report(ctx, tap, "only used when mode = \"tap\", inline mode "
		       "takes ports.pairs");

	if (cfg->idle_timeout_ms <= cfg->active_timeout_ms)
		return;
	if (idle != NULL)
		report(ctx, idle, "must not exceed flows.active_timeout_ms "
		       "(%u)", cfg->active_timeout_ms);
	else if (active != NULL)
		report(ctx, active, "must be at least flows.idle_timeout_ms "
		       "(%u)", cfg->idle_timeout_ms);
}

/* Free the lists that lost: the caller's on success, the copy's new
 * ones on failure. */
static void
release_lists(struct load_ctx *ctx, struct c2w_config *loser)
{
	size_t i;

	for (i = 0; i < N_ROWS; i++) {
		const struct row *row = &rows[i];

		if (!ctx->replaced[i])
			continue;
		free_paths((char **)((char *)loser + row->offset),
			   *(unsigned *)((char *)loser + row->count_offset));
	}
}

/* Open the file once before libconfig does, to name what is wrong in
 * words libconfig does not have: a directory, or a UTF-8 byte order
 * mark that its parser reports as a bare syntax error. */
static int
open_check(const char *path, FILE *err)
{
	unsigned char head[3];
	struct stat st;
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL) {
		rc = -errno;
		fprintf(err, "%s: cannot open config file: %s\n", path,
			strerror(-rc));
		return rc;
	}
	rc = 0;
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(err, "%s: not a regular file: give the path of a "
			"config file\n", path);
		rc = -EISDIR;
	} else if (fread(head, 1, sizeof(head), f) == sizeof(head) &&
		   head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf) {
		fprintf(err, "%s:1: file starts with a UTF-8 byte order mark, "
			"which libconfig cannot read: save it without one\n",
			path);
		rc = -EINVAL;
	}
	fclose(f);
	return rc;
}

int
c2w_config_load(struct c2w_config *cfg, const char *path, FILE *err)
{
	struct c2w_config next = *cfg;
	struct load_ctx ctx = { .cfg = &next, .err = err };
	char dir[PATH_MAX];
	config_t lc;
	int rc;

	if (strlen(path) >= sizeof(cfg->file)) {
		fprintf(err, "%s: config file name too long, max %zu bytes\n",
			path, sizeof(cfg->file) - 1);
		return -ENAMETOOLONG;
	}
	rc = open_check(path, err);
	if (rc != 0)
		return rc;

	config_init(&lc);
	/* @include names are relative to the including file's directory,
	 * like table paths. */
	dir_of(path, dir, sizeof(dir));
	config_set_include_dir(&lc, dir);
	if (config_read_file(&lc, path) != CONFIG_TRUE) {
		const char *file = config_error_file(&lc);

		fprintf(err, "%s:%d: %s\n", file != NULL ? file : path,
			config_error_line(&lc), config_error_text(&lc));
		rc = config_error_type(&lc) == CONFIG_ERR_FILE_IO ? -EIO :
		     -EINVAL;
		goto out_destroy;
	}

	walk_group(&ctx, config_root_setting(&lc), "");
	check_combinations(&ctx);
	if (ctx.no_memory) {
		fprintf(err, "%s: out of memory while loading\n", path);
		rc = -ENOMEM;
		goto out_release_new;
	}
	if (ctx.errors > 0) {
		fprintf(err, "%s: %u invalid setting%s\n", path, ctx.errors,
			ctx.errors == 1 ? "" : "s");
		rc = -EINVAL;
		goto out_release_new;
	}

	release_lists(&ctx, cfg);
	snprintf(next.file, sizeof(next.file), "%s", path);
	*cfg = next;
	rc = 0;
	goto out_destroy;

out_release_new:
	release_lists(&ctx, &next);
out_destroy:
	config_destroy(&lc);
	return rc;
}

/* ---- command-line values ------------------------------------------ */

/* Decimal digits only: no sign, space, base prefix or suffix. */
static bool
parse_decimal(const char *s, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*v = n;
	return true;
}

int
c2w_config_set(struct c2w_config *cfg, const char *name, const char *value,
	       const char *label, FILE *err)
{
	const struct row *row = find_row(name);
	char accepted[160];
	struct text t = { accepted, sizeof(accepted), 0, false };
	const char *printed = value[0] != '\0' ? value : "\"\"";
	uint64_t v;
	int e;

	if (row == NULL)
		return -ENOENT;
	switch (row->type) {
	case ROW_UINT:
		if (parse_decimal(value, &v) && uint_in_range(row, v)) {
			store_uint(cfg, row, v);
			return 0;
		}
		describe_uint(row, true, &t);
		fprintf(err, "%s %s: must be %s\n", label, printed, accepted);
		return -EINVAL;
	case ROW_ENUM:
		e = enum_index(row, value);
		if (e >= 0) {
			store_enum(cfg, row, e);
			return 0;
		}
		describe_enum(row, &t);
		fprintf(err, "%s %s: must be %s\n", label, printed, accepted);
		return -EINVAL;
	case ROW_URL:
		if (c2w_config_check_url(value, accepted, sizeof(accepted))
		    == 0) {
			snprintf(cfg->ipfix_url, sizeof(cfg->ipfix_url), "%s",
				 value);
			return 0;
		}
		fprintf(err, "%s %s: %s, %s\n", label, printed, accepted,
			URL_ACCEPTED);
		return -EINVAL;
	case ROW_PATH:
		if (strlen(value) < row->size) {
			snprintf((char *)cfg + row->offset, row->size, "%s",
				 value);
			return 0;
		}
		fprintf(err, "%s %s: path too long, max %zu bytes\n", label,
			printed, row->size - 1);
		return -EINVAL;
	default:
		return -ENOENT;
	}
}

/* ---- --check output ----------------------------------------------- */

static void
print_paths(char *const *paths, unsigned n, FILE *out)
{
	unsigned i;

	fputc('[', out);
	for (i = 0; i < n; i++)
		fprintf(out, "%s\"%s\"", i > 0 ? ", " : "", paths[i]);
	fputs("]\n", out);
}

static void
print_ports(const struct c2w_config *cfg, const struct row *row, FILE *out)
{
	bool tap = cfg->mode == C2W_MODE_TAP;
	unsigned i;

	if (tap != (row->type == ROW_TAP))
		return;
	fprintf(out, "%s = ", row->name);
	if (!cfg->pairs_set) {
		fputs(tap ? "auto (every port)\n" :
		      "auto (ports 0-1, 2-3, ... by port id)\n", out);
		return;
	}
	fputs(tap ? "[" : "( ", out);
	for (i = 0; i < cfg->n_pairs; i++) {
		if (tap)
			fprintf(out, "%s%u", i > 0 ? ", " : "", cfg->pairs[i].a);
		else
			fprintf(out, "%s[%u, %u]", i > 0 ? ", " : "",
				cfg->pairs[i].a, cfg->pairs[i].b);
	}
	fputs(tap ? "]\n" : " )\n", out);
}

static void
print_lcores(const struct c2w_config *cfg, FILE *out)
{
	unsigned i;

	fputs("workers.lcores = ", out);
	if (!cfg->worker_lcores_set) {
		fprintf(out, "auto (%u worker%s on the next enabled lcores)\n",
			cfg->n_workers, cfg->n_workers == 1 ? "" : "s");
		return;
	}
	fputc('[', out);
	for (i = 0; i < cfg->n_workers; i++)
		fprintf(out, "%s%u", i > 0 ? ", " : "", cfg->worker_lcores[i]);
	fputs("]\n", out);
}

static void
print_row(const struct c2w_config *cfg, const struct row *row, FILE *out)
{
	const char *base = (const char *)cfg + row->offset;

	switch (row->type) {
	case ROW_UINT:
		fprintf(out, "%s = %llu\n", row->name,
			(unsigned long long)load_uint(cfg, row));
		break;
	case ROW_BOOL:
		fprintf(out, "%s = %s\n", row->name,
			*(const bool *)base ? "true" : "false");
		break;
	case ROW_ENUM:
		fprintf(out, "%s = \"%s\"\n", row->name,
			row->names[load_enum(cfg, row)]);
		break;
	case ROW_URL:
	case ROW_PATH:
		fprintf(out, "%s = \"%s\"\n", row->name, base);
		break;
	case ROW_PATHS:
		fprintf(out, "%s = ", row->name);
		print_paths((char *const *)base,
			    *(const unsigned *)((const char *)cfg +
						row->count_offset), out);
		break;
	case ROW_LCORES:
		print_lcores(cfg, out);
		break;
	case ROW_PAIRS:
	case ROW_TAP:
		print_ports(cfg, row, out);
		break;
	case ROW_RULES:
		print_rules(cfg, out);
		break;
	case ROW_GROUP:
		break;
	}
}

void
c2w_config_print(const struct c2w_config *cfg, FILE *out)
{
	size_t i;

	if (cfg->file[0] != '\0')
		fprintf(out, "# config file: %s\n", cfg->file);
	else
		fputs("# config file: none, built-in defaults\n", out);
	for (i = 0; i < N_ROWS; i++)
		print_row(cfg, &rows[i], out);
}
