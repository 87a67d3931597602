"""Edges of the CV kernel (balance/method/dispersion.py) that the mutation run (issue 10,
docs/mutation-report.md) showed no test was watching; each test names the mutants it kills and
was checked to fail on them. Hand arithmetic beside each number."""
import math

import numpy as np

from balance.method.dispersion import grouped_cv, pupil_weighted_cv


def test_groups_without_sections_are_nan_and_the_count_is_kept():
    """``n_groups=3`` with sections only in group 0: three results, groups 1 and 2 NaN (kills
    ``if n_groups is None`` → ``is not None`` and every dropped ``minlength=n_groups``)."""
    mean, cv = grouped_cv([0, 0], [2.0, 4.0], [100, 300], n_groups=3)
    assert mean.shape == cv.shape == (3,)
    assert mean[0] == 3.5 and np.isnan(mean[1:]).all() and np.isnan(cv[1:]).all()
    # (100·(2−3.5)² + 300·(4−3.5)²)/400 = 0.75 → √0.75/3.5
    assert math.isclose(cv[0], math.sqrt(0.75) / 3.5, rel_tol=1e-12)
    # two groups with sections before an empty one: group 1 is (2, 4) again, group 0 one section
    mean, cv = grouped_cv([0, 1, 1], [5.0, 2.0, 4.0], [10, 100, 300], n_groups=3)
    assert list(mean[:2]) == [5.0, 3.5] and cv[0] == 0.0 and np.isnan(cv[2])
    assert math.isclose(cv[1], math.sqrt(0.75) / 3.5, rel_tol=1e-12)


def test_the_default_group_count_is_the_largest_code_plus_one():
    """Without ``n_groups``: codes 0 and 2 give three groups, the middle one NaN (kills
    ``int(codes.max()) + 1`` → ``+ 2`` and ``int(None)``); no sections give no groups (kills
    ``if codes.size`` → ``or True`` and ``else 0`` → ``else 1``)."""
    mean, cv = grouped_cv([0, 2], [2.0, 4.0], [100, 300])
    assert mean.shape == (3,) and list(mean[[0, 2]]) == [2.0, 4.0] and np.isnan(mean[1])
    assert list(cv[[0, 2]]) == [0.0, 0.0]
    mean, cv = grouped_cv([], [], [])
    assert mean.shape == cv.shape == (0,)


def test_a_zero_mean_leaves_the_cv_undefined_even_for_one_section():
    """X̄ = 0 (one section with value 0): CV undefined (NaN), not the one-section 0 (kills
    ``isfinite(mean) & (mean != 0)`` → ``|`` and ``mean != 0`` → ``mean != 1``)."""
    _, cv = grouped_cv([0], [0.0], [10])
    assert np.isnan(cv[0])


def test_a_mean_of_exactly_one_is_an_ordinary_mean():
    """x = (0.5, 1.5), equal pupils: X̄ = 1, S = 0.5, CV = 0.5 (kills ``mean != 0`` → ``!= 1``)."""
    mean, cv = grouped_cv([0, 0], [0.5, 1.5], [10, 10])
    assert mean[0] == 1.0 and cv[0] == 0.5


def test_pupil_weights_below_one_in_total_still_weigh():
    """The CV depends on pupil shares only: weights (0.25, 0.75) give the same 0.247436 as
    (100, 300) (kills ``if not total > 0`` → ``> 1``)."""
    assert math.isclose(pupil_weighted_cv([2, 4], [0.25, 0.75]), pupil_weighted_cv([2, 4], [100, 300]),
                        rel_tol=1e-12)
    assert round(pupil_weighted_cv([2, 4], [0.25, 0.75]), 6) == 0.247436
