"""Writing an evaluation: ``evaluation.json`` and ``evaluation.xlsx`` (a contract, see README)."""
from __future__ import annotations

import math
from datetime import datetime, timezone
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
    from openpyxl.styles import Alignment, Font, PatternFill

    v = ev.verdicts.copy()
    verdict_cols = ["year", "county_code", "county_name", "verdict", "resource_status", "government_status",
                    "quality_status", "recognition_status", "veto_status", "items_failed", "items_missing",
                    "failing_items", "standard_id"]
    v = v[verdict_cols] if len(v) else pd.DataFrame(columns=verdict_cols)
    fails = []
    for r in ev.verdicts.itertuples(index=False):
        for k, s in enumerate(r.failing_items, start=1):
            fails.append({"year": r.year, "county_code": r.county_code, "county_name": r.county_name, "序号": k,
                          "事项": s})
    fails = pd.DataFrame(fails, columns=["year", "county_code", "county_name", "序号", "事项"])
    items = ev.items.copy()
    items["value"] = items["value"].map(lambda x: x if not isinstance(x, float) else round(x, 3))
    about = pd.DataFrame({"项目": ["评估标准", "学校数据", "县级填报表", "balance 版本", "生成时间", "说明"],
                          "内容": [ev.standard.title, ev.assessment.source, "" if ev.sheet is None else ev.sheet.path,
                                 __version__, datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M"),
                                 "县域达到优质均衡须四个领域均达标且无一票否决事项；缺失的事项视为未达标。"
                                 "数据来源“学校数据”表示由学校数据表计算，“县级填报表”表示采用县级填报的答案。"]})
    tables = [("评估结论", _display(v, _LABELS)), ("未达标事项", _display(fails, _LABELS)),
              ("逐项结果", _display(items.drop(columns=["area"]), _LABELS)),
              ("学校逐项计算", _display(ev.school_items, {**_LABELS, "item_no": "保障项序号", "value": "实际值"})),
              ("资源配置指标", _display(ev.assessment.county_indicators, _LABELS)),
              ("数据提示", _display(ev.warnings, _LABELS)), ("说明", about)]
    from openpyxl import Workbook

    from balance.io.export.assessment import write_frame

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in tables:  # every cell as text or a finite number ("= 100 %" is a rule, not a formula)
        write_frame(wb.create_sheet(name), df)
    red = PatternFill("solid", fgColor="F8CBAD")
    green = PatternFill("solid", fgColor="E2EFDA")
    grey = PatternFill("solid", fgColor="EDEDED")
    for ws in wb.worksheets:
        ws.freeze_panes = "A2"
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for col in ws.columns:
            header = str(col[0].value or "")
            wide = header in ("事项", "说明", "计算过程", "未达标及缺失事项", "要求", "内容")
            ws.column_dimensions[col[0].column_letter].width = 60 if wide else 14
            if wide:
                for cell in col[1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if header in ("状态", "结论") or header in _LABELS.values() and header.endswith(("配置", "程度", "质量", "认可度", "否决")):
                for cell in col[1:]:
                    t = str(cell.value or "")
                    cell.fill = green if t in ("达标", "达到", "无否决事项") else red if t in (
                        "未达标", "未达到", "存在否决事项") else grey if t in ("缺失", "数据缺失") else cell.fill
    wb.save(path)

