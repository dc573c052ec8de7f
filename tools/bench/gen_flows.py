# SPDX-License-Identifier: BSD-3-Clause
"""Write a benchmark capture: N UDP flows of one packet each between
documentation addresses, repeated R times, with a given frame size.

Usage: gen_flows.py OUT.pcap FLOWS [FRAME_BYTES] [ROUNDS]
"""

import struct
import sys


def frame(i, size):
    src = bytes([198, 51, 100, 1 + (i >> 16) % 254])
    dst = bytes([192, 0, 2, 1 + (i >> 8) % 254])
    sport = 1024 + (i & 0xff) * 200 + (i >> 24)
    dport = 443
    ip_len = size - 14
    udp_len = ip_len - 20
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, 0, 0, 64, 17, 0,
                     src, dst)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0)
    return eth + ip + udp + b"\0" * (udp_len - 8)


def main():
    out, flows = sys.argv[1], int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    size = max(size - 4, 60)  # the Ethernet FCS is not captured
    frames = [frame(i, size) for i in range(flows)]
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for r in range(rounds):
            for i, data in enumerate(frames):
                f.write(struct.pack("<IIII", 1700000000 + r, i % 1000000,
                                    len(data), len(data)))
                f.write(data)


main()
