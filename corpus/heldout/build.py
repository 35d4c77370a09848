#!/usr/bin/env python3
"""Build the held-out test set from its annotated sources.

A thin driver around corpus/build_gold.py: it reuses that module's parser and
validator (convert) unchanged, and only points it at corpus/heldout/ and
accepts the held-out names hzNN.txt (Chinese) and heNN.txt (English), which
build_gold.main() would reject.

Reads corpus/heldout/src/NAME.txt, writes corpus/heldout/NAME.txt and
corpus/heldout/gold.jsonl (one line per article, sorted by name).

Usage:  python3 corpus/heldout/build.py [--check]
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # corpus/
sys.dont_write_bytecode = True  # write nothing outside corpus/heldout/
import build_gold  # noqa: E402

SRC = os.path.join(HERE, "src")
NAME_RE = re.compile(r"^(hz|he)\d{2,}\.txt$")


def main(argv):
    check = "--check" in argv[1:]
    names = sorted(n for n in os.listdir(SRC) if n.endswith(".txt"))
    targets, lines, errors = {}, [], []
    by_type, by_lang = {}, {}
    for n in names:
        if not NAME_RE.match(n):
            errors.append("%s: source name must be hzNN.txt or heNN.txt" % n)
            continue
        raw = open(os.path.join(SRC, n), "rb").read()
        try:
            text, ents = build_gold.convert(n, raw.decode("utf-8").replace("\r\n", "\n"))
        except (build_gold.MarkupError, UnicodeDecodeError) as e:
            errors.append(str(e))
            continue
        targets[n] = text
        lines.append(json.dumps({"id": n, "entities": ents}, ensure_ascii=False))
        for e in ents:
            by_type[e["type"]] = by_type.get(e["type"], 0) + 1
            by_lang[n[:2]] = by_lang.get(n[:2], 0) + 1
    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        sys.exit(1)
    targets["gold.jsonl"] = "\n".join(lines) + "\n"
    stale = []
    for n, content in sorted(targets.items()):
        path, data = os.path.join(HERE, n), content.encode("utf-8")
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old != data:
            if check:
                stale.append(n)
            else:
                with open(path + ".tmp", "wb") as f:
                    f.write(data)
                os.replace(path + ".tmp", path)
    print("articles: %d, entities: %d" % (len(names), sum(by_type.values())))
    for t in build_gold.TYPES:
        print("  %-10s %5d" % (t, by_type.get(t, 0)))
    for lang, c in sorted(by_lang.items()):
        print("  lang %-5s %5d" % (lang, c))
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv)
