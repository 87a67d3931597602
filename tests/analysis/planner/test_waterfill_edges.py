"""Edges of the water-filling step of the planner (``balance.analysis.planner.waterfill._waterfill``)
that a mutation run (mutmut, issue 10, round 3) showed no test was watching: the planner's tests
start every group from zero units and check only that the plan meets the target, so a non-minimal
level, a start ignored, or an unweighted CV went unseen.

The expected plan is the water-filling definition itself (method.md §4 pupil-weighted CV): the
smallest level L with CV(max(y0, L)) ≤ target, y0 = x + u0·g; sections already above L keep u0."""
import numpy as np

from balance.analysis.planner.groups import _cv, _Group
from balance.analysis.planner.waterfill import _waterfill


def _group(x, P, g, target):
    n = len(x)
    return _Group(stage="小学", k=0, indicator="i", field="f", rows=np.arange(n), columns=["f"] * n,
                  P=np.asarray(P, dtype="float64"), x=np.asarray(x, dtype="float64"),
                  g=np.asarray(g, dtype="float64"), cost=1.0, whole=False, step=0.0, s=np.nan,
                  target=target)


def test_the_level_is_the_smallest_that_meets_the_target_from_a_nonzero_start():
    """Continuous units: the plan lands on the target (not below it: the bisection midpoint
    mutants ``0.5 /``, ``1.5 *``, ``lo − hi`` leave a higher level), keeps the start u0 (``x − u0·g``
    and ``u0 / g`` start elsewhere) and uses the pupil weights (``_cv(None, …)``)."""
    grp = _group(x=[1.0, 2.0, 3.0, 10.0], P=[100, 10, 10, 10], g=[2.0, 0.5, 1.0, 1.0], target=0.3)
    u0 = np.array([0.5, 0.0, 0.0, 0.0])
    y0 = grp.x + u0 * grp.g
    assert _cv(grp.P, y0) > 0.3
    u = _waterfill(grp, u0)
    y = grp.x + u * grp.g
    assert np.all(u >= u0)
    assert 0.3 - 1e-9 <= _cv(grp.P, y) <= 0.3
    raised = u > u0
    level = y[raised].max()
    np.testing.assert_allclose(y[raised], level, rtol=1e-9)  # every raised section sits on L
    assert u[3] == 0.0 and y0[3] > level                     # the one above L is untouched


def test_a_group_that_already_meets_its_target_keeps_its_start():
    """CV exactly at the target counts as met (``<=``, not ``<``); no target means nothing to do
    (``is None or`` → ``and`` / ``is not None``); the CV is pupil-weighted: two big equal schools
    and one tiny low school meet 0.1 weighted, though not unweighted (``_cv(None, y0)``)."""
    grp = _group(x=[5.0, 5.0, 1.0], P=[1000, 1000, 1], g=[1.0, 1.0, 1.0], target=None)
    u0 = np.array([0.0, 0.25, 0.0])
    assert _waterfill(grp, u0) is u0
    grp.target = 0.1
    assert _cv(grp.P, grp.x + u0 * grp.g) <= 0.1
    assert _waterfill(grp, u0) is u0
    grp.target = _cv(grp.P, grp.x + u0 * grp.g)
    assert _waterfill(grp, u0) is u0
