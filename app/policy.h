/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_POLICY_H
#define C2W_POLICY_H

/*
 * Policy rules: each indicator takes the action of the first rule it
 * matches (struct c2w_ioc.action); indicators no rule matches keep the
 * global policy.action. Applied off the fast path, when tables are
 * loaded or reloaded, so a worker reads one byte per match.
 */

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "feed.h"

/**
 * Set the action of every indicator of a set from the rules of cfg.
 *
 * @param cfg
 *   Rules (cfg->rules, cfg->n_rules).
 * @param set
 *   Indicators; only their action field changes.
 * @param counts
 *   Array of cfg->n_rules + 1 counters: counts[i] is set to the
 *   indicators rule i took, counts[n_rules] to those no rule took.
 */
void c2w_policy_apply(const struct c2w_config *cfg, struct c2w_ioc_set *set,
		      uint64_t *counts);

/**
 * Print one line per rule with the indicators it took, then the default.
 *
 * @param cfg
 *   Rules and the global action.
 * @param counts
 *   As filled by c2w_policy_apply().
 * @param out
 *   Stream.
 */
void c2w_policy_print(const struct c2w_config *cfg, const uint64_t *counts,
		      FILE *out);

#endif /* C2W_POLICY_H */
