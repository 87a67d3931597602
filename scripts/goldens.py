"""Record or compare golden outputs of every command on the demo data (the layout refactor's net).

Usage (from the repository root, with the project's venv)::

    python scripts/goldens.py record  DIR   # before a change
    python scripts/goldens.py compare DIR   # after: byte-for-byte, timestamps aside

What is recorded in DIR:

* the output files of ``assess`` (csv and parquet, quality-2017 and basic-2012), ``evaluate``,
  ``plan``, ``equity``, ``template school-table|county-sheet``, ``demo-data`` and ``validate``
  on ``data/demo/`` plus their stdout;
* ``parser.json``: ``build_parser()`` as {command: {option strings: default}} (may only grow);
* ``batch.json``: the ``manifest.csv`` columns and the ``<run>/results.json`` keys of a batch of
  one params file.

Comparison: files byte for byte, except timestamps, run times, the checkout's path and the package version
(masked in text and in the 说明 sheets' "balance 版本" cell; ``.xlsx``/``.parquet`` are compared by content:
openpyxl cell values, Arrow tables). A workbook that differs is reported with its first differing cell.
``_provenance.json`` records the commit, version and time of the recording (not compared).
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
BAL = [sys.executable, "-m", "balance"]

COMMANDS = {
    "assess-q-csv": ["assess", str(DEMO / "schools.csv"), "--out", "{out}", "--format", "csv"],
    "assess-q-parquet": ["assess", str(DEMO / "schools.csv"), "--out", "{out}", "--format", "parquet"],
    "assess-b-csv": ["assess", str(DEMO / "schools.csv"), "--out", "{out}", "--standard", "basic-2012",
                     "--format", "csv"],
    "assess-b-parquet": ["assess", str(DEMO / "schools.csv"), "--out", "{out}", "--standard", "basic-2012",
                         "--format", "parquet"],
    "assess-xlsx": ["assess", str(DEMO / "schools.xlsx"), "--out", "{out}"],
    "validate": ["validate", str(DEMO / "schools.csv")],
    "evaluate": ["evaluate", str(DEMO / "schools.csv"), "--county-sheet", str(DEMO / "county_sheet.xlsx"),
                 "--out", "{out}"],
    "plan": ["plan", str(DEMO / "schools.csv"), "--out", "{out}", "--county", "990101"],
    "plan-transfers": ["plan", str(DEMO / "schools.csv"), "--out", "{out}", "--county", "990102", "--transfers"],
    "equity": ["equity", str(DEMO / "schools.csv"), "--out", "{out}"],
    "equity-parquet": ["equity", str(DEMO / "schools.csv"), "--out", "{out}", "--format", "parquet"],
    "template-school": ["template", "school-table", "{out}/school_table.xlsx"],
    "template-county": ["template", "county-sheet", "{out}/county_sheet.xlsx"],
    "demo-data": ["demo-data", "--out", "{out}"],
    "ingest": ["ingest", str(DEMO / "schools.csv"), "--store", "{out}/store"],
}
#: beside the goldens: the commit, version and time they were recorded at (their provenance)
PROVENANCE = "_provenance.json"
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?")
VOLATILE = re.compile(r"/tmp/[^\s\"',)]+")
#: run times: ``"seconds": 0.74`` and the plans' ``"solver_seconds": 0.0483`` (any ``*seconds`` /
#: ``*elapsed`` key) in JSON, ``(5 files, 0.74 s)`` on the console
SECONDS = re.compile(r'("[A-Za-z_]*(?:seconds|elapsed)": )-?[0-9.]+(?:[eE][-+]?\d+)?|(, )[0-9.]+( s\))')


#: the package version (bumped on purpose by a refactor: the skip-if-unchanged hash includes it)
VERSION = re.compile(r"(balance(?:_version)?[ \"':=]+)\d+\.\d+\.\d+\S*?(?=[\s\"'<),]|$)")


def _mask(text: str) -> str:
    text = text.replace(str(ROOT), "{root}")  # the checkout the goldens were recorded in
    text = STAMP.sub("<time>", text)
    text = VERSION.sub(lambda m: m.group(1) + "<version>", text)
    text = SECONDS.sub(lambda m: (m.group(1) or m.group(2)) + "<s>" + (m.group(3) or ""), text)
    return VOLATILE.sub("<tmp>", text)


def parser_snapshot() -> dict:
    from balance.cli import build_parser

    out = {}
    p = build_parser()
    for action in p._actions:  # noqa: SLF001 - a snapshot of the public surface
        if hasattr(action, "choices") and isinstance(action.choices, dict):
            for name, sub in action.choices.items():
                out[name] = _options(sub)
    out[""] = _options(p)
    return out


def _options(p) -> dict:
    opts = {}
    for a in p._actions:  # noqa: SLF001
        if a.option_strings:
            key = " ".join(sorted(a.option_strings))
        else:
            key = a.dest
        d = a.default
        opts[key] = d if isinstance(d, (str, int, float, bool, type(None))) else repr(d)
        if hasattr(a, "choices") and isinstance(a.choices, dict):
            for name, sub in a.choices.items():
                opts[f"{key}:{name}"] = _options(sub)
    return opts


def run_commands(dest: Path) -> None:
    """Run every command of ``COMMANDS`` into ``dest/<name>``, each from a private working directory
    (``tempfile.mkdtemp``, removed afterwards), never the shared /tmp where others' files could
    be read or written by a command's relative paths."""
    cwd = Path(tempfile.mkdtemp(prefix="goldens-cwd-"))
    try:
        for name, argv in COMMANDS.items():
            _run_one(dest / name, argv, cwd)
    finally:
        shutil.rmtree(cwd, ignore_errors=True)


def _run_one(out: Path, argv: list, cwd: Path) -> None:
    out.mkdir(parents=True)
    args = [a.replace("{out}", str(out)) for a in argv]
    r = subprocess.run(BAL + args, capture_output=True, text=True, cwd=cwd)
    (out / "_stdout.txt").write_text(r.stdout.replace(str(out), "{out}").replace(str(ROOT), "{root}"))
    (out / "_rc.txt").write_text(f"{r.returncode}\n{r.stderr if r.returncode else ''}")


def batch_snapshot(dest: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="goldens-batch-"))
    try:
        r = subprocess.run(BAL + ["batch", str(ROOT / "params/demo/990101_2025.yaml"), "--out", str(work),
                                  "--no-progress", "--workers", "1"], capture_output=True, text=True, cwd=ROOT)
        with open(work / "manifest.csv", encoding="utf-8-sig") as fh:
            columns = next(csv.reader(fh))
        results = sorted(work.glob("*/results.json"))
        keys = {p.parent.name: sorted(json.loads(p.read_text(encoding="utf-8"))) for p in results}
        (dest / "batch.json").write_text(json.dumps({"rc": r.returncode, "manifest_columns": columns,
                                                     "results_keys": keys}, ensure_ascii=False, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def record(dest: Path, with_batch: bool = True) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    run_commands(dest)
    (dest / PROVENANCE).write_text(json.dumps(provenance(), ensure_ascii=False, indent=1))
    (dest / "parser.json").write_text(json.dumps(parser_snapshot(), ensure_ascii=False, indent=1, sort_keys=True))
    if with_batch:
        batch_snapshot(dest)


#: the 说明 rows of a workbook whose value is the package version (a bare "0.2.0": VERSION above
#: needs the word "balance" in the same text, so in a workbook this cell was compared unmasked — the
#: one cell by which results.xlsx (and evaluation.xlsx) "differed" after the 0.1.0 → 0.2.0 bump)
VERSION_LABELS = ("balance 版本", "balance 版本 / version")


def _cell_text(row: list, c) -> object:
    v = c.value
    if not isinstance(v, str):
        return v
    if c.column > 1 and row[0].value in VERSION_LABELS:
        return "<version>"
    return _mask(v)


def _content(path: Path):
    if path.suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path)
        return [(ws.title, [[_cell_text(row, c) for c in row] for row in ws.iter_rows()]) for ws in wb.worksheets]
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        t = pq.read_table(path)
        return (t.schema.remove_metadata().to_string(), t.to_pylist())
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return _mask(text)


def first_difference(old: Path, new: Path) -> str:
    """Where two workbooks first differ (after masking): the sheet, the cell and both values, so a
    difference is never left unidentified."""
    from openpyxl.utils import get_column_letter

    a, b = _content(old), _content(new)
    if [t for t, _ in a] != [t for t, _ in b]:
        return f"sheets {[t for t, _ in a]} → {[t for t, _ in b]}"
    for (title, rows_a), (_, rows_b) in zip(a, b):
        for i in range(max(len(rows_a), len(rows_b))):
            ra = rows_a[i] if i < len(rows_a) else []
            rb = rows_b[i] if i < len(rows_b) else []
            for j in range(max(len(ra), len(rb))):
                va = ra[j] if j < len(ra) else None
                vb = rb[j] if j < len(rb) else None
                if va != vb:
                    return f"{title}!{get_column_letter(j + 1)}{i + 1}: {va!r} → {vb!r}"
    return "no cell differs"


def provenance() -> dict:
    """Where a golden set comes from (written beside it as _provenance.json; not compared)."""
    import datetime as dt
    import platform

    from balance import __version__

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        commit = ""
    return {"commit": commit, "balance": __version__, "python": platform.python_version(),
            "recorded": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "demo_data": "data/demo/ (balance demo-data, seed fixed)", "commands": COMMANDS}


def compare(golden: Path, with_batch: bool = True) -> int:
    fresh = Path(tempfile.mkdtemp(prefix="goldens-now-"))
    try:
        record(fresh, with_batch=with_batch)
        bad = []
        names_g = {p.relative_to(golden) for p in golden.rglob("*") if p.is_file()}
        names_f = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
        if not with_batch:
            names_g.discard(Path("batch.json"))
        names_g.discard(Path(PROVENANCE))
        names_f.discard(Path(PROVENANCE))
        for n in sorted(names_g - names_f):
            bad.append(f"missing now: {n}")
        for n in sorted(names_f - names_g):
            bad.append(f"new file: {n}")
        same_bytes = 0
        for n in sorted(names_g & names_f):
            g, f = golden / n, fresh / n
            if n == Path("parser.json"):
                old, new = json.loads(g.read_text()), json.loads(f.read_text())
                for cmd, opts in old.items():
                    for k, v in opts.items():
                        if new.get(cmd, {}).get(k, "<gone>") != v:
                            bad.append(f"parser: {cmd} {k}: {v!r} → {new.get(cmd, {}).get(k, '<gone>')!r}")
                continue
            if g.read_bytes() == f.read_bytes():
                same_bytes += 1
            elif _content(g) != _content(f):
                bad.append(f"differs: {n}" + (f" ({first_difference(g, f)})" if n.suffix == ".xlsx" else ""))
        print(f"{len(names_g & names_f)} files compared, {same_bytes} byte-identical, "
              f"{len(bad)} problems")
        for b in bad:
            print("  ", b)
        return 1 if bad else 0
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("record", "compare"))
    ap.add_argument("dir")
    ap.add_argument("--no-batch", action="store_true")
    a = ap.parse_args()
    d = Path(a.dir).resolve()
    sys.exit(record(d, not a.no_batch) if a.mode == "record" else compare(d, not a.no_batch))
