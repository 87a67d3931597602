"""The official figures: pupil-weighted coefficient of variation, school rule, shortfalls (the county verdict: :mod:`balance.method.verdicts`, re-exported here).

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
:func:`balance.analysis.inequality.weighted_cv` / an explicit per-group loop in the property tests.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance._fast import differs_from_previous, group_codes, lookup, sorted_codes, take_columns, text_from_codes
from balance.errors import plural
from balance.method.dispersion import grouped_cv, pupil_weighted_cv  # noqa: F401 - pupil_weighted_cv: public here too
from balance.method.indicators import numerator
from balance.method.standards import Standard
from balance.method.verdicts import county_verdicts  # noqa: F401 - its home before the split; public here too
from balance.schema import input_header

__all__ = [
    "REL_TOL", "GROUP", "at_least", "at_most", "pupil_weighted_cv", "group_cv", "school_rule", "shortfalls",
    "county_indicators", "county_verdicts",
]

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


def group_cv(sections: pd.DataFrame, values: pd.DataFrame, by: list[str] = GROUP) -> pd.DataFrame:
    """Pupil-weighted mean and CV of every indicator column of ``values`` for every group.

    Vectorised over all groups at once (no loop over counties) by the one CV kernel,
    :func:`balance.method.dispersion.grouped_cv` (formula in the module notes).

    Returns
    -------
    DataFrame
        Long form: ``by`` columns, ``indicator``, ``value`` (the weighted mean X), ``cv``,
        ``sections`` (count), ``students`` (P), ``cv_note`` ("" or why CV is undefined).
    """
    if len(sections) == 0:
        return pd.DataFrame(columns=[*by, "indicator", "value", "cv", "sections", "students", "cv_note"])
    codes, first = group_codes(sections, list(by))
    n_groups = len(first)
    p = sections["students"].to_numpy(dtype="float64")
    w_total = np.bincount(codes, weights=p, minlength=n_groups)
    count = np.bincount(codes, minlength=n_groups)
    keys = sections[list(by)].take(first).reset_index(drop=True)
    frames = []
    note_text = np.array(["", "县域均值为0，差异系数无定义 / mean is 0: CV undefined",
                          "有学段单位指标值缺失，差异系数无法计算 / a section value is missing: CV undefined"],
                         dtype=object)
    for name in values.columns:
        # the one CV kernel; a missing value makes the mean NaN (never a pass), one section gives 0
        mean, cv = grouped_cv(codes, values[name].to_numpy(dtype="float64"), p, n_groups)
        note = note_text[np.where(~np.isfinite(mean), 2, (mean == 0).astype("int64"))]
        f = keys.copy(deep=False)
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
        n = len(values)  # all-missing nullable columns, built without a Python list of NA
        out["indicators_met"] = pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), np.ones(n, dtype=bool))
        out["min_ratio"] = np.nan
        out["school_passed"] = pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
        return out
    # column by column (the same element-wise arithmetic as on the whole matrix, without the
    # 7 × sections temporaries)
    rule = standard.school_rule
    n = len(values)
    met_count = np.zeros(n, dtype="int64")
    min_ratio = None
    floor_ok = np.ones(n, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in values.columns:
            v = values[name].to_numpy(dtype="float64")
            s = standards[name].to_numpy(dtype="float64")
            met_count += at_least(v, s)
            ratio = v / s
            min_ratio = ratio if min_ratio is None else np.minimum(min_ratio, ratio)
            floor_ok &= at_least(v, rule.floor_ratio * s)
    if min_ratio is None:
        min_ratio = np.full(n, np.nan)
    out["indicators_met"] = met_count
    out["min_ratio"] = min_ratio
    out["school_passed"] = (met_count >= rule.min_met) & floor_ok
    return out


def shortfalls(sections: pd.DataFrame, values: pd.DataFrame, standards: pd.DataFrame,
               standard: Standard, *, presorted: bool = False) -> pd.DataFrame:
    """What each in-scope section must add to reach the standard, per indicator below it.

    For a section with pupils P, current numerator N and standard s (per ``per`` pupils):
    required = s·P/per; ``shortfall`` = required − N in natural units (teachers, ㎡, 元, rooms),
    rounded **up** to whole units for teachers, rooms, computers and books. ``shortfall_to_floor``
    is the same to reach ``floor_ratio`` (85 %) of the standard (0 when already there).
    Area shortfalls are what the section needs after the facility split (section terms).

    ``add_to_school`` is the amount to add to the school's own input column ``add_column`` so that
    this section reaches the standard (issue 11 item 4). A section of a combined school gets only
    the share :math:`w` (``facility_share``) of a shared facility column, and the column enters the
    numerator with coefficient :math:`c`, so the school must add
    :math:`(\\mathrm{required} - N) / (c\\,w)`, rounded up for whole units (teachers, rooms, and every
    count column). Stage columns (teachers) have :math:`w = 1`. Example (issue 11): a 完全中学 junior
    section 60 ㎡ short with :math:`w = 0.357` needs 60 / 0.357 ≈ 168 ㎡ at the school; adding only
    60 ㎡ leaves it 60·(1 − 0.357) ≈ 38.6 ㎡ short. Shares depend on pupils only, so the addition
    does not change them.

    Example: 初中 section, 320 pupils, 15 qualified teachers, standard 5.3 per 100:
    required = 5.3·320/100 = 16.96 → shortfall = ceil(16.96 − 15) = 2 teachers.

    Rows are sorted by year, county, stage, school code and indicator. ``presorted=True`` says
    ``sections`` already is in that order (as :func:`balance.method.sections.build_sections` makes it),
    which saves sorting the text keys.
    """
    cols = SHORTFALL_COLUMNS
    parts = _below_standard(sections, values, standards, standard)
    if not parts["pos"]:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    cat = {k: np.concatenate(v) for k, v in parts.items()}
    order = _shortfall_order(sections, standard, cat["pos"], cat["ind"], presorted)
    out = _shortfall_rows(sections, standard, cat, order)
    return pd.DataFrame(out, index=pd.RangeIndex(len(order)), copy=False)[cols]


#: the columns of :func:`shortfalls` (``shortfalls.csv``), in order
SHORTFALL_COLUMNS = ["year", "county_code", "county_name", "school_code", "school_name", "stage", "urban_rural",
                     "students", "indicator", "value", "standard", "ratio", "shortfall", "add_unit", "add_column",
                     "shortfall_to_floor", "school_passed", "threshold", "facility_share", "add_to_school"]


def _below_standard(sections: pd.DataFrame, values: pd.DataFrame, standards: pd.DataFrame,
                    standard: Standard) -> dict[str, list]:
    """Per indicator, the sections below the standard and what they must add (lists of arrays).

    With pupils P, numerator N and standard s per ``per`` pupils: required = s·P/per,
    ``add`` = required − N and ``add_floor`` = max(floor_ratio·required − N, 0), both rounded up
    (less a relative 1e-9 of required, see the module docstring) for whole-unit indicators;
    ``w``/``school``: the facility share and the school's addition (:func:`_school_addition`).
    Keys: pos (section positions), ind (indicator index), value, standard, add, add_floor, w, school.
    """
    floor = standard.school_rule.floor_ratio if standard.school_rule else 1.0
    p = sections["students"].to_numpy(dtype="float64")
    parts: dict[str, list] = {k: [] for k in ("pos", "ind", "value", "standard", "add", "add_floor", "w", "school")}
    shares = sections["facility_share"].to_numpy(dtype="float64") if "facility_share" in sections \
        else np.ones(len(sections))
    for k, ind in enumerate(standard.indicators):
        s = standards[ind.name].to_numpy(dtype="float64")
        v = values[ind.name].to_numpy(dtype="float64")
        below = ~np.isnan(s) & ~at_least(v, s)
        if not below.any():
            continue
        num = numerator(sections, ind)[below]
        req = s[below] * p[below] / ind.per
        add = add_raw = req - num
        add_floor = np.maximum(floor * req - num, 0.0)
        if ind.whole_units:
            add = np.ceil(add - REL_TOL * np.maximum(1.0, np.abs(req)))
            add_floor = np.ceil(add_floor - REL_TOL * np.maximum(1.0, np.abs(req)))
            add_floor = np.maximum(add_floor, 0.0)
        w, school = _school_addition(ind, shares[below], add_raw, req)
        parts["w"].append(w)
        parts["school"].append(school)
        parts["pos"].append(np.flatnonzero(below))
        parts["ind"].append(np.full(int(below.sum()), k, dtype="int64"))
        parts["value"].append(v[below])
        parts["standard"].append(s[below])
        parts["add"].append(add)
        parts["add_floor"].append(add_floor)
    return parts


def _shortfall_order(sections: pd.DataFrame, standard: Standard, pos: np.ndarray, ind_k: np.ndarray,
                     presorted: bool) -> np.ndarray:
    """The permutation of the concatenated rows that sorts them by year, county, stage, school code
    and indicator order; ties keep the order of the indicator-by-indicator concatenation (a stable
    sort). Keys are compared as integer codes factorised in sorted order, which orders exactly as the
    values themselves."""
    order_of = {n: i for i, n in enumerate(standard.indicator_names)}
    ind_rank = np.array([order_of[i.name] for i in standard.indicators], dtype="int64")[ind_k]
    key_cols = ("year", "county_code", "stage", "school_code")
    if presorted:  # rank of each row's key = number of key changes above it (equal keys share a rank)
        change = np.zeros(len(sections), dtype=bool)
        for c in key_cols:
            change[1:] |= differs_from_previous(sections[c])
        key_codes = [np.cumsum(change)[pos]]
    else:
        key_codes = [sorted_codes(sections[c])[pos] for c in key_cols]
    concat_pos = np.arange(len(pos))
    return np.lexsort((concat_pos, ind_rank, *key_codes[::-1]))


def _shortfall_rows(sections: pd.DataFrame, standard: Standard, cat: dict[str, np.ndarray], order: np.ndarray) -> dict:
    """The columns of the shortfall table (a dict of arrays) from the concatenated parts, in ``order``."""
    pos, ind_k = cat["pos"][order], cat["ind"][order]
    out = take_columns(sections, pos, ["year", "county_code", "county_name", "school_code", "school_name", "stage",
                                       "urban_rural", "students"])
    out["indicator"] = text_from_codes(ind_k, [i.name for i in standard.indicators])
    for c in ("value", "standard"):
        out[c] = cat[c][order]
    out["ratio"] = out["value"] / out["standard"]
    out["shortfall"] = cat["add"][order]
    out["add_unit"] = text_from_codes(ind_k, [i.add_unit for i in standard.indicators])
    # the Chinese input column to add to, per indicator and stage (a few distinct values)
    st_codes, st_uniques = pd.factorize(out["stage"])
    fields = [i.main_field for i in standard.indicators]
    header = [input_header(f, st) for f in fields for st in st_uniques]
    out["add_column"] = text_from_codes(ind_k * max(len(st_uniques), 1) + st_codes, header)
    out["shortfall_to_floor"] = cat["add_floor"][order]
    out["threshold"] = out["standard"]  # the clear name; ``standard`` stays as the contract's alias
    if "school_passed" in sections:
        out["school_passed"] = sections["school_passed"].to_numpy()[pos]
    else:
        out["school_passed"] = np.full(len(pos), pd.NA, dtype=object)
    out["facility_share"] = cat["w"][order]
    out["add_to_school"] = cat["school"][order]
    return out


def _school_addition(ind, shares: np.ndarray, add_raw: np.ndarray, req: np.ndarray):
    """(share of the school's column the section gets, amount to add to that column): see
    :func:`shortfalls`. The share is 1 for a stage column; a zero share leaves the amount undefined."""
    from balance.schema import COLUMNS, FACILITY_COLUMNS

    fld = ind.main_field
    w = shares if fld in FACILITY_COLUMNS else np.ones(len(shares))
    coef = float(ind.numerator[fld])
    with np.errstate(invalid="ignore", divide="ignore"):
        amount = np.where(w > 0, add_raw / (coef * np.where(w > 0, w, 1.0)), np.nan)
    if ind.whole_units or next((c["kind"] for c in COLUMNS if c["name"] == fld), "") == "count":
        amount = np.ceil(amount - REL_TOL * np.maximum(1.0, np.abs(req / np.where(w > 0, w, 1.0))))
    return np.asarray(w, dtype="float64"), amount


def _composite_notes(df: pd.DataFrame, agg: pd.DataFrame, order: list[str]) -> list[str]:
    """The note of each composite row (``agg``, one per year × county × stage): empty where every
    indicator's CV is defined, else the indicators whose CV is not (in the standard's order), so a
    reader sees why the 综合差异系数 cannot be computed."""
    rank = {n: i for i, n in enumerate(order)}
    und = df[df["cv"].isna()]
    und = und.assign(_r=und["indicator"].map(rank)).sort_values("_r", kind="stable")
    names = {k: list(g["indicator"]) for k, g in und.groupby(GROUP, sort=False)}
    out = []
    for key, any_nan in zip(agg[GROUP].itertuples(index=False, name=None), agg["any_nan"]):
        n = names.get(key, [])
        en = f"{plural(len(n), 'indicator')} without a CV: the composite cannot be computed"
        out.append(f"{'、'.join(n)}的差异系数无定义，综合差异系数无法计算 / {en}" if any_nan and n else "")
    return out


def county_indicators(cv_long: pd.DataFrame, standard: Standard, names: pd.DataFrame) -> pd.DataFrame:
    """The contract table ``county_indicators.csv``: one row per year × county × stage × indicator.

    Adds ``cv_limit``, ``cv_passed`` (NA where a single CV decides nothing, as in basic-2012),
    ``decisive``, ``threshold`` (the indicator's standard value for the stage; ``standard`` is the
    same number under its contract name, kept as an alias) and ``unit``; for standards with a composite CV (basic-2012) one
    more row per year × county × stage with indicator ``综合差异系数`` (value empty, cv = mean of the
    indicator CVs, NaN if any is undefined).
    """
    cols = ["year", "county_code", "county_name", "stage", "indicator", "value", "cv", "cv_limit",
            "cv_passed", "decisive", "standard", "unit", "sections", "students", "cv_note", "threshold"]
    if cv_long.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    df = cv_long.merge(names, on=["year", "county_code"], how="left")
    units = {i.name: i.unit for i in standard.indicators}
    std_map = {(i.name, st): v for i in standard.indicators for st, v in (i.standard or {}).items()}
    ind_codes, ind_uniques = pd.factorize(df["indicator"])
    st_codes, st_uniques = pd.factorize(df["stage"])
    if all(u in units for u in ind_uniques):
        df["unit"] = text_from_codes(ind_codes, [units[u] for u in ind_uniques]).set_axis(df.index)
    else:
        df["unit"] = df["indicator"].map(units)
    grid = np.array([[std_map.get((n, st), np.nan) for st in st_uniques] for n in ind_uniques], dtype="float64")
    df["standard"] = grid[ind_codes, st_codes] if len(df) else np.zeros(0)
    if standard.cv_limit and standard.county_rule.each_cv_within_limit:
        df["cv_limit"] = lookup(df["stage"], standard.cv_limit)
        df["cv_passed"] = pd.array(at_most(df["cv"], df["cv_limit"]), dtype="boolean")
        df["decisive"] = True
    else:
        df["cv_limit"] = np.nan
        df["cv_passed"] = pd.array([pd.NA] * len(df), dtype="boolean")
        df["decisive"] = False
    frames = [df]
    if standard.composite_cv is not None:
        comp = standard.composite_cv
        g = df.assign(_nan=df["cv"].isna()).groupby(GROUP, sort=False)
        agg = g.agg(county_name=("county_name", "first"), cv=("cv", "mean"), any_nan=("_nan", "any"),
                    sections=("sections", "first"), students=("students", "first")).reset_index()
        agg.loc[agg["any_nan"], "cv"] = np.nan
        agg["indicator"] = comp.name
        agg["value"] = np.nan
        agg["cv_limit"] = agg["stage"].map(comp.limit).astype("float64")
        agg["cv_passed"] = pd.array(at_most(agg["cv"], agg["cv_limit"]), dtype="boolean")
        agg["decisive"] = True
        agg["standard"] = np.nan
        agg["unit"] = ""
        agg["cv_note"] = _composite_notes(df, agg, standard.indicator_names)
        frames.append(agg.drop(columns="any_nan"))
    out = pd.concat(frames, ignore_index=True)
    out["threshold"] = out["standard"]  # the clear name; ``standard`` stays as the contract's alias
    order = {n: i for i, n in enumerate([*standard.indicator_names, *( [standard.composite_cv.name] if standard.composite_cv else [])])}
    out["_o"] = lookup(out["indicator"], order)
    out["_s"] = lookup(out["stage"], {"小学": 0, "初中": 1})
    out = out.sort_values(["year", "county_code", "_s", "_o"], kind="stable").drop(columns=["_o", "_s"])
    return out[cols].reset_index(drop=True)
