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

from balance.schema import FACILITY_COLUMNS, STAGE_COLUMNS, ALL_STAGES
from balance.standards import Standard

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
        w = schools["school_type"].map(w_by_type).astype("float64").fillna(default.get(stage, 1.0))
        pupils = schools[STAGE_COLUMNS[stage]["students"]].astype("float64")
        weighted[stage] = w.to_numpy() * pupils.to_numpy()
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
    parts = []
    for stage in standard.stages:
        cols = STAGE_COLUMNS[stage]
        mask = schools[cols["students"]].to_numpy() > 0
        if not mask.any():
            continue
        sub = schools.loc[mask]
        part = sub[carried].copy()
        part.insert(carried.index("school_type") + 1 if "school_type" in carried else 0, "stage", stage)
        for field in STAGE_FIELDS:
            part[field] = sub[cols[field]].to_numpy() if field in cols else 0
        share = shares.loc[mask, stage].to_numpy()
        part["facility_share"] = share
        for fac in FACILITY_COLUMNS:
            part[fac] = sub[fac].to_numpy(dtype="float64") * share
        parts.append(part)
    if not parts:
        cols = carried + ["stage"] + STAGE_FIELDS + ["facility_share"] + list(FACILITY_COLUMNS)
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out["stage"] = out["stage"].astype("str")
    return out.sort_values(["year", "county_code", "stage", "school_code"], kind="stable").reset_index(drop=True)
