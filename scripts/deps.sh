#!/bin/sh
# deps.sh - makes sure the libraries fintag builds against are installed.
# When pkg-config cannot find one, installs the Debian/Ubuntu packages with
# apt-get (as root, or through sudo); elsewhere prints what to install.
# Extra packages (for optional test tools) can be named as arguments:
#   scripts/deps.sh [debian-package...]
set -u
need=""
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
for pair in libpcre2-8:libpcre2-dev libcjson:libcjson-dev yaml-0.1:libyaml-dev \
            zlib:zlib1g-dev expat:libexpat1-dev; do
    pc=${pair%%:*}; deb=${pair#*:}
    if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$pc" 2>/dev/null; then
        need="$need $deb"
    fi
done
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
need="$need $*"
need=$(echo $need)
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "fintag: missing packages: $need (run: apt-get install -y $need as root)" >&2; exit 1; fi
    echo "fintag: installing $need" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q $need >/dev/null 2>&1 || {
        $SUDO apt-get update -q >/dev/null 2>&1
        $SUDO apt-get install -y -q $need >&2 || { echo "fintag: apt-get install $need failed" >&2; exit 1; }
    }
    exit 0
fi
echo "fintag: missing libraries. Install PCRE2 (8-bit), cJSON and libyaml development packages" >&2
echo "  Debian/Ubuntu: apt-get install libpcre2-dev libcjson-dev libyaml-dev pkg-config" >&2
echo "  Fedora:        dnf install pcre2-devel cjson-devel libyaml-devel pkgconf" >&2
echo "  macOS:         brew install pcre2 cjson libyaml pkg-config" >&2
exit 1
