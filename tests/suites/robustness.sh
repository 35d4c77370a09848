#!/bin/sh
# robustness.sh - bad input and output conditions that need generated data
# or shell redirections (issue 6): output to a full device, -o into a
# location that cannot be written or that runs out of room (no partial file
# may remain), a million tiny JSONL documents (peak memory must stay flat)
# and one 100 MB document (tagged in windows from a spool file with peak
# memory far below its size, sparse or dense with entities; reported when
# over --max-doc-bytes).  Big inputs are
# generated into a temporary directory.  -o naming a FIFO must write into
# it, not replace it (as root, replacing /dev/null would be a disaster).  Peak memory is read with
# /usr/bin/time -v (SKIP when absent, or under AddressSanitizer, whose
# shadow memory and quarantine make resident size meaningless).
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
R="--rules $RULES"
pass() { echo "PASS robustness/$1"; }
fail() { echo "FAIL robustness/$1: $2"; }
skip() { echo "SKIP robustness/$1: $2"; }

asan=0
grep -q __asan_init "$FINTAG" && asan=1
have_time=0
[ -x /usr/bin/time ] && /usr/bin/time -v true 2>/dev/null && have_time=1

# peak_kb FILE: the "Maximum resident set size" of a /usr/bin/time -v log.
peak_kb() { sed -n 's/.*Maximum resident set size (kbytes): *//p' "$1"; }

# under_64mb NAME LOG WHAT: passes when the run logged in LOG peaked under
# 64 MB resident (skips without /usr/bin/time or under ASan).
under_64mb() {
    if [ $have_time -eq 1 ] && [ $asan -eq 0 ]; then
        kb=$(peak_kb "$2")
        if [ "$kb" -lt 65536 ]; then pass "$1"
        else fail "$1" "peak ${kb} kB for $3"; fi
    else
        skip "$1" "no /usr/bin/time or under ASan"
    fi
}

printf '{"id":1,"text":"5%%"}\n' > "$T/one.jsonl"

# writing to a full device: exit 3 and a message
$FINTAG $R "$T/one.jsonl" > /dev/full 2> "$T/err"
st=$?
if [ $st -eq 3 ] && grep -q 'write error' "$T/err"; then pass dev-full
else fail dev-full "status $st, stderr: $(head -c 200 "$T/err")"; fi

# -o into a location that cannot be created: exit 3, nothing left behind
$FINTAG $R -o /proc/fintag-out.jsonl "$T/one.jsonl" 2> "$T/err"
st=$?
if [ $st -eq 3 ] && [ ! -e /proc/fintag-out.jsonl ] && [ -s "$T/err" ]; then pass output-unwritable
else fail output-unwritable "status $st"; fi

# -o when the disk fills up (file-size limit): exit 3, no partial file, no temp file
mkdir "$T/full"
i=0; : > "$T/many.jsonl"
while [ $i -lt 200 ]; do cat "$T/one.jsonl" >> "$T/many.jsonl"; i=$((i + 1)); done
( ulimit -f 8 && exec $FINTAG $R -j 1 -o "$T/full/out.jsonl" "$T/many.jsonl" ) 2> "$T/err"
st=$?
left=$(ls "$T/full")
if [ $st -eq 3 ] && [ -z "$left" ] && grep -q 'write error' "$T/err"; then pass output-disk-full
else fail output-disk-full "status $st, left: $left, stderr: $(head -c 200 "$T/err")"; fi

# -o naming a FIFO (or a device such as /dev/null) writes into it and
# never replaces it with a regular file
mkfifo "$T/fifo"
cat "$T/fifo" > "$T/fifo.out" &
$FINTAG $R -o "$T/fifo" "$T/one.jsonl" 2> "$T/err"
st=$?
wait
if [ $st -eq 0 ] && [ -p "$T/fifo" ] && grep -q '"value":5' "$T/fifo.out"; then pass output-fifo
else fail output-fifo "status $st, fifo kept: $([ -p "$T/fifo" ] && echo yes || echo no)"; fi

# a closed pipe ends the run quietly
$FINTAG $R "$T/many.jsonl" 2> "$T/err" | head -c 1 > /dev/null
if [ ! -s "$T/err" ]; then pass closed-pipe; else fail closed-pipe "stderr: $(head -c 200 "$T/err")"; fi

# a million tiny documents (fewer under ASan): every one answered, memory flat
n=1000000
[ $asan -eq 1 ] && n=100000
awk -v n=$n 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":%d,\"text\":\"5%%\"}\n", i }' > "$T/tiny.jsonl"
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "{\"id\":%d,\"text\":\"5%%\"}\n", i }' > "$T/small.jsonl"
run_timed() { # LOG CMD...: runs CMD, with /usr/bin/time -v when available
    log=$1; shift
    if [ $have_time -eq 1 ]; then /usr/bin/time -v -o "$log" "$@"; else "$@"; fi
}
run_timed "$T/tiny.time" $FINTAG $R -q "$T/tiny.jsonl" > "$T/tiny.out" 2> "$T/err"
st=$?
lines=$(wc -l < "$T/tiny.out")
ents=$(grep -c '"value":5,' "$T/tiny.out")
if [ $st -eq 0 ] && [ "$lines" -eq $n ] && [ "$ents" -eq $n ] && tail -1 "$T/tiny.out" | grep -q "\"id\":$n,"; then
    pass tiny-documents
else
    fail tiny-documents "status $st, $lines lines and $ents entities for $n documents"
fi
if [ $have_time -eq 0 ]; then skip tiny-documents-memory "/usr/bin/time not installed"
elif [ $asan -eq 1 ]; then skip tiny-documents-memory "resident size is not meaningful under ASan"
else
    run_timed "$T/small.time" $FINTAG $R -q "$T/small.jsonl" > /dev/null 2>&1
    big=$(peak_kb "$T/tiny.time"); small=$(peak_kb "$T/small.time")
    if [ "$big" -lt 65536 ] && [ "$big" -lt $((small + 16384)) ]; then
        pass tiny-documents-memory
    else
        fail tiny-documents-memory "peak ${big} kB for $n documents, ${small} kB for 1000"
    fi
fi

# memory grows little with the thread count: 32 threads (each with its
# own malloc arena, a few of them in 2 MiB pages) take less than 16 MB
# more than one thread, and stay under 64 MB
head -n 200000 "$T/tiny.jsonl" > "$T/tiny200k.jsonl"
run_timed "$T/j1.time" $FINTAG $R -q -j 1 "$T/tiny200k.jsonl" > /dev/null 2>&1
run_timed "$T/j32.time" $FINTAG $R -q -j 32 "$T/tiny200k.jsonl" > "$T/j32.out" 2> "$T/err"
st=$?
if [ $st -eq 0 ] && [ "$(wc -l < "$T/j32.out")" -eq "$(wc -l < "$T/tiny200k.jsonl")" ]; then
    pass many-threads
else
    fail many-threads "status $st, $(wc -l < "$T/j32.out") lines"
fi
under_64mb many-threads-memory "$T/j32.time" "-j 32"
if [ $have_time -eq 1 ] && [ $asan -eq 0 ]; then
    one=$(peak_kb "$T/j1.time"); many=$(peak_kb "$T/j32.time")
    if [ "$many" -lt $((one + 16384)) ]; then pass many-threads-memory-growth
    else fail many-threads-memory-growth "peak ${many} kB with -j 32, ${one} kB with -j 1"; fi
else
    skip many-threads-memory-growth "no /usr/bin/time or under ASan"
fi

# one 100 MB document on one line, then a small one
awk 'BEGIN { s = "The quick brown fox jumps over the lazy dog. "; while (length(s) < 100000) s = s s;
             printf "{\"id\":\"big\",\"text\":\""; for (i = 0; i < 1000; i++) printf "%s", substr(s, 1, 100000);
             printf "5%%\"}\n{\"id\":\"after\",\"text\":\"6%%\"}\n" }' > "$T/big.jsonl"
size=$(wc -c < "$T/big.jsonl")

# over --max-doc-bytes: an error record in its place (exit 1), the next
# line still tagged, and the line is never held whole
run_timed "$T/big.time" $FINTAG $R -q --max-doc-bytes 50M "$T/big.jsonl" > "$T/big.out" 2> "$T/err"
st=$?
if [ $st -eq 1 ] && [ "$(wc -l < "$T/big.out")" -eq 2 ] &&
   head -1 "$T/big.out" | grep -q '"error":"line of [0-9]* bytes exceeds --max-doc-bytes.*"line":1' &&
   tail -1 "$T/big.out" | grep -q '"id":"after".*"value":6'; then
    pass huge-document-reported
else
    fail huge-document-reported "status $st, output: $(head -c 300 "$T/big.out")"
fi
under_64mb huge-document-reported-memory "$T/big.time" "a ${size}-byte line"

# within the limit (default 1G) it is tagged in windows: the record keeps
# the line's bytes, the entity at its very end has exact offsets, and peak
# memory stays under 64 MB
run_timed "$T/bigok.time" $FINTAG $R -q "$T/big.jsonl" > "$T/bigok.out" 2> "$T/err"
st=$?
want='"start":100000000,"end":100000002,"byte_start":100000000,"byte_end":100000002,"value":5'
if [ $st -eq 0 ] && [ "$(wc -l < "$T/bigok.out")" -eq 2 ] &&
   cmp -s -n $((size - 30)) "$T/bigok.out" "$T/big.jsonl" &&
   head -1 "$T/bigok.out" | tail -c 300 | grep -q "$want" &&
   tail -1 "$T/bigok.out" | grep -q '"id":"after".*"value":6'; then
    pass huge-document-streamed
else
    fail huge-document-streamed "status $st, $(cat "$T/err" | head -3), end: $(head -1 "$T/bigok.out" | tail -c 300)"
fi
under_64mb huge-document-streamed-memory "$T/bigok.time" "a ${size}-byte line"

# dense with entities (about 40 per KB): memory still bounded, and the
# same entities as tagging it whole (a smaller copy, compared byte for byte)
dmb=30
[ $asan -eq 1 ] && dmb=3
python3 - "$T/dense.jsonl" $dmb <<'PY'
import sys
s = '营收12.5亿元，同比增长20.83%。中科曙光(603019)发布公告\\n单位：亿元\\n| 营业收入 | 12.5 |\\n'
n = int(sys.argv[2]) * 1000000 // len(s.encode())
with open(sys.argv[1], 'w', encoding='utf-8') as f:
    f.write('{"id":7,"text":"' + s * n + '","published":"2025-01-02"}\n')
PY
run_timed "$T/dense.time" $FINTAG $R -q --date-field published "$T/dense.jsonl" > "$T/dense.out" 2> "$T/err"
st=$?
ents=$(grep -o '"type":' "$T/dense.out" | wc -l)
if [ $st -eq 0 ] && [ "$ents" -gt $((dmb * 30000)) ]; then pass dense-document-streamed
else fail dense-document-streamed "status $st, $ents entities"; fi
under_64mb dense-document-memory "$T/dense.time" "a $dmb MB line with $ents entities"
head -c 3000000 "$T/dense.jsonl" | sed 's/\\n[^\\]*$/"}/' > "$T/dense3.jsonl"
$FINTAG $R -q --date-field published "$T/dense3.jsonl" > "$T/whole.out" 2>&1
$FINTAG $R -q --date-field published --chunk-over 64K --chunk-window 100K "$T/dense3.jsonl" > "$T/chunked.out" 2>&1
if [ -s "$T/whole.out" ] && grep -q '"entities":\[{' "$T/whole.out" && cmp -s "$T/whole.out" "$T/chunked.out"; then
    pass dense-document-same-as-whole
else
    fail dense-document-same-as-whole "$(head -c 200 "$T/whole.out") / $(head -c 200 "$T/chunked.out")"
fi

# the same as a text file (one document): tagged through the spool too;
# the entity at its very end has code-point offsets equal to its byte
# offsets (ASCII text), and memory stays bounded
mb=100
[ $asan -eq 1 ] && mb=20
head -c $((mb * 1000000)) "$T/big.jsonl" | tail -c +19 | head -c $((mb * 1000000 - 100)) > "$T/big.txt"
printf '5%%' >> "$T/big.txt"
tsize=$(wc -c < "$T/big.txt")
run_timed "$T/bigt.time" $FINTAG $R -q "$T/big.txt" > "$T/bigt.out" 2> "$T/err"
st=$?
want="\"start\":$((tsize - 2)),\"end\":$tsize,\"byte_start\":$((tsize - 2)),\"byte_end\":$tsize"
if [ $st -eq 0 ] && grep -q "$want" "$T/bigt.out"; then pass huge-document-tagged
else fail huge-document-tagged "status $st, wanted $want in $(head -c 300 "$T/bigt.out")"; fi
under_64mb huge-text-document-memory "$T/bigt.time" "a ${tsize}-byte text file"

# the spool cannot be created: an error record for that document only
printf '{"id":1,"text":"%s"}\n{"id":2,"text":"5%%"}\n' "$(head -c 5000 /dev/zero | tr '\0' a)" > "$T/two.jsonl"
TMPDIR=$T/nonexistent $FINTAG $R -q --chunk-over 1K "$T/two.jsonl" > "$T/two.out" 2> "$T/err"
st=$?
if [ $st -eq 1 ] && head -1 "$T/two.out" | grep -q '"error":"cannot spool a document of 50[0-9]* bytes' &&
   tail -1 "$T/two.out" | grep -q '"value":5' && grep -q 'two.jsonl:1: cannot spool' "$T/err"; then
    pass spool-failure-reported
else
    fail spool-failure-reported "status $st: $(cat "$T/two.out" "$T/err" | head -c 300)"
fi
