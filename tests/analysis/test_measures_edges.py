"""Edges of balance/analysis/inequality/measures.py that the mutation run (issue 10,
docs/mutation-report.md) showed no test was watching; each test names the mutants it kills and
was checked to fail on them."""
import math

import numpy as np
import pytest

from balance.analysis.inequality import InequalityInputError
from balance.analysis.inequality.measures import atkinson, generalized_entropy, weighted_cv, weighted_quantile


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


# --- round 5 (docs/mutation/round5-inequality.md) -------------------------------------------
# the hand case of tests/analysis/test_inequality.py: x = (1, 2, 3), w = (1, 1, 2), W = 4, μ = 9/4;
# weighted ECDF F(1) = 1/4, F(2) = 2/4, F(3) = 1
X, W = [1.0, 2.0, 3.0], [1.0, 1.0, 2.0]


def test_weighted_quantile_defaults_to_the_median_pupil_and_returns_a_float():
    """Hand: the default q = 0.5 with the inverted CDF is the first x with F ≥ 0.5, x = 2 (kills
    the default ``q=0.5`` → ``1.5``, which is refused). A scalar q gives a Python float, a list of
    q an array (kills ``float(res) if res.ndim == 0`` → ``… and False``)."""
    got = weighted_quantile(X, W)
    assert got == 2.0 and type(got) is float
    arr = weighted_quantile(X, W, [0.25, 0.51])
    assert isinstance(arr, np.ndarray) and arr.tolist() == [1.0, 3.0]


@pytest.mark.parametrize("q", [math.nan, -0.1, 1.1])
def test_a_quantile_outside_0_1_or_nan_is_refused_in_both_languages(q):
    """q = NaN and q < 0 must be refused as well as q > 1 (kills the ``or`` → ``and`` between the
    NaN and the negative test, and the six text mutants of the message)."""
    with pytest.raises(InequalityInputError) as ei:
        weighted_quantile(X, W, q)
    assert str(ei.value) == "分位数 q 必须在 [0, 1] 之间 / quantile q must be within [0, 1]"


def test_an_unknown_quantile_method_is_named_in_the_message():
    """Kills ``_check_policy(method, …, "method")`` → ``None`` / ``"XXmethodXX"`` / ``"METHOD"``."""
    with pytest.raises(InequalityInputError) as ei:
        weighted_quantile(X, W, 0.5, method="linear")
    assert str(ei.value) == ("参数 method 只能取 ('inverted_cdf', 'averaged_inverted_cdf')，收到 'linear' / "
                             "method must be one of ('inverted_cdf', 'averaged_inverted_cdf'), got 'linear'")


@pytest.mark.parametrize("alpha", [0, 1, 3])
def test_generalized_entropy_passes_nan_omit_on_for_every_alpha(alpha):
    """A NaN row with nan="omit" is dropped for GE(0) (= Theil L), GE(1) (= Theil T) and the
    general formula alike: the result equals GE of the rows without it (kills the ``nan=nan``
    dropped in the calls of theil_l, theil_t and _clean, which then raise)."""
    got = generalized_entropy([1.0, math.nan, 2.0, 3.0], [1, 5, 1, 2], alpha, nan="omit")
    assert got == generalized_entropy(X, W, alpha)


def _zero_message(what):
    return (f"{what} 在有零值时无定义（1 个零值）；可用 zeros='nan' 或 zeros='omit' / "
            f"{what} is undefined with zero values (zero values: 1); pass zeros='nan' or zeros='omit'")


_ZEROS_POLICY = ("参数 zeros 只能取 ('raise', 'nan', 'omit')，收到 'eps' / "
                 "zeros must be one of ('raise', 'nan', 'omit'), got 'eps'")


def test_the_zero_policy_messages_name_the_measure_and_the_parameter():
    """The refusal of a zero names the measure (kills ``_zero_policy(…, f"GE({a:g})")`` and
    ``f"Atkinson(ε={e:g})"`` → ``None``); an unknown ``zeros`` is named even where zeros are
    allowed, GE(3) and Atkinson(0.5) (kills ``_check_policy(zeros, …, "zeros")`` → ``None`` /
    ``"XXzerosXX"`` / ``"ZEROS"`` in both functions)."""
    for f, what in ((lambda: generalized_entropy([0.0, 1.0, 2.0], None, -1), "GE(-1)"),
                    (lambda: atkinson([0.0, 1.0, 2.0], None, 1), "Atkinson(ε=1)")):
        with pytest.raises(InequalityInputError) as ei:
            f()
        assert str(ei.value) == _zero_message(what)
    for f in (lambda: generalized_entropy(X, W, 3, zeros="eps"), lambda: atkinson(X, W, 0.5, zeros="eps")):
        with pytest.raises(InequalityInputError) as ei:
            f()
        assert str(ei.value) == _ZEROS_POLICY


def test_atkinson_defaults_to_epsilon_one_half():
    """Hand (the A(0.5) of test_inequality.py): 1 − [¼·1^½ + ¼·2^½ + ½·3^½]² / 2.25 = 0.0311…
    (kills the default ``epsilon=0.5`` → ``1.5``)."""
    a05 = 1 - (0.25 * 1 + 0.25 * math.sqrt(2) + 0.5 * math.sqrt(3)) ** 2 / 2.25
    assert atkinson(X, W) == pytest.approx(a05, rel=1e-12)


@pytest.mark.parametrize("eps", [-0.5, math.inf])
def test_a_bad_epsilon_is_refused_in_both_languages(eps):
    """Kills the six text mutants of the ``epsilon must be a finite number >= 0`` message."""
    with pytest.raises(InequalityInputError) as ei:
        atkinson(X, W, eps)
    assert str(ei.value) == "epsilon 必须是非负有限数 / epsilon must be a finite number >= 0"
