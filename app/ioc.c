/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_log.h>
/* rte_lpm.h of DPDK 22.11 declares a variable-length array in an inline
 * bulk lookup that c2wall does not call. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wvla"
#include <rte_lpm.h>
#pragma GCC diagnostic pop
#include <rte_lpm6.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_random.h>
#include <rte_telemetry.h>

#include "ioc.h"

/* Held by the telemetry scan and by c2w_ioc_table_free(). */
static pthread_mutex_t ioc_free_lock = PTHREAD_MUTEX_INITIALIZER;
#include "ipfix_ie.h"

RTE_LOG_REGISTER(c2w_ioc_logtype, c2w.ioc, NOTICE);

#define IOC_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, c2w_ioc_logtype, "c2w.ioc: " __VA_ARGS__)

/* rte_hash rejects fewer than 8 entries. */
#define IOC_HASH_MIN_ENTRIES 8
/* Prefix lengths the first LPM level (tbl24) resolves on its own; a
 * longer prefix needs tbl8 groups, one per further byte. */
#define IOC_TBL24_BITS 24
/* Entries /c2wall/ioc_top lists without a parameter. */
#define IOC_TOP_DEFAULT 10

static uint32_t ioc_generation;

/* Counts of one build pass over the set. */
struct ioc_counts {
	uint32_t ip_port;
	uint32_t ip;
	uint32_t cidr4;
	uint32_t cidr6;
	uint32_t ignored;
};

static struct rte_hash *
ioc_hash_create(const char *prefix, const char *kind, uint32_t generation,
		uint32_t entries, int socket)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters params = {
		.name = name,
		.entries = RTE_MAX(entries, (uint32_t)IOC_HASH_MIN_ENTRIES),
		.key_len = sizeof(struct c2w_ioc_key),
		.hash_func = rte_hash_crc,
		/* A random seed per table, so that a feed author cannot
		 * choose entries that share buckets. */
		.hash_func_init_val = (uint32_t)rte_rand(),
		.socket_id = socket,
	};

	snprintf(name, sizeof(name), "%s_%s_%u", prefix, kind, generation);
	return rte_hash_create(&params);
}

static void
ioc_key_fill(struct c2w_ioc_key *key, uint8_t family, const uint8_t *addr,
	     uint16_t port)
{
	memset(key, 0, sizeof(*key));
	key->family = family;
	key->port = port;
	memcpy(key->addr, addr, family == 4 ? 4 : 16);
}

static uint32_t
ioc_ipv4(const uint8_t *addr)
{
	return (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
	       (uint32_t)addr[2] << 8 | addr[3];
}

/* A /32 or /128 prefix names one address and goes into the ip hash. */
static int
ioc_is_host_prefix(const struct c2w_ioc *ioc)
{
	return ioc->prefix == (ioc->family == 4 ? 32 : 128);
}

static int
ioc_check_prefix(const struct c2w_ioc_set *set, size_t i)
{
	const struct c2w_ioc *ioc = &set->v[i];
	unsigned max = ioc->family == 4 ? 32 : 128;

	if ((ioc->family == 4 || ioc->family == 6) && ioc->prefix >= 1 &&
	    ioc->prefix <= max)
		return 0;
	IOC_LOG(ERR, "%s: invalid prefix: family %u, length %u, accepted "
		"1..32 for IPv4 and 1..128 for IPv6\n",
		c2w_ioc_str(set, ioc->value), ioc->family, ioc->prefix);
	return -EINVAL;
}

static int
ioc_count(const struct c2w_ioc_set *set, struct ioc_counts *c)
{
	size_t i;
	int ret;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < set->n; i++) {
		const struct c2w_ioc *ioc = &set->v[i];

		if (ioc->kind != C2W_IOC_IP_PORT && ioc->kind != C2W_IOC_IP &&
		    ioc->kind != C2W_IOC_CIDR)
			continue;
		if (ioc->action == C2W_IOC_ACTION_IGNORE) {
			c->ignored++;
			continue;
		}
		if (ioc->kind == C2W_IOC_IP_PORT) {
			c->ip_port++;
			continue;
		}
		if (ioc->kind == C2W_IOC_IP) {
			c->ip++;
			continue;
		}
		ret = ioc_check_prefix(set, i);
		if (ret != 0)
			return ret;
		if (ioc_is_host_prefix(ioc))
			c->ip++;
		else if (ioc->family == 4)
			c->cidr4++;
		else
			c->cidr6++;
	}
	return 0;
}

static int
ioc_check_limits(const struct ioc_counts *c)
{
	if (c->cidr4 > C2W_IOC_LPM4_MAX_PREFIXES) {
		IOC_LOG(ERR, "%u IPv4 prefixes: too many, rte_lpm numbers at "
			"most %u with its 24-bit next hop; split the feed\n",
			c->cidr4, C2W_IOC_LPM4_MAX_PREFIXES);
		return -E2BIG;
	}
	if (c->cidr6 > C2W_IOC_LPM6_MAX_PREFIXES) {
		IOC_LOG(ERR, "%u IPv6 prefixes: too many, rte_lpm6 numbers at "
			"most %u with its 21-bit next hop; split the feed\n",
			c->cidr6, C2W_IOC_LPM6_MAX_PREFIXES);
		return -E2BIG;
	}
	return 0;
}

static int
ioc_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * tbl8 groups rte_lpm needs: one per distinct /24 that contains a
 * prefix longer than /24. Counting them exactly keeps a table of /16../24
 * prefixes from paying 1 KiB per guessed group.
 */
static int
ioc_lpm4_groups(const struct c2w_ioc_table *t, uint32_t *groups)
{
	uint32_t *net24, n = 0, k;

	*groups = 0;
	net24 = malloc(sizeof(*net24) * RTE_MAX(t->n_cidr4, 1u));
	if (net24 == NULL)
		return -ENOMEM;
	for (k = 0; k < t->n_cidr4; k++) {
		const struct c2w_ioc *ioc = &t->set.v[t->lpm4_index[k]];

		if (ioc->prefix > IOC_TBL24_BITS)
			net24[n++] = ioc_ipv4(ioc->addr) >> 8;
	}
	qsort(net24, n, sizeof(*net24), ioc_cmp_u32);
	for (k = 0; k < n; k++)
		if (k == 0 || net24[k] != net24[k - 1])
			(*groups)++;
	free(net24);
	return 0;
}

static int
ioc_cmp_addr6(const void *a, const void *b, void *arg)
{
	const struct c2w_ioc *v = arg;

	return memcmp(v[*(const uint32_t *)a].addr,
		      v[*(const uint32_t *)b].addr, 16);
}

/* Last byte position of a prefix that selects a tbl8 group: a prefix
 * of depth d > 24 walks groups keyed by its first 3, 4, ...,
 * ceil(d / 8) - 1 bytes. */
static unsigned
ioc_lpm6_last_level(uint8_t depth)
{
	return (depth + 7u) / 8u - 1u;
}

/*
 * tbl8 groups rte_lpm6 needs: one per distinct byte string of length
 * 3..15 that leads to a prefix longer than /24. With the prefixes
 * sorted by address, equal leading bytes are neighbours, so one pass
 * per length counts the distinct strings.
 */
static int
ioc_lpm6_groups(const struct c2w_ioc_table *t, uint32_t *groups)
{
	uint32_t *deep, n = 0, k;
	unsigned level;

	*groups = 0;
	deep = malloc(sizeof(*deep) * RTE_MAX(t->n_cidr6, 1u));
	if (deep == NULL)
		return -ENOMEM;
	for (k = 0; k < t->n_cidr6; k++)
		if (t->set.v[t->lpm6_index[k]].prefix > IOC_TBL24_BITS)
			deep[n++] = t->lpm6_index[k];
	qsort_r(deep, n, sizeof(*deep), ioc_cmp_addr6, t->set.v);
	for (level = IOC_TBL24_BITS / 8; level < 16; level++) {
		const struct c2w_ioc *prev = NULL;

		for (k = 0; k < n; k++) {
			const struct c2w_ioc *ioc = &t->set.v[deep[k]];

			if (ioc_lpm6_last_level(ioc->prefix) < level)
				continue;
			if (prev == NULL ||
			    memcmp(prev->addr, ioc->addr, level) != 0)
				(*groups)++;
			prev = ioc;
		}
	}
	free(deep);
	return 0;
}

/* Record which set entries go into which LPM, in set order. */
static int
ioc_collect_prefixes(struct c2w_ioc_table *t, const struct ioc_counts *c,
		     int socket)
{
	uint32_t k4 = 0, k6 = 0;
	size_t i;

	if (c->cidr4 > 0) {
		t->lpm4_index = rte_malloc_socket("ioc_lpm4_index",
			sizeof(uint32_t) * c->cidr4, 0, socket);
		if (t->lpm4_index == NULL)
			return -ENOMEM;
	}
	if (c->cidr6 > 0) {
		t->lpm6_index = rte_malloc_socket("ioc_lpm6_index",
			sizeof(uint32_t) * c->cidr6, 0, socket);
		if (t->lpm6_index == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < t->set.n; i++) {
		const struct c2w_ioc *ioc = &t->set.v[i];

		if (ioc->kind != C2W_IOC_CIDR ||
		    ioc->action == C2W_IOC_ACTION_IGNORE ||
		    ioc_is_host_prefix(ioc))
			continue;
		if (ioc->family == 4)
			t->lpm4_index[k4++] = (uint32_t)i;
		else
			t->lpm6_index[k6++] = (uint32_t)i;
	}
	t->n_cidr4 = k4;
	t->n_cidr6 = k6;
	return 0;
}

static int
ioc_lpm_create(struct c2w_ioc_table *t, const char *name, int socket)
{
	char lpm_name[RTE_LPM_NAMESIZE];
	int ret;

	if (t->n_cidr4 > 0) {
		struct rte_lpm_config cfg = { .max_rules = t->n_cidr4 };

		ret = ioc_lpm4_groups(t, &t->tbl8_4);
		if (ret != 0)
			return ret;
		/* rte_lpm_create fails on a zero-sized tbl8 array. */
		cfg.number_tbl8s = RTE_MAX(t->tbl8_4, 1u);
		snprintf(lpm_name, sizeof(lpm_name), "%s_l4_%u", name,
			 t->generation);
		t->lpm4 = rte_lpm_create(lpm_name, socket, &cfg);
		if (t->lpm4 == NULL)
			return -ENOMEM;
	}
	if (t->n_cidr6 > 0) {
		struct rte_lpm6_config cfg = { .max_rules = t->n_cidr6 };

		ret = ioc_lpm6_groups(t, &t->tbl8_6);
		if (ret != 0)
			return ret;
		cfg.number_tbl8s = RTE_MAX(t->tbl8_6, 1u);
		snprintf(lpm_name, sizeof(lpm_name), "%s_l6_%u", name,
			 t->generation);
		t->lpm6 = rte_lpm6_create(lpm_name, socket, &cfg);
		if (t->lpm6 == NULL)
			return -ENOMEM;
	}
	return 0;
}

static int
ioc_lpm_insert_all(struct c2w_ioc_table *t)
{
	uint32_t k;
	int ret;

	for (k = 0; k < t->n_cidr4; k++) {
		const struct c2w_ioc *ioc = &t->set.v[t->lpm4_index[k]];

		ret = rte_lpm_add(t->lpm4, ioc_ipv4(ioc->addr), ioc->prefix, k);
		if (ret < 0)
			return -ENOSPC;
	}
	for (k = 0; k < t->n_cidr6; k++) {
		const struct c2w_ioc *ioc = &t->set.v[t->lpm6_index[k]];

		ret = rte_lpm6_add(t->lpm6, ioc->addr, ioc->prefix, k);
		if (ret < 0)
			return -ENOSPC;
	}
	return 0;
}

static int
ioc_hash_insert_all(struct c2w_ioc_table *t)
{
	struct c2w_ioc_key key;
	size_t i;
	int ret;

	for (i = 0; i < t->set.n; i++) {
		const struct c2w_ioc *ioc = &t->set.v[i];
		struct rte_hash *h;

		if (ioc->action == C2W_IOC_ACTION_IGNORE)
			continue;
		if (ioc->kind == C2W_IOC_IP_PORT)
			h = t->ip_port;
		else if (ioc->kind == C2W_IOC_IP ||
			 (ioc->kind == C2W_IOC_CIDR && ioc_is_host_prefix(ioc)))
			h = t->ip;
		else
			continue;
		ioc_key_fill(&key, ioc->family, ioc->addr,
			     ioc->kind == C2W_IOC_IP_PORT ? ioc->port : 0);
		/* An exact ip and a /32 of the same address: the entry
		 * read first keeps the hits. */
		if (ioc->kind == C2W_IOC_CIDR && rte_hash_lookup(h, &key) >= 0)
			continue;
		ret = rte_hash_add_key_data(h, &key, (void *)(uintptr_t)i);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void
ioc_table_release(struct c2w_ioc_table *t)
{
	rte_hash_free(t->ip_port);
	rte_hash_free(t->ip);
	rte_lpm_free(t->lpm4);
	rte_lpm6_free(t->lpm6);
	rte_free(t->lpm4_index);
	rte_free(t->lpm6_index);
	rte_free(t->hit);
	free(t);
}

static int
ioc_table_fill(struct c2w_ioc_table *t, const struct ioc_counts *c,
	       const char *name, int socket)
{
	int ret;

	/* Cuckoo tables fill before nominal capacity; a quarter of
	 * headroom keeps every insert successful. */
	t->ip_port = ioc_hash_create(name, "ipp", t->generation,
				     c->ip_port + c->ip_port / 4, socket);
	t->ip = ioc_hash_create(name, "ip", t->generation,
				c->ip + c->ip / 4, socket);
	t->hit = rte_zmalloc_socket("ioc_hits",
		sizeof(*t->hit) * RTE_MAX(t->set.n, (size_t)1), 0, socket);
	if (t->ip_port == NULL || t->ip == NULL || t->hit == NULL)
		return -ENOMEM;
	ret = ioc_collect_prefixes(t, c, socket);
	if (ret != 0)
		return ret;
	ret = ioc_lpm_create(t, name, socket);
	if (ret != 0)
		return ret;
	ret = ioc_hash_insert_all(t);
	if (ret != 0)
		return ret;
	return ioc_lpm_insert_all(t);
}

int
c2w_ioc_table_build(struct c2w_ioc_set *set, const char *name, int socket,
		    struct c2w_ioc_table **out)
{
	struct c2w_ioc_table *t;
	struct ioc_counts c;
	int ret;

	ret = ioc_count(set, &c);
	if (ret != 0)
		return ret;
	ret = ioc_check_limits(&c);
	if (ret != 0)
		return ret;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->generation = ++ioc_generation;
	t->n_ip_port = c.ip_port;
	t->n_ip = c.ip;
	t->n_ignored = c.ignored;
	t->set = *set;

	ret = ioc_table_fill(t, &c, name, socket);
	if (ret != 0) {
		/* The set goes back to the caller untouched. */
		memset(&t->set, 0, sizeof(t->set));
		ioc_table_release(t);
		return ret;
	}
	c2w_ioc_set_init(set);
	*out = t;
	return 0;
}

void
c2w_ioc_table_free(struct c2w_ioc_table *t)
{
	if (t == NULL)
		return;
	/* Wait for a telemetry scan of this table to end. */
	pthread_mutex_lock(&ioc_free_lock);
	c2w_ioc_set_free(&t->set);
	ioc_table_release(t);
	pthread_mutex_unlock(&ioc_free_lock);
}

/* Maximum flows in one rte_hash bulk call, at two keys each. */
#define IOC_BULK_FLOWS (RTE_HASH_LOOKUP_BULK_MAX / 2)

/*
 * Look up the destination and the source key of each flow still
 * unmatched in one bulk call, which fetches every bucket before it
 * compares, so the cache misses of all the flows overlap. A flow's
 * destination wins over its source.
 */
static void
ioc_lookup_level(const struct rte_hash *h, const struct c2w_ioc_query *q,
		 unsigned n, int ports, struct c2w_ioc_match *m)
{
	struct c2w_ioc_key keys[RTE_HASH_LOOKUP_BULK_MAX];
	const void *key_ptrs[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t owner[IOC_BULK_FLOWS];
	uint64_t hit_mask = 0;
	unsigned i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (m[i].index >= 0 || (ports && !q[i].with_ports))
			continue;
		ioc_key_fill(&keys[k], q[i].family, q[i].dst,
			     ports ? q[i].dport : 0);
		ioc_key_fill(&keys[k + 1], q[i].family, q[i].src,
			     ports ? q[i].sport : 0);
		key_ptrs[k] = &keys[k];
		key_ptrs[k + 1] = &keys[k + 1];
		owner[k / 2] = (uint8_t)i;
		k += 2;
	}
	if (k == 0 ||
	    rte_hash_lookup_bulk_data(h, key_ptrs, k, &hit_mask, data) <= 0)
		return;
	for (j = 0; j < k; j += 2) {
		i = owner[j / 2];
		if (hit_mask & (UINT64_C(1) << j)) {
			m[i].index = (int32_t)(uintptr_t)data[j];
			m[i].side = C2W_IPFIX_SIDE_DESTINATION;
		} else if (hit_mask & (UINT64_C(1) << (j + 1))) {
			m[i].index = (int32_t)(uintptr_t)data[j + 1];
			m[i].side = C2W_IPFIX_SIDE_SOURCE;
		}
	}
}

/* Set index of the longest prefix holding addr, -1 if none. */
static int32_t
ioc_lpm_lookup(const struct c2w_ioc_table *t, uint8_t family,
	       const uint8_t *addr)
{
	uint32_t next_hop;

	if (family == 4) {
		if (t->lpm4 == NULL ||
		    rte_lpm_lookup(t->lpm4, ioc_ipv4(addr), &next_hop) != 0)
			return -1;
		return (int32_t)t->lpm4_index[next_hop];
	}
	if (t->lpm6 == NULL || rte_lpm6_lookup(t->lpm6, addr, &next_hop) != 0)
		return -1;
	return (int32_t)t->lpm6_index[next_hop];
}

/*
 * Prefix level: the longer prefix wins across both endpoints, because
 * a /24 names fewer hosts than a /16 whichever side it is on. On equal
 * length the destination wins, as on the exact levels.
 */
static int32_t
ioc_match_prefix(const struct c2w_ioc_table *t, uint8_t family,
		 const uint8_t *src, const uint8_t *dst, uint8_t *side)
{
	int32_t d = ioc_lpm_lookup(t, family, dst);
	int32_t s = ioc_lpm_lookup(t, family, src);

	if (s >= 0 && (d < 0 || t->set.v[s].prefix > t->set.v[d].prefix)) {
		*side = C2W_IPFIX_SIDE_SOURCE;
		return s;
	}
	*side = C2W_IPFIX_SIDE_DESTINATION;
	return d;
}

/* Match up to IOC_BULK_FLOWS flows. */
static void
ioc_match_chunk(const struct c2w_ioc_table *t, const struct c2w_ioc_query *q,
		unsigned n, struct c2w_ioc_match *m)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		m[i].index = -1;
		m[i].side = C2W_IPFIX_SIDE_NONE;
	}
	if (t == NULL)
		return;

	/* The most specific indicator wins: ip:port, then exact ip, then
	 * the longest prefix. Within a level the destination comes first:
	 * an indicator names a server, and the first packet of a flow
	 * goes to the server, whose port is the fixed one. */
	if (t->lpm4 != NULL) {
		/* tbl24 is 64 MiB, so its entries are mostly cache misses;
		 * fetching them now overlaps them with the hash lookups. */
		for (i = 0; i < n; i++) {
			if (q[i].family != 4)
				continue;
			rte_prefetch0(&t->lpm4->tbl24[ioc_ipv4(q[i].dst) >> 8]);
			rte_prefetch0(&t->lpm4->tbl24[ioc_ipv4(q[i].src) >> 8]);
		}
	}
	if (t->n_ip_port > 0)
		ioc_lookup_level(t->ip_port, q, n, 1, m);
	if (t->n_ip > 0)
		ioc_lookup_level(t->ip, q, n, 0, m);
	if (t->lpm4 == NULL && t->lpm6 == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (m[i].index >= 0)
			continue;
		m[i].index = ioc_match_prefix(t, q[i].family, q[i].src,
					      q[i].dst, &m[i].side);
		if (m[i].index < 0)
			m[i].side = C2W_IPFIX_SIDE_NONE;
	}
}

void
c2w_ioc_table_match_bulk(const struct c2w_ioc_table *t,
			 const struct c2w_ioc_query *q, unsigned n,
			 struct c2w_ioc_match *m)
{
	unsigned i, chunk;

	for (i = 0; i < n; i += chunk) {
		chunk = RTE_MIN(n - i, (unsigned)IOC_BULK_FLOWS);
		ioc_match_chunk(t, q + i, chunk, m + i);
	}
}

int
c2w_ioc_table_match(const struct c2w_ioc_table *t, uint8_t family,
		    const uint8_t *src, uint16_t sport, const uint8_t *dst,
		    uint16_t dport, int with_ports, struct c2w_ioc_match *m)
{
	const struct c2w_ioc_query q = {
		.src = src,
		.dst = dst,
		.sport = sport,
		.dport = dport,
		.family = family,
		.with_ports = (uint8_t)!!with_ports,
	};

	ioc_match_chunk(t, &q, 1, m);
	return m->index >= 0;
}

/* Order of c2w_ioc_table_top(): more hits, then a later hit, then the
 * lower index. */
static int
ioc_top_before(const struct c2w_ioc_top *a, const struct c2w_ioc_top *b)
{
	if (a->hits != b->hits)
		return a->hits > b->hits;
	if (a->last_ms != b->last_ms)
		return a->last_ms > b->last_ms;
	return a->index < b->index;
}

static int
ioc_top_cmp(const void *a, const void *b)
{
	if (ioc_top_before(a, b))
		return -1;
	return ioc_top_before(b, a) ? 1 : 0;
}

/* Restore the heap below position i: every parent sorts after its
 * children, so the root is the entry to drop first. */
static void
ioc_top_sift_down(struct c2w_ioc_top *heap, unsigned n, unsigned i)
{
	for (;;) {
		unsigned last = i, l = 2 * i + 1, r = 2 * i + 2;
		struct c2w_ioc_top tmp;

		if (l < n && ioc_top_before(&heap[last], &heap[l]))
			last = l;
		if (r < n && ioc_top_before(&heap[last], &heap[r]))
			last = r;
		if (last == i)
			return;
		tmp = heap[i];
		heap[i] = heap[last];
		heap[last] = tmp;
		i = last;
	}
}

static void
ioc_top_sift_up(struct c2w_ioc_top *heap, unsigned i)
{
	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		struct c2w_ioc_top tmp;

		if (!ioc_top_before(&heap[parent], &heap[i]))
			return;
		tmp = heap[i];
		heap[i] = heap[parent];
		heap[parent] = tmp;
		i = parent;
	}
}

int
c2w_ioc_table_top(const struct c2w_ioc_table *t, unsigned n,
		  struct c2w_ioc_top out[])
{
	unsigned used = 0;
	size_t i;

	if (out == NULL || n > C2W_IOC_TOP_MAX)
		return -EINVAL;
	if (t == NULL || n == 0)
		return 0;
	for (i = 0; i < t->set.n; i++) {
		struct c2w_ioc_top e;

		e.hits = __atomic_load_n(&t->hit[i].hits, __ATOMIC_RELAXED);
		if (e.hits == 0)
			continue;
		e.last_ms = __atomic_load_n(&t->hit[i].last_ms,
					    __ATOMIC_RELAXED);
		e.index = (uint32_t)i;
		if (used < n) {
			out[used] = e;
			ioc_top_sift_up(out, used++);
		} else if (ioc_top_before(&e, &out[0])) {
			out[0] = e;
			ioc_top_sift_down(out, used, 0);
		}
	}
	qsort(out, used, sizeof(out[0]), ioc_top_cmp);
	return (int)used;
}

static struct c2w_ioc_table **ioc_tel_live;

static int
ioc_tel_parse_count(const char *params, unsigned *n)
{
	unsigned long v;
	char *end;

	*n = IOC_TOP_DEFAULT;
	if (params == NULL || params[0] == '\0')
		return 0;
	errno = 0;
	v = strtoul(params, &end, 10);
	if (errno != 0 || *end != '\0' || params[0] == '-' || v < 1 ||
	    v > C2W_IOC_TOP_MAX)
		return -EINVAL;
	*n = (unsigned)v;
	return 0;
}

/* A text column of the reply: one field of each listed indicator. */
static int
ioc_tel_add_text(struct rte_tel_data *d, const char *name,
		 const struct c2w_ioc_table *t, const struct c2w_ioc_top *top,
		 int used, size_t field)
{
	struct rte_tel_data *col = rte_tel_data_alloc();
	int i, ret;

	if (col == NULL)
		return -ENOMEM;
	ret = rte_tel_data_start_array(col, RTE_TEL_STRING_VAL);
	for (i = 0; i < used && ret >= 0; i++) {
		const struct c2w_ioc *ioc = &t->set.v[top[i].index];
		uint32_t off;

		memcpy(&off, (const char *)ioc + field, sizeof(off));
		/* A positive E2BIG means the text was cut to 127 bytes; it
		 * is listed all the same. */
		ret = rte_tel_data_add_array_string(col,
						    c2w_ioc_str(&t->set, off));
	}
	if (ret >= 0)
		ret = rte_tel_data_add_dict_container(d, name, col, 0);
	if (ret < 0)
		rte_tel_data_free(col);
	return ret;
}

/* A number column of the reply: one field of each row of top. */
static int
ioc_tel_add_count(struct rte_tel_data *d, const char *name,
		  const struct c2w_ioc_top *top, int used, size_t field)
{
	struct rte_tel_data *col = rte_tel_data_alloc();
	int i, ret;

	if (col == NULL)
		return -ENOMEM;
	ret = rte_tel_data_start_array(col, RTE_TEL_U64_VAL);
	for (i = 0; i < used && ret >= 0; i++) {
		uint64_t v;

		memcpy(&v, (const char *)&top[i] + field, sizeof(v));
		ret = rte_tel_data_add_array_u64(col, v);
	}
	if (ret >= 0)
		ret = rte_tel_data_add_dict_container(d, name, col, 0);
	if (ret < 0)
		rte_tel_data_free(col);
	return ret;
}

/*
 * /c2wall/ioc_top: the table is read through the live pointer. A reload
 * frees the old table after an RCU grace period that only the workers
 * report to, so this handler holds ioc_free_lock from loading the
 * pointer to its last read, and c2w_ioc_table_free() takes the same
 * lock: a table being scanned is freed only after the scan.
 */
static int
ioc_tel_top(const char *cmd __rte_unused, const char *params,
	    struct rte_tel_data *d)
{
	struct c2w_ioc_top top[C2W_IOC_TOP_MAX];
	const struct c2w_ioc_table *t;
	unsigned n;
	int used, ret;

	ret = ioc_tel_parse_count(params, &n);
	if (ret != 0)
		return ret;
	pthread_mutex_lock(&ioc_free_lock);
	t = __atomic_load_n(ioc_tel_live, __ATOMIC_ACQUIRE);
	used = c2w_ioc_table_top(t, n, top);
	if (used < 0) {
		pthread_mutex_unlock(&ioc_free_lock);
		return used;
	}

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "indicators", t != NULL ? t->set.n : 0);
	rte_tel_data_add_dict_u64(d, "generation",
				  t != NULL ? t->generation : 0);
	ret = ioc_tel_add_text(d, "value", t, top, used,
			       offsetof(struct c2w_ioc, value));
	if (ret >= 0)
		ret = ioc_tel_add_count(d, "hits", top, used,
					offsetof(struct c2w_ioc_top, hits));
	if (ret >= 0)
		ret = ioc_tel_add_count(d, "last_hit_ms", top, used,
					offsetof(struct c2w_ioc_top, last_ms));
	if (ret >= 0)
		ret = ioc_tel_add_text(d, "threat_type", t, top, used,
				       offsetof(struct c2w_ioc, threat_type));
	if (ret >= 0)
		ret = ioc_tel_add_text(d, "malware", t, top, used,
				       offsetof(struct c2w_ioc, malware));
	pthread_mutex_unlock(&ioc_free_lock);
	return ret < 0 ? ret : 0;
}

int
c2w_ioc_telemetry_register(struct c2w_ioc_table **live)
{
	if (live == NULL)
		return -EINVAL;
	ioc_tel_live = live;
	/* DPDK 22.11 rejects help texts of 128 bytes or more. */
	return rte_telemetry_register_cmd("/c2wall/ioc_top", ioc_tel_top,
		"Top indicators by hits: value, hits, last_hit_ms, "
		"threat_type, malware. Parameters: int count (1..64, "
		"default 10)");
}
