"""Building the least-cost programme of :mod:`balance.analysis.planner.optimal` for one county-year.

The variables (additions per school and facility indicator, hires and rotations per section and
teacher indicator), the school rule with its exemption binaries, the pupil-weighted CV cones per
stage and indicator, the transfer rules and the objective — each formula is stated where it is
built, and the whole programme in the docstring of :mod:`~balance.analysis.planner.optimal`, which
solves it and reads the plan back.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from balance.analysis.planner.costs import TRANSFERABLE
from balance.method import official
from balance.method.dispersion import pupil_weighted_cv
from balance.schema import FACILITY_COLUMNS, STAGE_COLUMNS

#: CV target = limit − MARGIN in the model (rounding/CSV safety).
MARGIN = 1e-5
#: the objective is in 万元 for the solver's numerics
SCALE = 1e4
TEACHER_SUBSETS = ("qualified_teachers", "backbone_teachers", "pe_art_teachers", "titled_teachers")


def _cv(P: np.ndarray, y: np.ndarray) -> float:
    """Pupil-weighted CV (method.md §4) by the one kernel; +inf when the mean is not positive
    (undefined counts as failing)."""
    cv = pupil_weighted_cv(y, P)
    return cv if cv >= 0 else math.inf


class _Programme:
    """One county-year's programme while it is built and read: the SCIP model, the sections'
    arrays (stage, pupils :math:`P_i`, school row, facility share), the CV targets per stage and
    the variables.

    ``expr[(i, k)] = (x, inc, s)``: section *i*'s value of indicator *k* divided by the
    standard :math:`s_k` (or, without one, by the stage's max(|x|, 1)), the linear increment of that value in
    the variables, and the standard in the same units (``None`` if the stage has none);
    ``terms[(i, k)]`` is that increment as ``[(variable, coefficient)]`` (to evaluate a solution).
    ``fac_vars[(row, k)] = [A, column, field, indicator, unit cost, whole, step, stages]``;
    ``tvars[(i, k)] = (hire, (in, out) or None, column, field, indicator, unit cost)``.
    """

    def __init__(self, m, df: pd.DataFrame, secs: pd.DataFrame, std, budget: float | None):
        row_of = {c: i for i, c in enumerate(df["school_code"])}
        limits = std.cv_limit if (std.cv_limit and std.county_rule.each_cv_within_limit) else {}
        self.m, self.budget = m, budget
        self.secs = secs = secs.reset_index(drop=True)
        self.sec_stage = secs["stage"].to_numpy()
        self.P_all = secs["students"].to_numpy(dtype="float64")
        self.rows_all = secs["school_code"].map(row_of).to_numpy()
        self.share_all = secs["facility_share"].to_numpy(dtype="float64")
        self.targets = {st: float(limits[st]) - MARGIN for st in std.stages
                        if limits and limits.get(st) is not None}
        self.stage_idx = {st: np.nonzero(self.sec_stage == st)[0] for st in std.stages}
        self.fac_vars: dict = {}
        self.tvars: dict = {}
        self.obj: list = []
        self.expr: dict = {}
        self.terms: dict = {}
        self.met_by_k: dict = {}
        self.passes: list = []   # budget mode: 1 when a section is brought to (or kept at) the standard
        self.excess: list = []   # budget mode: the SD above what the CV limit allows, per cone


def _met_and_active(pg: _Programme, ind, x_all: np.ndarray, rule) -> tuple[np.ndarray, bool]:
    """Which sections already meet the standard of ``ind`` (on the scale of the school rule) and
    whether the indicator needs variables at all: an indicator nobody is below and whose CVs are
    within target needs nothing — its column feeds no other indicator, so every optimal plan adds
    0 to it (exact reduction)."""
    s_arr = np.array([float((ind.standard or {}).get(st, np.nan)) for st in pg.sec_stage])
    with np.errstate(invalid="ignore"):
        norm_arr = np.where(np.isfinite(s_arr) & (s_arr > 0), s_arr, np.maximum(np.abs(x_all), 1.0))
    met = official.at_least(x_all / norm_arr, s_arr / norm_arr)
    active = bool(rule is not None and (np.isfinite(s_arr) & ~official.at_least(x_all, s_arr)).any())
    for st, idx in pg.stage_idx.items():
        if st in pg.targets and len(idx) > 1 and not _cv(pg.P_all[idx], x_all[idx]) <= pg.targets[st]:
            active = True
    return met, active


def _add_indicator(pg: _Programme, k: int, ind, costs, rule, transfers: bool) -> None:
    """The variables of indicator *k* and every section's normalised value
    :math:`(x_{i,k} + c_k\\,\\mathrm{per}_k\\,\\Delta_{i,k}/P_i)/s_k` (module docstring)."""
    fld = ind.main_field
    coef = float(ind.numerator.get(fld, 1.0))
    whole = bool(ind.whole_units or fld == "multimedia_rooms")
    step = costs.step(fld)
    x_all = pg.secs[ind.name].to_numpy(dtype="float64")
    pg.met_by_k[k], active = _met_and_active(pg, ind, x_all, rule)
    # without a standard, one scale per stage (a scale per section would change the stage's CV)
    scale = {st: max([1.0, *np.abs(x_all[idx]).tolist()]) for st, idx in pg.stage_idx.items()}
    for i in range(len(pg.secs)):
        s_k = float((ind.standard or {}).get(pg.sec_stage[i], np.nan))
        norm = s_k if (math.isfinite(s_k) and s_k > 0) else scale[pg.sec_stage[i]]
        if not active:
            inc = 0.0
            pg.terms[(i, k)] = []
        elif fld in FACILITY_COLUMNS:
            inc = _facility_increment(pg, i, k, ind, coef, norm, whole, step, costs)
        else:
            inc = _teacher_increment(pg, i, k, ind, coef, norm, costs, transfers)
        pg.expr[(i, k)] = (x_all[i] / norm, inc, s_k / norm if math.isfinite(s_k) else None)


def _facility_increment(pg: _Programme, i: int, k: int, ind, coef: float, norm: float, whole: bool, step: float,
                        costs):
    """Section *i*'s increment from its school's addition :math:`A_{s,k}` (created once per school
    and indicator, cost :math:`\\kappa_k A_{s,k}`): :math:`\\mathrm{share}_i\\,c_k\\,\\mathrm{per}_k\\,A/P_i/s_k`.
    In budget mode a continuous addition is ``step`` × a whole number (so rounding cannot overspend)."""
    m, fld, r, stage = pg.m, ind.main_field, pg.rows_all[i], pg.sec_stage[i]
    key = (r, k)
    if key not in pg.fac_vars:
        kappa = costs.unit_cost(fld, stage)
        if pg.budget is not None and not whole and step > 0:   # A = step · n, n whole
            n_ = m.addVar(f"N_{r}_{k}", vtype="I", lb=0.0)
            v = m.addVar(f"A_{r}_{k}", vtype="C", lb=0.0)
            m.addCons(v == step * n_)
        else:
            v = m.addVar(f"A_{r}_{k}", vtype="I" if whole else "C", lb=0.0)
        pg.fac_vars[key] = [v, fld, fld, ind.name, kappa, whole, step, []]
        pg.obj.append(kappa / SCALE * v)
    pg.fac_vars[key][7].append(stage)
    g = float(pg.share_all[i]) * coef * ind.per / pg.P_all[i] / norm
    pg.terms[(i, k)] = [(pg.fac_vars[key][0], g)]
    return g * pg.fac_vars[key][0]


def _teacher_increment(pg: _Programme, i: int, k: int, ind, coef: float, norm: float, costs, transfers: bool):
    """Section *i*'s increment from whole hires :math:`T_{i,k}` (cost :math:`\\kappa_k T`) and, with
    ``transfers``, teachers moved in/out :math:`I, O` (cost :math:`\\tau I`):
    :math:`c_k\\,\\mathrm{per}_k\\,(T + I - O)/P_i/s_k`."""
    m, fld, stage = pg.m, ind.main_field, pg.sec_stage[i]
    kappa = costs.unit_cost(fld, stage)
    h = m.addVar(f"T_{i}_{k}", vtype="I", lb=0.0)
    pg.obj.append(kappa / SCALE * h)
    g = coef * ind.per / pg.P_all[i] / norm
    inc = g * h
    pg.terms[(i, k)] = [(h, g)]
    mv = None
    if transfers and fld in TRANSFERABLE:
        vi = m.addVar(f"I_{i}_{k}", vtype="I", lb=0.0)
        vo = m.addVar(f"O_{i}_{k}", vtype="I", lb=0.0)
        pg.obj.append(costs.transfer_cost / SCALE * vi)
        inc = g * (h + vi - vo)
        pg.terms[(i, k)] = [(h, g), (vi, g), (vo, -g)]
        mv = (vi, vo)
    pg.tvars[(i, k)] = (h, mv, STAGE_COLUMNS[stage][fld], fld, ind.name, kappa)
    return inc


def _add_school_rule(pg: _Programme, allowed: int, floor: float, K: int) -> None:
    """The school rule with the exemption as binaries :math:`z_{i,k}`:
    :math:`y_{i,k} \\ge s_k(1 - (1 - \\mathrm{floor})z_{i,k})`, :math:`\\sum_k z_{i,k} \\le` ``allowed``
    (in units of the standard); in budget mode relaxed by :math:`s_k(1 - \\mathrm{pass}_i)`."""
    from pyscipopt import quicksum

    m = pg.m
    for i in range(len(pg.secs)):
        zs = []
        ok = None
        for k in range(K):
            x, inc, s = pg.expr[(i, k)]
            gives = any(c < 0 for _, c in pg.terms[(i, k)])   # a possible donor of transfers
            if s is None or (pg.met_by_k[k][i] and not gives):
                continue
            relax = 0.0
            if pg.budget is not None:
                if ok is None:
                    ok = m.addVar(f"pass_{i}", vtype="B")
                    pg.passes.append(ok)
                relax = s * (1 - ok)
            if allowed > 0:
                z = m.addVar(f"z_{i}_{k}", vtype="B")
                zs.append(z)
                m.addCons(x + inc >= s - (1 - floor) * s * z - relax)
            else:
                m.addCons(x + inc >= s - relax)
        if len(zs) > allowed:
            m.addCons(quicksum(zs) <= allowed)



def _add_cv_cone(pg: _Programme, stage: str, k: int) -> None:
    """The county rule for ``stage`` and indicator *k* as a second-order cone: with
    :math:`p_i = P_i/P` and :math:`\\bar Y = \\sum p_i y_i`,
    :math:`\\sum_i w_i^2 \\le \\mu^2`, :math:`w_i = \\sqrt{p_i}(y_i - \\bar Y)`, :math:`\\mu = t\\bar Y`
    (budget mode: :math:`\\mu = t\\bar Y + e`, *e* ≥ 0 the excess, in units of the standard)."""
    from pyscipopt import quicksum

    m = pg.m
    idx = pg.stage_idx[stage]
    t = pg.targets[stage]
    p = pg.P_all[idx] / pg.P_all[idx].sum()
    ys = [pg.expr[(i, k)][0] + pg.expr[(i, k)][1] for i in idx]
    mean = quicksum(float(pj) * y for pj, y in zip(p, ys))
    devs = []
    for pj, y in zip(p, ys):
        w = m.addVar(lb=None, ub=None)
        m.addCons(w == math.sqrt(pj) * (y - mean))
        devs.append(w)
    mu = m.addVar(lb=0.0)
    if pg.budget is not None:
        e = m.addVar(f"e_{stage}_{k}", lb=0.0)
        pg.excess.append(e)
        m.addCons(mu == t * mean + e)
    else:
        m.addCons(mu == t * mean)
    m.addCons(quicksum(w * w for w in devs) <= mu * mu)


def _initial_cones(pg: _Programme, K: int) -> list[tuple[str, int]]:
    """Add the cones where the CV is near or over its target (all of them in budget mode); return
    the others, ``(stage, k)``, to be added only when a solution pushes one over (additions for the
    school rule can raise a CV). A CV nothing can change needs no cone."""
    pending = []
    for stage, idx in pg.stage_idx.items():
        if stage not in pg.targets or len(idx) < 2:
            continue
        for k in range(K):
            if not any(pg.terms[(i, k)] for i in idx):
                continue
            x0 = np.array([pg.expr[(i, k)][0] for i in idx])
            if pg.budget is not None or _cv(pg.P_all[idx], x0) > pg.targets[stage] - 0.1:
                _add_cv_cone(pg, stage, k)
            else:
                pending.append((stage, k))
    return pending


def _add_transfer_rules(pg: _Programme, df: pd.DataFrame, std, K: int) -> None:
    """Teachers moved in = moved out per county, stage and type (:math:`\\sum_i I_{i,k} = \\sum_i O_{i,k}`),
    and a section that can give keeps its stage total ≥ each teacher subset:
    :math:`\\text{total}_i + \\sum_k \\Delta_{i,k} \\ge \\text{subset}_{i,k} + \\Delta_{i,k}`."""
    from pyscipopt import quicksum

    m, tvars = pg.m, pg.tvars
    for stage in std.stages:
        for k in range(K):
            mvs = [tvars[(i, k)][1] for i in range(len(pg.secs)) if pg.sec_stage[i] == stage and (i, k) in tvars
                   and tvars[(i, k)][1] is not None]
            if mvs:
                m.addCons(quicksum(a for a, _ in mvs) == quicksum(b for _, b in mvs))
    for i in range(len(pg.secs)):
        cols = STAGE_COLUMNS[pg.sec_stage[i]]
        r = pg.rows_all[i]
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


def _set_objective(pg: _Programme) -> None:
    """Least cost :math:`\\sum \\kappa A + \\sum(\\kappa T + \\tau I)` (万元); in budget mode the cost is
    capped at the budget and the objective is lexicographic by weights: sections brought to
    standard first, then CV excess removed, then (a tie-break worth < 1e-3 of one CV unit) the
    money left over — a term below SCIP's gap, so :func:`~balance.analysis.planner.optimal._spend_least`
    re-solves for the least cost keeping the first two."""
    from pyscipopt import quicksum

    m = pg.m
    if pg.budget is None:
        m.setObjective(quicksum(pg.obj), "minimize")
    else:
        m.addCons(quicksum(pg.obj) <= pg.budget / SCALE)
        m.setObjective(-1e3 * quicksum(pg.passes) + quicksum(pg.excess) + 1e-9 * quicksum(pg.obj), "minimize")
