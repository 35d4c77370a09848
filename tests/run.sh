#!/bin/sh
# run.sh - the whole test suite.  Usage: tests/run.sh BUILD_DIR
#
# 1. unit tests: every BUILD/tests/test_* binary prints PASS/FAIL lines;
# 2. CLI cases: every tests/cases/NAME/ holds `args` (shell words; $RULES is
#    the shipped rules directory), optional `stdin`, `expected` (stdout),
#    optional `expected_stderr` and `status` (default 0); the case runs with
#    the case directory as working directory;
# 3. the rule pack's own examples (`fintag check rules`);
# 4. suites: every tests/suites/*.sh prints PASS/FAIL/SKIP lines.
# The last line is "N passed, N failed" (", N skipped" when any were).
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
FINTAG=$BUILD/fintag
RULES=$ROOT/rules
export ROOT BUILD FINTAG RULES
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
LOG=$OUT/log
: > "$LOG"

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" >> "$LOG" 2>&1 || echo "FAIL unit/$(basename "$t"): exited with status $?" >> "$LOG"
done

for dir in "$ROOT"/tests/cases/*/; do
    name=$(basename "$dir")
    [ -f "$dir/args" ] || continue
    want_status=0
    [ -f "$dir/status" ] && want_status=$(cat "$dir/status")
    args=$(cat "$dir/args")
    (
        cd "$dir" || exit 99
        eval "set -- $args"
        if [ -f stdin ]; then "$FINTAG" "$@" < stdin; else "$FINTAG" "$@" < /dev/null; fi
    ) > "$OUT/stdout" 2> "$OUT/stderr"
    got_status=$?
    why=""
    if [ "$got_status" != "$want_status" ]; then
        why="exit status $got_status, expected $want_status"
    elif ! cmp -s "$OUT/stdout" "$dir/expected"; then
        why="stdout differs: $(diff "$dir/expected" "$OUT/stdout" | head -5 | tr '\n' ' ')"
    elif [ -f "$dir/expected_stderr" ] && ! cmp -s "$OUT/stderr" "$dir/expected_stderr"; then
        why="stderr differs: $(diff "$dir/expected_stderr" "$OUT/stderr" | head -5 | tr '\n' ' ')"
    fi
    if [ -z "$why" ]; then echo "PASS case/$name" >> "$LOG"; else echo "FAIL case/$name: $why" >> "$LOG"; fi
done

if "$FINTAG" check "$RULES" > "$OUT/check" 2>&1; then
    echo "PASS rules/examples: $(tail -1 "$OUT/check")" >> "$LOG"
else
    echo "FAIL rules/examples: $(cat "$OUT/check" | head -20 | tr '\n' ' ')" >> "$LOG"
fi

for s in "$ROOT"/tests/suites/*.sh; do
    [ -f "$s" ] || continue
    sh "$s" >> "$LOG" 2>&1 || echo "FAIL suite/$(basename "$s" .sh): exited with status $?" >> "$LOG"
done

grep -E '^(FAIL|SKIP)' "$LOG"
pass=$(grep -c '^PASS' "$LOG")
fail=$(grep -c '^FAIL' "$LOG")
skip=$(grep -c '^SKIP' "$LOG")
if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
