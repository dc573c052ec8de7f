/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_CONFIG_H
#define C2W_CONFIG_H

/*
 * Run-time settings: built-in defaults, then the libconfig file, then
 * command-line options, each overriding the one before. Loading runs on
 * the main thread before any port is touched.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define C2W_MAX_PORTS 16
#define C2W_MAX_WORKERS 16
#define C2W_MAX_FEEDS 32
#define C2W_URL_MAX 256

enum c2w_mode {
	C2W_MODE_INLINE = 0,  /* forward each port to its pair */
	C2W_MODE_TAP,         /* receive only, never transmit */
};

enum c2w_action {
	C2W_ACTION_BLOCK = 0, /* drop every packet of a matching flow */
	C2W_ACTION_ALERT,     /* forward and report */
};

/* Policy for a new flow that finds the flow table full. */
enum c2w_table_full {
	C2W_TABLE_FULL_OPEN = 0,   /* forward unmatched packets untracked */
	C2W_TABLE_FULL_CLOSED,     /* drop packets that get no entry */
};

/* Inline mode's policy for a malformed IP packet. */
enum c2w_malformed {
	C2W_MALFORMED_DROP = 0,
	C2W_MALFORMED_FORWARD,
};

/* Source of flow times. */
enum c2w_clock {
	C2W_CLOCK_AUTO = 0,   /* RX timestamps when the port has them */
	C2W_CLOCK_SYSTEM,     /* wall clock at receive */
};

enum c2w_export_scope {
	C2W_EXPORT_ALERTS = 0, /* alerts and matching flows' records */
	C2W_EXPORT_ALL,        /* also every other flow's record */
};

/* Record layout of a flow in IPFIX. */
enum c2w_export_records {
	C2W_RECORDS_BIFLOW = 0, /* one record, RFC 5103 reverse elements */
	C2W_RECORDS_UNIFLOW,    /* one record per direction with packets */
};

/* Inline mode forwards a to b and b to a; tap mode lists one port in a
 * and repeats it in b. */
#define C2W_MAX_RULES 64

/* One policy rule: an indicator that matches every field set here takes
 * the rule's action. The first matching rule wins. */
struct c2w_policy_rule {
	char table[64];         /* feed file name without directory; "" any */
	char threat_type[32];   /* e.g. "botnet_cc"; "" any */
	char malware[48];       /* e.g. "Remcos"; "" any */
	char tag[32];           /* one of the indicator's tags; "" any */
	uint8_t min_confidence; /* 0..100 */
	uint8_t action;         /* enum c2w_ioc_action */
	unsigned line;          /* line in the config file */
};

/* Time an indicator's age counts from (tables.age_by). */
enum c2w_age_by {
	C2W_AGE_LAST_SEEN = 0,  /* last seen, else first seen */
	C2W_AGE_FIRST_SEEN,
};

struct c2w_port_pair {
	uint16_t a;
	uint16_t b;
};

struct c2w_config {
	char file[PATH_MAX];           /* config file read, "" if none */

	/* ports */
	enum c2w_mode mode;
	unsigned n_pairs;              /* inline: pairs; tap: ports in .a */
	struct c2w_port_pair pairs[C2W_MAX_PORTS];
	bool pairs_set;                /* false: inline pairs ports 0-1, 2-3,
					* ...; tap uses every port */
	uint16_t rx_desc;              /* per queue, power of two */
	uint16_t tx_desc;
	uint16_t burst;                /* 1..64 */
	uint32_t mbufs;                /* packet pool size; 0: computed */
	bool promiscuous;

	/* workers: worker i polls RX queue i of every port and sends on TX
	 * queue i; n_workers queues per port, RSS spreads flows over them. */
	unsigned n_workers;
	unsigned worker_lcores[C2W_MAX_WORKERS]; /* 0 entries: next lcores */
	bool worker_lcores_set;

	/* tables and policy */
	unsigned n_iocs;
	char *iocs[C2W_MAX_FEEDS];     /* strdup'ed paths */
	unsigned n_allow;
	char *allow[C2W_MAX_FEEDS];
	bool strict;
	uint32_t max_age_days;         /* drop older indicators; 0: keep */
	enum c2w_age_by age_by;
	unsigned n_rules;
	struct c2w_policy_rule rules[C2W_MAX_RULES];
	enum c2w_action action;
	enum c2w_malformed malformed;

	/* flows */
	uint32_t flow_entries;         /* per worker, 1024..16M */
	uint32_t idle_timeout_ms;
	uint32_t active_timeout_ms;
	enum c2w_table_full table_full;
	enum c2w_clock clock;

	/* exporter */
	char ipfix_url[C2W_URL_MAX];   /* "udp|tcp|tls://host:port" or "" */
	uint32_t pen;
	uint32_t observation_domain;
	uint32_t template_refresh_s;   /* UDP template resend interval, 0: off */
	uint32_t template_refresh_msgs; /* UDP: resend after this many
					 * messages, 0: off */
	uint16_t export_mtu;           /* max IPFIX message size in bytes */
	enum c2w_export_scope export_scope;
	enum c2w_export_records export_records;
	uint32_t event_ring_size;      /* events, power of two */
	uint32_t export_stats_s;       /* exporter options record interval,
					* seconds, 0: off */
	uint32_t buffer_bytes;         /* messages waiting to be sent */
	uint32_t resend_bytes;         /* TCP/TLS resend window, 0: off */
	char tls_ca[PATH_MAX];         /* CA file, "": system default CAs */
	char tls_cert[PATH_MAX];       /* client certificate, "": none */
	char tls_key[PATH_MAX];        /* its private key, "": in tls_cert */
	bool tls_verify;               /* check the collector's certificate */

	/* run control */
	uint32_t stats_interval_ms;    /* 0: only at exit */
	uint32_t idle_exit_ms;         /* 0: run until a signal */
	bool check;                    /* --check: load, summarise, exit */
};

/* Result of c2w_options_parse(). */
enum c2w_options_result {
	C2W_OPTIONS_RUN = 0,   /* go on */
	C2W_OPTIONS_EXIT_OK,   /* --help printed: exit 0 */
	C2W_OPTIONS_ERROR,     /* message printed: exit 2 */
};

/**
 * Fill a config with the built-in defaults. The config owns no strings
 * afterwards, so it needs no c2w_config_free() until a load or an option
 * adds table paths.
 *
 * @param cfg
 *   Settings to overwrite; any strings it owned are not freed.
 */
void c2w_config_defaults(struct c2w_config *cfg);

/**
 * Read a libconfig file over the current settings. Every error names the
 * file, the line, the setting path, the value read and what is valid, for
 * example "c2wall.conf:42: flows.entries = 1000: must be a power of two,
 * 1024..16777216". Settings the file does not name keep their value; a
 * list the file names (tables.iocs, ports.pairs...) replaces the old one.
 * Relative table paths are resolved against the directory of the file
 * that names them; whether the tables exist is left to the feed loader.
 * On error cfg is left unchanged.
 *
 * @param cfg
 *   Settings to update.
 * @param path
 *   File to read.
 * @param err
 *   Stream for error messages.
 * @return
 *   0 on success; the negative errno of fopen() (-ENOENT, -EACCES...) if
 *   the file cannot be opened; -EINVAL on a syntax error or on invalid or
 *   unknown settings (all of them are reported, not only the first);
 *   -ENOMEM if a path cannot be copied.
 */
int c2w_config_load(struct c2w_config *cfg, const char *path, FILE *err);

/**
 * Parse the application options (those after "--"): first --config, then
 * the rest over it. Prints errors and --help text itself. --iocs and
 * --allow replace the file's list on first use and append after that.
 * Resets getopt with optind = 0 because the EAL has already used it.
 *
 * @param cfg
 *   Settings, already holding the defaults.
 * @param argc
 *   Count of arguments; argv[0] is the program name.
 * @param argv
 *   Arguments.
 * @param out
 *   Stream for --help.
 * @param err
 *   Stream for errors.
 * @return
 *   C2W_OPTIONS_RUN to go on, C2W_OPTIONS_EXIT_OK after --help,
 *   C2W_OPTIONS_ERROR after printing what is invalid.
 */
enum c2w_options_result c2w_options_parse(struct c2w_config *cfg, int argc,
					  char **argv, FILE *out, FILE *err);

/**
 * Set one file setting from command-line text, with the same checks as
 * the file loader. Errors read "<label> <value>: <what is accepted>".
 *
 * @param cfg
 *   Settings to update; unchanged on error.
 * @param name
 *   Dotted setting name as in the file, e.g. "flows.entries". Only
 *   integer, enumerated, URL and single file name settings are accepted
 *   here; a file name is taken as given, relative to the working
 *   directory.
 * @param value
 *   Text to parse; integers are decimal without sign or suffix.
 * @param label
 *   How the message names the source, e.g. "--flow-entries".
 * @param err
 *   Stream for the error message.
 * @return
 *   0 on success, -EINVAL if the value is invalid, -ENOENT if name is not
 *   a setting of those kinds.
 */
int c2w_config_set(struct c2w_config *cfg, const char *name,
		   const char *value, const char *label, FILE *err);

/**
 * Check an exporter URL: "udp://HOST:PORT", "tcp://HOST:PORT" or
 * "tls://HOST:PORT", IPv6 addresses in brackets ("tcp://[IPv6]:PORT"),
 * PORT 1..65535; "" means no export.
 *
 * @param url
 *   Text to check.
 * @param why
 *   Receives a short reason on failure.
 * @param why_size
 *   Size of why in bytes.
 * @return
 *   0 if valid, -EINVAL otherwise.
 */
int c2w_config_check_url(const char *url, char *why, size_t why_size);

/**
 * Release the strings a config owns and clear the table lists.
 *
 * @param cfg
 *   Settings whose tables.iocs and tables.allow paths are freed.
 */
void c2w_config_free(struct c2w_config *cfg);

/**
 * Print the effective settings, one "name = value" a line, as --check
 * shows them. Names are those of the file, so the output reads like a
 * config; idle_exit_ms comes from --idle-exit and has no file setting.
 *
 * @param cfg
 *   Settings to print.
 * @param out
 *   Stream to print to.
 */
void c2w_config_print(const struct c2w_config *cfg, FILE *out);

#endif /* C2W_CONFIG_H */
