/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_memory.h>

#include "feed.h"
#include "policy.h"
#include "tables.h"

static void
tables_print_stats(const char *what, const struct c2w_feed_stats *st)
{
	printf("%s: %" PRIu64 " loaded (ip:port %" PRIu64 ", ip %" PRIu64
	       ", cidr %" PRIu64 "), %" PRIu64 " duplicates merged, %" PRIu64
	       " rejected\n", what, st->loaded, st->by_kind[C2W_IOC_IP_PORT],
	       st->by_kind[C2W_IOC_IP], st->by_kind[C2W_IOC_CIDR],
	       st->duplicates, st->rejected);
	if (st->by_kind[C2W_IOC_DOMAIN] + st->by_kind[C2W_IOC_URL] +
	    st->by_kind[C2W_IOC_HASH] + st->by_kind[C2W_IOC_OTHER] > 0)
		printf("%s: not enforced yet: domain %" PRIu64 ", url %" PRIu64
		       ", hash %" PRIu64 ", other %" PRIu64 "\n", what,
		       st->by_kind[C2W_IOC_DOMAIN], st->by_kind[C2W_IOC_URL],
		       st->by_kind[C2W_IOC_HASH], st->by_kind[C2W_IOC_OTHER]);
	fflush(stdout);
}

/* Read one list of feed files and build its table. */
static int
tables_load_one(const struct c2w_config *cfg, const char *what,
		char *const *files, unsigned n, bool rules,
		struct c2w_ioc_table **out)
{
	struct c2w_feed_opts opts = {
		.format = C2W_FEED_AUTO,
		.strict = cfg->strict,
		.report = stderr,
		.max_age_s = (uint64_t)cfg->max_age_days * 86400,
		.age_by = cfg->age_by == C2W_AGE_FIRST_SEEN ?
			  C2W_FEED_AGE_FIRST_SEEN : C2W_FEED_AGE_LAST_SEEN,
	};
	uint64_t counts[C2W_MAX_RULES + 1];
	struct c2w_feed_stats st;
	struct c2w_ioc_set set;
	unsigned i;
	int ret;

	memset(&st, 0, sizeof(st));
	c2w_ioc_set_init(&set);
	for (i = 0; i < n; i++) {
		struct c2w_feed_stats before = st;

		ret = c2w_feed_load(files[i], &opts, &set, &st);
		if (ret == -EINVAL) {
			/* The reader has printed the record at fault. */
			fprintf(stderr, "%s: %s: not loaded\n", what, files[i]);
			goto out_free_set;
		}
		if (ret != 0) {
			fprintf(stderr, "%s: %s: cannot load: %s\n", what,
				files[i], strerror(-ret));
			goto out_free_set;
		}
		if (st.loaded == before.loaded &&
		    st.duplicates == before.duplicates &&
		    st.aged == before.aged &&
		    st.rejected > before.rejected) {
			fprintf(stderr, "%s: %s: every record rejected: not an "
				"indicator feed, or a format c2wall does not "
				"read (see docs/feeds.md)\n", what, files[i]);
			ret = -EINVAL;
			goto out_free_set;
		}
	}
	/* An empty or cut-off indicator feed would silently unblock
	 * everything, at start or at a reload: refuse it. An empty
	 * allowlist only blocks more, so it stays valid. */
	if (rules && n > 0 && st.loaded + st.duplicates + st.aged == 0) {
		fprintf(stderr, "%s: no indicator in %s: an empty or cut-off "
			"feed is refused; remove it from the list to run "
			"without indicators\n", what,
			n == 1 ? files[0] : "the feed files");
		ret = -ENODATA;
		goto out_free_set;
	}
	tables_print_stats(what, &st);
	if (st.aged > 0)
		printf("%s: %" PRIu64 " indicators older than %u days "
		       "dropped\n", what, st.aged, cfg->max_age_days);
	if (rules) {
		c2w_policy_apply(cfg, &set, counts);
		c2w_policy_print(cfg, counts, stdout);
	}
	ret = c2w_ioc_table_build(&set, what, SOCKET_ID_ANY, out);
	if (ret != 0) {
		fprintf(stderr, "%s: cannot build lookup table: %s\n", what,
			strerror(-ret));
		goto out_free_set;
	}
	return 0;

out_free_set:
	c2w_ioc_set_free(&set);
	return ret;
}

int
c2w_tables_load(const struct c2w_config *cfg, struct c2w_ioc_table **iocs,
		struct c2w_ioc_table **allow)
{
	struct c2w_ioc_table *new_iocs = NULL, *new_allow = NULL;
	int ret;

	if (cfg->n_iocs == 0)
		fprintf(stderr, "iocs: no indicator file given: nothing will "
			"match; use --iocs FILE or tables.iocs\n");
	ret = tables_load_one(cfg, "iocs", cfg->iocs, cfg->n_iocs, true,
			      &new_iocs);
	if (ret != 0)
		return ret;
	ret = tables_load_one(cfg, "allow", cfg->allow, cfg->n_allow, false,
			      &new_allow);
	if (ret != 0) {
		c2w_ioc_table_free(new_iocs);
		return ret;
	}
	*iocs = new_iocs;
	*allow = new_allow;
	return 0;
}
