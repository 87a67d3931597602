"""Pupil-weighted inequality measures (method.md §4 and §8).

Every function takes the values ``x`` of some units (usually school sections: one value of one
indicator per section) and weights ``w`` (usually the sections' pupils; default: all ones) and
treats the data as the distribution over *pupils*: a section with ``w = 30`` counts as 30 pupils
who all have value ``x``. This makes every measure **replication invariant**: a weight of 2 gives
exactly the same result as listing the observation twice (tested with hypothesis). With unit
weights the functions reduce to the ordinary unweighted measures and are tested against PySAL's
``inequality`` package (version 1.1.2; used in the tests only, never imported here).

Notation used in the docstrings: :math:`W = \\sum_i w_i`, :math:`p_i = w_i / W` (pupil shares),
:math:`\\mu = \\sum_i p_i x_i` (the weighted mean) and :math:`r_i = x_i / \\mu`.

Conventions (one policy for the whole package)
---------------------------------------------
* **Missing values.** NaN in ``x`` or ``w`` raises :class:`InequalityInputError` (a
  ``ValueError``) with a Chinese/English message, unless ``nan="omit"``, which drops the
  observation (value and weight together). ``±inf`` always raises.
* **Weights** must be ``>= 0``. Observations with weight 0 carry no pupils and are dropped before
  anything is computed (also for ``range_ratio``/``value_range``). A zero total weight raises.
  Empty input raises.
* **Negative values** raise for every inequality measure (they are all defined for non-negative,
  ratio-scale quantities). Only :func:`weighted_mean`, :func:`weighted_quantile` and
  :func:`value_range` accept negative values.
* **Zero reference level → NaN.** When the level a measure divides by is 0 (the mean for CV, Gini,
  Theil, GE, Atkinson; the median for McLoone/Verstegen; P5 for the federal range ratio; the
  minimum for the range ratio; the denominator group's mean for the gap ratio) the measure is
  undefined and ``nan`` is returned -- the official rule for the CV (method.md §4: "X = 0 → CV
  undefined, report it as missing with the reason"). :func:`inequality_table` writes the reason
  into its ``notes`` column.
* **Individual zeros** are valid data everywhere except in measures that take logarithms or
  negative powers of the values: Theil L (= GE(0)), GE(α) with α < 0 and Atkinson with ε ≥ 1.
  For those a named policy ``zeros`` applies: ``"raise"`` (default), ``"nan"`` (return NaN) or
  ``"omit"`` (drop the zero-valued observations, i.e. measure inequality among the positive
  values only -- this changes the population and must be reported). There is never a silent
  epsilon (PySAL's ``Theil`` adds ``tiny`` to zeros; for Theil T this is equivalent to the
  convention :math:`0 \\ln 0 = 0` used here).
* Population formulas throughout (no ``n - 1``), like the official CV.
"""
from __future__ import annotations

# The measures live in submodules by concept; this package re-exports every public name so
# that ``from balance.analysis.inequality import gini`` (and ``balance.inequality``) keep working.
from balance.analysis.inequality._common import (  # noqa: F401
    InequalityInputError, TheilDecomposition, GapRatio, LorenzCurve,
)
from balance.analysis.inequality.measures import (  # noqa: F401
    weighted_mean, weighted_cv, weighted_quantile, weighted_median, gini, theil_t, theil_l,
    generalized_entropy, atkinson,
)
from balance.analysis.inequality.decomposition import (  # noqa: F401
    theil_decomposition,
)
from balance.analysis.inequality.ratios import (  # noqa: F401
    mcloone, verstegen, federal_range_ratio, range_ratio, value_range, gap_ratio, lorenz_curve,
)
from balance.analysis.inequality.table import (  # noqa: F401
    MEASURES, inequality_table,
)

__all__ = [
    "InequalityInputError",
    "TheilDecomposition",
    "GapRatio",
    "LorenzCurve",
    "MEASURES",
    "weighted_mean",
    "weighted_cv",
    "weighted_quantile",
    "weighted_median",
    "gini",
    "theil_t",
    "theil_l",
    "generalized_entropy",
    "atkinson",
    "theil_decomposition",
    "mcloone",
    "verstegen",
    "federal_range_ratio",
    "range_ratio",
    "value_range",
    "gap_ratio",
    "lorenz_curve",
    "inequality_table",
]
