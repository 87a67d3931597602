"""Every open item of one assessment, at unit level (balance/analysis/ledger.py ``open_items`` and
``_fmt``; issue 10, mutation round 7).

Round 6's tests reached ``open_items`` through a real assessment whose only open items were a
school's R and S rows: no failing CV, no section with an unknown result, nothing to sort. Here the
assessment and the evaluation are hand-made frames (only the columns ``open_items`` reads), so
every branch is reached in milliseconds: R, S (one with an unknown result), CV (one not computable,
one not decisive, one with an unknown decisive flag), E (met, not met, missing, the resource area),
two counties given in the wrong order and a nine-year school whose 初中 row comes first.

Every expected value below is worked out by hand from the rules in ledger.py's docstring and
method.md: an S gap is ``max(min_met − indicators met, 0)``; an R gap is the school's amount rounded
to 3 decimals; a CV gap is cv − limit rounded to 3 decimals; rows go county by county, S, R, CV,
E, then by school, stage (小学 before 初中, formats.yaml ``stage_order``) and id.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from balance.analysis.ledger import _fmt, open_items

A, B, C = "生均教学及辅助用房面积", "生均体育运动场馆面积", "每百名学生拥有高于规定学历教师数"
IND = [SimpleNamespace(name=A, short="教学用房", unit="㎡/生"), SimpleNamespace(name=B, short="体育场馆", unit="㎡/生"),
       SimpleNamespace(name=C, short="高学历教师", unit="人")]
RULE = SimpleNamespace(min_met=2, floor_ratio=0.85)
NAMES = {"990101": "甲县", "990102": "乙县"}
SCHOOLS = {"9999999991": "甲校", "9999999992": "乙校", "9999999993": "丙校", "9999999995": "九年一贯校"}


def _shortfalls():
    rows = [  # county, school, stage, indicator, standard, value, shortfall, add_to_school, unit, column
        ("990102", "9999999993", "小学", C, 4.2, 3.0, 1.2, 1.2, "人", "高于规定学历教师数(人)"),
        ("990101", "9999999995", "初中", B, 10.2, 9.0, 240.0, 240.0, "㎡", "体育运动场馆面积(㎡)"),
        ("990101", "9999999992", "初中", A, 5.8, 4.25, 100.0, 120.12345, "㎡", "教学及辅助用房面积(㎡)"),
        ("990101", "9999999995", "小学", B, 7.5, 6.0, 300.0, 300.0, "㎡", "体育运动场馆面积(㎡)"),
        ("990101", "9999999991", "小学", A, 4.5, 2.5, 800.0, 800.0, "㎡", "教学及辅助用房面积(㎡)"),
    ]
    d = pd.DataFrame(rows, columns=["county_code", "school_code", "stage", "indicator", "standard", "value",
                                    "shortfall", "add_to_school", "add_unit", "add_column"])
    d.insert(0, "year", np.int64(2025))
    d.insert(2, "county_name", d["county_code"].map(NAMES))
    d.insert(4, "school_name", d["school_code"].map(SCHOOLS))
    return d


def _school_results():
    d = pd.DataFrame([
        ("990102", "9999999993", "小学", pd.NA, np.nan, np.nan),   # result unknown: still open, no gap
        ("990101", "9999999992", "初中", False, 1, 0.7327),
        ("990101", "9999999994", "小学", True, 3, 1.0),             # passes: not listed
        ("990101", "9999999991", "小学", False, 2, 0.5556),
    ], columns=["county_code", "school_code", "stage", "school_passed", "indicators_met", "min_ratio"])
    d["school_passed"] = d["school_passed"].astype("boolean")
    d["indicators_met"] = d["indicators_met"].astype("Int64")   # the method's nullable count (official.py)
    d.insert(0, "year", 2025)
    d.insert(2, "county_name", d["county_code"].map(NAMES))
    d.insert(4, "school_name", d["school_code"].map(SCHOOLS))
    return d


def _county_indicators():
    d = pd.DataFrame([
        ("990101", "初中", B, np.nan, 0.45, True, pd.NA, "学校不足2所"),   # not computable: open, no gap
        ("990101", "小学", A, 0.52345, 0.50, True, False, ""),             # 0.523 > 0.50: gap 0.023
        ("990101", "小学", C, 0.90, 0.50, False, False, ""),               # not decisive
        ("990102", "小学", A, 0.60, 0.50, pd.NA, False, ""),               # decisive unknown: not listed
        ("990102", "初中", A, 0.30, 0.45, True, True, ""),                 # passes
    ], columns=["county_code", "stage", "indicator", "cv", "cv_limit", "decisive", "cv_passed", "cv_note"])
    d["decisive"] = d["decisive"].astype("boolean")
    d["cv_passed"] = d["cv_passed"].astype("boolean")
    d.insert(0, "year", 2025)
    d.insert(2, "county_name", d["county_code"].map(NAMES))
    return d


def _evaluation():
    cols = ["county_code", "area", "area_name", "item_no", "item", "rule", "value", "status"]
    d = pd.DataFrame([
        ("990102", "veto", "一票否决", 1.0, "违规举办重点校", "无", None, "缺失"),
        ("990101", "recognition", "社会认可度", 1.0, "社会认可度调查", "≥ 85%", "80%", "未达标"),
        ("990101", "quality", "教育质量", 2.0, "残疾儿童入学率", "≥ 95%", 96.0, "达标"),
        ("990101", "resource", "资源配置", 1.0, "资源配置", "7 项", 0.0, "未达标"),   # the R / S / CV rows say it
        ("990101", "government", "政府保障程度", 4.0, "音乐、美术专用教室", "每12个班各1间", 0.5, "未达标"),
    ], columns=cols)
    d.insert(0, "year", 2025)
    d.insert(2, "county_name", d["county_code"].map(NAMES))
    return SimpleNamespace(items=d)


def _assessment():
    std = SimpleNamespace(indicators=IND, school_rule=RULE)
    return SimpleNamespace(standard=std, shortfalls=_shortfalls(), school_results=_school_results(),
                           county_indicators=_county_indicators())


def _row(item_id, kind, item, standard, value, gap, gap_unit="", add_column="", area="资源配置"):
    parts = item_id.split(":")
    county = parts[1]
    school = parts[2] if parts[0] in ("R", "S") else ""
    stage = {"R": lambda: parts[3], "S": lambda: parts[3], "CV": lambda: parts[2], "E": lambda: ""}[parts[0]]()
    return dict(item_id=item_id, year=2025, county_code=county, county_name=NAMES[county], kind=kind, area=area,
                school_code=school, school_name=SCHOOLS.get(school, ""), stage=stage, item=item, standard=standard,
                value=value, gap=gap, gap_unit=gap_unit, add_column=add_column)


S_RULE = "3 项指标中至少 2 项达到标准，其余不低于标准的 85%"
SK, RK, CVK, EK = "学段单位未达学校标准", "学校指标未达标准", "差异系数超过上限", "其他领域事项"
AREA, GROUND = "教学及辅助用房面积(㎡)", "体育运动场馆面积(㎡)"
EXPECTED = [
    _row("S:990101:9999999991:小学", SK, "小学学段单位达到学校资源配置标准", S_RULE, "2/3 项达标，最低达成率 0.556", 0.0, "项"),
    _row("S:990101:9999999992:初中", SK, "初中学段单位达到学校资源配置标准", S_RULE, "1/3 项达标，最低达成率 0.733", 1.0, "项"),
    _row("R:990101:9999999991:小学:教学用房", RK, "小学" + A, "≥ 4.500 ㎡/生", "2.500", 800.0, "㎡", AREA),
    _row("R:990101:9999999992:初中:教学用房", RK, "初中" + A, "≥ 5.800 ㎡/生", "4.250", 120.123, "㎡", AREA),
    _row("R:990101:9999999995:小学:体育场馆", RK, "小学" + B, "≥ 7.500 ㎡/生", "6.000", 300.0, "㎡", GROUND),
    _row("R:990101:9999999995:初中:体育场馆", RK, "初中" + B, "≥ 10.200 ㎡/生", "9.000", 240.0, "㎡", GROUND),
    _row("CV:990101:小学:教学用房", CVK, "小学" + A + "差异系数", "≤ 0.50", "0.523", 0.023),
    _row("CV:990101:初中:体育场馆", CVK, "初中" + B + "差异系数", "≤ 0.45", "缺失（学校不足2所）", "NaN"),
    _row("E:990101:government:4", EK, "政府保障程度第 4 项：音乐、美术专用教室", "每12个班各1间", "未达标：0.500", "NaN",
         area="政府保障程度"),
    _row("E:990101:recognition:1", EK, "社会认可度第 1 项：社会认可度调查", "≥ 85%", "未达标：80%", "NaN",
         area="社会认可度"),
    _row("S:990102:9999999993:小学", SK, "小学学段单位达到学校资源配置标准", S_RULE, "/3 项达标，最低达成率 ", "NaN", "项"),
    _row("R:990102:9999999993:小学:高学历教师", RK, "小学" + C, "≥ 4.200 人", "3.000", 1.2, "人", "高于规定学历教师数(人)"),
    _row("E:990102:veto:1", EK, "一票否决第 1 项：违规举办重点校", "无", "缺失", "NaN", area="一票否决"),
]


def _records(out: pd.DataFrame) -> list[dict]:
    recs = out.to_dict("records")
    for r in recs:
        if isinstance(r["gap"], float) and np.isnan(r["gap"]):
            r["gap"] = "NaN"   # NaN is not equal to itself: compared by name
    return recs


def test_every_open_item_of_a_hand_made_assessment_and_evaluation_in_the_ledgers_order():
    out = open_items(_assessment(), _evaluation())
    assert list(out.columns) == ["item_id", "year", "county_code", "county_name", "kind", "area", "school_code",
                                 "school_name", "stage", "item", "standard", "value", "gap", "gap_unit",
                                 "add_column"]
    assert list(out.index) == list(range(len(EXPECTED)))
    got = _records(out)
    assert [r["item_id"] for r in got] == [r["item_id"] for r in EXPECTED]
    for g, e in zip(got, EXPECTED):
        assert g == e, e["item_id"]
    assert all(type(y) is int for y in out["year"])


def test_without_an_evaluation_or_a_school_rule_those_items_are_absent():
    a = _assessment()
    ids = list(open_items(a)["item_id"])
    assert ids == [r["item_id"] for r in EXPECTED if not r["item_id"].startswith("E:")]
    a.standard = SimpleNamespace(indicators=IND, school_rule=None)
    assert [i for i in open_items(a)["item_id"] if i.startswith("S:")] == []


def test_nothing_open_is_an_empty_table_with_the_columns():
    a = _assessment()
    a.shortfalls = a.shortfalls.iloc[:0]
    a.school_results = a.school_results[a.school_results["school_passed"].fillna(False)]
    a.county_indicators = a.county_indicators.iloc[:0]
    out = open_items(a)
    assert out.empty and list(out.columns)[:3] == ["item_id", "year", "county_code"]


@pytest.mark.parametrize("x, text", [
    (None, ""), (float("nan"), ""), (float("inf"), ""), (pd.NA, ""), (np.float64("nan"), ""),
    (3, "3"), (np.int64(7), "7"), (2.5, "2.500"), (np.float32(0.25), "0.250"), ("达标", "达标"), ("80%", "80%"),
])
def test_fmt_shows_a_value_as_the_ledger_writes_it(x, text):
    assert _fmt(x) == text


def test_fmt_digits():
    assert (_fmt(0.45, 2), _fmt(0.12345, 4)) == ("0.45", "0.1235")
