"""Writing an import: the school table workbook and its provenance CSV.

``学校数据.xlsx`` (the ``--out`` file) holds

* 学校基础数据 — the complete schools with the template's Chinese headers (first sheet: what
  ``balance validate`` / ``assess`` read); codes are text cells, numbers are numbers;
* 待补充 — each incomplete school and every column it lacks, with the reason, sheet and cell;
* 来源 — the provenance of every value: workbook, sheet, cell, row code and label, column number and
  header, the raw cell, the unit factor, + / − (what was summed or subtracted) and notes;
* 说明 — the run (year, form generations and mapping files, counts), the assumptions of the
  mapping files and the notes of the run (checks that failed, units assumed, years not stated);

and ``<stem>.provenance.csv`` beside it (UTF-8 with BOM, English column names) holds 来源 for programs;
there a raw cell whose text a spreadsheet would run as a formula (``=…``, ``+…``, ``@…``: a rejected
school's name, say) is written with a leading apostrophe (:func:`balance.io.export.csvfile.spreadsheet_safe`).
Every cell goes through :func:`balance.io.export.xlsx.set_cell` (text stays text, never a formula); both
files are staged and moved into place together.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from balance import __version__
from balance.io.statsforms.importer import ImportResult
from balance.schema import HEADERS

SHEET_TABLE, SHEET_TODO, SHEET_SOURCE, SHEET_NOTES = "学校基础数据", "待补充", "来源", "说明"
PROVENANCE_HEADERS = {
    "school_code": "学校标识码", "school_name": "学校名称", "workbook": "工作簿", "column": "列",
    "value": "导入值", "term": "项", "op": "运算", "sheet": "工作表", "cell": "单元格", "row_code": "行代码",
    "row_label": "行名称", "col_number": "栏号", "col_header": "栏名称", "raw": "原值", "unit": "单位",
    "factor": "换算系数", "note": "说明",
}


def provenance_csv_path(out: str | Path) -> Path:
    """``学校数据.xlsx`` → ``学校数据.provenance.csv`` (beside it)."""
    out = Path(out)
    return out.with_name(out.stem + ".provenance.csv")


def todo_frame(result: ImportResult) -> pd.DataFrame:
    rows = []
    for s in result.incomplete:
        for m in s.missing:
            rows.append({"工作簿": s.file, "学校标识码": s.school_code, "学校名称": s.school_name, "缺少的列": m.column,
                         "原因": m.zh, "工作表": m.sheet, "单元格": m.cell, "reason": m.en})
    return pd.DataFrame(rows, columns=["工作簿", "学校标识码", "学校名称", "缺少的列", "原因", "工作表", "单元格", "reason"])


def notes_frame(result: ImportResult, command: str = "") -> pd.DataFrame:
    items = [
        ("命令 / command", command),
        ("统计年份 / year", result.year),
        ("报表版本 / form generations", "；".join(f"{m.generation}：{m.title}" for m in result.mappings)),
        ("映射文件 / mapping files", "；".join(f"balance/data/statsforms/{m.source}" for m in result.mappings)),
        ("工作簿数 / workbooks", len(result.schools)),
        ("已导入学校 / schools imported", len(result.complete)),
        ("待补充学校 / incomplete schools", len(result.incomplete)),
        ("balance 版本 / version", __version__),
        ("生成时间 / written", datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")),
        ("说明 / about", "每个数值的来源见「来源」工作表与 .provenance.csv；待补充的学校未写入「学校基础数据」，补齐后"
                        "可直接填入该表。 / The source of every value is in 来源 and the .provenance.csv; incomplete "
                        "schools are not in 学校基础数据 — complete them and add them there."),
    ]
    for m in result.mappings:
        for a in m.assumptions:
            items.append((f"假设 / assumption ({m.generation})", a))
        for code, t in m.tables.items():
            if t.note:
                items.append((f"假设 / assumption ({m.generation})", f"{code} {t.title}：{t.note}"))
        for name, f in m.fields.items():
            if f.note:
                items.append((f"假设 / assumption ({m.generation})", f"{HEADERS.get(name, name)}：{f.note}"))
    for zh, en in dict.fromkeys(result.notes):
        items.append(("提示 / note", f"{zh} / {en}"))
    return pd.DataFrame(items, columns=["项目", "内容"])


def write_import(result: ImportResult, out: str | Path, command: str = "") -> list[Path]:
    """Write ``out`` (.xlsx) and its provenance CSV together (see the module docstring)."""
    from balance.io.export.csvfile import spreadsheet_safe
    from balance.io.export.xlsx import Sheet, build_workbook, school_table_kinds
    from balance.io.files import staged_files

    out = Path(out)
    table = result.table().rename(columns=HEADERS)
    prov = result.provenance()
    kinds = school_table_kinds()
    # the house style (formats, widths, filter, frozen header); 学校基础数据 stays the first sheet: it is
    # what balance validate / assess read
    sheets = [Sheet(SHEET_TABLE, table, "完整的学校，模板表头", kinds=kinds, order_stages=False),
              Sheet(SHEET_TODO, todo_frame(result), "待补充的学校与所缺的列", headers={"reason": "原因（英文说明）"}),
              Sheet(SHEET_SOURCE, prov.rename(columns=PROVENANCE_HEADERS), "每个数值的来源",
                    kinds={"导入值": "mixed", "原值": "mixed", "换算系数": "mixed"}, order_stages=False),
              Sheet(SHEET_NOTES, notes_frame(result, command), "本次导入的说明", kinds={"内容": "mixed"})]
    wb = build_workbook(sheets, None)
    with staged_files(out.parent if str(out.parent) else ".") as s:
        wb.save(s.stage(out.name))
        spreadsheet_safe(prov).to_csv(s.stage(provenance_csv_path(out).name), index=False, encoding="utf-8-sig")
    return s.final
