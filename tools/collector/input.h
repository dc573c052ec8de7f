/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_INPUT_H
#define C2W_INPUT_H

/*
 * Network inputs of the collector: IPFIX over UDP (one message per
 * datagram), over TCP and over TLS (RFC 7011: messages back to back,
 * framed by the length in each header). Every socket is
 * non-blocking and served from the collector's poll loop, so a slow or
 * stalled peer never holds up the others. A peer whose stream does not
 * start with a valid header (version 10, length 16 or more) is
 * disconnected, because the stream cannot be framed after that. All calls
 * come from the collector's main thread.
 */

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipfix_decode.h"

#define C2W_INPUT_LISTEN_MAX 8
/* TCP and TLS peers served at once; more are accepted and closed. */
#define C2W_INPUT_PEERS_MAX 256
/* UDP transport sessions (source address and port) with templates. */
#define C2W_INPUT_UDP_SESSIONS_MAX 1024
/* A TLS handshake must finish within this time. */
#define C2W_INPUT_HANDSHAKE_MS 10000
/* A peer that leaves a message unfinished this long is disconnected. */
#define C2W_INPUT_PARTIAL_MS 60000
#define C2W_INPUT_IDENTITY_MAX 256

/* One transport session: a UDP source, a TCP or TLS connection, or the
 * input file. */
struct c2w_input_source {
	struct c2w_decode *dec;
	bool stream;             /* TCP or TLS: the dedup rule applies */
	/* Exporter identity for the dedup state: "tls:" and the certificate
	 * subject of a verified client, else the IP address. */
	char identity[C2W_INPUT_IDENTITY_MAX];
	char name[80];           /* "tcp 192.0.2.1:40001", for messages */
};

struct c2w_input_handler {
	/* Called with each complete message. */
	void (*message)(void *ctx, struct c2w_input_source *src,
			const uint8_t *msg, size_t len);
	/* Called when a stream is dropped for a framing error. */
	void (*framing_error)(void *ctx, struct c2w_input_source *src,
			      enum c2w_decode_error error,
			      const char *detail);
	void *ctx;
};

struct c2w_input_config {
	const char *listen[C2W_INPUT_LISTEN_MAX];
	unsigned nlisten;
	const char *tls_cert;    /* PEM certificate chain, for tls:// */
	const char *tls_key;     /* PEM private key */
	const char *tls_ca;      /* PEM CA file; if set, clients need a
				  * certificate it signed */
	uint32_t pen;
};

struct c2w_input_stats {
	uint64_t datagrams;
	uint64_t udp_dropped;      /* datagrams the kernel dropped because the
				    * socket buffer was full (SO_RXQ_OVFL) */
	uint64_t peers_accepted;   /* TCP and TLS connections accepted */
	uint64_t peers_closed;     /* connections the peer closed */
	uint64_t peers_dropped;    /* disconnected for a framing error */
	uint64_t peers_timed_out;  /* handshake or message not finished */
	uint64_t peers_refused;    /* closed at once: C2W_INPUT_PEERS_MAX */
	uint64_t tls_failed;       /* failed handshakes, rejected certs */
	uint64_t read_errors;      /* failed reads and accepts */
};

struct c2w_input;

/**
 * Open every listener of cfg and load the TLS certificate and key.
 *
 * @param cfg
 *   Listen URLs and TLS files; the strings must outlive the input.
 * @param handler
 *   Callbacks for messages and framing errors.
 * @param in
 *   Set to the new input.
 * @return
 *   0 on success, -EINVAL for an invalid URL or a tls:// listener
 *   without certificate and key, -EADDRNOTAVAIL if a socket cannot be
 *   bound, -EPROTO if OpenSSL rejects the certificate, key or CA file,
 *   -ENOMEM.
 */
int c2w_input_open(const struct c2w_input_config *cfg,
		   const struct c2w_input_handler *handler,
		   struct c2w_input **in);

/**
 * Add the descriptors to poll to fds.
 *
 * @param in
 *   Input.
 * @param fds
 *   Array to fill.
 * @param max
 *   Size of fds; descriptors beyond it are left out this round.
 * @param timeout_ms
 *   Lowered to the time until the next input deadline, 0 if a TLS
 *   session has decrypted data not yet read.
 * @return
 *   Number of entries filled.
 */
size_t c2w_input_poll_fill(struct c2w_input *in, struct pollfd *fds,
			   size_t max, int *timeout_ms);

/**
 * Serve the descriptors that c2w_input_poll_fill() returned: accept,
 * handshake, read, frame and hand messages to the handler, and close
 * peers that failed or timed out.
 *
 * @param in
 *   Input.
 * @param fds
 *   The array given to c2w_input_poll_fill(), after poll().
 * @param n
 *   The count c2w_input_poll_fill() returned.
 */
void c2w_input_poll_handle(struct c2w_input *in, const struct pollfd *fds,
			   size_t n);

/**
 * Copy the counters.
 *
 * @param in
 *   Input.
 * @param stats
 *   Filled with the counters.
 */
void c2w_input_get_stats(const struct c2w_input *in,
			 struct c2w_input_stats *stats);

/**
 * Close every socket and free the input.
 *
 * @param in
 *   Input, may be NULL.
 */
void c2w_input_close(struct c2w_input *in);

#endif /* C2W_INPUT_H */
