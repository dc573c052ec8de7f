# SPDX-License-Identifier: BSD-3-Clause
"""The same capture through c2wall with 1, 2 and 4 workers must give the
same forwarded frames, flow records and alerts.

net_pcap has no RSS: it has one RX queue per rx_pcap= file. So the test
plays the NIC. It hashes each frame with the symmetric Toeplitz key that
app/port.c programs, writes one file per queue and port, and merges what
the TX queues wrote. The initiator side of every flow enters on port 0
and the replies on port 1.

Usage: test_multiworker.py C2WALL SEED_TABLE ELEMENTS_XML
"""

import collections
import ipaddress
import os
import struct
import sys

from scapy.all import (ARP, Dot1Q, Ether, ICMP, ICMPv6EchoRequest, IP,
                       IPv6, Raw, TCP, UDP)

import c2wtest as t
import traffic

BIN, SEED, ELEMENTS = sys.argv[1], sys.argv[2], sys.argv[3]

WORKER_COUNTS = (1, 2, 4)
# Five lcores on a 2-CPU machine: lcores share cores here, which is slow
# but changes neither verdicts nor records. Lcore 0 is the main lcore.
LCORE_MAP = "0@0,1@1,2@0,3@1,4@1"

# app/port.c programs 0x6d5a repeated; 40 octets is the key length it
# uses when a device does not report one, enough for IPv6 with ports.
RSS_KEY = bytes([0x6d, 0x5a] * 20)
# The key of the Microsoft RSS verification suite and two of its
# vectors: (source, destination, source port, destination port, hash).
MS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcb"
                       "ae7b30b477cb2da38030f20c6a42b73bbeac01fa")
MS_VECTORS = [
    ("66.9.149.187", "161.142.100.80", None, None, 0x323e8fc2),
    ("66.9.149.187", "161.142.100.80", 2794, 1766, 0x51ccc178),
    ("3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", None, None, 0x2cc18cd5),
    ("3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766, 0x40207d3d),
]
# Most NICs pick the queue from a 128-entry redirection table that DPDK
# drivers fill round robin, entry i pointing to queue i % queues.
RETA_SIZE = 128

MAC_IN = traffic.MAC_A      # inside hosts, behind port 0
MAC_OUT = traffic.MAC_B     # outside hosts, behind port 1
T0 = 1700000000.0


def toeplitz(key, data):
    """Toeplitz hash of data: for each set input bit i, XOR in the 32
    key bits starting at bit i."""
    k = int.from_bytes(key, "big")
    kbits = len(key) * 8
    h = 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                h ^= (k >> (kbits - 32 - (i * 8 + b))) & 0xffffffff
    return h


def rss_input(src, dst, sport=None, dport=None):
    data = ipaddress.ip_address(src).packed + ipaddress.ip_address(dst).packed
    if sport is not None:
        data += struct.pack("!HH", sport, dport)
    return data


def rss_fields(frame):
    """Hash input fields of a frame as a NIC picks them: addresses and
    ports of TCP and UDP, addresses only for other IP protocols, None for
    non-IP frames. VLAN tags are skipped."""
    p = Ether(frame)
    ip = p.getlayer(IP) or p.getlayer(IPv6)
    if ip is None:
        return None
    l4 = p.getlayer(TCP) or p.getlayer(UDP)
    if l4 is None:
        return (ip.src, ip.dst, None, None)
    return (ip.src, ip.dst, l4.sport, l4.dport)


def rss_queue(frame, n_queues):
    fields = rss_fields(frame)
    if fields is None:
        return 0
    return (toeplitz(RSS_KEY, rss_input(*fields)) % RETA_SIZE) % n_queues


def link_header(fwd, vlan):
    """Ethernet header of a frame from the client side (fwd) or the
    server side, with an 802.1Q tag when vlan is set."""
    l2 = Ether(src=MAC_IN if fwd else MAC_OUT,
               dst=MAC_OUT if fwd else MAC_IN)
    if vlan is not None:
        l2 = l2 / Dot1Q(vlan=vlan)
    return l2


def tcp_session(cli, cport, srv, sport, l3=IP, vlan=None, data=b"hello",
                reply=b"world", end="fin"):
    """Frames of one TCP session as (port, frame): the client is behind
    port 0. end is "fin" (both sides), "rst" (client resets) or "open"."""
    def frame(fwd, flags, payload=b""):
        l2 = link_header(fwd, vlan)
        s, d = (cli, srv) if fwd else (srv, cli)
        sp, dp = (cport, sport) if fwd else (sport, cport)
        p = l2 / l3(src=s, dst=d) / TCP(sport=sp, dport=dp, flags=flags)
        return (0 if fwd else 1, bytes(p / Raw(payload) if payload else p))

    seq = [frame(True, "S"), frame(False, "SA"), frame(True, "A"),
           frame(True, "PA", data), frame(False, "PA", reply)]
    if end == "fin":
        seq += [frame(True, "FA"), frame(False, "FA")]
    elif end == "rst":
        seq += [frame(True, "R")]
    return seq


def udp_exchange(cli, cport, srv, sport, l3=IP, vlan=None, requests=1,
                 replies=1, size=20):
    """A request/response UDP flow as (port, frame), client behind port
    0; the replies follow all requests."""
    def frame(fwd, n):
        l2 = link_header(fwd, vlan)
        s, d = (cli, srv) if fwd else (srv, cli)
        sp, dp = (cport, sport) if fwd else (sport, cport)
        p = l2 / l3(src=s, dst=d) / UDP(sport=sp, dport=dp) / Raw(b"u" * n)
        return (0 if fwd else 1, bytes(p))

    return ([frame(True, size + i) for i in range(requests)] +
            [frame(False, size + 7 + i) for i in range(replies)])


def inbound_udp(src, sport, dst, dport, count):
    """A one-way UDP flow from an outside host: it enters on port 1."""
    p = (Ether(src=MAC_OUT, dst=MAC_IN) / IP(src=src, dst=dst) /
         UDP(sport=sport, dport=dport))
    return [(1, bytes(p / Raw(b"i" * (30 + i)))) for i in range(count)]


def mixed_flows():
    """traffic.mixed_traffic() split into flows, each a list of (port,
    frame): frames from inside MAC_A enter on port 0, the rest on 1."""
    flows = collections.OrderedDict()
    for n, p in enumerate(traffic.mixed_traffic()):
        frame = bytes(p)
        port = 0 if p.src == traffic.MAC_A else 1
        key = oracle_key(frame)
        flows.setdefault(key if key is not None else ("l2", n), []).append(
            (port, frame))
    return list(flows.values())


def benign_flows():
    """TCP and UDP flows over IPv4 and IPv6, some behind VLAN tags. TCP
    sessions end with FIN from both sides, a reset or not at all."""
    flows = []
    for i in range(120):
        end = ("fin", "open", "rst")[i % 3]
        flows.append(tcp_session("192.0.2.%d" % (20 + i), 41000 + i,
                                 "198.51.100.%d" % (1 + i % 50),
                                 (443, 80, 22, 8080)[i % 4],
                                 data=b"d" * (1 + i % 40), end=end))
    for i in range(50):
        flows.append(tcp_session("2001:db8:1::%x" % (i + 1), 42000 + i,
                                 "2001:db8:2::%x" % (1 + i % 7), 443, l3=IPv6,
                                 end=("fin", "open")[i % 2]))

    for i in range(70):
        flows.append(udp_exchange("192.0.2.%d" % (1 + i % 100), 43000 + i,
                                  "203.0.113.%d" % (1 + i % 20),
                                  (53, 123, 514)[i % 3],
                                  requests=1 + i % 3, replies=i % 3))
    for i in range(30):
        flows.append(udp_exchange("2001:db8:1::%x" % (0x100 + i), 44000 + i,
                                  "2001:db8:53::1", 53, l3=IPv6))

    for i in range(40):
        vlan = (10, 20, 30)[i % 3]
        if i % 2:
            flows.append(tcp_session("192.0.2.%d" % (100 + i), 45000 + i,
                                     "198.51.100.%d" % (100 + i), 443,
                                     vlan=vlan))
        else:
            flows.append(udp_exchange("192.0.2.%d" % (100 + i), 45000 + i,
                                      "203.0.113.%d" % (100 + i), 53,
                                      vlan=vlan))
    return flows


def indicator_flows():
    """Flows to and from the two seed indicators, which must be dropped,
    and flows that look like them but must pass: an indicator's address
    on another port, and IEC 60870-5-104 on port 2404 to outstations that
    are not indicators."""
    ioc1, ioc2 = traffic.IOC1, traffic.IOC2
    flows = []
    for i in range(20):
        flows.append(tcp_session("192.0.2.%d" % (150 + i), 46000 + i, *ioc1,
                                 data=b"\x24\x04\xff\x00check-in",
                                 end=("fin", "open")[i % 2]))
    for i in range(12):
        flows.append(tcp_session("192.0.2.%d" % (180 + i), 47000 + i, *ioc2,
                                 vlan=(None, 100)[i % 2]))
    for i in range(6):
        flows.append(inbound_udp(ioc2[0], ioc2[1], "192.0.2.%d" % (200 + i),
                                 5000 + i, 1 + i % 3))

    for i in range(8):
        flows.append(tcp_session("192.0.2.%d" % (210 + i), 48000 + i,
                                 ioc1[0], 443))
    for i in range(8):
        flows.append(tcp_session("192.0.2.%d" % (220 + i), 49000 + i,
                                 "198.51.100.%d" % (20 + i), 2404,
                                 data=b"\x68\x04\x07\x00\x00\x00",
                                 reply=b"\x68\x04\x0b\x00\x00\x00"))
    return flows


def single_frame_flows():
    """ICMP echo requests and replies, each its own flow (the reply
    enters on port 1), and ARP requests, which c2wall forwards untracked
    and a NIC puts on queue 0."""
    flows = []
    for i in range(6):
        inside = "192.0.2.%d" % (230 + i)
        echo = (Ether(src=MAC_IN, dst=MAC_OUT) /
                IP(src=inside, dst="198.51.100.200") / ICMP(id=i))
        reply = (Ether(src=MAC_OUT, dst=MAC_IN) /
                 IP(src="198.51.100.200", dst=inside) / ICMP(type=0, id=i))
        echo6 = (Ether(src=MAC_IN, dst=MAC_OUT) /
                 IPv6(src="2001:db8:1::%x" % (0x200 + i),
                      dst="2001:db8:2::99") / ICMPv6EchoRequest(id=i))
        flows += [[(0, bytes(echo))], [(1, bytes(reply))],
                  [(0, bytes(echo6))]]

    for i in range(4):
        arp = (Ether(src=MAC_IN, dst="ff:ff:ff:ff:ff:ff") /
               ARP(psrc="192.0.2.%d" % (240 + i), pdst="192.0.2.1"))
        flows.append([(0, bytes(arp))])
    return flows


def layout(flows):
    """Order the frames of all flows as (port, frame, time).

    A worker polls port 0 and then port 1, one burst each, so a reply
    can overtake its request by up to a burst. First comes the first
    frame of every flow, then the rest flow by flow. So the first reply
    of a flow comes no earlier in its port-1 file than the flow's
    opening frame in the port-0 file, whatever the queue split. The
    replay checks this for every queue. Flows that open on port 1 are
    one-way, so nothing can overtake their first frame.

    Capture times step by 10 us: the replay spans well under the 2 s
    close linger, so every flow ends at shutdown and no late frame can
    open a second flow."""
    order = [f[0] for f in flows] + [x for f in flows for x in f[1:]]
    return [(port, frame, T0 + i * 1e-5)
            for i, (port, frame) in enumerate(order)]


def ip_layers(frame):
    p = Ether(frame)
    ip = p.getlayer(IP) or p.getlayer(IPv6)
    return p, ip


def oracle_key(frame):
    """Flow of a frame as c2wall's flow key groups it: VLAN, protocol and
    the unordered endpoint pair; ICMP flows also by direction, type and
    code. None for non-IP frames."""
    p, ip = ip_layers(frame)
    if ip is None:
        return None
    vlan = p[Dot1Q].vlan if p.haslayer(Dot1Q) else 0
    proto = ip.proto if ip.version == 4 else ip.nh
    l4 = p.getlayer(TCP) or p.getlayer(UDP)
    if l4 is None:
        icmp = bytes(ip.payload)[:2]
        return (vlan, proto, ip.src, ip.dst, icmp)
    ends = sorted([(ip.src, l4.sport), (ip.dst, l4.dport)])
    return (vlan, proto, tuple(ends))


def ip_length(ip):
    return ip.len if ip.version == 4 else 40 + ip.plen


def normal_addr(a):
    return ipaddress.ip_address(a).compressed


def oracle_records(frames, iocs):
    """Flow records and alerts that c2wall must export in block mode with
    every flow exported, from the frames alone, with fields as ipfixDump
    names them. Times are left out: a worker's clock is the newest
    capture time it has seen, which depends on how the ports' bursts
    interleave."""
    flows = collections.OrderedDict()
    for port, frame, _ in frames:
        key = oracle_key(frame)
        if key is None:
            continue
        p, ip = ip_layers(frame)
        l4 = p.getlayer(TCP) or p.getlayer(UDP)
        f = flows.get(key)
        if f is None:
            f = flows[key] = {"first": (port, p, ip, l4), "pkts": [0, 0],
                              "bytes": [0, 0], "flags": [0, 0],
                              "closed": False, "fins": set()}
        fwd = ip.src == f["first"][2].src and (
            l4 is None or l4.sport == f["first"][3].sport)
        d = 0 if fwd else 1
        f["pkts"][d] += 1
        f["bytes"][d] += ip_length(ip)
        if p.haslayer(TCP):
            flags = int(p[TCP].flags)
            f["flags"][d] |= flags
            if flags & 0x04:
                f["closed"] = True
            if flags & 0x01:
                f["fins"].add(d)
    records, alerts = [], []
    for f in flows.values():
        port, p, ip, l4 = f["first"]
        rec = base_fields(p, ip, l4, port)
        ioc = ioc_side(ip, l4, iocs)
        if ioc is not None:
            rec.update({"c2wAction": "1", "c2wMatchSide": ioc[0],
                        "c2wIocValue": ioc[1], "forwardingStatus": "130"})
        alert = dict(rec)
        alert["tcpControlBits"] = str(int(p[TCP].flags)
                                      if p.haslayer(TCP) else 0)
        alert["reverseTcpControlBits"] = "0"
        alert["firewallEvent"] = "3"
        rec.update({
            "packetDeltaCount": str(f["pkts"][0]),
            "octetDeltaCount": str(f["bytes"][0]),
            "reversePacketDeltaCount": str(f["pkts"][1]),
            "reverseOctetDeltaCount": str(f["bytes"][1]),
            "tcpControlBits": str(f["flags"][0]),
            "reverseTcpControlBits": str(f["flags"][1]),
            "flowEndReason": "3" if f["closed"] or len(f["fins"]) == 2
                             else "1",
            "firewallEvent": "2"})
        v6 = ip.version == 6
        if ioc is not None:
            rec["_tid"] = 259 if v6 else 258
        else:
            rec["_tid"] = 261 if v6 else 260
        records.append(rec)
        if ioc is not None:
            alert["_tid"] = 257 if v6 else 256
            alerts.append(alert)
    return records, alerts


def base_fields(p, ip, l4, port):
    v6 = ip.version == 6
    fam = "IPv6" if v6 else "IPv4"
    icmp = 0
    if l4 is None:
        raw = bytes(ip.payload)[:2]
        icmp = raw[0] * 256 + raw[1]
    return {
        "source%sAddress" % fam: normal_addr(ip.src),
        "destination%sAddress" % fam: normal_addr(ip.dst),
        "sourceTransportPort": str(l4.sport if l4 else 0),
        "destinationTransportPort": str(l4.dport if l4 else 0),
        "protocolIdentifier": str(ip.nh if v6 else ip.proto),
        "icmpTypeCode%s" % fam: str(icmp),
        "dot1qVlanId": str(p[Dot1Q].vlan if p.haslayer(Dot1Q) else 0),
        "ingressInterface": str(port),
        "egressInterface": str(1 - port),
        "forwardingStatus": "64",
    }


def ioc_side(ip, l4, iocs):
    """(c2wMatchSide, indicator) when an endpoint of the flow's first
    frame is an ip:port indicator, else None."""
    if l4 is None:
        return None
    if (ip.dst, l4.dport) in iocs:
        return ("2", "%s:%d" % (ip.dst, l4.dport))
    if (ip.src, l4.sport) in iocs:
        return ("1", "%s:%d" % (ip.src, l4.sport))
    return None


def split_queues(frames, n):
    """Split the frames by RSS queue: queues[q][port] lists the (frame,
    time) pairs of queue q on port, in input order."""
    queues = [([], []) for _ in range(n)]
    for port, frame, ts in frames:
        queues[rss_queue(frame, n)][port].append((frame, ts))
    return queues


def check_overtaking(queues, n):
    """Every flow's first port-1 frame sits no earlier in its queue's
    port-1 file than the flow's first frame in the port-0 file."""
    bad = 0
    for q, (rx0, rx1) in enumerate(queues):
        opened = {}
        for i, (frame, _) in enumerate(rx0):
            opened.setdefault(oracle_key(frame), i)
        seen = set()
        for j, (frame, _) in enumerate(rx1):
            key = oracle_key(frame)
            if key is None or key in seen:
                continue
            seen.add(key)
            if key in opened and opened[key] > j:
                bad += 1
    t.check(bad == 0, "%d workers: no reply ahead of its flow's first "
            "frame in any queue (%d flows)" % (n, bad))


def comparable(fields, tid):
    """A record as a hashable row, without its times."""
    skip = ("flowStartMilliseconds", "flowEndMilliseconds")
    row = [("_tid", tid)]
    for k, v in sorted(fields.items()):
        if k in skip:
            continue
        if k.endswith("IPv6Address"):
            v = normal_addr(v)
        row.append((k, v))
    return tuple(row)


def project(row, names):
    d = dict(row)
    return tuple((k, d.get(k)) for k in names)


def run(work, frames, n, port_no):
    """Replay the frames split over n queues; return what came out."""
    d = os.path.join(work, "w%d" % n)
    os.makedirs(d)
    queues = split_queues(frames, n)
    check_overtaking(queues, n)
    vdevs = []
    for port in (0, 1):
        rx = [os.path.join(d, "rx%d-q%d.pcap" % (port, q)) for q in range(n)]
        tx = [os.path.join(d, "tx%d-q%d.pcap" % (port, q)) for q in range(n)]
        for q in range(n):
            t.write_raw_pcap(rx[q], queues[q][port])
        vdevs += t.queue_vdev("net_pcap%d" % port, rx, tx)
    conf = os.path.join(d, "workers.conf")
    with open(conf, "w") as f:
        f.write("workers = { lcores = [%s]; };\n"
                % ", ".join(str(w + 1) for w in range(n)))
    cap = t.Capture(d, port_no)
    rc, out, err = t.run_c2wall_eal(BIN, t.eal_args_mapped(LCORE_MAP), vdevs, [
        "--config", conf, "--iocs", SEED, "--mode", "inline",
        "--action", "block", "--export", "all", "--stats-interval", "0",
        "--idle-exit", "500", "--ipfix", "udp://127.0.0.1:%d" % port_no],
        timeout=120)
    path = cap.stop()
    t.check(rc == 0, "%d workers: c2wall exits 0 (got %d)" % (n, rc))
    tx = [[t.read_frames(os.path.join(d, "tx%d-q%d.pcap" % (port, q)))
           for q in range(n)] for port in (0, 1)]
    dumped = t.ipfixdump_records(path, port_no, ELEMENTS, d)
    return {"n": n, "queues": queues, "tx": tx, "out": out,
            "dumped": dumped}


def check_frames(res, frames, iocs):
    """Check that each TX queue carries exactly the forwarded frames of
    the same RX queue of the other port, in order. Merged, each port must
    carry the input minus the indicator flows."""
    n = res["n"]
    for q in range(n):
        for port in (0, 1):
            want = [f for f, _ in res["queues"][q][1 - port]
                    if not traffic.is_ioc_packet(f, iocs)]
            t.check(res["tx"][port][q] == want, "%d workers: TX queue %d of "
                    "port %d has the %d forwarded frames of RX queue %d of "
                    "port %d, in order (got %d)" % (
                        n, q, port, len(want), q, 1 - port,
                        len(res["tx"][port][q])))
    for port in (0, 1):
        want = collections.Counter(
            f for p, f, _ in frames
            if p == 1 - port and not traffic.is_ioc_packet(f, iocs))
        got = collections.Counter(f for txq in res["tx"][port] for f in txq)
        t.check(got == want, "%d workers: port %d forwards the input of "
                "port %d minus the indicator flows (%d frames, want %d)"
                % (n, port, 1 - port, sum(got.values()),
                   sum(want.values())))


def check_counters(res, frames, iocs):
    """Check rx = tx + drops, and that each worker received its queue's
    frames and created its queue's flows."""
    n, out = res["n"], res["out"]
    total = {k: t.summary_counter(out, k) for k in (
        "rx_pkts", "tx_pkts", "policy_drops", "malformed_drops",
        "table_full_drops", "tx_failed", "flows_created",
        "flow_records_sent", "alerts_sent", "ioc_hits")}
    if not t.check(None not in total.values(), "%d workers: summary "
                   "has every counter" % n):
        return
    drops = (total["policy_drops"] + total["malformed_drops"] +
             total["table_full_drops"] + total["tx_failed"])
    t.check(total["rx_pkts"] == len(frames), "%d workers: rx_pkts %d, "
            "want %d" % (n, total["rx_pkts"], len(frames)))
    t.check(total["rx_pkts"] == total["tx_pkts"] + drops, "%d workers: "
            "rx %d = tx %d + drops %d" % (n, total["rx_pkts"],
                                          total["tx_pkts"], drops))
    ioc_frames = sum(1 for _, f, _ in frames if traffic.is_ioc_packet(f, iocs))
    t.check(total["policy_drops"] == ioc_frames, "%d workers: policy_drops "
            "%d, want %d" % (n, total["policy_drops"], ioc_frames))
    t.check(total["flow_records_sent"] == total["flows_created"],
            "%d workers: one record per flow" % n)

    for port in (0, 1):
        rx = sum(1 for p, _, _ in frames if p == port)
        t.check(t.port_counter(out, port, "rx") == rx, "%d workers: port "
                "%d received %d frames" % (n, port, rx))
    if n == 1:
        return

    for q in range(n):
        got = [f for port in (0, 1) for f, _ in res["queues"][q][port]]
        keys = {oracle_key(f) for f in got} - {None}
        want = {
            "rx_pkts": len(got),
            "tx_pkts": sum(1 for f in got
                           if not traffic.is_ioc_packet(f, iocs)),
            "flows_created": len(keys),
            "flow_records_sent": len(keys),
            "non_ip": sum(1 for f in got if oracle_key(f) is None),
        }
        for name, value in want.items():
            c = t.worker_counter(out, q, name)
            t.check(c == value, "%d workers: worker %d %s %s, want %d "
                    "(its queue)" % (n, q, name, c, value))


def check_records(res, records, alerts):
    """Compare the exported records with the oracle; return them as
    rows."""
    n = res["n"]
    rows = collections.Counter(comparable(f, tid) for tid, f in res["dumped"]
                               if tid in t.FLOW_SETS or tid in t.ALERT_SETS)
    for what, want, sets in (("flow records", records, t.FLOW_SETS),
                             ("alerts", alerts, t.ALERT_SETS)):
        names = sorted({k for r in want for k in r} - {"_tid"})
        names.insert(0, "_tid")
        got = collections.Counter()
        for row, count in rows.items():
            if dict(row)["_tid"] in sets:
                got[project(row, names)] += count
        exp = collections.Counter(
            project(comparable({k: v for k, v in r.items() if k != "_tid"},
                               r["_tid"]), names) for r in want)
        missing = exp - got
        extra = got - exp
        t.check(not missing and not extra, "%d workers: %s match the "
                "oracle (%d, want %d; %d missing, %d unexpected)" % (
                    n, what, sum(got.values()), sum(exp.values()),
                    sum(missing.values()), sum(extra.values())))
        for row in list(missing)[:3]:
            print("#   missing: %s" % (row,))
        for row in list(extra)[:3]:
            print("#   unexpected: %s" % (row,))
    return rows


def check_toeplitz(frames):
    """Check the hash against published vectors, and its symmetry under
    c2wall's key for every flow."""
    for src, dst, sp, dp, want in MS_VECTORS:
        got = toeplitz(MS_KEY, rss_input(src, dst, sp, dp))
        t.check(got == want, "toeplitz: test vector %s -> %s: %#x, want "
                "%#x" % (src, dst, got, want))
    asym = 0
    keys = set()
    for _, frame, _ in frames:
        fields = rss_fields(frame)
        if fields is None:
            continue
        keys.add(oracle_key(frame))
        src, dst, sp, dp = fields
        fwd = toeplitz(RSS_KEY, rss_input(src, dst, sp, dp))
        rev = toeplitz(RSS_KEY, rss_input(dst, src, dp, sp))
        asym += fwd != rev
    t.check(asym == 0, "toeplitz: hash(a, b) == hash(b, a) for the frames "
            "of all %d flows (%d differ)" % (len(keys), asym))
    for n in WORKER_COUNTS[1:]:
        used = {rss_queue(f, n) for _, f, _ in frames}
        t.check(used == set(range(n)), "toeplitz: the flows spread over "
                "all %d queues" % n)


def main():
    work = t.tempdir("multiworker")
    iocs = traffic.IOCS
    flows = (mixed_flows() + benign_flows() + indicator_flows() +
             single_frame_flows())
    frames = layout(flows)
    n_ioc = sum(1 for f in flows if traffic.is_ioc_packet(f[0][1], iocs))
    print("# %d frames in %d flows, %d to or from an indicator"
          % (len(frames), len(flows), n_ioc))
    check_toeplitz(frames)
    records, alerts = oracle_records(frames, iocs)
    rows = {}
    for n in WORKER_COUNTS:
        res = run(work, frames, n, t.free_udp_port())
        check_frames(res, frames, iocs)
        check_counters(res, frames, iocs)
        rows[n] = check_records(res, records, alerts)
    for n in WORKER_COUNTS[1:]:
        diff = (rows[n] - rows[1]) + (rows[1] - rows[n])
        t.check(not diff, "%d workers: every record field but the times "
                "equals the 1-worker run (%d rows differ)"
                % (n, sum(diff.values())))
    t.cleanup(work)
    t.done()


main()
