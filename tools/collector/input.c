/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "input.h"
#include "log.h"
#include "output.h"

/* Room for one whole message (at most 65535 octets) plus a read. */
#define INPUT_PEER_BUF (2u * 65536u)
/* Reads or accepts per descriptor and poll round, so one busy peer
 * cannot starve the others. */
#define INPUT_READS_PER_ROUND 16
#define INPUT_DATAGRAMS_PER_ROUND 64
/* UDP receive buffer: 16 MiB holds about 11 000 messages of 1472 bytes. */
#define INPUT_UDP_RCVBUF (16 << 20)

enum listener_kind {
	LISTEN_UDP,
	LISTEN_TCP,
	LISTEN_TLS,
};

struct listener {
	int fd;
	enum listener_kind kind;
	const char *url;
	uint32_t kernel_drops;   /* last SO_RXQ_OVFL count seen */
};

enum peer_state {
	PEER_HANDSHAKE,
	PEER_OPEN,
	PEER_CLOSED,
};

struct peer {
	struct c2w_input_source src;
	int fd;
	SSL *ssl;                /* NULL for TCP */
	enum peer_state state;
	bool want_write;         /* OpenSSL waits for the socket to drain */
	bool more;               /* stopped at the read limit, data left */
	int slot;                /* index in the poll array, -1 if none */
	uint64_t accepted_ms;
	uint64_t partial_ms;     /* when the unfinished message began */
	size_t used;
	uint8_t *buf;
};

struct udp_session {
	struct c2w_input_source src;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint64_t last_ms;
};

struct c2w_input {
	struct c2w_input_config cfg;
	struct c2w_input_handler h;
	struct c2w_input_stats stats;
	struct listener lis[C2W_INPUT_LISTEN_MAX];
	unsigned nlis;
	struct peer *peers[C2W_INPUT_PEERS_MAX];
	unsigned npeers;
	unsigned polled_peers;   /* peers[] entries in the last poll array */
	struct udp_session *udp[C2W_INPUT_UDP_SESSIONS_MAX];
	unsigned nudp;
	SSL_CTX *tls;
	struct c2w_clog_limit log_peer;
	uint8_t dgram[65536];
};

static int
set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
		return -errno;
	return 0;
}

/* Text of an address without port; IPv4-mapped IPv6 addresses are written
 * as IPv4, so an exporter has one identity on v4 and dual-stack
 * listeners. */
static void
addr_text(const struct sockaddr_storage *ss, char *buf, size_t size,
	  unsigned *port)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

	if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], buf,
			  (socklen_t)size);
		*port = ntohs(s6->sin6_port);
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)size);
		*port = ntohs(s6->sin6_port);
	} else {
		inet_ntop(AF_INET, &s4->sin_addr, buf, (socklen_t)size);
		*port = ntohs(s4->sin_port);
	}
}

static int
source_init(struct c2w_input *in, struct c2w_input_source *src,
	    const char *kind, const struct sockaddr_storage *ss)
{
	unsigned port = 0;
	int rc;

	rc = c2w_decode_new(in->cfg.pen, &src->dec);
	if (rc != 0)
		return rc;
	src->stream = strcmp(kind, "udp") != 0;
	addr_text(ss, src->identity, sizeof(src->identity), &port);
	snprintf(src->name, sizeof(src->name), "%s %.46s:%u", kind,
		 src->identity, port);
	return 0;
}

/* An exporter that ends many flows at once sends a burst of messages;
 * the default socket buffer (about 200 KiB) overflows and the kernel
 * drops datagrams. Ask for a large buffer (as root beyond rmem_max) and
 * for the kernel's drop count with every datagram, so losses show. */
static void
udp_tune(int fd, const char *url)
{
	int size = INPUT_UDP_RCVBUF, one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) != 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) != 0)
		c2w_clog("--listen %s: cannot enlarge the receive buffer: %s",
			 url, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
}

static int
listener_open(struct c2w_input *in, const char *url)
{
	struct listener *l = &in->lis[in->nlis];
	struct c2w_output_url u;
	struct addrinfo hints, *res = NULL;
	int one = 1, rc;

	if (c2w_output_parse_url(url, &u) != 0)
		return -EINVAL;
	l->url = url;
	l->kind = strcmp(u.scheme, "udp") == 0 ? LISTEN_UDP :
		  strcmp(u.scheme, "tcp") == 0 ? LISTEN_TCP : LISTEN_TLS;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = l->kind == LISTEN_UDP ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(u.host, u.port, &hints, &res);
	if (rc != 0) {
		c2w_clog("--listen %s: address lookup failed: %s", url,
			 gai_strerror(rc));
		return -EADDRNOTAVAIL;
	}
	l->fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		goto out_error;
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->kind == LISTEN_UDP)
		udp_tune(l->fd, url);
	if (bind(l->fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    (l->kind != LISTEN_UDP && listen(l->fd, 64) != 0) ||
	    set_nonblock(l->fd) != 0)
		goto out_error;
	freeaddrinfo(res);
	in->nlis++;
	/* Scripts wait for this line before they send. */
	c2w_clog("listening on %s", url);
	return 0;

out_error:
	c2w_clog("--listen %s: cannot listen: %s; check that the address is "
		 "local and the port free", url, strerror(errno));
	if (l->fd >= 0)
		close(l->fd);
	freeaddrinfo(res);
	return -EADDRNOTAVAIL;
}

static void
log_openssl(const char *what, const char *file)
{
	char err[256];

	ERR_error_string_n(ERR_get_error(), err, sizeof(err));
	c2w_clog("%s %s: %s", what, file, err);
}

static int
tls_open(struct c2w_input *in)
{
	const struct c2w_input_config *cfg = &in->cfg;

	if (cfg->tls_cert == NULL || cfg->tls_key == NULL) {
		c2w_clog("tls:// listener: --tls-cert and --tls-key are "
			 "required");
		return -EINVAL;
	}
	in->tls = SSL_CTX_new(TLS_server_method());
	if (in->tls == NULL)
		return -ENOMEM;
	SSL_CTX_set_min_proto_version(in->tls, TLS1_2_VERSION);
	/* No TLS 1.3 session tickets: an exporter that never reads would
	 * leave them unread, and its close() then resets the connection,
	 * which discards the data still queued for the collector. */
	SSL_CTX_set_num_tickets(in->tls, 0);
	if (SSL_CTX_use_certificate_chain_file(in->tls, cfg->tls_cert) != 1) {
		log_openssl("--tls-cert", cfg->tls_cert);
		return -EPROTO;
	}
	if (SSL_CTX_use_PrivateKey_file(in->tls, cfg->tls_key,
					SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(in->tls) != 1) {
		log_openssl("--tls-key", cfg->tls_key);
		return -EPROTO;
	}
	if (cfg->tls_ca == NULL)
		return 0;
	if (SSL_CTX_load_verify_locations(in->tls, cfg->tls_ca, NULL) != 1) {
		log_openssl("--tls-ca", cfg->tls_ca);
		return -EPROTO;
	}
	SSL_CTX_set_verify(in->tls, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return 0;
}

int
c2w_input_open(const struct c2w_input_config *cfg,
	       const struct c2w_input_handler *handler,
	       struct c2w_input **out)
{
	struct c2w_input *in = calloc(1, sizeof(*in));
	bool need_tls = false;
	unsigned i;
	int rc;

	if (in == NULL)
		return -ENOMEM;
	in->cfg = *cfg;
	in->h = *handler;
	for (i = 0; i < cfg->nlisten; i++)
		need_tls |= strncmp(cfg->listen[i], "tls://", 6) == 0;
	if (need_tls) {
		rc = tls_open(in);
		if (rc != 0)
			goto out_close;
	}
	for (i = 0; i < cfg->nlisten; i++) {
		rc = listener_open(in, cfg->listen[i]);
		if (rc != 0)
			goto out_close;
	}
	*out = in;
	return 0;

out_close:
	c2w_input_close(in);
	return rc;
}

static void
peer_free(struct peer *p)
{
	if (p->ssl != NULL)
		SSL_free(p->ssl);
	if (p->fd >= 0)
		close(p->fd);
	c2w_decode_free(p->src.dec);
	free(p->buf);
	free(p);
}

/* Probes find an exporter that vanished without closing. */
static void
peer_keepalive(int fd)
{
	int on = 1, idle = 60, intvl = 10, cnt = 6;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static void
peer_add(struct c2w_input *in, const struct listener *l, int fd,
	 const struct sockaddr_storage *ss)
{
	struct peer *p = calloc(1, sizeof(*p));

	if (p == NULL || set_nonblock(fd) != 0)
		goto out_error;
	p->fd = fd;
	p->slot = -1;
	p->buf = malloc(INPUT_PEER_BUF);
	if (p->buf == NULL ||
	    source_init(in, &p->src, l->kind == LISTEN_TLS ? "tls" : "tcp",
			ss) != 0)
		goto out_error;
	p->accepted_ms = c2w_clog_now_ms();
	p->state = PEER_OPEN;
	if (l->kind == LISTEN_TLS) {
		p->ssl = SSL_new(in->tls);
		if (p->ssl == NULL || SSL_set_fd(p->ssl, fd) != 1)
			goto out_error;
		p->state = PEER_HANDSHAKE;
	}
	peer_keepalive(fd);
	in->peers[in->npeers++] = p;
	in->stats.peers_accepted++;
	c2w_clog_limited(&in->log_peer, "%s: connected", p->src.name);
	return;

out_error:
	in->stats.read_errors++;
	if (p != NULL) {
		p->fd = fd;
		peer_free(p);
	} else {
		close(fd);
	}
}

static void
listener_accept(struct c2w_input *in, const struct listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int i, fd;

	for (i = 0; i < INPUT_READS_PER_ROUND; i++) {
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				in->stats.read_errors++;
			return;
		}
		if (in->npeers == C2W_INPUT_PEERS_MAX) {
			in->stats.peers_refused++;
			c2w_clog_limited(&in->log_peer, "%s: connection "
					 "refused: %u peers already connected",
					 l->url, C2W_INPUT_PEERS_MAX);
			close(fd);
			continue;
		}
		peer_add(in, l, fd, &ss);
	}
}

static void
peer_close(struct c2w_input *in, struct peer *p, const char *why)
{
	if (p->state == PEER_CLOSED)
		return;
	p->state = PEER_CLOSED;
	c2w_clog_limited(&in->log_peer, "%s: disconnected: %s", p->src.name,
			 why);
}

/* Identity of a TLS peer: its verified certificate subject. */
static void
peer_tls_identity(struct c2w_input *in, struct peer *p)
{
	X509 *cert;
	BIO *bio;
	int n;

	if (in->cfg.tls_ca == NULL)
		return;
	cert = SSL_get_peer_certificate(p->ssl);
	if (cert == NULL)
		return;
	bio = BIO_new(BIO_s_mem());
	if (bio != NULL &&
	    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
			       XN_FLAG_RFC2253) >= 0) {
		memcpy(p->src.identity, "tls:", 4);
		n = BIO_read(bio, p->src.identity + 4,
			     (int)sizeof(p->src.identity) - 5);
		p->src.identity[n > 0 ? 4 + n : 4] = '\0';
	}
	BIO_free(bio);
	X509_free(cert);
}

static void
peer_handshake(struct c2w_input *in, struct peer *p)
{
	char err[200];
	int rc = SSL_accept(p->ssl);

	if (rc == 1) {
		p->state = PEER_OPEN;
		p->want_write = false;
		peer_tls_identity(in, p);
		c2w_clog_limited(&in->log_peer, "%s: TLS %s as %s",
				 p->src.name, SSL_get_version(p->ssl),
				 p->src.identity);
		return;
	}
	switch (SSL_get_error(p->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		p->want_write = false;
		return;
	case SSL_ERROR_WANT_WRITE:
		p->want_write = true;
		return;
	default:
		ERR_error_string_n(ERR_get_error(), err, sizeof(err));
		in->stats.tls_failed++;
		peer_close(in, p, err[0] != '\0' ? err : "TLS handshake "
			   "failed");
	}
}

/* Hand every complete message in the buffer to the handler. Returns
 * false after a framing error, when the peer must be dropped. */
static bool
peer_frame(struct c2w_input *in, struct peer *p)
{
	size_t off = 0, len;
	uint16_t version;
	char detail[96];

	while (p->used - off >= 4) {
		version = (uint16_t)(p->buf[off] << 8 | p->buf[off + 1]);
		len = (size_t)p->buf[off + 2] << 8 | p->buf[off + 3];
		if (version != C2W_DECODE_VERSION || len < C2W_DECODE_HEADER_LEN) {
			snprintf(detail, sizeof(detail), "version %u, length "
				 "%zu", version, len);
			in->h.framing_error(in->h.ctx, &p->src,
					    version != C2W_DECODE_VERSION ?
					    C2W_DECODE_ERR_BAD_VERSION :
					    C2W_DECODE_ERR_BAD_LENGTH, detail);
			in->stats.peers_dropped++;
			peer_close(in, p, "invalid IPFIX message header; the "
				   "stream cannot be framed");
			return false;
		}
		if (p->used - off < len)
			break;
		in->h.message(in->h.ctx, &p->src, p->buf + off, len);
		off += len;
		p->partial_ms = c2w_clog_now_ms();
	}
	if (off > 0) {
		memmove(p->buf, p->buf + off, p->used - off);
		p->used -= off;
	}
	return true;
}

/* Read once; returns bytes read, 0 when nothing is available, -1 when the
 * peer is closed. */
static ssize_t
peer_read_once(struct c2w_input *in, struct peer *p)
{
	size_t room = INPUT_PEER_BUF - p->used;
	ssize_t n;
	int rc;

	if (p->ssl == NULL) {
		n = read(p->fd, p->buf + p->used, room);
		if (n > 0)
			return n;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0)
			in->stats.read_errors++;
		return -1;
	}
	rc = SSL_read(p->ssl, p->buf + p->used, (int)room);
	if (rc > 0)
		return rc;
	switch (SSL_get_error(p->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		p->want_write = false;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		p->want_write = true;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		return -1;
	default:
		in->stats.read_errors++;
		return -1;
	}
}

static void
peer_read(struct c2w_input *in, struct peer *p)
{
	ssize_t n;
	int i;

	p->more = false;
	for (i = 0; i < INPUT_READS_PER_ROUND; i++) {
		n = peer_read_once(in, p);
		if (n < 0) {
			in->stats.peers_closed++;
			peer_close(in, p, p->used > 0 ? "closed inside a "
				   "message" : "closed by the peer");
			return;
		}
		if (n == 0)
			return;
		if (p->used == 0)
			p->partial_ms = c2w_clog_now_ms();
		p->used += (size_t)n;
		if (!peer_frame(in, p))
			return;
	}
	p->more = true;
}

/* Both times come from the monotonic clock; now may be older than a
 * time set while this round read, so the difference is checked first. */
static bool
elapsed(uint64_t now, uint64_t since, uint64_t limit)
{
	return now > since && now - since >= limit;
}

static void
peer_check_time(struct c2w_input *in, struct peer *p, uint64_t now)
{
	if (p->state == PEER_HANDSHAKE &&
	    elapsed(now, p->accepted_ms, C2W_INPUT_HANDSHAKE_MS)) {
		in->stats.peers_timed_out++;
		in->stats.tls_failed++;
		peer_close(in, p, "TLS handshake timed out");
	} else if (p->state == PEER_OPEN && p->used > 0 &&
		   elapsed(now, p->partial_ms, C2W_INPUT_PARTIAL_MS)) {
		in->stats.peers_timed_out++;
		peer_close(in, p, "message not finished in time");
	}
}

static struct udp_session *
udp_session_get(struct c2w_input *in, const struct sockaddr_storage *ss,
		socklen_t len, uint64_t now)
{
	struct udp_session *s;
	unsigned i, oldest = 0;

	for (i = 0; i < in->nudp; i++) {
		s = in->udp[i];
		if (s->addrlen == len && memcmp(&s->addr, ss, len) == 0) {
			s->last_ms = now;
			return s;
		}
		if (s->last_ms < in->udp[oldest]->last_ms)
			oldest = i;
	}

	/* The least recently heard source gives up its slot. */
	if (in->nudp == C2W_INPUT_UDP_SESSIONS_MAX) {
		s = in->udp[oldest];
		c2w_decode_free(s->src.dec);
		free(s);
		in->udp[oldest] = in->udp[--in->nudp];
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || source_init(in, &s->src, "udp", ss) != 0) {
		free(s);
		return NULL;
	}
	memcpy(&s->addr, ss, len);
	s->addrlen = len;
	s->last_ms = now;
	in->udp[in->nudp++] = s;
	return s;
}

static void
udp_read(struct c2w_input *in, struct listener *l)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_storage ss;
	struct iovec iov = { in->dgram, sizeof(in->dgram) };
	struct msghdr mh;
	struct cmsghdr *cm;
	struct udp_session *s;
	uint32_t drops;
	ssize_t n;
	int i;

	for (i = 0; i < INPUT_DATAGRAMS_PER_ROUND; i++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &ss;
		mh.msg_namelen = sizeof(ss);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(l->fd, &mh, 0);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				in->stats.read_errors++;
			return;
		}
		in->stats.datagrams++;
		/* The kernel reports its running count of drops on this
		 * socket; only growth is new loss. */
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		     cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SO_RXQ_OVFL)
				continue;
			memcpy(&drops, CMSG_DATA(cm), sizeof(drops));
			if (drops != l->kernel_drops) {
				in->stats.udp_dropped +=
					(uint32_t)(drops - l->kernel_drops);
				l->kernel_drops = drops;
			}
		}
		s = udp_session_get(in, &ss, mh.msg_namelen,
				    c2w_clog_now_ms());
		if (s != NULL)
			in->h.message(in->h.ctx, &s->src, in->dgram, (size_t)n);
	}
}

size_t
c2w_input_poll_fill(struct c2w_input *in, struct pollfd *fds, size_t max,
		    int *timeout_ms)
{
	uint64_t now = c2w_clog_now_ms(), deadline;
	size_t n = 0;
	unsigned i;

	for (i = 0; i < in->nlis && n < max; i++)
		fds[n++] = (struct pollfd){ .fd = in->lis[i].fd,
					    .events = POLLIN };
	for (i = 0; i < in->npeers; i++) {
		struct peer *p = in->peers[i];

		p->slot = -1;
		if (n == max)
			continue;
		p->slot = (int)n;
		fds[n++] = (struct pollfd){ .fd = p->fd, .events =
			p->want_write ? POLLOUT : POLLIN };
		if (p->more || (p->ssl != NULL && SSL_pending(p->ssl) > 0))
			*timeout_ms = 0;
		deadline = p->state == PEER_HANDSHAKE ?
			   p->accepted_ms + C2W_INPUT_HANDSHAKE_MS :
			   p->used > 0 ? p->partial_ms + C2W_INPUT_PARTIAL_MS :
			   UINT64_MAX;
		if (deadline != UINT64_MAX && *timeout_ms != 0) {
			deadline = deadline > now ? deadline - now : 0;
			if (deadline < (uint64_t)*timeout_ms || *timeout_ms < 0)
				*timeout_ms = (int)deadline;
		}
	}
	in->polled_peers = in->npeers;
	return n;
}

static void
peers_sweep(struct c2w_input *in)
{
	unsigned i = 0;

	while (i < in->npeers) {
		if (in->peers[i]->state != PEER_CLOSED) {
			i++;
			continue;
		}
		peer_free(in->peers[i]);
		in->peers[i] = in->peers[--in->npeers];
	}
}

void
c2w_input_poll_handle(struct c2w_input *in, const struct pollfd *fds,
		      size_t n)
{
	uint64_t now = c2w_clog_now_ms();
	unsigned i;

	for (i = 0; i < in->nlis && i < n; i++) {
		if (!(fds[i].revents & (POLLIN | POLLERR)))
			continue;
		if (in->lis[i].kind == LISTEN_UDP)
			udp_read(in, &in->lis[i]);
		else
			listener_accept(in, &in->lis[i]);
	}
	for (i = 0; i < in->polled_peers; i++) {
		struct peer *p = in->peers[i];
		bool ready = p->slot >= 0 && (size_t)p->slot < n &&
			     fds[p->slot].revents != 0;

		if (ready || p->more ||
		    (p->ssl != NULL && SSL_pending(p->ssl) > 0)) {
			if (p->state == PEER_HANDSHAKE)
				peer_handshake(in, p);
			if (p->state == PEER_OPEN)
				peer_read(in, p);
		}
		peer_check_time(in, p, now);
	}
	peers_sweep(in);
}

void
c2w_input_get_stats(const struct c2w_input *in, struct c2w_input_stats *st)
{
	*st = in->stats;
}

void
c2w_input_close(struct c2w_input *in)
{
	unsigned i;

	if (in == NULL)
		return;
	for (i = 0; i < in->npeers; i++)
		peer_free(in->peers[i]);
	for (i = 0; i < in->nudp; i++) {
		c2w_decode_free(in->udp[i]->src.dec);
		free(in->udp[i]);
	}
	for (i = 0; i < in->nlis; i++)
		close(in->lis[i].fd);
	if (in->tls != NULL)
		SSL_CTX_free(in->tls);
	free(in);
}
