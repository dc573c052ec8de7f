/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_OUTPUT_H
#define C2W_OUTPUT_H

/*
 * Sinks of the collector: CEF lines to a file or stdout, JSON lines to a
 * file or stdout, and CEF over syslog (TCP or UDP, see sender.h). All
 * calls come from the collector's main thread.
 */

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cef.h"
#include "sender.h"

#define C2W_OUTPUT_FACILITY_DEFAULT 20 /* local4 */

enum c2w_output_syslog_format {
	C2W_OUTPUT_SYSLOG_3164 = 3164,
	C2W_OUTPUT_SYSLOG_5424 = 5424,
};

struct c2w_output_config {
	const char *cef_path;    /* NULL for none, "-" for stdout */
	const char *json_path;   /* NULL for none, "-" for stdout */
	const char *syslog_url;  /* NULL, "tcp://HOST:PORT", "udp://HOST:PORT" */
	enum c2w_output_syslog_format syslog_format;
	unsigned facility;       /* syslog facility number 0-23 */
	size_t max_line;         /* bytes per CEF line or syslog message */
	const char *spool_dir;   /* NULL: syslog without a spool */
	uint64_t spool_max;      /* bytes */
	struct c2w_cef_device device;
};

struct c2w_output_stats {
	uint64_t cef_written;    /* CEF lines written to the file */
	uint64_t json_written;   /* JSON lines written */
	uint64_t send_errors;    /* failed file writes, syslog messages not
				  * sent or spooled */
	uint64_t cut;            /* lines with a value cut to max_line */
	uint64_t format_errors;  /* records that could not be encoded */
	struct c2w_sender_stats syslog;
};

struct c2w_output;

/* Parts of "scheme://host:port", IPv6 hosts in brackets. */
struct c2w_output_url {
	char scheme[8];
	char host[256];
	char port[8];
};

/**
 * Split a "udp://HOST:PORT", "tcp://HOST:PORT" or "tls://HOST:PORT" URL.
 * An IPv6 host is written in brackets, as in "udp://[::]:4739".
 *
 * @param url
 *   URL text.
 * @param out
 *   Filled with scheme, host without brackets, and port.
 * @return
 *   0 on success, -EINVAL if the scheme is not udp, tcp or tls, the host is
 *   empty or too long, or the port is not a number from 1 to 65535.
 */
int c2w_output_parse_url(const char *url, struct c2w_output_url *out);

/**
 * Parse a syslog facility name ("local0" to "local7", "user", "daemon",
 * "auth", "syslog") or a number from 0 to 23.
 *
 * @param name
 *   Facility name or number.
 * @param facility
 *   Set to the facility number.
 * @return
 *   0 on success, -EINVAL for an unknown name.
 */
int c2w_output_parse_facility(const char *name, unsigned *facility);

/**
 * Open the sinks named in cfg and the syslog spool. A syslog TCP
 * connection that cannot be made now is retried later, so a collector can
 * start before its syslog server.
 *
 * @param cfg
 *   Sinks and formatting; the strings must outlive the output.
 * @param out
 *   Set to the new output.
 * @return
 *   0 on success, -EINVAL for an invalid syslog URL or max_line, or a
 *   spool with UDP syslog, -errno from fopen() or the spool, -ENOMEM.
 */
int c2w_output_open(const struct c2w_output_config *cfg,
		    struct c2w_output **out);

/**
 * Write one record to every sink. Failures are counted in the stats.
 *
 * @param out
 *   Output.
 * @param ev
 *   Record.
 * @param origin
 *   Exporter, domain and sequence number of a record from a TCP or TLS
 *   session, kept with the spooled syslog message; NULL for others.
 * @return
 *   0 if every sink took the record, -EIO if a sink failed, -ENOSPC if
 *   the full spool dropped it, -EMSGSIZE or -ENOMEM if the record could
 *   not be encoded.
 */
int c2w_output_write(struct c2w_output *out, const struct c2w_cef_event *ev,
		     const struct c2w_sender_origin *origin);

/**
 * Report the origin of each record in the syslog spool, oldest first.
 *
 * @param out
 *   Output.
 * @param fn
 *   Called for each spooled record with an origin.
 * @param ctx
 *   Passed to fn.
 */
void c2w_output_scan_spool(struct c2w_output *out, c2w_sender_origin_fn fn,
			   void *ctx);

/**
 * Flush buffered file output, called at the end of each IPFIX message.
 *
 * @param out
 *   Output.
 * @return
 *   0 on success, -EIO if a file could not be written.
 */
int c2w_output_flush(struct c2w_output *out);

/**
 * End a batch of records: flush the files and sync the spool, so that
 * every record written before is on disk when it returns 0.
 *
 * @param out
 *   Output.
 * @param durable
 *   Also fdatasync() regular CEF and JSON files.
 * @return
 *   0 on success, -EIO if a file could not be written or synced.
 */
int c2w_output_commit(struct c2w_output *out, bool durable);

/**
 * Add the syslog socket to a poll array; see c2w_sender_poll_fill().
 *
 * @param out
 *   Output.
 * @param fds
 *   Array to fill.
 * @param max
 *   Room in fds.
 * @param timeout_ms
 *   Lowered to the time until the sender needs to run again.
 * @return
 *   Number of entries filled.
 */
size_t c2w_output_poll_fill(struct c2w_output *out, struct pollfd *fds,
			    size_t max, int *timeout_ms);

/**
 * Let the syslog sender connect and send; see c2w_sender_poll_handle().
 *
 * @param out
 *   Output.
 * @param fds
 *   Array given to c2w_output_poll_fill().
 * @param n
 *   Count it returned.
 */
void c2w_output_poll_handle(struct c2w_output *out, const struct pollfd *fds,
			    size_t n);

/**
 * Send spooled syslog messages for at most timeout_ms.
 *
 * @param out
 *   Output.
 * @param timeout_ms
 *   Maximum time to wait.
 * @return
 *   0 if nothing is left to send, -ETIMEDOUT otherwise.
 */
int c2w_output_drain(struct c2w_output *out, unsigned timeout_ms);

/**
 * Copy the counters.
 *
 * @param out
 *   Output.
 * @param stats
 *   Filled with the counters.
 */
void c2w_output_get_stats(const struct c2w_output *out,
			  struct c2w_output_stats *stats);

/**
 * Flush and close every sink and free the output.
 *
 * @param out
 *   Output, may be NULL.
 */
void c2w_output_close(struct c2w_output *out);

#endif /* C2W_OUTPUT_H */
