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
from tests.io.test_county_sheet import full_row
from tests.method.test_evaluation import COUNTY, ROOMS, frame, p_school, passing_table, sheet


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


def _two_counties():
    """Two counties of one year: 测试县 meets everything, 乙县 (990102) has a veto answer 是."""
    other = [dict(p_school(c, n, k, 小学最大班额=42, **ROOMS), county_code="990102", county_name="乙县")
             for c, n, k in (("3", 400, 10), ("4", 800, 20))]
    table = pd.concat([passing_table(), frame(*other)], ignore_index=True)
    rows = pd.DataFrame([full_row(year=2025, code=COUNTY, name="测试县"),
                         full_row(year=2025, code="990102", name="乙县", v2_school_choice="是")])
    return evaluate(table, rows)


def test_each_countys_record_and_scorecard_row_hold_only_its_own_items(tmp_path):
    # kills the county filter `&` -> `|` in Evaluation.scorecard and Evaluation.records
    # (round 4: a county's record held every county's items of the same year)
    ev = _two_counties()
    per_county = ev.items.groupby("county_code").size()
    assert list(per_county.index) == [COUNTY, "990102"] and per_county.nunique() == 1
    recs = {r["county_code"]: r for r in ev.records()}
    for code, rec in recs.items():
        n = sum(len(a["items"]) for a in rec["areas"].values())
        assert n == per_county[code]
    assert recs[COUNTY]["verdict"] == "达到" and recs["990102"]["verdict"] == "未达到"
    veto = {c: [i for i in r["areas"]["veto"]["items"] if i["passed"] is False] for c, r in recs.items()}
    assert veto[COUNTY] == [] and len(veto["990102"]) == 1
    sc = ev.scorecard().set_index("县区代码")
    assert sc.loc[COUNTY, "政府保障程度"] == "达标（15/15）" and sc.loc["990102", "政府保障程度"] == "达标（15/15）"


def test_evaluation_json_is_utf8_whatever_the_locale(tmp_path):
    # kills `write_text(..., encoding=None)` and a dropped `encoding=`: under a non-UTF-8 locale
    # (here POSIX/ASCII with locale coercion and UTF-8 mode off, as a GBK Windows locale would be)
    # the default encoding would fail on, or mis-encode, the Chinese text
    import os
    import subprocess
    import sys
    code = ("import sys; from balance.method.evaluation import evaluate, write_evaluation;"
            "from tests.method.test_evaluation import passing_table, sheet;"
            "write_evaluation(evaluate(passing_table(), sheet()), sys.argv[1])")
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONCOERCECLOCALE="0", PYTHONUTF8="0",
               PYTHONIOENCODING="utf-8")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-X", "utf8=0", "-c", code, str(out)], env=env,
                       capture_output=True, text=True, encoding="utf-8", cwd=os.getcwd())
    assert r.returncode == 0, r.stderr
    data = json.loads((out / "evaluation.json").read_bytes().decode("utf-8"))
    assert data["counties"][0]["county_name"] == "测试县"


def test_the_json_cell_conversion_has_one_home():
    # the evaluation, the assessment summary and the plan summary use the same conversion, from
    # balance.io.files
    from balance.analysis.planner import summary
    from balance.io.export import assessment
    from balance.io.files import json_scalar

    assert _jsonable is json_scalar and assessment._jsonable is json_scalar and summary._jsonable is json_scalar
