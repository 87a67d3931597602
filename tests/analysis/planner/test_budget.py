"""Plans within a fixed budget (issue 13 §3): never above the budget, the full plan when it fits."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balance.analysis.planner import plan_schools
from balance.analysis.planner.budget import budget_plan
from balance.errors import InputError
from tests.analysis.planner.test_optimal import FAST, Q, counties


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True, phases=FAST)
@given(counties(), st.floats(0.0, 1.3))
def test_budget_plan_never_exceeds_the_budget_and_uses_the_full_plan_when_it_fits(t, frac):
    full = plan_schools(t, Q)
    budget_wan = full.total_cost / 1e4 * frac
    p = budget_plan(t, budget_wan)
    assert p.total_cost <= budget_wan * 1e4 + 1e-6
    before = p.counties[0]["before"]["sections_passed"]
    assert p.counties[0]["after"]["sections_passed"] >= before  # never worse than doing nothing
    if full.total_cost <= budget_wan * 1e4:
        assert p.feasible and p.total_cost == pytest.approx(full.total_cost)
    elif full.total_cost > 0:
        assert p.counties[0]["budget_left"] >= -1e-6


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_budget_must_be_a_finite_number_at_least_zero(bad):
    from tests.factories import primary, table

    with pytest.raises(InputError) as e:
        budget_plan(table(primary("1", 100), primary("2", 100)), bad)
    assert [q.code for q in e.value.problems] == ["budget_invalid"]
