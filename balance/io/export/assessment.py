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
rounding is for display only. All files are written to a temporary folder first and moved into
place only when every one of them is complete.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from balance import __version__
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
_BOOL_TEXT = np.array(["false", "true", ""], dtype=object)


def _csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Booleans as ``true``/``false`` (NA empty); everything else as is."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype == bool or str(s.dtype) == "boolean":  # vectorised: "" for NA, else true/false
            na = s.isna().to_numpy()
            code = np.where(na, 2, s.to_numpy(dtype=bool, na_value=False).astype("int64"))
            out[c] = pd.Series(_BOOL_TEXT[code], index=s.index, dtype="object")
        elif s.dtype == object and len(s) and isinstance(s.dropna().iloc[0] if s.notna().any() else None, list):
            out[c] = s.map(lambda v: "；".join(v) if isinstance(v, list) else v)
    return out


def _jsonable(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(v) else float(v)
    return v


def summary_records(a) -> list[dict]:
    """The body of ``summary.json``: one record per county × year (see module docstring).

    The county tables are split by county-year once (column lists and row positions), so the
    cost grows linearly with the number of county-years.
    """
    std = a.standard
    ci = a.county_indicators
    cs = a.county_shortfalls
    ci_rows = _rows_by_county_year(ci)
    cs_rows = _rows_by_county_year(cs) if not cs.empty else {}
    ci_cols = {c: ci[c].tolist() for c in ("stage", "indicator", "value", "cv", "cv_limit", "cv_passed", "decisive",
                                           "cv_note", "sections")} if len(ci) else {}
    cs_cols = {c: cs[c].tolist() for c in ("stage", "indicator", "add_unit", "sections_below", "shortfall",
                                           "sections_failing", "shortfall_failing_sections")} if not cs.empty else {}
    out = []
    for v in a.verdicts.itertuples(index=False):
        rec = {
            "year": int(v.year), "county_code": v.county_code, "county_name": v.county_name,
            "standard": std.id, "standard_title": std.title,
            "passed": bool(v.passed),
            "verdict": "达到" if v.passed else "未达到",
            "sections": int(v.sections),
            "sections_passed": _jsonable(getattr(v, "sections_passed", None)),
            "cvs_decisive": int(v.cvs_decisive), "cvs_passed": int(v.cvs_passed),
            "failing_items": list(v.failing_items),
            "stages": {},
        }
        rows = ci_rows.get((v.year, v.county_code), ())
        for st in std.stages:
            idx = [i for i in rows if ci_cols["stage"][i] == st]
            if not idx:
                continue
            c = ci_cols
            stage_rec = {
                "sections": _jsonable(getattr(v, f"sections_{st}", int(c["sections"][idx[0]]))),
                "sections_passed": _jsonable(getattr(v, f"sections_passed_{st}", None)),
                "indicators": [
                    {"indicator": c["indicator"][i], "value": _jsonable(c["value"][i]), "cv": _jsonable(c["cv"][i]),
                     "cv_limit": _jsonable(c["cv_limit"][i]), "cv_passed": _jsonable(c["cv_passed"][i]),
                     "decisive": bool(c["decisive"][i]), "note": c["cv_note"][i] or None}
                    for i in idx
                ],
            }
            rec["stages"][st] = stage_rec
        if not cs.empty:
            c = cs_cols
            rec["shortfalls"] = [
                {"stage": c["stage"][i], "indicator": c["indicator"][i], "unit": c["add_unit"][i],
                 "sections_below": int(c["sections_below"][i]), "total": _jsonable(c["shortfall"][i]),
                 "sections_failing": int(c["sections_failing"][i]),
                 "total_failing_sections": _jsonable(c["shortfall_failing_sections"][i])}
                for i in cs_rows.get((v.year, v.county_code), ())
            ]
        else:
            rec["shortfalls"] = []
        out.append(rec)
    return out


def _rows_by_county_year(df: pd.DataFrame) -> dict:
    """(year, county_code) -> row positions of ``df`` in table order (one pass, not one filter per county)."""
    if df.empty or "year" not in df or "county_code" not in df:
        return {}
    return {k: np.asarray(v) for k, v in df.groupby(["year", "county_code"], sort=False).indices.items()}


def chinese_names(columns, sheet: str | None = None) -> dict[str, str]:
    """Chinese header of each column: the sheet's own label (``sheet_columns`` of labels.yaml),
    else the general one, else a stage-suffixed one ("sections_小学" → "小学参评学段单位数")."""
    lab = labels()
    names = {**lab["columns"], **(lab.get("sheet_columns", {}).get(sheet) or {})}
    out = {}
    for c in columns:
        base, _, stage = str(c).rpartition("_")
        if c in names:
            out[c] = names[c]
        elif base in lab.get("stage_columns", {}) and stage in ("小学", "初中", "高中"):
            out[c] = lab["stage_columns"][base].format(stage=stage)
        else:
            out[c] = c
    return out


def _chinese(df: pd.DataFrame, sheet: str | None = None) -> pd.DataFrame:
    """Chinese headers; booleans as 是 / 否 (NA empty), lists joined. Only boolean columns are
    translated: a school named "true" keeps its name."""
    if "threshold" in df and "standard" in df:  # one number, shown once (as 标准值) where people read
        df = df.drop(columns="threshold")
    names = chinese_names(df.columns, sheet)
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype == bool or str(s.dtype) == "boolean":
            out[c] = pd.Series([None if x is pd.NA else ("是" if x else "否") for x in s], index=s.index, dtype=object)
    out = _csv_ready(out)
    return out.rename(columns=names)


# ---------------------------------------------------------------------------------------------
# workbook cells: the one path by which the package writes a cell of any workbook
#
# openpyxl stores a string that begins with "=" as a formula and "#N/A", "#DIV/0!" … as error
# values; it refuses control characters (an exception), and writes NaN/inf as numbers Excel
# cannot read. Every writer of a workbook (results.xlsx, evaluation.xlsx, the templates, the
# demo table) goes through :func:`set_cell` / :func:`append_row` / :func:`write_frame`, which
# keep text as text, whatever it begins with.

#: What a workbook cell shows for an infinite number ("-∞" for minus infinity). NaN, None and
#: NA become empty cells.
EXCEL_INF_TEXT = "∞"
#: Excel's limit on the characters of one cell; longer text is cut and marked.
EXCEL_MAX_TEXT = 32_767
EXCEL_TRUNCATED = "…（已截断 / truncated）"
#: First characters that make Excel (or LibreOffice) read typed text as a formula or command.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = None  # compiled on first use (openpyxl's own pattern)


def excel_text(text: str) -> str:
    """``text`` as a workbook can hold it: control characters openpyxl refuses replaced by U+FFFD (�),
    at most :data:`EXCEL_MAX_TEXT` characters (longer text ends with :data:`EXCEL_TRUNCATED`)."""
    global _ILLEGAL_XML
    if _ILLEGAL_XML is None:
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        _ILLEGAL_XML = ILLEGAL_CHARACTERS_RE
    text = _ILLEGAL_XML.sub("\ufffd", str(text))
    if len(text) > EXCEL_MAX_TEXT:
        text = text[:EXCEL_MAX_TEXT - len(EXCEL_TRUNCATED)] + EXCEL_TRUNCATED
    return text


def excel_value(v):
    """The value a workbook cell gets for ``v``.

    Text → cleaned text (:func:`excel_text`); booleans and integers as they are; finite floats as
    floats; NaN / None / NA / NaT → ``None`` (an empty cell); ±inf → ``"∞"`` / ``"-∞"``
    (:data:`EXCEL_INF_TEXT`); lists → their items joined by "；"; dates as dates (time zone
    dropped, Excel has none); anything else → its text.
    """
    import datetime as _dt
    import numbers

    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, str):
        return excel_text(v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (numbers.Integral, np.integer)):
        return int(v)
    if isinstance(v, (numbers.Real, np.floating)):
        x = float(v)
        if math.isnan(x):
            return None
        if math.isinf(x):
            return EXCEL_INF_TEXT if x > 0 else "-" + EXCEL_INF_TEXT
        return x
    if isinstance(v, (list, tuple)):
        return excel_text("；".join("" if x is None else str(x) for x in v))
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, (_dt.datetime, _dt.time)):
        return v.replace(tzinfo=None)
    if isinstance(v, _dt.date):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return excel_text(str(v))


def _as_text_safe(cell, value):
    v = excel_value(value)
    cell.value = v
    if isinstance(v, str):
        cell.data_type = "s"  # openpyxl made "=…" a formula and "#N/A" an error value
        if v.startswith(_FORMULA_START):
            cell.quotePrefix = True
    return cell


def set_cell(ws, row: int, column: int, value):
    """Write ``value`` (see :func:`excel_value`) into ``ws`` at (row, column); return the cell.

    Text is stored as text: never a formula, never an error value. Text that Excel would read as a
    formula when a user edits the cell (beginning with = + - @, tab or CR) also gets Excel's quote
    prefix, so it stays text after editing too.
    """
    return _as_text_safe(ws.cell(row=row, column=column), value)


def append_row(ws, values) -> None:
    """``ws.append(values)`` with every value written as :func:`set_cell` writes it."""
    from openpyxl.cell.cell import Cell

    ws.append([_as_text_safe(Cell(ws), v) for v in values])


def write_frame(ws, df: pd.DataFrame) -> None:
    """Write ``df`` into an empty sheet: the header row (bold, framed, as pandas writes it), then one
    row per record, every cell through :func:`set_cell`."""
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    head_font, head_border = Font(bold=True), Border(left=thin, right=thin, top=thin, bottom=thin)
    head_align = Alignment(horizontal="center", vertical="top")
    for j, name in enumerate(df.columns, start=1):
        c = set_cell(ws, 1, j, name)
        c.font, c.border, c.alignment = head_font, head_border, head_align
    for i, rec in enumerate(df.itertuples(index=False, name=None), start=2):
        for j, v in enumerate(rec, start=1):
            set_cell(ws, i, j, v)


def write_workbook(a, path: Path) -> None:
    """``results.xlsx``: Chinese sheet names and headers, frozen header row, sensible widths.

    Every cell is written by :func:`write_frame`: names stay text (even "=1+1"), missing numbers
    are empty cells, infinite ones "∞"."""
    sheets = labels()["sheets"]
    verdicts = a.verdicts.copy()
    verdicts["passed"] = verdicts["passed"].map({True: "达到", False: "未达到"})
    verdicts = verdicts.rename(columns={"passed": "resource_passed"})
    about = pd.DataFrame({
        "项目": ["评估标准", "数据文件", "SHA-256", "balance 版本", "生成时间", "说明"],
        "内容": [a.standard.title, a.source, a.sha256 or "", __version__,
               datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M"),
               "数值未经四舍五入；差异系数显示 3 位小数。CSV 文件为程序读取用，列名为英文。"],
    })
    tables = [
        ("summary", verdicts), ("county_indicators", a.county_indicators), ("school_results", a.school_results),
        ("shortfalls", a.shortfalls), ("county_shortfalls", a.county_shortfalls), ("excluded", a.excluded),
        ("warnings", a.warnings),
    ]
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for key, df in tables + [("about", about)]:
        write_frame(wb.create_sheet(sheets[key]), _chinese(df, key) if key != "about" else df)
    for ws in wb.worksheets:
        ws.freeze_panes = "A2"
        for col in ws.columns:
            header = str(col[0].value or "")
            width = min(40, max(8, int(sum(2 if ord(ch) > 127 else 1 for ch in header) * 1.1) + 2))
            ws.column_dimensions[col[0].column_letter].width = width
            if header in ("差异系数", "差异系数限值", "最低达成率", "达成率"):
                for cell in col[1:]:
                    cell.number_format = "0.000"
    wb.save(path)


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
    # the pool is left (its thread joined) before staged_files moves or discards the files
    with staged_files(out_dir) as s, ThreadPoolExecutor(max_workers=1) as pool:
        tables = None
        if fmt == "parquet":  # Arrow encodes and compresses without the GIL: the tables are written
            # on a second thread while this one builds summary.json (a national panel: ~2 s each)
            tables = pool.submit(_write_parquet_tables, [(getattr(a, attr), s.stage(PARQUET_FILES[attr]))
                                                         for attr in CSV_FILES])
        else:
            for attr, name in CSV_FILES.items():
                _csv_ready(getattr(a, attr)).to_csv(s.stage(name), index=False, encoding="utf-8-sig")
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
        if tables is not None:
            tables.result()  # an error writing a table is raised here, inside staged_files
        if excel and not excel_too_big(a):
            write_workbook(a, s.stage("results.xlsx"))
    return s.final


def _write_parquet_tables(jobs) -> None:
    for df, path in jobs:
        _parquet_ready(df).to_parquet(path, index=False, compression="zstd")
