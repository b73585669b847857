#!/usr/bin/env python3
"""taqgen_verify.py OUT DATE - re-derive a taqgen day's manifest from its files.

An independent reading of SPEC 1.2 (Python, no shared code with taqgen or
taqmpi): classifies every line as trade, quote, blank or reject (first
reason that applies), then checks the manifest's counts, that every key is
sent at most twice (original + one correction with a later arrival_tm and
another price), that seq numbers run 1..n per (symbol, exchange), that
ask > bid > 0, and that originals are in (symbol, event_tm, seq) order
inside each file. Slow (about a minute per million events); the small
ctest day takes a second. Exit 0 when everything matches.
"""
import collections
import datetime
import gzip
import json
import os
import re
import sys

TS = re.compile(r'^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.(\d{1,9}))?$')
DT = re.compile(r'^(\d{4})-(\d{2})-(\d{2})$')
INT = re.compile(r'^-?\d+$')
DEC = re.compile(r'^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$')
EPOCH = datetime.date(1970, 1, 1)


class Reject(Exception):
    pass


def real_date(y, m, d):
    try:
        return datetime.date(int(y), int(m), int(d))
    except ValueError:
        return None


def ts_ns(s):
    m = TS.match(s) if isinstance(s, str) else None
    if not m:
        return None
    day = real_date(*m.group(1, 2, 3))
    h, mi, se = (int(x) for x in m.group(4, 5, 6))
    if day is None or h > 23 or mi > 59 or se > 59:
        return None
    frac = int((m.group(8) or '').ljust(9, '0'))
    return ((day - EPOCH).days * 86400 + h * 3600 + mi * 60 + se) * 10**9 + frac


def name_ok(s, n):
    return isinstance(s, str) and 1 <= len(s) <= n and all(0x21 <= ord(c) <= 0x7e for c in s)


def price(v, is_json):
    if is_json:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise Reject('bad_number')
        return float(v)
    if not DEC.match(v):
        raise Reject('bad_number')
    return float(v)


def integer(v, is_json):
    if is_json:
        if isinstance(v, bool) or not isinstance(v, int):
            raise Reject('bad_number')
    elif not INT.match(v):
        raise Reject('bad_number')
    x = int(v)
    if not -2**63 <= x < 2**63:
        raise Reject('bad_number')
    return x


def record(f, is_json, folder_date):
    """f: trade_dt, arrival, type, symbol, event_tm, seq, exchange, numbers..."""
    tdt, arr, typ, sym, etm, seq, exch = f[:7]
    if typ not in ('T', 'Q'):
        raise Reject('unknown_type')
    if not name_ok(sym, 16) or not name_ok(exch, 8):
        raise Reject('bad_symbol')
    a, e = ts_ns(arr), ts_ns(etm)
    if a is None or e is None:
        raise Reject('bad_timestamp')
    seq = integer(seq, is_json)
    if typ == 'T':
        nums = [price(f[7], is_json), integer(f[8], is_json)]
    else:
        nums = [price(f[7], is_json), integer(f[8], is_json),
                price(f[9], is_json), integer(f[10], is_json)]
    if seq < 0 or any(x < 0 for x in nums):
        raise Reject('negative_value')
    m = DT.match(tdt) if isinstance(tdt, str) else None
    if not m or real_date(*m.groups()) is None:
        raise Reject('bad_trade_dt')
    if tdt != folder_date:
        raise Reject('date_mismatch')
    return (typ, sym, exch, e, seq), a, nums


def parse_csv(line, folder_date):
    f = line.split(',')
    if len(f) not in (9, 11) or (f[2] == 'T' and len(f) != 9) or (f[2] == 'Q' and len(f) != 11):
        raise Reject('field_count')
    return record(f, False, folder_date)


COMMON = ['trade_dt', 'file_tm', 'event_type', 'symbol', 'event_tm', 'event_seq_nb', 'exchange']
EXTRA = {'T': ['price', 'size'], 'Q': ['bid_pr', 'bid_size', 'ask_pr', 'ask_size']}


def parse_json(line, folder_date):
    try:
        o = json.loads(line)
    except ValueError:
        raise Reject('bad_json')
    if not isinstance(o, dict):
        raise Reject('bad_json')
    keys = COMMON + EXTRA.get(o.get('event_type'), [])
    if any(k not in o for k in keys):
        raise Reject('missing_field')
    return record([o[k] for k in keys], True, folder_date)


def read_text(path):
    raw = open(path, 'rb').read()
    return gzip.decompress(raw) if raw[:2] == b'\x1f\x8b' else raw, len(raw)


class Day:
    def __init__(self, date):
        self.date = date
        self.open_ns = ts_ns(date + ' 09:30:00')
        self.c = collections.Counter()
        self.reasons = collections.Counter()
        self.sent = {}  # key -> [(arrival, numbers)]

    def line(self, bl, is_json):
        self.c['lines'] += 1
        if bl.endswith(b'\r'):
            bl = bl[:-1]
            self.c['crlf_lines'] += 1
        if not bl:
            self.c['blank'] += 1
            return None
        try:
            if len(bl) > 65536:
                raise Reject('line_too_long')
            line = bl.decode('ascii')
            key, a, nums = (parse_json if is_json else parse_csv)(line, self.date)
        except Reject as why:
            self.c['rejects'] += 1
            self.reasons[str(why)] += 1
            return None
        self.c['trades' if key[0] == 'T' else 'quotes'] += 1
        assert nums[0] > 0 and (key[0] == 'T' or nums[2] > nums[0]), line
        self.sent.setdefault(key, []).append((a, nums))
        return key, a

    def file(self, path, is_json, exch):
        text, disk = read_text(path)
        self.c['files'] += 1
        self.c['bytes'] += disk
        self.c['text_bytes'] += len(text)
        assert not text or text.endswith(b'\n'), path
        last = None
        for n, bl in enumerate(text.split(b'\n')[:-1], 1):
            got = self.line(bl, is_json)
            if got is None or got[1] != self.open_ns:
                continue
            (typ, sym, ex, e, seq), _ = got
            assert ex == exch, (path, n)
            assert last is None or (sym, e, seq) >= last, ('order', path, n)
            last = (sym, e, seq)

    def check_keys(self):
        seqs = collections.defaultdict(set)
        for key, sent in self.sent.items():
            seqs[(key[1], key[2])].add(key[4])
            assert len(sent) <= 2, key
            if len(sent) == 2:
                orig, fix = sorted(sent, key=lambda s: s[0])
                assert orig[0] == self.open_ns < fix[0] and orig[1] != fix[1], key
        for s in seqs.values():
            assert s == set(range(1, len(s) + 1))
        self.c['events'] = len(self.sent)
        self.c['superseded'] = sum(len(s) - 1 for s in self.sent.values())


def main(out, date):
    path = os.path.join(out, 'taqgen_%s.manifest' % date.replace('-', ''))
    man = dict(l.rstrip('\n').split('=', 1) for l in open(path) if '=' in l and l[0] != '#')
    day = Day(date)
    for kind in ('csv', 'json'):
        top = os.path.join(out, kind, date)
        for exch in sorted(os.listdir(top)) if os.path.isdir(top) else []:
            assert os.path.exists(os.path.join(top, exch, '_SUCCESS')), exch
            for fn in sorted(os.listdir(os.path.join(top, exch))):
                if fn.endswith('.txt') or fn.endswith('.txt.gz'):
                    day.file(os.path.join(top, exch, fn), kind == 'json', exch)
    day.check_keys()
    keys = ['lines', 'trades', 'quotes', 'rejects', 'blank', 'superseded', 'events', 'files',
            'bytes', 'text_bytes', 'crlf_lines']
    wrong = ['%s: files %d, manifest %s' % (k, day.c[k], man.get(k)) for k in keys
             if str(day.c[k]) != man.get(k)]
    reasons = set(day.reasons) | {k[7:] for k in man if k.startswith('reject.')}
    wrong += ['reject.%s: files %d, manifest %s' % (r, day.reasons[r], man.get('reject.' + r))
              for r in sorted(reasons) if str(day.reasons[r]) != man.get('reject.' + r, '0')]
    for w in wrong:
        print('taqgen_verify: MISMATCH ' + w)
    print('taqgen_verify: %s %s: %s (%d lines)' % (out, date, 'FAILED' if wrong else 'ok',
                                                    day.c['lines']))
    return 1 if wrong else 0


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
