"""A minimal PEP 517 / PEP 660 build backend for the fintag binding.

Why not setuptools: pip builds packages in an isolated environment and
installs the backend named in pyproject.toml into it from a package index;
offline, even Debian's setuptools is not reachable from there, so
`pip install ./python` would fail without --no-build-isolation.  The package
is a directory of .py files, so building its wheel is a matter of zipping
them with the three metadata files the wheel format asks for (METADATA,
WHEEL, RECORD) - done here with the standard library only.

Hooks: build_wheel, build_sdist and build_editable (a wheel holding one .pth
file that puts this directory's parent on sys.path, for `pip install -e`).
Metadata (name, version, description, requires-python) is read from the
[project] table of pyproject.toml.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
PACKAGE = "fintag"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _project():
    """The [project] keys of pyproject.toml that hold plain strings."""
    with open(os.path.join(SRC, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    keys = {}
    for m in re.finditer(r'^([A-Za-z-]+)\s*=\s*"([^"]*)"\s*$', section.group(1), re.M):
        keys[m.group(1)] = m.group(2)
    return keys


def _metadata(p):
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"]]
    if "description" in p:
        lines.append("Summary: " + p["description"])
    if "requires-python" in p:
        lines.append("Requires-Python: " + p["requires-python"])
    return "\n".join(lines) + "\n"


def _package_files():
    """(archive name, file path) of every module of the package, sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(SRC, PACKAGE)):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                out.append((os.path.relpath(path, SRC).replace(os.sep, "/"), path))
    return out


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "%s,sha256=%s,%d" % (name, digest.decode(), len(data))


def _write_wheel(wheel_directory, members):
    """Writes a py3-none-any wheel holding members (name -> bytes) plus the
    dist-info files; returns its file name."""
    p = _project()
    dist = "%s-%s" % (p["name"].replace("-", "_"), p["version"])
    info = dist + ".dist-info/"
    members = dict(members)
    members[info + "METADATA"] = _metadata(p).encode()
    members[info + "WHEEL"] = ("Wheel-Version: 1.0\nGenerator: fintag_build\n"
                               "Root-Is-Purelib: true\nTag: py3-none-any\n").encode()
    record = [_record_line(n, d) for n, d in members.items()] + [info + "RECORD,,"]
    members[info + "RECORD"] = ("\n".join(record) + "\n").encode()
    filename = dist + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            zi = zipfile.ZipInfo(name, FIXED_TIME)
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 517: the package's modules as a pure-Python wheel."""
    members = {}
    for name, path in _package_files():
        with open(path, "rb") as f:
            members[name] = f.read()
    return _write_wheel(wheel_directory, members)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 660: a wheel whose .pth file points at this source directory."""
    return _write_wheel(wheel_directory, {PACKAGE + "_editable.pth": (SRC + "\n").encode()})


def build_sdist(sdist_directory, config_settings=None):
    """PEP 517: pyproject.toml, the backend and the package as a .tar.gz."""
    p = _project()
    base = "%s-%s" % (p["name"], p["version"])
    filename = base + ".tar.gz"
    files = [("pyproject.toml", os.path.join(SRC, "pyproject.toml")),
             ("build_backend/fintag_build.py", os.path.abspath(__file__))]
    files += _package_files()
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        for name, path in files:
            tar.add(path, arcname=base + "/" + name, recursive=False)
        pkg_info = _metadata(p).encode()
        ti = tarfile.TarInfo(base + "/PKG-INFO")
        ti.size = len(pkg_info)
        ti.mode = 0o644
        tar.addfile(ti, io.BytesIO(pkg_info))
    return filename
