/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_EVENT_H
#define C2W_EVENT_H

/*
 * Fixed-size events that workers push into the event ring and the
 * exporter drains. An event carries copies of the indicator's text so
 * that it stays valid after the IOC table that produced it is replaced.
 *
 * The ring contains the events themselves, not pointers: main creates it
 * with rte_ring_create_elem(name, sizeof(struct c2w_event), count,
 * socket, RING_F_SC_DEQ); workers call rte_ring_mp_enqueue_elem() and the
 * exporter rte_ring_sc_dequeue_burst_elem().
 */

#include <stdint.h>

enum c2w_event_type {
	C2W_EVENT_ALERT = 1,     /* first packet of a flow that matched */
	C2W_EVENT_FLOW_END = 2,  /* a flow left the flow table */
};

/* flowEndReason values (IANA IE 136). */
enum c2w_end_reason {
	C2W_END_IDLE = 1,
	C2W_END_ACTIVE = 2,
	C2W_END_DETECTED = 3,    /* TCP FIN from both sides or RST */
	C2W_END_FORCED = 4,      /* shutdown */
	C2W_END_RESOURCES = 5,   /* no flow entry could be kept */
};

#define C2W_EVENT_STR_VALUE 48
#define C2W_EVENT_STR_ID 24
#define C2W_EVENT_STR_THREAT 32
#define C2W_EVENT_STR_MALWARE 40
#define C2W_EVENT_STR_TAGS 64
#define C2W_EVENT_STR_REF 112

/*
 * One alert or flow record. The record is oriented as the flow was first
 * seen: src is the initiator, "fwd" counters count src -> dst packets.
 * Addresses are network byte order (IPv4 in the first four bytes), ports
 * host byte order. Text fields are NUL-terminated and cut to fit.
 */
struct c2w_event {
	uint8_t type;            /* enum c2w_event_type */
	uint8_t family;          /* 4 or 6 */
	uint8_t proto;           /* IP protocol */
	uint8_t action;          /* enum c2w_ipfix_action */
	uint8_t side;            /* enum c2w_ipfix_side, of src/dst below */
	uint8_t end_reason;      /* enum c2w_end_reason, FLOW_END only */
	uint8_t confidence;
	uint8_t tcp_flags_fwd;   /* OR of TCP flags src -> dst */
	uint8_t tcp_flags_rev;   /* OR of TCP flags dst -> src */
	uint8_t vlan_count;
	uint16_t vlan_outer;
	uint16_t vlan_inner;
	uint16_t sport;
	uint16_t dport;
	uint16_t icmp_type_code; /* type << 8 | code of the first ICMP packet */
	uint16_t ingress_port;   /* DPDK port id the flow was first seen on */
	uint16_t egress_port;    /* pair port, or UINT16_MAX in tap mode */
	uint16_t worker;         /* worker index that produced the event */
	uint8_t src[16];
	uint8_t dst[16];
	uint64_t start_ms;       /* Unix ms of the first packet */
	uint64_t end_ms;         /* Unix ms of the last packet (alert: now) */
	uint64_t pkts_fwd;
	uint64_t bytes_fwd;      /* IP total length, no L2 or padding */
	uint64_t pkts_rev;
	uint64_t bytes_rev;
	int64_t ioc_first_seen;  /* Unix s, C2W_IOC_TIME_UNKNOWN if none */
	int64_t ioc_last_seen;
	char ioc_value[C2W_EVENT_STR_VALUE];
	char ioc_id[C2W_EVENT_STR_ID];
	char threat_type[C2W_EVENT_STR_THREAT];
	char malware[C2W_EVENT_STR_MALWARE];
	char tags[C2W_EVENT_STR_TAGS];
	char reference[C2W_EVENT_STR_REF];
};

#endif /* C2W_EVENT_H */
