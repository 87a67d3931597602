"""Old import paths of the flat package, kept alive as aliases of the modules that replaced them.

``balance`` was a flat folder of modules until version 0.2; the modules now live in layers
(``io``, ``method``, ``analysis``, ``reporting``, ``running``, ``synthetic``, ``cli``). Every old
dotted name still imports, and gives *the same module object* as the new path::

    import balance.assessment, balance.method.assessment
    assert balance.assessment is balance.method.assessment
    from balance.reading import load_school_table            # works
    monkeypatch.setattr("balance.atomic.os.fsync", ...)       # reaches balance.io.files

No file is left at an old path (so version control carries edits across the move): a
:class:`importlib.abc.MetaPathFinder` on :data:`sys.meta_path` answers for the old names and hands
back the new module. Where a module was split into a sub-package (``plotting``, ``briefing``,
``runner``, ``planner``), the alias is the sub-package, whose ``__init__`` re-exports the old names.

Code inside ``balance/`` must import the new paths (``tests/test_architecture.py`` checks).
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys

#: old module name → new module name (both absolute).
ALIASES: dict[str, str] = {
    f"balance.{old}": f"balance.{new}" for old, new in {
        "fast": "_fast",
        "reading": "io.reading", "validation": "io.validation", "store": "io.store",
        "county_sheet": "io.county_sheet", "workbook": "io.workbook", "forms": "io.templates",
        "atomic": "io.files", "export": "io.export.assessment",
        "standards": "method.standards", "sections": "method.sections", "scope": "method.scope",
        "indicators": "method.indicators", "official": "method.official",
        "assessment": "method.assessment", "evaluation": "method.evaluation",
        "inequality": "analysis.inequality", "equity": "analysis.equity",
        "scenario": "method.scenario", "analysis.scenario": "method.scenario", "planner": "analysis.planner",
        "fonts": "reporting.fonts", "display": "reporting.display", "narrative": "reporting.narrative",
        "html": "reporting.html_export", "plotting": "reporting.plotting",
        "briefing": "reporting.briefing",
        "runner": "running", "executors": "running.executors", "params": "running.params",
        "outdir": "running.outdir",
        "demo": "synthetic.demo", "national": "synthetic.national",
    }.items()
}


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):  # the target module is already executed
        pass


class AliasFinder(importlib.abc.MetaPathFinder):
    """Find an old ``balance.<name>`` and load it as its new module (see module docstring)."""

    def find_spec(self, fullname, path=None, target=None):
        new = ALIASES.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(new))


def install() -> None:
    """Put the alias finder on :data:`sys.meta_path` (once)."""
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())
