#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run pktgen-dpdk against c2wall, or against dpdk-testpmd io forwarding
# as the baseline, on one machine without a NIC. The device under test
# owns two net_vhost ports (vhost-user servers) and pktgen two
# net_virtio_user ports connected to them. Rates measured this way are
# those of shared memory copies on shared CPUs, not of a NIC.
#
# Usage: tools/pktgen/run-virtual.sh PROFILE_DIR [c2wall|testpmd]
#   PROFILE_DIR    written by c2wall-pktgen.py with --quit
#   PKTGEN         pktgen binary (required)
#   C2W_BUILD      c2wall build directory (default: build)
#   C2W_ACTION     c2wall's --action, block or alert (default: block)
#   C2W_LCORES     EAL --lcores map of c2wall or testpmd (default: 0@0,1@1)
#   PKTGEN_LCORES  EAL --lcores map of pktgen (default: 0@1,1@0)
#   PKTGEN_MEM_MB  pktgen's --no-huge memory (default: estimated below)
#
# pktgen runs with --no-huge, so it takes no hugepages: virtio-user
# shares that memory with the vhost side through a memfd. The results
# land in PROFILE_DIR as pktgen-result-DUT.txt, DUT.log and
# pktgen-DUT.log.
#
# net_memif does not work with pktgen 23.03.0: it stops with "Cannot set
# MTU 1500 on port 0, (95)Operation not supported" because DPDK 22.11's
# memif driver has no MTU operation. The virtio-user driver has one.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: run-virtual.sh PROFILE_DIR [c2wall|testpmd]}
dir=$(cd "$dir" && pwd)
dut=${2:-c2wall}
build=${C2W_BUILD:-$top/build}
action=${C2W_ACTION:-block}
pktgen=${PKTGEN:?set PKTGEN to the pktgen binary}

case $dut in
c2wall|testpmd) ;;
*) echo "run-virtual.sh: $dut: expected c2wall or testpmd" >&2; exit 2 ;;
esac
for f in profile.txt feed.csv port0.pcap c2wall.lua; do
	[ -f "$dir/$f" ] || { echo "run-virtual.sh: $dir/$f: not found;" \
		"write the profile with c2wall-pktgen.py --out $dir" >&2; exit 1; }
done
if ! grep -q "^local QUIT = true" "$dir/c2wall.lua"; then
	echo "run-virtual.sh: $dir/c2wall.lua: written without --quit," \
		"pktgen would not exit" >&2
	exit 1
fi

value() { sed -n "s/^$1=//p" "$dir/profile.txt"; }
flows=$(value flows)
pcap_mib=$(value pktgen_pcap_mib_per_port)
bidir=$(value bidir)

# Flow entries per worker: a power of two with room for every flow,
# at most c2wall's limit of 16777216.
entries=65536
while [ "$entries" -lt $((flows * 2)) ] && [ "$entries" -lt 16777216 ]; do
	entries=$((entries * 2))
done
# pktgen 23.03.0 creates five pools of 24 576 mbufs of 10 KiB per port,
# 1233 MiB, plus the capture pool of each sending port. DPDK needs more
# around them, found by trial: 2800 MiB in all was too little for 1000
# flows of 64 B (2950 enough), and 4449 MiB for 4 million (4800 enough).
pcap_ports=1
[ "$bidir" = 1 ] && pcap_ports=2
pktgen_mib=$((2 * 1300 + pcap_ports * pcap_mib * 5 / 4 + 384))
pktgen_mib=${PKTGEN_MEM_MB:-$pktgen_mib}

result=$dir/pktgen-result.txt
rm -f "$result" "$dir/pktgen-result-$dut.txt"
sock=$(mktemp -d /tmp/c2wall-pktgen.XXXXXX)
dut_pid=""
cleanup() {
	if [ -n "$dut_pid" ]; then
		kill -INT "$dut_pid" 2>/dev/null || true
	fi
	rm -rf "$sock"
	# The EAL leaves its runtime directory behind, empty with --no-shconf:
	# /var/run/dpdk/PREFIX for root, else under XDG_RUNTIME_DIR or /tmp.
	rmdir "/var/run/dpdk/pktgen$$" "${XDG_RUNTIME_DIR:-/tmp}/dpdk/pktgen$$" \
		2>/dev/null || true
}
trap cleanup EXIT

mem="--in-memory"
if [ "$("$top/tools/hugepages.sh")" = no-huge ]; then
	# The flow table takes about 153 bytes per entry, measured in
	# docs/benchmarks.md; 160 leaves a margin.
	mem="--no-huge -m $((1024 + entries * 160 / 1048576)) --no-shconf"
	mem="$mem --file-prefix c2wpg$$"
fi
echo "run-virtual.sh: $dut memory: $mem; pktgen: --no-huge -m $pktgen_mib"

vhost="--vdev net_vhost0,iface=$sock/vhost0.sock,queues=1"
vhost="$vhost --vdev net_vhost1,iface=$sock/vhost1.sock,queues=1"
# shellcheck disable=SC2086
if [ "$dut" = c2wall ]; then
	"$build/app/c2wall" --lcores "${C2W_LCORES:-0@0,1@1}" --no-pci $mem \
		--log-level='*:notice' $vhost -- \
		--iocs "$dir/feed.csv" --action "$action" \
		--flow-entries "$entries" --stats-interval 5000 \
		> "$dir/c2wall.log" 2>&1 &
else
	# Without --stats-period, testpmd would wait for a key on stdin.
	dpdk-testpmd --lcores "${C2W_LCORES:-0@0,1@1}" --no-pci $mem \
		--log-level='*:notice' $vhost -- \
		--forward-mode=io --auto-start --stats-period 5 \
		< /dev/null > "$dir/testpmd.log" 2>&1 &
fi
dut_pid=$!

i=0
while [ ! -S "$sock/vhost1.sock" ]; do
	i=$((i + 1))
	if [ "$i" -gt 600 ] || ! kill -0 "$dut_pid" 2>/dev/null; then
		echo "run-virtual.sh: $dut did not open $sock/vhost1.sock;" \
			"see $dir/$dut.log" >&2
		exit 1
	fi
	sleep 0.1
done

port1=""
[ "$bidir" = 1 ] && port1="-s 1:$dir/port1.pcap"
rc=0
# shellcheck disable=SC2086
(cd "$dir" && "$pktgen" --lcores "${PKTGEN_LCORES:-0@1,1@0}" --no-pci \
	--no-huge -m "$pktgen_mib" --no-shconf --file-prefix "pktgen$$" \
	--log-level='*:notice' \
	--vdev "net_virtio_user0,path=$sock/vhost0.sock,queues=1" \
	--vdev "net_virtio_user1,path=$sock/vhost1.sock,queues=1" -- \
	-P -m "1.[0-1]" -s "0:$dir/port0.pcap" $port1 -f "$dir/c2wall.lua" \
	< /dev/null > "$dir/pktgen-$dut.log" 2>&1) || rc=$?

kill -INT "$dut_pid"
wait "$dut_pid" || true
dut_pid=""
if [ "$rc" -ne 0 ] || [ ! -f "$result" ]; then
	echo "run-virtual.sh: pktgen exited with $rc; see" \
		"$dir/pktgen-$dut.log" >&2
	exit 1
fi
mv "$result" "$dir/pktgen-result-$dut.txt"
if [ "$dut" = c2wall ]; then
	/usr/bin/python3 "$top/tools/pktgen/pktgen-report.py" "$dir" \
		--result "$dir/pktgen-result-c2wall.txt" \
		--c2wall-log "$dir/c2wall.log" --action "$action"
else
	/usr/bin/python3 "$top/tools/pktgen/pktgen-report.py" "$dir" \
		--result "$dir/pktgen-result-testpmd.txt" --action alert
fi
