#!/bin/sh
# streaming.sh - output follows input: while fintag's input is still open,
# the records of the lines already sent appear on its output (plain and
# gzip-compressed stdin), as a live feed (`tail -f | fintag`) needs.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# live NAME COMPRESS: sends one line, waits (up to 20 s) for its record
# while keeping the input open, then sends a second line and closes.
live() {
    out=$T/$1.out
    : > "$out"
    (
        printf '{"id":1,"text":"营收5亿元"}\n' | $2
        i=0
        while [ "$(wc -l < "$out")" -lt 1 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
        wc -l < "$out" > "$T/$1.seen"
        printf '{"id":2,"text":"同比增长3%%"}\n' | $2
    ) | "$FINTAG" --rules "$RULES" --jsonl -q > "$out"
    seen=$(cat "$T/$1.seen")
    total=$(wc -l < "$out")
    if [ "$seen" = 1 ] && [ "$total" = 2 ]; then
        echo "PASS streaming/$1"
    else
        echo "FAIL streaming/$1: $seen record(s) before the input closed, $total in all"
    fi
}
live plain cat
live gzip "gzip -c"
