/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dedup.h"
#include "input.h"
#include "log.h"

#define DEDUP_HEADER "# c2wall-collector dedup state 2"

struct c2w_dedup_entry {
	char identity[C2W_INPUT_IDENTITY_MAX];
	uint32_t domain;
	uint32_t last;           /* sequence number of the last record */
	bool valid;              /* last is set */
	uint32_t export_time;    /* of the message of the last record */
};

struct c2w_dedup {
	char *path;              /* state file, NULL without a directory */
	char *tmp_path;
	char *dir;
	bool dirty;
	struct c2w_dedup_stats stats;
	unsigned count;
	struct c2w_dedup_entry *entries[C2W_DEDUP_ENTRIES_MAX];
};

static struct c2w_dedup_entry *
entry_find(struct c2w_dedup *d, const char *identity, uint32_t domain)
{
	unsigned i;

	for (i = 0; i < d->count; i++)
		if (d->entries[i]->domain == domain &&
		    strcmp(d->entries[i]->identity, identity) == 0)
			return d->entries[i];
	return NULL;
}

static struct c2w_dedup_entry *
entry_add(struct c2w_dedup *d, const char *identity, uint32_t domain)
{
	struct c2w_dedup_entry *e;

	if (d->count == C2W_DEDUP_ENTRIES_MAX)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	snprintf(e->identity, sizeof(e->identity), "%s", identity);
	e->domain = domain;
	d->entries[d->count++] = e;
	return e;
}

/* Lines are "DOMAIN LAST EXPORT_TIME IDENTITY"; the identity runs to the
 * line end. */
static int
dedup_load(struct c2w_dedup *d)
{
	char line[C2W_INPUT_IDENTITY_MAX + 64];
	struct c2w_dedup_entry *e;
	unsigned lineno = 0;
	uint32_t domain, last, export_time;
	int used;
	FILE *fp;

	fp = fopen(d->path, "r");
	if (fp == NULL)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (sscanf(line, "%" SCNu32 " %" SCNu32 " %" SCNu32 " %n",
			   &domain, &last, &export_time, &used) != 3 ||
		    line[used] == '\0') {
			c2w_clog("%s:%u: invalid dedup line skipped: %.80s",
				 d->path, lineno, line);
			continue;
		}
		e = entry_add(d, line + used, domain);
		if (e == NULL)
			break;
		e->last = last;
		e->export_time = export_time;
		e->valid = true;
	}
	fclose(fp);
	return 0;
}

static int
path_join(const char *dir, const char *name, char **out)
{
	size_t len = strlen(dir) + strlen(name) + 2;

	*out = malloc(len);
	if (*out == NULL)
		return -ENOMEM;
	snprintf(*out, len, "%s/%s", dir, name);
	return 0;
}

int
c2w_dedup_open(const char *dir, struct c2w_dedup **out)
{
	struct c2w_dedup *d = calloc(1, sizeof(*d));
	int rc;

	if (d == NULL)
		return -ENOMEM;
	if (dir != NULL) {
		d->dir = strdup(dir);
		rc = d->dir == NULL ? -ENOMEM : 0;
		if (rc == 0)
			rc = path_join(dir, C2W_DEDUP_FILE, &d->path);
		if (rc == 0)
			rc = path_join(dir, C2W_DEDUP_FILE ".tmp", &d->tmp_path);
		if (rc == 0)
			rc = dedup_load(d);
		if (rc != 0) {
			c2w_dedup_close(d);
			return rc;
		}
	}
	*out = d;
	return 0;
}

struct c2w_dedup_entry *
c2w_dedup_begin(struct c2w_dedup *d, const char *identity, uint32_t domain,
		uint32_t sequence, uint32_t export_time)
{
	struct c2w_dedup_entry *e = entry_find(d, identity, domain);

	if (e == NULL)
		e = entry_add(d, identity, domain);
	if (e == NULL) {
		d->stats.untracked++;
		return NULL;
	}

	/* Serial arithmetic: negative means below the next expected
	 * number. A resent message is never newer than the last one
	 * written; a restarted exporter's message is. */
	if (e->valid && (int32_t)(sequence - (e->last + 1u)) < 0 &&
	    export_time > e->export_time) {
		c2w_clog("%s domain %" PRIu32 ": exporter restarted "
			 "(sequence %" PRIu32 " after %" PRIu32 ", export time "
			 "%" PRIu32 " after %" PRIu32 "); sequence state reset",
			 identity, domain, sequence, e->last, export_time,
			 e->export_time);
		e->valid = false;
		d->stats.restarts++;
		d->dirty = true;
	}
	return e;
}

bool
c2w_dedup_check(struct c2w_dedup *d, struct c2w_dedup_entry *e,
		uint32_t sequence, uint32_t export_time)
{
	if (e == NULL)
		return false;
	if (e->valid && (int32_t)(sequence - e->last) <= 0) {
		d->stats.duplicates++;
		return true;
	}
	e->last = sequence;
	e->export_time = export_time;
	e->valid = true;
	d->dirty = true;
	return false;
}

void
c2w_dedup_observe(struct c2w_dedup *d, const char *identity,
		  uint32_t domain, uint32_t sequence, uint32_t export_time)
{
	struct c2w_dedup_entry *e = entry_find(d, identity, domain);

	if (e == NULL)
		e = entry_add(d, identity, domain);
	if (e == NULL)
		return;
	e->last = sequence;
	e->export_time = export_time;
	e->valid = true;
	d->dirty = true;
}

static int
dedup_write(struct c2w_dedup *d, int fd)
{
	FILE *fp = fdopen(fd, "w");
	unsigned i;
	int rc = 0;

	if (fp == NULL) {
		close(fd);
		return -errno;
	}
	fprintf(fp, "%s\n", DEDUP_HEADER);
	for (i = 0; i < d->count; i++) {
		const struct c2w_dedup_entry *e = d->entries[i];

		if (e->valid)
			fprintf(fp, "%" PRIu32 " %" PRIu32 " %" PRIu32 " %s\n",
				e->domain, e->last, e->export_time,
				e->identity);
	}
	if (fflush(fp) != 0 || fdatasync(fd) != 0)
		rc = -errno;
	if (fclose(fp) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

int
c2w_dedup_save(struct c2w_dedup *d)
{
	int fd, rc;

	if (d->path == NULL || !d->dirty)
		return 0;
	fd = open(d->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out_error;
	}
	rc = dedup_write(d, fd);
	if (rc == 0 && rename(d->tmp_path, d->path) != 0)
		rc = -errno;
	if (rc != 0)
		goto out_error;

	/* The rename is durable once the directory is synced. */
	fd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	d->dirty = false;
	return 0;

out_error:
	d->stats.save_errors++;
	c2w_clog("%s: cannot write the dedup state: %s; records may be "
		 "written twice after a restart", d->path, strerror(-rc));
	return rc;
}

void
c2w_dedup_get_stats(const struct c2w_dedup *d, struct c2w_dedup_stats *st)
{
	*st = d->stats;
}

void
c2w_dedup_close(struct c2w_dedup *d)
{
	unsigned i;

	if (d == NULL)
		return;
	for (i = 0; i < d->count; i++)
		free(d->entries[i]);
	free(d->path);
	free(d->tmp_path);
	free(d->dir);
	free(d);
}
