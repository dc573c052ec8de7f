# SPDX-License-Identifier: BSD-3-Clause
"""Inline block, inline alert and tap mode on a mixed capture, checked
against an independent oracle (scapy) and the IPFIX alerts as tshark
decodes them."""

import os
import re
import sys

from scapy.all import Ether, IPv6, Raw, UDP

import c2wtest as t
import traffic

BIN, SEED, ELEMENTS = sys.argv[1], sys.argv[2], sys.argv[3]

# The three indicator flows of traffic.mixed_traffic(): initiator, port,
# responder, port, and which side is the indicator.
IOC_FLOWS = [("192.0.2.10", 40001, "5.101.81.81", 9323, "destination"),
             ("192.0.2.11", 40002, "203.159.90.139", 2404, "destination"),
             ("203.159.90.139", 2404, "192.0.2.13", 5000, "source")]


def setup(work):
    inp = os.path.join(work, "in.pcap")
    t.write_pcap(inp, traffic.mixed_traffic())
    return inp, t.read_frames(inp)


def check_alerts(work, path, port, mode, firewall_event, action):
    """The alerts as tshark and ipfixDump decode them."""
    alerts = t.alert_records(t.tshark_records(path, port))
    t.check(len(alerts) == 3, "%s: three alert records (got %d)"
            % (mode, len(alerts)))
    by_flow = {(r.get("cflow.srcaddr"), t.num(r.get("cflow.srcport")),
                r.get("cflow.dstaddr"), t.num(r.get("cflow.dstport"))): r
               for r in alerts}
    for src, sport, dst, dport, _ in IOC_FLOWS:
        r = by_flow.get((src, sport, dst, dport))
        if not t.check(r is not None, "%s: alert for %s:%d -> %s:%d"
                       % (mode, src, sport, dst, dport)):
            continue
        t.check(t.num(r.get("cflow.protocol")) in (6, 17),
                "%s: protocol of %s" % (mode, dst))
        t.check(t.num(r.get("cflow.firewall_event")) == firewall_event,
                "%s: firewallEvent %d for %s" % (mode, firewall_event, dst))
        t.check("cflow.octets" not in r,
                "%s: alert carries no octet count" % mode)
        t.check(t.num(r.get("cflow.inputint")) == 0 and
                t.num(r.get("cflow.outputint")) == 1,
                "%s: ingress port 0, egress port 1" % mode)
        t.check((r.get("cflow.abstimestart") or "").startswith(
            "Nov 14, 2023 22:13:20"), "%s: flowStartMilliseconds is the "
            "capture time" % mode)
    vlan = by_flow.get(("192.0.2.11", 40002, "203.159.90.139", 2404))
    t.check(vlan is not None and
            t.num(vlan.get("cflow.dot1q_vlan_id")) == 100,
            "%s: VLAN 100 on the tagged indicator flow" % mode)

    dumped = [f for tid, f in t.ipfixdump_records(path, port, ELEMENTS,
                                                   work) if tid in (256, 257)]
    t.check(len(dumped) == 3, "%s: ipfixDump reads three alerts" % mode)
    values = sorted(f.get("c2wIocValue", "") for f in dumped)
    t.check(values == ["203.159.90.139:2404", "203.159.90.139:2404",
                       "5.101.81.81:9323"],
            "%s: c2wIocValue of each alert (got %s)" % (mode, values))
    for f in dumped:
        t.check(f.get("c2wMalware") == "Remcos" and
                f.get("c2wThreatType") == "botnet_cc" and
                f.get("c2wConfidence") == "75" and
                f.get("c2wAction") == str(action) and
                f.get("c2wIocTags") == "Remcos",
                "%s: indicator metadata in alert %s" % (mode, f))
    sides = sorted(f.get("c2wMatchSide", "") for f in dumped)
    t.check(sides == ["1", "2", "2"], "%s: c2wMatchSide 2 for two "
            "destination matches, 1 for the source match" % mode)


def test_block(work, inp, frames):
    port = t.free_udp_port()
    cap = t.Capture(work, port)
    vdevs, tx0, tx1 = t.pair_vdevs(work, inp)
    rc, out, err = t.run_c2wall(BIN, vdevs, [
        "--iocs", SEED, "--mode", "inline", "--action", "block",
        "--idle-exit", "500", "--ipfix", "udp://127.0.0.1:%d" % port])
    path = cap.stop()
    t.check(rc == 0, "block: c2wall exits 0")
    check_alerts(work, path, port, "block", 3, 1)
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
    recs = t.tshark_records(path, port)
    rows = t.alert_records(recs) + t.flow_records(recs)
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
    check_alerts(work, path, port, "alert", 4, 2)


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


def test_allow(work, inp, frames):
    """An allowlisted host wins over the indicator it talks to; the
    others stay blocked."""
    allow = os.path.join(work, "allow.txt")
    with open(allow, "w") as f:
        f.write("# security team sandbox\n192.0.2.10\n"
                "# a scanner, by ip:port\n192.0.2.13:5000\n")
    port = t.free_udp_port()
    cap = t.Capture(work, port)
    vdevs, tx0, tx1 = t.pair_vdevs(work, inp)
    rc, out, err = t.run_c2wall(BIN, vdevs, [
        "--iocs", SEED, "--allow", allow, "--idle-exit", "500",
        "--ipfix", "udp://127.0.0.1:%d" % port])
    path = cap.stop()
    t.check(rc == 0, "allow: c2wall exits 0")

    def released(frame):
        from scapy.all import IP, Ether
        ip = Ether(frame).getlayer(IP)
        return ip is not None and ("192.0.2.10" in (ip.src, ip.dst) or
                                   "192.0.2.13" in (ip.src, ip.dst))
    want = [f for f in frames
            if not traffic.is_ioc_packet(f) or released(f)]
    t.check(t.read_frames(tx1) == want, "allow: only the flow to "
            "203.159.90.139:2404 from 192.0.2.11 is dropped")
    t.check(t.summary_counter(out, "allow_hits") == 2,
            "allow: two flows released by the allowlist")
    t.check(t.summary_counter(out, "alerts_sent") == 1,
            "allow: no alert for released flows")
    dumped = t.ipfixdump_records(path, port, ELEMENTS, work)
    actions = sorted(f.get("c2wAction") for tid, f in dumped
                     if tid in (258, 259))
    t.check(actions == ["1", "3", "3"], "allow: flow records say blocked "
            "once and allowed twice (got %s)" % actions)


def test_rules(work, inp, frames):
    """Policy rules choose each indicator's action: here every Remcos
    indicator only alerts, although the global action is block."""
    conf = os.path.join(work, "rules.conf")
    with open(conf, "w") as f:
        f.write('policy = { action = "block"; rules = (\n'
                '  { tag = "Remcos"; min_confidence = 80; '
                'action = "ignore"; },\n'
                '  { malware = "remcos"; table = "%s"; action = "alert"; }\n'
                '); };\n' % os.path.basename(SEED))
    vdevs, tx0, tx1 = t.pair_vdevs(work, inp)
    rc, out, err = t.run_c2wall(BIN, vdevs, [
        "--config", conf, "--iocs", SEED, "--idle-exit", "500"])
    t.check(rc == 0, "rules: c2wall exits 0")
    t.check(t.read_frames(tx1) == frames, "rules: alert rule forwards "
            "every frame")
    t.check(t.summary_counter(out, "alerts_sent") == 3,
            "rules: the three indicator flows are alerted")
    t.check("rule 1 (line 2: tag Remcos, confidence >= 80) ignore: 0 "
            "indicators" in out, "rules: rule 1 takes no indicator")
    t.check("rule 2 (line 3: table %s, malware remcos, confidence >= 0) "
            "alert: 2 indicators" % os.path.basename(SEED) in out,
            "rules: rule 2 takes both indicators")


def test_cidr(work, inp, frames):
    """Prefixes in the indicator table and in the allowlist: the most
    specific entry decides, and the allowlist wins over all."""
    feed = os.path.join(work, "cidr.txt")
    with open(feed, "w") as f:
        f.write("203.159.90.0/24\n5.101.81.81:9323\n")
    allow = os.path.join(work, "allow.txt")
    with open(allow, "w") as f:
        f.write("192.0.2.8/30\n")
    vdevs, tx0, tx1 = t.pair_vdevs(work, inp)
    rc, out, err = t.run_c2wall(BIN, vdevs, [
        "--iocs", feed, "--allow", allow, "--idle-exit", "500"])
    t.check(rc == 0, "cidr: c2wall exits 0")
    blocked = {traffic.IOC2}
    want = [f for f in frames
            if not (traffic.is_ioc_packet(f, blocked) and
                    b"\xc0\x00\x02\x0d" in f)]
    t.check(t.read_frames(tx1) == want, "cidr: only the UDP flow from "
            "the /24 to 192.0.2.13 is dropped; 192.0.2.10 and .11 are "
            "inside the allowed /30")
    t.check(t.summary_counter(out, "allow_hits") == 2,
            "cidr: two flows released by the allowed prefix")


def test_v4mapped(work):
    """An IPv6 packet with an IPv4-mapped address is malformed, but tap
    mode still judges it. Its alert must be IPv6 with the addresses on
    the wire, not an IPv4 flow made of the mapped bytes."""
    src, dst = "2001:db8:bad::1", "::ffff:198.51.100.1"
    pkt = (Ether(src=traffic.MAC_A, dst=traffic.MAC_B) /
           IPv6(src=src, dst=dst) / UDP(sport=5002, dport=53) /
           Raw(b"q" * 20))

    inp = os.path.join(work, "v4mapped.pcap")
    t.write_pcap(inp, [pkt, pkt])
    feed = os.path.join(work, "v6.txt")
    with open(feed, "w") as f:
        f.write(src + "\n")

    port = t.free_udp_port()
    cap = t.Capture(work, port)
    vdevs, _, _ = t.pair_vdevs(work, inp)
    rc, out, _ = t.run_c2wall(BIN, vdevs, [
        "--iocs", feed, "--mode", "tap", "--idle-exit", "500",
        "--ipfix", "udp://127.0.0.1:%d" % port])
    path = cap.stop()

    t.check(rc == 0, "v4mapped: c2wall exits 0")
    t.check(re.search(r"\bip6_v4mapped 2\b", out) is not None,
            "v4mapped: both packets counted as ip6_v4mapped")
    alerts = t.alert_records(t.tshark_records(path, port))
    t.check(len(alerts) == 2, "v4mapped: one alert per packet (got %d)"
            % len(alerts))
    for r in alerts:
        t.check(r.get("cflow.srcaddrv6") == src and
                r.get("cflow.dstaddrv6") == dst,
                "v4mapped: alert from %s to %s (got %s -> %s)"
                % (src, dst, r.get("cflow.srcaddrv6"),
                   r.get("cflow.dstaddrv6")))
        t.check("cflow.srcaddr" not in r and "cflow.dstaddr" not in r,
                "v4mapped: no IPv4 addresses in the alert")


def main():
    work = t.tempdir("policy")
    inp, frames = setup(work)
    which = sys.argv[4] if len(sys.argv) > 4 else "all"
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
    if which in ("all", "rules"):
        d = os.path.join(work, "rules")
        os.makedirs(d)
        test_rules(d, inp, frames)
    if which in ("all", "cidr"):
        d = os.path.join(work, "cidr")
        os.makedirs(d)
        test_cidr(d, inp, frames)
    if which in ("all", "allow"):
        d = os.path.join(work, "allow")
        os.makedirs(d)
        test_allow(d, inp, frames)
    if which in ("all", "v4mapped"):
        d = os.path.join(work, "v4mapped")
        os.makedirs(d)
        test_v4mapped(d)
    t.cleanup(work)
    t.done()


main()
