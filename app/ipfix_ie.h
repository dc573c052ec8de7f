/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_IPFIX_IE_H
#define C2W_IPFIX_IE_H

/*
 * Information elements that c2wall exports, shared by the exporter in
 * app/ and the collector in tools/. Standard elements come from the IANA
 * registry that libfixbuf carries; the c2wall elements below live under
 * a private enterprise number (PEN) that the operator may change. 32473
 * is the PEN that RFC 5612 reserves for documentation.
 */

#include <stdint.h>
#include <fixbuf/public.h>

#define C2W_IPFIX_PEN_DEFAULT 32473u

/* Element numbers under the c2wall PEN. Never renumber: collectors keep
 * them in their configuration. */
enum c2w_ipfix_ie {
	C2W_IE_IOC_VALUE = 1,      /* string: indicator as in the feed */
	C2W_IE_IOC_ID = 2,         /* string: feed's indicator id */
	C2W_IE_THREAT_TYPE = 3,    /* string: e.g. botnet_cc */
	C2W_IE_MALWARE = 4,        /* string: e.g. Remcos */
	C2W_IE_CONFIDENCE = 5,     /* unsigned8: 0..100 */
	C2W_IE_ACTION = 6,         /* unsigned8: enum c2w_ipfix_action */
	C2W_IE_MATCH_SIDE = 7,     /* unsigned8: enum c2w_ipfix_side */
	C2W_IE_IOC_TAGS = 8,       /* string: comma-separated tags */
	C2W_IE_IOC_REFERENCE = 9,  /* string: URL of the report */
	C2W_IE_IOC_FIRST_SEEN = 10, /* dateTimeSeconds */
	C2W_IE_IOC_LAST_SEEN = 11, /* dateTimeSeconds */
	C2W_IE_EVENT_TYPE = 12,    /* unsigned8: enum c2w_ipfix_event */
};

/* Values of C2W_IE_ACTION. */
enum c2w_ipfix_action {
	C2W_IPFIX_ACTION_NONE = 0,    /* flow matched nothing */
	C2W_IPFIX_ACTION_BLOCKED = 1, /* inline, packets dropped */
	C2W_IPFIX_ACTION_ALERTED = 2, /* forwarded (alert or tap mode) */
	C2W_IPFIX_ACTION_ALLOWED = 3, /* IOC matched, allowlist won */
};

/* Values of C2W_IE_MATCH_SIDE: which endpoint of the record matched. */
enum c2w_ipfix_side {
	C2W_IPFIX_SIDE_NONE = 0,
	C2W_IPFIX_SIDE_SOURCE = 1,
	C2W_IPFIX_SIDE_DESTINATION = 2,
};

/* Values of C2W_IE_EVENT_TYPE. */
enum c2w_ipfix_event {
	C2W_IPFIX_EVENT_ALERT = 1,    /* first packet of a matching flow */
	C2W_IPFIX_EVENT_FLOW_END = 2, /* flow record at expiry */
};

/* Names of the c2wall elements as registered in the information model. */
#define C2W_IE_NAME_IOC_VALUE "c2wIocValue"
#define C2W_IE_NAME_IOC_ID "c2wIocId"
#define C2W_IE_NAME_THREAT_TYPE "c2wThreatType"
#define C2W_IE_NAME_MALWARE "c2wMalware"
#define C2W_IE_NAME_CONFIDENCE "c2wConfidence"
#define C2W_IE_NAME_ACTION "c2wAction"
#define C2W_IE_NAME_MATCH_SIDE "c2wMatchSide"
#define C2W_IE_NAME_IOC_TAGS "c2wIocTags"
#define C2W_IE_NAME_IOC_REFERENCE "c2wIocReference"
#define C2W_IE_NAME_IOC_FIRST_SEEN "c2wIocFirstSeen"
#define C2W_IE_NAME_IOC_LAST_SEEN "c2wIocLastSeen"
#define C2W_IE_NAME_EVENT_TYPE "c2wEventType"

/**
 * Add the c2wall elements under a PEN to a libfixbuf information model.
 *
 * @param model
 *   Model from fbInfoModelAlloc(); the elements are copied into it.
 * @param pen
 *   Private enterprise number of the c2wall elements.
 * @return
 *   0 on success, -EINVAL if pen is 0 or model is NULL.
 */
int c2w_ipfix_ie_register(fbInfoModel_t *model, uint32_t pen);

#endif /* C2W_IPFIX_IE_H */
