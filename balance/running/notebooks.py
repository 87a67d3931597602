"""The notebooks a batch can run: names, Chinese titles, where the notebooks folder is."""
from __future__ import annotations

from pathlib import Path

NOTEBOOK_ZH = {"county_briefing": "县区简报", "county_trend": "县区趋势", "region_overview": "区域总览",
               "explore": "探索"}


def default_notebooks_dir() -> Path:
    """The notebooks folder when ``--notebooks`` is not given (:func:`balance._resources.notebooks_dir`)."""
    from balance._resources import notebooks_dir

    return notebooks_dir()
