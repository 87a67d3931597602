"""The region ranking rule (issue 11) and the city total (balance.analysis.region)."""
import numpy as np
import pandas as pd
import pytest

from balance.analysis.region import RANK_KEYS, RANK_RULE, city_total, rank_counties


def _row(code, *, passed, share, fail_cvs, worst, cost, four=np.nan):
    return {"county_code": code, "county_name": f"县{code}", "four_rank": four, "passed": passed, "share": share,
            "fail_cvs": fail_cvs, "worst_cv_ratio": worst, "plan_cost": cost}


@pytest.mark.parametrize("order", [0, 1])
def test_one_cv_just_over_ranks_above_a_quarter_of_sections_failing(order):
    # A: every section passes, one CV 0.505 over its limit 0.45 (ratio 1.122); B: a quarter of the
    # sections fail, every CV within its limit. B is cheaper to fix, and has fewer failing CVs.
    a = _row("A", passed=False, share=1.0, fail_cvs=1, worst=0.505 / 0.45, cost=4_000_000.0)
    b = _row("B", passed=False, share=0.75, fail_cvs=0, worst=0.66, cost=1_000_000.0)
    rows = pd.DataFrame([a, b] if order == 0 else [b, a])
    ranked = rank_counties(rows)
    assert list(ranked["county_code"]) == ["A", "B"]
    assert list(ranked["rank"]) == [1, 2]


def test_passing_and_recognised_counties_come_first():
    rows = pd.DataFrame([
        _row("C", passed=False, share=1.0, fail_cvs=0, worst=0.9, cost=10.0, four=0.0),
        _row("D", passed=True, share=1.0, fail_cvs=0, worst=0.8, cost=0.0, four=0.0),
        _row("E", passed=True, share=1.0, fail_cvs=0, worst=0.95, cost=0.0, four=1.0),
    ])
    assert list(rank_counties(rows)["county_code"]) == ["E", "D", "C"]


def test_rule_text_names_every_key_in_order():
    for i, (_, _, text) in enumerate(RANK_KEYS):
        assert f"{i + 1}. {text}" in RANK_RULE
    # the share comes before the number of failing CVs (the issue-11 case depends on it)
    keys = [k for k, _, _ in RANK_KEYS]
    assert keys.index("share") < keys.index("fail_cvs")


def test_city_total_is_the_sum_of_the_rows():
    rows = pd.DataFrame({"plan_cost": [1.5e6, 0.0, np.nan, 2.25e6]})
    assert city_total(rows) == pytest.approx(3.75e6)
