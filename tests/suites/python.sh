#!/bin/sh
# python.sh - the Python binding: its unittest tests, `pip install ./python`
# offline, and finding the library and rules of an installed layout.
#
# Interpreter: $FINTAG_PYTHON if set, else /usr/bin/python3 (Debian's, the
# one that sees Debian's python3-* packages), else python3 on PATH.
#
# Library: the build's libfintag.so.  Under `make asan` that library is
# built with AddressSanitizer, and a sanitized shared library can only be
# loaded into a process whose first loaded library is the ASan runtime (it
# would need LD_PRELOAD=libasan.so and leak checking off for the whole
# Python interpreter).  So a sanitized build is not loaded here: the tests
# run against the normal build's library in $ROOT/build (which `make asan`
# builds first, see mk/lib.mk); the C library itself is covered under ASan by
# the rest of the suite.
# Env: ROOT, BUILD, FINTAG, RULES (from tests/run.sh); CC.
set -u
CC=${CC:-cc}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

PY=${FINTAG_PYTHON:-}
if [ -z "$PY" ]; then
    for p in /usr/bin/python3 python3; do
        if command -v "$p" > /dev/null 2>&1 && "$p" -c 'import ctypes, json' 2> /dev/null; then
            PY=$p
            break
        fi
    done
fi
if [ -z "$PY" ]; then
    echo "SKIP python/all: no Python 3 interpreter found (install python3)"
    exit 0
fi

LIB=$BUILD/libfintag.so
if [ -f "$LIB" ] && grep -q -a __asan_init "$LIB"; then
    LIB=$ROOT/build/libfintag.so
    if [ ! -f "$LIB" ] || grep -q -a __asan_init "$LIB"; then
        echo "SKIP python/all: $BUILD holds a sanitized library and there is no normal build in $ROOT/build (run make first)"
        exit 0
    fi
fi
if [ ! -f "$LIB" ]; then
    echo "FAIL python/library: $LIB missing (make lib)"
    exit 0
fi
echo "PASS python/setup: $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])'), $LIB"

PROBE=""
if $CC -I"$ROOT/include" -o "$T/abi_probe" "$ROOT/python/tests/abi_probe.c" 2> "$T/cc.log"; then
    PROBE=$T/abi_probe
else
    echo "FAIL python/abi_probe: does not compile: $(head -3 "$T/cc.log" | tr '\n' ' ')"
fi

# 1. the unittest tests, against the checkout's package
(
    cd "$ROOT/python" &&
    PYTHONPATH=$ROOT/python FINTAG_LIB=$LIB FINTAG_ABI_PROBE=$PROBE FINTAG=$FINTAG RULES=$RULES \
        PYTHONDONTWRITEBYTECODE=1 "$PY" tests/run_tests.py 2> "$T/unittest.log"
) || echo "FAIL python/unittest: runner exited with status $?: $(tail -3 "$T/unittest.log" | tr '\n' ' ')"

# 2. pip install ./python with no index at all (the build backend is in the
#    tree), into a target directory; then the installed package, used from
#    outside the checkout, finds a library installed as PREFIX/lib through
#    the system loader and the rules in PREFIX/share/fintag/rules.
if ! "$PY" -m pip --version > /dev/null 2>&1; then
    echo "SKIP python/pip-install: $PY has no pip (apt-get install python3-pip)"
    exit 0
fi
if env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_NO_INDEX=1 \
       PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
       "$PY" -m pip install -q --no-index --target "$T/site" "$ROOT/python" > "$T/pip.log" 2>&1 &&
   [ -f "$T/site/fintag/__init__.py" ]; then
    echo "PASS python/pip-install: offline, no build dependencies"
else
    echo "FAIL python/pip-install: $(tail -5 "$T/pip.log" | tr '\n' ' ')"
    exit 0
fi
mkdir -p "$T/prefix/lib" "$T/prefix/share/fintag" "$T/elsewhere"
cp "$LIB" "$T/prefix/lib/libfintag.so.0"
cp -r "$RULES" "$T/prefix/share/fintag/rules"
out=$(cd "$T/elsewhere" && env -u FINTAG_LIB -u FINTAG_RULES PYTHONPATH="$T/site" \
      LD_LIBRARY_PATH="$T/prefix/lib" "$PY" -c '
import fintag
t = fintag.Tagger()
print(fintag.__file__)
print(t.rule_paths[0])
print([e["text"] for e in t.tag("😀营收5亿元")])' 2>&1)
want="$T/site/fintag/__init__.py
$T/prefix/share/fintag/rules
['5亿元']"
if [ "$out" = "$want" ]; then
    echo "PASS python/installed-layout: library via the loader, rules from PREFIX/share/fintag/rules"
else
    echo "FAIL python/installed-layout: got: $(echo "$out" | tail -3 | tr '\n' ' ')"
fi
