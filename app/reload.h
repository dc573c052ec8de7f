/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_RELOAD_H
#define C2W_RELOAD_H

/*
 * Live reload of the indicator and allowlist tables. A control thread
 * reads the feeds and builds new tables while the workers run on the old
 * ones. It publishes each with one pointer store and waits until every
 * worker has passed a quiescent state (rte_rcu_qsbr); only then does it
 * free the old tables. A reload that fails leaves the old tables in
 * place.
 */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "worker.h"

struct c2w_reload;

/* Counters of the reloads so far. */
struct c2w_reload_stats {
	uint64_t done;         /* tables replaced */
	uint64_t failed;       /* reloads that kept the old tables */
	uint64_t requests;     /* SIGHUP and telemetry requests; those that
				* arrive while one waits or runs join it */
	uint64_t last_ms;      /* duration of the last reload */
	int last_result;       /* 0 or the negative errno of the last one */
};

/**
 * Set up reloads: the RCU variable the workers report to, one thread id
 * per worker, registered here.
 *
 * @param rt
 *   Runtime whose table pointers reloads replace; rt->qsv is set.
 * @param cfg
 *   Settings naming the feed files; must outlive the reload object.
 * @param n_workers
 *   Workers that will report quiescent states with ids 0..n_workers-1.
 * @param out
 *   Set to the new object.
 * @return
 *   0 on success, -ENOMEM, or -EINVAL if the RCU variable cannot be set
 *   up for n_workers threads.
 */
int c2w_reload_create(struct c2w_runtime *rt, const struct c2w_config *cfg,
		      unsigned n_workers, struct c2w_reload **out);

/**
 * Ask for a reload. Safe from a signal handler and from any thread: it
 * only sets a flag that c2w_reload_poll() acts on.
 */
void c2w_reload_request(struct c2w_reload *r);

/**
 * Start a requested reload when none is running, and report a finished
 * one ("tables: reloaded in N ms" or why it failed). Called by main in
 * its loop; never blocks on the reload itself.
 *
 * @return
 *   1 if a reload finished in this call, 0 otherwise.
 */
int c2w_reload_poll(struct c2w_reload *r);

/** True while a reload thread runs or a request waits. */
bool c2w_reload_busy(const struct c2w_reload *r);

/** Copy the reload counters. */
void c2w_reload_get_stats(const struct c2w_reload *r,
			  struct c2w_reload_stats *st);

/**
 * Register the telemetry commands /c2wall/reload, which requests a
 * reload and returns the counters, and /c2wall/reload_status, which only
 * returns them. r must outlive the EAL.
 *
 * @return
 *   0 on success, the negative errno of rte_telemetry_register_cmd.
 */
int c2w_reload_telemetry_register(struct c2w_reload *r);

/** Wait for a running reload, then free the object; NULL is allowed. */
void c2w_reload_destroy(struct c2w_reload *r);

#endif /* C2W_RELOAD_H */
