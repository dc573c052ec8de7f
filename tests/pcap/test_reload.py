# SPDX-License-Identifier: BSD-3-Clause
"""Live table reloads under endless traffic. net_pcap replays the mixed
capture in a loop into net_null, so the n-th packet received is packet
n mod N of the capture and the exact count of packets c2wall must drop
follows from rx_pkts alone.

Usage: test_reload.py C2WALL SEED_TABLE CASE
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import c2wtest as t
import traffic

BIN, SEED, CASE = sys.argv[1], sys.argv[2], sys.argv[3]


class Running:
    """c2wall on an endless replay, with its telemetry socket."""

    def __init__(self, work, feed):
        self.prefix = "c2wrl%d" % os.getpid()
        self.inp = os.path.join(work, "in.pcap")
        t.write_pcap(self.inp, traffic.mixed_traffic())
        self.frames = t.read_frames(self.inp)
        vdevs = ["--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % self.inp,
                 "--vdev", "net_null0,no-rx=1"]
        cmd = [BIN] + t.eal_args(prefix=self.prefix) + vdevs + [
            "--", "--iocs", feed, "--stats-interval", "0"]
        print("# " + " ".join(cmd), flush=True)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        time.sleep(2)

    def telemetry(self, cmd):
        path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % self.prefix
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect(path)
        s.recv(16384)
        s.send(cmd.encode())
        reply = json.loads(s.recv(65536).decode())
        s.close()
        return reply.get(cmd.split(",")[0])

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=60)
        for line in (out + err).splitlines():
            if not line.startswith("c2wall: rx "):
                print("# " + line)
        return out, err

    def expected_drops(self, rx, blocked):
        """Packets among the first rx of the endless replay that belong
        to flows of the given indicator endpoints."""
        n = len(self.frames)
        per_loop = [traffic.is_ioc_packet(f, blocked) for f in self.frames]
        full, rest = divmod(rx, n)
        return full * sum(per_loop) + sum(per_loop[:rest])


def write_feed(path, endpoints):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for addr, port in sorted(endpoints):
            f.write("%s:%d\n" % (addr, port))
    os.rename(tmp, path)


def wait_reloads(run, count, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = run.telemetry("/c2wall/reload_status")
        if r and r.get("done", 0) + r.get("failed", 0) >= count:
            return r
        time.sleep(0.05)
    return run.telemetry("/c2wall/reload_status")


def case_steady(work):
    """Reloads of the same tables every 100 ms change nothing: every
    packet is forwarded or dropped as without reloads."""
    feed = os.path.join(work, "feed.txt")
    write_feed(feed, traffic.IOCS)
    run = Running(work, feed)
    for _ in range(30):
        run.proc.send_signal(signal.SIGHUP)
        time.sleep(0.1)
    status = wait_reloads(run, 10)
    out, err = run.stop()
    rx = t.summary_counter(out, "rx_pkts")
    drops = t.summary_counter(out, "policy_drops")
    tx = t.summary_counter(out, "tx_pkts")
    t.check(status is not None and status.get("done", 0) >= 10 and
            status.get("failed") == 0, "steady: at least 10 reloads, none "
            "failed (%s)" % status)
    t.check(rx is not None and rx > 1000000,
            "steady: the replay ran through reloads (%s packets)" % rx)
    t.check(drops == run.expected_drops(rx, traffic.IOCS),
            "steady: exactly the indicator packets dropped (%s, want %s)"
            % (drops, run.expected_drops(rx or 0, traffic.IOCS)))
    t.check(tx + drops == rx, "steady: forwarded + dropped = received")
    t.check(t.summary_counter(out, "alerts_sent") == 3,
            "steady: one alert per indicator flow, none repeated by a "
            "reload")


def case_switch(work):
    """A flow whose indicator arrives by reload is blocked from then on,
    and released when the indicator leaves; a broken feed keeps the
    tables."""
    feed = os.path.join(work, "feed.txt")
    write_feed(feed, {traffic.IOC2})
    run = Running(work, feed)
    before = run.telemetry("/c2wall/workers")
    t.check(before["alerts_sent"] == 2, "switch: two alerts for the flows "
            "of indicator 2 (%s)" % before["alerts_sent"])

    write_feed(feed, traffic.IOCS)
    run.proc.send_signal(signal.SIGHUP)
    wait_reloads(run, 1)
    time.sleep(0.5)
    mid = run.telemetry("/c2wall/workers")
    t.check(mid["alerts_sent"] == 3, "switch: the flow to indicator 1 is "
            "alerted after the reload added it (%s)" % mid["alerts_sent"])

    # A half-written feed: the reload fails and the tables stay.
    with open(feed, "w") as f:
        f.write("garbage that is no indicator\n")
    run.proc.send_signal(signal.SIGHUP)
    status = wait_reloads(run, 2)
    t.check(status.get("failed") == 1, "switch: the broken feed fails to "
            "load (%s)" % status)
    a = run.telemetry("/c2wall/workers")
    time.sleep(0.5)
    b = run.telemetry("/c2wall/workers")
    t.check(b["policy_drops"] > a["policy_drops"], "switch: indicator "
            "flows are still dropped after the failed reload")

    # An empty feed would unblock everything: refused as well.
    open(feed, "w").close()
    run.proc.send_signal(signal.SIGHUP)
    status = wait_reloads(run, 3)
    t.check(status.get("failed") == 2, "switch: an empty feed is refused "
            "at reload (%s)" % status)

    write_feed(feed, {traffic.IOC2})
    run.proc.send_signal(signal.SIGHUP)
    wait_reloads(run, 4)
    time.sleep(0.2)
    c = run.telemetry("/c2wall/workers")
    time.sleep(1)
    d = run.telemetry("/c2wall/workers")
    per_loop1 = sum(traffic.is_ioc_packet(f, {traffic.IOC1})
                    for f in run.frames)
    per_loop2 = sum(traffic.is_ioc_packet(f, {traffic.IOC2})
                    for f in run.frames)
    loops = (d["rx_pkts"] - c["rx_pkts"]) / len(run.frames)
    rate = (d["policy_drops"] - c["policy_drops"]) / max(loops, 1)
    t.check(abs(rate - per_loop2) < 0.5, "switch: once indicator 1 is "
            "removed only indicator 2's %d packets per loop are dropped "
            "(%.2f, %d before)" % (per_loop2, rate, per_loop1 + per_loop2))
    run.stop()


def main():
    work = t.tempdir("reload-" + CASE)
    {"steady": case_steady, "switch": case_switch}[CASE](work)
    t.cleanup(work)
    t.done()


main()
