/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the feed reader. The first input byte picks the
 * format and strictness; the rest is the file. With bit 3 set the rest
 * goes behind a binary table magic instead, and with bit 4 also set its
 * checksums are made valid, so that record checks are reached. Each input is loaded
 * twice into one set, so the second load goes through the duplicate
 * merge, and every indicator is checked against the set's invariants.
 * The whole input also goes to c2w_feed_parse_indicator().
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "feed.h"
#include "feedbin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Address width in bytes of an IP kind. */
static unsigned
width(const struct c2w_ioc *ioc)
{
	return ioc->family == 4 ? 4 : 16;
}

static int
host_bits_clear(const struct c2w_ioc *ioc)
{
	unsigned bit;

	for (bit = ioc->prefix; bit < 128; bit++)
		if (ioc->addr[bit / 8] & (0x80u >> (bit % 8)))
			return 0;
	return 1;
}

/*
 * Abort, so the fuzzer saves the input, when an indicator breaks feed.h.
 * A binary table stores value texts as they were written, so the rules
 * on their spelling apply to text input only.
 */
static void
check_set(const struct c2w_ioc_set *set, bool text)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		const struct c2w_ioc *ioc = &set->v[i];
		const char *value = c2w_ioc_str(set, ioc->value);

		if (ioc->kind >= C2W_IOC_KIND_MAX || ioc->confidence > 100 ||
		    value[0] == '\0' || strpbrk(value, " \t\r\n") != NULL)
			abort();
		/* Brackets only around an IPv6 address; URLs and values of
		 * unknown ioc_type keep the text as the feed wrote it. */
		if (text && ioc->kind != C2W_IOC_URL && ioc->kind != C2W_IOC_OTHER &&
		    strpbrk(value, "[]") != NULL &&
		    !(ioc->kind == C2W_IOC_IP_PORT && ioc->family == 6))
			abort();
		if (text && ioc->kind == C2W_IOC_URL && strstr(value, "[.") != NULL)
			abort();
		if ((ioc->kind == C2W_IOC_IP_PORT) != (ioc->port != 0))
			abort();
		if ((ioc->kind <= C2W_IOC_CIDR) !=
		    (ioc->family == 4 || ioc->family == 6))
			abort();
		/* A prefix is shorter than the address and has no host
		 * bits; a single address has the full length. */
		if (ioc->kind == C2W_IOC_CIDR &&
		    (ioc->prefix == 0 || ioc->prefix >= 8 * width(ioc) ||
		     !host_bits_clear(ioc)))
			abort();
		if (ioc->kind <= C2W_IOC_IP && ioc->prefix != 8 * width(ioc))
			abort();
	}
}

/*
 * Write the magic and then body bytes to fd; with seal, the checksums
 * the body carries at their offsets are replaced by valid ones.
 */
static int
write_table(int fd, const uint8_t *body, size_t len, bool seal)
{
	uint8_t *buf = malloc(C2W_FEEDBIN_MAGIC_LEN + len);
	size_t total = C2W_FEEDBIN_MAGIC_LEN + len;
	int rc = 0;

	if (buf == NULL)
		return -1;
	memcpy(buf, C2W_FEEDBIN_MAGIC, C2W_FEEDBIN_MAGIC_LEN);
	memcpy(buf + C2W_FEEDBIN_MAGIC_LEN, body, len);
	if (seal)
		c2w_feedbin_seal(buf, total);
	if (write(fd, buf, total) != (ssize_t)total)
		rc = -1;
	free(buf);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct c2w_feed_opts opts = { 0 };
	struct c2w_feed_stats st = { 0 };
	struct c2w_ioc_set set;
	struct c2w_ioc ioc;
	const char *why;
	char path[64];
	bool binary;
	int fd, rc;

	if (size < 1)
		return 0;
	opts.format = (enum c2w_feed_format)(data[0] & 3);
	opts.strict = (data[0] & 4) != 0;
	binary = (data[0] & 8) != 0;
	opts.max_reports = 3;
	c2w_feed_parse_indicator((const char *)data + 1, size - 1, &ioc, &why);

	fd = memfd_create("feed", 0);
	if (fd < 0)
		return 0;
	if (binary)
		rc = write_table(fd, data + 1, size - 1, (data[0] & 16) != 0);
	else
		rc = write(fd, data + 1, size - 1) == (ssize_t)(size - 1) ? 0 : -1;
	if (rc != 0)
		goto out_close;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	c2w_ioc_set_init(&set);
	rc = c2w_feed_load(path, &opts, &set, &st);
	if (rc != 0 && rc != -EINVAL)
		abort();
	check_set(&set, !binary);
	rc = c2w_feed_load(path, &opts, &set, &st);
	if (rc == 0 && st.loaded != set.n)
		abort();
	check_set(&set, !binary);
	c2w_ioc_set_free(&set);
out_close:
	close(fd);
	return 0;
}
