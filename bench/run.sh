#!/bin/sh
# run.sh - `make bench`: prepares the corpus and runs fintag_bench.
# Usage: bench/run.sh BUILD_DIR
#
# The corpus is the real news in ../shared/data/financialreport-rss-2025
# (Chinese and English items, text field; see its SOURCE.md) when that
# directory exists; it is decompressed into the build directory and never
# committed.  Otherwise bench/gencorpus.py writes a generated corpus of the
# same size and zh/en mix.  BENCH_STREAM_MB (default 1024) sets the length
# of the piped stream used for the memory measurement (0 skips it);
# BENCH_REPS (default 3) the runs per timing.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
DATA=${BENCH_DATA:-$ROOT/../shared/data/financialreport-rss-2025}
WORK=$BUILD/bench
mkdir -p "$WORK"
CORPUS=$WORK/corpus.jsonl
if [ -f "$DATA/news_zh.jsonl.gz" ] && [ -f "$DATA/news_en.jsonl.gz" ]; then
    echo "corpus: real news from $DATA (news_zh + news_en)"
    gzip -dc "$DATA/news_zh.jsonl.gz" "$DATA/news_en.jsonl.gz" > "$CORPUS"
else
    echo "corpus: $DATA not found; generating 18 MB of zh/en text with bench/gencorpus.py"
    python3 "$ROOT/bench/gencorpus.py" --mb 18 > "$CORPUS"
fi
# a private copy: another `make` in the same tree may relink build/fintag
cp "$BUILD/fintag" "$WORK/fintag"
exec "$BUILD/fintag_bench" --rules "$ROOT/rules" --fintag "$WORK/fintag" \
    --pyre "$ROOT/bench/pyre.py" --tmp "$WORK" \
    --stream-mb "${BENCH_STREAM_MB:-1024}" --reps "${BENCH_REPS:-3}" "$CORPUS"
