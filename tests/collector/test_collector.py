#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of c2wall-collector against real libfixbuf input and a real rsyslogd.

Usage: test_collector.py CASE, with C2W_COLLECTOR and C2W_IPFIX_GEN set to
the built programs. Every socket is on loopback. Each case prints what it
checks and exits non-zero on the first failed check.
"""

import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

COLLECTOR = os.environ.get("C2W_COLLECTOR", "c2wall-collector")
GEN = os.environ.get("C2W_IPFIX_GEN", "ipfix_gen")
RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"

# CEF lines for the generator's records after the header's version field.
ALERT_V4 = (
    "100|C2 connection blocked|10|act=blocked cat=c2wall/alert "
    "src=192.0.2.10 dst=198.51.100.7 spt=49152 dpt=2404 proto=TCP in=60 "
    "out=0 cn2=1 cn2Label=SrcPackets cn3=0 cn3Label=DstPackets "
    "start=1700000000000 end=1700000000000 rt=1700000000000 "
    "deviceInboundInterface=0 deviceOutboundInterface=1 "
    "cs1=198.51.100.7:2404 cs1Label=IOCValue cs2=botnet_cc "
    "cs2Label=ThreatType cs3=Remcos cs3Label=Malware cs4=1234567 "
    "cs4Label=IOCId cs5=rat|c2\\=yes\\\\win cs5Label=Tags "
    "cs6=https://threatfox.abuse.ch/ioc/1234567/ cs6Label=Reference "
    "cn1=100 cn1Label=Confidence msg=Remcos botnet_cc indicator "
    "198.51.100.7:2404 matched destination")
FLOW_V6 = (
    "101|C2 connection alerted|8|act=alerted cat=c2wall/flow_end "
    "src=2001:db8::1 dst=2001:db8:1::53 c6a2=2001:db8::1 "
    "c6a2Label=Source IPv6 Address c6a3=2001:db8:1::53 "
    "c6a3Label=Destination IPv6 Address spt=5353 dpt=53 proto=UDP in=1200 "
    "out=3400 cn2=10 cn2Label=SrcPackets cn3=8 cn3Label=DstPackets "
    "start=1700000001000 end=1700000031500 rt=1700000031500 "
    "deviceInboundInterface=1 deviceOutboundInterface=0 "
    "cs1=2001:db8:1::53 cs1Label=IOCValue cs2=botnet_cc "
    "cs2Label=ThreatType cs3=AsyncRAT cs3Label=Malware cs4=7654321 "
    "cs4Label=IOCId cn1=80 cn1Label=Confidence reason=idle timeout "
    "msg=AsyncRAT botnet_cc indicator 2001:db8:1::53 matched destination")
FLOW_PLAIN = (
    "102|Flow ended|1|act=none cat=c2wall/flow_end src=192.0.2.20 "
    "dst=203.0.113.9 proto=ICMP in=84 out=84 cn2=1 cn2Label=SrcPackets "
    "cn3=1 cn3Label=DstPackets start=1700000002000 end=1700000002040 "
    "rt=1700000002040 deviceInboundInterface=0 deviceOutboundInterface=0 "
    "reason=idle timeout")

failures = 0


def check(cond, what, detail=""):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1
        if detail:
            print("     " + str(detail)[:2000])
    return cond


def run(args, timeout=20, **kw):
    return subprocess.run(args, capture_output=True, text=True,
                          timeout=timeout, **kw)


def counters(stderr):
    m = re.search(r"c2wall-collector: (messages=.*)$", stderr, re.M)
    if not m:
        return {}
    return {k: int(v) for k, v in
            (p.split("=") for p in m.group(1).split())}


def cef_body(line):
    """Header and extension after the version field."""
    m = re.match(r"CEF:0\|c2wall\|c2wall\|[^|]+\|(.*)$", line)
    return m.group(1) if m else None


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gen_file(tmp, name="in.ipfix", *extra):
    path = os.path.join(tmp, name)
    r = run([GEN, "--file", path, *extra])
    if r.returncode != 0:
        sys.exit("ipfix_gen failed: " + r.stderr)
    return path


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def case_file(tmp):
    src = gen_file(tmp)
    cef = os.path.join(tmp, "out.cef")
    js = os.path.join(tmp, "out.json")
    r = run([COLLECTOR, "--input", src, "--cef", cef, "--json", js])
    check(r.returncode == 0, "file input exits 0", r.stderr)
    lines = read_lines(cef)
    check(len(lines) == 2, "two events: alert and IOC flow end", lines)
    if len(lines) == 2:
        check(cef_body(lines[0]) == ALERT_V4, "IPv4 alert line exact",
              lines[0])
        check(cef_body(lines[1]) == FLOW_V6, "IPv6 flow end line exact",
              lines[1])
    c = counters(r.stderr)
    check(c.get("records") == 3, "three c2wall records", c)
    check(c.get("other_records") == 1, "options record skipped", c)
    check(c.get("filtered") == 1, "flow without IOC filtered", c)
    check(c.get("malformed") == 0, "nothing malformed", c)

    events = [json.loads(x) for x in read_lines(js)]
    check(len(events) == 2, "two JSON lines", events)
    if len(events) == 2:
        a, f = events
        want_a = {
            "EventType": "alert", "DvcAction": "Drop",
            "DvcOriginalAction": "blocked", "SrcIpAddr": "192.0.2.10",
            "DstIpAddr": "198.51.100.7", "SrcPortNumber": 49152,
            "DstPortNumber": 2404, "NetworkProtocol": "TCP",
            "ThreatName": "Remcos", "ThreatConfidence": 100,
            "ThreatIocValue": "198.51.100.7:2404",
            "ThreatIocId": "1234567", "ThreatType": "botnet_cc",
            "ThreatIocTags": "rat|c2=yes\\win", "SrcBytes": 60,
            "DstBytes": 0, "SrcPackets": 1, "DstPackets": 0,
            "EventStartTime": "2023-11-14T22:13:20.000Z",
            "EventEndTime": "2023-11-14T22:13:20.000Z",
            "ThreatFirstReportedTime": "2023-11-14T19:26:40.000Z",
        }
        for k, v in want_a.items():
            check(a.get(k) == v, "alert JSON %s" % k, a.get(k))
        want_f = {
            "EventType": "flow_end", "DvcAction": "Allow",
            "SrcIpAddr": "2001:db8::1", "DstIpAddr": "2001:db8:1::53",
            "NetworkProtocol": "UDP", "NetworkProtocolVersion": "IPv6",
            "SrcBytes": 1200, "DstBytes": 3400, "SrcPackets": 10,
            "DstPackets": 8, "ThreatConfidence": 80,
            "EventStartTime": "2023-11-14T22:13:21.000Z",
            "EventEndTime": "2023-11-14T22:13:51.500Z",
            "FlowEndReason": "idle timeout",
        }
        for k, v in want_f.items():
            check(f.get(k) == v, "flow JSON %s" % k, f.get(k))

    r = run([COLLECTOR, "--input", src, "--all-flows"])
    out = r.stdout.splitlines()
    check(len(out) == 3, "--all-flows writes 3 lines to stdout", out)
    if len(out) == 3:
        check(cef_body(out[2]) == FLOW_PLAIN, "plain flow line exact",
              out[2])
    with open(src, "rb") as f:
        r = subprocess.run([COLLECTOR, "--input", "-"], stdin=f,
                           capture_output=True, text=True, timeout=20)
    check(len(r.stdout.splitlines()) == 2, "--input - reads stdin", r.stdout)


def start_collector(args):
    """Start a UDP collector and wait for its "listening on" line."""
    proc = subprocess.Popen([COLLECTOR, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()
    check("listening on udp://" in first, "collector reports listening",
          first)
    return proc


def feed_until_exit(proc, send, timeout=15):
    """Call send() until the collector exits; it may not be bound yet."""
    deadline = time.time() + timeout
    while proc.poll() is None and time.time() < deadline:
        send()
        time.sleep(0.2)
    if proc.poll() is None:
        proc.kill()
    return proc.communicate()


def case_udp(tmp):
    for host, url_host in (("127.0.0.1", "127.0.0.1"), ("::1", "[::1]")):
        port = free_port(socket.SOCK_DGRAM)
        cef = os.path.join(tmp, "udp.cef")
        if os.path.exists(cef):
            os.unlink(cef)
        proc = start_collector(["--listen", "udp://%s:%d" % (url_host, port),
                                "--cef", cef, "--count", "3"])
        out, err = feed_until_exit(proc, lambda: run(
            [GEN, "--udp", "%s:%d" % (host, port)]))
        check(proc.returncode == 0, "UDP %s: exits after --count" % host,
              err)
        lines = read_lines(cef)
        check(len(lines) >= 2, "UDP %s: events written" % host, lines)
        if len(lines) >= 2:
            check(cef_body(lines[0]) == ALERT_V4,
                  "UDP %s: alert line exact" % host, lines[0])
            check(cef_body(lines[1]) == FLOW_V6,
                  "UDP %s: flow line exact" % host, lines[1])
        check(counters(err).get("records") == 3,
              "UDP %s: 3 records counted" % host, err)

    # SIGTERM flushes and prints the counters.
    port = free_port(socket.SOCK_DGRAM)
    proc = start_collector(["--listen", "udp://127.0.0.1:%d" % port])
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    check(proc.returncode == 0, "SIGTERM: exits 0", err)
    check("messages=0" in err, "SIGTERM: counters printed", err)


RSYSLOG_CONF = """
global(workDirectory="{dir}" maxMessageSize="8k")
module(load="im{proto}")
input(type="im{proto}" port="{port}" address="127.0.0.1")
template(name="raw" type="string"
         string="%syslogfacility-text% %syslogseverity% %rawmsg%\\n")
*.* action(type="omfile" file="{dir}/out.log" template="raw")
"""


class Rsyslog:
    """Own rsyslogd in the foreground: own config, pid file, work dir."""

    def __init__(self, tmp, proto):
        self.dir = os.path.join(tmp, "rsyslog-" + proto)
        os.makedirs(self.dir, exist_ok=True)
        kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        self.port = free_port(kind)
        self.out = os.path.join(self.dir, "out.log")
        conf = os.path.join(self.dir, "rsyslog.conf")
        with open(conf, "w") as f:
            f.write(RSYSLOG_CONF.format(dir=self.dir, proto=proto,
                                        port=self.port))
        self.proc = subprocess.Popen(
            [RSYSLOGD, "-n", "-f", conf, "-i",
             os.path.join(self.dir, "rsyslogd.pid")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.wait_ready(proto)

    def wait_ready(self, proto):
        deadline = time.time() + 10
        while time.time() < deadline:
            if proto == "tcp":
                try:
                    socket.create_connection(("127.0.0.1", self.port),
                                             timeout=0.2).close()
                    return
                except OSError:
                    pass
            elif os.path.exists(os.path.join(self.dir, "rsyslogd.pid")):
                time.sleep(0.5)
                return
            time.sleep(0.1)
        sys.exit("rsyslogd did not start")

    def lines(self, count, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(self.out):
                got = read_lines(self.out)
                if len(got) >= count:
                    return got
            time.sleep(0.1)
        return read_lines(self.out) if os.path.exists(self.out) else []

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


RFC3164 = re.compile(
    r"^(\S+) (\d) <(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ (CEF:0\|.*)$")
RFC5424 = re.compile(
    r"^(\S+) (\d) <(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ "
    r"c2wall-collector \d+ - - (CEF:0\|.*)$")


def syslog_case(tmp, proto):
    src = gen_file(tmp)
    rs = Rsyslog(tmp, proto)
    try:
        for fmt, regex in (("3164", RFC3164), ("5424", RFC5424)):
            before = len(rs.lines(0, timeout=0))
            r = run([COLLECTOR, "--input", src, "--syslog",
                     "%s://127.0.0.1:%d" % (proto, rs.port),
                     "--syslog-format", fmt])
            check(r.returncode == 0, "%s %s: collector exits 0" % (proto, fmt),
                  r.stderr)
            c = counters(r.stderr)
            check(c.get("syslog_sent") == 2 and c.get("send_errors") == 0,
                  "%s %s: 2 sent, no send errors" % (proto, fmt), c)
            got = rs.lines(before + 2)[before:]
            check(len(got) == 2, "%s %s: rsyslog got 2 messages" %
                  (proto, fmt), got)
            for line, want in zip(got, (ALERT_V4, FLOW_V6)):
                m = regex.match(line)
                check(m is not None, "%s %s: header parsed" % (proto, fmt),
                      line)
                if m is None:
                    continue
                check(m.group(1) == "local4", "%s %s: facility local4" %
                      (proto, fmt), m.group(1))
                check(m.group(3) == "164", "%s %s: PRI 164 (local4 warning)"
                      % (proto, fmt), m.group(3))
                check(cef_body(m.group(4)) == want,
                      "%s %s: CEF line intact, escapes kept" % (proto, fmt),
                      m.group(4))
        # A long record is cut so the whole message fits 8 KiB.
        long_src = gen_file(tmp, "long.ipfix", "--long", "12000")
        before = len(rs.lines(0, timeout=0))
        r = run([COLLECTOR, "--input", long_src, "--syslog",
                 "%s://127.0.0.1:%d" % (proto, rs.port)])
        got = rs.lines(before + 3)[before:]
        check(len(got) == 3, "%s: long record arrives" % proto, got)
        if len(got) == 3:
            m = RFC3164.match(got[2])
            raw = got[2].split(" ", 2)[2]
            check(m is not None and len(raw.encode()) <= 8192,
                  "%s: long message within 8192 bytes" % proto, len(raw))
            check(m is not None and "R[cut] cs6Label=Reference " in got[2],
                  "%s: reference cut with marker" % proto)
    finally:
        rs.stop()


def case_syslog_tcp(tmp):
    syslog_case(tmp, "tcp")


def case_syslog_udp(tmp):
    syslog_case(tmp, "udp")


def split_messages(data):
    msgs, off = [], 0
    while off < len(data):
        length = struct.unpack("!H", data[off + 2:off + 4])[0]
        msgs.append(data[off:off + length])
        off += length
    return msgs


def case_malformed(tmp):
    with open(gen_file(tmp), "rb") as f:
        msgs = split_messages(f.read())
    check(len(msgs) == 2, "generator wrote templates and data messages")
    tmpl, data = msgs[0], msgs[1]
    bad_set = bytearray(data)
    struct.pack_into("!H", bad_set, 18, 0xfff0)       # set length too long
    unknown = bytearray(data)
    struct.pack_into("!H", unknown, 16, 999)          # no template 999
    bad_len = bytearray(data)
    struct.pack_into("!H", bad_len, 2, 10)            # length below 16
    garbage = bytes(range(7, 200, 3))
    blob = (garbage + tmpl + data + bytes(bad_set) + bytes(unknown) +
            bytes(bad_len) + data + data[:len(data) // 2])
    path = os.path.join(tmp, "bad.ipfix")
    with open(path, "wb") as f:
        f.write(blob)
    cef = os.path.join(tmp, "bad.cef")
    r = run([COLLECTOR, "--input", path, "--cef", cef])
    check(r.returncode == 0, "malformed file: exits 0, no crash",
          "rc=%d %s" % (r.returncode, r.stderr))
    c = counters(r.stderr)
    check(c.get("malformed", 0) >= 3, "malformed file: malformed counted", c)
    lines = read_lines(cef)
    bodies = [cef_body(x) for x in lines]
    check(bodies.count(ALERT_V4) >= 2 and bodies.count(FLOW_V6) >= 2,
          "malformed file: valid messages still written", lines)
    check(all(b is not None for b in bodies), "malformed file: lines valid",
          lines)

    # The same damage over UDP, then valid data.
    port = free_port(socket.SOCK_DGRAM)
    proc = start_collector(["--listen", "udp://127.0.0.1:%d" % port,
                            "--cef", os.path.join(tmp, "badudp.cef"),
                            "--count", "3"])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def send():
        for dgram in (garbage, tmpl, bytes(bad_set), bytes(unknown),
                      data[:len(data) // 2], b"\x00\x0a\x00"):
            sock.sendto(dgram, ("127.0.0.1", port))
        run([GEN, "--udp", "127.0.0.1:%d" % port])

    out, err = feed_until_exit(proc, send)
    sock.close()
    check(proc.returncode == 0, "malformed UDP: exits 0 after valid data",
          "rc=%s %s" % (proc.returncode, err))
    c = counters(err)
    check(c.get("malformed", 0) >= 1, "malformed UDP: malformed counted", c)


def case_cut(tmp):
    src = gen_file(tmp, "long.ipfix", "--long", "12000")
    for limit in (8192, 2048):
        r = run([COLLECTOR, "--input", src, "--max-line", str(limit)])
        lines = r.stdout.splitlines()
        check(len(lines) == 3, "cut %d: three lines" % limit, lines)
        if len(lines) == 3:
            check(len(lines[2].encode()) == limit,
                  "cut %d: long line is exactly the limit" % limit,
                  len(lines[2]))
            check("R[cut] cs6Label=Reference " in lines[2],
                  "cut %d: marker after the cut value" % limit)
            check(lines[2].endswith("matched destination"),
                  "cut %d: short msg kept whole" % limit)
        check(counters(r.stderr).get("cut") == 1, "cut %d: counted" % limit)


def case_options(tmp):
    r = run([COLLECTOR, "--help"])
    check(r.returncode == 0 and "--syslog-format" in r.stdout,
          "--help exits 0 and lists options")
    for args, needle in ((["--max-line", "100"], "--max-line 100"),
                         (["--listen", "sctp://127.0.0.1:1"], "--listen"),
                         (["--spool", "x"], "--spool needs"),
                         (["--spool-max", "10"], "--spool-max 10"),
                         (["--facility", "local9"], "--facility local9"),
                         (["--syslog-format", "1"], "--syslog-format 1"),
                         (["--input", "x", "--listen", "udp://[::]:1"],
                          "exclusive")):
        r = run([COLLECTOR, *args])
        check(r.returncode == 2 and needle in r.stderr,
              "rejects %s with exit 2" % " ".join(args), r.stderr)
    r = run([COLLECTOR, "--input", os.path.join(tmp, "missing.ipfix")])
    check(r.returncode == 1 and "cannot open" in r.stderr,
          "missing input file exits 1", r.stderr)
    src = gen_file(tmp)
    r = run([COLLECTOR, "--input", src, "--count", "1"])
    c = counters(r.stderr)
    check(c.get("records") == 1 and len(r.stdout.splitlines()) == 1,
          "--count 1 stops after one record", c)
    # Another PEN hides the c2wall elements: no indicator fields remain.
    r = run([COLLECTOR, "--input", src, "--pen", "99999", "--all-flows"])
    check(r.returncode == 0 and "cs1=" not in r.stdout and
          "act=blocked" in r.stdout,
          "--pen mismatch: no IOC keys, action from firewallEvent",
          r.stdout)


CASES = {
    "file": case_file,
    "udp": case_udp,
    "syslog_tcp": case_syslog_tcp,
    "syslog_udp": case_syslog_udp,
    "malformed": case_malformed,
    "cut": case_cut,
    "options": case_options,
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: test_collector.py " + "|".join(CASES))
    with tempfile.TemporaryDirectory(prefix="c2w-coll-") as tmp:
        CASES[sys.argv[1]](tmp)
    print("%s: %d failed" % (sys.argv[1], failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
