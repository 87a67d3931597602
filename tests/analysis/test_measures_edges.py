"""Edges of balance/analysis/inequality/measures.py that the mutation run (issue 10,
docs/mutation-report.md) showed no test was watching; each test names the mutants it kills and
was checked to fail on them."""
import math

import pytest

from balance.analysis.inequality import InequalityInputError
from balance.analysis.inequality.measures import generalized_entropy, weighted_cv


def test_equal_values_give_a_cv_of_exactly_zero():
    """Three sections at 0.1 with equal pupils: the kernel alone leaves a 1.4e-16 residue
    (0.1 + 0.1 + 0.1 ≠ 0.3 in binary); the documented result is exactly 0, and 0 when all are 0
    is undefined (kills ``x[0] == x.min()`` → ``!=``, which skips the shortcut)."""
    assert weighted_cv([0.1, 0.1, 0.1], [1, 1, 1]) == 0.0
    assert math.isnan(weighted_cv([0.0, 0.0], [1, 2]))


def test_generalized_entropy_defaults_to_alpha_2_which_is_half_the_squared_cv():
    """GE(2) = CV²/2 (pupil-weighted, population form): x = (1, 2, 3), w = (1, 1, 2) gives
    CV² = 0.6875/2.25² (the hand computation of weighted_cv's notes), so GE(2) = 0.0679012…
    (kills the default ``alpha=2.0`` → ``3.0``)."""
    cv2 = 0.6875 / 2.25 ** 2
    assert generalized_entropy([1, 2, 3], [1, 1, 2]) == pytest.approx(cv2 / 2, rel=1e-12)


def test_a_non_finite_alpha_is_refused_in_both_languages():
    """Kills the four mutants of the ``alpha must be finite`` error (texts dropped or ``None``)."""
    with pytest.raises(InequalityInputError) as ei:
        generalized_entropy([1, 2, 3], alpha=math.inf)
    assert str(ei.value) == "alpha 必须是有限数 / alpha must be finite"
