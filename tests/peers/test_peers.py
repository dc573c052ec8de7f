# SPDX-License-Identifier: BSD-3-Clause
"""c2wall's IPFIX read by collectors this project did not write: nfdump's
nfcapd stores it and nfdump must print the 5-tuples, packets and bytes
of the capture in both directions; pmacct's nfacctd must account the
same forward counts. scapy computes the expected counts from the capture
on its own.

Usage: test_peers.py C2WALL SEED_TABLE nfdump|nfacctd
"""

import glob
import os
import signal
import subprocess
import sys
import time

from scapy.all import ICMP, IP, IPv6, TCP, UDP, Ether

import c2wtest as t
import traffic

BIN, SEED, PEER = sys.argv[1], sys.argv[2], sys.argv[3]


def expected_flows(frames):
    """(proto, src, sport, dst, dport) of each flow's initiator, with
    [packets, octets] per direction, octets being IP total lengths."""
    flows = {}
    for data in frames:
        p = Ether(data)
        ip = p.getlayer(IP) or p.getlayer(IPv6)
        if ip is None:
            continue
        if p.haslayer(IP):
            proto, length = ip.proto, ip.len
        else:
            proto, length = ip.nh, ip.plen + 40
        l4 = p.getlayer(TCP) or p.getlayer(UDP)
        sport, dport = (l4.sport, l4.dport) if l4 else (0, 0)
        if p.haslayer(ICMP):
            dport = p[ICMP].type * 256 + p[ICMP].code
        fwd = (proto, ip.src, sport, ip.dst, dport)
        rev = (proto, ip.dst, dport, ip.src, sport)
        if rev in flows:
            key, d = rev, 1
        else:
            key, d = fwd, 0
            flows.setdefault(key, [[0, 0], [0, 0]])
        flows[key][d][0] += 1
        flows[key][d][1] += length
    return flows


def replay(work, port):
    inp = os.path.join(work, "in.pcap")
    t.write_pcap(inp, traffic.mixed_traffic())
    vdevs, _, _ = t.pair_vdevs(work, inp)
    rc, out, _ = t.run_c2wall(BIN, vdevs, [
        "--iocs", SEED, "--action", "alert", "--export", "all",
        "--idle-exit", "500", "--ipfix", "udp://127.0.0.1:%d" % port])
    t.check(rc == 0, "c2wall exits 0")
    return expected_flows(t.read_frames(inp))


def stop(proc):
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_nfdump(work):
    port = t.free_udp_port()
    store = os.path.join(work, "nfcapd")
    os.makedirs(store)
    proc = subprocess.Popen(["nfcapd", "-w", store, "-b", "127.0.0.1",
                             "-p", str(port), "-t", "3600"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(1)
    want = replay(work, port)
    time.sleep(1)
    stop(proc)
    files = glob.glob(os.path.join(store, "nfcapd.*"))
    out = subprocess.run(
        ["nfdump", "-q", "-R", store, "-o",
         "fmt:%pr,%sa,%sp,%da,%dp,%ipkt,%ibyt,%opkt,%obyt"],
        capture_output=True, text=True).stdout
    got = {}
    for line in out.splitlines():
        f = [c.strip() for c in line.split(",")]
        if len(f) != 9 or int(f[5]) == 0:
            continue  # alerts carry no counters
        proto = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMP6": 58}.get(f[0])
        if proto in (1, 58):
            typ, _, code = f[4].partition(".")
            dport = int(typ) * 256 + int(code or 0)
        else:
            dport = int(f[4])
        got[(proto, f[1], int(f[2]), f[3], dport)] = \
            [[int(f[5]), int(f[6])], [int(f[7]), int(f[8])]]
    t.check(len(files) >= 1, "nfcapd wrote a flow file")
    t.check(set(got) == set(want), "nfdump: the capture's %d flows, no "
            "more, no less (got %d)" % (len(want), len(got)))
    for key, counts in sorted(want.items(), key=str):
        t.check(got.get(key) == counts, "nfdump: %s packets/bytes per "
                "direction %s (got %s)" % (key, counts, got.get(key)))


NFACCTD_CONF = """daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: {port}
plugins: print
print_output: csv
print_output_file: {dir}/acct.csv
print_refresh_time: 1
aggregate: src_host, dst_host, src_port, dst_port, proto
"""


def test_nfacctd(work):
    port = t.free_udp_port()
    conf = os.path.join(work, "nfacctd.conf")
    with open(conf, "w") as f:
        f.write(NFACCTD_CONF.format(port=port, dir=work))
    proc = subprocess.Popen(["nfacctd", "-f", conf],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(1)
    want = replay(work, port)
    time.sleep(3)
    stop(proc)
    got = {}
    path = os.path.join(work, "acct.csv")
    lines = open(path).read().splitlines()[1:] if os.path.exists(path) \
        else []
    for line in lines:
        sa, da, sp, dp, pr, pkts, octets = line.split(",")
        proto = {"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58}.get(pr)
        got[(proto, sa, int(sp), da, int(dp))] = [int(pkts), int(octets)]
    fwd = {k: v[0] for k, v in want.items()}
    # pmacct reads no ICMP type/code from IPFIX ports: compare by tuple
    # without the port for ICMP.
    for key, counts in sorted(fwd.items(), key=str):
        look = key if key[0] not in (1, 58) else key[:2] + (0,) + \
            key[3:4] + (0,)
        t.check(got.get(look) == counts, "nfacctd: %s forward packets/"
                "bytes %s (got %s)" % (key, counts, got.get(look)))


def main():
    work = t.tempdir("peer-" + PEER)
    {"nfdump": test_nfdump, "nfacctd": test_nfacctd}[PEER](work)
    t.cleanup(work)
    t.done()


main()
