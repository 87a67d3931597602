"""``plan_summary.csv`` and the JSON records per county-year (cost, bound, gap, before/after).

Moved unchanged from :mod:`balance.analysis.planner.planning` (which still re-exports every name).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from balance.analysis.planner.costs import Costs
from balance.analysis.planner.records import _unit_of
from balance.io.files import json_scalar as _jsonable  # the one home of the JSON cell conversion
from balance.method.standards import Standard
from balance.schema import input_header


def _gap(cost: float, bound: float) -> float:
    return max(cost - bound, 0.0) / cost if cost > 0 else 0.0


def _summaries(items: pd.DataFrame, before, after, std: Standard, costs: Costs, certs: dict | None = None):
    """``plan_summary.csv`` (per county × year × stage × indicator) and the JSON records.

    A facility bought once for a combined school whose two sections both need it (stage
    "小学、初中" in ``plan.csv``) is counted under 小学, so the summary's costs add up to the total.
    """
    ci_b, ci_a = _by_county_stage(before.county_indicators), _by_county_stage(after.county_indicators)
    it_by = dict(list(items.groupby(["year", "county_code"], sort=False))) if len(items) else {}
    rows = []
    counties = []
    verd_a = {(r["year"], r["county_code"]): r for r in after.verdicts.to_dict("records")}
    per_ind = _indicator_totals(items)
    by_item = _cost_by_item(items)
    budget_mode = certs is not None and any(c.get("budget") is not None for c in certs.values())
    for v in before.verdicts.itertuples(index=False):
        key = (v.year, v.county_code)
        va = verd_a[key]
        rec = _county_record(v, va, it_by.get(key, items.iloc[0:0]), std, costs)
        rec.update(_certificate_fields(rec["total_cost"], certs, key, budget_mode))
        for stage in std.stages:
            b_st = ci_b.get((*key, stage))
            if not b_st:
                continue
            stage_rows = _stage_rows(v, va, stage, b_st, ci_a.get((*key, stage), []), std, per_ind, rec)
            rows.extend(stage_rows)
            ind_recs = [{k: _jsonable(row[k]) for k in ("indicator", "column", "unit", "amount", "transferred",
                                                        "schools", "cost", "value_before", "value_after",
                                                        "cv_before", "cv_after", "cv_limit")} for row in stage_rows]
            rec["stages"][stage] = {"sections": _int(getattr(v, f"sections_{stage}", None)),
                                    "sections_passed_before": _int(getattr(v, f"sections_passed_{stage}", None)),
                                    "sections_passed_after": _int(va.get(f"sections_passed_{stage}")),
                                    "indicators": ind_recs}
        rec["cost_by_item"] = by_item.get(key, [])
        counties.append(rec)
    cols = ["year", "county_code", "county_name", "stage", "indicator", "column", "unit", "amount", "transferred",
            "schools", "cost", "value_before", "value_after", "cv_before", "cv_after", "cv_limit", "sections",
            "sections_passed_before", "sections_passed_after", "lower_bound_wan", "county_cost_wan", "gap"]
    summary = pd.DataFrame(rows, columns=cols)
    return summary, counties


def _county_record(v, va: dict, it: pd.DataFrame, std: Standard, costs: Costs) -> dict:
    """The JSON record of one county-year before the certificate: total cost (元, the sum of its
    items), the verdict before (``v``, a row of ``before.verdicts``) and after (``va``); key order
    is that of ``plan_summary.json``."""
    return {"year": int(v.year), "county_code": v.county_code, "county_name": v.county_name,
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


def _certificate_fields(cost: float, certs: dict | None, key, budget_mode: bool) -> dict:
    """Lower bound, model cost, gap and its split, solver status and seconds of one county-year.

    ``gap = max(cost − bound, 0)/cost``, ``gap_optimisation = max(model − bound, 0)/cost``,
    ``gap_rounding = max(cost − model, 0)/cost`` (0 when nothing is bought; a county-year the
    optimiser did not need has bound = model = 0, status "not needed"); the heuristic has no bound
    (status "heuristic"); a budget plan reports its budget, what is left and the CV excess instead.
    """
    if budget_mode:
        cert = certs.get(key) or {}
        return {"lower_bound": None, "model_cost": None, "gap": None, "gap_optimisation": None,
                "gap_rounding": None, "solver_status": cert.get("status", "not needed"),
                "solver_seconds": cert.get("seconds"), "budget": cert.get("budget"),
                "budget_left": (cert["budget"] - cost) if cert.get("budget") is not None else None,
                "cv_excess_after": cert.get("cv_excess")}
    if certs is not None:
        cert = certs.get(key)
        lb = float(cert["lower_bound"]) if cert is not None else 0.0
        model = float(cert["model_cost"]) if cert is not None else 0.0
        return {"lower_bound": min(lb, cost), "model_cost": model, "gap": _gap(cost, lb),
                "gap_optimisation": max(model - lb, 0.0) / cost if cost > 0 else 0.0,
                "gap_rounding": max(cost - model, 0.0) / cost if cost > 0 else 0.0,
                "solver_status": cert["status"] if cert is not None else "not needed",
                "solver_seconds": round(float(cert["seconds"]), 4) if cert is not None else 0.0}
    return {"lower_bound": None, "model_cost": None, "gap": None, "gap_optimisation": None,
            "gap_rounding": None, "solver_status": "heuristic", "solver_seconds": None}


def _stage_rows(v, va: dict, stage: str, b_st: list, a_st: list, std: Standard, per_ind: dict, rec: dict) -> list[dict]:
    """The ``plan_summary.csv`` rows of one county-year and stage, one per indicator: what was
    added / moved in, at what cost, in how many schools, the value and CV before and after."""
    key = (v.year, v.county_code)
    a_cv = {x.indicator: x.cv for x in a_st}
    a_val = {x.indicator: x.value for x in a_st}
    rows = []
    for r in b_st:
        ind = std.indicator(r.indicator)
        added, moved_in, n_schools, cost = per_ind.get((*key, r.indicator, stage), (0.0, 0.0, 0, 0.0))
        rows.append({"year": v.year, "county_code": v.county_code, "county_name": v.county_name, "stage": stage,
                     "indicator": r.indicator, "column": input_header(ind.main_field, stage),
                     "unit": _unit_of(ind.main_field),
                     "amount": added, "transferred": moved_in, "schools": n_schools, "cost": cost,
                     "value_before": r.value, "value_after": a_val.get(r.indicator, np.nan),
                     "cv_before": r.cv, "cv_after": a_cv.get(r.indicator, np.nan), "cv_limit": r.cv_limit,
                     "sections": getattr(v, f"sections_{stage}", np.nan),
                     "sections_passed_before": getattr(v, f"sections_passed_{stage}", np.nan),
                     "sections_passed_after": va.get(f"sections_passed_{stage}", np.nan),
                     "lower_bound_wan": (rec["lower_bound"] / 1e4 if rec["lower_bound"] is not None else np.nan),
                     "county_cost_wan": rec["total_cost"] / 1e4,
                     "gap": rec["gap"] if rec["gap"] is not None else np.nan})
    return rows


def _indicator_totals(items: pd.DataFrame) -> dict:
    """(year, county, indicator, first stage) → (amount added, transferred in, schools, cost), in one pass.

    Every kind of row counts for the schools and the cost of its indicator; the stage of a facility
    bought once for a combined school ("小学、初中") is its first stage.
    """
    if not len(items):
        return {}
    kind = items["kind"].astype(str).to_numpy()
    amount = items["amount"].to_numpy(dtype="float64")
    f = pd.DataFrame({"year": items["year"].to_numpy(), "county_code": items["county_code"].to_numpy(dtype=object),
                      "indicator": items["indicator"].to_numpy(dtype=object),
                      "stage": items["stage"].astype(str).str.split("、").str[0].to_numpy(dtype=object),
                      "add": np.where(kind == "add", amount, 0.0), "tin": np.where(kind == "transfer_in", amount, 0.0),
                      "school_code": items["school_code"].to_numpy(dtype=object),
                      "cost": items["cost"].to_numpy(dtype="float64")})
    g = f.groupby(["year", "county_code", "indicator", "stage"], sort=False).agg(
        add=("add", "sum"), tin=("tin", "sum"), schools=("school_code", "nunique"), cost=("cost", "sum"))
    return {k: (float(a), float(b), int(n), float(c)) for k, (a, b, n, c) in
            zip(g.index, g.itertuples(index=False, name=None))}


def _by_county_stage(ci: pd.DataFrame) -> dict:
    """(year, county, stage) → the county-indicator rows (named tuples), in table order, in one pass."""
    out: dict = {}
    for r in ci[["year", "county_code", "stage", "indicator", "value", "cv", "cv_limit"]].itertuples(index=False):
        out.setdefault((r.year, r.county_code, r.stage), []).append(r)
    return out


def _cost_by_item(items: pd.DataFrame) -> dict:
    """(year, county) → [{column, kind, amount, cost}] of the rows with a cost, dearest first (one groupby)."""
    pos = items[items["cost"] > 0] if len(items) else items
    if not len(pos):
        return {}
    g = pos.groupby(["year", "county_code", "column", "kind"], sort=False).agg(
        amount=("amount", "sum"), cost=("cost", "sum")).reset_index()
    out = {}
    for key, sub in g.groupby(["year", "county_code"], sort=False):
        sub = sub.sort_values("cost", ascending=False)
        out[key] = [{"column": c, "kind": k, "amount": float(a), "cost": float(x)}
                    for c, k, a, x in zip(sub["column"], sub["kind"], sub["amount"], sub["cost"])]
    return out


def _int(v):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return int(v)
