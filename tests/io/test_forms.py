"""The blank school table template (Excel and CSV) and the ``template`` command."""
from pathlib import Path

import openpyxl
import pytest

from balance.io.templates import (
    EXAMPLE_ROWS,
    FORMS,
    SHEET_DATA,
    SHEET_EXAMPLE,
    SHEET_NOTES,
    write_school_table_template,
)
from balance.schema import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
HEADERS = [c["header"] for c in COLUMNS]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return write_school_table_template(tmp_path_factory.mktemp("t") / "school_table_template.xlsx")


def test_sheets_headers_bold_frozen(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [SHEET_DATA, SHEET_NOTES, SHEET_EXAMPLE]
    ws = wb[SHEET_DATA]
    assert [c.value for c in ws[1]] == HEADERS
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert all(ws.cell(r, 1).value is None for r in range(2, 20))  # blank form
    assert ws.column_dimensions["E"].width >= 20  # 学校名称


def test_code_and_text_columns_formatted_as_text(template):
    ws = openpyxl.load_workbook(template)[SHEET_DATA]
    for j, c in enumerate(COLUMNS, start=1):
        fmt = ws.cell(2, j).number_format
        if c["kind"] in ("code", "text", "category"):
            assert fmt == "@", c["header"]
            assert ws.cell(1000, j).number_format == "@"
        else:
            assert fmt != "@", c["header"]


def test_drop_downs_and_checks(template):
    ws = openpyxl.load_workbook(template)[SHEET_DATA]
    dvs = ws.data_validations.dataValidation
    lists = {str(dv.sqref).split(":")[0]: dv.formula1.strip('"').split(",") for dv in dvs if dv.type == "list"}
    for j, c in enumerate(COLUMNS, start=1):
        if c["kind"] == "category":
            cell = ws.cell(2, j).coordinate
            assert lists[cell] == c["values"], c["header"]
    lengths = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in dvs if dv.type == "textLength"}
    assert lengths == {"B2": "6", "D2": "10"}
    assert any(dv.type == "whole" and dv.operator == "greaterThanOrEqual" for dv in dvs)


def test_notes_explain_every_column(template):
    ws = openpyxl.load_workbook(template)[SHEET_NOTES]
    text = [[c.value for c in row] for row in ws.iter_rows()]
    named = {r[1] for r in text if r and len(r) > 1}
    assert set(HEADERS) <= named
    flat = " ".join(str(v) for r in text for v in r if v)
    for word in ("万元", "文本", "室内体育用房", "任教学段", "≤"):
        assert word in flat


def test_example_sheet_is_valid_input(template):
    from balance.io.reading import load_school_table

    ws = openpyxl.load_workbook(template)[SHEET_EXAMPLE]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row == 1 + len(EXAMPLE_ROWS) == 4
    assert isinstance(ws["D2"].value, str) and ws["D2"].number_format == "@"
    t = load_school_table(template, sheet=SHEET_EXAMPLE)
    assert len(t.data) == 3 and t.warnings == []
    assert set(t.data["school_type"]) == {"小学", "九年一贯制学校", "教学点"}


def test_csv_template_headers_only(tmp_path):
    p = write_school_table_template(tmp_path / "t.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").splitlines() == [",".join(HEADERS)]


def test_committed_templates_up_to_date(template, tmp_path):
    assert (ROOT / "data/templates/school_table_template.xlsx").read_bytes() == template.read_bytes()
    csv = write_school_table_template(tmp_path / "school_table_template.csv")
    assert (ROOT / "data/templates/school_table_template.csv").read_bytes() == csv.read_bytes()


def test_cli_template(tmp_path, capsys):
    from balance.cli import main

    out = tmp_path / "form.xlsx"
    assert main(["template", "school-table", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == SHEET_DATA
    assert "school-table" in FORMS
    with pytest.raises(SystemExit):
        main(["template", "no-such-form", str(out)])
