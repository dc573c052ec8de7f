#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare a pktgen-dpdk run with c2wall's summary and a baseline.

PROFILE_DIR is the directory c2wall-pktgen.py wrote; the pktgen script
leaves pktgen-result.txt there. --c2wall-log is c2wall's standard
output, which ends with the "c2wall summary" block printed at exit.
--baseline is the pktgen-result.txt of the same profile run through
dpdk-testpmd in io forwarding mode on the same ports.

Expected policy drops are the frames pktgen sent times the profile's
hit_share, because each flow is one frame per pass over the capture.
With --action alert nothing is dropped. Frames lost anywhere else are
sent - expected drops - received; c2wall's tx_failed and port missed
counters show whether c2wall lost them.
"""

import argparse
import re
import sys


def read_keys(path):
    values = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            key, sep, value = line.partition("=")
            if not sep:
                sys.exit("%s:%d: expected key=value, got %r" % (path, n, line))
            values[key] = value
    return values


def c2wall_summary(path):
    """Counters of the 'all workers' line and rx/tx of each port."""
    with open(path, errors="replace") as f:
        text = f.read()
    start = text.rfind("c2wall summary")
    if start < 0:
        sys.exit("%s: no 'c2wall summary' block; c2wall prints it when it "
                 "stops on SIGINT or --idle-exit" % path)
    text = text[start:]
    workers = re.search(r"^  all workers: (.*)$", text, re.M)
    counters = {}
    if workers:
        for item in workers.group(1).split(", "):
            name, _, value = item.rpartition(" ")
            counters[name] = int(value)
    for m in re.finditer(r"^  port (\d+): rx (\d+) pkts \d+ bytes, tx (\d+) "
                         r"pkts \d+ bytes, missed (\d+)", text, re.M):
        port = m.group(1)
        counters["port%s_rx" % port] = int(m.group(2))
        counters["port%s_tx" % port] = int(m.group(3))
        counters["port%s_missed" % port] = int(m.group(4))
    return counters


def row(name, value, note=""):
    print("  %-34s %14s  %s" % (name, value, note))


def received_pps(result):
    return int(result["port0_rx_pps"]) + int(result["port1_rx_pps"])


def report_pktgen(profile, result, action):
    """Print pktgen's side and return the expected policy drops."""
    share = float(profile["hit_share"])
    sent = int(result["port0_tx_pkts"]) + int(result["port1_tx_pkts"])
    received = int(result["port0_rx_pkts"]) + int(result["port1_rx_pkts"])
    drops = round(sent * share) if action == "block" else 0
    sizes = profile["size"] + (" B" if profile["size"] != "imix" else "")

    print("pktgen (%s s, %s frames, %s flows, hit share %s):"
          % (result["duration_s"], sizes, profile["flows"],
             profile["hit_share"]))
    for port in ("0", "1"):
        row("port %s tx / rx pps" % port, "%s / %s"
            % (result["port%s_tx_pps" % port], result["port%s_rx_pps" % port]))
    row("frames sent", sent, "both ports")
    row("frames received", received, "both ports")
    row("expected policy drops", drops, "sent x hit_share, action " + action)
    row("lost (sent - drops - received)", sent - drops - received)
    return drops


def report_c2wall(profile, path, action, drops):
    share = float(profile["hit_share"])
    c2w = c2wall_summary(path)
    print("c2wall summary:")
    row("rx_pkts", c2w.get("rx_pkts"), "should equal frames sent")
    row("flows_created", c2w.get("flows_created"),
        "expected %s if no flow idles out" % profile["flows"])
    row("ioc_hits", c2w.get("ioc_hits"),
        "expected %s if no flow idles out" % profile["hit_flows"])
    row("policy_drops", c2w.get("policy_drops"), "expected %d" % drops)
    row("tx_pkts", c2w.get("tx_pkts"), "should equal frames received")
    row("tx_failed", c2w.get("tx_failed"), "TX ring full on the far port")
    for port in ("0", "1"):
        row("port %s missed" % port, c2w.get("port%s_missed" % port),
            "RX ring overflow, c2wall too slow")
    if not c2w.get("rx_pkts"):
        return
    diff = c2w.get("policy_drops", 0) - round(c2w["rx_pkts"] * share)
    if action == "alert":
        diff = c2w.get("policy_drops", 0)
    # The last pass over the capture may stop part way.
    bound = int(profile["hit_frames_per_pass"]) * int(profile["directions"])
    row("drops - rx_pkts x hit_share", diff,
        "within +-%d (one pass): %s"
        % (bound, "yes" if abs(diff) <= bound else "NO"))


def report_baseline(profile, result, path, action):
    base = read_keys(path)
    rate, base_rate = received_pps(result), received_pps(base)
    print("baseline (%s):" % path)
    row("received pps, this run", rate)
    row("received pps, baseline", base_rate)
    if base_rate:
        row("ratio", "%.3f" % (rate / base_rate))
    if action == "block" and float(profile["hit_share"]) > 0:
        print("  NOTE: action block drops the hit share; run c2wall with "
              "--action alert for a like-for-like ratio")


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Compare a pktgen-dpdk run with c2wall's counters.")
    p.add_argument("profile", metavar="PROFILE_DIR",
                   help="directory written by c2wall-pktgen.py")
    p.add_argument("--result", help="pktgen totals (default: "
                   "PROFILE_DIR/pktgen-result.txt)")
    p.add_argument("--c2wall-log", help="c2wall's standard output")
    p.add_argument("--action", choices=("block", "alert"), default="block",
                   help="c2wall's policy.action in the run; default block")
    p.add_argument("--baseline", help="pktgen totals of the same profile "
                   "through dpdk-testpmd io forwarding")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    profile = read_keys(args.profile + "/profile.txt")
    result = read_keys(args.result or args.profile + "/pktgen-result.txt")
    drops = report_pktgen(profile, result, args.action)
    if args.c2wall_log:
        report_c2wall(profile, args.c2wall_log, args.action, drops)
    if args.baseline:
        report_baseline(profile, result, args.baseline, args.action)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
