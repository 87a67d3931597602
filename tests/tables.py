"""A small valid school table with Chinese headers, as a bureau would export it.

``valid_table()`` covers every school type (小学, 初级中学, 九年一贯制学校, 十二年一贯制学校, 完全中学,
教学点 with fewer than 50 pupils and with 50 or more, 特殊教育学校), one 民办 school, two counties and
two years. The values are consistent (subsets within totals, pupils only in the stages a school
type has) and plausible, so reading it gives neither errors nor warnings. It has every required
column and 乡镇, but none of the optional columns of the four-area evaluation unless asked for.

Other tests may import it: ``from tests.tables import valid_table, HEADERS``.
"""
from __future__ import annotations

import pandas as pd

from balance.schema import COLUMNS

#: Canonical name -> the Chinese header of columns.yaml (the file's header row).
HEADERS = {c["name"]: c["header"] for c in COLUMNS}

# (county_code, county_name, school_code, name, type, ownership, urban_rural, township, primary, junior, senior)
_SCHOOLS = [
    ("130102", "长安区", "2130000001", "长安区实验小学", "小学", "公办", "城区", "建北街道", 1200, 0, 0),
    ("130102", "长安区", "2130000002", "长安区第一中学", "初级中学", "公办", "城区", "建北街道", 0, 900, 0),
    ("130102", "长安区", "2130000003", "长安区育才学校", "九年一贯制学校", "公办", "镇区", "西兴镇", 600, 300, 0),
    ("130102", "长安区", "2130000004", "长安区外国语学校", "十二年一贯制学校", "民办", "城区", "建北街道", 500, 400, 300),
    ("130102", "长安区", "2130000005", "长安区第二中学", "完全中学", "公办", "镇区", "西兴镇", 0, 800, 600),
    ("130102", "长安区", "2130000006", "长安区河口教学点", "教学点", "公办", "乡村", "河口乡", 30, 0, 0),
    ("130102", "长安区", "2130000007", "长安区东沟教学点", "教学点", "公办", "乡村", "河口乡", 60, 0, 0),
    ("130102", "长安区", "2130000008", "长安区特殊教育学校", "特殊教育学校", "公办", "城区", "建北街道", 80, 40, 0),
    ("130104", "桥西区", "2130000101", "桥西区中心小学", "小学", "公办", "城区", "东里街道", 900, 0, 0),
    ("130104", "桥西区", "2130000102", "桥西区实验中学", "初级中学", "公办", "乡村", "北庄乡", 0, 700, 0),
    ("130104", "桥西区", "2130000103", "桥西区北庄学校", "九年一贯制学校", "公办", "乡村", "北庄乡", 400, 200, 0),
]


def _stage(pupils: int) -> dict:
    """Plausible classes and teachers for a stage with ``pupils`` pupils (all 0 without pupils)."""
    if pupils == 0:
        return dict(students=0, classes=0, teachers=0, qualified=0, backbone=0, pe_art=0, titled=0)
    teachers = max(2, pupils // 12)
    return dict(students=pupils, classes=max(1, -(-pupils // 40)), teachers=teachers,
                qualified=max(1, teachers * 9 // 10), backbone=max(1, teachers // 8),
                pe_art=max(1, teachers // 10), titled=max(1, teachers // 2))


def school_row(county_code, county_name, school_code, name, school_type, ownership, urban_rural, township,
               primary, junior, senior, year=2024) -> dict:
    """One canonical row (canonical names as keys) with consistent, plausible values."""
    p, j = _stage(primary), _stage(junior)
    pupils = primary + junior + senior
    row = dict(year=year, county_code=county_code, county_name=county_name, school_code=school_code,
               school_name=name, school_type=school_type, ownership=ownership, urban_rural=urban_rural,
               primary_students=primary, junior_students=junior, senior_students=senior,
               primary_classes=p["classes"], junior_classes=j["classes"],
               primary_teachers=p["teachers"], junior_teachers=j["teachers"],
               primary_qualified_teachers=p["qualified"], junior_qualified_teachers=j["qualified"],
               primary_backbone_teachers=p["backbone"], junior_backbone_teachers=j["backbone"],
               primary_pe_art_teachers=p["pe_art"], junior_pe_art_teachers=j["pe_art"],
               primary_titled_teachers=p["titled"], junior_titled_teachers=j["titled"],
               teaching_area=6.5 * pupils, indoor_sports_area=0.5 * pupils, sports_ground_area=9.0 * pupils,
               equipment_value=2600.0 * pupils, computers=pupils // 8, books=30 * pupils,
               multimedia_rooms=max(1, pupils // 35), township=township)
    return row


def valid_canonical(years=(2023, 2024), optional: dict | None = None) -> pd.DataFrame:
    """The valid table with canonical (snake_case) column names, in ``columns.yaml`` order.

    The optional columns of the four-area evaluation (音乐专用教室数, 小学最大班额, 建成年份 …) are
    left out, as most bureau exports do; ``optional`` adds some: canonical name -> one value for
    every row, or a list with one value per row (``None`` / ``""`` for a blank cell).
    """
    rows = [school_row(*s, year=y) for y in years for s in _SCHOOLS]
    df = pd.DataFrame(rows)
    for name, values in (optional or {}).items():
        df[name] = values if isinstance(values, list) else [values] * len(df)
    order = [c["name"] for c in COLUMNS if c["name"] in df.columns]
    return df[order]


def valid_table(years=(2023, 2024), optional: dict | None = None) -> pd.DataFrame:
    """The valid table with the Chinese headers of ``columns.yaml`` (codes as text)."""
    return valid_canonical(years, optional).rename(columns=HEADERS)
