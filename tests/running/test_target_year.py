"""``target_year`` (issue 14 §3): an optional params key for the trend and region notebooks, and
``balance brief --target-year`` writes it (with the county sheet) into their params only."""
from __future__ import annotations

from pathlib import Path

import pytest

from balance.errors import InputError
from balance.running.params import declared_parameters, load_params, notebook_parameters

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "data" / "demo" / "schools.csv"
SHEET = ROOT / "data" / "demo" / "county_sheet.xlsx"
NOTEBOOKS = ROOT / "notebooks"


def _params(tmp_path, text: str) -> Path:
    p = tmp_path / "run.yaml"
    p.write_text(f"data: {DEMO}\n" + text, encoding="utf-8")
    return p


def test_target_year_is_read_and_passed_to_the_notebook(tmp_path):
    params = load_params(_params(tmp_path, "notebook: county_trend\ncounty_code: \"990105\"\ntarget_year: 2027\n"))
    assert params.target_year == 2027
    declared = declared_parameters(NOTEBOOKS / "county_trend.ipynb")
    assert {"target_year", "county_sheet"} <= set(declared)
    assert notebook_parameters(params, tmp_path, declared)["target_year"] == 2027
    assert {"target_year", "county_sheet"} <= set(declared_parameters(NOTEBOOKS / "region_overview.ipynb"))


@pytest.mark.parametrize("value", ["2027.5", "true", "\"明年\"", "1800"])
def test_a_bad_target_year_is_refused_with_its_line(tmp_path, value):
    with pytest.raises(InputError) as e:
        load_params(_params(tmp_path, f"notebook: region_overview\nyear: 2025\ntarget_year: {value}\n"))
    p = e.value.problems[0]
    assert p.column == "target_year" and p.row == 4 and "目标年份" in p.problem_zh


def test_brief_passes_target_year_and_sheet_to_trend_and_region_only():
    from balance.running.brief import plan_brief

    plan = plan_brief(DEMO, county_sheet=SHEET, target_year=2027)
    for run, p in plan.runs.items():
        wants = p["notebook"] in ("county_trend", "region_overview")
        assert ("target_year" in p) == wants, run
        assert p.get("target_year", 2027) == 2027 and p["county_sheet"] == str(SHEET.resolve())
    assert "target_year" not in next(iter(plan_brief(DEMO).runs.values()))


def test_cli_brief_accepts_target_year():
    from balance.cli import build_parser

    args = build_parser().parse_args(["brief", str(DEMO), "--out", "x", "--target-year", "2027"])
    assert args.target_year == 2027
