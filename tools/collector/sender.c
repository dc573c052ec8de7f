/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* linux/tcp.h, unlike glibc's netinet/tcp.h, has tcpi_bytes_acked. */
#include <linux/tcp.h>

#include "log.h"
#include "output.h"
#include "sender.h"
#include "spool.h"

/* Octet count prefix "65535 " plus the largest message. */
#define SENDER_FRAME_MAX (8u + 65536u)
/* Messages sent but not yet acknowledged that the sender remembers; when
 * full, it waits for acknowledgements before it sends more. */
#define SENDER_RING 65536u
/* Messages per poll round, so the inputs are served in between. */
#define SENDER_BUDGET 4096

enum sender_state {
	SENDER_DOWN,
	SENDER_CONNECTING,
	SENDER_UP,
};

/* A message handed to the socket: where it is in the spool, and the
 * connection's octet count after it. */
struct sent_msg {
	uint64_t pos;
	uint64_t end;
};

struct c2w_sender {
	struct c2w_sender_config cfg;
	struct c2w_sender_stats stats;
	struct c2w_output_url url;
	bool tcp;
	struct c2w_spool *spool;
	enum sender_state state;
	int fd;
	uint64_t retry_ms;       /* monotonic time of the next connect */
	uint64_t connect_ms;     /* when the pending connect began */
	uint32_t backoff_ms;
	bool want_out;           /* the socket was full */
	bool more;               /* stopped at the budget, more to send */
	uint64_t conn_sent;      /* octets handed to this connection */
	uint64_t acked_base;     /* tcpi_bytes_acked right after connect */
	uint64_t replay_end;     /* spooled before the last (re)connect */
	/* Message being sent. */
	char *frame;
	char *line;              /* spool line being built */
	size_t frame_len;
	size_t frame_done;
	uint64_t frame_pos;
	size_t frame_line;       /* spool line length of the message */
	bool frame_busy;
	uint64_t sent_end;       /* spool position after the last message */
	struct sent_msg *ring;
	unsigned ring_head;
	unsigned ring_count;
	struct c2w_clog_limit log;
};

int
c2w_sender_open(const struct c2w_sender_config *cfg, struct c2w_sender **out)
{
	struct c2w_sender *s;
	int rc;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->cfg = *cfg;
	s->fd = -1;
	s->backoff_ms = C2W_SENDER_BACKOFF_MIN_MS;
	rc = c2w_output_parse_url(cfg->url, &s->url);
	if (rc != 0 || strcmp(s->url.scheme, "tls") == 0)
		goto out_invalid;
	s->tcp = strcmp(s->url.scheme, "tcp") == 0;
	if (cfg->spool_dir != NULL && !s->tcp)
		goto out_invalid;
	s->frame = malloc(SENDER_FRAME_MAX);
	s->line = malloc(SENDER_FRAME_MAX);
	if (s->frame == NULL || s->line == NULL)
		goto out_nomem;
	if (cfg->spool_dir == NULL) {
		*out = s;
		return 0;
	}
	s->ring = calloc(SENDER_RING, sizeof(*s->ring));
	if (s->ring == NULL)
		goto out_nomem;
	rc = c2w_spool_open(cfg->spool_dir, cfg->spool_max, &s->spool);
	if (rc != 0) {
		c2w_clog("--spool %s: cannot open the spool: %s",
			 cfg->spool_dir, strerror(-rc));
		c2w_sender_close(s);
		return rc;
	}
	*out = s;
	return 0;

out_invalid:
	c2w_sender_close(s);
	return -EINVAL;
out_nomem:
	c2w_sender_close(s);
	return -ENOMEM;
}

static void
sender_fail(struct c2w_sender *s, const char *what, int err)
{
	uint64_t now = c2w_clog_now_ms();

	s->stats.errors++;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = SENDER_DOWN;
	c2w_clog_limited(&s->log, "syslog %s://%s:%s: %s: %s; retrying in "
			 "%" PRIu32 " ms%s", s->url.scheme, s->url.host,
			 s->url.port, what, strerror(err), s->backoff_ms,
			 s->spool != NULL ? ", messages wait in the spool" :
			 ", messages are dropped until then");
	s->retry_ms = now + s->backoff_ms;
	s->backoff_ms *= 2;
	if (s->backoff_ms > C2W_SENDER_BACKOFF_MAX_MS)
		s->backoff_ms = C2W_SENDER_BACKOFF_MAX_MS;
}

static uint64_t
acked_octets(const struct c2w_sender *s)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (s->fd < 0 || getsockopt(s->fd, IPPROTO_TCP, TCP_INFO, &ti,
				    &len) != 0)
		return 0;
	return ti.tcpi_bytes_acked;
}

static void
sender_connected(struct c2w_sender *s)
{
	s->state = SENDER_UP;
	s->backoff_ms = C2W_SENDER_BACKOFF_MIN_MS;
	s->stats.connects++;
	s->conn_sent = 0;
	s->acked_base = s->tcp ? acked_octets(s) : 0;
	s->want_out = false;
	if (s->spool != NULL)
		s->replay_end = c2w_spool_end(s->spool);
	c2w_clog_limited(&s->log, "syslog %s://%s:%s: connected",
			 s->url.scheme, s->url.host, s->url.port);
}

/* Start a connect. With a spool it does not block and finishes in the
 * poll loop; without one it blocks like the sends that follow. The host
 * lookup blocks in both cases; give an address to avoid DNS. */
static void
sender_connect(struct c2w_sender *s)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct timeval tv = { .tv_sec = C2W_SENDER_SEND_TIMEOUT_S };
	int type = s->tcp ? SOCK_STREAM : SOCK_DGRAM, rc, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	rc = getaddrinfo(s->url.host, s->url.port, &hints, &res);
	if (rc != 0) {
		sender_fail(s, "address lookup failed", EHOSTUNREACH);
		return;
	}
	if (s->spool != NULL)
		type |= SOCK_NONBLOCK;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		s->fd = socket(ai->ai_family, type | SOCK_CLOEXEC,
			       ai->ai_protocol);
		if (s->fd < 0)
			continue;
		setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		err = connect(s->fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 :
		      errno;
		if (err == 0 || err == EINPROGRESS)
			break;
		close(s->fd);
		s->fd = -1;
	}
	freeaddrinfo(res);
	if (s->fd < 0) {
		sender_fail(s, "connect failed", err);
	} else if (err == EINPROGRESS) {
		s->state = SENDER_CONNECTING;
		s->connect_ms = c2w_clog_now_ms();
	} else {
		sender_connected(s);
	}
}

/* Whether the server closed the connection: a syslog server never sends,
 * so a readable socket is at its end or failed. */
static bool
sender_peer_closed(struct c2w_sender *s, int *err)
{
	char byte;
	ssize_t n;

	n = recv(s->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0) {
		*err = ECONNRESET;
		return true;
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR) {
		*err = errno;
		return true;
	}
	return false;
}

/* Forget the messages the server's TCP acknowledged and let the spool
 * delete the segments they were in. */
static void
sender_acked(struct c2w_sender *s)
{
	uint64_t acked = acked_octets(s) - s->acked_base;

	while (s->ring_count > 0 && s->ring[s->ring_head].end <= acked) {
		s->ring_head = (s->ring_head + 1) % SENDER_RING;
		s->ring_count--;
	}
	if (s->ring_count > 0)
		c2w_spool_release(s->spool, s->ring[s->ring_head].pos);
	else if (s->frame_busy)
		c2w_spool_release(s->spool, s->frame_pos);
	else if (s->sent_end != 0)
		c2w_spool_release(s->spool, s->sent_end);
}

/* The connection broke: go back to the first message the server did not
 * acknowledge, so it is sent again after the reconnect. */
static void
sender_lost(struct c2w_sender *s, const char *what, int err)
{
	sender_acked(s);
	if (s->ring_count > 0) {
		s->stats.resent += s->ring_count;
		c2w_spool_rewind(s->spool, s->ring[s->ring_head].pos);
	} else if (s->frame_busy) {
		c2w_spool_rewind(s->spool, s->frame_pos);
	}
	s->ring_count = 0;
	s->frame_busy = false;
	s->sent_end = 0;
	sender_fail(s, what, err);
}

static bool
frame_load(struct c2w_sender *s)
{
	const char *line, *tab;
	size_t len;
	int n;

	if (c2w_spool_peek(s->spool, &line, &len, &s->frame_pos) != 0)
		return false;
	s->frame_line = len;
	tab = memchr(line, '\t', len);
	if (tab != NULL) {
		len -= (size_t)(tab + 1 - line);
		line = tab + 1;
	}
	n = snprintf(s->frame, SENDER_FRAME_MAX, "%zu ", len);
	if (len > SENDER_FRAME_MAX - (size_t)n) {
		/* Longer than any message the collector writes. */
		c2w_spool_advance(s->spool);
		s->stats.errors++;
		return false;
	}
	memcpy(s->frame + n, line, len);
	s->frame_len = (size_t)n + len;
	s->frame_done = 0;
	s->frame_busy = true;
	return true;
}

static void
frame_done(struct c2w_sender *s)
{
	struct sent_msg *m;

	m = &s->ring[(s->ring_head + s->ring_count) % SENDER_RING];
	m->pos = s->frame_pos;
	m->end = s->conn_sent;
	s->ring_count++;
	c2w_spool_advance(s->spool);
	s->sent_end = s->frame_pos + s->frame_line + 1;
	s->frame_busy = false;
	s->stats.sent++;
	if (s->frame_pos < s->replay_end)
		s->stats.replayed++;
}

/* Send spooled messages until the socket is full or the budget is used. */
static void
sender_pump(struct c2w_sender *s)
{
	ssize_t n;
	int i, err;

	s->more = false;
	if (sender_peer_closed(s, &err)) {
		sender_lost(s, "connection closed by the server", err);
		return;
	}
	sender_acked(s);
	for (i = 0; i < SENDER_BUDGET; i++) {
		if (!s->frame_busy &&
		    (s->ring_count == SENDER_RING || !frame_load(s)))
			return;
		n = send(s->fd, s->frame + s->frame_done,
			 s->frame_len - s->frame_done,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			s->want_out = true;
			return;
		}
		if (n < 0 && errno != EINTR) {
			sender_lost(s, "send failed", errno);
			return;
		}
		if (n < 0)
			continue;
		s->frame_done += (size_t)n;
		s->conn_sent += (size_t)n;
		if (s->frame_done == s->frame_len)
			frame_done(s);
	}
	s->more = true;
}

/* Without a spool: send one frame now, blocking at most
 * C2W_SENDER_SEND_TIMEOUT_S. */
static int
sender_send_direct(struct c2w_sender *s, const char *msg, size_t len)
{
	size_t total, done = 0;
	int plen = 0, err;

	if (s->fd >= 0 && s->tcp && sender_peer_closed(s, &err))
		sender_fail(s, "connection closed by the server", err);
	if (s->fd < 0 && c2w_clog_now_ms() >= s->retry_ms)
		sender_connect(s);
	if (s->fd < 0) {
		s->stats.dropped_down++;
		return -EIO;
	}
	if (s->tcp)
		plen = snprintf(s->frame, SENDER_FRAME_MAX, "%zu ", len);
	if (len > SENDER_FRAME_MAX - (size_t)plen)
		return -EMSGSIZE;
	memcpy(s->frame + plen, msg, len);
	total = (size_t)plen + len;
	while (done < total) {
		ssize_t n = send(s->fd, s->frame + done, total - done,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* A TCP stream is broken after a partial frame, and
			 * a UDP socket reports an earlier ICMP error once. */
			err = errno;
			if (s->tcp)
				sender_fail(s, "send failed", err);
			else
				s->stats.errors++;
			s->stats.dropped_down++;
			return -EIO;
		}
		done += (size_t)n;
	}
	s->stats.sent++;
	return 0;
}

/* Spool line: "=DOMAIN SEQUENCE EXPORT_TIME IDENTITY" or "-", a tab, the
 * message. */
int
c2w_sender_submit(struct c2w_sender *s, const char *msg, size_t len,
		  const struct c2w_sender_origin *origin)
{
	char head[C2W_SENDER_ORIGIN_MAX];
	int n, rc;

	if (s->spool == NULL)
		return sender_send_direct(s, msg, len);
	if (origin != NULL)
		n = snprintf(head, sizeof(head), "=%" PRIu32 " %" PRIu32 " %"
			     PRIu32 " %s\t", origin->domain, origin->sequence,
			     origin->export_time, origin->identity);
	else
		n = snprintf(head, sizeof(head), "-\t");
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    len > SENDER_FRAME_MAX - sizeof(head) ||
	    strchr(head + 1, '\t') != head + n - 1)
		return -EINVAL;
	memcpy(s->line, head, (size_t)n);
	memcpy(s->line + n, msg, len);
	rc = c2w_spool_append(s->spool, s->line, (size_t)n + len);
	return rc == 0 || rc == -ENOSPC ? rc : -EIO;
}

struct scan_ctx {
	c2w_sender_origin_fn fn;
	void *ctx;
};

static void
scan_line(void *arg, const char *line, size_t len)
{
	struct scan_ctx *sc = arg;
	char head[C2W_SENDER_ORIGIN_MAX];
	struct c2w_sender_origin o;
	const char *tab = memchr(line, '\t', len);
	int used;

	if (tab == NULL || line[0] != '=' ||
	    (size_t)(tab - line) >= sizeof(head))
		return;
	memcpy(head, line, (size_t)(tab - line));
	head[tab - line] = '\0';
	if (sscanf(head, "=%" SCNu32 " %" SCNu32 " %" SCNu32 " %n", &o.domain,
		   &o.sequence, &o.export_time, &used) != 3 ||
	    head[used] == '\0')
		return;
	o.identity = head + used;
	sc->fn(sc->ctx, &o);
}

void
c2w_sender_scan(struct c2w_sender *s, c2w_sender_origin_fn fn, void *ctx)
{
	struct scan_ctx sc = { fn, ctx };

	if (s->spool != NULL)
		c2w_spool_scan(s->spool, scan_line, &sc);
}

int
c2w_sender_sync(struct c2w_sender *s)
{
	return s->spool != NULL ? c2w_spool_sync(s->spool) : 0;
}

size_t
c2w_sender_poll_fill(struct c2w_sender *s, struct pollfd *fds, size_t max,
		     int *timeout_ms)
{
	uint64_t now = c2w_clog_now_ms(), wait;

	if (s->spool == NULL || max == 0)
		return 0;
	if (s->state == SENDER_DOWN) {
		wait = s->retry_ms > now ? s->retry_ms - now : 0;
		if (*timeout_ms < 0 || wait < (uint64_t)*timeout_ms)
			*timeout_ms = (int)wait;
		return 0;
	}
	if (s->more)
		*timeout_ms = 0;
	fds[0].fd = s->fd;
	fds[0].events = s->state == SENDER_CONNECTING || s->want_out ?
			POLLOUT : POLLIN;
	fds[0].revents = 0;
	return 1;
}

static void
sender_finish_connect(struct c2w_sender *s, short revents)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (revents == 0) {
		if (c2w_clog_now_ms() - s->connect_ms >=
		    C2W_SENDER_CONNECT_TIMEOUT_MS)
			sender_fail(s, "connect failed", ETIMEDOUT);
		return;
	}
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0)
		sender_fail(s, "connect failed", err);
	else
		sender_connected(s);
}

void
c2w_sender_poll_handle(struct c2w_sender *s, const struct pollfd *fds,
		       size_t n)
{
	short revents = n > 0 ? fds[0].revents : 0;

	if (s->spool == NULL)
		return;
	if (s->state == SENDER_DOWN && c2w_clog_now_ms() >= s->retry_ms)
		sender_connect(s);
	if (s->state == SENDER_CONNECTING)
		sender_finish_connect(s, revents);
	if (s->state != SENDER_UP)
		return;
	if (revents & POLLOUT)
		s->want_out = false;
	if (!s->want_out || (revents & (POLLIN | POLLERR | POLLHUP)))
		sender_pump(s);
}

int
c2w_sender_drain(struct c2w_sender *s, unsigned timeout_ms)
{
	uint64_t end = c2w_clog_now_ms() + timeout_ms, now;
	struct c2w_spool_stats st;
	struct pollfd pfd;
	int wait;
	size_t n;

	if (s->spool == NULL)
		return 0;
	for (;;) {
		c2w_sender_poll_handle(s, &pfd, 0);
		c2w_spool_get_stats(s->spool, &st);
		now = c2w_clog_now_ms();
		if (st.pending == 0 && !s->frame_busy)
			return 0;
		if (now >= end)
			return -ETIMEDOUT;
		wait = (int)(end - now);
		n = c2w_sender_poll_fill(s, &pfd, 1, &wait);
		if (poll(&pfd, n, wait) > 0 && n > 0)
			c2w_sender_poll_handle(s, &pfd, n);
	}
}

void
c2w_sender_get_stats(const struct c2w_sender *s, struct c2w_sender_stats *st)
{
	struct c2w_spool_stats sp;

	*st = s->stats;
	if (s->spool == NULL)
		return;
	c2w_spool_get_stats(s->spool, &sp);
	st->spooled = sp.spooled;
	st->dropped_full = sp.dropped_full;
	st->dropped_torn = sp.dropped_torn;
	st->pending_bytes = sp.pending;
	st->errors += sp.write_errors;
}

void
c2w_sender_close(struct c2w_sender *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	c2w_spool_close(s->spool);
	free(s->ring);
	free(s->line);
	free(s->frame);
	free(s);
}
