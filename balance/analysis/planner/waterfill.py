"""The water-filling heuristic (``method="waterfill"``), kept as the baseline of tests and benchmarks.

Moved unchanged from :mod:`balance.analysis.planner.planning` (which still re-exports every name).
The default planner is the optimiser of :mod:`balance.analysis.planner.optimal`.

``plan(table) -> Plan`` finds per-section additions (teachers, buildings, sports grounds,
equipment, multimedia rooms) so that **every in-scope section passes the school rule and every
CV is within its limit** (quality-2017, method.md §5), at minimum total cost under unit costs
(``balance/data/costs.yaml``, or the user's file). ``cv_contributions(assessment)`` shows which
sections drive each CV.

The problem, for one county, year, stage and indicator
------------------------------------------------------
Section *i* has pupils :math:`P_i`, value :math:`x_i` and gains :math:`g_i` of value per unit
added (a unit is one teacher, one room, 1 ㎡, 1 元 *at school level*):
:math:`g_i = \\mathrm{share}_i\\cdot c\\cdot\\mathrm{per}/P_i` with ``share`` the facility
share of a combined school (1 for teachers and single-stage schools) and ``c`` the coefficient of
the field in the indicator's numerator. Adding :math:`u_i` units costs :math:`\\kappa\\,u_i` and
gives :math:`y_i = x_i + g_i u_i`. Constraints: :math:`y_i \\ge b_i` (the school rule, below) and
:math:`CV(y) \\le` limit.

*Cost is linear in the pupil-weighted sum.* For single-stage schools and for teachers,
:math:`P_i g_i = c\\cdot\\mathrm{per}` is the same for every section, so the cost of any plan is
:math:`\\kappa/(c\\cdot\\mathrm{per})\\cdot P\\,(\\bar Y - \\bar X)`: minimising cost = minimising
the new pupil-weighted mean :math:`\\bar Y`.

*Water-filling is optimal (continuous quantities).* Write :math:`CV \\le t` as
:math:`\\sum_i p_i y_i^2 \\le (1+t^2)\\bar Y^2` (:math:`p_i = P_i/P`). The set of feasible
:math:`y` (box :math:`y\\ge b` ∩ a second-order cone) is convex, so the set of means it can reach
is an interval, and it is unbounded above (lifting everyone to the same level gives CV 0): it is
:math:`[m^*, \\infty)`. For a fixed mean *m*, the :math:`y \\ge b` with mean *m* and the smallest
:math:`\\sum p_i y_i^2` is, by the KKT conditions (:math:`2p_iy_i = \\lambda p_i + \\mu_i`,
:math:`\\mu_i \\ge 0`, :math:`\\mu_i(y_i-b_i)=0`), the water-filling :math:`y_i = \\max(b_i, L)`.
So *m* is feasible iff the water-filling of mean *m* meets the CV limit, feasibility is monotone in
the level *L*, and the smallest feasible *L* — found by bisection — gives the minimum cost. Lifting
the lowest sections is the cheapest CV reduction: each yuan adds the same amount to
:math:`P\\bar Y`, and it lowers :math:`\\sum P_i y_i^2` most where :math:`y_i` is smallest.

*Marginal allocation is optimal (whole units).* For teachers (and rooms of single-stage schools)
every unit adds the same :math:`P_ig_i` to :math:`P\\bar Y`, so for a fixed number *U* of units
the CV is smallest when :math:`\\sum_i P_i y_i^2` is — a separable convex function of integer
unit counts, minimised exactly by adding units one at a time where the increase
:math:`P_i(2y_ig_i+g_i^2)` is smallest (marginal allocation, Gross 1956 / Fox 1966); the greedy
allocations are nested, so the first *U* at which the CV meets the limit is the least number of
units (the least cost) that can meet it. Implemented with a heap.

*The school rule.* 6 of 7 at the standard and the 7th at ≥ 85 %: each section may leave
``7 − min_met`` indicators at ``floor_ratio`` of the standard. Bounds: :math:`b_{ik}=s_k`, or
:math:`0.85\\,s_k` for the exempted one. The first choice exempts the indicator where the
difference in cost is largest; a local search then swaps exemptions when that lowers the total
cost including the CV repair (a section that the water-filling lifts anyway should spend its
exemption elsewhere). Lower bounds never raise the optimum, so the plan is never dearer than
raising every failing section fully to the standard.

*Combined schools.* A facility share is fixed by enrolment, so a school-level addition *A* gives
the section :math:`A\\cdot\\mathrm{share}` (and the other section :math:`A\\cdot(1-\\mathrm{share})`
when it has one): the planner works in school-level units (``g`` above includes the share) and a
school whose two sections both need a facility gets :math:`\\max(A_{小学}, A_{初中})`, so each
section gets at least what it needs after the split. Because the other section also receives the
addition, the assessment is recomputed after each round and any CV pushed over its limit is
repaired in a further round (rarely needed). Here the per-section cost differs (1/share per unit
of section value), so water-filling is a close approximation rather than the exact optimum.

*Rounding.* Teachers, rooms, computers and books are whole units (rounded up); areas and
equipment are rounded up to ``resolution`` (1 ㎡, 100 元 by default). The CV target is the limit
minus 1e-6, so that writing the planned table to CSV cannot tip a CV over the limit; every plan
is checked by running the full assessment on the planned table.

*Transfers* (``transfers=True``): qualified, backbone and PE/art teachers may move between
sections of the same county and stage (交流轮岗) at ``transfer_per_teacher`` instead of being hired.
Donors keep their own bound (they must still pass) and their teacher totals stay ≥ every subset
count; county totals are conserved. The transfer plan is a greedy (CV reduction per yuan, taking
from the highest sections); for each group it is used only when cheaper than hiring alone.
"""
from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from balance.analysis.planner.costs import _KIND, CV_MARGIN, TEACHER_FIELDS, TRANSFERABLE, Costs
from balance.analysis.planner.groups import _cv, _Group, _round_units  # noqa: F401
from balance.analysis.planner.records import _finish_records
from balance.analysis.planner.transfers import _solve_transfers, _transfer_slack
from balance.method import official
from balance.method.standards import Standard
from balance.schema import FACILITY_COLUMNS, STAGE_COLUMNS


def _waterfill(grp: _Group, u0: np.ndarray) -> np.ndarray:
    """Smallest level L with CV(max(y0, L)) ≤ target, by bisection; rounded; ``u ≥ u0``."""
    x, g, P = grp.x, grp.g, grp.P
    y0 = x + u0 * g
    if grp.target is None or _cv(P, y0) <= grp.target:
        return u0
    lo, hi = float(y0.min()), float(y0.max())
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _cv(P, np.maximum(y0, mid)) <= grp.target:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-13 * max(abs(hi), 1e-300):
            break
    level, top = hi, float(y0.max())
    for attempt in range(60):
        u = u0 + (np.maximum(y0, level) - y0) / g
        u = np.maximum(_round_units(u, grp.whole, grp.step), u0)
        if _cv(P, x + u * g) <= grp.target:
            return u
        level = level + (top - level) * min(1.0, 1e-6 * 2 ** attempt)
    return u


def _greedy(grp: _Group, u0: np.ndarray, max_units: int = 2_000_000) -> np.ndarray:
    """Marginal allocation of whole units until CV ≤ target (exact for equal P_i·g_i)."""
    u = u0.astype("float64").copy()
    if grp.target is None:
        return u
    P, g = grp.P, grp.g
    y = grp.x + u * g
    if _cv(P, y) <= grp.target:
        return u
    Ptot = P.sum()
    lim2 = 1.0 + grp.target ** 2
    S1, S2 = float((P * y).sum()), float((P * y * y).sum())
    mass = P * g
    equal = np.allclose(mass, mass[0], rtol=1e-12, atol=0)
    n = 0
    if equal:
        heap = [(P[i] * (2 * y[i] * g[i] + g[i] ** 2), i) for i in range(len(y))]
        heapq.heapify(heap)
        while n < max_units:
            inc, i = heapq.heappop(heap)
            S1 += mass[i]
            S2 += inc
            y[i] += g[i]
            u[i] += 1
            n += 1
            heapq.heappush(heap, (P[i] * (2 * y[i] * g[i] + g[i] ** 2), i))
            if S1 > 0 and S2 * Ptot <= lim2 * S1 * S1 and _cv(P, y) <= grp.target:
                return u
    else:
        while n < max_units:
            s1 = S1 + mass
            s2 = S2 + P * (2 * y * g + g * g)
            i = int(np.argmin(s2 / (s1 * s1)))
            S1, S2 = float(s1[i]), float(s2[i])
            y[i] += g[i]
            u[i] += 1
            n += 1
            if S1 > 0 and S2 * Ptot <= lim2 * S1 * S1 and _cv(P, y) <= grp.target:
                return u
    return u


def _solve(grp: _Group, b: np.ndarray) -> tuple[np.ndarray, float]:
    """Units per section meeting bounds and the CV target without transfers, and their cost."""
    u0 = grp.units_to(b)
    u = _greedy(grp, u0) if grp.whole else _waterfill(grp, u0)
    return u, float(u.sum() * grp.cost)


def _plan_round(df: pd.DataFrame, secs: pd.DataFrame, std: Standard, costs: Costs, transfers: bool,
                search: bool) -> pd.DataFrame:
    """One round for one county-year: ``df`` its school rows, ``secs`` its in-scope sections."""
    row_of = {c: i for i, c in enumerate(df["school_code"])}
    rule = std.school_rule
    limits = std.cv_limit if (std.cv_limit and std.county_rule.each_cv_within_limit) else {}
    records = []   # (row, column, field, indicator, stage, kind, amount, unit_cost, counterpart)
    teacher_delta: dict = {}
    for stage in std.stages:
        st = secs[secs["stage"] == stage].reset_index(drop=True)
        if st.empty:
            continue
        rows = st["school_code"].map(row_of).to_numpy()
        groups = _stage_groups(st, stage, rows, std, costs, limits)
        E, below, bounds, allowed = _exemption_bounds(groups, rule, len(st))
        sol = [_solve(grp, bounds(k)) for k, grp in enumerate(groups)]
        if rule is not None and search and allowed > 0:
            sol = _local_search(groups, E, below, bounds, sol, allowed)
        for k, grp in enumerate(groups):
            u, cost = sol[k]
            if (transfers and grp.field in TRANSFERABLE and (u > 0).any()
                    and _transfer_records(df, rows, stage, grp, bounds(k), cost, costs, teacher_delta, records)):
                continue
            for i in np.nonzero(u > 0)[0]:
                records.append((rows[i], grp.columns[i], grp.field, grp.indicator, stage, "add", u[i], grp.cost, ""))
                if grp.field in TEACHER_FIELDS:
                    teacher_delta[(rows[i], grp.columns[i])] = teacher_delta.get((rows[i], grp.columns[i]), 0) + u[i]
    if not records:
        return pd.DataFrame()
    rec = pd.DataFrame(records, columns=["_row", "column_field", "field", "indicator", "stage", "kind", "amount",
                                         "unit_cost", "counterpart"])
    return _finish_records(rec)


def _stage_groups(st: pd.DataFrame, stage: str, rows: np.ndarray, std: Standard, costs: Costs,
                  limits: dict) -> list[_Group]:
    """One :class:`_Group` per indicator for the sections ``st`` of one stage: section value
    :math:`x + g\\,u` per unit *u* added, :math:`g = \\mathrm{share}\\,c_k\\,\\mathrm{per}_k/P` (facility
    share for facilities, 1 for teachers), unit cost, whole units or not, standard and CV target
    (limit − ``CV_MARGIN``)."""
    P = st["students"].to_numpy(dtype="float64")
    groups: list[_Group] = []
    for k, ind in enumerate(std.indicators):
        fld = ind.main_field
        coef = float(ind.numerator.get(fld, 1.0))
        facility = fld in FACILITY_COLUMNS
        share = st["facility_share"].to_numpy(dtype="float64") if facility else np.ones(len(st))
        col = fld if facility else STAGE_COLUMNS[stage][fld]
        target = None
        if limits and stage in limits:
            target = float(limits[stage]) - CV_MARGIN
        groups.append(_Group(
            stage=stage, k=k, indicator=ind.name, field=fld, rows=rows, columns=[col] * len(st), P=P,
            x=st[ind.name].to_numpy(dtype="float64"), g=share * coef * ind.per / P,
            cost=costs.unit_cost(fld, stage), whole=bool(ind.whole_units or _KIND.get(fld) == "count"),
            step=costs.step(fld), s=float((ind.standard or {}).get(stage, np.nan)), target=target))
    return groups


def _exemption_bounds(groups: list[_Group], rule, n: int):
    """The school rule's lower bounds with the exemption chosen: ``(E, below, bounds, allowed)``.

    Each section leaves at ``floor × s`` (instead of *s*) the ``allowed = K − min_met`` indicators
    where that saves most (``E[i, k]``, only if it saves anything); ``below[i, k]`` marks the
    indicators below standard today; ``bounds(k)`` is the bound vector of indicator *k*. Without a
    school rule the bounds are −∞ and nothing is exempt.
    """
    K = len(groups)
    if rule is None:
        def bounds(k, n=n):
            return np.full(n, -np.inf)
        return np.zeros((n, K), dtype=bool), np.zeros((n, K), dtype=bool), bounds, 0
    s = np.array([grp.s for grp in groups])
    allowed = K - rule.min_met
    floor = rule.floor_ratio
    full_cost = np.column_stack([grp.units_to(np.full(n, grp.s)) * grp.cost for grp in groups])
    floor_cost = np.column_stack([grp.units_to(np.full(n, floor * grp.s)) * grp.cost for grp in groups])
    saving = full_cost - floor_cost
    E = np.zeros((n, K), dtype=bool)
    if allowed > 0:
        order = np.argsort(-saving, axis=1, kind="stable")[:, :allowed]
        for j in range(allowed):
            pick = order[:, j]
            E[np.arange(n), pick] = saving[np.arange(n), pick] > 0
    below = np.column_stack([~official.at_least(grp.x, grp.s) for grp in groups])

    def bounds(k, E=E, s=s, floor=floor):
        return np.where(E[:, k], floor * s[k], s[k])
    return E, below, bounds, allowed


def _transfer_records(df, rows, stage: str, grp: _Group, b: np.ndarray, cost: float, costs: Costs,
                      teacher_delta: dict, records: list) -> bool:
    """Hires plus rotations for a teacher group when cheaper than hiring alone (``cost``): their
    records appended to ``records`` and the teacher changes to ``teacher_delta``; False (nothing
    appended) when rotating does not pay."""
    slack = _transfer_slack(df, rows, stage, grp.field, teacher_delta)
    hire, moves, tcost = _solve_transfers(grp, b, slack, costs.transfer_cost)
    if not (moves and tcost < cost - 1e-9):
        return False
    col = grp.columns[0]
    tot = STAGE_COLUMNS[stage]["teachers"]
    for i in np.nonzero(hire > 0)[0]:
        records.append((rows[i], col, grp.field, grp.indicator, stage, "add", hire[i], grp.cost, ""))
        teacher_delta[(rows[i], col)] = teacher_delta.get((rows[i], col), 0) + hire[i]
        teacher_delta[(rows[i], tot)] = teacher_delta.get((rows[i], tot), 0) + hire[i]
    for (d, r), m in moves.items():
        dcode, rcode = df.at[rows[d], "school_code"], df.at[rows[r], "school_code"]
        records.append((rows[r], col, grp.field, grp.indicator, stage, "transfer_in", m, costs.transfer_cost, dcode))
        records.append((rows[d], col, grp.field, grp.indicator, stage, "transfer_out", -m, 0.0, rcode))
        for rr, sign in ((rows[r], 1), (rows[d], -1)):
            teacher_delta[(rr, col)] = teacher_delta.get((rr, col), 0) + sign * m
            teacher_delta[(rr, tot)] = teacher_delta.get((rr, tot), 0) + sign * m
    return True


def _local_search(groups, E, below, bounds, sol, allowed, max_passes: int = 3, budget: int = 20_000):
    """Swap which indicator a section leaves at 85 % when the total cost (with CV repair) falls."""
    n, K = E.shape
    cand = np.nonzero(below.sum(axis=1) > 0)[0]
    evals = 0
    for _ in range(max_passes):
        improved = False
        for i in cand:
            exempt = list(np.nonzero(E[i])[0])
            alts = [k for k in np.nonzero(below[i] & ~E[i])[0]]
            best = None
            for k in alts:
                outs = exempt if len(exempt) >= allowed else exempt + [None]
                for j in outs:
                    if evals >= budget:
                        return sol
                    E[i, k] = True
                    if j is not None:
                        E[i, j] = False
                    touched = [k] + ([j] if j is not None else [])
                    new = {t: _solve(groups[t], bounds(t)) for t in touched}
                    evals += len(touched)
                    delta = sum(new[t][1] - sol[t][1] for t in touched)
                    E[i, k] = False
                    if j is not None:
                        E[i, j] = True
                    if delta < -1e-6 and (best is None or delta < best[0]):
                        best = (delta, k, j, new)
            if best is not None:
                _, k, j, new = best
                E[i, k] = True
                if j is not None:
                    E[i, j] = False
                for t, v in new.items():
                    sol[t] = v
                improved = True
        if not improved:
            break
    return sol
