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
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

# ---------------------------------------------------------------------------------------------
# workbook cells: the one path by which the package writes a cell of any workbook
#
# openpyxl stores a string that begins with "=" as a formula and "#N/A", "#DIV/0!" … as error
# values; it refuses control characters (an exception), and writes NaN/inf as numbers Excel
# cannot read. Every writer of a workbook goes through :func:`set_cell` / :func:`append_row` /
# :func:`write_frame`, which keep text as text, whatever it begins with.

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
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for j, name in enumerate(df.columns, start=1):
        c = set_cell(ws, 1, j, name)
        c.font, c.border, c.alignment = head_font, head_border, head_align
    for i, rec in enumerate(df.itertuples(index=False, name=None), start=2):
        for j, v in enumerate(rec, start=1):
            set_cell(ws, i, j, v)


# ---------------------------------------------------------------------------------------------
# the house style

@lru_cache(maxsize=1)
def house_style() -> dict:
    """The parsed ``balance/data/formats.yaml`` (formats, column kinds, fills, stage order, widths)."""
    import yaml

    from balance.schema import DATA_DIR

    return yaml.safe_load((DATA_DIR / "formats.yaml").read_text(encoding="utf-8"))


@dataclass
class Sheet:
    """One sheet of a house-style workbook.

    Attributes
    ----------
    name : str        the Chinese sheet name
    frame : DataFrame the rows, with English column keys (as in the CSV files) or Chinese ones
    holds : str       one sentence for the 说明 sheet: what the sheet holds
    key : str         the sheet's key in ``labels.yaml`` ``sheet_columns`` and ``formats.yaml``
                      ``sheet_columns`` (where one English name means something else on this sheet)
    headers : dict    column → Chinese header, over the labels (default: :func:`chinese_names`)
    kinds : dict      column → format kind, over ``formats.yaml``
    freeze : str      the top-left cell of the scrolling area ("C2": header row and two columns fixed)
    fills : dict      column → fill colour of the whole column (e.g. the columns a clerk fills in)
    order_stages : bool  sort 小学 before 初中 within year, county and school (default True)
    widths : dict     column → least width (a column a clerk fills in is wide even while empty; wrapped)
    """

    name: str
    frame: pd.DataFrame
    holds: str
    key: str | None = None
    headers: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    freeze: str = "A2"
    fills: dict = field(default_factory=dict)
    order_stages: bool = True
    widths: dict = field(default_factory=dict)


def chinese_names(columns, sheet: str | None = None) -> dict[str, str]:
    """Chinese header of each column: the sheet's own label (``sheet_columns`` of labels.yaml),
    else the general one, else a stage-suffixed one ("sections_小学" → "小学参评学段单位数")."""
    from balance.schema import labels

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


def stage_first(df: pd.DataFrame, column: str = "stage") -> pd.DataFrame:
    """``df`` with 小学 rows before 初中 rows (``stage_order`` of formats.yaml) within each year,
    county and school; every other order kept (a stable sort)."""
    if column not in df or len(df) < 2:
        return df
    order = {s: i for i, s in enumerate(house_style()["stage_order"])}
    rank = df[column].map(lambda s: order.get(s, len(order)))
    if rank.is_monotonic_increasing:
        return df
    keys = [c for c in ("year", "county_code", "school_code") if c in df]
    tmp = df.assign(_stage_rank=rank.to_numpy())
    return tmp.sort_values(keys + ["_stage_rank"], kind="stable").drop(columns="_stage_rank")


def column_kind(column: str, series: pd.Series, sheet_key: str | None = None, kinds: dict | None = None):
    """The format kind of ``column`` (a name of ``formats.yaml`` ``formats``, or ``{"unit_from": COL}``),
    or ``None`` for text: the writer's ``kinds``, the sheet's, the column's, its suffix's, then its
    type (whole numbers: count; other numbers: per_pupil)."""
    hs = house_style()
    for table in (kinds or {}, hs.get("sheet_columns", {}).get(sheet_key) or {}, hs["columns"]):
        if column in table:
            return table[column]
    base = str(column)
    for stage in ("小学", "初中", "高中"):
        base = base.removesuffix("_" + stage)
    if base in hs["columns"]:
        return hs["columns"][base]
    for suffix, kind in hs["by_suffix"].items():
        if base.endswith(suffix):
            return kind
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "count"
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        finite = whole[np.isfinite(whole.to_numpy(dtype=float))]
        return "count" if len(finite) and bool((finite == finite.round()).all()) else "per_pupil"
    if series.dtype == object:
        nums = series.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
        if nums.any():
            return "mixed"
    return None


#: the kinds of columns.yaml (the school table) → format kinds of formats.yaml
_TABLE_KINDS = {"year": "year", "count": "count", "area": "area", "money": "yuan"}


def school_table_kinds() -> dict[str, str]:
    """Format kind of each school-table column, by English name and by its Chinese header (a frame
    written with the template's headers, e.g. an import's 学校基础数据)."""
    from balance.schema import column_spec

    out = {}
    for c in column_spec()["columns"]:
        kind = _TABLE_KINDS.get(c["kind"])
        if kind:
            out[c["name"]] = out[c["header"]] = kind
    return out


def _display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Booleans as 是 / 否 (NA empty), lists joined by "；". Only boolean columns are translated: a
    school named "true" keeps its name."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype == bool or str(s.dtype) == "boolean":
            out[c] = pd.Series([None if x is pd.NA else ("是" if x else "否") for x in s], index=s.index, dtype=object)
        elif s.dtype == object and s.map(lambda x: isinstance(x, list)).any():
            out[c] = s.map(lambda x: "；".join(map(str, x)) if isinstance(x, list) else x)
    return out


def text_width(value) -> int:
    """Display width of ``value`` as text: a CJK (or other non-ASCII) character counts 2."""
    return max((sum(2 if ord(ch) > 127 else 1 for ch in line) for line in str(value).split("\n")), default=0)


def _number_width(v, fmt: str) -> int:
    if isinstance(v, str):
        return text_width(v)
    if fmt.endswith("%"):
        return len(f"{v * 100:,.1f}%")
    decimals = len(fmt.split(".")[1].rstrip("%")) if "." in fmt else 0
    return len(f"{v:,.{decimals}f}")


def _format_of(kind, row_units, i: int, fmts: dict, units: dict) -> str | None:
    if isinstance(kind, dict):
        unit = row_units[i] if row_units is not None else None
        kind = units.get(unit, "amount")
    return fmts.get(kind) if kind else None


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
