"""The pupil-weighted coefficient of variation 差异系数: one kernel for every caller.

For one group (a county, year, stage and indicator) of sections with values :math:`x_i` and
pupils :math:`P_i` (:math:`P = \\sum_i P_i`), method.md §4:

.. math::

    \\bar X = \\frac{\\sum_i P_i x_i}{P}, \\qquad
    S = \\sqrt{\\sum_i \\frac{P_i}{P}(x_i - \\bar X)^2}, \\qquad
    CV = \\frac{S}{\\bar X}

Population form (no :math:`n-1`); dimensionless (the unit of :math:`x` cancels); never clipped
(it can exceed 1). One section gives exactly 0. :math:`\\bar X = 0`, a missing value or no
pupils leave CV undefined (NaN): the verdict layer reports it as missing with the reason and the
indicator does not pass.

:func:`grouped_cv` computes it for many groups at once (``numpy.bincount``),
:func:`pupil_weighted_cv` for one group (the same arithmetic with dot products). Every caller
goes through these two: the official table
(:func:`balance.method.official.group_cv`), :func:`balance.analysis.inequality.weighted_cv`, the
``cv`` column of :func:`balance.analysis.inequality.inequality_table` and the planners' CV checks.
Validated by the hand computation in ``tests/method/test_dispersion.py``.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["grouped_cv", "pupil_weighted_cv"]


def grouped_cv(codes, values, pupils, n_groups: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pupil-weighted mean and CV of every group at once.

    Parameters
    ----------
    codes : array-like of int, shape (n,)
        Group number 0 … ``n_groups - 1`` of each section.
    values : array-like of float, shape (n,)
        Section values :math:`x_i` (NaN makes its group's mean and CV NaN).
    pupils : array-like of float, shape (n,)
        Section pupils :math:`P_i` (≥ 0).
    n_groups : int, optional
        Number of groups (default ``max(codes) + 1``); a group without sections gets NaN.

    Returns
    -------
    mean, cv : ndarray of float, shape (n_groups,)
        :math:`\\bar X` and :math:`S / \\bar X` per group (formula in the module docstring);
        ``cv`` is NaN where :math:`\\bar X` is 0 or not finite, and exactly 0 for one section
        (no 1e-17 residue from :math:`(P x)/P \\ne x` in binary).
    """
    codes = np.asarray(codes, dtype=np.intp)
    x = np.asarray(values, dtype="float64")
    p = np.asarray(pupils, dtype="float64")
    if n_groups is None:
        n_groups = int(codes.max()) + 1 if codes.size else 0
    w_total = np.bincount(codes, weights=p, minlength=n_groups)
    count = np.bincount(codes, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes, weights=p * x, minlength=n_groups) / w_total
        dev = x - mean[codes]
        var = np.bincount(codes, weights=p * dev * dev, minlength=n_groups) / w_total
        defined = np.isfinite(mean) & (mean != 0)
        cv = np.where(defined, np.sqrt(var) / np.where(defined, mean, 1.0), np.nan)
    cv = np.where((count == 1) & defined, 0.0, cv)
    return mean, cv


def pupil_weighted_cv(values, pupils) -> float:
    """The official 差异系数 of one indicator over one group of sections (:func:`grouped_cv`).

    Parameters
    ----------
    values : array-like of float
        Section values :math:`x_i` (any unit; CV is unit-free).
    pupils : array-like of float
        Section pupils :math:`P_i` (> 0).

    Returns
    -------
    float
        :math:`S/\\bar X`; 0.0 for one section; NaN when :math:`\\bar X = 0`, a value is missing
        or there are no sections (or no pupils).

    Examples
    --------
    Two sections, x = (2, 4), P = (100, 300): X = (200 + 1200)/400 = 3.5;
    S² = (100·(2−3.5)² + 300·(4−3.5)²)/400 = (225 + 75)/400 = 0.75; CV = √0.75/3.5 ≈ 0.247436.

    >>> round(pupil_weighted_cv([2, 4], [100, 300]), 6)
    0.247436
    """
    x = np.asarray(values, dtype="float64").ravel()
    p = np.asarray(pupils, dtype="float64").ravel()
    total = float(p.sum()) if x.size else 0.0
    if not total > 0:
        return math.nan
    # :func:`grouped_cv` for one group, with dot products instead of bincount (the planners call
    # this in loops of up to 200,000 steps); the two agree to round-off (tested)
    mean = float(np.dot(p, x)) / total
    if not (math.isfinite(mean) and mean != 0):
        return math.nan
    if x.size == 1:
        return 0.0
    dev = x - mean
    return math.sqrt(float(np.dot(p, dev * dev)) / total) / mean
