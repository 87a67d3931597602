"""Equity tables for researchers: every inequality measure per county × year × stage × indicator.

Built on the official section values of an assessment (:attr:`Assessment.section_values`, the
in-scope sections of the chosen standard) and the pure functions of :mod:`balance.analysis.inequality`.
``balance equity INPUT --out DIR [--by 城乡类型]`` writes ``DIR/equity.csv`` (UTF-8 with BOM):
one row per year × county × stage × indicator with n, students, mean, cv, gini, theil_t,
theil_l, ge_2, atkinson_0_5, atkinson_1, mcloone, verstegen, federal_range_ratio, range_ratio,
the Theil T/L between/within decomposition by the ``--by`` grouping (``none``: no decomposition;
an unknown grouping is refused with the list of valid ones), the urban/rural gap
(``urban_mean``, ``rural_mean``, ``urban_rural_ratio``: pupil-weighted mean of 城区 ÷ 乡村) and
``notes`` for undefined values.

``equity_table(a, groups=[...])`` measures inequality *inside* each group instead (every township,
城区/镇区/乡村, 公办/民办, school type): one tidy long frame, one row per year × county × stage ×
indicator × grouping × group, with the column ``grouping`` naming the partition and ``group`` its
value. A group of one school has nothing to be unequal about: its measures are NaN,
``single_school`` is True and ``notes`` says why (never a 0 that reads as perfect equity).
``balance equity … --groups 乡镇,办学性质`` (or ``all``) writes it as ``DIR/equity_groups.csv`` beside
an unchanged ``equity.csv``; an unknown column is refused by :func:`check_groups`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance.analysis.inequality import MEASURES, inequality_table
from balance.schema import HEADERS

__all__ = ["equity_table", "check_grouping", "check_groups", "GROUPINGS", "GROUP_COLUMNS", "KEYS"]

KEYS = ["year", "county_code", "county_name", "stage", "indicator"]
#: --by accepts the Chinese header or the canonical name of these grouping columns
GROUPINGS = {"urban_rural": "urban_rural", "township": "township", "stage": "stage",
             HEADERS["urban_rural"]: "urban_rural", HEADERS["township"]: "township", "学段": "stage"}
#: ``groups=`` of :func:`equity_table`: the partitions measured inside, by canonical name or header
GROUP_COLUMNS = {name: name for name in ("township", "urban_rural", "ownership", "school_type")}
GROUP_COLUMNS.update({HEADERS[name]: name for name in list(GROUP_COLUMNS)})
UNFILLED = "（未填）"
SINGLE_SCHOOL_NOTE = "只有1所学校，组内差异无意义 / one school only: no inequality within the group"


def equity_table(assessment, by: str | None = "urban_rural", include_median: bool = True, *,
                 groups=None) -> pd.DataFrame:
    """Inequality measures for every year × county × stage × indicator of an assessment.

    Parameters
    ----------
    assessment : Assessment
        From :func:`balance.method.assessment.assess`.
    by : str or None
        Grouping for the Theil decomposition: ``urban_rural`` / 城乡类型 (default), ``township`` /
        乡镇, or None for no decomposition.
    include_median : bool
        Whether sections exactly at the weighted median count in McLoone / Verstegen.
    groups : str or list of str, optional
        Measure inside every group of these partitions instead: ``township`` / 乡镇,
        ``urban_rural`` / 城乡类型, ``ownership`` / 办学性质, ``school_type`` / 学校类型, or
        ``"all"`` for the four. ``by`` is then ignored.

    Returns
    -------
    DataFrame
        See the module docstring. ``cv`` here equals the official CV of ``county_indicators``
        (same formula, tested). With ``groups``: ``year, county_code, county_name, stage,
        indicator, grouping, group, n, students, mean``, every measure of
        :data:`~balance.analysis.inequality.MEASURES`, ``single_school`` and ``notes``.

    Examples
    --------
    >>> eq = equity_table(a, groups=["township", "ownership"])          # doctest: +SKIP
    >>> eq.query("grouping == 'township' and not single_school")        # doctest: +SKIP
    """
    if groups is not None:
        return _within_groups(assessment, groups, include_median)
    group = None
    if by:
        if by not in GROUPINGS:
            raise ValueError(f"不支持的分组 / unsupported grouping: {by} (choose {sorted(GROUPINGS)})")
        group = GROUPINGS[by]
    sv = assessment.section_values
    if sv.empty:
        return pd.DataFrame(columns=KEYS)
    df = sv
    if group == "township":
        df = sv.assign(township=sv["township"].fillna("（未填）").replace("", "（未填）"))
    table = inequality_table(df, value="value", weight="students", by=KEYS, group=group,
                             include_median=include_median, zeros="nan")
    # urban / rural gap of the pupil-weighted means
    g = sv.assign(_px=sv["value"] * sv["students"]).groupby([*KEYS, "urban_rural"], sort=False)[["_px", "students"]].sum()
    means = (g["_px"] / g["students"]).unstack("urban_rural")
    gap = pd.DataFrame(index=means.index)
    gap["urban_mean"] = means["城区"] if "城区" in means else np.nan
    gap["rural_mean"] = means["乡村"] if "乡村" in means else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        gap["urban_rural_ratio"] = np.where(gap["rural_mean"] > 0, gap["urban_mean"] / gap["rural_mean"], np.nan)
    out = table.merge(gap.reset_index(), on=KEYS, how="left")
    order = {n: i for i, n in enumerate(assessment.standard.indicator_names)}
    out = out.assign(_o=out["indicator"].map(order)).sort_values(["year", "county_code", "stage", "_o"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def _within_groups(assessment, groups, include_median: bool) -> pd.DataFrame:
    """Every measure inside each group of each partition (see :func:`equity_table`)."""
    names = list(dict.fromkeys(GROUP_COLUMNS.values())) if groups == "all" else (
        [groups] if isinstance(groups, str) else list(groups))
    unknown = [g for g in names if g not in GROUP_COLUMNS]
    if unknown:
        raise ValueError(f"不支持的分组 / unsupported grouping: {unknown} (choose {sorted(GROUP_COLUMNS)} or 'all')")
    cols = [*KEYS, "grouping", "group", "n", "students", "mean", *MEASURES, "single_school", "notes"]
    sv = assessment.section_values
    if sv.empty:
        return pd.DataFrame(columns=cols)
    frames = []
    for col in dict.fromkeys(GROUP_COLUMNS[g] for g in names):
        df = sv.assign(group=sv[col].astype("object").where(sv[col].notna() & (sv[col] != ""), UNFILLED))
        t = inequality_table(df, value="value", weight="students", by=[*KEYS, "group"],
                             include_median=include_median, zeros="nan")
        single = (t["n"] == 1).to_numpy()
        t.loc[single, list(MEASURES)] = np.nan
        t["notes"] = np.where(single, [SINGLE_SCHOOL_NOTE if not n else f"{SINGLE_SCHOOL_NOTE}; {n}"
                                       for n in t["notes"]], t["notes"])
        t["single_school"] = single
        t.insert(len(KEYS), "grouping", col)
        frames.append(t)
    out = pd.concat(frames, ignore_index=True)
    order = {n: i for i, n in enumerate(assessment.standard.indicator_names)}
    out = out.assign(_o=out["indicator"].map(order)).sort_values(
        ["year", "county_code", "stage", "_o", "grouping", "group"], kind="stable")
    return out.drop(columns="_o").reindex(columns=cols).reset_index(drop=True)


def check_grouping(by: str | None) -> str | None:
    """``--by`` as given → the canonical grouping (None: no decomposition); an unknown one is
    refused with :class:`~balance.errors.InputError` listing the valid names (exit 2)."""
    from balance.errors import InputError, Problem

    if not by or by in ("none", "无"):
        return None
    if by not in GROUPINGS:
        valid = "、".join(GROUPINGS)
        raise InputError([Problem(
            file="命令行 / command line", column="--by", value=by, code="unknown_grouping",
            problem_zh=f"不支持的分组「{by}」；可用：{valid}（或 none：不分解）",
            problem_en=f"unsupported grouping {by!r}; use one of: {', '.join(GROUPINGS)} (or none: no decomposition)",
        )], "命令行参数有误", "invalid option")
    return by


def check_groups(text: str | None) -> list[str] | None:
    """``--groups COL[,COL]`` as given → the canonical partitions of :data:`GROUP_COLUMNS` (None
    when not given; ``all`` → the four). Names are split on ``,``, ``，`` or ``、`` and may be
    canonical (``township``) or the table's header (``乡镇``); repeats are kept once. An unknown or
    empty name is refused with :class:`~balance.errors.InputError` naming it and listing the valid
    ones (exit 2), before anything is computed; so is a value naming no column at all (``","``)."""
    import re

    from balance.errors import InputError, Problem

    if text is None:
        return None
    names = [n.strip() for n in re.split(r"[,，、]", str(text)) if n.strip()]
    if names in (["all"], ["全部"]):
        return list(dict.fromkeys(GROUP_COLUMNS.values()))
    unknown = [n for n in names if n not in GROUP_COLUMNS] or ([] if names else [str(text)])
    if unknown:
        valid = "、".join(f"{HEADERS[c]}（{c}）" for c in dict.fromkeys(GROUP_COLUMNS.values()))
        shown = "、".join(f"「{n}」" for n in unknown)
        raise InputError([Problem(
            file="命令行 / command line", column="--groups", value=", ".join(unknown), code="unknown_group_column",
            problem_zh=f"不支持的分组列{shown}；可用：{valid}，多个用逗号分隔，或 all（全部）",
            problem_en=f"unknown group column {', '.join(map(repr, unknown))}; use one or more of: "
                       f"{', '.join(dict.fromkeys(GROUP_COLUMNS.values()))} (comma-separated), or all",
        )], "命令行参数有误", "invalid option")
    return list(dict.fromkeys(GROUP_COLUMNS[n] for n in names))
