"""Year by year to a target year: the least-cost plan spread over the years up to it.

``schedule_plan(table, target_year=Y, annual_cap_wan=C)`` takes the least-cost plan of the base
year *Y₀* (``year``, default the latest data year before Y; :func:`balance.analysis.planner.plan`) **for the
pupils expected in Y** and spreads its items over the years
Y₀+1 … Y: items in the order of ``plan.csv`` fill each year up to the annual cap (万元; without a
cap, the total ÷ number of years), an item larger than what is left in a year is split (whole
units for teachers and rooms, the resolution for areas and equipment). What does not fit before Y
is scheduled in year Y+1 with ``beyond_target = True`` and a note. The schedule sums to the plan,
item by item.

Pupil numbers (:func:`projected_pupils`; the sentence saying which is ``Plan.pupil_basis``, shown
in ``plan.xlsx`` and the briefing). The plan keeps the resources of Y₀ and takes the pupils of Y:

1. **projections in the data** — when the school table holds rows for the year Y (same county and
   school codes; e.g. ``--year 2025 --target-year 2028`` with 2028 rows of projected enrolment), each
   school's 在校生数 per stage are taken from its Y row (its other columns are not used); a school
   without a Y row keeps its Y₀ pupils;
2. otherwise **a simple trend** — each county's in-scope pupils per stage change every year by the
   average annual rate between the first data year and Y₀, :math:`r = (P_{Y_0}/P_{first})^{1/(Y_0-first)} - 1`
   (limited to ±10 % a year), applied alike to every school: pupils × :math:`(1+r)^{Y-Y_0}`, rounded;
3. with a single data year, **constant enrolment** (the pupils of Y₀).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from balance.errors import InputError, Problem

__all__ = ["schedule_plan", "projected_pupils", "SCHEDULE_COLUMNS", "MAX_TREND"]

#: The largest yearly rate of the pupil trend (±), so that a short, noisy history cannot explode.
MAX_TREND = 0.10
_PUPILS = ("primary_students", "junior_students", "senior_students")

SCHEDULE_COLUMNS = ["spend_year", "beyond_target", "year", "county_code", "county_name", "school_code", "school_name",
                    "stage", "column", "field", "kind", "amount", "unit", "unit_cost", "cost"]


def _bad(zh, en, col):
    return InputError([Problem(file=col, column=col, code="schedule_invalid", problem_zh=zh, problem_en=en)],
                      "排期参数有误", "invalid schedule options")


def schedule_plan(assessment_or_table, target_year: int, annual_cap_wan: float | None = None,
                  standard="quality-2017", costs=None, county: str | None = None, year: int | None = None):
    """The plan and its schedule: ``(Plan, DataFrame of SCHEDULE_COLUMNS, notes)``.

    The plan is that of the base year's resources for the target year's pupils (see the module
    text); ``Plan.pupil_basis`` says which pupil numbers were used.

    Raises
    ------
    InputError
        ``target_year`` not after the data year, or ``annual_cap_wan`` not a finite number > 0.
    """
    from balance.analysis.planner.costs import load_costs
    from balance.analysis.planner.planning import _canonical, _check_supported, _schools_of, plan_schools
    from balance.method.assessment import Assessment, _filter
    from balance.method.standards import load_standard

    if annual_cap_wan is not None and not (isinstance(annual_cap_wan, (int, float)) and math.isfinite(annual_cap_wan)
                                           and annual_cap_wan > 0):
        raise _bad("年度预算上限必须是大于0的数字（万元）", "the annual cap must be a number > 0 (万元)", "--annual-cap")
    if isinstance(assessment_or_table, Assessment):
        a = assessment_or_table
        std, schools, source = a.standard, _schools_of(a), a.source
    else:
        std = load_standard(standard)
        schools, source = _canonical(assessment_or_table)
    _check_supported(std)
    schools = _filter(schools, None, county, source)
    _filter(schools, year, None, source)  # the base year must be in the data (bilingual error otherwise)
    # the base year: the one asked for, else the latest data year before the target (later rows are projections)
    before = [int(y) for y in schools["year"].unique() if int(y) < int(target_year)]
    base = int(year) if year is not None else (max(before) if before else
                                               int(schools["year"].max()) if len(schools) else None)
    if base is not None and int(target_year) <= base:
        raise _bad(f"目标年份必须晚于数据年份 {base}", f"the target year must be after the data year {base}", "--target-year")
    projected, basis = projected_pupils(schools, base, int(target_year)) if base is not None else (schools, "")
    p = plan_schools(projected.reset_index(drop=True), std, load_costs(costs))
    p.pupil_basis = basis
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


def projected_pupils(schools: pd.DataFrame, base: int, target: int) -> tuple[pd.DataFrame, str]:
    """The base year's rows with the pupils expected in ``target``, and the sentence saying how.

    See the module text: the data's own ``target`` rows when present, else the county trend
    (at most :data:`MAX_TREND` a year), else constant enrolment.
    """
    rows = schools[schools["year"] == base].copy()
    cols = [c for c in _PUPILS if c in rows.columns]
    fut = schools[schools["year"] == target]
    if len(fut):
        key = ["county_code", "school_code"]
        m = rows[key].merge(fut[key + cols].drop_duplicates(key), on=key, how="left")
        found = m[cols[0]].notna().to_numpy()
        for c in cols:
            rows[c] = np.where(found, m[c].to_numpy(), rows[c].to_numpy()).astype(rows[c].dtype)
        miss = int((~found).sum())
        return rows, (f"按 {target} 年的在校生数规划：取自数据中的 {target} 年记录（预测数，只用其在校生数，"
                      f"用房、设备、教师等沿用 {base} 年）" + (f"；{miss} 所学校没有 {target} 年记录，沿用 {base} 年在校生数"
                                                if miss else "") + "。")
    earlier = sorted(int(y) for y in schools["year"].unique() if int(y) < base)
    if not earlier:
        return rows, f"数据中没有 {target} 年的在校生数，且只有 {base} 年一年：假定在校生数保持 {base} 年不变。"
    first = earlier[0]
    old = schools[schools["year"] == first]
    rates = []
    for cc, idx in rows.groupby("county_code").groups.items():
        for c in cols:
            p0, p1 = float(old.loc[old["county_code"] == cc, c].sum()), float(rows.loc[idx, c].sum())
            r = (p1 / p0) ** (1.0 / (base - first)) - 1.0 if p0 > 0 and p1 > 0 else 0.0
            r = min(max(r, -MAX_TREND), MAX_TREND)
            rows.loc[idx, c] = np.round(rows.loc[idx, c].to_numpy(dtype="float64") * (1.0 + r) ** (target - base)) \
                .astype(rows[c].dtype)
            if p1 > 0 and c != "senior_students":
                rates.append(f"{cc} {'小学' if c == 'primary_students' else '初中'} {r:+.1%}")
    return rows, (f"数据中没有 {target} 年的在校生数：按 {first}–{base} 年各县各学段在校生总数的年均变化率"
                  f"（{'，'.join(rates)}；每年最多 ±{MAX_TREND:.0%}）推算到 {target} 年，各校同比例变化。")
