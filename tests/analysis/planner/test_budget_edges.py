"""``budget_plan`` by hand: its refusal message, and which least-cost plan it compares with the budget.

A mutation run (mutmut, issue 10, round 5) found that no test looked at the refusal's fields, nor
passed ``costs``, ``transfers``, ``county`` or ``year`` through to the least-cost plan that is the
answer when it fits. The county below (quality-2017 primary, four schools of 100 pupils with
1, 1, 1, 5 PE/art teachers: CV 0.866 > 0.50; costs.yaml: a hired PE/art teacher 120 000 元 × 1
year, a rotation 20 000 元) needs three hires, 360 000 元, or two rotations, 40 000 元
(tests/analysis/planner/test_transfers_edges.py works the same county through by hand).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from balance.analysis.planner import load_costs
from balance.analysis.planner.budget import budget_plan
from balance.errors import InputError
from balance.method.standards import load_standard
from tests.factories import primary, table

A, B = "990101", "990102"


def _county(code=A, year=2025, prefix="1"):
    kw = {"county_code": code, "county_name": f"县{code}", "year": year}
    return [primary(f"{prefix}{i}", 100, pe_art=pe, **kw) for i, pe in enumerate((1, 1, 1, 5), start=1)]


def test_a_bad_budget_is_refused_naming_the_option_and_value_in_both_languages():
    with pytest.raises(InputError) as e:
        budget_plan(table(*_county()), -1.5)
    (p,) = e.value.problems
    assert (p.file, p.column, p.value, p.code) == ("--budget", "--budget", "-1.5", "budget_invalid")
    assert p.problem_zh == "预算必须是不小于0的数字（万元）"
    assert p.problem_en == "the budget must be a number ≥ 0 (万元)"
    assert (e.value.summary_zh, e.value.summary_en) == ("预算有误", "invalid budget")


def test_without_transfers_by_default_three_hires_do_not_fit_five_wan():
    """Hiring alone costs 360 000 元 > 50 000 元: the budget programme runs (method "budget") and
    affords nothing; rotations (40 000 元) are not used unless asked for."""
    p = budget_plan(table(*_county()), 5)
    assert p.method == "budget" and p.transfers is False
    assert not p.items["kind"].isin(["transfer_in", "transfer_out"]).any()
    assert p.total_cost == 0
    # plan_summary.json of a budget plan: its budget and what is left, no lower bound or gap
    (c,) = p.counties
    assert (c["budget"], c["budget_left"]) == (50_000, 50_000)
    assert (c["lower_bound"], c["model_cost"], c["gap"]) == (None, None, None)
    assert c["cv_excess_after"] > 0


def test_with_transfers_the_least_cost_plan_that_fits_is_the_answer():
    """With rotations the least-cost plan is 40 000 元 ≤ 50 000 元: it is returned as it is
    (method "optimal"), with 10 000 元 of the budget left."""
    p = budget_plan(table(*_county()), 5, transfers=True)
    assert p.method == "optimal" and p.total_cost == 40_000
    (c,) = p.counties
    assert c["budget"] == 50_000 and c["budget_left"] == 10_000


def test_the_costs_given_price_the_plan_compared_with_the_budget():
    """PE/art teachers at 50 000 元: three hires cost 150 000 元 ≤ 200 000 元 (20 万元), so the
    least-cost plan is the answer; at the default price (360 000 元) it would not fit."""
    p = budget_plan(table(*_county()), 20, costs=load_costs({"items": {"pe_art_teachers": 50_000}}))
    assert p.method == "optimal" and p.total_cost == 150_000
    assert p.counties[0]["budget_left"] == 50_000


@pytest.mark.parametrize("by", ["county", "year"])
def test_only_the_county_year_asked_for_is_compared_with_the_budget(by):
    """Two county-years: the one asked for fits 5 万元 with rotations (40 000 元); the other (no
    PE/art teacher anywhere) needs hires that do not. Only the one asked for is planned, and its
    least-cost plan is the answer."""
    other = [primary(f"2{i}", 100, pe_art=0, county_code=B if by == "county" else A,
                     county_name=f"县{B if by == 'county' else A}", year=2025 if by == "county" else 2024)
             for i in (1, 2)]
    t = table(*_county(), *other)
    p = budget_plan(t, 5, transfers=True, **({"county": A} if by == "county" else {"year": 2025}))
    assert p.method == "optimal" and p.total_cost == 40_000
    assert [(c["county_code"], c["year"]) for c in p.counties] == [(A, 2025)]
    assert set(p.items["school_code"]) <= {f"999999991{i}" for i in range(1, 5)}  # codes padded to 10 digits


# Round 6 (mutmut): the standard passed on to both plans, and the budget's boundary.

QUALITY = Path(__file__).resolve().parents[3] / "balance" / "data" / "standards" / "quality-2017.yaml"


def _province(tmp_path, primary_cv_limit):
    """quality-2017 as a province's copy with its own id and the 小学 CV limit changed."""
    f = tmp_path / "province.yaml"
    text = QUALITY.read_text(encoding="utf-8").replace("id: quality-2017", "id: province-test") \
        .replace("cv_limit: {小学: 0.50, 初中: 0.45}", f"cv_limit: {{小学: {primary_cv_limit}, 初中: 0.45}}")
    f.write_text(text, encoding="utf-8")
    return load_standard(f)


def test_under_a_standard_that_the_county_meets_the_least_cost_plan_costs_nothing(tmp_path):
    """A 小学 CV limit of 0.90: the county's 0.866 passes, the least-cost plan is empty and is the
    answer (method "optimal"); under quality-2017 it would need 360 000 元 and not fit."""
    std = _province(tmp_path, "0.90")
    p = budget_plan(table(*_county()), 5, std)
    assert p.standard.id == "province-test" and p.method == "optimal" and p.total_cost == 0
    assert p.counties[0]["budget_left"] == 50_000


def test_the_budget_programme_plans_under_the_standard_given(tmp_path):
    """A 小学 CV limit of 0.80: one hire (120 000 元) would do, which 5 万元 does not afford; the
    budget programme runs under the province's standard, not quality-2017."""
    std = _province(tmp_path, "0.80")
    p = budget_plan(table(*_county()), 5, std)
    assert p.method == "budget" and p.standard.id == "province-test" and p.total_cost == 0
    assert p.before.standard.id == "province-test"


def test_a_budget_equal_to_the_least_cost_plan_fits_it():
    """Two rotations cost 40 000 元: a budget of exactly 4 万元 takes the least-cost plan, nothing left."""
    p = budget_plan(table(*_county()), 4, transfers=True)
    assert p.method == "optimal" and p.total_cost == 40_000
    assert p.counties[0]["budget_left"] == 0


def test_a_budget_a_tenth_of_a_yuan_short_does_not_fit():
    """Three hires cost 360 000 元; 35.99999 万元 is 359 999.9 元: the least-cost plan does not fit
    and the budget programme runs (two hires, 240 000 元, are what it affords at most)."""
    p = budget_plan(table(*_county()), 35.99999)
    assert p.method == "budget" and p.total_cost <= 359_999.9


def test_the_budget_plan_keeps_every_option_of_the_full_plan():
    """Round 7 (mutmut round 6 left the options of the second ``plan`` call alive): two counties and
    two years, each county-year a PE/art teacher and a multimedia room short (5万 + 6万 with the
    teacher priced at 50 000 元 by the costs given, 11 万 > the 10 万 budget). Asked for 990102 in 2025,
    with rotation and those costs, the budget plan (its second call) is of that county-year only,
    allows rotation and prices by the costs given."""
    from balance.analysis.planner.budget import budget_plan

    rows = []
    for year in (2024, 2025):
        for cc, name in (("990101", "甲县"), ("990102", "乙县")):
            k = f"{cc[-1]}{year % 10}"
            rows += [primary(f"{k}1", 100, year=year, county_code=cc, county_name=name),
                     primary(f"{k}2", 100, pe_art=0, rooms=1, year=year, county_code=cc, county_name=name)]
    p = budget_plan(table(*rows), 10, county="990102", year=2025, transfers=True,
                    costs={"items": {"pe_art_teachers": {"cost": 50000}}})
    assert p.method == "budget"
    assert [(c["year"], c["county_code"]) for c in p.counties] == [(2025, "990102")]
    assert p.transfers is True
    assert p.costs.items["pe_art_teachers"]["cost"] == 50000
    assert p.counties[0]["budget"] == 100000.0 and p.counties[0]["total_cost"] <= 100000.0
