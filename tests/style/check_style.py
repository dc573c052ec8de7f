# SPDX-License-Identifier: BSD-3-Clause
"""Whole-file checks of the C sources: lines at most 100 columns (tabs
read as 8 wide) except operator-facing string literals, and none of the
banned libc calls.

Usage: check_style.py SOURCE_ROOT
"""

import os
import re
import sys

DIRS = ["app", "tools", "tests"]
BANNED = re.compile(r"\b(sprintf|vsprintf|strcpy|strcat|strtok|gets|atoi|"
                    r"alloca)\s*\(")
MAX_COLS = 100


def c_files(root):
    for top in DIRS:
        for base, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    yield os.path.join(base, name)


def strip_strings_and_comments(line):
    line = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
    line = re.sub(r"/\*.*?\*/", "", line)
    return line.split("//")[0]


def main():
    root = sys.argv[1]
    problems = 0
    files = 0
    for path in c_files(root):
        files += 1
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                width = len(line.expandtabs(8))
                if width > MAX_COLS and '"' not in line:
                    print("%s:%d: %d columns, limit %d"
                          % (rel, n, width, MAX_COLS))
                    problems += 1
                m = BANNED.search(strip_strings_and_comments(line))
                if m:
                    print("%s:%d: banned call %s()" % (rel, n, m.group(1)))
                    problems += 1
    print("%d files checked, %d problems" % (files, problems))
    return 1 if problems else 0


sys.exit(main())
