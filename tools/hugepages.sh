#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Reserve 2 MiB hugepages for DPDK and mount hugetlbfs on /dev/hugepages.
# Prints "hugepages" when they are usable and "no-huge" when not, so the
# caller can pass --no-huge to the EAL instead.
set -u

PAGES=${1:-512}
sysfs=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

if [ "$(id -u)" -eq 0 ] && [ -w "$sysfs" ]; then
	cur=$(cat "$sysfs")
	[ "$cur" -lt "$PAGES" ] && echo "$PAGES" > "$sysfs" 2>/dev/null
	mkdir -p /dev/hugepages
	grep -qs "/dev/hugepages hugetlbfs" /proc/mounts ||
		mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages \
			2>/dev/null
fi
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "${free:-0}" -ge 128 ] &&
   grep -qs "/dev/hugepages hugetlbfs" /proc/mounts; then
	echo hugepages
else
	echo no-huge
fi
