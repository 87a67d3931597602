"""The urban–rural ratio of teachers' bachelor-degree shares (城乡教师本科及以上学历比例之比, issue 14 §5).

For each county and year, over the schools of a group and the stages of ``bachelor_ratio.yaml``:

    share(g) = Σ_schools Σ_stages bachelor ÷ Σ_schools Σ_stages teachers        (a ratio, 0–1)
    ratio    = share(urban) ÷ share(rural)                                        (dimensionless)

with ``bachelor`` = 本科及以上学历专任教师数 of the stage (小学: the optional column
``primary_bachelor_teachers``; 初中: ``junior_qualified_teachers``, which already counts 本科及以上)
and ``teachers`` = 专任教师数 of the stage. Groups: urban = 城区, rural = 乡村; 镇区 is counted with
the urban group, the rural group or left out (``town``: urban | rural | none). The county is on
target when ``ratio ≤ target`` (:func:`balance.method.official.at_most`) (default 1.05, the county plans' 「降至1.05以内」).

Missing is missing: a school with teachers in a stage but no value in that stage's column makes its
group's share unknown, and the ratio and the verdict are then NA (``schools_missing`` says how many).
A group without teachers gives NA too. Validation: the school-table reader checks the column
(a count, ≤ 小学专任教师数 and ≤ 小学专科及以上学历专任教师数).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from balance._resources import DATA_DIR
from balance.method.official import at_most

__all__ = ["COLUMNS", "TOWN_PLACEMENTS", "ratio_settings", "groups", "groups_text", "bachelor_ratio"]

TOWN_PLACEMENTS = ("urban", "rural", "none")
COLUMNS = ["year", "county_code", "county_name", "groups", "town", "urban_schools", "urban_teachers",
           "urban_bachelor", "urban_share", "rural_schools", "rural_teachers", "rural_bachelor", "rural_share",
           "ratio", "target", "met", "schools_missing", "note"]


@lru_cache(maxsize=1)
def ratio_settings() -> dict:
    """The package defaults (``balance/data/bachelor_ratio.yaml``)."""
    import yaml

    return yaml.safe_load((DATA_DIR / "bachelor_ratio.yaml").read_text(encoding="utf-8"))


def groups(town: str | None = None) -> tuple[list[str], list[str]]:
    """(urban 城乡类型 values, rural values) with 镇区 placed as ``town`` says (default: the YAML's)."""
    cfg = ratio_settings()
    town = cfg["town"] if town is None else town
    if town not in TOWN_PLACEMENTS:
        raise ValueError(f"town must be one of {', '.join(TOWN_PLACEMENTS)}, not {town!r}")
    urban, rural = list(cfg["urban"]), list(cfg["rural"])
    if town == "urban":
        urban.append(cfg["town_name"])
    elif town == "rural":
        rural.append(cfg["town_name"])
    return urban, rural


def groups_text(town: str | None = None) -> str:
    """The groups in words, e.g. ``城区、镇区 ÷ 乡村``."""
    urban, rural = groups(town)
    return f"{'、'.join(urban)} ÷ {'、'.join(rural)}"


def _school_counts(data: pd.DataFrame) -> pd.DataFrame:
    """Per school row: bachelor and teachers summed over the stages; ``unknown`` where a stage with
    teachers has no bachelor value (an absent column counts as no value)."""
    cfg = ratio_settings()
    bachelor = np.zeros(len(data))
    teachers = np.zeros(len(data))
    unknown = np.zeros(len(data), dtype=bool)
    for cols in cfg["stages"].values():
        t = pd.to_numeric(data[cols["teachers"]], errors="coerce").astype("float64").fillna(0).to_numpy()
        b = pd.to_numeric(data[cols["bachelor"]], errors="coerce").astype("float64").to_numpy() \
            if cols["bachelor"] in data else np.full(len(data), np.nan)
        unknown |= (t > 0) & np.isnan(b)
        bachelor += np.nan_to_num(b)
        teachers += t
    return pd.DataFrame({"bachelor": bachelor, "teachers": teachers, "unknown": unknown}, index=data.index)


def bachelor_ratio(table, *, town: str | None = None, target: float | None = None) -> pd.DataFrame:
    """The ratio per county × year (see the module docstring); columns :data:`COLUMNS`.

    Parameters
    ----------
    table : SchoolTable or DataFrame
        Canonical school rows (``SchoolTable.data``).
    town : {"urban", "rural", "none"}, optional
        Where 镇区 schools count (default from ``bachelor_ratio.yaml``).
    target : float, optional
        The ratio not to exceed (default from ``bachelor_ratio.yaml``).
    """
    cfg = ratio_settings()
    data = table.data if hasattr(table, "data") else table
    town = cfg["town"] if town is None else town
    target = float(cfg["target"] if target is None else target)
    urban, rural = groups(town)
    counts = _school_counts(data)
    counts["group"] = np.where(data["urban_rural"].isin(urban), "urban",
                               np.where(data["urban_rural"].isin(rural), "rural", ""))
    keys = data[["year", "county_code", "county_name"]]
    rows = []
    for (year, code), idx in keys.groupby(["year", "county_code"], sort=True).groups.items():
        c = counts.loc[idx]
        rec = {"year": int(year), "county_code": code, "county_name": keys.loc[idx, "county_name"].iloc[0],
               "groups": groups_text(town), "town": town, "target": target}
        notes = []
        for g, zh in (("urban", "城市组"), ("rural", "农村组")):
            s = c[c["group"] == g]
            teachers, bach, missing = float(s["teachers"].sum()), float(s["bachelor"].sum()), int(s["unknown"].sum())
            rec.update({f"{g}_schools": int(len(s)), f"{g}_teachers": teachers, f"{g}_bachelor": bach})
            rec[f"{g}_share"] = bach / teachers if teachers > 0 and not missing else np.nan
            if missing:
                notes.append(f"{zh} {missing} 所学校缺少本科及以上学历教师数")
            elif teachers <= 0:
                notes.append(f"{zh}没有专任教师")
        rec["schools_missing"] = int(c.loc[c["group"] != "", "unknown"].sum())
        u, r = rec["urban_share"], rec["rural_share"]
        rec["ratio"] = u / r if np.isfinite(u) and np.isfinite(r) and r > 0 else np.nan
        rec["met"] = pd.NA if np.isnan(rec["ratio"]) else bool(at_most(rec["ratio"], target))
        rec["note"] = "；".join(notes)
        rows.append(rec)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["met"] = out["met"].astype("boolean")
    return out
