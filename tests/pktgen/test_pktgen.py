# SPDX-License-Identifier: BSD-3-Clause
"""Check that tools/pktgen/c2wall-pktgen.py writes the traffic it
promises. Its captures are replayed through the real c2wall on net_pcap
ports with its feed. c2wall must then create exactly the promised flows,
hit the promised indicators and drop (action block) only the frames
toward them.

Case "virtual" runs pktgen-dpdk itself through tools/pktgen/run-virtual.sh
and exits 77 (skipped) unless PKTGEN names a pktgen binary.

Usage: test_pktgen.py C2WALL CASE
"""

import os
import re
import shutil
import struct
import subprocess
import sys

import c2wtest as t

C2WALL, CASE = os.path.abspath(sys.argv[1]), sys.argv[2]
# run-virtual.sh takes the build directory, which contains app/c2wall.
BUILD = os.path.dirname(os.path.dirname(C2WALL))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
GENERATOR = os.path.join(TOP, "tools", "pktgen", "c2wall-pktgen.py")
SKIP = 77

# (generator options, c2wall --flow-entries) of each replay case.
REPLAYS = {
    "64-hit1": (["--size", "64", "--flows", "1000", "--hit", "1"], 65536),
    "imix-hit100-bidir": (["--size", "imix", "--flows", "1200", "--hit",
                           "100", "--bidir"], 65536),
    "1518-hit0-extra": (["--size", "1518", "--flows", "3000", "--hit", "0",
                         "--feed-extra", "20000"], 65536),
    "100k-hit1": (["--size", "64", "--flows", "100000", "--hit", "1"],
                  262144),
}
IOC_NET = b"\xcb\x00\x71"       # 203.0.113.0/24, the generator's indicators


def generate(workdir, options):
    out = os.path.join(workdir, "profile")
    cmd = ["/usr/bin/python3", GENERATOR, "--out", out, "--quit"] + options
    print("# " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    profile = {}
    with open(os.path.join(out, "profile.txt")) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            profile[key] = value
    return out, profile


def source(frame):
    """IPv4 source address and UDP source port of an untagged
    Ethernet/IPv4/UDP frame with a 20-byte IPv4 header."""
    return frame[26:30], struct.unpack("!H", frame[34:36])[0]


def destination(frame):
    """IPv4 destination address and UDP destination port, as source()."""
    return frame[30:34], struct.unpack("!H", frame[36:38])[0]


def feed_endpoints(path):
    found = set()
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            value = line.split(",")[1].strip('"')
            addr, port = value.split(":")
            found.add((bytes(int(x) for x in addr.split(".")), int(port)))
    return found


def check_captures(name, out, profile):
    """Check that the captures match profile.txt and that every frame
    toward 203.0.113.0/24 goes to a feed indicator."""
    feed = feed_endpoints(os.path.join(out, "feed.csv"))
    frames = t.read_frames(os.path.join(out, "port0.pcap"))
    hits = [f for f in frames if f[30:33] == IOC_NET]
    t.check(len(frames) == int(profile["frames_per_pass"]),
            "%s: port0.pcap has frames_per_pass frames (%d)"
            % (name, len(frames)))
    t.check(len(hits) == int(profile["hit_frames_per_pass"]),
            "%s: %d frames toward 203.0.113.0/24, profile says %s"
            % (name, len(hits), profile["hit_frames_per_pass"]))
    t.check(all(destination(f) in feed for f in hits),
            "%s: every frame toward 203.0.113.0/24 hits a feed indicator"
            % name)
    flows = {(source(f), destination(f)) for f in frames}
    t.check(len(flows) == int(profile["flows"]),
            "%s: %d distinct flows in port0.pcap, profile says %s"
            % (name, len(flows), profile["flows"]))
    mean = sum(len(f) + 4 for f in frames) / len(frames)
    t.check("%.1f" % mean == profile["mean_frame_bytes"],
            "%s: mean frame %.1f B with FCS, profile says %s"
            % (name, mean, profile["mean_frame_bytes"]))
    if profile["bidir"] == "1":
        replies = t.read_frames(os.path.join(out, "port1.pcap"))
        t.check([destination(r) for r in replies] ==
                [source(f) for f in frames],
                "%s: port1.pcap answers every flow of port0.pcap" % name)


def check_lua(name, out):
    luac = shutil.which("luac5.3")
    if not luac:
        print("# luac5.3 not found (Debian lua5.3): c2wall.lua not checked")
        return
    p = subprocess.run([luac, "-p", os.path.join(out, "c2wall.lua")],
                       capture_output=True, text=True)
    t.check(p.returncode == 0,
            "%s: luac5.3 -p accepts c2wall.lua %s" % (name, p.stderr.strip()))


def run_replay(name):
    options, entries = REPLAYS[name]
    workdir = t.tempdir("pktgen")
    out, profile = generate(workdir, options)
    check_captures(name, out, profile)
    check_lua(name, out)

    rx1 = os.path.join(out, "port1.pcap") if profile["bidir"] == "1" else None
    vdevs, tx0, tx1 = t.pair_vdevs(workdir, os.path.join(out, "port0.pcap"),
                                   rx1)
    rc, stdout, stderr = t.run_c2wall(
        C2WALL, vdevs, ["--iocs", os.path.join(out, "feed.csv"),
                        "--flow-entries", str(entries), "--idle-exit",
                        "1000"], timeout=120)
    t.check(rc == 0, "%s: c2wall exits with 0 (got %d)" % (name, rc))

    directions = int(profile["directions"])
    frames = int(profile["frames_per_pass"]) * directions
    drops = int(profile["hit_frames_per_pass"]) * directions
    loaded = int(profile["indicators"]) + int(profile["feed_extra"])
    m = re.search(r"iocs: (\d+) loaded", stdout + stderr)
    t.check(m is not None and int(m.group(1)) == loaded,
            "%s: c2wall loads %d indicators (%s)"
            % (name, loaded, m.group(0) if m else "no iocs line"))
    expect = {
        "rx_pkts": frames,
        "flows_created": int(profile["flows"]),
        "ioc_hits": int(profile["hit_flows"]),
        "policy_drops": drops,
        "tx_pkts": frames - drops,
        "malformed_drops": 0,
        "non_ip": 0,
    }
    for counter, value in expect.items():
        got = t.summary_counter(stdout, counter)
        t.check(got == value, "%s: %s %s, expected %d"
                % (name, counter, got, value))

    passed = t.read_frames(tx1) + t.read_frames(tx0)
    t.check(len(passed) == frames - drops,
            "%s: %d frames leave c2wall, expected %d"
            % (name, len(passed), frames - drops))
    leaked = [f for f in passed if IOC_NET in (f[26:29], f[30:33])]
    t.check(not leaked, "%s: no frame of a hit flow leaves c2wall (%d did)"
            % (name, len(leaked)))
    t.cleanup(workdir)


def read_result(path):
    with open(path) as f:
        return {k: int(v) for k, _, v in
                (line.strip().partition("=") for line in f if "=" in line)}


def run_virtual():
    pktgen = os.environ.get("PKTGEN")
    if not pktgen or not os.access(pktgen, os.X_OK):
        print("# PKTGEN is not set to a pktgen binary: skipped")
        sys.exit(SKIP)
    workdir = t.tempdir("pktgen-virtual")
    out, profile = generate(workdir, ["--size", "64", "--flows", "1000",
                                      "--hit", "1", "--duration", "3"])
    env = dict(os.environ, C2W_BUILD=BUILD, C2W_ACTION="block")
    p = subprocess.run(["sh", os.path.join(TOP, "tools", "pktgen",
                                           "run-virtual.sh"), out, "c2wall"],
                       env=env, capture_output=True, text=True, timeout=180)
    sys.stdout.write("".join("# " + line + "\n"
                             for line in p.stdout.splitlines()))
    sys.stdout.write("".join("# err: " + line + "\n"
                             for line in p.stderr.splitlines()))
    t.check(p.returncode == 0, "virtual: run-virtual.sh exits with 0 (got %d)"
            % p.returncode)
    if p.returncode != 0:
        t.done()

    result = read_result(os.path.join(out, "pktgen-result-c2wall.txt"))
    with open(os.path.join(out, "c2wall.log")) as f:
        log = f.read()
    sent, received = result["port0_tx_pkts"], result["port1_rx_pkts"]
    rx = t.summary_counter(log, "rx_pkts")
    drops = t.summary_counter(log, "policy_drops")
    t.check(sent > 0, "virtual: pktgen sent %d frames" % sent)
    t.check(rx == sent, "virtual: c2wall received %s of %d frames sent"
            % (rx, sent))
    t.check(t.summary_counter(log, "tx_pkts") == received,
            "virtual: c2wall sent what pktgen port 1 received (%d)"
            % received)
    t.check(t.summary_counter(log, "flows_created") == 1000,
            "virtual: 1000 flows created")
    t.check(t.summary_counter(log, "ioc_hits") == 10,
            "virtual: 10 indicator hits")
    # The last pass over the capture may stop part way through.
    expected = round(sent * float(profile["hit_share"]))
    t.check(drops is not None and abs(drops - expected) <= 10,
            "virtual: %s policy drops, expected %d +- 10" % (drops, expected))
    t.cleanup(workdir)


def main():
    if CASE == "virtual":
        run_virtual()
    elif CASE in REPLAYS:
        run_replay(CASE)
    else:
        sys.exit("unknown case %r: expected virtual or one of %s"
                 % (CASE, ", ".join(REPLAYS)))
    t.done()


main()
