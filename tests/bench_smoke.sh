#!/usr/bin/env bash
# bench_smoke.sh WORK BUILD [bench/run options...]: run bench/run into a fresh
# WORK/results and check what it leaves there: one table (.md), one CSV with
# a row per taqmpi rank count plus DuckDB, all agreeing, and a PNG plot.
set -euo pipefail
work=$1 build=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work/results"
"$root/bench/run" --build "$build" --work "$work" --results "$work/results" "$@"
fail() { echo "bench_smoke: $*" >&2; exit 1; }
shopt -s nullglob
csv=("$work"/results/results-*.csv) png=("$work"/results/results-*.png) md=("$work"/results/results-*.md)
[ ${#csv[@]} -eq 1 ] && [ ${#png[@]} -eq 1 ] && [ ${#md[@]} -eq 1 ] || fail "expected one .csv, .png and .md in $work/results"
head -1 "${csv[0]}" | grep -q '^tool,ranks,events,input_mb,wall_s,input_mb_per_s,' || fail "CSV header: $(head -1 "${csv[0]}")"
got=$(awk -F, 'NR > 1 {print $1 ":" $2 ":" $10}' "${csv[0]}" | tr '\n' ' ')
[ "$got" = "taqmpi:1:ok taqmpi:2:ok duckdb:1:ok " ] || fail "CSV rows: $got"
# Every row's reported wall time lies within the spread of its runs.
awk -F, 'NR > 1 && !($18 <= $5 && $5 <= $19 && $20 >= 1) {bad = 1} END {exit bad}' "${csv[0]}" \
  || fail "wall_s outside wall_min_s..wall_max_s: $(cat "${csv[0]}")"
# The goals block agrees with the CSV: goal NAME LINE-PREFIX AWK-EXPR checks the
# first number after the prefix against the expression, over w[tool ranks] (wall_s)
# and m[tool ranks] (rss_over_input_per_rank_max), to the table's rounding.
goal() {
  local line
  line=$(grep -F -- "- $2" "${md[0]}") || fail "no $1 line in ${md[0]}"
  awk -F, -v line="$line" -v pre="- $2" "NR > 1 {w[\$1 \" \" \$2] = \$5; m[\$1 \" \" \$2] = \$9}
    END {got = substr(line, length(pre) + 1) + 0; want = $3; exit !(got > 0 && got - want < 0.011 && want - got < 0.011)}" \
    "${csv[0]}" || fail "$1 line does not match the CSV: $line"
}
goal "DuckDB" '2 ranks against DuckDB: ' 'w["duckdb 1"] / w["taqmpi 2"]'
goal "1 -> 2 ranks" '1 -> 2 ranks (goal: at least 1.8x): ' 'w["taqmpi 1"] / w["taqmpi 2"]'
goal "peak RSS" 'peak RSS per rank / its input bytes: at most ' \
  '(m["taqmpi 1"] > m["taqmpi 2"] ? m["taqmpi 1"] : m["taqmpi 2"])'
# With two CPUs or more, one rank took turns on the first two: both CPUs'
# medians are listed and lie within the spread of the 1-rank runs. The
# day's two halves also ran at once: together they hold the day's bytes,
# and the share of their split that 2 ranks reach agrees with the CSV.
if [ "$(nproc)" -ge 2 ]; then
  line=$(grep -F -- "- 1 rank alone on each CPU that 2 ranks use: " "${md[0]}") || fail "no per-CPU line in ${md[0]}"
  read -r a b < <(sed -E 's/.*use: cpu [0-9]+ ([0-9.]+) s, cpu [0-9]+ ([0-9.]+) s .*/\1 \2/' <<<"$line")
  awk -F, -v a="$a" -v b="$b" '$1 == "taqmpi" && $2 == 1 {ok = $18 - 0.006 <= a && a <= $19 + 0.006 && $18 - 0.006 <= b && b <= $19 + 0.006}
    END {exit !ok}' "${csv[0]}" || fail "per-CPU medians outside the 1-rank runs' spread: $line"
  line=$(grep -F -- "- the day's two halves as 1-rank runs at once, " "${md[0]}") \
    || fail "no line on the two halves in ${md[0]}"
  read -r ma mb a b t p < <(sed -E 's/.*\(([0-9.]+) and ([0-9.]+) MB; .*\): cpu [0-9]+ ([0-9.]+) s, cpu [0-9]+ ([0-9.]+) s .* would take ([0-9.]+) s, .* reach ([0-9]+)% of that$/\1 \2 \3 \4 \5 \6/' <<<"$line")
  # The halves hold the whole day, and the share is the ideal over the CSV's 2-rank wall.
  in_mb=$(awk -F, 'NR == 2 {print $4}' "${csv[0]}")
  awk -v a="$ma" -v b="$mb" -v i="$in_mb" 'BEGIN {exit !(a > 0 && b > 0 && a + b - i <= 0.11 && i - a - b <= 0.11)}' \
    || fail "the halves ($ma + $mb MB) are not the day ($in_mb MB)"
  awk -F, -v a="$a" -v b="$b" -v t="$t" -v p="$p" '$1 == "taqmpi" && $2 == 2 {want = 100 * t / $5}
    END {exit !(a > 0 && b > 0 && t > 0 && want - p < 1.5 && p - want < 1.5)}' "${csv[0]}" \
    || fail "the two halves: share does not match the CSV: $line"
fi
[ "$(head -c 4 "${png[0]}" | od -An -tx1 | tr -d ' \n')" = "89504e47" ] || fail "${png[0]} is not a PNG"
echo "bench_smoke: ${csv[0]}, ${png[0]} and ${md[0]} written"
