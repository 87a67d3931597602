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
