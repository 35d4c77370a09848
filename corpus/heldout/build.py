#!/usr/bin/env python3
"""Build the held-out test set (corpus/heldout) from its annotated sources.

A thin driver around build_set() in corpus/build_gold.py (the same markup
parser, validator and outputs as the main corpus), pointed at
corpus/heldout/src/ and the names hzNN.txt (Chinese) and heNN.txt (English).

Reads   corpus/heldout/src/NAME.txt
Writes  corpus/heldout/NAME.txt (plain article) and corpus/heldout/gold.jsonl
        (one line per article, sorted by name)

Usage:  python3 corpus/heldout/build.py [--check]
  --check   write nothing; exit 1 if an output is missing or out of date
"""

import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in corpus/
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build_gold  # noqa: E402  (corpus/build_gold.py)

if __name__ == "__main__":
    sys.exit(build_gold.build_set(HERE, ("hz", "he"), sys.argv))
