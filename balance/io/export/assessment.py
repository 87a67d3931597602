"""Writing assessment results: the CSV/JSON contract files and a Chinese Excel workbook.

Files (``balance assess INPUT --out DIR``), CSV in UTF-8 with BOM so Excel opens them:

* ``county_indicators.csv`` — one row per year × county × stage × indicator
* ``school_results.csv`` — one row per in-scope section, one column per indicator
* ``excluded_sections.csv`` — sections out of scope, with the reason
* ``shortfalls.csv`` — per section × indicator below its standard, in natural units
* ``county_shortfalls.csv`` — shortfalls summed per county × year × stage × indicator
* ``warnings.csv`` — data-quality warnings (suspicious but legal values)
* ``summary.json`` — per county × year: verdicts, counts, CVs, failing items
* ``results.xlsx`` — the same tables with Chinese sheet names and headers, for bureau staff
  (only when every sheet fits Excel's 1,048,576 rows)

With ``format="parquet"`` (``balance assess --format parquet``; ``auto`` picks it for large
panels) the six tables are written as ``*.parquet`` with the same column names, typed.

CSV keeps canonical English column names (other programs read them: a contract) except the
indicator columns, which carry the exact Chinese indicator names. Values are written unrounded;
rounding is for display only. The CSV bytes are those of ``DataFrame.to_csv``, written by
Arrow (:mod:`balance.io.export.csvfile`). All files are written to a temporary folder first and moved into
place only when every one of them is complete.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from balance import __version__
from balance.io.export.xlsx import (  # noqa: F401
    EXCEL_INF_TEXT,
    EXCEL_MAX_TEXT,
    EXCEL_TRUNCATED,
    About,
    Sheet,
    append_row,
    chinese_names,
    excel_text,
    excel_value,
    save_workbook,
    set_cell,
    standard_titled,
    write_frame,
)
from balance.io.files import json_scalar as _jsonable
from balance.io.files import json_text, staged_files
from balance.schema import labels

CSV_FILES = {
    "county_indicators": "county_indicators.csv",
    "school_results": "school_results.csv",
    "excluded": "excluded_sections.csv",
    "shortfalls": "shortfalls.csv",
    "county_shortfalls": "county_shortfalls.csv",
    "warnings": "warnings.csv",
}


#: Excel's sheet size: 1,048,576 rows including the header row.
EXCEL_MAX_ROWS = 1_048_576
#: ``--format auto`` writes Parquet when a result table has more rows than this.
AUTO_PARQUET_ROWS = 200_000
PARQUET_FILES = {k: v.removesuffix(".csv") + ".parquet" for k, v in CSV_FILES.items()}
#: threads that write the result tables while the calling thread builds summary.json
WRITER_THREADS = 2
_BOOL_TEXT = np.array(["false", "true", ""], dtype=object)


def _csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Booleans as ``true``/``false`` (NA empty); everything else as is. A shallow copy: the
    converted columns replace the copy's columns, the caller's frame is not touched."""
    out = df.copy(deep=False)
    for c in out.columns:
        s = out[c]
        if s.dtype == bool or str(s.dtype) == "boolean":  # vectorised: "" for NA, else true/false
            na = s.isna().to_numpy()
            code = np.where(na, 2, s.to_numpy(dtype=bool, na_value=False).astype("int64"))
            out[c] = pd.Series(_BOOL_TEXT[code], index=s.index, dtype="object")
        elif s.dtype == object and len(s) and isinstance(s.dropna().iloc[0] if s.notna().any() else None, list):
            out[c] = s.map(lambda v: "；".join(v) if isinstance(v, list) else v)
    return out


def summary_records(a) -> list[dict]:
    """The body of ``summary.json``: one record per county × year (see module docstring).

    Every indicator and shortfall row becomes its JSON object once, from columns converted to
    plain Python values in one pass each (:func:`_json_list`: a missing or non-finite number is
    ``None``, written ``null``, as :func:`balance.io.files.json_text` would write it); the rows are
    split by county-year (and stage) once. The cost grows linearly with the number of rows.
    """
    std = a.standard
    ci, cs = a.county_indicators, a.county_shortfalls
    ci_rows = _rows_by_county_year(ci, ["stage"]) if len(ci) else {}
    cs_rows = _rows_by_county_year(cs) if not cs.empty else {}
    indicators = _indicator_objects(ci) if len(ci) else []
    sections = ci["sections"].tolist() if len(ci) else []
    shortfalls = _shortfall_objects(cs) if not cs.empty else []
    out = []
    vt = a.verdicts
    names = list(vt.columns)
    for values in zip(*(vt[c].tolist() for c in names)):  # plain values, one conversion per column
        v = dict(zip(names, values))
        year, code = v["year"], v["county_code"]
        rec = {
            "year": int(year), "county_code": code, "county_name": v["county_name"],
            "standard": std.id, "standard_title": std.title,
            "passed": bool(v["passed"]),
            "verdict": "达到" if v["passed"] else "未达到",
            "sections": int(v["sections"]),
            "sections_passed": _jsonable(v.get("sections_passed")),
            "cvs_decisive": int(v["cvs_decisive"]), "cvs_passed": int(v["cvs_passed"]),
            "failing_items": list(v["failing_items"]),
            "stages": {},
        }
        for st in std.stages:
            idx = ci_rows.get((year, code, st))
            if idx is None:
                continue
            rec["stages"][st] = {
                "sections": _jsonable(v.get(f"sections_{st}", int(sections[idx[0]]))),
                "sections_passed": _jsonable(v.get(f"sections_passed_{st}")),
                "indicators": [indicators[i] for i in idx],
            }
        rec["shortfalls"] = [shortfalls[i] for i in cs_rows.get((year, code), ())]
        out.append(rec)
    return out


def _json_list(s: pd.Series) -> list:
    """``s`` as a list of plain Python values for JSON: numbers as int / float, booleans as bool,
    and NaN, ±inf, ``None`` and ``NA`` as ``None`` (the ``null`` that ``json_text`` writes for them)."""
    if pd.api.types.is_float_dtype(s.dtype) and s.dtype.kind == "f":
        x = s.to_numpy(dtype=float, na_value=np.nan)
        obj = x.astype(object)
        obj[~np.isfinite(x)] = None
        return obj.tolist()
    if s.dtype.kind in "biu":  # numpy bool / integer: no missing values
        return s.tolist()
    if isinstance(s.dtype, (pd.StringDtype, pd.BooleanDtype)):  # text / nullable booleans: NA → None at C speed
        return s.to_numpy(dtype=object, na_value=None).tolist()
    return [_finite(_jsonable(x)) for x in s.tolist()]


def _finite(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _indicator_objects(ci: pd.DataFrame) -> list[dict]:
    """One ``stages.*.indicators`` object per row of ``county_indicators``."""
    cols = [_json_list(ci[c]) for c in ("indicator", "value", "cv", "cv_limit", "cv_passed")]
    decisive = [bool(x) for x in ci["decisive"].tolist()]
    notes = [x if isinstance(x, str) and x else None for x in ci["cv_note"].tolist()]
    return [{"indicator": ind, "value": val, "cv": cv, "cv_limit": lim, "cv_passed": ok, "decisive": dec, "note": note}
            for ind, val, cv, lim, ok, dec, note in zip(*cols, decisive, notes)]


def _shortfall_objects(cs: pd.DataFrame) -> list[dict]:
    """One ``shortfalls`` object per row of ``county_shortfalls``."""
    stage, ind, unit, total, failing_total = (_json_list(cs[c]) for c in (
        "stage", "indicator", "add_unit", "shortfall", "shortfall_failing_sections"))
    below = [int(x) for x in cs["sections_below"].tolist()]
    failing = [int(x) for x in cs["sections_failing"].tolist()]
    return [{"stage": a, "indicator": b, "unit": c, "sections_below": d, "total": e, "sections_failing": f,
             "total_failing_sections": g}
            for a, b, c, d, e, f, g in zip(stage, ind, unit, below, total, failing, failing_total)]


def _rows_by_county_year(df: pd.DataFrame, more: list[str] | None = None) -> dict:
    """(year, county_code[, *more]) -> row positions (a list) of ``df`` in table order (one pass,
    not one filter per county)."""
    if df.empty or "year" not in df or "county_code" not in df:
        return {}
    keys = ["year", "county_code", *(more or [])]
    return {k: v.tolist() for k, v in df.groupby(keys, sort=False).indices.items()}


def _chinese(df: pd.DataFrame, sheet: str | None = None) -> pd.DataFrame:
    """Chinese headers; booleans as 是 / 否 (NA empty), lists joined (kept for old callers; the
    workbooks use :class:`~balance.io.export.xlsx.Sheet`, which does the same)."""
    from balance.io.export.xlsx import _display_frame

    if "threshold" in df and "standard" in df:  # one number, shown once (as 标准值) where people read
        df = df.drop(columns="threshold")
    return _display_frame(df).rename(columns=chinese_names(df.columns, sheet))


def write_workbook(a, path: Path) -> None:
    """``results.xlsx`` in the house style (:mod:`balance.io.export.xlsx`): a first sheet 说明 that
    lists the sheets, the standard, the data file and its checksum; Chinese sheet names and headers;
    numbers formatted by unit (the values themselves unrounded); 小学 before 初中.

    Every cell is written by :func:`~balance.io.export.xlsx.set_cell`: names stay text (even
    "=1+1"), missing numbers are empty cells, infinite ones "∞"."""
    names = labels()["sheets"]
    holds = labels()["sheet_holds"]
    verdicts = standard_titled(a.verdicts, a.standard)
    verdicts["passed"] = verdicts["passed"].map({True: "达到", False: "未达到"})
    verdicts = verdicts.rename(columns={"passed": "resource_passed"})
    tables = [("summary", verdicts), ("county_indicators", a.county_indicators), ("school_results", a.school_results),
              ("shortfalls", a.shortfalls), ("county_shortfalls", a.county_shortfalls), ("excluded", a.excluded),
              ("warnings", a.warnings)]
    sheets = [Sheet(names[k], df, holds[k], key=k, freeze=_FREEZE.get(k, "A2")) for k, df in tables]
    about = About(a.standard.title, a.source, a.sha256 or None, lines=[("说明", holds["about"]),
                                                                         ("口径", labels()["terms"]["differs"])])
    save_workbook(path, sheets, about)


#: frozen panes of the results.xlsx sheets: the header row and the columns that name the row
_FREEZE = {"summary": "D2", "county_indicators": "F2", "school_results": "F2", "shortfalls": "F2",
           "excluded": "F2"}


def workbook_sheet_rows(a) -> dict[str, int]:
    """Rows (with the header) each sheet of ``results.xlsx`` would have."""
    return {"summary": len(a.verdicts) + 1, "county_indicators": len(a.county_indicators) + 1,
            "school_results": len(a.school_results) + 1, "shortfalls": len(a.shortfalls) + 1,
            "county_shortfalls": len(a.county_shortfalls) + 1, "excluded": len(a.excluded) + 1,
            "warnings": len(a.warnings) + 1}


def excel_too_big(a) -> dict[str, int]:
    """The sheets that would exceed Excel's row limit (:data:`EXCEL_MAX_ROWS`); empty when it fits."""
    return {k: n for k, n in workbook_sheet_rows(a).items() if n > EXCEL_MAX_ROWS}


def result_format(a, fmt: str = "csv") -> str:
    """``csv`` or ``parquet``: ``auto`` is Parquet when a result table has more than
    :data:`AUTO_PARQUET_ROWS` rows."""
    if fmt not in ("csv", "parquet", "auto"):
        raise ValueError(f"format must be csv, parquet or auto, not {fmt!r}")
    if fmt != "auto":
        return fmt
    biggest = max(len(getattr(a, attr)) for attr in CSV_FILES)
    return "parquet" if biggest > AUTO_PARQUET_ROWS else "csv"


def _parquet_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding lists or mixed values as text so Arrow can store them."""
    out = df.copy(deep=False)
    for c in out.columns:
        s = out[c]
        if s.dtype == object and len(s):
            sample = s.dropna()
            if len(sample) and isinstance(sample.iloc[0], list):
                out[c] = s.map(lambda v: "；".join(v) if isinstance(v, list) else v)
            elif pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty", "boolean", "integer", "floating"):
                out[c] = s.map(lambda v: None if v is None or v is pd.NA else str(v))
    return out


def write_results(a, out_dir: str | Path, *, excel: bool = True, format: str = "csv") -> list[Path]:
    """Write every result file of an :class:`~balance.method.assessment.Assessment` into ``out_dir``.

    ``format``: ``csv`` (the contract files, default), ``parquet`` (the same tables as
    ``*.parquet``, typed, for large panels) or ``auto`` (Parquet when a table has more than
    :data:`AUTO_PARQUET_ROWS` rows). The workbook is written only when ``excel`` and every sheet
    fits Excel's row limit (see :func:`excel_too_big`; the caller says so when it is skipped).

    Files are first written to a temporary folder inside ``out_dir`` and moved into place only
    when all of them are complete, so an interrupted run never leaves a half-written set.
    Returns the paths written.
    """
    from concurrent.futures import ThreadPoolExecutor

    fmt = result_format(a, format)
    # the pool is left (its threads joined) before staged_files moves or discards the files
    with staged_files(out_dir) as s, ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
        # Arrow encodes (and compresses) without the GIL: the tables are written on other threads,
        # the largest first, while this one builds summary.json (a national panel: ~2 s of CPU each)
        writer, names = (_write_parquet_table, PARQUET_FILES) if fmt == "parquet" else (_write_csv_table, CSV_FILES)
        order = sorted(CSV_FILES, key=lambda attr: -getattr(a, attr).size)
        staged = {attr: s.stage(names[attr]) for attr in CSV_FILES}  # staged in the contract's order
        tables = [pool.submit(writer, getattr(a, attr), staged[attr]) for attr in order]
        payload = {
            "generator": f"balance {__version__}",
            "standard": a.standard.id,
            "source": a.source,
            "sha256": a.sha256,
            "counties": summary_records(a),
        }
        # indented for reading by eye; a national panel's summary is written compact (the C encoder)
        indent = 2 if len(a.verdicts) <= 1000 else None
        s.stage("summary.json").write_text(json_text(payload, indent=indent), encoding="utf-8")
        for t in tables:
            t.result()  # an error writing a table is raised here, inside staged_files
        if excel and not excel_too_big(a):
            write_workbook(a, s.stage("results.xlsx"))
    return s.final


def _write_csv_table(df: pd.DataFrame, path: Path) -> None:
    """One CSV contract file: the bytes of ``to_csv`` (:func:`balance.io.export.csvfile.write_csv`)."""
    from balance.io.export.csvfile import write_csv

    write_csv(_csv_ready(df), path)


def _write_parquet_table(df: pd.DataFrame, path: Path) -> None:
    _parquet_ready(df).to_parquet(path, index=False, compression="zstd")
