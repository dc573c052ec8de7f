/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Application options, those after the "--" that ends the EAL options.
 * Each option that overrides a file setting is checked by the config
 * table, so "--flow-entries" and "flows.entries" accept the same values.
 */

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

enum option_id {
	OPT_CONFIG,
	OPT_IOCS,
	OPT_ALLOW,
	OPT_MODE,
	OPT_ACTION,
	OPT_IPFIX,
	OPT_IPFIX_CA,
	OPT_IPFIX_CERT,
	OPT_IPFIX_KEY,
	OPT_IPFIX_NO_VERIFY,
	OPT_EXPORT,
	OPT_RECORDS,
	OPT_STATS_INTERVAL,
	OPT_MBUFS,
	OPT_FLOW_ENTRIES,
	OPT_IDLE_EXIT,
	OPT_STRICT,
	OPT_CHECK,
	OPT_HELP,
	OPT_COUNT,
};

/* One option: getopt name, help text and the file setting it overrides. */
struct option_row {
	const char *name;
	const char *arg;       /* argument shown in --help; NULL: none */
	const char *setting;   /* file setting it sets; NULL: handled here */
	const char *help;
};

static const struct option_row option_rows[OPT_COUNT] = {
	[OPT_CONFIG] = { "config", "FILE", NULL,
		"libconfig file to read before the other options\n"
		"(default: none, built-in settings)" },
	[OPT_IOCS] = { "iocs", "FILE", NULL,
		"IOC table; repeat for more. Replaces the file's\n"
		"tables.iocs (default: none)" },
	[OPT_ALLOW] = { "allow", "FILE", NULL,
		"allow-list table; repeat for more. Replaces the\n"
		"file's tables.allow (default: none)" },
	[OPT_MODE] = { "mode", "inline|tap", "mode",
		"inline forwards between paired ports, tap only\n"
		"receives (default: inline)" },
	[OPT_ACTION] = { "action", "block|alert", "policy.action",
		"block drops a matching flow, alert forwards it and\n"
		"reports it (default: block)" },
	[OPT_IPFIX] = { "ipfix", "URL", "exporter.ipfix",
		"IPFIX collector, udp://, tcp:// or tls:// then\n"
		"HOST:PORT or [IPv6]:PORT (default: none, no export)" },
	[OPT_IPFIX_CA] = { "ipfix-ca", "FILE", "exporter.tls_ca",
		"CA certificates (PEM) that the tls:// collector's\n"
		"certificate must chain to (default: system CAs)" },
	[OPT_IPFIX_CERT] = { "ipfix-cert", "FILE", "exporter.tls_cert",
		"client certificate (PEM) for tls:// (default: none)" },
	[OPT_IPFIX_KEY] = { "ipfix-key", "FILE", "exporter.tls_key",
		"private key of --ipfix-cert (default: in that file)" },
	[OPT_IPFIX_NO_VERIFY] = { "ipfix-no-verify", NULL, NULL,
		"do not check the tls:// collector's certificate\n"
		"(exporter.tls_verify = false; default: checked)" },
	[OPT_EXPORT] = { "export", "alerts|all", "exporter.export",
		"records to export: alerts only, or every flow\n"
		"(default: alerts)" },
	[OPT_RECORDS] = { "records", "biflow|uniflow", "exporter.records",
		"one record per flow with reverse counters, or one\n"
		"per direction (default: biflow)" },
	[OPT_STATS_INTERVAL] = { "stats-interval", "MS", "stats.interval_ms",
		"statistics interval in milliseconds, 0 prints them\n"
		"only at exit (default: 10000)" },
	[OPT_MBUFS] = { "mbufs", "N", "ports.mbufs",
		"packet buffers in the pool, 0 sizes the pool from\n"
		"ports, queues and descriptors (default: 0)" },
	[OPT_FLOW_ENTRIES] = { "flow-entries", "N", "flows.entries",
		"flow table entries per worker, a power of two,\n"
		"1024..16777216 (default: 65536)" },
	[OPT_IDLE_EXIT] = { "idle-exit", "MS", "idle_exit_ms",
		"exit after MS milliseconds without a received\n"
		"packet, 0 runs until a signal (default: 0)" },
	[OPT_STRICT] = { "strict", NULL, NULL,
		"fail on the first invalid table record instead of\n"
		"skipping it (tables.strict, default: off)" },
	[OPT_CHECK] = { "check", NULL, NULL,
		"load the config and tables, print the effective\n"
		"settings and exit" },
	[OPT_HELP] = { "help", NULL, NULL, "print this help and exit" },
};

/* Command-line lists replace the file's list on their first use. */
struct list_state {
	bool iocs_seen;
	bool allow_seen;
};

static void
print_help(FILE *out, const char *prog)
{
	unsigned i;

	fprintf(out,
		"Usage: %s [EAL options] -- [options]\n"
		"\n"
		"Options override the config file; --config is read first\n"
		"wherever it appears. Units: MS milliseconds, N a count.\n"
		"\n", prog);
	for (i = 0; i < OPT_COUNT; i++) {
		const struct option_row *o = &option_rows[i];
		const char *line = o->help;
		char head[40];

		snprintf(head, sizeof(head), "--%s%s%s", o->name,
			 o->arg != NULL ? " " : "",
			 o->arg != NULL ? o->arg : "");
		/* A long option name gets its help on the next line. */
		if (strlen(head) >= 22)
			fprintf(out, "  %s\n  %-22s", head, "");
		else
			fprintf(out, "  %-22s", head);
		/* Continuation lines of the help text line up under the
		 * first one. */
		while (*line != '\0') {
			const char *nl = strchr(line, '\n');
			size_t n = nl != NULL ? (size_t)(nl - line) : strlen(line);

			fprintf(out, "%.*s\n", (int)n, line);
			line += n + (nl != NULL);
			if (*line != '\0')
				fprintf(out, "  %-22s", "");
		}
		if (o->setting != NULL && i != OPT_IDLE_EXIT)
			fprintf(out, "  %-22s(file setting %s)\n", "",
				o->setting);
	}
	fprintf(out,
		"\n"
		"Example, replaying a capture through an inline pair of\n"
		"net_pcap ports without huge pages:\n"
		"  %s -l 0-1 --no-huge -m 1024 --no-pci \\\n"
		"    --vdev 'net_pcap0,rx_pcap=in.pcap,tx_pcap=out0.pcap' \\\n"
		"    --vdev 'net_pcap1,tx_pcap=out1.pcap' \\\n"
		"    -- --config drivers-config/pcap-inline.conf "
		"--idle-exit 2000\n", prog);
}

/* Append a table path given on the command line, relative to the
 * working directory. */
static int
add_path(char **paths, unsigned *count, bool *seen, const char *path,
	 const char *prog, const char *option, FILE *err)
{
	unsigned i;

	if (!*seen) {
		for (i = 0; i < *count; i++) {
			free(paths[i]);
			paths[i] = NULL;
		}
		*count = 0;
		*seen = true;
	}
	if (path[0] == '\0') {
		fprintf(err, "%s: --%s \"\": must be a file name\n", prog,
			option);
		return -EINVAL;
	}
	if (*count >= C2W_MAX_FEEDS) {
		fprintf(err, "%s: --%s %s: at most %d tables of each kind\n",
			prog, option, path, C2W_MAX_FEEDS);
		return -EINVAL;
	}
	paths[*count] = strdup(path);
	if (paths[*count] == NULL) {
		fprintf(err, "%s: --%s %s: out of memory\n", prog, option, path);
		return -ENOMEM;
	}
	(*count)++;
	return 0;
}

/*
 * An inline config run with --mode tap receives on every port of its
 * pairs. The other way round has no sensible pairing, so it is an error.
 */
static int
fit_ports_to_mode(struct c2w_config *cfg, enum c2w_mode file_mode,
		  const char *prog, FILE *err)
{
	struct c2w_port_pair ports[C2W_MAX_PORTS];
	unsigned i, n = 0;

	if (cfg->mode == file_mode || !cfg->pairs_set)
		return 0;
	if (cfg->mode == C2W_MODE_INLINE) {
		fprintf(err, "%s: --mode inline: the config file lists "
			"ports.tap, give the inline pairs in ports.pairs\n",
			prog);
		return -EINVAL;
	}
	for (i = 0; i < cfg->n_pairs; i++) {
		ports[n].a = ports[n].b = cfg->pairs[i].a;
		n++;
		ports[n].a = ports[n].b = cfg->pairs[i].b;
		n++;
	}
	memcpy(cfg->pairs, ports, n * sizeof(ports[0]));
	cfg->n_pairs = n;
	return 0;
}

static void
build_long_options(struct option *opts)
{
	unsigned i;

	for (i = 0; i < OPT_COUNT; i++) {
		opts[i].name = option_rows[i].name;
		opts[i].has_arg = option_rows[i].arg != NULL ? required_argument :
			no_argument;
		opts[i].flag = NULL;
		opts[i].val = (int)i;
	}
	memset(&opts[OPT_COUNT], 0, sizeof(opts[OPT_COUNT]));
}

/*
 * glibc and musl restart getopt from scratch, including the position
 * inside a group of short options, only when optind is 0; optind = 1
 * would keep state left by the EAL's own getopt pass.
 */
static void
reset_getopt(void)
{
	optind = 0;
	opterr = 0;
}

/*
 * Print getopt's complaint about argv[optind - 1] in our own words. With
 * ":" leading the option string, getopt_long returns ':' for a missing
 * argument and sets optopt to the option's index; '?' covers unknown,
 * ambiguous and "--flag=value" for a flag without argument.
 */
static void
report_getopt_error(int c, char **argv, const char *prog, FILE *err)
{
	const char *arg = argv[optind - 1];

	if (c == ':' && optopt >= 0 && optopt < OPT_COUNT) {
		fprintf(err, "%s: --%s: missing argument %s\n", prog,
			option_rows[optopt].name, option_rows[optopt].arg);
		return;
	}
	if (optopt > 0 && optopt < OPT_COUNT &&
	    option_rows[optopt].arg == NULL) {
		fprintf(err, "%s: %s: --%s takes no argument\n", prog, arg,
			option_rows[optopt].name);
		return;
	}
	fprintf(err, "%s: %s: unknown or ambiguous option, see --help\n",
		prog, arg);
}

/* First pass: find --config and --help. Returns the config path or NULL,
 * or sets *result on an error. */
static const char *
scan_config(int argc, char **argv, const struct option *opts,
	    const char *prog, FILE *out, FILE *err,
	    enum c2w_options_result *result)
{
	const char *config = NULL;
	int c;

	*result = C2W_OPTIONS_RUN;
	reset_getopt();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h' || c == OPT_HELP) {
			print_help(out, prog);
			*result = C2W_OPTIONS_EXIT_OK;
			return NULL;
		}
		if (c == '?' || c == ':') {
			report_getopt_error(c, argv, prog, err);
			*result = C2W_OPTIONS_ERROR;
			return NULL;
		}
		if (c != OPT_CONFIG)
			continue;
		if (config != NULL) {
			fprintf(err, "%s: --config %s: given twice, first %s\n",
				prog, optarg, config);
			*result = C2W_OPTIONS_ERROR;
			return NULL;
		}
		config = optarg;
	}
	if (optind < argc) {
		fprintf(err, "%s: %s: unexpected argument, options start with "
			"--\n", prog, argv[optind]);
		*result = C2W_OPTIONS_ERROR;
	}
	return config;
}

static int
apply_option(struct c2w_config *cfg, int c, struct list_state *lists,
	     const char *prog, FILE *err)
{
	const struct option_row *o = &option_rows[c];
	char label[64];

	/* getopt takes the next word as the value even when it is the next
	 * option, as in "--mode --check". */
	if (optarg != NULL && strncmp(optarg, "--", 2) == 0) {
		fprintf(err, "%s: --%s: missing value before %s\n", prog,
			o->name, optarg);
		return -EINVAL;
	}

	switch (c) {
	case OPT_IOCS:
		return add_path(cfg->iocs, &cfg->n_iocs, &lists->iocs_seen,
				optarg, prog, o->name, err);
	case OPT_ALLOW:
		return add_path(cfg->allow, &cfg->n_allow, &lists->allow_seen,
				optarg, prog, o->name, err);
	case OPT_STRICT:
		cfg->strict = true;
		return 0;
	case OPT_IPFIX_NO_VERIFY:
		cfg->tls_verify = false;
		return 0;
	case OPT_CHECK:
		cfg->check = true;
		return 0;
	case OPT_CONFIG:
		return 0;
	default:
		break;
	}
	snprintf(label, sizeof(label), "%s: --%s", prog, o->name);
	return c2w_config_set(cfg, o->setting, optarg, label, err);
}

enum c2w_options_result
c2w_options_parse(struct c2w_config *cfg, int argc, char **argv, FILE *out,
		  FILE *err)
{
	struct option opts[OPT_COUNT + 1];
	struct list_state lists = { false, false };
	enum c2w_options_result result;
	const char *prog = argc > 0 && argv[0] != NULL ? argv[0] : "c2wall";
	const char *config;
	enum c2w_mode file_mode;
	unsigned errors = 0;
	int c;

	build_long_options(opts);
	config = scan_config(argc, argv, opts, prog, out, err, &result);
	if (result != C2W_OPTIONS_RUN)
		return result;
	if (config != NULL && c2w_config_load(cfg, config, err) != 0)
		return C2W_OPTIONS_ERROR;
	file_mode = cfg->mode;

	/* Second pass: every other option, over the file. Bad values are
	 * all reported before giving up, like bad settings in the file. */
	reset_getopt();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c < 0 || c >= OPT_COUNT)
			continue;
		if (apply_option(cfg, c, &lists, prog, err) != 0)
			errors++;
	}
	if (errors == 0 && fit_ports_to_mode(cfg, file_mode, prog, err) != 0)
		errors++;
	return errors == 0 ? C2W_OPTIONS_RUN : C2W_OPTIONS_ERROR;
}
