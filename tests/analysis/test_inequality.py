"""Tests for balance.analysis.inequality (method.md §4, §8).

Sources of golden numbers:
* "hand": arithmetic written out in the comment next to the number;
* "PySAL": the ``inequality`` package 1.1.2 (test-only oracle; unit weights only);
* "numpy": numpy.quantile / numpy.median / numpy.cov;
* identities (replication, scale invariance, GE(2) = CV²/2, A1 = 1 - exp(-L), ...).
"""
from __future__ import annotations

import math
import pathlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balance.analysis import inequality as I

inequality = pytest.importorskip("inequality")
from inequality.atkinson import atkinson as pysal_atkinson  # noqa: E402
from inequality.gini import Gini  # noqa: E402
from inequality.theil import Theil, TheilD  # noqa: E402

TOL = dict(rel=1e-12, abs=1e-14)

# the weighted hand case used throughout: x = [1, 2, 3], w = [1, 1, 2] (W = 4)
X = [1.0, 2.0, 3.0]
W = [1.0, 1.0, 2.0]
MU = (1 + 2 + 2 * 3) / 4  # = 9/4 = 2.25


# --------------------------------------------------------------------------------------------
# hand computations
# --------------------------------------------------------------------------------------------

def test_hand_mean_cv():
    # mean = (1·1 + 1·2 + 2·3) / 4 = 9/4 = 2.25
    assert I.weighted_mean(X, W) == pytest.approx(2.25, **TOL)
    # S² = [1·(1-2.25)² + 1·(2-2.25)² + 2·(3-2.25)²] / 4 = (1.5625 + 0.0625 + 1.125)/4 = 0.6875
    # CV = sqrt(0.6875) / 2.25 = 0.368513865...
    assert I.weighted_cv(X, W) == pytest.approx(math.sqrt(0.6875) / 2.25, **TOL)
    # numpy: population variance with aweights
    var = np.cov(X, aweights=W, ddof=0)
    assert I.weighted_cv(X, W) == pytest.approx(math.sqrt(var) / 2.25, **TOL)


def test_hand_gini():
    # Σ_i Σ_j w_i w_j |x_i - x_j| = 2·[1·1·|1-2| + 1·2·|1-3| + 1·2·|2-3|] = 2·(1 + 4 + 2) = 14
    # G = 14 / (2 · W² · μ) = 14 / (2 · 16 · 2.25) = 14/72 = 7/36
    assert I.gini(X, W) == pytest.approx(7 / 36, **TOL)
    # PySAL on the replicated data [1, 2, 3, 3]: Σ(2k-n-1)x_(k)/(nΣx) = (-3-2+3+9)/(4·9) = 7/36
    assert Gini(np.array([1.0, 2.0, 3.0, 3.0])).g == pytest.approx(7 / 36, **TOL)


def test_hand_theil_and_ge():
    r = [1 / MU, 2 / MU, 3 / MU]  # x / μ
    # T = Σ p_i r_i ln r_i, p = [1/4, 1/4, 1/2]
    t = 0.25 * r[0] * math.log(r[0]) + 0.25 * r[1] * math.log(r[1]) + 0.5 * r[2] * math.log(r[2])
    assert I.theil_t(X, W) == pytest.approx(t, **TOL)
    assert I.theil_t(X, W) == pytest.approx(Theil(np.array([1.0, 2, 3, 3])).T, **TOL)  # PySAL, replicated
    # L = Σ p_i ln(μ/x_i) = ¼ ln 2.25 + ¼ ln 1.125 + ½ ln 0.75 = 0.0883372767...
    ll = 0.25 * math.log(2.25) + 0.25 * math.log(1.125) + 0.5 * math.log(0.75)
    assert I.theil_l(X, W) == pytest.approx(ll, **TOL)
    assert I.generalized_entropy(X, W, 0) == I.theil_l(X, W)
    assert I.generalized_entropy(X, W, 1) == I.theil_t(X, W)
    # GE(2) = CV²/2 = (0.6875 / 2.25²) / 2 = 0.0679012345...
    assert I.generalized_entropy(X, W, 2) == pytest.approx(0.6875 / 2.25**2 / 2, **TOL)
    # GE(3) = [Σ p r³ - 1] / (3·2)
    ge3 = (0.25 * r[0] ** 3 + 0.25 * r[1] ** 3 + 0.5 * r[2] ** 3 - 1) / 6
    assert I.generalized_entropy(X, W, 3) == pytest.approx(ge3, **TOL)
    # GE(-1) = [Σ p r^-1 - 1] / ((-1)·(-2))
    gem1 = (0.25 / r[0] + 0.25 / r[1] + 0.5 / r[2] - 1) / 2
    assert I.generalized_entropy(X, W, -1) == pytest.approx(gem1, **TOL)


def test_hand_atkinson():
    # A(0.5) = 1 - [¼·1^½ + ¼·2^½ + ½·3^½]² / 2.25
    a05 = 1 - (0.25 * 1 + 0.25 * math.sqrt(2) + 0.5 * math.sqrt(3)) ** 2 / 2.25
    assert I.atkinson(X, W, 0.5) == pytest.approx(a05, **TOL)
    # A(1) = 1 - geometric mean / mean = 1 - (1^¼ · 2^¼ · 3^½) / 2.25
    a1 = 1 - (2 ** 0.25 * 3 ** 0.5) / 2.25
    assert I.atkinson(X, W, 1) == pytest.approx(a1, **TOL)
    # A(2) = 1 - [Σ p / x]^(-1) / μ = 1 - 1/(¼ + ⅛ + ⅙) / 2.25  (harmonic mean / mean)
    a2 = 1 - 1 / (0.25 / 1 + 0.25 / 2 + 0.5 / 3) / 2.25
    assert I.atkinson(X, W, 2) == pytest.approx(a2, **TOL)
    assert I.atkinson(X, W, 0) == 0.0


def test_hand_quantiles_and_school_finance():
    # weighted ECDF: F(1) = 1/4, F(2) = 2/4, F(3) = 1
    assert I.weighted_quantile(X, W, 0.05) == 1.0
    assert I.weighted_quantile(X, W, 0.25) == 1.0  # F(1) = 0.25 ≥ 0.25
    assert I.weighted_quantile(X, W, 0.5) == 2.0  # inverted CDF: first F ≥ 0.5 is x = 2
    assert I.weighted_quantile(X, W, 0.51) == 3.0
    assert I.weighted_quantile(X, W, 0.95) == 3.0
    np.testing.assert_array_equal(I.weighted_quantile(X, W, [0, 0.5, 1]), [1.0, 2.0, 3.0])
    # median: F(2) = 0.5 exactly → average of 2 and 3 = 2.5 (= np.median([1, 2, 3, 3]))
    assert I.weighted_median(X, W) == 2.5 == np.median([1, 2, 3, 3])
    # McLoone: below-or-at 2.5 are x=1 (1 pupil), x=2 (1 pupil): (1 + 2) / (2.5 · 2) = 0.6
    assert I.mcloone(X, W) == pytest.approx(0.6, **TOL)
    # Verstegen: at-or-above 2.5 is x=3 (2 pupils): 2·3 / (2.5 · 2) = 1.2
    assert I.verstegen(X, W) == pytest.approx(1.2, **TOL)
    # federal range ratio: (P95 - P5)/P5 = (3 - 1)/1 = 2
    assert I.federal_range_ratio(X, W) == 2.0
    assert I.range_ratio(X, W) == 3.0  # 3/1
    assert I.value_range(X, W) == 2.0  # 3-1


def test_mcloone_verstegen_include_median_hand():
    x = [1, 2, 3, 4, 5]  # unit weights, median 3 (one value exactly at the median)
    # including the median: (1 + 2 + 3) / (3 · 3) = 6/9
    assert I.mcloone(x, include_median=True) == pytest.approx(6 / 9, **TOL)
    # excluding it: (1 + 2) / (3 · 2) = 3/6
    assert I.mcloone(x, include_median=False) == pytest.approx(0.5, **TOL)
    # Verstegen including: (3 + 4 + 5) / (3 · 3) = 12/9; excluding: (4 + 5)/(3 · 2) = 9/6
    assert I.verstegen(x, include_median=True) == pytest.approx(12 / 9, **TOL)
    assert I.verstegen(x, include_median=False) == pytest.approx(1.5, **TOL)
    # nobody strictly below the median → 1 by convention; including gives (1+1+1)/(1·3) = 1 too
    assert I.mcloone([1, 1, 1, 5], include_median=False) == 1.0
    assert I.mcloone([1, 1, 1, 5], include_median=True) == 1.0
    # weighted: x=[10, 20, 30], w=[3, 1, 1]: median pupil is at 10 (F(10)=0.6 ≥ 0.5) → m = 10
    # McLoone incl = 3·10/(10·3) = 1; Verstegen incl = (30 + 20 + 30)/(10·5) = 80/50 = 1.6
    assert I.mcloone([10, 20, 30], [3, 1, 1]) == 1.0
    assert I.verstegen([10, 20, 30], [3, 1, 1]) == pytest.approx(1.6, **TOL)
    # excl: above 10 are 20 and 30 (1 pupil each): (20 + 30) / (10 · 2) = 2.5
    assert I.verstegen([10, 20, 30], [3, 1, 1], include_median=False) == pytest.approx(2.5, **TOL)


def test_hand_lorenz():
    lc = I.lorenz_curve(X, W)
    # P: 0, 1/4, 2/4, 1 ; L: 0, 1/9, (1+2)/9, 1
    np.testing.assert_allclose(lc.population_share, [0, 0.25, 0.5, 1], rtol=0, atol=1e-15)
    np.testing.assert_allclose(lc.value_share, [0, 1 / 9, 3 / 9, 1], rtol=0, atol=1e-15)


def test_hand_theil_decomposition():
    g = ["a", "a", "b"]
    # group a: W=2, μ_a = 1.5 ; group b: W=2, μ_b = 3 ; μ = 2.25
    bT = 0.5 * (1.5 / 2.25) * math.log(1.5 / 2.25) + 0.5 * (3 / 2.25) * math.log(3 / 2.25)
    Ta = 0.5 * (1 / 1.5) * math.log(1 / 1.5) + 0.5 * (2 / 1.5) * math.log(2 / 1.5)
    wT = (2 * 1.5) / (4 * 2.25) * Ta  # group b has T_b = 0
    d = I.theil_decomposition(X, W, g, "T")
    assert d.total == I.theil_t(X, W)
    assert d.between == pytest.approx(bT, **TOL)
    assert d.within == pytest.approx(wT, **TOL)
    assert d.between + d.within == d.total
    assert d.between_share == pytest.approx(bT / d.total, **TOL)
    # L: between = ½ ln(2.25/1.5) + ½ ln(2.25/3); L_a = ½ ln(1.5/1) + ½ ln(1.5/2); within = ½ L_a
    bL = 0.5 * math.log(2.25 / 1.5) + 0.5 * math.log(2.25 / 3)
    wL = 0.5 * (0.5 * math.log(1.5) + 0.5 * math.log(0.75))
    dl = I.theil_decomposition(X, W, g, "L")
    assert dl.between == pytest.approx(bL, **TOL)
    assert dl.within == pytest.approx(wL, **TOL)
    assert dl.between + dl.within == dl.total == I.theil_l(X, W)
    assert list(dl.groups["group"]) == ["a", "b"]
    assert dl.groups["within_contribution"].sum() == pytest.approx(wL, **TOL)


def test_hand_gap_ratio_shares():
    # share of teachers with a degree, weighted by teachers (the share's denominator):
    # 城区: A 0.8 of 10, B 0.5 of 30 → (8 + 15)/40 = 0.575 ; 乡村: C 0.6 of 20 → 0.6
    share = [0.8, 0.5, 0.6]
    teachers = [10, 30, 20]
    ur = ["城区", "城区", "乡村"]
    r = I.gap_ratio(share, teachers, ur, target=1.05)
    assert r.numerator_mean == pytest.approx(0.575, **TOL)
    assert r.denominator_mean == pytest.approx(0.6, **TOL)
    assert r.ratio == pytest.approx(0.575 / 0.6, **TOL)
    assert r.meets_target is True and r.note == ""
    # two-sided: 0.9583 < 1/1.05 = 0.9524? no → still within [0.952, 1.05]
    assert I.gap_ratio(share, teachers, ur, target=1.05, two_sided=True).meets_target is True
    assert I.gap_ratio(share, teachers, ur, target=1.02, two_sided=True).meets_target is False
    # reversed: 0.6/0.575 = 1.0435 ≤ 1.05 meets, ≤ 1.04 does not
    assert I.gap_ratio(share, teachers, ur, "乡村", "城区", target=1.05).meets_target is True
    assert I.gap_ratio(share, teachers, ur, "乡村", "城区", target=1.04).meets_target is False
    assert I.gap_ratio(share, teachers, ur).meets_target is None  # no target
    # no 乡村 schools → NaN, no verdict, a note
    r = I.gap_ratio([1, 2], [1, 1], ["城区", "镇区"], target=1.05)
    assert math.isnan(r.ratio) and r.meets_target is None and "乡村" in r.note
    r = I.gap_ratio([1, 0], [1, 1], ["城区", "乡村"], target=1.05)
    assert math.isnan(r.ratio) and r.meets_target is None and "0" in r.note


# --------------------------------------------------------------------------------------------
# conventions: CV edge cases, quantiles vs numpy
# --------------------------------------------------------------------------------------------

def test_cv_edge_cases():
    assert I.weighted_cv([7.5]) == 0.0  # one section
    assert I.weighted_cv([3, 3, 3], [1, 5, 9]) == 0.0
    assert math.isnan(I.weighted_cv([0, 0], [10, 20]))  # X = 0 → undefined
    assert I.weighted_cv([0, 10], [1, 1]) == 1.0  # S = 5, X = 5: CV can reach/exceed 1, not clipped
    assert I.weighted_cv([0, 0, 0, 40], [1, 1, 1, 1]) == pytest.approx(math.sqrt(3), **TOL)
    # zero-weight sections are ignored
    assert I.weighted_cv([1, 2, 3, 1000], [1, 1, 2, 0]) == I.weighted_cv(X, W)


finite = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)
arrays = st.lists(finite, min_size=1, max_size=30)
int_weights = st.integers(min_value=1, max_value=5)


@given(arrays, st.sampled_from([0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0]))
def test_quantile_unit_weights_matches_numpy(x, q):
    assert I.weighted_quantile(x, None, q) == np.quantile(x, q, method="inverted_cdf")
    assert I.weighted_median(x) == np.median(x)


@given(st.lists(st.tuples(finite, int_weights), min_size=1, max_size=30),
       st.floats(min_value=0, max_value=1))
def test_quantile_weighted_matches_numpy_weights(pairs, q):
    x = np.array([p[0] for p in pairs])
    w = np.array([p[1] for p in pairs], dtype=float)
    assert I.weighted_quantile(x, w, q) == np.quantile(x, q, weights=w, method="inverted_cdf")
    # and the same as the quantile of the replicated pupil list
    rep = np.repeat(x, w.astype(int))
    assert I.weighted_quantile(x, w, q) == np.quantile(rep, q, method="inverted_cdf")


def test_averaged_quantile_unit_weights_matches_numpy():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 4, 10, 20, 21):
        x = rng.integers(0, 50, n).astype(float)
        for q in (0.0, 0.25, 0.5, 0.75, 1.0):
            assert I.weighted_quantile(x, None, q, method="averaged_inverted_cdf") == np.quantile(
                x, q, method="averaged_inverted_cdf"), (n, q)


# --------------------------------------------------------------------------------------------
# PySAL oracle (unit weights)
# --------------------------------------------------------------------------------------------

@given(arrays)
def test_gini_matches_pysal(x):
    assert I.gini(x) == pytest.approx(Gini(np.array(x)).g, rel=1e-12, abs=1e-12)


@given(st.lists(st.one_of(st.just(0.0), finite), min_size=1, max_size=30).filter(lambda v: sum(v) > 0))
def test_gini_theil_with_zeros_match_pysal(x):
    a = np.array(x)
    assert I.gini(a) == pytest.approx(Gini(a).g, rel=1e-12, abs=1e-12)
    # PySAL adds `tiny` to zeros; equivalent to 0·ln 0 = 0
    assert I.theil_t(a) == pytest.approx(Theil(a).T, rel=1e-12, abs=1e-12)


@given(arrays)
def test_theil_t_matches_pysal(x):
    assert I.theil_t(x) == pytest.approx(Theil(np.array(x)).T, rel=1e-12, abs=1e-12)


@given(arrays, st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0]))
def test_atkinson_matches_pysal(x, eps):
    assert I.atkinson(x, None, eps) == pytest.approx(pysal_atkinson(np.array(x), eps), rel=1e-9, abs=1e-12)


@given(st.lists(st.tuples(finite, st.sampled_from(["城区", "镇区", "乡村"])), min_size=1, max_size=40))
def test_theil_decomposition_matches_pysal(pairs):
    x = np.array([p[0] for p in pairs])
    g = np.array([p[1] for p in pairs])
    d = I.theil_decomposition(x, None, g, "T")
    ref = TheilD(x, g)
    assert d.total == pytest.approx(float(ref.T), rel=1e-12, abs=1e-12)
    assert d.between == pytest.approx(float(ref.bg[0]), rel=1e-12, abs=1e-12)
    assert d.within == pytest.approx(float(ref.wg[0]), rel=1e-12, abs=1e-12)
    assert d.between + d.within == d.total


def test_pysal_mexico_style_example():
    # PySAL's own decomposition on a fixed random sample, as a regression point
    rng = np.random.default_rng(0)
    y = rng.lognormal(size=50)
    part = rng.integers(0, 3, 50)
    ref = TheilD(y, part)
    d = I.theil_decomposition(y, None, part)
    assert (d.total, d.between) == (pytest.approx(ref.T, **TOL), pytest.approx(ref.bg[0], **TOL))


# --------------------------------------------------------------------------------------------
# invariances and identities (hypothesis)
# --------------------------------------------------------------------------------------------

def _all_measures(x, w, g=None):
    out = {
        "mean": I.weighted_mean(x, w), "cv": I.weighted_cv(x, w), "gini": I.gini(x, w),
        "theil_t": I.theil_t(x, w), "theil_l": I.theil_l(x, w),
        "ge2": I.generalized_entropy(x, w, 2), "ge_m1": I.generalized_entropy(x, w, -1),
        "ge3": I.generalized_entropy(x, w, 3),
        "a05": I.atkinson(x, w, 0.5), "a1": I.atkinson(x, w, 1), "a2": I.atkinson(x, w, 2),
        "median": I.weighted_median(x, w), "p5": I.weighted_quantile(x, w, 0.05),
        "p95": I.weighted_quantile(x, w, 0.95),
        "mcl": I.mcloone(x, w), "mcl_x": I.mcloone(x, w, include_median=False),
        "ver": I.verstegen(x, w), "ver_x": I.verstegen(x, w, include_median=False),
        "frr": I.federal_range_ratio(x, w), "rr": I.range_ratio(x, w), "vr": I.value_range(x, w),
    }
    if g is not None:
        for m in ("T", "L"):
            d = I.theil_decomposition(x, w, g, m)
            out[f"{m}_between"], out[f"{m}_within"] = d.between, d.within
    return out


@settings(max_examples=150)
@given(st.lists(st.tuples(finite, int_weights, st.sampled_from("abc")), min_size=1, max_size=25))
def test_replication_invariance(rows):
    """Weight k ≡ the observation listed k times (all measures, incl. quantiles and decomposition)."""
    x = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows], dtype=float)
    g = np.array([r[2] for r in rows])
    k = w.astype(int)
    weighted = _all_measures(x, w, g)
    replicated = _all_measures(np.repeat(x, k), None, np.repeat(g, k))
    for name, v in weighted.items():
        assert v == pytest.approx(replicated[name], rel=1e-9, abs=1e-12), name


@settings(max_examples=100)
@given(st.lists(st.tuples(finite, int_weights), min_size=1, max_size=25),
       st.floats(min_value=1e-3, max_value=1e3))
def test_scale_invariance(rows, c):
    x = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows], dtype=float)
    a, b = _all_measures(x, w), _all_measures(c * x, w)
    for name in ("cv", "gini", "theil_t", "theil_l", "ge2", "ge_m1", "ge3", "a05", "a1", "a2",
                 "mcl", "mcl_x", "ver", "ver_x", "frr", "rr"):
        assert a[name] == pytest.approx(b[name], rel=1e-8, abs=1e-12), name
    assert b["mean"] == pytest.approx(c * a["mean"], rel=1e-12)
    # weights only matter relative to each other
    assert I.gini(x, 7 * w) == pytest.approx(a["gini"], rel=1e-12, abs=1e-15)


@settings(max_examples=150)
@given(st.lists(st.tuples(st.one_of(st.just(0.0), finite), st.floats(min_value=0.1, max_value=1e3),
                          st.sampled_from(["城区", "镇区", "乡村"])), min_size=1, max_size=30)
       .filter(lambda rows: sum(r[0] for r in rows) > 0))
def test_decomposition_adds_up_exactly(rows):
    x = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows])
    g = np.array([r[2] for r in rows])
    d = I.theil_decomposition(x, w, g, "T")
    assert d.between + d.within == d.total
    assert d.total == I.theil_t(x, w)
    assert d.between >= 0 and d.within >= 0
    # the residual agrees with the direct within-group sum Σ_g (W_g μ_g / W μ) T_g
    assert d.within == pytest.approx(d.groups["within_contribution"].sum(), rel=1e-9, abs=1e-12)
    if (x > 0).all():
        dl = I.theil_decomposition(x, w, g, "L")
        assert dl.between + dl.within == dl.total == I.theil_l(x, w)
        assert dl.within == pytest.approx(dl.groups["within_contribution"].sum(), rel=1e-9, abs=1e-12)


@given(st.lists(st.tuples(finite, st.floats(min_value=0.1, max_value=1e3)), min_size=1, max_size=30))
def test_identities(rows):
    x = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows])
    cv = I.weighted_cv(x, w)
    assert I.generalized_entropy(x, w, 2) == pytest.approx(cv**2 / 2, rel=1e-9, abs=1e-15)
    assert I.atkinson(x, w, 1) == pytest.approx(1 - math.exp(-I.theil_l(x, w)), rel=1e-9, abs=1e-12)
    # GE(α) is continuous at 0, 1 and 2
    for a, ref in ((1e-7, I.theil_l(x, w)), (1 + 1e-7, I.theil_t(x, w)), (2 + 1e-7, cv**2 / 2)):
        assert I.generalized_entropy(x, w, a) == pytest.approx(ref, rel=1e-4, abs=1e-6)
    # Gini = 1 - Σ ΔP_k (L_k + L_{k-1}) (trapezoids under the Lorenz curve)
    lc = I.lorenz_curve(x, w)
    area = np.sum(np.diff(lc.population_share) * (lc.value_share[1:] + lc.value_share[:-1]))
    assert I.gini(x, w) == pytest.approx(1 - area, rel=1e-9, abs=1e-12)
    assert I.mcloone(x, w) <= 1 + 1e-12 and I.verstegen(x, w) >= 1 - 1e-12


# --------------------------------------------------------------------------------------------
# bad-input policies
# --------------------------------------------------------------------------------------------

def _bilingual(exc):
    msg = str(exc.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in msg) and any(ch.isascii() and ch.isalpha() for ch in msg), msg


FUNCS = [I.weighted_mean, I.weighted_cv, I.gini, I.theil_t, I.theil_l, I.atkinson, I.mcloone,
         I.verstegen, I.federal_range_ratio, I.range_ratio, I.value_range, I.weighted_median,
         I.lorenz_curve]


@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.__name__)
def test_nan_raises_or_is_omitted(f):
    with pytest.raises(ValueError, match="nan='omit'") as e:
        f([1.0, np.nan, 3.0], [1, 1, 2])
    _bilingual(e)
    with pytest.raises(I.InequalityInputError):
        f([1.0, 2.0, 3.0], [1, np.nan, 2])
    got = f([1.0, np.nan, 2.0, 3.0], [1, 5, 1, 2], nan="omit")
    want = f(X, W)
    if isinstance(want, tuple):
        np.testing.assert_array_equal(got[0], want[0])
    else:
        assert got == want


@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.__name__)
def test_weight_and_shape_errors(f):
    with pytest.raises(ValueError) as e:
        f([1.0, 2.0], [1, -1])  # negative weight
    _bilingual(e)
    with pytest.raises(ValueError):
        f([1.0, 2.0], [0, 0])  # zero total weight
    with pytest.raises(ValueError):
        f([], [])
    with pytest.raises(ValueError):
        f([1.0, 2.0], [1, 1, 1])
    with pytest.raises(ValueError):
        f([1.0, np.inf], [1, 1])
    with pytest.raises(ValueError):
        f([1.0, 2.0], [1, 1], nan="drop")  # unknown policy name


@pytest.mark.parametrize("f", [f for f in FUNCS if f not in (I.weighted_mean, I.value_range, I.weighted_median)],
                         ids=lambda f: f.__name__)
def test_negative_values_raise(f):
    with pytest.raises(ValueError, match="negative") as e:
        f([-1.0, 2.0, 3.0])
    _bilingual(e)


def test_negative_values_allowed_where_meaningful():
    assert I.weighted_mean([-1, 3]) == 1.0
    assert I.value_range([-1, 3]) == 4.0
    assert I.weighted_quantile([-1, 3], None, 0.5) == -1.0


def test_pandas_inputs_including_nullable():
    s = pd.Series([1.0, 2.0, 3.0], index=[10, 11, 12])
    assert I.gini(s, pd.Series(W)) == pytest.approx(7 / 36, **TOL)
    with pytest.raises(ValueError):
        I.gini(pd.array([1.0, None, 3.0], dtype="Float64"))
    assert I.gini(pd.array([1.0, None, 2.0, 3.0], dtype="Float64"), [1, 1, 1, 2], nan="omit") == pytest.approx(7 / 36)


@pytest.mark.parametrize("f", [lambda x, **k: I.theil_l(x, **k),
                               lambda x, **k: I.generalized_entropy(x, None, 0, **k),
                               lambda x, **k: I.generalized_entropy(x, None, -1, **k),
                               lambda x, **k: I.atkinson(x, None, 1, **k),
                               lambda x, **k: I.atkinson(x, None, 2.5, **k)],
                         ids=["theil_l", "ge0", "ge-1", "atk1", "atk2.5"])
def test_zero_policy(f):
    x = [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="zeros='nan'") as e:
        f(x)
    _bilingual(e)
    assert math.isnan(f(x, zeros="nan"))
    assert f(x, zeros="omit") == f([1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        f(x, zeros="epsilon")
    with pytest.raises(ValueError):
        f([0.0, 0.0], zeros="omit")  # nothing left


def test_zeros_fine_where_defined():
    x = [0.0, 1.0, 2.0, 3.0]
    # T = Σ ¼ r ln r with r = x/1.5 and 0 ln 0 = 0
    t = sum(0.25 * (v / 1.5) * math.log(v / 1.5) for v in x[1:])
    assert I.theil_t(x) == pytest.approx(t, **TOL)
    assert I.generalized_entropy(x, None, 0.5) > 0
    assert I.atkinson(x, None, 0.5) > 0
    assert I.gini(x) > 0
    assert I.mcloone(x) == pytest.approx((0 + 1) / (1.5 * 2), **TOL)  # median (1+2)/2 = 1.5
    # zero reference levels → NaN (the official X = 0 rule)
    assert math.isnan(I.mcloone([0, 0, 5]))  # median 0
    assert math.isnan(I.federal_range_ratio([0, 1, 2]))  # P5 = 0
    assert math.isnan(I.range_ratio([0, 1, 2]))  # min 0
    for f in (I.gini, I.theil_t, I.weighted_cv):
        assert math.isnan(f([0.0, 0.0]))


def test_parameter_errors():
    with pytest.raises(ValueError):
        I.atkinson(X, W, -0.5)
    with pytest.raises(ValueError):
        I.weighted_quantile(X, W, 1.5)
    with pytest.raises(ValueError):
        I.weighted_quantile(X, W, 0.5, method="linear")
    with pytest.raises(ValueError):
        I.theil_decomposition(X, W, ["a", "b", "a"], measure="X")
    with pytest.raises(ValueError):
        I.theil_decomposition(X, W, ["a", None, "a"])  # missing group label
    with pytest.raises(ValueError):
        I.gap_ratio(X, W, ["城区", "乡村"])  # wrong length
    with pytest.raises(ValueError):
        I.gap_ratio(X, W, ["城区", "乡村", "乡村"], target=0)


def test_module_does_not_import_pysal():
    files = sorted(pathlib.Path(I.__file__).parent.glob("*.py"))  # the package and its submodules
    assert len(files) > 1
    for f in files:
        src = f.read_text(encoding="utf-8")
        assert "import inequality" not in src and "from inequality" not in src, f.name


# --------------------------------------------------------------------------------------------
# the grouped table
# --------------------------------------------------------------------------------------------

def _table_frame(seed=7, groups=60):
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(groups):
        n = int(rng.integers(1, 16))
        vals = np.round(rng.lognormal(1, 0.6, n), 1)
        if k % 5 == 0:
            vals[0] = 0.0  # a zero value → Theil L undefined
        if k % 7 == 0:
            vals[:] = vals[0]  # ties (and equal values)
        for i in range(n):
            rows.append({"year": 2024, "county_code": f"C{k // 4:03d}", "stage": ["小学", "初中"][k % 2],
                         "indicator": ["x1", "x2"][(k // 2) % 2], "value": vals[i],
                         "students": int(rng.integers(1, 600)),
                         "urban_rural": ["城区", "镇区", "乡村"][int(rng.integers(0, 3))]})
    rows.append({"year": 2024, "county_code": "ZERO", "stage": "小学", "indicator": "x1", "value": 0.0,
                 "students": 10, "urban_rural": "乡村"})
    rows.append({"year": 2024, "county_code": "ZERO", "stage": "小学", "indicator": "x1", "value": 0.0,
                 "students": 20, "urban_rural": "城区"})
    return pd.DataFrame(rows)


BY = ["year", "county_code", "stage", "indicator"]


def test_table_matches_pure_functions():
    df = _table_frame()
    tab = I.inequality_table(df, group="urban_rural")
    assert len(tab) == df.groupby(BY).ngroups
    assert list(tab.columns) == BY + ["n", "students", "mean", *I.MEASURES,
                                      "theil_t_between", "theil_t_within", "theil_t_between_share",
                                      "theil_l_between", "theil_l_within", "theil_l_between_share", "notes"]
    for _, row in tab.iterrows():
        sub = df[(df[BY] == row[BY].to_numpy()).all(axis=1)]
        x, w, g = sub["value"].to_numpy(), sub["students"].to_numpy(), sub["urban_rural"].to_numpy()
        dT = I.theil_decomposition(x, w, g, "T")
        dL = I.theil_decomposition(x, w, g, "L", zeros="nan")
        want = {
            "n": len(sub), "students": w.sum(), "mean": I.weighted_mean(x, w), "cv": I.weighted_cv(x, w),
            "gini": I.gini(x, w), "theil_t": I.theil_t(x, w), "theil_l": I.theil_l(x, w, zeros="nan"),
            "ge_2": I.generalized_entropy(x, w, 2), "atkinson_0_5": I.atkinson(x, w, 0.5),
            "atkinson_1": I.atkinson(x, w, 1, zeros="nan"), "mcloone": I.mcloone(x, w),
            "verstegen": I.verstegen(x, w), "federal_range_ratio": I.federal_range_ratio(x, w),
            "range_ratio": I.range_ratio(x, w),
            "theil_t_between": dT.between, "theil_t_within": dT.within,
            "theil_t_between_share": dT.between_share,
            "theil_l_between": dL.between, "theil_l_within": dL.within,
            "theil_l_between_share": dL.between_share,
        }
        for col, v in want.items():
            got = row[col]
            if isinstance(v, float) and math.isnan(v):
                assert math.isnan(got), (col, row["county_code"])
            else:
                assert got == pytest.approx(v, rel=1e-11, abs=1e-14), (col, row["county_code"])
    ok = tab["theil_t"].notna()
    assert (tab.loc[ok, "theil_t_between"] + tab.loc[ok, "theil_t_within"] == tab.loc[ok, "theil_t"]).all()
    okl = tab["theil_l"].notna()
    assert (tab.loc[okl, "theil_l_between"] + tab.loc[okl, "theil_l_within"] == tab.loc[okl, "theil_l"]).all()


def test_table_notes_and_zero_policies():
    df = _table_frame()
    tab = I.inequality_table(df, group="urban_rural").set_index("county_code", append=True)
    zero = tab.xs("ZERO", level="county_code").iloc[0]
    assert math.isnan(zero["cv"]) and math.isnan(zero["theil_t"]) and math.isnan(zero["mcloone"])
    assert "mean is 0" in zero["notes"] and "均值为0" in zero["notes"]
    t = I.inequality_table(df)
    with_zero = t[t["notes"].str.contains("zero value") & t["mean"].gt(0)]
    assert len(with_zero) >= 10 and with_zero["theil_l"].isna().all() and with_zero["gini"].notna().all()
    # zeros="omit": theil_l over the positive values, with a note
    t2 = I.inequality_table(df, zeros="omit")
    row = t2[t2["notes"].str.contains("omitted") & t2["mean"].gt(0)].iloc[0]
    sub = df[(df[BY] == row[BY].to_numpy()).all(axis=1)]
    assert row["theil_l"] == pytest.approx(I.theil_l(sub["value"], sub["students"], zeros="omit"), rel=1e-12)
    assert row["atkinson_1"] == pytest.approx(I.atkinson(sub["value"], sub["students"], 1, zeros="omit"), rel=1e-12)
    single = t[t["n"] == 1]
    assert (single["cv"] == 0).all() and (single["mcloone"] == 1).all()
    with pytest.raises(ValueError):
        I.inequality_table(df, zeros="raise")


def test_table_input_handling():
    df = _table_frame()
    # measures subset and no grouping
    t = I.inequality_table(df, by=None, measures=["gini", "cv"])
    assert list(t.columns) == ["n", "students", "mean", "cv", "gini", "notes"]
    assert t["gini"].iloc[0] == pytest.approx(I.gini(df["value"], df["students"]), rel=1e-12)
    t = I.inequality_table(df, weight=None, by="stage", measures=["gini"])
    assert list(t["stage"]) == ["初中", "小学"]
    assert t["gini"].iloc[0] == pytest.approx(I.gini(df.loc[df.stage == "初中", "value"]), rel=1e-12)
    with pytest.raises(ValueError, match="unknown measure"):
        I.inequality_table(df, measures=["gni"])
    with pytest.raises(ValueError, match="missing column"):
        I.inequality_table(df.drop(columns="stage"))
    bad = df.copy()
    bad.loc[3, "value"] = np.nan
    with pytest.raises(ValueError, match="nan='omit'"):
        I.inequality_table(bad)
    t = I.inequality_table(bad, nan="omit")
    assert t["notes"].str.contains("missing values omitted").sum() == 1
    neg = df.copy()
    neg.loc[3, "students"] = -1
    with pytest.raises(ValueError, match="negative"):
        I.inequality_table(neg)
    # a group whose only row has 0 pupils → NaN row with a note, no exception
    zw = pd.concat([df, pd.DataFrame([{"year": 2024, "county_code": "EMPTY", "stage": "小学", "indicator": "x1",
                                       "value": 3.0, "students": 0, "urban_rural": "城区"}])])
    t = I.inequality_table(zw, group="urban_rural")
    e = t[t.county_code == "EMPTY"].iloc[0]
    assert e["n"] == 0 and math.isnan(e["gini"]) and "no valid rows" in e["notes"]


def test_table_10000_groups():  # speed: benchmarks/, never asserted in a test
    rng = np.random.default_rng(1)
    G, per = 10_000, 20
    N = G * per
    df = pd.DataFrame({"year": 2024, "county_code": np.repeat(np.arange(G) // 4, per),
                       "stage": np.repeat(np.where(np.arange(G) % 2, "小学", "初中"), per),
                       "indicator": np.repeat(np.where((np.arange(G) // 2) % 2, "a", "b"), per),
                       "value": rng.lognormal(1, 0.5, N), "students": rng.integers(1, 800, N),
                       "urban_rural": rng.choice(["城区", "镇区", "乡村"], N)})
    tab = I.inequality_table(df, group="urban_rural")
    assert len(tab) == G
