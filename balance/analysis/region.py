"""The region table (区域总览): one row per county of one year, ranked by a stated rule, with city totals.

:func:`county_rows` joins, per county of the chosen year, the results other modules computed once:

* resource allocation (:func:`balance.method.assessment.assess`): ``passed``, ``sections``,
  ``sections_passed``, ``share`` = sections_passed ÷ sections (NaN without a school rule),
  ``fail_cvs`` = decisive CVs over their limit, ``worst_cv_ratio`` = max over decisive CVs of
  cv ÷ cv_limit (dimensionless; > 1 is over the limit);
* the four areas (:func:`balance.method.evaluation.evaluate`, only with a county sheet):
  ``four_passed`` (NA when not evaluated) and ``<area>_status``;
* the least-cost plan (:func:`balance.analysis.planner.plan`, one run for all counties of the year):
  ``plan_cost`` in 元 (0 for a county that already passes; NaN when the standard has no plan);
* the previous year in the data: ``prev_year``, ``prev_share``, ``prev_fail_cvs``, ``prev_passed``;
* oversized schools and classes (:func:`balance.analysis.oversize.oversize_counts`).

:func:`rank_counties` sorts by :data:`RANK_KEYS` (the rule is stated on the page as :data:`RANK_RULE`):
a county whose sections all pass with one CV slightly over its limit ranks above one where a
quarter of the sections fail, because the passing share comes before the CV count.
:func:`city_total` is the sum of ``plan_cost`` over the table's rows (元).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["RANK_KEYS", "RANK_RULE", "OVERSIZE_COLUMNS", "county_rows", "rank_counties", "city_total",
           "failing_resource_items"]

#: (column, ascending, what it means in the stated rule); NaN sorts last.
RANK_KEYS = (
    ("four_rank", False, "督导评估四个方面综合结论（达到者在前，有县级填报表时）"),
    ("passed", False, "资源配置是否达标（达标者在前）"),
    ("share", False, "学段单位达标率（高者在前）"),
    ("fail_cvs", True, "超限差异系数项数（少者在前）"),
    ("worst_cv_ratio", True, "最大的差异系数与限值之比（小者在前）"),
    ("plan_cost", True, "最低成本达标方案投入（少者在前）"),
)

#: The ranking rule in words, shown on the page.
RANK_RULE = "依次按：" + "；".join(f"{i + 1}. {t}" for i, (_, _, t) in enumerate(RANK_KEYS)) + "。"

OVERSIZE_COLUMNS = ["oversized_schools", "seats_needed", "oversized_classes", "classes_needed"]


def _resource(assessment, year: int) -> pd.DataFrame:
    v = assessment.verdicts
    v = v[v["year"] == year][["year", "county_code", "county_name", "passed", "sections", "sections_passed",
                              "cvs_decisive", "cvs_passed"]].copy()
    v["fail_cvs"] = (v["cvs_decisive"] - v["cvs_passed"]).astype(int)
    has_rule = assessment.standard.school_rule is not None and v["sections_passed"].notna().all()
    v["share"] = (v["sections_passed"].astype(float) / v["sections"].clip(lower=1)) if has_rule else np.nan
    ci = assessment.county_indicators
    d = ci[(ci["year"] == year) & ci["decisive"]].copy()
    d["ratio"] = d["cv"].astype(float) / d["cv_limit"].astype(float)
    worst = d.groupby("county_code")["ratio"].max()
    v["worst_cv_ratio"] = v["county_code"].map(worst).astype(float)
    return v.reset_index(drop=True)


def failing_resource_items(assessment, county_code: str, year: int) -> list[str]:
    """Plain-Chinese failing items of resource allocation: each CV over its limit, then the sections
    failing the school rule (count per stage)."""
    ci = assessment.county_indicators
    d = ci[(ci["year"] == year) & (ci["county_code"] == county_code) & ci["decisive"]]
    out = []
    for r in d[~d["cv_passed"].fillna(False).astype(bool)].itertuples(index=False):
        cv = "无法计算" if pd.isna(r.cv) else f"{r.cv:.3f}（限值 {r.cv_limit:.2f}）"
        out.append(f"{r.stage}“{r.indicator}”差异系数 {cv}")
    if assessment.standard.school_rule is not None:
        sr = assessment.school_results
        s = sr[(sr["year"] == year) & (sr["county_code"] == county_code)]
        bad = s[~s["school_passed"].fillna(False).astype(bool)]
        for st, n in bad.groupby("stage", sort=False).size().items():
            out.append(f"{st} {n} 个学段单位未达到学校资源配置标准")
    return out


def _previous(assessment, year: int) -> pd.DataFrame:
    years = sorted(int(y) for y in assessment.verdicts["year"].unique() if int(y) < year)
    cols = ["county_code", "prev_year", "prev_passed", "prev_share", "prev_fail_cvs"]
    if not years:
        return pd.DataFrame(columns=cols)
    p = _resource(assessment, years[-1])
    return p.rename(columns={"year": "prev_year", "passed": "prev_passed", "share": "prev_share",
                             "fail_cvs": "prev_fail_cvs"})[cols]


def _oversize(oversize: pd.DataFrame | None, year: int) -> pd.DataFrame:
    if oversize is None or oversize.empty:
        return pd.DataFrame(columns=["county_code", *OVERSIZE_COLUMNS])
    o = oversize[oversize["year"] == year].copy()
    o["oversized_classes"] = o["primary_oversized_classes"] + o["junior_oversized_classes"]
    o["classes_needed"] = o["primary_classes_needed"] + o["junior_classes_needed"]
    return o[["county_code", *OVERSIZE_COLUMNS]]


def county_rows(assessment, year: int, *, evaluation=None, plan=None, oversize: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per county of ``year`` (columns: see the module docstring), not yet ranked.

    ``plan`` is a :class:`~balance.analysis.planner.planning.Plan` of that year (or None: no cost);
    ``evaluation`` an :class:`~balance.method.evaluation.Evaluation` (or None: four areas not evaluated).
    """
    year = int(year)
    v = _resource(assessment, year)
    v["failing_items"] = [failing_resource_items(assessment, c, year) for c in v["county_code"]]
    v["four_passed"] = pd.array([pd.NA] * len(v), dtype="boolean")
    if evaluation is not None:
        ev = evaluation.verdicts
        ev = ev[ev["year"] == year].set_index("county_code")
        v["four_passed"] = pd.array([bool(ev.at[c, "passed"]) if c in ev.index else pd.NA for c in v["county_code"]],
                                    dtype="boolean")
        for key in ("resource", "government", "quality", "recognition", "veto"):
            v[f"{key}_status"] = [ev.at[c, f"{key}_status"] if c in ev.index else None for c in v["county_code"]]
        v["four_failing_items"] = [list(ev.at[c, "failing_items"]) if c in ev.index else [] for c in v["county_code"]]
    v["four_rank"] = v["four_passed"].astype("float")
    if plan is not None:
        cost = {(int(c["year"]), str(c["county_code"])): float(c["total_cost"]) for c in plan.counties}
        v["plan_cost"] = [cost.get((year, c), 0.0) for c in v["county_code"]]
        v["plan_feasible"] = bool(plan.feasible)
    else:
        v["plan_cost"] = np.nan
    v = v.merge(_previous(assessment, year), on="county_code", how="left")
    v = v.merge(_oversize(oversize, year), on="county_code", how="left")
    return v


def rank_counties(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` sorted by :data:`RANK_KEYS` (then county code, so ties are stable), with ``rank`` 1…n."""
    keys = [k for k, _, _ in RANK_KEYS if k in rows.columns]
    asc = [a for k, a, _ in RANK_KEYS if k in rows.columns]
    out = rows.sort_values(keys + ["county_code"], ascending=asc + [True], na_position="last", kind="mergesort")
    out = out.reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def city_total(rows: pd.DataFrame) -> float:
    """What it costs the whole city to pass (元): Σ ``plan_cost`` over the counties of the table."""
    return float(rows["plan_cost"].fillna(0.0).sum())
