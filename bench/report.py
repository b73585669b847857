#!/usr/bin/python3
"""bench/report.py: the agreement check and results table of bench/run.

Reads RUNS/taqmpi-r<N>/ (wall, time.<rank>, stderr, h5/taq_<date>.h5) and
RUNS/duckdb/ (wall, time.0, result.json), checks every taqmpi output against
DuckDB's quote_final (row count, counts of valid records, aggregates, sample
rows) and the taqgen manifest, prints a markdown table and writes it to
--results. Exit 1 when anything disagrees.
"""
import argparse, json, math, os, re, sys, datetime
import h5py
import numpy as np

ap = argparse.ArgumentParser()
for a in ("--runs", "--day", "--date", "--prev", "--ranks", "--results"):
    ap.add_argument(a, required=True)
ap.add_argument("--csv", help="also write the table as CSV (one row per run) to this file")
o = ap.parse_args()


def manifest(d):
    m = {}
    with open(os.path.join(o.day, "taqgen_%s.manifest" % d.replace("-", ""))) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                m[k] = v
    return m


def wall(path):
    t0, t1 = open(os.path.join(path, "wall")).read().split()
    return float(t1) - float(t0)


def walls(path):
    """Every wall time of a rank count's runs (file walls), else just this run's."""
    f = os.path.join(path, "walls")
    return [float(x) for x in open(f).read().split()] if os.path.exists(f) else [wall(path)]


def rss_kb(path):
    out = []
    for name in sorted(os.listdir(path), key=lambda n: (len(n), n)):
        if name.startswith("time."):
            txt = open(os.path.join(path, name)).read()
            out.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt).group(1)))
    return out


def close(a, b, rel=1e-9, abs_=1e-6):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return False
    return abs(a - b) <= abs_ + rel * max(abs(a), abs(b))


mt, mp = manifest(o.date), manifest(o.prev)
in_bytes = int(mt["bytes"]) + int(mp["bytes"])
events = int(mt["events"]) + int(mp["events"])
ddir = os.path.join(o.runs, "duckdb")
duck = json.load(open(os.path.join(ddir, "result.json")))
dc = duck["counts"]
errors = []
if dc["quote_final"] != int(mt["final_quotes"]):
    errors.append("duckdb: quote_final %d rows, manifest final_quotes %s" % (dc["quote_final"], mt["final_quotes"]))
if (dc["trades"], dc["quotes"]) != (int(mt["trades"]), int(mt["quotes"])):
    errors.append("duckdb: trades/quotes %d/%d, manifest %s/%s" % (dc["trades"], dc["quotes"], mt["trades"], mt["quotes"]))

rows = []
stage_txt = []
for r in o.ranks.split():
    path = os.path.join(o.runs, "taqmpi-r%s" % r)
    h5 = os.path.join(path, "h5", "taq_%s.h5" % o.date.replace("-", ""))
    with h5py.File(h5, "r") as f:
        qf = f["quote_final"][:]
        at = f.attrs
        tag = "taqmpi %s rank(s)" % r
        if (int(at["trades"]), int(at["quotes"])) != (dc["trades"], dc["quotes"]):
            errors.append("%s: trades/quotes %d/%d, duckdb %d/%d" % (tag, at["trades"], at["quotes"], dc["trades"], dc["quotes"]))
    n = len(qf)
    if n != dc["quote_final"]:
        errors.append("%s: quote_final %d rows, duckdb %d" % (tag, n, dc["quote_final"]))
    else:
        ltp, lma, bmv, amv = (qf[c] for c in ("last_trade_pr", "last_mov_avg_pr", "bid_pr_mv", "ask_pr_mv"))
        mine = {
            "sum_last_trade_pr": float(np.nansum(ltp)), "nan_last_trade_pr": int(np.isnan(ltp).sum()),
            "sum_last_mov_avg_pr": float(np.nansum(lma)), "sum_bid_pr_mv": float(np.nansum(bmv)),
            "nan_bid_pr_mv": int(np.isnan(bmv).sum()), "sum_ask_pr_mv": float(np.nansum(amv)),
        }
        for k, v in mine.items():
            dv = dc[k] if dc[k] is not None else 0.0
            if not close(v, dv):
                errors.append("%s: %s = %r, duckdb %r" % (tag, k, v, dv))
        for s in duck["sample"]:
            row = qf[s["row"]]
            key = (row["symbol"].decode(), row["exchange"].decode(), str(int(row["event_tm"])), int(row["event_seq_nb"]))
            dkey = (s["symbol"], s["exchange"], s["event_tm"], s["event_seq_nb"])
            if key != dkey:
                errors.append("%s: row %d is %r, duckdb %r" % (tag, s["row"], key, dkey))
                continue
            for c in ("bid_pr", "bid_size", "ask_pr", "ask_size", "last_trade_pr", "last_mov_avg_pr", "bid_pr_mv", "ask_pr_mv"):
                if not close(float(row[c]), s[c]):
                    errors.append("%s: row %d %s = %r, duckdb %r" % (tag, s["row"], c, float(row[c]), s[c]))
    stages = [l.split(None, 1)[1] for l in open(os.path.join(path, "stderr")) if re.search(r"\]\s+total ", l)]
    st = {}
    for l in stages:
        p = l.split()
        st[p[2]] = float(p[5])
    stage_txt.append("taqmpi %s rank(s):\n\n    %s" % (r, "\n    ".join(s.rstrip() for s in stages)))
    rows.append(("taqmpi", int(r), wall(path), rss_kb(path), st, walls(path)))
rows.append(("duckdb (%d threads)" % duck["threads"], 1, wall(ddir), rss_kb(ddir), duck["stages"],
             [wall(ddir)]))

mb = in_bytes / 1e6


def rss_ratio(kb, r):
    """Peak RSS (KiB) over a rank's even share of the input bytes at r ranks."""
    return kb * 1024 / (in_bytes / r)


hdr = "| tool | ranks | wall s | input MB/s | events/s | peak RSS per rank (MB) | RSS / input bytes per rank | stages (s) |"
out = [hdr, "|---|---|---|---|---|---|---|---|"]
for tool, r, w, rss, st, ws in rows:
    spread = " (%.2f-%.2f, median of %d)" % (min(ws), max(ws), len(ws)) if len(ws) > 1 else ""
    out.append("| %s | %d | %.2f%s | %.1f | %.0f | %s | %s | %s |" % (
        tool, r, w, spread, mb / w, events / w, " / ".join("%.0f" % (k / 1024) for k in rss),
        " / ".join("%.2f" % rss_ratio(k, r) for k in rss),
        ", ".join("%s %.2f" % (k, v) for k, v in st.items())))
table = "\n".join(out)
check = "agreement: OK (quote_final %d rows; trades %d, quotes %d; sums, NaN counts and %d sample rows match)" % (
    dc["quote_final"], dc["trades"], dc["quotes"], len(duck["sample"])) if not errors else \
    "agreement: FAILED\n" + "\n".join("  - " + e for e in errors)
head = ("input: %s (target %s, previous %s), %d events over both dates, %.1f MB on disk "
        "(%s + %s lines); host %s, %d cores, load %s" % (
            o.day, o.date, o.prev, events, mb, mt["lines"], mp["lines"], os.uname().nodename,
            os.cpu_count(), " ".join("%.1f" % x for x in os.getloadavg())))
cpus = [os.path.join(o.runs, "cpus." + w) for w in ("before", "after")]
if all(os.path.exists(c) for c in cpus):
    before, after = (open(c).read().split() for c in cpus)
    head += ("\nsame busy loop pinned to each core, seconds, before / after the taqmpi runs: "
             + ", ".join("core %d %s / %s" % (i, b, a) for i, (b, a) in enumerate(zip(before, after))))


def run_dirs(r):
    """Every run folder at r ranks: the median run's, then the others'."""
    return [os.path.join(o.runs, "taqmpi-r%s" % r)] + sorted(
        os.path.join(o.runs, n) for n in os.listdir(o.runs) if n.startswith("taqmpi-r%s.try" % r))


def date_secs(r):
    """The date's own seconds (taqmpi's summary line) of every run at r ranks."""
    out = []
    for d in run_dirs(r):
        m = re.search(r"summary: .* in ([0-9.]+) s", open(os.path.join(d, "stderr")).read())
        if m:
            out.append(float(m.group(1)))
    return out


def walls_by_cpu(dirs):
    """{cpu: [wall, ...]} of the runs in dirs that bench/run pinned to one CPU."""
    out = {}
    for d in dirs:
        f = os.path.join(d, "cpu")
        if os.path.exists(f):
            out.setdefault(int(open(f).read()), []).append(wall(d))
    return out


def pair_dirs():
    """The runs of bench/run's two half days at once, one folder per CPU."""
    out = []
    for n in sorted(os.listdir(o.runs)):
        if n.startswith("taqmpi-pair.try"):
            out += [os.path.join(o.runs, n, c) for c in sorted(os.listdir(os.path.join(o.runs, n)))]
    return out


def median(xs):
    """The lower middle for an even count, as bench/run picks its median run."""
    return sorted(xs)[(len(xs) - 1) // 2]


def half_bytes(h):
    """Input bytes of half h of the day (bench/run links its files)."""
    top = os.path.join(o.runs, "halves", h)
    return sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(top) for n in names)


# The goals the benchmark is for (bench/README): against DuckDB, per core,
# 1 -> 2 ranks and memory. One rank takes turns on the two CPUs that two
# ranks bind to, so its median is neither CPU's alone. The day's two halves
# (shares fa and fb of its bytes), run as 1-rank jobs at once on those CPUs
# in a and b seconds, show what the machine gives two busy CPUs: together
# they get through fa / a + fb / b of the day a second, so a split of the
# day that followed the CPUs' speeds, with nothing between the ranks, would
# take 1 / (fa / a + fb / b) (an estimate: every half starts its own mpiexec).
goals = []
by_r = {r: (w, ws) for tool, r, w, rss, st, ws in rows if tool == "taqmpi"}
duck_w = wall(ddir)
if 2 in by_r:
    goals.append("2 ranks against DuckDB: %.2fx its input MB/s (goal: at least 5x); %.0f MB/s of input per core "
                 "(aim: 250)" % (duck_w / by_r[2][0], mb / by_r[2][0] / 2))
if 1 in by_r and 2 in by_r:
    (w1, ws1), (w2, ws2) = by_r[1], by_r[2]
    d1, d2 = date_secs(1), date_secs(2)
    line = "1 -> 2 ranks (goal: at least 1.8x): %.2fx on the median walls, %.2fx best against best" % (
        w1 / w2, min(ws1) / min(ws2))
    if d1 and d2:
        line += ", %.2fx on the dates' own seconds (medians %.2f / %.2f s, mpiexec's start and exit left out)" % (
            median(d1) / median(d2), median(d1), median(d2))
    goals.append(line)
    alone, both = walls_by_cpu(run_dirs(1)), walls_by_cpu(pair_dirs())
    if len(alone) == 2:
        (ca, wa), (cb, wb) = sorted(alone.items())
        goals.append("1 rank alone on each CPU that 2 ranks use: cpu %d %.2f s, cpu %d %.2f s (median walls of %d "
                     "and %d runs); 1 -> 2 ranks against the runs on cpu %d (where a plain mpiexec -n 1 runs): "
                     "%.2fx" % (ca, median(wa), cb, median(wb), len(wa), len(wb), ca, median(wa) / w2))
    if len(both) == 2:
        # bench/run runs half a on the lower CPU and half b on the other.
        (ca, wa), (cb, wb) = sorted(both.items())
        a, b = median(wa), median(wb)
        ba, bb = half_bytes("a"), half_bytes("b")
        ideal = 1 / (ba / (ba + bb) / a + bb / (ba + bb) / b)
        goals.append("the day's two halves as 1-rank runs at once, one on each of those CPUs (%.1f and %.1f MB; no "
                     "MPI between them, no shared output): cpu %d %.2f s, cpu %d %.2f s (median walls of %d runs "
                     "each): a split that followed the CPUs' speeds would take %.2f s, %.2fx one rank's median "
                     "wall; 2 ranks reach %.0f%% of that" % (
                         ba / 1e6, bb / 1e6, ca, a, cb, b, len(wa), ideal, w1 / ideal, 100 * ideal / w2))
ratios = [rss_ratio(k, r) for tool, r, w, rss, st, ws in rows if tool == "taqmpi" for k in rss]
if ratios:
    goals.append("peak RSS per rank / its input bytes: at most %.2f (goal: under 2)" % max(ratios))
goals_txt = "goals (set for the default 10 M-event day):\n\n" + "\n".join("- " + g for g in goals)
print(head)
print()
print(table)
print()
print(check)
print()
print(goals_txt)
with open(o.results, "w") as f:
    f.write("# bench/run %s\n\n%s\n\n%s\n\n%s\n\n%s\n\n## taqmpi stage summaries (stderr)\n\n%s\n" % (
        datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%SZ"), head, table, check, goals_txt,
        "\n\n".join(stage_txt)))
print("\nwritten: %s" % o.results)
if o.csv:
    import csv
    names = ["read", "parse", "shuffle", "eod", "analytics", "write", "load"]
    with open(o.csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tool", "ranks", "events", "input_mb", "wall_s", "input_mb_per_s", "events_per_s",
                    "peak_rss_mb_max", "rss_over_input_per_rank_max", "agreement"] + ["%s_s" % k for k in names]
                   + ["wall_min_s", "wall_max_s", "runs"])
        for tool, r, w_s, rss, st, ws in rows:
            w.writerow([tool.split()[0], r, events, "%.1f" % mb, "%.3f" % w_s, "%.2f" % (mb / w_s),
                        "%.0f" % (events / w_s), "%.0f" % (max(rss) / 1024),
                        "%.3f" % rss_ratio(max(rss), r), "ok" if not errors else "failed"]
                       + ["%.3f" % st[k] if k in st else "" for k in names]
                       + ["%.3f" % min(ws), "%.3f" % max(ws), len(ws)])
    print("written: %s" % o.csv)
sys.exit(1 if errors else 0)
