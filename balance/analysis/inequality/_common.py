"""Shared input handling, result types and numeric helpers of the inequality measures.

The conventions (missing values, weights, zeros) are stated once in the package docstring
(:mod:`balance.analysis.inequality`).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["InequalityInputError", "TheilDecomposition", "GapRatio", "LorenzCurve"]

_NAN_POLICIES = ("raise", "omit")
_ZERO_POLICIES = ("raise", "nan", "omit")
_QUANTILE_METHODS = ("inverted_cdf", "averaged_inverted_cdf")


class InequalityInputError(ValueError):
    """Bad input to an inequality measure (message in Chinese / English)."""


def _err(zh: str, en: str) -> InequalityInputError:
    return InequalityInputError(f"{zh} / {en}")


class TheilDecomposition(NamedTuple):
    """Result of :func:`theil_decomposition`; ``between + within == total`` exactly."""

    total: float
    between: float
    within: float
    between_share: float
    measure: str
    groups: pd.DataFrame


class GapRatio(NamedTuple):
    """Result of :func:`gap_ratio`."""

    numerator_mean: float
    denominator_mean: float
    ratio: float
    target: float | None
    meets_target: bool | None
    note: str


class LorenzCurve(NamedTuple):
    """Points of a Lorenz curve, both arrays start at 0 and end at 1."""

    population_share: np.ndarray
    value_share: np.ndarray


# --------------------------------------------------------------------------------------------
# input handling
# --------------------------------------------------------------------------------------------

def _check_policy(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise _err(f"参数 {name} 只能取 {allowed}，收到 {value!r}",
                   f"{name} must be one of {allowed}, got {value!r}")


def _as_float(a) -> np.ndarray:
    if isinstance(a, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        return a.to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(a, dtype="float64")


def _clean(x, w=None, *, nan: str = "raise", nonnegative: bool = True, extra=None):
    """Validate and align ``x``, ``w`` (and optionally a label array ``extra``).

    Returns float64 1-D arrays with NaN rows dropped (if ``nan="omit"``) and zero-weight rows
    dropped; raises :class:`InequalityInputError` for everything else that is wrong.
    """
    _check_policy(nan, _NAN_POLICIES, "nan")
    xa = _as_float(x)
    if xa.ndim != 1:
        raise _err(f"x 必须是一维数组，收到形状 {xa.shape}", f"x must be 1-D, got shape {xa.shape}")
    if w is None:
        wa = np.ones_like(xa)
    else:
        wa = _as_float(w)
        if wa.shape != xa.shape:
            raise _err(f"权重 w 的形状 {wa.shape} 与 x 的形状 {xa.shape} 不一致",
                       f"weights w have shape {wa.shape}, x has shape {xa.shape}")
    ea = None
    if extra is not None:
        ea = np.asarray(pd.Series(extra, copy=False).to_numpy(dtype=object))
        if ea.shape != xa.shape:
            raise _err(f"分组 groups 的长度 {ea.shape} 与 x 的长度 {xa.shape} 不一致",
                       f"groups have shape {ea.shape}, x has shape {xa.shape}")
    if xa.size == 0:
        raise _err("没有数据（空数组）", "no data (empty array)")
    missing = np.isnan(xa) | np.isnan(wa)
    if ea is not None:
        missing |= pd.isna(ea)
    if missing.any():
        if nan == "raise":
            raise _err(f"有 {int(missing.sum())} 个缺失值（NaN）；如需剔除请用 nan='omit'",
                       f"missing values (NaN): {int(missing.sum())}; pass nan='omit' to drop them")
        keep = ~missing
        xa, wa = xa[keep], wa[keep]
        ea = None if ea is None else ea[keep]
    if np.isinf(xa).any() or np.isinf(wa).any():
        raise _err("数值或权重中有无穷大", "infinite value or weight")
    if (wa < 0).any():
        raise _err("权重（学生数）不能为负", "weights (pupils) must not be negative")
    if nonnegative and (xa < 0).any():
        raise _err("该指标要求数值非负，数据中有负值", "this measure needs non-negative values; x has negatives")
    pos = wa > 0
    if not pos.all():
        xa, wa = xa[pos], wa[pos]
        ea = None if ea is None else ea[pos]
    if wa.size == 0 or wa.sum() <= 0:
        raise _err("权重总和为0（没有学生）", "total weight is zero (no pupils)")
    if extra is not None:
        return xa, wa, ea
    return xa, wa


def _zero_policy(x, w, zeros: str, what: str):
    """Apply the ``zeros`` policy. Returns (x, w) or ``None`` meaning "return NaN"."""
    _check_policy(zeros, _ZERO_POLICIES, "zeros")
    z = x == 0
    if not z.any():
        return x, w
    if zeros == "raise":
        raise _err(f"{what} 在有零值时无定义（{int(z.sum())} 个零值）；可用 zeros='nan' 或 zeros='omit'",
                   f"{what} is undefined with zero values (zero values: {int(z.sum())}); "
                   "pass zeros='nan' or zeros='omit'")
    if zeros == "nan":
        return None
    x, w = x[~z], w[~z]
    if w.size == 0:
        raise _err("剔除零值后没有数据", "no data left after omitting zero values")
    return x, w


def _mean(x, w) -> float:
    # equal values: return the value itself, so that r = x/mu == 1 exactly and every
    # inequality measure is exactly 0 (not ±1e-17 round-off)
    if x[0] == x.min() == x.max():
        return float(x[0])
    return float(np.dot(w, x) / w.sum())


def _xlogx(r):
    """r·ln r with 0·ln 0 = 0."""
    out = np.zeros_like(r)
    pos = r > 0
    out[pos] = r[pos] * np.log(r[pos])
    return out


def _exact_residual(total, between):
    """``within = total - between`` adjusted by a few ulps so that ``between + within == total``
    holds exactly in floating point. When round-half-even makes that unreachable by moving
    ``within`` alone, the smaller of the two parts is moved by one ulp (a relative change of
    ~1e-16). Round-off outside [0, total] is clipped (both parts are >= 0 in exact arithmetic).
    Scalars or arrays."""
    total = np.asarray(total, dtype="float64")
    between = np.asarray(between, dtype="float64").copy()
    between = np.where(between > total, total, np.where(between < 0, 0.0, between))
    within = total - between
    finite = np.isfinite(total) & np.isfinite(between)
    for it in range(32):
        s = between + within
        bad = (s != total) & finite
        if not bad.any():
            break
        step = np.where(s < total, np.inf, -np.inf)
        if it % 3 == 2:  # break a rounding tie by moving the part on the finer grid
            move_b = bad & (np.abs(between) <= np.abs(within))
            move_w = bad & ~move_b
            between = np.where(move_b, np.nextafter(between, step), between)
            within = np.where(move_w, np.nextafter(within, step), within)
        else:
            within = np.where(bad, np.nextafter(within, step), within)
    return between, within

