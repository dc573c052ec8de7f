# SPDX-License-Identifier: BSD-3-Clause
"""Points of the benchmark suite (tools/bench/suite.py): which tool runs
on which devices, with which capture, flow table and IOC table.

A point is a dict with these keys:
  tool      testpmd or c2wall
  dev       pcap (net_pcap with infinite_rx into net_null) or null
            (net_null into net_null)
  size      frame bytes with FCS, or imix
  flows     flows in the capture
  hits      percent of flows aimed at indicators
  iocs      indicators in the table
  mode      inline or tap (c2wall only)
  infinite  False for the capacity point, which reads its capture once
  entries   flow table entries (capacity point only)
"""

import math

FULL = {
    "sizes": ["64", "128", "256", "512", "1024", "1518", "imix"],
    "flows": [1000, 100000, 1000000, 4000000],
    "iocs": [10, 1000, 100000, 1000000, 10000000],
    "hits": [0, 1, 100],
    "ioc_flows": 1000000,
    "fit_flows": 4000000,
    "seconds": 5,
    "rounds": 2,
    "lookup_keys": 1 << 20,
}
QUICK = {
    "sizes": ["64", "1518"],
    "flows": [1000, 100000],
    "iocs": [10, 100000],
    "hits": [0, 100],
    "ioc_flows": 100000,
    "fit_flows": 0,
    "seconds": 2,
    "rounds": 1,
    "lookup_keys": 1 << 18,
}
# The base point that the other sweeps vary one parameter of.
BASE_FLOWS = 100000
BASE_IOCS = 100000
BASE_HITS = 1
# Flow table sizes of the two idle runs that give the bytes per entry.
MEM_ENTRIES = (65536, 4194304)
# Flow table of the capacity point: 4 M flows in 4 Mi entries.
FIT_ENTRIES = 4194304
# Other processes may share the two CPUs (builds and tests do not take
# the benchmark lock). A point during which they kept more than this many
# CPUs busy is run once more, and the less disturbed run is kept.
OTHERS_CPU_MAX = 0.25


def human(n):
    """Format a count short: 1k, 100k, 1M, 10M."""
    for div, unit in ((1000000, "M"), (1000, "k")):
        if n >= div and n % div == 0:
            return f"{n // div}{unit}"
    return str(n)


def pow2_at_least(n):
    """Return the smallest power of two >= n."""
    return 1 << max(0, math.ceil(math.log2(max(n, 1))))


def flow_entries_for(flows):
    """Size the flow table of a point: a power of two with 25 % spare."""
    return max(65536, pow2_at_least(flows * 5 // 4))


def describe(p):
    """Name a point in one line, for progress lines and errors."""
    s = "dpdk-testpmd io" if p["tool"] == "testpmd" else \
        f"c2wall {p['mode']}"
    s += f" {p['dev']} {p['size']}"
    if p["dev"] == "pcap":
        s += f" flows={human(p['flows'])}"
    if p["tool"] == "c2wall":
        s += f" iocs={human(p.get('iocs', 10))}"
    if p["dev"] == "pcap":
        s += f" hits={p.get('hits', 0)}%"
    if not p.get("infinite", True):
        s += f" once, flow-entries={p.get('entries')}"
    return s


def trio(dev, size, flows, iocs, hits, ceiling=True):
    """List testpmd (if ceiling), c2wall inline and c2wall tap at one
    point."""
    pcap = dev == "pcap"
    pts = []
    if ceiling:
        pts.append({"tool": "testpmd", "dev": dev, "size": size,
                    "flows": flows if pcap else 0,
                    "hits": hits if pcap else 0,
                    "iocs": iocs if pcap and hits else 0})
    for mode in ("inline", "tap"):
        pts.append({"tool": "c2wall", "mode": mode, "dev": dev,
                    "size": size, "flows": flows if pcap else 0,
                    "iocs": iocs, "hits": hits if pcap else 0})
    return pts


def points(pl):
    """List every point of plan pl once, in run order."""
    pts = []
    for size in pl["sizes"]:
        pts += trio("pcap", size, BASE_FLOWS, BASE_IOCS, BASE_HITS)
        # net_null sends frames of one size only.
        if size != "imix":
            pts += trio("null", size, 0, BASE_IOCS, 0)
    for flows in pl["flows"]:
        pts += trio("pcap", "64", flows, BASE_IOCS, BASE_HITS)
    for iocs in pl["iocs"]:
        pts += trio("pcap", "64", pl["ioc_flows"], iocs, BASE_HITS,
                    ceiling=iocs == pl["iocs"][0])
    for hits in pl["hits"]:
        pts += trio("pcap", "64", BASE_FLOWS, BASE_IOCS, hits,
                    ceiling=hits == pl["hits"][0])
    if pl["fit_flows"]:
        # Read once from the file: the capture need not sit in the mbuf
        # pool, and every flow is still open at the end.
        pts.append({"tool": "c2wall", "mode": "inline", "dev": "pcap",
                    "size": "64", "flows": pl["fit_flows"],
                    "iocs": BASE_IOCS, "hits": BASE_HITS,
                    "infinite": False, "entries": FIT_ENTRIES})
    uniq = []
    for p in pts:
        if p not in uniq:
            uniq.append(p)
    return uniq
