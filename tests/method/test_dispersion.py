"""The one pupil-weighted CV kernel (balance.method.dispersion), method.md §4.

Golden numbers: hand arithmetic written out next to each (source: the formula of method.md §4,
X = ΣPx/P, S = √(Σ(P/P_total)(x − X)²), CV = S/X, population form).
"""
import ast
import math
from pathlib import Path

import numpy as np
import pytest

import balance
from balance.method.dispersion import grouped_cv, pupil_weighted_cv


def test_hand_computed_two_sections():
    # x = (2, 4), P = (100, 300): X = (200 + 1200)/400 = 3.5
    # S² = (100·(2 − 3.5)² + 300·(4 − 3.5)²)/400 = (225 + 75)/400 = 0.75; CV = √0.75/3.5 = 0.2474358…
    assert pupil_weighted_cv([2, 4], [100, 300]) == pytest.approx(math.sqrt(0.75) / 3.5, rel=1e-14)
    assert round(pupil_weighted_cv([2, 4], [100, 300]), 6) == 0.247436


def test_hand_computed_three_sections():
    # x = (1, 2, 3), P = (1, 1, 2): X = (1 + 2 + 6)/4 = 2.25
    # S² = (1·1.25² + 1·0.25² + 2·0.75²)/4 = (1.5625 + 0.0625 + 1.125)/4 = 0.6875; CV = √0.6875/2.25
    assert pupil_weighted_cv([1, 2, 3], [1, 1, 2]) == pytest.approx(math.sqrt(0.6875) / 2.25, rel=1e-14)


def test_population_form_not_sample_form():
    # x = (0, 10), equal pupils: X = 5, S = 5 (population), CV = 1 exactly; the n−1 form would give √2
    assert pupil_weighted_cv([0, 10], [1, 1]) == 1.0


def test_edge_cases():
    assert pupil_weighted_cv([7.3], [41]) == 0.0  # one section: exactly 0
    assert math.isnan(pupil_weighted_cv([0, 0], [10, 20]))  # X = 0: undefined
    assert math.isnan(pupil_weighted_cv([], []))  # no sections
    assert math.isnan(pupil_weighted_cv([1, 2], [0, 0]))  # no pupils
    assert math.isnan(pupil_weighted_cv([1, np.nan], [5, 5]))  # a missing value: undefined


def test_grouped_hand_computed_groups():
    codes = [0, 0, 1, 2, 2, 4, 4]
    x = [2, 4, 7.3, 0, 0, 1, np.nan]
    p = [100, 300, 41, 10, 20, 5, 5]
    mean, cv = grouped_cv(codes, x, p, 5)
    assert mean[0] == 3.5 and cv[0] == pytest.approx(math.sqrt(0.75) / 3.5, rel=1e-14)
    assert cv[1] == 0.0 and mean[1] == pytest.approx(7.3)  # one section
    assert mean[2] == 0.0 and math.isnan(cv[2])  # mean 0
    assert math.isnan(mean[3]) and math.isnan(cv[3])  # a group without sections
    assert math.isnan(cv[4])  # a missing value


def test_one_group_and_many_groups_agree():
    rng = np.random.default_rng(12)
    codes = rng.integers(0, 40, 2000)
    x = rng.gamma(2.0, 3.0, 2000)
    p = rng.integers(1, 900, 2000).astype(float)
    _, cv = grouped_cv(codes, x, p, 40)
    for g in range(40):
        m = codes == g
        assert pupil_weighted_cv(x[m], p[m]) == pytest.approx(cv[g], rel=1e-12)


def _sqrt_divided(tree) -> list:
    """``sqrt(…) / …`` expressions: the shape of a CV (standard deviation over mean)."""
    return [n for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)
            and isinstance(n.left, ast.Call) and ast.unparse(n.left.func) in ("math.sqrt", "np.sqrt", "numpy.sqrt")]


def test_no_other_module_writes_the_cv_formula():
    """The CV is written once: no module but the kernel divides a square root (of a weighted
    variance) by something (the planners' SOC constraint multiplies, it is not a CV)."""
    root = Path(balance.__file__).resolve().parent
    found = [f"{path.relative_to(root)}:{n.lineno}: {ast.unparse(n)[:60]}"
             for path in root.rglob("*.py") if path.name != "dispersion.py"
             for n in _sqrt_divided(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == []


def test_the_formula_check_can_fail():
    assert len(_sqrt_divided(ast.parse("import math\ndef cv(v, m):\n    return math.sqrt(v) / m\n"))) == 1
    assert len(_sqrt_divided(ast.parse(Path(__file__).parents[2].joinpath(
        "balance/method/dispersion.py").read_text(encoding="utf-8")))) >= 1
