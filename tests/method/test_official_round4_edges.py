"""Edges of balance/method/official.py that round 4 of the mutation run (issue 10,
docs/mutation/round4-method-b.md) left without a test.

Each test names the surviving mutants it kills; each was applied by hand to the source, seen to
fail, and the source restored. The golden numbers are worked by hand in each docstring; the
tolerance is ``official.REL_TOL`` (1e-9 relative, at least 1e-9 absolute, method.md §4 notes).
"""
import numpy as np
import pandas as pd

from balance.method import official
from balance.method.indicators import indicator_values
from balance.method.standards import load_standard
from tests.factories import section_rows, zero_standards

QUAL = "每百名学生拥有高于规定学历教师数"  # quality-2017, qualified_teachers, whole, per 100 pupils
ROOMS = "每百名学生拥有网络多媒体教室数"  # quality-2017, multimedia_rooms (a facility count column)
AREA = "生均教学及辅助用房面积"  # quality-2017, teaching_area (a facility area column), not whole


def _ind(std, name):
    return next(i for i in std.indicators if i.name == name)


def test_an_undefined_cv_says_why_in_both_languages():
    """Group 1: values 0 and 0 → X̄ = 0, CV undefined (note 1); group 2: one value missing →
    X̄ NaN (note 2); the exact bilingual texts are the contract of ``cv_note`` (kills the four
    text mutants of ``note_text``: each of the two texts → ``"XX…XX"`` / upper case)."""
    s = pd.DataFrame({"year": [2025] * 4, "county_code": ["990101", "990101", "990102", "990102"],
                      "stage": ["小学"] * 4, "students": [100, 100, 100, 100]})
    out = official.group_cv(s, pd.DataFrame({"a": [0.0, 0.0, 1.0, np.nan]}))
    notes = dict(zip(out["county_code"], out["cv_note"]))
    assert notes == {"990101": "县域均值为0，差异系数无定义 / mean is 0: CV undefined",
                     "990102": "有学段单位指标值缺失，差异系数无法计算 / a section value is missing: CV undefined"}


def test_presorted_shortfalls_of_one_school_in_two_stages_keep_the_stages_apart():
    """A 九年一贯制 school is one school code with a 初中 and a 小学 section (presorted: 初中 sorts
    before 小学). Both are short of QUAL and ROOMS; the order is stage, then indicator:
    初中 QUAL, 初中 ROOMS, 小学 QUAL, 小学 ROOMS. With ``change[1:] |=`` → ``=`` only the school
    code starts a new key, both sections share one rank and the rows interleave by indicator."""
    std = load_standard("quality-2017")
    sec = section_rows(std, [dict(stage="初中", students=100), dict(stage="小学", students=100)])
    sec["school_code"] = "9999999901"
    standards = zero_standards(std, sec, **{QUAL: [1.0, 1.0], ROOMS: [1.0, 1.0]})
    out = official.shortfalls(sec, indicator_values(sec, std), standards, std, presorted=True)
    assert list(zip(out.stage, out.indicator)) == [("初中", QUAL), ("初中", ROOMS), ("小学", QUAL), ("小学", ROOMS)]


def test_shortfall_rows_carry_ratio_threshold_and_the_sections_school_verdict():
    """Two 初中 sections of 200 pupils with 1 and 3 qualified teachers: 0.5 and 1.5 per 100 against
    a standard of 2 per 100, ratios 0.5/2 = 0.25 and 1.5/2 = 0.75, threshold = standard = 2; the
    sections' own ``school_passed`` (True, False) is carried to their rows (kills ``ratio`` →
    ``None`` / ``value * standard`` (which gives 1 and 3), ``threshold = None``, the
    ``school_passed`` key renamed in the test and in the read (NA / KeyError) and ``= None``)."""
    std = load_standard("quality-2017")
    sec = section_rows(std, [dict(students=200, qualified_teachers=1.0), dict(students=200, qualified_teachers=3.0)])
    sec["school_passed"] = [True, False]
    out = official.shortfalls(sec, indicator_values(sec, std), zero_standards(std, sec, **{QUAL: [2.0, 2.0]}), std)
    assert list(out["ratio"]) == [0.25, 0.75]
    assert list(out["threshold"]) == [2.0, 2.0] and list(out["standard"]) == [2.0, 2.0]
    assert [bool(x) for x in out["school_passed"]] == [True, False]


def test_a_zero_share_leaves_the_school_addition_undefined():
    """A section with facility share 0 cannot be brought up by adding to the school's column: its
    amount is NaN (float), while the share-0.5 section 3 rooms short needs 3 / 0.5 = 6 at the school
    (kills ``np.nan`` → ``None``, ``w > 0`` → ``w >= 0`` (which says 3) and the divisor's ``1.0``
    → ``None``)."""
    std = load_standard("quality-2017")
    w, amount = official._school_addition(_ind(std, ROOMS), np.array([0.0, 0.5]), np.array([3.0, 3.0]),
                                          np.array([5.0, 5.0]))
    assert amount.dtype == "float64"
    assert np.isnan(amount[0]) and amount[1] == 6.0
    assert list(w) == [0.0, 0.5]


def test_a_count_column_is_rounded_up_even_when_the_indicator_is_not_whole_units():
    """A rooms indicator marked not whole-unit still adds whole rooms, since multimedia_rooms is a
    count column: 2.2 short at share 0.5 → 4.4 → 5 rooms; an area column is not rounded: 2.2 ㎡ at
    share 0.5 → 4.4 ㎡ (kills ``c["name"] == fld`` → ``!=``, ``== "count"`` → ``!=``,
    ``"XXcountXX"`` and ``"COUNT"``)."""
    std = load_standard("quality-2017")
    rooms = _ind(std, ROOMS).model_copy(update={"whole_units": False})
    _, amount = official._school_addition(rooms, np.array([0.5]), np.array([2.2]), np.array([10.0]))
    assert amount[0] == 5.0
    _, area = official._school_addition(_ind(std, AREA), np.array([0.5]), np.array([2.2]), np.array([10.0]))
    assert abs(area[0] - 4.4) < 1e-12


def test_the_school_addition_tolerance_is_relative_to_the_requirement_at_the_school():
    """Share 0.5, requirement 1000 rooms for the section, 84 + 7.5e-7 short: the school must add
    (84 + 7.5e-7)/0.5 = 168 + 1.5e-6; the tolerance is REL_TOL·max(1, 1000/0.5) = 2e-6, so 168, not
    169 (kills ``−`` → ``+``, ``REL_TOL *`` → ``/``, ``req / w`` → ``req * w`` (tolerance 5e-7) and
    ``w > 0`` → ``w > 1`` (divisor 1, tolerance 1e-6)). Share 1, requirement 0.5, 1.5e-9 short: the
    tolerance is the absolute floor 1e-9, so 1.5e-9 is outside it and rounds up to 1 room (kills
    ``np.maximum(1.0, …)`` → ``2.0``, which absorbs it and says 0)."""
    std = load_standard("quality-2017")
    ind = _ind(std, ROOMS)
    _, big = official._school_addition(ind, np.array([0.5]), np.array([84 + 7.5e-7]), np.array([1000.0]))
    assert big[0] == 168.0
    _, small = official._school_addition(ind, np.array([1.0]), np.array([1.5e-9]), np.array([0.5]))
    assert small[0] == 1.0


def test_county_indicators_of_nothing_has_every_column_as_object():
    """No county rows: the contract's 16 columns, empty, of dtype object (kills the empty branch's
    ``DataFrame(None)`` and dtype ``"XXobjectXX"`` / ``"OBJECT"``)."""
    std = load_standard("quality-2017")
    empty = official.group_cv(pd.DataFrame(columns=["year", "county_code", "stage", "students"]),
                              pd.DataFrame({"a": pd.Series(dtype="float64")}))
    names = pd.DataFrame({"year": [2025], "county_code": ["990101"], "county_name": ["测试县"]})
    out = official.county_indicators(empty, std, names)
    assert list(out.columns) == ["year", "county_code", "county_name", "stage", "indicator", "value", "cv",
                                 "cv_limit", "cv_passed", "decisive", "standard", "unit", "sections", "students",
                                 "cv_note", "threshold"]
    assert len(out) == 0 and all(d == object for d in out.dtypes)
