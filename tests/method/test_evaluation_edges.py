"""The entry point of the four-area evaluation at its edges (balance/method/evaluation.py ``evaluate``,
``_read_inputs``, ``_require_rows``, ``_without_counties``, ``_unused_sheet_rows``; issue 10, mutation
round 6).

The refusals and warnings about the county sheet were checked by the command-line tests only
(tests/cli/test_city_sheet_commands.py, tests/running/test_brief_city_sheet.py: which words appear),
never field by field at library level. Here: a sheet lacking counties in two years (and a year it
does not cover), a sheet with counties the school table does not have (refused, or dropped with one
warning), and sheet rows without school data, each Problem compared whole.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from balance.errors import InputError, Problem
from balance.io.county_sheet import load_county_sheet
from balance.method.evaluation import evaluate
from tests.io.test_county_sheet import full_row
from tests.method.test_evaluation import frame, p_school

A, B, C = ("990101", "测试县"), ("990102", "乙县"), ("990103", "丙县")
SHEET = "县级填报表"


def _school(code, county, year=2025):
    return p_school(code, 400, 10, county_code=county[0], county_name=county[1], year=year)


def _sheet_file(path: Path, *rows) -> Path:
    """A county-sheet workbook of ``rows`` = (year, (code, name)), every item holding; data from row 2."""
    pd.DataFrame([full_row(y, c, n) for y, (c, n) in rows]).to_excel(path, sheet_name=SHEET, index=False)
    return path


@pytest.fixture(scope="module")
def three_counties() -> pd.DataFrame:
    """Schools of A in 2023–2025, of B and C in 2024 and 2025."""
    return frame(_school("1", A, 2023), _school("2", A, 2024), _school("3", A), _school("4", B, 2024), _school("5", B),
                 _school("6", C, 2024), _school("7", C))


def _lacks(file, year, codes) -> Problem:
    return Problem(file=str(file), sheet=SHEET, column="县区代码", value=", ".join(codes), code="county_sheet_lacks_county",
                   problem_zh=f"县级填报表中有 {year} 年其他县区的行，却没有县区 {'、'.join(codes)} 的行：请检查县区代码"
                              "或换用正确的填报表（或用 --county 只评估表中有的县区）",
                   problem_en=f"the county sheet has rows for {year} but none for county {', '.join(codes)}: check the "
                              "county codes or the file (or evaluate only the counties it has, with --county)")


def test_a_sheet_lacking_counties_of_a_year_it_covers_is_refused_year_by_year(three_counties, tmp_path):
    # the sheet covers 2025 (A only) and 2024 (B only); 2023 it does not cover at all
    path = _sheet_file(tmp_path / "s.xlsx", (2025, A), (2024, B))
    with pytest.raises(InputError) as ei:
        evaluate(three_counties, str(path), require_rows=True)
    assert ei.value.problems == [_lacks(path, 2024, ["990101", "990103"]), _lacks(path, 2025, ["990102", "990103"])]
    assert (ei.value.summary_zh, ei.value.summary_en) == ("县级填报表缺少县区", "the county sheet lacks a county")
    # only the year and county evaluated count
    with pytest.raises(InputError) as ei:
        evaluate(three_counties, str(path), year=2025, require_rows=True)
    assert ei.value.problems == [_lacks(path, 2025, ["990102", "990103"])]
    with pytest.raises(InputError) as ei:
        evaluate(three_counties, str(path), county="990103", require_rows=True)
    assert ei.value.problems == [_lacks(path, 2024, ["990103"]), _lacks(path, 2025, ["990103"])]
    # a county-year the sheet has, and a year it does not cover (its items are missing), are evaluated
    ev = evaluate(three_counties, str(path), year=2025, county="990101", require_rows=True)
    assert ev.verdicts[["year", "county_code"]].values.tolist() == [[2025, "990101"]]
    ev = evaluate(three_counties, str(path), year=2023, require_rows=True)
    assert ev.verdicts[["year", "county_code"]].values.tolist() == [[2023, "990101"]]
    assert set(ev.items.loc[ev.items["area"] == "quality", "status"]) == {"缺失"}
    # without require_rows (the library's default), or without a sheet, nothing is refused
    assert len(evaluate(three_counties, str(path)).verdicts) == 7
    assert len(evaluate(three_counties, None, require_rows=True).verdicts) == 7


def _two_others(tmp_path) -> Path:
    return _sheet_file(tmp_path / "city.xlsx", (2025, A), (2024, ("990198", "远县")), (2025, ("990198", "远县")),
                       (2025, ("990199", "近县")))


def test_counties_of_a_sheet_already_read_not_in_the_school_table_are_refused_at_their_first_row(tmp_path):
    """(A sheet read by ``evaluate`` itself is refused by the reader, row by row: tests/io.)"""
    path = _two_others(tmp_path)
    with pytest.raises(InputError) as ei:
        evaluate(frame(_school("1", A)), load_county_sheet(path))
    assert [(p.code, p.file, p.sheet, p.row, p.column, p.value, p.problem_zh, p.problem_en, p.severity)
            for p in ei.value.problems] == [
        ("unknown_county", str(path), SHEET, r, "县区代码", c, f"县区代码 {c} 不在学校数据中",
         f"county code {c} is not in the school data", "error") for r, c in ((3, "990198"), (5, "990199"))]
    assert (ei.value.summary_zh, ei.value.summary_en) == ("输入数据有误", "invalid input")


def test_a_sheet_already_read_drops_the_other_counties_with_one_warning(tmp_path):
    path = _two_others(tmp_path)
    ev = evaluate(frame(_school("1", A)), load_county_sheet(path), other_counties="ignore")
    w = Problem(file=str(path), sheet=SHEET, column="县区代码", value="990198, 990199", severity="warning",
                code="other_counties_ignored",
                problem_zh="县级填报表中有 2 个县区不在学校数据中，其 3 行未使用（已忽略）：990198 远县、990199 近县",
                problem_en="the county sheet has 3 rows of 2 counties not in the school data; ignored: 990198 远县, "
                           "990199 近县")
    assert ev.sheet.warnings == [w]
    assert ev.warnings.to_dict("records") == [w.to_dict()]
    assert list(ev.sheet.data["county_code"]) == ["990101"] and list(ev.sheet.data.index) == [0]
    assert ev.sheet.path == str(path) and ev.sheet.sheet == SHEET
    # the same warning as when the reader drops them itself
    read = evaluate(frame(_school("1", A)), str(path), other_counties="ignore")
    assert read.sheet.warnings == [w]
    assert ev.items.equals(read.items)


def test_sheet_rows_without_school_data_are_named_within_the_filter(tmp_path):
    path = _sheet_file(tmp_path / "s.xlsx", (2025, A), (2024, A), (2024, B), (2025, B))
    schools = frame(_school("1", A), _school("2", B))

    def unused(**kw):
        ev = evaluate(schools, str(path), **kw)
        return [p for p in ev.sheet.warnings + [Problem(**r) for r in ev.warnings.to_dict("records")]
                if p.code == "no_school_data"]

    def w(row, county):
        return Problem(file=str(path), sheet=SHEET, row=row, column="年份", value="2024", severity="warning",
                       code="no_school_data", problem_zh=f"学校数据中没有县区 {county} 的 2024 年，此行未使用",
                       problem_en=f"no school data for county {county} in 2024; row not used")

    assert unused() == [w(3, "990101"), w(4, "990102")]
    assert unused(county="990102") == [w(4, "990102")]
    assert unused(year=2025) == []


def test_an_items_note_reaches_evaluation_json_and_an_empty_note_is_null():
    """``Evaluation.records`` (the body of evaluation.json): the sheet's evidence note of an item is
    kept; an item without a note gets null, not an empty string."""
    from tests.method.test_evaluation import passing_table, sheet

    df = sheet()
    df["保障1 说明及佐证材料"] = "县政府〔2024〕12号文件"
    rec = evaluate(passing_table(), df).records()[0]
    items = {i["item_no"]: i for i in rec["areas"]["government"]["items"]}
    assert items[1]["note"] == "县政府〔2024〕12号文件" and items[2]["note"] is None
