"""Fast unit tests of ``county_indicators`` (``balance.method.official``) on a hand-built CV table.

The function is called directly on a few rows of ``group_cv``'s long form (no school table, no
assessment), so the file runs in well under a second and a mutation run can afford it per mutant
(round 7, docs/mutation/). Expected values are worked by hand from method.md §4–§5 and the standard
files: quality-2017 judges each CV against 0.50 (小学) / 0.45 (初中); basic-2012 judges only the
综合差异系数, the arithmetic mean of the indicator CVs, against 0.65 (小学) / 0.55 (初中), and single
CVs decide nothing. Rows are ordered by year, county, stage (小学 before 初中) and the standard's
indicator order, the composite last.
"""
from __future__ import annotations

import math

import pandas as pd

from balance.method.official import county_indicators
from balance.method.standards import load_standard

Q = load_standard("quality-2017")
B = load_standard("basic-2012")
COLS = ["year", "county_code", "county_name", "stage", "indicator", "value", "cv", "cv_limit", "cv_passed",
        "decisive", "standard", "unit", "sections", "students", "cv_note", "threshold"]
NAMES = pd.DataFrame({"year": [2024, 2025, 2025], "county_code": ["110101", "110101", "110102"],
                      "county_name": ["甲县", "甲县", "乙县"]})
UNDEF = "有学段单位指标值缺失，差异系数无法计算 / a section value is missing: CV undefined"
# the composite names the indicators whose CV is undefined (here C3 only), in the standard's order
COMP_NOTE = f"{B.indicator_names[3]}的差异系数无定义，综合差异系数无法计算 / 1 indicator without a CV: the composite cannot be computed"


def cv_rows(rows):
    """group_cv's long form: (year, county, stage, indicator, value, cv, sections, students, cv_note)."""
    return pd.DataFrame(rows, columns=["year", "county_code", "stage", "indicator", "value", "cv", "sections",
                                       "students", "cv_note"])


def _same(a, b):
    if isinstance(b, float) and math.isnan(b):
        return isinstance(a, float) and math.isnan(a)
    if b is pd.NA:
        return a is pd.NA
    if isinstance(b, float) and not isinstance(b, bool):
        return isinstance(a, float) and math.isclose(a, b, rel_tol=1e-12)  # (0.4 + 0.8) / 2 = 0.6000000000000001
    return a is not pd.NA and a == b


def check(out, expected, cols):
    assert list(out.columns) == COLS
    assert len(out) == len(expected)
    for i, (row, exp) in enumerate(zip(out[cols].itertuples(index=False), expected)):
        assert all(_same(a, b) for a, b in zip(row, exp)), (i, tuple(row), exp)


# ------------------------------------------------------------------------------------- quality-2017

T1, T4 = Q.indicator_names[0], Q.indicator_names[3]  # 高于规定学历教师 (人/百生), 教学及辅助用房 (㎡/生)


def test_quality_judges_each_cv_against_its_stage_limit_and_orders_the_rows():
    # given in reverse order; CV 0.50 exactly passes the 小学 limit, 0.46 fails the 初中 limit 0.45
    cv = cv_rows([
        (2025, "110102", "初中", T1, 6.0, 0.46, 2, 900, ""),
        (2025, "110102", "初中", T4, 7.0, 0.10, 2, 900, ""),
        (2025, "110102", "小学", T4, 5.0, float("nan"), 3, 800, UNDEF),
        (2025, "110102", "小学", T1, 4.0, 0.50, 3, 800, ""),
        (2025, "110101", "小学", T4, 4.9, 0.30, 1, 100, ""),
        (2025, "110101", "小学", T1, 4.5, 0.0, 1, 100, ""),
        (2024, "110101", "初中", T1, 5.5, 0.45, 4, 700, ""),
    ])
    out = county_indicators(cv, Q, NAMES)
    cols = ["year", "county_code", "county_name", "stage", "indicator", "cv", "cv_limit", "cv_passed", "decisive",
            "standard", "threshold", "unit", "sections", "students", "cv_note", "value"]
    check(out, [
        (2024, "110101", "甲县", "初中", T1, 0.45, 0.45, True, True, 5.3, 5.3, "人/百生", 4, 700, "", 5.5),
        (2025, "110101", "甲县", "小学", T1, 0.0, 0.50, True, True, 4.2, 4.2, "人/百生", 1, 100, "", 4.5),
        (2025, "110101", "甲县", "小学", T4, 0.30, 0.50, True, True, 4.5, 4.5, "㎡/生", 1, 100, "", 4.9),
        (2025, "110102", "乙县", "小学", T1, 0.50, 0.50, True, True, 4.2, 4.2, "人/百生", 3, 800, "", 4.0),
        (2025, "110102", "乙县", "小学", T4, float("nan"), 0.50, False, True, 4.5, 4.5, "㎡/生", 3, 800, UNDEF, 5.0),
        (2025, "110102", "乙县", "初中", T1, 0.46, 0.45, False, True, 5.3, 5.3, "人/百生", 2, 900, "", 6.0),
        (2025, "110102", "乙县", "初中", T4, 0.10, 0.45, True, True, 5.8, 5.8, "㎡/生", 2, 900, "", 7.0),
    ], cols)
    assert str(out["cv_passed"].dtype) == "boolean"
    assert list(out.index) == list(range(len(out)))
    assert not (out["indicator"] == "综合差异系数").any()


def test_an_empty_cv_table_gives_an_empty_table_with_the_columns():
    out = county_indicators(cv_rows([]), Q, NAMES)
    assert list(out.columns) == COLS and out.empty


# --------------------------------------------------------------------------------------- basic-2012

C0, C3 = B.indicator_names[0], B.indicator_names[3]  # 教学及辅助用房 (㎡/生), 计算机 (台/百生)
COMP = "综合差异系数"


def test_basic_adds_the_composite_cv_as_the_mean_of_the_indicator_cvs_and_only_it_decides():
    # composite = (cv0 + cv3) / 2:
    #   2024 甲县 初中 (0.2 + 0.3)/2 = 0.25 ≤ 0.55 passes; 2025 甲县 小学 one CV undefined → undefined, fails;
    #   2025 乙县 小学 (0.5 + 0.8)/2 = 0.65 ≤ 0.65 passes; 2025 乙县 初中 (0.4 + 0.8)/2 = 0.6 > 0.55 fails
    nan = float("nan")
    cv = cv_rows([
        (2025, "110102", "初中", C3, 9.0, 0.8, 2, 900, ""),
        (2025, "110102", "初中", C0, 6.0, 0.4, 2, 900, ""),
        (2025, "110102", "小学", C0, 5.0, 0.5, 3, 800, ""),
        (2025, "110102", "小学", C3, 8.0, 0.8, 3, 800, ""),
        (2025, "110101", "小学", C3, 7.0, nan, 1, 100, UNDEF),
        (2025, "110101", "小学", C0, 4.0, 0.3, 1, 100, ""),
        (2024, "110101", "初中", C3, 11.0, 0.3, 4, 700, ""),
        (2024, "110101", "初中", C0, 5.5, 0.2, 4, 700, ""),
    ])
    out = county_indicators(cv, B, NAMES)
    NA = pd.NA
    cols = ["year", "county_code", "county_name", "stage", "indicator", "value", "cv", "cv_limit", "cv_passed",
            "decisive", "standard", "threshold", "unit", "sections", "students", "cv_note"]
    check(out, [
        (2024, "110101", "甲县", "初中", C0, 5.5, 0.2, nan, NA, False, nan, nan, "㎡/生", 4, 700, ""),
        (2024, "110101", "甲县", "初中", C3, 11.0, 0.3, nan, NA, False, nan, nan, "台/百生", 4, 700, ""),
        (2024, "110101", "甲县", "初中", COMP, nan, 0.25, 0.55, True, True, nan, nan, "", 4, 700, ""),
        (2025, "110101", "甲县", "小学", C0, 4.0, 0.3, nan, NA, False, nan, nan, "㎡/生", 1, 100, ""),
        (2025, "110101", "甲县", "小学", C3, 7.0, nan, nan, NA, False, nan, nan, "台/百生", 1, 100, UNDEF),
        (2025, "110101", "甲县", "小学", COMP, nan, nan, 0.65, False, True, nan, nan, "", 1, 100, COMP_NOTE),
        (2025, "110102", "乙县", "小学", C0, 5.0, 0.5, nan, NA, False, nan, nan, "㎡/生", 3, 800, ""),
        (2025, "110102", "乙县", "小学", C3, 8.0, 0.8, nan, NA, False, nan, nan, "台/百生", 3, 800, ""),
        (2025, "110102", "乙县", "小学", COMP, nan, 0.65, 0.65, True, True, nan, nan, "", 3, 800, ""),
        (2025, "110102", "乙县", "初中", C0, 6.0, 0.4, nan, NA, False, nan, nan, "㎡/生", 2, 900, ""),
        (2025, "110102", "乙县", "初中", C3, 9.0, 0.8, nan, NA, False, nan, nan, "台/百生", 2, 900, ""),
        (2025, "110102", "乙县", "初中", COMP, nan, 0.6, 0.55, False, True, nan, nan, "", 2, 900, ""),
    ], cols)
    assert str(out["cv_passed"].dtype) == "boolean"
    assert list(out.index) == list(range(len(out)))


def test_the_composite_cv_is_the_mean_not_another_statistic():
    # three CVs 0.1, 0.2, 0.6: mean 0.3 (median 0.2, max 0.6, sum 0.9): 0.3 ≤ 0.55 passes
    cv = cv_rows([(2025, "110101", "初中", n, 1.0, c, 2, 50, "") for n, c in zip(B.indicator_names[:3], (0.1, 0.2, 0.6))])
    out = county_indicators(cv, B, NAMES)
    comp = out[out.indicator == COMP]
    assert len(comp) == 1 and math.isclose(comp.cv.iloc[0], 0.3) and bool(comp.cv_passed.iloc[0]) is True
    assert list(out.indicator) == [*B.indicator_names[:3], COMP]


def test_a_table_of_indicators_the_standard_does_not_know_gets_no_units_and_no_thresholds():
    # county_indicators is public: every indicator here is foreign to quality-2017, so no unit and no
    # threshold is known (NaN); the CV is still judged against the stage limit (0.3 ≤ 0.50)
    cv = cv_rows([(2025, "110101", "小学", "自定义指标甲", 1.0, 0.3, 2, 50, ""),
                  (2025, "110101", "小学", "自定义指标乙", 2.0, 0.3, 2, 50, "")])
    out = county_indicators(cv, Q, NAMES)
    assert out["unit"].isna().all() and out["threshold"].isna().all()
    assert list(out["indicator"]) == ["自定义指标甲", "自定义指标乙"] and out["cv_passed"].all()


def test_the_composite_note_names_every_indicator_whose_cv_is_undefined_in_the_standards_order():
    """Two undefined CVs given out of order (C3 before C0 in the table): the note names both, C0
    first as basic-2012 lists them; a stage with every CV defined has no note."""
    nan = float("nan")
    cv = cv_rows([
        (2025, "110101", "小学", C3, 7.0, nan, 1, 100, UNDEF),
        (2025, "110101", "小学", C0, 0.0, nan, 1, 100, UNDEF),
        (2025, "110101", "初中", C0, 4.0, 0.3, 1, 100, ""),
    ])
    out = county_indicators(cv, B, NAMES)
    notes = dict(zip(out.loc[out.indicator == COMP, "stage"], out.loc[out.indicator == COMP, "cv_note"]))
    assert notes == {"小学": f"{C0}、{C3}的差异系数无定义，综合差异系数无法计算 / 2 indicators "
                             "without a CV: the composite cannot be computed", "初中": ""}
