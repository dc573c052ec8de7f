# SPDX-License-Identifier: BSD-3-Clause
"""Inline block, inline alert and tap mode on a mixed capture, checked
against an independent oracle (scapy) and the IPFIX alerts as tshark
decodes them."""

import os
import sys

import c2wtest as t
import traffic

BIN, SEED = sys.argv[1], sys.argv[2]


def setup(work):
    inp = os.path.join(work, "in.pcap")
    t.write_pcap(inp, traffic.mixed_traffic())
    return inp, t.read_frames(inp)


def test_block(work, inp, frames):
    vdevs, tx0, tx1 = t.pair_vdevs(work, inp)
    rc, out, err = t.run_c2wall(BIN, vdevs, [
        "--iocs", SEED, "--mode", "inline", "--action", "block",
        "--idle-exit", "500"])
    t.check(rc == 0, "block: c2wall exits 0")
    want = [f for f in frames if not traffic.is_ioc_packet(f)]
    got = t.read_frames(tx1)
    dropped = len(frames) - len(want)
    t.check(dropped == 19, "block: oracle drops 19 packets of 3 IOC flows "
            "(got %d)" % dropped)
    t.check(len(got) == len(want), "block: %d packets forwarded, want %d"
            % (len(got), len(want)))
    t.check(got == want, "block: forwarded frames byte-identical, in order")
    t.check(t.read_frames(tx0) == [], "block: nothing sent back on port 0")
    t.check(t.summary_counter(out, "policy_drops") == dropped,
            "block: policy_drops counter equals dropped packets")
    t.check(t.summary_counter(out, "ioc_hits") == 3,
            "block: three flows hit an indicator")
    t.check(t.summary_counter(out, "non_ip") == 2,
            "block: two ARP frames counted as non-IP")


def test_alert(work, inp, frames):
    port = t.free_udp_port()
    cap = t.Capture(work, port)
    vdevs, tx0, tx1 = t.pair_vdevs(work, inp)
    rc, out, err = t.run_c2wall(BIN, vdevs, [
        "--iocs", SEED, "--action", "alert", "--idle-exit", "500",
        "--ipfix", "udp://127.0.0.1:%d" % port])
    path = cap.stop()
    t.check(rc == 0, "alert: c2wall exits 0")
    t.check(t.read_frames(tx1) == frames,
            "alert: every frame forwarded byte-identical, in order")
    rows = t.tshark_records(path, port)
    # Alerts carry the standard fields tshark knows by name.
    keyed = {(r.get("cflow.srcaddr"), r.get("cflow.dstaddr"),
              r.get("cflow.srcport"), r.get("cflow.dstport")) for r in rows}
    for flow in [("192.0.2.10", "5.101.81.81", "40001", "9323"),
                 ("192.0.2.11", "203.159.90.139", "40002", "2404"),
                 ("203.159.90.139", "192.0.2.13", "2404", "5000")]:
        t.check(flow in keyed, "alert: IPFIX record for %s:%s -> %s:%s"
                % (flow[0], flow[2], flow[1], flow[3]))
    t.check(not any(k[3] == "2404" and k[1] == "198.51.100.20"
                    for k in keyed),
            "alert: no record for IEC 104 to 198.51.100.20:2404")
    t.check(not any(k[1] == "5.101.81.81" and k[3] == "443" for k in keyed),
            "alert: no record for the indicator address on port 443")


def test_tap(work, inp, frames):
    vdevs, tx0, tx1 = t.pair_vdevs(work, inp)
    rc, out, err = t.run_c2wall(BIN, vdevs, [
        "--iocs", SEED, "--mode", "tap", "--idle-exit", "500"])
    t.check(rc == 0, "tap: c2wall exits 0")
    t.check(t.read_frames(tx0) == [] and t.read_frames(tx1) == [],
            "tap: nothing transmitted on either port")
    t.check(t.summary_counter(out, "ioc_hits") == 3,
            "tap: three flows still hit an indicator")
    t.check(t.summary_counter(out, "policy_drops") == 0,
            "tap: no policy drops")


def main():
    work = t.tempdir("policy")
    inp, frames = setup(work)
    which = sys.argv[3] if len(sys.argv) > 3 else "all"
    if which in ("all", "block"):
        test_block(os.path.join(work), inp, frames)
    if which in ("all", "alert"):
        d = os.path.join(work, "alert")
        os.makedirs(d)
        test_alert(d, inp, frames)
    if which in ("all", "tap"):
        d = os.path.join(work, "tap")
        os.makedirs(d)
        test_tap(d, inp, frames)
    t.cleanup(work)
    t.done()


main()
