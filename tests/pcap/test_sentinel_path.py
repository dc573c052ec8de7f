# SPDX-License-Identifier: BSD-3-Clause
"""The whole path to Sentinel: c2wall blocks the indicator flows of a
replay and exports IPFIX, c2wall-collector turns the records into CEF
and sends them over TCP syslog to a real rsyslogd on loopback, which
writes what it received."""

import os
import re
import subprocess
import sys
import time

import c2wtest as t
import traffic
from test_collector import Rsyslog

BIN, COLLECTOR, SEED = sys.argv[1], sys.argv[2], sys.argv[3]


def cef_fields(line):
    """Header fields and extension keys of one CEF line."""
    body = line[line.index("CEF:0|"):]
    head = re.split(r"(?<!\\)\|", body, maxsplit=7)
    ext = dict(re.findall(r"(\w+)=((?:[^=\\]|\\.)*?)(?=\s\w+=|$)", head[7]))
    return head, ext


def main():
    work = t.tempdir("sentinel")
    inp = os.path.join(work, "in.pcap")
    t.write_pcap(inp, traffic.mixed_traffic())
    rs = Rsyslog(work, "tcp")
    port = t.free_udp_port()
    coll = subprocess.Popen(
        [COLLECTOR, "--listen", "udp://127.0.0.1:%d" % port, "--syslog",
         "tcp://127.0.0.1:%d" % rs.port, "--cef",
         os.path.join(work, "alerts.cef")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    vdevs, tx0, tx1 = t.pair_vdevs(work, inp)
    rc, out, err = t.run_c2wall(BIN, vdevs, [
        "--iocs", SEED, "--idle-exit", "500",
        "--ipfix", "udp://127.0.0.1:%d" % port])
    t.check(rc == 0, "c2wall exits 0")
    # Three alerts and three flow records of the indicator flows.
    lines = rs.lines(6, timeout=15)
    coll.terminate()
    cout, cerr = coll.communicate(timeout=10)
    rs.stop()
    for line in cerr.splitlines():
        print("# collector: " + line)
    cef = [l for l in lines if "CEF:0|" in l]
    t.check(len(cef) == 6, "rsyslog received 6 CEF lines (got %d)"
            % len(cef))
    t.check(all(l.startswith("local4 ") for l in cef),
            "every line arrived with facility local4")
    alerts = [cef_fields(l) for l in cef if "|100|" in l]
    t.check(len(alerts) == 3, "three alert events (signature 100)")
    dsts = sorted((e.get("src"), e.get("dst"), e.get("dpt"))
                  for _, e in alerts)
    t.check(dsts == sorted([("192.0.2.10", "5.101.81.81", "9323"),
                            ("192.0.2.11", "203.159.90.139", "2404"),
                            ("203.159.90.139", "192.0.2.13", "5000")]),
            "alert source, destination and port (got %s)" % dsts)
    for head, ext in alerts:
        t.check(ext.get("act") == "blocked",
                "DeviceAction blocked for %s" % ext.get("dst"))
        t.check(head[1] == "c2wall" and head[2] == "c2wall",
                "vendor and product c2wall")
        t.check(ext.get("cs3") == "Remcos" and ext.get("cn1") == "75",
                "malware Remcos, confidence 75 in %s" % ext)
    ends = [cef_fields(l) for l in cef if "|101|" in l]
    bytes_in = sorted(int(e.get("in", "0")) for _, e in ends)
    t.check(len(ends) == 3 and all(b > 0 for b in bytes_in),
            "three flow-end events with byte counts (%s)" % bytes_in)
    t.cleanup(work)
    t.done()


main()
