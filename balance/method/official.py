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
:func:`balance.analysis.inequality.weighted_cv` / an explicit per-group loop in the property tests.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance._fast import differs_from_previous, group_codes, lookup, sorted_codes, take_columns, text_from_codes
from balance.method.dispersion import grouped_cv, pupil_weighted_cv  # noqa: F401 - pupil_weighted_cv: public here too
from balance.method.indicators import numerator
from balance.schema import input_header
from balance.method.standards import Standard

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

    Example: 初中 section, 320 pupils, 15 qualified teachers, standard 5.3 per 100:
    required = 5.3·320/100 = 16.96 → shortfall = ceil(16.96 − 15) = 2 teachers.

    Rows are sorted by year, county, stage, school code and indicator. ``presorted=True`` says
    ``sections`` already is in that order (as :func:`balance.method.sections.build_sections` makes it),
    which saves sorting the text keys.
    """
    cols = ["year", "county_code", "county_name", "school_code", "school_name", "stage", "urban_rural",
            "students", "indicator", "value", "standard", "ratio", "shortfall", "add_unit", "add_column",
            "shortfall_to_floor", "school_passed", "threshold"]
    floor = standard.school_rule.floor_ratio if standard.school_rule else 1.0
    p = sections["students"].to_numpy(dtype="float64")
    parts: dict[str, list] = {k: [] for k in ("pos", "ind", "value", "standard", "add", "add_floor")}
    for k, ind in enumerate(standard.indicators):
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
        parts["pos"].append(np.flatnonzero(below))
        parts["ind"].append(np.full(int(below.sum()), k, dtype="int64"))
        parts["value"].append(v[below])
        parts["standard"].append(s[below])
        parts["add"].append(add)
        parts["add_floor"].append(add_floor)
    if not parts["pos"]:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    cat = {k: np.concatenate(v) for k, v in parts.items()}
    pos, ind_k = cat["pos"], cat["ind"]
    # Rows sorted by year, county, stage, school code and indicator order; ties keep the order of
    # the indicator-by-indicator concatenation (a stable sort). Keys are compared as integer codes
    # factorised in sorted order, which orders exactly as the values themselves.
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
    order = np.lexsort((concat_pos, ind_rank, *key_codes[::-1]))
    pos, ind_k = pos[order], ind_k[order]
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
    return pd.DataFrame(out, index=pd.RangeIndex(len(pos)), copy=False)[cols]


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
        agg["cv_note"] = np.where(agg["any_nan"], "有指标差异系数无定义，综合差异系数无法计算 / a CV is undefined", "")
        frames.append(agg.drop(columns="any_nan"))
    out = pd.concat(frames, ignore_index=True)
    out["threshold"] = out["standard"]  # the clear name; ``standard`` stays as the contract's alias
    order = {n: i for i, n in enumerate([*standard.indicator_names, *( [standard.composite_cv.name] if standard.composite_cv else [])])}
    out["_o"] = lookup(out["indicator"], order)
    out["_s"] = lookup(out["stage"], {"小学": 0, "初中": 1})
    out = out.sort_values(["year", "county_code", "_s", "_o"], kind="stable").drop(columns=["_o", "_s"])
    return out[cols].reset_index(drop=True)


def county_verdicts(county_ind: pd.DataFrame, school_results: pd.DataFrame, standard: Standard,
                    names: pd.DataFrame, sections: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per year × county: the resource-allocation verdict and what fails, in plain words.

    ``sections`` (all sections, in and out of scope) lets the verdict see a stage the county has
    but whose sections are all out of scope: its CVs cannot be computed, so the county does not
    pass ("all 14 CVs", method.md §5). A stage with no section at all in the county's data (no
    junior school) has no CVs and is not judged.

    Columns: year, county_code, county_name, standard_id, sections, sections_passed (NA without a
    school rule), cvs_decisive, cvs_passed, passed (bool, never NA: anything undefined fails),
    failing_items (list of Chinese sentences), and per stage ``sections_小学`` … counts.
    """
    n_keys = len(names)
    if n_keys == 0:
        return pd.DataFrame([])
    keys = names.sort_values(["year", "county_code"]).reset_index(drop=True)
    locate = _key_locator(keys)
    sr_key = locate(school_results) if len(school_results) else np.zeros(0, dtype="int64")
    n_sec = np.bincount(sr_key, minlength=n_keys).astype("int64")
    out: dict[str, object] = {
        "year": keys["year"].to_numpy(), "county_code": keys["county_code"], "county_name": keys["county_name"],
        "standard_id": pd.Series([standard.id] * n_keys, dtype="str"), "sections": n_sec,
    }
    # failing items as (county-year, rank, text); ranks keep the order in which a reader lists them
    item_key: list[np.ndarray] = []
    item_rank: list[np.ndarray] = []
    item_text: list[np.ndarray] = []

    def add_items(where: np.ndarray, rank, texts) -> None:
        item_key.append(where.astype("int64"))
        item_rank.append(np.broadcast_to(np.asarray(rank, dtype="int64"), where.shape).copy())
        item_text.append(np.asarray(texts, dtype=object).reshape(-1))

    none = np.flatnonzero(n_sec == 0)
    add_items(none, 0, ["没有纳入评估的学段单位，无法判定"] * len(none))
    # Every stage the standard assesses must be present: "all 14 CVs" (method.md §5). A county-year
    # with sections of one stage only (a partial upload, or all excluded) is not judged a pass.
    if sections is not None and len(sections):
        sr_stage = school_results["stage"] if len(school_results) else pd.Series([], dtype="str")
        all_key = locate(sections)
        for j, st in enumerate(standard.stages):
            scoped = np.bincount(sr_key[(sr_stage == st).to_numpy(dtype=bool)], minlength=n_keys) > 0
            exists = np.bincount(all_key[(sections["stage"] == st).to_numpy(dtype=bool)], minlength=n_keys) > 0
            missing = np.flatnonzero(exists & ~scoped & (n_sec > 0))
            add_items(missing, 1 + j, [f"{st}学段单位均未纳入评估，{st}差异系数无法计算，不能判定达标"] * len(missing))
    if standard.school_rule is not None:
        passed_sec = school_results["school_passed"].to_numpy(dtype="float64", na_value=0.0) if len(school_results) \
            else np.zeros(0)
        out["sections_passed"] = np.bincount(sr_key, weights=passed_sec, minlength=n_keys).astype("int64")
        st_codes, st_uniques = pd.factorize(school_results["stage"]) if len(school_results) \
            else (np.zeros(0, dtype="int64"), [])
        st_index = {u: k for k, u in enumerate(st_uniques)}
        for j, st in enumerate(standard.stages):
            m = st_codes == st_index.get(st, -2)
            total = np.bincount(sr_key[m], minlength=n_keys).astype("int64")
            ok = np.bincount(sr_key[m], weights=passed_sec[m], minlength=n_keys).astype("int64")
            out[f"sections_{st}"] = total
            out[f"sections_passed_{st}"] = ok
            if standard.county_rule.all_sections_pass:
                bad = np.flatnonzero(total - ok)
                add_items(bad, 1 + j, [f"{st}有 {f} 个学段单位未达到学校资源配置标准（共 {t} 个）"
                                       for f, t in zip((total - ok)[bad], total[bad])])
    else:
        out["sections_passed"] = np.full(n_keys, pd.NA, dtype=object)
    if len(county_ind):
        dec = county_ind[county_ind["decisive"].to_numpy(dtype=bool, na_value=False)]
    else:
        dec = county_ind.iloc[0:0]
    dec_key = locate(dec) if len(dec) else np.zeros(0, dtype="int64")
    cv_ok = dec["cv_passed"].to_numpy(dtype=bool, na_value=False) if len(dec) else np.zeros(0, dtype=bool)
    out["cvs_decisive"] = np.bincount(dec_key, minlength=n_keys).astype("int64")
    out["cvs_passed"] = np.bincount(dec_key, weights=cv_ok, minlength=n_keys).astype("int64")
    fail = np.flatnonzero(~cv_ok)
    if len(fail):
        f = dec.iloc[fail]
        texts = [f"{st}“{ind}”差异系数无法计算（{note.split(' / ')[0]}）" if cv != cv else
                 f"{st}“{ind}”差异系数 {cv:.3f} 超过限值 {lim:.2f}"
                 for st, ind, cv, lim, note in zip(f["stage"], f["indicator"], f["cv"].to_numpy(dtype="float64"),
                                                   f["cv_limit"].to_numpy(dtype="float64"), f["cv_note"])]
        add_items(dec_key[fail], 100 + fail, texts)  # after the section items, in table order
    k = np.concatenate(item_key)
    r = np.concatenate(item_rank)
    t = np.concatenate(item_text)
    order = np.lexsort((r, k))
    k, t = k[order], t[order]
    items: list[list[str]] = [[] for _ in range(n_keys)]
    for key, text in zip(k.tolist(), t.tolist()):
        items[key].append(text)
    n_items = np.bincount(k, minlength=n_keys)
    out["passed"] = (n_sec > 0) & (n_items == 0)
    fi = np.empty(n_keys, dtype=object)
    fi[:] = items
    out["failing_items"] = fi
    return pd.DataFrame(out, index=pd.RangeIndex(n_keys), copy=False)


def _key_locator(keys: pd.DataFrame):
    """A function mapping the (year, county_code) of a frame's rows to row positions in ``keys``."""
    cats = pd.Index(keys["county_code"].unique())
    y0 = int(keys["year"].min())
    n_years = int(keys["year"].max()) - y0 + 1
    table = np.full(n_years * len(cats), -1, dtype="int64")
    table[(keys["year"].to_numpy(dtype="int64") - y0) * len(cats) + cats.get_indexer(keys["county_code"])] = \
        np.arange(len(keys))

    def locate(df: pd.DataFrame) -> np.ndarray:
        y = df["year"].to_numpy(dtype="int64") - y0
        codes, uniques = pd.factorize(df["county_code"])  # look up the distinct codes only
        c = np.append(cats.get_indexer(uniques), -1)[codes]
        ok = (y >= 0) & (y < n_years) & (c >= 0)
        pos = np.full(len(df), -1, dtype="int64")
        pos[ok] = table[y[ok] * len(cats) + c[ok]]
        if (pos < 0).any():
            raise ValueError("rows for a county-year missing from names / 县区年度不在名单中")
        return pos
    return locate
