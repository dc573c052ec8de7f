/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPFIX transport over UDP, TCP and TLS. libfixbuf 2.4 as Debian builds
 * it has no TLS, and its own sockets block, so the exporter encodes with
 * libfixbuf into a buffer and this file carries the finished messages.
 *
 * Queue: messages not yet written wait in "pending" (at most buffer_bytes
 * octets; the oldest are dropped beyond it). A message written completely
 * on a TCP or TLS connection moves to "window" (at most resend_bytes
 * octets, oldest trimmed first), because a write the kernel took may
 * still be lost with the connection. After a reconnect the window is
 * written again first, byte for byte, so the sequence numbers in the
 * headers repeat and the collector can drop what it already stored.
 */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_log.h>
#include <rte_random.h>

#include "transport.h"

RTE_LOG_REGISTER(c2w_transport_logtype, c2w.transport, NOTICE);

#define TRANSPORT_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, c2w_transport_logtype, __VA_ARGS__)

/* Repeated lines of one kind are logged at most once per second. */
#define TRANSPORT_LOG_INTERVAL_MS 1000

/* How often an idle connection is checked for a close by the peer. */
#define TRANSPORT_CHECK_MS 100

/* Maximum wait at shutdown for the collector to close its side. */
#define TRANSPORT_CLOSE_MS 1000

/* IPFIX message header: version, length, export time, sequence, domain. */
#define IPFIX_HDR_LEN 16
#define IPFIX_HDR_EXPORT_TIME 4

enum transport_state {
	TRANSPORT_DOWN = 0,    /* waiting for the next attempt */
	TRANSPORT_CONNECTING,  /* TCP connect in progress */
	TRANSPORT_HANDSHAKE,   /* TLS handshake in progress */
	TRANSPORT_UP,
};

struct transport_msg {
	TAILQ_ENTRY(transport_msg) next;
	uint32_t len;
	uint32_t records;
	uint8_t data[];
};

TAILQ_HEAD(transport_msg_list, transport_msg);

/* Rate limiter of one kind of log line. */
struct transport_limiter {
	uint64_t next_ms;
	uint64_t suppressed;
};

struct c2w_transport {
	enum c2w_transport_proto proto;
	enum transport_state state;
	char url[C2W_URL_MAX];
	char host[C2W_URL_MAX];
	struct sockaddr_storage peer;
	socklen_t peer_len;
	int fd;

	SSL_CTX *ssl_ctx;
	SSL *ssl;

	uint64_t now_ms;
	uint64_t retry_ms;        /* next connection attempt */
	uint64_t backoff_ms;      /* delay after the next failure */
	uint64_t started_ms;      /* start of the connect or handshake */
	uint64_t check_ms;        /* next check for a closed connection */

	struct transport_msg_list pending;
	struct transport_msg_list window;
	struct transport_msg *resend; /* next window message to resend */
	size_t offset;            /* octets of the current message written */
	bool write_started;       /* TLS: a write of it must be repeated */
	size_t buffer_max;
	size_t window_max;

	uint8_t *preamble;
	size_t preamble_len;
	size_t preamble_off;      /* octets written on this connection */

	struct transport_limiter log_attempt;
	struct transport_limiter log_failure;
	struct c2w_transport_stats stats;
};

static uint64_t
transport_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Log at most once per TRANSPORT_LOG_INTERVAL_MS per limiter. The next
 * line reports how many were left out. */
static void __rte_format_printf(4, 5)
transport_log_limited(struct c2w_transport *t, struct transport_limiter *l,
		      uint32_t level, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	if (t->now_ms < l->next_ms) {
		l->suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (l->suppressed > 0)
		rte_log(level, c2w_transport_logtype,
			"ipfix %s: %s (%" PRIu64 " similar lines suppressed)\n",
			t->url, text, l->suppressed);
	else
		rte_log(level, c2w_transport_logtype, "ipfix %s: %s\n", t->url,
			text);
	l->suppressed = 0;
	l->next_ms = t->now_ms + TRANSPORT_LOG_INTERVAL_MS;
}

/* ---- URL ---------------------------------------------------------- */

static int
transport_parse_scheme(const char *url, enum c2w_transport_proto *proto,
		       const char **rest)
{
	static const struct {
		const char *prefix;
		enum c2w_transport_proto proto;
	} schemes[] = {
		{ "udp://", C2W_TRANSPORT_UDP },
		{ "tcp://", C2W_TRANSPORT_TCP },
		{ "tls://", C2W_TRANSPORT_TLS },
	};
	size_t i;

	for (i = 0; i < RTE_DIM(schemes); i++) {
		size_t n = strlen(schemes[i].prefix);

		if (strncmp(url, schemes[i].prefix, n) == 0) {
			*proto = schemes[i].proto;
			*rest = url + n;
			return 0;
		}
	}
	return -EINVAL;
}

int
c2w_transport_parse_url(const char *url, enum c2w_transport_proto *proto,
			char *host, size_t host_size, char *port,
			size_t port_size, const char **reason)
{
	const char *p, *host_end, *colon;
	unsigned long num;
	char *end;

	if (transport_parse_scheme(url, proto, &p) < 0) {
		*reason = "scheme must be udp://, tcp:// or tls://";
		return -EINVAL;
	}
	if (*p == '[') {
		p++;
		host_end = strchr(p, ']');
		if (host_end == NULL || host_end[1] != ':') {
			*reason = "IPv6 address needs the form [ADDR]:PORT";
			return -EINVAL;
		}
		colon = host_end + 1;
	} else {
		colon = strchr(p, ':');
		if (colon == NULL || strchr(colon + 1, ':') != NULL) {
			*reason = "expected HOST:PORT, IPv6 addresses in brackets";
			return -EINVAL;
		}
		host_end = colon;
	}
	if (host_end == p || (size_t)(host_end - p) >= host_size) {
		*reason = "host is empty or too long";
		return -EINVAL;
	}

	errno = 0;
	num = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 ||
	    num == 0 || num > 65535) {
		*reason = "port must be 1..65535";
		return -EINVAL;
	}
	memcpy(host, p, host_end - p);
	host[host_end - p] = '\0';
	snprintf(port, port_size, "%lu", num);
	return 0;
}

/* ---- queue -------------------------------------------------------- */

/* Message being written: the next resend, else the oldest pending one. */
static struct transport_msg *
transport_current(const struct c2w_transport *t)
{
	if (t->resend != NULL)
		return t->resend;
	return TAILQ_FIRST(&t->pending);
}

static void
transport_drop_pending(struct c2w_transport *t, struct transport_msg *m)
{
	TAILQ_REMOVE(&t->pending, m, next);
	t->stats.buffered_bytes -= m->len;
	t->stats.messages_lost++;
	t->stats.records_lost += m->records;
	free(m);
}

/* Whether a message must stay: part of it is on the wire, or OpenSSL
 * needs the same bytes for the retry of a write that would block. */
static bool
transport_in_flight(const struct c2w_transport *t,
		    const struct transport_msg *m)
{
	return m == transport_current(t) &&
	       (t->offset > 0 || t->write_started);
}

int
c2w_transport_enqueue(struct c2w_transport *t, const uint8_t *msg,
		      size_t len, uint32_t records)
{
	struct transport_msg *m;

	if (len > t->buffer_max) {
		t->stats.messages_lost++;
		t->stats.records_lost += records;
		return -ENOBUFS;
	}

	/* Drop the oldest: the newest records are the ones an operator
	 * acts on when the collector comes back. */
	while (t->stats.buffered_bytes + len > t->buffer_max) {
		struct transport_msg *victim = TAILQ_FIRST(&t->pending);

		if (victim != NULL && transport_in_flight(t, victim))
			victim = TAILQ_NEXT(victim, next);
		if (victim == NULL)
			break;
		transport_drop_pending(t, victim);
	}

	m = malloc(sizeof(*m) + len);
	if (m == NULL) {
		t->stats.messages_lost++;
		t->stats.records_lost += records;
		return -ENOMEM;
	}
	m->len = (uint32_t)len;
	m->records = records;
	memcpy(m->data, msg, len);
	TAILQ_INSERT_TAIL(&t->pending, m, next);
	t->stats.buffered_bytes += len;
	return 0;
}

/* Forget the oldest written messages beyond the window size, but none
 * that is still due for resending. */
static void
transport_trim_window(struct c2w_transport *t)
{
	struct transport_msg *m;

	while (t->stats.window_bytes > t->window_max) {
		m = TAILQ_FIRST(&t->window);
		if (m == NULL || m == t->resend)
			break;
		TAILQ_REMOVE(&t->window, m, next);
		t->stats.window_bytes -= m->len;
		free(m);
	}
}

/* The current message is written completely. */
static void
transport_complete(struct c2w_transport *t)
{
	struct transport_msg *m = transport_current(t);

	t->offset = 0;
	t->write_started = false;
	if (m == t->resend) {
		t->resend = TAILQ_NEXT(m, next);
		t->stats.messages_resent++;
	} else {
		TAILQ_REMOVE(&t->pending, m, next);
		t->stats.buffered_bytes -= m->len;
		t->stats.messages_sent++;
		t->stats.records_sent += m->records;
		t->stats.bytes_sent += m->len;
		TAILQ_INSERT_TAIL(&t->window, m, next);
		t->stats.window_bytes += m->len;
	}
	transport_trim_window(t);
}

bool
c2w_transport_busy(const struct c2w_transport *t)
{
	return transport_current(t) != NULL;
}

bool
c2w_transport_is_up(const struct c2w_transport *t)
{
	return t->state == TRANSPORT_UP;
}

enum c2w_transport_proto
c2w_transport_proto(const struct c2w_transport *t)
{
	return t->proto;
}

int
c2w_transport_set_preamble(struct c2w_transport *t, const uint8_t *msgs,
			   size_t len)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);

	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, msgs, len);
	free(t->preamble);
	t->preamble = copy;
	t->preamble_len = len;
	return 0;
}

/* ---- connection --------------------------------------------------- */

static void
transport_close_fd(struct c2w_transport *t, bool notify)
{
	if (t->ssl != NULL) {
		/* A close_notify signals that the stream ended on purpose.
		 * The collector's reply is not awaited. */
		if (notify)
			SSL_shutdown(t->ssl);
		SSL_free(t->ssl);
		t->ssl = NULL;
	}
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/* Schedule the next attempt: the backoff with +-25 % jitter, so that
 * several exporters do not reconnect in step, then double it. */
static uint64_t
transport_schedule_retry(struct c2w_transport *t)
{
	uint64_t quarter = t->backoff_ms / 4;
	uint64_t delay = t->backoff_ms - quarter +
			 rte_rand_max(2 * quarter + 1);

	t->retry_ms = t->now_ms + delay;
	t->backoff_ms = RTE_MIN(t->backoff_ms * 2,
				(uint64_t)C2W_TRANSPORT_BACKOFF_MAX_MS);
	return delay;
}

/* A connect or handshake failed. */
static void
transport_fail_connect(struct c2w_transport *t, const char *what,
		       const char *reason)
{
	uint64_t delay;

	transport_close_fd(t, false);
	t->state = TRANSPORT_DOWN;
	t->stats.connect_failures++;
	delay = transport_schedule_retry(t);
	transport_log_limited(t, &t->log_failure, RTE_LOG_WARNING,
			      "%s failed: %s (next attempt in %" PRIu64
			      " ms)", what, reason, delay);
}

/* An established connection ended; its partial message goes again. */
static void
transport_disconnect(struct c2w_transport *t, const char *reason)
{
	uint64_t delay;

	transport_close_fd(t, false);
	t->state = TRANSPORT_DOWN;
	t->stats.disconnects++;
	t->offset = 0;
	t->write_started = false;
	t->resend = NULL;
	delay = transport_schedule_retry(t);
	transport_log_limited(t, &t->log_failure, RTE_LOG_WARNING,
			      "connection lost: %s (%" PRIu64 " octets "
			      "queued, next attempt in %" PRIu64 " ms)",
			      reason, t->stats.buffered_bytes, delay);
}

static void
transport_established(struct c2w_transport *t)
{
	t->state = TRANSPORT_UP;
	t->stats.connects++;
	t->backoff_ms = C2W_TRANSPORT_BACKOFF_MIN_MS;
	t->preamble_off = 0;
	t->offset = 0;
	t->write_started = false;
	t->resend = TAILQ_FIRST(&t->window);
	t->check_ms = t->now_ms + TRANSPORT_CHECK_MS;
	TRANSPORT_LOG(NOTICE, "ipfix %s: connected%s, resending %" PRIu64
		      " octets, %" PRIu64 " octets queued\n", t->url,
		      t->proto == C2W_TRANSPORT_TLS ? " (TLS verified)" : "",
		      t->stats.window_bytes, t->stats.buffered_bytes);
}

/* Text of the last OpenSSL error, or of the certificate check. */
static const char *
transport_ssl_reason(struct c2w_transport *t, char *buf, size_t size)
{
	unsigned long e = ERR_peek_last_error();
	long verify = SSL_get_verify_result(t->ssl);

	if (verify != X509_V_OK) {
		snprintf(buf, size, "certificate verify failed: %s",
			 X509_verify_cert_error_string(verify));
	} else if (e != 0) {
		ERR_error_string_n(e, buf, size);
	} else {
		snprintf(buf, size, "connection closed during handshake");
	}
	ERR_clear_error();
	return buf;
}

static int
transport_ssl_start(struct c2w_transport *t)
{
	struct in6_addr addr;
	bool literal = inet_pton(AF_INET, t->host, &addr) == 1 ||
		       inet_pton(AF_INET6, t->host, &addr) == 1;

	t->ssl = SSL_new(t->ssl_ctx);
	if (t->ssl == NULL || SSL_set_fd(t->ssl, t->fd) != 1)
		return -ENOMEM;
	SSL_set_mode(t->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
		     SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

	/* The certificate must name the host of the URL: an IP address in
	 * a subjectAltName iPAddress entry, a name as DNS name. */
	if (literal) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl),
						  t->host) != 1)
			return -EINVAL;
	} else if (SSL_set1_host(t->ssl, t->host) != 1 ||
		   SSL_set_tlsext_host_name(t->ssl, t->host) != 1) {
		return -EINVAL;
	}
	t->state = TRANSPORT_HANDSHAKE;
	return 0;
}

static void
transport_handshake(struct c2w_transport *t)
{
	char reason[256];
	int rc, err;

	ERR_clear_error();
	rc = SSL_connect(t->ssl);
	if (rc == 1) {
		transport_established(t);
		return;
	}
	err = SSL_get_error(t->ssl, rc);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		if (t->now_ms - t->started_ms >
		    C2W_TRANSPORT_CONNECT_TIMEOUT_MS)
			transport_fail_connect(t, "TLS handshake", "timed out");
		return;
	}
	transport_fail_connect(t, "TLS handshake",
			       transport_ssl_reason(t, reason, sizeof(reason)));
}

/* TCP connect finished (or not yet): check without waiting. */
static void
transport_check_connect(struct c2w_transport *t)
{
	struct pollfd pfd = { .fd = t->fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (poll(&pfd, 1, 0) == 0) {
		if (t->now_ms - t->started_ms >
		    C2W_TRANSPORT_CONNECT_TIMEOUT_MS)
			transport_fail_connect(t, "connect", "timed out");
		return;
	}
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		soerr = errno;
	if (soerr != 0) {
		transport_fail_connect(t, "connect", strerror(soerr));
		return;
	}
	if (t->proto == C2W_TRANSPORT_TLS) {
		if (transport_ssl_start(t) < 0) {
			transport_fail_connect(t, "TLS setup",
					       "cannot create the session");
			return;
		}
		transport_handshake(t);
		return;
	}
	transport_established(t);
}

static void
transport_start_connect(struct c2w_transport *t)
{
	int one = 1;

	transport_log_limited(t, &t->log_attempt, RTE_LOG_INFO,
			      "connecting");
	t->started_ms = t->now_ms;
	t->fd = socket(t->peer.ss_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0) {
		transport_fail_connect(t, "socket", strerror(errno));
		return;
	}
	/* Messages are written whole; waiting to fill a segment only adds
	 * delay to alerts. */
	setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(t->fd, (const struct sockaddr *)&t->peer,
		    t->peer_len) != 0 && errno != EINPROGRESS) {
		transport_fail_connect(t, "connect", strerror(errno));
		return;
	}
	t->state = TRANSPORT_CONNECTING;
	transport_check_connect(t);
}

/* Read what the collector sent, which IPFIX never needs: a TLS 1.3
 * session ticket, or the end of the stream. Returns false on a close. */
static bool
transport_check_alive(struct c2w_transport *t)
{
	uint8_t scratch[512];
	int n, err;

	if (t->ssl == NULL) {
		ssize_t r = recv(t->fd, scratch, sizeof(scratch), MSG_DONTWAIT);

		if (r == 0) {
			transport_disconnect(t, "closed by the collector");
			return false;
		}
		if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			transport_disconnect(t, strerror(errno));
			return false;
		}
		return true;
	}

	ERR_clear_error();
	n = SSL_read(t->ssl, scratch, sizeof(scratch));
	if (n > 0)
		return true;
	err = SSL_get_error(t->ssl, n);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return true;
	ERR_clear_error();
	transport_disconnect(t, err == SSL_ERROR_ZERO_RETURN ?
			     "closed by the collector" : "TLS read failed");
	return false;
}

/* ---- writing ------------------------------------------------------ */

/* Write on the stream; returns octets taken, -EAGAIN or another -errno
 * after which the connection is gone. */
static ssize_t
transport_stream_write(struct c2w_transport *t, const uint8_t *buf,
		       size_t len)
{
	ssize_t n;
	int err;

	if (t->ssl == NULL) {
		n = send(t->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0)
			return n;
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}

	ERR_clear_error();
	n = SSL_write(t->ssl, buf, (int)len);
	if (n > 0)
		return n;
	err = SSL_get_error(t->ssl, (int)n);
	if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
		return -EAGAIN;
	ERR_clear_error();
	return -EPIPE;
}

/* Write the rest of the preamble with fresh export times. Returns true
 * when all of it is written. */
static bool
transport_write_preamble(struct c2w_transport *t)
{
	uint32_t now_s = rte_cpu_to_be_32((uint32_t)time(NULL));
	size_t pos, msg_len;
	ssize_t n;

	for (pos = 0; t->preamble_off == 0 &&
	     pos + IPFIX_HDR_LEN <= t->preamble_len; pos += msg_len) {
		msg_len = ((size_t)t->preamble[pos + 2] << 8) |
			  t->preamble[pos + 3];
		if (msg_len < IPFIX_HDR_LEN)
			break;
		memcpy(t->preamble + pos + IPFIX_HDR_EXPORT_TIME, &now_s,
		       sizeof(now_s));
	}
	while (t->preamble_off < t->preamble_len) {
		n = transport_stream_write(t, t->preamble + t->preamble_off,
					   t->preamble_len - t->preamble_off);
		if (n == -EAGAIN)
			return false;
		if (n < 0) {
			t->stats.send_errors++;
			transport_disconnect(t, strerror((int)-n));
			return false;
		}
		t->preamble_off += (size_t)n;
	}
	/* preamble_off past the end marks the preamble as done. */
	if (t->preamble_len > 0)
		t->stats.preamble_sends++;
	t->preamble_off = t->preamble_len + 1;
	return true;
}

static void
transport_write_stream(struct c2w_transport *t)
{
	struct transport_msg *m;
	ssize_t n;

	if (t->preamble_off <= t->preamble_len &&
	    !transport_write_preamble(t))
		return;
	while ((m = transport_current(t)) != NULL) {
		n = transport_stream_write(t, m->data + t->offset,
					   m->len - t->offset);
		if (n == -EAGAIN) {
			t->write_started = true;
			return;
		}
		if (n < 0) {
			t->stats.send_errors++;
			transport_disconnect(t, strerror((int)-n));
			return;
		}
		t->write_started = false;
		t->offset += (size_t)n;
		if (t->offset == m->len)
			transport_complete(t);
	}
}

/* UDP: a datagram per message. A full socket buffer keeps the message
 * for the next poll; any other failure drops it. */
static void
transport_write_udp(struct c2w_transport *t)
{
	struct transport_msg *m;
	ssize_t n;

	while ((m = TAILQ_FIRST(&t->pending)) != NULL) {
		n = sendto(t->fd, m->data, m->len, MSG_DONTWAIT,
			   (const struct sockaddr *)&t->peer, t->peer_len);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == (ssize_t)m->len) {
			transport_complete(t);
			continue;
		}
		t->stats.send_errors++;
		transport_log_limited(t, &t->log_failure, RTE_LOG_WARNING,
				      "send failed: %s", n < 0 ?
				      strerror(errno) : "short write");
		transport_drop_pending(t, m);
	}
}

void
c2w_transport_poll(struct c2w_transport *t, uint64_t now_ms)
{
	t->now_ms = now_ms;
	if (t->proto == C2W_TRANSPORT_UDP) {
		transport_write_udp(t);
		return;
	}

	switch (t->state) {
	case TRANSPORT_DOWN:
		if (now_ms >= t->retry_ms)
			transport_start_connect(t);
		break;
	case TRANSPORT_CONNECTING:
		transport_check_connect(t);
		break;
	case TRANSPORT_HANDSHAKE:
		transport_handshake(t);
		break;
	case TRANSPORT_UP:
		break;
	}
	if (t->state != TRANSPORT_UP)
		return;

	if (now_ms >= t->check_ms) {
		t->check_ms = now_ms + TRANSPORT_CHECK_MS;
		if (!transport_check_alive(t))
			return;
	}
	transport_write_stream(t);
}

int
c2w_transport_drain(struct c2w_transport *t, uint64_t timeout_ms)
{
	uint64_t deadline = transport_mono_ms() + timeout_ms;
	const struct timespec pause = { 0, 1000000 };

	for (;;) {
		c2w_transport_poll(t, transport_mono_ms());
		if (!c2w_transport_busy(t) &&
		    (t->proto == C2W_TRANSPORT_UDP ||
		     (t->state == TRANSPORT_UP &&
		      t->preamble_off > t->preamble_len)))
			return 0;
		if (transport_mono_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

/* ---- setup -------------------------------------------------------- */

static int
transport_resolve(struct c2w_transport *t, const char *port)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = t->proto == C2W_TRANSPORT_UDP ?
			SOCK_DGRAM : SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG,
	};
	struct addrinfo *res;
	int rc;

	/* NOTE: the host is resolved once, at start; a collector that
	 * changes its address needs a restart of c2wall. */
	rc = getaddrinfo(t->host, port, &hints, &res);
	if (rc != 0) {
		TRANSPORT_LOG(ERR, "ipfix %s: cannot resolve host: %s\n",
			      t->url, gai_strerror(rc));
		return -EIO;
	}
	if (res->ai_addrlen > sizeof(t->peer)) {
		freeaddrinfo(res);
		return -EAFNOSUPPORT;
	}
	memcpy(&t->peer, res->ai_addr, res->ai_addrlen);
	t->peer_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* The UDP socket stays unconnected: on a connected one, an ICMP port
 * unreachable from a restarting collector fails the next send. */
static int
transport_open_udp(struct c2w_transport *t)
{
	t->fd = socket(t->peer.ss_family,
		       SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0) {
		TRANSPORT_LOG(ERR, "ipfix %s: cannot open socket: %s\n",
			      t->url, strerror(errno));
		return -EIO;
	}
	t->state = TRANSPORT_UP;
	return 0;
}

static int
transport_tls_error(const struct c2w_transport *t, const char *what,
		    const char *file)
{
	char reason[256];

	ERR_error_string_n(ERR_get_error(), reason, sizeof(reason));
	ERR_clear_error();
	TRANSPORT_LOG(ERR, "ipfix %s: %s %s: cannot load: %s\n", t->url, what,
		      file, reason);
	return -EIO;
}

static int
transport_setup_tls(struct c2w_transport *t, const struct c2w_config *cfg)
{
	const char *key = cfg->tls_key[0] != '\0' ? cfg->tls_key :
			  cfg->tls_cert;

	t->ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (t->ssl_ctx == NULL)
		return -ENOMEM;
	SSL_CTX_set_min_proto_version(t->ssl_ctx, TLS1_2_VERSION);

	if (cfg->tls_ca[0] != '\0') {
		if (SSL_CTX_load_verify_locations(t->ssl_ctx, cfg->tls_ca,
						  NULL) != 1)
			return transport_tls_error(t, "CA file", cfg->tls_ca);
	} else if (SSL_CTX_set_default_verify_paths(t->ssl_ctx) != 1) {
		return transport_tls_error(t, "CA store", "(system default)");
	}
	if (cfg->tls_cert[0] != '\0') {
		if (SSL_CTX_use_certificate_chain_file(t->ssl_ctx,
						       cfg->tls_cert) != 1)
			return transport_tls_error(t, "certificate",
						   cfg->tls_cert);
		if (SSL_CTX_use_PrivateKey_file(t->ssl_ctx, key,
						SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(t->ssl_ctx) != 1)
			return transport_tls_error(t, "private key", key);
	} else if (cfg->tls_key[0] != '\0') {
		TRANSPORT_LOG(ERR, "ipfix %s: tls_key %s: invalid: needs "
			      "tls_cert\n", t->url, cfg->tls_key);
		return -EINVAL;
	}

	if (cfg->tls_verify) {
		SSL_CTX_set_verify(t->ssl_ctx, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify(t->ssl_ctx, SSL_VERIFY_NONE, NULL);
		TRANSPORT_LOG(WARNING, "ipfix %s: certificate check disabled "
			      "(tls_verify = false): anyone on the path can "
			      "read and change the records\n", t->url);
	}
	return 0;
}

int
c2w_transport_create(const struct c2w_config *cfg,
		     struct c2w_transport **out)
{
	struct c2w_transport *t;
	const char *reason;
	char port[8];
	int rc;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->fd = -1;
	TAILQ_INIT(&t->pending);
	TAILQ_INIT(&t->window);
	snprintf(t->url, sizeof(t->url), "%s", cfg->ipfix_url);
	t->backoff_ms = C2W_TRANSPORT_BACKOFF_MIN_MS;
	t->buffer_max = cfg->buffer_bytes;
	t->preamble_off = 1;

	rc = c2w_transport_parse_url(cfg->ipfix_url, &t->proto, t->host,
				     sizeof(t->host), port, sizeof(port),
				     &reason);
	if (rc < 0) {
		TRANSPORT_LOG(ERR, "ipfix url %s: invalid: %s\n",
			      cfg->ipfix_url, reason);
		goto out_destroy;
	}
	/* UDP has no connection to lose, so nothing is kept for resending. */
	t->window_max = t->proto == C2W_TRANSPORT_UDP ? 0 : cfg->resend_bytes;
	rc = transport_resolve(t, port);
	if (rc < 0)
		goto out_destroy;
	if (t->proto == C2W_TRANSPORT_UDP)
		rc = transport_open_udp(t);
	else if (t->proto == C2W_TRANSPORT_TLS)
		rc = transport_setup_tls(t, cfg);
	if (rc < 0)
		goto out_destroy;
	*out = t;
	return 0;

out_destroy:
	c2w_transport_destroy(t);
	return rc;
}

void
c2w_transport_get_stats(const struct c2w_transport *t,
			struct c2w_transport_stats *st)
{
	*st = t->stats;
}

static void
transport_free_list(struct transport_msg_list *list)
{
	struct transport_msg *m;

	while ((m = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, m, next);
		free(m);
	}
}

void
c2w_transport_drop_queued(struct c2w_transport *t)
{
	struct transport_msg *m;

	while ((m = TAILQ_FIRST(&t->pending)) != NULL)
		transport_drop_pending(t, m);
	t->offset = 0;
	t->write_started = false;
}

/*
 * End an established stream at shutdown: close_notify (TLS), then FIN,
 * then read and discard until the collector closes its side or the time
 * is up. Closing a socket with unread input (a TLS session ticket, say)
 * makes the kernel send a reset, and a reset can make the collector's
 * kernel discard the last messages it has not yet read.
 */
static void
transport_close_graceful(struct c2w_transport *t)
{
	uint64_t deadline = transport_mono_ms() + TRANSPORT_CLOSE_MS;
	struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
	uint8_t scratch[4096];
	uint64_t now;

	if (t->ssl != NULL) {
		ERR_clear_error();
		SSL_shutdown(t->ssl);
		ERR_clear_error();
	}
	shutdown(t->fd, SHUT_WR);
	while ((now = transport_mono_ms()) < deadline) {
		if (poll(&pfd, 1, (int)(deadline - now)) <= 0)
			break;
		if (recv(t->fd, scratch, sizeof(scratch), MSG_DONTWAIT) <= 0)
			break;
	}
	transport_close_fd(t, false);
}

void
c2w_transport_destroy(struct c2w_transport *t)
{
	if (t == NULL)
		return;
	c2w_transport_drop_queued(t);
	transport_free_list(&t->window);
	if (t->proto != C2W_TRANSPORT_UDP && t->state == TRANSPORT_UP)
		transport_close_graceful(t);
	transport_close_fd(t, false);
	SSL_CTX_free(t->ssl_ctx);
	free(t->preamble);
	free(t);
}
