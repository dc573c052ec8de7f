/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_string_fns.h>
#include <rte_tcp.h>

#include "event.h"
#include "ipfix_ie.h"
#include "worker.h"

_Static_assert(C2W_MAX_PORTS <= UINT8_MAX, "a port number fits a byte");
_Static_assert(C2W_BURST_MAX <= RTE_HASH_LOOKUP_BULK_MAX,
	       "a burst is looked up at once");

/* Packets ahead of the current one whose headers are prefetched. */
#define WORKER_PREFETCH_AHEAD 3
/* Slots looked at when an insert finds the table full. */
#define WORKER_FULL_SWEEP_SLOTS 4096

enum pkt_action {
	PKT_FORWARD = 0,
	PKT_DROP,
};

uint64_t
c2w_runtime_wall_ms(const struct c2w_runtime *rt)
{
	uint64_t tsc_per_ms = rt->tsc_hz / 1000;

	return rt->wall_base_ms + (rte_rdtsc() - rt->tsc_base) / tsc_per_ms;
}

static void
event_copy_ioc(struct c2w_event *ev, const struct c2w_ioc_table *t,
	       int32_t index)
{
	const struct c2w_ioc_set *set;
	const struct c2w_ioc *ioc;

	ev->ioc_first_seen = C2W_IOC_TIME_UNKNOWN;
	ev->ioc_last_seen = C2W_IOC_TIME_UNKNOWN;
	if (t == NULL || index < 0 || (size_t)index >= t->set.n)
		return;
	set = &t->set;
	ioc = &set->v[index];
	ev->confidence = ioc->confidence;
	ev->ioc_first_seen = ioc->first_seen;
	ev->ioc_last_seen = ioc->last_seen;
	rte_strlcpy(ev->ioc_value, c2w_ioc_str(set, ioc->value),
		    sizeof(ev->ioc_value));
	rte_strlcpy(ev->ioc_id, c2w_ioc_str(set, ioc->id), sizeof(ev->ioc_id));
	rte_strlcpy(ev->threat_type, c2w_ioc_str(set, ioc->threat_type),
		    sizeof(ev->threat_type));
	rte_strlcpy(ev->malware, c2w_ioc_str(set, ioc->malware),
		    sizeof(ev->malware));
	rte_strlcpy(ev->tags, c2w_ioc_str(set, ioc->tags), sizeof(ev->tags));
	rte_strlcpy(ev->reference, c2w_ioc_str(set, ioc->reference),
		    sizeof(ev->reference));
}

static uint8_t
verdict_action(uint8_t verdict)
{
	switch (verdict) {
	case C2W_VERDICT_BLOCK:
		return C2W_IPFIX_ACTION_BLOCKED;
	case C2W_VERDICT_ALERT:
		return C2W_IPFIX_ACTION_ALERTED;
	case C2W_VERDICT_ALLOW:
		return C2W_IPFIX_ACTION_ALLOWED;
	default:
		return C2W_IPFIX_ACTION_NONE;
	}
}

/* Fill an event from a flow. The record's source is the initiator, and
 * iocs is the table that f->ioc indexes. */
static void
event_fill(const struct c2w_worker *w, struct c2w_event *ev, uint8_t type,
	   const struct c2w_flow_key *key, const struct c2w_flow *f,
	   const struct c2w_ioc_table *iocs)
{
	uint8_t family = c2w_flow_family(f);

	memset(ev, 0, offsetof(struct c2w_event, ioc_value));
	memset(ev->ioc_value, 0, sizeof(*ev) -
	       offsetof(struct c2w_event, ioc_value));
	ev->type = type;
	ev->family = family;
	ev->proto = c2w_flow_key_proto(key);
	ev->action = verdict_action(f->verdict);
	ev->side = f->side;
	ev->vlan_outer = c2w_flow_key_vlan_outer(key);
	ev->vlan_inner = c2w_flow_key_vlan_inner(key);
	ev->vlan_count = (ev->vlan_outer != 0) + (ev->vlan_inner != 0);
	ev->ingress_port = f->ingress_port;
	ev->egress_port = w->rt->egress_of[f->ingress_port];
	ev->worker = (uint16_t)w->id;
	if (f->init_lo) {
		c2w_flow_key_addr(family, key->addr_lo, ev->src);
		c2w_flow_key_addr(family, key->addr_hi, ev->dst);
		ev->sport = key->port_lo;
		ev->dport = key->port_hi;
	} else {
		c2w_flow_key_addr(family, key->addr_hi, ev->src);
		c2w_flow_key_addr(family, key->addr_lo, ev->dst);
		ev->sport = key->port_hi;
		ev->dport = key->port_lo;
	}
	if (ev->proto == IPPROTO_ICMP || ev->proto == IPPROTO_ICMPV6) {
		ev->icmp_type_code = c2w_flow_icmp_type_code(key, f);
		ev->sport = 0;
		ev->dport = 0;
	}
	ev->start_ms = f->first_ms;
	ev->end_ms = f->last_ms;
	ev->pkts_fwd = f->pkts[0];
	ev->bytes_fwd = f->bytes[0];
	ev->pkts_rev = f->pkts[1];
	ev->bytes_rev = f->bytes[1];
	ev->tcp_flags_fwd = f->tcp_flags[0];
	ev->tcp_flags_rev = f->tcp_flags[1];
	event_copy_ioc(ev, iocs, f->ioc);
}

static void
worker_send_alert(struct c2w_worker *w, const struct c2w_flow_key *key,
		  const struct c2w_flow *f)
{
	struct c2w_event ev;

	event_fill(w, &ev, C2W_EVENT_ALERT, key, f, w->iocs);
	if (rte_ring_mp_enqueue_elem(w->rt->events, &ev, sizeof(ev)) == 0)
		w->stats.alerts_sent++;
	else
		w->stats.alerts_failed++;
}

/* Return the generation of an IOC table, 0 for none. Flows store the
 * one they were judged with, so their indicator index is always read in
 * the table it came from. */
static uint32_t
table_gen(const struct c2w_ioc_table *t)
{
	return t != NULL ? t->generation : 0;
}

/* A flow that ends after a reload without a packet since: find its
 * indicator in the new table for the record's text. The verdict stays
 * what it was; a removed indicator leaves the record without text. */
static void
worker_refresh_ioc(const struct c2w_ioc_table *iocs,
		   const struct c2w_flow_key *key, struct c2w_flow *f)
{
	struct c2w_ioc_match m;
	uint8_t proto = c2w_flow_key_proto(key);
	uint8_t family = c2w_flow_family(f);
	int with_ports = proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6;
	uint8_t lo[16], hi[16];

	c2w_flow_key_addr(family, key->addr_lo, lo);
	c2w_flow_key_addr(family, key->addr_hi, hi);
	c2w_ioc_table_match(iocs, family, lo, key->port_lo, hi, key->port_hi,
			    with_ports, &m);
	f->ioc = m.index;
	f->ioc_gen = table_gen(iocs);
}

static void
worker_send_record(struct c2w_worker *w, const struct c2w_flow_key *key,
		   const struct c2w_flow *f, uint8_t reason,
		   const struct c2w_ioc_table *iocs)
{
	struct c2w_event ev;

	event_fill(w, &ev, C2W_EVENT_FLOW_END, key, f, iocs);
	ev.end_reason = reason;
	if (rte_ring_mp_enqueue_elem(w->rt->events, &ev, sizeof(ev)) == 0)
		w->stats.flow_records_sent++;
	else
		w->stats.flow_records_failed++;
}

static void
worker_flow_end(void *ctx, const struct c2w_flow_key *key,
		struct c2w_flow *f, uint8_t reason)
{
	struct c2w_worker *w = ctx;
	const struct c2w_ioc_table *iocs;

	if (reason != C2W_END_ACTIVE)
		w->stats.flows_expired++;
	/* A flow restarted by the active timeout may end with nothing new. */
	if (f->pkts[0] + f->pkts[1] == 0)
		return;
	if (!(f->flags & C2W_FLOW_F_MATCHED) &&
	    w->rt->cfg->export_scope != C2W_EXPORT_ALL)
		return;
	/* One read of the table serves both the refresh and the text. */
	iocs = __atomic_load_n(&w->rt->iocs, __ATOMIC_ACQUIRE);
	if (f->ioc >= 0 && f->ioc_gen != table_gen(iocs))
		worker_refresh_ioc(iocs, key, f);

	worker_send_record(w, key, f, reason, iocs);
}

/* Verdict for an indicator: its own action from the policy rules, or the
 * global one. Tap mode never blocks. */
static uint8_t
worker_ioc_verdict(const struct c2w_config *cfg, const struct c2w_ioc *ioc)
{
	bool block = cfg->action == C2W_ACTION_BLOCK;

	if (ioc->action == C2W_IOC_ACTION_BLOCK)
		block = true;
	else if (ioc->action == C2W_IOC_ACTION_ALERT)
		block = false;
	if (cfg->mode != C2W_MODE_INLINE)
		block = false;
	return block ? C2W_VERDICT_BLOCK : C2W_VERDICT_ALERT;
}

/* Fill the IOC lookup of a packet's endpoints. Ports count only where
 * the packet has them, never for ICMP. */
static void
worker_ioc_query(const struct c2w_pkt *pkt, struct c2w_ioc_query *q)
{
	q->src = pkt->src;
	q->dst = pkt->dst;
	q->sport = pkt->sport;
	q->dport = pkt->dport;
	q->family = (pkt->flags & C2W_PKT_F_IPV6) ? 6 : 4;
	q->with_ports = (pkt->flags & (C2W_PKT_F_L4 | C2W_PKT_F_PORTS_RAW)) &&
			pkt->proto != IPPROTO_ICMP &&
			pkt->proto != IPPROTO_ICMPV6;
}

/* Judge a flow from the IOC table of the burst and the allowlist: set
 * its verdict, indicator, matched side (seen from pkt) and the table
 * generation. pre, when not NULL, is the IOC match the burst already
 * looked up for pkt. Counting is left to the callers. */
static void
worker_classify(struct c2w_worker *w, const struct c2w_pkt *pkt,
		struct c2w_flow *f, const struct c2w_ioc_match *pre)
{
	const struct c2w_runtime *rt = w->rt;
	struct c2w_ioc_table *iocs = w->iocs;
	struct c2w_ioc_table *allow = __atomic_load_n(&rt->allow,
						       __ATOMIC_ACQUIRE);
	const struct c2w_ioc *ioc;
	struct c2w_ioc_query q;
	struct c2w_ioc_match m;

	f->verdict = C2W_VERDICT_NONE;
	f->ioc = -1;
	f->side = C2W_IPFIX_SIDE_NONE;
	f->ioc_gen = w->gen;
	worker_ioc_query(pkt, &q);
	if (pre != NULL)
		m = *pre;
	else
		c2w_ioc_table_match_bulk(iocs, &q, 1, &m);
	if (m.index < 0)
		return;
	ioc = &iocs->set.v[m.index];
	if (ioc->action == C2W_IOC_ACTION_IGNORE)
		return;

	f->ioc = m.index;
	f->side = m.side;
	f->flags |= C2W_FLOW_F_MATCHED;
	c2w_ioc_table_match_bulk(allow, &q, 1, &m);
	if (m.index >= 0) {
		f->verdict = C2W_VERDICT_ALLOW;
		return;
	}
	f->verdict = worker_ioc_verdict(rt->cfg, ioc);
}

static void
worker_count_verdict(struct c2w_worker *w, const struct c2w_flow *f)
{
	if (f->ioc >= 0) {
		w->stats.ioc_hits++;
		c2w_ioc_table_hit(w->iocs, f->ioc, w->now_ms);
	}
	if (f->verdict == C2W_VERDICT_ALLOW)
		w->stats.allow_hits++;
}

/* Return the flag for the packet's address family. The key cannot tell
 * an IPv4 flow from an IPv6 packet with IPv4-mapped addresses, which the
 * malformed path still reports. */
static uint8_t
flow_family_flag(const struct c2w_pkt *pkt)
{
	return (pkt->flags & C2W_PKT_F_IPV6) ? C2W_FLOW_F_IPV6 : 0;
}

static void
flow_account(struct c2w_flow *f, const struct c2w_pkt *pkt, int dir,
	     uint64_t now_ms)
{
	if (f->first_ms == 0)
		f->first_ms = now_ms;
	f->last_ms = now_ms;
	f->pkts[dir]++;
	f->bytes[dir] += pkt->ip_len;
	if (pkt->proto != IPPROTO_TCP)
		return;
	f->tcp_flags[dir] |= pkt->tcp_flags;
	if (pkt->tcp_flags & RTE_TCP_RST_FLAG)
		f->state = C2W_FLOW_CLOSING;
	if (pkt->tcp_flags & RTE_TCP_FIN_FLAG)
		f->flags |= dir == 0 ? C2W_FLOW_F_FIN_INIT : C2W_FLOW_F_FIN_RESP;
	if ((f->flags & (C2W_FLOW_F_FIN_INIT | C2W_FLOW_F_FIN_RESP)) ==
	    (C2W_FLOW_F_FIN_INIT | C2W_FLOW_F_FIN_RESP))
		f->state = C2W_FLOW_CLOSING;
}

/* A packet that got no flow entry is still classified on its own. */
static enum pkt_action
worker_untracked(struct c2w_worker *w, const struct c2w_worker_pkt *bp,
		 uint16_t port)
{
	const struct c2w_pkt *pkt = &bp->pkt;
	const struct c2w_flow_key *key = &bp->key;
	struct c2w_flow f;

	memset(&f, 0, sizeof(f));
	w->stats.flows_table_full++;
	f.ingress_port = (uint8_t)port;
	f.init_lo = bp->src_is_lo;
	f.flags = flow_family_flag(pkt);
	flow_account(&f, pkt, 0, w->now_ms);
	worker_classify(w, pkt, &f, bp->ioc_ready ? &bp->ioc : NULL);
	worker_count_verdict(w, &f);
	if (f.verdict == C2W_VERDICT_BLOCK || f.verdict == C2W_VERDICT_ALERT)
		worker_send_alert(w, key, &f);
	/* A matching packet without an entry still gets its record, ended
	 * for lack of resources. Unmatched ones are only counted, because a
	 * flood that fills the table would otherwise flood the collector. */
	if (f.verdict != C2W_VERDICT_NONE)
		worker_send_record(w, key, &f, C2W_END_RESOURCES, w->iocs);
	if (f.verdict == C2W_VERDICT_BLOCK) {
		w->stats.policy_drops++;
		return PKT_DROP;
	}
	if (f.verdict == C2W_VERDICT_NONE &&
	    w->rt->cfg->table_full == C2W_TABLE_FULL_CLOSED) {
		w->stats.table_full_drops++;
		return PKT_DROP;
	}
	return PKT_FORWARD;
}

/* First packet of a flow: fill the entry, classify, alert on a match. */
static void
worker_flow_start(struct c2w_worker *w, const struct c2w_worker_pkt *bp,
		  struct c2w_flow *f, uint16_t port)
{
	const struct c2w_pkt *pkt = &bp->pkt;

	memset(f, 0, sizeof(*f));
	f->state = C2W_FLOW_ACTIVE;
	f->ioc = -1;
	w->stats.flows_created++;
	f->ingress_port = (uint8_t)port;
	f->init_lo = bp->src_is_lo;
	f->flags = flow_family_flag(pkt);
	flow_account(f, pkt, 0, w->now_ms);
	worker_classify(w, pkt, f, bp->ioc_ready ? &bp->ioc : NULL);
	worker_count_verdict(w, f);
	if (f->verdict == C2W_VERDICT_BLOCK || f->verdict == C2W_VERDICT_ALERT)
		worker_send_alert(w, &bp->key, f);
}

/* Judge a flow again with this packet after a table reload. A flow that
 * now matches is blocked or alerted from this packet on, and one whose
 * indicator is gone is released. One that still matches goes on under
 * its indicator's current action. */
static void
worker_reevaluate(struct c2w_worker *w, const struct c2w_pkt *pkt,
		  const struct c2w_flow_key *key, struct c2w_flow *f, int dir)
{
	uint8_t before = f->verdict;
	bool was_reported = before == C2W_VERDICT_BLOCK ||
			    before == C2W_VERDICT_ALERT;

	worker_classify(w, pkt, f, NULL);
	/* The side is seen from this packet; records see it from the
	 * initiator. */
	if (dir == 1 && f->side != C2W_IPFIX_SIDE_NONE)
		f->side = f->side == C2W_IPFIX_SIDE_SOURCE ?
			  C2W_IPFIX_SIDE_DESTINATION : C2W_IPFIX_SIDE_SOURCE;
	if (before == C2W_VERDICT_NONE)
		worker_count_verdict(w, f);
	else if (f->verdict == C2W_VERDICT_ALLOW &&
		 before != C2W_VERDICT_ALLOW)
		w->stats.allow_hits++;
	if (!was_reported && (f->verdict == C2W_VERDICT_BLOCK ||
			      f->verdict == C2W_VERDICT_ALERT))
		worker_send_alert(w, key, f);
}

/* Find or insert the flow of a packet. The bulk lookup's slot is used
 * unless an entry left the table since. Returns as c2w_flow_lookup_add(). */
static int
worker_flow_find(struct c2w_worker *w, const struct c2w_worker_pkt *bp,
		 uint32_t removals, struct c2w_flow **f)
{
	int ret;

	if (bp->pos >= 0 && w->flows->removals == removals) {
		*f = &w->flows->flows[bp->pos];
		return 0;
	}
	ret = c2w_flow_lookup_add(w->flows, &bp->key, f);
	if (unlikely(ret == -ENOSPC) && w->now_ms != w->full_sweep_ms) {
		/* Expired flows may still hold the space: look for them, at
		 * most once per millisecond so a flood cannot make every
		 * packet pay for a scan. */
		w->full_sweep_ms = w->now_ms;
		c2w_flow_table_sweep(w->flows, w->now_ms, WORKER_FULL_SWEEP_SLOTS,
				     worker_flow_end, w);
		ret = c2w_flow_lookup_add(w->flows, &bp->key, f);
	}
	return ret;
}

static enum pkt_action
worker_track(struct c2w_worker *w, const struct c2w_worker_pkt *bp,
	     uint32_t removals, uint16_t port)
{
	const struct c2w_pkt *pkt = &bp->pkt;
	const struct c2w_flow_key *key = &bp->key;
	struct c2w_flow *f;
	int ret, dir, end;

	ret = worker_flow_find(w, bp, removals, &f);
	if (unlikely(ret < 0))
		return worker_untracked(w, bp, port);

	if (ret == 0) {
		/* The sweep may not have reached this flow yet; a packet
		 * after its end must not join the ended flow. */
		end = c2w_flow_end_reason(w->flows, f, w->now_ms);
		if (unlikely(end != 0)) {
			worker_flow_end(w, key, f, (uint8_t)end);
			if (end == C2W_END_ACTIVE)
				c2w_flow_restart(f);
			else
				ret = 1;
		}
	}
	if (ret == 1) {
		worker_flow_start(w, bp, f, port);
	} else {
		dir = bp->src_is_lo == f->init_lo ? 0 : 1;
		if (unlikely(f->ioc_gen != w->gen))
			worker_reevaluate(w, pkt, key, f, dir);
		flow_account(f, pkt, dir, w->now_ms);
	}

	if (f->verdict == C2W_VERDICT_BLOCK) {
		w->stats.policy_drops++;
		return PKT_DROP;
	}
	return PKT_FORWARD;
}

/* A malformed packet is dropped in inline mode unless policy.malformed
 * is "forward". A packet forwarded (or watched in tap mode) despite its
 * fault is still checked against the indicators with the addresses and
 * ports it shows, so a broken header cannot carry C2 traffic past. */
static enum pkt_action
worker_malformed(struct c2w_worker *w, const struct c2w_pkt *pkt,
		 uint16_t port)
{
	const struct c2w_config *cfg = w->rt->cfg;
	struct c2w_flow_key key;
	struct c2w_flow f;

	if (cfg->mode == C2W_MODE_INLINE &&
	    cfg->malformed == C2W_MALFORMED_DROP) {
		w->stats.malformed_drops++;
		return PKT_DROP;
	}
	if (!(pkt->flags & C2W_PKT_F_L3))
		return PKT_FORWARD;

	memset(&f, 0, sizeof(f));
	f.init_lo = (uint8_t)c2w_flow_key_make(pkt, &key);
	f.flags = flow_family_flag(pkt);
	f.ingress_port = (uint8_t)port;
	flow_account(&f, pkt, 0, w->now_ms);
	worker_classify(w, pkt, &f, NULL);
	worker_count_verdict(w, &f);
	if (f.verdict == C2W_VERDICT_BLOCK || f.verdict == C2W_VERDICT_ALERT)
		worker_send_alert(w, &key, &f);
	if (f.verdict == C2W_VERDICT_BLOCK) {
		w->stats.policy_drops++;
		return PKT_DROP;
	}
	return PKT_FORWARD;
}

/* Return the time of a packet in ms. net_pcap stamps each packet with
 * its capture time in us, and other devices get the burst's wall clock. */
static uint64_t
pkt_time_ms(const struct c2w_runtime *rt, const struct rte_mbuf *m,
	    uint64_t wall_ms)
{
	if (rt->ts_dynfield >= 0 && (m->ol_flags & rt->ts_dynflag))
		return *RTE_MBUF_DYNFIELD(m, rt->ts_dynfield,
					  const rte_mbuf_timestamp_t *) / 1000;
	return wall_ms;
}

/* Parse a packet and build its flow key: the first pass of a burst. */
static void
worker_parse(struct c2w_worker *w, struct rte_mbuf *m,
	     struct c2w_worker_pkt *bp, uint64_t wall_ms)
{
	const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint16_t tci = 0;

	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED)
		tci = m->vlan_tci;
	if (unlikely(!rte_pktmbuf_is_contiguous(m))) {
		/* Jumbo frames arrive as chained mbufs; the parser needs the
		 * IP packet in one piece to check its lengths. */
		len = RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)C2W_PARSE_LEN_MAX);
		data = rte_pktmbuf_read(m, 0, len, w->scratch);
		w->stats.segmented++;
	}
	bp->res = (uint8_t)c2w_parse_packet(data, len, tci, &bp->pkt);
	bp->ms = pkt_time_ms(w->rt, m, wall_ms);
	bp->pos = -1;
	bp->ioc_ready = 0;
	if (bp->res == C2W_PARSE_OK)
		bp->src_is_lo = (uint8_t)c2w_flow_key_make(&bp->pkt, &bp->key);
}

/* Decide a packet's verdict: the second pass, in arrival order. */
static enum pkt_action
worker_handle(struct c2w_worker *w, const struct c2w_worker_pkt *bp,
	      uint32_t removals, uint16_t port)
{
	if (bp->ms > w->now_ms)
		w->now_ms = bp->ms;
	if (likely(bp->res == C2W_PARSE_OK))
		return worker_track(w, bp, removals, port);
	if (bp->res == C2W_PARSE_NON_IP) {
		w->stats.non_ip++;
		return PKT_FORWARD;
	}
	w->stats.malformed[bp->res]++;
	return worker_malformed(w, &bp->pkt, port);
}

static void
worker_tx_flush(struct c2w_worker *w)
{
	uint16_t port, sent, n;

	for (port = 0; port < C2W_MAX_PORTS; port++) {
		n = w->tx_count[port];
		if (n == 0)
			continue;
		sent = rte_eth_tx_burst(port, (uint16_t)w->id, w->tx_buf[port],
					n);
		w->stats.tx_pkts += sent;
		if (unlikely(sent < n)) {
			w->stats.tx_failed += n - sent;
			rte_pktmbuf_free_bulk(&w->tx_buf[port][sent], n - sent);
		}
		w->tx_count[port] = 0;
	}
}

/* Each burst takes two passes. The first parses every packet and looks
 * up all their flows in one call, so the cache misses overlap. The second
 * judges each packet in arrival order. */
static void
worker_rx_burst(struct c2w_worker *w, const struct c2w_worker_rxq *q,
		struct rte_mbuf **pkts, uint16_t n)
{
	const struct c2w_flow_key *keys[C2W_BURST_MAX];
	struct c2w_ioc_query iq[C2W_BURST_MAX];
	struct c2w_ioc_match im[C2W_BURST_MAX];
	int32_t pos[C2W_BURST_MAX];
	uint16_t idx[C2W_BURST_MAX];
	struct rte_mbuf *drop[C2W_BURST_MAX];
	uint64_t wall_ms = c2w_runtime_wall_ms(w->rt);
	uint32_t removals;
	uint16_t n_drop = 0, n_keys = 0, n_new = 0;
	uint16_t i;

	w->stats.rx_pkts += n;
	w->stats.last_rx_tsc = rte_rdtsc();
	/* The allowlist is published before the IOC table, and classify
	 * reads it after this, so it is at least as new as the table. */
	w->iocs = __atomic_load_n(&w->rt->iocs, __ATOMIC_ACQUIRE);
	w->gen = table_gen(w->iocs);
	for (i = 0; i < n && i < WORKER_PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	for (i = 0; i < n; i++) {
		struct c2w_worker_pkt *bp = &w->burst[i];

		if (i + WORKER_PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(
				pkts[i + WORKER_PREFETCH_AHEAD], void *));
		w->stats.rx_bytes += rte_pktmbuf_pkt_len(pkts[i]);
		worker_parse(w, pkts[i], bp, wall_ms);
		if (bp->res == C2W_PARSE_OK) {
			keys[n_keys] = &bp->key;
			idx[n_keys++] = i;
		}
	}
	removals = w->flows->removals;
	c2w_flow_lookup_bulk(w->flows, keys, n_keys, pos);
	for (i = 0; i < n_keys; i++) {
		w->burst[idx[i]].pos = pos[i];
		if (pos[i] < 0) {
			worker_ioc_query(&w->burst[idx[i]].pkt, &iq[n_new]);
			idx[n_new++] = idx[i];
		}
	}
	/* Packets without a flow start one: look up their indicators
	 * together too. */
	c2w_ioc_table_match_bulk(w->iocs, iq, n_new, im);
	for (i = 0; i < n_new; i++) {
		w->burst[idx[i]].ioc = im[i];
		w->burst[idx[i]].ioc_ready = 1;
	}

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum pkt_action act;

		act = worker_handle(w, &w->burst[i], removals, q->port);
		if (act == PKT_DROP || q->tx_port == C2W_NO_PORT)
			drop[n_drop++] = m;
		else
			w->tx_buf[q->tx_port][w->tx_count[q->tx_port]++] = m;
	}

	if (n_drop > 0)
		rte_pktmbuf_free_bulk(drop, n_drop);
	worker_tx_flush(w);
}

int
c2w_worker_main(void *arg)
{
	struct c2w_worker *w = arg;
	struct c2w_runtime *rt = w->rt;
	struct rte_mbuf *pkts[C2W_BURST_MAX];
	uint16_t burst = RTE_MIN(rt->cfg->burst, (uint16_t)C2W_BURST_MAX);
	uint16_t i, n;
	bool idle;

	if (rt->qsv != NULL)
		rte_rcu_qsbr_thread_online(rt->qsv, w->id);
	while (!__atomic_load_n(&rt->quit, __ATOMIC_RELAXED)) {
		idle = true;
		for (i = 0; i < w->n_rxq; i++) {
			const struct c2w_worker_rxq *q = &w->rxq[i];

			n = rte_eth_rx_burst(q->port, q->queue, pkts, burst);
			if (n == 0)
				continue;
			idle = false;
			worker_rx_burst(w, q, pkts, n);
		}
		/* Without packets the wall clock moves time on, unless
		 * packets carry their own capture time (replays). */
		if (idle && rt->ts_dynfield < 0) {
			uint64_t wall = c2w_runtime_wall_ms(rt);

			if (wall > w->now_ms)
				w->now_ms = wall;
		}
		c2w_flow_table_tick(w->flows, w->now_ms, worker_flow_end, w);
		/* No table pointer read in this loop is used after here. */
		if (rt->qsv != NULL)
			rte_rcu_qsbr_quiescent(rt->qsv, w->id);
	}
	if (rt->qsv != NULL)
		rte_rcu_qsbr_thread_offline(rt->qsv, w->id);
	return 0;
}

unsigned
c2w_worker_flush_flows(struct c2w_worker *w, uint8_t reason, unsigned max)
{
	return c2w_flow_table_flush(w->flows, reason, max, worker_flow_end, w);
}
