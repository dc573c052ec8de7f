# SPDX-License-Identifier: BSD-3-Clause
"""Export fault cases through the real c2wall: timestamps of known
packets, 300 flows ending together under the MTU, and the flowEndReason
of flows closed by FIN, RST, silence and the active timeout. tshark
decodes the records; c2wall-collector shows the times as CEF.

Usage: test_export_cases.py C2WALL COLLECTOR DATA_DIR CASE
"""

import os
import subprocess
import sys
import time

import c2wtest as t

BIN, COLLECTOR, DATA, CASE = sys.argv[1:5]


def case_file(name, f):
    return os.path.join(DATA, "cases", name, f)


def export(work, pcap, extra=()):
    port = t.free_udp_port()
    cap = t.Capture(work, port)
    vdevs, _, _ = t.pair_vdevs(work, pcap)
    rc, out, _ = t.run_c2wall(BIN, vdevs, [
        "--export", "all", "--idle-exit", "500",
        "--ipfix", "udp://127.0.0.1:%d" % port] + list(extra))
    t.check(rc == 0, "%s: c2wall exits 0" % CASE)
    return cap.stop(), port, out


def case_timestamps(work):
    pcap = case_file("timestamps", "two_packets_known_times.pcap")
    path, port, _ = export(work, pcap)
    rows = t.flow_records(t.tshark_records(path, port))
    t.check(len(rows) == 1, "timestamps: one flow record")
    if rows:
        r = rows[0]
        t.check(r.get("cflow.abstimestart") ==
                "Nov 14, 2023 22:13:20.123000000 UTC",
                "timestamps: flowStartMilliseconds 1700000000123 (%s)"
                % r.get("cflow.abstimestart"))
        t.check(r.get("cflow.abstimeend") ==
                "Nov 14, 2023 22:13:25.654000000 UTC",
                "timestamps: flowEndMilliseconds 1700000005654 (%s)"
                % r.get("cflow.abstimeend"))
    # The same export through the collector: CEF start/end in ms.
    raw = os.path.join(work, "export.ipfix")
    hexes = subprocess.run(
        ["tshark", "-r", path, "-d", "udp.port==%d,cflow" % port, "-T",
         "fields", "-e", "udp.payload"], capture_output=True,
        text=True).stdout.split()
    with open(raw, "wb") as f:
        for h in hexes:
            f.write(bytes.fromhex(h.replace(":", "")))
    cef = subprocess.run([COLLECTOR, "--input", raw, "--all-flows",
                          "--cef", "-"], capture_output=True,
                         text=True).stdout
    t.check("start=1700000000123" in cef and "end=1700000005654" in cef,
            "timestamps: CEF start/end in ms since the epoch: %s"
            % cef.strip()[:300])


def case_message_size(work):
    pcap = case_file("message-size", "300_flows.pcap")
    path, port, _ = export(work, pcap)
    out = subprocess.run(
        ["tshark", "-r", path, "-d", "udp.port==%d,cflow" % port, "-T",
         "fields", "-e", "udp.length", "-e", "ip.flags.mf",
         "-e", "ip.frag_offset", "-e", "cflow.len", "-e", "cflow.sequence",
         "-e", "cflow.flowset_id", "-e", "cflow.flowset_length"],
        capture_output=True, text=True).stdout
    msgs = [l.split("\t") for l in out.splitlines()]
    t.check(all(int(m[0]) - 8 <= 1472 for m in msgs),
            "message-size: every IPFIX message <= 1472 bytes (max %d)"
            % max(int(m[0]) - 8 for m in msgs))
    t.check(all(m[1] in ("0", "False", "") and m[2] in ("0", "")
                for m in msgs), "message-size: no IP fragments")
    t.check(all(int(m[0]) - 8 == int(m[3]) for m in msgs),
            "message-size: UDP payload equals the IPFIX length")
    rows = t.flow_records(t.tshark_records(path, port))
    t.check(len(rows) == 300, "message-size: 300 flow records arrive (%d)"
            % len(rows))
    # Sequence numbers count the data records, options records included,
    # sent before each message.
    per_frame = {}
    for r in t.tshark_records(path, port):
        per_frame[r["_frame"]] = per_frame.get(r["_frame"], 0) + 1
    expect = 0
    seq_ok = True
    for i, m in enumerate(msgs):
        if int(m[4]) != expect:
            seq_ok = False
        expect += per_frame.get(i, 0)
    t.check(seq_ok, "message-size: each sequence number counts the data "
            "records sent before its message")


def case_end_reasons(work):
    pcap = case_file("end-reasons", "end_reasons.pcap")
    path, port, _ = export(work, pcap)
    rows = t.flow_records(t.tshark_records(path, port))
    by_port = {}
    for r in rows:
        by_port.setdefault(t.num(r.get("cflow.srcport")), []).append(
            (t.num(r.get("cflow.flow_end_reason")),
             t.num(r.get("cflow.packets"))))
    t.check([x[0] for x in by_port.get(54000, [])] == [3],
            "end-reasons: FIN/FIN/ACK flow ends with reason 3 (%s)"
            % by_port.get(54000))
    t.check([x[0] for x in by_port.get(54001, [])] == [3],
            "end-reasons: SYN then RST ends with reason 3 (%s)"
            % by_port.get(54001))
    t.check([x[0] for x in by_port.get(54002, [])] == [1],
            "end-reasons: a lone UDP packet ends idle, reason 1 (%s)"
            % by_port.get(54002))
    d = by_port.get(54003, [])
    t.check([x[0] for x in d] == [2, 1], "end-reasons: the 400 s UDP "
            "flow reports active timeout (2), then idle (1): %s" % d)
    t.check(sum(x[1] for x in d) == 41,
            "end-reasons: its packet counts add up to 41 (%s)" % d)


def case_template_refresh(work):
    """A collector that starts late, after the first templates went by,
    decodes every record from the first template refresh on."""
    conf = os.path.join(work, "refresh.conf")
    with open(conf, "w") as f:
        f.write("exporter = { mtu = 512; template_refresh_msgs = 2; };\n")
    pcap = case_file("template-refresh", "flows_over_25min.pcap")
    path, port, _ = export(work, pcap, ["--config", conf])
    full = t.tshark_records(path, port)
    flows = t.flow_records(full)
    t.check(len(flows) == 26, "template-refresh: 26 flow records (%d)"
            % len(flows))
    out = subprocess.run(
        ["tshark", "-r", path, "-d", "udp.port==%d,cflow" % port, "-T",
         "fields", "-e", "cflow.flowset_id", "-e", "cflow.template_id"],
        capture_output=True, text=True).stdout.splitlines()
    msgs = []
    for line in out:
        set_col, _, tmpl_col = line.partition("\t")
        msgs.append(([int(x) for x in set_col.split(",") if x],
                     [int(x) for x in tmpl_col.split(",") if x]))
    known, ordered = set(), True
    for set_ids, tmpl_ids in msgs:
        known.update(tmpl_ids)
        if any(i >= 256 and i not in known for i in set_ids):
            ordered = False
    t.check(ordered, "template-refresh: each template precedes its data")

    # The late collector starts after the first message with flow data
    # and decodes what follows on its own.
    first_data = next(i for i, m in enumerate(msgs)
                      if any(x in t.FLOW_SETS for x in m[0]))
    start = first_data + 1
    refresh = next((i for i in range(start, len(msgs))
                    if 2 in msgs[i][0]), None)
    t.check(refresh is not None, "template-refresh: templates are resent "
            "after the first data message")
    if refresh is None:
        return
    late = os.path.join(work, "late.pcapng")
    subprocess.run(["editcap", "-r", path, late,
                    "%d-%d" % (start + 1, len(msgs))],
                   check=True, capture_output=True)
    got = t.flow_records(t.tshark_records(late, port))
    before = sum(1 for r in flows if start <= r["_frame"] < refresh)
    after = sum(1 for r in flows if r["_frame"] >= refresh)
    t.check(after > 0 and len(got) == after, "template-refresh: the late "
            "collector decodes the %d records from the refresh on (%d), "
            "and none of the %d before it" % (after, len(got), before))


def case_collector_burst(work):
    """5000 flows that end together reach c2wall-collector over UDP
    without a loss."""
    port = t.free_udp_port()
    cef = os.path.join(work, "all.cef")
    coll = subprocess.Popen(
        [COLLECTOR, "--listen", "udp://127.0.0.1:%d" % port, "--all-flows",
         "--cef", cef], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    time.sleep(0.5)
    pcap = case_file("flow-table-full", "5000_flows_then_ioc.pcap")
    vdevs, _, _ = t.pair_vdevs(work, pcap)
    rc, out, _ = t.run_c2wall(BIN, vdevs, [
        "--export", "all", "--idle-exit", "500",
        "--ipfix", "udp://127.0.0.1:%d" % port])
    t.check(rc == 0, "collector-burst: c2wall exits 0")
    sent = (t.summary_counter(out, "flow_records_sent") or 0)
    time.sleep(1)
    coll.terminate()
    _, err = coll.communicate(timeout=20)
    print("# collector: " + err.strip().splitlines()[-1] if err else "")
    lines = open(cef).read().splitlines() if os.path.exists(cef) else []
    flows = [l for l in lines if "cat=c2wall/flow_end" in l]
    t.check(sent == 5001, "collector-burst: 5001 flow records sent (%d)"
            % sent)
    t.check(len(flows) == sent, "collector-burst: the collector wrote "
            "every flow record (%d of %d)" % (len(flows), sent))
    t.check("udp_dropped=0" in err, "collector-burst: no datagram "
            "dropped by the kernel")


def main():
    work = t.tempdir(CASE)
    {"timestamps": case_timestamps, "message-size": case_message_size,
     "end-reasons": case_end_reasons,
     "template-refresh": case_template_refresh,
     "collector-burst": case_collector_burst}[CASE](work)
    t.cleanup(work)
    t.done()


main()
