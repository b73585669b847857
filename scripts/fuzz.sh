#!/usr/bin/env bash
# Build the libFuzzer harnesses (clang, ASan + UBSan) and run each one for a
# bounded time from a copy of its seed corpus in tests/fuzz-corpus/.
#
#   scripts/fuzz.sh [SECONDS_PER_HARNESS (default 30)] [HARNESS...]
#
# HARNESS names are like csv_line (default: all seven). FUZZ_JOBS=2 runs two
# harnesses at a time. New corpus entries go to a temp dir that is removed
# at exit: the git tree is never written. A crash, leak, timeout, OOM or
# sanitizer report fails the harness; its input is kept in
# build-fuzz/fuzz-artifacts/ and the report is printed. Exits non-zero if
# any harness found something. Last line: "fuzz: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(csv_line json_line timestamp numbers buffer linereader rle)
jobs=${FUZZ_JOBS:-1}

command -v clang >/dev/null || { echo "fuzz: clang not found (run scripts/deps.sh)" >&2; exit 1; }
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAQ_BUILD_FUZZ=ON \
  -DTAQ_BUILD_TESTS=OFF -DTAQ_BUILD_BENCH=OFF -DTAQ_WITH_TRACKER=OFF >/dev/null
cmake --build build-fuzz --target taq_fuzzers -j"$(nproc)" >/dev/null ||
  { echo "fuzz: the harnesses did not build (see above)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/taq-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Longest input per harness: a line may be 65,536 bytes (+ a bit to cross the limit).
opts_for() {
  case $1 in
    csv_line | json_line | buffer) echo "-max_len=70000 -dict=fuzz/taq.dict" ;;
    linereader) echo "-max_len=70000" ;;
    timestamp) echo "-max_len=64" ;;
    numbers) echo "-max_len=1024" ;;
    rle) echo "-max_len=140000" ;; # past two 64 KiB blocks
    *) echo "fuzz: unknown harness $1" >&2; return 1 ;;
  esac
}

start_one() {
  local h=$1 opts
  opts=$(opts_for "$h")
  mkdir -p "$work/corpus-$h" "$work/art-$h"
  cp tests/fuzz-corpus/"fuzz_$h"/* "$work/corpus-$h/"
  # shellcheck disable=SC2086
  ./build-fuzz/fuzz/"fuzz_$h" "$work/corpus-$h" $opts -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/art-$h/" \
    >"$work/$h.log" 2>&1
}

passed=0
failed=0
report_one() {
  local h=$1 rc=$2 log="$work/$1.log" execs arts
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  arts=$(ls "$work/art-$h")
  if [ "$rc" -eq 0 ] && [ -z "$arts" ] &&
    ! grep -qE '==ERROR:|runtime error:|FUZZ PROPERTY VIOLATED' "$log"; then
    echo "fuzz_$h: ${execs:-?} executions in ${secs} s, no findings"
    passed=$((passed + 1))
    return
  fi
  failed=$((failed + 1))
  mkdir -p build-fuzz/fuzz-artifacts
  [ -z "$arts" ] || cp "$work/art-$h"/* build-fuzz/fuzz-artifacts/
  echo "fuzz_$h: FOUND SOMETHING (exit $rc) after ${execs:-?} executions; inputs: ${arts:-none}"
  echo "  (kept in build-fuzz/fuzz-artifacts/; replay: build-fuzz/fuzz/fuzz_$h <file>)"
  grep -E -A25 '==ERROR:|runtime error:|FUZZ PROPERTY VIOLATED|ERROR: libFuzzer' "$log" |
    grep -vE 'in fuzzer::|__libc_start|in _start|in main |^ *$' | head -30 | sed 's/^/  | /'
}

for ((i = 0; i < ${#harnesses[@]}; i += jobs)); do
  batch=("${harnesses[@]:i:jobs}")
  pids=()
  for h in "${batch[@]}"; do
    opts_for "$h" >/dev/null
    start_one "$h" &
    pids+=($!)
  done
  for k in "${!batch[@]}"; do
    rc=0
    wait "${pids[$k]}" || rc=$?
    report_one "${batch[$k]}" "$rc"
  done
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
