/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_random.h>

#include "ioc.h"
#include "ipfix_ie.h"

/* rte_hash rejects fewer than 8 entries. */
#define IOC_HASH_MIN_ENTRIES 8

static uint32_t ioc_generation;

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

static int
ioc_table_insert_all(struct c2w_ioc_table *t)
{
	struct c2w_ioc_key key;
	size_t i;
	int ret;

	for (i = 0; i < t->set.n; i++) {
		const struct c2w_ioc *ioc = &t->set.v[i];
		struct rte_hash *h;

		if (ioc->kind == C2W_IOC_IP_PORT)
			h = t->ip_port;
		else if (ioc->kind == C2W_IOC_IP)
			h = t->ip;
		else
			continue;
		ioc_key_fill(&key, ioc->family, ioc->addr, ioc->port);
		ret = rte_hash_add_key_data(h, &key, (void *)(uintptr_t)i);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int
c2w_ioc_table_build(struct c2w_ioc_set *set, const char *name, int socket,
		    struct c2w_ioc_table **out)
{
	struct c2w_ioc_table *t;
	uint32_t n_ip_port = 0, n_ip = 0;
	size_t i;
	int ret;

	for (i = 0; i < set->n; i++) {
		if (set->v[i].kind == C2W_IOC_IP_PORT)
			n_ip_port++;
		else if (set->v[i].kind == C2W_IOC_IP)
			n_ip++;
	}

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->generation = ++ioc_generation;
	t->n_ip_port = n_ip_port;
	t->n_ip = n_ip;

	/* Cuckoo tables fill before nominal capacity; a quarter of
	 * headroom keeps every insert successful. */
	t->ip_port = ioc_hash_create(name, "ipp", t->generation,
				     n_ip_port + n_ip_port / 4, socket);
	t->ip = ioc_hash_create(name, "ip", t->generation, n_ip + n_ip / 4,
				socket);
	if (t->ip_port == NULL || t->ip == NULL) {
		ret = -ENOMEM;
		goto out_free_hashes;
	}

	t->set = *set;
	ret = ioc_table_insert_all(t);
	if (ret < 0) {
		memset(&t->set, 0, sizeof(t->set));
		goto out_free_hashes;
	}
	c2w_ioc_set_init(set);
	*out = t;
	return 0;

out_free_hashes:
	rte_hash_free(t->ip_port);
	rte_hash_free(t->ip);
	free(t);
	return ret;
}

void
c2w_ioc_table_free(struct c2w_ioc_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->ip_port);
	rte_hash_free(t->ip);
	c2w_ioc_set_free(&t->set);
	free(t);
}

static int32_t
ioc_lookup(const struct rte_hash *h, uint8_t family, const uint8_t *addr,
	   uint16_t port)
{
	struct c2w_ioc_key key;
	void *data;

	ioc_key_fill(&key, family, addr, port);
	if (rte_hash_lookup_data(h, &key, &data) < 0)
		return -1;
	return (int32_t)(uintptr_t)data;
}

int
c2w_ioc_table_match(const struct c2w_ioc_table *t, uint8_t family,
		    const uint8_t *src, uint16_t sport, const uint8_t *dst,
		    uint16_t dport, int with_ports, struct c2w_ioc_match *m)
{
	int32_t idx = -1;
	uint8_t side = C2W_IPFIX_SIDE_NONE;

	if (t == NULL)
		goto out;

	/* The most specific indicator wins: ip:port before address. */
	if (with_ports && t->n_ip_port > 0) {
		idx = ioc_lookup(t->ip_port, family, dst, dport);
		side = C2W_IPFIX_SIDE_DESTINATION;
		if (idx < 0) {
			idx = ioc_lookup(t->ip_port, family, src, sport);
			side = C2W_IPFIX_SIDE_SOURCE;
		}
	}
	if (idx < 0 && t->n_ip > 0) {
		idx = ioc_lookup(t->ip, family, dst, 0);
		side = C2W_IPFIX_SIDE_DESTINATION;
		if (idx < 0) {
			idx = ioc_lookup(t->ip, family, src, 0);
			side = C2W_IPFIX_SIDE_SOURCE;
		}
	}
out:
	m->index = idx;
	m->side = idx < 0 ? C2W_IPFIX_SIDE_NONE : side;
	return idx >= 0;
}
