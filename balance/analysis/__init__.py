"""Beyond the official verdict: research measures, plans and what-ifs.

:mod:`~balance.analysis.inequality` (Gini, Theil, … PySAL-checked), :mod:`~balance.analysis.equity`
(the equity table of an assessment), :mod:`~balance.analysis.planner` (least-cost plans) and
:mod:`~balance.analysis.scenario` (what-if changes).
"""
