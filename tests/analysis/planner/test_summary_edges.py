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
