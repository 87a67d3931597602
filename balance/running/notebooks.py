"""The notebooks a batch can run — the one registry — and where the notebooks folder is.

:data:`NOTEBOOKS` names every notebook of ``notebooks/`` that a params file may choose, with its
Chinese title and the keys it needs beyond ``notebook`` and ``data``. The params model
(:mod:`balance.running.params`), the index page and the tests read it from here; a test checks
each notebook's ``parameters`` cell against it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class NotebookSpec:
    """One runnable notebook: ``title_zh`` (index page), ``required`` keys beyond notebook and data."""

    name: str
    title_zh: str
    required: tuple[str, ...] = ()


#: name → spec, in the order the index page and messages list them.
NOTEBOOKS: dict[str, NotebookSpec] = {s.name: s for s in (
    NotebookSpec("county_briefing", "县区简报", ("county_code", "year")),
    NotebookSpec("county_trend", "县区趋势", ("county_code",)),
    NotebookSpec("region_overview", "区域总览", ("year",)),
    NotebookSpec("explore", "探索"),
)}

#: The notebook names as a type (``RunParams.notebook``).
NotebookName = Literal[tuple(NOTEBOOKS)]  # type: ignore[valid-type]
#: name → Chinese title (index page, messages).
NOTEBOOK_ZH = {n: s.title_zh for n, s in NOTEBOOKS.items()}
#: name → keys needed beyond ``notebook`` and ``data``.
REQUIRED_KEYS = {n: s.required for n, s in NOTEBOOKS.items()}


def default_notebooks_dir() -> Path:
    """The notebooks folder when ``--notebooks`` is not given (:func:`balance._resources.notebooks_dir`)."""
    from balance._resources import notebooks_dir

    return notebooks_dir()
