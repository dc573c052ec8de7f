/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOC table benchmark: builds tables of synthetic indicators, reports
 * build time, memory per indicator and single-core lookups per second
 * over a random flow stream at a given hit ratio. Addresses are
 * generated in memory and nothing is sent anywhere.
 *
 * Usage: ioc_bench [EAL options] -- [-s SIZE,...] [-k KEYS] [-c CIDR%]
 *                  [-6 IPV6%] [-m KIND_SIZE] [-b FLOWS]
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_random.h>

#include "ioc.h"

#define BENCH_SIZES_MAX 8
/* Lookup passes run until at least this long, in ms. */
#define BENCH_MIN_RUN_MS 300
/* Runs per cell; the best is printed, because other processes on a
 * shared machine only ever slow a run down. */
#define BENCH_RUNS 3
/* Maximum flows per c2w_ioc_table_match_bulk() call: a worker burst. */
#define BENCH_BULK_MAX 64

/*
 * Address plan. Exact indicators and miss addresses are outputs of one
 * bijection over 32 bits, from separate sequence ranges, so a miss
 * never equals an indicator. IPv4 outputs at 224.0.0.0/3 and above are
 * skipped, because the synthetic prefixes lie in that range. IPv6 uses
 * 2001:db8::/32; bit 7 of byte 4 is 0 for exact and miss addresses and
 * 1 for prefixes, which are /40 or longer.
 */
#define BENCH_V4_PREFIX_BASE 0xe0000000u
#define BENCH_MISS_SEQ (UINT32_C(1) << 31)

struct bench_opts {
	uint32_t sizes[BENCH_SIZES_MAX];
	unsigned n_sizes;
	uint32_t keys;            /* flows in the lookup stream */
	unsigned cidr_pct;        /* share of prefixes in a mixed set */
	unsigned v6_pct;          /* share of IPv6 in each kind */
	uint32_t kind_size;       /* exact indicators per memory row */
	unsigned bulk;            /* flows per lookup call, 1 = one by one */
};

/* One flow of the lookup stream. */
struct bench_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t family;
};

/* Sequence counters of the address plan. */
struct bench_gen {
	uint32_t seq4;
	uint32_t seq6;
	uint32_t miss4;
	uint32_t miss6;
};

static uint32_t
bench_perm32(uint32_t x)
{
	/* Each step is invertible, so distinct inputs give distinct
	 * outputs. */
	x *= 0x9e3779b1u;
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	return x;
}

static void
bench_v4(uint32_t *seq, uint8_t addr[16])
{
	uint32_t a;

	do {
		a = bench_perm32((*seq)++);
	} while (a >= BENCH_V4_PREFIX_BASE);
	memset(addr, 0, 16);
	addr[0] = (uint8_t)(a >> 24);
	addr[1] = (uint8_t)(a >> 16);
	addr[2] = (uint8_t)(a >> 8);
	addr[3] = (uint8_t)a;
}

static void
bench_v6(uint32_t *seq, uint8_t addr[16])
{
	uint32_t a = bench_perm32((*seq)++);
	uint64_t low = rte_rand();

	addr[0] = 0x20;
	addr[1] = 0x01;
	addr[2] = 0x0d;
	addr[3] = 0xb8;
	addr[4] = (uint8_t)((a >> 24) & 0x7f);
	addr[5] = (uint8_t)(a >> 16);
	addr[6] = (uint8_t)(a >> 8);
	addr[7] = (uint8_t)a;
	/* Bit 7 of byte 4 is lost above, so the sequence also goes into
	 * byte 8 to keep addresses distinct. */
	memcpy(&addr[8], &low, 8);
	addr[8] = (uint8_t)(a >> 31);
}

static void
bench_prefix(struct c2w_ioc *ioc, int v6)
{
	uint64_t r = rte_rand();

	memset(ioc->addr, 0, 16);
	if (!v6) {
		uint32_t a = BENCH_V4_PREFIX_BASE | ((uint32_t)r & 0x1fffffffu);

		/* Mostly /16../24 as in published drop lists, and one in
		 * eight longer. */
		ioc->prefix = (uint8_t)((r >> 32) % 8 == 0 ?
					25 + (r >> 35) % 6 : 16 + (r >> 35) % 9);
		a &= ~0u << (32 - ioc->prefix);
		ioc->addr[0] = (uint8_t)(a >> 24);
		ioc->addr[1] = (uint8_t)(a >> 16);
		ioc->addr[2] = (uint8_t)(a >> 8);
		ioc->addr[3] = (uint8_t)a;
		return;
	}
	ioc->addr[0] = 0x20;
	ioc->addr[1] = 0x01;
	ioc->addr[2] = 0x0d;
	ioc->addr[3] = 0xb8;
	memcpy(&ioc->addr[4], &r, 4);
	ioc->addr[4] |= 0x80;
	ioc->prefix = (uint8_t)(40 + 8 * ((r >> 32) % 4));
	memset(&ioc->addr[ioc->prefix / 8], 0, 16 - ioc->prefix / 8);
}

/* Fill n indicators: cidr_pct prefixes, the rest 60:40 ip:port and ip;
 * v6_pct of each kind IPv6. */
static int
bench_set_make(struct c2w_ioc_set *set, uint32_t n, unsigned cidr_pct,
	       unsigned v6_pct, enum c2w_ioc_kind only,
	       struct bench_gen *gen)
{
	uint32_t i;

	c2w_ioc_set_init(set);
	set->v = calloc(RTE_MAX(n, 1u), sizeof(*set->v));
	if (set->v == NULL)
		return -ENOMEM;
	set->cap = n;
	for (i = 0; i < n; i++) {
		struct c2w_ioc *ioc = &set->v[i];
		uint64_t r = rte_rand();
		int v6 = r % 100 < v6_pct;
		unsigned pick = (unsigned)((r >> 8) % 100);

		if (only != C2W_IOC_KIND_MAX)
			ioc->kind = (uint8_t)only;
		else if (pick < cidr_pct)
			ioc->kind = C2W_IOC_CIDR;
		else if (pick < cidr_pct + (100 - cidr_pct) * 6 / 10)
			ioc->kind = C2W_IOC_IP_PORT;
		else
			ioc->kind = C2W_IOC_IP;
		ioc->family = v6 ? 6 : 4;
		ioc->confidence = 100;
		if (ioc->kind == C2W_IOC_CIDR) {
			bench_prefix(ioc, v6);
			continue;
		}
		if (v6)
			bench_v6(&gen->seq6, ioc->addr);
		else
			bench_v4(&gen->seq4, ioc->addr);
		ioc->prefix = v6 ? 128 : 32;
		if (ioc->kind == C2W_IOC_IP_PORT)
			ioc->port = (uint16_t)(1024 + (r >> 16) % 64000);
	}
	set->n = n;
	return 0;
}

static void
bench_key_miss(struct bench_gen *gen, uint8_t family, uint8_t addr[16])
{
	if (family == 4)
		bench_v4(&gen->miss4, addr);
	else
		bench_v6(&gen->miss6, addr);
}

/* A flow whose destination matches indicator ioc; the source misses. */
static void
bench_key_hit(struct bench_gen *gen, const struct c2w_ioc *ioc,
	      struct bench_key *k)
{
	uint64_t r = rte_rand();

	k->family = ioc->family;
	memcpy(k->dst, ioc->addr, 16);
	k->dport = ioc->kind == C2W_IOC_IP_PORT ? ioc->port : (uint16_t)r;
	if (ioc->kind == C2W_IOC_CIDR) {
		unsigned len = ioc->family == 4 ? 32 : 128, b;

		/* A random host inside the prefix. */
		for (b = ioc->prefix; b < len; b++)
			if ((r >> (b % 64)) & 1)
				k->dst[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	}
	bench_key_miss(gen, k->family, k->src);
}

static struct bench_key *
bench_keys_make(const struct c2w_ioc_set *set, uint32_t n_keys,
		double hit_ratio, unsigned v6_pct, struct bench_gen *gen)
{
	struct bench_key *keys = calloc(n_keys, sizeof(*keys));
	uint32_t i;

	if (keys == NULL)
		return NULL;
	for (i = 0; i < n_keys; i++) {
		struct bench_key *k = &keys[i];

		if (set->n > 0 &&
		    (double)rte_rand() / (double)UINT64_MAX < hit_ratio) {
			bench_key_hit(gen, &set->v[rte_rand_max(set->n)], k);
			continue;
		}
		k->family = rte_rand_max(100) < v6_pct ? 6 : 4;
		bench_key_miss(gen, k->family, k->src);
		bench_key_miss(gen, k->family, k->dst);
		k->sport = (uint16_t)rte_rand();
		k->dport = (uint16_t)rte_rand();
	}
	return keys;
}

/* Match keys[0..n) one call per flow, or bulk flows per call. */
static uint32_t
bench_match(const struct c2w_ioc_table *t, const struct bench_key *keys,
	    uint32_t n, unsigned bulk)
{
	struct c2w_ioc_query q[BENCH_BULK_MAX];
	struct c2w_ioc_match m[BENCH_BULK_MAX];
	uint32_t i, j, hits = 0;

	if (bulk <= 1) {
		for (i = 0; i < n; i++)
			hits += (uint32_t)c2w_ioc_table_match(t,
				keys[i].family, keys[i].src, keys[i].sport,
				keys[i].dst, keys[i].dport, 1, m);
		return hits;
	}
	for (i = 0; i < n; i += bulk) {
		uint32_t chunk = RTE_MIN(n - i, (uint32_t)bulk);

		for (j = 0; j < chunk; j++) {
			const struct bench_key *k = &keys[i + j];

			q[j].src = k->src;
			q[j].dst = k->dst;
			q[j].sport = k->sport;
			q[j].dport = k->dport;
			q[j].family = k->family;
			q[j].with_ports = 1;
		}
		c2w_ioc_table_match_bulk(t, q, chunk, m);
		for (j = 0; j < chunk; j++)
			hits += m[j].index >= 0;
	}
	return hits;
}

/* Lookups per second over the stream; *matched counts one pass. */
static double
bench_lookup(const struct c2w_ioc_table *t, const struct bench_key *keys,
	     uint32_t n_keys, unsigned bulk, uint32_t *matched)
{
	uint64_t hz = rte_get_tsc_hz(), start, cycles, passes = 0;
	uint32_t hits;

	start = rte_rdtsc();
	do {
		hits = bench_match(t, keys, n_keys, bulk);
		passes++;
		cycles = rte_rdtsc() - start;
	} while (cycles < hz / 1000 * BENCH_MIN_RUN_MS);
	*matched = hits;
	return (double)(passes * n_keys) * (double)hz / (double)cycles;
}

static size_t
bench_heap_bytes(void)
{
	struct rte_malloc_socket_stats st;
	size_t total = 0;
	unsigned s;

	for (s = 0; s < rte_socket_count(); s++) {
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s),
						&st) == 0)
			total += st.heap_allocsz_bytes;
	}
	return total;
}

/* Build a table from set; returns ms, fills the DPDK heap bytes used. */
static int
bench_build(struct c2w_ioc_set *set, struct c2w_ioc_table **t,
	    double *ms, size_t *heap)
{
	size_t before = bench_heap_bytes();
	uint64_t start = rte_rdtsc();
	int ret;

	ret = c2w_ioc_table_build(set, "bench", SOCKET_ID_ANY, t);
	*ms = (double)(rte_rdtsc() - start) * 1000.0 / (double)rte_get_tsc_hz();
	*heap = bench_heap_bytes() - before;
	if (ret != 0)
		fprintf(stderr, "ioc_bench: table build failed: %s\n",
			strerror(-ret));
	return ret;
}

static void
bench_top_time(struct c2w_ioc_table *t)
{
	struct c2w_ioc_top top[C2W_IOC_TOP_MAX];
	uint64_t start;
	uint32_t i;

	for (i = 0; i < 1000 && t->set.n > 0; i++)
		c2w_ioc_table_hit(t, (int32_t)rte_rand_max(t->set.n), i);
	start = rte_rdtsc();
	c2w_ioc_table_top(t, C2W_IOC_TOP_MAX, top);
	printf("  top %u of %zu: %.1f ms\n", C2W_IOC_TOP_MAX, t->set.n,
	       (double)(rte_rdtsc() - start) * 1000.0 /
	       (double)rte_get_tsc_hz());
}

static int
bench_size(const struct bench_opts *o, uint32_t n)
{
	static const double ratios[] = { 0.0, 0.01, 1.0 };
	struct bench_gen gen = { .miss4 = BENCH_MISS_SEQ,
				 .miss6 = BENCH_MISS_SEQ };
	struct c2w_ioc_table *t = NULL;
	struct c2w_ioc_set set;
	double ms, rate[3];
	size_t heap, set_bytes;
	unsigned r, run;
	int ret;

	ret = bench_set_make(&set, n, o->cidr_pct, o->v6_pct,
			     C2W_IOC_KIND_MAX, &gen);
	if (ret != 0)
		return ret;
	set_bytes = set.cap * sizeof(*set.v);
	ret = bench_build(&set, &t, &ms, &heap);
	if (ret != 0) {
		c2w_ioc_set_free(&set);
		return ret;
	}
	for (r = 0; r < RTE_DIM(ratios); r++) {
		struct bench_key *keys;
		uint32_t matched;

		keys = bench_keys_make(&t->set, o->keys, ratios[r], o->v6_pct,
				       &gen);
		if (keys == NULL) {
			c2w_ioc_table_free(t);
			return -ENOMEM;
		}
		rate[r] = 0;
		for (run = 0; run < BENCH_RUNS; run++)
			rate[r] = RTE_MAX(rate[r], bench_lookup(t, keys,
					  o->keys, o->bulk, &matched));
		if (ratios[r] == 0.0 && matched != 0)
			fprintf(stderr, "ioc_bench: %u misses matched\n",
				matched);
		free(keys);
	}
	printf("%10u %6u %6u %7u %10.1f %8.1f %8.1f %9.2f %9.2f %9.2f\n", n,
	       t->n_ip_port, t->n_ip, t->n_cidr4 + t->n_cidr6, ms,
	       (double)heap / RTE_MAX(n, 1u),
	       (double)(heap + set_bytes) / RTE_MAX(n, 1u),
	       rate[0] / 1e6, rate[1] / 1e6, rate[2] / 1e6);
	if (n >= 1000000)
		bench_top_time(t);
	c2w_ioc_table_free(t);
	return 0;
}

/* Memory of one kind alone: DPDK heap bytes per indicator. */
static int
bench_kind(const char *label, enum c2w_ioc_kind kind, unsigned v6_pct,
	   uint32_t n)
{
	struct bench_gen gen = { .miss4 = BENCH_MISS_SEQ,
				 .miss6 = BENCH_MISS_SEQ };
	struct c2w_ioc_table *t = NULL;
	struct c2w_ioc_set set;
	size_t heap;
	double ms;
	int ret;

	ret = bench_set_make(&set, n, 0, v6_pct, kind, &gen);
	if (ret != 0)
		return ret;
	ret = bench_build(&set, &t, &ms, &heap);
	if (ret != 0) {
		c2w_ioc_set_free(&set);
		return ret;
	}
	printf("%-12s %9u %10.1f %12zu %9.1f %8u %8u\n", label, n, ms, heap,
	       (double)heap / n, t->tbl8_4, t->tbl8_6);
	c2w_ioc_table_free(t);
	return 0;
}

static int
bench_parse_sizes(const char *text, struct bench_opts *o)
{
	char *end;

	o->n_sizes = 0;
	while (*text != '\0' && o->n_sizes < BENCH_SIZES_MAX) {
		unsigned long v = strtoul(text, &end, 10);

		if (end == text || v == 0 || v > UINT32_MAX)
			return -EINVAL;
		o->sizes[o->n_sizes++] = (uint32_t)v;
		text = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			return -EINVAL;
	}
	return o->n_sizes > 0 ? 0 : -EINVAL;
}

static int
bench_parse(int argc, char **argv, struct bench_opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "s:k:c:6:m:b:")) != -1) {
		unsigned long v = optarg != NULL ? strtoul(optarg, NULL, 10) : 0;

		switch (c) {
		case 's':
			if (bench_parse_sizes(optarg, o) != 0)
				return -EINVAL;
			break;
		case 'k':
			o->keys = (uint32_t)RTE_MAX(v, 1ul);
			break;
		case 'c':
			o->cidr_pct = (unsigned)RTE_MIN(v, 100ul);
			break;
		case '6':
			o->v6_pct = (unsigned)RTE_MIN(v, 100ul);
			break;
		case 'm':
			o->kind_size = (uint32_t)v;
			break;
		case 'b':
			if (v < 1 || v > BENCH_BULK_MAX)
				return -EINVAL;
			o->bulk = (unsigned)v;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct bench_opts o = {
		.sizes = { 10, 10000, 100000, 1000000, 10000000 },
		.n_sizes = 5,
		.keys = 1u << 20,
		.cidr_pct = 1,
		.v6_pct = 10,
		.kind_size = 1000000,
		.bulk = 1,
	};
	unsigned i;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "ioc_bench: EAL init failed\n");
		return 1;
	}
	if (bench_parse(argc - ret, argv + ret, &o) != 0) {
		fprintf(stderr, "usage: ioc_bench [EAL options] -- [-s SIZE,...] "
			"[-k KEYS] [-c CIDR_PERCENT] [-6 IPV6_PERCENT] "
			"[-m KIND_SIZE] [-b FLOWS_PER_CALL, 1..%d]\n",
			BENCH_BULK_MAX);
		rte_eal_cleanup();
		return 2;
	}

	printf("mixed sets: %u%% prefixes, then 60:40 ip:port and ip; %u%% "
	       "IPv6; %u flows per stream, %u per lookup call\n", o.cidr_pct,
	       o.v6_pct, o.keys, o.bulk);
	printf("%10s %6s %6s %7s %10s %8s %8s %9s %9s %9s\n", "indicators",
	       "ip:port", "ip", "prefix", "build ms", "heap B", "+set B",
	       "M/s 0%", "M/s 1%", "M/s 100%");
	for (i = 0; i < o.n_sizes && ret >= 0; i++)
		ret = bench_size(&o, o.sizes[i]);

	if (o.kind_size > 0 && ret >= 0) {
		printf("\none kind per table (DPDK heap only)\n");
		printf("%-12s %9s %10s %12s %9s %8s %8s\n", "kind", "count",
		       "build ms", "heap bytes", "B/ind", "tbl8 v4", "tbl8 v6");
		ret = bench_kind("ip:port v4", C2W_IOC_IP_PORT, 0, o.kind_size);
		if (ret == 0)
			ret = bench_kind("ip v4", C2W_IOC_IP, 0, o.kind_size);
		if (ret == 0)
			ret = bench_kind("ip v6", C2W_IOC_IP, 100, o.kind_size);
		if (ret == 0)
			ret = bench_kind("prefix v4", C2W_IOC_CIDR, 0,
					 o.kind_size / 10);
		if (ret == 0)
			ret = bench_kind("prefix v6", C2W_IOC_CIDR, 100,
					 o.kind_size / 10);
	}
	rte_eal_cleanup();
	return ret < 0 ? 1 : 0;
}
