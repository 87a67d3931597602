"""Shared fixtures of the runner tests."""
from pathlib import Path

import pytest


@pytest.fixture
def make_repo(tmp_path):
    """A fake repository (pyproject.toml, data/schools.csv holding ``csv``, params/), so params
    paths resolve as they do in a checkout."""

    def make(csv: str) -> Path:
        (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n", encoding="utf-8")
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "schools.csv").write_text(csv, encoding="utf-8")
        (tmp_path / "params").mkdir()
        return tmp_path

    return make
