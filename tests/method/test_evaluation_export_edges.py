"""Edges of ``balance.method.evaluation_export`` that the round-4 mutmut run showed no test watched
(docs/mutation/round4-method-a.md): the header of ``evaluation.json`` (a contract, README) and the
conversion of item values. Each test names the mutants it kills (the report says which were checked by hand).
"""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from balance import __version__
from balance.method.evaluation import evaluate, write_evaluation
from balance.method.evaluation_export import _jsonable
from tests.method.test_evaluation import passing_table, sheet


def _header(tmp_path, county_sheet):
    ev = evaluate(passing_table(), county_sheet)
    write_evaluation(ev, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "evaluation.json").read_text(encoding="utf-8"))
    return ev, data


def test_the_header_names_the_standard_the_source_and_the_county_sheet(tmp_path):
    # kills every renamed header key (generator, standard, standard_title, source, sha256,
    # county_sheet, county_sheet_sha256) and the county-sheet conditions turned round
    path = tmp_path / "county.xlsx"
    sheet().to_excel(path, index=False)
    ev, data = _header(tmp_path, path)
    assert list(data)[:7] == ["generator", "standard", "standard_title", "source", "sha256", "county_sheet",
                              "county_sheet_sha256"]
    assert data["generator"] == f"balance {__version__}"
    assert (data["standard"], data["standard_title"]) == ("quality-2017", ev.standard.title)
    assert (data["source"], data["sha256"]) == (ev.assessment.source, ev.assessment.sha256)
    assert data["county_sheet"] == ev.sheet.path and data["county_sheet"].endswith("county.xlsx")
    assert data["county_sheet_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_without_a_county_sheet_its_header_fields_are_null(tmp_path):
    _, data = _header(tmp_path, None)
    assert (data["county_sheet"], data["county_sheet_sha256"]) == (None, None)


def test_item_values_become_plain_json_values():
    # kills `math.isnan(v) or True` (every number written as null) and `int(None)`
    assert _jsonable(np.float64(1.5)) == 1.5 and _jsonable(2.25) == 2.25
    assert _jsonable(np.int64(3)) == 3 and type(_jsonable(np.int64(3))) is int
    assert _jsonable(float("nan")) is None and _jsonable(pd.NA) is None and _jsonable(None) is None
    assert _jsonable(np.bool_(True)) is True and _jsonable("是") == "是"
