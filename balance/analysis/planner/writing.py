"""CV contributions and the plan's files (``plan.csv``, ``plan_summary.*``, ``planned_input.csv`` …).

Moved unchanged from :mod:`balance.analysis.planner.planning` (which still re-exports every name).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from balance.schema import COLUMNS, HEADERS

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


def write_plan(p, out_dir: "str | Path", schedule=None, extra: dict | None = None) -> list[Path]:
    """Write the :class:`~balance.analysis.planner.planning.Plan` ``p`` into ``out_dir``, atomically
    (temporary folder first): ``plan.csv``, ``plan_summary.csv``, ``plan_summary.json``,
    ``planned_input.csv`` and ``cv_contributions.csv`` (before the plan); with ``schedule`` (the
    frame of :func:`balance.analysis.planner.schedule.schedule_plan`) also ``plan_schedule.csv``.

    ``extra`` maps further file names to writers ``f(path)`` run in the same staging folder (the
    command line passes the Chinese workbook ``plan.xlsx`` of :mod:`balance.reporting.plan_workbook`
    this way, so a failure leaves no partial output and the layers stay in order).
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
        for name, writer in (extra or {}).items():
            writer(s.stage(name))
    return s.final
