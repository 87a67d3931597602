"""The optimiser's objective in 万元 (``optimal_model``): an edge the mutation run (round 5) found
unwatched. The plans' own costs are summed from the records (元), so an objective term scaled by
SCALE² (``kappa * SCALE`` instead of ``kappa / SCALE``) went unseen; the certificate's model cost
(SCIP's objective × SCALE) shows it.

Hand-computed counties: three primary schools of 200 pupils (method as in
``tests/analysis/test_planner.py``):
- teachers: school 1 with 6 qualified teachers → 2 whole hires of 120 000 元 = 240 000 元;
- facilities: school 1 with 1 200 ㎡ of teaching area (6 ㎡ per pupil) and nothing else short.
"""
from __future__ import annotations

import pytest

from balance.analysis.planner import plan_schools
from balance.method.standards import load_standard
from tests.factories import primary, table

Q = load_standard("quality-2017")


def _cert(p):
    (c,) = p.counties
    return c


def test_the_model_cost_of_whole_hires_is_their_cost():
    # kills `pg.obj.append(kappa * SCALE * h)` in _teacher_increment (model cost 1e8 × too high)
    p = plan_schools(table(primary("1", 200, qualified=6), primary("2", 200), primary("3", 200)), Q)
    c = _cert(p)
    assert p.total_cost == 240_000
    assert c["model_cost"] == pytest.approx(240_000) and c["gap_rounding"] == pytest.approx(0.0, abs=1e-9)


def test_the_model_cost_of_a_facility_addition_is_at_most_its_rounded_cost():
    # kills `pg.obj.append(kappa * SCALE * v)` in _facility_increment: the continuous optimum costs
    # no more than the plan rounded up to the resolution, and no less than the bound
    p = plan_schools(table(primary("1", 200, teaching_area=200 * 3.0), primary("2", 200), primary("3", 200)), Q)
    c = _cert(p)
    assert p.total_cost > 0 and set(p.items.loc[p.items["kind"] == "add", "field"]) == {"teaching_area"}
    assert c["lower_bound"] - 1e-6 <= c["model_cost"] <= p.total_cost + 1e-6
    assert 0.0 <= c["gap_optimisation"] <= 0.01
    # optimal._read_solution: a facility addition names no counterpart school ("" → "XXXX")
    assert (p.items.loc[p.items["kind"] == "add", "counterpart"].fillna("") == "").all()


def test_one_whole_hire_is_read_back_and_records_carry_no_counterpart():
    # optimal._read_solution: kills `amt > 1` (a single hire dropped: the repair rounds never pass) and
    # the add records' counterpart "" → "XXXX" (only rotations name a counterpart school).
    # School 1 with 7 qualified teachers: 7·100/200 = 3.5 < 0.85·4.2 = 3.57 → 7.14 → 8: one hire.
    p = plan_schools(table(primary("1", 200, qualified=7), primary("2", 200), primary("3", 200)), Q)
    add = p.items[p.items["kind"] == "add"]
    assert p.feasible and p.total_cost == 120_000 and add["amount"].tolist() == [1]
    assert (add["counterpart"].fillna("") == "").all()


def test_the_solver_status_is_reported():
    # kills `status = None` in _solve_with_lazy_cones and `_certificate(pg, sol, None, …)` in solve_county
    p = plan_schools(table(primary("1", 200, qualified=6), primary("2", 200), primary("3", 200)), Q)
    assert _cert(p)["solver_status"] in {"optimal", "gaplimit"}


def test_a_budget_reaches_the_programme():
    # kills solve_county's `_Programme(m, df, secs, std, None)`: the budget (12 万元, half of the
    # 240 000 元 plan) must cap what is bought
    p = plan_schools(table(primary("1", 200, qualified=6), primary("2", 200), primary("3", 200)), Q, budget_wan=12)
    assert p.method == "budget" and p.total_cost <= 120_000 and not p.feasible  # 1 hire cannot pass: none bought


def test_the_optimiser_rotates_and_keeps_a_donor_above_its_subsets():
    # optimal_model._add_transfer_rules, the cases of test_transfers_edges.py solved by the optimiser:
    # PE/art 0, 1, 2 per 100 pupils — school 1 takes one teacher from school 3 (20 000 元); but when
    # school 3 has 5 teachers, all 5 qualified, giving one would leave 4 < 5 qualified: a hire instead
    # (120 000 元). Kills the subset constraint's sign mutants and the donor-delta mutants.
    def rows(p):
        return sorted(zip(p.items["school_code"], p.items["kind"], p.items["amount"]))

    p = plan_schools(table(primary("1", 100, pe_art=0), primary("2", 100, pe_art=1), primary("3", 100, pe_art=2)),
                     Q, transfers=True)
    assert p.feasible and p.total_cost == 20_000
    assert rows(p) == [("9999999991", "teacher_total", 1), ("9999999991", "transfer_in", 1),
                       ("9999999993", "teacher_total", -1), ("9999999993", "transfer_out", -1)]
    p = plan_schools(table(primary("1", 100, pe_art=0), primary("2", 100, pe_art=1),
                           primary("3", 100, pe_art=2, teachers=5, qualified=5)), Q, transfers=True)
    assert p.feasible and p.total_cost == 120_000
    assert rows(p) == [("9999999991", "add", 1), ("9999999991", "teacher_total", 1)]
