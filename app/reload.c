/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_telemetry.h>

#include "reload.h"
#include "tables.h"

struct c2w_reload {
	struct c2w_runtime *rt;
	const struct c2w_config *cfg;
	struct rte_rcu_qsbr *qsv;
	pthread_t thread;
	bool running;             /* thread started and not joined; main */
	int requested;            /* atomic: a reload was asked for */
	int finished;             /* atomic: set by the thread at its end */
	int result;               /* written by the thread before finished */
	uint64_t ms;
	struct c2w_reload_stats st;
};

static uint64_t
reload_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
c2w_reload_create(struct c2w_runtime *rt, const struct c2w_config *cfg,
		  unsigned n_workers, struct c2w_reload **out)
{
	struct c2w_reload *r;
	size_t size;
	unsigned i;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	size = rte_rcu_qsbr_get_memsize(n_workers);
	r->qsv = rte_zmalloc("c2w_qsbr", size, RTE_CACHE_LINE_SIZE);
	if (r->qsv == NULL) {
		free(r);
		return -ENOMEM;
	}
	if (rte_rcu_qsbr_init(r->qsv, n_workers) != 0)
		goto out_free;
	for (i = 0; i < n_workers; i++)
		if (rte_rcu_qsbr_thread_register(r->qsv, i) != 0)
			goto out_free;
	r->rt = rt;
	r->cfg = cfg;
	rt->qsv = r->qsv;
	*out = r;
	return 0;

out_free:
	rte_free(r->qsv);
	free(r);
	return -EINVAL;
}

/* Swap in the new tables, wait for every worker to let go of the old
 * ones, then free them. */
static void
reload_publish(struct c2w_reload *r, struct c2w_ioc_table *iocs,
	       struct c2w_ioc_table *allow)
{
	struct c2w_runtime *rt = r->rt;
	struct c2w_ioc_table *old_iocs, *old_allow;
	uint64_t token;

	/* The allowlist first: a worker that reads the new IOC table then
	 * reads the new allowlist too. Flows compare the IOC table's
	 * generation with the one they were judged with. */
	old_allow = __atomic_exchange_n(&rt->allow, allow, __ATOMIC_RELEASE);
	old_iocs = __atomic_exchange_n(&rt->iocs, iocs, __ATOMIC_RELEASE);

	token = rte_rcu_qsbr_start(r->qsv);
	rte_rcu_qsbr_check(r->qsv, token, true);
	c2w_ioc_table_free(old_iocs);
	c2w_ioc_table_free(old_allow);
}

static void *
reload_thread(void *arg)
{
	struct c2w_reload *r = arg;
	struct c2w_ioc_table *iocs, *allow;
	uint64_t start = reload_now_ms();
	int ret;

	ret = c2w_tables_load(r->cfg, &iocs, &allow);
	if (ret == 0)
		reload_publish(r, iocs, allow);
	r->result = ret;
	r->ms = reload_now_ms() - start;
	__atomic_store_n(&r->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

void
c2w_reload_request(struct c2w_reload *r)
{
	__atomic_fetch_add(&r->st.requests, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&r->requested, 1, __ATOMIC_RELAXED);
}

bool
c2w_reload_busy(const struct c2w_reload *r)
{
	return r->running || __atomic_load_n(&r->requested, __ATOMIC_RELAXED);
}

static int
reload_finish(struct c2w_reload *r)
{
	if (!__atomic_load_n(&r->finished, __ATOMIC_ACQUIRE))
		return 0;
	pthread_join(r->thread, NULL);
	r->running = false;
	r->st.last_ms = r->ms;
	r->st.last_result = r->result;
	if (r->result == 0) {
		r->st.done++;
		printf("tables: reloaded in %" PRIu64 " ms\n", r->ms);
	} else {
		r->st.failed++;
		printf("tables: reload failed after %" PRIu64 " ms (%s, the "
		       "reason is above): the previous tables stay in use\n",
		       r->ms, strerror(-r->result));
	}
	fflush(stdout);
	return 1;
}

int
c2w_reload_poll(struct c2w_reload *r)
{
	int finished = 0;
	int ret;

	if (r->running)
		finished = reload_finish(r);
	if (r->running || !__atomic_exchange_n(&r->requested, 0,
					       __ATOMIC_ACQUIRE))
		return finished;

	r->finished = 0;
	ret = rte_ctrl_thread_create(&r->thread, "c2w-reload", NULL,
				     reload_thread, r);
	if (ret != 0) {
		r->st.failed++;
		fprintf(stderr, "tables: cannot start the reload thread: %s\n",
			strerror(ret));
		return finished;
	}
	r->running = true;
	return finished;
}

void
c2w_reload_get_stats(const struct c2w_reload *r, struct c2w_reload_stats *st)
{
	*st = r->st;
}

static struct c2w_reload *reload_telemetry;

static void
reload_tel_stats(const struct c2w_reload *r, struct rte_tel_data *d)
{
	rte_tel_data_add_dict_u64(d, "done", r->st.done);
	rte_tel_data_add_dict_u64(d, "failed", r->st.failed);
	rte_tel_data_add_dict_u64(d, "requests", r->st.requests);
	rte_tel_data_add_dict_u64(d, "last_ms", r->st.last_ms);
	rte_tel_data_add_dict_int(d, "last_result", r->st.last_result);
	rte_tel_data_add_dict_int(d, "running", r->running);
}

static int
reload_tel_status(const char *cmd __rte_unused,
		  const char *params __rte_unused, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	reload_tel_stats(reload_telemetry, d);
	return 0;
}

static int
reload_tel(const char *cmd __rte_unused, const char *params __rte_unused,
	   struct rte_tel_data *d)
{
	struct c2w_reload *r = reload_telemetry;

	c2w_reload_request(r);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "requested", 1);
	reload_tel_stats(r, d);
	return 0;
}

int
c2w_reload_telemetry_register(struct c2w_reload *r)
{
	int ret;

	reload_telemetry = r;
	ret = rte_telemetry_register_cmd("/c2wall/reload", reload_tel,
		"Reload the indicator tables; returns the reload counters "
		"before this request. No parameters");
	if (ret != 0)
		return ret;
	return rte_telemetry_register_cmd("/c2wall/reload_status",
		reload_tel_status, "Reload counters. No parameters");
}

void
c2w_reload_destroy(struct c2w_reload *r)
{
	if (r == NULL)
		return;
	if (r->running) {
		pthread_join(r->thread, NULL);
		reload_finish(r);
	}
	rte_free(r->qsv);
	free(r);
}
