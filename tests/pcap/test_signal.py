# SPDX-License-Identifier: BSD-3-Clause
"""c2wall under endless traffic: progress lines on the stats interval,
counters through DPDK telemetry while it runs, and on SIGTERM every flow
ends with a forced-end record before the summary."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import c2wtest as t
import traffic

BIN, SEED = sys.argv[1], sys.argv[2]


def telemetry(prefix, cmd):
    """One request to the EAL telemetry socket of a file prefix."""
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    json.loads(s.recv(16384).decode())
    s.send(cmd.encode())
    reply = json.loads(s.recv(65536).decode())
    s.close()
    return reply.get(cmd.split(",")[0])


def main():
    work = t.tempdir("signal")
    inp = os.path.join(work, "in.pcap")
    t.write_pcap(inp, traffic.mixed_traffic())
    port = t.free_udp_port()
    cap = t.Capture(work, port)
    prefix = "c2wsig%d" % os.getpid()
    vdevs, tx0, tx1 = t.pair_vdevs(work, inp, infinite=True)
    cmd = [BIN] + t.eal_args(prefix=prefix) + vdevs + [
        "--", "--iocs", SEED, "--action", "alert", "--stats-interval", "500",
        "--export", "all", "--ipfix", "udp://127.0.0.1:%d" % port]
    print("# " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    workers = None
    try:
        workers = telemetry(prefix, "/c2wall/workers")
        print("# /c2wall/workers: %s" % workers)
    except OSError as e:
        print("# telemetry: %s" % e)
    t.check(workers is not None and workers.get("rx_pkts", 0) > 0,
            "telemetry: /c2wall/workers reports received packets")
    t.check(workers is not None and "malformed_ip4_bad_ihl" in workers,
            "telemetry: malformed reasons listed by name")
    exporter = None
    try:
        exporter = telemetry(prefix, "/c2wall/exporter")
    except OSError:
        pass
    t.check(exporter is not None and exporter.get("events", 0) > 0,
            "telemetry: /c2wall/exporter counts events")

    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    path = cap.stop()
    for line in out.splitlines() + err.splitlines():
        print("# " + line)
    t.check(proc.returncode == 0, "sigterm: exit status 0 (got %s)"
            % proc.returncode)
    t.check(out.count("c2wall: rx ") >= 3,
            "stats: a progress line every 500 ms")
    t.check("c2wall summary" in out, "sigterm: summary printed")
    rows = t.tshark_records(path, port)
    forced = [r for r in rows if t.num(r.get("cflow.flow_end_reason")) == 4]
    flows = len({(r.get("cflow.srcaddr"), r.get("cflow.srcaddrv6"),
                  r.get("cflow.dstaddr"), r.get("cflow.dstaddrv6"),
                  r.get("cflow.srcport"), r.get("cflow.dstport"),
                  r.get("cflow.protocol"))
                 for r in forced})
    # The endless replay keeps every flow alive until the signal. The
    # TCP sessions closed with FIN end as "end detected"; the four flows
    # with no end of their own (UDP from the indicator, the IPv6
    # handshake, DNS, ICMP echo) must end as "forced end".
    t.check(flows == 4, "sigterm: forced-end records for the four flows "
            "without FIN (%d)" % flows)
    lost = t.summary_counter(out, "flow_records_failed")
    t.check(lost == 0, "sigterm: no flow record lost at shutdown")
    t.cleanup(work)
    t.done()


main()
