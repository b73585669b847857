#!/bin/sh
# taqgen_check.sh TAQGEN SCRATCH CASE - checks bench/taqgen with standard tools.
#
# Cases (one ctest each, see tests/taqgen.cmake):
#   determinism  same options twice -> byte-identical trees (diff -r)
#   gzip         --gzip: same text as the plain run, and deterministic too
#   manifest     the manifest's counts against the files (wc, grep, awk)
#   dates        two dates into one --out; a rerun needs --force
#   cli          usage errors exit 2, --help lists every option
#   verify       bench/taqgen_verify.py (an independent SPEC 1.2 reading)
#                re-derives every manifest count, per reject reason too
set -eu

VERIFY="$(cd "$(dirname "$0")/.." && pwd)/bench/taqgen_verify.py"

TAQGEN=$1
SCRATCH=$2
CASE=$3
DATE=2020-08-05
# Small, but every kind of line shows up: all reject reasons, CRLF, blanks.
OPTS="--events 20000 --symbols 300 --bad-share 0.01 --blank-share 0.002
      --correction-share 0.01 --crlf-share 0.05 --seed 7 --quiet"

fail() {
    echo "taqgen_check $CASE: FAIL: $*" >&2
    exit 1
}

# get KEY MANIFEST -> the value of KEY=...
get() {
    sed -n "s/^$1=//p" "$2"
}

gen() { # gen DIR [options...]
    dir=$1
    shift
    # shellcheck disable=SC2086
    "$TAQGEN" --out "$dir" --date "$DATE" $OPTS "$@" || fail "taqgen exited $?"
}

parts() { # every part file under DIR, in byte order
    find "$1" -name 'part-*' -type f | LC_ALL=C sort
}

text() { # the decompressed text of every part file under DIR
    parts "$1" | while read -r f; do gzip -dcf "$f"; done
}

rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
cd "$SCRATCH"
M=taqgen_20200805.manifest

case_determinism() {
    gen a
    gen b
    diff -r a b >/dev/null || fail "two runs with the same seed differ"
    gen c --seed 8
    cmp -s a/$M c/$M && fail "another seed gave the same manifest"
    [ "$(parts a | wc -l)" -eq 12 ] || fail "expected 3 exchanges x 4 part files"
    [ -f a/csv/$DATE/NYSE/_SUCCESS ] && [ -f a/json/$DATE/NASDAQ/_SUCCESS ] &&
        [ -f a/csv/$DATE/ARCA/part-00003.txt ] || fail "capstone layout not as expected"
}

case_gzip() {
    gen plain
    gen z1 --gzip
    gen z2 --gzip
    diff -r z1 z2 >/dev/null || fail "two --gzip runs differ"
    [ "$(parts z1 | grep -c '\.txt\.gz$')" -eq 12 ] || fail "expected 12 .txt.gz files"
    text plain >plain.txt
    text z1 >z1.txt
    cmp -s plain.txt z1.txt || fail "gzip text differs from the plain run"
    [ "$(get bytes z1/$M)" -eq "$(parts z1 | xargs cat | wc -c)" ] || fail "gzip bytes"
    [ "$(get text_bytes z1/$M)" -eq "$(wc -c <z1.txt)" ] || fail "gzip text_bytes"
}

case_manifest() {
    gen a --gzip
    m=a/$M
    text a >all.txt
    lines=$(get lines $m)
    [ "$lines" -eq "$(wc -l <all.txt)" ] || fail "lines $lines vs wc -l $(wc -l <all.txt)"
    [ "$lines" -eq $(($(get trades $m) + $(get quotes $m) + $(get rejects $m) + $(get blank $m))) ] ||
        fail "lines != trades + quotes + rejects + blank"
    cr=$(printf '\r')
    [ "$(get blank $m)" -eq "$(grep -c "^$cr\{0,1\}\$" all.txt)" ] || fail "blank lines"
    [ "$(get crlf_lines $m)" -eq "$(grep -c "$cr\$" all.txt)" ] || fail "crlf lines"
    [ "$(get crlf_lines $m)" -gt 0 ] || fail "no CRLF line at --crlf-share 0.05"
    [ "$(get reject.line_too_long $m)" -eq "$(awk 'length($0) > 65536' all.txt | wc -l)" ] ||
        fail "line_too_long"
    [ "$(get files $m)" -eq "$(parts a | wc -l)" ] || fail "files"
    [ "$(get bytes $m)" -eq "$(parts a | xargs cat | wc -c)" ] || fail "bytes"
    [ "$(get superseded $m)" -eq $(($(get corrected_trades $m) + $(get corrected_quotes $m))) ] ||
        fail "superseded"
    [ "$(get events $m)" -eq $(($(get final_trades $m) + $(get final_quotes $m))) ] ||
        fail "events != final_trades + final_quotes"
    [ "$(get events $m)" -eq 20000 ] || fail "events != --events"
    rsum=$(sed -n 's/^reject\.[a-z_]*=//p' $m | awk '{ s += $1 } END { print s }')
    [ "$rsum" -eq "$(get rejects $m)" ] || fail "reject.* do not sum to rejects"
    [ "$(sed -n 's/^reject\.[a-z_]*=//p' $m | grep -c '^0$')" -eq 0 ] ||
        fail "some reject reason never occurs"
}

case_dates() {
    gen out
    "$TAQGEN" --out out --date 2020-08-04 $OPTS || fail "previous date"
    [ -f out/taqgen_20200804.manifest ] && [ -f out/$M ] || fail "one manifest per date"
    [ "$(get trade_dt out/taqgen_20200804.manifest)" = 2020-08-04 ] || fail "trade_dt"
    [ -d out/csv/2020-08-04/NYSE ] && [ -d out/csv/$DATE/NYSE ] || fail "two date folders"
    cmp -s out/csv/2020-08-04/NYSE/part-00000.txt out/csv/$DATE/NYSE/part-00000.txt &&
        fail "two dates got the same events"
    set +e
    "$TAQGEN" --out out --date $DATE --events 10 --quiet 2>/dev/null
    rc=$?
    set -e
    [ $rc -eq 2 ] || fail "rewriting a date without --force exited $rc, not 2"
    gen out --force --gzip
    [ "$(find out/csv/$DATE -name '*.txt' | wc -l)" -eq 0 ] || fail "--force left stale files"
    gen ref --gzip
    diff -r out/csv/$DATE ref/csv/$DATE >/dev/null || fail "--force rerun differs"
    cmp -s out/$M ref/$M || fail "--force rerun manifest differs"
}

expect_usage() { # expect_usage ARGS... -> exit status 2 and a message
    set +e
    "$TAQGEN" "$@" >/dev/null 2>err.txt
    rc=$?
    set -e
    [ $rc -eq 2 ] || fail "'$*' exited $rc, not 2"
    grep -q 'taqgen: error:' err.txt || fail "'$*' gave no error message"
}

case_cli() {
    expect_usage --date $DATE
    expect_usage --out x
    expect_usage --out x --date 2020-02-30
    expect_usage --out x --date $DATE --events abc
    expect_usage --out x --date $DATE --format xml
    expect_usage --out x --date $DATE --exchanges 17
    expect_usage --out x --date $DATE --trade-share 1.5
    expect_usage --out x --date $DATE --bogus
    expect_usage --out x --date $DATE extra
    "$TAQGEN" --help >help.txt || fail "--help exit status"
    for o in out date events symbols exchanges files-per-exchange format gzip gzip-level \
        trade-share correction-share bad-share blank-share zipf seed crlf-share force quiet help; do
        grep -q -- "--$o" help.txt || fail "--help does not list --$o"
    done
}

case_verify() {
    gen mixed
    "${PYTHON:-python3}" "$VERIFY" mixed $DATE || fail "mixed CSV/JSON day"
    gen json --format json --exchanges 4 --files-per-exchange 3 --gzip
    "${PYTHON:-python3}" "$VERIFY" json $DATE || fail "JSON (both key styles), gzip"
}

case "$CASE" in
determinism | gzip | manifest | dates | cli | verify) "case_$CASE" ;;
*) fail "unknown case" ;;
esac
echo "taqgen_check $CASE: ok"
