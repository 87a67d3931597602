"""Edges of ``official.shortfalls`` that the mutation run over balance/method/official.py (issue 10,
docs/mutation-report.md) showed no test was watching.

Each test names the surviving mutants it kills; each was checked to fail on its mutant. Frames are
built by hand (one row per section) so that the required amount ``s·P/per`` is exact: the
tolerance ``official.REL_TOL`` (1e-9 relative, at least 1e-9 absolute) only absorbs binary
representation, so a shortfall within it of a whole number is that whole number, and one just
outside it is rounded up (method.md §3: the standard is a floor).
"""
import numpy as np
import pytest

from balance.method import official
from balance.method.indicators import indicator_values
from balance.method.standards import load_standard
from tests.factories import section_rows, zero_standards

QUAL = "每百名学生拥有高于规定学历教师数"  # quality-2017, whole teachers, per 100 pupils
RATIO = "师生比"  # basic-2012, teachers ÷ pupils, whole teachers


def _short(std, sections, standards, presorted=False):
    return official.shortfalls(sections, indicator_values(sections, std), standards, std, presorted=presorted)


def test_shortfall_within_the_tolerance_of_a_whole_number_is_that_number():
    """10 000 pupils at 10 per 100 need exactly 1000 teachers; with 848 − 5e-7 the shortfall is
    152 + 5e-7 and to the 85 % floor 2 + 5e-7: both inside REL_TOL·1000 = 1e-6 of a whole number,
    so 152 and 2, not 153 and 3 (kills ``add − REL_TOL·…`` → ``+`` and ``REL_TOL *`` → ``/`` on
    both the shortfall and the shortfall-to-floor line)."""
    std = load_standard("quality-2017")
    sec = section_rows(std, [dict(students=10_000, qualified_teachers=848 - 5e-7)])
    r = _short(std, sec, zero_standards(std, sec, **{QUAL: [10.0]})).iloc[0]
    assert (r.indicator, r.shortfall, r.shortfall_to_floor) == (QUAL, 152, 2)


def test_an_exact_whole_shortfall_is_not_rounded_up():
    """100 pupils at 2 per 100 and no teacher: exactly 2 short (kills ``−`` → ``+``, which gives 3)."""
    std = load_standard("quality-2017")
    sec = section_rows(std, [dict(students=100)])
    r = _short(std, sec, zero_standards(std, sec, **{QUAL: [2.0]})).iloc[0]
    assert r.shortfall == 2


def test_the_tolerance_is_at_least_absolute_for_a_requirement_below_one_unit_over_it():
    """A requirement of 1 + 1.5e-9 teachers (below 2, so the absolute floor 1·REL_TOL applies) is
    1.5e-9 above a whole teacher, outside the tolerance: 2 teachers, to the standard and (with a
    requirement of (1 + 1.5e-9)/0.85) to the floor (kills ``np.maximum(1.0, …)`` → ``2.0`` on both
    lines, which would absorb it and say 1)."""
    std = load_standard("quality-2017")
    floor = std.school_rule.floor_ratio
    sec = section_rows(std, [dict(students=100), dict(students=100)])
    standards = zero_standards(std, sec, **{QUAL: [1 + 1.5e-9, (1 + 1.5e-9) / floor]})
    out = _short(std, sec, standards)
    assert out.shortfall.iloc[0] == 2
    assert out.shortfall_to_floor.iloc[1] == 2


def test_without_a_school_rule_the_floor_is_the_standard_itself():
    """basic-2012 has no school rule and so no 85 % floor: the shortfall to the floor is the
    shortfall to the standard (400 pupils at 师生比 0.05 need 20 teachers; with 15: 5 and 5).
    Kills ``floor = … else 1.0`` → ``2.0`` (which would say 25)."""
    std = load_standard("basic-2012")
    assert std.school_rule is None
    sec = section_rows(std, [dict(students=400, teachers=15.0)])
    r = _short(std, sec, zero_standards(std, sec, **{RATIO: [0.05]})).iloc[0]
    assert (r.indicator, r.shortfall, r.shortfall_to_floor) == (RATIO, 5, 5)


def test_a_missing_standard_or_a_met_one_lists_no_shortfall():
    """A stage without a standard (NaN) cannot be short of it, and a section meeting every standard
    is not listed (kills ``below = ~isnan(s) & …`` → ``|``, which lists both)."""
    std = load_standard("quality-2017")
    sec = section_rows(std, [dict(students=100), dict(students=100, qualified_teachers=5.0)])
    out = _short(std, sec, zero_standards(std, sec, **{QUAL: [np.nan, 5.0]}))
    assert out.empty
    assert list(out.columns)[:3] == ["year", "county_code", "county_name"]


@pytest.mark.parametrize("presorted", [False, True])
def test_rows_are_sorted_by_year_county_stage_school_then_indicator(presorted):
    """The contract order (year, county, stage, school code, indicator order) whatever the input
    order (kills ``key_codes[::-1]`` → ``[::-2]``, which drops year and stage from the sort key)."""
    std = load_standard("quality-2017")
    rows = [dict(year=2025, school_code="9999999902", stage="初中", students=100),
            dict(year=2025, school_code="9999999901", stage="小学", students=100),
            dict(year=2024, school_code="9999999903", stage="小学", students=100)]
    if presorted:  # what build_sections gives: already in key order
        rows = [rows[2], rows[0], rows[1]]
    sec = section_rows(std, rows)
    names = [QUAL, "每百名学生拥有网络多媒体教室数"]
    out = _short(std, sec, zero_standards(std, sec, **{n: [1.0] * 3 for n in names}), presorted=presorted)
    got = list(zip(out.year, out.stage, out.school_code, out.indicator))
    assert got == [(2024, "小学", "9999999903", names[0]), (2024, "小学", "9999999903", names[1]),
                   (2025, "初中", "9999999902", names[0]), (2025, "初中", "9999999902", names[1]),
                   (2025, "小学", "9999999901", names[0]), (2025, "小学", "9999999901", names[1])]
