#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install what c2wall needs to build, test (--test) or benchmark (--bench)
# on Debian 12, skipping the network when every package is already there.
set -eu

BUILD="meson ninja-build pkg-config gcc libdpdk-dev dpdk libconfig-dev
libfixbuf-dev libjansson-dev libpcap-dev libhyperscan-dev libssl-dev"
TEST="python3 python3-scapy python3-yaml tshark libfixbuf-tools rsyslog nfdump
pmacct softflowd clang lua5.3"
# tools/bench/run.sh: dpdk-testpmd (dpdk-dev), the plots and the profile.
BENCH="python3 python3-matplotlib dpdk-dev linux-perf"

want="$BUILD"
case "${1:-}" in
--test) want="$BUILD $TEST" ;;
--bench) want="$BUILD $BENCH" ;;
"") ;;
*)
	echo "usage: install-deps.sh [--test|--bench]" >&2
	exit 1
	;;
esac

missing=""
for pkg in $want; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
		grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -z "$missing" ]; then
	echo "install-deps: every package is installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing; run as root or with sudo" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; keep the default.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
