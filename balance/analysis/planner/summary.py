"""``plan_summary.csv`` and the JSON records per county-year (cost, bound, gap, before/after).

Moved unchanged from :mod:`balance.analysis.planner.planning` (which still re-exports every name).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from balance.method.standards import Standard
from balance.schema import input_header
from balance.analysis.planner.costs import Costs
from balance.analysis.planner.records import _unit_of


def _gap(cost: float, bound: float) -> float:
    return max(cost - bound, 0.0) / cost if cost > 0 else 0.0


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
