#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Offline checks of the Microsoft Sentinel kit in tools/sentinel/.

Usage: test_sentinel.py CASE. Each case prints what it checks and exits
non-zero when a check fails, or 77 (skipped) when rsyslogd is missing.
Every socket is on loopback, and nothing talks to Azure.

Cases:
  rules         analytics rule YAML: keys, types, entity mappings
  kql           columns in every query exist in the table schemas
  exclusions    no `X != A or X != B` chains in any query
  dcr           the data collection rule template
  rsyslog_check `rsyslogd -N1` on the forwarder config
  rsyslog_flow  a real rsyslogd with that config forwards only c2wall
                local4 CEF, once, to a stand-in for the agent's port
  cef_mapping   every CEF key in tools/collector/cef.c has a
                CommonSecurityLog column in docs/sentinel.md
"""

import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                     "..", ".."))
KIT = os.path.join(ROOT, "tools", "sentinel")
SCHEMA_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)),
                          "schema")
RSYSLOG_CONF = os.path.join(KIT, "rsyslog-c2wall.conf")
DOC = os.path.join(ROOT, "docs", "sentinel.md")
CEF_SOURCE = os.path.join(ROOT, "tools", "collector", "cef.c")
SKIP = 77

failures = 0


def check(cond, what, detail=""):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1
        if detail:
            print("     " + str(detail)[:2000])
    return cond


def load_schema(table):
    """Map column name to type from schema/<table>.txt."""
    columns = {}
    with open(os.path.join(SCHEMA_DIR, table + ".txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, kind = line.split()
            columns[name] = kind
    return columns


SCHEMAS = {t: load_schema(t) for t in ("CommonSecurityLog",
                                       "DeviceNetworkEvents")}


def rule_files():
    return sorted(glob.glob(os.path.join(KIT, "analytics", "*.yaml")))


def load_yaml(path):
    try:
        import yaml
    except ImportError:
        sys.exit("PyYAML is missing: install the Debian package python3-yaml")
    with open(path) as f:
        return yaml.safe_load(f)


# ---------------------------------------------------------------- KQL

KQL_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*)
  | (?P<string>@?"(?:[^"\\\n]|\\.)*"|@?'(?:[^'\\\n]|\\.)*')
  | (?P<number>\d+(?:\.\d+)?[a-z]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:-[a-z][a-z0-9_]*)*)
  | (?P<op>==|!=|=~|!~|<=|>=|=>|!in~|!in\b|in~|!has|!contains|
            !startswith|!endswith|[|()\[\],;=<>+\-*/%.$:!{}])
""", re.X)

# Query operators, keywords, literals, chart kinds and type names: none of
# them names a column. Hyphenated operators are one token.
KQL_WORDS = {
    "and", "or", "not", "in", "has", "has_any", "has_all", "contains",
    "startswith", "endswith", "matches", "regex", "between", "like",
    "where", "filter", "project", "project-away", "project-rename",
    "project-keep", "project-reorder", "extend", "summarize", "by",
    "order", "sort", "asc", "desc", "nulls", "first", "last", "top",
    "take", "limit", "distinct", "count", "join", "kind", "on", "inner",
    "innerunique", "leftouter", "rightouter", "fullouter", "leftanti",
    "rightanti", "leftsemi", "rightsemi", "union", "let", "render",
    "timechart", "columnchart", "barchart", "piechart", "table",
    "mv-expand", "parse", "with", "as", "invoke", "lookup", "evaluate",
    "true", "false", "null", "datetime", "timespan", "dynamic", "string",
    "int", "long", "real", "bool", "guid", "decimal", "typeof", "hint",
    "strategy", "shuffle", "broadcast", "materialize", "toscalar",
}
JOIN_SIDES = {"$left", "$right"}


def kql_tokens(text):
    """Split KQL into (kind, value) tokens, comments and spaces dropped."""
    tokens = []
    pos = 0
    while pos < len(text):
        m = KQL_TOKEN.match(text, pos)
        if not m:
            raise ValueError("cannot tokenize KQL at %r" % text[pos:pos + 30])
        pos = m.end()
        kind = m.lastgroup
        if kind in ("space", "comment"):
            continue
        tokens.append((kind, m.group()))
    return tokens


def kql_statements(tokens):
    """Split tokens at ';' outside brackets."""
    statements, current, depth = [], [], 0
    for tok in tokens:
        if tok[1] in "([{" and tok[0] == "op":
            depth += 1
        elif tok[1] in ")]}" and tok[0] == "op":
            depth -= 1
        if tok == ("op", ";") and depth == 0:
            statements.append(current)
            current = []
        else:
            current.append(tok)
    if current:
        statements.append(current)
    return statements


def kql_column_refs(statement):
    """Return (tables, names referenced as columns, names defined).

    A name is defined when it stands left of a single '=' (an alias in
    extend, project or summarize). A name is skipped when it is a
    function call, a keyword or a member after '.', except $left.X and
    $right.X, whose X is a column of a join side.
    """
    tables, refs, defined = set(), [], set()
    for i, (kind, value) in enumerate(statement):
        if kind != "ident":
            continue
        prev = statement[i - 1][1] if i > 0 else ""
        nxt = statement[i + 1][1] if i + 1 < len(statement) else ""
        if value in SCHEMAS:
            tables.add(value)
            continue
        if value.lower() in KQL_WORDS or nxt == "(":
            continue
        if prev == ".":
            side = "".join(t[1] for t in statement[max(0, i - 3):i - 1])
            if side in JOIN_SIDES:
                refs.append(value)
            continue
        if prev == "$":
            continue
        if nxt == "=":
            defined.add(value)
            continue
        refs.append(value)
    return tables, refs, defined


def kql_unknown_columns(text):
    """Return the names a query uses as columns that no table defines."""
    scopes = {}     # let name -> set of columns its value provides
    unknown = []
    for statement in kql_statements(kql_tokens(text)):
        let_name = None
        body = statement
        if statement[:1] == [("ident", "let")] and len(statement) > 2:
            let_name = statement[1][1]
            body = statement[3:]
        tables, refs, defined = kql_column_refs(body)
        allowed = set(defined)
        for table in tables:
            allowed |= set(SCHEMAS[table])
        for kind, value in body:
            if kind == "ident" and value in scopes:
                allowed |= scopes[value]
        for name in refs:
            if name not in allowed and name not in scopes:
                unknown.append(name)
        if let_name is not None:
            # A tabular let provides its tables' columns and its aliases. A
            # scalar let (dynamic list, timespan) provides only its name.
            scopes[let_name] = allowed if (tables or any(
                v in scopes and scopes[v] for k, v in body)) else set()
    return unknown


def kql_inequality_or_chains(text):
    """Find `X != A or X != B`: true for every row, so it excludes nothing."""
    found = []
    toks = kql_tokens(text)
    for i, (kind, value) in enumerate(toks):
        if kind != "ident" or value.lower() != "or":
            continue
        left = toks[max(0, i - 3):i]
        right = toks[i + 1:i + 4]
        if len(left) < 3 or len(right) < 3:
            continue
        if (left[1][1] in ("!=", "!~") and right[1][1] in ("!=", "!~") and
                left[0][0] == "ident" and left[0][1] == right[0][1]):
            found.append("%s %s %s or %s %s %s" % tuple(
                t[1] for t in left + right))
    return found


def doc_kql_blocks():
    with open(DOC) as f:
        text = f.read()
    return re.findall(r"```kql\n(.*?)```", text, re.S)


def all_queries():
    """(label, KQL text) of every rule, hunting file and doc example."""
    queries = []
    for path in rule_files():
        queries.append((os.path.relpath(path, ROOT),
                        load_yaml(path).get("query", "")))
    for path in sorted(glob.glob(os.path.join(KIT, "hunting", "*.kql"))):
        with open(path) as f:
            queries.append((os.path.relpath(path, ROOT), f.read()))
    for n, block in enumerate(doc_kql_blocks(), 1):
        queries.append(("docs/sentinel.md kql block %d" % n, block))
    return queries


# ---------------------------------------------------------------- cases

RULE_REQUIRED = {
    "id": str, "name": str, "description": str, "severity": str,
    "requiredDataConnectors": list, "queryFrequency": str,
    "queryPeriod": str, "triggerOperator": str, "triggerThreshold": int,
    "tactics": list, "relevantTechniques": list, "query": str,
    "entityMappings": list, "version": str, "kind": str,
}
# Entity types and identifiers accepted by the Azure-Sentinel repository's
# template validation (.script/tests/detectionTemplateSchemaValidation/
# Models/EntityMappingIdentifiers.cs), for the types a network rule uses.
ENTITY_IDENTIFIERS = {
    "Account": {"Name", "FullName", "NTDomain", "DnsDomain", "UPNSuffix",
                "Sid", "AadTenantId", "AadUserId", "PUID", "IsDomainJoined",
                "DisplayName", "ObjectGuid"},
    "Host": {"DnsDomain", "NTDomain", "HostName", "FullName", "NetBiosName",
             "AzureID", "OMSAgentID", "OSFamily", "OSVersion",
             "IsDomainJoined"},
    "IP": {"Address"},
    "Malware": {"Name", "Category"},
    "DNS": {"DomainName"},
    "URL": {"Url"},
    "Process": {"ProcessId", "CommandLine", "ElevationToken",
                "CreationTimeUtc"},
    "File": {"Directory", "Name"},
}
SEVERITIES = {"Informational", "Low", "Medium", "High"}
TRIGGER_OPERATORS = {"gt", "lt", "eq", "ne"}
DURATION = re.compile(r"^(\d+)([mhd])$")
MINUTES = {"m": 1, "h": 60, "d": 1440}


def minutes(value):
    m = DURATION.match(str(value))
    return int(m.group(1)) * MINUTES[m.group(2)] if m else None


def check_rule(path):
    name = os.path.relpath(path, ROOT)
    rule = load_yaml(path)
    for key, kind in RULE_REQUIRED.items():
        check(isinstance(rule.get(key), kind),
              "%s: %s is a %s" % (name, key, kind.__name__),
              repr(rule.get(key)))
    try:
        uuid.UUID(str(rule.get("id")))
        valid_id = True
    except ValueError:
        valid_id = False
    check(valid_id, "%s: id is a GUID" % name)

    check(rule.get("kind") == "Scheduled", "%s: kind is Scheduled" % name)
    check(rule.get("severity") in SEVERITIES,
          "%s: severity is one of %s" % (name, sorted(SEVERITIES)))
    check(rule.get("triggerOperator") in TRIGGER_OPERATORS,
          "%s: triggerOperator is gt, lt, eq or ne" % name)

    freq, period = minutes(rule.get("queryFrequency")), \
        minutes(rule.get("queryPeriod"))
    check(freq is not None and 5 <= freq <= 14 * 1440,
          "%s: queryFrequency between 5m and 14d" % name)
    check(period is not None and freq is not None and
          freq <= period <= 14 * 1440,
          "%s: queryPeriod between queryFrequency and 14d" % name)

    check("CommandAndControl" in rule.get("tactics", []),
          "%s: tactic CommandAndControl" % name)
    check("T1071" in rule.get("relevantTechniques", []),
          "%s: technique T1071" % name)

    connectors = rule.get("requiredDataConnectors") or [{}]
    check(any(c.get("connectorId") == "CefAma" and
              "CommonSecurityLog" in c.get("dataTypes", [])
              for c in connectors),
          "%s: requires connector CefAma with CommonSecurityLog" % name)
    check(re.search(r'DeviceVendor\s*==\s*"c2wall"', rule.get("query", ""))
          is not None, "%s: query filters DeviceVendor == \"c2wall\"" % name)
    check_entities(name, rule)


def check_entities(name, rule):
    query = rule.get("query", "")
    defined = kql_column_refs(kql_tokens(query))[2]
    columns = set(SCHEMAS["CommonSecurityLog"]) | defined
    mapped_types = set()
    for entity in rule.get("entityMappings") or []:
        etype = entity.get("entityType")
        mapped_types.add(etype)
        check(etype in ENTITY_IDENTIFIERS,
              "%s: entity type %s is valid" % (name, etype))
        fields = entity.get("fieldMappings") or []
        check(1 <= len(fields) <= 3,
              "%s: %s has 1 to 3 field mappings" % (name, etype))
        for field in fields:
            ident, column = field.get("identifier"), field.get("columnName")
            check(ident in ENTITY_IDENTIFIERS.get(etype, ()),
                  "%s: %s identifier %s is valid" % (name, etype, ident))
            check(column in columns,
                  "%s: %s column %s is in CommonSecurityLog or defined by "
                  "the query" % (name, etype, column))
            check(re.search(r"\b%s\b" % re.escape(str(column)), query)
                  is not None,
                  "%s: %s column %s appears in the query" %
                  (name, etype, column))
    check(len(rule.get("entityMappings") or []) <= 10,
          "%s: at most 10 entity mappings" % name)
    check({"IP", "Host"} <= mapped_types,
          "%s: maps IP and Host entities" % name)
    ip_columns = {f.get("columnName")
                  for e in rule.get("entityMappings") or []
                  if e.get("entityType") == "IP"
                  for f in e.get("fieldMappings") or []}
    check({"SourceIP", "DestinationIP"} <= ip_columns,
          "%s: IP entities map SourceIP and DestinationIP" % name)


def case_rules():
    paths = rule_files()
    check(len(paths) >= 2, "at least two analytics rules",
          "found %d" % len(paths))
    ids = [str(load_yaml(p).get("id")) for p in paths]
    check(len(set(ids)) == len(ids), "rule ids are unique", ids)
    for path in paths:
        check_rule(path)


def case_kql():
    # The checker must catch a misspelled column and a Defender-only one.
    bad = ("CommonSecurityLog | where DestinatonIP == \"x\"\n;"
           "DeviceNetworkEvents | where Timestamp > ago(1d)")
    check(kql_unknown_columns(bad) == ["DestinatonIP", "Timestamp"],
          "checker reports unknown columns", kql_unknown_columns(bad))
    queries = all_queries()
    hunting = [q for q in queries if q[0].endswith(".kql")]
    check(len(hunting) >= 3, "at least three hunting queries")
    for label, text in queries:
        try:
            unknown = kql_unknown_columns(text)
        except ValueError as err:
            check(False, "%s: tokenizes" % label, err)
            continue
        check(not unknown, "%s: every column is in the schema" % label,
              "unknown: %s" % ", ".join(sorted(set(unknown))))
    joined = [t for label, t in hunting if "DeviceNetworkEvents" in t]
    check(any(re.search(r"\$left\.RemoteIP", t) and
              re.search(r"\$left\.RemotePort", t) for t in joined),
          "a hunting query joins on RemoteIP and RemotePort")


def case_exclusions():
    bad = ('CommonSecurityLog | where DestinationIP != "192.0.2.1" or '
           'DestinationIP != "192.0.2.2"')
    good = ('CommonSecurityLog | where DestinationIP !in '
            '("192.0.2.1", "192.0.2.2")')
    check(len(kql_inequality_or_chains(bad)) == 1,
          "checker flags a != chain joined by or")
    check(not kql_inequality_or_chains(good), "checker accepts !in")
    found_exclusion = False
    for label, text in all_queries():
        chains = kql_inequality_or_chains(text)
        check(not chains, "%s: no != chain joined by or" % label, chains)
        found_exclusion |= "!in" in [v for k, v in kql_tokens(text)]
    check(found_exclusion, "a query has an exclusion list with !in")


def case_dcr():
    path = os.path.join(KIT, "dcr-cef.json")
    with open(path) as f:
        template = json.load(f)
    check("workspaceResourceId" in template.get("parameters", {}),
          "dcr: workspaceResourceId is a parameter")
    rules = [r for r in template.get("resources", [])
             if r.get("type") == "Microsoft.Insights/dataCollectionRules"]
    if not check(len(rules) == 1, "dcr: one dataCollectionRules resource"):
        return
    rule = rules[0]
    check(rule.get("kind") == "Linux", "dcr: kind is Linux")

    props = rule.get("properties", {})
    syslog = props.get("dataSources", {}).get("syslog", [])
    cef = [s for s in syslog
           if "Microsoft-CommonSecurityLog" in s.get("streams", [])]
    check(len(cef) == 1, "dcr: one syslog source with the CEF stream")
    facilities = {f for s in cef for f in s.get("facilityNames", [])}
    check(facilities == {"local4"}, "dcr: CEF source uses local4 only",
          facilities)
    levels = {lv for s in cef for lv in s.get("logLevels", [])}
    # The collector sends notice, and warning for CEF severity 8 and above.
    check({"Notice", "Warning"} <= levels or "*" in levels,
          "dcr: CEF source collects Notice and Warning", levels)
    plain = [s for s in syslog
             if "Microsoft-Syslog" in s.get("streams", []) and
             "local4" in s.get("facilityNames", [])]
    check(not plain, "dcr: local4 is in no Microsoft-Syslog source")

    workspaces = props.get("destinations", {}).get("logAnalytics", [])
    names = {w.get("name") for w in workspaces}
    check(any("parameters('workspaceResourceId')" in
              str(w.get("workspaceResourceId")) for w in workspaces),
          "dcr: workspace destination is parameterised")
    flows = props.get("dataFlows", [])
    check(any("Microsoft-CommonSecurityLog" in fl.get("streams", []) and
              set(fl.get("destinations", [])) <= names and
              fl.get("destinations") for fl in flows),
          "dcr: a data flow sends the CEF stream to the workspace")


def rsyslogd():
    path = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not os.access(path, os.X_OK):
        print("SKIP rsyslogd not found; install the Debian package rsyslog")
        sys.exit(SKIP)
    return path


def case_rsyslog_check():
    res = subprocess.run([rsyslogd(), "-N1", "-f", RSYSLOG_CONF],
                         capture_output=True, text=True, timeout=30)
    check(res.returncode == 0, "rsyslogd -N1 accepts rsyslog-c2wall.conf",
          res.stdout + res.stderr)
    # The forwarder's rsyslog.conf loads imtcp after the AMA installer ran,
    # and the kit must still load cleanly next to it.
    with tempfile.TemporaryDirectory() as tmp:
        main = os.path.join(tmp, "rsyslog.conf")
        with open(main, "w") as f:
            f.write('module(load="imtcp")\ninput(type="imtcp" port="514")\n'
                    'include(file="%s")\n' % RSYSLOG_CONF)
        res = subprocess.run([rsyslogd(), "-N1", "-f", main],
                             capture_output=True, text=True, timeout=30)
        check(res.returncode == 0,
              "rsyslog-c2wall.conf loads next to the installer's imtcp",
              res.stdout + res.stderr)


class LineServer:
    """TCP listener on loopback that stores received lines, standing in for
    the agent's port 28330."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.lines = []
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.read, args=(conn,),
                             daemon=True).start()

    def read(self, conn):
        buf = b""
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                with self.lock:
                    self.lines.append(line.decode("utf-8", "replace"))

    def wait(self, count, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.lines) >= count:
                    break
            time.sleep(0.1)
        with self.lock:
            return list(self.lines)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def replace_once(text, old, new):
    if text.count(old) != 1:
        sys.exit("rsyslog-c2wall.conf: expected %r exactly once" % old)
    return text.replace(old, new)


def cef_line(source_port):
    """Return a c2wall alert as the collector writes it. The source port
    distinguishes the test messages."""
    return ("CEF:0|c2wall|c2wall|0.1.0|100|C2 connection blocked|10|"
            "act=blocked cat=c2wall/alert src=192.0.2.10 dst=5.101.81.81 "
            "spt=%d dpt=9323 proto=TCP cs3=Remcos cs3Label=Malware"
            % source_port)


def octet_frame(msg):
    data = msg.encode()
    return b"%d %s" % (len(data), data)


def case_rsyslog_flow():
    binary = rsyslogd()
    agent = LineServer()
    with tempfile.TemporaryDirectory() as tmp:
        listen = free_port()
        with open(RSYSLOG_CONF) as f:
            kit = f.read()
        kit = replace_once(kit, 'port="10514"', 'port="%d"' % listen)
        kit = replace_once(kit, 'port="28330"', 'port="%d"' % agent.port)
        kit_path = os.path.join(tmp, "60-c2wall.conf")
        with open(kit_path, "w") as f:
            f.write(kit)
        # The default ruleset represents the agent's own `*.*` rule and the
        # distribution's /var/log/syslog: c2wall events must not reach it.
        main = os.path.join(tmp, "rsyslog.conf")
        default_log = os.path.join(tmp, "default.log")
        with open(main, "w") as f:
            f.write('global(workDirectory="%s")\ninclude(file="%s")\n'
                    '*.* action(type="omfile" file="%s")\n' %
                    (tmp, kit_path, default_log))
        proc = subprocess.Popen(
            [binary, "-n", "-f", main, "-i", os.path.join(tmp, "pid")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            flow_checks(listen, agent, default_log)
        finally:
            proc.terminate()
            try:
                out, _ = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            if failures:
                print("rsyslogd output:\n" + out)


def flow_checks(listen, agent, default_log):
    deadline = time.time() + 10
    while True:
        try:
            conn = socket.create_connection(("127.0.0.1", listen), timeout=1)
            break
        except OSError:
            if time.time() > deadline:
                check(False, "rsyslogd listens on the kit's input port")
                return
            time.sleep(0.1)

    # local4.warning = 20 * 8 + 4 = 164, local4.notice = 165, user = 13.
    # Each message has its own marker: the source port, or the text.
    messages = [
        ("3164 local4", "spt=40001",
         "<164>Dec  4 10:00:00 coll1 " + cef_line(40001), True),
        ("5424 local4", "spt=40002",
         "<165>1 2026-12-04T10:00:01.000Z coll1 c2wall-collector 4242 - - " +
         cef_line(40002), True),
        ("user facility", "spt=40003",
         "<13>Dec  4 10:00:02 coll1 " + cef_line(40003), False),
        ("local4 without CEF", "hello",
         "<164>Dec  4 10:00:03 coll1 test: hello", False),
        ("other vendor CEF", "acme",
         "<164>Dec  4 10:00:04 coll1 CEF:0|acme|fw|1|1|x|5|src=192.0.2.1",
         False),
    ]
    with conn:
        for _, _, msg, _ in messages:
            conn.sendall(octet_frame(msg))

    # Wait one more second after the expected two, so that a third,
    # unexpected message has time to arrive.
    agent.wait(2, timeout=10)
    time.sleep(1)
    got = agent.wait(99, timeout=0)
    check(len(got) == 2, "agent port got exactly the 2 c2wall local4 events",
          got)
    for label, marker, _, expected in messages:
        hits = [g for g in got if marker in g]
        if expected:
            check(len(hits) == 1, "%s: forwarded once" % label, got)
        else:
            check(not hits, "%s: not forwarded" % label, got)

    for line in got:
        check(re.match(r"^<16[45]>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d "
                       r"coll1 ", line) is not None,
              "forwarded line has PRI, RFC 3164 time and host", line)
        check("CEF:" in line and "|c2wall|c2wall|" in line,
              "forwarded line keeps the CEF header", line)

    leaked = []
    if os.path.exists(default_log):
        with open(default_log) as f:
            leaked = [ln for ln in f if "coll1" in ln]
    check(not leaked, "no message from the kit's input reached the default "
          "ruleset", leaked)


# Microsoft's "CEF and CommonSecurityLog field mapping" article
# (MicrosoftDocs/azure-docs, articles/sentinel/cef-name-mapping.md,
# ms.date 2021-11-09, post-February-2023 revision).
MICROSOFT_CEF_MAP = {
    "act": "DeviceAction", "cat": "DeviceEventCategory",
    "src": "SourceIP", "dst": "DestinationIP", "spt": "SourcePort",
    "dpt": "DestinationPort", "proto": "Protocol", "in": "ReceivedBytes",
    "out": "SentBytes", "rt": "ReceiptTime", "reason": "Reason",
    "msg": "Message", "deviceInboundInterface": "DeviceInboundInterface",
    "deviceOutboundInterface": "DeviceOutboundInterface",
    "app": "ApplicationProtocol", "cnt": "EventCount",
    "dvc": "DeviceAddress", "dvchost": "DeviceName",
    "shost": "SourceHostName", "dhost": "DestinationHostName",
    "outcome": "EventOutcome", "request": "RequestURL",
    "flexString1": "FlexString1", "flexString2": "FlexString2",
    "flexNumber1": "FlexNumber1", "flexNumber2": "FlexNumber2",
}
for _n in range(1, 7):
    MICROSOFT_CEF_MAP["cs%d" % _n] = "DeviceCustomString%d" % _n
for _n in range(1, 4):
    MICROSOFT_CEF_MAP["cn%d" % _n] = "DeviceCustomNumber%d" % _n
for _n in range(1, 5):
    MICROSOFT_CEF_MAP["c6a%d" % _n] = "DeviceCustomIPv6Address%d" % _n
    MICROSOFT_CEF_MAP["cfp%d" % _n] = "DeviceCustomFloatingPoint%d" % _n
# NOTE: Microsoft's article lists no `start` and `end` keys. These two follow
# the ArcSight CEF names (startTime, endTime) and the table's StartTime and
# EndTime columns. docs/sentinel.md marks them as not verified.
ARCSIGHT_ONLY = {"start": "StartTime", "end": "EndTime"}


def collector_cef_keys():
    """Extension keys that cef.c writes, from its add_* calls."""
    with open(CEF_SOURCE) as f:
        source = f.read()
    keys = set(re.findall(r'add_(?:cstr|fmt|str)\(\s*b,\s*"([A-Za-z0-9]+)"',
                          source))
    for key, label_key in re.findall(
            r'add_text\(\s*b,\s*"([A-Za-z0-9]+)",\s*"([A-Za-z0-9]+)"',
            source):
        keys.update((key, label_key))
    return keys


def doc_mapping_rows():
    """CEF key -> CommonSecurityLog columns from docs/sentinel.md's table."""
    with open(DOC) as f:
        text = f.read()
    section = text.split("## Field mapping", 1)[-1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        keys = re.findall(r"`([A-Za-z0-9]+)`", cells[0])
        names = []
        prefix = ""
        for part in re.split(r"\s*/\s*", re.sub(r"\(.*?\)|,.*", "",
                                                   cells[1])):
            part = part.strip()
            if re.fullmatch(r"\d+", part) and prefix:
                part = prefix + part
            prefix = re.sub(r"\d+$", "", part)
            if part:
                names.append(part)
        for n, key in enumerate(keys):
            rows[key] = names[n] if n < len(names) else None
    return rows


def case_cef_mapping():
    keys = collector_cef_keys()
    check(len(keys) >= 30, "found the collector's CEF keys in cef.c",
          sorted(keys))
    rows = doc_mapping_rows()
    csl = SCHEMAS["CommonSecurityLog"]
    for key in sorted(keys):
        base = key[:-len("Label")] if key.endswith("Label") else key
        column = rows.get(base)
        if key != base:
            column = column + "Label" if column else None
        check(column is not None,
              "%s: has a row in the docs/sentinel.md mapping table" % key)
        check(column in csl, "%s: maps to CommonSecurityLog column %s" %
              (key, column))
        expected = MICROSOFT_CEF_MAP.get(base) or ARCSIGHT_ONLY.get(base)
        if key != base and expected:
            expected += "Label"
        check(expected is not None and column == expected,
              "%s: doc column agrees with Microsoft's mapping (%s)" %
              (key, expected))


CASES = {
    "rules": case_rules,
    "kql": case_kql,
    "exclusions": case_exclusions,
    "dcr": case_dcr,
    "rsyslog_check": case_rsyslog_check,
    "rsyslog_flow": case_rsyslog_flow,
    "cef_mapping": case_cef_mapping,
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: test_sentinel.py %s" % "|".join(CASES))
    CASES[sys.argv[1]]()
    print("%d check(s) failed" % failures if failures else "all checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
