"""fintag - tag financial entities in news text from Python.

A thin ctypes binding over libfintag.so (standard library only)::

    import fintag
    tagger = fintag.Tagger()                      # the installed rules
    print(tagger.tag("营收5亿元，同比增长12%"))

``tag()`` returns the same entity objects as the "entities" array of the
``fintag`` command's JSONL output (type, text, start, end, byte_start,
byte_end, value, unit, the normaliser's attributes, rule).  ``start`` and
``end`` are code-point offsets, so ``text[e["start"]:e["end"]] == e["text"]``
for any Python string, including text outside the BMP.

Threads: one compiled rule set is shared by every thread; each thread gets
its own scanner on first use (the C library's rule), so one Tagger may be
used from many threads at once.  ctypes releases the GIL during a scan, so
``tag_many(texts, threads=N)`` runs N scans in parallel.

Where the library and the default rules are found is described in
fintag/_native.py (environment variables FINTAG_LIB and FINTAG_RULES).
"""

import collections
import concurrent.futures
import ctypes
import json
import os
import re
import threading

from . import _native

__all__ = ["Tagger", "Diagnostic", "ScanResult", "FintagError", "RuleError", "version"]

_lib, _lib_path = _native.load()

#: Version of the loaded C library, e.g. "0.1.0".
__version__ = _lib.ft_version().decode()

FT_ERR_UTF8 = 8
_LEVELS = {0: "error", 1: "warning", 2: "note"}
_UTF8_MODES = {"replace": 0, "skip": 1, "fail": 2}
_OVERLAPS = {"resolve": 0, "all": 1}
_SURROGATE = re.compile("[\ud800-\udfff]")


def version():
    """Version string of the loaded libfintag."""
    return __version__


class Diagnostic(collections.namedtuple(
        "Diagnostic", "level file line column rule_id message")):
    """One problem found in rule files (or one failing rule example).

    level is "error", "warning" or "note"; line and column count from 1
    (0 when unknown), column in code points; rule_id may be None.
    """

    def __str__(self):
        where = ""
        if self.file and self.line and self.column:
            where = "%s:%d:%d: " % (self.file, self.line, self.column)
        elif self.file and self.line:
            where = "%s:%d: " % (self.file, self.line)
        elif self.file:
            where = "%s: " % self.file
        rule = "rule '%s': " % self.rule_id if self.rule_id else ""
        return "%s%s: %s%s" % (where, self.level, rule, self.message)


class FintagError(Exception):
    """A libfintag call failed; code is the C ft_error value."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


class RuleError(FintagError):
    """The rules could not be compiled.

    diagnostics lists every problem reported; file, line, column and
    rule_id are those of the first error, for convenience.
    """

    def __init__(self, message, code, diagnostics):
        super().__init__(message, code)
        self.diagnostics = list(diagnostics)
        first = next((d for d in self.diagnostics if d.level == "error"), None)
        self.file = first.file if first else None
        self.line = first.line if first else 0
        self.column = first.column if first else 0
        self.rule_id = first.rule_id if first else None


#: What scan() returns: entities (list of dicts), warnings (list of str),
#: invalid_utf8 (number of invalid bytes) and json (the entities as the
#: exact JSON text the CLI prints).
ScanResult = collections.namedtuple("ScanResult", "entities warnings invalid_utf8 json")


def _text(b):
    return None if b is None else b.decode("utf-8", "replace")


class _Collector:
    """A diagnostic callback for ctypes that stores Diagnostic tuples.

    Keep the object alive while C may call it: ctypes frees the trampoline
    with the CFUNCTYPE object.
    """

    def __init__(self):
        self.items = []
        self.fn = _native.DIAG_FN(self._call)

    def _call(self, diag, user):
        d = diag.contents
        self.items.append(Diagnostic(_LEVELS.get(d.level, "error"), _text(d.file), d.line,
                                     d.column, _text(d.rule_id), _text(d.message) or ""))


def _check(rc, what):
    if rc != 0:
        raise FintagError("%s: %s" % (what, _lib.ft_strerror(rc).decode()), rc)


class _Rules:
    """Owns one ft_rules; freed when the last Tagger or scanner drops it."""

    def __init__(self, handle):
        self.handle = handle

    def __del__(self):
        if self.handle and _lib is not None:
            _lib.ft_rules_destroy(self.handle)
            self.handle = None


class _Scanner:
    """Owns one ft_scanner; holds its _Rules so the rules outlive it."""

    def __init__(self, rules):
        self.rules = rules
        h = ctypes.c_void_p()
        _check(_lib.ft_scanner_create(rules.handle, ctypes.byref(h)), "ft_scanner_create")
        self.handle = h

    def __del__(self):
        if getattr(self, "handle", None) and _lib is not None:
            _lib.ft_scanner_destroy(self.handle)
            self.handle = None


def _encode(text):
    """The UTF-8 bytes to scan for a str or bytes-like document.

    Lone surrogates in a str (they cannot be encoded) become U+FFFD, one
    code point for one, so offsets still index the caller's string.
    Bytes are scanned as they are: each invalid byte counts as one code
    point, i.e. offsets index data.decode("utf-8", "surrogateescape").
    """
    if isinstance(text, str):
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            return _SURROGATE.sub("\ufffd", text).encode("utf-8")
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text)
    raise TypeError("fintag: text must be str or bytes, not %s" % type(text).__name__)


def _lookup(options, key, value):
    try:
        return options[value]
    except KeyError:
        raise ValueError("fintag: %s must be one of %s, not %r"
                         % (key, ", ".join(sorted(options)), value)) from None


class Tagger:
    """A compiled rule set plus per-thread scanners.

    rules: a rule file or directory, or a list of them; None means the
    default rules (see fintag._native.default_rules: FINTAG_RULES, the
    checkout's rules/, then PREFIX/share/fintag/rules).
    ref_date: "YYYY-MM-DD" document date for relative dates (今年, 去年).
    overlaps: "resolve" (leftmost-longest, priority, rule order) or "all".
    invalid_utf8: "replace" (default), "skip" or "fail" (raises FintagError).
    utf16_offsets: also return u16_start/u16_end (for JavaScript/Java).

    Raises RuleError (with file, line and column) when the rules do not
    compile; warnings found while loading are kept in .diagnostics.
    """

    def __init__(self, rules=None, *, ref_date=None, overlaps="resolve",
                 invalid_utf8="replace", utf16_offsets=False):
        if rules is None:
            paths, places = _native.default_rules(_lib_path)
            if not paths:
                raise FintagError("fintag: no rules given and none found in: "
                                  + ", ".join(places) + " (set FINTAG_RULES)")
        elif isinstance(rules, (str, bytes, os.PathLike)):
            paths = [rules]
        else:
            paths = list(rules)
        self.rule_paths = tuple(os.fsdecode(p) for p in paths)
        self._options = dict(ref_date=ref_date, overlaps=overlaps,
                             invalid_utf8=invalid_utf8, utf16_offsets=utf16_offsets)
        self._utf8_mode = _lookup(_UTF8_MODES, "invalid_utf8", invalid_utf8)
        self._keep_all = _lookup(_OVERLAPS, "overlaps", overlaps)
        self._ref_date = ref_date
        self._utf16 = 1 if utf16_offsets else 0
        self._local = threading.local()
        self._rules = self._compile(self.rule_paths)

    def _compile(self, paths):
        """Runs the C compiler over paths; returns a _Rules."""
        comp = ctypes.c_void_p()
        _check(_lib.ft_compiler_create(ctypes.byref(comp)), "ft_compiler_create")
        diags = _Collector()
        try:
            _lib.ft_compiler_set_diag(comp, diags.fn, None)
            for p in paths:
                _lib.ft_compiler_add_path(comp, os.fsencode(p))
            out = ctypes.c_void_p()
            rc = _lib.ft_compiler_compile(comp, ctypes.byref(out))
        finally:
            _lib.ft_compiler_destroy(comp)
        self.diagnostics = [d for d in diags.items if d.level != "error"]
        if rc != 0:
            errors = [d for d in diags.items if d.level == "error"]
            head = str(errors[0]) if errors else _lib.ft_strerror(rc).decode()
            more = " (and %d more errors)" % (len(errors) - 1) if len(errors) > 1 else ""
            raise RuleError(head + more, rc, diags.items)
        return _Rules(out)

    def __reduce__(self):
        """Pickles as the recipe (rule paths and options): the receiving
        process compiles its own rule set, so a Tagger can be sent to
        multiprocessing or Dask workers that see the same rule files."""
        return (_rebuild, (self.rule_paths, self._options))

    def __len__(self):
        """Number of rules."""
        return _lib.ft_rules_count(self._live().handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Drops this Tagger's hold on the rule set; scanners still running in
        other threads keep it alive until they finish."""
        self._rules = None
        self._local = threading.local()

    def _live(self):
        if self._rules is None:
            raise ValueError("fintag: Tagger is closed")
        return self._rules

    def _scanner(self):
        """This thread's scanner, created on first use."""
        sc = getattr(self._local, "scanner", None)
        if sc is None:
            sc = _Scanner(self._live())
            self._local.scanner = sc
        return sc

    def scan(self, text, *, ref_date=None):
        """Tags one document (str or bytes) and returns a ScanResult."""
        data = _encode(text)
        sc = self._scanner()
        opts = _native.ScanOpts()
        _lib.ft_scan_opts_init(ctypes.byref(opts))
        opts.keep_overlaps = self._keep_all
        opts.utf8_mode = self._utf8_mode
        date = ref_date if ref_date is not None else self._ref_date
        opts.ref_date = date.encode() if date else None
        res = ctypes.POINTER(_native.Result)()
        rc = _lib.ft_scanner_scan(sc.handle, data, len(data), ctypes.byref(opts),
                                  ctypes.byref(res))
        if rc == FT_ERR_UTF8:
            raise FintagError("fintag: the document is not valid UTF-8 "
                              "(invalid_utf8='fail')", rc)
        _check(rc, "ft_scanner_scan")
        r = res.contents
        warnings = [_text(r.warnings[i]) for i in range(r.n_warnings)]
        ptr = _lib.ft_result_to_json(res, data, len(data), self._utf16)
        if not ptr:
            raise FintagError("ft_result_to_json: out of memory", 1)
        try:
            raw = ctypes.string_at(ptr).decode("utf-8")
        finally:
            _lib.ft_free(ptr)
        return ScanResult(json.loads(raw), warnings, r.invalid_utf8, raw)

    def tag(self, text, *, ref_date=None):
        """Tags one document and returns its entities as a list of dicts."""
        return self.scan(text, ref_date=ref_date).entities

    def tag_many(self, texts, threads=None, *, ref_date=None):
        """Tags every document of an iterable; yields one entity list per
        document, in input order.

        threads: scanning threads (default: the number of CPUs), each with
        its own scanner.  At most 4 documents per thread are in flight, so
        an endless iterable is fine.
        """
        n = threads if threads is not None else (os.cpu_count() or 1)
        if n < 1:
            raise ValueError("fintag: threads must be at least 1")
        if n == 1:
            for t in texts:
                yield self.tag(t, ref_date=ref_date)
            return
        pending = collections.deque()
        with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
            for t in texts:
                pending.append(pool.submit(self.tag, t, ref_date=ref_date))
                if len(pending) >= 4 * n:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def check(self, warnings=False):
        """Runs every rule's match/no_match examples against the whole rule
        set; returns the failures as Diagnostics (file and line of the
        example), an empty list when all pass.  With warnings=True the
        warnings about slow patterns are included too (level "warning")."""
        diags = _Collector()
        rc = _lib.ft_rules_check(self._live().handle, diags.fn, None)
        if rc < 0:
            _check(-rc, "ft_rules_check")
        return [d for d in diags.items if warnings or d.level == "error"]


def _rebuild(rule_paths, options):
    return Tagger(list(rule_paths), **options)
