# SPDX-License-Identifier: BSD-3-Clause
"""Test traffic with flows to both seed indicators, IEC 104 on port 2404
to another host, benign TCP/UDP/ICMP/IPv6, ARP and VLAN-tagged frames.

The two real Remcos indicators appear only inside the generated capture
and feed files; nothing here opens a socket.
"""

from scapy.all import (ARP, Dot1Q, Ether, ICMP, IP, IPv6, Raw, TCP, UDP)

IOC1 = ("5.101.81.81", 9323)
IOC2 = ("203.159.90.139", 2404)
IOCS = {IOC1, IOC2}

MAC_A = "02:00:00:00:00:0a"
MAC_B = "02:00:00:00:00:0b"


def _tcp_session(cli, cport, srv, sport, vlan=None, data=b"hello",
                 reply=b"world", close=True, t0=0.0):
    """A short TCP session as (time, packet) pairs, both directions."""
    def frame(src, dst, s, d, flags, payload=b"", fwd=True):
        l2 = Ether(src=MAC_A if fwd else MAC_B, dst=MAC_B if fwd else MAC_A)
        if vlan is not None:
            l2 = l2 / Dot1Q(vlan=vlan)
        p = l2 / IP(src=src, dst=dst) / TCP(sport=s, dport=d, flags=flags)
        return p / Raw(payload) if payload else p

    seq = [
        (cli, srv, cport, sport, "S", b"", True),
        (srv, cli, sport, cport, "SA", b"", False),
        (cli, srv, cport, sport, "A", b"", True),
        (cli, srv, cport, sport, "PA", data, True),
        (srv, cli, sport, cport, "PA", reply, False),
    ]
    if close:
        seq += [
            (cli, srv, cport, sport, "FA", b"", True),
            (srv, cli, sport, cport, "FA", b"", False),
            (cli, srv, cport, sport, "A", b"", True),
        ]
    out = []
    for i, (s, d, sp, dp, fl, pl, fwd) in enumerate(seq):
        out.append((t0 + i * 0.01, frame(s, d, sp, dp, fl, pl, fwd)))
    return out


def mixed_traffic():
    """Packets in time order; each carries .time for the pcap record."""
    timed = []
    # Outbound C2 check-in to indicator 1.
    timed += _tcp_session("192.0.2.10", 40001, *IOC1, t0=0.000,
                          data=b"\x24\x04\xff\x00check-in")
    # C2 to indicator 2 behind VLAN 100.
    timed += _tcp_session("192.0.2.11", 40002, *IOC2, vlan=100, t0=0.003)
    # IEC 60870-5-104 to a SCADA outstation on port 2404: must pass.
    timed += _tcp_session("192.0.2.12", 40003, "198.51.100.20", 2404,
                          t0=0.005, data=b"\x68\x04\x07\x00\x00\x00",
                          reply=b"\x68\x04\x0b\x00\x00\x00")
    # Indicator 1's address on another port: an ip:port entry must not
    # match it.
    timed += _tcp_session("192.0.2.16", 40006, IOC1[0], 443, t0=0.006)
    # Benign TCP, IPv6 and VLAN-tagged benign traffic.
    timed += _tcp_session("192.0.2.14", 40004, "198.51.100.30", 443,
                          t0=0.007)
    timed += _tcp_session("192.0.2.17", 40007, "198.51.100.31", 80,
                          vlan=200, t0=0.008)
    v6 = [
        Ether(src=MAC_A, dst=MAC_B) / IPv6(src="2001:db8::1",
                                            dst="2001:db8::2") /
        TCP(sport=40010, dport=443, flags="S"),
        Ether(src=MAC_B, dst=MAC_A) / IPv6(src="2001:db8::2",
                                            dst="2001:db8::1") /
        TCP(sport=443, dport=40010, flags="SA"),
    ]
    timed += [(0.0095 + i * 0.01, p) for i, p in enumerate(v6)]
    # Indicator 2 as the sender of UDP datagrams (inbound direction).
    for i in range(3):
        timed.append((0.0105 + i * 0.01,
                       Ether(src=MAC_B, dst=MAC_A) /
                       IP(src=IOC2[0], dst="192.0.2.13") /
                       UDP(sport=IOC2[1], dport=5000) / Raw(b"x" * 20)))
    # DNS-like UDP, ICMP echo, ARP.
    timed.append((0.0111, Ether(src=MAC_A, dst=MAC_B) /
                  IP(src="192.0.2.15", dst="198.51.100.53") /
                  UDP(sport=53000, dport=53) / Raw(b"\x12\x34" + b"\0" * 10)))
    timed.append((0.0112, Ether(src=MAC_A, dst=MAC_B) /
                  IP(src="192.0.2.15", dst="198.51.100.1") / ICMP()))
    timed.append((0.0113, Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff") /
                  ARP(op=1, psrc="192.0.2.15", pdst="192.0.2.1")))
    timed.append((0.0114, Ether(src=MAC_B, dst=MAC_A) /
                  ARP(op=2, psrc="192.0.2.1", pdst="192.0.2.15")))
    timed.sort(key=lambda tp: tp[0])
    packets = []
    for t, p in timed:
        p.time = 1700000000 + t
        packets.append(p)
    return packets


def is_ioc_packet(frame, iocs=IOCS):
    """Independent oracle: does this frame belong to a flow whose
    destination or source endpoint is one of the ip:port indicators?"""
    p = Ether(frame)
    ip = p.getlayer(IP)
    if ip is None:
        return False
    l4 = p.getlayer(TCP) or p.getlayer(UDP)
    if l4 is None:
        return False
    return (ip.dst, l4.dport) in iocs or (ip.src, l4.sport) in iocs


def feed_lines():
    return ["%s:%d" % e for e in sorted(IOCS)]
