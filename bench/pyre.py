#!/usr/bin/env python3
"""pyre.py - the Python `re` baseline of `make bench`.

Reads the rule patterns (a TSV of id, caseless flag, expanded PCRE2 pattern,
written by fintag_bench), translates what Python's re module can express
(named groups and back-references, \\p{Han}, full-width digit classes) and
runs every accepted pattern separately over the "text" of each JSONL
document, the way a user would write the loop by hand.  Prints one line:
RESULT seconds=S accepted=A total=T
"""
import json
import re
import sys
import time

# \p{Han} as a character class body: the CJK ideograph blocks
HAN = "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"


def translate(pat):
    """PCRE2 syntax -> Python re syntax, or None when it cannot be done."""
    if "\\K" in pat or "(?J)" in pat or "(*" in pat or "\\G" in pat:
        return None
    p = re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", pat)
    p = re.sub(r"\\k<([A-Za-z_]\w*)>", r"(?P=\1)", p)
    p = p.replace("\\p{Han}", "[" + HAN + "]")
    p = p.replace("[[" + HAN + "]", "[" + HAN)
    return p


def main():
    rules = []
    total = 0
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            rid, caseless, pat = line.rstrip("\n").split("\t", 2)
            total += 1
            t = translate(pat)
            if t is None:
                continue
            try:
                flags = re.ASCII
                if caseless == "1":
                    flags |= re.IGNORECASE
                rules.append(re.compile(t, flags))
            except (re.error, OverflowError, RecursionError):
                continue
    docs = []
    with open(sys.argv[2], encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if isinstance(o, dict) and isinstance(o.get("text"), str):
                docs.append(o["text"])
    best = None
    for _ in range(2):
        t0 = time.perf_counter()
        n = 0
        for rx in rules:
            for d in docs:
                for _m in rx.finditer(d):
                    n += 1
        t = time.perf_counter() - t0
        best = t if best is None or t < best else best
    print("RESULT seconds=%.4f accepted=%d total=%d matches=%d" % (best, len(rules), total, n))


if __name__ == "__main__":
    main()
