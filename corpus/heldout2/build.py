#!/usr/bin/env python3
"""Build the second held-out test set (corpus/heldout2) from its annotated sources.

The markup parser and the schema validator are those of corpus/build_gold.py
(function convert), imported unchanged; this driver only points them at
corpus/heldout2/src/ and accepts the names hyNN.txt (Chinese) and hwNN.txt
(English), which build_gold.main() would reject.

Reads   corpus/heldout2/src/NAME.txt
Writes  corpus/heldout2/NAME.txt (plain article) and corpus/heldout2/gold.jsonl
        (one line per article, sorted by name)

Usage:  python3 corpus/heldout2/build.py [--check]
  --check   write nothing; exit 1 if an output is missing or out of date
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in corpus/
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build_gold  # noqa: E402  (corpus/build_gold.py)

SRC = os.path.join(HERE, "src")
NAME_RE = re.compile(r"^(hy|hw)\d{2,}\.txt$")


def build():
    """Return ({output name: content}, counts by type, counts by language, errors)."""
    outputs, lines, errors = {}, [], []
    by_type, by_lang = {}, {}
    for name in sorted(os.listdir(SRC)):
        if not name.endswith(".txt"):
            continue
        if not NAME_RE.match(name):
            errors.append("%s: source name must be hyNN.txt or hwNN.txt" % name)
            continue
        raw = open(os.path.join(SRC, name), "rb").read()
        if raw.startswith(b"\xef\xbb\xbf"):
            errors.append("%s: has a BOM" % name)
            continue
        try:
            text, ents = build_gold.convert(name, raw.decode("utf-8").replace("\r\n", "\n"))
        except (build_gold.MarkupError, UnicodeDecodeError) as e:
            errors.append(str(e))
            continue
        outputs[name] = text
        lines.append(json.dumps({"id": name, "entities": ents}, ensure_ascii=False))
        lang = name[:2]
        for e in ents:
            by_type[e["type"]] = by_type.get(e["type"], 0) + 1
            by_lang[lang] = by_lang.get(lang, 0) + 1
    if not outputs and not errors:
        errors.append("no sources in %s" % SRC)
    outputs["gold.jsonl"] = "\n".join(lines) + "\n"
    return outputs, by_type, by_lang, errors


def main(argv):
    check = "--check" in argv[1:]
    outputs, by_type, by_lang, errors = build()
    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        return 1
    stale = []
    for name, content in sorted(outputs.items()):
        path, data = os.path.join(HERE, name), content.encode("utf-8")
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old == data:
            continue
        if check:
            stale.append(name)
        else:
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.replace(path + ".tmp", path)
    for name in sorted(os.listdir(HERE)):
        if NAME_RE.match(name) and name not in outputs:
            stale.append(name + " (no source)")
    print("articles: %d, entities: %d" % (len(outputs) - 1, sum(by_type.values())))
    for t in build_gold.TYPES:
        print("  %-10s %5d" % (t, by_type.get(t, 0)))
    for lang, c in sorted(by_lang.items()):
        print("  lang %-5s %5d" % (lang, c))
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
