/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_OPTIONS_H
#define C2W_OPTIONS_H

/*
 * Command line of c2wall-collector. docs/collector.md lists the options;
 * they are a stable interface for scripts.
 */

#include <stdbool.h>
#include <stdint.h>

#include "input.h"
#include "output.h"

#define C2W_OPTIONS_LISTEN_DEFAULT "udp://0.0.0.0:4739"

struct c2w_options {
	struct c2w_input_config in;
	const char *input;       /* --input file, NULL for network input */
	bool all_flows;
	uint64_t count;          /* 0: no limit */
	struct c2w_output_config out;
};

/**
 * Parse the command line into opt, with defaults for what it leaves out.
 * Errors are printed to stderr with the option and the expected value.
 *
 * @param argc
 *   Argument count of main().
 * @param argv
 *   Arguments of main().
 * @param opt
 *   Filled with the options.
 * @return
 *   0 to run, 1 after --help was printed, -EINVAL for invalid options.
 */
int c2w_options_parse(int argc, char **argv, struct c2w_options *opt);

#endif /* C2W_OPTIONS_H */
