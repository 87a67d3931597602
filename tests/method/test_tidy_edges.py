"""Edges of ``balance.method.tidy`` that the round-4 mutmut run showed no test watched
(docs/mutation/round4-method-a.md). ``tests/method/test_tidy.py`` checks the demo assessments sum
back to the wide table; these build the contract tables by hand: a missing CV verdict, a CV that
does not decide, county-indicator rows not in stage order, and empty tables. Each test names the
mutants it kills; the round-4 report says how each was checked by hand.
"""
from __future__ import annotations

import pandas as pd

from balance.method.tidy import failing_items_long, verdicts_long

ID = dict(year=2025, county_code="990101", county_name="测试县", standard_id="quality-2017")
COLS = ["year", "county_code", "county_name", "standard_id", "stage", "sections", "sections_passed",
        "cvs_decisive", "cvs_passed", "passed"]


def _verdicts(**extra):
    return pd.DataFrame([{**ID, "passed": False, "sections_passed_小学": 3, "sections_passed_初中": 1, **extra}])


def _ci():
    # 初中 first: the long table must still list 小学 first (the standard's order)
    rows = [("初中", 2, True, True), ("初中", 2, pd.NA, True), ("小学", 4, True, True), ("小学", 4, True, False),
            ("小学", 4, False, True)]
    return pd.DataFrame([{**ID, "stage": st, "sections": n, "cv_passed": ok, "decisive": dec}
                         for st, n, ok, dec in rows]).astype({"cv_passed": "boolean", "decisive": "boolean"})


def test_verdicts_long_counts_only_deciding_cvs_that_passed_in_stage_order():
    long = verdicts_long(_verdicts(), _ci(), ["小学", "初中"])
    # kills `_s=None` (stage order lost), `fillna(True)` for cv_passed (a CV without a verdict counted
    # as passed), `ok / dec` (a passing CV that does not decide gives inf), reset_index(drop=False/None)
    assert list(long.columns) == COLS
    assert long["stage"].tolist() == ["小学", "初中"]
    assert long["cvs_decisive"].tolist() == [2, 2] and long["cvs_passed"].tolist() == [1, 1]
    assert long["sections"].tolist() == [4, 2] and long["sections_passed"].tolist() == [3, 1]
    # kills the Int64 of sections_passed turned into object / int64
    assert str(long["sections_passed"].dtype) == "Int64"
    assert long.index.tolist() == [0, 1]


def test_a_cv_that_decides_without_a_verdict_is_not_a_decisive_cv():
    ci = _ci()
    ci.loc[0, "decisive"] = pd.NA  # 初中: one decisive-unknown (treated as not deciding), one decisive NA-pass
    long = verdicts_long(_verdicts(), ci, ["小学", "初中"])
    # kills `fillna(True)` for decisive
    assert long.set_index("stage").loc["初中", "cvs_decisive"] == 1


def test_failing_items_keep_a_fresh_index_and_empty_tables_keep_their_columns():
    v = pd.concat([_verdicts(failing_items=["甲", "乙"]), _verdicts(failing_items=[])], ignore_index=True)
    v.index = [5, 6]
    f = failing_items_long(v)
    # kills reset_index(drop=False/None): an "index" column would appear
    assert list(f.columns) == ["year", "county_code", "county_name", "standard_id", "item_no", "item"]
    assert f["item"].tolist() == ["甲", "乙"] and f["item_no"].tolist() == [1, 2] and f.index.tolist() == [0, 1]
    # kills `columns=None` and the renamed column names of the empty results
    assert list(failing_items_long(v.iloc[:0]).columns) == ["year", "county_code", "county_name", "standard_id",
                                                             "item_no", "item"]
    assert list(verdicts_long(v.iloc[:0], _ci().iloc[:0], ["小学", "初中"]).columns) == COLS
