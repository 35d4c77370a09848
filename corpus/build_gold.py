#!/usr/bin/env python3
"""Build the fintag gold corpus from its annotated sources.

Reads corpus/src/NAME.txt (articles with inline markup
``[[TYPE|surface text|key=value;key=value]]``), writes the plain article to
corpus/NAME.txt and all annotations to corpus/gold.jsonl (one line per
article, sorted by name).  Standard library only; deterministic output.

Usage:  python3 corpus/build_gold.py [--check]
  --check   verify that the committed outputs are up to date, write nothing
"""

import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))

TYPES = ("stock_code", "money", "percent", "growth", "compute", "date", "quantity")
MARK_RE = re.compile(r"\[\[([^\[\]|]*)\|([^\[\]|]*)\|([^\[\]|]*)\]\]")
NUM_RE = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$")
# keys whose values are always strings, whatever they look like
STRING_KEYS = {"name", "unit", "basis", "per"}
STRING_VALUE_TYPES = {"date", "stock_code"}
CURRENCIES = {"CNY", "USD", "HKD", "EUR", "JPY", "GBP"}
COMPUTE_UNITS = {"EFLOPS": 1e18, "PFLOPS": 1e15, "TFLOPS": 1e12, "TOPS": 1e12}
DATE_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
CODE_RE = re.compile(r"^(?:\d{6}\.(?:SH|SZ|BJ)|\d{5}\.HK|[A-Z][A-Z.]{0,5}\.US)$")


class MarkupError(Exception):
    pass


def parse_scalar(etype, key, raw):
    if raw == "":
        raise MarkupError("empty value for key %r" % key)
    if key in STRING_KEYS or (key == "value" and etype in STRING_VALUE_TYPES):
        return raw
    if raw in ("true", "false"):
        return raw == "true"
    if NUM_RE.match(raw):
        num = json.loads(raw)
        if isinstance(num, float) and num.is_integer() and abs(num) < 1e15:
            num = int(num)
        return num
    return raw


def parse_attrs(etype, attrs):
    out = {}
    if not attrs.strip():
        return out
    for item in attrs.split(";"):
        if "=" not in item:
            raise MarkupError("attribute %r has no '='" % item)
        key, raw = item.split("=", 1)
        key, raw = key.strip(), raw.strip()
        if not re.match(r"^[a-z_]+$", key):
            raise MarkupError("bad key %r" % key)
        if key in out:
            raise MarkupError("duplicate key %r" % key)
        out[key] = parse_scalar(etype, key, raw)
    return out


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def validate(ent):
    """Schema checks on a hand-written annotation (never computes values)."""
    t, s = ent["type"], ent["text"]
    has_range = "low" in ent or "high" in ent
    if has_range:
        if "value" in ent or not ("low" in ent and "high" in ent):
            raise MarkupError("a range needs low and high and no value")
        if not (is_num(ent["low"]) and is_num(ent["high"]) and ent["low"] < ent["high"]):
            raise MarkupError("low/high must be numbers with low < high")
    elif "value" not in ent:
        raise MarkupError("missing value")
    if s != s.strip() or not s:
        raise MarkupError("surface has leading/trailing space")
    if t == "stock_code":
        if not CODE_RE.match(ent["value"]):
            raise MarkupError("bad stock code value %r" % ent["value"])
        digits = unicodedata.normalize("NFKC", s)
        core = ent["value"].rsplit(".", 1)[0]
        if core.lstrip("0") not in digits.upper():
            raise MarkupError("code value %r does not match surface" % ent["value"])
    elif t == "money":
        if ent.get("unit") not in CURRENCIES:
            raise MarkupError("money unit must be ISO 4217")
        approx_word = re.search(r"约|逾|超|近|多|余|\b(?:about|over|around|nearly|approximately|more than|roughly)\b", s, re.I)
        if bool(approx_word) != (ent.get("approx") is True):
            raise MarkupError("approx=true must be set exactly when the span has an approximation word")
        if "/" in s and "per" not in ent:
            raise MarkupError("per-unit price needs per=")
    elif t in ("percent", "growth"):
        if t == "percent" and ent.get("unit") != "%":
            raise MarkupError("percent unit must be %")
        if t == "growth":
            if ent.get("unit") not in ("%", "pp", "bp", "times"):
                raise MarkupError("bad growth unit")
            if "basis" in ent and ent["basis"] not in ("yoy", "qoq", "mom"):
                raise MarkupError("bad basis")
            v = ent.get("value", ent.get("low"))
            neg = re.search(r"降|减|跌|收窄|下滑|回落|萎缩|down|fell|fall|declin|drop|slid|narrow|lower|shr[iu]nk|eased|contract", s, re.I)
            pos = re.search(r"增|升|涨|扩大|提高|上扬|\bup\b|rose|rise|grew|grow|gain|increas|jump|climb|surg|widen|higher|expand|add", s, re.I)
            if neg and not pos and v >= 0:
                raise MarkupError("growth looks negative but value >= 0")
            if pos and not neg and v <= 0:
                raise MarkupError("growth looks positive but value <= 0")
        if not is_num(ent.get("value", ent.get("low"))):
            raise MarkupError("value must be a number")
    elif t == "compute":
        u = ent.get("unit")
        if u not in COMPUTE_UNITS or not is_num(ent.get("value")) or not is_num(ent.get("flops")):
            raise MarkupError("compute needs numeric value, unit in %s, numeric flops" % sorted(COMPUTE_UNITS))
        expect = ent["value"] * COMPUTE_UNITS[u]
        if abs(ent["flops"] - expect) > 1e-9 * expect:
            raise MarkupError("flops %r inconsistent with value/unit" % ent["flops"])
    elif t == "date":
        parts = ent["value"].split("/")
        if len(parts) > 2 or not all(DATE_RE.match(p) for p in parts):
            raise MarkupError("bad ISO date value %r" % ent["value"])
        if len(parts) == 2 and not parts[0] < parts[1]:
            raise MarkupError("date range not increasing")
    elif t == "quantity":
        if "unit" not in ent or not (is_num(ent.get("value")) or has_range):
            raise MarkupError("quantity needs numeric value and unit")
    else:
        raise MarkupError("unknown type %r" % t)


def convert(name, src):
    text_parts, ents = [], []
    pos = 0  # position in src
    cp = 0  # code points emitted so far
    for m in MARK_RE.finditer(src):
        before = src[pos:m.start()]
        if "[[" in before or "]]" in before:
            raise MarkupError("%s: malformed markup near %r" % (name, before[-60:]))
        text_parts.append(before)
        cp += len(before)
        etype, surface, attrs = m.group(1), m.group(2), m.group(3)
        line = src.count("\n", 0, m.start()) + 1
        try:
            if etype not in TYPES:
                raise MarkupError("unknown type %r" % etype)
            ent = {"type": etype, "text": surface, "start": cp, "end": cp + len(surface)}
            extra = parse_attrs(etype, attrs)
            ordered = {}
            for k in ("value", "low", "high", "unit"):
                if k in extra:
                    ordered[k] = extra.pop(k)
            ordered.update(extra)
            ent.update(ordered)
            validate(ent)
        except MarkupError as e:
            raise MarkupError("%s:%d: %s in %s" % (name, line, e, m.group(0)))
        ents.append(ent)
        text_parts.append(surface)
        cp += len(surface)
        pos = m.end()
    rest = src[pos:]
    if "[[" in rest or "]]" in rest:
        raise MarkupError("%s: malformed markup near %r" % (name, rest[:60]))
    text_parts.append(rest)
    text = "".join(text_parts)
    text = "\n".join(l.rstrip() for l in text.strip("\n").split("\n")) + "\n"
    # stripping trailing spaces per line must not move any entity
    for e in ents:
        if text[e["start"]:e["end"]] != e["text"]:
            raise MarkupError("%s: offset check failed for %r (trailing space before it?)" % (name, e["text"]))
        e["byte_start"] = len(text[:e["start"]].encode("utf-8"))
        e["byte_end"] = e["byte_start"] + len(e["text"].encode("utf-8"))
    b = text.encode("utf-8")
    for e in ents:
        if b[e["byte_start"]:e["byte_end"]].decode("utf-8") != e["text"]:
            raise MarkupError("%s: byte offset check failed for %r" % (name, e["text"]))
    out = []
    for e in ents:
        d = {k: e[k] for k in ("type", "text", "start", "end", "byte_start", "byte_end")}
        for k, v in e.items():
            if k not in d:
                d[k] = v
        out.append(d)
    return text, out


def build_set(here, langs, argv):
    """Builds one annotated set: here/src/NAME.txt -> here/NAME.txt and
    here/gold.jsonl (one line per article, sorted by name).  Source names are
    a two-letter prefix from langs and two or more digits (zh01.txt).  With
    --check in argv nothing is written.  Returns the exit status: 1 when a
    source is malformed or (with --check) an output is out of date."""
    check = "--check" in argv[1:]
    src = os.path.join(here, "src")
    name_re = re.compile(r"^(%s)\d{2,}\.txt$" % "|".join(langs))
    names = sorted(f for f in os.listdir(src) if f.endswith(".txt"))
    if not names:
        print("error: no sources in %s" % src, file=sys.stderr)
        return 1
    outputs, gold_lines = {}, []
    by_type, by_lang, docs_by_lang = {}, {}, {}
    errors = []
    for n in names:
        if not name_re.match(n):
            errors.append("%s: source name must be %s" % (n, " or ".join(l + "NN.txt" for l in langs)))
            continue
        with open(os.path.join(src, n), "rb") as f:
            raw = f.read()
        if raw.startswith(b"\xef\xbb\xbf"):
            errors.append("%s: has a BOM" % n)
            continue
        try:
            text, ents = convert(n, raw.decode("utf-8").replace("\r\n", "\n"))
        except (MarkupError, UnicodeDecodeError) as e:
            errors.append(str(e))
            continue
        outputs[n] = text
        gold_lines.append(json.dumps({"id": n, "entities": ents}, ensure_ascii=False))
        lang = n[:2]
        docs_by_lang[lang] = docs_by_lang.get(lang, 0) + 1
        for e in ents:
            by_type[e["type"]] = by_type.get(e["type"], 0) + 1
            by_lang[lang] = by_lang.get(lang, 0) + 1
    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        return 1
    stale = []
    targets = dict(outputs)
    targets["gold.jsonl"] = "\n".join(gold_lines) + "\n"
    for n, content in sorted(targets.items()):
        path = os.path.join(here, n)
        data = content.encode("utf-8")
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old != data:
            if check:
                stale.append(n)
            else:
                tmp = path + ".tmp"
                with open(tmp, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
    for n in sorted(os.listdir(here)):
        if name_re.match(n) and n not in outputs:
            stale.append(n + " (no source)")
    total = sum(by_type.values())
    print("articles: %d (%s)" % (len(outputs), ", ".join("%s %d" % kv for kv in sorted(docs_by_lang.items()))))
    print("entities: %d" % total)
    for t in TYPES:
        print("  %-10s %5d" % (t, by_type.get(t, 0)))
    for lang, c in sorted(by_lang.items()):
        print("  lang %-5s %5d" % (lang, c))
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


def main(argv):
    return build_set(HERE, ("zh", "en"), argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
