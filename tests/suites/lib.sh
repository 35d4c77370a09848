#!/bin/sh
# lib.sh - the shared library, `make install`/`uninstall` and pkg-config.
#
# Checks that libfintag.so exports exactly the functions declared in
# include/fintag.h and carries the soname libfintag.so.MAJOR; installs the
# build into a temporary DESTDIR with PREFIX=/opt/fintag and checks every
# installed file; builds examples/tag_text.c against that copy using only
# `pkg-config --cflags --libs fintag` (PKG_CONFIG_SYSROOT_DIR points
# pkg-config into the DESTDIR) and runs it on the installed rules; links it
# statically from libfintag.a with `pkg-config --static`; uninstalls and
# checks nothing is left.  Under `make asan` the library is sanitized, so the
# example is compiled with the same sanitizers (a sanitized shared library
# can only be loaded by a sanitized program).
# Env: ROOT, BUILD (from tests/run.sh).
set -u
CC=${CC:-cc}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass() { echo "PASS lib/$1"; }
fail() { echo "FAIL lib/$1: $2"; }

SO=$BUILD/libfintag.so
if [ ! -f "$SO" ]; then
    fail build "$SO missing (make lib)"
    exit 0
fi
major=$(sed -n 's/^#define FT_VERSION_MAJOR \([0-9]*\).*/\1/p' "$ROOT/include/fintag.h")
version=$(sed -n 's/^#define FT_VERSION_STRING "\(.*\)"/\1/p' "$ROOT/include/fintag.h")

# 1. exported symbols = functions of the public header (comments removed
#    by the preprocessor, so prose mentioning ft_ names does not count)
$CC -E -P -Iinclude -x c "$ROOT/include/fintag.h" 2>/dev/null |
    grep -oE '\bft_[a-z0-9_]+[[:space:]]*\(' | tr -d ' (' | sort -u > "$T/header"
nm -D --defined-only "$SO" | awk '$2 ~ /^[TDBRW]$/ {print $3}' | sed 's/@.*//' |
    sort -u > "$T/exported"
if [ ! -s "$T/header" ]; then
    fail exports "could not list the header's functions"
elif cmp -s "$T/header" "$T/exported"; then
    pass "exports: $(wc -l < "$T/exported") public functions, nothing else"
else
    fail exports "header vs exported: $(diff "$T/header" "$T/exported" | grep '^[<>]' | tr '\n' ' ')"
fi

soname=$(readelf -d "$SO" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ "$soname" = "libfintag.so.$major" ]; then
    pass "soname $soname"
else
    fail soname "got '$soname', want libfintag.so.$major"
fi

# 2. make install into a DESTDIR
D=$T/dest
P=/opt/fintag
if ! make -s -C "$ROOT" BUILD="$BUILD" PREFIX=$P DESTDIR="$D" install > "$T/install.log" 2>&1; then
    fail install "make install failed: $(tail -5 "$T/install.log" | tr '\n' ' ')"
    exit 0
fi
missing=""
for f in bin/fintag lib/libfintag.so.$version lib/libfintag.a include/fintag.h \
         lib/pkgconfig/fintag.pc share/fintag/rules/money.yaml; do
    [ -f "$D$P/$f" ] || missing="$missing $f"
done
[ "$(readlink "$D$P/lib/libfintag.so.$major")" = "libfintag.so.$version" ] || missing="$missing lib/libfintag.so.$major(symlink)"
[ "$(readlink "$D$P/lib/libfintag.so")" = "libfintag.so.$major" ] || missing="$missing lib/libfintag.so(symlink)"
if [ -f "$ROOT/docs/fintag.1" ]; then
    [ -f "$D$P/share/man/man1/fintag.1" ] || missing="$missing share/man/man1/fintag.1"
fi
if [ -z "$missing" ]; then
    pass "install: PREFIX and DESTDIR honoured, .so with symlinks, .a, header, .pc, rules"
else
    fail install "missing:$missing"
fi

# 3. the example, built with pkg-config against the installed copy
export PKG_CONFIG_PATH="$D$P/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
san=""
grep -q -a __asan_init "$SO" && san="-fsanitize=address,undefined"
got_version=$(pkg-config --modversion fintag 2>&1)
# pkgconf prefixes variables with the sysroot, pkg-config does not
rulesdir=$(pkg-config --variable=rulesdir fintag)
rulesdir=${rulesdir#"$D"}
if [ "$got_version" != "$version" ] || [ "$rulesdir" != "$P/share/fintag/rules" ]; then
    fail pkg-config "modversion '$got_version', rulesdir '$rulesdir'"
elif ! $CC $san -o "$T/tag_text" "$ROOT/examples/tag_text.c" $(pkg-config --cflags fintag) \
        $(pkg-config --libs fintag) > "$T/cc.log" 2>&1; then
    fail example "does not build: $(head -5 "$T/cc.log" | tr '\n' ' ')"
else
    LD_LIBRARY_PATH="$D$P/lib" "$T/tag_text" "$D$rulesdir" '营收5亿元，同比增长12%' \
        > "$T/out" 2> "$T/err"
    st=$?
    resolved=$(LD_LIBRARY_PATH="$D$P/lib" ldd "$T/tag_text" | sed -n 's/.*libfintag[^ ]* => \([^ ]*\).*/\1/p')
    if [ $st -ne 0 ]; then
        fail example "exit $st: $(head -3 "$T/err" | tr '\n' ' ')"
    elif [ "$resolved" != "$D$P/lib/libfintag.so.$major" ]; then
        fail example "linked to '$resolved', not the installed copy"
    elif ! grep -q "^money	2	5	5亿元	5e+08$" "$T/out" ||
         ! grep -q '^\[{"type":"money","text":"5亿元","start":2,"end":5,' "$T/out"; then
        fail example "unexpected output: $(head -5 "$T/out" | tr '\n' ' ')"
    else
        pass "example: built with pkg-config --libs fintag, ran on the installed rules"
    fi
    echo "营收" | LD_LIBRARY_PATH="$D$P/lib" "$T/tag_text" "$T/no-such-dir" > /dev/null 2> "$T/err"
    st=$?
    if [ $st -eq 2 ] && grep -q "no-such-dir" "$T/err"; then
        pass "example: rule errors reported with the file name, exit 2"
    else
        fail example "bad rules dir: exit $st, stderr $(head -2 "$T/err" | tr '\n' ' ')"
    fi
fi
# -l:libfintag.a picks the archive where -lfintag would take the .so
static_libs=$(pkg-config --static --libs fintag | sed 's/-lfintag\b/-l:libfintag.a/')
if $CC $san -o "$T/tag_static" "$ROOT/examples/tag_text.c" $(pkg-config --cflags fintag) \
        $static_libs > "$T/cc.log" 2>&1 &&
   ! readelf -d "$T/tag_static" | grep -q 'libfintag' &&
   "$T/tag_static" "$D$rulesdir" '增长12%' | grep -q '^growth'; then
    pass "example: links statically with pkg-config --static"
else
    fail static "$(head -5 "$T/cc.log" | tr '\n' ' ')"
fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# 4. make uninstall removes every file it installed
make -s -C "$ROOT" BUILD="$BUILD" PREFIX=$P DESTDIR="$D" uninstall > "$T/uninstall.log" 2>&1
left=$(find "$D" ! -type d | sed "s|^$D||" | tr '\n' ' ')
if [ -z "$left" ]; then
    pass "uninstall: nothing left"
else
    fail uninstall "left behind: $left"
fi
