/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet header parser for the worker fast path. Every read is preceded
 * by a bounds check against the frame end or the IP end, headers are read
 * byte by byte so no alignment is assumed, and there is no loop over
 * payload: the only loops walk at most three VLAN tags and eight IPv6
 * extension headers.
 */

#include <string.h>

#include "parse.h"

#define ETH_TYPE_OFF 12 /* EtherType or first TPID, after the two MACs */
#define ETH_TYPE_LEN 2
#define VLAN_TAG_LEN 4  /* TPID + TCI */
#define VLAN_MAX 2
#define VLAN_VID_MASK 0x0fffu

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_VLAN 0x8100u    /* IEEE 802.1Q customer tag */
#define ETHERTYPE_QINQ 0x88a8u    /* IEEE 802.1ad service tag */
#define ETHERTYPE_QINQ_OLD 0x9100u /* pre-802.1ad service tag */

#define IP4_HDR_MIN 20
#define IP4_FLAG_MF 0x2000u
#define IP4_FRAG_OFF_MASK 0x1fffu
#define IP6_HDR_LEN 40
#define IP6_EXT_MIN 8
#define IP6_EXT_MAX 8
#define IP6_FRAG_OFF_MASK 0xfff8u

#define TCP_HDR_MIN 20
#define UDP_HDR_LEN 8
#define SCTP_HDR_LEN 12
/* Type, code, checksum and the 4-byte field every ICMP and ICMPv6
 * message defined so far carries (identifier/sequence, MTU, pointer or
 * unused). */
#define ICMP_HDR_LEN 8

/* IANA protocol numbers used below. */
#define PROTO_HOPOPTS 0
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ROUTING 43
#define PROTO_FRAGMENT 44
#define PROTO_AH 51
#define PROTO_ICMPV6 58
#define PROTO_DSTOPTS 60
#define PROTO_SCTP 132
#define PROTO_MOBILITY 135
#define PROTO_HIP 139
#define PROTO_SHIM6 140

static inline uint16_t
read16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline int
is_vlan_tpid(uint16_t type)
{
	return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	       type == ETHERTYPE_QINQ_OLD;
}

/* Walk the Ethernet header and up to two VLAN tags. On success *l3_off is
 * the offset of the first byte after the innermost EtherType. */
static enum c2w_parse_result
parse_l2(const uint8_t *data, uint32_t len, uint16_t vlan_tci,
	 struct c2w_pkt *pkt, uint32_t *l3_off)
{
	uint32_t off = ETH_TYPE_OFF;
	uint16_t type, vid;

	if (vlan_tci != 0) {
		pkt->vlan_outer = vlan_tci & VLAN_VID_MASK;
		pkt->vlan_count = 1;
	}

	for (;;) {
		if (len < off + ETH_TYPE_LEN)
			return C2W_PARSE_ETH_TRUNC;
		type = read16(data + off);
		if (!is_vlan_tpid(type))
			break;
		if (pkt->vlan_count == VLAN_MAX)
			return C2W_PARSE_VLAN_DEPTH;
		/* The TCI and the EtherType after it must both be present. */
		if (len < off + VLAN_TAG_LEN + ETH_TYPE_LEN)
			return C2W_PARSE_ETH_TRUNC;
		vid = read16(data + off + ETH_TYPE_LEN) & VLAN_VID_MASK;
		if (pkt->vlan_count == 0)
			pkt->vlan_outer = vid;
		else
			pkt->vlan_inner = vid;
		pkt->vlan_count++;
		off += VLAN_TAG_LEN;
	}

	pkt->ether_type = type;
	*l3_off = off + ETH_TYPE_LEN;
	return C2W_PARSE_OK;
}

static enum c2w_parse_result
parse_tcp(const uint8_t *l4, uint32_t avail, struct c2w_pkt *pkt,
	  uint32_t *hdr_len)
{
	uint32_t hlen;

	if (avail < TCP_HDR_MIN)
		return C2W_PARSE_L4_TRUNC;
	hlen = (l4[12] >> 4) * 4u;
	if (hlen < TCP_HDR_MIN)
		return C2W_PARSE_TCP_BAD_OFF;
	if (hlen > avail)
		return C2W_PARSE_L4_TRUNC;

	pkt->tcp_flags = l4[13];
	*hdr_len = hlen;
	return C2W_PARSE_OK;
}

/* On success *end_len is the UDP length, the datagram end counted from
 * the UDP header. A first fragment contains only part of the datagram
 * that the UDP length covers, so there the datagram ends at the IP end. */
static enum c2w_parse_result
parse_udp(const uint8_t *l4, uint32_t avail, const struct c2w_pkt *pkt,
	  uint32_t *end_len)
{
	uint32_t ulen;

	if (avail < UDP_HDR_LEN)
		return C2W_PARSE_L4_TRUNC;
	ulen = read16(l4 + 4);
	if (ulen < UDP_HDR_LEN)
		return C2W_PARSE_UDP_BAD_LEN;
	if (ulen > avail) {
		if (!(pkt->flags & C2W_PKT_F_FRAG))
			return C2W_PARSE_UDP_BAD_LEN;
		ulen = avail;
	}

	*end_len = ulen;
	return C2W_PARSE_OK;
}

/* Parse the transport header that starts at off and ends at the IP end,
 * end. The caller has set pkt->proto and the IP flags. Protocols without
 * ports return OK with C2W_PKT_F_L4 clear. */
static enum c2w_parse_result
parse_l4(const uint8_t *data, uint32_t off, uint32_t end, struct c2w_pkt *pkt)
{
	const uint8_t *l4 = data + off;
	uint32_t avail = end - off;
	uint32_t hlen = 0;
	enum c2w_parse_result res = C2W_PARSE_OK;
	int ipv6 = !!(pkt->flags & C2W_PKT_F_IPV6);

	switch (pkt->proto) {
	case PROTO_TCP:
		res = parse_tcp(l4, avail, pkt, &hlen);
		break;
	case PROTO_UDP:
		hlen = UDP_HDR_LEN;
		res = parse_udp(l4, avail, pkt, &avail);
		break;
	case PROTO_SCTP:
		hlen = SCTP_HDR_LEN;
		break;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		/* ICMP in IPv6 or ICMPv6 in IPv4 is no ICMP message. */
		if (ipv6 != (pkt->proto == PROTO_ICMPV6))
			return C2W_PARSE_OK;
		hlen = ICMP_HDR_LEN;
		break;
	default:
		return C2W_PARSE_OK;
	}
	if (res == C2W_PARSE_OK && avail < hlen)
		res = C2W_PARSE_L4_TRUNC;
	if (res != C2W_PARSE_OK) {
		/* ICMP never gets here: its only failure is truncation
		 * below 8 bytes, and it has no ports to keep. */
		if (end - off >= 4 && pkt->proto != PROTO_ICMP &&
		    pkt->proto != PROTO_ICMPV6) {
			pkt->sport = read16(l4);
			pkt->dport = read16(l4 + 2);
			pkt->flags |= C2W_PKT_F_PORTS_RAW;
		}
		return res;
	}

	/* An ICMP error quotes the offending header; its ports stay unread
	 * so they never become this packet's ports. */
	if (pkt->proto == PROTO_ICMP || pkt->proto == PROTO_ICMPV6) {
		pkt->dport = read16(l4);
	} else {
		pkt->sport = read16(l4);
		pkt->dport = read16(l4 + 2);
	}
	pkt->l4_off = (uint16_t)off;
	pkt->l4_payload = (uint16_t)(avail - hlen);
	pkt->flags |= C2W_PKT_F_L4;
	return C2W_PARSE_OK;
}

static enum c2w_parse_result
parse_ipv4(const uint8_t *data, uint32_t len, uint32_t off,
	   struct c2w_pkt *pkt)
{
	const uint8_t *ip = data + off;
	uint32_t avail = len - off;
	uint32_t hlen, total, frag;

	if (avail < IP4_HDR_MIN)
		return C2W_PARSE_IP4_TRUNC;
	if (ip[0] >> 4 != 4)
		return C2W_PARSE_IP4_BAD_VER;
	hlen = (ip[0] & 0x0fu) * 4u;
	if (hlen < IP4_HDR_MIN)
		return C2W_PARSE_IP4_BAD_IHL;
	if (hlen > avail)
		return C2W_PARSE_IP4_TRUNC;
	/* Total length, not the frame, bounds the packet: the bytes after
	 * it are Ethernet padding. */
	total = read16(ip + 2);
	if (total < hlen || total > avail)
		return C2W_PARSE_IP4_BAD_LEN;

	pkt->l3_off = (uint16_t)off;
	pkt->ip_len = (uint16_t)total;
	pkt->proto = ip[9];
	memcpy(pkt->src, ip + 12, 4);
	memcpy(pkt->dst, ip + 16, 4);
	pkt->flags |= C2W_PKT_F_L3;

	frag = read16(ip + 6);
	if (frag & (IP4_FLAG_MF | IP4_FRAG_OFF_MASK)) {
		pkt->flags |= C2W_PKT_F_FRAG;
		if (frag & IP4_FRAG_OFF_MASK) {
			pkt->flags |= C2W_PKT_F_FRAG_LATER;
			return C2W_PARSE_OK;
		}
	}
	return parse_l4(data, off + hlen, off + total, pkt);
}

static int
is_ip6_ext(uint8_t next)
{
	switch (next) {
	case PROTO_HOPOPTS:
	case PROTO_ROUTING:
	case PROTO_FRAGMENT:
	case PROTO_AH:
	case PROTO_DSTOPTS:
	case PROTO_MOBILITY:
	case PROTO_HIP:
	case PROTO_SHIM6:
		return 1;
	default:
		return 0;
	}
}

/* Follow the extension header chain from off to the transport header,
 * with end the IP end. The chain stops at ESP (50) and No Next Header
 * (59), and parse_l4() then finds no ports. */
static enum c2w_parse_result
parse_ip6_ext(const uint8_t *data, uint32_t off, uint32_t end, uint8_t next,
	      struct c2w_pkt *pkt)
{
	const uint8_t *ext;
	uint32_t hlen;
	unsigned int count;

	for (count = 0; is_ip6_ext(next); count++) {
		if (count == IP6_EXT_MAX)
			return C2W_PARSE_IP6_EXT_DEPTH;
		if (end - off < IP6_EXT_MIN)
			return C2W_PARSE_IP6_EXT_TRUNC;
		ext = data + off;

		if (next == PROTO_FRAGMENT) {
			hlen = IP6_EXT_MIN;
			pkt->flags |= C2W_PKT_F_FRAG;
			if (read16(ext + 2) & IP6_FRAG_OFF_MASK) {
				pkt->flags |= C2W_PKT_F_FRAG_LATER;
				pkt->proto = ext[0];
				return C2W_PARSE_OK;
			}
		} else if (next == PROTO_AH) {
			/* AH counts 4-byte words, minus two. */
			hlen = (ext[1] + 2u) * 4u;
		} else {
			/* The others count 8-byte units, minus one. */
			hlen = (ext[1] + 1u) * 8u;
		}
		if (hlen > end - off)
			return C2W_PARSE_IP6_EXT_TRUNC;
		next = ext[0];
		off += hlen;
	}

	pkt->proto = next;
	return parse_l4(data, off, end, pkt);
}

static enum c2w_parse_result
parse_ipv6(const uint8_t *data, uint32_t len, uint32_t off,
	   struct c2w_pkt *pkt)
{
	const uint8_t *ip = data + off;
	uint32_t avail = len - off;
	enum c2w_parse_result res;
	uint32_t total;

	if (avail < IP6_HDR_LEN)
		return C2W_PARSE_IP6_TRUNC;
	if (ip[0] >> 4 != 6)
		return C2W_PARSE_IP6_BAD_VER;
	/* A jumbogram's payload length of 0 is taken literally, so its
	 * first header is found past the end and fails as truncated. */
	total = IP6_HDR_LEN + read16(ip + 4);
	if (total > avail)
		return C2W_PARSE_IP6_BAD_LEN;

	pkt->flags |= C2W_PKT_F_IPV6;
	pkt->l3_off = (uint16_t)off;
	pkt->ip_len = (uint16_t)total;
	memcpy(pkt->src, ip + 8, 16);
	memcpy(pkt->dst, ip + 24, 16);
	pkt->flags |= C2W_PKT_F_L3;
	res = parse_ip6_ext(data, off + IP6_HDR_LEN, off + total, ip[6], pkt);
	/* Flow keys store IPv4 addresses IPv4-mapped, so such an address in
	 * an IPv6 header would make the packet join an IPv4 flow. */
	if (res == C2W_PARSE_OK && (c2w_addr_is_v4mapped(pkt->src) ||
				    c2w_addr_is_v4mapped(pkt->dst)))
		return C2W_PARSE_IP6_V4MAPPED;
	return res;
}

enum c2w_parse_result
c2w_parse_packet(const uint8_t *data, uint32_t len, uint16_t vlan_tci,
		 struct c2w_pkt *pkt)
{
	enum c2w_parse_result res;
	uint32_t l3_off = 0;

	memset(pkt, 0, sizeof(*pkt));
	if (len > C2W_PARSE_LEN_MAX)
		len = C2W_PARSE_LEN_MAX;

	res = parse_l2(data, len, vlan_tci, pkt, &l3_off);
	if (res != C2W_PARSE_OK)
		return res;

	switch (pkt->ether_type) {
	case ETHERTYPE_IPV4:
		return parse_ipv4(data, len, l3_off, pkt);
	case ETHERTYPE_IPV6:
		return parse_ipv6(data, len, l3_off, pkt);
	default:
		return C2W_PARSE_NON_IP;
	}
}

static const char *const parse_result_names[C2W_PARSE_RESULT_MAX] = {
	[C2W_PARSE_OK] = "ok",
	[C2W_PARSE_NON_IP] = "non_ip",
	[C2W_PARSE_ETH_TRUNC] = "eth_trunc",
	[C2W_PARSE_VLAN_DEPTH] = "vlan_depth",
	[C2W_PARSE_IP4_TRUNC] = "ip4_trunc",
	[C2W_PARSE_IP4_BAD_IHL] = "ip4_bad_ihl",
	[C2W_PARSE_IP4_BAD_LEN] = "ip4_bad_len",
	[C2W_PARSE_IP4_BAD_VER] = "ip4_bad_ver",
	[C2W_PARSE_IP6_TRUNC] = "ip6_trunc",
	[C2W_PARSE_IP6_BAD_LEN] = "ip6_bad_len",
	[C2W_PARSE_IP6_EXT_TRUNC] = "ip6_ext_trunc",
	[C2W_PARSE_IP6_EXT_DEPTH] = "ip6_ext_depth",
	[C2W_PARSE_L4_TRUNC] = "l4_trunc",
	[C2W_PARSE_TCP_BAD_OFF] = "tcp_bad_off",
	[C2W_PARSE_UDP_BAD_LEN] = "udp_bad_len",
	[C2W_PARSE_IP6_BAD_VER] = "ip6_bad_ver",
	[C2W_PARSE_IP6_V4MAPPED] = "ip6_v4mapped",
};

const char *
c2w_parse_result_name(enum c2w_parse_result res)
{
	if ((unsigned int)res >= C2W_PARSE_RESULT_MAX ||
	    parse_result_names[res] == NULL)
		return "unknown";
	return parse_result_names[res];
}
