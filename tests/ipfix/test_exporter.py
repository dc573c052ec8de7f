#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPFIX exporter tests.

UDP cases run exporter_harness against a UDP port on 127.0.0.1 while
dumpcap captures the loopback interface, then decode the capture with
tshark (IPFIX dissector "cflow") and libfixbuf's ipfixDump. TCP and TLS
cases run a collector in this script (Python sockets and the ssl module)
that reads IPFIX message framing from the stream and parses the sets
itself; ipfixDump reads the saved stream too. The harness events are
fixed in exporter_harness.c; EXPECTED below lists what each must become.
"""

import argparse
import os
import re
import select
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

DATA_TEMPLATE_IDS = [256, 257, 258, 259, 260, 261]
UNIFLOW_TEMPLATE_IDS = [256, 257, 264, 265, 266, 267]
TYPE_INFO_TID = 262
EXPORTER_STATS_TID = 263
OPTIONS_TEMPLATE_IDS = [TYPE_INFO_TID, EXPORTER_STATS_TID]
TEMPLATE_IDS = sorted(DATA_TEMPLATE_IDS + OPTIONS_TEMPLATE_IDS)
RECORD_TIDS = set(DATA_TEMPLATE_IDS + UNIFLOW_TEMPLATE_IDS)
OBSERVATION_DOMAIN = 42
C2W_NAMES = ["c2wIocValue", "c2wIocId", "c2wThreatType", "c2wMalware",
             "c2wConfidence", "c2wAction", "c2wMatchSide", "c2wIocTags",
             "c2wIocReference", "c2wIocFirstSeen", "c2wIocLastSeen",
             "c2wEventType"]

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
        # A bound socket stops the kernel from replying to each message
        # with ICMP port unreachable, as a running collector would.
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
            if set_id in (2, 3):
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


def check_messages(fail, messages, mtu, stats, templates=TEMPLATE_IDS):
    """Header, size, template order and sequence number checks. Options
    records (type records, exporter statistics) are data records and
    count in the sequence number like alerts and flows."""
    fail.check(messages, "no IPFIX message captured")
    if not messages:
        return
    fail.check(messages[0]["templates"] and not messages[0]["sets"],
               "first message must hold templates and no data")
    fail.equal(messages[0]["templates"], OPTIONS_TEMPLATE_IDS,
               "options templates first")
    if len(messages) > 1:
        fail.equal([sid for sid, _ in messages[1]["sets"]],
                   [TYPE_INFO_TID], "type records before data templates")
    first_data = next((i for i, m in enumerate(messages)
                       if any(sid in RECORD_TIDS for sid, _ in m["sets"])),
                      len(messages))
    seen = set()
    for m in messages[:first_data]:
        seen.update(m["templates"])
    fail.equal(sorted(seen), templates,
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


def all_records(messages, tids=RECORD_TIDS):
    """Alert and flow records (not options records) in capture order."""
    for m in messages:
        for set_id, records in m["sets"]:
            if set_id not in tids:
                continue
            for rec in records:
                yield set_id, rec


def pcap_to_ipfix_file(pcap, port, workdir):
    """Write the UDP payloads one after the other: an IPFIX file."""
    hexes = subprocess.run(
        ["tshark", "-r", pcap, "-d", f"udp.port=={port},cflow",
         "-T", "fields", "-e", "udp.payload"],
        capture_output=True, text=True, check=True).stdout.split()
    path = os.path.join(workdir, f"export-{port}.ipfix")
    with open(path, "wb") as out:
        for h in hexes:
            out.write(bytes.fromhex(h.replace(":", "")))
    return path


def decode_ipfixdump(pcap, port, elements, workdir):
    """Alert and flow records as ipfixDump prints them."""
    return ipfixdump_file(pcap_to_ipfix_file(pcap, port, workdir), elements)


def ipfixdump_file(path, elements=None):
    """Records of an IPFIX file as ipfixDump prints them, (tid, {element
    name: value}), alert and flow records only. Without elements, names
    of enterprise elements come from the RFC 5610 type records, which
    ipfixDump 2.4 reads with --rfc5610."""
    cmd = ["ipfixDump", "--in", path, "--data"]
    cmd[1:1] = ["-e", elements] if elements else ["--rfc5610"]
    text = subprocess.run(cmd, capture_output=True, text=True,
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
    return [r for r in records if r[0] in RECORD_TIDS]


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
    # A refresh is the options templates, the type records and the data
    # templates, three messages.
    tmpl_msgs = [m for m in messages
                 if m["templates"] == OPTIONS_TEMPLATE_IDS]
    fail.check(len(tmpl_msgs) >= 3,
               f"{len(tmpl_msgs)} template refreshes in 3 s, want >= 3")
    for m in messages:
        fail.check(not (m["templates"] and m["sets"]),
                   "template message carries data")
    fail.equal(sorted(t for m in messages for t in m["templates"]),
               sorted(TEMPLATE_IDS * len(tmpl_msgs)),
               "every refresh carries every template")
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

    # No socket listens on the loopback port. UDP cannot tell, so every
    # record goes out and the next collector start receives what follows.
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
    fail.equal(stats["alerts_sent"] + stats["flows_sent"], count,
               "records queued")
    fail.check(stats["records_lost"] > 0, "no lost record counted")
    # Type records are queued like data on UDP, so they count too.
    fail.equal(stats["records_exported"] + stats["records_lost"],
               count + stats["options_sent"], "records exported + lost")
    warnings = [line for line in stderr.splitlines() if "send failed" in line]
    fail.check(1 <= len(warnings) <= 2,
               f"{len(warnings)} send warnings, want 1-2 (rate-limited)")
    return fail.finish("send-errors")


# ---- UDP: refresh, type records, options, uniflow ----------------------


def case_refresh_msgs(args, workdir):
    """UDP refresh every 5 data messages, the time refresh off."""
    fail = Failures()
    every = 5
    stats, _, port, pcap = export_with_capture(
        args.harness, workdir, "--mtu", "512", "--count", "300",
        "--refresh", "0", "--refresh-msgs", str(every))
    messages = decode_tshark(pcap, port)
    check_messages(fail, messages, 512, stats)
    runs, run = [], None
    for m in messages:
        if m["templates"] == OPTIONS_TEMPLATE_IDS:
            if run is not None:
                runs.append(run)
            run = 0
        elif any(sid in RECORD_TIDS for sid, _ in m["sets"]):
            run += 1
    fail.check(len(runs) >= 5, f"only {len(runs)} refreshes")
    fail.check(all(r == every for r in runs),
               f"data messages between refreshes {runs}, want {every}")
    fail.check(run is not None and 0 <= run < every,
               f"data messages after the last refresh: {run}")
    fail.equal(stats["template_sends"], len(runs) + 1, "template_sends")
    fail.equal(len(list(all_records(messages))), 300, "records captured")
    return fail.finish("refresh-msgs")


def case_type_records(args, workdir):
    """ipfixDump without an element file names the c2wall elements from
    the RFC 5610 type records."""
    fail = Failures()
    _, _, port, pcap = export_with_capture(args.harness, workdir)
    path = pcap_to_ipfix_file(pcap, port, workdir)
    dumped = ipfixdump_file(path)
    fail.equal(len(dumped), len(EXPECTED), "ipfixDump record count")
    for i, (tid, fields) in enumerate(dumped[:len(EXPECTED)]):
        for name, want in EXPECTED_ENTERPRISE[i].items():
            fail.equal(fields.get(name), want, f"record {i}: {name}")

    # Every c2wall element has exactly one type record in the export.
    messages = decode_tshark(pcap, port)
    names = []
    for m in messages:
        for sid, records in m["sets"]:
            if sid != TYPE_INFO_TID:
                continue
            for rec in records:
                for key, fields in rec.items():
                    if key.endswith("information_element_name"):
                        names.append(fields[0].get("show"))
    fail.equal(sorted(names), sorted(C2W_NAMES), "type record names")
    return fail.finish("type-records")


STATS_FIELDS = {
    "od": "cflow.od_id", "pid": "cflow.flow_exporter",
    "messages": "cflow.packetsexp", "records": "cflow.flowsexp",
    "octets": "cflow.octetsexp", "not_sent": "cflow.notsent_flows",
}


def case_options(args, workdir):
    """Exporter statistics as an options record each second and at the
    end, decoded by tshark; each counts what was sent before it."""
    fail = Failures()
    stats, _, port, pcap = export_with_capture(
        args.harness, workdir, "--count", "60", "--spread-ms", "2500",
        "--stats-interval", "1")
    messages = decode_tshark(pcap, port)
    check_messages(fail, messages, 1400, stats)
    sent_msgs = sent_records = sent_octets = 0
    seen = 0
    for i, m in enumerate(messages):
        for sid, records in m["sets"]:
            if sid != EXPORTER_STATS_TID:
                continue
            for rec in records:
                seen += 1
                got = {k: rec[f][0].get("show") if f in rec else None
                       for k, f in STATS_FIELDS.items()}
                label = f"message {i}: statistics record"
                fail.equal(got["od"], str(OBSERVATION_DOMAIN),
                           f"{label}: observationDomainId scope")
                fail.check(got["pid"] not in (None, "0"),
                           f"{label}: exportingProcessId {got['pid']}")
                fail.equal(got["messages"], str(sent_msgs),
                           f"{label}: exportedMessageTotalCount")
                fail.equal(got["records"], str(sent_records),
                           f"{label}: exportedFlowRecordTotalCount")
                fail.equal(got["octets"], str(sent_octets),
                           f"{label}: exportedOctetTotalCount")
                fail.equal(got["not_sent"], "0",
                           f"{label}: notSentFlowTotalCount")
        sent_msgs += 1
        sent_records += sum(len(r) for _, r in m["sets"])
        sent_octets += m["cflow.len"]
    # One at start, one a second during 2.5 s, one at the end.
    fail.check(4 <= seen <= 5, f"{seen} statistics records, want 4-5")
    fail.equal(stats["options_sent"], seen + len(C2W_NAMES),
               "options_sent: statistics and type records")
    return fail.finish("options")


def case_uniflow(args, workdir):
    """Uniflow: one record per direction with packets, own counters."""
    fail = Failures()
    stats, _, port, pcap = export_with_capture(args.harness, workdir,
                                               "--uniflow")
    messages = decode_tshark(pcap, port)
    check_messages(fail, messages, 1400, stats,
                   sorted(UNIFLOW_TEMPLATE_IDS + OPTIONS_TEMPLATE_IDS))
    show = lambda rec, f: rec[f][0].get("show") if f in rec else None
    got = [(tid, show(rec, "cflow.srcaddr") or show(rec, "cflow.srcaddrv6"),
            show(rec, "cflow.srcport"), show(rec, "cflow.packets"),
            show(rec, "cflow.octets"), show(rec, "cflow.biflow_direction"),
            show(rec, "cflow.inputint"), show(rec, "cflow.octets.rev"))
           for tid, rec in all_records(messages)]
    want = [
        (256, "198.51.100.7", "49152", None, None, None, "0", None),
        (264, "198.51.100.20", "50000", "10", "1500", "1", "1", None),
        (264, "203.0.113.10", "2404", "8", "6400", "2", "0", None),
        (257, "2001:db8::1", "5353", None, None, None, "2", None),
        (266, "192.0.2.1", "0", "3", "252", "1", "0", None),
        (266, "192.0.2.2", "0", "3", "252", "2", "1", None),
        (266, "192.0.2.10", "40000", "1", "60", "1", "0", None),
        (266, "198.51.100.53", "53", "1", "120", "2", "1", None),
        # no packet came back on this flow, so it has no reverse record
        (265, "2001:db8::10", "51000", "4", "240", "1", "1", None),
    ]
    fail.equal(len(got), len(want), "record count")
    for i, (g, w) in enumerate(zip(got, want)):
        fail.equal(g, w, f"record {i}")
    recs = list(all_records(messages))
    if len(recs) == len(want):
        # The responder's record has its own TCP flags and no ICMP
        # type: only the first packet's is known.
        fail.equal(field_value(recs[2][1]["cflow.tcpflags"][0]), 0x12,
                   "reverse record: tcpControlBits")
        fail.check("cflow.tcpflags.rev" not in recs[2][1],
                   "uniflow record has reverseTcpControlBits")
        fail.equal(field_value(recs[5][1]["cflow.icmp_type_code_ipv4"][0]),
                   0, "reverse ICMP record: icmpTypeCodeIPv4")
    dumped = decode_ipfixdump(pcap, port, args.elements, workdir)
    sides = [f.get("c2wMatchSide") for _, f in dumped]
    fail.equal(sides, ["2", "2", "1", "1", None, None, None, None, "2"],
               "c2wMatchSide per record")
    fail.equal(stats["flows_sent"], 7, "flows_sent counts records")
    return fail.finish("uniflow")


# ---- TCP and TLS ----------------------------------------------------------


def parse_stream_messages(data):
    """Split an IPFIX byte stream into messages by the header length."""
    messages, pos = [], 0
    while pos + 16 <= len(data):
        length = struct.unpack_from("!H", data, pos + 2)[0]
        if length < 16 or pos + length > len(data):
            break
        messages.append(data[pos:pos + length])
        pos += length
    return messages, data[pos:]


class Decoder:
    """Minimal IPFIX message parser: templates of one transport session
    and the record count of each data set."""

    def __init__(self):
        self.templates = {}

    def template_set(self, body, options, out):
        pos = 0
        while pos + 4 <= len(body):
            tid, count = struct.unpack_from("!HH", body, pos)
            pos += 4
            if count == 0:
                out["withdrawn"].append(tid)
                self.templates.pop(tid, None)
                continue
            if options:
                pos += 2  # scope field count
            lengths = []
            for _ in range(count):
                ie, length = struct.unpack_from("!HH", body, pos)
                pos += 8 if ie & 0x8000 else 4
                lengths.append(length)
            self.templates[tid] = lengths
            out["templates"].append(tid)

    def record_count(self, tid, body):
        lengths = self.templates.get(tid)
        if lengths is None:
            return None
        pos = count = 0
        while pos < len(body):
            start = pos
            for length in lengths:
                if length == 0xffff:
                    n = body[pos]
                    pos += 1
                    if n == 255:
                        n = struct.unpack_from("!H", body, pos)[0]
                        pos += 2
                    pos += n
                else:
                    pos += length
            if pos > len(body) or pos == start:
                break
            count += 1
        return count

    def decode(self, msg):
        version, length, export_time, seq, domain = \
            struct.unpack_from("!HHIII", msg)
        out = {"version": version, "len": length, "seq": seq,
               "domain": domain, "templates": [], "withdrawn": [],
               "sets": []}
        pos = 16
        while pos + 4 <= length:
            set_id, set_len = struct.unpack_from("!HH", msg, pos)
            body = msg[pos + 4:pos + set_len]
            if set_id in (2, 3):
                self.template_set(body, set_id == 3, out)
            else:
                out["sets"].append((set_id, self.record_count(set_id,
                                                               body)))
            pos += set_len
        return out


class Collector:
    """TCP (or TLS) collector on 127.0.0.1 in a thread. It can close the
    first connection after close_after messages and stay away for away_s
    seconds; start_after_s delays the first listen."""

    def __init__(self, tls_context=None, close_after=None, away_s=0,
                 start_after_s=0):
        self.tls_context = tls_context
        self.close_after = close_after
        self.away_s = away_s
        self.start_after_s = start_after_s
        self.port = free_tcp_port()
        self.connections = []     # per connection: list of message bytes
        self.errors = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def __enter__(self):
        self.listener = None
        if self.start_after_s == 0:
            self.listener = self.listen()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=15)

    def listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(4)
        s.settimeout(0.1)
        return s

    def accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            conn.settimeout(0.2)
            if self.tls_context is None:
                return conn
            try:
                return self.tls_context.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                self.errors.append(f"TLS accept: {e}")
                conn.close()
        return None

    def serve(self, conn, limit):
        """Read messages until the peer closes, stop is set (then drain
        for a moment) or limit messages arrived."""
        messages, pending = [], b""
        self.connections.append(messages)
        quiet_until = None
        while True:
            if self.stop.is_set() and quiet_until is None:
                quiet_until = time.monotonic() + 0.5
            if quiet_until is not None and time.monotonic() > quiet_until:
                break
            try:
                data = conn.recv(65536)
            except (socket.timeout, ssl.SSLWantReadError):
                continue
            except (ssl.SSLError, OSError) as e:
                self.errors.append(f"read: {e}")
                break
            if not data:
                break
            got, pending = parse_stream_messages(pending + data)
            for m in got:
                messages.append(m)
                if limit is not None and len(messages) >= limit:
                    conn.close()
                    return False
        conn.close()
        return True

    def run(self):
        if self.listener is None:
            time.sleep(self.start_after_s)
            self.listener = self.listen()
        limit = self.close_after
        while not self.stop.is_set():
            conn = self.accept()
            if conn is None:
                break
            if self.serve(conn, limit) or limit is None:
                continue
            # Collector restart: nothing listens while away.
            limit = None
            self.listener.close()
            time.sleep(self.away_s)
            self.listener = self.listen()
        self.listener.close()

    def decoded(self):
        """Per connection, the decoded messages (templates are per
        transport session, so each connection has its own decoder)."""
        result = []
        for messages in self.connections:
            decoder = Decoder()
            result.append([decoder.decode(m) for m in messages])
        return result

    def save(self, path):
        with open(path, "wb") as out:
            for messages in self.connections:
                for m in messages:
                    out.write(m)


def free_tcp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def unique_records(connections):
    """Alert and flow records by sequence number, duplicates dropped as
    the dedup contract in docs/ipfix.md describes: record i of a data
    set in a message with sequence S is number S + i over all data
    records of the message."""
    seen = {}
    dups = 0
    for messages in connections:
        for m in messages:
            number = m["seq"]
            for set_id, count in m["sets"]:
                for _ in range(count or 0):
                    if set_id in RECORD_TIDS:
                        if number in seen:
                            dups += 1
                        seen[number] = set_id
                    number += 1
    return seen, dups


def make_ca(workdir, name):
    """Self-signed CA and a server certificate for 127.0.0.1 and
    localhost, made with the openssl command."""
    ca_key = os.path.join(workdir, f"{name}-ca.key")
    ca_crt = os.path.join(workdir, f"{name}-ca.pem")
    key = os.path.join(workdir, f"{name}-server.key")
    csr = os.path.join(workdir, f"{name}-server.csr")
    crt = os.path.join(workdir, f"{name}-server.pem")
    ext = os.path.join(workdir, f"{name}-ext.cnf")
    run = lambda *cmd: subprocess.run(cmd, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", ca_key, "-out", ca_crt, "-days", "2",
        "-subj", f"/CN=c2wall test CA {name}")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
        "-out", csr, "-subj", "/CN=localhost")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey",
        ca_key, "-CAcreateserial", "-out", crt, "-days", "2",
        "-extfile", ext)
    return ca_crt, crt, key


def server_context(crt, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    return ctx


def check_stream(fail, conns, label, mtu=1400):
    """Each connection starts with the options templates, the type
    records and the data templates, before any alert or flow record;
    versions, domains and the MTU hold everywhere."""
    for c, msgs in enumerate(conns):
        if not fail.check(msgs, f"{label}: connection {c} carried nothing"):
            continue
        where = f"{label}: connection {c}"
        fail.equal(msgs[0]["templates"], OPTIONS_TEMPLATE_IDS,
                   f"{where}: options templates first")
        first_data = next((i for i, m in enumerate(msgs)
                           if any(sid in RECORD_TIDS for sid, _ in m["sets"])),
                          len(msgs))
        head = msgs[:first_data]
        fail.equal(sorted(t for m in head for t in m["templates"]),
                   TEMPLATE_IDS, f"{where}: templates before data")
        fail.equal(sum(n for m in head for sid, n in m["sets"]
                       if sid == TYPE_INFO_TID), len(C2W_NAMES),
                   f"{where}: type records before data")
        for i, m in enumerate(msgs):
            fail.equal((m["version"], m["domain"]), (10, OBSERVATION_DOMAIN),
                       f"{where} message {i}: header")
            fail.check(m["len"] <= mtu, f"{where} message {i}: length")
            fail.check(all(n is not None for _, n in m["sets"]),
                       f"{where} message {i}: data set without a template")


def case_tcp(args, workdir):
    """TCP: every record arrives once, in order, templates first;
    withdrawal at shutdown; ipfixDump reads the stream."""
    fail = Failures()
    with Collector() as col:
        stats, _ = run_harness(args.harness, col.port, "--proto", "tcp",
                               "--count", "600", "--stats-interval", "1")
    conns = col.decoded()
    fail.equal(len(conns), 1, "connections")
    check_stream(fail, conns, "tcp")
    records, dups = unique_records(conns)
    fail.equal(len(records), 600, "records received")
    fail.equal(dups, 0, "duplicate records")
    fail.equal(stats["connects"], 1, "connects")
    fail.equal(stats["records_lost"], 0, "records_lost")
    # Everything the exporter counts as written arrived, withdrawal
    # included (it carries no record).
    fail.equal(sum(len(m) for m in col.connections),
               stats["messages"] + 3, "messages: written + preamble")

    path = os.path.join(workdir, "tcp.ipfix")
    col.save(path)
    dumped = ipfixdump_file(path)
    fail.equal(len(dumped), 600, "ipfixDump records, no element file")
    fail.check(all("c2wIocValue" in f for t, f in dumped if t != 260),
               "ipfixDump names c2wIocValue from the type records")
    return fail.finish("tcp")


def case_tcp_withdrawal(args, workdir):
    """TCP shutdown: the last message withdraws every template."""
    fail = Failures()
    with Collector() as col:
        stats, _ = run_harness(args.harness, col.port, "--proto", "tcp")
    conns = col.decoded()
    if not fail.check(conns and conns[0], "nothing received"):
        return fail.finish("tcp-withdrawal")
    last = conns[0][-1]
    fail.equal(sorted(last["withdrawn"]), TEMPLATE_IDS,
               "withdrawn template IDs")
    fail.equal(last["sets"], [], "withdrawal message carries data")
    records, _ = unique_records(conns)
    fail.equal(last["seq"], max(records) + 1,
               "withdrawal sequence number: next record")
    fail.equal(stats["withdrawals"], 1, "withdrawals")
    return fail.finish("tcp-withdrawal")


def case_tcp_reconnect(args, workdir):
    """Collector restart mid-stream: it closes after 20 messages and is
    away for 1 s. Templates lead the new connection, the resend window
    repeats records with their sequence numbers, and after dropping
    duplicates every record arrived exactly once."""
    fail = Failures()
    count = 600
    with Collector(close_after=20, away_s=1.0) as col:
        stats, stderr = run_harness(args.harness, col.port, "--proto",
                                    "tcp", "--mtu", "512", "--count",
                                    str(count), "--spread-ms", "3000")
    conns = col.decoded()
    fail.equal(len(conns), 2, "connections")
    check_stream(fail, conns, "reconnect", 512)
    records, dups = unique_records(conns)
    fail.equal(len(records), count, "unique records received")
    fail.check(dups > 0, "no record resent after the reconnect")
    fail.equal(sorted(records), list(range(min(records),
                                           min(records) + count))
               if records else [], "record sequence numbers without gaps")
    fail.equal(stats["connects"], 2, "connects")
    fail.equal(stats["disconnects"], 1, "disconnects")
    fail.check(stats["connect_failures"] >= 1,
               "no failed attempt while the collector was away")
    fail.check(stats["messages_resent"] > 0, "messages_resent")
    fail.equal(stats["records_lost"], 0, "records_lost")
    fail.check("connection lost" in stderr, "disconnect not logged")
    return fail.finish("tcp-reconnect")


def case_tcp_overflow(args, workdir):
    """Collector away at start with a 64 KiB buffer: the oldest messages
    are dropped and every lost record is counted."""
    fail = Failures()
    count = 3000
    with Collector(start_after_s=1.2) as col:
        stats, stderr = run_harness(args.harness, col.port, "--proto",
                                    "tcp", "--buffer", "65536", "--count",
                                    str(count), "--spread-ms", "1000")
    conns = col.decoded()
    records, dups = unique_records(conns)
    fail.check(stats["records_lost"] > 0, "no loss with a full buffer")
    fail.check(stats["messages_lost"] > 0, "messages_lost")
    fail.equal(len(records) + stats["records_lost"], count,
               "records received + records_lost")
    fail.equal(dups, 0, "duplicate records")
    if records:
        # Oldest dropped: what arrived is the newest, without a gap.
        fail.equal(max(records) - min(records) + 1, len(records),
                   "received records are contiguous")
    # The preamble's type records are not queued, so they are not in
    # records_exported.
    fail.equal(stats["records_exported"], len(records),
               "records_exported vs received")
    return fail.finish("tcp-overflow")


def case_tls(args, workdir):
    """TLS with peer verification: records arrive through OpenSSL on both
    ends; templates first; withdrawal at the end."""
    fail = Failures()
    ca, crt, key = make_ca(workdir, "good")
    with Collector(tls_context=server_context(crt, key)) as col:
        stats, stderr = run_harness(args.harness, col.port, "--proto",
                                    "tls", "--ca", ca, "--count", "600")
    conns = col.decoded()
    fail.equal(len(conns), 1, "connections")
    check_stream(fail, conns, "tls")
    records, dups = unique_records(conns)
    fail.equal(len(records), 600, "records received")
    fail.equal(stats["connects"], 1, "connects")
    fail.equal(stats["connect_failures"], 0, "connect_failures")
    fail.equal(stats["withdrawals"], 1, "withdrawals")
    fail.equal(col.errors, [], "collector errors")
    return fail.finish("tls")


def case_tls_wrong_ca(args, workdir):
    """A collector certificate from another CA fails the handshake: the
    failure is counted and logged, and no record is delivered."""
    fail = Failures()
    _, crt, key = make_ca(workdir, "server")
    other_ca, _, _ = make_ca(workdir, "other")
    with Collector(tls_context=server_context(crt, key)) as col:
        stats, stderr = run_harness(args.harness, col.port, "--proto",
                                    "tls", "--ca", other_ca, "--count", "60")
    fail.equal(sum(len(m) for m in col.connections), 0,
               "messages delivered")
    fail.equal(stats["connects"], 0, "connects")
    fail.check(stats["connect_failures"] >= 2,
               f"connect_failures {stats['connect_failures']}, want >= 2")
    fail.equal(stats["records_lost"], 60, "records_lost")
    lines = [l for l in stderr.splitlines() if "certificate verify failed" in l]
    fail.check(1 <= len(lines) <= stats["connect_failures"],
               f"{len(lines)} verify failure lines")
    return fail.finish("tls-wrong-ca")


CASES = {
    "records": case_records,
    "message-size": case_message_size,
    "template-refresh": case_template_refresh,
    "tap-mode": case_tap_mode,
    "no-url": case_no_url,
    "send-errors": case_send_errors,
    "refresh-msgs": case_refresh_msgs,
    "type-records": case_type_records,
    "options": case_options,
    "uniflow": case_uniflow,
    "tcp": case_tcp,
    "tcp-withdrawal": case_tcp_withdrawal,
    "tcp-reconnect": case_tcp_reconnect,
    "tcp-overflow": case_tcp_overflow,
    "tls": case_tls,
    "tls-wrong-ca": case_tls_wrong_ca,
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
