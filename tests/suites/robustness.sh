#!/bin/sh
# robustness.sh - bad input and output conditions that need generated data
# or shell redirections (issue 6): output to a full device, -o into a
# location that cannot be written or that runs out of room (no partial file
# may remain), a million tiny JSONL documents (peak memory must stay flat)
# and one 100 MB document (reported with the default --max-doc-bytes; tagged
# with the right offsets when the limit allows it).  Big inputs are
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

# one 100 MB document on one line: the default --max-doc-bytes reports it
# (an error record for its line, exit 1) and the next line is still tagged
awk 'BEGIN { s = "The quick brown fox jumps over the lazy dog. "; while (length(s) < 100000) s = s s;
             printf "{\"id\":\"big\",\"text\":\""; for (i = 0; i < 1000; i++) printf "%s", substr(s, 1, 100000);
             printf "5%%\"}\n{\"id\":\"after\",\"text\":\"6%%\"}\n" }' > "$T/big.jsonl"
size=$(wc -c < "$T/big.jsonl")
run_timed "$T/big.time" $FINTAG $R -q "$T/big.jsonl" > "$T/big.out" 2> "$T/err"
st=$?
if [ $st -eq 1 ] && [ "$(wc -l < "$T/big.out")" -eq 2 ] &&
   head -1 "$T/big.out" | grep -q '"error":"line of [0-9]* bytes exceeds --max-doc-bytes.*"line":1' &&
   tail -1 "$T/big.out" | grep -q '"id":"after".*"value":6'; then
    pass huge-document-reported
else
    fail huge-document-reported "status $st, output: $(head -c 300 "$T/big.out")"
fi
if [ $have_time -eq 1 ] && [ $asan -eq 0 ]; then
    kb=$(peak_kb "$T/big.time")
    # the line is buffered up to the limit (64 MiB), never to its full size
    if [ "$kb" -lt $((size / 1024)) ]; then pass huge-document-memory
    else fail huge-document-memory "peak ${kb} kB for a ${size}-byte line"; fi
else
    skip huge-document-memory "no /usr/bin/time or under ASan"
fi

# with a larger limit the same document is tagged; the entity at its very
# end has code-point offsets equal to its byte offsets (ASCII text)
mb=100
[ $asan -eq 1 ] && mb=20
head -c $((mb * 1000000)) "$T/big.jsonl" | tail -c +19 | head -c $((mb * 1000000 - 100)) > "$T/big.txt"
printf '5%%' >> "$T/big.txt"
tsize=$(wc -c < "$T/big.txt")
$FINTAG $R -q --max-doc-bytes 200M "$T/big.txt" > "$T/bigt.out" 2> "$T/err"
st=$?
want="\"start\":$((tsize - 2)),\"end\":$tsize,\"byte_start\":$((tsize - 2)),\"byte_end\":$tsize"
if [ $st -eq 0 ] && grep -q "$want" "$T/bigt.out"; then pass huge-document-tagged
else fail huge-document-tagged "status $st, wanted $want in $(head -c 300 "$T/bigt.out")"; fi
