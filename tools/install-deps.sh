#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install what c2wall needs to build and test on Debian 12, skipping the
# network when every package is already there.
set -eu

BUILD="meson ninja-build pkg-config gcc libdpdk-dev dpdk libconfig-dev
libfixbuf-dev libjansson-dev libpcap-dev libhyperscan-dev libssl-dev"
TEST="python3 python3-scapy python3-yaml tshark libfixbuf-tools rsyslog nfdump
pmacct softflowd clang"

want="$BUILD"
[ "${1:-}" = "--test" ] && want="$BUILD $TEST"

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
