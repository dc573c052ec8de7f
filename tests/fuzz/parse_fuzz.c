/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the packet header parser. Each input is one
 * Ethernet frame, parsed once as received and once with a NIC-stripped
 * tag. AddressSanitizer catches reads past the input, and the checks
 * below trap when a parsed offset or length leaves the frame.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                        \
	do {                                    \
		if (!(cond))                    \
			__builtin_trap();       \
	} while (0)

/* Minimum header length of the protocols that set C2W_PKT_F_L4. */
static uint32_t
l4_hdr_min(uint8_t proto)
{
	switch (proto) {
	case 6:
		return 20;
	case 17:
	case 1:
	case 58:
		return 8;
	case 132:
		return 12;
	default:
		return 0;
	}
}

static void
check_l4_bounds(const uint8_t *data, enum c2w_parse_result res,
		const struct c2w_pkt *pkt)
{
	uint32_t ip_end = (uint32_t)pkt->l3_off + pkt->ip_len;
	uint32_t hdr = l4_hdr_min(pkt->proto);

	/* An IPv6 packet with an IPv4-mapped address is rejected after its
	 * transport header parsed, so it keeps the header's fields. */
	FUZZ_CHECK(res == C2W_PARSE_OK || res == C2W_PARSE_IP6_V4MAPPED);
	FUZZ_CHECK(hdr != 0);
	FUZZ_CHECK(!(pkt->flags & C2W_PKT_F_FRAG_LATER));
	FUZZ_CHECK(pkt->l4_off >= pkt->l3_off + 20u);
	FUZZ_CHECK(pkt->l4_off + hdr + pkt->l4_payload <= ip_end);
	/* l4_off + 20 <= ip_end here, so the data offset byte is inside. */
	if (pkt->proto == 6)
		FUZZ_CHECK(pkt->l4_off + (data[pkt->l4_off + 12] >> 4) * 4u +
			   pkt->l4_payload == ip_end);
}

static void
check_bounds(const uint8_t *data, uint32_t len, enum c2w_parse_result res,
	     const struct c2w_pkt *pkt)
{
	uint32_t ip_end = (uint32_t)pkt->l3_off + pkt->ip_len;

	FUZZ_CHECK((unsigned int)res < C2W_PARSE_RESULT_MAX);
	FUZZ_CHECK(pkt->vlan_count <= 2);
	if (pkt->ip_len != 0) {
		FUZZ_CHECK(pkt->l3_off >= 14);
		FUZZ_CHECK(ip_end <= len);
	}
	if (res == C2W_PARSE_OK && pkt->ether_type == 0x0800)
		FUZZ_CHECK(pkt->ip_len >= 20);
	if (res == C2W_PARSE_OK && pkt->ether_type == 0x86dd)
		FUZZ_CHECK(pkt->ip_len >= 40);
	if (pkt->flags & C2W_PKT_F_FRAG_LATER)
		FUZZ_CHECK(pkt->flags & C2W_PKT_F_FRAG);

	if (pkt->flags & C2W_PKT_F_L4) {
		check_l4_bounds(data, res, pkt);
		return;
	}
	/* Ports of a malformed transport header come with their flag. */
	if (pkt->flags & C2W_PKT_F_PORTS_RAW)
		FUZZ_CHECK(res != C2W_PARSE_OK);
	FUZZ_CHECK(pkt->l4_off == 0);
	if (!(pkt->flags & C2W_PKT_F_PORTS_RAW)) {
		FUZZ_CHECK(pkt->sport == 0);
		FUZZ_CHECK(pkt->dport == 0);
	}
	FUZZ_CHECK(pkt->l4_payload == 0);
	FUZZ_CHECK(pkt->tcp_flags == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t len = size > C2W_PARSE_LEN_MAX ? C2W_PARSE_LEN_MAX :
						  (uint32_t)size;
	struct c2w_pkt pkt;
	enum c2w_parse_result res;

	res = c2w_parse_packet(data, len, 0, &pkt);
	check_bounds(data, len, res, &pkt);
	FUZZ_CHECK(strcmp(c2w_parse_result_name(res), "unknown") != 0);

	res = c2w_parse_packet(data, len, 0x2064, &pkt);
	check_bounds(data, len, res, &pkt);
	FUZZ_CHECK(pkt.vlan_count >= 1);
	return 0;
}
