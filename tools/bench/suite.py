# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark suite of c2wall: one worker against dpdk-testpmd io
forwarding on the same virtual devices, over frame sizes, flow counts,
IOC table sizes and hit ratios. It also measures the flow setup rate, the
memory per flow entry, a 4 M flow capacity point, IOC lookup rates and a
profile of the worker. Run it through tools/bench/run.sh, which holds the
benchmark lock. docs/benchmarks.md describes the output.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from plan import (BASE_FLOWS, BASE_HITS, BASE_IOCS, FULL,  # noqa: E402
                  MEM_ENTRIES, OTHERS_CPU_MAX, QUICK, describe,
                  flow_entries_for, human, points)
from report import Report, meminfo, verdict, write_docs  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PY = "/usr/bin/python3"
MIB = 1 << 20
PAGE = 2 * MIB
# Bytes of one mbuf of the default data room in a mempool: 128 for the
# mbuf, 2176 for headroom and data, plus object header and padding.
MBUF_BYTES = 2432
# Extra mbufs on top of a capture that infinite_rx keeps in the pool.
MBUF_SLACK = 16384
# Upper estimates, only to size EAL memory: a flow entry takes about 124
# bytes of DPDK heap and an ip:port indicator 80 to 90.
FLOW_BYTES_EST = 136
IOC_BYTES_EST = 120
FIXED_MIB_EST = 100
START_TIMEOUT_S = 300
STOP_TIMEOUT_S = 60
# c2wall's counter line interval. Short enough that the first pass over
# 1 M new flows spans several lines, which gives the flow setup rate.
STATS_MS = 50
# "-l 0-1" puts the main lcore on CPU 0 and the one worker (c2wall) or
# forwarding core (testpmd) on CPU 1.
EAL_CORES = ["-l", "0-1"]
WORKER_CPU = 1
PROFILE_S = 5
# Flows per c2w_ioc_table_match_bulk() call in ioc_bench: c2wall's
# default burst (ports.burst).
IOC_BULK = 32
# Pause before a point is run again because others used the CPUs.
RETRY_PAUSE_S = 5
CLK_TCK = os.sysconf("SC_CLK_TCK")
BUILD_TARGETS = ("app/c2wall", "tools/feed/c2wall-feed",
                 "tools/bench/ioc_bench")


class BenchError(Exception):
    """A step of the suite failed; the message names it and its log."""


def proc_status(pid, key):
    """Return a /proc/PID/status value in kB, 0 if missing."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def faster(a, b):
    """Pick the faster of two results of one point, since disturbances
    only ever slow a run down. A result with an error loses. The pick
    keeps the best setup rate and the rates of every run."""
    if a is None or "error" in a:
        return b
    if "error" in b:
        return a
    best = dict(b if b["mpps"] > a["mpps"] else a)
    setups = [r["setup_fps"] for r in (a, b) if r.get("setup_fps")]
    if setups:
        best["setup_fps"] = max(setups)
    best["runs_mpps"] = a.get("runs_mpps", [a["mpps"]]) + \
        b.get("runs_mpps", [b["mpps"]])
    return best


def mem_bytes(mbufs, entries, iocs, page):
    """Estimate the EAL memory of a process with these pools and
    tables, in bytes."""
    # The mempool puts no mbuf across a page boundary, so with 4 KiB
    # pages (--no-huge) each mbuf takes a page of its own.
    per_mbuf = MBUF_BYTES if page >= 2 * MBUF_BYTES else page
    return (mbufs * per_mbuf + entries * FLOW_BYTES_EST +
            iocs * IOC_BYTES_EST + FIXED_MIB_EST * MIB)


def pages_needed(mbufs, entries=0, iocs=0):
    """Count the 2 MiB hugepages that mem_bytes() takes."""
    return -(-mem_bytes(mbufs, entries, iocs, PAGE) // PAGE)


def point_pages(p):
    """Count the 2 MiB hugepages that the larger process of point p
    takes."""
    mbufs = MBUF_SLACK + (p["flows"] if p.get("infinite", True) else 0)
    return pages_needed(mbufs, flow_entries_for(p["flows"]),
                        p.get("iocs", 0))


def cpu_ticks(pid):
    """Read the busy clock ticks of the machine (steal included) and of
    pid, with the time of reading."""
    with open("/proc/stat", encoding="ascii") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    busy = sum(v) - v[3] - v[4]  # without idle and iowait
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            # utime and stime are fields 14 and 15, counted from 1. The
            # command name in brackets may contain spaces.
            fields = f.read().rsplit(")", 1)[1].split()
        own = int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        own = 0
    return busy, own, time.time()


def others_cpu(before, after):
    """Compute how many CPUs other processes kept busy between two
    cpu_ticks() readings."""
    busy = after[0] - before[0]
    own = after[1] - before[1]
    wall = after[2] - before[2]
    return max(0.0, (busy - own) / CLK_TCK / wall) if wall > 0 else 0.0


def telemetry(prefix, command):
    """Send one command to a DPDK process's telemetry socket and return
    the decoded reply, or None."""
    path = os.path.join("/var/run/dpdk", prefix, "dpdk_telemetry.v2")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.settimeout(2)
            s.connect(path)
            s.recv(1024)
            s.send(command.encode())
            return json.loads(s.recv(1 << 16))
    except (OSError, ValueError):
        return None


def heap_alloc_bytes(prefix):
    """Sum the bytes allocated from every DPDK malloc heap, or None."""
    heaps = telemetry(prefix, "/eal/heap_list")
    if not heaps:
        return None
    total = 0
    for heap in heaps.get("/eal/heap_list", []):
        info = telemetry(prefix, f"/eal/heap_info,{heap}")
        if not info:
            return None
        total += info["/eal/heap_info"]["Alloc_size"]
    return total


def process_memory(pid, prefix):
    """Read the hugepages, resident memory and DPDK heap of a process,
    in MiB."""
    heap = heap_alloc_bytes(prefix)
    return {"huge_mib": proc_status(pid, "HugetlbPages") // 1024,
            "rss_mib": proc_status(pid, "VmRSS") // 1024,
            "heap_mib": heap / MIB if heap is not None else None}


class Suite:
    """Inputs, runs and results of one suite run."""

    def __init__(self, args):
        self.args = args
        self.plan = dict(QUICK if args.quick else FULL)
        if args.seconds:
            self.plan["seconds"] = args.seconds
        if args.rounds:
            self.plan["rounds"] = args.rounds
        self.build = args.build
        self.cache = args.cache
        self.work = args.work
        self.results = {}
        self.failures = []
        self.tsc = None
        self.hp_added = 0
        self.seq = 0
        self.step = 0
        self.n_steps = 0
        self.t_start = time.time()
        self.extra = {}

    # ----- inputs -----

    def log(self, msg):
        print(msg, flush=True)

    def elapsed(self):
        s = int(time.time() - self.t_start)
        return f"{s // 60}:{s % 60:02d}"

    def progress(self, what):
        self.step += 1
        self.log(f"[{self.step}/{self.n_steps} {self.elapsed()}] {what}")

    def run_tool(self, argv, what, log_name):
        path = os.path.join(self.work, log_name)
        with open(path, "w", encoding="utf-8") as out:
            r = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT,
                               check=False)
        if r.returncode != 0:
            raise BenchError(f"{what} failed with status {r.returncode}; "
                             f"log: {path}")
        return path

    def capture(self, flows, size, hits, iocs):
        """Return the path of a cached capture, writing it if needed."""
        span = iocs if hits > 0 else 0
        name = f"flows-{flows}-{size}-h{hits}-i{span}.pcap"
        path = os.path.join(self.cache, name)
        if not os.path.exists(path):
            self.log(f"  input: writing {name}")
            argv = [PY, os.path.join(TOP, "tools/bench/gen_flows.py"), path,
                    str(flows), size, "1"]
            if hits > 0:
                argv += ["--hits", str(hits), "--iocs", str(iocs)]
            self.run_tool(argv, f"gen_flows.py for {name}", name + ".log")
        return path

    def table(self, n):
        """Return the path of a cached binary IOC table of n entries."""
        path = os.path.join(self.cache, f"iocs-{n}.c2wt")
        if os.path.exists(path):
            return path
        feed = os.path.join(self.cache, f"iocs-{n}.txt")
        self.log(f"  input: writing the {human(n)} indicator table")
        self.run_tool([PY, os.path.join(TOP, "tools/bench/gen_feed.py"),
                       str(n), "plain", feed], f"gen_feed.py {n}",
                      f"gen_feed-{n}.log")
        self.run_tool([self.bin("tools/feed/c2wall-feed"), "-o", path, feed],
                      f"c2wall-feed -o {path}", f"c2wall-feed-{n}.log")
        os.unlink(feed)
        return path

    def bin(self, rel):
        return os.path.join(self.build, rel)

    # ----- hugepages -----

    def hugepages_setup(self, need):
        """Raise the 2 MiB hugepage pool to cover the largest point."""
        path = "/proc/sys/vm/nr_hugepages"
        total = meminfo("HugePages_Total")
        free = meminfo("HugePages_Free")
        self.extra["hugepages_before"] = total
        if self.args.hugepages == 0 or self.args.no_huge or free >= need:
            return
        if os.geteuid() != 0:
            self.log(f"hugepages: {free} free, {need} wanted; not root, so "
                     "larger points run with --no-huge")
            return
        # Leave 6 GiB to other processes and to c2wall's own table load.
        spare = meminfo("MemAvailable") * 1024 // PAGE - 3072
        want = self.args.hugepages
        if want < 0:
            want = total + min(need - free + 32, spare)
        if want <= total:
            return
        with open(path, "w", encoding="ascii") as f:
            f.write(str(want))
        raised = meminfo("HugePages_Total")
        self.hp_added = raised - total
        self.extra["hugepages_raised"] = raised
        self.log(f"hugepages: raised from {total} to {raised} "
                 f"(given back at the end)")

    def hugepages_restore(self):
        """Give back the pages hugepages_setup() added, and only those,
        because other users may have changed the pool meanwhile."""
        if self.hp_added <= 0:
            return
        total = meminfo("HugePages_Total")
        with open("/proc/sys/vm/nr_hugepages", "w", encoding="ascii") as f:
            f.write(str(max(0, total - self.hp_added)))
        self.log(f"hugepages: {total} reduced to "
                 f"{meminfo('HugePages_Total')}")
        self.hp_added = 0

    def eal_mem(self, mbufs, entries=0, iocs=0):
        """Choose EAL memory options for a process with these pools and
        tables. Hugepages serve if enough are free, else --no-huge if
        memory allows."""
        pages = pages_needed(mbufs, entries, iocs)
        free = meminfo("HugePages_Free")
        if free >= pages and not self.args.no_huge:
            return [], "hugepages"
        mib = mem_bytes(mbufs, entries, iocs, 4096) // MIB + 1
        avail = meminfo("MemAvailable") // 1024
        # Leave 1 GiB to the process itself and the rest of the machine.
        if mib > avail - 1024:
            raise BenchError(f"does not fit: needs {pages} free hugepages "
                             f"of 2 MiB ({free} free) or {mib} MiB with "
                             f"--no-huge ({avail} MiB available)")
        return ["--no-huge", "-m", str(mib)], "no-huge"

    # ----- processes -----

    def prefix(self):
        self.seq += 1
        return f"c2wb{os.getpid()}-{self.seq}"

    def start(self, argv, log_path):
        out = open(log_path, "w", encoding="utf-8")  # closed in stop()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        return proc, out

    def wait_for(self, proc, log_path, pattern, what):
        """Wait until the log shows pattern; fail if the process ends."""
        rx = re.compile(pattern)
        deadline = time.time() + START_TIMEOUT_S
        while time.time() < deadline:
            ended = proc.poll() is not None
            with open(log_path, encoding="utf-8", errors="replace") as f:
                if rx.search(f.read()):
                    return
            if ended:
                raise BenchError(f"{what} exited with status "
                                 f"{proc.returncode} before it forwarded; "
                                 f"log: {log_path}")
            time.sleep(0.1)
        raise BenchError(f"{what} did not start within {START_TIMEOUT_S} s; "
                         f"log: {log_path}")

    def stop(self, proc, out, log_path, what, prefix, check=True):
        """SIGINT, then with check, fail unless the process ends with
        status 0. Removes the process's runtime and hugepage files."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        killed = False
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
            killed = True
        out.close()
        shutil.rmtree(os.path.join("/var/run/dpdk", prefix),
                      ignore_errors=True)
        if os.path.isdir("/dev/hugepages"):
            for f in os.listdir("/dev/hugepages"):
                if f.startswith(prefix + "map_"):
                    os.unlink(os.path.join("/dev/hugepages", f))
        if check and killed:
            raise BenchError(f"{what} did not exit {STOP_TIMEOUT_S} s after "
                             f"SIGINT and was killed; log: {log_path}")
        if check and rc != 0:
            raise BenchError(f"{what} exited with status {rc}; "
                             f"log: {log_path}")

    def read_tsc(self, log_path):
        if self.tsc is not None:
            return
        with open(log_path, encoding="utf-8", errors="replace") as f:
            m = re.search(r"TSC frequency is ~(\d+) KHz", f.read())
        if m:
            self.tsc = (int(m.group(1)) * 1000, "the EAL log line "
                        "\"TSC frequency is ~N KHz\" (lib.eal debug)")

    # ----- one measurement -----

    def vdevs(self, dev, capture, size, infinite=True):
        if dev == "null":
            return ["--vdev", f"net_null0,size={int(size) - 4}",
                    "--vdev", "net_null1,no-rx=1"]
        inf = ",infinite_rx=1" if infinite else ""
        return ["--vdev", f"net_pcap0,rx_pcap={capture}{inf}",
                "--vdev", "net_null0,no-rx=1"]

    def measure(self, p):
        """Run point p (a dict) and keep the faster of this result and
        those of earlier rounds."""
        key = json.dumps(p, sort_keys=True)
        self.progress(describe(p))
        r = self.measure_once(p)
        if r.get("others_cpu", 0) > OTHERS_CPU_MAX:
            self.log(f"  other processes used {r['others_cpu']:.2f} CPU; "
                     f"running the point again in {RETRY_PAUSE_S} s")
            time.sleep(RETRY_PAUSE_S)
            r = faster(r, self.measure_once(p))
        self.results[key] = faster(self.results.get(key), r)

    def remeasure_disturbed(self):
        """Run the points whose best run was still disturbed by other
        processes once more, now that those may have finished."""
        for key, r in list(self.results.items()):
            if r.get("others_cpu", 0) <= OTHERS_CPU_MAX:
                continue
            p = json.loads(key)
            self.log(f"[again {self.elapsed()}] {describe(p)}: others used "
                     f"{r['others_cpu']:.2f} CPU before")
            self.results[key] = faster(r, self.measure_once(p))

    def measure_once(self, p):
        """Run point p once. The result contains "error" if it failed."""
        t0 = time.time()
        r = dict(p)
        try:
            if p["tool"] == "testpmd":
                r.update(self.run_testpmd(p))
            else:
                r.update(self.run_c2wall(p))
        except BenchError as e:
            self.log(f"  error: {e}")
            r["error"] = str(e)
            return r
        heap = r.get("heap_mib")
        self.log(f"  {r['mpps']:.2f} Mpps; {r['huge_mib']} MiB hugepages, "
                 f"{r['rss_mib']} MiB RSS"
                 + (f", {heap:.0f} MiB DPDK heap" if heap else "")
                 + (", --no-huge" if r["mem"] == "no-huge" else "")
                 + f"; others {r.get('others_cpu', 0):.2f} CPU; "
                 f"{time.time() - t0:.1f} s")
        return r

    def common_inputs(self, p):
        cap = None
        mbufs = MBUF_SLACK
        if p["dev"] == "pcap":
            cap = self.capture(p["flows"], p["size"], p.get("hits", 0),
                               p.get("iocs", 0))
            if p.get("infinite", True):
                mbufs += p["flows"]
        return cap, mbufs

    def run_testpmd(self, p):
        cap, mbufs = self.common_inputs(p)
        mem, kind = self.eal_mem(mbufs)
        prefix = self.prefix()
        log_path = os.path.join(self.work, prefix + "-testpmd.log")
        argv = ["dpdk-testpmd", *EAL_CORES, "--no-pci", "--file-prefix",
                prefix, *mem, "--log-level=*:warning",
                "--log-level=lib.eal:debug",
                *self.vdevs(p["dev"], cap, p["size"]), "--",
                "--forward-mode=io", f"--total-num-mbufs={mbufs}",
                "--stats-period", "1", "-a", "--no-flush-rx"]

        proc, out = self.start(argv, log_path)
        try:
            self.wait_for(proc, log_path, r"NIC statistics for port 0",
                          "dpdk-testpmd")
            ticks = cpu_ticks(proc.pid)
            time.sleep(self.plan["seconds"] + 2)
            others = others_cpu(ticks, cpu_ticks(proc.pid))
            used = process_memory(proc.pid, prefix)
        except BaseException:
            self.stop(proc, out, log_path, "dpdk-testpmd", prefix, False)
            raise
        self.stop(proc, out, log_path, "dpdk-testpmd", prefix)

        self.read_tsc(log_path)
        rates = testpmd_rates(log_path)
        if len(rates) < 2:
            raise BenchError(f"dpdk-testpmd printed {len(rates)} rates of "
                             f"port 0; log: {log_path}")
        return {"mpps": upper(rates[1:]) / 1e6,
                "mpps_median": statistics.median(rates[1:]) / 1e6,
                "mem": kind, **used, "others_cpu": others, "log": log_path}

    def c2wall_argv(self, p, prefix):
        """Build the command line of c2wall for point p; return it with
        its EAL memory kind and flow table size."""
        cap, mbufs = self.common_inputs(p)
        iocs = p.get("iocs", 10)
        entries = p.get("entries") or flow_entries_for(p.get("flows", 0))
        table = self.table(iocs)
        mem, kind = self.eal_mem(mbufs, entries, iocs)
        action = "block" if p["mode"] == "inline" else "alert"
        infinite = p.get("infinite", True)
        argv = [self.bin("app/c2wall"), *EAL_CORES, "--no-pci",
                "--file-prefix", prefix, *mem, "--log-level=*:warning",
                "--log-level=lib.eal:debug",
                *self.vdevs(p["dev"], cap, p["size"], infinite), "--",
                "--iocs", table, "--mode", p["mode"], "--action", action,
                "--mbufs", str(mbufs), "--flow-entries", str(entries),
                "--stats-interval", str(STATS_MS)]
        if not infinite:
            argv += ["--idle-exit", "1000"]
        return argv, kind, entries

    def run_c2wall(self, p):
        prefix = self.prefix()
        argv, kind, entries = self.c2wall_argv(p, prefix)
        log_path = os.path.join(self.work, prefix + "-c2wall.log")
        infinite = p.get("infinite", True)
        proc, out = self.start(argv, log_path)
        try:
            self.wait_for(proc, log_path, r"c2wall: (rx|every RX)",
                          "c2wall")
            ticks = cpu_ticks(proc.pid)
            if infinite:
                time.sleep(self.plan["seconds"])
                used = process_memory(proc.pid, prefix)
                used["others_cpu"] = others_cpu(ticks, cpu_ticks(proc.pid))
            else:
                used = self.watch_until_exit(proc, prefix, log_path, ticks)
        except BaseException:
            self.stop(proc, out, log_path, "c2wall", prefix, False)
            raise
        self.stop(proc, out, log_path, "c2wall", prefix)
        self.read_tsc(log_path)
        r = c2wall_rates(log_path)
        if r is None:
            raise BenchError(f"c2wall printed no summary; log: {log_path}")
        r.update({"mem": kind, **used, "entries": entries,
                  "log": log_path})
        return r

    def watch_until_exit(self, proc, prefix, log_path, ticks):
        """Wait for a c2wall that exits by itself; return its peak
        memory and the CPU use of other processes while it ran."""
        peak = {"huge_mib": 0, "rss_mib": 0, "heap_mib": None,
                "others_cpu": 0.0}
        deadline = time.time() + START_TIMEOUT_S
        while proc.poll() is None:
            if time.time() > deadline:
                raise BenchError(f"c2wall did not go idle within "
                                 f"{START_TIMEOUT_S} s; log: {log_path}")
            now = process_memory(proc.pid, prefix)
            for k, v in now.items():
                if v is not None and (peak[k] is None or v > peak[k]):
                    peak[k] = v
            # The last sample before the exit counts: /proc/PID goes
            # away with the process.
            last = cpu_ticks(proc.pid)
            if last[1] > ticks[1]:
                peak["others_cpu"] = others_cpu(ticks, last)
            time.sleep(0.5)
        return peak

    # ----- passes -----

    def selected(self, what):
        """Check whether --only lets a point or pass of this description
        run."""
        return self.args.only is None or \
            re.search(self.args.only, what) is not None

    def run(self):
        pts = [p for p in points(self.plan) if self.selected(describe(p))]
        profiles = [(label, p) for label, p in self.profile_points()
                    if self.args.perf and self.selected(f"profile {label}")]
        passes = [(what, fn) for what, fn in (
            ("memory pass", self.memory_pass),
            ("ioc_bench lookup pass", self.lookup_pass))
            if self.selected(what)]
        rounds = self.plan["rounds"]
        self.n_steps = len(pts) * rounds + len(passes) + len(profiles)
        self.log(f"c2wall bench: {len(pts)} points, {rounds} round(s) of "
                 f"{self.plan['seconds']} s each, "
                 f"{'quick' if self.args.quick else 'full'} mode; work dir "
                 f"{self.work}, inputs in {self.cache}")

        self.log("inputs: checking the cache")
        self.prepare(pts)
        if self.args.prepare:
            return

        self.hugepages_setup(max((point_pages(p) for p in pts), default=0))
        # Each round runs every point once, so that a disturbance of the
        # host that lasts a while seldom hits both runs of a point.
        for _ in range(rounds):
            for p in pts:
                self.measure(p)
        self.remeasure_disturbed()
        for key, r in self.results.items():
            if "error" in r:
                self.failures.append(f"{describe(json.loads(key))}: "
                                     f"{r['error']}")

        for what, fn in passes:
            self.progress(what)
            self.guarded(what, fn)
        for label, p in profiles:
            self.progress(f"perf profile of the worker: {describe(p)}")
            self.guarded(f"profile {label}",
                         lambda lb=label, pt=p: self.profile_pass(lb, pt))

    def guarded(self, what, fn):
        """Run one pass; record its failure and go on."""
        try:
            fn()
        except BenchError as e:
            self.failures.append(f"{what}: {e}")
            self.log(f"  error: {e}")

    def prepare(self, pts):
        """Write every input of the plan that the cache lacks."""
        for p in pts:
            if p["dev"] == "pcap":
                self.capture(p["flows"], p["size"], p.get("hits", 0),
                             p.get("iocs", 0))
            if p["tool"] == "c2wall":
                self.table(p.get("iocs", 10))
        self.table(10)

    def idle_memory(self, entries):
        """Measure the memory of an idle c2wall with a flow table of
        entries."""
        prefix = self.prefix()
        log_path = os.path.join(self.work, prefix + "-c2wall-mem.log")
        mem, _ = self.eal_mem(MBUF_SLACK, entries)
        argv = [self.bin("app/c2wall"), *EAL_CORES, "--no-pci",
                "--file-prefix", prefix, *mem, "--log-level=*:warning",
                "--vdev", "net_null0,no-rx=1", "--vdev", "net_null1,no-rx=1",
                "--", "--iocs", self.table(10), "--flow-entries",
                str(entries), "--stats-interval", "0"]
        proc, out = self.start(argv, log_path)
        try:
            self.wait_for(proc, log_path, r"c2wall: inline mode", "c2wall")
            time.sleep(1)
            used = process_memory(proc.pid, prefix)
        except BaseException:
            self.stop(proc, out, log_path, "c2wall", prefix, False)
            raise
        self.stop(proc, out, log_path, "c2wall", prefix)
        if used["heap_mib"] is None:
            raise BenchError("no DPDK heap figures from the telemetry "
                             f"socket; log: {log_path}")
        return used

    def memory_pass(self):
        small, large = (self.idle_memory(n) for n in MEM_ENTRIES)
        grown = MEM_ENTRIES[1] - MEM_ENTRIES[0]
        heap = (large["heap_mib"] - small["heap_mib"]) * MIB / grown
        total = ((large["huge_mib"] + large["rss_mib"]) -
                 (small["huge_mib"] + small["rss_mib"])) * MIB / grown
        self.extra["mem_idle"] = [small, large]
        self.extra["bytes_per_flow"] = heap
        self.extra["bytes_per_flow_process"] = total
        self.log(f"  DPDK heap {small['heap_mib']:.1f} and "
                 f"{large['heap_mib']:.1f} MiB: {heap:.1f} bytes per "
                 f"entry; hugepages + RSS: {total:.1f} bytes per entry")

    def lookup_pass(self):
        """Run ioc_bench with a worker's burst of flows per bulk call,
        then one flow per call for comparison."""
        # The largest table takes about 100 bytes of DPDK heap per
        # indicator; with 4 KiB pages ioc_bench gets a generous -m.
        pages = max(self.plan["iocs"]) * 200 // PAGE + 512
        if meminfo("HugePages_Free") >= pages and not self.args.no_huge:
            mem, kind = ["--in-memory"], "hugepages"
        else:
            mib = max(self.plan["iocs"]) * 400 // MIB + 1024
            mem, kind = ["--no-huge", "--no-shconf", "-m", str(mib)], \
                "no-huge"
        self.extra["lookup_mem"] = kind
        for key, bulk in (("lookup", IOC_BULK), ("lookup_single", 1)):
            self.extra[key] = self.ioc_bench(mem, bulk)
            for row in self.extra[key]:
                self.log(f"  {human(row['iocs'])}, {bulk} per call: "
                         f"{row['mlookups'][1]:.2f} M lookups/s at 1 % "
                         f"hits ({kind})")

    def ioc_bench(self, mem, bulk):
        prefix = self.prefix()
        sizes = ",".join(str(n) for n in self.plan["iocs"])
        log_path = self.run_tool(
            [self.bin("tools/bench/ioc_bench"), *mem, "--no-pci",
             "--file-prefix", prefix, "-l", str(WORKER_CPU), "--", "-s",
             sizes, "-k", str(self.plan["lookup_keys"]), "-m", "0", "-b",
             str(bulk)], f"ioc_bench -b {bulk}", prefix + "-ioc_bench.log")
        shutil.rmtree(os.path.join("/var/run/dpdk", prefix),
                      ignore_errors=True)
        rows = []
        with open(log_path, encoding="utf-8") as f:
            for line in f:
                v = line.split()
                if len(v) == 10 and v[0].isdigit():
                    rows.append({"iocs": int(v[0]), "build_ms": float(v[4]),
                                 "heap_b": float(v[5]),
                                 "mlookups": [float(x) for x in v[7:10]]})
        if not rows:
            raise BenchError(f"ioc_bench printed no rows; log: {log_path}")
        return rows

    def profile_points(self):
        base = {"tool": "c2wall", "mode": "inline", "dev": "pcap",
                "size": "64", "flows": BASE_FLOWS, "iocs": BASE_IOCS,
                "hits": BASE_HITS}
        out = [("1k flows", dict(base, flows=1000)), ("100k flows", base)]
        if 1000000 in self.plan["flows"]:
            out.append(("1M flows", dict(base, flows=1000000)))
        return out

    def profile_pass(self, label, p):
        """Record a perf profile of the worker's CPU while c2wall runs
        point p, and keep the symbols with the most samples."""
        prefix = self.prefix()
        argv, _, _ = self.c2wall_argv(p, prefix)
        log_path = os.path.join(self.work, prefix + "-c2wall-perf.log")
        data = os.path.join(self.work, prefix + "-perf.data")

        proc, out = self.start(argv, log_path)
        try:
            self.wait_for(proc, log_path, r"c2wall: rx", "c2wall")
            # Past the first pass over the capture: no new flows.
            time.sleep(2)
            self.run_tool(["perf", "record", "-e", "cpu-clock", "-C",
                           str(WORKER_CPU), "-g", "-o", data, "--", "sleep",
                           str(PROFILE_S)], "perf record",
                          prefix + "-perf-record.log")
        except BaseException:
            self.stop(proc, out, log_path, "c2wall", prefix, False)
            raise
        self.stop(proc, out, log_path, "c2wall", prefix)

        report = self.run_tool(["perf", "report", "-i", data, "--stdio",
                                "--no-children", "-g", "none", "--sort",
                                "dso,symbol"],
                               "perf report", prefix + "-perf-report.txt")
        rows = perf_symbols(report)
        if not rows:
            raise BenchError(f"perf report listed no symbols; log: {report}")
        self.extra.setdefault("profiles", {})[label] = {
            "point": describe(p), "flows": p["flows"], "symbols": rows[:40],
            "report": report}
        for pct, dso, sym in rows[:5]:
            self.log(f"  {pct:5.1f} % {sym} ({dso})")


def perf_symbols(report):
    """Return the (percent, object, symbol) rows of a perf report, most
    first. Addresses without a symbol are summed per object, because
    Debian strips the static functions of the DPDK libraries."""
    rx = re.compile(r"^\s+([\d.]+)%\s+(\S+)\s+\[.\]\s+(\S+)")
    sums = {}
    with open(report, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = rx.match(line)
            if not m:
                continue
            dso, sym = m.group(2), m.group(3)
            if sym.startswith("0x"):
                sym = "(stripped code)"
            sums[(dso, sym)] = sums.get((dso, sym), 0.0) + float(m.group(1))
    rows = [(pct, dso, sym) for (dso, sym), pct in sums.items()]
    return sorted(rows, reverse=True)


def upper(rates):
    """Return the 90th percentile of interval rates. Other processes and
    other guests of the host only ever slow an interval down, so the
    upper end of the intervals is the rate of the code itself."""
    return statistics.quantiles(rates, n=10, method="inclusive")[-1] \
        if len(rates) > 1 else rates[0]


def testpmd_rates(log_path):
    """Return the Rx-pps of port 0 from every statistics block of
    testpmd."""
    rates = []
    port = None
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.search(r"NIC statistics for port (\d+)", line)
            if m:
                port = int(m.group(1))
            m = re.search(r"Rx-pps:\s+(\d+)", line)
            if m and port == 0:
                rates.append(int(m.group(1)))
    # The first block counts the start, not a full period.
    while rates and rates[0] == 0:
        rates.pop(0)
    return rates


LINE = re.compile(r"c2wall: rx (\d+) pkts \((\d+) pps\), tx (\d+), flows "
                  r"(\d+) new")


def c2wall_rates(log_path):
    """Read the steady rate, flow setup rate and counters from a c2wall
    log.

    A counter line whose interval saw packets but no new flow gives the
    steady rate. A line in which nearly every packet opened a flow gives
    the setup rate in new flows per second.
    """
    lines = []
    summary = {}
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.search(line)
            if m:
                lines.append(tuple(int(x) for x in m.groups()))
            if "all workers:" in line:
                for k, v in re.findall(r"(\w+) (\d+)", line):
                    summary[k] = int(v)
    if not summary:
        return None
    steady, setup = [], []
    for prev, cur in zip(lines, lines[1:]):
        drx, dflows = cur[0] - prev[0], cur[3] - prev[3]
        if drx > 0 and dflows == 0:
            steady.append(cur[1])
        elif drx > 0 and dflows >= 0.98 * drx:
            setup.append(cur[1])
    r = {"summary": {k: summary.get(k, 0) for k in (
        "rx_pkts", "flows_created", "flows_table_full", "table_full_drops",
        "ioc_hits", "policy_drops")}}
    # Without steady intervals every interval counts, new flows or not.
    pps = steady or [c[1] for c in lines[1:] if c[1] > 0]
    if pps:
        r["mpps"] = upper(pps) / 1e6
        r["mpps_median"] = statistics.median(pps) / 1e6
    if len(setup) >= 2:
        r["setup_fps"] = upper(setup)
    return r


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="tools/bench/run.sh",
        description="Build c2wall, write the inputs and measure c2wall "
        "against dpdk-testpmd io forwarding on net_pcap and net_null; see "
        "docs/benchmarks.md.")
    p.add_argument("--quick", action="store_true",
                   help="a few points of 2 s each, results not written "
                   "to docs/ unless --docs")
    p.add_argument("--seconds", type=float, default=0,
                   help="seconds a point is measured (default 5, quick 2)")
    p.add_argument("--rounds", type=int, default=0,
                   help="runs of each point, minutes apart; the fastest "
                   "counts (default 2, quick 1)")
    p.add_argument("--only", metavar="REGEX",
                   help="run only the points and passes whose progress "
                   "line matches REGEX (e.g. 'flows=4M', 'memory pass', "
                   "'profile'); docs are not written")
    p.add_argument("--prepare", action="store_true",
                   help="only write the inputs into the cache")

    p.add_argument("--build", default=os.environ.get(
        "C2W_BUILD", os.path.join(TOP, "build")),
        help="meson build directory, set up if missing and rebuilt "
        "(default: $C2W_BUILD or build)")
    p.add_argument("--no-build", dest="do_build", action="store_false",
                   help="use the binaries in --build as they are")
    p.add_argument("--cache", default="/var/tmp/c2wall-bench",
                   help="directory of generated captures and tables, "
                   "kept between runs (default /var/tmp/c2wall-bench)")
    p.add_argument("--clean-cache", action="store_true",
                   help="remove the cached inputs at the end")

    p.add_argument("--keep", action="store_true",
                   help="keep the logs of the run")
    p.add_argument("--docs", dest="docs", action="store_true", default=None,
                   help="write docs/benchmarks.md and docs/img "
                   "(default in full mode)")
    p.add_argument("--no-docs", "--no-write", dest="docs",
                   action="store_false",
                   help="only print the results and keep the report in "
                   "the work directory")
    p.add_argument("--perf", dest="perf", action="store_true", default=None,
                   help="profile the worker with perf (default in full "
                   "mode if perf is installed)")
    p.add_argument("--no-perf", dest="perf", action="store_false",
                   help="skip the profile")

    p.add_argument("--hugepages", type=int, default=-1,
                   help="2 MiB hugepages to reserve during the run; 0 "
                   "leaves the reservation alone (default: enough for "
                   "the largest point if memory allows)")
    p.add_argument("--no-huge", action="store_true",
                   help="run every DPDK process with --no-huge")

    a = p.parse_args(argv)
    if a.docs is None:
        a.docs = not a.quick and a.only is None
    if a.perf is None:
        a.perf = not a.quick and shutil.which("perf") is not None
    a.build = os.path.abspath(a.build)
    return a


def build(a):
    """Set up the build directory if needed and build what the suite
    runs, so that it measures the current tree."""
    log = os.path.join(a.work, "build.log")
    steps = []
    if not os.path.exists(os.path.join(a.build, "build.ninja")):
        steps.append(["meson", "setup", a.build, TOP])
    steps.append(["ninja", "-C", a.build, *BUILD_TARGETS])
    t0 = time.time()
    with open(log, "w", encoding="utf-8") as out:
        for argv in steps:
            print(f"build: {' '.join(argv)}", flush=True)
            r = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT,
                               check=False)
            if r.returncode != 0:
                sys.exit(f"bench: build step '{' '.join(argv)}' failed "
                         f"with status {r.returncode}; log: {log}")
    print(f"build: done in {time.time() - t0:.1f} s", flush=True)


def check_tools(a):
    for rel in BUILD_TARGETS:
        if not os.access(os.path.join(a.build, rel), os.X_OK):
            sys.exit(f"bench: {a.build}/{rel} not found: build first with "
                     f"'meson setup {a.build} {TOP} && ninja -C {a.build}' "
                     "or drop --no-build")
    if shutil.which("dpdk-testpmd") is None:
        sys.exit("bench: dpdk-testpmd not found: install the Debian "
                 "package dpdk-dev (tools/install-deps.sh --bench)")


def summary(suite, report):
    print(f"\nsummary after {suite.elapsed()} (min:s)")
    for name, goal, val, ok in report.targets():
        res = verdict(ok)
        if ok is False:
            res = res.upper()
        print(f"  {res:8} {name}: {val} (goal {goal})")
    for f in suite.failures:
        print(f"  failed: {f}")


def on_sigterm(signum, frame):
    """SIGTERM ends the run like Ctrl-C: children stop, hugepages are
    restored and partial results are printed."""
    del signum, frame
    raise KeyboardInterrupt


def write_results(suite, report, command, a):
    """Save results.json and report.md in the work directory, and the
    docs block and plots where asked."""
    with open(os.path.join(a.work, "results.json"), "w",
              encoding="utf-8") as f:
        json.dump({"plan": suite.plan, "results": report.rows,
                   "extra": suite.extra, "failures": suite.failures,
                   "seconds": time.time() - suite.t_start}, f, indent=1)
    md = report.markdown(command, "img")
    with open(os.path.join(a.work, "report.md"), "w", encoding="utf-8") as f:
        f.write(md)
    if a.docs:
        docs = os.path.join(TOP, "docs")
        report.plots(os.path.join(docs, "img"))
        print(f"bench: wrote {write_docs(report, command, docs)} "
              "and docs/img/bench-*.png")
    else:
        files = report.plots(a.work)
        print(f"bench: report and plots in {a.work}: report.md, "
              + ", ".join(os.path.basename(x) for x in files))
        a.keep = True


def main(argv):
    a = parse_args(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    os.makedirs(a.cache, exist_ok=True)
    a.work = tempfile.mkdtemp(prefix="c2wall-bench.", dir="/tmp")
    if a.do_build:
        build(a)
    check_tools(a)
    suite = Suite(a)
    command = " ".join(["tools/bench/run.sh", *argv])

    if a.prepare:
        try:
            suite.run()
        except BenchError as e:
            print(f"bench: {e}", file=sys.stderr, flush=True)
            return 1
        shutil.rmtree(a.work)
        return 0

    interrupted = False
    try:
        suite.run()
    except KeyboardInterrupt:
        interrupted = True
        print("bench: interrupted; partial results follow", flush=True)
    except BenchError as e:
        suite.failures.append(str(e))
        print(f"bench: {e}", file=sys.stderr, flush=True)
    finally:
        suite.hugepages_restore()

    report = Report(suite)
    if interrupted:
        a.docs = False
    write_results(suite, report, command, a)
    summary(suite, report)

    if suite.failures:
        a.keep = True
    if a.keep:
        print(f"bench: logs kept in {a.work}")
    else:
        shutil.rmtree(a.work)
    if a.clean_cache:
        shutil.rmtree(a.cache, ignore_errors=True)
    return 1 if suite.failures or interrupted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
