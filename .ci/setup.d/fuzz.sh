#!/bin/sh
# fuzz.sh - tools for `make fuzz` and `make valgrind` and the memory checks
# of tests/suites/robustness.sh: clang with libFuzzer, valgrind, GNU time.
# Runs as root on Debian 12; installs only what is missing.
set -eu
need=
command -v clang > /dev/null || need="$need clang"
command -v valgrind > /dev/null || need="$need valgrind"
[ -x /usr/bin/time ] || need="$need time"
if [ -n "$need" ]; then
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q $need
fi
# libFuzzer ships with clang's runtime; check that a fuzz target links.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/t.c" <<'C'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
C
if ! clang -fsanitize=fuzzer,address,undefined -o "$dir/t" "$dir/t.c" 2> /dev/null; then
    apt-get install -y -q libclang-rt-dev   # the sanitizer and libFuzzer runtimes
fi
if ! clang -fsanitize=fuzzer,address,undefined -o "$dir/t" "$dir/t.c" 2> "$dir/err"; then
    echo "fuzz.sh: clang cannot link a libFuzzer target:" >&2
    cat "$dir/err" >&2
    exit 1
fi
"$dir/t" -runs=10 > /dev/null 2>&1
