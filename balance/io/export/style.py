"""The house style of balance's workbooks: ``formats.yaml``, the :class:`Sheet` description,
Chinese headers, column format kinds, 小学-before-初中 order and display widths (part of
:mod:`balance.io.export.xlsx`, which re-exports every name here).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

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
