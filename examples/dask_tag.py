#!/usr/bin/env python3
"""dask_tag.py - tag a folder of JSONL news on a Dask cluster.

    python3 examples/dask_tag.py -o OUTDIR [options] INPUT...

INPUT is a JSONL file (``*.jsonl``, or gzipped ``*.jsonl.gz``) or a
directory searched recursively for them, in sorted order.  Each file is one
``dask.bag`` partition (gzip cannot be split, and whole files keep line
numbers); the workers tag their partitions through the fintag Python
binding and OUTDIR/part-00000.jsonl, part-00001.jsonl, ... receive the
records of the 1st, 2nd, ... input file.  Concatenated in order they are the
output of ``fintag --jsonl`` on the same files, line for line: the input
object with an "entities" array added (its bytes otherwise kept), or an
``{"error":..., "line":N, "file":...}`` record for a line that is not a JSON
object with a string "text" field.  (For a JSON syntax error the column in
the message is Python's json module's, which can differ from the CLI's.)

Without --scheduler the script starts a LocalCluster with --workers worker
processes (default 2) on this machine; with --scheduler ADDRESS it uses an
existing cluster, whose workers must be able to ``import fintag`` (pip
install ./python there) and read the rule files at the same paths.  From a
fintag checkout nothing needs installing: the checkout's python/ directory
is put on the path of this process and of the local workers.

The Tagger is sent to the workers pickled, which pickles its recipe (rule
paths and options); each task compiles the rules once for its partition,
which costs milliseconds against the seconds a news file takes to tag.
"""

import argparse
import json
import os
import sys


def _use_checkout_package():
    """Makes `import fintag` work from a checkout, here and in workers."""
    try:
        import fintag  # noqa: F401
        return
    except ImportError:
        pass
    pkg = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python")
    if os.path.isdir(os.path.join(pkg, "fintag")):
        sys.path.insert(0, pkg)
        old = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = pkg + (os.pathsep + old if old else "")


class _BadConstant(ValueError):
    """NaN or Infinity, which Python's json accepts and JSON (and the CLI)
    does not."""


def _reject_constant(name):
    raise _BadConstant(name)


def error_record(message, line_no, path):
    """The CLI's record for a document that could not be tagged."""
    return json.dumps({"error": message, "line": line_no, "file": path},
                      ensure_ascii=False, separators=(",", ":"))


def tag_record(tagger, raw, line_no, path, text_field="text", date_field=None):
    """Tags one JSONL line and returns the output line (without newline),
    built the way the CLI builds it: the input object's own bytes up to its
    closing brace, then "entities" (and "warnings" when the scan had any)."""
    try:
        obj = json.loads(raw, parse_constant=_reject_constant)
    except ValueError as e:
        pos = raw.find(e.args[0]) if isinstance(e, _BadConstant) else getattr(e, "pos", 0)
        col = len(raw[:max(pos, 0)].encode("utf-8", "surrogatepass")) + 1
        return error_record("invalid JSON at column %d" % col, line_no, path)
    if not isinstance(obj, dict):
        return error_record("line is JSON but not an object", line_no, path)
    text = obj.get(text_field)
    if not isinstance(text, str):
        return error_record('no string field "%s"' % text_field, line_no, path)
    ref_date = obj.get(date_field) if date_field else None
    result = tagger.scan(text, ref_date=ref_date if isinstance(ref_date, str) else None)
    if "entities" in obj or (result.warnings and "warnings" in obj):
        # the CLI re-serialises the object without the clashing members
        obj.pop("entities", None)
        if result.warnings:
            obj.pop("warnings", None)
        raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    head = raw[:raw.rindex("}")]
    out = head + (',"entities":' if obj else '"entities":') + result.json
    if result.warnings:
        out += ',"warnings":' + json.dumps(result.warnings, ensure_ascii=False,
                                           separators=(",", ":"))
    return out + "}"


def tag_partition(lines, tagger, text_field, date_field):
    """Runs on a worker: one partition (one input file) of (line, path)
    pairs in, the partition's whole output text out."""
    out = []
    for line_no, (raw, path) in enumerate(lines, 1):
        raw = raw[:-1] if raw.endswith("\n") else raw
        raw = raw[:-1] if raw.endswith("\r") else raw
        out.append(tag_record(tagger, raw, line_no, path, text_field, date_field) + "\n")
    return ["".join(out)]


def find_inputs(inputs):
    """Expands directories to their *.jsonl and *.jsonl.gz files."""
    files = []
    for p in inputs:
        if os.path.isdir(p):
            found = []
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames.sort()
                found += [os.path.join(dirpath, f) for f in filenames
                          if f.endswith(".jsonl") or f.endswith(".jsonl.gz")]
            files += sorted(found)
        else:
            files.append(p)
    return [os.path.abspath(f) for f in files]


def main(argv=None):
    ap = argparse.ArgumentParser(description="Tag JSONL news with fintag on Dask.")
    ap.add_argument("inputs", nargs="+", metavar="INPUT")
    ap.add_argument("-o", "--out-dir", required=True, help="directory for part-*.jsonl")
    ap.add_argument("--rules", action="append", help="rule file or directory (repeatable)")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler")
    ap.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--date-field")
    ap.add_argument("--ref-date", help="document date YYYY-MM-DD for relative dates")
    args = ap.parse_args(argv)

    _use_checkout_package()
    import dask.bag
    import fintag
    from distributed import Client, LocalCluster

    files = find_inputs(args.inputs)
    if not files:
        ap.error("no *.jsonl or *.jsonl.gz input found")
    tagger = fintag.Tagger(args.rules, ref_date=args.ref_date)  # rule errors show here
    os.makedirs(args.out_dir, exist_ok=True)
    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        workers = client.scheduler_info()["workers"]
        print("dask_tag: %d files on %d workers (pids %s) at %s"
              % (len(files), len(workers),
                 " ".join(str(p) for p in sorted(client.run(os.getpid).values())),
                 client.scheduler.address), file=sys.stderr)
        bag = dask.bag.read_text(files, blocksize=None, include_path=True, encoding="utf-8")
        tagged = bag.map_partitions(tag_partition, tagger, args.text_field, args.date_field)
        tagged.to_textfiles(os.path.join(args.out_dir, "part-*.jsonl"),
                            name_function=lambda i: "%05d" % i, encoding="utf-8")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
