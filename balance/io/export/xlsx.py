"""The house style of every workbook balance writes, and the one safe path by which a cell is written.

A writer describes its sheets (:class:`Sheet`: a frame with English column keys, a Chinese sheet name
and one sentence saying what it holds) and :func:`save_workbook` writes them in one style:

* a first sheet **说明** listing every sheet and what it holds, then the standard, the data file, its
  SHA-256, the balance version, the time written and the writer's own notes;
* Chinese headers (``labels.yaml``), bold, wrapped, with an autofilter and frozen panes;
* numbers formatted by unit (``formats.yaml``: 2 decimals for per-pupil values, 3 for CVs, whole
  numbers for counts, percentages as %, 元 / 万元 with thousands separators; a column whose unit is
  given row by row, such as a shortfall and its 增加量单位, gets the format of each row's unit);
* widths that fit the content (a CJK character counts 2, capped; longer text wrapped);
* 小学 before 初中 within each year, county and school;
* verdict cells coloured (达标 green, 未达标 red, 缺失 grey).

Every cell goes through :func:`set_cell`: text stays text ("=1+1" is not a formula), NaN / None are
empty cells, ±inf is "∞" / "-∞". The CSV contract files are not written here.

The module is split by concern; every name stays importable from here: the cells in
:mod:`balance.io.export.cells`, the style tables and :class:`Sheet` in :mod:`balance.io.export.style`,
the writing of styled sheets and whole workbooks in this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from balance.io.export.cells import (  # noqa: F401 - the old home of these names (kept importable)
    _FORMULA_START,
    EXCEL_INF_TEXT,
    EXCEL_MAX_TEXT,
    EXCEL_TRUNCATED,
    _as_text_safe,
    append_row,
    excel_text,
    excel_value,
    set_cell,
    write_frame,
)
from balance.io.export.style import (  # noqa: F401 - the old home of these names (kept importable)
    _TABLE_KINDS,
    Sheet,
    _display_frame,
    _format_of,
    _number_width,
    chinese_names,
    column_kind,
    house_style,
    school_table_kinds,
    stage_first,
    text_width,
)


def _style_sheet(ws, sheet: Sheet, df: pd.DataFrame) -> None:
    """Formats, widths, wrapping, verdict fills, autofilter and frozen panes of a written sheet."""
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    hs = house_style()
    fmts, units, w = hs["formats"], hs["units"], hs["width"]
    fills = {k: PatternFill("solid", fgColor=v) for k, v in hs["fills"].items()}
    verdict_cols = set(hs["verdict_columns"])
    wrap = Alignment(wrap_text=True, vertical="top")
    n = len(df)
    for j, col in enumerate(df.columns, start=1):
        letter = get_column_letter(j)
        kind = column_kind(col, df[col], sheet.key, sheet.kinds)
        row_units = None
        if isinstance(kind, dict) and kind.get("unit_from") in df:
            row_units = df[kind["unit_from"]].tolist()
        width = 0
        long_text = False
        verdict = col in verdict_cols or str(col).endswith("_status")
        col_fill = PatternFill("solid", fgColor=sheet.fills[col]) if col in sheet.fills else None
        if col_fill is not None:
            ws.cell(1, j).fill = col_fill
        for i in range(n):
            cell = ws.cell(i + 2, j)
            v = cell.value
            if v is None:
                pass
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                fmt = _format_of(kind, row_units, i, fmts, units) or fmts["mixed"]
                if fmt == fmts["mixed"] and float(v).is_integer():
                    fmt = fmts["whole_mixed"]
                cell.number_format = fmt
                if i < w["sample_rows"]:
                    width = max(width, _number_width(v, fmt))
            elif hasattr(v, "year") and not isinstance(v, str):
                cell.number_format = fmts["date"]
                width = max(width, 10)
            else:
                tw = text_width(v) if i < w["sample_rows"] or not long_text else 0
                width = max(width, tw)
                if tw > w["max"] or "\n" in str(v):
                    long_text = True
            if col_fill is not None:
                cell.fill = col_fill
            if verdict and v in fills:
                cell.fill = fills[v]
        if long_text or col in sheet.widths:
            for i in range(n):
                ws.cell(i + 2, j).alignment = wrap
        header_w = min(text_width(ws.cell(1, j).value or ""), w["header_max"])
        width = max(w["min"], min(w["max"], max(width, header_w) + 2))
        ws.column_dimensions[letter].width = max(width, sheet.widths.get(col, 0))
    if len(df.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{max(n + 1, 2)}"
    ws.freeze_panes = sheet.freeze


def write_sheet(ws, sheet: Sheet) -> None:
    """Write one :class:`Sheet` into the empty worksheet ``ws`` in the house style."""
    df = stage_first(sheet.frame) if sheet.order_stages else sheet.frame
    same = [c for c, other in house_style().get("same_as", {}).items() if c in df and other in df]
    df = df.drop(columns=same) if same else df
    df = _display_frame(df.reset_index(drop=True))
    names = {**chinese_names(df.columns, sheet.key), **sheet.headers}
    write_frame(ws, df.rename(columns=names))
    _style_sheet(ws, sheet, df)


@dataclass
class About:
    """What the 说明 sheet says besides the list of sheets: the standard in use, the data file and
    its SHA-256 (any of them may be ``None``: the line is left out), and the writer's own lines."""

    standard: str | None = None
    source: str | None = None
    sha256: str | None = None
    lines: list = field(default_factory=list)
    source_label: str = "数据文件"


ABOUT_SHEET = "说明"


def standard_titled(df: pd.DataFrame, standard) -> pd.DataFrame:
    """``df`` with the standard's Chinese title in its ``standard_id`` column (where people read the
    standard is named as the briefings name it; the CSV and JSON files keep the code)."""
    return df.assign(standard_id=standard.title) if "standard_id" in df and len(df) else df.copy()


def about_frame(sheets: list[Sheet], about: About) -> pd.DataFrame:
    """The rows of the 说明 sheet: one per sheet (工作表「…」: what it holds, rows), then the standard,
    data file, checksum, version, time written and the writer's lines."""
    from balance import __version__

    rows = [(f"工作表「{s.name}」", f"{s.holds}（{len(s.frame):,} 行）") for s in sheets]
    # the file's name and checksum, not the folder it sat in (no server paths where people read)
    meta = [("评估标准", about.standard), (about.source_label, Path(about.source).name if about.source else None),
            ("SHA-256", about.sha256)]
    rows += [(k, v) for k, v in meta if v]
    rows += [("balance 版本", __version__),
             ("生成时间", datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M"))]
    rows += [(k, v) for k, v in about.lines]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def build_workbook(sheets: list[Sheet], about: About | None = None, *, about_first: bool = True):
    """An openpyxl workbook of ``sheets`` in the house style, with the 说明 sheet first (or last when
    ``about_first`` is false: a workbook users fill in keeps its data sheet first); ``about=None``
    writes no 说明 sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    if about is not None and about_first:
        _write_about(wb, sheets, about)
    for s in sheets:
        write_sheet(wb.create_sheet(s.name), s)
    if about is not None and not about_first:
        _write_about(wb, sheets, about)
    wb.active = 0
    return wb


def _write_about(wb, sheets, about) -> None:
    df = about_frame(sheets, about)
    write_sheet(wb.create_sheet(ABOUT_SHEET), Sheet(ABOUT_SHEET, df, "本说明", kinds={"内容": "mixed"}))
    ws = wb[ABOUT_SHEET]
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width, 16)
    ws.column_dimensions["B"].width = 90
    from openpyxl.styles import Alignment

    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def save_workbook(path, sheets: list[Sheet], about: About | None = None, *, about_first: bool = True) -> Path:
    """Write ``sheets`` (see :func:`build_workbook`) to ``path``; return the path."""
    wb = build_workbook(sheets, about, about_first=about_first)
    wb.save(path)
    return Path(path)
