#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Throughput of c2wall-collector; not part of any meson suite.

Usage: bench_collector.py [ROUNDS], with C2W_COLLECTOR and C2W_IPFIX_GEN
set. ipfix_gen writes ROUNDS rounds (default 100000) of three records,
two of which become CEF lines. The script prints one line per run:
  file-cef     --input to a CEF file
  tcp-cef      IPFIX over TCP on 127.0.0.1 to a CEF file
  tcp-syslog   IPFIX over TCP to a real rsyslogd over TCP, no spool
  tcp-spool    the same through --spool
  rsyslog      CEF lines framed in advance, sent by Python to rsyslogd
Each rate is records (or lines) divided by wall time from the first byte
sent to the last line on disk.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time

from test_collector import COLLECTOR, GEN, Rsyslog, free_port
from test_delivery import Collector, gen_messages


def count_lines(path):
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(
            lambda: f.read(1 << 20), b""))


def wait_count(path, n, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if count_lines(path) >= n:
            return time.time()
        time.sleep(0.05)
    raise SystemExit("timed out waiting for %d lines in %s" % (n, path))


def report(name, items, unit, seconds):
    print("%-11s %8d %s in %6.2f s: %9.0f %s/s" %
          (name, items, unit, seconds, items / seconds, unit))


def send_stream(port, msgs):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"".join(msgs))
    sock.close()


def bench_file(tmp, path, records):
    cef = os.path.join(tmp, "file.cef")
    t0 = time.time()
    subprocess.run([COLLECTOR, "--input", path, "--cef", cef], check=True,
                   capture_output=True)
    report("file-cef", records, "records", time.time() - t0)


def bench_tcp_cef(tmp, msgs, records, lines):
    port = free_port(socket.SOCK_STREAM)
    cef = os.path.join(tmp, "tcp.cef")
    col = Collector(["--listen", "tcp://127.0.0.1:%d" % port, "--cef", cef])
    t0 = time.time()
    send_stream(port, msgs)
    t1 = wait_count(cef, lines)
    col.stop()
    report("tcp-cef", records, "records", t1 - t0)


def bench_tcp_syslog(tmp, msgs, records, lines, spool):
    rs = Rsyslog(tmp, "tcp")
    port = free_port(socket.SOCK_STREAM)
    args = ["--listen", "tcp://127.0.0.1:%d" % port, "--syslog",
            "tcp://127.0.0.1:%d" % rs.port]
    if spool:
        args += ["--spool", os.path.join(tmp, "spool")]
    col = Collector(args)
    t0 = time.time()
    send_stream(port, msgs)
    t1 = wait_count(rs.out, lines)
    c = col.stop()
    rs.stop()
    report("tcp-spool" if spool else "tcp-syslog", records, "records",
           t1 - t0)
    if c.get("syslog_sent") != lines:
        print("  note: syslog_sent=%s dropped_syslog_down=%s" %
              (c.get("syslog_sent"), c.get("dropped_syslog_down")))


def bench_rsyslog(tmp, lines):
    rs = Rsyslog(tmp, "tcp")
    msg = ("<164>Dec  4 16:00:00 host CEF:0|c2wall|c2wall|0.1.0|100|C2 "
           "connection blocked|10|act=blocked cat=c2wall/alert "
           "src=192.0.2.10 dst=198.51.100.7 spt=49152 dpt=2404 proto=TCP "
           "cs1=198.51.100.7:2404 cs1Label=IOCValue cs3=Remcos "
           "cs3Label=Malware cn1=100 cn1Label=Confidence").encode()
    frame = b"%d %s" % (len(msg), msg)
    data = frame * lines
    t0 = time.time()
    sock = socket.create_connection(("127.0.0.1", rs.port))
    sock.sendall(data)
    sock.close()
    t1 = wait_count(rs.out, lines)
    rs.stop()
    report("rsyslog", lines, "lines", t1 - t0)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    with tempfile.TemporaryDirectory(prefix="c2w-bench-") as tmp:
        path, msgs = gen_messages(tmp, "bench.ipfix", rounds)
        records, lines = 3 * rounds, 2 * rounds
        bench_file(tmp, path, records)
        bench_tcp_cef(tmp, msgs, records, lines)
        bench_tcp_syslog(os.path.join(tmp, "a"), msgs, records, lines,
                         False)
        bench_tcp_syslog(os.path.join(tmp, "b"), msgs, records, lines,
                         True)
        bench_rsyslog(os.path.join(tmp, "c"), lines)


if __name__ == "__main__":
    main()
