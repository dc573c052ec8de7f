#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# One-worker forwarding rate of c2wall against dpdk-testpmd io forwarding
# on the same virtual devices: net_pcap with infinite_rx into net_null.
#
# Usage: tools/bench/replay-bench.sh [FLOWS] [FRAME_BYTES] [SECONDS]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# Timed runs hold the benchmark lock, like tools/bench/run.sh.
if [ -z "${C2W_BENCH_LOCKED:-}" ]; then
	C2W_BENCH_LOCKED=1 exec flock "${C2W_BENCH_LOCK:-/tmp/c2wall-bench.lock}" \
		"$0" "$@"
fi
build=${C2W_BUILD:-$top/build}
flows=${1:-10000}
size=${2:-64}
secs=${3:-10}
work=$(mktemp -d /tmp/c2wall-bench.XXXXXX)
pcap=$work/flows.pcap

mem="--in-memory"
[ "$("$top/tools/hugepages.sh")" = no-huge ] && mem="--no-huge -m 2048 --no-shconf"
/usr/bin/python3 "$top/tools/bench/gen_flows.py" "$pcap" "$flows" "$size" 4
# infinite_rx keeps every packet of the capture in the pool.
mbufs=$((flows * 4 + 16384))
# net_null generates packets on RX unless told not to.
vdevs="--vdev net_pcap0,rx_pcap=$pcap,infinite_rx=1 --vdev net_null0,no-rx=1"

# shellcheck disable=SC2086
timeout -s INT $((secs + 5)) dpdk-testpmd -l 0-1 --no-pci $mem \
	--log-level='*:warning' $vdevs -- --forward-mode=io \
	--total-num-mbufs=$mbufs --stats-period "$secs" -a --no-flush-rx \
	> "$work/testpmd.log" 2>&1 || true
# The last statistics block lists port 0 (receiving) and port 1.
ceiling=$(awk '/Rx-pps:/ {if ($2 > v) v = $2} END {print v+0}' \
	"$work/testpmd.log")

# shellcheck disable=SC2086
timeout -s INT $((secs + 3)) "$build/app/c2wall" -l 0-1 --no-pci $mem \
	--log-level='*:warning' $vdevs -- \
	--iocs "$top/tables/threatfox-remcos.csv" --mbufs $mbufs \
	--stats-interval $((secs * 1000)) > "$work/c2wall.log" 2>&1 || true
rate=$(awk '/c2wall: rx .* pps/ {gsub(/[(]/, "", $5); v=$5} END {print v+0}' \
	"$work/c2wall.log")

echo "flows=$flows frame=${size}B seconds=$secs"
echo "dpdk-testpmd io: $ceiling pps"
echo "c2wall inline:   $rate pps"
awk -v c="$ceiling" -v r="$rate" \
	'BEGIN { if (c > 0) printf "ratio:           %.2f\n", r / c }'
rm -rf "$work"
