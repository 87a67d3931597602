"""Beyond the official verdict: research measures, plans and what-ifs.

:mod:`~balance.analysis.inequality` (Gini, Theil, … PySAL-checked), :mod:`~balance.analysis.equity`
(the equity table of an assessment) and :mod:`~balance.analysis.planner` (least-cost plans). What-if
changes live one layer down, in :mod:`balance.method.scenario` (``assess(..., scenario=...)`` applies
them); ``balance.analysis.scenario`` is an alias of it.
"""
