"""The clerk's traps of issue 12, tried from the command line on files a clerk would fill."""
from __future__ import annotations

import openpyxl

from balance.cli import main
from tests.io.test_percent_cells import _filled
from tests.tables import valid_table


def _schools(tmp_path):
    path = tmp_path / "学校.xlsx"
    valid_table(years=(2024,)).to_excel(path, index=False)
    return path


def test_trap1_percent_cells_read_as_percent_on_evaluate(tmp_path, capsys):
    # every rate typed as 92 % into percent cells: rates of ≥ 85 % or ≥ 50 % hold, = 100 % ones fail,
    # and nothing is said about fractions
    sheet = _filled(tmp_path, 0.92, "0%")
    code = main(["evaluate", str(_schools(tmp_path)), "--county-sheet", str(sheet), "--out", str(tmp_path / "out"),
                 "--county", "130102"])
    out = capsys.readouterr().out
    assert code == 0
    assert "像是按小数填写" not in out
    assert "0.9 %" not in out and "0.92 %" not in out


def test_trap1_fraction_rates_said_on_the_console_of_validate_and_evaluate(tmp_path, capsys):
    sheet = _filled(tmp_path, 0.92, only="g15_migrant_public_share")  # typed 0.92 in a plain cell
    schools = _schools(tmp_path)
    assert main(["validate", str(schools), "--county-sheet", str(sheet)]) == 0
    out = capsys.readouterr().out
    assert "「保障15 随迁子女在公办及购买服务学校就读比例(%)」的数值都不超过 1.5" in out
    assert "请填写 92" in out and "enter 92" in out
    main(["evaluate", str(schools), "--county-sheet", str(sheet), "--out", str(tmp_path / "out"), "--county", "130102"])
    out = capsys.readouterr().out
    assert out.count("像是按小数填写") == 1  # one line for the column, not one per cell
    wb = openpyxl.load_workbook(tmp_path / "out" / "evaluation.xlsx", read_only=True)
    assert any("像是按小数填写" in str(c) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)
               for c in r if c)


def test_trap1_brief_plan_carries_the_county_sheet_warnings(tmp_path, capsys):
    from balance.cli._args import print_fraction_warnings
    from balance.running.brief import plan_brief

    sheet = _filled(tmp_path, 0.92, only="g15_migrant_public_share")
    plan = plan_brief(_schools(tmp_path), county_sheet=sheet)
    print_fraction_warnings(plan.warnings)  # what `balance brief` prints under its warning count
    out = capsys.readouterr().out
    assert out.startswith("! ") and out.count("像是按小数填写") == 1 and "look like fractions" in out
