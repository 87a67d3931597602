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
bound is a valid lower bound) is run to a relative gap of ``GAP`` (default 1e-4). Per county-year:

* ``lower_bound`` — SCIP's dual bound (元): no plan meeting the modelled limits costs less;
* ``model_cost`` — the best solution's objective before rounding;
* ``cost`` — the plan's cost after rounding up and any repair round;
* ``gap = (cost − lower_bound)/cost``, split into ``gap_optimisation = (model_cost − lower_bound)/cost``
  and ``gap_rounding = (cost − model_cost)/cost``.

The modelled CV limit is tighter than the official one by ``MARGIN`` (1e-5) so that rounding and
CSV round trips cannot tip a CV over; the bound is therefore the bound at limit − 1e-5 (the
difference is of that relative order). Every plan is re-assessed with the full official method.
"""
from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd

from balance.method import official
from balance.method.dispersion import pupil_weighted_cv
from balance.schema import FACILITY_COLUMNS, STAGE_COLUMNS

#: CV target = limit − MARGIN in the model (rounding/CSV safety).
MARGIN = 1e-5
#: Relative optimality gap at which SCIP stops.
GAP = 1e-4
#: Time limit per county-year (s); the certificate reports whatever gap was reached.
TIME_LIMIT = 20.0
TEACHER_SUBSETS = ("qualified_teachers", "backbone_teachers", "pe_art_teachers", "titled_teachers")

__all__ = ["MARGIN", "GAP", "solve_county", "Certificate"]


class Certificate(dict):
    """Per county-year: ``lower_bound``, ``model_cost``, ``status``, ``seconds``, ``nodes`` (元, s)."""


def _cv(P: np.ndarray, y: np.ndarray) -> float:
    """Pupil-weighted CV (method.md §4) by the one kernel; +inf when the mean is not positive
    (undefined counts as failing)."""
    cv = pupil_weighted_cv(y, P)
    return cv if cv >= 0 else math.inf


def _round_up(v: float, whole: bool, step: float) -> float:
    v = max(float(v), 0.0)
    if v <= 1e-9:
        return 0.0
    if whole:
        return float(math.ceil(v - 1e-6))
    if step > 0:
        q = v / step
        return float(math.ceil(q - 1e-9 * max(1.0, q))) * step
    return v


def solve_county(df: pd.DataFrame, secs: pd.DataFrame, std, costs, transfers: bool = False,
                 gap: float = GAP, time_limit: float = TIME_LIMIT, budget: float | None = None):
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

    Returns
    -------
    (records, Certificate)
        ``records`` has the columns of the heuristic's rounds (``_row, column_field, field, indicator,
        stage, kind, amount, unit_cost, counterpart``), amounts already rounded up.
    """
    from pyscipopt import Model, quicksum

    t0 = time.perf_counter()
    row_of = {c: i for i, c in enumerate(df["school_code"])}
    rule = std.school_rule
    limits = std.cv_limit if (std.cv_limit and std.county_rule.each_cv_within_limit) else {}
    K = len(std.indicators)
    m = Model("balance-plan")
    m.hideOutput()
    m.setParam("limits/gap", gap)
    m.setParam("limits/time", time_limit)
    m.setParam("numerics/feastol", 1e-7)
    tc = costs.transfer_cost
    fac_vars: dict = {}      # (row, k) -> (var, column, field, indicator, unit_cost, whole, step, stages)
    tvars: dict = {}         # (sec idx, k) -> (hire, in, out) and meta
    obj = []
    scale = 1e4              # objective in 万元 for the solver's numerics
    secs = secs.reset_index(drop=True)
    sec_stage = secs["stage"].to_numpy()
    P_all = secs["students"].to_numpy(dtype="float64")
    rows_all = secs["school_code"].map(row_of).to_numpy()
    expr = {}                # (i, k) -> (x, linear expression of the increment in section value / s_k)
    terms = {}               # (i, k) -> [(var, coefficient)] of that expression (to evaluate a solution)
    targets = {st: float(limits[st]) - MARGIN for st in std.stages if limits and limits.get(st) is not None}
    stage_idx = {st: np.nonzero(sec_stage == st)[0] for st in std.stages}
    share_all = secs["facility_share"].to_numpy(dtype="float64")
    met_by_k: dict = {}
    for k, ind in enumerate(std.indicators):
        fld = ind.main_field
        coef = float(ind.numerator.get(fld, 1.0))
        facility = fld in FACILITY_COLUMNS
        whole = bool(ind.whole_units or fld == "multimedia_rooms")
        step = costs.step(fld)
        x_all = secs[ind.name].to_numpy(dtype="float64")
        # an indicator nobody is below and whose CVs are within target needs nothing: its column
        # feeds no other indicator, so every optimal plan adds 0 to it (exact reduction)
        s_arr = np.array([float((ind.standard or {}).get(st, np.nan)) for st in sec_stage])
        with np.errstate(invalid="ignore"):
            norm_arr = np.where(np.isfinite(s_arr) & (s_arr > 0), s_arr, np.maximum(np.abs(x_all), 1.0))
        # "already at the standard" for the school rule below, once per indicator (as the scalars there)
        met_by_k[k] = official.at_least(x_all / norm_arr, s_arr / norm_arr)
        active = bool(rule is not None and (np.isfinite(s_arr) & ~official.at_least(x_all, s_arr)).any())
        for st, idx in stage_idx.items():
            if st in targets and len(idx) > 1 and not _cv(P_all[idx], x_all[idx]) <= targets[st]:
                active = True
        for i in range(len(secs)):
            stage = sec_stage[i]
            s_k = float((ind.standard or {}).get(stage, np.nan))
            norm = s_k if (math.isfinite(s_k) and s_k > 0) else max(abs(x_all[i]), 1.0)
            if not active:
                expr[(i, k)] = (x_all[i] / norm, 0.0, s_k / norm if math.isfinite(s_k) else None)
                terms[(i, k)] = []
                continue
            if facility:
                r = rows_all[i]
                key = (r, k)
                if key not in fac_vars:
                    kappa = costs.unit_cost(fld, stage)
                    if budget is not None and not whole and step > 0:   # A = step · n, n whole
                        n_ = m.addVar(f"N_{r}_{k}", vtype="I", lb=0.0)
                        v = m.addVar(f"A_{r}_{k}", vtype="C", lb=0.0)
                        m.addCons(v == step * n_)
                    else:
                        v = m.addVar(f"A_{r}_{k}", vtype="I" if whole else "C", lb=0.0)
                    fac_vars[key] = [v, fld, fld, ind.name, kappa, whole, step, []]
                    obj.append(kappa / scale * v)
                fac_vars[key][7].append(stage)
                g = float(share_all[i]) * coef * ind.per / P_all[i] / norm
                inc = g * fac_vars[key][0]
                terms[(i, k)] = [(fac_vars[key][0], g)]
            else:
                kappa = costs.unit_cost(fld, stage)
                h = m.addVar(f"T_{i}_{k}", vtype="I", lb=0.0)
                obj.append(kappa / scale * h)
                g = coef * ind.per / P_all[i] / norm
                inc = g * h
                terms[(i, k)] = [(h, g)]
                mv = None
                if transfers and fld in ("qualified_teachers", "backbone_teachers", "pe_art_teachers"):
                    vi = m.addVar(f"I_{i}_{k}", vtype="I", lb=0.0)
                    vo = m.addVar(f"O_{i}_{k}", vtype="I", lb=0.0)
                    obj.append(tc / scale * vi)
                    inc = g * (h + vi - vo)
                    terms[(i, k)] = [(h, g), (vi, g), (vo, -g)]
                    mv = (vi, vo)
                tvars[(i, k)] = (h, mv, STAGE_COLUMNS[stage][fld], fld, ind.name, kappa)
            expr[(i, k)] = (x_all[i] / norm, inc, s_k / norm if math.isfinite(s_k) else None)
    # school rule with the exemption as binaries
    passes: list = []
    excess: list = []
    if rule is not None:
        allowed = K - rule.min_met
        floor = rule.floor_ratio
        for i in range(len(secs)):
            zs = []
            ok = None   # budget mode: 1 when the section is brought to (or kept at) the standard
            for k in range(K):
                x, inc, s = expr[(i, k)]
                gives = any(c < 0 for _, c in terms[(i, k)])   # a possible donor of transfers
                if s is None or (met_by_k[k][i] and not gives):
                    continue
                relax = 0.0
                if budget is not None:
                    if ok is None:
                        ok = m.addVar(f"pass_{i}", vtype="B")
                        passes.append(ok)
                    relax = s * (1 - ok)
                if allowed > 0:
                    z = m.addVar(f"z_{i}_{k}", vtype="B")
                    zs.append(z)
                    m.addCons(x + inc >= s - (1 - floor) * s * z - relax)
                else:
                    m.addCons(x + inc >= s - relax)
            if len(zs) > allowed:
                m.addCons(quicksum(zs) <= allowed)
    # CV per stage and indicator: a second-order cone, added lazily — first where the CV is near
    # or over its target, then wherever the solution pushes one over (additions for the school rule
    # can raise a CV); the final model holds every cone the optimum needs, so the bound stays valid
    def add_cv(stage, k):
        idx = stage_idx[stage]
        t = targets[stage]
        p = P_all[idx] / P_all[idx].sum()
        ys = [expr[(i, k)][0] + expr[(i, k)][1] for i in idx]
        mean = quicksum(float(pj) * y for pj, y in zip(p, ys))
        devs = []
        for pj, y in zip(p, ys):
            w = m.addVar(lb=None, ub=None)
            m.addCons(w == math.sqrt(pj) * (y - mean))
            devs.append(w)
        mu = m.addVar(lb=0.0)
        if budget is not None:   # soft: e = the SD above what the limit allows (in units of the standard)
            e = m.addVar(f"e_{stage}_{k}", lb=0.0)
            excess.append(e)
            m.addCons(mu == t * mean + e)
        else:
            m.addCons(mu == t * mean)
        m.addCons(quicksum(w * w for w in devs) <= mu * mu)

    pending = []
    for stage, idx in stage_idx.items():
        if stage not in targets or len(idx) < 2:
            continue
        for k in range(K):
            if not any(terms[(i, k)] for i in idx):
                continue          # nothing can change: the CV stays as it is
            x0 = np.array([expr[(i, k)][0] for i in idx])
            if budget is not None or _cv(P_all[idx], x0) > targets[stage] - 0.1:
                add_cv(stage, k)
            else:
                pending.append((stage, k))
    # with transfers: conservation per stage and type, donors keep totals ≥ every subset
    if transfers:
        for stage in std.stages:
            for k in range(K):
                mvs = [tvars[(i, k)][1] for i in range(len(secs)) if sec_stage[i] == stage and (i, k) in tvars
                       and tvars[(i, k)][1] is not None]
                if mvs:
                    m.addCons(quicksum(a for a, _ in mvs) == quicksum(b for _, b in mvs))
        for i in range(len(secs)):
            stage = sec_stage[i]
            cols = STAGE_COLUMNS[stage]
            r = rows_all[i]
            delta = {}
            for k in range(K):
                if (i, k) in tvars:
                    h, mv, col, fld, _, _ = tvars[(i, k)]
                    delta[fld] = h + (mv[0] - mv[1] if mv is not None else 0)
            if not any(tvars[(i, k)][1] is not None for k in range(K) if (i, k) in tvars):
                continue
            total = float(df.at[r, cols["teachers"]])
            dsum = quicksum(delta.values())
            for fld in TEACHER_SUBSETS:
                if fld not in cols:
                    continue
                v = df.at[r, cols[fld]]
                if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                    continue
                m.addCons(total + dsum >= float(v) + (delta.get(fld, 0)))
    if budget is None:
        m.setObjective(quicksum(obj), "minimize")
    else:
        # lexicographic by weights: sections brought to standard first, then CV excess removed,
        # then (a tie-break worth < 1e-3 of one CV unit) the money left over
        m.addCons(quicksum(obj) <= budget / scale)
        m.setObjective(-1e3 * quicksum(passes) + quicksum(excess) + 1e-9 * quicksum(obj), "minimize")
    t_build = time.perf_counter() - t0
    m.optimize()
    for _ in range(len(pending) + 1):
        if m.getNSols() == 0:
            break
        sol = m.getBestSol()
        over = []
        for stage, k in pending:
            idx = stage_idx[stage]
            y = np.array([expr[(i, k)][0] + sum(c * m.getSolVal(sol, v) for v, c in terms[(i, k)]) for i in idx])
            if not _cv(P_all[idx], y) <= targets[stage]:
                over.append((stage, k))
        if not over:
            break
        m.freeTransform()
        for sk in over:
            add_cv(*sk)
            pending.remove(sk)
        m.optimize()
    status = m.getStatus()
    if m.getNSols() == 0:
        raise RuntimeError(f"SCIP found no plan ({status})")
    sol = m.getBestSol()
    if budget is None:
        bound = max(float(m.getDualbound()), 0.0) * scale
        model_cost = float(m.getSolObjVal(sol)) * scale
    else:
        bound = model_cost = None
    records = []
    for (r, k), (v, col, fld, ind_name, kappa, whole, step, stages) in fac_vars.items():
        amt = _round_up(m.getSolVal(sol, v), whole, step)
        if amt > 0:
            for stage in sorted(set(stages), key=["小学", "初中"].index):
                records.append((r, col, fld, ind_name, stage, "add", amt, kappa, ""))
    moves: dict = {}
    for (i, k), (h, mv, col, fld, ind_name, kappa) in tvars.items():
        r, stage = rows_all[i], sec_stage[i]
        amt = _round_up(m.getSolVal(sol, h), True, 0)
        if amt > 0:
            records.append((r, col, fld, ind_name, stage, "add", amt, kappa, ""))
        if mv is not None:
            vin = _round_up(m.getSolVal(sol, mv[0]), True, 0)
            vout = _round_up(m.getSolVal(sol, mv[1]), True, 0)
            net = vin - vout
            if net:
                moves.setdefault((stage, col, fld, ind_name), []).append((r, net))
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
    if budget is not None:
        extra = {"budget": float(budget), "sections_failing_after": int(sum(m.getSolVal(sol, v) < 0.5 for v in passes)),
                 "cv_excess": float(sum(m.getSolVal(sol, v) for v in excess))}
    else:
        extra = {}
    cert = Certificate(lower_bound=bound, model_cost=model_cost, status=str(status), **extra,
                       seconds=time.perf_counter() - t0, nodes=int(m.getNNodes()),
                       build_seconds=t_build, solve_seconds=float(m.getSolvingTime()))
    rec = pd.DataFrame(records, columns=["_row", "column_field", "field", "indicator", "stage", "kind", "amount",
                                         "unit_cost", "counterpart"])
    return rec, cert
