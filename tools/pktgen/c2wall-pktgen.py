#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a pktgen-dpdk benchmark profile for c2wall.

The profile is a directory holding:

  port0.pcap    frames pktgen sends on its port 0 (toward c2wall port 0)
  port1.pcap    with --bidir, the reply direction sent on pktgen port 1
  feed.csv      ThreatFox-style CSV of the indicator endpoints, for
                c2wall --iocs
  c2wall.lua    pktgen script: start, sample tx/rx pps, stop, write totals
  profile.txt   what the frames contain, read by pktgen-report.py

pktgen sends the pcap files in PCAP mode (-s PORT:FILE). Its range mode
cannot give 100 000 flows or IMIX, because pktgen 23.03.0 builds each
range packet only once, into one of the 24 576 mbufs of the queue's
range pool, and takes one frame size range.

Each flow is one UDP packet per pass over the capture, so the share of
packets toward indicators equals the share of flows, hit_flows / flows.
With --size imix the hit flows and the other flows each cycle through
the IMIX sizes on their own, so both sets have the IMIX mix.
Sources come from 198.18.0.0/15 (RFC 2544 benchmark range), ordinary
destinations from 198.51.100.0/24 and indicator endpoints from
203.0.113.0/24, all reserved ranges.
"""

import argparse
import os
import struct
import sys

MAX_FLOWS = 1 << 24
SRC_NET = 0xC6120000            # 198.18.0.0/15
SRC_HOSTS = 1 << 17
CLEAN_NET = 0xC6336400          # 198.51.100.0/24
IOC_NET = 0xCB007100            # 203.0.113.0/24
EXTRA_NET = 0xC0000200          # 192.0.2.0/24, feed-only indicators
HOSTS = 254
IOC_PORT_BASE = 4000
MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
# Simple IMIX: 7 x 64, 4 x 594, 1 x 1518 bytes, 361.8 bytes on average.
IMIX = (64, 64, 594, 64, 64, 594, 64, 1518, 64, 594, 64, 594)
# pktgen 23.03.0 copies each pcap frame into a mempool object of the
# largest frame + 128 B struct rte_mbuf + 128 B headroom, rounded up to
# 64 B, after a 64 B mempool object header. A capture shorter than
# 24 576 frames is repeated up to that count.
PKTGEN_MBUF_OVERHEAD = 256
PKTGEN_OBJ_HEADER = 64
PKTGEN_PCAP_MIN_MBUFS = 24576


def ip_str(addr):
    return ".".join(str((addr >> s) & 0xFF) for s in (24, 16, 8, 0))


def ipv4_checksum(header):
    total = sum(struct.unpack("!10H", header))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp_frame(macs, src, dst, sport, dport, size):
    """Build an Ethernet/IPv4/UDP frame of size bytes, FCS included, so
    the capture contains size - 4 bytes and the NIC appends the FCS."""
    ip_len = size - 4 - 14
    header = struct.pack("!BBHHHBBHII", 0x45, 0, ip_len, 0, 0, 64, 17, 0,
                         src, dst)
    csum = ipv4_checksum(header)
    header = header[:10] + struct.pack("!H", csum) + header[12:]
    udp = struct.pack("!HHHH", sport, dport, ip_len - 20, 0)
    return macs + b"\x08\x00" + header + udp + bytes(ip_len - 28)


def source(i):
    """Source address and port of flow i: 131 072 hosts, then ports."""
    return SRC_NET + i % SRC_HOSTS, 1024 + i // SRC_HOSTS


def indicator(j):
    """Endpoint of indicator j, 254 hosts of 203.0.113.0/24 per port."""
    return IOC_NET + 1 + j % HOSTS, IOC_PORT_BASE + j // HOSTS


def extra_indicator(j):
    """Feed-only indicator j in 192.0.2.0/24; no frame goes there."""
    return EXTRA_NET + 1 + j % HOSTS, IOC_PORT_BASE + j // HOSTS


def is_hit(i, flows, hit_flows):
    """Spread hit_flows over flows evenly, as a line is drawn on a grid."""
    return (i + 1) * hit_flows // flows > i * hit_flows // flows


def flow_tuples(flows, hit_flows, indicators):
    """Yield (src, sport, dst, dport, hit) for each flow in send order."""
    hits = 0
    for i in range(flows):
        src, sport = source(i)
        if is_hit(i, flows, hit_flows):
            dst, dport = indicator(hits % indicators)
            hits += 1
            yield src, sport, dst, dport, True
        else:
            dst = CLEAN_NET + 1 + i % HOSTS
            yield src, sport, dst, 443, False


def frame_size(args, n):
    """Return the size of the n-th frame of the hit or the other flows."""
    return IMIX[n % len(IMIX)] if args.size == "imix" else int(args.size)


def pktgen_pcap_mib(frames, max_frame):
    """Estimate the MiB that pktgen 23.03.0 takes for one port's capture."""
    mbufs = frames
    if frames < PKTGEN_PCAP_MIN_MBUFS:
        mbufs = PKTGEN_PCAP_MIN_MBUFS // frames * frames
    # The capture contains each frame without its 4-byte FCS.
    obj = (max_frame - 4 + PKTGEN_MBUF_OVERHEAD + 63) // 64 * 64
    return (mbufs * (obj + PKTGEN_OBJ_HEADER) + (1 << 20) - 1) >> 20


def pcap_header():
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def pcap_record(i, frame):
    return struct.pack("<IIII", 1700000000 + i // 1000000, i % 1000000,
                       len(frame), len(frame)) + frame


def write_pcaps(args, hit_flows, indicators):
    """Write port0.pcap and, with --bidir, port1.pcap; return the frame
    statistics profile.txt records."""
    stats = {"frames": 0, "hit_frames": 0, "bytes": 0, "hit_bytes": 0,
             "max_frame": 0}
    files = [open(os.path.join(args.out, "port0.pcap"), "wb",
                  buffering=1 << 20)]
    if args.bidir:
        files.append(open(os.path.join(args.out, "port1.pcap"), "wb",
                          buffering=1 << 20))
    for f in files:
        f.write(pcap_header())
    tuples = flow_tuples(args.flows, hit_flows, indicators)
    for i, (src, sport, dst, dport, hit) in enumerate(tuples):
        if hit:
            size = frame_size(args, stats["hit_frames"])
        else:
            size = frame_size(args, stats["frames"] - stats["hit_frames"])
        files[0].write(pcap_record(i, udp_frame(MAC_B + MAC_A, src, dst,
                                                sport, dport, size)))
        if args.bidir:
            files[1].write(pcap_record(i, udp_frame(MAC_A + MAC_B, dst, src,
                                                    dport, sport, size)))
        stats["frames"] += 1
        stats["bytes"] += size
        stats["max_frame"] = max(stats["max_frame"], size)
        if hit:
            stats["hit_frames"] += 1
            stats["hit_bytes"] += size
    for f in files:
        f.close()
    return stats


def write_feed(args, indicators):
    """Write feed.csv: the indicators traffic hits, then --feed-extra
    indicators that only grow the table."""
    path = os.path.join(args.out, "feed.csv")
    with open(path, "w", buffering=1 << 20) as out:
        out.write('# "first_seen_utc","ioc_value","ioc_type","threat_type",'
                  '"malware_printable","confidence_level"\n')
        endpoints = [indicator(j) for j in range(indicators)]
        endpoints += [extra_indicator(j) for j in range(args.feed_extra)]
        for addr, port in endpoints:
            out.write('"2026-01-01 00:00:00","%s:%d","ip:port","botnet_cc",'
                      '"benchmark","100"\n' % (ip_str(addr), port))


LUA_TEMPLATE = """\
-- SPDX-License-Identifier: BSD-3-Clause
-- pktgen-dpdk script written by tools/pktgen/c2wall-pktgen.py for c2wall:
-- {summary}
-- Run pktgen with -s 0:port0.pcap{port1_arg} -f c2wall.lua.
-- Prints tx/rx packets per second of both ports once a second, then
-- totals, and writes the totals as key=value to pktgen-result.txt beside
-- this script, so the profile directory may be copied anywhere.

local TX_PORTS = "{tx_ports}"
local DURATION_S = {duration}
local QUIT = {quit}
-- pktgen loads the script with luaL_loadfile, which names the chunk
-- "@" followed by the path given to -f.
local RESULT = (debug.getinfo(1, "S").source:match("^@(.*/)") or "") ..
	"pktgen-result.txt"

local function port_stats(kind)
\tlocal s = pktgen.portStats("0-1", kind)
\treturn s[0], s[1]
end

pktgen.screen("off")
pktgen.set("all", "rate", {rate})
pktgen.set("all", "count", 0)
pktgen.pcap(TX_PORTS, "on")
pktgen.clr()
pktgen.delay(1100)
pktgen.start(TX_PORTS)

local sum = {{tx0 = 0, rx0 = 0, tx1 = 0, rx1 = 0}}
for t = 1, DURATION_S do
\tpktgen.delay(1000)
\tlocal r0, r1 = port_stats("rate")
\tprint(string.format("pktgen: t=%ds port 0 tx %d rx %d pps, " ..
\t\t"port 1 tx %d rx %d pps", t, r0.pkts_tx, r0.pkts_rx,
\t\tr1.pkts_tx, r1.pkts_rx))
\tsum.tx0 = sum.tx0 + r0.pkts_tx
\tsum.rx0 = sum.rx0 + r0.pkts_rx
\tsum.tx1 = sum.tx1 + r1.pkts_tx
\tsum.rx1 = sum.rx1 + r1.pkts_rx
end

pktgen.stop(TX_PORTS)
-- pktgen refreshes its port counters once a second; wait for the
-- frames still in flight through c2wall and two refreshes.
pktgen.delay(2500)

local p0, p1 = port_stats("port")
local totals = {{
\tduration_s = DURATION_S,
\tport0_tx_pkts = p0.opackets, port0_rx_pkts = p0.ipackets,
\tport1_tx_pkts = p1.opackets, port1_rx_pkts = p1.ipackets,
\tport0_tx_pps = math.floor(sum.tx0 / DURATION_S),
\tport0_rx_pps = math.floor(sum.rx0 / DURATION_S),
\tport1_tx_pps = math.floor(sum.tx1 / DURATION_S),
\tport1_rx_pps = math.floor(sum.rx1 / DURATION_S),
\tport0_imissed = p0.imissed, port1_imissed = p1.imissed,
\tport0_oerrors = p0.oerrors, port1_oerrors = p1.oerrors,
\tport0_rx_nombuf = p0.rx_nombuf, port1_rx_nombuf = p1.rx_nombuf,
}}
local keys = {{}}
for k in pairs(totals) do keys[#keys + 1] = k end
table.sort(keys)
local f = assert(io.open(RESULT, "w"))
for _, k in ipairs(keys) do
\tprint(string.format("pktgen: %s %d", k, totals[k]))
\tf:write(string.format("%s=%d\\n", k, totals[k]))
end
f:close()
print("pktgen: totals written to " .. RESULT)
if QUIT then pktgen.quit() end
"""


def write_lua(args, summary):
    text = LUA_TEMPLATE.format(
        summary=summary,
        port1_arg=" -s 1:port1.pcap" if args.bidir else "",
        tx_ports="0-1" if args.bidir else "0",
        duration=args.duration,
        quit="true" if args.quit else "false",
        rate=args.rate)
    with open(os.path.join(args.out, "c2wall.lua"), "w") as f:
        f.write(text)


def write_profile(args, stats, hit_flows, indicators):
    directions = 2 if args.bidir else 1
    per_port = stats["frames"]
    mem_mib = pktgen_pcap_mib(per_port, stats["max_frame"])
    rows = [
        ("size", args.size),
        ("flows", args.flows),
        ("hit_percent", args.hit),
        ("hit_flows", hit_flows),
        ("indicators", indicators),
        ("feed_extra", args.feed_extra),
        ("bidir", int(args.bidir)),
        ("frames_per_pass", per_port),
        ("hit_frames_per_pass", stats["hit_frames"]),
        ("hit_share", "%.9f" % (stats["hit_frames"] / per_port)),
        ("mean_frame_bytes", "%.1f" % (stats["bytes"] / per_port)),
        ("hit_byte_share", "%.9f" % (stats["hit_bytes"] / stats["bytes"])),
        ("pktgen_pcap_mib_per_port", mem_mib),
        ("directions", directions),
    ]
    with open(os.path.join(args.out, "profile.txt"), "w") as f:
        for key, value in rows:
            f.write("%s=%s\n" % (key, value))


def parse_size(text):
    if text == "imix":
        return text
    try:
        size = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "%r: expected a frame size in bytes or imix" % text)
    if not 64 <= size <= 1518:
        raise argparse.ArgumentTypeError(
            "%d: frame size must be 64..1518 bytes (FCS included)" % size)
    return str(size)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Write pktgen-dpdk captures, a Lua script and the "
        "matching indicator feed for a c2wall benchmark.")
    p.add_argument("--size", type=parse_size, default="64",
                   help="frame size in bytes, FCS included, 64..1518, or "
                   "imix (7:4:1 of 64, 594, 1518); default 64")
    p.add_argument("--flows", type=int, default=1000,
                   help="distinct UDP flows, 1..%d; default 1000"
                   % MAX_FLOWS)
    p.add_argument("--hit", type=float, default=0.0,
                   help="percent of flows (and of packets) toward "
                   "indicator endpoints, 0..100; default 0")
    p.add_argument("--indicators", type=int, default=0,
                   help="indicator endpoints the hit flows cycle over; "
                   "default min(hit flows, 1024), at least 1")
    p.add_argument("--feed-extra", type=int, default=0,
                   help="more feed indicators in 192.0.2.0/24 that no "
                   "frame reaches, to benchmark a larger table; default 0")
    p.add_argument("--bidir", action="store_true",
                   help="also write port1.pcap with every flow's reply, "
                   "sent by pktgen port 1")
    p.add_argument("--duration", type=int, default=30,
                   help="seconds pktgen sends; default 30")
    p.add_argument("--rate", type=int, default=100,
                   help="pktgen transmit rate in percent of the link "
                   "speed; default 100")
    p.add_argument("--quit", action="store_true",
                   help="make the script quit pktgen after the totals")
    p.add_argument("--out", required=True, help="output directory")
    args = p.parse_args(argv)

    if not 1 <= args.flows <= MAX_FLOWS:
        p.error("--flows %d: must be 1..%d" % (args.flows, MAX_FLOWS))
    if not 0.0 <= args.hit <= 100.0:
        p.error("--hit %g: must be a percentage, 0..100" % args.hit)
    if args.indicators < 0 or args.indicators > HOSTS * 60000:
        p.error("--indicators %d: must be 0..%d"
                % (args.indicators, HOSTS * 60000))
    if args.feed_extra < 0 or args.feed_extra > HOSTS * 60000:
        p.error("--feed-extra %d: must be 0..%d"
                % (args.feed_extra, HOSTS * 60000))
    if args.duration < 1:
        p.error("--duration %d: must be at least 1 second" % args.duration)
    if not 1 <= args.rate <= 100:
        p.error("--rate %d: must be 1..100 percent" % args.rate)

    return args


def main(argv):
    args = parse_args(argv)
    hit_flows = round(args.flows * args.hit / 100.0)
    indicators = args.indicators or max(1, min(hit_flows, 1024))
    os.makedirs(args.out, exist_ok=True)

    sizes = "IMIX" if args.size == "imix" else args.size + " B"
    summary = ("%s frames, %d flows, %d toward indicators (%g %%), %s"
               % (sizes, args.flows, hit_flows, args.hit,
                  "both directions" if args.bidir else "port 0 to port 1"))
    print("c2wall-pktgen: " + summary, flush=True)
    stats = write_pcaps(args, hit_flows, indicators)
    write_feed(args, indicators)
    write_lua(args, summary)
    write_profile(args, stats, hit_flows, indicators)
    print("c2wall-pktgen: wrote port0.pcap%s, feed.csv (%d indicators), "
          "c2wall.lua and profile.txt to %s"
          % (", port1.pcap" if args.bidir else "",
             indicators + args.feed_extra, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
