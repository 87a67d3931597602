"""The heuristic's rounding helpers (``balance.analysis.planner.groups``): edges the mutation run
(round 5) found unwatched — no test in the planner's selection rounded whole units or a resolution
by hand, or lifted sections of unequal gains to a bound. Every expected value is worked out below."""
import math

import numpy as np

from balance.analysis.planner.groups import _cv, _Group, _round_units


def test_whole_units_round_up_tolerating_representation():
    # u − 1e-9·max(1, u), then ceil: 2 + 1e-10 is 2 (representation), 1 + 1.5e-9 is 2 (a real excess:
    # 1 + 1.5e-9 − 1e-9 > 1), 1.2 → 2, negatives → 0. Kills `+ 1e-9`, `1e-9 /`, `1.000000001 *`,
    # `maximum(2.0, u)` (1 + 1.5e-9 − 2e-9 < 1 would give 1), and every `None` argument.
    # The slack grows with u: 10 + 5e-9 is 10 (10 + 5e-9 − 1e-8 < 10; `1e-9 / max(1, u)` would give 11).
    u = _round_units([2 + 1e-10, 1 + 1.5e-9, 1.2, -1.0, 0.0, 10 + 5e-9], True, 0.0)
    assert u.tolist() == [2.0, 2.0, 2.0, 0.0, 0.0, 10.0]


def test_continuous_units_round_up_to_the_resolution():
    # step 0.5: q = u / 0.5 = 0.52, 2.0000000002, 6, 2.000000003 → ceil(q − 1e-9·max(1, q)) = 1, 2, 6, 3
    # → 0.5, 1.0, 3.0, 1.5. Kills `step > 1` (no rounding), `u * step`, `… / step`, `+ 1e-9`,
    # `1e-9 /`, `1.000000001 *`, `maximum(2.0, q)` (q = 1.0000000015: 1.0000000015 − 2e-9 < 1 → 0.5,
    # not 1.0) and the `None` arguments.
    # and u = 10 + 5e-9 (q = 20 + 1e-8, slack 2e-8) is 10.0, not 10.5 as with `1e-9 / max(1, q)`.
    u = _round_units([0.26, 1.0000000001, 3.0, 1.0000000015, 0.50000000075, 10 + 5e-9], False, 0.5)
    assert u.tolist() == [0.5, 1.0, 3.0, 1.5, 1.0, 10.0]
    # no resolution: continuous units are kept as they are (negatives clipped)
    assert _round_units([0.26, -2.0], False, 0.0).tolist() == [0.26, 0.0]


def test_units_to_lifts_each_section_to_its_bound():
    # x = 1.1, 2, 3, 1 with gains g = 0.5, 0.25, 1, 2 per unit, bound 2 everywhere:
    #   (2 − 1.1)/0.5 = 1.8 → 2 units; 2 ≥ 2 and 3 ≥ 2 need 0; (2 − 1)/2 = 0.5 → 1 unit.
    # Kills `np.where(…, 1.0, …)` (met sections get a unit), `(b − x) * g`, `(b + x) / g`,
    # `_round_units(need, None, …)` (1.8 and 0.5 kept), `at_least(x, b)` without `~` in the check,
    # `x − u·g`, `u / g` (1 + 1/2 < 2 would add a unit) and the `None` arguments.
    grp = _Group(stage="小学", k=0, indicator="i", field="f", rows=np.arange(4), columns=["f"] * 4,
                 P=np.full(4, 100.0), x=np.array([1.1, 2.0, 3.0, 1.0]), g=np.array([0.5, 0.25, 1.0, 2.0]),
                 cost=1.0, whole=True, step=0.0, s=2.0, target=None)
    assert grp.units_to(np.full(4, 2.0)).tolist() == [2.0, 0.0, 0.0, 1.0]


def test_cv_is_zero_for_equal_values_and_infinite_for_a_mean_of_zero():
    # kills `cv > 0` (equal values would count as failing) and `(cv >= 0) or True` (NaN, not +inf)
    assert _cv(np.array([100.0, 200.0]), np.array([2.0, 2.0])) == 0.0
    assert _cv(np.array([100.0, 200.0]), np.array([0.0, 0.0])) == math.inf
