"""The official figures: pupil-weighted coefficient of variation, school rule, verdicts, shortfalls.

Method (method.md §§4–5). For one county, year, stage and indicator over the in-scope sections
(:math:`x_i` section *i*'s value, :math:`P_i` its pupils, :math:`P=\\sum_i P_i`):

.. math::

    \\bar X = \\frac{\\sum_i P_i x_i}{P}, \\qquad
    S = \\sqrt{\\sum_i \\frac{P_i}{P}(x_i-\\bar X)^2}, \\qquad
    CV = \\frac{S}{\\bar X}

Pupil-weighted, population form (no n−1). :math:`\\bar X` equals the county total of the
numerator ÷ county pupils (× per). CV is never clipped (it can exceed 1); one section gives 0;
:math:`\\bar X = 0` leaves CV undefined: it is reported as missing with the reason and the
indicator does not pass.

Comparisons use unrounded values. To absorb binary floating-point representation only (e.g.
``0.85 * 4.2`` is stored as 3.5700000000000003), "a ≥ b" is evaluated as
``a >= b − 1e-9·max(1, |b|)`` and "a ≤ b" as ``a <= b + 1e-9·max(1, |b|)``; this is nine orders
of magnitude below any recorded precision and never turns a real shortfall into a pass.

quality-2017: a section passes the school rule when at least ``min_met`` (6) of the 7 indicators
reach the standard and every indicator reaches at least ``floor_ratio`` (85 %) of it; resource
allocation passes when every in-scope section passes and every CV is within its limit
(0.50 primary, 0.45 junior), each indicator separately. basic-2012: 综合差异系数 = arithmetic mean
of the 8 CVs, passing when ≤ 0.65 (primary) / 0.55 (junior); single CVs decide nothing.

Validated against hand computations written out in ``tests/test_official.py`` and against
:func:`balance.inequality.weighted_cv` / an explicit per-group loop in the property tests.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from balance.indicators import numerator
from balance.schema import input_header
from balance.standards import Standard

REL_TOL = 1e-9
GROUP = ["year", "county_code", "stage"]


def at_least(a, b):
    """``a >= b`` up to floating-point representation (see module notes). NaN → False."""
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    with np.errstate(invalid="ignore"):
        return a >= b - REL_TOL * np.maximum(1.0, np.abs(b))


def at_most(a, b):
    """``a <= b`` up to floating-point representation (see module notes). NaN → False."""
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    with np.errstate(invalid="ignore"):
        return a <= b + REL_TOL * np.maximum(1.0, np.abs(b))


def pupil_weighted_cv(values, pupils) -> float:
    """The official 差异系数 of one indicator over one county's sections.

    Parameters
    ----------
    values : array-like of float
        Section values :math:`x_i` (any unit; CV is unit-free).
    pupils : array-like of float
        Section pupils :math:`P_i` (> 0).

    Returns
    -------
    float
        :math:`S/\\bar X` as in the module notes; 0.0 for one section; NaN when
        :math:`\\bar X = 0` or there are no sections.

    Examples
    --------
    Two sections, x = (2, 4), P = (100, 300): X = (200 + 1200)/400 = 3.5;
    S² = (100·(2−3.5)² + 300·(4−3.5)²)/400 = (225 + 75)/400 = 0.75; CV = √0.75/3.5 ≈ 0.247436.

    >>> round(pupil_weighted_cv([2, 4], [100, 300]), 6)
    0.247436
    """
    x = np.asarray(values, dtype="float64")
    p = np.asarray(pupils, dtype="float64")
    if x.size == 0 or p.sum() <= 0:
        return math.nan
    mean = float((p * x).sum() / p.sum())
    if mean == 0:
        return math.nan
    var = float((p * (x - mean) ** 2).sum() / p.sum())
    return math.sqrt(var) / mean


def group_cv(sections: pd.DataFrame, values: pd.DataFrame, by: list[str] = GROUP) -> pd.DataFrame:
    """Pupil-weighted mean and CV of every indicator column of ``values`` for every group.

    Vectorised with ``np.bincount`` over all groups at once (no loop over counties).

    Returns
    -------
    DataFrame
        Long form: ``by`` columns, ``indicator``, ``value`` (the weighted mean X), ``cv``,
        ``sections`` (count), ``students`` (P), ``cv_note`` ("" or why CV is undefined).
    """
    if len(sections) == 0:
        return pd.DataFrame(columns=[*by, "indicator", "value", "cv", "sections", "students", "cv_note"])
    codes, uniques = pd.MultiIndex.from_frame(sections[by]).factorize()
    n_groups = len(uniques)
    p = sections["students"].to_numpy(dtype="float64")
    w_total = np.bincount(codes, weights=p, minlength=n_groups)
    count = np.bincount(codes, minlength=n_groups)
    keys = uniques.to_frame(index=False)
    keys.columns = list(by)  # factorize drops the level names
    frames = []
    for name in values.columns:
        x = values[name].to_numpy(dtype="float64")
        mean = np.bincount(codes, weights=p * x, minlength=n_groups) / w_total
        dev = x - mean[codes]
        var = np.bincount(codes, weights=p * dev * dev, minlength=n_groups) / w_total
        with np.errstate(invalid="ignore", divide="ignore"):
            cv = np.where(mean != 0, np.sqrt(var) / np.where(mean != 0, mean, 1.0), np.nan)
        # one section: CV is 0 by definition (avoid a 1e-17 residue from (P·x)/P ≠ x in binary)
        cv = np.where((count == 1) & (mean != 0), 0.0, cv)
        note = np.where(mean == 0, "县域均值为0，差异系数无定义 / mean is 0: CV undefined", "")
        f = keys.copy()
        f["indicator"] = name
        f["value"] = mean
        f["cv"] = cv
        f["sections"] = count
        f["students"] = np.rint(w_total).astype("int64")  # pupils are whole counts
        f["cv_note"] = note
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def school_rule(values: pd.DataFrame, standards: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """Apply the school rule to every section.

    Returns ``indicators_met`` (count of indicators with value ≥ standard), ``min_ratio``
    (lowest value ÷ standard) and ``school_passed``:
    ``indicators_met ≥ min_met`` and ``min_ratio ≥ floor_ratio`` (6 of 7 and 85 % in quality-2017).
    Empty columns (NA) when the standard has no school rule (basic-2012 without a provincial file).
    """
    out = pd.DataFrame(index=values.index)
    if standard.school_rule is None:
        out["indicators_met"] = pd.array([pd.NA] * len(values), dtype="Int64")
        out["min_ratio"] = np.nan
        out["school_passed"] = pd.array([pd.NA] * len(values), dtype="boolean")
        return out
    v = values.to_numpy(dtype="float64")
    s = standards[values.columns].to_numpy(dtype="float64")
    met = at_least(v, s)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = v / s
    rule = standard.school_rule
    out["indicators_met"] = met.sum(axis=1).astype("int64")
    out["min_ratio"] = ratio.min(axis=1)
    floor_ok = at_least(v, rule.floor_ratio * s).all(axis=1)
    out["school_passed"] = (out["indicators_met"].to_numpy() >= rule.min_met) & floor_ok
    return out


def shortfalls(sections: pd.DataFrame, values: pd.DataFrame, standards: pd.DataFrame,
               standard: Standard) -> pd.DataFrame:
    """What each in-scope section must add to reach the standard, per indicator below it.

    For a section with pupils P, current numerator N and standard s (per ``per`` pupils):
    required = s·P/per; ``shortfall`` = required − N in natural units (teachers, ㎡, 元, rooms),
    rounded **up** to whole units for teachers, rooms, computers and books. ``shortfall_to_floor``
    is the same to reach ``floor_ratio`` (85 %) of the standard (0 when already there).
    Area shortfalls are what the section needs after the facility split (section terms).

    Example: 初中 section, 320 pupils, 15 qualified teachers, standard 5.3 per 100:
    required = 5.3·320/100 = 16.96 → shortfall = ceil(16.96 − 15) = 2 teachers.
    """
    cols = ["year", "county_code", "county_name", "school_code", "school_name", "stage", "urban_rural",
            "students", "indicator", "value", "standard", "ratio", "shortfall", "add_unit", "add_column",
            "shortfall_to_floor", "school_passed"]
    frames = []
    floor = standard.school_rule.floor_ratio if standard.school_rule else 1.0
    p = sections["students"].to_numpy(dtype="float64")
    for ind in standard.indicators:
        s = standards[ind.name].to_numpy(dtype="float64")
        v = values[ind.name].to_numpy(dtype="float64")
        below = ~np.isnan(s) & ~at_least(v, s)
        if not below.any():
            continue
        num = numerator(sections, ind)[below]
        req = s[below] * p[below] / ind.per
        add = req - num
        add_floor = np.maximum(floor * req - num, 0.0)
        if ind.whole_units:
            add = np.ceil(add - REL_TOL * np.maximum(1.0, np.abs(req)))
            add_floor = np.ceil(add_floor - REL_TOL * np.maximum(1.0, np.abs(req)))
            add_floor = np.maximum(add_floor, 0.0)
        sub = sections.loc[below]
        f = sub[["year", "county_code", "county_name", "school_code", "school_name", "stage", "urban_rural",
                 "students"]].copy()
        f["indicator"] = ind.name
        f["value"] = v[below]
        f["standard"] = s[below]
        f["ratio"] = v[below] / s[below]
        f["shortfall"] = add
        f["add_unit"] = ind.add_unit
        f["add_column"] = [input_header(ind.main_field, st) for st in sub["stage"]]
        f["shortfall_to_floor"] = add_floor
        f["school_passed"] = sub["school_passed"].to_numpy() if "school_passed" in sub else pd.NA
        frames.append(f)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    order = {n: i for i, n in enumerate(standard.indicator_names)}
    out = pd.concat(frames, ignore_index=True)
    out["_o"] = out["indicator"].map(order)
    out = out.sort_values(["year", "county_code", "stage", "school_code", "_o"], kind="stable").drop(columns="_o")
    return out[cols].reset_index(drop=True)


def county_indicators(cv_long: pd.DataFrame, standard: Standard, names: pd.DataFrame) -> pd.DataFrame:
    """The contract table ``county_indicators.csv``: one row per year × county × stage × indicator.

    Adds ``cv_limit``, ``cv_passed`` (NA where a single CV decides nothing, as in basic-2012),
    ``decisive``, ``standard`` and ``unit``; for standards with a composite CV (basic-2012) one
    more row per year × county × stage with indicator ``综合差异系数`` (value empty, cv = mean of the
    indicator CVs, NaN if any is undefined).
    """
    cols = ["year", "county_code", "county_name", "stage", "indicator", "value", "cv", "cv_limit",
            "cv_passed", "decisive", "standard", "unit", "sections", "students", "cv_note"]
    if cv_long.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    df = cv_long.merge(names, on=["year", "county_code"], how="left")
    units = {i.name: i.unit for i in standard.indicators}
    std_map = {(i.name, st): v for i in standard.indicators for st, v in (i.standard or {}).items()}
    df["unit"] = df["indicator"].map(units)
    df["standard"] = [std_map.get((n, st), np.nan) for n, st in zip(df["indicator"], df["stage"])]
    if standard.cv_limit and standard.county_rule.each_cv_within_limit:
        df["cv_limit"] = df["stage"].map(standard.cv_limit).astype("float64")
        df["cv_passed"] = pd.array(at_most(df["cv"], df["cv_limit"]), dtype="boolean")
        df["decisive"] = True
    else:
        df["cv_limit"] = np.nan
        df["cv_passed"] = pd.array([pd.NA] * len(df), dtype="boolean")
        df["decisive"] = False
    frames = [df]
    if standard.composite_cv is not None:
        comp = standard.composite_cv
        g = df.groupby(GROUP, sort=False)
        agg = g.agg(county_name=("county_name", "first"), cv=("cv", "mean"), any_nan=("cv", lambda s: s.isna().any()),
                    sections=("sections", "first"), students=("students", "first")).reset_index()
        agg.loc[agg["any_nan"], "cv"] = np.nan
        agg["indicator"] = comp.name
        agg["value"] = np.nan
        agg["cv_limit"] = agg["stage"].map(comp.limit).astype("float64")
        agg["cv_passed"] = pd.array(at_most(agg["cv"], agg["cv_limit"]), dtype="boolean")
        agg["decisive"] = True
        agg["standard"] = np.nan
        agg["unit"] = ""
        agg["cv_note"] = np.where(agg["any_nan"], "有指标差异系数无定义，综合差异系数无法计算 / a CV is undefined", "")
        frames.append(agg.drop(columns="any_nan"))
    out = pd.concat(frames, ignore_index=True)
    order = {n: i for i, n in enumerate([*standard.indicator_names, *( [standard.composite_cv.name] if standard.composite_cv else [])])}
    out["_o"] = out["indicator"].map(order)
    out["_s"] = out["stage"].map({"小学": 0, "初中": 1})
    out = out.sort_values(["year", "county_code", "_s", "_o"], kind="stable").drop(columns=["_o", "_s"])
    return out[cols].reset_index(drop=True)


def county_verdicts(county_ind: pd.DataFrame, school_results: pd.DataFrame, standard: Standard,
                    names: pd.DataFrame) -> pd.DataFrame:
    """One row per year × county: the resource-allocation verdict and what fails, in plain words.

    Columns: year, county_code, county_name, standard_id, sections, sections_passed (NA without a
    school rule), cvs_decisive, cvs_passed, passed (bool, never NA: anything undefined fails),
    failing_items (list of Chinese sentences), and per stage ``sections_小学`` … counts.
    """
    rows = []
    keyed_sr = {k: g for k, g in school_results.groupby(["year", "county_code"], sort=True)} if len(school_results) else {}
    keyed_ci = {k: g for k, g in county_ind.groupby(["year", "county_code"], sort=True)} if len(county_ind) else {}
    # names covers every county-year in the data, including those with no section in scope
    for rec in names.sort_values(["year", "county_code"]).itertuples(index=False):
        key = (rec.year, rec.county_code)
        sr = keyed_sr.get(key)
        ci = keyed_ci.get(key)
        items: list[str] = []
        n_sec = 0 if sr is None else len(sr)
        row = {"year": rec.year, "county_code": rec.county_code, "county_name": rec.county_name,
               "standard_id": standard.id, "sections": n_sec}
        if n_sec == 0:
            items.append("没有纳入评估的学段单位，无法判定")
        if standard.school_rule is not None:
            n_pass = 0 if sr is None else int(sr["school_passed"].sum())
            row["sections_passed"] = n_pass
            for st in standard.stages:
                sub = sr[sr["stage"] == st] if sr is not None else None
                row[f"sections_{st}"] = 0 if sub is None else len(sub)
                row[f"sections_passed_{st}"] = 0 if sub is None else int(sub["school_passed"].sum())
                failed = row[f"sections_{st}"] - row[f"sections_passed_{st}"]
                if failed and standard.county_rule.all_sections_pass:
                    items.append(f"{st}有 {failed} 个学段单位未达到学校资源配置标准（共 {row[f'sections_{st}']} 个）")
        else:
            row["sections_passed"] = pd.NA
        decisive = ci[ci["decisive"]] if ci is not None else pd.DataFrame(columns=["cv_passed"])
        row["cvs_decisive"] = len(decisive)
        row["cvs_passed"] = int(decisive["cv_passed"].fillna(False).sum()) if len(decisive) else 0
        for r in decisive.itertuples(index=False):
            if r.cv_passed is True or (r.cv_passed is not pd.NA and bool(r.cv_passed)):
                continue
            if pd.isna(r.cv):
                items.append(f"{r.stage}“{r.indicator}”差异系数无法计算（{r.cv_note.split(' / ')[0]}）")
            else:
                items.append(f"{r.stage}“{r.indicator}”差异系数 {r.cv:.3f} 超过限值 {r.cv_limit:.2f}")
        row["passed"] = bool(n_sec > 0 and not items)
        row["failing_items"] = items
        rows.append(row)
    return pd.DataFrame(rows)
