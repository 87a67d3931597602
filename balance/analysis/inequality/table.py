"""The grouped, vectorised table of every measure (:func:`inequality_table`)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from balance.analysis.inequality._common import _NAN_POLICIES, _check_policy, _err, _exact_residual
from balance.method.dispersion import grouped_cv

__all__ = ["MEASURES", "inequality_table"]

#: Measure columns of :func:`inequality_table`, in output order.
MEASURES: tuple[str, ...] = (
    "cv", "gini", "theil_t", "theil_l", "ge_2", "atkinson_0_5", "atkinson_1",
    "mcloone", "verstegen", "federal_range_ratio", "range_ratio",
)

_NOTE = {
    "no_rows": "无有效数据 / no valid rows",
    "omitted_nan": "已剔除{k}个缺失值 / rows with missing values omitted: {k}",
    "zero_weight": "已忽略{k}个学生数为0的单位 / units with 0 pupils ignored: {k}",
    "mean_zero": "{m}：均值为0，无定义 / undefined, mean is 0",
    "zeros_nan": "{m}：有{k}个零值，无定义 / undefined with zero values ({k})",
    "zeros_omit": "{m}：已剔除{k}个零值 / zero values omitted: {k}",
    "median_zero": "{m}：中位数为0，无定义 / undefined, median is 0",
    "p5_zero": "federal_range_ratio：P5为0，无定义 / undefined, P5 is 0",
    "min_zero": "range_ratio：最小值为0，无定义 / undefined, minimum is 0",
    "total_zero": "{m}：总差异为0，占比无定义 / share undefined, total is 0",
}


def _add_note(notes: np.ndarray, cond: np.ndarray, text: str, counts: np.ndarray | None = None) -> None:
    """Append ``text`` where ``cond``; ``{k}`` in it is filled from ``counts`` per group."""
    cond = np.asarray(cond, dtype=bool)
    for i in np.flatnonzero(cond):
        t = text if counts is None else text.replace("{k}", str(int(counts[i])))
        notes[i] = t if not notes[i] else notes[i] + "; " + t


def _grouped_quantile(starts, n, cdf, xs, q, method):
    """Quantile per group from group-sorted arrays; ``cdf`` is the within-group weighted ECDF."""
    G = n.size
    out = np.full(G, np.nan)
    has = n > 0
    gs_below = np.add.reduceat((cdf < q).astype(np.int64), starts[has]) if cdf.size else np.zeros(0, int)
    # reduceat on consecutive non-empty groups: starts[has] are strictly increasing
    cnt = np.zeros(G, dtype=np.int64)
    cnt[has] = gs_below
    cnt = np.minimum(cnt, np.maximum(n - 1, 0))
    idx = starts + cnt
    out[has] = xs[idx[has]]
    if method == "averaged_inverted_cdf":
        hi = has & (cnt < n - 1)
        exact = np.zeros(G, dtype=bool)
        exact[hi] = cdf[idx[hi]] == q
        out[exact] = (xs[idx[exact]] + xs[idx[exact] + 1]) / 2.0
    return out


def inequality_table(df: pd.DataFrame, value: str = "value", weight: str | None = "students",
                     by: str | Sequence[str] | None = ("year", "county_code", "stage", "indicator"),
                     group: str | None = None, measures: Iterable[str] | None = None,
                     include_median: bool = True, *, zeros: str = "nan",
                     nan: str = "raise") -> pd.DataFrame:
    """All inequality measures for every ``by`` group of a long table, vectorised.

    Each row of ``df`` is one unit (school section) with a value (column ``value``) and pupils
    (column ``weight``; ``None`` = unit weights). The result has one row per ``by`` group
    (sorted by the keys; missing keys form their own group) with the key columns and

    ``n`` (units with pupils > 0), ``students`` (Σ weight), ``mean`` (:func:`weighted_mean`),
    ``cv`` (:func:`weighted_cv`), ``gini``, ``theil_t``, ``theil_l``, ``ge_2``
    (:func:`generalized_entropy` α=2, = cv²/2), ``atkinson_0_5``, ``atkinson_1``,
    ``mcloone``, ``verstegen`` (with ``include_median``), ``federal_range_ratio``,
    ``range_ratio``; when ``group`` (e.g. ``"urban_rural"``) is given also
    ``theil_t_between, theil_t_within, theil_t_between_share`` and the same for ``theil_l``
    (:func:`theil_decomposition` within each ``by`` group; ``between + within == total``
    exactly); and ``notes``: why a value is NaN or which rows were left out ("" if nothing).

    Every number equals the corresponding pure function applied to the group (tested to
    ~1e-12), but the table never raises for an undefined measure: it writes NaN and a note
    (mean 0, median 0, P5 0, minimum 0, total inequality 0 for the shares). Zero values make
    ``theil_l``/``atkinson_1`` (and the L decomposition) undefined: ``zeros="nan"`` (default)
    gives NaN + note, ``zeros="omit"`` computes those columns over the positive values and
    notes how many zeros were dropped. Input errors still raise (missing columns, negative or
    infinite values/weights, and NaN unless ``nan="omit"``, which drops those rows with a note).

    Parameters
    ----------
    df : DataFrame
    value, weight : str
        Column names; ``weight=None`` for unit weights.
    by : str or sequence of str or None
        Grouping keys; ``None``/``()`` = the whole table is one group.
    group : str, optional
        Partition column for the Theil decomposition (e.g. ``"urban_rural"``).
    measures : iterable of str, optional
        Subset of :data:`MEASURES` to output (default all); ``n, students, mean, notes`` are
        always present; with ``group`` the decomposition columns of ``theil_t``/``theil_l``
        follow ``range_ratio`` when those measures are chosen.
    include_median : bool
        McLoone/Verstegen convention (see :func:`mcloone`).
    zeros : {"nan", "omit"}
    nan : {"raise", "omit"}

    Returns
    -------
    DataFrame

    Notes
    -----
    Implementation: one lexsort by (group, value) plus ``numpy.bincount``/``reduceat``
    reductions; 10,000 groups of 20 units take well under a second.
    """
    by, chosen = _checked_options(df, value, weight, by, group, measures, zeros, nan)
    gcode, keys = _group_codes(df, by)
    G = len(keys)
    notes = np.array([""] * G, dtype=object)
    g, x, w, sc = _valid_rows(df, value, weight, group, gcode, keys, bool(by), nan, notes)

    out = _table_core(g, x, w, sc if group else None, G, include_median, zeros, notes, chosen)
    return _result_frame(keys, out, chosen, bool(group), notes)


def _checked_options(df, value, weight, by, group, measures, zeros, nan) -> tuple[list, list]:
    """The policies checked, ``by`` as a list and the chosen measures (see :func:`_options`); an
    unknown policy or a column missing from ``df`` raises."""
    _check_policy(nan, _NAN_POLICIES, "nan")
    if zeros not in ("nan", "omit"):
        raise _err(f"inequality_table 的 zeros 只能取 'nan' 或 'omit'，收到 {zeros!r}",
                   f"zeros must be 'nan' or 'omit' for inequality_table, got {zeros!r}")
    by, chosen = _options(by, measures)
    need = list(by) + [value] + ([weight] if weight is not None else []) + ([group] if group else [])
    missing_cols = [c for c in dict.fromkeys(need) if c not in df.columns]
    if missing_cols:
        raise _err(f"表中缺少列 {missing_cols}", f"missing column(s) {missing_cols}")
    return by, chosen


def _result_frame(keys: pd.DataFrame, out: dict, chosen: list, grouped: bool, notes) -> pd.DataFrame:
    """The key columns, then ``n, students, mean``, the chosen measures, the decomposition
    columns of ``theil_t``/``theil_l`` (with a partition) and ``notes``, in that order."""
    res = keys.copy()
    res["n"] = out["n"]
    res["students"] = out["students"]
    res["mean"] = out["mean"]
    for m in chosen:
        res[m] = out[m]
    if grouped:
        for m in ("theil_t", "theil_l"):
            if m in chosen:
                for part in ("between", "within", "between_share"):
                    res[f"{m}_{part}"] = out[f"{m}_{part}"]
    res["notes"] = notes
    return res


def _options(by, measures) -> tuple[list, list]:
    """``by`` as a list and the chosen measures in :data:`MEASURES` order (unknown ones refused)."""
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    if measures is None:
        return by, list(MEASURES)
    chosen = list(measures)
    unknown = [m for m in chosen if m not in MEASURES]
    if unknown:
        raise _err(f"未知的指标 {unknown}；可选 {list(MEASURES)}",
                   f"unknown measure(s) {unknown}; choose from {list(MEASURES)}")
    return by, [m for m in MEASURES if m in chosen]


def _group_codes(df: pd.DataFrame, by: list) -> tuple[np.ndarray, pd.DataFrame]:
    """Group code of every row and the key table; codes on the full table, so groups whose rows
    all drop out still get a row."""
    if not by:
        return np.zeros(len(df), dtype=np.int64), pd.DataFrame(index=range(1))
    grouper = df.groupby(by, sort=True, dropna=False, observed=True)
    keys = grouper.size().index.to_frame(index=False)
    keys.columns = by
    return grouper.ngroup().to_numpy(), keys


def _valid_rows(df, value, weight, group, gcode, keys, keyed: bool, nan: str, notes):
    """(group code, value, weight, partition code) of the rows that count: input errors raise,
    missing rows (``nan="omit"``) and 0-pupil rows are dropped with a note in ``notes``."""
    G = len(keys)
    x = pd.to_numeric(df[value], errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    w = (np.ones(len(df)) if weight is None
         else pd.to_numeric(df[weight], errors="raise").to_numpy(dtype="float64", na_value=np.nan))
    if group:
        sub_codes, _ = pd.factorize(df[group], use_na_sentinel=True)
        sub_missing = sub_codes < 0
    else:
        sub_codes = np.zeros(len(df), dtype=np.int64)
        sub_missing = np.zeros(len(df), dtype=bool)
    miss = np.isnan(x) | np.isnan(w) | sub_missing
    if miss.any():
        if nan == "raise":
            ex = keys.iloc[np.unique(gcode[miss])[:3]].to_dict("records") if keyed else []
            raise _err(f"有 {int(miss.sum())} 行缺失数值/学生数/分组（例如 {ex}）；如需剔除请用 nan='omit'",
                       f"rows with a missing value/weight/group: {int(miss.sum())} (e.g. {ex}); "
                       "pass nan='omit' to drop them")
        k = np.bincount(gcode[miss], minlength=G)
        _add_note(notes, k > 0, _NOTE["omitted_nan"], k)
    ok = ~miss
    if np.isinf(x[ok]).any() or np.isinf(w[ok]).any():
        raise _err("数值或学生数中有无穷大", "infinite value or weight")
    if (w[ok] < 0).any():
        raise _err(f"学生数不能为负（{int((w[ok] < 0).sum())} 行）", "weights (pupils) must not be negative")
    if (x[ok] < 0).any():
        raise _err(f"数值不能为负（{int((x[ok] < 0).sum())} 行）", "values must not be negative")
    zw = ok & (w == 0)
    if zw.any():
        k = np.bincount(gcode[zw], minlength=G)
        _add_note(notes, k > 0, _NOTE["zero_weight"], k)
    keep = ok & (w > 0)
    return gcode[keep], x[keep], w[keep], sub_codes[keep]


def _table_core(g, x, w, sub, G, include_median, zeros, notes, chosen):
    """Vectorised measures for group codes ``g`` (0..G-1) over valid rows (w > 0, x >= 0)."""
    out: dict[str, np.ndarray] = {}
    n = np.bincount(g, minlength=G)
    W = np.bincount(g, weights=w, minlength=G)
    SX = np.bincount(g, weights=w * x, minlength=G)
    has = n > 0
    order = np.lexsort((x, g))
    gs, xs, ws = g[order], x[order], w[order]
    starts = np.zeros(G, dtype=np.int64)
    starts[1:] = np.cumsum(n)[:-1]
    ends = starts + n - 1
    lo = np.full(G, np.nan)
    hi = np.full(G, np.nan)
    lo[has], hi[has] = xs[starts[has]], xs[ends[has]]
    equal = has & (lo == hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = np.where(equal, lo, SX / W)  # as _mean: equal values give r == 1 exactly
    out["n"], out["students"], out["mean"] = n, W, mu
    _add_note(notes, ~has, _NOTE["no_rows"])
    mz = has & (mu == 0)
    good = has & ~mz
    rel = [m for m in ("cv", "gini", "theil_t", "ge_2", "atkinson_0_5") if m in chosen]
    if rel:
        _add_note(notes, mz, _NOTE["mean_zero"].format(m=", ".join(rel)))

    c = pd.Series(ws).groupby(gs).cumsum().to_numpy() if ws.size else ws
    Wlast = np.full(G, np.nan)
    Wlast[has] = c[ends[has]]
    with np.errstate(divide="ignore", invalid="ignore"):
        cdf = c / Wlast[gs]
        mug = np.where(good, mu, np.nan)
        r = x / mug[g]
        # CV: the one kernel (method.dispersion); equal values give exactly 0, as weighted_cv
        out["cv"] = np.where(good, np.where(equal, 0.0, grouped_cv(g, x, w, G)[1]), np.nan)
        out["ge_2"] = np.where(good, np.bincount(g, weights=w * (r - 1.0) ** 2, minlength=G) / W / 2.0, np.nan)
        # Gini, sorted form
        gsum = np.bincount(gs, weights=ws * xs * (2.0 * c - ws - W[gs]), minlength=G)
        out["gini"] = np.where(good, np.where(equal, 0.0, gsum / (W * SX)), np.nan)
        # Theil T with 0 ln 0 = 0
        t = np.zeros_like(x)
        posr = x > 0
        t[posr] = r[posr] * np.log(r[posr])
        out["theil_t"] = np.where(good, np.bincount(g, weights=w * t, minlength=G) / W, np.nan)
        out["atkinson_0_5"] = np.where(
            good, 1.0 - (np.bincount(g, weights=w * np.sqrt(r), minlength=G) / W) ** 2, np.nan)

        # Theil L family on the positive values
        pos = x > 0
        nz = np.bincount(g, weights=~pos, minlength=G).astype(np.int64)
        gp, xp, wp = g[pos], x[pos], w[pos]
        Wp = np.bincount(gp, weights=wp, minlength=G)
        mup = _exact_equal_means(gp, xp, np.bincount(gp, weights=wp * xp, minlength=G) / Wp)
        lp = np.log(mup[gp] / xp)
        L = np.bincount(gp, weights=wp * lp, minlength=G) / Wp
        A1 = 1.0 - np.exp(np.bincount(gp, weights=wp * np.log(xp / mup[gp]), minlength=G) / Wp)
    lnames = [m for m in ("theil_l", "atkinson_1") if m in chosen]
    if zeros == "nan":
        undefined = nz > 0
        if lnames:
            _add_note(notes, has & undefined,
                      _NOTE["zeros_nan"].replace("{m}", ", ".join(lnames)), nz)
    else:
        undefined = Wp == 0
        if lnames:
            part = has & (nz > 0) & ~undefined
            _add_note(notes, part,
                      _NOTE["zeros_omit"].replace("{m}", ", ".join(lnames)), nz)
            _add_note(notes, has & undefined,
                      _NOTE["zeros_nan"].replace("{m}", ", ".join(lnames)), nz)
    lgood = has & ~undefined & (Wp > 0)
    out["theil_l"] = np.where(lgood, L, np.nan)
    out["atkinson_1"] = np.where(lgood, A1, np.nan)

    _quantile_measures(out, notes, gs, xs, ws, starts, n, cdf, has, lo, hi, G, include_median, chosen)

    if sub is not None:
        _decompose(out, notes, g, x, w, sub, G, mu, good, pos, Wp, mup, lgood, chosen)
    return out


def _quantile_measures(out, notes, gs, xs, ws, starts, n, cdf, has, lo, hi, G, include_median, chosen):
    """McLoone, Verstegen (around the weighted median) and the two range ratios, per group, from
    the group-sorted arrays; undefined ones (median, P5 or minimum 0) NaN with a note."""
    med = _grouped_quantile(starts, n, cdf, xs, 0.5, "averaged_inverted_cdf")
    medz = has & (med == 0)
    mv = [m for m in ("mcloone", "verstegen") if m in chosen]
    if mv:
        _add_note(notes, medz, _NOTE["median_zero"].format(m=", ".join(mv)))
    mg = med[gs]
    below = xs <= mg if include_median else xs < mg
    above = xs >= mg if include_median else xs > mg
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, sel in (("mcloone", below), ("verstegen", above)):
            wb = np.bincount(gs, weights=ws * sel, minlength=G)
            sb = np.bincount(gs, weights=ws * xs * sel, minlength=G)
            v = np.where(wb > 0, sb / (med * wb), 1.0)
            out[name] = np.where(has & ~medz, v, np.nan)
        p5 = _grouped_quantile(starts, n, cdf, xs, 0.05, "inverted_cdf")
        p95 = _grouped_quantile(starts, n, cdf, xs, 0.95, "inverted_cdf")
        p5z = has & (p5 == 0)
        out["federal_range_ratio"] = np.where(has & ~p5z, (p95 - p5) / p5, np.nan)
        if "federal_range_ratio" in chosen:
            _add_note(notes, p5z, _NOTE["p5_zero"])
        loz = has & (lo == 0)
        out["range_ratio"] = np.where(has & ~loz, hi / lo, np.nan)
        if "range_ratio" in chosen:
            _add_note(notes, loz, _NOTE["min_zero"])


def _exact_equal_means(codes, x, means):
    """Replace the mean of every code whose values are all equal by that value (as _mean)."""
    lo = np.full(means.size, np.inf)
    hi = np.full(means.size, -np.inf)
    np.minimum.at(lo, codes, x)
    np.maximum.at(hi, codes, x)
    return np.where(lo == hi, lo, means)


def _decompose(out, notes, g, x, w, sub, G, mu, good, pos, Wp, mup, lgood, chosen):
    K = int(sub.max()) + 1 if sub.size else 1
    with np.errstate(divide="ignore", invalid="ignore"):
        # T: all rows
        hcode = g.astype(np.int64) * K + sub
        uh, hinv = np.unique(hcode, return_inverse=True)
        hg = uh // K
        Wh = np.bincount(hinv, weights=w)
        muh = _exact_equal_means(hinv, x, np.bincount(hinv, weights=w * x) / Wh)
        W = out["students"]
        rh = muh / mu[hg]
        th = np.zeros_like(rh)
        ph = rh > 0
        th[ph] = rh[ph] * np.log(rh[ph])
        bT = np.bincount(hg, weights=(Wh / W[hg]) * th, minlength=G)
        T = out["theil_t"]
        b, wi = _exact_residual(np.where(good, T, np.nan), np.where(good, bT, np.nan))
        out["theil_t_between"], out["theil_t_within"] = b, wi
        out["theil_t_between_share"] = np.where(good & (T != 0), b / T, np.nan)
        if "theil_t" in chosen:
            _add_note(notes, good & (T == 0), _NOTE["total_zero"].format(m="theil_t_between_share"))
        # L: positive rows (NaN where undefined)
        gp, xp, wp, sp = g[pos], x[pos], w[pos], sub[pos]
        hcode = gp.astype(np.int64) * K + sp
        uh, hinv = np.unique(hcode, return_inverse=True)
        hg = uh // K
        Wh = np.bincount(hinv, weights=wp)
        muh = _exact_equal_means(hinv, xp, np.bincount(hinv, weights=wp * xp) / Wh)
        bL = np.bincount(hg, weights=(Wh / Wp[hg]) * np.log(mup[hg] / muh), minlength=G)
        L = out["theil_l"]
        b, wi = _exact_residual(np.where(lgood, L, np.nan), np.where(lgood, bL, np.nan))
        out["theil_l_between"], out["theil_l_within"] = b, wi
        out["theil_l_between_share"] = np.where(lgood & (L != 0), b / L, np.nan)
        if "theil_l" in chosen:
            _add_note(notes, lgood & (L == 0), _NOTE["total_zero"].format(m="theil_l_between_share"))
