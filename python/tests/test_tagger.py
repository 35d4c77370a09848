"""Unit tests of the fintag Python binding (standard library unittest).

Run by tests/suites/python.sh with PYTHONPATH pointing at python/ and
FINTAG_LIB at the build's libfintag.so; FINTAG (the CLI, for comparing
output) and FINTAG_ABI_PROBE (python/tests/abi_probe.c, compiled) are used
when set.  The rules are the checkout's rules/ (FINTAG_RULES, or the
default lookup from the build tree).
"""

import ctypes
import itertools
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import unittest

import fintag
from fintag import _native

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RULES = os.environ.get("RULES") or os.path.join(ROOT, "rules")

DOCS = [
    "贵州茅台（600519.SH）股价上涨2.1%",
    "😀营收5亿元，同比增长12%😀",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠀀𠀁 净利润3.5亿元，下降3个百分点",
    "Revenue rose 12% year-on-year to $3.5 billion.",
    "",
    "no entities here",
    "宁德时代（300750.SZ）\n\t毛利率为20.5%",
]


def u16(s):
    """Length of s in UTF-16 code units."""
    return len(s.encode("utf-16-le")) // 2


class TaggerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tagger = fintag.Tagger(RULES)

    def write(self, name, text):
        d = tempfile.mkdtemp()
        self.addCleanup(lambda: [os.unlink(os.path.join(d, f)) for f in os.listdir(d)]
                        or os.rmdir(d))
        p = os.path.join(d, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def test_three_lines(self):
        entities = fintag.Tagger(RULES).tag("营收5亿元，同比增长12%")
        self.assertEqual([(e["type"], e["text"]) for e in entities],
                         [("money", "5亿元"), ("growth", "同比增长12%")])
        self.assertEqual(entities[0]["value"], 500000000)
        self.assertEqual(entities[0]["unit"], "CNY")

    def test_offsets_slice_python_strings_outside_bmp(self):
        s = "😀😀营收5亿元😀，同比增长12%"
        ents = self.tagger.tag(s)
        self.assertEqual([e["text"] for e in ents], ["5亿元", "同比增长12%"])
        self.assertEqual(ents[0]["start"], 4)
        for doc in DOCS:
            for e in self.tagger.tag(doc):
                self.assertEqual(doc[e["start"]:e["end"]], e["text"])
                self.assertEqual(doc.encode()[e["byte_start"]:e["byte_end"]].decode(),
                                 e["text"])

    def test_utf16_offsets(self):
        t = fintag.Tagger(RULES, utf16_offsets=True)
        s = "😀𠀀营收5亿元"
        (e,) = t.tag(s)
        self.assertEqual((e["start"], e["end"]), (4, 7))
        self.assertEqual((e["u16_start"], e["u16_end"]), (u16(s[:4]), u16(s[:7])))
        self.assertNotIn("u16_start", self.tagger.tag(s)[0])

    def test_same_entities_as_cli(self):
        cli = os.environ.get("FINTAG")
        if not cli:
            self.skipTest("FINTAG (the CLI) not set")
        lines = "".join(json.dumps({"id": i, "text": d}) + "\n" for i, d in enumerate(DOCS))
        out = subprocess.run([cli, "--rules", RULES, "--jsonl", "-q", "-j", "1"],
                             input=lines.encode(), stdout=subprocess.PIPE, check=True).stdout
        records = [json.loads(line) for line in out.decode().splitlines()]
        self.assertEqual(len(records), len(DOCS))
        n = 0
        for doc, rec in zip(DOCS, records):
            self.assertEqual(self.tagger.tag(doc), rec["entities"])
            n += len(rec["entities"])
        self.assertGreater(n, 8)

    def test_scan_json_is_cli_text(self):
        r = self.tagger.scan("营收5亿元")
        self.assertEqual(json.loads(r.json), r.entities)
        self.assertTrue(r.json.startswith('[{"type":"money","text":"5亿元","start":2,'))
        self.assertEqual((r.warnings, r.invalid_utf8), ([], 0))

    def test_invalid_utf8_bytes(self):
        data = b"\xff\xfe" + "营收5亿元".encode() + b"\xe4\xb8" + "增长12%".encode()
        r = self.tagger.scan(data)
        self.assertEqual(r.invalid_utf8, 4)
        # one code point per invalid byte: offsets index the
        # surrogateescape decoding of the bytes
        s = data.decode("utf-8", "surrogateescape")
        self.assertEqual([s[e["start"]:e["end"]] for e in r.entities], ["5亿元", "增长12%"])
        for e in r.entities:
            self.assertEqual(data[e["byte_start"]:e["byte_end"]].decode(), e["text"])

    def test_invalid_utf8_modes(self):
        data = b"\xff 5\xe4\xba\xbf\xe5\x85\x83"
        with self.assertRaises(fintag.FintagError) as cm:
            fintag.Tagger(RULES, invalid_utf8="fail").tag(data)
        self.assertIn("UTF-8", str(cm.exception))
        r = fintag.Tagger(RULES, invalid_utf8="skip").scan(data)
        self.assertEqual(r.entities, [])
        self.assertTrue(r.warnings)
        with self.assertRaises(ValueError):
            fintag.Tagger(RULES, invalid_utf8="ignore")

    def test_lone_surrogates_and_nul(self):
        s = "\ud800营收5亿元\udcff\x00增长12%"
        ents = self.tagger.tag(s)
        self.assertEqual([s[e["start"]:e["end"]] for e in ents], ["5亿元", "增长12%"])
        self.assertEqual([e["text"] for e in ents], ["5亿元", "增长12%"])

    def test_wrong_types(self):
        for bad in (None, 42, ["营收5亿元"]):
            with self.assertRaises(TypeError):
                self.tagger.tag(bad)
        self.assertEqual(self.tagger.tag(""), [])
        self.assertEqual(self.tagger.tag(bytearray("5亿元".encode()))[0]["value"], 500000000)

    def test_rule_errors_carry_file_line_column(self):
        p = self.write("bad.yaml", "rules:\n  - id: ok.rule\n    type: money\n"
                                   "    pattern: '[0-9]+(元'\n")
        with self.assertRaises(fintag.RuleError) as cm:
            fintag.Tagger(p)
        e = cm.exception
        self.assertEqual((e.file, e.line, e.column, e.rule_id), (p, 4, 23, "ok.rule"))
        self.assertIn("missing closing parenthesis", str(e))
        self.assertTrue(str(e).startswith("%s:4:23: error: rule 'ok.rule': " % p))
        self.assertIsInstance(e, fintag.FintagError)

    def test_yaml_syntax_error_and_all_diagnostics(self):
        p = self.write("syntax.yaml", "rules:\n  - id: a\n    type: [unclosed\n")
        with self.assertRaises(fintag.RuleError) as cm:
            fintag.Tagger(p)
        self.assertEqual(cm.exception.file, p)
        self.assertGreater(cm.exception.line, 0)
        p2 = self.write("two.yaml", "rules:\n  - id: x\n    type: t\n    patern: 'x'\n"
                                    "  - id: y\n    type: t\n    pattern: '('\n")
        with self.assertRaises(fintag.RuleError) as cm:
            fintag.Tagger(p2)
        errs = [d for d in cm.exception.diagnostics if d.level == "error"]
        self.assertGreaterEqual(len(errs), 3)
        self.assertEqual({d.rule_id for d in errs}, {"x", "y"})
        self.assertIn("more errors", str(cm.exception))

    def test_missing_rules(self):
        with self.assertRaises(fintag.RuleError) as cm:
            fintag.Tagger(os.path.join(ROOT, "no-such-rules"))
        self.assertIn("no-such-rules", cm.exception.file or str(cm.exception))

    def test_check(self):
        self.assertEqual(self.tagger.check(), [])
        p = self.write("ex.yaml", "rules:\n  - id: yuan\n    type: money\n"
                                  "    pattern: '[0-9]+元'\n    examples:\n      match:\n"
                                  "        - '5元'\n        - 'five yuan'\n")
        failures = fintag.Tagger(p).check()
        self.assertEqual(len(failures), 1)
        slow = self.write("slow.yaml", "rules:\n  - id: d\n    type: t\n    pattern: '\\p{N}'\n")
        warned = fintag.Tagger(slow).check(warnings=True)
        self.assertEqual([(w.level, w.rule_id) for w in warned], [("warning", "d")])
        self.assertEqual(fintag.Tagger(slow).check(), [])
        self.assertEqual((failures[0].file, failures[0].line, failures[0].level), (p, 8, "error"))

    def test_len_and_version(self):
        self.assertGreater(len(self.tagger), 10)
        self.assertRegex(fintag.version(), r"^\d+\.\d+\.\d+")

    def test_tag_many_threads_keep_order(self):
        docs = DOCS * 25
        want = [self.tagger.tag(d) for d in docs]
        self.assertEqual(list(self.tagger.tag_many(docs, threads=4)), want)
        self.assertEqual(list(self.tagger.tag_many(iter(docs), threads=1)), want)
        with self.assertRaises(ValueError):
            list(self.tagger.tag_many(docs, threads=0))

    def test_tag_many_is_lazy(self):
        endless = (DOCS[1] for _ in itertools.count())
        first = list(itertools.islice(self.tagger.tag_many(endless, threads=3), 5))
        self.assertEqual(len(first), 5)

    def test_one_tagger_many_threads(self):
        want = [self.tagger.tag(d) for d in DOCS]
        errors = []

        def work():
            for _ in range(20):
                if [self.tagger.tag(d) for d in DOCS] != want:
                    errors.append("mismatch")

        threads = [threading.Thread(target=work) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def test_pickle_rebuilds(self):
        t = fintag.Tagger(RULES, ref_date="2024-05-01")
        t2 = pickle.loads(pickle.dumps(t))
        self.assertEqual(t2.rule_paths, t.rule_paths)
        self.assertEqual(t2.tag(DOCS[1]), t.tag(DOCS[1]))

    def test_close(self):
        t = fintag.Tagger(RULES)
        with t:
            self.assertTrue(t.tag(DOCS[1]))
        with self.assertRaises(ValueError):
            t.tag(DOCS[1])

    def test_default_rules_from_env(self):
        p = self.write("one.yaml", "rules:\n  - id: yuan\n    type: money\n"
                                   "    pattern: '[0-9]+元'\n")
        env = dict(os.environ, FINTAG_RULES=p)
        code = "import fintag; t = fintag.Tagger(); print(len(t), t.rule_paths[0])"
        out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                             stdout=subprocess.PIPE).stdout.decode().split()
        self.assertEqual(out, ["1", p])

    def test_default_rules_in_build_tree(self):
        env = {k: v for k, v in os.environ.items() if k != "FINTAG_RULES"}
        code = "import fintag; print(fintag.Tagger().rule_paths[0])"
        out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                             stdout=subprocess.PIPE).stdout.decode().strip()
        if _native.CHECKOUT and fintag._lib_path.startswith(_native.CHECKOUT + os.sep):
            self.assertEqual(out, os.path.join(_native.CHECKOUT, "rules"))
        else:
            self.assertTrue(out.endswith(os.path.join("share", "fintag", "rules")), out)

    def test_abi_matches_header(self):
        probe = os.environ.get("FINTAG_ABI_PROBE")
        if not probe:
            self.skipTest("FINTAG_ABI_PROBE not set")
        c_layout = dict(line.rsplit(" ", 1) for line in
                        subprocess.run([probe], stdout=subprocess.PIPE, check=True)
                        .stdout.decode().splitlines())
        py = {"ft_diag": _native.Diag, "ft_scan_opts": _native.ScanOpts,
              "ft_result": _native.Result}
        py_layout = {}
        for cname, cls in py.items():
            py_layout[cname] = str(ctypes.sizeof(cls))
            for fname, _ in cls._fields_:
                py_layout["%s.%s" % (cname, fname)] = str(getattr(cls, fname).offset)
        self.assertEqual(py_layout, c_layout)


if __name__ == "__main__":
    unittest.main()
