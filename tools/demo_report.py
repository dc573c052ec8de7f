# SPDX-License-Identifier: BSD-3-Clause
"""Compare what entered and what left c2wall per TCP/UDP conversation.

Usage: demo_report.py IN_A OUT_A [IN_B OUT_B ...]
"""

import sys
from collections import OrderedDict

from scapy.all import IP, TCP, UDP, Ether, RawPcapReader


def conversations(path):
    convs = OrderedDict()
    for data, _ in RawPcapReader(path):
        p = Ether(data)
        ip = p.getlayer(IP)
        l4 = p.getlayer(TCP) or p.getlayer(UDP)
        if ip is None or l4 is None:
            key = "other (non-IP or no ports)"
        else:
            a = "%s:%d" % (ip.src, l4.sport)
            b = "%s:%d" % (ip.dst, l4.dport)
            proto = "tcp" if p.haslayer(TCP) else "udp"
            key = "%s %s <-> %s" % (proto, min(a, b), max(a, b))
        convs.setdefault(key, []).append(bytes(data))
    return convs


def report(inp, outp):
    cin, cout = conversations(inp), conversations(outp)
    print("\n%s -> %s" % (inp.rsplit("/", 1)[-1], outp.rsplit("/", 1)[-1]))
    for key, frames in cin.items():
        got = cout.get(key, [])
        if not got:
            verdict = "DROPPED"
        elif got == frames:
            verdict = "forwarded, byte-identical"
        else:
            verdict = "CHANGED"
        print("  %-58s %4d in %4d out  %s" % (key, len(frames), len(got),
                                               verdict))


def main():
    args = sys.argv[1:]
    for i in range(0, len(args) - 1, 2):
        report(args[i], args[i + 1])


main()
