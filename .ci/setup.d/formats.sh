#!/bin/sh
# formats.sh - what the format tests need: zlib and expat headers (gzip and
# RSS/Atom input), and the real consumers the suite opens the output in:
# LibreOffice Calc (the --excel CSV) and Chromium (the HTML page).
set -eu
need=""
for p in zlib1g-dev libexpat1-dev python3 chromium libreoffice-calc-nogui; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
[ -z "$need" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -q > /dev/null
apt-get install -y -q --no-install-recommends $need > /dev/null
