"""Where people read, the standard is named by its Chinese title, as the briefings name it
(results.xlsx 县域结论 showed the code ``quality-2017`` in its 评估标准 column); the CSV and JSON
contract files keep the code."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from balance.cli import main
from balance.method.standards import load_standard

DEMO = Path(__file__).parents[3] / "data" / "demo"
SCHOOLS, SHEET = str(DEMO / "schools.csv"), str(DEMO / "county_sheet.xlsx")
RUNS = {  # name: (argv, workbook, standard id)
    "assess": (["assess", SCHOOLS, "--county", "990101"], "results.xlsx", "quality-2017"),
    "assess-basic": (["assess", SCHOOLS, "--county", "990102", "--standard", "basic-2012"], "results.xlsx",
                     "basic-2012"),
    "evaluate": (["evaluate", SCHOOLS, "--county-sheet", SHEET, "--county", "990101"], "evaluation.xlsx",
                 "quality-2017"),
    "plan": (["plan", SCHOOLS, "--county", "990103"], "plan.xlsx", "quality-2017"),
    "evaluate-basic": (["evaluate", SCHOOLS, "--county-sheet", SHEET, "--county", "990101", "--standard",
                        "basic-2012"], "evaluation.xlsx", "basic-2012"),
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("standard_title")
    for name, (argv, _, _) in RUNS.items():
        assert main(argv + ["--out", str(root / name)]) in (0, 1), name
    return root


@pytest.mark.parametrize("std_id, goal, other", [("quality-2017", "优质均衡", "基本均衡"),
                                                  ("basic-2012", "基本均衡", "优质均衡")])
def test_the_evaluation_names_the_recognition_of_the_standard_in_use(tmp_path, capsys, std_id, goal, other):
    """The console's count line and the workbook's 说明 name what the standard certifies: under
    basic-2012 a county reaches 基本均衡, never 优质均衡 (both said 优质均衡 until round 7)."""
    main(["evaluate", SCHOOLS, "--county-sheet", SHEET, "--county", "990101", "--standard", std_id,
          "--out", str(tmp_path)])
    line = [x for x in capsys.readouterr().out.splitlines() if "county-years recognised" in x]
    assert len(line) == 1 and f"个县区·年度达到{goal} /" in line[0], line
    about = " ".join(_cells(openpyxl.load_workbook(tmp_path / "evaluation.xlsx").worksheets[0]))
    assert f"县域达到{goal}须四个领域均达标" in about and other not in about


def _cells(ws):
    return [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]


@pytest.mark.parametrize("name", list(RUNS))
def test_no_sheet_shows_the_standard_code(outputs, name):
    _, book, std_id = RUNS[name]
    wb = openpyxl.load_workbook(outputs / name / book)
    for ws in wb.worksheets:
        assert not [v for v in _cells(ws) if std_id in v], (book, ws.title)


@pytest.mark.parametrize("name", ["assess", "assess-basic", "evaluate"])
def test_standard_column_holds_the_title(outputs, name):
    _, book, std_id = RUNS[name]
    wb = openpyxl.load_workbook(outputs / name / book)
    ws = wb.worksheets[1]  # the verdict sheet (县域结论 / 评估结论), after 说明
    header = [c.value for c in ws[1]]
    col = header.index("评估标准")
    values = {row[col] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert values == {load_standard(std_id).title}


def test_json_keeps_the_code(outputs):
    """The files programs read keep ``standard`` as the code (add, never rename)."""
    summary = json.loads((outputs / "assess" / "summary.json").read_text(encoding="utf-8"))
    assert summary["standard"] == "quality-2017"
    assert {c["standard"] for c in summary["counties"]} == {"quality-2017"}
