#!/bin/sh
# fastpath.sh - the prefilter (literal gates, windowed matching) must give
# exactly the entities of the plain path (--plain: every pattern over the
# whole text).  Compared on the test corpus, on generated zh/en news, and
# with --overlaps all so that resolution cannot hide a missing or extra
# candidate.  Also checks that the gate analysis gates most patterns.
set -u
: "${ROOT:?}" "${FINTAG:?}" "${RULES:?}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

same() { # name, then fintag arguments
    name=$1
    shift
    if ! "$FINTAG" -q "$@" > "$TMP/fast" 2> "$TMP/fast.err"; then
        echo "FAIL fastpath/$name: fintag failed: $(head -3 "$TMP/fast.err" | tr '\n' ' ')"
        return
    fi
    "$FINTAG" -q --plain "$@" > "$TMP/plain" 2> /dev/null
    if [ ! -s "$TMP/plain" ]; then
        echo "FAIL fastpath/$name: no output"
    elif cmp -s "$TMP/fast" "$TMP/plain"; then
        echo "PASS fastpath/$name"
    else
        echo "FAIL fastpath/$name: differs from --plain: $(diff "$TMP/plain" "$TMP/fast" | head -4 | cut -c1-200 | tr '\n' ' ')"
    fi
}

same corpus --rules "$RULES" "$ROOT"/corpus/*.txt
same corpus-overlaps --rules "$RULES" --overlaps all "$ROOT"/corpus/*.txt
same corpus-1-thread --rules "$RULES" -j 1 --overlaps all "$ROOT"/corpus/*.txt

if command -v python3 > /dev/null 2>&1; then
    python3 "$ROOT/bench/gencorpus.py" --mb 2 --seed 11 > "$TMP/gen.jsonl"
    same generated --rules "$RULES" --overlaps all --jsonl "$TMP/gen.jsonl"
else
    echo "SKIP fastpath/generated: python3 not found"
fi

# tricky text: hits at the very start and end, long runs of digits and
# numerals before a unit, invalid UTF-8 (sanitised before the gates run)
printf '元1元 12345678901234567890亿元 一二三四五六七八九十百千万亿元 (600519) 2025年\n%s\n' \
    "约 3.5 亿美元，同比增长12.5%，净利润 1,234,567 元，\$AAPL 2025-03-01 $(printf '\377\376')12元" \
    > "$TMP/edge.txt"
same edge --rules "$RULES" --overlaps all "$TMP/edge.txt"
