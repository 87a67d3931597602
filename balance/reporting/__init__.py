"""What a leader reads: figures, HTML fragments, sentences and briefings.

:mod:`~balance.reporting.fonts`, :mod:`~balance.reporting.plotting`, :mod:`~balance.reporting.display`,
:mod:`~balance.reporting.narrative`, :mod:`~balance.reporting.briefing` and
:mod:`~balance.reporting.html_export` (nbconvert export).
"""
