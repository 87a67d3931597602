"""School-finance measures (McLoone, Verstegen, range ratios), the gap ratio and the Lorenz curve."""
from __future__ import annotations

import numpy as np

from balance.analysis.inequality._common import GapRatio, LorenzCurve, _clean, _err, _mean
from balance.analysis.inequality.measures import _quantile_sorted, _sort

__all__ = [
    "mcloone", "verstegen", "federal_range_ratio", "range_ratio", "value_range", "gap_ratio",
    "lorenz_curve",
]


def mcloone(x, w=None, *, include_median: bool = True, nan: str = "raise") -> float:
    """McLoone index: how far the pupils in the bottom half are from the median.

    .. math::

        M = \\frac{\\sum_{i \\in B} w_i x_i}{m \\sum_{i \\in B} w_i}, \\qquad
        B = \\{i : x_i \\le m\\} \\text{ (include\\_median=True) or } \\{i : x_i < m\\} \\text{ (False)}

    where ``m`` is the pupil-weighted median (:func:`weighted_median`: averaged inverse CDF, equal
    to ``numpy.median`` with unit weights). Dimensionless, 0 to 1; 1 = nobody below the median.
    Conventions: whether units exactly at the median belong to the bottom half differs between
    authors, hence ``include_median``; if B is empty (nobody strictly below the median) the
    index is 1 (there is no shortfall). Median 0 → ``nan``. Validated by hand computation
    (x=[1,2,3,4,5]: 6/9 including, 3/6 excluding the median 3).
    """
    x, w = _clean(x, w, nan=nan)
    return _mcloone_verstegen(x, w, include_median, upper=False)


def verstegen(x, w=None, *, include_median: bool = True, nan: str = "raise") -> float:
    """Verstegen index, the top-half analogue of :func:`mcloone`.

    .. math::

        V = \\frac{\\sum_{i \\in U} w_i x_i}{m \\sum_{i \\in U} w_i}, \\qquad
        U = \\{i : x_i \\ge m\\} \\text{ (include\\_median=True) or } \\{i : x_i > m\\} \\text{ (False)}

    ≥ 1; 1 = nobody above the median (also when U is empty). Median 0 → ``nan``. Validated by
    hand computation (x=[1,2,3,4,5]: 12/9 including, 9/6 excluding the median 3).
    """
    x, w = _clean(x, w, nan=nan)
    return _mcloone_verstegen(x, w, include_median, upper=True)


def _mcloone_verstegen(x, w, include_median, upper):
    xs, ws = _sort(x, w)
    m = float(_quantile_sorted(xs, ws, np.asarray(0.5), "averaged_inverted_cdf"))
    if m == 0:
        return float("nan")
    if upper:
        sel = xs >= m if include_median else xs > m
    else:
        sel = xs <= m if include_median else xs < m
    wb = ws[sel].sum()
    if wb == 0:
        return 1.0
    return float(np.dot(ws[sel], xs[sel]) / (m * wb))


def federal_range_ratio(x, w=None, *, nan: str = "raise") -> float:
    """Federal range ratio (US school-finance equity measure), pupil-weighted.

    .. math:: FRR = \\frac{P_{95} - P_{5}}{P_{5}}

    with :math:`P_q` the pupil-weighted percentiles of :func:`weighted_quantile` (inverse of the
    weighted empirical CDF, no interpolation). Dimensionless, ≥ 0. :math:`P_5 = 0` → ``nan``.
    Validated by hand computation.
    """
    x, w = _clean(x, w, nan=nan)
    p5, p95 = _quantile_sorted(*_sort(x, w), np.array([0.05, 0.95]), "inverted_cdf")
    if p5 == 0:
        return float("nan")
    return float((p95 - p5) / p5)


def range_ratio(x, w=None, *, nan: str = "raise") -> float:
    """Range ratio max/min over observations with positive weight. Dimensionless, ≥ 1.
    Minimum 0 → ``nan``. Weights only decide which rows count (weight 0 = dropped)."""
    x, w = _clean(x, w, nan=nan)
    lo = x.min()
    return float("nan") if lo == 0 else float(x.max() / lo)


def value_range(x, w=None, *, nan: str = "raise") -> float:
    """Range max − min over observations with positive weight, in the units of ``x``.
    Negative values are allowed."""
    x, w = _clean(x, w, nan=nan, nonnegative=False)
    return float(x.max() - x.min())


# --------------------------------------------------------------------------------------------
# gap ratio, Lorenz curve
# --------------------------------------------------------------------------------------------

def gap_ratio(x, w=None, groups=None, numerator="城区", denominator="乡村", target: float | None = None,
              *, two_sided: bool = False, nan: str = "raise") -> GapRatio:
    """Ratio of the weighted means of two groups, e.g. 城区 over 乡村.

    .. math:: R = \\frac{\\sum_{i \\in num} w_i x_i / \\sum_{i \\in num} w_i}
                        {\\sum_{i \\in den} w_i x_i / \\sum_{i \\in den} w_i}

    **Shares.** When ``x`` is a share per unit (e.g. the share of teachers with a bachelor
    degree in each school) pass the share's *denominator* as ``w`` (the school's teachers, not
    its pupils): then each weighted mean is the group's pooled share (Σ degree teachers ÷ Σ
    teachers) and R is the urban/rural ratio of shares. With pupils as ``w`` the means are
    per-pupil averages of the school shares instead.

    ``target`` (e.g. 1.05, "urban may exceed rural by at most 5%"): ``meets_target`` is
    ``R <= target`` (one-sided, the default) or ``1/target <= R <= target`` with
    ``two_sided=True``. When R is undefined -- a group has no data (e.g. a district with no
    乡村 schools) or the denominator mean is 0 -- ``ratio`` is ``nan``, ``meets_target`` is
    ``None`` and ``note`` says why. Validated by hand computation.

    Returns
    -------
    GapRatio
        ``(numerator_mean, denominator_mean, ratio, target, meets_target, note)``.
    """
    if groups is None:
        raise _err("需要分组 groups", "groups are required")
    if target is not None and (not np.isfinite(target) or target <= 0):
        raise _err("target 必须是正数", "target must be a positive number")
    x, w, g = _clean(x, w, nan=nan, extra=groups)
    means = []
    notes = []
    for label in (numerator, denominator):
        sel = g == label
        if not sel.any():
            means.append(float("nan"))
            notes.append(f"没有“{label}”的数据 / no data for group {label!r}")
        else:
            means.append(_mean(x[sel], w[sel]))
    num, den = means
    ratio = float("nan")
    if not notes:
        if den == 0:
            notes.append(f"“{denominator}”的均值为0 / mean of {denominator!r} is 0")
        else:
            ratio = num / den
    meets = None
    if target is not None and np.isfinite(ratio):
        meets = bool(ratio <= target and (not two_sided or ratio >= 1.0 / target))
    return GapRatio(num, den, ratio, target, meets, "; ".join(notes))


def lorenz_curve(x, w=None, *, nan: str = "raise") -> LorenzCurve:
    """Points of the pupil-weighted Lorenz curve.

    Values sorted ascending; :math:`P_k = \\sum_{j \\le k} w_{(j)} / W` (cumulative pupil share)
    and :math:`L_k = \\sum_{j \\le k} w_{(j)} x_{(j)} / \\sum_j w_j x_j` (cumulative value share),
    both with a leading 0, so ``len = n + 1``. Plot L against P (step points joined by lines).
    All values 0 → ``value_share`` is ``nan`` after the leading 0. Twice the area between the
    diagonal and the curve equals :func:`gini` (tested).
    """
    x, w = _clean(x, w, nan=nan)
    xs, ws = _sort(x, w)
    p = np.concatenate([[0.0], np.cumsum(ws) / ws.sum()])
    tot = float(np.dot(ws, xs))
    if tot == 0:
        lv = np.concatenate([[0.0], np.full(xs.size, np.nan)])
    else:
        lv = np.concatenate([[0.0], np.cumsum(ws * xs) / tot])
    return LorenzCurve(p, lv)


