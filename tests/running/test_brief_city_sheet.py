"""A city-wide county sheet (县级填报表 with rows for every county of the city) beside a school
table of some of its counties: ``balance brief`` and the briefings a batch runs use the rows of the
counties in the table and say, in Chinese and English, which counties' rows were ignored. A sheet
without a row for a county being briefed, and a malformed sheet, are still refused (nothing
written, exit 2). Data: the demo table cut to two counties, the demo county sheet (all eight)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from balance.cli import main
from balance.errors import InputError
from balance.running.brief import plan_brief

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "data" / "demo" / "schools.csv"
SHEET = ROOT / "data" / "demo" / "county_sheet.xlsx"
NOTEBOOKS = Path(__file__).parents[1] / "fixtures" / "notebooks"
KEEP = ["990101", "990102"]
OTHERS = ["990103", "990104", "990105", "990106", "990107", "990108"]


@pytest.fixture(scope="module")
def subset(tmp_path_factory) -> Path:
    """The demo school table, counties 990101 and 990102 only (the sheet has all eight)."""
    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    path = tmp_path_factory.mktemp("subset") / "two_counties.csv"
    df[df["县区代码"].isin(KEEP)].to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _sheet_frame() -> pd.DataFrame:
    from balance.io.county_sheet import load_county_sheet

    return load_county_sheet(SHEET).data


def _write_sheet(df: pd.DataFrame, path: Path) -> Path:
    """The sheet's rows as a CSV with the template's two key headers and the item columns by name."""
    out = df.drop(columns=["source_row"]).rename(columns={"year": "年份", "county_code": "县区代码",
                                                         "county_name": "县区名称"})
    out.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_brief_uses_the_rows_of_its_counties_and_names_the_others(subset):
    plan = plan_brief(subset, county_sheet=SHEET)
    assert plan.counties == KEEP
    w = [p for p in plan.warnings if p.code == "other_counties_ignored"]
    assert len(w) == 1 and w[0].severity == "warning" and w[0].file == str(SHEET)
    assert all(c in w[0].problem_zh and c in w[0].problem_en for c in OTHERS)
    assert not any(c in w[0].problem_zh for c in KEEP)
    assert "30 行" in w[0].problem_zh and "30 rows of 6 counties" in w[0].problem_en  # 6 counties × 5 years
    assert all(r.get("county_sheet") == str(SHEET.resolve()) for r in plan.runs.values())


def test_a_sheet_of_exactly_the_table_counties_has_no_such_warning():
    assert not [p for p in plan_brief(DEMO, county_sheet=SHEET).warnings if p.code == "other_counties_ignored"]


def test_the_command_line_warns_on_stderr_and_writes_the_briefings(subset, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["brief", str(subset), "--out", str(out), "--county-sheet", str(SHEET), "--county", *KEEP,
                 "--workers", "2", "--no-progress", "--notebooks", str(NOTEBOOKS)])
    assert code == 1  # the fixture notebooks take no county sheet: their runs fail (the real ones: below)
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if "不在学校数据中" in x)
    assert all(c in line for c in OTHERS) and "已忽略" in line
    assert "not in the school data; ignored" in err
    assert all((out / "params" / f"{c}_2025.yaml").is_file() for c in KEEP)


def test_a_sheet_without_a_county_being_briefed_is_refused(subset, tmp_path, capsys):
    df = _sheet_frame()
    lacking = _write_sheet(df[~((df["county_code"] == "990102") & (df["year"] == 2025))], tmp_path / "lacking.csv")
    with pytest.raises(InputError) as ei:
        plan_brief(subset, county_sheet=lacking)
    assert [p.code for p in ei.value.errors] == ["county_sheet_lacks_county"]
    assert "990102" in ei.value.errors[0].problem_zh and "990102" in ei.value.errors[0].problem_en
    out = tmp_path / "out"
    assert main(["brief", str(subset), "--out", str(out), "--county-sheet", str(lacking),
                 "--notebooks", str(NOTEBOOKS)]) == 2
    err = capsys.readouterr().err
    assert "县级填报表中没有 2025 年县区 990102 的行" in err and "no row for 2025 of county 990102" in err
    assert not out.exists()
    # the county it lacks is not briefed: accepted
    assert plan_brief(subset, county_sheet=lacking, counties=["990101"]).counties == ["990101"]


def test_a_malformed_sheet_is_still_refused(subset, tmp_path):
    df = _sheet_frame().astype({"county_code": object})
    df.loc[df.index[-1], "county_code"] = "99010"  # 5 digits: an error, never "another county"
    with pytest.raises(InputError) as ei:
        plan_brief(subset, county_sheet=_write_sheet(df, tmp_path / "bad.csv"))
    assert [p.code for p in ei.value.errors] == ["code_length"]


def test_the_library_still_refuses_other_counties_unless_told_to_ignore_them(subset):
    """``evaluate()`` called from Python keeps the check by default (the command line passes
    ``other_counties="ignore"``: tests/cli/test_city_sheet_commands.py)."""
    from balance.method.evaluation import evaluate

    with pytest.raises(InputError) as ei:
        evaluate(subset, str(SHEET), year=2025)
    assert {p.code for p in ei.value.errors} == {"unknown_county"}


def test_the_briefings_of_a_batch_read_a_city_wide_sheet(subset):
    """``balance batch`` shares the path: the county briefing's own evaluation (what its notebook
    calls) uses its county's row and names the ignored counties in its data notes (appendix)."""
    from balance.method import cache
    from balance.reporting.briefing.county import appendix, county_briefing

    cache.clear()
    b = county_briefing(str(subset), "990101", 2025, county_sheet=str(SHEET))
    ev = b.evaluation
    assert list(ev.verdicts["county_code"]) == ["990101"]
    assert not ev.items.query("area == 'government'")["status"].eq("缺失").all()  # its row was read
    w = ev.warnings[ev.warnings["code"] == "other_counties_ignored"]
    assert len(w) == 1 and all(c in w["problem_zh"].iloc[0] for c in OTHERS)
    assert "其 30 行未使用（已忽略）" in appendix(b).data


def test_a_sheet_already_read_is_cut_the_same_way(subset):
    """``evaluate`` given a :class:`CountySheet` (read without the school table) drops the same rows
    with the same warning as when it reads the file itself."""
    from balance.io.county_sheet import load_county_sheet
    from balance.method.evaluation import evaluate

    read = evaluate(subset, str(SHEET), year=2025, other_counties="ignore")
    given = evaluate(subset, load_county_sheet(SHEET), year=2025, other_counties="ignore")
    assert list(given.verdicts["county_code"]) == KEEP
    pick = ["code", "problem_zh", "problem_en"]
    w = given.warnings[given.warnings["code"] == "other_counties_ignored"][pick].to_dict("records")
    assert w == read.warnings[read.warnings["code"] == "other_counties_ignored"][pick].to_dict("records") and len(w) == 1
    assert given.items.equals(read.items)


def test_a_sheet_of_another_year_says_which_years_it_has(subset, tmp_path):
    # the clerk gave last year's sheet: no row of the briefed year at all. The refusal names the
    # years the sheet does have, so the mistake is seen at once
    df = _sheet_frame()
    old = _write_sheet(df[df["year"].isin([2023, 2024])], tmp_path / "old.csv")
    with pytest.raises(InputError) as ei:
        plan_brief(subset, county_sheet=old)
    [p] = ei.value.errors
    assert p.code == "county_sheet_lacks_county"
    assert "表中只有 2023、2024 年的行：是否用了别的年份的填报表？" in p.problem_zh
    assert "rows for 2023, 2024 only: is it another year's sheet?" in p.problem_en
    # a sheet that has the year but lacks one county does not say so
    lacking = _write_sheet(df[~((df["county_code"] == "990102") & (df["year"] == 2025))], tmp_path / "lacking.csv")
    with pytest.raises(InputError) as ei:
        plan_brief(subset, county_sheet=lacking)
    assert "表中只有" not in ei.value.errors[0].problem_zh
