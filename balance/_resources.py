"""Where the package's own files are: one place, via :mod:`importlib.resources`.

Every module that reads a bundled file (standards, column model, messages, templates) takes its
path from here, so that a module can move to a sub-package without its ``Path(__file__)`` breaking,
and an installed package (a wheel in site-packages) finds the same files as a source checkout.

* :data:`PACKAGE_DIR` — the installed ``balance`` folder.
* :data:`DATA_DIR` — ``balance/data`` (YAML: columns, labels, messages, limits, costs, items).
* :data:`STANDARDS_DIR` — ``balance/data/standards`` (the bundled standards; provinces copy these).
* :data:`TEMPLATES_DIR` — ``balance/templates`` (nbconvert templates).
* :data:`NOTEBOOKS_DIR` — the default notebooks folder (see :func:`notebooks_dir`).
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("balance")))
DATA_DIR = PACKAGE_DIR / "data"
STANDARDS_DIR = DATA_DIR / "standards"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
#: ``notebooks/`` at the top of a source checkout (the folder users open in JupyterLab).
NOTEBOOKS_DIR = PACKAGE_DIR.parent / "notebooks"

__all__ = ["PACKAGE_DIR", "DATA_DIR", "STANDARDS_DIR", "TEMPLATES_DIR", "NOTEBOOKS_DIR"]
