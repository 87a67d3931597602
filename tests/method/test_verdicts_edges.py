"""Edges of :func:`balance.method.verdicts.county_verdicts` that a mutation run (mutmut over
balance/method/verdicts.py, issue 10, round 3) showed no test was watching.

A section whose school-rule verdict is missing (NA) is counted as not passing: anything undefined
fails (method.md §5; the docstring of ``county_verdicts``). Each test names the mutants it kills."""
import pandas as pd

from balance.method.standards import load_standard
from balance.method.verdicts import county_verdicts


def _names():
    return pd.DataFrame({"year": [2024], "county_code": ["130102"], "county_name": ["长安区"]})


def test_a_section_with_an_undecided_school_rule_counts_as_not_passing():
    """Three sections of one stage: passed, failed, undecided (NA). sections_passed is 1, not 2
    (kills ``na_value=0.0`` → ``1.0``) and is a whole count, not NaN cast to int (kills
    ``na_value`` → ``None`` / dropped); the county fails with the count 2 of 3 in its item."""
    std = load_standard("quality-2017")
    assert std.school_rule is not None and std.county_rule.all_sections_pass
    st = std.stages[0]
    sr = pd.DataFrame({"year": [2024] * 3, "county_code": ["130102"] * 3, "stage": [st] * 3,
                       "school_passed": pd.array([True, False, pd.NA], dtype="boolean")})
    out = county_verdicts(pd.DataFrame(), sr, std, _names())
    row = out.iloc[0]
    assert row["sections"] == 3
    assert row["sections_passed"] == 1
    assert row[f"sections_{st}"] == 3 and row[f"sections_passed_{st}"] == 1
    assert not row["passed"]
    assert f"{st}有 2 个学段单位未达到学校资源配置标准（共 3 个）" in row["failing_items"]


def test_no_school_results_at_all_is_a_county_that_cannot_be_judged():
    """An empty school-results frame without columns (no in-scope section anywhere): the county
    is listed, fails, and says why (kills ``if len(school_results)`` → ``or True``, which reads a
    column the empty frame does not have)."""
    std = load_standard("quality-2017")
    out = county_verdicts(pd.DataFrame(), pd.DataFrame(), std, _names())
    row = out.iloc[0]
    assert row["sections"] == 0 and row["sections_passed"] == 0
    assert not row["passed"]
    assert row["failing_items"] == ["没有纳入评估的学段单位，无法判定"]
