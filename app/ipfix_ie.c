/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>

#include "ipfix_ie.h"

/* The enterprise number is filled in at registration, so the table keeps
 * 0 here and a copy gets the operator's PEN. */
#define C2W_IE(name, num, len, type, flags, desc) \
	FB_IE_INIT_FULL(name, 0, num, len, flags, 0, 0, type, desc)

static const fbInfoElement_t ipfix_ie_template[] = {
	C2W_IE(C2W_IE_NAME_IOC_VALUE, C2W_IE_IOC_VALUE, FB_IE_VARLEN,
	       FB_STRING, FB_IE_F_NONE, "indicator value as in the feed"),
	C2W_IE(C2W_IE_NAME_IOC_ID, C2W_IE_IOC_ID, FB_IE_VARLEN, FB_STRING,
	       FB_IE_F_NONE, "indicator id in the feed"),
	C2W_IE(C2W_IE_NAME_THREAT_TYPE, C2W_IE_THREAT_TYPE, FB_IE_VARLEN,
	       FB_STRING, FB_IE_F_NONE, "threat type, e.g. botnet_cc"),
	C2W_IE(C2W_IE_NAME_MALWARE, C2W_IE_MALWARE, FB_IE_VARLEN, FB_STRING,
	       FB_IE_F_NONE, "malware family"),
	C2W_IE(C2W_IE_NAME_CONFIDENCE, C2W_IE_CONFIDENCE, 1, FB_UINT_8,
	       FB_IE_F_ENDIAN | FB_IE_QUANTITY, "feed confidence 0-100"),
	C2W_IE(C2W_IE_NAME_ACTION, C2W_IE_ACTION, 1, FB_UINT_8,
	       FB_IE_F_ENDIAN | FB_IE_IDENTIFIER,
	       "0 none, 1 blocked, 2 alerted, 3 allowed"),
	C2W_IE(C2W_IE_NAME_MATCH_SIDE, C2W_IE_MATCH_SIDE, 1, FB_UINT_8,
	       FB_IE_F_ENDIAN | FB_IE_IDENTIFIER,
	       "endpoint that matched: 1 source, 2 destination"),
	C2W_IE(C2W_IE_NAME_IOC_TAGS, C2W_IE_IOC_TAGS, FB_IE_VARLEN,
	       FB_STRING, FB_IE_F_NONE, "indicator tags, comma-separated"),
	C2W_IE(C2W_IE_NAME_IOC_REFERENCE, C2W_IE_IOC_REFERENCE, FB_IE_VARLEN,
	       FB_STRING, FB_IE_F_NONE, "reference URL of the indicator"),
	C2W_IE(C2W_IE_NAME_IOC_FIRST_SEEN, C2W_IE_IOC_FIRST_SEEN, 4,
	       FB_DT_SEC, FB_IE_F_ENDIAN | FB_UNITS_SECONDS,
	       "first seen time of the indicator"),
	C2W_IE(C2W_IE_NAME_IOC_LAST_SEEN, C2W_IE_IOC_LAST_SEEN, 4, FB_DT_SEC,
	       FB_IE_F_ENDIAN | FB_UNITS_SECONDS,
	       "last seen time of the indicator"),
	C2W_IE(C2W_IE_NAME_EVENT_TYPE, C2W_IE_EVENT_TYPE, 1, FB_UINT_8,
	       FB_IE_F_ENDIAN | FB_IE_IDENTIFIER,
	       "1 alert at first match, 2 flow end"),
};

#define IPFIX_IE_COUNT (sizeof(ipfix_ie_template) / sizeof(ipfix_ie_template[0]))

int
c2w_ipfix_ie_register(fbInfoModel_t *model, uint32_t pen)
{
	fbInfoElement_t ies[IPFIX_IE_COUNT + 1];
	size_t i;

	if (model == NULL || pen == 0)
		return -EINVAL;

	for (i = 0; i < IPFIX_IE_COUNT; i++) {
		ies[i] = ipfix_ie_template[i];
		ies[i].ent = pen;
	}
	ies[IPFIX_IE_COUNT] = (fbInfoElement_t)FB_IE_NULL;

	/* libfixbuf copies each element into the model. */
	fbInfoModelAddElementArray(model, ies);
	return 0;
}
