"""The least-cost plan as a mixed-integer second-order-cone programme, solved by SCIP.

What is optimised
-----------------
For one county and year, the decision variables are what a bureau actually buys — additions to
each school's **own input columns** (method.md §1):

* facilities (教学及辅助用房面积 ㎡, 体育运动场地面积 ㎡, 教学仪器设备值 元, 网络多媒体教室 间):
  one addition :math:`A_{s,k} \\ge 0` per school *s* and indicator *k*, bought once for the school;
  each in-scope section *i* of the school receives :math:`\\mathrm{share}_i\\,A_{s,k}` (its
  facility share: 九年一贯制 A/(A+1.1B) …, 完全中学 B/(B+1.2C)). A 完全中学 junior section with
  share 0.6 needs 1/0.6 school-level ㎡ per section ㎡ — the optimiser sees that price.
* teachers per stage (高于规定学历, 骨干, 体育艺术): :math:`T_{i,k} \\in \\mathbb Z_{\\ge 0}` hires per
  section (never split); with ``transfers`` also :math:`I_{i,k}, O_{i,k} \\in \\mathbb Z_{\\ge 0}`
  teachers moved in / out, :math:`\\sum_i I_{i,k} = \\sum_i O_{i,k}` per county, stage and type.

The section value is linear in the variables,
:math:`y_{i,k} = x_{i,k} + c_k\\,\\mathrm{per}_k\\,(\\mathrm{share}_i A_{s(i),k} \\text{ or } T_{i,k}+I_{i,k}-O_{i,k})/P_i`
(:math:`c_k` the field's coefficient in the numerator, :math:`P_i` the section's pupils).

Objective (元): :math:`\\sum_{s,k}\\kappa_k A_{s,k} + \\sum_{i,k}(\\kappa_k T_{i,k} + \\tau I_{i,k})`,
:math:`\\kappa` the unit costs of ``costs.yaml`` (teachers × ``teacher_years``), :math:`\\tau` the
cost of one rotation. **"Least-cost" means exactly this**: the smallest sum of unit price ×
quantity added (plus rotations) over all additions that make the county pass resource allocation
(every in-scope section passes the school rule, every CV within its limit), at the given prices.

Constraints
-----------
* School rule (6 of 7, the 7th ≥ 85 %): binaries :math:`z_{i,k}` for the indicators where section
  *i* is below standard, :math:`\\sum_k z_{i,k} \\le 7 - 6`,
  :math:`y_{i,k} \\ge s_k\\,(1 - (1 - 0.85)\\,z_{i,k})` — the optimiser chooses the exemption.
* County rule per stage and indicator, the pupil-weighted CV (method.md §4) as a second-order cone:
  with :math:`p_i = P_i/P` and :math:`\\bar Y = \\sum p_i y_i`,
  :math:`\\lVert(\\sqrt{p_i}\\,(y_i - \\bar Y))_i\\rVert_2 \\le t\\,\\bar Y`, *t* = limit − ``MARGIN``.
* With transfers: a donor keeps its stage total ≥ each teacher subset
  (:math:`\\text{total}_i + \\sum_k \\Delta_{i,k} \\ge \\text{subset}_{i,k} + \\Delta_{i,k}`).

Integers: teachers and rooms (whole units). Areas and equipment are continuous in the model and
rounded **up** to ``resolution`` (1 ㎡, 100 元 by default) afterwards.

Certificate
-----------
SCIP (a maintained branch-and-bound MINLP solver; convex cones are outer-approximated, so its dual
bound is a valid lower bound) is run to a relative gap of ``GAP`` (default 1e-4) or a node limit
(``NODE_LIMIT``, ``BUDGET_NODE_LIMIT``: deterministic, so two runs give the same plan whatever the
machine's load), with ``TIME_LIMIT`` only as a safety net. Per county-year:

* ``lower_bound`` — SCIP's dual bound (元): no plan meeting the modelled limits costs less;
* ``model_cost`` — the best solution's objective before rounding;
* ``cost`` — the plan's cost after rounding up and any repair round;
* ``gap = (cost − lower_bound)/cost``, split into ``gap_optimisation = (model_cost − lower_bound)/cost``
  and ``gap_rounding = (cost − model_cost)/cost``.

The modelled CV limit is tighter than the official one by ``MARGIN`` (1e-5) so that rounding and
CSV round trips cannot tip a CV over; the bound is therefore the bound at limit − 1e-5 (the
difference is of that relative order). Every plan is re-assessed with the full official method.

Code: :func:`solve_county` builds the programme (:mod:`balance.analysis.planner.optimal_model`:
variables and increments per indicator, school rule, cones, transfer rules, objective), solves it
(:func:`_solve_with_lazy_cones`) and reads the plan back (:func:`_read_solution`, :func:`_certificate`).
"""
from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd

from balance.analysis.planner.optimal_model import (  # noqa: F401  (MARGIN, TEACHER_SUBSETS: public here)
    MARGIN,
    SCALE,
    TEACHER_SUBSETS,
    _add_cv_cone,
    _add_indicator,
    _add_school_rule,
    _add_transfer_rules,
    _cv,
    _initial_cones,
    _Programme,
    _set_objective,
)

#: Relative optimality gap at which SCIP stops.
GAP = 1e-4
#: Time limit per county-year (s): only a safety net now (the node limits below end a solve first
#: on an ordinary machine); a solve it stops depends on the machine's load (status "timelimit").
TIME_LIMIT = 20.0
#: Branch-and-bound nodes per SCIP solve (``limits/nodes``) of a least-cost plan: a deterministic
#: limit, so a plan is the same on an idle and on a loaded machine (the demo's solves take 0–1 node).
NODE_LIMIT = 2000
#: The same for a budget plan (``budget`` given): its programme is much harder (one binary per
#: section passing) and never reached its gap in 20 s; on the demo (990101, 2021, 500 万元) 10 nodes
#: take ≈ 4 s on a loaded 2-core machine and leave as many sections failing as 100 nodes (≈ 19 s).
BUDGET_NODE_LIMIT = 10

__all__ = ["MARGIN", "GAP", "TIME_LIMIT", "NODE_LIMIT", "BUDGET_NODE_LIMIT", "solve_county", "Certificate"]


class Certificate(dict):
    """Per county-year: ``lower_bound``, ``model_cost``, ``status``, ``seconds``, ``nodes`` (元, s)."""


def _round_up(v: float, whole: bool, step: float) -> float:
    v = max(float(v), 0.0)
    if v <= 1e-9:
        return 0.0
    if whole:
        return float(math.ceil(v - 1e-6))
    if step > 0:
        q = v / step
        if q < 1e-6:  # solver noise (SCIP's tolerance is 1e-6), not a purchase of one step
            return 0.0
        return float(math.ceil(q - 1e-9 * max(1.0, q))) * step
    return v


def solve_county(df: pd.DataFrame, secs: pd.DataFrame, std, costs, transfers: bool = False,
                 gap: float = GAP, time_limit: float = TIME_LIMIT, budget: float | None = None,
                 node_limit: int | None = None):
    """Optimal additions for one county-year.

    Parameters
    ----------
    df : DataFrame
        The county-year's canonical school rows (positions 0..n−1 are the ``_row`` of the records).
    secs : DataFrame
        Its in-scope sections with indicator values (``Assessment.sections``).
    std, costs
        The standard (school rule, CV limits) and unit costs.
    budget : float, optional
        元. Instead of the least cost of passing, do the most within ``budget`` (see
        :mod:`balance.analysis.planner.budget` for the objective). Areas and equipment are then whole
        multiples of their resolution in the model, so the rounded plan never exceeds the budget.
    gap, time_limit, node_limit
        When SCIP stops: relative gap ``GAP``, ``TIME_LIMIT`` seconds (a safety net: where it stops
        a solve, the plan depends on the machine's load) and ``node_limit`` branch-and-bound nodes
        per solve (deterministic; default ``NODE_LIMIT``, or ``BUDGET_NODE_LIMIT`` with a budget).
        The certificate's ``status`` says which one stopped it (``optimal``/``gaplimit``,
        ``timelimit``, ``nodelimit``).

    Returns
    -------
    (records, Certificate)
        ``records`` has the columns of the heuristic's rounds (``_row, column_field, field, indicator,
        stage, kind, amount, unit_cost, counterpart``), amounts already rounded up.
    """
    from pyscipopt import Model

    t0 = time.perf_counter()
    K = len(std.indicators)
    m = Model("balance-plan")
    m.hideOutput()
    m.setParam("limits/gap", gap)
    m.setParam("limits/time", time_limit)
    if node_limit is None:
        node_limit = NODE_LIMIT if budget is None else BUDGET_NODE_LIMIT
    m.setParam("limits/nodes", int(node_limit))
    m.setParam("numerics/feastol", 1e-7)
    pg = _Programme(m, df, secs, std, budget)
    for k, ind in enumerate(std.indicators):
        _add_indicator(pg, k, ind, costs, std.school_rule, transfers)
    if std.school_rule is not None:
        _add_school_rule(pg, K - std.school_rule.min_met, std.school_rule.floor_ratio, K)
    pending = _initial_cones(pg, K)
    if transfers:
        _add_transfer_rules(pg, df, std, K)
    _set_objective(pg)
    t_build = time.perf_counter() - t0
    status, sol = _solve_with_lazy_cones(pg, pending)
    if budget is not None:
        status, sol = _spend_least(pg, sol)
    records = _read_solution(pg, sol, df, costs.transfer_cost)
    cert = _certificate(pg, sol, status, t0, t_build)
    rec = pd.DataFrame(records, columns=["_row", "column_field", "field", "indicator", "stage", "kind", "amount",
                                         "unit_cost", "counterpart"])
    return rec, cert


def _solve_with_lazy_cones(pg: _Programme, pending: list):
    """Optimise; while the best solution puts a pending CV over its target, add that cone and
    re-optimise (the final model holds every cone the optimum needs, so the bound stays valid).
    Returns ``(status, best solution)``; raises RuntimeError when SCIP found no plan."""
    m = pg.m
    m.optimize()
    for _ in range(len(pending) + 1):
        if m.getNSols() == 0:
            break
        sol = m.getBestSol()
        over = []
        for stage, k in pending:
            idx = pg.stage_idx[stage]
            y = np.array([pg.expr[(i, k)][0] + sum(c * m.getSolVal(sol, v) for v, c in pg.terms[(i, k)])
                          for i in idx])
            if not _cv(pg.P_all[idx], y) <= pg.targets[stage]:
                over.append((stage, k))
        if not over:
            break
        m.freeTransform()
        for sk in over:
            _add_cv_cone(pg, *sk)
            pending.remove(sk)
        m.optimize()
    status = m.getStatus()
    if m.getNSols() == 0:
        raise RuntimeError(f"SCIP found no plan ({status})")
    return status, m.getBestSol()


def _spend_least(pg: _Programme, sol):
    """Budget mode, second solve: the least cost that keeps what the first achieved (as many sections
    brought to standard, no more CV excess). The weighted objective's money term (1e-9 per 万元) is far
    below SCIP's gap (1e-4 of 1000 per section brought to standard): alone it let a plan spend the rest
    of the budget on additions that count for nothing. The first solution stays a feasible start."""
    from pyscipopt import quicksum

    m = pg.m
    passes = round(sum(m.getSolVal(sol, v) for v in pg.passes))
    excess = sum(m.getSolVal(sol, v) for v in pg.excess)
    m.freeTransform()
    if pg.passes:
        m.addCons(quicksum(pg.passes) >= passes)
    if pg.excess:
        m.addCons(quicksum(pg.excess) <= excess + 1e-6)
    m.setObjective(quicksum(pg.obj), "minimize")
    m.optimize()
    if m.getNSols() == 0:
        raise RuntimeError(f"SCIP found no plan ({m.getStatus()})")
    return m.getStatus(), m.getBestSol()


def _read_solution(pg: _Programme, sol, df: pd.DataFrame, tc: float) -> list[tuple]:
    """The plan's records ``(_row, column_field, field, indicator, stage, kind, amount, unit_cost,
    counterpart)``: facility additions (one per stage the school's addition serves), hires, and
    rotations paired donor by donor; amounts rounded up (:func:`_round_up`)."""
    m = pg.m
    records = []
    for (r, k), (v, col, fld, ind_name, kappa, whole, step, stages) in pg.fac_vars.items():
        amt = _round_up(m.getSolVal(sol, v), whole, step)
        if amt > 0:
            for stage in sorted(set(stages), key=["小学", "初中"].index):
                records.append((r, col, fld, ind_name, stage, "add", amt, kappa, ""))
    moves: dict = {}
    for (i, k), (h, mv, col, fld, ind_name, kappa) in pg.tvars.items():
        r, stage = pg.rows_all[i], pg.sec_stage[i]
        amt = _round_up(m.getSolVal(sol, h), True, 0)
        if amt > 0:
            records.append((r, col, fld, ind_name, stage, "add", amt, kappa, ""))
        if mv is not None:
            vin = _round_up(m.getSolVal(sol, mv[0]), True, 0)
            vout = _round_up(m.getSolVal(sol, mv[1]), True, 0)
            net = vin - vout
            if net:
                moves.setdefault((stage, col, fld, ind_name), []).append((r, net))
    records.extend(_pair_transfers(moves, df, tc))
    return records


def _pair_transfers(moves: dict, df: pd.DataFrame, tc: float) -> list[tuple]:
    """Net rotations per (stage, column, field, indicator) matched receiver by receiver with the
    donors in order: one ``transfer_in`` (cost ``tc`` each) and one ``transfer_out`` record per pair."""
    records = []
    for (stage, col, fld, ind_name), lst in moves.items():
        ins = [[r, n] for r, n in lst if n > 0]
        outs = [[r, -n] for r, n in lst if n < 0]
        for rin in ins:
            while rin[1] > 0 and outs:
                d = outs[0]
                q = min(rin[1], d[1])
                dcode, rcode = df.at[d[0], "school_code"], df.at[rin[0], "school_code"]
                records.append((rin[0], col, fld, ind_name, stage, "transfer_in", q, tc, dcode))
                records.append((d[0], col, fld, ind_name, stage, "transfer_out", -q, 0.0, rcode))
                rin[1] -= q
                d[1] -= q
                if d[1] == 0:
                    outs.pop(0)
    return records


def _certificate(pg: _Programme, sol, status, t0: float, t_build: float) -> Certificate:
    """SCIP's dual bound and the best objective (元; ``None`` in budget mode, which reports the
    budget, the sections still failing and the CV excess instead), status, nodes and times."""
    m = pg.m
    if pg.budget is None:
        bound = max(float(m.getDualbound()), 0.0) * SCALE
        model_cost = float(m.getSolObjVal(sol)) * SCALE
        extra = {}
    else:
        bound = model_cost = None
        extra = {"budget": float(pg.budget),
                 "sections_failing_after": int(sum(m.getSolVal(sol, v) < 0.5 for v in pg.passes)),
                 "cv_excess": float(sum(m.getSolVal(sol, v) for v in pg.excess))}
    return Certificate(lower_bound=bound, model_cost=model_cost, status=str(status), **extra,
                       seconds=time.perf_counter() - t0, nodes=int(m.getNNodes()),
                       build_seconds=t_build, solve_seconds=float(m.getSolvingTime()))
