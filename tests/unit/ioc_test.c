/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOC table tests: the precedence of ip:port, exact ip, prefixes and
 * the allowlist for both families and both endpoints, the ignore
 * action, tbl8 group counts, hit counters with the top list and its
 * telemetry command, empty tables and the prefix limits. Sets are built
 * in memory; every address is from a documentation range (RFC 5737,
 * RFC 3849).
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_random.h>

#include "check.h"
#include "ioc.h"
#include "ipfix_ie.h"

#define POOL_MAX 4096

/* An in-memory set with a text pool, filled entry by entry. */
struct test_set {
	struct c2w_ioc_set set;
	size_t cap;
};

static void
test_set_init(struct test_set *ts, size_t cap)
{
	c2w_ioc_set_init(&ts->set);
	ts->set.v = calloc(cap, sizeof(*ts->set.v));
	ts->set.pool = calloc(1, POOL_MAX);
	ts->set.pool_len = 1;
	ts->set.pool_cap = POOL_MAX;
	ts->set.cap = cap;
	ts->cap = cap;
}

static uint32_t
test_pool_add(struct c2w_ioc_set *set, const char *text)
{
	size_t len = strlen(text) + 1;
	uint32_t off = (uint32_t)set->pool_len;

	if (set->pool_len + len > set->pool_cap)
		return 0;
	memcpy(set->pool + off, text, len);
	set->pool_len += len;
	return off;
}

/* Parse "a.b.c.d" or an IPv6 text into 16 bytes; returns the family. */
static uint8_t
test_addr(const char *text, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, addr) == 1)
		return 6;
	return 0;
}

/* Add one indicator; prefix 0 means the full length. Returns its index. */
static int32_t
test_add(struct test_set *ts, enum c2w_ioc_kind kind, const char *addr,
	 uint16_t port, uint8_t prefix, enum c2w_ioc_action action,
	 const char *value)
{
	struct c2w_ioc *ioc;

	if (ts->set.n == ts->cap)
		return -1;
	ioc = &ts->set.v[ts->set.n];
	memset(ioc, 0, sizeof(*ioc));
	ioc->kind = (uint8_t)kind;
	ioc->family = test_addr(addr, ioc->addr);
	ioc->port = port;
	ioc->prefix = prefix != 0 ? prefix : (ioc->family == 4 ? 32 : 128);
	ioc->action = (uint8_t)action;
	ioc->confidence = 100;
	ioc->value = test_pool_add(&ts->set, value);
	ioc->threat_type = test_pool_add(&ts->set, "botnet_cc");
	ioc->malware = test_pool_add(&ts->set, "Test Family");
	return (int32_t)ts->set.n++;
}

static struct c2w_ioc_table *
test_build(struct test_set *ts, const char *name)
{
	struct c2w_ioc_table *t = NULL;
	int ret = c2w_ioc_table_build(&ts->set, name, SOCKET_ID_ANY, &t);

	if (!check_report(ret == 0, "table builds", __FILE__, __LINE__))
		printf("#   build returned %d\n", ret);
	return ret == 0 ? t : NULL;
}

/* Look up one flow; returns the matched index or -1 and sets *side. */
static int32_t
test_match(const struct c2w_ioc_table *t, const char *src, uint16_t sport,
	   const char *dst, uint16_t dport, int with_ports, uint8_t *side)
{
	uint8_t s[16], d[16], family;
	struct c2w_ioc_match m;

	family = test_addr(src, s);
	test_addr(dst, d);
	c2w_ioc_table_match(t, family, s, sport, d, dport, with_ports, &m);
	if (side != NULL)
		*side = m.side;
	return m.index;
}

#define SIDE_DST C2W_IPFIX_SIDE_DESTINATION
#define SIDE_SRC C2W_IPFIX_SIDE_SOURCE

/* Check one flow's match: expected index (or -1) and side. */
#define CHECK_FLOW(t, src, sport, dst, dport, ports, want, want_side)   \
	do {                                                            \
		uint8_t flow_side_;                                     \
		int32_t flow_index_ = test_match(t, src, sport, dst,    \
						 dport, ports,          \
						 &flow_side_);          \
		CHECK_EQ_U((uint32_t)flow_index_, (uint32_t)(want));    \
		if ((want) >= 0)                                        \
			CHECK_EQ_U(flow_side_, want_side);              \
		else                                                    \
			CHECK_EQ_U(flow_side_, C2W_IPFIX_SIDE_NONE);    \
	} while (0)

static void
test_empty(void)
{
	struct c2w_ioc_table *t;
	struct test_set ts;
	struct c2w_ioc_top top[4];

	test_set_init(&ts, 4);
	t = test_build(&ts, "empty");
	if (t == NULL)
		return;
	CHECK(t->lpm4 == NULL);
	CHECK(t->lpm6 == NULL);
	CHECK_EQ_U(t->n_ip_port + t->n_ip + t->n_cidr4 + t->n_cidr6, 0);
	CHECK_FLOW(t, "192.0.2.1", 1, "192.0.2.2", 2, 1, -1, 0);
	CHECK_FLOW(t, "2001:db8::1", 1, "2001:db8::2", 2, 1, -1, 0);
	CHECK_EQ_U(c2w_ioc_table_top(t, 4, top), 0);
	c2w_ioc_table_free(t);

	/* No table at all matches nothing and lists nothing. */
	CHECK_FLOW(NULL, "192.0.2.1", 1, "192.0.2.2", 2, 1, -1, 0);
	CHECK_EQ_U(c2w_ioc_table_top(NULL, 4, top), 0);

	/* Exact indicators only: the LPM tables are not created. */
	test_set_init(&ts, 4);
	test_add(&ts, C2W_IOC_IP, "192.0.2.1", 0, 0, 0, "192.0.2.1");
	t = test_build(&ts, "exact");
	if (t == NULL)
		return;
	CHECK(t->lpm4 == NULL);
	CHECK(t->lpm6 == NULL);
	c2w_ioc_table_free(t);
}

static void
test_precedence_v4(void)
{
	struct c2w_ioc_table *t;
	struct test_set ts;
	int32_t ipp, ip, net24, net16, src_ip, src_ipp, dns, host32;

	test_set_init(&ts, 16);
	net16 = test_add(&ts, C2W_IOC_CIDR, "192.0.0.0", 0, 16, 0,
			 "192.0.0.0/16");
	net24 = test_add(&ts, C2W_IOC_CIDR, "192.0.2.0", 0, 24, 0,
			 "192.0.2.0/24");
	ip = test_add(&ts, C2W_IOC_IP, "192.0.2.10", 0, 0, 0, "192.0.2.10");
	ipp = test_add(&ts, C2W_IOC_IP_PORT, "192.0.2.10", 443, 0, 0,
		       "192.0.2.10:443");
	src_ip = test_add(&ts, C2W_IOC_IP, "198.51.100.7", 0, 0, 0,
			  "198.51.100.7");
	src_ipp = test_add(&ts, C2W_IOC_IP_PORT, "198.51.100.7", 8080, 0, 0,
			   "198.51.100.7:8080");
	dns = test_add(&ts, C2W_IOC_IP_PORT, "203.0.113.9", 53, 0, 0,
		       "203.0.113.9:53");
	host32 = test_add(&ts, C2W_IOC_CIDR, "203.0.113.77", 0, 32, 0,
			  "203.0.113.77/32");
	t = test_build(&ts, "prec4");
	if (t == NULL)
		return;
	CHECK_EQ_U(t->n_cidr4, 2);
	CHECK_EQ_U(t->n_ip, 3);
	CHECK_EQ_U(t->n_ip_port, 3);
	CHECK_EQ_U(t->tbl8_4, 0);

	/* ip:port, then ip, then /24, then /16 for the same destination. */
	CHECK_FLOW(t, "203.0.113.1", 50000, "192.0.2.10", 443, 1, ipp,
		   SIDE_DST);
	CHECK_FLOW(t, "203.0.113.1", 50000, "192.0.2.10", 80, 1, ip, SIDE_DST);
	CHECK_FLOW(t, "203.0.113.1", 50000, "192.0.2.11", 443, 1, net24,
		   SIDE_DST);
	CHECK_FLOW(t, "203.0.113.1", 50000, "192.0.3.1", 443, 1, net16,
		   SIDE_DST);

	/* A more specific level on the source beats the destination. */
	CHECK_FLOW(t, "198.51.100.7", 8080, "192.0.2.10", 80, 1, src_ipp,
		   SIDE_SRC);
	CHECK_FLOW(t, "198.51.100.7", 5555, "192.0.2.11", 80, 1, src_ip,
		   SIDE_SRC);
	CHECK_FLOW(t, "192.0.2.50", 5555, "192.0.3.1", 80, 1, net24,
		   SIDE_SRC);

	/* The same level on both sides: the destination wins. */
	CHECK_FLOW(t, "198.51.100.7", 5555, "192.0.2.10", 80, 1, ip,
		   SIDE_DST);
	CHECK_FLOW(t, "192.0.2.60", 5555, "192.0.2.50", 80, 1, net24,
		   SIDE_DST);
	CHECK_FLOW(t, "198.51.100.7", 8080, "192.0.2.10", 443, 1, ipp,
		   SIDE_DST);

	/* A port alone never matches, on either side. */
	CHECK_FLOW(t, "203.0.113.1", 50000, "203.0.113.5", 443, 1, -1, 0);
	CHECK_FLOW(t, "203.0.113.5", 8080, "203.0.113.1", 53, 1, -1, 0);

	/* Without ports (ICMP): ip and prefixes match, ip:port never. */
	CHECK_FLOW(t, "203.0.113.1", 0, "192.0.2.10", 443, 0, ip, SIDE_DST);
	CHECK_FLOW(t, "203.0.113.1", 0, "192.0.2.20", 0, 0, net24, SIDE_DST);
	CHECK_FLOW(t, "203.0.113.1", 0, "203.0.113.9", 53, 0, -1, 0);
	CHECK_FLOW(t, "203.0.113.1", 40000, "203.0.113.9", 53, 1, dns,
		   SIDE_DST);

	/* A /32 is an exact ip and beats a /24 on the other side. */
	CHECK_FLOW(t, "203.0.113.77", 1, "192.0.2.20", 2, 1, host32, SIDE_SRC);

	/* IPv4 indicators never match IPv6 packets with the same bytes. */
	CHECK_FLOW(t, "::", 0, "c000:20a::", 443, 1, -1, 0);
	c2w_ioc_table_free(t);
}

/* A burst of flows matched in bulk gives each flow the result of a
 * lookup of its own: mixed families, with and without ports, hits at
 * every level on either side, over more flows than one bulk call takes. */
static void
test_bulk_matches_single(void)
{
	static const char *const hosts[] = {
		"192.0.2.10", "192.0.2.11", "198.51.100.7", "203.0.113.9",
		"203.0.113.200", "2001:db8::1", "2001:db8:1::5", "2001:db8::99",
	};
	static const uint16_t ports[] = { 0, 53, 443, 8080, 50000 };
	struct c2w_ioc_query q[100];
	struct c2w_ioc_match bulk[100], one;
	uint8_t addr[RTE_DIM(hosts)][16], fam[RTE_DIM(hosts)];
	unsigned i, levels[3] = { 0, 0, 0 };
	struct c2w_ioc_table *t;
	struct test_set ts;
	int32_t ipp, ip6;

	test_set_init(&ts, 16);
	ipp = test_add(&ts, C2W_IOC_IP_PORT, "192.0.2.10", 443, 0, 0,
		       "192.0.2.10:443");
	test_add(&ts, C2W_IOC_IP, "198.51.100.7", 0, 0, 0, "198.51.100.7");
	test_add(&ts, C2W_IOC_CIDR, "203.0.113.0", 0, 25, 0,
		 "203.0.113.0/25");
	test_add(&ts, C2W_IOC_IP_PORT, "2001:db8::1", 53, 0, 0,
		 "[2001:db8::1]:53");
	ip6 = test_add(&ts, C2W_IOC_IP, "2001:db8:1::5", 0, 0, 0,
		       "2001:db8:1::5");
	test_add(&ts, C2W_IOC_CIDR, "2001:db8::", 0, 112, 0,
		 "2001:db8::/112");
	t = test_build(&ts, "bulk");
	if (t == NULL)
		return;
	for (i = 0; i < RTE_DIM(hosts); i++)
		fam[i] = test_addr(hosts[i], addr[i]);

	for (i = 0; i < RTE_DIM(q); i++) {
		/* Both endpoints of one family: the first five hosts are
		 * IPv4, the last three IPv6. */
		unsigned v6 = rte_rand_max(2), base = v6 ? 5 : 0;
		unsigned span = v6 ? 3 : 5;
		unsigned s = base + (unsigned)rte_rand_max(span);
		unsigned d = base + (unsigned)rte_rand_max(span);

		q[i].src = addr[s];
		q[i].dst = addr[d];
		q[i].sport = ports[rte_rand_max(RTE_DIM(ports))];
		q[i].dport = ports[rte_rand_max(RTE_DIM(ports))];
		q[i].family = fam[s];
		q[i].with_ports = (uint8_t)(rte_rand_max(4) != 0);
	}
	/* Make sure the two most specific levels are hit at least once. */
	q[40].dst = addr[0];
	q[40].dport = 443;
	q[40].family = 4;
	q[40].src = addr[3];
	q[40].with_ports = 1;
	q[70].src = addr[6];
	q[70].dst = addr[7];
	q[70].family = 6;

	c2w_ioc_table_match_bulk(t, q, RTE_DIM(q), bulk);
	for (i = 0; i < RTE_DIM(q); i++) {
		c2w_ioc_table_match(t, q[i].family, q[i].src, q[i].sport,
				    q[i].dst, q[i].dport, q[i].with_ports,
				    &one);
		CHECK_EQ_U((uint32_t)bulk[i].index, (uint32_t)one.index);
		CHECK_EQ_U(bulk[i].side, one.side);
		if (one.index >= 0)
			levels[t->set.v[one.index].kind == C2W_IOC_CIDR ? 2 :
			       t->set.v[one.index].kind == C2W_IOC_IP]++;
	}
	CHECK_EQ_U((uint32_t)bulk[40].index, (uint32_t)ipp);
	CHECK_EQ_U((uint32_t)bulk[70].index, (uint32_t)ip6);
	CHECK(levels[0] > 0);
	CHECK(levels[1] > 0);
	CHECK(levels[2] > 0);

	/* No table and no flows: nothing matches, nothing is read. */
	c2w_ioc_table_match_bulk(NULL, q, 3, bulk);
	CHECK_EQ_U((uint32_t)bulk[2].index, UINT32_MAX);
	c2w_ioc_table_match_bulk(t, q, 0, bulk);
	c2w_ioc_table_free(t);
}

static void
test_precedence_v6(void)
{
	struct c2w_ioc_table *t;
	struct test_set ts;
	int32_t ipp, ip, n64, n48, n32, host128, n100;

	test_set_init(&ts, 16);
	n32 = test_add(&ts, C2W_IOC_CIDR, "2001:db8::", 0, 32, 0,
		       "2001:db8::/32");
	n48 = test_add(&ts, C2W_IOC_CIDR, "2001:db8:1::", 0, 48, 0,
		       "2001:db8:1::/48");
	n64 = test_add(&ts, C2W_IOC_CIDR, "2001:db8:1:2::", 0, 64, 0,
		       "2001:db8:1:2::/64");
	ip = test_add(&ts, C2W_IOC_IP, "2001:db8:1:2::10", 0, 0, 0,
		      "2001:db8:1:2::10");
	ipp = test_add(&ts, C2W_IOC_IP_PORT, "2001:db8:1:2::10", 443, 0, 0,
		       "[2001:db8:1:2::10]:443");
	host128 = test_add(&ts, C2W_IOC_CIDR, "2001:db8:5::5", 0, 128, 0,
			   "2001:db8:5::5/128");
	n100 = test_add(&ts, C2W_IOC_CIDR, "2001:db8:7::", 0, 100, 0,
			"2001:db8:7::/100");
	t = test_build(&ts, "prec6");
	if (t == NULL)
		return;
	CHECK(t->lpm4 == NULL);
	CHECK(t->lpm6 != NULL);
	CHECK_EQ_U(t->n_cidr6, 4);
	CHECK_EQ_U(t->n_ip, 2);

	CHECK_FLOW(t, "2001:db8:ffff::1", 40000, "2001:db8:1:2::10", 443, 1,
		   ipp, SIDE_DST);
	CHECK_FLOW(t, "2001:db8:ffff::1", 40000, "2001:db8:1:2::10", 80, 1,
		   ip, SIDE_DST);
	CHECK_FLOW(t, "2001:db8:ffff::1", 40000, "2001:db8:1:2::11", 443, 1,
		   n64, SIDE_DST);
	CHECK_FLOW(t, "2001:db8:ffff::1", 40000, "2001:db8:1:3::1", 443, 1,
		   n48, SIDE_DST);
	CHECK_FLOW(t, "2001:db8:ffff::1", 40000, "2001:db8:2::1", 443, 1,
		   n32, SIDE_DST);
	CHECK_FLOW(t, "2001:db8:1:2::99", 1, "2001:db8:2::1", 2, 1, n64,
		   SIDE_SRC);
	CHECK_FLOW(t, "2001:db8:2::1", 1, "2001:db8:ffff::1", 2, 0, n32,
		   SIDE_DST);
	CHECK_FLOW(t, "2001:db8:5::5", 1, "2001:db8:1:2::11", 2, 1, host128,
		   SIDE_SRC);
	CHECK_FLOW(t, "2001:db8:ffff::1", 1, "2001:db8:7::abc", 2, 1, n100,
		   SIDE_DST);
	CHECK_FLOW(t, "2001:db8:ffff::1", 1, "2001:db8:7::1:0:0", 2, 1, n32,
		   SIDE_DST);
	CHECK_FLOW(t, "2001:db8:ffff::1", 0, "2001:db8:1:2::10", 443, 0, ip,
		   SIDE_DST);
	CHECK_FLOW(t, "3fff::1", 40000, "3fff::2", 443, 1, -1, 0);
	c2w_ioc_table_free(t);
}

/* The worker's rule: an indicator match that the allowlist releases. */
static int
test_verdict(const struct c2w_ioc_table *iocs,
	     const struct c2w_ioc_table *allow, const char *src,
	     uint16_t sport, const char *dst, uint16_t dport)
{
	if (test_match(iocs, src, sport, dst, dport, 1, NULL) < 0)
		return 0;
	return test_match(allow, src, sport, dst, dport, 1, NULL) < 0;
}

static void
test_allowlist(void)
{
	struct c2w_ioc_table *iocs, *allow;
	struct test_set ts;

	test_set_init(&ts, 8);
	test_add(&ts, C2W_IOC_IP_PORT, "192.0.2.10", 443, 0, 0, "a");
	test_add(&ts, C2W_IOC_CIDR, "198.51.100.0", 0, 24, 0, "b");
	test_add(&ts, C2W_IOC_IP, "2001:db8::10", 0, 0, 0, "c");
	iocs = test_build(&ts, "iocs");

	test_set_init(&ts, 8);
	test_add(&ts, C2W_IOC_CIDR, "203.0.113.0", 0, 28, 0, "x");
	test_add(&ts, C2W_IOC_IP_PORT, "198.51.100.20", 25, 0, 0, "y");
	test_add(&ts, C2W_IOC_CIDR, "2001:db8:aaaa::", 0, 48, 0, "z");
	allow = test_build(&ts, "allow");
	if (iocs == NULL || allow == NULL)
		goto out;

	CHECK_EQ_U(test_verdict(iocs, allow, "203.0.113.100", 1, "192.0.2.10",
				443), 1);
	/* A prefix on the source releases an ip:port on the destination. */
	CHECK_EQ_U(test_verdict(iocs, allow, "203.0.113.5", 1, "192.0.2.10",
				443), 0);
	/* An ip:port on the destination releases a /24 on the destination. */
	CHECK_EQ_U(test_verdict(iocs, allow, "203.0.113.100", 1,
				"198.51.100.20", 25), 0);
	CHECK_EQ_U(test_verdict(iocs, allow, "203.0.113.100", 1,
				"198.51.100.20", 26), 1);
	/* The same on the other endpoint. */
	CHECK_EQ_U(test_verdict(iocs, allow, "198.51.100.20", 25,
				"203.0.113.100", 1), 0);
	CHECK_EQ_U(test_verdict(iocs, allow, "2001:db8:aaaa::1", 1,
				"2001:db8::10", 2), 0);
	CHECK_EQ_U(test_verdict(iocs, allow, "2001:db8:bbbb::1", 1,
				"2001:db8::10", 2), 1);
out:
	c2w_ioc_table_free(iocs);
	c2w_ioc_table_free(allow);
}

static void
test_ignore(void)
{
	struct c2w_ioc_table *t;
	struct test_set ts;
	int32_t net24, block;

	test_set_init(&ts, 8);
	test_add(&ts, C2W_IOC_IP, "192.0.2.10", 0, 0, C2W_IOC_ACTION_IGNORE,
		 "ignored ip");
	test_add(&ts, C2W_IOC_IP_PORT, "192.0.2.10", 443, 0,
		 C2W_IOC_ACTION_IGNORE, "ignored ip:port");
	net24 = test_add(&ts, C2W_IOC_CIDR, "192.0.2.0", 0, 24,
			 C2W_IOC_ACTION_ALERT, "alert /24");
	test_add(&ts, C2W_IOC_CIDR, "2001:db8::", 0, 32,
		 C2W_IOC_ACTION_IGNORE, "ignored /32");
	block = test_add(&ts, C2W_IOC_IP, "2001:db8::1", 0, 0,
			 C2W_IOC_ACTION_BLOCK, "block ip");
	t = test_build(&ts, "ignore");
	if (t == NULL)
		return;
	CHECK_EQ_U(t->set.n, 5);
	CHECK_EQ_U(t->n_ignored, 3);
	CHECK_EQ_U(t->n_ip_port, 0);
	CHECK_EQ_U(t->n_ip, 1);
	CHECK_EQ_U(t->n_cidr6, 0);
	CHECK(t->lpm6 == NULL);

	/* The ignored exact entries do not hide the /24 around them. */
	CHECK_FLOW(t, "203.0.113.1", 1, "192.0.2.10", 443, 1, net24,
		   SIDE_DST);
	CHECK_FLOW(t, "2001:db8::2", 1, "2001:db8::3", 443, 1, -1, 0);
	CHECK_FLOW(t, "2001:db8::2", 1, "2001:db8::1", 443, 1, block,
		   SIDE_DST);
	c2w_ioc_table_free(t);
}

static void
test_tbl8_groups(void)
{
	struct c2w_ioc_table *t;
	struct test_set ts;

	test_set_init(&ts, 16);
	test_add(&ts, C2W_IOC_CIDR, "192.0.2.0", 0, 25, 0, "a");
	test_add(&ts, C2W_IOC_CIDR, "192.0.2.128", 0, 25, 0, "b");
	test_add(&ts, C2W_IOC_CIDR, "198.51.100.16", 0, 28, 0, "c");
	test_add(&ts, C2W_IOC_CIDR, "203.0.0.0", 0, 8, 0, "d");
	/* Levels of bytes 3..7: five groups. */
	test_add(&ts, C2W_IOC_CIDR, "2001:db8::", 0, 64, 0, "e");
	/* Bytes 3..5 on the same path: no new group. */
	test_add(&ts, C2W_IOC_CIDR, "2001:db8::", 0, 48, 0, "f");
	/* Differs from e in byte 5: new groups at levels 6 and 7. */
	test_add(&ts, C2W_IOC_CIDR, "2001:db8:1::", 0, 64, 0, "g");
	/* A /24 stays in tbl24. */
	test_add(&ts, C2W_IOC_CIDR, "2001:db8::", 0, 24, 0, "h");
	t = test_build(&ts, "tbl8");
	if (t == NULL)
		return;
	CHECK_EQ_U(t->tbl8_4, 2);
	CHECK_EQ_U(t->tbl8_6, 7);
	CHECK_FLOW(t, "203.0.113.1", 1, "192.0.2.200", 2, 1, 1, SIDE_DST);
	CHECK_FLOW(t, "2001:db8::1", 1, "2001:db8:1::1", 2, 1, 6, SIDE_DST);
	c2w_ioc_table_free(t);
}

/* Random deep prefixes: the counted groups must hold every insert, or
 * the build fails with -ENOSPC. */
static void
test_tbl8_random(void)
{
	struct c2w_ioc_table *t;
	struct test_set ts;
	unsigned i;

	test_set_init(&ts, 3000);
	for (i = 0; i < 1500; i++) {
		struct c2w_ioc *ioc = &ts.set.v[ts.set.n++];
		uint64_t r = rte_rand();

		ioc->kind = C2W_IOC_CIDR;
		ioc->family = 6;
		ioc->addr[0] = 0x20;
		ioc->addr[1] = 0x01;
		ioc->addr[2] = 0x0d;
		ioc->addr[3] = 0xb8;
		/* Few values per byte so that paths share groups. */
		ioc->addr[4] = (uint8_t)(r & 3);
		ioc->addr[5] = (uint8_t)((r >> 2) & 3);
		ioc->addr[9] = (uint8_t)((r >> 4) & 7);
		ioc->addr[15] = (uint8_t)(r >> 8);
		ioc->prefix = (uint8_t)(25 + (r >> 16) % 103);

		ioc = &ts.set.v[ts.set.n++];
		ioc->kind = C2W_IOC_CIDR;
		ioc->family = 4;
		ioc->addr[0] = 198;
		ioc->addr[1] = 51;
		ioc->addr[2] = (uint8_t)(100 + ((r >> 24) & 3));
		ioc->addr[3] = (uint8_t)(r >> 32);
		ioc->prefix = (uint8_t)(20 + (r >> 40) % 12);
	}
	t = test_build(&ts, "rand");
	if (t == NULL)
		return;
	CHECK(t->tbl8_4 <= 4);
	CHECK(t->tbl8_6 > 0);
	printf("# random prefixes: %u IPv4, %u IPv6, tbl8 groups %u and %u\n",
	       t->n_cidr4, t->n_cidr6, t->tbl8_4, t->tbl8_6);
	c2w_ioc_table_free(t);
}

static void
test_hits_top(void)
{
	struct c2w_ioc_top top[C2W_IOC_TOP_MAX + 1];
	struct c2w_ioc_table *t;
	struct test_set ts;
	int32_t a, b, c, d;
	int n;

	test_set_init(&ts, 8);
	a = test_add(&ts, C2W_IOC_IP, "192.0.2.1", 0, 0, 0, "192.0.2.1");
	b = test_add(&ts, C2W_IOC_IP, "192.0.2.2", 0, 0, 0, "192.0.2.2");
	c = test_add(&ts, C2W_IOC_CIDR, "198.51.100.0", 0, 24, 0,
		     "198.51.100.0/24");
	d = test_add(&ts, C2W_IOC_IP, "192.0.2.4", 0, 0, 0, "192.0.2.4");
	t = test_build(&ts, "hits");
	if (t == NULL)
		return;
	c2w_ioc_table_hit(t, b, 1000);
	c2w_ioc_table_hit(t, b, 3000);
	c2w_ioc_table_hit(t, b, 2000);
	c2w_ioc_table_hit(t, c, 1500);
	c2w_ioc_table_hit(t, c, 2500);
	c2w_ioc_table_hit(t, a, 9000);
	c2w_ioc_table_hit(t, d, 500);
	c2w_ioc_table_hit(t, d, 600);
	/* Out of range and absent tables are ignored. */
	c2w_ioc_table_hit(t, -1, 1);
	c2w_ioc_table_hit(t, 4, 1);
	c2w_ioc_table_hit(NULL, 0, 1);

	CHECK_EQ_U(t->hit[b].hits, 3);
	CHECK_EQ_U(t->hit[b].last_ms, 2000);
	n = c2w_ioc_table_top(t, 3, top);
	CHECK_EQ_U(n, 3);
	if (n == 3) {
		CHECK_EQ_U(top[0].index, b);
		CHECK_EQ_U(top[0].hits, 3);
		/* c and d tie on hits: the later hit comes first. */
		CHECK_EQ_U(top[1].index, c);
		CHECK_EQ_U(top[1].last_ms, 2500);
		CHECK_EQ_U(top[2].index, d);
	}
	n = c2w_ioc_table_top(t, C2W_IOC_TOP_MAX, top);
	CHECK_EQ_U(n, 4);
	if (n == 4)
		CHECK_EQ_U(top[3].index, a);
	CHECK_EQ_U(c2w_ioc_table_top(t, 0, top), 0);
	CHECK(c2w_ioc_table_top(t, C2W_IOC_TOP_MAX + 1, top) == -EINVAL);
	CHECK(c2w_ioc_table_top(t, 1, NULL) == -EINVAL);
	c2w_ioc_table_free(t);
}

/* Send one telemetry request and read the reply into buf. */
static int
test_telemetry_query(const char *request, char *buf, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	ssize_t got;
	int fd, ret = -1;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		goto out_close;
	/* The first message describes the process. */
	if (read(fd, buf, len - 1) <= 0)
		goto out_close;
	if (write(fd, request, strlen(request)) < 0)
		goto out_close;
	got = read(fd, buf, len - 1);
	if (got <= 0)
		goto out_close;
	buf[got] = '\0';
	ret = 0;
out_close:
	close(fd);
	return ret;
}

static void
test_telemetry(void)
{
	static struct c2w_ioc_table *live;
	struct c2w_ioc_table *t;
	struct test_set ts;
	char reply[16384];
	int32_t a, b;

	test_set_init(&ts, 4);
	a = test_add(&ts, C2W_IOC_IP_PORT, "192.0.2.1", 443, 0, 0,
		     "192.0.2.1:443");
	b = test_add(&ts, C2W_IOC_CIDR, "198.51.100.0", 0, 24, 0,
		     "198.51.100.0/24");
	t = test_build(&ts, "tel");
	if (t == NULL)
		return;
	c2w_ioc_table_hit(t, a, 1700000000123ULL);
	c2w_ioc_table_hit(t, b, 1700000000000ULL);
	c2w_ioc_table_hit(t, b, 1700000000456ULL);
	CHECK(c2w_ioc_telemetry_register(NULL) == -EINVAL);
	CHECK(c2w_ioc_telemetry_register(&live) == 0);

	CHECK(test_telemetry_query("/c2wall/ioc_top", reply,
				   sizeof(reply)) == 0);
	CHECK(strstr(reply, "\"value\":[]") != NULL);
	__atomic_store_n(&live, t, __ATOMIC_RELEASE);
	CHECK(test_telemetry_query("/c2wall/ioc_top,1", reply,
				   sizeof(reply)) == 0);
	printf("# %s\n", reply);
	CHECK(strstr(reply, "\"value\":[\"198.51.100.0/24\"]") != NULL);
	CHECK(strstr(reply, "\"hits\":[2]") != NULL);
	CHECK(strstr(reply, "\"last_hit_ms\":[1700000000456]") != NULL);
	CHECK(strstr(reply, "\"threat_type\":[\"botnet_cc\"]") != NULL);
	CHECK(strstr(reply, "\"malware\":[\"Test Family\"]") != NULL);
	CHECK(test_telemetry_query("/c2wall/ioc_top", reply,
				   sizeof(reply)) == 0);
	CHECK(strstr(reply, "\"hits\":[2,1]") != NULL);
	CHECK(test_telemetry_query("/c2wall/ioc_top,65", reply,
				   sizeof(reply)) == 0);
	CHECK(strstr(reply, "\"value\"") == NULL);
	__atomic_store_n(&live, NULL, __ATOMIC_RELEASE);
	c2w_ioc_table_free(t);
}

static void
test_limits(void)
{
	struct c2w_ioc_table *t = NULL;
	struct test_set ts;
	uint32_t i, n = C2W_IOC_LPM6_MAX_PREFIXES + 1;

	/* Invalid prefix lengths fail the build and keep the set. */
	test_set_init(&ts, 4);
	test_add(&ts, C2W_IOC_CIDR, "192.0.2.0", 0, 24, 0, "ok");
	test_add(&ts, C2W_IOC_CIDR, "192.0.2.0", 0, 24, 0, "192.0.2.0/33");
	ts.set.v[1].prefix = 33;
	CHECK(c2w_ioc_table_build(&ts.set, "lim", SOCKET_ID_ANY,
						 &t) == -EINVAL);
	CHECK_EQ_U(ts.set.n, 2);
	ts.set.v[1].prefix = 0;
	CHECK(c2w_ioc_table_build(&ts.set, "lim", SOCKET_ID_ANY,
						 &t) == -EINVAL);
	c2w_ioc_set_free(&ts.set);

	/* One IPv6 prefix more than a 21-bit next hop numbers. */
	test_set_init(&ts, n);
	if (ts.set.v == NULL) {
		CHECK(!"memory for the limit test");
		return;
	}
	for (i = 0; i < n; i++) {
		struct c2w_ioc *ioc = &ts.set.v[i];

		ioc->kind = C2W_IOC_CIDR;
		ioc->family = 6;
		ioc->prefix = 64;
		ioc->addr[0] = 0x20;
		ioc->addr[1] = 0x01;
		ioc->addr[2] = 0x0d;
		ioc->addr[3] = 0xb8;
		memcpy(&ioc->addr[4], &i, sizeof(i));
	}
	ts.set.n = n;
	CHECK(c2w_ioc_table_build(&ts.set, "lim", SOCKET_ID_ANY,
						 &t) == -E2BIG);
	CHECK_EQ_U(ts.set.n, n);
	/* Ignored prefixes do not count against the limit. */
	ts.set.v[0].action = C2W_IOC_ACTION_IGNORE;
	for (i = 1; i < n; i++)
		ts.set.v[i].action = C2W_IOC_ACTION_IGNORE;
	CHECK_EQ_U((uint32_t)c2w_ioc_table_build(&ts.set, "lim", SOCKET_ID_ANY,
						 &t), 0);
	if (t != NULL) {
		CHECK_EQ_U(t->n_ignored, n);
		CHECK(t->lpm6 == NULL);
	}
	c2w_ioc_table_free(t);
}

int
main(void)
{
	char prefix[64];
	char *argv[] = {
		"ioc_test", "--no-huge", "--no-pci", "--no-shconf", "-l", "0",
		"-m", "512", "--log-level", "lib.eal:error", "--file-prefix",
		prefix,
	};

	snprintf(prefix, sizeof(prefix), "ioc_test%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(argv), argv) < 0) {
		printf("Bail out! EAL init failed\n");
		return 1;
	}
	test_empty();
	test_precedence_v4();
	test_precedence_v6();
	test_bulk_matches_single();
	test_allowlist();
	test_ignore();
	test_tbl8_groups();
	test_tbl8_random();
	test_hits_top();
	test_telemetry();
	test_limits();
	rte_eal_cleanup();
	return check_done();
}
