"""The plan's item records: facilities bought once per school, subset teachers in the stage total, ``plan.csv`` rows.

Moved unchanged from :mod:`balance.analysis.planner.planning` (which still re-exports every name).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance.analysis.planner.costs import _KIND, KIND_ZH, PLAN_COLUMNS, TEACHER_FIELDS
from balance.schema import FACILITY_COLUMNS, HEADERS, STAGE_COLUMNS


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


def _items_frame(frames: list, schools: pd.DataFrame) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PLAN_COLUMNS})
    rec = pd.concat(frames, ignore_index=True)
    key = ["_row", "column_field", "field", "indicator", "stage", "kind"]
    rec["counterpart"] = rec["counterpart"].fillna("").astype(str)
    agg = rec.groupby(key, sort=False, dropna=False).agg(
        amount=("amount", "sum"), unit_cost=("unit_cost", "max"), cost=("cost", "sum")).reset_index()
    named = rec[rec["counterpart"] != ""]   # only rotations name a counterpart: join those groups only
    agg["counterpart"] = ""
    if len(named):
        cp = named.groupby(key, sort=False, dropna=False)["counterpart"].agg(lambda s: "、".join(sorted(set(s))))
        agg["counterpart"] = cp.reindex(pd.MultiIndex.from_frame(agg[key])).fillna("").to_numpy()
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
