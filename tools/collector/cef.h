/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_CEF_H
#define C2W_CEF_H

/*
 * CEF encoding of c2wall alert and flow records for Microsoft Sentinel's
 * CommonSecurityLog table. The module is pure: it reads a decoded record
 * and writes text, with no I/O, so unit tests can compare exact lines.
 * docs/sentinel.md lists every key and the column it lands in.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Signature IDs, the CEF Device Event Class ID field. */
#define C2W_CEF_SIG_ALERT 100     /* alert record at the first match */
#define C2W_CEF_SIG_FLOW_END 101  /* flow record of a matching flow */
#define C2W_CEF_SIG_FLOW 102      /* flow record without an indicator */

/* Line length the collector uses unless --max-line sets another. It is
 * rsyslog's default maximum message size (8 KiB). */
#define C2W_CEF_MAX_LINE_DEFAULT 8192u
/* Smallest limit accepted: the fixed keys of a full record fit in it. */
#define C2W_CEF_MAX_LINE_MIN 1024u

/* Bits of struct c2w_cef_event.counters: which counters the record had. */
#define C2W_CEF_BYTES_FWD 0x1
#define C2W_CEF_PKTS_FWD 0x2
#define C2W_CEF_BYTES_REV 0x4
#define C2W_CEF_PKTS_REV 0x8
#define C2W_CEF_COUNTERS_ALL 0xf

/* Appended to a free-text value that was cut to fit the line limit. */
#define C2W_CEF_CUT_MARKER "[cut]"

/* Text of a record: not NUL-terminated, may point into a received IPFIX
 * message and is then valid only until the next record is read. */
struct c2w_cef_str {
	const char *ptr;
	size_t len;
};

/* One alert or flow record as decoded from IPFIX. The src/dst side is the
 * flow initiator/responder; "fwd" counters count src -> dst traffic. */
struct c2w_cef_event {
	uint64_t start_ms;        /* Unix ms of the first packet */
	uint64_t end_ms;          /* Unix ms of the last packet */
	uint64_t receipt_ms;      /* Unix ms the event happened (CEF rt) */
	uint64_t bytes_fwd;
	uint64_t pkts_fwd;
	uint64_t bytes_rev;
	uint64_t pkts_rev;
	int64_t ioc_first_seen;   /* Unix s, 0 if unknown */
	int64_t ioc_last_seen;    /* Unix s, 0 if unknown */
	struct c2w_cef_str ioc_value;
	struct c2w_cef_str ioc_id;
	struct c2w_cef_str threat_type;
	struct c2w_cef_str malware;
	struct c2w_cef_str tags;
	struct c2w_cef_str reference;
	struct c2w_cef_str interface_name; /* interfaceName, IANA IE 82 */
	uint32_t ingress_if;
	uint32_t egress_if;
	uint16_t sport;
	uint16_t dport;
	uint16_t icmp_type_code;  /* type << 8 | code */
	uint16_t vlan_outer;
	uint16_t vlan_inner;
	uint16_t tcp_flags;       /* tcpControlBits, FIN = 0x01 */
	uint8_t src[16];          /* network order; IPv4 in the first 4 bytes */
	uint8_t dst[16];
	uint8_t family;           /* 4 or 6 */
	uint8_t proto;            /* IP protocol number */
	uint8_t event_type;       /* enum c2w_ipfix_event */
	uint8_t action;           /* enum c2w_ipfix_action */
	uint8_t side;             /* enum c2w_ipfix_side */
	uint8_t confidence;       /* 0-100 */
	uint8_t end_reason;       /* flowEndReason, 0 if absent */
	bool has_times;           /* start_ms/end_ms were in the record */
	bool has_counters;        /* all four counters were in it */
	uint8_t counters;         /* C2W_CEF_* bits, read if !has_counters */
	bool has_tcp_flags;
	/* The template had no protocolIdentifier: proto is not written and
	 * each port is written if the template had it. */
	bool proto_absent;
	bool has_sport;
	bool has_dport;
	bool generic;             /* flow record of a template without
				   * c2wEventType and c2wAction */
	bool has_ingress;
	bool has_egress;
	bool has_icmp;
	bool has_vlan;
};

/* Header fields that name the sending device. */
struct c2w_cef_device {
	const char *vendor;
	const char *product;
	const char *version;
};

/**
 * Format a record as one CEF line without a line terminator. When the line
 * would exceed max_len bytes, the longest free-text values (msg and the
 * indicator strings) are cut, each ending in C2W_CEF_CUT_MARKER, until it
 * fits.
 *
 * @param ev
 *   Record to format.
 * @param dev
 *   Vendor, product and version for the header.
 * @param max_len
 *   Maximum line length in bytes, at least C2W_CEF_MAX_LINE_MIN.
 * @param buf
 *   Output buffer; receives a NUL-terminated line.
 * @param size
 *   Size of buf in bytes, at least max_len + 1.
 * @param len
 *   Set to the line length without the NUL.
 * @param cut
 *   Set to true if a value was cut to fit max_len; may be NULL.
 * @return
 *   0 on success, -EINVAL for a NULL argument, a max_len below
 *   C2W_CEF_MAX_LINE_MIN or a buffer smaller than max_len + 1,
 *   -EMSGSIZE if the line does not fit even with every free-text value
 *   cut to the marker.
 */
int c2w_cef_format(const struct c2w_cef_event *ev,
		   const struct c2w_cef_device *dev, size_t max_len, char *buf,
		   size_t size, size_t *len, bool *cut);

/**
 * Escape a CEF header field: backslash and pipe get a backslash, line
 * breaks and other control characters become a space.
 *
 * @param in
 *   Field text.
 * @param in_len
 *   Length of in in bytes.
 * @param out
 *   Output buffer; receives a NUL-terminated string.
 * @param size
 *   Size of out; 2 * in_len + 1 always suffices.
 * @return
 *   Length of the escaped text, or -ENOSPC if it does not fit in size.
 */
int c2w_cef_escape_header(const char *in, size_t in_len, char *out,
			  size_t size);

/**
 * Escape a CEF extension value: backslash and equal sign get a backslash,
 * LF becomes "\n", CR becomes "\r" and other control characters a space.
 *
 * @param in
 *   Value text.
 * @param in_len
 *   Length of in in bytes.
 * @param out
 *   Output buffer; receives a NUL-terminated string.
 * @param size
 *   Size of out; 2 * in_len + 1 always suffices.
 * @return
 *   Length of the escaped text, or -ENOSPC if it does not fit in size.
 */
int c2w_cef_escape_ext(const char *in, size_t in_len, char *out, size_t size);

/**
 * Map an indicator confidence to a CEF severity: 90-100 -> 10, 75-89 -> 8,
 * 50-74 -> 6, below 50 -> 4.
 *
 * @param ev
 *   Record; a generic record (flag generic) and a record without an
 *   indicator (action none and no value) get severity 1.
 * @return
 *   Severity 1, 4, 6, 8 or 10.
 */
unsigned c2w_cef_severity(const struct c2w_cef_event *ev);

/**
 * Name an IP protocol as CommonSecurityLog's Protocol column expects.
 *
 * @param proto
 *   IP protocol number.
 * @param buf
 *   Buffer for the decimal number of a protocol without a name.
 * @param size
 *   Size of buf, at least 4.
 * @return
 *   "TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "GRE", "ESP" or buf.
 */
const char *c2w_cef_proto_name(uint8_t proto, char *buf, size_t size);

/* Room for every TCP flag name, commas and the NUL. */
#define C2W_CEF_TCP_FLAGS_MAX 40

/**
 * Name the TCP flags of tcpControlBits, lowest bit first, as in
 * "SYN,ACK" for 0x12; bits above NS (0x100) are ignored.
 *
 * @param flags
 *   tcpControlBits value.
 * @param buf
 *   Output buffer.
 * @param size
 *   Size of buf, at least C2W_CEF_TCP_FLAGS_MAX.
 * @return
 *   0 on success, "none" if no flag is set, -EINVAL for a short buffer.
 */
int c2w_cef_tcp_flags_format(uint16_t flags, char *buf, size_t size);

/**
 * Name the action of a record as written to CEF act.
 *
 * @param action
 *   enum c2w_ipfix_action value.
 * @return
 *   "blocked", "alerted", "allowed", "none" or "unknown".
 */
const char *c2w_cef_action_name(uint8_t action);

/**
 * Name a flowEndReason value (IANA IE 136).
 *
 * @param reason
 *   flowEndReason value.
 * @return
 *   "idle timeout", "active timeout", "end of flow", "forced end",
 *   "lack of resources", or NULL for 0 and unassigned values.
 */
const char *c2w_cef_end_reason_name(uint8_t reason);

/**
 * Write the source or destination address of a record as text.
 *
 * @param ev
 *   Record.
 * @param source
 *   true for the source address, false for the destination.
 * @param buf
 *   Output buffer.
 * @param size
 *   Size of buf, at least 46 (INET6_ADDRSTRLEN).
 * @return
 *   0 on success, -EINVAL for an unknown family or a short buffer.
 */
int c2w_cef_addr_format(const struct c2w_cef_event *ev, bool source,
			char *buf, size_t size);

#endif /* C2W_CEF_H */
