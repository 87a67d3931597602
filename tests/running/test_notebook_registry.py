"""The one notebook registry (running/notebooks.py) agrees with the notebooks themselves (issue 10).

The list of notebooks used to be written five times (the params Literal, a tuple, the required keys,
the index page's titles, the notebooks' parameters cells). Now the registry is the only list, and
this test reads each notebook's ``parameters`` cell (papermill's inspection) against it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from balance._resources import NOTEBOOKS_DIR
from balance.running.notebooks import NOTEBOOK_ZH, NOTEBOOKS, REQUIRED_KEYS
from balance.running.params import RunParams, declared_parameters

ROOT_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_every_notebook_file_is_registered_and_every_entry_has_a_file():
    assert NOTEBOOKS_DIR.resolve() == ROOT_NOTEBOOKS
    files = {p.stem for p in ROOT_NOTEBOOKS.glob("*.ipynb")}
    assert files == set(NOTEBOOKS)


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_parameters_cell_declares_what_the_registry_requires(name):
    declared = declared_parameters(ROOT_NOTEBOOKS / f"{name}.ipynb")
    assert "data" in declared
    missing = [k for k in REQUIRED_KEYS[name] if k not in declared]
    assert missing == [], f"{name}.ipynb does not declare {missing}"
    # every declared parameter is a key a params file can set, or output_dir (set by the runner:
    # params.notebook_parameters)
    unknown = [k for k in declared if k not in RunParams.model_fields and k != "output_dir"]
    assert unknown == [], f"{name}.ipynb declares {unknown}, which RunParams does not know"


def test_titles_and_the_params_model_come_from_the_registry():
    assert set(NOTEBOOK_ZH) == set(NOTEBOOKS)
    literal = RunParams.model_fields["notebook"].annotation
    assert tuple(literal.__args__) == tuple(NOTEBOOKS)
