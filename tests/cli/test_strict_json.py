"""Every JSON file the package writes is strict JSON: an undefined or infinite number is ``null``.

``NaN`` and ``Infinity`` are not JSON (RFC 8259); JavaScript's ``JSON.parse``, jq and most
languages' strict parsers refuse a file containing them. The parser below refuses them too.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from balance.io.files import json_text
from tests.tables import valid_table


def strict_loads(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_json_text_maps_every_missing_or_infinite_number_to_null():
    payload = {
        "nan": float("nan"), "inf": float("inf"), "-inf": -math.inf, "np_nan": np.float64("nan"),
        "np32_inf": np.float32("inf"), "na": pd.NA, "nat": pd.NaT, "none": None,
        "ok": [1, np.int64(2), np.float32(0.5), np.bool_(True), "文字"],
        "nested": {"t": (float("nan"), {"x": [np.inf]})}, np.int64(7): "numpy key",
        "when": dt.date(2025, 9, 1), "path": Path("a/b"), "array": np.array([1.0, np.nan]),
    }
    data = strict_loads(json_text(payload))
    assert data["nan"] is None and data["inf"] is None and data["-inf"] is None and data["np_nan"] is None
    assert data["np32_inf"] is None and data["na"] is None and data["nat"] is None and data["none"] is None
    assert data["ok"] == [1, 2, 0.5, True, "文字"]
    assert data["nested"] == {"t": [None, {"x": [None]}]} and data["7"] == "numpy key"
    assert data["when"] == "2025-09-01" and data["path"] == "a/b" and data["array"] == [1.0, None]
    assert "文字" in json_text(payload)  # UTF-8 kept, not \\u escaped


def test_json_text_keeps_finite_numbers_exact():
    x = [0.1, 1e-300, 1.7976931348623157e308, -0.0, 123456789012345678]
    assert strict_loads(json_text(x)) == x


@pytest.fixture()
def assessment():
    from balance.method.assessment import assess

    return assess(valid_table(), "quality-2017")


def test_summary_json_infinite_and_undefined_cv_are_null(assessment, tmp_path):
    """An overflowing CV (inf) and an undefined one (NaN) are written as null, not Infinity / NaN."""
    from balance.io.export.assessment import write_results

    ci = assessment.county_indicators
    ci.loc[0, "cv"] = np.inf
    ci.loc[1, "cv"] = np.nan
    ci.loc[2, "value"] = -np.inf
    write_results(assessment, tmp_path, excel=False)
    text = (tmp_path / "summary.json").read_text(encoding="utf-8")
    data = strict_loads(text)
    first = data["counties"][0]
    cvs = [c for st in first["stages"].values() for c in st["indicators"]] if isinstance(first.get("stages"), dict) \
        else None
    assert "Infinity" not in text and "NaN" not in text
    if cvs is not None:
        assert any(c.get("cv") is None for c in cvs)


def test_summary_json_from_the_command_line_is_strict(tmp_path):
    """Huge values overflow the CV to inf today (counts are bounded elsewhere); the file stays JSON."""
    from balance.cli import main

    t = valid_table()
    col = "教学仪器设备值(元)"
    t[col] = t[col].astype(float)
    t.loc[[0, 1], col] = 1e308
    src = tmp_path / "t.csv"
    t.to_csv(src, index=False, encoding="utf-8-sig")
    code = main(["assess", str(src), "--out", str(tmp_path / "out"), "--no-excel"])
    if code == 0:  # a magnitude check may refuse such a value (exit 2); then there is no file at all
        strict_loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    else:
        assert code == 2 and not (tmp_path / "out").exists()


def test_evaluation_json_is_strict(tmp_path):
    from balance.method.evaluation import evaluate, write_evaluation

    ev = evaluate("data/demo/schools.csv", "data/demo/county_sheet.xlsx", year=2025, county="990105")
    records = ev.records()
    records[0]["injected"] = {"inf": float("inf"), "nan": np.float64("nan"), "na": pd.NA}
    ev.records = lambda: records
    write_evaluation(ev, tmp_path)
    data = strict_loads((tmp_path / "evaluation.json").read_text(encoding="utf-8"))
    assert data["counties"][0]["injected"] == {"inf": None, "nan": None, "na": None}


def test_plan_summary_json_is_strict(tmp_path):
    from balance.analysis.planner import plan, write_plan

    t = valid_table()
    p = plan(t.assign(**{"年份": t["年份"]}), "quality-2017", county=str(t["县区代码"].iloc[0]), year=int(t["年份"].iloc[0]))
    p.counties[0]["total_cost"] = float("inf")
    p.counties[0]["undefined"] = float("nan")
    write_plan(p, tmp_path)
    data = strict_loads((tmp_path / "plan_summary.json").read_text(encoding="utf-8"))
    assert data["counties"][0]["total_cost"] is None and data["counties"][0]["undefined"] is None


def test_briefing_results_json_is_strict(tmp_path):
    from balance.reporting import briefing as bf

    src = tmp_path / "t.csv"
    t = valid_table()
    t.to_csv(src, index=False, encoding="utf-8-sig")
    code, year = str(t["县区代码"].iloc[0]), int(t["年份"].max())
    b = bf.county_briefing(str(src), code, year)
    ci = b.assessment.county_indicators
    ci.loc[ci.index[ci["county_code"] == code], "cv"] = np.inf
    bf.save_results(b, str(tmp_path / "run"))
    text = (tmp_path / "run" / "results.json").read_text(encoding="utf-8")
    strict_loads(text)
    assert "Infinity" not in text


def test_store_metadata_is_strict(tmp_path):
    from balance.io import store

    path = tmp_path / "_partition.json"
    store._atomic_json(path, {"rows": np.int64(3), "ratio": float("nan"), "big": float("inf")})
    assert strict_loads(path.read_text(encoding="utf-8")) == {"rows": 3, "ratio": None, "big": None}
    assert [p.name for p in tmp_path.iterdir()] == ["_partition.json"]  # no temporary file left
