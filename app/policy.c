/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "policy.h"

/* Is tag one of the comma-separated tags, ignoring case and spaces? */
static bool
policy_has_tag(const char *tags, const char *tag)
{
	size_t len = strlen(tag);
	const char *p = tags;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == len && strncasecmp(p, tag, len) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

/* Does the indicator come from a feed file of that name? Its source is
 * "path:line". */
static bool
policy_from_table(const char *source, const char *table)
{
	const char *colon = strrchr(source, ':');
	const char *slash;
	size_t len;

	len = colon != NULL ? (size_t)(colon - source) : strlen(source);
	slash = memrchr(source, '/', len);
	if (slash != NULL) {
		len -= (size_t)(slash + 1 - source);
		source = slash + 1;
	}
	return strlen(table) == len && strncmp(source, table, len) == 0;
}

static bool
policy_rule_matches(const struct c2w_policy_rule *r,
		    const struct c2w_ioc_set *set, const struct c2w_ioc *ioc)
{
	if (ioc->confidence < r->min_confidence)
		return false;
	if (r->threat_type[0] != '\0' &&
	    strcasecmp(c2w_ioc_str(set, ioc->threat_type), r->threat_type))
		return false;
	if (r->malware[0] != '\0' &&
	    strcasecmp(c2w_ioc_str(set, ioc->malware), r->malware))
		return false;
	if (r->tag[0] != '\0' &&
	    !policy_has_tag(c2w_ioc_str(set, ioc->tags), r->tag))
		return false;
	if (r->table[0] != '\0' &&
	    !policy_from_table(c2w_ioc_str(set, ioc->source), r->table))
		return false;
	return true;
}

void
c2w_policy_apply(const struct c2w_config *cfg, struct c2w_ioc_set *set,
		 uint64_t *counts)
{
	size_t i;
	unsigned r;

	memset(counts, 0, (cfg->n_rules + 1) * sizeof(*counts));
	for (i = 0; i < set->n; i++) {
		struct c2w_ioc *ioc = &set->v[i];

		ioc->action = C2W_IOC_ACTION_DEFAULT;
		for (r = 0; r < cfg->n_rules; r++)
			if (policy_rule_matches(&cfg->rules[r], set, ioc))
				break;
		counts[r]++;
		if (r < cfg->n_rules)
			ioc->action = cfg->rules[r].action;
	}
}

/* "threat_type botnet_cc, malware Remcos, confidence >= 75" */
static void
policy_describe(const struct c2w_policy_rule *p, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (p->table[0] != '\0')
		n += (size_t)snprintf(buf + n, size - n, "table %s, ", p->table);
	if (p->threat_type[0] != '\0' && n < size)
		n += (size_t)snprintf(buf + n, size - n, "threat_type %s, ",
				      p->threat_type);
	if (p->malware[0] != '\0' && n < size)
		n += (size_t)snprintf(buf + n, size - n, "malware %s, ",
				      p->malware);
	if (p->tag[0] != '\0' && n < size)
		n += (size_t)snprintf(buf + n, size - n, "tag %s, ", p->tag);
	if (n < size)
		snprintf(buf + n, size - n, "confidence >= %u",
			 p->min_confidence);
}

void
c2w_policy_print(const struct c2w_config *cfg, const uint64_t *counts,
		 FILE *out)
{
	static const char *const names[] = {
		[C2W_IOC_ACTION_DEFAULT] = "default",
		[C2W_IOC_ACTION_BLOCK] = "block",
		[C2W_IOC_ACTION_ALERT] = "alert",
		[C2W_IOC_ACTION_IGNORE] = "ignore",
	};
	char what[256];
	unsigned r;

	for (r = 0; r < cfg->n_rules; r++) {
		policy_describe(&cfg->rules[r], what, sizeof(what));
		fprintf(out, "policy: rule %u (line %u: %s) %s: %" PRIu64
			" indicators\n", r + 1, cfg->rules[r].line, what,
			names[cfg->rules[r].action], counts[r]);
	}
	fprintf(out, "policy: no rule, policy.action %s: %" PRIu64
		" indicators\n", cfg->action == C2W_ACTION_BLOCK ? "block" :
		"alert", counts[cfg->n_rules]);
}
