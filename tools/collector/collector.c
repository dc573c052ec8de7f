/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * c2wall-collector: receives c2wall's IPFIX alert and flow records over
 * UDP, TCP or TLS, or from an IPFIX file (RFC 5655). It writes them as CEF
 * lines for Microsoft Sentinel's CommonSecurityLog, as JSON lines, or as
 * CEF over syslog through an on-disk spool. docs/collector.md describes
 * the options, the delivery guarantees and the counters.
 *
 * One thread does all the work in a poll loop; a second one only waits
 * for SIGINT and SIGTERM and wakes the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cef.h"
#include "dedup.h"
#include "input.h"
#include "ipfix_decode.h"
#include "ipfix_ie.h"
#include "log.h"
#include "options.h"
#include "output.h"

/* Listeners, peers, the wake-up descriptor and the syslog socket. */
#define COLLECTOR_POLL_MAX (C2W_INPUT_LISTEN_MAX + C2W_INPUT_PEERS_MAX + 2)
/* The poll loop wakes at least this often to retry and time out. */
#define COLLECTOR_TICK_MS 1000
/* File input: messages per batch between syncs of the outputs. */
#define COLLECTOR_FILE_BATCH 256
/* File input with a spool: time to send what is left at the end. */
#define COLLECTOR_FILE_DRAIN_MS 10000
/* SIGTERM with a spool: time to send what is left before exiting; the
 * rest stays in the spool for the next start. */
#define COLLECTOR_STOP_DRAIN_MS 1000

struct collector_stats {
	uint64_t messages;       /* IPFIX messages read */
	uint64_t records;        /* flow and alert records */
	uint64_t other_records;  /* options records, records without
				  * addresses */
	uint64_t events;         /* records handed to the outputs */
	uint64_t filtered;       /* flow records without an indicator */
	uint64_t invalid_strings; /* string values left out: not UTF-8 */
	uint64_t malformed;      /* all rejections, by reason below */
	uint64_t reason[C2W_DECODE_ERR_COUNT];
	uint64_t commit_errors;  /* batches whose outputs failed to sync */
};

struct collector {
	struct c2w_options opt;
	struct collector_stats stats;
	struct c2w_output *out;
	struct c2w_input *in;
	struct c2w_dedup *dedup;
	struct c2w_input_source file_src;
	int wake_fd;
	bool durable;            /* outputs are synced before dedup state */
	atomic_bool stop;
	struct c2w_clog_limit log_malformed;
};

/* State of the message being decoded, for the record callback. */
struct message_ctx {
	struct collector *c;
	struct c2w_input_source *src;
	struct c2w_dedup_entry *entry;
	uint32_t export_time;    /* of the message, Unix seconds */
};

/* Set before the signal thread starts; read by it. */
static struct collector *collector_global;

static bool
record_filtered(const struct collector *c, const struct c2w_cef_event *ev)
{
	if (c->opt.all_flows)
		return false;
	if (ev->generic)
		return true;
	return ev->event_type == C2W_IPFIX_EVENT_FLOW_END &&
	       ev->action == C2W_IPFIX_ACTION_NONE && ev->ioc_value.len == 0;
}

static void
on_record(void *arg, const struct c2w_decode_record *rec)
{
	struct message_ctx *m = arg;
	struct collector *c = m->c;

	/* --count stops at a record, even inside a message. */
	if (c->opt.count != 0 && c->stats.records >= c->opt.count)
		return;
	if (rec->kind == C2W_DECODE_KIND_OTHER) {
		c->stats.other_records++;
		return;
	}
	if (c2w_dedup_check(c->dedup, m->entry, rec->sequence, m->export_time))
		return;
	c->stats.records++;
	c->stats.invalid_strings += rec->invalid_strings;
	if (record_filtered(c, &rec->ev)) {
		c->stats.filtered++;
	} else {
		struct c2w_sender_origin origin = {
			.identity = m->src->identity,
			.domain = rec->domain,
			.sequence = rec->sequence,
			.export_time = m->export_time,
		};

		/* Sink failures are counted in the output stats. */
		(void)c2w_output_write(c->out, &rec->ev,
				       m->entry != NULL ? &origin : NULL);
		c->stats.events++;
	}
	if (c->opt.count != 0 && c->stats.records >= c->opt.count)
		atomic_store(&c->stop, true);
}

static void
count_malformed(struct collector *c, const struct c2w_input_source *src,
		enum c2w_decode_error error, const char *detail)
{
	c->stats.malformed++;
	if ((unsigned)error < C2W_DECODE_ERR_COUNT)
		c->stats.reason[error]++;
	c2w_clog_limited(&c->log_malformed, "%s: malformed IPFIX (%s): %s",
			 src->name, c2w_decode_error_name(error), detail);
}

static void
on_decode_error(void *arg, enum c2w_decode_error error, const char *detail)
{
	struct message_ctx *m = arg;

	count_malformed(m->c, m->src, error, detail);
}

static void
on_framing_error(void *arg, struct c2w_input_source *src,
		 enum c2w_decode_error error, const char *detail)
{
	count_malformed(arg, src, error, detail);
}

/* Decode one message; records of TCP and TLS sessions pass the dedup
 * check, so a resent window is written once. */
static void
on_message(void *arg, struct c2w_input_source *src, const uint8_t *msg,
	   size_t len)
{
	struct collector *c = arg;
	struct message_ctx m = { .c = c, .src = src };
	struct c2w_decode_header hdr;

	c->stats.messages++;
	if (src->stream && c2w_decode_header(msg, len, &hdr) == 0 &&
	    c2w_decode_has_flow_data(src->dec, msg, len)) {
		m.export_time = hdr.export_time;
		m.entry = c2w_dedup_begin(c->dedup, src->identity, hdr.domain,
					  hdr.sequence, hdr.export_time);
	}
	(void)c2w_decode_message(src->dec, msg, len, on_record,
				 on_decode_error, &m);
}

/* End of a batch: the lines are on disk before the dedup state records
 * them as written, so a crash can repeat records but never lose them. */
static void
commit_batch(struct collector *c)
{
	if (c2w_output_commit(c->out, c->durable) != 0) {
		c->stats.commit_errors++;
		return;
	}
	(void)c2w_dedup_save(c->dedup);
}

/* Plausible IPFIX message header at p: version 10, a length that fits. */
static bool
header_fits(const uint8_t *p, size_t avail, size_t *len)
{
	if (avail < C2W_DECODE_HEADER_LEN || p[0] != 0 ||
	    p[1] != C2W_DECODE_VERSION)
		return false;
	*len = (size_t)p[2] << 8 | p[3];
	return *len >= C2W_DECODE_HEADER_LEN && *len <= avail;
}

/* Offset of the next message after garbage: a plausible header followed
 * by the end of the data or by the version field of another message. */
static size_t
resync(const uint8_t *data, size_t size, size_t off)
{
	const uint8_t *next;
	size_t len;

	for (off++; off + C2W_DECODE_HEADER_LEN <= size; off++) {
		if (!header_fits(data + off, size - off, &len))
			continue;
		next = data + off + len;
		if (off + len == size ||
		    (off + len + 2 <= size && next[0] == 0 &&
		     next[1] == C2W_DECODE_VERSION))
			return off;
	}
	return size;
}

static void
read_file_data(struct collector *c, const uint8_t *data, size_t size)
{
	size_t off = 0, len, batch = 0;
	char detail[96];

	while (off < size && !atomic_load(&c->stop)) {
		if (!header_fits(data + off, size - off, &len)) {
			snprintf(detail, sizeof(detail), "offset %zu: no valid "
				 "message header; skipping to the next one",
				 off);
			count_malformed(c, &c->file_src,
					size - off >= 2 && (data[off] != 0 ||
					data[off + 1] != C2W_DECODE_VERSION) ?
					C2W_DECODE_ERR_BAD_VERSION :
					C2W_DECODE_ERR_BAD_LENGTH, detail);
			off = resync(data, size, off);
			continue;
		}
		on_message(c, &c->file_src, data + off, len);
		off += len;
		if (++batch % COLLECTOR_FILE_BATCH == 0)
			commit_batch(c);
	}
	commit_batch(c);
}

static int
read_all(int fd, uint8_t **data, size_t *size)
{
	size_t cap = 0;
	uint8_t *grown;
	ssize_t n;

	*data = NULL;
	*size = 0;
	for (;;) {
		if (*size == cap) {
			cap = cap ? cap * 2 : 65536;
			grown = realloc(*data, cap);
			if (grown == NULL)
				return -ENOMEM;
			*data = grown;
		}
		n = read(fd, *data + *size, cap - *size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		*size += (size_t)n;
	}
}

/* The whole file is mapped, or read into memory for stdin and pipes, so
 * framing errors can be skipped by searching for the next header. */
static int
read_file(struct collector *c)
{
	const char *path = c->opt.input;
	uint8_t *data = NULL;
	bool mapped = false;
	struct stat st;
	size_t size = 0;
	int fd, rc = 0;

	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		c2w_clog("--input %s: cannot open: %s", path, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		size = (size_t)st.st_size;
		data = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		mapped = data != MAP_FAILED;
	}
	if (!mapped)
		rc = read_all(fd, &data, &size);
	close(fd);
	if (rc != 0) {
		c2w_clog("--input %s: read failed: %s", path, strerror(-rc));
		goto out_free;
	}

	read_file_data(c, data, size);
	if (c2w_output_drain(c->out, COLLECTOR_FILE_DRAIN_MS) != 0)
		c2w_clog("syslog: messages not sent within %u ms stay in the "
			 "spool for the next start", COLLECTOR_FILE_DRAIN_MS);
out_free:
	if (mapped)
		munmap(data, size);
	else
		free(data);
	return rc;
}

static int
run_network(struct collector *c)
{
	struct pollfd fds[COLLECTOR_POLL_MAX];
	size_t ni, no;
	int timeout;

	while (!atomic_load(&c->stop)) {
		timeout = COLLECTOR_TICK_MS;
		fds[0] = (struct pollfd){ .fd = c->wake_fd, .events = POLLIN };
		ni = c2w_input_poll_fill(c->in, fds + 1, C2W_INPUT_LISTEN_MAX +
					 C2W_INPUT_PEERS_MAX, &timeout);
		no = c2w_output_poll_fill(c->out, fds + 1 + ni, 1, &timeout);
		if (poll(fds, 1 + ni + no, timeout) < 0 && errno != EINTR) {
			c2w_clog("poll failed: %s", strerror(errno));
			return -errno;
		}
		c2w_input_poll_handle(c->in, fds + 1, ni);
		commit_batch(c);
		c2w_output_poll_handle(c->out, fds + 1 + ni, no);
	}
	if (c2w_output_drain(c->out, COLLECTOR_STOP_DRAIN_MS) != 0)
		c2w_clog("syslog: unsent messages stay in the spool for the "
			 "next start");
	return 0;
}

static void *
signal_thread(void *arg)
{
	sigset_t *set = arg;
	uint64_t one = 1;
	int sig;

	if (sigwait(set, &sig) != 0)
		return NULL;
	atomic_store(&collector_global->stop, true);
	if (write(collector_global->wake_fd, &one, sizeof(one)) < 0)
		return NULL;
	return NULL;
}

/* SIGINT and SIGTERM are taken by a thread with sigwait(), which wakes
 * the poll loop through an eventfd, so no system call of the main thread
 * is interrupted half-way. */
static int
start_signal_thread(struct collector *c, pthread_t *thread, sigset_t *set)
{
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0)
		return -errno;
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, set, NULL) != 0)
		return -EINVAL;
	if (pthread_create(thread, NULL, signal_thread, set) != 0)
		return -EAGAIN;
	pthread_detach(*thread);
	return 0;
}

static void
print_stats(const struct collector *c)
{
	const struct collector_stats *s = &c->stats;
	struct c2w_output_stats o;
	struct c2w_input_stats i = { 0 };
	struct c2w_dedup_stats d;
	const struct c2w_sender_stats *y = &o.syslog;
	char reasons[512];
	size_t off = 0;
	unsigned k;

	c2w_output_get_stats(c->out, &o);
	if (c->in != NULL)
		c2w_input_get_stats(c->in, &i);
	c2w_dedup_get_stats(c->dedup, &d);
	for (k = 0; k < C2W_DECODE_ERR_COUNT; k++)
		off += (size_t)snprintf(reasons + off, sizeof(reasons) - off,
					" malformed_%s=%" PRIu64,
					c2w_decode_error_name(k), s->reason[k]);
	c2w_clog("messages=%" PRIu64 " records=%" PRIu64 " other_records=%"
		 PRIu64 " events=%" PRIu64 " filtered=%" PRIu64 " duplicates=%"
		 PRIu64 " restarts=%" PRIu64 " invalid_strings=%" PRIu64
		 " malformed=%" PRIu64 "%s"
		 " cef_written=%" PRIu64 " json_written=%" PRIu64
		 " syslog_sent=%" PRIu64 " spooled=%" PRIu64 " replayed=%"
		 PRIu64 " resent=%" PRIu64 " dropped_spool_full=%" PRIu64
		 " dropped_syslog_down=%" PRIu64 " dropped_torn=%" PRIu64
		 " spool_pending_bytes=%" PRIu64 " syslog_connects=%" PRIu64
		 " syslog_errors=%" PRIu64 " send_errors=%" PRIu64 " cut=%"
		 PRIu64 " format_errors=%" PRIu64 " commit_errors=%" PRIu64
		 " datagrams=%" PRIu64 " udp_dropped=%" PRIu64
		 " peers_accepted=%" PRIu64
		 " peers_closed=%" PRIu64 " peers_dropped=%" PRIu64
		 " peers_timed_out=%" PRIu64 " peers_refused=%" PRIu64
		 " tls_failed=%" PRIu64 " read_errors=%" PRIu64,
		 s->messages, s->records, s->other_records, s->events,
		 s->filtered, d.duplicates, d.restarts, s->invalid_strings,
		 s->malformed, reasons,
		 o.cef_written, o.json_written, y->sent, y->spooled,
		 y->replayed, y->resent, y->dropped_full, y->dropped_down,
		 y->dropped_torn, y->pending_bytes, y->connects, y->errors,
		 o.send_errors, o.cut, o.format_errors, s->commit_errors,
		 i.datagrams, i.udp_dropped, i.peers_accepted, i.peers_closed,
		 i.peers_dropped, i.peers_timed_out, i.peers_refused,
		 i.tls_failed, i.read_errors);
}

static int
open_input(struct collector *c)
{
	static const struct c2w_input_handler handler_template = {
		.message = on_message,
		.framing_error = on_framing_error,
	};
	struct c2w_input_handler handler = handler_template;
	struct c2w_input_source *f = &c->file_src;
	int rc;

	if (c->opt.input == NULL) {
		handler.ctx = c;
		return c2w_input_open(&c->opt.in, &handler, &c->in);
	}
	rc = c2w_decode_new(c->opt.in.pen, &f->dec);
	if (rc != 0)
		return rc;
	snprintf(f->identity, sizeof(f->identity), "file");
	snprintf(f->name, sizeof(f->name), "--input %.60s", c->opt.input);
	return 0;
}

/* Records in the spool were written, even if the dedup state file was
 * not saved after them. */
static void
observe_origin(void *arg, const struct c2w_sender_origin *origin)
{
	c2w_dedup_observe(arg, origin->identity, origin->domain,
			  origin->sequence, origin->export_time);
}

static int
open_all(struct collector *c)
{
	int rc;

	rc = c2w_output_open(&c->opt.out, &c->out);
	if (rc != 0) {
		c2w_clog("cannot open outputs: %s", strerror(-rc));
		return rc;
	}
	/* The dedup state lives next to the spool it describes. */
	rc = c2w_dedup_open(c->opt.out.spool_dir, &c->dedup);
	if (rc != 0) {
		c2w_clog("--spool %s: cannot read the dedup state: %s",
			 c->opt.out.spool_dir, strerror(-rc));
		return rc;
	}
	c->durable = c->opt.out.spool_dir != NULL;
	c2w_output_scan_spool(c->out, observe_origin, c->dedup);
	return open_input(c);
}

static void
close_all(struct collector *c)
{
	c2w_input_close(c->in);
	c2w_decode_free(c->file_src.dec);
	c2w_dedup_close(c->dedup);
	c2w_output_close(c->out);
}

int
main(int argc, char **argv)
{
	static struct collector c;
	pthread_t thread;
	sigset_t set;
	int rc;

	rc = c2w_options_parse(argc, argv, &c.opt);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	collector_global = &c;
	/* OpenSSL writes to peers that may have closed; a write must fail
	 * with EPIPE instead of killing the collector. */
	signal(SIGPIPE, SIG_IGN);
	if (start_signal_thread(&c, &thread, &set) != 0) {
		c2w_clog("signal thread: cannot start");
		return 1;
	}
	if (open_all(&c) != 0) {
		close_all(&c);
		return 1;
	}

	rc = c.opt.input != NULL ? read_file(&c) : run_network(&c);
	commit_batch(&c);
	print_stats(&c);
	close_all(&c);
	return rc == 0 ? 0 : 1;
}
