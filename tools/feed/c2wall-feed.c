/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * c2wall-feed: merge threat-intel feeds into one binary indicator table
 * that c2wall loads without parsing text, and print a table's header.
 *
 * Exit status: 0 success, 1 a feed or table could not be read or
 * written, 2 invalid command line.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"
#include "feedbin.h"

#define EXIT_DATA 1
#define EXIT_USAGE 2

/* Upper bound of --max-age: 100 years, far beyond any feed's history. */
#define FEED_TOOL_MAX_AGE_DAYS 36500

struct tool_args {
	bool allow;
	bool strict;
	bool dry_run;
	uint64_t max_age_days;
	const char *out;
	const char *info;
	char **feeds;
	int n_feeds;
};

/* Distinct threat types and how many indicators carry each. */
struct tool_count {
	const char *name;
	uint64_t n;
};

struct tool_counts {
	struct tool_count *v;
	size_t mask;               /* slot count - 1 */
	size_t used;
};

static void
tool_usage(FILE *f)
{
	fprintf(f,
		"usage: c2wall-feed [--allow] [--max-age DAYS] [--strict] -o OUT.c2wt FEED...\n"
		"       c2wall-feed [--max-age DAYS] [--strict] --dry-run FEED...\n"
		"       c2wall-feed --info TABLE.c2wt\n"
		"\n"
		"Merge ThreatFox CSV and JSON exports, API responses and plain\n"
		"indicator lists into one deduplicated binary table that c2wall\n"
		"reads with --iocs or --allow like any feed, faster than text.\n"
		"\n"
		"  -o, --output FILE  table to write; replaced atomically\n"
		"      --allow        mark the table as an allowlist (shown by --info)\n"
		"      --max-age DAYS drop indicators last seen (or, without a last\n"
		"                     seen time, first seen) more than DAYS days ago;\n"
		"                     indicators without any time are kept\n"
		"      --strict       fail on the first invalid record\n"
		"  -n, --dry-run      load and report, write no table\n"
		"      --info FILE    print a table's header, counts and checksum status\n"
		"  -h, --help         print this help\n"
		"\n"
		"Exit status: 0 success, 1 a feed or table could not be read or\n"
		"written, 2 invalid command line.\n");
}

static int
tool_parse_days(const char *text, uint64_t *days)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
	    v == 0 || v > FEED_TOOL_MAX_AGE_DAYS) {
		fprintf(stderr, "c2wall-feed: --max-age %s: invalid, expected "
			"a whole number of days 1..%u\n", text,
			FEED_TOOL_MAX_AGE_DAYS);
		return -EINVAL;
	}
	*days = v;
	return 0;
}

static int
tool_parse_args(int argc, char **argv, struct tool_args *a)
{
	static const struct option longopts[] = {
		{ "allow", no_argument, NULL, 'a' },
		{ "max-age", required_argument, NULL, 'm' },
		{ "strict", no_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "info", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	while ((c = getopt_long(argc, argv, "o:nh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			a->allow = true;
			break;
		case 'm':
			if (tool_parse_days(optarg, &a->max_age_days) < 0)
				return -EINVAL;
			break;
		case 's':
			a->strict = true;
			break;
		case 'n':
			a->dry_run = true;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'i':
			a->info = optarg;
			break;
		case 'h':
			tool_usage(stdout);
			return 1;
		default:
			tool_usage(stderr);
			return -EINVAL;
		}
	}
	a->feeds = argv + optind;
	a->n_feeds = argc - optind;
	if (a->info != NULL && (a->out != NULL || a->n_feeds > 0)) {
		fprintf(stderr, "c2wall-feed: --info takes one table and no "
			"other files\n");
		return -EINVAL;
	}
	if (a->dry_run && (a->out != NULL || a->info != NULL)) {
		fprintf(stderr, "c2wall-feed: --dry-run writes nothing: drop -o "
			"and --info\n");
		return -EINVAL;
	}
	if (a->info == NULL && a->n_feeds == 0) {
		fprintf(stderr, "c2wall-feed: missing FEED: see c2wall-feed "
			"--help\n");
		return -EINVAL;
	}
	if (a->info == NULL && !a->dry_run && a->out == NULL) {
		fprintf(stderr, "c2wall-feed: missing -o OUT: see c2wall-feed "
			"--help\n");
		return -EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Counts per threat type                                            */
/* ---------------------------------------------------------------- */

static int
tool_counts_grow(struct tool_counts *c)
{
	size_t cap = c->v == NULL ? 64 : (c->mask + 1) * 2, i, j;
	struct tool_count *v = calloc(cap, sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	for (i = 0; c->v != NULL && i <= c->mask; i++) {
		if (c->v[i].name == NULL)
			continue;
		j = c2w_feedbin_xxh64(c->v[i].name, strlen(c->v[i].name), 0) &
		    (cap - 1);
		while (v[j].name != NULL)
			j = (j + 1) & (cap - 1);
		v[j] = c->v[i];
	}
	free(c->v);
	c->v = v;
	c->mask = cap - 1;
	return 0;
}

static int
tool_counts_add(struct tool_counts *c, const char *name)
{
	size_t j;

	if (c->v == NULL || (c->used + 1) * 2 > c->mask + 1) {
		if (tool_counts_grow(c) < 0)
			return -ENOMEM;
	}
	j = c2w_feedbin_xxh64(name, strlen(name), 0) & c->mask;
	for (; c->v[j].name != NULL; j = (j + 1) & c->mask) {
		if (strcmp(c->v[j].name, name) == 0) {
			c->v[j].n++;
			return 0;
		}
	}
	c->v[j].name = name;
	c->v[j].n = 1;
	c->used++;
	return 0;
}

/* Most frequent first, then by name, so the output is stable. */
static int
tool_count_cmp(const void *a, const void *b)
{
	const struct tool_count *x = a, *y = b;

	if (x->name == NULL || y->name == NULL)
		return (x->name == NULL) - (y->name == NULL);
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
tool_print_threat_types(const struct c2w_ioc_set *set)
{
	struct tool_counts c = { 0 };
	const char *name;
	size_t i;

	for (i = 0; i < set->n; i++) {
		name = c2w_ioc_str(set, set->v[i].threat_type);
		if (tool_counts_add(&c, name[0] != '\0' ? name : "(none)") < 0) {
			free(c.v);
			fprintf(stderr, "c2wall-feed: out of memory\n");
			return -ENOMEM;
		}
	}
	if (c.v != NULL)
		qsort(c.v, c.mask + 1, sizeof(*c.v), tool_count_cmp);
	printf("by threat type:");
	for (i = 0; i < c.used; i++)
		printf("%s %s %" PRIu64, i == 0 ? "" : ",", c.v[i].name, c.v[i].n);
	printf("%s\n", c.used == 0 ? " none" : "");
	free(c.v);
	return 0;
}

static void
tool_print_kinds(const char *what, const uint64_t *by_kind)
{
	unsigned k;

	printf("%s:", what);
	for (k = 0; k < C2W_IOC_KIND_MAX; k++)
		printf("%s %s %" PRIu64, k == 0 ? "" : ",",
		       c2w_ioc_kind_name((enum c2w_ioc_kind)k), by_kind[k]);
	printf("\n");
}

/* ---------------------------------------------------------------- */
/* Merge                                                             */
/* ---------------------------------------------------------------- */

static int
tool_load_feeds(const struct tool_args *a, struct c2w_ioc_set *set,
		struct c2w_feed_stats *total)
{
	struct c2w_feed_opts opts = {
		.format = C2W_FEED_AUTO,
		.strict = a->strict,
		.report = stderr,
		.max_age_s = a->max_age_days * 86400,
	};
	struct c2w_feed_stats st;
	struct timespec t0, t1;
	int i, rc;

	for (i = 0; i < a->n_feeds; i++) {
		memset(&st, 0, sizeof(st));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = c2w_feed_load(a->feeds[i], &opts, set, &st);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc == -EINVAL) {
			fprintf(stderr, "c2wall-feed: %s: not loaded, nothing "
				"written\n", a->feeds[i]);
			return rc;
		}
		if (rc < 0) {
			fprintf(stderr, "c2wall-feed: %s: cannot load: %s\n",
				a->feeds[i], strerror(-rc));
			return rc;
		}
		printf("%s: %" PRIu64 " new, %" PRIu64 " duplicates, %" PRIu64
		       " rejected, %" PRIu64 " aged, loaded in %.3f s\n",
		       a->feeds[i], st.loaded, st.duplicates, st.rejected,
		       st.aged, (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		/* Same rule as c2wall: a file of nothing but invalid records
		 * is the wrong file, not a feed. */
		if (st.loaded + st.duplicates + st.aged == 0 && st.rejected > 0) {
			fprintf(stderr, "c2wall-feed: %s: every record rejected: "
				"not an indicator feed, nothing written\n",
				a->feeds[i]);
			return -EINVAL;
		}
		total->loaded += st.loaded;
		total->duplicates += st.duplicates;
		total->rejected += st.rejected;
		total->aged += st.aged;
	}
	return 0;
}

static int
tool_merge(const struct tool_args *a)
{
	struct c2w_feed_stats total = { 0 };
	uint64_t by_kind[C2W_IOC_KIND_MAX] = { 0 };
	struct c2w_ioc_set set;
	char err[512];
	size_t i;
	int rc;

	c2w_ioc_set_init(&set);
	rc = tool_load_feeds(a, &set, &total);
	if (rc < 0)
		goto out_free_set;
	for (i = 0; i < set.n; i++)
		by_kind[set.v[i].kind]++;
	printf("total: %zu indicators, %" PRIu64 " duplicates merged, %" PRIu64
	       " rejected, %" PRIu64 " aged\n", set.n, total.duplicates,
	       total.rejected, total.aged);
	tool_print_kinds("by kind", by_kind);
	rc = tool_print_threat_types(&set);
	if (rc < 0 || a->dry_run)
		goto out_free_set;

	rc = c2w_feedbin_write(a->out, &set, a->allow ? C2W_FEEDBIN_FLAG_ALLOW : 0,
			       (int64_t)time(NULL), err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "c2wall-feed: %s\n", err);
		goto out_free_set;
	}
	printf("wrote %s: %zu indicators%s\n", a->out, set.n,
	       a->allow ? ", allowlist" : "");
out_free_set:
	c2w_ioc_set_free(&set);
	return rc;
}

/* ---------------------------------------------------------------- */
/* --info                                                            */
/* ---------------------------------------------------------------- */

static int
tool_read_file(const char *path, uint8_t **data, size_t *len)
{
	size_t cap = 1 << 16, got;
	uint8_t *buf = NULL, *p;
	FILE *f = fopen(path, "rb");
	int rc = 0;

	*len = 0;
	if (f == NULL)
		return -errno;
	for (;;) {
		if (buf == NULL || *len == cap) {
			cap = buf == NULL ? cap : cap * 2;
			p = realloc(buf, cap);
			if (p == NULL) {
				rc = -ENOMEM;
				break;
			}
			buf = p;
		}
		got = fread(buf + *len, 1, cap - *len, f);
		*len += got;
		if (got == 0) {
			rc = ferror(f) ? -EIO : 0;
			break;
		}
	}
	fclose(f);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*data = buf;
	return 0;
}

static void
tool_print_info(const struct c2w_feedbin_info *info, size_t len)
{
	char when[32] = "?";
	time_t t = (time_t)info->created;
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("format version: %u\n", info->version);
	printf("created: %s (%" PRId64 ")\n", when, info->created);
	printf("flags: 0x%" PRIx32 "%s\n", info->flags,
	       info->flags & C2W_FEEDBIN_FLAG_ALLOW ? " allowlist" : "");
	printf("records: %" PRIu64 "\n", info->count);
	printf("string pool: %" PRIu64 " bytes\n", info->pool_len);
	printf("file size: %zu bytes, header promises %" PRIu64 "\n", len,
	       info->file_len);
	tool_print_kinds("by kind", info->by_kind);
}

static int
tool_info(const char *path)
{
	struct c2w_feedbin_info info;
	struct c2w_ioc_set set;
	uint8_t *data = NULL;
	char err[512];
	size_t len = 0;
	int rc;

	rc = tool_read_file(path, &data, &len);
	if (rc < 0) {
		fprintf(stderr, "c2wall-feed: %s: cannot read: %s\n", path,
			strerror(-rc));
		return rc;
	}
	printf("file: %s\n", path);
	rc = c2w_feedbin_info(data, len, &info, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "c2wall-feed: %s: %s\n", path, err);
		goto out_free;
	}
	tool_print_info(&info, len);
	if (!info.body_ok) {
		printf("checksum: 0x%016" PRIx64 ": bad\n", info.body_checksum);
		fprintf(stderr, "c2wall-feed: %s: %s\n", path, err);
		rc = -EINVAL;
		goto out_free;
	}
	/* Decode too, so "ok" also covers the record checks of a load. */
	c2w_ioc_set_init(&set);
	rc = c2w_feedbin_decode(data, len, &set, err, sizeof(err));
	c2w_ioc_set_free(&set);
	printf("checksum: 0x%016" PRIx64 ": %s\n", info.body_checksum,
	       rc == 0 ? "ok" : "ok, but records invalid");
	if (rc < 0)
		fprintf(stderr, "c2wall-feed: %s: %s\n", path, err);
out_free:
	free(data);
	return rc;
}

int
main(int argc, char **argv)
{
	struct tool_args args;
	int rc;

	rc = tool_parse_args(argc, argv, &args);
	if (rc > 0)
		return 0;
	if (rc < 0)
		return EXIT_USAGE;
	if (args.info != NULL)
		rc = tool_info(args.info);
	else
		rc = tool_merge(&args);
	return rc < 0 ? EXIT_DATA : 0;
}
