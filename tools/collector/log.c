/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

uint64_t
c2w_clog_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
clog_print(const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "c2wall-collector: %s\n", line);
}

void
c2w_clog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	clog_print(fmt, ap);
	va_end(ap);
}

void
c2w_clog_limited(struct c2w_clog_limit *limit, const char *fmt, ...)
{
	uint64_t now = c2w_clog_now_ms();
	va_list ap;

	if (now - limit->window_start_ms >= C2W_CLOG_WINDOW_S * 1000u) {
		if (limit->suppressed > 0)
			c2w_clog("%" PRIu64 " similar messages suppressed in "
				 "the last %u s", limit->suppressed,
				 C2W_CLOG_WINDOW_S);
		limit->window_start_ms = now;
		limit->printed = 0;
		limit->suppressed = 0;
	}
	if (limit->printed >= C2W_CLOG_BURST) {
		limit->suppressed++;
		return;
	}
	limit->printed++;
	va_start(ap, fmt);
	clog_print(fmt, ap);
	va_end(ap);
}
