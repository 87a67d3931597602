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

CSV keeps canonical English column names (other programs read them: a contract) except the
indicator columns, which carry the exact Chinese indicator names. Values are written unrounded;
rounding is for display only. All files are written to a temporary folder first and moved into
place only when every one of them is complete.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from balance import __version__
from balance.schema import labels

CSV_FILES = {
    "county_indicators": "county_indicators.csv",
    "school_results": "school_results.csv",
    "excluded": "excluded_sections.csv",
    "shortfalls": "shortfalls.csv",
    "county_shortfalls": "county_shortfalls.csv",
    "warnings": "warnings.csv",
}


def _csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Booleans as ``true``/``false`` (NA empty); everything else as is."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype == bool or str(s.dtype) == "boolean":
            out[c] = s.map(lambda v: "" if v is pd.NA or v is None else ("true" if v else "false")).astype("object")
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
    """The body of ``summary.json``: one record per county × year (see module docstring)."""
    std = a.standard
    ci = a.county_indicators
    cs = a.county_shortfalls
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
        sub = ci[(ci.year == v.year) & (ci.county_code == v.county_code)]
        for st in std.stages:
            s = sub[sub.stage == st]
            if s.empty:
                continue
            stage_rec = {
                "sections": _jsonable(getattr(v, f"sections_{st}", int(s["sections"].iloc[0]))),
                "sections_passed": _jsonable(getattr(v, f"sections_passed_{st}", None)),
                "indicators": [
                    {"indicator": r.indicator, "value": _jsonable(r.value), "cv": _jsonable(r.cv),
                     "cv_limit": _jsonable(r.cv_limit), "cv_passed": _jsonable(r.cv_passed),
                     "decisive": bool(r.decisive), "note": r.cv_note or None}
                    for r in s.itertuples(index=False)
                ],
            }
            rec["stages"][st] = stage_rec
        if not cs.empty:
            c = cs[(cs.year == v.year) & (cs.county_code == v.county_code)]
            rec["shortfalls"] = [
                {"stage": r.stage, "indicator": r.indicator, "unit": r.add_unit, "sections_below": int(r.sections_below),
                 "total": _jsonable(r.shortfall), "sections_failing": int(r.sections_failing),
                 "total_failing_sections": _jsonable(r.shortfall_failing_sections)}
                for r in c.itertuples(index=False)
            ]
        else:
            rec["shortfalls"] = []
        out.append(rec)
    return out


def _chinese(df: pd.DataFrame) -> pd.DataFrame:
    names = labels()["columns"]
    out = _csv_ready(df)
    for c in out.columns:
        s = out[c]
        if s.dtype == object:
            out[c] = s.replace({"true": "是", "false": "否"})
    return out.rename(columns={c: names.get(c, c) for c in out.columns})


def write_workbook(a, path: Path) -> None:
    """``results.xlsx``: Chinese sheet names and headers, frozen header row, sensible widths."""
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
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for key, df in tables:
            _chinese(df).to_excel(xw, sheet_name=sheets[key], index=False)
        about.to_excel(xw, sheet_name=sheets["about"], index=False)
        for ws in xw.book.worksheets:
            ws.freeze_panes = "A2"
            for col in ws.columns:
                header = str(col[0].value or "")
                width = min(40, max(8, int(sum(2 if ord(ch) > 127 else 1 for ch in header) * 1.1) + 2))
                ws.column_dimensions[col[0].column_letter].width = width
                if header in ("差异系数", "差异系数限值", "最低达成率", "达成率"):
                    for cell in col[1:]:
                        cell.number_format = "0.000"


def write_results(a, out_dir: str | Path, *, excel: bool = True) -> list[Path]:
    """Write every result file of an :class:`~balance.assessment.Assessment` into ``out_dir``.

    Files are first written to a temporary folder inside ``out_dir`` and moved into place only
    when all of them are complete, so an interrupted run never leaves a half-written set.
    Returns the paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".balance-tmp-", dir=out))
    try:
        written = []
        for attr, name in CSV_FILES.items():
            _csv_ready(getattr(a, attr)).to_csv(tmp / name, index=False, encoding="utf-8-sig")
            written.append(name)
        payload = {
            "generator": f"balance {__version__}",
            "standard": a.standard.id,
            "source": a.source,
            "sha256": a.sha256,
            "counties": summary_records(a),
        }
        (tmp / "summary.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append("summary.json")
        if excel:
            write_workbook(a, tmp / "results.xlsx")
            written.append("results.xlsx")
        final = []
        for name in written:
            os.replace(tmp / name, out / name)
            final.append(out / name)
        return final
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
