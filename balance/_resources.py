"""Where the package's own files are: one place, via :mod:`importlib.resources`.

Every module that reads a bundled file (standards, column model, messages, templates) takes its
path from here, so that a module can move to a sub-package without its ``Path(__file__)`` breaking,
and an installed package (a wheel in site-packages) finds the same files as a source checkout.

* :data:`PACKAGE_DIR` — the installed ``balance`` folder.
* :data:`DATA_DIR` — ``balance/data`` (YAML: columns, labels, messages, limits, costs, items).
* :data:`STANDARDS_DIR` — ``balance/data/standards`` (the bundled standards; provinces copy these).
* :data:`TEMPLATES_DIR` — ``balance/templates`` (nbconvert templates).
* :data:`NOTEBOOKS_DIR` — ``notebooks/`` of a source checkout; :func:`notebooks_dir` — the folder a
  batch uses (``$BALANCE_NOTEBOOKS``, the checkout's ``notebooks/``, or the copy ``pip install``
  puts in ``<prefix>/share/balance/notebooks``).
"""
from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("balance")))
DATA_DIR = PACKAGE_DIR / "data"
STANDARDS_DIR = DATA_DIR / "standards"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
#: ``notebooks/`` at the top of a source checkout (the folder users open in JupyterLab).
NOTEBOOKS_DIR = PACKAGE_DIR.parent / "notebooks"

#: Environment variable naming the notebooks folder (like ``balance batch --notebooks DIR``).
NOTEBOOKS_ENV = "BALANCE_NOTEBOOKS"
#: Where ``pip install`` puts the notebooks (``[tool.setuptools.data-files]`` in pyproject.toml).
INSTALLED_NOTEBOOKS = ("share", "balance", "notebooks")


def notebooks_dir() -> Path:
    """The notebooks folder of a batch when ``--notebooks`` is not given.

    In order: ``$BALANCE_NOTEBOOKS``; ``notebooks/`` next to the package (a source checkout or an
    editable install: the folder users open and edit in JupyterLab); the copy installed with the
    package in ``<sys.prefix>/share/balance/notebooks`` (``pip install .`` / a wheel). When none
    holds the notebooks, the checkout path is returned (the run then fails naming it).
    """
    env = os.environ.get(NOTEBOOKS_ENV, "").strip()
    if env:
        return Path(env)
    for folder in (NOTEBOOKS_DIR, Path(sys.prefix).joinpath(*INSTALLED_NOTEBOOKS)):
        if (folder / "county_briefing.ipynb").is_file():
            return folder
    return NOTEBOOKS_DIR


__all__ = ["PACKAGE_DIR", "DATA_DIR", "STANDARDS_DIR", "TEMPLATES_DIR", "NOTEBOOKS_DIR", "NOTEBOOKS_ENV",
           "notebooks_dir"]
