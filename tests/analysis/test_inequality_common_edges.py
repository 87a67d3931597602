"""Edges of balance/analysis/inequality/_common.py that mutation round 5 showed no test was
watching (docs/mutation/round5-inequality.md); each test names the mutants it kills and was
checked to fail on them."""
import numpy as np
import pandas as pd
import pytest

from balance.analysis.inequality import InequalityInputError, gap_ratio, gini, range_ratio, theil_l, value_range
from balance.analysis.inequality._common import _exact_residual

_ZEROS_POLICY = ("参数 zeros 只能取 ('raise', 'nan', 'omit')，收到 'eps' / "
                 "zeros must be one of ('raise', 'nan', 'omit'), got 'eps'")


def test_the_zero_policy_refusals_are_exact_in_both_languages():
    """An unknown ``zeros`` names the parameter (kills ``_check_policy(zeros, …, "zeros")`` →
    ``None`` / ``"XXzerosXX"`` / ``"ZEROS"`` in _zero_policy); a zero value names the measure,
    the count and the two ways out in both languages (kills the English text → ``None`` and the
    XX / upper-case mutants of its tail); nothing left after omitting zeros says so (kills the
    five text mutants of ``no data left after omitting zero values``)."""
    with pytest.raises(InequalityInputError) as ei:
        theil_l([0.0, 1.0, 2.0], zeros="eps")
    assert str(ei.value) == _ZEROS_POLICY
    with pytest.raises(InequalityInputError) as ei:
        theil_l([0.0, 0.0, 1.0, 2.0])
    assert str(ei.value) == ("Theil L 在有零值时无定义（2 个零值）；可用 zeros='nan' 或 zeros='omit' / "
                             "Theil L is undefined with zero values (zero values: 2); "
                             "pass zeros='nan' or zeros='omit'")
    with pytest.raises(InequalityInputError) as ei:
        theil_l([0.0, 0.0], zeros="omit")
    assert str(ei.value) == "剔除零值后没有数据 / no data left after omitting zero values"


def test_exact_residual_clips_a_between_part_below_zero():
    """Round-off can leave the between part a hair below 0 (it is ≥ 0 in exact arithmetic); it is
    clipped to 0 and the within part is the whole total (kills ``np.where(between < 0, 0.0, …)``
    → ``np.where(None, 0.0, …)``, which keeps the negative part)."""
    b, w = _exact_residual(1.0, -1e-17)
    assert float(b) == 0.0 and float(w) == 1.0
    b, w = _exact_residual(1.0, 1.0 + 2.0 ** -52)  # above the total: clipped to it
    assert float(b) == 1.0 and float(w) == 0.0


def test_object_columns_and_lists_with_none_are_read_as_numbers_with_missing_values():
    """A column read from a messy sheet is often object dtype with None for a blank cell, and a
    Python list may hold None: both are converted to float64, the blank becomes a missing value
    and nan="omit" drops it. Hand (test_inequality.py): Gini of x = (1, 2, 3), w = (1, 1, 2) is
    7/36. Kills ``to_numpy(dtype="float64", …)`` → ``dtype=None`` / dropped and
    ``np.asarray(a, dtype="float64")`` → ``None`` / dropped in _as_float (an object array has no
    ``isnan`` and raises a TypeError)."""
    x_obj = pd.Series([1.0, None, 2.0, 3.0], dtype=object)
    assert gini(x_obj, [1, 1, 1, 2], nan="omit") == pytest.approx(7 / 36, rel=1e-12)
    assert gini([1.0, None, 2.0, 3.0], [1, 1, 1, 2], nan="omit") == pytest.approx(7 / 36, rel=1e-12)
    with pytest.raises(InequalityInputError, match="nan='omit'"):
        gini(x_obj, [1, 1, 1, 2])


def test_the_input_refusals_of_clean_are_exact_in_both_languages():
    """Kills the three mutants of the policy name ``"nan"``, the four of the 1-D message (texts
    ``None`` or dropped), the texts of the weight-shape and group-length messages (4), of the
    empty-input message (5) and the English text of the missing-value message."""
    with pytest.raises(InequalityInputError) as ei:
        gini([1.0, 2.0], nan="drop")
    assert str(ei.value) == ("参数 nan 只能取 ('raise', 'omit')，收到 'drop' / "
                             "nan must be one of ('raise', 'omit'), got 'drop'")
    with pytest.raises(InequalityInputError) as ei:
        gini([[1.0, 2.0], [3.0, 4.0]])
    assert str(ei.value) == "x 必须是一维数组，收到形状 (2, 2) / x must be 1-D, got shape (2, 2)"
    with pytest.raises(InequalityInputError) as ei:
        gini([1.0, 2.0], [1, 1, 1])
    assert str(ei.value) == "权重 w 的形状 (3,) 与 x 的形状 (2,) 不一致 / weights w have shape (3,), x has shape (2,)"
    with pytest.raises(InequalityInputError) as ei:
        gap_ratio([1.0, 2.0], None, ["城区"])
    assert str(ei.value) == "分组 groups 的长度 (1,) 与 x 的长度 (2,) 不一致 / groups have shape (1,), x has shape (2,)"
    with pytest.raises(InequalityInputError) as ei:
        gini([])
    assert str(ei.value) == "没有数据（空数组） / no data (empty array)"
    with pytest.raises(InequalityInputError) as ei:
        gini([1.0, float("nan"), float("nan")])
    assert str(ei.value) == ("有 2 个缺失值（NaN）；如需剔除请用 nan='omit' / "
                             "missing values (NaN): 2; pass nan='omit' to drop them")


def test_infinite_negative_refusals_are_exact_and_zero_weight_rows_are_dropped():
    """Kills the texts of the infinite (5), negative-weight (4), negative-value (2) and zero total
    weight (2) messages;
    hand: a row with 0 pupils does not count, also for the range (max/min of 1, 2 is 2, not 100;
    max − min is 1) and for the group labels (城区 1 over 乡村 2 = 0.5) — kills ``wa > 0`` →
    ``>=``, ``if not pos.all()`` → ``if pos.all()`` and the labels dropped (``ea = None``) after
    the zero-weight rows are removed."""
    for bad, msg in ((([1.0, float("inf")],), "数值或权重中有无穷大 / infinite value or weight"),
                     (([1.0, 2.0], [1, -1]), "权重（学生数）不能为负 / weights (pupils) must not be negative"),
                     (([-1.0, 2.0],), "该指标要求数值非负，数据中有负值 / "
                                      "this measure needs non-negative values; x has negatives"),
                     (([1.0, 2.0], [0, 0]), "权重总和为0（没有学生） / total weight is zero (no pupils)")):
        with pytest.raises(InequalityInputError) as ei:
            gini(*bad)
        assert str(ei.value) == msg
    assert range_ratio([1.0, 2.0, 100.0], [1, 1, 0]) == 2.0
    assert value_range([1.0, 2.0, 100.0], [1, 1, 0]) == 1.0
    assert gap_ratio([1.0, 5.0, 2.0], [1, 0, 1], ["城区", "城区", "乡村"]).ratio == 0.5


def test_exact_residual_moves_only_the_rows_that_do_not_add_up():
    """Over an array (the table passes one total and one between part per group) only the rows
    whose plain residual does not add up are moved. Row 0 is a rounding tie (hand, IEEE double):
    total = 1 + 2⁻⁵², between = 2⁻⁵³ gives within = fl(1 + 2⁻⁵³) = 1.0 (half-even) and
    1.0 + 2⁻⁵³ rounds back to 1.0; moving within alone can never reach an odd total from a
    half-ulp tie, so the smaller part, between, goes up one ulp (1.0 + 2⁻⁵³(1 + 2⁻⁵²) rounds up to
    the total). Row 1 adds up as it is (0.25 + 0.5 = 0.75 exactly) and must be returned untouched
    (kills ``move_w = bad & ~move_b`` → ``bad | ~move_b``, which also nudges the within part of
    rows that were already exact: 0.5 → 0.5 − 2⁻⁵⁴, which still adds up to 0.75)."""
    total = np.array([1.0 + 2.0 ** -52, 0.75])
    between = np.array([2.0 ** -53, 0.25])
    b, w = _exact_residual(total, between)
    assert b[0] == np.nextafter(2.0 ** -53, 1.0) and w[0] == 1.0
    assert b[1] == 0.25 and w[1] == 0.5
    assert np.array_equal(b + w, total)
