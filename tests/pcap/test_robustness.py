# SPDX-License-Identifier: BSD-3-Clause
"""Hostile and odd input through the real c2wall: jumbo frames that
arrive as chained mbufs, malformed packets forwarded by policy that
still must not carry indicator traffic, a long replay that --idle-exit
must not cut short, and start-up errors that must name their cause.

Usage: test_robustness.py C2WALL SEED_TABLE CASE
"""

import os
import subprocess
import sys
import time

from scapy.all import IP, TCP, UDP, Ether, Raw, raw

import c2wtest as t

BIN, SEED, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
L2 = dict(src="02:00:00:00:00:0a", dst="02:00:00:00:00:0b")


def case_jumbo(work):
    frames = [
        # 9000-byte UDP to a benign host: forwarded unchanged.
        raw(Ether(**L2) / IP(src="192.0.2.50", dst="198.51.100.7") /
            UDP(sport=40000, dport=5000) / Raw(b"j" * 8972)),
        # 3000-byte TCP to indicator 2: dropped like any other.
        raw(Ether(**L2) / IP(src="192.0.2.51", dst="203.159.90.139") /
            TCP(sport=40001, dport=2404, flags="PA") / Raw(b"k" * 2946)),
        raw(Ether(**L2) / IP(src="192.0.2.52", dst="198.51.100.8") /
            TCP(sport=40002, dport=443, flags="S")),
    ]
    pcap = os.path.join(work, "jumbo.pcap")
    t.write_raw_pcap(pcap, [(f, 1700000000 + i) for i, f in
                            enumerate(frames)])
    vdevs, _, tx1 = t.pair_vdevs(work, pcap)
    rc, out, _ = t.run_c2wall(BIN, vdevs, ["--iocs", SEED,
                                           "--idle-exit", "500"])
    t.check(rc == 0, "jumbo: c2wall exits 0")
    got = t.read_frames(tx1)
    t.check(got == [frames[0], frames[2]], "jumbo: the 9000-byte benign "
            "frame is forwarded whole, the 3000-byte indicator frame "
            "dropped")
    t.check((t.summary_counter(out, "segmented") or 0) >= 2,
            "jumbo: chained mbufs counted")
    t.check(t.summary_counter(out, "malformed_drops") == 0,
            "jumbo: no jumbo frame taken for malformed")


def case_malformed_forward(work):
    bad_off = raw(Ether(**L2) / IP(src="192.0.2.60", dst="5.101.81.81") /
                  TCP(sport=40010, dport=9323, dataofs=2, flags="S"))
    bad_udp = raw(Ether(**L2) / IP(src="192.0.2.61", dst="198.51.100.9") /
                  UDP(sport=40011, dport=53, len=4) / Raw(b"abcd"))
    good = raw(Ether(**L2) / IP(src="192.0.2.62", dst="198.51.100.9") /
               UDP(sport=40012, dport=53) / Raw(b"abcd"))
    pcap = os.path.join(work, "malformed.pcap")
    t.write_raw_pcap(pcap, [(bad_off, 1700000000), (bad_udp, 1700000001),
                            (good, 1700000002)])
    conf = os.path.join(work, "forward.conf")
    with open(conf, "w") as f:
        f.write('policy = { malformed = "forward"; };\n')
    vdevs, _, tx1 = t.pair_vdevs(work, pcap)
    rc, out, _ = t.run_c2wall(BIN, vdevs, ["--config", conf, "--iocs", SEED,
                                           "--idle-exit", "500"])
    t.check(rc == 0, "malformed-forward: c2wall exits 0")
    t.check(t.read_frames(tx1) == [bad_udp, good], "malformed-forward: a "
            "broken TCP header to 5.101.81.81:9323 is still dropped, other "
            "malformed traffic forwarded")
    t.check(t.summary_counter(out, "policy_drops") == 1 and
            t.summary_counter(out, "alerts_sent") == 1,
            "malformed-forward: the indicator packet is a policy drop with "
            "an alert")


def case_long_replay(work):
    pcap = os.path.join(work, "flows.pcap")
    gen = os.path.join(os.path.dirname(__file__), "..", "..", "tools",
                       "bench", "gen_flows.py")
    subprocess.run(["/usr/bin/python3", gen, pcap, "50000", "64", "4"],
                   check=True)
    vdevs, _, tx1 = t.pair_vdevs(work, pcap)
    rc, out, _ = t.run_c2wall(BIN, vdevs, ["--iocs", SEED,
                                           "--idle-exit", "200",
                                           "--mbufs", "65536"],
                              timeout=120)
    t.check(rc == 0, "long-replay: c2wall exits 0")
    t.check(t.summary_counter(out, "rx_pkts") == 200000,
            "long-replay: --idle-exit waits for all 200000 packets (%s)"
            % t.summary_counter(out, "rx_pkts"))


def case_start_errors(work):
    missing = os.path.join(work, "missing.pcap")
    rc, out, err = t.run_c2wall(BIN, ["--vdev", "net_pcap0,rx_pcap=" +
                                      missing, "--vdev", "net_null0"],
                                ["--iocs", SEED])
    t.check(rc != 0 and "virtual device failed" in err,
            "start: a failed --vdev is named as the cause")

    garbage = os.path.join(work, "garbage.txt")
    with open(garbage, "w") as f:
        f.write("not an indicator\nnor this one\n")
    rc, out, err = t.run_c2wall(BIN, ["--vdev", "net_null0", "--vdev",
                                      "net_null1"], ["--iocs", garbage,
                                                     "--check"])
    t.check(rc != 0 and "every record rejected" in err,
            "start: a feed with nothing valid in it stops the start")

    empty = os.path.join(work, "empty.txt")
    open(empty, "w").close()
    rc, out, err = t.run_c2wall(BIN, ["--vdev", "net_null0", "--vdev",
                                      "net_null1"], ["--iocs", empty,
                                                     "--check"])
    t.check(rc != 0 and "no indicator in" in err,
            "start: an empty indicator feed is refused")

    conf = os.path.join(work, "lcore.conf")
    with open(conf, "w") as f:
        f.write("workers = { lcores = [0]; };\n")
    rc, out, err = t.run_c2wall(BIN, ["--vdev", "net_null0", "--vdev",
                                      "net_null1"], ["--config", conf,
                                                     "--check"])
    t.check(rc != 0 and "is the main lcore" in err,
            "start: a worker on the main lcore is refused by --check")


def case_aging(work):
    """tables.max_age_days drops stale indicators at load."""
    feed = os.path.join(work, "aged.csv")
    with open(feed, "w") as f:
        f.write('# "first_seen_utc","ioc_id","ioc_value","ioc_type",'
                '"threat_type","fk_malware","malware_alias",'
                '"malware_printable","last_seen_utc","confidence_level",'
                '"reference","tags","anonymous","reporter"\n'
                '"2020-01-01 00:00:00", "1", "198.51.100.70:443", "ip:port",'
                ' "botnet_cc", "", "", "Old", "2020-02-01 00:00:00", "75",'
                ' "", "", "0", ""\n'
                '"%s", "2", "198.51.100.71:443", "ip:port",'
                ' "botnet_cc", "", "", "New", "", "75", "", "", "0", ""\n'
                % time.strftime("%Y-%m-%d 00:00:00", time.gmtime()))
    conf = os.path.join(work, "aging.conf")
    with open(conf, "w") as f:
        f.write("tables = { max_age_days = 365; };\n")
    rc, out, err = t.run_c2wall(BIN, ["--vdev", "net_null0", "--vdev",
                                      "net_null1"],
                                ["--config", conf, "--iocs", feed,
                                 "--check"])
    t.check(rc == 0, "aging: --check exits 0")
    t.check("iocs: 1 loaded" in out, "aging: one indicator kept")
    t.check("iocs: 1 indicators older than 365 days dropped" in out,
            "aging: the 2020 indicator is dropped and counted")


def main():
    work = t.tempdir(CASE)
    {"jumbo": case_jumbo, "malformed-forward": case_malformed_forward,
     "long-replay": case_long_replay, "start-errors": case_start_errors,
     "aging": case_aging}[CASE](work)
    t.cleanup(work)
    t.done()


main()
