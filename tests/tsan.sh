#!/bin/sh
# tsan.sh - the CLI's threads under ThreadSanitizer (`make tsan`).
# Usage: tests/tsan.sh TSAN_BUILD_DIR BUILD_DIR
#
# The -j threads share the ring of batches (src/cli/run.c): these runs
# cover each role (reading, tagging, writing) in every output format, with
# 1, 2 and 4 threads, on the test corpus as text files and as JSONL (a
# generated corpus when python3 is there, else the CLI cases' JSONL),
# records too large for their batch's output region, long
# documents tagged in windows (--chunk-over), an input that stalls (a live
# feed: batches handed over early), and `| head` closing the output.  A
# run passes when ThreadSanitizer reports nothing and its output equals
# the normal build's -j 1 output byte for byte.  The last line is
# "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TS=$ROOT/${1:-build-tsan}/fintag
REF=$ROOT/${2:-build}/fintag
RULES=$ROOT/rules
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
TSAN_OPTIONS="halt_on_error=1 exitcode=66 report_signal_unsafe=0"
export TSAN_OPTIONS
pass=0
fail=0
ok() { echo "PASS tsan/$1"; pass=$((pass + 1)); }
bad() { echo "FAIL tsan/$1: $2"; fail=$((fail + 1)); }

if python3 "$ROOT/bench/gencorpus.py" --mb 2 > "$T/in.jsonl" 2> /dev/null; then :; else
    cat "$ROOT"/tests/cases/*/stdin > "$T/in.jsonl" 2> /dev/null
fi
set -- "$ROOT"/corpus/*.txt

# same NAME ARGS...: the ThreadSanitizer build with -j 2 and -j 4 against
# the normal build with -j 1 (stdout and exit status)
same() {
    name=$1
    shift
    "$REF" --rules "$RULES" -q -j 1 "$@" > "$T/ref" 2> /dev/null
    want=$?
    for j in 1 2 4; do
        "$TS" --rules "$RULES" -q -j $j "$@" > "$T/out" 2> "$T/err"
        got=$?
        if grep -q "ThreadSanitizer" "$T/err"; then
            bad "$name-j$j" "$(grep -m1 -A3 'WARNING: ThreadSanitizer' "$T/err" | tr '\n' ' ')"
        elif [ $got -ne $want ]; then
            bad "$name-j$j" "exit status $got, the normal build's $want"
        elif ! cmp -s "$T/ref" "$T/out"; then
            bad "$name-j$j" "output differs from the normal build's -j 1"
        else
            ok "$name-j$j"
        fi
    done
}

for f in jsonl csv conll spacy doccano labelstudio inline html; do
    same "text-$f" -f "$f" "$@"
    same "jsonl-$f" -f "$f" --jsonl "$T/in.jsonl"
done
same "jsonl-overlaps-utf16" --overlaps all --offsets utf16 --jsonl "$T/in.jsonl"
# records larger than their batch's output region holds (each thread
# takes its share of the region, or keeps its own buffer)
s='营收6.06亿元，同比增长5%，净利润1.2亿元。'
s="$s$s$s$s$s$s$s$s$s$s"
s="$s$s$s$s$s"
i=0
while [ $i -lt 500 ]; do
    if [ $((i % 3)) -eq 0 ]; then echo "{\"id\":\"d$i\",\"text\":\"公司发布公告。\"}"
    else echo "{\"id\":\"d$i\",\"text\":\"$s\"}"; fi
    i=$((i + 1))
done > "$T/dense.jsonl"
same "jsonl-dense" --jsonl "$T/dense.jsonl"
same "chunked" --chunk-over 64 --chunk-window 100 "$@"

# brat writes files: compare the directories
for j in 2 4; do
    rm -rf "$T/b1" "$T/b2"
    "$REF" --rules "$RULES" -q -j 1 -f brat --out-dir "$T/b1" --jsonl "$T/in.jsonl" 2> /dev/null
    "$TS" --rules "$RULES" -q -j $j -f brat --out-dir "$T/b2" --jsonl "$T/in.jsonl" 2> "$T/err"
    if grep -q "ThreadSanitizer" "$T/err"; then bad "brat-j$j" "ThreadSanitizer report"
    elif ! diff -r "$T/b1" "$T/b2" > /dev/null; then bad "brat-j$j" "files differ"
    else ok "brat-j$j"; fi
done

# stats: its figures include the run's timing; only the reports matter
"$TS" stats --rules "$RULES" -q -j 4 --jsonl "$T/in.jsonl" > /dev/null 2> "$T/err"
if grep -q "ThreadSanitizer" "$T/err"; then bad stats-j4 "ThreadSanitizer report"; else ok stats-j4; fi

# a stalled input: a few lines, a pause, the rest (batches handed over early)
head -n 40 "$T/in.jsonl" > "$T/a"
tail -n +41 "$T/in.jsonl" | head -n 200 > "$T/b"
cat "$T/a" "$T/b" > "$T/ab"
"$REF" --rules "$RULES" -q -j 1 --jsonl "$T/ab" > "$T/ref" 2> /dev/null
for j in 2 4; do
    { cat "$T/a"; sleep 1; cat "$T/b"; } | "$TS" --rules "$RULES" -q -j $j --jsonl > "$T/out" 2> "$T/err"
    if grep -q "ThreadSanitizer" "$T/err"; then bad "stalled-input-j$j" "ThreadSanitizer report"
    elif ! cmp -s "$T/ref" "$T/out"; then bad "stalled-input-j$j" "output differs"
    else ok "stalled-input-j$j"; fi
done

# the reader of the output goes away
for j in 2 4; do
    "$TS" --rules "$RULES" -q -j $j --jsonl "$T/in.jsonl" 2> "$T/err" | head -n 3 > /dev/null
    if grep -q "ThreadSanitizer" "$T/err"; then bad "closed-pipe-j$j" "ThreadSanitizer report"
    else ok "closed-pipe-j$j"; fi
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
