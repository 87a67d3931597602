"""``schedule_plan``'s refusals by hand: which option, its code and message in both languages.

A mutation run (mutmut, issue 10, round 5) found that the tests only saw an InputError raised for
a target year not after the data and for an annual cap of 0, never its fields.
"""
from __future__ import annotations

import math

import pytest

from balance.analysis.planner.schedule import schedule_plan
from balance.errors import InputError
from tests.factories import primary, table


def _refusal(**kw):
    with pytest.raises(InputError) as e:
        schedule_plan(table(primary("1", 100), primary("2", 100, pe_art=0)), **kw)
    assert (e.value.summary_zh, e.value.summary_en) == ("排期参数有误", "invalid schedule options")
    (p,) = e.value.problems
    return p


@pytest.mark.parametrize("cap", [0, -3.0, math.nan, math.inf, "30"])
def test_an_annual_cap_not_a_finite_number_above_zero_is_refused(cap):
    p = _refusal(target_year=2027, annual_cap_wan=cap)
    assert (p.file, p.column, p.code) == ("--annual-cap", "--annual-cap", "schedule_invalid")
    assert p.problem_zh == "年度预算上限必须是大于0的数字（万元）"
    assert p.problem_en == "the annual cap must be a number > 0 (万元)"


@pytest.mark.parametrize("target", [2025, 2024])
def test_a_target_year_not_after_the_data_year_is_refused_naming_that_year(target):
    p = _refusal(target_year=target)
    assert (p.file, p.column, p.code) == ("--target-year", "--target-year", "schedule_invalid")
    assert p.problem_zh == "目标年份必须晚于数据年份 2025"
    assert p.problem_en == "the target year must be after the data year 2025"


def test_a_school_without_a_target_year_row_keeps_its_base_year_pupils():
    """The data hold 2028 rows (projections) for school 1 only: its 在校生数 become 260, schools 2
    and 3 keep their 100 and 150 of 2025, and the sentence says that two schools had no 2028 row."""
    base = [primary("1", 200), primary("2", 100), primary("3", 150)]
    p, _, _ = schedule_plan(table(*base, primary("1", 260, year=2028)), target_year=2028)
    assert p.planned["primary_students"].tolist() == [260, 100, 150]
    assert p.planned["primary_students"].dtype == table(*base)["primary_students"].dtype  # still whole pupils
    assert set(p.planned["year"]) == {2025}
    assert p.pupil_basis.endswith("；2 所学校没有 2028 年记录，沿用 2025 年在校生数。")


def test_when_every_school_has_a_target_year_row_the_sentence_names_no_missing_school():
    base = [primary("1", 200), primary("2", 100)]
    p, _, _ = schedule_plan(table(*base, primary("1", 260, year=2028), primary("2", 90, year=2028)),
                            target_year=2028)
    assert p.planned["primary_students"].tolist() == [260, 90]
    assert p.pupil_basis == ("按 2028 年的在校生数规划：取自数据中的 2028 年记录（预测数，只用其在校生数，"
                             "用房、设备、教师等沿用 2025 年）。")


def test_a_school_with_two_target_year_rows_takes_the_first():
    """Two 2028 rows for school 1 (260 and 300 pupils): the first is its projection, the plan has
    one row per school (mutmut round 5: ``drop_duplicates(None)`` kept both and the merge grew)."""
    p, _, _ = schedule_plan(table(primary("1", 200), primary("2", 100), primary("1", 260, year=2028),
                                  primary("1", 300, year=2028)), target_year=2028)
    assert p.planned["primary_students"].tolist() == [260, 100]
