# SPDX-License-Identifier: BSD-3-Clause
"""Write a benchmark capture: FLOWS UDP flows of one packet each,
repeated ROUNDS times, with a fixed frame size or a simple IMIX.

Usage: gen_flows.py OUT.pcap FLOWS [FRAME_BYTES|imix] [ROUNDS]
                    [--hits PCT --iocs N]

Flow i comes from 10.0.0.0/8 (address 10.0.0.0 + i, so up to 16 M
distinct flows). Its destination is an address of 172.16.0.0/12, port
443, unless the flow is one of the PCT % chosen as hits: then it goes to
indicator number perm(i) mod N of tools/bench/gen_feed.py, an ip:port of
192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24 that a feed of N
indicators from that script contains. The hits are spread evenly over
the capture. The file is only replayed on virtual devices; nothing is
sent.

IMIX is the simple 7:4:1 mix of 64, 570 and 1518 byte frames, cycled
packet by packet. Frame sizes count the 4-byte FCS, which a capture
does not contain.
"""

import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_feed  # noqa: E402  pylint: disable=wrong-import-position

IMIX = (64, 570, 64, 570, 64, 570, 64, 570, 64, 64, 64, 1518)
ETH = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
MISS_BASE = 0xac100000  # 172.16.0.0/12
BATCH = 8192


def perm(i):
    """Spread sequence numbers over 32 bits; distinct in, distinct out."""
    x = (i * 0x9e3779b1) & 0xffffffff
    x ^= x >> 16
    x = (x * 0x85ebca6b) & 0xffffffff
    return x ^ (x >> 13)


def indicator_addr(n):
    """Return (address as int, port) of gen_feed indicator n."""
    ip, port = gen_feed.indicator(n).split(":")
    a, b, c, d = (int(x) for x in ip.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d, int(port)


def ip_checksum(fixed, src, dst):
    """IPv4 header checksum from the sum of the fixed words."""
    s = fixed + (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff)
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Template:
    """Constant parts of frames of one captured length."""

    def __init__(self, caplen):
        self.caplen = caplen
        self.ip_len = caplen - 14
        self.udp_len = self.ip_len - 20
        self.fixed = 0x4500 + self.ip_len + 0x4011
        self.payload = b"\0" * (self.udp_len - 8)
        self.rec = struct.pack("<II", caplen, caplen)


def packet(t, i, ts, hit_iocs, hit):
    """Return pcap record header and frame of flow i."""
    src = 0x0a000000 | (i & 0xffffff)
    if hit:
        dst, dport = indicator_addr(perm(i) % hit_iocs)
    else:
        dst, dport = MISS_BASE | (perm(i) & 0xfffff), 443
    ip = struct.pack("!BBHHHBBHII", 0x45, 0, t.ip_len, 0, 0, 64, 17,
                     ip_checksum(t.fixed, src, dst), src, dst)
    udp = struct.pack("!HHHH", 1024 + i % 60000, dport, t.udp_len, 0)
    return (struct.pack("<II", 1700000000 + ts // 1000000, ts % 1000000) +
            t.rec + ETH + ip + udp + t.payload)


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("out")
    p.add_argument("flows", type=int)
    p.add_argument("size", nargs="?", default="64",
                   help="frame bytes with FCS, 64..1518, or imix")
    p.add_argument("rounds", nargs="?", type=int, default=1)
    p.add_argument("--hits", type=float, default=0.0,
                   help="percent of flows aimed at indicators")
    p.add_argument("--iocs", type=int, default=0,
                   help="indicators in the gen_feed.py feed the hits use")
    a = p.parse_args()
    if a.size != "imix" and not 64 <= int(a.size) <= 1518:
        p.error(f"frame size {a.size}: must be 64..1518 or imix")
    if not 0 < a.flows <= 1 << 24:
        p.error(f"flows {a.flows}: must be 1..{1 << 24}")
    if a.hits > 0 and a.iocs <= 0:
        p.error("--hits needs --iocs N, the size of the feed")
    if not 0 <= a.hits <= 100:
        p.error(f"--hits {a.hits}: must be 0..100")
    return a


def main():
    a = parse_args()
    sizes = IMIX if a.size == "imix" else (int(a.size),)
    templates = [Template(s - 4) for s in sizes]
    hits = [int((i + 1) * a.hits / 100) != int(i * a.hits / 100)
            for i in range(a.flows)] if 0 < a.hits < 100 else None
    tmp = a.out + ".tmp"
    with open(tmp, "wb", buffering=1 << 22) as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        n = 0
        for _ in range(a.rounds):
            chunk = []
            for i in range(a.flows):
                hit = a.hits >= 100 or (hits is not None and hits[i])
                chunk.append(packet(templates[n % len(templates)], i, n,
                                    a.iocs, hit))
                n += 1
                if len(chunk) == BATCH:
                    f.write(b"".join(chunk))
                    chunk = []
            f.write(b"".join(chunk))
    os.replace(tmp, a.out)


main()
