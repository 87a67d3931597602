"""A city-wide county sheet (县级填报表 with every county of the city) beside a school table of some of
its counties: ``validate``, ``evaluate``, ``self-report`` and ``application`` read it as ``brief`` does —
the other counties' rows are ignored with one bilingual line naming them — and a sheet that has rows
for a year but none for a county evaluated in it is refused (exit 2, nothing written). Data: the demo
table cut to two counties, the demo county sheet (all eight counties, 2021–2025)."""
from __future__ import annotations

from pathlib import Path

import pytest

from balance.cli import main
from balance.errors import InputError
from balance.method.evaluation import evaluate
from tests.running.test_brief_city_sheet import DEMO, KEEP, OTHERS, SHEET, subset  # noqa: F401 - the fixture


@pytest.fixture(scope="module")
def lacking(tmp_path_factory) -> Path:
    """The demo sheet without 990102's row of 2025 (every other row kept)."""
    from balance.io.county_sheet import load_county_sheet

    df = load_county_sheet(SHEET).data
    df = df[~((df["county_code"] == "990102") & (df["year"] == 2025))]
    out = df.drop(columns=["source_row"]).rename(columns={"year": "年份", "county_code": "县区代码",
                                                         "county_name": "县区名称"})
    path = tmp_path_factory.mktemp("lacking") / "lacking.csv"
    out.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _ignored_line(text: str) -> str:
    return next(x for x in text.splitlines() if "不在学校数据中" in x)


def test_validate_checks_a_city_wide_sheet_and_names_the_counties_it_ignores(subset, capsys):
    assert main(["validate", str(subset), "--county-sheet", str(SHEET)]) == 0
    out = capsys.readouterr().out
    assert "县级填报表检查通过" in out
    line = _ignored_line(out)
    assert all(c in line for c in OTHERS) and not any(c in line for c in KEEP)


def test_evaluate_reads_a_city_wide_sheet_as_brief_does(subset, tmp_path, capsys):
    out = tmp_path / "ev"
    assert main(["evaluate", str(subset), "--county-sheet", str(SHEET), "--year", "2025", "--out", str(out)]) == 0
    cap = capsys.readouterr()
    assert all(c in _ignored_line(cap.err) for c in OTHERS) and "not in the school data; ignored" in cap.err
    # the two counties get exactly the evaluation they get from a sheet cut to their own rows
    from balance.io.county_sheet import load_county_sheet

    own = load_county_sheet(SHEET).data
    own_ev = evaluate(subset, own[own["county_code"].isin(KEEP)].rename(columns={
        "year": "年份", "county_code": "县区代码", "county_name": "县区名称"}).drop(columns=["source_row"]), year=2025)
    cli_ev = evaluate(subset, str(SHEET), year=2025, other_counties="ignore", require_rows=True)
    assert cli_ev.verdicts["verdict"].tolist() == own_ev.verdicts["verdict"].tolist()
    assert cli_ev.items.drop(columns=["source"]).equals(own_ev.items.drop(columns=["source"]))
    assert (out / "evaluation.json").is_file()


@pytest.mark.parametrize("cmd", ["application", "self-report"])
def test_application_and_self_report_read_a_city_wide_sheet(cmd, subset, tmp_path, capsys):
    out = tmp_path / cmd
    argv = [cmd, str(subset), "--year", "2025", "--county", "990101", "--county-sheet", str(SHEET), "--out", str(out)]
    if cmd == "self-report":
        argv.append("--no-plan")
    assert main(argv) == 0
    err = capsys.readouterr().err
    line = _ignored_line(err)
    assert all(c in line for c in OTHERS)
    assert out.is_dir() and any(out.iterdir())


def test_a_sheet_lacking_a_county_evaluated_is_refused_and_nothing_is_written(subset, lacking, tmp_path, capsys):
    out = tmp_path / "ev"
    assert main(["evaluate", str(subset), "--county-sheet", str(lacking), "--year", "2025", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "有 2025 年其他县区的行，却没有县区 990102 的行" in err and "none for county 990102" in err
    assert not out.exists()
    # the county it has is evaluated; a year it does not cover at all still gives missing items
    assert main(["evaluate", str(subset), "--county-sheet", str(lacking), "--year", "2025", "--county", "990101",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    with pytest.raises(InputError) as ei:
        evaluate(subset, str(lacking), year=2025, other_counties="ignore", require_rows=True)
    assert [p.code for p in ei.value.errors] == ["county_sheet_lacks_county"]
    assert ei.value.errors[0].value == "990102" and ei.value.errors[0].column == "县区代码"


def test_a_year_the_sheet_does_not_cover_is_evaluated_with_its_items_missing(subset, tmp_path):
    from balance.io.county_sheet import load_county_sheet

    df = load_county_sheet(SHEET).data
    only_2025 = df[(df["year"] == 2025) & df["county_code"].isin(KEEP)].drop(columns=["source_row"]).rename(
        columns={"year": "年份", "county_code": "县区代码", "county_name": "县区名称"})
    ev = evaluate(subset, only_2025, year=2024, other_counties="ignore", require_rows=True)
    sheet_items = ev.items[(ev.items["area"] == "government") & (ev.items["source"] == "县级填报表")]
    assert len(sheet_items) and set(sheet_items["status"]) == {"缺失"}


def test_ledger_reads_a_city_wide_sheet(subset, tmp_path, capsys):
    out = tmp_path / "led"
    assert main(["ledger", str(subset), "--year", "2025", "--county-sheet", str(SHEET), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    line = _ignored_line(err)
    assert all(c in line for c in OTHERS)
    assert (out / "ledger.csv").is_file()
