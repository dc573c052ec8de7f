#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install what is missing, build with warnings as errors, reserve
# hugepages and run the whole test suite, then the libFuzzer targets in
# a clang build beside it. Extra arguments go to the first `meson test`
# (e.g. --suite unit).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${C2W_BUILD:-$top/build}
fuzz_build=$build-fuzz

"$top/tools/install-deps.sh" --test || exit 1
# The demo may have set up the same build directory without -Dwerror.
if [ -f "$build/build.ninja" ]; then
	meson configure "$build" -Dwerror=true || exit 1
else
	meson setup "$build" "$top" -Dwerror=true || exit 1
fi
ninja -C "$build" || exit 1
echo "run-tests: EAL memory: $("$top/tools/hugepages.sh")"
meson test -C "$build" --print-errorlogs "$@"
status=$?

# A fuzz build that fails leaves a marker that .ci/run counts as a
# failed test, so the closing line cannot hide it.
if [ $# -eq 0 ]; then
	rm -f "$fuzz_build.failed"
	if { [ -f "$fuzz_build/build.ninja" ] ||
	     CC=clang meson setup "$fuzz_build" "$top" -Dfuzz=true \
		-Dwerror=true >/dev/null; } &&
	   ninja -C "$fuzz_build" tests/fuzz/parse_fuzz tests/fuzz/feed_fuzz
	then
		meson test -C "$fuzz_build" --suite fuzz --print-errorlogs ||
			status=1
	else
		echo "run-tests: the clang fuzz build failed" >&2
		touch "$fuzz_build.failed"
		status=1
	fi
fi
exit $status
