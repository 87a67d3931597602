"""School rows → school sections (学段单位), with shared facilities split by weighted enrolment.

Method (method.md §1):

* 小学 and 教学点 form one primary section, 初级中学 one junior section; 九年一贯制 a primary and a
  junior section; 十二年一贯制 a primary and a junior section (senior part not assessed);
  完全中学 a junior section (senior part not assessed). A section with zero pupils does not exist.
* Teachers are reported per stage, so teacher counts are taken as they are (never split).
* Shared facilities (teaching & auxiliary area, indoor sports area, sports ground area, equipment
  value, computers, books, networked multimedia classrooms) are split by weighted enrolment. With
  ``w_k`` the standard's weight for stage ``k`` of the school's type and ``n_k`` its pupils:

  .. math:: \\mathrm{share}_s = \\frac{w_s n_s}{\\sum_k w_k n_k}

  e.g. 九年一贯制 with A primary and B junior pupils: primary A/(A+1.1B), junior 1.1B/(A+1.1B);
  完全中学: junior B/(B+1.2C). Shares stay fractional. For a single-stage school the share is 1.

Validated against the hand computations in ``tests/test_sections.py``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance._fast import differs_from_previous, is_sorted, lookup, sorted_codes, take_columns, text_from_codes
from balance.method.standards import Standard
from balance.schema import ALL_STAGES, FACILITY_COLUMNS, STAGE_COLUMNS

__all__ = ["CARRIED", "STAGE_FIELDS", "facility_shares", "build_sections"]

#: Identity and descriptive columns carried from the school row onto each section.
CARRIED = ["year", "county_code", "county_name", "school_code", "school_name", "school_type",
           "ownership", "urban_rural", "township", "source_row"]
#: Per-stage fields (teachers are reported per stage and never split).
STAGE_FIELDS = ["students", "classes", "teachers", "qualified_teachers", "backbone_teachers",
                "pe_art_teachers", "titled_teachers"]


def facility_shares(schools: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """Each school's share of shared facilities per stage (columns 小学, 初中, 高中).

    Parameters
    ----------
    schools : DataFrame
        Canonical school table (``school_type`` and ``primary_students`` / ``junior_students`` /
        ``senior_students``).
    standard : Standard
        Supplies ``split_weights`` per school type (``default`` for unlisted types).

    Returns
    -------
    DataFrame
        Same index as ``schools``; shares in [0, 1] summing to 1 over a school's stages with pupils
        (all 0 for a school with no pupils).
    """
    weights = standard.split_weights
    default = weights.get("default", {"小学": 1.0, "初中": 1.1, "高中": 1.32})
    weighted = {}
    for stage in ALL_STAGES:
        w_by_type = {t: w.get(stage, default.get(stage, 1.0)) for t, w in weights.items() if t != "default"}
        w = lookup(schools["school_type"], w_by_type, default=np.nan)
        w = np.where(np.isnan(w), default.get(stage, 1.0), w)
        pupils = schools[STAGE_COLUMNS[stage]["students"]].astype("float64")
        weighted[stage] = w * pupils.to_numpy()
    total = sum(weighted.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = {s: np.where(total > 0, v / np.where(total > 0, total, 1.0), 0.0) for s, v in weighted.items()}
    return pd.DataFrame(shares, index=schools.index)


def build_sections(schools: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """Split a canonical school table into sections of the stages the standard assesses.

    Returns one row per school × stage with pupils > 0 and the stage in ``standard.stages``:
    the carried identity columns, ``stage``, the per-stage fields (``students``, ``classes``,
    teacher counts), ``facility_share`` and every facility column multiplied by that share.
    Fully vectorised: no loop over schools.
    """
    shares = facility_shares(schools, standard)
    carried = [c for c in CARRIED if c in schools.columns]
    rows, stages, stage_names = [], [], []
    for stage in standard.stages:
        mask = schools[STAGE_COLUMNS[stage]["students"]].to_numpy() > 0
        if mask.any():
            rows.append(np.flatnonzero(mask))
            stages.append(np.full(int(mask.sum()), len(stage_names), dtype="int64"))
            stage_names.append(stage)
    if not rows:
        cols = carried + ["stage"] + STAGE_FIELDS + ["facility_share"] + list(FACILITY_COLUMNS)
        return pd.DataFrame(columns=cols)
    src = np.concatenate(rows)
    st = np.concatenate(stages)
    # the sections sorted by year, county, stage (as text), school code; stable, as a sort of the
    # stage-by-stage concatenation would be. Sorting integer codes of the keys (factorised in sorted
    # order) gives the same order as sorting the text, without comparing strings row by row.
    stage_rank = np.argsort(np.argsort(np.asarray(stage_names, dtype=object), kind="stable"), kind="stable")
    if is_sorted(schools, ["year", "county_code", "school_code"]):
        # already in year, county, school order (the usual case): the row number orders the
        # schools and a running count of (year, county) changes the counties
        change = np.zeros(len(schools), dtype="int64")
        change[1:] = differs_from_previous(schools["year"]) | differs_from_previous(schools["county_code"])
        county_rank = np.cumsum(change)
        keys = [county_rank[src], stage_rank[st], src]
    else:
        keys = [sorted_codes(schools["year"])[src], sorted_codes(schools["county_code"])[src], stage_rank[st],
                sorted_codes(schools["school_code"])[src]]
    order = np.lexsort(keys[::-1])
    src, st = src[order], st[order]
    taken = take_columns(schools, src, carried)
    out = {}
    for c in carried:
        out[c] = taken[c]
        if c == "school_type":
            out["stage"] = text_from_codes(st, stage_names)
    if "stage" not in out:
        out = {"stage": text_from_codes(st, stage_names), **out}
    n = len(src)
    for field in STAGE_FIELDS:
        vals = np.zeros(n, dtype="int64")
        for k, stage in enumerate(stage_names):
            cols = STAGE_COLUMNS[stage]
            m = st == k
            if field in cols:
                col = schools[cols[field]].to_numpy()
                if k == 0 and m.all():
                    vals = col[src]
                else:
                    if col.dtype != vals.dtype:
                        vals = vals.astype(np.result_type(vals.dtype, col.dtype))
                    vals[m] = col[src[m]]
        out[field] = vals
    share_cols = shares.to_numpy()
    stage_col = {name: j for j, name in enumerate(shares.columns)}
    share = np.empty(n, dtype="float64")
    for k, stage in enumerate(stage_names):
        m = st == k
        share[m] = share_cols[src[m], stage_col[stage]]
    out["facility_share"] = share
    for fac in FACILITY_COLUMNS:
        out[fac] = schools[fac].to_numpy(dtype="float64")[src] * share
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)  # fresh arrays: no consolidating copy
