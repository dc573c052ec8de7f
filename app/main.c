/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * c2wall: inline and tap appliance that drops and reports traffic to
 * threat-intel indicators. main() only sequences the start-up steps, the
 * control loop and the shutdown.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "config.h"
#include "event.h"
#include "exporter.h"
#include "feed.h"
#include "ioc.h"
#include "port.h"
#include "reload.h"
#include "stats.h"
#include "tables.h"
#include "worker.h"

#define EXIT_USAGE 2
/* Flows ended per call at shutdown before the event ring is drained. */
#define MAIN_FLUSH_SLICE 512u
#define MAIN_IDLE_SLEEP_US 1000u
#define MBUF_CACHE 256u

struct app {
	struct c2w_config cfg;
	struct c2w_runtime rt;
	uint16_t ports[C2W_MAX_PORTS];
	unsigned n_ports;
	struct rte_mempool *pool;
	struct c2w_worker *workers[C2W_MAX_WORKERS];
	struct c2w_exporter *exporter;
	struct c2w_stats_ctx stats;
	struct c2w_reload *reload;
	uint8_t end_reason;       /* flowEndReason of flows at shutdown */
};

static struct app app;
static unsigned main_vdev_args;    /* --vdev options given to the EAL */

static volatile sig_atomic_t main_signal;

/* Count the --vdev options before the EAL, which may reorder argv. */
static unsigned
main_count_vdevs(int argc, char **argv)
{
	unsigned n = 0;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--vdev") == 0 ||
		    strncmp(argv[i], "--vdev=", 7) == 0)
			n++;
	return n;
}

static void
main_on_signal(int sig)
{
	main_signal = sig;
	app.rt.quit = true;
}

static volatile sig_atomic_t main_hangup;

static void
main_on_hangup(int sig)
{
	(void)sig;
	main_hangup = 1;
}

static uint64_t
main_wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static int
main_load_tables(struct app *a)
{
	return c2w_tables_load(&a->cfg, &a->rt.iocs, &a->rt.allow);
}

static int
main_port_add(struct app *a, uint16_t port)
{
	unsigned i;

	if (!rte_eth_dev_is_valid_port(port)) {
		fprintf(stderr, "ports: port %u does not exist: %u ports "
			"probed; add --vdev or allow the device\n", port,
			rte_eth_dev_count_avail());
		return -ENODEV;
	}
	for (i = 0; i < a->n_ports; i++)
		if (a->ports[i] == port)
			return 0;
	a->ports[a->n_ports++] = port;
	return 0;
}

/* Without configured pairs, ports pair in id order: 0-1, 2-3, ... */
static int
main_default_pairs(struct app *a)
{
	struct c2w_config *cfg = &a->cfg;
	uint16_t ids[C2W_MAX_PORTS];
	unsigned n = 0, i;
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port) {
		if (n < C2W_MAX_PORTS)
			ids[n++] = port;
	}
	if (n < main_vdev_args) {
		fprintf(stderr, "ports: %u --vdev given but %u ports found: a "
			"virtual device failed to start, see the EAL message "
			"above\n", main_vdev_args, n);
		return -ENODEV;
	}
	if (n == 0) {
		fprintf(stderr, "ports: no DPDK port found: give a NIC or a "
			"virtual device, e.g. --vdev net_pcap0,rx_pcap=in.pcap\n");
		return -ENODEV;
	}
	if (cfg->mode == C2W_MODE_INLINE && n % 2 != 0) {
		fprintf(stderr, "ports: %u ports found, inline mode pairs them "
			"0-1, 2-3, ...: port %u has no pair; add a port, set "
			"ports.pairs, or use --mode tap\n", n, ids[n - 1]);
		return -EINVAL;
	}
	cfg->n_pairs = 0;
	for (i = 0; i < n; i += cfg->mode == C2W_MODE_INLINE ? 2 : 1) {
		cfg->pairs[cfg->n_pairs].a = ids[i];
		cfg->pairs[cfg->n_pairs].b =
			cfg->mode == C2W_MODE_INLINE ? ids[i + 1] : ids[i];
		cfg->n_pairs++;
	}
	return 0;
}

static int
main_select_ports(struct app *a)
{
	struct c2w_config *cfg = &a->cfg;
	unsigned i;
	int ret;

	if (!cfg->pairs_set) {
		ret = main_default_pairs(a);
		if (ret != 0)
			return ret;
	}
	for (i = 0; i < C2W_MAX_PORTS; i++)
		a->rt.egress_of[i] = C2W_NO_PORT;
	for (i = 0; i < cfg->n_pairs; i++) {
		uint16_t pa = cfg->pairs[i].a, pb = cfg->pairs[i].b;

		ret = main_port_add(a, pa);
		if (ret == 0 && cfg->mode == C2W_MODE_INLINE)
			ret = main_port_add(a, pb);
		if (ret != 0)
			return ret;
		if (cfg->mode == C2W_MODE_INLINE) {
			a->rt.egress_of[pa] = pb;
			a->rt.egress_of[pb] = pa;
		}
	}
	return 0;
}

static int
main_create_pool(struct app *a)
{
	const struct c2w_config *cfg = &a->cfg;
	unsigned n = cfg->mbufs;

	if (n == 0)
		n = a->n_ports * cfg->n_workers * (cfg->rx_desc + cfg->tx_desc) +
		    cfg->n_workers * (MBUF_CACHE + C2W_BURST_MAX *
				      (a->n_ports + 1)) + 8192;
	a->pool = rte_pktmbuf_pool_create("c2w_mbufs", n, MBUF_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (a->pool == NULL) {
		fprintf(stderr, "mbufs: cannot create a pool of %u mbufs: %s; "
			"lower --mbufs or reserve more hugepages\n", n,
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static bool
main_port_wants_ts(const struct c2w_config *cfg, uint16_t port)
{
	struct rte_eth_dev_info info;

	/* Only net_pcap stamps packets with Unix time (their capture
	 * time); NIC timestamps count device clock ticks. */
	if (cfg->clock != C2W_CLOCK_AUTO)
		return false;
	if (rte_eth_dev_info_get(port, &info) != 0)
		return false;
	return strcmp(info.driver_name, "net_pcap") == 0;
}

static int
main_start_ports(struct app *a)
{
	bool has_ts, want_ts, any_ts = false;
	unsigned i;
	int ret;

	for (i = 0; i < a->n_ports; i++) {
		want_ts = main_port_wants_ts(&a->cfg, a->ports[i]);
		ret = c2w_port_start(a->ports[i], &a->cfg,
				     (uint16_t)a->cfg.n_workers, a->pool,
				     want_ts, &has_ts);
		if (ret != 0) {
			fprintf(stderr, "ports: port %u failed to start: %s\n",
				a->ports[i], rte_strerror(-ret));
			return ret;
		}
		/* net_pcap stamps packets without offering the offload,
		 * so its ports count as stamped; workers still check the
		 * flag of every mbuf. */
		any_ts |= has_ts || want_ts;
	}
	a->rt.ts_dynfield = -1;
	if (any_ts &&
	    rte_mbuf_dyn_rx_timestamp_register(&a->rt.ts_dynfield,
					       &a->rt.ts_dynflag) != 0)
		a->rt.ts_dynfield = -1;
	return 0;
}

/* Pick the lcore of worker w: the configured one, or the next enabled
 * lcore after *lcore. */
static int
main_worker_lcore(const struct c2w_config *cfg, unsigned w, unsigned *lcore)
{
	unsigned main_lcore = rte_get_main_lcore();

	if (cfg->worker_lcores_set)
		*lcore = cfg->worker_lcores[w];
	else
		*lcore = rte_get_next_lcore(*lcore, 1, 0);

	if (cfg->worker_lcores_set && *lcore == main_lcore) {
		fprintf(stderr, "workers.lcores: lcore %u is the main lcore, "
			"which runs the exporter and counters: list other "
			"lcores, or move main with the EAL option "
			"--main-lcore\n", *lcore);
		return -EINVAL;
	}
	if (*lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(*lcore)) {
		if (cfg->worker_lcores_set)
			fprintf(stderr, "workers.lcores: lcore %u is not "
				"enabled: add it to the EAL option -l\n",
				*lcore);
		else
			fprintf(stderr, "workers: worker %u has no lcore: give "
				"EAL one more lcore than workers, e.g. -l 0-%u\n",
				w, cfg->n_workers);
		return -EINVAL;
	}
	return 0;
}

/* Check every worker's lcore, for --check. */
static int
main_check_lcores(const struct c2w_config *cfg)
{
	unsigned lcore = rte_get_main_lcore();
	unsigned w;
	int ret;

	for (w = 0; w < cfg->n_workers; w++) {
		ret = main_worker_lcore(cfg, w, &lcore);
		if (ret != 0)
			return ret;
	}
	return 0;
}

static int
main_create_workers(struct app *a)
{
	const struct c2w_config *cfg = &a->cfg;
	unsigned lcore = rte_get_main_lcore();
	char name[32];
	unsigned w, p;
	int ret;

	for (w = 0; w < cfg->n_workers; w++) {
		struct c2w_worker *wk;

		ret = main_worker_lcore(cfg, w, &lcore);
		if (ret != 0)
			return ret;
		wk = rte_zmalloc_socket("worker", sizeof(*wk),
					RTE_CACHE_LINE_SIZE,
					(int)rte_lcore_to_socket_id(lcore));
		if (wk == NULL)
			return -ENOMEM;
		a->workers[w] = wk;
		wk->scratch = rte_malloc_socket("parse_scratch",
						C2W_PARSE_LEN_MAX, 0,
						(int)rte_lcore_to_socket_id(lcore));
		if (wk->scratch == NULL)
			return -ENOMEM;
		wk->id = w;
		wk->lcore = lcore;
		wk->rt = &a->rt;
		for (p = 0; p < a->n_ports; p++) {
			wk->rxq[p].port = a->ports[p];
			wk->rxq[p].queue = (uint16_t)w;
			wk->rxq[p].tx_port = a->rt.egress_of[a->ports[p]];
		}
		wk->n_rxq = (uint16_t)a->n_ports;
		snprintf(name, sizeof(name), "flows_w%u", w);
		ret = c2w_flow_table_create(name, cfg->flow_entries,
					    (int)rte_lcore_to_socket_id(lcore),
					    cfg->idle_timeout_ms,
					    cfg->active_timeout_ms, &wk->flows);
		if (ret != 0) {
			fprintf(stderr, "flows: cannot create a table of %u "
				"entries for worker %u: %s\n",
				cfg->flow_entries, w, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int
main_create_exporter(struct app *a)
{
	const struct c2w_config *cfg = &a->cfg;
	int ret;

	a->rt.events = rte_ring_create_elem("c2w_events",
					    sizeof(struct c2w_event),
					    cfg->event_ring_size,
					    (int)rte_socket_id(), RING_F_SC_DEQ);
	if (a->rt.events == NULL) {
		fprintf(stderr, "exporter: cannot create the event ring of %u "
			"events: %s\n", cfg->event_ring_size,
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	ret = c2w_exporter_create(cfg, a->rt.events, &a->exporter);
	if (ret != 0)
		fprintf(stderr, "exporter: %s: cannot start: %s\n",
			cfg->ipfix_url, strerror(-ret));
	return ret;
}

static bool
main_all_idle(const struct app *a, uint64_t since_tsc)
{
	uint64_t limit = a->cfg.idle_exit_ms * (rte_get_tsc_hz() / 1000);
	uint64_t now = rte_rdtsc();
	unsigned w;

	for (w = 0; w < a->cfg.n_workers; w++) {
		uint64_t last = a->workers[w]->stats.last_rx_tsc;

		if (last < since_tsc)
			last = since_tsc;
		/* A worker may have stored a newer TSC after now was read. */
		if (last >= now || now - last < limit)
			return false;
	}
	return true;
}

static void
main_loop(struct app *a)
{
	uint64_t start_tsc = rte_rdtsc();
	uint64_t last_print = main_wall_ms();
	uint64_t now;

	while (!a->rt.quit) {
		now = main_wall_ms();
		if (main_hangup) {
			main_hangup = 0;
			printf("c2wall: SIGHUP received: reloading tables\n");
			c2w_reload_request(a->reload);
		}
		c2w_reload_poll(a->reload);
		if (c2w_exporter_poll(a->exporter, now) == 0)
			usleep(MAIN_IDLE_SLEEP_US);
		if (a->cfg.stats_interval_ms > 0 &&
		    now - last_print >= a->cfg.stats_interval_ms) {
			c2w_stats_print_line(&a->stats, stdout,
					     now - last_print);
			last_print = now;
		}
		if (a->cfg.idle_exit_ms > 0 && main_all_idle(a, start_tsc)) {
			printf("c2wall: every RX queue idle for %u ms: "
			       "stopping\n", a->cfg.idle_exit_ms);
			/* The input is over: no flow will see another
			 * packet, so each ends as idle, not forced. */
			a->end_reason = C2W_END_IDLE;
			break;
		}
	}
	if (main_signal != 0)
		printf("c2wall: %s received: stopping\n",
		       strsignal(main_signal));
}

/* Stop the workers, end every flow and push out every record. */
static void
main_shutdown_flows(struct app *a)
{
	unsigned w;

	a->rt.quit = true;
	rte_eal_mp_wait_lcore();
	/* A reload still running finishes against offline workers. */
	c2w_reload_destroy(a->reload);
	a->reload = NULL;
	for (w = 0; w < a->cfg.n_workers; w++) {
		if (a->workers[w] == NULL || a->workers[w]->flows == NULL)
			continue;
		while (c2w_worker_flush_flows(a->workers[w], a->end_reason,
					      MAIN_FLUSH_SLICE) > 0) {
			while (c2w_exporter_poll(a->exporter,
						 main_wall_ms()) > 0)
				;
		}
	}
	if (c2w_exporter_flush(a->exporter) != 0)
		fprintf(stderr, "exporter: last IPFIX message not sent\n");
}

static void
main_cleanup(struct app *a)
{
	unsigned i;

	for (i = 0; i < a->n_ports; i++)
		c2w_port_stop(a->ports[i]);
	for (i = 0; i < a->cfg.n_workers; i++) {
		if (a->workers[i] != NULL) {
			c2w_flow_table_free(a->workers[i]->flows);
			rte_free(a->workers[i]->scratch);
		}
		rte_free(a->workers[i]);
	}
	c2w_reload_destroy(a->reload);
	c2w_exporter_destroy(a->exporter);
	rte_ring_free(a->rt.events);
	c2w_ioc_table_free(a->rt.iocs);
	c2w_ioc_table_free(a->rt.allow);
	rte_mempool_free(a->pool);
	c2w_config_free(&a->cfg);
}

static int
main_setup(struct app *a)
{
	int ret;

	ret = main_select_ports(a);
	if (ret == 0)
		ret = main_create_pool(a);
	if (ret == 0)
		ret = main_start_ports(a);
	if (ret == 0)
		ret = main_create_exporter(a);
	if (ret == 0)
		ret = main_create_workers(a);
	if (ret == 0)
		ret = c2w_reload_create(&a->rt, &a->cfg, a->cfg.n_workers,
					&a->reload);
	return ret;
}

static void
main_launch(struct app *a)
{
	unsigned w;

	a->rt.cfg = &a->cfg;
	a->stats.workers = a->workers;
	a->stats.n_workers = a->cfg.n_workers;
	a->stats.ports = a->ports;
	a->stats.n_ports = a->n_ports;
	a->stats.exporter = a->exporter;
	if (c2w_stats_telemetry_register(&a->stats) != 0)
		fprintf(stderr, "stats: telemetry commands not registered\n");

	if (c2w_ioc_telemetry_register(&a->rt.iocs) != 0)
		fprintf(stderr, "iocs: telemetry command not registered\n");
	if (c2w_reload_telemetry_register(a->reload) != 0)
		fprintf(stderr, "tables: telemetry reload command not "
			"registered\n");


	for (w = 0; w < a->cfg.n_workers; w++)
		rte_eal_remote_launch(c2w_worker_main, a->workers[w],
				      a->workers[w]->lcore);
	printf("c2wall: %s mode, action %s, %u ports, %u worker%s\n",
	       a->cfg.mode == C2W_MODE_INLINE ? "inline" : "tap",
	       a->cfg.mode == C2W_MODE_TAP ? "alert (tap mode never drops)" :
	       a->cfg.action == C2W_ACTION_BLOCK ? "block" : "alert",
	       a->n_ports, a->cfg.n_workers, a->cfg.n_workers == 1 ? "" : "s");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct app *a = &app;
	int ret;

	main_vdev_args = main_count_vdevs(argc, argv);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "eal: initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return EXIT_USAGE;
	}
	argc -= ret;
	argv += ret;

	c2w_config_defaults(&a->cfg);
	switch (c2w_options_parse(&a->cfg, argc, argv, stdout, stderr)) {
	case C2W_OPTIONS_EXIT_OK:
		rte_eal_cleanup();
		return EXIT_SUCCESS;
	case C2W_OPTIONS_ERROR:
		rte_eal_cleanup();
		return EXIT_USAGE;
	default:
		break;
	}

	/* Before the tables load, which can take seconds: a signal then
	 * must not kill c2wall with its ports and hugepages half set up. A
	 * SIGHUP that early waits for the reload machinery. */
	signal(SIGINT, main_on_signal);
	signal(SIGTERM, main_on_signal);
	signal(SIGHUP, main_on_hangup);
	a->end_reason = C2W_END_FORCED;
	a->rt.tsc_hz = rte_get_tsc_hz();
	a->rt.tsc_base = rte_rdtsc();
	a->rt.wall_base_ms = main_wall_ms();
	a->rt.ts_dynfield = -1;
	ret = main_load_tables(a);
	if (ret == 0 && a->cfg.check)
		ret = main_check_lcores(&a->cfg);
	if (ret == 0 && a->cfg.check) {
		c2w_config_print(&a->cfg, stdout);
		printf("check: configuration and tables are valid\n");
		main_cleanup(a);
		rte_eal_cleanup();
		return EXIT_SUCCESS;
	}
	if (ret == 0)
		ret = main_setup(a);
	if (ret != 0) {
		main_cleanup(a);
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}

	main_launch(a);
	if (!a->rt.quit)
		main_loop(a);
	main_shutdown_flows(a);
	c2w_stats_print_summary(&a->stats, stdout);
	main_cleanup(a);
	rte_eal_cleanup();
	return EXIT_SUCCESS;
}
