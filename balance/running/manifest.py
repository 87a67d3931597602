"""The batch manifest (manifest.csv) and the skip-if-unchanged input hash."""
from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import re
from pathlib import Path

from balance.running.outdir import printable, run_name_problem

MANIFEST_COLUMNS = [
    "run", "notebook", "status", "html", "ipynb", "error", "title", "county_code", "year", "params",
    "started", "seconds", "kernel_start", "execution", "export", "input_hash",
]

HASH_FILE = ".input-hash"


def _sha256_file(path: Path, h: "hashlib._Hash") -> None:
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)

_HASH_CACHE: dict[tuple, str] = {}


def _file_digest(path: Path) -> str:
    if path.is_dir():  # a Parquet store: every file's name and content (hidden temp files skipped)
        h = hashlib.sha256()
        for f in sorted(p for p in path.rglob("*") if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(path).parts)):
            h.update(str(f.relative_to(path)).encode())
            h.update(_file_digest(f).encode())
        return h.hexdigest()
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _HASH_CACHE:
        h = hashlib.sha256()
        _sha256_file(path, h)
        _HASH_CACHE[key] = h.hexdigest()
    return _HASH_CACHE[key]


#: What shapes a briefing besides its inputs: every file of these package folders (relative path
#: and content), so an edited figure, sentence or stylesheet reruns the briefings that use it.
BRIEFING_CODE = ("reporting", "templates")


def _template_digest() -> str:
    """sha256 over every file under ``balance/reporting/`` and ``balance/templates/`` (caches and
    hidden files skipped), not a list of module names: a module added or moved is covered too."""
    from balance._resources import PACKAGE_DIR

    h = hashlib.sha256()
    for folder in BRIEFING_CODE:
        root = PACKAGE_DIR / folder
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = f.relative_to(PACKAGE_DIR)
            if "__pycache__" in rel.parts or any(part.startswith(".") for part in rel.parts) or f.suffix == ".pyc":
                continue
            h.update(rel.as_posix().encode() + b"\0")
            _sha256_file(f, h)
    return h.hexdigest()


def input_hash(params, params_path: Path, notebook: Path) -> str:
    """sha256 over everything a briefing depends on (see module docstring)."""
    from balance import __version__

    h = hashlib.sha256()
    h.update(f"balance {__version__}\n".encode())
    h.update(_template_digest().encode())
    for p in (Path(params_path), Path(notebook), Path(params.data)):
        h.update(_file_digest(p).encode())
    if params.standard_is_path():
        h.update(_file_digest(Path(params.standard)).encode())
    else:
        h.update(params.standard.encode())
    if params.county_sheet is not None:
        h.update(_file_digest(Path(params.county_sheet)).encode())
    if getattr(params, "previous_ledger", None) is not None:  # the ledger changes the briefing
        h.update(_file_digest(Path(params.previous_ledger)).encode())
    return h.hexdigest()


def read_manifest(out_dir: str | Path) -> dict[str, dict]:
    """Rows of ``DIR/manifest.csv`` by run name. Rows whose run name is not a plain name (see
    :func:`balance.running.outdir.run_name_problem`; an edited or foreign manifest) are dropped: they are
    never used to build a path."""
    path = Path(out_dir) / "manifest.csv"
    if not path.is_file():
        return {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return {row["run"]: {k: (v if isinstance(v, str) else "") for k, v in row.items() if k is not None}
                    for row in csv.DictReader(fh)
                    if isinstance(row.get("run"), str) and run_name_problem(row["run"]) is None}
    except (OSError, csv.Error, KeyError, UnicodeDecodeError):
        return {}


def _csv_line(row: dict) -> str:
    """One manifest row as CSV text; every value printable (no control characters, no bytes that
    are not text), the ``error`` on one line."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    w.writerow({k: printable(_one_line(row.get(k, ""), 4000) if k == "error" else row.get(k, ""))
                for k in MANIFEST_COLUMNS})
    return buf.getvalue()

_CSV_HEADER = ",".join(MANIFEST_COLUMNS) + "\r\n"


def write_manifest(out_dir: Path, rows: list[dict], lines: list[str] | None = None) -> Path:
    """``DIR/manifest.csv`` (UTF-8 with BOM), written atomically. ``lines``: the rows already as
    CSV text (:func:`_csv_line`), which the batch caches to rewrite the manifest after every run."""
    from balance.io.files import atomic_write_text

    body = "".join(lines) if lines is not None else "".join(_csv_line(r) for r in rows)
    return atomic_write_text(Path(out_dir) / "manifest.csv", "\ufeff" + _CSV_HEADER + body)


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _one_line(s: str, limit: int = 400) -> str:
    s = re.sub(r"\x1b\[[0-9;]*m", "", str(s))
    s = re.sub(r"\s+", " ", s).strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"
