#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install what is missing, build, and run c2wall inline on two real
# captures with the built-in defaults: ports pair 0-1 and 2-3, action
# block. Port 0 replays a Remcos 7.0.3 check-in, port 2 an IEC 104
# SCADA session on port 2404. The IPFIX alerts go to c2wall-collector
# on loopback, which prints them as CEF.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${C2W_BUILD:-$top/build}
caps=$top/tests/data/captures

"$top/tools/install-deps.sh" --test
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" >/dev/null
ninja -C "$build" >/dev/null

eal_mem="--in-memory"
if [ "$("$top/tools/hugepages.sh")" = no-huge ]; then
	echo "demo: no free hugepages: running with --no-huge"
	eal_mem="--no-huge -m 1024 --no-shconf"
fi

out=$(mktemp -d /tmp/c2wall-demo.XXXXXX)
port=4739
"$build/tools/collector/c2wall-collector" \
	--listen "udp://127.0.0.1:$port" --cef "$out/alerts.cef" \
	--json "$out/alerts.json" 2>"$out/collector.log" &
collector=$!
sleep 0.5

echo "demo: c2wall inline, block, on the Remcos and IEC 104 captures"
# shellcheck disable=SC2086
"$build/app/c2wall" -l 0-1 --no-pci $eal_mem \
	--log-level='*:warning' --log-level='c2w.*:notice' \
	--vdev "net_pcap0,rx_pcap=$caps/remcos-7.0.3-checkin.pcap,tx_pcap=$out/port0.pcap" \
	--vdev "net_pcap1,tx_pcap=$out/port1.pcap" \
	--vdev "net_pcap2,rx_pcap=$caps/iec104-iti.pcap,tx_pcap=$out/port2.pcap" \
	--vdev "net_pcap3,tx_pcap=$out/port3.pcap" -- \
	--iocs "$top/tables/threatfox-remcos.csv" \
	--iocs "$top/tables/remcos-7.0.3-sandbox.csv" \
	--ipfix "udp://127.0.0.1:$port" --idle-exit 1000 \
	--stats-interval 0 | tee "$out/c2wall.log"

sleep 1
kill -INT "$collector" 2>/dev/null || true
wait "$collector" 2>/dev/null || true

/usr/bin/python3 "$top/tools/demo_report.py" \
	"$caps/remcos-7.0.3-checkin.pcap" "$out/port1.pcap" \
	"$caps/iec104-iti.pcap" "$out/port3.pcap"
echo
echo "demo: CEF lines for Sentinel's CommonSecurityLog ($out/alerts.cef):"
cat "$out/alerts.cef"
echo "demo: outputs kept in $out"
