"""``balance brief``: the plan it derives from a table, its refusals (nothing written, exit 2,
Chinese and English), and one end-to-end run through the batch runner with the fast fixture
notebooks (tests/fixtures/notebooks: no real briefing is rendered here)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from balance.cli import main
from balance.running.brief import normalize_county_code, plan_brief

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "data" / "demo" / "schools.csv"
NOTEBOOKS = Path(__file__).parents[1] / "fixtures" / "notebooks"


@pytest.fixture(scope="module")
def demo_counts():
    """Counties and years of the demo table, read with pandas (not with balance) to check the plan."""
    import pandas as pd

    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    return sorted(df["县区代码"].unique()), sorted(int(y) for y in df["年份"].unique())


def test_plan_covers_every_county_latest_year_trends_and_region(demo_counts):
    counties, years = demo_counts
    plan = plan_brief(DEMO)
    assert plan.year == years[-1]
    assert plan.counties == counties
    expected = {f"{c}_{years[-1]}" for c in counties} | {f"{c}_trend" for c in counties} | {f"region_{years[-1]}"}
    assert set(plan.runs) == expected
    assert all(Path(p["data"]).is_absolute() for p in plan.runs.values())


def test_plan_named_county_int_code_and_year(demo_counts):
    counties, years = demo_counts
    plan = plan_brief(DEMO, year=years[0], counties=[int(counties[0])])
    assert set(plan.runs) == {f"{counties[0]}_{years[0]}", f"{counties[0]}_trend"}  # one county: no region


def test_region_of_a_county_subset_links_only_the_briefings_written(demo_counts):
    """``brief --county A B``: the region overview gets the counties briefed beside it (it would
    otherwise link to briefings that are not in the folder); every county: no list, all linked."""
    counties, years = demo_counts
    plan = plan_brief(DEMO, counties=counties[:2])
    assert plan.runs[f"region_{years[-1]}"]["county_briefings"] == counties[:2]
    assert "county_briefings" not in plan_brief(DEMO).runs[f"region_{years[-1]}"]


@pytest.mark.parametrize("value, expected", [(130102, "130102"), (" 130102 ", "130102"), (130102.0, "130102"),
                                             ("abc", "abc")])
def test_normalize_county_code(value, expected):
    assert normalize_county_code(value) == expected


def test_single_year_table_has_no_trend(tmp_path):
    import pandas as pd

    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    one = df[df["年份"] == df["年份"].max()]
    path = tmp_path / "one_year.csv"
    one.to_csv(path, index=False, encoding="utf-8-sig")
    plan = plan_brief(path)
    assert not [r for r in plan.runs if r.endswith("_trend")]
    assert f"region_{plan.year}" in plan.runs


@pytest.mark.parametrize("case", ["missing_file", "garbage_file", "bad_year", "unknown_county", "out_is_file",
                                  "bad_standard"])
def test_hostile_input_refused_nothing_written(case, tmp_path, capsys, demo_counts):
    out = tmp_path / "out"
    argv = ["brief", str(DEMO), "--out", str(out), "--notebooks", str(NOTEBOOKS)]
    if case == "missing_file":
        argv[1] = str(tmp_path / "nope.xlsx")
    elif case == "garbage_file":
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"not a workbook at all")
        argv[1] = str(bad)
    elif case == "bad_year":
        argv += ["--year", "1999"]
    elif case == "unknown_county":
        argv += ["--county", "999999"]
    elif case == "out_is_file":
        out.write_text("keep me", encoding="utf-8")
    elif case == "bad_standard":
        argv += ["--standard", "no-such-standard"]
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err) and any(c.isascii() and c.isalpha() for c in err)
    assert "no result files were written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if case == "out_is_file":
        assert out.read_text(encoding="utf-8") == "keep me"
    if case == "bad_year":
        assert str(demo_counts[1][-1]) in err  # lists the years there are
    if case == "unknown_county":
        assert demo_counts[0][0] in err  # lists the known codes


def test_end_to_end_writes_params_manifest_index_and_skips_when_unchanged(tmp_path, capsys, demo_counts):
    """The fixture trend notebook always raises: those runs fail alone (failure isolation), the
    others succeed, and a second identical command skips the successful ones and retries the rest."""
    counties, years = demo_counts
    out = tmp_path / "out"
    argv = ["brief", str(DEMO), "--out", str(out), "--county", counties[0], counties[1], "--workers", "2",
            "--no-progress", "--notebooks", str(NOTEBOOKS)]
    assert main(argv) == 1  # the trend runs failed
    text = capsys.readouterr().out
    assert "2 counties" in text
    runs = {f"{c}_{years[-1]}" for c in counties[:2]} | {f"{c}_trend" for c in counties[:2]} | {f"region_{years[-1]}"}
    assert {p.stem for p in (out / "params").glob("*.yaml")} == runs
    p = yaml.safe_load((out / "params" / f"{counties[0]}_{years[-1]}.yaml").read_text(encoding="utf-8"))
    assert p["county_code"] == counties[0] and p["year"] == years[-1] and Path(p["data"]) == DEMO.resolve()
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["run"]: r for r in csv.DictReader(fh)}
    assert set(rows) == runs
    assert {r: rows[r]["status"] for r in runs} == {r: "failed" if r.endswith("_trend") else "ok" for r in runs}
    assert (out / "index.html").is_file()
    assert all((out / f"{r}.html").is_file() == (not r.endswith("_trend")) for r in runs)
    assert main(argv) == 1  # same input: the good runs skipped, the failed ones tried again
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        again = {r["run"]: r["status"] for r in csv.DictReader(fh)}
    assert again == {r: "failed" if r.endswith("_trend") else "skipped" for r in runs}


def test_readme_says_what_brief_writes():
    """The README's account of ``brief`` names what a run folder holds (``<run>.ipynb``, ``<run>/``
    with ``results.json``) and claims no workbook: it said "the workbooks the briefings refer to
    (in ``<run>/``)", but ``brief`` writes none and the briefings refer to none."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    para = text[text.index("`brief` checks the table once"):text.index("Every other command")]
    assert "workbooks the" not in para and "refer to (in" not in para
    for name in ("`<run>.ipynb`", "`<run>/`", "`results.json`", "`index.html`", "`manifest.csv`", "no workbook"):
        assert name in para, name
