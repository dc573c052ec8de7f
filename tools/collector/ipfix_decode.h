/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_IPFIX_DECODE_H
#define C2W_IPFIX_DECODE_H

/*
 * IPFIX (RFC 7011) message decoder of the collector. It keeps the
 * templates of one transport session per observation domain, checks every
 * header, set, template and record against the message bounds, and turns
 * the data records into struct c2w_cef_event. It reads reduced-size
 * integers (RFC 7011 section 6.2), total and delta counters, RFC 5103
 * reverse elements and variable-length fields, and skips elements it does
 * not know by their length. One decoder serves one transport session and
 * is used by one thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cef.h"

#define C2W_DECODE_HEADER_LEN 16
#define C2W_DECODE_VERSION 10

/* Reasons a message, set, template or record is rejected. */
enum c2w_decode_error {
	C2W_DECODE_ERR_BAD_VERSION,       /* header version is not 10 */
	C2W_DECODE_ERR_BAD_LENGTH,        /* header length < 16 or != input */
	C2W_DECODE_ERR_TRUNCATED_SET,     /* set runs past the message end */
	C2W_DECODE_ERR_SET_LENGTH,        /* set length below 4 */
	C2W_DECODE_ERR_SET_ID,            /* reserved set ID 0, 1 or 4-255 */
	C2W_DECODE_ERR_UNKNOWN_TEMPLATE,  /* data set of an unknown template */
	C2W_DECODE_ERR_BAD_TEMPLATE,      /* template record invalid; dropped */
	C2W_DECODE_ERR_SHORT_RECORD,      /* record runs past its set end */
	C2W_DECODE_ERR_COUNT,
};

/* Kinds of decoded data records. */
enum c2w_decode_kind {
	C2W_DECODE_KIND_C2WALL,  /* template with c2wEventType or c2wAction */
	C2W_DECODE_KIND_FLOW,    /* other template with both addresses */
	C2W_DECODE_KIND_OTHER,   /* options records and records without them */
};

/* Header fields of the message being decoded. */
struct c2w_decode_header {
	uint32_t export_time;    /* Unix seconds */
	uint32_t sequence;       /* data records sent before this message */
	uint32_t domain;         /* observation domain ID */
	uint16_t length;
};

/* One decoded data record. Strings in ev point into the message and are
 * valid only during the callback. */
struct c2w_decode_record {
	struct c2w_cef_event ev;
	enum c2w_decode_kind kind;
	uint32_t sequence;       /* header sequence + index in the message */
	uint32_t domain;
	uint32_t invalid_strings; /* string values left out: not UTF-8 */
};

/**
 * Callback for each data record, in message order.
 *
 * @param ctx
 *   Caller context given to c2w_decode_message().
 * @param rec
 *   Decoded record.
 */
typedef void (*c2w_decode_record_fn)(void *ctx,
				     const struct c2w_decode_record *rec);

/**
 * Callback for each rejected part of a message, so the caller can count
 * and log it.
 *
 * @param ctx
 *   Caller context given to c2w_decode_message().
 * @param error
 *   What was rejected.
 * @param detail
 *   Human-readable detail, e.g. "template 300: 5 fields declared, 3 fit".
 */
typedef void (*c2w_decode_error_fn)(void *ctx, enum c2w_decode_error error,
				    const char *detail);

struct c2w_decode;

/**
 * Create a decoder for one transport session.
 *
 * @param pen
 *   Private enterprise number of the c2wall elements.
 * @param dec
 *   Set to the new decoder.
 * @return
 *   0 on success, -ENOMEM.
 */
int c2w_decode_new(uint32_t pen, struct c2w_decode **dec);

/**
 * Free a decoder and its templates.
 *
 * @param dec
 *   Decoder, may be NULL.
 */
void c2w_decode_free(struct c2w_decode *dec);

/**
 * Read the header of a message.
 *
 * @param msg
 *   Start of the message.
 * @param len
 *   Bytes available at msg.
 * @param hdr
 *   Filled with the header fields.
 * @return
 *   0 if the header is version 10 with a length from 16 to len,
 *   -EPROTO for another version, -EMSGSIZE for a length below 16 or
 *   above len, -EAGAIN if len is below 16.
 */
int c2w_decode_header(const uint8_t *msg, size_t len,
		      struct c2w_decode_header *hdr);

/**
 * Decode one whole message: store its templates and pass each data record
 * to on_record. Damaged sets and templates are reported to on_error and
 * skipped; the rest of the message is still decoded where its framing
 * allows.
 *
 * @param dec
 *   Decoder of the session the message arrived on.
 * @param msg
 *   Message, exactly one, starting at the header.
 * @param len
 *   Length of msg in bytes.
 * @param on_record
 *   Called for each data record.
 * @param on_error
 *   Called for each rejected part.
 * @param ctx
 *   Passed to the callbacks.
 * @return
 *   Number of data records in the message (including those of options
 *   templates), or -EPROTO or -EMSGSIZE if the header is invalid.
 */
int c2w_decode_message(struct c2w_decode *dec, const uint8_t *msg, size_t len,
		       c2w_decode_record_fn on_record,
		       c2w_decode_error_fn on_error, void *ctx);

/**
 * Tell whether a message carries data sets of non-options templates:
 * flow or alert records, not only RFC 5610 type records or exporter
 * statistics. An exporter resends those options records with sequence
 * number 0 on each connection, which the dedup check must not take for
 * an exporter restart.
 *
 * @param dec
 *   Decoder of the message's source, for templates it already knows.
 * @param msg
 *   Message whose header was checked with c2w_decode_header().
 * @param len
 *   Length of msg in bytes.
 * @return
 *   true if a data set uses a template that is not an options template
 *   (defined in this message or earlier), false otherwise.
 */
bool c2w_decode_has_flow_data(const struct c2w_decode *dec,
			      const uint8_t *msg, size_t len);

/**
 * Name a decode error as used in counters, e.g. "bad_template".
 *
 * @param error
 *   Error.
 * @return
 *   Static name, "unknown" for an out-of-range value.
 */
const char *c2w_decode_error_name(enum c2w_decode_error error);

#endif /* C2W_IPFIX_DECODE_H */
