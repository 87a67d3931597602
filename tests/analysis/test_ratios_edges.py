"""Edges of balance/analysis/inequality/ratios.py that mutation round 5 showed no test was
watching (docs/mutation/round5-inequality.md); each test names the mutants it kills and was
checked to fail on them. Golden numbers are hand arithmetic, written beside them."""
import numpy as np
import pytest

from balance.analysis.inequality import InequalityInputError
from balance.analysis.inequality.ratios import gap_ratio, lorenz_curve

UR = ["城区", "乡村"]


def test_gap_ratio_is_one_sided_unless_asked():
    """Hand: 城区 0.9 / 乡村 1.0 = 0.9 ≤ 1.05 meets the one-sided default target; two-sided it
    does not, 0.9 < 1/1.05 = 0.952 (kills the default ``two_sided=False`` → ``True``)."""
    r = gap_ratio([0.9, 1.0], None, UR, target=1.05)
    assert r.ratio == pytest.approx(0.9, rel=1e-12) and r.meets_target is True
    assert gap_ratio([0.9, 1.0], None, UR, target=1.05, two_sided=True).meets_target is False


@pytest.mark.parametrize("target", [0.5, 1.0])
def test_a_target_at_or_below_one_is_a_valid_positive_target(target):
    """Any positive target is allowed (the docstring: "target must be a positive number"), also
    1.0 (no gap at all) and 0.5; hand: 1.0 / 1.0 = 1 meets 1.0 and not 0.5 (kills ``target <= 0``
    → ``target <= 1``, which refuses both)."""
    r = gap_ratio([1.0, 1.0], None, UR, target=target)
    assert r.ratio == 1.0 and r.target == target and r.meets_target is (target >= 1.0)


def test_the_refusals_of_gap_ratio_are_bilingual_and_exact():
    """Kills the eight text mutants of ``groups are required`` and the six of ``target must be a
    positive number`` (texts dropped, ``None``, XX-wrapped, upper-cased)."""
    with pytest.raises(InequalityInputError) as ei:
        gap_ratio([1.0, 2.0])
    assert str(ei.value) == "需要分组 groups / groups are required"
    for bad in (0, -1.0, float("inf")):
        with pytest.raises(InequalityInputError) as ei:
            gap_ratio([1.0, 2.0], None, UR, target=bad)
        assert str(ei.value) == "target 必须是正数 / target must be a positive number"


def test_gap_ratio_bounds_are_inclusive_on_both_sides():
    """Hand: 1 / 2 = 0.5 = 1/target for target 2: exactly on the lower bound of the two-sided
    test, so it meets it (kills ``ratio >= 1.0 / target`` → ``>``); 2 / 1 = 2 = target meets the
    one-sided test (kills ``ratio <= target`` → ``<``)."""
    r = gap_ratio([1.0, 2.0], None, UR, target=2.0, two_sided=True)
    assert r.ratio == 0.5 and r.meets_target is True
    assert gap_ratio([2.0, 1.0], None, UR, target=2.0).meets_target is True


def test_gap_ratio_omits_missing_rows_when_asked_and_a_missing_group_mean_is_nan():
    """nan="omit" drops the NaN row (hand: 城区 (1 + 3)/2 = 2 over 乡村 4 = 0.5; kills ``nan=nan``
    dropped from the _clean call, which then raises); a group without data has the mean NaN, a
    float, not None (kills ``means.append(float("nan"))`` → ``None``)."""
    r = gap_ratio([1.0, float("nan"), 3.0, 4.0], None, ["城区", "城区", "城区", "乡村"], nan="omit")
    assert (r.numerator_mean, r.denominator_mean, r.ratio) == (2.0, 4.0, 0.5)
    r = gap_ratio([1.0, 2.0], None, ["城区", "镇区"])
    assert isinstance(r.denominator_mean, float) and r.denominator_mean != r.denominator_mean
    assert r.numerator_mean == 1.0 and r.note == "没有“乡村”的数据 / no data for group '乡村'"


def test_lorenz_curve_of_all_zeros_and_of_a_total_of_exactly_one():
    """All values 0: the value shares are undefined after the leading 0 (NaN, a float array; kills
    the seven mutants of that branch: ``lv = None``, ``concatenate(None)``, a leading 1.0,
    ``np.full`` without size or with ``None``). Hand: x = (0, 1), unit weights, Σ w x = 1 —
    population shares 0, ½, 1 and value shares 0, 0, 1 (kills ``tot == 0`` → ``tot == 1``)."""
    lc = lorenz_curve([0.0, 0.0])
    assert lc.population_share.tolist() == [0.0, 0.5, 1.0]
    assert lc.value_share.dtype == np.float64 and lc.value_share[0] == 0.0
    assert np.isnan(lc.value_share[1:]).all() and lc.value_share.size == 3
    lc = lorenz_curve([0.0, 1.0])
    assert lc.population_share.tolist() == [0.0, 0.5, 1.0] and lc.value_share.tolist() == [0.0, 0.0, 1.0]


def test_gap_ratio_notes_of_two_missing_groups_are_joined_by_a_semicolon():
    """Kills the joiner ``"; "`` → ``"XX; XX"`` (the note is one readable line per cause)."""
    r = gap_ratio([1.0, 2.0], None, ["镇区", "镇区"])
    assert r.note == ("没有“城区”的数据 / no data for group '城区'; "
                      "没有“乡村”的数据 / no data for group '乡村'")
