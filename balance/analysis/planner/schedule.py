"""Year by year to a target year: the least-cost plan spread over the years up to it.

``schedule_plan(table, target_year=Y, annual_cap_wan=C)`` takes the least-cost plan of the latest
data year *Y₀* (:func:`balance.analysis.planner.plan`) and spreads its items over the years
Y₀+1 … Y: items in the order of ``plan.csv`` fill each year up to the annual cap (万元; without a
cap, the total ÷ number of years), an item larger than what is left in a year is split (whole
units for teachers and rooms, the resolution for areas and equipment). What does not fit before Y
is scheduled in year Y+1 with ``beyond_target = True`` and a note. The schedule sums to the plan,
item by item.

Pupil numbers: the plan uses the pupils of Y₀ (stated trend: constant enrolment). Projections held
in the data are not used yet.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from balance.errors import InputError, Problem

__all__ = ["schedule_plan", "SCHEDULE_COLUMNS"]

SCHEDULE_COLUMNS = ["spend_year", "beyond_target", "year", "county_code", "county_name", "school_code", "school_name",
                    "stage", "column", "field", "kind", "amount", "unit", "unit_cost", "cost"]


def _bad(zh, en, col):
    return InputError([Problem(file=col, column=col, code="schedule_invalid", problem_zh=zh, problem_en=en)],
                      "排期参数有误", "invalid schedule options")


def schedule_plan(assessment_or_table, target_year: int, annual_cap_wan: float | None = None,
                  standard="quality-2017", costs=None, county: str | None = None, year: int | None = None):
    """The plan and its schedule: ``(Plan, DataFrame of SCHEDULE_COLUMNS, notes)``.

    Raises
    ------
    InputError
        ``target_year`` not after the data year, or ``annual_cap_wan`` not a finite number > 0.
    """
    from balance.analysis.planner.planning import plan

    if annual_cap_wan is not None and not (isinstance(annual_cap_wan, (int, float)) and math.isfinite(annual_cap_wan)
                                           and annual_cap_wan > 0):
        raise _bad("年度预算上限必须是大于0的数字（万元）", "the annual cap must be a number > 0 (万元)", "--annual-cap")
    p = plan(assessment_or_table, standard, costs=costs, county=county, year=year)
    base = max((c["year"] for c in p.counties), default=None)
    if base is not None and int(target_year) <= base:
        raise _bad(f"目标年份必须晚于数据年份 {base}", f"the target year must be after the data year {base}", "--target-year")
    years = list(range(base + 1, int(target_year) + 1)) if base is not None else []
    rows, notes = [], []
    it = p.items[p.items["cost"] > 0] if len(p.items) else p.items
    for (yr, cc), g in (it.groupby(["year", "county_code"], sort=True) if len(it) else []):
        total = float(g["cost"].sum())
        cap = annual_cap_wan * 1e4 if annual_cap_wan is not None else total / len(years)
        left = {y: cap for y in years}
        for r in g.itertuples(index=False):
            amount, unit_cost = float(r.amount), float(r.unit_cost)
            whole = r.unit in ("人", "间", "台", "册")
            step = 1.0 if whole else (p.costs.step(str(r.field)) or 0.0)
            rest = amount
            for y in years:
                if rest <= 0:
                    break
                fit = left[y] / unit_cost if unit_cost > 0 else rest
                q = min(rest, math.floor(fit / step + 1e-9) * step if step > 0 else fit)
                if q <= 0:
                    continue
                if y == years[-1] or q >= rest - 1e-9:
                    q = min(q, rest)
                rows.append((y, False, yr, cc, r.county_name, r.school_code, r.school_name, r.stage, r.column, r.field, r.kind,
                             q, r.unit, unit_cost, q * unit_cost))
                left[y] -= q * unit_cost
                rest -= q
            if rest > 1e-9:
                rows.append((years[-1] + 1, True, yr, cc, r.county_name, r.school_code, r.school_name, r.stage,
                             r.column, r.field, r.kind, rest, r.unit, unit_cost, rest * unit_cost))
        over = sum(x[14] for x in rows if x[1] and x[3] == cc and x[2] == yr)
        if over > 0:
            notes.append(f"{yr} {cc}: 年度上限内到 {years[-1]} 年无法完成，尚余 {over / 1e4:,.1f} 万元 / "
                         f"{over / 1e4:,.1f} 万元 do not fit under the annual cap by {years[-1]}")
    sched = pd.DataFrame(rows, columns=SCHEDULE_COLUMNS)
    return p, sched, notes
