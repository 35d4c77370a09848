"""Finding and declaring libfintag.so for ctypes.

This module knows where the shared library may live and what the C
declarations of include/fintag.h look like to ctypes; the public classes in
fintag/__init__.py use it and nothing else touches C.

Library lookup, first hit wins:

1. the environment variable FINTAG_LIB (a path to libfintag.so);
2. the build tree, when this package is used from a fintag checkout
   (``<checkout>/build/libfintag.so``, found from this file's location);
3. the system loader (``libfintag.so.0`` through LD_LIBRARY_PATH and the
   ld.so cache), then /usr/local/lib and /usr/lib.

The structures mirrored here (ft_diag, ft_scan_opts, ft_result) must match
the header; python/tests/abi_probe.c prints their layout as the C compiler
sees it and the tests compare it with these classes.
"""

import ctypes
import os

SONAME = "libfintag.so.0"

#: Directory of the fintag checkout holding this package, or None when the
#: package was installed elsewhere.
CHECKOUT = None
_here = os.path.dirname(os.path.abspath(__file__))
_top = os.path.dirname(os.path.dirname(_here))
if os.path.isfile(os.path.join(_top, "include", "fintag.h")):
    CHECKOUT = _top


class Diag(ctypes.Structure):
    """struct ft_diag: one diagnostic, valid during the callback only."""
    _fields_ = [
        ("level", ctypes.c_int),
        ("file", ctypes.c_char_p),
        ("line", ctypes.c_int),
        ("column", ctypes.c_int),
        ("rule_id", ctypes.c_char_p),
        ("message", ctypes.c_char_p),
    ]


class ScanOpts(ctypes.Structure):
    """struct ft_scan_opts, filled by ft_scan_opts_init."""
    _fields_ = [
        ("keep_overlaps", ctypes.c_int),
        ("explain", ctypes.c_int),
        ("utf8_mode", ctypes.c_int),
        ("ref_date", ctypes.c_char_p),
        ("match_limit", ctypes.c_uint32),
        ("depth_limit", ctypes.c_uint32),
        ("plain", ctypes.c_int),
    ]


class Result(ctypes.Structure):
    """struct ft_result; spans are read through ft_result_to_json only."""
    _fields_ = [
        ("n_spans", ctypes.c_size_t),
        ("spans", ctypes.c_void_p),
        ("n_warnings", ctypes.c_size_t),
        ("warnings", ctypes.POINTER(ctypes.c_char_p)),
        ("invalid_utf8", ctypes.c_int),
    ]


DIAG_FN = ctypes.CFUNCTYPE(None, ctypes.POINTER(Diag), ctypes.c_void_p)

# name: (restype, argtypes) for every function the binding calls.
_PROTOTYPES = {
    "ft_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "ft_version": (ctypes.c_char_p, []),
    "ft_compiler_create": (ctypes.c_int, [ctypes.POINTER(ctypes.c_void_p)]),
    "ft_compiler_destroy": (None, [ctypes.c_void_p]),
    "ft_compiler_set_diag": (None, [ctypes.c_void_p, DIAG_FN, ctypes.c_void_p]),
    "ft_compiler_add_path": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
    "ft_compiler_error_count": (ctypes.c_int, [ctypes.c_void_p]),
    "ft_compiler_compile": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]),
    "ft_rules_destroy": (None, [ctypes.c_void_p]),
    "ft_rules_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "ft_rules_check": (ctypes.c_int, [ctypes.c_void_p, DIAG_FN, ctypes.c_void_p]),
    "ft_scan_opts_init": (None, [ctypes.POINTER(ScanOpts)]),
    "ft_scanner_create": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]),
    "ft_scanner_destroy": (None, [ctypes.c_void_p]),
    "ft_scanner_scan": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                       ctypes.POINTER(ScanOpts),
                                       ctypes.POINTER(ctypes.POINTER(Result))]),
    "ft_result_to_json": (ctypes.c_void_p, [ctypes.POINTER(Result), ctypes.c_char_p,
                                            ctypes.c_size_t, ctypes.c_int]),
    "ft_free": (None, [ctypes.c_void_p]),
}


def _candidates():
    """Yields (description, path-or-name) in lookup order."""
    env = os.environ.get("FINTAG_LIB")
    if env:
        yield "FINTAG_LIB", env
        return
    if CHECKOUT:
        yield "build tree", os.path.join(CHECKOUT, "build", "libfintag.so")
    yield "system loader", SONAME
    for d in ("/usr/local/lib", "/usr/lib"):
        yield d, os.path.join(d, SONAME)


def load():
    """Loads libfintag and declares its functions; returns (CDLL, path).

    Raises OSError listing every place tried when none works.  path is
    where the library was found on disk (None when unknown).
    """
    tried = []
    for where, name in _candidates():
        if os.sep in name and not os.path.exists(name):
            tried.append("%s (%s: not found)" % (name, where))
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError as e:
            tried.append("%s (%s: %s)" % (name, where, e))
            continue
        for fname, (restype, argtypes) in _PROTOTYPES.items():
            fn = getattr(lib, fname)
            fn.restype = restype
            fn.argtypes = argtypes
        return lib, _loaded_path(lib, name)
    raise OSError("libfintag not found; set FINTAG_LIB to the path of libfintag.so. Tried: "
                  + "; ".join(tried))


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def _loaded_path(lib, name):
    """The file the loader actually mapped, asked through dladdr(3)."""
    if os.sep in name:
        return os.path.realpath(name)
    try:
        libc = ctypes.CDLL(None)
        dladdr = libc.dladdr
    except (OSError, AttributeError):
        return None
    dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
    dladdr.restype = ctypes.c_int
    info = _DlInfo()
    addr = ctypes.cast(lib.ft_version, ctypes.c_void_p)
    if dladdr(addr, ctypes.byref(info)) and info.dli_fname:
        return os.path.realpath(os.fsdecode(info.dli_fname))
    return None


def default_rules(lib_path):
    """The rule directories used when Tagger() is given none.

    Lookup order: FINTAG_RULES (paths separated by os.pathsep); the
    checkout's rules/ when the library in use is the checkout's own build;
    <prefix>/share/fintag/rules beside the library (<prefix>/lib/libfintag.so);
    /usr/local/share/fintag/rules; /usr/share/fintag/rules.  Returns the
    list of paths and the list of places tried.
    """
    env = os.environ.get("FINTAG_RULES")
    if env:
        return [p for p in env.split(os.pathsep) if p], ["FINTAG_RULES"]
    places = []
    if CHECKOUT and (lib_path is None or lib_path.startswith(CHECKOUT + os.sep)):
        places.append(os.path.join(CHECKOUT, "rules"))
    if lib_path:
        prefix = os.path.dirname(os.path.dirname(lib_path))
        places.append(os.path.join(prefix, "share", "fintag", "rules"))
    places += ["/usr/local/share/fintag/rules", "/usr/share/fintag/rules"]
    for p in places:
        if os.path.isdir(p):
            return [p], places
    return [], places
