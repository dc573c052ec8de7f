/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_CLOG_H
#define C2W_CLOG_H

/*
 * Messages of the collector on stderr, each prefixed with
 * "c2wall-collector: ". Messages that can repeat once per peer, message
 * or record go through a limit: at most C2W_CLOG_BURST per
 * C2W_CLOG_WINDOW_S seconds each, then a count of the suppressed ones.
 * Called from the collector's main thread only.
 */

#include <stdint.h>

#define C2W_CLOG_BURST 10
#define C2W_CLOG_WINDOW_S 10

/* Rate limit state of one kind of message; zero-initialised. */
struct c2w_clog_limit {
	uint64_t window_start_ms;
	uint32_t printed;
	uint64_t suppressed;
};

/**
 * Print a message unconditionally.
 *
 * @param fmt
 *   printf format of the message, without the prefix and newline.
 */
void c2w_clog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Print a message unless its kind exceeded the limit in this window.
 *
 * @param limit
 *   State of this kind of message.
 * @param fmt
 *   printf format of the message, without the prefix and newline.
 */
void c2w_clog_limited(struct c2w_clog_limit *limit, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Read the monotonic clock.
 *
 * @return
 *   Milliseconds since an unspecified start.
 */
uint64_t c2w_clog_now_ms(void);

#endif /* C2W_CLOG_H */
