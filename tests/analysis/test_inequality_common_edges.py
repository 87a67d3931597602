"""Edges of balance/analysis/inequality/_common.py that mutation round 5 showed no test was
watching (docs/mutation/round5-inequality.md); each test names the mutants it kills and was
checked to fail on them."""
import pytest

from balance.analysis.inequality import InequalityInputError, theil_l
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
