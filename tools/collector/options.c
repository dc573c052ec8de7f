/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipfix_ie.h"
#include "options.h"
#include "spool.h"

#ifndef C2W_VERSION
#define C2W_VERSION "unknown"
#endif

#define OPTIONS_NAME "c2wall-collector"

static const char usage_text[] =
	"usage: " OPTIONS_NAME " [options]\n"
	"Receive c2wall IPFIX alert and flow records and write them as CEF\n"
	"(Microsoft Sentinel CommonSecurityLog) or JSON lines.\n"
	"\n"
	"input (network or file):\n"
	"  --listen URL              receive IPFIX on udp://HOST:PORT,\n"
	"                            tcp://HOST:PORT or tls://HOST:PORT; may\n"
	"                            be given up to 8 times (default "
	C2W_OPTIONS_LISTEN_DEFAULT ",\n"
	"                            IPv6 as udp://[::]:4739)\n"
	"  --tls-cert FILE           PEM certificate chain of tls:// listeners\n"
	"  --tls-key FILE            PEM private key of that certificate\n"
	"  --tls-ca FILE             PEM CA certificates; TLS exporters must\n"
	"                            present a certificate they signed\n"
	"  --input FILE              read an IPFIX file (RFC 5655), - for "
	"stdin;\n"
	"                            exits at end of file\n"
	"output (any; CEF to stdout if none is given):\n"
	"  --cef PATH|-              append CEF lines to PATH or stdout\n"
	"  --json PATH|-             append JSON lines to PATH or stdout\n"
	"  --syslog tcp://HOST:PORT|udp://HOST:PORT\n"
	"                            send CEF over syslog (TCP uses RFC 6587\n"
	"                            octet counting)\n"
	"  --spool DIR               queue syslog messages on disk in DIR while\n"
	"                            syslog is down or slow (TCP only); also\n"
	"                            contains the duplicate-detection state\n"
	"  --spool-max BYTES         spool size limit (default 268435456);\n"
	"                            newer messages are dropped beyond it\n"
	"  --syslog-format 3164|5424 syslog header format (default 3164)\n"
	"  --facility NAME           syslog facility, local0-local7, user,\n"
	"                            daemon or 0-23 (default local4)\n"
	"  --max-line BYTES          maximum CEF line or syslog message size,\n"
	"                            2048 to 65535 (default 8192); longer\n"
	"                            lines have free-text values cut\n"
	"filtering:\n"
	"  --pen N                   private enterprise number of the c2wall\n"
	"                            elements (default 32473)\n"
	"  --all-flows               also write flow records without an\n"
	"                            indicator and flow records of other\n"
	"                            exporters (default: alerts and flow\n"
	"                            records with an indicator)\n"
	"  --count N                 exit after N flow or alert records\n"
	"  --help                    print this text\n"
	"\n"
	"SIGINT or SIGTERM flushes the outputs; counters go to stderr at "
	"exit.\n";

enum option_id {
	OPT_LISTEN = 1,
	OPT_INPUT,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_TLS_CA,
	OPT_CEF,
	OPT_JSON,
	OPT_SYSLOG,
	OPT_SPOOL,
	OPT_SPOOL_MAX,
	OPT_SYSLOG_FORMAT,
	OPT_FACILITY,
	OPT_MAX_LINE,
	OPT_PEN,
	OPT_ALL_FLOWS,
	OPT_COUNT,
	OPT_HELP,
};

static const struct option long_options[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "tls-ca", required_argument, NULL, OPT_TLS_CA },
	{ "cef", required_argument, NULL, OPT_CEF },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "syslog", required_argument, NULL, OPT_SYSLOG },
	{ "spool", required_argument, NULL, OPT_SPOOL },
	{ "spool-max", required_argument, NULL, OPT_SPOOL_MAX },
	{ "syslog-format", required_argument, NULL, OPT_SYSLOG_FORMAT },
	{ "facility", required_argument, NULL, OPT_FACILITY },
	{ "max-line", required_argument, NULL, OPT_MAX_LINE },
	{ "pen", required_argument, NULL, OPT_PEN },
	{ "all-flows", no_argument, NULL, OPT_ALL_FLOWS },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int
parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
	unsigned long long v;
	char *end;

	if (text[0] == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*value = v;
	return 0;
}

static int
option_error(const char *option, const char *value, const char *expected)
{
	fprintf(stderr, OPTIONS_NAME ": --%s %s: invalid value: expected %s\n",
		option, value, expected);
	return -EINVAL;
}

static int
apply_listen(struct c2w_options *opt, const char *arg)
{
	struct c2w_output_url url;

	if (c2w_output_parse_url(arg, &url) != 0)
		return option_error("listen", arg, "udp://HOST:PORT, "
				    "tcp://HOST:PORT or tls://HOST:PORT");
	if (opt->in.nlisten == C2W_INPUT_LISTEN_MAX)
		return option_error("listen", arg, "at most 8 listeners");
	opt->in.listen[opt->in.nlisten++] = arg;
	return 0;
}

static int
apply_output_option(struct c2w_options *opt, int id, const char *arg)
{
	struct c2w_output_url url;
	uint64_t v;

	switch (id) {
	case OPT_SYSLOG:
		if (c2w_output_parse_url(arg, &url) != 0 ||
		    strcmp(url.scheme, "tls") == 0)
			return option_error("syslog", arg,
					    "tcp://HOST:PORT or udp://HOST:PORT");
		opt->out.syslog_url = arg;
		return 0;
	case OPT_SPOOL_MAX:
		if (parse_u64(arg, C2W_SPOOL_MAX_MIN, UINT64_MAX / 2,
			      &opt->out.spool_max) != 0)
			return option_error("spool-max", arg,
					    "bytes, at least 1048576");
		return 0;
	case OPT_SYSLOG_FORMAT:
		if (strcmp(arg, "3164") == 0)
			opt->out.syslog_format = C2W_OUTPUT_SYSLOG_3164;
		else if (strcmp(arg, "5424") == 0)
			opt->out.syslog_format = C2W_OUTPUT_SYSLOG_5424;
		else
			return option_error("syslog-format", arg,
					    "3164 or 5424");
		return 0;
	case OPT_FACILITY:
		if (c2w_output_parse_facility(arg, &opt->out.facility) != 0)
			return option_error("facility", arg,
					    "local0-local7, user, daemon or "
					    "0-23");
		return 0;
	case OPT_MAX_LINE:
		if (parse_u64(arg, 2048, 65535, &v) != 0)
			return option_error("max-line", arg,
					    "bytes from 2048 to 65535");
		opt->out.max_line = (size_t)v;
		return 0;
	default:
		return -EINVAL;
	}
}

static int
apply_option(struct c2w_options *opt, int id, const char *arg)
{
	uint64_t v;

	switch (id) {
	case OPT_LISTEN:
		return apply_listen(opt, arg);
	case OPT_INPUT:
		opt->input = arg;
		return 0;
	case OPT_TLS_CERT:
		opt->in.tls_cert = arg;
		return 0;
	case OPT_TLS_KEY:
		opt->in.tls_key = arg;
		return 0;
	case OPT_TLS_CA:
		opt->in.tls_ca = arg;
		return 0;
	case OPT_CEF:
		opt->out.cef_path = arg;
		return 0;
	case OPT_JSON:
		opt->out.json_path = arg;
		return 0;
	case OPT_SPOOL:
		opt->out.spool_dir = arg;
		return 0;
	case OPT_PEN:
		if (parse_u64(arg, 1, UINT32_MAX, &v) != 0)
			return option_error("pen", arg,
					    "a number from 1 to 4294967295");
		opt->in.pen = (uint32_t)v;
		return 0;
	case OPT_ALL_FLOWS:
		opt->all_flows = true;
		return 0;
	case OPT_COUNT:
		if (parse_u64(arg, 1, UINT64_MAX, &opt->count) != 0)
			return option_error("count", arg, "a positive number");
		return 0;
	default:
		return apply_output_option(opt, id, arg);
	}
}

static void
set_defaults(struct c2w_options *opt)
{
	opt->in.pen = C2W_IPFIX_PEN_DEFAULT;
	opt->out.syslog_format = C2W_OUTPUT_SYSLOG_3164;
	opt->out.facility = C2W_OUTPUT_FACILITY_DEFAULT;
	opt->out.max_line = C2W_CEF_MAX_LINE_DEFAULT;
	opt->out.spool_max = C2W_SPOOL_MAX_DEFAULT;
	opt->out.device.vendor = "c2wall";
	opt->out.device.product = "c2wall";
	opt->out.device.version = C2W_VERSION;
}

static int
check_combinations(struct c2w_options *opt)
{
	const char *why = NULL;

	if (opt->in.nlisten > 0 && opt->input != NULL)
		why = "--listen and --input are exclusive: give one input";
	else if (opt->out.spool_dir != NULL &&
		 (opt->out.syslog_url == NULL ||
		  strncmp(opt->out.syslog_url, "tcp://", 6) != 0))
		why = "--spool needs --syslog tcp://HOST:PORT";
	else if ((opt->in.tls_key != NULL || opt->in.tls_ca != NULL) &&
		 opt->in.tls_cert == NULL)
		why = "--tls-key and --tls-ca need --tls-cert";
	if (why != NULL) {
		fprintf(stderr, OPTIONS_NAME ": %s\n", why);
		return -EINVAL;
	}
	if (opt->in.nlisten == 0 && opt->input == NULL)
		opt->in.listen[opt->in.nlisten++] = C2W_OPTIONS_LISTEN_DEFAULT;
	if (opt->out.cef_path == NULL && opt->out.json_path == NULL &&
	    opt->out.syslog_url == NULL)
		opt->out.cef_path = "-";
	return 0;
}

int
c2w_options_parse(int argc, char **argv, struct c2w_options *opt)
{
	int id;

	set_defaults(opt);
	while ((id = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (id == OPT_HELP) {
			fputs(usage_text, stdout);
			return 1;
		}
		if (id == '?' || apply_option(opt, id, optarg) != 0) {
			fprintf(stderr, "Run " OPTIONS_NAME " --help for the "
				"options.\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, OPTIONS_NAME ": %s: unexpected argument; "
			"options start with --\n", argv[optind]);
		return -EINVAL;
	}
	return check_combinations(opt);
}
