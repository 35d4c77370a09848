#!/bin/sh
# eval.sh - scores the shipped rule pack against the gold corpus (issue 3).
#
# Runs `fintag eval --gold corpus/gold.jsonl corpus/*.txt` (strict spans)
# and checks that every entity type the gold corpus holds reaches an F1 of
# at least 0.95, and that the values of the matched spans agree at least 95%
# of the time.  One PASS/FAIL line per type, then one for value accuracy,
# then one for each held-out set (totals only).
# Environment (from tests/run.sh): ROOT, FINTAG, RULES.
set -u
: "${ROOT:?}" "${FINTAG:?}" "${RULES:?}"
MIN=0.95
GOLD=$ROOT/corpus/gold.jsonl
if [ ! -f "$GOLD" ]; then
    echo "SKIP eval/corpus: $GOLD is absent"
    exit 0
fi
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$FINTAG" eval --rules "$RULES" --gold "$GOLD" "$ROOT"/corpus/*.txt > "$OUT" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
    echo "FAIL eval/run: fintag eval exited with status $rc: $(head -3 "$OUT" | tr '\n' ' ')"
    exit 0
fi
echo "PASS eval/run"

# the types the gold file uses; each must appear in the table
types=$(grep -o '"type": *"[a-z_]*"' "$GOLD" | sed 's/.*"\([a-z_]*\)"$/\1/' | sort -u)
if [ -z "$types" ]; then
    echo "FAIL eval/gold-types: no entity types found in $GOLD"
    exit 0
fi
for t in $types; do
    # columns: type gold pred match precision recall f1 value_acc
    row=$(awk -v t="$t" '$1 == t { print $7 }' "$OUT")
    if [ -z "$row" ]; then
        echo "FAIL eval/f1-$t: no row for $t in the eval table"
    elif awk -v f="$row" -v m="$MIN" 'BEGIN { exit !(f >= m) }'; then
        echo "PASS eval/f1-$t: strict F1 $row"
    else
        echo "FAIL eval/f1-$t: strict F1 $row < $MIN"
    fi
done
acc=$(awk '$1 == "total" { print $8 }' "$OUT")
if [ -z "$acc" ]; then
    echo "FAIL eval/value-accuracy: no total row"
elif awk -v a="$acc" -v m="$MIN" 'BEGIN { exit !(a >= m) }'; then
    echo "PASS eval/value-accuracy: $acc"
else
    echo "FAIL eval/value-accuracy: $acc < $MIN"
fi

# the two held-out sets: a regression guard on the totals only (strict F1
# and value accuracy of all types together).  heldout/ was used for tuning
# in session 2 and must stay at 0.98 or more; heldout2/ was never used for
# tuning (do not tune against it) and must stay at 0.95 or more.
for set in heldout:0.98 heldout2:0.95; do
    dir=${set%%:*}
    min=${set#*:}
    g=$ROOT/corpus/$dir/gold.jsonl
    if [ ! -f "$g" ]; then
        echo "SKIP eval/$dir: $g is absent"
        continue
    fi
    "$FINTAG" eval --rules "$RULES" --gold "$g" "$ROOT"/corpus/$dir/*.txt > "$OUT" 2>&1
    f1=$(awk '$1 == "total" { print $7 }' "$OUT")
    acc=$(awk '$1 == "total" { print $8 }' "$OUT")
    if [ -n "$f1" ] && awk -v f="$f1" -v a="$acc" -v m="$min" 'BEGIN { exit !(f >= m && a >= m) }'; then
        echo "PASS eval/$dir: strict F1 $f1, value accuracy $acc"
    else
        echo "FAIL eval/$dir: strict F1 ${f1:-?}, value accuracy ${acc:-?} (minimum $min)"
    fi
done
