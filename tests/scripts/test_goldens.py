"""scripts/goldens.py, the before/after net of the layout refactor (issue 10).

Its debt: after the version bump 0.1.0 → 0.2.0 the results.xlsx golden "differed in one unidentified
cell". The cell is 说明!B<n>, "balance 版本": a bare "0.2.0" that the VERSION mask (which needs the word
"balance" in the same text) left unmasked. These tests write the same results.xlsx under two versions
(and from two checkouts) and require the comparison to see no difference, and a real difference to be
named by sheet and cell."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import balance
from balance.io.export.assessment import write_workbook
from balance.io.reading import load_school_table
from balance.method.assessment import assess

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def goldens():
    spec = importlib.util.spec_from_file_location("goldens", ROOT / "scripts" / "goldens.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def assessment():
    return assess(load_school_table(ROOT / "data" / "demo" / "schools.csv"), "quality-2017", county="990101", year=2025)


def test_version_bump_is_not_a_difference(goldens, assessment, tmp_path, monkeypatch):
    monkeypatch.setattr(balance, "__version__", "0.1.0")
    write_workbook(assessment, tmp_path / "old.xlsx")
    monkeypatch.setattr(balance, "__version__", "0.2.0")
    write_workbook(assessment, tmp_path / "new.xlsx")
    old, new = goldens._content(tmp_path / "old.xlsx"), goldens._content(tmp_path / "new.xlsx")
    raw = [c for (_, rows) in old for r in rows for c in r]
    assert "<version>" in raw and "0.1.0" not in raw  # the cell that differed is masked
    assert old == new


def test_checkout_path_is_not_a_difference(goldens):
    assert goldens._mask(str(goldens.ROOT / "data" / "demo" / "schools.csv")) == "{root}/data/demo/schools.csv"


def test_a_real_difference_names_its_cell(goldens, assessment, tmp_path):
    write_workbook(assessment, tmp_path / "a.xlsx")
    a2 = assess(load_school_table(ROOT / "data" / "demo" / "schools.csv"), "basic-2012", county="990101", year=2025)
    write_workbook(a2, tmp_path / "b.xlsx")
    where = goldens.first_difference(tmp_path / "a.xlsx", tmp_path / "b.xlsx")
    assert where.startswith("说明!B") and "→" in where  # the standard's title, first row that differs
    assert goldens.first_difference(tmp_path / "a.xlsx", tmp_path / "a.xlsx") == "no cell differs"


def test_solver_run_times_are_masked(goldens):
    """The plans' ``solver_seconds`` (plan_summary.json) changes with the machine's load, like ``seconds``."""
    a = '{"solver_seconds": 0.0483, "seconds": 1.229, "solver_status": "optimal", "nodes": 12}'
    b = '{"solver_seconds": 0.0873, "seconds": 3.5, "solver_status": "optimal", "nodes": 12}'
    assert goldens._mask(a) == goldens._mask(b)
    assert "<s>" in goldens._mask(a) and '"nodes": 12' in goldens._mask(a)  # a count is not a run time
    assert goldens._mask('{"nodes": 12}') != goldens._mask('{"nodes": 13}')


def test_commands_run_in_a_private_directory_removed_afterwards(goldens, tmp_path, monkeypatch):
    import sys
    import tempfile

    monkeypatch.setattr(goldens, "BAL", [sys.executable, "-c", "import os; print(os.getcwd())"])
    monkeypatch.setattr(goldens, "COMMANDS", {"cwd": []})
    goldens.run_commands(tmp_path)
    cwd = Path((tmp_path / "cwd" / "_stdout.txt").read_text().strip())
    assert cwd != Path(tempfile.gettempdir()) and cwd.name.startswith("goldens-cwd-")
    assert not cwd.exists()
