"""The investment planner: what must be added so that a county passes, at least cost.

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
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from balance.method import official
from balance.method.dispersion import pupil_weighted_cv
from balance.errors import InputError, Problem
from balance.schema import COLUMNS, FACILITY_COLUMNS, HEADERS, STAGE_COLUMNS, input_header
from balance.method.standards import Standard, load_standard

from balance._resources import DATA_DIR  # noqa: E402

COSTS_FILE = DATA_DIR / "costs.yaml"
#: Teacher fields (per stage, never split). Their costs are per teacher per year.
TEACHER_FIELDS = ("teachers", "qualified_teachers", "backbone_teachers", "pe_art_teachers", "titled_teachers")
#: Teacher types that may rotate between sections with ``transfers=True``.
TRANSFERABLE = ("qualified_teachers", "backbone_teachers", "pe_art_teachers")
#: The planner aims at ``limit − CV_MARGIN`` so that CSV round trips cannot tip a CV over.
CV_MARGIN = 1e-6
MAX_ROUNDS = 8
_KIND = {c["name"]: c["kind"] for c in COLUMNS}
KIND_ZH = {"add": "新增", "transfer_in": "调入（交流轮岗）", "transfer_out": "调出（交流轮岗）",
           "teacher_total": "专任教师合计随之变化"}

PLAN_COLUMNS = ["year", "county_code", "county_name", "school_code", "school_name", "school_type", "stage",
                "column", "field", "indicator", "kind", "kind_zh", "amount", "unit", "unit_cost", "cost",
                "counterpart"]


# ------------------------------------------------------------------------------------------ costs

@dataclass(frozen=True)
class Costs:
    """Unit costs (元) for the planner; see ``balance/data/costs.yaml`` for the meaning of each key."""

    items: dict
    teacher_years: float
    transfer_per_teacher: float
    resolution: dict
    source: str
    currency: str = "元"

    def unit_cost(self, field: str, stage: str) -> float:
        """元 per school-level unit of ``field`` (teachers: × ``teacher_years``)."""
        it = self.items.get(field)
        if it is None:
            raise InputError([Problem(file=self.source, column=f"items.{field}", code="cost_missing",
                                      problem_zh=f"单价文件缺少“{field}”的单价",
                                      problem_en=f"the costs file has no unit cost for '{field}'")],
                             "单价文件有误", "invalid costs file")
        c = float(it.get(stage, it["cost"]))
        return c * self.teacher_years if field in TEACHER_FIELDS else c

    def unit(self, field: str) -> str:
        return str(self.items.get(field, {}).get("unit", ""))

    @property
    def transfer_cost(self) -> float:
        return float(self.transfer_per_teacher) * self.teacher_years

    def step(self, field: str) -> float:
        return float(self.resolution.get(field, 0) or 0)

    def to_dict(self) -> dict:
        return {"source": self.source, "currency": self.currency, "teacher_years": self.teacher_years,
                "transfer_per_teacher": self.transfer_per_teacher, "resolution": dict(self.resolution),
                "items": {k: dict(v) for k, v in self.items.items()}}


def load_costs(spec: "str | Path | dict | Costs | None" = None) -> Costs:
    """The default unit costs, overridden key by key by ``spec`` (a YAML file or a dict).

    Raises
    ------
    InputError
        The file is missing or not YAML, or a cost is not a number ≥ 0 (file and key named).
    """
    if isinstance(spec, Costs):
        return spec
    base = yaml.safe_load(COSTS_FILE.read_text(encoding="utf-8"))
    source = str(COSTS_FILE)
    user: dict = {}
    if spec is not None:
        if isinstance(spec, dict):
            user, source = spec, "<dict>"
        else:
            user, source = _read_costs_file(Path(spec), str(spec))
    problems: list[Problem] = []
    known_top = {"currency", "teacher_years", "items", "transfer_per_teacher", "resolution"}
    for k in user:
        if k not in known_top:
            problems.append(Problem(file=source, column=str(k), code="cost_unknown_key",
                                    problem_zh=f"未知的键“{k}”（可用：{', '.join(sorted(known_top))}）",
                                    problem_en=f"unknown key '{k}' (known: {', '.join(sorted(known_top))})"))
    items = {k: dict(v) for k, v in base["items"].items()}
    for k, v in (user.get("items") or {}).items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = {"cost": v}
        if not isinstance(v, dict):
            problems.append(Problem(file=source, column=f"items.{k}", value=str(v), code="cost_invalid",
                                    problem_zh="单价应为数字或 {cost: 数字}", problem_en="a cost must be a number or {cost: number}"))
            continue
        items.setdefault(k, {"cost": v.get("cost", 0)}).update(v)
    for k, v in items.items():
        for key, val in v.items():
            if key == "unit":
                continue
            if not _nonneg_number(val):
                problems.append(Problem(file=source, column=f"items.{k}.{key}", value=str(val), code="cost_invalid",
                                        problem_zh=f"单价必须是 0 到 {MAX_COST:.0e} 元之间的数字",
                                        problem_en=f"a unit cost must be a number from 0 to {MAX_COST:.0e} 元"))
    scalars = {}
    for key in ("teacher_years", "transfer_per_teacher"):
        val = user.get(key, base[key])
        if key == "teacher_years" and not (_nonneg_number(val, MAX_TEACHER_YEARS) and val > 0):
            problems.append(Problem(file=source, column=key, value=str(val), code="cost_invalid",
                                    problem_zh=f"教师经费年数必须是大于 0、不超过 {MAX_TEACHER_YEARS} 的数字",
                                    problem_en=f"teacher_years must be a number > 0 and ≤ {MAX_TEACHER_YEARS}"))
            val = 0
        elif not _nonneg_number(val):
            problems.append(Problem(file=source, column=key, value=str(val), code="cost_invalid",
                                    problem_zh=f"必须是 0 到 {MAX_COST:.0e} 之间的数字",
                                    problem_en=f"must be a number from 0 to {MAX_COST:.0e}"))
            val = 0
        scalars[key] = float(val)
    resolution = dict(base.get("resolution") or {})
    resolution.update(user.get("resolution") or {})
    for k, val in resolution.items():
        if not _nonneg_number(val):
            problems.append(Problem(file=source, column=f"resolution.{k}", value=str(val), code="cost_invalid",
                                    problem_zh=f"取整单位必须是 0 到 {MAX_COST:.0e} 之间的数字",
                                    problem_en=f"a resolution must be a number from 0 to {MAX_COST:.0e}"))
    if problems:
        raise InputError(problems, "单价文件有误", "invalid costs file")
    return Costs(items=items, teacher_years=scalars["teacher_years"],
                 transfer_per_teacher=scalars["transfer_per_teacher"],
                 resolution={k: float(v) for k, v in resolution.items()}, source=source,
                 currency=str(user.get("currency", base.get("currency", "元"))))


#: The largest unit cost, teacher-year horizon and resolution accepted (a typing or unit mistake
#: above: 1e12 元 = 1 万亿元 for one unit; 100 years of teacher pay).
MAX_COST = 1e12
MAX_TEACHER_YEARS = 100


def _nonneg_number(v, top: float = MAX_COST) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and 0 <= v <= top


def _read_costs_file(path: Path, source: str) -> tuple[dict, str]:
    """A costs YAML file read through the same guards as every other input: a folder, device or
    FIFO, a file above ``max_yaml_mb``, binary data and an unknown encoding (UTF-8 / GB18030) are
    refused; YAML through the standards' parser (the problem line, repeated keys, alias bombs and
    absurd nesting refused)."""
    import dataclasses

    from balance.io.reading import decode_text
    from balance.method.standards import _parse
    from balance.io.workbook import read_file_bytes, read_limits

    summary = ("单价文件有误", "invalid costs file")
    lim = read_limits()
    lim = dataclasses.replace(lim, max_file_mb=min(lim.max_file_mb, lim.max_yaml_mb))
    text = decode_text(read_file_bytes(path, source, lim, summary), source, summary)
    try:
        user, _ = _parse(source, text)
    except InputError as exc:
        raise InputError(exc.problems, *summary) from None
    if user is None:
        user = {}
    if not isinstance(user, dict):
        raise InputError([Problem(file=source, code="yaml_not_mapping", problem_zh="单价文件应为键值映射",
                                  problem_en="a costs file must be a mapping")], *summary)
    return user, source


# ------------------------------------------------------------------------------------ CV helpers

def _cv(P: np.ndarray, y: np.ndarray) -> float:
    """Pupil-weighted CV (method.md §4) by the one kernel; +inf when the mean is not positive
    (undefined counts as failing)."""
    cv = pupil_weighted_cv(y, P)
    return cv if cv >= 0 else math.inf


def _round_units(u: np.ndarray, whole: bool, step: float) -> np.ndarray:
    """Round additions up to whole units / to ``step`` (tolerant of binary representation)."""
    u = np.maximum(np.asarray(u, dtype="float64"), 0.0)
    if whole:
        return np.ceil(u - 1e-9 * np.maximum(1.0, u))
    if step > 0:
        q = u / step
        return np.ceil(q - 1e-9 * np.maximum(1.0, q)) * step
    return u


@dataclass
class _Group:
    """One county × year × stage × indicator: the sections and what a unit added does."""

    stage: str
    k: int                    # indicator position in the standard
    indicator: str
    field: str
    rows: np.ndarray          # row of the school in the county table
    columns: list             # the table column each section's units go to
    P: np.ndarray
    x: np.ndarray
    g: np.ndarray             # value gained per school-level unit
    cost: float               # 元 per school-level unit
    whole: bool
    step: float
    s: float                  # standard (NaN if none)
    target: float | None      # CV target (limit − margin) or None

    def units_to(self, b: np.ndarray) -> np.ndarray:
        """Least school-level units lifting every section to its bound ``b``."""
        need = np.where(official.at_least(self.x, b), 0.0, (b - self.x) / self.g)
        u = _round_units(need, self.whole, self.step)
        for _ in range(3):  # paranoia about representation: verify with the official comparison
            bad = ~official.at_least(self.x + u * self.g, b)
            if not bad.any():
                break
            u[bad] += 1.0 if self.whole else max(self.step, 1e-9 * np.max(np.abs(u[bad]) + 1))
        return u


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


def _solve_transfers(grp: _Group, b: np.ndarray, slack: np.ndarray, tcost: float):
    """Hire or move whole teachers: bounds first (moves from the highest donors), then the CV.

    Returns (hires per section, moves {(donor, recipient): units}, cost).
    """
    P, g, x = grp.P, grp.g, grp.x
    n = len(x)
    y = x.copy()
    hire = np.zeros(n)
    tin = np.zeros(n)
    tout = np.zeros(n)
    moves: dict = {}
    need = grp.units_to(b).astype(int)
    receiver = need > 0
    tc = max(tcost, 1e-9)

    def donor_ok():
        return (~receiver) & (tin == 0) & (hire == 0) & (tout < slack) & official.at_least(y - g, b)

    def move(d, r):
        y[d] -= g[d]
        y[r] += g[r]
        tout[d] += 1
        tin[r] += 1
        moves[(d, r)] = moves.get((d, r), 0) + 1

    for r in np.argsort(y, kind="stable"):
        for _ in range(int(need[r])):
            ok = donor_ok()
            ok[r] = False
            if ok.any() and tcost < grp.cost:
                d = int(np.argmax(np.where(ok, y, -np.inf)))
                move(d, r)
            else:
                hire[r] += 1
                y[r] += g[r]
    if grp.target is not None:
        Ptot = P.sum()
        guard = 0
        while _cv(P, y) > grp.target and guard < 200_000:
            guard += 1
            S1, S2 = float((P * y).sum()), float((P * y * y).sum())
            cv2 = S2 * Ptot / (S1 * S1) - 1 if S1 > 0 else math.inf
            mass = P * g
            s1 = S1 + mass
            s2 = S2 + P * (2 * y * g + g * g)
            ok_r = tout == 0
            cand = np.where(ok_r, s2 / (s1 * s1), np.inf)
            r = int(np.argmin(cand))
            gain_h = (cv2 - (cand[r] * Ptot - 1)) / grp.cost if grp.cost > 0 else math.inf
            ok = donor_ok()
            gain_t, d = -math.inf, -1
            if ok.any():
                d = int(np.argmax(np.where(ok, y, -np.inf)))
                cand_t = np.where(ok_r & (np.arange(n) != d), cand, np.inf)
                r_t = int(np.argmin(cand_t))
                if np.isfinite(cand_t[r_t]):
                    t1 = S1 + mass[r_t] - mass[d]
                    t2 = S2 + P[r_t] * (2 * y[r_t] * g[r_t] + g[r_t] ** 2) - P[d] * (2 * y[d] * g[d] - g[d] ** 2)
                    cv2_t = t2 * Ptot / (t1 * t1) - 1 if t1 > 0 else math.inf
                    gain_t = (cv2 - cv2_t) / tc
            if gain_t > 0 and gain_t >= gain_h:
                move(d, r_t)
            else:
                hire[r] += 1
                y[r] += g[r]
    cost = float(hire.sum() * grp.cost + sum(moves.values()) * tcost)
    return hire, moves, cost


# ----------------------------------------------------------------------------------- the planner

@dataclass
class Plan:
    """Result of :func:`plan`.

    Attributes
    ----------
    items : DataFrame       ``plan.csv``: one row per school × column × kind (see ``PLAN_COLUMNS``)
    summary : DataFrame     ``plan_summary.csv``: per county × year × stage × indicator
    counties : list[dict]   ``plan_summary.json`` body: per county × year, totals and before/after
    planned : DataFrame     the canonical school table with the plan applied
    before, after : Assessment
    feasible : bool         every county-year passes after the plan
    seconds : float         planner run time
    """

    standard: Standard
    costs: Costs
    transfers: bool
    items: pd.DataFrame
    summary: pd.DataFrame
    counties: list
    planned: pd.DataFrame
    before: object
    after: object
    feasible: bool
    seconds: float
    notes: list = field(default_factory=list)
    method: str = "optimal"

    @property
    def total_cost(self) -> float:
        return float(self.items["cost"].sum()) if len(self.items) else 0.0

    @property
    def costs_illustrative(self) -> bool:
        """True when the default (illustrative) unit prices of ``costs.yaml`` were used unchanged."""
        return self.costs.source == str(COSTS_FILE)

    def certificate(self) -> pd.DataFrame:
        """One row per county-year: cost, lower bound (万元), gap and its split, solver status.

        The hook for briefings: ``plan.certificate()`` is the tidy frame behind the console lines
        and ``plan_summary.json`` (the same numbers, computed once in :func:`_summaries`).
        """
        cols = ["year", "county_code", "county_name", "cost_wan", "lower_bound_wan", "gap", "gap_optimisation",
                "gap_rounding", "solver_status"]
        rows = [{"year": c["year"], "county_code": c["county_code"], "county_name": c["county_name"],
                 "cost_wan": c["total_cost"] / 1e4,
                 "lower_bound_wan": None if c.get("lower_bound") is None else c["lower_bound"] / 1e4,
                 "gap": c.get("gap"), "gap_optimisation": c.get("gap_optimisation"),
                 "gap_rounding": c.get("gap_rounding"), "solver_status": c.get("solver_status")}
                for c in self.counties]
        return pd.DataFrame(rows, columns=cols)

    @property
    def lower_bound(self) -> float | None:
        """Sum of the county-years' lower bounds (元); None for the heuristic (no bound)."""
        vals = [c.get("lower_bound") for c in self.counties]
        if any(v is None for v in vals):
            return None
        return float(sum(vals))

    @property
    def gap(self) -> float | None:
        """(cost − lower bound) ÷ cost over the whole plan; 0 when nothing is needed."""
        lb = self.lower_bound
        if lb is None:
            return None
        return _gap(self.total_cost, lb)


def _gap(cost: float, bound: float) -> float:
    return max(cost - bound, 0.0) / cost if cost > 0 else 0.0


def plan(assessment_or_table, standard: "str | Path | Standard" = "quality-2017", costs=None,
         transfers: bool = False, county: str | None = None, year: int | None = None,
         *, search: bool = True, method: str = "optimal", budget_wan: float | None = None) -> Plan:
    """Find the least-cost additions making every section pass and every CV meet its limit.

    Parameters
    ----------
    assessment_or_table : Assessment, SchoolTable, DataFrame, str or Path
        An assessment (its school table is read again from ``assessment.source``), a loaded
        :class:`~balance.io.reading.SchoolTable`, a canonical table (``SchoolTable.data`` or a frame
        with every canonical column), or a school table file / frame with Chinese headers.
    standard : str, Path or Standard
        Must have a school rule and/or per-indicator CV limits (quality-2017 and provincial
        variants). With an Assessment, its own standard is used.
    costs : str, Path, dict or Costs, optional
        Unit costs overriding ``balance/data/costs.yaml`` key by key.
    transfers : bool
        Allow teachers to rotate between sections of the same county and stage.
    county, year : optional
        Plan only this county / year.
    search : bool
        Heuristic only: run the local search over which indicator each section leaves at 85 %.
    method : {"optimal", "waterfill"}
        ``optimal`` (default): the mixed-integer cone programme of
        :mod:`balance.analysis.planner.optimal`, with a lower bound and gap per county-year;
        ``waterfill``: the earlier heuristic, kept as a baseline.

    Raises
    ------
    InputError
        Bad input table, costs file or an unsupported standard.
    """
    from balance.method.assessment import Assessment, _filter

    t0 = time.perf_counter()
    if isinstance(assessment_or_table, Assessment):
        std = assessment_or_table.standard
        schools = _schools_of(assessment_or_table)
        source = assessment_or_table.source
    else:
        std = load_standard(standard)
        schools, source = _canonical(assessment_or_table)
    _check_supported(std)
    cst = load_costs(costs)
    schools = _filter(schools, year, county, source).reset_index(drop=True)
    return plan_schools(schools, std, cst, transfers=transfers, search=search, t0=t0, method=method,
                        budget_wan=budget_wan)


def plan_schools(schools: pd.DataFrame, std: Standard, costs: Costs | None = None, *, transfers: bool = False,
                 search: bool = True, t0: float | None = None, method: str = "optimal",
                 budget_wan: float | None = None) -> Plan:
    """:func:`plan` on an already validated canonical school table (no reading, no filters).

    ``method="optimal"`` (default) solves each county-year as a mixed-integer second-order-cone
    programme (:mod:`balance.analysis.planner.optimal`) and reports its lower bound and gap;
    ``method="waterfill"`` is the earlier heuristic (kept as the baseline of tests and benchmarks).
    ``budget_wan`` (万元, per county-year): do the most within it instead (see
    :func:`balance.analysis.planner.budget.budget_plan`); one round, no repair beyond the budget.
    """
    from balance.method.assessment import assess_schools

    t0 = time.perf_counter() if t0 is None else t0
    if method not in ("optimal", "waterfill"):
        raise ValueError(f"method must be 'optimal' or 'waterfill', not {method!r}")
    _check_supported(std)
    cst = load_costs(costs)
    schools = schools.reset_index(drop=True)
    before = assess_schools(schools, std)
    planned = schools.copy()
    numeric = [c for c in planned.columns if _KIND.get(c) in ("area", "money", "count")]
    planned[numeric] = planned[numeric].astype("float64")
    keys = schools.groupby(["year", "county_code"], sort=True).indices
    item_frames = []
    notes: list[str] = []
    certs: dict = {}
    after = before
    for rnd in range(MAX_ROUNDS):
        passed = {(v.year, v.county_code): bool(v.passed) for v in after.verdicts.itertuples(index=False)}
        failing = [k for k in keys if not passed.get(k, False)]
        if not failing:
            break
        secs = after.sections[after.sections["in_scope"]].reset_index(drop=True)
        sec_groups = secs.groupby(["year", "county_code"], sort=False).indices
        changed = False
        raw = []
        for key in failing:
            idx = keys[key]
            if key not in sec_groups:
                continue
            sub = planned.loc[idx].reset_index(drop=True)
            sub_secs = secs.iloc[sec_groups[key]].reset_index(drop=True)
            if method == "optimal":
                from balance.analysis.planner.optimal import solve_county

                rec, cert = solve_county(sub, sub_secs, std, cst, transfers=transfers,
                                         budget=None if budget_wan is None else float(budget_wan) * 1e4)
                if rnd == 0:
                    certs[key] = cert
                else:
                    certs.setdefault(key, cert)["repair_rounds"] = rnd
                if len(rec):
                    rec["_row"] = idx[rec["_row"].to_numpy(dtype="int64")]
                    raw.append(rec)
                continue
            items = _plan_round(sub, sub_secs, std, cst, transfers, search and rnd == 0)
            if items.empty:
                continue
            items["_row"] = idx[items["_row"].to_numpy()]
            raw.append(items)
        if method == "optimal" and raw:   # one pass of the record bookkeeping for all county-years
            raw = [_finish_records(pd.concat(raw, ignore_index=True))]
        for items in raw:
            items["round"] = rnd + 1
            for (r, col), amt in items.groupby(["_row", "column_field"])["amount"].sum().items():
                planned.at[r, col] = planned.at[r, col] + amt
            item_frames.append(items)
            changed = True
        if not changed:
            break
        after = assess_schools(_typed(planned, schools), std)
        if budget_wan is not None:
            break  # within a budget there is no repair round: what is still unmet is reported
    planned = _typed(planned, schools)
    for v in after.verdicts.itertuples(index=False):
        if not v.passed:
            notes.append(f"{v.year} {v.county_code}: 规划后仍未全部达标 / still failing after the plan"
                         + (f"：{'；'.join(v.failing_items)}" if budget_wan is not None else ""))
    items = _items_frame(item_frames, schools)
    summary, counties = _summaries(items, before, after, std, cst, certs if method == "optimal" else None)
    feasible = bool(after.verdicts["passed"].all()) if len(after.verdicts) else True
    return Plan(std, cst, transfers, items, summary, counties, planned, before, after, feasible,
                time.perf_counter() - t0, notes, method=method if budget_wan is None else "budget")


def _typed(planned: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """The planned table with the input's column types (counts whole, changed money/areas tidy)."""
    planned = planned.copy()
    for c in schools.columns:
        if _KIND.get(c) == "count":
            # optional count columns are nullable (Int64): keep missing as missing
            planned[c] = planned[c].round().astype("int64" if schools[c].dtype == "int64" else "Int64")
        elif _KIND.get(c) in ("area", "money"):
            changed = planned[c].to_numpy() != schools[c].to_numpy(dtype="float64")
            planned[c] = np.where(changed, planned[c].round(6), planned[c]).astype("float64")
        elif planned[c].dtype != schools[c].dtype:
            planned[c] = planned[c].astype(schools[c].dtype)
    return planned


def _check_supported(std: Standard) -> None:
    if std.county_rule.composite_within_limit or (std.school_rule is None and not std.county_rule.each_cv_within_limit):
        raise InputError([Problem(
            file=std.source or std.id, code="standard_unsupported",
            problem_zh="规划功能只支持有学校达标规则和/或逐项差异系数限值的标准（如优质均衡 quality-2017）；"
                       "综合差异系数（基本均衡 basic-2012）暂不支持",
            problem_en="the planner supports standards with a school rule and/or per-indicator CV limits "
                       "(e.g. quality-2017); a composite CV (basic-2012) is not supported")],
            "评估标准不适用于规划", "standard not supported by the planner")


def _canonical(src) -> tuple[pd.DataFrame, str]:
    from balance.io.reading import load_school_table
    from balance.io.table import SchoolTable
    from balance.schema import REQUIRED

    if isinstance(src, SchoolTable):
        return src.data, src.path
    if isinstance(src, pd.DataFrame) and all(c in src.columns for c in REQUIRED) and "source_row" in src.columns:
        return src, "<DataFrame>"
    t = load_school_table(src)
    return t.data, t.path


def _schools_of(a) -> pd.DataFrame:
    """The canonical school table behind an Assessment: the one it kept (:attr:`Assessment.schools`);
    only an Assessment made elsewhere (without it) is re-read from its source file."""
    from pathlib import Path as _P

    from balance.io.reading import load_school_table

    kept = getattr(a, "schools", None)
    if kept is not None:
        keys = a.verdicts[["year", "county_code"]].drop_duplicates()
        return kept.merge(keys, on=["year", "county_code"], how="inner")
    if a.source and a.source != "<DataFrame>" and _P(a.source).exists():  # a file or a Parquet store
        data = load_school_table(a.source).data
        keys = a.verdicts[["year", "county_code"]].drop_duplicates()
        return data.merge(keys, on=["year", "county_code"], how="inner")
    raise InputError([Problem(file=str(a.source), code="plan_needs_table",
                              problem_zh="该评估结果不是从文件读取的，无法取得学校数据表；请直接传入学校数据表",
                              problem_en="this assessment was not read from a file: pass the school table itself")],
                     "无法规划", "cannot plan")


def _plan_round(df: pd.DataFrame, secs: pd.DataFrame, std: Standard, costs: Costs, transfers: bool,
                search: bool) -> pd.DataFrame:
    """One round for one county-year: ``df`` its school rows, ``secs`` its in-scope sections."""
    row_of = {c: i for i, c in enumerate(df["school_code"])}
    rule = std.school_rule
    limits = std.cv_limit if (std.cv_limit and std.county_rule.each_cv_within_limit) else {}
    K = len(std.indicators)
    records = []   # (row, column, field, indicator, stage, kind, amount, unit_cost, counterpart)
    teacher_delta: dict = {}
    for stage in std.stages:
        st = secs[secs["stage"] == stage].reset_index(drop=True)
        if st.empty:
            continue
        P = st["students"].to_numpy(dtype="float64")
        rows = st["school_code"].map(row_of).to_numpy()
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
        # bounds from the school rule, with the exemption choice
        n = len(st)
        if rule is not None:
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
        else:
            E = np.zeros((n, K), dtype=bool)
            below = np.zeros((n, K), dtype=bool)

            def bounds(k, n=n):
                return np.full(n, -np.inf)
        sol = [_solve(grp, bounds(k)) for k, grp in enumerate(groups)]
        if rule is not None and search and allowed > 0:
            sol = _local_search(groups, E, below, bounds, sol, allowed)
        for k, grp in enumerate(groups):
            u, cost = sol[k]
            b = bounds(k)
            if transfers and grp.field in TRANSFERABLE and (u > 0).any():
                slack = _transfer_slack(df, rows, stage, grp.field, teacher_delta)
                hire, moves, tcost = _solve_transfers(grp, b, slack, costs.transfer_cost)
                if moves and tcost < cost - 1e-9:
                    col = grp.columns[0]
                    tot = STAGE_COLUMNS[stage]["teachers"]
                    for i in np.nonzero(hire > 0)[0]:
                        records.append((rows[i], col, grp.field, grp.indicator, stage, "add", hire[i], grp.cost, ""))
                        teacher_delta[(rows[i], col)] = teacher_delta.get((rows[i], col), 0) + hire[i]
                        teacher_delta[(rows[i], tot)] = teacher_delta.get((rows[i], tot), 0) + hire[i]
                    for (d, r), m in moves.items():
                        dcode, rcode = df.at[rows[d], "school_code"], df.at[rows[r], "school_code"]
                        records.append((rows[r], col, grp.field, grp.indicator, stage, "transfer_in", m,
                                        costs.transfer_cost, dcode))
                        records.append((rows[d], col, grp.field, grp.indicator, stage, "transfer_out", -m, 0.0, rcode))
                        for rr, sign in ((rows[r], 1), (rows[d], -1)):
                            teacher_delta[(rr, col)] = teacher_delta.get((rr, col), 0) + sign * m
                            teacher_delta[(rr, tot)] = teacher_delta.get((rr, tot), 0) + sign * m
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


def _finish_records(rec: pd.DataFrame) -> pd.DataFrame:
    """Facilities bought once per school (the larger need); subset teachers change the stage total."""
    if rec.empty:
        return pd.DataFrame()
    # a facility bought once for a combined school: the larger of its sections' needs
    fac = rec["field"].isin(FACILITY_COLUMNS) & (rec["kind"] == "add")
    if fac.any():
        f = rec[fac]
        agg = f.groupby(["_row", "column_field"], sort=False).agg(
            field=("field", "first"), indicator=("indicator", "first"),
            stage=("stage", lambda s: "、".join(sorted(set(s), key=["小学", "初中"].index))),
            kind=("kind", "first"), amount=("amount", "max"), unit_cost=("unit_cost", "max"),
            counterpart=("counterpart", "first")).reset_index()
        rec = pd.concat([rec[~fac], agg[rec.columns]], ignore_index=True)
    # every added or moved subset teacher changes the stage's full-time teacher total too
    teach = rec[rec["field"].isin(TEACHER_FIELDS) & (rec["field"] != "teachers")]
    if len(teach):
        tot = teach.copy()
        tot["column_field"] = [STAGE_COLUMNS[s]["teachers"] for s in tot["stage"]]
        tot["field"] = "teachers"
        tot["indicator"] = ""
        tot["kind"] = "teacher_total"
        tot["unit_cost"] = 0.0
        tot["counterpart"] = ""
        tot = tot.groupby(["_row", "column_field", "field", "indicator", "stage", "kind", "unit_cost", "counterpart"],
                          as_index=False, sort=False)["amount"].sum()
        tot = tot[tot["amount"] != 0]
        rec = pd.concat([rec, tot[rec.columns]], ignore_index=True)
    rec["cost"] = rec["amount"].clip(lower=0) * rec["unit_cost"]
    return rec


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


def _transfer_slack(df, rows, stage, fld, delta) -> np.ndarray:
    """How many teachers of type ``fld`` each section may give while its total stays ≥ every subset."""
    cols = STAGE_COLUMNS[stage]
    cur = lambda c: np.array([df.at[r, c] + delta.get((r, c), 0) for r in rows], dtype="float64")  # noqa: E731
    total = cur(cols["teachers"])
    others = [cur(cols[f]) for f in ("qualified_teachers", "backbone_teachers", "pe_art_teachers", "titled_teachers")
              if f != fld]
    return np.floor(total - np.max(others, axis=0) + 1e-9).clip(min=0)


def _items_frame(frames: list, schools: pd.DataFrame) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PLAN_COLUMNS})
    rec = pd.concat(frames, ignore_index=True)
    key = ["_row", "column_field", "field", "indicator", "stage", "kind"]
    rec["counterpart"] = rec["counterpart"].fillna("").astype(str)
    agg = rec.groupby(key, sort=False, dropna=False).agg(
        amount=("amount", "sum"), unit_cost=("unit_cost", "max"), cost=("cost", "sum"),
        counterpart=("counterpart", lambda s: "、".join(sorted({c for c in s if c})))).reset_index()
    agg = agg[agg["amount"] != 0]
    ident = schools.loc[agg["_row"].to_numpy(), ["year", "county_code", "county_name", "school_code", "school_name",
                                                  "school_type"]].reset_index(drop=True)
    agg = agg.reset_index(drop=True)
    out = pd.concat([ident, agg], axis=1)
    out["column"] = [HEADERS.get(c, c) for c in out["column_field"]]
    out["kind_zh"] = out["kind"].map(KIND_ZH)
    out["unit"] = [_unit_of(f) for f in out["field"]]
    order = {"add": 0, "transfer_in": 1, "transfer_out": 2, "teacher_total": 3}
    out["_k"] = out["kind"].map(order)
    out = out.sort_values(["year", "county_code", "school_code", "stage", "_k", "column"], kind="stable")
    whole = out["column_field"].map(_KIND).eq("count")
    out["amount"] = np.where(whole, out["amount"].round(), out["amount"])
    return out[PLAN_COLUMNS].reset_index(drop=True)


def _unit_of(fld: str) -> str:
    return {"teaching_area": "㎡", "sports_ground_area": "㎡", "indoor_sports_area": "㎡", "equipment_value": "元",
            "multimedia_rooms": "间", "computers": "台", "books": "册"}.get(fld, "人")


def _summaries(items: pd.DataFrame, before, after, std: Standard, costs: Costs, certs: dict | None = None):
    """``plan_summary.csv`` (per county × year × stage × indicator) and the JSON records.

    A facility bought once for a combined school whose two sections both need it (stage
    "小学、初中" in ``plan.csv``) is counted under 小学, so the summary's costs add up to the total.
    """
    ci_b = dict(list(before.county_indicators.groupby(["year", "county_code", "stage"], sort=False)))
    ci_a = dict(list(after.county_indicators.groupby(["year", "county_code", "stage"], sort=False)))
    it_by = dict(list(items.groupby(["year", "county_code"], sort=False))) if len(items) else {}
    rows = []
    counties = []
    verd_a = after.verdicts.set_index(["year", "county_code"])
    for v in before.verdicts.itertuples(index=False):
        key = (v.year, v.county_code)
        va = verd_a.loc[key]
        it = it_by.get(key, items.iloc[0:0])
        rec = {"year": int(v.year), "county_code": v.county_code, "county_name": v.county_name,
               "standard": std.id, "total_cost": float(it["cost"].sum()) if len(it) else 0.0,
               "currency": costs.currency,
               "before": {"passed": bool(v.passed), "sections": int(v.sections),
                          "sections_passed": _int(getattr(v, "sections_passed", None)),
                          "cvs_passed": int(v.cvs_passed), "cvs_decisive": int(v.cvs_decisive),
                          "failing_items": list(v.failing_items)},
               "after": {"passed": bool(va["passed"]), "sections": int(va["sections"]),
                         "sections_passed": _int(va.get("sections_passed")),
                         "cvs_passed": int(va["cvs_passed"]), "cvs_decisive": int(va["cvs_decisive"]),
                         "failing_items": list(va["failing_items"])},
               "cost_by_item": [], "stages": {}}
        if certs is not None and any(c.get("budget") is not None for c in certs.values()):
            cert = certs.get(key) or {}
            rec.update({"lower_bound": None, "model_cost": None, "gap": None, "gap_optimisation": None,
                        "gap_rounding": None, "solver_status": cert.get("status", "not needed"),
                        "solver_seconds": cert.get("seconds"), "budget": cert.get("budget"),
                        "budget_left": (cert["budget"] - rec["total_cost"]) if cert.get("budget") is not None else None,
                        "cv_excess_after": cert.get("cv_excess")})
        elif certs is not None:
            cert = certs.get(key)
            cost = rec["total_cost"]
            lb = float(cert["lower_bound"]) if cert is not None else 0.0
            model = float(cert["model_cost"]) if cert is not None else 0.0
            rec.update({"lower_bound": min(lb, cost), "model_cost": model, "gap": _gap(cost, lb),
                        "gap_optimisation": max(model - lb, 0.0) / cost if cost > 0 else 0.0,
                        "gap_rounding": max(cost - model, 0.0) / cost if cost > 0 else 0.0,
                        "solver_status": cert["status"] if cert is not None else "not needed",
                        "solver_seconds": round(float(cert["seconds"]), 4) if cert is not None else 0.0})
        else:
            rec.update({"lower_bound": None, "model_cost": None, "gap": None, "gap_optimisation": None,
                        "gap_rounding": None, "solver_status": "heuristic", "solver_seconds": None})
        empty = it.iloc[0:0]
        by_ind = (dict(list(it.groupby([it["indicator"], it["stage"].str.split("、").str[0]], sort=False)))
                  if len(it) else {})
        for stage in std.stages:
            b_st = ci_b.get((*key, stage))
            if b_st is None or b_st.empty:
                continue
            a_st = ci_a.get((*key, stage), b_st.iloc[0:0])
            a_cv = dict(zip(a_st["indicator"], a_st["cv"]))
            a_val = dict(zip(a_st["indicator"], a_st["value"]))
            ind_recs = []
            for r in b_st.itertuples(index=False):
                ind = std.indicator(r.indicator)
                sel = by_ind.get((r.indicator, stage), empty)
                add = sel[sel["kind"] == "add"] if len(sel) else sel
                tin = sel[sel["kind"] == "transfer_in"] if len(sel) else sel
                row = {"year": v.year, "county_code": v.county_code, "county_name": v.county_name, "stage": stage,
                       "indicator": r.indicator, "column": input_header(ind.main_field, stage),
                       "unit": _unit_of(ind.main_field),
                       "amount": float(add["amount"].sum()) if len(add) else 0.0,
                       "transferred": float(tin["amount"].sum()) if len(tin) else 0.0,
                       "schools": int(sel["school_code"].nunique()) if len(sel) else 0,
                       "cost": float(sel["cost"].sum()) if len(sel) else 0.0,
                       "value_before": r.value, "value_after": a_val.get(r.indicator, np.nan),
                       "cv_before": r.cv, "cv_after": a_cv.get(r.indicator, np.nan), "cv_limit": r.cv_limit,
                       "sections": getattr(v, f"sections_{stage}", np.nan),
                       "sections_passed_before": getattr(v, f"sections_passed_{stage}", np.nan),
                       "sections_passed_after": va.get(f"sections_passed_{stage}", np.nan),
                       "lower_bound_wan": (rec["lower_bound"] / 1e4 if rec["lower_bound"] is not None else np.nan),
                       "county_cost_wan": rec["total_cost"] / 1e4,
                       "gap": rec["gap"] if rec["gap"] is not None else np.nan}
                rows.append(row)
                ind_recs.append({k: _jsonable(row[k]) for k in ("indicator", "column", "unit", "amount", "transferred",
                                                                "schools", "cost", "value_before", "value_after",
                                                                "cv_before", "cv_after", "cv_limit")})
            rec["stages"][stage] = {"sections": _int(getattr(v, f"sections_{stage}", None)),
                                    "sections_passed_before": _int(getattr(v, f"sections_passed_{stage}", None)),
                                    "sections_passed_after": _int(va.get(f"sections_passed_{stage}")),
                                    "indicators": ind_recs}
        if len(it):
            g = it[it["cost"] > 0].groupby(["column", "kind"], sort=False).agg(amount=("amount", "sum"),
                                                                                   cost=("cost", "sum"))
            rec["cost_by_item"] = [{"column": c, "kind": k, "amount": float(r.amount), "cost": float(r.cost)}
                                   for (c, k), r in g.sort_values("cost", ascending=False).iterrows()]
        counties.append(rec)
    cols = ["year", "county_code", "county_name", "stage", "indicator", "column", "unit", "amount", "transferred",
            "schools", "cost", "value_before", "value_after", "cv_before", "cv_after", "cv_limit", "sections",
            "sections_passed_before", "sections_passed_after", "lower_bound_wan", "county_cost_wan", "gap"]
    summary = pd.DataFrame(rows, columns=cols)
    return summary, counties


def _int(v):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return int(v)


def _jsonable(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    return v


# ------------------------------------------------------------------------------ CV contributions

def cv_contributions(assessment) -> pd.DataFrame:
    """Each in-scope section's share of the pupil-weighted variance behind each CV.

    ``contribution = P_i (x_i − X)² / Σ_j P_j (x_j − X)²`` per year × county × stage × indicator
    (NaN when every section has the same value). The shares of a group sum to 1; rows are sorted
    by group and by contribution, largest first, so the few sections that drive a failing CV come
    first. ``side`` says whether the section sits above or below the county mean X (for a CV over
    its limit, lifting the low ones or adding less to the high ones both help).
    """
    a = assessment
    std = a.standard
    sr = a.school_results
    cols = ["year", "county_code", "county_name", "stage", "indicator", "school_code", "school_name", "students",
            "value", "mean", "side", "contribution", "cumulative", "rank", "cv", "cv_limit", "cv_passed"]
    if sr.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    ci = a.county_indicators.set_index(["year", "county_code", "stage", "indicator"])
    frames = []
    for name in std.indicator_names:
        f = sr[["year", "county_code", "county_name", "stage", "school_code", "school_name", "students"]].copy()
        f["indicator"] = name
        f["value"] = sr[name].to_numpy(dtype="float64")
        frames.append(f)
    df = pd.concat(frames, ignore_index=True)
    key = ["year", "county_code", "stage", "indicator"]
    P = df["students"].astype("float64")
    w = df.assign(_px=P * df["value"], _p=P).groupby(key, sort=False)[["_px", "_p"]].transform("sum")
    df["mean"] = w["_px"] / w["_p"]
    dev2 = P * (df["value"] - df["mean"]) ** 2
    tot = dev2.groupby([df[k] for k in key], sort=False).transform("sum")
    with np.errstate(invalid="ignore", divide="ignore"):
        df["contribution"] = np.where(tot > 0, dev2 / tot.where(tot > 0, 1.0), np.nan)
    df["side"] = np.where(df["value"] > df["mean"], "above", np.where(df["value"] < df["mean"], "below", "at"))
    order = {n: i for i, n in enumerate(std.indicator_names)}
    df["_o"] = df["indicator"].map(order)
    df["_s"] = df["stage"].map({s: i for i, s in enumerate(["小学", "初中"])})
    df = df.sort_values(["year", "county_code", "_s", "_o", "contribution"], ascending=[True, True, True, True, False],
                        kind="stable", na_position="last")
    df["rank"] = df.groupby(key, sort=False).cumcount() + 1
    df["cumulative"] = df.groupby(key, sort=False)["contribution"].cumsum()
    look = ci.reindex(pd.MultiIndex.from_frame(df[key]))
    df["cv"] = look["cv"].to_numpy()
    df["cv_limit"] = look["cv_limit"].to_numpy()
    df["cv_passed"] = look["cv_passed"].to_numpy()
    return df[cols].reset_index(drop=True)


# -------------------------------------------------------------------------------------- writing

def planned_input_frame(planned: pd.DataFrame) -> pd.DataFrame:
    """The planned canonical table with the standard Chinese headers (``columns.yaml``)."""
    cols = [c["name"] for c in COLUMNS if c["name"] in planned.columns]
    out = planned[cols].copy()
    return out.rename(columns=HEADERS)


def write_plan(p: Plan, out_dir: "str | Path", schedule=None) -> list[Path]:
    """Write ``plan.csv``, ``plan_summary.csv``, ``plan_summary.json``, ``planned_input.csv`` and
    ``cv_contributions.csv`` (before the plan) into ``out_dir``, atomically (temporary folder first);
    with ``schedule`` (the frame of :func:`balance.analysis.planner.schedule.schedule_plan`) also
    ``plan_schedule.csv``.
    """
    from balance import __version__
    from balance.io.export.assessment import _csv_ready

    from balance.io.files import json_text, staged_files

    with staged_files(out_dir) as s:
        files = {
            "plan.csv": p.items,
            "plan_summary.csv": p.summary,
            "planned_input.csv": planned_input_frame(p.planned),
            "cv_contributions.csv": cv_contributions(p.before),
        }
        if schedule is not None:
            files["plan_schedule.csv"] = schedule
        for name, df in files.items():
            _csv_ready(df).to_csv(s.stage(name), index=False, encoding="utf-8-sig")
        payload = {"generator": f"balance {__version__}", "standard": p.standard.id, "transfers": p.transfers,
                   "feasible": p.feasible, "total_cost": p.total_cost, "method": p.method,
                   "lower_bound": p.lower_bound, "gap": p.gap,
                   "costs_illustrative": p.costs_illustrative, "costs": p.costs.to_dict(),
                   "notes": p.notes, "seconds": round(p.seconds, 3), "counties": p.counties}
        s.stage("plan_summary.json").write_text(
            json_text(payload), encoding="utf-8")
    return s.final

