"""The investment planner: what must be added so that a county passes, at least cost.

``plan(table) -> Plan`` finds the additions that make every in-scope section pass the school rule
and every CV meet its limit, at least total cost under the unit prices (:mod:`.costs`). The
default solver is the mixed-integer cone programme of :mod:`balance.analysis.planner.optimal`;
``method="waterfill"`` is the earlier heuristic (:mod:`.waterfill`, with its derivation).
``cv_contributions(assessment)`` shows which sections drive each CV (:mod:`.writing`).

This module keeps every name it had before the split (costs, heuristic, records, summaries,
writing are re-exported), so ``from balance.analysis.planner.planning import X`` still works.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from balance.analysis.planner.costs import (  # noqa: F401
    _KIND,
    COSTS_FILE,
    CV_MARGIN,
    KIND_ZH,
    MAX_COST,
    MAX_ROUNDS,
    MAX_TEACHER_YEARS,
    PLAN_COLUMNS,
    TEACHER_FIELDS,
    TRANSFERABLE,
    Costs,
    _nonneg_number,
    _read_costs_file,
    load_costs,
)
from balance.analysis.planner.groups import _cv, _Group, _round_units  # noqa: F401
from balance.analysis.planner.records import _finish_records, _items_frame, _unit_of  # noqa: F401
from balance.analysis.planner.summary import _gap, _int, _jsonable, _summaries  # noqa: F401
from balance.analysis.planner.transfers import _solve_transfers, _transfer_slack  # noqa: F401
from balance.analysis.planner.waterfill import _greedy, _local_search, _plan_round, _solve, _waterfill  # noqa: F401
from balance.analysis.planner.writing import cv_contributions, planned_input_frame, write_plan  # noqa: F401
from balance.errors import InputError, Problem
from balance.method.standards import Standard, load_standard

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
    #: which pupil numbers the plan used (set by :func:`~balance.analysis.planner.schedule.schedule_plan`)
    pupil_basis: str = ""

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
        raw = _round_items(planned, after, keys, failing, std, cst, rnd, method=method, transfers=transfers,
                           search=search, budget_wan=budget_wan, certs=certs)
        for items in raw:
            _apply_items(planned, items, rnd)
            item_frames.append(items)
        if not raw:
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


def _round_items(planned: pd.DataFrame, after, keys: dict, failing: list, std: Standard, cst: Costs, rnd: int, *,
                 method: str, transfers: bool, search: bool, budget_wan, certs: dict) -> list[pd.DataFrame]:
    """The items of round ``rnd`` for the failing county-years (``_row`` = row of ``planned``):
    by the optimiser (its certificate kept in ``certs``: the first round's, with the number of
    repair rounds) or by the heuristic (local search in the first round only)."""
    secs = after.sections[after.sections["in_scope"]].reset_index(drop=True)
    sec_groups = secs.groupby(["year", "county_code"], sort=False).indices
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
    return raw


def _apply_items(planned: pd.DataFrame, items: pd.DataFrame, rnd: int) -> None:
    """Mark the items with their round and add their amounts to ``planned`` (in place), one
    vector update per column."""
    items["round"] = rnd + 1
    sums = items.groupby(["_row", "column_field"])["amount"].sum()
    for col, s in sums.groupby(level=1, sort=False):
        at = s.index.get_level_values(0).to_numpy()
        planned.loc[at, col] = planned.loc[at, col].to_numpy() + s.to_numpy()


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
