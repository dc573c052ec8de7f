# SPDX-License-Identifier: BSD-3-Clause
"""Tables, targets, plots and the Markdown block of a benchmark suite run
(tools/bench/suite.py). Plots use matplotlib's Agg backend, so no display
is needed.
"""

import json
import os
import subprocess
import time

from plan import (BASE_FLOWS, BASE_HITS, BASE_IOCS, FIT_ENTRIES,
                  MEM_ENTRIES, OTHERS_CPU_MAX, describe, flow_entries_for,
                  human)

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
# Pass marks of the targets. At the capacity point the flow table may
# refuse this share of inserts: a cuckoo hash filled to 95 % can refuse
# a few.
GOAL_RATIO = 0.85
GOAL_FLOWS_DROP = 0.70
GOAL_SPREAD = 0.90
GOAL_BYTES = 128
GOAL_FULL_SHARE = 0.001
# Symbols of each profile shown in the report.
PROFILE_ROWS = 10


class Report:
    """Tables, targets and plots from the results of a Suite."""

    def __init__(self, suite):
        self.s = suite
        self.rows = list(suite.results.values())
        self.tsc = suite.tsc[0] if suite.tsc else None

    def find(self, **want):
        for r in self.rows:
            if "mpps" in r and r.get("infinite", True) and \
                    all(r.get(k) == v for k, v in want.items()):
                return r
        return None

    def mpps(self, **want):
        r = self.find(**want)
        return r["mpps"] if r else None

    def ceiling(self, dev, size, flows):
        return self.mpps(tool="testpmd", dev=dev, size=size,
                         flows=flows if dev == "pcap" else 0)

    def c2w(self, mode, dev="pcap", size="64", flows=BASE_FLOWS,
            iocs=BASE_IOCS, hits=BASE_HITS):
        if dev == "null":
            flows, hits = 0, 0
        return self.find(tool="c2wall", mode=mode, dev=dev, size=size,
                         flows=flows, iocs=iocs, hits=hits)

    def cycles(self, mpps):
        if not mpps or not self.tsc:
            return "-"
        return f"{self.tsc / (mpps * 1e6):.0f}"

    # ----- targets -----

    def targets(self):
        pl = self.s.plan
        out = []
        base = self.c2w("inline")
        ceil = self.ceiling("pcap", "64", BASE_FLOWS)
        name = (f"c2wall inline / testpmd io at {human(BASE_FLOWS)} flows, "
                f"{human(BASE_IOCS)} IOCs, 64 B")
        goal = f">= {GOAL_RATIO:.2f}"
        if base and ceil:
            v = base["mpps"] / ceil
            out.append((name, goal, f"{v:.2f}", v >= GOAL_RATIO))
        else:
            out.append((name, goal, "not run", None))
        lo = self.c2w("inline", flows=1000)
        hi = self.c2w("inline", flows=1000000)
        name = "c2wall inline at 1M flows / at 1k flows"
        goal = f">= {GOAL_FLOWS_DROP:.2f}"
        if lo and hi:
            v = hi["mpps"] / lo["mpps"]
            out.append((name, goal, f"{v:.2f}", v >= GOAL_FLOWS_DROP))
        else:
            out.append((name, goal, "not run", None))
        out += self.lookup_targets(pl)
        bpf = self.s.extra.get("bytes_per_flow")
        out.append(("DPDK heap bytes per flow entry", f"<= {GOAL_BYTES}",
                    f"{bpf:.1f}" if bpf else "not run",
                    bpf <= GOAL_BYTES if bpf else None))
        out.append(self.fit_target(pl))
        return out

    def fit_target(self, pl):
        goal = f"table full <= {GOAL_FULL_SHARE:.1%} of flows"
        fit = self.find_fit()
        if fit is None:
            return ("4M concurrent flows fit", goal, "not run", None)
        sm = fit["summary"]
        full = sm["flows_table_full"]
        ok = (sm["flows_created"] + full >= pl["fit_flows"] and
              full <= GOAL_FULL_SHARE * pl["fit_flows"])
        return (f"{human(pl['fit_flows'])} concurrent flows in "
                f"{FIT_ENTRIES} entries", goal,
                f"{sm['flows_created']} created, {full} table full", ok)

    def lookup_targets(self, pl):
        out = []
        name = (f"c2wall inline throughput, {human(pl['iocs'][0])} to "
                f"{human(pl['iocs'][-1])} IOCs")
        goal = f"min/max >= {GOAL_SPREAD:.2f}"
        v = [self.c2w("inline", flows=pl["ioc_flows"], iocs=n)
             for n in pl["iocs"]]
        if all(v):
            spread = min(r["mpps"] for r in v) / max(r["mpps"] for r in v)
            out.append((name, goal, f"{spread:.2f}",
                        spread >= GOAL_SPREAD))
        else:
            out.append((name, goal, "not run", None))
        setups = [r.get("setup_fps") for r in v if r]
        if len(setups) == len(pl["iocs"]) and all(setups):
            spread = min(setups) / max(setups)
            out.append(("c2wall inline new flows/s, same IOC sizes",
                        goal, f"{spread:.2f}", spread >= GOAL_SPREAD))
        rows = self.s.extra.get("lookup")
        name = "ioc_bench bulk lookups/s at 1 % hits, same IOC sizes"
        if rows and len(rows) == len(pl["iocs"]):
            rates = [r["mlookups"][1] for r in rows]
            spread = min(rates) / max(rates)
            out.append((name, goal, f"{spread:.2f}", spread >= GOAL_SPREAD))
        else:
            out.append((name, goal, "not run", None))
        return out

    def find_fit(self):
        for r in self.rows:
            if not r.get("infinite", True) and "summary" in r:
                return r
        return None

    # ----- tables -----

    def pair(self, r, ceil):
        """Mpps, ratio and cycles of one c2wall result."""
        if not r:
            return ["-", "-", "-"]
        ratio = f"{r['mpps'] / ceil:.2f}" if ceil else "-"
        return [f"{r['mpps']:.2f}", ratio, self.cycles(r["mpps"])]

    def table_frames(self):
        head = ("| frame | testpmd io | c2wall inline | ratio | cycles/pkt "
                "| c2wall tap | ratio | cycles/pkt | testpmd io, net_null "
                "| c2wall inline, net_null | c2wall tap, net_null |")
        out = [head, "|" + "---|" * 11]
        for size in self.s.plan["sizes"]:
            ceil = self.ceiling("pcap", size, BASE_FLOWS)
            row = [size if size == "imix" else f"{size} B",
                   fmt(ceil)]
            row += self.pair(self.c2w("inline", size=size), ceil)
            row += self.pair(self.c2w("tap", size=size), ceil)
            if size == "imix":
                row += ["-", "-", "-"]
            else:
                row.append(fmt(self.ceiling("null", size, 0)))
                for mode in ("inline", "tap"):
                    r = self.c2w(mode, dev="null", size=size)
                    row.append(fmt(r["mpps"] if r else None))
            out.append("| " + " | ".join(row) + " |")
        return out

    def table_flows(self):
        out = ["| flows | flow entries | testpmd io | c2wall inline | ratio "
               "| cycles/pkt | c2wall tap | ratio | new flows/s | table full "
               "| hugepages + RSS |", "|" + "---|" * 11]
        for flows in self.s.plan["flows"]:
            ceil = self.ceiling("pcap", "64", flows)
            r = self.c2w("inline", flows=flows)
            row = [human(flows), str(flow_entries_for(flows)), fmt(ceil)]
            row += self.pair(r, ceil)
            row += self.pair(self.c2w("tap", flows=flows), ceil)[:2]
            row.append(fmt_rate(r.get("setup_fps")) if r else "-")
            row.append(str(r["summary"]["flows_table_full"]) if r else "-")
            row.append(mem_cell(r))
            out.append("| " + " | ".join(row) + " |")
        return out

    def table_iocs(self):
        pl = self.s.plan
        out = ["| IOCs | c2wall inline | ratio | new flows/s | c2wall tap "
               "| ratio | ioc_bench bulk M/s 0 % | 1 % | 100 % "
               "| one per call, 1 % | hugepages + RSS |",
               "|" + "---|" * 11]
        ceil = self.ceiling("pcap", "64", pl["ioc_flows"])
        lookup = {r["iocs"]: r for r in self.s.extra.get("lookup", [])}
        single = {r["iocs"]: r
                  for r in self.s.extra.get("lookup_single", [])}
        for n in pl["iocs"]:
            r = self.c2w("inline", flows=pl["ioc_flows"], iocs=n)
            row = [human(n)] + self.pair(r, ceil)[:2]
            row.append(fmt_rate(r.get("setup_fps")) if r else "-")
            row += self.pair(self.c2w("tap", flows=pl["ioc_flows"],
                                      iocs=n), ceil)[:2]
            lk = lookup.get(n)
            row += [f"{x:.2f}" for x in lk["mlookups"]] if lk else \
                ["-", "-", "-"]
            lk = single.get(n)
            row.append(f"{lk['mlookups'][1]:.2f}" if lk else "-")
            row.append(mem_cell(r))
            out.append("| " + " | ".join(row) + " |")
        return out

    def table_hits(self):
        out = ["| hits | c2wall inline | ratio | c2wall tap | ratio "
               "| IOC hits | policy drops |", "|" + "---|" * 7]
        ceil = self.ceiling("pcap", "64", BASE_FLOWS)
        for hits in self.s.plan["hits"]:
            r = self.c2w("inline", hits=hits)
            row = [f"{hits} %"] + self.pair(r, ceil)[:2]
            row += self.pair(self.c2w("tap", hits=hits), ceil)[:2]
            row += [str(r["summary"]["ioc_hits"]),
                    str(r["summary"]["policy_drops"])] if r else ["-", "-"]
            out.append("| " + " | ".join(row) + " |")
        return out

    # ----- plots -----

    def plots(self, img_dir):
        import matplotlib  # pylint: disable=import-outside-toplevel
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # pylint: disable=C0415
        # pylint: disable-next=C0415
        from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter
        os.makedirs(img_dir, exist_ok=True)
        pl = self.s.plan
        files = []

        def series(xs, get):
            pts = [(x, get(x)) for x in xs]
            return [p[0] for p in pts if p[1]], [p[1] for p in pts if p[1]]

        def mp(r):
            return r["mpps"] if r else None

        fig, ax = plt.subplots(figsize=(7, 4.2))
        fl = pl["flows"]
        for label, get, style in (
                ("dpdk-testpmd io (ceiling)",
                 lambda f: self.ceiling("pcap", "64", f), "k--o"),
                ("c2wall inline", lambda f: mp(self.c2w("inline", flows=f)),
                 "C0-o"),
                ("c2wall tap", lambda f: mp(self.c2w("tap", flows=f)),
                 "C1-s")):
            x, y = series(fl, get)
            ax.plot(x, y, style, label=label)
        ax.set_xscale("log")
        ax.set_xticks(fl, [human(f) for f in fl])
        ax.set_xlabel("concurrent flows (64 B frames, 100k IOCs, 1 % hits)")
        self.finish(ax, "Throughput against number of flows")
        files.append(self.save(fig, img_dir, "bench-flows.png"))

        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
        io = pl["iocs"]
        ceil = self.ceiling("pcap", "64", pl["ioc_flows"])
        if ceil:
            ax.axhline(ceil, color="k", linestyle="--",
                       label="dpdk-testpmd io (ceiling)")
        for mode, style in (("inline", "C0-o"), ("tap", "C1-s")):
            x, y = series(io, lambda n, m=mode: mp(self.c2w(
                m, flows=pl["ioc_flows"], iocs=n)))
            ax.plot(x, y, style, label=f"c2wall {mode}")
        ax.set_xscale("log")
        ax.set_xticks(io, [human(n) for n in io])
        ax.set_xlabel(f"IOC table entries ({human(pl['ioc_flows'])} flows, "
                      "64 B, 1 % hits)")
        self.finish(ax, "Throughput against IOC table size")
        rows = self.s.extra.get("lookup", [])
        for i, label in enumerate(("0 % hits", "1 % hits", "100 % hits")):
            ax2.plot([r["iocs"] for r in rows],
                     [r["mlookups"][i] for r in rows], f"C{i + 2}-o",
                     label=f"ioc_bench bulk (mixed set), {label}")
        rows = self.s.extra.get("lookup_single", [])
        ax2.plot([r["iocs"] for r in rows], [r["mlookups"][1] for r in rows],
                 "C3:o", label="ioc_bench one per call, 1 % hits")
        x, y = series(io, lambda n: (self.c2w(
            "inline", flows=pl["ioc_flows"], iocs=n) or {}).get(
                "setup_fps", 0) / 1e6 or None)
        if x:
            ax2.plot(x, y, "C0--^",
                     label="c2wall inline, new flows (ip:port set)")
        ax2.set_xscale("log")
        ax2.set_xticks(io, [human(n) for n in io])
        ax2.set_xlabel("IOC table entries")
        ax2.set_ylabel("million lookups or new flows per second")
        ax2.set_ylim(bottom=0)
        ax2.grid(True, alpha=0.3)
        ax2.legend(fontsize=8)
        ax2.set_title("Lookup rate against IOC table size")
        files.append(self.save(fig, img_dir, "bench-iocs.png"))

        fig, ax = plt.subplots(figsize=(10, 4.2))
        sizes = pl["sizes"]
        xs = list(range(len(sizes)))
        for label, get, style in (
                ("dpdk-testpmd io, net_pcap",
                 lambda s: self.ceiling("pcap", s, BASE_FLOWS), "k--o"),
                ("c2wall inline, net_pcap",
                 lambda s: mp(self.c2w("inline", size=s)), "C0-o"),
                ("c2wall tap, net_pcap",
                 lambda s: mp(self.c2w("tap", size=s)), "C1-s"),
                ("dpdk-testpmd io, net_null",
                 lambda s: self.ceiling("null", s, 0), "k:x"),
                ("c2wall inline, net_null (non-IP)",
                 lambda s: mp(self.c2w("inline", dev="null", size=s)),
                 "C0:x"),
                ("c2wall tap, net_null (non-IP)",
                 lambda s: mp(self.c2w("tap", dev="null", size=s)), "C1:x")):
            x, y = series(xs, lambda i, g=get, lb=label: None if
                          sizes[i] == "imix" and "null" in lb else
                          g(sizes[i]))
            ax.plot(x, y, style, label=label)
        ax.set_xticks(xs, [s if s == "imix" else f"{s} B" for s in sizes])
        ax.set_xlabel(f"frame size ({human(BASE_FLOWS)} flows, "
                      f"{human(BASE_IOCS)} IOCs, 1 % hits on net_pcap)")
        # A log axis needs at least one point.
        if any(len(line.get_ydata()) for line in ax.get_lines()):
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
            ax.yaxis.set_major_formatter(ScalarFormatter())
            ax.yaxis.set_minor_formatter(NullFormatter())
        self.finish(ax, "Throughput by frame size", outside=True)
        files.append(self.save(fig, img_dir, "bench-frames.png"))
        return files

    def finish(self, ax, title, outside=False):
        ax.set_ylabel("Mpps, one worker")
        if ax.get_yscale() != "log":
            ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        if outside:
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
        else:
            ax.legend(fontsize=8)
        ax.set_title(title)

    def save(self, fig, img_dir, name):
        import matplotlib.pyplot as plt  # pylint: disable=C0415
        path = os.path.join(img_dir, name)
        fig.tight_layout()
        fig.savefig(path, dpi=90)
        plt.close(fig)
        return path

    # ----- markdown -----

    def markdown(self, command, img_rel):
        """Return the block between the BEGIN and END markers."""
        pl = self.s.plan
        out = [BEGIN, ""] + self.header_lines(command)
        out += ["Targets:", "", "| target | goal | measured | result |",
                "|---|---|---|---|"]
        for name, goal, val, ok in self.targets():
            out.append(f"| {name} | {goal} | {val} | {verdict(ok)} |")

        out += ["", "By frame size (Mpps):", ""] + self.table_frames()
        out += ["", f"![Throughput by frame size]({img_rel}/"
                "bench-frames.png)", ""]
        out += ["By number of flows (64 B):", ""] + self.table_flows()
        out += ["", f"![Throughput against number of flows]({img_rel}/"
                "bench-flows.png)", ""]
        out += [f"By IOC table size ({human(pl['ioc_flows'])} flows, 64 B, "
                "1 % hits):", ""] + self.table_iocs()
        out += ["", f"![Throughput and lookups against IOC table size]"
                f"({img_rel}/bench-iocs.png)", ""]
        out += [f"By hit ratio ({human(BASE_FLOWS)} flows, "
                f"{human(BASE_IOCS)} IOCs, 64 B):", ""] + self.table_hits()

        for line in self.memory_lines():
            out += ["", line]
        out += [""] + self.profile_lines() + [END]
        return "\n".join(out) + "\n"

    def header_lines(self, command):
        """Describe the run: date, command, machine, build and memory."""
        s = self.s
        nohuge = sorted({describe(r) for r in self.rows
                         if r.get("mem") == "no-huge"})
        hp = s.extra.get("hugepages_before")
        raised = s.extra.get("hugepages_raised")
        rounds = s.plan.get("rounds", 1)
        intro = (f"Run of {time.strftime('%Y-%m-%d %H:%M %Z')}, "
                 f"{'quick' if s.args.quick else 'full'} mode, "
                 f"{s.plan['seconds']} s a point, {s.elapsed()} (min:s) in "
                 "all")
        if rounds > 1:
            intro += (f". Every point ran {rounds} times, minutes apart, "
                      "and the tables show the faster run")
        out = [intro + ":", "", "```", command, "```", ""]
        out += [f"- machine: {machine()}",
                f"- c2wall: {git_head()}, {build_type(s.build)} build",
                f"- memory: {hp} hugepages of 2 MiB reserved"
                + (f", raised to {raised} for the run" if raised else "")
                + ("; every point on hugepages" if not nohuge else
                   "; with --no-huge: " + "; ".join(nohuge)),
                "- TSC: " + (f"{self.tsc / 1e6:.0f} MHz from {s.tsc[1]}"
                             if self.tsc else "not found in the logs"),
                "- other processes (builds, tests) may share the two "
                "CPUs: a point during which they kept more than "
                f"{OTHERS_CPU_MAX} CPU busy is run again and the quieter "
                "run kept", ""]
        return out

    def memory_lines(self):
        s = self.s
        out = []
        idle = s.extra.get("mem_idle")
        if idle:
            small, large = idle
            out.append(
                f"Memory: an idle c2wall had {small['heap_mib']:.1f} MiB "
                f"allocated from the DPDK heap with {MEM_ENTRIES[0]} flow "
                f"entries and {large['heap_mib']:.1f} MiB with "
                f"{MEM_ENTRIES[1]}, {s.extra['bytes_per_flow']:.1f} bytes "
                f"per entry (telemetry /eal/heap_info). Its hugepages and "
                f"RSS grew from {small['huge_mib']} + {small['rss_mib']} to "
                f"{large['huge_mib']} + {large['rss_mib']} MiB, "
                f"{s.extra['bytes_per_flow_process']:.1f} bytes per entry.")
        fit = self.find_fit()
        if fit:
            sm = fit["summary"]
            out.append(f"Capacity: {human(s.plan['fit_flows'])} flows read "
                       f"once from the capture file into "
                       f"{FIT_ENTRIES} flow entries: "
                       f"{sm['flows_created']} flows created, "
                       f"{sm['flows_table_full']} table full, "
                       + (f"{fmt_rate(fit['setup_fps'])} new flows/s "
                          "while reading the file, "
                          if fit.get("setup_fps") else "rate not measured, ")
                       + f"peak {mem_cell(fit)} MiB of hugepages + RSS.")
        busy = [f"{describe(r)} ({r['others_cpu']:.2f})" for r in self.rows
                if r.get("others_cpu", 0) > OTHERS_CPU_MAX]
        if busy:
            out.append("Other processes kept more than "
                       f"{OTHERS_CPU_MAX} CPU busy during these points, "
                       "even on the second run: " + "; ".join(busy) + ".")
        if s.failures:
            out.append("Failed points: " + "; ".join(s.failures))
        return out


    def profile_lines(self):
        """Tabulate the symbols with the most perf samples on the worker's
        CPU, as a share of samples and as cycles per packet."""
        profiles = self.s.extra.get("profiles", {})
        if not profiles:
            return []
        shares = {}
        order = []
        for label, prof in profiles.items():
            for pct, dso, sym in prof["symbols"][:PROFILE_ROWS]:
                if (dso, sym) not in order:
                    order.append((dso, sym))
            shares[label] = {(dso, sym): pct
                             for pct, dso, sym in prof["symbols"]}
        last = list(profiles)[-1]
        order.sort(key=lambda k: -shares[last].get(k, 0.0))

        head = "| symbol | object |"
        for label, prof in profiles.items():
            r = self.c2w("inline", flows=prof["flows"])
            prof["cycles"] = self.tsc / (r["mpps"] * 1e6) \
                if r and self.tsc else None
            head += f" {label} | cycles/pkt |"
        out = ["Where the worker's cycles go (perf record -e cpu-clock on "
               "its CPU after the first pass; c2wall inline, 64 B, "
               f"{human(BASE_IOCS)} IOCs, 1 % hits; cycles/pkt is the share "
               "times the point's cycles per packet):", "", head,
               "|---|---|" + "---|---|" * len(profiles)]
        for dso, sym in order:
            row = f"| `{sym}` | {dso} |"
            for label, prof in profiles.items():
                pct = shares[label].get((dso, sym))
                if pct is None:
                    row += " - | - |"
                    continue
                cyc = f"{pct / 100 * prof['cycles']:.0f}" \
                    if prof.get("cycles") else "-"
                row += f" {pct:.1f} % | {cyc} |"
            out.append(row)
        return out + [""]


def verdict(ok):
    """Word for a target's result: True, False or None (not run)."""
    if ok is None:
        return "not run"
    return "pass" if ok else "miss"


def fmt(v):
    return f"{v:.2f}" if v else "-"


def fmt_rate(v):
    return f"{v / 1e6:.2f} M" if v else "-"


def mem_cell(r):
    """Format hugepages + RSS of a run in MiB. A --no-huge run only has
    RSS."""
    if not r or "rss_mib" not in r:
        return "-"
    if r["mem"] == "no-huge":
        return f"{r['rss_mib']} (no-huge)"
    return f"{r['huge_mib']} + {r['rss_mib']}"


def meminfo(key):
    """Return a /proc/meminfo value in kB (pages for HugePages_ keys)."""
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def os_name():
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "unknown OS"


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = meminfo("MemTotal") / (1 << 20)
    dpdk = subprocess.run(["pkg-config", "--modversion", "libdpdk"],
                          capture_output=True, text=True, check=False)
    cc = subprocess.run(["cc", "-dumpfullversion"], capture_output=True,
                        text=True, check=False)
    return (f"{os.cpu_count()} CPUs ({model}), {mem:.0f} GiB, "
            f"{os_name()}, Linux {os.uname().release}, DPDK "
            f"{dpdk.stdout.strip() or '?'}, gcc {cc.stdout.strip() or '?'}")


def git_head():
    r = subprocess.run(["git", "-C", TOP, "log", "-1", "--format=%h %s"],
                       capture_output=True, text=True, check=False)
    d = subprocess.run(["git", "-C", TOP, "status", "--porcelain",
                        "--untracked-files=no", "app"],
                       capture_output=True, text=True, check=False)
    head = r.stdout.strip() or "unknown commit"
    return f"commit {head}" + (" with local changes in app/"
                               if d.stdout.strip() else "")


def build_type(build):
    path = os.path.join(build, "meson-info", "intro-buildoptions.json")
    try:
        with open(path, encoding="utf-8") as f:
            for o in json.load(f):
                if o["name"] == "buildtype":
                    return o["value"]
    except (OSError, ValueError):
        pass
    return "unknown"


def write_docs(report, command, docs):
    path = os.path.join(docs, "benchmarks.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    block = report.markdown(command, "img")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block.rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Benchmark suite results\n\n" + \
            block
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    return path

