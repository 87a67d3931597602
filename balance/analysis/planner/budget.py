"""A fixed budget: the additions that do the most within it (``balance plan --budget 万元``).

Objective (lexicographic, by weights in one mixed-integer cone programme, the model of
:mod:`balance.analysis.planner.optimal` with two changes):

1. **sections brought to standard** — a binary :math:`\\pi_i` per failing section switches its
   school-rule constraints on (:math:`y_{i,k} \\ge s_k(1-0.15 z_{i,k}) - s_k(1-\\pi_i)`); maximise
   :math:`\\sum_i \\pi_i` (weight 1000);
2. then **CV excess removed** — each CV constraint becomes
   :math:`\\lVert(\\sqrt{p_i}(y_i-\\bar Y))\\rVert_2 \\le t\\bar Y + e`, :math:`e \\ge 0` (the pupil-weighted
   SD above what the limit allows, in units of the indicator's standard); minimise :math:`\\sum e`;
3. subject to :math:`\\sum` unit price × quantity ≤ budget (元 = 万元 × 10 000), with areas and
   equipment whole multiples of their resolution so the written plan never exceeds the budget.

A second solve then keeps what the first achieved (as many sections brought to standard, no more CV
excess) and minimises the cost: the money term of the weighted objective alone is far below SCIP's
gap, and a plan used to spend the rest of the budget on additions that count for nothing.

The budget applies to **each county-year planned** (select one with ``county`` / ``year``). What
remains unmet is in ``Plan.notes`` and ``plan_summary.json`` (``after.failing_items``,
``cv_excess_after``, ``budget_left``).

SCIP stops this harder programme after ``optimal.BUDGET_NODE_LIMIT`` branch-and-bound nodes (status
``nodelimit``; deterministic, so the plan does not depend on the machine's load), with the 20 s
``optimal.TIME_LIMIT`` only as a safety net.
"""
from __future__ import annotations

from balance.errors import InputError, Problem

__all__ = ["budget_plan"]


def budget_plan(assessment_or_table, budget_wan: float, standard="quality-2017", costs=None,
                county: str | None = None, year: int | None = None, transfers: bool = False):
    """The plan that does the most within ``budget_wan`` 万元 (per county-year); see the module text.

    Raises
    ------
    InputError
        ``budget_wan`` is not a finite number ≥ 0, or the usual input errors of :func:`plan`.
    """
    import math

    from balance.analysis.planner.planning import plan

    ok = isinstance(budget_wan, (int, float)) and not isinstance(budget_wan, bool) and math.isfinite(budget_wan) \
        and budget_wan >= 0
    if not ok:
        raise InputError([Problem(file="--budget", column="--budget", value=str(budget_wan), code="budget_invalid",
                                  problem_zh="预算必须是不小于0的数字（万元）",
                                  problem_en="the budget must be a number ≥ 0 (万元)")], "预算有误", "invalid budget")
    # when the least-cost plan fits, it is the answer (the weighted objective alone could spend the
    # rest of the budget on nothing that counts)
    full = plan(assessment_or_table, standard, costs=costs, transfers=transfers, county=county, year=year)
    if full.feasible and all(c["total_cost"] <= budget_wan * 1e4 + 1e-6 for c in full.counties):
        for c in full.counties:
            c["budget"] = float(budget_wan) * 1e4
            c["budget_left"] = c["budget"] - c["total_cost"]
        return full
    return plan(assessment_or_table, standard, costs=costs, transfers=transfers, county=county, year=year,
                budget_wan=float(budget_wan))
