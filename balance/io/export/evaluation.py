"""``evaluation.xlsx`` (``balance evaluate``): the four-area evaluation in the house style.

Sheets (names and headers from ``labels.yaml`` ``evaluation_sheets`` / ``evaluation_columns``): 说明
(first: what each sheet holds, the standard, the school data and the county sheet with their
checksums), 评估结论, 未达标事项, 逐项结果, 学校逐项计算, 资源配置指标, 数据提示. Verdict cells are
coloured (达标 / 达到 green, 未达标 red, 缺失 grey) by :mod:`balance.io.export.xlsx`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from balance.io.export.xlsx import About, Sheet, save_workbook, standard_titled
from balance.schema import labels

VERDICT_COLUMNS = ["year", "county_code", "county_name", "verdict", "resource_status", "government_status",
                   "quality_status", "recognition_status", "veto_status", "items_failed", "items_missing",
                   "failing_items", "standard_id"]


def _failing_rows(verdicts: pd.DataFrame) -> pd.DataFrame:
    rows = [{"year": r.year, "county_code": r.county_code, "county_name": r.county_name, "item_no": k, "item": s}
            for r in verdicts.itertuples(index=False) for k, s in enumerate(r.failing_items, start=1)]
    return pd.DataFrame(rows, columns=["year", "county_code", "county_name", "item_no", "item"])


def _joined(df: pd.DataFrame, sep: str = "\n") -> pd.DataFrame:
    """Lists (the failing items of a county) one per line in their cell."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object and out[c].map(lambda x: isinstance(x, list)).any():
            out[c] = out[c].map(lambda x: sep.join(map(str, x)) if isinstance(x, list) else x)
    return out


def write_evaluation_workbook(ev, path: Path) -> Path:
    """Write ``evaluation.xlsx`` for ``ev`` (a :class:`balance.method.evaluation.Evaluation`)."""
    lab = labels()
    sh, names = lab["evaluation_sheets"], lab["evaluation_columns"]
    v = ev.verdicts
    v = v[VERDICT_COLUMNS] if len(v) else pd.DataFrame(columns=VERDICT_COLUMNS)
    items = ev.items.drop(columns=["area", "shown"], errors="ignore")  # 实际值 stays a number for Excel
    frames = [("verdicts", _joined(standard_titled(v, ev.standard)), "evaluation_verdicts", "D2"),
              ("failing", _failing_rows(ev.verdicts), "evaluation_failing", "D2"),
              ("items", items, "evaluation_items", "D2"),
              ("school_items", ev.school_items, "evaluation_school_items", "F2"),
              ("indicators", ev.assessment.county_indicators, "county_indicators", "F2"),
              ("warnings", ev.warnings, "warnings", "A2")]
    sheets = []
    for key, df, label_key, freeze in frames:
        own = names if key not in ("indicators", "warnings") else {}
        headers = {c: own[c] for c in df.columns if c in own}
        if key == "school_items":
            headers["item_no"] = "保障项序号"
        sheets.append(Sheet(sh[key]["name"], df, sh[key]["holds"], key=label_key, headers=headers, freeze=freeze))
    a = ev.assessment
    lines = [("县级填报表", None if ev.sheet is None else Path(ev.sheet.path).name),
             ("县级填报表 SHA-256", None if ev.sheet is None else getattr(ev.sheet, "sha256", None)),
             ("说明", lab["evaluation_about"].format(goal=ev.standard.goal))]
    about = About(ev.standard.title, a.source, a.sha256 or None, lines=[(k, t) for k, t in lines if t],
                  source_label="学校数据")
    return save_workbook(path, sheets, about)
