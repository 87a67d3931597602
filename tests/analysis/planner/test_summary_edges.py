"""``plan_summary`` figures by hand (``balance.analysis.planner.summary``).

A mutation run (mutmut, issue 10, round 5) found the optimality gap never checked against a
number: the tests' plans meet their lower bound, so ``gap`` was 0 whatever its formula.
"""
from __future__ import annotations

import pytest

from balance.analysis.planner.summary import _gap


@pytest.mark.parametrize("cost, bound, gap", [(100.0, 90.0, 0.1), (100.0, 100.0, 0.0), (100.0, 120.0, 0.0),
                                              (0.5, 0.25, 0.5), (0.0, 0.0, 0.0), (0.0, 10.0, 0.0)])
def test_the_gap_is_the_share_of_the_cost_above_the_lower_bound(cost, bound, gap):
    """gap = max(cost − bound, 0) / cost, 0 when nothing is bought: 10 of 100 元 above the bound is
    0.1; a bound above the cost (the solver's rounding) is no gap; half a yuan of 0.5 above 0.25 is
    0.5 (a cost below 1 元 is still a cost)."""
    assert _gap(cost, bound) == pytest.approx(gap)


def test_a_county_year_that_needs_nothing_costs_nothing_beside_one_that_does():
    """Two counties: 990101 passes, 990102 lacks PE/art teachers. 990101's record costs 0 元 (its
    items are none, not another county's first row), 990102's the sum of its items."""
    from balance.analysis.planner import plan
    from tests.factories import primary, table

    t = table(primary("1", 100), primary("2", 100),
              primary("3", 100, county_code="990102", county_name="乙县"),
              primary("4", 100, pe_art=0, county_code="990102", county_name="乙县"))
    p = plan(t)
    cost = {c["county_code"]: c["total_cost"] for c in p.counties}
    assert cost["990101"] == 0 and cost["990102"] == p.items["cost"].sum() > 0
    assert p.counties[0]["cost_by_item"] == [] and p.counties[0]["before"]["passed"]


def test_a_county_with_junior_sections_only_has_its_junior_rows():
    """No 小学 in the county: the 小学 stage is skipped and the 初中 rows still follow (one per
    quality-2017 indicator, seven)."""
    from balance.analysis.planner import plan
    from tests.factories import junior, table

    p = plan(table(junior("1", 100), junior("2", 100, junior_pe_art_teachers=0)))
    assert set(p.summary["stage"]) == {"初中"} and len(p.summary) == 7
    assert list(p.counties[0]["stages"]) == ["初中"]


# --- round 7: the whole record of a small plan, field by field (mutmut round 6 left 314 summary
# mutants alive under a selection that never read the summary's keys or values) ---------------

import math  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from balance.analysis.planner.summary import (  # noqa: E402
    _certificate_fields,
    _cost_by_item,
    _indicator_totals,
    _int,
    _stage_rows,
    _summaries,
)

#: the quality-2017 primary indicators in the standard's order, the canonical column each is raised
#: through, its unit, and the value the factory's ``primary`` school has (per 100 pupils / per pupil)
PRIMARY = [("每百名学生拥有高于规定学历教师数", "小学专科及以上学历专任教师数", "人", 5.0),
           ("每百名学生拥有县级及以上骨干教师数", "小学县级及以上骨干教师数", "人", 2.0),
           ("每百名学生拥有体育、艺术专任教师数", "小学体育艺术专任教师数", "人", None),
           ("生均教学及辅助用房面积", "教学及辅助用房面积(㎡)", "㎡", 5.0),
           ("生均体育运动场馆面积", "体育运动场地面积(㎡)", "㎡", 8.0),
           ("生均教学仪器设备值", "教学仪器设备值(元)", "元", 2500.0),
           ("每百名学生拥有网络多媒体教室数", "网络多媒体教室数", "间", 3.0)]
SUMMARY_COLUMNS = ["year", "county_code", "county_name", "stage", "indicator", "column", "unit", "amount",
                   "transferred", "schools", "cost", "value_before", "value_after", "cv_before", "cv_after",
                   "cv_limit", "sections", "sections_passed_before", "sections_passed_after", "lower_bound_wan",
                   "county_cost_wan", "gap"]


@pytest.fixture  # per test (not per module), so that a mutation run sees which test reads what
def one_short():
    """Two 100-pupil 小学 of one county; school 2 has no PE/art teacher (school 1 has 1). By hand:
    the county's PE/art value is 1 teacher / 200 pupils × 100 = 0.5 before, 1.0 after one teacher is
    hired (120,000 元 a teacher-year, ``balance/data/costs.yaml``); the per-school values 1 and 0 have
    CV = sd/mean = 0.5/0.5 = 1.0 > 0.50 before, and 1, 1 give 0 after. School 2 fails the school
    rule before (1 of 2 sections pass), both pass after. The heuristic plan (no certificate)."""
    from balance.analysis.planner import plan
    from tests.factories import primary, table

    return plan(table(primary("1", 100), primary("2", 100, pe_art=0)), method="waterfill")


def _expected_indicators():
    out = []
    for ind, col, unit, value in PRIMARY:
        pe = value is None
        out.append({"indicator": ind, "column": col, "unit": unit, "amount": 1.0 if pe else 0.0,
                    "transferred": 0.0, "schools": 1 if pe else 0, "cost": 120000.0 if pe else 0.0,
                    "value_before": 0.5 if pe else value, "value_after": 1.0 if pe else value,
                    "cv_before": 1.0 if pe else 0.0, "cv_after": 0.0, "cv_limit": 0.5})
    return out


def test_the_json_record_of_one_teacher_short_by_hand(one_short):
    """Every key (in ``plan_summary.json``'s order) and value of the county-year's record."""
    rec = one_short.counties[0]
    failing = list(one_short.before.verdicts["failing_items"].iloc[0])
    assert len(failing) == 2  # the school rule and the PE/art CV
    assert list(rec) == ["year", "county_code", "county_name", "standard", "total_cost", "currency", "before",
                         "after", "cost_by_item", "stages", "lower_bound", "model_cost", "gap", "gap_optimisation",
                         "gap_rounding", "solver_status", "solver_seconds"]
    assert rec == {
        "year": 2025, "county_code": "990101", "county_name": "测试县", "standard": "quality-2017",
        "total_cost": 120000.0, "currency": "元",
        "before": {"passed": False, "sections": 2, "sections_passed": 1, "cvs_passed": 6, "cvs_decisive": 7,
                   "failing_items": failing},
        "after": {"passed": True, "sections": 2, "sections_passed": 2, "cvs_passed": 7, "cvs_decisive": 7,
                  "failing_items": []},
        # the 专任教师合计 row that follows the hire costs 0 元 and is not a cost item
        "cost_by_item": [{"column": "小学体育艺术专任教师数", "kind": "add", "amount": 1.0, "cost": 120000.0}],
        "stages": {"小学": {"sections": 2, "sections_passed_before": 1, "sections_passed_after": 2,
                           "indicators": _expected_indicators()}},
        "lower_bound": None, "model_cost": None, "gap": None, "gap_optimisation": None, "gap_rounding": None,
        "solver_status": "heuristic", "solver_seconds": None}
    assert type(rec["year"]) is int and type(rec["stages"]["小学"]["sections"]) is int


def test_the_csv_rows_of_one_teacher_short_by_hand(one_short):
    """``plan_summary.csv``: its columns in order, one row per indicator, the JSON's numbers plus the
    county's cost in 万元 (12.0) and NaN bound and gap (the heuristic has none)."""
    s = one_short.summary
    assert list(s.columns) == SUMMARY_COLUMNS and len(s) == 7
    for row, exp in zip(s.to_dict("records"), _expected_indicators()):
        lb, gap = row.pop("lower_bound_wan"), row.pop("gap")
        assert math.isnan(lb) and math.isnan(gap)
        assert row == {"year": 2025, "county_code": "990101", "county_name": "测试县", "stage": "小学", **exp,
                       "sections": 2, "sections_passed_before": 1, "sections_passed_after": 2,
                       "county_cost_wan": 12.0}


def test_the_summary_carries_the_certificate_in_wan(one_short):
    """With a certificate (bound 100,000 元 of the 120,000 元 cost): lower_bound_wan 10.0 on every
    row and gap (120,000 − 100,000)/120,000 = 1/6; the record's fields are the certificate's."""
    p = one_short
    key = (2025, "990101")
    certs = {key: {"lower_bound": 100000.0, "model_cost": 110000.0, "status": "optimal", "seconds": 0.5}}
    summary, counties = _summaries(p.items, p.before, p.after, p.standard, p.costs, certs)
    assert list(summary["lower_bound_wan"]) == [10.0] * 7
    assert list(summary["gap"]) == pytest.approx([1 / 6] * 7)
    assert list(summary["county_cost_wan"]) == [12.0] * 7
    assert counties[0]["lower_bound"] == 100000.0 and counties[0]["gap"] == pytest.approx(1 / 6)
    assert counties[0]["solver_status"] == "optimal"


@pytest.mark.parametrize("cost, cert, expected", [
    # gap = (100 − 90)/100, gap_optimisation = (95 − 90)/100, gap_rounding = (100 − 95)/100; seconds to 4 places
    (100.0, {"lower_bound": 90.0, "model_cost": 95.0, "status": "optimal", "seconds": 1.234567},
     {"lower_bound": 90.0, "model_cost": 95.0, "gap": 0.1, "gap_optimisation": 0.05, "gap_rounding": 0.05,
      "solver_status": "optimal", "solver_seconds": 1.2346}),
    # a bound above the cost (solver tolerance) is reported as the cost; a model below the bound or
    # above the cost gives no optimisation / rounding gap
    (100.0, {"lower_bound": 120.0, "model_cost": 110.0, "status": "nodelimit", "seconds": 2},
     {"lower_bound": 100.0, "model_cost": 110.0, "gap": 0.0, "gap_optimisation": 0.0, "gap_rounding": 0.0,
      "solver_status": "nodelimit", "solver_seconds": 2.0}),
    # a cost below 1 元 is still a cost: (0.4 − 0.25)/0.5 and (0.5 − 0.4)/0.5
    (0.5, {"lower_bound": 0.25, "model_cost": 0.4, "status": "optimal", "seconds": 0.0},
     {"lower_bound": 0.25, "model_cost": 0.4, "gap": 0.5, "gap_optimisation": 0.3, "gap_rounding": 0.2,
      "solver_status": "optimal", "solver_seconds": 0.0}),
    # nothing bought: every gap 0
    (0.0, {"lower_bound": 0.0, "model_cost": 0.0, "status": "optimal", "seconds": 0.1},
     {"lower_bound": 0.0, "model_cost": 0.0, "gap": 0.0, "gap_optimisation": 0.0, "gap_rounding": 0.0,
      "solver_status": "optimal", "solver_seconds": 0.1}),
    # a county-year the optimiser did not need: bound = model = 0, status "not needed", 0 s
    (0.0, None, {"lower_bound": 0.0, "model_cost": 0.0, "gap": 0.0, "gap_optimisation": 0.0,
                 "gap_rounding": 0.0, "solver_status": "not needed", "solver_seconds": 0.0}),
    # ... and with a cost (its items were bought elsewhere): all of it is above the 0 bound
    (50.0, None, {"lower_bound": 0.0, "model_cost": 0.0, "gap": 1.0, "gap_optimisation": 0.0,
                  "gap_rounding": 1.0, "solver_status": "not needed", "solver_seconds": 0.0}),
])
def test_certificate_fields_of_an_optimal_plan(cost, cert, expected):
    key = (2025, "990101")
    certs = {key: cert} if cert is not None else {(2025, "990102"): {}}
    got = _certificate_fields(cost, certs, key, budget_mode=False)
    assert list(got) == list(expected) and got == pytest.approx(expected)


def test_certificate_fields_of_a_budget_plan():
    """A budget plan: no bound or gaps; its budget, what is left (budget − cost) and the CV excess;
    a county-year without a certificate, or whose certificate has no budget, leaves them None."""
    key = (2025, "990101")
    certs = {key: {"status": "optimal", "seconds": 1.5, "budget": 200000.0, "cv_excess": 0.25}}
    none5 = {"lower_bound": None, "model_cost": None, "gap": None, "gap_optimisation": None, "gap_rounding": None}
    got = _certificate_fields(120000.0, certs, key, budget_mode=True)
    assert list(got) == [*none5, "solver_status", "solver_seconds", "budget", "budget_left", "cv_excess_after"]
    assert got == {**none5, "solver_status": "optimal", "solver_seconds": 1.5, "budget": 200000.0,
                   "budget_left": 80000.0, "cv_excess_after": 0.25}
    assert _certificate_fields(0.0, certs, (2025, "990102"), budget_mode=True) == {
        **none5, "solver_status": "not needed", "solver_seconds": None, "budget": None, "budget_left": None,
        "cv_excess_after": None}
    got = _certificate_fields(0.0, {key: {"status": "infeasible", "seconds": 3.0}}, key, budget_mode=True)
    assert got["budget"] is None and got["budget_left"] is None and got["solver_status"] == "infeasible"


def test_certificate_fields_of_the_heuristic():
    got = _certificate_fields(120000.0, None, (2025, "990101"), budget_mode=False)
    assert got == {"lower_bound": None, "model_cost": None, "gap": None, "gap_optimisation": None,
                   "gap_rounding": None, "solver_status": "heuristic", "solver_seconds": None}
    assert list(got)[-2:] == ["solver_status", "solver_seconds"]


@pytest.mark.parametrize("v, out", [(None, None), (pd.NA, None), (float("nan"), None), (np.float64("nan"), None),
                                    (3.0, 3), (np.int64(2), 2), (0, 0)])
def test_int_is_none_for_every_missing_marker(v, out):
    assert _int(v) == out and (out is None or type(_int(v)) is int)


def _items(rows):
    cols = ["year", "county_code", "school_code", "stage", "indicator", "column", "kind", "amount", "cost"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


def test_indicator_totals_split_added_and_moved_in_by_first_stage():
    """Per (year, county, indicator, first stage): amount added (kind add), moved in (transfer_in),
    distinct schools and cost over every kind; "小学、初中" counts under 小学."""
    items = _items([
        (2025, "A", "s1", "小学", "PE", "c", "add", 2.0, 240.0),
        (2025, "A", "s2", "小学", "PE", "c", "transfer_in", 1.0, 20.0),
        (2025, "A", "s3", "小学", "PE", "c", "transfer_out", 1.0, 0.0),
        (2025, "A", "s1", "小学", "PE", "c2", "teacher_total", 2.0, 0.0),
        (2025, "A", "s4", "小学、初中", "room", "r", "add", 1.0, 500.0),
        (2025, "A", "s5", "初中", "room", "r", "add", 3.0, 1500.0),
        (2025, "B", "s9", "小学", "PE", "c", "add", 0.5, 60.0)])
    got = _indicator_totals(items)
    assert got == {(2025, "A", "PE", "小学"): (2.0, 1.0, 3, 260.0), (2025, "A", "room", "小学"): (1.0, 0.0, 1, 500.0),
                   (2025, "A", "room", "初中"): (3.0, 0.0, 1, 1500.0), (2025, "B", "PE", "小学"): (0.5, 0.0, 1, 60.0)}
    assert _indicator_totals(items.iloc[0:0]) == {}


def test_cost_by_item_keeps_the_rows_with_a_cost_dearest_first():
    """Rows of cost 0 are left out (a cost of 0.5 元 is still a cost); amounts and costs summed per
    column × kind; dearest first; per county-year."""
    items = _items([
        (2025, "A", "s1", "小学", "PE", "pe", "add", 1.0, 100.0),
        (2025, "A", "s2", "小学", "PE", "pe", "add", 2.0, 200.0),
        (2025, "A", "s2", "小学", "PE", "tt", "teacher_total", 3.0, 0.0),
        (2025, "A", "s3", "小学", "room", "room", "add", 1.0, 500.0),
        (2025, "A", "s3", "小学", "PE", "pe", "transfer_in", 1.0, 0.5),
        (2025, "B", "s9", "小学", "PE", "pe", "add", 1.0, 50.0)])
    got = _cost_by_item(items)
    assert got == {(2025, "A"): [{"column": "room", "kind": "add", "amount": 1.0, "cost": 500.0},
                                 {"column": "pe", "kind": "add", "amount": 3.0, "cost": 300.0},
                                 {"column": "pe", "kind": "transfer_in", "amount": 1.0, "cost": 0.5}],
                   (2025, "B"): [{"column": "pe", "kind": "add", "amount": 1.0, "cost": 50.0}]}
    assert _cost_by_item(items.iloc[0:0]) == {} and _cost_by_item(items[items["cost"] == 0]) == {}


def test_stage_rows_without_an_after_value_are_nan():
    """An indicator the after assessment lacks, and a verdict without per-stage counts, give NaN."""
    from balance.method.standards import load_standard

    std = load_standard("quality-2017")
    ind = PRIMARY[2][0]
    v = SimpleNamespace(year=2025, county_code="A", county_name="甲")
    r = SimpleNamespace(indicator=ind, value=0.5, cv=1.0, cv_limit=0.5)
    rec = {"lower_bound": None, "total_cost": 30000.0, "gap": None}
    (row,) = _stage_rows(v, {}, "小学", [r], [], std, {(2025, "A", ind, "小学"): (1.0, 2.0, 3, 30000.0)}, rec)
    assert (row["amount"], row["transferred"], row["schools"], row["cost"]) == (1.0, 2.0, 3, 30000.0)
    assert row["column"] == "小学体育艺术专任教师数" and row["unit"] == "人" and row["county_cost_wan"] == 3.0
    for k in ("value_after", "cv_after", "sections", "sections_passed_before", "sections_passed_after",
              "lower_bound_wan", "gap"):
        assert isinstance(row[k], float) and math.isnan(row[k]), k
    (row,) = _stage_rows(v, {}, "小学", [r], [], std, {}, rec)
    assert (row["amount"], row["transferred"], row["schools"], row["cost"]) == (0.0, 0.0, 0, 0.0)
