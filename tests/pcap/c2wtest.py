# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for tests that run the real c2wall on DPDK virtual devices.

Every run uses net_pcap ports, its own EAL in-memory instance and a
temporary directory. Hugepages are used when the kernel has free 2 MiB
pages mounted; otherwise the run falls back to --no-huge and says so.
"""

import os
import json
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

from scapy.all import Ether, RawPcapReader, wrpcap
from scapy.utils import PcapWriter

FAILURES = []


def check(cond, what):
    """Record one named check, printed TAP-like, without stopping."""
    print(("ok" if cond else "not ok") + " - " + what, flush=True)
    if not cond:
        FAILURES.append(what)
    return cond


def done():
    """Exit 0 when every check passed, 1 otherwise."""
    if FAILURES:
        print("%d check(s) failed:" % len(FAILURES))
        for f in FAILURES:
            print("  " + f)
        sys.exit(1)
    sys.exit(0)


def free_hugepages():
    try:
        with open("/proc/meminfo") as f:
            text = f.read()
    except OSError:
        return 0
    m = re.search(r"HugePages_Free:\s+(\d+)", text)
    mounted = os.path.isdir("/dev/hugepages") and any(
        "hugetlbfs" in line for line in open("/proc/mounts"))
    return int(m.group(1)) if m and mounted else 0


def eal_args(lcores="0-1", prefix=None):
    """EAL options for a test run: no PCI; in memory without telemetry,
    or with a file prefix (and its telemetry socket) when one is given."""
    args = ["-l", lcores, "--no-pci", "--log-level=*:warning",
            "--log-level=c2w.*:notice"]
    if prefix:
        args += ["--file-prefix", prefix]
        if free_hugepages() < 128:
            args += ["--no-huge", "-m", "1024"]
        return args
    args.append("--no-telemetry")
    if free_hugepages() < 128:
        # DPDK 22.11 refuses --in-memory together with --no-huge.
        print("# hugepages: fewer than 128 free 2 MiB pages: --no-huge")
        args += ["--no-huge", "-m", "1024", "--no-shconf",
                 "--file-prefix", "c2wtest%d" % os.getpid()]
    else:
        args.append("--in-memory")
    return args


def write_pcap(path, packets):
    """Write scapy packets (or raw bytes) as an Ethernet pcap."""
    w = PcapWriter(path, linktype=1, sync=True)
    for p in packets:
        w.write(p)
    w.close()


def write_raw_pcap(path, records):
    """Write (frame bytes, seconds as float) records as an Ethernet
    pcap with microsecond times."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for data, ts in records:
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            if usec >= 1000000:
                sec, usec = sec + 1, usec - 1000000
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
            f.write(data)


def read_records(path):
    """(frame bytes, time as float) of each pcap record."""
    return [(bytes(d), m.sec + m.usec / 1e6) for d, m in RawPcapReader(path)]


def read_frames(path):
    """Frames of a pcap as raw bytes, in file order."""
    if not os.path.exists(path):
        return []
    return [bytes(data) for data, _ in RawPcapReader(path)]


def pair_vdevs(workdir, rx0, rx1=None, infinite=False):
    """Two net_pcap ports: port 0 reads rx0, port 1 reads rx1 (or
    nothing); each writes what it transmits to tx<port>.pcap."""
    tx0 = os.path.join(workdir, "tx0.pcap")
    tx1 = os.path.join(workdir, "tx1.pcap")
    v0 = "net_pcap0,rx_pcap=%s,tx_pcap=%s" % (rx0, tx0)
    v1 = "net_pcap1,tx_pcap=%s" % tx1
    if rx1:
        v1 = "net_pcap1,rx_pcap=%s,tx_pcap=%s" % (rx1, tx1)
    if infinite:
        v0 += ",infinite_rx=1"
    return ["--vdev", v0, "--vdev", v1], tx0, tx1


def eal_args_mapped(lcore_map):
    """eal_args() with an EAL --lcores map such as "0@0,1@1,2@0" in
    place of -l, so that a run can have more lcores than the machine has
    CPUs."""
    args = eal_args()
    i = args.index("-l")
    args[i:i + 2] = ["--lcores", lcore_map]
    return args


def queue_vdev(name, rx_files, tx_files):
    """--vdev options of one net_pcap port with one RX queue per file in
    rx_files and one TX queue per file in tx_files."""
    kv = ["rx_pcap=" + f for f in rx_files] + \
         ["tx_pcap=" + f for f in tx_files]
    return ["--vdev", ",".join([name] + kv)]


def run_c2wall(binary, vdevs, app_args, timeout=60, lcores="0-1"):
    """Run c2wall to completion; returns (exit code, stdout, stderr)."""
    return run_c2wall_eal(binary, eal_args(lcores), vdevs, app_args,
                          timeout)


def run_c2wall_eal(binary, eal, vdevs, app_args, timeout=60):
    """run_c2wall() with the EAL options given in full."""
    cmd = [binary] + eal + vdevs + ["--"] + app_args
    print("# " + " ".join(cmd), flush=True)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else ""
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else ""
        print("# timed out after %d s" % timeout)
        return -1, out or "", err or ""
    sys.stdout.write("".join("# " + l + "\n" for l in p.stdout.splitlines()))
    sys.stdout.write("".join("# err: " + l + "\n"
                             for l in p.stderr.splitlines()))
    return p.returncode, p.stdout, p.stderr


def summary_counter(stdout, name):
    """Value of a counter in the 'all workers' summary line."""
    m = re.search(r"all workers:.*?\b%s (\d+)" % re.escape(name), stdout,
                  re.S)
    return int(m.group(1)) if m else None


def worker_counter(stdout, worker, name):
    """Value of a counter in the summary line of one worker; c2wall
    prints these lines only when it runs more than one worker."""
    m = re.search(r"^  worker %d:.*?\b%s (\d+)" % (worker, re.escape(name)),
                  stdout, re.M)
    return int(m.group(1)) if m else None


def port_counter(stdout, port, name):
    """Packets a port counted in the summary: name is "rx" or "tx"."""
    m = re.search(r"^  port %d:.*?\b%s (\d+) pkts" % (port, re.escape(name)),
                  stdout, re.M)
    return int(m.group(1)) if m else None


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Capture:
    """dumpcap on loopback for one UDP port, as an independent record of
    what c2wall exported."""

    def __init__(self, workdir, port):
        self.path = os.path.join(workdir, "ipfix-%d.pcapng" % port)
        self.proc = subprocess.Popen(
            ["dumpcap", "-q", "-i", "lo", "-f", "udp port %d" % port,
             "-w", self.path], stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline and not os.path.exists(self.path):
            time.sleep(0.1)
        time.sleep(0.5)

    def stop(self):
        time.sleep(0.5)
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)
        return self.path


def tshark_records(path, port):
    """Decode every IPFIX data record with tshark. Returns one dict per
    record: field name -> value, or a list when tshark shows the field
    more than once (reverse counters reuse the forward names), plus
    "_set" (its template ID) and "_frame" (its message's index)."""
    cmd = ["tshark", "-r", path, "-d", "udp.port==%d,cflow" % port,
           "-T", "json", "--no-duplicate-keys"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    records = []
    for frame, pkt in enumerate(json.loads(out or "[]")):
        cflow = pkt["_source"]["layers"].get("cflow", {})
        for key, val in cflow.items():
            if not key.startswith("Set ") or not isinstance(val, dict):
                continue
            set_id = int(val.get("cflow.flowset_id", "0"))
            if set_id < 256:
                continue
            for fkey, flow in val.items():
                if fkey.startswith("Flow ") and isinstance(flow, dict):
                    rec = _flatten(flow)
                    rec["_set"] = set_id
                    rec["_frame"] = frame
                    records.append(rec)
    return records


# Template IDs of c2wall's records (docs/ipfix.md); options records such
# as the exporter statistics use others.
ALERT_SETS = (256, 257)
FLOW_SETS = (258, 259, 260, 261, 264, 265, 266, 267)


def alert_records(records):
    return [r for r in records if r["_set"] in ALERT_SETS]


def flow_records(records):
    return [r for r in records if r["_set"] in FLOW_SETS]


def _flatten(d, out=None):
    out = {} if out is None else out
    for k, v in d.items():
        if isinstance(v, dict):
            _flatten(v, out)
        elif k not in out:
            out[k] = v
    return out


def first(v):
    """First value of a field that tshark may show as a list."""
    if isinstance(v, list):
        return v[0] if v else None
    return v


def num(v):
    """Integer of a decimal or 0x-prefixed field value, None if absent."""
    v = first(v)
    return None if v is None else int(v, 0)


def ipfixdump_records(path, port, elements, workdir):
    """Records as libfixbuf's ipfixDump prints them, with the c2wall
    element names from an XML element file: (template id, {name: value})
    in export order."""
    hexes = subprocess.run(
        ["tshark", "-r", path, "-d", "udp.port==%d,cflow" % port,
         "-T", "fields", "-e", "udp.payload"],
        capture_output=True, text=True).stdout.split()
    stream = os.path.join(workdir, "export-%d.ipfix" % port)
    with open(stream, "wb") as out:
        for h in hexes:
            out.write(bytes.fromhex(h.replace(":", "")))
    text = subprocess.run(["ipfixDump", "-e", elements, "--in", stream,
                           "--data"], capture_output=True, text=True).stdout
    records = []
    for line in text.splitlines():
        m = re.search(r"tid:\s+(\d+)", line)
        if m and "count:" in line:
            records.append((int(m.group(1)), {}))
            continue
        m = re.match(r"\s*\(\S+\)\s+(\w+) : (?:\(len: \d+\) ?)?(.*)$", line)
        if m and records:
            records[-1][1][m.group(1)] = m.group(2).strip()
    return records


def tempdir(name):
    d = tempfile.mkdtemp(prefix="c2w-%s-" % name)
    return d


def cleanup(d):
    if not FAILURES and not os.environ.get("C2W_KEEP_TMP"):
        shutil.rmtree(d, ignore_errors=True)
    else:
        print("# files kept in " + d)
