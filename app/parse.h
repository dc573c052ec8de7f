/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_PARSE_H
#define C2W_PARSE_H

/*
 * Packet header parser. It works on a plain byte buffer so that it runs
 * the same on an mbuf, in unit tests and under libFuzzer, and it never
 * reads outside [data, data + len).
 */

#include <stdint.h>

/* Outcome of c2w_parse_packet(); every value except OK and NON_IP is a
 * malformed-packet reason with its own counter. Keep c2w_parse_result_name()
 * in step with this list. */
enum c2w_parse_result {
	C2W_PARSE_OK = 0,
	C2W_PARSE_NON_IP,          /* ARP, LLDP, ...: forwarded, not tracked */
	C2W_PARSE_ETH_TRUNC,       /* frame shorter than its L2 headers */
	C2W_PARSE_VLAN_DEPTH,      /* more than two VLAN tags */
	C2W_PARSE_IP4_TRUNC,       /* IPv4 header past the frame end */
	C2W_PARSE_IP4_BAD_IHL,     /* IHL below 5 words */
	C2W_PARSE_IP4_BAD_LEN,     /* total length < IHL or > frame */
	C2W_PARSE_IP4_BAD_VER,     /* version nibble is not 4 */
	C2W_PARSE_IP6_TRUNC,       /* IPv6 header past the frame end */
	C2W_PARSE_IP6_BAD_LEN,     /* payload length > frame */
	C2W_PARSE_IP6_EXT_TRUNC,   /* extension header past the packet end */
	C2W_PARSE_IP6_EXT_DEPTH,   /* extension chain longer than the limit */
	C2W_PARSE_L4_TRUNC,        /* L4 header, TCP options too, past IP end */
	C2W_PARSE_TCP_BAD_OFF,     /* TCP data offset below 5 words */
	C2W_PARSE_UDP_BAD_LEN,     /* UDP length < 8 or > IP payload */
	C2W_PARSE_IP6_BAD_VER,     /* version nibble is not 6 */
	C2W_PARSE_IP6_V4MAPPED,    /* IPv4-mapped source or destination */
	C2W_PARSE_RESULT_MAX,
};

/* Maximum frame length the parser looks at, because the offsets in struct
 * c2w_pkt are 16-bit. A longer frame is parsed as if cut here, so an IP
 * packet reaching past this length fails its length check. */
#define C2W_PARSE_LEN_MAX 65535u

/* Flags in struct c2w_pkt.flags. */
#define C2W_PKT_F_IPV6      0x01u
#define C2W_PKT_F_FRAG      0x02u /* any fragment: first or later */
#define C2W_PKT_F_FRAG_LATER 0x04u /* offset > 0: no L4 header here */
#define C2W_PKT_F_L4        0x08u /* ports / ICMP type are valid */
#define C2W_PKT_F_L3        0x10u /* addresses valid, even if a later
				     * header is malformed */
#define C2W_PKT_F_PORTS_RAW 0x20u /* TCP/UDP/SCTP header malformed, but
				     * its ports were read */

/*
 * Parsed view of one packet. Addresses are in network byte order and
 * IPv4 addresses sit in the first 4 bytes of the 16-byte arrays, the
 * rest zero. Ports are host byte order. For ICMP and ICMPv6 sport is 0
 * and dport carries type << 8 | code, the convention IPFIX exporters use
 * for icmpTypeCode in the port field.
 */
struct c2w_pkt {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint16_t vlan_outer;  /* VLAN ID of the outer tag, 0 if none */
	uint16_t vlan_inner;  /* VLAN ID of the inner tag (QinQ), 0 if none */
	uint16_t l3_off;      /* offset of the IP header in the frame */
	uint16_t l4_off;      /* offset of the L4 header, 0 if none */
	uint16_t ip_len;      /* IP total length: header + payload, no padding */
	uint16_t l4_payload;  /* L4 payload bytes inside ip_len */
	uint16_t ether_type;  /* innermost EtherType, host byte order */
	uint8_t proto;        /* IP protocol after the extension headers.
			       * A later IPv6 fragment gives the Next
			       * Header of its Fragment header. */
	uint8_t tcp_flags;    /* TCP flags byte (FIN..CWR), 0 if not TCP */
	uint8_t flags;        /* C2W_PKT_F_* */
	uint8_t vlan_count;   /* tags parsed: 0, 1 or 2 */
};

/**
 * Tell whether an IPv6 address is IPv4-mapped (::ffff:0:0/96). Such an
 * address names an IPv4 host inside one node and never belongs on the
 * wire (RFC 4291 section 2.5.5.2).
 */
static inline int
c2w_addr_is_v4mapped(const uint8_t *addr)
{
	static const uint8_t prefix[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	};
	const uint8_t *a = addr, *b = prefix;
	unsigned i;

	for (i = 0; i < sizeof(prefix); i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/**
 * Parse the headers of one Ethernet frame.
 *
 * @param data
 *   First byte of the frame (destination MAC).
 * @param len
 *   Bytes readable at data; nothing past data + len is read. The whole
 *   packet must be contiguous, because an IP length beyond len is
 *   malformed. Only the first C2W_PARSE_LEN_MAX bytes are looked at.
 * @param vlan_tci
 *   Tag already stripped by the NIC (mbuf vlan_tci) or 0 when none; it
 *   counts as the outer tag.
 * @param pkt
 *   Filled with what was parsed; fields after the failing header are
 *   zero, except that a malformed TCP, UDP or SCTP header with its first
 *   four bytes present still gives its ports (C2W_PKT_F_PORTS_RAW), so
 *   that policy can judge a packet it forwards despite the fault.
 * @return
 *   C2W_PARSE_OK for an IP packet, C2W_PARSE_NON_IP for other
 *   EtherTypes, or the malformed-packet reason.
 */
enum c2w_parse_result c2w_parse_packet(const uint8_t *data, uint32_t len,
				       uint16_t vlan_tci, struct c2w_pkt *pkt);

/**
 * Name a parse result for counters and logs, e.g. "ip4_bad_ihl".
 *
 * @param res
 *   A value of enum c2w_parse_result.
 * @return
 *   A static string; "unknown" for values out of range.
 */
const char *c2w_parse_result_name(enum c2w_parse_result res);

#endif /* C2W_PARSE_H */
