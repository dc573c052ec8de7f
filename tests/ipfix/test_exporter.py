#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPFIX exporter tests.

Each case runs exporter_harness against a UDP port on 127.0.0.1 while
dumpcap captures the loopback interface, then decodes the capture with
tshark (IPFIX dissector "cflow") and, for the enterprise elements, with
libfixbuf's ipfixDump. The harness events are fixed in
exporter_harness.c; EXPECTED below lists what each must become.
"""

import argparse
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

TEMPLATE_IDS = [256, 257, 258, 259, 260, 261]
OBSERVATION_DOMAIN = 42

# Standard fields per harness event, keyed by the tshark field name; a
# ".rev" suffix marks the RFC 5103 reverse element. None means the field
# must be absent from the record.
COMMON_ABSENT_IN_ALERTS = {
    "cflow.octets": None, "cflow.packets": None,
    "cflow.octets.rev": None, "cflow.packets.rev": None,
    "cflow.flow_end_reason": None,
}

EXPECTED = [
    {   # 0: IPv4 TCP alert, blocked, destination matched
        "tid": 256,
        "cflow.srcaddr": "198.51.100.7", "cflow.dstaddr": "203.0.113.10",
        "cflow.srcport": "49152", "cflow.dstport": "2404",
        "cflow.protocol": "6", "cflow.icmp_type_code_ipv4": 0,
        "start_ms": 1700000000123, "end_ms": 1700000000123,
        "cflow.tcpflags": 0x02, "cflow.tcpflags.rev": 0,
        "cflow.firewall_event": 3, "forwarding_status": 130,
        "cflow.dot1q_vlan_id": "0", "cflow.dot1q_customer_vlan_id": "0",
        "cflow.inputint": "0", "cflow.outputint": "1",
        **COMMON_ABSENT_IN_ALERTS,
    },
    {   # 1: IPv4 TCP flow end, alerted, reverse counters, reason 3
        "tid": 258,
        "cflow.srcaddr": "198.51.100.20", "cflow.dstaddr": "203.0.113.10",
        "cflow.srcport": "50000", "cflow.dstport": "2404",
        "cflow.protocol": "6", "cflow.icmp_type_code_ipv4": 0,
        "start_ms": 1700000001000, "end_ms": 1700000005654,
        "cflow.octets": "1500", "cflow.packets": "10",
        "cflow.octets.rev": "6400", "cflow.packets.rev": "8",
        "cflow.tcpflags": 0x1b, "cflow.tcpflags.rev": 0x12,
        "cflow.flow_end_reason": "3",
        "cflow.firewall_event": 2, "forwarding_status": 64,
        "cflow.dot1q_vlan_id": "0", "cflow.dot1q_customer_vlan_id": "0",
        "cflow.inputint": "1", "cflow.outputint": "0",
    },
    {   # 2: IPv6 UDP alert, source matched, one VLAN tag
        "tid": 257,
        "cflow.srcaddrv6": "2001:db8::1", "cflow.dstaddrv6": "2001:db8::2",
        "cflow.srcport": "5353", "cflow.dstport": "443",
        "cflow.protocol": "17",
        "start_ms": 1700000002000, "end_ms": 1700000002000,
        "cflow.tcpflags": 0, "cflow.tcpflags.rev": 0,
        "cflow.firewall_event": 4, "forwarding_status": 64,
        "cflow.dot1q_vlan_id": "42", "cflow.dot1q_customer_vlan_id": "0",
        "cflow.inputint": "2", "cflow.outputint": "3",
        "cflow.srcaddr": None,
        **COMMON_ABSENT_IN_ALERTS,
    },
    {   # 3: ICMP echo flow, no match: ports 0, type/code in the ICMP IE
        "tid": 260,
        "cflow.srcaddr": "192.0.2.1", "cflow.dstaddr": "192.0.2.2",
        "cflow.srcport": "0", "cflow.dstport": "0",
        "cflow.protocol": "1", "cflow.icmp_type_code_ipv4": 0x0800,
        "start_ms": 1700000003000, "end_ms": 1700000004000,
        "cflow.octets": "252", "cflow.packets": "3",
        "cflow.octets.rev": "252", "cflow.packets.rev": "3",
        "cflow.flow_end_reason": "1",
        "cflow.firewall_event": 2, "forwarding_status": 64,
        "cflow.inputint": "0", "cflow.outputint": "1",
        "cflow.enterprise_private_entry": None,
    },
    {   # 4: QinQ UDP flow, outer VID 100, inner VID 200
        "tid": 260,
        "cflow.srcaddr": "192.0.2.10", "cflow.dstaddr": "198.51.100.53",
        "cflow.srcport": "40000", "cflow.dstport": "53",
        "cflow.protocol": "17", "cflow.icmp_type_code_ipv4": 0,
        "start_ms": 1700000006000, "end_ms": 1700000006100,
        "cflow.octets": "60", "cflow.packets": "1",
        "cflow.octets.rev": "120", "cflow.packets.rev": "1",
        "cflow.flow_end_reason": "1",
        "cflow.firewall_event": 2, "forwarding_status": 64,
        "cflow.dot1q_vlan_id": "100", "cflow.dot1q_customer_vlan_id": "200",
        "cflow.enterprise_private_entry": None,
    },
    {   # 5: IPv6 TCP flow end, blocked, reference cut to 111 bytes
        "tid": 259,
        "cflow.srcaddrv6": "2001:db8::10",
        "cflow.dstaddrv6": "2001:db8:0:1::20",
        "cflow.srcport": "51000", "cflow.dstport": "8443",
        "cflow.protocol": "6",
        "start_ms": 1700000007000, "end_ms": 1700000007500,
        "cflow.octets": "240", "cflow.packets": "4",
        "cflow.octets.rev": "0", "cflow.packets.rev": "0",
        "cflow.tcpflags": 0x02, "cflow.tcpflags.rev": 0,
        "cflow.flow_end_reason": "4",
        "cflow.firewall_event": 2, "forwarding_status": 130,
        "cflow.inputint": "1", "cflow.outputint": "0",
    },
]

LONG_REFERENCE = "https://example.org/" + "x" * (111 - len("https://example.org/"))

# Enterprise elements as ipfixDump prints them, per harness event; empty
# for the plain flow template.
EXPECTED_ENTERPRISE = [
    {"c2wEventType": "1", "c2wAction": "1", "c2wMatchSide": "2",
     "c2wConfidence": "90", "c2wIocValue": "203.0.113.10:2404",
     "c2wIocId": "ioc-0001", "c2wThreatType": "botnet_cc",
     "c2wMalware": "Remcos", "c2wIocTags": "rat,remcos",
     "c2wIocReference": "https://example.org/ioc/0001",
     "c2wIocFirstSeen": "2023-07-22 04:26:40",
     "c2wIocLastSeen": "2023-11-14 22:13:19"},
    {"c2wEventType": "2", "c2wAction": "2", "c2wMatchSide": "2",
     "c2wConfidence": "75", "c2wIocValue": "203.0.113.10:2404",
     "c2wIocId": "ioc-0001", "c2wMalware": "Remcos"},
    {"c2wEventType": "1", "c2wAction": "2", "c2wMatchSide": "1",
     "c2wConfidence": "50", "c2wIocValue": "2001:db8::1",
     "c2wIocId": "ioc-0002", "c2wMalware": "AsyncRAT", "c2wIocTags": "",
     "c2wIocReference": "", "c2wIocFirstSeen": "1970-01-01 00:00:00"},
    {},
    {},
    {"c2wEventType": "2", "c2wAction": "1", "c2wMatchSide": "2",
     "c2wConfidence": "100", "c2wIocValue": "[2001:db8:0:1::20]:8443",
     "c2wThreatType": "payload_delivery", "c2wIocTags": "rat,remcos,long",
     "c2wIocReference": LONG_REFERENCE,
     "c2wIocFirstSeen": "2020-09-13 12:26:40"},
]


class Failures:
    """Collects failed checks so one run reports all of them."""

    def __init__(self):
        self.items = []

    def check(self, cond, description):
        if not cond:
            self.items.append(description)
        return cond

    def equal(self, got, want, description):
        return self.check(got == want,
                          f"{description}: got {got!r}, want {want!r}")

    def finish(self, case):
        for item in self.items:
            print(f"FAIL {case}: {item}")
        if self.items:
            print(f"{case}: {len(self.items)} check(s) failed")
            return 1
        print(f"{case}: ok")
        return 0


class Capture:
    """dumpcap on lo for one UDP port, as a context manager."""

    def __init__(self, port, path):
        self.port = port
        self.path = path
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            ["dumpcap", "-q", "-i", "lo", "-f", f"udp port {self.port}",
             "-w", self.path],
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 15
        seen = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stderr], [], [], 0.5)
            if ready:
                line = self.proc.stderr.readline()
                seen += line
                if "Capturing on" in line:
                    time.sleep(0.3)
                    return self
            if self.proc.poll() is not None:
                break
        raise RuntimeError(f"dumpcap did not start: {seen.strip()}")

    def __exit__(self, *exc):
        time.sleep(0.5)  # let the last datagrams reach the capture
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_harness(harness, port, *extra, netns=None):
    cmd = [harness, str(port), *extra]
    if netns:
        cmd = ["ip", "netns", "exec", netns] + cmd
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"harness exited {proc.returncode}: {proc.stderr}")
    stats = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition("=")
        stats[key] = float(value) if "." in value else int(value)
    return stats, proc.stderr


def export_with_capture(harness, workdir, *extra, receiver=True):
    """Run the harness under dumpcap; returns (stats, stderr, port, pcap)."""
    port = free_port()
    pcap = os.path.join(workdir, f"export-{port}.pcapng")
    sock = None
    if receiver:
        # A bound socket keeps the kernel from answering each message
        # with ICMP port unreachable, like a running collector would.
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.bind(("127.0.0.1", port))
    try:
        with Capture(port, pcap):
            t0 = time.time()
            stats, stderr = run_harness(harness, port, *extra)
            stats["wall_start"] = t0
            stats["wall_end"] = time.time()
    finally:
        if sock:
            sock.close()
    return stats, stderr, port, pcap


def field_value(field):
    """Integer of a field's raw bytes, as PDML gives them in hex."""
    return int(field.get("value"), 16)


def collect_fields(node, record):
    for field in node.findall("field"):
        name = field.get("name")
        if name:
            if "(Reverse Type" in (field.get("showname") or ""):
                name += ".rev"
            record.setdefault(name, []).append(field)
        collect_fields(field, record)


def decode_tshark(pcap, port):
    """Messages in capture order: header fields, template IDs, records."""
    pdml = subprocess.run(
        ["tshark", "-r", pcap, "-d", f"udp.port=={port},cflow", "-T", "pdml"],
        capture_output=True, text=True, check=True).stdout
    messages = []
    for packet in ET.fromstring(pdml).findall("packet"):
        protos = {p.get("name"): p for p in packet.findall("proto")}
        if "cflow" not in protos:
            continue
        cflow = protos["cflow"]
        udp_len = field_value(protos["udp"].find("field[@name='udp.length']"))
        msg = {"udp_payload": udp_len - 8, "templates": [], "sets": [],
               "set_bytes": 0,
               "frame_time": float(protos["frame"].find(
                   "field[@name='frame.time_epoch']").get("show")),
               "malformed": "_ws.malformed" in protos}
        for name in ("cflow.version", "cflow.len", "cflow.sequence",
                     "cflow.od_id"):
            msg[name] = int(cflow.find(f"field[@name='{name}']").get("show"))
        msg["export_time"] = int(cflow.find(
            ".//field[@name='cflow.exporttime']").get("show"))
        for set_node in cflow.findall("field"):
            if not (set_node.get("show") or "").startswith("Set "):
                continue
            set_id = int(set_node.find(
                "field[@name='cflow.flowset_id']").get("show"))
            msg["set_bytes"] += int(set_node.find(
                "field[@name='cflow.flowset_length']").get("show"))
            if set_id == 2:
                msg["templates"] += [int(t.get("show")) for t in
                                     set_node.iter("field")
                                     if t.get("name") == "cflow.template_id"]
                continue
            records = []
            for flow in set_node.findall("field"):
                if (flow.get("show") or "").startswith("Flow "):
                    record = {}
                    collect_fields(flow, record)
                    records.append(record)
            msg["sets"].append((set_id, records))
        messages.append(msg)
    return messages


def check_record(fail, rec, want, label):
    for name, value in want.items():
        if name == "tid":
            continue
        if value is None:
            fail.check(name not in rec, f"{label}: {name} must be absent")
            continue
        if name in ("start_ms", "end_ms"):
            tag = "cflow.abstimestart" if name == "start_ms" else \
                "cflow.abstimeend"
            got = field_value(rec[tag][0]) if tag in rec else None
        elif name == "forwarding_status":
            # tshark splits the octet into the status (two high bits) and
            # a reason code field named after the status.
            got = None
            if "cflow.forwarding_status" in rec:
                got = int(rec["cflow.forwarding_status"][0].get("show")) << 6
                for kind in ("forward", "drop", "consume"):
                    code = rec.get(f"cflow.forwarding_status_{kind}_code")
                    if code:
                        got |= int(code[0].get("show"))
        elif isinstance(value, int):
            got = field_value(rec[name][0]) if name in rec else None
        else:
            got = rec[name][0].get("show") if name in rec else None
        fail.equal(got, value, f"{label}: {name}")


def expected_index(tid, rec):
    """Harness event a decoded record came from."""
    candidates = [i for i, e in enumerate(EXPECTED) if e["tid"] == tid]
    if len(candidates) > 1:
        proto = rec["cflow.protocol"][0].get("show")
        candidates = [i for i in candidates
                      if EXPECTED[i]["cflow.protocol"] == proto]
    return candidates[0] if candidates else None


def check_messages(fail, messages, mtu, stats):
    """Header, size, template order and sequence number checks."""
    fail.check(messages, "no IPFIX message captured")
    if not messages:
        return
    fail.check(messages[0]["templates"] and not messages[0]["sets"],
               "first message must hold templates and no data")
    first_data = next((i for i, m in enumerate(messages) if m["sets"]),
                      len(messages))
    seen = set()
    for m in messages[:first_data]:
        seen.update(m["templates"])
    fail.equal(sorted(seen), TEMPLATE_IDS,
               "templates sent before the first data set")

    data_records = 0
    for i, m in enumerate(messages):
        label = f"message {i}"
        fail.equal(m["cflow.version"], 10, f"{label}: version")
        fail.equal(m["cflow.od_id"], OBSERVATION_DOMAIN,
                   f"{label}: observation domain")
        fail.check(m["cflow.len"] <= mtu,
                   f"{label}: length {m['cflow.len']} exceeds MTU {mtu}")
        fail.equal(m["udp_payload"], m["cflow.len"],
                   f"{label}: UDP payload vs IPFIX length")
        fail.check(not m["malformed"], f"{label}: tshark reports malformed")
        fail.check(stats["wall_start"] - 1 <= m["export_time"]
                   <= stats["wall_end"] + 1,
                   f"{label}: export time {m['export_time']} is not now")
        fail.equal(m["cflow.sequence"], data_records,
                   f"{label}: sequence number")
        data_records += sum(len(records) for _, records in m["sets"])


def all_records(messages):
    for m in messages:
        for set_id, records in m["sets"]:
            for rec in records:
                yield set_id, rec


def decode_ipfixdump(pcap, port, elements, workdir):
    """Records as ipfixDump prints them: (tid, {element name: value})."""
    hexes = subprocess.run(
        ["tshark", "-r", pcap, "-d", f"udp.port=={port},cflow",
         "-T", "fields", "-e", "udp.payload"],
        capture_output=True, text=True, check=True).stdout.split()
    path = os.path.join(workdir, f"export-{port}.ipfix")
    with open(path, "wb") as out:
        for h in hexes:
            out.write(bytes.fromhex(h.replace(":", "")))
    text = subprocess.run(["ipfixDump", "-e", elements, "--in", path,
                           "--data"], capture_output=True, text=True,
                          check=True).stdout
    records = []
    for line in text.splitlines():
        m = re.search(r"tid:\s+(\d+)", line)
        if m and "count:" in line:
            records.append((int(m.group(1)), {}))
            continue
        m = re.match(r"\s*\(\S+\)\s+(\w+) : (?:\(len: \d+\) ?)?(.*)$", line)
        if m and records:
            records[-1][1][m.group(1)] = m.group(2)
    return records


def case_records(args, workdir):
    fail = Failures()
    stats, _, port, pcap = export_with_capture(args.harness, workdir)
    messages = decode_tshark(pcap, port)
    check_messages(fail, messages, 1400, stats)

    records = list(all_records(messages))
    fail.equal([tid for tid, _ in records], [e["tid"] for e in EXPECTED],
               "template IDs of the records in order")
    for i, (tid, rec) in enumerate(records[:len(EXPECTED)]):
        check_record(fail, rec, EXPECTED[i], f"record {i} (tid {tid})")

    dumped = decode_ipfixdump(pcap, port, args.elements, workdir)
    fail.equal(len(dumped), len(EXPECTED), "ipfixDump record count")
    for i, (tid, fields) in enumerate(dumped[:len(EXPECTED)]):
        for name, want in EXPECTED_ENTERPRISE[i].items():
            fail.equal(fields.get(name), want, f"ipfixDump record {i}: {name}")
        if not EXPECTED_ENTERPRISE[i]:
            fail.check(not any(k.startswith("c2w") for k in fields),
                       f"ipfixDump record {i}: plain flow has c2w elements")

    fail.equal(stats["alerts_sent"], 2, "alerts_sent")
    fail.equal(stats["flows_sent"], 4, "flows_sent")
    fail.equal(stats["send_errors"], 0, "send_errors")
    fail.equal(stats["template_sends"], 1, "template_sends")
    return fail.finish("records")


def case_message_size(args, workdir):
    """MTU 512: many messages, no record split, every record arrives."""
    fail = Failures()
    count = 300
    stats, _, port, pcap = export_with_capture(
        args.harness, workdir, "--mtu", "512", "--count", str(count))
    messages = decode_tshark(pcap, port)
    check_messages(fail, messages, 512, stats)
    fail.check(len(messages) > 20, f"only {len(messages)} messages at MTU 512")

    records = list(all_records(messages))
    fail.equal(len(records), count, "records captured")
    for i, (tid, rec) in enumerate(records):
        idx = expected_index(tid, rec)
        if fail.check(idx is not None, f"record {i}: unknown tid {tid}"):
            check_record(fail, rec, EXPECTED[idx], f"record {i} (tid {tid})")
    for i, m in enumerate(messages):
        # A record cut at a message end would leave the sets shorter or
        # longer than the message body.
        fail.equal(m["set_bytes"] + 16, m["cflow.len"],
                   f"message {i}: header plus set lengths")
    fail.equal(stats["alerts_sent"] + stats["flows_sent"], count,
               "records sent")
    fail.equal(stats["messages"], len(messages), "messages sent vs captured")
    fail.equal(stats["records_failed"], 0, "records_failed")
    return fail.finish("message-size")


def case_template_refresh(args, workdir):
    """Refresh every second over three seconds of trickled events."""
    fail = Failures()
    stats, _, port, pcap = export_with_capture(
        args.harness, workdir, "--refresh", "1", "--count", "12",
        "--spread-ms", "3000")
    messages = decode_tshark(pcap, port)
    check_messages(fail, messages, 1400, stats)
    tmpl_msgs = [m for m in messages if m["templates"]]
    fail.check(len(tmpl_msgs) >= 3,
               f"{len(tmpl_msgs)} template messages in 3 s, want >= 3")
    for m in tmpl_msgs:
        fail.equal(sorted(m["templates"]), TEMPLATE_IDS,
                   "templates in a refresh message")
        fail.check(not m["sets"], "template message carries data")
    gaps = [b["frame_time"] - a["frame_time"]
            for a, b in zip(tmpl_msgs, tmpl_msgs[1:])]
    fail.check(all(g >= 0.9 for g in gaps), f"refresh gaps {gaps} < 1 s")
    fail.equal(stats["template_sends"], len(tmpl_msgs),
               "template_sends vs template messages captured")
    fail.equal(len(list(all_records(messages))), 12, "records captured")
    return fail.finish("template-refresh")


def case_tap_mode(args, workdir):
    """Tap mode: no egressInterface, forwardingStatus 0 (unknown)."""
    fail = Failures()
    stats, _, port, pcap = export_with_capture(args.harness, workdir, "--tap")
    messages = decode_tshark(pcap, port)
    check_messages(fail, messages, 1400, stats)
    records = list(all_records(messages))
    fail.equal(len(records), len(EXPECTED), "records captured")
    for i, (tid, rec) in enumerate(records):
        want = {k: v for k, v in EXPECTED[i].items()
                if k not in ("cflow.outputint", "forwarding_status")}
        want["cflow.outputint"] = None
        want["forwarding_status"] = 0
        check_record(fail, rec, want, f"record {i} (tid {tid})")
    return fail.finish("tap-mode")


def case_no_url(args, workdir):
    """Empty URL: the ring is drained and counted, nothing is sent."""
    fail = Failures()
    stats, _, port, pcap = export_with_capture(args.harness, workdir,
                                               "--no-url")
    fail.equal(len(decode_tshark(pcap, port)), 0, "messages captured")
    fail.equal(stats["events"], len(EXPECTED), "events counted")
    fail.equal(stats["messages"], 0, "messages sent")
    return fail.finish("no-url")


def case_send_errors(args, workdir):
    """Sends that fail are counted and the run ends well; a collector
    that is not listening is no send error."""
    fail = Failures()
    count = 300

    # Nobody listens on the loopback port: UDP cannot tell, every record
    # goes out, and the next collector start receives what follows.
    stats, _ = run_harness(args.harness, free_port(), "--mtu", "512",
                           "--count", str(count))
    fail.equal(stats["send_errors"], 0, "send errors without a listener")
    fail.equal(stats["alerts_sent"] + stats["flows_sent"], count,
               "records sent without a listener")

    # In a network namespace of its own with only loopback there is no
    # route to 192.0.2.1, so sendto() fails at once and nothing leaves.
    ns = "c2wipfix%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"],
                       check=True)
        stats, stderr = run_harness(args.harness, free_port(), "--mtu",
                                    "512", "--count", str(count),
                                    "--host", "192.0.2.1", netns=ns)
    finally:
        subprocess.run(["ip", "netns", "del", ns])
    fail.check(stats["send_errors"] > 0, "no send error counted")
    fail.equal(stats["alerts_sent"] + stats["flows_sent"] +
               stats["records_unsent"], count, "records sent + unsent")
    warnings = [line for line in stderr.splitlines() if "send failed" in line]
    fail.check(1 <= len(warnings) <= 2,
               f"{len(warnings)} send warnings, want 1-2 (rate-limited)")
    return fail.finish("send-errors")


CASES = {
    "records": case_records,
    "message-size": case_message_size,
    "template-refresh": case_template_refresh,
    "tap-mode": case_tap_mode,
    "no-url": case_no_url,
    "send-errors": case_send_errors,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--harness", required=True)
    parser.add_argument("--elements", required=True,
                        help="XML element file for ipfixDump -e")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="c2w-ipfix-") as workdir:
        return CASES[args.case](args, workdir)


if __name__ == "__main__":
    sys.exit(main())
