#!/bin/sh
# formats.sh - every output format read back by its real consumer, and the
# input readers (gzip, directories, feeds, streaming, `| head`).
#
# The reference is fintag's own JSONL output for the same input: each other
# format must carry exactly the same entities.  Consumers: Python's csv and
# json modules, LibreOffice (soffice --headless converts the --excel CSV to
# xlsx, which is read back with zipfile + ElementTree), headless Chromium
# (the HTML page loads without console messages, every entity is in the
# DOM, and a screenshot is taken); spaCy, doccano, Label Studio and brat
# files are checked against those tools' documented schemas in Python.
# soffice and chromium run once or twice each on small inputs; when one is
# absent its checks print SKIP.  Env: ROOT, BUILD, FINTAG, RULES.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
F="$FINTAG --rules $RULES -q"
PY="python3 $T/check.py"

pass() { echo "PASS formats/$1"; }
fail() { echo "FAIL formats/$1: $2"; }
# run NAME CMD...: PASS when CMD succeeds, else FAIL with its last lines.
run() {
    name=$1
    shift
    if "$@" > "$T/out.$name" 2>&1; then pass "$name"; else fail "$name" "$(tail -3 "$T/out.$name" | tr '\n' ' ')"; fi
}

if ! command -v python3 > /dev/null 2>&1; then
    echo "SKIP formats/all: python3 not installed"
    exit 0
fi

cat > "$T/check.py" << 'PYEOF'
import csv, datetime, json, os, re, sys, threading, zipfile
import xml.etree.ElementTree as ET

def load_jsonl(p):
    with open(p, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]

def ents(doc):
    return [(e["start"], e["end"], e["type"]) for e in doc["entities"]]

def fail(msg):
    print(msg)
    sys.exit(1)

def expect(cond, msg):
    if not cond:
        fail(msg)

def make_input(corpus, hostile, out):
    """JSONL from the corpus articles (title = first line) plus hostile rows."""
    with open(out, "w", encoding="utf-8") as o:
        for name in sorted(os.listdir(corpus)):
            if name.endswith(".txt"):
                text = open(os.path.join(corpus, name), encoding="utf-8").read()
                o.write(json.dumps({"id": name[:-4], "title": text.split("\n")[0],
                                    "text": text}, ensure_ascii=False) + "\n")
        o.write(open(hostile, encoding="utf-8").read())

def num_eq(cell, v):
    try:
        return abs(float(cell) - v) <= 1e-9 * max(1.0, abs(v))
    except ValueError:
        return False

def attr_ok(cell, v):
    if v is None:
        return cell == ""
    if isinstance(v, bool):
        return cell == ("true" if v else "false")
    if isinstance(v, (int, float)):
        return num_eq(cell, v)
    return cell == v

INERT = ("=", "+", "-", "@", "\t", "\r")

def check_csv(ref, path, delim, excel, context, fields):
    docs = load_jsonl(ref)
    raw = open(path, "rb").read()
    expect(raw.startswith(b"\xef\xbb\xbf") == excel, "byte-order mark present=%s" % (not excel))
    rows = list(csv.reader(open(path, encoding="utf-8-sig", newline=""), delimiter=delim))
    head = ["id", "type", "text", "value", "unit", "low", "high", "start", "end", "rule"]
    head += (["context"] if context else []) + fields
    expect(rows[0] == head, "header %r" % rows[0])
    rows = rows[1:]
    want = [(d, e) for d in docs for e in d["entities"]]
    expect(len(rows) == len(want), "%d rows for %d entities" % (len(rows), len(want)))
    def text_cell(cell, orig):
        if excel and orig.startswith(INERT):
            return cell == "'" + orig
        return cell == orig
    for r, (d, e) in zip(rows, want):
        expect(len(r) == len(head), "row width %d" % len(r))
        c = dict(zip(head, r))
        where = "%s@%d" % (d["id"], e["start"])
        expect(text_cell(c["id"], d["id"]), where + ": id %r" % c["id"])
        expect(c["type"] == e["type"] and text_cell(c["text"], e["text"]), where + ": type/text")
        expect(e["text"] == d["text"][e["start"]:e["end"]], where + ": offsets")
        for k in ("value", "unit", "low", "high"):
            v = e.get(k)
            ok = attr_ok(c[k], v) if not isinstance(v, str) else text_cell(c[k], v)
            expect(ok, where + ": %s %r != %r" % (k, c[k], v))
        expect(c["start"] == str(e["start"]) and c["end"] == str(e["end"]), where + ": start/end")
        expect(c["rule"] == e["rule"], where + ": rule")
        if context:
            t = d["text"]
            ctx = t[max(0, e["start"] - context):e["end"] + context]
            ctx = ctx.replace("\n", " ").replace("\r", " ").replace("\t", " ")
            expect(text_cell(c["context"], ctx), where + ": context %r" % c["context"])
        for k in fields:
            expect(text_cell(c[k], d.get(k, "")), where + ": field %s" % k)
    print("%d rows" % len(rows))

def xlsx_cells(path):
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    z = zipfile.ZipFile(path)
    sst = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(ns + "si"):
            sst.append("".join(t.text or "" for t in si.iter(ns + "t")))
    sheet = z.read("xl/worksheets/sheet1.xml")
    cells, formulas = {}, 0
    for c in ET.fromstring(sheet).iter(ns + "c"):
        m = re.match(r"([A-Z]+)(\d+)$", c.get("r"))
        col = 0
        for ch in m.group(1):
            col = col * 26 + ord(ch) - 64
        v = c.find(ns + "v")
        if c.find(ns + "f") is not None:
            formulas += 1
        t = c.get("t")
        if t == "s":
            val = sst[int(v.text)]
        elif t == "inlineStr":
            val = "".join(x.text or "" for x in c.iter(ns + "t"))
        elif v is not None and t in (None, "n"):
            val = float(v.text)
        else:
            val = v.text if v is not None else ""
        cells[(int(m.group(2)) - 1, col - 1)] = val
    return cells, formulas

def check_xlsx(csv_path, xlsx, plain_xlsx):
    rows = list(csv.reader(open(csv_path, encoding="utf-8-sig", newline="")))
    cells, formulas = xlsx_cells(xlsx)
    expect(formulas == 0, "%d formulas in the --excel workbook" % formulas)
    _, plain_formulas = xlsx_cells(plain_xlsx)
    expect(plain_formulas > 0, "control: the CSV without --excel gave no formula, test is blind")
    n = 0
    for i, r in enumerate(rows):
        for j, cell in enumerate(r):
            x = cells.get((i, j), "")
            if isinstance(x, float):
                # numbers stay numbers; ISO dates become the same date serial
                ok = num_eq(cell, x) or (cell.endswith("%") and num_eq(cell[:-1], x * 100))
                if not ok and re.match(r"\d{4}-\d\d-\d\d$", cell):
                    ok = (datetime.date.fromisoformat(cell) - datetime.date(1899, 12, 30)).days == x
            else:
                ok = x == cell
            expect(ok, "row %d col %d: csv %r, LibreOffice %r" % (i + 1, j + 1, cell, x))
            n += 1
    print("%d cells, control formulas %d" % (n, plain_formulas))

def spans_from_tags(tokens, scheme):
    spans, cur = [], None
    for (s, e, tag) in tokens:
        if tag == "O":
            expect(cur is None or scheme == "bio", "BIOES span not closed before O")
            if cur: spans.append(tuple(cur)); cur = None
            continue
        p, t = tag.split("-", 1)
        if p in ("B", "S"):
            expect(cur is None or scheme == "bio", "BIOES span not closed before " + tag)
            if cur: spans.append(tuple(cur))
            cur = [s, e, t]
        else:
            expect(cur is not None and cur[2] == t, "%s without a B of its type" % tag)
            cur[1] = e
        if p in ("S", "E"):
            spans.append(tuple(cur)); cur = None
    expect(cur is None or scheme == "bio", "BIOES span not closed at the end")
    if cur: spans.append(tuple(cur))
    return spans

def check_conll(ref, path, scheme):
    docs = [d for d in load_jsonl(ref) if d["text"].split()]
    blocks = open(path, encoding="utf-8").read().split("\n\n")
    expect(blocks[-1] == "", "output does not end with a blank line")
    blocks = blocks[:-1]
    expect(len(blocks) == len(docs), "%d blocks for %d documents" % (len(blocks), len(docs)))
    tags = set()
    for d, b in zip(docs, blocks):
        lines = [l.split(" ") for l in b.split("\n")]
        expect(all(len(l) == 2 for l in lines), d["id"] + ": a line is not TOKEN TAG")
        text, pos, toks = d["text"], 0, []
        expect("".join(w for w, _ in lines) == "".join(text.split()), d["id"] + ": tokens do not join to the text")
        for w, t in lines:
            while text[pos].isspace(): pos += 1
            expect(text.startswith(w, pos), d["id"] + ": token %r not at %d" % (w, pos))
            toks.append((pos, pos + len(w), t))
            tags.add(t[0])
            pos += len(w)
        if d["id"].startswith("zh"):
            expect(all(len(w) == 1 for w, _ in lines), d["id"] + ": Chinese not one char per line")
        got = spans_from_tags(toks, scheme)
        expect(got == ents(d), d["id"] + ": tags %r != spans %r" % (got[:3], ents(d)[:3]))
    want = {"B", "I", "O"} | ({"E", "S"} if scheme == "bioes" else set())
    expect(tags == want, "tag prefixes %r" % sorted(tags))
    print("%d documents" % len(docs))

def check_span_list(text, lst, key):
    for s, e, lab in lst:
        expect(type(s) is int and type(e) is int and isinstance(lab, str), key + ": not [int, int, str]")
        expect(0 <= s < e <= len(text), key + ": offsets out of range")
        expect(text[s:e] == text[s:e].strip(), key + ": span has outer white space")

def check_spacy(ref, path):
    docs, out = load_jsonl(ref), load_jsonl(path)
    expect(len(out) == len(docs), "line count")
    for d, o in zip(docs, out):
        expect(isinstance(o["text"], str) and o["text"] == d["text"], d["id"] + ": text")
        check_span_list(o["text"], o["ents"], d["id"])
        spans = [tuple(x) for x in o["ents"]]
        expect(spans == sorted(spans), d["id"] + ": ents not sorted")
        expect(all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), d["id"] + ": ents overlap")
        expect(spans == ents(d), d["id"] + ": ents differ from JSONL")
        expect(o["meta"]["id"] == d["id"], d["id"] + ": meta.id")
    print("%d documents" % len(out))

def check_doccano(ref, path):
    docs, out = load_jsonl(ref), load_jsonl(path)
    expect(len(out) == len(docs), "line count")
    for d, o in zip(docs, out):
        expect(o["text"] == d["text"], d["id"] + ": text")
        check_span_list(o["text"], o["label"], d["id"])
        expect([tuple(x) for x in o["label"]] == ents(d), d["id"] + ": labels differ from JSONL")
    print("%d documents" % len(out))

def check_labelstudio(ref, path, utf16):
    docs = load_jsonl(ref)
    tasks = json.load(open(path, encoding="utf-8"))
    expect(isinstance(tasks, list) and len(tasks) == len(docs), "not a list of %d tasks" % len(docs))
    for d, t in zip(docs, tasks):
        text = t["data"]["text"]
        expect(text == d["text"], d["id"] + ": data.text")
        preds = t["predictions"]
        expect(isinstance(preds, list) and len(preds) == 1, "predictions")
        expect(isinstance(preds[0]["model_version"], str), "model_version")
        res, ids, got = preds[0]["result"], set(), []
        for r in res:
            expect(r["from_name"] == "label" and r["to_name"] == "text" and r["type"] == "labels", "region names")
            expect(isinstance(r["id"], str) and r["id"] not in ids, "region id")
            ids.add(r["id"])
            v = r["value"]
            s, e = v["start"], v["end"]
            if utf16:
                u = text.encode("utf-16-le")
                span = u[2 * s:2 * e].decode("utf-16-le")
            else:
                span = text[s:e]
            expect(span == v["text"], d["id"] + ": value.text %r != text[%d:%d] %r" % (v["text"], s, e, span))
            expect(isinstance(v["labels"], list) and len(v["labels"]) == 1, "labels")
            got.append((v["text"], v["labels"][0]))
        expect(got == [(e["text"], e["type"]) for e in d["entities"]], d["id"] + ": regions differ")
    print("%d tasks" % len(tasks))

def check_brat(ref, outdir):
    docs = load_jsonl(ref)
    conf = open(os.path.join(outdir, "annotation.conf"), encoding="utf-8").read()
    types = conf.split("[entities]\n")[1].split("[")[0].split()
    txts = sorted(f for f in os.listdir(outdir) if f.endswith(".txt"))
    expect(len(txts) == len(docs), "%d .txt files for %d documents" % (len(txts), len(docs)))
    for d, name in zip(docs, txts):
        text = open(os.path.join(outdir, name), encoding="utf-8", newline="").read()
        expect(text == d["text"], name + ": text differs")
        ann = open(os.path.join(outdir, name[:-4] + ".ann"), encoding="utf-8").read().splitlines()
        tids, got = set(), []
        for line in ann:
            f = line.split("\t")
            expect(len(f) == 3, name + ": bad line %r" % line)
            if f[0].startswith("T"):
                typ, offs = f[1].split(" ", 1)
                expect(typ in types, name + ": type %s not in annotation.conf" % typ)
                frags = [tuple(map(int, p.split())) for p in offs.split(";")]
                expect(" ".join(text[a:b] for a, b in frags) == f[2], name + ": text field of " + f[0])
                tids.add(f[0])
                got.append((frags[0][0], frags[-1][1], typ))
            else:
                expect(re.match(r"#\d+$", f[0]) and f[1].split(" ")[0] == "AnnotatorNotes", name + ": note")
                expect(f[1].split(" ")[1] in tids, name + ": note for an unknown id")
        expect(got == ents(d), name + ": spans differ from JSONL")
    print("%d documents" % len(docs))

def check_inline(ref, path):
    docs = load_jsonl(ref)
    root = ET.fromstring("<root>" + open(path, encoding="utf-8").read() + "</root>")
    els = list(root)
    expect(len(els) == len(docs), "%d <doc> elements for %d documents" % (len(els), len(docs)))
    for d, el in zip(docs, els):
        expect(el.tag == "doc" and el.get("id") == d["id"], d["id"] + ": doc id")
        expect("".join(el.itertext()) == d["text"], d["id"] + ": text with tags removed differs")
        kids = list(el)
        expect(len(kids) == len(d["entities"]), d["id"] + ": tag count")
        for k, e in zip(kids, d["entities"]):
            expect(k.tag == e["type"] and (k.text or "") == e["text"], d["id"] + ": tag %s" % k.tag)
            for a in ("value", "unit"):
                v = e.get(a)
                expect(attr_ok(k.get(a, ""), v), d["id"] + ": %s=%r vs %r" % (a, k.get(a), v))
    print("%d documents" % len(docs))

def type_counts(docs):
    c = {}
    for d in docs:
        for e in d["entities"]:
            c[e["type"]] = c.get(e["type"], 0) + 1
    return c

def check_html(ref, path):
    docs = load_jsonl(ref)
    page = open(path, encoding="utf-8").read()
    for bad in ("<script", "<link", " src=", "url(", "@import"):
        expect(bad not in page, "page refers to something outside itself: " + bad)
    marks = re.findall(r'<mark class="t\d+" data-type="([^"]+)" title="([^"]*)"', page)
    want = type_counts(docs)
    got = {}
    for t, _ in marks:
        got[t] = got.get(t, 0) + 1
    expect(got == want, "marks per type %r != %r" % (got, want))
    for t, title in marks[:200]:
        expect(title.startswith(t) and "rule: " in title, "tooltip %r" % title)
    legend = dict(re.findall(r'<span class="count" data-type="([^"]+)">(\d+)</span>', page))
    for t, n in want.items():
        expect(int(legend.get(t, -1)) == n, "legend count of %s" % t)
    expect(page.count('<section class="doc">') == len(docs), "sections")
    print("%d marks" % len(marks))

def check_dom(ref, dom, log, marker):
    docs = load_jsonl(ref)
    html = open(dom, encoding="utf-8", errors="replace").read()
    n = len(re.findall(r"<mark ", html))
    total = sum(len(d["entities"]) for d in docs)
    expect(n == total, "%d marks in Chromium's DOM, %d entities" % (n, total))
    lines = [l for l in open(log, encoding="utf-8", errors="replace") if "CONSOLE" in l]
    expect(any(marker in l for l in lines), "console capture is blind: marker message not logged")
    other = [l.strip() for l in lines if marker not in l]
    expect(not other, "console messages: %r" % other[:3])
    print("%d marks rendered" % n)

def check_stats(ref, js, table):
    docs = load_jsonl(ref)
    s = json.load(open(js))
    total = sum(len(d["entities"]) for d in docs)
    expect(s["documents"] == len(docs) and s["entities"] == total and s["failed"] == 0, "totals %r" % s)
    expect(s["bytes"] == sum(len(d["text"].encode()) for d in docs), "bytes")
    want = type_counts(docs)
    expect({k: v for k, v in s["types"].items() if v} == want, "types %r" % s["types"])
    rules = {}
    for d in docs:
        for e in d["entities"]:
            rules[e["rule"]] = rules.get(e["rule"], 0) + 1
    expect({k: v["entities"] for k, v in s["rules"].items() if v["entities"]} == rules, "rules")
    for k in ("seconds", "mb_per_s", "docs_per_s"):
        expect(isinstance(s[k], (int, float)) and s[k] >= 0, k)
    t = open(table).read()
    expect(re.search(r"^documents\s+%d$" % len(docs), t, re.M), "table documents")
    expect(re.search(r"^entities\s+%d$" % total, t, re.M), "table entities")
    for typ, n in want.items():
        expect(re.search(r"^%s\s+%d$" % (re.escape(typ), n), t, re.M), "table type " + typ)
    print("%d entities" % total)

def check_ids(path, ids):
    ids = [None if i == "None" else i for i in ids]
    got = [d.get("id") for d in load_jsonl(path)]
    expect(got == ids, "ids %r" % got)

def check_same_entities(a, b):
    x, y = load_jsonl(a), load_jsonl(b)
    expect([d["entities"] for d in x] == [d["entities"] for d in y] and x, "entities differ")

def check_stream(fintag, rules, lines, *extra):
    """The first records come out while fintag's input is still open (after
    lines lines: few enough that they do not fill the batches in flight
    tests that no thread waits for input while documents are pending)."""
    import subprocess, select
    line = (json.dumps({"text": "营收6.06亿元，同比增长5%。" * 4}, ensure_ascii=False) + "\n").encode()
    p = subprocess.Popen([fintag, "--rules", rules, "-q", "--jsonl", *extra], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen = threading.Event()
    def feed():
        p.stdin.write(line * int(lines))
        p.stdin.flush()
        seen.wait(60)          # keep the input open until output was seen
        p.stdin.write(line)
        p.stdin.close()
    th = threading.Thread(target=feed)
    th.start()
    ready, _, _ = select.select([p.stdout], [], [], 60)
    early = bool(ready) and len(os.read(p.stdout.fileno(), 65536)) > 0 and th.is_alive()
    seen.set()
    p.stdout.read()
    th.join()
    p.wait()
    expect(early, "no output before the end of the input")
    expect(p.returncode == 0, "exit status %d" % p.returncode)

def check_dense(fintag, rules, *extra):
    """Records too large for their batch's output region keep their own
    buffers, and small ones after them still go to the region: every
    record of a kind of document must be the same, in input order."""
    import subprocess
    dense = "营收6.06亿元，同比增长5%，净利润1.2亿元。" * 50
    light = "公司发布公告。"
    n = 700
    path = os.path.join(os.environ["T"], "dense.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": "d%d" % i, "text": light if i % 3 == 0 else dense},
                               ensure_ascii=False) + "\n")
    # from a file: batches are full (a pipe hands over what has arrived)
    r = subprocess.run([fintag, "--rules", rules, "-q", "--jsonl", path, *extra],
                       stdout=subprocess.PIPE)
    expect(r.returncode == 0, "exit status %d" % r.returncode)
    recs = [json.loads(l) for l in r.stdout.decode("utf-8").splitlines()]
    # a batch (256 documents) renders over 4 MB, its region holds 1 MiB
    expect(len(r.stdout) > 8 << 20, "only %d bytes of output" % len(r.stdout))
    expect([d.get("id") for d in recs] == ["d%d" % i for i in range(n)], "ids or order differ")
    first = {}
    for i, d in enumerate(recs):
        kind = i % 3 == 0
        first.setdefault(kind, d["entities"])
        expect(d["entities"] == first[kind], "record %d differs from the first of its kind" % i)
    expect(len(first[False]) == 150 and len(first[True]) == 0,
           "entities per record %d, %d" % (len(first[False]), len(first[True])))

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "make_input": make_input(*args)
elif cmd == "csv": check_csv(args[0], args[1], "\t" if args[2] == "tab" else ",", args[3] == "1", int(args[4]), args[5:])
elif cmd == "xlsx": check_xlsx(*args)
elif cmd == "conll": check_conll(*args)
elif cmd == "spacy": check_spacy(*args)
elif cmd == "doccano": check_doccano(*args)
elif cmd == "labelstudio": check_labelstudio(args[0], args[1], args[2] == "1")
elif cmd == "brat": check_brat(*args)
elif cmd == "inline": check_inline(*args)
elif cmd == "html": check_html(*args)
elif cmd == "dom": check_dom(*args)
elif cmd == "stats": check_stats(*args)
elif cmd == "ids": check_ids(args[0], args[1:])
elif cmd == "same": check_same_entities(*args)
elif cmd == "stream": check_stream(*args)
elif cmd == "dense": check_dense(*args)
else: fail("unknown check " + cmd)
PYEOF

# The input: the corpus articles and the hostile/Chinese rows of the CSV case.
$PY make_input "$ROOT/corpus" "$ROOT/tests/cases/fmt-csv/stdin" "$T/in.jsonl" || fail input "could not build the input"
$F --jsonl "$T/in.jsonl" > "$T/ref.jsonl" || fail reference "fintag failed on the input"

# ---- analysts: csv, tsv, Excel ----------------------------------------------
$F --jsonl -f csv --context 12 --fields title "$T/in.jsonl" > "$T/x.csv"
run csv-python $PY csv "$T/ref.jsonl" "$T/x.csv" comma 0 12 title
$F --jsonl -f tsv --fields title "$T/in.jsonl" > "$T/x.tsv"
run tsv-python $PY csv "$T/ref.jsonl" "$T/x.tsv" tab 0 0 title
$F --jsonl -f csv --excel --context 5 --fields title "$T/in.jsonl" > "$T/xl.csv"
run csv-excel-python $PY csv "$T/ref.jsonl" "$T/xl.csv" comma 1 5 title

if command -v soffice > /dev/null 2>&1; then
    # a few articles (Chinese and English) and the hostile rows, with and
    # without --excel; LibreOffice evaluates formulas on import, as Excel does
    grep -E '"id": "(zh01|zh02|en01)"' "$T/in.jsonl" > "$T/small.jsonl"
    cat "$ROOT/tests/cases/fmt-csv/stdin" >> "$T/small.jsonl"
    mkdir -p "$T/lo"
    $F --jsonl -f csv --excel --context 5 --fields title "$T/small.jsonl" > "$T/lo/excel.csv"
    $F --jsonl -f csv --fields title "$T/small.jsonl" > "$T/lo/plain.csv"
    if soffice -env:UserInstallation="file://$T/lo-profile" --headless \
        --infilter="CSV:44,34,76,1,,1033,false,false,false,false,false,-1,true" \
        --convert-to xlsx --outdir "$T/lo" "$T/lo/excel.csv" "$T/lo/plain.csv" > "$T/lo.log" 2>&1 &&
        [ -s "$T/lo/excel.xlsx" ] && [ -s "$T/lo/plain.xlsx" ]; then
        run csv-libreoffice $PY xlsx "$T/lo/excel.csv" "$T/lo/excel.xlsx" "$T/lo/plain.xlsx"
    else
        fail csv-libreoffice "soffice did not convert: $(tail -2 "$T/lo.log" | tr '\n' ' ')"
    fi
else
    echo "SKIP formats/csv-libreoffice: soffice not installed (Debian: libreoffice-calc-nogui)"
fi

# ---- training data ------------------------------------------------------------
$F --jsonl -f conll "$T/in.jsonl" > "$T/x.conll"
run conll-bio $PY conll "$T/ref.jsonl" "$T/x.conll" bio
$F --jsonl -f conll --scheme bioes "$T/in.jsonl" > "$T/x2.conll"
run conll-bioes $PY conll "$T/ref.jsonl" "$T/x2.conll" bioes
$F --jsonl -f spacy "$T/in.jsonl" > "$T/x.spacy"
run spacy-schema $PY spacy "$T/ref.jsonl" "$T/x.spacy"
$F --jsonl -f doccano "$T/in.jsonl" > "$T/x.doccano"
run doccano-schema $PY doccano "$T/ref.jsonl" "$T/x.doccano"
$F --jsonl -f labelstudio "$T/in.jsonl" > "$T/x.ls.json"
run labelstudio-schema $PY labelstudio "$T/ref.jsonl" "$T/x.ls.json" 0
printf '{"id":"e","text":"\\ud83d\\udcc8 营收6.06亿元 \\ud83d\\ude80 增长5%%"}\n' > "$T/emoji.jsonl"
$F --jsonl "$T/emoji.jsonl" > "$T/emoji.ref"
$F --jsonl -f labelstudio --offsets utf16 "$T/emoji.jsonl" > "$T/emoji.ls"
run labelstudio-utf16 $PY labelstudio "$T/emoji.ref" "$T/emoji.ls" 1
$F --jsonl -f brat --out-dir "$T/brat" "$T/in.jsonl" > "$T/brat.out"
run brat-standoff $PY brat "$T/ref.jsonl" "$T/brat"
if $F --jsonl -f brat "$T/in.jsonl" > /dev/null 2> "$T/brat.err"; then
    fail brat-needs-out-dir "succeeded without --out-dir"
elif grep -q -- "--out-dir" "$T/brat.err"; then pass brat-needs-out-dir
else fail brat-needs-out-dir "no message naming --out-dir"; fi
$F --jsonl -f inline "$T/in.jsonl" > "$T/x.inline"
run inline-xml $PY inline "$T/ref.jsonl" "$T/x.inline"

# ---- review page ----------------------------------------------------------------
$F --jsonl -f html "$T/in.jsonl" > "$T/page.html"
run html-structure $PY html "$T/ref.jsonl" "$T/page.html"
CHROMIUM=""
for c in chromium chromium-browser google-chrome; do
    command -v "$c" > /dev/null 2>&1 && { CHROMIUM=$c; break; }
done
if [ -n "$CHROMIUM" ]; then
    CH="$CHROMIUM --headless --no-sandbox --disable-gpu --disable-background-networking
        --disable-component-update --disable-sync --no-first-run --user-data-dir=$T/chrome"
    # a copy that logs one marker message proves the console capture works
    marker="fintag-page-loaded-$$"
    sed "s|</body>|<script>console.log(\"$marker\")</script></body>|" "$T/page.html" > "$T/page-probe.html"
    $CH --enable-logging=stderr --v=0 --dump-dom "file://$T/page-probe.html" > "$T/page.dom" 2> "$T/chrome.log"
    run html-chromium $PY dom "$T/ref.jsonl" "$T/page.dom" "$T/chrome.log" "$marker"
    $CH --window-size=1200,900 --screenshot="$T/page.png" "file://$T/page.html" > "$T/shot.log" 2>&1
    if [ -s "$T/page.png" ] && [ "$(head -c 8 "$T/page.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
        pass html-screenshot
    else
        fail html-screenshot "no PNG written: $(tail -2 "$T/shot.log" | tr '\n' ' ')"
    fi
else
    echo "SKIP formats/html-chromium: chromium not installed (Debian: chromium)"
    echo "SKIP formats/html-screenshot: chromium not installed (Debian: chromium)"
fi

# ---- stats ------------------------------------------------------------------------
$FINTAG stats --rules "$RULES" -q --json --jsonl "$T/in.jsonl" > "$T/stats.json"
$FINTAG stats --rules "$RULES" -q --jsonl "$T/in.jsonl" > "$T/stats.txt"
run stats-counts $PY stats "$T/ref.jsonl" "$T/stats.json" "$T/stats.txt"

# ---- inputs -------------------------------------------------------------------------
gzip -c "$T/in.jsonl" > "$T/in.jsonl.gz"
$F "$T/in.jsonl.gz" > "$T/gz.jsonl"
if cmp -s "$T/gz.jsonl" "$T/ref.jsonl"; then pass gzip-jsonl; else fail gzip-jsonl "output differs from the plain file's"; fi
$F < "$ROOT/corpus/zh01.txt" > "$T/plain-stdin.jsonl"
gzip -c "$ROOT/corpus/zh01.txt" | $F > "$T/gz-stdin.jsonl"
if cmp -s "$T/plain-stdin.jsonl" "$T/gz-stdin.jsonl" && grep -q '"entities":\[{' "$T/gz-stdin.jsonl"; then
    pass gzip-stdin
else
    fail gzip-stdin "gzipped stdin gave other entities"
fi
cp "$ROOT/tests/cases/fmt-rss/feed.xml" "$T/feed.xml"
gzip -c "$T/feed.xml" > "$T/feed.xml.gz"
$F "$T/feed.xml" > "$T/feed.jsonl"
$F "$T/feed.xml.gz" > "$T/feedgz.jsonl"
if cmp -s "$T/feed.jsonl" "$T/feedgz.jsonl" && [ "$(wc -l < "$T/feed.jsonl")" -eq 2 ]; then
    pass gzip-feed
else
    fail gzip-feed "feed.xml.gz differs from feed.xml"
fi

# directories: recursive, sorted, only the known extensions (and their .gz)
D=$T/dir
mkdir -p "$D/a" "$D/b/c"
cp "$ROOT/corpus/en01.txt" "$D/a/x.txt"
gzip -c "$ROOT/corpus/zh01.txt" > "$D/b/c/y.txt.gz"
cp "$T/feed.xml" "$D/b/f.xml"
head -2 "$ROOT/tests/cases/fmt-csv/stdin" | gzip -c > "$D/b/z.jsonl.gz"
echo "营收6亿元" > "$D/notes.md"
echo "营收6亿元" > "$D/.hidden.txt"
$F "$D" > "$T/dir.jsonl"
run directory-walk $PY ids "$T/dir.jsonl" "$D/a/x.txt" "$D/b/c/y.txt.gz" a-1 None zh1 en1
$F --in text "$T/feed.xml" > "$T/astext.jsonl"
run in-text-forces-text $PY ids "$T/astext.jsonl" "$T/feed.xml"
$F --in rss < "$T/feed.xml" > "$T/stdin-feed.jsonl"
run in-rss-stdin $PY same "$T/feed.jsonl" "$T/stdin-feed.jsonl"

# streaming and a closed pipe
run streaming $PY stream "$FINTAG" "$RULES" 3000
run streaming-few-lines $PY stream "$FINTAG" "$RULES" 40
# one thread reads, tags and writes by turns: it must not wait for more
# input while it holds documents
run streaming-one-thread $PY stream "$FINTAG" "$RULES" 40 -j 1
# records that overflow their batch's output region, with 1, 2 and 4 threads
export T
for j in 1 2 4; do run dense-records-j$j $PY dense "$FINTAG" "$RULES" -j $j; done
cp "$ROOT/tests/cases/fmt-csv/stdin" "$T/big.jsonl"
for i in 1 2 3 4 5 6 7 8 9 10 11; do cat "$T/big.jsonl" "$T/big.jsonl" > "$T/big2" && mv "$T/big2" "$T/big.jsonl"; done
{ $FINTAG --rules "$RULES" "$T/big.jsonl" 2> "$T/head.err"; echo $? > "$T/head.status"; } | head -1 > "$T/head.out"
if [ "$(cat "$T/head.status")" = 0 ] && [ ! -s "$T/head.err" ] && [ "$(wc -l < "$T/head.out")" -eq 1 ]; then
    pass pipe-head-quiet
else
    fail pipe-head-quiet "status $(cat "$T/head.status"), stderr: $(head -2 "$T/head.err" | tr '\n' ' ')"
fi
exit 0
