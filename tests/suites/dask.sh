#!/bin/sh
# dask.sh - examples/dask_tag.py on a real Dask cluster gives, document for
# document, what the fintag CLI gives on the same input.
#
# Builds a small news folder from corpus/*.txt (one JSONL record per
# paragraph, with ids and extra fields, some records outside the BMP, a
# record whose "entities" member the output replaces, and lines the CLI
# rejects), split into a plain file, a gzipped file and a file in a
# subdirectory.  Runs the example, which starts a LocalCluster with 2 worker
# processes, then the CLI on the same files in the same order, and compares
# every output line parsed as JSON (and counts the byte-identical ones).
#
# Interpreter: $FINTAG_PYTHON, else /usr/bin/python3 (Debian's, where
# python3-dask and python3-distributed install), else python3; SKIP when
# none can import dask.bag and distributed.  Library: as in python.sh, the
# normal build's libfintag.so even under `make asan` (a sanitized library
# cannot be loaded into an unsanitized Python).
# Env: ROOT, BUILD, FINTAG, RULES (from tests/run.sh).
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

PY=""
for p in ${FINTAG_PYTHON:-/usr/bin/python3 python3}; do
    if command -v "$p" > /dev/null 2>&1 &&
       "$p" -c 'import dask.bag, distributed' > /dev/null 2>&1; then
        PY=$p
        break
    fi
done
if [ -z "$PY" ]; then
    echo "SKIP dask/cluster: ${FINTAG_PYTHON:-neither /usr/bin/python3 nor python3} cannot import dask.bag and distributed (apt-get install python3-dask python3-distributed; .ci/setup.d/python.sh does)"
    exit 0
fi

LIB=$BUILD/libfintag.so
if [ -f "$LIB" ] && grep -q -a __asan_init "$LIB"; then
    LIB=$ROOT/build/libfintag.so
    if [ ! -f "$LIB" ] || grep -q -a __asan_init "$LIB"; then
        echo "SKIP dask/cluster: $BUILD holds a sanitized library and there is no normal build in $ROOT/build (run make first)"
        exit 0
    fi
fi

# 1. the input folder
mkdir -p "$T/news/sub" "$T/out" "$T/work"
"$PY" - "$ROOT/corpus" "$T/news" <<'EOF' || { echo "FAIL dask/input: could not build the input"; exit 0; }
import glob, gzip, json, os, sys
corpus, news = sys.argv[1], sys.argv[2]
docs = []
for path in sorted(glob.glob(os.path.join(corpus, "*.txt"))):
    name = os.path.basename(path)[:-4]
    with open(path, encoding="utf-8") as f:
        paras = [p.strip() for p in f.read().split("\n\n") if p.strip()]
    for i, p in enumerate(paras):
        docs.append({"id": "%s-%d" % (name, i), "source": name, "text": p})
docs[3]["text"] = "😀" + docs[3]["text"] + "𠀀"
docs[5]["meta"] = {"tags": ["a", "b"], "n": 1.5}
docs[7]["entities"] = "replaced by the tagger"
line = lambda d: json.dumps(d, ensure_ascii=False, separators=(",", ":"))
third = len(docs) // 3
with open(os.path.join(news, "a.jsonl"), "w", encoding="utf-8") as f:
    for d in docs[:third]:
        f.write(line(d) + "\n")
    f.write('{"id":"bad-1","body":"no text field"}\n[1,2]\n\n{"id":"bad-4",}\n')
    f.write('{"id":"x","text":"ascii with spaces"}  \r\n{}\n')
with gzip.open(os.path.join(news, "b.jsonl.gz"), "wt", encoding="utf-8") as f:
    for d in docs[third:2 * third]:
        f.write(json.dumps(d) + "\n")
with open(os.path.join(news, "sub", "c.jsonl"), "w", encoding="utf-8") as f:
    for d in docs[2 * third:]:
        f.write(line(d) + "\n")
EOF

# 2. the example on a LocalCluster with 2 worker processes
(
    cd "$T/work" &&
    FINTAG_LIB=$LIB DASK_TEMPORARY_DIRECTORY=$T/work PYTHONDONTWRITEBYTECODE=1 \
        "$PY" "$ROOT/examples/dask_tag.py" --workers 2 --rules "$RULES" -o "$T/out" "$T/news"
) > "$T/dask.log" 2>&1
st=$?
summary=$(grep '^dask_tag: ' "$T/dask.log")
pids=$(echo "$summary" | sed -n 's/.*(pids \([0-9 ]*\)).*/\1/p')
npids=$(for p in $pids; do echo "$p"; done | sort -u | wc -l)
if [ $st -ne 0 ]; then
    echo "FAIL dask/cluster: dask_tag.py exited with $st: $(tail -5 "$T/dask.log" | tr '\n' ' ')"
    exit 0
elif [ "$npids" -ne 2 ] || ! echo "$summary" | grep -q '3 files on 2 workers'; then
    echo "FAIL dask/cluster: expected 3 files on 2 worker processes, got: $summary"
    exit 0
fi
echo "PASS dask/cluster: $PY ran dask_tag.py on a LocalCluster of 2 worker processes ($pids)"

# 3. the CLI on the same files, in the same order (gzip read through gzip -dc
#    and stdin, so the reference does not depend on the CLI's own .gz support)
"$FINTAG" --rules "$RULES" -q "$T/news/a.jsonl" > "$T/cli.jsonl" 2> /dev/null
gzip -dc "$T/news/b.jsonl.gz" | "$FINTAG" --rules "$RULES" --jsonl -q >> "$T/cli.jsonl" 2> /dev/null
"$FINTAG" --rules "$RULES" -q "$T/news/sub/c.jsonl" >> "$T/cli.jsonl" 2> /dev/null
cat "$T/out/part-00000.jsonl" "$T/out/part-00001.jsonl" "$T/out/part-00002.jsonl" > "$T/dask.jsonl"

"$PY" - "$T/cli.jsonl" "$T/dask.jsonl" <<'EOF'
import json, sys
cli = open(sys.argv[1], encoding="utf-8").read().splitlines()
dask = open(sys.argv[2], encoding="utf-8").read().splitlines()
if len(cli) != len(dask):
    print("FAIL dask/identical: %d CLI lines, %d Dask lines" % (len(cli), len(dask)))
    sys.exit(0)
ents = errors = same_bytes = 0
for i, (a, b) in enumerate(zip(cli, dask), 1):
    ja, jb = json.loads(a), json.loads(b)
    if ja != jb:
        print("FAIL dask/identical: line %d differs: CLI %s / Dask %s" % (i, a[:200], b[:200]))
        sys.exit(0)
    ents += len(ja.get("entities", []))
    errors += "error" in ja
    same_bytes += a == b
if ents < 100 or errors != 5:
    print("FAIL dask/identical: only %d entities and %d error records (want >= 100 and 5)"
          % (ents, errors))
else:
    print("PASS dask/identical: %d documents (%d entities, %d error records) equal to the CLI's, "
          "%d byte for byte" % (len(cli), ents, errors, same_bytes))
EOF
