/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_TABLES_H
#define C2W_TABLES_H

/*
 * Loading the indicator and allowlist tables named in the config. Runs
 * on the main thread at start and on the reload thread later; never on
 * a worker.
 */

#include "config.h"
#include "ioc.h"

/**
 * Read every feed file of cfg and build the indicator and allowlist
 * tables. A summary per table goes to stdout, every rejected record and
 * error to stderr, each naming the file.
 *
 * @param cfg
 *   Feed files, strictness.
 * @param iocs
 *   Set to the new indicator table.
 * @param allow
 *   Set to the new allowlist table.
 * @return
 *   0 on success, with both tables built; on failure both are left
 *   untouched and nothing is leaked: -EINVAL for a file with no valid
 *   record or, with strict, an invalid one; -ENOENT and other negative
 *   errnos when a file cannot be read; -ENOMEM or -ENOSPC when a table
 *   cannot be built.
 */
int c2w_tables_load(const struct c2w_config *cfg, struct c2w_ioc_table **iocs,
		    struct c2w_ioc_table **allow);

#endif /* C2W_TABLES_H */
