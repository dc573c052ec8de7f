/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "stats.h"

static const struct c2w_stats_ctx *stats_telemetry_ctx;
static struct c2w_worker_stats stats_last;

/* Name and offset of each plain worker counter, for sums, the summary
 * and telemetry. */
#define STATS_FIELD(name) { #name, offsetof(struct c2w_worker_stats, name) }
static const struct {
	const char *name;
	size_t off;
} stats_fields[] = {
	STATS_FIELD(rx_pkts),
	STATS_FIELD(rx_bytes),
	STATS_FIELD(tx_pkts),
	STATS_FIELD(tx_failed),
	STATS_FIELD(non_ip),
	STATS_FIELD(malformed_drops),
	STATS_FIELD(segmented),
	STATS_FIELD(flows_created),
	STATS_FIELD(flows_expired),
	STATS_FIELD(flows_table_full),
	STATS_FIELD(table_full_drops),
	STATS_FIELD(ioc_hits),
	STATS_FIELD(allow_hits),
	STATS_FIELD(policy_drops),
	STATS_FIELD(alerts_sent),
	STATS_FIELD(alerts_failed),
	STATS_FIELD(flow_records_sent),
	STATS_FIELD(flow_records_failed),
};
#define STATS_N_FIELDS RTE_DIM(stats_fields)

#define EXPORTER_FIELD(name) \
	{ #name, offsetof(struct c2w_exporter_stats, name) }
static const struct {
	const char *name;
	size_t off;
} exporter_fields[] = {
	EXPORTER_FIELD(events),
	EXPORTER_FIELD(alerts_sent),
	EXPORTER_FIELD(flows_sent),
	EXPORTER_FIELD(options_sent),
	EXPORTER_FIELD(records_failed),
	EXPORTER_FIELD(events_invalid),
	EXPORTER_FIELD(messages),
	EXPORTER_FIELD(records_exported),
	EXPORTER_FIELD(bytes_exported),
	EXPORTER_FIELD(messages_lost),
	EXPORTER_FIELD(records_lost),
	EXPORTER_FIELD(messages_resent),
	EXPORTER_FIELD(send_errors),
	EXPORTER_FIELD(connects),
	EXPORTER_FIELD(connect_failures),
	EXPORTER_FIELD(disconnects),
	EXPORTER_FIELD(template_sends),
	EXPORTER_FIELD(withdrawals),
};
#define EXPORTER_N_FIELDS RTE_DIM(exporter_fields)

static uint64_t
stats_get(const struct c2w_worker_stats *s, size_t off)
{
	return *(const volatile uint64_t *)((const char *)s + off);
}

static uint64_t
stats_malformed_total(const struct c2w_worker_stats *s)
{
	uint64_t sum = 0;
	int r;

	for (r = 0; r < C2W_PARSE_RESULT_MAX; r++)
		sum += s->malformed[r];
	return sum;
}

void
c2w_stats_sum(const struct c2w_stats_ctx *ctx, struct c2w_worker_stats *total)
{
	unsigned w, f;
	int r;

	memset(total, 0, sizeof(*total));
	for (w = 0; w < ctx->n_workers; w++) {
		const struct c2w_worker_stats *s = &ctx->workers[w]->stats;

		for (f = 0; f < STATS_N_FIELDS; f++)
			*(uint64_t *)((char *)total + stats_fields[f].off) +=
				stats_get(s, stats_fields[f].off);
		for (r = 0; r < C2W_PARSE_RESULT_MAX; r++)
			total->malformed[r] += s->malformed[r];
	}
}

void
c2w_stats_print_line(const struct c2w_stats_ctx *ctx, FILE *out,
		     uint64_t elapsed_ms)
{
	struct c2w_worker_stats t;
	uint64_t pps = 0;

	c2w_stats_sum(ctx, &t);
	if (elapsed_ms > 0)
		pps = (t.rx_pkts - stats_last.rx_pkts) * 1000 / elapsed_ms;
	fprintf(out, "c2wall: rx %" PRIu64 " pkts (%" PRIu64 " pps), tx %"
		PRIu64 ", flows %" PRIu64 " new %" PRIu64 " ended, ioc hits %"
		PRIu64 ", dropped %" PRIu64 " policy %" PRIu64 " malformed, "
		"alerts %" PRIu64 " (%" PRIu64 " lost)\n", t.rx_pkts, pps,
		t.tx_pkts, t.flows_created, t.flows_expired, t.ioc_hits,
		t.policy_drops, t.malformed_drops, t.alerts_sent,
		t.alerts_failed);
	fflush(out);
	stats_last = t;
}

static void
stats_print_ports(const struct c2w_stats_ctx *ctx, FILE *out)
{
	struct rte_eth_stats es;
	unsigned i;

	for (i = 0; i < ctx->n_ports; i++) {
		uint16_t port = ctx->ports[i];

		if (rte_eth_stats_get(port, &es) != 0)
			continue;
		fprintf(out, "  port %u: rx %" PRIu64 " pkts %" PRIu64
			" bytes, tx %" PRIu64 " pkts %" PRIu64 " bytes, "
			"missed %" PRIu64 ", rx errors %" PRIu64 ", tx errors %"
			PRIu64 ", no mbuf %" PRIu64 "\n", port, es.ipackets,
			es.ibytes, es.opackets, es.obytes, es.imissed,
			es.ierrors, es.oerrors, es.rx_nombuf);
	}
}

static void
stats_print_worker(const struct c2w_worker_stats *s, const char *title,
		   FILE *out)
{
	unsigned f;
	int r;

	fprintf(out, "  %s:", title);
	for (f = 0; f < STATS_N_FIELDS; f++)
		fprintf(out, "%s %s %" PRIu64, f == 0 ? "" : ",",
			stats_fields[f].name, stats_get(s, stats_fields[f].off));
	fprintf(out, "\n    malformed %" PRIu64, stats_malformed_total(s));
	for (r = 0; r < C2W_PARSE_RESULT_MAX; r++) {
		if (s->malformed[r] != 0)
			fprintf(out, ", %s %" PRIu64,
				c2w_parse_result_name(r), s->malformed[r]);
	}
	fprintf(out, "\n");
}

void
c2w_stats_print_summary(const struct c2w_stats_ctx *ctx, FILE *out)
{
	struct c2w_exporter_stats es;
	struct c2w_worker_stats t;
	char title[32];
	unsigned w, f;

	fprintf(out, "c2wall summary\n");
	stats_print_ports(ctx, out);
	for (w = 0; w < ctx->n_workers && ctx->n_workers > 1; w++) {
		snprintf(title, sizeof(title), "worker %u", w);
		stats_print_worker(&ctx->workers[w]->stats, title, out);
	}
	c2w_stats_sum(ctx, &t);
	stats_print_worker(&t, "all workers", out);
	if (ctx->exporter != NULL) {
		c2w_exporter_get_stats(ctx->exporter, &es);
		fprintf(out, "  exporter:");
		for (f = 0; f < EXPORTER_N_FIELDS; f++)
			fprintf(out, "%s %s %" PRIu64, f == 0 ? "" : ",",
				exporter_fields[f].name,
				*(const uint64_t *)((const char *)&es +
						    exporter_fields[f].off));
		fprintf(out, "\n");
	}
	fflush(out);
}

static void
stats_dict_worker(struct rte_tel_data *d, const struct c2w_worker_stats *s)
{
	unsigned f;
	int r;

	for (f = 0; f < STATS_N_FIELDS; f++)
		rte_tel_data_add_dict_u64(d, stats_fields[f].name,
					  stats_get(s, stats_fields[f].off));
	rte_tel_data_add_dict_u64(d, "malformed", stats_malformed_total(s));
	for (r = 1; r < C2W_PARSE_RESULT_MAX; r++) {
		char name[RTE_TEL_MAX_STRING_LEN];

		if (r == C2W_PARSE_NON_IP)
			continue;
		snprintf(name, sizeof(name), "malformed_%s",
			 c2w_parse_result_name(r));
		rte_tel_data_add_dict_u64(d, name, s->malformed[r]);
	}
}

/* /c2wall/workers: the sum, or one worker with its index as parameter. */
static int
stats_tel_workers(const char *cmd __rte_unused, const char *params,
		  struct rte_tel_data *d)
{
	const struct c2w_stats_ctx *ctx = stats_telemetry_ctx;
	struct c2w_worker_stats t;
	char *end;
	unsigned long w;

	rte_tel_data_start_dict(d);
	if (params != NULL && params[0] != '\0') {
		w = strtoul(params, &end, 10);
		if (*end != '\0' || w >= ctx->n_workers)
			return -EINVAL;
		stats_dict_worker(d, &ctx->workers[w]->stats);
		return 0;
	}
	c2w_stats_sum(ctx, &t);
	rte_tel_data_add_dict_u64(d, "workers", ctx->n_workers);
	stats_dict_worker(d, &t);
	return 0;
}

static int
stats_tel_exporter(const char *cmd __rte_unused,
		   const char *params __rte_unused, struct rte_tel_data *d)
{
	const struct c2w_stats_ctx *ctx = stats_telemetry_ctx;
	struct c2w_exporter_stats es;
	unsigned f;

	memset(&es, 0, sizeof(es));
	if (ctx->exporter != NULL)
		c2w_exporter_get_stats(ctx->exporter, &es);
	rte_tel_data_start_dict(d);
	for (f = 0; f < EXPORTER_N_FIELDS; f++)
		rte_tel_data_add_dict_u64(d, exporter_fields[f].name,
			*(const uint64_t *)((const char *)&es +
					    exporter_fields[f].off));
	return 0;
}

int
c2w_stats_telemetry_register(const struct c2w_stats_ctx *ctx)
{
	int ret;

	stats_telemetry_ctx = ctx;
	ret = rte_telemetry_register_cmd("/c2wall/workers", stats_tel_workers,
		"Worker counters, summed. Parameters: int worker_id (optional)");
	if (ret != 0)
		return ret;
	return rte_telemetry_register_cmd("/c2wall/exporter",
		stats_tel_exporter, "IPFIX exporter counters. No parameters");
}
