/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_random.h>

#include "event.h"
#include "flow.h"

/* A closed TCP flow lingers this long so that the last ACK of the close
 * still counts in it instead of opening a new flow. */
#define FLOW_CLOSE_LINGER_MS 2000u

_Static_assert(sizeof(struct c2w_flow_key) == 40, "flow key layout");
_Static_assert(sizeof(struct c2w_flow) == 64, "flow entry layout");

/* rte_hash compares keys of 16, 32, 48, ... bytes with vector code and
 * others with memcmp, so a 40-byte key gets this comparison instead. */
static int
flow_key_cmp(const void *a, const void *b, size_t len __rte_unused)
{
	uint64_t x[5], y[5];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
		(x[3] ^ y[3]) | (x[4] ^ y[4])) != 0;
}

int
c2w_flow_table_create(const char *name, uint32_t entries, int socket,
		      uint32_t idle_ms, uint32_t active_ms,
		      struct c2w_flow_table **out)
{
	struct rte_hash_parameters params = {
		.name = name,
		/* rte_hash keeps one slot more than its entries and rounds
		 * its free-slot ring up to a power of two, so one entry fewer
		 * keeps that ring at 4 bytes per entry instead of 8. */
		.entries = entries - 1,
		.key_len = sizeof(struct c2w_flow_key),
		.hash_func = rte_hash_crc,
		/* A random seed per start: hosts on the wire choose the
		 * keys, so bucket placement must not be predictable. */
		.hash_func_init_val = (uint32_t)rte_rand(),
		.socket_id = socket,
	};
	struct c2w_flow_table *ft;
	uint64_t slots;
	int ret;

	ft = rte_zmalloc_socket("flow_table", sizeof(*ft), RTE_CACHE_LINE_SIZE,
				socket);
	if (ft == NULL)
		return -ENOMEM;

	ft->h = rte_hash_create(&params);
	if (ft->h == NULL) {
		ret = rte_errno > 0 ? -rte_errno : -ENOMEM;
		goto out_free_table;
	}
	rte_hash_set_cmp_func(ft->h, flow_key_cmp);

	/* Key positions run up to the hash's highest key id. */
	ft->n_slots = (uint32_t)rte_hash_max_key_id(ft->h) + 1;
	ft->flows = rte_zmalloc_socket("flows",
				       (size_t)ft->n_slots * sizeof(*ft->flows),
				       RTE_CACHE_LINE_SIZE, socket);
	if (ft->flows == NULL) {
		ret = -ENOMEM;
		goto out_free_hash;
	}
	ft->idle_ms = idle_ms;
	ft->active_ms = active_ms;
	/* One sweep per millisecond covers the table in idle_ms / 4. */
	slots = ((uint64_t)ft->n_slots * 4 + idle_ms) / (idle_ms + 1);
	ft->sweep_slots = (uint32_t)RTE_MAX(slots, (uint64_t)64);
	*out = ft;
	return 0;

out_free_hash:
	rte_hash_free(ft->h);
out_free_table:
	rte_free(ft);
	return ret;
}

void
c2w_flow_table_free(struct c2w_flow_table *ft)
{
	if (ft == NULL)
		return;
	rte_hash_free(ft->h);
	rte_free(ft->flows);
	rte_free(ft);
}

/* Any total order of endpoints serves to normalise the key; comparing
 * the addresses as two host-order words costs less than memcmp. */
static int
flow_endpoint_cmp(const uint8_t *a, uint16_t pa, const uint8_t *b,
		  uint16_t pb)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	if (a0 != b0)
		return a0 < b0 ? -1 : 1;
	if (a1 != b1)
		return a1 < b1 ? -1 : 1;
	return (int)pa - (int)pb;
}

/* Convert an address into the two 8-byte words of a key. IPv4 addresses
 * become IPv4-mapped. */
static void
flow_key_addr_words(const uint8_t *addr, int ipv6, uint64_t *w)
{
	uint32_t a4;

	if (ipv6) {
		memcpy(&w[0], addr, 8);
		memcpy(&w[1], addr + 8, 8);
		return;
	}
	memcpy(&a4, addr, 4);
	w[0] = 0;
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	w[1] = UINT64_C(0xffff0000) | (uint64_t)a4 << 32;
#else
	w[1] = UINT64_C(0xffff) << 32 | a4;
#endif
}

/* Store one 8-byte word of a key. The volatile store stops the compiler
 * from merging words into 16-byte stores, because the hash's 8-byte loads
 * cannot take their bytes from those either. */
static inline void
flow_key_word_set(struct c2w_flow_key *key, unsigned i, uint64_t v)
{
	volatile uint64_t *dst = (volatile uint64_t *)(void *)key;

	dst[i] = v;
}

int
c2w_flow_key_make(const struct c2w_pkt *pkt, struct c2w_flow_key *key)
{
	int ipv6 = !!(pkt->flags & C2W_PKT_F_IPV6);
	uint64_t w[5], src[2], dst[2];
	uint32_t s4, d4, meta;
	uint16_t lo, hi;
	int src_is_lo;

	/* The parser stores an IPv4 address in 4 bytes, so it is read back
	 * in 4 bytes. A wider load would wait for the store to reach the
	 * cache instead of taking it from the store buffer. */
	if (ipv6) {
		src_is_lo = flow_endpoint_cmp(pkt->src, pkt->sport, pkt->dst,
					      pkt->dport) <= 0;
	} else {
		memcpy(&s4, pkt->src, 4);
		memcpy(&d4, pkt->dst, 4);
		src_is_lo = s4 != d4 ? s4 < d4 : pkt->sport <= pkt->dport;
	}
	flow_key_addr_words(pkt->src, ipv6, src);
	flow_key_addr_words(pkt->dst, ipv6, dst);
	if (src_is_lo) {
		w[0] = src[0];
		w[1] = src[1];
		w[2] = dst[0];
		w[3] = dst[1];
	} else {
		w[0] = dst[0];
		w[1] = dst[1];
		w[2] = src[0];
		w[3] = src[1];
	}
	lo = src_is_lo ? pkt->sport : pkt->dport;
	hi = src_is_lo ? pkt->dport : pkt->sport;
	meta = C2W_FLOW_KEY_META(pkt->vlan_outer, pkt->vlan_inner,
				 pkt->proto);
	/* port_lo, port_hi and meta as one word in memory order. */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	w[4] = (uint64_t)lo | (uint64_t)hi << 16 | (uint64_t)meta << 32;
#else
	w[4] = (uint64_t)lo << 48 | (uint64_t)hi << 32 | meta;
#endif
	/* Hashing and comparing read the key in 8-byte words, so it is
	 * written in such words and each load finds one store to read. */
	flow_key_word_set(key, 0, w[0]);
	flow_key_word_set(key, 1, w[1]);
	flow_key_word_set(key, 2, w[2]);
	flow_key_word_set(key, 3, w[3]);
	flow_key_word_set(key, 4, w[4]);
	return src_is_lo;
}

void
c2w_flow_lookup_bulk(const struct c2w_flow_table *ft,
		     const struct c2w_flow_key **keys, unsigned n,
		     int32_t *pos)
{
	unsigned i;

	if (n == 0)
		return;
	if (rte_hash_lookup_bulk(ft->h, (const void **)keys, n, pos) < 0) {
		for (i = 0; i < n; i++)
			pos[i] = -1;
		return;
	}
	for (i = 0; i < n; i++)
		if (pos[i] >= 0)
			rte_prefetch0(&ft->flows[pos[i]]);
}

int
c2w_flow_lookup_add(struct c2w_flow_table *ft, const struct c2w_flow_key *key,
		    struct c2w_flow **flow)
{
	hash_sig_t sig = rte_hash_hash(ft->h, key);
	int32_t pos;

	pos = rte_hash_lookup_with_hash(ft->h, key, sig);
	if (pos >= 0) {
		*flow = &ft->flows[pos];
		return 0;
	}

	pos = rte_hash_add_key_with_hash(ft->h, key, sig);
	if (pos < 0)
		return pos;
	*flow = &ft->flows[pos];
	memset(*flow, 0, sizeof(**flow));
	(*flow)->ioc = -1;
	(*flow)->state = C2W_FLOW_ACTIVE;
	ft->count++;
	return 1;
}

int
c2w_flow_remove(struct c2w_flow_table *ft, const struct c2w_flow_key *key)
{
	int32_t pos = rte_hash_del_key(ft->h, key);

	if (pos < 0)
		return pos;
	ft->flows[pos].state = C2W_FLOW_FREE;
	ft->count--;
	ft->removals++;
	return 0;
}

void
c2w_flow_restart(struct c2w_flow *f)
{
	/* The next packet opens the next active-timeout period. */
	f->first_ms = 0;
	f->pkts[0] = f->pkts[1] = 0;
	f->bytes[0] = f->bytes[1] = 0;
	f->tcp_flags[0] = f->tcp_flags[1] = 0;
}

int
c2w_flow_end_reason(const struct c2w_flow_table *ft, const struct c2w_flow *f,
		    uint64_t now_ms)
{
	uint64_t idle = now_ms > f->last_ms ? now_ms - f->last_ms : 0;

	if (f->state == C2W_FLOW_CLOSING &&
	    idle >= RTE_MIN(FLOW_CLOSE_LINGER_MS, ft->idle_ms))
		return C2W_END_DETECTED;
	if (idle >= ft->idle_ms)
		return C2W_END_IDLE;
	if (f->pkts[0] + f->pkts[1] > 0 && f->first_ms > 0 &&
	    now_ms - f->first_ms >= ft->active_ms)
		return C2W_END_ACTIVE;
	return 0;
}

static void
flow_end_slot(struct c2w_flow_table *ft, uint32_t pos, uint8_t reason,
	      c2w_flow_end_fn end, void *ctx)
{
	struct c2w_flow *f = &ft->flows[pos];
	void *key;

	if (rte_hash_get_key_with_position(ft->h, pos, &key) < 0)
		return;
	end(ctx, key, f, reason);
	if (reason == C2W_END_ACTIVE) {
		c2w_flow_restart(f);
		return;
	}
	c2w_flow_remove(ft, key);
}

unsigned
c2w_flow_table_tick(struct c2w_flow_table *ft, uint64_t now_ms,
		    c2w_flow_end_fn end, void *ctx)
{
	if (now_ms == ft->sweep_ms)
		return 0;
	ft->sweep_ms = now_ms;
	return c2w_flow_table_sweep(ft, now_ms, ft->sweep_slots, end, ctx);
}

unsigned
c2w_flow_table_sweep(struct c2w_flow_table *ft, uint64_t now_ms,
		     uint32_t max_slots, c2w_flow_end_fn end, void *ctx)
{
	uint32_t pos = ft->sweep_pos;
	unsigned ended = 0;
	uint32_t i;

	if (ft->count == 0)
		return 0;
	max_slots = RTE_MIN(max_slots, ft->n_slots);
	for (i = 0; i < max_slots; i++) {
		struct c2w_flow *f = &ft->flows[pos];
		int reason;

		if (f->state != C2W_FLOW_FREE) {
			reason = c2w_flow_end_reason(ft, f, now_ms);
			if (reason != 0) {
				flow_end_slot(ft, pos, reason, end, ctx);
				ended++;
			}
		}
		if (++pos == ft->n_slots)
			pos = 0;
	}
	ft->sweep_pos = pos;
	return ended;
}

unsigned
c2w_flow_table_flush(struct c2w_flow_table *ft, uint8_t reason,
		     unsigned max, c2w_flow_end_fn end, void *ctx)
{
	unsigned ended = 0;
	uint32_t pos = ft->sweep_pos;

	while (ft->count > 0 && ended < max) {
		struct c2w_flow *f = &ft->flows[pos];

		if (f->state != C2W_FLOW_FREE) {
			flow_end_slot(ft, pos, f->state == C2W_FLOW_CLOSING ?
				      C2W_END_DETECTED : reason, end, ctx);
			ended++;
		}
		if (++pos == ft->n_slots)
			pos = 0;
	}
	ft->sweep_pos = pos;
	return ended;
}
