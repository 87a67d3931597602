"""Edges of balance/analysis/inequality/decomposition.py that mutation round 5 showed no test was
watching (docs/mutation/round5-inequality.md); each test names the mutants it kills and was
checked to fail on them. Golden numbers are hand arithmetic, written beside them."""
import math

import pytest

from balance.analysis.inequality import InequalityInputError, theil_decomposition

TOL = dict(rel=1e-12, abs=1e-15)
# the hand case of tests/analysis/test_inequality.py: x = (1, 2, 3), w = (1, 1, 2), μ = 9/4
X, W = [1.0, 2.0, 3.0], [1.0, 1.0, 2.0]
COLUMNS = ["group", "n", "students", "mean", "index", "weight", "within_contribution"]


def test_the_group_table_of_the_t_decomposition_by_hand():
    """Groups a = {1, 2} (W_a = 2, μ_a = 1.5) and b = {3} (W_b = 2, μ_b = 3): n = (2, 1), the
    within factor W_g μ_g / (W μ) = 2·1.5/(4·2.25) = 1/3 and 2·3/9 = 2/3, T_a = ½(1/1.5)ln(1/1.5)
    + ½(2/1.5)ln(2/1.5), T_b = 0 (kills ``ng = None`` in _group_means)."""
    t_a = 0.5 * (1 / 1.5) * math.log(1 / 1.5) + 0.5 * (2 / 1.5) * math.log(2 / 1.5)
    g = theil_decomposition(X, W, ["a", "a", "b"], "T").groups
    assert list(g.columns) == COLUMNS
    assert g["group"].tolist() == ["a", "b"] and g["n"].tolist() == [2, 1]
    assert g["students"].tolist() == [2.0, 2.0] and g["mean"].tolist() == [1.5, 3.0]
    assert g["index"].tolist() == [pytest.approx(t_a, **TOL), 0.0]
    assert g["weight"].tolist() == [pytest.approx(1 / 3, **TOL), pytest.approx(2 / 3, **TOL)]
    assert g["within_contribution"].tolist() == [pytest.approx(t_a / 3, **TOL), 0.0]


def test_the_l_decomposition_omitting_a_zero_by_hand():
    """x = (0, 1, 2, 3), w = (1, 1, 1, 2), groups (a, a, b, b), measure "l" (lower case is
    accepted), zeros="omit": the zero is dropped, leaving a = {1} (W 1) and b = {2, 3} (W 3,
    μ_b = 8/3). Total = the hand Theil L of (1, 2, 3; 1, 1, 2) = ¼ ln 2.25 + ¼ ln 1.125 + ½ ln 0.75;
    between = ¼ ln(2.25/1) + ¾ ln(2.25/(8/3)); L_b = ⅓ ln((8/3)/2) + ⅔ ln((8/3)/3), factor 3/4."""
    d = theil_decomposition([0.0, 1, 2, 3], [1, 1, 1, 2], ["a", "a", "b", "b"], "l", zeros="omit")
    total = 0.25 * math.log(2.25) + 0.25 * math.log(1.125) + 0.5 * math.log(0.75)
    between = 0.25 * math.log(2.25) + 0.75 * math.log(2.25 / (8 / 3))
    l_b = math.log((8 / 3) / 2) / 3 + 2 * math.log((8 / 3) / 3) / 3
    assert d.measure == "L"
    assert d.total == pytest.approx(total, **TOL) and d.between == pytest.approx(between, **TOL)
    assert d.between + d.within == d.total and d.within == pytest.approx(0.75 * l_b, **TOL)
    assert d.between_share == pytest.approx(between / total, **TOL)
    g = d.groups
    assert g["n"].tolist() == [1, 2] and g["students"].tolist() == [1.0, 3.0]
    assert g["weight"].tolist() == [0.25, 0.75]
    assert g["index"].tolist() == [0.0, pytest.approx(l_b, **TOL)]


def test_no_inequality_and_undefined_cases():
    """Equal values: every part exactly 0 and the share undefined (NaN), groups still listed; all
    values 0 (mean 0) or zeros="nan" with a zero under L: every field NaN, an empty group table,
    the measure kept."""
    d = theil_decomposition([2.0, 2.0, 2.0], None, ["a", "b", "a"])
    assert (d.total, d.between, d.within) == (0.0, 0.0, 0.0) and math.isnan(d.between_share)
    assert d.groups["n"].tolist() == [2, 1] and d.groups["index"].tolist() == [0.0, 0.0]
    for args, kw, m in ((([0.0, 0.0], None, ["a", "b"]), {}, "T"),
                        (([0.0, 1.0], None, ["a", "b"], "L"), {"zeros": "nan"}, "L")):
        r = theil_decomposition(*args, **kw)
        assert all(math.isnan(v) for v in (r.total, r.between, r.within, r.between_share))
        assert r.measure == m and r.groups.empty


def test_a_group_of_zeros_has_an_undefined_index_and_a_group_mean_of_one_does_not():
    """x = (0, 0, 0.5, 1.5), unit weights, groups (a, a, b, b): μ = 0.5, μ_a = 0 (T_a undefined,
    NaN, factor 0), μ_b = 1 (T_b = ½(0.5 ln 0.5 + 1.5 ln 1.5), factor 2·1/(4·0.5) = 1). Hand:
    total = ¼·3 ln 3 (r = 0, 0, 1, 3), between = ½·2 ln 2 = ln 2, within = T_b (kills
    ``np.nan if mug[k] == 0`` → ``… and False``, which gives 0, and → ``mug[k] == 1``)."""
    d = theil_decomposition([0.0, 0.0, 0.5, 1.5], None, ["a", "a", "b", "b"], "T")
    t_b = 0.5 * (0.5 * math.log(0.5) + 1.5 * math.log(1.5))
    assert d.total == pytest.approx(0.75 * math.log(3), **TOL)
    assert d.between == pytest.approx(math.log(2), **TOL) and d.within == pytest.approx(t_b, **TOL)
    g = d.groups
    assert math.isnan(g["index"].iloc[0]) and g["index"].iloc[1] == pytest.approx(t_b, **TOL)
    assert g["weight"].tolist() == [0.0, 1.0] and g["within_contribution"].tolist() == [0.0, pytest.approx(t_b, **TOL)]


def test_the_refusals_of_theil_decomposition_are_exact_and_nan_omit_is_honoured():
    """Kills the texts of ``groups are required`` (8) and of the measure message (2), the three
    mutants of the policy name ``"zeros"``, and ``nan=nan`` dropped from the _clean call (a NaN row
    with nan="omit" must be dropped, giving the decomposition of the other rows)."""
    cases = [(([1.0, 2.0],), {}, "需要分组 groups / groups are required"),
             (([1.0, 2.0], None, ["a", "b"], "X"), {},
              "measure 只能是 'T' 或 'L'，收到 'X' / measure must be 'T' or 'L', got 'X'"),
             (([1.0, 2.0], None, ["a", "b"]), {"zeros": "eps"},
              "参数 zeros 只能取 ('raise', 'nan', 'omit')，收到 'eps' / "
              "zeros must be one of ('raise', 'nan', 'omit'), got 'eps'")]
    for args, kw, msg in cases:
        with pytest.raises(InequalityInputError) as ei:
            theil_decomposition(*args, **kw)
        assert str(ei.value) == msg
    d = theil_decomposition([1.0, math.nan, 2.0, 3.0], [1, 5, 1, 2], ["a", "a", "a", "b"], nan="omit")
    assert d.total == theil_decomposition(X, W, ["a", "a", "b"]).total


def test_groups_are_listed_in_sorted_order_and_a_zero_under_l_names_theil_l():
    """Labels first seen as (b, a) are listed a, b (kills ``factorize(sort=True)`` → ``None`` /
    ``False`` / dropped); hand: a = {3} and b = {1, 2}, n = (1, 2), means (3, 1.5). A zero under
    measure "L" is refused naming Theil L (kills the four mutants of that name)."""
    g = theil_decomposition([1.0, 2.0, 3.0], None, ["b", "b", "a"]).groups
    assert g["group"].tolist() == ["a", "b"] and g["n"].tolist() == [1, 2] and g["mean"].tolist() == [3.0, 1.5]
    with pytest.raises(InequalityInputError) as ei:
        theil_decomposition([0.0, 1.0, 2.0], None, ["a", "a", "b"], "L")
    assert str(ei.value) == ("Theil L 在有零值时无定义（1 个零值）；可用 zeros='nan' 或 zeros='omit' / "
                             "Theil L is undefined with zero values (zero values: 1); "
                             "pass zeros='nan' or zeros='omit'")
