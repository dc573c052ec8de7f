/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "spool.h"

#define SPOOL_SUFFIX ".spool"
#define SPOOL_CURSOR "cursor"
/* Read buffer; a message is at most 65535 octets plus its line break. */
#define SPOOL_READ_BUF (256u * 1024u)
#define SPOOL_SEGMENT_MIN (64ull << 10)
#define SPOOL_SEGMENT_MAX (64ull << 20)

/* A position is the segment number in the high 32 bits and the offset in
 * that segment in the low 32, so one aligned 64-bit store moves the
 * cursor and a killed process never leaves half of it written. */
#define POS(seg, off) ((uint64_t)(seg) << 32 | (uint64_t)(off))
#define POS_SEG(pos) ((uint32_t)((pos) >> 32))
#define POS_OFF(pos) ((uint32_t)(pos))

struct segment {
	uint32_t id;
	uint64_t size;
};

struct c2w_spool {
	char *dir;
	uint64_t max_bytes;
	uint64_t segment_max;
	struct c2w_spool_stats stats;
	struct segment *seg;     /* oldest first; the last one is written */
	unsigned nseg;
	unsigned seg_cap;
	int wfd;                 /* last segment, O_APPEND */
	char *batch;             /* lines appended since the last sync */
	size_t batch_len;
	size_t batch_cap;
	volatile uint64_t *cursor; /* shared mapping of the cursor file */
	bool cursor_dirty;
	uint64_t read_pos;
	int rfd;                 /* segment at read_pos, -1 if closed */
	uint32_t rseg;
	uint64_t buf_pos;        /* file offset of buf[0] */
	size_t buf_len;
	size_t peek_len;         /* line length of the last peek, + 1 */
	char *buf;
	struct c2w_clog_limit log;
};

static void
segment_path(const struct c2w_spool *s, uint32_t id, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%08" PRIx32 SPOOL_SUFFIX, s->dir, id);
}

static int
segment_add(struct c2w_spool *s, uint32_t id, uint64_t size)
{
	struct segment *grown;

	if (s->nseg == s->seg_cap) {
		s->seg_cap = s->seg_cap ? s->seg_cap * 2 : 16;
		grown = realloc(s->seg, s->seg_cap * sizeof(*grown));
		if (grown == NULL)
			return -ENOMEM;
		s->seg = grown;
	}
	s->seg[s->nseg++] = (struct segment){ id, size };
	s->stats.bytes += size;
	return 0;
}

static int
segment_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct segment *)a)->id;
	uint32_t y = ((const struct segment *)b)->id;

	return x < y ? -1 : x > y;
}

/* Collect NNNNNNNN.spool files, oldest first. */
static int
spool_scan(struct c2w_spool *s)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	unsigned id;
	char tail[16];
	DIR *d;
	int rc = 0;

	d = opendir(s->dir);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL && rc == 0) {
		if (strlen(de->d_name) != 8 + strlen(SPOOL_SUFFIX) ||
		    sscanf(de->d_name, "%8x%15s", &id, tail) != 2 ||
		    strcmp(tail, SPOOL_SUFFIX) != 0)
			continue;
		segment_path(s, id, path, sizeof(path));
		if (stat(path, &st) != 0)
			continue;
		rc = segment_add(s, id, (uint64_t)st.st_size);
	}
	closedir(d);
	qsort(s->seg, s->nseg, sizeof(*s->seg), segment_cmp);
	return rc;
}

static void
segment_delete_first(struct c2w_spool *s)
{
	char path[PATH_MAX];

	segment_path(s, s->seg[0].id, path, sizeof(path));
	if (unlink(path) != 0 && errno != ENOENT)
		c2w_clog_limited(&s->log, "%s: cannot delete a sent segment: "
				 "%s", path, strerror(errno));
	if (s->rfd >= 0 && s->rseg == s->seg[0].id) {
		close(s->rfd);
		s->rfd = -1;
	}
	s->stats.bytes -= s->seg[0].size;
	memmove(s->seg, s->seg + 1, (s->nseg - 1) * sizeof(*s->seg));
	s->nseg--;
}

static int
cursor_map(struct c2w_spool *s)
{
	char path[PATH_MAX];
	struct stat st;
	void *map;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/" SPOOL_CURSOR, s->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 ||
	    (st.st_size < (off_t)sizeof(uint64_t) &&
	     ftruncate(fd, sizeof(uint64_t)) != 0)) {
		rc = -errno;
		goto out_close;
	}
	map = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (map == MAP_FAILED)
		rc = -errno;
	else
		s->cursor = map;
out_close:
	close(fd);
	return rc;
}

/* Cut a line that a crash left without its line break at the end of the
 * last segment. */
static int
spool_trim_tail(struct c2w_spool *s)
{
	struct segment *last = &s->seg[s->nseg - 1];
	char path[PATH_MAX];
	char chunk[4096];
	uint64_t end = last->size, start;
	ssize_t n, i;
	int fd, rc = 0;

	if (end == 0)
		return 0;
	segment_path(s, last->id, path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (end > 0) {
		start = end > sizeof(chunk) ? end - sizeof(chunk) : 0;
		n = pread(fd, chunk, (size_t)(end - start), (off_t)start);
		if (n <= 0) {
			rc = -EIO;
			break;
		}
		for (i = n - 1; i >= 0 && chunk[i] != '\n'; i--)
			;
		if (i >= 0) {
			end = start + (uint64_t)i + 1;
			break;
		}
		end = start;
	}
	if (rc == 0 && end != last->size) {
		c2w_clog("%s: removed %" PRIu64 " octets of a message cut "
			 "short by a crash", path, last->size - end);
		s->stats.dropped_torn++;
		rc = ftruncate(fd, (off_t)end) == 0 ? 0 : -errno;
		s->stats.bytes -= last->size - end;
		last->size = end;
	}
	close(fd);
	return rc;
}

static int
writer_open(struct c2w_spool *s)
{
	char path[PATH_MAX];

	segment_path(s, s->seg[s->nseg - 1].id, path, sizeof(path));
	s->wfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	return s->wfd < 0 ? -errno : 0;
}

/* Put the read position on an existing segment and drop the segments
 * before it, which were sent before the last stop. */
static void
spool_place_cursor(struct c2w_spool *s)
{
	uint64_t pos = *s->cursor;

	while (s->nseg > 1 && s->seg[0].id < POS_SEG(pos))
		segment_delete_first(s);
	if (s->seg[0].id != POS_SEG(pos))
		pos = POS(s->seg[0].id, 0);
	if (POS_OFF(pos) > s->seg[0].size)
		pos = POS(s->seg[0].id, s->seg[0].size);
	s->read_pos = pos;
	*s->cursor = pos;
}

static int
spool_load(struct c2w_spool *s)
{
	int rc;

	if (mkdir(s->dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	rc = spool_scan(s);
	if (rc == 0)
		rc = cursor_map(s);
	if (rc != 0)
		return rc;
	if (s->nseg == 0)
		rc = segment_add(s, POS_SEG(*s->cursor), 0);
	if (rc == 0)
		rc = spool_trim_tail(s);
	if (rc != 0)
		return rc;
	spool_place_cursor(s);
	return writer_open(s);
}

int
c2w_spool_open(const char *dir, uint64_t max_bytes, struct c2w_spool **out)
{
	struct c2w_spool *s;
	int rc;

	if (max_bytes < C2W_SPOOL_MAX_MIN)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->wfd = -1;
	s->rfd = -1;
	s->max_bytes = max_bytes;
	s->segment_max = max_bytes / 8;
	if (s->segment_max < SPOOL_SEGMENT_MIN)
		s->segment_max = SPOOL_SEGMENT_MIN;
	if (s->segment_max > SPOOL_SEGMENT_MAX)
		s->segment_max = SPOOL_SEGMENT_MAX;
	s->dir = strdup(dir);
	s->buf = malloc(SPOOL_READ_BUF);
	rc = s->dir == NULL || s->buf == NULL ? -ENOMEM : spool_load(s);
	if (rc != 0) {
		c2w_spool_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int
spool_rotate(struct c2w_spool *s)
{
	int rc;

	if (fdatasync(s->wfd) != 0)
		s->stats.write_errors++;
	close(s->wfd);
	s->wfd = -1;
	rc = segment_add(s, s->seg[s->nseg - 1].id + 1, 0);
	return rc != 0 ? rc : writer_open(s);
}

int
c2w_spool_append(struct c2w_spool *s, const char *line, size_t len)
{
	size_t cap;
	char *grown;

	if (s->stats.bytes + s->batch_len + len + 1 > s->max_bytes) {
		s->stats.dropped_full++;
		return -ENOSPC;
	}
	if (s->batch_len + len + 1 > s->batch_cap) {
		cap = s->batch_cap ? s->batch_cap : 65536;
		while (cap < s->batch_len + len + 1)
			cap *= 2;
		grown = realloc(s->batch, cap);
		if (grown == NULL) {
			s->stats.write_errors++;
			return -EIO;
		}
		s->batch = grown;
		s->batch_cap = cap;
	}
	memcpy(s->batch + s->batch_len, line, len);
	s->batch[s->batch_len + len] = '\n';
	s->batch_len += len + 1;
	s->stats.spooled++;
	return 0;
}

/* Write whole lines to the last segment; a short write is cut back so the
 * segment ends at a line break. */
static int
spool_write(struct c2w_spool *s, const char *data, size_t len)
{
	struct segment *last = &s->seg[s->nseg - 1];
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(s->wfd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c2w_clog_limited(&s->log, "%s: spool write failed: %s; "
					 "messages dropped", s->dir,
					 n < 0 ? strerror(errno) : "no space");
			if (ftruncate(s->wfd, (off_t)last->size) != 0)
				s->stats.write_errors++;
			s->stats.write_errors++;
			return -EIO;
		}
		done += (size_t)n;
	}
	last->size += len;
	s->stats.bytes += len;
	return 0;
}

/* Write the batch, starting a new segment where the last one would pass
 * segment_max, never inside a line. */
static int
spool_flush_batch(struct c2w_spool *s)
{
	size_t start = 0, end = 0, line_end;
	uint64_t size;
	const char *nl;
	int rc;

	while (end < s->batch_len) {
		nl = memchr(s->batch + end, '\n', s->batch_len - end);
		line_end = (size_t)(nl - s->batch) + 1;
		size = s->seg[s->nseg - 1].size;
		if (size + (line_end - start) > s->segment_max &&
		    (end > start || size > 0)) {
			rc = end > start ? spool_write(s, s->batch + start,
						       end - start) : 0;
			if (rc == 0)
				rc = spool_rotate(s);
			if (rc != 0)
				return rc;
			start = end;
		}
		end = line_end;
	}
	return end > start ? spool_write(s, s->batch + start, end - start) : 0;
}

int
c2w_spool_sync(struct c2w_spool *s)
{
	int rc = 0;

	if (s->batch_len > 0) {
		rc = spool_flush_batch(s);
		s->batch_len = 0;
		if (rc == 0 && fdatasync(s->wfd) != 0) {
			s->stats.write_errors++;
			c2w_clog_limited(&s->log, "%s: fdatasync failed: %s",
					 s->dir, strerror(errno));
			rc = -EIO;
		}
	}
	if (s->cursor_dirty) {
		msync((void *)s->cursor, sizeof(uint64_t), MS_ASYNC);
		s->cursor_dirty = false;
	}
	return rc;
}

int
c2w_spool_scan(struct c2w_spool *s, c2w_spool_line_fn fn, void *ctx)
{
	char path[PATH_MAX];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned i;
	FILE *fp;

	for (i = 0; i < s->nseg; i++) {
		segment_path(s, s->seg[i].id, path, sizeof(path));
		fp = fopen(path, "r");
		if (fp == NULL)
			continue;
		while ((n = getline(&line, &cap, fp)) > 0) {
			if (line[n - 1] == '\n')
				fn(ctx, line, (size_t)n - 1);
		}
		fclose(fp);
	}
	free(line);
	return 0;
}

static const struct segment *
segment_find(const struct c2w_spool *s, uint32_t id)
{
	unsigned i;

	for (i = 0; i < s->nseg; i++)
		if (s->seg[i].id == id)
			return &s->seg[i];
	return NULL;
}

static void
reader_reset(struct c2w_spool *s)
{
	if (s->rfd >= 0)
		close(s->rfd);
	s->rfd = -1;
	s->buf_len = 0;
	s->buf_pos = POS_OFF(s->read_pos);
}

/* Fill the buffer from the read position on; returns octets added. */
static ssize_t
reader_fill(struct c2w_spool *s)
{
	char path[PATH_MAX];
	size_t skip = POS_OFF(s->read_pos) - s->buf_pos;
	ssize_t n;

	if (s->rfd < 0 || s->rseg != POS_SEG(s->read_pos)) {
		reader_reset(s);
		s->rseg = POS_SEG(s->read_pos);
		segment_path(s, s->rseg, path, sizeof(path));
		s->rfd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->rfd < 0)
			return -1;
		skip = 0;
	}
	if (skip > 0) {
		memmove(s->buf, s->buf + skip, s->buf_len - skip);
		s->buf_len -= skip;
		s->buf_pos += skip;
	}
	n = pread(s->rfd, s->buf + s->buf_len, SPOOL_READ_BUF - s->buf_len,
		  (off_t)(s->buf_pos + s->buf_len));
	if (n > 0)
		s->buf_len += (size_t)n;
	return n;
}

/* Move to the next segment when the read position is at the end of a
 * segment that is no longer written. */
static bool
reader_next_segment(struct c2w_spool *s)
{
	const struct segment *cur = segment_find(s, POS_SEG(s->read_pos));
	unsigned i;

	for (i = 0; i < s->nseg; i++) {
		if (s->seg[i].id <= POS_SEG(s->read_pos))
			continue;
		if (cur != NULL && POS_OFF(s->read_pos) < cur->size)
			return false;
		s->read_pos = POS(s->seg[i].id, 0);
		*s->cursor = s->read_pos;
		reader_reset(s);
		return true;
	}
	return false;
}

int
c2w_spool_peek(struct c2w_spool *s, const char **line, size_t *len,
	       uint64_t *pos)
{
	size_t start;
	char *nl;
	ssize_t n;

	for (;;) {
		start = POS_OFF(s->read_pos) - s->buf_pos;
		nl = s->rfd >= 0 && s->rseg == POS_SEG(s->read_pos) &&
		     start < s->buf_len ?
		     memchr(s->buf + start, '\n', s->buf_len - start) : NULL;
		if (nl != NULL) {
			*line = s->buf + start;
			*len = (size_t)(nl - (s->buf + start));
			*pos = s->read_pos;
			s->peek_len = *len + 1;
			return 0;
		}
		n = reader_fill(s);
		if (n > 0)
			continue;
		if (n < 0 && s->rfd < 0 && !reader_next_segment(s))
			return -EIO;
		if (n < 0 && s->rfd >= 0)
			return -EIO;
		if (n == 0 && s->buf_len == SPOOL_READ_BUF) {
			/* No line break in a full buffer: not a message the
			 * collector wrote; skip it. */
			s->stats.dropped_torn++;
			s->read_pos += s->buf_len;
			reader_reset(s);
			continue;
		}
		if (n == 0 && !reader_next_segment(s))
			return -EAGAIN;
	}
}

void
c2w_spool_advance(struct c2w_spool *s)
{
	s->read_pos += s->peek_len;
	s->peek_len = 0;
	*s->cursor = s->read_pos;
	s->cursor_dirty = true;
}

void
c2w_spool_rewind(struct c2w_spool *s, uint64_t pos)
{
	s->read_pos = pos;
	*s->cursor = pos;
	s->cursor_dirty = true;
	reader_reset(s);
}

void
c2w_spool_release(struct c2w_spool *s, uint64_t pos)
{
	while (s->nseg > 1 && s->seg[0].id < POS_SEG(pos))
		segment_delete_first(s);
}

uint64_t
c2w_spool_end(const struct c2w_spool *s)
{
	const struct segment *last = &s->seg[s->nseg - 1];

	return POS(last->id, last->size);
}

void
c2w_spool_get_stats(const struct c2w_spool *s, struct c2w_spool_stats *st)
{
	uint64_t pending = 0;
	unsigned i;

	for (i = 0; i < s->nseg; i++) {
		if (s->seg[i].id > POS_SEG(s->read_pos))
			pending += s->seg[i].size;
		else if (s->seg[i].id == POS_SEG(s->read_pos))
			pending += s->seg[i].size - POS_OFF(s->read_pos);
	}
	*st = s->stats;
	st->pending = pending;
}

void
c2w_spool_close(struct c2w_spool *s)
{
	if (s == NULL)
		return;
	if (s->wfd >= 0) {
		c2w_spool_sync(s);
		close(s->wfd);
	}
	if (s->rfd >= 0)
		close(s->rfd);
	if (s->cursor != NULL) {
		msync((void *)s->cursor, sizeof(uint64_t), MS_SYNC);
		munmap((void *)s->cursor, sizeof(uint64_t));
	}
	free(s->seg);
	free(s->batch);
	free(s->buf);
	free(s->dir);
	free(s);
}
