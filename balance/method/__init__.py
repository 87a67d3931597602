"""官方方法 The Ministry's method, exactly (``method.md``): pure functions on DataFrames.

:mod:`~balance.method.standards` (the standard as data), :mod:`~balance.method.sections`,
:mod:`~balance.method.scope`, :mod:`~balance.method.indicators`, :mod:`~balance.method.official`
(pupil-weighted CV, school rule, shortfalls, verdicts), :mod:`~balance.method.assessment`
(``assess``) and :mod:`~balance.method.evaluation` (the four areas).
"""
