#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end tests of c2wall-feed: merging feeds into a binary table,
--info, aging, strict mode, damaged tables and exit codes.

The tool's path comes from C2W_FEED_TOOL, the fixtures from C2W_TEST_DATA.
"""

import datetime
import os
import struct
import subprocess
import sys
import tempfile
import unittest

TOOL = os.environ.get('C2W_FEED_TOOL', 'c2wall-feed')
DATA = os.environ.get('C2W_TEST_DATA', os.path.join(
    os.path.dirname(__file__), '..', 'data'))
FEEDS = os.path.join(DATA, 'feeds')
HEADER_SIZE = 96


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True, text=True,
                          timeout=60)


def utc(days_ago):
    t = datetime.datetime.now(datetime.timezone.utc) - \
        datetime.timedelta(days=days_ago)
    return t.strftime('%Y-%m-%d %H:%M:%S')


class FeedTool(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix='c2w-feed-tool-')
        self.addCleanup(self.dir.cleanup)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def write(self, name, text):
        with open(self.path(name), 'w') as f:
            f.write(text)
        return self.path(name)

    def merge(self, *args):
        out = self.path('out.c2wt')
        return run('-o', out, *args), out

    def test_merge_counts(self):
        plain = self.write('list.txt',
                           '198.51.100.0/24\n2001:db8::/32\n'
                           '203.0.113.9/32\n198.51.100.1/24\n'
                           '192.0.2.200:443\n')
        r, out = self.merge(os.path.join(FEEDS, 'threatfox-full.csv'),
                            os.path.join(FEEDS, 'threatfox-export.json'),
                            os.path.join(FEEDS, 'threatfox-api.json'), plain)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('total: 16 indicators, 2 duplicates merged, '
                      '8 rejected, 0 aged', r.stdout)
        self.assertIn('by kind: ip:port 6, ip 2, cidr 2, domain 2, url 2, '
                      'hash 2, other 0', r.stdout)
        self.assertIn('by threat type: botnet_cc 8, (none) 4, payload 2, '
                      'payload_delivery 2', r.stdout)
        self.assertIn('list.txt:4: "198.51.100.1/24": rejected: host bits',
                      r.stderr)
        self.assertTrue(os.path.exists(out))
        self.assertEqual(
            [f for f in os.listdir(self.dir.name) if '.tmp-' in f], [])

        info = run('--info', out)
        self.assertEqual(info.returncode, 0, info.stderr)
        self.assertIn('format version: 1\n', info.stdout)
        self.assertIn('records: 16\n', info.stdout)
        self.assertIn('flags: 0x0\n', info.stdout)
        self.assertRegex(info.stdout, r'checksum: 0x[0-9a-f]{16}: ok\n')

    def test_table_as_input(self):
        csv = os.path.join(FEEDS, 'threatfox-full.csv')
        r, out = self.merge(csv)
        self.assertEqual(r.returncode, 0, r.stderr)
        again = self.path('again.c2wt')
        r2 = run('-o', again, out, csv)
        self.assertEqual(r2.returncode, 0, r2.stderr)
        self.assertIn('out.c2wt: 4 new, 0 duplicates, 0 rejected, 0 aged, loaded in ', r2.stdout)
        self.assertIn('threatfox-full.csv: 0 new, 5 duplicates', r2.stdout)
        with open(out, 'rb') as a, open(again, 'rb') as b:
            one, two = a.read(), b.read()
        # Only the creation time and the header checksum may differ.
        self.assertEqual(one[HEADER_SIZE:], two[HEADER_SIZE:])
        self.assertEqual(one[:32], two[:32])

    def test_allow_flag(self):
        r, out = self.merge('--allow', os.path.join(FEEDS,
                                                    'threatfox-full.csv'))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(', allowlist', r.stdout)
        self.assertIn('flags: 0x1 allowlist', run('--info', out).stdout)

    def test_max_age(self):
        feed = self.write('aged.csv',
                          '# "ioc_value","ioc_type","last_seen_utc",'
                          '"first_seen_utc"\n'
                          f'"192.0.2.1:80","ip:port","{utc(1)}",""\n'
                          f'"192.0.2.2:80","ip:port","{utc(40)}",""\n'
                          f'"192.0.2.3:80","ip:port","","{utc(40)}"\n'
                          '"192.0.2.4:80","ip:port","",""\n')
        r, out = self.merge('--max-age', '30', feed)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('total: 2 indicators, 0 duplicates merged, '
                      '0 rejected, 2 aged', r.stdout)
        self.assertIn('aged.csv: 2 records dropped: last seen more than '
                      '2592000 s ago', r.stderr)
        self.assertIn('records: 2\n', run('--info', out).stdout)

    def test_strict_keeps_old_table(self):
        r, out = self.merge(os.path.join(FEEDS, 'threatfox-api.json'))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, 'rb') as f:
            before = f.read()
        r = run('--strict', '-o', out, os.path.join(FEEDS,
                                                    'threatfox-full.csv'))
        self.assertEqual(r.returncode, 1)
        self.assertIn('rejected: IPv4 octet out of range', r.stderr)
        self.assertIn('not loaded, nothing written', r.stderr)
        with open(out, 'rb') as f:
            self.assertEqual(f.read(), before)

    def test_every_record_rejected(self):
        junk = self.write('junk.txt', 'not an indicator\nnor this one\n')
        r, out = self.merge(junk)
        self.assertEqual(r.returncode, 1)
        self.assertIn('every record rejected', r.stderr)
        self.assertFalse(os.path.exists(out))

    def test_dry_run(self):
        r = run('-n', os.path.join(FEEDS, 'threatfox-full.csv'))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('total: 4 indicators', r.stdout)
        self.assertNotIn('wrote', r.stdout)
        self.assertEqual(run('-n', '-o', self.path('x'), 'y').returncode, 2)

    def test_missing_feed(self):
        r, out = self.merge(self.path('absent.csv'))
        self.assertEqual(r.returncode, 1)
        self.assertIn('absent.csv: cannot load: No such file', r.stderr)

    def test_damaged_tables(self):
        r, out = self.merge(os.path.join(FEEDS, 'threatfox-export.json'))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, 'rb') as f:
            good = f.read()
        flipped = bytearray(good)
        flipped[len(good) // 2] ^= 0x01
        newer = bytearray(good)
        struct.pack_into('<H', newer, 8, 2)
        cases = {
            'flipped': (bytes(flipped), 'body checksum mismatch'),
            'truncated': (good[:len(good) * 5 // 8], 'truncated'),
            'newer': (bytes(newer), 'table format version 2 unknown'),
            'text': (b'192.0.2.1\n', 'magic number missing'),
        }
        for name, (data, reason) in cases.items():
            with self.subTest(name):
                path = self.path(name + '.c2wt')
                with open(path, 'wb') as f:
                    f.write(data)
                info = run('--info', path)
                self.assertEqual(info.returncode, 1)
                self.assertIn(reason, info.stderr)
                self.assertIn(path, info.stderr)
                if name == 'text':
                    continue
                merged = run('-o', self.path('m.c2wt'), path)
                self.assertEqual(merged.returncode, 1)
                self.assertIn(path + ': binary indicator table rejected: '
                              + reason, merged.stderr)

    def test_usage(self):
        for args in ([], ['-o', self.path('x')], ['--max-age', '0', '-o',
                     'x', 'y'], ['--max-age', '3d', '-o', 'x', 'y'],
                     ['--info', 'a', 'b'], ['--bogus']):
            with self.subTest(args=args):
                self.assertEqual(run(*args).returncode, 2)
        r = run('--help')
        self.assertEqual(r.returncode, 0)
        self.assertIn('Exit status: 0 success, 1', r.stdout)


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
