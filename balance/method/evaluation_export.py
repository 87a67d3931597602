"""Writing an evaluation: ``evaluation.json`` and ``evaluation.xlsx`` (a contract, see README; the workbook's
sheets and style are in :mod:`balance.io.export.evaluation`)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from balance import __version__

__all__ = ["write_evaluation"]


def _jsonable(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(v) else float(v)
    return v


def _display(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if str(s.dtype) in ("boolean", "bool"):
            out[c] = s.map(lambda x: "" if x is pd.NA or x is None else ("是" if x else "否")).astype(object)
        elif s.dtype == object and s.map(lambda x: isinstance(x, list)).any():
            out[c] = s.map(lambda x: "\n".join(x) if isinstance(x, list) else x)
    return out.rename(columns={c: names.get(c, c) for c in out.columns})


_LABELS = {
    "year": "年份", "county_code": "县区代码", "county_name": "县区名称", "area": "领域代码", "area_name": "领域",
    "item_no": "序号", "item": "事项", "value": "实际值", "rule": "要求", "source": "数据来源", "passed": "是否达标",
    "status": "状态", "note": "说明", "school_code": "学校标识码", "school_name": "学校名称", "school_type": "学校类型",
    "stage": "学段", "limit": "标准", "relaxation": "适用的放宽规定", "detail": "计算过程", "verdict": "结论",
    "failing_items": "未达标及缺失事项", "standard_id": "评估标准", "items_failed": "未达标事项数",
    "items_missing": "缺失事项数", "passed_all": "是否达到",
    **{f"{a}_passed": f"{n}是否达标" for a, n in (("resource", "资源配置"), ("government", "政府保障程度"),
                                              ("quality", "教育质量"), ("recognition", "社会认可度"), ("veto", "一票否决"))},
    **{f"{a}_status": n for a, n in (("resource", "资源配置"), ("government", "政府保障程度"), ("quality", "教育质量"),
                                     ("recognition", "社会认可度"), ("veto", "一票否决"))},
}


def write_evaluation(ev, out_dir: str | Path) -> list[Path]:
    """Write ``evaluation.json`` and ``evaluation.xlsx`` of an :class:`~balance.method.evaluation.Evaluation`
    into ``out_dir``, atomically (both or neither)."""
    from balance.io.files import json_text, staged_files

    with staged_files(out_dir) as s:
        payload = {
            "generator": f"balance {__version__}", "standard": ev.standard.id, "standard_title": ev.standard.title,
            "source": ev.assessment.source, "sha256": ev.assessment.sha256,
            "county_sheet": None if ev.sheet is None else ev.sheet.path,
            "county_sheet_sha256": None if ev.sheet is None else ev.sheet.sha256,
            "counties": ev.records(),
        }
        s.stage("evaluation.json").write_text(json_text(payload), encoding="utf-8")
        _write_workbook(ev, s.stage("evaluation.xlsx"))
    return s.final


def _write_workbook(ev, path: Path) -> None:
    """``evaluation.xlsx`` in the house style: see :mod:`balance.io.export.evaluation`."""
    from balance.io.export.evaluation import write_evaluation_workbook

    write_evaluation_workbook(ev, path)
