# SPDX-License-Identifier: BSD-3-Clause
"""Fault cases replayed through the real c2wall on net_pcap ports: IPv4
options, bad header lengths, QinQ, Ethernet padding, ICMP and a full
flow table. Each checks the output capture, the counters and, where the
case is about exported values, the IPFIX records as tshark decodes them.

Usage: test_cases.py C2WALL DATA_DIR CASE
"""

import os
import sys

from scapy.all import IP, TCP, Ether, raw

import c2wtest as t

BIN, DATA, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
CASES = os.path.join(DATA, "cases")


def case_file(name, f):
    return os.path.join(CASES, name, f)


def replay(work, pcap, args, ipfix=False):
    """Run c2wall inline on one capture; return what it forwarded, its
    stdout and (with ipfix) the tshark rows of its records."""
    cap = port = None
    if ipfix:
        port = t.free_udp_port()
        cap = t.Capture(work, port)
        args = args + ["--ipfix", "udp://127.0.0.1:%d" % port,
                       "--export", "all"]
    vdevs, tx0, tx1 = t.pair_vdevs(work, pcap)
    rc, out, err = t.run_c2wall(BIN, vdevs, args + ["--idle-exit", "500"])
    t.check(rc == 0, "%s: c2wall exits 0" % CASE)
    rows = []
    if ipfix:
        path = cap.stop()
        rows = t.flow_records(t.tshark_records(path, port))
    return t.read_frames(tx1), out, rows


def case_ipv4_options(work):
    frames = t.read_frames(case_file("ipv4-options", "ipv4_options.pcap"))
    got, out, rows = replay(work, case_file("ipv4-options",
                                            "ipv4_options.pcap"),
                            ["--iocs", case_file("ipv4-options", "feed.txt"),
                             "--action", "block"], ipfix=True)
    t.check(got == frames[2:], "ipv4-options: frames 1-2 dropped, "
            "frame 3 forwarded")
    t.check(t.summary_counter(out, "ioc_hits") == 2,
            "ipv4-options: two ip:port matches")
    ends = {(t.num(r.get("cflow.srcport")), t.num(r.get("cflow.dstport")),
             t.num(r.get("cflow.octets")))
            for r in rows if "cflow.flow_end_reason" in r}
    for want in [(45000, 9323, 44), (45001, 2404, 72), (45002, 80, 40)]:
        t.check(want in ends, "ipv4-options: flow %s -> %s with %s octets"
                % want)


def case_bad_lengths(work):
    # Frames 1 and 4 of the case carry EtherType 0x9000 (Ethernet
    # configuration testing), so on the wire they are not IPv4 at all.
    # The replay rewrites them to 0x0800 so the bad IHL and the truncated
    # IPv4 packet reach the IPv4 checks.
    src = case_file("bad-header-lengths", "bad_header_lengths.pcap")
    records = []
    for data, ts in t.read_records(src):
        if data[12:14] == b"\x90\x00":
            data = data[:12] + b"\x08\x00" + data[14:]
        records.append((data, ts))
    pcap = os.path.join(work, "bad-lengths-ipv4.pcap")
    t.write_raw_pcap(pcap, records)
    got, out, _ = replay(work, pcap, [
        "--iocs", case_file("bad-header-lengths", "feed.txt"),
        "--action", "alert"])
    frames = t.read_frames(pcap)
    t.check(got == frames[4:], "bad-header-lengths: malformed frames 1-4 "
            "dropped, valid frame 5 forwarded in alert mode")
    t.check(t.summary_counter(out, "malformed_drops") == 4,
            "bad-header-lengths: four malformed drops")
    reasons = [l for l in out.splitlines() if "malformed 4" in l]
    t.check(len(reasons) == 1 and reasons[0].count(" 1") >= 4,
            "bad-header-lengths: four distinct reasons, one each: %s"
            % (reasons[0].strip() if reasons else "none"))
    t.check(t.summary_counter(out, "ioc_hits") == 1,
            "bad-header-lengths: only the valid frame matches")
    t.check(t.summary_counter(out, "flows_created") == 1,
            "bad-header-lengths: no flow from a malformed frame")


def case_qinq(work):
    pcap = case_file("qinq", "qinq.pcap")
    got, out, rows = replay(work, pcap, [
        "--iocs", case_file("qinq", "feed.txt")], ipfix=True)
    frames = t.read_frames(pcap)
    t.check(got == frames[4:], "qinq: four tagged IOC frames dropped, "
            "IPv6 frame forwarded")
    t.check(t.summary_counter(out, "ioc_hits") == 4,
            "qinq: each VLAN pair is its own flow and matches")
    vlans = {(t.num(r.get("cflow.dot1q_vlan_id")),
              t.num(r.get("cflow.dot1q_customer_vlan_id")))
             for r in rows if "cflow.flow_end_reason" in r}
    for want in [(100, 200), (101, 201), (102, 202)]:
        t.check(want in vlans, "qinq: record with outer %s inner %s" % want)
    t.check(any(v[0] == 103 for v in vlans),
            "qinq: record with the single tag 103")


def case_padding(work):
    pcap = case_file("eth-padding", "eth_padding.pcap")
    got, out, rows = replay(work, pcap, [
        "--iocs", case_file("eth-padding", "feed.txt"),
        "--action", "alert"], ipfix=True)
    t.check(got == t.read_frames(pcap), "eth-padding: alert mode "
            "forwards every padded frame unchanged")
    t.check(t.summary_counter(out, "malformed_drops") == 0,
            "eth-padding: padded frames are not malformed")
    ends = {(t.num(r.get("cflow.protocol")), t.num(r.get("cflow.packets")),
             t.num(r.get("cflow.octets")))
            for r in rows if "cflow.flow_end_reason" in r}
    t.check((17, 3, 90) in ends,
            "eth-padding: UDP flow 3 packets, 90 octets")
    t.check((6, 2, 80) in ends,
            "eth-padding: TCP flow 2 packets, 80 octets")


def case_icmp(work):
    pcap = case_file("icmp", "icmp.pcap")
    got, out, rows = replay(work, pcap, [
        "--iocs", case_file("icmp", "feed.txt")], ipfix=True)
    t.check(got == t.read_frames(pcap),
            "icmp: ip:port indicators never match ICMP")
    ends = [r for r in rows if "cflow.flow_end_reason" in r]
    v4 = [r for r in ends if t.num(r.get("cflow.protocol")) == 1]
    codes = sorted(t.num(r.get("cflow.icmp_type_code_ipv4")) for r in v4)
    t.check(codes == [0, 771, 2048],
            "icmp: icmpTypeCodeIPv4 2048, 0 and 771 (got %s)" % codes)
    v6 = [r for r in ends if t.num(r.get("cflow.protocol")) == 58]
    # tshark splits icmpTypeCodeIPv6 into its type and code bytes.
    v6_codes = [(t.num(r.get("cflow.icmp_ipv6_type")) << 8) |
                t.num(r.get("cflow.icmp_ipv6_code")) for r in v6]
    t.check(v6_codes == [32768],
            "icmp: icmpTypeCodeIPv6 32768 for the echo request (got %s)"
            % v6_codes)
    t.check(all(t.num(r.get("cflow.srcport")) in (None, 0) and
                t.num(r.get("cflow.dstport")) in (None, 0) for r in v4),
            "icmp: quoted UDP ports not used as the flow's ports")

    addr_feed = os.path.join(work, "addr.txt")
    with open(addr_feed, "w") as f:
        f.write("5.101.81.81\n")
    sub = os.path.join(work, "addr")
    os.makedirs(sub)
    got, out, _ = replay(sub, pcap, ["--iocs", addr_feed])
    t.check(t.summary_counter(out, "ioc_hits") == 2,
            "icmp: an address indicator matches the echo request and "
            "its reply")


def case_table_full(work):
    src = case_file("flow-table-full", "5000_flows_then_ioc.pcap")
    frames = t.read_frames(src)
    # After the flood, a minute of silence lets idle flows expire, then
    # 100 new flows must get entries again.
    late = []
    for i in range(100):
        p = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
             IP(src="198.51.100.7", dst="192.0.2.9") /
             TCP(sport=20000 + i, dport=443, flags="S"))
        late.append(raw(p))
    pcap = os.path.join(work, "full.pcap")
    records = t.read_records(src)
    last = records[-1][1]
    records += [(data, last + 60 + i * 0.001) for i, data in enumerate(late)]
    t.write_raw_pcap(pcap, records)
    got, out, rows = replay(work, pcap, [
        "--iocs", case_file("flow-table-full", "feed.txt"),
        "--flow-entries", "1024"], ipfix=True)
    full = t.summary_counter(out, "flows_table_full") or 0
    created = t.summary_counter(out, "flows_created") or 0
    t.check(full > 3000, "table-full: inserts refused are counted (%d)"
            % full)
    t.check(created >= 900 + 100, "table-full: about 1024 flows fit, "
            "then 100 more after idle expiry (%d created)" % created)
    t.check(frames[-1] not in got, "table-full: the indicator SYN is "
            "dropped without a flow entry")
    t.check(len(got) == len(frames) - 1 + 100,
            "table-full: every other frame forwarded (fail-open)")
    t.check(t.summary_counter(out, "alerts_sent") == 1,
            "table-full: one alert for the untracked match")
    lacking = [r for r in rows
               if t.num(r.get("cflow.flow_end_reason")) == 5]
    t.check(len(lacking) == 1 and
            lacking[0].get("cflow.dstaddr") == "203.159.90.139" and
            t.num(lacking[0].get("cflow.packets")) == 1,
            "table-full: the untracked match is reported with "
            "flowEndReason 5, lack of resources")


def case_malformed_corpus(work):
    """Every Ethernet capture of tcpdump's test suite, joined into one
    replay, runs through inline block without a crash."""
    from scapy.all import RawPcapReader
    src = os.path.join(DATA, "tcpdump")
    pcap = os.path.join(work, "tcpdump-all.pcap")
    records = []
    n = unreadable = 0
    for name in sorted(os.listdir(src)):
        if not name.endswith(".pcap"):
            continue
        try:
            reader = RawPcapReader(os.path.join(src, name))
            if reader.linktype != 1:
                continue
            for data, meta in reader:
                # net_pcap copies frames into one 2 KiB mbuf each.
                if len(data) > 2000:
                    continue
                records.append((bytes(data), meta.sec + meta.usec / 1e6))
                n += 1
        except Exception:
            unreadable += 1
    t.write_raw_pcap(pcap, records)
    print("# %d frames joined, %d files unreadable" % (n, unreadable))
    seed = os.path.join(DATA, "..", "..", "tables", "threatfox-remcos.csv")
    got, out, _ = replay(work, pcap, ["--iocs", seed])
    rx = t.summary_counter(out, "rx_pkts")
    t.check(rx == n, "malformed: c2wall received all %d frames (%s)"
            % (n, rx))
    drops = (t.summary_counter(out, "malformed_drops") or 0) + \
        (t.summary_counter(out, "policy_drops") or 0)
    t.check(len(got) + drops == n, "malformed: forwarded %d + dropped %d "
            "account for every frame" % (len(got), drops))


CASE_FUNCS = {
    "ipv4-options": case_ipv4_options,
    "bad-header-lengths": case_bad_lengths,
    "qinq": case_qinq,
    "eth-padding": case_padding,
    "icmp": case_icmp,
    "flow-table-full": case_table_full,
    "malformed-corpus": case_malformed_corpus,
}


def main():
    work = t.tempdir(CASE)
    CASE_FUNCS[CASE](work)
    t.cleanup(work)
    t.done()


main()
