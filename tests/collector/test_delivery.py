#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Delivery tests of c2wall-collector: IPFIX over TCP and TLS, duplicate
records of a resent window, and the syslog spool across rsyslog outages
and collector crashes.

Usage: test_delivery.py CASE, with C2W_COLLECTOR and C2W_IPFIX_GEN set.
The exporters are small Python senders that frame the messages ipfix_gen
writes with libfixbuf; TLS runs through Python's ssl module (OpenSSL)
with certificates made by the openssl command at test time; syslog goes
to a real rsyslogd. Every socket is on loopback: exporters bind to
127.0.0.2 and 127.0.0.3 so the collector sees two exporter addresses.
"""

import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

from test_collector import (COLLECTOR, GEN, Rsyslog, cef_body, check,
                            counters, free_port, read_lines, run)
import test_collector

EXPORTER_A = "127.0.0.2"
EXPORTER_B = "127.0.0.3"


def gen_messages(tmp, name, rounds, base=0):
    """IPFIX messages of ipfix_gen: templates first, then one data message
    per round with two written records and one filtered flow."""
    path = os.path.join(tmp, name)
    r = run([GEN, "--file", path, "--rounds", str(rounds), "--unique",
             "--round-base", str(base)])
    if r.returncode != 0:
        sys.exit("ipfix_gen failed: " + r.stderr)
    with open(path, "rb") as f:
        data = f.read()
    msgs, off = [], 0
    while off < len(data):
        length = struct.unpack("!H", data[off + 2:off + 4])[0]
        msgs.append(data[off:off + length])
        off += length
    return path, msgs


def expected_lines(path):
    """CEF bodies the collector writes for an IPFIX file."""
    r = run([COLLECTOR, "--input", path])
    return [cef_body(x) for x in r.stdout.splitlines()]


class Collector:
    """c2wall-collector with its stderr read in the background."""

    def __init__(self, args, listeners=1):
        self.proc = subprocess.Popen([COLLECTOR, *args],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.err = []
        self.ready = threading.Event()
        self.listeners = listeners
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        check(self.ready.wait(10), "collector listening", self.text())

    def _read(self):
        for line in self.proc.stderr:
            self.err.append(line)
            if sum("listening on" in x for x in self.err) >= self.listeners:
                self.ready.set()

    def text(self):
        return "".join(self.err)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=20)
        self.thread.join(timeout=5)
        return counters(self.text())


def connect(port, source, tls=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    if tls is not None:
        sock = tls.wrap_socket(sock, server_hostname="127.0.0.1")
    return sock


def send_all(port, msgs, source=EXPORTER_A, tls=None, pause=0.0):
    sock = connect(port, source, tls)
    for m in msgs:
        sock.sendall(m)
        if pause:
            time.sleep(pause)
    sock.close()


def wait_lines(path, count, timeout=20):
    deadline = time.time() + timeout
    lines = []
    while time.time() < deadline:
        lines = read_lines(path) if os.path.exists(path) else []
        if len(lines) >= count:
            break
        time.sleep(0.05)
    return lines


def peer_closed(sock, timeout=5):
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except OSError:
        return False


def case_tcp(tmp):
    path_a, msgs_a = gen_messages(tmp, "a.ipfix", 30)
    path_b, msgs_b = gen_messages(tmp, "b.ipfix", 30, base=1000)
    want_a, want_b = expected_lines(path_a), expected_lines(path_b)
    port = free_port(socket.SOCK_STREAM)
    cef = os.path.join(tmp, "out.cef")
    col = Collector(["--listen", "tcp://127.0.0.1:%d" % port, "--cef", cef])

    # A peer that stops inside a message must not hold up the others.
    stalled = connect(port, EXPORTER_A)
    stalled.sendall(msgs_a[1][:10])
    garbage = connect(port, EXPORTER_A)
    garbage.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    bad_len = connect(port, EXPORTER_B)
    bad_len.sendall(b"\x00\x0a\x00\x08" + b"\x00" * 12)
    check(peer_closed(garbage), "TCP: peer sending garbage disconnected")
    check(peer_closed(bad_len), "TCP: peer with length 8 disconnected")

    # Two exporters at once, their messages interleaved.
    threads = [threading.Thread(target=send_all, args=(port, msgs, src),
                                kwargs={"pause": 0.005})
               for msgs, src in ((msgs_a, EXPORTER_A),
                                 (msgs_b, EXPORTER_B))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = wait_lines(cef, len(want_a) + len(want_b))
    bodies = [cef_body(x) for x in lines]
    check(len(bodies) == len(want_a) + len(want_b),
          "TCP: %d lines from two exporters" % (len(want_a) + len(want_b)),
          len(bodies))
    check([b for b in bodies if b in want_a] == want_a,
          "TCP: exporter A's lines complete and in order")
    check([b for b in bodies if b in want_b] == want_b,
          "TCP: exporter B's lines complete and in order")
    stalled.close()
    c = col.stop()
    check(c.get("peers_accepted") == 5, "TCP: 5 connections accepted", c)
    check(c.get("peers_dropped") == 2, "TCP: 2 peers dropped", c)
    check(c.get("malformed_bad_version") == 1 and
          c.get("malformed_bad_length") == 1,
          "TCP: bad version and bad length counted", c)
    check(c.get("duplicates") == 0, "TCP: no record taken as duplicate", c)


def openssl(*args):
    r = subprocess.run(["openssl", *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("openssl %s failed: %s" % (args[0], r.stderr))


def make_ca(tmp, name):
    key, crt = (os.path.join(tmp, name + ext) for ext in (".key", ".pem"))
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt,
            "-days", "2", "-subj", "/CN=" + name)
    return key, crt


def make_cert(tmp, name, ca, extension=None):
    key, csr, crt = (os.path.join(tmp, name + ext)
                     for ext in (".key", ".csr", ".pem"))
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + name)
    args = ["x509", "-req", "-in", csr, "-CA", ca[1], "-CAkey", ca[0],
            "-CAcreateserial", "-out", crt, "-days", "2"]
    if extension:
        ext = os.path.join(tmp, name + ".ext")
        with open(ext, "w") as f:
            f.write(extension + "\n")
        args += ["-extfile", ext]
    openssl(*args)
    return key, crt


def client_context(ca, cert=None):
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
    if cert is not None:
        ctx.load_cert_chain(cert[1], cert[0])
    return ctx


def tls_refused(port, ctx):
    """True when the collector ends the session without taking data."""
    try:
        sock = connect(port, EXPORTER_B, ctx)
        sock.settimeout(5)
        # TLS 1.3 reports a rejected client certificate on the first read.
        return sock.recv(1) == b""
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
        return True


def case_tls(tmp):
    ca = make_ca(tmp, "test-ca")
    rogue = make_ca(tmp, "rogue-ca")
    server = make_cert(tmp, "collector", ca, "subjectAltName=IP:127.0.0.1")
    client = make_cert(tmp, "exporter-a", ca)
    impostor = make_cert(tmp, "exporter-x", rogue)
    path, msgs = gen_messages(tmp, "a.ipfix", 10)
    want = expected_lines(path)
    port = free_port(socket.SOCK_STREAM)
    cef = os.path.join(tmp, "tls.cef")
    col = Collector(["--listen", "tls://127.0.0.1:%d" % port, "--tls-cert",
                     server[1], "--tls-key", server[0], "--tls-ca", ca[1],
                     "--cef", cef])
    check(tls_refused(port, client_context(ca[1], impostor)),
          "TLS: client certificate of another CA refused")
    check(tls_refused(port, client_context(ca[1])),
          "TLS: client without certificate refused")
    plain = connect(port, EXPORTER_B)
    plain.sendall(msgs[0])
    check(peer_closed(plain), "TLS: plain IPFIX on the TLS port closed")
    send_all(port, msgs, tls=client_context(ca[1], client))
    lines = wait_lines(cef, len(want))
    check([cef_body(x) for x in lines] == want,
          "TLS: every line of the verified exporter, in order", lines)
    c = col.stop()
    check(c.get("tls_failed", 0) >= 3, "TLS: failed handshakes counted", c)
    check("as tls:CN=exporter-a" in col.text(),
          "TLS: exporter identified by its certificate", col.text())

    # Without --tls-ca any client may send.
    cef2 = os.path.join(tmp, "tls2.cef")
    col = Collector(["--listen", "tls://127.0.0.1:%d" % port, "--tls-cert",
                     server[1], "--tls-key", server[0], "--cef", cef2])
    send_all(port, msgs, tls=client_context(ca[1]))
    check(len(wait_lines(cef2, len(want))) == len(want),
          "TLS without --tls-ca: client without certificate accepted")
    col.stop()


def with_export_time(msg, seconds):
    return msg[:4] + struct.pack("!I", seconds) + msg[8:]


def export_time_of(msg):
    return struct.unpack("!I", msg[4:8])[0]


def resend_window(msgs, sent, window):
    """Messages c2wall's exporter sends after a reconnect: its template
    message as first built (sequence number 0) with a new export time,
    then the last window data messages byte for byte, then the rest."""
    tmpl = with_export_time(msgs[0], export_time_of(msgs[0]) + 60)
    return [tmpl] + msgs[sent - window:sent] + msgs[sent:]


def case_dedup(tmp):
    path, msgs = gen_messages(tmp, "a.ipfix", 12)
    want = expected_lines(path)
    port = free_port(socket.SOCK_STREAM)
    cef = os.path.join(tmp, "dedup.cef")
    col = Collector(["--listen", "tcp://127.0.0.1:%d" % port, "--cef", cef])
    send_all(port, msgs[:7])
    wait_lines(cef, 12)
    # Reconnect: templates, a window of 3 messages sent before, the rest.
    send_all(port, resend_window(msgs, 7, 3))
    lines = wait_lines(cef, len(want))
    time.sleep(0.3)
    lines = read_lines(cef)
    check([cef_body(x) for x in lines] == want,
          "dedup: resent window written once", len(lines))

    # A restarted exporter counts from 0 again, with later export times,
    # and must not be skipped.
    later = export_time_of(msgs[0]) + 120
    send_all(port, [with_export_time(m, later) for m in msgs[:3]])
    lines = wait_lines(cef, len(want) + 4)
    check([cef_body(x) for x in lines[len(want):]] == want[:4],
          "dedup: restarted exporter's records written", lines[len(want):])
    c = col.stop()
    check(c.get("duplicates") == 9, "dedup: 3 messages of 3 records skipped",
          c)
    check(c.get("restarts") == 1, "dedup: one restart detected", c)


def rsyslog_lines(rs, count, timeout=30):
    return [cef_body(x[x.index("CEF:0|"):]) for x in rs.lines(count, timeout)]


def start_rsyslog(tmp):
    rs = Rsyslog(tmp, "tcp")
    return rs


def restart_rsyslog(rs):
    """Start rsyslogd again with the same config, port and output file."""
    conf = os.path.join(rs.dir, "rsyslog.conf")
    rs.proc = subprocess.Popen(
        ["rsyslogd", "-n", "-f", conf, "-i",
         os.path.join(rs.dir, "rsyslogd.pid")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rs.wait_ready("tcp")


def in_order_once(got, want, what):
    check(len(got) == len(want), "%s: %d lines arrived" % (what, len(want)),
          "got %d" % len(got))
    check(got == want, "%s: every line once, in order" % what,
          [i for i, (a, b) in enumerate(zip(got, want)) if a != b][:5])


def outage(tmp, seconds):
    """Stop rsyslog for the given time while records keep coming."""
    path, msgs = gen_messages(tmp, "a.ipfix", 300)
    want = expected_lines(path)
    per_msg = 2
    rs = start_rsyslog(tmp)
    port = free_port(socket.SOCK_STREAM)
    spool = os.path.join(tmp, "spool")
    col = Collector(["--listen", "tcp://127.0.0.1:%d" % port, "--syslog",
                     "tcp://127.0.0.1:%d" % rs.port, "--spool", spool])
    exporter = connect(port, EXPORTER_A)
    exporter.sendall(msgs[0])
    first, during = 101, 101 + 100
    for m in msgs[1:first]:
        exporter.sendall(m)
    check(len(rs.lines((first - 1) * per_msg)) == (first - 1) * per_msg,
          "outage: lines before the stop arrived")
    rs.stop()
    pause = seconds / 100.0
    for m in msgs[first:during]:
        exporter.sendall(m)
        time.sleep(pause)
    restart_rsyslog(rs)
    for m in msgs[during:]:
        exporter.sendall(m)
    exporter.close()
    got = rsyslog_lines(rs, len(want), timeout=30)
    c = col.stop()
    rs.stop()
    in_order_once(got, want, "outage %d s" % seconds)
    check(c.get("spooled") == len(want), "outage: every line spooled", c)
    check(c.get("replayed", 0) > 0, "outage: spooled lines replayed", c)
    check(c.get("syslog_connects", 0) >= 2, "outage: reconnected", c)
    check(c.get("dropped_spool_full") == 0 and
          c.get("dropped_syslog_down") == 0, "outage: nothing dropped", c)


def case_outage_short(tmp):
    outage(tmp, 4)


def case_outage_30s(tmp):
    outage(tmp, 30)


def spool_bytes(spool):
    return sum(os.path.getsize(os.path.join(spool, f))
               for f in os.listdir(spool) if f.endswith(".spool"))


def wait_spool_stable(spool, timeout=20):
    """Wait until the spool stops growing: the collector took every
    message the exporter sent."""
    deadline = time.time() + timeout
    last = -1
    while time.time() < deadline:
        size = spool_bytes(spool)
        if size == last and size > 0:
            return size
        last = size
        time.sleep(0.5)
    return last


def case_kill_restart(tmp):
    """SIGKILL the collector while records stream in and go out; the
    exporter resends everything to the next collector with the same spool,
    and rsyslog gets each line once, in order."""
    path, msgs = gen_messages(tmp, "a.ipfix", 20000)
    want = expected_lines(path)
    rs = start_rsyslog(tmp)
    port = free_port(socket.SOCK_STREAM)
    spool = os.path.join(tmp, "spool")
    args = ["--listen", "tcp://127.0.0.1:%d" % port, "--syslog",
            "tcp://127.0.0.1:%d" % rs.port, "--spool", spool]
    col = Collector(args)

    def stream():
        try:
            send_all(port, msgs, pause=0.00005)
        except OSError:
            pass

    exporter = threading.Thread(target=stream)
    exporter.start()
    deadline = time.time() + 30
    while time.time() < deadline and len(rs.lines(0, 0)) < 5000:
        time.sleep(0.01)
    col.stop(signal.SIGKILL)
    exporter.join()
    killed_at = len(rs.lines(0, 0))
    check(0 < killed_at < len(want),
          "kill: collector killed mid-stream (%d lines out)" % killed_at)

    # The exporter cannot know what arrived, so it resends everything.
    col = Collector(args)
    send_all(port, resend_window(msgs, len(msgs), len(msgs) - 1))
    got = rsyslog_lines(rs, len(want), timeout=60)
    time.sleep(1)
    got = rsyslog_lines(rs, len(want), timeout=0)
    c = col.stop()
    rs.stop()
    in_order_once(got, want, "kill and restart")
    check(c.get("duplicates", 0) > 0, "kill: resent records skipped", c)


def case_spool_full(tmp):
    """With syslog down, a spool at its limit drops the newest lines and
    counts them; the oldest arrive once syslog is back."""
    path, msgs = gen_messages(tmp, "a.ipfix", 6000)
    want = expected_lines(path)
    rs = start_rsyslog(tmp)
    rs.stop()
    port = free_port(socket.SOCK_STREAM)
    spool = os.path.join(tmp, "spool")
    col = Collector(["--listen", "tcp://127.0.0.1:%d" % port, "--syslog",
                     "tcp://127.0.0.1:%d" % rs.port, "--spool", spool,
                     "--spool-max", "1048576"])
    send_all(port, msgs)
    wait_spool_stable(spool)
    restart_rsyslog(rs)
    time.sleep(3)
    c = col.stop()
    got = rsyslog_lines(rs, 0, timeout=0)
    rs.stop()
    check(c.get("dropped_spool_full", 0) > 0, "spool full: drops counted", c)
    check(c.get("spooled") + c.get("dropped_spool_full") == len(want),
          "spool full: spooled plus dropped is every line", c)
    check(got == want[:len(got)] and len(got) == c.get("spooled"),
          "spool full: the oldest lines arrive, in order", len(got))


CASES = {
    "tcp": case_tcp,
    "tls": case_tls,
    "dedup": case_dedup,
    "outage_short": case_outage_short,
    "outage_30s": case_outage_30s,
    "kill_restart": case_kill_restart,
    "spool_full": case_spool_full,
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: test_delivery.py " + "|".join(CASES))
    with tempfile.TemporaryDirectory(prefix="c2w-deliv-") as tmp:
        CASES[sys.argv[1]](tmp)
    print("%s: %d failed" % (sys.argv[1], test_collector.failures))
    sys.exit(1 if test_collector.failures else 0)


if __name__ == "__main__":
    main()
