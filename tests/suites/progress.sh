#!/bin/sh
# progress.sh - the progress line: shown on a terminal for runs longer than a
# second, silenced by --quiet, never shown when stderr is not a terminal.
# `script` gives fintag a pseudo-terminal as stderr; input arrives slowly so
# the run lasts more than a second.
set -u
if ! command -v script >/dev/null 2>&1; then
    echo "SKIP progress/terminal: util-linux 'script' not installed"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf '{"id":1,"text":"营收5亿元"}\n{"id":2,"text":"同比增长3%%"}\n' > "$T/in.jsonl"

run() { # run NAME EXTRA-ARGS: typescript of a slow run on a terminal
    script -qec "sh -c '(sleep 1.3; cat \"$T/in.jsonl\") | \"$FINTAG\" --rules \"$RULES\" --jsonl $2 > \"$T/$1.out\"'" /dev/null > "$T/$1.tty" 2>&1
}

run shown ""
if grep -q 'fintag: 2 docs' "$T/shown.tty" && grep -q 'MB/s' "$T/shown.tty"; then
    echo "PASS progress/terminal"
else
    echo "FAIL progress/terminal: no progress line on the terminal: $(tr '\r\n' '  ' < "$T/shown.tty" | head -c 200)"
fi
if [ "$(wc -l < "$T/shown.out")" -eq 2 ]; then
    echo "PASS progress/output-unchanged"
else
    echo "FAIL progress/output-unchanged: expected 2 JSONL lines on stdout"
fi

run quiet "--quiet"
if grep -q 'fintag:' "$T/quiet.tty"; then
    echo "FAIL progress/quiet: --quiet still printed: $(head -c 200 "$T/quiet.tty")"
else
    echo "PASS progress/quiet"
fi

(sleep 1.3; cat "$T/in.jsonl") | "$FINTAG" --rules "$RULES" --jsonl > /dev/null 2> "$T/pipe.err"
if [ -s "$T/pipe.err" ]; then
    echo "FAIL progress/not-a-terminal: printed on a non-terminal stderr: $(head -c 200 "$T/pipe.err")"
else
    echo "PASS progress/not-a-terminal"
fi
