#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Benchmark suite of c2wall (docs/benchmarks.md): installs what is missing,
# rebuilds c2wall, writes the inputs and measures c2wall beside
# dpdk-testpmd. Holds the benchmark lock for the whole run, so that no
# other benchmark shares the CPUs.
#
# Usage: tools/bench/run.sh [--quick] [--build DIR] [--keep] [--help]
#        (--help lists every option)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
lock=${C2W_BENCH_LOCK:-/tmp/c2wall-bench.lock}
for arg in "$@"; do
	case $arg in
	-h|--help) exec /usr/bin/python3 "$top/tools/bench/suite.py" --help ;;
	esac
done
"$top/tools/install-deps.sh" --bench || exit 1
echo "run.sh: waiting for the benchmark lock $lock"
exec flock "$lock" /usr/bin/python3 "$top/tools/bench/suite.py" "$@"
