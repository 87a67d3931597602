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
    plan = plan_brief(_schools(tmp_path), county_sheet=sheet, counties=["130102"])  # the county the sheet has
    print_fraction_warnings(plan.warnings)  # what `balance brief` prints under its warning count
    out = capsys.readouterr().out
    assert out.startswith("! ") and out.count("像是按小数填写") == 1 and "look like fractions" in out


def _workbook(tmp_path, sheets, name="学校.xlsx"):
    """A workbook with ``sheets`` (name -> DataFrame or a line of text), in that order."""
    import pandas as pd

    path = tmp_path / name
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        for sheet, content in sheets.items():
            if isinstance(content, str):
                pd.DataFrame({content: []}).to_excel(w, sheet_name=sheet, index=False)
            else:
                content.to_excel(w, sheet_name=sheet, index=False)
    return path


def test_trap4_two_tables_behind_instructions_one_line_naming_the_sheets(tmp_path, capsys):
    t = valid_table(years=(2024,))
    path = _workbook(tmp_path, {"填表说明": "请在后面的工作表填写", "2023年": t, "2024年": t})
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "--sheet" in ln]
    assert len(lines) == 1 and "「2023年」、「2024年」" in lines[0]
    assert "1 error(s)" not in err and "1 errors" not in err and ": 1 error\n" in err
    assert main(["validate", str(path), "--sheet", "2024年"]) == 0


def test_trap4_template_with_instructions_moved_first_reads_the_data_sheet(tmp_path, capsys):
    # the template's sheets 填表说明 / 学校基础数据 / 示例 (three made-up rows): never the example
    t = valid_table(years=(2024,))
    path = _workbook(tmp_path, {"填表说明": "说明", "示例": t.head(3), "学校基础数据": t})
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"数据检查通过：{len(t)} 行" in out and "已读取工作表「学校基础数据」" in out


def test_trap4_brief_sheet_reaches_every_run(tmp_path):
    from balance.running.brief import plan_brief, write_brief_params
    from balance.running.params import load_params, read_data_keys

    t = valid_table(years=(2023, 2024))
    path = _workbook(tmp_path, {"填表说明": "说明", "旧表": t.head(4), "新表": t})
    plan = plan_brief(path, sheet="新表")
    assert {p.get("sheet") for p in plan.runs.values()} == {"新表"}
    assert len(read_data_keys(path, "新表")) == len(t)
    for f in write_brief_params(plan, tmp_path / "out"):
        assert load_params(f).sheet == "新表"


def test_trap4_brief_with_sheet_writes_the_briefing(tmp_path, capsys):
    t = valid_table(years=(2024,))
    t = t[t["县区代码"] == "130102"]
    path = _workbook(tmp_path, {"填表说明": "说明", "甲": t.head(2), "乙": t})
    code = main(["brief", str(path), "--out", str(tmp_path / "简报"), "--sheet", "乙", "--no-progress", "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert (tmp_path / "简报" / "130102_2024.html").is_file()
    assert "1 个县区" in out and "1 county," in out and "1 briefing" in out


def test_trap5_no_english_count_written_as_a_fixed_plural_in_console_text():
    # "1 counties", "(1 errors)", "1 error(s)": an f-string count followed by a fixed plural noun
    # (or a "(s)") in the package's text; counts go through balance.errors.plural
    import re
    from pathlib import Path

    import balance

    fixed = re.compile(r"\{[^{}]+\} (counties|errors|warnings|files|runs|schools|briefings|workers)\b"
                       r"|\{[^{}]+\} \w+\((s|es)\)")
    bad = [f"{p.name}:{i}: {line.strip()}" for p in Path(balance.__file__).parent.rglob("*.py")
           for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
           if fixed.search(line) and "Assessment(" not in line]  # repr of a researcher's object: not console text
    assert bad == []


def test_trap5_batch_summary_of_one_run_reads_one_run():
    from balance.errors import plural
    from balance.running.results import BatchResult, RunResult

    assert plural(1, "county", "counties") == "1 county" and plural(2, "county", "counties") == "2 counties"
    one = BatchResult(out_dir=".", runs=[RunResult(run="130102_2024", notebook="county_briefing", status="ok")])
    assert "/ 1 run: 1 ok" in one.summary()
    assert "/ 2 runs:" in BatchResult(out_dir=".", runs=one.runs * 2).summary()


def test_trap5_evaluate_names_the_failed_music_art_sub_check(tmp_path, capsys):
    from tests.method.test_evaluation import frame, p_school, sheet

    rooms = {"最小音乐专用教室面积(㎡)": 100, "最小美术专用教室面积(㎡)": 95}
    schools = frame(p_school("1", 1000, 25, 音乐专用教室数=3, 美术专用教室数=2, **rooms),  # 3 art rooms needed
                    p_school("2", 960, 24, 音乐专用教室数=2, 美术专用教室数=2, **rooms))
    schools.to_excel(tmp_path / "学校.xlsx", index=False)
    sheet().to_excel(tmp_path / "县级表.xlsx", index=False)
    assert main(["evaluate", str(tmp_path / "学校.xlsx"), "--county-sheet", str(tmp_path / "县级表.xlsx"),
                 "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "政府保障程度第3项" in ln)
    assert "未达到：美术专用教室 2 间（需 3 间）" in line
    assert "现有音乐" not in line and "最小音乐教室" not in line  # the sub-checks that passed are not listed
    assert "四个方面" in out and "评估标准: " not in out


def test_trap4_county_sheet_behind_an_instructions_sheet_is_found(tmp_path, capsys):
    # the clerk copied the filled sheet into a workbook of their own: 说明 first, the table renamed
    import pandas as pd

    from tests.io.test_county_sheet import full_row

    path = tmp_path / "县级表.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        pd.DataFrame({"填表说明：请在第二个工作表填写": []}).to_excel(w, sheet_name="说明", index=False)
        pd.DataFrame([full_row(year=2024)]).to_excel(w, sheet_name="长安区2024", index=False)
    assert main(["validate", str(_schools(tmp_path)), "--county-sheet", str(path)]) == 0
    assert "县级填报表检查通过：1 行" in capsys.readouterr().out
