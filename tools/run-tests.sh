#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install what is missing, build with warnings as errors, reserve
# hugepages and run the whole test suite. Extra arguments go to
# `meson test` (e.g. --suite unit).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${C2W_BUILD:-$top/build}

"$top/tools/install-deps.sh" --test
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top" -Dwerror=true
fi
ninja -C "$build"
echo "run-tests: EAL memory: $("$top/tools/hugepages.sh")"
meson test -C "$build" --print-errorlogs "$@"
