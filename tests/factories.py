"""Canonical school rows for tests of the maths (bypassing file reading and validation).

Required numeric columns default to 0. Optional numeric columns (the four-area evaluation's
音乐专用教室数, 小学最大班额, 建成年份 …) are *missing* unless set: ``<NA>`` in a nullable ``Int64``
(counts, years) or NaN (areas), as :func:`balance.io.reading.load_school_table` gives them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance.schema import COLUMNS

NUMERIC = ("count", "area", "money")
_DEFAULTS = {c["name"]: (0 if c["kind"] in NUMERIC else "") for c in COLUMNS if c.get("required")}
_DEFAULTS.update(year=2025, county_code="990101", county_name="测试县", school_type="小学", ownership="公办",
                 urban_rural="城区", township="城关镇")
_OPTIONAL_NUMERIC = {c["name"]: c["kind"] for c in COLUMNS
                     if not c.get("required") and c["kind"] in NUMERIC + ("year",)}


def school(code: str, **values) -> dict:
    """One canonical school row; unspecified required counts are 0, unspecified optional columns missing.

    ``code`` is the last digits of the school code.
    """
    row = dict(_DEFAULTS)
    row["school_code"] = code.rjust(10, "9")
    row["school_name"] = values.pop("school_name", f"测试学校{code}")
    row.update(values)
    return row


def table(*rows: dict) -> pd.DataFrame:
    """Rows as a canonical table: every column of ``columns.yaml`` in order, then ``source_row``."""
    df = pd.DataFrame(list(rows))
    for c in COLUMNS:  # optional columns no row sets are all-missing
        if c["name"] not in df.columns:
            df[c["name"]] = np.nan if c["name"] in _OPTIONAL_NUMERIC else pd.NA
    extra = [c for c in df.columns if c not in {x["name"] for x in COLUMNS}]
    df = df[[c["name"] for c in COLUMNS] + extra]
    df["source_row"] = range(2, len(df) + 2)
    for c in COLUMNS:
        name, kind = c["name"], c["kind"]
        if name in _OPTIONAL_NUMERIC:
            s = pd.to_numeric(df[name], errors="coerce").astype("float64")
            df[name] = s.round().astype("Int64") if kind in ("count", "year") else s
        elif kind in ("count", "year"):
            df[name] = df[name].astype("int64")
        elif kind in ("area", "money"):
            df[name] = df[name].astype("float64")
    return df


def primary(code: str, students: int, *, teachers=None, qualified=None, backbone=None, pe_art=None, titled=None,
            teaching_area=None, indoor=0.0, ground=None, equipment=None, rooms=None, computers=0, books=0,
            **kw) -> dict:
    """A 小学 with values that meet every quality-2017 primary standard unless overridden."""
    p = students
    return school(code, school_type=kw.pop("school_type", "小学"), primary_students=p, primary_classes=max(1, p // 40),
                  primary_teachers=teachers if teachers is not None else p // 10,
                  primary_qualified_teachers=qualified if qualified is not None else -(-p * 5 // 100),
                  primary_backbone_teachers=backbone if backbone is not None else -(-p * 2 // 100),
                  primary_pe_art_teachers=pe_art if pe_art is not None else -(-p * 1 // 100),
                  primary_titled_teachers=titled if titled is not None else 0,
                  teaching_area=teaching_area if teaching_area is not None else 5.0 * p + indoor,
                  indoor_sports_area=indoor,
                  sports_ground_area=ground if ground is not None else 8.0 * p,
                  equipment_value=equipment if equipment is not None else 2500.0 * p,
                  multimedia_rooms=rooms if rooms is not None else -(-p * 3 // 100),
                  computers=computers, books=books, **kw)


def junior(code: str, students: int, **kw) -> dict:
    """A 初级中学 meeting every quality-2017 junior standard (5.3, 1.0, 0.9 per 100; 5.8 / 10.2 ㎡;
    2500 元; 2.4 rooms per 100) with some margin."""
    p = students
    values = dict(school_type="初级中学", junior_students=p, junior_classes=max(1, p // 45), junior_teachers=p // 8,
                  junior_qualified_teachers=-(-p * 6 // 100), junior_backbone_teachers=-(-p * 2 // 100),
                  junior_pe_art_teachers=-(-p * 1 // 100), teaching_area=6.0 * p, sports_ground_area=11.0 * p,
                  equipment_value=2600.0 * p, multimedia_rooms=-(-p * 3 // 100))
    values.update(kw)
    return school(code, **values)


def section_rows(std, rows: list[dict]) -> pd.DataFrame:
    """Sections (one per dict, as ``build_sections`` gives them) for tests of ``official``: every
    numerator field of ``std`` is 0 unless a row sets it; school codes 9999999900, 9999999901, …"""
    fields = {f for ind in std.indicators for f in ind.numerator}
    base = dict(year=2025, county_code="990101", county_name="测试县", school_name="测试学校",
                stage="初中", urban_rural="城区", facility_share=1.0)
    out = []
    for k, r in enumerate(rows):
        row = {**base, "school_code": f"99999999{k:02d}", **{f: 0.0 for f in fields}}
        row.update(r)
        out.append(row)
    return pd.DataFrame(out)


def zero_standards(std, sections: pd.DataFrame, **given) -> pd.DataFrame:
    """Standard 0 (always met) for every indicator of ``std`` but the ones given (name → list per row)."""
    data = {i.name: given.get(i.name, [0.0] * len(sections)) for i in std.indicators}
    return pd.DataFrame(data, index=sections.index, dtype="float64")
