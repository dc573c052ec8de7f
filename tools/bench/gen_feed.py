#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a synthetic indicator feed of N distinct ip:port indicators for
load benchmarks (docs/benchmarks.md, "Feed loading").

Addresses come from the three IPv4 documentation ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24), hosts 1..254, and ports count up from
1 once every host is used, so 50 million indicators fit without leaving
those ranges. The file is only read by the feed loader; nothing is sent.

usage: gen_feed.py N {csv,plain} OUT
  csv    ThreatFox-style CSV with a commented header and six columns
  plain  one indicator a line
"""

import sys

RANGES = ('192.0.2', '198.51.100', '203.0.113')
HOSTS = 254
THREAT_TYPES = ('botnet_cc', 'payload_delivery')
MALWARE = ('Remcos', 'AsyncRAT', 'Cobalt Strike', 'QakBot')


def indicator(i):
    """Return the i-th distinct ip:port, i < 3 * 254 * 65535."""
    net = RANGES[i % 3]
    host = (i // 3) % HOSTS + 1
    port = i // (3 * HOSTS) + 1
    return f'{net}.{host}:{port}'


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ('csv', 'plain'):
        sys.exit(__doc__.split('\n\n')[-1])
    n = int(sys.argv[1])
    if not 0 < n <= 3 * HOSTS * 65535:
        sys.exit(f'N {n}: must be 1..{3 * HOSTS * 65535}')
    csv = sys.argv[2] == 'csv'
    with open(sys.argv[3], 'w', buffering=1 << 20) as out:
        if csv:
            out.write('# "first_seen_utc","ioc_value","ioc_type",'
                      '"threat_type","malware_printable","confidence_level"\n')
        for i in range(n):
            if csv:
                day = i % 28 + 1
                out.write(f'"2026-02-{day:02d} 12:00:00","{indicator(i)}",'
                          f'"ip:port","{THREAT_TYPES[i % 2]}",'
                          f'"{MALWARE[i % 4]}","{50 + i % 51}"\n')
            else:
                out.write(indicator(i) + '\n')


if __name__ == '__main__':
    main()
