#!/bin/sh
# python.sh - CI packages for the Python binding and the Dask test
# (tests/suites/python.sh, tests/suites/dask.sh), from Debian 12: the
# interpreter, pip (for the `pip install ./python` test; it pulls in
# setuptools and wheel, though the binding's build backend needs neither),
# and Dask with its distributed scheduler.  No package index is used.
set -eu
export DEBIAN_FRONTEND=noninteractive
pkgs="python3 python3-pip python3-dask python3-distributed"
apt-get install -y -q $pkgs || { apt-get update -q && apt-get install -y -q $pkgs; }
/usr/bin/python3 -c 'import dask.bag, distributed; print("dask", dask.__version__)'
