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


def _one_section(x, g, whole, step):
    return _Group(stage="小学", k=0, indicator="i", field="f", rows=np.arange(1), columns=["f"],
                  P=np.full(1, 100.0), x=np.array([x]), g=np.array([g]), cost=1.0, whole=whole, step=step,
                  s=1.0, target=None)


def test_units_to_adds_a_unit_when_rounding_left_a_section_a_hair_below_its_bound():
    # The check after rounding (round 6). A section 2e-9 below its bound 1 is below it for the official
    # comparison (tolerance 1e-9·max(1, |b|)), but with g = 3 per unit its need is 6.7e-10 units, which
    # `_round_units` takes for representation noise: ceil(6.7e-10 − 1e-9) = 0. The check sees the
    # section still below and adds one whole unit → 1 (`-=` gives −3 after three rounds, `2.0` gives 2,
    # `whole and False` adds 1e-9·(0 + 1)).
    assert _one_section(1 - 2e-9, 3.0, True, 0.0).units_to(np.array([1.0])).tolist() == [1.0]
    # Resolution 0.5, g = 8: q = 2.5e-10 / 0.5 → 0 steps; the check adds max(0.5, 1e-9·(0 + 1)) = 0.5
    # (`whole or True` adds 1.0, `1.000000001 *` adds 1.000000001; `max(None, …)`, `max(…, None)`,
    # `max(x)` of one float, `np.max(None)`, `np.abs(None)` raise).
    assert _one_section(1 - 2e-9, 8.0, False, 0.5).units_to(np.array([1.0])).tolist() == [0.5]


def test_units_to_adds_to_the_rounded_units_not_in_their_place():
    # x = −9 − 5e-9, g = 10, bound 1: need = 1 + 5e-10, rounded to 1 unit; −9 − 5e-9 + 10 = 1 − 5e-9 is
    # below 1 − 1e-9, so the check adds one: 2 (`u[bad] = 1.0` sets 1 again and returns a section below).
    assert _one_section(-9 - 5e-9, 10.0, True, 0.0).units_to(np.array([1.0])).tolist() == [2.0]


def test_units_to_bumps_by_a_relative_amount_when_the_resolution_is_finer():
    # x = −9, g = 10, bound 1, resolution 1e-12: need = 1, q = 1e12, ceil(q − 1e-9·q) = 1e12 − 1000
    # steps → u = 0.999999999, and −9 + 9.99999999 is below 1 − 1e-9. The bump is
    # max(1e-12, 1e-9·(|u| + 1)) ≈ 2e-9 → u = 1.000000001 (`1e-9 /` bumps 5e-10 twice → 1.0;
    # `|u| − 1` bumps 1e-12 three times and leaves the section below; `|u| + 2` gives 1.000000002).
    u = _one_section(-9.0, 10.0, False, 1e-12).units_to(np.array([1.0]))
    assert abs(u[0] - 1.000000001) < 2e-10
