#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""c2wall-collector against IPFIX of other exporters, from tests/data/cases.

Usage: test_cases.py CASE, with C2W_COLLECTOR set. Each case reads the
messages from the .hex file (one message per line), checks that the .pcap
carries the same UDP payloads, and feeds them once through --input and
once over UDP on 127.0.0.1. It prints what it checks and exits non-zero
if a check failed.
"""

import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

from test_collector import (COLLECTOR, cef_body, check, counters, free_port,
                            read_lines, run)
import test_collector

CASES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "..", "data", "cases")
GENERIC = "102|Flow ended|1|act=none cat=c2wall/flow_end "
RT = "rt=1700000100000"


def hex_messages(path):
    with open(path) as f:
        return [bytes.fromhex(line) for line in f if line.strip()]


def pcap_payloads(path):
    """UDP payloads of an Ethernet/IPv4 pcap, in capture order."""
    with open(path, "rb") as f:
        data = f.read()
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xa1b2c3d4 and linktype == 1, "not an Ethernet pcap"
    out, off = [], 24
    while off < len(data):
        incl = struct.unpack("<IIII", data[off:off + 16])[2]
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ihl = (pkt[14] & 0x0f) * 4
        udp = 14 + ihl
        length = struct.unpack("!H", pkt[udp + 4:udp + 6])[0]
        out.append(pkt[udp + 8:udp + length])
    return out


def load_case(directory, stem):
    base = os.path.join(CASES_DIR, directory, stem)
    msgs = hex_messages(base + ".hex")
    check(pcap_payloads(base + ".pcap") == msgs,
          "%s: pcap payloads equal the hex messages" % stem)
    return msgs


def run_input(tmp, msgs, *extra):
    """Run the collector on the messages as an IPFIX file."""
    path = os.path.join(tmp, "in.ipfix")
    with open(path, "wb") as f:
        f.write(b"".join(msgs))
    r = run([COLLECTOR, "--input", path, *extra])
    check(r.returncode == 0, "--input exits 0", r.stderr)
    return r.stdout.splitlines(), counters(r.stderr), r.stderr


def run_udp(tmp, msgs, expect_lines, *extra):
    """Send the messages as datagrams from one socket; SIGTERM once the
    expected number of lines is written."""
    port = free_port(socket.SOCK_DGRAM)
    cef = os.path.join(tmp, "udp.cef")
    if os.path.exists(cef):
        os.unlink(cef)
    proc = subprocess.Popen(
        [COLLECTOR, "--listen", "udp://127.0.0.1:%d" % port, "--cef", cef,
         *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()
    check("listening on udp://" in first, "UDP: collector listening", first)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for m in msgs:
            s.sendto(m, ("127.0.0.1", port))
            time.sleep(0.01)
    deadline = time.time() + 10
    lines = []
    while time.time() < deadline:
        lines = read_lines(cef) if os.path.exists(cef) else []
        if len(lines) >= expect_lines:
            break
        time.sleep(0.05)
    time.sleep(0.2)
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    check(proc.returncode == 0, "UDP: exits 0 on SIGTERM", err)
    return read_lines(cef), counters(first + err)


def check_lines(what, lines, want):
    check(len(lines) == len(want), "%s: %d lines" % (what, len(want)), lines)
    for i, (line, body) in enumerate(zip(lines, want)):
        check(cef_body(line) == body, "%s: line %d exact" % (what, i + 1),
              line)


def both_inputs(tmp, msgs, want, what):
    lines, c, _ = run_input(tmp, msgs, "--all-flows")
    check_lines(what + " file", lines, want)
    udp_lines, uc = run_udp(tmp, msgs, len(want), "--all-flows")
    check_lines(what + " UDP", udp_lines, want)
    return c, uc


def case_reduced_size(tmp):
    msgs = load_case("reduced-size", "counters_reduced_size")
    want = [
        GENERIC + "src=192.0.2.50 dst=198.51.100.50 spt=50001 dpt=443 "
        "proto=TCP in=74565 cn2=50 cn2Label=SrcPackets " + RT,
        GENERIC + "src=192.0.2.51 dst=198.51.100.51 spt=50002 dpt=443 "
        "proto=TCP in=5000000000 cn2=3500000 cn2Label=SrcPackets " + RT,
        GENERIC + "src=192.0.2.52 dst=198.51.100.52 spt=50003 dpt=22 "
        "proto=TCP in=900 " + RT + " flexString2=SYN,ACK "
        "flexString2Label=TcpFlags",
    ]
    c, uc = both_inputs(tmp, msgs, want, "reduced size")
    for label, cnt in (("file", c), ("UDP", uc)):
        check(cnt.get("records") == 3 and cnt.get("malformed") == 0,
              "reduced size %s: 3 records, nothing malformed" % label, cnt)

    # Generic records need --all-flows; JSON keeps the 64-bit count.
    lines, c, _ = run_input(tmp, msgs)
    check(lines == [] and c.get("filtered") == 3,
          "reduced size: filtered without --all-flows", c)
    lines, c, _ = run_input(tmp, msgs, "--all-flows", "--json", "-")
    events = [json.loads(x) for x in lines]
    check([e.get("SrcBytes") for e in events] == [74565, 5000000000, 900],
          "reduced size JSON: SrcBytes", events)
    check([e.get("SrcPackets") for e in events] == [50, 3500000, None],
          "reduced size JSON: SrcPackets, absent on the third", events)
    check(events[2].get("TcpFlags") == "SYN,ACK" and
          "DstBytes" not in events[0],
          "reduced size JSON: TCP flags, no reverse bytes", events)


def case_biflow(tmp):
    msgs = load_case("biflow", "biflow_reverse_pen")
    fwd = (GENERIC + "src=192.0.2.10 dst=198.51.100.20 spt=50000 dpt=443 "
           "proto=TCP in=1200 out=48000 cn2=10 cn2Label=SrcPackets cn3=40 "
           "cn3Label=DstPackets " + RT)
    c, uc = both_inputs(tmp, msgs, [fwd], "biflow")
    # The PEN 32473 element 2 is a c2wall string; 0xdeadbeef is no UTF-8.
    check(c.get("invalid_strings") == 1 and c.get("malformed") == 0,
          "biflow: 4-byte enterprise value left out, nothing malformed", c)

    # biflowDirection sits before the last element; 2 (reverseInitiator)
    # swaps the sides so src stays the initiator.
    rec = msgs[0]
    pos = rec.rindex(b"\xde\xad\xbe\xef") - 1
    check(rec[pos] == 1, "biflow: biflowDirection 1 in the record")
    rev = rec[:pos] + b"\x02" + rec[pos + 1:]
    lines, c, _ = run_input(tmp, [rev], "--all-flows")
    check_lines("biflow reversed", lines, [
        GENERIC + "src=198.51.100.20 dst=192.0.2.10 spt=443 dpt=50000 "
        "proto=TCP in=48000 out=1200 cn2=40 cn2Label=SrcPackets cn3=10 "
        "cn3Label=DstPackets " + RT])

    # An element the collector does not know is skipped by its length:
    # make it PEN 32473 element 255.
    tpl = rec.index(b"\x80\x02\x00\x04\x00\x00\x7e\xd9")
    unknown = rec[:tpl] + b"\x80\xff" + rec[tpl + 2:]
    lines, c, _ = run_input(tmp, [unknown], "--all-flows")
    check_lines("biflow unknown element", lines, [fwd])
    check(c.get("invalid_strings") == 0, "biflow: unknown element skipped",
          c)


def case_template_redefinition(tmp):
    msgs = load_case("template-redefinition", "invalid_redefinition")
    want = [
        GENERIC + "src=192.0.2.20 dst=198.51.100.30 dpt=443 in=1000 " + RT,
        GENERIC + "src=192.0.2.22 dst=198.51.100.32 spt=40003 dpt=8081 "
        "cn2=4 cn2Label=SrcPackets " + RT,
    ]
    c, uc = both_inputs(tmp, msgs, want, "redefinition")
    for label, cnt in (("file", c), ("UDP", uc)):
        check(cnt.get("malformed_bad_template") == 1,
              "redefinition %s: bad template counted" % label, cnt)
        check(cnt.get("malformed_unknown_template") == 1,
              "redefinition %s: data of the dropped template counted" %
              label, cnt)
        check(cnt.get("records") == 2,
              "redefinition %s: only M1 and M4 decoded" % label, cnt)
    lines, _, err = run_input(tmp, msgs, "--all-flows")
    check(not any("40002" in x or "8080" in x for x in lines),
          "redefinition: M3 not decoded with the old layout", lines)
    check("template 300: 5 fields declared, 3 fit in the set; template "
          "dropped" in err, "redefinition: reason reported", err)


def case_varlen_padding(tmp):
    msgs = load_case("varlen-padding", "varlen_padding")
    name = "port-" + "x" * 295
    want = [
        GENERIC + "src=192.0.2.30 dst=198.51.100.40 dpt=443 " + RT +
        " flexString1=eth0 flexString1Label=InterfaceName cs1=C2:test "
        "cs1Label=IOCValue",
        GENERIC + "src=192.0.2.31 dst=198.51.100.41 dpt=80 " + RT +
        " flexString1=" + name + " flexString1Label=InterfaceName "
        "cs1=a|b\\=c\\\\d cs1Label=IOCValue",
        GENERIC + "src=192.0.2.32 dst=198.51.100.42 dpt=53 " + RT,
    ]
    c, uc = both_inputs(tmp, msgs, want, "varlen")
    for label, cnt in (("file", c), ("UDP", uc)):
        check(cnt.get("records") == 3 and cnt.get("malformed") == 0,
              "varlen %s: 3 records, padding ignored" % label, cnt)
    lines, c, _ = run_input(tmp, msgs, "--all-flows", "--json", "-")
    events = [json.loads(x) for x in lines]
    check(len(events) == 3 and len(events[1].get("InterfaceName", "")) ==
          300, "varlen JSON: 300-byte name intact", events)
    check(events[1].get("ThreatIocValue") == "a|b=c\\d",
          "varlen JSON: value unescaped", events[1])
    check("InterfaceName" not in events[2] and
          "ThreatIocValue" not in events[2], "varlen JSON: empties empty",
          events[2])

    # Padding must be zero (RFC 7011 3.3.1); other octets after the last
    # record are a cut record.
    bad = msgs[0][:-3] + b"\x00\x07\x00"
    lines, c, _ = run_input(tmp, [bad], "--all-flows")
    check(len(lines) == 3 and c.get("malformed_short_record") == 1,
          "varlen: non-zero padding counted as a short record", c)


CASES = {
    "reduced_size": case_reduced_size,
    "biflow": case_biflow,
    "template_redefinition": case_template_redefinition,
    "varlen_padding": case_varlen_padding,
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: test_cases.py " + "|".join(CASES))
    with tempfile.TemporaryDirectory(prefix="c2w-cases-") as tmp:
        CASES[sys.argv[1]](tmp)
    print("%s: %d failed" % (sys.argv[1], test_collector.failures))
    sys.exit(1 if test_collector.failures else 0)


if __name__ == "__main__":
    main()
